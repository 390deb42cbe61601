"""Group-relative policy optimization (GRPO) with a k3 KL penalty, for M stacked policies at once.

Shao et al. 2024 (DeepSeekMath, arXiv 2402.03300), §4.1, eqs. 3–4: for each prompt q, G answers o₁…o_G are sampled
from the old policy; each gets the group-normalized advantage Âᵢ = (rᵢ − mean(r)) / std(r) on every token; the
objective per token is

    min(ρ Â, clip(ρ, 1 − ε, 1 + ε) Â) − β D̂,   ρ = π_θ(o_t | q, o_<t) / π_old(o_t | q, o_<t),

averaged over the tokens of an answer and over the group, with the k3 estimator of the KL to the reference model

    D̂ = π_ref / π_θ − log(π_ref / π_θ) − 1   (per token; unbiased for KL(π_θ ‖ π_ref), and ≥ 0).

Unbiased as a *value*; used as a loss with the samples held fixed, its expected gradient is
E_π[(1 − π_ref/π) ∇ log π] = −Σ π_ref ∇ log π = ∇ KL(π_ref ‖ π_θ), the other direction (:mod:`.graded` computes
the fixed points of both).

Every policy m has its own β, learning rate, reward kind and error table, so one batched computation trains the
whole sweep (seeds × rewards × β, plus the controls).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from skeptic.studies.simple_rl import policy, task
from skeptic.studies.simple_rl.policy import Params, ProbedTransformer

ADV_EPS = 1e-4
"""Added to the group's standard deviation so an all-equal group gets advantage 0 rather than 0/0."""


def group_advantages(rewards: torch.Tensor, group: int, scale: bool = True) -> torch.Tensor:
    """Â = (r − mean_group r) / (std_group r + ε) for rewards ``[M, P·G]`` laid out prompt-major; same shape.

    ``scale=False`` leaves out the division by the group's std (Dr. GRPO, Liu et al. 2025; TRL's
    ``scale_rewards=False``): the advantage is then r − mean_group r."""
    r = rewards.reshape(*rewards.shape[:-1], -1, group)
    mean = r.mean(-1, keepdim=True)
    if not scale:
        return (r - mean).reshape(rewards.shape)
    std = r.std(-1, unbiased=False, keepdim=True)
    return ((r - mean) / (std + ADV_EPS)).reshape(rewards.shape)


def k3(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """Schulman's k3 estimator per token: e^{ref − logp} − (ref − logp) − 1 (DeepSeekMath eq. 4)."""
    d = ref_logp - logp
    return torch.exp(d) - d - 1


def grpo_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    ref_logp: torch.Tensor,
    advantages: torch.Tensor,
    beta: torch.Tensor,
    clip: float,
) -> torch.Tensor:
    """Minus the GRPO objective per model, ``[M]``, for token log-probs ``[M, B, T]`` and advantages ``[M, B]``."""
    ratio = torch.exp(logp - old_logp)
    a = advantages[..., None]
    surrogate = torch.minimum(ratio * a, ratio.clamp(1 - clip, 1 + clip) * a)
    per_token = surrogate - beta[:, None, None] * k3(logp, ref_logp)
    return -per_token.mean((1, 2))


@dataclass
class RLSetup:
    """What each of the M stacked policies is trained with."""

    beta: torch.Tensor
    """KL coefficient per policy ``[M]``."""
    lr: torch.Tensor
    """Adam learning rate per policy ``[M]`` (0 for the frozen control)."""
    kind: torch.Tensor
    """Reward kind per policy ``[M]`` (index into :data:`task.REWARD_KINDS`; 4 = constant reward 1)."""
    errors: torch.Tensor
    """Proxy error X(y) per policy and answer ``[M, 144]``."""


def is_eval_step(t: int, steps: int, eval_every: int, eval_early_every: int = 0) -> bool:
    """Whether GRPO iteration ``t`` (1-based) of ``steps`` is followed by an exact evaluation: every ``eval_every``-th
    and the last (none when ``eval_every`` is 0), and every ``eval_early_every``-th before the first regular one."""
    if not eval_every:
        return False
    early = eval_early_every > 0 and t < eval_every and t % eval_early_every == 0
    return t % eval_every == 0 or t == steps or early


def train_grpo(
    template: ProbedTransformer,
    params: Params,
    ref_params: Params,
    setup: RLSetup,
    draw_problems: Callable[[int], tuple[torch.Tensor, torch.Tensor]],
    *,
    steps: int,
    group: int,
    inner_steps: int,
    clip: float,
    generator: torch.Generator,
    on_eval: Callable[[int], None] | None = None,
    eval_every: int = 0,
    eval_early_every: int = 0,
    trainable: tuple[str, ...] | None = None,
    on_rollouts: Callable[[int, torch.Tensor, torch.Tensor, torch.Tensor], None] | None = None,
) -> list[dict[str, list[float]]]:
    """Train the stacked policies in place for ``steps`` GRPO iterations; returns per-step training statistics.

    ``draw_problems(t)`` gives step t's prompts ``[M, P, 4]`` and targets ``[M, P, 2]``; each prompt is repeated
    ``group`` times. Per step: sample with the KV cache, score, normalize within groups, then ``inner_steps``
    gradient steps on the clipped objective (π_old fixed at the sampling policy). ``trainable`` names the parameters
    that are updated (all when None); the others stay at their values. ``on_rollouts(t, seq, reward, true_reward)``,
    when given, receives every step's sampled sequences ``[M, P·G, 6]`` (prompt and answer tokens) and the rewards
    they were scored with ``[M, P·G]``, before the update (for the reward-recomputation probe). ``on_eval(t)`` runs
    after every ``eval_every``-th step and the last, and every ``eval_early_every``-th before step ``eval_every``.
    """
    train = params if trainable is None else {k: params[k] for k in trainable}
    state: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    history: list[dict[str, list[float]]] = []
    n_updates = 0
    for t in range(1, steps + 1):
        prompt_tokens, targets = draw_problems(t)
        prompt_tokens = prompt_tokens.repeat_interleave(group, 1)
        targets = targets.repeat_interleave(group, 1)
        answers = policy.sample_stacked(template, params, prompt_tokens, generator)
        reward, true_reward = task.rewards(answers, targets, setup.kind, setup.errors)
        adv = group_advantages(reward, group)
        seq = torch.cat([prompt_tokens, answers], -1)
        if on_rollouts is not None:
            on_rollouts(t, seq, reward, true_reward)
        with torch.no_grad():
            old_logp = policy.token_logprobs(template, params, seq)
            ref_logp = policy.token_logprobs(template, ref_params, seq)
        for _ in range(inner_steps):
            for p in train.values():
                p.requires_grad_(True)
            logp = policy.token_logprobs(template, params, seq)
            loss = grpo_loss(logp, old_logp, ref_logp, adv, setup.beta, clip)
            grads = torch.autograd.grad(loss.sum(), list(train.values()))
            n_updates += 1
            with torch.no_grad():
                for p in train.values():
                    p.requires_grad_(False)
                policy.adam_step(train, dict(zip(train, grads, strict=True)), state, n_updates, setup.lr)
        history.append({
            "reward": reward.mean(1).tolist(),
            "true": true_reward.mean(1).tolist(),
            "k3": k3(old_logp, ref_logp).sum(-1).mean(1).tolist(),
        })  # fmt: skip
        if on_eval is not None and is_eval_step(t, steps, eval_every, eval_early_every):
            on_eval(t)
    return history
