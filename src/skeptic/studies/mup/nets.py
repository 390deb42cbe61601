"""Many models trained as one batched computation: an MLP and a small transformer, in SP or μP.

A *sweep* trains every (learning rate, seed) pair of one width, parametrization and optimizer together: each
parameter is stacked along a leading model axis ``[M, ...]``. The MLP's forward pass is written with batched
matrix products (``torch.bmm``); the transformer runs :class:`skeptic.models.TinyTransformer` through
``torch.func.functional_call`` under ``torch.vmap`` with ``torch.func.grad``. The optimizers (SGD, Adam) are
elementwise with a per-model, per-tensor learning rate, so each model follows exactly the trajectory it would
follow alone (the tests check a stacked model against the same model trained by itself).

Common random numbers: every model of one seed starts from the same unit-normal draws (scaled by its own
parametrization's standard deviations) and reads the same minibatches, whatever its width, learning rate or
parametrization. Comparisons across learning rates and widths are then paired, and at the base width SP and μP
are the same network.

MLP (character-level next-token model): the previous ``k`` characters, one-hot, go through an input layer
``h₁ = U x`` (width n), ``h₂ = W φ(h₁)`` (n × n, the hidden weight), and logits ``f = Vᵀ φ(h₂)``; φ is ReLU, or the
identity for the deep linear network of the toy derivation. There are no biases (the derivation has none).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 (the PyTorch convention)
from torch import Tensor
from torch.optim.adam import adam as functional_adam

from skeptic.models import TinyTransformer, TransformerShape
from skeptic.models.transformer import Block
from skeptic.studies.mup import param as P  # noqa: N812 (the rules table, read as P.rule)
from skeptic.studies.mup.data import Corpus, mlp_examples, window_starts, windows

__all__ = ["Sweep", "SweepResult", "eval_starts", "run_sweep", "window_starts"]

Params = dict[str, Tensor]
Nonlinearity = Literal["relu", "linear"]

MLP_LAYERS = ("input layer", "hidden layer", "logits")
"""The activations a coordinate check of the MLP records, in forward order."""
TRANSFORMER_LAYERS = ("embedding", "attention logits", "attention output", "MLP output", "logits")
"""The activations a coordinate check of the transformer records (the last block's, for the block-internal ones)."""


@dataclass(frozen=True)
class Tensor_:  # noqa: N801 (a record of one weight tensor, named like the thing it describes)
    """One weight tensor of a model: its shape, role in TP5's table and fan-in."""

    name: str
    shape: tuple[int, ...]
    role: P.Role
    fan_in: int
    fill: float | None = None
    """A constant initial value (biases 0, LayerNorm gains 1) instead of a random draw."""


# ---------------------------------------------------------------------------------------------------------------
# The models' weight tables
# ---------------------------------------------------------------------------------------------------------------


def mlp_tensors(width: int, k: int, vocab: int) -> list[Tensor_]:
    """U ``[k·V, n]`` (input), W ``[n, n]`` (hidden), V ``[n, V]`` (output)."""
    return [
        Tensor_("U", (k * vocab, width), "input", k),
        Tensor_("W", (width, width), "hidden", width),
        Tensor_("V", (width, vocab), "output", width),
    ]


def transformer_shape(
    width: int, base_width: int, vocab: int, context: int, n_layers: int, n_heads: int, param: P.Parametrization
) -> TransformerShape:
    """A :class:`TransformerShape` of ``width`` with the attention scale of ``param`` (heads fixed, d_head grows)."""
    return TransformerShape(
        vocab_size=vocab,
        context=context,
        d_model=width,
        n_layers=n_layers,
        n_heads=n_heads,
        tied_embeddings=False,
        attention_scale=P.attention_scale(width // n_heads, base_width // n_heads, param),
    )


def transformer_tensors(shape: TransformerShape) -> list[Tensor_]:
    """Every parameter of a :class:`TinyTransformer` of ``shape`` with its role (TP5 Table 3)."""
    model = TinyTransformer(shape)
    out = []
    for name, p in model.named_parameters():
        if name == "unembedding.weight":
            out.append(Tensor_(name, tuple(p.shape), "output", shape.d_model))
        elif name.endswith("embedding.weight"):
            out.append(Tensor_(name, tuple(p.shape), "input", 1))
        elif p.dim() == 2:  # nn.Linear weights are [out, in]
            out.append(Tensor_(name, tuple(p.shape), "hidden", p.shape[1]))
        else:  # biases and LayerNorm parameters
            gain = ".ln_" in name or name.startswith("ln_")
            out.append(Tensor_(name, tuple(p.shape), "vector", 1, 1.0 if gain and name.endswith("weight") else 0.0))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Initialization and optimizers
# ---------------------------------------------------------------------------------------------------------------


def _named_seed(seed: int, *key: str | int) -> int:
    """An integer seed for the sub-stream ``key`` of ``seed``, by hashing the name (as the run context's
    ``seed_for``), never by arithmetic on the seed."""
    words = [zlib.crc32(str(k).encode()) for k in key]
    return int(np.random.SeedSequence([seed, *words]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def unit_draws(tensors: list[Tensor_], seed: int, width: int) -> dict[str, Tensor]:
    """Unit-normal draws for every random tensor, from a generator keyed by (seed, width) alone."""
    g = torch.Generator().manual_seed(_named_seed(seed, "init", width))
    return {t.name: torch.randn(t.shape, generator=g) for t in tensors if t.fill is None}


def init_params(
    tensors: list[Tensor_],
    seeds: list[int],
    width: int,
    base_width: int,
    param: P.Parametrization,
    input_std: float,
    device: str = "cpu",
) -> Params:
    """Stacked initial parameters ``[M, ...]``: model i is ``std(role) · z(seeds[i])`` (TP5 Table 3 stds)."""
    m = P.width_multiplier(width, base_width)
    draws = {s: unit_draws(tensors, s, width) for s in sorted(set(seeds))}
    out: Params = {}
    for t in tensors:
        if t.fill is not None:
            out[t.name] = torch.full((len(seeds), *t.shape), t.fill)
        else:
            std = P.init_std(t.role, t.fan_in, m, param, input_std)
            out[t.name] = stacked = torch.empty(len(seeds), *t.shape)
            for i, s in enumerate(seeds):  # each row scaled straight into place: no stacked copy, no temporary
                torch.mul(draws[s][t.name], std, out=stacked[i])
    return {k: v.to(device) for k, v in out.items()}


def lr_table(
    tensors: list[Tensor_], lrs: Tensor, width: int, base_width: int, param: P.Parametrization, optimizer: P.Optimizer
) -> dict[str, Tensor]:
    """Per tensor, the ``[M]`` learning rates η_i · multiplier(role) (TP5 Table 3)."""
    m = P.width_multiplier(width, base_width)
    return {t.name: lrs * P.lr_multiplier(t.role, m, param, optimizer) for t in tensors}


class BatchedOptimizer:
    """SGD or Adam (Kingma & Ba 2015, with bias correction) over stacked parameters, one learning rate per model.

    Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − η · m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
    Every operation is elementwise, so stacking models changes nothing about any one of them.
    """

    def __init__(
        self, kind: P.Optimizer, lrs: dict[str, Tensor], betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
    ) -> None:
        self.kind, self.lrs, self.betas, self.eps = kind, lrs, betas, eps
        self.t = 0
        self.m: Params = {}
        self.v: Params = {}
        self._runs = {name: _equal_runs(lr) for name, lr in lrs.items()}
        self._steps: dict[str, list[Tensor]] = {}

    def step(self, params: Params, grads: Params) -> Params:
        """Update ``params`` in place (they hold no autograd history) and return them.

        Models sharing a learning rate (consecutive rows) are updated as one slice with a scalar rate: SGD as one
        in-place ``add_``, Adam by PyTorch's fused kernel (``torch.optim.adam.adam(..., fused=True)``: one pass over
        parameter, gradient and moments, no full-size temporaries), the same arithmetic up to float rounding.
        """
        self.t += 1
        b1, b2 = self.betas
        for name, w in params.items():
            g = grads[name]
            runs = self._runs[name]
            if self.kind == "sgd":
                for i, j, lr in runs:
                    w[i:j].add_(g[i:j], alpha=-lr)
                continue
            if name not in self.m:
                self.m[name], self.v[name] = torch.zeros_like(w), torch.zeros_like(w)
                self._steps[name] = [torch.zeros((), device=w.device) for _ in runs]
            m, v = self.m[name], self.v[name]
            for (i, j, lr), t in zip(runs, self._steps[name], strict=True):
                functional_adam(
                    [w[i:j]], [g[i:j].contiguous()], [m[i:j]], [v[i:j]], [], [t], fused=True,
                    amsgrad=False, beta1=b1, beta2=b2, lr=lr, weight_decay=0.0, eps=self.eps, maximize=False,
                )  # fmt: skip
        return params


def _equal_runs(lrs: Tensor) -> list[tuple[int, int, float]]:
    """``(start, stop, rate)`` of each run of consecutive equal learning rates in ``lrs`` ``[M]``."""
    vals = lrs.tolist()
    runs: list[tuple[int, int, float]] = []
    for i, lr in enumerate(vals):
        if runs and runs[-1][2] == lr:
            runs[-1] = (runs[-1][0], i + 1, lr)
        else:
            runs.append((i, i + 1, float(lr)))
    return runs


# ---------------------------------------------------------------------------------------------------------------
# Forward passes
# ---------------------------------------------------------------------------------------------------------------


def mlp_forward(params: Params, context: Tensor, vocab: int, nonlinearity: Nonlinearity) -> list[Tensor]:
    """``[h₁, h₂, f]`` of M stacked MLPs on ``context`` ``[M, B, k]`` (character indices); f is ``[M, B, V]``.

    h₁ = Σ_j U[j·V + c_j] (the one-hot input layer as a gather), h₂ = φ(h₁) W, f = φ(h₂) V.
    """
    U, W, V = params["U"], params["W"], params["V"]
    M, B, k = context.shape
    idx = (context + vocab * torch.arange(k, device=context.device)).reshape(M, B * k)
    h1 = torch.gather(U, 1, idx[:, :, None].expand(M, B * k, U.shape[2])).view(M, B, k, -1).sum(2)
    phi: Callable[[Tensor], Tensor] = torch.relu if nonlinearity == "relu" else (lambda h: h)
    h2 = torch.bmm(phi(h1), W)
    return [h1, h2, torch.bmm(phi(h2), V)]


class ProbedTransformer(TinyTransformer):
    """:class:`TinyTransformer` whose forward can also return the activations a coordinate check reads.

    Same math as the parent (pre-LN blocks, causal attention with ``shape.attention_scale``); written out so the
    last block's attention logits, attention output and MLP output can be returned from inside ``vmap``.
    """

    def forward(  # type: ignore[override]
        self, tokens: Tensor, cache: object = None, probe: bool = False
    ) -> Tensor | list[Tensor]:
        if not probe:
            return super().forward(tokens)
        return self.activations(tokens)

    def activations(self, tokens: Tensor) -> list[Tensor]:
        """:data:`TRANSFORMER_LAYERS` on ``tokens``: embedding, last block's attention logits (masked entries 0),
        attention output and MLP output, and the logits."""
        s = self.shape
        batch, t = tokens.shape
        x = self.token_embedding(tokens) + self.position_embedding(torch.arange(t, device=tokens.device))
        acts = [x]
        scale = s.attention_scale if s.attention_scale is not None else 1 / math.sqrt(s.d_head)
        allowed = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
        for block in self.blocks:
            assert isinstance(block, Block)
            q, k, v = block.qkv(block.ln_attn(x)).split(s.d_model, dim=-1)
            q, k, v = (z.view(batch, t, s.n_heads, s.d_head).transpose(1, 2) for z in (q, k, v))
            scores = (q @ k.transpose(-2, -1)) * scale
            attended = torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1) @ v
            a = block.attn_out(attended.transpose(1, 2).reshape(batch, t, s.d_model))
            x = x + a
            mm = block.mlp_out(F.gelu(block.mlp_in(block.ln_mlp(x))))
            x = x + mm
            inner = [scores.masked_fill(~allowed, 0.0), a, mm]
        logits = s.readout_multiplier * F.linear(self.ln_final(x), self.readout_weight)
        return [acts[0], *inner, logits]


# ---------------------------------------------------------------------------------------------------------------
# Sweeps
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    """Per model (learning rate i, seed j at index i·n_seeds + j): the final held-out loss (NaN for a coordinate
    check, which is not evaluated), the training curve, and for a coordinate check the RMS of every recorded
    activation (``sizes``) and of its change from step 0 (``deltas``) at steps 0…T, each ``[M, T + 1, layers]``."""

    eval_loss: Tensor
    train_loss: Tensor
    sizes: Tensor | None = None
    deltas: Tensor | None = None
    shapes: dict[str, list[int]] | None = None
    """Shape of every trained (stacked) parameter, ``[M, ...]``: what the probes compare with the config."""
    probe_shape: list[int] | None = None
    """A transformer coordinate check's probe batch, ``[M, batch, context + 1]`` (None elsewhere)."""


@dataclass(frozen=True)
class Sweep:
    """One batched computation: a width, a parametrization and an optimizer, over learning rates × seeds."""

    model: Literal["mlp", "transformer"]
    width: int
    base_width: int
    param: P.Parametrization
    optimizer: P.Optimizer
    lrs: tuple[float, ...]
    seeds: tuple[int, ...]
    steps: int
    batch_size: int
    context: int
    """MLP: characters of context k; transformer: sequence length."""
    n_layers: int = 2
    n_heads: int = 4
    nonlinearity: Nonlinearity = "relu"
    input_std: float = 1.0
    lr_param: P.Parametrization | None = None
    """The parametrization whose learning-rate multipliers are used (default ``param``'s own; the other one for the
    study's ``lr_rule="swapped"`` contrast: μP's initialization with SP's learning rates and vice versa)."""


def _model_grid(s: Sweep) -> tuple[Tensor, list[int]]:
    lrs = torch.tensor([lr for lr in s.lrs for _ in s.seeds], dtype=torch.float32)
    return lrs, [seed for _ in s.lrs for seed in s.seeds]


def batch_starts(corpus: Corpus, s: Sweep, seeds: list[int], step: int) -> Tensor:
    """``[M, B]`` window starts of training step ``step``: one stream per seed, shared by every width and rate."""
    per_seed = {}
    for seed in sorted(set(seeds)):
        g = torch.Generator().manual_seed(_named_seed(seed, "batch", step))
        per_seed[seed] = window_starts(corpus, s.batch_size, s.context, g, held_out=False)
    return torch.stack([per_seed[seed] for seed in seeds])


def eval_starts(corpus: Corpus, n: int, length: int, seed: int) -> Tensor:
    """Start indices of ``n`` held-out evaluation windows (the same for every model of a run)."""
    return window_starts(corpus, n, length, torch.Generator().manual_seed(seed), held_out=True)


def run_sweep(corpus: Corpus, s: Sweep, eval_at: Tensor, coord_check: bool = False, device: str = "cpu") -> SweepResult:
    """Train every (learning rate, seed) model of ``s`` at once (an MLP sweep larger than :data:`STACK_BYTES` in
    slices of learning rates); return held-out losses (and coordinate checks).

    ``coord_check``: record every activation at steps 0…T on each model's first training batch (the batch its
    first update was computed on, as in the one-step derivation of :mod:`skeptic.studies.mup.exponents`).
    """
    if s.model == "mlp":
        n = mlp_rates_per_computation(s, corpus.vocab_size)
        parts = [replace(s, lrs=s.lrs[i : i + n]) for i in range(0, len(s.lrs), n)]
        results = [_run_mlp(corpus, p, eval_at, _probe_at(corpus, p, coord_check), device) for p in parts]
        return results[0] if len(results) == 1 else _concat(results)
    return _run_transformer(corpus, s, eval_at, _probe_at(corpus, s, coord_check), device)


STACK_BYTES = 32 * 2**20
"""Most fp32 parameter bytes one stacked MLP computation trains; a larger sweep runs in slices of learning rates.
Fixed from measurements (2-core AMD EPYC, 32 MiB L3; 8 rates × 2 seeds, 60 Adam steps of batch 32, CPU seconds):
all 16 models stacked beat a per-model loop at widths 64-512 (≤ 27 MB stacked; 2.0×, 1.5×, 1.2×, 1.14×) and lose
at 1024 (88 MB; 0.78×), where 4 at a time (22 MB) beat the loop (1.07×): past the last-level cache, the elementwise
optimizer work on the stacked tensors is memory-bound."""


def mlp_rates_per_computation(s: Sweep, vocab: int) -> int:
    """Learning rates (each with all of ``s``'s seeds) one stacked MLP computation takes under :data:`STACK_BYTES`."""
    per_model = 4 * sum(math.prod(t.shape) for t in mlp_tensors(s.width, s.context, vocab))
    return max(1, STACK_BYTES // (per_model * len(s.seeds)))


def _probe_at(corpus: Corpus, s: Sweep, coord_check: bool) -> Tensor | None:
    return batch_starts(corpus, s, _model_grid(s)[1], 0) if coord_check else None


def _concat(results: list[SweepResult]) -> SweepResult:
    """Slices of one sweep (consecutive learning rates) joined along the model axis."""

    def cat(xs: list[Tensor | None]) -> Tensor | None:
        return None if xs[0] is None else torch.cat([x for x in xs if x is not None])

    shapes = None
    if results[0].shapes is not None:
        first = next(iter(results[0].shapes))
        n = sum(r.shapes[first][0] for r in results if r.shapes is not None)
        shapes = {k: [n, *v[1:]] for k, v in results[0].shapes.items()}
    return SweepResult(
        torch.cat([r.eval_loss for r in results]),
        torch.cat([r.train_loss for r in results]),
        cat([r.sizes for r in results]),
        cat([r.deltas for r in results]),
        shapes,
    )


def _ce(logits: Tensor, target: Tensor) -> Tensor:
    """Mean cross-entropy per model: logits ``[M, B, V]``, targets ``[M, B]`` -> ``[M]``."""
    return F.cross_entropy(logits.transpose(1, 2), target, reduction="none").mean(1)


def _run_mlp(corpus: Corpus, s: Sweep, eval_at: Tensor, probe_at: Tensor | None, device: str) -> SweepResult:
    V = corpus.vocab_size
    tensors = mlp_tensors(s.width, s.context, V)
    lrs, seeds = _model_grid(s)
    M = len(seeds)
    params = init_params(tensors, seeds, s.width, s.base_width, s.param, s.input_std, device)
    opt = BatchedOptimizer(
        s.optimizer,
        {
            k: v.to(device)
            for k, v in lr_table(tensors, lrs, s.width, s.base_width, s.lr_param or s.param, s.optimizer).items()
        },
    )

    def examples(starts: Tensor) -> tuple[Tensor, Tensor]:
        x, y = mlp_examples(corpus, starts.reshape(-1), s.context)
        return x.view(*starts.shape, s.context).to(device), y.view(starts.shape).to(device)

    probe = None if probe_at is None else examples(probe_at)
    history: list[list[Tensor]] = []

    def record() -> None:
        if probe is not None:
            with torch.no_grad():
                history.append(mlp_forward(params, probe[0], V, s.nonlinearity))

    record()
    train_loss = torch.empty(M, s.steps)
    for step in range(s.steps):
        x, y = examples(batch_starts(corpus, s, seeds, step))
        leaves = {k: v.detach().requires_grad_(True) for k, v in params.items()}
        losses = _ce(mlp_forward(leaves, x, V, s.nonlinearity)[-1], y)
        grads = torch.autograd.grad(losses.sum(), list(leaves.values()))
        params = opt.step(params, dict(zip(leaves, grads, strict=True)))
        train_loss[:, step] = losses.detach().cpu()
        if step < (0 if probe is None else probe_steps(s)):
            record()
    if probe is not None:  # a coordinate check reads only the activations: no held-out evaluation
        return _result(torch.full((M,), math.nan), train_loss, history, params)
    with torch.no_grad():
        ex, ey = examples(eval_at.expand(M, -1))
        eval_loss = torch.cat(
            [
                _ce(mlp_forward(params, ex[:, i : i + 256], V, s.nonlinearity)[-1], ey[:, i : i + 256]).unsqueeze(1)
                for i in range(0, ex.shape[1], 256)
            ],
            1,
        ).mean(1)
    return _result(eval_loss, train_loss, history, params)


def probe_steps(s: Sweep) -> int:
    """A coordinate check records steps 0…T with T = the sweep's ``steps`` (it trains only that long)."""
    return s.steps


def rms(a: Tensor) -> Tensor:
    """Root mean square of each model's coordinates: ``[M, ...]`` -> ``[M]``."""
    return a.flatten(1).pow(2).mean(1).sqrt()


def baseline_step() -> int:
    """The step a coordinate check measures changes from: 0, the initialization."""
    return 0


def coordinate_stats(history: list[list[Tensor]]) -> tuple[Tensor, Tensor]:
    """``[M, T + 1, layers]`` RMS of every activation and of its change from :func:`baseline_step`."""
    base = history[baseline_step()]
    sizes = torch.stack([torch.stack([rms(a) for a in acts], 1) for acts in history], 1)
    deltas = torch.stack(
        [torch.stack([rms(a - a0) for a, a0 in zip(acts, base, strict=True)], 1) for acts in history], 1
    )
    return sizes.cpu(), deltas.cpu()


def _result(eval_loss: Tensor, train_loss: Tensor, history: list[list[Tensor]], params: Params) -> SweepResult:
    ev = eval_loss.detach().cpu()
    shapes = {k: list(v.shape) for k, v in params.items()}
    if not history:
        return SweepResult(ev, train_loss, shapes=shapes)
    sizes, deltas = coordinate_stats(history)
    return SweepResult(ev, train_loss, sizes, deltas, shapes)


def _run_transformer(corpus: Corpus, s: Sweep, eval_at: Tensor, probe_at: Tensor | None, device: str) -> SweepResult:
    shape = transformer_shape(s.width, s.base_width, corpus.vocab_size, s.context, s.n_layers, s.n_heads, s.param)
    template = ProbedTransformer(shape).to(device)
    tensors = transformer_tensors(shape)
    lrs, seeds = _model_grid(s)
    M = len(seeds)
    params = init_params(tensors, seeds, s.width, s.base_width, s.param, s.input_std, device)
    opt = BatchedOptimizer(
        s.optimizer,
        {
            k: v.to(device)
            for k, v in lr_table(tensors, lrs, s.width, s.base_width, s.lr_param or s.param, s.optimizer).items()
        },
    )

    def loss_fn(p: Params, tokens: Tensor) -> Tensor:
        logits = torch.func.functional_call(template, p, (tokens[:, :-1],))
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1))

    batched_loss = torch.vmap(loss_fn)
    eval_fn = torch.vmap(loss_fn, in_dims=(0, None))

    def step_fn(p: Params, tokens: Tensor) -> tuple[Params, Tensor]:
        # The models are independent, so the gradient of the summed losses with respect to the stacked parameters
        # is every model's own gradient. Plain autograd through the vmapped forward rather than
        # torch.func.grad_and_value, whose first call imports torch._dynamo (~1 s of CPU per process).
        leaves = {k: v.detach().requires_grad_(True) for k, v in p.items()}
        losses = batched_loss(leaves, tokens)
        grads = torch.autograd.grad(losses.sum(), list(leaves.values()))
        return dict(zip(leaves, grads, strict=True)), losses.detach()

    probe_tokens = (
        None
        if probe_at is None
        else windows(corpus, probe_at.reshape(-1), s.context).view(M, s.batch_size, -1).to(device)
    )
    history: list[list[Tensor]] = []

    def record() -> None:
        # activations measured model by model (coordinate checks train a handful of models for a few steps)
        if probe_tokens is None:
            return
        with torch.no_grad():
            acts = [
                _transformer_acts(template, {k: v[i] for k, v in params.items()}, probe_tokens[i]) for i in range(M)
            ]
        history.append([torch.stack([a[j] for a in acts]) for j in range(len(TRANSFORMER_LAYERS))])

    record()
    train_loss = torch.empty(M, s.steps)
    for step in range(s.steps):
        tokens = windows(corpus, batch_starts(corpus, s, seeds, step).reshape(-1), s.context)
        grads, losses = step_fn(params, tokens.view(M, s.batch_size, -1).to(device))
        params = opt.step(params, grads)
        train_loss[:, step] = losses.detach().cpu()
        if probe_tokens is not None and step < probe_steps(s):
            record()
    if probe_tokens is not None:  # a coordinate check reads only the activations: no held-out evaluation
        out = _result(torch.full((M,), math.nan), train_loss, history, params)
        out.probe_shape = list(probe_tokens.shape)
        return out
    with torch.no_grad():
        ev = windows(corpus, eval_at, s.context).to(device)
        eval_loss = torch.stack([eval_fn(params, ev[i : i + 32]) for i in range(0, ev.shape[0], 32)], 1).mean(1)
    return _result(eval_loss, train_loss, history, params)


def _transformer_acts(template: ProbedTransformer, p: Params, tokens: Tensor) -> list[Tensor]:
    """The activations :data:`TRANSFORMER_LAYERS` of one model (parameters ``p``) on ``tokens``."""
    acts: list[Tensor] = torch.func.functional_call(template, p, (tokens[:, :-1],), {"probe": True})
    return acts
