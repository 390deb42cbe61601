"""The claims' measures on synthetic measurements whose answers are known."""

from __future__ import annotations

from typing import Any

import pytest

from skeptic.studies.imitation import claims as cl


def _exp1(sft: list[list[float]], rl: list[list[float]], samples: list[int]) -> dict[str, Any]:
    curves = []
    for method, acc in (("sft", sft), ("rl", rl), ("on-policy", sft)):
        for s, row in enumerate(acc):
            for n, a in zip(samples, row, strict=True):
                curves.append({"method": method, "seed": s, "samples": n, "final_accuracy": a})
    rewards = [{"bits_per_episode": [0.5, 0.5]}]
    return {
        "config": {"n_seeds": 2, "eval_prompts": 100},
        "sft_vs_rl": {"curves": curves, "rewards": rewards, "demo_bits": 10.0},
    }


def test_samples_to_target_and_censoring() -> None:
    m = _exp1([[0.1, 0.9, 1.0], [0.1, 0.5, 0.95]], [[0.1, 0.2, 0.9], [0.1, 0.1, 0.2]], [0, 100, 1000])
    assert cl.samples_to(m, "sft", 0.8) == [(100.0, True), (1000.0, True)]
    assert cl.samples_to(m, "rl", 0.8) == [(1000.0, True), (1000.0, False)]
    est = cl.rl_ratio(0.8)(m)
    assert est.value == pytest.approx((10.0 * 1.0) ** 0.5)  # geometric mean of 10 and (at least) 1
    assert est.hi == float("inf") and "lower bound" in est.method
    m = _exp1([[0.1, 0.9, 1.0], [0.1, 0.5, 0.6]], [[0.1, 0.2, 0.9], [0.1, 0.1, 0.2]], [0, 100, 1000])
    est = cl.rl_ratio(0.8)(m)  # the second seed's SFT never reaches 0.8: the ratio uses the first seed only
    assert est.value == pytest.approx(10.0) and "1 of 2 seeds" in est.method
    assert cl.bits_ratios(m) == [20.0, 20.0]


def test_slopes_recover_known_powers() -> None:
    rows = []
    for T in (2, 4, 8):
        rows += [{"T": T, "method": "bc", "seed": 0, "cost": 0.01 * T**2},
                 {"T": T, "method": "bc", "seed": 1, "cost": 0.02 * T**2},
                 {"T": T, "method": "on-policy", "seed": 0, "cost": 0.01 * T},
                 {"T": T, "method": "on-policy", "seed": 1, "cost": 0.0}]  # fmt: skip
    m = {"config": {"n_seeds": 2, "eval_prompts": 100}, "horizons": {"rows": rows}}
    assert cl.slopes(m, "bc") == pytest.approx([2.0, 2.0])
    assert cl.slopes(m, "on-policy") == pytest.approx([1.0, 0.0])  # a perfect student sits on the floor: slope 0
    adv = cl.onpolicy_advantage(m)
    assert adv.value == pytest.approx((1.0 + (0.64 - 0.08) / (0.64 + 0.08)) / 2)


def test_margin_difference_by_hand() -> None:
    m = _exp1([[0.2, 0.9], [0.2, 0.7]], [[0.2, 0.3], [0.2, 0.2]], [0, 100])
    # on-policy = sft here, so the margin is (sft − rl): 0.6 and 0.5
    assert cl.margin_difference(m).value == pytest.approx(0.55)


def test_probes_fail_on_broken_measurements() -> None:
    good = {
        "sft_vs_rl": {"off_path": {"bc": 0.0, "on-policy": 0.2}, "train_eval_overlap": 0, "eval_held_out": 1.0,
                      "evaluation_cross_check": [{"batched": 0.5, "reference": 0.5}], "init_fingerprint": [0.1, 0.2]},
        "horizons": {"off_path": {"bc": 0.0, "on-policy": 0.3}, "train_eval_overlap": 0, "eval_held_out": 1.0},
        "config": {"eval_prompts": 100},
    }  # fmt: skip
    assert cl.named_states(good).passed and cl.held_out(good).passed
    assert cl.evaluation_cross_check(good).passed and cl.independent(good).passed
    swapped = {**good, "horizons": {**good["horizons"], "off_path": {"bc": 0.3, "on-policy": 0.0}}}
    assert not cl.named_states(swapped).passed
    leaky = {**good, "sft_vs_rl": {**good["sft_vs_rl"], "train_eval_overlap": 3}}
    assert not cl.held_out(leaky).passed
    off = {**good, "sft_vs_rl": {**good["sft_vs_rl"], "evaluation_cross_check": [{"batched": 0.9, "reference": 0.5}]}}
    assert not cl.evaluation_cross_check(off).passed
    same = {**good, "sft_vs_rl": {**good["sft_vs_rl"], "init_fingerprint": [0.1, 0.1]}}
    assert not cl.independent(same).passed
