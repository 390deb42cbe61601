"""Toy models of superposition (Elhage et al. 2022), many trained as one batched computation.

A toy model maps n sparse features into m < n dimensions and back:

    h = W x,    x' = ReLU(Wᵀ W x + b)      (the "linear" variant drops the ReLU),
    L = E_x Σᵢ Iᵢ (xᵢ − x'ᵢ)²,            xᵢ = 0 with probability S, else U[0, 1)

(Elhage et al. 2022, section "Demonstrating superposition"). Every model of a sweep (sparsity level x
importance x seed) is one slice of stacked parameters ``W: (B, m, n)``, ``b: (B, n)``; the loss is the
sum of the models' losses, so each slice gets exactly its own gradient, and Adam, being elementwise,
updates each slice exactly as a separate optimizer would.

Geometry (Elhage et al. 2022, section "Feature dimensionality"):

    Dᵢ* = ‖Wᵢ‖² / Σⱼ (Ŵᵢ · Wⱼ)²           (dimensions per feature; Ŵᵢ = Wᵢ / ‖Wᵢ‖)
    D*  = m / ‖W‖²_F                      (dimensions per feature of the whole model)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

STICKY_FRACTIONS: tuple[float, ...] = (1.0, 3 / 4, 2 / 3, 1 / 2, 2 / 5, 3 / 8)
"""The fractions at which Elhage et al. say dimensions per feature sticks (section "Feature dimensionality":
digons 1/2, triangles 2/3, tetrahedra 3/4, pentagons 2/5, square antiprisms 3/8, and dedicated dimensions 1)."""


@dataclass
class ToyResult:
    """Trained toy models: ``W`` (B, m, n), ``b`` (B, n), Monte Carlo evaluation loss (and its standard error)
    per model on fresh samples, and the initial ``W``."""

    W: torch.Tensor
    b: torch.Tensor
    loss: torch.Tensor
    loss_se: torch.Tensor
    W_init: torch.Tensor


def init_weights(B: int, m: int, n: int, gen: torch.Generator, device: str = "cpu") -> torch.Tensor:
    """Independent Xavier-normal initializations W (B, m, n), std √(2/(m+n)), one per model."""
    return torch.randn(B, m, n, generator=gen, device=device) * math.sqrt(2.0 / (m + n))


def sample_features(
    density: torch.Tensor, batch: int, n: int, gen: torch.Generator, device: str = "cpu"
) -> torch.Tensor:
    """x of shape (B, batch, n): each xᵢ is U[0, 1) with probability ``density`` (= 1 − S) of its model, else 0."""
    B = density.shape[0]
    p = density.view(B, 1, 1)
    u = torch.rand(B, batch, n, generator=gen, device=device)
    # one uniform draw serves both: P(u < p) = p, and u/p given u < p is U[0, 1)
    return torch.where(u < p, u / p.clamp_min(1e-30), torch.zeros_like(u))


def forward(W: torch.Tensor, b: torch.Tensor, x: torch.Tensor, linear: torch.Tensor | None = None) -> torch.Tensor:
    """x' = ReLU(Wᵀ W x + b) for every model at once (no ReLU where ``linear[b]``); x: (B, batch, n)."""
    h = torch.bmm(x, W.transpose(1, 2))  # (B, batch, m)
    out = torch.bmm(h, W) + b[:, None, :]
    if linear is None:
        return torch.relu(out)
    return torch.where(linear.view(-1, 1, 1), out, torch.relu(out))


def weighted_loss(x: torch.Tensor, x_hat: torch.Tensor, importance: torch.Tensor) -> torch.Tensor:
    """Per-model loss E_x Σᵢ Iᵢ (xᵢ − x'ᵢ)²; importance: (B, n). Returns (B,)."""
    return ((x - x_hat) ** 2 * importance[:, None, :]).sum(-1).mean(-1)


def train_toy_models(
    n: int,
    m: int,
    density: torch.Tensor,
    importance: torch.Tensor,
    *,
    linear: torch.Tensor | None = None,
    steps: int = 2000,
    batch: int = 1024,
    lr: float = 1e-2,
    seed: int = 0,
    eval_batch: int = 8192,
    device: str = "cpu",
) -> ToyResult:
    """Train B toy models at once (B = len(density)); Adam with a cosine learning-rate decay to 0.

    ``importance`` is (B, n); ``linear`` (B,) bool marks the models without the output ReLU.

    Elhage et al. train with AdamW at lr 1e-3, batch 1024, 10,000 steps; a higher lr with a cosine
    decay reaches the same optima in fewer steps at these sizes (the linear-optimum probe checks it).
    Initialization: W Xavier-normal (std √(2/(m+n))), b = 0, as in the paper's notebook.
    """
    B = density.shape[0]
    gen = torch.Generator(device=device).manual_seed(seed)
    density = density.to(device, torch.float32)
    importance = importance.to(device, torch.float32)
    linear = None if linear is None else linear.to(device)
    W = init_weights(B, m, n, gen, device).requires_grad_()
    b = torch.zeros(B, n, device=device, requires_grad=True)
    W_init = W.detach().clone()
    opt = torch.optim.Adam([W, b], lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 0.5 * (1 + math.cos(math.pi * t / steps)))
    for _ in range(steps):
        x = sample_features(density, batch, n, gen, device)
        loss = weighted_loss(x, forward(W, b, x, linear), importance).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        opt.step()
        sched.step()
    with torch.no_grad():
        x = sample_features(density, eval_batch, n, gen, device)
        per = ((x - forward(W, b, x, linear)) ** 2 * importance[:, None, :]).sum(-1)  # (B, eval_batch)
    return ToyResult(W.detach(), b.detach(), per.mean(-1), per.std(-1) / math.sqrt(eval_batch), W_init)


def linear_optimum_loss(n: int, m: int, density: float, importance: torch.Tensor) -> float:
    """The exact minimum of the linear toy model's loss: Σ over all but the m most important features of Iᵢ Var(xᵢ).

    With independent features of equal variance v = p/3 − p²/4 (p = 1 − S; xᵢ is U[0,1) with probability p),
    the best x' = Wᵀ W x + b projects onto the m most important coordinates and b carries the means, so the
    loss is v · Σ_{i ∉ top m} Iᵢ (Eckart-Young with diagonal weights).
    """
    v = density / 3 - density**2 / 4
    rest = torch.sort(importance.double(), descending=True).values[m:]
    return float(v * rest.sum())


def linear_expected_loss(
    W: torch.Tensor, b: torch.Tensor, density: torch.Tensor, importance: torch.Tensor
) -> torch.Tensor:
    """The exact expected loss of linear toy models (no sampling): Σᵢ Iᵢ (v ((I−A)(I−A)ᵀ)ᵢᵢ + ((I−A)μ − b)ᵢ²).

    A = Wᵀ W; the features are independent with mean μ = p/2 and variance v = p/3 − p²/4 (p = density).
    W: (B, m, n), b: (B, n), density: (B,), importance: (B, n) -> (B,).
    """
    W, b, p, imp = W.double(), b.double(), density.double(), importance.double()
    n = W.shape[-1]
    R = torch.eye(n, dtype=W.dtype, device=W.device) - torch.bmm(W.transpose(1, 2), W)  # I − A, symmetric
    v = (p / 3 - p**2 / 4).view(-1, 1)
    var_part = v * (R**2).sum(-1)
    mean_err = torch.bmm(R, (p / 2).view(-1, 1, 1).expand(-1, n, 1)).squeeze(-1) - b
    return (imp * (var_part + mean_err**2)).sum(-1)


def feature_norms(W: torch.Tensor) -> torch.Tensor:
    """‖Wᵢ‖ for every feature: (B, n)."""
    norms: torch.Tensor = W.norm(dim=-2)
    return norms


def interference(W: torch.Tensor) -> torch.Tensor:
    """Σ_{j≠i} (Ŵᵢ · Wⱼ)² per feature (B, n): how much other features share feature i's direction."""
    norms = W.norm(dim=-2, keepdim=True).clamp_min(1e-12)
    G = torch.bmm((W / norms).transpose(1, 2), W)  # G[i, j] = Ŵᵢ · Wⱼ
    off = G**2
    return off.sum(-1) - torch.diagonal(off, dim1=-2, dim2=-1)


def dimensions_per_feature(W: torch.Tensor) -> torch.Tensor:
    """Dᵢ* = ‖Wᵢ‖² / Σⱼ (Ŵᵢ · Wⱼ)² (Elhage et al., "Feature dimensionality"); W: (B, m, n) -> (B, n).

    Features with ‖Wᵢ‖ ≈ 0 get 0 (they take no dimension).
    """
    norms = W.norm(dim=-2, keepdim=True)
    safe = norms.clamp_min(1e-12)
    G = torch.bmm((W / safe).transpose(1, 2), W)
    denom = (G**2).sum(-1).clamp_min(1e-12)
    d = norms.squeeze(-2) ** 2 / denom
    return torch.where(norms.squeeze(-2) > 1e-6, d, torch.zeros_like(d))


def model_dimensions_per_feature(W: torch.Tensor) -> torch.Tensor:
    """D* = m / ‖W‖²_F per model (B,)."""
    return W.shape[-2] / (W**2).sum((-2, -1))


def plateau_coverage(fractions: tuple[float, ...], tol: float, lo: float, hi: float) -> float:
    """Share of [lo, hi] within ``tol`` of some fraction: what a value spread evenly over [lo, hi] hits by chance."""
    if hi <= lo:
        return 1.0
    spans = sorted((max(lo, f - tol), min(hi, f + tol)) for f in fractions)
    covered, cur_lo, cur_hi = 0.0, None, None
    for a, c in spans:
        if c <= a:
            continue
        if cur_hi is None or a > cur_hi:
            if cur_hi is not None and cur_lo is not None:
                covered += cur_hi - cur_lo
            cur_lo, cur_hi = a, c
        else:
            cur_hi = max(cur_hi, c)
    if cur_hi is not None and cur_lo is not None:
        covered += cur_hi - cur_lo
    return covered / (hi - lo)


def near_fraction(values: torch.Tensor, fractions: tuple[float, ...], tol: float) -> torch.Tensor:
    """Boolean mask: value within ``tol`` of one of ``fractions``."""
    f = torch.tensor(fractions, dtype=values.dtype, device=values.device)
    return ((values[..., None] - f).abs() <= tol).any(-1)
