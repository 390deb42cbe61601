"""Fault catalog of the mup study: bugs a hurried implementer of μP and its checks makes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from skeptic.study import Fault, replace

P = "skeptic.studies.mup.param"
N = "skeptic.studies.mup.nets"


def _adam_hidden_unscaled(orig: Callable[..., float]) -> Callable[..., float]:
    def mult(role: str, m: float, param: str, optimizer: str) -> float:
        if (role, param, optimizer) == ("hidden", "mup", "adam"):
            return 1.0  # the SGD rule used for Adam: η instead of η/fan_in
        return orig(role, m, param, optimizer)

    return mult


def _sgd_input_unscaled(orig: Callable[..., float]) -> Callable[..., float]:
    def mult(role: str, m: float, param: str, optimizer: str) -> float:
        if role in ("input", "vector") and (param, optimizer) == ("mup", "sgd"):
            return 1.0  # the input layer's η·fan_out forgotten
        return orig(role, m, param, optimizer)

    return mult


def _readout_fan_in(orig: Callable[..., float]) -> Callable[..., float]:
    def std(role: str, fan_in: int, m: float, param: str, input_std: float = 1.0) -> float:
        if role == "output":
            return orig(role, fan_in, m, "sp", input_std)  # var 1/fan_in instead of 1/fan_in²
        return orig(role, fan_in, m, param, input_std)

    return std


def _absolute_multiplier(orig: Callable[[int, int], float]) -> Callable[[int, int], float]:
    return lambda width, base_width: float(width)  # m = n rather than n/n₀


def _swapped(orig: Callable[..., Any]) -> Callable[..., Any]:
    flip = {"sp": "mup", "mup": "sp"}

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        args = tuple(flip.get(a, a) if isinstance(a, str) else a for a in args)
        return orig(*args, **kwargs)

    return wrapped


def _baseline_step_one(orig: Callable[[], int]) -> Callable[[], int]:
    return lambda: 1  # the change measured from the state after the first update


def _sizes_not_changes(orig: Callable[..., Any]) -> Callable[..., Any]:
    def measured(rows: list[dict[str, Any]], step: int) -> Any:
        return orig([r | {"deltas": r["sizes"]} for r in rows], step)  # reads the activation, not its change

    return measured


def _shared_seed_draws(orig: Callable[..., dict[str, torch.Tensor]]) -> Callable[..., dict[str, torch.Tensor]]:
    return lambda tensors, seed, width: orig(tensors, 0, width)  # every seed gets seed 0's initialization


def _shared_seed_batches(orig: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    return lambda corpus, s, seeds, step: orig(corpus, s, [0] * len(seeds), step)


def _eval_from_train(orig: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    from skeptic.studies.mup.data import window_starts

    def starts(corpus: Any, n: int, length: int, seed: int) -> torch.Tensor:
        return window_starts(corpus, n, length, torch.Generator().manual_seed(seed), held_out=False)

    return starts


def _adam_no_bias_correction(orig: type) -> type:
    class NoCorrection(orig):  # type: ignore[misc]
        def step(self, params: dict[str, torch.Tensor], grads: dict[str, torch.Tensor]) -> Any:
            if self.kind == "sgd":
                return super().step(params, grads)
            b1, b2 = self.betas
            for name, w in params.items():
                g = grads[name]
                lr = self.lrs[name].view(-1, *([1] * (w.dim() - 1)))
                if name not in self.m:
                    self.m[name], self.v[name] = torch.zeros_like(w), torch.zeros_like(w)
                self.m[name].mul_(b1).add_(g, alpha=1 - b1)
                self.v[name].mul_(b2).addcmul_(g, g, value=1 - b2)
                w.sub_(lr * self.m[name] / (self.v[name].sqrt() + self.eps))  # m/√v without 1/(1−βᵗ)
            return params

    return NoCorrection


def _linear_keeps_relu(orig: Callable[..., Any]) -> Callable[..., Any]:
    def build(*args: Any, **kwargs: Any) -> Any:
        if len(args) > 12:  # nonlinearity is Sweep's 13th field
            args = (*args[:12], "relu", *args[13:])
        if "nonlinearity" in kwargs:
            kwargs["nonlinearity"] = "relu"
        return orig(*args, **kwargs)  # the deep linear network built as the ReLU MLP, still labelled linear

    return build


def _combine(*injectors: Any) -> Any:
    from skeptic.study import combine

    return combine(*injectors)


FAULTS = (
    Fault(
        "adam-hidden-lr-unscaled",
        "setting",
        "μP with Adam keeps the hidden weights' learning rate at η instead of η/m",
        replace(f"{P}.lr_multiplier", _adam_hidden_unscaled),
    ),
    Fault(
        "sgd-input-lr-unscaled",
        "setting",
        "μP with SGD leaves the input layer's learning rate at η instead of η·m",
        replace(f"{P}.lr_multiplier", _sgd_input_unscaled),
    ),
    Fault(
        "readout-init-fan-in",
        "scale",
        "the μP readout is initialized with variance 1/fan_in (SP's) instead of 1/fan_in²",
        replace(f"{P}.init_std", _readout_fan_in),
    ),
    Fault(
        "absolute-width-multiplier",
        "scale",
        "the width multiplier is the width itself, not the width over the base width",
        replace(f"{P}.width_multiplier", _absolute_multiplier),
    ),
    Fault(
        "sp-mup-swapped",
        "swap",
        "the SP and μP rules are swapped when initial stds and learning rates are looked up",
        _combine(
            replace(f"{P}.init_std", _swapped),
            replace(f"{P}.lr_multiplier", _swapped),
            replace(f"{P}.attention_scale", _swapped),
        ),
    ),
    Fault(
        "change-from-step-one",
        "off-by-one",
        "the coordinate check measures each change from step 1 instead of from the initialization",
        replace(f"{N}.baseline_step", _baseline_step_one),
    ),
    Fault(
        "sizes-not-changes",
        "wrong-field",
        "the exponents are fitted to activation sizes instead of their changes",
        replace("skeptic.studies.mup.claims.measured_exponents", _sizes_not_changes),
    ),
    Fault(
        "seeds-share-everything",
        "rng-reuse",
        "every seed reuses seed 0's initial draws and minibatches",
        _combine(replace(f"{N}.unit_draws", _shared_seed_draws), replace(f"{N}.batch_starts", _shared_seed_batches)),
    ),
    Fault(
        "eval-on-training-text",
        "leakage",
        "the evaluation windows are drawn from the training text",
        replace(f"{N}.eval_starts", _eval_from_train),
        note="One pass over 420k characters with ~5k examples seen: no overfitting, so held-out and training "
        "windows give the same loss up to noise; the eval-held-out probe checks the split itself.",
    ),
    Fault(
        "deep-linear-keeps-relu",
        "setting",
        "the deep linear network (its learning-rate sweep and the derivation's coordinate check) is built with the "
        "ReLU MLP's nonlinearity",
        replace(f"{N}.Sweep", _linear_keeps_relu),
    ),
    Fault(
        "adam-without-bias-correction",
        "other",
        "Adam's moment estimates are used without the 1/(1 − βᵗ) bias correction",
        replace(f"{N}.BatchedOptimizer", _adam_no_bias_correction),
    ),
)
