"""Complexity measures of trained networks: margins, norms, the spectral margin bound, PAC-Bayes sharpness.

All functions take stacked weights (leading model axis ``M``, linear weights stored ``[d_in, d_out]``, i.e. the
transpose ``A^T`` of the map ``x ↦ A x``) and return one value per model.

Biases are handled exactly by augmentation: a hidden layer ``x ↦ relu(A x + b)`` is the bias-free layer
``Ã = [[A, b], [0, 1]]`` acting on ``(x, 1)`` (``relu(1) = 1`` carries the constant forward), and the output layer
is ``[A, b]``. Every norm below is of these augmented matrices, so it bounds the network actually trained.

Sources: Bartlett, Foster & Telgarsky (2017), "Spectrally-normalized margin bounds for neural networks";
Neyshabur, Bhojanapalli, McAllester & Srebro (2017), "Exploring generalization in deep learning";
McAllester (1999) PAC-Bayes bound in the form used by Neyshabur et al. (2017, eq. 7), with the prior centred on
the network's initialization ``w_0`` (the choice Neyshabur et al. make; a prior centred at zero would charge the
full ``||w||²`` instead of ``||w - w_0||²``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor

from skeptic.studies.random_labels.nets import Arch, Params, forward


def augmented_layers(params: Params) -> list[Tensor]:
    """The MLP's weight matrices with biases folded in (float64), ``[M, d_in + 1, d_out (+ 1)]``; see the module."""
    n_layers = sum(1 for k in params if k.startswith("W"))
    mats = []
    for i in range(1, n_layers + 1):
        W, b = params[f"W{i}"].double(), params[f"b{i}"].double()
        M, d_in, _ = W.shape
        top = torch.cat([W, b.unsqueeze(1)], dim=1)  # [M, d_in + 1, d_out]
        if i < n_layers:
            carry = torch.zeros(M, d_in + 1, 1, dtype=torch.float64)
            carry[:, -1, 0] = 1.0
            top = torch.cat([top, carry], dim=2)
        mats.append(top)
    return mats


def margins(logits: Tensor, y: Tensor) -> Tensor:
    """Multiclass margin ``γ_i = f(x_i)_{y_i} - max_{j ≠ y_i} f(x_i)_j`` for logits ``[M, N, K]``, labels ``[M, N]``."""
    true = torch.gather(logits, 2, y.unsqueeze(2)).squeeze(2)
    other = logits.scatter(2, y.unsqueeze(2), float("-inf")).amax(2)
    return true - other


def spectral_norms(mats: list[Tensor]) -> Tensor:
    """``||A_i||_σ`` (largest singular value) of each layer, ``[L, M]``."""
    return torch.stack([torch.linalg.matrix_norm(A, ord=2) for A in mats])


def spectral_complexity(params: Params, reference: Params) -> Tensor:
    """Bartlett et al. (2017), eq. (1.2), with ReLU (ρ_i = 1) and the initialization as reference ``M_i``:

    ``R_A = (∏_i ||A_i||_σ) · (Σ_i ||A_i^T - M_i^T||_{2,1}^{2/3} / ||A_i||_σ^{2/3})^{3/2}``,

    where ``||B||_{2,1}`` sums the ℓ2 norms of the columns of ``B`` (so of ``A_i^T - M_i^T``: one column per unit).
    """
    mats, refs = augmented_layers(params), augmented_layers(reference)
    s = spectral_norms(mats)
    l21 = torch.stack([torch.linalg.vector_norm(A - R, dim=1).sum(-1) for A, R in zip(mats, refs, strict=True)])
    return s.prod(0) * ((l21 ** (2 / 3)) / (s ** (2 / 3))).sum(0) ** 1.5


def data_norm(X: Tensor) -> Tensor:
    """Bartlett et al.'s data norm ``||X||_2 = sqrt(Σ_i ||x̃_i||²)`` of augmented inputs ``x̃ = (x, 1)``, ``[M]``."""
    Xd = X.double()
    return torch.sqrt((Xd**2).sum((1, 2)) + X.shape[1])


def bartlett_bound(margin: Tensor, R_A: Tensor, X_norm: Tensor, width: int, delta: float = 0.05) -> Tensor:
    """Bartlett et al. (2017), Lemma A.8, minimized over γ on a grid of margin quantiles:

    ``P(err) ≤ R̂_γ + 8/n + 72 ||X||_2 R_A ln(2W) ln(n) / (γ n) + 3 sqrt(ln(1/δ) / (2n))``,

    with ``R̂_γ`` the fraction of training points with margin ≤ γ and ``W`` the largest number of units in any layer,
    the input dimension included. The constants (8, 72, 3) were written from memory of the paper and could not be
    checked against its text here; the value is reported as context only and decides no claim. This is the bound
    for fixed γ and norm budgets; Theorem 1.1's union bound over them only adds terms, so a value above 1 here
    means the full bound is vacuous too.
    """
    M, n = margin.shape
    qs = torch.linspace(0.01, 0.5, 50, dtype=torch.float64)
    best = torch.full((M,), float("inf"), dtype=torch.float64)
    for q in qs:
        g = torch.quantile(margin.double(), q, dim=1)
        valid = g > 0
        emp = (margin.double() <= g[:, None]).double().mean(1)
        val = emp + 8 / n + 72 * X_norm * R_A * math.log(2 * width) * math.log(n) / (g.clamp_min(1e-300) * n)
        val = val + 3 * math.sqrt(math.log(1 / delta) / (2 * n))
        best = torch.where(valid, torch.minimum(best, val), best)
    return best


def path_norm(params: Params, p: int) -> Tensor:
    """Path norm ``(Σ_paths ∏_edges |w_e|^p)^{1/p}`` over input→output paths (bias paths included), ``[M]``.

    Computed by pushing an all-ones vector through the network with weights ``|W|^p`` and no ReLU (all terms are
    non-negative, so the sum over paths factorizes layer by layer). Neyshabur et al. (2017), Section 2.1.
    """
    mats = augmented_layers(params)
    v = torch.ones(mats[0].shape[0], mats[0].shape[1], dtype=torch.float64)
    for A in mats:
        v = torch.einsum("mi,mio->mo", v, A.abs() ** p)
    return v.sum(1) ** (1 / p)


def frobenius_norms(params: Params) -> Tensor:
    """``||W_i||_F`` of every weight tensor (linear and conv kernels, biases excluded), ``[L, M]``."""
    keys = [k for k in params if k[0] in "WK"]
    return torch.stack([torch.linalg.vector_norm(params[k].double().flatten(1), dim=1) for k in keys])


def spectral_frobenius(params: Params) -> Tensor:
    """``∏_i ||A_i||_σ² · Σ_i ||A_i||_F² / ||A_i||_σ²``, the norm term of Neyshabur et al.'s spectral bound."""
    mats = augmented_layers(params)
    s = spectral_norms(mats)
    fro = torch.stack([torch.linalg.vector_norm(A.flatten(1), dim=1) for A in mats])
    return (s**2).prod(0) * (fro**2 / s**2).sum(0)


def distance_sq(params: Params, reference: Params) -> Tensor:
    """``||w - w_0||²`` over all parameters, ``[M]``."""
    return sum(
        (torch.linalg.vector_norm((params[k] - reference[k]).double().flatten(1), dim=1) ** 2 for k in params),
        torch.zeros(next(iter(params.values())).shape[0], dtype=torch.float64),
    )


SIGMA_GRID = np.geomspace(1e-4, 1.0, 4096)
"""The σ values the sharpness search may return (a fixed grid, so the PAC-Bayes union bound costs ln 4096)."""


@torch.no_grad()
def sharpness_sigma(
    arch: Arch, params: Params, X: Tensor, y: Tensor, drop: float, n_draws: int, gen: torch.Generator
) -> tuple[Tensor, Tensor]:
    """Largest isotropic weight noise σ (on :data:`SIGMA_GRID`) whose expected train accuracy drop is ≤ ``drop``.

    For each model, bisection over the grid: accuracy of ``w + u``, ``u ~ N(0, σ² I)``, averaged over ``n_draws``
    draws, against the noiseless accuracy. Returns ``(σ*, accuracy under noise at σ*)``; the latter is the
    empirical Gibbs accuracy the PAC-Bayes bound uses. Neyshabur et al. (2017), Section 2.3.
    """
    M = X.shape[0]

    def acc_at(sig: Tensor) -> Tensor:
        tot = torch.zeros(M, dtype=torch.float64)
        for _ in range(n_draws):
            noisy = {
                k: v + sig.view(-1, *([1] * (v.dim() - 1))).float() * torch.randn(v.shape, generator=gen)
                for k, v in params.items()
            }
            tot += (forward(arch, noisy, X).argmax(-1) == y).double().mean(1)
        return tot / n_draws

    base = (forward(arch, params, X).argmax(-1) == y).double().mean(1)
    grid = torch.as_tensor(SIGMA_GRID)
    lo = torch.zeros(M, dtype=torch.long)  # invariant: grid[lo] passes (grid[0] assumed to; checked below)
    hi = torch.full((M,), len(grid) - 1, dtype=torch.long)
    acc_lo = acc_at(grid[lo])
    acc_hi = acc_at(grid[hi])
    hi_ok = acc_hi >= base - drop
    lo = torch.where(hi_ok, hi, lo)
    acc_lo = torch.where(hi_ok, acc_hi, acc_lo)
    while bool((hi - lo > 1).any()):
        mid = (lo + hi) // 2
        a = acc_at(grid[mid])
        ok = a >= base - drop
        move = hi - lo > 1
        lo = torch.where(move & ok, mid, lo)
        acc_lo = torch.where(move & ok, a, acc_lo)
        hi = torch.where(move & ~ok, mid, hi)
    return grid[lo], acc_lo


def pac_bayes_bound(gibbs_train_err: Tensor, dist_sq: Tensor, sigma: Tensor, n: int, delta: float = 0.05) -> Tensor:
    """McAllester's PAC-Bayes bound as in Neyshabur et al. (2017, eq. 7), prior ``N(w_0, σ²)``, posterior ``N(w, σ²)``:

    ``E_u[L(w+u)] ≤ Ê_u[L̂(w+u)] + 4 sqrt((KL + ln(2n/δ) + ln|grid|) / n)``, ``KL = ||w - w_0||² / (2σ²)``;
    ``ln|grid|`` pays for choosing σ from :data:`SIGMA_GRID` after seeing the data.
    """
    kl = dist_sq / (2 * sigma.double() ** 2)
    return gibbs_train_err + 4 * torch.sqrt((kl + math.log(2 * n / delta) + math.log(len(SIGMA_GRID))) / n)


SharpLoss = Callable[[Params], Tensor]


def worst_case_sharpness(loss_fn: SharpLoss, params: Params, alpha: float, steps: int = 10) -> Tensor:
    """Worst-case sharpness with perturbations scaled by ``|w| + 1``, one value per model ``[M]``:

    ``ζ_α(w) = max_{|ν_i| ≤ α(|w_i| + 1)} L̂(w + ν) − L̂(w)``

    (Keskar et al. 2017, "On large-batch training", §2.1, the box form of their sharpness; the measure Neyshabur
    et al. 2017, §2.3, evaluate as "sharpness" alone). ``loss_fn(params) -> [M]`` is each model's training loss.
    The maximum over the box is searched by projected sign-gradient ascent from ``ν = 0``: a first step to the
    corner ``sign(∇L̂)·α(|w|+1)`` (exact when ``L̂`` is linear, or convex and separable with the gradient pointing
    outward, as for ``Σ w²``), then ``steps - 1`` steps of a quarter box each, keeping the largest loss seen. A
    search can only under-estimate the maximum, so this is a lower bound on ``ζ_α``.
    """
    base = loss_fn(params).detach().double()
    box = {k: alpha * (v.detach().abs() + 1) for k, v in params.items()}
    nu = {k: torch.zeros_like(v) for k, v in params.items()}
    best = base.clone()
    for t in range(steps):
        pert = {k: (params[k].detach() + nu[k]).requires_grad_(True) for k in params}
        loss = loss_fn(pert)
        best = torch.maximum(best, loss.detach().double())
        grads = torch.autograd.grad(loss.sum(), list(pert.values()))
        frac = 1.0 if t == 0 else 0.25
        with torch.no_grad():
            for (k, b), g in zip(box.items(), grads, strict=True):
                direction = torch.where(g == 0, torch.ones_like(g), torch.sign(g))  # a flat coordinate: any corner
                nu[k] = torch.clamp(nu[k] + frac * b * direction, -b, b)
    with torch.no_grad():
        final = loss_fn({k: params[k].detach() + nu[k] for k in params}).double()
    return torch.maximum(best, final) - base
