"""The experiment in named sections: corpora and tokenizer, training, indicators, verification, the graft experiment
(Kosoy's account), and the scanner on the saved models. ``study.run`` calls them in this order.

Everything the claims and probes read is returned as JSON-able measurements. Token sets, all by the count of
occurrences in the model's training text (corpus B), among tokens magikarp would call ``ok`` (text can contain them),
not single bytes, neither special nor known-unused:

* ``never``: never seen (0 occurrences);
* ``rare``: seen 1 to ``rare_max`` times;
* ``frequent``: seen at least ``frequent_count`` times (the negatives of every AUROC).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import replace
from typing import Any, Protocol

import numpy as np
import torch

from skeptic.models import TransformerShape
from skeptic.studies.glitch_tokens import corpus, indicators, train, verify
from skeptic.study import largest

MAIN = {True: "unembedding_cosine", False: "input_norm"}
"""The main indicator by tying: Land & Bartolo use the input-embedding norm where embeddings are untied, and the
unembedding indicator (which needs known-unused tokens) where they are tied."""

ARMS = (("untied", False), ("untied+wd", True), ("tied", False), ("tied+wd", True))
"""The four arms: tying (the arm's name; ``tie_all`` ties the untied arms too) and whether weight decay is on."""

GROUPS = ("never", "rare")


class Ctx(Protocol):
    """What the sections need of the run context (the runner's, or a test's)."""

    def rng(self, *key: str | int) -> np.random.Generator: ...
    def seed_for(self, *key: str | int) -> int: ...

    device: str


def reference_tokens(tokenizer_json: str) -> list[int]:
    """Known-unused tokens found by tokenizer analysis alone (never from the training data): reserved special tokens
    and single-byte tokens of bytes that cannot occur in UTF-8 text (see :func:`indicators.known_unused`)."""
    doc = json.loads(tokenizer_json)
    from tokenizers import Tokenizer

    vocab = Tokenizer.from_str(tokenizer_json).get_vocab(with_added_tokens=True)
    return indicators.known_unused(doc, vocab)


def auroc_record(ind: np.ndarray, pos: np.ndarray, neg: np.ndarray) -> dict[str, float]:
    """AUROC of ``-ind`` (low indicator = under-trained) for positives vs negatives, with its Hanley–McNeil SE."""
    a = indicators.auroc(-ind[pos], -ind[neg])
    return {"auroc": a, "se": indicators.hanley_mcneil_se(a, int(pos.size), int(neg.size))}


# ---------------------------------------------------------------------------------------------------------------
# 1. corpora, tokenizer and the token sets
# ---------------------------------------------------------------------------------------------------------------


def build_corpus(cfg: Any, ctx: Ctx) -> tuple[corpus.Corpora, dict[str, Any]]:
    """Both corpora and the tokenizer, and every token's category and occurrence count in corpus B."""
    corp = corpus.build(
        vocab_size=cfg.vocab_size,
        n_planted_per_count=cfg.planted_per_count,
        plant_repeats_a=cfg.plant_repeats,
        n_reserved=cfg.n_reserved,
        corpus_fraction=cfg.corpus_fraction,
        chunk=cfg.chunk,
        batch_size=cfg.batch_size,
        rng=ctx.rng("corpus"),
        held_out_topics=cfg.held_out_topics,
        stream_length=cfg.stream_length,
        rare_planted=cfg.rare_planted,
        rare_max=cfg.rare_max,
    )
    vocab = int(corp.meta["vocab_size"])  # type: ignore[call-overload]
    occurrences = corpus.independent_recount(corp.tokenizer_json, corp.docs_b, vocab)
    reference = reference_tokens(corp.tokenizer_json)
    cats = indicators.categorize(corp.tokenizer, vocab, set(corp.special))
    special, ref = set(corp.special), set(reference)
    scored = np.array(
        [
            i
            for i in range(vocab)
            if cats[i]["category"] == "ok" and cats[i]["byte"] is None and i not in special and i not in ref
        ]
    )  # ordinary tokens: byte tokens are a category of their own (as in magikarp), counted apart
    sets = {
        "never": scored[occurrences[scored] == 0],
        "rare": scored[(occurrences[scored] >= 1) & (occurrences[scored] <= cfg.rare_max)],
        "frequent": scored[occurrences[scored] >= cfg.frequent_count],
    }
    info = {
        "vocab": vocab,
        "occurrences": occurrences,
        "reference": reference,
        "categories": cats,
        "scored": scored,
        "sets": sets,
    }
    return corp, info


# ---------------------------------------------------------------------------------------------------------------
# 2. training
# ---------------------------------------------------------------------------------------------------------------


def make_variants(cfg: Any, ctx: Ctx) -> list[train.Variant]:
    """One model per arm and seed; seeds come from named streams (``init``/``embed``, arm, seed index)."""
    return [
        train.Variant(
            name=arm,
            tied=arm.startswith("tied") or cfg.tie_all,
            weight_decay=cfg.weight_decay if wd else 0.0,
            seed=ctx.seed_for("init", arm, s),
            embed_seed=ctx.seed_for("embed", arm, s),
            arm=arm.split("+")[0],
        )
        for arm, wd in ARMS
        for s in range(cfg.n_seeds)
    ]


def model_shape(cfg: Any, vocab: int) -> TransformerShape:
    return TransformerShape(
        vocab_size=vocab, context=3 * cfg.chunk + 1, d_model=cfg.d_model, n_layers=cfg.n_layers, n_heads=cfg.n_heads
    )


def train_models(
    cfg: Any, ctx: Ctx, corp: corpus.Corpora, info: dict[str, Any], progress: Any = None
) -> tuple[train.Trained, list[train.Variant]]:
    """Train every arm on the same batches of corpus B (``freeze_unseen_readout``: never-seen readout rows fixed)."""
    variants = make_variants(cfg, ctx)
    unseen = np.flatnonzero(info["occurrences"] == 0) if cfg.freeze_unseen_readout else None
    sequences = corp.sequences
    never = info["sets"]["never"]
    info["extra_counts"] = np.zeros(info["vocab"], dtype=np.int64)
    if cfg.feed_never_seen and never.size:  # the token-count contrast: the text's never-seen tokens are fed after all
        n_extra = -(-cfg.feed_never_seen * never.size // 2)  # two insertions per sequence
        extra = graft_sequences(corp.sequences, cfg.chunk, never, n_extra, ctx.rng("feed-never-seen"))
        info["extra_counts"] = train.model_inputs_count(extra[:, :-1], info["vocab"])
        sequences = np.concatenate([sequences, extra])
        n_keep = len(sequences) - len(sequences) % cfg.batch_size
        if n_keep < len(sequences):  # whole batches only: drop the last extra rows and their counts
            info["extra_counts"] -= train.model_inputs_count(sequences[n_keep:, :-1], info["vocab"])
            sequences = sequences[:n_keep]
    rare = info["sets"]["rare"]
    if cfg.feed_rare and rare.size:  # the rare-feed contrast: rarely seen tokens written into the text's own sequences
        fed, delta = feed_in_place(
            sequences[: len(corp.sequences)], cfg.chunk, rare, cfg.feed_rare, info["vocab"], ctx.rng("feed-rare")
        )
        sequences = np.concatenate([fed, sequences[len(corp.sequences) :]])
        info["extra_counts"] = info["extra_counts"] + delta
    if cfg.never_seen_as_targets and never.size:  # the Kosoy contrast: trained readout rows, random input rows
        g = ctx.rng("never-seen-as-targets")
        rows = sequences[g.integers(len(corp.sequences), size=cfg.never_seen_as_targets * never.size)].copy()
        rows[:, -1] = np.tile(never, cfg.never_seen_as_targets)  # the last position is a target, never an input
        n_keep = len(rows) - (len(sequences) + len(rows)) % cfg.batch_size
        rows = rows[:n_keep]
        info["extra_counts"] = info["extra_counts"] + train.model_inputs_count(rows[:, :-1], info["vocab"])
        sequences = np.concatenate([sequences, rows])
    info["n_sequences"] = len(sequences)
    info["sequence_length"] = int(sequences.shape[1])
    info["layout_bad"] = layout_violations(sequences, cfg.chunk)
    trained = train.train(
        sequences,
        model_shape(cfg, info["vocab"]),
        variants,
        epochs=cfg.epochs,
        batch_size=cfg.batch_size,
        lr=cfg.lr,
        init_std=cfg.init_std,
        rng=ctx.rng("batches"),
        device=ctx.device,
        progress=progress,
        frozen_readout_rows=unseen,
        untargeted_rows=info["sets"]["rare"] if cfg.rare_not_targets else None,
    )
    return trained, variants


# ---------------------------------------------------------------------------------------------------------------
# 3. indicators and their accuracy
# ---------------------------------------------------------------------------------------------------------------


def score_indicators(
    cfg: Any, ctx: Ctx, trained: train.Trained, variants: list[train.Variant], info: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, np.ndarray]]]:
    """Per model: every indicator's AUROC for never-seen and for rarely seen tokens against frequent ones, the
    candidates of its main indicator, and how the rows of never-seen tokens moved."""
    E_in, U = train.final_matrices(trained)
    sets, scored, reference = info["sets"], info["scored"], info["reference"]
    never, frequent = sets["never"], sets["frequent"]
    zero_input = np.flatnonzero(trained.input_counts == 0)
    models: list[dict[str, Any]] = []
    ind_all: list[dict[str, np.ndarray]] = []
    for m, v in enumerate(variants):
        ind = indicators.compute_indicators(E_in[m], U[m], reference)
        ind_all.append(ind)
        d_read = U[m] - trained.readout_init[m]
        d_in = E_in[m] - trained.embed_init[m]
        main = MAIN[v.tied]
        order = scored[np.argsort(ind[main][scored], kind="stable")]
        n_cand = max(round(cfg.candidate_percent / 100 * scored.size), 1)
        decay = float(np.prod([1 - lr * v.weight_decay for lr in trained.lr_schedule]))
        untouched = [int(i) for i in zero_input]
        rel_err = float("nan")
        if not v.tied and untouched:
            expect = trained.embed_init[m][untouched] * decay
            rel_err = float((E_in[m][untouched] - expect).norm() / expect.norm().clamp(min=1e-30))
        models.append(
            {
                "variant": v.name,
                "arm": v.arm,
                "tied": v.tied,
                "weight_decay": v.weight_decay,
                "seed": v.seed,
                "main_indicator": main,
                "auroc": {
                    group: {k: auroc_record(x, sets[group], frequent) for k, x in ind.items()} for group in GROUPS
                },
                "candidates": [int(i) for i in order[:n_cand]],
                "shared_readout_unused": indicators.shared_direction_fraction(d_read[never]),
                "shared_readout_trained": indicators.shared_direction_fraction(d_read[frequent]),
                "shared_input_unused": indicators.shared_direction_fraction(d_in[never]),
                "moved_readout_unused": _moved(d_read[never], trained.readout_init[m][never]),
                "moved_input_unused": _moved(d_in[never], trained.embed_init[m][never]),
                "moved_input_trained": _moved(d_in[frequent], trained.embed_init[m][frequent]),
                "decay_factor": decay,
                "untouched_rel_error": rel_err,
                "init_norm_ratio": float(
                    trained.embed_init[m].norm(dim=1).mean() / (cfg.init_std * trained.shape.d_model**0.5)
                ),
                "readout_minus_embedding": float((U[m] - E_in[m]).abs().max()),
                "final_loss": trained.losses[-1][m],
                "untrained_check": indicators.untrained_check(E_in[m], U[m]),
                "indicator_values": {k: [float(x) for x in ind[k]] for k in ind},
                "indicator_check": indicators_in_numpy_diff(E_in[m], U[m], reference, ind),
                "param_shapes": {k: list(p.shape[1:]) for k, p in trained.params.items()},
            }
        )
    return models, ind_all


def indicators_in_numpy_diff(
    embedding: torch.Tensor, readout: torch.Tensor, reference: list[int], ind: dict[str, np.ndarray]
) -> dict[str, float]:
    """Each indicator written out again in float64 NumPy from its definition (the first principal component by an
    SVD rather than an eigendecomposition): the largest absolute difference from the study's values."""
    e = embedding.double().numpy()
    u = readout.double().numpy()
    mine = {"input_norm": np.sqrt((e * e).sum(axis=1)), "centroid_distance": np.linalg.norm(e - e.mean(axis=0), axis=1)}
    if reference:
        pc = np.linalg.svd(u - u.mean(axis=0), full_matrices=False)[2][0]
        r = u - np.outer(u @ pc, pc)
        ref = r[reference].mean(axis=0)
        cos = (r @ ref) / np.maximum(np.linalg.norm(r, axis=1) * np.linalg.norm(ref), 1e-6)
        mine["unembedding_cosine"] = 1 - cos
    keys = set(mine) | set(ind)
    return {k: float(np.max(np.abs(mine[k] - ind[k]))) if k in mine and k in ind else float("inf") for k in keys}


def _moved(delta: torch.Tensor, init: torch.Tensor) -> float:
    if delta.shape[0] == 0:
        return float("nan")
    return float((delta.norm(dim=1) / init.norm(dim=1)).mean())


def known_answer_checks(ctx: Ctx, d: int) -> dict[str, Any]:
    """The indicator and AUROC code on cases with a known answer, independent of the trained models.

    * A matrix of ``N(0, 1)`` rows in which 20 rows are scaled by 0.05 and moved by 0.3 × one shared vector: the input
      norm and the unembedding indicator (with 5 of those rows as reference) must rank the other 15 below every
      ordinary row (AUROC exactly 1); a row order shuffled together with the labels must give the same AUROC.
    * A "model" that gives token 0 the probabilities 0.5%, 5% and 50% after three prompts: Land & Bartolo's 1%
      threshold verifies the first alone.
    * Two normal samples (100 positives ``N(1, 1)``, 1000 negatives ``N(0, 1)``, true AUROC Φ(1/√2) = 0.760): the
      Hanley–McNeil standard error against a bootstrap over the same samples.
    """
    g = ctx.rng("known-answer")
    n = 400
    x = torch.as_tensor(g.normal(size=(n, d)), dtype=torch.float32)
    odd = np.arange(20)
    shared = torch.as_tensor(g.normal(size=d), dtype=torch.float32)
    x[odd] = 0.05 * x[odd] + 0.3 * shared  # shrunken, and mostly one shared vector
    ind = indicators.compute_indicators(x, x, [int(i) for i in odd[:5]])
    pos, neg = odd[5:], np.arange(20, n)
    aurocs = {k: indicators.auroc(-v[pos], -v[neg]) for k, v in ind.items()}
    perm = g.permutation(n)
    inv = np.argsort(perm)
    ind_p = indicators.compute_indicators(x[perm], x[perm], [int(inv[i]) for i in odd[:5]])
    aurocs_perm = {k: indicators.auroc(-v[inv[pos]], -v[inv[neg]]) for k, v in ind_p.items()}
    # verification's classification on a "model" whose repetition probabilities are known (0.5%, 5%, 50%)
    known_p = torch.tensor([0.005, 0.05, 0.5])

    def fixed(tokens: torch.Tensor) -> torch.Tensor:  # next-token distribution (p, 1 − p, 0) after prompt p
        logits = torch.full((1, *tokens.shape, 3), -1e4)
        logits[0, :, :, 0] = torch.log(known_p[tokens[:, :1]])
        logits[0, :, :, 1] = torch.log(1 - known_p[tokens[:, :1]])
        return logits

    best, _ = verify.repetition_probabilities(fixed, torch.tensor([[0], [1], [2]]), torch.zeros(3, dtype=torch.long))
    verified_known = [bool(p < verify.THRESHOLD) for p in best[0].tolist()]
    known_probs = [float(p) for p in best[0].tolist()]  # must be 0.005, 0.05, 0.5 themselves (a softmax over the
    # prompts instead of the vocabulary kept the classification and moved three claims at held-out seed 93911)
    # 100 vs 1000 (30 vs 300 until session 18: there the Hanley–McNeil SE, which runs ~1.17 times the bootstrap's on
    # normal samples, fell outside the factor 1.5 in ~3% of seeds, e.g. test seed 11, 1.58; none of 300 seeds here)
    p_s, n_s = g.normal(1.0, 1.0, 100), g.normal(0.0, 1.0, 1000)
    a = indicators.auroc(p_s, n_s)
    return {
        "optimizer": optimizer_reference_check(ctx),
        "aurocs": aurocs,
        "aurocs_permuted": aurocs_perm,
        "se_auroc": a,
        "se_analytic": indicators.hanley_mcneil_se(a, p_s.size, n_s.size),
        "se_bootstrap": indicators.bootstrap_auroc_se(p_s, n_s, g),
        "verified_known": verified_known,
        "known_probs": known_probs,
        "byte_alphabet_errors": byte_alphabet_errors(),
    }


def byte_alphabet_errors() -> int:
    """:func:`indicators.bytes_to_unicode` (hand-written, used to name byte tokens and the invalid-UTF-8 reference set)
    against the ``tokenizers`` library's own: the same 256 characters as ``ByteLevel.alphabet()``, one per byte, and
    every ASCII byte's character decoded back to that byte by ``tokenizers``' ByteLevel decoder. The mismatches."""
    from tokenizers import decoders, pre_tokenizers

    b2u = indicators.bytes_to_unicode()
    errors = len(set(b2u.values()) ^ set(pre_tokenizers.ByteLevel.alphabet())) + (256 - len(set(b2u.values())))
    dec = decoders.ByteLevel()
    errors += sum(dec.decode([b2u[b]]) != chr(b) for b in range(128))
    return errors


def optimizer_reference_check(ctx: Ctx, steps: int = 6) -> dict[str, float]:
    """The hand-written stacked AdamW (:func:`train.adamw_step`) against ``torch.optim.AdamW`` over a few steps of
    random gradients: two stacked models with different weight decay (0.1 and 0), a matrix (decayed) and a vector
    (never decayed), a changing learning rate. Returns the largest relative difference of the parameters."""
    g = ctx.rng("optimizer-reference")
    mats = torch.as_tensor(g.normal(size=(2, 5, 3)), dtype=torch.float32)
    vecs = torch.as_tensor(g.normal(size=(2, 3)), dtype=torch.float32)
    grads = [
        (
            torch.as_tensor(g.normal(size=(2, 5, 3)), dtype=torch.float32),
            torch.as_tensor(g.normal(size=(2, 3)), dtype=torch.float32),
        )
        for _ in range(steps)
    ]
    lrs = [0.01 * (1 + k) / steps for k in range(steps)]
    wds = (0.1, 0.0)
    params = {"m": mats.clone(), "v": vecs.clone()}
    state = {k: (torch.zeros_like(p), torch.zeros_like(p)) for k, p in params.items()}
    for k, (gm, gv) in enumerate(grads):
        train.adamw_step(params, {"m": gm, "v": gv}, state, k, lrs[k], torch.tensor(wds))
    worst = 0.0
    for i, wd in enumerate(wds):
        pm = torch.nn.Parameter(mats[i].clone())
        pv = torch.nn.Parameter(vecs[i].clone())
        opt = torch.optim.AdamW(
            [{"params": [pm], "weight_decay": wd}, {"params": [pv], "weight_decay": 0.0}],
            lr=lrs[0],
            betas=(0.9, 0.95),
            eps=1e-8,
        )
        for k, (gm, gv) in enumerate(grads):
            for group in opt.param_groups:
                group["lr"] = lrs[k]
            pm.grad, pv.grad = gm[i].clone(), gv[i].clone()
            opt.step()
        for mine, ref in ((params["m"][i], pm.detach()), (params["v"][i], pv.detach())):
            worst = largest((worst, float((mine - ref).abs().max() / ref.abs().max())))
    moved = float((params["m"] - mats).abs().max())
    return {"max_rel_diff": worst, "moved": moved}


# ---------------------------------------------------------------------------------------------------------------
# 4. verification by prompting
# ---------------------------------------------------------------------------------------------------------------


def verify_tokens(
    cfg: Any,
    ctx: Ctx,
    corp: corpus.Corpora,
    trained: train.Trained,
    variants: list[train.Variant],
    info: dict[str, Any],
    models: list[dict[str, Any]],
    ind_all: list[dict[str, np.ndarray]],
) -> list[dict[str, Any]]:
    """Repetition probabilities of never-seen, rare, candidate, planted and frequent control tokens, every model."""
    sets, counts = info["sets"], trained.input_counts
    g = ctx.rng("controls")
    frequent = sets["frequent"]
    controls = np.sort(g.choice(frequent, size=min(cfg.n_controls, frequent.size), replace=False))
    low = np.concatenate([sets["never"], sets["rare"]])
    if low.size > cfg.n_verify_rare:
        low = np.sort(g.choice(low, size=cfg.n_verify_rare, replace=False))
    cand_union = {i for mm in models for i in mm["candidates"]}
    planted_ids = [int(p["token"]) for p in corp.planted if p["token"] is not None]  # type: ignore[call-overload]
    to_verify = np.array(sorted(set(low.tolist()) | set(controls.tolist()) | cand_union | set(planted_ids)))
    logits = train.last_logits(trained)
    ver = verify.verify(
        corp.tokenizer, logits, to_verify, trained.shape.context, chunk=cfg.verify_chunk, per_model_fn=logits
    )
    col = {int(t): j for j, t in enumerate(to_verify)}
    control_set = set(controls.tolist())
    planted_by_id = {int(p["token"]): p for p in corp.planted if p["token"] is not None}  # type: ignore[call-overload]
    occ = info["occurrences"]
    tokens = []
    for t in to_verify:
        t = int(t)
        tokens.append(
            {
                "id": t,
                "token": corp.tokenizer.id_to_token(t),
                "count": int(counts[t]),
                "occurrences": int(occ[t]),
                "planted": planted_by_id[t]["planted"] if t in planted_by_id else None,
                "control": t in control_set,
                "max_prob": [float(ver["max_prob"][m, col[t]]) for m in range(len(variants))],
                "repeated": [bool(ver["repeated"][m, col[t]]) for m in range(len(variants))],
                "main": [float(ind_all[m][MAIN[v.tied]][t]) for m, v in enumerate(variants)],
            }
        )
    return tokens


# ---------------------------------------------------------------------------------------------------------------
# 5. the graft experiment: random input features or output suppression? (Kosoy's account)
# ---------------------------------------------------------------------------------------------------------------


def graft_sequences(
    sequences: np.ndarray, chunk: int, tokens: np.ndarray, n: int, rng: np.random.Generator
) -> np.ndarray:
    """``n`` training sequences in which two positions of the chunk (and their copies in the stuttered half) hold
    tokens of ``tokens``, cycling through them so each occurs about equally often."""
    rows = sequences[rng.integers(len(sequences), size=n)].copy()
    write_tokens(rows, np.arange(n), chunk, tokens, rng)
    return rows


def write_tokens(
    sequences: np.ndarray, which: np.ndarray, chunk: int, tokens: np.ndarray, rng: np.random.Generator
) -> None:
    """In place: two random positions of the chunk of each sequence in ``which`` (and their copies in the stuttered
    half) take tokens of ``tokens`` in turn, so each token is written about equally often
    (``2·len(which) / len(tokens)`` times); a sequence listed twice is written twice."""
    for k, r in enumerate(which):
        for j, pos in enumerate(rng.choice(chunk, size=2, replace=False)):
            t = tokens[(2 * k + j) % tokens.size]
            sequences[r, pos] = t
            sequences[r, chunk + 1 + 2 * pos] = t
            sequences[r, chunk + 2 + 2 * pos] = t


def feed_in_place(
    sequences: np.ndarray, chunk: int, tokens: np.ndarray, times: int, vocab: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The rare-feed contrast at the same budget: ``⌈times · len(tokens) / 2⌉`` distinct sequences of the text get two
    of ``tokens`` written into their chunk and its stuttered copies, so each token is written at least ``times``
    times (``COPIES · times`` inputs per pass) and the number of sequences, hence of steps, is unchanged. Returns the
    new sequences and the change in every token's input count (negative for the tokens overwritten). Refuses when the
    text has fewer sequences than that (a sequence written twice could lose an earlier write)."""
    n = -(-times * tokens.size // 2)  # two insertions per sequence
    if n > len(sequences):
        raise ValueError(
            f"feed_rare={times} needs {n} sequences for {tokens.size} rarely seen tokens; the text has {len(sequences)}"
        )
    out = sequences.copy()
    write_tokens(out, rng.choice(len(out), size=n, replace=False), chunk, tokens, rng)
    delta = train.model_inputs_count(out[:, :-1], vocab) - train.model_inputs_count(sequences[:, :-1], vocab)
    return out, delta


def layout_violations(sequences: np.ndarray, chunk: int) -> int:
    """Training sequences whose second part is not the stuttered copy of their chunk (positions ``L+1+2i`` and
    ``L+2+2i`` both equal to position ``i``): the layout every sequence fed to a model must have."""
    c = sequences[:, :chunk]
    first = sequences[:, chunk + 1 : 3 * chunk + 1 : 2]
    second = sequences[:, chunk + 2 : 3 * chunk + 2 : 2]
    if first.shape != c.shape or second.shape != c.shape:
        return len(sequences)
    return int(np.sum(np.any(first != c, axis=1) | np.any(second != c, axis=1)))


GRAFT_SIDES = {"input": (train.EMBED,), "output": (train.UNEMBED,), "both": (train.EMBED, train.UNEMBED)}
"""Which rows of the never-seen tokens each restoration trains: the input row, the readout row, or both."""


def graft_experiment(
    cfg: Any,
    ctx: Ctx,
    corp: corpus.Corpora,
    trained: train.Trained,
    variants: list[train.Variant],
    info: dict[str, Any],
) -> dict[str, Any]:
    """Kosoy: "the trained model mapped those tokens to more or less random features". If random input features are
    why a never-seen token cannot be repeated, giving it a trained input row should restore repetition; if the
    readout row's suppression is why, a trained readout row should.

    Each untied model is trained on sequences in which the never-seen tokens occur (``graft_steps`` steps at ``lr``
    × ``graft_lr_factor``, no weight decay) with *only* the never-seen tokens' input rows trainable, only their
    readout rows, or both; every other parameter gets no gradient and stays exactly as trained. Each restored row
    is thus the best value gradient descent finds for it given the model as it is and the other row as it is
    (suppressed readout, or random input), so a one-sided restoration is not undone by rows co-adapted in a joint
    fine-tune. The rate is the share of (token, model) pairs whose maximal repetition probability reaches 1%:
    ``none`` (the model as trained), ``input``, ``output``, ``both`` (the positive control).
    """
    never = info["sets"]["never"]
    out: dict[str, Any] = {"tokens": int(never.size)}
    untied = [m for m, v in enumerate(variants) if not v.tied]
    if never.size == 0 or not untied:
        return out | {"rates": {}, "seen": 0}
    n_seq = cfg.graft_steps * cfg.batch_size
    seqs = graft_sequences(corp.sequences, cfg.chunk, never, n_seq, ctx.rng("graft", "sequences"))
    out["layout_bad"] = layout_violations(seqs, cfg.chunk)
    base = {k: v[untied].clone() for k, v in trained.params.items()}
    arms = [replace(variants[m], weight_decay=0.0) for m in untied]

    def rate(params: dict[str, torch.Tensor]) -> float:
        model = train.Trained(**{**trained.__dict__, "params": params, "variants": arms})
        logits = train.last_logits(model)
        ver = verify.verify(
            corp.tokenizer, logits, never, trained.shape.context, chunk=cfg.verify_chunk, per_model_fn=logits
        )
        return float(np.mean(ver["max_prob"] >= verify.THRESHOLD))

    rates = {"none": rate(base)}
    moved: dict[str, dict[str, int]] = {}
    seen = 0
    for side, names in GRAFT_SIDES.items():
        tuned = train.train(
            seqs,
            trained.shape,
            arms,
            epochs=1,
            batch_size=cfg.batch_size,
            lr=cfg.lr * cfg.graft_lr_factor,
            init_std=cfg.init_std,
            rng=ctx.rng("graft", "batches"),  # the same batches for every side
            device=ctx.device,
            start=base,
            only_rows={name: never for name in names},
        )
        rates[side] = rate(tuned.params)
        moved[side] = rows_moved(base, tuned.params, never)
        seen = int(tuned.input_counts[never].min())
    return out | {"rates": rates, "seen": seen, "n_models": len(untied), "moved": moved}


def rows_moved(before: dict[str, torch.Tensor], after: dict[str, torch.Tensor], rows: np.ndarray) -> dict[str, int]:
    """Which parameters a restoration changed: rows of ``rows`` and other rows of the input embedding and of the
    readout, and entries of every other parameter."""
    inside = np.zeros(before[train.EMBED].shape[1], dtype=bool)
    inside[rows] = True
    out = {}
    for name, key in ((train.EMBED, "input"), (train.UNEMBED, "readout")):
        changed = (after[name] != before[name]).flatten(2).any(dim=2).any(dim=0).numpy()  # [M, V, d] -> [V]
        out[f"{key}_rows"] = int((changed & inside).sum())
        out[f"{key}_other_rows"] = int((changed & ~inside).sum())
    out["other_params"] = int(
        sum(int((after[k] != before[k]).sum()) for k in before if k not in (train.EMBED, train.UNEMBED))
    )
    return out


# ---------------------------------------------------------------------------------------------------------------
# 6. the scanner on the saved models
# ---------------------------------------------------------------------------------------------------------------


def check_scanner(
    cfg: Any,
    corp: corpus.Corpora,
    trained: train.Trained,
    variants: list[train.Variant],
    ind_all: list[dict[str, np.ndarray]],
) -> list[dict[str, Any]]:
    """Save the first seed of each arm as a safetensors checkpoint and scan it: the scanner must reproduce the
    in-run indicators and untrained-check statistics and detect the tying. Whether it calls a trained model
    untrained is recorded (``looks_untrained``) as a result about the scanner, not checked here."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for m, v in enumerate(variants):
            if m % cfg.n_seeds:
                continue
            path = f"{tmp}/model{m}"
            # straight from the trained parameters, not through final_matrices: an independent path
            emb = trained.params[train.EMBED][m]
            indicators.save_checkpoint(
                path, emb, None if v.tied else trained.params[train.UNEMBED][m], corp.tokenizer_json
            )
            res = indicators.scan(path)
            diff = max(float(np.max(np.abs(np.array([r[k] for r in res.rows]) - ind_all[m][k]))) for k in ind_all[m])
            rows.append(
                {
                    "variant": v.name,
                    "tied": v.tied,
                    "tied_detected": res.tied,
                    "max_abs_diff": diff,
                    "reference": res.reference,
                    "looks_untrained": res.untrained["looks_untrained"],
                    "untrained": res.untrained,
                    "main_indicator": res.main_indicator,
                }
            )
    return rows


# ---------------------------------------------------------------------------------------------------------------
# helpers for the measurements
# ---------------------------------------------------------------------------------------------------------------


def init_correlation(trained: train.Trained) -> float:
    """The largest |correlation| between two models' initial embeddings (independent seeds: ≈ 0)."""
    e = trained.embed_init.reshape(trained.embed_init.shape[0], -1)
    if e.shape[0] < 2:
        return 0.0
    c = torch.corrcoef(e)
    c = c - torch.diag(torch.diag(c))
    return float(c.abs().max())


def reference_in_text(corp: corpus.Corpora, reference: list[int]) -> list[int]:
    """Reference ids whose text occurs in corpus B's raw text (by string for specials, by bytes for byte tokens)."""
    raw = "\n".join(corp.docs_b)
    raw_bytes = raw.encode("utf-8")
    b2u = {u: b for b, u in indicators.bytes_to_unicode().items()}
    found = []
    for i in reference:
        name = corp.tokenizer.id_to_token(i) or ""
        if len(name) == 1 and name in b2u:
            if bytes([b2u[name]]) in raw_bytes:
                found.append(i)
        elif name in raw:
            found.append(i)
    return found


def corpus_measurements(cfg: Any, corp: corpus.Corpora, trained: train.Trained, info: dict[str, Any]) -> dict[str, Any]:
    """What the probes and the brief read about the text, the tokenizer and the counts."""
    counts = trained.input_counts
    unigram = counts[counts > 0] / counts.sum()
    return text_measurements(cfg, corp, info) | {
        "epochs": cfg.epochs,
        "copies": corpus.COPIES,
        "counts": counts.tolist(),
        "extra_counts": info["extra_counts"].tolist(),
        "threshold": verify.THRESHOLD,
        "init_correlation": init_correlation(trained),
        "unigram_entropy": float(-(unigram * np.log(unigram)).sum()),
        "losses": trained.losses,
        "lr_final": trained.lr_schedule[-1],
        "lr_schedule": trained.lr_schedule,
        "n_sequences": int(info["n_sequences"]),
        "sequence_length": int(info["sequence_length"]),
        "layout_bad": int(info["layout_bad"]),
        "untargeted_positions": trained.untargeted_positions,
    }


def text_measurements(cfg: Any, corp: corpus.Corpora, info: dict[str, Any]) -> dict[str, Any]:
    """The text, the tokenizer, the token categories and sets (everything known before training)."""
    cats = info["categories"]
    by_cat: dict[str, int] = {}
    for c in cats:
        by_cat[c["category"]] = by_cat.get(c["category"], 0) + 1
    sets = info["sets"]
    return {
        "corpus": corp.meta,
        "frequent_count": cfg.frequent_count,
        "rare_max": cfg.rare_max,
        "recount": info["occurrences"].tolist(),
        "special": sorted(corp.special),
        "reference": info["reference"],
        "reference_names": [corp.tokenizer.id_to_token(i) for i in info["reference"]],
        "reference_in_text": reference_in_text(corp, info["reference"]),
        "categories": by_cat,
        "byte_tokens": sum(c["byte"] is not None for c in cats),
        "byte_tokens_never_seen": int(
            sum(c["byte"] is not None and info["occurrences"][i] == 0 for i, c in enumerate(cats))
        ),
        "n_scored": int(info["scored"].size),
        "n_never": int(sets["never"].size),
        "n_rare": int(sets["rare"].size),
        "n_frequent": int(sets["frequent"].size),
        "planted": [
            dict(p) | {"recount": int(info["occurrences"][p["token"]]) if p["token"] is not None else None}
            for p in corp.planted
        ],
        "scored": [int(i) for i in info["scored"]],
        "sets": {k: [int(i) for i in v] for k, v in sets.items()},
        "texts": text_digests(corp),
        "tokenizer_json": corp.tokenizer_json,
        "token_categories": [c["category"] for c in cats],
        "token_bytes": [c["byte"] for c in cats],
    }


def text_digest(text: str) -> str:
    """A short SHA-256 of a text (what the corpus-as-declared probe compares with the help topics it reads itself)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def text_digests(corp: corpus.Corpora) -> dict[str, Any]:
    """What the tokenizer and the model were given, as digests: the topic names of corpus A in order, a digest of
    each text the tokenizer trained on, and of each corpus-B document with the planted words taken out again
    (they occur nowhere in the help topics, so removing them gives the document as it was before insertion)."""
    words = [" " + str(p["word"]) for p in corp.planted]
    plain = []
    for d in corp.docs_b:
        for w in words:
            d = d.replace(w, "")
        plain.append(text_digest(d))
    return {
        "names_a": list(corp.names_a),
        "names_fresh": list(corp.names_fresh),
        "text_a": [text_digest(t) for t in corp.text_a],
        "docs_b_plain": plain,
    }
