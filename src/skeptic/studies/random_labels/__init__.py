"""The random-labels study (Zhang et al. 2017 and follow-ups).
Importing this package registers nothing: its names load on first use."""

from typing import TYPE_CHECKING

from skeptic.study import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.random_labels.config import PRESETS, RandomLabelsConfig
    from skeptic.studies.random_labels.study import run

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "PRESETS": "skeptic.studies.random_labels.config",
        "RandomLabelsConfig": "skeptic.studies.random_labels.config",
        "run": "skeptic.studies.random_labels.study",
    },
)

__all__ = ["PRESETS", "RandomLabelsConfig", "run"]
