"""Standard (SP) and maximal-update (μP) parametrizations: Yang et al. 2022 (TP5), Table 3.

Every weight tensor has a *role* by which of its dimensions grow with the width n:

============  =====================  ========================  ==============================
role          example                init std                  learning-rate multiplier
============  =====================  ========================  ==============================
``input``     embedding, first layer  c/√fan_in (no width)       SP 1 · μP SGD m · μP Adam 1
``hidden``    n × n matrices          1/√fan_in                 SP 1 · μP SGD 1 · μP Adam 1/m
``output``    readout (n → vocab)     SP 1/√n · μP 1/√(n·m)     SP 1 · μP SGD 1/m · μP Adam 1/m
``vector``    biases, LayerNorm       0 (biases) / 1 (gains)    as ``input``
============  =====================  ========================  ==============================

TP5's Table 3 writes these in terms of fan_in and fan_out (μP: input and biases init var 1/fan_in, SGD LR η·fan_out,
Adam LR η; output init var 1/fan_in², SGD and Adam LR η/fan_in; hidden init var 1/fan_in, SGD LR η, Adam LR
η/fan_in). Skeptic writes them relative to a *base width* n₀ with the width multiplier m = n/n₀, as Microsoft's
``mup`` does (``set_base_shapes``): every rule is the Table 3 rule times a width-independent constant chosen so that
**μP and SP are the same network at the base width** (m = 1). That is what makes "tune at the base width, transfer
to width n" meaningful. Attention logits are q·k/√d_head in SP and q·k·√d₀/d_head in μP (TP5 §4: 1/d attention),
d₀ the base head dimension.
"""

from __future__ import annotations

import math
from typing import Literal

Parametrization = Literal["sp", "mup"]
Optimizer = Literal["sgd", "adam"]
Role = Literal["input", "hidden", "output", "vector"]

PARAMETRIZATIONS: tuple[Parametrization, ...] = ("sp", "mup")


def width_multiplier(width: int, base_width: int) -> float:
    """m = n / n₀: how many times wider than the base width a model is."""
    return width / base_width


def init_std(role: Role, fan_in: int, m: float, param: Parametrization, input_std: float = 1.0) -> float:
    """Initial standard deviation of a weight of ``role`` (TP5 Table 3, relative to the base width).

    ``input``: ``input_std``/√fan_in, fan_in counting the active inputs (k one-hot characters; 1 for an
    embedding), so each input-layer coordinate has std ``input_std``; ``hidden``: 1/√fan_in in both;
    ``output``: 1/√fan_in in SP, 1/√(fan_in·m) in μP (variance ∝ 1/fan_in², equal to SP at m = 1).
    """
    if role == "input":
        return input_std / math.sqrt(fan_in)
    if role == "hidden":
        return 1.0 / math.sqrt(fan_in)
    if role == "output":
        return 1.0 / math.sqrt(fan_in * (m if param == "mup" else 1.0))
    raise ValueError("vectors (biases, LayerNorm gains) are initialized to constants, not drawn")


def lr_multiplier(role: Role, m: float, param: Parametrization, optimizer: Optimizer) -> float:
    """The factor the base learning rate η is multiplied by for a weight of ``role`` (TP5 Table 3).

    SP: 1 everywhere. μP with SGD: input weights and vectors m (η·fan_out), hidden 1, output 1/m (η/fan_in).
    μP with Adam: input weights and vectors 1, hidden 1/m (η/fan_in), output 1/m.
    """
    if param == "sp":
        return 1.0
    if optimizer == "sgd":
        return {"input": m, "vector": m, "hidden": 1.0, "output": 1.0 / m}[role]
    return {"input": 1.0, "vector": 1.0, "hidden": 1.0 / m, "output": 1.0 / m}[role]


def attention_scale(d_head: int, base_d_head: int, param: Parametrization) -> float:
    """Multiplier of the attention logits q·k: 1/√d_head (SP), √d₀/d_head (μP; equal at d_head = d₀)."""
    if param == "sp":
        return 1.0 / math.sqrt(d_head)
    return 1.0 / math.sqrt(d_head) * math.sqrt(base_d_head / d_head)  # = √d₀/d, exactly SP's at d = d₀
