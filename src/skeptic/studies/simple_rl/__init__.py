"""The simple-rl study (GRPO on a small pretrained model, both KL directions, reward hacking). Importing this package
registers it."""

from skeptic.studies.simple_rl.config import PRESETS, SimpleRLConfig
from skeptic.studies.simple_rl.study import run

__all__ = ["PRESETS", "SimpleRLConfig", "run"]
