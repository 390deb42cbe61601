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
from skeptic.studies.mup.data import Corpus, mlp_examples
from skeptic.studies.mup.param import Optimizer, Parametrization

HAVE_MUP = importlib.util.find_spec("mup") is not None


class _HandReadout(nn.Linear):
    """``mup.MuReadout`` written out: ``f = (x / m) Wᵀ`` (used only when ``mup`` is not installed)."""

    def __init__(self, width: int, vocab: int, m: float) -> None:
        super().__init__(width, vocab, bias=False)
        self.m = m

    def forward(self, x: Tensor) -> Tensor:
        return super().forward(x / self.m)


class RefMLP(nn.Module):
    """The MLP of :mod:`skeptic.studies.mup.nets` as plain ``nn.Linear`` layers (weights ``[out, in]``)."""

    def __init__(self, width: int, k: int, vocab: int, readout: nn.Linear) -> None:
        super().__init__()
        self.k, self.vocab = k, vocab
        self.U = nn.Linear(k * vocab, width, bias=False)
        self.W = nn.Linear(width, width, bias=False)
        self.V = readout

    def forward(self, context: Tensor) -> list[Tensor]:
        x = F.one_hot(context + self.vocab * torch.arange(self.k), self.k * self.vocab).sum(1).float()
        h1 = self.U(x)
        h2 = self.W(torch.relu(h1))
        return [h1, h2, self.V(torch.relu(h2))]


def _build(width: int, base_width: int, k: int, vocab: int, use_mup: bool) -> RefMLP:
    if use_mup:
        from mup import MuReadout

        return RefMLP(width, k, vocab, MuReadout(width, vocab, bias=False))
    return RefMLP(width, k, vocab, _HandReadout(width, vocab, width / base_width))


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
) -> tuple[RefMLP, torch.optim.Optimizer]:
    """The MLP and its optimizer written the reference way, from Skeptic's unit-normal draws of ``seed``.

    SP: plain ``nn.Linear`` layers initialized 1/√fan_in (the input layer input_std/√k) and PyTorch's own
    ``torch.optim.SGD``/``Adam`` at the base rate ``lr``. μP: the same draws with ``mup``'s ``MuReadout``, base shapes
    and ``MuSGD``/``MuAdam`` (or their multiplier form written out by hand when ``mup`` is absent).
    """
    z = nets.unit_draws(nets.mlp_tensors(width, k, vocab), seed, width)
    mu = param == "mup"
    model = (
        _build(width, base_width, k, vocab, use_mup)
        if mu
        else RefMLP(width, k, vocab, nn.Linear(width, vocab, bias=False))
    )
    with torch.no_grad():  # "SP" init 1/√fan_in (the input layer: input_std/√k); mup rescales the readout itself
        model.U.weight.copy_((z["U"] * input_std / k**0.5).T)
        model.W.weight.copy_((z["W"] / width**0.5).T)
        model.V.weight.copy_((z["V"] / width**0.5).T)
    m = width / base_width
    opt: torch.optim.Optimizer
    if not mu:
        opt = (
            torch.optim.SGD(model.parameters(), lr=lr)
            if optimizer == "sgd"
            else torch.optim.Adam(model.parameters(), lr=lr)
        )
    elif use_mup:
        from mup import MuAdam, MuSGD, set_base_shapes

        set_base_shapes(model, _build(base_width, base_width, k, vocab, True))
        opt = MuSGD(model.parameters(), lr=lr) if optimizer == "sgd" else MuAdam(model.parameters(), lr=lr)
    else:
        with torch.no_grad():
            model.V.weight.mul_(m**0.5)
        vector, matrix = [model.U.weight, model.V.weight], [model.W.weight]
        if optimizer == "sgd":
            opt = torch.optim.SGD([{"params": vector, "lr": lr * m}, {"params": matrix, "lr": lr}])
        else:
            opt = torch.optim.Adam([{"params": vector, "lr": lr}, {"params": matrix, "lr": lr / m}])
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
) -> dict[str, Any]:
    """RMS of h₁, h₂, f and of their change from step 0 on the first training batch, at steps 0…T (one seed)."""
    lr = 2.0**log2_lr
    model, opt = reference_model(
        width, base_width, k, corpus.vocab_size, optimizer, lr, seed, input_std, "mup", use_mup
    )
    sweep = nets.Sweep("mlp", width, base_width, "mup", optimizer, (lr,), (seed,), steps, batch_size, k)

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
        "reference": _reference_name(use_mup),
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
) -> float:
    """One (width, parametrization, learning rate, seed) cell of an MLP learning-rate sweep trained alone, the
    reference way (:func:`reference_model`), on the same batches; its mean held-out cross-entropy on ``eval_at``."""
    lr = 2.0**log2_lr
    model, opt = reference_model(
        width, base_width, k, corpus.vocab_size, optimizer, lr, seed, input_std, param, use_mup
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
