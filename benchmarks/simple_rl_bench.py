"""Rollout and training throughput of the simple-rl study (ratios measured in one process).

    PYTHONPATH=src python benchmarks/simple_rl_bench.py [--tokens 32] [--device cpu]

1. The shared sampler ``skeptic.models.sample``: key-value cache (``use_cache=True``) against re-encoding the
   whole prefix every step (``use_cache=False``), in generated tokens per second, for one batch of rollouts on a
   model whose context allows long continuations. Both draw the same tokens from the same generator state.
2. The study's stacked sampler (M policies under ``torch.vmap``, with the cache) against a Python loop calling the
   shared cached sampler once per policy, for the study's two-token answers.
3. One GRPO iteration of M stacked policies against a loop of M single-policy iterations (same code, M = 1).

Every timing prints the machine's load average, because the host is shared; the ratios are the result.
"""

from __future__ import annotations

import argparse
import os
import time

import torch

from skeptic.models import TinyTransformer, TransformerShape, sample
from skeptic.studies.simple_rl import grpo, policy, task


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load avg {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def _time(fn: object, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best


def bench_shared_sampler(tokens: int, batch: int, device: str) -> None:
    shape = TransformerShape(vocab_size=task.VOCAB, context=4 + tokens, d_model=32, n_layers=2, n_heads=2)
    model = TinyTransformer(shape).to(device)
    prompts = torch.randint(0, 10, (batch, 4), device=device)
    out = {}
    for cache in (True, False):
        gen = torch.Generator(device=device).manual_seed(0)
        out[cache] = sample(model, prompts, tokens, generator=gen, use_cache=cache)
    assert torch.equal(out[True], out[False]), "cached and naive samplers disagree"
    t_cache = _time(lambda: sample(model, prompts, tokens, use_cache=True), 3)
    t_naive = _time(lambda: sample(model, prompts, tokens, use_cache=False), 3)
    n = batch * tokens
    print(f"shared sampler, batch {batch}, {tokens} new tokens after a 4-token prompt:")
    print(f"  KV cache: {n / t_cache:,.0f} tokens/s  [{_load()}]")
    print(f"  naive (re-encode the prefix): {n / t_naive:,.0f} tokens/s  [{_load()}]")
    print(f"  cache / naive throughput: {t_naive / t_cache:.2f}x (identical tokens)")


def bench_stacked_sampler(models: int, batch: int, device: str) -> None:
    shape = policy.make_shape(32, 2, 2)
    template, params = policy.init_stacked(shape, list(range(models)), device)
    prompts = torch.as_tensor(task.prompts(task.all_problems()[:batch]), device=device)
    singles = []
    for s in range(models):
        torch.manual_seed(s)
        singles.append(policy.ProbedTransformer(shape).to(device))
    gen = torch.Generator(device=device)
    t_stacked = _time(lambda: policy.sample_stacked(template, params, prompts.expand(models, -1, -1), gen), 3)
    t_loop = _time(lambda: [sample(m, prompts, 2, generator=gen) for m in singles], 3)
    n = models * batch * 2
    print(f"two-token rollouts, {models} policies x {batch} prompts:")
    print(f"  stacked (vmap + KV cache): {n / t_stacked:,.0f} tokens/s  [{_load()}]")
    print(f"  loop over policies (shared cached sampler): {n / t_loop:,.0f} tokens/s  [{_load()}]")
    print(f"  stacked / loop throughput: {t_loop / t_stacked:.2f}x")


def bench_grpo(models: int, device: str) -> None:
    shape = policy.make_shape(32, 2, 2)
    probs = task.all_problems()

    def one_run(m: int) -> None:
        template, params = policy.init_stacked(shape, list(range(m)), device)
        ref = {k: v.clone() for k, v in params.items()}
        setup = grpo.RLSetup(
            beta=torch.full((m,), 0.04, device=device), lr=torch.full((m,), 3e-3, device=device),
            kind=torch.zeros(m, dtype=torch.long, device=device), errors=torch.zeros(m, task.N_ANSWERS, device=device),
        )  # fmt: skip
        pr = torch.as_tensor(task.prompts(probs[:8]), device=device).expand(m, -1, -1)
        tg = torch.as_tensor(task.answer_tokens(probs[:8]), device=device).expand(m, -1, -1)
        grpo.train_grpo(template, params, ref, setup, lambda t: (pr, tg), steps=3, group=8, inner_steps=1, clip=0.2,
                        generator=torch.Generator(device=device))  # fmt: skip

    t_stacked = _time(lambda: one_run(models), 2)
    t_loop = _time(lambda: [one_run(1) for _ in range(models)], 2)  # type: ignore[func-returns-value]
    print(f"GRPO, 3 iterations of {models} policies (8 prompts x group 8):")
    print(f"  stacked: {t_stacked:.2f} s  [{_load()}]")
    print(f"  loop over policies: {t_loop:.2f} s  [{_load()}]")
    print(f"  loop / stacked time: {t_loop / t_stacked:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(1)
    bench_shared_sampler(args.tokens, 64, args.device)
    bench_stacked_sampler(42, 64, args.device)
    bench_grpo(42, args.device)


if __name__ == "__main__":
    main()
