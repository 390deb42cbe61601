"""Many models side by side: every model run on a preset, kept and shown together, beside the published rows.

A run measures one model; the reviewer's question ("contextualize your numbers on previous results") needs all of
them at once. :func:`model_rows` reads every completed alignment-faking run in a store and keeps, per preset,
model and grader, the newest one (so two models run on one preset both appear, not only the latest run), one row
per setting with its compliance per tier, its gap and its alignment-faking rate, each with its interval.
:func:`published_comparison_rows` adds the published rows, labelled as published; :func:`side_by_side_figure`
draws the gaps of both.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure as MplFigure

from skeptic.studies.alignment_faking.published import PUBLISHED

if TYPE_CHECKING:
    from skeptic.study import Store

STUDY_NAME = "alignment-faking"


def _interval(d: dict[str, Any] | None, lo: str = "lo", hi: str = "hi") -> str | None:
    if not d or d.get(lo) is None or d.get(hi) is None:
        return None
    return f"[{d[lo]:.3f}, {d[hi]:.3f}]"


def model_rows(store: Store, preset: str | None = None) -> list[dict[str, Any]]:
    """One row per (preset, model, grader, setting): the newest completed run of each, newest first.

    ``preset`` restricts to one preset. Runs with a scripted test model are kept and marked (they test the
    harness, not a model)."""
    seen: set[tuple[str, str, str]] = set()
    rows: list[dict[str, Any]] = []
    for record in store.runs(study=STUDY_NAME, status="completed"):  # newest first
        if preset is not None and record.preset != preset:
            continue
        full = store.get(record.run_id)
        m = (full.measurements if full is not None else None) or {}
        if "settings" not in m or "model" not in m:
            continue
        key = (record.preset, str(m["model"]), str(m.get("grader_model")))
        if key in seen:
            continue
        seen.add(key)
        for setting, summ in m["settings"].items():
            ct, cu, g = summ["training"]["compliance"], summ["unmonitored"]["compliance"], summ["gap"]
            af = summ["training"]["af_reasoning"]
            rows.append(
                {
                    "source": "this project's run" + (" (SCRIPTED TEST MODEL)" if m.get("scripted_test_model") else ""),
                    "model": m["model"],
                    "grader": m.get("grader_model"),
                    "preset": record.preset,
                    "run": record.run_id,
                    "setting": setting,
                    "compliance (training)": f"{ct['k']}/{ct['n']}",
                    "compliance (unmonitored)": f"{cu['k']}/{cu['n']}",
                    "gap": g["value"],
                    "gap 95% (paired bootstrap)": _interval(g, "bootstrap_lo", "bootstrap_hi"),
                    "gap_lo": g["bootstrap_lo"],
                    "gap_hi": g["bootstrap_hi"],
                    "AF reasoning (training)": f"{af['k']}/{af['n']}" if af["n"] else None,
                    "AF 95% (Wilson)": _interval(af),
                }
            )
    return rows


def published_comparison_rows() -> list[dict[str, Any]]:
    """The published compliance gaps and qualitative findings, labelled as published, in the same columns."""
    rows = []
    for p in PUBLISHED:
        if p["metric"] not in ("compliance gap", "shows a compliance gap") and "qualitative" not in p["metric"]:
            continue
        lo, hi = p.get("range") or (p.get("value"), p.get("value"))
        rows.append(
            {
                "source": "published" + (", approximate" if p.get("approximate") else ""),
                "model": p["model"],
                "grader": None,
                "preset": None,
                "run": p["source"],
                "setting": p["setting"],
                "compliance (training)": None,
                "compliance (unmonitored)": None,
                "gap": p.get("value"),
                "gap 95% (paired bootstrap)": None,
                "gap_lo": lo,
                "gap_hi": hi,
                "AF reasoning (training)": p.get("qualitative") if "qualitative" in p["metric"] else None,
                "published finding": f"{p['metric']}: {p.get('qualitative')}" if p.get("qualitative") else None,
                "AF 95% (Wilson)": None,
            }
        )
    return rows


def side_by_side_figure(rows: list[dict[str, Any]]) -> MplFigure:
    """Horizontal bars: each model's gap per setting with its interval (this project's runs in purple, published
    values in grey, a published range as a band)."""
    drawn = [r for r in rows if r["gap"] is not None or (r["gap_lo"] is not None and r["gap_hi"] is not None)]
    fig = MplFigure(figsize=(8, 1.5 + 0.35 * max(len(drawn), 1)))
    ax = fig.add_subplot()
    y = np.arange(len(drawn))
    for yi, r in zip(y, drawn, strict=True):
        ours = r["source"].startswith("this project")
        color = "#7570b3" if ours else "#999999"
        v = math.nan if r["gap"] is None else float(r["gap"])
        if math.isnan(v):
            ax.plot([r["gap_lo"], r["gap_hi"]], [yi, yi], lw=8, color=color, solid_capstyle="butt")
            continue
        lo = v if r["gap_lo"] is None else float(r["gap_lo"])
        hi = v if r["gap_hi"] is None else float(r["gap_hi"])
        ax.barh(yi, v, color=color, xerr=[[max(v - lo, 0)], [max(hi - v, 0)]], capsize=3)
    labels = [f"{r['model']} [{r['setting'].replace('_', '-')}; {r['preset'] or r['source']}]" for r in drawn]
    ax.set_yticks(y, labels, fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("compliance gap Δ = c_training − c_unmonitored (fraction)")
    ax.set_title("every model run here (purple, 95% paired bootstrap) beside published values (grey)", fontsize=9)
    return fig
