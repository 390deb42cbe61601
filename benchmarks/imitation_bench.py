"""Batched vs per-model training of the imitation study's students (ratios measured in one process).

    PYTHONPATH=src python benchmarks/imitation_bench.py [--steps 40] [--models 6] [--device cpu]

Each workload trains M students (stacked parameters under ``torch.vmap``, one Adam) against a Python loop training the
same M students one at a time with the same code (stacks of one), for the same number of steps on the same batches:

1. supervised steps (SFT / behaviour cloning): one forward and backward pass per step;
2. on-policy distillation steps: a sampled rollout of T steps, then a forward and backward pass;
3. REINFORCE steps (64 episodes per model per step).

The printed ratio is loop time / batched time. The machine's load average is printed next to every timing, because
the host is shared.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import torch

from skeptic.studies.imitation import nets, task


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load avg {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def _sft(stack: nets.Stack, x: torch.Tensor, p: int, opt: torch.optim.Optimizer, gen: torch.Generator) -> None:
    y = task.running_sum(x, p)
    nets.step(opt, nets.cross_entropy(nets.answer_logits(stack, x, y, p), y))


def _on_policy(stack: nets.Stack, x: torch.Tensor, p: int, opt: torch.optim.Optimizer, gen: torch.Generator) -> None:
    y = nets.rollout(stack, x, p, temperature=1.0, gen=gen)
    nets.step(opt, nets.cross_entropy(nets.answer_logits(stack, x, y, p), task.teacher_labels(x, y, p)))


def _rl(stack: nets.Stack, x: torch.Tensor, p: int, opt: torch.optim.Optimizer, gen: torch.Generator) -> None:
    y = nets.rollout(stack, x, p, temperature=1.0, gen=gen)
    adv = nets.group_advantages(task.outcome_reward(x, y, p), 8)
    nets.step(opt, nets.reinforce_loss(nets.answer_logits(stack, x, y, p), y, adv))


Work = Callable[[nets.Stack, torch.Tensor, int, torch.optim.Optimizer, torch.Generator], None]


def bench(name: str, work: Work, *, models: int, steps: int, T: int, batch: int, device: str) -> float:
    p = 5
    shape = nets.model_shape(p, T, 32, 1)
    gen = torch.Generator(device=device).manual_seed(0)
    xs = [task.sample_prompts(models * batch, T, p, gen, split="train", device=device).reshape(models, batch, T)
          for _ in range(steps)]  # fmt: skip
    stack = nets.init_stack(shape, list(range(models)), device)
    opt = nets.optimizer(stack, 0.005)
    t0 = time.perf_counter()
    for x in xs:
        work(stack, x, p, opt, gen)
    t_batched = time.perf_counter() - t0
    print(f"{name}: {models} students batched, {steps} steps: {t_batched:.2f} s  [{_load()}]")
    singles = [nets.init_stack(shape, [i], device) for i in range(models)]
    opts = [nets.optimizer(s, 0.005) for s in singles]
    t0 = time.perf_counter()
    for x in xs:
        for i, (s, o) in enumerate(zip(singles, opts, strict=True)):
            work(s, x[i : i + 1], p, o, gen)
    t_loop = time.perf_counter() - t0
    print(f"{name}: {models} students one at a time: {t_loop:.2f} s  [{_load()}]")
    ratio = t_loop / t_batched
    print(f"  ratio (loop / batched): {ratio:.2f}x")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--models", type=int, default=6)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(1)
    ratios = {
        "supervised (T=4, batch 32)": bench("supervised", _sft, models=args.models, steps=args.steps, T=4, batch=32,
                                            device=args.device),
        "on-policy (T=6, batch 32)": bench("on-policy", _on_policy, models=args.models, steps=args.steps, T=6,
                                           batch=32, device=args.device),
        "REINFORCE (T=4, 64 episodes)": bench("REINFORCE", _rl, models=args.models, steps=args.steps, T=4, batch=64,
                                              device=args.device),
    }  # fmt: skip
    print("\nsummary (loop time / batched time, same process):")
    for k, v in ratios.items():
        print(f"  {k}: {v:.2f}x")
    print(f"  [{_load()}]")


if __name__ == "__main__":
    main()
