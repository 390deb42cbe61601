"""The tasks: a running count or a running sum mod p written out step by step, with an exact expert and an exact
checker.

A prompt is T digits ``x₁ … x_T`` in ``{0, …, p−1}``; the answer is written one step per token after a separator,
``y_t = (y_{t−1} + g(x_t)) mod p`` with ``y_0 = 0``: ``g(x) = 1[x = 0]`` for the ``count`` task (the running count of
zeros), ``g(x) = x`` for the ``sum`` task (the running sum). The horizon T is the number of output steps, so the task
is a sequential decision problem of length T in the sense of Ross, Gordon & Bagnell (2011): each output token is an
action, the state is the prompt plus the answer so far.

The two tasks differ in their expert off its own path (:data:`TASKS`). ``count``'s expert writes the true count at
any state, so after a student's mistake it says what the answer should be now (a student that leans on its own
previous answer then stays wrong to the end: errors compound); ``sum``'s expert continues from the state,
``π*(x, y_{<t}) = (y_{t−1} + x_t) mod p``, so a mistake costs one step. A student's per-step cost is Ross et al.'s 0/1
loss against the expert at the state the student visited; its total cost over an episode is the number of steps
where it disagreed with the expert. The outcome reward of RL is ``1[y_T = correct final answer]``.

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


TASKS = ("count", "sum")
"""The two tasks, both written out step by step with ``y_t = (y_{t−1} + g(x_t)) mod p`` on the expert's own path:

- ``count`` (errors compound): ``g(x) = 1[x = 0]``, the answer is the running count of zeros mod p, and the expert's
  label at *any* state is the true count ``c_t``, whatever the answers so far. A student that adds ``g(x_t)`` to its
  own previous answer (the shortcut behaviour cloning's data cannot tell from the rule) carries a mistake to the end
  of the episode; one that counts the zeros of the prompt (attention can) recovers. DAgger's states show the
  difference, behaviour cloning's do not.
- ``sum`` (the contrast, the study's earlier task): ``g(x) = x``, the answer is the running sum, and the expert
  continues from the state, ``(y_{t−1} + x_t) mod p``, so a mistake costs one step and nothing after it.
"""


def increments(x: torch.Tensor, kind: str) -> torch.Tensor:
    """``g(x_t)`` of task ``kind``: ``1[x_t = 0]`` for ``count``, ``x_t`` for ``sum``."""
    if kind == "count":
        return (x == 0).to(x.dtype)
    if kind == "sum":
        return x
    raise ValueError(f"task must be one of {TASKS}, got {kind!r}")


def answers(x: torch.Tensor, p: int, kind: str) -> torch.Tensor:
    """The correct answers ``Σ_{i≤t} g(x_i) mod p`` [..., T] (the expert's own rollout)."""
    return torch.cumsum(increments(x, kind), dim=-1) % p


def expert_labels(x: torch.Tensor, y: torch.Tensor, p: int, kind: str) -> torch.Tensor:
    """The expert's action at every state the answers ``y`` visited.

    ``count``: the true count (a history expert: it corrects a mistake); ``sum``: ``(y_{t−1} + x_t) mod p`` (a local
    expert: it continues from the mistake, :func:`teacher_labels`). On the expert's own path both equal
    :func:`answers`.
    """
    if kind == "count":
        return answers(x, p, kind).expand_as(y)
    if kind == "sum":
        return teacher_labels(x, y, p)
    raise ValueError(f"task must be one of {TASKS}, got {kind!r}")


def slips(shape: tuple[int, ...], rate: float, p: int, gen: torch.Generator, device: str = "cpu") -> torch.Tensor:
    """A fixed per-step error: a shift in ``{1, …, p−1}`` at each step with probability ``rate``, else 0 [shape].

    Added (mod p) to a policy's action, it turns any policy into one that errs on at least a share ``rate`` of the
    expert's own states: Ross et al.'s ε held fixed across horizons, so a cost that grows faster than ``T·rate``
    measures what happens *after* a mistake (compounding), not a task that got harder.
    """
    hit = torch.rand(shape, generator=gen, device=device) < rate
    shift = torch.randint(1, p, shape, generator=gen, device=device)
    return torch.where(hit, shift, torch.zeros_like(shift))


def sequences(x: torch.Tensor, y: torch.Tensor, p: int) -> torch.Tensor:
    """Token sequences ``x₁ y₁ … x_T y_T`` [..., 2T] (answer digits shifted by p to tokens p … 2p−1)."""
    return torch.stack([x, y + p], dim=-1).reshape(*x.shape[:-1], 2 * x.shape[-1])


def outcome_reward(x: torch.Tensor, y: torch.Tensor, p: int, kind: str = "sum") -> torch.Tensor:
    """RL's verifiable reward: 1.0 when the final answer ``y_T`` is right for task ``kind``, else 0.0 (float [...])."""
    return (y[..., -1] == answers(x, p, kind)[..., -1]).float()


def check_answer(prompt: list[int], answer: list[int], p: int, kind: str = "sum") -> bool:
    """An independent pure-Python checker of a final answer: ``sum(prompt) % p`` (sum) or ``prompt.count(0) % p``."""
    return answer[-1] == (prompt.count(0) if kind == "count" else sum(prompt)) % p


def demonstration_bits(T: int, p: int) -> float:
    """Bits a demonstration carries for a learner that knows nothing: T answer tokens, each one of p, ``T·log₂ p``."""
    return T * math.log2(p)


def reward_bits(q: float) -> float:
    """The entropy of a 0/1 reward with success rate q, ``H(q) = −q log₂ q − (1−q) log₂(1−q)`` (≤ 1 bit)."""
    if q <= 0.0 or q >= 1.0:
        return 0.0
    return -q * math.log2(q) - (1 - q) * math.log2(1 - q)
