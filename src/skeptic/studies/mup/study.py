"""mup: does the optimal learning rate transfer across width under μP, and can a deep linear network explain why?

Tensor Programs V (Yang et al. 2022) says that under the maximal-update parametrization (μP) the optimal learning rate
of a network is stable as its width grows, so it can be tuned on a small model and reused on a large one, while under
the standard parametrization (SP) it shifts. This study trains character-level MLPs and small transformers on Python's
own documentation in both parametrizations, with SGD and Adam, sweeps the learning rate at several widths (each
width's sweep one batched computation), runs coordinate checks, checks its μP against Microsoft's ``mup``, and tests
the width exponents of a one-step deep-linear derivation (:mod:`skeptic.studies.mup.exponents`).

The declaration and the run, which calls the sections of ``experiment.py`` in order. The config and presets are in
``config.py``; claims and probes in ``claims.py``; the brief in ``brief.py``; figures and tables in ``figures.py``; the
fault catalog in ``faults.py``.
"""

from __future__ import annotations

from skeptic.studies.mup import experiment as ex
from skeptic.studies.mup.brief import BRIEF
from skeptic.studies.mup.claims import CLAIMS, PROBES
from skeptic.studies.mup.config import PRESETS, MupConfig
from skeptic.studies.mup.faults import FAULTS
from skeptic.studies.mup.figures import make_figures, make_tables
from skeptic.study import Budget, RunContext, StudyOutput, study, torch_threads


@study(
    name="mup",
    question="Under the maximal-update parametrization, does the best learning rate of a small network carry over to "
    "a wide one, and does a deep linear network explain the width scaling?",
    sources=(
        "Yang et al. 2022, Tensor Programs V: tuning large neural networks via zero-shot hyperparameter transfer "
        "(arXiv 2203.03466), Table 3 and Figures 1 and 3",
        "Yang & Hu 2021, Tensor Programs IV: feature learning in infinite-width neural networks (arXiv 2011.14522)",
        "Microsoft mup package (github.com/microsoft/mup): MuReadout, MuSGD/MuAdam and coordinate checks",
    ),
    presets=PRESETS,
    claims=CLAIMS,
    probes=PROBES,
    brief=BRIEF,
    runtime={
        "test": "~4.5 s of CPU beyond imports (2 shared cores, load ~5)",
        "audit": "~21 s of CPU, one thread, whole process (~17 s before session 13's deep linear sweep)",
        "quick": "~23 s of CPU, one thread (the audit preset's settings; 22.2-23.7 s at load ~6 with the deep linear "
        "sweep against 18.5-18.8 without it, interleaved; 46 s for the former quick at load ~12)",
        "paper": "~11 min (measured 2026-11-24: 647 s on one thread, beside another study)",
    },
    faults=FAULTS,
    budget=Budget(
        scale={"mlp_steps": 4, "transformer_steps": 4, "eval_windows": 4},
        set={"seeds": 8, "transformer_seeds": 6, "coord_seeds": 6},
        note="4× the training steps and held-out windows, twice the seeds: the optimum's position and the "
        "wider-is-better ordering are read after training, which more steps can move",
    ),
    audit_preset="audit",
    audit_preset_why="at test (2 seeds, 20 steps) 10 of 12 claims are inconclusive, so neither a mutant nor a contrast "
    "can move a verdict; the former quick (widths 32-256) cost 35-48 CPU s a run and decided 5, and quick now runs "
    "these settings. audit (widths 16-128, 5 seeds of 60 MLP steps, "
    "a two-width transformer sweep, 4 coordinate-check seeds) costs about 17 CPU s a run (one thread, whole process, "
    "measured 2026-12-06 at load 4-5) and decides 6, 7 and 8 of 12 claims at seeds 0, 1 and 2, every probe passing; "
    "with session 13's deep linear sweep (about +4 CPU s) 7 and 9 of 14 at seeds 0 and 1; 13 claims since session 16 "
    "(the MLP/SGD wider-is-better slope a described measurement). Its 60 MLP steps do not settle the μP MLP's "
    "optimum (config.AUDIT_SIZES says by how much), so those claims are budget-dependent here",
)
def run(config: MupConfig, ctx: RunContext) -> StudyOutput:
    with torch_threads(1):  # small batched models: intra-op threads only add contention on a shared machine
        s = ex.setup(config, ctx)
        m = ex.basics(config, s)
        with ctx.progress("mup: coordinate checks and learning-rate sweeps", total=ex.progress_units(config)) as tick:
            with ctx.section("coordinate checks"):
                m |= ex.coordinate_checks(config, s, tick)
                m |= ex.reference_crosscheck(config, s)
            with ctx.section("learning-rate sweeps"):
                m |= ex.lr_sweeps(config, s, tick)
            with ctx.section("reference recomputations"):
                m |= ex.reference_retrain(config, s)
    return StudyOutput(m, make_figures(m), make_tables(m))
