"""The llc study (Lau et al. 2023; Furman & Lau 2024; Aoyagi 2024). Importing this package registers the study."""

from skeptic.studies.llc.study import PRESETS, LLCConfig, run

__all__ = ["PRESETS", "LLCConfig", "run"]
