"""Batched trainer vs a plain per-model loop, and against the machine's matrix-multiply peak (random-labels study).

Trains M networks (one per condition x seed, as the study does) for a fixed number of SGD steps two ways:
``train_batched`` (stacked weights; MLPs by hand-written batched backprop, the CNN by autograd through grouped
convolutions) and ``train_loop_reference`` (one nn.Module and torch.optim.SGD per model, a Python loop over models).
Both follow the same trajectories (the tests check this to 1e-5). Printed, all measured in this one process as
medians of ``--repeats`` interleaved timings: seconds per step, the speed-up ratio (and its range over the repeats),
each trainer's achieved fp32 rate as a fraction of the peak of a large ``torch.mm`` (2048x2048) at the same thread
count, and the ceiling that peak puts on any batching: peak / the loop's rate. FLOPs per step of a layer with m
multiply-adds per example (d_in·d_out for a linear layer, H·W·c_out·c_in·kh·kw for a 'same' convolution) and batch
B: forward 2Bm, weight gradient 2Bm, input gradient 2Bm (none for the first layer), times M models.

The batched trainer sets glibc's allocator to keep freed blocks (``skeptic.core.device.keep_freed_memory``); that
cannot be undone in a process, so the first line times the batched MLP with the default allocator, then with the
setting, before anything else runs.

    .venv/bin/python benchmarks/random_labels_bench.py [--steps 100] [--models 42] [--repeats 3] [--cpu-time]

``--models 42`` is the quick preset's batch (8 conditions + 6 regularizer variants, x 3 seeds). ``--dropout`` gives
every 14th model dropout 0.3 and ``--wd`` weight decay (as the study's batches have).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

from skeptic.core import device
from skeptic.random_labels import Job, TrainSettings, arch_from_name, load_digits_dataset, train_batched
from skeptic.random_labels import train_loop_reference as train_loop
from skeptic.studies.random_labels import nets
from skeptic.studies.random_labels.nets import Arch


def clock(cpu: bool) -> float:
    """Wall-clock seconds, or CPU seconds of this process (all threads) when ``cpu``."""
    return time.process_time() if cpu else time.perf_counter()


def mm_peak(cpu: bool, size: int = 2048, reps: int = 5) -> float:
    """Best-of-``reps`` fp32 FLOP/s of ``torch.mm`` on two size x size matrices (per CPU second when ``cpu``)."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(reps):
        t0 = clock(cpu)
        torch.mm(a, b)
        best = min(best, clock(cpu) - t0)
    return 2 * size**3 / best


def flops_per_step(arch: Arch, batch: int, models: int) -> float:
    """Forward + weight-gradient + input-gradient FLOPs of one SGD step of ``models`` networks (no input gradient
    for the first layer; pooling, ReLU and the loss not counted)."""
    if arch.kind == "mlp":
        dims = [arch.d_in, *arch.hidden, arch.n_classes]
        macs = [dims[i] * dims[i + 1] for i in range(len(dims) - 1)]
    else:
        (kh, kw), _, (qh, qw) = arch.conv_geometry()
        c0, H, W = arch.in_shape
        c1, c2 = arch.channels
        macs = [H * W * c1 * c0 * kh * kw, (H // qh) * (W // qw) * c2 * c1 * kh * kw]
        macs.append(arch.flat_features() * arch.n_classes)
    return 2.0 * batch * models * (2 * sum(macs) + sum(macs[1:]))


def allocator_effect(arch: Arch, X: torch.Tensor, jobs: list[Job], st: TrainSettings, cpu: bool) -> str:
    """Batched seconds per step with glibc's default allocator settings, then with ``keep_freed_memory``."""
    names = vars(nets)
    real = names["keep_freed_memory"]
    names["keep_freed_memory"] = lambda: False
    try:
        train_batched(arch, X[None], jobs, TrainSettings(lr=0.01, max_steps=3, eval_every=100, loss_stop=0.0))
        t0 = clock(cpu)
        train_batched(arch, X[None], jobs, st)
        t_default = clock(cpu) - t0
    finally:
        names["keep_freed_memory"] = real
    tuned = device.keep_freed_memory()
    t0 = clock(cpu)
    train_batched(arch, X[None], jobs, st)
    t_tuned = clock(cpu) - t0
    return (
        f"allocator: batched {arch.kind} {1e3 * t_default / st.max_steps:.1f} ms/step with glibc's defaults, "
        f"{1e3 * t_tuned / st.max_steps:.1f} with keep_freed_memory ({'on' if tuned else 'unavailable'}): "
        f"x{t_default / t_tuned:.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--models", type=int, default=42)
    ap.add_argument("--n-train", type=int, default=500)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3, help="timings per trainer (interleaved); medians are printed")
    ap.add_argument("--archs", default="mlp1x512,mlp3x512,cnn")
    ap.add_argument("--no-loop", action="store_true", help="skip the per-model loop (fraction of peak only)")
    ap.add_argument("--regularizers", action="store_true", help="some models with dropout / weight decay")
    ap.add_argument(
        "--cpu-time",
        action="store_true",
        help="time by CPU seconds of this process instead of the wall clock (on a machine loaded by others the wall "
        "clock measures the other jobs; with --threads 1 CPU seconds are the honest denominator)",
    )
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ds = load_digits_dataset(args.n_train, 200)
    rng = np.random.default_rng(0)
    X = torch.from_numpy(ds.X_train)
    load = os.getloadavg()[0]
    cpu = args.cpu_time
    peak = mm_peak(cpu)
    print(
        f"{args.models} models, {args.steps} SGD steps, batch 128, digits n_train={args.n_train}, "
        f"{args.threads} thread(s); load average {load:.1f} on {os.cpu_count()} cores; "
        f"torch.mm 2048^2 peak {peak / 1e9:.1f} GFLOP/s; timed by {'CPU' if cpu else 'wall'} seconds"
    )
    first = True
    for name in args.archs.split(","):
        arch = arch_from_name(name, ds.shape, 10, 512, (48, 64))
        reg = args.regularizers
        jobs = [
            Job(
                0,
                rng.integers(0, 10, args.n_train),
                seed=s,
                dropout=0.3 if reg and s % 14 == 5 else 0.0,
                weight_decay=5e-4 if reg and s % 14 == 6 else 0.0,
            )
            for s in range(args.models)
        ]
        st = TrainSettings(lr=0.01, max_steps=args.steps, eval_every=10 * args.steps, loss_stop=0.0)
        if first:
            print(allocator_effect(arch, X, jobs, st, cpu), flush=True)
            first = False
        train_batched(arch, X[None], jobs, TrainSettings(lr=0.01, max_steps=3, eval_every=100, loss_stop=0.0))
        flops = flops_per_step(arch, 128, args.models) * args.steps
        loop = not args.no_loop and not reg
        t_batched, t_loop = [], []
        for _ in range(args.repeats):  # interleaved, so a slow spell of the machine hits both
            t0 = clock(cpu)
            res = train_batched(arch, X[None], jobs, st)
            t_batched.append(clock(cpu) - t0)
            if loop:
                t0 = clock(cpu)
                ref = train_loop(arch, [X] * args.models, jobs, st, args.steps)
                t_loop.append(clock(cpu) - t0)
        tb = float(np.median(t_batched))
        line = f"{name:9s} batched {1e3 * tb / args.steps:7.1f} ms/step = {flops / tb / peak:5.1%} of peak"
        if loop:
            tl = float(np.median(t_loop))
            err = max(float((res.params[k] - ref[k]).abs().max()) for k in ref)
            ratios = sorted(a / b for a, b in zip(t_loop, t_batched, strict=True))
            line += f"  loop {1e3 * tl / args.steps:7.1f} ms/step = {flops / tl / peak:5.1%} of peak"
            line += f"  speed-up x{tl / tb:5.2f} (per repeat {ratios[0]:.2f}-{ratios[-1]:.2f})"
            line += f"  ceiling at 100% of peak x{peak * tl / flops:5.1f}  max |Δw| {err:.1e}"
        print(line, flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
