"""The mup study's sections, in the order ``study.run`` calls them; each returns its measurements.

Every section reads the config and the :class:`Setup` (the corpus, the named seeds and the held-out windows every
model is evaluated on). The work itself lives in ``experiments.py`` (one batched learning-rate sweep or coordinate
check per call, built on ``nets.py``), ``crosscheck.py`` (the independent μP: Microsoft's mup when installed) and
``exponents.py`` (the one-step deep-linear derivation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import torch
from torch import Tensor

from skeptic.studies.mup import crosscheck, experiments, exponents, nets
from skeptic.studies.mup.config import MupConfig
from skeptic.studies.mup.data import Corpus, load_corpus
from skeptic.studies.mup.experiments import Tick
from skeptic.studies.mup.param import PARAMETRIZATIONS, Optimizer, Parametrization
from skeptic.study import RunContext

COMBOS: tuple[tuple[Literal["mlp", "transformer"], Optimizer], ...] = (
    ("mlp", "sgd"),
    ("mlp", "adam"),
    ("transformer", "adam"),
)
"""(model, optimizer) of the learning-rate sweeps and coordinate checks."""
LINEAR: tuple[Literal["linear"], Literal["adam"]] = ("linear", "adam")
"""The deep linear network's learning-rate sweep (issue 33): the study's MLP with no nonlinearity, at the MLP sweep's
widths, seeds and steps, on ``MupConfig.linear_grid()`` (the Adam grid unless the preset says otherwise), SP and μP.
One optimizer, Adam (TP5's Figure 1 and mup's ``MuAdam``), so that ``quick`` grows by about 3.4 CPU s rather than
the 6.1 both optimizers cost (measured at ``quick``, one thread)."""
SWEEPS: tuple[tuple[Literal["mlp", "transformer", "linear"], Optimizer], ...] = (*COMBOS, LINEAR)
"""(model, optimizer) of every learning-rate sweep: :data:`COMBOS` and the deep linear network's."""


@dataclass(frozen=True)
class Setup:
    """What every section reads besides the config: the corpus, the seeds and the held-out windows."""

    corpus: Corpus
    seeds: list[int]
    """Seeds of the learning-rate sweeps (the transformer's sweep uses the first ``transformer_seeds``)."""
    coord_seeds: list[int]
    """Seeds of the coordinate checks (the cross-check uses the first)."""
    mlp_eval: Tensor
    """Start indices of the MLP's held-out evaluation windows."""
    transformer_eval: Tensor
    """Start indices of the transformer's held-out evaluation sequences."""
    device: str


def setup(c: MupConfig, ctx: RunContext) -> Setup:
    """The corpus and every named seed stream: ``sweep``, ``coord`` (one seed per index) and ``eval``."""
    corpus = load_corpus()
    eval_seed = ctx.seed_for("eval")
    return Setup(
        corpus=corpus,
        seeds=[ctx.seed_for("sweep", i) for i in range(c.seeds)],
        coord_seeds=[ctx.seed_for("coord", i) for i in range(c.coord_seeds)],
        mlp_eval=nets.eval_starts(corpus, c.eval_windows, c.mlp_context, eval_seed),
        transformer_eval=nets.eval_starts(corpus, max(4, c.eval_windows // 8), c.transformer_context, eval_seed),
        device=ctx.device,
    )


def basics(c: MupConfig, s: Setup) -> dict[str, Any]:
    """What the probes and the exponent claims read besides the sections' results: the corpus, the base width, the
    derivation's SP/Adam logit exponent (asymptotic, and its slope over the coordinate-check widths) and where the
    training text ends against where the evaluation windows start."""
    return {
        "vocab_size": s.corpus.vocab_size,
        "corpus_chars": len(s.corpus.tokens),
        "corpus_vocab": s.corpus.vocab,
        "base_width": c.base_width,
        "derived_logit_exponent_asymptotic": exponents.DERIVED[("sp", "adam")][2],
        "derived_logit_exponent_effective": exponents.sp_adam_logit_exponent(c.coord_widths, s.corpus.vocab_size),
        "split": {
            "train_end": s.corpus.split,
            "mlp_eval_min_start": int(s.mlp_eval.min()),
            "transformer_eval_min_start": int(s.transformer_eval.min()),
        },
    }


def progress_units(c: MupConfig) -> int:
    """One unit per (width, parametrization) of every sweep (the deep linear network's included) and coordinate
    check."""
    n_sweeps = 2 * (3 * len(c.mlp_widths) + len(c.transformer_widths))
    n_coord = 2 * (4 * len(c.coord_widths) + len(c.coord_transformer_widths))
    return n_sweeps + n_coord


def coord_lrs(c: MupConfig) -> list[tuple[Optimizer, float]]:
    """The log₂ learning rate of each optimizer's coordinate checks."""
    return [("sgd", c.coord_sgd_log2_lr), ("adam", c.coord_adam_log2_lr)]


def coordinate_checks(c: MupConfig, s: Setup, tick: Tick) -> dict[str, Any]:
    """Activation sizes and changes against width: the ReLU MLP over ``coord_steps`` steps (``coord``, with the
    transformer under Adam), and the deep linear MLP after one step (``linear``, always with its own rule)."""
    coord: list[dict[str, Any]] = []
    linear: list[dict[str, Any]] = []
    swap = c.lr_rule == "swapped"
    for opt, lr in coord_lrs(c):
        coord += experiments.coord_check(
            s.corpus,
            "mlp",
            opt,
            c.coord_widths,
            c.base_width,
            lr,
            s.coord_seeds,
            c.coord_steps,
            1,
            c.mlp_context,
            s.mlp_eval,
            device=s.device,
            tick=tick,
            swap_lr=swap,
        )
        linear += experiments.coord_check(
            s.corpus,
            "mlp",
            opt,
            c.coord_widths,
            c.base_width,
            lr,
            s.coord_seeds,
            1,
            1,
            c.mlp_context,
            s.mlp_eval,
            nonlinearity="linear",
            device=s.device,
            tick=tick,
        )
    coord += experiments.coord_check(
        s.corpus,
        "transformer",
        "adam",
        c.coord_transformer_widths,
        c.base_width,
        c.coord_adam_log2_lr,
        s.coord_seeds,
        c.coord_steps,
        1,
        c.transformer_context,
        s.transformer_eval,
        n_layers=c.transformer_layers,
        device=s.device,
        tick=tick,
        swap_lr=swap,
    )
    return {"coord": coord, "linear": linear}


def reference_crosscheck(c: MupConfig, s: Setup) -> dict[str, Any]:
    """Skeptic's MLP (SP and μP) against the reference at each ``crosscheck_widths`` width and both optimizers, from
    the same draws and batches (always each parametrization's own learning-rate rule): μP against Microsoft mup,
    SP against plain ``nn.Linear`` layers and PyTorch's optimizers."""
    seed = s.coord_seeds[0]
    out = []
    for opt, lr in coord_lrs(c):
        for width in c.crosscheck_widths:
            rows = experiments.coord_check(
                s.corpus, "mlp", opt, [width], c.base_width, lr, [seed], c.coord_steps, 1, c.mlp_context, s.mlp_eval
            )
            for ours in rows:
                ref = crosscheck.reference_coord_check(
                    s.corpus, opt, width, c.base_width, lr, seed, c.coord_steps, 1, c.mlp_context, 1.0,
                    param=ours["param"],
                )  # fmt: skip
                ref["ours_sizes"], ref["ours_deltas"] = ours["sizes"][0], ours["deltas"][0]
                out.append(ref)
    return {"crosscheck": out}


Cell = tuple[Literal["mlp", "linear"], Optimizer, Parametrization, int, int, int]
"""A sweep cell: (model, optimizer, parametrization, width, rate index, seed index)."""


def reference_lr_index(n_rates: int, trained_as: Parametrization) -> int:
    """The grid index of the learning rate at which a reference cell is retrained: the middle rate for a network
    trained in μP, two rates below it (at least the lowest) for one trained in SP.

    At the widest width SP's optimum has fallen below the middle of a grid centred on the base width's (about −0.6 log₂
    per doubling with Adam), and above its optimum training amplifies round-off: at ``audit`` seed 3 the SP MLP/Adam
    cell at width 128 and the middle rate 2^-6 (its optimum 2^-7) reached 2.4976 in the stacked sweep and 2.5086
    alone, 4.4e-3 apart, past ``checks.CELL_RTOL`` (session 19). Fixed by the config alone, before any result."""
    return n_rates // 2 if trained_as == "mup" else max(0, n_rates // 2 - 2)


def reference_cells(c: MupConfig, s: Setup) -> list[Cell]:
    """The MLP and deep-linear sweep cells retrained alone by the reference: per (model, optimizer) and
    parametrization, the widest width at the rate :func:`reference_lr_index` picks and the last seed; fixed by the
    config alone, before any result is seen."""
    cells: list[Cell] = []
    combos: list[tuple[Literal["mlp", "linear"], Optimizer]] = [("mlp", "sgd"), ("mlp", "adam"), LINEAR]
    for model, opt in combos:
        lrs = c.linear_grid() if model == "linear" else c.sgd_log2_lrs if opt == "sgd" else c.adam_log2_lrs
        for param in PARAMETRIZATIONS:
            trained_as = c.mup_arm if param == "mup" else c.sp_arm
            cells.append((model, opt, param, max(c.mlp_widths), reference_lr_index(len(lrs), trained_as), c.seeds - 1))
    return cells


def reference_retrain(c: MupConfig, s: Setup) -> dict[str, Any]:
    """Independent recomputations of what the sweeps and the learning-rate rules produce, for the probes:

    * ``reference_cells``: the cells of :func:`reference_cells` trained one model at a time with ``nn.Linear``
      layers and PyTorch's (SP) or Microsoft mup's (μP) optimizers on the same draws and batches, and their held-out
      loss (the run's learning-rate rule: under the ``swapped`` contrast each parametrization's initialization with
      the other's rates, TP5 Table 3 written out in :func:`crosscheck.reference_model`); and likewise the
      transformer sweep's widest width, middle rate and last seed with the library's TinyTransformer
      (:func:`crosscheck.reference_transformer_cell`);
    * ``transformer_acts``: the transformer coordinate check's activations by the study's probed forward and by
      hooks on the library's TinyTransformer, at the widest coordinate-check width
      (:func:`crosscheck.reference_transformer_acts`);
    * ``lr_rules``: Microsoft mup's learning-rate multiplier beside Skeptic's for every transformer weight but the
      readout, at the widest sweep width."""
    cells: list[dict[str, Any]] = []

    def rule(param: Parametrization) -> Parametrization:
        return ("sp" if param == "mup" else "mup") if c.lr_rule == "swapped" else param

    def trained(param: Parametrization) -> Parametrization:
        return c.mup_arm if param == "mup" else c.sp_arm  # the contrasts that train one arm as the other

    for model, opt, param, width, i, j in reference_cells(c, s):
        lrs = c.linear_grid() if model == "linear" else c.sgd_log2_lrs if opt == "sgd" else c.adam_log2_lrs
        loss = crosscheck.reference_sweep_cell(
            s.corpus, opt, trained(param), width, c.base_width, lrs[i], s.seeds[j], c.mlp_steps, c.mlp_batch_size,
            c.mlp_context, s.mlp_eval, lr_param=rule(trained(param)), linear=model == "linear",
        )  # fmt: skip
        cells.append(
            {"model": model, "optimizer": opt, "param": param, "width": width, "lr_index": i, "seed_index": j,
             "loss": loss}
        )  # fmt: skip
    width, j = max(c.transformer_widths), c.transformer_seeds - 1
    for param in PARAMETRIZATIONS:
        i = reference_lr_index(len(c.adam_log2_lrs), trained(param))
        loss = crosscheck.reference_transformer_cell(
            s.corpus, trained(param), width, c.base_width, c.adam_log2_lrs[i], s.seeds[j], c.transformer_steps,
            c.transformer_batch_size, c.transformer_context, c.transformer_layers, s.transformer_eval,
            lr_param=rule(trained(param)),
        )  # fmt: skip
        cells.append(
            {"model": "transformer", "optimizer": "adam", "param": param, "width": width, "lr_index": i,
             "seed_index": j, "loss": loss}
        )  # fmt: skip
    width = max(c.transformer_widths)
    rules = crosscheck.reference_lr_rules(
        width, c.base_width, s.corpus.vocab_size, c.transformer_context, c.transformer_layers, 4
    )
    shape = nets.transformer_shape(
        width, c.base_width, s.corpus.vocab_size, c.transformer_context, c.transformer_layers, 4, "mup"
    )
    tensors = nets.transformer_tensors(shape)
    for opt in ("sgd", "adam"):
        ours = nets.lr_table(tensors, torch.ones(1), width, c.base_width, "mup", opt)
        for r in rules:
            if r["optimizer"] == opt:
                r["ours"] = float(ours[r["tensor"]][0])
    acts = [
        crosscheck.reference_transformer_acts(
            s.corpus, param, max(c.coord_transformer_widths), c.base_width, s.coord_seeds[0], c.transformer_context,
            c.transformer_layers, s.transformer_eval[:4],
        )
        for param in PARAMETRIZATIONS
    ]  # fmt: skip
    return {"reference_cells": cells, "lr_rules": rules, "lr_rules_width": width, "transformer_acts": acts}


def lr_sweeps(c: MupConfig, s: Setup, tick: Tick) -> dict[str, Any]:
    """Held-out loss over the learning-rate grid at every width, for each (model, optimizer) of :data:`SWEEPS`: the
    ReLU MLP and the transformer of :data:`COMBOS`, then the deep linear network (:data:`LINEAR`) at the MLP's widths,
    seeds, steps and grid, under the run's learning-rate rule like the others."""
    sweeps: list[dict[str, Any]] = []
    swap = c.lr_rule == "swapped"
    for model, opt in COMBOS:
        lrs = c.sgd_log2_lrs if opt == "sgd" else c.adam_log2_lrs
        if model == "mlp":
            sweeps += experiments.lr_sweep(
                s.corpus,
                "mlp",
                opt,
                c.mlp_widths,
                c.base_width,
                lrs,
                s.seeds,
                c.mlp_steps,
                c.mlp_batch_size,
                c.mlp_context,
                s.mlp_eval,
                device=s.device,
                tick=tick,
                swap_lr=swap,
                mup_as=c.mup_arm,
                sp_as=c.sp_arm,
            )
        else:
            sweeps += experiments.lr_sweep(
                s.corpus,
                "transformer",
                opt,
                c.transformer_widths,
                c.base_width,
                lrs,
                s.seeds[: c.transformer_seeds],
                c.transformer_steps,
                c.transformer_batch_size,
                c.transformer_context,
                s.transformer_eval,
                n_layers=c.transformer_layers,
                device=s.device,
                tick=tick,
                swap_lr=swap,
                mup_as=c.mup_arm,
                sp_as=c.sp_arm,
            )
    _, opt = LINEAR
    sweeps += experiments.lr_sweep(
        s.corpus,
        "mlp",
        opt,
        c.mlp_widths,
        c.base_width,
        c.linear_grid(),
        s.seeds,
        c.mlp_steps,
        c.mlp_batch_size,
        c.mlp_context,
        s.mlp_eval,
        device=s.device,
        tick=tick,
        swap_lr=swap,
        nonlinearity="linear",
        mup_as=c.mup_arm,
        sp_as=c.sp_arm,
    )
    return {"sweeps": sweeps}
