"""A full disk (issue 35): a store write failing for want of space marks the run ``failed`` (or leaves no row),
never ``running``, and never leaves an empty ``skeptic.sqlite`` behind.

The unit tests simulate ENOSPC; the others mount a small tmpfs (as root) and really fill it, and are skipped
with the reason where mounting is not allowed."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import runner
from skeptic.core.errors import UsageError
from skeptic.core.runner import run
from skeptic.core.store import RESERVE_BYTES, RESERVE_NAME, Store, StoreFullError


def _statuses(store: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(store / "skeptic.sqlite")) as conn:
        return [r[0] for r in conn.execute("SELECT status FROM runs ORDER BY started_at")]


def test_a_run_whose_results_meet_a_full_disk_is_stored_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store"
    run("toy-coin", preset="test", store=store)
    assert (store / RESERVE_NAME).stat().st_size == RESERVE_BYTES  # held while runs can start

    def full(self: Store, *args: object) -> None:
        raise self._error(sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(Store, "_complete_run", full)
    with pytest.raises(StoreFullError, match="is stored as failed") as info:
        run("toy-coin", preset="test", seed=1, store=store)
    assert "\n" not in str(info.value)
    assert _statuses(store) == ["completed", "failed"]
    assert not (store / RESERVE_NAME).exists()  # spent on recording the failure


def test_marking_a_failed_run_on_a_full_disk_spends_the_reserve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``end_run`` (a study that raised, Ctrl-C) on a full disk: the first try fails, the reserve is freed, the
    second succeeds."""
    store = Store(tmp_path / "store")
    store.start_run(
        run_id="r1",
        study="toy-coin",
        preset="test",
        seed=0,
        config={},
        config_hash="h",
        code_version="v",
        provenance={},
    )
    real = Store._transaction
    calls = []

    def full_while_reserved(self: Store) -> object:
        calls.append((self.directory / RESERVE_NAME).exists())
        if calls[-1]:
            raise StoreFullError("cannot write the store: database or disk is full")
        return real(self)

    monkeypatch.setattr(Store, "_transaction", full_while_reserved)
    store.end_run("r1", "failed", "the study raised")
    assert calls == [True, False]
    monkeypatch.undo()
    assert _statuses(tmp_path / "store") == ["failed"]


def test_no_run_starts_without_room_to_record_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(fd: int, offset: int, length: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "posix_fallocate", no_space)
    with pytest.raises(StoreFullError, match=f"less than {RESERVE_BYTES // 1024} KiB free"):
        run("toy-coin", preset="test", store=tmp_path / "new" / "store")
    assert not (tmp_path / "new").exists()  # the directories it created are gone, no empty database


@contextlib.contextmanager
def small_disk(tmp_path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted for the test; skipped where mounting is not allowed."""
    mnt = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(disk: Path) -> None:
    """Fill ``disk`` to its last byte."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        for chunk in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * chunk)
    finally:
        os.close(fd)


def test_a_disk_filled_during_the_run_leaves_the_run_failed_not_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with small_disk(tmp_path, "2m") as disk:
        real = runner.execute

        def then_fill(*args: object, **kwargs: object) -> object:
            out = real(*args, **kwargs)  # type: ignore[arg-type]
            fill(disk)
            return out

        monkeypatch.setattr(runner, "execute", then_fill)
        with pytest.raises(StoreFullError, match="is stored as failed"):
            run("toy-coin", preset="test", store=disk / "store")
        (disk / "filler").unlink()  # reading a WAL database needs room for its shared-memory file
        assert _statuses(disk / "store") == ["failed"]


def test_a_full_disk_leaves_no_empty_store_file(tmp_path: Path) -> None:
    with small_disk(tmp_path, "1m") as disk:
        fill(disk)
        with pytest.raises(UsageError) as info:
            run("toy-coin", preset="test", store=disk / "store")
        assert "\n" not in str(info.value)
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]  # no store directory, no 0-byte database


def test_a_nearly_full_disk_starts_no_run_in_an_existing_store(tmp_path: Path) -> None:
    with small_disk(tmp_path, "2m") as disk:
        run("toy-coin", preset="test", store=disk / "store")
        (disk / "store" / RESERVE_NAME).unlink()  # as another Skeptic version, or a user, might have left it
        fill(disk)
        before = sorted((p.name, p.stat().st_size) for p in (disk / "store").iterdir())
        with pytest.raises(StoreFullError, match="free some space"):
            run("toy-coin", preset="test", seed=1, store=disk / "store")
        assert sorted((p.name, p.stat().st_size) for p in (disk / "store").iterdir()) == before
        (disk / "filler").unlink()  # reading a WAL database needs room for its shared-memory file
        assert _statuses(disk / "store") == ["completed"]


def test_the_command_line_on_a_full_disk_is_one_line_exit_2(tmp_path: Path) -> None:
    from tests.cli_fuzz import invoke

    with small_disk(tmp_path, "1m") as disk:
        fill(disk)
        outcome = invoke(["run", "toy-coin", "--preset", "test", "--store", str(disk / "store")], tmp_path)
        assert outcome.code == 2 and outcome.exception is None
        lines = outcome.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("skeptic: error:") and "free some space" in lines[0]
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]
