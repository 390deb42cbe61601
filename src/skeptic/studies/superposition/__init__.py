"""The superposition study (Elhage et al. 2022; Sharkey et al. 2022; Bricken et al. 2023).
Importing registers nothing."""

from typing import TYPE_CHECKING

from skeptic.study import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.superposition.study import PRESETS, SuperpositionConfig, run

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "PRESETS": "skeptic.studies.superposition.study",
        "SuperpositionConfig": "skeptic.studies.superposition.study",
        "run": "skeptic.studies.superposition.study",
    },
)

__all__ = ["PRESETS", "SuperpositionConfig", "run"]
