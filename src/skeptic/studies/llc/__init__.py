"""The llc study (Lau et al. 2023; Furman & Lau 2024; Aoyagi 2024).
Importing this package registers nothing: its names load on first use."""

from typing import TYPE_CHECKING

from skeptic.study import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.llc.config import PRESETS, LLCConfig
    from skeptic.studies.llc.study import run

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "PRESETS": "skeptic.studies.llc.config",
        "LLCConfig": "skeptic.studies.llc.config",
        "run": "skeptic.studies.llc.study",
    },
)

__all__ = ["PRESETS", "LLCConfig", "run"]
