"""The Goodhart study's fault catalog: realistic bugs a hurried replicator of this study makes (issue 10).

Each fault replaces the function the bug would live in, from outside the experiment, for one audit run
(:mod:`skeptic.core.faults`). They span the data (sampling), the computation (quadrature, order statistics,
scales, grids), the statistics (Monte Carlo standard errors, random streams) and the claims (swapped conditions,
a changed setting). The calculator has no caches keyed on functions (``_BP_CACHE`` holds breakpoints of the
distribution objects, which the faults that change a distribution replace with new objects).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats

from skeptic.study import Fault, replace

_CALC = "skeptic.studies.goodhart.calculator"
_MC = "skeptic.studies.goodhart.montecarlo"
_STUDY = "skeptic.studies.goodhart.experiment"


def _unscaled_draw(original: Callable[..., Any]) -> Callable[..., Any]:
    """Draw from the distribution's family with its shape only, dropping loc and scale (``dist.dist.rvs``)."""

    def draw(dist: Any, size: Any, rng: np.random.Generator) -> np.ndarray:
        return np.asarray(dist.dist.rvs(*dist.args, size=size, random_state=rng), dtype=float)

    return draw


def _sf_as_pdf(original: Callable[..., Any]) -> Callable[..., Any]:
    """The "sf" kernel evaluated with the density: E[V | U = t] where E[V | U ≥ t] belongs."""

    def convolve(v: Any, x: Any, targets: Any, kernel: str, *args: Any, **kwargs: Any) -> Any:
        return original(v, x, targets, "pdf" if kernel == "sf" else kernel, *args, **kwargs)

    return convolve


def _max_weight_f_n(original: Callable[..., Any]) -> Callable[..., Any]:
    """The law of the best of n written as n F^n f (the order statistic of n + 1 draws, mis-normalized)."""

    def log_max_weight(self: Any, n: Any) -> Any:
        n = np.asarray(n, dtype=float)[:, None]
        return np.log(n) + n * self.log_cdf[None, :] + self.log_f[None, :] + self.log_w[None, :]

    return log_max_weight


def _errors_renamed(mapping: Callable[[str, Callable[[str], Any]], Any]) -> Callable[[Callable[[str], Any]], Any]:
    def make(original: Callable[[str], Any]) -> Callable[[str], Any]:
        return lambda name: mapping(name, original)

    return make


def _t_unscaled(name: str, original: Callable[[str], Any]) -> Any:
    """Student-t errors without the scale to unit variance (t3 has variance 3, t5 5/3)."""
    if name in ("t3", "t5"):
        return stats.t(int(name[1:]))
    return original(name)


def _lognormal_std(name: str, original: Callable[[str], Any]) -> Any:
    """The paper's lognormal(0, ln 2) − 1 silently replaced by a standardized LN(0, 1)."""
    return original("lognormal-std" if name == "lognormal" else name)


def _t3_t5_swapped(name: str, original: Callable[[str], Any]) -> Any:
    return original({"t3": "t5", "t5": "t3"}.get(name, name))


def _grid_truncated(original: Callable[..., Any]) -> Callable[..., Any]:
    """The u-grid's upper tail stops at S_U = e^-20 whatever n_max (enough for n ≈ 10^4, not for 2^16)."""

    def u_grid(v: Any, x: Any, n_max: float = 4.0**10, extra: Any = None, log_q_min: float | None = None) -> Any:
        return original(
            v, x, n_max=n_max, extra=extra, log_q_min=max(log_q_min if log_q_min is not None else -1e9, -20.0)
        )

    return u_grid


def _se_per_draw(original: Callable[..., Any]) -> Callable[..., Any]:
    """Best-of-n MC standard error over all n·trials draws instead of over the trials."""

    def mc_best_of_n(v: Any, x: Any, n: int, n_trials: int, rng: np.random.Generator, **kw: Any) -> Any:
        a, b = original(v, x, n, n_trials, rng, **kw)
        shrink = 1.0 / math.sqrt(n)
        return type(a)(a.value, a.se * shrink, a.n * n), type(b)(b.value, b.se * shrink, b.n * n)

    return mc_best_of_n


def _fixed_seed(original: Callable[..., Any]) -> Callable[..., Any]:
    """``rng = np.random.default_rng(0)`` left inside the estimator: every call, both seeds included, replays one
    stream."""

    def mc_conditional_mean(v: Any, x: Any, t: float, n_samples: int, rng: np.random.Generator, of: str = "v") -> Any:
        return original(v, x, t, n_samples, np.random.default_rng(0), of)

    return mc_conditional_mean


def _kl_log_n(original: Callable[..., Any]) -> Callable[..., Any]:
    """KL(best of n ‖ base) taken as log n (its upper bound) instead of log n − (n − 1)/n."""
    return lambda n: np.log(np.asarray(n, dtype=float))


def _lower_quantile(original: Callable[..., Any]) -> Callable[..., Any]:
    """The quantilizer's threshold taken at F_U⁻¹(q) (lower tail) instead of F_U⁻¹(1 − q)."""
    return lambda v, x, q: original(v, x, 1.0 - np.asarray(q, dtype=float))


FAULTS = (
    Fault(
        "mc-draws-unscaled",
        "scale",
        "Monte Carlo draws each distribution from its family's standard form, dropping loc and scale (data/sampling)",
        replace(f"{_MC}._draw", _unscaled_draw),
    ),
    Fault(
        "density-for-survival",
        "other",
        "the convolution's survival kernel S_X is evaluated with the density f_X: E[V | U = t] instead of E[V | U ≥ t]",
        replace(f"{_CALC}._convolve", _sf_as_pdf),
    ),
    Fault(
        "bon-order-statistic",
        "off-by-one",
        "best of n weighted by n F_U^n f_U (one draw too many in the order statistic) instead of n F_U^{n−1} f_U",
        replace(f"{_CALC}.UGrid.log_max_weight", _max_weight_f_n),
    ),
    Fault(
        "t-not-standardized",
        "scale",
        "Student-t errors used without scaling to unit variance (t3 has variance 3): the wrong scale of X",
        replace(f"{_STUDY}.error", _errors_renamed(_t_unscaled)),
    ),
    Fault(
        "lognormal-standardized",
        "setting",
        "the authors' lognormal(0, ln 2) − 1 silently replaced by a standardized LN(0, 1)",
        replace(f"{_STUDY}.error", _errors_renamed(_lognormal_std)),
    ),
    Fault(
        "t3-t5-swapped",
        "swap",
        "the t3 and t5 conditions swapped (each claim about t3 measures t5 and vice versa)",
        replace(f"{_STUDY}.error", _errors_renamed(_t3_t5_swapped)),
    ),
    Fault(
        "u-grid-truncated",
        "other",
        "the best-of-n quadrature grid stops at S_U = e^-20, short of where the maximum of 2^16 draws lives",
        replace(f"{_CALC}.u_grid", _grid_truncated),
    ),
    Fault(
        "mc-se-per-draw",
        "uncertainty",
        "Monte Carlo best-of-n standard error computed over the n·trials draws instead of over the trials",
        replace(f"{_MC}.mc_best_of_n", _se_per_draw),
    ),
    Fault(
        "seeds-share-stream",
        "rng-reuse",
        "a hard-coded default_rng(0) inside the conditional-mean estimator: the two 'independent' seeds replay one "
        "stream",
        replace(f"{_MC}.mc_conditional_mean", _fixed_seed),
        note="no verdict rests on which stream is used, so without the seed probe this fault is harmless at every "
        "preset; seed-agreement catches it by requiring the two seeds to differ.",
    ),
    Fault(
        "kl-best-of-n-log-n",
        "other",
        "KL of best of n taken as log n instead of log n − (n − 1)/n (shifts every curve on the √KL axis)",
        replace(f"{_CALC}.kl_best_of_n", _kl_log_n),
    ),
    Fault(
        "quantile-lower-tail",
        "wrong-field",
        "the quantilizer's threshold read from the lower tail, F_U⁻¹(q), instead of the upper tail F_U⁻¹(1 − q)",
        replace(f"{_CALC}.quantile_u", _lower_quantile),
    ),
    Fault(
        "dependent-noise-variance",
        "scale",
        "Kwa's dependent example with noise variance 2 where the SD is 2 (X ~ N(0, 2) instead of N(0, 2²))",
        replace("skeptic.studies.goodhart.experiments._NOISE_SD", lambda sd: math.sqrt(2.0)),
    ),
)
