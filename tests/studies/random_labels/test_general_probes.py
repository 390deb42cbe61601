"""The random-labels study's general probes (the mutation bar, issue 25): each passes on a clean run and fails on
the kind of error it exists for, made by hand on a copy of the clean measurements."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from skeptic.core import run as core_run
from skeptic.studies.random_labels import claims as rl_claims
from skeptic.studies.random_labels.claims import (
    probe_claims_recomputed,
    probe_draws_as_declared,
    probe_evaluations_recomputed,
    probe_fit_times,
    probe_gaussian_inputs,
    probe_init_as_declared,
    probe_measures_recomputed,
    probe_reference_step,
    probe_runs_as_declared,
)
from skeptic.studies.random_labels.config import RandomLabelsConfig
from skeptic.studies.random_labels.study import run as random_labels_study
from skeptic.studies.random_labels.trainprobes import probe_data, probe_eval_grid, probe_regularizers, probe_updates

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], RandomLabelsConfig]:
    res = core_run(random_labels_study, preset="test", store=tmp_path_factory.mktemp("store"))
    return res.measurements, RandomLabelsConfig(**res.config)


def test_every_general_probe_passes_on_the_clean_run(clean: tuple[dict[str, Any], RandomLabelsConfig]) -> None:
    m, cfg = clean
    assert probe_reference_step(m).passed
    assert probe_gaussian_inputs(m).passed
    for probe1 in (probe_init_as_declared, probe_draws_as_declared):
        out1 = probe1(m)
        assert out1.passed, out1.detail
    for probe in (probe_measures_recomputed, probe_fit_times, probe_runs_as_declared, probe_claims_recomputed,
                  probe_evaluations_recomputed, probe_data, probe_regularizers, probe_updates,
                  probe_eval_grid):  # fmt: skip
        out = probe(m, cfg)
        assert out.passed, out.detail


def test_reference_step_fails_when_the_trainer_drifts(clean: tuple[dict[str, Any], RandomLabelsConfig]) -> None:
    m = copy.deepcopy(clean[0])
    m["reference_step"]["max_abs_diff"] = m["reference_step"]["wd_effect"]  # as if weight decay were ignored
    assert not probe_reference_step(m).passed


def test_measures_recomputed_fails_on_a_wrong_measure(clean: tuple[dict[str, Any], RandomLabelsConfig]) -> None:
    m, cfg = copy.deepcopy(clean[0]), clean[1]
    row = next(r for r in m["runs"] if r["condition"] == "random_labels" and r["reg"] == "none" and r["seed"] == 0)
    row["kl"] *= 2  # e.g. ||w - w0||² / σ² without the 1/2
    assert not probe_measures_recomputed(m, cfg).passed


def test_fit_times_fail_when_a_fit_step_is_not_the_curves(clean: tuple[dict[str, Any], RandomLabelsConfig]) -> None:
    m, cfg = copy.deepcopy(clean[0]), clean[1]
    h = next(h for h in m["histories"] if h["condition"] == "gaussian")
    h["acc"] = [0.5 for _ in h["acc"]]  # the curve never reaches 100%, the row says it did
    assert not probe_fit_times(m, cfg).passed


def test_runs_as_declared_fails_on_a_missing_or_mislabelled_net(
    clean: tuple[dict[str, Any], RandomLabelsConfig],
) -> None:
    m, cfg = copy.deepcopy(clean[0]), clean[1]
    m["runs"] = [r for r in m["runs"] if not (r["condition"] == "gaussian" and r["seed"] == 1)]
    assert not probe_runs_as_declared(m, cfg).passed
    m = copy.deepcopy(clean[0])
    next(r for r in m["runs"] if r["reg"] == "dropout")["labels_hash"] = "0" * 64
    assert not probe_runs_as_declared(m, cfg).passed


def test_claims_recomputed_fails_when_a_measure_reads_the_wrong_arm(
    clean: tuple[dict[str, Any], RandomLabelsConfig], monkeypatch: pytest.MonkeyPatch
) -> None:
    m, cfg = clean
    wrong = tuple(
        dataclasses.replace(c, measure=rl_claims.kl_ratio) if c.id == "sharpness-alone-does-not-separate" else c
        for c in rl_claims.CLAIMS
    )
    monkeypatch.setattr(rl_claims, "CLAIMS", wrong)
    out = probe_claims_recomputed(m, cfg)
    assert not out.passed and "sharpness-alone" in out.detail


def test_gaussian_inputs_fail_with_the_wrong_scale(clean: tuple[dict[str, Any], RandomLabelsConfig]) -> None:
    m = copy.deepcopy(clean[0])
    m["gaussian_check"][0]["sd_ratio"] = 1.3  # e.g. the variance used as the sd
    assert not probe_gaussian_inputs(m).passed


def test_fit_times_fail_on_swapped_clean_and_noisy_medians(clean: tuple[dict[str, Any], RandomLabelsConfig]) -> None:
    m, cfg = copy.deepcopy(clean[0]), clean[1]
    r = next(r for r in m["runs"] if "learn_step_noisy_median" in r and r["condition"] == "corrupted")
    r["learn_step_noisy_median"], r["learn_step_clean_median"] = (
        r["learn_step_clean_median"],
        r["learn_step_noisy_median"],
    )
    assert r["learn_step_noisy_median"] != r["learn_step_clean_median"]
    assert not probe_fit_times(m, cfg).passed


def test_fit_times_fail_when_noisy_runs_lose_their_medians(clean: tuple[dict[str, Any], RandomLabelsConfig]) -> None:
    """Every corrupted run's medians gone (as if the step that computes them were skipped): the claim reading them
    would turn inconclusive for want of rows, and the per-example steps still in the histories show they are missing."""
    m, cfg = copy.deepcopy(clean[0]), clean[1]
    dropped = 0
    for r in m["runs"]:
        if r["condition"] == "corrupted" and "learn_step_noisy_median" in r:
            del r["learn_step_noisy_median"], r["learn_step_clean_median"]
            dropped += 1
    assert dropped > 0
    assert not probe_fit_times(m, cfg).passed


def test_fit_times_fail_when_a_noisy_run_lacks_its_per_example_steps(
    clean: tuple[dict[str, Any], RandomLabelsConfig],
) -> None:
    """A noisy-label run's medians and per-example steps both gone: nothing is left to disagree, so the probe must
    notice that the design's record is missing."""
    m, cfg = copy.deepcopy(clean[0]), clean[1]
    h = next(h for h in m["histories"] if h["condition"] == "corrupted" and h["reg"] == "none" and "first_correct" in h)
    del h["first_correct"], h["labels"]
    r = next(r for r in m["runs"] if all(r[k] == h[k] for k in ("model", "condition", "p", "reg", "seed")))
    r.pop("learn_step_noisy_median", None), r.pop("learn_step_clean_median", None)
    assert not probe_fit_times(m, cfg).passed


def test_runs_as_declared_fails_when_the_size_sweep_trains_on_the_other_labels(
    clean: tuple[dict[str, Any], RandomLabelsConfig],
) -> None:
    m, cfg = copy.deepcopy(clean[0]), clean[1]
    small = [x for x in m["size_sweep"] if x["n"] < m["n_train"]]
    small[0]["labels_hash"], small[1]["labels_hash"] = small[1]["labels_hash"], small[0]["labels_hash"]
    assert not probe_runs_as_declared(m, cfg).passed


def test_rises_by_decides_a_flat_sequence_and_a_rise() -> None:
    from skeptic.studies.random_labels.claims import RisesBy
    from skeptic.study import Estimate

    flat = [Estimate.exact(1.0), Estimate.exact(1.0), Estimate.exact(1.0)]
    assert RisesBy(1.5, ratio=True).evaluate(flat)[0] == "not_replicated"  # Increasing calls this inconclusive
    rising = [Estimate.exact(1.0), Estimate(3.0, 2.5, 3.5, "interval"), Estimate(4.0, 3.5, 4.5, "interval")]
    assert RisesBy(1.5, ratio=True).evaluate(rising)[0] == "replicated"
    assert RisesBy(4.0, ratio=True).evaluate(rising)[0] == "inconclusive"  # 3.5x to 4.5x straddles 4
    assert RisesBy(5.0, ratio=True).evaluate(rising)[0] == "not_replicated"  # at most 4.5x
    reversal = [Estimate(0.5, 0.45, 0.55, "interval"), Estimate(0.2, 0.15, 0.25, "interval")]
    assert RisesBy(0.1).evaluate(reversal)[0] == "not_replicated"
    assert (
        RisesBy(0.1).evaluate([Estimate(0.1, 0.08, 0.12, "interval"), Estimate(0.9, 0.85, 0.95, "interval")])[0]
        == "replicated"
    )


def test_claims_recomputed_agrees_when_a_reference_run_never_got_there(
    clean: tuple[dict[str, Any], RandomLabelsConfig],
) -> None:
    m, cfg = copy.deepcopy(clean[0]), clean[1]
    for r in m["runs"]:  # the gaussian nets never reached the loss line: the claims' ratio is undefined, not capped
        if r["condition"] == "gaussian":
            r[f"loss_step_{cfg.converging_loss}"] = None
    out = probe_claims_recomputed(m, cfg)
    assert out.passed, out.detail


def test_init_as_declared_fails_on_another_law(clean: tuple[dict[str, Any], RandomLabelsConfig]) -> None:
    m = copy.deepcopy(clean[0])
    row = next(r for r in m["init_stats"] if r["param"] == "W1")
    b = 1 / row["shape"][0] ** 0.5
    row["mean"], row["min"], row["max"] = row["mean"] + b, row["min"] + b, row["max"] + b  # U(0, 2b) for U(-b, b)
    out = probe_init_as_declared(m)
    assert not out.passed and "W1" in out.detail
    m = copy.deepcopy(clean[0])
    row = next(r for r in m["init_stats"] if r["param"] == "W2")
    row["var"] *= 4  # a bound twice the declared one: 1/√fan_in read as 2/√fan_in
    assert not probe_init_as_declared(m).passed


def test_draws_as_declared_fails_on_another_stream(clean: tuple[dict[str, Any], RandomLabelsConfig]) -> None:
    m = copy.deepcopy(clean[0])
    a, b = (r for r in m["runs"] if r["condition"] == "corrupted" and r["reg"] == "none")
    a["labels_hash"], b["labels_hash"] = b["labels_hash"], a["labels_hash"]  # each seed on the other's draw
    assert not probe_draws_as_declared(m).passed
    m = copy.deepcopy(clean[0])
    a, b = (r for r in m["runs"] if r["condition"] == "random_pixels")
    a["inputs_fp"] = b["inputs_fp"]
    assert not probe_draws_as_declared(m).passed
    m = copy.deepcopy(clean[0])
    a, b = (r for r in m["runs"] if r["condition"] == "gaussian")
    a["init_fp"] = b["init_fp"]
    assert not probe_draws_as_declared(m).passed
    m = copy.deepcopy(clean[0])
    r = next(r for r in m["runs"] if r["condition"] == "true_labels" and r["seed"] == 0)
    r["nearest_init_seed"] = 1  # trained from seed 1's weights
    assert not probe_draws_as_declared(m).passed
    m = copy.deepcopy(clean[0])
    del m["declared_draws"]
    assert not probe_draws_as_declared(m).passed


def test_measures_recomputed_fails_on_a_different_sharpness_search(
    clean: tuple[dict[str, Any], RandomLabelsConfig],
) -> None:
    m, cfg = copy.deepcopy(clean[0]), clean[1]
    row = next(r for r in m["runs"] if r["condition"] == "true_labels" and r["reg"] == "none" and r["seed"] == 1)
    row["worst_case_sharpness"] *= 1.01  # a search 1% higher than the declared ascent, still above the corner
    out = probe_measures_recomputed(m, cfg)
    assert not out.passed and "worst_case_sharpness" in out.detail


def test_evaluations_recomputed_passes_clean_and_fails_on_a_wrong_history(
    clean: tuple[dict[str, Any], RandomLabelsConfig],
) -> None:
    m, cfg = copy.deepcopy(clean[0]), clean[1]
    out = probe_evaluations_recomputed(m, cfg)
    assert out.passed, out.detail
    run = next(r for r in m["runs"] if r["condition"] == "true_labels" and r["reg"] == "none")
    e = next(e for e in run["evals"] if e["hits64"] > 2 and e["ties64"] == 0)
    e["acc"] -= 2 / e["n"]  # a history accuracy that is not this net's (e.g. averaged over the wrong axis)
    out = probe_evaluations_recomputed(m, cfg)
    assert not out.passed and f"step {e['step']}" in out.detail


def test_evaluations_recomputed_fails_when_a_size_sweep_time_contradicts_the_weights(
    clean: tuple[dict[str, Any], RandomLabelsConfig],
) -> None:
    m, cfg = copy.deepcopy(clean[0]), clean[1]
    row = next(x for x in m["size_sweep"] if x["n"] < m["n_train"] and x["fit_step"] is not None
               and any(e["step"] == x["final_step"] and e["hits64"] == e["n"] and e["ties64"] == 0
                       for e in x["evals"]))  # fmt: skip
    row["fit_step"] = None  # "never fit", yet its final weights classify every training example right
    out = probe_evaluations_recomputed(m, cfg)
    assert not out.passed and "fit_step never reached" in out.detail


def test_claims_recomputed_fails_on_a_swapped_censoring_flag(
    clean: tuple[dict[str, Any], RandomLabelsConfig], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same point values with the upper ends opened (a lower-bound flag set where no run was censored): only
    the intervals differ, which the recomputation sees."""
    m, cfg = clean
    original = rl_claims.slowdown_by_loss

    def opened(mm: Any, cc: Any) -> list[Any]:
        return [dataclasses.replace(e, hi=float("inf")) for e in original(mm, cc)]

    wrong = tuple(dataclasses.replace(c, measure=opened) if c.measure is original else c for c in rl_claims.CLAIMS)
    monkeypatch.setattr(rl_claims, "CLAIMS", wrong)
    out = probe_claims_recomputed(m, cfg)
    assert not out.passed and "slowdown-small-constant-factor-by-loss" in out.detail


def test_claims_recomputed_fails_on_an_inverted_rise_comparison(
    clean: tuple[dict[str, Any], RandomLabelsConfig], monkeypatch: pytest.MonkeyPatch
) -> None:
    m, cfg = clean
    flip = {"replicated": "not_replicated", "not_replicated": "replicated", "inconclusive": "replicated"}
    original = rl_claims.RisesBy.evaluate
    monkeypatch.setattr(rl_claims.RisesBy, "evaluate", lambda self, x: (flip[original(self, x)[0]], "inverted"))
    out = probe_claims_recomputed(m, cfg)
    assert not out.passed and "recomputed" in out.detail


def test_the_rise_verdict_read_twice_agrees() -> None:
    """``recheck.rises_verdict`` (the probe's reading) and ``claims.RisesBy`` (the claims') agree on random
    sequences with every kind of outcome, censored upper ends included."""
    import numpy as np

    from skeptic.studies.random_labels.recheck import rises_verdict
    from skeptic.study import Estimate

    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(3000):
        k = int(rng.integers(2, 5))
        vals = np.sort(rng.uniform(0.5, 4.0, k)) if rng.random() < 0.5 else rng.uniform(0.5, 4.0, k)
        half = rng.uniform(0.0, 1.5, k)
        hi = [np.inf if rng.random() < 0.1 else v + h for v, h in zip(vals, half, strict=True)]
        pts = [(float(v), float(v - h), float(u)) for v, h, u in zip(vals, half, hi, strict=True)]
        rise, ratio = float(rng.uniform(0.1, 3.0)), bool(rng.random() < 0.5)
        theirs = rl_claims.RisesBy(rise, ratio=ratio).evaluate([Estimate(*p, "x") for p in pts])[0]
        assert rises_verdict(pts, rise, ratio) == theirs
        seen.add(theirs)
    assert seen == {"replicated", "not_replicated", "inconclusive"}


@pytest.mark.parametrize(
    ("overrides", "not_run"),
    [
        ({"regularizers": False}, {"regularizers-change-test-accuracy-modestly",
                                   "regularizers-do-not-stop-the-fit-true-labels",
                                   "dropout-slows-noise-more-than-data"}),
        ({"models": ["cnn"]}, {"normalized-margin-separates"}),
    ],
)  # fmt: skip
def test_parts_not_run_leave_their_claims_out_with_every_probe_passing(
    overrides: dict[str, Any], not_run: set[str], tmp_path: Any
) -> None:
    """``--set regularizers=false`` trains no regularizer variant, and a CNN main model has no spectrally-normalized
    margin: the claims that read those parts are not run (not a crash of claims-recomputed, which once made such runs
    untrusted), and every probe passes."""
    res = core_run(random_labels_study, preset="test", overrides=overrides, store=tmp_path / "s")
    assert res.status == "completed"
    assert all(p.passed for p in res.probes), [p.detail for p in res.probes if not p.passed]
    ids = {c.id for c in res.claims}
    assert not ids & not_run
    assert len(ids) == len(rl_claims.CLAIMS) - len(not_run)


def _net(m: dict[str, Any], condition: str, reg: str = "none", seed: int = 0) -> dict[str, Any]:
    return next(r for r in m["runs"] if r["condition"] == condition and r["reg"] == reg and r["seed"] == seed)


def test_regularizers_fail_on_dropout_shifts_or_decay_where_not_declared(
    clean: tuple[dict[str, Any], RandomLabelsConfig],
) -> None:
    m0, cfg = clean
    m = copy.deepcopy(m0)  # dropout applied to a net declared without it
    _net(m, "true_labels", "weight_decay")["trained"]["dropout"] = dict(
        _net(m, "true_labels", "dropout")["trained"]["dropout"]
    )
    assert not probe_regularizers(m, cfg).passed
    m = copy.deepcopy(m0)  # a declared dropout net never masked
    _net(m, "random_labels", "dropout")["trained"]["dropout"] = dict.fromkeys(
        ("units", "zeroed", "sum_masked", "sum_unmasked"), 0.0
    )
    assert not probe_regularizers(m, cfg).passed
    m = copy.deepcopy(m0)  # shifts only ever one way vertically (a window one row short)
    sh = _net(m, "true_labels", "augmentation")["trained"]["shifts"]
    side = 5
    for b in range(side):
        sh[3 * side + b] = 0
    assert not probe_regularizers(m, cfg).passed
    m = copy.deepcopy(m0)  # shifts only horizontal (the vertical window left out)
    sh = _net(m, "true_labels", "augmentation")["trained"]["shifts"]
    for a in (1, 3):
        for b in range(side):
            sh[2 * side + b] += sh[a * side + b]
            sh[a * side + b] = 0
    assert not probe_regularizers(m, cfg).passed
    m = copy.deepcopy(m0)  # a net declared without shifts is shifted
    sh = _net(m, "true_labels")["trained"]["shifts"]
    sh[2 * side + 3], sh[2 * side + 2] = 5, sh[2 * side + 2] - 5
    assert not probe_regularizers(m, cfg).passed
    m = copy.deepcopy(m0)  # weight decay on the dropout net
    for u in _net(m, "true_labels", "dropout")["trained"]["updates"]:
        u[1] = cfg.weight_decay
    assert not probe_regularizers(m, cfg).passed


def test_updates_fail_on_another_learning_rate_or_momentum(clean: tuple[dict[str, Any], RandomLabelsConfig]) -> None:
    m0, cfg = clean
    for col, factor in ((3, 1.01), (2, 0.5)):
        m = copy.deepcopy(m0)
        u = _net(m, "gaussian", seed=1)["trained"]["updates"][-1]
        u[col] *= factor
        assert not probe_updates(m, cfg).passed


def test_data_fails_on_another_class_count_or_labels_outside_the_classes(
    clean: tuple[dict[str, Any], RandomLabelsConfig],
) -> None:
    m0, cfg = clean
    m = copy.deepcopy(m0)
    m["n_classes"] = 20
    assert not probe_data(m, cfg).passed
    m = copy.deepcopy(m0)
    counts = _net(m, "random_labels")["label_counts"]
    counts += [counts.pop(0)]  # a label drawn outside 0..9 instead of a zero
    counts.insert(0, 0)
    assert not probe_data(m, cfg).passed
    m = copy.deepcopy(m0)
    counts = _net(m, "random_labels")["label_counts"]
    counts[:] = [sum(counts)] + [0] * (len(counts) - 1)  # "random" labels all one class
    assert not probe_data(m, cfg).passed


def test_eval_grid_fails_on_a_curve_off_the_declared_grid(clean: tuple[dict[str, Any], RandomLabelsConfig]) -> None:
    m0, cfg = clean
    m = copy.deepcopy(m0)
    h = next(h for h in m["histories"] if h["condition"] == "random_labels" and h["reg"] == "none")
    h["steps"] = [s - 1 for s in h["steps"]]  # evaluated one step early throughout
    assert not probe_eval_grid(m, cfg).passed
    m = copy.deepcopy(m0)
    r = next(r for r in m["runs"] if r["fit_step"] is not None)
    r["fit_step"] += 1  # a time to fit between two evaluations
    assert not probe_eval_grid(m, cfg).passed
