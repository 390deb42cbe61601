"""The superposition study's sections, in the order ``study.run`` calls them; each returns its measurements.

Every section takes the config, its own named seed (``ctx.seed_for(...)`` in the run) and the device, and trains
one group of same-shaped models as one batched computation. The math lives in ``toy.py`` (toy models, exact losses,
k-gons, dimensions per feature) and ``sae.py`` (sparse autoencoders and their recovery metrics); the metric
calibration in ``calibration.py``.

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

from typing import Any

import numpy as np
import torch

from skeptic.studies.superposition import sae, toy
from skeptic.studies.superposition.claims import REPRESENTED, STICKY_TOL
from skeptic.studies.superposition.config import SuperpositionConfig
from skeptic.studies.superposition.toy import named_seed

EVAL_FLOATS = 1 << 24
"""Most SAE codes (models x samples x latents) held at once during evaluation (64 MiB of float32)."""


def _log(log: dict[str, Any] | None, section: str, res: toy.ToyResult) -> None:
    """Keep what the trainer of ``section`` was given and did (``ToyResult.settings``) in ``log``, for the probes."""
    if log is not None:
        log[section] = res.settings


def _f(x: torch.Tensor) -> list[float]:
    return [float(v) for v in x.detach().cpu().double().reshape(-1)]


# ---------------------------------------------------------------------------------------------------
# Part 1: toy models
# ---------------------------------------------------------------------------------------------------


def phase_change(
    config: SuperpositionConfig, seed: int, device: str = "cpu", log: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """n features in m dimensions, importance decay**i, every density x {ReLU, linear} x seed, and the importance
    sweep (ReLU at ``imp_density``, every decay in ``imp_decays``), all in one batch, each model ``pc_restarts``
    times; a row is its model's lowest-loss restart (by the exact loss for linear models, by its own Monte Carlo loss
    for ReLU models)."""
    n, m, S, R = config.pc_n, config.pc_m, config.n_seeds, config.pc_restarts
    specs = [(p, lin, s, config.pc_decay) for lin in (False, True) for p in config.pc_densities for s in range(S)]
    n_pc = len(specs)
    specs += [(config.imp_density, False, s, dec) for dec in config.imp_decays for s in range(S)]
    # every model trains R times from independent initializations (restart r of spec i is model i·R + r); the row
    # of spec i is its lowest-loss restart, so a seed stands for the optimum training finds, not one initialization
    density = torch.tensor([p for p, _, _, _ in specs for _ in range(R)])
    linear = torch.tensor([lin for _, lin, _, _ in specs for _ in range(R)])
    decays = torch.tensor([dec for *_, dec in specs for _ in range(R)], dtype=torch.float64)
    importance = (decays[:, None] ** torch.arange(n)).float()
    ref = config.pc_recipe == "reference"
    res = toy.train_toy_models(
        n, m, density, importance, linear=linear, steps=10_000 if ref else config.pc_steps or config.toy_steps,
        batch=1024 if ref else config.pc_batch or config.toy_batch,
        lr=1e-3 if ref else config.pc_lr or config.toy_lr, seed=seed, eval_batch=config.eval_samples, device=device,
        recipe=config.pc_recipe,
    )  # fmt: skip
    _log(log, "phase_change", res)
    norms, interf = toy.feature_norms(res.W), toy.interference(res.W)
    exact = toy.linear_expected_loss(res.W, res.b, density.to(res.W.device), importance.to(res.W.device))
    rows, mats, imp_rows = [], [], []
    for i, (p, lin, s, dec) in enumerate(specs):
        # linear models are chosen by their exact loss, ReLU models by their Monte Carlo loss
        losses = [float((exact if lin else res.loss)[i * R + r]) for r in range(R)]
        restart = min(range(R), key=lambda r: losses[r])
        k = i * R + restart
        rep = [j for j in range(n) if float(norms[k, j]) > REPRESENTED]
        if i >= n_pc:
            imp_rows.append({"decay": dec, "density": p, "seed": s, "norms": _f(norms[k]), "represented": rep,
                             "frob2": float((res.W[k] ** 2).sum()), "loss": float(res.loss[k]),
                             "restart": restart, "restart_losses": losses})  # fmt: skip
            continue
        rows.append({
            "density": p, "activation": "linear" if lin else "relu", "seed": s,
            "norms": _f(norms[k]), "interference": _f(interf[k]), "represented": rep,
            "loss": float(res.loss[k]), "loss_se": float(res.loss_se[k]),
            "restart": restart, "restart_losses": losses,
            "exact_linear_loss": float(exact[k]) if lin else None,
            "optimum_linear_loss": toy.linear_optimum_loss(n, m, p, importance[k]) if lin else None,
            "next_best_linear_loss": toy.linear_next_best_loss(n, m, p, importance[k]) if lin else None,
            "init_W": _f(res.W_init[k]),
        })  # fmt: skip
        if s == 0:
            mats.append({"density": p, "activation": "linear" if lin else "relu", "W": res.W[k].cpu().tolist()})
    return rows, mats, imp_rows


def correlated_features(
    config: SuperpositionConfig, seed: int, device: str = "cpu", log: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
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
    _log(log, "correlated", res)
    names = {toy.INDEPENDENT: "independent", toy.CORRELATED: "correlated", toy.ANTICORRELATED: "anticorrelated"}
    # a second estimate of each model's loss, on fresh samples shared by the restarts of a structure (the probe
    # two-loss-estimates-agree compares it with the training run's own evaluation, which picks the best restart)
    gen = torch.Generator(device=device).manual_seed(named_seed(seed, "shared-scoring"))
    dens = torch.full((len(specs),), config.corr_density, device=device)
    x = toy.sample_features(dens[::S], config.eval_samples, n, gen, device, structure.to(device)[::S])
    x = x.repeat_interleave(S, dim=0)
    with torch.no_grad():
        shared = toy.weighted_loss(x, toy.forward(res.W, res.b, x), torch.ones(len(specs), n, device=device))
    rows = []
    for i, (st, s) in enumerate(specs):
        W = res.W[i].double()
        nrm = W.norm(dim=0)
        pair_cos = [float(W[:, a] @ W[:, a + 1] / (nrm[a] * nrm[a + 1]).clamp_min(1e-12)) for a in (0, 2)]
        rows.append({"structure": names[st], "seed": s, "norms": _f(nrm), "pair_cos": pair_cos,
                     "stored": [float(v) > REPRESENTED for v in nrm], "W": W.cpu().tolist(),
                     "loss": float(res.loss[i]), "loss_se": float(res.loss_se[i]), "shared_loss": float(shared[i]),
                     "density": config.corr_density})  # fmt: skip
    return rows


def kgon_sgd(
    config: SuperpositionConfig, seed: int, device: str = "cpu", log: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Chen et al. (2023): n = ``kgon_n`` features in m = 2 dimensions, exactly one feature active per sample; the
    exact loss and stationarity of every regular k-gon, and where ``kgon_seeds`` SGD restarts (one batch) end."""
    n, S = config.kgon_n, config.kgon_seeds
    crit = toy.kgon_critical_points(n)
    by_k = {c["k"]: c for c in crit}
    res = toy.train_toy_models(
        n, 2, torch.ones(S), torch.ones(S, n), steps=config.toy_steps, batch=config.toy_batch, lr=config.toy_lr,
        seed=seed, eval_batch=config.eval_samples, device=device, structure=torch.full((S,), toy.ONE_HOT),
    )  # fmt: skip
    _log(log, "kgon", res)
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
                     "critical_loss": crit_loss, "W": W.tolist(), "b": res.b[i].cpu().tolist()})  # fmt: skip
    return {"critical": crit, "runs": runs}


def phase_diagram(
    config: SuperpositionConfig, seed: int, device: str = "cpu", log: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """n = 2, m = 1: importance (1, r) x density grid x seed in one batch; each model's region from its w."""
    specs = [(r, p, s) for r in config.pd_ratios for p in config.pd_densities for s in range(config.pd_seeds)]
    density = torch.tensor([p for _, p, _ in specs])
    importance = torch.tensor([[1.0, r] for r, _, _ in specs])
    res = toy.train_toy_models(
        2, 1, density, importance, steps=config.toy_steps, batch=config.toy_batch, lr=config.toy_lr,
        seed=seed, eval_batch=config.eval_samples, device=device,
    )  # fmt: skip
    _log(log, "phase_diagram", res)
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
        rows.append({"ratio": r, "density": p, "seed": s, "w": w, "b": _f(res.b[i]), "region": region(w),
                     "loss": float(loss[i]), "eval_loss": float(res.loss[i]),
                     "eval_se": float(res.loss_se[i])})  # fmt: skip
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
    config: SuperpositionConfig, seed: int, device: str = "cpu", log: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], toy.ToyResult]:
    """dim_n equally important features in dim_m dimensions over the density grid; D* and every Dᵢ*."""
    n, m = config.dim_n, config.dim_m
    specs = [(p, s) for p in config.dim_densities for s in range(config.n_seeds)]
    density = torch.tensor([p for p, _ in specs])
    res = toy.train_toy_models(
        n, m, density, torch.ones(len(specs), n), steps=config.toy_steps, batch=config.toy_batch,
        lr=config.toy_lr, seed=seed, eval_batch=config.eval_samples, device=device,
    )  # fmt: skip
    _log(log, "dimensionality", res)
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


def plateaus(dim_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Where each dimensionality model's D* sits against the "sticky" fractions (within ``STICKY_TOL``), and the
    chance of landing that close to one: the share of the measured D* range (``chance_model``) and of [0, 1]
    (``chance_features``) covered by the plateaus."""
    fr = toy.STICKY_FRACTIONS
    D = [r["D_model"] for r in dim_rows]
    return {
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
    }  # fmt: skip


def sparsest(config: SuperpositionConfig, dim_res: toy.ToyResult) -> torch.Tensor:
    """The weights W of the dimensionality models at the sparsest density (one per seed), whose hidden activations
    the "toy" SAEs of :func:`sae_sweep` decompose."""
    idx = [i for i, (p, _) in enumerate((p, s) for p in config.dim_densities for s in range(config.n_seeds))
           if p == config.dim_densities[0]]  # fmt: skip
    return dim_res.W[idx]


def identity_check(
    config: SuperpositionConfig, seed: int, device: str = "cpu", log: dict[str, Any] | None = None
) -> dict[str, Any]:
    """No superposition possible or useful: n = m = 3 dense features must give Wᵀ W = I (each feature its own axis)."""
    n = 3
    res = toy.train_toy_models(
        n, n, torch.ones(config.n_seeds), torch.ones(config.n_seeds, n), steps=config.toy_steps,
        batch=config.toy_batch, lr=config.toy_lr, seed=seed, eval_batch=config.eval_samples, device=device,
    )  # fmt: skip
    _log(log, "identity", res)
    WtW = torch.bmm(res.W.transpose(1, 2), res.W)
    dev = (WtW - torch.eye(n, device=WtW.device)).abs().amax((-2, -1))
    return {"max_abs_dev": _f(dev), "loss": _f(res.loss), "loss_se": _f(res.loss_se)}


def density_check(config: SuperpositionConfig, seed: int, device: str = "cpu") -> list[dict[str, Any]]:
    """The samplers' realized share of active features against the configured density (binomial SE), and the mean
    magnitude of the active ones against 1/2 (every sampler here draws active magnitudes from U[0, 1): SE √(1/12 / k)
    over k active entries)."""
    gen = torch.Generator(device=device).manual_seed(seed)
    rows = []
    dens = torch.tensor(sorted(set(config.pc_densities) | set(config.dim_densities)), device=device)
    x = toy.sample_features(dens, config.eval_samples, 8, gen, device)
    for i, p in enumerate(dens.tolist()):
        rows.append({"sampler": "toy", "density": p, "measured": float((x[i] > 0).double().mean()),
                     "n": x[i].numel()})  # fmt: skip
        rows.append(_magnitude("toy", x[i]))
    # correlated and anticorrelated pairs keep each feature's density
    st = torch.tensor([toy.CORRELATED, toy.ANTICORRELATED], device=device)
    x = toy.sample_features(torch.full((2,), config.corr_density, device=device), config.eval_samples, 4, gen,
                            device, structure=st)  # fmt: skip
    for i, name in enumerate(("toy correlated", "toy anticorrelated")):
        # the binomial SE over independent units: a pair's two gates are one draw, so a correlated share of n entries
        # varies as p(1 − p)/(n/2), and an anticorrelated one (one member on with probability 2p) as p(1 − 2p)/n
        p, k = config.corr_density, x[i].numel()
        se = np.sqrt(p * (1 - p) / (k / 2)) if i == 0 else np.sqrt(max(p * (1 - 2 * p), 0.0) / k)
        rows.append({"sampler": name, "density": p, "measured": float((x[i] > 0).double().mean()), "n": k,
                     "se": float(se)})  # fmt: skip
        rows.append(_magnitude(name, x[i]))
        # and the pair structure: both members of a pair on with probability p (correlated) or never (anticorrelated)
        pair_on = (x[i, :, 0::2] > 0) & (x[i, :, 1::2] > 0)
        rows.append({"sampler": f"{name}, both of a pair on", "density": config.corr_density if i == 0 else 0.0,
                     "measured": float(pair_on.double().mean()), "n": pair_on.numel()})  # fmt: skip
    sd = torch.tensor(config.sae_densities, device=device)
    a = sae.sample_codes(sd, config.eval_samples, config.sae_features, gen)
    for i, p in enumerate(config.sae_densities):
        rows.append({"sampler": "sae", "density": p, "measured": float((a[i] > 0).double().mean()), "n": a[i].numel()})
        rows.append(_magnitude("sae", a[i]))
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
        r.setdefault("se", float(np.sqrt(r["density"] * (1 - r["density"]) / r["n"])))
    return rows


def _magnitude(sampler: str, x: torch.Tensor) -> dict[str, Any]:
    """The mean of the active entries of ``x`` against U[0, 1)'s 1/2 (the row's ``density``), SE √(1/12/k)."""
    active = x[x > 0].double()
    k = max(int(active.numel()), 1)
    return {"sampler": f"{sampler}, mean active magnitude", "density": 0.5, "measured": float(active.mean()),
            "n": k, "se": float(np.sqrt(1 / 12 / k))}  # fmt: skip


# ---------------------------------------------------------------------------------------------------
# Part 2: sparse autoencoders
# ---------------------------------------------------------------------------------------------------


def sae_sweep(
    config: SuperpositionConfig,
    seed: int,
    toy_W: torch.Tensor,
    device: str = "cpu",
    log: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
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
    if log is not None:
        log["sae"] = res.settings
        # the ground truth every dictionary is judged against (per row: ``truth``), for the probes' recomputation
        log["sae_truth"] = {f"random {s}": F.cpu().tolist() for s, F in enumerate(true_F)} | {
            f"toy {s}": F.cpu().tolist() for s, F in enumerate(toy_feats)
        }
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
        obj_i = ((x_i - x_hat_i) ** 2).sum(-1) + sp["l1"] * np.abs(codes.astype(np.float64)).sum(-1)
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
            # the same chance levels exactly (the expectation over random dictionaries of this size in d dimensions)
            "mmcs_chance_exact": sae.chance_mmcs(h, d), "duplicated_chance_exact": sae.chance_duplicated(h, d),
            "size": h, "n_true": int(true.shape[0]), "mmcs": sae.mmcs(true, learned),
            "mmcs_learned": sae.mmcs(learned[alive], true) if alive.any() else 0.0,
            "matched": matched, "matched_share": share, "duplicated": sae.duplicated_share(true, learned[alive]),
            "l0": sae.l0(codes), "dead": sae.dead_latents(codes),
            "ev": sae.explained_variance(x_i, x_hat_i),
            # the declared objective, ‖x − x̂‖² + λ Σ|c| per sample, at the final weights on the evaluation samples
            "objective": float(obj_i.mean()), "objective_se": float(obj_i.std() / np.sqrt(len(obj_i))),
            "truth": f"{'toy' if sp['experiment'] == 'toy' else 'random'} {sp['seed']}",
            "dictionary": learned.tolist(), "chance_dictionary": rand.tolist(), "alive": alive.tolist(),
        })  # fmt: skip
    return rows
