"""The simple-rl study's math against known answers: GRPO pieces, k3, pass@k, the tilt, CKA, the task, sampling."""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
import pytest
import torch
from scipy import stats

from skeptic import goodhart
from skeptic.models import sample
from skeptic.studies.simple_rl import analysis, grpo, policy, task


def test_group_advantages_are_normalized_within_each_group() -> None:
    r = torch.tensor([[1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]])  # two groups of 4
    a = grpo.group_advantages(r, 4)
    assert torch.allclose(a[0, :4], torch.tensor([1.0, -1.0, -1.0, 1.0]), atol=1e-3)
    assert torch.all(a[0, 4:] == 0)  # an all-equal group carries no signal


def test_k3_is_nonnegative_and_unbiased_for_the_kl() -> None:
    p = torch.tensor([0.5, 0.3, 0.2])
    q = torch.tensor([0.2, 0.2, 0.6])
    exact = float((p * (p / q).log()).sum())
    per_outcome = grpo.k3(p.log(), q.log())
    assert torch.all(per_outcome >= 0)
    assert float((p * per_outcome).sum()) == pytest.approx(exact, rel=1e-6)  # E_p[k3] = KL(p ‖ q)
    assert torch.all(grpo.k3(p.log(), p.log()) == 0)


def test_grpo_loss_gradient_is_the_policy_gradient_at_ratio_one() -> None:
    logp = torch.tensor([[[-1.0, -2.0]]], requires_grad=True)
    loss = grpo.grpo_loss(logp, logp.detach(), logp.detach(), torch.tensor([[2.0]]), torch.tensor([0.0]), 0.2)
    (g,) = torch.autograd.grad(loss.sum(), logp)
    assert torch.allclose(g, torch.tensor([[[-1.0, -1.0]]]))  # −Â / |o| per token


def test_pass_at_k_exact_and_unbiased_agree_with_closed_forms() -> None:
    p = np.array([0.0, 0.5, 1.0])
    assert analysis.pass_at_k_exact(p, [1, 2]) == pytest.approx([0.5, (0 + 0.75 + 1) / 3])
    assert analysis.pass_at_k_unbiased(10, 3, 1) == pytest.approx(0.3)
    assert analysis.pass_at_k_unbiased(4, 1, 2) == pytest.approx(0.5)  # 1 − C(3,2)/C(4,2)
    assert analysis.pass_at_k_unbiased(4, 3, 2) == 1.0


def test_tilt_is_the_maximizer_of_the_regularized_objective() -> None:
    rng = np.random.default_rng(0)
    ref = np.log(rng.dirichlet(np.ones(6)))
    u = rng.standard_normal(6)
    beta = 0.7
    star = analysis.tilt(ref, u, beta)

    def objective(logp: np.ndarray) -> float:
        return float(np.exp(logp) @ u - beta * analysis.kl_exact(logp, ref))

    # J(π*) = β log Z, and no other policy does better
    assert objective(star) == pytest.approx(beta * math.log(np.exp(ref + u / beta).sum()))
    for _ in range(50):
        other = np.log(rng.dirichlet(np.ones(6)))
        assert objective(other) <= objective(star) + 1e-12


def test_finite_tilt_matches_goodhart_exact_tilt_for_normal_error() -> None:
    g = __import__("skeptic.studies.simple_rl.experiment", fromlist=["goodhart_crosscheck"]).goodhart_crosscheck(
        np.random.default_rng(1)
    )
    assert g["exact_mean_v"] == pytest.approx(1.0, rel=1e-6)  # σ_V²/β with σ_V = β = 1
    assert abs(g["finite_mean_v"] - g["exact_mean_v"]) < 4 * g["finite_se"] + 0.02
    assert g["heavy_tilt_exists"] is False
    assert goodhart.tilted(stats.norm(0, 1), goodhart.error("normal"), 0.5).mean_v == pytest.approx(2.0, rel=1e-6)


def test_linear_cka_known_values() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 5))
    q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    assert analysis.linear_cka(x, x @ q * 3.0) == pytest.approx(1.0)  # rotation and scale invariant
    assert analysis.linear_cka(x, rng.standard_normal((200, 5))) < 0.2  # unrelated representations


def test_corpus_distribution_and_checker() -> None:
    corpus = task.Corpus(0.5, 0.15, 0.5, 0.02)
    probs = np.array([[1, 2, 3], [4, 0, 7], [7, 0, 7]])
    d = corpus.answer_distribution(probs)
    assert d.sum(-1) == pytest.approx(np.ones(3))
    ids = task.answer_ids(task.answer_tokens(probs))
    assert d[0, ids[0]] == pytest.approx(0.98 * (0.5 + 0.5 / 100))  # easy: q + uniform share, not garbled
    assert d[1, ids[1]] == pytest.approx(0.98 * (0.15 + 0.35 / 100))  # hard
    assert d[2, ids[2]] == pytest.approx(0.98 * (0.65 + 0.35 / 100))  # a = c: the misconception is right too
    assert task.check_answer((1, 2, 3), "31") and not task.check_answer((1, 2, 3), "13")
    soft = corpus.soft_targets(corpus.sample(probs, np.random.default_rng(0)))
    assert soft.sum(-1) == pytest.approx(np.ones((3, 2)))


def test_rewards_by_kind() -> None:
    answers = torch.tensor([[[3, 1], [1, 3]], [[3, 1], [11, 3]], [[3, 1], [1, 3]]])
    targets = torch.tensor([[3, 1], [3, 1]]).expand(3, -1, -1)
    errors = torch.zeros(3, task.N_ANSWERS)
    errors[1, 11 * task.VOCAB + 3] = 1.5
    errors[2, 1 * task.VOCAB + 3] = 0.25
    r, v = task.rewards(answers, targets, torch.tensor([0, 3, 1]), errors)
    assert v.tolist() == [[1, 0], [1, 0], [1, 0]]
    assert r.tolist() == [[1, 0], [1, 1.5], [1, 0.25]]
    r_const, _ = task.rewards(answers, targets, torch.tensor([4, 4, 4]), errors)
    assert torch.all(r_const == 1)


def test_stacked_sampler_matches_the_shared_cached_sampler_greedily() -> None:
    shape = policy.make_shape(16, 2, 2)
    template, params = policy.init_stacked(shape, [3, 4])
    prompts = torch.as_tensor(task.prompts(task.all_problems()[:5]))
    ours = policy.sample_stacked(template, params, prompts.expand(2, -1, -1), torch.Generator(), temperature=0)
    for m, seed in enumerate([3, 4]):
        torch.manual_seed(seed)
        model = policy.ProbedTransformer(shape)
        ref = sample(model, prompts, 2, temperature=0)[:, 4:]
        assert torch.equal(ours[m], ref)


def test_answer_logprobs_are_a_distribution_and_match_teacher_forcing() -> None:
    shape = policy.make_shape(16, 2, 2)
    template, params = policy.init_stacked(shape, [0])
    prompts = torch.as_tensor(task.prompts(task.all_problems()[:3]))
    lp = policy.answer_logprobs(template, params, prompts)
    assert lp.exp().sum(-1) == pytest.approx(torch.ones(1, 3), abs=1e-5)
    seq = torch.cat([prompts, torch.tensor([[7, 2]] * 3)], -1)[None]
    tf = policy.token_logprobs(template, params, seq).sum(-1)
    assert torch.allclose(tf, lp[..., 7 * task.VOCAB + 2], atol=1e-5)


def test_adam_with_zero_learning_rate_and_zero_gradient_changes_nothing() -> None:
    p = {"w": torch.ones(2, 3)}
    before = p["w"].clone()
    state: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    policy.adam_step(p, {"w": torch.tensor([[1.0, 1, 1], [0, 0, 0]])}, state, 1, torch.tensor([0.0, 0.1]))
    assert torch.equal(p["w"], before)  # model 0: lr 0; model 1: zero gradient


def test_the_hand_written_adam_matches_torch_and_the_check_sees_a_bias_correction_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from skeptic.studies.simple_rl import experiment

    class Ctx:
        def rng(self, *key: str) -> np.random.Generator:
            return np.random.default_rng(0)

    out = experiment.optimizer_check(cast(Any, Ctx()))
    assert out["max_diff"] <= 1e-12 and out["max_move"] >= 0.01 and out["frozen_move"] == 0.0

    def no_bias_correction(params: Any, grads: Any, state: Any, step: int, lr: torch.Tensor) -> None:
        for k, p in params.items():
            m, v = state.get(k, (torch.zeros_like(p), torch.zeros_like(p)))
            m, v = 0.9 * m + 0.1 * grads[k], 0.999 * v + 0.001 * grads[k] ** 2
            state[k] = (m, v)
            p.sub_(lr.view(-1, *([1] * (p.dim() - 1))) * m / (v.sqrt() + 1e-8))

    monkeypatch.setattr(policy, "adam_step", no_bias_correction)
    assert experiment.optimizer_check(cast(Any, Ctx()))["max_diff"] > 1e-3


def test_stratified_interval_has_known_answers() -> None:
    # two strata of 3 with the same within-stratum variance (1): the variance of the mean is s²/n and the
    # Satterthwaite df is n − 2, whatever the strata's means (the between-strata gap is not sampling error)
    x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    mean, lo, hi, df = analysis.stratified_mean_ci(x, np.array([0, 0, 0, 1, 1, 1]))
    half = stats.t.ppf(0.975, 4) * math.sqrt(1.0 / 6)
    assert mean == pytest.approx(6.0) and df == pytest.approx(4.0)
    assert (lo, hi) == pytest.approx((6.0 - half, 6.0 + half))
    pooled = stats.t.ppf(0.975, 5) * x.std(ddof=1) / math.sqrt(6)
    assert hi - mean < pooled / 5  # the plain t-interval would carry the strata's gap as noise
    assert analysis.stratified_mean_ci(np.full(4, 0.3), np.array([0, 0, 1, 1]))[1:3] == (0.3, 0.3)
    with pytest.raises(ValueError, match="at least 2"):
        analysis.stratified_mean_ci(np.array([0.0, 1.0, 2.0]), np.array([0, 0, 1]))
