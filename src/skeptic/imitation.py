"""SFT vs RL, on-policy vs off-policy distillation, distilled vs overtrained: the imitation study's pieces as plain
functions.

The task (a running sum mod p written step by step), its exact teacher, checker and bits accounting::

    import torch
    from skeptic import imitation as im
    gen = torch.Generator().manual_seed(0)
    x = im.sample_prompts(4, 6, 5, gen, split="train")   # 4 prompts, horizon T = 6, digits mod 5
    y = im.running_sum(x, 5)                              # the teacher's worked answers
    im.teacher_labels(x, y, 5)                            # the teacher's action at every visited state
    im.outcome_reward(x, y, 5)                            # RL's 0/1 reward: all ones here
    im.demonstration_bits(6, 5), im.reward_bits(0.2)      # 13.9 bits per demonstration vs 0.72 per reward
    im.answers(x, 5, "count")                             # the count task: running count of zeros mod 5
    im.expert_labels(x, y, 5, "count")                    # its expert writes the true count at any state

Many tiny transformers trained as one computation (stacked parameters under ``torch.vmap``)::

    stack = im.init_stack(im.model_shape(5, 6, 32, 1), seeds=[0, 1, 2])
    opt = im.optimizer(stack, 0.005)
    xs = x.expand(3, *x.shape)
    im.step(opt, im.cross_entropy(im.answer_logits(stack, xs, im.running_sum(xs, 5), 5), im.running_sum(xs, 5)))
    im.evaluate(stack, x, 5).final_accuracy                 # held-out accuracy per model (greedy rollouts)

See :mod:`skeptic.studies.imitation.task`, :mod:`~skeptic.studies.imitation.nets` and
:mod:`~skeptic.studies.imitation.experiments` for the formulas and the three experiments.
"""

from typing import TYPE_CHECKING

from skeptic._lazy import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.imitation.experiments import (
        distill_vs_overtrain,
        horizons,
        sft_vs_rl,
        train_teacher,
    )
    from skeptic.studies.imitation.nets import (
        Evaluation,
        SlipEvaluation,
        Stack,
        answer_logits,
        cross_entropy,
        evaluate,
        evaluate_slipped,
        group_advantages,
        init_stack,
        logits,
        model_shape,
        optimizer,
        reinforce_loss,
        rollout,
        soft_cross_entropy,
        step,
    )
    from skeptic.studies.imitation.task import (
        answers,
        check_answer,
        demonstration_bits,
        expert_labels,
        held_out,
        outcome_reward,
        reward_bits,
        running_sum,
        sample_prompts,
        sequences,
        slips,
        teacher_labels,
    )

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "distill_vs_overtrain": "skeptic.studies.imitation.experiments",
        "horizons": "skeptic.studies.imitation.experiments",
        "sft_vs_rl": "skeptic.studies.imitation.experiments",
        "train_teacher": "skeptic.studies.imitation.experiments",
        "Evaluation": "skeptic.studies.imitation.nets",
        "SlipEvaluation": "skeptic.studies.imitation.nets",
        "Stack": "skeptic.studies.imitation.nets",
        "answer_logits": "skeptic.studies.imitation.nets",
        "cross_entropy": "skeptic.studies.imitation.nets",
        "evaluate": "skeptic.studies.imitation.nets",
        "evaluate_slipped": "skeptic.studies.imitation.nets",
        "group_advantages": "skeptic.studies.imitation.nets",
        "init_stack": "skeptic.studies.imitation.nets",
        "logits": "skeptic.studies.imitation.nets",
        "model_shape": "skeptic.studies.imitation.nets",
        "optimizer": "skeptic.studies.imitation.nets",
        "reinforce_loss": "skeptic.studies.imitation.nets",
        "rollout": "skeptic.studies.imitation.nets",
        "soft_cross_entropy": "skeptic.studies.imitation.nets",
        "step": "skeptic.studies.imitation.nets",
        "answers": "skeptic.studies.imitation.task",
        "check_answer": "skeptic.studies.imitation.task",
        "demonstration_bits": "skeptic.studies.imitation.task",
        "expert_labels": "skeptic.studies.imitation.task",
        "held_out": "skeptic.studies.imitation.task",
        "outcome_reward": "skeptic.studies.imitation.task",
        "reward_bits": "skeptic.studies.imitation.task",
        "running_sum": "skeptic.studies.imitation.task",
        "sample_prompts": "skeptic.studies.imitation.task",
        "sequences": "skeptic.studies.imitation.task",
        "slips": "skeptic.studies.imitation.task",
        "teacher_labels": "skeptic.studies.imitation.task",
    },
)

__all__ = [
    "Evaluation",
    "SlipEvaluation",
    "Stack",
    "answer_logits",
    "answers",
    "check_answer",
    "cross_entropy",
    "demonstration_bits",
    "distill_vs_overtrain",
    "evaluate",
    "evaluate_slipped",
    "expert_labels",
    "group_advantages",
    "held_out",
    "horizons",
    "init_stack",
    "logits",
    "model_shape",
    "optimizer",
    "outcome_reward",
    "reinforce_loss",
    "reward_bits",
    "rollout",
    "running_sum",
    "sample_prompts",
    "sequences",
    "sft_vs_rl",
    "slips",
    "soft_cross_entropy",
    "step",
    "teacher_labels",
    "train_teacher",
]
