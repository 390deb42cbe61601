"""The llc study's sections, in the order ``study.run`` calls them; each returns its measurements.

Every section takes the config, the SGLD :class:`~skeptic.studies.llc.experiments.Settings` of the table and the
run context (for its named random stream and ``ctx.device``), and returns a dict merged into the measurements. The
math lives in ``estimator.py`` (the batched SGLD estimator), ``exact.py`` (the known λ), ``models.py`` (the models
and their data), ``experiments.py`` (the table, the exact finite-temperature targets, the sweeps), ``crosscheck.py``
(the independent chain-by-chain loop), ``tms.py`` (the toy model of superposition) and ``activations.py``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from skeptic.studies.llc import activations as act
from skeptic.studies.llc import crosscheck as cc
from skeptic.studies.llc import estimator, exact, experiments
from skeptic.studies.llc import stepcheck as sc
from skeptic.studies.llc import tms as tm
from skeptic.studies.llc import twins as tw
from skeptic.studies.llc.config import LLCConfig
from skeptic.studies.llc.models import Problem, gaussian_nll
from skeptic.study import RunContext


class Clock:
    """Wall and CPU seconds of each section, kept as the ``timing`` measurement (``<name>_s``, ``<name>_cpu_s``,
    ``total_s``, ``total_cpu_s``). ``ctx.section`` records wall time only; on a shared machine CPU time is the
    number that says what a run costs."""

    def __init__(self) -> None:
        self._t0, self._c0 = time.perf_counter(), time.process_time()
        self._timing: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t, c = time.perf_counter(), time.process_time()
        yield
        self._timing[f"{name}_s"] = time.perf_counter() - t
        self._timing[f"{name}_cpu_s"] = time.process_time() - c

    def timing(self) -> dict[str, float]:
        """The sections' times and the total since the clock was made."""
        total = {"total_s": time.perf_counter() - self._t0, "total_cpu_s": time.process_time() - self._c0}
        return self._timing | total


def settings(config: LLCConfig) -> experiments.Settings:
    """The SGLD settings shared by every row of the validation table (and the start of every other section's)."""
    return experiments.Settings(
        config.epsilon_times_nbeta,
        config.gamma,
        config.num_chains,
        config.num_draws,
        config.num_burnin,
        config.batch_size,
        config.epsilon_rule,
        config.nbeta_rule,
    )


def validation(config: LLCConfig, s: experiments.Settings, ctx: RunContext) -> tuple[dict[str, Any], list[Problem]]:
    """λ̂ on every model of the configured table, beside its exact λ (stream ``table``); also the problems, which
    the later sections reuse."""
    ctx.log(f"llc: estimating λ on the {config.table} table ({len(experiments.TABLES[config.table])} models)")
    rows, problems = experiments.validation_table(
        config.table,
        config.n,
        s,
        ctx.seed_for("table"),
        ctx.device,
        config.flat_draws_factor,
        config.nc_gamma,
        config.regular_input_scale,
    )
    m = {"n": config.n, "nbeta": estimator.default_nbeta(config.n), "table": rows}
    # the L ≥ 3 deep-linear λ each such row is judged against, recomputed a second way (a few ms)
    m["dln_formula_check"] = exact.dln_formula_check(rows)
    return m, problems


def first_dln(problems: list[Problem]) -> Problem:
    """The table's first reduced-rank regression or deep linear network: the model of the rescaling check, the
    cross-check and the sensitivity sweep."""
    return next(p for p in problems if p.family in ("reduced-rank regression", "deep linear network"))


def rescaling(config: LLCConfig, s: experiments.Settings, target: Problem, ctx: RunContext) -> dict[str, Any]:
    """λ̂ of ``target`` and of the same function with layer 1 times c and layer 2 over c (stream ``rescaling``)."""
    return {"rescaling": experiments.rescaling(target, config.rescale_factor, s, seed=ctx.seed_for("rescaling"))}


def crosscheck(config: LLCConfig, target: Problem, table: list[dict[str, Any]], ctx: RunContext) -> dict[str, Any]:
    """The batched estimate of ``target``'s table row against an independent chain-by-chain loop at the row's own
    ε and nβ (stream ``crosscheck``), and five steps of the sampler against a hand-written reference (stream
    ``step``, :mod:`skeptic.studies.llc.stepcheck`)."""
    row = next(r for r in table if r["name"] == target.name)
    ref = cc.sequential_llc(
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
    # the sampler itself against a hand-written reference on a few steps (same noise, same minibatches)
    steps = sc.step_check(
        target, top_curvature=row["top_curvature"], nbeta=row["nbeta"], gamma=config.gamma, seed=ctx.seed_for("step")
    )
    return {
        "crosscheck": ref | {"name": target.name, "ours": row["llc"], "ours_se": row["llc_se"], "exact": target.exact},
        "sampler_steps": steps,
    }


def sensitivity(
    config: LLCConfig,
    s: experiments.Settings,
    target: Problem,
    problems: list[Problem],
    table: list[dict[str, Any]],
    ctx: RunContext,
) -> dict[str, Any]:
    """The hyperparameter sweep on ``target`` (ε, nβ, γ, chain length, batch sizes 64 and n), the calibration
    helper's pick, and minibatch noise on the table's first noisy model if it has one (streams ``sensitivity``,
    ``calibration``, ``minibatch``; its configured setting is that model's ``table`` row, not run again)."""
    m: dict[str, Any] = {
        "sensitivity_model": target.name,
        "sensitivity_exact": target.exact,
        "sensitivity": experiments.sensitivity(target, s, ctx.seed_for("sensitivity"), (64, config.n)),
        "calibration": experiments.calibration(target, s, ctx.seed_for("calibration")),
    }
    noisy = [p for p in problems if p.noise]
    if noisy:
        row = next((r for r in table if r["name"] == noisy[0].name), None)
        m["minibatch_noise"] = experiments.minibatch_noise(noisy[0], s, ctx.seed_for("minibatch"), row)
    return m


def tms(config: LLCConfig, s: experiments.Settings, ctx: RunContext) -> dict[str, Any]:
    """The toy model of superposition: the k-gons (loss, exact λ, λ̂), the Bayesian transitions between them, and
    SGD trajectories with λ̂ at checkpoints (Chen et al. 2023; Hoogland et al. 2024; streams ``tms-kgons``,
    ``tms-sgd``)."""
    batch = s.batch_size if config.tms_batch_size is None else config.tms_batch_size
    ks = replace(s, num_draws=config.tms_draws, num_burnin=config.tms_burnin, batch_size=batch)
    rows = tm.kgons(config.tms_ks, config.tms_n, ks, ctx.seed_for("tms-kgons"))
    traj_settings = replace(
        s,
        num_chains=config.tms_traj_chains,
        num_draws=config.tms_traj_draws,
        num_burnin=config.tms_traj_draws // 4,
    )
    # one step size for every checkpoint: the smallest the curvature rule gives at the k-gons, rescaled to this nβ
    nb_k, nb_t = estimator.default_nbeta(config.tms_n), estimator.default_nbeta(config.tms_traj_n)
    h_max = max(r["max_curvature"] for r in rows)
    eps = estimator.CURVATURE_STEP / (nb_t * h_max + s.gamma)
    traj = tm.sgd_trajectories(
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
        "tms": {
            "kgons": rows,
            "bayesian": tm.bayesian_transitions(rows),
            "n": config.tms_n,
            "kgon_batch_size": batch,
            "nbeta": nb_k,
            "trajectory": traj,
            "trajectory_epsilon": eps,
            "trajectory_n": config.tms_traj_n,
        }
    }


def activations(config: LLCConfig, s: experiments.Settings, ctx: RunContext) -> dict[str, Any]:
    """λ̂ of ReLU and GELU teacher-student networks trained to a minimum (no exact λ: reported, not judged;
    stream ``activations``)."""
    return {
        "activations": act.activation_comparison(
            config.n,
            config.act_hidden,
            config.act_teacher_hidden,
            config.act_seeds,
            config.act_train_steps,
            s,
            seed=ctx.seed_for("activations"),
            device=ctx.device,
        )
    }


def twins(config: LLCConfig, ctx: RunContext) -> dict[str, Any]:
    """ReLU vs GELU where both λ are known: the rescaling check (loss and Hessian along each unit's rescaling
    direction) and λ̂ of each twin at three step sizes (stream ``twins``)."""
    acts = tuple(config.twin_acts.split("-"))
    assert len(acts) == 2
    return {
        "twins": tw.twins(
            (acts[0], acts[1]),
            config.twin_hidden,
            config.twin_n,
            config.twin_gamma,
            config.twin_output_scale,
            config.twin_chains,
            config.twin_burnin,
            config.twin_draws,
            seed=ctx.seed_for("twins"),
            precondition_floor=config.twin_precondition or None,
        )
    }
