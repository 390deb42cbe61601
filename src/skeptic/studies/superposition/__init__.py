"""The superposition study (Elhage et al. 2022; Sharkey et al. 2022; Bricken et al. 2023). Importing registers it."""

from skeptic.studies.superposition.study import PRESETS, SuperpositionConfig, run

__all__ = ["PRESETS", "SuperpositionConfig", "run"]
