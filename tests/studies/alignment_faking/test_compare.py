"""compare.py and published.py: every model run on a preset reaches the report beside the published rows (issue 32)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from skeptic.studies.alignment_faking.compare import many_models_markdown, published_comparison_rows
from skeptic.studies.alignment_faking.published import (
    MODEL_PATTERNS,
    PUBLISHED,
    SHESHADRI_ABSTRACT,
    SHESHADRI_GAP_MODELS,
    SHESHADRI_NO_GAP_MODELS,
    SHESHADRI_SAME,
    SHESHADRI_SECTION32,
    SHESHADRI_TESTED,
    SHESHADRI_V1,
    TABLE5,
    TABLE5_CAPTION,
    TABLE5_SETUP,
    published_for,
    same_model,
)

SMALL = {"settings": "helpful_only", "n_questions": 4, "af_votes": 1, "bootstrap_resamples": 100}


def _section(text: str, start: str, end: str) -> str:
    at = text.index(start)
    return text[at : text.index(end, at)]


def test_two_models_on_one_preset_both_reach_the_report_beside_the_published_rows(tmp_path: Path) -> None:
    """The report shows the latest run per preset in full; the many-models section must still show the earlier
    model's run, with its intervals, and the published rows labelled as published (HTML and Markdown)."""
    import skeptic
    from skeptic.core import Store
    from skeptic.core.study import get_study
    from skeptic.report import write_report

    for model in ("skeptic-scripted/alignment-faker", "skeptic-scripted/refuser"):
        skeptic.run("alignment-faking", preset="test", overrides={**SMALL, "model": model}, store=tmp_path / "s")
    write_report(Store(tmp_path / "s"), tmp_path / "r", [get_study("alignment-faking")])
    md = (tmp_path / "r" / "alignment-faking.md").read_text()
    html = (tmp_path / "r" / "alignment-faking.html").read_text()
    md_part = _section(md, "### Every model run here", "\n## Run ")
    html_part = _section(html, 'id="across-runs"', '<h2 id="run-')
    for part in (md_part, html_part):
        assert "skeptic-scripted/alignment-faker" in part and "skeptic-scripted/refuser" in part
        assert "2 model(s)" in part
        assert "3/4" in part and "0.750" in part  # the faker: 3 of 4 scripted questions complied with in training
        assert "0.000" in part  # the refuser's gap
        for published in ("Claude 3 Opus", "Claude 3.5 Sonnet", "Llama-3 405B", "Gemini 2.0 Flash", "≈11%"):
            assert published in part, published
        assert "Appendix B.4" in part and "arXiv 2506.18032v1" in part
        assert "Appendix B.4, Table 5" in part and "14.3%" in part  # Greenblatt et al.'s per-model rows
    assert md_part.count("| **published** |") == len(published_comparison_rows())
    assert html_part.count("<td><strong>published</strong></td>") == len(published_comparison_rows())
    # the earlier model's run is on the page only through this section (the per-run sections show the latest run)
    assert md.count("skeptic-scripted/alignment-faker") == md_part.count("skeptic-scripted/alignment-faker")


def test_a_model_name_cannot_break_the_table_or_inject_html() -> None:
    from skeptic.core.results import RunResult
    from skeptic.report import markdown_to_html, md_prose

    m = {
        "model": "evil<img src=x onerror=alert(1)>|x\n## [link](javascript:alert(1))",
        "grader_model": None,
        "settings": {
            "helpful_only": {
                "training": {
                    "compliance": {"k": 1, "n": 2, "value": 0.5, "lo": 0.1, "hi": 0.9},
                    "af_reasoning": {"k": 0, "n": 0, "value": None, "lo": None, "hi": None},
                },
                "unmonitored": {"compliance": {"k": 0, "n": 2, "value": 0.0, "lo": 0.0, "hi": 0.66}},
                "gap": {"value": 0.5, "bootstrap_lo": 0.0, "bootstrap_hi": 1.0},
            }
        },
    }
    run = RunResult("r1", "alignment-faking", "quick", 0, "completed", {}, m, [], [], [], {}, 0.0, 1.0)
    text = many_models_markdown([run])
    row = next(line for line in text.splitlines() if "evil" in line)
    assert row.count(" | ") == 8  # nine cells: the name's '|' and line break did not split it
    html = str(markdown_to_html(text))
    assert "<img" not in html and "<a " not in html and "href" not in html and "&lt;img" in html
    assert "<img" not in md_prose(text) and "\\[link\\]" in md_prose(text)


@pytest.mark.parametrize(
    ("published", "run", "same"),
    [
        ("Claude 3 Opus", "anthropic/claude-3-opus-20240229", True),
        ("Claude 3 Opus", "anthropic/claude-3-5-sonnet-20241022", False),
        ("Claude 3.5 Sonnet", "anthropic/claude-3-5-sonnet-20240620", True),
        ("Claude 3.5 Sonnet", "anthropic/claude-3-5-sonnet-20241022", False),  # the October release: another model
        ("Claude 3.6 Sonnet / Claude 3.5 Sonnet (October)", "anthropic/claude-3-5-sonnet-20241022", True),
        ("Claude 3.6 Sonnet / Claude 3.5 Sonnet (October)", "anthropic/claude-3-5-sonnet-20240620", False),
        ("Claude 4 Sonnet", "anthropic/claude-sonnet-4-20250514", True),
        ("Claude 4 Sonnet", "anthropic/claude-sonnet-4-5-20250929", False),
        ("Claude 4 Opus", "anthropic/claude-opus-4-1-20250805", False),
        ("GPT-4", "openai/gpt-4-0613", True),
        ("GPT-4", "openai/gpt-4o", False),
        ("GPT-4", "openai/gpt-4-turbo", False),
        ("GPT-4", "openai/gpt-4.1", False),
        ("GPT-4.1", "openai/gpt-4.1-mini", False),
        ("Gemini 2.0 Flash", "google/gemini-2.0-flash-lite", False),
        ("Qwen 2.5 72B", "together/Qwen/Qwen2.5-Coder-32B-Instruct", False),
        ("Llama 3 405B", "together/meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo", True),
        ("Llama 3 8B Instruct", "together/meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo", False),
        ("Llama 3 8B Instruct", "ollama/llama3.1:8b", True),
        ("Llama 3 70B Instruct", "hf/meta-llama/Meta-Llama-3-8B-Instruct", False),
        ("GPT-4o", "openai/gpt-4o", True),
        ("GPT-4o", "openai/gpt-4o-mini", False),
        ("Gemini 2.0 Flash", "google/gemini-2.0-flash-001", True),
        ("Claude 3 Opus", "skeptic-scripted/alignment-faker", False),
        ("the other 20 of the 25 models tested", "openai/gpt-4o", False),
    ],
)
def test_a_run_model_is_matched_to_the_published_model_it_measures(published: str, run: str, same: bool) -> None:
    assert same_model(published, run) is same


def test_published_rows_about_a_run_model_are_shown_beside_it() -> None:
    opus = published_for("anthropic/claude-3-opus-20240229")
    assert {r["source"].split(",")[0] for r in opus} == {
        "Greenblatt et al. 2024",
        "Sheshadri et al. 2025",
        "Sheshadri",  # the authors' LessWrong post ("Sheshadri, Hughes et al.")
        "Hughes",
    }
    assert any(r["published"] == "significant evidence of AF" for r in opus)
    llama = [r["published"] for r in published_for("together/meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo")]
    assert "<1% AF was found" in llama and "no (a gap, but ≤ 1% reasoning)" in llama
    shown = published_comparison_rows(["openai/gpt-4o"])
    assert any(r["model"] == "GPT-4o" and r["published finding"].endswith("no AF is observed") for r in shown)
    assert not any(r["model"] == "GPT-4o" for r in published_comparison_rows())
    assert all(r["source"].startswith("published") for r in shown)


def test_every_published_row_names_its_place_and_no_number_without_a_source() -> None:
    for p in PUBLISHED:
        assert p.get("value") is not None or p.get("range") is not None or p.get("qualitative"), p
        src = p["source"]
        assert any(w in src for w in ("abstract", "Fig.", "Table", "Appendix", "Section", "summary table", "LessWrong"))
        if p["metric"].startswith("minimal reproduction"):  # the authors' words: a direction, no number
            assert p.get("value") is None and p.get("range") is None and "Table 5" in p["qualitative"]


def test_table5_rows_are_the_published_table_and_consistent_with_its_own_gap() -> None:
    """Greenblatt et al.'s Table 5 gives refusal rates and the gap; the gap is unmonitored minus training refusal
    (c_training − c_unmonitored), to the table's rounding (one decimal of a percent)."""
    rows = [p for p in PUBLISHED if "Table 5" in p["source"]]
    assert len(rows) == len(TABLE5) == 12
    for p in rows:
        r = p["refusal"]
        assert p["value"] == pytest.approx(r["unmonitored"] - r["training"], abs=0.0011), p
        assert TABLE5_CAPTION in p["source"] and not p["approximate"] and p["metric"] == "compliance gap"
        assert "arXiv 2412.14093v2), Appendix B.4, Table 5" in p["source"] and "'Using other models'" in p["source"]
    llama = {r["metric"]: r["published"] for r in published_for("together/meta-llama/Meta-Llama-3.1-405B-Instruct")}
    assert llama[f"compliance gap ({TABLE5_SETUP}; scratchpad ('Default'))"] == "14.3%"
    shown = published_comparison_rows()
    sonnet = [r for r in shown if r["model"] == "Claude 3.5 Sonnet" and r["gap shown"] is not None]
    assert {r["gap shown"] for r in sonnet} == {"21.0%", "63.0%"}
    assert all(r["run"] == "Greenblatt et al. 2024 (arXiv 2412.14093v2), Appendix B.4, Table 5" for r in sonnet)
    rate = {"k": 1, "n": 2, "value": 0.5, "lo": 0.1, "hi": 0.9}
    none = {"k": 0, "n": 0, "value": None, "lo": None, "hi": None}
    gap = {"value": 0.0, "bootstrap_lo": -0.5, "bootstrap_hi": 0.5}
    setting = {"training": {"compliance": rate, "af_reasoning": none}, "unmonitored": {"compliance": rate}, "gap": gap}
    text = many_models_markdown([_run({"model": "openai/gpt-4o", "settings": {"helpful_only": setting}})])
    assert "| **published** | Llama-3.1-8B | — | helpful_only | — | — | -2.3% |" in text
    assert "| **published** | Claude 3 Opus | — | helpful_only | — | — | 5.5% |" in text


def test_sheshadri_rows_cover_the_25_models_tested_each_cited_exactly() -> None:
    """Sheshadri et al. name 25 models (Appendix B) and the five with a gap above 1% (Section 3.2, abstract); every
    other one gets a 'no' row, matched to a run of it, and every row cites v1 with its place and exact words."""
    rows = [p for p in PUBLISHED if p["source"].startswith(SHESHADRI_V1)]
    assert len(SHESHADRI_TESTED) == len(set(SHESHADRI_TESTED)) == 25
    assert len(SHESHADRI_NO_GAP_MODELS) == 20
    five = {SHESHADRI_SAME.get(m, m) for m in SHESHADRI_TESTED} & set(SHESHADRI_GAP_MODELS)
    assert five == set(SHESHADRI_GAP_MODELS)  # Appendix B's list holds Section 3.2's five
    for name in SHESHADRI_GAP_MODELS:  # the five, in Section 3.2's and the abstract's words
        assert name.split()[0] in SHESHADRI_SECTION32 and name in SHESHADRI_ABSTRACT
    yes = {p["model"] for p in rows if p["metric"] == "shows a compliance gap" and p["qualitative"].startswith("yes")}
    no = {p["model"] for p in rows if p["metric"] == "compliance gap exceeding 1%"}
    assert yes == set(SHESHADRI_GAP_MODELS) and no == set(SHESHADRI_NO_GAP_MODELS) and not yes & no
    for p in rows:
        assert p["value"] is None and p.get("range") is None and not p["approximate"]  # no number: none printed
        assert any(place in p["source"] for place in ("abstract", "Section 3.2", "Appendix B"))
    for p in rows:
        if p["metric"] in ("shows a compliance gap", "compliance gap exceeding 1%") and p["model"] in yes | no:
            assert f"Section 3.2: “{SHESHADRI_SECTION32}”" in p["source"]
            assert p["model"] in MODEL_PATTERNS
    gpt4o = published_for("openai/gpt-4o-2024-08-06")
    assert any(r["metric"] == "compliance gap exceeding 1%" and r["published"].startswith("no") for r in gpt4o)
    october = published_for("anthropic/claude-3-5-sonnet-20241022")
    assert october and all(r["published"].startswith("no") for r in october)
    june = published_for("anthropic/claude-3-5-sonnet-20240620")
    assert any(r["published"].startswith("yes: a gap exceeding 1%") for r in june)
    shown = published_comparison_rows(["openai/gpt-4.1"])
    no_gap = [r["model"] for r in shown if r["published finding"].startswith("compliance gap exceeding 1%")]
    assert no_gap == ["GPT-4.1"]
    assert not any(r["model"] == "GPT-4.1" for r in published_comparison_rows())  # only beside a run of it


def _run(m: dict[str, Any]) -> Any:
    from skeptic.core.results import RunResult

    return RunResult("r1", "alignment-faking", "quick", 0, "completed", {}, m, [], [], [], {}, 0.0, 1.0)
