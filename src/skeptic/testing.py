"""The study contract as functions: what every study, Skeptic's own or anyone's, must satisfy.

As scikit-learn ships ``check_estimator`` so that third-party estimators meet the contract of its own,
Skeptic ships :func:`check_study` (and ``skeptic check STUDY`` on the command line)::

    from skeptic.testing import check_study
    report = check_study("birthday")        # a name or a Study
    assert report.ok, report.describe()

and a pytest parametrizer, one test per (study, check)::

    from skeptic.testing import parametrize_with_checks

    @parametrize_with_checks(["birthday"])
    def test_contract(study, check, tmp_path):
        assert not check(study, tmp_path)

Each check returns the list of what fails and why (empty when it passes). Skeptic's own contract test
(``tests/test_contract.py``) calls the same functions.

The checks:
- ``declaration``: a question and sources; ``test``/``quick``/``paper`` presets and runtimes for the last two;
  claims and probes; a plain-language brief; every config field documented.
- ``sources``: every claim cites a place in its source (theorem, table, figure, section, equation, quoted sentence).
- ``own_threshold``: a claim whose text says its threshold is Skeptic's own declares ``own_threshold=...``.
- ``claim_rules``: what a claim declares holds together: each contrast's overrides are valid keys and values of
  the study's config at its audit preset, a band goes with an own threshold, the budget's larger values are valid.
- ``fault_catalog``: at least 8 faults over at least 3 kinds, unique ids and descriptions, each injectable.
- ``contrasts``: each declared contrast, run at the audit preset, gives its claim the verdict it expects, with
  every probe passing.
- ``run``: the ``test`` preset runs, round-trips through the store, every claim is measured, the figures have
  captions, the JSON document has its keys, and the report renders a page naming every claim.
- ``audit``: the fault audit on the ``test`` preset: no silent and no crashed fault, two clean runs agree,
  every harmless fault explained.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skeptic.core.study import Study

MIN_FAULTS, MIN_KINDS = 8, 3

SOURCE_PLACE = re.compile(
    r"\b(theorem|thm|lemma|proposition|prop|corollary|definition|def|table|tab|figure|fig|section|sec|appendix|app"
    r"|equation|eq|algorithm|alg|footnote|page|pp?)s?\b\.?\s*\(?([a-z]?\d|[a-z]\b)"
    r"|\b(figure|fig\.?|table)\b[^.;]{0,12}\b(row|column|panel|caption|inset)\b"
    r"|§\s*\d|\b(abstract|sentence|paragraph)\b",
    re.IGNORECASE,
)
SECTION_TITLE = re.compile(
    r"\b(Introduction|Discussion|Conclusions?|Related [Ww]ork|Methods|Results|Limitations)\b"
    r"|\bsection\s+['\"“‘][^'\"”’]{3,}['\"”’]"  # any section by its quoted title
)
OWN_THRESHOLD_WORDS = re.compile(
    r"skeptic'?s (own|line|threshold|tolerance|reading|floor|band)|our (own )?threshold|threshold (is )?(set|chosen)\b"
    r"|floor is skeptic'?s",
    re.IGNORECASE,
)


def names_a_place(source: str) -> bool:
    """A claim's source names a place: "Table 1", "Figure 1a", "Theorem 5", "§2.1", "Eq. 4", "Appendix B", an
    unnumbered figure by its row, panel or caption, a section by its title ("Discussion"), the "abstract", or a
    quoted "sentence". A bare paper title, or a figure named only by its subject, is not a place."""
    return bool(SOURCE_PLACE.search(source) or SECTION_TITLE.search(source))


Check = Callable[["Study[Any]", Path | None], list[str]]


def check_declaration(spec: Study[Any], workdir: Path | None = None) -> list[str]:
    """The declaration: question, sources, presets, runtimes, claims, probes, brief, documented config fields."""
    problems = []
    if not spec.question.strip():
        problems.append("the study states no question")
    if not spec.sources:
        problems.append("the study names no sources")
    missing = [p for p in ("test", "quick", "paper") if p not in spec.presets]
    if missing:
        problems.append(f"presets missing: {', '.join(missing)}")
    missing = [p for p in ("quick", "paper") if p not in spec.runtime]
    if missing:
        problems.append(f"runtime missing for presets: {', '.join(missing)} (e.g. runtime={{'quick': '~5 s'}})")
    if not spec.claims:
        problems.append("the study declares no claims")
    if not spec.probes:
        problems.append("the study declares no probes: nothing would catch a bug in it")
    for claim in spec.claims:
        if not (claim.source.strip() and claim.statement.strip()):
            problems.append(f"claim {claim.id}: a statement and a source are required")
    for part in ("claimed", "ran", "not_shown"):
        if len(getattr(spec.brief, part).split()) < 15:
            problems.append(f"brief.{part}: say it in plain words (15 words at least)")
    for name, f in spec.config_type.model_fields.items():
        if not f.description:
            problems.append(f"config field {name} needs a docstring")
    return problems


def check_sources(spec: Study[Any], workdir: Path | None = None) -> list[str]:
    """Every claim's source names a place in it (issue 8)."""
    return [
        f"claim {c.id}: its source {c.source!r} names no place (theorem/table/figure/section/eq/sentence)"
        for c in spec.claims
        if not names_a_place(c.source)
    ]


def check_own_threshold(spec: Study[Any], workdir: Path | None = None) -> list[str]:
    """A claim whose text says its threshold is Skeptic's own declares ``own_threshold``; a note says where from."""
    problems = []
    for c in spec.claims:
        if OWN_THRESHOLD_WORDS.search(c.statement + " " + c.source) and not c.own_threshold:
            problems.append(f"claim {c.id} says its threshold is Skeptic's own: declare own_threshold=...")
        if isinstance(c.own_threshold, str) and c.own_threshold and len(c.own_threshold.split()) < 3:
            problems.append(f"claim {c.id}: own_threshold should say where the threshold comes from")
    return problems


def check_claim_rules(spec: Study[Any], workdir: Path | None = None) -> list[str]:
    """What the claims declare holds together: contrasts resolve to valid configs, bands go with own thresholds,
    the budget's larger values are valid."""
    from skeptic.core.config import resolve_config
    from skeptic.core.errors import UsageError

    problems = []
    for c in spec.claims:
        for contrast in c.contrasts:
            try:
                resolve_config(spec, spec.audit_preset, dict(contrast.overrides))
            except UsageError as e:
                problems.append(f"claim {c.id}, contrast {contrast.id}: {e}")
        if c.band and not c.own_threshold:
            problems.append(f"claim {c.id}: a band is for a threshold of Skeptic's own; declare own_threshold")
    if spec.budget is not None:
        base = spec.presets[spec.audit_preset]
        try:
            resolve_config(spec, spec.audit_preset, spec.budget.overrides(base))
        except (UsageError, TypeError, AttributeError) as e:
            problems.append(f"budget: {e}")
    return problems


def advice(spec: Study[Any]) -> list[str]:
    """What the contract does not require yet but a careful reader will ask for (printed, never a failure)."""
    out = []
    for c in spec.claims:
        if not c.contrasts:
            out.append(f"claim {c.id} has no contrast: unless some override can flip it, it is a probe")
        if c.quote is None:
            out.append(f"claim {c.id} quotes nothing: give Quote(text, locator) or Quote.unverified(locator, note)")
        if c.own_threshold and not c.band:
            out.append(f"claim {c.id} has a threshold of Skeptic's own but no band of thresholds a reader accepts")
    if spec.budget is None:
        out.append("no Budget declared: the audit cannot tell a budget-dependent verdict")
    return out


def check_fault_catalog(spec: Study[Any], workdir: Path | None = None) -> list[str]:
    """At least 8 faults spanning at least 3 kinds, unique ids and descriptions, each injectable (issue 10)."""
    from skeptic.core.faults import FAULT_KINDS, signature_gaps

    faults = spec.faults
    problems = []
    if len(faults) < MIN_FAULTS:
        problems.append(f"{len(faults)} faults declared; the contract asks for {MIN_FAULTS}")
    kinds = {f.kind for f in faults}
    if len(kinds) < MIN_KINDS or not kinds <= set(FAULT_KINDS):
        problems.append(f"the faults span kinds {sorted(kinds)}; the contract asks for {MIN_KINDS} of {FAULT_KINDS}")
    if len({f.id for f in faults}) != len(faults):
        problems.append("fault ids must be unique")
    if len({f.description.strip().lower() for f in faults}) != len(faults):
        problems.append("fault descriptions must be unique")
    for f in faults:
        if len(f.description.split()) < 4:
            problems.append(f"fault {f.id}: describe the bug in a sentence")
        try:
            with f.inject():  # the target resolves, and leaving restores it
                pass
        except Exception as e:
            problems.append(f"fault {f.id} cannot be injected: {type(e).__name__}: {e}")
            continue
        problems += [f"fault {f.id}: {g}" for g in signature_gaps(f.inject)]
    return problems


def check_run(spec: Study[Any], workdir: Path | None = None) -> list[str]:
    """The ``test`` preset runs in seconds, round-trips through the store, and the report renders it."""
    from skeptic.core.claims import VERDICTS
    from skeptic.core.jsonform import json_safe
    from skeptic.core.runner import run
    from skeptic.core.store import Store
    from skeptic.report import write_report

    with tempfile.TemporaryDirectory(prefix="skeptic-check-") as scratch:
        where = Path(workdir) if workdir is not None else Path(scratch)
        # No wall-clock limit: a loaded machine makes any such limit flaky; the preset's sizes bound its work.
        result = run(spec, preset="test", store=where / "store", force=True)
        problems = []
        if result.status != "completed":
            return [f"the test preset ended {result.status}"]
        stored = Store(where / "store").get(result.run_id)
        if stored is None or stored.status != "completed":
            problems.append("the run was not stored as completed")
        else:

            def strict(m: Any) -> str:  # NaN != NaN, so compare the strict JSON texts (skeptic.core.jsonform's rule)
                return json.dumps(json_safe(m), sort_keys=True, allow_nan=False)

            if strict(stored.measurements) != strict(result.measurements):
                problems.append("the measurements do not round-trip through the store (JSON-able values only)")
            if [c.verdict for c in stored.claims] != [c.verdict for c in result.claims]:
                problems.append("the stored verdicts differ from the run's")
        declared = [c.id for c in spec.claims]
        if [c.id for c in result.claims] != declared:
            problems.append(f"claims judged {[c.id for c in result.claims]}, declared {declared}")
        for c in result.claims:
            if c.verdict not in VERDICTS:
                problems.append(f"claim {c.id}: unknown verdict {c.verdict!r}")
            if not c.estimates:
                problems.append(f"claim {c.id} was not measured: {c.reason}")
        if [p.id for p in result.probes] != [p.id for p in spec.probes]:
            problems.append("the probes run differ from those declared")
        if not result.figures:
            problems.append("the run shows no figure: a study must show its evidence in figures")
        problems += [f"figure {f.name} has no caption" for f in result.figures if not f.caption.strip()]
        doc = result.to_json()
        missing = {"study", "run_id", "preset", "config", "measurements", "claims", "probes"} - set(doc)
        if missing:
            problems.append(f"the JSON document lacks {sorted(missing)}")
        write_report(Store(where / "store"), where / "report", [spec])
        page = (where / "report" / f"{spec.name}.html").read_text()
        problems += [f"the report page does not show claim {c.id}" for c in result.claims if c.id not in page]
        return problems


def check_contrasts(spec: Study[Any], workdir: Path | None = None) -> list[str]:
    """Each claim's declared contrasts, run at the study's audit preset: the claim gets the verdict the contrast
    expects (it is **discriminating**), and the probes still pass under the override (a contrast is a setting the
    study handles, not a broken run). One run per distinct override; nothing to run without contrasts."""
    from skeptic.core.runner import run
    from skeptic.core.store import Store

    by_override: dict[str, list[tuple[str, Any]]] = {}
    for claim in spec.claims:
        for contrast in claim.contrasts:
            key = json.dumps(dict(contrast.overrides), sort_keys=True, default=str)
            by_override.setdefault(key, []).append((claim.id, contrast))
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="skeptic-contrast-") as scratch:
        store = Store(Path(workdir or scratch) / "contrast-store")
        for key, pairs in by_override.items():
            result = run(spec, preset=spec.audit_preset, overrides=json.loads(key), store=store, force=True)
            failed = [p.id for p in result.probes if not p.passed]
            if failed:
                problems.append(f"under {key} the probes {failed} fail: the contrast breaks the run, not the mechanism")
            got = {c.id: c.raw_verdict or c.verdict for c in result.claims}
            for claim_id, contrast in pairs:
                if got.get(claim_id) != contrast.expect:
                    problems.append(
                        f"claim {claim_id}, contrast {contrast.id} ({key}): got {got.get(claim_id)}, expected "
                        f"{contrast.expect}: not discriminating ({contrast.why})"
                    )
    return problems


def check_audit(spec: Study[Any], workdir: Path | None = None) -> list[str]:
    """The fault audit on the ``test`` preset: nothing silent or crashed, clean runs agree, harmless explained."""
    from skeptic.core.audit import audit

    if not spec.faults:
        return ["no fault catalog, so nothing measures whether the probes catch bugs"]
    result = audit(spec, "test")
    lines = [f"  {f.id} ({f.kind}): {f.outcome}: {f.detail}" for f in result.faults]
    power = "n/a" if result.probe_power is None else f"{result.probe_power:.0%}"
    summary = f"probe power {power}, {result.counts}\n" + "\n".join(lines)
    problems = []
    if result.unstable:
        problems.append(f"two clean runs disagree: {result.unstable}")
    if result.count("silent"):
        problems.append("silent faults (a verdict changed, no probe failed)")
    if result.count("crashed"):
        problems.append("crashed faults")
    unexplained = [f.id for f in result.faults if f.outcome == "harmless" and not f.note.strip()]
    if unexplained:
        problems.append(f"harmless faults need a note (cannot matter, or which probe should see it): {unexplained}")
    return [f"{p}\n{summary}" for p in problems]


MUTANT_SAMPLE = 3
"""Generated mutants ``skeptic check`` runs: enough to show the engine reaches the study's code and its clean runs
agree; the probe-power figure itself needs ``skeptic audit STUDY --mutants 40`` (or more)."""


def check_mutants(spec: Study[Any], workdir: Path | None = None) -> list[str]:
    """A small sample of generated mutants of the study's own code at the ``test`` preset (:mod:`skeptic.core.mutants`):
    the study's files are found and traced, mutants can be drawn from the lines the run executes, and the audit
    completes with two clean runs that agree. Silent mutants are reported, not failed: they measure the probes."""
    from skeptic.core.audit import AuditFailed, audit

    try:
        result = audit(spec, "test", mutants=MUTANT_SAMPLE, mutant_seed=0, faults=False)
    except AuditFailed as e:
        return [f"the clean run raised, so no mutant can be judged: {e}"]
    mutants = result.mutants
    if mutants is None or not mutants.results:
        return ["no mutant could be drawn: no line of the study's own files ran at the test preset"]
    problems = []
    if result.unstable:
        problems.append(f"two clean runs disagree, so mutants cannot be judged against them: {result.unstable}")
    return problems


CHECKS: dict[str, Check] = {
    "declaration": check_declaration,
    "sources": check_sources,
    "own_threshold": check_own_threshold,
    "claim_rules": check_claim_rules,
    "fault_catalog": check_fault_catalog,
    "contrasts": check_contrasts,
    "run": check_run,
    "audit": check_audit,
    "mutants": check_mutants,
}
"""Every check, cheapest first; ``contrasts``, ``run`` and ``audit`` execute the study."""
STATIC = ("declaration", "sources", "own_threshold", "claim_rules", "fault_catalog")


@dataclass
class CheckReport:
    """What :func:`check_study` found: per check, the list of what fails and why (empty: passed)."""

    study: str
    results: dict[str, list[str]] = field(default_factory=dict)
    advice: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(self.results.values())

    @property
    def failed(self) -> list[str]:
        return [name for name, problems in self.results.items() if problems]

    def describe(self) -> str:
        """One line per check (``ok`` or ``FAIL``), each failure indented below its check, then the advice."""
        lines = []
        for name, problems in self.results.items():
            lines.append(f"{'ok  ' if not problems else 'FAIL'} {name}")
            lines += ["       " + line for p in problems for line in p.splitlines()]
        lines += [f"note {a}" for a in self.advice]
        verdict = "passes" if self.ok else f"fails {len(self.failed)} of {len(self.results)} checks"
        lines.append(f"{self.study} {verdict} the contract")
        return "\n".join(lines)


def _spec(study: Study[Any] | str) -> Study[Any]:
    from skeptic.core.study import get_study

    return get_study(study) if isinstance(study, str) else study


def check_study(
    study: Study[Any] | str,
    checks: Sequence[str] | None = None,
    workdir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> CheckReport:
    """Run the contract's ``checks`` (default: all, cheapest first) on ``study`` (a :class:`Study` or a name).

    A check that raises is reported as failing with the exception, never stops the others. ``workdir`` keeps the
    ``run`` check's store and report (a temporary directory otherwise).
    """
    spec = _spec(study)
    chosen = list(checks) if checks is not None else list(CHECKS)
    unknown = [c for c in chosen if c not in CHECKS]
    if unknown:
        from skeptic.core.errors import UsageError

        raise UsageError(f"unknown check {unknown[0]!r}; checks: {', '.join(CHECKS)}")
    report = CheckReport(spec.name, advice=advice(spec))
    for name in chosen:
        if progress is not None:
            progress(name)
        try:
            report.results[name] = CHECKS[name](spec, workdir)
        except Exception as e:
            report.results[name] = [f"raised {type(e).__name__}: {e}"]
    return report


def parametrize_with_checks(studies: Sequence[Study[Any] | str], checks: Sequence[str] | None = None) -> Any:
    """A ``pytest.mark.parametrize`` over (study, check) pairs, with ids ``study-check``; the test asserts
    ``not check(study, tmp_path)``. Studies named by string are loaded when the test module is collected."""
    import pytest

    specs = [_spec(s) for s in studies]
    names = list(checks) if checks is not None else list(CHECKS)
    params = [pytest.param(s, CHECKS[n], id=f"{s.name}-{n}") for s in specs for n in names]
    return pytest.mark.parametrize(("study", "check"), params)


__all__ = [
    "CHECKS",
    "MIN_FAULTS",
    "MIN_KINDS",
    "OWN_THRESHOLD_WORDS",
    "SECTION_TITLE",
    "SOURCE_PLACE",
    "STATIC",
    "Check",
    "CheckReport",
    "advice",
    "check_audit",
    "check_claim_rules",
    "check_contrasts",
    "check_declaration",
    "check_fault_catalog",
    "check_mutants",
    "check_own_threshold",
    "check_run",
    "check_sources",
    "check_study",
    "names_a_place",
    "parametrize_with_checks",
]
