"""The batched SGLD estimator against exact answers, and its diagnostics."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

from skeptic import llc
from skeptic.studies.llc import estimator, experiments, models


@pytest.fixture(autouse=True)
def _one_thread() -> object:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield None
    torch.set_num_threads(threads)


def _linear(n: int = 500, seed: int = 0) -> models.Problem:
    return models.regular_problem(2, 1, n, torch.Generator().manual_seed(seed))


def test_regular_model_matches_the_exact_discrete_langevin_target() -> None:
    p = _linear()
    nb = llc.default_nbeta(500)
    eps = 0.1 / nb
    est = llc.estimate_llc(
        p.model,
        llc.gaussian_nll,
        p.data,
        epsilon=eps,
        gamma=1.0,
        num_chains=8,
        num_draws=1500,
        num_burnin=200,
        batch_size=500,
        warn=False,
    )
    target = experiments.regular_target(p, nb, 1.0, eps)
    assert target == pytest.approx(1.0, rel=0.05)  # ≈ d/2 = 1
    assert abs(est.mean - target) < 4 * est.std_error + 0.03
    assert est.std_error > 0 and len(est.chain_llcs) == 8
    assert est.loss_traces.shape == (8, 1700)


def test_regular_target_tends_to_half_d() -> None:
    p = _linear(n=2000)
    assert experiments.regular_target(p, 1e6, 1e-6, 1e-12) == pytest.approx(1.0, rel=1e-4)


def test_normal_crossing_quadrature_matches_closed_form_for_a_quadratic() -> None:
    # K = ½ ex2 w² (power 1): under exp(−nβK − γw²/2), E[nβK] = ½ nβ ex2 / (nβ ex2 + γ)
    nb, ex2, gamma = 300.0, 1.3, 10.0
    got = experiments.normal_crossing_target([0, 1], ex2, nb, gamma)
    assert got == pytest.approx(0.5 * nb * ex2 / (nb * ex2 + gamma), rel=1e-4)


def test_estimate_is_reproducible_and_chains_are_independent() -> None:
    p = _linear()
    kw = {"num_chains": 4, "num_draws": 100, "num_burnin": 20, "seed": 3, "warn": False}
    a = llc.estimate_llc(p.model, llc.gaussian_nll, p.data, **kw)  # type: ignore[arg-type]
    b = llc.estimate_llc(p.model, llc.gaussian_nll, p.data, **kw)  # type: ignore[arg-type]
    assert np.array_equal(a.chain_llcs, b.chain_llcs)
    assert len(set(np.round(a.chain_llcs, 12))) == 4


def test_model_parameters_are_not_modified() -> None:
    p = _linear()
    before = p.model.w.detach().clone()
    llc.estimate_llc(p.model, llc.gaussian_nll, p.data, num_chains=2, num_draws=20, num_burnin=0, warn=False)
    assert torch.equal(before, p.model.w.detach())


def test_parameter_swap_gives_functional_calls_numbers_and_leaves_the_model_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from skeptic.studies.llc import estimator

    g = torch.Generator().manual_seed(0)
    p = experiments.build_problem("dln", (3, 4, 4, 3), 1, 400, g)  # a ParameterList: names like "layers.0"
    before = [w.detach().clone() for w in p.model.parameters()]
    kw = {"epsilon": torch.full((3,), 1e-3), "nbeta": torch.full((3,), 60.0), "gamma": torch.full((3,), 10.0)}

    def chains() -> tuple[np.ndarray, np.ndarray]:
        return estimator.sgld_chains(
            p.model,
            llc.gaussian_nll,
            p.data,
            num_steps=30,
            batch_size=64,
            generator=torch.Generator().manual_seed(1),
            **kw,  # type: ignore[arg-type]
        )

    swapped = chains()
    assert all(isinstance(w, torch.nn.Parameter) for w in p.model.parameters())
    assert all(torch.equal(a, b.detach()) for a, b in zip(before, p.model.parameters(), strict=True))
    monkeypatch.setattr(estimator, "_parameter_slots", lambda model, names: None)  # functional_call's path
    called = chains()
    assert np.array_equal(swapped[0], called[0]) and np.array_equal(swapped[1], called[1])


def test_tied_parameters_take_functional_calls_path() -> None:
    from skeptic.studies.llc import estimator

    class Tied(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = torch.nn.Linear(2, 2, bias=False)
            self.b = torch.nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

    tied = Tied()
    assert estimator._parameter_slots(tied, ["a.weight"]) is None
    untied = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 1))
    slots = estimator._parameter_slots(untied, ["0.weight", "1.bias"])
    assert slots == [(untied[0], "weight"), (untied[1], "bias")]


def test_starting_off_the_minimum_warns() -> None:
    p = _linear()
    with torch.no_grad():
        p.model.w += 0.3
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = llc.estimate_llc(p.model, llc.gaussian_nll, p.data, num_chains=2, num_draws=100, num_burnin=20)
    assert est.gradient_bias_bound > 1.0
    assert any("minimum" in str(w.message) for w in caught)
    assert est.mean < 0  # the chains slide downhill: the estimate is meaningless, and says so
    assert any("negative estimate" in m for m in est.warnings)


def test_too_large_a_step_lowers_the_mala_acceptance() -> None:
    p = _linear()
    nb = llc.default_nbeta(500)
    kw = {"num_chains": 2, "num_draws": 100, "num_burnin": 250, "warn": False}
    small = llc.estimate_llc(p.model, llc.gaussian_nll, p.data, epsilon=0.03 / nb, **kw)  # type: ignore[arg-type]
    big = llc.estimate_llc(p.model, llc.gaussian_nll, p.data, epsilon=2.0 / nb, **kw)  # type: ignore[arg-type]
    assert small.mala_acceptance > 0.97
    assert big.mala_acceptance < small.mala_acceptance - 0.1
    assert any("MALA acceptance" in m for m in big.warnings)


def test_gelman_rubin() -> None:
    rng = np.random.default_rng(0)
    same = rng.standard_normal((4, 2000))
    assert llc.gelman_rubin(same) == pytest.approx(1.0, abs=0.01)
    shifted = same + np.arange(4)[:, None]
    assert llc.gelman_rubin(shifted) > 1.5
    assert math.isnan(llc.gelman_rubin(same[:1]))


def test_calibrate_runs_the_grid_and_picks_an_accepted_step() -> None:
    p = _linear()
    cal = llc.calibrate(p.model, llc.gaussian_nll, p.data, num_chains=2, num_draws=100, num_burnin=20)
    assert len(cal.rows) == 6
    picked = next(r for r in cal.rows if r["epsilon"] == cal.epsilon)
    assert picked["mala_acceptance"] >= 0.9 and picked["llc"] > 0
    ok = sorted((r for r in cal.rows if r["mala_acceptance"] >= 0.9 and r["llc"] > 0), key=lambda r: r["epsilon"])
    i = [r["epsilon"] for r in ok].index(cal.epsilon)
    assert i < len(ok) - 1  # the smaller member of an adjacent pair

    def change(j: int) -> float:
        return abs(ok[j + 1]["llc"] - ok[j]["llc"]) / (abs(ok[j]["llc"]) + abs(ok[j + 1]["llc"]))

    assert change(i) == min(change(j) for j in range(len(ok) - 1))  # the flattest step of λ̂ over ε


def test_default_nbeta() -> None:
    assert llc.default_nbeta(1000) == pytest.approx(1000 / math.log(1000))
    with pytest.raises(ValueError):
        llc.default_nbeta(1)


def test_an_independent_sequential_implementation_agrees() -> None:
    from skeptic.studies.llc.crosscheck import sequential_llc

    p = models.dln_problem((3, 2, 3), 1, 500, torch.Generator().manual_seed(4))
    nb = llc.default_nbeta(500)
    kw = {
        "epsilon": 0.1 / nb,
        "nbeta": nb,
        "gamma": 10.0,
        "num_chains": 4,
        "num_draws": 400,
        "num_burnin": 100,
        "batch_size": 500,
    }
    ours = llc.estimate_llc(p.model, llc.gaussian_nll, p.data, seed=1, warn=False, **kw)  # type: ignore[arg-type]
    ref = sequential_llc(p.model, llc.gaussian_nll, p.data, seed=2, use_devinterp=False, **kw)  # type: ignore[arg-type]
    assert ref["reference"].startswith("plain-torch")
    assert abs(ours.mean - ref["llc"]) < 4 * math.hypot(ours.std_error, ref["llc_se"]) + 0.05 * p.exact


def test_chain_length_follows_the_relaxation_time() -> None:
    assert llc.relaxation_time(1e-3, 10.0) == pytest.approx(100.0)
    assert llc.auto_chain_length(1e-3, 10.0) == (300, 1000)  # 3τ burn-in, at least 1000 draws
    assert llc.auto_chain_length(1e-5, 10.0) == (30_000, 10_000)
    assert llc.auto_chain_length(1.0, 10.0) == (250, 1000)  # never below the old defaults
    with pytest.raises(llc.LLCNotConverged, match="gamma"):
        llc.auto_chain_length(1e-3, 0.0)


@pytest.mark.parametrize(
    ("widths", "rank"),
    [((4, 3, 5), 1), ((5, 2, 4), 1), ((4, 3, 3, 4), 1), ((3, 4, 5, 3), 2)],
    ids=["rrr-4-3-5", "rrr-5-2-4", "dln-4-3-3-4", "dln-3-4-5-3"],
)
def test_defaults_are_within_20_percent_of_the_exact_lambda_or_refuse(widths: tuple[int, ...], rank: int) -> None:
    # reduced-rank regressions and deep linear networks in neither validation table nor the development set; the
    # exact λ is the study's (Aoyagi & Watanabe 2005; Aoyagi 2024). With the fixed 250-step burn-in of the previous
    # defaults, 4-3-3-4 came out 20% low (4.39 for 5.5) with the relaxation-time warning.
    p = models.dln_problem(widths, rank, 2000, torch.Generator().manual_seed(11))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the defaults must not need a warning to be read correctly
        try:
            est = llc.estimate_llc(p.model, llc.gaussian_nll, p.data)
        except llc.LLCNotConverged as refusal:
            assert any(k in str(refusal) for k in ("num_burnin", "nbeta", "gamma"))  # a refusal names what to raise
            return
    assert est.num_burnin >= 3 * llc.relaxation_time(est.epsilon, est.gamma)
    assert abs(est.mean / p.exact - 1) <= 0.2
    assert abs(est.gamma_sensitivity) <= 0.2 and est.nbeta_sensitivity <= 0.2


FRESH_SEED = 61803
"""Draws the shapes below. Chosen once, after the defaults were frozen (ef98b43, 5cd2cbb), and never used to tune
them: the estimator has not changed since these shapes were first run."""


def _fresh_shapes(k: int) -> list[tuple[tuple[int, ...], int, int]]:
    """k networks nobody picked: 2 to 4 layers, widths 2–6, true rank 1 to the narrowest width, and the seed of each
    one's weights and data, all drawn from ``FRESH_SEED``."""
    rng = np.random.default_rng(FRESH_SEED)
    out = []
    for _ in range(k):
        depth = int(rng.integers(2, 5))
        widths = tuple(int(w) for w in rng.integers(2, 7, size=depth + 1))
        rank = int(rng.integers(1, min(widths) + 1))
        out.append((widths, rank, int(rng.integers(1 << 30))))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("i", range(6))
def test_defaults_on_networks_drawn_by_a_seed_nobody_tuned_on(i: int) -> None:
    # issue 33: estimate_llc with nothing but (model, loss, data) must come within 20% of the exact λ, or refuse and
    # name what to raise. Measured 2026-12-06 (n = 2000, defaults): 5-3-5-3 r=2 6.76 for 6.5 (+4%), 2-4-3 r=1 2.67
    # for 3 (−11%), 5-4-3-5-5 r=1 6.68 for 7.5 (−11%), 6-4-6-2 r=1 4.67 for 5 (−7%), 5-3-2 r=2 4.94 for 5 (−1%),
    # 5-3-4-4-4 r=2 6.79 for 8 (−15%); none refused.
    widths, rank, seed = _fresh_shapes(6)[i]
    p = models.dln_problem(widths, rank, 2000, torch.Generator().manual_seed(seed))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            est = llc.estimate_llc(p.model, llc.gaussian_nll, p.data)
        except llc.LLCNotConverged as refusal:
            assert any(k in str(refusal) for k in ("num_burnin", "nbeta", "gamma", "epsilon"))
            return
    assert abs(est.mean / p.exact - 1) <= 0.2, (p.name, est.mean, p.exact)


def test_fresh_shapes_are_the_ones_measured() -> None:
    # the table in the test above is for exactly these draws (a change to the drawing would silently test others)
    names = [f"{'-'.join(map(str, w))}, r={r}" for w, r, _ in _fresh_shapes(6)]
    assert names == ["5-3-5-3, r=2", "2-4-3, r=1", "5-4-3-5-5, r=1", "6-4-6-2, r=1", "5-3-2, r=2", "5-3-4-4-4, r=2"]


def test_defaults_refuse_where_the_estimate_still_moves_with_the_temperature() -> None:
    # a four-layer network outside every table: converged chains give λ̂ ≈ 3.2–3.5 for λ = 5 at n = 2000 (the tempered
    # posterior's value, d log λ̂/d log nβ ≈ 0.3); the defaults refuse and name nbeta
    p = models.dln_problem((5, 3, 4, 2, 4), 1, 2000, torch.Generator().manual_seed(24))
    with pytest.raises(llc.LLCNotConverged, match="raise nbeta or n"):
        llc.estimate_llc(p.model, llc.gaussian_nll, p.data)


def test_defaults_refuse_when_the_chain_length_needed_is_too_long(monkeypatch: pytest.MonkeyPatch) -> None:
    from skeptic.studies.llc import estimator

    monkeypatch.setattr(estimator, "MAX_AUTO_STEPS", 500)
    p = models.dln_problem((4, 3, 5), 1, 2000, torch.Generator().manual_seed(11))
    with pytest.raises(llc.LLCNotConverged, match="num_burnin and num_draws"):
        llc.estimate_llc(p.model, llc.gaussian_nll, p.data)
    # set explicitly, the same call returns an estimate (with the relaxation-time warning)
    est = llc.estimate_llc(p.model, llc.gaussian_nll, p.data, num_chains=2, num_draws=50, num_burnin=10, warn=False)
    assert any("relaxation time" in w for w in est.warnings)


def test_gamma_sensitivity_matches_the_gaussian_derivative() -> None:
    # independent Gaussian draws of a quadratic loss: δ_i ~ N(0, 1/a_i), a_i = nβh_i + γ; λ̂ = Σ nβh_i/(2a_i) and
    # d λ̂/dγ = −Σ nβh_i/(2a_i²), so d log λ̂/d log γ = −γ Σ nβh/(2a²) / Σ nβh/(2a)
    from skeptic.studies.llc import estimator

    rng = np.random.default_rng(0)
    nbeta, gamma = 100.0, 10.0
    h = np.array([0.01, 0.05, 0.3, 1.0, 3.0])
    a = nbeta * h + gamma
    delta = rng.standard_normal((4, 200_000, len(h))) / np.sqrt(a)
    traces = (0.5 * h * delta**2).sum(-1)
    half_sq = (0.5 * delta**2).sum(-1)
    expect = -gamma * np.sum(nbeta * h / (2 * a**2)) / np.sum(nbeta * h / (2 * a))
    got = estimator.gamma_sensitivity(traces, half_sq, nbeta, gamma, num_burnin=0)
    assert got == pytest.approx(expect, rel=0.05)
    assert expect < -0.15  # the weakly curved directions make this estimate localization-dependent
    # a stiff direction alone (nβh = 300 ≫ γ): −γ/a, small
    stiff = estimator.gamma_sensitivity(0.5 * h[4] * delta[..., 4] ** 2, 0.5 * delta[..., 4] ** 2, nbeta, gamma, 0)
    assert stiff == pytest.approx(-gamma / a[4], rel=0.1)


# ------------------------------------------------------------------------------ preconditioned Langevin (issue 33)
def _ill_conditioned(n: int = 2000) -> tuple[models.Linear, tuple[torch.Tensor, torch.Tensor]]:
    """Linear regression 3 → 1 whose input scales (1, 0.1, 0.02) make the Hessian's curvatures 1 : 1e-2 : 4e-4."""
    g = torch.Generator().manual_seed(5)
    x = torch.randn(n, 3, generator=g).double() * torch.tensor([1.0, 0.1, 0.02], dtype=torch.float64)
    model = models.Linear(torch.randn(1, 3, generator=g).double())
    with torch.no_grad():
        return model, (x, model(x))


def _chains(
    model: torch.nn.Module,
    data: tuple[torch.Tensor, torch.Tensor],
    eps: float,
    gamma: float,
    steps: int,
    pre: torch.Tensor | None,
    chains: int = 8,
) -> tuple[np.ndarray, np.ndarray]:
    n = int(data[0].shape[0])
    e = torch.full((chains,), eps, dtype=torch.float64)
    return llc.sgld_chains(
        model,
        llc.gaussian_nll,
        data,
        epsilon=e,
        nbeta=torch.full_like(e, llc.default_nbeta(n)),
        gamma=torch.full_like(e, gamma),
        num_steps=steps,
        batch_size=n,
        generator=torch.Generator().manual_seed(3),
        preconditioner=pre,
    )


def test_preconditioned_chain_hits_the_exact_target_where_the_plain_one_has_not_relaxed() -> None:
    # On a quadratic U with Hessian A = nβH + γI and M = A⁻¹, the discretized chain is an AR(1) process with
    # coefficient 1 − ε/2 in every direction and stationary covariance A⁻¹/(1 − ε/4): λ̂ → Σ nβh/(2a)/(1 − ε/4).
    # The plain chain at the curvature rule's step relaxes along the flattest direction in 1/(ε(nβh_min + γ)) ≈ 2,300
    # steps, so after 150 burn-in + 400 draws it still misses most of that direction's ½.
    model, data = _ill_conditioned()
    n, gamma, eps = 2000, 0.1, 0.2
    nb = llc.default_nbeta(n)
    h = torch.linalg.eigvalsh(x_t_x := data[0].T @ data[0] / n).numpy()
    assert x_t_x.shape == (3, 3)
    a = nb * h + gamma
    exact_target = float(np.sum(nb * h / (2 * a)) / (1 - eps / 4))
    pre = llc.hessian_preconditioner(model, llc.gaussian_nll, data, nb, gamma)
    assert torch.allclose(pre, torch.linalg.inv(nb * x_t_x + gamma * torch.eye(3, dtype=torch.float64)), rtol=1e-8)
    traces, acc = _chains(model, data, eps, gamma, 550, pre)
    got, se = estimator.mean_and_se(estimator.chain_estimates(traces, nb, 150))
    assert abs(got - exact_target) <= 4 * se + 0.03, (got, se, exact_target)
    assert float(acc.mean()) >= 0.9
    eps_plain = llc.curvature_epsilon(model, llc.gaussian_nll, data, nb, gamma)
    plain_target = float(np.sum(nb * h / (2 * a * (1 - eps_plain * a / 4))))
    assert 1 / (eps_plain * a.min()) > 1000  # the flattest direction's relaxation time, in steps
    traces, _ = _chains(model, data, eps_plain, gamma, 550, None)
    plain, plain_se = estimator.mean_and_se(estimator.chain_estimates(traces, nb, 150))
    assert plain < plain_target - 0.25 and plain + 4 * plain_se < got


def test_preconditioner_must_be_a_symmetric_positive_definite_d_by_d_matrix() -> None:
    model, data = _ill_conditioned(200)
    with pytest.raises(ValueError, match="shape"):
        _chains(model, data, 0.1, 1.0, 2, torch.eye(4, dtype=torch.float64))
    with pytest.raises(ValueError, match="symmetric"):
        _chains(model, data, 0.1, 1.0, 2, torch.tensor([[1.0, 0.5, 0], [0, 1, 0], [0, 0, 1]], dtype=torch.float64))
    with pytest.raises(ValueError, match="positive definite"):
        _chains(model, data, 0.1, 1.0, 2, torch.diag(torch.tensor([1.0, -1.0, 1.0], dtype=torch.float64)))
    with pytest.raises(ValueError, match="floor"):
        llc.hessian_preconditioner(model, llc.gaussian_nll, data, 10.0, 0.0)


@pytest.mark.slow
def test_preconditioning_keeps_the_stationary_law_on_a_singular_model() -> None:
    # A constant M leaves exp(−U) invariant, so on reduced-rank regression 4-3-5 r=1 (λ = 7; d = 27, singular) the
    # preconditioned chains must give the plain chains' λ̂ within their SEs. Measured 2026-12-07 (n = 2000, γ = 10,
    # 8 chains): plain at the curvature rule's ε = 1.1e-4, 12,000 steps: 6.52 ± 0.08; preconditioned with the exact
    # inverse Hessian at ε = 0.02, 3,000 steps: 6.58 ± 0.10 (ε = 0.01: 6.39 ± 0.11; ε = 0.05: 6.84 ± 0.07, the
    # discretization bias of a step the walls of the singular valley make too long; ε = 0.2 diverges).
    p = models.dln_problem((4, 3, 5), 1, 2000, torch.Generator().manual_seed(1))
    nb, gamma = llc.default_nbeta(2000), 10.0
    pre = llc.hessian_preconditioner(p.model, llc.gaussian_nll, p.data, nb, gamma)
    eps_plain = llc.auto_epsilon(p.model, llc.gaussian_nll, p.data, nb, gamma)
    burn = math.ceil(3 / (eps_plain * gamma))
    traces, _ = _chains(p.model, p.data, eps_plain, gamma, burn + 8000, None)
    plain, plain_se = estimator.mean_and_se(estimator.chain_estimates(traces, nb, burn))
    traces, acc = _chains(p.model, p.data, 0.02, gamma, 3000, pre)
    got, se = estimator.mean_and_se(estimator.chain_estimates(traces, nb, 500))
    assert abs(got - plain) <= 3 * math.hypot(se, plain_se), (got, se, plain, plain_se)
    assert float(acc.mean()) >= 0.9
