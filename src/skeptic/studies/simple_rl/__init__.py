"""The simple-rl study (GRPO on a small pretrained model, KL, reward hacking). Importing this package registers it."""

from skeptic.studies.simple_rl.study import PRESETS, SimpleRLConfig, run

__all__ = ["PRESETS", "SimpleRLConfig", "run"]
