"""The scanner on checkpoints written by ``transformers``' own ``save_pretrained`` (GPT-2: tied, untied, sharded,
padded), written inside each test: categories, the untrained warning, verification by prompting, and agreement with
the indicators computed straight from the model's weights."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from skeptic import glitch_tokens as gt
from skeptic.studies.glitch_tokens import corpus

transformers = pytest.importorskip("transformers")

ROOT = Path(__file__).resolve().parents[3]

TEXT = "the cat sat on the mat. the dog sat on the log. a cat and a dog. " * 40
TOKENIZER_TEXT = [TEXT, "Zorvexquil Zorvexquil Brixnov Brixnov " * 200]  # two words the model never sees


def _tokenizer() -> object:
    return corpus.train_tokenizer(TOKENIZER_TEXT, 300, ["<|endoftext|>", "<|reserved_0|>"])


def _model(vocab: int, tied: bool, seed: int = 0) -> object:
    torch.manual_seed(seed)
    cfg = transformers.GPT2Config(
        vocab_size=vocab,
        n_positions=64,
        n_embd=32,
        n_layer=1,
        n_head=2,
        tie_word_embeddings=tied,
        bos_token_id=0,
        eos_token_id=0,
    )
    return transformers.GPT2LMHeadModel(cfg)


def _train(model: object, tok: object, steps: int = 60) -> None:
    ids = torch.tensor(tok.encode(TEXT).ids)  # type: ignore[attr-defined]
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.1)  # type: ignore[attr-defined]
    g = torch.Generator().manual_seed(1)
    for _ in range(steps):
        starts = torch.randint(0, ids.numel() - 33, (8,), generator=g)
        x = torch.stack([ids[s : s + 32] for s in starts])
        loss = model(input_ids=x, labels=x).loss  # type: ignore[operator]
        opt.zero_grad()
        loss.backward()
        opt.step()


def _save(model: object, tok: object, d: Path, **kw: object) -> Path:
    model.save_pretrained(d, **kw)  # type: ignore[attr-defined]
    tok.save(str(d / "tokenizer.json"))  # type: ignore[attr-defined]
    return d


def _unseen(tok: object) -> list[int]:
    seen = set(tok.encode(TEXT).ids)  # type: ignore[attr-defined]
    vocab = tok.get_vocab()  # type: ignore[attr-defined]
    return [i for t, i in vocab.items() if i not in seen and len(t) > 2 and not t.startswith("<|")]


@pytest.mark.parametrize("tied", [True, False])
def test_scan_reads_save_pretrained_and_agrees_with_the_weights(tmp_path: Path, tied: bool) -> None:
    tok = _tokenizer()
    model = _model(tok.get_vocab_size(), tied)  # type: ignore[attr-defined]
    _train(model, tok)
    d = _save(model, tok, tmp_path / "ckpt")
    res = gt.scan(d)
    assert res.tied is tied
    assert res.main_indicator == ("unembedding_cosine" if tied else "input_norm")
    emb = model.transformer.wte.weight.detach()  # type: ignore[attr-defined]
    readout = model.lm_head.weight.detach()  # type: ignore[attr-defined]
    direct = gt.compute_indicators(emb, readout, res.reference)
    for key, values in direct.items():
        assert np.allclose([r[key] for r in res.rows], values, atol=1e-5), key
    if not tied:  # the never-seen words' input rows keep their initial norm; seen tokens' rows grow
        unseen = set(_unseen(tok))
        assert len(unseen) >= 2
        seen = set(tok.encode(TEXT).ids)  # type: ignore[attr-defined]
        seen_ok = [r for r in res.rows if r["category"] == "ok" and r["id"] in seen and r["byte"] is None]
        a = gt.auroc(
            -np.array([res.rows[i]["input_norm"] for i in unseen]), -np.array([r["input_norm"] for r in seen_ok])
        )
        assert a > 0.8
    assert not res.untrained["looks_untrained"]


def test_scan_warns_on_an_untrained_checkpoint(tmp_path: Path) -> None:
    tok = _tokenizer()
    d = _save(_model(tok.get_vocab_size(), tied=False), tok, tmp_path / "fresh")  # type: ignore[attr-defined]
    assert gt.scan(d).untrained["looks_untrained"]


def test_scan_reads_sharded_and_padded_checkpoints(tmp_path: Path) -> None:
    tok = _tokenizer()
    n = tok.get_vocab_size()  # type: ignore[attr-defined]
    model = _model(n + 64, tied=False)  # 64 padding rows beyond the tokenizer's vocabulary
    _train(model, tok)
    d = _save(model, tok, tmp_path / "sharded", max_shard_size="20KB")
    assert len(list(d.glob("*.safetensors"))) > 1 and (d / "model.safetensors.index.json").exists()
    res = gt.scan(d)
    assert res.vocab_size == n + 64 and not res.tied
    assert set(range(n, n + 64)) <= set(res.reference)  # padding rows are known unused
    assert all(res.rows[i]["category"] == "padding" and not res.rows[i]["candidate"] for i in range(n, n + 64))


def test_categories_have_magikarps_meaning(tmp_path: Path) -> None:
    tok = _tokenizer()
    special = {tok.token_to_id("<|endoftext|>"), tok.token_to_id("<|reserved_0|>")}  # type: ignore[attr-defined]
    cats = gt.categorize(tok, tok.get_vocab_size(), special)  # type: ignore[attr-defined]
    from skeptic.studies.glitch_tokens.indicators import bytes_to_unicode

    b2u = bytes_to_unicode()
    vocab = tok.get_vocab()  # type: ignore[attr-defined]
    assert cats[vocab[b2u[0xC3]]]["category"] == "partial_utf8"  # a lone lead byte decodes to U+FFFD
    assert cats[vocab[b2u[0xC3]]]["byte"] == 0xC3
    assert cats[vocab[b2u[ord("a")]]] == {"category": "ok", "byte": ord("a")}
    assert cats[vocab["<|endoftext|>"]]["category"] == "special"
    assert cats[vocab["Ġcat"]]["category"] == "ok" and cats[vocab["Ġcat"]]["byte"] is None


def test_verification_by_prompting_runs_on_a_transformers_gpt2(tmp_path: Path) -> None:
    tok = _tokenizer()
    model = _model(tok.get_vocab_size(), tied=True)  # type: ignore[attr-defined]
    d = _save(model, tok, tmp_path / "ckpt")
    ids = [tok.token_to_id("Ġcat"), *_unseen(tok)[:2]]  # type: ignore[attr-defined]
    v = gt.verify_checkpoint(d, ids)
    assert v["ran"], v
    assert set(v["max_prob"]) == set(ids) and all(0.0 <= p <= 1.0 for p in v["max_prob"].values())


def _copying_model(tok: object) -> tuple[object, list[int], list[int], set[int]]:
    """An untied GPT-2 trained on Land & Bartolo's 'repeats' prompt for 20 tokens only: it learns to repeat those,
    and the other multi-character tokens are never fed (the known answer of verification by prompting)."""
    from skeptic.studies.glitch_tokens import verify

    torch.set_num_threads(1)
    vocab = tok.get_vocab()  # type: ignore[attr-defined]
    ordinary = sorted(i for t, i in vocab.items() if len(t) > 1 and not t.startswith("<|"))
    np.random.default_rng(0).shuffle(ordinary)
    seen, unseen = ordinary[:20], ordinary[20:]
    prompts = verify.build_prompts(tok, verify.templates(64)["repeats"], np.array(seen), 64)  # type: ignore[arg-type]
    model = _model(tok.get_vocab_size(), tied=False)  # type: ignore[attr-defined]
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.1)  # type: ignore[attr-defined]
    g = torch.Generator().manual_seed(2)
    for _ in range(60):
        x = prompts[torch.randint(0, len(seen), (16,), generator=g)]
        loss = model(input_ids=x, labels=x).loss  # type: ignore[operator]
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model, seen, unseen, {int(i) for i in prompts.flatten()}


def test_verification_by_prompting_tells_trained_from_never_fed_tokens(tmp_path: Path) -> None:
    """Known answer: a GPT-2 trained to repeat 20 tokens gives each of them a repetition probability far above the
    paper's 1%, and every never-fed token one below it (verified under-trained)."""
    tok = _tokenizer()
    model, seen, unseen, _ = _copying_model(tok)
    d = _save(model, tok, tmp_path / "copying")
    v = gt.verify_checkpoint(d, seen + unseen)
    assert v["ran"], v
    assert len(unseen) >= 10
    assert all(v["max_prob"][i] > 0.5 for i in seen)
    assert all(v["max_prob"][i] < gt.VERIFICATION_THRESHOLD for i in unseen)


def test_verification_refuses_a_checkpoint_transformers_would_fill_at_random(tmp_path: Path) -> None:
    tok = _tokenizer()
    emb = torch.randn(tok.get_vocab_size(), 16)  # type: ignore[attr-defined]
    gt.save_checkpoint(tmp_path / "bare", emb, None, tok.to_str())  # type: ignore[attr-defined]
    v = gt.verify_checkpoint(tmp_path / "bare", [1, 2])
    assert not v["ran"]


def _glitch_scan(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SKEPTIC_RESULTS"}
    env["PYTHONPATH"] = str(ROOT / "src")
    return subprocess.run(
        [sys.executable, "-m", "skeptic", "glitch-scan", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


@pytest.mark.slow
def test_glitch_scan_command_on_save_pretrained_agrees_with_the_study_and_warns_when_untrained(tmp_path: Path) -> None:
    """``skeptic glitch-scan`` as a user runs it on GPT-2 checkpoints written by ``save_pretrained``: it lists the
    tokenizer's categories, its per-token indicators equal the study's own computation on the same weights (the
    study's reference set from the tokenizer, then :func:`compute_indicators`, as ``experiment.score_indicators``
    does), and it warns on a random-init checkpoint but not on a trained one."""
    from skeptic.studies.glitch_tokens import experiment

    tok = _tokenizer()
    model = _model(tok.get_vocab_size(), tied=False)  # type: ignore[attr-defined]
    _train(model, tok)
    trained = _save(model, tok, tmp_path / "trained")
    fresh = _save(_model(tok.get_vocab_size(), tied=False, seed=1), tok, tmp_path / "fresh")  # type: ignore[attr-defined]

    proc = _glitch_scan(str(trained), "--top", "5", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "categories:" in proc.stdout and "partial_utf8" in proc.stdout and "special" in proc.stdout
    assert "WARNING" not in proc.stderr

    proc = _glitch_scan(str(trained), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    reference = experiment.reference_tokens(tok.to_str())  # type: ignore[attr-defined]
    assert doc["reference"] == reference and not doc["tied"] and doc["main_indicator"] == "input_norm"
    assert doc["categories"]["special"] == 2 and doc["categories"]["partial_utf8"] > 0
    study = gt.compute_indicators(
        model.transformer.wte.weight.detach(),  # type: ignore[attr-defined]
        model.lm_head.weight.detach(),  # type: ignore[attr-defined]
        reference,
    )
    for key, values in study.items():
        assert np.allclose([r[key] for r in doc["tokens"]], values, atol=1e-5), key
    # the AUROC the study would report for never-seen vs seen tokens, from the scanner's numbers and from its own
    unseen = np.array(sorted(set(_unseen(tok))))
    seen = np.array(
        sorted(i for i in set(tok.encode(TEXT).ids) if doc["tokens"][i]["category"] == "ok")  # type: ignore[attr-defined]
    )
    scanned = np.array([r["input_norm"] for r in doc["tokens"]])
    assert experiment.auroc_record(scanned, unseen, seen) == experiment.auroc_record(study["input_norm"], unseen, seen)

    proc = _glitch_scan(str(fresh), "--top", "5", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" in proc.stderr and "untrained random initialization" in proc.stderr


@pytest.mark.slow
def test_glitch_scan_verify_prompts_a_save_pretrained_gpt2(tmp_path: Path) -> None:
    """``skeptic glitch-scan --verify N`` on a transformers GPT-2 that learned to repeat 20 tokens: the never-fed
    tokens (multi-character or single bytes) with the lowest input norm are the candidates, all of them verified
    under-trained, and the probabilities it reports are the ones :func:`verify_checkpoint` gives on the same
    checkpoint."""
    tok = _tokenizer()
    model, _, _, fed = _copying_model(tok)
    d = _save(model, tok, tmp_path / "copying")
    proc = _glitch_scan(str(d), "--verify", "4", "--top", "5", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "max repeat prob" in proc.stdout and "verified under-trained (max repetition probability < 1%): 4 of 4" in (
        proc.stdout.replace("\n", " ")
    )
    proc = _glitch_scan(str(d), "--verify", "4", "--json", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    v = doc["verification"]
    assert v["ran"] and len(v["candidates"]) == 4 and not set(v["candidates"]) & fed  # never-fed tokens
    direct = gt.verify_checkpoint(d, v["candidates"])["max_prob"]
    assert all(abs(v["max_prob"][str(i)] - direct[i]) < 1e-6 for i in v["candidates"])
