"""Wall time of Skeptic's batched LLC estimator against devinterp's SGLD run chain by chain, same settings.

devinterp 2.0.1's high-level ``estimate_learning_coeff`` needs transformers, datasets, xarray and zarr; with
``pip install --no-deps devinterp==2.0.1`` only its optimizer package imports. So the reference here is devinterp's
own ``SGLD`` optimizer driven exactly as devinterp's sampler drives it: one model copy per chain, chains one after
another, a shuffled minibatch loader, ``loss.backward(); optimizer.step()`` per draw, and λ̂ = nβ(mean draw loss −
L_n(w*)). Without devinterp the same loop runs with a plain-torch copy of its update rule (marked as such).

Both estimators use the same models, data, ε, nβ, γ, chains, draws and batch size, and report their estimates with
standard errors over chains so "equal accuracy" can be read off. Run:
``PYTHONPATH=src python benchmarks/llc_bench.py`` (prints a table; timings are ratios measured in one process).
"""

from __future__ import annotations

import copy
import itertools
import math
import os
import time
import warnings
from collections.abc import Iterator

import numpy as np
import torch
from torch import nn

from skeptic.studies.llc import estimator, models
from skeptic.studies.llc.models import Problem, gaussian_nll

try:  # optional reference implementation
    from devinterp.optim.sgld import SGLD as DevinterpSGLD  # noqa: N811

    HAVE_DEVINTERP = True
except Exception:
    HAVE_DEVINTERP = False


class _PlainSGLD(torch.optim.Optimizer):
    """devinterp's update, w ← w − ε/2 (nβ ∇L_B + γ(w − w₀)) + √ε ξ, for when devinterp is not installed."""

    def __init__(self, params: Iterator[nn.Parameter], lr: float, nbeta: float, localization: float) -> None:
        super().__init__(params, {"lr": lr, "nbeta": nbeta, "localization": localization})
        for g in self.param_groups:
            for p in g["params"]:
                self.state[p]["w0"] = p.detach().clone()

    @torch.no_grad()
    def step(self, closure: None = None) -> None:  # type: ignore[override]
        for g in self.param_groups:
            for p in g["params"]:
                dw = p.grad * g["nbeta"] + g["localization"] * (p - self.state[p]["w0"])
                p.add_(dw, alpha=-0.5 * g["lr"]).add_(torch.randn_like(p), alpha=math.sqrt(g["lr"]))


def sequential_llc(
    problem: Problem,
    eps: float,
    nbeta: float,
    gamma: float,
    chains: int,
    draws: int,
    burnin: int,
    batch_size: int,
    seed: int,
) -> tuple[float, float]:
    """The devinterp-style loop: chains one after another, λ̂ = nβ(mean minibatch loss − L_n(w*))."""
    x, y = problem.data
    with torch.no_grad():
        init = float(gaussian_nll(problem.model, (x, y)))
    torch.manual_seed(seed)
    ests = []
    for _ in range(chains):
        m = copy.deepcopy(problem.model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            opt = (
                DevinterpSGLD(m.parameters(), lr=eps, nbeta=nbeta, localization=gamma)
                if HAVE_DEVINTERP
                else _PlainSGLD(m.parameters(), lr=eps, nbeta=nbeta, localization=gamma)
            )
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=batch_size, shuffle=True)
        batches = itertools.cycle(loader)
        losses = []
        for t in range(burnin + draws):
            xb, yb = next(batches)
            opt.zero_grad()
            loss = gaussian_nll(m, (xb, yb))
            loss.backward()
            if t >= burnin:
                losses.append(loss.item())
            opt.step()
        ests.append(nbeta * (np.mean(losses) - init))
    a = np.asarray(ests)
    return float(a.mean()), float(a.std(ddof=1) / math.sqrt(chains))


def main() -> None:
    torch.set_num_threads(1)
    n, draws, burnin, bs = 5000, 500, 100, 256
    nb = estimator.default_nbeta(n)
    eps, gamma = estimator.DEFAULT_EPSILON_TIMES_NBETA / nb, estimator.DEFAULT_GAMMA
    cases = [
        models.dln_problem((5, 3, 5), 1, n, torch.Generator().manual_seed(1)),
        models.dln_problem((4, 4, 4, 4), 1, n, torch.Generator().manual_seed(2)),
        models.dln_problem((10, 20, 20, 10), 3, n, torch.Generator().manual_seed(3)),
    ]
    ref = "devinterp 2.0.1 SGLD" if HAVE_DEVINTERP else "plain-torch copy of devinterp's SGLD (devinterp not installed)"
    print(f"reference: {ref}; ({burnin} + {draws}) steps per chain, batch {bs}, n {n}, 1 torch thread")
    print(f"load average before: {os.getloadavg()}")
    print("| model | chains | exact λ | Skeptic λ̂ ± SE | reference λ̂ ± SE | Skeptic s | reference s | speed-up |")
    print("|---|---|---|---|---|---|---|---|")
    for p, chains in itertools.product(cases, (8, 32)):
        t0 = time.perf_counter()
        est = estimator.estimate_llc(
            p.model,
            gaussian_nll,
            p.data,
            nbeta=nb,
            epsilon=eps,
            gamma=gamma,
            num_chains=chains,
            num_draws=draws,
            num_burnin=burnin,
            batch_size=bs,
            seed=0,
            warn=False,
        )
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        m_ref, se_ref = sequential_llc(p, eps, nb, gamma, chains, draws, burnin, bs, seed=1)
        t_ref = time.perf_counter() - t0
        print(
            f"| {p.name} | {chains} | {p.exact:g} | {est.mean:.2f} ± {est.std_error:.2f} | "
            f"{m_ref:.2f} ± {se_ref:.2f} | {t_ours:.1f} | {t_ref:.1f} | {t_ref / t_ours:.1f}× |"
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
