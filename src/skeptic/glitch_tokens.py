"""Under-trained ("glitch") token indicators, and a scanner for local checkpoints.

    from skeptic import glitch_tokens
    result = glitch_tokens.scan("path/to/checkpoint")     # safetensors weights + tokenizer.json; no pickle
    result.main_indicator, result.tied, result.threshold
    for row in result.candidates(): print(row["id"], row["token"], row[result.main_indicator])

    glitch_tokens.unembedding_cosine(U, reference)          # Land & Bartolo 2024 §2.2
    glitch_tokens.input_norm(E), glitch_tokens.centroid_distance(E)
    glitch_tokens.auroc(scores_pos, scores_neg), glitch_tokens.hanley_mcneil_se(a, n_pos, n_neg)

See :mod:`skeptic.studies.glitch_tokens.indicators` for the formulas and the reference-set rules, and
:mod:`skeptic.studies.glitch_tokens.verify` for verification by prompting.
"""

from typing import TYPE_CHECKING

from skeptic._lazy import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.glitch_tokens.indicators import (
        ScanError,
        ScanResult,
        auroc,
        categorize,
        centroid_distance,
        compute_indicators,
        cosine_distance,
        first_principal_component,
        hanley_mcneil_se,
        input_norm,
        known_unused,
        load_checkpoint,
        save_checkpoint,
        scan,
        shared_direction_fraction,
        unembedding_cosine,
        untrained_check,
        verify_checkpoint,
    )
    from skeptic.studies.glitch_tokens.verify import THRESHOLD as VERIFICATION_THRESHOLD
    from skeptic.studies.glitch_tokens.verify import verify

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "ScanError": "skeptic.studies.glitch_tokens.indicators",
        "ScanResult": "skeptic.studies.glitch_tokens.indicators",
        "auroc": "skeptic.studies.glitch_tokens.indicators",
        "categorize": "skeptic.studies.glitch_tokens.indicators",
        "untrained_check": "skeptic.studies.glitch_tokens.indicators",
        "verify_checkpoint": "skeptic.studies.glitch_tokens.indicators",
        "centroid_distance": "skeptic.studies.glitch_tokens.indicators",
        "compute_indicators": "skeptic.studies.glitch_tokens.indicators",
        "cosine_distance": "skeptic.studies.glitch_tokens.indicators",
        "first_principal_component": "skeptic.studies.glitch_tokens.indicators",
        "hanley_mcneil_se": "skeptic.studies.glitch_tokens.indicators",
        "input_norm": "skeptic.studies.glitch_tokens.indicators",
        "known_unused": "skeptic.studies.glitch_tokens.indicators",
        "load_checkpoint": "skeptic.studies.glitch_tokens.indicators",
        "save_checkpoint": "skeptic.studies.glitch_tokens.indicators",
        "scan": "skeptic.studies.glitch_tokens.indicators",
        "shared_direction_fraction": "skeptic.studies.glitch_tokens.indicators",
        "unembedding_cosine": "skeptic.studies.glitch_tokens.indicators",
        "VERIFICATION_THRESHOLD": "skeptic.studies.glitch_tokens.verify:THRESHOLD",
        "verify": "skeptic.studies.glitch_tokens.verify",
    },
)

__all__ = [
    "VERIFICATION_THRESHOLD",
    "ScanError",
    "ScanResult",
    "auroc",
    "categorize",
    "centroid_distance",
    "compute_indicators",
    "cosine_distance",
    "first_principal_component",
    "hanley_mcneil_se",
    "input_norm",
    "known_unused",
    "load_checkpoint",
    "save_checkpoint",
    "scan",
    "shared_direction_fraction",
    "unembedding_cosine",
    "untrained_check",
    "verify",
    "verify_checkpoint",
]
