"""Wall time of one batched learning-rate sweep against the same models trained one by one, in one process.

A sweep of the mup study trains every (learning rate, seed) pair of one width as one computation: stacked parameters,
``torch.bmm`` for the MLP and ``torch.vmap`` over ``torch.func.functional_call`` for the transformer. The reference
is the same :func:`skeptic.studies.mup.nets.run_sweep` called once per model (a Python loop over models), with the same
draws and batches, so the two must also agree on every loss (printed). For the MLP, "batched" is the sweep as the study
runs it (stacked up to ``nets.STACK_BYTES`` of parameters per computation, in slices of learning rates beyond), and
"all stacked" the whole sweep as one computation whatever its size (the rule's alternative). Run:
``PYTHONPATH=src python benchmarks/mup_bench.py`` (one torch thread; CPU seconds of this process, so that other load
on a shared machine does not enter; ratios measured in one process; the load average is printed before and after).
"""

from __future__ import annotations

import os
import time
from typing import Literal

import torch

from skeptic.studies.mup import nets
from skeptic.studies.mup.data import load_corpus


def main() -> None:
    torch.set_num_threads(1)
    corpus = load_corpus()
    print(f"load average before: {os.getloadavg()}")
    print("| model | width | models | steps | batched s | loop s | speed-up | all stacked s | max |Δ loss| |")
    print("|---|---|---|---|---|---|---|---|---|")
    cases: list[tuple[Literal["mlp", "transformer"], int, int, int]] = [
        ("mlp", 64, 120, 4),
        ("mlp", 256, 120, 4),
        ("mlp", 512, 60, 4),
        ("mlp", 1024, 60, 4),
        ("transformer", 32, 40, 16),
        ("transformer", 64, 40, 16),
    ]
    for model, width, steps, ctx in cases:
        lrs = tuple(2.0**x for x in range(-10, -2))
        seeds = (0, 1)
        bs = 32 if model == "mlp" else 8
        ev = nets.eval_starts(corpus, 256 if model == "mlp" else 32, ctx, 0)
        sweep = nets.Sweep(model, width, 32, "mup", "adam", lrs, seeds, steps, bs, ctx, n_layers=1)
        t0 = time.process_time()
        batched = nets.run_sweep(corpus, sweep, ev).eval_loss
        t_batched = time.process_time() - t0
        t0 = time.process_time()
        loop = torch.cat(
            [
                nets.run_sweep(
                    corpus,
                    nets.Sweep(
                        model,
                        width,
                        32,
                        "mup",
                        "adam",
                        (lr,),
                        (s,),
                        steps,
                        bs,
                        ctx,
                        n_layers=1,
                    ),
                    ev,
                ).eval_loss
                for lr in lrs
                for s in seeds
            ]
        )
        t_loop = time.process_time() - t0
        t_all = float("nan")
        if model == "mlp":
            rule, nets.STACK_BYTES = nets.STACK_BYTES, 2**62
            t0 = time.process_time()
            nets.run_sweep(corpus, sweep, ev)
            t_all, nets.STACK_BYTES = time.process_time() - t0, rule
        diff = float((batched - loop).abs().nan_to_num(0.0).max())
        print(
            f"| {model} | {width} | {len(lrs) * len(seeds)} | {steps} | {t_batched:.2f} | {t_loop:.2f} | "
            f"{t_loop / t_batched:.2f}× | {t_all:.2f} | {diff:.1e} |"
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
