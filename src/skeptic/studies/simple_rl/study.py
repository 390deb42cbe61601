"""simple-rl: does a simple RL recipe (GRPO with a KL penalty) teach a small pretrained model, what does the KL
penalty buy, and does it protect the true objective when the reward is a flawed proxy?

A tiny transformer is pretrained on a noisy corpus of a copy task (prompt ``a b c =``, answer ``c a``; right only
sometimes, and mostly wrong on 'hard' problems, c ≥ 5), then trained with
GRPO (Shao et al. 2024) on a 0/1 correctness reward (DeepSeek-AI 2025), and on proxies: the true reward plus a
light- or heavy-tailed error (Kwa et al. 2024), and a grader with an exploitable flaw (Gao et al. 2022). Every
answer has two tokens, so each policy's answer distribution, pass@k, KL to the base model and the KL-regularized
optimum are computed exactly; sampled rollouts are checked against them.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch
from pydantic import Field, model_validator

from skeptic.core.device import keep_freed_memory, torch_threads
from skeptic.core.study import RunContext, StudyConfig, StudyOutput, study
from skeptic.studies.simple_rl import analysis, experiment, grpo, policy, task
from skeptic.studies.simple_rl.brief import BRIEF
from skeptic.studies.simple_rl.claims import CLAIMS, PROBES
from skeptic.studies.simple_rl.faults import FAULTS
from skeptic.studies.simple_rl.figures import make_figures, make_tables

PASS_KS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
"""k of the pass@k curves (Yue et al. 2025 go to 256 and beyond; exact here, so any k is free)."""


class SimpleRLConfig(StudyConfig):
    n_seeds: int = Field(3, ge=2, le=8)
    """Independent replicates (base model, RL policies, proxy errors); ≥ 2 for the seed-agreement probe."""
    d_model: int = Field(32, ge=8, le=256)
    """Transformer width."""
    n_layers: int = Field(2, ge=1, le=8)
    """Transformer blocks (the CKA is read after each)."""
    n_heads: int = Field(2, ge=1, le=8)
    """Attention heads (must divide d_model)."""
    n_heldout: int = Field(100, ge=10, le=500)
    """Problems held out of pretraining and RL (half easy, half hard problems) for pass@1 and pass@k."""
    p_correct_easy: float = Field(0.5, gt=0.0, lt=1.0)
    """Corpus: share of easy problems (c < 5) shown with the right answer (the rest: uniform random digits)."""
    p_correct_hard: float = Field(0.15, gt=0.0, lt=1.0)
    """Corpus: share of hard problems (c ≥ 5) shown with the right answer."""
    p_misconception_hard: float = Field(0.5, ge=0.0, lt=1.0)
    """Corpus: share of hard problems shown in the wrong order, ``a c`` (a systematic misconception)."""
    p_garble: float = Field(0.02, ge=0.0, lt=0.5)
    """Corpus: share of answers with one digit garbled into ``#`` (what the flawed grader accepts)."""
    pretrain_steps: int = Field(400, ge=10, le=100_000)
    """Adam steps of pretraining (cosine-decayed)."""
    pretrain_batch: int = Field(128, ge=16, le=8192)
    """Corpus sequences per pretraining step and model."""
    pretrain_lr: float = Field(0.02, gt=0.0, le=1.0)
    """Peak pretraining learning rate."""
    rl_steps: int = Field(60, ge=1, le=100_000)
    """GRPO iterations (each: sample, score, update)."""
    rl_prompts: int = Field(8, ge=1, le=1024)
    """Prompts per GRPO iteration (shared by the policies of one step)."""
    group: int = Field(8, ge=2, le=256)
    """G, answers sampled per prompt (DeepSeekMath: 64)."""
    inner_steps: int = Field(1, ge=1, le=16)
    """Gradient steps per batch of rollouts (DeepSeekMath's μ; 1 is on-policy)."""
    clip: float = Field(0.2, gt=0.0, le=1.0)
    """ε of the clipped ratio (DeepSeekMath: 0.2)."""
    rl_lr: float = Field(0.003, gt=0.0, le=1.0)
    """Adam learning rate of GRPO (constant)."""
    betas: tuple[float, ...] = (0.01, 0.04, 0.16)
    """KL coefficients β of the sweep (increasing; DeepSeekMath used 0.04)."""
    beta_main: float = Field(0.04, gt=0.0)
    """β of the headline RL model (pass@1, pass@k, CKA); must be one of ``betas``."""
    error_scale: float = Field(0.5, gt=0.0, le=10.0)
    """SD of the proxy error X (in units of the true reward's 0/1 gap)."""
    flaw_bonus: float = Field(1.5, gt=0.0, le=10.0)
    """The flawed grader's bonus for an answer containing ``#`` (> 1 makes a garbled answer outscore a correct one)."""
    monitor_prompts: int = Field(48, ge=4, le=900)
    """Training problems on which the true and proxy rewards are tracked exactly over training."""
    eval_every: int = Field(10, ge=1, le=100_000)
    """GRPO iterations between exact evaluations."""
    probe_samples: int = Field(16, ge=4, le=1024)
    """Sampled answers per monitor prompt and policy for the probes (k3, sampler, checker)."""

    @model_validator(mode="after")
    def _check(self) -> SimpleRLConfig:
        if self.d_model % self.n_heads:
            raise ValueError("n_heads must divide d_model")
        if list(self.betas) != sorted(set(self.betas)) or len(self.betas) < 2 or self.betas[0] <= 0:
            raise ValueError("betas must be ≥ 2 increasing positive values")
        if self.beta_main not in self.betas:
            raise ValueError("beta_main must be one of betas")
        if self.p_correct_hard + self.p_misconception_hard >= 1:
            raise ValueError("p_correct_hard + p_misconception_hard must be < 1")
        return self


PRESETS = {
    "test": SimpleRLConfig(
        n_seeds=2,
        d_model=16,
        n_layers=1,
        n_heldout=40,
        pretrain_steps=100,
        pretrain_batch=128,
        pretrain_lr=0.03,
        rl_steps=12,
        rl_prompts=6,
        group=6,
        betas=(0.04, 0.16),
        monitor_prompts=24,
        eval_every=12,
        probe_samples=8,
    ),
    "quick": SimpleRLConfig(),
    "paper": SimpleRLConfig(
        n_seeds=4,
        n_heldout=200,
        pretrain_steps=1500,
        pretrain_batch=256,
        rl_steps=300,
        rl_prompts=16,
        group=8,
        inner_steps=2,
        betas=(0.0025, 0.01, 0.04, 0.16, 0.64),
        monitor_prompts=96,
        eval_every=25,
        probe_samples=32,
    ),
}


def _np(x: torch.Tensor) -> np.ndarray:
    return x.detach().double().cpu().numpy()


@study(
    name="simple-rl",
    question=(
        "Does a simple RL recipe (GRPO with a KL penalty, on a checkable reward) teach a small pretrained model "
        "beyond what it could already sample, and does the KL penalty protect the true goal when the reward is "
        "a flawed proxy?"
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
        "test": "~3 s",
        "quick": "~45 s",
        "paper": "~10 min (measured 2026-11-24: 578 s on one thread, beside another study; peak RSS 7.1 GB)",
    },
    faults=FAULTS,
)
def run(config: SimpleRLConfig, ctx: RunContext) -> StudyOutput:
    t0, cpu0 = time.perf_counter(), time.process_time()
    keep_freed_memory()  # quick: 6.5 s of the kernel's page-fault time becomes 0.7 s (36.0 -> 31.5 s wall)
    with torch_threads(1), torch.random.fork_rng(devices=[]):  # many tiny matrices: one thread is fastest
        m = _run(config, ctx, ctx.device)
    m["timing"] |= {"total_s": time.perf_counter() - t0, "cpu_s": time.process_time() - cpu0}
    return StudyOutput(m, make_figures(m), make_tables(m))


def _run(config: SimpleRLConfig, ctx: RunContext, device: str) -> dict[str, Any]:
    timing: dict[str, float] = {}
    S = config.n_seeds
    problems = task.all_problems()
    train, held = task.split_problems(config.n_heldout, ctx.rng("split"))
    monitor = np.sort(ctx.rng("monitor").choice(train, config.monitor_prompts, replace=False))
    corpus = task.Corpus(config.p_correct_easy, config.p_correct_hard, config.p_misconception_hard, config.p_garble)

    # 1. pretraining: S base models, one stacked computation
    shape = policy.make_shape(config.d_model, config.n_layers, config.n_heads)
    init_seeds = [int(s) for s in ctx.rng("init").integers(0, 2**31, S)]
    template, base = policy.init_stacked(shape, init_seeds, device)
    corpus_rng = ctx.rng("corpus")

    def corpus_batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        idx = corpus_rng.choice(train, (S, config.pretrain_batch))
        seq = corpus.sample(problems[idx.reshape(-1)], corpus_rng)
        target = corpus.soft_targets(seq)
        return (
            torch.as_tensor(seq, device=device).reshape(S, config.pretrain_batch, -1),
            torch.as_tensor(target, dtype=torch.float32, device=device).reshape(S, config.pretrain_batch, 2, -1),
        )

    t = time.perf_counter()
    with ctx.progress("pretraining base models", total=None):
        pre_losses = policy.pretrain(template, base, corpus_batch, config.pretrain_steps, config.pretrain_lr)
    timing["pretrain_s"] = time.perf_counter() - t

    held_prompts = torch.as_tensor(task.prompts(problems[held]), device=device)
    mon_prompts = torch.as_tensor(task.prompts(problems[monitor]), device=device)
    held_ans = task.answer_tokens(problems[held])
    mon_ans = task.answer_tokens(problems[monitor])
    held_idx = task.answer_ids(held_ans)
    mon_idx = task.answer_ids(mon_ans)
    base_held = _np(policy.answer_logprobs(template, base, held_prompts))  # [S, P, 144]
    base_mon = _np(policy.answer_logprobs(template, base, mon_prompts))

    # 2. the RL stack
    specs = experiment.policy_specs(S, config.betas, config.beta_main, config.rl_lr)
    M = len(specs)
    seed_of = torch.tensor([s["seed"] for s in specs], device=device)
    err_rng = ctx.rng("errors")
    errors_by_seed = {
        s: {k: experiment.error_table(k, config.error_scale, err_rng) for k in ("light", "heavy")} for s in range(S)
    }
    garbled = np.array([task.GARBLE in (a // task.VOCAB, a % task.VOCAB) for a in range(task.N_ANSWERS)], float)
    err = np.zeros((M, task.N_ANSWERS))
    for i, sp in enumerate(specs):
        if sp["kind"] in ("light", "heavy"):
            err[i] = errors_by_seed[sp["seed"]][sp["kind"]]
        elif sp["kind"] == "flaw":
            err[i] = config.flaw_bonus * garbled
    setup = grpo.RLSetup(
        beta=torch.tensor([s["beta"] for s in specs], device=device),
        lr=torch.tensor([s["lr"] for s in specs], device=device),
        kind=torch.tensor([s["kind_id"] for s in specs], device=device),
        errors=torch.as_tensor(err, dtype=torch.float32, device=device),
    )
    params = experiment._select(base, seed_of)
    ref = experiment._select(base, seed_of)
    start = experiment._select(base, seed_of)
    rl_rng = ctx.rng("rl-problems")
    gen = torch.Generator(device=device).manual_seed(int(ctx.rng("rollouts").integers(0, 2**62)))

    def draw(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        idx = rl_rng.choice(train, (S, config.rl_prompts))[seed_of.cpu().numpy()]
        pr = torch.as_tensor(task.prompts(problems[idx.reshape(-1)]), device=device).reshape(M, config.rl_prompts, -1)
        tg = torch.as_tensor(task.answer_tokens(problems[idx.reshape(-1)]), device=device)
        return pr, tg.reshape(M, config.rl_prompts, 2)

    curves: list[dict[str, Any]] = []
    base_mon_m = base_mon[seed_of.cpu().numpy()]
    mon_u = np.where(np.arange(task.N_ANSWERS)[None, :] == mon_idx[:, None], 1.0, 0.0)  # V(x, y) [P, 144]

    def proxy_values(i: int) -> np.ndarray:
        """U(x, y) of policy i on the monitored problems, ``[P, 144]``."""
        return mon_u + err[i][None, :] if specs[i]["kind"] in ("light", "heavy", "flaw") else mon_u

    def evaluate(step: int) -> None:
        lh = _np(policy.answer_logprobs(template, params, held_prompts))
        lm = _np(policy.answer_logprobs(template, params, mon_prompts))
        pc_h = experiment._p_correct(lh, held_idx)
        pc_m = experiment._p_correct(lm, mon_idx)
        kl = analysis.kl_exact(lm, base_mon_m).mean(-1)
        proxy = [float((np.exp(lm[i]) * proxy_values(i)).sum(-1).mean()) for i in range(M)]
        curves.append({
            "step": step, "pass1_heldout": pc_h.mean(-1).tolist(), "true_train": pc_m.mean(-1).tolist(),
            "proxy_train": proxy, "kl_train": kl.tolist(),
        })  # fmt: skip

    t = time.perf_counter()
    evaluate(0)
    with ctx.progress("GRPO", total=config.rl_steps) as advance:

        def on_eval(step: int) -> None:
            evaluate(step)

        history = grpo.train_grpo(
            template, params, ref, setup, draw, steps=config.rl_steps, group=config.group,
            inner_steps=config.inner_steps, clip=config.clip, generator=gen, on_eval=on_eval,
            eval_every=config.eval_every,
        )  # fmt: skip
        advance(config.rl_steps)
    timing["rl_s"] = time.perf_counter() - t

    # 4. final exact measurements
    t = time.perf_counter()
    final_held = _np(policy.answer_logprobs(template, params, held_prompts))
    final_mon = _np(policy.answer_logprobs(template, params, mon_prompts))
    base_held_m = base_held[seed_of.cpu().numpy()]
    pc_base = experiment._p_correct(base_held, held_idx)  # [S, P]
    pc_final = experiment._p_correct(final_held, held_idx)  # [M, P]
    hard = task.is_hard(problems[held])
    corpus_held = corpus.answer_distribution(problems[held])
    corpus_pc = corpus_held[np.arange(len(held)), held_idx]
    support = corpus_held > 0
    log_corpus = np.log(np.where(support, corpus_held, 1.0))
    corpus_kl = np.mean(np.sum(np.where(support, corpus_held * (log_corpus - base_held), 0.0), -1), -1)
    null = np.log(np.where(support, corpus_held.mean(0, keepdims=True), 1.0))  # a problem-blind model: the marginal
    null_kl = float(np.mean(np.sum(np.where(support, corpus_held * (log_corpus - null), 0.0), -1)))

    seq_held = torch.cat([held_prompts, torch.as_tensor(held_ans, device=device)], -1)
    h = policy.hidden_states(template, params, seq_held.expand(M, -1, -1))
    h_base = policy.hidden_states(template, ref, seq_held.expand(M, -1, -1))
    cka = experiment.cka_by_layer(h, h_base)
    param_change = torch.stack([(params[k] - start[k]).reshape(M, -1).abs().amax(-1) for k in params]).amax(0)

    # the exact KL-regularized optimum of each policy's reward on the monitor problems
    optimum: list[dict[str, float] | None] = []
    for i, sp in enumerate(specs):
        if sp["role"] != "sweep":
            optimum.append(None)
            continue
        u = proxy_values(i)
        lt = analysis.tilt(base_mon_m[i], u, sp["beta"])
        optimum.append({
            "true": float(experiment._p_correct(lt[None], mon_idx).mean()),
            "proxy": float((np.exp(lt) * u).sum(-1).mean()),
            "kl": float(analysis.kl_exact(lt, base_mon_m[i]).mean()),
        })  # fmt: skip

    # sampled rollouts for the probes
    n = config.probe_samples
    pr = mon_prompts.repeat_interleave(n, 0).expand(M, -1, -1)
    answers = policy.sample_stacked(template, params, pr, gen)
    seqs = torch.cat([pr, answers], -1)
    lp = policy.token_logprobs(template, params, seqs)
    lp_ref = policy.token_logprobs(template, ref, seqs)
    k3_seq = _np(grpo.k3(lp, lp_ref).sum(-1)).reshape(M, len(monitor), n)
    targets = torch.as_tensor(np.repeat(mon_ans, n, 0), device=device).expand(M, -1, -1)
    _, v_tensor = task.rewards(answers, targets, setup.kind, setup.errors)
    ans_np = answers.cpu().numpy()
    mon_rep = np.repeat(problems[monitor], n, 0)
    texts = [[task.decode(a) for a in ans_np[i]] for i in range(M)]
    problems_rep = [(int(row[0]), int(row[1]), int(row[2])) for row in mon_rep]
    checker = np.array(
        [[task.check_answer(p, t) for p, t in zip(problems_rep, texts[i], strict=True)] for i in range(M)]
    )
    sample_correct = _np(v_tensor).reshape(M, len(monitor), n)
    exact_kl_mon = analysis.kl_exact(final_mon, base_mon_m)  # [M, P]
    # the training estimator's exact expectation: Σ_y π(y) Σ_t k3_t(y) over all 144 answers of a few prompts
    n_exp = min(8, len(monitor))
    every = torch.arange(task.N_ANSWERS, device=device)
    every = torch.stack([every // task.VOCAB, every % task.VOCAB], -1)
    seq_all = torch.cat([mon_prompts[:n_exp].repeat_interleave(task.N_ANSWERS, 0), every.repeat(n_exp, 1)], -1)
    with torch.no_grad():
        k3_all = grpo.k3(
            policy.token_logprobs(template, params, seq_all.expand(M, -1, -1)),
            policy.token_logprobs(template, ref, seq_all.expand(M, -1, -1)),
        ).sum(-1)
    k3_expect = (np.exp(final_mon[:, :n_exp]) * _np(k3_all).reshape(M, n_exp, task.N_ANSWERS)).sum(-1).mean(-1)
    exact_pc_mon = experiment._p_correct(final_mon, mon_idx)
    probe_ks = [k for k in (1, 2, 4) if k <= n]
    sampled_passk = np.array([
        [np.mean([analysis.pass_at_k_unbiased(n, int(c), k) for c in sample_correct[i].sum(-1)]) for k in probe_ks]
        for i in range(M)
    ])  # fmt: skip
    timing["final_s"] = time.perf_counter() - t

    gh = experiment.goodhart_crosscheck(ctx.rng("goodhart-crosscheck"))
    return {
        "config": {"n_seeds": S, "betas": list(config.betas), "beta_main": config.beta_main,
                   "error_scale": config.error_scale, "pass_ks": list(PASS_KS)},
        "specs": specs,
        "split": {"train": train.tolist(), "heldout": held.tolist(), "monitor": monitor.tolist()},
        "pretrain_loss": pre_losses[:: max(1, len(pre_losses) // 100)],
        "pretrain_final_loss": float(np.mean(pre_losses[-max(1, len(pre_losses) // 10):])),
        "base": {
            "pass1_easy": pc_base[:, ~hard].mean(-1).tolist(), "pass1_hard": pc_base[:, hard].mean(-1).tolist(),
            "corpus_pass1_easy": float(corpus_pc[~hard].mean()), "corpus_pass1_hard": float(corpus_pc[hard].mean()),
            "kl_corpus_base": corpus_kl.tolist(), "kl_corpus_null": null_kl, "pass1": pc_base.mean(-1).tolist(),
            "pass_at_k": analysis.pass_at_k_exact(pc_base, PASS_KS).tolist(),
        },
        "final": {
            "pass1": pc_final.mean(-1).tolist(), "pass1_easy": pc_final[:, ~hard].mean(-1).tolist(),
            "pass1_hard": pc_final[:, hard].mean(-1).tolist(),
            "pass_at_k": analysis.pass_at_k_exact(pc_final, PASS_KS).tolist(),
            "kl_heldout": analysis.kl_exact(final_held, base_held_m).mean(-1).tolist(),
            "tv_heldout": analysis.tv_distance(final_held, base_held_m).mean(-1).tolist(),
            "cka": cka.tolist(), "max_param_change": param_change.tolist(),
            "optimum": optimum,
        },
        "curves": curves,
        "history": history,
        "probe_samples": {
            "k3_mean": k3_seq.mean((1, 2)).tolist(), "k3_se": (k3_seq.reshape(M, -1).std(-1, ddof=1)
                                                               / np.sqrt(k3_seq[0].size)).tolist(),
            "exact_kl": exact_kl_mon.mean(-1).tolist(),
            "k3_expectation": k3_expect.tolist(), "exact_kl_first": exact_kl_mon[:, :n_exp].mean(-1).tolist(),
            "sample_correct": sample_correct.mean((1, 2)).tolist(), "exact_correct": exact_pc_mon.mean(-1).tolist(),
            "ks": probe_ks, "sampled_pass_at_k": sampled_passk.tolist(),
            "exact_pass_at_k": analysis.pass_at_k_exact(exact_pc_mon, probe_ks).tolist(), "prompts": len(monitor),
            "n": int(k3_seq[0].size), "checker_disagreements": int(np.sum(checker != _np(v_tensor))),
            "checked": int(checker.size), "garbled_share": float((ans_np == task.GARBLE).any(-1).mean()),
        },
        "goodhart": gh,
        "error_tables": {k: [errors_by_seed[s][k][:4].tolist() for s in range(S)] for k in ("light", "heavy")},
        "timing": timing,
    }  # fmt: skip
