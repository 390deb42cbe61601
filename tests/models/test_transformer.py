"""The shared tiny transformer: causality, the key-value cache against full re-encoding, and sampling."""

from __future__ import annotations

import pytest
import torch

from skeptic.models import KVCache, TinyTransformer, TransformerShape, sample, sequence_logprobs


def _model(**overrides: object) -> TinyTransformer:
    torch.manual_seed(0)
    shape = TransformerShape(vocab_size=11, context=16, d_model=16, n_layers=2, n_heads=4, **overrides)  # type: ignore[arg-type]
    return TinyTransformer(shape).eval()


def test_future_tokens_do_not_change_past_logits() -> None:
    model = _model()
    tokens = torch.randint(0, 11, (3, 10))
    changed = tokens.clone()
    changed[:, 6:] = (changed[:, 6:] + 1) % 11
    assert torch.allclose(model(tokens)[:, :6], model(changed)[:, :6], atol=1e-6)
    assert not torch.allclose(model(tokens)[:, 6:], model(changed)[:, 6:], atol=1e-3)


@pytest.mark.parametrize("tied", [False, True])
def test_cached_forward_equals_full_forward(tied: bool) -> None:
    model = _model(tied_embeddings=tied)
    tokens = torch.randint(0, 11, (2, 12))
    full = model(tokens)
    cache: KVCache = []
    pieces = [model(tokens[:, :5], cache), model(tokens[:, 5:6], cache), model(tokens[:, 6:12], cache)]
    assert torch.allclose(torch.cat(pieces, dim=1), full, atol=1e-5)
    assert cache[0][0].shape == (2, 4, 12, 4)


def test_cached_and_naive_sampling_draw_the_same_tokens() -> None:
    model = _model()
    prompts = torch.randint(0, 11, (4, 3))
    fast = sample(model, prompts, 8, generator=torch.Generator().manual_seed(1))
    slow = sample(model, prompts, 8, generator=torch.Generator().manual_seed(1), use_cache=False)
    assert torch.equal(fast, slow)
    assert torch.equal(fast[:, :3], prompts)
    greedy = sample(model, prompts, 5, temperature=0)
    assert torch.equal(greedy[:, 3], model(prompts)[:, -1].argmax(-1))


def test_sequence_logprobs_are_normalized_next_token_logprobs() -> None:
    model = _model()
    tokens = torch.randint(0, 11, (2, 7))
    logprobs = sequence_logprobs(model, tokens)
    assert logprobs.shape == (2, 6)
    assert bool((logprobs <= 0).all())
    every_next = torch.log_softmax(model(tokens[:, :-1]), -1).exp().sum(-1)
    assert torch.allclose(every_next, torch.ones_like(every_next), atol=1e-5)


def test_context_and_shape_are_checked() -> None:
    with pytest.raises(ValueError, match="multiple"):
        TransformerShape(vocab_size=5, context=4, d_model=10, n_heads=4)
    with pytest.raises(ValueError, match="context"):
        _model()(torch.zeros(1, 17, dtype=torch.long))


def test_tied_readout_is_the_embedding_and_models_vmap_over_stacked_parameters() -> None:
    tied = _model(tied_embeddings=True)
    assert tied.readout_weight.data_ptr() == tied.token_embedding.weight.data_ptr()
    models = [_model(), TinyTransformer(_model().shape).eval()]
    params, buffers = torch.func.stack_module_state(models)  # type: ignore[arg-type]
    tokens = torch.randint(0, 11, (3, 6))

    def one(p: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> torch.Tensor:
        return torch.func.functional_call(models[0], (p, b), (tokens,))

    stacked = torch.vmap(one)(params, buffers)
    assert torch.allclose(stacked[1], models[1](tokens), atol=1e-5)
