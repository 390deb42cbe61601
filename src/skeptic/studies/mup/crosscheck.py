"""An independent μP: the same MLP built with Microsoft's ``mup`` package, trained model by model.

``mup`` implements μP in a different but equivalent form (TP5 §J, the abc-parametrization symmetry): the readout is a
``MuReadout`` that divides its input by the width multiplier m and is initialized √m times larger, and the optimizers
``MuSGD``/``MuAdam`` rescale learning rates by each tensor's ``infshape`` (vector-like: SGD × m; matrix-like: Adam
÷ m). Started from the same unit-normal draws and fed the same batches, it must produce the same activations as
Skeptic's Table-3 form up to float rounding: any slip in either (an init, a learning-rate multiplier, the base width)
shows up as a disagreement. Without ``mup`` installed (``pip install --no-deps mup``) the same multiplier form is
written out here by hand, and the record says which reference ran.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812 (the PyTorch convention)
from torch import Tensor, nn

from skeptic.studies.mup import nets
from skeptic.studies.mup.data import Corpus, mlp_examples, windows
from skeptic.studies.mup.param import Optimizer, Parametrization

HAVE_MUP = importlib.util.find_spec("mup") is not None

ADAM_EPS = 1e-8
"""Adam's ε, the study's (:class:`nets.BatchedOptimizer`) and PyTorch's default. In the multiplier form the readout
stores W = √m·W_eff and computes (x/m)Wᵀ, so its gradient is 1/m of the effective weight's and √v̂ is 1/m as large:
Adam's update of the effective weight then carries ε·m where Table 3's form carries ε (the two forms are the same
optimizer only with ε rescaled along with the weight). The reference gives the readout's group ε/m so that both forms
are the same arithmetic. Found in session 16 (issue 33): without it, at ``audit`` seed 1 with 240 MLP steps, the sweep
cell mlp/adam/μP/128 at 2^-6 and its reference differed by 4.5e-3 (relative) in float64 as in float32 (0.5e-5 to 2.7e-2
over the grid's seven rates), and by 2e-16 with it."""


class _HandReadout(nn.Linear):
    """``mup.MuReadout`` written out: ``f = (x / m) Wᵀ`` (used only when ``mup`` is not installed)."""

    def __init__(self, width: int, vocab: int, m: float) -> None:
        super().__init__(width, vocab, bias=False)
        self.m = m

    def forward(self, x: Tensor) -> Tensor:
        return super().forward(x / self.m)


class RefMLP(nn.Module):
    """The MLP of :mod:`skeptic.studies.mup.nets` as plain ``nn.Linear`` layers (weights ``[out, in]``); with
    ``linear=True`` no ReLU between them (the deep linear network)."""

    def __init__(self, width: int, k: int, vocab: int, readout: nn.Linear, linear: bool = False) -> None:
        super().__init__()
        self.k, self.vocab, self.linear = k, vocab, linear
        self.U = nn.Linear(k * vocab, width, bias=False)
        self.W = nn.Linear(width, width, bias=False)
        self.V = readout

    def forward(self, context: Tensor) -> list[Tensor]:
        x = F.one_hot(context + self.vocab * torch.arange(self.k), self.k * self.vocab).sum(1).to(self.U.weight.dtype)
        phi = nn.Identity() if self.linear else nn.ReLU()
        h1 = self.U(x)
        h2 = self.W(phi(h1))
        return [h1, h2, self.V(phi(h2))]


def _build(width: int, base_width: int, k: int, vocab: int, use_mup: bool, linear: bool = False) -> RefMLP:
    if use_mup:
        from mup import MuReadout

        return RefMLP(width, k, vocab, MuReadout(width, vocab, bias=False), linear)
    return RefMLP(width, k, vocab, _HandReadout(width, vocab, width / base_width), linear)


def reference_model(
    width: int,
    base_width: int,
    k: int,
    vocab: int,
    optimizer: Optimizer,
    lr: float,
    seed: int,
    input_std: float,
    param: Parametrization = "mup",
    use_mup: bool = HAVE_MUP,
    lr_param: Parametrization | None = None,
    linear: bool = False,
) -> tuple[RefMLP, torch.optim.Optimizer]:
    """The MLP and its optimizer written the reference way, from Skeptic's unit-normal draws of ``seed``.

    SP: plain ``nn.Linear`` layers initialized 1/√fan_in (the input layer input_std/√k) and PyTorch's own
    ``torch.optim.SGD``/``Adam`` at the base rate ``lr``. μP: the same draws with ``mup``'s ``MuReadout``, base shapes
    and ``MuSGD``/``MuAdam`` (or their multiplier form written out by hand when ``mup`` is absent). ``lr_param``
    (the study's ``swapped`` contrast: one parametrization's initialization with the other's learning rates): TP5
    Table 3 written out here, plain layers with the readout drawn 1/√n (SP) or 1/(√n·√m) (μP) and per-layer rates
    of ``lr_param`` (SP: η everywhere; μP SGD: input η·m, hidden η, readout η/m; μP Adam: input η, hidden and
    readout η/m).
    """
    z = nets.unit_draws(nets.mlp_tensors(width, k, vocab), seed, width)
    m = width / base_width
    opt: torch.optim.Optimizer
    if lr_param is not None and lr_param != param:
        model = RefMLP(width, k, vocab, nn.Linear(width, vocab, bias=False), linear)
        readout_std = (width * (m if param == "mup" else 1.0)) ** -0.5
        with torch.no_grad():
            model.U.weight.copy_((z["U"] * input_std / k**0.5).T)
            model.W.weight.copy_((z["W"] / width**0.5).T)
            model.V.weight.copy_((z["V"] * readout_std).T)
        rates = (1.0, 1.0, 1.0) if lr_param == "sp" else (m, 1.0, 1 / m) if optimizer == "sgd" else (1.0, 1 / m, 1 / m)
        groups = [
            {"params": [w], "lr": lr * r}
            for w, r in zip((model.U.weight, model.W.weight, model.V.weight), rates, strict=True)
        ]
        opt = torch.optim.SGD(groups, lr=lr) if optimizer == "sgd" else torch.optim.Adam(groups, lr=lr)
        return model, opt
    mu = param == "mup"
    model = (
        _build(width, base_width, k, vocab, use_mup, linear)
        if mu
        else RefMLP(width, k, vocab, nn.Linear(width, vocab, bias=False), linear)
    )
    with torch.no_grad():  # "SP" init 1/√fan_in (the input layer: input_std/√k); mup rescales the readout itself
        model.U.weight.copy_((z["U"] * input_std / k**0.5).T)
        model.W.weight.copy_((z["W"] / width**0.5).T)
        model.V.weight.copy_((z["V"] / width**0.5).T)
    if not mu:
        opt = (
            torch.optim.SGD(model.parameters(), lr=lr)
            if optimizer == "sgd"
            else torch.optim.Adam(model.parameters(), lr=lr)
        )
    elif use_mup:
        from mup import MuAdam, MuSGD, set_base_shapes

        set_base_shapes(model, _build(base_width, base_width, k, vocab, True, linear))
        groups = [{"params": [model.U.weight, model.W.weight]}, {"params": [model.V.weight], "eps": ADAM_EPS / m}]
        opt = MuSGD(model.parameters(), lr=lr) if optimizer == "sgd" else MuAdam(groups, lr=lr, eps=ADAM_EPS)
    else:
        with torch.no_grad():
            model.V.weight.mul_(m**0.5)
        vector, matrix = [model.U.weight, model.V.weight], [model.W.weight]
        if optimizer == "sgd":
            opt = torch.optim.SGD([{"params": vector, "lr": lr * m}, {"params": matrix, "lr": lr}])
        else:
            opt = torch.optim.Adam(
                [{"params": [model.U.weight], "lr": lr}, {"params": [model.V.weight], "lr": lr, "eps": ADAM_EPS / m},
                 {"params": matrix, "lr": lr / m}], eps=ADAM_EPS,
            )  # fmt: skip
    return model, opt


def _reference_name(use_mup: bool) -> str:
    return "Microsoft mup " + _mup_version() if use_mup else "hand-written multiplier form (mup absent)"


def reference_coord_check(
    corpus: Corpus,
    optimizer: Optimizer,
    width: int,
    base_width: int,
    log2_lr: float,
    seed: int,
    steps: int,
    batch_size: int,
    k: int,
    input_std: float,
    use_mup: bool = HAVE_MUP,
    param: Parametrization = "mup",
) -> dict[str, Any]:
    """RMS of h₁, h₂, f and of their change from step 0 on the first training batch, at steps 0…T (one seed)."""
    lr = 2.0**log2_lr
    model, opt = reference_model(
        width, base_width, k, corpus.vocab_size, optimizer, lr, seed, input_std, param, use_mup
    )
    sweep = nets.Sweep("mlp", width, base_width, param, optimizer, (lr,), (seed,), steps, batch_size, k)

    def batch(step: int) -> tuple[Tensor, Tensor]:
        return mlp_examples(corpus, nets.batch_starts(corpus, sweep, [seed], step)[0], k)

    probe, _ = batch(0)
    first: list[Tensor] = []
    sizes, deltas = [], []
    for step in range(steps + 1):
        with torch.no_grad():
            acts = model(probe)
        first = first or acts
        sizes.append([float(a.pow(2).mean().sqrt()) for a in acts])
        deltas.append([float((a - a0).pow(2).mean().sqrt()) for a, a0 in zip(acts, first, strict=True)])
        if step == steps:
            break
        x, y = batch(step)
        opt.zero_grad()
        F.cross_entropy(model(x)[-1], y).backward()  # type: ignore[no-untyped-call]
        opt.step()
    return {
        "reference": _reference_name(use_mup) if param == "mup" else "nn.Linear and torch.optim (SP)",
        "param": param,
        "optimizer": optimizer,
        "width": width,
        "seed": seed,
        "sizes": sizes,
        "deltas": deltas,
    }


def reference_sweep_cell(
    corpus: Corpus,
    optimizer: Optimizer,
    param: Parametrization,
    width: int,
    base_width: int,
    log2_lr: float,
    seed: int,
    steps: int,
    batch_size: int,
    k: int,
    eval_at: Tensor,
    input_std: float = 1.0,
    use_mup: bool = HAVE_MUP,
    lr_param: Parametrization | None = None,
    linear: bool = False,
) -> float:
    """One (width, parametrization, learning rate, seed) cell of an MLP learning-rate sweep (``linear``: of the deep
    linear network's) trained alone, the reference way (:func:`reference_model`), on the same batches; its mean
    held-out cross-entropy on ``eval_at`` (NaN where training diverged)."""
    lr = 2.0**log2_lr
    model, opt = reference_model(
        width, base_width, k, corpus.vocab_size, optimizer, lr, seed, input_std, param, use_mup, lr_param, linear
    )
    sweep = nets.Sweep("mlp", width, base_width, param, optimizer, (lr,), (seed,), steps, batch_size, k)
    for step in range(steps):
        x, y = mlp_examples(corpus, nets.batch_starts(corpus, sweep, [seed], step)[0], k)
        opt.zero_grad()
        F.cross_entropy(model(x)[-1], y).backward()  # type: ignore[no-untyped-call]
        opt.step()
    with torch.no_grad():
        x, y = mlp_examples(corpus, eval_at, k)
        return float(F.cross_entropy(model(x)[-1], y))


def reference_lr_rules(
    width: int, base_width: int, vocab: int, context: int, n_layers: int, n_heads: int
) -> list[dict[str, Any]]:
    """Per weight tensor of the transformer (readout excepted) and both optimizers: Microsoft mup's learning-rate
    multiplier, read off the parameter groups ``MuSGD``/``MuAdam`` build at base rate 1 after ``set_base_shapes``
    (the readout's μP lives in ``MuReadout``'s forward, not in its group, so it is checked by the MLP cross-check
    instead). Empty when mup is not installed."""
    if not HAVE_MUP:
        return []
    from mup import MuAdam, MuSGD, set_base_shapes

    from skeptic.models import TinyTransformer, TransformerShape

    def build(d: int) -> TinyTransformer:
        return TinyTransformer(TransformerShape(vocab_size=vocab, context=context, d_model=d, n_layers=n_layers,
                                                n_heads=n_heads, tied_embeddings=False))  # fmt: skip

    model = build(width)
    set_base_shapes(model, build(base_width), do_assert=False)  # the readout is excluded below
    out = []
    for opt_name, make in (("sgd", MuSGD), ("adam", MuAdam)):
        opt = make(model.parameters(), lr=1.0)
        lr_of = {id(p): g["lr"] for g in opt.param_groups for p in g["params"]}
        for name, p in model.named_parameters():
            if name != "unembedding.weight":
                out.append({"optimizer": opt_name, "tensor": name, "mup": float(lr_of[id(p)])})
    return out


def _mup_version() -> str:
    from importlib.metadata import version

    return version("mup")


def reference_transformer_cell(
    corpus: Corpus,
    param: Parametrization,
    width: int,
    base_width: int,
    log2_lr: float,
    seed: int,
    steps: int,
    batch_size: int,
    context: int,
    n_layers: int,
    eval_at: Tensor,
    n_heads: int = 4,
    use_mup: bool = HAVE_MUP,
    lr_param: Parametrization | None = None,
) -> float:
    """One cell of the transformer's Adam sweep trained alone the reference way: the library's
    :class:`~skeptic.models.TinyTransformer` with its own attention (SP 1/√d_head; μP √d₀/d_head), Skeptic's
    unit-normal draws scaled here from TP5 Table 3 (embeddings 1, matrices 1/√fan_in, readout SP 1/√n and μP
    1/(√n·√m), biases 0, LayerNorm gains 1), and PyTorch's Adam with mup's ``MuAdam`` groups under μP (the readout,
    whose μP mup keeps in ``MuReadout``, in its own group at η/m). Its mean held-out cross-entropy on ``eval_at``."""
    from skeptic.models import TinyTransformer, TransformerShape

    lr, m = 2.0**log2_lr, width / base_width
    d_head, d0 = width // n_heads, base_width // n_heads
    scale = 1 / d_head**0.5 if param == "sp" else d0**0.5 / d_head

    def build(d: int, attention: float | None) -> TinyTransformer:
        shape = TransformerShape(vocab_size=corpus.vocab_size, context=context, d_model=d, n_layers=n_layers,
                                 n_heads=n_heads, tied_embeddings=False, attention_scale=attention)  # fmt: skip
        return TinyTransformer(shape)

    model = build(width, scale)
    names = dict(model.named_parameters())
    shape_for_draws = nets.transformer_shape(width, base_width, corpus.vocab_size, context, n_layers, n_heads, param)
    z = nets.unit_draws(nets.transformer_tensors(shape_for_draws), seed, width)
    with torch.no_grad():
        for name, p in names.items():
            if name == "unembedding.weight":
                p.copy_(z[name] / (width * (m if param == "mup" else 1.0)) ** 0.5)
            elif name.endswith("embedding.weight"):
                p.copy_(z[name])
            elif p.dim() == 2:
                p.copy_(z[name] / p.shape[1] ** 0.5)
            else:
                p.fill_(1.0 if name.endswith("weight") else 0.0)  # LayerNorm gains 1; biases and LN shifts 0
    readout = [names["unembedding.weight"]]
    rest = [p for n, p in names.items() if n != "unembedding.weight"]
    opt: torch.optim.Optimizer
    rule = lr_param or param  # whose learning rates (the swapped contrast: the other parametrization's)
    if rule == "sp":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    elif use_mup and rule == param:
        from mup import MuAdam, set_base_shapes

        set_base_shapes(model, build(base_width, None), rescale_params=False, do_assert=False)
        opt = MuAdam([{"params": rest}, {"params": readout, "lr": lr / m}], lr=lr)
    else:
        matrices = [p for n, p in names.items() if n != "unembedding.weight" and p.dim() == 2 and "embedding" not in n]
        vectors = [
            p for n, p in names.items() if n != "unembedding.weight" and not (p.dim() == 2 and "embedding" not in n)
        ]
        opt = torch.optim.Adam(
            [{"params": vectors, "lr": lr}, {"params": matrices, "lr": lr / m}, {"params": readout, "lr": lr / m}]
        )
    sweep = nets.Sweep("transformer", width, base_width, param, "adam", (lr,), (seed,), steps, batch_size, context)
    for step in range(steps):
        tokens = windows(corpus, nets.batch_starts(corpus, sweep, [seed], step)[0], context)
        logits = model(tokens[:, :-1])
        opt.zero_grad()
        F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1)).backward()  # type: ignore[no-untyped-call]
        opt.step()
    with torch.no_grad():
        ev = windows(corpus, eval_at, context)
        logits = model(ev[:, :-1])
        return float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ev[:, 1:].reshape(-1)))


def reference_transformer_acts(
    corpus: Corpus,
    param: Parametrization,
    width: int,
    base_width: int,
    seed: int,
    context: int,
    n_layers: int,
    starts: Tensor,
    n_heads: int = 4,
) -> dict[str, Any]:
    """The transformer coordinate check's five activations of one model, computed twice on the same tokens: by the
    study's probed forward (:class:`nets.ProbedTransformer`) and by forward hooks on the library's
    :class:`~skeptic.models.TinyTransformer` (embedding sum, the last block's q·k logits rebuilt from its ``qkv``
    output with the attention scale of TP5 §4, its ``attn_out`` and ``mlp_out`` outputs, and the logits). The
    parameters are the study's initialization plus N(0, 0.1²) on every entry, so that biases and LayerNorm shifts
    are not zero. Returns the relative gap of each activation."""
    from skeptic.models import TinyTransformer, TransformerShape
    from skeptic.models.transformer import Block

    V = corpus.vocab_size
    shape = nets.transformer_shape(width, base_width, V, context, n_layers, n_heads, param)
    p = {
        k: v[0]
        for k, v in nets.init_params(nets.transformer_tensors(shape), [seed], width, base_width, param, 1.0).items()
    }
    g = torch.Generator().manual_seed(nets._named_seed(seed, "acts-check", width))
    p = {k: v + 0.1 * torch.randn(v.shape, generator=g) for k, v in p.items()}
    full = windows(corpus, starts, context)
    tokens = full[:, :-1]  # what the model reads (the study's helper drops the last token itself)
    with torch.no_grad():
        ours = nets._transformer_acts(nets.ProbedTransformer(shape), p, full)
    d_head, d0 = width // n_heads, base_width // n_heads
    scale = 1 / d_head**0.5 if param == "sp" else d0**0.5 / d_head
    ref = TinyTransformer(TransformerShape(vocab_size=V, context=context, d_model=width, n_layers=n_layers,
                                           n_heads=n_heads, tied_embeddings=False, attention_scale=scale))  # fmt: skip
    ref.load_state_dict(p)
    seen: dict[str, Tensor] = {}
    last = ref.blocks[-1]
    assert isinstance(last, Block)
    hooks = [
        mod.register_forward_hook(lambda _m, _i, out, key=key: seen.__setitem__(key, out))
        for key, mod in (("tok", ref.token_embedding), ("pos", ref.position_embedding), ("qkv", last.qkv),
                         ("attn", last.attn_out), ("mlp", last.mlp_out))
    ]  # fmt: skip
    with torch.no_grad():
        logits = ref(tokens)
    for h in hooks:
        h.remove()
    b, t = tokens.shape
    q, k, _ = torch.split(seen["qkv"], width, dim=-1)
    q, k = (z.view(b, t, n_heads, d_head).transpose(1, 2) for z in (q, k))
    scores = (q @ k.transpose(-2, -1)) * scale
    scores = scores.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), 0.0)
    want = [seen["tok"] + seen["pos"], scores, seen["attn"], seen["mlp"], logits]
    gaps = [float((a - w).abs().max() / (w.abs().max() + 1e-12)) for a, w in zip(ours, want, strict=True)]
    return {"param": param, "width": width, "gaps": gaps}
