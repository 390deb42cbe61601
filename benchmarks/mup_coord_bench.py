"""The μP coordinate check as whole processes: Skeptic's against Microsoft's ``mup.coord_check.get_coord_data``.

Same work on both sides: the MLP of the mup study (one-hot context of k = 4 characters, two hidden layers, μP
readout) at widths 64 … 1024 (base 32), 3 seeds, 3 steps of batch 1, SGD at lr 2⁻⁵ and Adam at lr 2⁻⁸, recording
every layer's output at steps 0 … 3. Skeptic: :func:`skeptic.studies.mup.nets.run_sweep` with ``coord_check=True``
(the call the study's coordinate check makes, one per width and optimizer, μP only). mup 1.0.0: ``get_coord_data``
on lazy ``nn.Linear`` models with ``MuReadout`` and ``set_base_shapes``, ``MuSGD``/``MuAdam``, its own
initialization and its forward hooks (it records the l1 size of each module's output; Skeptic the RMS and the RMS
of the change from step 0). Each run is a fresh interpreter (imports, corpus loading and set-up counted), the two
interleaved, one torch thread; each child also reports the CPU seconds of the coordinate check alone.
Run: ``PYTHONPATH=src python benchmarks/mup_coord_bench.py [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

WIDTHS = (64, 128, 256, 512, 1024)
BASE, SEEDS, STEPS, K = 32, (0, 1, 2), 3, 4
OPTIMIZERS = (("sgd", 2.0**-5), ("adam", 2.0**-8))


def skeptic_child() -> None:
    import torch

    from skeptic.studies.mup import nets
    from skeptic.studies.mup.data import load_corpus

    torch.set_num_threads(1)
    corpus = load_corpus()
    eval_at = nets.eval_starts(corpus, 512, K, 0)
    t0 = time.process_time()
    for opt, lr in OPTIMIZERS:
        for width in WIDTHS:
            s = nets.Sweep("mlp", width, BASE, "mup", opt, (lr,), SEEDS, STEPS, 1, K)  # type: ignore[arg-type]
            r = nets.run_sweep(corpus, s, eval_at, coord_check=True)
            assert r.deltas is not None
            print(opt, width, float(r.deltas[:, -1, -1].mean()))
    print(f"COMPUTE {time.process_time() - t0:.4f}")


def mup_child() -> None:
    import torch
    from mup import MuReadout, get_shapes, set_base_shapes
    from mup.coord_check import get_coord_data
    from torch import nn

    from skeptic.studies.mup import nets
    from skeptic.studies.mup.data import load_corpus, mlp_examples

    torch.set_num_threads(1)
    corpus = load_corpus()
    vocab = corpus.vocab_size

    class MLP(nn.Module):
        def __init__(self, width: int) -> None:
            super().__init__()
            self.U = nn.Linear(K * vocab, width, bias=False)
            self.W = nn.Linear(width, width, bias=False)
            self.V = MuReadout(width, vocab, bias=False)

        def forward(self, context: torch.Tensor) -> torch.Tensor:
            x = nn.functional.one_hot(context + vocab * torch.arange(K), K * vocab).sum(1).float()
            return self.V(torch.relu(self.W(torch.relu(self.U(x)))))  # type: ignore[no-any-return]

    base_shapes = get_shapes(MLP(BASE))  # once, not per model (the cheaper of mup's two documented forms)

    def lazy(width: int):  # type: ignore[no-untyped-def]
        def make() -> nn.Module:
            model: nn.Module = set_base_shapes(MLP(width), base_shapes)
            return model

        return make

    s = nets.Sweep("mlp", BASE, BASE, "mup", "sgd", (1.0,), (SEEDS[0],), STEPS, 1, K)
    batch = mlp_examples(corpus, nets.batch_starts(corpus, s, [SEEDS[0]], 0)[0], K)
    t0 = time.process_time()
    for opt, lr in OPTIMIZERS:
        df = get_coord_data(
            {w: lazy(w) for w in WIDTHS}, [batch], optimizer=opt, lr=lr, mup=True, nseeds=len(SEEDS),
            nsteps=STEPS, cuda=False, show_progress=False,
        )  # fmt: skip
        print(opt, len(df))
    print(f"COMPUTE {time.process_time() - t0:.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", choices=("skeptic", "mup"))
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    if args.child == "skeptic":
        return skeptic_child()
    if args.child == "mup":
        return mup_child()
    sys.path.insert(0, str(Path(__file__).parent))
    from _process import interleaved, report

    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    load = os.getloadavg()[0]
    sa, sb = interleaved([sys.executable, __file__, "--child", "skeptic"], [sys.executable, __file__, "--child", "mup"],
                         args.repeats, env)  # fmt: skip
    print(
        f"coordinate check, widths {WIDTHS}, {len(SEEDS)} seeds, {STEPS} steps, SGD + Adam; load average "
        f"{load:.1f} → {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores"
    )
    print(report("Skeptic", "mup get_coord_data", sa, sb))

    def compute(outs: list[str]) -> list[float]:
        return [float(next(ln for ln in o.splitlines() if ln.startswith("COMPUTE")).split()[1]) for o in outs]

    ca, cb = compute(sa.stdout), compute(sb.stdout)
    r = [b / a for a, b in zip(ca, cb, strict=True)]
    print(
        f"  the coordinate check alone (CPU s in process, imports and corpus excluded): Skeptic "
        f"{statistics.median(ca):.2f}, mup {statistics.median(cb):.2f}; ratio mup / Skeptic median "
        f"{statistics.median(r):.2f} (min {min(r):.2f}, max {max(r):.2f})"
    )


if __name__ == "__main__":
    main()
