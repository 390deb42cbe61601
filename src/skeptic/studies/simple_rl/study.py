"""simple-rl: does a simple RL recipe (GRPO with a KL penalty) teach a small pretrained model, which KL does its
penalty really optimize, and does it protect the true objective when the reward is a flawed proxy?

Two experiments (:mod:`.experiment`). A tiny transformer pretrained on a noisy 144-answer copy task is trained with
GRPO (Shao et al. 2024) on a 0/1 correctness reward (DeepSeek-AI 2025) and on a grader with an exploitable flaw
(Gao et al. 2022); every answer has two tokens, so pass@k and KL are exact. On a graded task with 10⁴ answers
(:mod:`.graded`), tables of logits are trained by the expected updates of three arms (KL in the reward; k3 in the
loss as GRPO does, with and without std normalization) on the true reward and on proxies with light- or
heavy-tailed error (Kwa et al. 2024), and each arm is compared with the exact optimum of the objective it ascends.
Views vs presentation: a linear probe reads a property of the problem from the base transformer's last layer; RL
with a KL penalty, and SFT as the contrast, teach an answer that ignores it, and the frozen probe is read again.
"""

from __future__ import annotations

import time

import torch

from skeptic.studies.simple_rl import experiment
from skeptic.studies.simple_rl.brief import BRIEF
from skeptic.studies.simple_rl.claims import CLAIMS, PROBES
from skeptic.studies.simple_rl.config import BUDGET, PASS_KS, PRESETS, SimpleRLConfig
from skeptic.studies.simple_rl.faults import FAULTS
from skeptic.studies.simple_rl.figures import make_figures, make_tables
from skeptic.study import RunContext, StudyOutput, keep_freed_memory, study, torch_threads

__all__ = ["PRESETS", "SimpleRLConfig", "run"]


@study(
    name="simple-rl",
    question=(
        "Does a simple RL recipe (GRPO with a KL penalty, on a checkable reward) teach a small pretrained model "
        "beyond what it could already sample, which KL does its penalty optimize, and does it protect the true "
        "goal when the reward is a flawed proxy?"
    ),
    sources=(
        "DeepSeek-AI 2025, DeepSeek-R1 (arXiv 2501.12948)",
        "Shao et al. 2024, DeepSeekMath: GRPO (arXiv 2402.03300)",
        "Ouyang et al. 2022, RLHF with a KL penalty (arXiv 2203.02155)",
        "Yue et al. 2025, pass@k of RL vs base models (arXiv 2504.13837)",
        "Kwa, Thomas & Garriga-Alonso 2024, catastrophic Goodhart (arXiv 2407.14503)",
        "Gao, Schulman & Hilton 2022, reward-model over-optimization (arXiv 2210.10760)",
    ),
    presets=PRESETS,
    claims=CLAIMS,
    probes=PROBES,
    brief=BRIEF,
    runtime={
        "test": "~15 s",
        "quick": "~30 s of CPU (2026-12-07, session 15: 27.9 s user + 0.9 s system at seed 0 (29.6 + 0.9 on a "
        "repeat), 29.3 + 0.8 at seed 1, one thread, 1.1 GB peak, at load 6–15)",
        "paper": "~10 min of CPU (2026-12-07, session 15, seed 0, with the early evaluations: 532 s user + 23 s "
        "system on one thread, 4.6 GB peak; 19 min wall at load ~3–7)",
    },
    faults=FAULTS,
    budget=BUDGET,
    audit_preset="test",
    audit_preset_why="the test preset already trains the flawed-grader policy past its peak and the graded arms onto "
    "their fixed points (10⁴ answers), so every verdict that can change does so there, in seconds",
)
def run(config: SimpleRLConfig, ctx: RunContext) -> StudyOutput:
    t0, cpu0 = time.perf_counter(), time.process_time()
    keep_freed_memory()  # fewer page faults for the many small tensors of the stacked transformers
    with torch_threads(1), torch.random.fork_rng(devices=[]):  # many tiny matrices: one thread is fastest
        with ctx.section("pretrain"):
            bases = experiment.pretrain_bases(config, ctx, ctx.device)
        with ctx.section("transformer"):
            m = experiment.lm_experiment(config, ctx, ctx.device, bases)
        with ctx.section("views"):
            m["views"] = experiment.views_experiment(config, ctx, bases)
        with ctx.section("graded"):
            m["graded"] = experiment.graded_experiment(config, ctx)
        with ctx.section("simulation"):
            m["simulation"] = experiment.claim_simulation(config, ctx)
        with ctx.section("kl-gradients"):
            m["kl_gradients"] = experiment.kl_gradient_check(ctx)
        with ctx.section("optimizer-check"):
            m["optimizer_check"] = experiment.optimizer_check(ctx)
    m["config"] = {"n_seeds": config.n_seeds, "betas": list(config.betas), "beta_main": config.beta_main,
                   "pass_ks": list(PASS_KS), "graded_betas": list(config.graded_betas)}  # fmt: skip
    m["timing"] |= {"total_s": time.perf_counter() - t0, "cpu_s": time.process_time() - cpu0}
    return StudyOutput(m, make_figures(m), make_tables(m))
