"""The study declaration (:mod:`skeptic.core.study`): the budget, and the thread and memory policy."""

from __future__ import annotations

import pytest

from skeptic.core import Budget, StudyConfig


class _Cfg(StudyConfig):
    steps: int = 10
    """Training steps."""
    lr: float = 0.1
    """Learning rate."""
    name: str = "a"
    """A label."""


def test_a_budget_scales_numeric_knobs_and_sets_others() -> None:
    budget = Budget(scale={"steps": 4, "lr": 0.5}, set={"name": "b"})
    assert budget.overrides(_Cfg()) == {"steps": 40, "lr": 0.05, "name": "b"}
    with pytest.raises(TypeError):
        Budget(scale={"name": 2}).overrides(_Cfg())
    with pytest.raises(ValueError):
        Budget()


@pytest.mark.parametrize(("threads", "memory"), [(0, "default"), (True, "default"), (1.5, "default"), (1, "lots")])
def test_a_thread_or_memory_policy_out_of_range_is_refused(threads: object, memory: str) -> None:
    from skeptic.core import Brief, study

    with pytest.raises(ValueError, match=r"threads|memory"):
        study(
            name="bad-policy",
            question="?",
            sources=("none",),
            presets={"test": _Cfg(), "quick": _Cfg(), "paper": _Cfg()},
            claims=[],
            probes=[],
            brief=Brief("", "", ""),
            runtime={},
            threads=threads,  # type: ignore[arg-type]
            memory=memory,  # type: ignore[arg-type]
        )(lambda config, ctx: None)  # type: ignore[arg-type,return-value]
