"""The quick suite against its budget: every registered study's ``quick`` preset, timed one by one.

Each study runs as ``python -m skeptic run STUDY --preset quick --force`` in a fresh process (imports included, as
``make demo`` pays them) into a throw-away store. Printed per study: wall seconds, CPU seconds of the process
(user + system, from ``getrusage(RUSAGE_CHILDREN)``; on a loaded machine the wall time stretches while the CPU time
does not) and the outcome; then the totals against the 6-minute budget of issue 13 and the load average before and
after, so a reader can tell a slow machine from slow code. A study that needs what this machine lacks
(alignment-faking without a model) reports itself skipped and counts zero.

    .venv/bin/python benchmarks/quick_suite_bench.py [--only goodhart,random-labels] [--budget 360]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import skeptic


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="", help="comma-separated study names (default: every registered study)")
    ap.add_argument("--budget", type=float, default=360.0, help="seconds the whole quick suite may take")
    args = ap.parse_args()
    names = [s.name for s in skeptic.load_studies()]
    if args.only:
        wanted = args.only.split(",")
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            sys.exit(f"unknown studies: {', '.join(unknown)}; registered: {', '.join(names)}")
        names = [n for n in names if n in wanted]
    load0 = os.getloadavg()[0]
    print(f"quick suite: {len(names)} studies; {os.cpu_count()} cores; load average {load0:.1f} at the start")
    total_wall = total_cpu = 0.0
    with tempfile.TemporaryDirectory(prefix="skeptic-quick-bench-") as store:
        for name in names:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "skeptic", "run", name, "--preset", "quick", "--force", "--store", store],
                capture_output=True,
                text=True,
            )
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            skipped = f"skipped {name}" in proc.stderr
            if skipped:
                outcome = "skipped: " + proc.stderr.split(f"skipped {name}:", 1)[1].strip().splitlines()[0][:80]
            elif proc.returncode != 0:
                outcome = f"FAILED (exit {proc.returncode}): {proc.stderr.strip().splitlines()[-1:]}"
            else:
                outcome = "ok"
            if not skipped:
                total_wall += wall
                total_cpu += cpu
            print(f"  {name:18s} {wall:7.1f} s wall  {cpu:7.1f} s CPU   {outcome}", flush=True)
    load1 = os.getloadavg()[0]
    print(
        f"total {total_wall:.1f} s wall ({total_wall / args.budget:.0%} of the {args.budget:.0f} s budget), "
        f"{total_cpu:.1f} s CPU ({total_cpu / args.budget:.0%} of the budget on one core, "
        f"{total_cpu / (2 * args.budget):.0%} on two); load average {load0:.1f} -> {load1:.1f}"
    )


if __name__ == "__main__":
    main()
