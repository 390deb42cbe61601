"""Performance of the glitch-tokens study's two heavy parts, as ratios measured in one process.

1. The scanner on a generated GPT-2-sized checkpoint (50,257 tokens × 768, safetensors on disk), tied and untied:
   wall time of ``scan`` end to end, and of its first principal component (``eigh`` of the d × d covariance)
   against a full SVD of the matrix, the textbook way to get the same component.
2. Training at each preset's model size: all models stacked under ``torch.vmap``, the groups the trainer's size
   rule picks (``train.stack_groups``), and the same models trained one after another (same steps, same batches).

Run: ``PYTHONPATH=src python benchmarks/glitch_tokens_bench.py [--training]`` (prints a table; the machine's load
average is printed next to every timing because the machine may be shared). Times are the process's CPU time
(``time.process_time``) with one torch thread, which on a shared machine estimates the idle wall time far better
than the wall clock does.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

import numpy as np
import torch

from skeptic.glitch_tokens import first_principal_component, save_checkpoint, scan
from skeptic.models import TransformerShape
from skeptic.studies.glitch_tokens import corpus, train


def _load() -> str:
    return "load " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def bench_scan(vocab: int = 50_257, d: int = 768) -> None:
    tok = corpus.train_tokenizer(["glitch tokens " * 20], 300, ["<|endoftext|>", "<|reserved_0|>"])
    g = torch.Generator().manual_seed(0)
    emb = torch.randn(vocab, d, generator=g) * 0.1
    with tempfile.TemporaryDirectory() as tmp:
        for tied in (False, True):
            path = f"{tmp}/{'tied' if tied else 'untied'}"
            save_checkpoint(path, emb, None if tied else torch.randn(vocab, d, generator=g) * 0.1, tok.to_str())
            t0 = time.process_time()
            res = scan(path, reference=list(range(10)) if tied else None)
            t = time.process_time() - t0
            print(
                f"| scan, {vocab} × {d}, {'tied' if tied else 'untied'} | {t:.2f} s | {len(res.rows)} rows "
                f"| {_load()} |"
            )
    t0 = time.process_time()
    pc = first_principal_component(emb)
    t_eigh = time.process_time() - t0
    t0 = time.process_time()
    x = emb.double() - emb.double().mean(0)
    _, _, vh = torch.linalg.svd(x, full_matrices=False)
    t_svd = time.process_time() - t0
    agree = abs(float(pc.double() @ vh[0]))
    print(
        f"| first PC: eigh of covariance vs full SVD | {t_eigh:.2f} s vs {t_svd:.2f} s | ×{t_svd / t_eigh:.1f} faster, "
        f"|cos| = {agree:.6f} | {_load()} |"
    )


SIZES = {  # the presets' model shapes: vocabulary, width, layers, heads, models, context
    "test": (400, 32, 1, 2, 4, 31),
    "quick": (1024, 64, 1, 4, 4, 64),
    "paper": (2048, 96, 2, 4, 8, 64),
}


def bench_training(steps: int = 12, repeats: int = 3) -> None:
    """Per preset size: all models stacked, the groups ``train.stack_groups`` picks, and one model at a time (same
    steps, same batches), interleaved; CPU seconds; ratios loop / path as min-median-max over the repeats."""
    for name, (vocab, d, layers, heads, n_models, context) in SIZES.items():
        shape = TransformerShape(vocab_size=vocab, context=context, d_model=d, n_layers=layers, n_heads=heads)
        variants = [train.Variant(f"v{k}", k % 4 >= 2, 0.1 * (k % 2), k, 100 + k) for k in range(n_models)]
        seqs = np.random.default_rng(0).integers(0, vocab, size=(16 * steps, context))
        rule = train.stack_groups(n_models, 16, shape)

        def run(
            stack_bytes: int, group: list[train.Variant], seqs: np.ndarray = seqs, shape: TransformerShape = shape
        ) -> float:
            saved, train.STACK_BYTES = train.STACK_BYTES, stack_bytes
            try:
                t0 = time.process_time()
                train.train(seqs, shape, group, epochs=1, batch_size=16, lr=1e-3, init_std=0.02,
                            rng=np.random.default_rng(1))  # fmt: skip
                return time.process_time() - t0
            finally:
                train.STACK_BYTES = saved

        run(1 << 40, variants[:1])  # warm-up
        times: dict[str, list[float]] = {"stacked": [], "rule": [], "loop": []}
        for _ in range(repeats):
            times["stacked"].append(run(1 << 40, variants))
            times["rule"].append(run(train.STACK_BYTES, variants))
            times["loop"].append(sum(run(1 << 40, [v]) for v in variants))
        for path in ("stacked", "rule"):
            r = sorted(lo / t for lo, t in zip(times["loop"], times[path], strict=True))
            label = "all stacked" if path == "stacked" else f"the rule's groups of {rule[0].stop - rule[0].start}"
            print(
                f"| train, {name} size ({n_models} models, V={vocab}, d={d}, {layers} layer(s)): {label} vs one "
                f"at a time | {min(times[path]) / steps * 1e3:.0f} vs {min(times['loop']) / steps * 1e3:.0f} "
                f"ms/step | loop/{path} ×{r[0]:.2f}-{r[len(r) // 2]:.2f}-{r[-1]:.2f} (min-median-max) | {_load()} |"
            )


def main() -> None:
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "1")))
    only_training = "--training" in sys.argv
    print(f"torch threads: {torch.get_num_threads()}")
    print("| what | time | ratio / size | machine |")
    print("|---|---|---|---|")
    if not only_training:
        bench_scan()
    bench_training()


if __name__ == "__main__":
    main()
