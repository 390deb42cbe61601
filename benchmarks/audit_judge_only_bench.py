"""Judging-only mutant executions against whole ones: the same mutant sample, both ways, outcome by outcome.

A mutant on a line that ran only while the clean run's probes and claims were judged runs as judging only
(:mod:`skeptic.core.audit`, "Judging-phase mutants"). This benchmark audits one study's sample twice, in turn, as
whole processes (``python -m skeptic audit STUDY --mutants N --mutant-seed S --no-faults --json``): once as shipped
and once with ``SKEPTIC_AUDIT_JUDGE_ONLY=0`` (every mutant a whole execution). It prints, per arm and repeat, the wall
and CPU seconds of the audit process and its children, and checks that every mutant got the same outcome, failed
probes and changed verdicts both ways (the equivalence the shortcut rests on). The ratio is whole / judging-only.

    .venv/bin/python benchmarks/audit_judge_only_bench.py --study goodhart --preset test --mutants 40 \
        --mutant-seed 5 [--repeats 1] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any


def _audit(args: argparse.Namespace, judge_only: bool) -> tuple[float, float, dict[str, Any]]:
    env = dict(os.environ, SKEPTIC_AUDIT_JUDGE_ONLY="1" if judge_only else "0", OMP_NUM_THREADS="1")
    cmd = [
        sys.executable, "-m", "skeptic", "audit", args.study, "--preset", args.preset, "--no-faults",
        "--mutants", str(args.mutants), "--mutant-seed", str(args.mutant_seed), "--jobs", str(args.jobs), "--json",
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="skeptic-judge-bench-") as store:  # nothing reused between arms
        proc = subprocess.run([*cmd, "--store", store], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        sys.exit(f"audit failed ({proc.returncode}): {proc.stderr[-2000:]}")
    doc = json.loads(proc.stdout)
    audits = doc if isinstance(doc, list) else doc.get("audits", [doc])
    return wall, cpu, audits[0]["mutants"]


def _outcomes(mutants: dict[str, Any]) -> dict[str, tuple[str, list[str], list[dict[str, str]]]]:
    return {r["id"]: (r["outcome"], r["failed_probes"], r["changed_verdicts"]) for r in mutants["results"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--study", default="goodhart")
    ap.add_argument("--preset", default="test")
    ap.add_argument("--mutants", type=int, default=40)
    ap.add_argument("--mutant-seed", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    print(f"{args.study} at {args.preset}: {args.mutants} mutants, seed {args.mutant_seed}, {args.jobs} jobs; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    ratios_wall, ratios_cpu, mismatches = [], [], 0
    for rep in range(args.repeats):
        fast_wall, fast_cpu, fast = _audit(args, judge_only=True)
        whole_wall, whole_cpu, whole = _audit(args, judge_only=False)
        a, b = _outcomes(fast), _outcomes(whole)
        differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        mismatches += len(differ)
        for k in differ:
            print(f"  DIFFERENT {k}: judging-only {a.get(k)} / whole {b.get(k)}")
        print(f"repeat {rep + 1}: judging-only {fast_wall:.1f} s wall, {fast_cpu:.1f} CPU s "
              f"({fast['judged_only']} of {len(fast['results'])} mutants judged only; check: {fast['judge_check']}); "
              f"whole {whole_wall:.1f} s wall, {whole_cpu:.1f} CPU s; same outcomes: {len(a) - len(differ)}/{len(a)}; "
              f"{fast['summary']}")  # fmt: skip
        ratios_wall.append(whole_wall / fast_wall)
        ratios_cpu.append(whole_cpu / fast_cpu)
    for name, r in (("wall", ratios_wall), ("CPU", ratios_cpu)):
        r = sorted(r)
        print(f"whole / judging-only, {name}: min {r[0]:.2f}x, median {r[len(r) // 2]:.2f}x, max {r[-1]:.2f}x")
    print(f"load average {os.getloadavg()[0]:.1f} at the end; mutants with different outcomes: {mismatches}")
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
