"""Fault catalog of the random-labels study: bugs a hurried replicator of Zhang et al. (2017) makes.

Each fault replaces, for one audit run, the function the bug would live in (see :mod:`skeptic.core.faults`); the
experiment's code is untouched and no config value can switch a fault on. The catalog spans the data (test labels
corrupted too, train/test overlap, a label permutation on the test set, corruption at the wrong level, dropped
normalization), the computation (the learning-rate schedule in the wrong unit, momentum dropped), the statistics
(one seed reused for every "seed", a normal quantile where Student's t belongs, an interval over evaluation steps
instead of seeds) and the claims (the true- and random-label conditions swapped).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from skeptic.study import Fault, combine, replace

DATA = "skeptic.studies.random_labels.data"
NETS = "skeptic.studies.random_labels.nets"
CLAIMS_MOD = "skeptic.studies.random_labels.claims"

Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _overlapping_split(original: Callable[..., Split]) -> Callable[..., Split]:
    """The test rows are taken from the start of the same ordering as the training rows (a slice off by n_test)."""

    def split(X: np.ndarray, y: np.ndarray, n_train: int, n_test: int, split_seed: int = 0) -> Split:
        Xtr, ytr, Xte, yte = original(X, y, n_train, n_test, split_seed)
        k = min(n_test // 2, n_train)  # half of the test set is copied from the training set
        Xte, yte = Xte.copy(), yte.copy()
        Xte[:k], yte[:k] = Xtr[:k], ytr[:k]
        return Xtr, ytr, Xte, yte

    return split


def _permuted_test_labels(original: Callable[..., Split]) -> Callable[..., Split]:
    """The test labels go through a class-index mapping the training labels do not (e.g. a second label encoder)."""

    def split(X: np.ndarray, y: np.ndarray, n_train: int, n_test: int, split_seed: int = 0) -> Split:
        Xtr, ytr, Xte, yte = original(X, y, n_train, n_test, split_seed)
        K = int(max(ytr.max(), yte.max())) + 1
        return Xtr, ytr, Xte, (yte + 1) % K

    return split


def _test_labels_corrupted_too(original: Callable[..., Any]) -> Callable[..., Any]:
    """Corrupting "the labels" in place on the dataset object, so the test labels are corrupted as well."""

    def make_condition(condition: str, ds: Any, rng: np.random.Generator, p: float = 0.0) -> Any:
        out = original(condition, ds, rng, p)
        if condition in ("corrupted", "random_labels"):
            level = 1.0 if condition == "random_labels" else p
            flip = rng.random(len(ds.y_test)) < level
            ds.y_test[flip] = rng.integers(0, ds.n_classes, size=int(flip.sum()))
        return out

    return make_condition


def _conditions_swapped(original: Callable[..., Any]) -> Callable[..., Any]:
    """The true- and random-label conditions swapped (condition names attached to the wrong list entries)."""

    def make_condition(condition: str, ds: Any, rng: np.random.Generator, p: float = 0.0) -> Any:
        swap = {"true_labels": "random_labels", "random_labels": "true_labels"}
        return original(swap.get(condition, condition), ds, rng, p)

    return make_condition


def _corruption_off_by_one(original: Callable[..., Any]) -> Callable[..., Any]:
    """Level ``p`` trains on the next level's labels (``levels[i + 1]`` for ``levels[i]``), on a 0.25 grid."""

    def make_condition(condition: str, ds: Any, rng: np.random.Generator, p: float = 0.0) -> Any:
        if condition == "corrupted":
            p = min(1.0, p + 0.25)
        return original(condition, ds, rng, p)

    return make_condition


def _one_seed_for_all(original: Callable[..., Any]) -> Callable[..., Any]:
    """Every "seed" draws its condition from the same stream (the seed index never reaches the generator)."""

    def make_condition(condition: str, ds: Any, rng: np.random.Generator, p: float = 0.0) -> Any:
        return original(condition, ds, np.random.default_rng(0), p)

    return make_condition


def _same_init_for_all(original: Callable[..., Any]) -> Callable[..., Any]:
    """Every job trains from the first job's seed: one initialization and minibatch order for all "seeds"."""

    def train_batched(arch: Any, pool: Any, jobs: Sequence[Any], settings: Any, *args: Any, **kw: Any) -> Any:
        s0 = jobs[0].seed
        return original(arch, pool, [dataclasses.replace(j, seed=s0) for j in jobs], settings, *args, **kw)

    return train_batched


def _settings_changed(**change: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def train_batched(arch: Any, pool: Any, jobs: Sequence[Any], settings: Any, *args: Any, **kw: Any) -> Any:
            ch = dict(change)
            if ch.pop("per_local_epoch", False):  # decay once per epoch of *our* small training set
                ch["decay_every"] = math.ceil(pool.shape[1] / settings.batch_size)
            return original(arch, pool, jobs, dataclasses.replace(settings, **ch), *args, **kw)

        return train_batched

    return make


def _identity_standardize(original: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """Zhang et al.'s per-image standardization forgotten: raw pixel values go straight into the network."""

    def standardize(X: np.ndarray) -> np.ndarray:
        return np.asarray(X, dtype=np.float32)

    return standardize


MeanCI = Callable[..., tuple[float, float, float]]


def _z_not_t(original: MeanCI) -> MeanCI:
    """A normal quantile (1.96) where Student's t with n - 1 degrees of freedom belongs (12.7 for two seeds)."""

    def mean_ci(samples: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
        x = np.asarray(samples, dtype=float)
        mean = float(x.mean())
        if x.size == 1:
            return mean, mean, mean
        half = 1.959964 * float(x.std(ddof=1)) / math.sqrt(x.size)
        return mean, mean - half, mean + half

    return mean_ci


def _over_steps(original: MeanCI) -> MeanCI:
    """The interval's unit is the evaluation step, not the seed: each seed's value counted once per logged step
    (50 evaluations per run), so the standard error shrinks by √50 while the spread stays that of the seeds."""

    def mean_ci(samples: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
        x = np.repeat(np.asarray(samples, dtype=float), 50)
        return original(list(x), level)

    return mean_ci


def _both_mean_ci(make: Callable[[MeanCI], MeanCI]) -> Any:
    """``mean_ci`` is looked up in the claims module and, for ``Estimate.from_samples``, in core's stats."""
    return combine(replace(f"{CLAIMS_MOD}.mean_ci", make), replace("skeptic.core.stats.mean_ci", make))


FAULTS = (
    Fault(
        "test-labels-corrupted-too",
        "leakage",
        "label corruption is applied in place to the dataset, so the test labels are corrupted as well",
        replace(f"{DATA}.make_condition", _test_labels_corrupted_too),
    ),
    Fault(
        "train-test-overlap",
        "leakage",
        "half of the test set is copied from the training set (a split slice off by n_test)",
        replace(f"{DATA}._fixed_split", _overlapping_split),
    ),
    Fault(
        "test-label-permutation",
        "wrong-field",
        "the test labels pass through a class mapping the training labels do not (k → k + 1 mod K)",
        replace(f"{DATA}._fixed_split", _permuted_test_labels),
    ),
    Fault(
        "corruption-level-off-by-one",
        "off-by-one",
        "each corruption level trains on labels corrupted at the next level of a 0.25 grid",
        replace(f"{DATA}.make_condition", _corruption_off_by_one),
    ),
    Fault(
        "normalization-dropped",
        "setting",
        "Zhang et al.'s per-image standardization is skipped: raw pixel values are the inputs",
        replace(f"{DATA}.per_image_standardize", _identity_standardize),
    ),
    Fault(
        "lr-decay-per-local-epoch",
        "scale",
        "the 0.95 learning-rate decay is applied per epoch of the small training set, not per paper epoch "
        "(50000/128 steps): a schedule in the wrong unit",
        replace(f"{NETS}.train_batched", _settings_changed(per_local_epoch=True)),
    ),
    Fault(
        "momentum-dropped",
        "setting",
        "plain SGD: the paper's momentum 0.9 is silently left out",
        replace(f"{NETS}.train_batched", _settings_changed(momentum=0.0)),
    ),
    Fault(
        "one-seed-for-all",
        "rng-reuse",
        "every seed reuses one random stream: the same random labels, pixels, initialization and batch order",
        combine(
            replace(f"{DATA}.make_condition", _one_seed_for_all), replace(f"{NETS}.train_batched", _same_init_for_all)
        ),
    ),
    Fault(
        "z-not-t",
        "uncertainty",
        "intervals over 2-3 seeds use the normal quantile 1.96 instead of Student's t",
        _both_mean_ci(_z_not_t),
        note="At the test preset no verdict changes (the intervals that decide them are far from their lines), but "
        "every interval over seeds is 6x too narrow; the interval-calibration probe sees it on simulated seeds.",
    ),
    Fault(
        "ci-over-steps",
        "uncertainty",
        "intervals treat each logged evaluation step (not each seed) as an independent sample",
        _both_mean_ci(_over_steps),
        note="As z-not-t: no verdict changes at the test preset, yet coverage falls to ~12%; caught by the "
        "interval-calibration probe.",
    ),
    Fault(
        "true-random-swapped",
        "swap",
        "the true-label and random-label conditions are swapped",
        replace(f"{DATA}.make_condition", _conditions_swapped),
    ),
)
