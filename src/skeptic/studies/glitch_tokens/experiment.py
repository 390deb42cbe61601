"""The experiment, top to bottom: corpora and tokenizer, batched training, indicators, verification, scanner check.

Everything the claims and probes read is computed here and returned as JSON-able measurements.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from skeptic.models import TransformerShape
from skeptic.studies.glitch_tokens import corpus, indicators, train, verify

MAIN = {True: "unembedding_cosine", False: "input_norm"}
"""The main indicator by tying: Land & Bartolo use the input-embedding norm where embeddings are untied, and the
unembedding indicator (which needs known-unused tokens) where they are tied."""


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


def run_experiment(
    cfg: Any,
    seed: int,
    rng: Callable[[str], np.random.Generator],
    device: str,
    log: Callable[[str], None],
    progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    t0 = time.perf_counter()
    corp = corpus.build(
        vocab_size=cfg.vocab_size,
        n_planted_per_count=cfg.planted_per_count,
        plant_repeats_a=cfg.plant_repeats,
        n_reserved=cfg.n_reserved,
        corpus_fraction=cfg.corpus_fraction,
        chunk=cfg.chunk,
        batch_size=cfg.batch_size,
        rng=rng("corpus"),
    )
    vocab = int(corp.meta["vocab_size"])  # type: ignore[call-overload]
    timing = {"corpus_s": time.perf_counter() - t0}
    shape = TransformerShape(
        vocab_size=vocab, context=3 * cfg.chunk + 1, d_model=cfg.d_model, n_layers=cfg.n_layers, n_heads=cfg.n_heads
    )
    variants = [
        train.Variant(f"{'tied' if tied else 'untied'}, wd {wd:g}", tied, wd, seed * 1000 + 17 * k + s)
        for k, (tied, wd) in enumerate([(False, 0.0), (False, cfg.weight_decay), (True, 0.0), (True, cfg.weight_decay)])
        for s in range(cfg.n_seeds)
    ]
    log(f"glitch-tokens: training {len(variants)} models on {corp.meta['tokens_b']} tokens, vocabulary {vocab}")
    t1 = time.perf_counter()
    trained = train.train(
        corp.sequences,
        shape,
        variants,
        epochs=cfg.epochs,
        batch_size=cfg.batch_size,
        lr=cfg.lr,
        init_std=cfg.init_std,
        rng=rng("batches"),
        device=device,
        progress=progress,
    )
    timing["train_s"] = time.perf_counter() - t1
    E_in, U = train.final_matrices(trained)
    counts = trained.input_counts
    recount = corpus.independent_recount(corp.tokenizer_json, corp.docs_b, vocab)
    reference = reference_tokens(corp.tokenizer_json)
    special = set(corp.special)
    ref_set = set(reference)
    ids = np.arange(vocab)
    scored = np.array([i for i in ids if i not in special and i not in ref_set])
    pos = scored[counts[scored] == 0]
    neg = scored[counts[scored] >= cfg.frequent_count]

    # --- indicators and their accuracy, per model -----------------------------------------------------------
    t2 = time.perf_counter()
    models: list[dict[str, Any]] = []
    ind_all: list[dict[str, np.ndarray]] = []
    zero_input = ids[counts == 0]
    for m, v in enumerate(variants):
        ind = indicators.compute_indicators(E_in[m], U[m], reference)
        ind_all.append(ind)
        d_read = U[m] - trained.readout_init[m]
        d_in = E_in[m] - trained.embed_init[m]
        main = MAIN[v.tied]
        order = scored[np.argsort(ind[main][scored], kind="stable")]
        n_cand = max(round(cfg.candidate_percent / 100 * scored.size), 1)
        decay = float(np.prod([1 - lr * v.weight_decay for lr in trained.lr_schedule]))
        untouched = [int(i) for i in zero_input if i not in special]
        rel_err = float("nan")
        if not v.tied and untouched:
            expect = trained.embed_init[m][untouched] * decay
            rel_err = float((E_in[m][untouched] - expect).norm() / expect.norm().clamp(min=1e-30))
        models.append(
            {
                "variant": v.name,
                "tied": v.tied,
                "weight_decay": v.weight_decay,
                "seed": v.seed,
                "main_indicator": main,
                "auroc": {k: auroc_record(x, pos, neg) for k, x in ind.items()},
                "reference_auroc": indicators.auroc(-ind[main][reference], -ind[main][neg]),
                "candidates": [int(i) for i in order[:n_cand]],
                "shared_readout_unused": indicators.shared_direction_fraction(d_read[pos]),
                "shared_readout_trained": indicators.shared_direction_fraction(d_read[neg]),
                "shared_input_unused": indicators.shared_direction_fraction(d_in[pos]),
                "moved_readout_unused": float(
                    (d_read[pos].norm(dim=1) / trained.readout_init[m][pos].norm(dim=1)).mean()
                ),
                "moved_input_unused": float((d_in[pos].norm(dim=1) / trained.embed_init[m][pos].norm(dim=1)).mean()),
                "moved_input_trained": float((d_in[neg].norm(dim=1) / trained.embed_init[m][neg].norm(dim=1)).mean()),
                "decay_factor": decay,
                "untouched_rel_error": rel_err,
                "init_norm_ratio": float(
                    trained.embed_init[m].norm(dim=1).mean() / (cfg.init_std * shape.d_model**0.5)
                ),
                "readout_minus_embedding": float((U[m] - E_in[m]).abs().max()),
                "final_loss": trained.losses[-1][m],
            }
        )
    se_check = _se_crosscheck(ind_all, models, pos, neg, rng("bootstrap"))
    timing["indicators_s"] = time.perf_counter() - t2

    # --- verification by prompting ----------------------------------------------------------------------------
    t3 = time.perf_counter()
    g = rng("controls")
    controls = np.sort(g.choice(neg, size=min(cfg.n_controls, neg.size), replace=False)) if neg.size else neg
    rare = scored[counts[scored] < cfg.frequent_count]
    if rare.size > cfg.n_verify_rare:  # a random sample of the rarely or never fed tokens
        rare = np.sort(g.choice(rare, size=cfg.n_verify_rare, replace=False))
    cand_union = {i for mm in models for i in mm["candidates"]}
    planted_ids = [int(p["token"]) for p in corp.planted if p["token"] is not None]  # type: ignore[call-overload]
    to_verify = np.array(sorted(set(rare.tolist()) | set(controls.tolist()) | cand_union | set(planted_ids)))
    ver = verify.verify(
        corp.tokenizer, lambda x: train.forward_all(trained, x).cpu(), to_verify, shape.context, chunk=cfg.verify_chunk
    )
    timing["verify_s"] = time.perf_counter() - t3
    col = {int(t): j for j, t in enumerate(to_verify)}

    # --- the scanner on saved checkpoints reproduces the in-run indicators ------------------------------------
    t4 = time.perf_counter()
    scan_rows = []
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
            scan_rows.append(
                {"variant": v.name, "tied_detected": res.tied, "max_abs_diff": diff, "reference": res.reference}
            )
    timing["scan_s"] = time.perf_counter() - t4

    # --- per-token table ---------------------------------------------------------------------------------------
    control_set = set(controls.tolist())
    planted_by_id = {int(p["token"]): p for p in corp.planted if p["token"] is not None}  # type: ignore[call-overload]
    tokens = []
    for t in to_verify:
        t = int(t)
        tokens.append(
            {
                "id": t,
                "token": corp.tokenizer.id_to_token(t),
                "count": int(counts[t]),
                "planted": planted_by_id[t]["planted"] if t in planted_by_id else None,
                "control": t in control_set,
                "max_prob": [float(ver["max_prob"][m, col[t]]) for m in range(len(variants))],
                "repeated": [bool(ver["repeated"][m, col[t]]) for m in range(len(variants))],
                "main": [float(ind_all[m][MAIN[v.tied]][t]) for m, v in enumerate(variants)],
            }
        )
    unigram = counts[counts > 0] / counts.sum()
    timing["total_s"] = time.perf_counter() - t0
    return {
        "corpus": corp.meta,
        "epochs": cfg.epochs,
        "copies": corpus.COPIES,
        "frequent_count": cfg.frequent_count,
        "variants": [v.name for v in variants],
        "models": models,
        "counts": counts.tolist(),
        "recount": recount.tolist(),
        "special": sorted(special),
        "reference": reference,
        "reference_names": [corp.tokenizer.id_to_token(i) for i in reference],
        "reference_in_text": _reference_in_text(corp, reference),
        "n_pos": int(pos.size),
        "n_neg": int(neg.size),
        "planted": [
            dict(p) | {"recount": int(recount[p["token"]]) if p["token"] is not None else None}  # type: ignore[call-overload]
            for p in corp.planted
        ],
        "tokens": tokens,
        "threshold": verify.THRESHOLD,
        "scan": scan_rows,
        "se_check": se_check,
        "init_correlation": _init_correlation(trained),
        "unigram_entropy": float(-(unigram * np.log(unigram)).sum()),
        "losses": trained.losses,
        "lr_final": trained.lr_schedule[-1],
        "timing": timing,
    }


def _se_crosscheck(
    ind_all: list[dict[str, np.ndarray]],
    models: list[dict[str, Any]],
    pos: np.ndarray,
    neg: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Analytic (Hanley–McNeil) vs bootstrap SE for the least accurate main indicator over the models."""
    m = int(np.argmin([mm["auroc"][mm["main_indicator"]]["auroc"] for mm in models]))
    key = models[m]["main_indicator"]
    x = ind_all[m][key]
    boot = indicators.bootstrap_auroc_se(-x[pos], -x[neg], rng)
    return {
        "model": models[m]["variant"],
        "indicator": key,
        "analytic": models[m]["auroc"][key]["se"],
        "bootstrap": boot,
    }


def _init_correlation(trained: train.Trained) -> float:
    """The largest |correlation| between two models' initial embeddings (independent seeds: ≈ 0)."""
    e = trained.embed_init.reshape(trained.embed_init.shape[0], -1)
    if e.shape[0] < 2:
        return 0.0
    c = torch.corrcoef(e)
    c = c - torch.diag(torch.diag(c))
    return float(c.abs().max())


def _reference_in_text(corp: corpus.Corpora, reference: list[int]) -> list[int]:
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
