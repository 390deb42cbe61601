"""The glitch-tokens study (Rumbelow & Watkins 2023; Land & Bartolo 2024).
Importing this package registers nothing."""

from typing import TYPE_CHECKING

from skeptic.study import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.glitch_tokens.config import PRESETS, GlitchConfig
    from skeptic.studies.glitch_tokens.study import run

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "PRESETS": "skeptic.studies.glitch_tokens.config",
        "GlitchConfig": "skeptic.studies.glitch_tokens.config",
        "run": "skeptic.studies.glitch_tokens.study",
    },
)

__all__ = ["PRESETS", "GlitchConfig", "run"]
