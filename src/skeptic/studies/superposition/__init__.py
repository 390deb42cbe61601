"""The superposition study (Elhage et al. 2022; Sharkey et al. 2022; Bricken et al. 2023).
Importing registers nothing."""

from typing import TYPE_CHECKING

from skeptic.study import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.superposition.config import PRESETS, SuperpositionConfig
    from skeptic.studies.superposition.study import run

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "PRESETS": "skeptic.studies.superposition.config",
        "SuperpositionConfig": "skeptic.studies.superposition.config",
        "run": "skeptic.studies.superposition.study",
    },
)

__all__ = ["PRESETS", "SuperpositionConfig", "run"]
