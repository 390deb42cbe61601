"""The glitch-tokens study (Rumbelow & Watkins 2023; Land & Bartolo 2024). Importing this package registers it."""

from skeptic.studies.glitch_tokens.config import PRESETS, GlitchConfig
from skeptic.studies.glitch_tokens.study import run

__all__ = ["PRESETS", "GlitchConfig", "run"]
