"""Figures and tables of the mup study, drawn from the stored measurements only."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import FuncFormatter, NullFormatter

from skeptic.studies.mup.claims import _name, expected_exponents, optima, sweep_rows, width_slopes
from skeptic.studies.mup.experiment import COMBOS, SWEEPS
from skeptic.studies.mup.experiments import measured_exponents
from skeptic.study import Figure, Table

PARAM_LABEL = {"sp": "standard parametrization (SP)", "mup": "μP"}
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _width_axis(ax: Axes, widths: list[int]) -> None:
    """Log₂ width axis labelled with the widths themselves, as plain text.

    Matplotlib's default log-axis labels are mathtext, whose parser costs ~0.6 s of CPU to build per process.
    """
    ax.set_xscale("log", base=2)
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.xaxis.set_minor_formatter(NullFormatter())


def _decade(v: float, _: object) -> str:
    e = round(float(np.log10(v))) if v > 0 else 0
    return f"10{str(e).translate(_SUPERSCRIPT)}" if v > 0 and abs(np.log10(v) - e) < 1e-9 else ""


def _log_y_axis(ax: Axes) -> None:
    """Log₁₀ y axis with decades labelled 10ⁿ in plain text (no mathtext; see :func:`_width_axis`)."""
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(_decade))
    ax.yaxis.set_minor_formatter(NullFormatter())


def lr_transfer(m: dict[str, Any]) -> Figure:
    fig = MplFigure(figsize=(10, 3.2 * len(SWEEPS)), layout="constrained")
    axes = fig.subplots(len(SWEEPS), 2, squeeze=False)
    for row, (model, opt) in enumerate(SWEEPS):
        for col, param in enumerate(("sp", "mup")):
            ax = axes[row][col]
            rows = sweep_rows(m, model, opt, param)
            cmap = colormaps["viridis"]
            for i, r in enumerate(rows):
                loss = np.asarray(r["loss"], dtype=float)
                loss = np.where(np.isfinite(loss), loss, np.nan)
                mean = np.nanmean(loss, axis=1)
                color = cmap(i / max(1, len(rows) - 1))
                ax.plot(r["log2_lrs"], mean, "o-", ms=3, color=color, label=f"width {r['width']}")
                j = int(np.nanargmin(mean))
                ax.plot(r["log2_lrs"][j], mean[j], "*", ms=11, color=color, mec="k", mew=0.5)
            top = min(
                np.nanmax(
                    [
                        np.nanmean(
                            np.where(
                                np.isfinite(np.asarray(r["init_loss"], dtype=float)),
                                np.asarray(r["init_loss"], dtype=float),
                                np.nan,
                            )
                        )
                        for r in rows
                    ]
                )
                + 0.3,
                6.0,
            )
            ax.set_ylim(top=top)
            ax.set_xlabel("log₂ learning rate")
            ax.set_ylabel("held-out loss (nats per character)")
            ax.set_title(f"{_name(model, opt)}: {PARAM_LABEL[param]}", fontsize=10)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7, frameon=False)
    return Figure(
        "lr-transfer",
        "Held-out loss after training against the learning rate, one curve per width (TP5 Figures 1 and 3; the last "
        "row is the deep linear network of the toy derivation). Stars mark each width's best rate. Left (SP): the "
        "stars move left as the network widens, so a rate tuned on the narrow model is wrong for the wide one. "
        "Right (μP): the stars stay put and the wider curves lie below the narrower ones. Diverged runs are left "
        "out.",
        fig,
    )


def optimum_vs_width(m: dict[str, Any]) -> Figure:
    fig = MplFigure(figsize=(13, 3.4), layout="constrained")
    axes = fig.subplots(1, len(SWEEPS), squeeze=False)[0]
    for ax, (model, opt) in zip(axes, SWEEPS, strict=True):
        for param, color in (("sp", "#d62728"), ("mup", "#1f77b4")):
            rows = sweep_rows(m, model, opt, param)
            widths = [r["width"] for r in rows]
            o = optima(m, model, opt, param)
            for seed_row in o:
                ax.plot(widths, seed_row, "-", color=color, alpha=0.3, lw=0.8)
            ax.plot(widths, o.mean(0), "o-", color=color, label=PARAM_LABEL[param])
        _width_axis(ax, widths)
        ax.set_xlabel("width (log₂ scale)")
        ax.set_ylabel("best log₂ learning rate")
        ax.set_title(_name(model, opt), fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, frameon=False)
    return Figure(
        "optimum-vs-width",
        "The best learning rate (parabola-refined on the grid) against width; thin lines are single seeds. A flat "
        "line means the rate transfers. Under SP (red) it falls as the width grows; under μP (blue) it should stay "
        "level. The slope of each line, in log₂ units per doubling, is what the claims judge.",
        fig,
    )


def coord_check(m: dict[str, Any]) -> Figure:
    fig = MplFigure(figsize=(10, 3.2 * len(COMBOS)), layout="constrained")
    axes = fig.subplots(len(COMBOS), 2, squeeze=False, sharey="row")
    for row, (model, opt) in enumerate(COMBOS):
        rows = [r for r in m["coord"] if r["model"] == model and r["optimizer"] == opt]
        for col, param in enumerate(("sp", "mup")):
            ax = axes[row][col]
            rs = sorted((r for r in rows if r["param"] == param), key=lambda r: r["width"])
            widths = [r["width"] for r in rs]
            for li, layer in enumerate(rs[0]["layers"]):
                d = [float(np.mean([seed[-1][li] for seed in r["deltas"]])) for r in rs]
                ax.plot(widths, d, "o-", label=layer)
            _width_axis(ax, widths)
            _log_y_axis(ax)
            ax.set_xlabel("width (log₂ scale)")
            ax.set_ylabel(f"RMS change after {len(rs[0]['deltas'][0]) - 1} steps")
            ax.set_title(f"{_name(model, opt)}: {PARAM_LABEL[param]}", fontsize=10)
            ax.grid(alpha=0.3, which="both")
            ax.legend(fontsize=7, frameon=False)
    return Figure(
        "coord-check",
        "Coordinate check: how much each layer's activations (per coordinate, root mean square) change in the first "
        "few steps, against width, log-log. Under μP (right) every line should be flat; under SP (left) the hidden "
        "layer and the logits grow with width, which is why a wide SP network needs a smaller learning rate.",
        fig,
    )


def exponent_figure(m: dict[str, Any]) -> Figure:
    fig = MplFigure(figsize=(10, 3.6), layout="constrained")
    ax = fig.add_subplot()
    labels, derived = [], []
    series: dict[str, list[tuple[float, float]]] = {"coord": [], "linear": []}
    for opt in ("sgd", "adam"):
        for key in ("coord", "linear"):
            rows = [r for r in m[key] if r["model"] == "mlp" and r["optimizer"] == opt]
            ex = measured_exponents(rows, 1)
            for param in ("sp", "mup"):
                for v in ex[param].values():
                    series[key].append((float(np.mean(v)), float(np.std(v))))
        widths = sorted({r["width"] for r in m["coord"] if r["model"] == "mlp"})
        for param in ("sp", "mup"):
            for layer, d in zip(
                ("input", "hidden", "logits"), expected_exponents(param, opt, widths, m["vocab_size"]), strict=True
            ):
                labels.append(f"{'μP' if param == 'mup' else 'SP'}/{opt}\n{layer}")
                derived.append(d)
    x = np.arange(len(labels))
    ax.bar(x, derived, width=0.6, color="#cccccc", label="derived (deep linear, one step)")
    for key, dx, color, name in (
        ("linear", -0.12, "#2ca02c", "measured: deep linear"),
        ("coord", 0.12, "#d62728", "measured: ReLU MLP"),
    ):
        arr = np.array(series[key])
        ax.errorbar(x + dx, arr[:, 0], yerr=arr[:, 1], fmt="o", color=color, ms=4, label=name)
    ax.set_xticks(x, labels, fontsize=7)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_ylabel("width exponent e of |Δh| ∝ nᵉ")
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3, axis="y")
    return Figure(
        "exponents",
        "Measured against derived width exponents of each layer's change after one step (bars: the deep-linear "
        "derivation; green: the deep linear network itself; red: a ReLU MLP; error bars: SD over seeds). μP's "
        "exponents are all 0 by design; SP's are positive for the hidden layer and logits. Where red sits on the bar, "
        "the toy derivation explains the real network's scaling.",
        fig,
    )


def make_figures(m: dict[str, Any]) -> list[Figure]:
    return [lr_transfer(m), optimum_vs_width(m), coord_check(m), exponent_figure(m)]


def make_tables(m: dict[str, Any]) -> list[Table]:
    rows = []
    for model, opt in SWEEPS:
        for param in ("sp", "mup"):
            rs = sweep_rows(m, model, opt, param)
            o = optima(m, model, opt, param).mean(0)
            for r, best in zip(rs, o, strict=True):
                mean = np.nanmean(
                    np.where(
                        np.isfinite(np.asarray(r["loss"], dtype=float)), np.asarray(r["loss"], dtype=float), np.nan
                    ),
                    axis=1,
                )
                rows.append(
                    {
                        "model": model,
                        "optimizer": opt,
                        "parametrization": param,
                        "width": r["width"],
                        "best log2 lr (mean over seeds)": round(float(best), 2),
                        "best loss (nats)": round(float(np.nanmin(mean)), 4),
                    }
                )
    cc = [
        {
            "optimizer": r["optimizer"],
            "width": r["width"],
            "reference": r["reference"],
            "largest relative difference": f"{max(_gap(r, 'sizes'), _gap(r, 'deltas')):.2g}",
        }
        for r in m["crosscheck"]
    ]
    wider = [
        {
            "model": model,
            "optimizer": opt,
            "parametrization": param,
            "log2 lr": lr,
            "loss slope per doubling of width (nats)": round(e.value, 4),
            "95% interval": f"[{e.lo:.3f}, {e.hi:.3f}]",
        }
        for model, opt in SWEEPS
        for param in ("sp", "mup")
        for lr, e in width_slopes(m, model, opt, param)
    ]
    return [
        Table("optima", "Best learning rate and loss per width (the numbers behind the transfer figures).", rows),
        Table(
            "wider",
            "Wider is better? Per sweep and learning rate at which every width trained, the slope of held-out loss on "
            "log₂ width (negative: wider is better), mean and t-interval over seeds. The MLP with SGD's μP rows are "
            "a described measurement, not a claim: without μP's rule it is not worse with width at these rates "
            "either.",
            wider,
            True,
        ),
        Table("crosscheck", "Skeptic's μP MLP against the independent reference, same draws and batches.", cc, True),
    ]


def _gap(r: dict[str, Any], key: str) -> float:
    a, b = np.asarray(r[f"ours_{key}"], dtype=float), np.asarray(r[key], dtype=float)
    return float(np.max(np.abs(a - b) / (np.abs(b) + 1e-6)))
