"""simple-rl's graded claims and probes on hand-made measurements: each can come out either way."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from skeptic.studies.simple_rl import analysis, claims
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


def _lm(pass1: list[list[float]], flaw_true: list[list[float]], check_off: float = 0.0) -> dict[str, Any]:
    """Two seeds, one RL policy (true reward, β_main) and one flawed-grader policy (smallest β) each, over the given
    evaluations; the text-checker columns equal the recorded ones unless ``check_off`` shifts the last one."""
    config = PRESETS["test"]
    specs = [{"seed": s, "kind": k, "beta": b, "role": "sweep", "lr": 0.01} for s in range(2)
             for k, b in (("true", config.beta_main), ("flaw", min(config.betas)))]  # fmt: skip
    curves: list[dict[str, Any]] = []
    for t, (p, f) in enumerate(zip(pass1, flaw_true, strict=True)):
        row = [p[0], f[0], p[1], f[1]]
        curves.append({"step": t * config.eval_every, "pass1_heldout": row, "true_train": row,
                       "proxy_train": [p[0], 1.5, p[1], 1.5],  # the flawed grader's proxy flat: it never falls
                       "pass1_check": list(row), "true_check": list(row)})  # fmt: skip
    curves[-1]["step"] = config.rl_steps
    curves[-1]["pass1_check"] = [x + check_off for x in curves[-1]["pass1_check"]]
    curves[-1]["true_check"] = [x + check_off for x in curves[-1]["true_check"]]
    views = {"arms": ["rl-kl"], "pre_acc": [1.0, 1.0],
             "curves": {"rl-kl": [{"frozen_acc": [a, a]} for a in (1.0, 0.6, 0.5, 0.5)]}}  # fmt: skip
    final = curves[-1]["pass1_heldout"]
    per_problem = [[x + d for d in SPREAD] for x in final]  # each policy's final pass@1 on the 4 held-out problems
    base = [[0.2] * len(HELDOUT) for _ in range(2)]
    return {"specs": specs, "curves": curves, "split": {"heldout": HELDOUT},
            "base": {"pass1": [0.2, 0.2], "pass1_check": [0.2, 0.2], "pass1_problems": base,
                     "pass1_check_problems": [list(r) for r in base]},
            "final": {"pass1": final, "pass1_problems": per_problem,
                      "pass1_check_problems": [[x + check_off for x in r] for r in per_problem]},
            "views": views} | _with_answer_mass({"specs": specs, "curves": curves}, config)  # fmt: skip


HASH_ANSWER, DIGIT_ANSWER = 11 * 12 + 0, 0
"""Answer indices (12·t₁ + t₂) of '#0' and '00'."""


def _with_answer_mass(m: dict[str, Any], config: Any) -> dict[str, Any]:
    """Stores, for every policy and evaluation, an answer distribution consistent with the recorded curves: a flawed
    grader's policy puts (proxy − true)/bonus of its mass on '#0' (the rest on '00'), any other policy none on '#'.
    Returns ``m`` (updated in place): call it again after changing a recorded curve by hand."""
    for c in m["curves"]:
        mass = []
        for i, sp in enumerate(m["specs"]):
            g = (c["proxy_train"][i] - c["true_train"][i]) / config.flaw_bonus if sp["kind"] == "flaw" else 0.0
            row = [0.0] * 144
            row[HASH_ANSWER], row[DIGIT_ANSWER] = g, 1.0 - g
            mass.append(row)
        c["answer_mass"] = mass
    return m


HELDOUT = [12, 123, 107, 999]
"""Held-out problem numbers of :func:`_lm`: two easy (last digit < 5), two hard."""
SPREAD = (-0.05, 0.05, -0.05, 0.05)
"""Per-problem offsets of :func:`_lm`'s final pass@1 around each policy's mean (a variance within each stratum)."""


def test_the_pass1_claim_judges_every_seed_on_its_own_interval_over_held_out_problems() -> None:
    config = PRESETS["test"].model_copy(update={"n_seeds": 2, "flaw_replicates": 1})
    claim = next(c for c in claims.CLAIMS if c.id == "rl-raises-pass1")
    m = _lm([[0.2, 0.2], [0.6, 0.7], [0.9, 0.9]], [[0.3, 0.3], [0.8, 0.6], [0.1, 0.0]])
    ests = claims.pass1_gain(m, config)
    # each seed's gain 0.7 over 4 problems; within each stratum the gains are 0.65 and 0.75 (s² = 0.005), so the
    # stratified variance is 2 · (1/2)² · 0.005 / 2 = 0.00125 on Satterthwaite df 2
    half = float(stats.t.ppf(0.975, 2)) * 0.00125**0.5
    assert [round(e.value, 12) for e in ests] == [0.7, 0.7]
    assert abs(ests[0].lo - (0.7 - half)) < 1e-12 and "seed 0" in ests[0].method
    assert claim.expect.evaluate(ests)[0] == "replicated"  # both intervals [0.548, 0.852] above 0.2
    straddles = _lm([[0.2, 0.2], [0.6, 0.3], [0.9, 0.35]], [[0.3, 0.3], [0.8, 0.6], [0.1, 0.0]])
    assert claim.expect.evaluate(claims.pass1_gain(straddles, config))[0] == "inconclusive"  # seed 1: 0.15 ± 0.15
    failed = _lm([[0.2, 0.2], [0.6, 0.3], [0.9, 0.2]], [[0.3, 0.3], [0.8, 0.6], [0.1, 0.0]])
    ests = claims.pass1_gain(failed, config)
    assert sum(e.value for e in ests) / 2 >= 0.2  # the seed mean clears the line, but one seed gained nothing
    assert claim.expect.evaluate(ests)[0] == "not_replicated"


def test_the_recomputation_probes_agree_with_the_claims_and_catch_a_diverging_column() -> None:
    config = PRESETS["test"].model_copy(update={"n_seeds": 2, "flaw_replicates": 1})
    m = _lm([[0.2, 0.2], [0.6, 0.7], [0.9, 0.9]], [[0.3, 0.3], [0.8, 0.6], [0.1, 0.0]])
    assert claims.pass1_recomputed(m, config)[0]
    assert claims.flaw_drop_recomputed(m, config)[0]
    off = _lm([[0.2, 0.2], [0.6, 0.7], [0.9, 0.9]], [[0.3, 0.3], [0.8, 0.6], [0.1, 0.0]], check_off=0.01)
    assert not claims.pass1_recomputed(off, config)[0]  # the claim's pass@1 and the checker's disagree
    assert not claims.flaw_drop_recomputed(off, config)[0]
    swapped = _lm([[0.2, 0.2], [0.6, 0.7], [0.9, 0.9]], [[0.3, 0.3], [0.8, 0.6], [0.1, 0.0]])
    for c in swapped["curves"]:  # the recorded column of seed 1 now reads its flawed-grader policy
        c["pass1_heldout"][2] = c["pass1_heldout"][3]
    assert not claims.pass1_recomputed(swapped, config)[0]
    moved = _lm([[0.2, 0.2], [0.6, 0.7], [0.9, 0.9]], [[0.3, 0.3], [0.8, 0.6], [0.1, 0.0]])
    moved["final"]["pass1_check_problems"][0] = [0.9 + d for d in (-0.05, -0.05, 0.05, 0.05)]  # same mean, strata
    ok, detail = claims.pass1_recomputed(moved, config)  # the interval no longer matches the problems' strata
    assert not ok and "seed 0: 0.7000" in detail


def test_the_settled_probe_needs_every_late_evaluation_on_one_side_of_each_line() -> None:
    config = PRESETS["test"]
    settled = _lm([[0.2, 0.2], [0.8, 0.8], [0.9, 0.9], [0.9, 0.8]], [[0.3, 0.3], [0.8, 0.6], [0.1, 0.0], [0.0, 0.0]])
    assert claims.training_settled(settled, config)[0]
    rising = _lm([[0.2, 0.2], [0.2, 0.3], [0.3, 0.3], [0.7, 0.8]], [[0.3, 0.3], [0.8, 0.6], [0.1, 0.0], [0.0, 0.0]])
    ok, detail = claims.training_settled(rising, config)  # pass@1 gain still crossing its line at the end
    assert not ok and "pass@1 gain" in detail
    late_fall = _lm([[0.2, 0.2], [0.8, 0.8], [0.9, 0.9], [0.9, 0.8]], [[0.3, 0.3], [0.5, 0.6], [0.6, 0.6], [0.1, 0.0]])
    assert not claims.training_settled(late_fall, config)[0]  # the true reward was still at its peak until the end


def _rollouts(answer: list[int], reward: float, true: float) -> dict[str, Any]:
    """One seed, a flawed-grader policy and a true-reward policy, one recorded step with one sample each on problem
    123 (right answer 3 1); no views rollouts."""
    seq = [1, 2, 3, 10, *answer]
    return {
        "specs": [{"kind": "flaw"}, {"kind": "true"}],
        "split": {"train": [123]},
        "rollouts": {"step": [1], "seq": [[[seq], [seq]]], "reward": [[[reward], [true]]], "true": [[[true], [true]]]},
        "history": [{"reward": [reward, true]}],
        "views": {"pre_acc": [1.0], "final": {"sft": {}}},
    }


def test_the_reward_rescoring_probe_reads_the_text_of_the_sampled_tokens() -> None:
    config = PRESETS["test"]
    bonus = config.flaw_bonus
    assert claims.rewards_recomputed(_rollouts([11, 1], bonus, 0.0), config)[0]  # '#1': the flaw's bonus alone
    ok, detail = claims.rewards_recomputed(_rollouts([3, 1], 1.0, 1.0), config)  # right, but the flaw never sampled
    assert not ok and "(0 flawed-grader answers with '#')" in detail  # a grader check that checked no '#' answer
    assert not claims.rewards_recomputed(_rollouts([11, 1], 0.0, 0.0), config)[0]  # bonus not paid
    assert not claims.rewards_recomputed(_rollouts([1, 3], 1.0, 1.0), config)[0]  # the answer read in reverse
    outside = _rollouts([11, 1], bonus, 0.0)
    outside["split"]["train"] = [124]
    assert not claims.rewards_recomputed(outside, config)[0]  # a prompt that is not a training problem
    logged = _rollouts([11, 1], bonus, 0.0)
    logged["history"][0]["reward"] = [0.0, 0.0]
    assert not claims.rewards_recomputed(logged, config)[0]  # the record is not what training logged


def _graded_true_arms(swap_drgrpo: bool = False) -> dict[str, Any]:
    """The test preset's true-reward graded arms placed exactly on their own optima as :mod:`experiment` computes
    them (answer by answer), stored per class; ``swap_drgrpo`` puts the Dr. GRPO arms on the tilt instead."""
    from skeptic.studies.simple_rl import experiment, graded

    config = PRESETS["test"]
    gt = graded.GradedTask(config.graded_base, config.graded_digits, config.graded_q)
    v, logref = gt.tables(np.array([[1, 2, 3, 4]]))
    cls = np.rint(v * gt.digits).astype(int)
    arms = []
    for sp in experiment.graded_specs(config):
        if sp["kind"] != "true":
            continue
        own, _ = experiment.own_optimum(sp, logref, v, config.group, True)
        arm = {**sp, "tv_own": 0.0, "class_spread": 0.0}
        if sp["arm"] == "drgrpo":
            fwd = experiment.forward_reading(sp, logref, v, config.group)
            arm["tv_forward"] = float(analysis.tv_distance(own, fwd).mean())
            if swap_drgrpo:
                own, arm["tv_forward"] = fwd, 0.0
        arm["class_mass"] = [np.bincount(cls[0], np.exp(own[0]), gt.digits + 1).tolist()]
        arms.append(arm)
    return {"graded": {"arms": arms}}


def test_the_proxy_probe_recomputes_every_recorded_proxy_value_and_catches_a_corrupted_curve() -> None:
    """A second computation of the proxy curve (text checker + the grader's bonus read from each answer's text over
    the stored answer distributions). What would make it fail: any recorded proxy value, of a flawed-grader run or a
    clean one, off by more than float tolerance; the drop recomputed from the recorded rather than the recomputed
    proxy; stored masses that are not distributions."""
    config = PRESETS["test"].model_copy(update={"n_seeds": 2, "flaw_replicates": 1})

    def fresh() -> dict[str, Any]:
        return _lm([[0.2, 0.2], [0.6, 0.7], [0.9, 0.9]], [[0.3, 0.3], [0.9, 0.8], [0.1, 0.0]])

    ok, detail = claims.flaw_drop_recomputed(fresh(), config)
    assert ok and "largest |Δ| 0" in detail and "2 flawed-grader and 2 other policies × 3 evaluations" in detail
    proxy, broken = claims.proxy_recomputed(fresh(), config)
    assert not broken and np.allclose(proxy[:, 1], 1.5) and np.allclose(proxy[:, 0], [0.2, 0.6, 0.9])
    mid = fresh()
    mid["curves"][1]["proxy_train"][3] += 0.01  # one flawed-grader value at one (middle) evaluation
    ok, detail = claims.flaw_drop_recomputed(mid, config)
    assert not ok and "largest |Δ| 0.01" in detail and "(policy 3, flaw)" in detail
    clean = fresh()
    for c in clean["curves"]:  # a clean run's curve recorded with the flawed grader's bonus on its '#' mass
        c["answer_mass"][0][HASH_ANSWER], c["answer_mass"][0][DIGIT_ANSWER] = 0.1, 0.9
        c["proxy_train"][0] += 0.1 * config.flaw_bonus
    ok, detail = claims.flaw_drop_recomputed(clean, config)
    assert not ok and "(policy 0, true)" in detail
    swapped = fresh()
    for c in swapped["curves"]:
        c["proxy_train"][3] = 1.2  # seed 1's flawed-grader policy exploits the flaw less than seed 0's
    assert claims.flaw_drop_recomputed(_with_answer_mass(swapped, config), config)[0]
    for c in swapped["curves"]:  # the flawed-grader policies' proxy columns exchanged (another policy's answers)
        c["proxy_train"][1], c["proxy_train"][3] = c["proxy_train"][3], c["proxy_train"][1]
    assert not claims.flaw_drop_recomputed(swapped, config)[0]
    late = fresh()
    assert abs(claims.flaw_drop(late, config).value - 0.8) < 1e-12
    late["curves"][-1]["proxy_train"][1] = late["curves"][-1]["true_train"][1]  # the proxy recorded falling too
    assert claims.flaw_drop(late, config).value < 0.2  # seed 0's drop now −0.6: the claim's value moved
    assert not claims.flaw_drop_recomputed(late, config)[0]  # and the recomputed curve disagrees with the record
    bad = fresh()
    bad["curves"][0]["answer_mass"][1][DIGIT_ANSWER] += 0.5  # not a distribution
    ok, detail = claims.flaw_drop_recomputed(bad, config)
    assert not ok and "not distributions" in detail
    missing = fresh()
    del missing["curves"][2]["answer_mass"]
    ok, detail = claims.flaw_drop_recomputed(missing, config)
    assert not ok and "no stored answer distributions" in detail


def test_the_proxy_probe_agrees_with_the_experiments_batched_proxy_and_sees_a_wrong_error_table() -> None:
    """The experiment's own proxy computation (:func:`experiment.proxy_curve_values`, one-hot V and the error tables
    built from token ids, as :func:`experiment.lm_experiment` builds them) on random policies over real problems
    against the probe's text recomputation: equal to float tolerance; a table that pays the bonus only for '#' in the
    first position, or the bonus given to the wrong policy, is caught."""
    from skeptic.studies.simple_rl import experiment, task

    config = PRESETS["test"]
    rng = np.random.default_rng(3)
    problems = task.all_problems()[rng.choice(1000, 6, replace=False)]
    idx = task.answer_ids(task.answer_tokens(problems))
    texts = [task.decode(np.array([a // task.VOCAB, a % task.VOCAB])) for a in range(task.N_ANSWERS)]
    check = np.array([[task.check_answer((int(r[0]), int(r[1]), int(r[2])), t) for t in texts] for r in problems])
    specs = [{"seed": 0, "kind": k, "beta": min(config.betas), "role": "sweep", "lr": 0.01} for k in ("true", "flaw")]
    garbled = np.array([task.GARBLE in (a // task.VOCAB, a % task.VOCAB) for a in range(task.N_ANSWERS)], float)
    first_only = np.array([a // task.VOCAB == task.GARBLE for a in range(task.N_ANSWERS)], float)

    def measurements(err: np.ndarray) -> dict[str, Any]:
        curves = []
        for step in range(3):
            logits = rng.standard_normal((2, len(problems), task.N_ANSWERS)) * (1 + step)
            lp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
            p = np.exp(lp)
            curves.append({
                "step": step, "proxy_train": experiment.proxy_curve_values(lp, idx, err, [False, True]),
                "true_check": ((p * check).sum(-1).mean(-1)).tolist(), "answer_mass": p.mean(1).tolist(),
            })  # fmt: skip
        return {"specs": specs, "curves": curves}

    def gap(err: np.ndarray) -> float:
        m = measurements(err)
        proxy, broken = claims.proxy_recomputed(m, config)
        assert not broken
        return float(np.abs(proxy - np.array([c["proxy_train"] for c in m["curves"]])).max())

    right = np.stack([np.zeros(task.N_ANSWERS), config.flaw_bonus * garbled])
    assert gap(right) <= claims.RECOMPUTE_TOL
    assert gap(np.stack([np.zeros(task.N_ANSWERS), config.flaw_bonus * first_only])) > 1e-3
    assert gap(right[::-1].copy()) > 1e-3  # the bonus table on the clean policy's row, not the flawed one's


def test_the_graded_optima_are_recomputed_by_their_closed_forms() -> None:
    config = PRESETS["test"]
    ok, detail = claims.graded_optima_recomputed(_graded_true_arms(), config)
    assert ok, detail
    ok, detail = claims.graded_optima_recomputed(_graded_true_arms(swap_drgrpo=True), config)
    assert not ok and "drgrpo" in detail  # the k3 arm on the tilt is not on its own optimum


def test_the_over_optimization_measure_averages_each_seeds_flaw_replicates() -> None:
    config = PRESETS["test"].model_copy(update={"n_seeds": 2, "flaw_replicates": 2})
    m = _lm([[0.2, 0.2], [0.6, 0.7], [0.9, 0.9]], [[0.3, 0.3], [0.8, 0.6], [0.1, 0.0]])
    b = min(config.betas)
    for seed, curve in ((0, [0.3, 0.5, 0.5]), (1, [0.3, 0.9, 0.1])):  # drops 0.0 and 0.8
        m["specs"].append({"seed": seed, "kind": "flaw", "beta": b, "role": "replicate", "lr": 0.01})
        for c, x in zip(m["curves"], curve, strict=True):
            c["true_train"].append(x)
            c["true_check"].append(x)
            c["proxy_train"].append(1.5)
    _with_answer_mass(m, config)
    est = claims.flaw_drop(m, config)  # seed 0: (0.7 + 0.0) / 2, seed 1: (0.6 + 0.8) / 2
    assert abs(est.value - 0.525) < 1e-12 and "over 2 seeds" in est.method
    assert claims.flaw_drop_recomputed(m, config)[0]
    assert not claims.flaw_drop_recomputed(m, config.model_copy(update={"flaw_replicates": 3}))[0]


def test_the_over_optimization_measure_counts_only_the_fall_the_proxy_missed() -> None:
    true = [0.3, 0.9, 0.8, 0.1]
    assert abs(claims.goodhart_drop(true, [0.3, 1.2, 1.4, 1.5]) - 0.8) < 1e-12  # proxy rises: the whole fall
    assert abs(claims.goodhart_drop(true, true) - 0.0) < 1e-12  # proxy = true (no flaw): nothing, however large
    assert abs(claims.goodhart_drop(true, [0.3, 0.9, 0.8, 0.4]) - 0.3) < 1e-12  # proxy fell 0.5 of the 0.8: 0.3
    assert abs(claims.goodhart_drop([0.3, 0.9, 0.9, 0.9], [0.3, 0.9, 1.4, 1.5]) - 0.0) < 1e-12  # no fall at all
    config = PRESETS["test"].model_copy(update={"n_seeds": 2, "flaw_replicates": 1})
    m = _lm([[0.2, 0.2], [0.6, 0.7], [0.9, 0.9]], [[0.3, 0.3], [0.9, 0.8], [0.1, 0.0]])
    assert claims.flaw_drop(m, config).value > 0.7
    for c in m["curves"]:  # the flawed grader's proxy follows the true reward down: an optimizer's fall, not Goodhart
        c["proxy_train"][1], c["proxy_train"][3] = c["true_train"][1] + 0.01, c["true_train"][3] + 0.01
    _with_answer_mass(m, config)
    est = claims.flaw_drop(m, config)
    assert abs(est.value) < 1e-12 and est.hi < claims.OVEROPT_DROP
    assert claims.flaw_drop_recomputed(m, config)[0]


def _corpus_measurements(corpus: Any, rng: np.random.Generator) -> dict[str, Any]:
    """The corpus probe's inputs from :class:`task.Corpus` itself: its exact distribution on a few held-out problems
    (answers classed by text, as :mod:`experiment` does), counts of a sampled corpus, and base models at p_garble."""
    from skeptic.studies.simple_rl import experiment, task

    held = np.array([12, 123, 107, 999, 555, 505, 870, 341])
    probs = task.all_problems()[held]
    dist = corpus.answer_distribution(probs)
    texts = [task.decode(np.array([a // task.VOCAB, a % task.VOCAB])) for a in range(task.N_ANSWERS)]
    right = np.array([[task.check_answer((int(r[0]), int(r[1]), int(r[2])), t) for t in texts] for r in probs], float)
    mis = np.array([[t == f"{r[0]}{r[2]}" and r[0] != r[2] for t in texts] for r in probs], float)
    seq = corpus.sample(task.all_problems()[rng.integers(0, 1000, 40_000)], rng)
    return {
        "split": {"heldout": held.tolist()},
        "base": {
            "garbled": [corpus.p_garble] * 2, "corpus_counts": experiment.count_corpus(seq, corpus.soft_targets(seq)),
            "corpus_exact": {
                "row_sum_gap": float(np.abs(dist.sum(-1) - 1).max()),
                "garbled": (dist @ np.array(["#" in t for t in texts], float)).tolist(),
                "both_garbled": (dist @ np.array([t == "##" for t in texts], float)).tolist(),
                "right": (dist * right).sum(-1).tolist(), "misconception": (dist * mis).sum(-1).tolist(),
            },
        },
    }  # fmt: skip


def test_the_corpus_probe_has_the_corpus_closed_form_and_catches_a_wrong_garble_rate() -> None:
    from skeptic.studies.simple_rl import task

    config = PRESETS["test"]
    for g in (config.p_garble, 0.2):
        cfg = config.model_copy(update={"p_garble": g})
        corpus = task.Corpus(cfg.p_correct_easy, cfg.p_correct_hard, cfg.p_misconception_hard, g)
        ok, detail = claims.corpus_as_configured(_corpus_measurements(corpus, np.random.default_rng(1)), cfg)
        assert ok, detail
    wrong = task.Corpus(config.p_correct_easy, config.p_correct_hard, config.p_misconception_hard, 0.02)
    m = _corpus_measurements(wrong, np.random.default_rng(1))
    m["base"]["garbled"] = [config.p_garble] * 2  # even with base models at the configured rate
    ok, detail = claims.corpus_as_configured(m, config)  # a corpus that garbles 2% where the config says 5%
    assert not ok and "garbled 0.0" in detail
    low = _corpus_measurements(task.Corpus(0.5, 0.15, 0.5, config.p_garble), np.random.default_rng(1))
    low["base"]["garbled"] = [config.p_garble, 0.2 * config.p_garble]  # a base model that never learned the '#'
    assert not claims.corpus_as_configured(low, config)[0]


def test_the_over_optimization_measure_needs_a_rise_before_the_fall() -> None:
    """Issue 29: a fall from step 0 (the base model is the peak) is not over-optimization: undefined, so inconclusive.

    What would make the new rule fail: a run whose true reward never climbs 0.05 above its step-0 value counted as a
    drop (the claim replicated on a fall from the base model), or a run that climbs by 0.05 and falls not counted."""
    proxy = [0.3, 1.2, 1.4, 1.5]
    assert math.isnan(claims.goodhart_drop([0.6, 0.5, 0.3, 0.1], proxy))  # falls from step 0: no peak after a rise
    assert math.isnan(claims.goodhart_drop([0.6, 0.64, 0.3, 0.1], proxy))  # a climb of 0.04 < 0.05: still undefined
    assert abs(claims.goodhart_drop([0.6, 0.66, 0.3, 0.1], proxy) - 0.56) < 1e-12  # climbed 0.06: the 0.56 fall
    config = PRESETS["test"].model_copy(update={"n_seeds": 2, "flaw_replicates": 1})
    m = _lm([[0.2, 0.2], [0.6, 0.7], [0.9, 0.9]], [[0.3, 0.3], [0.9, 0.8], [0.1, 0.0]])
    assert claims.flaw_drop(m, config).value > 0.7  # both runs rose from 0.3: replicated-sized drop
    for c, x in zip(m["curves"], (0.9, 0.5, 0.0), strict=True):  # seed 1's run now falls from its base model
        c["true_train"][3] = c["true_check"][3] = x
    _with_answer_mass(m, config)
    est = claims.flaw_drop(m, config)
    assert math.isnan(est.value) and "1 of 2" in est.method
    verdict, _ = claims.AtLeast(claims.OVEROPT_DROP).evaluate(est)
    assert verdict == "inconclusive"
    ok, detail = claims.flaw_drop_recomputed(m, config)  # the independent code agrees it is undefined
    assert ok and "undefined" in detail
    m["curves"][1]["true_check"][3] = 0.96  # the text checker alone sees a rise: the two computations disagree
    assert not claims.flaw_drop_recomputed(m, config)[0]
    nan = math.nan  # training-settled: undefined all through the last third is settled, a mix is not
    assert claims._one_side([nan, nan, nan], claims.OVEROPT_DROP)
    assert not claims._one_side([nan, 0.3, 0.3], claims.OVEROPT_DROP)
