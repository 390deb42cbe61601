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
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch


def named_seed(seed: int, *key: str | int) -> int:
    """An integer seed for the sub-stream ``key`` of ``seed``, by hashing the name (as the run context's
    ``seed_for``), never by arithmetic on the seed."""
    words = [zlib.crc32(str(k).encode()) for k in key]
    return int(np.random.SeedSequence([seed, *words]).generate_state(1, np.uint64)[0] >> np.uint64(1))


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
    history: list[tuple[int, torch.Tensor, torch.Tensor]] = field(default_factory=list)
    """(step, W, b) at each requested checkpoint."""
    settings: dict[str, Any] = field(default_factory=dict)
    """What the trainer was given and did (:func:`training_record`): shapes, per-model density, importance and
    activation, steps, batch, lr, recipe, optimizer, the learning rate it used at a few steps and each model's mean
    training loss over equal windows of the run. The probes compare these with the config and check convergence."""


LOSS_WINDOWS = 8
"""Training losses are recorded as per-model means (and standard errors) over this many equal windows of steps."""


def lr_steps(steps: int) -> list[int]:
    """The (1-based) steps at which trainers record the learning rate they use: first, quarters, last."""
    return sorted({1, max(1, steps // 4), max(1, steps // 2), max(1, 3 * steps // 4), steps})


class LossWindows:
    """Accumulates each model's training loss into :data:`LOSS_WINDOWS` equal windows of the run."""

    def __init__(self, B: int, steps: int, device: str | torch.device = "cpu") -> None:
        self.k = min(LOSS_WINDOWS, steps)
        self.steps = steps
        self.sum = torch.zeros(self.k, B, dtype=torch.float64, device=device)
        self.sq = torch.zeros(self.k, B, dtype=torch.float64, device=device)
        self.count = [0] * self.k

    def add(self, step: int, per_model: torch.Tensor) -> None:
        w = (step - 1) * self.k // self.steps
        v = per_model.detach().double()
        self.sum[w] += v
        self.sq[w] += v**2
        self.count[w] += 1

    def record(self) -> dict[str, list[list[float]]]:
        """{"loss_windows": (B, k) means, "loss_window_se": (B, k) standard errors}."""
        c = torch.tensor(self.count, dtype=torch.float64, device=self.sum.device).clamp_min(1)[:, None]
        mean = self.sum / c
        var = (self.sq / c - mean**2).clamp_min(0.0) * c / (c - 1).clamp_min(1)
        return {"loss_windows": mean.T.cpu().tolist(), "loss_window_se": (var / c).sqrt().T.cpu().tolist()}


def init_weights(B: int, m: int, n: int, gen: torch.Generator, device: str = "cpu") -> torch.Tensor:
    """Independent Xavier-normal initializations W (B, m, n), std √(2/(m+n)), one per model."""
    return torch.randn(B, m, n, generator=gen, device=device) * math.sqrt(2.0 / (m + n))


INDEPENDENT, CORRELATED, ANTICORRELATED, ONE_HOT = 0, 1, 2, 3
"""Feature structures (Elhage et al., section "Superposition with correlated features"; Chen et al. 2023):
independent features; pairs (0, 1), (2, 3), ... that are always active together (correlated) or never together
(anticorrelated: the pair is active with probability 2p and then exactly one of its two features, chosen
uniformly); exactly one active feature per sample (Chen et al.'s high-sparsity limit, density ignored)."""


def sample_features(
    density: torch.Tensor,
    batch: int,
    n: int,
    gen: torch.Generator,
    device: str = "cpu",
    structure: torch.Tensor | None = None,
) -> torch.Tensor:
    """x of shape (B, batch, n): each xᵢ is U[0, 1) with probability ``density`` (= 1 − S) of its model, else 0.

    ``structure`` (B,) picks each model's feature structure (``INDEPENDENT`` ... ``ONE_HOT``); in every structure
    but ``ONE_HOT`` each feature is active with probability exactly ``density`` (anticorrelated pairs need
    density ≤ 1/2), and active magnitudes are U[0, 1).
    """
    B = density.shape[0]
    p = density.view(B, 1, 1)
    u = torch.rand(B, batch, n, generator=gen, device=device)
    # one uniform draw serves both: P(u < p) = p, and u/p given u < p is U[0, 1)
    x = torch.where(u < p, u / p.clamp_min(1e-30), torch.zeros_like(u))
    if structure is None or not bool((structure != INDEPENDENT).any()):
        return x
    structure = structure.to(device).view(B, 1, 1)
    n_pairs = -(-n // 2)
    gate = torch.rand(B, batch, n_pairs, generator=gen, device=device)
    pick = torch.rand(B, batch, n_pairs, generator=gen, device=device) < 0.5  # which member of an anticorrelated pair
    mag = torch.rand(B, batch, n, generator=gen, device=device)
    corr_on = (gate < p).repeat_interleave(2, -1)[..., :n]
    first = torch.stack([pick, ~pick], -1).reshape(B, batch, 2 * n_pairs)[..., :n]
    anti_on = (gate < 2 * p).repeat_interleave(2, -1)[..., :n] & first
    one = torch.nn.functional.one_hot(torch.randint(0, n, (B, batch), generator=gen, device=device), n).bool()
    on = torch.where(structure == CORRELATED, corr_on, torch.where(structure == ANTICORRELATED, anti_on, one))
    return torch.where(structure == INDEPENDENT, x, mag * on)


def forward(W: torch.Tensor, b: torch.Tensor, x: torch.Tensor, linear: torch.Tensor | None = None) -> torch.Tensor:
    """x' = ReLU(Wᵀ W x + b) for every model at once (no ReLU where ``linear[b]``); x: (B, batch, n).

    Computed as x (WᵀW) + b with the small n x n Gram matrix formed first: one batched product over the samples
    forward and one backward (x needs no gradient), against two and three through h = W x; forward and backward
    1.2-1.8x faster for every shape of the study at one thread (issue 36). The same function; float rounding differs.
    """
    out = torch.baddbmm(b[:, None, :], x, torch.bmm(W.transpose(1, 2), W))
    if linear is None:
        return torch.relu(out)
    return torch.where(linear.view(-1, 1, 1), out, torch.relu(out))


def weighted_loss(x: torch.Tensor, x_hat: torch.Tensor, importance: torch.Tensor) -> torch.Tensor:
    """Per-model loss E_x Σᵢ Iᵢ (xᵢ − x'ᵢ)²; importance: (B, n). Returns (B,)."""
    return ((x - x_hat) ** 2 * importance[:, None, :]).sum(-1).mean(-1)


STACK_BYTES = 20 << 20
"""A sweep trains as one stacked computation while a step's feature tensor x (B, batch, n) stays within 20 MiB of
float32, else in slices of models that do, each slice from its own generator (seeded by a draw from the sweep's);
one model at a time once a single model's x reaches :data:`LOOP_BYTES`. Fixed from ``benchmarks/superposition_bench.py``
(one thread, CPU seconds, loop time / stacked time): stacked is 2.0x the per-model loop for n = 20 in m = 5 at batch
1024 (40 models, 3 MiB), 2.6x for quick's n = 30 sweep, 1.11-1.26x for paper's n = 200 in m = 20 (48 models, 19 MiB,
0.39 MiB per model), but 0.40-0.47x for 48 models of n = 400 in m = 30 at batch 512 (38 MiB; 0.87-0.94x in slices of
25 or 30, 0.78 MiB per model) and 0.92-0.96x for 16 of n = 1000 in m = 100 (2 MiB per model). Every preset's sweep
stacks whole, so the rule changes no preset's results."""

LOOP_BYTES = 3 << 18
"""0.75 MiB: from this size of one model's x (B = 1) a step is already compute-bound and stacking only adds cache
misses (see :data:`STACK_BYTES`)."""


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
    structure: torch.Tensor | None = None,
    checkpoints: tuple[int, ...] = (),
    recipe: str = "fast",
) -> ToyResult:
    """Train B toy models at once (B = len(density)); ``recipe="fast"``: Adam with a cosine learning-rate decay
    to 0; ``recipe="reference"``: AdamW at a constant ``lr`` (the paper's notebook: lr 1e-3, batch 1024,
    10,000 steps).

    ``importance`` is (B, n); ``linear`` (B,) bool marks the models without the output ReLU; ``structure`` (B,)
    the feature structure of each model's data (see :func:`sample_features`); ``W`` is recorded after each step
    listed in ``checkpoints`` (``ToyResult.history``).

    Elhage et al. train with AdamW at lr 1e-3, batch 1024, 10,000 steps; a higher lr with a cosine
    decay reaches the same optima in fewer steps at these sizes (the linear-optimum probe checks it).
    Initialization: W Xavier-normal (std √(2/(m+n))), b = 0, as in the paper's notebook.
    """
    B = density.shape[0]
    gen = torch.Generator(device=device).manual_seed(seed)
    per_model = 4 * batch * n
    if B > 1 and (B * per_model > STACK_BYTES or per_model >= LOOP_BYTES):
        size = 1 if per_model >= LOOP_BYTES else max(1, STACK_BYTES // per_model)
        parts = []
        for lo in range(0, B, size):
            part = slice(lo, min(lo + size, B))
            parts.append(
                train_toy_models(
                    n, m, density[part], importance[part],
                    linear=None if linear is None else linear[part],
                    steps=steps, batch=batch, lr=lr, seed=int(torch.randint(0, 2**62, (1,), generator=gen)),
                    eval_batch=eval_batch, device=device,
                    structure=None if structure is None else structure[part],
                    checkpoints=checkpoints, recipe=recipe,
                )
            )  # fmt: skip

        def cat(field: str) -> torch.Tensor:
            return torch.cat([getattr(p, field) for p in parts])

        settings = dict(parts[0].settings)
        for key in ("density", "importance", "linear", "structure", "loss_windows", "loss_window_se"):
            settings[key] = None if settings[key] is None else [v for p in parts for v in p.settings[key]]
        return ToyResult(
            cat("W"), cat("b"), cat("loss"), cat("loss_se"), cat("W_init"),
            [
                (step, torch.cat([p.history[i][1] for p in parts]), torch.cat([p.history[i][2] for p in parts]))
                for i, (step, _, _) in enumerate(parts[0].history)
            ],
            settings,
        )  # fmt: skip
    density = density.to(device, torch.float32)
    importance = importance.to(device, torch.float32)
    linear = None if linear is None else linear.to(device)
    W = init_weights(B, m, n, gen, device).requires_grad_()
    b = torch.zeros(B, n, device=device, requires_grad=True)
    W_init = W.detach().clone()
    if recipe not in ("fast", "reference"):
        raise ValueError(f"unknown recipe {recipe!r}")
    opt = torch.optim.AdamW([W, b], lr=lr) if recipe == "reference" else torch.optim.Adam([W, b], lr=lr)
    if recipe == "reference":
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1.0)
    else:
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 0.5 * (1 + math.cos(math.pi * t / steps)))
    history: list[tuple[int, torch.Tensor, torch.Tensor]] = []
    at, lr_trace, windows = lr_steps(steps), [], LossWindows(B, steps, device)
    for step in range(1, steps + 1):
        if step in at:
            lr_trace.append([step, float(opt.param_groups[0]["lr"])])
        x = sample_features(density, batch, n, gen, device, structure)
        losses = weighted_loss(x, forward(W, b, x, linear), importance)  # (B,): each model's own loss
        windows.add(step, losses)
        loss = losses.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        opt.step()
        sched.step()
        if step in checkpoints:
            history.append((step, W.detach().clone(), b.detach().clone()))
    with torch.no_grad():
        x = sample_features(density, eval_batch, n, gen, device, structure)
        per = ((x - forward(W, b, x, linear)) ** 2 * importance[:, None, :]).sum(-1)  # (B, eval_batch)
    settings = {
        "n": n, "m": m, "steps": steps, "batch": batch, "lr": lr, "recipe": recipe,
        "optimizer": type(opt).__name__, "weight_decay": float(opt.param_groups[0].get("weight_decay", 0.0)),
        "density": density.cpu().tolist(), "importance": importance.cpu().tolist(),
        "linear": None if linear is None else [bool(v) for v in linear.cpu().tolist()],
        "structure": None if structure is None else [int(v) for v in structure.cpu().tolist()],
        "lr_trace": lr_trace, **windows.record(),
    }  # fmt: skip
    return ToyResult(
        W.detach(), b.detach(), per.mean(-1), per.std(-1) / math.sqrt(eval_batch), W_init, history, settings
    )


def linear_optimum_loss(n: int, m: int, density: float, importance: torch.Tensor) -> float:
    """The exact minimum of the linear toy model's loss: Σ over all but the m most important features of Iᵢ Var(xᵢ).

    With independent features of equal variance v = p/3 − p²/4 (p = 1 − S; xᵢ is U[0,1) with probability p),
    the best x' = Wᵀ W x + b projects onto the m most important coordinates and b carries the means, so the
    loss is v · Σ_{i ∉ top m} Iᵢ (Eckart-Young with diagonal weights).
    """
    v = density / 3 - density**2 / 4
    rest = torch.sort(importance.double(), descending=True).values[m:]
    return float(v * rest.sum())


def linear_next_best_loss(n: int, m: int, density: float, importance: torch.Tensor) -> float:
    """The linear toy model's lowest loss at a projection onto a wrong set of features.

    The projections onto sets of at most m coordinates are critical points of this loss, with loss v · Σ_{i ∉ S} Iᵢ
    (for a linear autoencoder without importance weights they are all its critical points up to rotation: Baldi &
    Hornik 1989, Theorem 1). The best set is the m most important; the best wrong one swaps the m-th most important
    feature for the (m+1)-th: the optimum plus v · (I_(m) − I_(m+1)). With m ≥ n the optimum is 0 and the best wrong
    set drops the least important feature. Equal to the optimum when I_(m) = I_(m+1) (both sets are then optimal).
    The probe ``linear-reaches-optimum`` allows half of this gap.
    """
    v = density / 3 - density**2 / 4
    ordered = torch.sort(importance.double(), descending=True).values
    if m >= n:
        return float(v * ordered[-1])
    return linear_optimum_loss(n, m, density, importance) + float(v * (ordered[m - 1] - ordered[m]))


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


def _dwell(x: np.ndarray, D: np.ndarray, lo: float, hi: float) -> float:
    """Length of log-density x over which the piecewise-linear curve D(x) lies in [lo, hi]."""
    total = 0.0
    for x0, x1, d0, d1 in zip(x[:-1], x[1:], D[:-1], D[1:], strict=True):
        if d1 == d0:
            total += (x1 - x0) if lo <= d0 <= hi else 0.0
            continue
        t0, t1 = sorted(((lo - d0) / (d1 - d0), (hi - d0) / (d1 - d0)))
        total += max(0.0, min(1.0, t1) - max(0.0, t0)) * (x1 - x0)
    return total


def plateau_dwell(densities: list[float], D: list[float], fractions: tuple[float, ...], tol: float) -> float:
    """How much longer D* lingers at its stickiest fraction than a curve without plateaus would.

    The curve D*(x), x = ln density, is interpolated linearly between the grid points. Over the band the fractions
    span, [min f − tol, max f + tol], a curve crossing at an even rate spends the share 2·tol / (band width) of its
    band-crossing in each window f ± tol; a plateau at f keeps it there longer. The statistic is the largest, over
    fractions, of (share of the band-crossing spent within f ± tol) / (that even-rate share): 1 for a straight
    line, up to (band width) / (2·tol) for a curve that sits at one fraction throughout the band. It reads the
    curve's flatness at a fraction, not how many grid points happen to land near one, so two points at 0.487 and
    0.507 (a plateau at 1/2 spanning a density step) count as the plateau they are wherever the grid's other points
    fall (the review's objection to the share-of-points statistic, issue 33). A curve that crosses less than half
    the band (it never leaves one region, e.g. every density dense) scores 0: it shows no plateau *as sparsity
    varies*.
    """
    order = np.argsort(densities)
    x = np.log(np.asarray(densities, dtype=float)[order])
    d = np.asarray(D, dtype=float)[order]
    lo, hi = min(fractions) - tol, max(fractions) + tol
    if min(d.max(), hi) - max(d.min(), lo) < (hi - lo) / 2:
        return 0.0
    span = _dwell(x, d, lo, hi)
    if span <= 0:
        return 0.0
    even = 2 * tol / (hi - lo)
    return max(_dwell(x, d, f - tol, f + tol) / span / even for f in fractions)


# ---------------------------------------------------------------------------------------------------
# Chen et al. 2023: the high-sparsity limit and its k-gon critical points
# ---------------------------------------------------------------------------------------------------


def _relu_line_integrals(beta: torch.Tensor, gamma: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(∫₀¹ u R du, ∫₀¹ R² du) for R(u) = ReLU(β u + γ), exactly (R is linear on the interval where it is positive)."""
    safe = torch.where(beta == 0, torch.ones_like(beta), beta)
    root = (-gamma / safe).clamp(0.0, 1.0)
    pos = (gamma > 0).to(beta.dtype)
    lo = torch.where(beta > 0, root, torch.where(beta < 0, torch.zeros_like(beta), 1 - pos))
    hi = torch.where(beta > 0, torch.ones_like(beta), torch.where(beta < 0, root, torch.ones_like(beta)))
    d1, d2, d3 = hi - lo, (hi**2 - lo**2) / 2, (hi**3 - lo**3) / 3
    return beta * d3 + gamma * d2, beta**2 * d3 + 2 * beta * gamma * d2 + gamma**2 * d1


def onehot_expected_loss(W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The exact expected loss of ReLU toy models when exactly one feature is active per sample (Chen et al. 2023,
    the high-sparsity limit): x = u eᵢ, i uniform over the n features, u ~ U[0, 1), unit importance.

        L = (1/n) Σᵢ ∫₀¹ [ (u − ReLU(u Aᵢᵢ + bᵢ))² + Σ_{j≠i} ReLU(u Aⱼᵢ + bⱼ)² ] du,    A = Wᵀ W,

    each integral in closed form. W: (B, m, n), b: (B, n) -> (B,); differentiable (for the critical-point check).
    """
    A = torch.bmm(W.transpose(1, 2), W)  # A[i, j] = Wᵢ·Wⱼ (symmetric)
    n = W.shape[-1]
    beta = A  # term (i active, output j): slope A[j, i] = A[i, j], offset b[j]
    gamma = b[:, None, :].expand_as(A)
    uR, R2 = _relu_line_integrals(beta, gamma)
    eye = torch.eye(n, dtype=W.dtype, device=W.device)
    per = R2 - 2 * eye * uR + eye / 3  # α = 1 on the diagonal (the active feature's own output), 0 off it
    return per.sum((-2, -1)) / n


def kgon(n: int, k: int, length: float, bias: float, absent_bias: float) -> tuple[torch.Tensor, torch.Tensor]:
    """A regular k-gon of feature columns of norm ``length`` in 2 dimensions (bias ``bias``); the other n − k
    features get W = 0 and bias ``absent_bias``. Returns W (1, 2, n), b (1, n) in float64."""
    ang = 2 * math.pi * torch.arange(k, dtype=torch.float64) / k
    W = torch.zeros(1, 2, n, dtype=torch.float64)
    W[0, 0, :k], W[0, 1, :k] = length * torch.cos(ang), length * torch.sin(ang)
    b = torch.full((1, n), absent_bias, dtype=torch.float64)
    b[0, :k] = bias
    return W, b


def kgon_critical_points(n: int) -> list[dict[str, float]]:
    """For k = 2 ... n: the regular k-gon with the loss-minimizing norm, bias and absent-feature bias, its exact
    high-sparsity loss, and the largest gradient entry of the exact loss over all of W and b there (Chen et al.
    2023: regular k-gons are critical points, so it should vanish)."""
    from scipy.optimize import minimize

    out = []
    for k in range(2, n + 1):

        def f(v: np.ndarray, k: int = k) -> tuple[float, np.ndarray]:
            t = torch.tensor(v, dtype=torch.float64, requires_grad=True)
            W, b = kgon(n, k, 1.0, 0.0, 0.0)
            W = W * t[0]
            b = b.clone()
            b = torch.cat([t[1].expand(k), t[2].expand(n - k)])[None]
            loss = onehot_expected_loss(W, b)[0]
            (g,) = torch.autograd.grad(loss, t)
            return float(loss.detach()), g.numpy()

        best = None
        # start at unit norm and no bias, and (for the crowded k-gons) also where the bias cancels a neighbour's
        # interference l² cos(2π/k)
        starts = ((1.0, 0.0, 0.5 / n), (1.3, -1.69 * math.cos(2 * math.pi / k), 0.5 / n))
        for x0 in starts[: 1 if k <= 4 else 2]:
            r = minimize(f, np.array(x0), jac=True, method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-12})
            if best is None or r.fun < best.fun:
                best = r
        assert best is not None
        l_, b_, a_ = (float(v) for v in best.x)
        W, b = kgon(n, k, l_, b_, a_)
        W.requires_grad_()
        b.requires_grad_()
        loss = onehot_expected_loss(W, b)[0]
        gW, gb = torch.autograd.grad(loss, (W, b))
        out.append({"k": k, "length": l_, "bias": b_, "absent_bias": a_, "loss": float(loss.detach()),
                    "max_grad": float(max(gW.abs().max(), gb.abs().max()))})  # fmt: skip
    return out


def polygon_regularity(W: torch.Tensor, stored: torch.Tensor) -> float:
    """Largest deviation (radians) of the angular gaps between consecutive stored columns of a 2-d W (2, n) from
    the regular 2π/k; 0 for a regular k-gon (k = number of stored columns ≥ 2; inf when fewer than 2)."""
    cols = W[:, stored]
    k = cols.shape[1]
    if k < 2:
        return float("inf")
    ang = torch.sort(torch.atan2(cols[1], cols[0])).values
    gaps = torch.diff(torch.cat([ang, ang[:1] + 2 * math.pi]))
    return float((gaps - 2 * math.pi / k).abs().max())
