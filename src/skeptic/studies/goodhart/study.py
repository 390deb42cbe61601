"""Goodhart: when you optimize a proxy U = V + X of a true utility V, does V keep rising, or does the pressure go
into the error X?

The declaration and the run, which calls the sections of ``experiment.py`` in order. The config and presets are in
``config.py``; claims and probes in ``claims.py``; the brief in ``brief.py``; figures in ``figures.py``; the fault
catalog in ``faults.py``.
"""

from __future__ import annotations

from typing import Any

from skeptic.studies.goodhart import experiment as ex
from skeptic.studies.goodhart.brief import BRIEF
from skeptic.studies.goodhart.claims import CLAIMS, PROBES
from skeptic.studies.goodhart.config import PRESETS, GoodhartConfig
from skeptic.studies.goodhart.faults import FAULTS
from skeptic.studies.goodhart.figures import make_figures
from skeptic.study import Budget, RunContext, StudyOutput, study


@study(
    name="goodhart",
    question="When you optimize a proxy U = V + X of a true utility V, does V keep rising, or does the pressure go "
    "into the error X?",
    sources=(
        "Kwa, Thomas & Garriga-Alonso 2024, 'Catastrophic Goodhart', arXiv 2407.14503 (Theorems 1, 5, 6; Figure 3; "
        "synthetic best-of-n figure; Discussion of the independence assumption)",
        "Thomas & Kwa 2023, 'When is Goodhart catastrophic?' (the conditioning model)",
        "Gao, Schulman & Hilton 2022, 'Scaling laws for reward model overoptimization', arXiv 2210.10760 (the "
        "functional forms of gold reward against √KL)",
        "Taylor 2016, 'Quantilizers: a safer alternative to maximizers for limited optimization' (the cost bound)",
    ),
    presets=PRESETS,
    claims=CLAIMS,
    probes=PROBES,
    brief=BRIEF,
    runtime={
        "test": "~5 s",
        "quick": "~12 s (10.1-12.3 s wall in `make demo` on a quiet machine, sessions 14-15)",
        "paper": "~4 min",
    },
    faults=FAULTS,
    budget=Budget(
        scale={"n_thresholds": 4, "mc_samples": 4, "mc_trials": 4, "proxy_seeds": 4},
        set={"t_max_sd": 30.0},
        note="four times the thresholds, Monte Carlo draws, trials and proxy fits, and thresholds out to 30 σ_U "
        "(the threshold range is where a line-made verdict flipped before: Weibull at 20 vs 30 σ_U)",
    ),
    audit_preset="test",
    audit_preset_why="every claim is decided by exact quadrature, whose grid the test preset shares with quick; the "
    "test preset differs only in Monte Carlo sizes (the probes) and in a coarser threshold grid, which the larger "
    "budget refines",
)
def run(config: GoodhartConfig, ctx: RunContext) -> StudyOutput:
    model = ex.Model(config)
    m: dict[str, Any] = ex.basics(model)
    for name, section in (
        ("tails", ex.tails),
        ("conditioning", ex.conditioning),
        ("best of n", ex.best_of_n),
        ("quantilizers", ex.quantilizers),
        ("KL optimum", ex.kl_optimum),
    ):
        with ctx.section(name):
            m |= section(model, ctx)
    with ctx.section("Monte Carlo checks"):
        m |= ex.monte_carlo(model, ctx, m)
    with ctx.section("assumptions"):
        m |= ex.assumptions(model, ctx)
    return StudyOutput(measurements=m, figures=make_figures(m), tables=ex.tables(m))
