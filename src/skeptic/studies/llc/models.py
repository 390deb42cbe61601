"""Models whose learning coefficient is known exactly, with data drawn from a true parameter w*.

Every problem is realizable: y = f(x, w*) (+ Gaussian noise of unit variance where ``noise`` is on), x ~ N(0, I),
and the loss is the Gaussian negative log-likelihood with unit noise, ½‖y − f(x, w)‖² averaged over samples
(:func:`gaussian_nll`). Noise-free targets make w* an exact minimum of L_n with L_n(w*) = 0, the setting of
devinterp's own accuracy tests; the noisy regular model checks the estimator where w* is the least-squares fit.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch
from torch import nn

from skeptic.studies.llc import exact


def gaussian_nll(model: nn.Module, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
    """½‖y − f(x)‖² averaged over the batch: the unit-noise Gaussian negative log-likelihood less its constant."""
    x, y = batch
    out: torch.Tensor = 0.5 * ((y - model(x)) ** 2).sum(-1).mean()
    return out


class Linear(nn.Module):
    """x ↦ W x (no bias): the regular model, d = in·out."""

    def __init__(self, w: torch.Tensor) -> None:
        super().__init__()
        self.w = nn.Parameter(w.clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.w.T


class DeepLinear(nn.Module):
    """x ↦ W_L ⋯ W_1 x (no biases); two layers is reduced-rank regression x ↦ BAx."""

    def __init__(self, weights: list[torch.Tensor]) -> None:
        super().__init__()
        self.layers = nn.ParameterList([nn.Parameter(w.clone()) for w in weights])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for w in self.layers:
            x = x @ w.T
        return x


class Monomial(nn.Module):
    """x ↦ x · ∏ w_i^{k_i} (scalar x, y): at w* = 0 with y = 0, K(w) = ½E[x²]∏ w_i^{2k_i}, a normal crossing."""

    def __init__(self, powers: tuple[int, ...], w: torch.Tensor) -> None:
        super().__init__()
        self.powers: torch.Tensor
        self.register_buffer("powers", torch.tensor(powers, dtype=w.dtype))
        self.w = nn.Parameter(w.clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # coordinates with power 0 enter as 1 without a gradient path (0**0 has a nan derivative at w = 0)
        active = torch.where(self.powers > 0, self.w, torch.ones_like(self.w))
        return x * torch.prod(active**self.powers)


@dataclass
class Problem:
    """One row of the validation table: a model at w*, its data and its exact λ."""

    name: str
    family: str
    model: nn.Module
    data: tuple[torch.Tensor, torch.Tensor]
    exact: float
    multiplicity: int
    d: int
    noise: bool = False
    rank: int | None = None
    """The true map's rank, for deep linear networks."""


def _rank_r_weights(widths: tuple[int, ...], r: int, g: torch.Generator) -> list[torch.Tensor]:
    """Gaussian layers (std 1/√fan_in) with the first layer cut to rank r, so the product has rank r."""
    ws = [torch.randn(b, a, generator=g) / a**0.5 for a, b in itertools.pairwise(widths)]
    u, s, vh = torch.linalg.svd(ws[0], full_matrices=False)
    s = torch.where(torch.arange(len(s)) < r, torch.clamp(s, min=0.5), torch.zeros_like(s))
    ws[0] = u @ torch.diag(s) @ vh
    return ws


def _inputs(n: int, dim: int, g: torch.Generator) -> torch.Tensor:
    return torch.randn(n, dim, generator=g)


def regular_problem(
    m: int, k: int, n: int, g: torch.Generator, noise: bool = False, input_scale: float = 1.0
) -> Problem:
    """Linear regression ℝ^m → ℝ^k; with noise, w* is the least-squares fit (the exact minimum of L_n). The inputs
    are multiplied by ``input_scale`` (λ = d/2 at every scale; the curvature scales by its square)."""
    w = torch.randn(k, m, generator=g) / m**0.5
    x = _inputs(n, m, g) * input_scale
    y = x @ w.T
    if noise:
        y = y + torch.randn(y.shape, generator=g)
        w = torch.linalg.lstsq(x, y).solution.T
    tag = ", noisy" if noise else ""
    return Problem(f"linear {m}→{k}{tag}", "regular", Linear(w), (x, y), exact.regular_lambda(m * k), 1, m * k, noise)


def normal_crossing_problem(powers: tuple[int, ...], n: int, g: torch.Generator) -> Problem:
    """y = 0 and f = x·∏ w_i^{k_i} at w* = 0."""
    lam, mult = exact.normal_crossing_lambda(powers)
    x = _inputs(n, 1, g)
    name = (
        "x·"
        + "·".join(f"w{i + 1}^{k}" for i, k in enumerate(powers) if k > 0)
        + (f" (+{sum(k == 0 for k in powers)} free)" if 0 in powers else "")
    )
    model = Monomial(powers, torch.zeros(len(powers)))
    return Problem(name, "normal crossing", model, (x, torch.zeros_like(x)), lam, mult, len(powers))


def dln_problem(widths: tuple[int, ...], r: int, n: int, g: torch.Generator) -> Problem:
    """A deep linear network (two layers: reduced-rank regression) at a true parameter of rank r."""
    ws = _rank_r_weights(widths, r, g)
    x = _inputs(n, widths[0], g)
    model = DeepLinear(ws)
    with torch.no_grad():
        y = model(x)
    family = "reduced-rank regression" if len(widths) == 3 else "deep linear network"
    lam = exact.rrr_lambda(widths[0], widths[1], widths[2], r) if len(widths) == 3 else exact.dln_lambda(widths, r)
    name = "-".join(map(str, widths)) + f", r={r}"
    return Problem(name, family, model, (x, y), lam, 1, exact.dln_num_params(widths), rank=r)


def rescaled(problem: Problem, c: float) -> Problem:
    """The same function with its first layer multiplied by c and its second divided by c (Furman & Lau 2024, abstract:
    the LLC is invariant under this symmetry)."""
    assert isinstance(problem.model, DeepLinear)
    ws = [w.detach().clone() for w in problem.model.layers]
    ws[0], ws[1] = ws[0] * c, ws[1] / c
    return Problem(
        f"{problem.name}, rescaled ×{c:g}",
        problem.family,
        DeepLinear(ws),
        problem.data,
        problem.exact,
        problem.multiplicity,
        problem.d,
        rank=problem.rank,
    )
