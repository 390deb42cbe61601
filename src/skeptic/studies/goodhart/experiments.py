"""Two experiments on the model's assumptions (the review's critique of Thomas & Kwa 2023).

The critique: independence of V and X is implausible, and a proxy typically breaks in a new domain,
not by independent noise.

(a) Dependence. Kwa's counterexample (comment on "When is Goodhart catastrophic?", 2023):
    V ~ N(0, 1); X | V ~ N(0, 2²) when |V| ≤ 1, X = 0 otherwise. X is light-tailed and unbiased
    (E[X | V] = 0), yet E[V | U ≥ t] stays bounded, whereas independent X ~ N(0, 2²) gives
    E[V | U ≥ t] = E[U | U ≥ t]/5 → ∞. Exact:
        P(U ≥ t)    = ∫_{-1}^{1} φ(v) S_2(t − v) dv + P(V ≥ t, |V| > 1),
        E[V; U ≥ t] = ∫_{-1}^{1} v φ(v) S_2(t − v) dv + E[V; V ≥ t, |V| > 1],
    with E[V; a ≤ V < b] = φ(a) − φ(b). For large t the first terms dominate (e^{−(t−1)²/8} ≫ e^{−t²/2})
    and their weight e^{tv/4} piles up at v = 1, so the limit is 1, the edge of the noisy region.

(b) A learned proxy (Skeptic's own extension, after the same critique). True utility V(s) = s·e^{−s²/8}
    over actions s ∈ ℝ (nearly linear on [−1, 1], best at s = 2, falling to 0 beyond). A polynomial proxy of
    degree d is fitted by least squares to noisy labels V(s) + N(0, σ²) on the ordinary domain s ∈ [−1, 1],
    then maximized over the search range [−R, R]. The error X(s) = proxy(s) − V(s) is bounded on any
    range, so light-tailed, yet once R leaves the training domain the proxy's optimum drifts to where V is
    poor.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

FloatArray = NDArray[np.float64]

_NOISE_SD = 2.0
"""X | V ~ N(0, 2²) inside |V| ≤ 1 (Kwa's example)."""


def _panels_minus1_1() -> tuple[FloatArray, FloatArray]:
    """Gauss–Legendre nodes on [−1, 1], with panels clustered geometrically toward v = 1 (where the mass goes)."""
    edges = np.unique(np.concatenate([np.linspace(-1, 1, 33), 1 - 2 * np.logspace(-10, 0, 80)]))
    x, w = np.polynomial.legendre.leggauss(8)
    a, b = edges[:-1], edges[1:]
    half = 0.5 * (b - a)
    return ((0.5 * (a + b))[:, None] + half[:, None] * x).ravel(), (half[:, None] * w).ravel()


def _noise(kind: str) -> stats.rv_continuous:
    """The noise inside |V| ≤ 1: N(0, 2²) (the paper) or a t3 with the same SD 2 (the heavy-tailed contrast)."""
    if kind == "normal":
        return stats.norm(0.0, _NOISE_SD)
    if kind == "t3":
        return stats.t(3, scale=_NOISE_SD / math.sqrt(3))
    raise ValueError(f"unknown noise {kind!r}: normal or t3")


def dependent_conditional_mean(t: FloatArray, noise: str = "normal") -> FloatArray:
    """E[V | U ≥ t] in Kwa's dependent example (exact, log-space quadrature); ``noise`` is the error inside |V| ≤ 1."""
    t = np.atleast_1d(np.asarray(t, dtype=float))
    v, w = _panels_minus1_1()
    log_in = np.log(w)[None, :] + stats.norm.logpdf(v)[None, :] + _noise(noise).logsf(t[:, None] - v[None, :])
    log_p_in = special.logsumexp(log_in, axis=1)
    log_pos = special.logsumexp(np.where(v > 0, log_in + np.log(np.abs(v)), -np.inf), axis=1)
    log_neg = special.logsumexp(np.where(v < 0, log_in + np.log(np.abs(v)), -np.inf), axis=1)
    # outside |V| ≤ 1, U = V: the set {V ≥ t} ∩ {|V| > 1} = [max(t, 1), ∞) ∪ [t, −1)
    # (all terms relative to the inside mass, in logs: both parts underflow far out)
    a = np.maximum(t, 1.0)
    tl = np.minimum(t, -1.0)
    inv_in = np.exp(-np.where(t < -1, log_p_in, 0.0))  # only used where t < −1 (no overflow there)
    p_low = np.where(t < -1, (stats.norm.cdf(-1) - stats.norm.cdf(tl)) * inv_in, 0.0)
    m_low = np.where(t < -1, (stats.norm.pdf(tl) - stats.norm.pdf(-1)) * inv_in, 0.0)
    scale = log_p_in
    p_out = np.exp(stats.norm.logsf(a) - scale) + p_low
    m_out = np.exp(stats.norm.logpdf(a) - scale) + m_low
    num = np.exp(log_pos - scale) - np.exp(log_neg - scale) + m_out
    den = 1.0 + p_out
    return np.asarray(num / den, dtype=float)


def independent_conditional_mean(t: FloatArray) -> FloatArray:
    """E[V | U ≥ t] for V ~ N(0,1), X ~ N(0, 2²) independent: (1/5)·√5·φ(z)/S(z), z = t/√5."""
    z = np.asarray(t, dtype=float) / math.sqrt(5)
    return np.asarray(math.sqrt(5) / 5 * np.exp(stats.norm.logpdf(z) - stats.norm.logsf(z)), dtype=float)


def sample_dependent(n: int, rng: np.random.Generator, noise: str = "normal") -> tuple[FloatArray, FloatArray]:
    """n draws of (V, U) from Kwa's dependent example."""
    v = rng.standard_normal(n)
    x = np.where(np.abs(v) <= 1, _noise(noise).rvs(size=n, random_state=rng), 0.0)
    return v, v + x


def true_utility(s: FloatArray) -> FloatArray:
    """V(s) = s·exp(−s²/8): ≈ s on [−1, 1], maximal at s = 2 (V = 2e^{−1/2} ≈ 1.213), → 0 as s → ∞."""
    return np.asarray(s * np.exp(-(s**2) / 8), dtype=float)


def fit_proxies(degree: int, n_train: int, noise_sd: float, n_seeds: int, rng: np.random.Generator) -> FloatArray:
    """Least-squares polynomial coefficients (n_seeds, degree+1), lowest power first, one fit per seed.

    All seeds are solved as one batched normal-equations system on Legendre-conditioned data (s ∈ [−1, 1]).
    """
    s = rng.uniform(-1, 1, size=(n_seeds, n_train))
    y = true_utility(s) + noise_sd * rng.standard_normal((n_seeds, n_train))
    design = s[..., None] ** np.arange(degree + 1)  # (seeds, n, d+1)
    gram = np.einsum("snk,snl->skl", design, design)
    rhs = np.einsum("snk,sn->sk", design, y)
    return np.asarray(np.linalg.solve(gram, rhs[..., None])[..., 0], dtype=float)


def optimize_proxies(coef: FloatArray, ranges: FloatArray, n_grid: int = 4001) -> tuple[FloatArray, FloatArray]:
    """For each seed and search range R: the true utility at the proxy's argmax over [−R, R], and the true
    optimum max_{|s| ≤ R} V(s). Shapes (seeds, ranges) and (ranges,)."""
    v_at_proxy = np.empty((coef.shape[0], ranges.size))
    v_best = np.empty(ranges.size)
    powers = np.arange(coef.shape[1])
    for j, r in enumerate(ranges):
        s = np.linspace(-r, r, n_grid)
        proxy = coef @ (s[None, :] ** powers[:, None])  # (seeds, grid)
        v_at_proxy[:, j] = true_utility(s[np.argmax(proxy, axis=1)])
        v_best[j] = true_utility(s).max()
    return v_at_proxy, v_best


def dependent_asymptote(t: FloatArray) -> FloatArray:
    """The large-t expansion of Kwa's example, E[V | U ≥ t] ≈ 1 − 4/(t − 5) (t > 5).

    Near v = 1 the inside weight is φ(v)·S_2(t − v) ∝ exp(v(t − 1)/4 − v²/2 + ...), an exponential tilt of rate
    (t − 1)/4 − 1 = (t − 5)/4 on v ≤ 1, whose mean sits 1/rate = 4/(t − 5) below the edge v = 1.
    """
    t = np.asarray(t, dtype=float)
    return np.asarray(1.0 - 4.0 / (t - 5.0), dtype=float)


# ----------------------------------------------------------------------------------------------------
# Gao, Schulman & Hilton (2022): functional forms of gold reward against d = √KL
# ----------------------------------------------------------------------------------------------------

GAO_FORMS = ("bon", "rl")
"""Gao et al. 2022, eqs. (1)–(2): best of n R(d) = d(α − βd); RL R(d) = d(α − β log d), with d = √KL."""


def gao_design(d: FloatArray, form: str) -> FloatArray:
    """Columns of the linear model R(d) = α·d − β·g(d): g(d) = d² (best of n) or d·log d (RL)."""
    d = np.asarray(d, dtype=float)
    if form == "bon":
        g = d**2
    elif form == "rl":
        with np.errstate(all="ignore"):
            g = np.where(d > 0, d * np.log(np.where(d > 0, d, 1.0)), 0.0)
    else:
        raise ValueError(f"unknown form {form!r}; known: {', '.join(GAO_FORMS)}")
    return np.stack([d, -g], axis=1)


def fit_gao(d: FloatArray, r: FloatArray, form: str) -> tuple[float, float, float]:
    """Least-squares (α, β) of Gao et al.'s form ``form`` to the curve (d, R), and its fit quality.

    The quality is the RMS residual divided by the range of R over the fit (max R − min R): 0 is a perfect
    fit; a curve of the wrong shape leaves residuals of order 0.1 of its range. R(0) = 0 is built into both
    forms (the base policy's gold score is the origin).
    """
    a = gao_design(d, form)
    r = np.asarray(r, dtype=float)
    coef, *_ = np.linalg.lstsq(a, r, rcond=None)
    resid = r - a @ coef
    span = float(np.max(r) - np.min(r))
    rel = float(np.sqrt(np.mean(resid**2)) / span) if span > 0 else math.inf
    return float(coef[0]), float(coef[1]), rel
