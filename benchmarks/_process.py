"""Whole-process timing shared by the anchor benchmarks: two commands run in turn (A B A B ...), each as a fresh
interpreter, so start-up, imports and set-up are counted; the ratio is taken pair by pair so that load drifting on
a shared machine hits both sides. Wall seconds from a monotonic clock around each child; CPU seconds and peak
resident memory from the kernel's accounting of that child (``os.wait4``)."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field


@dataclass
class Side:
    """One command's runs: wall and CPU seconds, peak resident MiB, in run order."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)
    stdout: list[str] = field(default_factory=list)


def run_once(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float, str]:
    """Wall s, CPU s, peak MiB and stdout of one run of ``cmd`` (a failing run raises with its stderr's tail)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err.read().decode()[-2000:]}")
        return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, out.read().decode()


def interleaved(
    a: list[str], b: list[str], repeats: int, env: dict[str, str] | None = None, warmup: int = 1
) -> tuple[Side, Side]:
    """``repeats`` pairs of runs A then B (after ``warmup`` uncounted runs of each); each keeps its runs' stdout."""
    for _ in range(warmup):
        run_once(a, env), run_once(b, env)
    sa, sb = Side(), Side()
    for _ in range(repeats):
        for cmd, side in ((a, sa), (b, sb)):
            w, c, m, out = run_once(cmd, env)
            side.wall.append(w)
            side.cpu.append(c)
            side.peak_mib.append(m)
            side.stdout.append(out)
    return sa, sb


def spread(xs: list[float], fmt: str = ".2f") -> str:
    """'median (min–max)' of ``xs``."""
    return f"{statistics.median(xs):{fmt}} ({min(xs):{fmt}}–{max(xs):{fmt}})"


def report(name_a: str, name_b: str, sa: Side, sb: Side) -> str:
    """Lines giving each side's wall/CPU/peak and the pairwise ratio B/A (how many times faster A is)."""
    ratio = [wb / wa for wa, wb in zip(sa.wall, sb.wall, strict=True)]
    cpu_ratio = [cb / ca for ca, cb in zip(sa.cpu, sb.cpu, strict=True)]
    return "\n".join(
        [
            f"  {name_a}: wall {spread(sa.wall)} s, CPU {spread(sa.cpu)} s, peak {spread(sa.peak_mib, '.0f')} MiB",
            f"  {name_b}: wall {spread(sb.wall)} s, CPU {spread(sb.cpu)} s, peak {spread(sb.peak_mib, '.0f')} MiB",
            f"  ratio {name_b} / {name_a} over {len(ratio)} interleaved pairs:"
            f" wall median {statistics.median(ratio):.2f}"
            f" (min {min(ratio):.2f}, max {max(ratio):.2f}); CPU median {statistics.median(cpu_ratio):.2f}"
            f" (min {min(cpu_ratio):.2f}, max {max(cpu_ratio):.2f})",
        ]
    )
