"""llc: can the local learning coefficient be estimated, checked where the exact answer is known?

Singular learning theory says generalization is governed by the learning coefficient λ, not the parameter count
d (λ = d/2 only for regular models). Developmental interpretability reads training from SGLD estimates of the
*local* learning coefficient (Lau et al. 2023). This study runs Skeptic's own batched estimator on models whose λ is
known exactly (regular models, normal crossings, reduced-rank regression, deep linear networks), checks the sampler
against exact finite-temperature targets, sweeps its hyperparameters, and tests the rescaling invariance. In the toy
model of superposition (Chen et al. 2023) it computes the k-gon critical points, their exact λ (Hessian rank, checked
minimally singular) and λ̂, the Bayesian transitions between them, and λ̂ along SGD runs (LLC over training,
Hoogland et al. 2024); see :mod:`skeptic.studies.llc.tms`.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Annotated, Any, Literal

import numpy as np
import torch
from pydantic import Field

from skeptic.studies.llc import activations, crosscheck, estimator, experiments, tms
from skeptic.studies.llc.claims import CLAIMS, PROBES
from skeptic.studies.llc.faults import FAULTS
from skeptic.studies.llc.figures import make_figures, make_tables
from skeptic.studies.llc.models import gaussian_nll
from skeptic.study import Brief, Budget, RunContext, StudyConfig, StudyOutput, study, torch_threads


class LLCConfig(StudyConfig):
    table: Literal["tiny", "standard"] = "standard"
    """Validation table: ``tiny`` (4 models, one per family; for the contract test and the audit) or ``standard``
    (12 models: 3 regular, 3 normal crossings, 3 reduced-rank regressions, 3 deep linear networks)."""
    n: int = Field(5000, ge=100, le=1_000_000)
    """Training samples per model (x ~ N(0, I)); nβ = n/log n."""
    epsilon_rule: Literal["curvature", "fixed"] = "curvature"
    """Step size of the validation table: ``curvature`` is the estimator's default, ε = min(0.2/(nβ h_max + γ), 1/nβ)
    from each model's top Hessian eigenvalue at w*; ``fixed`` is ε = epsilon_times_nbeta/nβ for every model."""
    epsilon_times_nbeta: float = Field(estimator.DEFAULT_EPSILON_TIMES_NBETA, gt=0.0, le=10.0)
    """SGLD step size ε in units of 1/nβ, used by ``epsilon_rule="fixed"`` and as the centre of the sensitivity sweep
    and the ReLU-vs-GELU step sizes (0.1: the first version's fixed default)."""
    gamma: float = Field(estimator.DEFAULT_GAMMA, ge=0.0, le=1e4)
    """Localization strength γ (the estimator's default)."""
    num_chains: int = Field(estimator.DEFAULT_NUM_CHAINS, ge=2, le=64)
    """Independent SGLD chains per model (≥ 2 for an SE and R-hat)."""
    num_draws: int = Field(estimator.DEFAULT_NUM_DRAWS, ge=10, le=100_000)
    """SGLD steps averaged per chain, after burn-in."""
    num_burnin: int = Field(estimator.DEFAULT_NUM_BURNIN, ge=0, le=100_000)
    """SGLD steps discarded at the start of each chain."""
    batch_size: int = Field(estimator.DEFAULT_BATCH_SIZE, ge=1, le=1_000_000)
    """Minibatch size of the SGLD gradient (≥ n means full batch). A budget knob: minibatch gradient noise biases the
    noisy regular model upward (+47% at ``paper``); the larger budget is full batch."""
    nbeta_rule: Literal["n", "batch"] = "n"
    """Inverse temperature of the table: ``n`` is nβ = n/log n (Lau et al. 2023's definition), ``batch`` is devinterp's
    default nβ = B/log B with B the minibatch size."""
    sensitivity: bool = True
    """Run the sensitivity sweep (ε, nβ, γ, chain length, batch size) and the calibration helper."""
    flat_draws_factor: int = Field(2, ge=1, le=100)
    """Normal crossings get this many times more draws and burn-in: along their flat axes only the localization
    pulls, so a chain relaxes in ~1/(εγ) steps (nβ/γ at the curvature rule's ε·nβ = 1, 10× that at the fixed 0.1,
    which needed a factor 8)."""
    activations: bool = True
    """Run the ReLU-vs-GELU teacher-student comparison (no exact λ; reported, not judged)."""
    act_seeds: int = Field(3, ge=1, le=20)
    """Students per activation in the ReLU-vs-GELU comparison (all trained as one batch)."""
    act_hidden: int = Field(6, ge=1, le=256)
    """Hidden units of each student (2 → hidden → 1)."""
    act_teacher_hidden: int = Field(2, ge=1, le=256)
    """Hidden units of the teacher (same activation as its student); fewer than the student's makes it singular."""
    act_train_steps: int = Field(1500, ge=10, le=100_000)
    """Full-batch Adam steps (cosine schedule from 0.01) to bring each student to a minimum before sampling."""
    crosscheck: bool = True
    """Cross-check the batched estimator on the first RRR/DLN against an independent chain-by-chain loop: devinterp's
    own SGLD optimizer when devinterp is installed, else a plain-torch optimizer with the same update."""
    crosscheck_chains: int = Field(8, ge=2, le=64)
    """At most this many chains in the cross-check (its reference loop runs them one after another)."""
    rescale_factor: float = Field(2.0, gt=0.0, le=100.0)
    """c in the rescaling check: layer 1 of a DLN times c, layer 2 divided by c."""
    tms: bool = True
    """Run the toy model of superposition (2 hidden dimensions, 6 features; Chen et al. 2023): k-gons and SGD."""
    tms_ks: tuple[Annotated[int, Field(ge=3, le=6)], ...] = Field((4, 5, 6), min_length=1)
    """The k-gons whose loss, exact λ and λ̂ are computed (each 2 ≤ k ≤ 6)."""
    tms_n: int = Field(20_000, ge=100, le=1_000_000)
    """Training samples for the k-gon estimates (x = μ e_i, μ ~ U[0, 1])."""
    tms_draws: int = Field(1000, ge=10, le=100_000)
    """SGLD draws per chain at each k-gon (after ``tms_burnin``), at the curvature-scaled step size."""
    tms_burnin: int = Field(250, ge=0, le=100_000)
    """SGLD burn-in per chain at each k-gon."""
    tms_seeds: int = Field(8, ge=1, le=64)
    """SGD runs (trained as one batch) whose trajectories are read for transitions and LLC over training."""
    tms_steps: int = Field(5000, ge=20, le=1_000_000)
    """SGD steps per run (learning rate 0.1, minibatch 32, from weights of scale 0.1; Chen et al.'s kind of run)."""
    tms_checkpoints: int = Field(12, ge=3, le=100)
    """Log-spaced checkpoints per SGD run at which λ̂ is estimated."""
    tms_traj_n: int = Field(2000, ge=100, le=1_000_000)
    """Training samples of the SGD runs."""
    tms_traj_chains: int = Field(2, ge=2, le=64)
    """SGLD chains per checkpoint."""
    tms_traj_draws: int = Field(200, ge=10, le=100_000)
    """SGLD draws per chain at each checkpoint (burn-in a quarter of it)."""


PRESETS = {
    "test": LLCConfig(
        table="tiny",
        n=1000,
        epsilon_rule="fixed",  # its chains (130 steps) are too short for the curvature rule's smaller steps on DLNs
        num_chains=4,
        num_draws=100,
        num_burnin=30,
        batch_size=1000,
        sensitivity=False,
        activations=False,
        crosscheck_chains=2,
        tms_ks=(5, 6),
        tms_n=1000,
        tms_draws=120,
        tms_burnin=40,
        tms_seeds=3,
        tms_steps=400,
        tms_checkpoints=6,
        tms_traj_n=300,
        tms_traj_draws=40,
    ),
    "quick": LLCConfig(
        table="standard", n=5000, num_chains=6, num_draws=500, num_burnin=150, crosscheck_chains=4, act_seeds=2
    ),
    "paper": LLCConfig(table="standard", n=20_000, num_chains=8, num_draws=4000, num_burnin=1000),
}


def _found(result: Any) -> str:
    m = result.measurements
    rows = m["table"]
    lines = [f"On {len(rows)} models with known λ (n = {m['n']}):"]
    for fam in ("regular", "normal crossing", "reduced-rank regression", "deep linear network"):
        fr = [r for r in rows if r["family"] == fam]
        if fr:
            errs = ", ".join(f"{r['rel_error']:+.0%}" for r in fr)
            lines.append(f"- {fam}: relative errors {errs}.")
    nc = [r for r in rows if r["family"] == "normal crossing" and "finite_target" in r]
    if nc:
        lines.append(
            "- For normal crossings the exact expectation of the localized posterior (by quadrature) is "
            + ", ".join(
                f"{r['finite_target']:.3f} at γ = {r['gamma']:g} and {r.get('finite_target_gamma1', float('nan')):.3f} "
                f"at γ = 1 (λ = {r['exact']:.3f})"
                for r in nc
            )
            + ": the sampler hits these targets (probe), so the gap to λ is the localization γ's where the two "
            "targets differ, and the finite n's (the log log n term of a multiplicity-2 crossing) where they do not."
        )
    mb = m.get("minibatch_noise")
    if mb:
        lines.append(
            "- Noisy regular model, minibatch gradient noise: "
            + "; ".join(f"{r['setting']} λ̂ {r['llc']:.2f} ± {r['llc_se']:.2f} (λ = {r['exact']:g})" for r in mb)
            + "."
        )
    rs = m["rescaling"]
    lines.append(
        f"- Rescaling a DLN layer by {rs['c']:g}: λ̂ {rs['llc']:.2f} → {rs['llc_rescaled']:.2f} "
        f"(exact {rs['exact']:.2f})."
    )
    if m.get("activations"):
        for act in ("relu", "gelu"):
            rs = [r for r in m["activations"] if r["activation"] == act]
            lines.append(
                f"- {act.upper()} students: λ̂ "
                + ", ".join(f"{r['llc_eps1']:.2f}" for r in rs)
                + f" (R-hat ≤ {max(r['rhat'] for r in rs):.2f}); moving ε by ×0.3…×3 changes λ̂ by up to "
                f"{max(r['eps_spread'] for r in rs):.0%}."
            )
    if m.get("calibration"):
        lines.append(f"- The calibration helper picked ε·nβ = {m['calibration']['epsilon_times_nbeta']:.3g}.")
    t = m.get("tms")
    if t:
        ks = sorted(t["kgons"], key=lambda r: r["k"])
        lines.append(
            "- Toy model of superposition (6 features, 2 dimensions): "
            + ", ".join(
                f"the {r['k']}-gon (loss {r['population_loss']:.4f}) has λ̂ {r['llc']:.2f} ± {r['llc_se']:.2f}"
                + (f" against exact {r['lambda']:g}" if r["null_growth_exponent"] >= 3.0 else " (no exact λ: a kink)")
                for r in ks
            )
            + "."
        )
        b = [x for x in t["bayesian"] if x["n_c_exact"]]
        if b:
            lines.append(
                "- With the exact λ, the Bayesian posterior switches "
                + ", ".join(f"from the {x['from']}- to the {x['to']}-gon near n ≈ {x['n_c_exact']:.0f}" for x in b)
                + " (lower loss wins only once n is large enough to pay for the higher λ)."
            )
        tr = t["trajectory"]["transitions"]
        if tr:
            up = sum(x["llc_after"] > x["llc_before"] for x in tr)
            ex = t["trajectory"]["stage_excess_r2"]
            share = t["trajectory"].get("share_at_minimum", float("nan"))
            lines.append(
                f"- Along {len({x['seed'] for x in tr})} SGD runs, {up} of {len(tr)} changes in the number of "
                f"represented features raised λ̂, but only {share:.0%} of the checkpoint estimates sit at a minimum "
                "(λ̂ > 0 and a gradient too small to shift it by 5%), and the claim counts only transitions between "
                "such checkpoints; the stages read from the loss explain "
                + (f"on average {np.mean(ex):+.2f} more of λ̂'s variance than random stage boundaries." if ex else "")
            )
    return "\n".join(lines)


def _answer(result: Any) -> str:
    m = result.measurements
    rows = m["table"]
    ok = [r for r in rows if abs(r["rel_error"]) <= 0.2]
    worst = max(rows, key=lambda r: abs(r["rel_error"]))
    text = (
        f"Mostly, where the exact answer is known: the estimate is within 20% of the true learning coefficient on "
        f"{len(ok)} of {len(rows)} test models (worst: {worst['name']}, off by {worst['rel_error']:+.0%})"
    )
    t = m.get("tms")
    if t:
        known = [r for r in t["kgons"] if r["null_growth_exponent"] >= 3.0]
        if known:
            text += ", and on the toy model of superposition it recovers " + " and ".join(
                f"{r['llc']:.1f} for a true {r['lambda']:g}" for r in known
            )
    text += (
        ". It is not a plug-in measurement: its step size has to match the model's curvature, its chains must run "
        "for several relaxation times 1/(εγ), minibatch noise lifts noisy models, and the localization γ = 10 pulls "
        "the normal crossings' finite targets below λ (x·w1·w2³: 0.042 at γ = 10 against 0.145 at γ = 1 for "
        "λ = 1/6, n = 5,000)."
    )
    return text


BRIEF = Brief(
    claimed="Singular learning theory's local learning coefficient (LLC) measures how degenerate a trained network "
    "is, and its authors say an SGLD-based estimator measures it accurately, orders models correctly, sees that "
    "singular models are far simpler than their parameter count, and respects the symmetries of the network. In the "
    "toy model of superposition, they say training moves from high-loss, simple solutions to low-loss, complex ones, "
    "and that jumps of the estimate over training mark developmental stages.",
    ran="Skeptic's own estimator (all chains as one batched computation) on small models whose learning coefficient "
    "is known exactly from algebraic geometry: linear regressions, normal crossings, reduced-rank regressions and "
    "deep linear networks, with data drawn from a known true parameter. We also compare the sampler with exact "
    "finite-temperature answers, sweep its step size, temperature, localization, chain length and batch size, and "
    "rescale a network's layers. Then the toy model of superposition (6 features squeezed into 2 dimensions): its "
    "k-gon solutions, their exact λ, and SGD runs with the estimate tracked over training.",
    not_shown="Nothing here is a real language model: the models are tiny (at most 50 parameters), chosen because "
    "their λ is known. Accuracy here does not show accuracy on transformers; the LLC-over-training check uses the "
    "toy model of superposition, not Hoogland et al.'s transformer, and its stages are read from how many features "
    "the model represents. The 20% tolerance and the 75% share are Skeptic's, not the papers'. The exact λ of the "
    "k-gons is Skeptic's own computation (rank of the Hessian, checked to be minimally singular), not copied from "
    "Chen et al. The ReLU-vs-GELU comparison has no exact answer, so it reports estimates rather than deciding.",
    found=_found,
    answer=_answer,
    headline_figure="validation",
)


@study(
    name="llc",
    question="Does the SGLD estimate of the local learning coefficient recover the exact λ where it is known, and "
    "how much does it depend on its hyperparameters?",
    sources=(
        "Lau, Furman, Wang, Murfet & Wei 2023, The local learning coefficient: a singularity-aware complexity "
        "measure (arXiv 2308.12108)",
        "Furman & Lau 2024, Estimating the local learning coefficient at scale (arXiv 2402.03698)",
        "Aoyagi & Watanabe 2005, Stochastic complexities of reduced rank regression in Bayesian estimation",
        "Aoyagi 2024, Consideration on the learning efficiency of multiple-layered neural networks with linear units",
        "Watanabe 2009, Algebraic geometry and statistical learning theory",
        "Chen, Lau, Mendel, Wei & Murfet 2023, Dynamical versus Bayesian phase transitions in a toy model of "
        "superposition (arXiv 2310.06301)",
        "Hoogland, Wang, Farrugia-Roberts, Carroll, Wei & Murfet 2024, The developmental landscape of in-context "
        "learning (arXiv 2402.02364)",
    ),
    presets=PRESETS,
    claims=CLAIMS,
    probes=PROBES,
    brief=BRIEF,
    runtime={
        "test": "~2.5 s of CPU (+1 s of torch imports on a process's first run)",
        "quick": "~40 s of CPU (4-7 min wall on 2 shared cores under load 16)",
        "paper": "~3.5 min (measured 2026-11-24: 203 s on one thread, beside another study)",
    },
    faults=FAULTS,
    budget=Budget(
        scale={"num_draws": 4, "num_burnin": 4, "tms_draws": 4, "tms_burnin": 4, "tms_traj_draws": 4, "tms_steps": 4},
        set={"batch_size": 1_000_000},
        note="4× the SGLD draws and burn-in everywhere, 4× the SGD steps of the trajectories, and full-batch SGLD "
        "gradients (the minibatch's gradient noise is what lifted the noisy regular model +47% at paper)",
    ),
    audit_preset="test",
    audit_preset_why="the tiny table has one model per family, a noisy regular model and two k-gons, so every claim "
    "gets a verdict in a few CPU seconds; contrasts and the ×4 budget stay affordable",
)
def run(config: LLCConfig, ctx: RunContext) -> StudyOutput:
    # the models are tiny (≤ 50 parameters): intra-op threads only add contention, badly so on a shared machine
    with torch_threads(1):
        m = _run(config, ctx, ctx.device)  # --device: where the chains run
    return StudyOutput(m, make_figures(m), make_tables(m))


def _tms(config: LLCConfig, settings: experiments.Settings, ctx: RunContext) -> dict[str, Any]:
    """The toy model of superposition: the k-gons (loss, exact λ, λ̂), the Bayesian transitions between them, and
    SGD trajectories with λ̂ at checkpoints (Chen et al. 2023; Hoogland et al. 2024)."""
    ks = replace(settings, num_draws=config.tms_draws, num_burnin=config.tms_burnin)
    rows = tms.kgons(config.tms_ks, config.tms_n, ks, ctx.seed_for("tms-kgons"))
    traj_settings = replace(
        settings,
        num_chains=config.tms_traj_chains,
        num_draws=config.tms_traj_draws,
        num_burnin=config.tms_traj_draws // 4,
    )
    # one step size for every checkpoint: the smallest the curvature rule gives at the k-gons, rescaled to this nβ
    nb_k, nb_t = estimator.default_nbeta(config.tms_n), estimator.default_nbeta(config.tms_traj_n)
    h_max = max(r["max_curvature"] for r in rows)
    eps = estimator.CURVATURE_STEP / (nb_t * h_max + settings.gamma)
    traj = tms.sgd_trajectories(
        config.tms_traj_n,
        config.tms_seeds,
        config.tms_steps,
        config.tms_checkpoints,
        lr=0.1,
        batch=32,
        init_scale=0.1,
        settings=traj_settings,
        epsilon=eps,
        seed=ctx.seed_for("tms-sgd"),
    )
    return {
        "kgons": rows,
        "bayesian": tms.bayesian_transitions(rows),
        "n": config.tms_n,
        "nbeta": nb_k,
        "trajectory": traj,
        "trajectory_epsilon": eps,
        "trajectory_n": config.tms_traj_n,
    }


def _run(config: LLCConfig, ctx: RunContext, device: str) -> dict[str, Any]:
    t0, c0 = time.perf_counter(), time.process_time()
    settings = experiments.Settings(
        config.epsilon_times_nbeta,
        config.gamma,
        config.num_chains,
        config.num_draws,
        config.num_burnin,
        config.batch_size,
        config.epsilon_rule,
        config.nbeta_rule,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(ctx.seed)
        ctx.log(f"llc: estimating λ on the {config.table} table ({len(experiments.TABLES[config.table])} models)")
        rows, problems = experiments.validation_table(
            config.table, config.n, settings, ctx.seed_for("table"), device, config.flat_draws_factor
        )
        timing = {"table_s": time.perf_counter() - t0, "table_cpu_s": time.process_time() - c0}
        dlns = [p for p in problems if p.family in ("reduced-rank regression", "deep linear network")]
        t1, k1 = time.perf_counter(), time.process_time()
        resc = experiments.rescaling(dlns[0], config.rescale_factor, settings, seed=ctx.seed_for("rescaling"))
        timing["rescaling_s"] = time.perf_counter() - t1
        timing["rescaling_cpu_s"] = time.process_time() - k1
        m: dict[str, Any] = {
            "n": config.n,
            "nbeta": estimator.default_nbeta(config.n),
            "table": rows,
            "rescaling": resc,
        }
        if config.crosscheck:
            t1, k1 = time.perf_counter(), time.process_time()
            target = dlns[0]
            row = next(r for r in rows if r["name"] == target.name)
            ref = crosscheck.sequential_llc(
                target.model,
                gaussian_nll,
                target.data,
                epsilon=row["epsilon"],
                nbeta=row["nbeta"],
                gamma=config.gamma,
                num_chains=min(config.num_chains, config.crosscheck_chains),
                num_draws=config.num_draws,
                num_burnin=config.num_burnin,
                batch_size=config.batch_size,
                seed=ctx.seed_for("crosscheck"),
            )
            m["crosscheck"] = ref | {
                "name": target.name,
                "ours": row["llc"],
                "ours_se": row["llc_se"],
                "exact": target.exact,
            }
            timing["crosscheck_s"] = time.perf_counter() - t1
            timing["crosscheck_cpu_s"] = time.process_time() - k1
        if config.sensitivity:
            t1, k1 = time.perf_counter(), time.process_time()
            target = dlns[0]
            m["sensitivity_model"] = target.name
            m["sensitivity_exact"] = target.exact
            m["sensitivity"] = experiments.sensitivity(target, settings, ctx.seed_for("sensitivity"), (64, config.n))
            m["calibration"] = experiments.calibration(target, settings, ctx.seed_for("calibration"))
            noisy = [p for p in problems if p.noise]
            if noisy:
                m["minibatch_noise"] = experiments.minibatch_noise(noisy[0], settings, ctx.seed_for("minibatch"))
            timing["sensitivity_s"] = time.perf_counter() - t1
            timing["sensitivity_cpu_s"] = time.process_time() - k1
        if config.tms:
            t1, k1 = time.perf_counter(), time.process_time()
            m["tms"] = _tms(config, settings, ctx)
            timing["tms_s"] = time.perf_counter() - t1
            timing["tms_cpu_s"] = time.process_time() - k1
        if config.activations:
            t1, k1 = time.perf_counter(), time.process_time()
            m["activations"] = activations.activation_comparison(
                config.n,
                config.act_hidden,
                config.act_teacher_hidden,
                config.act_seeds,
                config.act_train_steps,
                settings,
                seed=ctx.seed_for("activations"),
                device=device,
            )
            timing["activations_s"] = time.perf_counter() - t1
            timing["activations_cpu_s"] = time.process_time() - k1
    timing["total_s"] = time.perf_counter() - t0
    timing["total_cpu_s"] = time.process_time() - c0
    m["timing"] = timing
    return m
