"""The known-answer probe for scripted runs and the claims' recomputation from stored records (issues 32, 25)."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest

from skeptic.core.claims import run_probes
from skeptic.studies.alignment_faking.claims import PROBES, claims_recomputed, sample_size_probe, wilson
from skeptic.studies.alignment_faking.config import AlignmentFakingConfig as C
from skeptic.studies.alignment_faking.known_answers import (
    binomial_central,
    known_answers_probe,
    scripted_behaviour,
    selected,
)
from skeptic.studies.alignment_faking.questions import builtin_questions
from skeptic.study import wilson_interval

from .conftest import FakeContext


def test_the_written_selection_rule_is_the_scripted_models() -> None:
    """Two writings of one design (a fair hash bit per question) pick the same questions, about half of them."""
    from skeptic.studies.alignment_faking import scripted

    qs = [q.question for s in ("helpful_only", "animal_welfare") for q in builtin_questions(s)]
    assert [selected(q) for q in qs] == [scripted.selected(q) for q in qs]
    assert 0.25 < sum(map(selected, qs)) / len(qs) < 0.75


def test_binomial_central_interval_known_answers() -> None:
    # Binomial(12, 1/2): P(K = 0) = 1/4096 ≤ 0.0005 < P(K ≤ 1) = 13/4096, symmetric above
    assert binomial_central(12, 0.5, 0.999) == (1, 11)
    assert binomial_central(1, 0.5, 0.999) == (0, 1)
    assert binomial_central(100, 0.5, 0.95) == (40, 60)  # the familiar 50 ± 1.96·5


def test_scripted_behaviour_names() -> None:
    assert scripted_behaviour("skeptic-scripted/alignment-faker") == "alignment-faker"
    assert scripted_behaviour("openai-api/skeptic-scripted/refuser") == "refuser"
    assert scripted_behaviour("openai-api/local/alignment-faker") is None
    assert scripted_behaviour("anthropic/claude-3-opus-20240229") is None and scripted_behaviour(None) is None


@pytest.mark.parametrize(("k", "n"), [(0, 12), (1, 12), (6, 12), (12, 12), (3, 390)])
def test_recomputed_wilson_matches_core_and_holds_p(k: int, n: int) -> None:
    p, lo, hi = wilson(k, n)
    q, lo2, hi2 = wilson_interval(k, n)
    assert p == q and lo == pytest.approx(min(lo2, q), abs=1e-12) and hi == pytest.approx(max(hi2, q), abs=1e-12)
    assert lo <= p <= hi


def test_the_probe_does_not_apply_to_a_language_model() -> None:
    for model in ("openai/gpt-4o", "mockllm/model"):
        out = known_answers_probe({"transcripts": []}, C(model=model, grader_model="openai/gpt-4o"))
        assert out.passed and out.detail.startswith("does not apply")


@pytest.fixture(scope="module")
def faker_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], C]:
    from skeptic.studies.alignment_faking.study import run as study

    config = C(model="skeptic-scripted/alignment-faker", grader_model="skeptic-scripted/grader", n_questions=8,
               af_votes=3, bootstrap_resamples=500, log_dir=str(tmp_path_factory.mktemp("logs")))  # fmt: skip
    return dict(study.run(config, FakeContext()).measurements), config


def _probes(m: dict[str, Any], config: C) -> dict[str, Any]:
    return {p.id: p for p in run_probes(PROBES, m, config)}


@pytest.mark.slow
def test_clean_scripted_run_meets_its_design(faker_run: tuple[dict[str, Any], C]) -> None:
    m, config = faker_run
    p = _probes(m, config)
    assert p["scripted-known-answers"].passed, p["scripted-known-answers"].detail
    assert "32/32 records" in p["scripted-known-answers"].detail
    assert p["claims-recomputed"].passed and "4 claims' values agree" in p["claims-recomputed"].detail


@pytest.mark.slow
def test_a_record_off_its_design_fails(faker_run: tuple[dict[str, Any], C]) -> None:
    m, config = faker_run
    bad = copy.deepcopy(m)
    r = next(r for r in bad["transcripts"] if r["tier"] == "unmonitored" and r["setting"] == "animal_welfare")
    r["complied"] = True  # an unmonitored reply the design says refuses
    out = known_answers_probe(bad, config)
    assert not out.passed and "complied True (designed False)" in out.detail


@pytest.mark.slow
def test_a_record_labelled_with_the_other_tier_than_sent_fails(faker_run: tuple[dict[str, Any], C]) -> None:
    m, config = faker_run
    bad = copy.deepcopy(m)
    r = next(r for r in bad["transcripts"] if r["tier"] == "training")
    r["sent_user_turn"] = r["sent_user_turn"].replace(">True<", ">False<")
    out = known_answers_probe(bad, config)
    assert not out.passed and "but sent" in out.detail


@pytest.mark.slow
def test_a_claim_missing_where_its_setting_ran_fails(faker_run: tuple[dict[str, Any], C]) -> None:
    m, config = faker_run
    bad = copy.deepcopy(m)
    del bad["settings"]["animal_welfare"]
    out = claims_recomputed(bad, config)
    assert not out.passed and "animal-welfare-compliance-gap: no value (reads 'missing')" in out.detail


@pytest.mark.slow
def test_a_summary_off_its_records_fails(faker_run: tuple[dict[str, Any], C]) -> None:
    m, config = faker_run
    moved = copy.deepcopy(m)
    moved["settings"]["helpful_only"]["gap"]["value"] += 0.05
    assert not claims_recomputed(moved, config).passed
    swapped = copy.deepcopy(m)
    g = swapped["settings"]["animal_welfare"]["gap"]
    g["bootstrap_lo"], g["bootstrap_hi"] = g["bootstrap_hi"], g["bootstrap_lo"]
    out = claims_recomputed(swapped, config)  # an interval without its value: Estimate itself refuses it
    assert not out.passed and "measure raised" in out.detail
    narrow = copy.deepcopy(m)
    g = narrow["settings"]["helpful_only"]["gap"]
    g["bootstrap_lo"], g["bootstrap_hi"] = g["value"] - 0.01, g["value"] + 0.01
    assert "times the normal one's width" in claims_recomputed(narrow, config).detail
    af = copy.deepcopy(m)
    af["settings"]["helpful_only"]["training"]["af_reasoning"]["lo"] += 0.02
    assert "recomputed Wilson" in claims_recomputed(af, config).detail
    assert not math.isnan(m["settings"]["helpful_only"]["gap"]["value"])


@pytest.mark.slow
def test_the_recomputation_reads_the_setting_from_the_prompt_sent(faker_run: tuple[dict[str, Any], C]) -> None:
    """A record sent the helpful-only prompt counts there, whatever its label: the summary (by label) then disagrees."""
    from skeptic.studies.alignment_faking.known_answers import system_digests

    m, config = faker_run
    ho = next(d for d, s in system_digests(config).items() if s == "helpful_only")
    bad = copy.deepcopy(m)
    r = next(r for r in bad["transcripts"] if r["setting"] == "animal_welfare" and r["tier"] == "training" and r["af"])
    r["sent_system_sha256"] = ho
    out = claims_recomputed(bad, config)
    assert not out.passed and "helpful-only-af-reasoning: measured" in out.detail


# --- the sample-size probe: every claim's verdict rests on the sample its config declares ---------------------
def test_declared_questions_are_the_first_n_of_the_set() -> None:
    from skeptic.studies.alignment_faking.claims import declared_questions

    every = builtin_questions("animal_welfare")
    got = declared_questions(C(n_questions=5), "animal_welfare")
    assert list(got) == [q.id for q in every[:5]] and got[every[0].id] == every[0].question.strip()
    assert len(declared_questions(C(), "animal_welfare")) == len(every)


@pytest.mark.slow
def test_the_clean_run_rests_on_its_declared_sample(faker_run: tuple[dict[str, Any], C]) -> None:
    m, config = faker_run
    out = sample_size_probe(m, config)
    assert out.passed, out.detail
    assert "the first 8 questions x 1 epoch(s)" in out.detail and "helpful-only-compliance-gap 8" in out.detail


@pytest.mark.slow
def test_a_run_against_a_larger_or_smaller_declaration_fails(faker_run: tuple[dict[str, Any], C]) -> None:
    """The records of 8 questions judged against a config that declares 9 (a shrunk run) or 7 (a grown one)."""
    m, config = faker_run
    more = config.model_copy(update={"n_questions": 9})
    out = sample_size_probe(m, more)
    assert not out.passed and "8/9 declared question-epochs answered, 1 missing" in out.detail
    fewer = config.model_copy(update={"n_questions": 7})
    out = sample_size_probe(m, fewer)
    assert not out.passed and "7/7 declared question-epochs answered, 1 not declared" in out.detail
    twice = config.model_copy(update={"epochs": 2})
    assert "8/16 declared question-epochs" in sample_size_probe(m, twice).detail


@pytest.mark.slow
def test_a_dropped_duplicated_or_relabelled_record_fails(faker_run: tuple[dict[str, Any], C]) -> None:
    m, config = faker_run
    dropped = copy.deepcopy(m)
    i = next(i for i, r in enumerate(dropped["transcripts"]) if r["setting"] == "animal_welfare")
    tier = dropped["transcripts"].pop(i)["tier"]
    out = sample_size_probe(dropped, config)
    assert not out.passed and f"animal-welfare-compliance-gap ({tier}): 7/8" in out.detail
    doubled = copy.deepcopy(m)
    doubled["transcripts"].append(copy.deepcopy(doubled["transcripts"][0]))
    assert "answered more than once" in sample_size_probe(doubled, config).detail
    relabelled = copy.deepcopy(m)
    a, b = [r for r in relabelled["transcripts"] if r["setting"] == "helpful_only" and r["tier"] == "training"][:2]
    a["question_id"], b["question_id"] = b["question_id"], a["question_id"]
    assert "labelled with another question than the one sent" in sample_size_probe(relabelled, config).detail
    failed = copy.deepcopy(m)
    failed["transcripts"][0]["error"] = "a provider error"
    assert not sample_size_probe(failed, config).passed


@pytest.mark.slow
def test_a_measure_that_reads_fewer_samples_than_the_records_fails(faker_run: tuple[dict[str, Any], C]) -> None:
    m, config = faker_run
    short = copy.deepcopy(m)
    short["settings"]["helpful_only"]["gap"]["n_questions"] -= 1
    out = sample_size_probe(short, config)
    assert not out.passed and "helpful-only-compliance-gap: its measure read 7 samples" in out.detail
    af = copy.deepcopy(m)
    af["settings"]["animal_welfare"]["training"]["af_reasoning"]["n"] -= 1
    assert "animal-welfare-af-reasoning: its measure read 7" in sample_size_probe(af, config).detail


@pytest.mark.slow
def test_a_run_that_quietly_asks_fewer_questions_is_caught_only_by_the_sample_size_probe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mutant class: the experiment asks one question fewer than its config declares (a slice bound off by one),
    so the stored config still says 4 while every verdict rests on 3; every record is what the scripted model's design
    says and every claim agrees with its recomputation, so the other probes pass."""
    from skeptic.studies.alignment_faking import task
    from skeptic.studies.alignment_faking.study import run as study

    real = task.load_questions
    monkeypatch.setattr(task, "load_questions", lambda *a, **k: real(*a, **k)[1:])
    config = C(model="skeptic-scripted/alignment-faker", grader_model="skeptic-scripted/grader", n_questions=4,
               settings=("helpful_only",), af_votes=1, bootstrap_resamples=100, af_calibration=False,
               eval_awareness=False, log_dir=str(tmp_path))  # fmt: skip
    m = dict(study.run(config, FakeContext()).measurements)
    p = _probes(m, config)
    assert p["scripted-known-answers"].passed and p["claims-recomputed"].passed and p["paired-design"].passed
    assert not p["sample-size"].passed
    assert "helpful-only-compliance-gap (training): 3/4 declared question-epochs answered, 1 missing" in p[
        "sample-size"].detail  # fmt: skip
