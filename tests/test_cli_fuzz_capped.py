"""The fuzz harness bounds the memory of its in-process cases (issue 35): while a case runs, the address space
may grow by ``IN_PROCESS_MEMORY_MB`` at most, so an input that makes a command allocate without bound is
reported as a violation and the test process (and the machine) are untouched."""

from __future__ import annotations

import os
import resource

import numpy as np
import pytest

import tests.toy_study
from tests.cli_fuzz import IN_PROCESS_MEMORY_MB, memory_cap, run_case, violations

needs_proc = pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads VmSize from /proc")

OVER_THE_CAP = int((IN_PROCESS_MEMORY_MB + 1024) * 2**20)
"""Bytes of address space one allocation asks for: more than the cap allows. ``np.empty`` touches no page, so
without the cap it would succeed and cost nothing (the tests below would then fail, not the machine)."""


def _allocate(n: int) -> int:
    return int(np.empty(n, dtype=np.uint8).nbytes)


@needs_proc
def test_an_allocation_over_the_cap_fails_and_the_cap_is_lifted_after() -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    with memory_cap():
        assert _allocate(2**20) == 2**20  # a modest allocation is allowed
        with pytest.raises(MemoryError):
            _allocate(OVER_THE_CAP)
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert _allocate(OVER_THE_CAP) == OVER_THE_CAP  # no page touched: costs nothing once the cap is lifted


@needs_proc
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
