"""Small neural networks shared by several studies (trained from scratch on CPU in seconds)."""

from skeptic.models.transformer import (
    KVCache,
    TinyTransformer,
    TransformerShape,
    sample,
    sequence_logprobs,
)

__all__ = ["KVCache", "TinyTransformer", "TransformerShape", "sample", "sequence_logprobs"]
