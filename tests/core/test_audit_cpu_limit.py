"""A mutant that never ends is stopped by a CPU-time limit and counted as crashed, so it cannot stall an audit."""

from __future__ import annotations

import sys

import pytest

from skeptic.core.audit import (
    MUTANT_CPU_FACTOR,
    MUTANT_CPU_FLOOR_S,
    _in_fresh_process,
    _Runner,
    _Task,
    execution_key,
    mutant_cpu_limit,
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_CPU and the fork server: Linux")


def _spin_task(spin_s: float, limit: float | None) -> _Task:
    import tests.toy_spin_study  # noqa: F401  (registers toy-spin)

    return _Task("tests.toy_spin_study", "toy-spin", None, {"spin_s": spin_s}, 0, "test", cpu_limit_s=limit)


def test_the_limit_is_a_multiple_of_the_clean_runs_cpu_with_a_floor() -> None:
    assert mutant_cpu_limit(0.5) == MUTANT_CPU_FLOOR_S
    assert mutant_cpu_limit(30.0) == pytest.approx(MUTANT_CPU_FACTOR * 30.0)


def test_the_limit_is_not_part_of_an_executions_identity() -> None:
    """A resumed audit reuses its stored executions although the clean run's CPU, hence the limit, differs."""
    key = execution_key("mutant:x", _spin_task(1.0, 60.0), "v")
    assert key == execution_key("mutant:x", _spin_task(1.0, 99.0), "v")
    assert key != execution_key("mutant:x", _spin_task(2.0, 60.0), "v")


def test_where_the_checkout_lives_is_not_part_of_an_executions_identity() -> None:
    """An audit extended from another worktree of the same code reuses its executions (the path of the mutated file
    and of the traced files differ; the code version and the mutant do not)."""
    import dataclasses

    here = dataclasses.replace(_spin_task(1.0, 60.0), mutant_path="/a/src/m.py", trace=["/a/src/m.py"])
    there = dataclasses.replace(here, mutant_path="/b/src/m.py", trace=["/b/src/m.py"])
    assert execution_key("mutant:x", here, "v") == execution_key("mutant:x", there, "v")
    assert execution_key("mutant:x", here, "v") != execution_key("mutant:x", dataclasses.replace(here, trace=None), "v")
    assert execution_key("mutant:x", here, "v") != execution_key("mutant:x", here, "w")


@pytest.mark.parametrize("fork", [True, False], ids=["fork-server", "fresh-process"])
def test_an_execution_past_its_cpu_limit_is_stopped_and_says_so(fork: bool) -> None:
    task = _spin_task(spin_s=120.0, limit=1.0)
    if fork:
        runner = _Runner(jobs=1, threads=1)
        try:
            done = runner(task)
        finally:
            runner.close()
    else:
        done = _in_fresh_process(task, threads=1)
    assert done.judged is None
    assert done.error is not None and "exceeded its CPU-time limit of 1 s" in done.error, done.error


def test_an_execution_within_its_limit_finishes_and_reports_its_cpu() -> None:
    runner = _Runner(jobs=1, threads=1)
    try:
        done = runner(_spin_task(spin_s=0.2, limit=30.0))
    finally:
        runner.close()
    assert done.error is None and done.judged is not None
    assert done.cpu_s is not None and done.cpu_s >= 0.2
