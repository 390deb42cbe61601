"""Goodhart calculator benchmarks: time of the exact curves and Monte Carlo throughput.

Run: ``python benchmarks/goodhart_bench.py``. Prints seconds and ratios; not a test.
"""

from __future__ import annotations

import math
import os
import time

import numpy as np

from skeptic import goodhart as gh
from skeptic.studies.goodhart import calculator as calc

_MARGIN = calc._PRUNE_MARGIN


def paper_figure() -> dict[str, tuple[np.ndarray, ...]]:
    """The whole paper figure from fresh distribution objects (so nothing is cached): exact best-of-n curves
    (E[V], E[U]) at n = 1 ... 4^10 (21 points) and E[V | U >= t] at 200 thresholds up to 20 SD, four errors."""
    v, errors = gh.paper_setup()
    n = 2.0 ** np.arange(0, 21)  # n = 1 ... 4^10
    ts = np.linspace(-1, 20, 200) * np.sqrt(5)
    out = {}
    for name, x in errors.items():
        g = gh.u_grid(v, x, n_max=float(n[-1]))
        out[name] = (gh.best_of_n(v, x, n, g), gh.best_of_n_u(v, x, n, g), gh.conditional_mean(v, x, ts))
    return out


def timed(reps: int = 3) -> tuple[float, float, dict[str, tuple[np.ndarray, ...]]]:
    """Best-of-``reps`` wall and CPU seconds of :func:`paper_figure`, and its result."""
    wall = cpu = float("inf")
    res: dict[str, tuple[np.ndarray, ...]] = {}
    for _ in range(reps):
        w0, c0 = time.perf_counter(), time.process_time()
        res = paper_figure()
        wall, cpu = min(wall, time.perf_counter() - w0), min(cpu, time.process_time() - c0)
    return wall, cpu, res


def main() -> None:
    paper_figure()  # imports and scipy's first-call set-up
    load = os.getloadavg()[0]
    wall, cpu, fast = timed()
    calc._PRUNE_MARGIN = math.inf  # every panel of every target integrated, as before issue 13
    wall_all, cpu_all, full = timed()
    calc._PRUNE_MARGIN = _MARGIN
    diff = max(float(np.max(np.abs(a - b))) for k in fast for a, b in zip(fast[k], full[k], strict=True))
    print(
        f"paper figure (best-of-n E[V], E[U] at 21 n up to 4^10 + E[V | U >= t] at 200 t, 4 errors), best of 3, "
        f"load average {load:.1f} on {os.cpu_count()} cores:\n"
        f"  panels skipped by their bounds: {wall:.2f} s wall, {cpu:.2f} s CPU\n"
        f"  every panel integrated:         {wall_all:.2f} s wall, {cpu_all:.2f} s CPU\n"
        f"  ratio (CPU) {cpu_all / cpu:.2f}x; max |difference| {diff:.1e}"
    )
    v, errors = gh.paper_setup()
    n = 2.0 ** np.arange(0, 21)
    t0 = time.perf_counter()
    for x in errors.values():
        g = gh.u_grid(v, x, n_max=float(n[-1]))
        gh.best_of_n(v, x, n, g)
        gh.best_of_n_u(v, x, n, g)
    exact_bon = time.perf_counter() - t0
    print(f"exact best-of-n curves alone, 4 distributions: {exact_bon:.2f} s wall")

    # truncated tilt: the u-grid with 200 uniform panels per truncation point (before issue 8) vs 30 (now)
    cs = (2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
    x = errors["t3"]
    log_q_min = max(min(float(gh.log_tail_probability(v, x, max(cs))[0]) - 1.0, -36.0), -150.0)
    timings, means = {}, {}
    for panels in (200, 30):
        extra = np.concatenate([np.linspace(c - 60.0, c, panels + 1) for c in cs])
        t0 = time.perf_counter()
        g = gh.u_grid(v, x, extra=extra, log_q_min=log_q_min)
        means[panels] = np.array([gh.tilted_truncated(v, x, 1.0, c, grid=g).mean_v for c in cs])
        timings[panels] = time.perf_counter() - t0
    diff = float(np.max(np.abs(means[200] - means[30])))
    print(
        f"truncated tilt, t3, 6 truncation points: 200 panels {timings[200]:.2f} s, 30 panels {timings[30]:.2f} s, "
        f"ratio {timings[200] / timings[30]:.1f}x; max |ΔE_π[V]| = {diff:.1e}"
    )

    rng = np.random.default_rng(0)
    for name, x in errors.items():
        trials, size = 64, 65536
        t0 = time.perf_counter()
        gh.mc_best_of_n(v, x, size, trials, rng)
        dt = time.perf_counter() - t0
        print(f"MC best-of-65536, X = {name}: {trials * size / dt / 1e6:.1f} M samples/s")
    x = errors["t3"]
    t0 = time.perf_counter()
    est = gh.mc_best_of_n(v, x, 4**10, 8, rng)[0]
    mc_time = time.perf_counter() - t0
    exact = gh.best_of_n(v, x, [4**10])[0]
    print(f"one MC estimate at n = 4^10 (8 trials, SE {est.se:.2f}): {mc_time:.2f} s; exact: {exact:.4f}")
    print(f"ratio: whole exact 4-distribution curve / one 8-trial MC point at n = 4^10 = {exact_bon / mc_time:.2f}")


if __name__ == "__main__":
    main()
