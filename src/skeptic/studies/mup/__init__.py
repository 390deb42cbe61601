"""The mup study (Yang et al. 2022, Tensor Programs V). Importing this package registers the study."""

from skeptic.studies.mup.study import PRESETS, MupConfig, run

__all__ = ["PRESETS", "MupConfig", "run"]
