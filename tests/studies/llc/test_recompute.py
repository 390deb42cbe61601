"""The second computation of the llc claims' quantities (``recompute.py``) on synthetic inputs with known answers."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from skeptic.core.stats import wilson_interval
from skeptic.studies.llc import recompute as rc
from skeptic.studies.llc.tms import stage_r2 as tms_stage_r2


def _rec(seed: int, step: int, k: int, llc: float, bias: float = 0.0) -> dict[str, Any]:
    return {"seed": seed, "step": step, "k": k, "llc": llc, "gradient_bias_bound": bias}


def test_transitions_read_stage_ends_at_minima() -> None:
    recs = [
        _rec(0, 1, 2, 1.0), _rec(0, 2, 2, 2.0), _rec(0, 3, 4, 3.0), _rec(0, 4, 4, 1.5), _rec(0, 5, 5, 4.0),
        _rec(1, 1, 2, 3.0), _rec(1, 2, 3, -1.0),  # not a minimum: λ̂ < 0
        _rec(2, 1, 2, 1.0), _rec(2, 2, 3, 2.0, bias=1.0),  # not a minimum: gradient bias above 5%
    ]  # fmt: skip
    # seed 0: stage ends 2.0 → 1.5 (down), 1.5 → 4.0 (up); the other seeds' boundaries are not at minima
    assert rc.transitions(recs, 0.05) == pytest.approx(wilson_interval(1, 2))
    v, lo, hi = rc.transitions(recs[5:], 0.05)
    assert np.isnan(v) and (lo, hi) == (0.0, 1.0)


def test_random_break_control_is_the_exact_mean_over_placements() -> None:
    y = [0.1, 0.3, 2.0, 2.2, 2.1, 4.0]
    recs = [_rec(0, i, k, v) for i, (k, v) in enumerate(zip([1, 1, 2, 2, 2, 3], y, strict=True))]
    ((mu, sd),) = rc.random_break_control(recs)
    every = [rc._segment_r2(np.array(y), [0, *c]) for c in itertools.combinations(range(1, 6), 2)]
    assert mu == pytest.approx(np.mean(every)) and sd == pytest.approx(np.std(every))
    r2, excess = tms_stage_r2(recs, draws=4000, seed=3)  # the study's Monte Carlo version converges to it
    assert rc.stage_r2(recs) == pytest.approx(r2)
    assert excess[0] == pytest.approx(r2[0] - mu, abs=5 * sd / np.sqrt(4000))


def test_family_error_and_degeneracy_from_chains() -> None:
    table = [
        {"family": "regular", "exact": 3.0, "d": 6, "chain_llcs": [3.2, 3.4, 3.3, 3.3]},
        {"family": "regular", "exact": 12.0, "d": 24, "chain_llcs": [11.0, 11.0, 10.9, 11.1]},
        {"family": "deep linear network", "exact": 6.5, "d": 48, "chain_llcs": [7.0, 7.2, 6.8, 7.0]},
    ]
    v, lo, hi = rc.worst_family_error(table, "regular")
    assert lo == pytest.approx(max(0.0, 0.1 - 1.96 * np.std([3.2, 3.4, 3.3, 3.3], ddof=1) / 2 / 3))
    se = np.std([3.2, 3.4, 3.3, 3.3], ddof=1) / 2
    assert v == pytest.approx(0.1) and hi == pytest.approx(0.1 + 1.96 * se / 3)
    assert rc.degeneracy(table)[0] == pytest.approx(7.0 / 24)
    with pytest.raises(ValueError):
        rc.worst_family_error(table, "normal crossing")
