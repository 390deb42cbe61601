"""The toy model of superposition pieces: the quadrature loss, the k-gons' geometry, per-chain w*, the curvature
step size, the free-energy crossing and the stage statistics, each against an answer known independently."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch
from scipy import stats

from skeptic.studies.llc import estimator, tms
from skeptic.studies.llc.claims import _spearman_rows
from skeptic.studies.llc.models import Linear, gaussian_nll


def test_population_loss_matches_monte_carlo() -> None:
    w, b = tms.kgon(5, 1.1, -0.25, tms.ZERO_BIAS)
    x, y = tms.sample(200_000, torch.Generator().manual_seed(0))
    with torch.no_grad():
        mc = float(gaussian_nll(tms.TMS(w.float(), b.float()), (x, y)))
    exact = float(tms.population_loss(w, b))
    # per-sample loss sd is below 0.5 here, so the MC error is below 0.5/√200000 ≈ 0.0011; 4 sd
    assert mc == pytest.approx(exact, abs=0.0045)
    # the zero model loses ½ E μ² = 1/6 per sample, whatever the features
    assert float(tms.population_loss(torch.zeros(2, 6, dtype=torch.float64), torch.zeros(6, dtype=torch.float64))) == (
        pytest.approx(1 / 6, rel=1e-5)
    )


@pytest.mark.parametrize(("k", "rank"), [(5, 14), (6, 17)])
def test_kgon_is_minimally_singular_with_known_rank(k: int, rank: int) -> None:
    """5-gon: 5 columns × (2 weights + bias) minus the rotation = 14; the dropped column is exactly flat (ReLU off).
    6-gon: 18 − 1 = 17. Both flat directions grow like δ⁴ (the rotation orbit) or not at all."""
    opt = tms.optimal_kgon(k)
    r, ev, vec = tms.hessian_rank(opt["w"], opt["b"])
    assert r == rank
    assert tms.flatness(opt["w"], opt["b"], vec[:, : len(ev) - r]) >= 3.5
    assert opt["bias"] < -0.1  # interference is cut by a negative bias, away from the ReLU kink


def test_four_gon_sits_on_a_kink() -> None:
    """Neighbouring 4-gon columns are orthogonal, so the optimal bias is 0: the point is on the ReLU kink and a
    Hessian null direction has one-sided curvature (growth like δ²): rank/2 is not its λ."""
    opt = tms.optimal_kgon(4)
    r, ev, vec = tms.hessian_rank(opt["w"], opt["b"])
    assert abs(opt["bias"]) < 1e-3
    assert tms.flatness(opt["w"], opt["b"], vec[:, : len(ev) - r]) < 2.5


def test_per_chain_w_star_leaves_other_chains_alone() -> None:
    g = torch.Generator().manual_seed(1)
    x = torch.randn(400, 3, generator=g)
    model = Linear(torch.randn(2, 3, generator=g))
    data = (x, model(x).detach())
    ones = torch.ones(2, dtype=torch.float64)
    kw: dict[str, Any] = {"epsilon": ones * 1e-3, "nbeta": ones * 60.0, "gamma": ones * 10.0, "num_steps": 60}
    flat = estimator.flat_parameters(model)
    base, _ = estimator.sgld_chains(
        model, gaussian_nll, data, batch_size=400, generator=torch.Generator().manual_seed(3), **kw
    )
    gen = torch.Generator().manual_seed(3)
    same, _ = estimator.sgld_chains(
        model, gaussian_nll, data, batch_size=400, generator=gen, w_star=flat.repeat(2, 1), **kw
    )
    np.testing.assert_allclose(same, base, rtol=1e-6, atol=1e-9)
    moved = flat.repeat(2, 1)
    moved[1] += 0.5  # chain 1 starts (and is localized) elsewhere; not a minimum there
    other, _ = estimator.sgld_chains(
        model, gaussian_nll, data, batch_size=400, generator=torch.Generator().manual_seed(3), w_star=moved, **kw
    )  # fmt: skip
    np.testing.assert_allclose(other[0], base[0], rtol=1e-6, atol=1e-9)
    assert other[1, 30:].mean() < base[1, 30:].mean() - 0.01  # downhill from a non-minimum: L(w) − L(w*) < 0
    with pytest.raises(ValueError):
        estimator.sgld_chains(model, gaussian_nll, data, batch_size=400, generator=g, w_star=flat.repeat(3, 1), **kw)


def test_top_curvature_of_linear_regression_is_top_eigenvalue() -> None:
    g = torch.Generator().manual_seed(2)
    x = torch.randn(500, 4, generator=g, dtype=torch.float64) * torch.tensor([1.0, 2.0, 0.5, 1.0], dtype=torch.float64)
    model = Linear(torch.zeros(3, 4, dtype=torch.float64))
    data = (x, torch.zeros(500, 3, dtype=torch.float64))
    h = float(torch.linalg.eigvalsh(x.T @ x / 500).max())  # Hessian of ½ mean‖Wx‖² is I ⊗ XᵀX/n
    assert estimator.top_curvature(model, gaussian_nll, data, iters=60) == pytest.approx(h, rel=1e-4)
    assert estimator.curvature_epsilon(model, gaussian_nll, data, nbeta=100.0, gamma=10.0) == pytest.approx(
        estimator.CURVATURE_STEP / (100 * h + 10), rel=1e-4
    )


def test_free_energy_crossing() -> None:
    n = tms._crossing(0.01, 1.5)
    assert n is not None and n * 0.01 == pytest.approx(1.5 * math.log(n), rel=1e-9)
    assert tms._crossing(0.01, -1.0) is None  # the lower-loss k-gon is also simpler: it always wins


def test_stage_statistics() -> None:
    steps = list(range(12))
    ks = [4] * 4 + [5] * 4 + [6] * 4
    rng = np.random.default_rng(0)
    aligned = [
        {"seed": 0, "step": t, "k": k, "llc": 2.0 * k + 0.05 * rng.standard_normal()}
        for t, k in zip(steps, ks, strict=True)
    ]
    r2, excess = tms.stage_r2(aligned)
    assert r2[0] > 0.99 and excess[0] > 0.1
    shuffled = [r | {"llc": float(v)} for r, v in zip(aligned, rng.standard_normal(12), strict=True)]
    _, excess_noise = tms.stage_r2(shuffled)
    assert excess_noise[0] < excess[0]
    tr = tms.stage_transitions([r | {"train_loss": 1.0 / r["k"], "llc_se": 0.1} for r in aligned])
    assert [(t["k_before"], t["k_after"]) for t in tr] == [(4, 5), (5, 6)]
    assert all(t["llc_after"] > t["llc_before"] for t in tr)


def test_vectorized_spearman_matches_scipy() -> None:
    rng = np.random.default_rng(1)
    x = np.array([1.0, 2.0, 2.0, 5.0, 3.0, 0.5])
    ys = rng.normal(size=(40, 6))
    np.testing.assert_allclose(_spearman_rows(x, ys), [stats.spearmanr(x, y).statistic for y in ys], atol=1e-12)


def test_default_step_size_is_the_capped_curvature_rule() -> None:
    from skeptic.studies.llc.models import Monomial

    g = torch.Generator().manual_seed(4)
    x = torch.randn(300, 1, generator=g)
    flat = Monomial((1, 3), torch.zeros(2))  # K = ½E[x²]w₁²w₂⁶: zero Hessian at the origin
    nb = estimator.default_nbeta(300)
    assert estimator.top_curvature(flat, gaussian_nll, (x, torch.zeros_like(x))) == pytest.approx(0.0, abs=1e-12)
    assert estimator.auto_epsilon(flat, gaussian_nll, (x, torch.zeros_like(x)), nb, 10.0) == pytest.approx(1 / nb)
    lin = Linear(torch.randn(2, 3, generator=g))
    xl = torch.randn(300, 3, generator=g)
    data = (xl, lin(xl).detach())
    est = estimator.estimate_llc(lin, gaussian_nll, data, num_chains=2, num_draws=20, num_burnin=5, warn=False)
    assert est.epsilon == pytest.approx(estimator.auto_epsilon(lin, gaussian_nll, data, nb, estimator.DEFAULT_GAMMA))
    assert est.epsilon < 1 / nb
    assert any("relaxation time" in w for w in est.warnings)  # 5 burn-in steps ≪ 1/(εγ)


def test_transitions_count_only_checkpoints_at_minima() -> None:
    from skeptic.studies.llc import claims

    assert tms.at_minimum(5.0, 0.1) and not tms.at_minimum(-0.5, 0.0) and not tms.at_minimum(5.0, 1.0)
    up = {"llc_before": 1.0, "llc_after": 2.0, "at_minimum": True, "null_rises": True}
    off = {"llc_before": 1.0, "llc_after": 3.0, "at_minimum": False, "null_rises": True}
    m = {"tms": {"trajectory": {"transitions": [up, off, off]}}}
    est = claims.transitions_up(m)
    assert est.value == 1.0 and "1 of 1" in est.method  # the two off-minimum transitions are not counted
    m["tms"]["trajectory"]["transitions"] = [off, off]
    assert math.isnan(claims.transitions_up(m).value)  # nothing at minima: undefined, hence inconclusive


def test_endpoint_tells_the_table_kgon_from_one_with_a_positive_dropped_bias() -> None:
    # the table's 5-gon drops feature 6 with b = ZERO_BIAS < 0; raising that bias above 0 lowers the loss (the
    # dropped feature's output then predicts E μ): per sample ½(b² − b/6), lowest at b = 1/12, a different critical
    # point the exact λ does not describe
    opt = tms.optimal_kgon(5)
    w, b = opt["w"], opt["b"]
    at = tms.endpoint(w, b, seed=3)
    assert at == {"seed": 3, "k": 5, "dropped_bias_max": pytest.approx(tms.ZERO_BIAS), "table_kgon": True}
    b_up = b.clone()
    b_up[5] = 1 / 12
    gain = float(tms.population_loss(w, b_up)) - float(tms.population_loss(w, b))
    assert gain == pytest.approx(0.5 * (1 / 144 - 1 / 72), rel=1e-3)
    off = tms.endpoint(w, b_up, seed=3)
    assert off["k"] == 5 and off["dropped_bias_max"] == pytest.approx(1 / 12) and not off["table_kgon"]
    six = tms.optimal_kgon(6)
    assert tms.endpoint(six["w"], six["b"], seed=0)["table_kgon"]  # nothing dropped: no dropped bias above 0
