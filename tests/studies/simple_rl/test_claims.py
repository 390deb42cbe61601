"""simple-rl's graded claims and probes on hand-made measurements: each can come out either way."""

from __future__ import annotations

from typing import Any

from skeptic.studies.simple_rl import claims
from skeptic.studies.simple_rl.config import PRESETS


def _sim(light: float, heavy: float, n: int = 10_000) -> dict[str, Any]:
    def rows(center: float) -> list[list[float]]:
        return [[center + 0.01 * ((i * 7 + j) % 5 - 2) for j in range(24)] for i in range(20)]

    return {
        "run": {"n_answers": n, "normal": rows(light), "t3": rows(heavy)},
        "144": {"n_answers": 144, "normal": rows(0.9), "t3": rows(0.8)},
    }


def test_the_power_probe_passes_a_decisive_design_and_fails_an_undecided_one() -> None:
    assert claims.kwa_simulation_power({"simulation": _sim(0.8, -0.2)})[0]
    ok, detail = claims.kwa_simulation_power({"simulation": _sim(0.8, 0.3)})  # heavy error gains: undecided
    assert not ok and "P(heavy|t3) = 0.00" in detail
    small = _sim(0.8, -0.2)
    small["144"]["t3"] = small["run"]["t3"]  # the distinction did not vanish at 144 answers
    assert not claims.kwa_simulation_power({"simulation": small})[0]


def _graded(tv: float, proxy: float) -> dict[str, Any]:
    arm = {"tv_own": tv, "proxy": proxy, "ref_proxy": 0.0, "opt_proxy": 1.0}
    return {"graded": {"arms": [arm], "specs": [{"arm": "k1", "kind": "true", "beta": 0.1}]}}


def test_an_arm_must_sit_on_its_own_optimum_and_gain() -> None:
    assert claims.arms_reach_optimum(_graded(0.01, 0.9))[0]
    assert not claims.arms_reach_optimum(_graded(0.05, 0.9))[0]  # not converged
    assert not claims.arms_reach_optimum(_graded(0.01, 0.2))[0]  # an arm that did not work


def test_the_kwa_measures_read_the_least_restrictive_beta() -> None:
    config = PRESETS["test"]
    b0, b1 = config.graded_betas[0], config.graded_betas[1]
    tilts = [
        {"kind": "heavy", "beta": b0, "gains": [-0.2, -0.1, -0.3]},
        {"kind": "heavy", "beta": b1, "gains": [0.9, 0.9, 0.9]},
    ]
    est = claims.tilt_gain("heavy")({"graded": {"tilts": tilts}}, config)
    assert abs(est.value + 0.2) < 1e-12 and est.hi < claims.HEAVY_SHARE


def test_the_power_probe_fails_when_the_light_claim_still_falls_at_144_answers() -> None:
    sim = _sim(0.8, -0.2)
    sim["144"]["t3"] = sim["run"]["t3"]  # t3 error still defeats the light claim at 144 answers
    ok, detail = claims.kwa_simulation_power({"simulation": sim})
    assert not ok and "P(light|t3 (not)) = 1.00" in detail.split("144 answers:")[1]


def test_the_trained_measure_selects_arms_by_their_own_labels_not_their_position() -> None:
    config = PRESETS["test"]
    b0, b1 = config.graded_betas[0], config.graded_betas[1]
    arms = [
        {"kind": "light", "arm": "k1", "beta": b1, "gains": [0.0, 0.0]},
        {"kind": "light", "arm": "drgrpo", "beta": b0, "gains": [0.1, 0.1]},
        {"kind": "light", "arm": "k1", "beta": b0, "gains": [0.7, 0.8]},
        {"kind": "heavy", "arm": "k1", "beta": b0, "gains": [-0.2, -0.1]},
    ]
    for order in (arms, arms[::-1]):
        est = claims.trained_gain("light")({"graded": {"arms": order}}, config)
        assert abs(est.value - 0.75) < 1e-12


def test_the_adam_probe_needs_agreement_a_move_and_a_frozen_model() -> None:
    good = {"steps": 4, "max_diff": 1e-16, "max_move": 0.1, "frozen_move": 0.0}
    assert claims.adam_matches_reference({"optimizer_check": good})[0]
    for bad in ({"max_diff": 1e-3}, {"max_move": 0.0}, {"frozen_move": 1e-3}):
        assert not claims.adam_matches_reference({"optimizer_check": good | bad})[0]


def test_the_checker_probe_needs_each_policy_on_the_grader_its_spec_names() -> None:
    ps = {"checker_disagreements": 0, "checked": 100, "grader_table_gap": [0.0, 0.0, 0.0]}
    assert claims.checker_agrees({"probe_samples": ps})[0]
    assert not claims.checker_agrees({"probe_samples": ps | {"grader_table_gap": [0.0, 1.5, 0.0]}})[0]
    assert not claims.checker_agrees({"probe_samples": ps | {"checker_disagreements": 1}})[0]
