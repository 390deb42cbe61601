"""LLC estimation as whole processes: Skeptic's batched estimator against devinterp 2.0.1's own ``llc()``.

The anchor is devinterp's high-level entry point ``devinterp.slt.llc.llc`` (its sampler, SGLD, zarr store and
xarray reduction, all as shipped), run in a separate interpreter that has devinterp and its dependencies
(``--devinterp-python``; e.g. ``python3 -m venv /tmp/devinterp-venv && /tmp/devinterp-venv/bin/pip install
torch==2.13.0 devinterp==2.0.1``). devinterp's ``llc()`` reads a dataset with an ``input_ids`` column and a per-token
loss ``(model, input_ids) -> (batch, row length − 1)``; each (x, y) pair is stored as one row [x, y] and the loss
is the same ½‖y − f(x)‖² per sample that Skeptic uses (repeated along the row, so devinterp's mean is unchanged), so
both sample the same tempered posterior. Same models (RRR 5-3-5, DLN 4-4-4-4, n = 5000), ε, nβ, γ, draws, burn-in
and batch size; 4, 8 and 32 chains. devinterp's estimate averages the loss over every step including burn-in and
takes L_n(w*) from ``num_init_loss_batches`` minibatches (its definition); Skeptic's averages the draws after
burn-in, from the full-data L_n(w*). Each side prints λ̂ ± SE (SE = std over chains / √chains).

Each run is a fresh interpreter (imports and set-up counted), A and B interleaved, one torch thread on both sides.
Run: ``PYTHONPATH=src python benchmarks/llc_bench.py --devinterp-python /tmp/devinterp-venv/bin/python``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from pathlib import Path

N, DRAWS, BURNIN, BS = 5000, 500, 100, 256
CASES = {"rrr-5-3-5": ((5, 3, 5), 1), "dln-4-4-4-4": ((4, 4, 4, 4), 2)}


def _problem(case: str):  # type: ignore[no-untyped-def]
    import torch

    from skeptic.studies.llc import models

    widths, seed = CASES[case]
    return models.dln_problem(widths, 1, N, torch.Generator().manual_seed(seed))


def _settings() -> tuple[float, float, float]:
    from skeptic.studies.llc import estimator

    nb = estimator.default_nbeta(N)
    return estimator.DEFAULT_EPSILON_TIMES_NBETA / nb, nb, estimator.DEFAULT_GAMMA


def skeptic_child(case: str, chains: int) -> None:
    import torch

    from skeptic.studies.llc import estimator
    from skeptic.studies.llc.models import gaussian_nll

    torch.set_num_threads(1)
    p = _problem(case)
    eps, nb, gamma = _settings()
    est = estimator.estimate_llc(
        p.model, gaussian_nll, p.data, nbeta=nb, epsilon=eps, gamma=gamma, num_chains=chains,
        num_draws=DRAWS, num_burnin=BURNIN, batch_size=BS, seed=0, warn=False,
    )  # fmt: skip
    print(f"RESULT {est.mean:.4f} {est.std_error:.4f}")


def devinterp_child(case: str, chains: int) -> None:
    import torch
    from datasets import Dataset
    from devinterp.slt.llc import llc

    torch.set_num_threads(1)
    p = _problem(case)
    eps, nb, gamma = _settings()
    x, y = p.data
    d_in = x.shape[1]
    ds = Dataset.from_dict({"input_ids": torch.cat([x, y], 1).numpy()}).with_format("torch")

    def loss_fn(model: torch.nn.Module, rows: torch.Tensor) -> torch.Tensor:
        rows = rows.float()
        per_sample = 0.5 * ((rows[:, d_in:] - model(rows[:, :d_in])) ** 2).sum(-1, keepdim=True)
        out: torch.Tensor = per_sample.expand(-1, rows.shape[1] - 1)  # devinterp: (batch, row length - 1)
        return out

    with tempfile.TemporaryDirectory() as tmp:
        out = llc(
            p.model, ds, {}, lr=eps, n_beta=nb, localization=gamma, num_chains=chains, num_draws=DRAWS,
            num_burnin_steps=BURNIN, batch_size=BS, loss_fn=loss_fn, device="cpu",
            output_path=Path(tmp) / "samples.zarr",
        )  # fmt: skip
    per_chain = out["llc_per_chain"].values
    se = float(per_chain.std(ddof=1)) / math.sqrt(chains)
    print(f"RESULT {float(per_chain.mean()):.4f} {se:.4f}")


def _result(out: str) -> tuple[float, float]:
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
    m, se = line.split()[1:]
    return float(m), float(se)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", choices=("skeptic", "devinterp"))
    ap.add_argument("--case", choices=tuple(CASES), default="rrr-5-3-5")
    ap.add_argument("--chains", type=int, default=8)
    ap.add_argument("--devinterp-python", default="/tmp/devinterp-venv/bin/python")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--chain-counts", default="4,8,32")
    args = ap.parse_args()
    if args.child == "skeptic":
        return skeptic_child(args.case, args.chains)
    if args.child == "devinterp":
        return devinterp_child(args.case, args.chains)
    sys.path.insert(0, str(Path(__file__).parent))
    from _process import interleaved, report

    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": src, "OMP_NUM_THREADS": "1", "TQDM_DISABLE": "1"}
    print(f"({BURNIN} + {DRAWS}) steps per chain, batch {BS}, n {N}, 1 torch thread; {os.cpu_count()} cores")
    for case in CASES:
        for chains in (int(c) for c in args.chain_counts.split(",")):
            a = [sys.executable, __file__, "--child", "skeptic", "--case", case, "--chains", str(chains)]
            b = [args.devinterp_python, __file__, "--child", "devinterp", "--case", case, "--chains", str(chains)]
            load = os.getloadavg()[0]
            ra, rb = interleaved(a, b, args.repeats, env, warmup=0)
            (ma, sa_), (mb, sb_) = _result(ra.stdout[-1]), _result(rb.stdout[-1])
            print(
                f"{case}, {chains} chains: Skeptic λ̂ {ma:.2f} ± {sa_:.2f}, devinterp λ̂ {mb:.2f} ± {sb_:.2f}; "
                f"load average {load:.1f} → {os.getloadavg()[0]:.1f}"
            )
            print(report("Skeptic", "devinterp llc()", ra, rb), flush=True)


if __name__ == "__main__":
    main()
