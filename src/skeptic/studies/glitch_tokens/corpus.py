"""The two corpora, the tokenizer and the training stream, with every token's training count known exactly.

The mechanism under test (Rumbelow & Watkins 2023; Land & Bartolo 2024 §1): the tokenizer is built on corpus A, the
model is trained on corpus B, and strings common in A but rare or absent in B become tokens whose embeddings are
barely trained. Here both corpora come from text shipped with every CPython: the language reference's help topics
(``pydoc_data.topics``, the same text for a given Python version whatever else is installed).

* Corpus A (tokenizer): corpus B's topics, ``held_out_topics`` more, plus ``planted`` pseudo-words
  (SolidGoldMagikarp-like CamelCase strings) repeated often enough that byte-level BPE merges each into one token.
* Corpus B (model): the chosen topics minus the held-out ones (whose words become naturally rare tokens), with each
  planted word inserted a known number of times: 0 (absent, the glitch tokens), 1, 3, 10 or 30. The planted words'
  BPE intermediates (``" Zor"``, ``"VexQuil"``) are in the vocabulary too and mostly never seen in B, as the pieces
  of real glitch tokens are. A tokenizer trained on nearly the model's own text leaves a small share of ordinary
  tokens never seen (about 2% at the quick preset) and a natural tail of rarely seen ones.
* Reserved special tokens ``<|reserved_k|>`` that never occur in B are the "known unused" reference set of Land &
  Bartolo §2.2 (like Llama 3's reserved tokens).

Training sequences are ``[c, EOS, c₁ c₁ c₂ c₂ … c_L c_L, EOS]`` for consecutive chunks ``c`` of B's token stream:
the first part is language modelling, the second teaches the model to repeat the token it was just shown, the skill
verification by repetition relies on (a tiny model trained for seconds does not learn it from prose alone). The
model's inputs are the first ``3L + 1`` positions, so every corpus token is fed exactly three times per epoch: its
training count is ``3 · epochs · (corpus count)``, which a probe checks against the batches actually drawn.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field

import numpy as np
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

EOS = "<|endoftext|>"
SYLLABLES = (
    "zor", "vex", "quil", "mag", "kar", "thul", "brix", "nov", "plon", "drak", "wem", "fyr", "glo", "snar", "trov",
    "yub", "krel", "omph", "zind", "harp", "lux", "ferd", "gamb", "qor",
)  # fmt: skip
PLANT_COUNTS = (0, 1, 3, 10, 30)
"""Occurrences of each planted word in corpus B: 0 is a glitch token (in the vocabulary, never trained on)."""


def planted_count_list(per_count: int, rare_planted: int, rare_max: int) -> list[int]:
    """Each planted word's count in the training stream, in order: ``per_count`` words at each of
    :data:`PLANT_COUNTS`, then ``rare_planted`` more whose counts cycle through 1, 2, ..., ``rare_max`` (the rarely
    seen set's own words, see :func:`recombined_words`: a rarely seen token stays one whatever the stream's length,
    unlike the text's natural rare tokens, most of which a longer stream makes frequent)."""
    return [c for c in PLANT_COUNTS for _ in range(per_count)] + [1 + i % rare_max for i in range(rare_planted)]


def help_topics() -> list[tuple[str, str]]:
    """The CPython help topics ``(name, text)``, sorted by name (the language reference, ~460k characters)."""
    import pydoc_data.topics

    return sorted(pydoc_data.topics.topics.items())


def corpus_fingerprint(topics: list[tuple[str, str]]) -> str:
    """A short hash of the topic text, so a run records exactly which text it trained on."""
    h = hashlib.sha256()
    for name, text in topics:
        h.update(name.encode())
        h.update(text.encode())
    return h.hexdigest()[:16]


def make_planted_words(n: int, rng: np.random.Generator, forbidden: str) -> list[str]:
    """``n`` distinct CamelCase pseudo-words of two syllables (``" ZorVex"``; two rather than three keeps the BPE
    intermediates each word leaves in the vocabulary few), none occurring in ``forbidden``."""
    words: list[str] = []
    while len(words) < n:
        s = "".join(str(SYLLABLES[i]).capitalize() for i in rng.choice(len(SYLLABLES), size=2, replace=False))
        w = " " + s
        if w not in words and s.lower() not in forbidden.lower():
            words.append(w)
    return words


def recombined_words(base: list[str], n: int, rng: np.random.Generator, forbidden: str) -> list[str]:
    """``n`` more distinct pseudo-words, each a first syllable of one ``base`` word followed by the second syllable of
    another (``" ZorVex"`` and ``" QuilMag"`` give ``" ZorMag"``), none occurring in ``forbidden``; where the base
    words' syllables give fewer such pairs than ``n`` (base words that share a syllable: 12 pairs from 5 words at test
    seed 1), the rest are fresh words as :func:`make_planted_words` draws them.

    Reusing the base words' syllables makes each new word one more token and no more: its BPE pieces (``" Zor"``,
    ``"Mag"``) are in the vocabulary already, as intermediates of the base words. Words of fresh syllables would each
    leave one or two never-seen intermediates too (test: 12 of them raised the never-seen tokens from 22 to 37), so
    the rarely seen set could not grow without the never-seen share of the vocabulary growing with it."""
    if n == 0:
        return []
    split = [_syllables(w) for w in base]
    firsts = sorted({a for a, _ in split})
    seconds = sorted({b for _, b in split})
    pool = [
        " " + a + b
        for a in firsts
        for b in seconds
        if a.lower() != b.lower() and " " + a + b not in base and (a + b).lower() not in forbidden.lower()
    ]
    take = min(n, len(pool))
    words = [pool[int(i)] for i in rng.choice(len(pool), size=take, replace=False)]
    if take < n:
        extra = make_planted_words(len(base) + n, rng, forbidden)
        words += [w for w in extra if w not in base and w not in words][: n - take]
    return words


def _syllables(word: str) -> tuple[str, str]:
    """The two syllables of a planted pseudo-word, ``" ZorVex"`` → ``("Zor", "Vex")``: split at the second capital."""
    body = word[1:]
    cut = next(i for i, ch in enumerate(body) if i > 0 and ch.isupper())
    return body[:cut], body[cut:]


def insert_words(docs: list[str], words_and_counts: list[tuple[str, int]], rng: np.random.Generator) -> list[str]:
    """Insert each ``word`` exactly ``count`` times into ``docs``, each time before a randomly chosen space."""
    docs = list(docs)
    for word, count in words_and_counts:
        for _ in range(count):
            d = int(rng.integers(len(docs)))
            spaces = [i for i, ch in enumerate(docs[d]) if ch == " "]
            if not spaces:
                docs[d] = docs[d] + word + " "
                continue
            i = spaces[int(rng.integers(len(spaces)))]
            docs[d] = docs[d][:i] + word + docs[d][i:]
    return docs


def train_tokenizer(texts: list[str], vocab_size: int, special: list[str]) -> Tokenizer:
    """Byte-level BPE (GPT-2's scheme) with Hugging Face ``tokenizers``; special tokens get the first ids."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=special,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def encode_docs(tok: Tokenizer, docs: list[str]) -> list[list[int]]:
    """Each document's token ids."""
    return [e.ids for e in tok.encode_batch(docs)]


@dataclass
class Corpora:
    """Everything the experiment needs to know about its text, its tokenizer and what the model is fed."""

    tokenizer: Tokenizer
    tokenizer_json: str
    text_a: list[str]
    """Everything the tokenizer was trained on: corpus A's documents, then one block of repeats per planted word."""
    names_a: list[str]
    """The help topics of corpus A's documents, in order (corpus B's are all but the first ``held_out_topics``)."""
    names_fresh: list[str]
    """The help topics of the fresh text after corpus B (none at ``stream_length`` 1), in order."""
    docs_b: list[str]
    """The model's training text: corpus B's documents, then the fresh ones (planted words inserted into all)."""
    stream: np.ndarray
    """B's token stream: documents joined by EOS, padded with EOS to a whole number of batches of chunks."""
    sequences: np.ndarray
    """``[n_seq, 3L + 2]`` training sequences (see :func:`make_sequences`)."""
    planted: list[dict[str, object]]
    """One record per planted word: ``word``, ``token`` (id, or None if BPE did not make it one token), ``planted``
    (its count in B)."""
    reference: list[int]
    """Known-unused token ids (the reserved special tokens)."""
    special: list[int]
    meta: dict[str, object] = field(default_factory=dict)


def build(
    *,
    vocab_size: int,
    n_planted_per_count: int,
    plant_repeats_a: int,
    n_reserved: int,
    corpus_fraction: float,
    chunk: int,
    batch_size: int,
    rng: np.random.Generator,
    held_out_topics: int = 1,
    stream_length: int = 1,
    rare_planted: int = 0,
    rare_max: int = 10,
) -> Corpora:
    """Build both corpora, train the tokenizer on A, tokenize B and cut it into training sequences.

    ``stream_length`` > 1 makes the model's training text longer with fresh text the tokenizer never saw: after
    corpus B come further help topics (the same random order of topics, continued) until the fresh text has
    ``(stream_length - 1)`` times B's characters; the planted words are inserted into the whole stream, so their
    counts are totals over it (Land & Bartolo's setting: a larger training run is more text, in which a rare token
    still occurs a handful of times in all)."""
    topics = help_topics()
    all_text = "\n".join(t for _, t in topics)
    budget = corpus_fraction * len(all_text)
    chosen: list[str] = []
    names: list[str] = []  # the topics' names, in the order chosen (recorded for the corpus-as-declared probe)
    order = rng.permutation(len(topics))
    for i in order:  # random topics, the last one cut: `corpus_fraction` of the text
        room = int(budget) - sum(map(len, chosen))
        if len(chosen) >= 4 and room <= 0:
            break
        name, text = topics[int(i)]
        names.append(name)
        chosen.append(text[: max(room, len(text) // 8, 2000)] if len(chosen) >= 4 else text[: max(room // 2, 2000)])
    held_out = min(held_out_topics, len(chosen) - 1)  # in A only: B under-represents their vocabulary
    docs_a, docs_b = chosen, chosen[held_out:]
    fresh_names, fresh = fresh_topics(topics, [int(i) for i in order[len(names) :]], stream_length, docs_b)
    docs_b = docs_b + fresh

    planted_counts = planted_count_list(n_planted_per_count, rare_planted, rare_max)
    words = make_planted_words(n_planted_per_count * len(PLANT_COUNTS), rng, all_text)
    words += recombined_words(words, rare_planted, rng, all_text)
    text_a = docs_a + [(w * 10 + "\n") * max(plant_repeats_a // 10, 1) for w in words]
    reserved = [f"<|reserved_{k}|>" for k in range(n_reserved)]
    tok = train_tokenizer(text_a, vocab_size, [EOS, *reserved])
    docs_b = insert_words(docs_b, [(w, c) for w, c in zip(words, planted_counts, strict=True) if c > 0], rng)

    vocab = tok.get_vocab_size()
    eos = _id(tok, EOS)
    ids = encode_docs(tok, docs_b)
    stream_list: list[int] = []
    for d in ids:
        stream_list.extend(d)
        stream_list.append(eos)
    per_batch = chunk * batch_size
    pad = (-len(stream_list)) % per_batch
    stream = np.asarray(stream_list + [eos] * pad, dtype=np.int64)
    sequences = make_sequences(stream, chunk, eos)

    planted: list[dict[str, object]] = []
    for w, c in zip(words, planted_counts, strict=True):
        enc = tok.encode(w).ids
        planted.append({"word": w.strip(), "token": enc[0] if len(enc) == 1 else None, "planted": c})
    return Corpora(
        tokenizer=tok,
        tokenizer_json=tok.to_str(),
        text_a=text_a,
        names_a=names,
        names_fresh=fresh_names,
        docs_b=docs_b,
        stream=stream,
        sequences=sequences,
        planted=planted,
        reference=[_id(tok, r) for r in reserved],
        special=[eos, *(_id(tok, r) for r in reserved)],
        meta={
            "python": f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}",
            "corpus_sha": corpus_fingerprint(topics),
            "n_topics": len(topics),
            "n_topics_a": len(docs_a),
            "n_topics_b": len(docs_b),
            "chars_b": int(sum(map(len, docs_b))),
            "tokens_b": int(len(stream) - pad),
            "vocab_size": vocab,
            "eos": eos,
        },
    )


def fresh_topics(
    topics: list[tuple[str, str]], order: list[int], stream_length: int, docs_b: list[str]
) -> tuple[list[str], list[str]]:
    """The fresh text after corpus B: topics in ``order`` (none of them in corpus A), each whole or cut to the room
    left, until there are ``(stream_length - 1) · |B|`` characters. Raises if the help topics run out."""
    want = (stream_length - 1) * sum(map(len, docs_b))
    names: list[str] = []
    docs: list[str] = []
    for i in order:
        room = want - sum(map(len, docs))
        if room <= 0:
            break
        name, text = topics[i]
        names.append(name)
        docs.append(text[:room])
    if want - sum(map(len, docs)) > 0:
        raise ValueError(f"stream_length {stream_length} needs more fresh text than the help topics hold")
    return names, docs


COPIES = 3
"""How often each corpus token is an input position per epoch (see :func:`make_sequences`)."""


def _id(tok: Tokenizer, token: str) -> int:
    i = tok.token_to_id(token)
    if i is None:
        raise ValueError(f"{token!r} is not in the vocabulary")
    return int(i)


def make_sequences(stream: np.ndarray, chunk: int, eos: int) -> np.ndarray:
    """``[c, EOS, c₁ c₁ c₂ c₂ … c_L c_L, EOS]`` for each consecutive chunk ``c`` of ``chunk`` tokens of ``stream``.

    The first part is language modelling; the second repeats each token once before moving on ("stuttering"), so
    the model learns to say the token it was just shown (the skill the repetition test probes) and, at every other
    step, to recall the next token of ``c``. The inputs (all but the last position) hold each chunk token exactly
    :data:`COPIES` = 3 times.
    """
    c = stream.reshape(-1, chunk)
    e = np.full((c.shape[0], 1), eos, dtype=stream.dtype)
    return np.concatenate([c, e, np.repeat(c, 2, axis=1), e], axis=1)


def independent_recount(tokenizer_json: str, docs_b: list[str], vocab_size: int) -> np.ndarray:
    """Corpus-B counts recomputed from the raw text with a tokenizer reloaded from its saved JSON, one document at
    a time (a second path to the same numbers: the batches' counts must equal ``COPIES · epochs ·`` these)."""
    tok = Tokenizer.from_str(tokenizer_json)
    counts = np.zeros(vocab_size, dtype=np.int64)
    for d in docs_b:
        for t in tok.encode(d).ids:
            counts[t] += 1
    return counts
