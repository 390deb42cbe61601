"""The superposition presets (``config.py``) and which of them ``skeptic audit superposition`` runs."""

import sys
from pathlib import Path
from typing import Any

import pytest

from skeptic.core.audit import AuditFailed
from skeptic.studies.superposition.config import PRESETS, SuperpositionConfig


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_validates_as_written(name: str) -> None:
    config = PRESETS[name]
    assert SuperpositionConfig.model_validate(config.model_dump()) == config


def test_audit_preset_has_the_seeds_and_restarts_its_verdicts_need() -> None:
    """The audit preset's point (issues 25, 33): more independent models than test wherever a claim reads a t-interval
    over seeds or a share of restarts, and the slower toy learning rate that leaves no n = 2 model dead."""
    audit, test = PRESETS["audit"], PRESETS["test"]
    assert audit.n_seeds == 8 > test.n_seeds  # 8 since session 15 (issue 33)
    assert audit.pd_seeds == 8 > test.pd_seeds and len(audit.pd_ratios) == 5
    assert sum(0.5 <= r <= 2.0 for r in audit.pd_ratios) == 3  # three cells for the sparse antipodal claims
    assert audit.corr_seeds == 24 > test.corr_seeds and audit.kgon_seeds == 10 > test.kgon_seeds
    assert audit.toy_lr == 0.05 < test.toy_lr
    assert audit.pc_decay == 0.9 and audit.pc_restarts >= 2  # the claims' own 0.9^i, each seed its best of 2 starts


def test_audit_command_runs_the_audit_preset(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``skeptic audit superposition`` with no ``--preset`` runs the study's declared ``audit`` preset."""
    from skeptic import cli
    from skeptic.core import audit as audit_module
    from skeptic.core.study import get_study

    assert get_study("superposition").audit_preset == "audit"
    seen: dict[str, Any] = {}

    def fake_run_audit(spec: Any, **kwargs: Any) -> Any:
        seen["study"], seen["preset"] = spec.name, kwargs["preset"]
        raise AuditFailed("stopped by the test")

    monkeypatch.setattr(audit_module, "run_audit", fake_run_audit)
    args = ["skeptic", "audit", "superposition", "--no-faults", "--mutants", "1", "--store", str(tmp_path)]
    monkeypatch.setattr(sys, "argv", args)
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 1
    assert seen == {"study": "superposition", "preset": "audit"}
