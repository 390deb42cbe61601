"""The simple-rl study's config and presets.

Two experiments share one config: the transformer on the 144-answer task (GRPO on a 0/1 reward and on a flawed
grader: pass@1, pass@k, over-optimization), and the graded task on a large answer space (policies over 10⁴ answers:
light vs heavy-tailed proxy error, the two KL directions, a β grid where the penalty binds).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from skeptic.study import Budget, StudyConfig

PASS_KS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
"""k of the pass@k curves (Yue et al. 2025 go to 256 and beyond; exact here, so any k is free)."""


class SimpleRLConfig(StudyConfig):
    n_seeds: int = Field(3, ge=2, le=8)
    """Independent replicates (base model, RL policies, graded targets and proxy errors); ≥ 2 for intervals."""
    d_model: int = Field(32, ge=8, le=256)
    """Transformer width."""
    n_layers: int = Field(2, ge=1, le=8)
    """Transformer blocks (the CKA is read after each)."""
    n_heads: int = Field(2, ge=1, le=8)
    """Attention heads (must divide d_model)."""
    n_heldout: int = Field(100, ge=10, le=500)
    """Problems held out of pretraining and RL (half easy, half hard problems) for pass@1 and pass@k."""
    p_correct_easy: float = Field(0.5, gt=0.0, lt=1.0)
    """Corpus: share of easy problems (c < 5) shown with the right answer (the rest: uniform random digits)."""
    p_correct_hard: float = Field(0.15, gt=0.0, lt=1.0)
    """Corpus: share of hard problems (c ≥ 5) shown with the right answer."""
    p_misconception_hard: float = Field(0.5, ge=0.0, lt=1.0)
    """Corpus: share of hard problems shown in the wrong order, ``a c`` (a systematic misconception)."""
    p_garble: float = Field(0.05, ge=0.0, lt=0.5)
    """Corpus: share of answers with one digit garbled into ``#`` (what the flawed grader accepts)."""
    pretrain_steps: int = Field(400, ge=10, le=100_000)
    """Adam steps of pretraining (cosine-decayed)."""
    pretrain_batch: int = Field(128, ge=16, le=8192)
    """Corpus sequences per pretraining step and model."""
    pretrain_lr: float = Field(0.02, gt=0.0, le=1.0)
    """Peak pretraining learning rate."""
    rl_steps: int = Field(150, ge=1, le=100_000)
    """GRPO iterations of the transformer (each: sample, score, update)."""
    rl_prompts: int = Field(8, ge=1, le=1024)
    """Prompts per GRPO iteration (shared by the policies of one step)."""
    group: int = Field(8, ge=2, le=256)
    """G, answers sampled per prompt (DeepSeekMath: 64); also the group of the graded arms' baseline."""
    inner_steps: int = Field(1, ge=1, le=16)
    """Gradient steps per batch of rollouts (DeepSeekMath's μ; 1 is on-policy)."""
    clip: float = Field(0.2, gt=0.0, le=1.0)
    """ε of the clipped ratio (DeepSeekMath: 0.2)."""
    rl_lr: float = Field(0.003, gt=0.0, le=1.0)
    """Adam learning rate of GRPO (constant)."""
    betas: tuple[float, ...] = (0.01, 0.04, 0.16)
    """KL coefficients β of the transformer sweep (increasing; DeepSeekMath used 0.04)."""
    beta_main: float = Field(0.04, gt=0.0)
    """β of the headline RL model (pass@1, pass@k, CKA); must be one of ``betas``."""
    flaw_bonus: float = Field(1.5, gt=0.0, le=10.0)
    """The flawed grader's bonus for an answer containing ``#`` (> 1 makes a garbled answer outscore a correct one)."""
    flaw_replicates: int = Field(3, ge=1, le=8)
    """Flawed-grader policies per seed at the smallest β (the same base, their own rollouts); over-optimization is
    read per seed as their mean, since the true reward's peak varies between RL runs far more than between bases."""
    monitor_prompts: int = Field(48, ge=4, le=900)
    """Training problems on which the true and proxy rewards are tracked exactly over training."""
    eval_every: int = Field(10, ge=1, le=100_000)
    """GRPO iterations between exact evaluations."""
    eval_early_every: int = Field(0, ge=0, le=100_000)
    """GRPO iterations between extra exact evaluations of the transformer's RL before its first regular one (step
    ``eval_every``); 0: none. Resolves a true-reward peak that comes earlier than ``eval_every`` (issue 29)."""
    probe_samples: int = Field(16, ge=4, le=1024)
    """Sampled answers per monitor prompt and policy for the probes (k3, sampler, checker)."""
    views_method: Literal["rl-kl", "rl-no-kl", "sft"] = "rl-kl"
    """Views vs presentation: how the misconception order is taught (GRPO with the KL term at ``views_beta``, GRPO
    without it, or supervised fine-tuning); SFT is always trained beside it as the comparison."""
    views_target: Literal["misconception", "correct"] = "misconception"
    """The output the views arms teach on every problem: the misconception order ``a c`` (ignores whether the problem
    is hard) or the correct ``c a`` (a contrast: the first token still needs the digit c the fact is about)."""
    views_trainable: Literal["all", "readout"] = "all"
    """Which weights the views arms update: all of them, or only the readout after the last block (final layer norm
    and unembedding; a contrast: the output can still change while the states the probe reads cannot)."""
    views_beta: float = Field(0.04, gt=0.0, le=10.0)
    """β of the views experiment's RL-with-KL arm (DeepSeekMath's 0.04)."""
    views_steps: int = Field(150, ge=1, le=100_000)
    """Updates of each views arm (GRPO iterations or SFT steps, at the RL learning rate)."""
    graded_base: int = Field(10, ge=2, le=16)
    """Graded task: symbols per answer position (10: decimal digits; 12 with 2 digits is the 144-answer contrast)."""
    graded_digits: int = Field(4, ge=1, le=6)
    """Graded task: answer length; the answer space has base^digits answers (10⁴ by default)."""
    graded_q: float = Field(0.3, gt=0.0, lt=1.0)
    """Graded task: the reference policy's probability of each right digit."""
    graded_prompts: int = Field(12, ge=1, le=64)
    """Graded task: prompts (targets) per seed; each has its own error table."""
    error_sd: float = Field(0.15, gt=0.0, le=10.0)
    """SD of the proxy error X (the true reward V lies in [0, 1], steps of 1/digits)."""
    light_error: Literal["normal", "t3"] = "normal"
    """The law of the 'light-tailed' proxy's error (a contrast swaps in t3)."""
    heavy_error: Literal["normal", "t3"] = "t3"
    """The law of the 'heavy-tailed' proxy's error (a contrast swaps in normal)."""
    graded_betas: tuple[float, ...] = (0.02, 0.05, 0.15, 0.5)
    """KL coefficients of the graded arms (increasing); the first is the 'least restrictive' of Kwa et al.'s claims."""
    kl_estimator: Literal["k3-loss", "k1-reward"] = "k3-loss"
    """The KL term of the trainer's arms (GRPO and Dr. GRPO): k3 added to the loss (DeepSeekMath, TRL) or the
    log-ratio subtracted from the reward (a score-function gradient of KL(π ‖ π_ref))."""
    kl_penalty: bool = True
    """False drops the KL term from every graded arm (a contrast: then β changes nothing)."""
    graded_steps: int = Field(250, ge=1, le=100_000)
    """Adam steps of the graded arms' expected updates."""
    graded_lr: float = Field(0.1, gt=0.0, le=10.0)
    """Adam learning rate of the graded arms (on the logits)."""
    sim_replicates: int = Field(40, ge=10, le=10_000)
    """Fresh draws of targets and errors in the simulation of the Kwa et al. claims' measure (the power probe)."""

    @model_validator(mode="after")
    def _check(self) -> SimpleRLConfig:
        if self.d_model % self.n_heads:
            raise ValueError("n_heads must divide d_model")
        for name in ("betas", "graded_betas"):
            b = list(getattr(self, name))
            if b != sorted(set(b)) or len(b) < 2 or b[0] <= 0:
                raise ValueError(f"{name} must be ≥ 2 increasing positive values")
        if self.beta_main not in self.betas:
            raise ValueError("beta_main must be one of betas")
        if self.eval_early_every and self.eval_early_every >= self.eval_every:
            raise ValueError("eval_early_every must be 0 or below eval_every")
        if self.p_correct_hard + self.p_misconception_hard >= 1:
            raise ValueError("p_correct_hard + p_misconception_hard must be < 1")
        if not 16 <= self.graded_base**self.graded_digits <= 10**6:
            raise ValueError("graded_base ** graded_digits must lie in [16, 10**6]")
        if self.graded_q <= 1 / self.graded_base:
            raise ValueError("graded_q must exceed 1/graded_base (the reference must know something)")
        return self


PRESETS = {
    "test": SimpleRLConfig(
        n_seeds=3,
        d_model=16,
        n_layers=1,
        n_heldout=40,
        # 150, not 100: at 100 one of three base models stayed undertrained at the robustness audit's extra seed
        # 3964924996 (pass@1 0.10; `base-matches-corpus`, `seeds-agree` and `views-probe-works` failed on the clean
        # run). At 150 every probe passes at seeds 0, 1, 2, 3141116543 and 3964924996 (session 11).
        pretrain_steps=150,
        pretrain_batch=128,
        pretrain_lr=0.03,
        rl_steps=150,
        rl_prompts=6,
        group=6,
        rl_lr=0.006,
        betas=(0.01, 0.16),
        beta_main=0.16,
        monitor_prompts=24,
        eval_every=15,
        probe_samples=8,
        graded_prompts=12,
        graded_betas=(0.02, 0.15, 0.5),
        graded_steps=120,
        graded_lr=0.2,
        sim_replicates=20,
    ),
    # The demo (issue 36: ≤ 33 CPU s, from ~68), towards `test`, whose audit showed every verdict stable: one block
    # (as `test`), 200 pretraining steps, 6 prompts × 6 answers per GRPO step (as `test`), 7 evaluations, not 11 (the
    # fall is read between two of them), no β = 0.16 policies (no claim reads them; the figures' β sweep shows two),
    # 20 simulation draws (as `test`). Kept: width 32, the learning rates, β_main = 0.04, 150 GRPO steps (from step
    # 100 on every flawed-grader policy's true reward is ≤ 0.11, down from peaks of 0.40–0.89), three flawed-grader
    # runs per seed, 150 steps per views arm, the 10⁴-answer graded task whole. Seeds 0 and 1: every verdict as
    # before, every probe passing (README).
    "quick": SimpleRLConfig(
        n_layers=1,
        pretrain_steps=200,
        rl_prompts=6,
        group=6,
        betas=(0.01, 0.04),
        eval_every=25,
        sim_replicates=20,
    ),
    "paper": SimpleRLConfig(
        n_seeds=4,
        n_heldout=200,
        pretrain_steps=1500,
        pretrain_batch=256,
        rl_steps=400,
        rl_prompts=16,
        group=8,
        inner_steps=2,
        betas=(0.0025, 0.01, 0.04, 0.16, 0.64),
        monitor_prompts=96,
        # Every 2 steps before step 25 as well (issue 29, session 15): at this preset's 16 prompts and two inner steps
        # every flawed-grader policy's true reward rises from the base's ~0.35 to a peak of 0.48–0.62 at steps 6–8
        # and has collapsed by step ~20 (a run with an evaluation at every step, seeds 0–1), so a grid of 25 saw only
        # the fall from step 0. The training is as before; only the evaluation grid changed. `paper` seed 0 with it:
        # all 28 flawed-grader policies peak at steps 2–8 (0.44–0.61), 29 evaluations, 554.9 CPU s (575.6 before).
        eval_every=25,
        eval_early_every=2,
        probe_samples=32,
        graded_betas=(0.01, 0.02, 0.05, 0.15, 0.5, 1.5),
        graded_steps=600,
        sim_replicates=200,
    ),
}

BUDGET = Budget(
    scale={"rl_steps": 4, "graded_steps": 4, "views_steps": 4},
    note="×4 GRPO iterations of the transformer (evaluated every eval_every steps as before) and ×4 Adam steps of the "
    "graded arms and of the views arms: the over-optimization verdict, the graded arms' fixed points and the "
    "views readout must not move.",
)
