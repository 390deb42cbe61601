"""The briefs of goodhart, random-labels and alignment-faking (issue 14): each writes its index-card answer and its
"what we found" from a real run, in prose: no claim ids, the run's own numbers, and its headline figure exists."""

from pathlib import Path
from typing import Any

import pytest

from skeptic import load_studies
from skeptic.core import get_study, run

CASES: dict[str, dict[str, Any]] = {
    "goodhart": {},
    "random-labels": {},
    "alignment-faking": {"model": "skeptic-scripted/alignment-faker", "grader_model": "skeptic-scripted/grader"},
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_the_brief_answers_in_prose_from_the_run(name: str, tmp_path: Path) -> None:
    load_studies()
    study = get_study(name)
    result = run(study, preset="test", overrides=CASES[name], store=tmp_path / "store")
    assert study.brief.answer is not None and study.brief.found is not None
    answer, found = study.brief.answer(result), study.brief.found(result)
    assert 80 <= len(answer) <= 600, answer  # one or two sentences
    for claim in result.claims:
        if "-" in claim.id:  # hyphenated ids are never words of prose
            assert claim.id not in answer and claim.id not in found, claim.id
    assert "replicated" not in answer.replace("not replicated", "")  # an answer, not a verdict count
    assert study.brief.headline_figure in [f.name for f in result.figures]
    m = result.measurements
    if name == "goodhart":
        normal = max((r for r in m["best_of_n"] if r["error"] == "normal"), key=lambda r: r["n"])
        assert f"{normal['ev'] / m['sigma_v']:.1f} standard deviations" in answer
        assert f"E[V | U ≥ {m['dependence'][-1]['t']:.0f}] = {m['dependence'][-1]['dependent']:.3f}" in found
    elif name == "random-labels":
        assert f"chance being {m['chance']:.0%}" in answer
        assert f"{m['theorem1']['n']} random labels exactly" in found
    else:
        assert answer.startswith("No answer about any language model: this run used a scripted test model")
        assert found.startswith("**SCRIPTED TEST MODEL")
        gap = m["settings"]["helpful_only"]["gap"]["value"]
        assert f"a compliance gap of {gap:+.1%}" in found
