"""A tiny decoder-only transformer with a key-value cache, for studies that train language models on CPU.

Architecture (GPT-2 style, Radford et al. 2019): token + learned position embeddings, ``n_layers`` pre-LayerNorm
blocks ``x ← x + Attn(LN(x))``, ``x ← x + MLP(LN(x))`` with a GELU MLP of width ``d_mlp``, a final LayerNorm and
a readout ``logits = readout_multiplier · LN(x) Wᵤᵀ`` where ``Wᵤ`` is the token embedding when
``tied_embeddings`` else its own matrix. Attention logits are ``scale · q·k`` with ``scale = 1/√d_head`` by
default (Vaswani et al. 2017); μP uses ``1/d_head`` (Yang et al. 2022, TP5 §4), settable via ``attention_scale``.

Initialization: every weight ~ N(0, 0.02²), biases 0, LayerNorm gains 1 (GPT-2). Studies that need another
parametrization (μP) re-initialize the parameters themselves; the named submodules make that easy.

Batches of independent models (seeds, learning rates) are trained as one computation with
``torch.func.stack_module_state`` + ``torch.func.functional_call`` under ``torch.vmap``; the module has no
buffers or Python-side state that would prevent that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F  # noqa: N812 (the PyTorch convention)
from torch import nn

KVCache = list[tuple[torch.Tensor, torch.Tensor]]
"""Per layer, keys and values of the tokens seen so far, each ``[batch, n_heads, t_past, d_head]``."""


@dataclass(frozen=True)
class TransformerShape:
    """The hyperparameters that fix a :class:`TinyTransformer`'s parameter shapes and forward pass."""

    vocab_size: int
    context: int
    """The longest sequence the position embedding covers."""
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    d_mlp: int | None = None
    """MLP width; ``4 · d_model`` when None."""
    tied_embeddings: bool = False
    """Read out with the input embedding matrix (``Wᵤ = W_E``) instead of a separate unembedding."""
    attention_scale: float | None = None
    """Multiplier of the attention logits q·k; ``1/√d_head`` when None."""
    readout_multiplier: float = 1.0
    """Multiplier of the output logits (μP's output multiplier)."""

    def __post_init__(self) -> None:
        if min(self.vocab_size, self.context, self.d_model, self.n_layers, self.n_heads) < 1:
            raise ValueError(f"every size must be positive: {self}")
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} is not a multiple of n_heads={self.n_heads}")

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

    @property
    def mlp_width(self) -> int:
        return self.d_mlp if self.d_mlp is not None else 4 * self.d_model


class Block(nn.Module):
    """One pre-LayerNorm transformer block: causal multi-head self-attention, then a GELU MLP."""

    def __init__(self, shape: TransformerShape) -> None:
        super().__init__()
        self.shape = shape
        self.ln_attn = nn.LayerNorm(shape.d_model)
        self.qkv = nn.Linear(shape.d_model, 3 * shape.d_model)
        self.attn_out = nn.Linear(shape.d_model, shape.d_model)
        self.ln_mlp = nn.LayerNorm(shape.d_model)
        self.mlp_in = nn.Linear(shape.d_model, shape.mlp_width)
        self.mlp_out = nn.Linear(shape.mlp_width, shape.d_model)

    def forward(
        self, x: torch.Tensor, past: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """``x``: ``[batch, t_new, d_model]``; returns the block's output and this layer's updated keys/values."""
        batch, t_new, _ = x.shape
        heads, d_head = self.shape.n_heads, self.shape.d_head
        q, k, v = self.qkv(self.ln_attn(x)).split(self.shape.d_model, dim=-1)
        q, k, v = (z.view(batch, t_new, heads, d_head).transpose(1, 2) for z in (q, k, v))
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        t_past = k.shape[2] - t_new
        scale = self.shape.attention_scale if self.shape.attention_scale is not None else 1 / math.sqrt(d_head)
        # New query i (absolute position t_past + i) sees keys 0 … t_past + i. Written out rather than through
        # scaled_dot_product_attention, which has no vmap batching rule on CPU (stacked models would loop).
        allowed = torch.ones(t_new, t_past + t_new, dtype=torch.bool, device=x.device).tril(diagonal=t_past)
        scores = (q @ k.transpose(-2, -1)) * scale
        attended = torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1) @ v
        x = x + self.attn_out(attended.transpose(1, 2).reshape(batch, t_new, self.shape.d_model))
        x = x + self.mlp_out(F.gelu(self.mlp_in(self.ln_mlp(x))))
        return x, (k, v)


class TinyTransformer(nn.Module):
    """A GPT-2-style decoder (see the module docstring). ``forward(tokens)`` returns next-token logits."""

    def __init__(self, shape: TransformerShape) -> None:
        super().__init__()
        self.shape = shape
        self.token_embedding = nn.Embedding(shape.vocab_size, shape.d_model)
        self.position_embedding = nn.Embedding(shape.context, shape.d_model)
        self.blocks = nn.ModuleList(Block(shape) for _ in range(shape.n_layers))
        self.ln_final = nn.LayerNorm(shape.d_model)
        self.unembedding: nn.Linear | None = (
            None if shape.tied_embeddings else nn.Linear(shape.d_model, shape.vocab_size, bias=False)
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """GPT-2 initialization: weights ~ N(0, 0.02²), biases 0, LayerNorm gains 1 and shifts 0."""
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
                if isinstance(module, nn.Linear) and module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    @property
    def readout_weight(self) -> torch.Tensor:
        """The ``[vocab, d_model]`` matrix the logits are read out with (the embedding when tied)."""
        return self.token_embedding.weight if self.unembedding is None else self.unembedding.weight

    def forward(self, tokens: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        """Logits ``[batch, t, vocab]`` for ``tokens`` ``[batch, t]``.

        With ``cache`` (a list, empty at the start), ``tokens`` continue the cached sequence: their positions
        start after it, they attend to it, and their keys/values are appended to it in place.
        """
        t_past = cache[0][0].shape[2] if cache else 0
        t_new = tokens.shape[1]
        if t_past + t_new > self.shape.context:
            raise ValueError(f"sequence of {t_past + t_new} tokens exceeds the context of {self.shape.context}")
        positions = torch.arange(t_past, t_past + t_new, device=tokens.device)
        x = self.token_embedding(tokens) + self.position_embedding(positions)
        has_past = bool(cache)
        for layer, block in enumerate(self.blocks):
            x, kv = block(x, cache[layer] if cache is not None and has_past else None)
            if cache is not None:
                if has_past:
                    cache[layer] = kv
                else:
                    cache.append(kv)
        logits = F.linear(self.ln_final(x), self.readout_weight)
        # x·1.0 is x exactly: skipping it saves a pass over the [batch, t, vocab] logits and one in the backward
        return logits if self.shape.readout_multiplier == 1.0 else self.shape.readout_multiplier * logits


@torch.no_grad()
def sample(
    model: TinyTransformer,
    prompts: torch.Tensor,
    max_new_tokens: int,
    *,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
    use_cache: bool = True,
) -> torch.Tensor:
    """Continue each row of ``prompts`` ``[batch, p]`` by ``max_new_tokens`` sampled tokens; returns ``[batch, p+n]``.

    Token t+1 ~ softmax(logits_t / temperature); ``temperature = 0`` takes the argmax (greedy). With
    ``use_cache`` the prompt is encoded once and each step feeds only the newest token (a key-value cache);
    without it every step re-encodes the whole prefix (the naive sampler, kept as a reference). Both draw the
    same tokens from the same ``generator`` state.
    """
    if max_new_tokens < 0:
        raise ValueError("max_new_tokens must be ≥ 0")
    sequence = prompts
    cache: KVCache = []
    step_input = prompts
    for _ in range(max_new_tokens):
        logits = model(step_input, cache)[:, -1] if use_cache else model(sequence)[:, -1]
        if temperature == 0:
            next_token = logits.argmax(dim=-1, keepdim=True)
        else:
            probabilities = torch.softmax(logits.float() / temperature, dim=-1)
            next_token = torch.multinomial(probabilities, 1, generator=generator)
        sequence = torch.cat([sequence, next_token], dim=1)
        step_input = next_token
    return sequence


def sequence_logprobs(model: nn.Module, tokens: torch.Tensor) -> torch.Tensor:
    """log π(tokens[:, t+1] | tokens[:, ≤t]) for t = 0 … T−2: a ``[batch, T−1]`` tensor (differentiable)."""
    logits = model(tokens[:, :-1])
    return torch.log_softmax(logits.float(), dim=-1).gather(-1, tokens[:, 1:, None]).squeeze(-1)
