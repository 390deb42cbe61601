"""Fault catalog of the imitation study: bugs a hurried replicator of SFT-vs-RL and DAgger-style distillation makes.

Each fault replaces, for one audit run, the function the bug would live in (see :mod:`skeptic.core.faults`); the
experiment's code is untouched. The catalog spans the data (evaluation prompts drawn from the training part, training
prompts not excluding the held-out ones), the teacher and the reward (a step label off by one, the reward reading the
penultimate answer), the methods (behaviour cloning and on-policy arms swapped, the soft targets replaced by the
teacher's argmax, the RL baseline dropped), the statistics (one initialization for every seed, bits in nats) and the
evaluation (accuracy scored under teacher forcing instead of on the student's own rollouts), and the compounding
experiment (the count's expert continuing from the student's state, the slips that hold ε fixed never applied).
"""

from __future__ import annotations

from typing import Any

import torch

from skeptic.study import Fault, replace

TASK = "skeptic.studies.imitation.task"
NETS = "skeptic.studies.imitation.nets"
EXP = "skeptic.studies.imitation.experiments"


def _eval_from_train(orig: Any) -> Any:
    def sample_prompts(n: int, T: int, p: int, gen: torch.Generator, *, split: str, device: str = "cpu") -> Any:
        return orig(n, T, p, gen, split="train", device=device)  # the split argument is ignored: one sampler for all

    return sample_prompts


def _train_whole_space(orig: Any) -> Any:
    def sample_prompts(n: int, T: int, p: int, gen: torch.Generator, *, split: str, device: str = "cpu") -> Any:
        if split == "train":  # training prompts drawn from the whole space, held-out ones included
            return torch.randint(0, p, (n, T), generator=gen, device=device)
        return orig(n, T, p, gen, split=split, device=device)

    return sample_prompts


def _shared_init(orig: Any) -> Any:
    def init_stack(shape: Any, seeds: list[int], device: str = "cpu") -> Any:
        return orig(shape, [seeds[0]] * len(seeds), device)  # every "seed" starts from the first seed's weights

    return init_stack


def _bits_in_nats(orig: Any) -> Any:
    import math

    def demonstration_bits(T: int, p: int) -> float:
        return T * math.log(p)  # natural log where log₂ belongs

    return demonstration_bits


def _reward_penultimate(orig: Any) -> Any:
    from skeptic.studies.imitation import task

    def outcome_reward(x: torch.Tensor, y: torch.Tensor, p: int, kind: str = "sum") -> torch.Tensor:
        return (y[..., -2] == task.answers(x, p, kind)[..., -1]).float()  # y[-2] where y[-1] belongs

    return outcome_reward


def _label_not_shifted(orig: Any) -> Any:
    def teacher_labels(x: torch.Tensor, y: torch.Tensor, p: int) -> torch.Tensor:
        return (y + x) % p  # the answer at t itself where the previous one (t − 1) belongs

    return teacher_labels


def _arms_swapped(orig: Any) -> Any:
    def supervised_batch(stack: Any, arms: list[str], *a: Any, **k: Any) -> Any:
        swap = {"bc": "on-policy", "on-policy": "bc"}
        return orig(stack, [swap[a_] for a_ in arms], *a, **k)  # arm names attached to the wrong models

    return supervised_batch


def _soft_targets_argmax(orig: Any) -> Any:
    def teacher_probs(teacher: Any, x: torch.Tensor, y: torch.Tensor, p: int, temperature: float) -> torch.Tensor:
        q = orig(teacher, x, y, p, temperature)
        return torch.nn.functional.one_hot(q.argmax(-1), p).float()  # the teacher's argmax, not its distribution

    return teacher_probs


def _no_baseline(orig: Any) -> Any:
    def group_advantages(rewards: torch.Tensor, group: int) -> torch.Tensor:
        return rewards  # raw rewards: the group-mean baseline is dropped

    return group_advantages


def _forced_accuracy(orig: Any) -> Any:
    from skeptic.studies.imitation import nets, task

    @torch.no_grad()
    def evaluate(stack: Any, x_eval: torch.Tensor, p: int, kind: str = "sum", *, forced: bool = True) -> Any:
        ev = orig(stack, x_eval, p, kind, forced=forced)
        x = x_eval.expand(stack.size, *x_eval.shape)
        truth = task.answers(x, p, kind)
        forced_answers = nets.answer_logits(stack, x, truth, p).argmax(-1)
        ev.final_accuracy = [float(v) for v in (forced_answers[..., -1] == truth[..., -1]).float().mean(-1)]
        return ev  # final accuracy read from teacher-forced predictions, not from the student's own rollouts

    return evaluate


def _count_expert_local(orig: Any) -> Any:
    from skeptic.studies.imitation import task

    def expert_labels(x: torch.Tensor, y: torch.Tensor, p: int, kind: str) -> torch.Tensor:
        if kind == "count":  # the count's expert continues from the state, like the sum's: no correction
            prev = torch.cat([torch.zeros_like(y[..., :1]), y[..., :-1]], dim=-1)
            return (prev + task.increments(x, kind)) % p
        out: torch.Tensor = orig(x, y, p, kind)
        return out

    return expert_labels


def _slips_dropped(orig: Any) -> Any:
    def slips(shape: tuple[int, ...], rate: float, p: int, gen: torch.Generator, device: str = "cpu") -> torch.Tensor:
        return torch.zeros(shape, dtype=torch.int64, device=device)  # the slip rate is never applied

    return slips


FAULTS = (
    Fault("eval-prompts-from-train", "leakage", "the evaluation prompts are drawn from the training part of the space",
          replace(f"{TASK}.sample_prompts", _eval_from_train)),
    Fault("train-includes-held-out", "leakage", "the training sampler does not exclude the held-out prompts",
          replace(f"{TASK}.sample_prompts", _train_whole_space)),
    Fault("seeds-share-init", "rng-reuse", "every seed's student starts from the same initial weights",
          replace(f"{NETS}.init_stack", _shared_init)),
    Fault("bits-in-nats", "scale", "the demonstration's information is computed in nats instead of bits",
          replace(f"{TASK}.demonstration_bits", _bits_in_nats)),
    Fault("reward-reads-penultimate", "off-by-one", "the outcome reward checks the second-to-last answer step",
          replace(f"{TASK}.outcome_reward", _reward_penultimate)),
    Fault("teacher-label-unshifted", "off-by-one", "the teacher's step label adds x_t to y_t instead of y_(t-1)",
          replace(f"{TASK}.teacher_labels", _label_not_shifted)),
    Fault("arms-swapped", "swap", "behaviour cloning and on-policy distillation are attached to each other's models",
          replace(f"{EXP}._supervised_batch", _arms_swapped)),
    Fault("soft-targets-are-argmax", "wrong-field", "distillation reads the teacher's argmax instead of its soft "
          "distribution", replace(f"{EXP}.teacher_probs", _soft_targets_argmax),
          note="soft-targets-carry-information should see it: the argmax is one-hot on every state"),
    Fault("rl-baseline-dropped", "setting", "REINFORCE uses the raw 0/1 reward with no group-mean baseline",
          replace(f"{NETS}.group_advantages", _no_baseline),
          note="rl-baseline-is-group-mean sees it at every preset; before that probe the quick audit found it silent "
          "(RL without a baseline learned a little faster: bits-explain-gap moved from inconclusive to replicated, "
          "and rl-arm-learns passed)"),
    Fault("accuracy-teacher-forced", "wrong-field", "held-out accuracy is scored on teacher-forced predictions "
          "instead of the student's own rollouts", replace(f"{NETS}.evaluate", _forced_accuracy),
          note="metrics-consistent should see it wherever teacher forcing hides a mistake the rollout makes; "
          "harmless at quick (audit of code aad0b42: every verdict unchanged, no probe failed), a known gap"),
    Fault("count-expert-continues", "wrong-field", "the count task's expert continues from the student's state "
          "instead of writing the true count", replace(f"{TASK}.expert_labels", _count_expert_local)),
    Fault("slips-dropped", "setting", "the slips that hold ε fixed across horizons are never applied",
          replace(f"{TASK}.slips", _slips_dropped),
          note="slips-applied sees it at every preset; slips-hold-eps too where the students learned (quick)"),
)  # fmt: skip
