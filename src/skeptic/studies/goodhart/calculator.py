"""The Goodhart calculator: exact (quadrature) answers for optimizing a proxy U = V + X.

V is the true utility, X the proxy's error, independent, each a frozen continuous ``scipy.stats``
distribution. Four optimizers of U are covered, each with its KL divergence from the base distribution
so they can be put on one axis (Gao et al. 2022 plot gold reward against √KL):

=====================  ==================================================  ===============================
optimizer              law of the chosen outcome                           KL(π ‖ π0)
=====================  ==================================================  ===============================
conditioning on t      π0( · | U ≥ t)                                      −log P(U ≥ t)
best of n              the draw with the largest U among n                 log n − (n−1)/n
q-quantilizer          π0( · | U ≥ F_U⁻¹(1−q))  (Taylor 2016)              log 1/q
exponential tilt       π ∝ π0 · exp(U/β)  (the KL-regularized optimum)     E_π[U]/β − log E_π0[exp(U/β)]
=====================  ==================================================  ===============================

Numerics (why this is accurate far into the tails)
--------------------------------------------------
Everything reduces to one-dimensional convolution integrals over v, e.g.

    P(U ≥ t)      = ∫ f_V(v) S_X(t − v) dv,
    E[V; U ≥ t]   = ∫ v f_V(v) S_X(t − v) dv,
    f_U(u)        = ∫ f_V(v) f_X(u − v) dv,        E[V | U = u] = ∫ v f_V(v) f_X(u − v) dv / f_U(u).

The integrand of a convolution matters where v is in V's body or tail, or where t − v is in X's body or
tail. So the v-axis is cut into panels at the union of (i) V's quantiles and (ii) t minus X's quantiles,
both at tail probabilities 10^-1, 10^-2, ... down to 10^-depth plus a body grid, and each panel gets a
fixed Gauss–Legendre rule. Every quantity is summed in log space (``logpdf``/``logsf``, log-sum-exp),
so a threshold 20 standard deviations out (P(U ≥ t) ≈ 1e-88) loses no digits. The grid is the same shape
for every target, so thousands of targets are one vectorized computation.

Best of n integrates in u over panels cut at U's own quantiles, with the tail panels log-spaced in the
tail probability S_U(u): the weight n F_U(u)^{n−1} f_U(u) of the maximum sits where S_U ≈ 1/n, within a
few e-folds, so panels 0.5 e-folds wide reach n = 4^10 and far beyond at the same cost.

Infinite and undefined answers (documented semantics)
-----------------------------------------------------
- If E[V] = +∞ (e.g. V Lévy, or Pareto with b ≤ 1), every conditional or best-of-n mean of V is +∞
  (conditioning keeps V's whole upper tail with positive weight); the functions return ``inf``.
  If E[V] is undefined (NaN, e.g. Cauchy), they raise :class:`UndefinedError`.
- The exponential tilt needs Z = E[exp(U/β)] < ∞. When X (or V) is heavy-tailed Z = ∞ for every β > 0:
  :func:`tilted` raises :class:`InfiniteNormalizerError`. :func:`tilted_truncated` is the version on
  {U ≤ c}, with the truncation point c an explicit argument.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from skeptic.studies.goodhart.distributions import Frozen, family_name

Dist = Any
"""A frozen continuous ``scipy.stats`` distribution (``scipy.stats.norm(0, 2)``)."""

FloatArray = NDArray[np.float64]

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(8)
"""8-point Gauss–Legendre on [-1, 1]: exact for degree 15 polynomials; panels are short enough that the
log-integrand is nearly quadratic across each one."""

_BODY_P = np.linspace(0.02, 0.98, 25)
"""Body quantiles of each distribution used as panel breakpoints."""

DEFAULT_DEPTH = 300
"""Tail breakpoints go down to tail probability 10^-DEFAULT_DEPTH (double precision reaches 1e-308)."""


class UndefinedError(ValueError):
    """The requested expectation does not exist (e.g. the mean of a Cauchy V)."""


class InfiniteNormalizerError(ValueError):
    """The exponential tilt's normalizer E[exp(U/β)] is infinite (heavy-tailed X or V)."""


# ----------------------------------------------------------------------------------------------------
# Quantiles that stay correct in the far tails
# ----------------------------------------------------------------------------------------------------


def _tail_quantiles(dist: Dist, log_q: FloatArray, upper: bool) -> FloatArray:
    """Quantiles at tail probability exp(log_q): upper (S(x) = q) or lower (F(x) = q) tail.

    scipy's ``isf``/``ppf`` fail far out for some families (Student-t returns -inf below ~1e-180, Lévy
    overflows); every result is verified with ``logsf``/``logcdf`` and repaired by bisection on
    asinh(x), which spans ±1e308 in 710 units.
    """
    q = np.exp(log_q)
    with np.errstate(all="ignore"):
        x = np.asarray(dist.isf(q) if upper else dist.ppf(q), dtype=float)
        check = dist.logsf(x) if upper else dist.logcdf(x)
    lo_s, hi_s = (float(s) for s in dist.support())
    tol = 1e-6 * np.abs(log_q) + 1e-9
    ok = np.isfinite(x) & (np.abs(check - log_q) <= tol)
    at_edge = np.isfinite(x) & ((x == lo_s) | (x == hi_s))  # a support edge is a fine breakpoint
    bad = ~(ok | at_edge)
    if np.any(bad):
        med = float(dist.median())
        edge = hi_s if upper else lo_s
        edge = float(np.clip(edge, -1e300, 1e300))
        a = np.full(bad.sum(), np.arcsinh(med))
        b = np.full(bad.sum(), np.arcsinh(edge))
        target = log_q[bad]
        for _ in range(80):
            mid = 0.5 * (a + b)
            with np.errstate(all="ignore"):
                xm = np.sinh(mid)
                val = dist.logsf(xm) if upper else dist.logcdf(xm)
            beyond = val < target  # mid lies further out than the quantile
            b = np.where(beyond, mid, b)
            a = np.where(beyond, a, mid)
        x[bad] = np.sinh(0.5 * (a + b))
    return x


_BP_CACHE: dict[tuple[int, int], tuple[Dist, FloatArray]] = {}


def _breakpoints(dist: Dist, depth: int) -> FloatArray:
    """Body quantiles plus both tails at probabilities 10^-1 ... 10^-depth (one per decade); cached per object."""
    hit = _BP_CACHE.get((id(dist), depth))
    if hit is not None and hit[0] is dist:
        return hit[1]
    if len(_BP_CACHE) > 256:
        _BP_CACHE.clear()
    bp = _compute_breakpoints(dist, depth)
    _BP_CACHE[(id(dist), depth)] = (dist, bp)
    return bp


def _compute_breakpoints(dist: Dist, depth: int) -> FloatArray:
    log_q = -np.log(10.0) * np.arange(1, depth + 1, dtype=float)
    body = np.asarray(dist.ppf(_BODY_P), dtype=float)
    pts = np.concatenate([_tail_quantiles(dist, log_q, False), body, _tail_quantiles(dist, log_q, True)])
    return np.unique(pts[np.isfinite(pts)])


# ----------------------------------------------------------------------------------------------------
# The convolution engine
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LogIntegrals:
    """log ∫ f_V(v) k(t − v) dv and the log of the positive and negative parts of ∫ v f_V(v) k(t − v) dv."""

    log_mass: FloatArray
    log_pos: FloatArray
    log_neg: FloatArray

    def mean(self) -> FloatArray:
        """∫ v f_V k / ∫ f_V k, assembled without cancellation of the log scales."""
        with np.errstate(all="ignore"):
            return np.exp(self.log_pos - self.log_mass) - np.exp(self.log_neg - self.log_mass)

    def moment(self) -> FloatArray:
        with np.errstate(all="ignore"):
            return np.exp(self.log_pos) - np.exp(self.log_neg)


def _logsumexp(a: FloatArray, axis: int) -> FloatArray:
    """log Σ exp(a) along ``axis`` (−inf for an empty or all −inf slice); plain NumPy, faster than scipy's."""
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(all="ignore"):
        out = np.log(np.sum(np.exp(a - m), axis=axis)) + np.squeeze(m, axis=axis)
    return np.asarray(out, dtype=float)


def _fast_logpdf(dist: Dist) -> Any:
    """``dist.logpdf`` as plain NumPy for the normal, Student-t and lognormal families (see :func:`_fast_log`)."""
    return _fast_log(dist, "pdf")


def _fast_log(dist: Dist, what: str) -> Any:
    """``dist.logpdf`` / ``dist.logsf`` / ``dist.logcdf`` (``what`` = "pdf", "sf", "cdf") as plain NumPy for the
    normal, Student-t and lognormal families, a ``scipy.stats`` object's included (see :meth:`Frozen.logpdf`:
    the formulas scipy uses, without its generic wrapper, which costs 2–14× the special function itself). Every
    other family falls back to scipy."""
    fast = Frozen.of(dist)
    if fast is None:
        return {"pdf": dist.logpdf, "sf": dist.logsf, "cdf": dist.logcdf}[what]
    return {"pdf": fast.logpdf, "sf": fast.logsf, "cdf": fast.logcdf}[what]


_PRUNE_MARGIN = 60.0
"""A panel is skipped when an upper bound on its contribution is below e^-60 (≈ 1e-26) of a partial sum already in
hand (see :func:`_convolve_many`)."""

_FIRST_PANELS = 8
"""Panels per target and kernel evaluated first (those with the largest upper bounds) to obtain that partial sum."""


@dataclass(frozen=True)
class _TailTable:
    """A distribution's breakpoints with log F and log S at each, and log sup f (+inf where not known exactly)."""

    bp: FloatArray
    log_cdf: FloatArray
    log_sf: FloatArray
    log_sup_pdf: float

    def log_cdf_above(self, y: FloatArray) -> FloatArray:
        """An upper bound on log F(y): log F at the first breakpoint ≥ y (0 beyond the last)."""
        i = np.searchsorted(self.bp, y, side="left")
        return np.where(i < self.bp.size, self.log_cdf[np.minimum(i, self.bp.size - 1)], 0.0)

    def log_sf_below(self, y: FloatArray) -> FloatArray:
        """An upper bound on log S(y): log S at the last breakpoint ≤ y (0 before the first)."""
        i = np.searchsorted(self.bp, y, side="right") - 1
        return np.where(i >= 0, self.log_sf[np.maximum(i, 0)], 0.0)

    def log_mass_ub(self, a: FloatArray, b: FloatArray) -> FloatArray:
        """An upper bound on log P(a ≤ Y ≤ b): min(log F(b), log S(a)), each rounded outwards to a breakpoint."""
        return np.minimum(self.log_cdf_above(b), self.log_sf_below(a))


_TABLE_CACHE: dict[tuple[int, int], tuple[Dist, _TailTable]] = {}


def _tail_table(dist: Dist, depth: int) -> _TailTable:
    """:class:`_TailTable` of ``dist`` at ``depth``; cached per object like :func:`_breakpoints`."""
    hit = _TABLE_CACHE.get((id(dist), depth))
    if hit is not None and hit[0] is dist:
        return hit[1]
    if len(_TABLE_CACHE) > 256:
        _TABLE_CACHE.clear()
    bp = _breakpoints(dist, depth)
    with np.errstate(all="ignore"):
        log_cdf = np.asarray(_fast_log(dist, "cdf")(bp), dtype=float)
        log_sf = np.asarray(_fast_log(dist, "sf")(bp), dtype=float)
    # a NaN would make a bound meaningless: treat it as "no information" (log 1)
    table = _TailTable(bp, np.nan_to_num(log_cdf, nan=0.0), np.nan_to_num(log_sf, nan=0.0), _log_sup_pdf(dist))
    _TABLE_CACHE[(id(dist), depth)] = (dist, table)
    return table


def _log_sup_pdf(dist: Dist) -> float:
    """log of the largest value of the density where the family gives it in closed form (at the mode: normal and
    Student-t at loc, lognormal at loc + σ·e^{−s²}); +inf (no bound) for every other family."""
    fast = Frozen.of(dist)
    if fast is None:
        return math.inf
    mode = fast.loc + (fast.scale * math.exp(-(fast.shapes[0] ** 2)) if fast.family == "lognorm" else 0.0)
    return float(fast.logpdf(np.array([mode]))[0])


def _convolve_many(
    v: Dist, x: Dist, targets: ArrayLike, kernels: tuple[str, ...], depth: int = DEFAULT_DEPTH, chunk: int = 32
) -> list[_LogIntegrals]:
    """For each target t and each kernel: log ∫ f_V(v) k_X(t − v) dv and log ∫ v± f_V(v) k_X(t − v) dv.

    A kernel is "sf" (k = S_X, giving P(U ≥ t) and E[V; U ≥ t]), "cdf" (k = F_X, giving P(U ≤ t) and
    E[V; U ≤ t]) or "pdf" (k = f_X, giving f_U(t) and E[V | U = t]·f_U(t)). The kernels share one panel layout
    and one evaluation of f_V (see the module docstring for the layout).

    Most of the ~10^3 panels of a target lie where f_V or k is astronomically small. Each panel [a, b] gets an
    upper bound on its integral from tabulated tails, without evaluating anything: with P_V[a, b] ≤ min(F_V(b),
    S_V(a)) (rounded outwards to V's breakpoints), the sf kernel is ≤ P_V[a, b]·S_X(t − b), the cdf kernel
    ≤ P_V[a, b]·F_X(t − a), the pdf kernel ≤ min(P_V[a, b]·sup f_X, sup f_V·P_X[t − b, t − a]); the v-weighted
    integrals carry a further factor max(|a|, |b|). The panels with the largest bounds are integrated first; every
    other panel whose bound is below e^-60 of that partial sum is skipped, which moves the mass by < 1e-26·(number
    of panels) relatively and the mean by < 1e-23 absolutely (the Gauss–Legendre sum of a panel tracks its
    integral; that is what the layout is built for). Measured on the paper's setup: E[V | U ≥ t] at 200 thresholds
    up to 20 SD keeps 8–13% of the ~1250 panels per target, the best-of-n u-grid 60–85% of its ~230. Targets go in
    chunks of 32 (64 and 256 were 20–50% slower: the working set falls out of cache).
    """
    t = np.atleast_1d(np.asarray(targets, dtype=float))
    tv, tx = _tail_table(v, depth), _tail_table(x, depth)
    bv, bx = tv.bp, tx.bp
    log_fv = _fast_log(v, "pdf")
    log_ks = [_fast_log(x, k) for k in kernels]
    outs = [tuple(np.empty_like(t) for _ in range(3)) for _ in kernels]
    for start in range(0, t.size, chunk):
        tc = t[start : start + chunk, None]
        C = tc.shape[0]
        sl = slice(start, start + C)
        edges = np.sort(np.concatenate([np.broadcast_to(bv, (C, bv.size)), tc - bx[None, :]], axis=1), axis=1)
        a, b = edges[:, :-1], edges[:, 1:]
        # upper bounds on each panel's contribution, per kernel, in logs
        with np.errstate(all="ignore"):
            pv = tv.log_mass_ub(a, b)
            log_vmax = np.log(np.maximum(np.abs(a), np.abs(b)))
            ubs = []
            for k in kernels:
                if k == "sf":
                    ub = pv + tx.log_sf_below(tc - b)
                elif k == "cdf":
                    ub = pv + tx.log_cdf_above(tc - a)
                else:
                    ub = np.minimum(pv + tx.log_sup_pdf, tv.log_sup_pdf + tx.log_mass_ub(tc - b, tc - a))
                ubs.append(np.maximum(ub, ub + log_vmax))
        ubs = [np.where(np.isnan(u), np.inf, u) for u in ubs]  # no information: keep the panel
        n_first = min(_FIRST_PANELS, a.shape[1])
        first = np.zeros(a.shape, dtype=bool)
        for ub in ubs:
            top = np.argpartition(-ub, n_first - 1, axis=1)[:, :n_first]
            np.put_along_axis(first, top, True, axis=1)
        rows1, cols1 = np.nonzero(first)
        terms1 = _panel_terms(a[rows1, cols1], b[rows1, cols1], tc[rows1, 0], log_fv, log_ks)
        keep = np.zeros(a.shape, dtype=bool)
        for ub, (log_t, _) in zip(ubs, terms1, strict=True):
            partial = _segment_logsumexp(log_t.ravel(), np.repeat(rows1, _GL_NODES.size), C)
            keep |= ub >= (partial - _PRUNE_MARGIN)[:, None]
        keep &= ~first
        rows2, cols2 = np.nonzero(keep)
        terms2 = _panel_terms(a[rows2, cols2], b[rows2, cols2], tc[rows2, 0], log_fv, log_ks)
        rows = np.concatenate([rows1, rows2])
        for (t1, v1), (t2, v2), (o_mass, o_pos, o_neg) in zip(terms1, terms2, outs, strict=True):
            log_f = np.concatenate([t1, t2]).ravel()
            nodes = np.concatenate([v1, v2]).ravel()
            r = np.repeat(rows, _GL_NODES.size)
            # one exponential for all three sums: terms below e^-745 of the largest cannot move any of them
            top = np.maximum(_segment_max(t1.ravel(), np.repeat(rows1, _GL_NODES.size), C),
                             _segment_max(t2.ravel(), np.repeat(rows2, _GL_NODES.size), C))  # fmt: skip
            top = np.where(np.isfinite(top), top, 0.0)
            with np.errstate(all="ignore"):
                w = np.exp(log_f - top[r])
                o_mass[sl] = np.log(np.bincount(r, w, C)) + top
                o_pos[sl] = np.log(np.bincount(r, w * np.where(nodes > 0, nodes, 0.0), C)) + top
                o_neg[sl] = np.log(np.bincount(r, w * np.where(nodes < 0, -nodes, 0.0), C)) + top
    return [_LogIntegrals(*o) for o in outs]


def _segment_max(values: FloatArray, rows: NDArray[np.intp], n: int) -> FloatArray:
    """Per-row maximum of ``values`` grouped by non-decreasing ``rows`` (−inf for a row with no values)."""
    out = np.full(n, -np.inf)
    if values.size:
        starts = np.flatnonzero(np.diff(rows, prepend=-1))
        out[rows[starts]] = np.maximum.reduceat(values, starts)
    return out


def _segment_logsumexp(values: FloatArray, rows: NDArray[np.intp], n: int) -> FloatArray:
    """Per-row log Σ exp(values) grouped by non-decreasing ``rows`` (−inf for a row with no values)."""
    top = _segment_max(values, rows, n)
    ref = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.asarray(np.log(np.bincount(rows, np.exp(values - ref[rows]), n)) + ref, dtype=float)


def _panel_terms(
    a: FloatArray, b: FloatArray, t: FloatArray, log_fv: Any, log_ks: list[Any]
) -> list[tuple[FloatArray, FloatArray]]:
    """Per kernel, log of the Gauss–Legendre terms w·f_V(v)·k(t − v) on panels [a, b] (target t each), shape
    (panels, 8), and the nodes v; non-finite nodes get −inf."""
    half = 0.5 * (b - a)
    nodes = (0.5 * (a + b))[:, None] + half[:, None] * _GL_NODES
    with np.errstate(all="ignore"):
        base = np.log(half[:, None] * _GL_WEIGHTS) + log_fv(nodes)
        finite = np.isfinite(nodes)
        return [(np.where(finite, base + log_k(t[:, None] - nodes), -np.inf), nodes) for log_k in log_ks]


_CDF_COST = {"norm": 1.0, "lognorm": 1.0, "t": 6.0}
"""Rough relative cost of one log-CDF evaluation per family (``special.log_ndtr`` vs ``special.stdtr``, measured
~25 vs ~150 ns); the roles are swapped only between these families."""


def _tail_masses(
    v: Dist, x: Dist, targets: ArrayLike, kernels: tuple[str, ...], depth: int = DEFAULT_DEPTH
) -> list[FloatArray]:
    """log P(U ≥ t) ("sf") and/or log P(U ≤ t) ("cdf") only, without the V-moments.

    U = V + X is symmetric in V and X, so P(U ≥ t) = ∫ f_V(v) S_X(t − v) dv = ∫ f_X(x) S_V(t − x) dx: the
    integral runs over whichever variable leaves the cheaper CDF in the kernel (for V normal and X Student-t,
    ``log_ndtr`` instead of ``stdtr``, ~6× cheaper per node). Same panel construction with the roles swapped.
    """

    def cost(d: Dist) -> float | None:
        return _CDF_COST.get(family_name(d) or "")

    cv, cx = cost(v), cost(x)
    # only between the smooth, full-support-or-half-line families whose layouts were checked both ways (with Lévy
    # as the variable of integration the panels miss its density's onset at 0: normalization off by 8e-2)
    a, b = (x, v) if cv is not None and cx is not None and cv < cx else (v, x)
    return [r.log_mass for r in _convolve_many(a, b, targets, kernels, depth=depth)]


def _convolve(
    v: Dist, x: Dist, targets: ArrayLike, kernel: str, depth: int = DEFAULT_DEPTH, chunk: int = 32
) -> _LogIntegrals:
    """One kernel of :func:`_convolve_many`: log ∫ f_V(v) k_X(t − v) dv and log ∫ v± f_V(v) k_X(t − v) dv."""
    return _convolve_many(v, x, targets, (kernel,), depth, chunk)[0]


def _mean_or_flag(v: Dist) -> float:
    """E[V], +inf when infinite; raise :class:`UndefinedError` when it does not exist."""
    m = float(v.mean())
    if math.isnan(m):
        raise UndefinedError(
            "E[V] does not exist for this V (both tails have infinite mean), so no mean of V is defined"
        )
    return m


# ----------------------------------------------------------------------------------------------------
# Conditioning on a threshold (Thomas & Kwa 2023)
# ----------------------------------------------------------------------------------------------------


def log_tail_probability(v: Dist, x: Dist, t: ArrayLike) -> FloatArray:
    """log P(U ≥ t) = log ∫ f_V(v) S_X(t − v) dv, accurate to ~1e-12 relative even at P ≈ 1e-300."""
    return _convolve(v, x, t, "sf").log_mass


def conditional_mean(v: Dist, x: Dist, t: ArrayLike) -> FloatArray:
    """E[V | V + X ≥ t] = ∫ v f_V(v) S_X(t − v) dv / ∫ f_V(v) S_X(t − v) dv  (Thomas & Kwa 2023).

    Returns +inf where E[V] = +inf (e.g. V Lévy): conditioning keeps V's whole upper tail.
    """
    if math.isinf(_mean_or_flag(v)):
        return np.full(np.shape(np.atleast_1d(t)), math.inf)
    return _convolve(v, x, t, "sf").mean()


def conditional_mean_u(v: Dist, x: Dist, t: ArrayLike) -> FloatArray:
    """E[U | U ≥ t] = E[V | U ≥ t] + E[X | U ≥ t]; the second term is the first with V and X swapped."""
    return conditional_mean(v, x, t) + conditional_mean(x, v, t)


def conditional_mean_at(v: Dist, x: Dist, u: ArrayLike) -> FloatArray:
    """E[V | U = u] = ∫ v f_V(v) f_X(u − v) dv / f_U(u). Normal–normal: u·σ_V²/(σ_V² + σ_X²)."""
    if math.isinf(_mean_or_flag(v)):
        return np.full(np.shape(np.atleast_1d(u)), math.inf)
    return _convolve(v, x, u, "pdf").mean()


def density_u(v: Dist, x: Dist, u: ArrayLike) -> FloatArray:
    """f_U(u) = ∫ f_V(v) f_X(u − v) dv."""
    return np.exp(_convolve(v, x, u, "pdf").log_mass)


def kl_threshold(v: Dist, x: Dist, t: ArrayLike) -> FloatArray:
    """KL(π0(·|U ≥ t) ‖ π0) = −log P(U ≥ t)."""
    return -log_tail_probability(v, x, t)


def quantile_u(v: Dist, x: Dist, q: ArrayLike) -> FloatArray:
    """The upper-q quantile of U: the t with P(U ≥ t) = q, by bracketed Newton on log S_U (vectorized).

    d log S_U / dt = −f_U/S_U, so Newton converges in a few steps; the bracket from a preliminary grid
    keeps it safe for heavy tails, where log S_U is far from linear.
    """
    log_q = np.log(np.atleast_1d(np.asarray(q, dtype=float)))
    if np.any(~np.isfinite(log_q)) or np.any(log_q >= 0):
        raise ValueError("q must lie in (0, 1)")
    grid, log_s, _ = _u_reference_grid(v, x, depth=min(DEFAULT_DEPTH, int(-log_q.min() / math.log(10)) + 30))
    t = _interp_quantile(log_q, log_s, grid, upper=True)
    # bracket: the reference points on either side (log S_U is non-increasing along the ascending grid)
    ok = np.isfinite(log_s)
    gs, ls = grid[ok], log_s[ok]
    idx = np.searchsorted(-ls, -log_q, side="left")
    lo = np.where(idx > 0, gs[np.clip(idx - 1, 0, gs.size - 1)], -np.inf)
    hi = np.where(idx < gs.size, gs[np.clip(idx, 0, gs.size - 1)], np.inf)
    lo = np.minimum(lo, t)
    hi = np.maximum(hi, t)
    depth = min(DEFAULT_DEPTH, int(-log_q.min() / math.log(10)) + 30)
    for _ in range(60):
        sf_i, pdf_i = _convolve_many(v, x, t, ("sf", "pdf"), depth=depth)
        sf, pdf = sf_i.log_mass, pdf_i.log_mass
        err = sf - log_q
        lo = np.where(err > 0, t, lo)  # S_U(t) > q: the quantile lies above t
        hi = np.where(err > 0, hi, t)
        step = err * np.exp(sf - pdf)
        t_new = t + step
        outside = ~((t_new > lo) & (t_new < hi))
        mid = np.where(np.isfinite(lo) & np.isfinite(hi), 0.5 * (lo + hi), t + np.sign(err) * (1 + np.abs(t)))
        t_new = np.where(outside, mid, t_new)
        if np.all(np.abs(t_new - t) <= 1e-12 * (1 + np.abs(t))):
            t = t_new
            break
        t = t_new
    return t


def _u_reference_grid(v: Dist, x: Dist, depth: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """A coarse ascending grid spanning U's quantiles 10^-depth ... 1 − 10^-depth, with log S_U and log F_U.

    Candidates are V's quantiles shifted by X's median and vice versa (U's quantiles lie among them).
    """
    cand = np.unique(
        np.concatenate(
            [_breakpoints(v, depth)[::2] + float(x.median()), _breakpoints(x, depth)[::2] + float(v.median())]
        )
    )
    log_s, log_f = _tail_masses(v, x, cand, ("sf", "cdf"), depth=depth)
    return cand, log_s, log_f


def _interp_quantile(log_target: FloatArray, log_tail: FloatArray, grid: FloatArray, upper: bool) -> FloatArray:
    """Invert a tail function tabulated on an ascending grid (log S_U if ``upper`` else log F_U) by linear
    interpolation in (log tail, u), on the strictly monotone finite part of the table (the table saturates
    at log 1 = 0 and at the float range)."""
    y = -log_tail if upper else log_tail  # ascending along the grid
    ok = np.isfinite(y)
    y, g = y[ok], grid[ok]
    strict = np.concatenate([[True], y[1:] > np.maximum.accumulate(y)[:-1]])
    # interpolate asinh(u): linear in the body, logarithmic for power-law tails that span many decades
    target = -log_target if upper else log_target
    return np.asarray(np.sinh(np.interp(target, y[strict], np.arcsinh(g[strict]))), dtype=float)


# ----------------------------------------------------------------------------------------------------
# Best of n (Gao et al. 2022; Kwa, Thomas & Garriga-Alonso 2024, synthetic experiment)
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UGrid:
    """Gauss–Legendre nodes in u with log-weights, log f_U, log S_U, log F_U and E[V | U = u] at each node.

    Built once per (V, X) pair by :func:`u_grid`; every best-of-n (and truncated tilt) curve is a weighted
    sum over these nodes, so a whole curve over n costs one matrix product.
    """

    u: FloatArray
    log_w: FloatArray
    log_f: FloatArray
    log_s: FloatArray
    log_cdf: FloatArray
    m_v: FloatArray

    def log_max_weight(self, n: FloatArray) -> FloatArray:
        """log of n F_U(u)^{n−1} f_U(u) × quadrature weight, shape (len(n), nodes)."""
        n = np.asarray(n, dtype=float)[:, None]
        return np.log(n) + (n - 1) * self.log_cdf[None, :] + self.log_f[None, :] + self.log_w[None, :]


def _log1mexp(a: FloatArray) -> FloatArray:
    """log(1 − exp(a)) for a ≤ 0, accurate at both ends (Mächler 2012)."""
    with np.errstate(all="ignore"):
        return np.where(a > -math.log(2), np.log(-np.expm1(a)), np.log1p(-np.exp(a)))


def u_grid(
    v: Dist, x: Dist, n_max: float = 4.0**10, extra: ArrayLike | None = None, log_q_min: float | None = None
) -> UGrid:
    """Quadrature nodes in u resolving the law of max of n draws of U for every n ≤ ``n_max``.

    Panels: lower tail cut at F_U = e^{-30} ... 1/2 every 0.5 e-folds of F_U; upper tail cut at
    S_U = 1/2 ... e^{-35}/n_max every 0.5 e-folds of S_U (n·S_U of the maximum is ~Exp(1), so its
    log lies within [−35, 4] up to 1e-15). ``extra`` adds breakpoints (e.g. a truncation point);
    ``log_q_min`` overrides how deep into U's upper tail the panels reach (at most e^-690).
    """
    if log_q_min is None:
        log_q_min = -35.0 - math.log(n_max)
    log_q_min = max(log_q_min, -690.0)
    depth = min(DEFAULT_DEPTH, int(-log_q_min / math.log(10)) + 25)
    grid, log_s, log_c = _u_reference_grid(v, x, depth)
    upper = np.arange(-math.log(2), log_q_min - 0.5, -0.5)
    lower = np.arange(-30.0, -math.log(2), 0.5)
    cuts = np.concatenate(
        [_interp_quantile(lower, log_c, grid, upper=False), _interp_quantile(upper, log_s, grid, upper=True)]
    )
    if extra is not None:
        cuts = np.concatenate([cuts, np.atleast_1d(np.asarray(extra, dtype=float))])
    cuts = np.unique(cuts)
    a, b = cuts[:-1], cuts[1:]
    half = 0.5 * (b - a)
    u = ((0.5 * (a + b))[:, None] + half[:, None] * _GL_NODES).ravel()
    log_w = np.log((half[:, None] * _GL_WEIGHTS).ravel())
    # log S_U where S_U < 1/2, log F_U where F_U < 1/2, the other from log(1 − ·): no cancellation anywhere.
    # One pass per side of the median; the tails by :func:`_tail_masses` (the cheaper variable of integration).
    median = float(_interp_quantile(np.array([-math.log(2)]), log_s, grid, upper=True)[0])
    hi = u >= median
    log_s_u = np.empty_like(u)
    log_c_u = np.empty_like(u)
    log_f_u = np.empty_like(u)
    m_v = np.empty_like(u)
    for side, kernel in ((hi, "sf"), (~hi, "cdf")):
        if not side.any():
            continue
        (pdf,) = _convolve_many(v, x, u[side], ("pdf",), depth=depth)
        (tail,) = _tail_masses(v, x, u[side], (kernel,), depth=depth)
        log_f_u[side], m_v[side] = pdf.log_mass, pdf.mean()
        if kernel == "sf":
            log_s_u[side] = tail
            log_c_u[side] = _log1mexp(tail)
        else:
            log_c_u[side] = tail
            log_s_u[side] = _log1mexp(tail)
    if math.isinf(_mean_or_flag(v)):
        m_v = np.full_like(u, math.inf)
    return UGrid(u, log_w, log_f_u, log_s_u, log_c_u, m_v)


def _weighted_mean(log_weights: FloatArray, values: FloatArray) -> FloatArray:
    """Σ w·values / Σ w per row, with w given in logs (values may be signed)."""
    log_norm = _logsumexp(log_weights, axis=1)
    w = np.exp(log_weights - log_norm[:, None])
    return np.asarray(w @ values, dtype=float)


def best_of_n(v: Dist, x: Dist, n: ArrayLike, grid: UGrid | None = None) -> FloatArray:
    """E[V] of the best of n draws ranked by U: ∫ E[V | U = u] · n F_U(u)^{n−1} f_U(u) du.

    ``n`` may be an array (a whole curve costs one pass); pass a prebuilt :func:`u_grid` to reuse it.
    The weights are renormalized to sum to one (they integrate to 1 − F_U(u_min)^n up to quadrature
    error; :func:`best_of_n_normalization` reports the raw sum as a check).
    """
    n_arr = np.atleast_1d(np.asarray(n, dtype=float))
    if np.any(n_arr < 1):
        raise ValueError("n must be ≥ 1")
    if math.isinf(_mean_or_flag(v)):
        return np.full(n_arr.shape, math.inf)
    g = grid if grid is not None else u_grid(v, x, n_max=float(n_arr.max()))
    return _weighted_mean(g.log_max_weight(n_arr), g.m_v)


def best_of_n_u(v: Dist, x: Dist, n: ArrayLike, grid: UGrid | None = None) -> FloatArray:
    """E[U] of the best of n: ∫ u · n F_U(u)^{n−1} f_U(u) du (the expected maximum of n draws of U)."""
    n_arr = np.atleast_1d(np.asarray(n, dtype=float))
    if math.isinf(_mean_or_flag(x)) or math.isinf(_mean_or_flag(v)):
        return np.full(n_arr.shape, math.inf)
    g = grid if grid is not None else u_grid(v, x, n_max=float(n_arr.max()))
    return _weighted_mean(g.log_max_weight(n_arr), g.u)


def best_of_n_normalization(grid: UGrid, n: ArrayLike) -> FloatArray:
    """∫ n F_U^{n−1} f_U du over the grid; 1 up to the mass outside [F_U = e^-30, S_U = e^-35/n_max]."""
    n_arr = np.atleast_1d(np.asarray(n, dtype=float))
    return np.exp(_logsumexp(grid.log_max_weight(n_arr), axis=1))


def kl_best_of_n(n: ArrayLike) -> FloatArray:
    """KL of best-of-n from the base distribution: log n − (n − 1)/n (for continuous U; Stiennon et al. 2020)."""
    n_arr = np.asarray(n, dtype=float)
    return np.asarray(np.log(n_arr) - (n_arr - 1) / n_arr, dtype=float)


# ----------------------------------------------------------------------------------------------------
# Quantilizers (Taylor 2016)
# ----------------------------------------------------------------------------------------------------


def quantilizer(v: Dist, x: Dist, q: ArrayLike) -> FloatArray:
    """E[V] of the q-quantilizer: sample from the top-q fraction of π0 by U, i.e. E[V | U ≥ F_U⁻¹(1−q)]."""
    return conditional_mean(v, x, quantile_u(v, x, q))


def quantilizer_u(v: Dist, x: Dist, q: ArrayLike) -> FloatArray:
    """E[U] of the q-quantilizer."""
    return conditional_mean_u(v, x, quantile_u(v, x, q))


def kl_quantilizer(q: ArrayLike) -> FloatArray:
    """KL of the q-quantilizer from the base distribution: log 1/q (its density ratio is 1/q on its support)."""
    return np.asarray(-np.log(np.asarray(q, dtype=float)), dtype=float)


# ----------------------------------------------------------------------------------------------------
# The KL-regularized optimum: exponential tilt (Kwa, Thomas & Garriga-Alonso 2024)
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tilt:
    """The policy π ∝ π0 · exp(U/β): E_π[V], E_π[U], log Z = log E_π0[exp(U/β)], KL(π ‖ π0)."""

    beta: float
    mean_v: float
    mean_u: float
    log_z: float
    kl: float


def _tilt_1d(dist: Dist, lam: float) -> tuple[float, float]:
    """(log E[e^{λY}], E[Y e^{λY}]/E[e^{λY}]) for one distribution, or raise if E[e^{λY}] = ∞.

    h(y) = log f(y) + λy is explored on the quantile grid and, where it still rises at the far end, on a
    geometric extension out to 1e300. If h has not fallen 60 below its maximum there, the normalizer is
    infinite. Otherwise the region {h ≥ max − 60} gets 400 uniform Gauss–Legendre panels.
    """
    explore = _breakpoints(dist, DEFAULT_DEPTH)
    top = float(explore[-1])
    ext = top + np.abs(top) * (2.0 ** np.arange(1, 200)) + 2.0 ** np.arange(1, 200)
    hi_s = float(dist.support()[1])
    ext = ext[(ext < 1e300) & (ext < hi_s)]
    explore = np.concatenate([explore, ext])
    with np.errstate(all="ignore"):
        h = dist.logpdf(explore) + lam * explore
    h = np.where(np.isfinite(h), h, -np.inf)
    h_max = float(h.max())
    inside = np.flatnonzero(h >= h_max - 60.0)
    last_finite = int(np.flatnonzero(np.isfinite(h))[-1])
    # still within 60 of the maximum at the far end of what can be evaluated: the integral diverges
    if inside[-1] == last_finite and hi_s > explore[last_finite]:
        name = family_name(dist) or "this distribution"
        raise InfiniteNormalizerError(
            f"E[exp(Y/β)] = ∞ for Y ~ {name} at 1/β = {lam:g}: the exponential tilt of a heavy-tailed "
            "distribution has no normalizer; use tilted_truncated(..., c) with an explicit truncation point c"
        )
    a = explore[max(inside[0] - 1, 0)]
    b = explore[min(inside[-1] + 1, explore.size - 1)]
    edges = np.linspace(a, b, 401)
    half = 0.5 * (edges[1] - edges[0])
    nodes = ((0.5 * (edges[:-1] + edges[1:]))[:, None] + half * _GL_NODES).ravel()
    with np.errstate(all="ignore"):
        log_f = np.log(np.tile(half * _GL_WEIGHTS, 400)) + dist.logpdf(nodes) + lam * nodes
    log_f = np.where(np.isfinite(log_f), log_f, -np.inf)
    log_z = float(_logsumexp(log_f, axis=0))
    mean = float(np.sum(np.exp(log_f - log_z) * nodes))
    return log_z, mean


def tilted(v: Dist, x: Dist, beta: float) -> Tilt:
    """The KL-regularized optimum π ∝ π0 · exp(U/β) = argmax_π E_π[U] − β KL(π ‖ π0).

    With V and X independent the tilt factorizes: π(v, x) ∝ f_V(v)e^{v/β} · f_X(x)e^{x/β}, so
    E_π[V] is V's own tilted mean, log Z = log M_V(1/β) + log M_X(1/β) and
    KL = E_π[U]/β − log Z. Normal V: E_π[V] = μ_V + σ_V²/β. Raises :class:`InfiniteNormalizerError`
    when either moment generating function is infinite at 1/β (every heavy-tailed X).
    """
    if beta <= 0:
        raise ValueError("beta must be > 0")
    lz_x, m_x = _tilt_1d(x, 1.0 / beta)
    lz_v, m_v = _tilt_1d(v, 1.0 / beta)
    log_z = lz_v + lz_x
    mean_u = m_v + m_x
    return Tilt(beta, m_v, mean_u, log_z, mean_u / beta - log_z)


def truncation_breakpoints(c: ArrayLike, beta: float) -> FloatArray:
    """u-breakpoints a truncated tilt at each c needs: 30 uniform panels of width 2β on [c − 60β, c] (across one
    panel the weight e^{u/β} changes by e², which 8-point Gauss–Legendre integrates to ~1e-15; 200 panels gave the
    same means to 1e-15 at 3–7× the cost, see ``benchmarks/goodhart_bench.py``). Pass them as
    ``extra`` to :func:`u_grid` to share one grid among several truncation points."""
    cs = np.atleast_1d(np.asarray(c, dtype=float))
    return np.concatenate([np.linspace(ci - 60 * beta, ci, 31) for ci in cs])


def tilted_truncated(v: Dist, x: Dist, beta: float, c: float, grid: UGrid | None = None) -> Tilt:
    """π ∝ π0 · exp(U/β) · 1{U ≤ c}: the tilt restricted to U ≤ c, which exists for any X.

    E_π[V] = ∫^c E[V|U=u] f_U(u) e^{u/β} du / Z_c, Z_c = ∫^c f_U(u) e^{u/β} du, KL = E_π[U]/β − log Z_c.
    The u-panels are U's quantile panels below c plus 30 uniform panels on [c − 60β, c], where the
    exponential weight of a heavy-tailed U piles up. A prebuilt ``grid`` must contain
    :func:`truncation_breakpoints` (c, β) and reach S_U(c).
    """
    if beta <= 0:
        raise ValueError("beta must be > 0")
    fine = truncation_breakpoints(c, beta)
    if grid is None:
        # the u-panels must reach past c: resolve U's upper tail down to S_U(c)
        log_s_c = float(log_tail_probability(v, x, c)[0])
        grid = u_grid(v, x, extra=fine, log_q_min=min(log_s_c - 1.0, -36.0))
    g = grid
    keep = g.u <= c
    if not keep.any():
        raise ValueError("truncation point c lies below the support of U")
    log_w = (g.log_w + g.log_f + g.u / beta)[keep]
    log_z = float(_logsumexp(log_w, axis=0))
    w = np.exp(log_w - log_z)
    mean_u = float(w @ g.u[keep])
    mean_v = float(w @ g.m_v[keep]) if np.all(np.isfinite(g.m_v[keep])) else math.inf
    return Tilt(beta, mean_v, mean_u, log_z, mean_u / beta - log_z)


# ----------------------------------------------------------------------------------------------------
# The catastrophic-Goodhart policy of Kwa, Thomas & Garriga-Alonso (2024), Theorem 1 / Figure 3
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MixturePolicy:
    """π_t = (1−ε)·π0(·|U < t) + ε·π0(·|U ≥ t): upweights the tail {U ≥ t} to total mass ε."""

    t: float
    eps: float
    p: float
    mean_v: float
    mean_u: float
    kl: float


def upweighted_tail(v: Dist, x: Dist, t: float, eps: float) -> MixturePolicy:
    """Exact E_π[V], E_π[U] and KL(π ‖ π0) of the tail-upweighting policy (Kwa et al. 2024, Fig. 3).

    With p = P(U ≥ t): KL = ε log(ε/p) + (1−ε) log((1−ε)/(1−p)), and each mean mixes the conditional
    means on {U ≥ t} and {U < t} (the latter from E[·] = p E[·|U ≥ t] + (1−p) E[·|U < t]). For heavy-tailed
    X and ε = t^-0.8 (the paper's choice), E_π[U] → ∞ while KL → 0 and E_π[V] → E[V].
    """
    log_p = float(log_tail_probability(v, x, t)[0])
    p = math.exp(log_p)
    mv_hi = float(conditional_mean(v, x, t)[0])
    mu_hi = mv_hi + float(conditional_mean(x, v, t)[0])
    ev, eu = _mean_or_flag(v), _mean_or_flag(v) + _mean_or_flag(x)
    log1m_p = math.log1p(-p)
    mv_lo = (ev - p * mv_hi) / (1 - p)
    mu_lo = (eu - p * mu_hi) / (1 - p)
    kl = eps * (math.log(eps) - log_p) + (1 - eps) * (math.log1p(-eps) - log1m_p)
    return MixturePolicy(t, eps, p, (1 - eps) * mv_lo + eps * mv_hi, (1 - eps) * mu_lo + eps * mu_hi, kl)
