"""A tiny study for testing the robustness audit (contrasts, budget, band, seeds, findings).

Registered only by the tests that import this module (as ``toy-robust``), never by the package. Each claim is
built so that exactly one check decides it:

- ``by-construction``: true whatever the config (a constant): its contrast keeps it replicated, so it is
  **not discriminating**;
- ``budget-flip``: 1 − 10/n against ≥ 0.95 is not_replicated at n = 100 and replicated at the larger budget
  (n = 400): **budget-dependent**, never a finding;
- ``line-dependent``: 0.3 against Skeptic's line ≤ 0.25, with a band ≤ 0.2 … ≤ 0.5 whose upper end replicates it:
  **line-dependent**, never a finding;
- ``finding``: 0.3 ± noise against the source's ≤ 0.1, 0.0 without the mechanism: discriminating, budget-, line- and
  seed-stable, confirmed by the ``independent`` probe: **a finding**.
"""

from __future__ import annotations

from pydantic import Field

from skeptic.core import (
    AtLeast,
    AtMost,
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
from skeptic.core.claims import Contrast, Quote
from skeptic.core.study import _REGISTRY, Budget

OFF = {"mechanism": False}


class RobustConfig(StudyConfig):
    n: int = Field(100, ge=10, le=100_000)
    """The budget knob: samples."""
    mechanism: bool = True
    """Whether the effect the claims are about is present."""


def _constant(m: Measurements) -> Estimate:
    return Estimate.exact(1.0)


def _converging(m: Measurements, config: RobustConfig) -> Estimate:
    return Estimate.exact(1.0 - 10.0 / config.n if config.mechanism else 2.0)


def _line(m: Measurements) -> Estimate:
    return Estimate.exact(m["effect"])


def _effect(m: Measurements) -> Estimate:
    return Estimate.from_se(m["effect"] + m["noise"], 0.01)


def _independent(m: Measurements) -> ProbeOutcome:
    return ProbeOutcome(abs(m["effect_again"] - m["effect"]) < 1e-9, "the effect computed twice agrees")


def _register() -> None:
    if "toy-robust" in _REGISTRY:
        return

    quote = Quote("The effect is small.", "Textbook, p. 1")

    @study(
        name="toy-robust",
        question="Does the robustness audit tell the kinds of verdict apart?",
        sources=("Textbook",),
        presets={"test": RobustConfig(), "quick": RobustConfig(), "paper": RobustConfig(n=1000)},
        claims=[
            Claim(
                "by-construction",
                "A constant is at least one half.",
                "Textbook",
                _constant,
                AtLeast(0.5),
                quote=quote,
                contrasts=(Contrast("off", OFF, "not_replicated", "the mechanism is switched off entirely"),),
            ),
            Claim(
                "budget-flip",
                "The estimate reaches 0.95.",
                "Textbook",
                _converging,
                AtLeast(0.95),
                quote=quote,
                contrasts=(Contrast("off", OFF, "replicated", "the mechanism is switched off entirely"),),
            ),
            Claim(
                "line-dependent",
                "The effect is at most 0.25.",
                "Textbook",
                _line,
                AtMost(0.25),
                own_threshold="the textbook says 'small'; 0.25 is ours",
                band=(AtMost(0.2), AtMost(0.5)),
                quote=quote,
                contrasts=(Contrast("off", OFF, "replicated", "the mechanism is switched off entirely"),),
            ),
            Claim(
                "finding",
                "The effect is at most 0.1.",
                "Textbook",
                _effect,
                AtMost(0.1),
                quote=quote,
                contrasts=(Contrast("off", OFF, "replicated", "the mechanism is switched off entirely"),),
                confirmed_by="independent",
            ),
        ],
        probes=[Probe("independent", "the effect computed a second way agrees", _independent)],
        brief=Brief(
            claimed="A textbook effect is small.",
            ran="A constant, a converging estimate and a noisy effect.",
            not_shown="Anything real: this is a test fixture.",
        ),
        runtime={"test": "<1 s", "quick": "<1 s", "paper": "<1 s"},
        budget=Budget(scale={"n": 4}, note="four times the samples"),
    )
    def run(config: RobustConfig, ctx: RunContext) -> StudyOutput:
        effect = 0.3 if config.mechanism else 0.0
        noise = float(ctx.rng("noise").normal(0.0, 0.001))
        return StudyOutput(measurements={"effect": effect, "effect_again": effect, "noise": noise})


_register()
