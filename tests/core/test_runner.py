"""The runner (and the store it writes): round trips, reuse, failures, interruption, kills, concurrent writers; the
run context's named streams; the code version of a study outside Skeptic; the study's thread policy."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import RunFailed, Store, run
from skeptic.core.runner import _Context, code_version, study_package_dir, thread_budget
from skeptic.core.study import _REGISTRY, Brief, StudyConfig, StudyOutput, get_study, study
from skeptic.scaffold import scaffold

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
    assert result.claims[0].verdict == "replicated"


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


# --- the code version of a study outside Skeptic (issue 27) ---------------------------------------------

NAME = "code-version-probe"


@pytest.fixture
def outside_study(tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    """A study generated by ``skeptic new``, imported from its folder (declared in this process)."""
    root = scaffold(NAME, tmp_path)
    sys.path.insert(0, str(root / "src"))
    try:
        import code_version_probe.study as module

        yield module.run, root / "src" / "code_version_probe"
    finally:
        sys.path.remove(str(root / "src"))
        _REGISTRY.pop(NAME, None)
        for name in [m for m in sys.modules if m.split(".")[0] == "code_version_probe"]:
            del sys.modules[name]


def test_an_outside_study_hashes_its_own_package(outside_study: tuple[Any, Path], tmp_path: Path) -> None:
    spec, package = outside_study
    assert study_package_dir(spec) == package.resolve()
    assert study_package_dir(get_study("goodhart")) is None
    assert code_version(get_study("goodhart")) == code_version() == code_version(None)
    before = code_version(spec)
    assert before.startswith(code_version() + "+")

    first = run(spec, preset="test", store=tmp_path / "store")
    again = run(spec, preset="test", store=tmp_path / "store")
    assert not first.reused and again.reused and again.run_id == first.run_id

    experiment = package / "experiment.py"
    experiment.write_text(experiment.read_text() + "\n# an edit outside Skeptic\n")
    assert code_version(spec) != before
    edited = run(spec, preset="test", store=tmp_path / "store")
    assert not edited.reused and edited.run_id != first.run_id
    assert edited.provenance["code_version"] == code_version(spec)


# --- the run context (issue 27) -------------------------------------------------------------------------


def test_the_context_names_every_stream() -> None:
    ctx = _Context(seed=3, preset="test", console=None)
    assert ctx.seed_for("a") == _Context(3, "test", None).seed_for("a")
    assert ctx.seed_for("a") != ctx.seed_for("b") and ctx.seed_for("a") != _Context(4, "test", None).seed_for("a")
    assert 0 <= ctx.seed_for("a") < 2**63
    same = [np.asarray(ctx.rng("x", 1).normal(size=3)) for _ in range(2)]
    assert np.array_equal(*same)
    torch = pytest.importorskip("torch")
    g1, g2 = ctx.torch_generator("w"), ctx.torch_generator("w")
    assert torch.equal(torch.rand(3, generator=g1), torch.rand(3, generator=g2))
    with ctx.section("train"):
        pass
    with ctx.section("train"):
        pass
    assert set(ctx.sections_s) == {"train"} and ctx.sections_s["train"] >= 0


# --- the study's thread policy, applied by the runner (issue 27) ----------------------------------------------


def _thread_reader(name: str, threads: int | None) -> Any:
    """A study that records the thread settings it runs under (registered once per session)."""
    if name in _REGISTRY:
        return _REGISTRY[name]

    @study(
        name=name,
        question="?",
        sources=("none",),
        presets={"test": _Empty(), "quick": _Empty(), "paper": _Empty()},
        claims=[],
        probes=[],
        brief=Brief("", "", ""),
        runtime={},
        threads=threads,
    )
    def reader(config: _Empty, ctx: object) -> StudyOutput:
        import torch

        return StudyOutput({"torch_threads": torch.get_num_threads(), "omp": os.environ.get("OMP_NUM_THREADS")})

    return reader


def test_the_runner_applies_the_studys_thread_policy_and_records_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    torch = pytest.importorskip("torch")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    cores, _ = thread_budget()
    torch.set_num_threads(cores + 2)  # anything but what the runs ask for, to see it applied and restored
    try:
        one = run(_thread_reader("threads-one", 1), preset="test", store=tmp_path)
        assert one.measurements["torch_threads"] == 1 and one.measurements["omp"] == "1"
        assert one.provenance["threads"] == 1 and one.provenance["threads_rule"] == "the study declares 1"
        assert torch.get_num_threads() == cores + 2 and "OMP_NUM_THREADS" not in os.environ  # restored after

        lone = run(_thread_reader("threads-default", None), preset="test", store=tmp_path)
        assert lone.measurements["torch_threads"] == cores == lone.provenance["threads"]
        assert "the runner's rule: every core" in lone.provenance["threads_rule"]

        many = run(_thread_reader("threads-many", cores + 1), preset="test", store=tmp_path)
        assert many.measurements["torch_threads"] == cores and "capped at every core" in many.provenance["threads_rule"]

        monkeypatch.setenv("OMP_NUM_THREADS", "1")  # a pool worker's share (executors set it per worker)
        share = run(_thread_reader("threads-default", None), preset="test", store=tmp_path, force=True)
        assert share.measurements["torch_threads"] == 1 and "OMP_NUM_THREADS=1" in share.provenance["threads_rule"]
        assert Store(tmp_path).get(share.run_id).provenance["threads"] == 1  # type: ignore[union-attr]
    finally:
        torch.set_num_threads(cores)
