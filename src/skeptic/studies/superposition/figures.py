"""Figures and tables of the superposition study (matplotlib object API; the runner renders them)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure as MplFigure

from skeptic.studies.superposition.config import SuperpositionConfig
from skeptic.study import Figure, Table

REGIONS = ("feature 1", "feature 2", "superposition", "both-same-sign", "none")
REGION_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#cccccc")


def _phase_change(m: dict[str, Any], config: SuperpositionConfig) -> Figure:
    mats = m["phase_change_W"]
    dens = sorted({r["density"] for r in mats}, reverse=True)
    fig = MplFigure(figsize=(2.3 * len(dens), 7.2))
    axes = fig.subplots(3, len(dens), squeeze=False)
    norms = {(r["density"], r["activation"]): r for r in m["phase_change"] if r["seed"] == 0}
    for j, p in enumerate(dens):
        W = np.array(next(r["W"] for r in mats if r["density"] == p and r["activation"] == "relu"))
        axes[0, j].imshow(W.T @ W, cmap="RdBu_r", vmin=-1.2, vmax=1.2)
        axes[0, j].set(title=f"1−S = {p:g}", xticks=[], yticks=[])
        for i, act in enumerate(("relu", "linear")):
            r = norms[(p, act)]
            n = len(r["norms"])
            sup = np.clip(np.array(r["interference"]), 0, 1)
            colors = [(0.1 + 0.8 * s, 0.2, 0.1 + 0.8 * (1 - s)) for s in sup]
            ax = axes[1 + i, j]
            ax.barh(range(n), r["norms"], color=colors)
            ax.axvline(m["represented_threshold"], color="k", lw=0.6, ls=":")
            ax.set(xlim=(0, 1.3), yticks=range(n), xlabel="‖Wᵢ‖" if i == 1 else "")
            ax.invert_yaxis()
            if j == 0:
                ax.set_ylabel(f"{act}: feature i")
    axes[0, 0].set_ylabel("ReLU: WᵀW")
    return Figure(
        "phase-change",
        f"Toy model, n = {config.pc_n} features in m = {config.pc_m} dimensions, importance 0.9^i "
        "(seed 0). Top: WᵀW of the ReLU model (red +, blue −) from dense (left) to sparse (right). Middle: ReLU "
        "feature norms ‖Wᵢ‖ (bar colour from blue = own dimension to red = shares its direction with others); "
        "dense inputs keep the top m features, sparse inputs store all n in superposition. Bottom: the linear "
        "model keeps the top m at every sparsity. Dotted line: the 0.5 'stored' threshold.",
        fig,
    )


def _pentagon(m: dict[str, Any], config: SuperpositionConfig) -> Figure | None:
    if config.pc_m != 2:
        return None
    p = min(r["density"] for r in m["phase_change_W"])
    W = np.array(next(r["W"] for r in m["phase_change_W"] if r["density"] == p and r["activation"] == "relu"))
    fig = MplFigure(figsize=(4.4, 4.4))
    ax = fig.subplots()
    for i in range(W.shape[1]):
        ax.annotate("", xy=(W[0, i], W[1, i]), xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": f"C{i}"})
        ax.text(1.12 * W[0, i], 1.12 * W[1, i], f"x{i}", ha="center", va="center", color=f"C{i}")
    ax.set(xlim=(-1.5, 1.5), ylim=(-1.5, 1.5), aspect="equal", xlabel="hidden dimension 1",
           ylabel="hidden dimension 2", title=f"Columns Wᵢ at 1−S = {p:g}")  # fmt: skip
    return Figure(
        "pentagon",
        f"The {W.shape[1]} feature directions Wᵢ of the sparsest ReLU model (seed 0) in its 2 hidden dimensions. "
        "Elhage et al. find a regular pentagon: five features stored in two dimensions, at the price of interference.",
        fig,
    )


def _phase_diagram(m: dict[str, Any]) -> Figure:
    rows = m["phase_diagram"]
    ratios = sorted({r["ratio"] for r in rows})
    dens = sorted({r["density"] for r in rows}, reverse=True)
    grid = np.zeros((len(ratios), len(dens)))
    for i, rr in enumerate(ratios):
        for j, p in enumerate(dens):
            cell = [r["region"] for r in rows if r["ratio"] == rr and r["density"] == p and r["best_of_seeds"]]
            grid[i, j] = REGIONS.index(cell[0])
    fig = MplFigure(figsize=(6.4, 4.6))
    ax = fig.subplots()
    ax.imshow(grid, origin="lower", cmap=ListedColormap(REGION_COLORS), vmin=-0.5, vmax=len(REGIONS) - 0.5,
              aspect="auto")  # fmt: skip
    ax.set(xticks=range(len(dens)), xticklabels=[f"{1 / p:.3g}" for p in dens], yticks=range(len(ratios)),
           yticklabels=[f"{r:g}" for r in ratios], xlabel="1/(1−S): inverse feature density (log-spaced)",
           ylabel="importance of feature 2 / feature 1 (log-spaced)",
           title="n = 2, m = 1: what the model stores")  # fmt: skip
    for k, (name, c) in enumerate(zip(REGIONS, REGION_COLORS, strict=True)):
        ax.plot([], [], "s", color=c, label=name, ms=9)
        del k
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.subplots_adjust(right=0.72)
    return Figure(
        "phase-diagram",
        "Phase diagram of the n = 2, m = 1 toy model (per cell, the lowest-loss seed on shared fresh samples; the "
        "table 'phase-diagram-regions' counts every seed). Elhage et al.'s three regions: "
        "dense inputs store only the more important feature (blue below ratio 1, orange above); sparse inputs with "
        "comparable importance store both as an antipodal pair (green, superposition), a band that widens as "
        "sparsity grows.",
        fig,
    )


def _dimensionality(m: dict[str, Any], config: SuperpositionConfig) -> Figure:
    rows = m["dimensionality"]
    fig = MplFigure(figsize=(8.5, 4.6))
    ax = fig.subplots()
    seeds = sorted({r["seed"] for r in rows})
    for s in seeds:
        rs = sorted((r for r in rows if r["seed"] == s), key=lambda r: -r["density"])
        ax.plot([1 / r["density"] for r in rs], [r["D_model"] for r in rs], "-o", ms=3, color="k", lw=1,
                alpha=0.8, label="D* = m/‖W‖²_F" if s == seeds[0] else None)  # fmt: skip
    for r in rows:
        d = [x for x, nrm in zip(r["D_features"], r["norms"], strict=True) if nrm > m["represented_threshold"]]
        jitter = 1 + 0.04 * (np.arange(len(d)) % 5 - 2) / 2
        ax.scatter(1 / r["density"] * jitter, d, s=4, color="C0", alpha=0.35)
    ax.scatter([], [], s=8, color="C0", label="Dᵢ* of each stored feature")
    for f, lab in zip(m["sticky_fractions"], ("1", "3/4", "2/3", "1/2", "2/5", "3/8"), strict=True):
        ax.axhspan(f - m["sticky_tol"], f + m["sticky_tol"], color="C2", alpha=0.12)
        ax.text(1.0, f, f" {lab}", va="center", fontsize=7, color="C2")
    ax.set(xscale="log", xlabel="1/(1−S): inverse feature density (log)", ylabel="dimensions per feature",
           ylim=(0, 1.1),
           title=f"n = {config.dim_n} features in m = {config.dim_m} dimensions")  # fmt: skip
    ax.legend(fontsize=8)
    return Figure(
        "dimensions-per-feature",
        "Dimensions per feature against sparsity (log x). Black: D* = m/‖W‖²_F per seed; dots: Dᵢ* of each stored "
        "feature. Green bands: the fractions 1, 3/4, 2/3, 1/2, 2/5, 3/8 ± 0.03 where Elhage et al. say the "
        "geometry 'sticks'. Look for points piling up in the bands versus spreading between them.",
        fig,
    )


def _ticks(ax: Any, values: list[float]) -> None:
    """Log axis with a labelled tick at every swept value (and no clutter of minor tick labels)."""
    ax.set_xticks(values)
    ax.set_xticklabels([f"{v:g}" for v in values])
    ax.minorticks_off()


def _seed_mean(rows: list[dict[str, Any]], key: str) -> float:
    return float(np.mean([r[key] for r in rows]))


def _sae(m: dict[str, Any], config: SuperpositionConfig) -> Figure:
    sweep = [r for r in m["sae"] if r["experiment"] == "sweep"]
    ratios = sorted({r["ratio"] for r in sweep})
    l1s = sorted({r["l1"] for r in sweep})
    fig = MplFigure(figsize=(13, 4.2))
    ax1, ax2, ax3 = fig.subplots(1, 3)
    for i, lam in enumerate(l1s):
        for key, ls in (("mmcs", "-"), ("matched", "--")):
            y = [_seed_mean([r for r in sweep if r["ratio"] == q and r["l1"] == lam], key) for q in ratios]
            ax1.plot(ratios, y, ls, marker="o", ms=3, color=f"C{i}",
                     label=f"λ = {lam:g}, {'MMCS' if key == 'mmcs' else 'Hungarian'}")  # fmt: skip
    ax1.axvline(1.0, color="k", lw=0.6, ls=":")
    ax1.set(xscale="log", xlabel="dictionary size / true features G (log)", ylabel="recovery (cosine)",
            ylim=(0, 1.02), title="Recovery vs dictionary size")  # fmt: skip
    ax1.legend(fontsize=6)
    for j, q in enumerate(ratios):
        y = [_seed_mean([r for r in sweep if r["ratio"] == q and r["l1"] == lam], "mmcs") for lam in l1s]
        ax2.plot(l1s, y, "-o", ms=3, color=f"C{j}", label=f"size {q:g}·G")
        l0 = [_seed_mean([r for r in sweep if r["ratio"] == q and r["l1"] == lam], "l0") for lam in l1s]
        ax2.plot(l1s, np.array(l0) / max(1e-9, config.sae_features * sweep[0]["density"]) / 4, ":", color=f"C{j}")
    ax2.set(xscale="log", xlabel="L1 penalty λ (log)", ylabel="MMCS (solid); L0 / (4·true L0) (dotted)",
            ylim=(0, 1.02), title="Recovery vs L1 penalty")  # fmt: skip
    ax2.legend(fontsize=7)
    dens = [r for r in m["sae"] if r["experiment"] == "density"]
    ps = sorted({r["density"] for r in dens})
    for i, lam in enumerate(l1s):
        y = [_seed_mean([r for r in dens if r["density"] == p and r["l1"] == lam], "matched") for p in ps]
        ax3.plot([p * config.sae_features for p in ps], y, "-o", ms=3, color=f"C{i}", label=f"λ = {lam:g}")
    ax3.set(xscale="log", xlabel="mean active features per sample (log)", ylabel="Hungarian matched cosine",
            ylim=(0, 1.02), title="Recovery vs feature density (size G)")  # fmt: skip
    ax3.legend(fontsize=7)
    _ticks(ax1, ratios)
    _ticks(ax2, l1s)
    _ticks(ax3, [p * config.sae_features for p in ps])
    fig.tight_layout()
    return Figure(
        "sae-recovery",
        f"SAEs on data with G = {config.sae_features} known features in d = {config.sae_d} dimensions "
        "(means over seeds). Left: recovery rises to the size-G dictionary (dotted line) and needs the right λ; "
        "solid = MMCS, dashed = one-to-one Hungarian matching, which penalizes a dictionary that spends latents on "
        "duplicates. Middle: recovery and sparsity against λ. Right: recovery falls as more features are active.",
        fig,
    )


def _arrows(ax: Any, W: np.ndarray, colors: list[str], labels: list[str], title: str) -> None:
    for i in range(W.shape[1]):
        ax.annotate("", xy=(W[0, i], W[1, i]), xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": colors[i]})
        ax.text(1.15 * W[0, i], 1.15 * W[1, i], labels[i], ha="center", va="center", color=colors[i], fontsize=8)
    lim = max(1.5, 1.3 * float(np.abs(W).max()))
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xlabel="hidden dimension 1", title=title)


def _correlated(m: dict[str, Any]) -> Figure:
    rows = [r for r in m["correlated"] if r["seed"] == 0]
    fig = MplFigure(figsize=(11, 3.9))
    axes = fig.subplots(1, len(rows))
    colors = ["C0", "C0", "C3", "C3"]
    for ax, r in zip(axes, rows, strict=True):
        cos = ", ".join(f"{c:+.2f}" for c in r["pair_cos"])
        title = f"{r['structure']} pairs\ncos within pair: {cos}"
        _arrows(ax, np.array(r["W"]), colors, ["x0", "x1", "x2", "x3"], title)
    axes[0].set_ylabel("hidden dimension 2")
    fig.tight_layout()
    return Figure(
        "correlated-features",
        "n = 4 equally important features in m = 2 dimensions (seed 0), in pairs (x0, x1) blue and (x2, x3) red, each "
        "feature active with the same probability. Independent pairs: any arrangement of the square. Correlated pairs "
        "(always active together): Elhage et al. predict each pair orthogonal (cos 0). Anticorrelated pairs (never "
        "together): each pair antipodal (cos −1).",
        fig,
    )


def _kgon(m: dict[str, Any], config: SuperpositionConfig) -> Figure:
    crit, runs = m["kgon"]["critical"], m["kgon"]["runs"]
    fig = MplFigure(figsize=(10, 4.2))
    ax1, ax2 = fig.subplots(1, 2)
    ks = [c["k"] for c in crit]
    ax1.plot(ks, [c["loss"] for c in crit], "s", color="k", ms=9, mfc="none",
             label="regular k-gon critical point (exact)")  # fmt: skip
    rng = np.random.default_rng(0)
    ax1.scatter([r["k"] + rng.uniform(-0.15, 0.15) for r in runs], [r["exact_loss"] for r in runs], s=14, color="C1",
                zorder=3, label="SGD restarts' final loss (exact)")  # fmt: skip
    ax1.set(xticks=ks, xlabel="k: features stored (a regular k-gon)", ylabel="expected loss (one feature active)",
            title=f"n = {config.kgon_n} features in 2 dimensions")  # fmt: skip
    ax1.legend(fontsize=7)
    best = min(runs, key=lambda r: r["exact_loss"])
    W = np.array(best["W"])
    _arrows(ax2, W, [f"C{i}" for i in range(W.shape[1])], [f"x{i}" for i in range(W.shape[1])],
            f"lowest-loss restart: k = {best['k']}")  # fmt: skip
    fig.tight_layout()
    return Figure(
        "kgon",
        "Chen et al.'s k-gons. Left: the exact loss of the regular k-gon critical points (squares; larger k, lower "
        "loss) and where each SGD restart ended (dots, at its number of stored features): restarts sit on the "
        "critical losses, and many stop at a k-gon short of the lowest-loss one. Right: the lowest-loss restart's "
        "feature directions.",
        fig,
    )


def _importance(m: dict[str, Any], config: SuperpositionConfig) -> Figure:
    rows = m["importance_sweep"]
    decays = sorted({r["decay"] for r in rows}, reverse=True)
    fig = MplFigure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    for s in sorted({r["seed"] for r in rows}):
        ax.plot(decays, [next(r["frob2"] for r in rows if r["seed"] == s and r["decay"] == d) for d in decays], "-o",
                ms=3, color="k", alpha=0.6, label="‖W‖²_F per seed" if s == 0 else None)  # fmt: skip
    ax.plot(decays, [np.mean([len(r["represented"]) for r in rows if r["decay"] == d]) for d in decays], "s--",
            color="C2", label="features stored (‖Wᵢ‖ > 0.5), seed mean")  # fmt: skip
    ax.set(xlabel="importance ratio of successive features (decay; 1 = equal)", ylabel="features' worth stored",
           title=f"n = {config.pc_n} in m = {config.pc_m} at 1−S = {rows[0]['density']:g}")  # fmt: skip
    ax.invert_xaxis()
    ax.legend(fontsize=8)
    return Figure(
        "importance-sweep",
        "At fixed high sparsity, how much the toy model stores as feature importance falls off faster (right): "
        "with equal importance every feature is worth superposing; with steep decay the unimportant ones are dropped.",
        fig,
    )


def make_figures(m: dict[str, Any], config: SuperpositionConfig) -> list[Figure]:
    figs = [_phase_change(m, config)]
    pent = _pentagon(m, config)
    if pent is not None:
        figs.append(pent)
    figs += [
        _phase_diagram(m),
        _importance(m, config),
        _dimensionality(m, config),
        _correlated(m),
        _kgon(m, config),
        _sae(m, config),
    ]
    return figs


def make_tables(m: dict[str, Any]) -> list[Table]:
    cells: dict[tuple[str, float, float, float], list[dict[str, Any]]] = {}
    for r in m["sae"]:
        cells.setdefault((r["experiment"], r["ratio"], r["l1"], r["density"]), []).append(r)
    rows = []
    for (exp, ratio, lam, p), rs in sorted(cells.items()):
        rows.append({
            "experiment": exp, "size/G": ratio, "λ": lam, "density": p, "k": rs[0].get("k", ""),
            "MMCS": round(_seed_mean(rs, "mmcs"), 3), "Hungarian": round(_seed_mean(rs, "matched"), 3),
            "share > 0.9": round(_seed_mean(rs, "matched_share"), 3),
            "duplicated": round(_seed_mean(rs, "duplicated"), 3), "L0": round(_seed_mean(rs, "l0"), 2),
            "dead": round(_seed_mean(rs, "dead"), 1), "explained var.": round(_seed_mean(rs, "ev"), 3),
        })  # fmt: skip
    sweep = [r for r in rows if r["experiment"] == "sweep"]
    ok = [r for r in sweep if r["Hungarian"] >= 0.9]
    bound = [{
        "smallest size/G with matched cosine ≥ 0.9": min((r["size/G"] for r in ok), default="none"),
        "λ range with matched cosine ≥ 0.9 (any size)": (f"{min(r['λ'] for r in ok):g} – {max(r['λ'] for r in ok):g}"
                                                          if ok else "none"),
        "cells ≥ 0.9": f"{len(ok)} of {len(sweep)}",
    }]  # fmt: skip
    pd_counts = Counter((r["density"], r["region"]) for r in m["phase_diagram"])
    pd_rows = [{"1−S": p, "region": reg, "models": c} for (p, reg), c in sorted(pd_counts.items())]
    return [
        Table("sae-boundaries", "Where the sweep says recovery holds (seed means; Skeptic's 0.9 threshold).", bound),
        Table("sae-metrics", "Every SAE cell, means over seeds.", rows, collapsed=True),
        Table("phase-diagram-regions", "n = 2, m = 1: models per region at each density.", pd_rows, collapsed=True),
    ]
