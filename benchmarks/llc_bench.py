"""Wall time of Skeptic's batched LLC estimator against devinterp's SGLD run chain by chain, same settings.

The reference is :func:`skeptic.studies.llc.crosscheck.sequential_llc`: devinterp's own ``SGLD`` optimizer driven
as devinterp's sampler drives it, chain after chain (devinterp 2.0.1's high-level API needs transformers, datasets,
xarray and zarr, so it is installed with ``--no-deps`` and only its optimizer is used). Without devinterp the same
loop runs with a plain-torch copy of its update rule (marked as such). The reference draws its shuffled minibatches
by tensor indexing, not through a ``DataLoader`` (whose per-sample collation cost ~1 ms per 1000 samples), so the
speed-ups are those of batching the chains, not of a slow loader.

Both estimators use the same models, data, ε, nβ, γ, chains, draws and batch size, and report their estimates with
standard errors over chains so "equal accuracy" can be read off. Run:
``PYTHONPATH=src python benchmarks/llc_bench.py`` (prints a table; timings are ratios measured in one process).
"""

from __future__ import annotations

import itertools
import os
import time

import torch

from skeptic.studies.llc import estimator, models
from skeptic.studies.llc.crosscheck import HAVE_DEVINTERP, sequential_llc
from skeptic.studies.llc.models import gaussian_nll


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
        ref = sequential_llc(
            p.model,
            gaussian_nll,
            p.data,
            epsilon=eps,
            nbeta=nb,
            gamma=gamma,
            num_chains=chains,
            num_draws=draws,
            num_burnin=burnin,
            batch_size=bs,
            seed=1,
        )
        m_ref, se_ref = ref["llc"], ref["llc_se"]
        t_ref = time.perf_counter() - t0
        print(
            f"| {p.name} | {chains} | {p.exact:g} | {est.mean:.2f} ± {est.std_error:.2f} | "
            f"{m_ref:.2f} ± {se_ref:.2f} | {t_ours:.1f} | {t_ref:.1f} | {t_ref / t_ours:.1f}× |"
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
