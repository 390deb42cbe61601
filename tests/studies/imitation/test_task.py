"""The task's exact pieces against answers worked by hand."""

from __future__ import annotations

import math

import pytest
import torch

from skeptic.studies.imitation import task


def test_running_sum_by_hand() -> None:
    x = torch.tensor([[3, 4, 1, 2]])
    assert task.running_sum(x, 5).tolist() == [[3, 2, 3, 0]]  # 3, 7, 8, 10 mod 5


def test_teacher_continues_from_the_state_it_is_given() -> None:
    x = torch.tensor([[3, 4, 1, 2]])
    assert task.teacher_labels(x, task.running_sum(x, 5), 5).tolist() == [[3, 2, 3, 0]]
    wrong = torch.tensor([[3, 0, 1, 2]])  # a mistake at step 2 (0 instead of 2)
    # step 3 continues from the wrong 0: (0 + 1) = 1; step 4 from the given 1: (1 + 2) = 3
    assert task.teacher_labels(x, wrong, 5).tolist() == [[3, 2, 1, 3]]


def test_sequences_interleave_prompt_and_shifted_answers() -> None:
    x, y = torch.tensor([[1, 2]]), torch.tensor([[1, 3]])
    assert task.sequences(x, y, 5).tolist() == [[1, 6, 2, 8]]


def test_outcome_reward_and_checker() -> None:
    x = torch.tensor([[3, 4, 1, 2], [1, 1, 1, 1]])
    y = torch.tensor([[0, 0, 0, 0], [1, 2, 3, 3]])
    assert task.outcome_reward(x, y, 5).tolist() == [1.0, 0.0]  # only the final answer counts: 10 mod 5 = 0; 4 ≠ 3
    assert task.check_answer([3, 4, 1, 2], [0, 0, 0, 0], 5) is True
    assert task.check_answer([1, 1, 1, 1], [1, 2, 3, 3], 5) is False


def test_bits_by_hand() -> None:
    assert task.demonstration_bits(3, 2) == pytest.approx(3.0)
    assert task.demonstration_bits(4, 5) == pytest.approx(4 * math.log2(5))
    assert task.reward_bits(0.5) == pytest.approx(1.0)
    assert task.reward_bits(0.25) == pytest.approx(2 - 0.75 * math.log2(3))
    assert task.reward_bits(0.0) == 0.0 and task.reward_bits(1.0) == 0.0


def test_held_out_part_is_a_fifth_spread_over_every_digit() -> None:
    p, T = 5, 4
    x = torch.cartesian_prod(*[torch.arange(p)] * T)
    h = task.held_out(x, p)
    assert 0.15 < float(h.float().mean()) < 0.27
    for pos in range(T):
        for d in range(p):
            assert 0.05 < float(h[x[:, pos] == d].float().mean()) < 0.45  # no digit is held out at a position


def test_samplers_respect_the_split() -> None:
    gen = torch.Generator().manual_seed(0)
    tr = task.sample_prompts(2000, 4, 5, gen, split="train")
    ev = task.sample_prompts(500, 4, 5, gen, split="eval")
    assert tr.shape == (2000, 4) and ev.shape == (500, 4)
    assert not task.held_out(tr, 5).any() and task.held_out(ev, 5).all()
    assert not set(task.prompt_codes(tr, 5).tolist()) & set(task.prompt_codes(ev, 5).tolist())
    with pytest.raises(ValueError):
        task.sample_prompts(3, 4, 5, gen, split="test")


def test_count_answers_and_history_expert_by_hand() -> None:
    x = torch.tensor([[0, 3, 0, 0, 2, 0]])
    assert task.answers(x, 5, "count").tolist() == [[1, 1, 2, 3, 3, 4]]
    assert task.answers(x, 3, "count").tolist() == [[1, 1, 2, 0, 0, 1]]  # the count mod 3
    wrong = torch.tensor([[1, 2, 3, 4, 4, 0]])  # a slip at step 2 carried forward by "previous + 1[x = 0]"
    # the history expert writes the true count whatever the state; the sum's continues from the state
    assert task.expert_labels(x, wrong, 5, "count").tolist() == [[1, 1, 2, 3, 3, 4]]
    assert task.expert_labels(x, wrong, 5, "sum").tolist() == task.teacher_labels(x, wrong, 5).tolist()
    assert task.check_answer([0, 3, 0, 0, 2, 0], [9, 9, 9, 9, 9, 4], 5, "count") is True
    assert task.check_answer([0, 3, 0, 0, 2, 0], [9, 9, 9, 9, 9, 0], 5, "sum") is True  # 5 mod 5
    with pytest.raises(ValueError):
        task.expert_labels(x, wrong, 5, "product")


def test_slips_hit_at_the_rate_and_never_shift_by_zero() -> None:
    gen = torch.Generator().manual_seed(0)
    s = task.slips((4000, 10), 0.05, 5, gen)
    hit = s != 0
    assert 0.04 < float(hit.float().mean()) < 0.06
    assert int(s.min()) == 0 and int(s.max()) <= 4 and set(s[hit].unique().tolist()) == {1, 2, 3, 4}
    assert not task.slips((10, 3), 0.0, 5, gen).any()
