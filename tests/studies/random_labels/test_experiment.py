"""The random-labels study's sections (``experiment.py``), each run on its own with a real run context."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from skeptic.core.runner import _Context
from skeptic.studies.random_labels import data
from skeptic.studies.random_labels import experiment as ex
from skeptic.studies.random_labels.config import PRESETS, RandomLabelsConfig

CONFIG = PRESETS["test"].model_copy(update={"n_train": 60, "n_test": 100, "max_steps": 20, "regularizers": False})


@pytest.fixture(scope="module")
def setup() -> tuple[data.Dataset, ex.Conditions, Any]:
    ctx = _Context(0, "test", None)
    ds = ex.load(CONFIG)
    return ds, ex.conditions(CONFIG, ds, ctx), ctx


def test_conditions_one_training_set_per_condition_and_seed(setup: tuple[data.Dataset, ex.Conditions, Any]) -> None:
    ds, conds, _ = setup
    S, levels = CONFIG.n_seeds, CONFIG.corruption_levels
    assert len(conds.specs) == len(conds.labels) == len(conds.pools) == S * (len(data.CONDITIONS) + len(levels) - 2)
    # the pool holds the original inputs once and each seed's three noise-input arrays
    assert conds.X_pool.shape[0] == conds.X_test_pool.shape[0] == 1 + 3 * S
    for sp, y, pool in zip(conds.specs, conds.labels, conds.pools, strict=True):
        assert (pool != 0) == (sp["condition"] in data.NOISE_INPUT_CONDITIONS)
        if sp["condition"] in ("true_labels", *data.NOISE_INPUT_CONDITIONS):
            assert np.array_equal(y, ds.y_train)
    for s in range(S):
        assert np.array_equal(conds.base_true[s], ds.y_train)
        changed = float((conds.base_rand[s] != ds.y_train).mean())
        assert 0.75 < changed < 0.98  # uniformly random labels over 10 classes change ~90% of them
    assert not np.array_equal(conds.base_rand[0], conds.base_rand[1])  # each seed draws its own stream
    assert conds.perms_ok and conds.overlap == 0
    assert conds.hashes["load"] == conds.hashes["after_conditions"] == ex.test_label_hashes(conds)["after_training"]
    assert len(conds.seeds) == S and len(set(conds.seeds)) == S


def test_conditions_draw_the_same_streams_every_time(setup: tuple[data.Dataset, ex.Conditions, Any]) -> None:
    _, conds, _ = setup
    again = ex.conditions(CONFIG, ex.load(CONFIG), _Context(0, "test", None))
    other_seed = ex.conditions(CONFIG, ex.load(CONFIG), _Context(1, "test", None))
    assert all(np.array_equal(a, b) for a, b in zip(conds.labels, again.labels, strict=True))
    assert bool((conds.X_pool == again.X_pool).all()) and conds.seeds == again.seeds
    assert not np.array_equal(conds.base_rand[0], other_seed.base_rand[0])


def test_no_label_randomness_makes_random_labels_true(setup: tuple[data.Dataset, ex.Conditions, Any]) -> None:
    ds, _, ctx = setup
    conds = ex.conditions(CONFIG.model_copy(update={"label_randomness": 0.0}), ds, ctx)
    assert all(np.array_equal(y, ds.y_train) for y in conds.base_rand.values())
    assert all(row["changed"] == 0 for row in conds.corruption_check)


def test_corrupted_sets_on_gaussian_inputs(setup: tuple[data.Dataset, ex.Conditions, Any]) -> None:
    """The clean-first contrast: each seed's corrupted sets train (and test) on that seed's Gaussian inputs, with
    the same labels as on the images, and the declared draws name those inputs."""
    ds, conds, ctx = setup
    config = CONFIG.model_copy(update={"corrupted_inputs": "gaussian"})
    noise = ex.conditions(config, ds, ctx)
    assert all(np.array_equal(a, b) for a, b in zip(conds.labels, noise.labels, strict=True))
    for i, sp in enumerate(noise.specs):
        if sp["condition"] == "corrupted":
            same_seed = [j for j, g in enumerate(noise.specs) if g["seed"] == sp["seed"]]
            gauss = next(j for j in same_seed if noise.specs[j]["condition"] == "gaussian")
            assert noise.pools[i] == noise.pools[gauss] != 0 and conds.pools[i] == 0
        else:
            assert noise.pools[i] == conds.pools[i]
    drawn = ex.declared_draws(config, ds, _Context(0, "test", None))["inputs"]
    images = ex.declared_draws(CONFIG, ds, _Context(0, "test", None))["inputs"]
    for s in range(CONFIG.n_seeds):
        assert drawn[f"corrupted/{s}"] == drawn[f"gaussian/{s}"] != images[f"corrupted/{s}"]


def test_train_and_measure_one_row_per_net(setup: tuple[data.Dataset, ex.Conditions, Any]) -> None:
    ds, conds, ctx = setup
    trained = ex.train_model(CONFIG, ds, conds, "mlp1x512", main=True, ctx=ctx)
    assert len(trained.jobs) == len(conds.specs)
    result = ex.measure_model(CONFIG, ds, conds, trained, ctx)
    assert [(r["condition"], r["seed"]) for r in result.runs] == [(sp["condition"], sp["seed"]) for sp in conds.specs]
    assert all(0 <= r["test_acc"] <= 1 and r["final_step"] <= CONFIG.max_steps for r in result.runs)
    assert all("spectral_complexity" in r for r in result.runs)
    assert set(result.margin_samples) == {"true_labels", "random_labels"}
    # curves: the main model's unregularized conditions, corrupted levels excluded
    assert len(result.curves) == CONFIG.n_seeds * len(data.CONDITIONS)
    assert result.optimizer["lr"] == CONFIG.lr_mlp and result.optimizer["momentum"] == CONFIG.momentum
    second = ex.train_model(CONFIG, ds, conds, "mlp1x512", main=False, ctx=ctx)
    assert {sp["condition"] for sp in second.specs} == {"true_labels", "random_labels"}


def test_theorem1_fits_random_labels_exactly(setup: tuple[data.Dataset, ex.Conditions, Any]) -> None:
    ds, _, ctx = setup
    t = ex.theorem1(ds, ctx)
    assert t["n_params"] == 2 * t["n"] + t["d"]
    assert t["rounded_accuracy"] == 1.0 and t["max_abs_error"] <= 2 * t["roundoff_bound"]  # as the probe reads it


def test_min_norm_rows_per_bandwidth_condition_and_seed(setup: tuple[data.Dataset, ex.Conditions, Any]) -> None:
    ds, conds, _ = setup
    config: RandomLabelsConfig = CONFIG.model_copy(update={"min_norm_bandwidth": 0.01})
    rows = ex.min_norm(config, ds, conds)
    factors = sorted({*ex.MIN_NORM_BANDWIDTHS, 0.01})
    assert [r["bandwidth_factor"] for r in rows] == [f for f in factors for _ in range(1 + CONFIG.n_seeds)]
