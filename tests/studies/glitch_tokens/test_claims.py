"""The declared-setup probes: the corpus and tokenizer, the token categories and the experiments, each recomputed
apart from the code that built them, pass on what the study builds and fail on a build that departs from the config."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from skeptic.studies.glitch_tokens import claims, experiment, indicators
from skeptic.studies.glitch_tokens.config import PRESETS, GlitchConfig


class _Ctx:
    device = "cpu"

    def rng(self, *key: str | int) -> np.random.Generator:
        return np.random.default_rng(5)

    def seed_for(self, *key: str | int) -> int:
        return 5


INDICATORS = ("input_norm", "centroid_distance", "unembedding_cosine")
CFG = PRESETS["test"].model_copy(update={"corpus_fraction": 0.02, "vocab_size": 320, "stream_length": 1})


def _text_measurements(cfg: GlitchConfig) -> dict[str, Any]:
    corp, info = experiment.build_corpus(cfg, _Ctx())
    return experiment.text_measurements(cfg, corp, info)


@pytest.fixture(scope="module")
def text_m() -> dict[str, Any]:
    return _text_measurements(CFG)


def test_corpus_and_categories_as_built_pass(text_m: dict[str, Any]) -> None:
    out = claims._corpus_as_declared(text_m, CFG)
    assert out.passed, out.detail
    out = claims._categories_recomputed(text_m)
    assert out.passed, out.detail
    assert text_m["byte_tokens"] == 256 and text_m["n_never"] > 0


@pytest.mark.parametrize(
    "update",
    [
        {"held_out_topics": 2},  # the run kept one topic out, the config declares two
        {"corpus_fraction": 0.03},  # documents cut to another budget
        {"plant_repeats": 200},  # the planted words repeated another number of times for the tokenizer
        {"vocab_size": 330},  # the tokenizer trained to another size
        {"n_reserved": 4},  # other special tokens
        {"planted_per_count": 2},  # another number of planted words
        {"rare_planted": 5},  # another number of rarely seen planted words
    ],
)
def test_corpus_as_declared_sees_a_run_built_from_another_config(
    text_m: dict[str, Any], update: dict[str, Any]
) -> None:
    assert not claims._corpus_as_declared(text_m, CFG.model_copy(update=update)).passed


def test_corpus_as_declared_sees_a_held_out_topic_left_in_corpus_b(text_m: dict[str, Any]) -> None:
    broken = copy.deepcopy(text_m)
    broken["texts"]["docs_b_plain"] = broken["texts"]["text_a"][: broken["corpus"]["n_topics_a"]]
    assert not claims._corpus_as_declared(broken, CFG).passed
    broken = copy.deepcopy(text_m)
    broken["corpus"]["chars_b"] += 1
    assert not claims._corpus_as_declared(broken, CFG).passed


def test_a_longer_stream_adds_fresh_text_with_the_same_planted_counts_and_tokenizer(text_m: dict[str, Any]) -> None:
    """``stream_length`` 3: corpus A and the tokenizer unchanged, the training text B plus twice B's characters of
    help topics outside A, the planted words' counts totals over it all; the probe passes it and sees it declared
    as another length."""
    cfg = CFG.model_copy(update={"stream_length": 3})
    long = _text_measurements(cfg)
    assert long["tokenizer_json"] == text_m["tokenizer_json"]
    assert long["texts"]["text_a"] == text_m["texts"]["text_a"]
    n_b = text_m["corpus"]["n_topics_b"]
    assert long["texts"]["docs_b_plain"][:n_b] == text_m["texts"]["docs_b_plain"]
    fresh = long["texts"]["names_fresh"]
    assert fresh and not set(fresh) & set(long["texts"]["names_a"]) and text_m["texts"]["names_fresh"] == []
    planted_chars = sum(len(str(p["word"])) + 1 for p in text_m["planted"] for _ in range(int(p["planted"])))
    plain_b = text_m["corpus"]["chars_b"] - planted_chars
    assert long["corpus"]["chars_b"] - planted_chars == 3 * plain_b
    assert [p["recount"] for p in long["planted"]] == [p["recount"] for p in text_m["planted"]]
    assert [p["recount"] for p in long["planted"] if p["token"] is not None] == [
        p["planted"] for p in long["planted"] if p["token"] is not None
    ]
    assert claims._corpus_as_declared(long, cfg).passed
    out = claims._corpus_as_declared(long, CFG.model_copy(update={"stream_length": 2}))
    assert not out.passed and "fresh topic" in out.detail
    assert not claims._corpus_as_declared(text_m, cfg).passed


def test_categories_recomputed_sees_byte_tokens_taken_for_ordinary_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indicators, "single_byte", lambda raw: None)  # every single-byte token missed
    m = _text_measurements(CFG)
    out = claims._categories_recomputed(m)
    assert not out.passed and "scored tokens" in out.detail and "bytes" in out.detail


def test_categories_recomputed_sees_a_wrong_category_or_set(text_m: dict[str, Any]) -> None:
    changes: tuple[tuple[str, Callable[[dict[str, Any]], object]], ...] = (
        ("token_categories", lambda m: m["token_categories"].__setitem__(m["scored"][0], "partial_utf8")),
        ("reference", lambda m: m["reference"].pop()),
        ("sets", lambda m: m["sets"]["never"].append(m["sets"]["frequent"][0])),
        ("n_rare", lambda m: m.__setitem__("n_rare", m["n_rare"] + 1)),
    )
    for key, change in changes:
        broken = copy.deepcopy(text_m)
        change(broken)
        assert not claims._categories_recomputed(broken).passed, key


def _run_like(n_never: int = 3) -> dict[str, Any]:
    """A minimal run: four models (one seed), their AUROCs, verified tokens, the scan and the graft."""
    arms = ["untied", "untied+wd", "tied", "tied+wd"]
    auroc = {g: {k: {"auroc": 0.9, "se": 0.02} for k in INDICATORS} for g in ("never", "rare")}
    tokens: list[dict[str, Any]] = [
        {"id": i, "control": i >= 10, "occurrences": 0 if i < 10 else 50, "max_prob": [0.001 if i < 10 else 0.5] * 4}
        for i in range(20)
    ]
    for t in tokens:
        t["repeated"] = [p > 0.1 for p in t["max_prob"]]
        t["main"] = [0.0] * 4
    rates = {"none": 0.0, "input": 0.2, "output": 0.6, "both": 0.8}
    moved = {s: {"input_rows": 1} for s in ("input", "output", "both")}
    return {
        "models": [{"variant": a, "arm": a.split("+")[0], "auroc": auroc, "candidates": [0, 1]} for a in arms],
        "scan": [{"variant": a} for a in arms],
        "tokens": tokens,
        "threshold": 0.01,
        "recount": [0] * n_never + [50] * 20,
        "scored": list(range(n_never + 20)),
        "graft": {"tokens": n_never, "n_models": 2, "rates": rates, "moved": moved, "seen": 40},
    }


def test_experiments_as_declared_passes_a_complete_run() -> None:
    cfg = GlitchConfig()
    out = claims._experiments_as_declared(_run_like(), cfg)
    assert out.passed, out.detail
    tie_all = _run_like()
    tie_all["graft"] = {"tokens": 3, "rates": {}, "seen": 0}
    assert claims._experiments_as_declared(tie_all, cfg.model_copy(update={"tie_all": True})).passed


def test_experiments_as_declared_sees_a_dropped_experiment() -> None:
    cfg = GlitchConfig()
    dropped = _run_like()
    dropped["graft"] = {"tokens": 3, "rates": {}, "seen": 0}  # the graft skipped though untied arms exist
    out = claims._experiments_as_declared(dropped, cfg)
    assert not out.passed and "graft" in out.detail
    one_side = _run_like()
    del one_side["graft"]["rates"]["output"]
    assert not claims._experiments_as_declared(one_side, cfg).passed
    fewer = _run_like()
    fewer["graft"]["n_models"] = 1
    assert not claims._experiments_as_declared(fewer, cfg).passed
    unscanned = _run_like()
    unscanned["scan"] = unscanned["scan"][:2]
    assert not claims._experiments_as_declared(unscanned, cfg).passed
    unverified = _run_like()
    unverified["tokens"][3]["max_prob"] = unverified["tokens"][3]["max_prob"][:2]
    assert not claims._experiments_as_declared(unverified, cfg).passed
    no_group = _run_like()
    no_group["models"][1]["auroc"] = {"never": no_group["models"][1]["auroc"]["never"]}
    assert not claims._experiments_as_declared(no_group, cfg).passed


def test_targets_as_declared_counts_the_skipped_targets_of_a_real_training() -> None:
    """Two short trainings of the test setting, rarely seen tokens targets or not: the probe passes each against its
    own config and fails each against the other (a contrast knob read the wrong way round)."""
    runs = {}
    for skip in (False, True):
        cfg = CFG.model_copy(update={"epochs": 1, "rare_not_targets": skip})
        corp, info = experiment.build_corpus(cfg, _Ctx())
        trained, _ = experiment.train_models(cfg, _Ctx(), corp, info)
        runs[skip] = (cfg, experiment.corpus_measurements(cfg, corp, trained, info))
    off, on = runs[False], runs[True]
    assert on[1]["n_rare"] > 0 and on[1]["untargeted_positions"] > 0 and off[1]["untargeted_positions"] == 0
    assert claims._targets_as_declared(off[1], off[0]).passed
    out = claims._targets_as_declared(on[1], on[0])
    assert out.passed, out.detail
    assert not claims._targets_as_declared(on[1], off[0]).passed
    assert not claims._targets_as_declared(off[1], on[0]).passed


def test_feeds_as_declared_and_the_counts_follow_a_real_training_with_the_feed_contrasts() -> None:
    """Two short trainings of the test setting, without and with the feed contrasts (rarely seen tokens written into
    the text's own sequences, never-seen tokens in extra ones): the batches' counts equal the recount plus the
    declared change, and the feed probe passes each run against its own config and fails it against the other."""
    runs = {}
    for fed in (False, True):
        cfg = CFG.model_copy(update={"epochs": 1, "feed_rare": 20 * fed, "feed_never_seen": 20 * fed})
        corp, info = experiment.build_corpus(cfg, _Ctx())
        trained, _ = experiment.train_models(cfg, _Ctx(), corp, info)
        runs[fed] = (cfg, experiment.corpus_measurements(cfg, corp, trained, info), len(corp.sequences))
    (off_cfg, off, n_text), (on_cfg, on, _) = runs[False], runs[True]
    rare, never = np.asarray(on["sets"]["rare"]), np.asarray(on["sets"]["never"])
    assert rare.size > 0 and never.size > 0
    assert on["n_sequences"] >= n_text and off["n_sequences"] == n_text  # rare fed in place, never-seen in extras
    assert (np.asarray(on["counts"])[rare] >= 3 * 20).all() and (np.asarray(off["counts"])[rare] <= 3 * 3).all()
    for m in (off, on):
        assert claims._counts_recount(m).passed
    for m, cfg in ((off, off_cfg), (on, on_cfg)):
        out = claims._feeds_as_declared(m, cfg)
        assert out.passed, out.detail
    assert not claims._feeds_as_declared(off, on_cfg).passed  # the rare tokens declared fed but not
    assert not claims._feeds_as_declared(on, off_cfg).passed  # never-seen tokens inputs though none is declared fed


def test_claims_recomputed_rebuilds_every_interval_end_of_the_rates_and_the_restoration() -> None:
    """Issue 30 (session 18's held-out audit, seed 93911): a mutant of the restoration's interval (the full graft's
    count taken as r_both / n instead of r_both · n) left every value unchanged and moved a verdict, because the probe
    compared values only. It now rebuilds both ends, by its own Wilson interval, and sees that mutant."""
    from skeptic.core.stats import wilson_interval

    g = np.random.default_rng(3)
    for _ in range(200):
        flags = list(g.random(int(g.integers(1, 60))) < g.random())
        got = claims._rate(flags)
        assert np.allclose(claims._share(flags), (got.value, got.lo, got.hi), atol=1e-12)
    n = 36
    for none, side, both in ((0.0, 0.0, 1.0), (0.0, 0.25, 0.6), (0.05, 0.5, 0.9), (0.1, 0.4, 0.45)):
        m: dict[str, Any] = {
            "graft": {"tokens": 18, "n_models": 2, "rates": {"none": none, "input": side, "both": both}}
        }
        got = claims.restored_share(m, "input")
        assert np.allclose(claims._restoration(m["graft"]["rates"], "input", n), (got.value, got.lo, got.hi)), both
    rates = {"none": 0.0, "input": 0.0, "both": 1.0}
    _, _, hi_in = wilson_interval(0, n)
    _, lo_both, _ = wilson_interval(round(1.0 / n), n)  # the mutant's count of the full graft: 0 of 36
    mutated_hi = min(hi_in / lo_both, 1.0) if lo_both > 0 else 1.0
    assert mutated_hi == 1.0 and claims._restoration(rates, "input", n)[2] < 0.2


def test_models_as_declared_sees_a_context_longer_than_the_training_inputs() -> None:
    """Issue 30 (the same audit): doubling the model's context (6·chunk + 1 positions for 3·chunk + 1 inputs) moved
    a verdict and no probe saw it; the untrained position rows are the mutant's own glitch rows."""
    cfg = GlitchConfig(n_seeds=1)
    vocab = 300

    def run(context: int) -> dict[str, Any]:
        shapes = {
            "token_embedding.weight": [vocab, cfg.d_model],
            "position_embedding.weight": [context, cfg.d_model],
            **{f"blocks.{i}.attn.weight": [1] for i in range(cfg.n_layers)},
        }
        models = [
            {
                "variant": a,
                "tied": a.startswith("tied"),
                "param_shapes": shapes,
                "indicator_values": {"input_norm": [0.0] * vocab},
            }
            for a in ("untied", "untied+wd", "tied", "tied+wd")
        ]
        return {"corpus": {"vocab_size": vocab}, "models": models, "sequence_length": 3 * cfg.chunk + 2}

    cfg = cfg.model_copy(update={"vocab_size": vocab})
    out = claims._models_as_declared(run(3 * cfg.chunk + 1), cfg)
    assert out.passed, out.detail
    out = claims._models_as_declared(run(6 * cfg.chunk + 1), cfg)
    assert not out.passed and "position rows" in out.detail
    short = run(3 * cfg.chunk + 1) | {"sequence_length": 2 * cfg.chunk + 2}
    assert not claims._models_as_declared(short, cfg).passed


def test_the_known_answer_verification_reads_back_its_probabilities(monkeypatch: pytest.MonkeyPatch) -> None:
    """Held-out seed 93911's silent ``verify.py:77`` (the softmax over the prompts instead of the vocabulary) kept the
    0.5% / 5% / 50% classification; the probe now reads the probabilities back themselves."""
    from skeptic.studies.glitch_tokens import verify

    k = experiment.known_answer_checks(_Ctx(), 16)  # type: ignore[arg-type]
    assert claims._known_answer({"known_answer": k}).passed
    softmax = verify.torch.softmax
    monkeypatch.setattr(verify.torch, "softmax", lambda x, dim: softmax(x, dim=-2))
    bad = experiment.known_answer_checks(_Ctx(), 16)  # type: ignore[arg-type]
    monkeypatch.setattr(verify.torch, "softmax", softmax)
    assert bad["verified_known"] == [True, False, False] and not claims._known_answer({"known_answer": bad}).passed
