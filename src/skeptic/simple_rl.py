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

from typing import TYPE_CHECKING

from skeptic._lazy import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.simple_rl.analysis import (
        kl_exact,
        linear_cka,
        pass_at_k_exact,
        pass_at_k_unbiased,
        tilt,
        tv_distance,
    )
    from skeptic.studies.simple_rl.graded import (
        GradedTask,
        expected_ascent,
        grpo_optimum,
        reverse_optimum,
    )
    from skeptic.studies.simple_rl.grpo import (
        RLSetup,
        group_advantages,
        grpo_loss,
        k3,
        train_grpo,
    )
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

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "kl_exact": "skeptic.studies.simple_rl.analysis",
        "linear_cka": "skeptic.studies.simple_rl.analysis",
        "pass_at_k_exact": "skeptic.studies.simple_rl.analysis",
        "pass_at_k_unbiased": "skeptic.studies.simple_rl.analysis",
        "tilt": "skeptic.studies.simple_rl.analysis",
        "tv_distance": "skeptic.studies.simple_rl.analysis",
        "GradedTask": "skeptic.studies.simple_rl.graded",
        "expected_ascent": "skeptic.studies.simple_rl.graded",
        "grpo_optimum": "skeptic.studies.simple_rl.graded",
        "reverse_optimum": "skeptic.studies.simple_rl.graded",
        "RLSetup": "skeptic.studies.simple_rl.grpo",
        "group_advantages": "skeptic.studies.simple_rl.grpo",
        "grpo_loss": "skeptic.studies.simple_rl.grpo",
        "k3": "skeptic.studies.simple_rl.grpo",
        "train_grpo": "skeptic.studies.simple_rl.grpo",
        "ProbedTransformer": "skeptic.studies.simple_rl.policy",
        "adam_step": "skeptic.studies.simple_rl.policy",
        "answer_logprobs": "skeptic.studies.simple_rl.policy",
        "forward": "skeptic.studies.simple_rl.policy",
        "hidden_states": "skeptic.studies.simple_rl.policy",
        "init_stacked": "skeptic.studies.simple_rl.policy",
        "pretrain": "skeptic.studies.simple_rl.policy",
        "sample_stacked": "skeptic.studies.simple_rl.policy",
        "token_logprobs": "skeptic.studies.simple_rl.policy",
    },
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
