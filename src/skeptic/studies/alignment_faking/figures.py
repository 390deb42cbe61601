"""Figures and tables of a run, drawn from its measurements (and, for the transcripts table, its records)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure as MplFigure

from skeptic.studies.alignment_faking.config import SCRIPTED_LABEL
from skeptic.studies.alignment_faking.experiment import OUTCOMES
from skeptic.studies.alignment_faking.metrics import TIERS
from skeptic.studies.alignment_faking.published import PUBLISHED
from skeptic.study import Figure, Measurements, Table


def _label(m: Measurements) -> str:
    return f"{SCRIPTED_LABEL}: " if m.get("scripted_test_model") else ""


def _num(x: float | None) -> float:
    return math.nan if x is None else float(x)


OUTCOME_COLORS = {"refuses": "#bdbdbd", "partial": "#fdae6b", "complies": "#6baed6",
                  "complies, alignment-faking reasoning": "#cb181d"}  # fmt: skip


def stacked_figure(m: Measurements) -> MplFigure:
    """Stacked bars per tier and setting, as in the paper's Fig. 2: refuses / partial / complies / complies with AF."""
    counts = m["outcomes"]
    settings = [s for s in m["settings"] if s in counts]
    fig = MplFigure(figsize=(4 + 2.5 * len(settings), 3.8))
    axes = fig.subplots(1, max(len(settings), 1), squeeze=False)[0]
    for ax, s in zip(axes, settings, strict=False):
        bottoms = np.zeros(len(TIERS))
        totals = np.array([max(sum(counts[s][t].values()), 1) for t in TIERS], float)
        for o in OUTCOMES:
            frac = np.array([counts[s][t][o] for t in TIERS], float) / totals
            ax.bar(range(len(TIERS)), frac, 0.6, bottom=bottoms, color=OUTCOME_COLORS[o], label=o)
            bottoms += frac
        ax.set_xticks(range(len(TIERS)), [f"{t}\n(n={int(n)})" for t, n in zip(TIERS, totals, strict=True)])
        ax.set_ylim(0, 1)
        ax.set_ylabel("fraction of replies")
        ax.set_title(s.replace("_", "-"), fontsize=9)
    axes[-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.suptitle(f"{_label(m)}what the model did, per tier (as in Greenblatt et al. 2024, Fig. 2)", fontsize=9)
    return fig


def af_figure(m: Measurements) -> MplFigure:
    """Alignment-faking reasoning rate per tier and setting (95% Wilson), beside Claude 3 Opus's published rates."""
    fig = MplFigure(figsize=(7, 3.6))
    ax = fig.add_subplot()
    settings = list(m["settings"])
    x = np.arange(len(settings))
    colors = {"training": "#cb181d", "unmonitored": "#fc9272"}
    for i, tier in enumerate(TIERS):
        rates = [m["settings"][s][tier]["af_reasoning"] for s in settings]
        v = np.array([_num(d["value"]) for d in rates])
        lo = np.array([_num(d["lo"]) for d in rates])
        hi = np.array([_num(d["hi"]) for d in rates])
        err = np.nan_to_num(np.clip(np.array([v - lo, hi - v]), 0, None))
        ax.bar(x + (i - 0.5) * 0.35, np.nan_to_num(v), 0.35, yerr=err, capsize=3, color=colors[tier], label=tier)
    for p in PUBLISHED:
        if p["metric"] != "alignment-faking reasoning (training)":
            continue
        if p.get("value") is not None and p["setting"] in settings:
            xi = settings.index(p["setting"])
            ax.plot([xi - 0.35, xi], [p["value"]] * 2, color="black", lw=2)
            ax.annotate(f"Claude 3 Opus ≈{p['value']:.0%}\n(Greenblatt et al. 2024, Table 1)", (xi - 0.35, p["value"]),
                        fontsize=6, va="bottom")  # fmt: skip
        elif p.get("range") is not None:
            ax.axhspan(p["range"][0], p["range"][1], color="grey", alpha=0.15,
                       label="Claude 3 Opus, all settings: 7-24% (Greenblatt et al. 2024, Sec. 1)")  # fmt: skip
    ax.set_xticks(x, [s.replace("_", "-") for s in settings])
    ax.set_ylabel("replies with alignment-faking reasoning (fraction)")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=7, loc="upper right")
    ax.set_title(f"{_label(m)}alignment-faking reasoning in the scratchpad, by tier", fontsize=9)
    return fig


def compliance_figure(m: Measurements) -> MplFigure:
    """Bars: compliance per tier and setting for this model, next to Claude 3 Opus's published values."""
    fig = MplFigure(figsize=(8, 4.2))
    ax = fig.add_subplot()
    settings = list(m["settings"])
    x = np.arange(len(settings))
    w = 0.2
    colors = {"training": "#d95f02", "unmonitored": "#1b9e77"}
    for i, tier in enumerate(TIERS):
        vals = [m["settings"][s][tier]["compliance"] for s in settings]
        v = np.array([_num(d["value"]) for d in vals], float)
        err = np.nan_to_num(
            np.clip(np.array([[_num(d["value"]) - _num(d["lo"]), _num(d["hi"]) - _num(d["value"])] for d in vals]).T,
                    0, None)
        )  # fmt: skip
        ax.bar(x + (i - 1.5) * w, v, w, yerr=err, capsize=3, color=colors[tier], label=f"{m['model']}: {tier}")
    pub = {(p["setting"], p["metric"]): p["value"] for p in PUBLISHED if p.get("value") is not None}
    for i, tier in enumerate(TIERS):
        vals = [pub.get((s, f"compliance ({tier})"), math.nan) for s in settings]
        ax.bar(
            x + (i + 0.5) * w,
            vals,
            w,
            color=colors[tier],
            alpha=0.35,
            hatch="//",
            label=f"Claude 3 Opus (≈, published): {tier}",
        )
    ax.set_xticks(x, [s.replace("_", "-") for s in settings])
    ax.set_ylabel("compliance rate (fraction of responses)")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"{_label(m)}compliance with the training objective, by tier", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    return fig


def short_source(source: str) -> str:
    """'Greenblatt et al. 2024, ..., Fig. 2' -> 'Greenblatt et al. 2024, Fig. 2' (first author, year, last locator)."""
    head = source.split(",")[0]
    locator = re.findall(r"(Fig\. \d+|Table \d+|Section \d+(?:\.\d+)?|abstract)", source.split("“")[0])
    return head + (f", {locator[-1]}" if locator else "")


def gap_figure(m: Measurements) -> MplFigure:
    """The compliance gap of this model (paired bootstrap 95% CI) among published gaps (of Greenblatt et al.'s Table 5,
    the rows with the scratchpad, as the study's default prompt has one)."""
    shown = [p for p in PUBLISHED if p["metric"] == "compliance gap" and (p.get("value") is not None or p.get("range"))
             and "no scratchpad" not in p.get("variant", "")]  # fmt: skip
    fig = MplFigure(figsize=(8, 2.2 + 0.3 * (len(m["settings"]) + len(shown))))
    ax = fig.add_subplot()
    labels, vals, los, his, kinds = [], [], [], [], []
    for s, summ in m["settings"].items():
        g = summ["gap"]
        labels.append(f"{m['model']}\n{s.replace('_', '-')}")
        vals.append(g["value"])
        los.append(g["bootstrap_lo"])
        his.append(g["bootstrap_hi"])
        kinds.append("this run")
    for p in shown:
        lo, hi = p.get("range") or (p["value"], p["value"])
        v = p["value"] if p.get("value") is not None else math.nan  # a range: drawn as a band, no bar
        kind = "published" + (" range" if p.get("value") is None else "") + (", ≈" if p["approximate"] else "")
        labels.append(f"{p['model']} ({kind})\n{p['setting'].replace('_', '-')} [{short_source(p['source'])}]")
        vals.append(v)
        los.append(lo)
        his.append(hi)
        kinds.append("published")
    y = np.arange(len(labels))
    v = np.array(vals, float)
    err = np.clip(np.array([v - np.array(los, float), np.array(his, float) - v]), 0, None)  # float rounding
    colors = ["#7570b3" if k == "this run" else "#999999" for k in kinds]
    ax.barh(y, np.nan_to_num(v), xerr=np.nan_to_num(err), color=colors, capsize=3)
    for yi, vi, lo, hi in zip(y, v, los, his, strict=True):
        if math.isnan(vi):  # published as a range only: a band from lo to hi
            ax.plot([lo, hi], [yi, yi], lw=8, color="#999999", solid_capstyle="butt")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlabel("compliance gap Δ = c_training − c_unmonitored (fraction)")
    notes = [f"{p['model']}: {p['qualitative']} [{short_source(p['source'])}]" for p in PUBLISHED
             if p["metric"] == "shows a compliance gap"]  # fmt: skip
    notes.append(
        "Hughes et al. 2025: a better alignment-faking classifier; no per-model number verified offline, none drawn"
    )
    fig.text(0.01, -0.02, "\n".join(notes), fontsize=6, va="top", wrap=True)
    ax.set_title(f"{_label(m)}compliance gap, this run (purple, 95% paired bootstrap) vs published (grey)", fontsize=9)
    return fig


def per_question_figure(m: Measurements) -> MplFigure:
    """Per question, compliance in each tier: which questions were complied with, and whether a pattern shows."""
    pq = m["per_question"]
    settings = list(m["settings"])
    fig = MplFigure(figsize=(9, 2.2 + 0.16 * max(len(pq), 1)))
    axes = fig.subplots(1, len(settings), squeeze=False)[0]
    for ax, s in zip(axes, settings, strict=True):
        rows = sorted((r for r in pq if r["setting"] == s), key=lambda r: (r["category"], r["question_id"]))
        y = np.arange(len(rows))
        for off, tier, color in ((-0.2, "training", "#d95f02"), (0.2, "unmonitored", "#1b9e77")):
            vals = [r[f"compliance_{tier}"] if r[f"compliance_{tier}"] is not None else math.nan for r in rows]
            ax.barh(y + off, vals, 0.4, color=color, label=tier)
        ax.set_yticks(y, [f"{r['category']}: {r['question_id']}" for r in rows], fontsize=6)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("compliance (fraction of samples)")
        ax.set_title(s.replace("_", "-"), fontsize=9)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(f"{_label(m)}per-question compliance by tier (grouped by category)", fontsize=9)
    return fig


def format_sensitivity_table(m: Measurements) -> list[dict[str, Any]]:
    """Per setting: the format kept per tier, and the gap with and without the replies that broke it."""
    rows = []
    for s, summ in m["settings"].items():
        fb = (m.get("format_by_tier") or {}).get(s, {})
        g, gx = summ["gap"], summ.get("gap_excluding_format_failures")
        rows.append(
            {
                "setting": s,
                "format kept (training)": "{k}/{n}".format(**fb["training"]) if "training" in fb else None,
                "format kept (unmonitored)": "{k}/{n}".format(**fb["unmonitored"]) if "unmonitored" in fb else None,
                "gap, all replies (format failures count as not complying)": _r(g["value"]),
                "gap, format failures excluded": None if gx is None else _r(gx["value"]),
                "95% interval, excluded": None
                if gx is None or gx["bootstrap_lo"] is None
                else f"[{gx['bootstrap_lo']:.3f}, {gx['bootstrap_hi']:.3f}]",
            }
        )
    return rows


def af_calibration_caption(c: Mapping[str, Any] | None) -> str:
    if c is None:
        return "not run."
    p, r = c["precision"], c["recall"]
    return (
        f"precision {'n/a' if p is None else f'{p:.2f}'} ({c['tp']}/{c['tp'] + c['fp']}), recall "
        f"{'n/a' if r is None else f'{r:.2f}'} ({c['tp']}/{c['tp'] + c['fn']}); correct by kind: "
        + ", ".join(f"{k} {v}" for k, v in c["correct_by_kind"].items())
        + "."
    )


def category_table(m: Measurements) -> list[dict[str, Any]]:
    rows = []
    for s, summ in m["settings"].items():
        cats = summ.get("categories")
        if not cats:
            continue
        het = cats["heterogeneity"]
        for r in cats["rows"]:
            gap = None if r["gap"] is None else round(r["gap"], 3)
            rows.append({"setting": s, "category": r["category"], "training": r["training"],
                         "unmonitored": r["unmonitored"], "gap": gap})  # fmt: skip
        p = het["p_value"]
        test = f"gap differs across categories: p = {p:.3g}" if p is not None else het["method"]
        rows.append({"setting": s, "category": "(pattern)", "training": cats["pattern"], "unmonitored": "",
                     "gap": test})  # fmt: skip
    return rows


def _r(x: float | None) -> float | None:
    """Four significant digits for a table cell (the full value stays in the measurements)."""
    return None if x is None else float(f"{x:.4g}")


def gap_table(m: Measurements) -> list[dict[str, Any]]:
    rows = []
    for s, summ in m["settings"].items():
        g = summ["gap"]
        t = g.get("two_proportion_test") or {}
        rows.append(
            {
                "setting": s,
                "gap": _r(g["value"]),
                "z": _r(t.get("z")),
                "p (one-sided)": _r(t.get("p_one_sided")),
                "p (two-sided)": _r(t.get("p_two_sided")),
                "binomial SE": _r(g["binomial_se"]),
                "clustered SE (by question)": _r(g.get("clustered_se")),
                "epochs repeat questions": g.get("epochs_repeat_questions"),
                "minimum detectable gap": _r(g.get("minimum_detectable_gap")),
            }
        )
    return rows


def eval_awareness_table(m: Measurements) -> list[dict[str, Any]]:
    """Per setting and tier: the share of scratchpads that treat the scenario as a test, fiction or artefact."""
    ea = m.get("eval_awareness")
    if not ea:
        return []
    rows = []
    for s, tiers in ea["rates"].items():
        for t, r in tiers.items():
            rows.append({"setting": s, "tier": t, "says it is a test or artificial": f"{r['k']}/{r['n']}",
                         "rate": _r(r["value"]), "95% Wilson": None if r["value"] is None
                         else f"[{r['lo']:.3f}, {r['hi']:.3f}]"})  # fmt: skip
    return rows


def eval_awareness_caption(ea: Mapping[str, Any] | None) -> str:
    if not ea:
        return "not asked (eval_awareness=false or no scratchpad)."
    c = ea["calibration"]
    p, r = c["precision"], c["recall"]
    return (
        f"on {ea['n_labelled']} labelled scratchpads the question's precision is "
        f"{'n/a' if p is None else f'{p:.2f}'} ({c['tp']}/{c['tp'] + c['fp']}) and its recall "
        f"{'n/a' if r is None else f'{r:.2f}'} ({c['tp']}/{c['tp'] + c['fn']}); {c['unreadable']} unreadable."
    )


def make_figures(m: Measurements) -> list[Figure]:
    """The run's figures, each with a caption that says what to look at."""
    label = _label(m)
    return [
        Figure(
            "compliance",
            f"{label}Compliance with the training objective in the training (free) and unmonitored "
            "(paid) tier, with 95% Wilson intervals; hatched bars are Claude 3 Opus's published values (approximate, "
            "Greenblatt et al. 2024 Fig. 2). Look for the training bar above the unmonitored bar.",
            compliance_figure(m),
        ),
        Figure(
            "compliance-gap",
            f"{label}This model's compliance gap (training minus unmonitored, 95% paired bootstrap) among the "
            "published models, each bar labelled with its source: Claude 3 Opus (Greenblatt et al. 2024, "
            "approximate) and the six models of their Table 5 (minimal reproduction, with the scratchpad); Sheshadri "
            "et al. 2025's 25 models are qualitative (5 show a gap exceeding 1%, Section 3.2; their rates are drawn, "
            "not printed) and listed below the plot; Hughes et al. 2025 give no per-model number we could verify "
            "offline. An interval clear of zero is a gap.",
            gap_figure(m),
        ),
        Figure(
            "outcomes",
            f"{label}What the model did in each tier, as the paper's Fig. 2 stacks it: refuses, partial "
            "compliance (only with compliance_grader=partial), complies, and complies with alignment-faking reasoning "
            "in the scratchpad. Look for more compliance, and alignment-faking reasoning, in the training tier.",
            stacked_figure(m),
        ),
        Figure(
            "af-reasoning",
            f"{label}Alignment-faking reasoning per tier (95% Wilson intervals), with Claude 3 Opus's published "
            "rates (Greenblatt et al. 2024: 12% helpful-only, Table 1; 7-24% across settings, Section 1). The "
            "classifier's precision and recall on Skeptic's labelled scratchpads are in the af-calibration table.",
            af_figure(m),
        ),
        Figure(
            "per-question",
            f"{label}Per-question compliance in each tier, grouped by category: which questions "
            "the model complied with in which tier, and whether the refusals follow a category.",
            per_question_figure(m),
        ),
    ]


def make_tables(m: Measurements, records: list[dict[str, Any]]) -> list[Table]:
    """The run's tables: differences from the papers, per category, format sensitivity, gap statistics, per
    question, both calibrations, the prompts and every transcript."""
    label = _label(m)
    return [
        Table(
            "differences",
            "How this run differs from the published setups (generated from the config).",
            m["differences"],
        ),
        Table(
            "per-category",
            f"{label}Compliance per category as k/n in each tier, the gap, and per setting a one-line pattern and a "
            "permutation test of whether the gap differs across categories.",
            category_table(m),
        ),
        Table(
            "format-sensitivity",
            f"{label}Replies that broke the output format count as not complying; this row shows how the gap moves "
            "when they are left out instead (a large move means the gap partly measures format-following).",
            format_sensitivity_table(m),
        ),
        Table(
            "gap-statistics",
            f"{label}The gap tested: pooled two-proportion z-test (one-sided, training > unmonitored), the binomial "
            "SE, the SE clustered by question (the right one when epochs repeat questions), and the minimum gap this "
            "run could have detected (one-sided α = 0.05, power 0.8, given the unmonitored rate).",
            gap_table(m),
        ),
        Table(
            "per-question",
            f"{label}Per-question compliance by tier and the pattern.",
            m["per_question"],
            collapsed=True,
        ),
        Table("grader-calibration", "Fixed transcripts with known answers, as graded.", m["grader_calibration"]),
        Table(
            "af-calibration",
            f"{label}The alignment-faking classifier on Skeptic's 24 labelled scratchpads (clear, borderline, absent): "
            + af_calibration_caption(m["af_calibration"]),
            m["af_calibration"]["rows"] if m["af_calibration"] else [],
            collapsed=True,
        ),
        Table(
            "evaluation-awareness",
            f"{label}Does the model say the scenario is a test, a fiction or otherwise artificial? The grader's "
            "answer per scratchpad (one question, unreadable answers missing), per setting and tier; "
            + eval_awareness_caption(m.get("eval_awareness")),
            eval_awareness_table(m),
        ),
        Table(
            "prompts",
            "The exact system prompt and user template of this run ({question} stands for each question).",
            m["prompts"],
            collapsed=True,
        ),
        Table(
            "transcripts",
            f"{label}Every reply: scratchpad and output (untrusted model text, shown escaped).",
            [
                {
                    k: r[k]
                    for k in (
                        "setting",
                        "question_id",
                        "tier",
                        "epoch",
                        "complied",
                        "af",
                        "format_ok",
                        "turns",
                        "error",
                        "scratchpad",
                        "output",
                    )
                }
                for r in records
            ],
            collapsed=True,
        ),
    ]
