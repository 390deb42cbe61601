"""The Goodhart calculator: exact and Monte Carlo answers for optimizing a proxy U = V + X.

Pass any frozen continuous ``scipy.stats`` distributions for V and X (independent)::

    from scipy import stats
    from skeptic import goodhart
    goodhart.conditional_mean(stats.norm(0, 2), goodhart.error("t3"), t=10.0)   # E[V | U ≥ 10]
    goodhart.best_of_n(stats.norm(0, 2), goodhart.error("t3"), n=[1, 16, 65536])

See :mod:`skeptic.studies.goodhart.calculator` for the numerics and the semantics of infinite answers.
"""

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
