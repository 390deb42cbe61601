"""Hand-computed cases for every metric of the study, evaluated inside each run (the metric-calibration probe).

Each case is small enough to check by hand; the expected values are written out with their arithmetic.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from skeptic.studies.superposition import sae, toy


def calibrate() -> dict[str, dict[str, Any]]:
    """{case: {"computed", "expected"}} for each metric against its hand-computed answer."""
    out: dict[str, dict[str, Any]] = {}

    def case(name: str, computed: float, expected: float) -> None:
        out[name] = {"computed": float(computed), "expected": float(expected)}

    # explained variance: x̄ = (3, 4); Σ‖x − x̄‖² = 8 + 0 + 8 = 16; Σ‖x − x̂‖² = 1  ->  1 − 1/16
    x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    x_hat = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 5.0]])
    case("explained_variance", sae.explained_variance(x, x_hat), 1 - 1 / 16)

    # MMCS over true features: [1,0] best cos 1 (with [2,0]); [0,1] best 0.8 (with [.6,.8])  ->  0.9
    true = np.array([[1.0, 0.0], [0.0, 1.0]])
    learned = np.array([[2.0, 0.0], [1.0, 0.0], [0.6, 0.8]])
    case("mmcs", sae.mmcs(true, learned), 0.9)

    # Hungarian: both true features prefer learned [1,0]; the one-to-one matching gives (1 + 0.6)/2 = 0.8,
    # with one of two matched above 0.9
    true2 = np.array([[1.0, 0.0], [0.8, 0.6]])
    learned2 = np.array([[1.0, 0.0], [0.0, 1.0]])
    matched, share = sae.matched_recovery(true2, learned2)
    case("matched_mean", matched, 0.8)
    case("matched_share", share, 0.5)
    # fewer learned directions than true features: the unmatched one counts 0 -> (1 + 1 + 0)/3
    true3 = np.eye(3)
    matched3, _ = sae.matched_recovery(true3, np.eye(3)[:2])
    case("matched_unmatched_zero", matched3, 2 / 3)

    # duplicates: two learned directions above 0.9 with [1,0] (cos 1 and 0.99), one with [0,1]  ->  1/2
    dup = np.array([[1.0, 0.0], [0.99, math.sqrt(1 - 0.99**2)], [0.0, 1.0]])
    case("duplicated_share", sae.duplicated_share(true, dup), 0.5)

    # codes: rows have 1, 0 and 2 nonzero codes -> L0 = 1; the third latent never fires -> 1 dead
    codes = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [3.0, 2.0, 0.0]])
    case("l0", sae.l0(codes), 1.0)
    case("dead_latents", sae.dead_latents(codes), 1)

    # dimensions per feature: a regular pentagon of unit vectors in 2-d: Σⱼ cos²θᵢⱼ = 5/2 -> Dᵢ = 2/5,
    # D* = m/‖W‖² = 2/5; an antipodal pair in 1-d: 1/2 each; a dropped feature: 0
    ang = 2 * math.pi * torch.arange(5, dtype=torch.float64) / 5
    pent = torch.stack([torch.cos(ang), torch.sin(ang)])[None]
    case("D_pentagon", float(toy.dimensions_per_feature(pent).mean()), 2 / 5)
    case("Dstar_pentagon", float(toy.model_dimensions_per_feature(pent)[0]), 2 / 5)
    pair = torch.tensor([[[1.0, -1.0, 0.0]]], dtype=torch.float64)
    d_pair = toy.dimensions_per_feature(pair)[0]
    case("D_antipodal", float(d_pair[0]), 0.5)
    case("D_dropped", float(d_pair[2]), 0.0)
    # columns that are neither unit nor orthogonal, W₁ = (2, 0), W₂ = (1, 1): D₁ = 4 / (2² + 1²) = 4/5 (Ŵ₁ = (1, 0));
    # D₂ = 2 / ((2/√2)² + (2/√2)²) = 1/2 (Ŵ₂ = (1, 1)/√2). Unit columns cannot tell Ŵᵢ from Wᵢ or from Wᵢ‖Wᵢ‖.
    d_skew = toy.dimensions_per_feature(torch.tensor([[[2.0, 1.0], [0.0, 1.0]]], dtype=torch.float64))[0]
    case("D_unequal_norms_1", float(d_skew[0]), 4 / 5)
    case("D_unequal_norms_2", float(d_skew[1]), 1 / 2)

    # the linear model: v = 1/3 − 1/4 = 1/12 at density 1; importance (1, .5, .25), m = 1 -> (.5 + .25)/12
    case("linear_optimum", toy.linear_optimum_loss(3, 1, 1.0, torch.tensor([1.0, 0.5, 0.25])), 0.75 / 12)
    # W = 0, b = 0 stores nothing: loss = Σ Iᵢ E[xᵢ²] = 2 · (1/3) at density 1 with I = (1, 1)
    zero = toy.linear_expected_loss(torch.zeros(1, 1, 2), torch.zeros(1, 2), torch.ones(1), torch.ones(1, 2))
    case("linear_loss_zero_model", float(zero[0]), 2 / 3)
    # W = I (m = n = 2), b = 0 reconstructs perfectly: 0
    ident = toy.linear_expected_loss(torch.eye(2)[None], torch.zeros(1, 2), torch.ones(1) * 0.3, torch.ones(1, 2))
    case("linear_loss_identity", float(ident[0]), 0.0)
    # the exact one-hot loss: W = 0, b = 0 outputs nothing, so the loss is E[u²] = 1/3 whichever feature is active;
    # W = I (n = m = 2), b = 0 reconstructs every one-hot input exactly: 0
    z = toy.onehot_expected_loss(torch.zeros(1, 2, 3, dtype=torch.float64), torch.zeros(1, 3, dtype=torch.float64))
    case("onehot_loss_zero_model", float(z[0]), 1 / 3)
    e = toy.onehot_expected_loss(torch.eye(2, dtype=torch.float64)[None], torch.zeros(1, 2, dtype=torch.float64))
    case("onehot_loss_identity", float(e[0]), 0.0)
    # a square (4-gon) of unit columns among n = 6, bias 0, absent biases 1/12: the square never interferes (its
    # cosines are 0 and −1), each absent feature costs (1/6)(1/3 − 1/12 + 6/144) -> 2 · (1/6) · (7/24) = 7/72
    W4, b4 = toy.kgon(6, 4, 1.0, 0.0, 1 / 12)
    case("onehot_loss_square", float(toy.onehot_expected_loss(W4, b4)[0]), 7 / 72)
    # chance coverage: ±0.1 around 0.5 covers a fifth of [0, 1]
    case("plateau_coverage", toy.plateau_coverage((0.5,), 0.1, 0.0, 1.0), 0.2)
    return out
