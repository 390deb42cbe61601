"""Import cost of Skeptic's public faces, as whole fresh processes (issue 36: `from skeptic import goodhart`
under 0.3 s; it took 2.0 s when importing any facade loaded every study and torch).

Each case runs ``python -c "<statement>"`` in a fresh interpreter, interleaved with the bare interpreter
(``python -c pass``) so the ratio and the difference are from the same moments of a shared machine. Prints
min / median / max wall seconds of each case over REPEATS, and the median of (case - bare) per repeat: the cost
the import itself adds.

    .venv/bin/python benchmarks/import_bench.py            # or PYTHONPATH=src python benchmarks/import_bench.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

REPEATS = int(os.environ.get("IMPORT_BENCH_REPEATS", "7"))
CASES = {
    "bare interpreter": "pass",
    "import skeptic": "import skeptic",
    "from skeptic import goodhart": "from skeptic import goodhart",
    "every facade": "from skeptic import goodhart, llc, mup, imitation, random_labels, simple_rl, superposition",
    "skeptic.study": "import skeptic.study",
    "goodhart.best_of_n (calculator)": "from skeptic import goodhart; goodhart.best_of_n",
    "get_study('goodhart')": "from skeptic.core.study import get_study; get_study('goodhart')",
    "skeptic.load_studies() (all nine)": "import skeptic; skeptic.load_studies()",
}


def wall(statement: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - t0


def main() -> None:
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(REPEATS):
        for name, statement in CASES.items():  # interleaved: each repeat sees the same load
            times[name].append(wall(statement))
    bare = times["bare interpreter"]
    print(f"{'case':40s} {'min':>7s} {'median':>7s} {'max':>7s}   median(case - bare)")
    for name, ts in times.items():
        added = statistics.median(t - b for t, b in zip(ts, bare, strict=True))
        print(f"{name:40s} {min(ts):7.3f} {statistics.median(ts):7.3f} {max(ts):7.3f}   {added:+.3f} s")


if __name__ == "__main__":
    main()
