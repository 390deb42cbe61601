"""Issue 28's done-when: freezing an arm fails a probe. Experiment 1 at the audit preset's budgets (two checkpoints,
fewer evaluation prompts), once as configured and once with SFT's, on-policy distillation's and RL's learning rates
at 1e-9: each arm-works probe passes on the first and fails on the second, where no frozen replicate moves."""

from __future__ import annotations

from typing import Any

import pytest

from skeptic.studies.imitation import claims as cl
from skeptic.studies.imitation import experiments
from skeptic.studies.imitation.config import PRESETS

from .test_experiments import _Ctx

CFG = PRESETS["audit"].model_copy(update={"starts": 2, "replicates": 1, "eval_prompts": 128, "checkpoints": 5})
ARMS = {"sft": "sft-arm-learns", "on-policy": "onpolicy-arm-learns", "rl": "rl-arm-learns"}


@pytest.fixture(scope="module")
def runs() -> dict[str, Any]:
    frozen = CFG.model_copy(update={"finetune_lr": 1e-9, "rl_lr": 1e-9})
    return {
        "clean": {"sft_vs_rl": experiments.sft_vs_rl(CFG, _Ctx())},  # type: ignore[arg-type]
        "frozen": {"sft_vs_rl": experiments.sft_vs_rl(frozen, _Ctx())},  # type: ignore[arg-type]
    }


@pytest.mark.parametrize("method", sorted(ARMS))
def test_each_arm_learns_when_it_trains(runs: dict[str, Any], method: str) -> None:
    out = cl.arm_learns(method)(runs["clean"])
    assert out.passed, out.detail
    assert cl.checkpoint_learned(runs["clean"]).passed


@pytest.mark.parametrize("method", sorted(ARMS))
def test_a_frozen_arm_fails_its_probe(runs: dict[str, Any], method: str) -> None:
    m = runs["frozen"]
    assert not cl.arm_learns(method)(m).passed
    one_prompt = 1.0 / m["sft_vs_rl"]["eval_prompts"]
    for seed in cl.seeds(m):  # a learning rate of 1e-9 moves no replicate's accuracy (the probe is not luck)
        accs = [float(r["final_accuracy"]) for r in cl.rows_of(m, method) if r["seed"] == seed]
        assert max(accs) - min(accs) <= one_prompt
    assert cl.checkpoint_learned(m).passed  # the shared checkpoint is not frozen: only the arms are
