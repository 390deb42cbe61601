"""The study's experiments, each returning JSON-able records: learning-rate sweeps and coordinate checks.

Every sweep is one batched computation per (width, parametrization, optimizer) over learning rates × seeds
(:func:`skeptic.studies.mup.nets.run_sweep`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from skeptic.studies.mup import exponents, nets
from skeptic.studies.mup.data import Corpus
from skeptic.studies.mup.param import PARAMETRIZATIONS, Optimizer, Parametrization

Tick = Callable[[float], None]


def _noop(_: float = 1) -> None:
    return None


def _other(param: Parametrization) -> Parametrization:
    """SP for μP and μP for SP: whose learning-rate multipliers the ``swapped`` contrast uses."""
    return "sp" if param == "mup" else "mup"


def lr_sweep(
    corpus: Corpus,
    model: Literal["mlp", "transformer"],
    optimizer: Optimizer,
    widths: list[int],
    base_width: int,
    log2_lrs: list[float],
    seeds: list[int],
    steps: int,
    batch_size: int,
    context: int,
    eval_at: Any,
    n_layers: int = 2,
    n_heads: int = 4,
    device: str = "cpu",
    tick: Tick = _noop,
    swap_lr: bool = False,
    nonlinearity: nets.Nonlinearity = "relu",
    mup_as: Parametrization = "mup",
    sp_as: Parametrization = "sp",
) -> list[dict[str, Any]]:
    """Held-out loss after ``steps`` steps for every width, parametrization, learning rate and seed.

    ``mup_as="sp"``: the rows labelled μP are trained in SP (the study's ``mup_arm`` contrast, μP absent);
    ``sp_as="mup"``: the rows labelled SP are trained in μP (``sp_arm``, SP absent).

    One record per (width, parametrization): ``loss[i][j]`` is learning rate 2^log2_lrs[i], seed j (NaN or inf
    where training diverged), and ``train_loss`` the mean training loss of the last tenth of the steps. The MLP with
    ``nonlinearity="linear"`` is the deep linear network of the toy derivation; its records say ``model: "linear"``,
    so that no reader of the ReLU MLP's rows picks them up.
    """
    rows = []
    for width in widths:
        for param in PARAMETRIZATIONS:
            s = nets.Sweep(
                model,
                width,
                base_width,
                mup_as if param == "mup" else sp_as,
                optimizer,
                tuple(2.0**x for x in log2_lrs),
                tuple(seeds),
                steps,
                batch_size,
                context,
                n_layers,
                n_heads,
                nonlinearity,
                lr_param=_other(param) if swap_lr else None,
            )
            r = nets.run_sweep(corpus, s, eval_at, device=device)
            shape = (len(log2_lrs), len(seeds))
            tail = r.train_loss[:, -max(1, steps // 10) :].mean(1)
            rows.append(
                {
                    "model": "linear" if nonlinearity == "linear" else model,
                    "nonlinearity": nonlinearity if model == "mlp" else None,
                    "optimizer": optimizer,
                    "param": param,
                    "width": width,
                    "log2_lrs": list(log2_lrs),
                    "seeds": list(seeds),
                    "loss": _clean(r.eval_loss.view(shape).tolist()),
                    "train_loss": _clean(tail.view(shape).tolist()),
                    "init_loss": _clean(r.train_loss[:, 0].view(shape).tolist()),
                    "shapes": r.shapes,
                }
            )
            tick(1)
    return rows


def _clean(x: list[list[float]]) -> list[list[float]]:
    """NaN (a diverged run) as +inf, so that JSON round-trips and argmin skips it."""
    return [[v if math.isfinite(v) else math.inf for v in row] for row in x]


def coord_check(
    corpus: Corpus,
    model: Literal["mlp", "transformer"],
    optimizer: Optimizer,
    widths: list[int],
    base_width: int,
    log2_lr: float,
    seeds: list[int],
    steps: int,
    batch_size: int,
    context: int,
    eval_at: Any,
    nonlinearity: nets.Nonlinearity = "relu",
    n_layers: int = 2,
    n_heads: int = 4,
    device: str = "cpu",
    tick: Tick = _noop,
    swap_lr: bool = False,
) -> list[dict[str, Any]]:
    """Activation sizes (RMS per coordinate) at steps 0…T, and of their change from step 0, against width.

    One record per (width, parametrization): ``sizes[j][t][l]``, ``deltas[j][t][l]`` for seed j, step t, layer l.
    """
    layers = nets.MLP_LAYERS if model == "mlp" else nets.TRANSFORMER_LAYERS
    rows = []
    for width in widths:
        for param in PARAMETRIZATIONS:
            s = nets.Sweep(
                model,
                width,
                base_width,
                param,
                optimizer,
                (2.0**log2_lr,),
                tuple(seeds),
                steps,
                batch_size,
                context,
                n_layers,
                n_heads,
                nonlinearity,
                lr_param=_other(param) if swap_lr else None,
            )
            r = nets.run_sweep(corpus, s, eval_at, coord_check=True, device=device)
            assert r.sizes is not None and r.deltas is not None
            rows.append(
                {
                    "model": model,
                    "optimizer": optimizer,
                    "nonlinearity": nonlinearity,
                    "param": param,
                    "width": width,
                    "log2_lr": log2_lr,
                    "steps": s.steps,
                    "batch_size": s.batch_size,
                    "probe_shape": r.probe_shape,
                    "layers": list(layers),
                    "sizes": r.sizes.tolist(),
                    "deltas": r.deltas.tolist(),
                    "shapes": r.shapes,
                }
            )
            tick(1)
    return rows


def measured_exponents(rows: list[dict[str, Any]], step: int) -> dict[str, dict[str, list[float]]]:
    """Per parametrization and layer, the width exponent of |Δh| at ``step``, one value per seed."""
    out: dict[str, dict[str, list[float]]] = {}
    for param in PARAMETRIZATIONS:
        rs = sorted((r for r in rows if r["param"] == param), key=lambda r: r["width"])
        if not rs:
            continue
        widths = [r["width"] for r in rs]
        n_seeds = len(rs[0]["deltas"])
        out[param] = {
            layer: [exponents.loglog_slope(widths, [r["deltas"][j][step][li] for r in rs]) for j in range(n_seeds)]
            for li, layer in enumerate(rs[0]["layers"])
        }
    return out


def optimum(log2_lrs: list[float], losses: list[float], half_window: int = 2) -> tuple[float, bool]:
    """The loss-minimizing log₂ learning rate: the vertex of a least-squares parabola through the best grid point
    and up to ``half_window`` finite neighbours on each side, clipped to that window.

    Returns (log₂ η*, at_edge): at the edge of the grid there is no bracket, and the grid point itself is returned.
    Using five points rather than three averages out the loss noise that makes a flat valley's argmin jump.
    """
    x = np.asarray(log2_lrs, dtype=float)
    y = np.asarray(losses, dtype=float)
    y = np.where(np.isfinite(y), y, np.inf)
    i = int(np.argmin(y))
    if i == 0 or i == len(y) - 1:
        return float(x[i]), True
    lo, hi = max(0, i - half_window), min(len(y), i + half_window + 1)
    xs, ys = x[lo:hi], y[lo:hi]
    keep = np.isfinite(ys)
    xs, ys = xs[keep], ys[keep]
    if len(xs) < 3:
        return float(x[i]), False
    a, b, _ = np.polyfit(xs, ys, 2)
    if a <= 0:
        return float(x[i]), False
    return float(np.clip(-b / (2 * a), xs.min(), xs.max())), False
