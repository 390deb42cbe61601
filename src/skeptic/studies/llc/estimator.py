"""The local learning coefficient (LLC) estimated by localized SGLD, all chains as one batched computation.

Lau, Furman, Wang, Murfet & Wei 2023 (arXiv 2308.12108), the definition of the estimator:

    λ̂(w*) = nβ (E_w^β[L_n(w)] − L_n(w*)),   β = 1/log n by default,

where E^β is the expectation under the localized tempered posterior p(w) ∝ exp(−nβ L_n(w) − γ/2 ‖w − w*‖²) and
L_n is the mean negative log-likelihood over the n training samples. The expectation is approximated by SGLD
(Welling & Teh 2011) with the localization term, exactly the update of devinterp's ``SGLD`` optimizer:

    w ← w − ε/2 (nβ ∇L_B(w) + γ (w − w*)) + N(0, ε I),

with L_B the loss on a minibatch of ``batch_size`` samples. Each draw records L_B(w) − L_B(w*) on the minibatch
of its step (devinterp records L_B(w) and subtracts L_n(w*)); both have expectation L_n(w) − L_n(w*), but the
difference on a shared minibatch cancels most of the minibatch noise (a control variate), which matters when the
labels are noisy.

**Loss convention.** ``loss_fn(model, batch)`` returns the *mean* negative log-likelihood per sample, dropping
constants. For Gaussian regression with unit noise that is ``0.5 * ((y - model(x)) ** 2).sum(-1).mean()``:
½‖y − f(x)‖² averaged over the batch (note the ½ and the sum over output coordinates; ``F.mse_loss`` is neither).
It must be written with tensor operations only (no ``.item()``, no Python branching on values), because it is
evaluated under ``torch.func.vmap`` for all chains at once.

**Defaults** (γ = 10, 8 chains, minibatch 256, nβ = n/log n; chain length from the relaxation time, see
:func:`auto_chain_length`, first 250 burn-in + 1000 draws): chosen on development
models (linear 3→1, linear 3→2 with noisy labels, the normal crossing x·w₁w₂², RRR 4-3-4 r=1 and DLN 3-4-4-3 r=1, all
with n = 5000), then frozen before the validation table was run; γ = 1 mixed too slowly along flat directions. The
step size was first fixed at ε = 0.1/nβ (ε·nβ ≥ 0.2 biased regular and DLN estimates upward); after the validation
table and the toy model of superposition showed that no fixed ε·nβ suits models of very different curvature, the
default became :func:`auto_epsilon`, ε = min(0.2/(nβ h_max + γ), 1/nβ) with h_max the top Hessian eigenvalue at w*.
Only the tiny test table reuses a development model (DLN 3-4-4-3).
"""

from __future__ import annotations

import math
import warnings
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, vmap

LossFn = Callable[[nn.Module, tuple[torch.Tensor, ...]], torch.Tensor]

DEFAULT_EPSILON_TIMES_NBETA = 0.1
"""The fixed step size ε = 0.1/nβ of the first version (ε·nβ, the step in units of a unit curvature): the study's
``epsilon_rule="fixed"`` and the base of its sensitivity sweep. The estimator's default is now :func:`auto_epsilon`."""
DEFAULT_GAMMA = 10.0
"""Default localization γ: a Gaussian prior of width 1/√10 ≈ 0.3 around w*. It biases a regular model's estimate by
the factor nβh/(nβh + γ) (−1.7% at nβ = 587, curvature h = 1) and, for normal crossings, pulls the finite-n target
further below λ (see the study's quadrature probe); γ = 1 mixed too slowly along flat directions."""
DEFAULT_NUM_CHAINS = 8
DEFAULT_NUM_DRAWS = 1000
DEFAULT_NUM_BURNIN = 250
DEFAULT_BATCH_SIZE = 256
MALA_EVERY = 10
"""Every this many steps, the MALA acceptance probability of the SGLD proposal is computed (one extra gradient)."""
ACCEPTANCE_TARGET = 0.9
"""Skeptic's rule of thumb for the calibration helper: a step size whose MALA acceptance is below 0.9 discretizes
the Langevin dynamics too coarsely (Lau et al. 2023, Appendix on SGLD hyperparameters, use the MALA acceptance as
a diagnostic; the 0.9 level is ours)."""


def named_seed(seed: int, *key: str | int) -> int:
    """An integer seed for the sub-stream ``key`` of ``seed``, by hashing the name (as the run context's
    ``seed_for``), never by arithmetic on the seed."""
    words = [zlib.crc32(str(k).encode()) for k in key]
    return int(np.random.SeedSequence([seed, *words]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def default_nbeta(n: int) -> float:
    """nβ with β = 1/log n (Lau et al. 2023, the WBIC temperature of Watanabe 2013)."""
    if n < 2:
        raise ValueError("need n ≥ 2 samples")
    return n / math.log(n)


@dataclass
class LLCEstimate:
    """The result of :func:`estimate_llc`.

    ``loss_traces[c, t]`` = L_B(w_t) − L_B(w*), chain c's minibatch loss at step t relative to w* on the same
    minibatch (burn-in included; shape chains × (burnin + draws)); its expectation is L_n(w_t) − L_n(w*).
    ``chain_llcs[c]`` = nβ × the mean of chain c's post-burn-in ``loss_traces``; ``mean`` and ``std_error`` are their
    mean and standard error over chains (std/√C). ``init_loss`` = L_n(w*).
    """

    mean: float
    std_error: float
    chain_llcs: np.ndarray
    loss_traces: np.ndarray
    init_loss: float
    n: int
    nbeta: float
    epsilon: float
    gamma: float
    num_burnin: int
    rhat: float
    mala_acceptance: float
    grad_norm: float
    gradient_bias_bound: float
    drift: float
    drift_se: float
    warnings: list[str] = field(default_factory=list)
    gamma_sensitivity: float = float("nan")
    """d log λ̂ / d log γ from the draws themselves (:func:`gamma_sensitivity`); nan where not computed."""
    nbeta_sensitivity: float = float("nan")
    """d log λ̂ / d log nβ from the draws themselves (:func:`nbeta_sensitivity`); nan where not computed."""

    def llc_trace(self) -> np.ndarray:
        """nβ (L − L_n(w*)) per chain and step: the running quantity whose post-burn-in mean is the estimate."""
        return self.nbeta * self.loss_traces

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary (traces thinned to at most 200 points per chain)."""
        stride = max(1, self.loss_traces.shape[1] // 200)
        return {
            "llc/mean": self.mean,
            "llc/std_error": self.std_error,
            "llc/chains": [float(v) for v in self.chain_llcs],
            "init_loss": self.init_loss,
            "n": self.n,
            "nbeta": self.nbeta,
            "epsilon": self.epsilon,
            "gamma": self.gamma,
            "rhat": self.rhat,
            "mala_acceptance": self.mala_acceptance,
            "grad_norm": self.grad_norm,
            "gradient_bias_bound": self.gradient_bias_bound,
            "drift": self.drift,
            "drift_se": self.drift_se,
            "warnings": list(self.warnings),
            "trace_stride": stride,
            "llc_trace_mean": [float(v) for v in self.llc_trace().mean(0)[::stride]],
            "num_burnin": self.num_burnin,
            "post_burnin_trace_mean": float(self.llc_trace()[:, self.num_burnin :].mean()),
        }


class _LossOf(nn.Module):
    """Wraps ``loss_fn(model, batch)`` as a module so :func:`torch.func.functional_call` can swap its parameters."""

    def __init__(self, model: nn.Module, loss_fn: LossFn) -> None:
        super().__init__()
        self.model = model
        self.loss_fn = loss_fn

    def forward(self, *batch: torch.Tensor) -> torch.Tensor:
        return self.loss_fn(self.model, batch)


def _parameter_slots(model: nn.Module, names: Sequence[str]) -> list[tuple[nn.Module, str]] | None:
    """(module, attribute) of each named parameter, for :func:`_swapped`; None when a parameter is shared between
    two names (tied weights), which only :func:`torch.func.functional_call` handles."""
    if len(list(model.named_parameters(remove_duplicate=False))) != len(list(model.named_parameters())):
        return None
    slots = []
    for name in names:
        path, _, leaf = name.rpartition(".")
        slots.append((model.get_submodule(path) if path else model, leaf))
    return slots


@contextmanager
def _swapped(slots: Sequence[tuple[nn.Module, str]], values: Sequence[torch.Tensor]) -> Iterator[None]:
    """``values`` in place of the parameters at ``slots`` while the block runs: what ``functional_call`` does for
    these parameters (the same operations follow, so the same numbers), without its per-call flattening and
    untying of every named tensor, ~40% of a step of the tiny models here."""
    old = [module._parameters[leaf] for module, leaf in slots]
    try:
        for (module, leaf), value in zip(slots, values, strict=True):
            module._parameters[leaf] = value  # type: ignore[assignment]
        yield
    finally:
        for (module, leaf), previous in zip(slots, old, strict=True):
            module._parameters[leaf] = previous


def gelman_rubin(traces: np.ndarray) -> float:
    """Potential scale reduction R̂ (Gelman & Rubin 1992) of ``traces`` (chains × draws): √(V̂/W) with W the mean
    within-chain variance and V̂ = (T−1)/T·W + B/T, B = T·var(chain means). ≈ 1 when chains agree; nan for 1 chain."""
    c, t = traces.shape
    if c < 2 or t < 2:
        return float("nan")
    w = float(traces.var(axis=1, ddof=1).mean())
    b = t * float(traces.mean(axis=1).var(ddof=1))
    if w <= 0:
        return float("nan")
    v = (t - 1) / t * w + b / t
    return math.sqrt(v / w)


def localization(w: torch.Tensor, w_star: torch.Tensor) -> torch.Tensor:
    """The displacement w − w* the localization term γ(w − w*) pulls back (Lau et al. 2023, the localizing prior)."""
    return w - w_star


def langevin_step(w: torch.Tensor, grad_u: torch.Tensor, epsilon: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """One SGLD step w − ε/2 ∇U(w) + √ε ξ with ξ ~ N(0, I) (Welling & Teh 2011, eq. 4)."""
    return w - epsilon / 2 * grad_u + epsilon.sqrt() * noise


def chain_noise(shape: torch.Size, generator: torch.Generator) -> torch.Tensor:
    """Independent standard normal noise for every chain (the first dimension of ``shape``) and coordinate."""
    return torch.randn(shape, generator=generator)


def hessian_preconditioner(
    model: nn.Module, loss_fn: LossFn, data: Sequence[torch.Tensor], nbeta: float, floor: float
) -> torch.Tensor:
    """M = (nβ H₊ + κ I)⁻¹ with κ = ``floor``: for κ = γ the inverse Hessian of the localized potential
    U(w) = nβ L_n(w) + γ/2 ‖w − w*‖² at w*, for :func:`sgld_chains`'s ``preconditioner`` (float64, shape (d, d), flat
    parameters in ``named_parameters`` order as :func:`flat_parameters`). H is the full Hessian of L_n at the model's
    parameters (autograd); its negative eigenvalues (w* not exactly a minimum) are clipped to 0, so M is symmetric
    positive definite whenever κ > 0. A floor κ > γ stretches the weakly curved directions less than the exact inverse
    (M·(nβh + γ) = (nβh + γ)/(nβh + κ) < 1 there): on singular models the chains wander along those directions to
    where the Hessian is far larger than at w*, and the exact inverse then over-steps (see the study's README).
    Costs d Hessian-vector products and one d × d eigendecomposition: for the small models here (d ≤ a few hundred)
    negligible beside the chains."""
    if floor <= 0:
        raise ValueError("the preconditioner needs a floor > 0 (e.g. gamma: it makes nβH + κI invertible)")
    names = [k for k, p in model.named_parameters() if p.requires_grad]
    params = {k: p.detach() for k, p in model.named_parameters() if p.requires_grad}
    shapes = [params[k].shape for k in names]
    sizes = [int(params[k].numel()) for k in names]
    theta = torch.cat([params[k].reshape(-1) for k in names]).double()
    wrapped = _LossOf(model, loss_fn)
    batch = tuple(data)

    def loss(th: torch.Tensor) -> torch.Tensor:
        parts = torch.split(th.to(params[names[0]].dtype), sizes)
        out: torch.Tensor = functional_call(
            wrapped, {f"model.{k}": v.view(s) for k, v, s in zip(names, parts, shapes, strict=True)}, batch
        )
        return out.double()

    with torch.enable_grad():
        h = torch.autograd.functional.hessian(loss, theta)  # type: ignore[no-untyped-call]
    h = (h + h.T) / 2
    ev, vec = torch.linalg.eigh(h)
    out: torch.Tensor = (vec / (nbeta * ev.clamp(min=0.0) + floor)) @ vec.T
    return out


def sgld_chains(
    model: nn.Module,
    loss_fn: LossFn,
    data: Sequence[torch.Tensor],
    *,
    epsilon: torch.Tensor,
    nbeta: torch.Tensor,
    gamma: torch.Tensor,
    num_steps: int,
    batch_size: int,
    generator: torch.Generator,
    mala_every: int = MALA_EVERY,
    w_star: torch.Tensor | None = None,
    distances: list[np.ndarray] | None = None,
    preconditioner: torch.Tensor | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``len(epsilon)`` localized SGLD chains from the model's current parameters w*, as one vmapped batch.

    ``epsilon``, ``nbeta``, ``gamma`` are per-chain (shape (C,)), so a calibration grid runs as one computation.
    ``w_star`` (shape (C, d), the model's trainable parameters flattened in ``named_parameters`` order, see
    :func:`flat_parameters`) gives each chain its own starting point and localization centre, so the LLC at many
    points of one architecture (checkpoints along training, several critical points) is one computation; by
    default every chain starts at the model's current parameters. A ``distances`` list receives ½‖w_t − w*‖² per
    chain and step (shape (C, num_steps)), for :func:`gamma_sensitivity`.
    Returns (L_B(w_t) − L_B(w*) per chain and step, the minibatch loss of each draw relative to w* on the same
    minibatch, shape (C, num_steps); mean MALA acceptance per chain, shape (C,)).
    A chain whose loss becomes non-finite keeps nan from then on.

    ``preconditioner`` (off by default): a constant symmetric positive-definite M (shape (d, d), shared by all
    chains), and the update becomes preconditioned Langevin dynamics

        w ← w − ε/2 M ∇U(w) + √ε M^{1/2} ξ,   U(w) = nβ L_B(w) + γ/2 ‖w − w*‖²,  ξ ~ N(0, I)

    (M^{1/2} any L with LLᵀ = M; the Cholesky factor here). Because M does not depend on w, the diffusion
    dw = −½ M ∇U dt + M^{1/2} dB has generator ½(−(M∇U)·∇ + M:∇∇), whose invariant density is still ∝ exp(−U): the
    same localized tempered posterior, so λ̂ = nβ(E_w[L_n] − L_n(w*)) keeps its definition (Girolami & Calderhead
    2011, JRSS B 73(2): the constant-metric case G(w)⁻¹ = M of their Riemann manifold Langevin diffusion, whose
    extra drift terms are derivatives of G and vanish when G is constant; it is the preconditioned MALA proposal).
    The discretization bias changes: on a quadratic U with Hessian A the stationary covariance is
    (A(1 − εMA/4))⁻¹ (for M, A commuting), so the step size is measured in units of MA, not A. With
    M = (nβH + γI)⁻¹ (:func:`hessian_preconditioner`) MA = I at w*, every direction relaxes in ~1/ε steps
    (instead of 1/(ε(nβh_min + γ)) for the least-curved one) and the rule is ε = ``CURVATURE_STEP`` itself (5%
    bias in every direction). Minibatch noise: the gradient noise enters as ε/2·nβ M(∇L_B − ∇L_n), covariance
    ε²nβ²/4 · M C_B M beside the injected εM; as without M it vanishes relative to the injected noise as ε → 0 and
    is zero with full batches (``batch_size ≥ n``), the only setting the study runs preconditioned. The MALA
    acceptance uses the preconditioned proposal density N(w − ε/2 M∇U, εM).

    Implementation: every chain's parameters are one flat row of a (C, d) tensor; the per-chain losses are one
    ``vmap``-ed forward pass and their gradients one ordinary backward pass of their sum (the chains do not interact,
    so ∂(Σ_c L_c)/∂w_c = ∇L_c). For tiny models this costs about half of ``vmap(grad(...))``.
    """
    n = int(data[0].shape[0])
    chains = int(epsilon.shape[0])
    device = data[0].device
    names = [k for k, p in model.named_parameters() if p.requires_grad]
    w0d = {k: p.detach() for k, p in model.named_parameters() if p.requires_grad}
    shapes = [w0d[k].shape for k in names]
    sizes = [int(w0d[k].numel()) for k in names]
    dtype = w0d[names[0]].dtype
    w0 = torch.cat([w0d[k].reshape(-1) for k in names]).unsqueeze(0).repeat(chains, 1)
    if w_star is not None:
        if tuple(w_star.shape) != tuple(w0.shape):
            raise ValueError(f"w_star must have shape {tuple(w0.shape)} (chains, parameters)")
        w0 = w_star.to(device, dtype).clone()
    epsilon, nbeta, gamma = (t.to(device, dtype).unsqueeze(1) for t in (epsilon, nbeta, gamma))
    wrapped = _LossOf(model, loss_fn)
    slots = _parameter_slots(model, names)
    chol: torch.Tensor | None = None
    m_inv: torch.Tensor | None = None
    m: torch.Tensor | None = None
    if preconditioner is not None:
        d = int(w0.shape[1])
        if tuple(preconditioner.shape) != (d, d):
            raise ValueError(f"preconditioner must have shape ({d}, {d}) (parameters × parameters)")
        m = preconditioner.to(device, torch.float64)
        if not torch.allclose(m, m.T, rtol=1e-10, atol=1e-12 * float(m.abs().max())):
            raise ValueError("preconditioner must be symmetric")
        chol, info = torch.linalg.cholesky_ex(m)
        if int(info) != 0:
            raise ValueError("preconditioner must be positive definite")
        m_inv = torch.cholesky_inverse(chol).to(dtype)
        chol, m = chol.to(dtype), m.to(dtype)

    def loss_at(theta: torch.Tensor, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        parts = torch.split(theta, sizes)
        if slots is not None:
            with _swapped(slots, [v.view(s) for v, s in zip(parts, shapes, strict=True)]):
                return loss_fn(model, batch)
        params = {f"model.{k}": v.view(s) for k, v, s in zip(names, parts, shapes, strict=True)}
        out: torch.Tensor = functional_call(wrapped, params, batch)
        return out

    full = batch_size >= n
    batched_loss = vmap(loss_at, in_dims=(0, None if full else 0))

    def grad_loss(theta: torch.Tensor, batch: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, torch.Tensor]:
        with torch.enable_grad():
            th = theta.detach().requires_grad_(True)
            loss = batched_loss(th, batch)
            (g,) = torch.autograd.grad(loss.sum(), th)
        return g, loss.detach()

    def potential(theta: torch.Tensor, loss: torch.Tensor) -> torch.Tensor:
        sq = (localization(theta, w0) ** 2).sum(1)
        return nbeta[:, 0] * loss + gamma[:, 0] / 2 * sq

    def drift(theta: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        return nbeta * g + gamma * localization(theta, w0)

    def metric(v: torch.Tensor, mat: torch.Tensor | None) -> torch.Tensor:
        """v ↦ v·mat per chain (rows); the identity without a preconditioner (mat symmetric)."""
        return v if mat is None else v @ mat

    losses = torch.empty(chains, num_steps, dtype=torch.float64, device=device)
    half_sq = torch.empty(chains, num_steps if distances is not None else 0, dtype=torch.float64, device=device)
    acc_sum = torch.zeros(chains, dtype=torch.float64, device=device)
    acc_count = 0
    w = w0.clone()
    batch: tuple[torch.Tensor, ...] = tuple(data)
    with torch.no_grad():
        base = batched_loss(w0, batch) if full else None  # the full-batch loss at w* is computed once
        for t in range(num_steps):
            if not full:
                idx = torch.randint(0, n, (chains, batch_size), generator=generator).to(device)
                batch = tuple(x[idx] for x in data)
                base = batched_loss(w0, batch)
            g, loss = grad_loss(w, batch)
            # control variate: L_B(w) − L_B(w*) on the same minibatch has expectation L_n(w) − L_n(w*) and far less
            # variance than L_B(w) alone (the per-sample noise of the minibatch cancels)
            assert base is not None
            losses[:, t] = loss - base
            if distances is not None:
                half_sq[:, t] = 0.5 * (localization(w, w0) ** 2).sum(1)
            g_u = metric(drift(w, g), m)
            noise = chain_noise(w.shape, generator).to(device, dtype)
            if chol is not None:
                noise = noise @ chol.T  # covariance LLᵀ = M
            new = langevin_step(w, g_u, epsilon, noise)
            if mala_every and t % mala_every == 0:
                # Metropolis-Hastings ratio of this Langevin proposal on the same minibatch (Roberts & Tweedie 1996);
                # with M the proposal is N(w − ε/2 M∇U, εM), so the squared distances are in the M⁻¹ norm
                g_new, loss_new = grad_loss(new, batch)
                g_u_new = metric(drift(new, g_new), m)
                r_fwd, r_bwd = new - w + epsilon / 2 * g_u, w - new + epsilon / 2 * g_u_new
                fwd = (metric(r_fwd, m_inv) * r_fwd).sum(1)
                bwd = (metric(r_bwd, m_inv) * r_bwd).sum(1)
                log_ratio = potential(w, loss) - potential(new, loss_new) + (fwd - bwd) / (2 * epsilon[:, 0])
                acc = torch.exp(torch.clamp(log_ratio.double(), max=0.0))
                acc_sum += torch.nan_to_num(acc, nan=0.0)
                acc_count += 1
            w = new
    if distances is not None:
        distances.append(half_sq.cpu().numpy())
    return losses.cpu().numpy(), (acc_sum / max(acc_count, 1)).cpu().numpy()


def nbeta_sensitivity(traces: np.ndarray, nbeta: float, num_burnin: int) -> float:
    """d log λ̂ / d log nβ, read off the same draws: ∂E[nβL]/∂ log nβ = E[nβL] − Var(nβL), so the elasticity is
    1 − Var(nβL)/λ̂ (variance within each chain over its post-burn-in draws, averaged over chains).

    0 in the asymptotic regime the LLC is defined by (nβ(L − L*) then follows a Gamma(λ, 1) law, whose variance is
    its mean: λ̂ no longer moves with nβ); away from 0 the estimate still depends on the temperature and n. Minibatch
    noise in the recorded losses inflates the variance (pushes it negative)."""
    post = nbeta * traces[:, num_burnin:]
    lam = float(post.mean())
    return float(1 - post.var(axis=1, ddof=1).mean() / lam) if lam > 0 else float("nan")


def gamma_sensitivity(traces: np.ndarray, half_sq: np.ndarray, nbeta: float, gamma: float, num_burnin: int) -> float:
    """d log λ̂ / d log γ, read off the same draws: for the localized tempered posterior
    p(w) ∝ exp(−nβL_n(w) − γ‖w − w*‖²/2), ∂E[nβL]/∂γ = −Cov(nβL, ½‖w − w*‖²), so the elasticity is
    −γ·Cov/λ̂ (covariance within each chain over its post-burn-in draws, averaged over chains).

    Near 0 where the loss, not the localization, confines the chains (a regular model: Σγ/(2(nβh + γ)) ÷ λ);
    large where γ holds directions the loss barely curves, i.e. the estimate is the localized posterior's at this
    finite nβ and γ and lowering γ would move it (a normal crossing x·w₁·w₂³ at n = 5000, γ = 10: target 0.26 λ)."""
    post, sq = nbeta * traces[:, num_burnin:], half_sq[:, num_burnin:]
    cov = ((post - post.mean(1, keepdims=True)) * (sq - sq.mean(1, keepdims=True))).mean(1).mean()
    lam = float(post.mean())
    return float(-gamma * cov / lam) if lam > 0 else float("nan")


def flat_parameters(model: nn.Module) -> torch.Tensor:
    """The model's trainable parameters as one flat vector, in the order :func:`sgld_chains` uses for ``w_star``."""
    return torch.cat([p.detach().reshape(-1) for p in model.parameters() if p.requires_grad])


CURVATURE_STEP = 0.2
"""ε·(nβ h_max + γ) of :func:`curvature_epsilon`: the Langevin step in units of the stiffest direction's relaxation
rate. The discretized chain's stationary variance along a direction of rate a is inflated by 1/(1 − εa/4), so 0.2
bounds that bias at 5% in the stiffest direction (less in the others). Skeptic's choice."""


def top_curvature(model: nn.Module, loss_fn: LossFn, data: Sequence[torch.Tensor], iters: int = 30) -> float:
    """The largest eigenvalue of the Hessian of L_n at the model's parameters, by power iteration on Hessian-vector
    products (double backward; ``iters`` products)."""
    params = [p for p in model.parameters() if p.requires_grad]
    gen = torch.Generator().manual_seed(0)
    v = [torch.randn(p.shape, generator=gen).to(p.device, p.dtype) for p in params]
    top = 0.0
    with torch.enable_grad():
        grads = torch.autograd.grad(loss_fn(model, tuple(data)), params, create_graph=True)
        for _ in range(iters):
            norm = math.sqrt(sum(float((x**2).sum()) for x in v)) or 1.0
            v = [x / norm for x in v]
            hv = torch.autograd.grad(grads, params, grad_outputs=v, retain_graph=True)
            top = sum(float((a * b).sum()) for a, b in zip(hv, v, strict=True))
            v = [x.detach() for x in hv]
    return max(top, 0.0)


def curvature_epsilon(
    model: nn.Module, loss_fn: LossFn, data: Sequence[torch.Tensor], nbeta: float, gamma: float
) -> float:
    """A step size from the curvature at w*: ε = 0.2/(nβ h_max + γ) (``CURVATURE_STEP``), h_max the top Hessian
    eigenvalue of L_n. The fixed default ε = 0.1/nβ assumes h_max ≈ 1 (x ~ N(0, I) regressions); this rule keeps
    the stiffest direction equally well discretized whatever the model's scale, and lengthens the step for flat
    models (whose chains otherwise do not relax within the default chain length)."""
    return CURVATURE_STEP / (nbeta * top_curvature(model, loss_fn, data) + gamma)


MAX_EPSILON_TIMES_NBETA = 1.0
"""Cap of the automatic step size, ε·nβ ≤ 1: where the curvature at w* vanishes (a normal crossing at its origin)
the rule alone would give ε = 0.2/γ, a step sized for the localization only."""


def auto_epsilon(model: nn.Module, loss_fn: LossFn, data: Sequence[torch.Tensor], nbeta: float, gamma: float) -> float:
    """The default step size of :func:`estimate_llc`: ε = min(0.2/(nβ h_max + γ), 1/nβ), h_max the top Hessian
    eigenvalue of L_n at w* (:func:`curvature_epsilon`, capped by ``MAX_EPSILON_TIMES_NBETA``).

    Why: on the validation table the fixed ε = 0.1/nβ of the previous default left MALA acceptance at 0.72 on a
    stiff deep linear network (h_max ≈ 24, estimate +36%), and in the toy model of superposition (h_max ≈ 0.7,
    smallest curvature 0.015) its chains did not relax within 1000 draws (λ̂ 6.5 for λ = 8.5); scaling ε by the
    curvature fixes both (acceptance ≥ 0.95 everywhere, 6-gon 8.6). Chosen after those runs, then checked on the
    whole table (see the study's report)."""
    cap = MAX_EPSILON_TIMES_NBETA / nbeta
    return min(curvature_epsilon(model, loss_fn, data, nbeta, gamma), cap)


BURNIN_RELAXATIONS = 3.0
"""Default burn-in of :func:`estimate_llc`, in units of the relaxation time 1/(εγ) of the directions only the
localization holds (along them the chain is an AR(1) process whose variance relaxes by the factor 1 − εγ per step,
so after 3/(εγ) steps e⁻³ ≈ 5% of the initial deficit is left)."""
DRAWS_RELAXATIONS = 1.0
"""Default draws of :func:`estimate_llc`, in relaxation times (at least ``DEFAULT_NUM_DRAWS``)."""
MAX_AUTO_STEPS = 60_000
"""The most burn-in + draws :func:`estimate_llc` chooses by itself; a model needing more is refused (see
:class:`LLCNotConverged`) rather than estimated from chains that have not relaxed."""


SENSITIVITY_MAX = 0.2
"""The most |d log λ̂/d log γ| and d log λ̂/d log nβ an automatic estimate may show: beyond it, λ̂ is the localized
tempered posterior's at this γ and nβ, not λ (it would move by over 20% per e-fold of either). Chosen after running
the defaults on five models outside every table: the elasticities were −0.04…0.11 where λ̂ was within 13% of λ
(RRR 3-3-7 and 6-2-5, DLN 2-4-3-5), 0.30 for DLN 5-3-4-2-4 (λ̂ 29% low) and −1.38 (γ) for the normal crossing
x·w₁·w₂³ at n = 5000 (72% low)."""


def sensitivity_reasons(est: LLCEstimate) -> list[str]:
    """Why ``est`` is the tempered posterior's value at its own γ and nβ rather than λ: λ̂ moves by more than
    ``SENSITIVITY_MAX`` per e-fold of γ or of nβ (:func:`gamma_sensitivity`, :func:`nbeta_sensitivity`)."""
    out = []
    if abs(est.gamma_sensitivity) > SENSITIVITY_MAX:
        out.append(
            f"the estimate depends on the localization (d log λ̂/d log γ = {est.gamma_sensitivity:+.2f}): lower gamma "
            "(the chain length follows)"
        )
    if est.nbeta_sensitivity > SENSITIVITY_MAX:
        out.append(
            f"the estimate still rises with the inverse temperature (d log λ̂/d log nβ = {est.nbeta_sensitivity:+.2f}): "
            "it is not yet in the asymptotic regime that defines λ; raise nbeta or n (more data)"
        )
    return out


class LLCNotConverged(RuntimeError):
    """:func:`estimate_llc`, left to choose its chain length, could not produce a converged estimate. The message
    names the settings to raise (``num_burnin``, ``num_draws``, ``epsilon`` or ``gamma``); pass them explicitly to
    get an estimate anyway (with warnings)."""


def relaxation_time(epsilon: float, gamma: float) -> float:
    """1/(εγ): the steps a localized SGLD chain needs to relax along directions only the localization holds (flat
    directions of a singular model). Infinite at γ = 0."""
    return 1.0 / (epsilon * gamma) if gamma > 0 else float("inf")


def auto_chain_length(epsilon: float, gamma: float) -> tuple[int, int]:
    """(burn-in, draws) chosen from the relaxation time τ = 1/(εγ): max(250, 3τ) and max(1000, τ).

    Why: with the curvature step size ε = 0.2/(nβ h_max + γ), a stiff model's τ reaches thousands of steps; the
    fixed burn-in of 250 left deep linear networks and reduced-rank regressions outside the validation table 4–20%
    (the review: about a third) below their exact λ, each with the relaxation-time warning."""
    tau = relaxation_time(epsilon, gamma)
    if not math.isfinite(tau):
        raise LLCNotConverged(
            "gamma = 0: with no localization the chain has no relaxation time to size its burn-in by; pass gamma > 0 "
            "or num_burnin and num_draws explicitly"
        )
    return max(DEFAULT_NUM_BURNIN, math.ceil(BURNIN_RELAXATIONS * tau)), max(
        DEFAULT_NUM_DRAWS, math.ceil(DRAWS_RELAXATIONS * tau)
    )


def unconverged_reasons(est: LLCEstimate) -> list[str]:
    """Why ``est`` cannot be trusted as converged: non-finite chains, chains that disagree (R̂ > 1.1), or an estimate
    still drifting between the first and second half of the draws (by more than 4 SE + 10%); empty when none."""
    out = []
    if not np.all(np.isfinite(est.loss_traces)):
        out.append("a chain diverged (lower epsilon)")
    if est.rhat == est.rhat and est.rhat > 1.1:
        out.append(f"chains disagree (R-hat {est.rhat:.3f} > 1.1; raise num_draws)")
    if est.drift == est.drift and not abs(est.drift) <= 4 * est.drift_se + 0.1 * abs(est.mean):
        out.append(
            f"the estimate still drifts between the halves of the draws ({est.drift:+.3g} ± {est.drift_se:.2g}; "
            f"raise num_burnin above {est.num_burnin} and num_draws)"
        )
    return out


def full_loss_and_grad(model: nn.Module, loss_fn: LossFn, data: Sequence[torch.Tensor]) -> tuple[float, float]:
    """L_n and ‖∇L_n‖ at the model's current parameters (full batch, float64 norm)."""
    params = [p for p in model.parameters() if p.requires_grad]
    with torch.enable_grad():
        loss = loss_fn(model, tuple(data))
        grads = torch.autograd.grad(loss, params)
    g = math.sqrt(sum(float((gr.double() ** 2).sum()) for gr in grads))
    return float(loss.detach()), g


def estimate_llc(
    model: nn.Module,
    loss_fn: LossFn,
    data: Sequence[torch.Tensor],
    *,
    nbeta: float | None = None,
    epsilon: float | None = None,
    gamma: float = DEFAULT_GAMMA,
    num_chains: int = DEFAULT_NUM_CHAINS,
    num_draws: int | None = None,
    num_burnin: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    seed: int = 0,
    device: str | None = None,
    warn: bool = True,
) -> LLCEstimate:
    """Estimate the local learning coefficient of ``model`` at its current parameters w* (Lau et al. 2023).

    λ̂ = nβ (E_w[L_n(w)] − L_n(w*)) with the expectation over ``num_draws`` post-burn-in SGLD steps of each of
    ``num_chains`` chains (see the module docstring for the update, the loss convention and the defaults).
    ``nbeta`` defaults to n/log n; ``epsilon`` to :func:`auto_epsilon`, 0.2/(nβ h_max + γ) from the top curvature
    h_max at w* (at most 1/nβ). ``data`` is a tuple of tensors whose first dimension
    indexes the n training samples. ``device`` moves model and data there (default: where the data are).

    The result's diagnostics: loss traces, R̂ over chains, the mean MALA acceptance probability of the SGLD
    proposals, the gradient norm at w* and the bias it can cause, the drift of the estimate between the first and
    second half of the draws, and warnings (negative estimate, w* not a minimum, chains disagreeing, low
    acceptance, divergence). With ``warn=True`` the warnings are also issued as Python ``UserWarning``.

    ``num_burnin`` and ``num_draws`` left unset are chosen from the relaxation time 1/(εγ)
    (:func:`auto_chain_length`), and then the call **refuses** to return an estimate it knows is unconverged: it
    raises :class:`LLCNotConverged`, naming what to raise, when the chain length needed exceeds ``MAX_AUTO_STEPS``
    or when the chains diverge, disagree or still drift (:func:`unconverged_reasons`), or when the estimate moves by
    more than 20% per e-fold of γ or nβ (:func:`sensitivity_reasons`). Set both explicitly to get the estimate
    anyway, with warnings.
    """
    data = tuple(data)
    if device is not None:
        model = model.to(device)
        data = tuple(x.to(device) for x in data)
    n = int(data[0].shape[0])
    if any(int(x.shape[0]) != n for x in data):
        raise ValueError("every tensor in data must have the same first dimension (the n samples)")
    if num_chains < 1 or (num_draws is not None and num_draws < 1) or batch_size < 1:
        raise ValueError("need num_chains, num_draws, batch_size ≥ 1 and num_burnin ≥ 0")
    if num_burnin is not None and num_burnin < 0:
        raise ValueError("need num_chains, num_draws, batch_size ≥ 1 and num_burnin ≥ 0")
    nb = default_nbeta(n) if nbeta is None else float(nbeta)
    if nb <= 0 or gamma < 0:
        raise ValueError("need nbeta > 0 and gamma ≥ 0")
    eps = auto_epsilon(model, loss_fn, data, nb, gamma) if epsilon is None else float(epsilon)
    if eps <= 0:
        raise ValueError("need epsilon > 0")
    auto = num_burnin is None or num_draws is None
    if auto:
        burn_auto, draws_auto = auto_chain_length(eps, gamma)
        num_burnin = burn_auto if num_burnin is None else num_burnin
        num_draws = draws_auto if num_draws is None else num_draws
        if num_burnin + num_draws > MAX_AUTO_STEPS:
            raise LLCNotConverged(
                f"this model needs {num_burnin} burn-in + {num_draws} draws (relaxation time 1/(εγ) = "
                f"{relaxation_time(eps, gamma):.0f} steps at epsilon = {eps:.3g}, gamma = {gamma:g}), more than the "
                f"{MAX_AUTO_STEPS} steps chosen automatically: pass num_burnin and num_draws explicitly, or raise "
                "epsilon or gamma"
            )
    assert num_burnin is not None and num_draws is not None
    init_loss, grad_norm = full_loss_and_grad(model, loss_fn, data)
    gen = torch.Generator().manual_seed(seed)
    ones = torch.ones(num_chains, dtype=torch.float64, device=data[0].device)
    dist: list[np.ndarray] = []
    traces, acc = sgld_chains(
        model,
        loss_fn,
        data,
        epsilon=ones * eps,
        nbeta=ones * nb,
        gamma=ones * gamma,
        num_steps=num_burnin + num_draws,
        batch_size=batch_size,
        generator=gen,
        distances=dist,
    )
    est = summarize(
        traces, acc, init_loss, grad_norm, n=n, nbeta=nb, epsilon=eps, gamma=gamma, num_burnin=num_burnin, warn=warn
    )
    est.gamma_sensitivity = gamma_sensitivity(traces, dist[0], nb, gamma, num_burnin)
    est.nbeta_sensitivity = nbeta_sensitivity(traces, nb, num_burnin)
    if not auto:
        for msg in sensitivity_reasons(est):
            est.warnings.append(msg)
            if warn:
                warnings.warn(msg, UserWarning, stacklevel=2)
    if auto:
        bad = unconverged_reasons(est) + sensitivity_reasons(est)
        if bad:
            raise LLCNotConverged(
                f"no converged estimate at the automatic settings ({num_burnin} burn-in + {num_draws} draws, "
                f"epsilon = {eps:.3g}): "
                + "; ".join(bad)
                + ". Pass num_burnin and num_draws explicitly to get it anyway"
            )
    return est


def chain_estimates(traces: np.ndarray, nbeta: float, num_burnin: int) -> np.ndarray:
    """λ̂ of each chain: nβ × the mean of its post-burn-in draws of L_B(w) − L_B(w*)."""
    return np.asarray(nbeta * traces[:, num_burnin:].mean(axis=1))


def mean_and_se(chain_llcs: np.ndarray) -> tuple[float, float]:
    """Mean over chains and its standard error std/√C (chains are the independent unit; draws within a chain are
    autocorrelated, so an SE over draws would be too small)."""
    c = len(chain_llcs)
    se = float(np.std(chain_llcs, ddof=1) / math.sqrt(c)) if c > 1 else float("nan")
    return float(np.mean(chain_llcs)), se


def summarize(
    traces: np.ndarray,
    acceptance: np.ndarray,
    init_loss: float,
    grad_norm: float,
    *,
    n: int,
    nbeta: float,
    epsilon: float,
    gamma: float,
    num_burnin: int,
    warn: bool = False,
) -> LLCEstimate:
    """Turn SGLD loss traces into an :class:`LLCEstimate` with its diagnostics."""
    post = traces[:, num_burnin:]
    chain_llcs = chain_estimates(traces, nbeta, num_burnin)
    c, t = post.shape
    mean, se = mean_and_se(chain_llcs)
    half = t // 2
    if half >= 1:
        d = nbeta * (post[:, half:].mean(axis=1) - post[:, :half].mean(axis=1))
        drift = float(d.mean())
        drift_se = float(d.std(ddof=1) / math.sqrt(c)) if c > 1 else float("nan")
    else:
        drift, drift_se = float("nan"), float("nan")
    rhat = gelman_rubin(post)
    # If w* is not a minimum, the tempered posterior slides down the gradient g: with the localization dominating the
    # curvature along g, the shift of E[nβ L] is −(nβ‖g‖)²/γ. Reported as an upper bound of that bias.
    bias = (nbeta * grad_norm) ** 2 / gamma if gamma > 0 else float("inf")
    out = LLCEstimate(
        mean=mean,
        std_error=se,
        chain_llcs=chain_llcs,
        loss_traces=traces,
        init_loss=init_loss,
        n=n,
        nbeta=nbeta,
        epsilon=epsilon,
        gamma=gamma,
        num_burnin=num_burnin,
        rhat=rhat,
        mala_acceptance=float(np.mean(acceptance)),
        grad_norm=grad_norm,
        gradient_bias_bound=bias,
        drift=drift,
        drift_se=drift_se,
    )
    msgs = out.warnings
    if not np.all(np.isfinite(traces)):
        msgs.append("a chain diverged (non-finite loss): lower epsilon")
    elif mean < 0:
        msgs.append(
            f"negative estimate ({mean:.3g}): the chains found lower loss than w*, so w* is not a local minimum "
            "at this temperature, or epsilon is too large"
        )
    if bias > 0.05 * max(mean, 1.0):
        msgs.append(
            f"w* may not be a minimum: ‖∇L_n(w*)‖ = {grad_norm:.3g} can shift the estimate by up to {bias:.3g} "
            "(train longer, or raise gamma)"
        )
    if rhat == rhat and rhat > 1.1:
        msgs.append(f"chains disagree (R-hat {rhat:.3f} > 1.1): draw longer or lower epsilon")
    relax = 1.0 / (epsilon * gamma) if gamma > 0 else float("inf")
    if num_burnin < relax:
        msgs.append(
            f"burn-in ({num_burnin} steps) is shorter than the relaxation time along directions only the "
            f"localization holds, 1/(εγ) = {relax:.0f} steps: a singular model's estimate may still be rising "
            "(raise num_burnin and num_draws, or epsilon)"
        )
    if out.mala_acceptance < ACCEPTANCE_TARGET:
        msgs.append(
            f"MALA acceptance {out.mala_acceptance:.2f} < {ACCEPTANCE_TARGET}: epsilon is too large for this "
            "curvature; see calibrate()"
        )
    if warn:
        for m in msgs:
            warnings.warn(m, UserWarning, stacklevel=3)
    return out


@dataclass
class Calibration:
    """The result of :func:`calibrate`: one row per (ε, nβ) with λ̂, its SE, R̂ and MALA acceptance, and the
    chosen setting with the rule that chose it."""

    rows: list[dict[str, float]]
    epsilon: float
    nbeta: float
    rule: str


def calibrate(
    model: nn.Module,
    loss_fn: LossFn,
    data: Sequence[torch.Tensor],
    *,
    epsilons: Sequence[float] | None = None,
    nbetas: Sequence[float] | None = None,
    gamma: float = DEFAULT_GAMMA,
    num_chains: int = 2,
    num_draws: int = 300,
    num_burnin: int = 100,
    batch_size: int = DEFAULT_BATCH_SIZE,
    acceptance_target: float = ACCEPTANCE_TARGET,
    seed: int = 0,
) -> Calibration:
    """The ε–β sweep users otherwise do by hand, run as one batched computation (every grid point's chains at once).

    Default grid: ε·nβ ∈ {0.01, 0.03, 0.1, 0.3, 1, 3} at nβ = n/log n. Rule (Skeptic's, stated so it can be
    argued with; it automates the "pick ε where λ̂ plateaus" advice of devinterp's calibration notebook): among
    settings whose chains stayed finite, gave λ̂ > 0 and had MALA acceptance ≥ ``acceptance_target``, at the largest
    nβ offered up to the default, take the adjacent pair of ε whose estimates differ least (relative to their size)
    and return the smaller ε of that pair; if none qualifies, the smallest ε.
    """
    data = tuple(data)
    n = int(data[0].shape[0])
    nb0 = default_nbeta(n)
    nbs = [nb0] if nbetas is None else [float(v) for v in nbetas]
    grid: list[tuple[float, float]] = []
    for nb in nbs:
        eps_list = [k / nb for k in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)] if epsilons is None else list(epsilons)
        grid += [(float(e), nb) for e in eps_list]
    eps_t = torch.tensor([e for e, _ in grid for _ in range(num_chains)], dtype=torch.float64)
    nb_t = torch.tensor([b for _, b in grid for _ in range(num_chains)], dtype=torch.float64)
    init_loss, grad_norm = full_loss_and_grad(model, loss_fn, data)
    traces, acc = sgld_chains(
        model,
        loss_fn,
        data,
        epsilon=eps_t.to(data[0].device),
        nbeta=nb_t.to(data[0].device),
        gamma=torch.full_like(eps_t, gamma).to(data[0].device),
        num_steps=num_burnin + num_draws,
        batch_size=batch_size,
        generator=torch.Generator().manual_seed(seed),
    )
    rows: list[dict[str, float]] = []
    for i, (e, nb) in enumerate(grid):
        sl = slice(i * num_chains, (i + 1) * num_chains)
        est = summarize(
            traces[sl], acc[sl], init_loss, grad_norm, n=n, nbeta=nb, epsilon=e, gamma=gamma, num_burnin=num_burnin
        )
        rows.append(
            {
                "epsilon": e,
                "nbeta": nb,
                "llc": est.mean,
                "llc_se": est.std_error,
                "rhat": est.rhat,
                "mala_acceptance": est.mala_acceptance,
                "finite": float(np.all(np.isfinite(traces[sl]))),
            }
        )
    ok = [r for r in rows if r["finite"] and r["llc"] > 0 and r["mala_acceptance"] >= acceptance_target]
    best_nb = max((r["nbeta"] for r in ok if r["nbeta"] <= nb0), default=None)
    cand = sorted((r for r in ok if r["nbeta"] == best_nb), key=lambda r: r["epsilon"])
    if len(cand) >= 2:
        # the plateau: too small an ε has not mixed (λ̂ low), too large a one is biased by discretization (λ̂ high);
        # take the adjacent pair of ε whose estimates differ least, relative to their size, and its smaller ε
        def change(a: dict[str, float], b: dict[str, float]) -> float:
            return abs(b["llc"] - a["llc"]) / max(abs(a["llc"]) + abs(b["llc"]), 1e-12)

        i = min(range(len(cand) - 1), key=lambda j: change(cand[j], cand[j + 1]))
        pick = cand[i]
        rule = (
            f"the smaller ε of the adjacent pair whose λ̂ agree best (the plateau), among settings with finite "
            f"chains, λ̂ > 0 and MALA acceptance ≥ {acceptance_target}"
        )
    elif cand:
        pick, rule = cand[0], f"the only setting with finite chains, λ̂ > 0 and MALA acceptance ≥ {acceptance_target}"
    else:
        pick = min(rows, key=lambda r: r["epsilon"])
        rule = f"no setting reached MALA acceptance {acceptance_target}: the smallest ε offered"
    return Calibration(rows, pick["epsilon"], pick["nbeta"], rule)
