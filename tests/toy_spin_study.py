"""A tiny study that burns CPU for as long as its config says: the stand-in for a mutant that never ends.

Registered only by the tests that import this module (as ``toy-spin``); see tests/core/test_audit_cpu_limit.py.
"""

from __future__ import annotations

import time

from pydantic import Field

from skeptic.core import AtLeast, Brief, Claim, Estimate, Measurements, RunContext, StudyConfig, StudyOutput, study
from skeptic.core.study import _REGISTRY


class SpinConfig(StudyConfig):
    spin_s: float = Field(0.1, ge=0.0, le=600.0)
    """CPU seconds the run spends in a busy loop before it reports."""


def _spun(m: Measurements) -> Estimate:
    return Estimate.from_se(m["spun_s"], 0.01)


def _register() -> None:
    if "toy-spin" in _REGISTRY:
        return

    @study(
        name="toy-spin",
        question="Does a busy loop end?",
        sources=("Textbook computing",),
        presets={"test": SpinConfig(), "quick": SpinConfig(), "paper": SpinConfig()},
        claims=[
            Claim(
                "spun",
                "The loop spins for a non-negative time",
                "Textbook",
                _spun,
                AtLeast(0.0),
                own_threshold="a line of ours: any non-negative time",
            )
        ],
        probes=[],
        brief=Brief(
            claimed="A busy loop ends.",
            ran="We spun for the configured CPU time.",
            not_shown="Anything: this is a test fixture.",
        ),
        runtime={"test": "<1 s", "quick": "<1 s", "paper": "<1 s"},
    )
    def run(config: SpinConfig, ctx: RunContext) -> StudyOutput:
        start = time.process_time()
        x = 0
        while time.process_time() - start < config.spin_s:
            x += 1
        return StudyOutput(measurements={"spun_s": time.process_time() - start, "iterations": x})


_register()
