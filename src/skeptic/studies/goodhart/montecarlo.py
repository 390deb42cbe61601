"""Monte Carlo estimates of the calculator's quantities, with standard errors: the probe of the exact code.

Each estimator draws V and X independently from the same frozen distributions and returns an
:class:`MCEstimate` (value and standard error). Where the exact answer is defined and the event is not too
rare, exact and MC must agree within MC error; the study checks this with z-scores.

Standard errors: the conditional mean uses the ratio estimator's SE (sample SD of V among the hits over
√hits); best of n uses the SD over independent trials; the quantilizer and the tilt (self-normalized
estimators with an estimated threshold or normalizer) use batch means over 20 independent batches, which
carries the threshold's and normalizer's own noise into the SE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

Dist = Any

_BATCHES = 20


@dataclass(frozen=True)
class MCEstimate:
    value: float
    se: float
    n: int
    """Samples (or trials, or hits) behind the estimate."""


def _draw(dist: Dist, size: int | tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    return np.asarray(dist.rvs(size=size, random_state=rng), dtype=float)


def _batch(values: np.ndarray) -> MCEstimate:
    return MCEstimate(float(values.mean()), float(values.std(ddof=1) / math.sqrt(values.size)), int(values.size))


def mc_conditional_mean(
    v: Dist, x: Dist, t: float, n_samples: int, rng: np.random.Generator, of: str = "v"
) -> MCEstimate:
    """E[V | U ≥ t] (``of="v"``) or E[U | U ≥ t] (``of="u"``) from n_samples draws of (V, X)."""
    vs = _draw(v, n_samples, rng)
    us = vs + _draw(x, n_samples, rng)
    hit = us >= t
    k = int(hit.sum())
    if k < 2:
        return MCEstimate(math.nan, math.nan, k)
    vals = (vs if of == "v" else us)[hit]
    return MCEstimate(float(vals.mean()), float(vals.std(ddof=1) / math.sqrt(k)), k)


def mc_best_of_n(
    v: Dist, x: Dist, n: int, n_trials: int, rng: np.random.Generator, chunk_samples: int = 2**22
) -> tuple[MCEstimate, MCEstimate]:
    """(E[V], E[U]) of the best of n draws ranked by U, over n_trials independent trials (chunked)."""
    best_v, best_u = [], []
    per_chunk = max(1, chunk_samples // n)
    done = 0
    while done < n_trials:
        m = min(per_chunk, n_trials - done)
        vs = _draw(v, (m, n), rng)
        us = vs + _draw(x, (m, n), rng)
        i = np.argmax(us, axis=1)
        rows = np.arange(m)
        best_v.append(vs[rows, i])
        best_u.append(us[rows, i])
        done += m
    bv, bu = np.concatenate(best_v), np.concatenate(best_u)
    se = 1.0 / math.sqrt(n_trials) if n_trials > 1 else math.nan
    return (
        MCEstimate(float(bv.mean()), float(bv.std(ddof=1) * se), n_trials),
        MCEstimate(float(bu.mean()), float(bu.std(ddof=1) * se), n_trials),
    )


def mc_quantilizer(v: Dist, x: Dist, q: float, n_samples: int, rng: np.random.Generator) -> MCEstimate:
    """E[V] of the q-quantilizer: the mean of V over the top ⌈q·N⌉ draws by U, batch means over 20 batches."""
    per = n_samples // _BATCHES
    k = max(1, math.ceil(q * per))
    vs = _draw(v, (_BATCHES, per), rng)
    us = vs + _draw(x, (_BATCHES, per), rng)
    top = np.argpartition(-us, k - 1, axis=1)[:, :k]
    return _batch(np.take_along_axis(vs, top, axis=1).mean(axis=1))


def mc_tilted_mean(v: Dist, x: Dist, beta: float, n_samples: int, rng: np.random.Generator) -> MCEstimate:
    """E_π[V] for π ∝ π0·exp(U/β), V ⟂ X, by importance sampling from a proposal near the tilted law of V.

    With V and X independent the tilt factorizes, π(v, x) ∝ f_V(v)e^{v/β} · f_X(x)e^{x/β}, so E_π[V] is the mean of
    V's own tilt whatever X is (X only decides whether π exists). Reweighting base draws by e^{U/β} left ~0.05
    effective samples at σ_V ≥ 8 (issue 31); here the proposal is a normal at the mode of log f_V(v) + v/β (found by
    Newton steps on numerical derivatives, not from any closed form), with 1.5× its curvature scale, and draws are
    self-normalized-weighted by f_V(v)e^{v/β}/q(v). Raises when X's tilt has no normalizer (heavy tails).
    """
    from skeptic.studies.goodhart.calculator import _tilt_1d

    _tilt_1d(x, 1.0 / beta)  # raises InfiniteNormalizerError where π does not exist
    lam = 1.0 / beta
    mode, sd0 = float(v.mean()), float(v.std())
    h = sd0 * 1e-3
    curv = -1.0 / sd0**2
    for _ in range(100):
        lp = v.logpdf(np.array([mode - h, mode, mode + h]))
        grad = (lp[2] - lp[0]) / (2 * h) + lam
        curv = (lp[2] - 2 * lp[1] + lp[0]) / h**2
        if not curv < 0:
            break
        step = -grad / curv
        mode += step
        if abs(step) < 1e-10 * sd0:
            break
    scale = 1.5 / math.sqrt(-curv) if curv < 0 else 1.5 * sd0
    per = n_samples // _BATCHES
    draws = mode + scale * rng.standard_normal((_BATCHES, per))
    logw = v.logpdf(draws) + lam * draws + 0.5 * ((draws - mode) / scale) ** 2
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    return _batch((w * draws).sum(axis=1) / w.sum(axis=1))
