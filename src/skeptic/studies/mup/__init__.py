"""The mup study (Yang et al. 2022, Tensor Programs V).
Importing this package registers nothing: its names load on first use."""

from typing import TYPE_CHECKING

from skeptic.study import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.mup.config import PRESETS, MupConfig
    from skeptic.studies.mup.study import run

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "PRESETS": "skeptic.studies.mup.config",
        "MupConfig": "skeptic.studies.mup.config",
        "run": "skeptic.studies.mup.study",
    },
)

__all__ = ["PRESETS", "MupConfig", "run"]
