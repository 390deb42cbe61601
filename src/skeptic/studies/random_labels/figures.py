"""Figures and tables of the random-labels study, drawn from the stored measurements only."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
from matplotlib.figure import Figure as MplFigure

from skeptic.studies.random_labels.claims import (
    _label_sweep,
    _main,
    _ratio_by_seed,
    slowdown_by_accuracy,
    slowdown_by_loss,
)
from skeptic.studies.random_labels.config import RandomLabelsConfig
from skeptic.study import Figure, Table, describe_measured

COLORS = {
    "true_labels": "#1f77b4",
    "shuffled_pixels": "#2ca02c",
    "random_pixels": "#ff7f0e",
    "gaussian": "#9467bd",
    "random_labels": "#d62728",
}
LABELS = {
    "true_labels": "true labels",
    "shuffled_pixels": "shuffled pixels",
    "random_pixels": "random pixels",
    "gaussian": "Gaussian inputs",
    "random_labels": "random labels",
}


def _main_runs(m: dict[str, Any], config: RandomLabelsConfig, reg: str = "none") -> list[dict[str, Any]]:
    return [r for r in m["runs"] if r["model"] == config.models[0] and r["reg"] == reg]


def learning_curves(m: dict[str, Any], config: RandomLabelsConfig) -> Figure:
    fig = MplFigure(figsize=(7, 4.2), layout="constrained")
    ax = fig.add_subplot()
    seen: set[str] = set()
    for c in m["curves"]:
        cond = c["condition"]
        ax.plot(
            c["steps"],
            c["loss"],
            color=COLORS[cond],
            lw=1.2,
            alpha=0.85,
            label=LABELS[cond] if cond not in seen else None,
        )
        seen.add(cond)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("training step (log scale)")
    ax.set_ylabel("training cross-entropy (nats, log scale)")
    ax.set_title(f"{config.models[0]} on {m['dataset']} (n={m['n_train']}): one line per seed")
    ax.legend(frameon=False, fontsize=8)
    ax.grid(alpha=0.3, which="both")
    return Figure(
        "learning-curves",
        "Training loss per condition (Zhang et al. Figure 1a analogue). Every condition heads to zero loss; look at "
        "the order and the horizontal gap between true labels (blue) and random labels (red) on the log step axis. "
        "A curve ends when its network has fit (100% train accuracy and loss below the stop threshold).",
        fig,
    )


def time_to_fit(m: dict[str, Any], config: RandomLabelsConfig) -> Figure:
    fig = MplFigure(figsize=(10, 4), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    conds = list(COLORS)
    keys = (("fit_step", "steps to 100% training accuracy"),
            (f"loss_step_{config.loss_stop}", f"steps to training loss ≤ {config.loss_stop:g}"))  # fmt: skip
    for ax, (key, label) in zip(axes, keys, strict=True):
        for i, cond in enumerate(conds):
            for r in (r for r in _main_runs(m, config) if r["condition"] == cond):
                done = r[key] is not None
                ax.scatter(i, r[key] if done else config.max_steps, marker="o" if done else "^", s=40, zorder=3,
                           color=COLORS[cond], facecolors=COLORS[cond] if done else "none")  # fmt: skip
        ax.set_yscale("log")
        ax.set_xticks(range(len(conds)), [LABELS[c] for c in conds], rotation=20)
        ax.set_title(label, fontsize=10)
        ax.axhline(config.max_steps, color="grey", ls=":", lw=1)
        ax.grid(alpha=0.3, axis="y", which="both")
    axes[0].set_ylabel("training steps (log scale)")
    return Figure(
        "time-to-fit",
        "Steps until each network first classifies its whole training set correctly (left) and until its training "
        "loss first drops to the stop threshold (right), one point per seed; hollow triangles at the dotted budget "
        "line never got there. The random/true ratio is the slowdown factor: compare it with the paper's 'small "
        "constant factor' (§1.1), and note how much it depends on the yardstick.",
        fig,
    )


def corruption_curve(m: dict[str, Any], config: RandomLabelsConfig) -> Figure:
    fig = MplFigure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    for model in config.models:
        by_p: dict[float, list[float]] = defaultdict(list)
        for r in m["runs"]:
            if (
                r["model"] == model
                and r["reg"] == "none"
                and r["condition"] in ("true_labels", "corrupted", "random_labels")
            ):
                by_p[r["p"]].append(1 - r["test_acc"])
        ps = sorted(by_p)
        ax.plot(ps, [np.mean(by_p[p]) for p in ps], marker="o", label=model)
        for p in ps:
            ax.scatter([p] * len(by_p[p]), by_p[p], s=8, color="grey", alpha=0.6)
    ax.axhline(1 - m["chance"], color="grey", ls=":", lw=1, label="chance")
    ax.set_xlabel("label corruption probability p")
    ax.set_ylabel("test error (fraction)")
    ax.legend(frameon=False, fontsize=8)
    ax.grid(alpha=0.3)
    return Figure(
        "test-error-vs-corruption",
        "Test error (on true test labels) against the label-corruption level (Figure 1c analogue); grey dots are "
        "seeds. Every network fits its training labels, yet test error climbs steadily to chance at p=1.",
        fig,
    )


def margin_distributions(m: dict[str, Any], config: RandomLabelsConfig) -> Figure | None:
    nm = m["normalized_margins"]
    if not nm:
        return None
    fig = MplFigure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    allv = np.concatenate([np.asarray(v) for v in nm.values()])
    bins = np.linspace(np.quantile(allv, 0.005), np.quantile(allv, 0.995), 50).tolist()
    for cond, vals in nm.items():
        ax.hist(vals, bins=bins, density=True, alpha=0.55, color=COLORS[cond], label=LABELS[cond])
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel("normalized margin γ·n / (R_A ||X||_2)  (dimensionless)")
    ax.set_ylabel("density")
    ax.legend(frameon=False)
    return Figure(
        "margin-distributions",
        "Training-set margins divided by Bartlett et al.'s spectral complexity R_A (Figure 2 analogue), seed 0 of "
        "the main model. Both networks fit their labels; the normalized margins of the random-label network sit "
        "much closer to zero, which is what a margin bound needs to tell them apart.",
        fig,
    )


MEASURE_KEYS = {
    "frobenius_product": "∏ ||W_i||_F",
    "l2_path_norm": "ℓ2 path norm",
    "spectral_complexity": "spectral complexity R_A",
    "spectral_frobenius_over_margin_sq": "spectral-Frobenius / γ²",
    "l2_path_over_margin_sq": "ℓ2 path norm² / γ²",
    "kl": "PAC-Bayes KL ||w-w0||²/2σ*²",
    "worst_case_sharpness": "worst-case sharpness ζ_α",
}


def complexity_curve(m: dict[str, Any], config: RandomLabelsConfig) -> Figure:
    fig = MplFigure(figsize=(7, 4.5), layout="constrained")
    ax = fig.add_subplot()
    runs = [r for r in _main_runs(m, config) if r["condition"] in ("true_labels", "corrupted", "random_labels")]
    ps = sorted({r["p"] for r in runs})
    for key, label in MEASURE_KEYS.items():
        if key not in runs[0]:
            continue
        vals = [np.exp(np.mean([np.log(r[key]) for r in runs if r["p"] == p])) for p in ps]
        rel = np.asarray(vals) / vals[0]
        ax.plot(ps, rel, marker="o", label=label)
    ax.set_yscale("log")
    ax.set_xlabel("label corruption probability p")
    ax.set_ylabel("measure relative to true labels (p=0), log scale")
    ax.legend(frameon=False, fontsize=7)
    ax.grid(alpha=0.3, which="both")
    return Figure(
        "complexity-vs-corruption",
        "Complexity measures of the trained networks against label corruption, each divided by its value on true "
        "labels (geometric mean over seeds). A useful measure rises with p; look at how far each climbs by p=1. "
        "The raw product of Frobenius norms and the ℓ2 path norm are context; the margin-normalized ones are what "
        "Neyshabur et al. and Bartlett et al. propose.",
        fig,
    )


def slowdown_figure(m: dict[str, Any], config: RandomLabelsConfig) -> Figure:
    fig = MplFigure(figsize=(10, 4), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    ns = sorted({r["n"] for r in m["size_sweep"]})
    for fn, label, color in ((slowdown_by_accuracy, "steps to 100% train accuracy", "#1f77b4"),
                             (slowdown_by_loss, f"steps to train loss ≤ {config.loss_stop:g}", "#d62728")):  # fmt: skip
        est = fn(m, config)
        if not all(np.isfinite(e.value) and e.value > 0 for e in est):
            continue  # the true-label runs never got there at some n: no ratio to draw
        hi = [e.hi if np.isfinite(e.hi) else e.value * 3 for e in est]
        ax1.errorbar(ns, [e.value for e in est], yerr=[[e.value - e.lo for e in est],
                     [h - e.value for h, e in zip(hi, est, strict=True)]], marker="o", capsize=3, color=color,
                     label=label)  # fmt: skip
    ax1.axhline(10, color="grey", ls=":", lw=1, label="Skeptic's 10x line")
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.set_xlabel("training-set size n (log scale)")
    ax1.set_ylabel("random / true labels, time to fit (log scale)")
    ax1.legend(frameon=False, fontsize=8)
    ax1.grid(alpha=0.3, which="both")
    ps = list(config.corruption_levels)
    sweep = _label_sweep(m, config)
    loss_key = f"loss_step_{config.loss_stop}"
    yardsticks = (
        ("fit_step", "steps to 100% train accuracy", "#1f77b4"),
        (loss_key, f"steps to train loss ≤ {config.loss_stop:g}", "#d62728"),
    )
    for key, label, color in yardsticks:
        vals = [_ratio_by_seed(runs, sweep[0], key, config.max_steps).value for runs in sweep]
        if all(np.isfinite(v) and v > 0 for v in vals):
            ax2.plot(ps, vals, marker="o", color=color, label=label)
    ax2.set_yscale("log")
    ax2.set_xlabel("label corruption probability p")
    ax2.set_ylabel("time to fit relative to p = 0 (log scale)")
    if ax2.get_legend_handles_labels()[0]:
        ax2.legend(frameon=False, fontsize=8)
    ax2.grid(alpha=0.3, which="both")
    return Figure(
        "slowdown",
        "Left: how much longer random labels take than true labels, against the training-set size and by two "
        "yardsticks (geometric mean over seeds, 95% interval); the factor depends on both, which is why no single "
        "'small constant factor' verdict is drawn. Right: Figure 1b analogue, time to fit against label corruption "
        "by the same two yardsticks.",
        fig,
    )


def make_figures(m: dict[str, Any], config: RandomLabelsConfig) -> list[Figure]:
    figs = [
        learning_curves(m, config),
        time_to_fit(m, config),
        slowdown_figure(m, config),
        corruption_curve(m, config),
        complexity_curve(m, config),
    ]
    margin_fig = margin_distributions(m, config)
    if margin_fig is not None:
        figs.insert(4, margin_fig)
    return figs


def _fmt_ms(vals: list[float]) -> str:
    if len(vals) == 1:
        return f"{vals[0] * 100:.1f}"
    return f"{np.mean(vals) * 100:.1f} ± {np.std(vals, ddof=1) * 100:.1f}"


def make_tables(m: dict[str, Any], config: RandomLabelsConfig) -> list[Table]:
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in m["runs"]:
        if r["condition"] in ("true_labels", "random_labels"):
            groups[(r["model"], r["condition"], r["reg"])].append(r)
    table1 = []
    for (model, cond, reg), rs in groups.items():
        table1.append(
            {
                "model": model,
                "# params": rs[0]["n_params"],
                "labels": LABELS[cond],
                "weight decay": "yes" if reg in ("weight_decay", "wd_aug") else "no",
                "dropout": "yes" if reg == "dropout" else "no",
                "random shifts": "yes" if reg in ("augmentation", "wd_aug") else "no",
                "train acc (%)": _fmt_ms([r["train_acc"] for r in rs]),
                "test acc (%)": _fmt_ms([r["test_acc"] for r in rs]),
                "fit (runs)": f"{sum(r['fit_step'] is not None for r in rs)}/{len(rs)}",
            }
        )
    true_steps = {r["seed"]: r["fit_step"] for r in _main_runs(m, config) if r["condition"] == "true_labels"}
    fit_rows = []
    for cond in COLORS:
        rs = [r for r in _main_runs(m, config) if r["condition"] == cond]
        steps = [r["fit_step"] for r in rs]
        ratios = [r["fit_step"] / true_steps[r["seed"]] for r in rs if r["fit_step"] and true_steps.get(r["seed"])]
        fit_rows.append(
            {
                "condition": LABELS[cond],
                "steps to 100% train acc (per seed)": ", ".join("never" if s is None else str(s) for s in steps),
                "epochs (mean)": f"{np.mean([s for s in steps if s]) / math.ceil(m['n_train'] / config.batch_size):.0f}"
                if any(steps)
                else "n/a",
                "steps to loss ≤ 0.1": ", ".join(str(r["loss_step_0.1"]) for r in rs),
                "slowdown vs true (per seed)": ", ".join(f"{x:.2f}" for x in ratios) or "n/a",
                "slowdown (geo-mean, 95% CI)": describe_measured(
                    _ratio_by_seed(
                        _main(m, config, cond), _main(m, config, "true_labels"), "fit_step", config.max_steps
                    )
                ),
                f"slowdown to loss ≤ {config.loss_stop:g}": describe_measured(
                    _ratio_by_seed(
                        _main(m, config, cond),
                        _main(m, config, "true_labels"),
                        f"loss_step_{config.loss_stop}",
                        config.max_steps,
                    )
                ),
                "test acc (%)": _fmt_ms([r["test_acc"] for r in rs]),
            }
        )
    measure_rows = []
    for r in _main_runs(m, config):
        row = {"condition": LABELS.get(r["condition"], f"corrupted p={r['p']}"), "seed": r["seed"]}
        for key in (
            "frobenius_product",
            "spectral_complexity",
            "bartlett_bound",
            "norm_margin_median",
            "l1_path_norm",
            "l2_path_norm",
            "spectral_frobenius",
            "sharpness_sigma",
            "worst_case_sharpness",
            "kl",
            "pac_bayes_bound",
        ):
            if key in r:
                row[key] = f"{r[key]:.3g}"
        measure_rows.append(row)
    min_norm_rows = [
        {
            "labels": LABELS[r["condition"]],
            "seed": r["seed"],
            "bandwidth / median distance": r["bandwidth_factor"],
            "RKHS norm": f"{r['norm']:.3g}",
            "max train residual": f"{r['max_residual']:.1e}",
            "train acc (%)": f"{r['train_acc'] * 100:.1f}",
            "test acc (%)": f"{r['test_acc'] * 100:.1f}",
        }
        for r in m["min_norm"]
    ]
    size_rows = []
    for n in sorted({r["n"] for r in m["size_sweep"]}):
        for cond in ("true_labels", "random_labels"):
            rs = [r for r in m["size_sweep"] if r["n"] == n and r["condition"] == cond]
            size_rows.append(
                {
                    "n": n,
                    "labels": LABELS[cond],
                    "steps to 100% train acc": ", ".join(
                        "never" if r["fit_step"] is None else str(r["fit_step"]) for r in rs
                    ),
                    f"steps to loss ≤ {config.loss_stop:g}": ", ".join(
                        "never"
                        if r[f"loss_step_{config.loss_stop}"] is None
                        else str(r[f"loss_step_{config.loss_stop}"])
                        for r in rs
                    ),
                }
            )
    return [
        Table(
            "table1",
            "Table 1 analogue (Zhang et al.): train and test accuracy (mean ± sd over seeds) with and "
            "without explicit regularizers.",
            table1,
        ),
        Table(
            "time-to-fit",
            "Steps (and epochs) to fit each condition, and the slowdown relative to true labels of "
            "the same seed (same initialization).",
            fit_rows,
        ),
        Table(
            "complexity-measures",
            "Complexity measures of every unregularized main-model network. Raw norms and the Bartlett bound's value "
            "(vacuous, far above 1, at this n; context, not a claim) are shown beside the margin-normalized measures.",
            measure_rows,
            collapsed=True,
        ),
        Table(
            "time-to-fit-vs-n",
            "Steps to fit true and random labels on nested training sets of growing size n (per seed), by both "
            "yardsticks: the data behind the slowdown claims and Arpit et al.'s time-to-fit against n.",
            size_rows,
        ),
        Table(
            "min-norm",
            "Zhang et al. §5: minimum-norm Gaussian-kernel interpolants of true and random labels at three bandwidths. "
            "Every one fits its labels exactly; only the true-label ones generalize. Whether the norm predicts "
            "generalization across representations (Zhang et al.'s wavelet example) is not tested here: across "
            "bandwidths the true-label test accuracies differ by less than their sampling error.",
            min_norm_rows,
            collapsed=True,
        ),
    ]
