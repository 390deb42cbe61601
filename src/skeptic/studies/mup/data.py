"""The corpus: Python's own documentation (``pydoc_data.topics``), character-level, nothing downloaded.

``pydoc_data.topics.topics`` ships with CPython: the text of the language reference that ``help()`` shows (about
465,000 characters). Topics are joined in sorted order, characters outside printable ASCII (and newline) are
dropped, and the text is split once into a training part (the first ``1 − held_out`` of it) and a held-out part
(the rest) that no training batch ever reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Corpus:
    """Encoded text: ``tokens`` (int64), the vocabulary, and where the held-out part starts."""

    tokens: torch.Tensor
    vocab: str
    split: int
    """Index of the first held-out token; training windows lie wholly in ``tokens[:split]``."""

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)


def load_text() -> str:
    """Every topic of ``pydoc_data.topics``, sorted by name, as printable ASCII plus newlines."""
    from pydoc_data.topics import topics

    text = "\n".join(topics[k] for k in sorted(topics))
    return "".join(c for c in text if c == "\n" or (" " <= c <= "~"))


def load_corpus(held_out: float = 0.1) -> Corpus:
    """The encoded corpus, its last ``held_out`` fraction kept for evaluation."""
    text = load_text()
    vocab = "".join(sorted(set(text)))
    index = {c: i for i, c in enumerate(vocab)}
    tokens = torch.tensor([index[c] for c in text], dtype=torch.int64)
    return Corpus(tokens, vocab, int(len(tokens) * (1 - held_out)))


def window_starts(corpus: Corpus, n: int, length: int, g: torch.Generator, held_out: bool) -> torch.Tensor:
    """``n`` random start indices of windows of ``length + 1`` tokens, all inside one part of the text."""
    lo, hi = (corpus.split, len(corpus.tokens)) if held_out else (0, corpus.split)
    return lo + torch.randint(0, hi - lo - length - 1, (n,), generator=g)


def windows(corpus: Corpus, starts: torch.Tensor, length: int) -> torch.Tensor:
    """``[n, length + 1]`` token windows starting at ``starts``."""
    return corpus.tokens[starts[:, None] + torch.arange(length + 1)]


def mlp_examples(corpus: Corpus, starts: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Next-character examples for the MLP: the ``k`` previous characters (indices ``[n, k]``) and the next one."""
    w = windows(corpus, starts, k)
    return w[:, :k], w[:, k]
