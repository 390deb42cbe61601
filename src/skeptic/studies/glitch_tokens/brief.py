"""The plain-language brief of the glitch-tokens study."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from skeptic.study import Brief

if TYPE_CHECKING:
    from skeptic.study import RunResult


def _mean(m: dict[str, Any], pred: Any, key: str) -> float:
    vals = [mm[key] for mm in m["models"] if pred(mm)]
    return float(np.mean(vals)) if vals else float("nan")


def _auroc(m: dict[str, Any], arm: str | None, key: str, group: str = "never") -> float:
    vals = [
        mm["auroc"][group][key]["auroc"]
        for mm in m["models"]
        if (arm is None or mm["arm"] == arm) and key in mm["auroc"][group]
    ]
    return float(np.mean(vals)) if vals else float("nan")


def _verified_fraction(m: dict[str, Any], pred: Any) -> float:
    flags = [p < m["threshold"] for t in m["tokens"] if pred(t) for p in t["max_prob"]]
    return float(np.mean(flags)) if flags else float("nan")


def _found(result: RunResult) -> str:
    m = result.measurements
    c = m["corpus"]
    cfg = result.config
    v = c["vocab_size"]
    lines = [
        f"The tokenizer ({v} tokens) was trained on the model's own text plus {cfg.get('held_out_topics')} help "
        f"topic(s) and {len(m['planted'])} planted pseudo-words; the models trained on {c['tokens_b']} tokens. Of the "
        f"ordinary tokens, {m['n_never']} ({m['n_never'] / v:.1%} of the vocabulary) never occur in the training "
        f"text, {m['n_rare']} occur 1 to {m['rare_max']} times and {m['n_frequent']} at least {m['frequent_count']} "
        f"times; {m['byte_tokens_never_seen']} byte tokens never occur either and are counted apart.",
        f"Ranking never-seen below frequent tokens (AUROC, 1 = perfect, 0.5 = chance): input-embedding norm in the "
        f"untied arms {_auroc(m, 'untied', 'input_norm'):.2f} (rarely seen tokens "
        f"{_auroc(m, 'untied', 'input_norm', 'rare'):.2f}); unembedding indicator "
        f"{_auroc(m, None, 'unembedding_cosine'):.2f} (rare {_auroc(m, None, 'unembedding_cosine', 'rare'):.2f}); "
        f"distance to the centroid {_auroc(m, None, 'centroid_distance'):.2f} (rare "
        f"{_auroc(m, None, 'centroid_distance', 'rare'):.2f}). In the tied arms the input norm reads "
        f"{_auroc(m, 'tied', 'input_norm'):.2f}: below 0.5 is backwards, the never-seen rows are the long ones. The "
        "unembedding indicator on rarely seen tokens is reported as a measurement, not judged as a claim: made to "
        "get the push-down alone (never a target), their untied readout rows are found (0.96 at the test setting) "
        "but tied rows, trained as inputs too, are not (0.17-0.25), so no setting within reach could show it able "
        "to come out replicated in every arm.",
        f"Readout rows of never-seen tokens moved almost entirely by one shared vector (shared fraction "
        f"{_mean(m, lambda mm: True, 'shared_readout_unused'):.2f}, against "
        f"{_mean(m, lambda mm: True, 'shared_readout_trained'):.2f} for frequent tokens), as Land & Bartolo's "
        f"account of output suppression predicts; tied rows of never-seen tokens moved "
        f"{_mean(m, lambda mm: mm['tied'], 'moved_input_unused'):.1f} times their initial norm, so in tied models "
        "these tokens are not random features at all.",
        f"Verification by prompting: {_verified_fraction(m, lambda t: t['occurrences'] == 0):.0%} of never-seen "
        f"tokens, {_verified_fraction(m, lambda t: 1 <= t['occurrences'] <= m['rare_max']):.0%} of rarely seen ones "
        f"and {_verified_fraction(m, lambda t: t['control']):.0%} of frequent control tokens stay below the 1% "
        "repetition probability.",
    ]
    rates = m.get("graft", {}).get("rates", {})
    if rates:
        lines.append(
            f"Training only the never-seen tokens' rows in the untied models (everything else fixed): repetition "
            f"{rates['none']:.0%} as trained, {rates['input']:.0%} with the input row trained alone, "
            f"{rates['output']:.0%} with the readout row alone, {rates['both']:.0%} with both. The readout row's share "
            "is reported, not judged: a readout row trained alone also restored most of the repetition when it had "
            "been trained already and only the input rows were random (0.75 at the test setting, seed 0), so it "
            "cannot tell whether the readout row was the cause."
        )
    warned = [sc["variant"] for sc in m.get("scan", []) if sc.get("looks_untrained")]
    fired = ", ".join(warned) + " (a false alarm on a trained model, reported as a result)" if warned else "none"
    lines.append(
        "The scanner, run on each arm's saved checkpoint, computed the same indicators as the study; its "
        f"untrained-checkpoint warning fired on: {fired}."
    )
    init_std = cfg.get("init_std")
    if isinstance(init_std, (int, float)) and init_std > 0.05:
        lines.append(
            f"This run starts the embeddings at σ = {init_std:g} (GPT-2's is 0.02): where an indicator claim reads "
            "not_replicated or inconclusive here, that is the initialization-scale contrast's result, in a trusted run."
        )
    if m.get("external_scan"):
        s = m["external_scan"]
        lines.append(f"Scanned checkpoint {s['path']}: {s['n_candidates']} candidates by {s['main_indicator']}.")
    return " ".join(lines)


def _answer(result: RunResult) -> str:
    m = result.measurements
    zero = _verified_fraction(m, lambda t: t["occurrences"] == 0)
    ctrl = _verified_fraction(m, lambda t: t["control"])
    return (
        f"Yes, where the ground truth is known and the embeddings start small: tokens the model never saw cannot be "
        f"repeated ({zero:.0%} fail the repetition test, against {ctrl:.0%} of frequent tokens) and their weights "
        "give them away; which weight-based sign works depends on whether the model ties its input and output "
        "embeddings. Started ten times larger (σ = 0.2, the contrast every indicator claim declares), the signs lose "
        "their power, and that is a result, not an untrusted run: at the test setting (seed 0) the unembedding sign "
        "fell to chance (AUROC 0.47-0.60), the untied input norm and distance to the centroid to about 0.7, and "
        "fewer than half of the candidates were confirmed by prompting (0.42); at the quick setting the unembedding "
        "sign fell to 0.37-0.56 while the untied input norm held (0.97, 0.99). With large starting vectors a "
        "never-seen token's random input vector also becomes part of why it cannot be repeated: training it alone "
        "restored 75% of the repetition that training both its vectors restored at the test setting and 23% at the "
        "quick setting (none at σ = 0.02), closer to the reviewer's 'random features' account."
    )


BRIEF = Brief(
    claimed="Language models contain 'glitch tokens' such as SolidGoldMagikarp that they cannot repeat and that make "
    "them behave strangely. The accepted explanation: the tokenizer was built from text in which these strings were "
    "common, but the model was trained on text in which they were rare or absent, so their learned vectors were "
    "hardly trained. Rumbelow & Watkins found such tokens near the centre of GPT-2's and GPT-J's token vectors; "
    "Land & Bartolo proposed signs computed from a model's weights that find them, confirmed by asking the model to "
    "repeat each candidate. A reviewer (Kosoy) summed the mechanism up as the model mapping those tokens to 'more or "
    "less random features'.",
    ran="We rebuilt the situation where the truth is known exactly: a tokenizer trained on Python's own "
    "documentation plus a few made-up words, and small language models trained on nearly the same documentation, so "
    "that only a small share of the vocabulary never occurs in the training text (about 3% at the quick setting) "
    "and about 5% occur only 1 to 10 times, ten of them made-up words planted 1 to 10 times so that the rarely seen "
    "group stays large when the training text grows. We trained four kinds of model (input and output vectors "
    "shared or separate, with and without weight decay), computed the published signs from the weights, scored how "
    "well each separates never-seen and rarely seen tokens from frequent ones, asked every model to repeat "
    "tokens using the paper's prompt, and tested "
    "the reviewer's account by giving a never-seen token a trained input row, a trained output row, or both. Each "
    "claim also names a setting in which it should come out otherwise (the missing tokens fed after all, the rarely "
    "seen ones written into the text about as often as a frequent token at the same length of training, both at "
    "once, embeddings started ten times larger, the untied models tied, the output push-down switched off, the "
    "missing tokens shown only as answers so that just their input vectors stay random), which Skeptic's audit runs.",
    not_shown="These are tiny models trained for a minute or two on some tens of thousands of characters, not GPT-2 or "
    "GPT-J: the geometry of untrained vectors here follows from the optimizer (AdamW) and the initialization scale "
    "and may differ at scale, and Rumbelow & Watkins themselves saw the centroid pattern reverse in GPT-2 xl. Each "
    "stretch of training text is followed by a copy in which every token is said twice, so that a small model learns "
    "to repeat a token at all; without it the repetition test has nothing to measure (and only the paper's 'repeats' "
    "prompt works). The AUROC bar of 0.9, 'most' as one half, the 30-point repetition gap and 'explains' as half of "
    "the restoration are Skeptic's lines, each with a band. The surreal, evasive outputs of GPT-3 on these tokens "
    "are not reproduced: a model this small has no such behaviour to show. The reviewer's words are read from a "
    "copy of the review comment (its GreaterWrong rendering), whose retrieved text does not show the reviewer's name: "
    "the attribution to Kosoy is the issue's. The restoration test "
    "trains one row at a time with every other weight fixed, so a restored row is the best value for it given the "
    "other row as it is; its contrasts (readout rows left unsuppressed, or trained as answers, so that only the input "
    "vectors stay random) check that the test can read 'random input features' where that is the cause. The claims "
    "about rarely seen tokens depend on how long the models train, and the training does not settle within reach: "
    "at the quick setting (seed 0) four times the passes over the text moved the untied models' centroid AUROC on "
    "rare tokens from 0.90 and 0.97 to 0.79 and 0.86 and their input-norm AUROC from 0.90 and 0.97 to 0.75 and "
    "0.81, and the unembedding indicator on rare tokens from 0.16-0.62 to 0.96-0.99, while the training loss was "
    "still falling (0.73 to 0.61 nats between the last two fifths of training). More passes multiply a rare token's "
    "count, though, which a larger pretraining run does not; since session 15 the larger budget is four times the "
    "training text (fresh help topics, the counts taken over the whole stream). In a longer text most naturally rare "
    "tokens are no longer rare (3-8 rarely seen tokens were left in four times the text), so since session 16 "
    "made-up words planted 1 to 3 times (test) or 1 to 10 times (quick) keep the group at 14-19 tokens there; on "
    "them the claims about rarely seen tokens come out replicated at the test setting's seeds 0-2, in its text and "
    "in four times it. At the quick setting they stay inconclusive at seed 0 (AUROC 0.92 in the untied models "
    "without weight decay, on 25 rarely seen tokens: the value, not the count, is near the bar there), and four "
    "times the text lifted them to 1.0 in session 15. "
    "How much of the repetition the output vector alone restores depends on how long it is trained: with both "
    "vectors trained every never-seen token is repeated within 80 steps, with the output vector alone the share "
    "still rose from 80 to 320 steps (test setting, seeds 1-2: 0.50 to 0.76 and 0.43 to 0.93), so the test setting "
    "now restores for 320 steps; whether the same explains the quick setting's seed dependence (93%, 36% and 28% "
    "at seeds 0-2 with its 60-step restoration) was not measured. Restored that long, the output vector alone also "
    "brought back 75% of the repetition when it had been trained already and only the input vector was random, so "
    "'the output vector explains the failure' is no longer judged as a claim: this test cannot tell. Training the "
    "input vector alone restored none at any seed, while it restored all when the output vectors had been trained "
    "and the input vectors left random, so the reviewer's 'random features' is tested and not borne out here.",
    found=_found,
    answer=_answer,
    headline_figure="repetition-vs-count",
    appendix=(
        "**Scanning a checkpoint you have.** `skeptic glitch-scan PATH` reads a Hugging Face model directory "
        "(`*.safetensors` weights, sharded or not, and `tokenizer.json`, as `save_pretrained` writes them; never "
        "pickle files), sorts every token into magikarp's categories (ok, special, unreachable, partial UTF-8, byte "
        "tokens), warns when the embedding looks like an untrained random initialization, and prints the ordinary "
        "tokens with the most suspicious weights. Where `transformers` is installed and the checkpoint is a causal "
        "language model it can load, `--verify N` asks the model to repeat the top N candidates and a sample of "
        "ordinary tokens (Land & Bartolo's 'repeats' prompt, threshold 1%). For GPT-2 from the Hugging Face cache: "
        "`skeptic glitch-scan ~/.cache/huggingface/hub/models--gpt2/snapshots/<hash> --verify 20`. GPT-2 ties its "
        "embeddings, so the scanner uses Land & Bartolo's unembedding indicator with the bytes that cannot occur in "
        "UTF-8 as the known-unused reference; pass `--reference ID,ID,...` to use your own. `--json` prints every "
        "token's indicators and category; `--out FILE.csv` writes them. To put a scan into the report: "
        "`skeptic run glitch-tokens --set scan_path=DIR` (the directory is checked before anything trains)."
    ),
)
