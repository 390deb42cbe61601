"""Fault catalog of the glitch-tokens study: bugs a hurried replicator of Land & Bartolo (2024) makes.

Each fault replaces, for one audit run, the function the bug would live in (see :mod:`skeptic.core.faults`). The
catalog spans the data (planted counts off by one, absent words leaking into the training text, the copy half
dropped), the computation (weight decay silently off, the wrong initialization scale, every model from one seed, the
readout read from the wrong matrix), the statistics (an AUROC standard error over token occurrences instead of tokens)
and the claims (the main indicator of tied and untied models swapped, a reference set picked by eye from the
vocabulary, the verification threshold misread as 10%).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from skeptic.study import Fault, combine, replace

C = "skeptic.studies.glitch_tokens.corpus"
T = "skeptic.studies.glitch_tokens.train"
E = "skeptic.studies.glitch_tokens.experiment"
IND = "skeptic.studies.glitch_tokens.indicators"
V = "skeptic.studies.glitch_tokens.verify"

_planted_words: list[str] = []


def _remember_words(orig: Callable[..., list[str]]) -> Callable[..., list[str]]:
    def make(n: int, rng: np.random.Generator, forbidden: str) -> list[str]:
        words = orig(n, rng, forbidden)
        _planted_words[:] = words
        return words

    return make


def _absent_leak(orig: Callable[..., list[str]]) -> Callable[..., list[str]]:
    def insert(docs: list[str], words_and_counts: list[tuple[str, int]], rng: np.random.Generator) -> list[str]:
        present = {w for w, _ in words_and_counts}
        leaked = [(w, 1) for w in _planted_words if w not in present]  # the "absent" filter lets each through once
        return list(orig(docs, list(words_and_counts) + leaked, rng))

    return insert


def _insert_off_by_one(orig: Callable[..., list[str]]) -> Callable[..., list[str]]:
    def insert(docs: list[str], words_and_counts: list[tuple[str, int]], rng: np.random.Generator) -> list[str]:
        return list(orig(docs, [(w, c + 1) for w, c in words_and_counts], rng))  # range(count + 1)

    return insert


def _no_copy_half(orig: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def make(stream: np.ndarray, chunk: int, eos: int) -> np.ndarray:
        c = stream.reshape(-1, chunk)
        # plain language modelling on the next two chunks instead of the stuttered copy of this one (same length)
        nxt = np.concatenate([np.roll(c, -1, axis=0), np.roll(c, -2, axis=0)], axis=1)
        e = np.full((c.shape[0], 1), eos, dtype=stream.dtype)
        return np.concatenate([c, e, nxt, e], axis=1)

    return make


def _count_skips_first(orig: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def count(x: np.ndarray, vocab_size: int) -> np.ndarray:
        return np.asarray(orig(x[:, 1:], vocab_size))  # positions 1.. (a slice off by one)

    return count


def _no_weight_decay(orig: Callable[..., None]) -> Callable[..., None]:
    def step(params: Any, grads: Any, state: Any, step: int, lr: float, weight_decay: torch.Tensor, **kw: Any) -> None:
        orig(params, grads, state, step, lr, torch.zeros_like(weight_decay), **kw)  # torch.optim.Adam, not AdamW

    return step


def _init_unit_scale(orig: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    def init(shape: Any, variants: Any, init_std: float) -> list[Any]:
        return list(orig(shape, variants, 1.0))  # nn.Embedding's default N(0, 1), not GPT-2's 0.02

    return init


def _one_seed(orig: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    def init(shape: Any, variants: Any, init_std: float) -> list[Any]:
        import dataclasses

        same = [dataclasses.replace(v, seed=variants[0].seed, embed_seed=variants[0].embed_seed) for v in variants]
        return list(orig(shape, same, init_std))

    return init


def _readout_is_embedding(orig: Callable[..., tuple[torch.Tensor, torch.Tensor]]) -> Callable[..., Any]:
    def final(trained: Any) -> tuple[torch.Tensor, torch.Tensor]:
        e, _ = orig(trained)
        return e, e  # the "readout" read from the input embedding for every model

    return final


def _se_over_occurrences(orig: Callable[[float, int, int], float]) -> Callable[[float, int, int], float]:
    return lambda a, n_pos, n_neg: orig(a, 10 * n_pos, 10 * n_neg)  # token occurrences counted as tokens


def _reference_by_eye(orig: Callable[[str], list[int]]) -> Callable[[str], list[int]]:
    def ref(tokenizer_json: str) -> list[int]:
        from tokenizers import Tokenizer

        vocab = Tokenizer.from_str(tokenizer_json).get_vocab()
        odd = [i for t, i in vocab.items() if t.startswith("Ġ") and sum(ch.isupper() for ch in t) >= 3]
        return sorted(odd) or list(orig(tokenizer_json))  # "odd-looking CamelCase tokens must be unused"

    return ref


FAULTS = (
    Fault(
        "absent-words-leak",
        "leakage",
        "the filter that keeps the 'absent' planted words out of the training text lets each through once",
        combine(replace(f"{C}.make_planted_words", _remember_words), replace(f"{C}.insert_words", _absent_leak)),
    ),
    Fault(
        "planted-count-off-by-one",
        "off-by-one",
        "each planted word is inserted count + 1 times (a loop over range(count + 1))",
        replace(f"{C}.insert_words", _insert_off_by_one),
    ),
    Fault(
        "copy-half-dropped",
        "setting",
        "the second half of each training sequence continues the text instead of copying the first half",
        replace(f"{C}.make_sequences", _no_copy_half),
    ),
    Fault(
        "counts-skip-first-position",
        "off-by-one",
        "training counts are accumulated from input positions 1 onward, missing every sequence's first token",
        replace(f"{T}.model_inputs_count", _count_skips_first),
    ),
    Fault(
        "no-weight-decay",
        "setting",
        "the optimizer silently ignores weight decay, so the 'with weight decay' variants have none",
        replace(f"{T}.adamw_step", _no_weight_decay),
    ),
    Fault(
        "embedding-init-unit-scale",
        "scale",
        "embeddings are initialized with PyTorch's default N(0, 1) instead of GPT-2's N(0, 0.02²)",
        replace(f"{T}.init_models", _init_unit_scale),
    ),
    Fault(
        "one-seed-for-all-models",
        "rng-reuse",
        "every model is initialized from the first model's seed",
        replace(f"{T}.init_models", _one_seed),
    ),
    Fault(
        "readout-from-input-matrix",
        "wrong-field",
        "the indicators read the readout matrix from the input-embedding parameter",
        replace(f"{T}.final_matrices", _readout_is_embedding),
    ),
    Fault(
        "auroc-se-over-occurrences",
        "uncertainty",
        "the AUROC standard error counts token occurrences as if they were independent tokens",
        replace(f"{IND}.hanley_mcneil_se", _se_over_occurrences),
    ),
    Fault(
        "main-indicator-swapped",
        "swap",
        "the main indicator of tied and untied models is swapped (input norm used for tied models)",
        replace(f"{E}.MAIN", lambda orig: {True: orig[False], False: orig[True]}),
    ),
    Fault(
        "reference-picked-by-eye",
        "leakage",
        "the known-unused reference set is picked by eye: the odd-looking CamelCase tokens of the vocabulary",
        replace(f"{E}.reference_tokens", _reference_by_eye),
    ),
    Fault(
        "verification-threshold-10pct",
        "setting",
        "the verification threshold is read as 10% instead of the paper's 1%",
        replace(f"{V}.THRESHOLD", lambda orig: 0.1),
    ),
)
