"""Performance of the glitch-tokens study's two heavy parts, as ratios measured in one process.

1. The scanner on a generated GPT-2-sized checkpoint (50,257 tokens × 768, safetensors on disk), tied and untied:
   wall time of ``scan`` end to end, and of its first principal component (``eigh`` of the d × d covariance)
   against a full SVD of the matrix, the textbook way to get the same component.
2. Training: the study's four variants stacked under ``torch.vmap`` against the same four models trained one after
   another (same steps, same batches).

Run: ``PYTHONPATH=src python benchmarks/glitch_tokens_bench.py`` (prints a table; the machine's load average is
printed next to every timing because the machine may be shared). Times are the process's CPU time
(``time.process_time``) with one torch thread, which on a shared machine estimates the idle wall time far better
than the wall clock does.
"""

from __future__ import annotations

import os
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


def bench_training(steps: int = 20) -> None:
    shape = TransformerShape(vocab_size=1024, context=64, d_model=64, n_layers=1, n_heads=4)
    variants = [train.Variant(f"v{k}", k >= 2, 0.1 * (k % 2), k) for k in range(4)]
    rng = np.random.default_rng(0)
    seqs = rng.integers(0, 1024, size=(16 * steps, 65))
    t0 = time.process_time()
    train.train(seqs, shape, variants, epochs=1, batch_size=16, lr=1e-3, init_std=0.02, rng=np.random.default_rng(1))
    t_batched = time.process_time() - t0
    t0 = time.process_time()
    for v in variants:
        train.train(seqs, shape, [v], epochs=1, batch_size=16, lr=1e-3, init_std=0.02, rng=np.random.default_rng(1))
    t_loop = time.process_time() - t0
    print(
        f"| train 4 models × {steps} steps: vmap-stacked vs one by one | {t_batched:.2f} s vs {t_loop:.2f} s | "
        f"×{t_loop / t_batched:.2f} | {_load()} |"
    )


def main() -> None:
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "1")))
    print(f"torch threads: {torch.get_num_threads()}")
    print("| what | time | ratio / size | machine |")
    print("|---|---|---|---|")
    bench_scan()
    bench_training()


if __name__ == "__main__":
    main()
