"""Random labels: can networks that generalize also memorize noise, and what then explains generalization?

The declaration and the run, which calls the sections of ``experiment.py`` in order. The config and presets are in
``config.py``; claims and probes in ``claims.py``; the brief in ``brief.py``; figures and tables in ``figures.py``;
the fault catalog in ``faults.py``.
"""

from __future__ import annotations

from skeptic.studies.random_labels import experiment as ex
from skeptic.studies.random_labels.brief import BRIEF
from skeptic.studies.random_labels.claims import CLAIMS, PROBES
from skeptic.studies.random_labels.config import PRESETS, RandomLabelsConfig
from skeptic.studies.random_labels.faults import FAULTS
from skeptic.studies.random_labels.figures import make_figures, make_tables
from skeptic.study import Budget, RunContext, StudyOutput, study


@study(
    name="random-labels",
    question="Do networks that generalize also fit random labels, how much longer does it take, and which "
    "complexity measures tell the two apart?",
    sources=(
        "Zhang, Bengio, Hardt, Recht & Vinyals 2017, Understanding deep learning requires rethinking generalization "
        "(ICLR; arXiv 1611.03530): Table 1, Figure 1, Theorem 1",
        "Arpit et al. 2017, A closer look at memorization in deep networks",
        "Bartlett, Foster & Telgarsky 2017, Spectrally-normalized margin bounds for neural networks",
        "Neyshabur, Bhojanapalli, McAllester & Srebro 2017, Exploring generalization in deep learning",
    ),
    presets=PRESETS,
    claims=CLAIMS,
    probes=PROBES,
    brief=BRIEF,
    runtime={
        "test": "~5 s",
        "audit": "~13 CPU s with the imports (five seeds)",
        "quick": "~30 s of CPU on one thread (250 images, width 256; 28.7 s at seed 0, 2026-12-07, at load ~7); on a "
        "loaded machine run it with OMP_NUM_THREADS=1: two threads cost ~9x the CPU there",
        "paper": "~3 min alone on 2 cores (168 s, 2026-11-24); ~10 min on one thread beside another study",
    },
    faults=FAULTS,
    budget=Budget(
        scale={"max_steps": 4, "sharpness_draws": 4},
        set={"n_seeds": 10},
        note="four times the step cap (most runs stop at the loss threshold well before it), four times the "
        "sharpness draws, and ten seeds (the most the config takes; the audit preset has five)",
    ),
    audit_preset="audit",
    audit_preset_why="quick costs ~80-100 CPU s a run (a 40-mutant audit ~32 min on 2 cores); audit keeps test's "
    "100 images and width 128 but lifts the step cap to 1,500, so every condition and seed fits (to 100% and to "
    "loss 0.05, the augmented nets last, ~1,300 steps) and trains five seeds (two gave t-intervals with t = 12.7, and "
    "eight verdicts moved with the seed or the budget) at ~13 CPU s with the imports (~9 with two seeds); test stops "
    "at 250 steps, before the random-label nets fit, where 10 of 18 verdicts moved with the budget.",
)
def run(config: RandomLabelsConfig, ctx: RunContext) -> StudyOutput:
    clock = ex.Clock()
    with ctx.section("conditions"):
        ds = ex.load(config)
        conds = ex.conditions(config, ds, ctx)
    models: list[ex.ModelResult] = []
    for i, name in enumerate(config.models):  # the first is the main model: every condition and corruption level
        with ctx.section(f"train {name}"), clock(f"train_{name}"):
            trained = ex.train_model(config, ds, conds, name, main=i == 0, ctx=ctx)
        with ctx.section(f"measures {name}"), clock(f"measures_{name}"):
            models.append(ex.measure_model(config, ds, conds, trained, ctx))
    with ctx.section("size sweep"), clock("size_sweep"):
        size_runs = ex.size_sweep(config, ds, conds, [r for mr in models for r in mr.runs], ctx)
    hashes = ex.test_label_hashes(conds)
    with ctx.section("theorem 1"), clock("theorem1"):
        theorem1 = ex.theorem1(ds, ctx)
    with ctx.section("min-norm interpolants"), clock("min_norm"):
        min_norm = ex.min_norm(config, ds, conds)
    with ctx.section("reference step"), clock("reference_step"):
        reference = ex.reference_step(config, ds, conds)
    with ctx.section("declared draws"), clock("declared_draws"):
        drawn = ex.declared_draws(config, ds, ctx)
    m = ex.measurements(
        config,
        ds,
        conds,
        models,
        size_runs,
        theorem1,
        min_norm,
        hashes,
        clock.timing(),
        str(ctx.device),
        reference,
        drawn,
    )
    return StudyOutput(m, make_figures(m, config), make_tables(m, config))
