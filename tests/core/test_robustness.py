"""The robustness audit on a toy study (tests/toy_robust.py) whose claims each fail one check by construction."""

from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

import tests.toy_robust  # noqa: F401  (registers toy-robust)
from skeptic.core import Store, get_study
from skeptic.core.audit import AuditResult, audit, run_audit
from skeptic.core.claims import Contrast
from skeptic.core.robustness import ClaimRobustness, disagreement, judge_contrast, plan, summarize


@pytest.fixture(scope="module")
def robust() -> AuditResult:
    return audit(get_study("toy-robust"), "test", contrasts=True)


def _by_id(result: AuditResult) -> dict[str, ClaimRobustness]:
    assert result.robustness is not None
    return {r.claim: r for r in result.robustness}


def test_the_plan_shares_one_execution_per_distinct_override_set() -> None:
    labels = [(e.kind, e.overrides, e.seed_index) for e in plan(get_study("toy-robust"), "test")]
    assert labels == [
        ("contrast", {"mechanism": False}, 0),
        ("budget", {"n": 400}, 0),
        ("seed", {}, 1),
        ("seed", {}, 2),
    ]


def test_a_claim_true_by_construction_is_not_discriminating(robust: AuditResult) -> None:
    r = _by_id(robust)["by-construction"]
    assert r.verdict == "replicated" and r.discrimination == "not discriminating"
    assert r.contrasts[0].got == "replicated" and not r.finding


def test_a_verdict_that_flips_with_the_budget_is_budget_dependent_and_never_a_finding(robust: AuditResult) -> None:
    r = _by_id(robust)["budget-flip"]
    assert (r.verdict, r.budget_verdict, r.budget_stable) == ("not_replicated", "replicated", False)
    assert r.discrimination == "discriminating" and r.seed_stable and r.line_stable is None
    assert not r.finding and r.why_not == "depends on the training budget"


def test_a_line_dependent_verdict_is_never_a_finding(robust: AuditResult) -> None:
    r = _by_id(robust)["line-dependent"]
    assert r.verdict == "not_replicated" and r.band_verdicts == ["not_replicated", "replicated"]
    assert r.line_stable is False and r.budget_stable and r.discrimination == "discriminating"
    assert not r.finding and r.why_not == "depends on Skeptic's line"


def test_a_verdict_that_passes_every_check_is_a_finding(robust: AuditResult) -> None:
    r = _by_id(robust)["finding"]
    assert r.verdict == "not_replicated" and r.finding and r.why_not == ""
    assert (r.discriminating, r.budget_stable, r.seed_stable, r.confirmed) == (True, True, True, True)
    assert r.seed_verdicts == ["not_replicated", "not_replicated"]
    assert summarize(robust.robustness or []).to_dict() == {
        "claims": 4,
        "discriminating": 3,
        "budget_dependent": 1,
        "line_dependent": 1,
        "findings": ["finding"],
    }


def test_the_robustness_audit_is_stored_as_strict_json(tmp_path: Path) -> None:
    audit_id, _ = run_audit(get_study("toy-robust"), "test", store=tmp_path, contrasts=True)
    record = Store(tmp_path).get_audit(audit_id)
    assert record is not None and record.result is not None
    doc = json.loads(json.dumps(record.result, allow_nan=False))
    assert doc["robustness_summary"]["findings"] == ["finding"]
    assert {r["claim"]: r["discriminating"] for r in doc["robustness"]}["by-construction"] is False
    assert [r["kind"] for r in doc["robustness_runs"]] == ["contrast", "budget", "seed", "seed"]

    # the report: a Findings page names the finding with its quote; the card names only findings as findings
    from skeptic.core import run
    from skeptic.report import render_report

    run("toy-robust", preset="test", store=tmp_path)
    files = render_report(Store(tmp_path), [get_study("toy-robust")])
    findings = files["findings.html"].decode()
    assert "<b>finding</b>: The effect is at most 0.1." in findings and "The effect is small." in findings
    assert "line-dependent</b> (0.3): depends on Skeptic&#39;s line." in findings
    assert "budget-flip</b> (0.9): depends on the training budget." in findings
    assert "The claim: The estimate reaches 0.95." in findings  # what a non-finding claimed, beside why it is not one
    md = files["findings.md"].decode()
    assert "The claim: The estimate reaches 0.95." in md
    assert all(line.count("Not a finding") <= 1 for line in md.splitlines())  # one disagreement per line
    index = files["index.html"].decode()
    assert "Finding: “The effect is at most 0.1.” did not hold" in index
    assert "Not replicated here, but this depends on the training budget: “The estimate reaches 0.95.”" in index
    assert "Finding: “The effect is at most 0.25" not in index
    page = files["toy-robust.html"].decode()
    assert 'id="robustness"' in page and "not discriminating" in page
    assert "findings: finding" in files["toy-robust.md"].decode()


def test_a_contrast_is_classified_by_the_verdict_it_gave() -> None:
    c = Contrast("light", {"tail": "light"}, "replicated", "the error is light-tailed here")
    assert judge_contrast(c, "not_replicated", "replicated").outcome == "discriminating"
    assert judge_contrast(c, "not_replicated", "not_replicated").outcome == "not discriminating"
    assert judge_contrast(c, "not_replicated", "inconclusive").outcome == "inconclusive"
    assert judge_contrast(c, "not_replicated", None).outcome == "inconclusive"
    assert judge_contrast(c, "not_replicated", None, "boom").outcome == "inconclusive"


def test_a_flip_from_an_undefined_clean_estimate_is_not_discriminating() -> None:
    """Session 17 (issue 33): a claim whose clean estimate is NaN (inconclusive for want of data) must not count as
    discriminating because a contrast makes the estimate defined and it then reads as the contrast declares."""
    c = Contrast("gamma", {"gamma": 1000.0}, "not_replicated", "the estimate reads the trace")
    r = judge_contrast(c, "inconclusive", "not_replicated", clean_undefined=True)
    assert r.outcome == "inconclusive" and "undefined" in r.detail
    assert judge_contrast(c, "inconclusive", "not_replicated").outcome == "discriminating"
    assert judge_contrast(c, "inconclusive", "inconclusive", clean_undefined=True).outcome == "not discriminating"


def test_judged_lists_claims_without_a_defined_estimate() -> None:
    from skeptic.core.claims import Estimate
    from skeptic.core.judged import _defined

    assert not _defined(())
    assert not _defined((Estimate(float("nan"), 0.0, 1.0, "none at a minimum"),))
    assert _defined((Estimate(float("nan"), 0.0, 1.0, "a"), Estimate(0.4, 0.1, 0.7, "b")))


def test_a_disagreement_is_named_by_the_first_check_it_fails() -> None:
    base = dict(
        claim="c",
        statement="",
        verdict="not_replicated",
        trusted=True,
        measured="",
        quote=None,
        contrasts=[],
        discrimination="discriminating",
        budget_verdict="not_replicated",
        budget_stable=True,
        band_verdicts=[],
        line_stable=None,
        seed_verdicts=[],
        seed_stable=True,
    )
    assert disagreement(ClaimRobustness(**base)) == ""  # type: ignore[arg-type]
    assert disagreement(ClaimRobustness(**{**base, "discrimination": "no contrast"})) == (  # type: ignore[arg-type]
        "the design cannot test this at laptop scale"
    )
    assert disagreement(ClaimRobustness(**{**base, "seed_stable": False})) == "depends on the seed"  # type: ignore[arg-type]
    assert disagreement(ClaimRobustness(**{**base, "trusted": False})).startswith("a probe failed")  # type: ignore[arg-type]
    unread = {"text": "", "locator": "x", "verified": False, "note": "page not retrieved"}
    assert disagreement(ClaimRobustness(**{**base, "quote": unread})) == (  # type: ignore[arg-type]
        "the source's words were not retrieved"
    )
    read = {"text": "the words", "locator": "x", "verified": True, "note": ""}
    assert disagreement(ClaimRobustness(**{**base, "quote": read})) == ""  # type: ignore[arg-type]


def test_audit_contrasts_command_prints_the_table_and_stores_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from skeptic import cli

    monkeypatch.setattr(
        sys, "argv", ["skeptic", "audit", "toy-robust", "--contrasts", "--json", "--store", str(tmp_path)]
    )
    stdout = io.StringIO()
    with redirect_stdout(stdout), pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code in (0, None)  # no faults declared: nothing silent, and the clean runs agree
    doc = json.loads(stdout.getvalue())
    assert doc["robustness_summary"]["findings"] == ["finding"]
    shown = capsys.readouterr().err
    assert "not discriminating" in shown and "FINDING" in shown and "depends on Skeptic's line" in shown
    assert "4 claims: 3 discriminating, 1 budget-dependent, 1 line-dependent; findings: finding" in shown
