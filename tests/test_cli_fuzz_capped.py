"""The fuzz harness bounds the memory of its in-process cases (issue 35): each runs in a forked child whose
address space may grow by ``IN_PROCESS_MEMORY_MB`` at most, so an input that makes a command allocate without
bound is reported as a violation and the test process (and the machine) are untouched."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

import tests.toy_study
from tests import cli_fuzz
from tests.cli_fuzz import IN_PROCESS_MEMORY_MB, CappedDied, run_capped, run_case, violations

needs_fork = pytest.mark.skipif(not hasattr(os, "fork") or not os.path.exists("/proc/self/status"), reason="Linux")

OVER_THE_CAP = int((IN_PROCESS_MEMORY_MB + 1024) * 2**20)
"""Bytes of address space one allocation asks for: more than the cap allows. ``np.empty`` touches no page, so
without the cap it would succeed and cost nothing (the tests below would then fail, not the machine)."""


def _allocate(n: int) -> int:
    return int(np.empty(n, dtype=np.uint8).nbytes)


@needs_fork
def test_a_call_under_the_cap_returns_its_answer_and_its_exception() -> None:
    assert run_capped(sum, [1, 2, 39]) == 42
    with pytest.raises(ZeroDivisionError):
        run_capped(divmod, 1, 0)
    assert run_capped(_allocate, 2**20) == 2**20  # a modest allocation is allowed


@needs_fork
def test_an_allocation_over_the_cap_fails_in_the_child_only() -> None:
    with pytest.raises(MemoryError):
        run_capped(_allocate, OVER_THE_CAP)
    assert _allocate(2**20) == 2**20  # this process has no cap of its own


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # the child's own pid: evaluated in the child


@needs_fork
def test_a_child_that_dies_is_reported() -> None:
    with pytest.raises(CappedDied, match="killed by SIGKILL"):
        run_capped(_die)


@needs_fork
def test_a_command_that_allocates_without_bound_is_a_violation_not_a_lost_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The study toy-coin made to allocate past the cap mid-run: the case reports it (the run fails, stored as
    failed in the sandbox), and this process goes on."""
    real = tests.toy_study.flip_coins

    def greedy(*args: object) -> object:
        _allocate(OVER_THE_CAP)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(tests.toy_study, "flip_coins", greedy)
    outcome = run_case(["run", "toy-coin", "--preset", "test"])
    assert not outcome.hung
    assert "MemoryError" in outcome.stderr, outcome.stderr[-500:]
    problems = violations(outcome)
    assert any(p.startswith("memory: a MemoryError") for p in problems), problems
    assert outcome.code == 1  # the run failed and says so; the harness reports it as a violation


@needs_fork
def test_in_process_cases_run_capped() -> None:
    """The harness's own path for in-process cases goes through the cap (not around it)."""
    assert cli_fuzz.run_case.__code__.co_names.count("invoke_capped") == 1
    outcome = run_case(["list"])
    assert outcome.code == 0 and violations(outcome) == []
