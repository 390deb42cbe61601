"""The study end to end on the test preset, with a fake context; and the experiments' known answers."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from skeptic.studies.goodhart import experiments as exp

sys.path.insert(0, str(Path(__file__).parent))


def test_dependent_example_limit_is_one() -> None:
    t = np.array([0.0, 10.0, 40.0, 200.0])
    d = exp.dependent_conditional_mean(t)
    assert np.all(np.diff(d[1:]) > 0) and d[-1] < 1 and d[-1] > 0.97  # → 1 like 1 − 4/t
    # independent N(0, 4) error grows like t/5
    assert exp.independent_conditional_mean(np.array([200.0]))[0] > 39


def test_learned_proxy_fit_recovers_slope() -> None:
    coef = exp.fit_proxies(1, 10_000, 0.0, 3, np.random.default_rng(0))
    # least-squares slope of s·e^{−s²/8} on U[−1, 1] is close to 1 − 3/40 (series to second order)
    assert np.allclose(coef[:, 1], 0.93, atol=0.01) and np.allclose(coef[:, 0], 0.0, atol=0.01)


@pytest.mark.slow
def test_test_preset_through_the_runner(tmp_path: Path) -> None:
    from skeptic.core.runner import run as run_study
    from skeptic.studies.goodhart.study import run

    result = run_study(run, preset="test", store=tmp_path / "store")
    assert all(p["passed"] for p in result.probes), [p["detail"] for p in result.probes if not p["passed"]]
    verdicts = {c["id"]: c["verdict"] for c in result.claims}
    assert verdicts["thm6-uniform-increasing"] == verdicts["thm6-weibull1.5-still-growing"] == "replicated"
    assert verdicts["thm5-t3"] == verdicts["thm5-lognormal"] == "replicated"
    assert verdicts["dependence-limit-zero"] == "not_replicated"  # the exact limit is 1, not 0
    assert verdicts["kl-light-exponential"] == "not_replicated"  # E_π[V] < σ_V²λ = 4 wherever the tilt exists
    assert verdicts["bon-t3-peaks"] == verdicts["bon-row2-declines"] == "replicated"
    assert len(result.figures) == 7
    assert len(result.frame("best_of_n")) == 6 * 65 + 97


def test_fault_catalog_injects_and_restores() -> None:
    from skeptic.studies.goodhart import calculator as calc
    from skeptic.studies.goodhart import study as st
    from skeptic.studies.goodhart.faults import FAULTS

    assert len(FAULTS) >= 8 and len({f.kind for f in FAULTS}) >= 5
    before = (calc.u_grid, calc.UGrid.log_max_weight, st.error, exp._NOISE_SD)
    for fault in FAULTS:
        with fault.inject():
            pass
    assert (calc.u_grid, calc.UGrid.log_max_weight, st.error, exp._NOISE_SD) == before
    # one fault's effect, by the invariant the normalization probe checks: n F^n f does not integrate to 1
    fault = next(f for f in FAULTS if f.id == "bon-order-statistic")
    v, x = st.true_utility(2.0), st.error("normal")
    g = calc.u_grid(v, x, n_max=16.0)
    with fault.inject():
        assert calc.best_of_n_normalization(g, [4.0])[0] == pytest.approx(0.8, rel=1e-6)  # ∫ n F^n f = n/(n+1)
