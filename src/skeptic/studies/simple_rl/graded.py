"""The graded task on a large answer space: where tails can be heavy, β binds, and every fixed point is exact.

An answer is a string of ``digits`` symbols in base ``base`` (10⁴ answers at 4 decimal digits; the 144-answer
contrast is 2 symbols in base 12). Each prompt has a target string; the true reward is partial credit,
V(y) = (digits of y equal to the target's) / digits ∈ [0, 1], an exact checker with D + 1 levels. The reference
("pretrained") policy gets each digit right with probability q and otherwise picks one of the other base − 1
symbols uniformly, independently per digit: π_ref(y) = q^m ((1 − q)/(base − 1))^(D − m) for m matching digits.

A proxy U = V + X adds an error X(y) drawn once per (prompt, answer) from a light-tailed (normal) or heavy-tailed
(Student-t, 3 degrees of freedom) law with SD ``error_sd``: a reward model's idiosyncratic taste for some outputs,
independent of V, as in Kwa et al. 2024's setting (arXiv 2407.14503, §2).

Policies are tables of logits over the N answers of each prompt (the most flexible policy a model could be), trained
by the *expected* update of each RL estimator: the mean of the sampled per-token gradient over the policy's own
answers, computed exactly over all N (the limit of many sampled groups; :func:`expected_ascent`). Each estimator's
fixed point is then the optimum of a named objective, computed exactly:

- **k1-reward** (the KL estimate log π/π_ref subtracted from the reward, a score-function gradient; Ouyang et al.
  2022's PPO penalty): the gradient of E_π[U] − β KL(π ‖ π_ref); fixed point the tilt π_ref e^{U/β} / Z.
- **k3-loss** (DeepSeekMath's eq. 4 estimator added to the loss, as TRL's GRPOTrainer does): the gradient of
  E_π[U] − β' KL(π_ref ‖ π); fixed point π(y) = β' π_ref(y) / (λ − U(y)) (:func:`reverse_optimum`).

A group-mean baseline over G answers scales the reward term by (1 − 1/G) in expectation (Dr. GRPO: no std
normalization), so the k3-loss arm's coefficient is β' = β / (1 − 1/G); dividing by the group's standard deviation
(GRPO) makes it β' = β · σ_π(U), a coefficient that moves with the policy (:func:`grpo_optimum`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch.optim.adam import adam as adam_reference

from skeptic.studies.simple_rl import analysis

ADAM: dict[str, Any] = {"amsgrad": False, "beta1": 0.9, "beta2": 0.999, "weight_decay": 0.0, "eps": 1e-8}
"""The settings of PyTorch's functional Adam (``torch.optim.adam.adam``) used here: Kingma & Ba's defaults."""

ESTIMATORS = ("k1-reward", "k3-loss")
ARMS = ("k1", "drgrpo", "grpo")
"""k1: KL in the reward, no std normalization. drgrpo: the trainer's KL estimator (k3-loss by default), group mean
baseline, no std (TRL's ``scale_rewards=False``). grpo: the same with the group's std dividing the advantage."""


@dataclass(frozen=True)
class GradedTask:
    base: int
    digits: int
    q: float
    """π_ref's probability of each right digit."""

    @property
    def n_answers(self) -> int:
        return int(self.base**self.digits)

    def answers(self) -> np.ndarray:
        """Every answer as its digits, ``[N, D]`` (answer index = the digits read in base ``base``)."""
        return np.stack(np.unravel_index(np.arange(self.n_answers), (self.base,) * self.digits), -1)

    def tables(self, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(V, log π_ref) for target strings ``[P, D]``: both ``[P, N]``."""
        matches = (self.answers()[None] == targets[:, None]).sum(-1)
        v = matches / self.digits
        miss = math.log((1 - self.q) / (self.base - 1))
        return v, matches * math.log(self.q) + (self.digits - matches) * miss


def error_table(law: str, sd: float, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """X with SD ``sd``: ``normal`` (light-tailed) or ``t3`` (Student-t with 3 d.o.f., heavy-tailed, /√3)."""
    if law == "normal":
        return sd * rng.standard_normal(shape)
    if law == "t3":
        return sd * rng.standard_t(3, shape) / math.sqrt(3.0)
    raise ValueError(f"unknown error law {law!r}")


def tilt(logref: np.ndarray, u: np.ndarray, beta: float | np.ndarray) -> np.ndarray:
    """log of argmax_π E_π[U] − β KL(π ‖ π_ref) = π_ref e^{U/β} / Z over the last axis (β per row allowed)."""
    b = np.asarray(beta, dtype=float)
    return analysis.tilt(logref, u / (b[..., None] if b.ndim else b), 1.0)


def reverse_optimum(logref: np.ndarray, u: np.ndarray, beta: float | np.ndarray, iters: int = 200) -> np.ndarray:
    """log of argmax_π E_π[U] − β KL(π_ref ‖ π), over the last axis.

    Stationarity on the simplex: U(y) + β π_ref(y)/π(y) = λ, so π(y) = β π_ref(y) / (λ − U(y)) with λ > max U
    chosen so that Σ π = 1; λ − max U lies in (0, β] (at β every term is ≤ π_ref), found by bisection on a log
    scale. Unlike the tilt it exists for any error law: KL(π_ref ‖ π) keeps mass wherever π_ref has it.
    """
    b = np.broadcast_to(np.asarray(beta, dtype=float), u.shape[:-1])[..., None]
    top = u.max(-1, keepdims=True)
    lo, hi = np.log(b) - 60.0, np.log(b)  # log(λ − max U)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        total = np.exp(logref + np.log(b) - np.log(top - u + np.exp(mid))).sum(-1, keepdims=True)
        lo, hi = np.where(total > 1, mid, lo), np.where(total > 1, hi, mid)
    logp = logref + np.log(b) - np.log(top - u + np.exp(hi))
    return np.asarray(logp - np.log(np.exp(logp).sum(-1, keepdims=True)))


def grpo_optimum(logref: np.ndarray, u: np.ndarray, beta: float, iters: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """(log π, β_eff) of the std-normalized k3-loss arm's fixed point, per row: the reverse optimum at
    β_eff = β · σ_π(U), self-consistent (advantage (U − Ū)/σ in the many-samples limit), by damped iteration on
    log β_eff."""
    p0 = np.exp(logref)
    sd = np.sqrt((p0 * (u - (p0 * u).sum(-1, keepdims=True)) ** 2).sum(-1))
    log_b = np.log(beta * sd)
    for _ in range(iters):
        lp = reverse_optimum(logref, u, np.exp(log_b), iters=80)
        p = np.exp(lp)
        sd = np.sqrt((p * (u - (p * u).sum(-1, keepdims=True)) ** 2).sum(-1))
        log_b = 0.5 * log_b + 0.5 * np.log(beta * sd)
    return reverse_optimum(logref, u, np.exp(log_b)), np.exp(log_b)


def reward_scale(group: int) -> float:
    """E[Â_i ∇ log π(y_i)] = (1 − 1/G) ∇ E_π[r] for the group-mean baseline Â_i = r_i − (1/G) Σ_j r_j (the answer's
    own reward is in the mean)."""
    return 1.0 - 1.0 / group


def expected_ascent(
    theta: torch.Tensor,
    logref: torch.Tensor,
    u: torch.Tensor,
    beta: torch.Tensor,
    k1: torch.Tensor,
    std: torch.Tensor,
    group: int,
) -> torch.Tensor:
    """The expectation over each policy's own answers of the sampled update direction, w.r.t. the logits ``[A, P, N]``.

    For a tabular softmax ∇_θ log π(y) = e_y − π. With f = U (k3-loss) or f = U − β log(π/π_ref) held fixed
    (k1-reward), advantage a = f − E_π f scaled by c = 1 − 1/G (group-mean baseline) or 1/σ_π(f) (std-normalized,
    many-samples limit), the reward term's expectation is c π ⊙ a; the k3-loss term's gradient is
    E_π[(1 − π_ref/π) (e_y − π)] = π − π_ref, entering with −β. ``beta`` ``[A]``, ``k1``/``std`` ``[A]`` booleans.
    """
    logp = torch.log_softmax(theta, -1)
    p = logp.exp()
    b = beta[:, None, None]
    f = torch.where(k1[:, None, None], u - b * (logp - logref), u) if bool(k1.any()) else u
    a = f - (p * f).sum(-1, keepdim=True)
    sd = (p * a * a).sum(-1, keepdim=True).sqrt()
    c = torch.where(std[:, None, None], 1.0 / (sd + 1e-12), torch.full_like(sd, reward_scale(group)))
    g = c * p * a
    return torch.where(k1[:, None, None], g, g - b * (p - logref.exp()))


def train_tables(
    logref: torch.Tensor,
    u: torch.Tensor,
    beta: torch.Tensor,
    k1: torch.Tensor,
    std: torch.Tensor,
    *,
    group: int,
    steps: int,
    lr: float,
    record: int = 20,
) -> tuple[torch.Tensor, list[dict[str, list[float]]]]:
    """Adam ascent on the expected update from θ = log π_ref, by PyTorch's own Adam (its functional form,
    ``torch.optim.adam.adam``, maximizing, β = (0.9, 0.999), ε = 1e-8: no hand-written optimizer here); returns
    final log π ``[A, P, N]`` and a trace of (step, E_π[U], KL(π ‖ π_ref)) per arm at ``record`` evenly spaced
    steps. Adam is elementwise, so one optimizer over the stacked table is one per arm."""
    theta = logref.clone()
    m, v, count = torch.zeros_like(theta), torch.zeros_like(theta), torch.tensor(0.0)
    trace: list[dict[str, list[float]]] = []
    marks = {round(float(x)) for x in np.linspace(0, steps, record + 1)}
    for t in range(1, steps + 1):
        g = expected_ascent(theta, logref, u, beta, k1, std, group)
        adam_reference([theta], [g], [m], [v], [], [count], foreach=False, **ADAM, lr=lr, maximize=True)
        if t in marks:
            lp = torch.log_softmax(theta, -1)
            p = lp.exp()
            trace.append({
                "step": [float(t)], "u": (p * u).sum(-1).mean(-1).tolist(),
                "kl": (p * (lp - logref)).sum(-1).mean(-1).tolist(),
            })  # fmt: skip
    return torch.log_softmax(theta, -1), trace


def gain_fraction(logp: np.ndarray, logref: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(E_π[V] − E_ref[V]) / (max V − E_ref[V]) per row: the share of the possible true-reward gain achieved."""
    e = (np.exp(logp) * v).sum(-1)
    e0 = (np.exp(logref) * v).sum(-1)
    return np.asarray((e - e0) / (v.max(-1) - e0))


def simulate_claims(
    task: GradedTask, *, laws: tuple[str, str], sd: float, beta: float, n_seeds: int, prompts: int,
    replicates: int, rng: np.random.Generator,
) -> dict[str, list[list[float]]]:  # fmt: skip
    """The Kwa et al. claims' measure (the tilt's gain fraction at β on each of the n_seeds × prompts independent
    (target, error table) draws of a run) on ``replicates`` fresh runs, for each law in ``laws``:
    ``{law: [[values of one run]]}``."""
    out: dict[str, list[list[float]]] = {}
    for law in laws:
        rows = []
        for _ in range(replicates):
            targets = rng.integers(0, task.base, (n_seeds * prompts, task.digits))
            v, logref = task.tables(targets)
            x = error_table(law, sd, v.shape, rng)
            rows.append(gain_fraction(tilt(logref, v + x, beta), logref, v).tolist())
        out[law] = rows
    return out
