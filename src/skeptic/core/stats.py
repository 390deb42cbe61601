"""Small statistics helpers shared by studies: intervals over seeds and for a binomial proportion, and the largest
of a probe's gaps with a NaN read as the largest of all."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import stats as sps


def mean_ci(samples: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t interval ``mean ± t_{(1+level)/2, n-1} · s/√n``; zero width for one sample."""
    x = np.asarray(samples, dtype=float)
    if x.size == 0:
        raise ValueError("no samples")
    mean = float(x.mean())
    if x.size == 1:
        return mean, mean, mean
    half = float(sps.t.ppf((1 + level) / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return mean, mean - half, mean + half


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float, float]:
    """Wilson score interval for a binomial proportion: (p̂, lo, hi). Accurate near 0 and 1."""
    if n <= 0:
        raise ValueError("n must be positive")
    z = float(sps.norm.ppf((1 + level) / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return p, max(0.0, centre - half), min(1.0, centre + half)


def largest(values: Iterable[float], empty: float = 0.0) -> float:
    """The largest of ``values``, with any NaN read as +inf; ``empty`` when there are none.

    Python's ``max`` is blind to NaN in all but the first place (``max(0.1, nan) == 0.1``, since every comparison
    with NaN is false), so a probe that keeps ``worst = max(worst, gap)`` and checks ``worst <= tol`` passes when a
    gap is NaN. A probe's "largest disagreement" must fail on a quantity that could not be computed: hence +inf."""
    out: float | None = None
    for v in values:
        f = float(v)
        if math.isnan(f):
            return math.inf
        out = f if out is None else max(out, f)
    return empty if out is None else out
