"""The indicators, the AUROC and its standard error, and the scanner, against known answers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from skeptic import glitch_tokens as gt
from skeptic.studies.glitch_tokens import corpus, indicators


def test_auroc_known_values() -> None:
    assert gt.auroc(np.array([3.0, 4.0]), np.array([1.0, 2.0])) == 1.0
    assert gt.auroc(np.array([1.0, 2.0]), np.array([3.0, 4.0])) == 0.0
    assert gt.auroc(np.array([1.0]), np.array([1.0])) == 0.5  # a tie counts one half
    # 1 of the 4 pairs is ordered: (2 > 1)
    assert gt.auroc(np.array([0.0, 2.0]), np.array([1.0, 3.0])) == pytest.approx(0.25)


def test_auroc_matches_pairwise_definition() -> None:
    rng = np.random.default_rng(0)
    pos, neg = rng.integers(0, 5, 30).astype(float), rng.integers(0, 5, 40).astype(float)
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert gt.auroc(pos, neg) == pytest.approx(pairs)


def test_hanley_mcneil_against_simulation() -> None:
    """The analytic SE matches the spread of AUROCs over repeated samples of binormal scores."""
    rng = np.random.default_rng(1)
    n_pos, n_neg = 40, 60
    vals = [gt.auroc(rng.normal(1.0, 1, n_pos), rng.normal(0.0, 1, n_neg)) for _ in range(2000)]
    a = float(np.mean(vals))
    assert gt.hanley_mcneil_se(a, n_pos, n_neg) == pytest.approx(np.std(vals), rel=0.15)
    assert gt.hanley_mcneil_se(0.5, 1000, 1000) == pytest.approx(math.sqrt((0.25 + 999 * (1 / 3 - 0.25) * 2) / 1e6))


def test_first_principal_component_recovers_a_planted_direction() -> None:
    g = torch.Generator().manual_seed(0)
    direction = torch.zeros(8)
    direction[3] = 1.0
    x = torch.randn(500, 8, generator=g) * 0.1 + torch.randn(500, 1, generator=g) * 3 * direction
    pc = gt.first_principal_component(x)
    assert abs(float(pc @ direction)) > 0.99
    assert float(pc.norm()) == pytest.approx(1.0, abs=1e-5)


def test_unembedding_cosine_ranks_rows_like_the_reference_lowest() -> None:
    g = torch.Generator().manual_seed(1)
    u = torch.randn(200, 16, generator=g)
    u[:, 0] *= 6  # the direction of largest variance (the first principal component, which the indicator removes)
    shared = torch.randn(16, generator=g)
    shared[0] = 0
    unused = list(range(20))
    u[unused] = 2 * shared + 0.1 * torch.randn(20, 16, generator=g)
    score = gt.unembedding_cosine(u, unused[:5])  # reference: 5 of the 20 unused rows
    assert gt.auroc(-score[5:20].numpy(), -score[20:].numpy()) == 1.0


def test_removing_the_first_component_can_remove_the_signal() -> None:
    """When the unused rows' shared offset is itself the direction of largest variance, the indicator loses it."""
    g = torch.Generator().manual_seed(1)
    u = torch.randn(200, 16, generator=g)
    unused = list(range(20))
    u[unused] = torch.randn(16, generator=g) * 5 + 0.1 * torch.randn(20, 16, generator=g)
    score = gt.unembedding_cosine(u, unused[:5])
    assert gt.auroc(-score[5:20].numpy(), -score[20:].numpy()) < 0.99


def test_shared_direction_fraction_limits() -> None:
    v = torch.randn(8)
    assert gt.shared_direction_fraction(v.repeat(10, 1)) == pytest.approx(1.0)
    rng = torch.Generator().manual_seed(2)
    assert gt.shared_direction_fraction(torch.randn(2000, 64, generator=rng)) < 0.01


def test_norms_and_centroid() -> None:
    e = torch.tensor([[3.0, 4.0], [0.0, 0.0], [-3.0, -4.0]])
    assert gt.input_norm(e).tolist() == [5.0, 0.0, 5.0]
    assert gt.centroid_distance(e).tolist() == [5.0, 0.0, 5.0]


def test_bytes_to_unicode_is_gpt2s_alphabet() -> None:
    b2u = indicators.bytes_to_unicode()
    assert len(set(b2u.values())) == 256
    assert b2u[ord("A")] == "A" and b2u[ord(" ")] == "Ġ" and b2u[0] == "Ā"


def _tiny_checkpoint(path: Path, tied: bool) -> tuple[torch.Tensor, list[int]]:
    tok = corpus.train_tokenizer(["hello world, hello there. " * 50], 300, ["<|endoftext|>", "<|reserved_0|>"])
    vocab = tok.get_vocab_size()
    g = torch.Generator().manual_seed(3)
    emb = torch.randn(vocab, 16, generator=g)
    unused = gt.known_unused(json.loads(tok.to_str()), tok.get_vocab(with_added_tokens=True))
    emb[unused] *= 0.01  # under-trained: tiny rows
    gt.save_checkpoint(path, emb, None if tied else torch.randn(vocab, 16, generator=g), tok.to_str())
    return emb, unused


def test_scan_finds_low_norm_rows_in_an_untied_checkpoint(tmp_path: Path) -> None:
    emb, unused = _tiny_checkpoint(tmp_path / "ckpt", tied=False)
    res = gt.scan(tmp_path / "ckpt")
    assert not res.tied and res.main_indicator == "input_norm"
    assert res.reference == unused and len(unused) >= 14  # reserved_0 + 13 bytes invalid in UTF-8
    assert [r["input_norm"] for r in res.rows] == pytest.approx(emb.norm(dim=1).tolist(), rel=1e-6)
    assert all(not r["candidate"] for r in res.rows if r["reference"])  # the reference is not scored


def test_scan_tied_uses_the_unembedding_indicator(tmp_path: Path) -> None:
    emb, unused = _tiny_checkpoint(tmp_path / "ckpt", tied=True)
    res = gt.scan(tmp_path / "ckpt")
    assert res.tied and res.main_indicator == "unembedding_cosine"
    expect = gt.unembedding_cosine(emb, unused).numpy()
    assert [r["unembedding_cosine"] for r in res.rows] == pytest.approx(expect.tolist(), abs=1e-6)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("missing", "no such file"),
        ("no-weights", "no *.safetensors"),
        ("garbage-weights", "not a readable safetensors"),
        ("no-tokenizer", "no tokenizer.json"),
        ("bad-tokenizer", "not a Hugging Face tokenizer.json"),
        ("no-embedding", "no input-embedding tensor"),
        ("a-file", "not a directory"),
    ],
)
def test_scan_rejects_a_malformed_checkpoint_in_one_line(tmp_path: Path, damage: str, message: str) -> None:
    from safetensors.torch import save_file

    d = tmp_path / "ckpt"
    _tiny_checkpoint(d, tied=False)
    if damage == "missing":
        d = tmp_path / "nowhere"
    elif damage == "no-weights":
        (d / "model.safetensors").unlink()
    elif damage == "garbage-weights":
        (d / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    elif damage == "no-tokenizer":
        (d / "tokenizer.json").unlink()
    elif damage == "bad-tokenizer":
        (d / "tokenizer.json").write_text("{")
    elif damage == "no-embedding":
        save_file({"h.0.weight": torch.zeros(4, 4)}, str(d / "model.safetensors"))
    elif damage == "a-file":
        d = d / "config.json"
    with pytest.raises(gt.ScanError, match=message.replace("*", r"\*")) as info:
        gt.scan(d)
    assert "\n" not in str(info.value)


def test_untrained_check_tells_a_random_init_from_an_anisotropic_trained_embedding() -> None:
    from skeptic.studies.glitch_tokens.indicators import untrained_check

    g = torch.Generator().manual_seed(0)
    random_rows = torch.randn(1000, 32, generator=g) * 0.02
    assert untrained_check(random_rows)["looks_untrained"]
    # training's signature: a shared direction and widely spread norms
    scales = torch.exp(torch.randn(1000, 1, generator=g))
    trained = random_rows * scales + 0.05 * torch.randn(32, generator=g)
    check = untrained_check(trained)
    assert not check["looks_untrained"] and check["norm_cv"] > 1.5 * check["norm_cv_random"]


def test_categorize_follows_magikarps_round_trip() -> None:
    from skeptic.studies.glitch_tokens import corpus
    from skeptic.studies.glitch_tokens.indicators import bytes_to_unicode, categorize

    tok = corpus.train_tokenizer(["héllo wörld hello world " * 30], 300, ["<|endoftext|>"])
    vocab = tok.get_vocab()
    cats = categorize(tok, tok.get_vocab_size() + 3, {vocab["<|endoftext|>"]})
    b2u = bytes_to_unicode()
    assert cats[vocab["<|endoftext|>"]]["category"] == "special"
    assert cats[vocab[b2u[0xC3]]] == {"category": "partial_utf8", "byte": 0xC3}  # a lead byte alone: U+FFFD
    assert cats[vocab["Ġworld"]] == {"category": "ok", "byte": None}
    assert [c["category"] for c in cats[-3:]] == ["padding"] * 3  # rows beyond the tokenizer's vocabulary


def test_categorize_finds_each_kind_of_unreachable_token() -> None:
    """magikarp's three unreachable categories, each built into a real tokenizer definition: a merge removed (the
    token's text re-encodes to several tokens), a lowercasing normalizer added (' Hello' re-encodes to the single
    token ' hello'), and a marker-like string in the BPE vocabulary that is not an added token."""
    import json

    from tokenizers import Tokenizer

    from skeptic.studies.glitch_tokens import corpus
    from skeptic.studies.glitch_tokens.indicators import categorize

    tok = corpus.train_tokenizer(["Hello hello world Hello hello world " * 40], 300, ["<|endoftext|>"])
    doc = json.loads(tok.to_str())
    vocab = doc["model"]["vocab"]
    assert {"ĠHello", "Ġhello", "Ġworld"} <= set(vocab)
    merges = doc["model"]["merges"]
    last = [m for m in merges if (m if isinstance(m, str) else " ".join(m)).replace(" ", "") == "Ġworld"]
    assert len(last) == 1
    merges.remove(last[0])  # ' world' stays in the vocabulary but BPE can no longer build it
    vocab["<|marker|>"] = max(vocab.values()) + 1  # a marker in the BPE vocabulary, not an added token
    doc["normalizer"] = {"type": "Lowercase"}  # ' Hello' now encodes as ' hello'
    broken = Tokenizer.from_str(json.dumps(doc))
    eot = broken.token_to_id("<|endoftext|>")
    assert eot is not None
    special = {eot}
    cats = categorize(broken, broken.get_vocab_size(), special)
    assert cats[vocab["Ġworld"]]["category"] == "unreachable_multi"
    assert cats[vocab["ĠHello"]]["category"] == "unreachable_single"
    assert cats[vocab["<|marker|>"]]["category"] == "unreachable_special"
    assert cats[vocab["Ġhello"]]["category"] == "ok"
    # the unbroken tokenizer reaches all of them: the categories come from the damage, not from the strings
    plain = categorize(tok, tok.get_vocab_size(), special)
    assert {plain[vocab[t]]["category"] for t in ("Ġworld", "ĠHello", "Ġhello")} == {"ok"}


def test_untrained_check_reads_an_untied_readout() -> None:
    """An untied model whose input embedding stayed close to its (large) random start but whose readout trained is
    not called untrained; one whose two matrices are both random is; a tied model is judged by its one matrix."""
    from skeptic.studies.glitch_tokens.indicators import untrained_check

    g = torch.Generator().manual_seed(1)
    emb = torch.randn(1000, 32, generator=g) * 0.2
    random_readout = torch.randn(1000, 32, generator=g) * 0.2
    scales = torch.exp(torch.randn(1000, 1, generator=g))
    trained_readout = random_readout * scales + 0.5 * torch.randn(32, generator=g)
    assert untrained_check(emb)["looks_untrained"]
    both_random = untrained_check(emb, random_readout)
    assert both_random["looks_untrained"] and both_random["readout"]["looks_random"]
    one_trained = untrained_check(emb, trained_readout)
    assert one_trained["looks_random"] and not one_trained["readout"]["looks_random"]
    assert not one_trained["looks_untrained"]
    tied = untrained_check(emb, emb.clone())
    assert tied["readout"] is None and tied["looks_untrained"]
