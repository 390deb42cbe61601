"""The report: a self-contained static HTML site (figures inline) plus Markdown.

``index.html`` shows every study's verdicts at a glance; ``<study>.html`` gives the plain-language
brief, figures, claims (paper vs measured, with uncertainty), probes, tables, and each run's config
and provenance. Every string that came from a config, a run or a model is escaped: Jinja's
autoescape in HTML, Markdown rendered with raw HTML disabled, and table cells escaped in Markdown.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from skeptic.core.claims import VERDICTS
from skeptic.core.replicate import ROBUSTNESS_MAP_CAPTION
from skeptic.core.runner import RunResult
from skeptic.core.store import Store, StoredReplication
from skeptic.core.study import Study, all_studies

PRESET_ORDER = ("paper", "quick", "test")
"""Which preset's run leads a study's page: the closest to the paper that has been run."""

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")

VERDICT_WORDS = {
    "replicated": "replicated",
    "not_replicated": "not replicated",
    "inconclusive": "inconclusive",
    "untrusted": "untrusted (a probe failed)",
}


def markdown_to_html(text: str) -> Markup:
    """Render trusted prose as Markdown; raw HTML in it is shown as text, never interpreted."""
    return Markup(_markdown.render(text))


def md_cell(value: Any) -> str:
    """Escape a value for a Markdown table cell: no raw HTML, no column breaks, no line breaks."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class StudyPage:
    study: Study[Any]
    runs: list[RunResult]
    """Latest completed run per preset, the leading one first."""
    history: list[dict[str, Any]]
    replication: StoredReplication | None = None
    """The study's latest replication (``skeptic replicate``), shown in its own section."""

    @property
    def lead(self) -> RunResult | None:
        return self.runs[0] if self.runs else None

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9-]", "-", self.study.name.lower())

    def found(self) -> str:
        run = self.lead
        if run is None:
            return "Not run yet. Run it with `skeptic run " + self.study.name + "`."
        if self.study.brief.found is not None:
            return self.study.brief.found(run)
        return summarize_verdicts(run)


def summarize_verdicts(run: RunResult) -> str:
    """A plain-language summary of a run's verdicts, for when a study writes no `found` of its own."""
    counts = {v: sum(c["verdict"] == v for c in run.claims) for v in VERDICTS}
    total = len(run.claims)
    head = (
        f"On the `{run.preset}` preset, {counts['replicated']} of {total} claims replicated, "
        f"{counts['not_replicated']} did not, {counts['inconclusive']} were inconclusive"
    )
    if counts["untrusted"]:
        head += f" and {counts['untrusted']} are untrusted because a control check failed"
    lines = [head + "."]
    for c in run.claims:
        lines.append(f"- **{c['statement']}**: {VERDICT_WORDS[c['verdict']]} (measured {c['measured']}).")
    return "\n".join(lines)


def _history(store: Store, name: str) -> list[dict[str, Any]]:
    rows = []
    for r in store.runs(study=name):
        rows.append(
            {
                "run_id": r.run_id,
                "preset": r.preset,
                "seed": r.seed,
                "status": r.shown_status,
                "started": datetime.fromtimestamp(r.started_at, UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "duration": f"{r.duration_s:.1f} s" if r.duration_s is not None else "",
            }
        )
    return rows


def collect_pages(store: Store, studies: Sequence[Study[Any]] | None = None) -> list[StudyPage]:
    """For each study: its latest completed run per preset, and its run history."""
    pages = []
    for s in studies if studies is not None else all_studies():
        completed = store.runs(study=s.name, status="completed")
        latest: dict[str, RunResult] = {}
        for record in completed:  # newest first
            if record.preset not in latest:
                latest[record.preset] = RunResult.from_record(record, store.figures(record.run_id))
        order = [p for p in PRESET_ORDER if p in latest] + sorted(p for p in latest if p not in PRESET_ORDER)
        replications = store.replications(study=s.name)
        pages.append(StudyPage(s, [latest[p] for p in order], _history(store, s.name), next(iter(replications), None)))
    return pages


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("skeptic.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = markdown_to_html
    env.filters["b64"] = lambda data: base64.b64encode(data).decode()
    env.filters["pretty_json"] = lambda value: json.dumps(value, indent=2, sort_keys=True, default=str)
    env.filters["md_cell"] = md_cell
    env.globals["verdict_words"] = VERDICT_WORDS
    return env


def write_report(store: Store, out_dir: Path | str, studies: Sequence[Study[Any]] | None = None) -> Path:
    """Write ``index.html``, ``index.md`` and a page of each kind per study into ``out_dir``."""
    out = Path(out_dir)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    pages = collect_pages(store, studies)
    env = _environment()
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    context = {"pages": pages, "generated": generated, "store": str(store.path)}
    (out / "index.html").write_text(env.get_template("index.html.j2").render(**context), encoding="utf-8")
    (out / "index.md").write_text(env.get_template("index.md.j2").render(**context), encoding="utf-8")
    for page in pages:
        figure_files: dict[tuple[str, int], str] = {}
        for run in page.runs:
            for i, fig in enumerate(run.figures):
                name = f"{page.slug}-{run.preset}-{i}.png"
                (out / "figures" / name).write_bytes(fig.png)
                figure_files[(run.run_id, i)] = f"figures/{name}"
        replication_file = None
        if page.replication is not None and page.replication.map_png:
            replication_file = f"figures/{page.slug}-replication.png"
            (out / replication_file).write_bytes(page.replication.map_png)
        page_context = {
            "page": page,
            "generated": generated,
            "figure_files": figure_files,
            "replication_file": replication_file,
            "replication_caption": ROBUSTNESS_MAP_CAPTION,
        }
        html = env.get_template("study.html.j2").render(**page_context)
        (out / f"{page.slug}.html").write_text(html, encoding="utf-8")
        md = env.get_template("study.md.j2").render(**page_context)
        (out / f"{page.slug}.md").write_text(md, encoding="utf-8")
    return out / "index.html"


__all__ = ["markdown_to_html", "md_cell", "summarize_verdicts", "write_report"]
