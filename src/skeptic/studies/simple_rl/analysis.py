"""Exact quantities of finite answer distributions: pass@k, KL, the KL-regularized optimum, and linear CKA.

Every answer has two tokens, so π(· | x) over all 144 answers is known exactly (:func:`policy.answer_logprobs`)
and these are computed without sampling error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats as sps


def pass_at_k_exact(p_correct: np.ndarray, ks: Sequence[int]) -> np.ndarray:
    """pass@k = mean over problems of 1 − (1 − pₓ)^k: at least one of k independent samples is correct.

    ``p_correct`` ``[..., P]``; returns ``[..., len(ks)]``. Yue et al. 2025 (arXiv 2504.13837) §2 define pass@k
    over k samples per problem; with pₓ known exactly no estimator is needed.
    """
    p = np.clip(np.asarray(p_correct, dtype=float), 0.0, 1.0)
    return np.stack([1.0 - np.exp(k * np.log1p(-np.minimum(p, 1 - 1e-16))).mean(-1) for k in ks], -1)


def pass_at_k_unbiased(n: int, c: int, k: int) -> float:
    """Chen et al. 2021's unbiased estimator from n samples with c correct: 1 − C(n−c, k) / C(n, k)."""
    if k > n:
        raise ValueError("k must be ≤ n")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def kl_exact(logp: np.ndarray, ref_logp: np.ndarray) -> np.ndarray:
    """KL(π ‖ π_ref) = Σ_y π(y) (log π(y) − log π_ref(y)) over the last axis (answers)."""
    p = np.exp(logp)
    return np.asarray(np.sum(p * (logp - ref_logp), -1))


def tv_distance(logp: np.ndarray, ref_logp: np.ndarray) -> np.ndarray:
    """Total variation ½ Σ_y |π(y) − π_ref(y)| over the last axis."""
    return np.asarray(0.5 * np.abs(np.exp(logp) - np.exp(ref_logp)).sum(-1))


def tilt(ref_logp: np.ndarray, reward: np.ndarray, beta: float) -> np.ndarray:
    """log π* of the KL-regularized optimum π*(y) ∝ π_ref(y) e^{U(y)/β} = argmax_π E_π[U] − β KL(π ‖ π_ref).

    The Gibbs variational principle (e.g. Korbak et al. 2022; Kwa et al. 2024 §2 use the same optimum); over the
    last axis. β → ∞ returns π_ref; β → 0 puts all mass on argmax U.
    """
    a = ref_logp + reward / beta
    a = a - a.max(-1, keepdims=True)
    return np.asarray(a - np.log(np.exp(a).sum(-1, keepdims=True)))


def linear_cka(x: np.ndarray, y: np.ndarray) -> float:
    """Linear CKA (Kornblith et al. 2019, eq. 5) of representations ``[n, d₁]`` and ``[n, d₂]`` of the same n inputs.

    CKA = ‖Yᵀ X‖²_F / (‖Xᵀ X‖_F ‖Yᵀ Y‖_F) after centring each column; 1 for identical representations, invariant
    to rotations and isotropic scaling.
    """
    x = x - x.mean(0)
    y = y - y.mean(0)
    num = float(np.linalg.norm(y.T @ x) ** 2)
    den = float(np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y))
    return num / den if den > 0 else float("nan")


def fit_linear_probe(x: np.ndarray, y: np.ndarray, ridge: float = 1.0) -> np.ndarray:
    """A linear probe for a binary property: ridge regression of ±1 labels on ``[x, 1]`` (weights ``[d + 1]``).

    w = (X̃ᵀX̃ + λI)⁻¹ X̃ᵀ (2y − 1) with X̃ = [x, 1]; the probe says "true" where X̃w > 0 (a least-squares linear
    classifier, Hastie et al. 2009 §4.2: closed form, so refitting it at every evaluation costs one d × d solve).
    """
    xt = np.concatenate([x, np.ones((len(x), 1))], -1)
    return np.asarray(np.linalg.solve(xt.T @ xt + ridge * np.eye(xt.shape[1]), xt.T @ (2.0 * y - 1.0)))


def probe_scores(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The probe's signed score X̃w of representations ``[n, d]`` (positive: the property holds)."""
    return np.asarray(x @ w[:-1] + w[-1])


def probe_readout(w: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(accuracy, mean margin) of probe ``w`` on ``x`` with labels ``y``: the share of signs right, and the mean of
    the score times ±1 (a continuous readout: it moves with the representation even where accuracy does not)."""
    s = probe_scores(w, x)
    sign = 2.0 * y - 1.0
    return float(np.mean((s > 0) == y)), float(np.mean(s * sign))


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    """The area under the ROC curve: P(score of a positive > score of a negative), ties counted ½ (Mann–Whitney U
    / (n₊ n₋)). Invariant to any increasing map of the scores: a probe direction that still orders the classes has
    AUC near 1 even when a shift of the representation moved every score across the probe's threshold."""
    pos, neg = scores[y], scores[~y]
    d = pos[:, None] - neg[None, :]
    return float(np.mean((d > 0) + 0.5 * (d == 0)))


def stratified_mean_ci(
    values: np.ndarray, strata: np.ndarray, level: float = 0.95
) -> tuple[float, float, float, float]:
    """(mean, lo, hi, df) of a mean over a stratified sample, with its t-interval over the sampled units.

    The mean weighs each stratum h by its share of the sample, w_h = n_h / n (so it equals the plain mean); its
    variance is Σ_h w_h² s_h² / n_h (Cochran 1977, *Sampling Techniques*, eq. 5.6, without the finite-population
    correction, so it is conservative), and the t quantile takes the Welch–Satterthwaite degrees of freedom
    (Σ a_h)² / Σ a_h² / (n_h − 1), a_h = w_h² s_h² / n_h (Cochran eq. 5.16). Every stratum needs ≥ 2 units; a zero
    variance gives a zero-width interval (df reported as the units' count minus the strata's).
    """
    x, s = np.asarray(values, dtype=float), np.asarray(strata)
    labels = np.unique(s)
    n = x.size
    mean = float(x.mean())
    a, dfs = [], []
    for h in labels:
        xh = x[s == h]
        if xh.size < 2:
            raise ValueError("every stratum needs at least 2 units")
        a.append((xh.size / n) ** 2 * float(xh.var(ddof=1)) / xh.size)
        dfs.append(xh.size - 1)
    var = float(sum(a))
    if var <= 0.0:
        return mean, mean, mean, float(n - len(labels))
    df = var**2 / sum(ah**2 / d for ah, d in zip(a, dfs, strict=True))
    half = float(sps.t.ppf((1 + level) / 2, df)) * math.sqrt(var)
    return mean, mean - half, mean + half, float(df)
