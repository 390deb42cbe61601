"""Figures and tables of the imitation study (matplotlib object API; the runner renders them)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import NullFormatter

from skeptic.studies.imitation import claims as cl
from skeptic.studies.imitation.config import ImitationConfig
from skeptic.study import Figure, Table

COLORS = {"sft": "C0", "on-policy": "C2", "rl": "C3", "bc": "C0", "distilled": "C2", "hard": "C1"}
LABELS = {"sft": "SFT (behaviour cloning)", "on-policy": "on-policy distillation", "rl": "RL (REINFORCE, 0/1 reward)"}


def _curve(m: dict[str, Any], method: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rows = cl.rows_of(m, method)
    xs = np.array(sorted({r["samples"] for r in rows}), dtype=float)
    acc = np.array([[r["final_accuracy"] for r in rows if r["samples"] == x] for x in xs])
    return xs, acc.mean(1), acc.min(1), acc.max(1)


def _samples(m: dict[str, Any], cfg: ImitationConfig) -> Figure:
    T, p = m["sft_vs_rl"]["T"], cfg.p
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
    ax.set_xlabel(
        "training samples from each checkpoint: demonstrations,\nown rollouts or RL episodes (log "
        "scale; the checkpoint is drawn at 1)"
    )
    bx.set_xlabel("bits of supervision received: T·log₂p per demonstration,\nH(q) per RL episode (log scale)")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(f"Running sum, horizon T = {T}, digits mod {p}")
    bx.set_title("The same curves against bits of supervision")
    return Figure(
        "accuracy-vs-samples",
        f"Held-out accuracy of the final answer against training samples (left) and bits of supervision (right), for "
        f"{cfg.starts * cfg.replicates} replicate students per method ({cfg.replicates} from each of {cfg.starts} "
        f"independent checkpoints, each cloned until {cfg.checkpoint_accuracy:.0%} of its validation answers were "
        "right); lines are the mean over replicates, "
        f"bands the range. Dotted: the {cl.TARGET:.0%} target of the samples "
        "comparison; dashed: chance (1/p). Read the horizontal gap between the red RL curve and the others at the "
        f"dotted line: a demonstration carries {demo_bits:.1f} bits, an RL episode's 0/1 reward carried "
        f"{rl_bits:.2f} bits on average; if the bits argument is right, the right panel's curves line up.",
        fig,
    )


def _horizons(m: dict[str, Any], cfg: ImitationConfig) -> Figure:
    fig = MplFigure(figsize=(6.4, 4.6))
    ax = fig.subplots()
    Ts = sorted(cl.horizon_costs(m, "bc"))
    t = np.array(Ts, dtype=float)
    for method, name in (("bc", "behaviour cloning (off-policy)"), ("on-policy", "on-policy distillation (DAgger)")):
        costs = cl.horizon_costs(m, method)
        vals = np.maximum(np.array([costs[T] for T in Ts]), 1e-4)
        ax.plot(Ts, vals.mean(1), "o-", color=COLORS[method], label=name)
        for T, v in zip(Ts, vals, strict=True):
            ax.scatter([T] * len(v), v, color=COLORS[method], s=10, alpha=0.5)
    eps = float(np.mean([r["eps"] for r in m["horizons"]["rows"]]))
    ax.plot(t, eps * t, "k:", lw=1, label="T·ε (a mistake costs one step)")
    ax.plot(t, eps * t * (t + 1) / 2, "k--", lw=1, label="T(T+1)ε/2 ∝ T²ε (every mistake carried to the end)")
    ax.set(xscale="log", yscale="log", xlabel="horizon T (answer steps; log scale)",
           ylabel="mistakes per episode against the expert (log scale)")  # fmt: skip
    ax.set_xticks(Ts, [str(T) for T in Ts])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.legend(fontsize=7.5)
    ax.set_title(f"{cfg.horizon_task} task, a slip on {cfg.slip_rate:.0%} of steps (ε ≈ {eps:.3f})")
    return Figure(
        "cost-vs-horizon",
        "Mistakes per episode (Ross et al.'s cost: steps where the action differs from what the expert would write "
        "at the state reached) against the horizon T, for students trained at the longest horizon and scored on the "
        f"first T steps, with a slip forced on {cfg.slip_rate:.0%} of steps so that ε is the same at every T; dots "
        "are seeds, lines their mean. The guides are T·ε (dotted) and T(T+1)ε/2 (dashed). On the count task a cloned "
        "student that adds to its own previous answer follows the dashed line; one that learned to recover (DAgger) "
        "the dotted one. On the sum task (the contrast) the expert continues from any state and both follow the "
        "dotted line.",
        fig,
    )


def _distill(m: dict[str, Any], cfg: ImitationConfig) -> Figure:
    ws = cl.widths(m)
    fig = MplFigure(figsize=(4.2 * len(ws), 4.0), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(ws), sharey=True))
    teacher = float(np.mean([t["final_accuracy"] for t in m["distill"]["teachers"]]))
    for ax, w in zip(axes, ws, strict=True):
        for method, name in (("distilled", "distilled (teacher's distribution)"), ("hard", "hard labels")):
            curve = cl.distill_curve(m, method, w)
            steps = sorted(curve)
            acc = np.array([curve[s] for s in steps])
            x = np.maximum(np.array(steps, dtype=float), 1.0)
            ax.plot(x, acc.mean(1), "o-", color=COLORS[method], label=name, ms=3)
            ax.fill_between(x, acc.min(1), acc.max(1), color=COLORS[method], alpha=0.15)
        ax.axhline(teacher, color="k", ls=":", lw=0.8, label="the teachers (mean)")
        ax.axhline(1 / cfg.p, color="grey", ls="--", lw=0.8, label="chance")
        ax.set(xscale="log", title=f"student width {w}", xlabel="training steps (log scale; 0 drawn at 1)",
               ylim=(-0.02, 1.02))  # fmt: skip
    axes[0].set_ylabel("held-out final-answer accuracy")
    axes[0].legend(fontsize=7.5, loc="upper left")
    cap = cl.capacity_point(m)
    return Figure(
        "distilled-vs-overtrained",
        f"Students of each width (running sum, T = {cfg.distill_horizon}) trained from the same initial weights on "
        "the trained teacher's full next-token distribution (green) or on the hard right answers (orange), for the "
        "same steps; lines are the mean over seeds, bands the range. Compare the two colours at each step (equal "
        "steps) and at the right end (convergence within the budget). The capacity point, the narrowest width whose "
        f"hard-label students reach the teacher, was {cap if cap is not None else 'not reached'}; below it capacity "
        "binds, which is where 'overtrained ≈ distilled' is a real question.",
        fig,
    )


def make_figures(m: dict[str, Any], cfg: ImitationConfig) -> list[Figure]:
    return [_samples(m, cfg), _horizons(m, cfg), _distill(m, cfg)]


def _round(r: dict[str, Any]) -> dict[str, Any]:
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}


def overtrained_rows(m: dict[str, Any]) -> list[dict[str, Any]]:
    """Per width: both kinds' accuracy at the last evaluation and the per-seed gap hard − distilled (mean, 95% CI over
    the teachers' means)."""
    rows, chance = [], float(m["distill"]["chance"])
    for w in cl.widths(m):
        d, h = cl.distill_curve(m, "distilled", w), cl.distill_curve(m, "hard", w)
        last = max(d)
        teacher = cl.teacher_of(m)  # the interval over the independent teachers, as the claims form theirs
        gap = cl.unit_estimate([b - a for a, b in zip(d[last], h[last], strict=True)],
                               [teacher[j] for j in range(len(d[last]))], "teachers")  # fmt: skip
        rows.append(_round({
            "width": w, "step": last, "hard": float(np.mean(h[last])), "distilled": float(np.mean(d[last])),
            "hard − distilled": gap.value, "95% CI low": gap.lo, "95% CI high": gap.hi,
            "both kinds learned": bool(min(np.mean(d[last]), np.mean(h[last])) >= chance + cl.ARM_MARGIN),
        }))  # fmt: skip
    return rows


def make_tables(m: dict[str, Any], cfg: ImitationConfig) -> list[Table]:
    ratio_rows = []
    teachers = ", ".join(f"{float(t['final_accuracy']):.3f}" for t in m["distill"]["teachers"])
    T = m["sft_vs_rl"]["T"]
    sft_cost, rl_cost = cl.token_passes("sft", T), cl.token_passes("rl", T)
    for target in cl.TARGETS:
        sft, rl, op = (cl.samples_to(m, k, target) for k in ("sft", "rl", "on-policy"))
        for s, (a, b, c) in enumerate(zip(sft, rl, op, strict=True)):
            ratio_rows.append({
                "target accuracy": target, "seed": s,
                "SFT samples": f"{a[0]:.0f}" if a[1] else f"> {a[0]:.0f}",
                "on-policy samples": f"{c[0]:.0f}" if c[1] else f"> {c[0]:.0f}",
                "RL episodes": f"{b[0]:.0f}" if b[1] else f"> {b[0]:.0f}",
                "RL / SFT": (f"{b[0] / a[0]:.1f}" if b[1] else f"> {b[0] / a[0]:.1f}") if a[1] and a[0] > 0 else "n/a",
                "RL / SFT in compute": (f"{b[0] * rl_cost / (a[0] * sft_cost):.1f}" if b[1]
                                        else f"> {b[0] * rl_cost / (a[0] * sft_cost):.1f}") if a[1] and a[0] > 0
                else "n/a",
            })  # fmt: skip
    bits = cl.bits_ratios(m)
    margin_rows = [
        r | {"bits ratio (demonstration / reward)": round(b, 2)} for r, b in zip(cl.margins(m), bits, strict=True)
    ]
    horizon_rows = [
        _round(r | {"cost / (T·ε)": r["cost"] / (r["T"] * r["eps"]) if r["eps"] > 0 else float("nan")})
        for r in sorted(m["horizons"]["rows"], key=lambda r: (r["T"], r["method"], r["seed"]))
    ]
    distill_rows = [_round(r) for r in sorted(m["distill"]["rows"], key=lambda r: (r["width"], r["method"],
                                                                                    r["step"], r["seed"]))]  # fmt: skip
    return [
        Table("overtrained-vs-distilled", "A described measurement, not a claim: per width, hard-label and distilled "
              "students' held-out accuracy at the end of the budget (mean over seeds) and the hard − distilled gap "
              "with its 95% t-interval over seeds. Chan's 'over trained ≈ distilled low parameter models' has no "
              "contrast here under which it must fail (the teacher is right everywhere, so both targets share their "
              f"argmax); the brief reads the width {cl.tested_width(m)} where both kinds learned; the capacity point "
              f"(hard-label students within 5 points of the teacher) was {cl.capacity_point(m)}.",
              overtrained_rows(m)),
        Table("samples-to-target", "Samples each method needed from its replicate's checkpoint to reach each held-out "
              "accuracy target, per seed ('>' : not reached within the budget, so the ratio is a lower bound), and "
              "RL's over SFT's in compute as well as in samples (Qwen3 compares GPU hours): a sample costs "
              f"{sft_cost} token passes for SFT (a forward and backward pass over 2T − 1 = {2 * T - 1} tokens) and "
              f"{rl_cost} for RL and on-policy distillation (their own rollout first, re-encoding the prefix at every "
              "step).",
              ratio_rows),
        Table("equal-samples-margins", "Accuracy of each method at the SFT budget (equal samples), per seed, the "
              "checkpoint's accuracy, and the bits ratio: a demonstration's bits over the mean entropy of RL's reward.",
              margin_rows),
        Table("horizons", f"Behaviour cloning vs on-policy distillation on the {cfg.horizon_task} task, scored on the "
              "first T steps with slips: cost (mistakes per episode against the expert), ε (the slipping policy's "
              "per-step error on the expert's states) and cost/(T·ε), 1 without compounding.", horizon_rows),
        Table("error-on-and-off-path", "Each student's error rate at its own (unslipped) steps on the expert's path "
              "and off it (after an earlier wrong answer), and how many off-path steps that rests on.",
              [_round(r) for r in m["horizons"]["paths"]]),
        Table("distillation", "Distilled and hard-label students per width and step on held-out prompts; the trained "
              f"teachers reached {teachers}.", distill_rows, collapsed=True),
    ]  # fmt: skip
