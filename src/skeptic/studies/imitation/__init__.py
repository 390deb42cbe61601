"""The imitation study (Ross et al. 2011; Agarwal et al. 2024; Qwen3 report; Hinton et al. 2015; Busbridge et al.
2025).
Importing registers nothing."""

from typing import TYPE_CHECKING

from skeptic.study import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.imitation.config import PRESETS, ImitationConfig
    from skeptic.studies.imitation.study import run

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "PRESETS": "skeptic.studies.imitation.config",
        "ImitationConfig": "skeptic.studies.imitation.config",
        "run": "skeptic.studies.imitation.study",
    },
)

__all__ = ["PRESETS", "ImitationConfig", "run"]
