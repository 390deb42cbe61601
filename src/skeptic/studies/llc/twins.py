"""ReLU vs GELU, decidable: twin one-hidden-layer networks whose learning coefficients are known exactly.

The reviewer's point: ReLU is not analytic, and its positive homogeneity gives every hidden unit an exact symmetry
(w_h, b_h, a_h) → (c·w_h, c·b_h, a_h/c), c > 0, so each active unit adds one exactly flat direction. GELU
(z·Φ(z)) is analytic and not homogeneous: the same direction is curved, since ∂/∂c [a/c·GELU(c z)] at c = 1 is
a·(z·GELU'(z) − GELU(z)) = a·z²φ(z), which vanishes for ReLU and not for GELU.

Twins: x ∈ ℝ² ~ N(0, I), f(x) = Σ_h a_h act(w_h·x + b_h) + c with H hidden units, realizable (y = f(x, θ*), no
noise), θ* a teacher whose H units point in distinct directions with kinks inside the data. The Fisher information
(= the Hessian of the Gaussian NLL at θ*) then has null space exactly the H rescaling directions for ReLU (on a unit's
active half-plane a(δw·x + δb) + δa(w·x + b) = 0 forces (δw, δb, δa) ∝ (w, b, −a)), and none for GELU. The set of
true parameters near θ* is an H-dimensional smooth orbit along which K is exactly zero, with K quadratic across it:
minimally singular, so λ_ReLU = (d − H)/2 (Watanabe 2009, §7), while the GELU twin is regular, λ_GELU = d/2
(d = 4H + 1).
Both ranks are checked numerically in the run (``rescaling_check``), not assumed.

The finite-temperature expectation of λ̂ is Σ nβh/(2a(1 − εa/4)) over the Hessian's eigenvalues h, a = nβh + γ
(the Gaussian expectation of the discretized localized chain, as for the k-gons): a direction with nβh ≪ γ adds
nothing. GELU's rescaling directions are curved but weakly (h ≈ 3e-3 here), so at the study's γ = 10 and laptop n
even an exact sampler sees no gap; the twins run at their own γ (``twin_gamma``) and the claim says when the design
cannot decide.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from skeptic.studies.llc import estimator
from skeptic.studies.llc.models import gaussian_nll

INPUTS = 2
EPS_FACTORS = (0.3, 1.0, 3.0)
RESCALE_CS = (0.5, 2.0)
NULL_REL = 1e-9
"""An eigenvalue below this × the largest counts as zero (float64 noise is ~1e-16 relative)."""


def act_fn(z: torch.Tensor, act: str) -> torch.Tensor:
    """ReLU or GELU (exact, erf form)."""
    return F.relu(z) if act == "relu" else F.gelu(z)


class TwinNet(nn.Module):
    """x ↦ act(x Wᵀ + b) aᵀ + c: W (H, 2), b (H,), a (1, H), c (1,)."""

    def __init__(self, w: torch.Tensor, b: torch.Tensor, a: torch.Tensor, c: torch.Tensor, act: str) -> None:
        super().__init__()
        self.w, self.b = nn.Parameter(w.clone()), nn.Parameter(b.clone())
        self.a, self.c = nn.Parameter(a.clone()), nn.Parameter(c.clone())
        self.act = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return act_fn(x @ self.w.T + self.b, self.act) @ self.a.T + self.c


def teacher(
    hidden: int, output_scale: float, g: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """θ*: unit h points at angle 2π(h + U/2)/H with norm in [0.8, 1.2], bias in [−0.5, 0.5] (its kink crosses the
    bulk of the data), output weight ±output_scale·[0.8, 1.2] with alternating signs; output bias 0."""
    ang = 2 * math.pi * (torch.arange(hidden, dtype=torch.float64) + 0.5 * torch.rand(hidden, generator=g).double())
    ang = ang / hidden
    norm = 0.8 + 0.4 * torch.rand(hidden, 1, generator=g).double()
    w = torch.stack([torch.cos(ang), torch.sin(ang)], 1) * norm
    b = torch.rand(hidden, generator=g).double() - 0.5
    sign = torch.where(torch.arange(hidden) % 2 == 0, 1.0, -1.0).double()
    a = (sign * output_scale * (0.8 + 0.4 * torch.rand(hidden, generator=g).double())).view(1, hidden)
    return w, b, a, torch.zeros(1, dtype=torch.float64)


def exact_lambda(act: str, hidden: int) -> float:
    """λ of the realizable twin: (d − H)/2 for ReLU (one exactly flat rescaling direction per unit, minimally
    singular), d/2 for GELU (regular), d = H·(2 + 1 + 1) + 1."""
    d = hidden * (INPUTS + 2) + 1
    return (d - hidden) / 2 if act == "relu" else d / 2


def _flat(model: TwinNet) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in (model.w, model.b, model.a, model.c)])


def _loss_of(model: TwinNet, data: tuple[torch.Tensor, torch.Tensor]) -> Any:
    hidden = model.b.numel()
    x, y = data

    def loss(theta: torch.Tensor) -> torch.Tensor:
        i = 0
        w = theta[i : i + hidden * INPUTS].view(hidden, INPUTS)
        i += hidden * INPUTS
        b = theta[i : i + hidden]
        a = theta[i + hidden : i + 2 * hidden].view(1, hidden)
        c = theta[i + 2 * hidden :]
        out = act_fn(x @ w.T + b, model.act) @ a.T + c
        return 0.5 * ((y - out) ** 2).sum(-1).mean()

    return loss


def rescaling_direction(theta: torch.Tensor, hidden: int, unit: int) -> torch.Tensor:
    """d/dc of (c·w_h, c·b_h, a_h/c) at c = 1: (w_h, b_h, −a_h), zero elsewhere."""
    v = torch.zeros_like(theta)
    v[unit * INPUTS : (unit + 1) * INPUTS] = theta[unit * INPUTS : (unit + 1) * INPUTS]
    v[hidden * INPUTS + unit] = theta[hidden * INPUTS + unit]
    v[hidden * INPUTS + hidden + unit] = -theta[hidden * INPUTS + hidden + unit]
    return v


def rescaled(model: TwinNet, c: float) -> TwinNet:
    """Every unit's (w, b) times c and its output weight over c: for ReLU the same function."""
    return TwinNet(model.w.detach() * c, model.b.detach() * c, model.a.detach() / c, model.c.detach(), model.act)


def rescaling_check(model: TwinNet, data: tuple[torch.Tensor, torch.Tensor]) -> dict[str, Any]:
    """Loss change under the rescaling by each c in ``RESCALE_CS``; the Hessian of L_n at θ (autograd, float64), its
    eigenvalues, rank and, per hidden unit, the Rayleigh quotient vᵀHv/(vᵀv·h_max) along its rescaling direction v;
    and how many units are active (pre-activation > 0 on at least 5% of the data)."""
    hidden = model.b.numel()
    theta = _flat(model)
    loss = _loss_of(model, data)
    base = float(loss(theta))
    changes = []
    with torch.no_grad():
        for c in RESCALE_CS:
            changes.append(abs(float(gaussian_nll(rescaled(model, c), data)) - base))
    h = torch.autograd.functional.hessian(loss, theta)  # type: ignore[no-untyped-call]
    ev = torch.linalg.eigvalsh(h).numpy()
    h_max = float(ev.max())
    quotients = []
    for u in range(hidden):
        v = rescaling_direction(theta, hidden, u)
        quotients.append(float(v @ h @ v / (v @ v)) / h_max)
    with torch.no_grad():
        pre = data[0] @ model.w.T + model.b
        active = int(((pre > 0).double().mean(0) >= 0.05).sum())
    return {
        "loss": base,
        "rescale_loss_change": max(changes),
        "eigenvalues": [float(e) for e in ev],
        "hessian_rank": int((ev > NULL_REL * h_max).sum()),
        "near_zero": int((np.abs(ev) <= NULL_REL * h_max).sum()),
        "rescale_quotients": quotients,
        "active_units": active,
        "d": int(theta.numel()),
    }


def _metric(h: np.ndarray, nbeta: float, floor: float | None) -> np.ndarray:
    """The preconditioner's eigenvalues m = 1/(nβh₊ + κ) along the Hessian's eigenvectors (1 without one)."""
    return np.ones_like(h) if floor is None else 1.0 / (nbeta * np.clip(h, 0.0, None) + floor)


def laplace_target(
    eigenvalues: np.ndarray, nbeta: float, gamma: float, epsilon: float, floor: float | None = None
) -> float:
    """E[nβ(L − L*)] of the discretized localized chain on the quadratic approximation: Σ nβh/(2a(1 − εma/4)),
    a = nβh + γ, over the eigenvalues h > 0 (exactly flat directions add nothing); m = 1 for plain SGLD and
    1/(nβh + κ) for the chain preconditioned by M = (nβH + κI)⁻¹ (``floor`` κ), which shares H's eigenvectors."""
    h = np.clip(np.asarray(eigenvalues), 0.0, None)
    a = nbeta * h + gamma
    m = _metric(h, nbeta, floor)
    return float(np.sum(nbeta * h / (2 * a * (1 - epsilon * m * a / 4))))


BURNIN_RELAXATIONS = 3.0
"""A twin's chains have relaxed once their burn-in is this many times the slowest curved direction's relaxation time
(e⁻³ ≈ 5% of the initial deficit left; the estimator's own default, :data:`estimator.BURNIN_RELAXATIONS`)."""


def slowest_relaxation(
    eigenvalues: np.ndarray, nbeta: float, gamma: float, epsilon: float, floor: float | None = None
) -> float:
    """Steps 1/(εm(nβh + γ)) the chain needs to relax along its slowest direction that is not exactly flat
    (h > ``NULL_REL`` × h_max): the AR(1) relaxation of the discretized localized chain along that eigenvector (m = 1
    for plain SGLD, 1/(nβh + κ) preconditioned, as in :func:`laplace_target`). Exactly flat directions (ReLU's
    rescaling) add nothing to the loss, whatever their relaxation."""
    h = np.asarray(eigenvalues, dtype=float)
    curved = h[h > NULL_REL * h.max()]
    rate = _metric(curved, nbeta, floor) * (nbeta * curved + gamma)
    return float(1.0 / (epsilon * rate.min()))


PRECONDITIONED_STEP = 0.2 / 3
"""ε of the preconditioned twins (units of M·A, where A = nβH + γI), so that the largest of ``EPS_FACTORS`` is the
curvature rule's 0.2. Chosen after ε = 0.2 over-stepped at n = 20,000, γ = 0.3, κ = 100 (ReLU λ̂ +17% over its
target, MALA acceptance 0.84): along the rescaling orbits the chains reach where the Hessian is far above H(θ*)."""


def twins(
    acts: tuple[str, str],
    hidden: int,
    n: int,
    gamma: float,
    output_scale: float,
    num_chains: int,
    num_burnin: int,
    num_draws: int,
    seed: int,
    precondition_floor: float | None = None,
) -> dict[str, Any]:
    """The two arms (the same teacher θ* and inputs, activations ``acts``; the claim's are ReLU and GELU): exact λ,
    the rescaling check, the finite-temperature target and λ̂ at ε·(``EPS_FACTORS``) around the curvature rule's ε
    (one batched full-batch SGLD run per arm, all step sizes' chains together). Also the *resolution*: the
    finite-temperature targets of the ReLU and the GELU twin at these n and γ, whatever the arms, i.e. the gap an
    exact sampler would show if the arms differ as ReLU and GELU do.

    ``precondition_floor`` κ (default None: plain SGLD at the curvature rule's ε) runs the chains preconditioned by
    M = (nβH + κI)⁻¹ at ε = ``PRECONDITIONED_STEP`` × (``EPS_FACTORS``) (:func:`estimator.sgld_chains`; same
    stationary law), with the targets and relaxation times for that chain."""
    g = torch.Generator().manual_seed(seed)
    params = teacher(hidden, output_scale, g)
    x = torch.randn(n, INPUTS, generator=g).double()
    nb = estimator.default_nbeta(n)
    c = num_chains
    checks: dict[str, dict[str, Any]] = {}
    data_of: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    for act in sorted(set(acts) | {"relu", "gelu"}):
        model = TwinNet(*params, act=act)
        with torch.no_grad():
            data_of[act] = (x, model(x))
        checks[act] = rescaling_check(model, data_of[act])
        checks[act]["epsilon"] = (
            estimator.curvature_epsilon(model, gaussian_nll, data_of[act], nb, gamma)
            if precondition_floor is None
            else PRECONDITIONED_STEP
        )
    kappa = precondition_floor
    resolution = {
        act: laplace_target(np.asarray(checks[act]["eigenvalues"]), nb, gamma, checks[act]["epsilon"], kappa)
        for act in ("relu", "gelu")
    }
    arms = []
    for i, act in enumerate(acts):
        model = TwinNet(*params, act=act)
        check, data = checks[act], data_of[act]
        eps0 = check["epsilon"]
        eps = torch.tensor([eps0 * f for f in EPS_FACTORS for _ in range(c)], dtype=torch.float64)
        traces, acc = estimator.sgld_chains(
            model,
            gaussian_nll,
            data,
            epsilon=eps,
            nbeta=torch.full_like(eps, nb),
            gamma=torch.full_like(eps, gamma),
            num_steps=num_burnin + num_draws,
            batch_size=n,
            generator=torch.Generator().manual_seed(estimator.named_seed(seed, "twin-chains", i)),
            preconditioner=None
            if kappa is None
            else estimator.hessian_preconditioner(model, gaussian_nll, data, nb, kappa),
        )
        arm: dict[str, Any] = {
            "activation": act,
            "exact": exact_lambda(act, hidden),
            "num_burnin": num_burnin,
            "num_draws": num_draws,
            **{k: v for k, v in check.items() if k != "eigenvalues"},
        }
        for j, f in enumerate(EPS_FACTORS):
            sl = slice(j * c, (j + 1) * c)
            llc, se = estimator.mean_and_se(estimator.chain_estimates(traces[sl], nb, num_burnin))
            arm[f"llc_eps{f:g}"] = llc
            arm[f"llc_se_eps{f:g}"] = se
            arm[f"target_eps{f:g}"] = laplace_target(np.asarray(check["eigenvalues"]), nb, gamma, eps0 * f, kappa)
            if f == 1.0:
                arm["rhat"] = estimator.gelman_rubin(traces[sl, num_burnin:])
                arm["mala_acceptance"] = float(acc[sl].mean())
        arm["llc"], arm["llc_se"], arm["target"] = arm["llc_eps1"], arm["llc_se_eps1"], arm["target_eps1"]
        # the burn-in the smallest step size needs: 3 relaxation times of the least-curved direction at ε × 0.3
        ev = np.asarray(check["eigenvalues"])
        arm["relaxation_steps"] = slowest_relaxation(ev, nb, gamma, eps0, kappa)
        arm["burnin_needed"] = math.ceil(
            BURNIN_RELAXATIONS * slowest_relaxation(ev, nb, gamma, eps0 * min(EPS_FACTORS), kappa)
        )
        arms.append(arm)
    return {
        "acts": list(acts),
        "hidden": hidden,
        "n": n,
        "nbeta": nb,
        "gamma": gamma,
        "output_scale": output_scale,
        "precondition_floor": kappa,
        "arms": arms,
        "checks": checks,
        "resolution": resolution,
    }
