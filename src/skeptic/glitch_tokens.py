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
