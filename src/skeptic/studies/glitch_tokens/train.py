"""Train several small language models as one batched computation and keep what the indicators need.

The models (one per variant: tied or untied embeddings, with or without weight decay, times seeds) are the shared
:class:`skeptic.models.TinyTransformer`, stacked with ``torch.func.stack_module_state`` and run under ``torch.vmap``.
Every model is built untied; a tied model reads out with its input embedding (``Wᵤ := W_E`` inside the functional
call, so its own unembedding parameter is dead weight), which lets tied and untied models share one stacked batch.

Optimizer: AdamW (Loshchilov & Hutter 2019) written out on the stacked tensors so each model has its own weight
decay: ``m ← β₁m + (1−β₁)g``, ``v ← β₂v + (1−β₂)g²``, ``p ← p·(1 − η_t λ) − η_t m̂/(√v̂ + ε)``, with decay on
matrices (embeddings included, as in GPT-2/nanoGPT) and none on biases and LayerNorm parameters. A row of the
input embedding that no batch touches has zero gradient, so Adam leaves it alone and it moves only by the decay:
``e_T = e_0 · Π_t (1 − η_t λ)`` exactly, which a probe checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, stack_module_state

from skeptic.models import TinyTransformer, TransformerShape

EMBED = "token_embedding.weight"
UNEMBED = "unembedding.weight"


@dataclass(frozen=True)
class Variant:
    """One trained model: its arm (``"tied"`` or ``"untied"``, what the claims select by), whether it really ties
    its embeddings (a contrast may tie the untied arm), its weight decay, and two seeds from named streams (the
    module's initialization and the embeddings')."""

    name: str
    tied: bool
    weight_decay: float
    seed: int
    embed_seed: int
    arm: str = ""


@dataclass
class Trained:
    """Stacked parameters after training, their initial embeddings, and what the data pipeline fed the models."""

    shape: TransformerShape
    variants: list[Variant]
    params: dict[str, torch.Tensor]
    embed_init: torch.Tensor
    """``[M, V, d]`` input embeddings at initialization."""
    readout_init: torch.Tensor
    """``[M, V, d]`` readout matrices at initialization (the embedding for tied models)."""
    input_counts: np.ndarray
    """``[V]`` how often each token id was an input position, accumulated from the batches actually drawn."""
    lr_schedule: list[float]
    losses: list[list[float]]
    """Per logged step, each model's training loss."""
    untargeted_positions: int = 0
    """Target positions left out of the loss (``untargeted_rows``), counted from the batches actually drawn."""


def init_models(shape: TransformerShape, variants: list[Variant], init_std: float) -> list[TinyTransformer]:
    """One :class:`TinyTransformer` per variant, each from its own seed; embeddings ~ N(0, init_std²)."""
    out = []
    for v in variants:
        gen_state = torch.random.get_rng_state()
        torch.manual_seed(v.seed)
        m = TinyTransformer(shape)
        torch.random.set_rng_state(gen_state)
        with torch.no_grad():
            g = torch.Generator().manual_seed(v.embed_seed)
            m.token_embedding.weight.copy_(torch.randn(m.token_embedding.weight.shape, generator=g) * init_std)
            assert m.unembedding is not None
            m.unembedding.weight.copy_(torch.randn(m.unembedding.weight.shape, generator=g) * init_std)
        out.append(m)
    return out


def effective_readout(params: dict[str, torch.Tensor], tied: torch.Tensor) -> torch.Tensor:
    """``[M, V, d]``: each model's readout matrix (its input embedding when tied)."""
    return torch.where(tied[:, None, None], params[EMBED], params[UNEMBED])


class _Body(nn.Module):
    """A :class:`TinyTransformer` without its readout: ``forward(tokens)`` is the final LayerNorm's output
    ``[batch, t, d]``. It holds the same submodules under the same names, so the stacked parameters fit it."""

    def __init__(self, model: TinyTransformer) -> None:
        super().__init__()
        self.token_embedding = model.token_embedding
        self.position_embedding = model.position_embedding
        self.blocks = model.blocks
        self.ln_final = model.ln_final

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(tokens.shape[-1], device=tokens.device)
        x = self.token_embedding(tokens) + self.position_embedding(positions)
        for block in self.blocks:
            x, _ = block(x)
        out: torch.Tensor = self.ln_final(x)
        return out


def _stacked_body(shape: TransformerShape) -> tuple[_Body, Callable[..., torch.Tensor]]:
    """The body on the meta device and ``hidden(params, tokens)``: every model's final hidden states ``[M, b, t, d]``
    under ``torch.vmap`` (``tokens`` ``[b, t]`` shared by all models, or ``[M, b, t]`` one batch per model)."""
    body = _Body(TinyTransformer(shape).to("meta"))
    names = {name for name, _ in body.named_parameters()}

    def one(p: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = functional_call(body, {k: v for k, v in p.items() if k in names}, (x,))
        return out

    def hidden(params: dict[str, torch.Tensor], tokens: torch.Tensor) -> torch.Tensor:
        shared = tokens.dim() == 2
        out: torch.Tensor = torch.vmap(one, in_dims=(0, None if shared else 0))(params, tokens)
        return out

    return body, hidden


def stacked_loss(
    hidden: Callable[..., torch.Tensor],
    params: dict[str, torch.Tensor],
    tied: torch.Tensor,
    x: torch.Tensor,
    y: torch.Tensor,
    untargeted: torch.Tensor | None = None,
) -> torch.Tensor:
    """``[M]``: every model's mean next-token cross-entropy on the batch ``x`` → ``y`` ``[b, t]``.

    ``untargeted``: a ``[V]`` boolean mask of tokens that are never a target: positions whose next token is one of
    them are left out of the mean (their logits still enter every softmax, so those tokens' readout rows receive the
    push-down of non-targets and nothing else)."""
    h = hidden(params, x).flatten(1, 2)  # [M, b·t, d]
    # the readout outside vmap, against a contiguous Wᵀ: vmap's F.linear is bmm on a transposed view, which takes
    # a path about half as fast for this [d, V] shape (measured: 34 vs 66 GFLOP/s on one thread)
    logits = torch.bmm(h, effective_readout(params, tied).transpose(1, 2).contiguous())  # [M, b·t, V]
    # mean cross-entropy −log softmax(logits)[y], written out as before (the same kernels as F.cross_entropy's)
    logp = torch.log_softmax(logits, dim=-1)
    idx = y.reshape(1, -1, 1).expand(logp.shape[0], -1, 1)
    if untargeted is None:
        return -logp.gather(-1, idx).mean(dim=(1, 2))
    keep = (~untargeted[y.reshape(-1)]).to(logp.dtype)  # [b·t]
    return -(logp.gather(-1, idx).squeeze(-1) * keep).sum(dim=1) / keep.sum().clamp(min=1.0)


def lr_at(step: int, total: int, lr: float, warmup: int) -> float:
    """Linear warm-up over ``warmup`` steps, then cosine decay to 10% of ``lr`` (nanoGPT's schedule)."""
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = (step - warmup) / max(total - warmup, 1)
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def adamw_step(
    params: dict[str, torch.Tensor],
    grads: dict[str, torch.Tensor],
    state: dict[str, tuple[torch.Tensor, torch.Tensor]],
    step: int,
    lr: float,
    weight_decay: torch.Tensor,
    betas: tuple[float, float] = (0.9, 0.95),
    eps: float = 1e-8,
) -> None:
    """One AdamW update in place on stacked ``[M, ...]`` tensors, with per-model ``weight_decay`` ``[M]``."""
    b1, b2 = betas
    for name, p in params.items():
        g = grads[name]
        m, v = state[name]
        m.mul_(b1).add_(g, alpha=1 - b1)
        v.mul_(b2).addcmul_(g, g, value=1 - b2)
        # lr·m̂ / (√v̂ + ε) with two temporaries updated in place (the same operations in the same order as the
        # expression written out, so the same bits, without its four full-size intermediates)
        update = torch.div(m, 1 - b1 ** (step + 1)).mul_(lr)
        denom = torch.div(v, 1 - b2 ** (step + 1)).sqrt_().add_(eps)
        if p.dim() >= 3:  # matrices (dim 0 is the model): decoupled weight decay
            decay = (1 - lr * weight_decay).view(-1, *([1] * (p.dim() - 1)))
            p.mul_(decay)
        p.sub_(update.div_(denom))


def batch_order(n_seq: int, batch_size: int, epochs: int, rng: np.random.Generator) -> np.ndarray:
    """``[steps, batch_size]`` sequence indices: a fresh permutation of all sequences each epoch."""
    return np.concatenate([rng.permutation(n_seq) for _ in range(epochs)]).reshape(-1, batch_size)


STACK_BYTES = 8 << 20
"""Models train stacked (one computation) while their stacked ``[M, batch·t, V]`` logits stay within 8 MiB, else in
groups that do (one model per group when a model's own logits exceed it). Fixed from
``benchmarks/glitch_tokens_bench.py`` (one thread, CPU seconds, interleaved repeats, loop / stacked time): the test
preset's 4 models (3 MiB of logits) 1.36-2.09x faster stacked; quick's 4 (16 MiB) 0.91-0.97x, i.e. slower stacked
than one at a time; paper's 8 (66 MiB) 0.79-0.83x. A model trained alone gets bit-identical parameters to the same
model in a stack (checked), so the rule changes the time only."""


def stack_groups(n_models: int, batch_size: int, shape: TransformerShape) -> list[slice]:
    """Consecutive groups of models trained as one stacked computation each (see :data:`STACK_BYTES`)."""
    per_model = 4 * batch_size * (shape.context - 1) * shape.vocab_size
    size = max(1, min(n_models, STACK_BYTES // max(per_model, 1)))
    return [slice(i, min(i + size, n_models)) for i in range(0, n_models, size)]


def train(
    sequences: np.ndarray,
    shape: TransformerShape,
    variants: list[Variant],
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    init_std: float,
    rng: np.random.Generator,
    device: str = "cpu",
    progress: Callable[[float], None] | None = None,
    start: dict[str, torch.Tensor] | None = None,
    frozen_readout_rows: np.ndarray | None = None,
    only_rows: dict[str, np.ndarray] | None = None,
    untargeted_rows: np.ndarray | None = None,
) -> Trained:
    """Train every variant on the same batches (so one count vector serves them all); see the module docstring.

    ``start``: stacked parameters to continue from (a fine-tune) instead of a fresh initialization.
    ``frozen_readout_rows``: token ids whose rows of the separate readout matrix get no gradient (only weight decay
    moves them); tied models read out with their input embedding, which this leaves alone.
    ``only_rows``: parameter name → token ids; only those rows of those matrices get a gradient, every other parameter
    gets none (with zero weight decay in the variants, everything else then stays exactly as it started).
    ``untargeted_rows``: token ids that are never a training target (see :func:`stacked_loss`).
    The models run stacked, in groups by :func:`stack_groups`, each group over the same batches.
    """
    if start is None:
        params, _ = stack_module_state(init_models(shape, variants, init_std))
    else:
        params = {k: v.clone() for k, v in start.items()}
    params = {k: p.detach().to(device) for k, p in params.items()}
    frozen = (
        None
        if frozen_readout_rows is None or len(frozen_readout_rows) == 0
        else torch.as_tensor(np.asarray(frozen_readout_rows, dtype=np.int64), device=device)
    )
    rows = (
        None
        if only_rows is None
        else {k: torch.as_tensor(np.asarray(v, dtype=np.int64), device=device) for k, v in only_rows.items()}
    )
    untargeted = None
    if untargeted_rows is not None and len(untargeted_rows) > 0:
        untargeted = torch.zeros(shape.vocab_size, dtype=torch.bool, device=device)
        untargeted[torch.as_tensor(np.asarray(untargeted_rows, dtype=np.int64), device=device)] = True
    tied = torch.tensor([v.tied for v in variants], device=device)
    with torch.no_grad():
        embed_init = params[EMBED].detach().clone().cpu()
        readout_init = effective_readout(params, tied).detach().clone().cpu()
    order = batch_order(len(sequences), batch_size, epochs, rng)
    seqs = torch.as_tensor(sequences, device=device)
    counts = np.zeros(shape.vocab_size, dtype=np.int64)
    skipped = 0
    for idx in order:  # what the models were fed, from the batches actually drawn
        counts += model_inputs_count(sequences[idx, :-1], shape.vocab_size)
        if untargeted is not None:
            skipped += int(untargeted.cpu()[torch.as_tensor(sequences[idx, 1:])].sum())
    lrs = [lr_at(step, len(order), lr, max(len(order) // 20, 1)) for step in range(len(order))]
    trained: list[tuple[dict[str, torch.Tensor], list[list[float]]]] = []
    for group in stack_groups(len(variants), batch_size, shape):
        part = {k: p[group].clone().requires_grad_(True) for k, p in params.items()}
        steps = _train_steps(part, variants[group], seqs, order, lrs, shape, frozen, device, progress, rows, untargeted)
        trained.append((part, steps))
    return Trained(
        shape=shape,
        variants=variants,
        params={k: torch.cat([part[k].detach() for part, _ in trained]) for k in params},
        embed_init=embed_init,
        readout_init=readout_init,
        input_counts=counts,
        lr_schedule=lrs,
        losses=[[x for _, losses in trained for x in losses[i]] for i in range(len(trained[0][1]))],
        untargeted_positions=skipped,
    )


def _train_steps(
    params: dict[str, torch.Tensor],
    variants: list[Variant],
    seqs: torch.Tensor,
    order: np.ndarray,
    lrs: list[float],
    shape: TransformerShape,
    frozen: torch.Tensor | None,
    device: str,
    progress: Callable[[float], None] | None,
    only_rows: dict[str, torch.Tensor] | None = None,
    untargeted: torch.Tensor | None = None,
) -> list[list[float]]:
    """AdamW over the batches ``order`` on the stacked ``params`` in place; each logged step's per-model losses."""
    _, hidden = _stacked_body(shape)
    tied = torch.tensor([v.tied for v in variants], device=device)
    wd = torch.tensor([v.weight_decay for v in variants], dtype=torch.float32, device=device)
    state = {k: (torch.zeros_like(p), torch.zeros_like(p)) for k, p in params.items()}
    total = len(order)
    losses: list[list[float]] = []
    for step, idx in enumerate(order):
        batch = seqs[torch.as_tensor(idx, device=device)]
        x, y = batch[:, :-1], batch[:, 1:]
        per_model = stacked_loss(hidden, params, tied, x, y, untargeted)
        grads = dict(zip(params, torch.autograd.grad(per_model.sum(), list(params.values())), strict=True))
        if frozen is not None:
            grads[UNEMBED][:, frozen] = 0.0
        if only_rows is not None:
            grads = {k: _rows_only(g, only_rows.get(k)) for k, g in grads.items()}
        with torch.no_grad():
            adamw_step(params, grads, state, step, lrs[step], wd)
        if step % max(total // 50, 1) == 0 or step == total - 1:
            losses.append([float(v) for v in per_model.detach().cpu()])
        if progress is not None:
            progress(1 / len(variants))
    return losses


def _rows_only(grad: torch.Tensor, rows: torch.Tensor | None) -> torch.Tensor:
    """The gradient ``[M, V, d]`` kept on ``rows`` only (all of it zeroed when ``rows`` is None)."""
    out = torch.zeros_like(grad)
    if rows is not None:
        out[:, rows] = grad[:, rows]
    return out


def model_inputs_count(x: np.ndarray, vocab_size: int) -> np.ndarray:
    """How often each token id occurs among a batch's input positions ``x`` ``[batch, t]``."""
    return np.bincount(x.ravel(), minlength=vocab_size)[:vocab_size]


def final_matrices(trained: Trained) -> tuple[torch.Tensor, torch.Tensor]:
    """``([M, V, d] input embeddings, [M, V, d] readout matrices)`` after training, on the CPU."""
    tied = torch.tensor([v.tied for v in trained.variants], device=trained.params[EMBED].device)
    return trained.params[EMBED].cpu(), effective_readout(trained.params, tied).cpu()


def forward_all(trained: Trained, tokens: torch.Tensor, last: bool = False) -> torch.Tensor:
    """Logits ``[M, batch, t, V]`` of every model (no gradient): on the same ``tokens`` ``[batch, t]``, or model m on
    its own ``tokens[m]`` when they are ``[M, batch, t]``. ``last``: only the last position's, ``[M, batch, 1, V]``
    (what greedy generation reads; the readout of the other positions is most of a forward pass)."""
    _, hidden = _stacked_body(trained.shape)
    device = trained.params[EMBED].device
    tied = torch.tensor([v.tied for v in trained.variants], device=device)
    with torch.no_grad():
        h = hidden(trained.params, tokens.to(device))  # [M, batch, t, d]
        if last:
            h = h[:, :, -1:]
        readout = effective_readout(trained.params, tied).transpose(1, 2).contiguous()
        out = torch.bmm(h.flatten(1, 2), readout)
    return out.view(*h.shape[:3], -1)


def last_logits(trained: Trained) -> Callable[[torch.Tensor], torch.Tensor]:
    """``tokens -> [M, batch, 1, V]``: every model's last-position logits on the CPU (see :func:`forward_all`);
    the ``logits_fn`` and the ``per_model_fn`` of :func:`verify.repetition_probabilities` alike."""

    def fn(tokens: torch.Tensor) -> torch.Tensor:
        return forward_all(trained, tokens, last=True).cpu()

    return fn
