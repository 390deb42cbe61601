"""The runner and the store: round trips, reuse, failures, interruption, kills, concurrent writers."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import RunFailed, Store, run
from skeptic.core.study import _REGISTRY, Brief, StudyConfig, StudyOutput, study

ROOT = Path(__file__).resolve().parents[2]


def test_run_round_trips_through_the_store(tmp_path: Path) -> None:
    result = run("toy-coin", preset="test", store=tmp_path)
    assert result.status == "completed" and not result.reused
    stored = Store(tmp_path).get(result.run_id)
    assert stored is not None
    assert stored.measurements == result.measurements
    assert stored.claims == result.claims
    assert stored.config == {"n_flips": 2000, "p_heads": 0.5, "label": "a fair coin", "sleep_s": 0.0}
    assert stored.provenance["code_version"] == result.provenance["code_version"]
    assert len(Store(tmp_path).figures(result.run_id)) == 1
    assert result.frame("heads_fraction").shape == (1, 1)
    assert result.claims[0]["verdict"] == "replicated"


def test_identical_run_is_reused_unless_forced(tmp_path: Path) -> None:
    first = run("toy-coin", preset="test", store=tmp_path)
    again = run("toy-coin", preset="test", store=tmp_path)
    assert again.reused and again.run_id == first.run_id
    other_seed = run("toy-coin", preset="test", seed=1, store=tmp_path)
    assert not other_seed.reused
    forced = run("toy-coin", preset="test", force=True, store=tmp_path)
    assert not forced.reused and forced.run_id != first.run_id
    assert len(Store(tmp_path).runs()) == 3


def test_seed_makes_runs_reproducible(tmp_path: Path) -> None:
    a = run("toy-coin", preset="test", seed=3, store=tmp_path / "a")
    b = run("toy-coin", preset="test", seed=3, store=tmp_path / "b")
    c = run("toy-coin", preset="test", seed=4, store=tmp_path / "c")
    assert a.measurements["heads_fraction"] == b.measurements["heads_fraction"]
    assert a.measurements["heads_fraction"] != c.measurements["heads_fraction"]


class _Empty(StudyConfig):
    pass


def _register_raising(name: str, body: Callable[[], None]) -> None:
    """A study with no claims that calls ``body`` (which raises), registered once per test session."""
    if name in _REGISTRY:
        return

    @study(
        name=name,
        question="?",
        sources=("none",),
        presets={"test": _Empty(), "quick": _Empty(), "paper": _Empty()},
        claims=[],
        probes=[],
        brief=Brief("", "", ""),
        runtime={},
    )
    def raising(config: _Empty, ctx: object) -> StudyOutput:
        body()
        raise AssertionError("unreachable: body must raise")


def _divide_by_zero() -> None:
    raise ZeroDivisionError("boom")


def _interrupt_wrapped_by_python() -> None:
    # what a Ctrl-C or SIGTERM landing while a class body runs (e.g. mid-import) looks like to the runner:
    # "RuntimeError: Error calling __set_name__ ..." caused by the KeyboardInterrupt; CI once saw exactly that
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt as interrupt:
        raise RuntimeError("Error calling __set_name__ on a descriptor") from interrupt


def test_a_study_that_raises_is_stored_as_failed(tmp_path: Path) -> None:
    _register_raising("toy-broken", _divide_by_zero)
    with pytest.raises(RunFailed, match="boom") as info:
        run("toy-broken", preset="test", store=tmp_path)
    record = Store(tmp_path).get(info.value.run_id)
    assert record is not None and record.status == "failed"
    assert record.error is not None and "ZeroDivisionError" in record.error


def test_an_interrupt_wrapped_by_python_is_still_an_interrupt(tmp_path: Path) -> None:
    _register_raising("toy-wrapped-interrupt", _interrupt_wrapped_by_python)
    with pytest.raises(KeyboardInterrupt):
        run("toy-wrapped-interrupt", preset="test", store=tmp_path)
    (record,) = Store(tmp_path).runs()
    assert record.status == "interrupted"


def _start_sleeping_run(store: Path, sleep_s: float) -> subprocess.Popen[str]:
    # A background process of a shell without job control inherits SIGINT ignored (POSIX) and Python keeps it
    # ignored: restore Ctrl-C's default so the test does not depend on how CI was launched.
    code = (
        "import signal, tests.toy_study, skeptic.core as c;"
        "signal.signal(signal.SIGINT, signal.default_int_handler);"
        f"c.run('toy-coin', preset='test', overrides={{'sleep_s': {sleep_s}}}, force=True, store={str(store)!r})"
    )
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, text=True, stderr=subprocess.PIPE)


def _wait_for_running(store: Store, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if store.runs(status="running"):
            return
        time.sleep(0.1)
    raise AssertionError("the run never started")


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, "interrupted"), (signal.SIGTERM, "interrupted")])
def test_an_interrupted_run_is_marked_interrupted(tmp_path: Path, sig: int, status: str) -> None:
    store = Store(tmp_path)
    proc = _start_sleeping_run(tmp_path, 600)  # interrupted long before; the margin covers a starved poll
    _wait_for_running(store)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    (record,) = store.runs()
    assert record.status == status


def test_a_killed_run_leaves_the_store_readable_and_the_run_not_completed(tmp_path: Path) -> None:
    done = run("toy-coin", preset="test", store=tmp_path)
    store = Store(tmp_path)
    proc = _start_sleeping_run(tmp_path, 600)  # interrupted long before; the margin covers a starved poll
    _wait_for_running(store)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    records = {r.run_id: r for r in store.runs()}
    assert records[done.run_id].status == "completed"
    killed = [r for r in records.values() if r.run_id != done.run_id]
    assert len(killed) == 1 and killed[0].status == "running" and killed[0].shown_status == "abandoned"
    assert store.find_reusable("toy-coin", killed[0].config_hash, killed[0].code_version) is None


def test_concurrent_writers_all_succeed(tmp_path: Path) -> None:
    code = (
        "import sys, tests.toy_study, skeptic.core as c;"
        f"c.run('toy-coin', preset='test', seed=int(sys.argv[1]), store={str(tmp_path)!r})"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(i)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        for i in range(8)
    ]
    errors = [p.communicate(timeout=240)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    runs = Store(tmp_path).runs()
    assert len(runs) == 8 and all(r.status == "completed" for r in runs)
    assert sorted(r.seed for r in runs) == list(range(8))
