"""Every trained net evaluated again, one net at a time in float64, apart from the batched trainer's evaluation.

The trainer evaluates all its nets at once (``nets.evaluate_examples``, float32, a stacked forward pass) and its
histories, times to fit, stops and per-example first-fit steps rest on that evaluation. Here each net's weights at
the evaluations where its history reached a milestone (and at the evaluation before each; ``TrainResult.snapshots``)
are evaluated again on the same examples by separate code: a NumPy float64 forward pass for MLPs, an ordinary
per-net ``nn.Sequential`` in float64 for the CNN, and per-example correctness and cross-entropy written out. The
``evaluations-recomputed`` probe compares the two. A per-example statistic averaged over the wrong axis, a wrong
label array, or an accuracy taken from another net shows as a history value that this evaluation does not give.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from skeptic.studies.random_labels import nets

TIE = 1e-4
"""An example whose two largest float64 logits are closer than this (relative to the largest logit's size, at least
1) may be classified either way by a float32 forward pass: it is counted as a tie, not as a disagreement."""


def logits64(arch: nets.Arch, params: dict[str, torch.Tensor], X: np.ndarray) -> np.ndarray:
    """One net's logits ``[N, K]`` in float64: MLP layers written out in NumPy (weights stored ``[d_in, d_out]``);
    the CNN as a plain ``nn.Sequential`` of ``nn.Conv2d``/``nn.MaxPool2d``/``nn.Linear`` converted to float64."""
    if arch.kind == "mlp":
        h = X.astype(np.float64)
        n_layers = len(arch.hidden) + 1
        for i in range(1, n_layers + 1):
            h = h @ params[f"W{i}"].double().numpy() + params[f"b{i}"].double().numpy()
            if i < n_layers:
                h = np.maximum(h, 0.0)
        return np.asarray(h)
    module = nets.to_module(arch, {k: v.unsqueeze(0) for k, v in params.items()}, 0).double()
    with torch.no_grad():
        return np.asarray(module(torch.from_numpy(X.astype(np.float64))).numpy())


def per_example(z: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Correctness, near-ties and cross-entropy of every example from its float64 logits."""
    n = len(y)
    top = np.sort(z, axis=1)
    gap = top[:, -1] - top[:, -2]
    tie = gap <= TIE * np.maximum(1.0, np.abs(top[:, -1]))
    hit = z.argmax(1) == y
    shifted = z - top[:, -1:]
    ce = np.log(np.exp(shifted).sum(1)) - shifted[np.arange(n), y]
    return {"hit": hit, "tie": tie, "ce": ce}


def reevaluate(
    arch: nets.Arch,
    result: nets.TrainResult,
    X: list[np.ndarray],
    y: list[np.ndarray],
    X_test: list[np.ndarray] | None = None,
    y_test: np.ndarray | None = None,
) -> list[list[dict[str, Any]]]:
    """Per net, one record per snapshot step (ascending): the history's accuracy and loss at that step, the float64
    evaluation's hits, near-ties and mean loss there, and how many examples contradict the trainer's first-fit steps
    (hit at the step but first fit later or never; first fit at the step but not hit then; near-ties excused). At
    the net's last step also its float64 test hits and ties, when test inputs are given."""
    out: list[list[dict[str, Any]]] = []
    fc = result.first_correct
    for m, h in enumerate(result.histories):
        recs: list[dict[str, Any]] = []
        at = dict(zip(h.steps, zip(h.acc, h.loss, strict=True), strict=True))
        for step, params in sorted(result.snapshots.get(m, {}).items()):
            if not all(bool(torch.isfinite(v).all()) for v in params.values()):
                recs.append({"step": step, "finite": False})  # a diverged net: nothing to evaluate
                continue
            ev = per_example(logits64(arch, params, X[m]), y[m])
            acc, loss = at.get(step, (None, None))
            rec: dict[str, Any] = {"step": step, "acc": acc, "loss": loss, "n": len(y[m]),
                                   "hits64": int(ev["hit"].sum()), "ties64": int(ev["tie"].sum()),
                                   "loss64": float(ev["ce"].mean())}  # fmt: skip
            if fc is not None:
                first = fc[m].numpy()
                firm = ~ev["tie"]
                late = firm & ev["hit"] & ((first < 0) | (first > step))
                missed = firm & ~ev["hit"] & (first == step)
                rec["first_fit_contradictions"] = int(late.sum() + missed.sum())
            if X_test is not None and y_test is not None and step == h.final_step:
                te = per_example(logits64(arch, params, X_test[m]), y_test)
                rec |= {"test_hits64": int(te["hit"].sum()), "test_ties64": int(te["tie"].sum()), "n_test": len(y_test)}
            recs.append(rec)
        out.append(recs)
    return out
