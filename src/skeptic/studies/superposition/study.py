"""Superposition: do small networks store more sparse features than they have dimensions, and do sparse
autoencoders get them back?

Part 1 re-runs the toy models of Elhage et al. (2022): the phase change of n = 5 features in m = 2 dimensions
over sparsity and over how fast importance decays, the n = 2, m = 1 phase diagram over relative importance and
sparsity, dimensions per feature with the "sticky" fractions, the linear model that never superposes, and pairs
of correlated and anticorrelated features; and Chen et al.'s (2023) k-gons: the exact high-sparsity loss of every
regular k-gon, its stationarity, and where SGD restarts end. Part 2 trains sparse autoencoders (Sharkey et al.
2022; Bricken et al. 2023) on data whose features are known, across dictionary size, L1 penalty, feature density
and correlated activations, and on the toy models' own hidden activations. Every group of same-shaped models
(all sparsities, importances, seeds, penalties, dictionary sizes) trains as one batched computation.
"""

from __future__ import annotations

import time
import zlib
from typing import Any, Literal

import numpy as np
import torch
from pydantic import Field, field_validator

from skeptic.studies.superposition import sae, toy
from skeptic.studies.superposition.brief import BRIEF
from skeptic.studies.superposition.calibration import calibrate
from skeptic.studies.superposition.claims import CLAIMS, PROBES, REPRESENTED, STICKY_TOL
from skeptic.studies.superposition.faults import FAULTS
from skeptic.studies.superposition.figures import make_figures, make_tables
from skeptic.study import Budget, RunContext, StudyConfig, StudyOutput, study, torch_threads

EVAL_FLOATS = 1 << 24
"""Most SAE codes (models x samples x latents) held at once during evaluation (64 MiB of float32)."""


def named_seed(seed: int, *key: str | int) -> int:
    """An integer seed for the sub-stream ``key`` of ``seed``, by hashing the name (as the run context's
    ``seed_for``), never by arithmetic on the seed."""
    words = [zlib.crc32(str(k).encode()) for k in key]
    return int(np.random.SeedSequence([seed, *words]).generate_state(1, np.uint64)[0] >> np.uint64(1))


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
    """Phase change: importance of feature i is decay**i (0.9 as specified in issue 16; `test` uses 0.7)."""
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
        pc_decay=0.7,
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
    "quick": SuperpositionConfig(
        n_seeds=3,
        dim_n=30,
        dim_m=6,
        dim_densities=(0.02, 0.04, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0),
        toy_steps=1000,
        sae_d=8,
        sae_features=16,
        sae_densities=(0.03, 0.06, 0.12, 0.25),
        sae_steps=800,
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


def _f(x: torch.Tensor) -> list[float]:
    return [float(v) for v in x.detach().cpu().double().reshape(-1)]


# ---------------------------------------------------------------------------------------------------
# Part 1: toy models
# ---------------------------------------------------------------------------------------------------


def phase_change(
    config: SuperpositionConfig, seed: int, device: str = "cpu"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """n features in m dimensions, importance decay**i, every density x {ReLU, linear} x seed, and the importance
    sweep (ReLU at ``imp_density``, every decay in ``imp_decays``), all in one batch."""
    n, m, S = config.pc_n, config.pc_m, config.n_seeds
    specs = [(p, lin, s, config.pc_decay) for lin in (False, True) for p in config.pc_densities for s in range(S)]
    n_pc = len(specs)
    specs += [(config.imp_density, False, s, dec) for dec in config.imp_decays for s in range(S)]
    density = torch.tensor([p for p, _, _, _ in specs])
    linear = torch.tensor([lin for _, lin, _, _ in specs])
    importance = torch.tensor([dec for *_, dec in specs], dtype=torch.float64)[:, None] ** torch.arange(n)
    importance = importance.float()
    ref = config.pc_recipe == "reference"
    res = toy.train_toy_models(
        n, m, density, importance, linear=linear, steps=10_000 if ref else config.pc_steps or config.toy_steps,
        batch=1024 if ref else config.pc_batch or config.toy_batch, lr=1e-3 if ref else config.toy_lr, seed=seed,
        eval_batch=config.eval_samples, device=device, recipe=config.pc_recipe,
    )  # fmt: skip
    norms, interf = toy.feature_norms(res.W), toy.interference(res.W)
    exact = toy.linear_expected_loss(res.W, res.b, density.to(res.W.device), importance.to(res.W.device))
    rows, mats, imp_rows = [], [], []
    for i, (p, lin, s, dec) in enumerate(specs):
        rep = [j for j in range(n) if float(norms[i, j]) > REPRESENTED]
        if i >= n_pc:
            imp_rows.append({"decay": dec, "density": p, "seed": s, "norms": _f(norms[i]), "represented": rep,
                             "frob2": float((res.W[i] ** 2).sum()), "loss": float(res.loss[i])})  # fmt: skip
            continue
        rows.append({
            "density": p, "activation": "linear" if lin else "relu", "seed": s,
            "norms": _f(norms[i]), "interference": _f(interf[i]), "represented": rep,
            "loss": float(res.loss[i]), "loss_se": float(res.loss_se[i]),
            "exact_linear_loss": float(exact[i]) if lin else None,
            "optimum_linear_loss": toy.linear_optimum_loss(n, m, p, importance[i]) if lin else None,
            "next_best_linear_loss": toy.linear_next_best_loss(n, m, p, importance[i]) if lin else None,
            "init_W": _f(res.W_init[i]),
        })  # fmt: skip
        if s == 0:
            mats.append({"density": p, "activation": "linear" if lin else "relu", "W": res.W[i].cpu().tolist()})
    return rows, mats, imp_rows


def correlated_features(config: SuperpositionConfig, seed: int, device: str = "cpu") -> list[dict[str, Any]]:
    """n = 4 equally important features in m = 2 dimensions, in pairs (0, 1), (2, 3) that are independent,
    correlated (always active together) or anticorrelated (never together), every feature active with
    probability ``corr_density``; one batch. Reads the cosine between the two members of each pair."""
    n, S = 4, config.corr_seeds
    specs = [(st, s) for st in (toy.INDEPENDENT, toy.CORRELATED, toy.ANTICORRELATED) for s in range(S)]
    structure = torch.tensor([st for st, _ in specs])
    res = toy.train_toy_models(
        n, 2, torch.full((len(specs),), config.corr_density), torch.ones(len(specs), n), steps=config.toy_steps,
        batch=config.toy_batch, lr=config.toy_lr, seed=seed, eval_batch=config.eval_samples, device=device,
        structure=structure,
    )  # fmt: skip
    names = {toy.INDEPENDENT: "independent", toy.CORRELATED: "correlated", toy.ANTICORRELATED: "anticorrelated"}
    rows = []
    for i, (st, s) in enumerate(specs):
        W = res.W[i].double()
        nrm = W.norm(dim=0)
        pair_cos = [float(W[:, a] @ W[:, a + 1] / (nrm[a] * nrm[a + 1]).clamp_min(1e-12)) for a in (0, 2)]
        rows.append({"structure": names[st], "seed": s, "norms": _f(nrm), "pair_cos": pair_cos,
                     "stored": [float(v) > REPRESENTED for v in nrm], "W": W.cpu().tolist(),
                     "loss": float(res.loss[i])})  # fmt: skip
    return rows


def kgon_sgd(config: SuperpositionConfig, seed: int, device: str = "cpu") -> dict[str, Any]:
    """Chen et al. (2023): n = ``kgon_n`` features in m = 2 dimensions, exactly one feature active per sample; the
    exact loss and stationarity of every regular k-gon, and where ``kgon_seeds`` SGD restarts (one batch) end."""
    n, S = config.kgon_n, config.kgon_seeds
    crit = toy.kgon_critical_points(n)
    by_k = {c["k"]: c for c in crit}
    res = toy.train_toy_models(
        n, 2, torch.ones(S), torch.ones(S, n), steps=config.toy_steps, batch=config.toy_batch, lr=config.toy_lr,
        seed=seed, eval_batch=config.eval_samples, device=device, structure=torch.full((S,), toy.ONE_HOT),
    )  # fmt: skip
    exact = toy.onehot_expected_loss(res.W.double(), res.b.double())
    runs = []
    for i in range(S):
        W, b = res.W[i].cpu(), res.b[i].cpu()
        stored = W.norm(dim=0) > REPRESENTED
        k = int(stored.sum())
        dead = int(((~stored) & (b <= 0)).sum())
        # the k-gon critical point with this model's absent features: an absent feature j contributes
        # (1/n)(1/3 − c + n c²) with c = ReLU(b_j), least at c = 1/(2n); a dead bias (c = 0) adds 1/(4n²)
        crit_loss = by_k[k]["loss"] + dead / (4 * n**2) if k >= 2 else None
        runs.append({"seed": i, "k": k, "absent_dead": dead, "regularity": toy.polygon_regularity(W, stored),
                     "exact_loss": float(exact[i]), "mc_loss": float(res.loss[i]), "mc_se": float(res.loss_se[i]),
                     "critical_loss": crit_loss, "W": W.tolist()})  # fmt: skip
    return {"critical": crit, "runs": runs}


def phase_diagram(config: SuperpositionConfig, seed: int, device: str = "cpu") -> list[dict[str, Any]]:
    """n = 2, m = 1: importance (1, r) x density grid x seed in one batch; each model's region from its w."""
    specs = [(r, p, s) for r in config.pd_ratios for p in config.pd_densities for s in range(config.pd_seeds)]
    density = torch.tensor([p for _, p, _ in specs])
    importance = torch.tensor([[1.0, r] for r, _, _ in specs])
    res = toy.train_toy_models(
        2, 1, density, importance, steps=config.toy_steps, batch=config.toy_batch, lr=config.toy_lr,
        seed=seed, eval_batch=config.eval_samples, device=device,
    )  # fmt: skip
    # every seed of a cell is scored on the same fresh samples, so the lowest-loss seed is a fair pick
    S = config.pd_seeds
    gen = torch.Generator(device=device).manual_seed(named_seed(seed, "scoring"))
    x_cell = toy.sample_features(density.to(device)[::S], config.eval_samples, 2, gen, device)
    x = x_cell.repeat_interleave(S, dim=0)
    imp = importance.to(device)
    with torch.no_grad():
        loss = toy.weighted_loss(x, toy.forward(res.W, res.b, x), imp)
    rows: list[dict[str, Any]] = []
    for i, (r, p, s) in enumerate(specs):
        w = _f(res.W[i, 0])
        rows.append({"ratio": r, "density": p, "seed": s, "w": w, "region": region(w), "loss": float(loss[i])})
    for i in range(0, len(rows), S):
        best = min(rows[i : i + S], key=lambda row: row["loss"])
        for row in rows[i : i + S]:
            row["best_of_seeds"] = row is best
    return rows


def region(w: list[float]) -> str:
    """The Elhage et al. n=2, m=1 region of a trained w = (w₁, w₂): which features are stored (‖wᵢ‖ > 0.5) and how.

    "superposition": both stored with opposite signs (the antipodal pair); "feature 1" / "feature 2": only one
    stored; "both-same-sign" or "none" otherwise (neither is a region of the paper's diagram).
    """
    on = [abs(v) > REPRESENTED for v in w]
    if on[0] and on[1]:
        return "superposition" if w[0] * w[1] < 0 else "both-same-sign"
    if on[0]:
        return "feature 1"
    if on[1]:
        return "feature 2"
    return "none"


def dimensionality(
    config: SuperpositionConfig, seed: int, device: str = "cpu"
) -> tuple[list[dict[str, Any]], toy.ToyResult]:
    """dim_n equally important features in dim_m dimensions over the density grid; D* and every Dᵢ*."""
    n, m = config.dim_n, config.dim_m
    specs = [(p, s) for p in config.dim_densities for s in range(config.n_seeds)]
    density = torch.tensor([p for p, _ in specs])
    res = toy.train_toy_models(
        n, m, density, torch.ones(len(specs), n), steps=config.toy_steps, batch=config.toy_batch,
        lr=config.toy_lr, seed=seed, eval_batch=config.eval_samples, device=device,
    )  # fmt: skip
    D_model = toy.model_dimensions_per_feature(res.W)
    D_feat = toy.dimensions_per_feature(res.W)
    norms = toy.feature_norms(res.W)
    rows = []
    for i, (p, s) in enumerate(specs):
        rows.append({
            "density": p, "seed": s, "D_model": float(D_model[i]), "D_features": _f(D_feat[i]),
            "norms": _f(norms[i]), "loss": float(res.loss[i]), "init_W": _f(res.W_init[i, :, :4]),
        })  # fmt: skip
    return rows, res


def identity_check(config: SuperpositionConfig, seed: int, device: str = "cpu") -> dict[str, Any]:
    """No superposition possible or useful: n = m = 3 dense features must give Wᵀ W = I (each feature its own axis)."""
    n = 3
    res = toy.train_toy_models(
        n, n, torch.ones(config.n_seeds), torch.ones(config.n_seeds, n), steps=config.toy_steps,
        batch=config.toy_batch, lr=config.toy_lr, seed=seed, eval_batch=config.eval_samples, device=device,
    )  # fmt: skip
    WtW = torch.bmm(res.W.transpose(1, 2), res.W)
    dev = (WtW - torch.eye(n, device=WtW.device)).abs().amax((-2, -1))
    return {"max_abs_dev": _f(dev), "loss": _f(res.loss), "loss_se": _f(res.loss_se)}


def density_check(config: SuperpositionConfig, seed: int, device: str = "cpu") -> list[dict[str, Any]]:
    """The samplers' realized share of active features against the configured density (binomial SE)."""
    gen = torch.Generator(device=device).manual_seed(seed)
    rows = []
    dens = torch.tensor(sorted(set(config.pc_densities) | set(config.dim_densities)), device=device)
    x = toy.sample_features(dens, config.eval_samples, 8, gen, device)
    for i, p in enumerate(dens.tolist()):
        rows.append({"sampler": "toy", "density": p, "measured": float((x[i] > 0).double().mean()),
                     "n": x[i].numel()})  # fmt: skip
    # correlated and anticorrelated pairs keep each feature's density
    st = torch.tensor([toy.CORRELATED, toy.ANTICORRELATED], device=device)
    x = toy.sample_features(torch.full((2,), config.corr_density, device=device), config.eval_samples, 4, gen,
                            device, structure=st)  # fmt: skip
    for i, name in enumerate(("toy correlated", "toy anticorrelated")):
        rows.append({"sampler": name, "density": config.corr_density, "measured": float((x[i] > 0).double().mean()),
                     "n": x[i].numel()})  # fmt: skip
        # and the pair structure: both members of a pair on with probability p (correlated) or never (anticorrelated)
        pair_on = (x[i, :, 0::2] > 0) & (x[i, :, 1::2] > 0)
        rows.append({"sampler": f"{name}, both of a pair on", "density": config.corr_density if i == 0 else 0.0,
                     "measured": float(pair_on.double().mean()), "n": pair_on.numel()})  # fmt: skip
    sd = torch.tensor(config.sae_densities, device=device)
    a = sae.sample_codes(sd, config.eval_samples, config.sae_features, gen)
    for i, p in enumerate(config.sae_densities):
        rows.append({"sampler": "sae", "density": p, "measured": float((a[i] > 0).double().mean()), "n": a[i].numel()})
    if config.sae_rho > 0:
        # the copula keeps the marginal density, and two features of one block are both on with the exact
        # bivariate-normal orthant probability Φ₂(t, t; ρ), t = Φ⁻¹(p)
        from scipy.stats import multivariate_normal, norm

        p = config.sae_density
        a = sae.sample_codes(torch.tensor([p], device=device), config.eval_samples, config.sae_features, gen,
                             correlation=torch.tensor([config.sae_rho], device=device))[0] > 0  # fmt: skip
        rows.append({"sampler": "sae correlated", "density": p, "measured": float(a.double().mean()), "n": a.numel()})
        t = float(norm.ppf(p))
        q = float(multivariate_normal(mean=[0, 0], cov=[[1, config.sae_rho], [config.sae_rho, 1]]).cdf([t, t]))
        pairs = [(g, g + 1) for g in range(0, config.sae_features - 1, sae.CORR_BLOCK)]
        joint = torch.stack([a[:, g] & a[:, h] for g, h in pairs])
        rows.append({"sampler": "sae correlated, both of a block pair on", "density": q,
                     "measured": float(joint.double().mean()), "n": joint.numel()})  # fmt: skip
    for r in rows:
        r["se"] = float(np.sqrt(r["density"] * (1 - r["density"]) / r["n"]))
    return rows


# ---------------------------------------------------------------------------------------------------
# Part 2: sparse autoencoders
# ---------------------------------------------------------------------------------------------------


def sae_sweep(config: SuperpositionConfig, seed: int, toy_W: torch.Tensor, device: str = "cpu") -> list[dict[str, Any]]:
    """Every SAE of the study in one batched computation.

    Experiments: "sweep" (dictionary size x λ at the base density), "density" (size G, every λ, over densities),
    "topk" (size G, k active), "own" (data that are their own dictionary: one active feature per sample),
    "toy" (the hidden activations h = W x of the sparsest dimensionality toy models, whose features are the
    represented columns Wᵢ).
    """
    G, d, S, dev = config.sae_features, config.sae_d, config.n_seeds, device
    gen = torch.Generator(device=dev).manual_seed(seed)
    true_F = [sae.random_features(G, d, gen, dev) for _ in range(S)]
    specs: list[dict[str, Any]] = []
    for s in range(S):
        for ratio in config.sae_ratios:
            for lam in config.sae_l1:
                specs.append(
                    {"experiment": "sweep", "ratio": ratio, "l1": lam, "density": config.sae_density, "seed": s}
                )
        for p in config.sae_densities:
            for lam in config.sae_l1:
                specs.append({"experiment": "density", "ratio": 1.0, "l1": lam, "density": p, "seed": s})
        if config.sae_k:
            specs.append({"experiment": "topk", "ratio": 1.0, "l1": 0.0, "density": config.sae_density, "seed": s,
                          "k": config.sae_k})  # fmt: skip
        if config.sae_rho > 0:  # correlated activations (Sharkey et al.'s data are correlated), size G, every λ
            for lam in config.sae_l1:
                specs.append({"experiment": "corr", "ratio": 1.0, "l1": lam, "density": config.sae_density, "seed": s,
                              "rho": config.sae_rho})  # fmt: skip
        for lam in config.sae_l1:  # the own-dictionary control, at every λ of the grid (the probe takes the best)
            specs.append({"experiment": "own", "ratio": 2.0, "l1": lam, "density": 1.0, "seed": s})
    # the toy models' hidden activations: pad (n, m) features into the SAE's d dimensions when m ≤ d
    toy_n, toy_m = toy_W.shape[-1], toy_W.shape[-2]
    use_toy = toy_m <= d and toy_n <= 4 * G
    toy_feats: list[torch.Tensor] = []
    if use_toy:
        for s in range(S):
            Wt = toy_W[s].T  # (n, m): feature i's hidden direction
            F = torch.zeros(toy_n, d, device=dev)
            F[:, :toy_m] = Wt
            toy_feats.append(F)
            for lam in config.sae_l1:
                specs.append({"experiment": "toy", "ratio": 1.0, "l1": lam, "density": config.dim_densities[0],
                              "seed": s, "G": toy_n})  # fmt: skip
    G_max = max([G] + ([toy_n] if use_toy else []))
    feats = torch.zeros(len(specs), G_max, d, device=dev)
    for i, sp in enumerate(specs):
        F = toy_feats[sp["seed"]] if sp["experiment"] == "toy" else true_F[sp["seed"]]
        feats[i, : F.shape[0]] = F
    n_feat = torch.tensor([sp.get("G", G) for sp in specs], device=dev)
    # the density per sampled slot: padded slots never fire
    sizes = torch.tensor([max(1, round(sp["ratio"] * sp.get("G", G))) for sp in specs], device=dev)
    density = torch.tensor([sp["density"] for sp in specs], device=dev)
    l1 = torch.tensor([sp["l1"] for sp in specs], device=dev)
    k = torch.tensor([sp.get("k", int(s)) for sp, s in zip(specs, sizes.tolist(), strict=True)], device=dev)
    one_hot = torch.tensor([sp["experiment"] == "own" for sp in specs], device=dev)
    rho = torch.tensor([sp.get("rho", 0.0) for sp in specs], device=dev)
    slot = torch.arange(G_max, device=dev)[None, :] < n_feat[:, None]
    feats = feats * slot[:, :, None]
    # models that see the same data distribution (same ground truth, density, sampler) share each step's samples
    keys = [(sp["experiment"] if sp["experiment"] in ("toy", "own") else "random", sp["seed"], sp["density"],
             sp.get("rho", 0.0)) for sp in specs]  # fmt: skip
    group = torch.tensor([sorted(set(keys)).index(key) for key in keys], device=dev)
    res = sae.train_saes(
        feats, density, sizes, l1, k=k, one_hot=one_hot, steps=config.sae_steps, batch=config.sae_batch,
        lr=config.sae_lr, seed=named_seed(seed, "train"), device=dev, feature_mask=slot, data_group=group,
        correlation=rho,
    )  # fmt: skip
    # evaluate in chunks of models so that the codes (models x samples x latents) stay within EVAL_FLOATS
    h_max = int(sizes.max())
    chunk = max(1, EVAL_FLOATS // (config.eval_samples * h_max))
    evals: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    with torch.no_grad():
        for lo in range(0, len(specs), chunk):
            idx = torch.arange(lo, min(lo + chunk, len(specs)), device=dev)
            sub = sae.SAEResult(res.W_enc[idx], res.b_enc[idx], res.W_dec[idx], res.b_dec[idx], res.sizes[idx])
            x = sae.sample_data(
                feats[idx],
                density[idx],
                config.eval_samples,
                gen,
                one_hot[idx],
                feature_mask=slot[idx],
                correlation=rho[idx],
            )
            c = sae.encode(sub, x, k[idx])
            x_hat = sae.decode(sub, c)
            for j in range(len(idx)):
                h = int(sizes[lo + j])
                evals.append((x[j].cpu().numpy().astype(np.float64), x_hat[j].cpu().numpy(), c[j, :, :h].cpu().numpy()))
    rows = []
    chance_rng = np.random.default_rng(named_seed(seed, "chance"))
    for i, sp in enumerate(specs):
        x_i, x_hat_i, codes = evals[i]
        h, g = int(sizes[i]), int(n_feat[i])
        true = feats[i, :g].cpu().numpy().astype(np.float64)
        if sp["experiment"] == "toy":  # only features the toy model stores count as ground truth
            true = true[np.linalg.norm(true, axis=1) > REPRESENTED]
        learned = res.W_dec[i, :h].cpu().numpy().astype(np.float64)
        alive = (codes > 0).any(axis=0)
        matched, share = sae.matched_recovery(true, learned)
        # chance level: an untrained random dictionary of the same size (Gaussian directions in d dimensions)
        rand = chance_rng.standard_normal(learned.shape)
        rand_matched, _ = sae.matched_recovery(true, rand)
        rows.append(sp | {
            "mmcs_chance": sae.mmcs(true, rand), "matched_chance": rand_matched,
            "duplicated_chance": sae.duplicated_share(true, rand),
            "size": h, "n_true": int(true.shape[0]), "mmcs": sae.mmcs(true, learned),
            "mmcs_learned": sae.mmcs(learned[alive], true) if alive.any() else 0.0,
            "matched": matched, "matched_share": share, "duplicated": sae.duplicated_share(true, learned[alive]),
            "l0": sae.l0(codes), "dead": sae.dead_latents(codes),
            "ev": sae.explained_variance(x_i, x_hat_i),
        })  # fmt: skip
    return rows


@study(
    name="superposition",
    question="Do small networks store more sparse features than they have dimensions (superposition), and do "
    "sparse autoencoders recover features whose ground truth is known?",
    sources=(
        "Elhage et al. 2022, Toy models of superposition (Anthropic, transformer-circuits.pub): sections "
        "'Demonstrating superposition', 'Superposition as a phase change', 'Feature dimensionality'",
        "Sharkey, Braun & Millidge 2022, Taking features out of superposition with sparse autoencoders "
        "(interim research report, AI Alignment Forum)",
        "Bricken et al. 2023, Towards monosemanticity: decomposing language models with dictionary learning "
        "(Anthropic, transformer-circuits.pub)",
        "Chen et al. 2023, Dynamical versus Bayesian phase transitions in a toy model of superposition "
        "(arXiv 2310.06301): the k-gon critical points",
    ),
    presets=PRESETS,
    claims=CLAIMS,
    probes=PROBES,
    brief=BRIEF,
    runtime={
        "test": "~3 s",
        "quick": "~30 s",
        "paper": "~11 min (measured 2026-11-24: 661 s on one thread, beside another study)",
    },
    faults=FAULTS,
    budget=Budget(
        scale={"toy_steps": 4, "sae_steps": 4, "eval_samples": 4},
        set={"pc_recipe": "reference"},
        note="4× the toy and SAE training steps and evaluation samples, and the paper notebook's recipe for the "
        "phase-change models (AdamW, lr 1e-3, 10,000 steps, batch 1024): with the fast recipe the sparsest ReLU "
        "models stop short of the pentagon in some seeds",
    ),
    audit_preset="test",
    audit_preset_why="every claim gets a verdict on the test grids in a few CPU seconds, and the reference recipe's "
    "10,000 steps at the larger budget stay affordable there",
)
def run(config: SuperpositionConfig, ctx: RunContext) -> StudyOutput:
    with torch_threads(1):  # hundreds of tiny matrices: one thread is fastest and leaves the other core free
        return _run(config, ctx)


def _run(config: SuperpositionConfig, ctx: RunContext) -> StudyOutput:
    t0, cpu0 = time.perf_counter(), time.process_time()
    timing: dict[str, float] = {}
    with ctx.progress("superposition: 6 batched computations", total=6) as advance:
        pc_rows, pc_mats, imp_rows = phase_change(config, ctx.seed_for("phase-change"), ctx.device)
        corr_rows = correlated_features(config, ctx.seed_for("correlated"), ctx.device)
        kgons = kgon_sgd(config, ctx.seed_for("kgon"), ctx.device)
        advance(1)
        pd_rows = phase_diagram(config, ctx.seed_for("phase-diagram"), ctx.device)
        advance(1)
        dim_rows, dim_res = dimensionality(config, ctx.seed_for("dimensionality"), ctx.device)
        timing["toy_s"] = time.perf_counter() - t0
        advance(1)
        ident = identity_check(config, ctx.seed_for("identity"), ctx.device)
        dens = density_check(config, ctx.seed_for("density"), ctx.device)
        advance(1)
        t1 = time.perf_counter()
        sparsest = [i for i, (p, _) in enumerate((p, s) for p in config.dim_densities for s in range(config.n_seeds))
                    if p == config.dim_densities[0]]  # fmt: skip
        sae_rows = sae_sweep(config, ctx.seed_for("sae"), dim_res.W[sparsest], ctx.device)
        timing["sae_s"] = time.perf_counter() - t1
        advance(1)
        calib = calibrate()
        advance(1)
    fr = toy.STICKY_FRACTIONS
    D = [r["D_model"] for r in dim_rows]
    m: dict[str, Any] = {
        "config": {"pc_n": config.pc_n, "pc_m": config.pc_m, "dim_n": config.dim_n, "dim_m": config.dim_m,
                   "sae_features": config.sae_features, "sae_d": config.sae_d, "n_seeds": config.n_seeds,
                   "kgon_n": config.kgon_n},
        "represented_threshold": REPRESENTED,
        "sticky_tol": STICKY_TOL,
        "sticky_fractions": list(fr),
        "chance_model": toy.plateau_coverage(fr, STICKY_TOL, min(D), max(D)),
        "chance_features": toy.plateau_coverage(fr, STICKY_TOL, 0.0, 1.0),
        "plateau_points": [
            {"density": r["density"], "seed": r["seed"], "D_model": r["D_model"],
             "plateau": next((f for f in fr if abs(r["D_model"] - f) <= STICKY_TOL), None)}
            for r in dim_rows
        ],
        "phase_change": pc_rows,
        "phase_change_W": pc_mats,
        "importance_sweep": imp_rows,
        "correlated": corr_rows,
        "kgon": kgons,
        "phase_diagram": pd_rows,
        "dimensionality": dim_rows,
        "identity": ident,
        "density_check": dens,
        "sae": sae_rows,
        "calibration": calib,
        "timing": timing | {"total_s": time.perf_counter() - t0, "cpu_s": time.process_time() - cpu0},
    }  # fmt: skip
    return StudyOutput(m, make_figures(m), make_tables(m))
