"""The report: a self-contained static HTML site (figures inline) plus Markdown.

``index.html`` shows every study's verdicts at a glance; ``<study>.html`` gives the plain-language
brief, figures, claims (paper vs measured, with uncertainty), probes, tables, and each run's config
and provenance. Every string that came from a config, a run or a model is escaped: Jinja's
autoescape in HTML, Markdown rendered with raw HTML, links and images disabled (a store path or model
name interpolated into a brief stays text), and table cells escaped in Markdown. Each page carries a
Content-Security-Policy that allows no network request at all (figures are inline ``data:`` images).

Writing is all or nothing: the destination is checked first (a file where the directory should be,
under a file, read-only, a name too long, ``figures`` or a page that is a directory), every page is
rendered in memory, written into a temporary directory beside the destination and moved into place.
A failure raises :class:`ReportError` (a :class:`~skeptic.core.errors.UsageError`: one line and exit
status 2 in the CLI) and leaves no file of the report behind.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader
from markdown_it import MarkdownIt
from markupsafe import Markup

from skeptic.core.claims import VERDICTS
from skeptic.core.errors import UsageError, shown
from skeptic.core.replicate import ROBUSTNESS_MAP_CAPTION
from skeptic.core.runner import RunResult
from skeptic.core.store import AuditRecord, Store, StoredReplication
from skeptic.core.study import Study, all_studies

PRESET_ORDER = ("paper", "quick", "test")
"""Which preset's run leads a study's page: the closest to the paper that has been run."""

_markdown = (
    MarkdownIt("commonmark", {"html": False}).enable("table").disable(["link", "image", "autolink", "reference"])
)
"""CommonMark with tables; no raw HTML, and no links or images: text interpolated into a brief (a path, a
model name) can never become an element that points elsewhere or loads anything."""


class ReportError(UsageError):
    """The report cannot be written where it was asked to be; nothing was written."""


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
    audit: AuditRecord | None = None
    """The study's latest completed audit (``skeptic audit``)."""
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
        pages.append(
            StudyPage(
                s,
                [latest[p] for p in order],
                _history(store, s.name),
                store.latest_audit(s.name),
                next(iter(replications), None),
            )
        )
    return pages


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("skeptic.report", "templates"),
        # HTML is escaped for HTML; Markdown pages escape once, for Markdown, through the md_cell filter.
        autoescape=lambda name: name is None or not name.endswith(".md.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = markdown_to_html
    env.filters["b64"] = lambda data: base64.b64encode(data).decode()
    env.filters["pretty_json"] = lambda value: json.dumps(value, indent=2, sort_keys=True, default=str)
    env.filters["md_cell"] = md_cell
    env.globals["verdict_words"] = VERDICT_WORDS
    return env


def render_report(store: Store, studies: Sequence[Study[Any]] | None = None) -> dict[str, bytes]:
    """Every file of the report, by path relative to its directory: ``index.html``, ``index.md``, a page of
    each kind per study and ``figures/*.png``. Reads the store; writes nothing."""
    pages = collect_pages(store, studies)
    env = _environment()
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    context = {"pages": pages, "generated": generated, "store": str(store.path)}
    files: dict[str, bytes] = {
        "index.html": env.get_template("index.html.j2").render(**context).encode(),
        "index.md": env.get_template("index.md.j2").render(**context).encode(),
    }
    for page in pages:
        figure_files: dict[tuple[str, int], str] = {}
        for run in page.runs:
            for i, fig in enumerate(run.figures):
                name = f"figures/{page.slug}-{run.preset}-{i}.png"
                files[name] = fig.png
                figure_files[(run.run_id, i)] = name
        replication_file = None
        if page.replication is not None and page.replication.map_png:
            replication_file = f"figures/{page.slug}-replication.png"
            files[replication_file] = page.replication.map_png
        page_context = {
            "page": page,
            "generated": generated,
            "figure_files": figure_files,
            "replication_file": replication_file,
            "replication_caption": ROBUSTNESS_MAP_CAPTION,
        }
        files[f"{page.slug}.html"] = env.get_template("study.html.j2").render(**page_context).encode()
        files[f"{page.slug}.md"] = env.get_template("study.md.j2").render(**page_context).encode()
    return files


def write_report(store: Store, out_dir: Path | str, studies: Sequence[Study[Any]] | None = None) -> Path:
    """Write ``index.html``, ``index.md`` and a page of each kind per study into ``out_dir``, all or nothing.

    Files of an earlier report in ``out_dir`` are replaced; other files there are left alone.
    """
    out = Path(out_dir)
    check_destination(out)
    files = render_report(store, studies)
    check_destination(out, files)
    install(out, files)
    return out / "index.html"


def _fail(out: Path, why: str) -> ReportError:
    return ReportError(f"cannot write the report to {shown(str(out), 1000)}: {why}")


def _nearest_existing(path: Path) -> Path:
    while not os.path.lexists(path) and path != path.parent:
        path = path.parent
    return path


def check_destination(out: Path, files: dict[str, bytes] | None = None) -> None:
    """Raise :class:`ReportError` unless the report's files can be written under ``out``."""
    try:
        if out.exists():
            if not out.is_dir():
                raise _fail(out, "it exists and is not a directory")
            base = out
        else:
            base = _nearest_existing(out.absolute())
            if not base.is_dir():
                raise _fail(out, f"{shown(str(base), 1000)} is a file, not a directory")
        if not os.access(base, os.W_OK | os.X_OK):
            raise _fail(out, f"{shown(str(base), 1000)} is not writable")
        if out.exists():
            for name in ["figures", *(files or {})]:
                target = out / name
                if name == "figures" and target.exists() and not target.is_dir():
                    raise _fail(out, f"{shown(str(target), 1000)} is a file, where the figures directory goes")
                if name != "figures" and target.is_dir():
                    raise _fail(out, f"{shown(str(target), 1000)} is a directory, where a page of the report goes")
        for part in out.absolute().parts:
            if len(os.fsencode(part)) > 255:
                raise _fail(out, f"a part of the path is {len(os.fsencode(part))} bytes long (255 at most)")
    except OSError as exc:
        raise _fail(out, exc.strerror or str(exc)) from None
    except UnicodeError:
        raise _fail(out, "the path is not valid text") from None


def install(out: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into a temporary directory beside ``out``, then move them into place.

    A new ``out`` is one rename of the whole directory; an existing one gets each file by an atomic
    ``os.replace`` (the rest of its contents untouched). On failure everything written is removed.
    """
    base = out if out.exists() else _nearest_existing(out.absolute())
    created: list[Path] = []
    tmp: Path | None = None
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".skeptic-report-", dir=base))
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o777 & ~mask)  # mkdtemp makes it private; a report is as readable as any new directory
        (tmp / "figures").mkdir()
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        if out.exists():
            (out / "figures").mkdir(exist_ok=True)
            for name in files:
                os.replace(tmp / name, out / name)
        else:
            for parent in reversed(out.absolute().parents):
                if not parent.exists():
                    parent.mkdir()
                    created.append(parent)
            os.rename(tmp, out)
            tmp = None
    except OSError as exc:
        for directory in reversed(created):
            shutil.rmtree(directory, ignore_errors=True)
        raise _fail(out, exc.strerror or str(exc)) from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


__all__ = ["ReportError", "markdown_to_html", "md_cell", "render_report", "summarize_verdicts", "write_report"]
