"""Cross-check, outside CI, of the mup study's deep-linear learning-rate transfer against Microsoft's ``mup``.

Issue 33 reports that a deep linear network run with Microsoft's mup shows learning-rate transfer: the optimum moving
−0.16 log₂ per doubling of width under μP against −1.20 under SP. This script sweeps the learning rate of the study's
deep linear network (one-hot context of k = 4 characters, U → W → V with no nonlinearity and no biases) at the
``quick`` preset's sizes (widths 16 … 128, base 16, 5 seeds of 60 steps of batch 32, 256 held-out windows) three
ways, and reads each sweep with the study's own estimator (:func:`skeptic.studies.mup.claims.shift_per_doubling`:
the parabola-refined optimum per seed and width, its slope on log₂ width, a t-interval over seeds):

* ``skeptic``: the study's batched trainer (:func:`skeptic.studies.mup.nets.run_sweep`, every rate and seed of a
  width stacked), what the claims ``*-optimum-*-linear-adam`` read;
* ``mup-paired``: every cell trained alone by :func:`skeptic.studies.mup.crosscheck.reference_sweep_cell`: μP with
  mup's ``MuReadout``, ``set_base_shapes`` and ``MuAdam``/``MuSGD``, SP with ``nn.Linear`` and ``torch.optim``, from
  the study's draws and batches (a paired replica: it must give the same losses up to float rounding);
* ``mup-own-init``: mup's own recipe with nothing of the study's but the data: ``nn.Linear`` layers with PyTorch's
  default initialization (seeded by ``torch.manual_seed``), ``MuReadout`` and ``set_base_shapes`` (which rescales
  the readout), ``MuAdam``/``MuSGD``; SP with an ``nn.Linear`` readout and ``torch.optim``. The same batches and
  held-out windows, so only the implementation and the initialization differ.

Run: ``PYTHONPATH=src OMP_NUM_THREADS=1 python benchmarks/mup_deep_linear_transfer.py [--optimizers adam,sgd]``.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812 (the PyTorch convention)
from torch import nn

from skeptic.studies.mup import crosscheck, nets
from skeptic.studies.mup.claims import shift_per_doubling
from skeptic.studies.mup.config import PRESETS
from skeptic.studies.mup.data import Corpus, load_corpus, mlp_examples
from skeptic.studies.mup.param import PARAMETRIZATIONS, Optimizer, Parametrization

C = PRESETS["quick"]
SEEDS = [1, 2, 3, 4, 5]
"""Training seeds of this cross-check (any small integers: the study's own runs name theirs from the run seed)."""
EVAL_SEED = 7


def own_init_cell(
    corpus: Corpus, opt: Optimizer, param: Parametrization, width: int, log2_lr: float, seed: int, eval_at: torch.Tensor
) -> float:
    """One cell trained by mup's own recipe (see the module docstring); its held-out cross-entropy."""
    from mup import MuAdam, MuReadout, MuSGD, set_base_shapes

    k, vocab, lr = C.mlp_context, corpus.vocab_size, 2.0**log2_lr

    def build(n: int) -> crosscheck.RefMLP:
        readout = MuReadout(n, vocab, bias=False) if param == "mup" else nn.Linear(n, vocab, bias=False)
        return crosscheck.RefMLP(n, k, vocab, readout, linear=True)

    torch.manual_seed(nets._named_seed(seed, "own-init", width))  # PyTorch-default init, one stream per (seed, width)
    model = build(width)
    optim: torch.optim.Optimizer
    if param == "mup":
        set_base_shapes(model, build(C.base_width))
        optim = MuSGD(model.parameters(), lr=lr) if opt == "sgd" else MuAdam(model.parameters(), lr=lr)
    else:
        optim = (
            torch.optim.SGD(model.parameters(), lr=lr) if opt == "sgd" else torch.optim.Adam(model.parameters(), lr=lr)
        )
    sweep = nets.Sweep("mlp", width, C.base_width, param, opt, (lr,), (seed,), C.mlp_steps, C.mlp_batch_size, k)
    for step in range(C.mlp_steps):
        x, y = mlp_examples(corpus, nets.batch_starts(corpus, sweep, [seed], step)[0], k)
        optim.zero_grad()
        F.cross_entropy(model(x)[-1], y).backward()  # type: ignore[no-untyped-call]
        optim.step()
    with torch.no_grad():
        x, y = mlp_examples(corpus, eval_at, k)
        return float(F.cross_entropy(model(x)[-1], y))


def cell(
    corpus: Corpus, opt: Optimizer, param: Parametrization, width: int, x: float, seed: int, ev: torch.Tensor, arm: str
) -> float:
    """One cell trained alone: the paired mup replica (the study's draws) or mup's own recipe."""
    if arm == "mup-paired":
        return crosscheck.reference_sweep_cell(
            corpus, opt, param, width, C.base_width, x, seed, C.mlp_steps, C.mlp_batch_size, C.mlp_context, ev,
            use_mup=True, linear=True,
        )  # fmt: skip
    return own_init_cell(corpus, opt, param, width, x, seed, ev)


def sweep(corpus: Corpus, opt: Optimizer, arm: str, eval_at: torch.Tensor) -> list[dict[str, Any]]:
    """Sweep records in the study's shape (``loss[i][j]``: rate i, seed j; non-finite as +inf)."""
    lrs = C.sgd_log2_lrs if opt == "sgd" else C.linear_grid()
    rows = []
    for width in C.mlp_widths:
        for param in PARAMETRIZATIONS:
            if arm == "skeptic":
                s = nets.Sweep(
                    "mlp", width, C.base_width, param, opt, tuple(2.0**x for x in lrs), tuple(SEEDS), C.mlp_steps,
                    C.mlp_batch_size, C.mlp_context, nonlinearity="linear",
                )  # fmt: skip
                loss = nets.run_sweep(corpus, s, eval_at).eval_loss.view(len(lrs), len(SEEDS)).tolist()
            else:
                loss = [[cell(corpus, opt, param, width, x, seed, eval_at, arm) for seed in SEEDS] for x in lrs]
            loss = [[v if v == v and abs(v) != float("inf") else float("inf") for v in row] for row in loss]
            rows.append({"model": "linear", "optimizer": opt, "param": param, "width": width, "log2_lrs": list(lrs),
                         "seeds": SEEDS, "loss": loss})  # fmt: skip
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--optimizers", default="adam,sgd")
    ap.add_argument("--arms", default="skeptic,mup-paired,mup-own-init")
    ap.add_argument("--json", help="write every sweep and shift here")
    a = ap.parse_args()
    torch.set_num_threads(1)
    corpus = load_corpus()
    eval_at = nets.eval_starts(corpus, C.eval_windows, C.mlp_context, EVAL_SEED)
    out: dict[str, Any] = {}
    for opt in a.optimizers.split(","):
        for arm in a.arms.split(","):
            t0 = time.process_time()
            rows = sweep(corpus, opt, arm, eval_at)
            cpu = time.process_time() - t0
            m = {"sweeps": rows}
            shifts = {p: shift_per_doubling("linear", opt, p)(m) for p in PARAMETRIZATIONS}
            out[f"{opt}/{arm}"] = {"rows": rows, "cpu_s": cpu, **{p: str(e) for p, e in shifts.items()}}
            print(
                f"{opt:4s} {arm:13s} SP {shifts['sp'].value:+.3f} [{shifts['sp'].lo:+.3f}, {shifts['sp'].hi:+.3f}]  "
                f"μP {shifts['mup'].value:+.3f} [{shifts['mup'].lo:+.3f}, {shifts['mup'].hi:+.3f}] log₂ per "
                f"doubling  ({cpu:.1f} CPU s)",
                flush=True,
            )
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f)


if __name__ == "__main__":
    main()
