"""Many small language models as one stacked computation: forward, KV-cache sampling, exact answer distributions.

Each policy is a :class:`skeptic.models.TinyTransformer`; M of them are held as one dict of stacked parameters
``{name: [M, ...]}`` (``torch.func.stack_module_state``) and run with ``torch.vmap`` over ``functional_call``, so
training M models costs one batched computation, never a Python loop over models.

Rollouts use the model's key-value cache: the prompt is encoded once and each new token attends to the cached
keys/values (:func:`sample_stacked`), the same recurrence as :func:`skeptic.models.sample` with ``use_cache=True``.
Because an answer has only two tokens, every answer's probability is computed exactly by enumeration
(:func:`answer_logprobs`): 12 first tokens × 12 second tokens per prompt.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import torch
from torch.func import functional_call, stack_module_state

from skeptic.models import TinyTransformer, TransformerShape
from skeptic.models.transformer import KVCache
from skeptic.studies.simple_rl.task import ANSWER_LEN, N_ANSWERS, PROMPT_LEN, SEQ_LEN, VOCAB

Params = dict[str, torch.Tensor]

READOUT_PREFIXES = ("ln_final.", "unembedding.")
"""The readout of a :class:`ProbedTransformer`: the weights after the last block's residual stream."""


class ProbedTransformer(TinyTransformer):
    """A :class:`TinyTransformer` that can also return its residual stream after the embedding and each block."""

    def forward(self, tokens: torch.Tensor, cache: KVCache | None = None, with_hidden: bool = False) -> torch.Tensor:
        if not with_hidden:
            return super().forward(tokens, cache)
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        x = self.token_embedding(tokens) + self.position_embedding(positions)
        hidden = [x]
        for block in self.blocks:
            x, _ = block(x)
            hidden.append(x)
        return torch.stack(hidden)  # [n_layers + 1, batch, t, d_model]


def make_shape(d_model: int, n_layers: int, n_heads: int) -> TransformerShape:
    return TransformerShape(vocab_size=VOCAB, context=SEQ_LEN, d_model=d_model, n_layers=n_layers, n_heads=n_heads)


def init_stacked(shape: TransformerShape, seeds: list[int], device: str = "cpu") -> tuple[ProbedTransformer, Params]:
    """M freshly initialized models (GPT-2 init, one torch seed each) as stacked parameters, and a template module."""
    models = []
    for s in seeds:
        torch.manual_seed(s)
        models.append(ProbedTransformer(shape).to(device))
    params, _ = stack_module_state(models)
    template = copy.deepcopy(models[0]).to("meta")
    return template, {k: v.detach().clone() for k, v in params.items()}


def forward(template: ProbedTransformer, params: Params, tokens: torch.Tensor) -> torch.Tensor:
    """Logits ``[M, B, t, vocab]`` of M stacked models on their own token batches ``[M, B, t]``."""

    def one(p: Params, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = functional_call(template, p, (x,))
        return out

    result: torch.Tensor = torch.vmap(one)(params, tokens)
    return result


def hidden_states(template: ProbedTransformer, params: Params, tokens: torch.Tensor) -> torch.Tensor:
    """Residual streams ``[M, n_layers + 1, B, t, d_model]`` (after the embedding and after each block)."""

    def one(p: Params, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = functional_call(template, p, (x,), {"with_hidden": True})
        return out

    result: torch.Tensor = torch.vmap(one)(params, tokens)
    return result


def _cached_step(template: ProbedTransformer) -> Callable[..., tuple[torch.Tensor, tuple[torch.Tensor, ...]]]:
    """One cached forward of one model: (params, new tokens, *flat past keys/values) → (logits, flat keys/values)."""

    def step(p: Params, x: torch.Tensor, *flat: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        cache: KVCache = [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
        logits: torch.Tensor = functional_call(template, p, (x, cache))
        return logits[:, -1], tuple(t for kv in cache for t in kv)

    return step


@torch.no_grad()
def sample_stacked(
    template: ProbedTransformer,
    params: Params,
    prompt_tokens: torch.Tensor,
    generator: torch.Generator,
    temperature: float = 1.0,
) -> torch.Tensor:
    """Answers ``[M, B, 2]`` sampled from M models for prompts ``[M, B, 4]``, with a key-value cache.

    y_t ~ softmax(logits_t / temperature) (argmax at temperature 0), drawn with ``torch.multinomial`` on the
    flattened ``[M·B, vocab]`` probabilities.
    """
    step = torch.vmap(_cached_step(template))
    M, B, _ = prompt_tokens.shape
    x = prompt_tokens
    flat: tuple[torch.Tensor, ...] = ()
    out = []
    for _ in range(ANSWER_LEN):
        logits, flat = step(params, x, *flat)
        if temperature == 0:
            nxt = logits.argmax(-1)
        else:
            probs = torch.softmax(logits.float() / temperature, -1).reshape(M * B, VOCAB)
            nxt = torch.multinomial(probs, 1, generator=generator).reshape(M, B)
        out.append(nxt)
        x = nxt[..., None]
    return torch.stack(out, -1)


def token_logprobs(template: ProbedTransformer, params: Params, sequences: torch.Tensor) -> torch.Tensor:
    """log π(answer token t | prefix) for the two answer tokens of ``sequences`` ``[M, B, 6]``: ``[M, B, 2]``."""
    logits = forward(template, params, sequences[..., :-1])[..., PROMPT_LEN - 1 :, :]
    logp = torch.log_softmax(logits.float(), -1)
    return logp.gather(-1, sequences[..., PROMPT_LEN:, None]).squeeze(-1)


def answer_logprobs(
    template: ProbedTransformer, params: Params, prompt_tokens: torch.Tensor, chunk: int = 256
) -> torch.Tensor:
    """Exact log π(y | prompt) of all 144 answers, ``[M, P, 144]`` (index 12·t₁ + t₂), for prompts ``[P, 4]``.

    log π(t₁ t₂ | x) = log p(t₁ | x) + log p(t₂ | x t₁): one forward of the 12 one-token continuations per prompt.
    """
    M = next(iter(params.values())).shape[0]
    outs = []
    for start in range(0, len(prompt_tokens), chunk):
        pr = prompt_tokens[start : start + chunk]
        P = len(pr)
        first = torch.arange(VOCAB, device=pr.device)
        seq = torch.cat([pr.repeat_interleave(VOCAB, 0), first.repeat(P)[:, None]], -1)  # [P·12, 5]
        with torch.no_grad():
            logits = forward(template, params, seq.expand(M, -1, -1))
        logp = torch.log_softmax(logits.float(), -1)
        lp1 = logp[:, ::VOCAB, PROMPT_LEN - 1, :]  # [M, P, 12]: p(t₁ | x)
        lp2 = logp[:, :, PROMPT_LEN, :].reshape(M, P, VOCAB, VOCAB)  # p(t₂ | x t₁)
        outs.append((lp1[..., :, None] + lp2).reshape(M, P, N_ANSWERS))
    return torch.cat(outs, 1)


def adam_step(
    params: Params,
    grads: Params,
    state: dict[str, tuple[torch.Tensor, torch.Tensor]],
    step: int,
    lr: torch.Tensor,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> None:
    """One Adam update (Kingma & Ba 2015) of stacked parameters in place, with a learning rate per model ``[M]``.

    m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − lr · m̂ / (√v̂ + ε) with bias-corrected m̂, v̂. Adam is
    elementwise, so the stacked update equals M separate optimizers.
    """
    b1, b2 = betas
    for k, p in params.items():
        g = grads[k]
        m, v = state.get(k, (torch.zeros_like(p), torch.zeros_like(p)))
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        state[k] = (m, v)
        mhat = m / (1 - b1**step)
        vhat = v / (1 - b2**step)
        p.sub_(lr.view(-1, *([1] * (p.dim() - 1))) * mhat / (vhat.sqrt() + eps))


def pretrain(
    template: ProbedTransformer,
    params: Params,
    corpus_batches: Callable[[int], tuple[torch.Tensor, torch.Tensor]],
    steps: int,
    lr: float,
) -> list[float]:
    """Cross-entropy −Σ_v q(v) log π(v | prefix) at the two answer positions of corpus sequences ``[M, B, 6]``,
    against the corpus's exact next-token distributions q ``[M, B, 2, 12]`` (cosine-decayed Adam).

    Returns the mean loss per step. The prompt tokens are uniform by construction, so only answers are scored.
    """
    state: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    M = next(iter(params.values())).shape[0]
    losses = []
    for p in params.values():
        p.requires_grad_(True)
    for t in range(1, steps + 1):
        seq, target = corpus_batches(t)
        logits = forward(template, params, seq[..., :-1])[..., PROMPT_LEN - 1 :, :]
        logp = torch.log_softmax(logits.float(), -1)
        loss = -(target * logp).sum(-1).mean((1, 2)).sum()  # the sum over models keeps their gradients separate
        grads = torch.autograd.grad(loss, list(params.values()))
        rate = lr * 0.5 * (1 + torch.cos(torch.tensor(torch.pi * (t - 1) / steps)))
        with torch.no_grad():
            adam_step(params, dict(zip(params, grads, strict=True)), state, t, rate.expand(M).to(seq.device))
        losses.append(float(loss.detach()) / M)
    for p in params.values():
        p.requires_grad_(False)
    return losses
