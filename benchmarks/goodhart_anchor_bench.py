"""The Goodhart best-of-n figure as a whole process, against the authors' Monte Carlo, interleaved repeats.

Anchor: Kwa et al.'s ``best-of-n/bon_synthetic.py`` (github tkwa/catastrophic-goodhart) estimates E[V] and E[X] of the
best of n by sampling: for each n in ``geomspace(1, 4**max_log_n, max_log_n + 1)`` and each of ``n_trials`` (100)
trials it draws n pairs (V = 2·N(0, 1), X from the error distribution, t scaled to unit variance, lognormal(0, ln 2)
− 1), and keeps the pair with the largest V + X. That timed computation is RE-IMPLEMENTED here from that description
(its code is not copied, and its plotting and pandas/seaborn imports are left out, which only favours the anchor):
``--child authors``. Skeptic computes the same curves exactly (E[V] and E[U] at the same n, the paper's four errors
of the first row) with ``skeptic.goodhart``: ``--child skeptic``. Each child is a fresh interpreter, so imports and
set-up are counted. Run: ``PYTHONPATH=src python benchmarks/goodhart_anchor_bench.py [--repeats 5] [--max-log-n 8]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ERRORS = ("normal", "t3", "t5", "lognormal")


def skeptic_child(max_log_n: int) -> None:
    """The exact curves: one u-grid per error, E[V] and E[U] of the best of n at every n."""
    import numpy as np

    from skeptic import goodhart as gh

    v, errors = gh.paper_setup()
    n = np.geomspace(1, 4.0**max_log_n, max_log_n + 1)
    for name in ERRORS:
        x = errors[name]
        g = gh.u_grid(v, x, n_max=float(n[-1]))
        print(name, gh.best_of_n(v, x, n, g)[-1], gh.best_of_n_u(v, x, n, g)[-1])


def authors_child(max_log_n: int, trials: int) -> None:
    """The authors' Monte Carlo as their repository describes it (legacy global NumPy generator, as they use)."""
    import numpy as np

    def draw_error(size: int, name: str) -> np.ndarray:
        if name == "normal":
            return np.random.normal(0, 1, size=size)
        if name == "lognormal":
            return np.random.lognormal(0, np.log(2), size=size) - 1
        df = int(name[1:])
        out: np.ndarray = ((df - 2) / df) ** 0.5 * np.random.standard_t(df, size=size)
        return out

    for name in ERRORS:
        best = []
        for n in np.geomspace(1, 4**max_log_n, max_log_n + 1):
            for _ in range(trials):
                v = 2 * np.random.normal(0, 1, size=int(n))
                x = draw_error(int(n), name)
                i = int(np.argmax(v + x))
                best.append((round(n), v[i], x[i]))
        print(name, best[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", choices=("skeptic", "authors"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--max-log-n", type=int, default=8, help="largest n is 4**this (the authors' script: 8)")
    ap.add_argument("--trials", type=int, default=100, help="Monte Carlo trials per n (the authors' script: 100)")
    args = ap.parse_args()
    if args.child == "skeptic":
        return skeptic_child(args.max_log_n)
    if args.child == "authors":
        return authors_child(args.max_log_n, args.trials)
    sys.path.insert(0, str(Path(__file__).parent))
    from _process import interleaved, report

    me = [sys.executable, __file__, "--max-log-n", str(args.max_log_n), "--trials", str(args.trials)]
    load = os.getloadavg()
    sa, sb = interleaved([*me, "--child", "skeptic"], [*me, "--child", "authors"], args.repeats)
    print(
        f"best-of-n E[V], E[U]/E[X] at n = 1 … 4^{args.max_log_n}, errors {', '.join(ERRORS)}; authors' MC at "
        f"{args.trials} trials; load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after, "
        f"{os.cpu_count()} cores"
    )
    print(report("Skeptic exact", "authors' MC", sa, sb))


if __name__ == "__main__":
    main()
