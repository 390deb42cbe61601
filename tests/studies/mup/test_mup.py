"""Known answers for the mup study's pieces: Table 3's rules, the batched trainer, the reference, the derivation."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pytest
import torch

from skeptic.studies.mup import crosscheck, experiments, exponents, nets
from skeptic.studies.mup import param as P  # noqa: N812 (the rules table, read as P.rule)
from skeptic.studies.mup.claims import expected_exponents
from skeptic.studies.mup.data import Corpus, load_corpus


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus()


def test_mup_equals_sp_at_the_base_width() -> None:
    for role in ("input", "hidden", "output"):
        assert P.init_std(role, 64, 1.0, "mup") == P.init_std(role, 64, 1.0, "sp")
    roles: tuple[P.Role, ...] = ("input", "hidden", "output", "vector")
    opts: tuple[P.Optimizer, ...] = ("sgd", "adam")
    for role in roles:
        for opt in opts:
            assert P.lr_multiplier(role, 1.0, "mup", opt) == 1.0
    assert P.attention_scale(8, 8, "mup") == P.attention_scale(8, 8, "sp") == 1 / math.sqrt(8)


def test_table3_rules_at_four_times_the_base_width() -> None:
    m = 4.0
    assert P.init_std("output", 128, m, "mup") == pytest.approx(1 / math.sqrt(128 * 4))  # var 1/(fan_in·m)
    assert P.init_std("output", 128, m, "sp") == pytest.approx(1 / math.sqrt(128))
    assert P.init_std("hidden", 128, m, "mup") == pytest.approx(1 / math.sqrt(128))
    assert P.init_std("input", 4, m, "mup", input_std=1.0) == pytest.approx(0.5)
    assert [P.lr_multiplier(r, m, "mup", "sgd") for r in ("input", "hidden", "output")] == [4.0, 1.0, 0.25]
    assert [P.lr_multiplier(r, m, "mup", "adam") for r in ("input", "hidden", "output")] == [1.0, 0.25, 0.25]
    assert P.attention_scale(32, 8, "mup") == pytest.approx(math.sqrt(8) / 32)


def test_batched_adam_matches_torch_adam() -> None:
    g = torch.Generator().manual_seed(0)
    w0 = torch.randn(3, 5, generator=g)
    ours = {"w": w0.clone().unsqueeze(0)}
    opt = nets.BatchedOptimizer("adam", {"w": torch.tensor([0.01])})
    ref = w0.clone().requires_grad_(True)
    torch_opt = torch.optim.Adam([ref], lr=0.01)
    for _ in range(5):
        grad = torch.randn(3, 5, generator=g)
        ours = opt.step(ours, {"w": grad.unsqueeze(0)})
        ref.grad = grad.clone()
        torch_opt.step()
    torch.testing.assert_close(ours["w"][0], ref.detach(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("model", ["mlp", "transformer"])
def test_a_stacked_model_trains_exactly_as_it_would_alone(corpus: Corpus, model: Literal["mlp", "transformer"]) -> None:
    lrs, seeds = (2.0**-8, 2.0**-6, 2.0**-4), (3, 4)
    ctx = 4 if model == "mlp" else 8
    ev = nets.eval_starts(corpus, 32, ctx, 0)
    s = nets.Sweep(model, 32, 16, "mup", "adam", lrs, seeds, 6, 4, ctx, n_layers=1)
    together = nets.run_sweep(corpus, s, ev).eval_loss.view(3, 2)
    alone = nets.run_sweep(
        corpus, nets.Sweep(model, 32, 16, "mup", "adam", (lrs[1],), (seeds[1],), 6, 4, ctx, n_layers=1), ev
    ).eval_loss
    assert float(together[1, 1]) == pytest.approx(float(alone[0]), rel=1e-4)
    assert len(set(together.flatten().tolist())) == 6  # different rates and seeds really differ


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("use_mup", [False, True])
def test_skeptic_mup_matches_the_reference(corpus: Corpus, optimizer: P.Optimizer, use_mup: bool) -> None:
    if use_mup and not crosscheck.HAVE_MUP:
        pytest.skip("Microsoft's mup is not installed")
    lr = -5.0 if optimizer == "sgd" else -8.0
    ref = crosscheck.reference_coord_check(corpus, optimizer, 64, 16, lr, 1, 2, 2, 4, 1.0, use_mup=use_mup)
    ours = experiments.coord_check(
        corpus,
        "mlp",
        optimizer,
        [64],
        16,
        lr,
        [1],
        2,
        2,
        4,
        nets.eval_starts(corpus, 8, 4, 0),
    )[-1]
    np.testing.assert_allclose(ours["sizes"][0], ref["sizes"], rtol=1e-4)
    np.testing.assert_allclose(np.asarray(ours["deltas"][0])[1:], np.asarray(ref["deltas"])[1:], rtol=1e-3)


def test_optimum_recovers_a_parabola_vertex_and_flags_the_edge() -> None:
    x = [-4.0, -3.0, -2.0, -1.0, 0.0]
    best, edge = experiments.optimum(x, [(v + 1.7) ** 2 for v in x])
    assert best == pytest.approx(-1.7) and not edge
    assert experiments.optimum(x, [-v for v in x]) == (0.0, True)
    assert experiments.optimum(x, [1.0, math.inf, 0.5, 0.2, math.nan]) == (-1.0, False)


def test_loglog_slope_of_a_power_law() -> None:
    w = np.array([64, 128, 256, 512])
    assert exponents.loglog_slope(w, 3 * w**0.5) == pytest.approx(0.5)
    assert math.isnan(exponents.loglog_slope(w, [1.0, 0.0, 1.0, 1.0]))


def test_the_held_out_text_is_disjoint_from_training(corpus: Corpus) -> None:
    g = torch.Generator().manual_seed(0)
    tr = nets.window_starts(corpus, 1000, 16, g, held_out=False)
    ev = nets.eval_starts(corpus, 1000, 16, 0)
    assert int((tr + 17).max()) <= corpus.split <= int(ev.min())
    assert corpus.vocab_size > 60 and corpus.vocab[0] == "\n"


@pytest.mark.slow
def test_deep_linear_exponents_match_the_derivation(corpus: Corpus) -> None:
    widths = [64, 128, 256, 512, 1024]
    ev = nets.eval_starts(corpus, 8, 4, 0)
    settings: list[tuple[P.Optimizer, float]] = [("sgd", -5.0), ("adam", -8.0)]
    for opt, lr in settings:
        rows = experiments.coord_check(
            corpus,
            "mlp",
            opt,
            widths,
            64,
            lr,
            [0, 1],
            1,
            1,
            4,
            ev,
            nonlinearity="linear",
        )
        measured = experiments.measured_exponents(rows, 1)
        for param in ("sp", "mup"):
            derived = expected_exponents(param, opt, widths, corpus.vocab_size)
            got = [float(np.mean(v)) for v in measured[param].values()]
            assert np.allclose(got, derived, atol=0.15), (param, opt, got, derived)
    # SP really differs from μP: the logits' change grows at least like √n under SP
    assert min(np.mean(measured["sp"]["logits"]), np.mean(measured["sp"]["hidden layer"])) > 0.5


def test_sp_adam_logit_exponent_is_three_halves_only_when_width_dwarfs_the_vocabulary() -> None:
    # |Δf| ~ n^{3/2}/√V + n: the derivation's 3/2 is the n ≫ V limit; at the study's widths the slope is smaller
    assert exponents.DERIVED[("sp", "adam")][2] == 1.5
    assert exponents.sp_adam_logit_exponent([10**8, 2 * 10**8, 4 * 10**8], 100) == pytest.approx(1.5, abs=0.01)
    effective = exponents.sp_adam_logit_exponent([64, 128, 256, 512, 1024], 100)
    assert 1.2 < effective < 1.4
    assert exponents.sp_adam_logit_exponent([64, 128, 256, 512, 1024], 10) > effective  # fewer logits: nearer 3/2


def test_a_sweep_past_the_stack_size_runs_in_slices_with_the_same_results(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    lrs, seeds = (2.0**-8, 2.0**-6, 2.0**-4), (3, 4)
    ev = nets.eval_starts(corpus, 32, 4, 0)
    s = nets.Sweep("mlp", 32, 16, "mup", "adam", lrs, seeds, 4, 4, 4)
    whole = nets.run_sweep(corpus, s, ev, coord_check=True)
    assert nets.mlp_rates_per_computation(s, corpus.vocab_size) >= len(lrs)
    per_model = 4 * sum(math.prod(t.shape) for t in nets.mlp_tensors(32, 4, corpus.vocab_size))
    monkeypatch.setattr(nets, "STACK_BYTES", 2 * per_model * len(seeds))  # two rates per computation
    assert nets.mlp_rates_per_computation(s, corpus.vocab_size) == 2
    sliced = nets.run_sweep(corpus, s, ev, coord_check=True)
    for a, b in [(whole.train_loss, sliced.train_loss), (whole.sizes, sliced.sizes), (whole.deltas, sliced.deltas)]:
        assert a is not None and b is not None and a.shape == b.shape
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
@pytest.mark.skipif(not crosscheck.HAVE_MUP, reason="Microsoft's mup is not installed")
def test_the_deep_linear_transfer_read_off_a_sweep_trained_by_microsoft_mup_is_the_batched_one(corpus: Corpus) -> None:
    """Issue 33's cross-check, small: every cell of a deep linear network's Adam sweep trained alone with mup's
    MuReadout, set_base_shapes and MuAdam (μP) or nn.Linear and torch's Adam (SP) gives the batched trainer's loss,
    so the optimum's shift per doubling read by the claims' estimator is the same number."""
    from skeptic.studies.mup.claims import shift_per_doubling

    widths, base, lrs, seeds, steps = [16, 32, 64], 16, [-9.0, -8.0, -7.0, -6.0, -5.0, -4.0], [1, 2], 20
    ev = nets.eval_starts(corpus, 64, 4, 0)
    ours, ref = [], []
    for width in widths:
        for param in P.PARAMETRIZATIONS:
            s = nets.Sweep("mlp", width, base, param, "adam", tuple(2.0**x for x in lrs), tuple(seeds), steps, 8, 4,
                           nonlinearity="linear")  # fmt: skip
            loss = nets.run_sweep(corpus, s, ev).eval_loss.view(len(lrs), len(seeds)).tolist()
            cells = [
                [
                    crosscheck.reference_sweep_cell(
                        corpus, "adam", param, width, base, x, seed, steps, 8, 4, ev, use_mup=True, linear=True
                    )
                    for seed in seeds
                ]
                for x in lrs
            ]
            row = {"model": "linear", "optimizer": "adam", "param": param, "width": width, "log2_lrs": lrs,
                   "seeds": seeds}  # fmt: skip
            ours.append(row | {"loss": loss})
            ref.append(row | {"loss": cells})
            np.testing.assert_allclose(loss, cells, rtol=2e-3)
    for param in P.PARAMETRIZATIONS:
        a = shift_per_doubling("linear", "adam", param)({"sweeps": ours})
        b = shift_per_doubling("linear", "adam", param)({"sweeps": ref})
        assert a.value == pytest.approx(b.value, abs=0.02), (param, a, b)


def test_a_transformer_sweep_with_more_seeds_than_the_sweep_is_refused() -> None:
    """The transformer sweep trains on the first transformer_seeds of the sweep's seeds: more is a config error, not a
    crash inside the run."""
    from pydantic import ValidationError

    from skeptic.studies.mup.config import MupConfig

    with pytest.raises(ValidationError, match="must not exceed seeds"):
        MupConfig(seeds=5, transformer_seeds=6)
    assert MupConfig(seeds=6, transformer_seeds=6).transformer_seeds == 6


@pytest.mark.parametrize("use_mup", [False, True])
def test_a_trained_mup_adam_cell_is_the_reference_cell_to_float64_rounding(corpus: Corpus, use_mup: bool) -> None:
    """Issue 33, session 16: in float64 a μP/Adam cell of the batched sweep and the same cell trained alone by the
    reference (mup's multiplier form, or its hand-written copy) are the same arithmetic, so their held-out losses agree
    to float64 rounding. They did not while the reference's readout kept Adam's ε unscaled: its stored weight is √m
    times the effective one, so ε acted as ε·m on the effective weight (at ``audit`` seed 1, 240 steps, width 128,
    2^-6: 4.5e-3 apart in float64 as in float32). Here width 128 over base 16, 60 steps at 2^-6 (without the ε/m of
    :data:`crosscheck.ADAM_EPS` on the readout they differ by about 1e-6 in float64)."""
    if use_mup and not crosscheck.HAVE_MUP:
        pytest.skip("Microsoft's mup is not installed")
    width, base, log2_lr, seed, steps = 128, 16, -6.0, 3, 60
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        ev = nets.eval_starts(corpus, 64, 4, 0)
        s = nets.Sweep("mlp", width, base, "mup", "adam", (2.0**log2_lr,), (seed,), steps, 32, 4)
        ours = float(nets.run_sweep(corpus, s, ev).eval_loss[0])
        ref = crosscheck.reference_sweep_cell(
            corpus, "adam", "mup", width, base, log2_lr, seed, steps, 32, 4, ev, use_mup=use_mup
        )
    finally:
        torch.set_default_dtype(default)
    assert abs(ours - ref) <= 1e-12 * abs(ref), (ours, ref)
