"""The imitation study (Ross et al. 2011; Agarwal et al. 2024; Qwen3 report; Hinton et al. 2015; Busbridge et al.
2025). Importing registers it."""

from skeptic.studies.imitation.config import PRESETS, ImitationConfig
from skeptic.studies.imitation.study import run

__all__ = ["PRESETS", "ImitationConfig", "run"]
