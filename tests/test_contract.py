"""The contract every registered study passes (like scikit-learn's ``parametrize_with_checks``).

On its ``test`` preset each study runs in seconds, its results round-trip through the store, the
report renders it, and every claim reaches a verdict from a measurement that was actually made.
Every claim cites a place in its source, and every study declares a fault catalog whose audit on the
``test`` preset has no silent and no crashed fault (issues 8 and 10; CI audits a stated subset of each catalog,
see ``CONTRACT_FAULTS``).
"""

import dataclasses
import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skeptic import load_studies
from skeptic.core import Study
from skeptic.core.audit import audit, keep_fork_servers
from skeptic.core.faults import Fault
from skeptic.testing import (
    check_audit,
    check_declaration,
    check_fault_catalog,
    check_own_threshold,
    check_run,
    check_sources,
    names_a_place,
)

# The package's own studies (tests register toy studies in the same registry). The checks are skeptic.testing's,
# the same functions `skeptic check STUDY` runs on anyone's study.
STUDIES = {s.name: s for s in load_studies() if s.run.__module__.startswith("skeptic.studies.")}


def test_the_roadmap_studies_are_registered() -> None:
    assert {"goodhart", "random-labels", "alignment-faking"} <= set(STUDIES)


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_study_declaration(name: str) -> None:
    s: Study[Any] = STUDIES[name]
    problems = check_declaration(s)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(STUDIES))
def test_study_contract(name: str, tmp_path: Path) -> None:
    """The test preset runs in seconds, round-trips through the store, and the report renders every claim."""
    problems = check_run(STUDIES[name], tmp_path)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_every_claim_cites_a_place_in_its_source(name: str) -> None:
    """Issue 8: a source names the paper and the place (theorem, table, figure, section, equation, sentence)."""
    unplaced = check_sources(STUDIES[name])
    assert not unplaced, "\n".join(unplaced)


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_a_threshold_of_skeptics_own_is_declared(name: str) -> None:
    """Issue 8: a claim whose threshold is Skeptic's own says so with ``Claim(..., own_threshold=...)``,
    which the report marks; a claim whose text says so must declare it, and a declared note is not blank."""
    problems = check_own_threshold(STUDIES[name])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_fault_catalog(name: str) -> None:
    """Issue 10: at least 8 faults spanning at least 3 kinds, unique ids and descriptions, each injectable."""
    problems = check_fault_catalog(STUDIES[name])
    assert not problems, "\n".join(problems)


# CI time (issue 36): every declared fault at the test preset was 12-19 executions per study, ~340 s of a 17-minute
# CI. CI audits a stated subset: one fault of each kind (rotating weekly), up to CONTRACT_FAULTS kinds (so at
# least the catalog rule's three kinds), with the two clean runs. Every fault is still audited by `skeptic check STUDY`
# (the test preset) and `make audit` (the audit preset, with 40 mutants); SKEPTIC_CONTRACT_FAULTS=all (or a number
# of kinds) runs more of the catalog here.
CONTRACT_FAULTS = 4


def contract_faults(
    spec: Study[Any], limit: int | None = None, today: datetime.date | None = None
) -> tuple[Fault, ...]:
    """The faults the contract audit runs: one of each kind (the first ``limit`` kinds in catalog order; None: every
    fault). Which fault of a kind rotates with the ISO week (week mod the kind's count), so every declared fault is
    audited by CI within as many weeks as its kind has faults, not only the first of each kind."""
    if limit is None:
        return tuple(spec.faults)
    by_kind: dict[str, list[Fault]] = {}
    for f in spec.faults:
        by_kind.setdefault(f.kind, []).append(f)
    week = (today or datetime.date.today()).isocalendar().week
    return tuple(faults[week % len(faults)] for faults in by_kind.values())[:limit]


def _contract_limit() -> int | None:
    value = os.environ.get("SKEPTIC_CONTRACT_FAULTS", str(CONTRACT_FAULTS))
    return None if value == "all" else int(value)


@pytest.fixture(scope="module")
def fork_servers() -> Iterator[None]:
    """This module's audits share their fork servers (~2-4 CPU s to start each, most of a small audit's cost)."""
    with keep_fork_servers():
        yield


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_the_contract_audit_runs_faults_of_distinct_kinds(name: str) -> None:
    spec = STUDIES[name]
    chosen = contract_faults(spec, CONTRACT_FAULTS)
    kinds = [f.kind for f in chosen]
    assert len(set(kinds)) == len(kinds) == min(CONTRACT_FAULTS, len({f.kind for f in spec.faults}))
    assert len(chosen) >= 3 and all(f in spec.faults for f in chosen)
    # Over enough weeks the rotation reaches every fault of the kinds it audits.
    start = datetime.date(2026, 1, 5)
    seen = {
        f.id for k in range(60) for f in contract_faults(spec, CONTRACT_FAULTS, start + datetime.timedelta(weeks=k))
    }
    audited_kinds = set(kinds)
    assert seen == {f.id for f in spec.faults if f.kind in audited_kinds}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(STUDIES))
def test_study_audit(name: str, fork_servers: None) -> None:
    """Issue 10: on the test preset no declared fault (of the stated subset, see CONTRACT_FAULTS) is silent or
    crashed, two clean runs agree, and every harmless fault's note says whether it truly cannot matter there or
    which probe should have seen it."""
    spec = STUDIES[name]
    problems = check_audit(dataclasses.replace(spec, faults=contract_faults(spec, _contract_limit())))
    assert not problems, "\n".join(problems)


# Issue 26: every claim shown able to fail. Every study now declares its contrasts, quotes, bands and budget except
# those in DECLARATIONS_PENDING (expected failures, not strict). Running the robustness audit itself (every contrast,
# the larger budget, two more seeds) is slow: CI runs it for the studies not in SHOWN_PENDING, whose rework checked
# every claim discriminating and stable; the others are audited with `skeptic audit STUDY --contrasts`.
DECLARATIONS_PENDING: dict[str, str] = {}
SHOWN_PENDING: dict[str, str] = {
    # Issue 28 is resolved (session 18), but two claims stay seed-fragile at `audit`: `offpolicy-superlinear` is
    # inconclusive at the audit's second extra seed (1.323 [1.249, 1.398] against 1.25) and `bits-explain-gap` is
    # decided at neither seed 0 nor that seed (README, imitation's row of the robustness table).
    "imitation": "two claims seed-fragile at the audit preset (offpolicy-superlinear, bits-explain-gap)",
    # Issue 33 is resolved (session 19: every item answered, each study's mutation bar met on a held-out seed), but
    # the robustness audits still find seed-dependent verdicts at the audit presets (README, the robustness table).
    "llc": "seed-dependent claims at the audit preset (5 in session 17's robustness audit)",
    "mup": "seed-dependent claims at the audit preset (claims near their lines at 60 MLP steps; session 19, 10 seeds)",
    "superposition": "three SAE claims seed-dependent at the audit preset (session 16's robustness audit)",
}

FAILS_BY_DESIGN = {"alignment-faking": ["real-model"]}
"""Probes that fail in the audit preset's clean run on purpose, and the only ones allowed to: alignment-faking audits
at ``test``, whose scripted known-answer model its ``real-model`` probe marks untrusted (a scripted run's verdicts say
nothing about a language model); the audit compares raw verdicts, so its contrasts still flip them (issue 32)."""


def _can_fail_params(run: bool = True) -> list[Any]:
    pending = DECLARATIONS_PENDING if run else SHOWN_PENDING
    return [
        pytest.param(
            name,
            marks=pytest.mark.xfail(strict=False, run=run, reason=pending[name]),
        )
        if name in pending
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
def test_every_claim_is_shown_able_to_fail(name: str, fork_servers: None) -> None:
    """Issue 26: at the study's audit preset every claim's contrast flips it as declared (discriminating), every
    verdict holds at the larger budget and at two more seeds, and so every not_replicated verdict is either a
    finding (discriminating, budget-, line- and seed-stable) or visibly line-dependent."""
    spec = STUDIES[name]
    result = audit(dataclasses.replace(spec, faults=()), spec.audit_preset, contrasts=True)
    rows = result.robustness or []
    failed = result.clean_failed_probes
    assert failed == FAILS_BY_DESIGN.get(name, []), f"probes fail in the clean run: {failed}"
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


# Issue 27: one shape for every study. A reader finds each part where they expect it: the presets in config.py, the
# experiment's named sections in experiment.py (or experiments.py), each claim beside its measure in claims.py, then
# figures.py, brief.py and faults.py; study.py holds only the declaration and a run that calls the sections in order.
STUDY_FILES = ("config.py", "claims.py", "figures.py", "brief.py", "faults.py", "study.py")
STUDY_PY_MAX_LINES = 150
LAYOUT_PENDING: dict[str, int] = {}  # every built-in study has the shape


def layout_problems(spec: Study[Any]) -> list[str]:
    """What keeps a built-in study from the shared shape: a missing part, claims declared in study.py, a long one."""
    import importlib

    package = importlib.import_module(spec.run.__module__.rsplit(".", 1)[0])
    folder = Path(package.__file__ or "").parent
    problems = [f"no {f}" for f in STUDY_FILES if not (folder / f).is_file()]
    if not any((folder / f).is_file() for f in ("experiment.py", "experiments.py")):
        problems.append("no experiment.py (the named sections of the experiment)")
    study_py = folder / "study.py"
    if study_py.is_file():
        text = study_py.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > STUDY_PY_MAX_LINES:
            problems.append(f"study.py has {lines} lines (at most {STUDY_PY_MAX_LINES}: the declaration, a short run)")
        for word in ("Claim(", "Probe(", "class ", "PRESETS = "):
            if word in text:
                problems.append(f"study.py declares {word!r} (it belongs in claims.py / config.py / experiment.py)")
    return problems


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=f"moving (issue {LAYOUT_PENDING[n]})"))
        if n in LAYOUT_PENDING
        else n
        for n in sorted(STUDIES)
    ],
)
def test_every_study_has_the_shared_shape(name: str) -> None:
    problems = layout_problems(STUDIES[name])
    assert not problems, "\n".join(problems)
