"""The experiments' sections at a tiny size: shapes, named streams, and the invariants the probes read."""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import torch

from skeptic.studies.imitation import experiments
from skeptic.studies.imitation.config import PRESETS


class _Ctx:
    """A stand-in run context: named streams derived from a seed by hashing the name (as the runner does)."""

    seed, preset, device = 0, "test", "cpu"

    def seed_for(self, *key: str | int) -> int:
        words = [zlib.crc32(str(k).encode()) for k in key]
        return int(np.random.SeedSequence([self.seed, *words]).generate_state(1, np.uint64)[0] >> np.uint64(1))

    def torch_generator(self, *key: str | int, device: str | None = None) -> Any:
        return torch.Generator().manual_seed(self.seed_for(*key))


def test_horizons_scores_every_prefix_with_the_slips_it_reports() -> None:
    cfg = PRESETS["test"]
    out = experiments.horizons(cfg, _Ctx())
    assert {(r["method"], r["T"]) for r in out["rows"]} == {(m, T) for m in ("bc", "on-policy") for T in cfg.horizons}
    assert len(out["rows"]) == 2 * cfg.n_seeds * len(cfg.horizons) and out["T_train"] == max(cfg.horizons)
    for r in out["rows"]:
        assert 0.0 <= r["cost"] <= r["T"] and 0.0 <= r["eps"] <= 1.0
    assert out["off_path"]["bc"] == 0.0 and out["train_eval_overlap"] == 0
    none = experiments.horizons(cfg.model_copy(update={"slip_rate": 0.0}), _Ctx())
    assert none["slip_share"] == 0.0


def test_the_experts_pass_their_own_check() -> None:
    c = experiments.teacher_check(PRESETS["test"], _Ctx())
    assert c["prompts"] > 0 and c["checker_agrees"] == c["rule_matches_answers"] == c["prompts"]
    assert c["count_expert_corrects"] == c["sum_expert_continues"] == c["corrupted"] > 0
    assert experiments.bits_check() == experiments.HAND_BITS or all(
        abs(experiments.bits_check()[k] - v) < 1e-12 for k, v in experiments.HAND_BITS.items()
    )
