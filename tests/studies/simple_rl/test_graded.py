"""The graded task's math against known answers: the tables, both KL directions' optima, the expected updates and
their fixed points, and training onto them."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from skeptic.studies.simple_rl import analysis, graded, grpo


def _case(n: int = 9, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    logref = np.log(rng.dirichlet(np.ones(n)))[None]
    return logref, rng.standard_normal((1, n))


def test_tables_count_matching_digits_and_the_reference_is_a_distribution() -> None:
    task = graded.GradedTask(base=3, digits=2, q=0.5)
    v, logref = task.tables(np.array([[2, 0]]))
    assert task.n_answers == 9
    assert np.exp(logref).sum() == pytest.approx(1.0)
    # answer index 6 is "2 0" (both right), 0 is "0 0" (one right), 4 is "1 1" (none right)
    assert (v[0, 6], v[0, 0], v[0, 4]) == (1.0, 0.5, 0.0)
    assert np.exp(logref[0, 6]) == pytest.approx(0.25) and np.exp(logref[0, 4]) == pytest.approx(0.0625)


def test_error_laws_have_the_requested_sd() -> None:
    rng = np.random.default_rng(1)
    for law in ("normal", "t3"):
        x = graded.error_table(law, 0.5, (400_000,), rng)
        assert x.std() == pytest.approx(0.5, rel=0.05)
    with pytest.raises(ValueError):
        graded.error_table("cauchy", 1.0, (3,), rng)


def test_reverse_optimum_maximizes_the_reverse_kl_objective() -> None:
    logref, u = _case()
    beta = 0.4
    star = graded.reverse_optimum(logref, u, beta)

    def objective(logp: np.ndarray) -> float:
        return float((np.exp(logp) * u).sum() - beta * analysis.kl_exact(logref, logp).sum())

    assert np.exp(star).sum() == pytest.approx(1.0)
    rng = np.random.default_rng(2)
    for _ in range(200):  # no nearby policy does better
        other = star + 0.05 * rng.standard_normal(star.shape)
        other -= np.log(np.exp(other).sum())
        assert objective(other) <= objective(star) + 1e-12
    # and it is not the tilt (the forward-KL optimum)
    assert analysis.tv_distance(star, graded.tilt(logref, u, beta)).max() > 0.01


@pytest.mark.parametrize(("k1", "std"), [(True, False), (False, False), (False, True)])
def test_each_arms_expected_update_vanishes_at_its_own_optimum(k1: bool, std: bool) -> None:
    logref, u = _case(seed=3)
    beta, group = 0.3, 8
    if k1:
        star = graded.tilt(logref, u, beta)
    elif std:
        star = graded.grpo_optimum(logref, u, beta)[0]
    else:
        star = graded.reverse_optimum(logref, u, beta / graded.reward_scale(group))
    t = torch.tensor
    g = graded.expected_ascent(
        t(star)[None], t(logref)[None], t(u)[None], t([beta], dtype=torch.float64), t([k1]), t([std]), group
    )
    assert float(g.abs().max()) < 1e-6
    tilt_g = graded.expected_ascent(
        t(graded.tilt(logref, u, beta))[None], t(logref)[None], t(u)[None], t([beta], dtype=torch.float64),
        t([k1]), t([std]), group,
    )  # fmt: skip
    if not k1:
        assert float(tilt_g.abs().max()) > 1e-3  # the tilt is not a fixed point of the k3-as-loss arms


def test_k3_as_a_loss_has_the_gradient_of_the_reverse_kl() -> None:
    rng = np.random.default_rng(4)
    theta = torch.tensor(rng.standard_normal(6), requires_grad=True)
    logref = torch.log_softmax(torch.tensor(rng.standard_normal(6)), -1)
    logp = torch.log_softmax(theta, -1)
    (g_k3,) = torch.autograd.grad((logp.exp().detach() * grpo.k3(logp, logref)).sum(), theta)
    p = torch.softmax(theta, -1).detach()
    assert torch.allclose(g_k3, p - logref.exp(), atol=1e-12)  # ∇ KL(π_ref ‖ π) on the logits


def test_training_reaches_each_arms_optimum() -> None:
    logref, u = _case(n=30, seed=5)
    beta, group = 0.2, 8
    dt = torch.float64
    lr_t = torch.tensor(np.repeat(logref[None], 3, 0), dtype=dt)
    u_t = torch.tensor(np.repeat(u[None], 3, 0), dtype=dt)
    k1 = torch.tensor([True, False, False])
    std = torch.tensor([False, False, True])
    final, trace = graded.train_tables(
        lr_t, u_t, torch.full((3,), beta, dtype=dt), k1, std, group=group, steps=600, lr=0.05
    )
    stars = [
        graded.tilt(logref, u, beta),
        graded.reverse_optimum(logref, u, beta / graded.reward_scale(group)),
        graded.grpo_optimum(logref, u, beta)[0],
    ]
    for i, star in enumerate(stars):
        assert analysis.tv_distance(final[i].numpy(), star).max() < 5e-3  # the run holds arms to 0.02
    assert len(trace) == 20 and trace[-1]["step"] == [600.0]


def test_group_mean_baseline_scales_the_reward_gradient_by_one_minus_one_over_g() -> None:
    r = torch.tensor([[1.0, 0.0, 3.0, 0.0]])
    assert torch.allclose(grpo.group_advantages(r, 4, scale=False), r - 1.0)
    assert graded.reward_scale(8) == pytest.approx(7 / 8)


def test_gain_fraction_and_the_simulation() -> None:
    task = graded.GradedTask(base=4, digits=2, q=0.5)
    v, logref = task.tables(np.array([[1, 3]]))
    assert graded.gain_fraction(logref, logref, v)[0] == pytest.approx(0.0)
    top = np.where(v == 1.0, 0.0, -math.inf)
    assert graded.gain_fraction(top, logref, v)[0] == pytest.approx(1.0)
    sim = graded.simulate_claims(
        task, laws=("normal", "t3"), sd=0.1, beta=0.05, n_seeds=2, prompts=3, replicates=4,
        rng=np.random.default_rng(0),
    )  # fmt: skip
    assert set(sim) == {"normal", "t3"} and all(len(r) == 6 for r in sim["normal"]) and len(sim["t3"]) == 4
