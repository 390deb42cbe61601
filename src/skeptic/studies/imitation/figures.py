"""Figures and tables of the imitation study (matplotlib object API; the runner renders them)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import NullFormatter

from skeptic.core.study import Figure, Table
from skeptic.studies.imitation import claims as cl

COLORS = {"sft": "C0", "on-policy": "C2", "rl": "C3", "bc": "C0", "distilled": "C2", "hard": "C1"}
LABELS = {"sft": "SFT (behaviour cloning)", "on-policy": "on-policy distillation", "rl": "RL (REINFORCE, 0/1 reward)"}


def _curve(m: dict[str, Any], method: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rows = cl.rows_of(m, method)
    xs = np.array(sorted({r["samples"] for r in rows}), dtype=float)
    acc = np.array([[r["final_accuracy"] for r in rows if r["samples"] == x] for x in xs])
    return xs, acc.mean(1), acc.min(1), acc.max(1)


def _samples(m: dict[str, Any]) -> Figure:
    T, p = m["sft_vs_rl"]["T"], m["config"]["p"]
    fig = MplFigure(figsize=(11.5, 4.6), layout="constrained")
    ax, bx = fig.subplots(1, 2)
    demo_bits = m["sft_vs_rl"]["demo_bits"]
    rl_bits = float(np.mean([np.mean(r["bits_per_episode"]) for r in m["sft_vs_rl"]["rewards"]]))
    for method in ("sft", "on-policy", "rl"):
        xs, mean, lo, hi = _curve(m, method)
        x = np.maximum(xs, 1.0)
        ax.plot(x, mean, "o-", color=COLORS[method], label=LABELS[method], ms=3)
        ax.fill_between(x, lo, hi, color=COLORS[method], alpha=0.15)
        bits = np.maximum(xs * (rl_bits if method == "rl" else demo_bits), 1.0)
        bx.plot(bits, mean, "o-", color=COLORS[method], label=LABELS[method], ms=3)
        bx.fill_between(bits, lo, hi, color=COLORS[method], alpha=0.15)
    for a in (ax, bx):
        a.axhline(cl.TARGET, color="k", ls=":", lw=0.8)
        a.axhline(1 / p, color="grey", ls="--", lw=0.8)
        a.set(xscale="log", ylim=(-0.02, 1.02), ylabel="held-out final-answer accuracy")
    ax.set_xlabel("training samples: demonstrations or RL episodes\n(log scale; the start is drawn at 1)")
    bx.set_xlabel("bits of supervision received: T·log₂p per demonstration,\nH(q) per RL episode (log scale)")
    ax.legend(fontsize=8, loc="center right")
    ax.set_title(f"Horizon T = {T}, digits mod {p}")
    bx.set_title("The same curves against bits of supervision")
    return Figure(
        "accuracy-vs-samples",
        f"Held-out accuracy of the final answer against training samples (left) and against bits of supervision "
        "(right), for the same students from the same initial weights; lines are the mean over seeds, bands the range. "
        f"Dotted: the {cl.TARGET:.0%} target of the samples comparison; dashed: chance (1/p). Look at how far right "
        f"the red RL curve has to go to rise, if it rises at all: a demonstration carries {demo_bits:.1f} bits, an RL "
        f"episode's 0/1 reward carried {rl_bits:.2f} bits on average.",
        fig,
    )


def _horizons(m: dict[str, Any]) -> Figure:
    fig = MplFigure(figsize=(6.2, 4.4))
    ax = fig.subplots()
    floor = cl.cost_floor(m)
    for method, name in (("bc", "behaviour cloning (off-policy)"), ("on-policy", "on-policy distillation")):
        costs = cl.horizon_costs(m, method)
        Ts = sorted(costs)
        vals = np.maximum(np.array([costs[T] for T in Ts]), floor)
        mean = vals.mean(1)
        ax.plot(Ts, mean, "o-", color=COLORS[method], label=name)
        for T, v in zip(Ts, vals, strict=True):
            ax.scatter([T] * len(v), v, color=COLORS[method], s=10, alpha=0.5)
    Ts = sorted(cl.horizon_costs(m, "bc"))
    ref = max(float(np.mean(cl.horizon_costs(m, "bc")[Ts[0]])), floor * 10)
    t = np.array(Ts, dtype=float)
    ax.plot(t, ref * t / t[0], "k:", lw=0.8, label="∝ T (linear)")
    ax.plot(t, ref * (t / t[0]) ** 2, "k--", lw=0.8, label="∝ T² (quadratic)")
    ax.axhline(floor, color="grey", lw=0.6)
    ax.set(xscale="log", yscale="log", xlabel="horizon T (answer steps; log scale)",
           ylabel="mistakes per episode against the teacher (log scale)")  # fmt: skip
    ax.set_xticks(Ts, [str(T) for T in Ts])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.legend(fontsize=8)
    return Figure(
        "error-vs-horizon",
        "Mistakes per episode (Ross et al.'s cost: steps where the student's answer differs from what the teacher "
        "would write at the state the student reached) against the horizon T, at equal teacher queries; dots are "
        "seeds, lines their mean, a zero is drawn at the grey floor. Compare each method's slope with the dotted "
        "(linear) and dashed (quadratic) guides: the theory says behaviour cloning can follow the dashed line, "
        "on-policy training the dotted one.",
        fig,
    )


def _distill(m: dict[str, Any]) -> Figure:
    fig = MplFigure(figsize=(6.2, 4.2))
    ax = fig.subplots()
    mult = [1, 4, 16]
    hard = np.array([cl.distill_acc(m, "hard", k) for k in mult])
    d = np.array(cl.distill_acc(m, "distilled", 1))
    ax.plot(mult, hard.mean(1), "o-", color=COLORS["hard"], label="trained on hard ground truth")
    for k, v in zip(mult, hard, strict=True):
        ax.scatter([k] * len(v), v, color=COLORS["hard"], s=10, alpha=0.5)
    ax.axhline(d.mean(), color=COLORS["distilled"], label="distilled from the teacher (1x)")
    ax.axhspan(d.min(), d.max(), color=COLORS["distilled"], alpha=0.15)
    ax.axhline(m["distill"]["teacher"]["final_accuracy"], color="k", ls=":", lw=0.8, label="the teacher")
    ax.set(xscale="log", xlabel="training steps, as a multiple of the distilled student's N (log scale)",
           ylabel="held-out final-answer accuracy", ylim=(-0.02, 1.02))  # fmt: skip
    ax.set_xticks(mult, [f"{k}x" for k in mult])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.legend(fontsize=8, loc="lower right")
    return Figure(
        "distilled-vs-overtrained",
        f"Small students (horizon T = {m['config']['distill_horizon']}) trained on hard ground truth for 1, 4 and 16 "
        f"times the steps of a student distilled from the trained teacher's soft targets (green line: mean; band: "
        "range over seeds). Look at whether the orange line reaches the green one, and by how many times the "
        "distilled student's training.",
        fig,
    )


def make_figures(m: dict[str, Any]) -> list[Figure]:
    return [_samples(m), _horizons(m), _distill(m)]


def make_tables(m: dict[str, Any]) -> list[Table]:
    ratio_rows = []
    for target in cl.TARGETS:
        sft, rl, op = (cl.samples_to(m, k, target) for k in ("sft", "rl", "on-policy"))
        for s, (a, b, c) in enumerate(zip(sft, rl, op, strict=True)):
            ratio_rows.append({
                "target accuracy": target, "seed": s,
                "SFT samples": f"{a[0]:.0f}" if a[1] else f"> {a[0]:.0f}",
                "on-policy samples": f"{c[0]:.0f}" if c[1] else f"> {c[0]:.0f}",
                "RL episodes": f"{b[0]:.0f}" if b[1] else f"> {b[0]:.0f}",
                "RL / SFT": (f"{b[0] / a[0]:.1f}" if b[1] else f"> {b[0] / a[0]:.1f}") if a[1] and a[0] > 0 else "n/a",
            })  # fmt: skip
    bits = cl.bits_ratios(m)
    margin_rows = [
        r | {"bits ratio (demonstration / reward)": round(b, 2)} for r, b in zip(cl.margins(m), bits, strict=True)
    ]
    horizon_rows = [
        {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items() if k != "step"}
        for r in sorted(m["horizons"]["rows"], key=lambda r: (r["T"], r["method"], r["seed"]))
    ]
    distill_rows = [
        {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}
        for r in sorted(m["distill"]["rows"], key=lambda r: (r["method"], r["multiple"], r["seed"]))
    ]
    return [
        Table("samples-to-target", "Samples each method needed to reach each held-out accuracy target, per seed "
              "('>' : not reached within the budget, so the ratio is a lower bound).", ratio_rows),
        Table("equal-samples-margins", "Accuracy of each method at the SFT budget (equal samples), per seed, and the "
              "bits ratio: a demonstration's T·log₂p bits over the mean entropy of RL's reward.", margin_rows),
        Table("horizons", "Behaviour cloning vs on-policy distillation at every horizon: final-answer accuracy, cost "
              "(mistakes per episode against the teacher), all-steps accuracy and teacher-forced step error ε.",
              horizon_rows, collapsed=True),
        Table("distillation", "Distilled (N steps) and hard-label (N, 4N, 16N steps) students on held-out prompts; "
              f"the trained teacher reached {m['distill']['teacher']['final_accuracy']:.3f}.", distill_rows,
              collapsed=True),
    ]  # fmt: skip
