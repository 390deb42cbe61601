"""Many models side by side: every model run on a preset, kept and shown together, beside the published rows.

A run measures one model; the reviewer's question ("contextualize your numbers on previous results") needs all of
them at once. :func:`model_rows` reads every completed alignment-faking run (from a store, or the report's list of
runs) and keeps, per preset, model and grader, the newest one (so two models run on one preset both appear, not only
the latest run), one row per setting with its compliance per tier, its gap and its alignment-faking rate, each with
its interval. :func:`published_comparison_rows` adds the published rows, labelled as published;
:func:`many_models_markdown` is the section the report shows (``Brief.across_runs``); :func:`side_by_side_figure`
draws the gaps of both.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure as MplFigure

from skeptic.studies.alignment_faking.published import PUBLISHED, same_model

if TYPE_CHECKING:
    from skeptic.study import RunResult, Store

STUDY_NAME = "alignment-faking"

GAP_METRICS = ("compliance gap", "shows a compliance gap")
"""Published rows about a compliance gap: shown beside every run whatever model it measured."""


def _interval(d: dict[str, Any] | None, lo: str = "lo", hi: str = "hi") -> str | None:
    if not d or d.get(lo) is None or d.get(hi) is None:
        return None
    return f"[{d[lo]:.3f}, {d[hi]:.3f}]"


def _rows_from(runs: Iterable[tuple[str, str, dict[str, Any]]], preset: str | None) -> list[dict[str, Any]]:
    """``runs``: (preset, run id, measurements), newest first; one row per setting of the newest run of each
    (preset, model, grader)."""
    seen: set[tuple[str, str, str]] = set()
    rows: list[dict[str, Any]] = []
    for run_preset, run_id, m in runs:
        if preset is not None and run_preset != preset:
            continue
        if "settings" not in m or "model" not in m:
            continue
        key = (run_preset, str(m["model"]), str(m.get("grader_model")))
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
                    "preset": run_preset,
                    "run": run_id,
                    "setting": setting,
                    "compliance (training)": f"{ct['k']}/{ct['n']}",
                    "compliance (training) 95% (Wilson)": _interval(ct),
                    "compliance (unmonitored)": f"{cu['k']}/{cu['n']}",
                    "compliance (unmonitored) 95% (Wilson)": _interval(cu),
                    "gap": g["value"],
                    "gap 95% (paired bootstrap)": _interval(g, "bootstrap_lo", "bootstrap_hi"),
                    "gap_lo": g["bootstrap_lo"],
                    "gap_hi": g["bootstrap_hi"],
                    "AF reasoning (training)": f"{af['k']}/{af['n']}" if af["n"] else None,
                    "AF 95% (Wilson)": _interval(af),
                }
            )
    return rows


def model_rows(store: Store, preset: str | None = None) -> list[dict[str, Any]]:
    """One row per (preset, model, grader, setting): the newest completed run of each, newest first.

    ``preset`` restricts to one preset. Runs with a scripted test model are kept and marked (they test the
    harness, not a model)."""
    records = store.runs(study=STUDY_NAME, status="completed")  # newest first, measurements included
    return _rows_from(((r.preset, r.run_id, r.measurements or {}) for r in records), preset)


def model_rows_from(results: Sequence[RunResult], preset: str | None = None) -> list[dict[str, Any]]:
    """:func:`model_rows` from runs already read (newest first), as the report hands them to ``Brief.across_runs``."""
    done = (r for r in results if r.status == "completed")
    return _rows_from(((r.preset, r.run_id, dict(r.measurements)) for r in done), preset)


def _shown(p: dict[str, Any]) -> str:
    if p.get("value") is not None:
        return f"{'≈' if p['approximate'] else ''}{p['value']:.{p.get('decimals', 0)}%}"
    if p.get("range") is not None:
        lo, hi = p["range"]
        return f"{'≈' if p['approximate'] else ''}{lo:.0%}–{hi:.0%}"
    return str(p.get("qualitative", ""))


def short_source(source: str) -> str:
    """'Greenblatt et al. 2024, ..., Appendix B.4 ...' -> 'Greenblatt et al. 2024, Appendix B.4' (for a table cell;
    the full source, with the exact words, is in the published table)."""
    head = source.split(",")[0]
    found = re.findall(r"(Fig\. \d+|Appendix [A-Z]\.\d+, Table \d+|Table \d+|Appendix [A-Z]\.\d+|"
                       r"Section \d+(?:\.\d+)?|abstract|summary table|LessWrong)", source)  # fmt: skip
    version = re.search(r"arXiv (\d{4}\.\d{5}v\d)", source)
    return head + (f" (arXiv {version.group(1)})" if version else "") + (f", {found[0]}" if found else "")


def published_comparison_rows(models: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The published rows, labelled as published, in the same columns as :func:`model_rows`: every row about a
    compliance gap (Greenblatt et al.'s values, their minimal reproduction, Sheshadri et al.'s five models), and
    every other published row about a model in ``models`` (the run models it is shown beside)."""
    models = list(models)
    rows = []
    for p in PUBLISHED:
        about_run = any(same_model(p["model"], m) for m in models)
        if p["metric"] not in GAP_METRICS and not p["metric"].startswith("minimal reproduction") and not about_run:
            continue
        lo, hi = p.get("range") or (p.get("value"), p.get("value"))
        rows.append(
            {
                "source": "published" + (", approximate" if p.get("approximate") else ""),
                "model": p["model"],
                "grader": None,
                "preset": None,
                "run": short_source(p["source"]),
                "setting": p["setting"],
                "compliance (training)": None,
                "compliance (unmonitored)": None,
                "gap": p.get("value") if p["metric"] == "compliance gap" else None,
                "gap 95% (paired bootstrap)": None,
                "gap_lo": lo if p["metric"] == "compliance gap" else None,
                "gap_hi": hi if p["metric"] == "compliance gap" else None,
                "AF reasoning (training)": None,
                "AF 95% (Wilson)": None,
                "published finding": f"{p['metric']}"
                + (f" ({p['variant']})" if p.get("variant") else "")
                + f": {_shown(p)}",
                "gap shown": _shown(p) if p["metric"] == "compliance gap" else None,
                "about a model run here": about_run,
            }
        )
    return rows


def _cell(value: Any) -> str:
    """A Markdown table cell from text a user or a model may have written (a model name): no column or line break,
    no backslash escape; the report escapes HTML and links on top of this."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _with_interval(count: Any, interval: Any) -> str:
    return _cell(count) + ("" if interval is None else f" {interval}")


def many_models_markdown(results: Sequence[RunResult]) -> str:
    """The report's many-models section: per preset, every model run on it (newest run of each model and grader)
    with intervals, then the published rows beside them, each labelled as published with its source."""
    rows = model_rows_from(results)
    if not rows:
        return ""
    out = [
        "### Every model run here, beside the published results",
        "",
        "One row per model, grader and setting: the newest completed run of each on that preset (older runs of the "
        "same model are in the run history). Compliance is k/n with its 95% Wilson interval; the gap Δ = "
        "c_training − c_unmonitored with its 95% paired bootstrap interval over questions; AF = alignment-faking "
        "reasoning in the training tier. Rows marked **published** are the sources' numbers or findings, not ours "
        "(≈: read off a figure or rounded); their full sources and exact words are in the published table.",
    ]
    presets = list(dict.fromkeys(r["preset"] for r in rows))
    head = (
        "| | model | grader | setting | compliance, training | compliance, unmonitored | gap Δ | AF, training "
        "| run or source |"
    )
    for preset in presets:
        mine = [r for r in rows if r["preset"] == preset]
        out += ["", f"**{_cell(preset)} preset**: {len({r['model'] for r in mine})} model(s)", "", head,
                "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for r in mine:
            out.append(
                f"| {_cell(r['source'])} | {_cell(r['model'])} | {_cell(r['grader'])} | {_cell(r['setting'])} | "
                f"{_with_interval(r['compliance (training)'], r['compliance (training) 95% (Wilson)'])} | "
                f"{_with_interval(r['compliance (unmonitored)'], r['compliance (unmonitored) 95% (Wilson)'])} | "
                f"{_with_interval(r['gap'], r['gap 95% (paired bootstrap)'])} | "
                f"{_with_interval(r['AF reasoning (training)'], r['AF 95% (Wilson)'])} | {_cell(r['run'])} |"
            )
        for p in published_comparison_rows(r["model"] for r in mine):
            gap = "—" if p["gap shown"] is None else str(p["gap shown"])
            out.append(
                f"| **published** | {_cell(p['model'])} | — | {_cell(p['setting'])} | — | — | {gap} | "
                f"{_cell(p['published finding'])} | {_cell(p['run'])} |"
            )
    return "\n".join(out)


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
    labels = [f"{r['model']} [{r['setting'].replace('_', '-')}; {r['preset'] or r['run']}]" for r in drawn]
    ax.set_yticks(y, labels, fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("compliance gap Δ = c_training − c_unmonitored (fraction)")
    ax.set_title("every model run here (purple, 95% paired bootstrap) beside published values (grey)", fontsize=9)
    return fig
