"""The imitation study's config and presets."""

from __future__ import annotations

from pydantic import Field, field_validator

from skeptic.core.study import StudyConfig


class ImitationConfig(StudyConfig):
    n_seeds: int = Field(3, ge=2, le=16)
    """Independent students per method (initial weights and data streams); ≥ 2 for intervals over seeds."""
    p: int = Field(5, ge=2, le=16)
    """The modulus: digits and answers are in {0, …, p−1}; a random answer is right with probability 1/p."""
    d_student: int = Field(32, ge=8, le=256)
    """Student width d_model (one-layer students of the shared TinyTransformer, 2 heads)."""
    student_layers: int = Field(1, ge=1, le=4)
    """Student depth. One layer can represent the teacher's rule (attend to the previous answer, add mod p)."""
    d_teacher: int = Field(64, ge=8, le=512)
    """Width of the trained (imperfect) teacher of the distillation experiment; larger than the student."""
    teacher_layers: int = Field(1, ge=1, le=6)
    """Depth of the trained teacher."""
    lr: float = Field(0.005, gt=0.0, le=1.0)
    """Adam learning rate of the students' supervised and distillation updates (β = (0.9, 0.98), constant)."""
    teacher_lr: float = Field(0.003, gt=0.0, le=1.0)
    """Adam learning rate of the trained teacher (wider models want a smaller rate)."""
    teacher_candidates: int = Field(3, ge=1, le=16)
    """Teachers trained side by side from different seeds; the one with the best accuracy on fresh training-split
    prompts (never the held-out ones) becomes the teacher."""
    batch: int = Field(32, ge=4, le=4096)
    """Training prompts per model per supervised step: each gives one teacher label per answer step."""
    eval_prompts: int = Field(512, ge=32, le=100_000)
    """Held-out prompts every model is scored on (greedy decoding), drawn from the evaluation part of the space."""
    checkpoints: int = Field(10, ge=3, le=40)
    """Log-spaced evaluations along the SFT / on-policy / RL curves."""
    rl_horizon: int = Field(4, ge=2, le=16)
    """Horizon T of experiment 1 (SFT vs on-policy distillation vs RL)."""
    sft_steps: int = Field(200, ge=1, le=100_000)
    """Steps of SFT and on-policy distillation in experiment 1 (``sft_steps · batch`` samples)."""
    rl_steps: int = Field(260, ge=1, le=1_000_000)
    """Steps of REINFORCE in experiment 1 (``rl_steps · rl_prompts · rl_group`` episodes)."""
    rl_prompts: int = Field(32, ge=1, le=1024)
    """Training prompts per RL step."""
    rl_group: int = Field(8, ge=2, le=256)
    """Sampled answers per prompt; the baseline is the group's mean reward (GRPO's, without std normalization)."""
    rl_lr: float = Field(0.003, gt=0.0, le=1.0)
    """Adam learning rate of REINFORCE (smaller than SFT's: policy gradients are noisier)."""
    horizons: tuple[int, ...] = (3, 6, 9)
    """Horizons T of experiment 2 (behaviour cloning vs on-policy distillation), increasing, at least three."""
    horizon_steps: int = Field(100, ge=1, le=100_000)
    """Steps per horizon in experiment 2; both methods get ``horizon_steps · batch · T`` teacher labels."""
    distill_horizon: int = Field(4, ge=2, le=16)
    """Horizon T of experiment 3 (distilled vs overtrained)."""
    teacher_steps: int = Field(300, ge=1, le=100_000)
    """SFT steps of the trained teacher on the ground truth."""
    distill_steps: int = Field(50, ge=1, le=100_000)
    """N: the distilled students' budget; the hard-label students are evaluated at N, 4N and 16N steps."""
    distill_temperature: float = Field(2.0, gt=0.0, le=100.0)
    """Temperature τ of the teacher's soft targets softmax(z/τ) (Hinton et al. 2015 use τ > 1)."""

    @field_validator("horizons")
    @classmethod
    def _horizons(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if len(v) < 3 or list(v) != sorted(set(v)) or v[0] < 2 or v[-1] > 32:
            raise ValueError("needs at least three strictly increasing horizons in [2, 32] (a slope needs three)")
        return v


PRESETS = {
    "test": ImitationConfig(
        n_seeds=2,
        batch=32,
        eval_prompts=64,
        checkpoints=4,
        sft_steps=30,
        rl_steps=10,
        rl_prompts=8,
        rl_group=4,
        horizons=(3, 4, 5),
        horizon_steps=20,
        teacher_steps=200,
        distill_steps=10,
    ),
    "quick": ImitationConfig(),
    "paper": ImitationConfig(
        n_seeds=6,
        eval_prompts=2048,
        checkpoints=14,
        sft_steps=300,
        rl_steps=3000,
        rl_prompts=16,
        horizons=(3, 6, 9, 12, 16),
        horizon_steps=150,
        teacher_steps=1000,
        distill_steps=60,
    ),
}
