"""What the regularizers and the update actually did to each net during training, observed from the tensors.

The batched trainer (``nets.train_batched``) decides per net whether it gets dropout, random shifts and weight decay
from its ``Job``; the ``regularizers-as-declared`` and ``updates-as-declared`` probes hold what happened against what
the config declares for the net's (condition, regularizer), read from the spec, not from the job. So that the check
is not a second reading of the same flags, everything here is measured from the numbers the step used, by code
written apart from the trainer's:

* dropout (:func:`note_dropout`): of a layer input's nonzero units, how many the masked input the step used has
  zeroed, and the sum of the masked against the unmasked live units (inverted dropout keeps it, 1/(1 - rate) x the
  kept ones); only the nets that pass through a mask are recorded, so a net declared without dropout has no units;
* random shifts (:func:`displacement_counts`): each recorded image before and after augmentation, and the one
  translation (zero fill) within ``radius`` pixels that turns the first into the second, found by comparing the
  image with every window of its zero-padded original (one ``unfold``); an image that no translation explains, or
  more than one, is counted apart;
* the update (:func:`update_estimates`): per net, the weight decay, momentum and learning rate recovered by least
  squares from the weights, momentum buffers and raw gradients before the step and after it, for SGD with momentum
  as torch.optim.SGD defines it (``d = g + wd·w``, ``b' = μ·b + d``, ``w' = w − lr·b'``).

All of it is recorded on a fixed sparse schedule of steps (cheap: no random numbers drawn, the training untouched).
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor
from torch.nn import functional as F  # noqa: N812 (the universal alias)

DROPOUT_EXAMPLES = 16
"""Examples of each recorded minibatch whose layer inputs are compared before and after the dropout mask."""
UPDATE_COORDINATES = 512
"""Coordinates of each parameter tensor (its first, per net) the update is recovered from: the decay, momentum and
rate act on every coordinate alike, so a few hundred per tensor pin them to round-off at a fraction of the cost."""
DROPOUT_FIELDS = ("units", "zeroed", "sum_masked", "sum_unmasked")
"""Columns of a dropout record: live (nonzero) input units seen through a mask, how many of them the mask zeroed,
and the sums of those units after and before masking."""


@torch.no_grad()
def note_dropout(record: Tensor, rows: Tensor, unmasked: Tensor, masked: Tensor) -> None:
    """Add to ``record [Ma, 4]`` (float64), at ``rows``, what the mask did to the live units of ``unmasked``
    (``[len(rows), ...]``, the layer's input) in ``masked`` (the input the step used)."""
    live = unmasked != 0
    zeroed = live & (masked == 0)
    per = (
        live.flatten(1).sum(1).double(),
        zeroed.flatten(1).sum(1).double(),
        torch.where(live, masked, 0.0).flatten(1).double().sum(1),
        torch.where(live, unmasked, 0.0).flatten(1).double().sum(1),
    )
    record.index_add_(0, rows.to(record.device), torch.stack(per, 1).to(record.device))


def sample_coordinates(tensors: Iterable[Tensor], copy: bool = False) -> list[Tensor]:
    """The first :data:`UPDATE_COORDINATES` coordinates of each net in each tensor (nets on the first axis),
    ``[Ma, ≤ UPDATE_COORDINATES]``; with ``copy``, detached copies (the values before an in-place update)."""
    out = [t.detach().flatten(1)[:, :UPDATE_COORDINATES] for t in tensors]
    return [t.clone() for t in out] if copy else out


def cells(radius: int) -> int:
    """Translations within ``radius`` pixels in both axes, plus two counters: no translation matches, several do."""
    return (2 * radius + 1) ** 2 + 2


@torch.no_grad()
def displacement_counts(before: Tensor, after: Tensor, shape: tuple[int, int, int], radius: int) -> Tensor:
    """Per net, how many images ``after [Ma, k, C·H·W]`` are ``before`` translated by ``(a, b)`` pixels (row-major
    over a, b in [-radius, radius]: ``after(i, j) = before(i + a, j + b)``, zero outside), then how many match no
    translation and how many match more than one. ``[Ma, (2r + 1)² + 2]`` (int64)."""
    c, H, W = shape
    Ma, k = before.shape[:2]
    r = radius
    src = F.pad(before.reshape(Ma * k, c, H, W), (r, r, r, r))
    windows = F.unfold(src, (H, W))  # [n, c·H·W, (2r + 1)²]: window (u, v) is the image moved by (u - r, v - r)
    hit = (windows == after.reshape(Ma * k, c * H * W, 1)).all(1)  # [n, (2r + 1)²]
    n_hit = hit.sum(1)
    one = n_hit == 1
    which = torch.where(one, hit.to(torch.int64).argmax(1), torch.where(n_hit == 0, hit.shape[1], hit.shape[1] + 1))
    out = torch.zeros(Ma, cells(r), dtype=torch.int64)
    out.scatter_add_(1, which.view(Ma, k).cpu(), torch.ones(Ma, k, dtype=torch.int64))
    return out


@torch.no_grad()
def update_estimates(
    w_old: list[Tensor], b_old: list[Tensor], g_raw: list[Tensor], w_new: list[Tensor], b_new: list[Tensor]
) -> Tensor:
    """Per net ``[Ma, 3]`` (float64): the weight decay ``wd`` and momentum ``μ`` that best explain
    ``b' − g = μ·b + wd·w`` (least squares over all of the net's parameters; ``μ`` is NaN where ``b = 0``, the first
    step), and the learning rate ``lr = <w − w', b'> / <b', b'>``. Tensors have the nets on their first axis."""

    def dot(xs: list[Tensor], ys: list[Tensor]) -> Tensor:
        return sum(((x.double() * y.double()).flatten(1).sum(1) for x, y in zip(xs, ys, strict=True)),
                   torch.zeros(xs[0].shape[0], dtype=torch.float64, device=xs[0].device))  # fmt: skip

    resid = [bn.double() - g.double() for bn, g in zip(b_new, g_raw, strict=True)]
    bb, bw, ww = dot(b_old, b_old), dot(b_old, w_old), dot(w_old, w_old)
    br, wr = dot(b_old, resid), dot(w_old, resid)
    det = bb * ww - bw * bw
    has_b = bb > 0
    mu = torch.where(has_b, (br * ww - wr * bw) / torch.where(has_b, det, 1.0), torch.nan)
    wd = torch.where(has_b, (bb * wr - bw * br) / torch.where(has_b, det, 1.0), wr / ww)
    step = [wo.double() - wn.double() for wo, wn in zip(w_old, w_new, strict=True)]
    lr = dot(step, b_new) / dot(b_new, b_new)
    return torch.stack([wd, mu, lr], 1).cpu()
