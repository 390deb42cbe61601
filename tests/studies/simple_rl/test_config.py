"""simple-rl's presets, contrasts and budget are valid configs, and bad configs are refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from skeptic.studies.simple_rl.claims import CLAIMS, informative_k, uniform_pass_at_k
from skeptic.studies.simple_rl.config import BUDGET, PASS_KS, PRESETS, SimpleRLConfig


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_contrast_and_the_budget_are_valid_overrides_of_every_preset(preset: str) -> None:
    base = PRESETS[preset].model_dump()
    for claim in CLAIMS:
        for contrast in claim.contrasts:
            SimpleRLConfig.model_validate(base | dict(contrast.overrides))
    SimpleRLConfig.model_validate(base | {k: round(base[k] * f) for k, f in BUDGET.scale.items()})


def test_the_kwa_claims_have_a_small_answer_space_contrast_and_the_default_space_is_large() -> None:
    heavy = next(c for c in CLAIMS if c.id == "heavy-tail-kl-fails-optimum")
    small = next(c for c in heavy.contrasts if c.id == "144-answers")
    assert small.overrides["graded_base"] ** small.overrides["graded_digits"] == 144
    for preset in PRESETS.values():
        assert preset.graded_base**preset.graded_digits >= 10_000


def test_bad_graded_space_is_refused() -> None:
    with pytest.raises(ValidationError):
        SimpleRLConfig(graded_base=10, graded_digits=6, graded_q=0.5).model_copy(update={}).model_validate(
            {"graded_base": 16, "graded_digits": 6}
        )
    with pytest.raises(ValidationError):
        SimpleRLConfig(graded_betas=(0.5, 0.1))
    with pytest.raises(ValidationError):
        SimpleRLConfig(graded_q=0.05)


def test_pass_at_k_reads_k_where_the_uniform_guesser_is_below_one_half() -> None:
    assert informative_k(list(PASS_KS)) == 64
    assert uniform_pass_at_k(64) == pytest.approx(1 - (143 / 144) ** 64)
    assert uniform_pass_at_k(128) > 0.5


def test_early_evaluations_come_only_before_the_first_regular_one() -> None:
    from skeptic.studies.simple_rl.grpo import is_eval_step

    def steps(n: int, every: int, early: int = 0) -> list[int]:
        return [t for t in range(1, n + 1) if is_eval_step(t, n, every, early)]

    assert steps(60, 25) == [25, 50, 60]
    assert steps(60, 25, 2) == [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 25, 50, 60]
    assert steps(60, 25, 10) == [10, 20, 25, 50, 60]
    assert steps(60, 0, 2) == []
    with pytest.raises(ValidationError):
        SimpleRLConfig(eval_every=10, eval_early_every=10)
    assert PRESETS["paper"].eval_early_every == 2 and PRESETS["test"].eval_early_every == 0
