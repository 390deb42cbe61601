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

import time
from typing import Any

import torch

from skeptic.core.device import torch_threads
from skeptic.core.study import RunContext, StudyOutput, study
from skeptic.studies.imitation import experiments, task
from skeptic.studies.imitation.brief import BRIEF
from skeptic.studies.imitation.claims import CLAIMS, PROBES
from skeptic.studies.imitation.config import PRESETS, ImitationConfig
from skeptic.studies.imitation.faults import FAULTS
from skeptic.studies.imitation.figures import make_figures, make_tables

HAND_BITS = {
    "demo_T3_p2": 3.0,
    "demo_T2_p4": 4.0,
    "demo_T1_p8": 3.0,
    "reward_q0.5": 1.0,
    "reward_q0.25": 0.8112781244591328,
}
"""Bits computed by hand: T·log₂ p for (3, 2), (2, 4), (1, 8); H(1/2) = 1; H(1/4) = 2 − (3/4)·log₂ 3 ≈ 0.811278."""


def bits_check() -> dict[str, float]:
    """The study's bits accounting evaluated on the hand-computed cases of :data:`HAND_BITS`."""
    return {
        "demo_T3_p2": task.demonstration_bits(3, 2),
        "demo_T2_p4": task.demonstration_bits(2, 4),
        "demo_T1_p8": task.demonstration_bits(1, 8),
        "reward_q0.5": task.reward_bits(0.5),
        "reward_q0.25": task.reward_bits(0.25),
    }


def teacher_check(config: ImitationConfig, seed: int, device: str = "cpu") -> dict[str, Any]:
    """The exact teacher against the pure-Python checker, on held-out prompts at every horizon of the study.

    Two invariants: iterating the teacher's rule ``π*`` from an empty answer reproduces the running sum, and every
    final answer of that rollout passes :func:`task.check_answer`.
    """
    gen = torch.Generator(device=device).manual_seed(seed)
    checked = agree = rule_agree = 0
    for T in sorted({config.rl_horizon, config.distill_horizon, *config.horizons}):
        x = task.sample_prompts(min(config.eval_prompts, 256), T, config.p, gen, split="eval", device=device)
        y = torch.zeros_like(x)
        for t in range(T):  # the teacher acting step by step on its own answers
            y[:, t] = task.teacher_labels(x, y, config.p)[:, t]
        rule_agree += int((y == task.running_sum(x, config.p)).all(-1).sum())
        agree += sum(task.check_answer(a, b, config.p) for a, b in zip(x.tolist(), y.tolist(), strict=True))
        checked += x.shape[0]
    return {"prompts": checked, "checker_agrees": agree, "rule_matches_running_sum": rule_agree}


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
        "Qwen Team 2025, Qwen3 technical report (arXiv 2505.09388): Table 21 (on-policy distillation vs RL)",
        "Hinton, Vinyals & Dean 2015, Distilling the knowledge in a neural network (arXiv 1503.02531)",
        "Busbridge et al. 2025, Distillation scaling laws (arXiv 2502.08606)",
    ),
    presets=PRESETS,
    claims=CLAIMS,
    probes=PROBES,
    brief=BRIEF,
    runtime={"test": "~5 s", "quick": "~40 s", "paper": "~7 min"},
    faults=FAULTS,
)
def run(config: ImitationConfig, ctx: RunContext) -> StudyOutput:
    with torch_threads(1):  # dozens of tiny models: one thread is fastest and leaves the other core free
        return _run(config, ctx)


def _run(config: ImitationConfig, ctx: RunContext) -> StudyOutput:
    t0, cpu0 = time.perf_counter(), time.process_time()
    timing: dict[str, float] = {}
    base = 1000 * ctx.seed
    with ctx.progress("imitation: 3 experiments", total=3) as advance:
        t = time.perf_counter()
        exp1 = experiments.sft_vs_rl(config, base + 1, ctx.device)
        timing["sft_vs_rl_s"] = time.perf_counter() - t
        advance(1)
        t = time.perf_counter()
        exp2 = experiments.horizons(config, base + 2, ctx.device)
        timing["horizons_s"] = time.perf_counter() - t
        advance(1)
        t = time.perf_counter()
        exp3 = experiments.distill_vs_overtrain(config, base + 3, ctx.device)
        timing["distill_s"] = time.perf_counter() - t
        advance(1)
    m: dict[str, Any] = {
        "config": {"p": config.p, "n_seeds": config.n_seeds, "rl_horizon": config.rl_horizon,
                   "horizons": list(config.horizons), "distill_horizon": config.distill_horizon,
                   "batch": config.batch, "sft_steps": config.sft_steps, "rl_steps": config.rl_steps,
                   "rl_episodes_per_step": config.rl_prompts * config.rl_group, "horizon_steps": config.horizon_steps,
                   "distill_steps": config.distill_steps, "eval_prompts": config.eval_prompts},
        "sft_vs_rl": exp1,
        "horizons": exp2,
        "distill": exp3,
        "bits_check": bits_check(),
        "bits_hand": HAND_BITS,
        "teacher_check": teacher_check(config, base + 4, ctx.device),
        "timing": timing | {"total_s": time.perf_counter() - t0, "cpu_s": time.process_time() - cpu0},
    }  # fmt: skip
    return StudyOutput(m, make_figures(m), make_tables(m))
