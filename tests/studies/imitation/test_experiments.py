"""The experiments' sections at a tiny size: shapes, named streams, and the invariants the probes read."""

from __future__ import annotations

import itertools
import zlib
from typing import Any

import numpy as np
import torch

from skeptic.studies.imitation import experiments, nets, task
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
    """Every candidate already meets a 1% bar before training, so each is snapshotted at step 0 and each start's
    checkpoint is its chosen candidate's initial weights exactly, whatever cloning did afterwards; with an
    unreachable bar none is snapshotted and each checkpoint is its chosen candidate at the end of cloning. The starts
    are independent: their own candidates, none shared."""
    from skeptic.studies.imitation import nets

    cfg, ctx = PRESETS["test"], _Ctx()
    S, K = cfg.starts, cfg.checkpoint_candidates
    shape = nets.model_shape(cfg.p, cfg.rl_horizon, cfg.d_student, cfg.student_layers)
    low = cfg.model_copy(update={"checkpoint_accuracy": 0.01})
    ckpt, untrained, info = experiments.shared_checkpoint(
        low, ctx, shape, ctx.torch_generator("x"), experiments._Ledger()
    )
    assert ckpt.size == S == len(info["starts"]) and len(untrained) == S * K
    assert len(set(info["fingerprint"])) == S * K
    for g, st in enumerate(info["starts"]):
        assert st["chosen_crossed"] and set(st["crossed_at_step"].values()) == {0}
        init = nets.init_stack(shape, [ctx.seed_for("sft_vs_rl", "init", g, st["chosen"])])
        assert all(torch.equal(ckpt.params[k][g], init.params[k][0]) for k in init.params)
    high = cfg.model_copy(update={"checkpoint_accuracy": 0.999})
    ckpt, _, info = experiments.shared_checkpoint(high, ctx, shape, ctx.torch_generator("x"), experiments._Ledger())
    assert not any(st["chosen_crossed"] for st in info["starts"]) and ckpt.size == S
    assert not all(torch.equal(ckpt.params[k][0], init.params[k][0]) for k in init.params)


def test_baseline_error_by_hand() -> None:
    """Two prompts of a group of 2: rewards (1, 0 | 1, 1) have group means 0.5 and 1, so the advantages are
    (0.5, −0.5 | 0, 0); the raw rewards (no baseline) are off by 1 at most."""
    r = torch.tensor([[1.0, 0.0, 1.0, 1.0]])
    assert experiments.baseline_error(r, nets.group_advantages(r, 2), 2) == 0.0
    assert experiments.baseline_error(r, r, 2) == 1.0


def test_checkpoint_is_snapshotted_between_evaluations_at_its_first_crossing() -> None:
    """At a 30% bar start 0's candidate 1 crosses at step 43, between two evaluations (every 5 steps): its snapshot is
    taken there, holds ≥ 30% of the validation prompts (recomputed here), and is not the end of cloning (28%)."""
    cfg = PRESETS["test"].model_copy(update={"checkpoint_accuracy": 0.3, "clone_steps": 60})
    ctx = _Ctx()
    shape = nets.model_shape(cfg.p, cfg.rl_horizon, cfg.d_student, cfg.student_layers)
    ckpt, _, info = experiments.shared_checkpoint(cfg, ctx, shape, ctx.torch_generator("x"), experiments._Ledger())
    st = info["starts"][0]
    step = st["crossed_at_step"][str(st["chosen"])]
    assert st["chosen_crossed"] and step % experiments.CLONE_EVAL_EVERY != 0
    n = min(cfg.eval_prompts, experiments.VAL_PROMPTS)
    x_val = task.sample_prompts(n, cfg.rl_horizon, cfg.p, ctx.torch_generator("x"), split="train")
    assert nets.evaluate(ckpt, x_val, cfg.p).final_accuracy[0] >= 0.3 > st["candidates_end_accuracy"][st["chosen"]]
    assert st["reference_validation_accuracy"] >= 0.3 > st["accuracy_before_crossing"]
    from skeptic.studies.imitation import claims as cl

    def m(*starts: dict[str, Any]) -> dict[str, Any]:
        return {"sft_vs_rl": {"checkpoint": dict(info, starts=list(starts))}}

    assert (
        all(s["chosen_crossed"] for s in info["starts"]) and cl.checkpoint_as_declared(m(*info["starts"]), cfg).passed
    )
    rest = info["starts"][1:]
    late = dict(st, accuracy_before_crossing=0.31)  # a snapshot taken after the first crossing
    assert not cl.checkpoint_as_declared(m(late, *rest), cfg).passed
    below = dict(st, reference_validation_accuracy=0.2)  # a snapshot below the bar
    assert not cl.checkpoint_as_declared(m(below, *rest), cfg).passed
    never = dict(st, chosen_crossed=False)  # the end of cloning, never at the bar
    assert not cl.checkpoint_as_declared(m(never, *rest), cfg).passed
    assert not cl.checkpoint_as_declared(m(st), cfg).passed  # fewer checkpoints than declared


def test_accuracies_of_some_models_are_those_of_the_whole_stack() -> None:
    """The cloning loop decodes only the candidates it still reads: their accuracies equal those of a decoding of
    the whole stack, and the others keep the values they were given."""
    shape = nets.model_shape(5, 4, 16, 1)
    stack = nets.init_stack(shape, list(range(6)))
    gen = torch.Generator().manual_seed(1)
    opt = nets.optimizer(stack, 0.01)
    for _ in range(15):  # a little training, so that the six models differ in accuracy
        x = task.sample_prompts(6 * 16, 4, 5, gen, split="train").reshape(6, 16, 4)
        y = task.answers(x, 5, "sum")
        nets.step(opt, nets.cross_entropy(nets.answer_logits(stack, x, y, 5), y))
    x_val = task.sample_prompts(128, 4, 5, gen, split="train")
    whole = nets.evaluate(stack, x_val, 5, "sum").final_accuracy
    known = [-1.0] * 6
    for which in ([4], [0, 3, 5], list(range(6))):
        got = experiments._accuracies(stack, which, known, x_val, 5, "sum")
        assert got == [whole[k] if k in which else -1.0 for k in range(6)]
    assert experiments._accuracies(stack, [], known, x_val, 5, "sum") == known
    assert len(set(whole)) > 1


def test_teacher_table_matches_the_teacher_on_each_batch() -> None:
    """Row c of :func:`experiments.all_prompts` has code c, and the tabulated distributions equal the teacher's
    computed on a batch up to float32 rounding (a matrix product over 625 rows instead of 64)."""
    p, T = 5, 4
    x_all = experiments.all_prompts(T, p)
    assert x_all.shape == (p**T, T) and torch.equal(task.prompt_codes(x_all, p), torch.arange(p**T))
    teacher = nets.init_stack(nets.model_shape(p, T, 16, 1), [4])
    with torch.no_grad():
        for v in teacher.params.values():
            v.add_(0.3 * torch.randn(v.shape, generator=torch.Generator().manual_seed(1)))
    targets = experiments.TeacherTargets(teacher, T, p, 2.0, "sum", "cpu")
    assert targets.table is not None
    x = task.sample_prompts(64, T, p, torch.Generator().manual_seed(2), split="train").reshape(2, 32, T)
    want = experiments.teacher_probs(teacher, x, task.answers(x, p, "sum"), p, 2.0)
    assert torch.allclose(targets(x), want, atol=1e-6, rtol=0)
    assert float(want.std()) > 0.01  # the teacher is not uniform, so the comparison can fail


def test_decayed_lr_is_constant_then_cools_down_linearly_over_the_last_fifth() -> None:
    lr = [experiments.decayed_lr(0.005, s, 200) for s in range(200)]
    assert lr[:160] == [0.005] * 160  # four fifths at the full rate
    assert abs(lr[160] - 0.005) < 1e-15 and abs(lr[180] - 0.0025) < 1e-15 and abs(lr[199] - 0.005 / 40) < 1e-15
    assert all(a > b for a, b in itertools.pairwise(lr[160:]))
    assert [experiments.decayed_lr(1.0, s, 10) for s in range(10)] == [1.0] * 9 + [0.5]


def test_decay_leaves_a_one_step_run_alone_and_slows_the_last_step_of_ten() -> None:
    cfg = PRESETS["test"]
    shape = nets.model_shape(cfg.p, 3, cfg.d_student, cfg.student_layers)
    ctx = _Ctx()
    x_eval = task.sample_prompts(16, 3, cfg.p, ctx.torch_generator("e"), split="eval")
    ends: dict[tuple[int, bool], dict[str, torch.Tensor]] = {}
    for steps in (1, 10):
        for decay in (False, True):
            stack = nets.init_stack(shape, [1, 2])
            kw: dict[str, Any] = dict(T=3, p=cfg.p, kind="count", batch=8, lr=0.005, x_eval=x_eval, labels=[{}, {}],
                                      n_checkpoints=0, ledger=experiments._Ledger())  # fmt: skip
            experiments.train_imitation(stack, ["bc", "bc"], steps=steps, gen=ctx.torch_generator("d"), decay=decay,
                                        **kw)  # fmt: skip
            ends[steps, decay] = {k: v.detach().clone() for k, v in stack.params.items()}
    same = [all(torch.equal(ends[n, False][k], ends[n, True][k]) for k in ends[n, False]) for n in (1, 10)]
    # one step: its rate is the constant one (bit for bit); ten steps: the last runs at half the rate
    assert same == [True, False]
