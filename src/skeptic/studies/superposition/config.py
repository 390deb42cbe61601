"""The superposition study's config and presets."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, field_validator

from skeptic.study import StudyConfig


def _increasing(v: tuple[float, ...]) -> tuple[float, ...]:
    if list(v) != sorted(set(v)):
        raise ValueError("must be strictly increasing")
    return v


class SuperpositionConfig(StudyConfig):
    n_seeds: int = Field(2, ge=2, le=8)
    """Independent replicates of every model (initialization, data, ground-truth features); ≥ 2 for the
    seed-agreement probe."""
    pc_n: int = Field(5, ge=3, le=20)
    """Phase change: features n (Elhage et al.'s intro figure: 5)."""
    pc_m: int = Field(2, ge=1, le=10)
    """Phase change: hidden dimensions m (Elhage et al.: 2)."""
    pc_decay: float = Field(0.9, gt=0.0, le=1.0)
    """Phase change: importance of feature i is decay**i (0.9 as specified in issue 16, every preset)."""
    pc_densities: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 1.0)
    """Phase change: feature densities 1 − S (increasing; the last must be 1, i.e. dense)."""
    pd_ratios: tuple[float, ...] = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
    """Phase diagram (n=2, m=1): importance of feature 2 relative to feature 1 (Elhage et al.: 0.1 to 10, log)."""
    pd_densities: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 1.0)
    """Phase diagram: feature densities 1 − S (Elhage et al.: 1 down to 0.01, log)."""
    pd_seeds: int = Field(4, ge=2, le=32)
    """Phase diagram: restarts per cell (n = 2 models are cheap); the lowest-loss one stands for the optimum."""
    dim_n: int = Field(40, ge=4, le=1000)
    """Dimensions per feature: features n, equal importance (Elhage et al.: 400 in 30; `paper`: 200 in 20)."""
    dim_m: int = Field(8, ge=2, le=100)
    """Dimensions per feature: hidden dimensions m."""
    dim_densities: tuple[float, ...] = (0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0)
    """Dimensions per feature: feature densities 1 − S (increasing)."""
    imp_decays: tuple[float, ...] = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)
    """Importance sweep (n = pc_n in m = pc_m, ReLU): importance decay**i for each decay (strictly decreasing)."""
    imp_density: float = Field(0.03, gt=0.0, le=1.0)
    """Importance sweep: the feature density 1 − S at which every decay is trained."""
    corr_density: float = Field(0.15, gt=0.0, le=0.5)
    """Correlated features (n = 4 in m = 2, pairs independent / correlated / anticorrelated): each feature's
    density (≤ 1/2 so that an anticorrelated pair, active with probability 2p, keeps density p per feature)."""
    corr_seeds: int = Field(6, ge=2, le=64)
    """Correlated features: restarts per structure (n = 4 models are cheap; the lowest-loss one stands for the
    optimum)."""
    kgon_n: int = Field(6, ge=3, le=12)
    """Chen et al.'s k-gons: features n in m = 2 dimensions, one active per sample (Chen et al.: 6)."""
    kgon_seeds: int = Field(8, ge=2, le=64)
    """Chen et al.'s k-gons: SGD restarts, one batch."""
    toy_steps: int = Field(1500, ge=10, le=100_000)
    """Adam steps per toy model (Elhage et al.: 10,000 at lr 1e-3)."""
    toy_batch: int = Field(512, ge=16, le=8192)
    """Toy-model minibatch (Elhage et al.: 1024)."""
    toy_lr: float = Field(0.05, gt=0.0, le=1.0)
    """Toy-model Adam learning rate, decayed to 0 by a cosine schedule."""
    pc_steps: int | None = Field(None, ge=10, le=100_000)
    """Adam steps of the phase-change models (``None``: ``toy_steps``). The sparsest need more: at density 0.001
    (n = 5, m = 2, decay 0.9) 3000 steps at batch 512 left 4 of 30 linear models on a wrong set of features (the
    ``linear-reaches-optimum`` probe failed `paper` for it), 10,000 at 512 left 1, 6000 at 2048 none."""
    pc_batch: int | None = Field(None, ge=16, le=8192)
    """Minibatch of the phase-change models (``None``: ``toy_batch``); see ``pc_steps``."""
    pc_lr: float | None = Field(None, gt=0.0, le=1.0)
    """Adam learning rate of the phase-change models with the fast recipe (``None``: ``toy_lr``). High rates strand
    the sparsest ReLU models at critical points that store fewer features: at `test` (lr 0.2, 400 steps) 6 of 10
    seeds' sparsest models stored 2–4 features at 2–8× the pentagon's loss (issue 33)."""
    pc_restarts: int = Field(2, ge=1, le=8)
    """Restarts per phase-change and importance-sweep model (each seed's row is its lowest-loss restart). Some
    initializations lie in the basin of a 4-feature critical point at any learning rate: at `quick` 3 of 24 sparsest
    ReLU initializations ended at 3 or 4 features (1 of 24 at lr 0.02 or 0.01 with 2000 steps), so with one start
    per seed a claim read "every seed" judges the initialization, not the toy model (issue 33)."""
    pc_recipe: Literal["fast", "reference"] = "fast"
    """Training recipe of the phase-change and importance models. ``fast``: Adam at ``toy_lr`` with a cosine decay
    for ``pc_steps`` (``toy_steps``). ``reference``: the paper notebook's AdamW at a constant lr 1e-3, 10,000 steps,
    batch 1024 (ignoring ``toy_lr``, ``pc_steps``, ``pc_batch``). A budget knob: the review found that with the
    reference recipe the sparsest ReLU models store all 5 features in 3 of 3 seeds, with ``fast`` in 1 of 3."""
    sae_d: int = Field(8, ge=2, le=512)
    """SAE data: dimension d of the activation space (Sharkey et al.: 256)."""
    sae_features: int = Field(16, ge=2, le=2048)
    """SAE data: number G of ground-truth features (Sharkey et al.: 512 in 256 dimensions)."""
    sae_density: float = Field(0.04, gt=0.0, le=1.0)
    """SAE data: probability that a feature is active in a sample, for the dictionary-size x L1 sweep."""
    sae_ratios: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
    """Dictionary sizes as multiples of G (must include 1; < 1 is too small, > 1 overcomplete)."""
    sae_l1: tuple[float, ...] = (0.1, 0.3, 1.0)
    """L1 penalties λ swept at every dictionary size."""
    sae_densities: tuple[float, ...] = (0.02, 0.04, 0.08, 0.16)
    """Feature densities of the density sweep (dictionary size G, every λ; increasing)."""
    sae_rho: float = Field(0.6, ge=0.0, lt=1.0)
    """Correlated SAE data: Gaussian-copula correlation ρ of the on/off gates within blocks of 4 features (each
    feature keeps density ``sae_density``); 0 leaves the correlated experiment out."""
    sae_k: int = Field(0, ge=0, le=64)
    """Top-k SAE variant with k active latents at dictionary size G (0: off)."""
    sae_steps: int = Field(1200, ge=10, le=100_000)
    """Adam steps per SAE."""
    sae_batch: int = Field(128, ge=16, le=8192)
    """SAE minibatch (fresh samples every step)."""
    sae_lr: float = Field(0.01, gt=0.0, le=1.0)
    """SAE Adam learning rate, decayed to 0 by a cosine schedule."""
    eval_samples: int = Field(8192, ge=256, le=200_000)
    """Fresh samples for every evaluation (losses, L0, dead latents, explained variance, density checks)."""

    @field_validator("pc_densities", "pd_densities", "dim_densities", "sae_densities", "pd_ratios", "sae_ratios")
    @classmethod
    def _grid(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if len(v) < 2 or any(x <= 0 for x in v):
            raise ValueError("needs at least two positive values")
        return _increasing(v)

    @field_validator("pc_densities", "pd_densities", "dim_densities", "sae_densities")
    @classmethod
    def _densities(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if v[-1] > 1.0:
            raise ValueError("densities are probabilities in (0, 1]")
        return v

    @field_validator("imp_decays")
    @classmethod
    def _decays(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if len(v) < 2 or list(v) != sorted(set(v), reverse=True) or not all(0 < x <= 1 for x in v):
            raise ValueError("needs at least two strictly decreasing decays in (0, 1]")
        return v

    @field_validator("sae_ratios")
    @classmethod
    def _has_one(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if 1.0 not in v:
            raise ValueError("sae_ratios must include 1 (a dictionary exactly as large as the true feature set)")
        return v


PRESETS = {
    "test": SuperpositionConfig(
        pc_decay=0.9,  # the claims' own 0.9^i: at 0.7 the fifth feature (importance 0.24) is marginal at density
        # 0.02 and ~15% of initializations end at a 4-feature critical point at any recipe tried (issue 33)
        pc_lr=0.05,  # at lr 0.2 (400 steps, batch 256) 6 of 10 seeds' sparsest ReLU models stopped at 2-4 features
        pc_steps=1000,
        pc_batch=1024,  # at batch 256 the linear models, whose top two importances differ by 10%, miss the optimum
        pc_densities=(0.02, 1.0),
        pd_ratios=(0.2, 1.0, 5.0),
        pd_densities=(0.02, 1.0),
        dim_n=12,
        dim_m=3,
        dim_densities=(0.05, 0.2, 1.0),
        toy_steps=400,
        toy_batch=256,
        toy_lr=0.2,
        sae_d=6,
        sae_features=10,
        sae_density=0.08,
        sae_ratios=(0.5, 1.0, 2.0),
        sae_l1=(0.1, 0.3),
        sae_densities=(0.04, 0.3),
        sae_steps=240,
        sae_batch=128,
        sae_lr=0.02,
        eval_samples=2048,
        imp_decays=(1.0, 0.5),
        corr_seeds=2,
        kgon_n=5,
        kgon_seeds=4,
    ),
    # The audit preset (issues 25 and 33): test's toy settings with verdicts that hold from seed to seed, so that a
    # mutant which only redraws random numbers cannot move one. At test 11 of the 20 claims changed verdict across
    # seeds 0-4: two seeds give t-intervals 12.7 standard errors wide, 2-4 restarts per "every restart" claim leave
    # k of n to chance, and lr 0.2 for 400 steps strands n = 2 models at a dead or wrong-feature critical point
    # (3 of 40 dense phase-diagram models at seeds 0-4). Here: 4 seeds, 8 restarts per phase-diagram cell over 5
    # ratios, 24 correlated-feature and 10 k-gon restarts, every toy section at lr 0.05 for 600 steps, 6 densities
    # for the dimensionality curve, the quick preset's SAE data (16 features in 8 dimensions) and SAE densities 0.04
    # and 0.5. Measured per-seed verdicts and the claims that stay seed-fragile: README, superposition section.
    # Session 15: 8 seeds (were 4; t = 2.36 over 8 against 3.18 over 4, intervals ~0.53x as wide): at one of the
    # robustness audit's extra seeds both restarts of 2 of 4 seeds' equal-importance models stopped at the
    # 4-feature critical point (‖W‖²_F 4.0 against 6.6, loss 3x the pentagon's), which a 4-seed t-interval cannot
    # absorb, and the two SAE claims read 4-seed t-intervals of per-seed values that spread 0.02-0.05 near their
    # lines; toy sections 800 steps (were 600): at that seed one of 72 correlated-feature models was still leaving a
    # saddle in its last eighth (training-settled failed); 4 restarts per phase-change model (were 2): with 8 seeds
    # and 2 restarts, at that seed one seed's sparsest ReLU model stopped at 4 features and one dense linear model off
    # its optimum in both restarts (relu-sparse-optimum, linear-reaches-optimum failed). About 2x session 14's cost.
    # Session 16 (issue 33): SAEs 960 steps (were 480) and λ in (0.1, 0.3, 1.0) (was (0.1, 0.3), the default grid).
    # At 480 steps the SAE metrics had not settled (seed 0: matched cosine at size G 0.858 at 480 steps, 0.901 at 960,
    # 0.898 at 1920, 0.906 at 3840; MMCS 0.944, 0.961, 0.969, 0.963); at (0.1, 0.3) the toy-feature SAEs' best λ was
    # the grid's largest (MMCS 0.899 at 0.3, 0.935 at 1.0): the sweep did not bracket the penalty "in a range".
    "audit": SuperpositionConfig(
        n_seeds=8,
        pc_restarts=4,
        pc_decay=0.9,
        pc_lr=0.05,
        pc_steps=800,
        pc_batch=512,
        pc_densities=(0.02, 1.0),
        pd_ratios=(0.2, 0.5, 1.0, 2.0, 5.0),
        pd_densities=(0.02, 1.0),
        pd_seeds=8,
        dim_n=12,
        dim_m=3,
        dim_densities=(0.05, 0.1, 0.2, 0.3, 0.5, 1.0),
        toy_steps=800,
        toy_batch=256,
        toy_lr=0.05,
        sae_d=8,
        sae_features=16,
        sae_density=0.04,
        sae_ratios=(0.5, 1.0, 2.0),
        sae_l1=(0.1, 0.3, 1.0),
        sae_densities=(0.04, 0.5),
        sae_steps=960,
        sae_batch=128,
        sae_lr=0.02,
        eval_samples=2048,
        imp_decays=(1.0, 0.5),
        corr_seeds=24,
        kgon_n=5,
        kgon_seeds=10,
    ),
    # quick (issue 36, session 15): the audit preset's training budget where audit's verdicts held at seeds 0-4:
    # toy sections 600 steps at batch 256 (were 1000 at 512), the phase change 800 steps at batch 512 (was 1000),
    # SAEs 480 steps at lr 0.02 (were 800 at 0.01); same shapes, grids, seeds and restarts. Verdicts at seeds 0-1
    # before and after: README, superposition section.
    "quick": SuperpositionConfig(
        n_seeds=3,
        dim_n=30,
        dim_m=6,
        dim_densities=(0.02, 0.04, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0),
        toy_steps=600,
        toy_batch=256,
        pc_steps=800,
        pc_batch=512,
        sae_d=8,
        sae_features=16,
        sae_densities=(0.03, 0.06, 0.12, 0.25),
        sae_steps=480,
        sae_lr=0.02,
        sae_k=2,
        corr_seeds=6,
        kgon_seeds=8,
    ),
    "paper": SuperpositionConfig(
        n_seeds=3,
        pc_densities=(0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0),
        pd_ratios=tuple(float(x) for x in np.round(np.logspace(-1, 1, 11), 3)),
        pd_densities=tuple(float(x) for x in np.round(np.logspace(-2, 0, 9), 4)),
        dim_n=200,
        dim_m=20,
        dim_densities=tuple(float(x) for x in np.round(np.logspace(-2.3, 0, 16), 4)),
        toy_steps=3000,
        toy_batch=512,
        toy_lr=0.03,
        pc_steps=6000,
        pc_batch=2048,
        sae_d=32,
        sae_features=64,
        sae_density=0.02,
        sae_ratios=(0.25, 0.5, 1.0, 2.0, 4.0),
        sae_l1=(0.03, 0.1, 0.3, 1.0),
        sae_densities=(0.01, 0.02, 0.04, 0.08),
        sae_k=2,
        sae_steps=3000,
        sae_batch=256,
        sae_lr=0.005,
        imp_decays=(1.0, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4),
        imp_density=0.01,
        corr_seeds=16,
        kgon_seeds=32,
    ),
}
