"""The results store: one SQLite database in WAL mode.

A run is inserted as ``running`` before any work starts and completed in a single transaction with
its measurements, verdicts and figures, so a run killed at any moment leaves the database readable
and the run visibly not completed. Writers take the write lock only for those short transactions and
wait (busy timeout) for each other, so several ``skeptic run`` processes can share one store.

A store that cannot be used raises :class:`StoreError` (a :class:`~skeptic.core.errors.UsageError`, so
the CLI prints one line and exits with status 2) before anything is written: the first connection of a
:class:`Store` checks the place (a directory, not under a file, the database a regular file, writable
when writing) and runs ``PRAGMA quick_check`` on an existing database; every SQLite error after that is
reported with the file it concerns and what to do. Recovery from a damaged store: move the file aside
(``mv skeptic-results/skeptic.sqlite skeptic-results/skeptic.sqlite.damaged``); the next run starts a
fresh store, and the old file can still be inspected with the ``sqlite3`` shell (``.recover``).
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from skeptic.core.claims import ClaimResult, ProbeResult, StoredMeasurements
from skeptic.core.errors import UsageError, shown
from skeptic.core.jsonform import json_restore, json_safe, may_need_restore
from skeptic.core.secrets import redact

DEFAULT_DIR = "skeptic-results"
ENV_VAR = "SKEPTIC_RESULTS"
DB_NAME = "skeptic.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    study TEXT NOT NULL,
    preset TEXT NOT NULL,
    seed INTEGER NOT NULL,
    config_json TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    code_version TEXT NOT NULL,
    provenance_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
    pid INTEGER,
    host TEXT,
    started_at REAL NOT NULL,
    finished_at REAL,
    error TEXT,
    measurements_json TEXT,
    claims_json TEXT,
    probes_json TEXT,
    tables_json TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_key ON runs (study, config_hash, code_version, status);
CREATE TABLE IF NOT EXISTS figures (
    run_id TEXT NOT NULL REFERENCES runs (run_id),
    idx INTEGER NOT NULL,
    name TEXT NOT NULL,
    caption TEXT NOT NULL,
    png BLOB NOT NULL,
    PRIMARY KEY (run_id, idx)
);
CREATE TABLE IF NOT EXISTS audits (
    audit_id TEXT PRIMARY KEY,
    study TEXT NOT NULL,
    preset TEXT NOT NULL,
    seed INTEGER NOT NULL,
    config_json TEXT NOT NULL,
    code_version TEXT NOT NULL,
    provenance_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
    pid INTEGER,
    host TEXT,
    started_at REAL NOT NULL,
    finished_at REAL,
    error TEXT,
    result_json TEXT,
    probe_power REAL,
    caught_share REAL
);
CREATE INDEX IF NOT EXISTS audits_by_study ON audits (study, status, started_at);
CREATE TABLE IF NOT EXISTS audit_executions (
    key TEXT PRIMARY KEY,
    study TEXT NOT NULL,
    code_version TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at REAL NOT NULL,
    done_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS replications (
    replication_id TEXT PRIMARY KEY,
    study TEXT NOT NULL,
    preset TEXT NOT NULL,
    created_at REAL NOT NULL,
    result_json TEXT NOT NULL,
    map_png BLOB
);
"""


RUN_COLUMNS = frozenset(
    [
        "run_id",
        "study",
        "preset",
        "seed",
        "config_json",
        "config_hash",
        "code_version",
        "provenance_json",
        "status",
        "started_at",
    ]
)
"""Columns a ``runs`` table must have for the file to be a Skeptic store (later versions may add more)."""

RUN_ID_MAX = 128
RUN_ID_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


class StoreError(UsageError):
    """The store cannot be used as it is: damaged, not a database, in the wrong place, read-only or locked."""


class StoreFullError(StoreError):
    """A write failed for want of space (SQLite's 'database or disk is full', or an I/O error writing)."""


RESERVE_NAME = "skeptic.sqlite-reserve"
RESERVE_BYTES = 256 * 1024
"""Space held beside the database while a run or audit is ``running``, so that on a full disk it can still be
marked ``failed``: a write that fails for want of space frees it and records the failure in the space it leaves.
A run does not start without it (one line, nothing written)."""


def check_run_id(run_id: str) -> str:
    """A run id (or prefix) as a user typed it: 1 to 128 letters, digits, ``-``, ``_``, ``.`` or ``:``."""
    if not 1 <= len(run_id) <= RUN_ID_MAX or not set(run_id) <= RUN_ID_ALPHABET:
        raise UsageError(
            f"a run id is 1 to {RUN_ID_MAX} characters of letters, digits, '-', '_', '.' and ':' "
            f"(see `skeptic runs`), got {shown(run_id)}"
        )
    return run_id


def _where(path: Path) -> str:
    """A path for an error message: whole (a user must be able to find the file), within reason."""
    return shown(str(path), 1000)


def _move_aside(path: Path) -> str:
    return f"move it aside (mv {_where(path)} {_where(Path(f'{path}.damaged'))}) and run again"


def default_store_dir() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)


@dataclass(frozen=True)
class StoredFigure:
    name: str
    caption: str
    png: bytes


@dataclass(frozen=True)
class StoredTable:
    """A table a run showed (a :class:`~skeptic.core.study.Table` as stored): ``rows`` are records of cells."""

    name: str
    caption: str
    rows: tuple[Mapping[str, Any], ...]
    collapsed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "caption": self.caption,
            "rows": [dict(r) for r in self.rows],
            "collapsed": self.collapsed,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> StoredTable:
        return cls(str(d["name"]), str(d["caption"]), tuple(d.get("rows") or ()), bool(d.get("collapsed", False)))

    def __getitem__(self, key: str) -> Any:
        """The JSON form's field (for code written when tables were plain dicts)."""
        return self.to_json()[key]


@dataclass(frozen=True)
class StoredReplication:
    """A replication's result document and its robustness-map PNG (see :mod:`skeptic.core.replicate`)."""

    replication_id: str
    study: str
    preset: str
    created_at: float
    result: dict[str, Any]
    map_png: bytes | None


@dataclass(frozen=True)
class RunRecord:
    """One row of the store, decoded."""

    run_id: str
    study: str
    preset: str
    seed: int
    config: dict[str, Any]
    config_hash: str
    code_version: str
    provenance: dict[str, Any]
    status: str
    pid: int | None
    host: str | None
    started_at: float
    finished_at: float | None
    error: str | None
    measurements: StoredMeasurements | None
    claims: list[ClaimResult]
    probes: list[ProbeResult]
    tables: list[StoredTable]

    @property
    def duration_s(self) -> float | None:
        return None if self.finished_at is None else self.finished_at - self.started_at

    @property
    def shown_status(self) -> str:
        """``running`` for a live process; ``abandoned`` when its process on this host is gone (killed)."""
        if self.status == "running" and self.host == socket.gethostname() and self.pid and not _alive(self.pid):
            return "abandoned"
        return self.status


@dataclass(frozen=True)
class CellClaim:
    """What :meth:`Store.claim_run` found: ``claimed`` (run it), ``completed`` (reuse ``record``) or ``busy``
    (another live process on this host, ``pid``, is running it)."""

    state: Literal["claimed", "completed", "busy"]
    record: RunRecord | None = None
    pid: int | None = None


@dataclass(frozen=True)
class AuditRecord:
    """One stored audit, decoded. ``result`` is :meth:`skeptic.core.audit.AuditResult.to_dict` (when completed):
    the clean verdicts, every fault's outcome, the counts, the probe power, the caught share and timings."""

    audit_id: str
    study: str
    preset: str
    seed: int
    config: dict[str, Any]
    code_version: str
    provenance: dict[str, Any]
    status: str
    pid: int | None
    host: str | None
    started_at: float
    finished_at: float | None
    error: str | None
    result: dict[str, Any] | None
    probe_power: float | None
    caught_share: float | None

    @property
    def duration_s(self) -> float | None:
        return None if self.finished_at is None else self.finished_at - self.started_at

    @property
    def shown_status(self) -> str:
        """``running`` for a live process; ``abandoned`` when its process on this host is gone (killed)."""
        if self.status == "running" and self.host == socket.gethostname() and self.pid and not _alive(self.pid):
            return "abandoned"
        return self.status

    @property
    def faults(self) -> list[dict[str, Any]]:
        return list((self.result or {}).get("faults", []))

    @property
    def counts(self) -> dict[str, int]:
        return dict((self.result or {}).get("counts", {}))


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (a zombie, exited but not yet reaped by its parent, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no /proc (macOS), or it just ended
        return True
    return stat[stat.rindex(")") + 2 :][:1] != "Z"


def _started_after(pid: int, when: float) -> bool:
    """Whether process ``pid`` started after time ``when`` (so it reuses the pid of the process that made a row
    then); False where it cannot be told (no ``/proc``)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(
            float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime")
        )
        ticks = int(stat[stat.rindex(")") + 2 :].split()[19])
        return boot + ticks / os.sysconf("SC_CLK_TCK") > when + 2.0  # btime is whole seconds
    except (OSError, ValueError, StopIteration, IndexError):
        return False


def _json(value: Any) -> str:
    """Strict JSON for a column (non-finite floats as :mod:`skeptic.core.jsonform` writes them), with any
    credential a provider echoed redacted (:mod:`skeptic.core.secrets`)."""
    return redact(json.dumps(json_safe(value), allow_nan=False, default=str))


class Store:
    """The SQLite store under ``directory`` (created on first write)."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_store_dir()
        self.path = self.directory / DB_NAME
        self._checked = False

    def exists(self) -> bool:
        try:
            return self.path.exists()
        except OSError:  # a name too long, a loop of links: check() says which
            return False

    # checks ---------------------------------------------------------------------------------

    def check(self, write: bool = False) -> None:
        """Raise :class:`StoreError` unless the store can be used (read, or written when ``write``).

        Cheap and done once per :class:`Store` (the first connection calls it): the directory must be
        a directory (or creatable), the database a regular file, and an existing database must pass
        ``PRAGMA quick_check`` and, if it has a ``runs`` table, have a Skeptic store's columns.
        """
        if self._checked and not write:
            return
        where = _where(self.directory)
        try:
            if self.directory.exists() and not self.directory.is_dir():
                raise StoreError(f"the store directory {where} is a file, not a directory; use --store DIR")
            ancestor = self.directory
            while not ancestor.exists() and ancestor != ancestor.parent:
                ancestor = ancestor.parent
            if not ancestor.is_dir():
                raise StoreError(f"the store directory {where} is under {_where(ancestor)}, which is a file")
            if write and not self.directory.exists() and not os.access(ancestor, os.W_OK | os.X_OK):
                raise StoreError(f"cannot create the store directory {where}: {_where(ancestor)} is read-only")
            exists = self.path.exists()
            if exists and self.path.is_dir():
                raise StoreError(
                    f"the store database {_where(self.path)} is a directory, not a file; {_move_aside(self.path)}"
                )
            if exists and not self.path.is_file():
                raise StoreError(f"the store database {_where(self.path)} is not a regular file; use --store DIR")
        except OSError as exc:
            raise StoreError(f"cannot use the store directory {where}: {exc.strerror or exc}") from None
        if write and exists and not (os.access(self.path, os.W_OK) and os.access(self.directory, os.W_OK | os.X_OK)):
            raise StoreError(
                f"the store {_where(self.path)} is read-only; make it and its directory writable, "
                "or use --store DIR for another store"
            )
        if exists and not self._checked:
            self._quick_check()
        self._checked = True

    def _quick_check(self) -> None:
        """The file's header read directly (an SQLite file, not truncated), then ``PRAGMA quick_check``
        (O(size), without the index cross-checks of ``integrity_check``) and the ``runs`` table's columns.

        SQLite leaves ``-wal``/``-shm`` files beside a damaged WAL database it opened; those it created
        here are removed again, so a failed check writes nothing.
        """
        self._check_header()
        sidecars = [Path(f"{self.path}{suffix}") for suffix in ("-wal", "-shm")]
        existed = [p.exists() for p in sidecars]
        problem: StoreError | None = None
        try:
            conn = self._open(write=False)
            problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                problem = StoreError(
                    f"the store {_where(self.path)} is damaged (quick_check: {shown('; '.join(problems), 120)}); "
                    + _move_aside(self.path)
                )
            else:
                columns = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
                if columns and not columns >= RUN_COLUMNS:
                    problem = StoreError(
                        f"{_where(self.path)} is an SQLite database but not a Skeptic store (its runs table lacks "
                        f"{', '.join(sorted(RUN_COLUMNS - columns))}); use --store DIR for another directory"
                    )
        except sqlite3.Error as exc:
            problem = self._error(exc)
        finally:
            conn.close()
        if problem is not None:
            for sidecar, was_there in zip(sidecars, existed, strict=True):
                if not was_there:
                    with suppress(OSError):
                        sidecar.unlink()
            raise problem

    def _check_header(self) -> None:
        """The 100-byte header: SQLite's magic string, and a file as long as the header says (not truncated)."""
        try:
            size = self.path.stat().st_size
            with open(self.path, "rb") as fh:
                header = fh.read(100)
        except OSError as exc:
            raise StoreError(f"cannot read the store {_where(self.path)}: {exc.strerror or exc}") from None
        if size == 0:
            return  # an empty file is an empty database (SQLite creates the schema on first write)
        where = _where(self.path)
        if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
            raise StoreError(f"{where} is not an SQLite database; {_move_aside(self.path)}")
        page_size = int.from_bytes(header[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        pages = int.from_bytes(header[28:32], "big")
        valid = header[24:28] == header[92:96] and pages > 0  # the header's page count is current
        if page_size < 512 or size % page_size or (valid and size < pages * page_size):
            expected = f"{pages * page_size} bytes" if valid else f"a multiple of {page_size} bytes"
            raise StoreError(
                f"the store {where} is truncated or damaged ({size} bytes, its header says {expected}); "
                + _move_aside(self.path)
            )

    def _error(self, exc: sqlite3.Error | OSError) -> StoreError:
        """A one-line :class:`StoreError` for an SQLite or OS error on this store: which file, and what to do."""
        where = _where(self.path)
        text = str(exc)
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return StoreFullError(f"cannot write the store {where}: {exc.strerror}; free some space or use --store DIR")
        if isinstance(exc, OSError):
            return StoreError(f"cannot use the store {where}: {exc.strerror or text}")
        if "locked" in text or "busy" in text:
            return StoreError(f"the store {where} stayed locked by another process for 120 s ({text}); try again")
        if "readonly" in text or "read-only" in text:
            return StoreError(f"the store {where} is read-only ({text}); make it writable or use --store DIR")
        if "unable to open" in text:
            return StoreError(f"cannot open the store {where} ({text}); check its directory, or use --store DIR")
        if "disk is full" in text or "disk I/O" in text:
            return StoreFullError(f"cannot write the store {where} ({text}); free some space or use --store DIR")
        return StoreError(f"the store {where} is damaged or not a Skeptic store ({text}); {_move_aside(self.path)}")

    # connections ----------------------------------------------------------------------------

    def writable(self) -> bool:
        """Whether this process may write the database and its directory (WAL needs both)."""
        return os.access(self.directory, os.W_OK | os.X_OK) and (
            not self.path.exists() or os.access(self.path, os.W_OK)
        )

    def _open(self, write: bool) -> sqlite3.Connection:
        """A connection; a store this process cannot write is read through a read-only connection.

        SQLite cannot open a WAL database read-only when its ``-shm`` file is missing and the directory is
        read-only; then the store is read as immutable, i.e. as its main file alone (a store left with
        runs still in its write-ahead log would show them once it is writable again).
        """
        if write or self.writable():
            conn = sqlite3.connect(self.path, timeout=120, isolation_level=None)
        else:
            base = "file:" + urllib.parse.quote(str(self.path.absolute())) + "?mode=ro"
            try:
                conn = sqlite3.connect(base, uri=True, timeout=120, isolation_level=None)
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:
                conn = sqlite3.connect(base + "&immutable=1", uri=True, timeout=120, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 120000")
        return conn

    @contextmanager
    def _connect(self, write: bool) -> Iterator[sqlite3.Connection]:
        self.check(write=write)
        created = self._creating() if write else None
        try:
            try:
                if write:
                    self.directory.mkdir(parents=True, exist_ok=True)
                conn = self._open(write)
            except (sqlite3.Error, OSError) as exc:
                raise self._error(exc) from None
            conn.text_factory = _text
            try:
                if write:
                    conn.execute("PRAGMA journal_mode = WAL")
                    conn.execute("PRAGMA synchronous = NORMAL")
                    conn.executescript(SCHEMA)
                yield conn
            except (sqlite3.DatabaseError, OSError) as exc:
                if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError):
                    raise  # a bug in Skeptic, not a property of the file
                raise self._error(exc) from None
            finally:
                conn.close()
        except StoreFullError:
            if created is not None:  # only for want of space: another process may be creating the same store
                self._remove_created(created)
            raise

    def _creating(self) -> list[Path] | None:
        """When this write will create the database: the directories it will create too (outermost first), so a
        first write that fails (a full disk) can take them away again; ``None`` when the database exists."""
        try:
            if self.path.exists():
                return None
            dirs = []
            d = self.directory
            while not d.exists() and d != d.parent:
                dirs.append(d)
                d = d.parent
            return dirs[::-1]
        except OSError:
            return None

    def _remove_created(self, dirs: list[Path]) -> None:
        """Undo a first write that failed: the database, its sidecars and the reserve this process created, and
        then the directories, innermost first (only if empty): never an empty ``skeptic.sqlite`` left behind."""
        for suffix in ("", "-wal", "-shm", "-journal"):
            with suppress(OSError):
                Path(f"{self.path}{suffix}").unlink()
        with suppress(OSError):
            (self.directory / RESERVE_NAME).unlink()
        for d in reversed(dirs):
            with suppress(OSError):
                d.rmdir()

    # the reserve: space to mark a run failed on a full disk --------------------------------------

    @property
    def _reserve(self) -> Path:
        return self.directory / RESERVE_NAME

    def _hold_reserve(self) -> None:
        """Allocate :data:`RESERVE_BYTES` beside the database (once); :class:`StoreFullError` when the disk has not
        that much free, before any row is written."""
        try:
            if self._reserve.is_file() and self._reserve.stat().st_size >= RESERVE_BYTES:
                return
            fd = os.open(self._reserve, os.O_WRONLY | os.O_CREAT, 0o644)
            try:
                os.posix_fallocate(fd, 0, RESERVE_BYTES)
            finally:
                os.close(fd)
        except OSError as exc:
            with suppress(OSError):
                self._reserve.unlink()
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StoreFullError(
                    f"the disk holding the store {_where(self.path)} has less than {RESERVE_BYTES // 1024} KiB free;"
                    " free some space or use --store DIR"
                ) from None
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):  # a file system without fallocate: no reserve
                raise self._error(exc) from None

    def _release_reserve(self) -> bool:
        """Free the reserve (after a write failed for want of space); whether there was one."""
        try:
            self._reserve.unlink()
            return True
        except OSError:
            return False

    def _mark_after_full(self, exc: StoreFullError, what: str, mark: Any, *args: Any) -> StoreError:
        """A write of a ``running`` row's results failed for want of space: free the reserve and record the failure
        with ``mark(*args)`` in the space it leaves; the error to raise says what became of the row."""
        self._release_reserve()
        try:
            mark(*args)
        except StoreError:
            return exc
        return StoreFullError(f"{exc}; the {what} is stored as failed")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect(write=True) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                with suppress(sqlite3.Error):  # the error that brought us here may have ended the transaction
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # writes ---------------------------------------------------------------------------------

    def start_run(
        self,
        *,
        run_id: str,
        study: str,
        preset: str,
        seed: int,
        config: dict[str, Any],
        config_hash: str,
        code_version: str,
        provenance: dict[str, Any],
    ) -> None:
        with self._transaction() as conn:
            self._hold_reserve()
            _insert_running(conn, run_id, study, preset, seed, config, config_hash, code_version, provenance)

    def claim_run(
        self,
        *,
        run_id: str,
        study: str,
        preset: str,
        seed: int,
        config: dict[str, Any],
        config_hash: str,
        code_version: str,
        provenance: dict[str, Any],
        force: bool = False,
    ) -> CellClaim:
        """Claim the run of one config for this process, atomically: what :meth:`start_run` does, unless it need not.

        In one write transaction: a completed run of the same study, config hash and code version is returned
        for reuse (``completed``); a ``running`` one whose process is alive on this host is another process's
        claim (``busy``: wait for it and look again); a ``running`` one whose process is gone (killed) is stale,
        marked ``interrupted`` and taken over. Otherwise the run is inserted as ``running`` with this process's
        pid and host (``claimed``). ``force`` claims without looking. So two replications of one plan on one
        store compute each cell once. A claim made on another host cannot be checked for life and is not waited
        for (each host computes its own).
        """
        host = socket.gethostname()
        with self._transaction() as conn:
            conn.row_factory = sqlite3.Row
            key = (study, config_hash, code_version)
            if not force:
                done = conn.execute(
                    "SELECT * FROM runs WHERE study=? AND config_hash=? AND code_version=? AND status='completed'"
                    " ORDER BY started_at DESC LIMIT 1",
                    key,
                ).fetchone()
                if done is not None:
                    return CellClaim("completed", _record(done))
                for row in conn.execute(
                    "SELECT run_id, pid, host, started_at FROM runs WHERE study=? AND config_hash=? AND code_version=?"
                    " AND status='running'",
                    key,
                ).fetchall():
                    if row["host"] != host:
                        continue
                    pid = row["pid"]
                    if pid and pid != os.getpid() and _alive(pid) and not _started_after(pid, row["started_at"]):
                        return CellClaim("busy", None, int(pid))
                    conn.execute(
                        "UPDATE runs SET status='interrupted', finished_at=?, error=? WHERE run_id=?",
                        (time.time(), f"abandoned: its process (pid {row['pid']}) is gone; taken over", row["run_id"]),
                    )
            self._hold_reserve()  # room to end the row on a full disk, as for start_run
            _insert_running(conn, run_id, study, preset, seed, config, config_hash, code_version, provenance, host)
        return CellClaim("claimed", None)

    def complete_run(
        self,
        run_id: str,
        *,
        measurements: StoredMeasurements,
        claims: Sequence[ClaimResult],
        probes: Sequence[ProbeResult],
        tables: Sequence[StoredTable],
        figures: list[StoredFigure],
        provenance: dict[str, Any] | None = None,
        beside: Sequence[str] = (),
    ) -> None:
        """Store everything a run produced and mark it completed, all in one transaction.

        ``provenance``, when given, replaces the one stored at the start (a replication's worker adds
        where it ran). When the disk is full the run is marked ``failed`` instead (never left ``running``),
        and the runs in ``beside`` (the others this process holds ``running``, e.g. a replication's cells in
        flight) are marked ``interrupted`` in the same write: the reserve guarantees room for one.
        """
        try:
            self._complete_run(run_id, measurements, claims, probes, tables, figures, provenance)
        except StoreFullError as exc:
            ends = [(run_id, "failed", f"its results could not be stored: {exc}"), *_stopped_beside(beside, exc)]
            raise self._mark_after_full(exc, f"run {run_id}", self._end_rows, ends) from None

    def _complete_run(
        self,
        run_id: str,
        measurements: StoredMeasurements,
        claims: Sequence[ClaimResult],
        probes: Sequence[ProbeResult],
        tables: Sequence[StoredTable],
        figures: list[StoredFigure],
        provenance: dict[str, Any] | None,
    ) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE runs SET status='completed', finished_at=?, measurements_json=?, claims_json=?,"
                " probes_json=?, tables_json=? WHERE run_id=?",
                (
                    time.time(),
                    _json(dict(measurements)),
                    _json([c.to_json() for c in claims]),
                    _json([p.to_json() for p in probes]),
                    _json([t.to_json() for t in tables]),
                    run_id,
                ),
            )
            if provenance is not None:
                conn.execute("UPDATE runs SET provenance_json=? WHERE run_id=?", (_json(provenance), run_id))
            conn.executemany(
                "INSERT INTO figures (run_id, idx, name, caption, png) VALUES (?,?,?,?,?)",
                [(run_id, i, f.name, redact(f.caption), f.png) for i, f in enumerate(figures)],
            )

    def end_run(self, run_id: str, status: str, error: str | None = None, *, beside: Sequence[str] = ()) -> None:
        """Mark a run ``failed`` or ``interrupted`` (in the reserve's space when the disk is full).

        ``beside``: the other runs this process holds ``running``; when the disk is full they are marked
        ``interrupted`` in the same write as this one (the reserve guarantees room for one write, not for more).
        """
        try:
            self._end_rows([(run_id, status, error)])
        except StoreFullError as exc:
            if not self._release_reserve():
                raise
            self._end_rows([(run_id, status, error), *_stopped_beside(beside, exc)])

    def end_runs(self, run_ids: Sequence[str], status: str, error: str | None = None) -> None:
        """Mark every run of ``run_ids`` still ``running`` as ``status``, in one write (in the reserve's space when
        the disk is full): a replication stopped by Ctrl-C or a full disk ends all its cells in flight at once."""
        ends = [(run_id, status, error) for run_id in run_ids]
        if not ends:
            return
        try:
            self._end_rows(ends, only_running=True)
        except StoreFullError:
            if not self._release_reserve():
                raise
            self._end_rows(ends, only_running=True)

    def _end_rows(self, ends: Sequence[tuple[str, str, str | None]], only_running: bool = False) -> None:
        """One transaction: each ``(run_id, status, error)`` ends (the first always; the rest only while ``running``,
        so a row another path already ended keeps its end), unless ``only_running`` holds for all."""
        now = time.time()
        with self._transaction() as conn:
            for i, (run_id, status, error) in enumerate(ends):
                still = " AND status='running'" if only_running or i else ""
                conn.execute(
                    "UPDATE runs SET status=?, finished_at=?, error=? WHERE run_id=?" + still,
                    (status, now, None if error is None else redact(error), run_id),
                )

    def delete_run(self, run_id: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM figures WHERE run_id=?", (run_id,))
            conn.execute("DELETE FROM runs WHERE run_id=?", (run_id,))

    def start_audit(
        self,
        *,
        audit_id: str,
        study: str,
        preset: str,
        seed: int,
        config: dict[str, Any],
        code_version: str,
        provenance: dict[str, Any],
    ) -> None:
        """Record an audit as ``running`` before its first execution starts."""
        with self._transaction() as conn:
            self._hold_reserve()
            conn.execute(
                "INSERT INTO audits (audit_id, study, preset, seed, config_json, code_version, provenance_json,"
                " status, pid, host, started_at) VALUES (?,?,?,?,?,?,?,'running',?,?,?)",
                (
                    audit_id,
                    study,
                    preset,
                    seed,
                    _json(config),
                    code_version,
                    _json(provenance),
                    os.getpid(),
                    socket.gethostname(),
                    time.time(),
                ),
            )

    def complete_audit(self, audit_id: str, result: dict[str, Any]) -> None:
        """Store an audit's whole result and mark it completed, in one transaction (``failed`` on a full disk)."""
        try:
            with self._transaction() as conn:
                conn.execute(
                    "UPDATE audits SET status='completed', finished_at=?, result_json=?, probe_power=?,"
                    " caught_share=? WHERE audit_id=?",
                    (time.time(), _json(result), result.get("probe_power"), result.get("caught_share"), audit_id),
                )
        except StoreFullError as exc:
            error = f"its result could not be stored: {exc}"
            raise self._mark_after_full(exc, f"audit {audit_id}", self.end_audit, audit_id, "failed", error) from None

    def end_audit(self, audit_id: str, status: str, error: str | None = None) -> None:
        """Mark an audit ``failed`` or ``interrupted`` (in the reserve's space when the disk is full)."""
        for attempt in (0, 1):
            try:
                with self._transaction() as conn:
                    conn.execute(
                        "UPDATE audits SET status=?, finished_at=?, error=? WHERE audit_id=?",
                        (status, time.time(), error, audit_id),
                    )
                return
            except StoreFullError:
                if attempt or not self._release_reserve():
                    raise

    def save_audit_execution(self, key: str, study: str, code_version: str, label: str, done: dict[str, Any]) -> None:
        """Keep one finished audit execution (clean run, fault, mutant, contrast) so a rerun of an interrupted
        audit reuses it; ``key`` names everything it depends on (:func:`skeptic.core.audit.execution_key`)."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO audit_executions (key, study, code_version, label, created_at, done_json)"
                " VALUES (?,?,?,?,?,?)",
                (key, study, code_version, label, time.time(), _json(done)),
            )

    def audit_execution(self, key: str) -> dict[str, Any] | None:
        """A kept audit execution by key (None in a store that has none, or one written before they were kept)."""
        rows = self._query("SELECT done_json FROM audit_executions WHERE key=?", (key,))
        return _load(rows[0]["done_json"], None) if rows else None

    def save_replication(
        self, replication_id: str, study: str, preset: str, result: dict[str, Any], map_png: bytes | None
    ) -> None:
        """Store a replication's result (its cells are ordinary runs, stored as they finished)."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO replications (replication_id, study, preset, created_at, result_json, map_png)"
                " VALUES (?,?,?,?,?,?)",
                (replication_id, study, preset, time.time(), _json(result), map_png),
            )

    # reads ----------------------------------------------------------------------------------

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        self.check()
        if not self.exists():
            return []
        with self._connect(write=False) as conn:
            conn.row_factory = sqlite3.Row
            try:
                return list(conn.execute(sql, args))
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):  # another process created the file and is creating the schema
                    return []
                raise self._error(exc) from None

    def runs(self, study: str | None = None, status: str | None = None) -> list[RunRecord]:
        """Runs, newest first."""
        sql, args = "SELECT * FROM runs WHERE 1=1", []
        if study is not None:
            sql += " AND study=?"
            args.append(study)
        if status is not None:
            sql += " AND status=?"
            args.append(status)
        return [_record(r) for r in self._query(sql + " ORDER BY started_at DESC", tuple(args))]

    def get(self, run_id: str) -> RunRecord | None:
        """A run by id, or by a unique prefix of its id (compared as text: no LIKE wildcards)."""
        rows = self._query(
            "SELECT * FROM runs WHERE substr(run_id, 1, ?) = ? ORDER BY started_at DESC", (len(run_id), run_id)
        )
        exact = [r for r in rows if r["run_id"] == run_id]
        if exact or len(rows) == 1:
            return _record((exact or rows)[0])
        return None

    def find_reusable(self, study: str, config_hash: str, code_version: str) -> RunRecord | None:
        rows = self._query(
            "SELECT * FROM runs WHERE study=? AND config_hash=? AND code_version=? AND status='completed'"
            " ORDER BY started_at DESC LIMIT 1",
            (study, config_hash, code_version),
        )
        return _record(rows[0]) if rows else None

    def last_duration_s(self, study: str, preset: str) -> float | None:
        """Wall seconds of the newest completed run of ``study`` at ``preset``, or None (to order work by cost)."""
        rows = self._query(
            "SELECT started_at, finished_at FROM runs WHERE study=? AND preset=? AND status='completed'"
            " AND finished_at IS NOT NULL ORDER BY started_at DESC LIMIT 1",
            (study, preset),
        )
        return float(rows[0]["finished_at"] - rows[0]["started_at"]) if rows else None

    def replications(self, study: str | None = None) -> list[StoredReplication]:
        """Stored replications, newest first."""
        sql, args = "SELECT * FROM replications", tuple[str, ...]()
        if study is not None:
            sql, args = sql + " WHERE study=?", (study,)
        rows = self._query(sql + " ORDER BY created_at DESC", args)
        return [
            StoredReplication(
                r["replication_id"],
                r["study"],
                r["preset"],
                r["created_at"],
                _load(r["result_json"], {}),
                bytes(r["map_png"]) if r["map_png"] is not None else None,
            )
            for r in rows
        ]

    def figures(self, run_id: str) -> list[StoredFigure]:
        rows = self._query("SELECT name, caption, png FROM figures WHERE run_id=? ORDER BY idx", (run_id,))
        return [StoredFigure(r["name"], r["caption"], bytes(r["png"])) for r in rows]

    def audits(self, study: str | None = None, status: str | None = None) -> list[AuditRecord]:
        """Audits, newest first (none in a store written before audits existed)."""
        sql, args = "SELECT * FROM audits WHERE 1=1", []
        if study is not None:
            sql += " AND study=?"
            args.append(study)
        if status is not None:
            sql += " AND status=?"
            args.append(status)
        return [_audit_record(r) for r in self._query(sql + " ORDER BY started_at DESC", tuple(args))]

    def latest_audit(self, study: str) -> AuditRecord | None:
        """The study's newest completed audit."""
        found = self.audits(study=study, status="completed")
        return found[0] if found else None

    def get_audit(self, audit_id: str) -> AuditRecord | None:
        """An audit by id, or by a unique prefix of its id."""
        rows = self._query("SELECT * FROM audits WHERE audit_id LIKE ? ORDER BY started_at DESC", (audit_id + "%",))
        exact = [r for r in rows if r["audit_id"] == audit_id]
        if exact or len(rows) == 1:
            return _audit_record((exact or rows)[0])
        return None


def _provenance_fields(row: sqlite3.Row) -> dict[str, Any]:
    """The columns a run and an audit share: what ran, where, when, and how it ended."""
    return {
        "study": row["study"],
        "preset": row["preset"],
        "seed": row["seed"],
        "config": _load(row["config_json"], {}),
        "code_version": row["code_version"],
        "provenance": _load(row["provenance_json"], {}),
        "status": row["status"],
        "pid": row["pid"],
        "host": row["host"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
        "error": row["error"],
    }


def _audit_record(row: sqlite3.Row) -> AuditRecord:
    return AuditRecord(
        audit_id=row["audit_id"],
        **_provenance_fields(row),
        result=_load(row["result_json"], None),
        probe_power=row["probe_power"],
        caught_share=row["caught_share"],
    )


def _text(data: bytes) -> str:
    """Decode a TEXT value; bytes that are not UTF-8 (a hand-edited store) show as U+FFFD, never raise."""
    return data.decode("utf-8", errors="replace")


def _load(text: str | None, default: Any) -> Any:
    """A column's JSON back as Python, non-finite floats restored (:func:`~skeptic.core.jsonform.json_restore`;
    older records wrote them as JSON's non-standard tokens, which :func:`json.loads` reads as floats)."""
    if text is None:
        return default
    value = json.loads(text)
    return json_restore(value) if may_need_restore(text) else value


def _record(row: sqlite3.Row) -> RunRecord:
    return RunRecord(
        run_id=row["run_id"],
        config_hash=row["config_hash"],
        **_provenance_fields(row),
        measurements=_load(row["measurements_json"], None),
        claims=[ClaimResult.from_json(c) for c in _load(row["claims_json"], [])],
        probes=[ProbeResult.from_json(p) for p in _load(row["probes_json"], [])],
        tables=[StoredTable.from_json(t) for t in _load(row["tables_json"], [])],
    )


def _stopped_beside(beside: Sequence[str], exc: BaseException) -> list[tuple[str, str, str | None]]:
    """The ends of the runs held beside one that met a full disk: ``interrupted``, with why."""
    return [(run_id, "interrupted", f"stopped: the store could not be written ({exc})") for run_id in beside]


def _insert_running(
    conn: sqlite3.Connection,
    run_id: str,
    study: str,
    preset: str,
    seed: int,
    config: dict[str, Any],
    config_hash: str,
    code_version: str,
    provenance: dict[str, Any],
    host: str | None = None,
) -> None:
    """A new ``running`` row held by this process (its pid and host, so others can tell whether it is alive)."""
    conn.execute(
        "INSERT INTO runs (run_id, study, preset, seed, config_json, config_hash, code_version,"
        " provenance_json, status, pid, host, started_at) VALUES (?,?,?,?,?,?,?,?,'running',?,?,?)",
        (
            run_id,
            study,
            preset,
            seed,
            _json(config),
            config_hash,
            code_version,
            _json(provenance),
            os.getpid(),
            host or socket.gethostname(),
            time.time(),
        ),
    )
