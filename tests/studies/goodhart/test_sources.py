"""Known answers for the study's new math: Gao et al.'s fits, Taylor's bound, Kwa's asymptote, the paper's setup."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from skeptic import goodhart as gh
from skeptic.studies.goodhart import experiments as exp
from skeptic.studies.goodhart import quantilizer_bound as qb
from skeptic.studies.goodhart.claims import SETUP_SPEC

V = stats.norm(0, 2)


@pytest.mark.parametrize(("form", "alpha", "beta"), [("bon", 3.0, 0.7), ("rl", 2.5, 1.2), ("bon", 1.0, -0.2)])
def test_gao_fit_recovers_known_coefficients(form: str, alpha: float, beta: float) -> None:
    d = np.sqrt(gh.kl_best_of_n(np.exp2(np.arange(0, 65) / 4)))
    g = d**2 if form == "bon" else np.where(d > 0, d * np.log(np.where(d > 0, d, 1)), 0)
    a, b, rel = exp.fit_gao(d, alpha * d - beta * g, form)
    assert a == pytest.approx(alpha, rel=1e-10) and b == pytest.approx(beta, rel=1e-9) and rel < 1e-12


def test_gao_fit_quality_sees_the_wrong_shape() -> None:
    # a curve that rises then falls back to 0 like e^{-d}·d² is not d(α − βd): residuals of order 0.1 of its range
    d = np.linspace(0, 4, 60)
    _, _, rel = exp.fit_gao(d, d**3 * np.exp(-2 * d), "bon")
    assert rel > 0.05
    with pytest.raises(ValueError, match="unknown form"):
        exp.fit_gao(d, d, "ppo")


def test_taylor_bound_is_tight_on_the_cost_in_the_top_q() -> None:
    # c = 1{U ≥ u_q}: E_q[c] = 1 and E_π0[c]/q = P(U ≥ u_q)/q = 1, the bound holds with equality. The joint tail
    # P(X ≥ a, U ≥ u_q) tends to that cost's mean as a → −∞ (here a at X's 1e-12 quantile).
    x = gh.error("t3")
    q = 0.01
    u_q = float(gh.quantile_u(V, x, [q])[0])
    s_u = math.exp(float(gh.log_tail_probability(V, x, u_q)[0]))
    assert s_u / q == pytest.approx(1.0, rel=1e-9)
    assert qb.joint_tail(V, x, float(x.ppf(1e-12)), u_q) / q == pytest.approx(1.0, rel=1e-6)


def test_error_cost_ratio_normal_normal_and_monte_carlo() -> None:
    # independent X = N(0,1): P(X ≥ a, V + X ≥ b) by 2-d quadrature of the bivariate normal (X, U), corr 1/√5
    x = stats.norm()
    q = 0.05
    u_q = math.sqrt(5) * stats.norm.isf(q)
    a = stats.norm.isf(q)
    biv = stats.multivariate_normal([0, 0], [[1, 1], [1, 5]])
    joint = 1 - stats.norm.cdf(a) - stats.norm.cdf(u_q / math.sqrt(5)) + biv.cdf([a, u_q])
    assert qb.error_cost_ratio(V, x, q, u_q) == pytest.approx(joint / q, rel=1e-6)
    p, se = qb.mc_error_cost_ratio(V, x, q, 400_000, np.random.default_rng(3))
    assert abs(p - joint / q) < 4 * se


def test_taylor_ratio_heavy_tail_approaches_the_bound() -> None:
    # heavy-tailed error: the top of U is mostly error, so P(X ≥ x_q | U ≥ u_q) → 1 as q → 0; normal: → 0
    x3 = gh.error("t3")
    r = [qb.error_cost_ratio(V, x3, q, float(gh.quantile_u(V, x3, [q])[0])) for q in (1e-3, 1e-6)]
    assert r[1] > r[0] and r[1] > 0.8
    xn = gh.error("normal")
    assert qb.error_cost_ratio(V, xn, 1e-6, float(gh.quantile_u(V, xn, [1e-6])[0])) < 0.05


def test_dependent_example_approaches_its_asymptote() -> None:
    t = np.array([40.0, 100.0, 400.0])
    gap = 1 - exp.dependent_conditional_mean(t)
    want = 1 - exp.dependent_asymptote(t)
    np.testing.assert_allclose(gap, want, rtol=0.04)
    assert abs(gap[-1] / want[-1] - 1) < abs(gap[0] / want[0] - 1)  # the relative error shrinks with t


def test_setup_spec_matches_the_distributions() -> None:
    for name, (mean, var, slope) in SETUP_SPEC.items():
        x = gh.error(name)
        m, v = (float(s) for s in x.stats(moments="mv"))
        assert m == pytest.approx(mean, rel=1e-9, abs=1e-12) and v == pytest.approx(var, rel=1e-9, abs=1e-12)
        if slope is not None:
            s = (x.logsf(2e6) - x.logsf(1e6)) / math.log(2)
            assert s == pytest.approx(slope, abs=0.05)
    # the authors' lognormal: lognormal(0, ln 2) − 1, not standardized
    ln = gh.error("lognormal")
    assert float(ln.mean()) == pytest.approx(2 ** (math.log(2) / 2) - 1, rel=1e-12)


def test_exponential_tilt_exists_only_above_one_over_lambda() -> None:
    # X = Exp(1) − 1: E[e^{X/β}] < ∞ iff β > 1; E_π[V] = σ_V²/β stays below σ_V²·λ = 4
    for beta in (0.5, 1.0):
        with pytest.raises(gh.InfiniteNormalizerError):
            gh.tilted(V, gh.error("exponential"), beta)
    assert gh.tilted(V, gh.error("exponential"), 1.01).mean_v == pytest.approx(4 / 1.01, rel=1e-8)


def test_light_tails_other_than_normal_keep_rising() -> None:
    # Theorem 6's conclusion on uniform and Weibull(1.5) errors; exponential levels off at σ_V²λ = 4
    t = np.array([10.0, 20.0, 40.0])
    for name in ("uniform", "weibull1.5"):
        ev = gh.conditional_mean(V, gh.error(name), t)
        assert np.all(np.diff(ev) > 1.0)
    ev = gh.conditional_mean(V, gh.error("exponential"), t)
    assert np.all(np.abs(ev - 4) < 0.05)
