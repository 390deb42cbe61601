"""GRPO with a k3 KL penalty on stacked tiny transformers, with exact pass@k, KL, tilt and CKA, as plain functions.

Train many small policies at once and measure them exactly (see :mod:`skeptic.studies.simple_rl`)::

    from skeptic import simple_rl as srl
    srl.group_advantages(rewards, group=8)        # GRPO's (r − mean) / std within each group
    srl.k3(logp, ref_logp)                        # DeepSeekMath's per-token KL estimator
    srl.pass_at_k_exact(p_correct, [1, 8, 64])    # 1 − (1 − p)^k averaged over problems
    srl.tilt(ref_logp, reward, beta)              # argmax E[U] − β KL(π ‖ π_ref): π ∝ π_ref e^{U/β}
    srl.reverse_optimum(ref_logp, reward, beta)   # argmax E[U] − β KL(π_ref ‖ π): where k3-as-loss leads
    srl.linear_cka(x, y)                          # representation similarity (Kornblith et al. 2019)
"""

from skeptic.studies.simple_rl.analysis import (
    kl_exact,
    linear_cka,
    pass_at_k_exact,
    pass_at_k_unbiased,
    tilt,
    tv_distance,
)
from skeptic.studies.simple_rl.graded import GradedTask, expected_ascent, grpo_optimum, reverse_optimum
from skeptic.studies.simple_rl.grpo import RLSetup, group_advantages, grpo_loss, k3, train_grpo
from skeptic.studies.simple_rl.policy import (
    ProbedTransformer,
    adam_step,
    answer_logprobs,
    forward,
    hidden_states,
    init_stacked,
    pretrain,
    sample_stacked,
    token_logprobs,
)

__all__ = [
    "GradedTask",
    "ProbedTransformer",
    "RLSetup",
    "adam_step",
    "answer_logprobs",
    "expected_ascent",
    "forward",
    "group_advantages",
    "grpo_loss",
    "grpo_optimum",
    "hidden_states",
    "init_stacked",
    "k3",
    "kl_exact",
    "linear_cka",
    "pass_at_k_exact",
    "pass_at_k_unbiased",
    "pretrain",
    "reverse_optimum",
    "sample_stacked",
    "tilt",
    "token_logprobs",
    "train_grpo",
    "tv_distance",
]
