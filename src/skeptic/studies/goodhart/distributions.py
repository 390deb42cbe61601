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

import numpy as np
from scipy import special

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


class Frozen:
    """A frozen normal, Student-t or lognormal distribution with the ``scipy.stats`` interface, built without
    importing ``scipy.stats``: that import is ~1 s of CPU, more than the exact best-of-n figure takes to compute,
    and the calculator needs only ``scipy.special``. ``ppf``/``isf``/``median``/``support`` and the log density,
    survival and distribution functions are computed here with scipy's own expressions (``ndtri``, ``stdtrit``,
    ``log_ndtr``, ``stdtr``; see :meth:`logpdf`); every other attribute (``rvs``, ``stats``, ``dist``, ``args``,
    ...) is the real ``scipy.stats`` object's, built on first use.

    ``family`` is scipy's name (``"norm"``, ``"t"``, ``"lognorm"``), ``shapes`` its shape parameters (ν; s).
    """

    FAMILIES = ("norm", "t", "lognorm")

    def __init__(self, family: str, shapes: tuple[float, ...] = (), loc: float = 0.0, scale: float = 1.0) -> None:
        if family not in self.FAMILIES or scale <= 0:
            raise ValueError(f"Frozen supports {', '.join(self.FAMILIES)} with scale > 0, not {family!r}")
        self.family, self.shapes = family, tuple(float(a) for a in shapes)
        self.loc, self.scale = float(loc), float(scale)
        self._scipy: Any = None

    @classmethod
    def of(cls, dist: Any) -> Frozen | None:
        """The :class:`Frozen` equal to a frozen ``scipy.stats`` distribution of a supported family, else None."""
        if isinstance(dist, Frozen):
            return dist
        family = getattr(getattr(dist, "dist", None), "name", None)
        if family not in cls.FAMILIES:
            return None
        shapes, loc, scale = dist.dist._parse_args(*dist.args, **dist.kwds)
        return cls(family, tuple(float(a) for a in shapes), float(loc), float(scale))

    @property
    def scipy(self) -> Any:
        """The equal ``scipy.stats`` frozen distribution (importing ``scipy.stats`` the first time)."""
        if self._scipy is None:
            from scipy import stats

            self._scipy = getattr(stats, self.family)(*self.shapes, loc=self.loc, scale=self.scale)
        return self._scipy

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("family", "shapes", "loc", "scale", "_scipy"):
            raise AttributeError(name)
        return getattr(self.scipy, name)

    def __repr__(self) -> str:
        shapes = "".join(f"{a}, " for a in self.shapes)
        return f"{self.family}({shapes}loc={self.loc}, scale={self.scale})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Frozen, (self.family, self.shapes, self.loc, self.scale))

    def support(self) -> tuple[float, float]:
        return (self.loc if self.family == "lognorm" else -math.inf, math.inf)

    def _standard_ppf(self, q: Any, upper: bool) -> Any:
        """The standardized quantile at lower-tail probability q (upper tail when ``upper``), scipy's ``_ppf`` and
        ``_isf`` of each family."""
        if self.family == "norm":
            return -special.ndtri(q) if upper else special.ndtri(q)
        if self.family == "t":
            return -special.stdtrit(self.shapes[0], q) if upper else special.stdtrit(self.shapes[0], q)
        return np.exp(self.shapes[0] * (-special.ndtri(q) if upper else special.ndtri(q)))

    def _quantile(self, q: Any, upper: bool) -> Any:
        """scipy's ``rv_continuous.ppf``/``isf``: NaN outside [0, 1], the support's ends at 0 and 1."""
        q = np.asarray(q, dtype=float)
        lo, hi = self.support()
        out = np.full(q.shape, np.nan)
        inside = (q > 0) & (q < 1)
        if np.any(inside):
            out[inside] = self._standard_ppf(q[inside], upper) * self.scale + self.loc
        out[q == 0] = hi if upper else lo
        out[q == 1] = lo if upper else hi
        return out[()] if out.ndim == 0 else out

    def ppf(self, q: Any) -> Any:
        return self._quantile(q, upper=False)

    def isf(self, q: Any) -> Any:
        return self._quantile(q, upper=True)

    def median(self) -> float:
        return float(self.ppf(0.5))

    def mean(self) -> float:
        if self.family == "norm" or (self.family == "t" and self.shapes[0] > 1):
            return self.loc
        if self.family == "lognorm":  # scipy's _stats: μ = √(exp(s²)), then μ·scale + loc
            return float(np.sqrt(np.exp(self.shapes[0] * self.shapes[0])) * self.scale + self.loc)
        return float(self.scipy.mean())

    def logpdf(self, x: Any) -> Any:
        """log f, log S, log F (:meth:`logsf`, :meth:`logcdf`) as plain NumPy, the formulas scipy uses without its
        generic wrapper (argument checks, ``apply_where`` splits, ``place`` copies: 2-14x the special function).
        With z = (x − loc)/σ:

        - normal: log f = −z²/2 − log(σ√(2π)); log S = log Φ(−z); log F = log Φ(z) (``special.log_ndtr``);
        - Student-t: log f = log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ) − log σ − (ν+1)/2·log1p(z²/ν); with
          p = T_ν(−|z|) (``special.stdtr``, the smaller tail, accurate to the float range): log S = log p for z > 0
          and log1p(−p) otherwise, log F the mirror image (scipy evaluates the same expressions on either side of
          the median, so the results are bit-identical);
        - lognormal (shape s): w = log z / s, log f = −w²/2 − log(s z σ √(2π)), log S = log Φ(−w), log F = log Φ(w)
          for z > 0; below the support log f = log F = −∞ and log S = 0.
        """
        return self._log(x, "pdf")

    def logsf(self, x: Any) -> Any:
        return self._log(x, "sf")

    def logcdf(self, x: Any) -> Any:
        return self._log(x, "cdf")

    def _log(self, x: Any, what: str) -> Any:
        z = (np.asarray(x, dtype=float) - self.loc) / self.scale
        if self.family == "norm":
            if what == "pdf":
                return -math.log(self.scale * math.sqrt(2 * math.pi)) - 0.5 * z**2
            return special.log_ndtr(-z if what == "sf" else z)
        if self.family == "t":
            nu = self.shapes[0]
            if what == "pdf":
                c = special.gammaln((nu + 1) / 2) - special.gammaln(nu / 2) - 0.5 * math.log(nu * math.pi)
                return c - math.log(self.scale) - 0.5 * (nu + 1) * np.log1p(z * z / nu)
            p = special.stdtr(nu, -np.abs(z))  # the smaller of the two tails
            far = z > 0 if what == "sf" else z < 0
            with np.errstate(divide="ignore"):
                return np.where(far, np.log(p), np.log1p(-p))
        s_shape = self.shapes[0]
        inside = z > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            lz = np.log(np.where(inside, z, 1.0))
            w = lz / s_shape
            if what == "pdf":
                c_ln = -math.log(s_shape * self.scale * math.sqrt(2 * math.pi))
                out = np.where(inside, c_ln - lz - 0.5 * w * w, -np.inf)
            elif what == "sf":
                out = np.where(inside, special.log_ndtr(-w), 0.0)
            else:
                out = np.where(inside, special.log_ndtr(w), -np.inf)
            return np.where(np.isnan(z), np.nan, out)


def family_name(dist: Any) -> str | None:
    """scipy's name of ``dist``'s family (``"norm"``, ``"t"``, ...), without importing ``scipy.stats`` for a
    :class:`Frozen`; None for an object that is neither."""
    if isinstance(dist, Frozen):
        return dist.family
    name = getattr(getattr(dist, "dist", None), "name", None)
    return None if name is None else str(name)


def _stats() -> Any:
    from scipy import stats

    return stats


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
    return Frozen("norm", (), 0.0, sigma_v)


def heavy_true_utility(sigma_v: float = SIGMA_V) -> Any:
    """The paper's second row: V = σ_V · t10/√(10/8), a t10 with SD σ_V."""
    return Frozen("t", (10,), 0.0, sigma_v * math.sqrt(8 / 10))


def error(name: str) -> Any:
    """The error distribution X called ``name`` (one of :data:`TAIL_ERRORS`)."""
    if name == "normal":
        return Frozen("norm", (), 0.0, 1.0)
    if name == "t3":
        return Frozen("t", (3,), 0.0, math.sqrt(1 / 3))
    if name == "t5":
        return Frozen("t", (5,), 0.0, math.sqrt(3 / 5))
    if name == "lognormal":
        return Frozen("lognorm", (LOGNORMAL_SHAPE,), -1.0, 1.0)
    stats = _stats()
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
