"""The Goodhart calculator: exact and Monte Carlo answers for optimizing a proxy U = V + X.

Pass any frozen continuous ``scipy.stats`` distributions for V and X (independent)::

    from scipy import stats
    from skeptic import goodhart
    goodhart.conditional_mean(stats.norm(0, 2), goodhart.error("t3"), t=10.0)   # E[V | U ≥ 10]
    goodhart.best_of_n(stats.norm(0, 2), goodhart.error("t3"), n=[1, 16, 65536])

See :mod:`skeptic.studies.goodhart.calculator` for the numerics and the semantics of infinite answers.
"""

from typing import TYPE_CHECKING

from skeptic._lazy import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.goodhart.calculator import (
        InfiniteNormalizerError,
        MixturePolicy,
        Tilt,
        UGrid,
        UndefinedError,
        best_of_n,
        best_of_n_normalization,
        best_of_n_u,
        conditional_mean,
        conditional_mean_at,
        conditional_mean_u,
        density_u,
        kl_best_of_n,
        kl_quantilizer,
        kl_threshold,
        log_tail_probability,
        quantile_u,
        quantilizer,
        quantilizer_u,
        tilted,
        tilted_truncated,
        u_grid,
        upweighted_tail,
    )
    from skeptic.studies.goodhart.distributions import (
        BON_ERRORS,
        HEAVY,
        LIGHT_ERRORS,
        PAPER_ERRORS,
        SIGMA_V,
        TAIL_ERRORS,
        error,
        heavy_true_utility,
        paper_setup,
        standardized,
        true_utility,
    )
    from skeptic.studies.goodhart.montecarlo import (
        MCEstimate,
        mc_best_of_n,
        mc_conditional_mean,
        mc_quantilizer,
        mc_tilted_mean,
    )

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "InfiniteNormalizerError": "skeptic.studies.goodhart.calculator",
        "MixturePolicy": "skeptic.studies.goodhart.calculator",
        "Tilt": "skeptic.studies.goodhart.calculator",
        "UGrid": "skeptic.studies.goodhart.calculator",
        "UndefinedError": "skeptic.studies.goodhart.calculator",
        "best_of_n": "skeptic.studies.goodhart.calculator",
        "best_of_n_normalization": "skeptic.studies.goodhart.calculator",
        "best_of_n_u": "skeptic.studies.goodhart.calculator",
        "conditional_mean": "skeptic.studies.goodhart.calculator",
        "conditional_mean_at": "skeptic.studies.goodhart.calculator",
        "conditional_mean_u": "skeptic.studies.goodhart.calculator",
        "density_u": "skeptic.studies.goodhart.calculator",
        "kl_best_of_n": "skeptic.studies.goodhart.calculator",
        "kl_quantilizer": "skeptic.studies.goodhart.calculator",
        "kl_threshold": "skeptic.studies.goodhart.calculator",
        "log_tail_probability": "skeptic.studies.goodhart.calculator",
        "quantile_u": "skeptic.studies.goodhart.calculator",
        "quantilizer": "skeptic.studies.goodhart.calculator",
        "quantilizer_u": "skeptic.studies.goodhart.calculator",
        "tilted": "skeptic.studies.goodhart.calculator",
        "tilted_truncated": "skeptic.studies.goodhart.calculator",
        "u_grid": "skeptic.studies.goodhart.calculator",
        "upweighted_tail": "skeptic.studies.goodhart.calculator",
        "BON_ERRORS": "skeptic.studies.goodhart.distributions",
        "HEAVY": "skeptic.studies.goodhart.distributions",
        "LIGHT_ERRORS": "skeptic.studies.goodhart.distributions",
        "PAPER_ERRORS": "skeptic.studies.goodhart.distributions",
        "SIGMA_V": "skeptic.studies.goodhart.distributions",
        "TAIL_ERRORS": "skeptic.studies.goodhart.distributions",
        "error": "skeptic.studies.goodhart.distributions",
        "heavy_true_utility": "skeptic.studies.goodhart.distributions",
        "paper_setup": "skeptic.studies.goodhart.distributions",
        "standardized": "skeptic.studies.goodhart.distributions",
        "true_utility": "skeptic.studies.goodhart.distributions",
        "MCEstimate": "skeptic.studies.goodhart.montecarlo",
        "mc_best_of_n": "skeptic.studies.goodhart.montecarlo",
        "mc_conditional_mean": "skeptic.studies.goodhart.montecarlo",
        "mc_quantilizer": "skeptic.studies.goodhart.montecarlo",
        "mc_tilted_mean": "skeptic.studies.goodhart.montecarlo",
    },
)

__all__ = [
    "BON_ERRORS",
    "HEAVY",
    "LIGHT_ERRORS",
    "PAPER_ERRORS",
    "SIGMA_V",
    "TAIL_ERRORS",
    "InfiniteNormalizerError",
    "MCEstimate",
    "MixturePolicy",
    "Tilt",
    "UGrid",
    "UndefinedError",
    "best_of_n",
    "best_of_n_normalization",
    "best_of_n_u",
    "conditional_mean",
    "conditional_mean_at",
    "conditional_mean_u",
    "density_u",
    "error",
    "heavy_true_utility",
    "kl_best_of_n",
    "kl_quantilizer",
    "kl_threshold",
    "log_tail_probability",
    "mc_best_of_n",
    "mc_conditional_mean",
    "mc_quantilizer",
    "mc_tilted_mean",
    "paper_setup",
    "quantile_u",
    "quantilizer",
    "quantilizer_u",
    "standardized",
    "tilted",
    "tilted_truncated",
    "true_utility",
    "u_grid",
    "upweighted_tail",
]
