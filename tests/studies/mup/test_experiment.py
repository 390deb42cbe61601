"""The mup study's sections (``experiment.py``), each run alone on a config small enough for a unit test."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any, cast

import pytest
import torch

from skeptic.studies.mup import experiment as ex
from skeptic.studies.mup.claims import CROSSCHECK_RTOL, _rel_gap
from skeptic.studies.mup.config import MupConfig
from skeptic.study import RunContext

TINY = MupConfig(
    base_width=8,
    mlp_widths=[8, 16, 32],
    transformer_widths=[8, 16],
    sgd_log2_lrs=[-3, -1, 1],
    adam_log2_lrs=[-8, -6, -4],
    seeds=3,
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
    """The two things the sections read from a run context: named seeds and the device."""

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
def setup() -> ex.Setup:
    return ex.setup(TINY, cast(RunContext, _Ctx()))


def _count() -> tuple[list[float], Any]:
    ticks: list[float] = []
    return ticks, lambda n=1: ticks.append(n)


def test_setup_names_one_seed_per_index_and_holds_the_evaluation_out(setup: ex.Setup) -> None:
    assert len(setup.seeds) == TINY.seeds and len(set(setup.seeds)) == TINY.seeds
    assert len(setup.coord_seeds) == TINY.coord_seeds and not set(setup.coord_seeds) & set(setup.seeds)
    b = ex.basics(TINY, setup)
    assert b["base_width"] == TINY.base_width and b["vocab_size"] == setup.corpus.vocab_size
    assert min(b["split"]["mlp_eval_min_start"], b["split"]["transformer_eval_min_start"]) >= b["split"]["train_end"]
    assert setup.mlp_eval.numel() == TINY.eval_windows and setup.transformer_eval.numel() == 4  # max(4, 16 // 8)


def test_sections_tick_once_per_declared_unit_and_the_transformer_sweep_uses_its_seeds(setup: ex.Setup) -> None:
    ticks, tick = _count()
    coord = ex.coordinate_checks(TINY, setup, tick)
    sweeps = ex.lr_sweeps(TINY, setup, tick)["sweeps"]
    assert len(ticks) == sum(ticks) == ex.progress_units(TINY)
    assert len(coord["coord"]) == 2 * (2 * len(TINY.coord_widths) + len(TINY.coord_transformer_widths))
    assert len(coord["linear"]) == 2 * 2 * len(TINY.coord_widths)
    assert {r["nonlinearity"] for r in coord["linear"]} == {"linear"}
    tr = [r for r in sweeps if r["model"] == "transformer"]
    assert tr and all(r["seeds"] == setup.seeds[: TINY.transformer_seeds] for r in tr)
    assert all(r["seeds"] == setup.seeds for r in sweeps if r["model"] in ("mlp", "linear"))
    linear = [r for r in sweeps if r["model"] == "linear"]
    assert len(linear) == 2 * len(TINY.mlp_widths) and all(r["log2_lrs"] == TINY.adam_log2_lrs for r in linear)
    assert {r["nonlinearity"] for r in sweeps if r["model"] == "mlp"} == {"relu"}


def test_swapped_rule_changes_the_relu_checks_but_never_the_deep_linear_one(setup: ex.Setup) -> None:
    _, tick = _count()
    own = ex.coordinate_checks(TINY, setup, tick)
    swapped = ex.coordinate_checks(TINY.model_copy(update={"lr_rule": "swapped"}), setup, tick)
    assert own["linear"] == swapped["linear"]
    wide = [(a, b) for a, b in zip(own["coord"], swapped["coord"], strict=True) if a["width"] > TINY.base_width]
    assert wide and all(a["deltas"] != b["deltas"] for a, b in wide)
    base = [(a, b) for a, b in zip(own["coord"], swapped["coord"], strict=True) if a["width"] == TINY.base_width]
    assert base and all(a["deltas"] == b["deltas"] for a, b in base)  # at the base width the two rules coincide


def test_reference_crosscheck_has_one_row_per_optimizer_width_and_parametrization_and_agrees(setup: ex.Setup) -> None:
    rows = ex.reference_crosscheck(TINY, setup)["crosscheck"]
    got = [(r["optimizer"], r["width"], r["param"]) for r in rows]
    assert got == [("sgd", 16, "sp"), ("sgd", 16, "mup"), ("adam", 16, "sp"), ("adam", 16, "mup")]
    for r in rows:
        assert _rel_gap(r["ours_deltas"], r["deltas"]) <= CROSSCHECK_RTOL
        assert _rel_gap(r["ours_sizes"], r["sizes"]) <= CROSSCHECK_RTOL


def test_the_deep_linear_sweep_follows_the_runs_learning_rate_rule(setup: ex.Setup) -> None:
    """Unlike the deep-linear coordinate check (always its own rule), the deep linear network's learning-rate sweep
    is a claim's arm: under the swapped contrast it trains with the other parametrization's rates, like the MLP's."""
    _, tick = _count()
    own = [r for r in ex.lr_sweeps(TINY, setup, tick)["sweeps"] if r["model"] == "linear"]
    swapped_cfg = TINY.model_copy(update={"lr_rule": "swapped"})
    swapped = [r for r in ex.lr_sweeps(swapped_cfg, setup, tick)["sweeps"] if r["model"] == "linear"]
    pairs = list(zip(own, swapped, strict=True))
    assert all((a["width"], a["param"]) == (b["width"], b["param"]) for a, b in pairs)
    assert all(a["loss"] != b["loss"] for a, b in pairs if a["width"] > TINY.base_width)
    assert all(a["loss"] == b["loss"] for a, b in pairs if a["width"] == TINY.base_width)
