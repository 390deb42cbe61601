"""The glitch-tokens study's config and presets."""

from __future__ import annotations

from pydantic import Field

from skeptic.core.study import StudyConfig


class GlitchConfig(StudyConfig):
    vocab_size: int = Field(1024, ge=300, le=65_536)
    """BPE vocabulary size of the tokenizer trained on corpus A (256 bytes, the special tokens, then merges)."""
    planted_per_count: int = Field(8, ge=1, le=100)
    """Planted pseudo-words per training count (0, 1, 3, 10, 30 occurrences in corpus B)."""
    plant_repeats: int = Field(400, ge=10, le=100_000)
    """How often each planted word occurs in corpus A, enough for BPE to merge it into one token."""
    n_reserved: int = Field(16, ge=1, le=1024)
    """Reserved special tokens ``<|reserved_k|>`` (never in corpus B): part of the known-unused reference set."""
    corpus_fraction: float = Field(1.0, gt=0.0, le=1.0)
    """Fraction of corpus B's text (the non-held-out help topics) the model trains on."""
    chunk: int = Field(21, ge=4, le=340)
    """Tokens per chunk c; a training sequence is [c, EOS, c₁c₁…c_Lc_L, EOS] and the context is 3·chunk + 1."""
    d_model: int = Field(64, ge=8, le=1024)
    """Width of each transformer."""
    n_layers: int = Field(2, ge=1, le=12)
    """Transformer blocks (two are needed for induction-style copying)."""
    n_heads: int = Field(4, ge=1, le=16)
    """Attention heads per block (must divide d_model)."""
    n_seeds: int = Field(1, ge=1, le=8)
    """Models per variant (tied/untied × with/without weight decay), each from its own seed."""
    epochs: int = Field(2, ge=1, le=100)
    """Passes over corpus B (each corpus token is an input 2·epochs times)."""
    batch_size: int = Field(16, ge=1, le=1024)
    """Sequences per step."""
    lr: float = Field(3e-3, gt=0.0, le=1.0)
    """Peak AdamW learning rate (5% warm-up, cosine decay to 10%)."""
    weight_decay: float = Field(0.1, gt=0.0, le=10.0)
    """Decoupled weight decay of the 'with weight decay' variants (GPT-2/nanoGPT's 0.1)."""
    init_std: float = Field(0.02, gt=0.0, le=1.0)
    """Standard deviation of the embedding initialization (GPT-2's 0.02)."""
    frequent_count: int = Field(50, ge=1, le=1_000_000)
    """A token fed at least this many times counts as trained (the negatives of the AUROC)."""
    candidate_percent: float = Field(2.0, gt=0.0, le=50.0)
    """Candidates for verification: the lowest percent of tokens by the main indicator (2% in Land & Bartolo's code)."""
    n_controls: int = Field(64, ge=4, le=10_000)
    """Frequent tokens verified as a positive control of the repetition test."""
    n_verify_rare: int = Field(160, ge=4, le=100_000)
    """Rarely or never fed tokens verified by prompting (a random sample when there are more; candidates and planted
    words are always verified)."""
    verify_chunk: int = Field(128, ge=1, le=4096)
    """Candidates verified per forward pass (memory, not results)."""
    scan_path: str | None = None
    """A local checkpoint directory (safetensors + tokenizer.json) to scan as well; its top candidates go into the
    run's tables and the report."""


PRESETS = {
    "test": GlitchConfig(
        vocab_size=400,
        planted_per_count=2,
        plant_repeats=300,
        n_reserved=8,
        corpus_fraction=0.03,
        chunk=10,
        d_model=32,
        n_layers=1,
        n_heads=2,
        epochs=3,
        batch_size=16,
        lr=1e-2,
        frequent_count=20,
        n_controls=24,
        n_verify_rare=48,
    ),
    "quick": GlitchConfig(corpus_fraction=0.2, n_layers=1, lr=1e-2, epochs=3),
    "paper": GlitchConfig(
        vocab_size=2048,
        planted_per_count=16,
        corpus_fraction=0.6,
        d_model=96,
        n_layers=2,
        n_heads=4,
        n_seeds=2,
        epochs=3,
        lr=5e-3,
        n_verify_rare=400,
    ),
}
