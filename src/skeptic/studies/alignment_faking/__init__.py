"""alignment-faking: the prompted setting of Greenblatt et al. (2024), run through Inspect against any model.

Importing this package registers nothing (its names load on first use); inspect_ai is imported only when the
study runs (or when :mod:`.task` / :mod:`.scripted` are imported directly).
"""

from typing import TYPE_CHECKING

from skeptic.study import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.alignment_faking.config import AlignmentFakingConfig
    from skeptic.studies.alignment_faking.grading import CALIBRATION_CASES
    from skeptic.studies.alignment_faking.metrics import binomial_se_gap, paired_bootstrap_gap, setting_summary
    from skeptic.studies.alignment_faking.prompts import parse_reply, system_prompt, user_turn
    from skeptic.studies.alignment_faking.published import PUBLISHED
    from skeptic.studies.alignment_faking.questions import (
        builtin_questions,
        load_advbench,
        load_harmbench,
        load_questions,
    )
    from skeptic.studies.alignment_faking.study import run as STUDY  # noqa: N812 (the Study object)

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "AlignmentFakingConfig": "skeptic.studies.alignment_faking.config",
        "CALIBRATION_CASES": "skeptic.studies.alignment_faking.grading",
        "binomial_se_gap": "skeptic.studies.alignment_faking.metrics",
        "paired_bootstrap_gap": "skeptic.studies.alignment_faking.metrics",
        "setting_summary": "skeptic.studies.alignment_faking.metrics",
        "parse_reply": "skeptic.studies.alignment_faking.prompts",
        "system_prompt": "skeptic.studies.alignment_faking.prompts",
        "user_turn": "skeptic.studies.alignment_faking.prompts",
        "PUBLISHED": "skeptic.studies.alignment_faking.published",
        "builtin_questions": "skeptic.studies.alignment_faking.questions",
        "load_advbench": "skeptic.studies.alignment_faking.questions",
        "load_harmbench": "skeptic.studies.alignment_faking.questions",
        "load_questions": "skeptic.studies.alignment_faking.questions",
        "STUDY": "skeptic.studies.alignment_faking.study:run",
    },
)

__all__ = [
    "CALIBRATION_CASES",
    "PUBLISHED",
    "STUDY",
    "AlignmentFakingConfig",
    "binomial_se_gap",
    "builtin_questions",
    "load_advbench",
    "load_harmbench",
    "load_questions",
    "paired_bootstrap_gap",
    "parse_reply",
    "setting_summary",
    "system_prompt",
    "user_turn",
]
