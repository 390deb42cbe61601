"""An independent implementation to cross-check against: devinterp's SGLD, driven as devinterp's sampler drives it.

devinterp 2.0.1's high-level ``estimate_learning_coeff`` needs transformers, datasets, xarray and zarr; installed with
``pip install --no-deps devinterp==2.0.1`` only its optimizer package imports. So this runs devinterp's own ``SGLD``
optimizer the way devinterp's sampler does: one model copy per chain, chains one after another, shuffled minibatches
epoch by epoch, ``loss.backward(); optimizer.step()`` per draw, λ̂ = nβ(mean draw loss − L_n(w*)). Without devinterp the
same loop runs a plain-torch copy of its update rule (``reference`` says which).
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import torch
from torch import nn

from skeptic.studies.llc.estimator import LossFn

try:  # optional reference implementation
    from devinterp.optim.sgld import SGLD as DevinterpSGLD  # noqa: N811

    HAVE_DEVINTERP = True
except Exception:
    HAVE_DEVINTERP = False


class PlainSGLD(torch.optim.Optimizer):
    """devinterp's update, w ← w − ε/2 (nβ ∇L_B + γ(w − w₀)) + √ε ξ, for when devinterp is not installed."""

    def __init__(self, params: Iterable[nn.Parameter], lr: float, nbeta: float, localization: float) -> None:
        super().__init__(params, {"lr": lr, "nbeta": nbeta, "localization": localization})
        for g in self.param_groups:
            for p in g["params"]:
                self.state[p]["w0"] = p.detach().clone()

    @torch.no_grad()
    def step(self, closure: Any = None) -> None:  # type: ignore[override]
        for g in self.param_groups:
            for p in g["params"]:
                dw = p.grad * g["nbeta"] + g["localization"] * (p - self.state[p]["w0"])
                p.add_(dw, alpha=-0.5 * g["lr"]).add_(torch.randn_like(p), alpha=math.sqrt(g["lr"]))


def _epochs(data: tuple[torch.Tensor, ...], batch_size: int) -> Iterator[tuple[torch.Tensor, ...]]:
    """Shuffled minibatches without replacement, epoch after epoch: what ``DataLoader(shuffle=True)`` in a cycle
    yields, by tensor indexing instead of per-sample collation (which cost ~1 ms per 1000 samples)."""
    n = int(data[0].shape[0])
    while True:
        perm = torch.randperm(n)
        for i in range(0, n, batch_size):
            idx = perm[i : i + batch_size]
            yield tuple(x[idx] for x in data)


def sequential_llc(model: nn.Module, loss_fn: LossFn, data: tuple[torch.Tensor, ...], *, epsilon: float,
                   nbeta: float, gamma: float, num_chains: int, num_draws: int, num_burnin: int, batch_size: int,
                   seed: int, use_devinterp: bool = True) -> dict[str, Any]:  # fmt: skip
    """λ̂ with its SE over chains from the chain-by-chain reference loop (devinterp's SGLD when installed)."""
    with torch.no_grad():
        init = float(loss_fn(model, data))
    torch.manual_seed(seed)
    use = use_devinterp and HAVE_DEVINTERP
    ests = []
    for _ in range(num_chains):
        m = copy.deepcopy(model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            opt: torch.optim.Optimizer = (
                DevinterpSGLD(m.parameters(), lr=epsilon, nbeta=nbeta, localization=gamma)
                if use
                else PlainSGLD(m.parameters(), lr=epsilon, nbeta=nbeta, localization=gamma)
            )
        batches = _epochs(data, batch_size)
        losses = []
        for t in range(num_burnin + num_draws):
            batch = tuple(next(batches))
            opt.zero_grad()
            loss = loss_fn(m, batch)
            loss.backward()  # type: ignore[no-untyped-call]
            if t >= num_burnin:
                losses.append(loss.item())
            opt.step()
        ests.append(nbeta * (float(np.mean(losses)) - init))
    a = np.asarray(ests)
    return {
        "reference": "devinterp 2.0.1 SGLD" if use else "plain-torch copy of devinterp's SGLD",
        "llc": float(a.mean()),
        "llc_se": float(a.std(ddof=1) / math.sqrt(num_chains)),
    }
