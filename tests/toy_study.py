"""A tiny study for testing the core: estimate a coin's bias from simulated flips.

Registered only by the tests that import this module (as ``toy-coin``), never by the package.

Its fault catalog gives the audit one fault of each outcome on the ``test`` preset (2000 flips):
caught, silent, harmless and crashed. The flips are cached per (seed, n, p), the way a real study
caches an expensive computation (goodhart's breakpoint cache), so the tests can show that a cache
neither hides a fault from the audit nor carries one into the next run.
"""

from __future__ import annotations

import math
import time

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
    Table,
    study,
)
from skeptic.core.faults import Fault, replace
from skeptic.core.study import _REGISTRY

_FLIPS: dict[tuple[int, int, float], np.ndarray] = {}


def draw(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """``n`` Bernoulli(``p``) flips."""
    return rng.random(n) < p


def flip_coins(rng: np.random.Generator, seed: int, n: int, p: float) -> np.ndarray:
    """The run's flips, cached per (seed, n, p)."""
    key = (seed, n, p)
    if key not in _FLIPS:
        _FLIPS[key] = draw(rng, n, p)
    return _FLIPS[key]


def heads_fraction(flips: np.ndarray) -> float:
    """The fraction of heads."""
    return float(flips.sum() / len(flips))


def binomial_se(p: float, n: int) -> float:
    """Standard error of a fraction of ``n`` Bernoulli(``p``) flips: sqrt(p(1-p)/n)."""
    return math.sqrt(max(p * (1 - p), 1e-12) / n)


class CoinConfig(StudyConfig):
    n_flips: int = Field(1000, ge=10, le=10_000_000)
    """Number of simulated flips."""
    p_heads: float = Field(0.5, ge=0.0, le=1.0)
    """The coin's true probability of heads."""
    label: str = "a fair coin"
    """Free text, echoed into the report (tests inject markup here)."""
    sleep_s: float = Field(0.0, ge=0.0)
    """Seconds to sleep mid-run (to test interruption)."""


def _heads(m: Measurements) -> Estimate:
    p, n = m["heads_fraction"], m["n_flips"]
    return Estimate.from_se(p, binomial_se(p, n), method="±1.96 binomial SE")


def _variance_probe(m: Measurements) -> ProbeOutcome:
    ok = abs(m["heads_fraction"] - m["p_heads"]) < 6 * binomial_se(m["p_heads"], m["n_flips"]) + 1e-9
    return ProbeOutcome(ok, f"observed {m['heads_fraction']:.4f} vs configured {m['p_heads']}")


FAULTS = (
    Fault(
        "half-probability",
        "scale",
        "the flips are drawn with probability p/2 (a rate halved by a unit slip)",
        replace("tests.toy_study.draw", lambda original: lambda rng, n, p: original(rng, n, p / 2)),
    ),
    Fault(
        "se-over-batches",
        "uncertainty",
        "the standard error is computed over batches of 25 flips instead of over flips",
        replace("tests.toy_study.binomial_se", lambda original: lambda p, n: original(p, max(1, n // 25))),
        note="the simulation probe shares binomial_se and widens with the claim; a probe with its own SE would see it",
    ),
    Fault(
        "fraction-off-by-one",
        "off-by-one",
        "the fraction of heads divides by n + 1",
        replace("tests.toy_study.heads_fraction", lambda original: lambda flips: float(flips.sum() / (len(flips) + 1))),
        note="cannot matter at 2000 flips: it moves the fraction by under 0.0003, far inside every interval",
    ),
    Fault(
        "reads-missing-field",
        "wrong-field",
        "the fraction reads a field the flips do not have",
        replace("tests.toy_study.heads_fraction", lambda original: lambda flips: float(flips.heads.mean())),
    ),
)


def _register() -> None:
    if "toy-coin" in _REGISTRY:
        return

    @study(
        name="toy-coin",
        question="Is the simulated coin fair?",
        sources=("Textbook probability",),
        presets={"test": CoinConfig(n_flips=2000), "quick": CoinConfig(), "paper": CoinConfig(n_flips=100_000)},
        claims=[
            Claim(
                "fair",
                "The coin lands heads half the time",
                "Textbook",
                _heads,
                Between(0.45, 0.55),
                own_threshold="the textbook says one half; the band 0.45-0.55 is ours",
            ),
        ],
        probes=[Probe("simulation", "the simulated fraction is within 6 SE of the configured p", _variance_probe)],
        brief=Brief(
            claimed="A fair coin lands heads half the time, so the fraction of heads is close to one half.",
            ran="We simulated many flips of a coin with a configured probability of heads and counted them.",
            not_shown="Anything about real coins: a simulation can only ever return what its own generator was told.",
        ),
        runtime={"test": "<1 s", "quick": "<1 s", "paper": "<1 s"},
        faults=FAULTS,
    )
    def run(config: CoinConfig, ctx: RunContext) -> StudyOutput:
        from matplotlib.figure import Figure as MplFigure

        from skeptic.core import Figure

        flips = flip_coins(ctx.rng("flips"), ctx.seed, config.n_flips, config.p_heads)
        if config.sleep_s:
            time.sleep(config.sleep_s)
        fig = MplFigure(figsize=(3, 2))
        ax = fig.subplots()
        ax.bar(["tails", "heads"], [int((~flips).sum()), int(flips.sum())])
        ax.set_ylabel("count")
        return StudyOutput(
            measurements={
                "heads_fraction": heads_fraction(flips),
                "n_flips": config.n_flips,
                "p_heads": config.p_heads,
                "label": config.label,
            },
            figures=[Figure("counts", f"Heads and tails of {config.label}", fig)],
            tables=[Table("labels", "the label", [{"label": config.label}])],
        )


_register()
