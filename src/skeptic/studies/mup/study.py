"""mup: does the optimal learning rate transfer across width under μP, and can a deep linear network explain why?

Tensor Programs V (Yang et al. 2022) says that under the maximal-update parametrization (μP) the optimal learning rate
of a network is stable as its width grows, so it can be tuned on a small model and reused on a large one, while under
the standard parametrization (SP) it shifts. This study trains character-level MLPs and small transformers on Python's
own documentation in both parametrizations, with SGD and Adam, sweeps the learning rate at several widths (each
width's sweep one batched computation), runs coordinate checks, checks its μP against Microsoft's ``mup``, and tests
the width exponents of a one-step deep-linear derivation (:mod:`skeptic.studies.mup.exponents`).
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import Field

from skeptic.studies.mup import crosscheck, experiments, exponents, nets
from skeptic.studies.mup.brief import BRIEF
from skeptic.studies.mup.claims import CLAIMS, COMBOS, PROBES
from skeptic.studies.mup.data import load_corpus
from skeptic.studies.mup.faults import FAULTS
from skeptic.studies.mup.figures import make_figures, make_tables
from skeptic.studies.mup.param import Optimizer
from skeptic.study import Budget, RunContext, StudyConfig, StudyOutput, study, torch_threads


class MupConfig(StudyConfig):
    base_width: int = Field(32, ge=4, le=4096)
    """Base width n₀ at which μP and SP coincide (width multiplier m = n/n₀; the narrowest sweep width)."""
    mlp_widths: list[int] = Field([32, 64, 128, 256], min_length=3, max_length=10)
    """Widths of the MLP learning-rate sweeps (each ≥ base_width; doubling widths make the shift per doubling
    a plain slope)."""
    transformer_widths: list[int] = Field([32, 64, 128], min_length=2, max_length=8)
    """Widths (d_model) of the transformer learning-rate sweep; 4 heads, so d_head = width/4."""
    sgd_log2_lrs: list[float] = Field([-4, -3, -2, -1, 0, 1, 2], min_length=3, max_length=24)
    """log₂ of the base learning rates of the SGD sweeps (a grid that must bracket every optimum)."""
    adam_log2_lrs: list[float] = Field([-10, -9, -8, -7, -6, -5, -4], min_length=3, max_length=24)
    """log₂ of the base learning rates of the Adam sweeps."""
    seeds: int = Field(4, ge=2, le=16)
    """Independent seeds per (width, rate): initialization and minibatch order (≥ 2 for an interval)."""
    mlp_steps: int = Field(100, ge=5, le=100_000)
    """Training steps of each MLP in the sweeps."""
    mlp_batch_size: int = Field(32, ge=1, le=4096)
    """Examples per MLP step."""
    mlp_context: int = Field(4, ge=1, le=64)
    """Characters the MLP sees before predicting the next one (k)."""
    transformer_steps: int = Field(50, ge=5, le=100_000)
    """Training steps of each transformer in the sweep."""
    transformer_batch_size: int = Field(8, ge=1, le=1024)
    """Sequences per transformer step."""
    transformer_context: int = Field(16, ge=2, le=256)
    """Characters per training sequence of the transformer."""
    transformer_layers: int = Field(1, ge=1, le=12)
    """Transformer blocks."""
    transformer_seeds: int = Field(3, ge=2, le=16)
    """Seeds of the transformer sweep (its most expensive part)."""
    eval_windows: int = Field(512, ge=16, le=100_000)
    """Held-out windows every model is evaluated on (MLP: examples; transformer: windows // 8 sequences)."""
    coord_widths: list[int] = Field([64, 128, 256, 512, 1024], min_length=3, max_length=10)
    """Widths of the coordinate checks and the exponent measurements (TP5 / mup use 2^6 … 2^11)."""
    coord_transformer_widths: list[int] = Field([64, 128, 256, 512], min_length=3, max_length=10)
    """Widths of the transformer's coordinate check."""
    coord_steps: int = Field(3, ge=1, le=100)
    """Steps of a coordinate check ("after a few steps"); the exponents of the derivation are read at step 1."""
    coord_seeds: int = Field(3, ge=2, le=16)
    """Seeds of each coordinate check."""
    coord_sgd_log2_lr: float = Field(-5.0, ge=-20, le=5)
    """log₂ learning rate of the SGD coordinate checks (small enough that SP's one-example step does not saturate
    the softmax at the widest width)."""
    coord_adam_log2_lr: float = Field(-8.0, ge=-20, le=5)
    """log₂ learning rate of the Adam coordinate checks."""
    lr_rule: Literal["own", "swapped"] = "own"
    """Learning-rate multipliers of the sweeps and of the MLP and transformer coordinate checks: each
    parametrization's ``own`` (TP5 Table 3), or ``swapped`` (μP's initialization with SP's learning rates and SP's
    with μP's), the contrast under which μP's learning-rate rule is absent. The deep-linear derivation check and
    the cross-check with Microsoft's mup always use the parametrization's own rule."""
    crosscheck_widths: list[int] = Field([64, 256], min_length=1, max_length=6)
    """Widths at which Skeptic's μP MLP is compared with Microsoft's mup (or the hand-written reference)."""


PRESETS = {
    "test": MupConfig(
        base_width=16,
        mlp_widths=[16, 32, 64],
        transformer_widths=[16, 32],
        sgd_log2_lrs=[-3, -1, 1, 3],
        adam_log2_lrs=[-8, -6, -4, -2, 0],
        seeds=2,
        mlp_steps=20,
        mlp_batch_size=16,
        transformer_steps=10,
        transformer_batch_size=4,
        transformer_context=8,
        transformer_seeds=2,
        eval_windows=64,
        coord_widths=[64, 256, 1024],
        coord_transformer_widths=[16, 32, 64],
        coord_seeds=2,
        coord_steps=1,
        crosscheck_widths=[64],
    ),
    "quick": MupConfig(),
    "paper": MupConfig(
        mlp_widths=[32, 64, 128, 256, 512],
        transformer_widths=[32, 64, 128, 256],
        sgd_log2_lrs=[x / 2 for x in range(-10, 7)],
        adam_log2_lrs=[x / 2 for x in range(-22, -5)],
        seeds=4,
        mlp_steps=250,
        transformer_steps=100,
        transformer_seeds=3,
        eval_windows=1024,
        coord_widths=[64, 128, 256, 512, 1024, 2048],
        coord_transformer_widths=[64, 128, 256, 512, 1024],
        coord_seeds=4,
        crosscheck_widths=[64, 256, 1024],
    ),
}


@study(
    name="mup",
    question="Under the maximal-update parametrization, does the best learning rate of a small network carry over to "
    "a wide one, and does a deep linear network explain the width scaling?",
    sources=(
        "Yang et al. 2022, Tensor Programs V: tuning large neural networks via zero-shot hyperparameter transfer "
        "(arXiv 2203.03466), Table 3 and Figures 1 and 3",
        "Yang & Hu 2021, Tensor Programs IV: feature learning in infinite-width neural networks (arXiv 2011.14522)",
        "Microsoft mup package (github.com/microsoft/mup): MuReadout, MuSGD/MuAdam and coordinate checks",
    ),
    presets=PRESETS,
    claims=CLAIMS,
    probes=PROBES,
    brief=BRIEF,
    runtime={
        "test": "~4.5 s of CPU beyond imports (2 shared cores, load ~5)",
        "quick": "~55 s of CPU, one thread (8 min wall at load 15-24)",
        "paper": "~11 min (measured 2026-11-24: 647 s on one thread, beside another study)",
    },
    faults=FAULTS,
    budget=Budget(
        scale={"mlp_steps": 4, "transformer_steps": 4, "eval_windows": 4},
        set={"seeds": 8, "transformer_seeds": 6, "coord_seeds": 6},
        note="4× the training steps and held-out windows, twice the seeds: the optimum's position and the "
        "wider-is-better ordering are read after training, which more steps can move",
    ),
    audit_preset="quick",
    audit_preset_why="at test (2 seeds, 20 steps) every learning-rate sweep claim is inconclusive, so neither a "
    "contrast nor the budget could change a verdict; quick (4 seeds, 100 steps, about 50 CPU seconds) decides them",
)
def run(config: MupConfig, ctx: RunContext) -> StudyOutput:
    with torch_threads(1):  # small batched models: intra-op threads only add contention on a shared machine
        m = _run(config, ctx)
    return StudyOutput(m, make_figures(m), make_tables(m))


def _run(c: MupConfig, ctx: RunContext) -> dict[str, Any]:
    t0 = time.perf_counter()
    dev = ctx.device
    corpus = load_corpus()
    seeds = [ctx.seed_for("sweep", i) for i in range(c.seeds)]
    eval_seed = ctx.seed_for("eval")
    mlp_eval = nets.eval_starts(corpus, c.eval_windows, c.mlp_context, eval_seed)
    tr_eval = nets.eval_starts(corpus, max(4, c.eval_windows // 8), c.transformer_context, eval_seed)
    timing: dict[str, float] = {}
    m: dict[str, Any] = {
        "vocab_size": corpus.vocab_size,
        "corpus_chars": len(corpus.tokens),
        "base_width": c.base_width,
        # the derivation's SP/Adam logit exponent: asymptotic, and its slope over the coordinate-check widths
        "derived_logit_exponent_asymptotic": exponents.DERIVED[("sp", "adam")][2],
        "derived_logit_exponent_effective": exponents.sp_adam_logit_exponent(c.coord_widths, corpus.vocab_size),
        "split": {
            "train_end": corpus.split,
            "mlp_eval_min_start": int(mlp_eval.min()),
            "transformer_eval_min_start": int(tr_eval.min()),
        },
    }
    n_sweeps = 2 * (2 * len(c.mlp_widths) + len(c.transformer_widths))
    n_coord = 2 * (4 * len(c.coord_widths) + len(c.coord_transformer_widths))
    with ctx.progress("mup: coordinate checks and learning-rate sweeps", total=n_sweeps + n_coord) as tick:
        t = time.perf_counter()
        coord, linear = [], []
        cseeds = [ctx.seed_for("coord", i) for i in range(c.coord_seeds)]
        for opt, lr in _coord_lrs(c):
            coord += experiments.coord_check(
                corpus,
                "mlp",
                opt,
                c.coord_widths,
                c.base_width,
                lr,
                cseeds,
                c.coord_steps,
                1,
                c.mlp_context,
                mlp_eval,
                device=dev,
                tick=tick,
                swap_lr=c.lr_rule == "swapped",
            )
            linear += experiments.coord_check(
                corpus,
                "mlp",
                opt,
                c.coord_widths,
                c.base_width,
                lr,
                cseeds,
                1,
                1,
                c.mlp_context,
                mlp_eval,
                nonlinearity="linear",
                device=dev,
                tick=tick,
            )
        coord += experiments.coord_check(
            corpus,
            "transformer",
            "adam",
            c.coord_transformer_widths,
            c.base_width,
            c.coord_adam_log2_lr,
            cseeds,
            c.coord_steps,
            1,
            c.transformer_context,
            tr_eval,
            n_layers=c.transformer_layers,
            device=dev,
            tick=tick,
            swap_lr=c.lr_rule == "swapped",
        )
        m["coord"], m["linear"] = coord, linear
        m["crosscheck"] = _crosscheck(c, corpus, cseeds[0], mlp_eval)
        timing["coord_s"] = time.perf_counter() - t

        t = time.perf_counter()
        sweeps = []
        for model, opt in COMBOS:
            lrs = c.sgd_log2_lrs if opt == "sgd" else c.adam_log2_lrs
            if model == "mlp":
                sweeps += experiments.lr_sweep(
                    corpus,
                    "mlp",
                    opt,
                    c.mlp_widths,
                    c.base_width,
                    lrs,
                    seeds,
                    c.mlp_steps,
                    c.mlp_batch_size,
                    c.mlp_context,
                    mlp_eval,
                    device=dev,
                    tick=tick,
                    swap_lr=c.lr_rule == "swapped",
                )
            else:
                sweeps += experiments.lr_sweep(
                    corpus,
                    "transformer",
                    opt,
                    c.transformer_widths,
                    c.base_width,
                    lrs,
                    seeds[: c.transformer_seeds],
                    c.transformer_steps,
                    c.transformer_batch_size,
                    c.transformer_context,
                    tr_eval,
                    n_layers=c.transformer_layers,
                    device=dev,
                    tick=tick,
                    swap_lr=c.lr_rule == "swapped",
                )
        m["sweeps"] = sweeps
        timing["sweeps_s"] = time.perf_counter() - t
    timing["total_s"] = time.perf_counter() - t0
    m["timing"] = timing
    return m


def _coord_lrs(c: MupConfig) -> list[tuple[Optimizer, float]]:
    return [("sgd", c.coord_sgd_log2_lr), ("adam", c.coord_adam_log2_lr)]


def _crosscheck(c: MupConfig, corpus: Any, seed: int, eval_at: Any) -> list[dict[str, Any]]:
    """Skeptic's μP MLP against the reference at each ``crosscheck_widths`` width and both optimizers."""
    out = []
    for opt, lr in _coord_lrs(c):
        for width in c.crosscheck_widths:
            ref = crosscheck.reference_coord_check(
                corpus, opt, width, c.base_width, lr, seed, c.coord_steps, 1, c.mlp_context, 1.0
            )
            ours = experiments.coord_check(
                corpus, "mlp", opt, [width], c.base_width, lr, [seed], c.coord_steps, 1, c.mlp_context, eval_at
            )[-1]
            ref["ours_sizes"], ref["ours_deltas"] = ours["sizes"][0], ours["deltas"][0]
            out.append(ref)
    return out
