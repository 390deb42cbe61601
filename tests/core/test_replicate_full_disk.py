"""A full disk during a multi-cell replication (issue 35): every cell in flight ends ``failed`` or
``interrupted``, none is left ``running``; what completed before stays completed and true.

The disk is simulated: once it "fills", a write fails unless the reserve has just been freed, and the freed
reserve holds exactly one write (another process may take the rest of the space at once). So every cell in
flight must be ended by a single write."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import Store, get_study
from skeptic.core.replicate import plan_replication, replicate
from skeptic.core.runner import execute
from skeptic.core.store import RESERVE_NAME, StoreFullError

COIN = get_study("toy-coin")


class _Disk:
    """The simulated disk: ``full`` once filled; ``room`` writes fit in the space the freed reserve left."""

    def __init__(self) -> None:
        self.full = False
        self.room = 0
        self.refused = 0


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> _Disk:
    state = _Disk()
    real_transaction, real_release = Store._transaction, Store._release_reserve

    def transaction(self: Store) -> Any:
        if state.full:
            if state.room == 0:
                state.refused += 1
                raise StoreFullError("cannot write the store: database or disk is full")
            state.room -= 1
        return real_transaction(self)

    def release(self: Store) -> bool:
        freed = real_release(self)
        if freed and state.full:
            state.room += 1  # the reserve's space: one write
        return freed

    monkeypatch.setattr(Store, "_transaction", transaction)
    monkeypatch.setattr(Store, "_release_reserve", release)
    return state


def _rows(store: Path) -> list[tuple[int, str, str | None]]:
    with contextlib.closing(sqlite3.connect(store / "skeptic.sqlite")) as conn:
        return [(r[0], r[1], r[2]) for r in conn.execute("SELECT seed, status, error FROM runs ORDER BY seed")]


def _true(store: Store) -> None:
    for record in store.runs(status="completed"):
        direct = execute(COIN, COIN.config_type.model_validate(record.config), record.seed, record.preset)
        assert record.measurements is not None
        assert record.measurements["heads_fraction"] == direct.measurements["heads_fraction"]


@contextlib.contextmanager
def _fills_on(monkeypatch: pytest.MonkeyPatch, disk: _Disk, name: str, call: int) -> Iterator[None]:
    """The disk fills just before the ``call``-th call of ``Store.<name>``."""
    real = getattr(Store, name)
    calls = [0]

    def hooked(self: Store, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == call:
            disk.full = True
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Store, name, hooked)
    yield


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_disk_full_when_a_cell_is_stored_ends_every_cell_in_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, disk: _Disk
) -> None:
    """Four cells on three workers: the first result stores, the second meets the full disk; the cells still in
    flight end with it, in the one write the reserve leaves room for."""
    with _fills_on(monkeypatch, disk, "_complete_run", 2):
        plan = plan_replication(COIN, "test", 4, {}, {"sleep_s": 1.0})
        with pytest.raises(StoreFullError, match="stored as failed") as info:
            replicate(plan, Store(tmp_path), workers=3)
    assert "\n" not in str(info.value)
    rows = _rows(tmp_path)
    statuses = sorted(status for _, status, _ in rows)
    assert "running" not in statuses, rows
    assert statuses.count("completed") == 1 and statuses.count("failed") == 1, rows
    assert statuses.count("interrupted") == len(rows) - 2 >= 1, rows  # the cells in flight beside it
    assert all("could not be written" in (error or "") for _, status, error in rows if status == "interrupted")
    assert disk.refused >= 1  # the simulated disk did refuse writes
    disk.full = False
    _true(Store(tmp_path))


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_disk_full_when_a_cell_is_claimed_ends_every_cell_in_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, disk: _Disk
) -> None:
    """Three workers claim three cells; the third claim meets the full disk, and the two in flight end at once."""
    with _fills_on(monkeypatch, disk, "claim_run", 3):
        plan = plan_replication(COIN, "test", 3, {}, {"sleep_s": 30.0})
        with pytest.raises(StoreFullError) as info:
            replicate(plan, Store(tmp_path), workers=3)
    assert "\n" not in str(info.value)
    rows = _rows(tmp_path)
    assert [status for _, status, _ in rows] == ["interrupted", "interrupted"], rows  # no row for the third
    assert not (tmp_path / RESERVE_NAME).exists()  # spent on ending them


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_replication_holds_the_reserve_from_its_first_claim(tmp_path: Path) -> None:
    rep = replicate(plan_replication(COIN, "test", 1), Store(tmp_path), workers=1)
    assert rep.cells[0].status == "completed"
    assert (tmp_path / RESERVE_NAME).is_file()
