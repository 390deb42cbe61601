"""The contract every registered study passes (like scikit-learn's ``parametrize_with_checks``).

On its ``test`` preset each study runs in seconds, its results round-trip through the store, the
report renders it, and every claim reaches a verdict from a measurement that was actually made.
Every claim cites a place in its source, and every study declares a fault catalog whose audit on the
``test`` preset has no silent and no crashed fault (issues 8 and 10).
"""

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from skeptic import load_studies
from skeptic.core import Store, Study, run
from skeptic.core.audit import audit
from skeptic.core.claims import VERDICTS
from skeptic.core.faults import FAULT_KINDS
from skeptic.report import write_report

# The package's own studies (tests register toy studies in the same registry).
STUDIES = {s.name: s for s in load_studies() if s.run.__module__.startswith("skeptic.studies.")}
TEST_PRESET_BUDGET_S = 120  # "seconds", with room for a loaded CI machine
AUDIT_BUDGET_S = 600  # one study's audit on its test preset, 2 processes (measured 388-436 s at load ~12 on 2 cores)
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


def names_a_place(source: str) -> bool:
    """A claim's source names a place: "Table 1", "Figure 1a", "Theorem 5", "§2.1", "Eq. 4", "Appendix B", an
    unnumbered figure by its row, panel or caption, a section by its title ("Discussion"), the "abstract", or a
    quoted "sentence". A bare paper title, or a figure named only by its subject, is not a place."""
    return bool(SOURCE_PLACE.search(source) or SECTION_TITLE.search(source))


OWN_THRESHOLD_WORDS = re.compile(
    r"skeptic'?s (own|line|threshold|tolerance|reading|floor|band)|our (own )?threshold|threshold (is )?(set|chosen)\b"
    r"|floor is skeptic'?s",
    re.IGNORECASE,
)


def test_the_roadmap_studies_are_registered() -> None:
    assert {"goodhart", "random-labels", "alignment-faking"} <= set(STUDIES)


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_study_declaration(name: str) -> None:
    s: Study[Any] = STUDIES[name]
    assert s.question.strip() and s.sources
    assert {"test", "quick", "paper"} <= set(s.presets)
    assert {"quick", "paper"} <= set(s.runtime)
    assert s.claims and s.probes
    for claim in s.claims:
        assert claim.source.strip() and claim.statement.strip(), claim.id
    for text in (s.brief.claimed, s.brief.ran, s.brief.not_shown):
        assert len(text.split()) >= 15, "the brief must say something in plain words"
    for field_name, field in s.config_type.model_fields.items():
        assert field.description, f"config field {field_name} needs a docstring"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(STUDIES))
def test_study_contract(name: str, tmp_path: Path) -> None:
    t0 = time.perf_counter()
    result = run(name, preset="test", store=tmp_path / "store")
    elapsed = time.perf_counter() - t0
    assert result.status == "completed"
    assert elapsed < TEST_PRESET_BUDGET_S, f"test preset took {elapsed:.0f} s"

    stored = Store(tmp_path / "store").get(result.run_id)
    assert stored is not None and stored.status == "completed"
    assert stored.measurements == json.loads(json.dumps(result.measurements, allow_nan=True))
    assert [c["verdict"] for c in stored.claims] == [c["verdict"] for c in result.claims]

    declared = [c.id for c in STUDIES[name].claims]
    assert [c["id"] for c in result.claims] == declared
    for c in result.claims:
        assert c["verdict"] in VERDICTS
        assert c["estimates"], f"claim {c['id']} was not measured: {c['reason']}"
    assert [p["id"] for p in result.probes] == [p.id for p in STUDIES[name].probes]
    assert result.figures, "a study must show its evidence in figures"
    assert all(f.caption.strip() for f in result.figures)

    doc = result.to_json()
    assert set(doc) >= {"study", "run_id", "preset", "config", "measurements", "claims", "probes"}
    json.dumps(doc, allow_nan=True)

    write_report(Store(tmp_path / "store"), tmp_path / "report", [STUDIES[name]])
    page = (tmp_path / "report" / f"{name}.html").read_text()
    for c in result.claims:
        assert c["id"] in page


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_every_claim_cites_a_place_in_its_source(name: str) -> None:
    """Issue 8: a source names the paper and the place (theorem, table, figure, section, equation, sentence)."""
    unplaced = [f"{c.id}: {c.source!r}" for c in STUDIES[name].claims if not names_a_place(c.source)]
    assert not unplaced, "claims whose source names no place (theorem/table/figure/section/eq/sentence):\n" + (
        "\n".join(unplaced)
    )


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_a_threshold_of_skeptics_own_is_declared(name: str) -> None:
    """Issue 8: a claim whose threshold is Skeptic's own says so with ``Claim(..., own_threshold=...)``,
    which the report marks; a claim whose text says so must declare it, and a declared note is not blank."""
    for c in STUDIES[name].claims:
        if OWN_THRESHOLD_WORDS.search(c.statement + " " + c.source):
            assert c.own_threshold, f"{c.id} says its threshold is Skeptic's own: declare own_threshold=..."
        if isinstance(c.own_threshold, str) and c.own_threshold:
            assert len(c.own_threshold.split()) >= 3, f"{c.id}: say where the threshold comes from"


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_fault_catalog(name: str) -> None:
    """Issue 10: at least 8 faults spanning at least 3 kinds, unique ids and descriptions, each injectable."""
    faults = STUDIES[name].faults
    assert len(faults) >= MIN_FAULTS, f"{name} declares {len(faults)} faults; the contract asks for {MIN_FAULTS}"
    kinds = {f.kind for f in faults}
    assert len(kinds) >= MIN_KINDS and kinds <= set(FAULT_KINDS), f"{name}'s faults span only {sorted(kinds)}"
    assert len({f.id for f in faults}) == len(faults), "fault ids must be unique"
    descriptions = [f.description.strip().lower() for f in faults]
    assert len(set(descriptions)) == len(faults), "fault descriptions must be unique"
    for f in faults:
        assert len(f.description.split()) >= 4, f"{f.id}: describe the bug in a sentence"
        with f.inject():  # the target resolves, and leaving restores it
            pass


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(STUDIES))
def test_study_audit(name: str) -> None:
    """Issue 10: on the test preset no declared fault is silent or crashed, two clean runs agree, and every
    harmless fault's note says whether it truly cannot matter there or which probe should have seen it."""
    spec = STUDIES[name]
    if not spec.faults:
        pytest.fail(f"{name} declares no fault catalog, so nothing measures whether its probes catch bugs")
    result = audit(spec, "test")
    lines = [f"{f.id} ({f.kind}): {f.outcome}: {f.detail}" for f in result.faults]
    summary = f"{name}: probe power {result.probe_power:.0%}, {result.counts}\n" + "\n".join(lines)
    assert not result.unstable, f"two clean runs disagree: {result.unstable}\n{summary}"
    assert result.count("silent") == 0, "silent faults (a verdict changed, no probe failed):\n" + summary
    assert result.count("crashed") == 0, "crashed faults:\n" + summary
    unexplained = [f.id for f in result.faults if f.outcome == "harmless" and not f.note.strip()]
    assert not unexplained, f"harmless faults need a note (cannot matter, or which probe should see it): {unexplained}"
    assert result.duration_s < AUDIT_BUDGET_S, f"the audit took {result.duration_s:.0f} s\n{summary}"


# Issue 26: every claim shown able to fail. The studies below are being reworked to declare contrasts, quotes,
# bands and budgets; until then their checks are expected to fail (xfail, not strict). goodhart passes in full.
PENDING = {
    "alignment-faking": 32,
    "glitch-tokens": 30,
    "imitation": 28,
    "llc": 33,
    "mup": 33,
    "random-labels": 31,
    "simple-rl": 29,
    "superposition": 33,
}


def _can_fail_params(run: bool = True) -> list[Any]:
    return [
        pytest.param(
            name,
            marks=pytest.mark.xfail(strict=False, run=run, reason=f"rework in progress (issue {PENDING[name]})"),
        )
        if name in PENDING
        else name
        for name in sorted(STUDIES)
    ]


def claims_that_cannot_be_shown_to_fail(spec: Study[Any]) -> list[str]:
    """What the declarations lack (issue 26): a contrast per claim whose overrides the config accepts, a quote
    (the source's words, or the unverified mark with a reason), a band for a line of Skeptic's own, a budget."""
    from skeptic.core.config import resolve_config

    problems = []
    if spec.budget is None:
        problems.append("the study declares no Budget (its budget knobs and the larger budget)")
    for c in spec.claims:
        if not c.contrasts:
            problems.append(f"{c.id}: no contrast (a claim that cannot fail is a probe)")
        if c.quote is None:
            problems.append(f"{c.id}: no quote (the source's words, or Quote.unverified(locator, note))")
        elif not c.quote.verified and not c.quote.note.strip():
            problems.append(f"{c.id}: an unverified quote must say why")
        if c.own_threshold and not c.band:
            problems.append(f"{c.id}: a line of Skeptic's own needs a band of lines a careful reader would accept")
        for contrast in c.contrasts:
            try:
                resolve_config(spec, spec.audit_preset, dict(contrast.overrides))
            except Exception as exc:
                problems.append(f"{c.id}: contrast {contrast.id} does not validate: {exc}")
    return problems


@pytest.mark.parametrize("name", _can_fail_params())
def test_every_claim_declares_how_it_could_fail(name: str) -> None:
    """Issue 26: a contrast, a quote (or the unverified mark), a band for its own line; a budget for the study."""
    problems = claims_that_cannot_be_shown_to_fail(STUDIES[name])
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("name", _can_fail_params(run=False))
def test_every_claim_is_shown_able_to_fail(name: str) -> None:
    """Issue 26: at the study's audit preset every claim's contrast flips it as declared (discriminating), every
    verdict holds at the larger budget and at two more seeds, and so every not_replicated verdict is either a
    finding (discriminating, budget-, line- and seed-stable) or visibly line-dependent."""
    import dataclasses

    spec = STUDIES[name]
    result = audit(dataclasses.replace(spec, faults=()), spec.audit_preset, contrasts=True)
    rows = result.robustness or []
    assert not result.clean_failed_probes, f"probes fail in the clean run: {result.clean_failed_probes}"
    problems = [
        f"{r.claim}: {r.discrimination} ({'; '.join(c.detail for c in r.contrasts)})"
        for r in rows
        if r.discrimination != "discriminating"
    ]
    problems += [
        f"{r.claim}: {r.verdict} → {r.budget_verdict} at the larger budget" for r in rows if r.budget_stable is not True
    ]
    problems += [
        f"{r.claim}: {r.verdict} then {r.seed_verdicts} at other seeds" for r in rows if r.seed_stable is not True
    ]
    for r in rows:
        if r.finding:
            assert r.discriminating and r.budget_stable and r.line_stable is not False, r.claim
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "places"),
    [
        ("Zhang et al. 2017, Table 1", True),
        ("Zhang et al. 2017, §2.1 and Figure 1a", True),
        ("Thomas & Kwa 2023, Theorem 5", True),
        ("Bartlett et al. 2017, Lemma A.8", True),
        ("Yang et al. 2022, Eq. 4", True),
        ("Greenblatt et al. 2024, abstract", True),
        ("Kwa 2023, the sentence 'I think the limit is 0'", True),
        ("Kwa et al. 2024, Appendix B", True),
        ("Thomas & Kwa 2023, 'When is Goodhart catastrophic?' (normal–normal example)", False),
        ("Kwa et al. 2024, synthetic best-of-n figure", False),
        ("Kwa et al. 2024, synthetic best-of-n figure, row 2 caption", True),
        ("Kwa et al. 2024, Discussion (independence assumptions)", True),
        ("Taylor 2016, section 'The conservative cost constraint'", True),
        ("Taylor 2016, a section about costs", False),
        ("Greenblatt et al. 2024, published results for Claude 3 Opus", False),
        ("Popular retelling of Zhang et al.", False),
        ("tables of results", False),
    ],
)
def test_the_source_place_rule(source: str, places: bool) -> None:
    assert names_a_place(source) is places
