"""The experiment's sections, top to bottom; :func:`skeptic.studies.simple_rl.study.run` calls them in order.

0. :func:`pretrain_bases`: pretrain one base transformer per seed on the noisy 144-answer corpus (all seeds as one
   stacked model).
1. :func:`lm_experiment`: from those bases, GRPO (DeepSeekMath's: std-normalized group advantages, clipped ratio,
   k3 KL in the loss) on the 0/1 checker and on a flawed grader over a β sweep, plus two controls; exact
   evaluations over training; final pass@k, KL, TV, CKA; sampled rollouts for the probes.
1b. :func:`views_experiment`: views vs presentation: a linear probe for 'the problem is hard' fitted on the base
   models' last layer, then RL with a KL penalty (and SFT, the contrast) teaching an answer that ignores it; the
   frozen and refit probes and the output tracked over training.
2. :func:`graded_experiment`: the graded task on a large answer space (:mod:`.graded`): per seed, targets, light-
   and heavy-tailed error tables, the exact optima of both KL directions, and the arms (k1-reward, Dr. GRPO, GRPO)
   trained by their expected updates until they sit on their fixed points.
3. :func:`claim_simulation`: the Kwa et al. claims' measure on fresh draws at this answer-space size and at 144
   answers (how often the design can tell heavy from light).
4. :func:`kl_gradient_check`: the k3-as-loss gradient against both KL directions, by autograd, and the graded arms'
   expected update against the mean of the sampled GRPO loss gradient.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from scipy import stats
from torch.optim.adam import adam as adam_reference

from skeptic import goodhart
from skeptic.studies.simple_rl import analysis, graded, grpo, policy, task
from skeptic.studies.simple_rl.config import PASS_KS, SimpleRLConfig
from skeptic.studies.simple_rl.policy import Params
from skeptic.study import RunContext

LM_KINDS = ("true", "flaw")
"""The transformer's rewards: the exact 0/1 checker and the flawed grader (index into :data:`task.REWARD_KINDS`)."""


def policy_specs(
    n_seeds: int, betas: tuple[float, ...], beta_main: float, lr: float, flaw_replicates: int = 1
) -> list[dict[str, Any]]:
    """One row per stacked transformer policy: seed, reward kind, β, learning rate, role. The flawed grader at the
    smallest β is trained ``flaw_replicates`` times per seed (the first in the sweep, the others role
    ``replicate``: the same base and β, their own rollouts)."""
    specs: list[dict[str, Any]] = []
    for s in range(n_seeds):
        for kind in LM_KINDS:
            for b in betas:
                k = task.REWARD_KINDS.index(kind)
                specs.append({"seed": s, "kind": kind, "kind_id": k, "beta": b, "lr": lr, "role": "sweep"})
        for _ in range(flaw_replicates - 1):
            k = task.REWARD_KINDS.index("flaw")
            specs.append({"seed": s, "kind": "flaw", "kind_id": k, "beta": min(betas), "lr": lr, "role": "replicate"})
        specs.append({"seed": s, "kind": "true", "kind_id": 0, "beta": beta_main, "lr": 0.0, "role": "lr0"})
        specs.append({"seed": s, "kind": "const", "kind_id": 4, "beta": 0.0, "lr": lr, "role": "const"})
    return specs


def _select(params: Params, index: torch.Tensor) -> Params:
    return {k: v[index].clone() for k, v in params.items()}


def _p_correct(logp: np.ndarray, answer_idx: np.ndarray) -> np.ndarray:
    """π(y* | x) per policy and prompt from exact log-probs ``[M, P, 144]``."""
    return np.asarray(np.exp(np.take_along_axis(logp, answer_idx[None, :, None], -1)[..., 0]))


def _np(x: torch.Tensor) -> np.ndarray:
    return x.detach().double().cpu().numpy()


def proxy_curve_values(logp: np.ndarray, answer_idx: np.ndarray, err: np.ndarray, flawed: list[bool]) -> list[float]:
    """The recorded proxy curve's value per policy, E_π[U] averaged over prompts, from exact log-probs
    ``[M, P, 144]`` with the batched tables: U(x, y) = V(x, y) + X(y) (``err[i]``, the flawed grader's bonus) for the
    policies with ``flawed[i]``, V (one-hot at the correct answer ``answer_idx`` ``[P]``) for the others."""
    v = np.where(np.arange(logp.shape[-1])[None, :] == answer_idx[:, None], 1.0, 0.0)  # V(x, y) [P, 144]
    return [float((np.exp(lp) * (v + err[i][None, :] if flawed[i] else v)).sum(-1).mean()) for i, lp in enumerate(logp)]


ROLLOUT_RECORDS = 4
"""GRPO steps whose sampled sequences and rewards are kept (evenly spaced, the first and the last included): the
rollouts the reward-recomputation probe rescores from the raw token ids."""


def rollout_recorder(steps: int) -> tuple[dict[str, list[Any]], Any]:
    """A record ``{"step", "seq", "reward", "true"}`` and the ``on_rollouts`` callback of :func:`grpo.train_grpo`
    that fills it at :data:`ROLLOUT_RECORDS` evenly spaced steps with the sampled token ids ``[M, B, 6]`` and the
    rewards they were scored with ``[M, B]``, as plain lists (stored with the run)."""
    keep = {round(float(x)) for x in np.linspace(1, steps, min(ROLLOUT_RECORDS, steps))}
    rec: dict[str, list[Any]] = {"step": [], "seq": [], "reward": [], "true": []}

    def on_rollouts(t: int, seq: torch.Tensor, reward: torch.Tensor, true_reward: torch.Tensor) -> None:
        if t in keep:
            rec["step"].append(t)
            rec["seq"].append(seq.cpu().tolist())
            rec["reward"].append(reward.cpu().double().tolist())
            rec["true"].append(true_reward.cpu().double().tolist())

    return rec, on_rollouts


def cka_by_layer(h: torch.Tensor, h_base: torch.Tensor) -> np.ndarray:
    """Linear CKA per policy and layer between residual streams ``[M, L, B, t, d]`` and their base's."""
    M, L = h.shape[:2]
    out = np.zeros((M, L))
    for m in range(M):
        for layer in range(L):
            x = h_base[m, layer].reshape(-1, h.shape[-1]).double().cpu().numpy()
            y = h[m, layer].reshape(-1, h.shape[-1]).double().cpu().numpy()
            out[m, layer] = analysis.linear_cka(x, y)
    return out


def goodhart_crosscheck(rng: np.random.Generator, n: int = 200_000, beta: float = 1.0) -> dict[str, Any]:
    """This study's finite tilt on a large sample of (V, X) against the Goodhart study's exact tilt.

    V ~ N(0, 1), X ~ N(0, 1) ("normal", unit variance) with a uniform reference over n sampled outcomes: the tilt
    π ∝ e^{(V+X)/β} of the empirical distribution estimates E[V] = σ_V²/β exactly given by ``goodhart.tilted``.
    For heavy-tailed X (t3) ``goodhart.tilted`` has no normalizer: the Goodhart study's statement that no
    KL-regularized optimum exists, recorded here.
    """
    v = rng.standard_normal(n)
    x = np.asarray(goodhart.error("normal").rvs(size=n, random_state=rng))
    logp = analysis.tilt(np.full(n, -math.log(n)), v + x, beta)
    w = np.exp(logp)
    mean_v = float(w @ v)
    ess = float(1.0 / np.sum(w**2))
    se = float(np.sqrt(np.sum(w**2 * (v - mean_v) ** 2)))
    exact = goodhart.tilted(stats.norm(0, 1), goodhart.error("normal"), beta)
    try:
        goodhart.tilted(stats.norm(0, 1), goodhart.error("t3"), beta)
        heavy_exists = True
    except goodhart.InfiniteNormalizerError:
        heavy_exists = False
    return {
        "beta": beta, "finite_mean_v": mean_v, "finite_se": se, "ess": ess,
        "exact_mean_v": float(exact.mean_v), "exact_kl": float(exact.kl), "heavy_tilt_exists": heavy_exists,
    }  # fmt: skip


@dataclass
class Bases:
    """The pretrained base models (one per seed, stacked) and the problem split they were trained on."""

    template: policy.ProbedTransformer
    params: Params
    problems: np.ndarray
    train: np.ndarray
    held: np.ndarray
    corpus: task.Corpus
    losses: list[float]
    seconds: float
    corpus_counts: dict[str, float]
    """What pretraining was shown, counted from its batches' tokens (:func:`count_corpus`), for the corpus probe."""


def pretrain_bases(config: SimpleRLConfig, ctx: RunContext, device: str) -> Bases:
    """Pretrain one base transformer per seed on the noisy corpus of the training problems (one stacked model)."""
    S = config.n_seeds
    problems = task.all_problems()
    train, held = task.split_problems(config.n_heldout, ctx.rng("split"))
    corpus = task.Corpus(config.p_correct_easy, config.p_correct_hard, config.p_misconception_hard, config.p_garble)
    shape = policy.make_shape(config.d_model, config.n_layers, config.n_heads)
    init_seeds = [int(s) for s in ctx.rng("init").integers(0, 2**31, S)]
    template, base = policy.init_stacked(shape, init_seeds, device)
    corpus_rng = ctx.rng("corpus")
    counts: dict[str, float] = {}

    def corpus_batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        idx = corpus_rng.choice(train, (S, config.pretrain_batch))
        seq = corpus.sample(problems[idx.reshape(-1)], corpus_rng)
        target = corpus.soft_targets(seq)
        for k, v in count_corpus(seq, target).items():
            counts[k] = counts.get(k, 0.0) + v
        return (
            torch.as_tensor(seq, device=device).reshape(S, config.pretrain_batch, -1),
            torch.as_tensor(target, dtype=torch.float32, device=device).reshape(S, config.pretrain_batch, 2, -1),
        )

    t = time.perf_counter()
    with ctx.progress("pretraining base models", total=None):
        losses = policy.pretrain(template, base, corpus_batch, config.pretrain_steps, config.pretrain_lr)
    return Bases(template, base, problems, train, held, corpus, losses, time.perf_counter() - t, counts)


def count_corpus(seq: np.ndarray, target: np.ndarray) -> dict[str, float]:
    """Counts of one pretraining batch ``[n, 6]`` read from the raw tokens (digits 0–9, ``=`` 10, ``#`` 11), not
    through :mod:`.task`: sequences, easy and hard ones (the prompt's third digit < 5 or ≥ 5), answers that contain
    ``#``, right answers (c then a) per kind, the misconception (a then c, a ≠ c) on hard ones; and the soft
    targets' total mass on ``#`` at the first answer position (``target`` ``[n, 2, 12]``)."""
    a, c, t1, t2 = seq[:, 0], seq[:, 2], seq[:, 4], seq[:, 5]
    hard = c >= 5
    right = (t1 == c) & (t2 == a)
    return {
        "n": float(len(seq)), "n_hard": float(hard.sum()), "garbled": float(((t1 == 11) | (t2 == 11)).sum()),
        "both_garbled": float(((t1 == 11) & (t2 == 11)).sum()),
        "right_easy": float((right & ~hard).sum()), "right_hard": float((right & hard).sum()),
        "n_hard_distinct": float((hard & (a != c)).sum()),
        "misconception_hard": float((hard & (a != c) & (t1 == a) & (t2 == c)).sum()),
        "target_garble_first": float(target[:, 0, 11].sum()),
    }  # fmt: skip


def lm_experiment(config: SimpleRLConfig, ctx: RunContext, device: str, bases: Bases | None = None) -> dict[str, Any]:
    """The transformer on the 144-answer task: GRPO on the 0/1 checker and on the flawed grader over the β sweep
    (plus two controls) from the pretrained bases, exact evaluations over training, final measurements and probes."""
    bases = bases if bases is not None else pretrain_bases(config, ctx, device)
    S = config.n_seeds
    problems, train, held, corpus = bases.problems, bases.train, bases.held, bases.corpus
    template, base, pre_losses = bases.template, bases.params, bases.losses
    timing: dict[str, float] = {"pretrain_s": bases.seconds}
    monitor = np.sort(ctx.rng("monitor").choice(train, config.monitor_prompts, replace=False))

    held_prompts = torch.as_tensor(task.prompts(problems[held]), device=device)
    mon_prompts = torch.as_tensor(task.prompts(problems[monitor]), device=device)
    held_ans = task.answer_tokens(problems[held])
    mon_ans = task.answer_tokens(problems[monitor])
    held_idx = task.answer_ids(held_ans)
    mon_idx = task.answer_ids(mon_ans)
    base_held = _np(policy.answer_logprobs(template, base, held_prompts))  # [S, P, 144]
    base_mon = _np(policy.answer_logprobs(template, base, mon_prompts))
    # the text checker's verdict on every answer of every evaluated problem, [P, 144]: the claims' pass@1 and true
    # reward recomputed from it by separate code (no answer ids, no token tables) for the recomputation probes
    texts_all = [task.decode(np.array([a // task.VOCAB, a % task.VOCAB])) for a in range(task.N_ANSWERS)]
    check_held, check_mon = (np.array([[task.check_answer((int(r[0]), int(r[1]), int(r[2])), t) for t in texts_all]
                                       for r in problems[rows]], float) for rows in (held, monitor))  # fmt: skip

    # 2. the RL stack
    specs = policy_specs(S, config.betas, config.beta_main, config.rl_lr, config.flaw_replicates)
    M = len(specs)
    seed_of = torch.tensor([s["seed"] for s in specs], device=device)
    garbled = np.array([task.GARBLE in (a // task.VOCAB, a % task.VOCAB) for a in range(task.N_ANSWERS)], float)
    err = np.zeros((M, task.N_ANSWERS))
    for i, sp in enumerate(specs):
        if sp["kind"] == "flaw":
            err[i] = config.flaw_bonus * garbled
    setup = grpo.RLSetup(
        beta=torch.tensor([s["beta"] for s in specs], device=device),
        lr=torch.tensor([s["lr"] for s in specs], device=device),
        kind=torch.tensor([s["kind_id"] for s in specs], device=device),
        errors=torch.as_tensor(err, dtype=torch.float32, device=device),
    )
    params = _select(base, seed_of)
    ref = _select(base, seed_of)
    start = _select(base, seed_of)
    rl_rng = ctx.rng("rl-problems")
    gen = ctx.torch_generator("rollouts", device=device)

    def draw(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        idx = rl_rng.choice(train, (S, config.rl_prompts))[seed_of.cpu().numpy()]
        pr = torch.as_tensor(task.prompts(problems[idx.reshape(-1)]), device=device).reshape(M, config.rl_prompts, -1)
        tg = torch.as_tensor(task.answer_tokens(problems[idx.reshape(-1)]), device=device)
        return pr, tg.reshape(M, config.rl_prompts, 2)

    curves: list[dict[str, Any]] = []
    base_mon_m = base_mon[seed_of.cpu().numpy()]
    flawed = [sp["kind"] == "flaw" for sp in specs]

    def evaluate(step: int) -> None:
        lh = _np(policy.answer_logprobs(template, params, held_prompts))
        lm = _np(policy.answer_logprobs(template, params, mon_prompts))
        pc_h = _p_correct(lh, held_idx)
        pc_m = _p_correct(lm, mon_idx)
        kl = analysis.kl_exact(lm, base_mon_m).mean(-1)
        proxy = proxy_curve_values(lm, mon_idx, err, flawed)
        curves.append({
            "step": step, "pass1_heldout": pc_h.mean(-1).tolist(), "true_train": pc_m.mean(-1).tolist(),
            "proxy_train": proxy, "kl_train": kl.tolist(),
            "pass1_check": (np.einsum("mpa,pa->m", np.exp(lh), check_held) / len(held)).tolist(),
            "true_check": (np.einsum("mpa,pa->m", np.exp(lm), check_mon) / len(monitor)).tolist(),
            # each policy's exact answer distribution averaged over the monitored problems, [M, 144]: the proxy's
            # answer-only part (the flawed grader's bonus) is linear in it, so the proxy-recomputation probe rebuilds
            # every recorded proxy value from it, true_check and the grader's definition by its own text decoder
            "answer_mass": np.exp(lm).mean(1).tolist(),
        })  # fmt: skip

    t = time.perf_counter()
    evaluate(0)
    rollouts, on_rollouts = rollout_recorder(config.rl_steps)
    with ctx.progress("GRPO", total=config.rl_steps) as advance:

        def on_eval(step: int) -> None:
            evaluate(step)

        history = grpo.train_grpo(
            template, params, ref, setup, draw, steps=config.rl_steps, group=config.group,
            inner_steps=config.inner_steps, clip=config.clip, generator=gen, on_eval=on_eval,
            eval_every=config.eval_every, eval_early_every=config.eval_early_every, on_rollouts=on_rollouts,
        )  # fmt: skip
        advance(config.rl_steps)
    timing["rl_s"] = time.perf_counter() - t

    # 4. final exact measurements
    t = time.perf_counter()
    final_held = _np(policy.answer_logprobs(template, params, held_prompts))
    final_mon = _np(policy.answer_logprobs(template, params, mon_prompts))
    base_held_m = base_held[seed_of.cpu().numpy()]
    pc_base = _p_correct(base_held, held_idx)  # [S, P]
    pc_final = _p_correct(final_held, held_idx)  # [M, P]
    hard = task.is_hard(problems[held])
    corpus_held = corpus.answer_distribution(problems[held])
    corpus_pc = corpus_held[np.arange(len(held)), held_idx]
    support = corpus_held > 0
    log_corpus = np.log(np.where(support, corpus_held, 1.0))
    corpus_kl = np.mean(np.sum(np.where(support, corpus_held * (log_corpus - base_held), 0.0), -1), -1)
    null = np.log(np.where(support, corpus_held.mean(0, keepdims=True), 1.0))  # a problem-blind model: the marginal
    # the corpus's exact distribution and each base model's, summed over answers classed by their text (the corpus
    # probe compares them with the config's closed form): '#' anywhere, '#' twice, the right answer, the misconception
    has_garble = np.array(["#" in t for t in texts_all], float)
    two_garble = np.array([t == "##" for t in texts_all], float)
    mis_text = np.array([[t == f"{r[0]}{r[2]}" and r[0] != r[2] for t in texts_all] for r in problems[held]], float)
    corpus_exact = {
        "row_sum_gap": float(np.abs(corpus_held.sum(-1) - 1.0).max()),
        "garbled": (corpus_held @ has_garble).tolist(), "both_garbled": (corpus_held @ two_garble).tolist(),
        "right": (corpus_held * check_held).sum(-1).tolist(),
        "misconception": (corpus_held * mis_text).sum(-1).tolist(),
    }  # fmt: skip
    base_garbled = (np.exp(base_held) @ has_garble).mean(-1)  # [S]
    null_kl = float(np.mean(np.sum(np.where(support, corpus_held * (log_corpus - null), 0.0), -1)))

    seq_held = torch.cat([held_prompts, torch.as_tensor(held_ans, device=device)], -1)
    h = policy.hidden_states(template, params, seq_held.expand(M, -1, -1))
    h_base = policy.hidden_states(template, ref, seq_held.expand(M, -1, -1))
    cka = cka_by_layer(h, h_base)
    param_change = torch.stack([(params[k] - start[k]).reshape(M, -1).abs().amax(-1) for k in params]).amax(0)

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
    # each policy's proxy error table against the grader its spec names, rebuilt from the answers' text: the flawed
    # grader's bonus on every answer containing '#', nothing for the others (the reward each policy trained on)
    bonus = np.array([config.flaw_bonus * ("#" in t) for t in texts_all])
    grader_gap = [float(np.abs(err[i] - (bonus if sp["kind"] == "flaw" else 0.0)).max()) for i, sp in enumerate(specs)]
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
    exact_pc_mon = _p_correct(final_mon, mon_idx)
    probe_ks = [k for k in (1, 2, 4) if k <= n]
    sampled_passk = np.array([
        [np.mean([analysis.pass_at_k_unbiased(n, int(c), k) for c in sample_correct[i].sum(-1)]) for k in probe_ks]
        for i in range(M)
    ])  # fmt: skip
    timing["final_s"] = time.perf_counter() - t

    gh = goodhart_crosscheck(ctx.rng("goodhart-crosscheck"))
    return {
        "specs": specs,
        "split": {"train": train.tolist(), "heldout": held.tolist(), "monitor": monitor.tolist()},
        "pretrain_loss": pre_losses[:: max(1, len(pre_losses) // 100)],
        "pretrain_final_loss": float(np.mean(pre_losses[-max(1, len(pre_losses) // 10):])),
        "base": {
            "pass1_easy": pc_base[:, ~hard].mean(-1).tolist(), "pass1_hard": pc_base[:, hard].mean(-1).tolist(),
            "corpus_pass1_easy": float(corpus_pc[~hard].mean()), "corpus_pass1_hard": float(corpus_pc[hard].mean()),
            "kl_corpus_base": corpus_kl.tolist(), "kl_corpus_null": null_kl, "pass1": pc_base.mean(-1).tolist(),
            "garbled": base_garbled.tolist(), "corpus_exact": corpus_exact, "corpus_counts": bases.corpus_counts,
            "pass_at_k": analysis.pass_at_k_exact(pc_base, PASS_KS).tolist(),
            "pass1_check": (np.exp(base_held) * check_held).sum(-1).mean(-1).tolist(),
            # per held-out problem (rl-raises-pass1 judges each seed on its own interval over these problems)
            "pass1_problems": pc_base.tolist(),
            "pass1_check_problems": (np.exp(base_held) * check_held).sum(-1).tolist(),
        },
        "final": {
            "pass1": pc_final.mean(-1).tolist(), "pass1_problems": pc_final.tolist(),
            "pass1_check_problems": (np.exp(final_held) * check_held).sum(-1).tolist(),
            "pass1_easy": pc_final[:, ~hard].mean(-1).tolist(),
            "pass1_hard": pc_final[:, hard].mean(-1).tolist(),
            "pass_at_k": analysis.pass_at_k_exact(pc_final, PASS_KS).tolist(),
            "kl_heldout": analysis.kl_exact(final_held, base_held_m).mean(-1).tolist(),
            "tv_heldout": analysis.tv_distance(final_held, base_held_m).mean(-1).tolist(),
            "cka": cka.tolist(), "max_param_change": param_change.tolist(),
        },
        "curves": curves,
        "history": history,
        "rollouts": rollouts,
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
            "grader_table_gap": grader_gap,
        },
        "goodhart": gh,
        "timing": timing,
    }  # fmt: skip


def views_arms(method: str, trainable: str = "all") -> tuple[str, ...]:
    """The arms of the views experiment: the configured method first (the one the claim reads), then supervised
    fine-tuning of all the weights on the same outputs as the comparison (once, if the method is SFT itself). When
    only the readout is trained, the method's arm alone: a full fine-tuning comparison says nothing there."""
    return (method,) if trainable == "readout" else tuple(dict.fromkeys((method, "sft")))


def view_states(template: policy.ProbedTransformer, params: Params, prompt_tokens: torch.Tensor) -> np.ndarray:
    """The 'view': the residual stream after the last block at the prompt's last token (``=``, where the answer's
    first token is chosen), ``[M, P, d_model]`` for prompts ``[P, 4]``."""
    M = next(iter(params.values())).shape[0]
    with torch.no_grad():
        h = policy.hidden_states(template, params, prompt_tokens.expand(M, -1, -1))
    return _np(h[:, -1, :, -1, :])


def views_readouts(
    w_pre: np.ndarray, fit: np.ndarray, y_fit: np.ndarray, held: np.ndarray, y_held: np.ndarray
) -> dict[str, float]:
    """The frozen pre-RL probe's readout on the current held-out states, and a probe refit on the current states of
    the fitting problems, read on the same held-out states (is the information still there, wherever it moved?)."""
    frozen_acc, frozen_margin = analysis.probe_readout(w_pre, held, y_held)
    refit_acc, _ = analysis.probe_readout(analysis.fit_linear_probe(fit, y_fit), held, y_held)
    frozen_auc = analysis.auc(analysis.probe_scores(w_pre, held), y_held)
    return {"frozen_acc": frozen_acc, "frozen_margin": frozen_margin, "frozen_auc": frozen_auc, "refit_acc": refit_acc}


def train_sft(
    template: policy.ProbedTransformer,
    params: Params,
    draw: Any,
    *,
    steps: int,
    lr: torch.Tensor,
    on_eval: Any,
    eval_every: int,
    trainable: tuple[str, ...] | None = None,
) -> None:
    """Supervised fine-tuning in place: Adam on −log π(target | prompt) of ``draw(t)``'s prompts ``[M, B, 4]`` and
    target answers ``[M, B, 2]`` (the views contrast: the same outputs, taught without a reward or a KL term).
    ``trainable`` names the parameters that are updated (all when None)."""
    train = params if trainable is None else {k: params[k] for k in trainable}
    state: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    for t in range(1, steps + 1):
        prompt_tokens, targets = draw(t)
        seq = torch.cat([prompt_tokens, targets], -1)
        for p in train.values():
            p.requires_grad_(True)
        loss = -policy.token_logprobs(template, params, seq).sum(-1).mean(-1)
        grads = torch.autograd.grad(loss.sum(), list(train.values()))
        with torch.no_grad():
            for p in train.values():
                p.requires_grad_(False)
            policy.adam_step(train, dict(zip(train, grads, strict=True)), state, t, lr)
        if t % eval_every == 0 or t == steps:
            on_eval(t)


def views_trainable(params: Params, which: str) -> tuple[str, ...] | None:
    """The parameter names a views arm updates: None (all) or the readout's (``ln_final`` and ``unembedding``)."""
    if which == "all":
        return None
    names = tuple(k for k in params if k.startswith(policy.READOUT_PREFIXES))
    if not names:
        raise ValueError("the model has no readout parameters to train")
    return names


def views_experiment(config: SimpleRLConfig, ctx: RunContext, bases: Bases) -> dict[str, Any]:
    """Does RL with a KL penalty change what the model says while leaving what it represents? (Chalk's remark.)

    The view: whether a problem is hard (c ≥ 5), the property that decides, in the corpus, whether the answer is
    shown in the right order or in the misconception order. A linear probe (:func:`analysis.fit_linear_probe`) is
    fitted on the base model's :func:`view_states` of the training problems and read on held-out problems. Each
    arm then teaches every problem the misconception order ``a c`` (an output that ignores the fact): GRPO with
    reward 1[answer = a c] and the k3 KL term at ``views_beta`` (``rl-kl``), the same without the KL term
    (``rl-no-kl``), or supervised fine-tuning on ``a c`` (``sft``), all with the RL learning rate for
    ``views_steps`` steps. Tracked exactly every ``eval_every`` steps: the output (π(a c) on held-out problems),
    the frozen probe's accuracy, margin and AUC on the current states (the AUC ignores a shift that moves every
    score across the threshold), and a refit probe's accuracy.
    """
    device = next(iter(bases.params.values())).device.type
    S, template = config.n_seeds, bases.template
    arms = views_arms(config.views_method, config.views_trainable)
    problems, train, held = bases.problems, bases.train, bases.held
    fit_prompts = torch.as_tensor(task.prompts(problems[train]), device=device)
    held_prompts = torch.as_tensor(task.prompts(problems[held]), device=device)
    y_fit, y_held = task.is_hard(problems[train]), task.is_hard(problems[held])
    target_tokens = task.misconception_tokens if config.views_target == "misconception" else task.answer_tokens
    held_target = task.answer_ids(target_tokens(problems[held]))
    base_fit = view_states(template, bases.params, fit_prompts)  # [S, P, d]
    base_held = view_states(template, bases.params, held_prompts)
    w_pre = [analysis.fit_linear_probe(base_fit[s], y_fit) for s in range(S)]
    # a control task: labels drawn at random per problem (fit and held-out alike); a probe must not read them
    y_rand = ctx.rng("views-random-labels").random(len(problems)) < 0.5
    r_fit, r_held = y_rand[train], y_rand[held]
    control = [analysis.probe_readout(analysis.fit_linear_probe(base_fit[s], r_fit), base_held[s], r_held)[0]
               for s in range(S)]  # fmt: skip
    pre_acc_check = [float(np.mean(((base_held[s] @ w_pre[s][:-1] + w_pre[s][-1]) > 0) == y_held)) for s in range(S)]
    base_logp = _np(policy.answer_logprobs(template, bases.params, held_prompts))
    base_target = _p_correct(base_logp, held_target)
    out: dict[str, Any] = {
        "arms": list(arms), "pre_acc": [analysis.probe_readout(w_pre[s], base_held[s], y_held)[0] for s in range(S)],
        "random_label_acc": control,
        "pre_acc_check": pre_acc_check, "target": config.views_target, "base_target": base_target.mean(-1).tolist(),
        "hard_share": float(y_held.mean()),
        "curves": {}, "final": {},
    }  # fmt: skip
    seeds = torch.arange(S, device=device)
    for arm in arms:
        params = _select(bases.params, seeds)
        rng = ctx.rng("views-problems", arm)
        curve: list[dict[str, Any]] = []

        def evaluate(step: int, params: Params = params, curve: list[dict[str, Any]] = curve) -> None:
            fit, hs = view_states(template, params, fit_prompts), view_states(template, params, held_prompts)
            reads = [views_readouts(w_pre[s], fit[s], y_fit, hs[s], y_held) for s in range(S)]
            target = _p_correct(_np(policy.answer_logprobs(template, params, held_prompts)), held_target).mean(-1)
            curve.append({"step": step, "target": target.tolist(),
                          **{k: [r[k] for r in reads] for k in reads[0]}})  # fmt: skip

        def draw(step: int, rng: np.random.Generator = rng) -> tuple[torch.Tensor, torch.Tensor]:
            idx = rng.choice(train, (S, config.rl_prompts)).reshape(-1)
            pr = torch.as_tensor(task.prompts(problems[idx]), device=device).reshape(S, config.rl_prompts, -1)
            tg = torch.as_tensor(target_tokens(problems[idx]), device=device)
            return pr, tg.reshape(S, config.rl_prompts, 2)

        evaluate(0)
        lr = torch.full((S,), config.rl_lr, device=device)
        trainable = views_trainable(params, config.views_trainable)
        start = {k: v.clone() for k, v in params.items()}
        t, cpu = time.perf_counter(), time.process_time()
        rollouts, on_rollouts = rollout_recorder(config.views_steps)
        if arm == "sft":
            train_sft(template, params, draw, steps=config.views_steps, lr=lr, on_eval=evaluate,
                      eval_every=config.eval_every, trainable=trainable)  # fmt: skip
        else:
            beta = config.views_beta if arm == "rl-kl" else 0.0
            setup = grpo.RLSetup(
                beta=torch.full((S,), beta, device=device), lr=lr, kind=torch.zeros(S, dtype=torch.long, device=device),
                errors=torch.zeros(S, task.N_ANSWERS, device=device),
            )  # fmt: skip
            grpo.train_grpo(
                template, params, _select(bases.params, seeds), setup, draw, steps=config.views_steps,
                group=config.group, inner_steps=config.inner_steps, clip=config.clip,
                generator=ctx.torch_generator("views-rollouts", arm, device=device), on_eval=evaluate,
                eval_every=config.eval_every, trainable=trainable, on_rollouts=on_rollouts,
            )  # fmt: skip
        seconds, cpu_s = time.perf_counter() - t, time.process_time() - cpu
        hs = view_states(template, params, held_prompts)
        kl = analysis.kl_exact(_np(policy.answer_logprobs(template, params, held_prompts)), base_logp).mean(-1)
        # the frozen probe's margin once more, from the stored weights by a separate line of code (a cross-check)
        score = [hs[s] @ w_pre[s][:-1] + w_pre[s][-1] for s in range(S)]
        check = [float(np.mean(score[s] * np.where(y_held, 1.0, -1.0))) for s in range(S)]
        acc_check = [float(np.mean((score[s] > 0) == y_held)) for s in range(S)]
        out["curves"][arm] = curve
        moved = {k: (params[k] - start[k]).abs().flatten(1).amax(1).tolist() for k in params}
        out["final"][arm] = {"frozen_margin_check": check, "frozen_acc_check": acc_check, "kl_heldout": kl.tolist(),
                             "seconds": seconds, "cpu_s": cpu_s, "moved": moved}  # fmt: skip
        if arm != "sft":
            out["final"][arm]["rollouts"] = rollouts
    return out


GRADED_KINDS = ("true", "light", "heavy")


def graded_specs(config: SimpleRLConfig) -> list[dict[str, Any]]:
    """One row per graded arm: seed, reward kind, arm, β, the KL estimator and whether the advantage is divided by
    the group's std. All three arms over the β grid on the true reward V, once: V and π_ref are the same for every
    target up to relabeling the answers, so one prompt of one seed stands for all (its results are exact). The
    forward-KL arm (k1) on both proxies (Kwa et al.'s setting is KL(π ‖ π_ref) regularization), on every seed and
    prompt, at the least restrictive β, the one their claims read."""
    out = []
    for s in range(config.n_seeds):
        for kind in GRADED_KINDS:
            if kind == "true" and s > 0:
                continue
            for arm in graded.ARMS if kind == "true" else ("k1",):
                for b in config.graded_betas if kind == "true" else config.graded_betas[:1]:
                    est = "k1-reward" if arm == "k1" else config.kl_estimator
                    out.append({"seed": s, "kind": kind, "arm": arm, "beta": b, "estimator": est, "std": arm == "grpo"})
    return out


def own_optimum(
    sp: dict[str, Any], logref: np.ndarray, u: np.ndarray, group: int, penalty: bool
) -> tuple[np.ndarray, float | None]:
    """(log π, β_eff) of the optimum of the objective the arm's expected update ascends (see :mod:`.graded`);
    β_eff, the self-consistent coefficient, only for the std-normalized k3-loss arm (else None)."""
    if not penalty:
        return graded.tilt(logref, u, 1e-4), None  # β → 0: all mass on argmax U
    b = sp["beta"]
    if sp["estimator"] == "k1-reward":
        return graded.tilt(logref, u, b), None  # reward and KL term scaled alike: the tilt at β
    if sp["std"]:
        lp, beta_eff = graded.grpo_optimum(logref, u, b)
        return lp, float(beta_eff.mean())
    return graded.reverse_optimum(logref, u, b / graded.reward_scale(group)), None


def forward_reading(sp: dict[str, Any], logref: np.ndarray, u: np.ndarray, group: int) -> np.ndarray:
    """log π of what the arm would reach if its KL term were KL(π ‖ π_ref) with the arm's own coefficients (the
    reading of DeepSeekMath's eq. 4): the tilt at β · (KL scale)/(reward scale)."""
    b = sp["beta"]
    if sp["estimator"] == "k1-reward":
        return graded.tilt(logref, u, b)
    return graded.tilt(logref, u, b / graded.reward_scale(group))


def _tv(a: np.ndarray, b: np.ndarray) -> float:
    return float(analysis.tv_distance(a, b).mean())


def kl_check(logits: torch.Tensor, logref: np.ndarray) -> float:
    """KL(π ‖ π_ref) averaged over prompts, π = softmax(logits), by separate code from :func:`analysis.kl_exact`
    (torch, float64, from the raw logits): for the recomputation probes."""
    lp = torch.log_softmax(logits.double(), -1)
    return float((lp.exp() * (lp - torch.as_tensor(logref, dtype=torch.float64))).sum(-1).mean())


def gains_check(logits: torch.Tensor, logref: np.ndarray, v: np.ndarray) -> list[float]:
    """The share of the possible true-reward gain per prompt, π = softmax(logits), by separate code from
    :func:`graded.gain_fraction`: the best answer (the target) has V = 1 by construction, so the gain's ceiling is
    1 − E_ref[V]."""
    p = torch.softmax(logits.double(), -1)
    vt = torch.as_tensor(v, dtype=torch.float64)
    e0 = (torch.as_tensor(logref, dtype=torch.float64).exp() * vt).sum(-1)
    return (((p * vt).sum(-1) - e0) / (1.0 - e0)).tolist()


def graded_experiment(config: SimpleRLConfig, ctx: RunContext) -> dict[str, Any]:
    """Targets, error tables, exact optima of both KL directions and the trained arms on the graded task."""
    gt = graded.GradedTask(config.graded_base, config.graded_digits, config.graded_q)
    S, P = config.n_seeds, config.graded_prompts
    target_rng, error_rng = ctx.rng("graded-targets"), ctx.rng("graded-errors")
    laws = {"true": None, "light": config.light_error, "heavy": config.heavy_error}
    tables = []
    for _ in range(S):
        v, logref = gt.tables(target_rng.integers(0, gt.base, (P, gt.digits)))
        x = {k: np.zeros_like(v) if law is None else graded.error_table(law, config.error_sd, v.shape, error_rng)
             for k, law in laws.items()}  # fmt: skip
        tables.append((v, logref, x))
    # the exact optimum of the forward-KL objective (the tilt) per seed, kind and β: Kwa et al.'s object
    tilts = []
    for s, (v, logref, x) in enumerate(tables):
        for kind in GRADED_KINDS:
            for b in config.graded_betas:
                lt = graded.tilt(logref, v + x[kind], b)
                tilts.append({
                    "seed": s, "kind": kind, "beta": b, "gains": graded.gain_fraction(lt, logref, v).tolist(),
                    "gains_check": gains_check(torch.as_tensor(logref + (v + x[kind]) / b), logref, v),
                    "kl": float(analysis.kl_exact(lt, logref).mean()),
                    "proxy": float((np.exp(lt) * (v + x[kind])).sum(-1).mean()),
                    "true": float((np.exp(lt) * v).sum(-1).mean()),
                })  # fmt: skip
    specs = graded_specs(config)
    arms: list[dict[str, Any]] = [{} for _ in specs]
    traces = {}
    for group_name, idx in (("true", [i for i, sp in enumerate(specs) if sp["kind"] == "true"]),
                            ("proxy", [i for i, sp in enumerate(specs) if sp["kind"] != "true"])):  # fmt: skip
        width = 1 if group_name == "true" else P

        def table(sp: dict[str, Any], width: int = width) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            v, logref, x = tables[sp["seed"]]
            return v[:width], logref[:width], (v + x[sp["kind"]])[:width]

        rows, traces[group_name] = train_graded([specs[i] for i in idx], table, config)
        for i, row in zip(idx, rows, strict=True):
            arms[i] = row
    return {
        "n_answers": gt.n_answers, "ref_true": [float((np.exp(t[1]) * t[0]).sum(-1).mean()) for t in tables],
        "specs": specs, "arms": arms, "tilts": tilts, "trace": traces["true"],
        "error_max": {k: [float(t[2][k].max()) for t in tables] for k in ("light", "heavy")},
    }  # fmt: skip


def train_graded(
    specs: list[dict[str, Any]],
    table: Any,
    config: SimpleRLConfig,
) -> tuple[list[dict[str, Any]], list[dict[str, list[float]]]]:
    """Train the arms ``specs`` (tables ``table(spec)`` = (V, log π_ref, U), each ``[P, N]``) by their expected
    updates, then measure each against its own objective's optimum and, for Dr. GRPO, the forward-KL reading."""
    dt = torch.float32
    tabs = [table(sp) for sp in specs]
    logref_t = torch.as_tensor(np.stack([t[1] for t in tabs]), dtype=dt)
    beta = torch.tensor([sp["beta"] if config.kl_penalty else 0.0 for sp in specs], dtype=dt)
    k1 = torch.tensor([sp["estimator"] == "k1-reward" for sp in specs])
    std = torch.tensor([sp["std"] for sp in specs])
    final, trace = graded.train_tables(
        logref_t, torch.as_tensor(np.stack([t[2] for t in tabs]), dtype=dt), beta, k1, std,
        group=config.group, steps=config.graded_steps, lr=config.graded_lr,
    )  # fmt: skip
    lp = final.double().numpy()
    lp = lp - np.log(np.exp(lp).sum(-1, keepdims=True))
    rows = []
    for i, (sp, (v, logref, u)) in enumerate(zip(specs, tabs, strict=True)):
        opt, beta_eff = own_optimum(sp, logref, u, config.group, config.kl_penalty)
        p, po = np.exp(lp[i]), np.exp(opt)
        row = {
            **sp,  # each arm carries its own labels: claims select arms by name, never by position
            "tv_own": _tv(lp[i], opt), "gains": graded.gain_fraction(lp[i], logref, v).tolist(),
            "kl": float(analysis.kl_exact(lp[i], logref).mean()),
            "kl_rev": float(analysis.kl_exact(logref, lp[i]).mean()),
            "true": float((p * v).sum(-1).mean()), "proxy": float((p * u).sum(-1).mean()),
            "opt_kl": float(analysis.kl_exact(opt, logref).mean()),
            "opt_gain": float(graded.gain_fraction(opt, logref, v).mean()),
            "opt_proxy": float((po * u).sum(-1).mean()), "ref_proxy": float((np.exp(logref) * u).sum(-1).mean()),
            "kl_check": kl_check(final[i], logref), "gains_check": gains_check(final[i], logref, v),
        }  # fmt: skip
        if sp["kind"] == "true":  # π and every optimum are uniform within a class of equal matches: store per class
            cls = np.rint(v * config.graded_digits).astype(int)
            row["class_mass"] = [np.bincount(c, p[r], config.graded_digits + 1).tolist() for r, c in enumerate(cls)]
            row["class_spread"] = max(float(np.ptp(lp[i][r][cls[r] == k])) for r in range(len(cls))
                                      for k in range(config.graded_digits + 1))  # fmt: skip
        if sp["arm"] == "drgrpo":
            row["tv_forward"] = _tv(lp[i], forward_reading(sp, logref, u, config.group))
        if beta_eff is not None:
            row["beta_eff"] = beta_eff
        rows.append(row)
    return rows, trace


SIM_CONTRAST = (12, 2)
"""The 144-answer space (12 symbols, 2 positions) on which the simulation also runs: the distinction must vanish."""


def claim_simulation(config: SimpleRLConfig, ctx: RunContext) -> dict[str, Any]:
    """The Kwa et al. claims' per-seed measure on ``sim_replicates`` fresh draws, light (normal) and heavy (t3), at
    this run's answer space and at 144 answers; the claims' comparisons are applied to it in the power probe."""
    out: dict[str, Any] = {}
    rng = ctx.rng("claim-simulation")
    sizes = {"run": (config.graded_base, config.graded_digits), "144": SIM_CONTRAST}
    for name, (base, digits) in sizes.items():
        gt = graded.GradedTask(base, digits, config.graded_q)
        out[name] = {
            "n_answers": gt.n_answers,
            **graded.simulate_claims(gt, laws=("normal", "t3"), sd=config.error_sd, beta=config.graded_betas[0],
                                     n_seeds=config.n_seeds, prompts=config.graded_prompts,
                                     replicates=config.sim_replicates, rng=rng),
        }  # fmt: skip
    return out


def kl_gradient_check(ctx: RunContext, n: int = 7, groups: int = 20_000, group: int = 8) -> dict[str, Any]:
    """Two independent computations of what the trainer's KL term does, on a random tabular policy over n answers.

    (a) By autograd through :func:`grpo.k3` with the sampling weights held fixed (the loss GRPO and TRL minimize):
    its gradient on the logits against autograd of KL(π_ref ‖ π) and of KL(π ‖ π_ref). (b) The mean over ``groups``
    sampled groups of the gradient of :func:`grpo.grpo_loss` (Dr. GRPO advantages, k3 in the loss) and of the
    k1-in-reward loss, against :func:`graded.expected_ascent`, with the Monte Carlo SE from 20 batches.
    """
    rng = ctx.rng("kl-gradient-check")
    gen = ctx.torch_generator("kl-gradient-check", device="cpu")
    dt = torch.float64
    theta = torch.tensor(rng.standard_normal(n), dtype=dt, requires_grad=True)
    logref = torch.log_softmax(torch.tensor(rng.standard_normal(n), dtype=dt), -1)
    logp = torch.log_softmax(theta, -1)
    p = logp.exp().detach()
    (g_k3,) = torch.autograd.grad((p * grpo.k3(logp, logref)).sum(), theta)
    (g_rev,) = torch.autograd.grad((logref.exp() * (logref - torch.log_softmax(theta, -1))).sum(), theta)
    lq = torch.log_softmax(theta, -1)
    (g_fwd,) = torch.autograd.grad((lq.exp() * (lq - logref)).sum(), theta)
    out: dict[str, Any] = {
        "k3_vs_reverse": float((g_k3 - g_rev).abs().max()), "k3_vs_forward": float((g_k3 - g_fwd).abs().max()),
        "forward_norm": float(g_fwd.abs().max()),
    }  # fmt: skip
    u = torch.tensor(rng.standard_normal(n), dtype=dt)
    beta = 0.3
    for est in graded.ESTIMATORS:
        expected = graded.expected_ascent(
            theta.detach()[None, None], logref[None, None], u[None, None], torch.tensor([beta], dtype=dt),
            torch.tensor([est == "k1-reward"]), torch.tensor([False]), group,
        )[0, 0]  # fmt: skip
        batches = []
        for _ in range(20):
            th = theta.detach().clone().requires_grad_(True)
            lp_all = torch.log_softmax(th, -1)
            ans = torch.multinomial(lp_all.exp().detach().expand(groups // 20, -1), group, True, generator=gen)
            lp = lp_all[ans].reshape(1, -1, 1)
            ref = logref[ans].reshape(1, -1, 1)
            r = u[ans].reshape(1, -1)
            if est == "k1-reward":
                r = r - beta * (lp - ref).detach().sum(-1)
                b = torch.zeros(1, dtype=dt)
            else:
                b = torch.tensor([beta], dtype=dt)
            adv = grpo.group_advantages(r, group, scale=False)
            loss = grpo.grpo_loss(lp, lp.detach(), ref, adv, b, 0.2)
            (g,) = torch.autograd.grad(loss.sum(), th)
            batches.append(-g)
        mean = torch.stack(batches).mean(0)
        se = torch.stack(batches).std(0) / math.sqrt(len(batches))
        out[est] = {"expected": expected.tolist(), "sampled": mean.tolist(), "se": se.tolist()}
    return out


def optimizer_check(ctx: RunContext, steps: int = 4) -> dict[str, Any]:
    """The hand-written stacked Adam (:func:`policy.adam_step`, which trains every transformer here) against
    PyTorch's own Adam (``torch.optim.adam.adam``, the function ``torch.optim.Adam`` calls), run on each model's
    slice separately with that model's learning rate, over ``steps`` steps of random gradients (bias correction
    matters most in the first steps). Float64, so the two agree to rounding."""
    rng = ctx.rng("optimizer-check")
    dt = torch.float64
    lr = torch.tensor([0.0, 0.01, 0.03], dtype=dt)
    M = len(lr)
    shapes = {"w": (M, 4, 3), "b": (M, 3)}
    start = {k: torch.tensor(rng.standard_normal(s), dtype=dt) for k, s in shapes.items()}
    grads = [{k: torch.tensor(rng.standard_normal(s), dtype=dt) for k, s in shapes.items()} for _ in range(steps)]
    mine = {k: v.clone() for k, v in start.items()}
    state: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    for t, g in enumerate(grads, 1):
        policy.adam_step(mine, g, state, t, lr)
    ref = {k: v.clone() for k, v in start.items()}
    for k in shapes:
        for i in range(M):
            p, m, v, count = ref[k][i], torch.zeros_like(ref[k][i]), torch.zeros_like(ref[k][i]), torch.tensor(0.0)
            for g in grads:
                adam_reference([p], [g[k][i]], [m], [v], [], [count], foreach=False, **graded.ADAM,
                               lr=float(lr[i]), maximize=False)  # fmt: skip
    return {
        "steps": steps,
        "max_diff": max(float((mine[k] - ref[k]).abs().max()) for k in shapes),
        "max_move": max(float((ref[k] - start[k]).abs().max()) for k in shapes),
        "frozen_move": max(float((mine[k][0] - start[k][0]).abs().max()) for k in shapes),
    }
