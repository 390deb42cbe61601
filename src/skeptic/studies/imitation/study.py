"""Imitation: does copying a teacher teach faster than being rewarded, does learning on one's own mistakes beat
copying, and does a small model trained long enough on the truth end up as good as one distilled from a teacher?

A running sum mod p written out step by step (:mod:`skeptic.studies.imitation.task`) has an exact teacher, an exact
checker and a horizon T that can be varied. Tiny one-layer transformers (the shared ``skeptic.models``
TinyTransformer) learn it from scratch on CPU, every seed and method of an experiment stacked into one batched
computation (:mod:`skeptic.studies.imitation.nets`). The three experiments are in
:mod:`skeptic.studies.imitation.experiments`; this module runs them, records what the probes check, and assembles the
measurements, figures and tables.
"""

from __future__ import annotations

from typing import Any

from skeptic.studies.imitation import experiments
from skeptic.studies.imitation.brief import BRIEF
from skeptic.studies.imitation.claims import CLAIMS, PROBES
from skeptic.studies.imitation.config import PRESETS, ImitationConfig
from skeptic.studies.imitation.faults import FAULTS
from skeptic.studies.imitation.figures import make_figures, make_tables
from skeptic.study import Budget, RunContext, StudyOutput, study, torch_threads


@study(
    name="imitation",
    question="Does copying a teacher's worked answers teach a small model far faster than rewarding it for right "
    "answers, does learning on its own mistakes beat copying (more so over long tasks), and does a small model "
    "trained long enough on the truth end up as good as one distilled from a teacher?",
    sources=(
        "Ross, Gordon & Bagnell 2011, A reduction of imitation learning and structured prediction to no-regret online "
        "learning (DAgger; AISTATS): Section 2 (behaviour cloning's cost ≤ J(π*) + T²ε) and Section 3.1 (DAgger's "
        "uTε_N + O(1))",
        "Agarwal et al. 2024, On-policy distillation of language models: learning from self-generated mistakes (GKD, "
        "arXiv 2306.13649)",
        "Qwen Team 2025, Qwen3 technical report (arXiv 2505.09388): Table 21 (RL vs on-policy distillation from the "
        "same off-policy-distilled checkpoint, in GPU hours)",
        "Lawrence Chan, comments on LessWrong, 2025 (SFT >> RL for efficiency; on-policy distillation/DAgger > SFT a "
        "smaller improvement; overtrained ≈ distilled small models)",
        "Hinton, Vinyals & Dean 2015, Distilling the knowledge in a neural network (arXiv 1503.02531)",
        "Busbridge et al. 2025, Distillation scaling laws (arXiv 2502.08606)",
    ),
    presets=PRESETS,
    claims=CLAIMS,
    probes=PROBES,
    brief=BRIEF,
    runtime={"test": "~4 s", "audit": "~46 s", "quick": "~30 s", "paper": "~5 min"},
    faults=FAULTS,
    budget=Budget(
        scale={"sft_steps": 4, "rl_steps": 4, "horizon_steps": 4, "distill_steps": 4},
        note="every arm trains four times longer: a verdict that moves is set by the training budget",
    ),
    audit_preset="audit",
    audit_preset_why="at test the students train a few dozen steps and no arm learns, so no verdict can move; "
    "audit is the cheapest preset whose arms all learn and whose probes all pass clean at seeds 0-2 (about 46 CPU s "
    "since session 16's eight independent checkpoints; 38 with session 14's four, 23 before), so a mutation audit of "
    "a few hundred executions is affordable",
)
def run(config: ImitationConfig, ctx: RunContext) -> StudyOutput:
    with torch_threads(1):  # dozens of tiny models: one thread is fastest and leaves the other core free
        return _run(config, ctx)


def _run(config: ImitationConfig, ctx: RunContext) -> StudyOutput:
    with ctx.progress("imitation: 3 experiments", total=3) as advance:
        with ctx.section("sft_vs_rl"):
            exp1 = experiments.sft_vs_rl(config, ctx)
        advance(1)
        with ctx.section("horizons"):
            exp2 = experiments.horizons(config, ctx)
        advance(1)
        with ctx.section("distill"):
            exp3 = experiments.distill_vs_overtrain(config, ctx)
        advance(1)
    m: dict[str, Any] = {
        "sft_vs_rl": exp1,
        "horizons": exp2,
        "distill": exp3,
        "bits_check": experiments.bits_check(),
        "bits_hand": experiments.HAND_BITS,
        "teacher_check": experiments.teacher_check(config, ctx),
        "reference_checks": experiments.reference_checks(ctx),
    }
    return StudyOutput(m, make_figures(m, config), make_tables(m, config))
