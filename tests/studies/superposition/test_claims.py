"""Claim measures and probes on hand-built measurements with known answers."""

import math
from typing import Any

import numpy as np
import pytest

from skeptic.studies.superposition import claims
from skeptic.studies.superposition.faults import FAULTS


def _pd(rows: list[tuple[float, float, int, str, bool]]) -> dict[str, Any]:
    return {"phase_diagram": [{"ratio": r, "density": p, "seed": s, "region": reg, "best_of_seeds": b}
                              for r, p, s, reg, b in rows]}  # fmt: skip


def test_phase_diagram_measures() -> None:
    m = _pd([
        (0.5, 0.01, 0, "superposition", True), (0.5, 0.01, 1, "feature 1", False),
        (1.0, 0.01, 0, "feature 1", True), (1.0, 0.01, 1, "superposition", False),
        (5.0, 0.01, 0, "feature 2", True),  # outside [1/2, 2]: not counted
        (0.5, 1.0, 0, "feature 1", True), (2.0, 1.0, 0, "feature 1", True), (1.0, 1.0, 0, "superposition", True),
    ])  # fmt: skip
    assert claims.pd_sparse_superposition(best_only=False)(m).value == pytest.approx(2 / 4)
    assert claims.pd_sparse_superposition(best_only=True)(m).value == pytest.approx(1 / 2)
    # dense, ratio ≠ 1: ratio 0.5 should store feature 1 (ok), ratio 2 feature 2 (wrong) -> 1/2
    assert claims.pd_dense_single(m).value == pytest.approx(0.5)


def test_sticky_enrichment() -> None:
    fr = [1.0, 0.75, 2 / 3, 0.5, 0.4, 0.375]
    # every value on a plateau, chance 0.25 -> enrichment 4; values between plateaus -> 0
    on = claims._enrichment([0.5, 0.5, 1.0, 0.4], fr, 0.25, "points")
    off = claims._enrichment([0.2, 0.6, 0.85, 0.1], fr, 0.25, "points")
    assert on.value == pytest.approx(4.0) and off.value == 0.0
    assert on.lo < on.value and off.hi > 0  # Wilson intervals around 4 points


def test_plateau_dwell_sees_a_plateau_the_share_of_points_misses() -> None:
    import numpy as np

    from skeptic.studies.superposition import toy

    fr, tol = claims.D_STAR_FRACTIONS, claims.STICKY_TOL
    dens = list(np.exp(np.linspace(-3.0, 0.0, 13)))
    line = list(np.linspace(0.3, 1.2, 13))  # D* rising at an even rate through the whole band [0.47, 1.03]: no plateau
    assert toy.plateau_dwell(dens, line, fr, tol) == pytest.approx(1.0, abs=0.05)
    # the review's case: most points below every fraction, two at 0.487 and 0.507, then a climb to 1
    plateau = [0.12, 0.13, 0.14, 0.15, 0.17, 0.2, 0.25, 0.3, 0.487, 0.507, 0.7, 0.9, 1.0]
    share = claims._enrichment(plateau, list(fr), 0.4, "points")  # the old statistic: 1 point of 13 on ½
    assert share.value < claims.STICKY_ENRICHMENT
    assert toy.plateau_dwell(dens, plateau, fr, tol) >= 2.0
    assert toy.plateau_dwell([0.7, 0.85, 1.0], [0.9, 0.95, 1.0], fr, tol) == 0.0  # never crosses the band
    # the claim's measure: per seed, mean over seeds
    rows = [{"seed": s, "density": p, "D_model": d} for s in (0, 1) for p, d in zip(dens, plateau, strict=True)]
    expected = toy.plateau_dwell(dens, plateau, fr, tol)
    assert claims.sticky_model({"dimensionality": rows}).value == pytest.approx(expected)


def _linear(exact: float, optimum: float, next_best: float) -> dict[str, Any]:
    row = {"activation": "linear", "density": 0.001, "seed": 0, "exact_linear_loss": exact,
           "optimum_linear_loss": optimum, "next_best_linear_loss": next_best}  # fmt: skip
    return {"phase_change": [row]}


def test_probes_fail_on_bad_measurements() -> None:
    good = _linear(1.0, 1.0, 1.1)
    good["phase_change"][0] |= {"loss": 1.0, "loss_se": 0.01}
    assert claims.linear_optimum(good).passed and claims.mc_matches_exact(good).passed
    bad = _linear(1.2, 1.0, 1.1)
    bad["phase_change"][0] |= {"loss": 1.0, "loss_se": 0.01}
    assert not claims.linear_optimum(bad).passed and not claims.mc_matches_exact(bad).passed
    calib = {"calibration": {"ev": {"computed": 0.99, "expected": 0.9375}}}
    assert not claims.metric_calibration(calib).passed
    dens = {"density_check": [{"sampler": "toy", "density": 0.1, "measured": 0.9, "se": 0.01}]}
    assert not claims.density_realized(dens).passed


def test_linear_probe_fails_a_model_that_stored_the_wrong_features() -> None:
    # the case seen at `paper`: features {0, 2} stored instead of {0, 1}, 4.1% above the optimum, which a fixed 5%
    # tolerance let through; the allowed excess is now half the gap to that nearest wrong subspace
    assert not claims.linear_optimum(_linear(1.041, 1.0, 1.041)).passed
    assert not claims.linear_optimum(_linear(1.021, 1.0, 1.041)).passed  # just past halfway
    assert claims.linear_optimum(_linear(1.019, 1.0, 1.041)).passed
    assert not claims.linear_optimum(_linear(0.99, 1.0, 1.041)).passed  # below the optimum: impossible
    # tied importances (every set of m features optimal): 0.1% of the optimum allowed
    assert claims.linear_optimum(_linear(1.0009, 1.0, 1.0)).passed
    assert not claims.linear_optimum(_linear(1.002, 1.0, 1.0)).passed


def test_fault_catalog_meets_the_bar() -> None:
    assert len(FAULTS) >= 8
    assert len({f.kind for f in FAULTS}) >= 3


def test_kgon_and_correlated_measures() -> None:
    run = {"k": 5, "regularity": 0.01, "exact_loss": 0.0620, "critical_loss": 0.0618}
    far = run | {"exact_loss": 0.07}
    crooked = run | {"regularity": 0.3}
    one = run | {"k": 1, "critical_loss": None}
    assert claims.at_kgon(run) and not claims.at_kgon(far) and not claims.at_kgon(crooked) and not claims.at_kgon(one)
    est = claims.kgon_endpoints({"kgon": {"runs": [run, far, crooked, run]}})
    assert est.value == pytest.approx(0.5)
    m = {"correlated": [
        {"structure": "anticorrelated", "pair_cos": [-1.0, -1.0], "loss": 0.001},
        {"structure": "anticorrelated", "pair_cos": [0.0, 0.0], "loss": 0.013},
        {"structure": "correlated", "pair_cos": [0.02, -0.04], "loss": 0.01},
        {"structure": "correlated", "pair_cos": [0.0, 0.0], "loss": 0.01},
    ]}  # fmt: skip
    assert claims.anticorrelated_pair_cos(m).value == pytest.approx(-0.5)
    assert claims.anticorrelated_best_restart(m).value == pytest.approx(-1.0)
    assert claims.correlated_pair_abs_cos(m).value == pytest.approx(0.015)


def test_kgon_probe_fails_on_a_wrong_exact_loss() -> None:
    crit = [{"k": 2, "max_grad": 0.0}, {"k": 3, "max_grad": 1e-12}]
    ok = {"kgon": {"critical": crit, "runs": [{"mc_loss": 0.05, "exact_loss": 0.0501, "mc_se": 0.001}]}}
    assert claims.kgon_exact(ok).passed
    bad = {"kgon": {"critical": crit, "runs": [{"mc_loss": 0.05, "exact_loss": 0.30, "mc_se": 0.001}]}}
    assert not claims.kgon_exact(bad).passed
    not_critical = {"kgon": {"critical": [{"k": 2, "max_grad": 0.01}], "runs": ok["kgon"]["runs"]}}
    assert not claims.kgon_exact(not_critical).passed


def test_own_dictionary_control_takes_each_seeds_best_lambda() -> None:
    def own(seed: int, lam: float, matched: float) -> dict[str, Any]:
        return {"experiment": "own", "seed": seed, "l1": lam, "matched": matched}

    m = {"sae": [own(0, 1.0, 0.85), own(0, 0.3, 0.98), own(1, 1.0, 0.95), own(1, 0.3, 0.91), own(0, 0.1, 0.2)]}
    outcome = claims.own_dictionary(m)
    assert outcome.passed and "0.980 (λ 0.3)" in outcome.detail and "0.950 (λ 1)" in outcome.detail
    m["sae"].append(own(2, 0.3, 0.89))  # one seed below the bar at every λ fails the control
    assert not claims.own_dictionary(m).passed


def _sweep_rows(mmcs: dict[float, float], chance: dict[float, float], dup: dict[float, float]) -> dict[str, Any]:
    return {
        "sae": [
            {"experiment": "sweep", "ratio": r, "l1": 0.1, "density": 0.04, "seed": 0, "mmcs": mmcs[r],
             "mmcs_chance": chance[r], "duplicated": dup[r], "duplicated_chance": 0.0}
            for r in mmcs
        ]
    }  # fmt: skip


def test_merge_drop_is_measured_above_the_random_dictionaries_gain() -> None:
    # the trained SAE gains 0.10 from G/2 to G, exactly what untrained random dictionaries gain: no merging shown
    m = _sweep_rows({0.5: 0.80, 1.0: 0.90, 2.0: 0.95}, {0.5: 0.60, 1.0: 0.70, 2.0: 0.78}, {0.5: 0, 1.0: 0, 2.0: 0.3})
    assert claims.merge_drop(m).value == pytest.approx(0.0)
    m = _sweep_rows({0.5: 0.60, 1.0: 0.95, 2.0: 0.95}, {0.5: 0.60, 1.0: 0.70, 2.0: 0.78}, {0.5: 0, 1.0: 0, 2.0: 0.3})
    assert claims.merge_drop(m).value == pytest.approx(0.25)
    assert claims.split_rise(m).value == pytest.approx(0.3)


def test_sae_chance_probe_and_relu_optimum_probe() -> None:
    m = _sweep_rows({0.5: 0.8, 1.0: 0.75, 2.0: 0.9}, {0.5: 0.6, 1.0: 0.7, 2.0: 0.78}, {0.5: 0, 1.0: 0, 2.0: 0})
    assert not claims.sae_above_chance(m).passed  # 0.75 against a chance level of 0.70
    m["sae"][1]["mmcs"] = 0.95
    assert claims.sae_above_chance(m).passed
    pc = {"phase_change": [{"activation": "relu", "density": 0.01, "seed": s, "loss": x, "loss_se": 1e-4,
                            "represented": [0, 1]} for s, x in enumerate((0.0007, 0.0007, 0.0049))]}  # fmt: skip
    assert not claims.relu_sparse_optimum(pc).passed  # one seed stuck at 7× the best loss, 30 SE above it
    pc["phase_change"][2]["loss"] = 0.0012  # 3.5 combined SE above: evaluation noise, not a worse critical point
    assert claims.relu_sparse_optimum(pc).passed
    pc["phase_change"][2]["loss"] = 0.0013  # 4.2 combined SE above
    assert not claims.relu_sparse_optimum(pc).passed
    pc["phase_change"][2] |= {"loss": 0.0016, "loss_se": 3e-4}  # 2× the best, but within 4 SE of it
    assert claims.relu_sparse_optimum(pc).passed


def test_random_dictionaries_score_far_above_zero_in_few_dimensions() -> None:
    import numpy as np

    from skeptic.studies.superposition import sae

    rng = np.random.default_rng(0)
    true, rand = rng.standard_normal((16, 8)), rng.standard_normal((16, 8))
    assert sae.mmcs(true, rand) > 0.4  # why every SAE claim needs its chance level


def test_summaries_from_weights_probe_recomputes_what_it_reads() -> None:
    import numpy as np

    W = np.array([[1.0, -1.0, 0.6, 0.0], [0.0, 0.1, 0.8, 1.0]])
    nrm = np.linalg.norm(W, axis=0)
    cos = [float(W[:, a] @ W[:, a + 1] / (nrm[a] * nrm[a + 1])) for a in (0, 2)]
    corr = {"structure": "anticorrelated", "seed": 0, "W": W.tolist(), "norms": list(nrm), "pair_cos": cos,
            "stored": [bool(v > 0.5) for v in nrm]}  # fmt: skip
    m: dict[str, Any] = {
        "correlated": [corr],
        "kgon": {"runs": [{"seed": 0, "k": 4, "W": W.tolist()}]},
        "phase_change": [{"activation": "relu", "density": 1.0, "seed": 0, "norms": [1.0, 0.2], "represented": [0]}],
        "phase_change_W": [{"activation": "relu", "density": 1.0, "W": [[1.0, 0.2]]}],
        "importance_sweep": [{"decay": 1.0, "seed": 0, "norms": [1.0, 2.0], "frob2": 5.0}],
        "dimensionality": [{"D_model": 3 / 5, "norms": [1.0, 2.0]}, {"D_model": 1.0, "norms": [1.0, 1.0, 1.0]}],
        "phase_diagram": [{"ratio": 1.0, "density": 0.01, "seed": 0, "w": [0.9, -0.8], "region": "superposition"}],
    }
    assert claims.summaries_from_weights(m).passed
    for broken in (
        lambda d: d["correlated"][0].update(pair_cos=[c * 2 for c in cos]),  # a cosine not divided by the norms
        lambda d: d["kgon"]["runs"][0].update(k=3),
        lambda d: d["phase_change"][0].update(represented=[0, 1]),
        lambda d: d["importance_sweep"][0].update(frob2=3.0),
        lambda d: d["dimensionality"][0].update(D_model=0.5),
        lambda d: d["phase_diagram"][0].update(region="feature 1"),
    ):
        import copy

        bad = copy.deepcopy(m)
        broken(bad)
        assert not claims.summaries_from_weights(bad).passed


def test_pd_two_estimates_probe() -> None:
    row = {"ratio": 1.0, "density": 1.0, "seed": 0, "loss": 0.085, "eval_loss": 0.082, "eval_se": 0.002}
    assert claims.pd_two_estimates({"phase_diagram": [row]}).passed
    # a per-sample value where the model's mean belongs: far outside 5 combined SE plus 5% of 2/3
    assert not claims.pd_two_estimates({"phase_diagram": [row | {"loss": 0.30}]}).passed
    # a rare-event model (antipodal pair at density 0.02): its tiny SE is not the whole tolerance
    rare = {"ratio": 5.0, "density": 0.02, "seed": 0, "loss": 5.1e-4, "eval_loss": 1e-5, "eval_se": 1e-6}
    assert claims.pd_two_estimates({"phase_diagram": [rare]}).passed


def test_sticky_statistic_two_ways_agree_and_a_swapped_curve_disagrees() -> None:
    dens = [0.02, 0.04, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0]
    D = [0.148, 0.162, 0.194, 0.248, 0.289, 0.352, 0.490, 0.534, 0.873, 0.997]
    rows = [{"seed": 0, "density": p, "D_model": d} for p, d in zip(dens, D, strict=True)]
    assert claims.sticky_two_ways({"dimensionality": rows}).passed
    assert claims.sticky_model({"dimensionality": rows}).value > claims.STICKY_ENRICHMENT  # the ½ plateau at quick


def test_two_loss_estimates_cover_the_correlated_restarts() -> None:
    pd = {"ratio": 1.0, "density": 1.0, "seed": 0, "loss": 0.085, "eval_loss": 0.082, "eval_se": 0.002}
    corr = {"structure": "anticorrelated", "seed": 0, "norms": [1.0] * 4, "density": 0.15, "loss": 0.02,
            "loss_se": 0.001, "shared_loss": 0.021}  # fmt: skip
    assert claims.pd_two_estimates({"phase_diagram": [pd], "correlated": [corr]}).passed
    swapped = corr | {"loss": 0.06}  # another restart's loss read for this one
    assert not claims.pd_two_estimates({"phase_diagram": [pd], "correlated": [swapped]}).passed


def test_count_is_a_share() -> None:
    assert claims._count(2, 4, "models").value == 0.5
    with pytest.raises(ValueError):
        claims._count(5, 4, "models")


def test_mmcs_recomputation_follows_the_definition_and_is_asymmetric() -> None:
    import numpy as np

    true = np.eye(2)
    learned = np.array([[1.0, 0.0], [2.0, 0.0], [1.0, 1.0]])  # e₁ twice (one unnormalized), and (e₁ + e₂)/√2
    mmcs, matched, dup = claims._scores(true, learned)
    # per true feature the best atom: e₁ → 1, e₂ → 1/√2; averaged over the true features
    assert mmcs == pytest.approx((1 + math.sqrt(0.5)) / 2)
    assert claims._scores(learned, true)[0] == pytest.approx((1 + 1 + math.sqrt(0.5)) / 3)  # swapped: another value
    assert matched == pytest.approx([1.0, math.sqrt(0.5)])  # one-to-one: e₂ gets the diagonal atom
    assert dup == pytest.approx(0.5)  # e₁ is claimed by two atoms above 0.9


def _sae_row(dictionary: list[list[float]], **over: Any) -> dict[str, Any]:
    import numpy as np

    true = np.eye(2)
    D = np.asarray(dictionary, dtype=float)
    mm, mt, dup = claims._scores(true, D)
    row = {"experiment": "sweep", "ratio": 1.0, "l1": 0.1, "seed": 0, "truth": "random 0", "size": len(dictionary),
           "dictionary": dictionary, "chance_dictionary": dictionary, "alive": [True] * len(dictionary),
           "mmcs": mm, "matched": float(np.mean(mt)), "matched_share": float(np.mean([x > 0.9 for x in mt])),
           "duplicated": dup, "mmcs_chance": mm, "matched_chance": float(np.mean(mt)), "duplicated_chance": dup,
           "n_true": 2, "dead": 0}  # fmt: skip
    return row | over


def test_sae_metrics_probe_recomputes_scores_and_checks_unit_rows() -> None:
    s = math.sqrt(0.5)
    truth = {"trained": {"sae_truth": {"random 0": [[1.0, 0.0], [0.0, 1.0]]}}}
    good = _sae_row([[1.0, 0.0], [s, s]])
    assert claims.sae_metrics_recomputed(truth | {"sae": [good]}).passed
    swapped = good | {"mmcs": (1 + s) / 2 + 0.1}  # a score that is not the definition's
    assert not claims.sae_metrics_recomputed(truth | {"sae": [swapped]}).passed
    long_rows = _sae_row([[2.0, 0.0], [s, s]])  # cosines unchanged, but a decoder row is not unit norm
    assert not claims.sae_metrics_recomputed(truth | {"sae": [long_rows]}).passed
    assert not claims.sae_metrics_recomputed(truth | {"sae": [good | {"dead": 1}]}).passed  # alive ≠ dead count


def _trained(windows: list[float], se: float = 1e-4) -> dict[str, Any]:
    return {"trained": {"toy": {"loss_windows": [windows], "loss_window_se": [[se] * len(windows)]}}}


def test_training_settled_fails_a_run_still_falling_and_passes_a_settled_one() -> None:
    assert claims.training_settled(_trained([1.0, 0.5, 0.3, 0.25, 0.22, 0.21, 0.2, 0.2])).passed
    assert not claims.training_settled(_trained([1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3])).passed
    assert not claims.training_settled(_trained([0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.5, 0.9])).passed  # rising
    # noise: a change within 4 combined SE of the two window means is settled
    assert claims.training_settled(_trained([1.0, 0.5, 0.3, 0.25, 0.22, 0.21, 0.2, 0.1], se=0.03)).passed


def test_lr_closed_form() -> None:
    assert claims._lr_closed_form(0.2, 400, "fast", 1) == pytest.approx(0.2)
    assert claims._lr_closed_form(0.2, 400, "fast", 201) == pytest.approx(0.1)
    assert claims._lr_closed_form(1e-3, 10_000, "reference", 5000) == 1e-3


def test_window_coverage_second_way_agrees_with_the_merging_one_on_overlapping_windows() -> None:
    from skeptic.studies.superposition import toy

    for fr, tol, lo, hi in [
        ((0.5,), 0.1, 0.0, 1.0),
        (toy.STICKY_FRACTIONS, 0.03, 0.0, 1.0),
        ((0.2, 0.25, 0.8), 0.05, 0.1, 0.9),
    ]:
        assert claims._coverage(fr, tol, lo, hi) == pytest.approx(toy.plateau_coverage(fr, tol, lo, hi))
    # two disjoint windows and one overlapping pair: [0.15, 0.3] and [0.75, 0.85] of [0.1, 0.9]
    assert claims._coverage((0.2, 0.25, 0.8), 0.05, 0.1, 0.9) == pytest.approx(0.25 / 0.8)


def test_kgon_endpoint_recomputed_from_weights() -> None:
    """The second computation of ``at_kgon`` reads the restart's W: a regular square at its critical loss counts, a
    square with one column rotated by 0.2 rad, a loss 2% off, or a single stored column does not."""
    import math

    import numpy as np

    from skeptic.studies.superposition.claims import _at_kgon_again

    def run(angles: list[float], loss: float = 0.1, crit: float | None = 0.1) -> dict[str, object]:
        W = np.zeros((2, 6))
        for j, a in enumerate(angles):
            W[:, j] = [math.cos(a), math.sin(a)]
        return {"W": W.tolist(), "critical_loss": crit, "exact_loss": loss, "regularity": 0.0}

    square = [0.3 + k * math.pi / 2 for k in range(4)]
    assert _at_kgon_again(run(square))
    assert not _at_kgon_again(run([square[0] + 0.2, *square[1:]]))
    assert not _at_kgon_again(run(square, loss=0.102))
    assert not _at_kgon_again(run(square[:1], crit=None))


def test_sae_objective_probe_compares_training_loss_with_the_declared_objective() -> None:
    """An SAE whose last-eighth training loss is its declared objective passes; one whose training loss ends at three
    times the objective recomputed at its final weights (a term reduced over the wrong axis, say) fails: the gap, 0.2,
    exceeds 4 combined SE (0.006) plus a tenth of its fall (0.07)."""
    from skeptic.studies.superposition.claims import sae_objective_as_declared

    windows = [[1.0, 0.5, 0.2, 0.12, 0.11, 0.1, 0.1, 0.1], [1.0, 0.5, 0.2, 0.12, 0.11, 0.1, 0.1, 0.3]]
    m = {
        "trained": {"sae": {"loss_windows": windows, "loss_window_se": [[0.001] * 8] * 2}},
        "sae": [
            {"experiment": "sweep", "size": 4, "l1": 0.1, "seed": s, "objective": 0.1, "objective_se": 0.001}
            for s in range(2)
        ],
    }
    out = sae_objective_as_declared(m)  # type: ignore[arg-type]
    assert not out.passed and "1 of 2 SAEs differ" in out.detail and "SAE 1 " in out.detail
    windows[1][-1] = 0.1
    assert sae_objective_as_declared(m).passed  # type: ignore[arg-type]


def test_importance_gap_pairs_flat_with_steepest_by_seed() -> None:
    rows = [{"decay": d, "seed": s, "frob2": f} for d, s, f in
            [(1.0, 0, 6.5), (0.5, 0, 4.0), (0.7, 0, 9.0), (1.0, 1, 6.0), (0.5, 1, 4.5), (0.7, 1, 0.0)]]  # fmt: skip
    est = claims.importance_gap({"importance_sweep": rows})
    assert est.value == pytest.approx(2.0)  # (6.5 − 4.0 + 6.0 − 4.5) / 2: the middle decay is not read
    # dense features (‖W‖²_F = m at every decay, a 0.02 excess): below the half-feature line, not a fall
    dense = [{"decay": d, "seed": s, "frob2": 2.02 if d == 1.0 else 2.0} for d in (1.0, 0.5) for s in range(3)]
    got = claims.importance_gap({"importance_sweep": dense})
    assert (
        got.value == pytest.approx(0.02)
        and claims.AtLeast(claims.IMPORTANCE_MARGIN).evaluate(got)[0] == "not_replicated"
    )


def test_density_drop_is_paired_by_seed_at_the_best_lambda() -> None:
    def row(p: float, lam: float, s: int, v: float) -> dict[str, Any]:
        return {"experiment": "density", "ratio": 1.0, "l1": lam, "density": p, "seed": s, "matched": v,
                "matched_chance": 0.5}  # fmt: skip

    sae = [row(0.04, 0.1, 0, 0.9), row(0.04, 0.1, 1, 0.8), row(0.04, 0.3, 0, 0.1), row(0.04, 0.3, 1, 0.1),
           row(0.5, 0.1, 0, 0.2), row(0.5, 0.1, 1, 0.2), row(0.5, 0.3, 0, 0.7), row(0.5, 0.3, 1, 0.7)]  # fmt: skip
    est = claims.density_drop({"sae": sae})
    assert est.value == pytest.approx(0.15)  # best λ 0.1 at 0.04 (0.85), 0.3 at 0.5 (0.7)
    assert "chance (random dictionary): 0.500" in est.method


def test_size_claims_subtract_the_exact_chance_where_the_rows_carry_it() -> None:
    from skeptic.studies.superposition import sae

    m = _sweep_rows({0.5: 0.80, 1.0: 0.95, 2.0: 0.95}, {0.5: 0.40, 1.0: 0.75, 2.0: 0.78}, {0.5: 0, 1.0: 0, 2.0: 0.3})
    assert claims.merge_drop(m).value == pytest.approx(-0.2)  # one draw each: a 0.35 chance gain
    for r, h in zip(m["sae"], (8, 16, 32), strict=True):
        r |= {"mmcs_chance_exact": sae.chance_mmcs(h, 8), "duplicated_chance_exact": sae.chance_duplicated(h, 8)}
    est = claims.merge_drop(m)
    assert est.value == pytest.approx(0.15 - (sae.chance_mmcs(16, 8) - sae.chance_mmcs(8, 8)))
    assert "exact expectations" in est.method and "0.1019" in est.method
    assert claims.split_rise(m).value == pytest.approx(
        0.3 - sae.chance_duplicated(32, 8) + sae.chance_duplicated(16, 8)
    )


def test_chance_probe_checks_the_exact_levels_against_the_draws() -> None:
    from skeptic.studies.superposition import sae

    rng = np.random.default_rng(2)
    rows = []
    for _ in range(40):
        true, rand = rng.standard_normal((16, 8)), rng.standard_normal((16, 8))
        rows.append({"size": 16, "chance_dictionary": rand.tolist(), "mmcs_chance": sae.mmcs(true, rand),
                     "duplicated_chance": sae.duplicated_share(true, rand), "mmcs_chance_exact": sae.chance_mmcs(16, 8),
                     "duplicated_chance_exact": sae.chance_duplicated(16, 8)})  # fmt: skip
    assert claims.chance_exact_vs_draws({"sae": rows}).passed
    for r in rows:  # the exact level of 8 atoms claimed for 16: 0.10 below the draws, ~15 SE
        r["mmcs_chance_exact"] = sae.chance_mmcs(8, 8)
    assert not claims.chance_exact_vs_draws({"sae": rows}).passed
    assert not claims.chance_exact_vs_draws(
        {"sae": [{k: v for k, v in r.items() if "exact" not in k} for r in rows]}
    ).passed
    for r, h in zip(rows, (16, 8) * 20, strict=True):  # rows of one size disagreeing on their exact level
        r["mmcs_chance_exact"] = sae.chance_mmcs(h, 8)
    assert not claims.chance_exact_vs_draws({"sae": rows}).passed


def test_second_chance_computation_agrees_with_the_first() -> None:
    from skeptic.studies.superposition import sae

    for h, d in ((2, 2), (5, 3), (16, 8), (64, 32)):
        mm, dup = claims._chance_second(h, d)
        assert mm == pytest.approx(sae.chance_mmcs(h, d), abs=1e-8)
        assert dup == pytest.approx(sae.chance_duplicated(h, d), abs=1e-8)
