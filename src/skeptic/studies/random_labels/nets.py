"""Many small networks trained as one batched computation.

The weights of ``M`` models are stacked along a leading model axis (``W [M, d_in, d_out]``) and the forward pass
is written with ``torch.baddbmm`` (MLPs) or a grouped convolution with ``groups=M`` (the small CNN), so all
conditions and seeds take one step together. Every model has its own training set (inputs from a shared pool,
its own labels), its own initialization seed and minibatch order, and its own regularizers (weight decay, dropout,
random-shift augmentation). Because the loss is the *sum* of the models' mean losses, the gradient with respect to
model ``m``'s weights is exactly model ``m``'s own gradient; the SGD-with-momentum update is elementwise, so the
batched trainer follows the same trajectory as training each model alone (checked in the tests). MLPs are
differentiated by hand-written backprop (:func:`mlp_gradients`, checked against autograd), which on a CPU is ~1.3x
faster per step than autograd through :func:`forward`; the CNN goes through autograd.

Optimizer (Zhang et al. 2017, Appendix A): SGD with momentum 0.9 and a learning rate decayed by a factor 0.95 per
epoch; the initial rate is 0.1 for Inception (which has batch normalization) and 0.01 for the small AlexNet and the
MLPs (no normalization), so the CNN here, which has no normalization either, uses 0.01. Our sets are ~50x smaller
than CIFAR-10, so "epoch" in the decay schedule means the paper's epoch length in steps (``decay_every``, default
50000/128 ≈ 391 steps); decaying per epoch of a 1000-image set would shrink the learning
rate 50x faster than in the paper and stall the random-label runs for that reason alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F  # noqa: N812 (the universal alias)
from torch.optim.sgd import sgd

from skeptic.studies.random_labels import trainrecord
from skeptic.study import keep_freed_memory

Params = dict[str, Tensor]


@dataclass(frozen=True)
class Arch:
    """A network family. ``mlp``: ``hidden`` ReLU layers; ``cnn``: two conv-ReLU-maxpool blocks and a linear layer."""

    kind: Literal["mlp", "cnn"]
    in_shape: tuple[int, int, int]
    n_classes: int
    hidden: tuple[int, ...] = (512,)
    channels: tuple[int, int] = (16, 32)

    @property
    def d_in(self) -> int:
        return math.prod(self.in_shape)

    def conv_geometry(self) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
        """Kernel, padding and pooling sizes; 1-D inputs (``H = 1``) use ``1x3`` kernels and ``1x2`` pooling."""
        if self.in_shape[1] == 1:
            return (1, 3), (0, 1), (1, 2)
        return (3, 3), (1, 1), (2, 2)

    def flat_features(self) -> int:
        _, _, (qh, qw) = self.conv_geometry()
        h, w = self.in_shape[1] // qh // qh, self.in_shape[2] // qw // qw  # two 'same' convs, two poolings
        return self.channels[1] * h * w


def arch_from_name(
    name: str,
    in_shape: tuple[int, int, int],
    n_classes: int,
    width: int = 512,
    channels: tuple[int, int] = (16, 32),
) -> Arch:
    """``mlp1x512``, ``mlp3x512`` (Zhang et al.'s MLPs, hidden ``width`` 512 unless overridden) or ``cnn`` (a small
    CNN standing in for their Inception and AlexNet, with ``channels`` in its two convolutions)."""
    if name == "mlp1x512":
        return Arch("mlp", in_shape, n_classes, (width,))
    if name == "mlp3x512":
        return Arch("mlp", in_shape, n_classes, (width, width, width))
    if name == "cnn":
        return Arch("cnn", in_shape, n_classes, channels=channels)
    raise ValueError(f"unknown model {name!r}")


def param_shapes(arch: Arch) -> dict[str, tuple[int, ...]]:
    """Per-model parameter shapes in forward order (linear weights stored ``[d_in, d_out]``)."""
    if arch.kind == "mlp":
        dims = [arch.d_in, *arch.hidden, arch.n_classes]
        shapes: dict[str, tuple[int, ...]] = {}
        for i in range(len(dims) - 1):
            shapes[f"W{i + 1}"] = (dims[i], dims[i + 1])
            shapes[f"b{i + 1}"] = (dims[i + 1],)
        return shapes
    (kh, kw), _, _ = arch.conv_geometry()
    c0, (c1, c2) = arch.in_shape[0], arch.channels
    return {
        "K1": (c1, c0, kh, kw),
        "b1": (c1,),
        "K2": (c2, c1, kh, kw),
        "b2": (c2,),
        "W3": (arch.flat_features(), arch.n_classes),
        "b3": (arch.n_classes,),
    }


def init_params(arch: Arch, seeds: list[int]) -> Params:
    """PyTorch's default initialization, U(-1/√fan_in, 1/√fan_in) for weights and biases, one generator per seed.

    A model's initialization depends only on its own seed, so the same seed gives the same network in every
    condition (paired comparisons) and in the per-model reference trainer.
    """
    shapes = param_shapes(arch)
    out: dict[str, list[Tensor]] = {k: [] for k in shapes}
    for s in seeds:
        g = torch.Generator().manual_seed(int(s))
        fan_in = 0
        for name, shape in shapes.items():
            if name[0] in "WK":
                fan_in = shape[0] if name[0] == "W" else math.prod(shape[1:])
            bound = 1.0 / math.sqrt(fan_in)
            out[name].append((torch.rand(shape, generator=g) * 2 - 1) * bound)
    return {k: torch.stack(v) for k, v in out.items()}


def forward(
    arch: Arch,
    params: Params,
    x: Tensor,
    dropout: Tensor | None = None,
    gen: torch.Generator | None = None,
    record: Tensor | None = None,
) -> Tensor:
    """Logits ``[M, B, K]`` of ``M`` stacked models on inputs ``x [M, B, d]``.

    ``dropout [M]`` gives each model its own rate on the last hidden representation(s) (inverted dropout);
    ``None`` means evaluation mode. ``record [M, 4]``, when given, accumulates what the masks did
    (:func:`trainrecord.note_dropout`).
    """
    M, B, _ = x.shape

    rows = None if dropout is None else torch.nonzero(dropout > 0).squeeze(1)
    dropping = rows is not None and rows.numel() > 0

    def linear(h: Tensor, i: str, drop_input: bool) -> Tensor:
        """``b + h W`` for every model; with ``drop_input``, the models in ``rows`` see their input through dropout.

        Only those models' rows are masked and recomputed (one small ``baddbmm``) and copied over the full result,
        instead of masking the whole stack: random numbers, the mask and its backward cost only the dropout models.
        """
        b, W = params[f"b{i}"].unsqueeze(1), params[f"W{i}"]
        out = torch.baddbmm(b, h, W)
        if not (drop_input and dropping):
            return out
        assert rows is not None and dropout is not None
        keep = (1 - dropout[rows]).view(-1, *([1] * (h.dim() - 1)))
        draw = torch.rand((rows.numel(), *h.shape[1:]), generator=gen).to(h.device)
        mask = (draw < keep).to(h.dtype) / keep
        masked = h[rows] * mask
        if record is not None:
            k = trainrecord.DROPOUT_EXAMPLES
            trainrecord.note_dropout(record, rows, h[rows, :k], masked[:, :k])
        return out.index_copy(0, rows, torch.baddbmm(b[rows], masked, W[rows]))

    if arch.kind == "mlp":
        h = x
        n_layers = len(arch.hidden) + 1
        for i in range(1, n_layers):
            h = torch.relu_(linear(h, str(i), drop_input=i > 1))  # in place: baddbmm's backward needs not its output
        return linear(h, str(n_layers), drop_input=True)

    c0, H, W = arch.in_shape
    _, pad, pool = arch.conv_geometry()
    # channels-last: oneDNN's grouped convolution is ~20% faster in that layout on the CPU (same numbers)
    z = x.view(M, B, c0, H, W).permute(1, 0, 2, 3, 4).reshape(B, M * c0, H, W)
    z = z.contiguous(memory_format=torch.channels_last)
    for k in ("1", "2"):
        K = params[f"K{k}"]
        K = K.reshape(-1, *K.shape[2:]).contiguous(memory_format=torch.channels_last)
        z = F.conv2d(z, K, params[f"b{k}"].reshape(-1), padding=pad, groups=M)
        # maxpool(relu(z)) = relu(maxpool(z)) (relu is monotone; same values and gradients): the relu and its backward
        # then run on the pooled tensor, a quarter of the size
        z = F.max_pool2d(z, pool).relu_()
    h = z.reshape(B, M, -1).permute(1, 0, 2)
    return linear(h, "3", drop_input=True)


def batched_loss(logits: Tensor, y: Tensor) -> Tensor:
    """Per-model mean cross-entropy ``[M]`` for logits ``[M, B, K]`` and labels ``[M, B]``: mean over the batch of
    log Σ_k exp(z_k) − z_y.

    Written as ``logsumexp`` minus a gather rather than ``F.cross_entropy``: the same function, but 2.6x faster
    forward and backward on ten classes (0.23 vs 0.61 ms for 42 models x 128 examples, 2 threads).
    """
    picked = logits.gather(-1, y.unsqueeze(-1)).squeeze(-1)
    return (torch.logsumexp(logits, -1) - picked).mean(1)


def mlp_training_layout(params: Params) -> Params:
    """An MLP's parameters as the batched trainer updates them: the first layer's weights and bias stacked into one
    tensor ``Wb1 = [W1; b1]`` of shape ``[M, d_in + 1, d_1]`` (the inputs carry a trailing column of ones), the other
    layers unchanged. ``x W1 + b1 = [x, 1] Wb1``: the bias then costs nothing in the first layer's product and its
    gradient comes out of the weight gradient's (see :func:`mlp_gradients`). A copy."""
    out = {"Wb1": torch.cat([params["W1"], params["b1"].unsqueeze(1)], 1)}
    out.update({k: v.clone() for k, v in params.items() if k not in ("W1", "b1")})
    return out


def mlp_standard_layout(train: Params) -> Params:
    """The inverse of :func:`mlp_training_layout`, as views of ``train`` (no copy), keys in forward order."""
    Wb1 = train["Wb1"]
    out = {"W1": Wb1[:, :-1], "b1": Wb1[:, -1]}
    out.update({k: v for k, v in train.items() if k != "Wb1"})
    return out


def with_ones_column(x: Tensor) -> Tensor:
    """``[x, 1]``: inputs for the stacked first layer of :func:`mlp_training_layout`."""
    return torch.cat([x, x.new_ones((*x.shape[:-1], 1))], -1)


@torch.no_grad()
def mlp_gradients(
    arch: Arch,
    train: Params,
    x1: Tensor,
    y: Tensor,
    dropout: Tensor | None = None,
    gen: torch.Generator | None = None,
    record: Tensor | None = None,
) -> Params:
    """Gradients of Σ_m (model m's mean cross-entropy) with respect to an MLP's parameters, by hand-written backprop.

    ``train``: the parameters in :func:`mlp_training_layout` (``Wb1``, ``W2``, ``b2``, ...); ``x1 [M, B, d_in + 1]``:
    the inputs with a column of ones (:func:`with_ones_column`). The same function and the same dropout stream as
    :func:`forward` + :func:`batched_loss` + autograd (a unit test checks it against them), written out so that a
    step allocates and touches as little memory as possible, which is where the batched MLP's time goes on a CPU.
    With ``h_0 = x``, ``a_i = b_i + D_i(h_{i-1}) W_i``, ``h_i = relu(a_i)`` (``D_i``: inverted dropout on the models
    that have it, none on the input layer) and ``z = a_L``, per model and example (B examples):

        ∂/∂z = (softmax(z) − onehot(y)) / B,   ∂W_i = D_i(h_{i-1})ᵀ ∂a_i,   ∂b_i = Σ_examples ∂a_i,
        ∂a_{i−1} = 1[h_{i−1} > 0] · D_i(∂a_i W_iᵀ),

    and for the first layer ``∂Wb1 = [x, 1]ᵀ ∂a_1`` (its last row is ``∂b_1``). The logits are computed transposed,
    ``[M, K, B]``: a softmax over ten classes along a contiguous axis of ten is ~20x slower on the CPU than along
    the batch axis. The ReLU's backward runs in place on the incoming gradient. ``record`` as in :func:`forward`.
    """
    M, B, _ = x1.shape
    rows = torch.zeros(0, dtype=torch.long) if dropout is None else torch.nonzero(dropout > 0).squeeze(1)
    n_layers = len(arch.hidden) + 1
    inputs: list[Tensor] = [x1]  # h_{i-1}, the input of layer i
    dropped: list[tuple[Tensor, Tensor] | None] = [None]  # (mask, masked input) of the dropout models, per layer
    h = torch.bmm(x1, train["Wb1"]).relu_()
    for i in range(2, n_layers + 1):
        W, b = train[f"W{i}"], train[f"b{i}"]
        drop: tuple[Tensor, Tensor] | None = None
        if rows.numel() > 0:
            assert dropout is not None
            keep = (1 - dropout[rows]).view(-1, 1, 1)
            draw = torch.rand((rows.numel(), *h.shape[1:]), generator=gen).to(h.device)
            mask = (draw < keep).to(h.dtype) / keep
            drop = (mask, h[rows] * mask)
            if record is not None:
                k = trainrecord.DROPOUT_EXAMPLES
                trainrecord.note_dropout(record, rows, h[rows, :k], drop[1][:, :k])
        inputs.append(h)
        dropped.append(drop)
        if i < n_layers:
            a = torch.baddbmm(b.unsqueeze(1), h, W)
            if drop is not None:
                a.index_copy_(0, rows, torch.baddbmm(b[rows].unsqueeze(1), drop[1], W[rows]))
            h = a.relu_()
    # the logits transposed, zᵀ = W_Lᵀ hᵀ + b_L  [M, K, B]
    Wt = train[f"W{n_layers}"].transpose(1, 2).contiguous()
    bt = train[f"b{n_layers}"].unsqueeze(2)
    zt = torch.baddbmm(bt, Wt, h.transpose(1, 2))
    last = dropped[-1]
    if last is not None:
        zt.index_copy_(0, rows, torch.baddbmm(bt[rows], Wt[rows], last[1].transpose(1, 2)))
    grad_zt = torch.softmax(zt, 1)
    grad_zt.scatter_add_(1, y.unsqueeze(1), torch.full((M, 1, B), -1.0, device=x1.device))
    grad_zt.mul_(1.0 / B)
    grads: Params = {}
    grad_a = grad_zt.transpose(1, 2)  # [M, B, K]
    for i in range(n_layers, 1, -1):
        W, inp, drop = train[f"W{i}"], inputs[i - 1], dropped[i - 1]
        if i == n_layers:
            gW = torch.bmm(grad_zt, inp).transpose(1, 2).contiguous()  # (∂zᵀ h)ᵀ: the cheaper product
            if drop is not None:
                gW[rows] = torch.bmm(grad_zt[rows], drop[1]).transpose(1, 2)
            grads[f"b{i}"] = grad_zt.sum(2)
        else:
            gW = torch.bmm(inp.transpose(1, 2), grad_a)
            if drop is not None:
                gW[rows] = torch.bmm(drop[1].transpose(1, 2), grad_a[rows])
            grads[f"b{i}"] = grad_a.sum(1)
        grads[f"W{i}"] = gW
        grad_h = torch.bmm(grad_a, W.transpose(1, 2))
        if drop is not None:
            grad_h[rows] *= drop[0]
        grad_a = torch.ops.aten.threshold_backward.grad_input(grad_h, inp, 0.0, grad_input=grad_h)
    grads["Wb1"] = torch.bmm(x1.transpose(1, 2), grad_a)
    return {k: grads[k] for k in train}


def random_shift(x: Tensor, shape: tuple[int, int, int], max_shift: int, gen: torch.Generator | None) -> Tensor:
    """Data augmentation by random translations of up to ``max_shift`` pixels, zero-filled (per example)."""
    lead = x.shape[:-1]
    c, H, W = shape
    imgs = x.reshape(-1, c, H, W)
    n = imgs.shape[0]
    sh = 0 if H == 1 else max_shift
    padded = F.pad(imgs, (max_shift, max_shift, sh, sh))
    Hp, Wp = padded.shape[-2:]
    dev = x.device
    dy = torch.randint(0, 2 * sh + 1, (n,), generator=gen).to(dev)
    dx = torch.randint(0, 2 * max_shift + 1, (n,), generator=gen).to(dev)
    # one gather from each padded image, flattened: pixel (i, j) of the shifted image is (dy + i, dx + j) of the
    # padded one (a quarter of the time of indexing with four broadcast index tensors; the same pixels)
    window = (torch.arange(H, device=dev)[:, None] * Wp + torch.arange(W, device=dev)[None, :]).view(1, H * W)
    src = (dy * Wp + dx)[:, None] + window  # [n, H·W]
    out = padded.reshape(n, c, Hp * Wp).gather(2, src[:, None, :].expand(n, c, H * W))
    return out.reshape(*lead, c * H * W)


@dataclass(frozen=True)
class TrainSettings:
    """Optimizer and stopping settings shared by every model of one batched run."""

    lr: float
    momentum: float = 0.9
    lr_decay: float = 0.95
    decay_every: int = 391
    batch_size: int = 128
    max_steps: int = 5000
    eval_every: int = 10
    loss_stop: float = 0.01
    loss_thresholds: tuple[float, ...] = (0.1, 0.01)
    max_shift: int = 1
    eval_chunk: int = 1024

    def lr_at(self, step: int) -> float:
        """Step decay: ``lr · decay^⌊step / decay_every⌋``."""
        return self.lr * self.lr_decay ** (step // self.decay_every)


@dataclass(frozen=True)
class Job:
    """One model to train: which input array of the pool, its labels, seed, and regularizers."""

    pool: int
    y: np.ndarray
    seed: int
    weight_decay: float = 0.0
    dropout: float = 0.0
    augment: bool = False
    stop_after: int | None = None
    """A step budget of this net's own: it stops at the first evaluation at or after this step even if it has not
    fit (the reference check uses it to make a batch shrink, where nets leave it and the rest are reselected)."""


@dataclass
class History:
    """Full-train-set loss and accuracy at every evaluation, and the first steps reaching the fit criteria."""

    steps: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    acc: list[float] = field(default_factory=list)
    fit_step: int | None = None
    loss_steps: dict[str, int | None] = field(default_factory=dict)
    final_step: int = 0


@dataclass
class TrainResult:
    """Final and initial weights (on the CPU), per-model histories, and what the optimizer actually did.

    ``first_correct [M, N]``: the first evaluation step at which each training example was classified as its
    (possibly corrupted) training label, ``-1`` if never (Arpit et al. 2017's per-example learning time).
    ``optimizer_trace``: the learning rate and momentum the update used at every evaluation step.
    """

    params: Params
    init: Params
    histories: list[History]
    first_correct: Tensor | None = None
    optimizer_trace: list[dict[str, float]] = field(default_factory=list)
    snapshots: dict[int, dict[int, Params]] = field(default_factory=dict)
    """Model -> evaluation step -> that model's weights then (no model axis, on the CPU), at every evaluation where
    its history reached a milestone (its first 100% accuracy, a loss threshold, its stop, the step cap) and at the
    evaluation before each: what an independent evaluation (``reeval.py``) checks its history and times against."""
    dropout_record: Tensor | None = None
    """``[M, 4]``: per net, what the dropout masks did on the recorded steps (``trainrecord.DROPOUT_FIELDS``)."""
    shift_record: Tensor | None = None
    """``[M, (2r + 1)² + 2]``: per net, the translations found between recorded images before and after
    augmentation (``trainrecord.displacement_counts``, radius ``r = max_shift + 1``)."""
    update_record: list[list[list[float]]] = field(default_factory=list)
    """Per net, ``[step, wd, μ, lr]`` recovered from the tensors at each recorded update
    (``trainrecord.update_estimates``)."""


@dataclass(frozen=True)
class ActiveModels:
    """What a training step needs to know of the models still training, recomputed only when that set shrinks."""

    offsets: Tensor  # [Ma, 1] where each one's training set starts in the pool flattened to [P·N, d]
    y: Tensor  # [Ma, N] their labels
    dropout: Tensor  # [Ma] dropout rates
    weight_decay: Tensor  # [Ma]
    decayed: Tensor  # positions (in this set) of the models with weight decay
    augmented: Tensor  # [Ma] bool: trains on randomly shifted images
    any_augmented: bool


RECORD_IMAGES = 4
"""Images per net and recorded step whose translation is recovered (the first of each minibatch)."""


def epoch_batches(seed: int, epoch: int, n: int, batch_size: int) -> list[Tensor]:
    """The minibatches of one epoch for one model: a permutation drawn from ``(seed, epoch)`` only (the two are
    hashed together into the generator's seed, never combined by arithmetic, so no two pairs share a stream)."""
    state = np.random.SeedSequence([int(seed), int(epoch)]).generate_state(1, np.uint64)[0]
    g = torch.Generator().manual_seed(int(state >> np.uint64(1)))
    perm = torch.randperm(n, generator=g)
    return list(torch.split(perm, batch_size))


@torch.no_grad()
def evaluate_examples(arch: Arch, params: Params, X: Tensor, y: Tensor, chunk: int = 1024) -> tuple[Tensor, Tensor]:
    """Per-example cross-entropy and correctness ``[M, N]`` of stacked models on their own sets."""
    losses, hits = [], []
    for i in range(0, X.shape[1], chunk):
        logits = forward(arch, params, X[:, i : i + chunk])
        yy = y[:, i : i + chunk]
        M, B, K = logits.shape
        ce = F.cross_entropy(logits.reshape(M * B, K), yy.reshape(M * B), reduction="none").view(M, B)
        losses.append(ce.double())
        hits.append(logits.argmax(-1) == yy)
    return torch.cat(losses, 1), torch.cat(hits, 1)


@torch.no_grad()
def evaluate(arch: Arch, params: Params, X: Tensor, y: Tensor, chunk: int = 1024) -> tuple[Tensor, Tensor]:
    """Mean cross-entropy and accuracy ``[M]`` of stacked models on their own sets ``X [M, N, d]``, ``y [M, N]``."""
    loss, hit = evaluate_examples(arch, params, X, y, chunk)
    return loss.mean(1).cpu(), hit.double().mean(1).cpu()


def train_batched(
    arch: Arch,
    pool: Tensor,
    jobs: list[Job],
    settings: TrainSettings,
    gen_seed: int = 0,
    on_eval: Callable[[int, int], None] | None = None,
    device: str = "cpu",
) -> TrainResult:
    """Train every job at once; a model stops (is frozen) once it fits: train accuracy 1 and loss ≤ ``loss_stop``.

    ``pool [P, N, d]`` holds the distinct training inputs; job ``m`` trains on ``pool[jobs[m].pool]`` with labels
    ``jobs[m].y``. Every ``eval_every`` steps all active models are evaluated on their full training sets (eval
    mode). Frozen models are dropped from the batch, so the slowest condition does not pay for the fast ones.
    ``on_eval(step, n_active)`` reports progress. ``device`` (``"cpu"``, ``"cuda"``, ...) is where the weights and
    data live during training; random streams stay on the CPU, so a seed draws the same numbers on every device.
    """
    keep_freed_memory()  # each step's activations reuse the last step's memory (see its docstring)
    M, N = len(jobs), pool.shape[1]
    dev = torch.device(device)
    gen = torch.Generator().manual_seed(gen_seed)
    init = init_params(arch, [j.seed for j in jobs])
    full = {k: v.clone().to(dev) for k, v in init.items()}
    pool = pool.to(dev)
    Y = torch.as_tensor(np.stack([j.y for j in jobs]), dtype=torch.long).to(dev)
    pool_idx = torch.tensor([j.pool for j in jobs], device=dev)
    wd_all = torch.tensor([j.weight_decay for j in jobs], dtype=torch.float32, device=dev)
    p_all = torch.tensor([j.dropout for j in jobs], dtype=torch.float32, device=dev)
    aug_all = torch.tensor([j.augment for j in jobs], device=dev)
    first_correct = torch.full((M, N), -1, dtype=torch.long, device=dev)
    trace: list[dict[str, float]] = []
    histories = [History(loss_steps={str(t): None for t in settings.loss_thresholds}) for _ in jobs]
    snapshots: dict[int, dict[int, Params]] = {}
    previous: tuple[int, list[int], Params] | None = None  # the last evaluation's step, models and weights
    bufs = {k: torch.zeros_like(v) for k, v in full.items()}
    active = torch.arange(M, device=dev)
    steps_per_epoch = math.ceil(N / settings.batch_size)
    batches: dict[int, dict[int, list[Tensor]]] = {}  # epoch -> seed -> that epoch's minibatches
    # MLPs train on their own backprop (mlp_gradients) with the first layer's bias folded into its weights, so their
    # inputs carry a column of ones; the CNN trains through autograd on the parameters as they are
    mlp = arch.kind == "mlp"
    train_pool = with_ones_column(pool) if mlp else pool

    def standard_layout(p: Params) -> Params:
        return mlp_standard_layout(p) if mlp else p

    def select(idx: Tensor) -> tuple[Params, Params]:
        """The active models' parameters and momentum buffers, as the update sees them (fresh tensors)."""
        p, buf = {k: v[idx] for k, v in full.items()}, {k: v[idx] for k, v in bufs.items()}
        if mlp:
            return mlp_training_layout(p), mlp_training_layout(buf)
        return {k: v.requires_grad_(True) for k, v in p.items()}, buf

    def active_models(ids: Tensor) -> ActiveModels:
        wd = wd_all[ids]
        aug = aug_all[ids]
        return ActiveModels(
            (pool_idx[ids] * N)[:, None],
            Y[ids],
            p_all[ids],
            wd,
            torch.nonzero(wd > 0).squeeze(1),
            aug,
            bool(aug.any()),
        )

    params, mom = select(active)
    act = active_models(active)
    flat_pool = train_pool.reshape(-1, train_pool.shape[-1])
    # what the regularizers and the update did, observed on a fixed sparse schedule (trainrecord.py): dropout and
    # shifts on every eval_every-th step, the update on the first two steps, at each decay and after each reselection
    radius = settings.max_shift + 1
    drop_rec = torch.zeros(M, len(trainrecord.DROPOUT_FIELDS), dtype=torch.float64)
    shift_rec = torch.zeros(M, trainrecord.cells(radius), dtype=torch.int64)
    update_rec: list[list[list[float]]] = [[] for _ in jobs]
    reselected = False
    step = 0
    while step < settings.max_steps and len(active) > 0:
        epoch, b = divmod(step, steps_per_epoch)
        if epoch not in batches:
            batches.clear()
            # only the models still training: a model's minibatches depend on (its seed, epoch) alone, so models
            # sharing a seed (every condition of one seed index) share one draw
            seeds = {jobs[m].seed for m in active.tolist()}
            batches[epoch] = {s: epoch_batches(s, epoch, N, settings.batch_size) for s in seeds}
        idx = torch.stack([batches[epoch][jobs[m].seed][b] for m in active.tolist()]).to(dev)  # [Ma, B]
        xb = flat_pool.index_select(0, (act.offsets + idx).view(-1)).view(*idx.shape, -1)  # [Ma, B, d (+ 1)]
        observe = step % settings.eval_every == 0
        shown = xb[:, :RECORD_IMAGES, : arch.d_in].clone() if observe else None
        if act.any_augmented:  # shift only the augmented models' batches
            aug = act.augmented
            xb[aug, :, : arch.d_in] = random_shift(xb[aug][..., : arch.d_in], arch.in_shape, settings.max_shift, gen)
        if shown is not None:
            seen = trainrecord.displacement_counts(shown, xb[:, :RECORD_IMAGES, : arch.d_in], arch.in_shape, radius)
            shift_rec.index_add_(0, active.cpu(), seen)
        rec = torch.zeros(len(active), len(trainrecord.DROPOUT_FIELDS), dtype=torch.float64) if observe else None
        yb = torch.gather(act.y, 1, idx)
        if mlp:
            grads = list(mlp_gradients(arch, params, xb, yb, act.dropout, gen, rec).values())
        else:
            loss = batched_loss(forward(arch, params, xb, act.dropout, gen, rec), yb).sum()
            grads = [g.contiguous() for g in torch.autograd.grad(loss, list(params.values()))]
        if rec is not None:
            drop_rec.index_add_(0, active.cpu(), rec)
        lr, momentum = settings.lr_at(step), settings.momentum
        wd, wd_rows = act.weight_decay, act.decayed
        watch = step < 2 or reselected or step % settings.decay_every == 0
        reselected = False
        if watch:
            sample = trainrecord.sample_coordinates
            w_old, b_old, g_raw = (sample(ts, copy=True) for ts in (params.values(), mom.values(), grads))
        with torch.no_grad():
            # SGD with momentum as torch.optim.SGD: d = g + wd·p, buf ← momentum·buf + d, p ← p − lr·buf, in
            # PyTorch's fused SGD kernel (one pass over each tensor); weight decay touches only the models that
            # have it. The buffers start at zero, so the first step's buf = d as in torch.optim.SGD.
            plist = list(params.values())
            if wd_rows.numel() > 0:
                for p, g in zip(plist, grads, strict=True):
                    wd_m = wd[wd_rows].view(-1, *([1] * (p.dim() - 1)))
                    g.index_add_(0, wd_rows, p[wd_rows] * wd_m)
            sgd(
                plist,
                grads,
                list(mom.values()),
                fused=True,
                weight_decay=0.0,
                momentum=momentum,
                lr=lr,
                dampening=0.0,
                nesterov=False,
                maximize=False,
            )
        if watch:
            w_new, b_new = (trainrecord.sample_coordinates(ts) for ts in (params.values(), mom.values()))
            est = trainrecord.update_estimates(w_old, b_old, g_raw, w_new, b_new).tolist()
            for m, (w_est, mu_est, lr_est) in zip(active.tolist(), est, strict=True):
                update_rec[m].append([step, w_est, mu_est, lr_est])
        step += 1
        if step % settings.eval_every == 0 or step == settings.max_steps:
            trace.append({"step": step - 1, "lr": lr, "momentum": momentum})
            Xa = pool[pool_idx[active]]
            ex_loss, ex_hit = evaluate_examples(arch, standard_layout(params), Xa, act.y, settings.eval_chunk)
            ev_loss, ev_acc = ex_loss.mean(1).cpu(), ex_hit.double().mean(1).cpu()
            fc = first_correct[active]
            first_correct[active] = torch.where((fc < 0) & ex_hit, step, fc)
            done = torch.zeros(len(active), dtype=torch.bool)
            now = {k: v.detach().to("cpu", copy=True) for k, v in standard_layout(params).items()}
            for i, m in enumerate(active.tolist()):
                h = histories[m]
                h.steps.append(step)
                h.loss.append(float(ev_loss[i]))
                h.acc.append(float(ev_acc[i]))
                h.final_step = step
                milestone = step >= settings.max_steps
                if h.fit_step is None and ev_acc[i] >= 1.0:
                    h.fit_step, milestone = step, True
                for t in settings.loss_thresholds:
                    if h.loss_steps[str(t)] is None and ev_loss[i] <= t:
                        h.loss_steps[str(t)], milestone = step, True
                cap = jobs[m].stop_after
                fit = bool(ev_acc[i] >= 1.0 and ev_loss[i] <= settings.loss_stop)
                done[i] = fit or (cap is not None and step >= cap)
                if milestone or bool(done[i]):
                    mine = snapshots.setdefault(m, {})
                    mine[step] = {k: v[i].clone() for k, v in now.items()}  # not a view: it would keep all
                    if previous is not None and m in previous[1]:
                        j = previous[1].index(m)
                        mine[previous[0]] = {k: v[j].clone() for k, v in previous[2].items()}
            previous = (step, active.tolist(), now)
            if bool(done.any()):
                with torch.no_grad():
                    for k, v in standard_layout(params).items():
                        full[k][active] = v.detach()
                    for k, v in standard_layout(mom).items():
                        bufs[k][active] = v
                active = active[~done.to(dev)]
                params, mom = select(active)
                act = active_models(active)
                reselected = True
            if on_eval is not None:
                on_eval(step, len(active))
    with torch.no_grad():
        for k, v in standard_layout(params).items():
            full[k][active] = v.detach()
    return TrainResult(
        {k: v.cpu() for k, v in full.items()},
        init,
        histories,
        first_correct.cpu(),
        trace,
        snapshots,
        drop_rec,
        shift_rec,
        update_rec,
    )


# ---------------------------------------------------------------------------------------------------------------
# The plain per-model reference: one nn.Module per model, torch.optim.SGD, a Python loop over models.
# ---------------------------------------------------------------------------------------------------------------


def to_module(arch: Arch, params: Params, m: int) -> nn.Module:
    """Model ``m`` of a stack as an ordinary ``nn.Sequential`` with copied weights."""
    layers: list[nn.Module] = []
    if arch.kind == "mlp":
        n_layers = len(arch.hidden) + 1
        for i in range(1, n_layers + 1):
            W = params[f"W{i}"][m]
            lin = nn.Linear(W.shape[0], W.shape[1])
            with torch.no_grad():
                lin.weight.copy_(W.T)
                lin.bias.copy_(params[f"b{i}"][m])
            layers.append(lin)
            if i < n_layers:
                layers.append(nn.ReLU())
        return nn.Sequential(*layers)
    _, pad, pool = arch.conv_geometry()
    layers.append(nn.Unflatten(1, arch.in_shape))
    for k in ("1", "2"):
        K = params[f"K{k}"][m]
        conv = nn.Conv2d(K.shape[1], K.shape[0], (K.shape[2], K.shape[3]), padding=pad)
        with torch.no_grad():
            conv.weight.copy_(K)
            assert conv.bias is not None
            conv.bias.copy_(params[f"b{k}"][m])
        layers += [conv, nn.ReLU(), nn.MaxPool2d(pool)]
    lin = nn.Linear(*params["W3"][m].shape)
    with torch.no_grad():
        lin.weight.copy_(params["W3"][m].T)
        lin.bias.copy_(params["b3"][m])
    layers += [nn.Flatten(), lin]
    return nn.Sequential(*layers)


def from_modules(arch: Arch, modules: list[nn.Module]) -> Params:
    """Stack the weights of per-model modules back into the batched layout."""
    names = list(param_shapes(arch))
    per_model = []
    for mod in modules:
        tensors = [p.detach().clone() for p in mod.parameters()]
        d = {}
        for name, t in zip(names, tensors, strict=True):
            d[name] = t.T.contiguous() if name.startswith("W") else t
        per_model.append(d)
    return {k: torch.stack([d[k] for d in per_model]) for k in names}


def train_loop_reference(arch: Arch, X: list[Tensor], jobs: list[Job], settings: TrainSettings, n_steps: int) -> Params:
    """Train each model alone (Python loop over models, torch.optim.SGD), same init and minibatches; no dropout/aug.

    The benchmark's baseline and the tests' ground truth for :func:`train_batched`.
    """
    init = init_params(arch, [j.seed for j in jobs])
    modules = []
    for m, job in enumerate(jobs):
        net = to_module(arch, init, m)
        opt = torch.optim.SGD(
            net.parameters(), lr=settings.lr, momentum=settings.momentum, weight_decay=job.weight_decay
        )
        y = torch.as_tensor(job.y, dtype=torch.long)
        N = X[m].shape[0]
        spe = math.ceil(N / settings.batch_size)
        epoch_of: list[Tensor] = []
        for step in range(n_steps):
            epoch, b = divmod(step, spe)
            if b == 0 or not epoch_of:
                epoch_of = epoch_batches(job.seed, epoch, N, settings.batch_size)
            idx = epoch_of[b]
            for group in opt.param_groups:
                group["lr"] = settings.lr_at(step)
            opt.zero_grad()
            loss = F.cross_entropy(net(X[m][idx]), y[idx])
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
        modules.append(net)
    return from_modules(arch, modules)
