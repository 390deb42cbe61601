"""The simple-rl study (GRPO on a small pretrained model, both KL directions, reward hacking).
Importing this package registers nothing."""

from typing import TYPE_CHECKING

from skeptic.study import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.simple_rl.config import PRESETS, SimpleRLConfig
    from skeptic.studies.simple_rl.study import run

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "PRESETS": "skeptic.studies.simple_rl.config",
        "SimpleRLConfig": "skeptic.studies.simple_rl.config",
        "run": "skeptic.studies.simple_rl.study",
    },
)

__all__ = ["PRESETS", "SimpleRLConfig", "run"]
