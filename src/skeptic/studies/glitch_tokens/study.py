"""glitch-tokens: under-trained tokens reproduced where every token's training count is known, and found from weights.

"SolidGoldMagikarp" and its kin made GPT-2/3 produce surreal output (Rumbelow & Watkins 2023). The accepted mechanism:
the tokenizer was built on text where some strings were common, the model was trained on text where they were rare
or absent, so their embeddings were barely trained. Land & Bartolo (2024) turned this into indicators computed from
the weights plus verification by prompting. This study builds that situation at a realistic scale (a BPE tokenizer on
the model's own text plus one held-out topic and a few planted words, so about 3% of the vocabulary never occurs in
training and about 5% occurs 1-10 times at the quick preset, ten of those planted words seen 1-10 times so that the
rarely seen set stays large in a longer training text), trains tied and untied models with and without weight
decay, scores each indicator on never-seen and rarely seen tokens against frequent ones, verifies by
prompting, and tests Kosoy's
"random features" account against output suppression by grafting trained rows into never-seen tokens. Every claim
names contrasts (the gap fed after all, a ten times larger initialization, the untied arms tied, the readout left
unsuppressed) under which it must fail. The same indicators are a scanner for any local checkpoint
(:mod:`skeptic.glitch_tokens`, ``skeptic glitch-scan PATH``).

``run`` calls the sections of :mod:`skeptic.studies.glitch_tokens.experiment` in order.
"""

from __future__ import annotations

from typing import Any

import torch

from skeptic.studies.glitch_tokens import experiment, indicators
from skeptic.studies.glitch_tokens.brief import BRIEF
from skeptic.studies.glitch_tokens.claims import CLAIMS, PROBES
from skeptic.studies.glitch_tokens.config import PRESETS, GlitchConfig
from skeptic.studies.glitch_tokens.faults import FAULTS
from skeptic.studies.glitch_tokens.figures import make_figures, make_tables
from skeptic.study import Budget, RunContext, StudyOutput, keep_freed_memory, study, torch_threads


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
        "test": "~23 s of CPU on one thread (measured 2026-12-07, session 16, twice the text and a 320-step "
        "restoration: 23.4 and 23.5 user CPU s at seeds 1-2 at load ~8; 10.9-13.8 s with the 80-step one)",
        "quick": "~24-29 s of CPU on one thread (measured 2026-12-06, session 9, 512-token vocabulary on 15% of the "
        "text; ~60% of it training), 2-4 min wall at load ~15",
        "paper": "not measured since the corpus and graft changes (before them: 326 s on one thread)",
    },
    faults=FAULTS,
    budget=Budget(
        scale={"stream_length": 4, "graft_steps": 4},
        note="four times the training text, the added text fresh help topics the tokenizer never saw, at "
        "the same passes (four times the steps), with the planted words' counts totals over the whole stream and "
        "every token set a count in it, so a rarely seen token stays rarely seen (as in a larger pretraining run, "
        "Land & Bartolo 2024); and a four times longer fine-tune in the graft experiment. Until session 15 the budget "
        "was four times the passes over the same text, which multiplied the rare tokens' counts too (issue 30)",
    ),
    audit_preset="test",
    audit_preset_why="the test preset (~23 CPU s against quick's ~26-29) keeps every arm working and the graft's "
    "positive control passing (seeds 0-2 checked on this code), and at seed 0 its verdicts were quick's (eleven "
    "claims, before session 14 made one a measurement); "
    "its tokenizer gap is less realistic (a 400-token vocabulary, 3.5-4.5% never seen), which matters for the "
    "findings, not for whether a probe notices a broken computation",
)
def run(config: GlitchConfig, ctx: RunContext) -> StudyOutput:
    keep_freed_memory()  # quick: 4.5 s of the kernel's page-fault time becomes 1.6 s (27.4 -> 24.4 s wall)
    with torch_threads(1), torch.random.fork_rng(devices=[]):  # tiny models: more threads only add contention
        torch.manual_seed(ctx.seed_for("torch-global"))
        with ctx.section("corpus"):
            corp, info = experiment.build_corpus(config, ctx)
        with ctx.section("train"), ctx.progress("glitch-tokens: training", total=None) as advance:
            trained, variants = experiment.train_models(config, ctx, corp, info, progress=advance)
        with ctx.section("indicators"):
            models, ind_all = experiment.score_indicators(config, ctx, trained, variants, info)
            known = experiment.known_answer_checks(ctx, config.d_model)
        with ctx.section("verify"):
            tokens = experiment.verify_tokens(config, ctx, corp, trained, variants, info, models, ind_all)
        with ctx.section("graft"):
            graft = experiment.graft_experiment(config, ctx, corp, trained, variants, info)
        with ctx.section("scan"):
            scan_rows = experiment.check_scanner(config, corp, trained, variants, ind_all)
            external = external_scan(config.scan_path) if config.scan_path else None
    m = experiment.corpus_measurements(config, corp, trained, info)
    m |= {"models": models, "tokens": tokens, "graft": graft, "scan": scan_rows, "known_answer": known}
    m |= {"variants": [v.name for v in variants], "n_models": len(variants), "external_scan": external}
    return StudyOutput(m, make_figures(m), make_tables(m))


def external_scan(path: str) -> dict[str, Any]:
    """The scanner on a user's checkpoint (``--set scan_path=DIR``): its top candidates for the report."""
    res = indicators.scan(path)
    return {
        "path": path,
        "main_indicator": res.main_indicator,
        "tied": res.tied,
        "n_candidates": len(res.candidates()),
        "categories": res.category_counts(),
        "looks_untrained": res.untrained["looks_untrained"],
        "top": [
            {"id": r["id"], "token": r["token"], res.main_indicator: round(r[res.main_indicator], 5)}
            for r in res.top(30)
        ],
    }
