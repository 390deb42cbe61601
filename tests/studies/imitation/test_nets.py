"""The batched models and losses against their one-model definitions and hand-computed values."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F  # noqa: N812

from skeptic.models import TinyTransformer
from skeptic.studies.imitation import experiments, nets, task


def _one(shape, seed: int) -> TinyTransformer:  # type: ignore[no-untyped-def]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return TinyTransformer(shape)


def test_stacked_forward_equals_each_model_alone() -> None:
    shape = nets.model_shape(5, 3, 16, 1)
    stack = nets.init_stack(shape, [3, 4, 5])
    gen = torch.Generator().manual_seed(0)
    x = task.sample_prompts(12, 3, 5, gen, split="train").reshape(3, 4, 3)
    y = task.running_sum(x, 5)
    got = nets.logits(stack, task.sequences(x, y, 5))
    for i, s in enumerate([3, 4, 5]):
        want = _one(shape, s)(task.sequences(x[i], y[i], 5))
        assert torch.allclose(got[i], want, atol=1e-5)


def test_greedy_rollout_matches_a_step_by_step_loop() -> None:
    shape = nets.model_shape(5, 4, 16, 1)
    stack = nets.init_stack(shape, [7])
    model = _one(shape, 7)
    x = torch.tensor([[1, 2, 3, 4], [0, 4, 4, 1]])
    got = nets.rollout(stack, x[None], 5, temperature=0.0)[0]
    y = torch.zeros_like(x)
    for t in range(4):
        logit = model(task.sequences(x[:, : t + 1], y[:, : t + 1], 5)[:, :-1])[:, -1, 5:]
        y[:, t] = logit.argmax(-1)
    assert torch.equal(got, y)


def test_losses_by_hand() -> None:
    logit = torch.randn(2, 3, 4, 5)
    labels = torch.randint(0, 5, (2, 3, 4))
    want = torch.stack([F.cross_entropy(logit[i].reshape(-1, 5), labels[i].reshape(-1)) for i in range(2)])
    assert torch.allclose(nets.cross_entropy(logit, labels), want, atol=1e-6)
    q = torch.softmax(logit, -1)
    assert torch.allclose(nets.soft_cross_entropy(logit, q), torch.zeros(2), atol=1e-6)  # KL(q ‖ q) = 0
    one = torch.tensor([[[[0.0, math.log(3.0)]]]])  # π = (1/4, 3/4); q = (1/2, 1/2)
    kl = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)
    assert float(nets.soft_cross_entropy(one, torch.tensor([[[[0.5, 0.5]]]]))[0]) == pytest.approx(kl, abs=1e-6)


def test_group_advantages_by_hand() -> None:
    r = torch.tensor([[1.0, 0.0, 0.0, 0.0, 1.0, 1.0]])
    assert nets.group_advantages(r, 3)[0].tolist() == pytest.approx([2 / 3, -1 / 3, -1 / 3, -2 / 3, 1 / 3, 1 / 3])


def test_reinforce_raises_the_probability_of_rewarded_actions() -> None:
    logit = torch.zeros(1, 2, 1, 3, requires_grad=True)
    actions = torch.tensor([[[0], [1]]])
    nets.reinforce_loss(logit, actions, torch.tensor([[1.0, -1.0]])).backward()
    assert logit.grad is not None
    assert float(logit.grad[0, 0, 0, 0]) < 0 < float(logit.grad[0, 1, 0, 1])  # descent raises a0 in ep 0, lowers a1


def test_per_step_advantages_by_hand() -> None:
    """Per-step rewards [1 prompt × group 2, T = 2]: (1, 0) and (0, 0) give per-step group means (0.5, 0) and
    advantages (0.5, 0 | −0.5, 0); the per-token loss credits each action with its own step's advantage:
    −mean_b Σ_t A_bt log π(y_bt) with uniform logits over 4 answers (log π = −log 4) is −(0.5 − 0.5)·(−log 4)/2 = 0,
    and with the first action made likelier its gradient pushes only that action's logit."""
    r = torch.tensor([[[1.0, 0.0], [0.0, 0.0]]])
    a = nets.group_advantages(r, 2)
    assert a.tolist() == [[[0.5, 0.0], [-0.5, 0.0]]]
    logit = torch.zeros(1, 2, 2, 4, requires_grad=True)
    actions = torch.tensor([[[1, 2], [3, 0]]])
    loss = nets.reinforce_loss(logit, actions, a)
    assert float(loss) == pytest.approx(0.0, abs=1e-7)
    loss.sum().backward()
    g = logit.grad[0]
    assert float(g[0, 0, 1]) < 0 < float(g[1, 0, 3])  # step 0: the rewarded action up, the unrewarded one down
    assert float(g[:, 1].abs().max()) == 0.0  # step 1: both wrong, zero advantage, no gradient
    whole = nets.reinforce_loss(logit, actions, torch.tensor([[0.5, -0.5]]))  # one advantage per episode
    assert float(whole) == pytest.approx(0.0, abs=1e-7)
    assert experiments.baseline_error(r, a, 2) == 0.0 and experiments.baseline_error(r, r, 2) == 0.5


def test_stacked_training_keeps_models_independent() -> None:
    shape = nets.model_shape(5, 3, 16, 1)
    gen = torch.Generator().manual_seed(1)
    x = task.sample_prompts(16, 3, 5, gen, split="train").reshape(2, 8, 3)
    y = task.running_sum(x, 5)
    both = nets.init_stack(shape, [1, 2])
    alone = nets.init_stack(shape, [2])
    opt_b, opt_a = nets.optimizer(both, 0.01), nets.optimizer(alone, 0.01)
    for _ in range(3):
        nets.step(opt_b, nets.cross_entropy(nets.answer_logits(both, x, y, 5), y))
        nets.step(opt_a, nets.cross_entropy(nets.answer_logits(alone, x[1:], y[1:], 5), y[1:]))
    for k in both.params:
        assert torch.allclose(both.params[k][1], alone.params[k][0], atol=1e-5), k


def test_checkpoints_are_log_spaced_and_include_the_ends() -> None:
    c = experiments.checkpoints(100, 5)
    assert c[0] == 0 and c[-1] == 100 and c == sorted(set(c))
    assert experiments.checkpoints(1, 5) == [0, 1]


@pytest.mark.parametrize("width", [16, 32, 64])
def test_adam_matches_torch_adam_bit_for_bit(width: int) -> None:
    """The list operations of :class:`nets.Adam` give torch's single-tensor Adam's numbers exactly, at the students'
    and the teachers' widths."""
    shape = nets.model_shape(5, 3, width, 1)
    gen = torch.Generator().manual_seed(3)
    x = task.sample_prompts(16, 3, 5, gen, split="train").reshape(2, 8, 3)
    y = task.running_sum(x, 5)
    ours, ref = nets.init_stack(shape, [1, 2]), nets.init_stack(shape, [1, 2])
    opt = nets.optimizer(ours, 0.01)
    torch_opt = torch.optim.Adam(list(ref.params.values()), lr=0.01, betas=(0.9, 0.98), foreach=False)
    for _ in range(5):
        nets.step(opt, nets.cross_entropy(nets.answer_logits(ours, x, y, 5), y))
        torch_opt.zero_grad(set_to_none=True)
        nets.cross_entropy(nets.answer_logits(ref, x, y, 5), y).sum().backward()  # type: ignore[no-untyped-call]
        torch_opt.step()
    for k in ours.params:
        assert torch.equal(ours.params[k], ref.params[k]), k
    assert not torch.equal(
        ours.params["token_embedding.weight"], nets.init_stack(shape, [1, 2]).params["token_embedding.weight"]
    )


def test_slipped_evaluation_without_slips_matches_the_plain_one() -> None:
    """With no slip the per-step costs sum to :func:`nets.evaluate`'s cost and the forced errors average to its ε;
    with a slip on every step the model never acts on its own, so no own step is counted on or off the path."""
    gen = torch.Generator().manual_seed(3)
    stack = nets.init_stack(nets.model_shape(5, 4, 16, 1), [1, 2])
    x = task.sample_prompts(64, 4, 5, gen, split="eval")
    for kind in task.TASKS:
        plain = nets.evaluate(stack, x, 5, kind)
        slipped = nets.evaluate_slipped(stack, x, 5, kind, torch.zeros_like(x))
        assert [sum(w) for w in slipped.wrong] == pytest.approx(plain.cost)
        assert [sum(f) / 4 for f in slipped.forced] == pytest.approx(plain.forced_error)
        always = nets.evaluate_slipped(stack, x, 5, kind, task.slips(tuple(x.shape), 1.0, 5, gen))
        assert always.off_path_steps == [0, 0]  # every step is a slip: the model never acts on its own


def _trained_like(shape, seeds: list[int]) -> nets.Stack:  # type: ignore[no-untyped-def]
    """A stack whose every parameter is moved off its initialization (LayerNorm gains ≠ 1, biases ≠ 0)."""
    stack = nets.init_stack(shape, seeds)
    gen = torch.Generator().manual_seed(9)
    with torch.no_grad():
        for v in stack.params.values():
            v.add_(0.1 * torch.randn(v.shape, generator=gen))
    return stack


def test_batched_forward_equals_vmap_of_the_module() -> None:
    """The written-out batched forward against ``vmap(functional_call)`` of TinyTransformer, logits and gradients
    (equal bit for bit at the students' shapes; the teacher's width rounds differently, within 1e-5)."""
    from torch.func import functional_call

    for d, T, M in ((32, 9, 3), (64, 4, 2)):
        stack = _trained_like(nets.model_shape(5, T, d, 1), list(range(M)))
        gen = torch.Generator().manual_seed(0)
        x = task.sample_prompts(M * 8, T, 5, gen, split="train").reshape(M, 8, T)
        y = task.running_sum(x, 5)
        toks = task.sequences(x, y, 5)[..., :-1]
        grads = []
        for batched in (False, True):
            for v in stack.params.values():
                v.grad = None
            if batched:
                out = nets.logits(stack, toks)
            else:
                one = lambda p, z, s=stack: functional_call(s.template, p, (z,))  # noqa: E731
                out = torch.vmap(one)(stack.params, toks)
            nets.cross_entropy(out[..., 0::2, 5:], y).sum().backward()
            grads.append((out.detach(), {k: v.grad.clone() for k, v in stack.params.items()}))
        (a, ga), (b, gb) = grads
        assert torch.allclose(a, b, atol=1e-5, rtol=0)
        assert all(torch.allclose(ga[k], gb[k], atol=1e-5, rtol=0) for k in ga)


def test_cached_logits_and_rollout_match_re_encoding() -> None:
    """Feeding a sequence in pieces through the cache gives the logits of the whole sequence; the cached sampler
    draws the same answers from the same generator as a loop that re-encodes the prefix at every step."""
    T, p = 6, 5
    stack = _trained_like(nets.model_shape(p, T, 16, 1), [1, 2])
    gen = torch.Generator().manual_seed(4)
    x = task.sample_prompts(40, T, p, gen, split="train").reshape(2, 20, T)
    toks = task.sequences(x, task.running_sum(x, p), p)[..., :-1]
    with torch.no_grad():
        cache: nets.Cache = []
        pieces = [nets.logits(stack, toks[..., :1], cache)]
        pieces += [nets.logits(stack, toks[..., i : i + 2], cache) for i in range(1, toks.shape[-1], 2)]
        assert torch.allclose(torch.cat(pieces, dim=2), nets.logits(stack, toks), atol=1e-5, rtol=0)
        got = nets.rollout(stack, x, p, temperature=1.0, gen=torch.Generator().manual_seed(7))
        ref_gen = torch.Generator().manual_seed(7)
        y = torch.zeros_like(x)
        for t in range(T):
            last = nets.logits(stack, task.sequences(x[..., : t + 1], y[..., : t + 1], p)[..., :-1])[:, :, -1, p:]
            y[..., t] = torch.multinomial(torch.softmax(last, -1).reshape(40, p), 1, generator=ref_gen).reshape(2, 20)
    assert torch.equal(got, y) and len(set(y.reshape(-1).tolist())) > 1
