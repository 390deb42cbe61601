"""llc's SGLD chains: the stacked path (each model's own forward on the (chains × parameters) tensors) against the
generic ``vmap`` path, per model family, and the study's ``quick`` run as whole processes against older code.

The stacked path was measured and not merged (issue 36; README, performance, llc): bit-identical, 1.4–1.6× on the
minibatch families' chains, but 1.17–1.20× on the whole ``quick`` run, under the 1.3× its complication had to pay.
It is commit f002cc2 of branch ``llp14``; to rerun the per-family mode, put that commit's ``src`` on ``PYTHONPATH``
(``git archive f002cc2 src | tar -x -C /tmp/stacked``), and for the whole run pass ``--new-src /tmp/stacked/src``.

Per family (default): ``estimator.sgld_chains`` with ``path="vmap"`` and ``path="stacked"`` in turn (A B A B ...,
one warm-up each, in one process on one torch thread), CPU seconds of each call (``time.process_time``); prints the
ratio vmap / stacked per interleaved pair as min / median / max, and whether the two paths' traces are bit-identical.
Settings as in ``quick``: 6 chains, minibatch 256 of n = 5,000, MALA every 10 steps; the twins full batch with 12
chains (three step sizes × 4), as the study runs them. Both paths use this code's minibatch gather (``index_select``),
so the ratio is the loss evaluation's alone.

Whole run (``--whole-run OLD_SRC``): ``python -m skeptic run llc --preset quick --force`` with ``PYTHONPATH`` at
OLD_SRC (e.g. a ``git archive`` of main's ``src``) and at this checkout's ``src``, as fresh interleaved processes
(``_process.interleaved``), each with its own throw-away store; CPU seconds from the kernel's accounting.

Run: ``PYTHONPATH=SRC OMP_NUM_THREADS=1 python benchmarks/llc_sgld_paths.py [--repeats 5] [--whole-run OLD_SRC
[--new-src NEW_SRC]]``.
"""

from __future__ import annotations

import argparse
import inspect
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

N, CHAINS, BATCH, STEPS, TWIN_STEPS = 5000, 6, 256, 300, 100


def _families() -> dict[str, tuple[Any, tuple[Any, ...], int, int]]:
    """name → (model, data, chains, batch size): the study's families at ``quick``'s sizes."""
    import torch

    from skeptic.studies.llc import activations, experiments, models, tms, twins

    g = torch.Generator().manual_seed(0)
    out: dict[str, tuple[Any, tuple[Any, ...], int, int]] = {}
    for name, p in (
        ("linear 4→3, noisy", models.regular_problem(4, 3, N, g, noise=True)),
        ("normal crossing x·w1·w2^3", models.normal_crossing_problem((1, 3), N, g)),
        ("RRR 5-3-5", experiments.build_problem("dln", (5, 3, 5), 1, N, g)),
        ("DLN 5-4-3-5", experiments.build_problem("dln", (5, 4, 3, 5), 2, N, g)),
    ):
        out[name] = (p.model, p.data, CHAINS, BATCH)
    x, _ = tms.sample(N, g)
    k = tms.optimal_kgon(5)
    out["TMS 5-gon"] = (tms.TMS(k["w"].float(), k["b"].float()), (x, x), CHAINS, BATCH)
    teacher = twins.teacher(3, 1.0, g)
    xt = torch.randn(N, twins.INPUTS, generator=g).double()
    for act in ("relu", "gelu"):
        twin = twins.TwinNet(*teacher, act=act)
        with torch.no_grad():
            out[f"twin {act} (full batch)"] = (twin, (xt, twin(xt)), 12, N)
    xm = torch.randn(N, 2, generator=g)
    w1, w2 = torch.randn(6, 2, generator=g), torch.randn(1, 6, generator=g) / 6**0.5
    mlp = activations.MLP(w1, torch.zeros(6), w2, torch.zeros(1), act="gelu")
    out["MLP 2-6-1 gelu"] = (mlp, (xm, xm[:, :1] ** 2), CHAINS, BATCH)
    return out


def families(repeats: int) -> None:
    import numpy as np
    import torch

    from skeptic.studies.llc import estimator
    from skeptic.studies.llc.models import gaussian_nll

    if "path" not in inspect.signature(estimator.sgld_chains).parameters:
        sys.exit(
            "this src's sgld_chains has no stacked path (issue 36's finding: it was not merged); run with "
            "PYTHONPATH at the tree of commit f002cc2 (git archive f002cc2 src | tar -x -C /tmp/stacked)"
        )
    torch.set_num_threads(1)
    print(f"per family: {STEPS} steps ({TWIN_STEPS} for the twins), {repeats} interleaved pairs, 1 torch thread")

    def run(model: Any, data: tuple[Any, ...], batch: int, kw: dict[str, Any], path: str) -> tuple[float, Any]:
        t0 = time.process_time()
        traces, _ = estimator.sgld_chains(
            model, gaussian_nll, data, num_steps=TWIN_STEPS if batch >= N else STEPS, batch_size=batch,
            generator=torch.Generator().manual_seed(0), path=path, **kw,  # type: ignore[arg-type]
        )  # fmt: skip
        return time.process_time() - t0, traces

    nb = estimator.default_nbeta(N)
    for name, (model, data, chains, batch) in _families().items():
        eps = torch.full((chains,), 0.1 / nb, dtype=torch.float64)
        kw = {"epsilon": eps, "nbeta": torch.full_like(eps, nb), "gamma": torch.full_like(eps, 10.0)}
        args = (model, data, batch, kw)
        run(*args, "vmap"), run(*args, "stacked")  # warm-up
        ratios, old, new, same = [], [], [], True
        for _ in range(repeats):
            (a, ta), (b, tb) = run(*args, "vmap"), run(*args, "stacked")
            old.append(a)
            new.append(b)
            ratios.append(a / b)
            same = same and bool(np.array_equal(ta, tb))
        print(
            f"  {name:28s} vmap {statistics.median(old):.3f} s, stacked {statistics.median(new):.3f} s; "
            f"vmap/stacked min {min(ratios):.2f} median {statistics.median(ratios):.2f} max {max(ratios):.2f}; "
            f"traces bit-identical: {same}",
            flush=True,
        )


def whole_run(old_src: str, new_src: str, repeats: int) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from _process import interleaved, report

    with tempfile.TemporaryDirectory() as tmp:

        def cmd(src: str, tag: str) -> list[str]:
            # PYTHONPATH per side through a wrapper: the two sides differ only in which src is imported
            return ["env", f"PYTHONPATH={src}", sys.executable, "-m", "skeptic", "run", "llc", "--preset", "quick",
                    "--force", "--store", str(Path(tmp) / tag)]  # fmt: skip

        env = {**os.environ, "OMP_NUM_THREADS": "1", "TQDM_DISABLE": "1"}
        load = os.getloadavg()[0]
        ra, rb = interleaved(cmd(new_src, "new"), cmd(old_src, "old"), repeats, env, warmup=0)
        print(f"llc quick, whole processes; load average {load:.1f} → {os.getloadavg()[0]:.1f}")
        print(f"new src {new_src}, old src {old_src}")
        print(report("new src", "old src", ra, rb), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--whole-run", metavar="OLD_SRC", help="time `skeptic run llc --preset quick` against OLD_SRC")
    ap.add_argument(
        "--new-src", default=str(Path(__file__).resolve().parents[1] / "src"), help="default: this checkout"
    )
    args = ap.parse_args()
    if args.whole_run:
        whole_run(args.whole_run, args.new_src, args.repeats)
    else:
        families(args.repeats)


if __name__ == "__main__":
    main()
