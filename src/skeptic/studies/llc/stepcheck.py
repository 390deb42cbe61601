"""The batched SGLD sampler against a reference on a few steps: the same chains, the same noise, computed by hand.

Every λ̂ of the study comes from :func:`estimator.sgld_chains` (the table, the rescaling check, the k-gons, the SGD
checkpoints, the twins). Its update is w ← w − ε/2 (nβ ∇L_B(w) + γ(w − w*)) + √ε ξ and it records
L_B(w_t) − L_B(w*) on the step's minibatch (Lau et al. 2023, eq. 13; Welling & Teh 2011, eq. 4). Here a few steps of
a deep linear network's chains are recomputed in float64 NumPy with the gradient written out by hand (backpropagation
through the product of layers), drawing the same minibatch indices and the same Gaussian noise from a generator with
the same seed in the same order. Statistical checks (exact targets within 4 SE) cannot see a slightly wrong
coefficient in the update; this one sees any, to float32 rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from skeptic.studies.llc import estimator
from skeptic.studies.llc.models import DeepLinear, Problem, gaussian_nll


def _dln_loss_and_grads(ws: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """½ mean‖y − W_L ⋯ W_1 x‖² and its gradient with respect to each W_l (backpropagation by hand)."""
    acts = [x]
    for w in ws:
        acts.append(acts[-1] @ w.T)
    resid = acts[-1] - y
    loss = 0.5 * float((resid**2).sum(1).mean())
    delta = resid / x.shape[0]
    grads: list[np.ndarray] = [np.empty(0)] * len(ws)
    for i in range(len(ws) - 1, -1, -1):
        grads[i] = delta.T @ acts[i]
        delta = delta @ ws[i]
    return loss, grads


def reference_chains(
    problem: Problem, *, epsilon: float, nbeta: float, gamma: float, steps: int, chains: int, batch_size: int, seed: int
) -> np.ndarray:
    """L_B(w_t) − L_B(w*) per chain and step, by hand (see the module docstring); shape (chains, steps)."""
    assert isinstance(problem.model, DeepLinear)
    w_star = [w.detach().double().cpu().numpy() for w in problem.model.layers]
    x, y = (t.detach().double().cpu().numpy() for t in problem.data)
    n, d = x.shape[0], sum(w.size for w in w_star)
    g = torch.Generator().manual_seed(seed)
    ws = [[w.copy() for w in w_star] for _ in range(chains)]
    out = np.empty((chains, steps))
    for t in range(steps):
        if batch_size < n:
            idx = torch.randint(0, n, (chains, batch_size), generator=g).numpy()
        noise = torch.randn((chains, d), generator=g).double().numpy()
        for c in range(chains):
            xb, yb = (x, y) if batch_size >= n else (x[idx[c]], y[idx[c]])
            loss, grads = _dln_loss_and_grads(ws[c], xb, yb)
            out[c, t] = loss - _dln_loss_and_grads(w_star, xb, yb)[0]
            k = 0
            for i, (w, gr) in enumerate(zip(ws[c], grads, strict=True)):
                xi = noise[c, k : k + w.size].reshape(w.shape)
                ws[c][i] = w - epsilon / 2 * (nbeta * gr + gamma * (w - w_star[i])) + np.sqrt(epsilon) * xi
                k += w.size
    return out


def step_check(
    problem: Problem, *, top_curvature: float, nbeta: float, gamma: float, seed: int
) -> list[dict[str, Any]]:
    """Five steps of two chains, full batch and minibatch 32, at ε = 0.5/(nβ h_max + γ) (the drift moves the top
    direction by a quarter of its displacement per step, so a wrong coefficient shows; the chains stay stable): the
    sampler's trace and the reference's, stored for the probe."""
    out = []
    eps = 0.5 / (nbeta * top_curvature + gamma)
    n = int(problem.data[0].shape[0])
    for batch in (n, 32):
        kw = {"epsilon": eps, "nbeta": nbeta, "gamma": gamma, "steps": 5, "chains": 2, "batch_size": batch}
        traces, _ = estimator.sgld_chains(
            problem.model,
            gaussian_nll,
            problem.data,
            epsilon=torch.full((2,), eps),
            nbeta=torch.full((2,), nbeta),
            gamma=torch.full((2,), gamma),
            num_steps=5,
            batch_size=batch,
            generator=torch.Generator().manual_seed(seed),
        )
        ref = reference_chains(problem, seed=seed, **kw)  # type: ignore[arg-type]
        out.append({"name": problem.name, **kw, "sampler": traces.tolist(), "reference": ref.tolist()})
    return out
