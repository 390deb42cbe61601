"""The results store: one SQLite database in WAL mode.

A run is inserted as ``running`` before any work starts and completed in a single transaction with
its measurements, verdicts and figures, so a run killed at any moment leaves the database readable
and the run visibly not completed. Writers take the write lock only for those short transactions and
wait (busy timeout) for each other, so several ``skeptic run`` processes can share one store.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
"""


def default_store_dir() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)


@dataclass(frozen=True)
class StoredFigure:
    name: str
    caption: str
    png: bytes


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
    measurements: dict[str, Any] | None
    claims: list[dict[str, Any]]
    probes: list[dict[str, Any]]
    tables: list[dict[str, Any]]

    @property
    def duration_s(self) -> float | None:
        return None if self.finished_at is None else self.finished_at - self.started_at

    @property
    def shown_status(self) -> str:
        """``running`` for a live process; ``abandoned`` when its process on this host is gone (killed)."""
        if self.status == "running" and self.host == socket.gethostname() and self.pid and not _alive(self.pid):
            return "abandoned"
        return self.status


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _json(value: Any) -> str:
    """JSON for a column, with any credential a provider echoed redacted (:mod:`skeptic.core.secrets`)."""
    return redact(json.dumps(value, allow_nan=True, default=str))


class Store:
    """The SQLite store under ``directory`` (created on first write)."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_store_dir()
        self.path = self.directory / DB_NAME

    def exists(self) -> bool:
        return self.path.exists()

    @contextmanager
    def _connect(self, write: bool) -> Iterator[sqlite3.Connection]:
        if write:
            self.directory.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=120, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout = 120000")
            if write:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.executescript(SCHEMA)
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect(write=True) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
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
                    socket.gethostname(),
                    time.time(),
                ),
            )

    def complete_run(
        self,
        run_id: str,
        *,
        measurements: dict[str, Any],
        claims: list[dict[str, Any]],
        probes: list[dict[str, Any]],
        tables: list[dict[str, Any]],
        figures: list[StoredFigure],
    ) -> None:
        """Store everything a run produced and mark it completed, all in one transaction."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE runs SET status='completed', finished_at=?, measurements_json=?, claims_json=?,"
                " probes_json=?, tables_json=? WHERE run_id=?",
                (time.time(), _json(measurements), _json(claims), _json(probes), _json(tables), run_id),
            )
            conn.executemany(
                "INSERT INTO figures (run_id, idx, name, caption, png) VALUES (?,?,?,?,?)",
                [(run_id, i, f.name, redact(f.caption), f.png) for i, f in enumerate(figures)],
            )

    def end_run(self, run_id: str, status: str, error: str | None = None) -> None:
        """Mark a run ``failed`` or ``interrupted``."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE runs SET status=?, finished_at=?, error=? WHERE run_id=?",
                (status, time.time(), None if error is None else redact(error), run_id),
            )

    def delete_run(self, run_id: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM figures WHERE run_id=?", (run_id,))
            conn.execute("DELETE FROM runs WHERE run_id=?", (run_id,))

    # reads ----------------------------------------------------------------------------------

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        if not self.exists():
            return []
        with self._connect(write=False) as conn:
            conn.row_factory = sqlite3.Row
            try:
                return list(conn.execute(sql, args))
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):  # another process created the file and is creating the schema
                    return []
                raise

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
        """A run by id, or by a unique prefix of its id."""
        rows = self._query("SELECT * FROM runs WHERE run_id LIKE ? ORDER BY started_at DESC", (run_id + "%",))
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

    def figures(self, run_id: str) -> list[StoredFigure]:
        rows = self._query("SELECT name, caption, png FROM figures WHERE run_id=? ORDER BY idx", (run_id,))
        return [StoredFigure(r["name"], r["caption"], bytes(r["png"])) for r in rows]


def _load(text: str | None, default: Any) -> Any:
    return default if text is None else json.loads(text)


def _record(row: sqlite3.Row) -> RunRecord:
    return RunRecord(
        run_id=row["run_id"],
        study=row["study"],
        preset=row["preset"],
        seed=row["seed"],
        config=json.loads(row["config_json"]),
        config_hash=row["config_hash"],
        code_version=row["code_version"],
        provenance=json.loads(row["provenance_json"]),
        status=row["status"],
        pid=row["pid"],
        host=row["host"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        error=row["error"],
        measurements=_load(row["measurements_json"], None),
        claims=_load(row["claims_json"], []),
        probes=_load(row["probes_json"], []),
        tables=_load(row["tables_json"], []),
    )
