"""Many tiny transformers trained as one computation: stacked parameters, one batched forward pass.

Every model of a condition (seeds, training methods) shares one :class:`~skeptic.models.TransformerShape`; their
parameters are stacked along a leading model axis M (``torch.func.stack_module_state``) and :func:`logits` runs
:class:`~skeptic.models.TinyTransformer`'s forward pass on all of them at once, written out with batched matrix
products (``baddbmm``/``bmm`` over the model axis). It gives the same numbers, bit for bit, as
``vmap(functional_call)`` over the stack (tests/studies/imitation/test_nets.py), without the per-call overhead of
``vmap``, and it can carry a key-value cache, which a ``vmap`` of the module could not (the cache is a Python list
it mutates). One Adam optimizer over the stacked tensors is exactly M independent Adams (Adam is elementwise), and
the summed per-model losses give each model its own gradient, so the batch trains M independent models at the cost
of one larger one.

Losses (per model, averaged over the batch and the T answer positions):

- supervised (SFT, behaviour cloning, on-policy distillation): cross-entropy ``−log π(a_t | s_t)`` of the label a_t;
- soft distillation (Hinton, Vinyals & Dean 2015): ``KL(q_t ‖ π(·|s_t)) = Σ_a q_t(a) (log q_t(a) − log π(a|s_t))``
  with q the teacher's next-token distribution;
- REINFORCE with a group baseline (Williams 1992; GRPO's group-mean baseline, Shao et al. 2024, without the std
  normalization or a KL term): ``−(R − R̄_group) Σ_t log π(y_t | s_t)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F  # noqa: N812 (the PyTorch convention)
from torch.func import stack_module_state

from skeptic.models import TinyTransformer, TransformerShape
from skeptic.studies.imitation import task

Params = dict[str, torch.Tensor]


@dataclass
class Stack:
    """M models of one shape: a parameter-free template and the stacked parameters ``[M, ...]``."""

    template: TinyTransformer
    params: Params

    @property
    def size(self) -> int:
        return int(next(iter(self.params.values())).shape[0])

    def select(self, index: slice | list[int]) -> Stack:
        """A new stack of the chosen models (copies, detached, trainable)."""
        return Stack(self.template, {k: v[index].detach().clone().requires_grad_(True) for k, v in self.params.items()})


N_HEADS = 2
"""Attention heads of every student and teacher (the config declares widths and depths; the head count is fixed)."""


def model_shape(p: int, T: int, d_model: int, n_layers: int) -> TransformerShape:
    """The student/teacher shape for digits mod p at horizon T: vocabulary 2p, context 2T, :data:`N_HEADS` heads."""
    return TransformerShape(vocab_size=2 * p, context=2 * T, d_model=d_model, n_layers=n_layers, n_heads=N_HEADS)


def init_stack(shape: TransformerShape, seeds: list[int], device: str = "cpu") -> Stack:
    """One freshly initialized :class:`TinyTransformer` per seed (GPT-2 init), stacked.

    Each model is built under its own ``torch.manual_seed(seed)`` inside ``fork_rng``, so the caller's global
    generator is untouched and equal seeds give equal models.
    """
    models = []
    for s in seeds:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(s))
            models.append(TinyTransformer(shape).to(device))
    params, _ = stack_module_state(models)
    template = TinyTransformer(shape).to("meta")
    return Stack(template, {k: v.detach().clone().requires_grad_(True) for k, v in params.items()})


Cache = list[tuple[torch.Tensor, torch.Tensor]]
"""Per layer, the keys and values of the tokens seen so far, each ``[M, B, n_heads, t_past, d_head]``."""


def logits(stack: Stack, tokens: torch.Tensor, cache: Cache | None = None) -> torch.Tensor:
    """Next-token logits ``[M, B, L, V]`` of every model on its own token batch ``[M, B, L]``.

    :class:`~skeptic.models.TinyTransformer`'s forward pass (pre-LayerNorm blocks, causal attention, GELU MLP, final
    LayerNorm, readout) on the stacked parameters, each linear map a ``baddbmm`` over the model axis. With ``cache``
    (a list, empty at the start) the tokens continue the cached sequence: their positions start after it, they attend
    to it, and their keys and values are appended to it.
    """
    P, shape = stack.params, stack.template.shape
    M, B, L = tokens.shape
    d, heads = shape.d_model, shape.n_heads
    d_head = d // heads
    t_past = cache[0][0].shape[3] if cache else 0
    if t_past + L > shape.context:
        raise ValueError(f"sequence of {t_past + L} tokens exceeds the context of {shape.context}")
    embedding = P["token_embedding.weight"]
    V = embedding.shape[1]
    offsets = (torch.arange(M, device=tokens.device) * V).view(M, 1, 1)  # model m's rows of the flattened table
    x = F.embedding(tokens + offsets, embedding.reshape(M * V, d))
    x = x + P["position_embedding.weight"][:, None, t_past : t_past + L]

    def norm(z: torch.Tensor, name: str) -> torch.Tensor:
        return F.layer_norm(z, (d,)) * P[f"{name}.weight"][:, None, None] + P[f"{name}.bias"][:, None, None]

    def linear(z: torch.Tensor, name: str) -> torch.Tensor:
        w, b = P[f"{name}.weight"], P[f"{name}.bias"]
        out = torch.baddbmm(b[:, None], z.reshape(M, -1, z.shape[-1]), w.transpose(1, 2))
        return out.view(*z.shape[:-1], w.shape[1])

    scale = shape.attention_scale if shape.attention_scale is not None else 1 / math.sqrt(d_head)
    allowed = torch.ones(L, t_past + L, dtype=torch.bool, device=tokens.device).tril(diagonal=t_past)
    for layer in range(shape.n_layers):
        block = f"blocks.{layer}"
        q, k, v = linear(norm(x, f"{block}.ln_attn"), f"{block}.qkv").chunk(3, dim=-1)
        q, k, v = (z.reshape(M, B, L, heads, d_head).transpose(2, 3) for z in (q, k, v))
        if cache is not None:
            if t_past:
                k, v = torch.cat([cache[layer][0], k], dim=3), torch.cat([cache[layer][1], v], dim=3)
                cache[layer] = (k, v)
            else:
                cache.append((k, v))
        scores = (q @ k.transpose(-2, -1)) * scale
        attended = torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1) @ v
        x = x + linear(attended.transpose(2, 3).reshape(M, B, L, d), f"{block}.attn_out")
        x = x + linear(F.gelu(linear(norm(x, f"{block}.ln_mlp"), f"{block}.mlp_in")), f"{block}.mlp_out")
    readout = P["token_embedding.weight" if shape.tied_embeddings else "unembedding.weight"]
    out = (norm(x, "ln_final").reshape(M, B * L, d) @ readout.transpose(1, 2)).view(M, B, L, V)
    return out if shape.readout_multiplier == 1.0 else shape.readout_multiplier * out


def answer_logits(stack: Stack, x: torch.Tensor, y: torch.Tensor, p: int) -> torch.Tensor:
    """Logits ``[M, B, T, p]`` over the answer digits at the T answer steps, given x and the answers y so far.

    Teacher forcing: the state at step t holds the given y_{<t}, whoever wrote them.
    """
    return logits(stack, task.sequences(x, y, p)[..., :-1])[..., 0::2, p:]


@torch.no_grad()
def rollout(
    stack: Stack,
    x: torch.Tensor,
    p: int,
    *,
    temperature: float = 1.0,
    gen: torch.Generator | None = None,
    slip: torch.Tensor | None = None,
) -> torch.Tensor:
    """Each model's answers ``[M, B, T]`` to its prompts ``x`` [M, B, T]: sampled at ``temperature`` (0 = greedy).

    Step t writes y_t from the state ``x₁ y₁ … x_t``. A key-value cache holds the prefix: step 1 feeds ``x₁``, step
    t > 1 feeds only ``y_{t−1} x_t`` (2T − 1 tokens a rollout instead of Σₜ (2t − 1) = T² re-encoded). The logits equal
    the re-encoded ones up to float32 rounding (~1e-6, tests/studies/imitation/test_nets.py), so a greedy action can
    differ only at a near-tie. ``slip`` [B, T] (:func:`task.slips`) is added mod p to every model's action as it is
    written: a fixed per-step error.
    """
    M, B, T = x.shape
    y = torch.zeros_like(x)
    cache: Cache = []
    for t in range(T):
        fed = x[..., :1] if t == 0 else torch.stack([y[..., t - 1] + p, x[..., t]], dim=-1)
        last = logits(stack, fed, cache)[:, :, -1, p:]
        if temperature == 0:
            y[..., t] = last.argmax(-1)
        else:
            probs = torch.softmax(last.float() / temperature, dim=-1).reshape(M * B, p)
            y[..., t] = torch.multinomial(probs, 1, generator=gen).reshape(M, B)
        if slip is not None:
            y[..., t] = (y[..., t] + slip[..., t]) % p
    return y


def cross_entropy(logit: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-model mean cross-entropy ``[M]`` of labels ``[M, B, T]`` under logits ``[M, B, T, V]`` (nats)."""
    logp = torch.log_softmax(logit.float(), dim=-1)
    return -logp.gather(-1, labels[..., None]).squeeze(-1).mean(dim=(1, 2))


def soft_cross_entropy(logit: torch.Tensor, target_probs: torch.Tensor) -> torch.Tensor:
    """Per-model mean ``KL(q ‖ π)`` ``[M]`` against the teacher's distributions q ``[M, B, T, V]`` (nats).

    Written as cross-entropy minus the teacher's entropy, so it is 0 exactly when π = q.
    """
    logp = torch.log_softmax(logit.float(), dim=-1)
    q = target_probs.float()
    entropy = -(q * torch.log(q.clamp_min(1e-30))).sum(-1)
    return (-(q * logp).sum(-1) - entropy).mean(dim=(1, 2))


def group_advantages(rewards: torch.Tensor, group: int) -> torch.Tensor:
    """``R − mean(R over the group)`` for rewards ``[M, B]`` (or per step, ``[M, B, T]``: each step's reward minus
    its group's mean at that step) laid out as B/group prompts x group samples each."""
    M, B = rewards.shape[:2]
    r = rewards.reshape(M, B // group, group, *rewards.shape[2:])
    return (r - r.mean(2, keepdim=True)).reshape(rewards.shape)


def reinforce_loss(logit: torch.Tensor, actions: torch.Tensor, advantages: torch.Tensor) -> torch.Tensor:
    """Per-model REINFORCE loss ``[M]``: ``−mean_b A_b Σ_t log π(y_bt | s_bt)`` (gradient: the policy gradient); with
    per-step advantages ``A_bt`` ``[M, B, T]``, ``−mean_b Σ_t A_bt log π(y_bt | s_bt)`` (each action credited with
    its own step's reward)."""
    logp = torch.log_softmax(logit.float(), dim=-1).gather(-1, actions[..., None]).squeeze(-1)
    if advantages.dim() == logp.dim():
        return -(advantages.detach() * logp).sum(-1).mean(-1)
    return -(advantages.detach() * logp.sum(-1)).mean(-1)


class Adam:
    """Adam (Kingma & Ba 2015) over the stacked parameters, written out: M independent Adams (Adam acts elementwise).

    ``m ← β₁m + (1−β₁)g``, ``v ← β₂v + (1−β₂)g²``, ``θ ← θ − lr/(1−β₁ᵏ) · m / (√v/√(1−β₂ᵏ) + ε)``, the same operations
    in the same order as ``torch.optim.Adam``'s single-tensor path (no weight decay, no amsgrad), so the two agree bit
    for bit (tests/studies/imitation/test_nets.py). Written here because constructing the first ``torch.optim``
    optimizer of a process imports ``torch._dynamo`` (about 0.8 s CPU, a quarter of the test preset).
    """

    def __init__(self, params: list[torch.Tensor], lr: float, betas: tuple[float, float], eps: float = 1e-8) -> None:
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.k = 0
        self.m = [torch.zeros_like(q, memory_format=torch.preserve_format) for q in params]
        self.v = [torch.zeros_like(q, memory_format=torch.preserve_format) for q in params]

    def zero_grad(self) -> None:
        for q in self.params:
            q.grad = None

    @torch.no_grad()
    def step(self) -> None:
        b1, b2 = self.betas
        self.k += 1
        step_size = self.lr / (1 - b1**self.k)
        bias2_sqrt = (1 - b2**self.k) ** 0.5
        have = [i for i, q in enumerate(self.params) if q.grad is not None]
        qs, ms, vs = ([t[i] for i in have] for t in (self.params, self.m, self.v))
        gs = [q.grad for q in qs if q.grad is not None]
        # each operation once over every tensor (one call instead of one per tensor: dozens of tiny tensors a step);
        # on the CPU a list operation applies the per-tensor operation to each, so the numbers are the same
        torch._foreach_lerp_(ms, gs, 1 - b1)
        torch._foreach_mul_(vs, b2)
        torch._foreach_addcmul_(vs, gs, gs, value=1 - b2)
        denom = torch._foreach_sqrt(vs)
        torch._foreach_div_(denom, bias2_sqrt)
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(qs, ms, denom, value=-step_size)


def optimizer(stack: Stack, lr: float) -> Adam:
    """Adam over the stacked parameters with β = (0.9, 0.98), ε = 1e-8: M independent Adams."""
    return Adam(list(stack.params.values()), lr=lr, betas=(0.9, 0.98))


def step(opt: Adam, per_model_loss: torch.Tensor) -> None:
    """One update of every model on its own loss (the sum separates, so no model sees another's gradient)."""
    opt.zero_grad()
    per_model_loss.sum().backward()  # type: ignore[no-untyped-call]
    opt.step()


@dataclass
class Evaluation:
    """Greedy rollouts of every model on held-out prompts, scored against the exact teacher and the truth."""

    final_accuracy: list[float]
    """Share of prompts whose final answer y_T equals s_T (the outcome reward's success rate)."""
    cost: list[float]
    """Ross et al.'s cost: mean number of steps per episode where the model disagreed with the teacher at the state
    it visited."""
    sequence_accuracy: list[float]
    """Share of episodes with every step right."""
    forced_error: list[float] | None
    """Per-step error under teacher forcing (states from the teacher's own rollouts): Ross et al.'s ε. ``None`` when
    not asked for (``evaluate(..., forced=False)``)."""


@torch.no_grad()
def evaluate(stack: Stack, x_eval: torch.Tensor, p: int, kind: str = "sum", *, forced: bool = True) -> Evaluation:
    """Score every model on the same held-out prompts ``x_eval`` [B, T] (greedy decoding) on task ``kind``.

    ``forced=False`` skips the teacher-forced pass that gives ε (a whole second forward pass over the prompts) for the
    evaluations whose readers need only the rollouts' metrics; every other number is the same."""
    M = stack.size
    x = x_eval.expand(M, *x_eval.shape)
    y = rollout(stack, x, p, temperature=0.0)
    labels = task.expert_labels(x, y, p, kind)
    truth = task.answers(x, p, kind)
    forced_error = None
    if forced:
        wrong = answer_logits(stack, x, truth, p).argmax(-1) != truth
        forced_error = [float(v) for v in wrong.float().mean(dim=(1, 2))]
    return Evaluation(
        final_accuracy=[float(v) for v in (y[..., -1] == truth[..., -1]).float().mean(-1)],
        cost=[float(v) for v in (y != labels).float().sum(-1).mean(-1)],
        sequence_accuracy=[float(v) for v in (y == truth).all(-1).float().mean(-1)],
        forced_error=forced_error,
    )


@dataclass
class SlipEvaluation:
    """Greedy rollouts with a fixed per-step slip (:func:`task.slips`) added to every action: Ross et al.'s cost at a
    fixed ε, per step, and where the model's own errors happen. Per-step lists are means over the prompts."""

    wrong: list[list[float]]
    """[model][t]: share of episodes whose action at step t differs from the expert's at the visited state; the cost
    over the first T steps is the sum of the first T entries."""
    forced: list[list[float]]
    """[model][t]: the slipping policy's error at step t on the expert's own states (teacher forcing): Ross et al.'s
    ε is the mean of the first T entries."""
    on_path_error: list[float]
    """Error rate of the model's own (unslipped) steps at states on the expert's path (every earlier answer right)."""
    off_path_error: list[float]
    """The same at states off the expert's path (some earlier answer wrong)."""
    off_path_steps: list[int]
    """How many of the model's own steps were taken off the expert's path (the support of ``off_path_error``)."""


@torch.no_grad()
def evaluate_slipped(stack: Stack, x_eval: torch.Tensor, p: int, kind: str, slip: torch.Tensor) -> SlipEvaluation:
    """Score every model on prompts ``x_eval`` [B, T] with the same slips ``slip`` [B, T] added to its actions."""
    M = stack.size
    x = x_eval.expand(M, *x_eval.shape)
    s = slip.expand(M, *slip.shape)
    y = rollout(stack, x, p, temperature=0.0, slip=s)
    truth = task.answers(x, p, kind)
    wrong = (y != task.expert_labels(x, y, p, kind)).float()
    forced = ((answer_logits(stack, x, truth, p).argmax(-1) + s) % p != truth).float()
    bad = (y != truth).int().cumsum(-1)
    off = torch.cat([torch.zeros_like(bad[..., :1]), bad[..., :-1]], dim=-1) > 0
    own = s == 0
    on_steps, off_steps = (own & ~off).float(), (own & off).float()
    return SlipEvaluation(
        wrong=wrong.mean(1).tolist(),
        forced=forced.mean(1).tolist(),
        on_path_error=[float(v) for v in (wrong * on_steps).sum((1, 2)) / on_steps.sum((1, 2)).clamp_min(1)],
        off_path_error=[float(v) for v in (wrong * off_steps).sum((1, 2)) / off_steps.sum((1, 2)).clamp_min(1)],
        off_path_steps=[int(v) for v in off_steps.sum((1, 2))],
    )
