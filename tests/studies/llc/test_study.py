"""The llc study end to end on its ``test`` preset, and its claims and probes on synthetic measurements."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from skeptic.core import run as core_run
from skeptic.core.claims import run_probes
from skeptic.studies.llc.brief import BRIEF
from skeptic.studies.llc.claims import CLAIMS, DESCRIBED, PROBES, degeneracy_ratio, worst_rel_error
from skeptic.studies.llc.study import run as llc_study


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return core_run(llc_study, preset="test", store=tmp_path_factory.mktemp("store"))


@pytest.mark.slow
def test_test_preset_runs_and_every_probe_passes(result: Any) -> None:
    assert result.status == "completed"
    assert not [p for p in result.probes if not p["passed"]]
    assert [c["id"] for c in result.claims] == [c.id for c in CLAIMS]
    m = result.measurements
    assert {r["family"] for r in m["table"]} == {
        "regular",
        "normal crossing",
        "reduced-rank regression",
        "deep linear network",
    }
    assert BRIEF.found is not None and "relative errors" in BRIEF.found(result)
    assert "tms" in m and {r["k"] for r in m["tms"]["kgons"]} == {5, 6}
    assert BRIEF.answer is not None
    prose = BRIEF.answer(result) + BRIEF.found(result)
    assert not [cid for cid in [c.id for c in CLAIMS] + list(DESCRIBED) if cid in prose]  # plain words, no ids
    assert not set(DESCRIBED) & {c.id for c in CLAIMS}
    assert prose.count("Described measurement, not a claim") == len(DESCRIBED)  # each reported, none dropped
    assert BRIEF.headline_figure in {f.name for f in result.figures}


@pytest.mark.slow
def test_probes_catch_doctored_measurements(result: Any) -> None:
    m = copy.deepcopy(result.measurements)
    row = next(r for r in m["table"] if r["family"] == "regular")
    row["llc"] *= 1.5  # an estimate that no longer matches its exact target nor its own trace
    failed = {p.id for p in run_probes(PROBES, m) if not p.passed}
    assert {"regular-exact", "estimate-from-trace", "se-from-chains"} <= failed
    m = copy.deepcopy(result.measurements)
    m["table"][0]["nbeta"] = m["n"]
    assert "settings-as-declared" in {p.id for p in run_probes(PROBES, m) if not p.passed}
    # issue 33, held-out seed 58337: the settings' burn-in and minibatch swapped, and the burn-in's cap broken
    from skeptic.studies.llc.claims import _as_configured
    from skeptic.studies.llc.config import PRESETS as LLC_PRESETS

    assert _as_configured(result.measurements, LLC_PRESETS["test"]).passed
    for key, value in (("batch_size", 30), ("num_burnin", 30)):
        m = copy.deepcopy(result.measurements)
        m["table"][0][key] = value
        assert not _as_configured(m, LLC_PRESETS["test"]).passed, key


@pytest.mark.slow
def test_new_invariants_pass_clean_and_fail_on_a_model_other_than_declared(result: Any) -> None:
    probes = {p.id: p for p in run_probes(PROBES, result.measurements)}
    assert probes["table-as-declared"].passed and probes["checkpoints-recomputed"].passed
    # a self-consistent row of another model (linear 3→3 where 2→3 is declared): d and λ agree with each other
    m = copy.deepcopy(result.measurements)
    row = next(r for r in m["table"] if r["noise"])
    row |= {"n_inputs": 3, "d": 9, "exact": 4.5}
    assert "table-as-declared" in {p.id for p in run_probes(PROBES, m) if not p.passed}
    # the gradient norm that decides "at a minimum" computed wrongly in the batched loop (e.g. divided by the seeds)
    m = copy.deepcopy(result.measurements)
    for r in m["tms"]["trajectory"]["records"]:
        r["grad_norm"] /= 3
    assert "checkpoints-recomputed" in {p.id for p in run_probes(PROBES, m) if not p.passed}
    # a stage boundary lost, or a run's R² computed over the wrong checkpoints
    assert probes["stages-recomputed"].passed
    m = copy.deepcopy(result.measurements)
    m["tms"]["trajectory"]["transitions"] = m["tms"]["trajectory"]["transitions"][1:]
    assert "stages-recomputed" in {p.id for p in run_probes(PROBES, m) if not p.passed}
    m = copy.deepcopy(result.measurements)
    m["tms"]["trajectory"]["stage_r2"][0] += 0.05
    assert "stages-recomputed" in {p.id for p in run_probes(PROBES, m) if not p.passed}
    m = copy.deepcopy(result.measurements)
    t = m["tms"]["trajectory"]["transitions"][0]
    t["llc_before"], t["llc_after"] = t["llc_after"], t["llc_before"]  # read from the wrong stages
    assert "stages-recomputed" in {p.id for p in run_probes(PROBES, m) if not p.passed}
    # a derived column off its inputs; a second estimate of the same model far from the first
    assert probes["estimate-from-trace"].passed and probes["rescaling-seeds-agree"].passed
    m = copy.deepcopy(result.measurements)
    m["table"][-1]["rel_error"] = -m["table"][-1]["rel_error"] + 0.01
    assert "estimate-from-trace" in {p.id for p in run_probes(PROBES, m) if not p.passed}
    m = copy.deepcopy(result.measurements)
    m["rescaling"]["llc"] *= 1.5
    assert "rescaling-seeds-agree" in {p.id for p in run_probes(PROBES, m) if not p.passed}


def _row(family: str, exact: float, llc: float, se: float, d: int) -> dict[str, Any]:
    return {
        "name": f"{family} {exact}",
        "family": family,
        "exact": exact,
        "llc": llc,
        "llc_se": se,
        "rel_error": (llc - exact) / exact,
        "half_d": d / 2,
    }


def test_claim_measures_on_synthetic_rows() -> None:
    m = {
        "table": [
            _row("regular", 3.0, 3.3, 0.1, 6),
            _row("regular", 12.0, 11.0, 0.2, 24),
            _row("deep linear network", 6.5, 7.0, 0.2, 48),
        ]
    }
    worst = worst_rel_error("regular")(m)
    assert worst.value == pytest.approx(0.1)  # 3.3 vs 3 beats 11 vs 12 (0.083)
    assert worst.hi == pytest.approx(0.1 + 1.96 * 0.1 / 3)
    ratio = degeneracy_ratio(m)
    assert ratio.value == pytest.approx(7.0 / 24)
    with pytest.raises(ValueError):
        worst_rel_error("normal crossing")(m)


def test_paper_preset_is_declared_within_limits() -> None:
    from skeptic.studies.llc.config import PRESETS

    p = PRESETS["paper"]
    assert p.table == "standard" and p.n >= 20_000 and math.isfinite(p.gamma)


def test_relaxation_warning_is_read() -> None:
    from skeptic.studies.llc.claims import _relaxation_read

    warning = "burn-in (150 steps) is shorter than the relaxation time"
    row = {"name": "5-3-5, r=1", "exact": 5.0, "drift": 1.14, "drift_se": 0.26, "num_burnin": 150,
           "epsilon": 6.8e-5, "gamma": 10.0, "warnings": [warning]}  # fmt: skip
    assert not _relaxation_read({"table": [row]}).passed  # still rising: the warning was right
    assert _relaxation_read({"table": [row | {"drift": 0.1}]}).passed  # settled despite the short burn-in
    assert _relaxation_read({"table": [row | {"warnings": [], "drift": 3.0}]}).passed  # no warning: no-drift's job


@pytest.mark.slow
def test_claims_recomputed_passes_clean_and_catches_a_measure_off_its_quantity(
    result: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from skeptic.core.claims import Estimate
    from skeptic.studies.llc import claims as llc_claims
    from skeptic.studies.llc.config import PRESETS

    config = PRESETS["test"]
    probe = next(p for p in PROBES if p.id == "claims-recomputed")
    assert probe.check(result.measurements, config).passed  # type: ignore[call-arg]

    def failed(m: Any) -> bool:
        return not probe.check(m, config).passed  # type: ignore[call-arg]

    # stored columns that the measures read but the recomputation derives from the raw chains and the model
    m = copy.deepcopy(result.measurements)
    m["table"][1]["rel_error"] += 0.3
    assert failed(m)
    m = copy.deepcopy(result.measurements)
    m["table"][-1]["llc_se"] *= 3
    assert failed(m)
    m = copy.deepcopy(result.measurements)
    next(a for a in m["twins"]["arms"] if a["activation"] == "relu")["exact"] = 4.0
    assert failed(m)
    m = copy.deepcopy(result.measurements)
    m["tms"]["kgons"][0]["lambda"] += 1.0
    assert failed(m)
    m = copy.deepcopy(result.measurements)
    m["tms"]["trajectory"]["stage_excess_r2"][0] += 0.3  # a control that is not the random-boundaries mean
    assert failed(m)
    # a measure that drops the "− 1" of |λ̂/λ − 1| (the silent mutant class of held-out seed 20261207)
    relu = next(c for c in CLAIMS if c.id == "relu-known-lambda")

    def off(m: Any) -> Estimate:
        a = next(a for a in m["twins"]["arms"] if a["activation"] == "relu")
        return Estimate.from_se(abs(a["llc"] / a["exact"]), a["llc_se"] / a["exact"], floor=0.0)

    swapped = tuple(dataclasses.replace(relu, measure=off) if c is relu else c for c in CLAIMS)
    monkeypatch.setattr(llc_claims, "CLAIMS", swapped)
    assert failed(result.measurements)
    monkeypatch.undo()

    # a described measurement off its quantity is caught too: the gap read against H, not H/2
    def half_gap(m: Any) -> Estimate:
        e = llc_claims.relu_gelu_gap(m)
        return Estimate(e.value / 2, e.lo / 2, e.hi / 2, e.method)

    monkeypatch.setitem(llc_claims.DESCRIBED, "relu-gelu-gap", half_gap)
    assert failed(result.measurements)
