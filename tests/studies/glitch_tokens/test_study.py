"""The data pipeline's exact counts, the optimizer's closed form, and ``skeptic glitch-scan`` as a user runs it."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from skeptic import glitch_tokens as gt
from skeptic.core.claims import AllAtLeast, Estimate
from skeptic.studies.glitch_tokens import corpus, experiment, indicators, train
from skeptic.studies.glitch_tokens.claims import input_restores_share, output_restores_share, verified_by_count

ROOT = Path(__file__).resolve().parents[3]


def test_sequences_feed_each_chunk_token_exactly_copies_times() -> None:
    stream = np.arange(1, 25)
    seqs = corpus.make_sequences(stream, chunk=6, eos=0)
    assert seqs.shape == (4, 3 * 6 + 2)
    assert seqs[0].tolist() == [1, 2, 3, 4, 5, 6, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 0]
    counts = train.model_inputs_count(seqs[:, :-1], 25)
    assert (counts[1:] == corpus.COPIES).all()


def test_insert_words_inserts_exactly_count_times() -> None:
    docs = ["a b c d e f", "g h i j"]
    out = corpus.insert_words(docs, [(" Zorvex", 3), (" Quil", 1)], np.random.default_rng(0))
    text = "\n".join(out)
    assert text.count(" Zorvex") == 3 and text.count(" Quil") == 1


def test_planted_words_avoid_the_corpus() -> None:
    words = corpus.make_planted_words(20, np.random.default_rng(1), forbidden="zorvexquil appears here")
    assert len(set(words)) == 20 and " ZorVexQuil" not in words
    assert all(w.startswith(" ") and w[1].isupper() for w in words)


def test_planted_counts_cycle_the_rare_words_through_one_to_rare_max() -> None:
    assert corpus.planted_count_list(1, 4, 3) == [0, 1, 3, 10, 30, 1, 2, 3, 1]
    assert corpus.planted_count_list(2, 0, 10) == [0, 0, 1, 1, 3, 3, 10, 10, 30, 30]


def test_recombined_words_reuse_the_base_syllables_and_fall_back_to_fresh_words() -> None:
    base = [" ZorVex", " QuilMag"]
    assert sorted(corpus.recombined_words(base, 2, np.random.default_rng(0), forbidden="")) == [" QuilVex", " ZorMag"]
    assert corpus.recombined_words(base, 0, np.random.default_rng(0), forbidden="") == []
    assert corpus.recombined_words(base, 1, np.random.default_rng(0), forbidden="zormag") == [" QuilVex"]
    more = corpus.recombined_words(base, 5, np.random.default_rng(0), forbidden="")  # 2 pairs, then 3 fresh words
    assert len(set(more)) == 5 and not set(more) & set(base) and {" QuilVex", " ZorMag"} <= set(more)


def test_a_recombined_word_adds_one_token_and_no_intermediate() -> None:
    """BPE on the planted words alone: the base words' merges leave their syllables in the vocabulary, so each
    recombined word costs exactly one more merge (and the tokenizer encodes it as one token)."""
    rng = np.random.default_rng(3)
    base = corpus.make_planted_words(5, rng, forbidden="")
    extra = corpus.recombined_words(base, 8, rng, forbidden="")
    sizes = []
    for words in (base, base + extra):
        tok = corpus.train_tokenizer([(w * 10 + "\n") * 30 for w in words], 2000, [corpus.EOS])
        sizes.append(tok.get_vocab_size())
        assert all(len(tok.encode(w).ids) == 1 for w in words)
    assert sizes[1] - sizes[0] == len(extra)


def test_a_row_without_gradient_moves_only_by_weight_decay() -> None:
    """AdamW with zero gradient: p ← p(1 − ηλ) exactly; a row with gradient moves by about η (Adam's unit step)."""
    p = {"w": torch.ones(2, 3, 4)}  # two models, a 3 x 4 matrix each
    g = {"w": torch.zeros(2, 3, 4)}
    g["w"][:, 0] = 1.0
    state = {"w": (torch.zeros(2, 3, 4), torch.zeros(2, 3, 4))}
    train.adamw_step(p, g, state, step=0, lr=0.1, weight_decay=torch.tensor([0.0, 0.5]))
    assert torch.allclose(p["w"][0, 1:], torch.ones(2, 4))
    assert torch.allclose(p["w"][1, 1:], torch.full((2, 4), 0.95))
    assert torch.allclose(p["w"][0, 0], torch.full((4,), 0.9), atol=1e-5)  # 1 − η·m̂/√v̂ = 1 − 0.1


def test_graft_sequences_put_each_token_in_the_chunk_and_both_copies() -> None:
    from skeptic.studies.glitch_tokens.experiment import graft_sequences

    seqs = corpus.make_sequences(np.arange(1, 25), chunk=6, eos=0)
    out = graft_sequences(seqs, 6, np.array([90, 91, 92]), n=6, rng=np.random.default_rng(0))
    counts = train.model_inputs_count(out[:, :-1], 100)
    assert counts[90] == counts[91] == counts[92] == 4 * corpus.COPIES  # 12 insertions cycle through 3 tokens
    for row in out:
        c = row[:6]
        assert (row[7:19:2] == c).all() and (row[8:19:2] == c).all()  # the stuttered copy still copies the chunk


def test_scan_path_is_checked_before_anything_trains(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from skeptic.studies.glitch_tokens.config import PRESETS

    cfg = PRESETS["test"]
    with pytest.raises(ValidationError, match="no such file or directory"):
        cfg.model_validate(cfg.model_dump() | {"scan_path": str(tmp_path / "nowhere")})
    with pytest.raises(ValidationError, match=r"no \*\.safetensors"):
        cfg.model_validate(cfg.model_dump() | {"scan_path": str(tmp_path)})
    _checkpoint(tmp_path / "ckpt")
    assert cfg.model_validate(cfg.model_dump() | {"scan_path": str(tmp_path / "ckpt")}).scan_path


def test_lr_schedule_warms_up_and_decays_to_a_tenth() -> None:
    lrs = [train.lr_at(s, 100, 1.0, 10) for s in range(100)]
    assert lrs[0] == pytest.approx(0.1) and lrs[9] == pytest.approx(1.0)
    assert lrs[-1] == pytest.approx(0.1, abs=1e-3)


def test_every_at_least() -> None:
    assert AllAtLeast(0.9).evaluate([Estimate(0.95, 0.92, 0.98, "x"), Estimate(1, 1, 1, "x")])[0] == "replicated"
    assert AllAtLeast(0.9).evaluate([Estimate(0.95, 0.92, 0.98, "x"), Estimate(0.5, 0.4, 0.6, "x")])[0] == (
        "not_replicated"
    )
    assert AllAtLeast(0.9).evaluate([Estimate(0.91, 0.85, 0.97, "x")])[0] == "inconclusive"


def test_verified_by_count_bins_by_occurrences_and_pools_models() -> None:
    m = {
        "threshold": 0.01,
        "models": [{}, {}],
        "tokens": [
            {"occurrences": 0, "max_prob": [0.001, 0.002]},
            {"occurrences": 2, "max_prob": [0.5, 0.001]},
            {"occurrences": 50, "max_prob": [0.9, 0.8]},
        ],
    }
    est = verified_by_count(m)
    assert [e.value for e in est] == [1.0, 0.5, 0.0]  # bins 0, 1-3, >=4


def test_input_restores_share_is_the_input_graft_over_the_full_graft() -> None:
    m: dict[str, Any] = {
        "graft": {"tokens": 50, "n_models": 2, "rates": {"none": 0.0, "input": 0.3, "output": 0.0, "both": 0.6}}
    }
    e = input_restores_share(m)
    assert e.value == pytest.approx(0.5) and e.lo < 0.5 < e.hi
    m["graft"]["rates"]["both"] = 0.0
    assert math.isnan(input_restores_share(m).value)  # nothing restored: undefined, never a verdict
    m["graft"]["rates"] |= {"output": 0.6, "both": 0.8}
    assert output_restores_share(m).value == pytest.approx(0.75) and input_restores_share(m).value == pytest.approx(
        0.375
    )


def test_training_only_some_rows_leaves_every_other_weight_exactly_as_it_was() -> None:
    """The restoration test's premise: with ``only_rows`` and no weight decay, only the named rows move."""
    from skeptic.models import TransformerShape

    shape = TransformerShape(vocab_size=20, context=9, d_model=8, n_layers=1, n_heads=2)
    variants = [train.Variant("untied", False, 0.0, seed=1, embed_seed=2, arm="untied")]
    seqs = np.random.default_rng(0).integers(0, 20, size=(32, 10))
    base = train.train(
        seqs, shape, variants, epochs=1, batch_size=8, lr=1e-2, init_std=0.02, rng=np.random.default_rng(1)
    )
    rows = np.array([3, 7])
    tuned = train.train(
        seqs,
        shape,
        variants,
        epochs=1,
        batch_size=8,
        lr=1e-2,
        init_std=0.02,
        rng=np.random.default_rng(2),
        start=base.params,
        only_rows={train.UNEMBED: rows},
    )
    others = np.setdiff1d(np.arange(20), rows)
    for k, v in base.params.items():
        if k == train.UNEMBED:
            assert torch.equal(tuned.params[k][:, others], v[:, others])
            assert not torch.equal(tuned.params[k][:, rows], v[:, rows])
        else:
            assert torch.equal(tuned.params[k], v), k


def _skeptic(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SKEPTIC_RESULTS"}
    env["PYTHONPATH"] = str(ROOT / "src")
    return subprocess.run(
        [sys.executable, "-m", "skeptic", *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


def _checkpoint(path: Path) -> None:
    tok = corpus.train_tokenizer(["hello world, hello there. " * 50], 300, ["<|endoftext|>", "<|reserved_0|>"])
    emb = torch.randn(tok.get_vocab_size(), 16, generator=torch.Generator().manual_seed(0))
    emb[5] *= 0.001
    gt.save_checkpoint(path, emb, torch.randn(tok.get_vocab_size(), 16), tok.to_str())


@pytest.mark.slow
def test_glitch_scan_command(tmp_path: Path) -> None:
    _checkpoint(tmp_path / "ckpt")
    proc = _skeptic(
        "glitch-scan", str(tmp_path / "ckpt"), "--top", "5", "--out", str(tmp_path / "scan.csv"), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "input_norm" in proc.stdout and "candidates" in proc.stdout
    import csv

    with (tmp_path / "scan.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    n_rows = gt.load_checkpoint(tmp_path / "ckpt")[0].shape[0]
    assert len(rows) == n_rows and rows[5]["candidate"] == "True"
    proc = _skeptic("glitch-scan", str(tmp_path / "ckpt"), "--json", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    assert doc["main_indicator"] == "input_norm" and min(doc["tokens"], key=lambda r: r["input_norm"])["id"] == 5


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["missing", "garbage", "bad-reference"])
def test_glitch_scan_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, damage: str) -> None:
    d = tmp_path / "ckpt"
    _checkpoint(d)
    args = ["glitch-scan", str(d), "--out", str(tmp_path / "scan.csv")]
    if damage == "missing":
        args[1] = str(tmp_path / "nowhere")
    elif damage == "garbage":
        (d / "model.safetensors").write_bytes(b"not a safetensors file at all")
    else:
        args += ["--reference", "1,x"]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    proc = _skeptic(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skeptic: error:") and "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_repetition_prompts_hold_the_candidate_in_every_slot() -> None:
    from skeptic.studies.glitch_tokens import verify

    tok = corpus.train_tokenizer(["Below is the output, as you can see " * 20], 300, ["<|endoftext|>"])
    template = verify.templates(context=40)["repeats"]
    prompts = verify.build_prompts(tok, template, np.array([7, 9]), max_len=37)
    assert prompts.shape[1] == 37
    assert (prompts[0, -33:] == 7).all() and (prompts[1, -33:] == 9).all()  # 33 = 40 - 3 generated - 4


def test_repetition_probabilities_of_a_model_that_always_repeats() -> None:
    from skeptic.studies.glitch_tokens import verify

    vocab = 11

    def logits_fn(tokens: torch.Tensor) -> torch.Tensor:  # one "model" that puts 90% on the last token
        out = torch.full((1, *tokens.shape, vocab), 0.0)
        out.scatter_(-1, tokens[None, :, :, None], math.log(90.0))  # p = 90 / (90 + 10) = 0.9
        return out

    prompts = torch.tensor([[3, 3, 3], [5, 5, 5]])
    best, first = verify.repetition_probabilities(logits_fn, prompts, torch.tensor([3, 4]))
    assert best[0].tolist() == pytest.approx([0.9, 0.01], abs=1e-6)
    assert first[0].tolist() == [3, 5]


def _small_trained(steps: int = 3) -> train.Trained:
    from skeptic.models import TransformerShape

    shape = TransformerShape(vocab_size=40, context=12, d_model=16, n_layers=1, n_heads=2)
    variants = [train.Variant(f"v{k}", k >= 2, 0.1 * (k % 2), 10 + k, 20 + k) for k in range(4)]
    seqs = np.random.default_rng(0).integers(0, 40, size=(4 * steps, 12))
    return train.train(seqs, shape, variants, epochs=1, batch_size=4, lr=1e-2, init_std=0.02,
                       rng=np.random.default_rng(1))  # fmt: skip


def test_stacked_loss_is_each_models_own_cross_entropy() -> None:
    """The stacked body + readout gives, per model, what the model alone gives through TinyTransformer's forward."""
    from skeptic.models import TinyTransformer

    tr = _small_trained()
    x = torch.randint(0, 40, (3, 11), generator=torch.Generator().manual_seed(2))
    y = torch.randint(0, 40, (3, 11), generator=torch.Generator().manual_seed(3))
    _, hidden = train._stacked_body(tr.shape)
    tied = torch.tensor([v.tied for v in tr.variants])
    got = train.stacked_loss(hidden, tr.params, tied, x, y).detach()
    for m, v in enumerate(tr.variants):
        model = TinyTransformer(tr.shape)
        model.load_state_dict({k: p[m] for k, p in tr.params.items()})
        if v.tied:
            model.unembedding.weight.data = model.token_embedding.weight.data  # type: ignore[union-attr]
        want = torch.nn.functional.cross_entropy(model(x).reshape(-1, 40), y.reshape(-1)).detach()
        assert float(got[m]) == pytest.approx(float(want), rel=1e-5)


def test_untargeted_tokens_leave_the_mean_and_get_only_the_push_down() -> None:
    """``rare_not_targets``: positions predicting an untargeted token leave the mean (cross-entropy's
    ``ignore_index`` gives the same number), and an untargeted token's readout row then gets a gradient of one sign
    along the hidden states, the push-down, exactly as a token never in the batch would."""
    from skeptic.models import TinyTransformer

    tr = _small_trained()
    x = torch.randint(0, 40, (3, 11), generator=torch.Generator().manual_seed(2))
    y = torch.randint(0, 40, (3, 11), generator=torch.Generator().manual_seed(3))
    skip = torch.zeros(40, dtype=torch.bool)
    skip[[int(y[0, 0]), int(y[1, 4]), 39]] = True
    _, hidden = train._stacked_body(tr.shape)
    tied = torch.tensor([v.tied for v in tr.variants])
    got = train.stacked_loss(hidden, tr.params, tied, x, y, skip).detach()
    for m, v in enumerate(tr.variants):
        model = TinyTransformer(tr.shape)
        model.load_state_dict({k: p[m] for k, p in tr.params.items()})
        if v.tied:
            model.unembedding.weight.data = model.token_embedding.weight.data  # type: ignore[union-attr]
        masked = torch.where(skip[y], -100, y).reshape(-1)
        want = torch.nn.functional.cross_entropy(model(x).reshape(-1, 40), masked, ignore_index=-100).detach()
        assert float(got[m]) == pytest.approx(float(want), rel=1e-5)
    # the gradient on an untargeted row of the separate readout is Σ p·h / n over kept positions: the same as for a
    # token that never occurs as a target, and it vanishes when every position is skipped
    params = {k: p.clone().requires_grad_(True) for k, p in tr.params.items()}
    loss = train.stacked_loss(hidden, params, tied, x, y, skip).sum()
    g = torch.autograd.grad(loss, params[train.UNEMBED])[0]
    untied = [m for m, v in enumerate(tr.variants) if not v.tied]
    assert untied
    t = int(y[0, 0])
    with torch.no_grad():
        h = hidden(params, x).flatten(1, 2)
        logits = torch.bmm(h, train.effective_readout(params, tied).transpose(1, 2))
        p = torch.softmax(logits, dim=-1)
        keep = (~skip[y.reshape(-1)]).float()
        push = torch.einsum("mn,mnd->md", p[:, :, t] * keep, h) / keep.sum()
    for m in untied:
        assert torch.allclose(g[m, t], push[m], atol=1e-6)
    everything = torch.ones(40, dtype=torch.bool)
    assert float(train.stacked_loss(hidden, tr.params, tied, x, y, everything).abs().max()) == 0.0


def test_per_model_verification_equals_one_model_at_a_time() -> None:
    """Greedy repetition with every model continuing its own sequence in one call (last-position logits only)
    gives exactly what running each model's sequences through all models and keeping its own row gives."""
    from skeptic.studies.glitch_tokens import verify

    tr = _small_trained()
    prompts = torch.randint(0, 40, (5, 8), generator=torch.Generator().manual_seed(4))
    targets = torch.arange(5)
    full = verify.repetition_probabilities(lambda t: train.forward_all(tr, t), prompts, targets)
    fn = train.last_logits(tr)
    fast = verify.repetition_probabilities(fn, prompts, targets, per_model_fn=fn)
    assert torch.allclose(full[0], fast[0], rtol=1e-6, atol=1e-9) and torch.equal(full[1], fast[1])
    assert fn(prompts).shape == (4, 5, 1, 40)


def test_hand_written_adamw_matches_torch_optim_adamw() -> None:
    class _Ctx:
        device = "cpu"

        def rng(self, *key: str | int) -> np.random.Generator:
            return np.random.default_rng(3)

    o = experiment.optimizer_reference_check(_Ctx())  # type: ignore[arg-type]
    assert o["max_rel_diff"] < 1e-5 and o["moved"] > 1e-4


def test_probe_recomputations_agree_with_the_study_code_and_see_a_difference() -> None:
    from skeptic.studies.glitch_tokens import claims

    g = np.random.default_rng(0)
    pos, neg = g.normal(1, 1, 17), np.round(g.normal(0, 1, 90), 1)  # ties included
    a = indicators.auroc(pos, neg)
    assert abs(claims._mw_auroc(pos, neg) - a) < 1e-12
    assert abs(claims._hm_se(a, 17, 90) - indicators.hanley_mcneil_se(a, 17, 90)) < 1e-12
    assert abs(claims._mw_auroc(pos, neg[1:]) - a) > 1e-6


def test_layout_violations_count_rows_whose_copy_is_not_the_chunk() -> None:
    seqs = corpus.make_sequences(np.arange(40), 10, 99)
    assert experiment.layout_violations(seqs, 10) == 0
    grafted = experiment.graft_sequences(seqs, 10, np.array([500, 501]), 6, np.random.default_rng(0))
    assert experiment.layout_violations(grafted, 10) == 0
    grafted[0, 13] = 7  # one slot of the stuttered copy no longer its chunk's token
    grafted[2, 3] = 7  # one chunk token no longer matching its copies
    assert experiment.layout_violations(grafted, 10) == 2


def test_scanner_agrees_checks_computations_not_the_warnings_verdict() -> None:
    """``scanner-agrees`` passes when the scanner warns on a trained model with the run's own statistics (a result
    about the scanner, as at ``init_std=0.2``), and fails when its statistics, its warning or its indicators differ
    from the run's on the same weights."""
    import copy

    from skeptic.studies.glitch_tokens import claims

    g = torch.Generator().manual_seed(0)
    emb, readout = torch.randn(300, 16, generator=g), torch.randn(300, 16, generator=g)
    check = indicators.untrained_check(emb, readout)
    assert check["looks_untrained"]
    m: dict[str, Any] = {
        "reference": [1, 2],
        "models": [{"variant": "untied", "main_indicator": "input_norm", "untrained_check": check}],
        "scan": [
            {
                "variant": "untied",
                "max_abs_diff": 0.0,
                "reference": [1, 2],
                "main_indicator": "input_norm",
                "looks_untrained": True,
                "untrained": copy.deepcopy(check),
            }
        ],
    }
    probe = next(p for p in claims.PROBES if p.id == "scanner-agrees")
    outcome = probe.check(m)  # type: ignore[call-arg]
    assert outcome.passed and "fires on: ['untied']" in outcome.detail
    broken = copy.deepcopy(m)
    broken["scan"][0]["untrained"]["readout"]["norm_cv"] *= 1.01  # the scanner read another readout
    assert not probe.check(broken).passed  # type: ignore[call-arg]
    broken = copy.deepcopy(m)
    broken["scan"][0]["untrained"]["readout"] = None  # the scanner took the model for tied
    assert not probe.check(broken).passed  # type: ignore[call-arg]
    broken = copy.deepcopy(m)
    broken["scan"][0]["max_abs_diff"] = 1e-3
    assert not probe.check(broken).passed  # type: ignore[call-arg]


def test_byte_alphabet_check_sees_a_wrong_character(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hand-written byte alphabet agrees with the tokenizers library's; a byte mapped to a wrong code point, or two
    ASCII bytes swapped, is seen."""
    assert experiment.byte_alphabet_errors() == 0
    orig = indicators.bytes_to_unicode

    def shifted() -> dict[int, str]:
        d = orig()
        d[200] = chr(256 - 5)  # the code points of the non-printable bytes counted down instead of up
        return d

    def swapped() -> dict[int, str]:
        d = orig()
        d[ord("a")], d[ord("b")] = d[ord("b")], d[ord("a")]
        return d

    for bad in (shifted, swapped):
        monkeypatch.setattr(indicators, "bytes_to_unicode", bad)
        assert experiment.byte_alphabet_errors() > 0


def test_feed_in_place_writes_each_token_times_times_into_distinct_sequences_at_the_same_budget() -> None:
    seqs = corpus.make_sequences(np.arange(1, 61), chunk=6, eos=0)  # 10 sequences
    tokens = np.array([90, 91, 92])
    out, delta = experiment.feed_in_place(seqs, 6, tokens, times=4, vocab=100, rng=np.random.default_rng(0))
    assert out.shape == seqs.shape and experiment.layout_violations(out, 6) == 0
    assert int(np.sum(np.any(out != seqs, axis=1))) == 6  # ⌈4·3/2⌉ sequences written, each once
    counts = train.model_inputs_count(out[:, :-1], 100)
    assert (counts[tokens] == 4 * corpus.COPIES).all()  # 12 insertions cycle through 3 tokens
    assert (delta == counts - train.model_inputs_count(seqs[:, :-1], 100)).all()
    assert delta[1:61].sum() == -12 * corpus.COPIES  # what was overwritten
    with pytest.raises(ValueError, match="needs 11 sequences"):
        experiment.feed_in_place(seqs, 6, np.arange(90, 101), times=2, vocab=110, rng=np.random.default_rng(0))
