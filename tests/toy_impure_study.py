"""toy-sum with a probe that reads module state its experiment left, not its measurements (``toy-impure``).

Registered by the tests that import this module. Judging such a study apart from its experiment does not reproduce
its clean run, so an audit must not run its mutants as judging only (tests/core/test_mutants.py).
"""

from __future__ import annotations

from skeptic.core import Between, Brief, Claim, Measurements, Probe, ProbeOutcome, RunContext, StudyOutput, study
from skeptic.core.study import _REGISTRY
from tests.toy_mutant_study import SumConfig, _mean, total, total_by_loop

_RAN_HERE: list[int] = []
"""Filled by toy-impure's experiment and read by its probe: state outside the measurements (a design error that
judging-only mutants must detect, since their process never runs the experiment)."""


def _ran_here(m: Measurements) -> ProbeOutcome:
    return ProbeOutcome(bool(_RAN_HERE), f"{len(_RAN_HERE)} runs recorded in this process")


def _register() -> None:
    if "toy-impure" in _REGISTRY:
        return

    @study(
        name="toy-impure",
        question="Is the mean of uniform draws one half (judged from module state)?",
        sources=("Textbook probability",),
        presets={"test": SumConfig(), "quick": SumConfig(), "paper": SumConfig(n=100_000)},
        claims=[
            Claim(
                "half",
                "The mean of uniform draws on [0, 1) is one half",
                "Textbook",
                _mean,
                Between(0.45, 0.55),
                own_threshold="the textbook says one half; the band 0.45-0.55 is ours",
            ),
        ],
        probes=[Probe("ran-here", "the experiment ran in this process", _ran_here)],
        brief=Brief(
            claimed="The mean of draws from the uniform distribution on the unit interval is one half.",
            ran="We drew uniform numbers and divided their sum by the count.",
            not_shown="Anything beyond the generator.",
        ),
        runtime={"test": "<1 s", "quick": "<1 s", "paper": "<1 s"},
    )
    def run(config: SumConfig, ctx: RunContext) -> StudyOutput:
        xs = ctx.rng("xs").random(config.n)
        _RAN_HERE.append(len(xs))
        return StudyOutput(measurements={"total": total(xs), "loop_total": total_by_loop(xs), "n": len(xs)})


_register()
