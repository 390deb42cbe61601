"""The llc study's experiments: the validation table, exact finite-temperature targets, the sensitivity sweep,
the calibration helper's pick and the rescaling check. Each returns JSON-able records.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch

from skeptic.studies.llc import estimator, exact, models
from skeptic.studies.llc.models import Problem, gaussian_nll

TABLES: dict[str, tuple[tuple[str, tuple[int, ...], int], ...]] = {
    # (kind, shape, rank): "regular" (in, out), "regular-noisy" (in, out), "nc" powers, "dln" widths (3 = RRR)
    "tiny": (
        ("regular", (3, 2), 0),
        ("regular-noisy", (2, 3), 0),
        ("nc", (0, 1), 0),
        ("dln", (6, 4, 3), 2),
        ("dln", (3, 4, 4, 3), 1),
    ),
    "standard": (
        ("regular", (3, 2), 0),
        ("regular", (6, 4), 0),
        ("regular-noisy", (4, 3), 0),
        ("nc", (0, 1), 0),
        ("nc", (1, 3), 0),
        ("nc", (1, 1), 0),
        ("dln", (5, 3, 5), 1),
        ("dln", (6, 4, 3), 2),
        ("dln", (3, 4, 6), 0),
        ("dln", (4, 4, 4, 4), 1),
        ("dln", (5, 4, 3, 5), 2),
        ("dln", (3, 5, 5, 3), 1),
    ),
}
"""Validation tables. None of these models was used to choose the estimator's defaults (those were chosen on a
linear 3→1, x·w₁w₂², RRR 4-3-4 r=1 and DLN 3-4-4-3 r=1; the ``tiny`` table reuses the last, it only feeds the
contract test and the audit, and holds one model per family plus a noisy regular model and a case-3 RRR so that
faults in the least-squares fit and in the RRR case analysis can show)."""


@dataclass(frozen=True)
class Settings:
    """SGLD settings shared by every row of the table."""

    epsilon_times_nbeta: float
    gamma: float
    num_chains: int
    num_draws: int
    num_burnin: int
    batch_size: int
    epsilon_rule: str = "fixed"
    """``"fixed"``: ε = epsilon_times_nbeta/nβ; ``"curvature"``: the default :func:`estimator.auto_epsilon`."""
    nbeta_rule: str = "n"
    """``"n"``: nβ = n/log n (Lau et al. 2023); ``"batch"``: nβ = B/log B with B the minibatch size (devinterp's
    default), a temperature at which minibatch gradient noise is far smaller relative to the posterior's spread."""


def table_nbeta(n: int, s: Settings) -> float:
    """nβ of a validation row under the settings' rule (``"n"``: n/log n; ``"batch"``: B/log B, B = min(batch, n))."""
    return estimator.default_nbeta(min(s.batch_size, n) if s.nbeta_rule == "batch" else n)


def build_problem(
    kind: str, shape: tuple[int, ...], rank: int, n: int, g: torch.Generator, regular_input_scale: float = 1.0
) -> Problem:
    """The validation problem ``(kind, shape, rank)`` with n samples drawn from ``g`` (the regular rows' inputs times
    ``regular_input_scale``)."""
    if kind == "regular":
        return models.regular_problem(shape[0], shape[1], n, g, input_scale=regular_input_scale)
    if kind == "regular-noisy":
        return models.regular_problem(shape[0], shape[1], n, g, noise=True, input_scale=regular_input_scale)
    if kind == "nc":
        return models.normal_crossing_problem(shape, n, g)
    if kind == "dln":
        return models.dln_problem(shape, rank, n, g)
    raise ValueError(f"unknown problem kind {kind!r}")


def regular_target(problem: Problem, nbeta: float, gamma: float, epsilon: float) -> float:
    """E[nβ(L_n(w) − L_n(w*))] under the *discretized* localized Langevin chain of a linear model, exactly.

    For x ↦ Wx with loss ½ mean‖y − Wx‖², L_n is quadratic with Hessian I_out ⊗ Σ̂ (Σ̂ = XᵀX/n). Along an
    eigendirection with curvature h the full-batch chain is the AR(1) process δ' = (1 − εa/2)δ + √ε ξ with
    a = nβh + γ, whose stationary variance is 1/(a(1 − εa/4)); so the target is Σ_i nβh_i/(2a_i(1 − εa_i/4)).
    It tends to d/2 as γ → 0 and ε → 0.
    """
    x = problem.data[0].double().cpu()
    h = torch.linalg.eigvalsh(x.T @ x / x.shape[0]).numpy()
    out = problem.data[1].shape[1]
    a = nbeta * h + gamma
    return float(out * np.sum(nbeta * h / (2 * a * (1 - epsilon * a / 4))))


def normal_crossing_target(powers: Sequence[int], ex2: float, nbeta: float, gamma: float, grid: int = 2001) -> float:
    """E[nβ K(w)] for K = ½E[x²]∏ w_i^{2k_i} under p(w) ∝ exp(−nβK(w) − γ‖w‖²/2), by quadrature on a grid.

    Coordinates with k_i = 0 factor out; at most two active coordinates are supported (the table's cases).
    """
    active = [k for k in powers if k > 0]
    if len(active) > 2:
        raise ValueError("quadrature supports at most two active coordinates")
    half = 6 / math.sqrt(gamma) if gamma > 0 else 6.0
    w = np.linspace(-half, half, grid)
    axes = np.meshgrid(*([w] * len(active)), indexing="ij")
    k = 0.5 * ex2 * np.prod([np.abs(a) ** (2 * p) for a, p in zip(axes, active, strict=True)], axis=0)
    logp = -nbeta * k - gamma / 2 * sum(a**2 for a in axes)
    p = np.exp(logp - logp.max())
    return float((nbeta * k * p).sum() / p.sum())


def true_rank(problem: Problem) -> int:
    """Numerical rank of the true map W_L ⋯ W_1 (singular values above 1e-6 of the largest)."""
    assert isinstance(problem.model, models.DeepLinear)
    m = problem.model.layers[0].detach().double().cpu()
    for w in list(problem.model.layers)[1:]:
        m = w.detach().double().cpu() @ m
    s = torch.linalg.svdvals(m)
    return int((s > 1e-6 * max(float(s.max()), 1e-300)).sum())


def estimate_row(
    problem: Problem, s: Settings, seed: int, device: str = "cpu", calibrated: bool = False
) -> dict[str, Any]:
    """Run the estimator on one problem and return its row of the validation table.

    With ``calibrated``, ε is the one :func:`estimator.calibrate` picks for this problem (same chains and draws)
    instead of the default ε·nβ."""
    n = problem.data[0].shape[0]
    nb = table_nbeta(n, s)
    eps = s.epsilon_times_nbeta / nb
    h_max = estimator.top_curvature(problem.model, gaussian_nll, problem.data)
    source = "default"
    if s.epsilon_rule == "curvature":
        eps = estimator.auto_epsilon(problem.model, gaussian_nll, problem.data, nb, s.gamma)
        source = "curvature"
    if calibrated:
        source = "calibrated"
        eps = estimator.calibrate(
            problem.model,
            gaussian_nll,
            problem.data,
            nbetas=[nb],
            gamma=s.gamma,
            num_chains=2,
            num_draws=s.num_draws,
            num_burnin=s.num_burnin,
            batch_size=s.batch_size,
            seed=estimator.named_seed(seed, "calibrate"),
        ).epsilon
    # A burn-in shorter than the relaxation time 1/(εγ) leaves the chain drifting along the flat directions the
    # localization alone holds (RRR 5-3-5 r=1 has τ ≈ 1,300 steps at quick against a burn-in of 150): each row burns
    # in for one relaxation time, as the public estimator's defaults do, up to four times the declared chain length
    # (the stiffest deep linear rows have τ ≈ 6,700 at quick; at a full τ their 500 draws no longer mix, R-hat 1.23).
    # A row still shorter than τ is flagged, and the relaxation-time-read probe checks that it settled anyway.
    tau = estimator.relaxation_time(eps, s.gamma) if s.gamma > 0 else 0.0
    burnin = max(s.num_burnin, min(math.ceil(tau), 4 * (s.num_burnin + s.num_draws)))
    est = estimator.estimate_llc(
        problem.model,
        gaussian_nll,
        problem.data,
        nbeta=nb,
        epsilon=eps,
        gamma=s.gamma,
        num_chains=s.num_chains,
        num_draws=s.num_draws,
        num_burnin=burnin,
        batch_size=s.batch_size,
        seed=seed,
        device=device,
        warn=False,
    )
    row: dict[str, Any] = {
        "name": problem.name,
        "family": problem.family,
        "d": problem.d,
        "exact": problem.exact,
        "multiplicity": problem.multiplicity,
        "half_d": problem.d / 2,
        "llc": est.mean,
        "llc_se": est.std_error,
        "rel_error": (est.mean - problem.exact) / problem.exact,
        "epsilon_source": source,
        "top_curvature": h_max,
        "noise": problem.noise,
        "n_inputs": int(problem.data[0].shape[1]),
        "n_outputs": int(problem.data[1].shape[1]),
        "declared_epsilon_times_nbeta": s.epsilon_times_nbeta,
        "nbeta_rule": s.nbeta_rule,
        "batch_size": s.batch_size,
        **{k: v for k, v in est.to_dict().items() if not k.startswith("llc/")},
        "chain_llcs": [float(v) for v in est.chain_llcs],
    }
    if problem.family == "regular" and (not problem.noise or s.batch_size >= n):
        # with noisy labels L_n is still exactly quadratic around the least-squares w*, so the target is exact for
        # full-batch chains; a minibatch adds gradient noise the target does not model (``minibatch_noise``)
        row["finite_target"] = regular_target(problem, nb, s.gamma, eps)
    if problem.family == "normal crossing":
        assert isinstance(problem.model, models.Monomial)
        powers = [int(v) for v in problem.model.powers.tolist()]
        row["powers"] = powers
        ex2 = float((problem.data[0] ** 2).mean())
        row["finite_target"] = normal_crossing_target(powers, ex2, nb, s.gamma)
        # the same target at γ = 1: how much of the shortfall below λ is the localization's, not the finite n's
        row["finite_target_gamma1"] = normal_crossing_target(powers, ex2, nb, 1.0)
    if isinstance(problem.model, models.DeepLinear):
        widths = [int(problem.model.layers[0].shape[1])] + [int(w.shape[0]) for w in problem.model.layers]
        row["widths"] = widths
        row["true_rank"] = true_rank(problem)
        row["rank"] = problem.rank
        if len(widths) == 3 and problem.rank is not None:
            row["rrr_formula"] = exact.rrr_lambda(widths[0], widths[1], widths[2], problem.rank)
            row["dln_formula"] = exact.dln_lambda(widths, problem.rank)
    return row


def validation_table(
    table: str,
    n: int,
    s: Settings,
    seed: int,
    device: str = "cpu",
    flat_draws_factor: int = 1,
    nc_gamma: float | None = None,
    regular_input_scale: float = 1.0,
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Every row of the named table, each problem's data drawn from its own stream of ``seed``; normal crossings
    run ``flat_draws_factor`` times more draws and burn-in (their flat axes relax slowly), at localization
    ``nc_gamma`` when given (else ``s.gamma``); the regular rows' inputs are multiplied by ``regular_input_scale``."""
    rows, problems = [], []
    for i, (kind, shape, rank) in enumerate(TABLES[table]):
        g = torch.Generator().manual_seed(estimator.named_seed(seed, "table-data", i))
        p = build_problem(kind, shape, rank, n, g, regular_input_scale)
        p.model.to(device)  # everything downstream (table, sensitivity, calibration, rescaling) runs on ``device``
        p.data = (p.data[0].to(device), p.data[1].to(device))
        problems.append(p)
        si = s
        if p.family == "normal crossing":
            si = replace(
                s,
                num_draws=s.num_draws * flat_draws_factor,
                num_burnin=s.num_burnin * flat_draws_factor,
                gamma=s.gamma if nc_gamma is None else nc_gamma,
            )
        row = estimate_row(p, si, seed=estimator.named_seed(seed, "table-chains", i), device=device)
        # the declared spec beside what was built from it: the table-as-declared probe compares the two
        row["spec"] = {"kind": kind, "shape": list(shape), "rank": rank}
        rows.append(row)
    return rows, problems


def sensitivity(problem: Problem, s: Settings, seed: int, batch_sizes: Sequence[int]) -> list[dict[str, Any]]:
    """λ̂ of one problem as ε·nβ, nβ and γ move one at a time (all settings' chains as one batched SGLD run), the
    chain length (prefixes of the longest run) and the batch size (one run each)."""
    n = problem.data[0].shape[0]
    nb0 = estimator.default_nbeta(n)
    grid: list[tuple[str, float, float, float, float]] = [("default", 1.0, s.epsilon_times_nbeta, nb0, s.gamma)]
    for f in (0.3, 3.0):
        grid.append(("epsilon", f, s.epsilon_times_nbeta * f, nb0, s.gamma))
    for f in (0.25, 4.0):
        grid.append(("nbeta", f, s.epsilon_times_nbeta, nb0 * f, s.gamma))
    if s.batch_size < n:
        # devinterp's default temperature, nβ = B/log B with B the minibatch size
        nb_b = estimator.default_nbeta(s.batch_size)
        grid.append(("nbeta-batch", nb_b / nb0, s.epsilon_times_nbeta, nb_b, s.gamma))
    for f in (0.1, 10.0):
        grid.append(("gamma", f, s.epsilon_times_nbeta, nb0, s.gamma * f))
    c = s.num_chains
    eps = torch.tensor([e / b for _, _, e, b, _ in grid for _ in range(c)], dtype=torch.float64)
    nbs = torch.tensor([b for _, _, _, b, _ in grid for _ in range(c)], dtype=torch.float64)
    gms = torch.tensor([gm for *_, gm in grid for _ in range(c)], dtype=torch.float64)
    traces, acc = estimator.sgld_chains(
        problem.model,
        gaussian_nll,
        problem.data,
        epsilon=eps,
        nbeta=nbs,
        gamma=gms,
        num_steps=s.num_burnin + s.num_draws,
        batch_size=s.batch_size,
        generator=torch.Generator().manual_seed(seed),
    )
    rows: list[dict[str, Any]] = []
    for i, (what, factor, e, b, gm) in enumerate(grid):
        sl = slice(i * c, (i + 1) * c)
        llc, se = estimator.mean_and_se(estimator.chain_estimates(traces[sl], b, s.num_burnin))
        rows.append(
            {
                "vary": what,
                "factor": factor,
                "epsilon_times_nbeta": e,
                "nbeta": b,
                "gamma": gm,
                "batch_size": s.batch_size,
                "num_draws": s.num_draws,
                "llc": llc,
                "llc_se": se,
                "mala_acceptance": float(acc[sl].mean()),
            }
        )
        if what == "default":
            for frac in (0.25, 0.5):
                t = max(2, int(s.num_draws * frac))
                llc_t, se_t = estimator.mean_and_se(
                    estimator.chain_estimates(traces[sl, : s.num_burnin + t], b, s.num_burnin)
                )
                rows.append(
                    {
                        "vary": "num_draws",
                        "factor": frac,
                        "epsilon_times_nbeta": e,
                        "nbeta": b,
                        "gamma": gm,
                        "batch_size": s.batch_size,
                        "num_draws": t,
                        "llc": llc_t,
                        "llc_se": se_t,
                        "mala_acceptance": float(acc[sl].mean()),
                    }
                )
    for bs in batch_sizes:
        if bs == s.batch_size:
            continue
        est = estimator.estimate_llc(
            problem.model,
            gaussian_nll,
            problem.data,
            nbeta=nb0,
            epsilon=s.epsilon_times_nbeta / nb0,
            gamma=s.gamma,
            num_chains=c,
            num_draws=s.num_draws,
            num_burnin=s.num_burnin,
            batch_size=bs,
            seed=estimator.named_seed(seed, "batch", bs),
            warn=False,
        )
        rows.append(
            {
                "vary": "batch_size",
                "factor": bs / s.batch_size,
                "epsilon_times_nbeta": s.epsilon_times_nbeta,
                "nbeta": nb0,
                "gamma": s.gamma,
                "batch_size": bs,
                "num_draws": s.num_draws,
                "llc": est.mean,
                "llc_se": est.std_error,
                "mala_acceptance": est.mala_acceptance,
            }
        )
    return rows


def calibration(problem: Problem, s: Settings, seed: int) -> dict[str, Any]:
    """What :func:`estimator.calibrate` picks on ``problem``, and the estimate at that setting."""
    cal = estimator.calibrate(
        problem.model,
        gaussian_nll,
        problem.data,
        gamma=s.gamma,
        num_chains=s.num_chains,
        num_draws=s.num_draws,
        num_burnin=s.num_burnin,
        batch_size=s.batch_size,
        seed=seed,
    )
    return {
        "rows": cal.rows,
        "epsilon": cal.epsilon,
        "nbeta": cal.nbeta,
        "rule": cal.rule,
        "epsilon_times_nbeta": cal.epsilon * cal.nbeta,
    }


def rescaling(problem: Problem, c: float, s: Settings, seed: int) -> dict[str, Any]:
    """λ̂ of a DLN and of the same function with layer 1 scaled by c and layer 2 by 1/c (same data)."""
    other = models.rescaled(problem, c)
    with torch.no_grad():
        same = float((problem.model(problem.data[0]) - other.model(problem.data[0])).abs().max())
    row0 = estimate_row(problem, s, seed)
    row1 = estimate_row(other, s, estimator.named_seed(seed, "rescaled"))
    return {
        "c": c,
        "name": problem.name,
        "exact": problem.exact,
        "max_output_change": same,
        "llc": row0["llc"],
        "llc_se": row0["llc_se"],
        "llc_rescaled": row1["llc"],
        "llc_rescaled_se": row1["llc_se"],
        "acceptance": row0["mala_acceptance"],
        "acceptance_rescaled": row1["mala_acceptance"],
    }


def minibatch_noise(
    problem: Problem, s: Settings, seed: int, table_row: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The noisy regular model at three settings: nβ = n/log n with the configured minibatch, the same at full batch,
    and devinterp's default nβ = B/log B with the configured minibatch. Its loss is exactly quadratic around the
    least-squares w*, so the full-batch chain has an exact target (:func:`regular_target`); the gap of the minibatch
    estimate to it is the minibatch gradient noise (the review: +47% at ``paper``, where nβ = n/log n is 2,019 and
    B = 256).

    The first setting is the validation table's own: ``table_row``, that model's row of the table run at ``s``, is
    reused for it instead of estimating the same model at the same settings a second time (issue 36)."""
    n = int(problem.data[0].shape[0])
    out = []
    for label, rule, batch in (
        ("n/log n, minibatch", "n", s.batch_size),
        ("n/log n, full batch", "n", n),
        ("B/log B, minibatch", "batch", s.batch_size),
    ):
        si = replace(s, nbeta_rule=rule, batch_size=batch)
        same = (
            table_row is not None
            and (rule, batch) == (s.nbeta_rule, s.batch_size)
            and table_row["name"] == problem.name
        )
        row = table_row if same else estimate_row(problem, si, estimator.named_seed(seed, label))
        assert row is not None
        out.append(
            {
                "setting": label,
                "nbeta": row["nbeta"],
                "batch_size": min(batch, n),
                "epsilon": row["epsilon"],
                "llc": row["llc"],
                "llc_se": row["llc_se"],
                "exact": problem.exact,
                "target": regular_target(problem, row["nbeta"], s.gamma, row["epsilon"]),
                "rel_error": row["rel_error"],
            }
        )
    return out
