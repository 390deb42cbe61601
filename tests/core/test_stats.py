"""core/stats.py against known answers (issue 27): every verdict's interval rests on these two functions.

Each expected value is worked by hand in the comment beside it and checked against SciPy's own implementation
(``scipy.stats.t.interval``, ``binomtest(...).proportion_ci(method="wilson")``), an independent computation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from skeptic.core.stats import largest, mean_ci, wilson_interval


def test_mean_ci_known_answer() -> None:
    # x = 1..5: mean 3, s = √2.5 = 1.58114, t(0.975, 4) = 2.776445, half = 2.776445 · 1.58114 / √5 = 1.963243
    mean, lo, hi = mean_ci([1, 2, 3, 4, 5])
    assert mean == 3.0
    assert (lo, hi) == pytest.approx((3 - 1.963243, 3 + 1.963243), abs=1e-6)
    assert (lo, hi) == pytest.approx(sps.t.interval(0.95, 4, loc=3, scale=math.sqrt(2.5) / math.sqrt(5)), abs=1e-12)


def test_mean_ci_level_and_edges() -> None:
    # 90%: t(0.95, 4) = 2.131847, half = 2.131847 · 1.58114 / √5 = 1.507443
    _, lo, hi = mean_ci([1, 2, 3, 4, 5], level=0.90)
    assert hi - 3 == pytest.approx(1.507443, abs=1e-6) and 3 - lo == pytest.approx(1.507443, abs=1e-6)
    assert mean_ci([7.5]) == (7.5, 7.5, 7.5)  # one seed: no spread to estimate, zero width
    assert mean_ci([2.0, 2.0, 2.0]) == (2.0, 2.0, 2.0)
    with pytest.raises(ValueError, match="no samples"):
        mean_ci([])


def test_mean_ci_covers_the_mean_at_its_level() -> None:
    """Over 4,000 samples of 5 normals the 95% interval covers the true mean 95% ± 1.4% of the time (4 SE)."""
    rng = np.random.default_rng(0)
    covered = sum(lo <= 1.0 <= hi for _, lo, hi in (mean_ci(rng.normal(1.0, 2.0, 5)) for _ in range(4000)))
    assert abs(covered / 4000 - 0.95) < 4 * math.sqrt(0.95 * 0.05 / 4000)


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [
        (0, 10, 0.0, 0.277533),  # upper end z²/(n + z²) = 3.841459 / 13.841459
        (5, 10, 0.236593, 0.763407),  # centre 1/2, half = z·√(0.025 + z²/400) / (1 + z²/10)
        (10, 10, 0.722467, 1.0),  # symmetric to 0 of 10
        (81, 263, 0.255289, 0.366210),  # p̂ = 0.308: centre 0.310749, half 0.055461 by the same formula
    ],
)
def test_wilson_interval_known_answers(k: int, n: int, lo: float, hi: float) -> None:
    p, got_lo, got_hi = wilson_interval(k, n)
    assert p == k / n
    assert (got_lo, got_hi) == pytest.approx((lo, hi), abs=1e-6)
    ref = sps.binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert (got_lo, got_hi) == pytest.approx((ref.low, ref.high), abs=1e-12)


def test_wilson_interval_level_and_bad_input() -> None:
    _, lo99, hi99 = wilson_interval(5, 10, level=0.99)
    _, lo95, hi95 = wilson_interval(5, 10)
    assert lo99 < lo95 and hi99 > hi95  # a higher level is wider
    with pytest.raises(ValueError, match="positive"):
        wilson_interval(0, 0)


def test_largest_reads_nan_as_infinite_wherever_it_sits() -> None:
    """Python's max keeps the first of incomparable values, so max(0.1, nan) is 0.1 and a probe checking
    ``max(gaps) <= tol`` passes on a NaN gap; ``largest`` must fail it wherever the NaN is."""
    nan = float("nan")
    assert max(0.1, nan) == 0.1  # the trap
    for gaps in ([nan, 0.1], [0.1, nan], [0.0, 0.2, nan, 0.1]):
        assert largest(gaps) == math.inf
    assert largest([0.3, 0.1, 0.2]) == 0.3
    assert largest([-2.0, -1.0]) == -1.0
    assert largest([]) == 0.0
    assert largest([], empty=math.inf) == math.inf
    assert largest(iter([1, 2])) == 2.0
