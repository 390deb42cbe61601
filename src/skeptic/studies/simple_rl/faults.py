"""Fault catalog of the simple-rl study: bugs a hurried replicator of GRPO on a small model makes.

Each fault replaces the function the bug would live in (:mod:`skeptic.core.faults`); the experiment's code reads
exactly as it does without the fault. Targets are patched where they are looked up (module attributes).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from skeptic.study import Fault, replace

_PKG = "skeptic.studies.simple_rl"


def _heldout_in_training(orig: Any) -> Any:
    def split_problems(n_heldout: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        _, held = orig(n_heldout, rng)
        return np.arange(1000), held  # the held-out problems were never removed from the training pool

    return split_problems


def _targets_from_answer_key(orig: Any) -> Any:
    from skeptic.studies.simple_rl import task

    def soft_targets(self: Any, sequences: np.ndarray) -> np.ndarray:
        ans = task.answer_tokens(sequences[:, :3])  # the answer key instead of the corpus's own answers
        out = np.zeros((len(sequences), 2, task.VOCAB))
        out[np.arange(len(sequences)), 0, ans[:, 0]] = 1.0
        out[np.arange(len(sequences)), 1, ans[:, 1]] = 1.0
        return out

    return soft_targets


def _advantage_not_centered(orig: Any) -> Any:
    def group_advantages(rewards: torch.Tensor, group: int, scale: bool = True) -> torch.Tensor:
        r = rewards.reshape(*rewards.shape[:-1], -1, group)
        if not scale:
            return r.reshape(rewards.shape)  # the mean never subtracted
        return (r / (r.std(-1, unbiased=False, keepdim=True) + 1e-4)).reshape(rewards.shape)

    return group_advantages


def _k3_swapped(orig: Any) -> Any:
    def k3(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = orig(ref_logp, logp)  # π and π_ref exchanged in the ratio
        return out

    return k3


def _hot_rollouts(orig: Any) -> Any:
    def sample_stacked(*a: Any, temperature: float = 1.0, **k: Any) -> Any:
        return orig(*a, temperature=0.7, **k)  # a generation default (0.7) left on for RL rollouts and probes

    return sample_stacked


def _ref_is_policy(orig: Any) -> Any:
    def train_grpo(template: Any, params: Any, ref_params: Any, *a: Any, **k: Any) -> Any:
        return orig(template, params, params, *a, **k)  # the reference model aliased to the live policy

    return train_grpo


def _error_rng_fixed(orig: Any) -> Any:
    def error_table(law: str, sd: float, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return np.asarray(orig(law, sd, shape, np.random.default_rng(0)))  # a hard-coded seed inside the sampler

    return error_table


def _logits_shifted(orig: Any) -> Any:
    from skeptic.studies.simple_rl import policy
    from skeptic.studies.simple_rl.task import PROMPT_LEN

    def token_logprobs(template: Any, params: Any, sequences: torch.Tensor) -> torch.Tensor:
        logits = policy.forward(template, params, sequences[..., :-1])[..., PROMPT_LEN - 2 : -1, :]  # one early
        logp = torch.log_softmax(logits.float(), -1)
        return logp.gather(-1, sequences[..., PROMPT_LEN:, None]).squeeze(-1)

    return token_logprobs


def _kl_in_bits(orig: Any) -> Any:
    def kl_exact(logp: np.ndarray, ref_logp: np.ndarray) -> np.ndarray:
        return np.asarray(orig(logp, ref_logp)) / math.log(2)  # log₂ where every other quantity is in nats

    return kl_exact


def _pass_at_k_off_by_one(orig: Any) -> Any:
    def pass_at_k_exact(p_correct: np.ndarray, ks: Any) -> np.ndarray:
        return np.asarray(orig(p_correct, [k - 1 for k in ks]))  # 1 − (1 − p)^(k−1): one sample too few

    return pass_at_k_exact


def _optimum_always_tilt(orig: Any) -> Any:
    from skeptic.studies.simple_rl import graded

    def own_optimum(sp: Any, logref: np.ndarray, u: np.ndarray, group: int, penalty: bool) -> tuple[np.ndarray, None]:
        return graded.tilt(logref, u, sp["beta"]), None  # every arm compared with the tilt, whatever its KL term

    return own_optimum


def _k3_gradient_unweighted(orig: Any) -> Any:
    def expected_ascent(theta: torch.Tensor, logref: torch.Tensor, u: torch.Tensor, beta: torch.Tensor,
                        k1: torch.Tensor, std: torch.Tensor, group: int) -> torch.Tensor:  # fmt: skip
        g: torch.Tensor = orig(theta, logref, u, torch.zeros_like(beta), k1, std, group)
        p = torch.softmax(theta, -1)
        wrong = beta[:, None, None] * (1 - logref.exp() / p)  # the per-sample k3 gradient, never weighted by π
        return torch.where(k1[:, None, None], orig(theta, logref, u, beta, k1, std, group), g - wrong)

    return expected_ascent


def _answer_ids_base_10(orig: Any) -> Any:
    def answer_ids(answers: np.ndarray) -> np.ndarray:
        return np.asarray(answers[:, 0] * 10 + answers[:, 1])  # digits read in base 10, not the 12-token layout

    return answer_ids


def _frozen_probe_refit(orig: Any) -> Any:
    from skeptic.studies.simple_rl import analysis

    def views_readouts(w_pre: np.ndarray, fit: np.ndarray, y_fit: np.ndarray, held: np.ndarray,
                       y_held: np.ndarray) -> dict[str, float]:  # fmt: skip
        w = analysis.fit_linear_probe(fit, y_fit)  # the "frozen" probe refit on the post-RL states
        return dict(orig(w, fit, y_fit, held, y_held))

    return views_readouts


FAULTS = (
    Fault(
        "optimum-always-the-tilt",
        "wrong-field",
        "every graded arm's 'own optimum' computed as the tilt π_ref e^{U/β}, whatever KL its update ascends",
        replace(f"{_PKG}.experiment.own_optimum", _optimum_always_tilt),
    ),
    Fault(
        "k3-expectation-unweighted",
        "other",
        "the graded arms' expected k3 gradient written as β(1 − π_ref/π) per answer, missing the weight π(y)",
        replace(f"{_PKG}.graded.expected_ascent", _k3_gradient_unweighted),
    ),
    Fault(
        "heldout-in-training",
        "leakage",
        "the held-out problems stay in the pretraining and RL problem pool (the split is computed but never applied)",
        replace(f"{_PKG}.task.split_problems", _heldout_in_training),
    ),
    Fault(
        "pretrain-on-answer-key",
        "leakage",
        "pretraining targets built from the answer key instead of the noisy corpus (the base model sees clean labels)",
        replace(f"{_PKG}.task.Corpus.soft_targets", _targets_from_answer_key),
    ),
    Fault(
        "advantage-not-centered",
        "other",
        "GRPO advantages divided by the group's SD without subtracting the group mean",
        replace(f"{_PKG}.grpo.group_advantages", _advantage_not_centered),
    ),
    Fault(
        "k3-ratio-swapped",
        "swap",
        "the k3 KL estimator written with π and π_ref exchanged (π/π_ref instead of π_ref/π)",
        replace(f"{_PKG}.grpo.k3", _k3_swapped),
    ),
    Fault(
        "rollouts-at-temperature-0.7",
        "setting",
        "rollouts sampled at temperature 0.7 (a chat default) instead of 1, so training is off the policy it scores",
        replace(f"{_PKG}.policy.sample_stacked", _hot_rollouts),
    ),
    Fault(
        "reference-is-policy",
        "wrong-field",
        "the KL penalty's reference log-probs come from the live policy (the reference copy is never used)",
        replace(f"{_PKG}.grpo.train_grpo", _ref_is_policy),
    ),
    Fault(
        "proxy-errors-one-seed",
        "rng-reuse",
        "the graded proxy-error tables drawn from a hard-coded default_rng(0): every seed shares one error draw",
        replace(f"{_PKG}.graded.error_table", _error_rng_fixed),
    ),
    Fault(
        "answer-logits-one-early",
        "off-by-one",
        "the answer tokens' log-probs read from the logits one position too early",
        replace(f"{_PKG}.policy.token_logprobs", _logits_shifted),
    ),
    Fault(
        "exact-kl-in-bits",
        "scale",
        "the exact KL computed with log base 2 (bits) while the penalty and every estimate are in nats",
        replace(f"{_PKG}.analysis.kl_exact", _kl_in_bits),
    ),
    Fault(
        "pass-at-k-one-short",
        "off-by-one",
        "exact pass@k computed as 1 − (1 − p)^(k−1), one sample short",
        replace(f"{_PKG}.analysis.pass_at_k_exact", _pass_at_k_off_by_one),
    ),
    Fault(
        "frozen-probe-refit",
        "wrong-field",
        "the views experiment's 'frozen' probe refit on the current (post-RL) states at every evaluation, so the "
        "pre-RL readout is never the one read",
        replace(f"{_PKG}.experiment.views_readouts", _frozen_probe_refit),
    ),
    Fault(
        "answer-index-base-10",
        "wrong-field",
        "the correct answer's index in the exact distribution computed as 10·t₁ + t₂ instead of 12·t₁ + t₂",
        replace(f"{_PKG}.task.answer_ids", _answer_ids_base_10),
    ),
)
