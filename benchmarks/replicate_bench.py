"""Replication throughput: 8 cells of a ``test`` preset on the local pool against one after another,
and Ray's per-task overhead.

    PYTHONPATH=src python benchmarks/replicate_bench.py [--study random-labels] [--cells 8] [--no-ray]

- **serial**: the 8 cells executed one after another in this process with
  :func:`skeptic.core.runner.execute` (figures rendered, nothing stored): what a user gets from a
  shell loop, minus its interpreter start-ups. PyTorch gets one thread, as each pool worker does
  (on 2 cores the pool runs 2 workers × 1 thread), which is also the faster serial setting for
  these small networks on a loaded machine: ``--serial-threads 0`` keeps PyTorch's default (one
  thread per core), whose OpenMP threads spin-wait when other processes hold the cores.
- **local**: :func:`skeptic.core.replicate.replicate` on the local executor, one process per core,
  into a fresh store (pool start-up, pickling, store writes and the robustness map included).
- **ray**: the same 8 cells on a fresh local Ray cluster (``ray.init`` counted separately), and the
  round trip of an empty task, one at a time and 200 at once.

The target is local ≥ 1.7× serial on 2 cores. The machine's load average is printed before and
after: other processes on a shared machine take cores away from both sides, more from the pool.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from typing import Any

from skeptic import load_studies
from skeptic.core import Store, get_study
from skeptic.core.executors import available_cores
from skeptic.core.replicate import plan_replication, replicate
from skeptic.core.runner import execute


def _cpu_s() -> float:
    """CPU seconds used so far by this process and its reaped children (the pool's workers, once shut down)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def _noop(x: int) -> int:
    return x


def bench_ray(plan: Any, cells: int) -> dict[str, float]:
    import ray

    t0 = time.perf_counter()
    ray.init(address="local", num_cpus=available_cores(), include_dashboard=False, log_to_driver=False)
    init_s = time.perf_counter() - t0
    try:
        noop = ray.remote(_noop)
        ray.get(noop.remote(0))  # warm a worker
        t0 = time.perf_counter()
        for i in range(50):
            ray.get(noop.remote(i))
        one_at_a_time = (time.perf_counter() - t0) / 50
        t0 = time.perf_counter()
        ray.get([noop.remote(i) for i in range(200)])
        batched = (time.perf_counter() - t0) / 200
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            rep = replicate(plan, Store(tmp), executor="ray")
            cells_s = time.perf_counter() - t0
            assert rep.n_failed == 0 and rep.n_reused == 0 and len(rep.cells) == cells
    finally:
        ray.shutdown()
    return {"init_s": init_s, "task_s": one_at_a_time, "batched_task_s": batched, "cells_s": cells_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--study", default="random-labels")
    parser.add_argument("--cells", type=int, default=8)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--serial-threads", type=int, default=1, help="PyTorch threads, serial loop (0: default)")
    args = parser.parse_args()
    load_studies()
    spec = get_study(args.study)
    plan = plan_replication(spec, "test", args.cells)  # one setting x N seeds: N cells of equal cost
    print(f"{args.cells} cells of {spec.name} (test preset), {available_cores()} cores; before: {_load()}")

    import torch

    default_threads = torch.get_num_threads()
    torch.set_num_threads(args.serial_threads or default_threads)
    t0, c0 = time.perf_counter(), _cpu_s()
    for cell in plan.cells:
        execute(spec, cell.config, cell.seed, plan.preset)
    serial_s, serial_cpu = time.perf_counter() - t0, _cpu_s() - c0
    torch.set_num_threads(default_threads)
    print(f"serial loop with {args.serial_threads or default_threads} PyTorch thread(s)")
    per_cell = serial_s / args.cells
    print(f"serial (in-process loop):  {serial_s:6.1f} s ({per_cell:.2f} s per cell), {serial_cpu:.1f} CPU s")

    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), _cpu_s()
        rep = replicate(plan, Store(tmp))
        local_s, local_cpu = time.perf_counter() - t0, _cpu_s() - c0
        assert rep.n_failed == 0 and rep.n_reused == 0
    workers = rep.executor["workers"]
    print(
        f"local pool ({workers} workers):    {local_s:6.1f} s  speed-up {serial_s / local_s:.2f}x, "
        f"{local_cpu:.1f} CPU s (driver and workers)"
    )

    if not args.no_ray:
        try:
            import ray  # noqa: F401
        except ImportError:
            print("ray: not installed (pip install 'skeptic[ray]'), skipped")
        else:
            r = bench_ray(plan, args.cells)
            print(f"ray local cluster:         {r['cells_s']:6.1f} s  speed-up {serial_s / r['cells_s']:.2f}x")
            print(f"  ray.init() of a local cluster {r['init_s']:.2f} s (not in the time above)")
            print(
                f"  empty task round trip: {1e3 * r['task_s']:.2f} ms one at a time, "
                f"{1e3 * r['batched_task_s']:.3f} ms each when 200 go at once"
            )
    print(f"after: {_load()}")


if __name__ == "__main__":
    main()
