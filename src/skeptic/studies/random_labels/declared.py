"""What every net of a run should have been trained on and started from, drawn again from the named streams.

The ``draws-as-declared`` probe compares these with what the nets actually got. Everything here is written apart
from ``data.py``, ``experiment.conditions`` and ``nets.init_params`` and reads only the config, the dataset and the
run context: the stream each (condition, level, seed) draws from is named here from the declaration (the study's
naming of its streams: ``("condition", c, s)`` for Zhang et al.'s conditions, ``("corrupted", str(p), s)`` for
corruption level ``p``, ``("network", s)`` for seed index ``s``'s initialization), and the draws are written again
from their definitions. A run whose labels, inputs or initialization came from another stream (two stream names
swapped, a seed index shifted), from another draw (a corruption that consumes the stream differently) or from
another law (``U(0, 2b)`` for ``U(-b, b)``) shows as a mismatch, even though each such draw is valid on its own.

Fingerprints instead of full copies: per array its sum, sum of squares, first and last element (float64); two
different draws differ in all four by many orders of magnitude more than float32 round-off.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import numpy as np
import torch

from skeptic.studies.random_labels import data, nets
from skeptic.studies.random_labels.config import RandomLabelsConfig
from skeptic.study import RunContext

NOISE_INPUTS = ("shuffled_pixels", "random_pixels", "gaussian")
LABEL_KEEPING = ("true_labels", *NOISE_INPUTS)


def fingerprint(arrays: list[Any]) -> list[float]:
    """Sum, sum of squares, first and last element (float64) of each array in turn."""
    out: list[float] = []
    for a in arrays:
        v = np.asarray(a, dtype=np.float64).ravel()
        out += [float(v.sum()), float((v * v).sum()), float(v[0]), float(v[-1])]
    return out


def fingerprints_agree(a: list[float], b: list[float]) -> bool:
    """Equal up to float32 round-off: each entry within 1e-5 x (1 + |a| + |b|)."""
    return len(a) == len(b) and all(abs(x - y) <= 1e-5 * (1 + abs(x) + abs(y)) for x, y in zip(a, b, strict=True))


def _labels_sha(y: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(y, dtype=np.int64).tobytes()).hexdigest()


def _resample(y: np.ndarray, p: float, k: int, rng: np.random.Generator) -> np.ndarray:
    """Zhang et al. §2: each label, with probability ``p``, replaced by a uniform class (one uniform per label, then
    one class per replaced label, in the order of the labels)."""
    hit = np.flatnonzero(rng.random(y.shape[0]) < p)
    out = np.array(y, dtype=np.int64, copy=True)
    out[hit] = rng.integers(0, k, size=hit.shape[0])
    return out


def _noise_inputs(cond: str, X: np.ndarray, Xt: np.ndarray, rng: np.random.Generator) -> tuple[Any, Any]:
    """Zhang et al. §2.1's input conditions: one pixel permutation for all images (train and test), an independent
    permutation per image (train, then test), or Gaussian noise with the training images' per-pixel mean and sd."""
    if cond == "shuffled_pixels":
        order = rng.permutation(X.shape[1])
        return X[:, order], Xt[:, order]
    if cond == "random_pixels":
        a = np.take_along_axis(X, np.argsort(rng.random(X.shape), axis=1), axis=1)
        return a, np.take_along_axis(Xt, np.argsort(rng.random(Xt.shape), axis=1), axis=1)
    mu, sd = X.mean(0), X.std(0)  # of the stored (float32) images
    a = (mu + sd * rng.standard_normal(X.shape)).astype(np.float32)
    return a, (mu + sd * rng.standard_normal(Xt.shape)).astype(np.float32)


def _uniform_init(shapes: dict[str, tuple[int, ...]], seed: int) -> list[Any]:
    """PyTorch's default initialization, U(-1/√fan_in, 1/√fan_in) for every weight and bias, drawn in forward order
    from one generator seeded with the net's seed; ``fan_in`` is a linear weight's input dimension (stored
    ``[d_in, d_out]``), a kernel's in-channels x kernel size, and for a bias that of the weight before it."""
    g = torch.Generator().manual_seed(int(seed))
    out, fan_in = [], 1
    for name, shape in shapes.items():
        if name.startswith("W"):
            fan_in = shape[0]
        elif name.startswith("K"):
            fan_in = math.prod(shape[1:])
        u = torch.rand(shape, generator=g).double().numpy()
        out.append((2.0 * u - 1.0) / math.sqrt(fan_in))
    return out


def declared_draws(config: RandomLabelsConfig, ds: data.Dataset, ctx: RunContext) -> dict[str, Any]:
    """Per (condition, level, seed index) the labels' SHA-256, per (condition, seed index) the fingerprint of the
    training and test inputs, and per (model, seed index) the fingerprint of the initialization, as the config
    declares them. Keys: ``"condition/p/seed"``, ``"condition/seed"``, ``"model/seed"``."""
    X, Xt, y = ds.X_train, ds.X_test, np.asarray(ds.y_train, dtype=np.int64)
    k = len(np.unique(np.concatenate([ds.y_train, ds.y_test])))  # the classes the true labels take, not a constant
    labels: dict[str, str] = {}
    inputs: dict[str, list[float]] = {}
    for s in range(config.n_seeds):
        for c in LABEL_KEEPING:
            labels[f"{c}/0.0/{s}"] = _labels_sha(y)
        labels[f"random_labels/1.0/{s}"] = _labels_sha(
            _resample(y, config.label_randomness, k, ctx.rng("condition", "random_labels", s))
        )
        for p in config.corruption_levels[1:-1]:
            rng = ctx.rng("corrupted", str(p), s)
            labels[f"corrupted/{float(p)}/{s}"] = _labels_sha(_resample(y, p * config.label_randomness, k, rng))
        for c in ("true_labels", "random_labels", "corrupted"):
            inputs[f"{c}/{s}"] = fingerprint([X, Xt])
        for c in NOISE_INPUTS:
            inputs[f"{c}/{s}"] = fingerprint(list(_noise_inputs(c, X, Xt, ctx.rng("condition", c, s))))
        if config.corrupted_inputs == "gaussian":  # the contrast: the corrupted sets on the seed's Gaussian inputs
            inputs[f"corrupted/{s}"] = inputs[f"gaussian/{s}"]
    init: dict[str, list[float]] = {}
    for name in config.models:
        arch = nets.arch_from_name(name, ds.shape, k, config.width, config.cnn_channels)
        shapes = nets.param_shapes(arch)
        for s in range(config.n_seeds):
            init[f"{name}/{s}"] = fingerprint(_uniform_init(shapes, ctx.seed_for("network", s)))
    return {"labels": labels, "inputs": inputs, "init": init}
