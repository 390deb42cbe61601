"""The task: a running sum mod p written out step by step, with an exact teacher and an exact checker.

A prompt is T digits ``x₁ … x_T`` in ``{0, …, p−1}``; the answer is written one step per token after a separator,
``y_t = (y_{t−1} + x_t) mod p`` with ``y_0 = 0``, so the correct answer is the running sum ``s_t = Σ_{i≤t} x_i mod p``
and the final answer is ``s_T``. The horizon T is the number of output steps, so the task is a sequential decision
problem of length T in the sense of Ross, Gordon & Bagnell (2011): each output token is an action, the state is the
prompt plus the answer so far.

The exact teacher (the "tutor") continues correctly from any state, also one the student reached by a mistake:
``π*(x, y_{<t}) = (y_{t−1} + x_t) mod p``. On the teacher's own rollouts it writes the running sum. A student's
per-step cost is Ross et al.'s 0/1 loss against that teacher at the state the student visited; its total cost over an
episode is the number of steps where it disagreed with the teacher. The outcome reward of RL is ``1[y_T = s_T]``.

Token layout (length 2T, the environment revealing one digit per step): ``x₁ y₁ x₂ y₂ … x_T y_T``, prompt digit d as
token d and answer digit d as token p + d (vocabulary 2p). The logit at the position of x_t predicts y_t, so the
state at step t is everything before it: the digits so far and the answers written so far.
Evaluation prompts are a held-out part of the prompt space (:func:`held_out`), never drawn for training.
"""

from __future__ import annotations

import math

import torch

HOLD_OUT_MOD = 5
"""A prompt is held out for evaluation when a hash of it is ≡ 0 (mod this): about a fifth of the prompt space."""


def prompt_codes(x: torch.Tensor, p: int) -> torch.Tensor:
    """The base-p integer ``Σ_t x_t p^{t−1}`` of each prompt ``x`` [..., T] (an id for the prompt)."""
    T = x.shape[-1]
    powers = p ** torch.arange(T, device=x.device, dtype=torch.int64)
    return (x.to(torch.int64) * powers).sum(-1)


def held_out(x: torch.Tensor, p: int) -> torch.Tensor:
    """True for prompts reserved for evaluation: a hash of the prompt's code is ≡ 0 (mod :data:`HOLD_OUT_MOD`).

    The code is scrambled first (Knuth's multiplicative hash, ``code · 2654435761 mod 2³²``, top bits), so the
    held-out set is spread over every digit at every position (``code mod 5`` alone would hold out every prompt
    starting with 0 when p = 5, and training would never see that digit there).
    """
    scrambled = (prompt_codes(x, p) * 2654435761) % (1 << 32)
    return (scrambled >> 16) % HOLD_OUT_MOD == 0


def sample_prompts(n: int, T: int, p: int, gen: torch.Generator, *, split: str, device: str = "cpu") -> torch.Tensor:
    """``n`` prompts [n, T] drawn uniformly from the training part (``split="train"``) or the held-out part ("eval").

    Rejection sampling: draw uniformly, keep those on the requested side of :func:`held_out`, repeat until n are kept.
    """
    if split not in ("train", "eval"):
        raise ValueError(f"split must be 'train' or 'eval', got {split!r}")
    out: list[torch.Tensor] = []
    kept = 0
    while kept < n:
        x = torch.randint(0, p, (2 * n + 16, T), generator=gen, device=device)
        mask = held_out(x, p)
        x = x[mask] if split == "eval" else x[~mask]
        out.append(x)
        kept += x.shape[0]
    return torch.cat(out)[:n]


def running_sum(x: torch.Tensor, p: int) -> torch.Tensor:
    """The correct answer ``s_t = Σ_{i≤t} x_i mod p`` [..., T] (the exact teacher's rollout)."""
    return torch.cumsum(x, dim=-1) % p


def teacher_labels(x: torch.Tensor, y: torch.Tensor, p: int) -> torch.Tensor:
    """The exact teacher's action at every state the answer ``y`` visited: ``(y_{t−1} + x_t) mod p``, ``y_0 = 0``.

    Where ``y`` is the teacher's own rollout this equals :func:`running_sum`; after a mistake it continues from it.
    """
    prev = torch.cat([torch.zeros_like(y[..., :1]), y[..., :-1]], dim=-1)
    return (prev + x) % p


def sequences(x: torch.Tensor, y: torch.Tensor, p: int) -> torch.Tensor:
    """Token sequences ``x₁ y₁ … x_T y_T`` [..., 2T] (answer digits shifted by p to tokens p … 2p−1)."""
    return torch.stack([x, y + p], dim=-1).reshape(*x.shape[:-1], 2 * x.shape[-1])


def outcome_reward(x: torch.Tensor, y: torch.Tensor, p: int) -> torch.Tensor:
    """RL's verifiable reward: 1.0 when the final answer ``y_T`` equals ``s_T``, else 0.0 (float [...])."""
    return (y[..., -1] == running_sum(x, p)[..., -1]).float()


def check_answer(prompt: list[int], answer: list[int], p: int) -> bool:
    """An independent pure-Python checker of a final answer: ``answer[-1] == sum(prompt) % p``."""
    return answer[-1] == sum(prompt) % p


def demonstration_bits(T: int, p: int) -> float:
    """Bits a demonstration carries for a learner that knows nothing: T answer tokens, each one of p, ``T·log₂ p``."""
    return T * math.log2(p)


def reward_bits(q: float) -> float:
    """The entropy of a 0/1 reward with success rate q, ``H(q) = −q log₂ q − (1−q) log₂(1−q)`` (≤ 1 bit)."""
    if q <= 0.0 or q >= 1.0:
        return 0.0
    return -q * math.log2(q) - (1 - q) * math.log2(1 - q)
