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

Two readers: the index opens with one card per study for a policy reader (the question, a plain answer
written from the run, the verdict counts as a bar, the headline figure, caveats in words, a glossary);
each study page leads with its brief and headline figure, and then gives an auditor every claim linked to
the measurement it was decided on (a table, downloadable inline as CSV and JSON), the command that
reproduces each run with its code version, and runs of the study that disagree, side by side.
``skeptic report --pdf`` also prints the briefs to ``skeptic-briefs.pdf`` (see :mod:`skeptic.report.pdf`).
Verdict colours come from one table, :data:`VERDICT_COLOURS` (the robustness map's), everywhere.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader
from markdown_it import MarkdownIt
from markupsafe import Markup

from skeptic.core.claims import VERDICTS
from skeptic.core.errors import UsageError, shown
from skeptic.core.replicate import ROBUSTNESS_MAP_CAPTION, STATE_COLOURS
from skeptic.core.runner import RunResult
from skeptic.core.store import AuditRecord, Store, StoredFigure, StoredReplication
from skeptic.core.study import Study
from skeptic.report.evidence import Disagreement, Evidence, Reproduce, differs, disagreement, evidence, reproduce

PRESET_ORDER = ("paper", "quick", "test")
"""Which preset's run leads a study's page: the closest to the paper that has been run."""

_markdown = (
    MarkdownIt("commonmark", {"html": False}).enable("table").disable(["link", "image", "autolink", "reference"])
)
"""CommonMark with tables; no raw HTML, and no links or images: text interpolated into a brief (a path, a
model name) can never become an element that points elsewhere or loads anything."""


class ReportError(UsageError):
    """The report cannot be written where it was asked to be; nothing was written."""


VERDICT_COLOURS = {v: STATE_COLOURS[v] for v in VERDICTS}
"""One colour per verdict across the whole report: badges, the index's bars and the robustness map."""

GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "claim",
        "One statement a paper makes (cited to its table, figure, theorem or sentence), phrased so that a "
        "measurement could contradict it.",
    ),
    ("replicated", "The whole uncertainty interval of the measurement agrees with the claim."),
    (
        "not replicated",
        "The whole uncertainty interval disagrees with the claim: the experiment contradicts it at this scale.",
    ),
    (
        "inconclusive",
        "The uncertainty interval straddles the line the claim draws: more data or seeds are needed to decide.",
    ),
    ("untrusted", "A probe of that run failed, so none of its verdicts is trusted, whatever the numbers say."),
    (
        "probe",
        "A control that must hold before any verdict of a run is trusted: a shuffled-label control at "
        "chance, an exact answer checked against simulation, independent seeds that agree.",
    ),
    (
        "confidence interval",
        "The range of values compatible with the data at a stated level (usually 95%): "
        "over seeds, by bootstrap, or from Monte Carlo error. Exact computations have none.",
    ),
    (
        "heavy tail",
        "A distribution whose extreme values are much more likely than a normal distribution's: its "
        "tail falls off slower than any exponential (Student-t, Pareto, lognormal).",
    ),
    (
        "preset",
        "A named size of a study: test (seconds, for checking the code), quick (minutes on a laptop), "
        "paper (the closest to the paper's own setting this machine can run).",
    ),
    (
        "Skeptic's own threshold",
        'Where the paper gives a direction but no number ("a small constant factor"), the '
        "line Skeptic drew; the claim says so.",
    ),
    (
        "contrast",
        "The same study run with the mechanism a claim is about removed (a light tail for a heavy one, a frozen "
        "arm): the claim must then get another verdict, or it could not have failed.",
    ),
    (
        "finding",
        "A disagreement with a paper that survives every check Skeptic can run: its contrast flips it, and it holds "
        "at a larger budget, at other seeds and across the range of lines a careful reader would accept.",
    ),
    (
        "budget-dependent / line-dependent",
        "A verdict that changes with more training or samples, or with where Skeptic drew a line the paper left "
        "open: never a replication or a finding.",
    ),
    (
        "probe power",
        "In an audit, the share of injected realistic bugs that made a probe fail, among those that "
        "would otherwise have changed a verdict.",
    ),
    (
        "mutation probe power",
        "The same share for generated mutants: small changes to the study's own code that nobody chose "
        "(a constant, an operator, an index, an argument order), so the probes are not measured only "
        "against the bugs their authors thought of.",
    ),
)
"""The few terms a reader meets, in plain words (the index's and the PDF's glossary)."""

VERDICT_WORDS = {
    "replicated": "replicated",
    "not_replicated": "not replicated",
    "inconclusive": "inconclusive",
    "untrusted": "untrusted (a probe failed)",
}


def markdown_to_html(text: str) -> Markup:
    """Render trusted prose as Markdown; raw HTML in it is shown as text, never interpreted.

    Tables scroll inside their own box, so a wide one never makes a phone scroll the whole page sideways
    (the ``<table>`` tags can only come from the renderer: raw HTML is off)."""
    html = _markdown.render(text).replace("<table>", '<div class="scroll"><table>')
    return Markup(html.replace("</table>", "</table></div>"))


def shown_cell(value: Any) -> Any:
    """A measurement's cell as the page shows it: floats to 6 significant digits (the downloads keep them all)."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return value


def md_cell(value: Any) -> str:
    """Escape a value for a Markdown table cell: no raw HTML, no link or image, no column breaks, no line breaks."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return md_prose(text)


def md_code(value: Any) -> str:
    """``value`` as one whole Markdown code span, shown verbatim and never read as HTML, a link or an image.

    Fenced by one more backtick than the longest run of backticks inside it (CommonMark 6.1), so a value holding
    backticks (a model name ``x`<img ...>`y``, a command that sets it) cannot close the span early and let the
    rest out as raw HTML; line breaks become spaces. For paragraphs, not table cells: a command stays copyable."""
    text = " ".join(str(value).splitlines())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or not text.strip():
        text = f" {text} "  # CommonMark strips one space from each side
    return f"{fence}{text}{fence}"


def md_prose(value: Any) -> str:
    """Escape text for a Markdown page so that no viewer builds HTML, a link or an image from it.

    ``&``, ``<`` and ``>`` become entities (no raw HTML, no ``<javascript:...>`` autolink), and ``[``, ``]``
    are backslash-escaped (no ``[text](javascript:...)`` link, no ``![img](...)``). Emphasis and paragraphs
    survive, so a study's prose keeps its bold words. Applied to every field a study, a run or a user wrote.
    """
    text, out, at = str(value), [], 0
    for m in _CODE_SPAN.finditer(text):  # code spans, which no viewer reads as HTML or a link, stay as written
        out += [_escape_prose(text[at : m.start()]), m.group(0)]
        at = m.end()
    return "".join([*out, _escape_prose(text[at:])])


_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)[^`\n]+?(?<!`)\1(?!`)")
"""A Markdown code span on one line (```--set model=<provider/model>```): shown verbatim by every viewer, so it is
kept as written (an entity inside it would print literally as ``&lt;``)."""


def _escape_prose(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("[", "\\[").replace("]", "\\]")


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
    disagreements: list[Disagreement] = field(default_factory=list)
    """Pairs of completed runs whose verdicts differ on some claim, shown side by side."""
    robust: AuditRecord | None = None
    """The study's latest completed audit that ran contrasts, budget and seeds (``skeptic audit --contrasts``)."""
    across: str = ""
    """The study's own Markdown written from all its completed runs (``Brief.across_runs``), empty without one."""

    def robustness(self) -> list[dict[str, Any]]:
        """Per claim: verdict, contrasts, budget, line, seeds, quote, finding (empty without such an audit)."""
        if self.robust is None or not self.robust.result:
            return []
        return list(self.robust.result.get("robustness") or [])

    def findings(self) -> list[dict[str, Any]]:
        """The not_replicated verdicts that survived every check of the latest robustness audit."""
        return [r for r in self.robustness() if r.get("finding")]

    def other_disagreements(self) -> list[dict[str, Any]]:
        """The not_replicated verdicts of the latest robustness audit that are not findings, with what they are."""
        return [r for r in self.robustness() if r.get("verdict") == "not_replicated" and not r.get("finding")]

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
            try:
                return self.study.brief.found(run)
            except Exception as exc:  # (a run stored by older code may lack a measurement)
                return summarize_verdicts(run) + f"\n\n(The study's own summary could not be written: {exc!r}.)"
        return summarize_verdicts(run)

    def answer(self) -> str:
        """One or two plain sentences for the index card: the study's own (``Brief.answer``), else a count."""
        run = self.lead
        if run is None:
            return "No completed run yet, so there is no answer in this report."
        if self.study.brief.answer is not None:
            try:
                return self.study.brief.answer(run)
            except Exception as exc:  # (a run stored by older code may lack a measurement: say so, keep the card)
                return count_sentence(run) + f" (The study's own answer could not be written from this run: {exc!r}.)"
        return count_sentence(run)

    def headline(self) -> StoredFigure | None:
        """The figure a reader should see first: the brief's ``headline_figure``, else the run's first figure."""
        run = self.lead
        if run is None or not run.figures:
            return None
        wanted = self.study.brief.headline_figure
        return next((f for f in run.figures if f.name == wanted), run.figures[0])

    def counts(self) -> dict[str, int]:
        run = self.lead
        return {v: sum(c.verdict == v for c in run.claims) if run else 0 for v in VERDICTS}

    def caveats(self) -> list[str]:
        """What a policy reader must know before quoting the answer, in words (plain text)."""
        run = self.lead
        if run is None:
            return [
                "This study was not run for this report (it was skipped or has not completed): "
                "see its page for how to run it."
            ]
        out = []
        failed = [p for p in run.probes if not p.passed]
        if failed:
            names = "; ".join(f"{p.id}: {p.description.rstrip('.')}" for p in failed[:3])
            out.append(f"A control check failed, so no verdict of this run is trusted: {names}.")
        out += self._disagreement_caveats(run)
        n_inc = sum(c.verdict == "inconclusive" for c in run.claims)
        if n_inc:
            out.append(f"{n_inc} claim{'s' if n_inc != 1 else ''} could not be decided at this scale (inconclusive).")
        if run.preset != "paper":
            out.append(f"Run at the {run.preset} preset, smaller than the paper's setting.")
        if self.audit is not None and self.audit.counts.get("silent"):
            out.append(f"The latest audit found {self.audit.counts['silent']} injected bug(s) its checks would miss.")
        if self.disagreements:
            out.append("Runs of this study disagree on some verdicts; the study page shows them side by side.")
        return out

    def _disagreement_caveats(self, run: RunResult) -> list[str]:
        """Name only findings as findings; say what every other not_replicated verdict is (issue 26)."""
        not_rep = [c for c in run.claims if c.verdict == "not_replicated"]
        if not not_rep:
            return []
        rows = {r["claim"]: r for r in self.robustness()}
        if not rows:
            unaudited = (
                "no audit has yet checked whether {} contrasts, a larger budget and other lines, so {} a finding yet"
            )
            if len(not_rep) == 1:
                return [
                    f"One claim was not replicated here: “{_clip(not_rep[0].statement)}”; "
                    + unaudited.format("it survives", "it is not")
                    + "."
                ]
            return [
                f"{len(not_rep)} claims were not replicated here (the study page lists them), among them "
                f"“{_clip(not_rep[0].statement)}”; " + unaudited.format("they survive", "none is") + "."
            ]
        out = []
        for c in not_rep:
            r = rows.get(c.id)
            if r is None:
                out.append(f"Not replicated here, not audited: “{_clip(c.statement)}”")
            elif r.get("finding"):
                out.append(f"Finding: “{_clip(c.statement)}” did not hold, and survived every check.")
            elif r.get("verdict") != "not_replicated":
                out.append(
                    f"Not replicated here, but {VERDICT_WORDS.get(r['verdict'], r['verdict'])} in the audit: "
                    f"“{_clip(c.statement)}”"
                )
            else:
                out.append(
                    f"Not replicated here, but this {r.get('why_not') or 'is not a finding'}: “{_clip(c.statement)}”"
                )
        return out


def _clip(text: str, limit: int = 160) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def count_sentence(run: RunResult) -> str:
    """A one-sentence answer built from a run's verdict counts, for a study whose brief writes none."""
    counts = {v: sum(c.verdict == v for c in run.claims) for v in VERDICTS}
    total = len(run.claims)
    if counts["untrusted"]:
        return (
            f"No answer can be trusted from this run: a control check failed, so all {total} of its "
            "claims are untrusted."
        )
    parts = [f"{counts['replicated']} of {total} claims replicated"]
    if counts["not_replicated"]:
        parts.append(f"{counts['not_replicated']} did not")
    if counts["inconclusive"]:
        parts.append(f"{counts['inconclusive']} could not be decided")
    return f"On the {run.preset} preset, " + ", ".join(parts) + "."


def summarize_verdicts(run: RunResult) -> str:
    """A plain-language summary of a run's verdicts, for when a study writes no `found` of its own."""
    counts = {v: sum(c.verdict == v for c in run.claims) for v in VERDICTS}
    total = len(run.claims)
    head = (
        f"On the `{run.preset}` preset, {counts['replicated']} of {total} claims replicated, "
        f"{counts['not_replicated']} did not, {counts['inconclusive']} were inconclusive"
    )
    if counts["untrusted"]:
        head += f" and {counts['untrusted']} are untrusted because a control check failed"
    lines = [head + "."]
    for c in run.claims:
        lines.append(f"- **{c.statement}**: {VERDICT_WORDS[c.verdict]} (measured {c.measured}).")
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
    if studies is None:  # every study the entry points declare (loaded now), and any declared in this process
        from skeptic import load_studies

        studies = load_studies()
    pages = []
    for s in studies:
        completed = store.runs(study=s.name, status="completed")
        latest: dict[str, RunResult] = {}
        earlier: dict[str, RunResult] = {}
        for record in completed:  # newest first
            if record.preset not in latest:
                latest[record.preset] = RunResult.from_record(record, store.figures(record.run_id))
            elif record.preset not in earlier and record.claims:
                candidate = RunResult.from_record(record, [])
                if differs(latest[record.preset], candidate):
                    earlier[record.preset] = candidate
        order = [p for p in PRESET_ORDER if p in latest] + sorted(p for p in latest if p not in PRESET_ORDER)
        runs = [latest[p] for p in order]
        found: list[Disagreement] = []
        for p in order:
            if p in earlier:
                why = (
                    f"the latest {p} run and the most recent earlier {p} run whose verdicts differ "
                    "(another seed, config or code version)"
                )
                d = disagreement(s, latest[p], earlier[p], why)
                if d is not None:
                    found.append(d)
        for other in runs[1:]:
            d = disagreement(s, runs[0], other, f"the latest {runs[0].preset} run and the latest {other.preset} run")
            if d is not None:
                found.append(d)
        across = ""
        if s.brief.across_runs is not None and completed:
            try:
                across = s.brief.across_runs([RunResult.from_record(r, []) for r in completed])
            except Exception as exc:  # (runs stored by older code may lack a measurement: say so, keep the page)
                across = f"(The study's comparison across its runs could not be written: {exc!r}.)"
        replications = store.replications(study=s.name)
        robust = next(
            (a for a in store.audits(study=s.name, status="completed") if a.result and a.result.get("robustness")),
            None,
        )
        pages.append(
            StudyPage(
                s,
                runs,
                _history(store, s.name),
                store.latest_audit(s.name),
                next(iter(replications), None),
                found,
                robust,
                across,
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
    env.filters["md_prose"] = md_prose
    env.filters["b64"] = lambda data: base64.b64encode(data).decode()
    env.filters["pretty_json"] = lambda value: json.dumps(value, indent=2, sort_keys=True, default=str)
    env.filters["md_cell"] = md_cell
    env.filters["md_code"] = md_code
    env.filters["cell"] = shown_cell
    env.globals["verdict_words"] = VERDICT_WORDS
    env.globals["verdict_colours"] = VERDICT_COLOURS
    env.globals["glossary"] = GLOSSARY
    return env


BRIEFS_HTML = "briefs.html"
"""Every study's brief in one printable page (what ``--pdf`` prints)."""

BRIEFS_PDF = "skeptic-briefs.pdf"

FINDINGS_HTML, FINDINGS_MD = "findings.html", "findings.md"
"""The Findings page: each finding of the latest robustness audit of each study, with its quote, its measurement
and the checks it passed; then every other disagreement, named for what it is."""


def render_report(store: Store, studies: Sequence[Study[Any]] | None = None, pdf: bool = False) -> dict[str, bytes]:
    """Every file of the report, by path relative to its directory: ``index.html``, ``index.md``,
    ``briefs.html``, a page of each kind per study and ``figures/*.png`` (and ``skeptic-briefs.pdf`` with
    ``pdf=True``). Reads the store; writes nothing."""
    pages = collect_pages(store, studies)
    env = _environment()
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    context = {"pages": pages, "generated": generated, "store": str(store.path), "pdf": BRIEFS_PDF if pdf else None}
    files: dict[str, bytes] = {
        "index.html": env.get_template("index.html.j2").render(**context).encode(),
        "index.md": env.get_template("index.md.j2").render(**context).encode(),
        BRIEFS_HTML: env.get_template("briefs.html.j2").render(**context).encode(),
        FINDINGS_HTML: env.get_template("findings.html.j2").render(**context).encode(),
        FINDINGS_MD: env.get_template("findings.md.j2").render(**context).encode(),
    }
    if pdf:
        from skeptic.report.pdf import print_pdf

        files[BRIEFS_PDF] = print_pdf(files[BRIEFS_HTML].decode())
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
        evidences: dict[str, Evidence] = {run.run_id: evidence(page.study, run) for run in page.runs}
        commands: dict[str, Reproduce] = {run.run_id: reproduce(page.study, run) for run in page.runs}
        page_context = {
            "page": page,
            "evidence": evidences,
            "commands": commands,
            "generated": generated,
            "figure_files": figure_files,
            "replication_file": replication_file,
            "replication_caption": ROBUSTNESS_MAP_CAPTION,
        }
        files[f"{page.slug}.html"] = env.get_template("study.html.j2").render(**page_context).encode()
        files[f"{page.slug}.md"] = env.get_template("study.md.j2").render(**page_context).encode()
    return files


def write_report(
    store: Store, out_dir: Path | str, studies: Sequence[Study[Any]] | None = None, pdf: bool = False
) -> Path:
    """Write ``index.html``, ``index.md``, ``briefs.html`` and a page of each kind per study into ``out_dir``
    (and ``skeptic-briefs.pdf`` with ``pdf=True``), all or nothing.

    Files of an earlier report in ``out_dir`` are replaced; other files there are left alone.
    """
    out = Path(out_dir)
    check_destination(out)
    files = render_report(store, studies, pdf=pdf)
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


__all__ = [
    "BRIEFS_PDF",
    "GLOSSARY",
    "VERDICT_COLOURS",
    "ReportError",
    "count_sentence",
    "markdown_to_html",
    "md_cell",
    "md_code",
    "render_report",
    "summarize_verdicts",
    "write_report",
]
