"""A stop signal cannot be swallowed (issue 35).

A SIGINT or SIGTERM that lands while Python runs a weakref callback (every import runs some) has its
``KeyboardInterrupt`` printed as "ignored" and dropped, and the run went on: a run to its end, a pool driver and
an audit driver asleep on work meant to stop. :func:`tests.core.interrupt_hooks.swallowed_signal` lands one
there deterministically. Each command must then stop within bounded time (the test timeouts bound it), store
what was in flight ``interrupted``, keep what completed, and leave no process behind.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.process
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import Store, get_study, processes
from skeptic.core.executors import CellTask, LocalExecutor
from skeptic.core.processes import stop_signals_as_interrupt
from skeptic.core.replicate import plan_replication, replicate
from skeptic.core.runner import execute
from tests.core.interrupt_hooks import swallowed_signal
from tests.core.proctable import descendants

# the hook's dropped exception is reported by Python (and by pytest) as "ignored": that is the failure reproduced
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

ROOT = Path(__file__).resolve().parents[2]
COIN = get_study("toy-coin")


def _sleep_until_interrupted(limit_s: float) -> bool:
    """Sleep in short steps for up to ``limit_s``; whether a ``KeyboardInterrupt`` ended the sleep."""
    deadline = time.monotonic() + limit_s
    try:
        while time.monotonic() < deadline:
            time.sleep(0.05)
    except KeyboardInterrupt:
        return True
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_swallowed_stop_signal_is_raised_again(sig: int) -> None:
    slept = []
    with pytest.raises(KeyboardInterrupt), stop_signals_as_interrupt():
        swallowed_signal(sig)  # the handler's exception is dropped here, as mid-import
        assert processes._Interrupts.pending == sig
        time.sleep(60 * processes.REDELIVER_S)  # re-delivered while asleep
        slept.append(True)
    assert not slept, "the interrupt was swallowed and never raised again"
    assert processes._Interrupts.pending is None  # the block ended: nothing left to re-deliver


def test_without_the_guard_the_signal_is_lost() -> None:
    """The failure reproduced: with Python's own Ctrl-C handler the interrupt vanishes (so the test above can fail)."""
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    swallowed_signal(signal.SIGINT)
    assert not _sleep_until_interrupted(3 * processes.REDELIVER_S)


def test_a_block_that_ends_before_a_redelivery_still_ends_interrupted() -> None:
    with pytest.raises(KeyboardInterrupt), stop_signals_as_interrupt():
        swallowed_signal()
    assert processes._Interrupts.pending is None


def test_a_signal_during_the_clean_up_is_not_raised_again() -> None:
    """Once the interrupt is being handled (rows marked, children stopped), a repeat must not cut that short."""
    cleaned = []
    with pytest.raises(KeyboardInterrupt), stop_signals_as_interrupt():
        try:
            signal.raise_signal(signal.SIGTERM)
        except KeyboardInterrupt:
            signal.raise_signal(signal.SIGTERM)  # a second SIGTERM (systemd, a user) lands mid-clean-up
            time.sleep(2 * processes.REDELIVER_S)  # and any re-delivery finds the interrupt handled
            cleaned.append(True)
            raise
    assert cleaned == [True]


def test_the_handlers_in_force_before_are_restored() -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, processes.REDELIVERY_SIGNAL)}
    with stop_signals_as_interrupt(), stop_signals_as_interrupt():  # blocks nest
        assert signal.getsignal(signal.SIGTERM) is processes._on_stop_signal
    assert {s: signal.getsignal(s) for s in before} == before


def test_an_ignored_ctrl_c_stays_ignored() -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with stop_signals_as_interrupt():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is processes._on_stop_signal
    finally:
        signal.signal(signal.SIGINT, previous)


# --- the commands: a run, a replication on the pool, an audit -------------------------------------------------

_PREAMBLE = """
import signal, sys, time, types
signal.signal(signal.SIGINT, signal.default_int_handler)
import tests.toy_study
from tests.core.interrupt_hooks import Once
"""

# the run's own sleep first swallows a SIGTERM, as one landing in an import at the start of the run would
_RUN = (
    _PREAMBLE
    + """
hook = Once()
def sleep(s):
    hook()
    time.sleep(s)
tests.toy_study.time = types.SimpleNamespace(sleep=sleep)
from skeptic.cli import main
sys.argv = ["skeptic", "run", "toy-coin", "--preset", "test", "--seed", "1", "--set", "sleep_s=600",
            "--store", sys.argv[1]]
main()
"""
)

# the driver swallows a SIGTERM the first time it waits on its workers
_REPLICATE = (
    _PREAMBLE
    + """
import skeptic.core.executors as executors
hook, real = Once(), executors.mp_wait
def mp_wait(*args, **kwargs):
    hook()
    return real(*args, **kwargs)
executors.mp_wait = mp_wait
from skeptic.cli import main
sys.argv = ["skeptic", "replicate", "toy-coin", "--preset", "test", "--seeds", "3", "--set", "sleep_s=600",
            "--workers", "2", "--store", sys.argv[1]]
main()
"""
)

# the driver swallows a SIGTERM the first time it waits for an execution's result
_AUDIT = (
    _PREAMBLE
    + """
import concurrent.futures
hook, real = Once(), concurrent.futures.Future.result
def result(self, timeout=None):
    hook()
    return real(self, timeout)
concurrent.futures.Future.result = result
from skeptic.core import get_study
from skeptic.core.audit import run_audit
from skeptic.core.runner import sigterm_as_interrupt
try:
    with sigterm_as_interrupt():
        run_audit(get_study("toy-coin"), "test", overrides={"sleep_s": 600}, store=sys.argv[1], jobs=2)
except KeyboardInterrupt:
    sys.exit(130)
"""
)


def _true(store: Store) -> None:
    """Every completed run holds what executing its config here gives (nothing completed is false)."""
    for record in store.runs(status="completed"):
        direct = execute(COIN, COIN.config_type.model_validate(record.config), record.seed, record.preset)
        assert record.measurements is not None
        assert record.measurements["heads_fraction"] == direct.measurements["heads_fraction"]


def _run(script: str, store: Path, timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``script`` to its end (it must stop by itself: the hook's signal is its only stop)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(store)], cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        out, err = proc.communicate(timeout=timeout_s)
    finally:
        left = set(descendants(proc.pid)) if Path("/proc").exists() else set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not left, f"processes outlived the command: {left}"
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_run_stops_on_a_sigterm_swallowed_mid_import(tmp_path: Path) -> None:
    store = Store(tmp_path)
    kept = replicate(plan_replication(COIN, "test", 1), store, workers=1).cells[0]  # a completed run to keep
    done = _run(_RUN, tmp_path)
    assert "ignored in" in done.stderr  # the hook did land the signal where Python drops it
    assert done.returncode == 130, done.stderr
    statuses = {r.run_id: r.status for r in store.runs()}
    assert statuses.pop(kept.run_id or "") == "completed"
    assert list(statuses.values()) == ["interrupted"]
    _true(store)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_replication_on_the_pool_stops_on_a_sigterm_swallowed_mid_import(tmp_path: Path) -> None:
    store = Store(tmp_path)
    kept = replicate(plan_replication(COIN, "test", 1), store, workers=1).cells[0]
    done = _run(_REPLICATE, tmp_path)
    assert "ignored in" in done.stderr
    assert done.returncode == 130, done.stderr
    statuses = {r.run_id: r.status for r in store.runs()}
    assert statuses.pop(kept.run_id or "") == "completed"  # seed 0 was reused, seeds 1 and 2 were in flight
    assert sorted(statuses.values()) == ["interrupted", "interrupted"]
    _true(store)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_an_audit_stops_on_a_sigterm_swallowed_mid_import(tmp_path: Path) -> None:
    done = _run(_AUDIT, tmp_path)
    assert "ignored in" in done.stderr
    assert done.returncode == 130, done.stderr
    (audit,) = Store(tmp_path).audits()
    assert audit.status == "interrupted"


# --- a stop signal landing between two steps of the pool's driver ---------------------------------------------


def _stray_workers() -> list[multiprocessing.process.BaseProcess]:
    return [p for p in multiprocessing.active_children() if p.name.startswith("skeptic-cell-")]


@pytest.fixture
def no_stray_workers() -> Iterator[None]:
    yield
    for p in _stray_workers():  # a failing test must not leave its workers to the rest of the session
        p.kill()
        p.join()


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.usefixtures("no_stray_workers")
def test_a_sigterm_right_after_a_cell_is_handed_to_the_pool_leaves_no_row_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window the flaky pool test hit: the cell's row is claimed and handed to a worker, the signal lands
    before the driver has noted it in flight."""
    real = LocalExecutor.submit

    def submit(self: LocalExecutor, task: CellTask) -> None:
        real(self, task)
        signal.raise_signal(signal.SIGTERM)

    store = Store(tmp_path)
    kept = replicate(plan_replication(COIN, "test", 1), store, workers=1).cells[0]
    monkeypatch.setattr(LocalExecutor, "submit", submit)
    with pytest.raises(KeyboardInterrupt), stop_signals_as_interrupt():
        replicate(plan_replication(COIN, "test", 3), store, workers=2)
    statuses = {r.run_id: r.status for r in store.runs()}
    assert statuses.pop(kept.run_id or "") == "completed"  # reused, untouched
    assert list(statuses.values()) == ["interrupted"]  # the cell handed over; nothing left running, none claimed
    assert _stray_workers() == []
    _true(store)


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.usefixtures("no_stray_workers")
def test_a_sigterm_right_after_a_worker_forks_leaves_no_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = multiprocessing.context.ForkProcess.start

    def start(self: multiprocessing.context.ForkProcess) -> None:
        real(self)
        signal.raise_signal(signal.SIGTERM)

    store = Store(tmp_path)
    kept = replicate(plan_replication(COIN, "test", 1), store, workers=1).cells[0]
    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start", start)
    with pytest.raises(KeyboardInterrupt), stop_signals_as_interrupt():
        replicate(plan_replication(COIN, "test", 2, {}, {"sleep_s": 600.0}), store, workers=1)
    assert _stray_workers() == []  # stopped by the driver, not left for the exit to wait on
    statuses = {r.run_id: r.status for r in store.runs()}
    assert statuses.pop(kept.run_id or "") == "completed"
    assert list(statuses.values()) == ["interrupted"]
    _true(store)


# --- asyncio runs (Inspect's eval): a stop signal cancels the run instead of raising inside the event loop ---------
async def _tasks_stopped_by(sig: int, cleaned: list[str]) -> None:
    """Three tasks waiting on a long sleep, each with a clean-up that itself awaits (as an HTTP client's close does);
    a thread sends ``sig`` to the process, as Inspect's Ctrl-C test model does."""
    import asyncio
    import os
    import threading

    async def child(name: str) -> None:
        try:
            await asyncio.sleep(60)
        finally:
            await asyncio.sleep(0.01)
            cleaned.append(name)

    tasks = [asyncio.create_task(child(str(k))) for k in range(3)]
    await asyncio.sleep(0.05)
    threading.Thread(target=os.kill, args=(os.getpid(), sig)).start()
    await asyncio.gather(*tasks)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_inside_an_asyncio_run_a_stop_signal_cancels_it_and_every_task_finishes_its_clean_up(sig: int) -> None:
    """A stop signal raised as ``KeyboardInterrupt`` wherever the loop is can leave a task mid-cancellation and the
    Runner's close waiting forever; inside ``stop_signals_cancel_asyncio`` the signal cancels the main task, the
    tasks' ``finally`` blocks run, and the run ends in ``KeyboardInterrupt``. SIGTERM is passed on as SIGINT."""
    import asyncio

    from skeptic.core.processes import stop_signals_cancel_asyncio

    cleaned: list[str] = []
    with pytest.raises(KeyboardInterrupt), stop_signals_as_interrupt(), stop_signals_cancel_asyncio():
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        asyncio.run(_tasks_stopped_by(sig, cleaned))
    assert sorted(cleaned) == ["0", "1", "2"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored outside every block


def test_the_asyncio_guard_leaves_an_ignored_ctrl_c_ignored() -> None:
    from skeptic.core.processes import stop_signals_cancel_asyncio

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with stop_signals_as_interrupt(), stop_signals_cancel_asyncio():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
