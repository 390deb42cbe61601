"""The experiments' sections at a tiny size: shapes, named streams, and the invariants the probes read."""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import torch

from skeptic.studies.imitation import experiments, nets
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


def test_shared_checkpoint_is_the_snapshot_at_the_crossing() -> None:
    """Every candidate already meets a 1% bar before training, so each is snapshotted at step 0 and the checkpoint is
    the chosen candidate's initial weights exactly, whatever cloning did afterwards; with an unreachable bar none is
    snapshotted and the checkpoint is the chosen candidate at the end of cloning."""
    from skeptic.studies.imitation import nets

    cfg, ctx = PRESETS["test"], _Ctx()
    shape = nets.model_shape(cfg.p, cfg.rl_horizon, cfg.d_student, cfg.student_layers)
    low = cfg.model_copy(update={"checkpoint_accuracy": 0.01})
    ckpt, untrained, info = experiments.shared_checkpoint(
        low, ctx, shape, ctx.torch_generator("x"), experiments._Ledger()
    )
    assert info["chosen_crossed"] and set(info["crossed_at_step"].values()) == {0}
    assert len(untrained) == cfg.checkpoint_candidates and len(set(info["fingerprint"])) == cfg.checkpoint_candidates
    init = nets.init_stack(shape, [ctx.seed_for("sft_vs_rl", "init", info["chosen"])])
    assert all(torch.equal(ckpt.params[k], init.params[k]) for k in init.params)
    high = cfg.model_copy(update={"checkpoint_accuracy": 0.999})
    ckpt, _, info = experiments.shared_checkpoint(high, ctx, shape, ctx.torch_generator("x"), experiments._Ledger())
    assert not info["chosen_crossed"] and ckpt.size == 1
    assert not all(torch.equal(ckpt.params[k], init.params[k]) for k in init.params)


def test_baseline_error_by_hand() -> None:
    """Two prompts of a group of 2: rewards (1, 0 | 1, 1) have group means 0.5 and 1, so the advantages are
    (0.5, −0.5 | 0, 0); the raw rewards (no baseline) are off by 1 at most."""
    r = torch.tensor([[1.0, 0.0, 1.0, 1.0]])
    assert experiments.baseline_error(r, nets.group_advantages(r, 2), 2) == 0.0
    assert experiments.baseline_error(r, r, 2) == 1.0
