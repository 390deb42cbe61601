"""A tiny study for testing mutants: the mean of uniform draws, summed twice, checked by a probe.

Registered only by the tests that import this module (as ``toy-sum``). Its code is kept small so
that ``--mutants all`` has a handful of mutants whose outcomes can be worked out by hand (see
tests/core/test_mutants.py): a mutant in either of the two sums trips the probe that compares them;
a mutant in the claim's own measure is silent, because no probe computes the mean independently.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from skeptic.core import (
    Between,
    Brief,
    Claim,
    Estimate,
    Measurements,
    Probe,
    ProbeOutcome,
    RunContext,
    StudyConfig,
    StudyOutput,
    study,
)
from skeptic.core.study import _REGISTRY


def total(xs: np.ndarray) -> float:
    return float(np.sum(xs))


def total_by_loop(xs: np.ndarray) -> float:
    s = 0.0
    for x in xs:
        s += x
    return float(s)


def _mean(m: Measurements) -> Estimate:
    return Estimate.from_se(m["total"] / m["n"], 0.01)


def _sums_agree(m: Measurements) -> ProbeOutcome:
    return ProbeOutcome(bool(np.isclose(m["total"], m["loop_total"])), "")


class SumConfig(StudyConfig):
    n: int = Field(1000, ge=10, le=1_000_000)
    """Number of uniform draws."""


def _register() -> None:
    if "toy-sum" in _REGISTRY:
        return

    @study(
        name="toy-sum",
        question="Is the mean of uniform draws one half?",
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
        probes=[Probe("sums-agree", "the numpy sum equals a plain loop's sum", _sums_agree)],
        brief=Brief(
            claimed="The mean of draws from the uniform distribution on the unit interval is one half.",
            ran="We drew uniform numbers, summed them twice in two different ways and divided by the count.",
            not_shown="Anything beyond the generator: a simulation returns what its own generator was told.",
        ),
        runtime={"test": "<1 s", "quick": "<1 s", "paper": "<1 s"},
    )
    def run(config: SumConfig, ctx: RunContext) -> StudyOutput:
        xs = ctx.rng("xs").random(config.n)
        return StudyOutput(measurements={"total": total(xs), "loop_total": total_by_loop(xs), "n": len(xs)})


_register()
