"""Taylor's (2016) quantilizer guarantee, checked on costs that come close to it.

A q-quantilizer samples from the base distribution γ restricted to its top q fraction by the proxy U and
renormalized, so its density is at most γ/q. For every cost c ≥ 0 this gives

    E_q[c] ≤ E_γ[c] / q            (Taylor 2016, "Quantilizers", the cost bound of the quantilizer).

Equality holds for a cost that puts all its mass in the top q (c = 1{U ≥ u_q}). The cost studied here is the
Goodhart-relevant one: the event that the proxy's *error* is extreme, c = 1{X ≥ x_q} with P(X ≥ x_q) = q,
so E_γ[c]/q = 1 and the ratio E_q[c] / (E_γ[c]/q) = P(X ≥ x_q | U ≥ u_q) says how much of the quantilizer's
selection is error. It comes close to the bound when the error is heavy-tailed (the top of U is mostly X).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import integrate

Dist = Any


def joint_tail(v: Dist, x: Dist, a: float, b: float) -> float:
    """P(X ≥ a, V + X ≥ b) = S_X(a)·S_V(b − a) + ∫_{−∞}^{b−a} f_V(v) S_X(b − v) dv (V ⟂ X)."""
    edge = b - a
    first = float(x.sf(a) * v.sf(edge))
    lo = float(v.ppf(1e-15))
    if edge <= lo:
        return first
    mid = float(v.median())
    pts = [p for p in (mid,) if lo < p < edge]
    second, _ = integrate.quad(
        lambda z: float(v.pdf(z) * x.sf(b - z)), lo, edge, points=pts or None, limit=400, epsabs=0, epsrel=1e-11
    )
    return first + float(second)


def error_cost_ratio(v: Dist, x: Dist, q: float, u_q: float) -> float:
    """E_q[c] / (E_γ[c]/q) for c = 1{X ≥ x_q}: P(X ≥ x_q | U ≥ u_q), where P(U ≥ u_q) = q and P(X ≥ x_q) = q."""
    x_q = float(x.isf(q))
    return joint_tail(v, x, x_q, u_q) / q


def mc_error_cost_ratio(v: Dist, x: Dist, q: float, n_samples: int, rng: np.random.Generator) -> tuple[float, float]:
    """Monte Carlo P(X ≥ x_q | U in its top q fraction), and its binomial standard error."""
    vs = np.asarray(v.rvs(size=n_samples, random_state=rng), dtype=float)
    xs = np.asarray(x.rvs(size=n_samples, random_state=rng), dtype=float)
    us = vs + xs
    k = max(1, math.ceil(q * n_samples))
    top = np.argpartition(-us, k - 1)[:k]
    p = float(np.mean(xs[top] >= float(x.isf(q))))
    return p, math.sqrt(max(p * (1 - p), 1.0 / k) / k)
