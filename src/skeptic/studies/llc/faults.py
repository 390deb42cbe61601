"""Fault catalog of the llc study: bugs a hurried implementer of an SGLD-based LLC estimator makes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from skeptic.studies.llc import exact
from skeptic.study import Fault, replace

E = "skeptic.studies.llc.estimator"


def _noise_eps_not_sqrt(orig: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    def step(w: torch.Tensor, grad_u: torch.Tensor, epsilon: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return w - epsilon / 2 * grad_u + epsilon * noise  # noise std ε instead of √ε

    return step


def _full_drift(orig: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    def step(w: torch.Tensor, grad_u: torch.Tensor, epsilon: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return w - epsilon * grad_u + epsilon.sqrt() * noise  # drift ε∇U instead of ε/2 ∇U

    return step


def _shared_noise(orig: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    def noise(shape: torch.Size, generator: torch.Generator) -> torch.Tensor:
        one = torch.randn((1, *shape[1:]), generator=generator)  # one draw broadcast to every chain
        return one.expand(shape).clone()

    return noise


def _localize_to_zero(orig: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    def loc(w: torch.Tensor, w_star: torch.Tensor) -> torch.Tensor:
        return w  # pulls towards the origin (weight decay) instead of towards w*

    return loc


def _nbeta_is_n(orig: Callable[[int], float]) -> Callable[[int], float]:
    return lambda n: float(n)  # β = 1 instead of 1/log n


def _burnin_kept(orig: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def est(traces: np.ndarray, nbeta: float, num_burnin: int) -> np.ndarray:
        return np.asarray(orig(traces, nbeta, 0))

    return est


def _se_over_draws(orig: Callable[[np.ndarray], tuple[float, float]]) -> Callable[[np.ndarray], tuple[float, float]]:
    def mse(chain_llcs: np.ndarray) -> tuple[float, float]:
        mean, se = orig(chain_llcs)
        return mean, se / 20.0  # an SE over ~400 autocorrelated draws per chain instead of over chains

    return mse


def _mse_loss(orig: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    def loss(model: nn.Module, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        x, y = batch
        return torch.nn.functional.mse_loss(model(x), y)  # mean over outputs, no ½: not the NLL

    return loss


def _rrr_cases_swapped(orig: Callable[[int, int, int, int], float]) -> Callable[[int, int, int, int], float]:
    def lam(M: int, H: int, N: int, r: int) -> float:
        if N + r > M + H:
            return (H * N - H * r + M * r) / 2  # case 3's formula under case 2's condition
        if M + r > N + H:
            return (H * M - H * r + N * r) / 2
        return orig(M, H, N, r)

    return lam


def _full_rank_truth(orig: Callable[..., list[torch.Tensor]]) -> Callable[..., list[torch.Tensor]]:
    def weights(widths: tuple[int, ...], r: int, g: torch.Generator) -> list[torch.Tensor]:
        return orig(widths, min(widths), g)  # the true rank is ignored

    return weights


def _no_lstsq(orig: Callable[..., Any]) -> Callable[..., Any]:
    def regular(m: int, k: int, n: int, g: torch.Generator, noise: bool = False, input_scale: float = 1.0) -> Any:
        p = orig(m, k, n, g, noise=False, input_scale=input_scale)
        if noise:  # noisy labels, but w* left at the true parameter instead of the fitted minimum
            x, y = p.data
            p.data = (x, y + torch.randn(y.shape, generator=g))
            p.noise = True
            p.name += ", noisy"
        return p

    return regular


def _mu_gaussian(orig: Callable[..., Any]) -> Callable[..., Any]:
    def sample(n: int, g: torch.Generator, c: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
        i = torch.randint(0, c, (n,), generator=g)
        mu = torch.randn(n, generator=g)  # randn where rand belongs: μ ~ N(0, 1), not U[0, 1]
        x = torch.zeros(n, c)
        x[torch.arange(n), i] = mu
        return x, x.clone()

    return sample


def _loose_rank(orig: Callable[..., Any]) -> Callable[..., Any]:
    def rank(w: torch.Tensor, b: torch.Tensor, rel_tol: float = 1e-6) -> Any:
        return orig(w, b, rel_tol=0.05)  # "small" eigenvalues counted as zero: curved directions called flat

    return rank


def _bias_unscaled(orig: Callable[..., Any]) -> Callable[..., Any]:
    def rescaled(model: Any, c: float) -> Any:
        out = orig(model, c)
        with torch.no_grad():
            out.b.copy_(model.b)  # w·c and a/c, but the bias left as it was: not the ReLU symmetry
        return out

    return rescaled


def _lambda_ignores_activation(orig: Callable[[str, int], float]) -> Callable[[str, int], float]:
    return lambda act, hidden: orig("relu", hidden)  # the flat rescaling directions credited to GELU too


def _dln_a_term_dropped(orig: Callable[..., float]) -> Callable[..., float]:
    def lam(widths: tuple[int, ...], r: int) -> float:
        if len(widths) < 3:
            return orig(widths, r)
        sub = exact._dln_subset([h - r for h in widths])
        ell, total = len(sub) - 1, sum(widths[i] - r for i in sub)
        a = total - (-(-total // ell) - 1) * ell
        return orig(widths, r) - a * (ell - a) / (4 * ell)  # Aoyagi's a(ℓ − a)/(4ℓ) term left out

    return lam


def _eigh_descending(orig: Callable[..., Any]) -> Callable[..., Any]:
    def rank(w: torch.Tensor, b: torch.Tensor, rel_tol: float = 1e-6) -> Any:
        r, ev, vec = orig(w, b, rel_tol=rel_tol)
        return r, ev[::-1].copy(), vec[:, ::-1].copy()  # eigenvalues largest first (numpy's eig order assumed sorted)

    return rank


FAULTS = (
    Fault(
        "noise-std-eps",
        "scale",
        "SGLD noise drawn with standard deviation ε instead of √ε",
        replace(f"{E}.langevin_step", _noise_eps_not_sqrt),
    ),
    Fault(
        "drift-missing-half",
        "scale",
        "SGLD drift −ε∇U instead of −ε/2 ∇U (the Langevin ½ dropped)",
        replace(f"{E}.langevin_step", _full_drift),
    ),
    Fault(
        "chains-share-noise",
        "rng-reuse",
        "every chain gets the same noise draw (one generator call broadcast)",
        replace(f"{E}.chain_noise", _shared_noise),
    ),
    Fault(
        "localize-to-origin",
        "other",
        "localization pulls towards 0 (weight decay) instead of towards w*",
        replace(f"{E}.localization", _localize_to_zero),
    ),
    Fault("beta-one", "setting", "nβ = n (β = 1) instead of n/log n", replace(f"{E}.default_nbeta", _nbeta_is_n)),
    Fault(
        "burnin-kept",
        "off-by-one",
        "the burn-in draws are averaged into the estimate",
        replace(f"{E}.chain_estimates", _burnin_kept),
        note="With a burn-in of 30 of 130 steps that start at w* (loss 0), the estimate drops by up to 23%; the "
        "exact-target probes allow 4 SE + 5%, so estimate-from-trace is the probe that sees it.",
    ),
    Fault(
        "se-over-draws",
        "uncertainty",
        "the standard error is computed over autocorrelated draws, not chains",
        replace(f"{E}.mean_and_se", _se_over_draws),
    ),
    Fault(
        "mse-not-nll",
        "scale",
        "F.mse_loss (mean over outputs, no ½) used as the per-sample NLL",
        replace("skeptic.studies.llc.experiments.gaussian_nll", _mse_loss),
        note="λ itself is invariant to a constant scale c of the loss (only the temperature moves, nβ → c·nβ), "
        "but the finite-n estimate is not, and nβ = n/log n assumes the per-sample NLL.",
    ),
    Fault(
        "rrr-cases-swapped",
        "swap",
        "Aoyagi & Watanabe's cases 2 and 3 (M+H < N+r vs N+H < M+r) swapped",
        replace("skeptic.studies.llc.exact.rrr_lambda", _rrr_cases_swapped),
        note="Only visible on a table with a case-2 or case-3 RRR (both tables have 6-4-3, r=2, case 3).",
    ),
    Fault(
        "truth-full-rank",
        "wrong-field",
        "the true DLN is built with full rank, ignoring r",
        replace("skeptic.studies.llc.models._rank_r_weights", _full_rank_truth),
    ),
    Fault(
        "tms-mu-gaussian",
        "wrong-field",
        "toy-model data drawn with torch.randn instead of torch.rand (feature values N(0, 1), not U[0, 1])",
        replace("skeptic.studies.llc.tms.sample", _mu_gaussian),
    ),
    Fault(
        "tms-rank-tolerance",
        "setting",
        "the Hessian rank of a k-gon counted with a loose tolerance (eigenvalues below 5% of the largest taken as 0)",
        replace("skeptic.studies.llc.tms.hessian_rank", _loose_rank),
    ),
    Fault(
        "noisy-w-star-not-fitted",
        "setting",
        "noisy labels but w* left at the truth, not the least-squares fit",
        replace("skeptic.studies.llc.models.regular_problem", _no_lstsq),
    ),
    Fault(
        "twin-rescale-bias-unscaled",
        "wrong-field",
        "the ReLU rescaling check scales w and divides a by c but leaves the bias b unscaled",
        replace("skeptic.studies.llc.twins.rescaled", _bias_unscaled),
    ),
    Fault(
        "twin-lambda-ignores-activation",
        "setting",
        "the twins' exact λ is (d − H)/2 whatever the activation (the ReLU symmetry credited to GELU as well)",
        replace("skeptic.studies.llc.twins.exact_lambda", _lambda_ignores_activation),
    ),
    Fault(
        "dln-a-term-dropped",
        "other",
        "Aoyagi's deep-linear λ computed without its a(ℓ − a)/(4ℓ) term",
        replace("skeptic.studies.llc.exact.dln_lambda", _dln_a_term_dropped),
        note="Moves the tiny table's 3-4-4-3 r=1 from 4.5 to 4.333 (−3.7%): inside every accuracy tolerance, so "
        "only the formula's cross-check can see it.",
    ),
    Fault(
        "tms-eigh-descending",
        "swap",
        "the k-gon Hessian's eigenpairs taken largest first, so the 'null' directions are the stiffest ones",
        replace("skeptic.studies.llc.tms.hessian_rank", _eigh_descending),
    ),
)
