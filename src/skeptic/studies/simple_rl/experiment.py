"""The experiment, top to bottom: pretrain base models, run the GRPO sweep, measure everything exactly.

1. Pretrain one base model per seed on the noisy corpus (all seeds as one stacked model).
2. Stack the RL policies: per seed, every reward kind (true, light-tailed proxy, heavy-tailed proxy, flawed grader)
   × every β, plus two controls (learning rate 0; a constant reward with β = 0), each starting from its seed's base.
3. Train them all at once with GRPO, evaluating exact answer distributions every ``eval_every`` steps.
4. Final measurements: pass@k, KL and TV to the base, per-layer CKA to the base, the exact KL-regularized optimum
   for each proxy, and sampled rollouts for the probes (k3 against the exact KL, the sampler against exact
   probabilities, the tensor reward against a text checker).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from scipy import stats

from skeptic import goodhart
from skeptic.studies.simple_rl import analysis, task
from skeptic.studies.simple_rl.policy import Params


def error_table(kind: str, scale: float, rng: np.random.Generator) -> np.ndarray:
    """Proxy error X(y) for the 144 answers: ``goodhart.error("normal")`` (light) or ``("t3")`` (heavy), × scale.

    Both laws have unit variance (the Goodhart study's parametrization), so ``scale`` is the error's SD.
    """
    name = {"light": "normal", "heavy": "t3"}[kind]
    return scale * np.asarray(goodhart.error(name).rvs(size=task.N_ANSWERS, random_state=rng), dtype=float)


def policy_specs(n_seeds: int, betas: tuple[float, ...], beta_main: float, lr: float) -> list[dict[str, Any]]:
    """One row per stacked policy: seed, reward kind, β, learning rate, role."""
    specs: list[dict[str, Any]] = []
    for s in range(n_seeds):
        for k, kind in enumerate(task.REWARD_KINDS):
            for b in betas:
                specs.append({"seed": s, "kind": kind, "kind_id": k, "beta": b, "lr": lr, "role": "sweep"})
        specs.append({"seed": s, "kind": "true", "kind_id": 0, "beta": beta_main, "lr": 0.0, "role": "lr0"})
        specs.append({"seed": s, "kind": "const", "kind_id": 4, "beta": 0.0, "lr": lr, "role": "const"})
    return specs


def _select(params: Params, index: torch.Tensor) -> Params:
    return {k: v[index].clone() for k, v in params.items()}


def _p_correct(logp: np.ndarray, answer_idx: np.ndarray) -> np.ndarray:
    """π(y* | x) per policy and prompt from exact log-probs ``[M, P, 144]``."""
    return np.asarray(np.exp(np.take_along_axis(logp, answer_idx[None, :, None], -1)[..., 0]))


def cka_by_layer(h: torch.Tensor, h_base: torch.Tensor) -> np.ndarray:
    """Linear CKA per policy and layer between residual streams ``[M, L, B, t, d]`` and their base's."""
    M, L = h.shape[:2]
    out = np.zeros((M, L))
    for m in range(M):
        for layer in range(L):
            x = h_base[m, layer].reshape(-1, h.shape[-1]).double().cpu().numpy()
            y = h[m, layer].reshape(-1, h.shape[-1]).double().cpu().numpy()
            out[m, layer] = analysis.linear_cka(x, y)
    return out


def goodhart_crosscheck(rng: np.random.Generator, n: int = 200_000, beta: float = 1.0) -> dict[str, Any]:
    """This study's finite tilt on a large sample of (V, X) against the Goodhart study's exact tilt.

    V ~ N(0, 1), X ~ N(0, 1) ("normal", unit variance) with a uniform reference over n sampled outcomes: the tilt
    π ∝ e^{(V+X)/β} of the empirical distribution estimates E[V] = σ_V²/β exactly given by ``goodhart.tilted``.
    For heavy-tailed X (t3) ``goodhart.tilted`` has no normalizer: the Goodhart study's statement that no
    KL-regularized optimum exists, recorded here.
    """
    v = rng.standard_normal(n)
    x = np.asarray(goodhart.error("normal").rvs(size=n, random_state=rng))
    logp = analysis.tilt(np.full(n, -math.log(n)), v + x, beta)
    w = np.exp(logp)
    mean_v = float(w @ v)
    ess = float(1.0 / np.sum(w**2))
    se = float(np.sqrt(np.sum(w**2 * (v - mean_v) ** 2)))
    exact = goodhart.tilted(stats.norm(0, 1), goodhart.error("normal"), beta)
    try:
        goodhart.tilted(stats.norm(0, 1), goodhart.error("t3"), beta)
        heavy_exists = True
    except goodhart.InfiniteNormalizerError:
        heavy_exists = False
    return {
        "beta": beta, "finite_mean_v": mean_v, "finite_se": se, "ess": ess,
        "exact_mean_v": float(exact.mean_v), "exact_kl": float(exact.kl), "heavy_tilt_exists": heavy_exists,
    }  # fmt: skip
