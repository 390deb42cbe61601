"""glitch-tokens: under-trained tokens reproduced where every token's training count is known, and found from weights.

"SolidGoldMagikarp" and its kin made GPT-2/3 produce surreal output (Rumbelow & Watkins 2023). The accepted mechanism:
the tokenizer was built on text where some strings were common, the model was trained on text where they were rare
or absent, so their embeddings were barely trained. Land & Bartolo (2024) turned this into indicators computed from
the weights plus verification by prompting. This study builds that situation on purpose (a BPE tokenizer on corpus A,
small transformers on corpus B, planted words with known counts), measures where the untrained embeddings end up in
tied and untied models with and without weight decay, how well each indicator ranks untrained tokens (AUROC against
the known counts), and whether verification by prompting confirms the candidates. The same indicators are offered as
a scanner for any local checkpoint (:mod:`skeptic.glitch_tokens`, ``skeptic glitch-scan PATH``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from skeptic.core.device import keep_freed_memory
from skeptic.core.study import Brief, RunContext, StudyOutput, study
from skeptic.studies.glitch_tokens import experiment, indicators
from skeptic.studies.glitch_tokens.claims import CLAIMS, PROBES
from skeptic.studies.glitch_tokens.config import PRESETS, GlitchConfig
from skeptic.studies.glitch_tokens.faults import FAULTS
from skeptic.studies.glitch_tokens.figures import make_figures, make_tables

if TYPE_CHECKING:
    from skeptic.core.runner import RunResult


def _mean(m: dict[str, Any], pred: Any, key: str) -> float:
    vals = [mm[key] for mm in m["models"] if pred(mm)]
    return float(np.mean(vals)) if vals else float("nan")


def _auroc(m: dict[str, Any], tied: bool, key: str) -> float:
    vals = [mm["auroc"][key]["auroc"] for mm in m["models"] if mm["tied"] is tied and key in mm["auroc"]]
    return float(np.mean(vals)) if vals else float("nan")


def _verified_fraction(m: dict[str, Any], pred: Any) -> float:
    flags = [p < m["threshold"] for t in m["tokens"] if pred(t) for p in t["max_prob"]]
    return float(np.mean(flags)) if flags else float("nan")


def _found(result: RunResult) -> str:
    m = result.measurements
    c = m["corpus"]
    lines = [
        f"The tokenizer ({c['vocab_size']} tokens) was trained on {c['n_topics_a']} help topics of Python "
        f"{c['python']} plus planted pseudo-words; {len(m['models'])} small transformers trained on "
        f"{c['tokens_b']} tokens of {c['n_topics_b']} of those topics. {m['n_pos']} ordinary tokens were never fed "
        f"to the models; {m['n_neg']} were fed at least {m['frequent_count']} times.",
        f"Readout rows of never-fed tokens moved almost entirely by one shared vector (shared fraction "
        f"{_mean(m, lambda mm: True, 'shared_readout_unused'):.2f} on average, against "
        f"{_mean(m, lambda mm: True, 'shared_readout_trained'):.2f} for frequent tokens). In untied models their input "
        f"rows stayed exactly at their initial values, or shrank by the weight-decay factor; in tied models the same "
        f"rows moved {_mean(m, lambda mm: mm['tied'], 'moved_input_unused'):.1f} times their initial norm, all in the "
        "same direction.",
        f"Ranking never-fed below frequent tokens (AUROC): untied models, input-embedding norm "
        f"{_auroc(m, False, 'input_norm'):.2f}, distance to centroid {_auroc(m, False, 'centroid_distance'):.2f}, "
        f"unembedding indicator {_auroc(m, False, 'unembedding_cosine'):.2f}; tied models, unembedding indicator "
        f"{_auroc(m, True, 'unembedding_cosine'):.2f}, distance to centroid "
        f"{_auroc(m, True, 'centroid_distance'):.2f}, "
        f"input norm {_auroc(m, True, 'input_norm'):.2f} (below 0.5 means backwards: the untrained rows are the "
        "long ones).",
        f"Verification by prompting: {_verified_fraction(m, lambda t: t['count'] == 0):.0%} of never-fed tokens and "
        f"{_verified_fraction(m, lambda t: t['control']):.0%} of frequent control tokens stay below the 1% "
        "repetition probability.",
    ]
    groups = sorted({t["planted"] for t in m["tokens"] if t["planted"] is not None})
    if groups:
        lines.append(
            "Planted words verified under-trained, by count in the training text: "
            + ", ".join(f"{g}: {_verified_fraction(m, lambda t, g=g: t['planted'] == g):.0%}" for g in groups)
            + "."
        )
    if m.get("external_scan"):
        s = m["external_scan"]
        lines.append(f"Scanned checkpoint {s['path']}: {s['n_candidates']} candidates by {s['main_indicator']}.")
    return " ".join(lines)


def _answer(result: RunResult) -> str:
    m = result.measurements
    zero = _verified_fraction(m, lambda t: t["count"] == 0)
    ctrl = _verified_fraction(m, lambda t: t["control"])
    return (
        f"Yes, where the ground truth is known: tokens the model never saw cannot be repeated ({zero:.0%} fail the "
        f"repetition test, against {ctrl:.0%} of frequent tokens), and their weights give them away, but which "
        "weight-based sign works depends on whether the model ties its input and output embeddings."
    )


BRIEF = Brief(
    claimed="Language models contain 'glitch tokens' such as SolidGoldMagikarp that they cannot repeat and that make "
    "them behave strangely. The accepted explanation: the tokenizer was built from text in which these strings were "
    "common, but the model was trained on text in which they were rare or absent, so their learned vectors were "
    "hardly trained. Rumbelow & Watkins found such tokens near the centre of GPT-2's and GPT-J's token vectors; "
    "Land & Bartolo proposed signs computed from a model's weights that find them, confirmed by asking the model to "
    "repeat each candidate.",
    ran="We rebuilt the situation where the truth is known exactly: a tokenizer trained on Python's own "
    "documentation plus made-up words, and small language models trained on part of that documentation in which "
    "some made-up words never appear and others appear 1, 3, 10 or 30 times. We trained four kinds of model (input "
    "and output vectors shared or separate, with and without weight decay), computed the published signs from the "
    "weights, scored how well each separates never-seen from frequent tokens, and asked every model to repeat "
    "tokens using the paper's prompts.",
    not_shown="These are tiny models (tens of thousands of weights per layer) trained for seconds on a few hundred "
    "thousand characters, not GPT-2 or GPT-J: the geometry of untrained vectors here follows from the optimizer "
    "(AdamW) and may differ at scale, and Rumbelow & Watkins themselves saw the centroid pattern reverse in GPT-2 "
    "xl. Each stretch of training text is followed by a copy in which every token is said twice, so that a "
    "small model learns to repeat a token at all; without it the repetition test has nothing to measure (and the "
    "prompt that works is the paper's 'repeats' prompt only). The AUROC bar of 0.9, 'most' as one half and the "
    "30-point repetition gap are Skeptic's lines. The surreal, evasive outputs of GPT-3 on these tokens are not "
    "reproduced: a model this small has no such behaviour to show. The scanner computes the weight-based signs on "
    "any local checkpoint; it does not run verification prompts on models it cannot load.",
    found=_found,
    answer=_answer,
    headline_figure="repetition-vs-count",
    appendix=(
        "**Scanning a checkpoint you have.** `skeptic glitch-scan PATH` reads a Hugging Face model directory "
        "(`*.safetensors` weights and `tokenizer.json`, as `save_pretrained` writes them; never pickle files) and "
        "prints the tokens with the most suspicious weights. For GPT-2 from the Hugging Face cache: "
        "`skeptic glitch-scan ~/.cache/huggingface/hub/models--gpt2/snapshots/<hash>` (or any directory where "
        "`GPT2LMHeadModel.save_pretrained(d, safe_serialization=True)` and `tokenizer.save_pretrained(d)` wrote). "
        "GPT-2 ties its embeddings, so the scanner uses Land & Bartolo's unembedding indicator with the bytes that "
        "cannot occur in UTF-8 as the known-unused reference; pass `--reference ID,ID,...` to use your own. "
        "`--json` prints every token's indicators; `--out FILE.csv` writes them. To put a scan into the report: "
        "`skeptic run glitch-tokens --set scan_path=DIR`."
    ),
)


@study(
    name="glitch-tokens",
    question="Do tokens that a model never saw in training end up with recognisably untrained weights that a scanner "
    "can find, and does the model really fail to repeat them?",
    sources=(
        "Rumbelow & Watkins 2023, SolidGoldMagikarp (plus, prompt generation), LessWrong; and SolidGoldMagikarp II: "
        "technical details and more recent findings",
        "Land & Bartolo 2024, Fishing for Magikarp: automatically detecting under-trained tokens in large language "
        "models (arXiv 2405.05417)",
    ),
    presets=PRESETS,
    claims=CLAIMS,
    probes=PROBES,
    brief=BRIEF,
    runtime={
        "test": "~3 s of CPU beyond imports (1 thread; minutes of wall time on a machine at load 20)",
        "quick": "~35 s of CPU (1 thread), measured at load 20",
        "paper": "~6 min (measured 2026-11-24: 326 s on one thread, beside another study; peak RSS 9.3 GB)",
    },
    faults=FAULTS,
)
def run(config: GlitchConfig, ctx: RunContext) -> StudyOutput:
    keep_freed_memory()  # quick: 4.5 s of the kernel's page-fault time becomes 1.6 s (27.4 -> 24.4 s wall)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models: intra-op threads only add contention on a shared machine
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(ctx.seed)
            n_models = 4 * config.n_seeds
            with ctx.progress("glitch-tokens: training", total=None) as advance:
                m = experiment.run_experiment(
                    config, ctx.seed, lambda key: ctx.rng(key), ctx.device, ctx.log, progress=advance
                )
            if config.scan_path:
                res = indicators.scan(config.scan_path)
                m["external_scan"] = {
                    "path": config.scan_path,
                    "main_indicator": res.main_indicator,
                    "tied": res.tied,
                    "n_candidates": len(res.candidates()),
                    "top": [
                        {"id": r["id"], "token": r["token"], res.main_indicator: round(r[res.main_indicator], 5)}
                        for r in res.top(30)
                    ],
                }
            m["n_models"] = n_models
    finally:
        torch.set_num_threads(threads)
    return StudyOutput(m, make_figures(m), make_tables(m))
