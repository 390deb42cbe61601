"""The general probes of issue 25 on a real run of the test preset: each passes on the clean code and fails when the
part it checks is broken (a measure reading the wrong arm, an evaluation row off, Adam with other betas, a model or a
budget other than the config's)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

import skeptic
from skeptic.studies.imitation import claims as cl
from skeptic.studies.imitation import experiments
from skeptic.studies.imitation.config import PRESETS

from .test_experiments import _Ctx

CFG = PRESETS["test"]


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    store: Path = tmp_path_factory.mktemp("store")
    result = skeptic.run("imitation", preset="test", store=store, force=True)
    return dict(result.measurements)


def test_every_general_probe_passes_on_the_clean_run(measured: dict[str, Any]) -> None:
    assert cl.claims_recomputed(measured, CFG).passed, cl.claims_recomputed(measured, CFG).detail
    assert cl.horizon_cross_check(measured).passed, cl.horizon_cross_check(measured).detail
    assert cl.distill_cross_check(measured).passed, cl.distill_cross_check(measured).detail
    assert cl.reference_agrees(measured).passed, cl.reference_agrees(measured).detail
    assert cl.models_as_declared(measured, CFG).passed, cl.models_as_declared(measured, CFG).detail


def test_a_measure_reading_the_wrong_arm_is_caught(measured: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The BC slope claim reading the on-policy rows (the claims' helper mixed up) disagrees with the recomputation."""
    original = cl.horizon_rows
    monkeypatch.setattr(cl, "horizon_rows", lambda m, method: original(m, "on-policy" if method == "bc" else "bc"))
    out = cl.claims_recomputed(measured, CFG)
    assert not out.passed and "offpolicy-superlinear" in out.detail


def test_evaluation_rows_off_by_more_than_a_prompt_are_caught(measured: dict[str, Any]) -> None:
    m = copy.deepcopy(measured)
    m["horizons"]["rows"][0]["cost"] += 3.0 / m["horizons"]["eval_prompts"] * m["horizons"]["rows"][0]["T"]
    assert not cl.horizon_cross_check(m).passed
    m = copy.deepcopy(measured)
    m["distill"]["reference"][0]["reference"] += 3.0 / m["distill"]["eval_prompts"]
    assert not cl.distill_cross_check(m).passed


def test_adam_with_other_betas_fails_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(experiments, "REFERENCE_BETAS", (0.9, 0.999))
    c = experiments.reference_checks(_Ctx())  # type: ignore[arg-type]
    assert c["adam"] > cl.REFERENCE_TOL["adam"]
    assert c["losses"] <= cl.REFERENCE_TOL["losses"] and c["answer_logits"] <= cl.REFERENCE_TOL["answer_logits"]


def test_a_model_or_budget_other_than_declared_is_caught(measured: dict[str, Any]) -> None:
    assert not cl.models_as_declared(measured, CFG.model_copy(update={"d_student": 16})).passed
    assert not cl.models_as_declared(measured, CFG.model_copy(update={"rl_steps": CFG.rl_steps + 1})).passed
    assert not cl.models_as_declared(measured, CFG.model_copy(update={"student_widths": (4, 8)})).passed
