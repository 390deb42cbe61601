"""The mup study's general probes (``checks.py``) against known answers: each passes on a clean tiny run and fails
on the slip it exists to see (a measure reading the wrong row, a model not the config's, a sweep cell off its
reference, a learning-rate rule off mup's, an arm that does not learn)."""

from __future__ import annotations

import copy
import math
import zlib
from collections.abc import Iterator
from typing import Any, cast

import numpy as np
import pytest
import torch

from skeptic.studies.mup import checks, crosscheck, nets
from skeptic.studies.mup import experiment as ex
from skeptic.studies.mup import param as P  # noqa: N812 (the rules table, read as P.rule)
from skeptic.studies.mup.claims import CLAIMS, shift_per_doubling
from skeptic.studies.mup.config import PRESETS, MupConfig
from skeptic.study import AtMost, Claim, RunContext

TINY = MupConfig(
    base_width=8,
    mlp_widths=[8, 16, 32],
    transformer_widths=[8, 16],
    sgd_log2_lrs=[-3, -2, -1, 0, 1],
    adam_log2_lrs=[-8, -7, -6, -5, -4],
    seeds=2,
    mlp_steps=5,
    mlp_batch_size=4,
    transformer_steps=5,
    transformer_batch_size=2,
    transformer_context=4,
    transformer_seeds=2,
    eval_windows=16,
    coord_widths=[8, 16, 32],
    coord_transformer_widths=[8, 16, 32],
    coord_seeds=2,
    coord_steps=1,
    crosscheck_widths=[16],
)


class _Ctx:
    device = "cpu"

    def seed_for(self, *key: str | int) -> int:
        return zlib.crc32(repr(key).encode())


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope="module")
def m() -> dict[str, Any]:
    torch.set_num_threads(1)
    s = ex.setup(TINY, cast(RunContext, _Ctx()))
    out = ex.basics(TINY, s)
    out |= ex.coordinate_checks(TINY, s, lambda _=1: None)
    out |= ex.reference_crosscheck(TINY, s)
    out |= ex.lr_sweeps(TINY, s, lambda _=1: None)
    out |= ex.reference_retrain(TINY, s)
    return out


def test_every_claim_equals_its_recomputation_on_a_clean_run(m: dict[str, Any]) -> None:
    out = checks.claims_recomputed(CLAIMS)(m, TINY)
    assert out.passed, out.detail
    assert set(checks.recomputations(m)) == {c.id for c in CLAIMS}


def test_a_measure_reading_the_other_parametrization_disagrees_with_its_recomputation(m: dict[str, Any]) -> None:
    good = next(c for c in CLAIMS if c.id == "mup-optimum-stable-mlp-sgd")
    wrong = Claim(good.id, good.statement, good.source, shift_per_doubling("mlp", "sgd", "sp"), good.expect)
    assert not checks.claims_recomputed((wrong,))(m, TINY).passed


def test_the_recomputed_shift_is_the_known_slope_of_parabola_optima() -> None:
    grid = [-4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0]
    rows = []
    for w, center in ((32, 0.3), (64, -0.2), (128, -0.7)):  # the vertex falls by 0.5 per doubling
        loss = [[(x - center) ** 2 + 1, 2 * (x - center) ** 2 + 1] for x in grid]
        rows.append({"model": "mlp", "optimizer": "sgd", "param": "sp", "width": w, "log2_lrs": grid,
                     "seeds": [0, 1], "loss": loss})  # fmt: skip
    assert checks.shift({"sweeps": rows}, "mlp", "sgd", "sp") == pytest.approx(-0.5, abs=1e-9)


def test_declared_models_passes_clean_and_flags_a_missing_width_and_a_wrong_shape(m: dict[str, Any]) -> None:
    assert checks.declared_models(m, TINY).passed, checks.declared_models(m, TINY).detail
    dropped = copy.deepcopy(m)
    dropped["sweeps"] = [r for r in m["sweeps"] if not (r["model"] == "mlp" and r["width"] == 32)]
    assert not checks.declared_models(dropped, TINY).passed
    reshaped = copy.deepcopy(m)
    reshaped["sweeps"][0]["shapes"]["W"] = [10, 8, 9]
    assert not checks.declared_models(reshaped, TINY).passed
    assert not checks.declared_models(m, TINY.model_copy(update={"seeds": 3})).passed


def test_sweep_cells_match_their_reference_and_a_one_percent_slip_fails(m: dict[str, Any]) -> None:
    out = checks.cells_match_reference(m)
    assert out.passed, out.detail
    models = ("mlp", "linear", "transformer")
    assert {(r["model"], r["param"]) for r in m["reference_cells"]} == {(a, p) for a in models for p in ("sp", "mup")}
    off = copy.deepcopy(m)
    off["reference_cells"][0]["loss"] *= 1.01
    assert not checks.cells_match_reference(off).passed


def test_transformer_activations_match_the_library_and_a_wrong_scale_does_not(
    m: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert checks.transformer_acts_match(m).passed, checks.transformer_acts_match(m).detail
    s = ex.setup(TINY, cast(RunContext, _Ctx()))
    monkeypatch.setattr(P, "attention_scale", lambda d, d0, param: 1 / math.sqrt(d))  # μP's 1/d forgotten
    r = crosscheck.reference_transformer_acts(s.corpus, "mup", 32, 8, 1, 4, 1, s.transformer_eval[:2])
    assert r["gaps"][1] > 0.1  # the attention logits differ by √(d_head/d₀) = 2


@pytest.mark.skipif(not crosscheck.HAVE_MUP, reason="Microsoft mup not installed")
def test_lr_rules_match_mup_and_a_changed_rule_fails(m: dict[str, Any]) -> None:
    assert checks.lr_rules_match_mup(m).passed, checks.lr_rules_match_mup(m).detail
    rules = {(r["optimizer"], r["tensor"]): r["mup"] for r in m["lr_rules"]}
    m_mult = max(TINY.transformer_widths) / TINY.base_width
    assert rules[("adam", "blocks.0.qkv.weight")] == pytest.approx(1 / m_mult)  # Adam: hidden matrices η/m
    assert rules[("sgd", "blocks.0.ln_attn.bias")] == pytest.approx(m_mult)  # SGD: vectors η·m
    off = copy.deepcopy(m)
    off["lr_rules"][0]["ours"] *= 2
    assert not checks.lr_rules_match_mup(off).passed


def test_arms_learn_fails_when_no_sweep_learns(m: dict[str, Any]) -> None:
    frozen = copy.deepcopy(m)
    for r in frozen["sweeps"]:
        r["loss"] = [[v - 0.1 for v in row] for row in r["init_loss"]]
    assert not checks.arms_learn(frozen).passed
    learned = copy.deepcopy(m)
    for r in learned["sweeps"]:
        r["loss"] = [[v - 1.0 for v in row] for row in r["init_loss"]]
    assert checks.arms_learn(learned).passed


def test_a_stored_nan_loss_is_recomputed_as_nan_not_as_a_match() -> None:
    assert math.isnan(checks._slope([1.0, 2.0], [1.0, math.nan]))
    assert checks._vertex(np.array([0.0, 1.0, 2.0]), np.array([3.0, math.inf, 1.0])) == (2.0, True)
    assert nets.MLP_LAYERS == ("input layer", "hidden layer", "logits")


def test_under_the_swapped_contrast_the_reference_trains_with_the_swapped_rates_and_still_agrees() -> None:
    swapped = TINY.model_copy(update={"lr_rule": "swapped"})
    s = ex.setup(swapped, cast(RunContext, _Ctx()))
    m = ex.basics(swapped, s) | ex.lr_sweeps(swapped, s, lambda _=1: None) | ex.reference_retrain(swapped, s)
    out = checks.cells_match_reference(m)
    assert out.passed, out.detail
    own = ex.reference_retrain(TINY, s)["reference_cells"]
    wide = [(a, b) for a, b in zip(own, m["reference_cells"], strict=True) if a["width"] > TINY.base_width]
    assert wide and all(a["loss"] != b["loss"] for a, b in wide)  # the swapped rates really change the reference


def _linear(m: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in m["sweeps"] if r["model"] == "linear"]


def test_the_deep_linear_sweep_is_declared_recomputed_and_checked_like_the_mlp(m: dict[str, Any]) -> None:
    rows = _linear(m)
    assert sorted((r["width"], r["param"]) for r in rows) == [(w, p) for w in TINY.mlp_widths for p in ("mup", "sp")]
    assert {r["nonlinearity"] for r in rows} == {"linear"} and {r["optimizer"] for r in rows} == {"adam"}
    assert {"mup-optimum-stable-linear-adam", "sp-optimum-shifts-linear-adam"} <= set(checks.recomputations(m))
    dropped = copy.deepcopy(m)
    dropped["sweeps"] = [r for r in m["sweeps"] if not (r["model"] == "linear" and r["width"] == 32)]
    assert not checks.declared_models(dropped, TINY).passed
    relu = copy.deepcopy(m)
    for r in _linear(relu):
        r["nonlinearity"] = "relu"
    assert not checks.declared_models(relu, TINY).passed
    assert not checks.declared_models(m, TINY.model_copy(update={"linear_log2_lrs": [-9, -8, -7, -6, -5]})).passed


def test_the_deep_linear_network_differs_from_the_relu_mlp_on_the_same_draws(m: dict[str, Any]) -> None:
    mlp = {(r["param"], r["width"]): r for r in m["sweeps"] if (r["model"], r["optimizer"]) == ("mlp", "adam")}
    for r in _linear(m):
        twin = mlp[(r["param"], r["width"])]
        assert r["seeds"] == twin["seeds"] and r["log2_lrs"] == twin["log2_lrs"]
        assert r["init_loss"] != twin["init_loss"]  # same draws and batches, no ReLU: a different function


def test_grid_and_arms_probes_see_the_deep_linear_arm(m: dict[str, Any]) -> None:
    """A deep-linear sweep whose best rate sits at the edge of its grid, or that does not learn, fails the probes
    that exist for the MLP's, with the other sweeps untouched."""
    from skeptic.studies.mup.claims import grid_brackets

    edge = copy.deepcopy(m)
    for r in edge["sweeps"]:
        n = len(r["log2_lrs"])
        mid = n // 2
        r["loss"] = [[1.0 + (i - mid) ** 2 for _ in row] for i, row in enumerate(r["loss"])]  # a bracketed valley
    assert grid_brackets(edge).passed
    r0 = _linear(edge)[-1]
    r0["loss"] = [[1.0 + i for _ in row] for i, row in enumerate(r0["loss"])]  # best at the smallest rate
    out = grid_brackets(edge)
    assert not out.passed and f"linear/adam/{r0['param']}/{r0['width']}" in out.detail
    flat = copy.deepcopy(m)
    for r in flat["sweeps"]:
        r["loss"] = [[v - (0.1 if r["model"] == "linear" else 1.0) for v in row] for row in r["init_loss"]]
    out = checks.arms_learn(flat)
    assert not out.passed and "linear/adam" in out.detail and "mlp/" not in out.detail


def _wider_rows(slopes: dict[float, list[float]], widths: tuple[int, ...] = (16, 32, 64, 128)) -> list[dict[str, Any]]:
    """μP MLP/Adam sweep rows whose held-out loss at rate ``lr`` and seed j is 3 + slopes[lr][j]·log₂(width/16),
    below an initial loss of 5 everywhere (every rate trained)."""
    lrs = sorted(slopes)
    n = len(next(iter(slopes.values())))
    return [
        {"model": "mlp", "optimizer": "adam", "param": "mup", "width": w, "log2_lrs": lrs, "seeds": list(range(n)),
         "loss": [[3 + s * math.log2(w / 16) for s in slopes[lr]] for lr in lrs],
         "init_loss": [[5.0] * n for _ in lrs]}
        for w in widths
    ]  # fmt: skip


def test_the_wider_slope_is_the_known_slope_and_its_bounds_are_the_largest_over_rates() -> None:
    """Known answer: loss linear in log₂ width with slopes per seed. The value is the rate with the largest mean slope;
    the bounds are the largest bounds over rates, so a rate whose whole interval lies above the line fails the claim
    even where another rate has the larger mean (the noisier one)."""
    from skeptic.studies.mup.claims import WIDER_TOL, loss_slope, width_slopes

    steady = [0.05, 0.06, 0.05, 0.06, 0.055]  # every seed worse with width: interval ~[0.049, 0.061]
    noisy = [0.5, -0.3, 0.2, -0.1, 0.0]  # mean 0.06, interval straddling 0
    good = [-0.1, -0.12, -0.11, -0.1, -0.09]
    m = {"sweeps": _wider_rows({-6.0: good, -5.0: steady, -4.0: noisy})}
    per_rate = dict(width_slopes(m, "mlp", "adam", "mup"))
    assert per_rate[-5.0].value == pytest.approx(np.mean(steady), abs=1e-12)
    e = loss_slope("mlp", "adam")(m)
    assert e.value == pytest.approx(np.mean(noisy), abs=1e-12)  # the largest mean is the noisy rate's
    assert e.lo == pytest.approx(per_rate[-5.0].lo, abs=1e-12) and e.lo > WIDER_TOL  # the steady rate's lower bound
    assert e.hi == pytest.approx(per_rate[-4.0].hi, abs=1e-12)
    assert AtMost(WIDER_TOL).evaluate(e)[0] == "not_replicated"
    assert checks.wider(m, "mlp", "adam") == pytest.approx([e.value, e.lo, e.hi], abs=1e-9)
    fine = loss_slope("mlp", "adam")({"sweeps": _wider_rows({-6.0: good, -5.0: good})})
    assert AtMost(WIDER_TOL).evaluate(fine)[0] == "replicated"


def test_the_wider_recomputation_checks_the_bounds_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A measure whose interval is one rate's (the largest mean's), as before session 16, keeps the value but not the
    bounds, and claims-recomputed sees it."""
    from skeptic.studies.mup.claims import width_slopes

    good = next(c for c in CLAIMS if c.id == "mup-wider-never-worse-mlp-adam")

    def one_rates_interval(m: Any) -> Any:
        return max((e for _, e in width_slopes(m, "mlp", "adam", "mup")), key=lambda e: e.value)

    wrong = Claim(good.id, good.statement, good.source, one_rates_interval, good.expect)
    m = {"sweeps": _wider_rows({-6.0: [0.05, 0.06, 0.05, 0.06, 0.055], -5.0: [0.5, -0.3, 0.2, -0.1, 0.0]})}
    monkeypatch.setattr(checks, "recomputations", lambda m: {good.id: checks.wider(m, "mlp", "adam")})
    assert checks.wider(m, "mlp", "adam")[0] == pytest.approx(one_rates_interval(m).value, abs=1e-12)
    assert not checks.claims_recomputed((wrong,))(m, TINY).passed
    assert checks.claims_recomputed((good,))(m, TINY).passed


def test_under_the_mup_absent_contrast_the_mup_rows_are_the_sp_network_and_the_reference_agrees() -> None:
    """``mup_arm="sp"`` trains the sweeps' μP rows in SP on the same draws and batches: they equal the SP rows, the
    reference retrains them as SP too, and the coordinate checks keep μP."""
    absent = TINY.model_copy(update={"mup_arm": "sp"})
    s = ex.setup(absent, cast(RunContext, _Ctx()))
    m = ex.basics(absent, s) | ex.lr_sweeps(absent, s, lambda _=1: None) | ex.reference_retrain(absent, s)
    by = {(r["model"], r["optimizer"], r["param"], r["width"]): r["loss"] for r in m["sweeps"]}
    wide = [k for k in by if k[2] == "mup" and k[3] > TINY.base_width]
    assert wide and all(by[k] == by[(k[0], k[1], "sp", k[3])] for k in wide)
    out = checks.cells_match_reference(m)
    assert out.passed, out.detail
    own = ex.lr_sweeps(TINY, s, lambda _=1: None)["sweeps"]
    mu = [r for r in own if r["param"] == "mup" and r["width"] > TINY.base_width and r["model"] == "mlp"]
    assert mu and all(r["loss"] != by[(r["model"], r["optimizer"], "sp", r["width"])] for r in mu)


def test_under_the_sp_absent_contrast_the_sp_rows_are_the_mup_network_and_the_reference_agrees() -> None:
    """``sp_arm="mup"`` trains the sweeps' SP rows in μP on the same draws and batches: they equal the μP rows (the
    transformer's included) and the reference retrains them as μP too."""
    absent = TINY.model_copy(update={"sp_arm": "mup"})
    s = ex.setup(absent, cast(RunContext, _Ctx()))
    m = ex.basics(absent, s) | ex.lr_sweeps(absent, s, lambda _=1: None) | ex.reference_retrain(absent, s)
    by = {(r["model"], r["optimizer"], r["param"], r["width"]): r["loss"] for r in m["sweeps"]}
    wide = [k for k in by if k[2] == "sp" and k[3] > TINY.base_width]
    assert {k[0] for k in wide} == {"mlp", "linear", "transformer"}
    assert all(by[k] == by[(k[0], k[1], "mup", k[3])] for k in wide)
    out = checks.cells_match_reference(m)
    assert out.passed, out.detail


def test_declared_models_flags_a_coordinate_check_off_its_batch_of_one(m: dict[str, Any]) -> None:
    """Issue 33 (held-out seeds 70919 and 69127): a batch of 2 in a coordinate check moved a claim unseen."""
    batched = copy.deepcopy(m)
    batched["coord"][-1]["batch_size"] = 2
    out = checks.declared_models(batched, TINY)
    assert not out.passed and "batch 2" in out.detail
    longer = copy.deepcopy(m)
    longer["linear"][0]["steps"] = 2
    assert not checks.declared_models(longer, TINY).passed


def test_corpus_as_declared_rebuilds_the_corpus_and_sees_a_wrong_filter(m: dict[str, Any]) -> None:
    out = checks.corpus_as_declared(m)
    assert out.passed, out.detail
    from skeptic.studies.mup import data

    text = data.load_text()
    narrow = "".join(c for c in text if c == "\n" or c >= "~")  # held-out seed 69127's silent mutant of the filter
    wrong = m | {"corpus_chars": len(narrow), "corpus_vocab": "".join(sorted(set(narrow)))}
    wrong["vocab_size"] = len(wrong["corpus_vocab"])
    assert not checks.corpus_as_declared(wrong).passed
    assert not checks.corpus_as_declared(m | {"corpus_vocab": m["corpus_vocab"][1:]}).passed


def test_optimizer_reference_sees_a_slice_one_row_too_long(monkeypatch: pytest.MonkeyPatch) -> None:
    """Held-out seed 69127's silent ``nets.py:209``: ``(i, i + 1, lr)`` → ``(i, i + 2, lr)`` in ``_equal_runs``, so
    a model alone at its rate is also updated with its neighbour's."""
    assert checks.optimizer_reference({}).passed
    assert nets._equal_runs(torch.tensor([0.1, 0.2, 0.2, 0.3], dtype=torch.float64)) == [
        (0, 1, 0.1),
        (1, 3, 0.2),
        (3, 4, 0.3),
    ]

    def too_long(lrs: torch.Tensor) -> list[tuple[int, int, float]]:
        runs: list[tuple[int, int, float]] = []
        for i, lr in enumerate(lrs.tolist()):
            if runs and runs[-1][2] == lr:
                runs[-1] = (runs[-1][0], i + 1, lr)
            else:
                runs.append((i, i + 2, float(lr)))
        return runs

    monkeypatch.setattr(nets, "_equal_runs", too_long)
    assert not checks.optimizer_reference({}).passed


def test_windows_known_answer_sees_windows_read_backwards(monkeypatch: pytest.MonkeyPatch) -> None:
    """Held-out seeds 70919 and 12007's silent ``data.py:55``: ``starts + arange`` → ``starts - arange``."""
    from skeptic.studies.mup import data

    assert checks.windows_known_answer({}).passed
    monkeypatch.setattr(data, "windows", lambda c, s, n: c.tokens[s[:, None] - torch.arange(n + 1)])
    assert not checks.windows_known_answer({}).passed


def test_declared_models_flags_a_transformer_probe_batch_reshaped_wrong(m: dict[str, Any]) -> None:
    """Held-out seeds 70919 and 12007's silent ``nets.py:511``: ``.view(M, s.batch_size, -1)`` → ``.view(M, -1,
    s.batch_size)``, so each model's probe batch became context + 1 sequences of one token."""
    row = next(r for r in m["coord"] if r["model"] == "transformer")
    assert row["probe_shape"] == [TINY.coord_seeds, checks.COORD_BATCH, TINY.transformer_context + 1]
    swapped = copy.deepcopy(m)
    t = next(r for r in swapped["coord"] if r["model"] == "transformer")
    t["probe_shape"] = [TINY.coord_seeds, TINY.transformer_context + 1, checks.COORD_BATCH]
    out = checks.declared_models(swapped, TINY)
    assert not out.passed and "probe batch" in out.detail


def test_reference_cells_sit_below_the_middle_rate_for_sp() -> None:
    """Session 19: at `audit` seed 3 the SP MLP/Adam reference cell at width 128 and the middle rate (above SP's
    optimum there) drifted 4.4e-3 from its sweep cell by amplified round-off; SP's reference cells now sit two rates
    lower, fixed by the grid's length alone."""
    assert ex.reference_lr_index(8, "mup") == 4
    assert ex.reference_lr_index(8, "sp") == 2
    assert ex.reference_lr_index(3, "sp") == 0
    cells = ex.reference_cells(PRESETS["audit"], None)  # type: ignore[arg-type]
    assert {(m, o, p, i) for m, o, p, _, i, _ in cells} == {
        (m, o, p, (len(g) // 2 if p == "mup" else len(g) // 2 - 2))
        for (m, o), g in {
            ("mlp", "sgd"): PRESETS["audit"].sgd_log2_lrs,
            ("mlp", "adam"): PRESETS["audit"].adam_log2_lrs,
            ("linear", "adam"): PRESETS["audit"].linear_grid(),
        }.items()
        for p in ("sp", "mup")
    }
