"""The fault catalog: realistic, injectable, and caught by the probes that state the matching invariant."""

from __future__ import annotations

import dataclasses

import pytest

from skeptic.core.audit import audit
from skeptic.core.faults import FAULT_KINDS
from skeptic.studies.alignment_faking.faults import FAULTS
from skeptic.studies.alignment_faking.study import run as STUDY  # noqa: N812 (the Study object)


def test_catalog_is_declared_and_covers_the_reviewers_list() -> None:
    assert STUDY.faults == FAULTS and len(FAULTS) >= 8
    ids = {f.id for f in FAULTS}
    assert {"parser-first-output", "classifier-reads-output", "tiers-swapped-in-prompt", "vote-threshold-off-by-one",
            "unreadable-votes-as-no", "se-not-clustered", "gap-unpaired"} <= ids  # fmt: skip
    assert all(f.kind in FAULT_KINDS and f.description for f in FAULTS)


@pytest.mark.slow
def test_swapped_tiers_and_the_first_output_parser_are_caught() -> None:
    """Two faults through the real audit: each is caught by the probe stating its invariant."""
    keep = {"tiers-swapped-in-prompt", "parser-first-output"}
    spec = dataclasses.replace(STUDY, faults=tuple(f for f in FAULTS if f.id in keep))
    result = audit(spec, "test")
    assert result.clean_failed_probes == ["real-model"]  # the scripted model: only that probe fails clean
    by_id = {f.id: f for f in result.faults}
    assert by_id["tiers-swapped-in-prompt"].outcome == "caught"
    assert "tier-manipulation" in by_id["tiers-swapped-in-prompt"].failed_probes
    assert {c["claim"] for c in by_id["tiers-swapped-in-prompt"].changed_verdicts} >= {"helpful-only-compliance-gap"}
    assert by_id["parser-first-output"].outcome == "caught"
    assert by_id["parser-first-output"].failed_probes == ["grader-calibration"]
