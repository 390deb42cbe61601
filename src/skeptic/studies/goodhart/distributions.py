"""The distributions of the study: the paper's setup and the tail families.

Kwa, Thomas & Garriga-Alonso (2024, arXiv 2407.14503), synthetic best-of-n experiment (the figure with two
rows; setup as in the paper's appendix "Best-of-N experiment", read from the authors' LaTeX: "V is scaled to a
standard deviation of 2 and X has s.d. of 1 (except for the Levy distribution, which has infinite variance)"):

- row 1: V ~ N(0, 2²); X normal, Student-t with 3 and 5 degrees of freedom scaled to unit variance (t_ν has
  variance ν/(ν−2), so t3 is scaled by √(1/3) and t5 by √(3/5)), or the authors' lognormal
  ``lognormal(0, ln 2) − 1`` (shape ln 2, shifted by −1; mean e^{(ln 2)²/2} − 1 ≈ 0.272, variance ≈ 0.997).
- row 2: V = 2·t10 scaled to unit variance (so SD 2 with polynomial tails), X = t5 scaled to unit variance.

Named variants: ``lognormal-std`` is LN(0, 1) standardized to mean 0, variance 1 (what this study used before
issue 8). The tail study adds a Pareto (α = 3, the lightest power law with finite variance, standardized), the
exponential (standardized Exp(1), rate λ = 1: light-tailed in the moment-generating-function sense, the
boundary case), the Lévy distribution (scale 1; no mean), and two errors lighter than every exponential for
Theorem 6: a uniform (bounded) and a Weibull of shape 1.5 (S(x) = exp(−x^1.5)), both standardized.

"Heavy-tailed" here means E[exp(λX)] = ∞ for every λ > 0: the tail decays slower than every exponential.
That includes power laws (t, Pareto, Lévy) and the lognormal, whose tail is not polynomial.
"""

from __future__ import annotations

import math
from typing import Any

from scipy import stats

SIGMA_V = 2.0
"""The paper's true-utility scale: V ~ N(0, 2²)."""

LOGNORMAL_SHAPE = math.log(2.0)
"""The authors' lognormal error: lognormal(0, ln 2) − 1."""

PAPER_ERRORS = ("normal", "t3", "t5", "lognormal")
"""The error distributions of the paper's best-of-n figure, first row."""

BON_ERRORS = (*PAPER_ERRORS, "lognormal-std", "levy")
"""Errors whose best-of-n curve the study computes: the paper's row 1, the standardized-lognormal variant, Lévy."""

LIGHT_ERRORS = ("uniform", "weibull1.5")
"""Errors lighter than every exponential, other than the normal (Theorem 6)."""

TAIL_ERRORS = (*PAPER_ERRORS, "lognormal-std", "pareto", "exponential", "levy", *LIGHT_ERRORS)
"""Every error distribution of the study."""

HEAVY = frozenset({"t3", "t5", "lognormal", "lognormal-std", "pareto", "levy"})
"""Heavy-tailed errors: E[exp(λX)] = ∞ for every λ > 0."""


MGF_RADIUS: dict[str, float] = {
    **dict.fromkeys(("normal", "uniform", "weibull1.5"), math.inf),
    "exponential": 1.0,
    **dict.fromkeys(HEAVY, 0.0),
}
"""sup{λ : E[e^{λX}] < ∞} of each error (standardized Exp(1) has rate λ = 1): the KL-optimal tilt π ∝ π0·e^{U/β}
exists exactly for β > 1/radius (Theorem 4's π*(β)); heavy tails have radius 0 (no tilt at any β)."""


def standardized(dist: Any) -> Any:
    """The frozen distribution (Y − E[Y]) / sd(Y) of a frozen ``dist`` with finite variance."""
    mean, var = (float(m) for m in dist.stats(moments="mv"))
    if not (math.isfinite(mean) and math.isfinite(var)):
        raise ValueError("only a distribution with finite variance can be standardized")
    sd = math.sqrt(var)
    base = dist.dist
    args, kwds = dist.args, dict(dist.kwds)
    loc, scale = float(kwds.pop("loc", 0.0)), float(kwds.pop("scale", 1.0))
    return base(*args, loc=(loc - mean) / sd, scale=scale / sd, **kwds)


def true_utility(sigma_v: float = SIGMA_V) -> Any:
    """V ~ N(0, σ_V²)."""
    return stats.norm(0.0, sigma_v)


def heavy_true_utility(sigma_v: float = SIGMA_V) -> Any:
    """The paper's second row: V = σ_V · t10/√(10/8), a t10 with SD σ_V."""
    return stats.t(10, scale=sigma_v * math.sqrt(8 / 10))


def error(name: str) -> Any:
    """The error distribution X called ``name`` (one of :data:`TAIL_ERRORS`)."""
    if name == "normal":
        return stats.norm(0.0, 1.0)
    if name == "t3":
        return stats.t(3, scale=math.sqrt(1 / 3))
    if name == "t5":
        return stats.t(5, scale=math.sqrt(3 / 5))
    if name == "lognormal":
        return stats.lognorm(LOGNORMAL_SHAPE, loc=-1.0)
    if name == "lognormal-std":
        return standardized(stats.lognorm(1.0))
    if name == "pareto":
        return standardized(stats.pareto(3.0))
    if name == "exponential":
        return standardized(stats.expon())
    if name == "levy":
        return stats.levy()
    if name == "uniform":
        return standardized(stats.uniform())
    if name == "weibull1.5":
        return standardized(stats.weibull_min(1.5))
    raise ValueError(f"unknown error distribution {name!r}; known: {', '.join(TAIL_ERRORS)}")


def paper_setup(sigma_v: float = SIGMA_V) -> tuple[Any, dict[str, Any]]:
    """(V, {name: X}) of the paper's synthetic best-of-n experiment, first row."""
    return true_utility(sigma_v), {name: error(name) for name in PAPER_ERRORS}
