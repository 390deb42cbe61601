"""The general probes of issue 25 on a real run of the test preset: each passes on the clean code and fails when the
part it checks is broken (a measure reading the wrong arm, an evaluation row off, Adam with other betas, a model or a
budget other than the config's)."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest

import skeptic
from skeptic.studies.imitation import claims as cl
from skeptic.studies.imitation import experiments
from skeptic.studies.imitation.config import PRESETS
from skeptic.study import mean_ci

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


@pytest.mark.parametrize("where", ["on_path_error", "off_path_error", "cost", "reference"])
def test_a_nan_measurement_fails_its_cross_check(measured: dict[str, Any], where: str) -> None:
    """A quantity that could not be computed (NaN) is a disagreement, not an agreement: Python's max(worst, nan)
    keeps worst, so a probe built on it passed a NaN path error (held-out seed 73313's silent nets.py:314)."""
    m = copy.deepcopy(measured)
    if where == "cost":
        m["horizons"]["rows"][-1]["cost"] = math.nan
    elif where == "reference":
        m["distill"]["reference"][-1]["reference"] = math.nan
        assert not cl.distill_cross_check(m).passed
        return
    else:
        m["horizons"]["paths"][-1][where] = math.nan
    assert not cl.horizon_cross_check(m).passed


def test_a_model_with_other_heads_or_vocabulary_is_caught(measured: dict[str, Any]) -> None:
    """The head count is not visible in the weights' shapes; the probe reads it from the template that built them."""
    for key, value in (("heads", 1), ("vocab", 2 * CFG.p + 1)):
        m = copy.deepcopy(measured)
        m["distill"]["shapes"][0][key] = value
        out = cl.models_as_declared(m, CFG)
        assert not out.passed and key in out.detail


def test_adam_with_other_betas_fails_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(experiments, "REFERENCE_BETAS", (0.9, 0.999))
    c = experiments.reference_checks(_Ctx())  # type: ignore[arg-type]
    assert c["adam"] > cl.REFERENCE_TOL["adam"]
    assert c["losses"] <= cl.REFERENCE_TOL["losses"] and c["answer_logits"] <= cl.REFERENCE_TOL["answer_logits"]


def test_a_model_or_budget_other_than_declared_is_caught(measured: dict[str, Any]) -> None:
    assert not cl.models_as_declared(measured, CFG.model_copy(update={"d_student": 16})).passed
    assert not cl.models_as_declared(measured, CFG.model_copy(update={"rl_steps": CFG.rl_steps + 1})).passed
    assert not cl.models_as_declared(measured, CFG.model_copy(update={"student_widths": (4, 8)})).passed


CFG2 = CFG.model_copy(update={"replicates": 2})
"""Two replicates on each of the test preset's two checkpoints, for the synthetic curves of :func:`_censored`."""


def _censored(measured: dict[str, Any]) -> dict[str, Any]:
    """The test run with experiment 1's curves replaced by known ones (two replicates on each of two checkpoints):
    every SFT and on-policy replicate reaches the target, RL all but replicate 0 (censored, so the samples ratios are
    lower bounds), at different samples within a checkpoint."""
    m = copy.deepcopy(measured)
    R, per = CFG2.starts * CFG2.replicates, CFG2.replicates
    grid = [0, 16, 64, 160]
    acc = {"sft": [0.5, 0.7, 0.9, 0.95], "on-policy": [0.5, 0.75, 0.95, 1.0]}
    rl = [[0.5, 0.55, 0.6, 0.62], [0.5, 0.6, 0.7, 0.85], [0.5, 0.6, 0.85, 0.9], [0.5, 0.7, 0.8, 0.9]]
    curves = [{"method": k, "seed": s, "start": s // per, "step": i, "samples": n, "final_accuracy": a[i]}
              for k, a in acc.items() for s in range(R) for i, n in enumerate(grid)]  # fmt: skip
    curves += [{"method": "rl", "seed": s, "start": s // per, "step": i, "samples": n, "final_accuracy": rl[s][i]}
               for s in range(R) for i, n in enumerate(grid)]  # fmt: skip
    m["sft_vs_rl"]["curves"] = curves
    m["sft_vs_rl"]["rewards"] = [{"bits_per_episode": [0.4, 0.6, 0.5, 0.7][:R]}]
    return m


def test_claims_recomputed_checks_intervals_and_censoring(
    measured: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probe compares each claim's whole estimate: a measure that forgets a censored replicate (a closed interval
    where it must be open), forms its interval otherwise, or over the replicates instead of the checkpoints they
    share disagrees, though its point value is unchanged."""
    m = _censored(measured)
    est = cl.rl_ratio(cl.TARGET)(m)
    assert est.hi == float("inf") and math.isfinite(est.lo)  # replicate 0's RL is censored
    assert cl.claims_recomputed(m, CFG2).passed, cl.claims_recomputed(m, CFG2).detail
    want = cl.recompute_claims(m, CFG2)
    assert want["sft-beats-rl"][0] == pytest.approx(est.value) and want["sft-beats-rl"][2] == float("inf")

    original = cl._log_ratio_estimate
    monkeypatch.setattr(cl, "_log_ratio_estimate", lambda logs, rl_c, base_c, n, exponent=True, units=None:
                        original(logs, 0, base_c, n, exponent, units))  # fmt: skip
    out = cl.claims_recomputed(m, CFG2)
    assert not out.passed and "sft-beats-rl" in out.detail and "bits-explain-gap" in out.detail
    monkeypatch.undo()
    monkeypatch.setattr(cl, "_log_ratio_estimate", lambda logs, rl_c, base_c, n, exponent=True, units=None:
                        original(logs, rl_c, base_c, n, exponent, None))  # one unit per replicate  # fmt: skip
    out = cl.claims_recomputed(m, CFG2)
    assert not out.passed and "rl-vs-onpolicy-distillation" in out.detail and "bits-explain-gap" in out.detail
    monkeypatch.undo()

    monkeypatch.setattr(cl, "mean_ci", lambda v: mean_ci(v, 0.9))  # a 90% interval where 95% is declared
    out = cl.claims_recomputed(m, CFG2)
    assert not out.passed and "sft-beats-rl" in out.detail


def test_declared_grid_is_the_runs_grid_written_apart() -> None:
    """The probe's grid, recomputed in pure Python, is the one the runs use, over the budgets and counts presets use
    and many others."""
    for steps in (0, 1, 2, 5, 20, 60, 100, 160, 400, 1000, 2600):
        for n in range(3, 41):
            assert cl.declared_grid(steps, n) == experiments.checkpoints(steps, n), (steps, n)


def test_evaluations_as_declared_passes_clean_and_fails_on_a_cut_grid(
    measured: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Clean, every curve sits on its declared grid; a run whose grid lost its inner steps (only 0 and the last step
    evaluated: session 17's held-out silent mutant ``0 < s <= steps`` → ``0 > s <= steps``) fails the probe, and so
    does a curve with one evaluation dropped or a replicate missing."""
    assert cl.evaluations_as_declared(measured, CFG).passed, cl.evaluations_as_declared(measured, CFG).detail
    m = copy.deepcopy(measured)
    m["sft_vs_rl"]["curves"] = [r for r in m["sft_vs_rl"]["curves"] if not (r["method"] == "rl" and r["seed"] == 0)]
    assert not cl.evaluations_as_declared(m, CFG).passed
    m = copy.deepcopy(measured)
    drop = next(i for i, r in enumerate(m["distill"]["rows"]) if 0 < r["step"] < CFG.distill_steps)
    del m["distill"]["rows"][drop]
    assert not cl.evaluations_as_declared(m, CFG).passed
    monkeypatch.setattr(experiments, "checkpoints", lambda steps, n: [0, steps])
    cut = dict(skeptic.run("imitation", preset="test", store=tmp_path, force=True).measurements)
    out = cl.evaluations_as_declared(cut, CFG)
    assert not out.passed and "declared" in out.detail
