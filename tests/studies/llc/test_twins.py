"""The ReLU/GELU twins: the rescaling symmetry's known answer (loss and Hessian), their exact λ, the finite-temperature
target, the claims' measures on synthetic measurements (including when the design cannot decide) and the probes."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest
import torch

from skeptic.core.claims import run_probes
from skeptic.studies.llc import exact, tms, twins
from skeptic.studies.llc.claims import PROBES, relu_gelu_gap, relu_twin_error


def _twin(act: str, n: int = 400) -> tuple[twins.TwinNet, tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(3)
    params = twins.teacher(3, 1.0, g)
    x = torch.randn(n, twins.INPUTS, generator=g).double()
    model = twins.TwinNet(*params, act=act)
    with torch.no_grad():
        return model, (x, model(x))


def test_relu_rescaling_is_exactly_flat_and_gelu_is_not() -> None:
    relu = twins.rescaling_check(*_twin("relu"))
    gelu = twins.rescaling_check(*_twin("gelu"))
    assert relu["d"] == gelu["d"] == 13
    assert relu["rescale_loss_change"] <= 1e-12
    assert max(abs(q) for q in relu["rescale_quotients"]) <= 1e-12
    assert relu["active_units"] == 3 and relu["near_zero"] == 3 and relu["hessian_rank"] == 10
    # GELU: a·z²φ(z) ≠ 0 makes every rescaling direction curved, and the Hessian is full rank
    assert gelu["rescale_loss_change"] > 1e-4
    assert min(gelu["rescale_quotients"]) > 1e-4
    assert gelu["hessian_rank"] == 13 and gelu["near_zero"] == 0


def test_exact_lambda_is_half_the_hessian_rank() -> None:
    for act in ("relu", "gelu"):
        check = twins.rescaling_check(*_twin(act))
        assert twins.exact_lambda(act, 3) == check["hessian_rank"] / 2
    assert twins.exact_lambda("relu", 3) == 5.0 and twins.exact_lambda("gelu", 3) == 6.5


def test_laplace_target_limits() -> None:
    ev = np.array([0.0, 0.5, 1.0, 2.0])
    # nβh ≫ γ and ε → 0: every curved direction adds ½, the flat one nothing
    assert twins.laplace_target(ev, 1e8, 1e-3, 1e-16) == pytest.approx(1.5, rel=1e-6)
    # nβh ≪ γ: a weakly curved direction counts as flat
    assert twins.laplace_target(np.array([1e-4]), 100.0, 10.0, 1e-6) < 0.001


def test_slowest_relaxation_skips_exactly_flat_directions() -> None:
    # 1/(ε(nβh + γ)) along the least-curved direction above NULL_REL × h_max
    ev = np.array([0.0, 1e-14, 0.01, 1.0, 4.0])
    assert twins.slowest_relaxation(ev, 100.0, 1.0, 1e-3) == pytest.approx(1 / (1e-3 * (100 * 0.01 + 1.0)))
    assert twins.slowest_relaxation(np.array([0.0, 2.0]), 10.0, 0.0, 0.01) == pytest.approx(5.0)


def _arm(act: str, exact_: float, llc: dict[str, float], se: float, target: float) -> dict[str, Any]:
    arm: dict[str, Any] = {"activation": act, "exact": exact_, "target": target, "hessian_rank": int(2 * exact_)}
    for f, v in llc.items():
        arm[f"llc_eps{f}"], arm[f"llc_se_eps{f}"] = v, se
    arm["llc"], arm["llc_se"] = llc["1"], se
    return arm


def _twins_m(first: dict[str, Any], second: dict[str, Any], res: tuple[float, float] = (5.0, 6.2)) -> dict[str, Any]:
    return {
        "twins": {
            "acts": [first["activation"], second["activation"]],
            "hidden": 3,
            "n": 2000,
            "gamma": 0.3,
            "arms": [first, second],
            "resolution": {"relu": res[0], "gelu": res[1]},
        }
    }


def test_gap_replicated_and_not_replicated_when_decidable() -> None:
    relu = _arm("relu", 5.0, {"0.3": 5.0, "1": 5.0, "3": 5.1}, 0.05, 5.0)
    gelu = _arm("gelu", 6.5, {"0.3": 6.1, "1": 6.2, "3": 6.3}, 0.05, 6.2)
    est = relu_gelu_gap(_twins_m(relu, gelu))
    assert est.value == pytest.approx(1.2 / 1.5)
    assert est.lo == pytest.approx(1.1 / 1.5 - 1.96 * math.hypot(0.05, 0.05) / 1.5)
    assert est.lo > 0.5  # replicated
    other = _arm("gelu", 6.5, {"0.3": 6.1, "1": 6.2, "3": 6.3}, 0.05, 6.2)
    none = relu_gelu_gap(_twins_m(other, gelu))  # the contrast: both GELU, no gap
    assert none.hi < 0.5 and "cannot decide" not in none.method


def test_gap_undecidable_cases_straddle_the_line() -> None:
    relu = _arm("relu", 5.0, {"0.3": 5.0, "1": 5.0, "3": 5.1}, 0.05, 5.0)
    gelu = _arm("gelu", 6.5, {"0.3": 6.1, "1": 6.2, "3": 6.3}, 0.05, 6.2)
    # an exact sampler at this n and γ would show only 0.2 of the gap
    est = relu_gelu_gap(_twins_m(relu, gelu, res=(5.0, 5.3)))
    assert est.lo <= 0.0 and est.hi >= 1.0 and "cannot decide at this n and γ" in est.method
    # an arm whose λ̂ misses its exact sampler's target: not relaxed
    slow = _arm("gelu", 6.5, {"0.3": 4.0, "1": 4.5, "3": 5.0}, 0.05, 6.2)
    est = relu_gelu_gap(_twins_m(relu, slow))
    assert est.lo <= 0.0 and est.hi >= 1.0 and "have not relaxed" in est.method
    # λ̂ on its target, but a burn-in shorter than 3 relaxation times of the least-curved direction at ε × 0.3
    early = gelu | {"num_burnin": 500, "burnin_needed": 40_000, "relaxation_steps": 4000.0}
    est = relu_gelu_gap(_twins_m(relu, early))
    assert est.lo <= 0.0 and est.hi >= 1.0 and "burn-in 500 < 40000" in est.method
    assert relu_gelu_gap(_twins_m(relu, early | {"num_burnin": 40_000})).lo > 0.5
    # the verdict flips within ε × 0.3…3
    moving = _arm("gelu", 6.5, {"0.3": 5.2, "1": 6.2, "3": 6.3}, 0.05, 6.2)
    est = relu_gelu_gap(_twins_m(relu, moving))
    assert est.lo < 0.5 <= est.hi and "changes with the step size" in est.method


def test_relu_twin_error_reads_the_relu_arm() -> None:
    relu = _arm("relu", 5.0, {"0.3": 4.0, "1": 4.5, "3": 5.1}, 0.1, 5.0)
    gelu = _arm("gelu", 6.5, {"0.3": 6.1, "1": 6.2, "3": 6.3}, 0.05, 6.2)
    est = relu_twin_error(_twins_m(relu, gelu))
    assert est.value == pytest.approx(0.1) and "GELU twin λ̂ 6.20" in est.method
    with pytest.raises(ValueError, match="no ReLU twin"):
        relu_twin_error(_twins_m(gelu, gelu))
    # a burn-in under three relaxation times of the least-curved direction at ε is said, and the number is unchanged
    early = relu_twin_error(_twins_m(relu | {"num_burnin": 500, "relaxation_steps": 1000.0}, gelu))
    assert "burn-in 500 < 3 × 1000 steps" in early.method and (early.value, early.lo, early.hi) == (
        est.value,
        est.lo,
        est.hi,
    )
    assert (
        "burn-in" not in relu_twin_error(_twins_m(relu | {"num_burnin": 3000, "relaxation_steps": 1000.0}, gelu)).method
    )


def _probe(m: dict[str, Any], pid: str) -> Any:
    return next(p for p in run_probes(PROBES, m) if p.id == pid)


def test_rescaling_probe_on_a_real_check_and_on_doctored_ones() -> None:
    checks = {act: twins.rescaling_check(*_twin(act)) for act in ("relu", "gelu")}
    relu = _arm("relu", 5.0, {"0.3": 5.0, "1": 5.0, "3": 5.0}, 0.1, 5.0) | {"hessian_rank": 10}
    gelu = _arm("gelu", 6.5, {"0.3": 6.0, "1": 6.0, "3": 6.0}, 0.1, 6.0) | {"hessian_rank": 13}
    m = _twins_m(relu, gelu)
    m["twins"]["checks"] = checks
    assert _probe(m, "relu-rescaling-flat").passed
    bad = copy.deepcopy(m)
    bad["twins"]["checks"]["relu"]["rescale_loss_change"] = 1e-3  # e.g. the bias left unscaled
    assert not _probe(bad, "relu-rescaling-flat").passed
    bad = copy.deepcopy(m)
    bad["twins"]["arms"][1]["exact"] = 5.0  # the symmetry credited to GELU
    assert not _probe(bad, "relu-rescaling-flat").passed


def test_unscaled_bias_breaks_the_relu_symmetry() -> None:
    model, data = _twin("relu")
    wrong = twins.TwinNet(model.w.detach() * 2, model.b.detach(), model.a.detach() / 2, model.c.detach(), "relu")
    with torch.no_grad():
        assert float((wrong(data[0]) - model(data[0])).abs().max()) > 1e-3
        assert float((twins.rescaled(model, 2.0)(data[0]) - model(data[0])).abs().max()) < 1e-12


@pytest.mark.parametrize("k", [5, 6])
def test_kgon_null_space_is_the_symmetries(k: int) -> None:
    opt = tms.optimal_kgon(k)
    r, ev, vec = tms.hessian_rank(opt["w"], opt["b"])
    o = tms.orbit_check(opt["w"], opt["b"], k, vec[:, : len(ev) - r], vec[:, len(ev) - r])
    assert o["null_dim"] == o["symmetry_dim"] == 1 + 3 * (6 - k)
    assert o["null_residual"] < 1e-8 and o["orbit_loss_change"] < 1e-12
    assert o["tangent_slope"] == pytest.approx(4.0, abs=0.2)
    assert o["curved_slope"] == pytest.approx(2.0, abs=0.1)
    # a hidden curvature counted as null (a too-loose rank) leaves a null direction outside the symmetries' span
    loose = tms.orbit_check(opt["w"], opt["b"], k, vec[:, : len(ev) - r + 1], vec[:, len(ev) - r + 1])
    assert loose["null_residual"] > 0.5


def test_dln_scan_matches_formula_and_check_flags_a_wrong_row() -> None:
    assert exact.dln_lambda_by_scan((3, 4, 4, 3), 1) == pytest.approx(exact.dln_lambda((3, 4, 4, 3), 1))
    assert exact.dln_lambda_by_scan((5, 4, 3, 5), 2) == pytest.approx(exact.dln_lambda((5, 4, 3, 5), 2))
    # L = 2: the scan reproduces Aoyagi & Watanabe's four RRR cases
    for m_, h, n_, r in [(5, 3, 5, 1), (6, 4, 3, 2), (3, 4, 6, 0), (2, 1, 6, 1), (6, 1, 2, 1), (2, 6, 2, 1)]:
        assert exact.dln_lambda_by_scan((m_, h, n_), r) == pytest.approx(exact.rrr_lambda(m_, h, n_, r))
    row = {"name": "3-4-4-3, r=1", "widths": [3, 4, 4, 3], "rank": 1, "exact": exact.dln_lambda((3, 4, 4, 3), 1)}
    ok = exact.dln_formula_check([row])
    assert ok["n_mismatches"] == 0 and ok["table_rows"] == 1 and ok["grid_cases"] > 500
    assert exact.dln_formula_check([row | {"exact": 4.4}])["n_mismatches"] == 1


def test_preconditioned_target_and_relaxation_use_the_metric() -> None:
    # M = (nβH + κI)⁻¹ shares H's eigenvectors: along each, the step is εm·a with m = 1/(nβh + κ), a = nβh + γ
    ev, nb, gamma, kappa, eps = np.array([0.0, 1e-3, 1.0]), 1000.0, 1.0, 1.0, 0.2
    # κ = γ: m·a = 1 in every direction, so every curved direction's ½nβh/a is inflated by the same 1/(1 − ε/4)
    want = sum(nb * h / (2 * (nb * h + gamma)) for h in ev[1:]) / (1 - eps / 4)
    assert twins.laplace_target(ev, nb, gamma, eps, kappa) == pytest.approx(want, rel=1e-12)
    assert twins.slowest_relaxation(ev, nb, gamma, eps, kappa) == pytest.approx(1 / eps)
    # a floor κ = 100 slows the weakly curved direction to 1/(ε(nβh + γ)/(nβh + κ)) steps
    assert twins.slowest_relaxation(ev, nb, gamma, eps, 100.0) == pytest.approx((1.0 + 100.0) / (eps * 2.0))
    # without a preconditioner, the plain chain's formulas
    assert twins.laplace_target(ev, nb, gamma, 1e-4) == pytest.approx(
        sum(nb * h / (2 * (nb * h + gamma) * (1 - 1e-4 * (nb * h + gamma) / 4)) for h in ev[1:])
    )


def test_preconditioned_twins_run_and_record_their_setting() -> None:
    out = twins.twins(("relu", "gelu"), 2, 300, 1.0, 1.0, 2, 20, 20, seed=1, precondition_floor=50.0)
    assert out["precondition_floor"] == 50.0
    for arm in out["arms"]:
        assert math.isfinite(arm["llc"]) and arm["burnin_needed"] > 0
        assert arm["epsilon"] == pytest.approx(twins.PRECONDITIONED_STEP)
