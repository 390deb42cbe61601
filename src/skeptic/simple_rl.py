"""GRPO with a k3 KL penalty on stacked tiny transformers, with exact pass@k, KL, tilt and CKA, as plain functions.

Train many small policies at once and measure them exactly (see :mod:`skeptic.studies.simple_rl`)::

    from skeptic import simple_rl as srl
    srl.group_advantages(rewards, group=8)        # GRPO's (r − mean) / std within each group
    srl.k3(logp, ref_logp)                        # DeepSeekMath's per-token KL estimator
    srl.pass_at_k_exact(p_correct, [1, 8, 64])    # 1 − (1 − p)^k averaged over problems
    srl.tilt(ref_logp, reward, beta)              # the exact KL-regularized optimum π ∝ π_ref e^{U/β}
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
    "ProbedTransformer",
    "RLSetup",
    "adam_step",
    "answer_logprobs",
    "forward",
    "group_advantages",
    "grpo_loss",
    "hidden_states",
    "init_stacked",
    "k3",
    "kl_exact",
    "linear_cka",
    "pass_at_k_exact",
    "pass_at_k_unbiased",
    "pretrain",
    "sample_stacked",
    "tilt",
    "token_logprobs",
    "train_grpo",
    "tv_distance",
]
