"""The glitch-tokens study's config and presets."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator

from skeptic.study import StudyConfig


class GlitchConfig(StudyConfig):
    vocab_size: int = Field(1024, ge=300, le=65_536)
    """BPE vocabulary size of the tokenizer trained on corpus A (256 bytes, the special tokens, then merges)."""
    planted_per_count: int = Field(1, ge=1, le=100)
    """Planted pseudo-words per training count (0, 1, 3, 10, 30 occurrences in corpus B). Each word also leaves
    its BPE intermediates (``" Zor"``, ``"VexQuil"``) in the vocabulary, most of them never seen in B: one word per
    count keeps never-seen ordinary tokens near 2% of the vocabulary, the realistic scale (Land & Bartolo find
    hundreds to a few thousand among 32k-256k)."""
    rare_planted: int = Field(0, ge=0, le=300)
    """Further planted words, seen 1 to ``rare_max`` times (their counts cycle through 1, 2, ..., ``rare_max``), so
    that the rarely seen set holds enough tokens at every budget: the text's natural rare tokens (pieces of words
    from the held-out topic) mostly become frequent in a longer stream, so without these the rare set shrinks from
    10-15 tokens to 3-6 at four times the text (test, session 15). Each recombines the syllables of two of the
    planted words above (``" ZorVex"``, ``" QuilMag"`` → ``" ZorMag"``), so it adds one token to the vocabulary
    and no never-seen BPE intermediates (fresh words make up the rest where the syllables give too few pairs)."""
    held_out_topics: int = Field(1, ge=0, le=40)
    """Help topics only the tokenizer sees (corpus A = B + these + the planted words): their words are rare or
    absent in B."""
    plant_repeats: int = Field(400, ge=10, le=100_000)
    """How often each planted word occurs in corpus A, enough for BPE to merge it into one token."""
    n_reserved: int = Field(16, ge=1, le=1024)
    """Reserved special tokens ``<|reserved_k|>`` (never in corpus B): part of the known-unused reference set."""
    corpus_fraction: float = Field(1.0, gt=0.0, le=1.0)
    """Fraction of corpus B's text (the non-held-out help topics) the model trains on."""
    stream_length: int = Field(1, ge=1, le=64)
    """The model's training text as a multiple of corpus B: B, then fresh help topics the tokenizer never saw, up to
    ``stream_length`` times B's characters. The planted words' counts (0, 1, 3, 10, 30) are totals over the whole
    stream and every token set is a count in it, so this is the budget knob that keeps a rare token rare: more text,
    not more passes over the same text (in real pretraining a rare token is rare in the whole training stream, Land
    & Bartolo 2024). Needs ``corpus_fraction · stream_length`` of the help text, roughly."""
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
    weight_decay: float = Field(0.1, ge=0.0, le=10.0)
    """Decoupled weight decay of the 'with weight decay' variants (GPT-2/nanoGPT's 0.1)."""
    init_std: float = Field(0.02, gt=0.0, le=1.0)
    """Standard deviation of the embedding initialization (GPT-2's 0.02)."""
    tie_all: bool = False
    """Every arm ties its embeddings, the 'untied' arms included (a contrast: puts back the readout gradient that
    untying keeps off the input rows)."""
    freeze_unseen_readout: bool = False
    """The readout rows of tokens never seen in B get no gradient in the untied arms (a contrast: removes the
    softmax's push-down of never-target rows, the output suppression)."""
    feed_never_seen: int = Field(0, ge=0, le=1000)
    """A contrast: each token that never occurs in corpus B is put into this many extra training sequences (three
    inputs each per epoch), so the tokenizer's gap is trained after all."""
    never_seen_as_targets: int = Field(0, ge=0, le=1000)
    """A contrast: each never-seen token is the final target of this many extra training sequences, never an input,
    so its readout row is trained and its input row stays random (Kosoy's condition, without output suppression)."""
    feed_rare: int = Field(0, ge=0, le=1000)
    """A contrast: each token seen 1 to ``rare_max`` times in corpus B is written into this many of the training
    text's own sequences (two chunk positions of a sequence, each with its two stuttered copies, so three inputs per
    insertion per epoch), overwriting the tokens there: the same number of sequences and steps, the rare tokens seen
    about as often as a frequent one. Removes what makes a rare row look untrained, few gradient updates, at the same
    budget. Each sequence is written at most once, so ``feed_rare · (rarely seen tokens) / 2`` must not exceed the
    text's sequences (the run refuses otherwise)."""
    rare_not_targets: bool = False
    """A contrast: tokens seen 1 to ``rare_max`` times in corpus B are never a training target (the loss skips the
    positions that predict them), so their readout rows get the softmax's push-down of non-targets and nothing else,
    as never-seen tokens' do; their input rows are trained as before."""
    rare_max: int = Field(10, ge=1, le=1000)
    """A token occurring 1 to ``rare_max`` times in corpus B is 'rarely seen' (a second set of positives)."""
    frequent_count: int = Field(30, ge=1, le=1_000_000)
    """A token occurring at least this many times in corpus B counts as trained (the negatives of the AUROC)."""
    candidate_percent: float = Field(2.0, gt=0.0, le=50.0)
    """Candidates for verification: the lowest percent of tokens by the main indicator (2% in Land & Bartolo's code)."""
    n_controls: int = Field(64, ge=4, le=10_000)
    """Frequent tokens verified as a positive control of the repetition test."""
    graft_steps: int = Field(60, ge=1, le=100_000)
    """Fine-tuning steps of the graft experiment (untied arms, on text where never-seen tokens occur), whose rows
    are then restored one side at a time into the original model."""
    graft_lr_factor: float = Field(1.0, gt=0.0, le=10.0)
    """The fine-tune's peak learning rate as a multiple of ``lr``."""
    n_verify_rare: int = Field(160, ge=4, le=100_000)
    """Rarely or never fed tokens verified by prompting (a random sample when there are more; candidates and planted
    words are always verified)."""
    verify_chunk: int = Field(128, ge=1, le=4096)
    """Candidates verified per forward pass (memory, not results)."""
    scan_path: str | None = None
    """A local checkpoint directory (safetensors + tokenizer.json) to scan as well; its top candidates go into the
    run's tables and the report."""

    @model_validator(mode="after")
    def _stream_fits_the_text(self) -> GlitchConfig:
        """The fresh text comes from help topics outside corpus A, so the whole stream needs about
        ``corpus_fraction · stream_length`` of the help text (the build itself refuses if the topics run out)."""
        if self.stream_length > 1 and self.corpus_fraction * self.stream_length > 1.0:
            raise ValueError(
                f"stream_length {self.stream_length} needs corpus_fraction · stream_length ≤ 1 (the help text holds "
                f"no more fresh text), got {self.corpus_fraction * self.stream_length:.2f}"
            )
        return self

    @field_validator("scan_path")
    @classmethod
    def _scan_path_is_a_checkpoint(cls, v: str | None) -> str | None:
        """Checked before anything trains: a directory holding regular ``*.safetensors`` files (never pickle) whose
        headers parse and name an input embedding, and a ``tokenizer.json`` within the scanner's caps."""
        if v is None:
            return v
        from skeptic.studies.glitch_tokens.indicators import ScanError, check_checkpoint, read_tokenizer_json

        try:
            root = Path(v).expanduser()
            check_checkpoint(root)
            read_tokenizer_json(root / "tokenizer.json")
        except (ScanError, OSError, ValueError, RuntimeError) as exc:  # RuntimeError: ~user unknown
            raise ValueError(f"scan_path is not a checkpoint the scanner can read: {exc}") from None
        return str(root)


PRESETS = {
    "test": GlitchConfig(
        vocab_size=400,
        plant_repeats=300,
        n_reserved=8,
        corpus_fraction=0.03,
        stream_length=2,
        chunk=10,
        d_model=32,
        n_layers=1,
        n_heads=2,
        epochs=3,
        batch_size=16,
        lr=1e-2,
        rare_max=3,
        rare_planted=12,
        frequent_count=10,
        graft_steps=320,
        n_controls=24,
        n_verify_rare=48,
    ),
    "quick": GlitchConfig(vocab_size=512, corpus_fraction=0.15, n_layers=1, lr=1e-2, epochs=3, rare_planted=10),
    "paper": GlitchConfig(
        vocab_size=2048,
        planted_per_count=2,
        corpus_fraction=0.8,
        d_model=96,
        n_layers=2,
        n_heads=4,
        n_seeds=2,
        epochs=3,
        lr=5e-3,
        graft_steps=150,
        n_verify_rare=400,
    ),
}
