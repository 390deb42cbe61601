"""The simple-rl study (GRPO on a small pretrained model, KL, reward hacking).
Importing this package registers nothing."""

from typing import TYPE_CHECKING

from skeptic.study import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.simple_rl.study import PRESETS, SimpleRLConfig, run

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "PRESETS": "skeptic.studies.simple_rl.study",
        "SimpleRLConfig": "skeptic.studies.simple_rl.study",
        "run": "skeptic.studies.simple_rl.study",
    },
)

__all__ = ["PRESETS", "SimpleRLConfig", "run"]
