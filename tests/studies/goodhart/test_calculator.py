"""The Goodhart calculator against known answers: normal–normal closed forms, limits, symmetry, MC."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from skeptic import goodhart as gh

V = stats.norm(0, 2)
XN = stats.norm(0, 1)
SU = math.sqrt(5)


def inverse_mills(z: np.ndarray) -> np.ndarray:
    return np.exp(stats.norm.logpdf(z) - stats.norm.logsf(z))


def test_conditional_mean_normal_normal_far_tail() -> None:
    # E[V | U ≥ t] = σ_V²/σ_U · φ(z)/S(z), z = t/σ_U, up to 20 SDs (P ≈ 1e-89)
    z = np.array([-3.0, 0.0, 1.0, 5.0, 10.0, 20.0])
    got = gh.conditional_mean(V, XN, z * SU)
    want = 4 / SU * inverse_mills(z)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    np.testing.assert_allclose(gh.log_tail_probability(V, XN, z * SU), stats.norm.logsf(z), rtol=1e-10)


def test_conditional_mean_u_and_identity() -> None:
    z = np.array([0.0, 4.0, 15.0])
    np.testing.assert_allclose(gh.conditional_mean_u(V, XN, z * SU), SU * inverse_mills(z), rtol=1e-10)
    u = np.array([-20.0, -1.0, 2.0, 40.0])
    np.testing.assert_allclose(gh.conditional_mean_at(V, XN, u), 0.8 * u, rtol=1e-10)


def test_best_of_n_normal_normal_known_values() -> None:
    # E[max of 2 std normals] = 1/√π, of 3 = 3/(2√π); best-of-n E[V] = σ_V²/σ_U · E[max of n]
    got = gh.best_of_n(V, XN, [1, 2, 3])
    np.testing.assert_allclose(got, [0, 4 / SU / math.sqrt(math.pi), 4 / SU * 1.5 / math.sqrt(math.pi)], atol=1e-10)
    gu = gh.best_of_n_u(V, XN, [2])
    assert gu[0] == pytest.approx(SU / math.sqrt(math.pi), rel=1e-10)


@pytest.mark.slow
def test_best_of_n_large_n_against_quad() -> None:
    for n in (4**10, 4**12):
        f = lambda z, n=n: z * n * math.exp((n - 1) * stats.norm.logcdf(z) + stats.norm.logpdf(z))  # noqa: E731
        c = stats.norm.isf(1 / n)
        emax = integrate.quad(f, c - 3, c + 3, limit=400, epsabs=0, epsrel=1e-13)[0]
        assert gh.best_of_n(V, XN, [n])[0] == pytest.approx(4 / SU * emax, rel=1e-8)


def test_best_of_n_normalization_and_n1() -> None:
    for name in gh.PAPER_ERRORS:
        x = gh.error(name)
        g = gh.u_grid(V, x, n_max=2.0**16)
        assert np.max(np.abs(gh.best_of_n_normalization(g, [1, 16, 2**16]) - 1)) < 1e-9
        assert abs(gh.best_of_n(V, x, [1], g)[0]) < 1e-9  # E[V] = 0


def test_heavy_tail_falls_back_and_matches_quad() -> None:
    x = gh.error("t3")
    for t in (1.0, 5.0, 30.0):
        p = integrate.quad(lambda z, t=t: V.pdf(z) * x.sf(t - z), -40, 40, points=[0, t], limit=400)[0]
        a = integrate.quad(lambda z, t=t: z * V.pdf(z) * x.sf(t - z), -40, 40, points=[0, t], limit=400)[0]
        assert gh.conditional_mean(V, x, t)[0] == pytest.approx(a / p, rel=1e-8)
    # Theorem 5: E[V | U ≥ t] ≈ E[V] + 3σ_V²/t for t-tails: small at t = 1e4
    assert 0 < gh.conditional_mean(V, x, 1e4)[0] < 0.01


def test_exponential_boundary_limit() -> None:
    # X = Exp(1) − 1: E[V | U ≥ t] → μ_V + λσ_V² = 4
    assert gh.conditional_mean(V, gh.error("exponential"), 60.0)[0] == pytest.approx(4.0, rel=1e-9)


def test_symmetry_swapping_v_and_x() -> None:
    # normal–normal: E[X | U ≥ t] = σ_X²/σ_U² · E[U | U ≥ t]
    t = 3.0
    assert gh.conditional_mean(XN, V, t)[0] == pytest.approx(0.2 * SU * inverse_mills(np.array(t / SU))[()], rel=1e-10)
    # swapping the roles of two identical distributions changes nothing
    w = stats.t(4)
    assert gh.conditional_mean(w, stats.t(4), 2.0)[0] == pytest.approx(
        0.5 * gh.conditional_mean_u(w, w, 2.0)[0], rel=1e-10
    )


def test_quantile_and_quantilizer() -> None:
    q = np.array([0.5, 1e-3, 1e-50])
    np.testing.assert_allclose(gh.quantile_u(V, XN, q), SU * stats.norm.isf(q), rtol=1e-10, atol=1e-12)
    assert gh.quantilizer(V, XN, [0.01])[0] == pytest.approx(4 / SU * inverse_mills(stats.norm.isf(0.01)), rel=1e-9)
    np.testing.assert_allclose(gh.kl_quantilizer([1.0, 0.5]), [0.0, math.log(2)])
    np.testing.assert_allclose(gh.kl_best_of_n([1, 2]), [0.0, math.log(2) - 0.5])


@pytest.mark.slow
def test_tilt_closed_form_and_heavy_tail_error() -> None:
    tl = gh.tilted(V, XN, 0.5)
    assert tl.mean_v == pytest.approx(8.0, rel=1e-10)  # σ_V²/β
    assert tl.kl == pytest.approx(5 / (2 * 0.25), rel=1e-10)  # σ_U²/(2β²)
    tr = gh.tilted_truncated(V, XN, 0.5, 1e3)
    assert tr.mean_v == pytest.approx(8.0, rel=1e-9)
    with pytest.raises(gh.InfiniteNormalizerError):
        gh.tilted(V, gh.error("t3"), 1.0)
    with pytest.raises(gh.InfiniteNormalizerError):
        gh.tilted(V, gh.error("exponential"), 1.0)  # E[e^X] = ∞ at λ = 1 exactly
    assert gh.tilted(V, gh.error("exponential"), 2.0).mean_v == pytest.approx(4 / 2, rel=1e-8)
    # truncated tilt of a heavy-tailed X: true utility falls back toward E[V] = 0 as c grows
    x = gh.error("t3")
    evs = [gh.tilted_truncated(V, x, 1.0, c).mean_v for c in (10.0, 100.0)]
    assert evs[1] < evs[0]


def test_infinite_and_undefined_means() -> None:
    assert gh.conditional_mean(stats.levy(), XN, 1.0)[0] == math.inf
    assert gh.best_of_n(stats.levy(), XN, [4])[0] == math.inf
    with pytest.raises(gh.UndefinedError):
        gh.conditional_mean(stats.cauchy(), XN, 1.0)
    # a Lévy *error* is fine for E[V]
    assert math.isfinite(gh.conditional_mean(V, stats.levy(), 3.0)[0])


@pytest.mark.parametrize("name", ["normal", "t3", "lognormal", "levy"])
def test_exact_agrees_with_monte_carlo(name: str) -> None:
    x = gh.error(name)
    rng = np.random.default_rng(1)
    est = gh.mc_conditional_mean(V, x, SU, 400_000, rng)
    assert abs(est.value - gh.conditional_mean(V, x, SU)[0]) < 4 * est.se
    if name != "levy":
        b, _ = gh.mc_best_of_n(V, x, 64, 4000, rng)
        assert abs(b.value - gh.best_of_n(V, x, [64])[0]) < 4 * b.se


def test_upweighted_tail_policy() -> None:
    pol = gh.upweighted_tail(V, gh.error("t3"), 1e6, 1e6**-0.8)
    assert pol.kl < 1e-3 and pol.mean_u > 10 and abs(pol.mean_v) < 1e-3
    # ε = p reproduces the base distribution: KL = 0
    p = math.exp(gh.log_tail_probability(V, XN, 2.0)[0])
    assert gh.upweighted_tail(V, XN, 2.0, p).kl == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    "dist",
    [
        stats.norm(0, 2),
        stats.norm(-1.5, 0.3),
        stats.t(3, scale=math.sqrt(1 / 3)),
        stats.t(10, loc=1, scale=1.6),
        stats.lognorm(math.log(2.0), loc=-1.0),
        stats.lognorm(1.0, loc=-0.5, scale=0.8),
    ],
)
def test_fast_log_functions_match_scipy(dist: object) -> None:
    from skeptic.studies.goodhart.calculator import _fast_log, _fast_logpdf

    y = np.concatenate([np.linspace(-50, 50, 201), [-1e150, 1e150, 0.0, -1.0, np.inf, -np.inf]])
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(_fast_logpdf(dist)(y), dist.logpdf(y), rtol=1e-13, atol=1e-13)  # type: ignore[attr-defined]
        # the tails use scipy's own expressions on either side of the median: bit-identical, far tails included
        np.testing.assert_array_equal(_fast_log(dist, "sf")(y), dist.logsf(y))  # type: ignore[attr-defined]
        np.testing.assert_array_equal(_fast_log(dist, "cdf")(y), dist.logcdf(y))  # type: ignore[attr-defined]
    gum = stats.gumbel_r(0.3)  # other families fall back to scipy's own functions
    for what in ("pdf", "sf", "cdf"):
        np.testing.assert_array_equal(
            _fast_log(gum, what)(np.array([0.5, 2.0])), getattr(gum, "log" + what)([0.5, 2.0])
        )


@pytest.mark.parametrize("name", ["normal", "t3", "lognormal"])
def test_skipping_panels_by_their_bounds_changes_nothing(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The convolution skips panels whose tabulated upper bound is below e^-60 of a partial sum; every panel kept
    (an infinite margin) must give the same answers to rounding, 20 SD out and on the best-of-n grid."""
    from skeptic.studies.goodhart import calculator as calc

    x = gh.error(name)
    t = np.linspace(-1.0, 20.0, 15) * math.sqrt(5.0)
    n = 2.0 ** np.arange(0, 21)
    pruned = (gh.conditional_mean(V, x, t), gh.log_tail_probability(V, x, t), gh.best_of_n(V, x, n))
    monkeypatch.setattr(calc, "_PRUNE_MARGIN", math.inf)
    full = (gh.conditional_mean(V, x, t), gh.log_tail_probability(V, x, t), gh.best_of_n(V, x, n))
    for a, b in zip(pruned, full, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


def test_frozen_matches_scipy_stats_bit_for_bit() -> None:
    """The paper's distributions without scipy.stats: quantiles, median, support and mean equal scipy's exactly,
    the log functions equal the calculator's scipy fast path exactly, and anything else is scipy's own."""
    from scipy import stats

    from skeptic.studies.goodhart import calculator as calc
    from skeptic.studies.goodhart import distributions as dist

    pairs = [
        (dist.true_utility(), stats.norm(0, 2)),
        (dist.heavy_true_utility(), stats.t(10, scale=2 * np.sqrt(0.8))),
        (dist.error("t3"), stats.t(3, scale=np.sqrt(1 / 3))),
        (dist.error("lognormal"), stats.lognorm(np.log(2), loc=-1.0)),
    ]
    q = np.concatenate([[0.0, 1.0, 0.5, -0.1, 1.1, np.nan], np.logspace(-300, -1, 60), np.linspace(0.01, 0.99, 9)])
    x = np.concatenate([np.linspace(-30, 30, 61), [-1.0, -0.999, np.nan]])
    for fast, ref in pairs:
        assert isinstance(fast, dist.Frozen)
        for method in ("ppf", "isf"):
            assert np.array_equal(getattr(fast, method)(q), getattr(ref, method)(q), equal_nan=True)
        for what in ("pdf", "sf", "cdf"):
            assert np.array_equal(getattr(fast, "log" + what)(x), calc._fast_log(ref, what)(x), equal_nan=True)
        assert (fast.median(), fast.support(), fast.mean()) == (ref.median(), tuple(ref.support()), ref.mean())
        assert fast.var() == ref.var()  # delegated
        assert np.array_equal(fast.rvs(size=3, random_state=1), ref.rvs(size=3, random_state=1))
