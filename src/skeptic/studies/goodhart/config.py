"""The goodhart study's config and presets."""

from __future__ import annotations

from pydantic import Field, field_validator

from skeptic.studies.goodhart.distributions import TAIL_ERRORS
from skeptic.study import StudyConfig


class GoodhartConfig(StudyConfig):
    sigma_v: float = Field(2.0, gt=0, le=100)
    """SD of the true utility V ~ N(0, σ_V²) (Kwa et al. 2024: 2). Errors X have unit variance."""
    log2_n_max: int = Field(16, ge=2, le=40)
    """Best-of-n curve over n = 2^(k/4) up to 2^log2_n_max (paper, row 1: up to 65536 = 2^16)."""
    row2_log2_n_max: int = Field(24, ge=2, le=40)
    """Row 2 of the paper's figure (V = 2·t10, X = t5): best of n up to 2^row2_log2_n_max (its peak is ~10^5)."""
    t_max_sd: float = Field(20.0, ge=3, le=35)
    """Conditioning thresholds t run up to this many SDs of U (nominal √(σ_V² + 1))."""
    n_thresholds: int = Field(43, ge=5, le=500)
    """Number of thresholds on the conditioning grid."""
    t_far: float = Field(1e4, ge=100, le=1e12)
    """The 'large t' at which Theorem 5 is checked (units of σ_X = 1)."""
    levy_sigma_ratios: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0)
    """σ_V over the Lévy scale (1) at which the Lévy best-of-n and conditioning gains are reported."""
    tilt_truncations: tuple[float, ...] = (2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
    """Truncation points c of the tilt restricted to U ≤ c, shown for heavy-tailed X (figure only; () skips it)."""
    thm1_c: float = Field(10.0, gt=0, le=1e6)
    """Theorem 1's construction: the tail {U ≥ t} is upweighted to ε = c/t."""
    mc_samples: int = Field(400_000, ge=10_000, le=100_000_000)
    """Draws of (V, X) per Monte Carlo conditional-mean, quantilizer and tilt estimate."""
    mc_trials: int = Field(2_000, ge=50, le=1_000_000)
    """Independent trials per Monte Carlo best-of-n estimate."""
    mc_log2_n_max: int = Field(10, ge=1, le=20)
    """Largest n = 2^k checked by Monte Carlo best-of-n."""
    proxy_degree: int = Field(1, ge=1, le=5)
    """Learned proxy: degree of the fitted polynomial."""
    proxy_train: int = Field(200, ge=10, le=100_000)
    """Learned proxy: training points on the ordinary domain [−1, 1]."""
    proxy_noise: float = Field(0.1, ge=0, le=10)
    """Learned proxy: SD of the Gaussian label noise."""
    proxy_seeds: int = Field(20, ge=3, le=10_000)
    """Learned proxy: independent datasets (fits) per configuration."""
    swap: dict[str, str] = Field(default_factory=dict)
    """Contrasts: error distributions put in the place of others, e.g. {"t3": "exponential"} puts a light tail
    where the t3 stands (every measurement of the t3 then uses the exponential). Empty: the paper's setup."""
    upweight_exponent: float = Field(0.8, gt=0.0, le=2.0)
    """Figure 3's tail-upweighting policy: the tail {U ≥ t} gets mass ε = t^(−exponent) (the paper: 0.8; above 1
    the policy's proxy gain goes to 0)."""
    dependent_noise: str = Field("normal", pattern="^(normal|t3)$")
    """Kwa's dependent example: the error inside |V| ≤ 1 is N(0, 2²) (the paper) or a t3 of the same SD (contrast)."""

    @field_validator("swap")
    @classmethod
    def _known_errors(cls, swap: dict[str, str]) -> dict[str, str]:
        unknown = sorted({*swap, *swap.values()} - set(TAIL_ERRORS))
        if unknown:
            raise ValueError(f"unknown error distribution(s) {unknown}; known: {', '.join(TAIL_ERRORS)}")
        return swap


PRESETS = {
    "test": GoodhartConfig(
        n_thresholds=9,
        mc_samples=40_000,
        mc_trials=200,
        mc_log2_n_max=4,
        proxy_seeds=5,
        levy_sigma_ratios=(),
        tilt_truncations=(),
    ),
    "quick": GoodhartConfig(),
    "paper": GoodhartConfig(n_thresholds=121, mc_samples=4_000_000, mc_trials=2_000, mc_log2_n_max=16, proxy_seeds=200),
}
