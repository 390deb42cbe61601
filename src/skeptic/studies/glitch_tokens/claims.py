"""Claims and probes of the glitch-tokens study; each reads only the run's stored measurements.

Thresholds that are Skeptic's own, fixed before running, say so in the claim:

* an indicator "finds" under-trained tokens when its AUROC (tokens never fed to the model vs tokens fed at least
  ``frequent_count`` times) is at least 0.9 (Land & Bartolo report no AUROC; their Figure 2 shows the verified
  tokens in the extreme tail of each indicator);
* "most" top candidates verified: at least half;
* "collapse along a shared direction": at least half of the rows' squared displacement is their common mean
  displacement (independent random moves of n rows would give about 1/n);
* "largely incapable of repeating": tokens never trained on are repeated at least 30 points less often than
  frequent tokens.

The verification threshold (maximal repetition probability < 1%) is Land & Bartolo's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skeptic.core.claims import (
    AllAtLeast,
    AtLeast,
    Claim,
    Estimate,
    Increasing,
    Measurements,
    Probe,
    ProbeOutcome,
)
from skeptic.core.stats import wilson_interval

AUROC_BAR = 0.9
MOST = 0.5
SHARED = 0.5
REPEAT_GAP = 0.3
CONTROL_PASS = 0.8

RW = "Rumbelow & Watkins 2023, SolidGoldMagikarp (LessWrong)"
RW2 = "Rumbelow & Watkins 2023, SolidGoldMagikarp II: technical details (LessWrong)"
LB = "Land & Bartolo 2024, Fishing for Magikarp (arXiv 2405.05417)"


# ---------------------------------------------------------------------------------------------------------------
# A comparison over several estimates (one per variant)
# ---------------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------------------------


def variant_names(m: Measurements) -> list[str]:
    """The variants in the order they were trained (each may have several seeds)."""
    return list(dict.fromkeys(mm["variant"] for mm in m["models"]))


def _per_variant(m: Measurements, value: Any, tied: bool | None = None, what: str = "seeds") -> list[Estimate]:
    """One estimate per variant: ``value(model)`` averaged over its seeds (t-interval when there are several)."""
    out = []
    for name in variant_names(m):
        ms = [mm for mm in m["models"] if mm["variant"] == name and (tied is None or mm["tied"] is tied)]
        if ms:
            out.append(Estimate.from_samples([float(value(mm)) for mm in ms], what=what))
    return out


def auroc_per_variant(m: Measurements, key: str, tied: bool | None = None) -> list[Estimate]:
    """Each variant's AUROC of indicator ``key``: the Hanley–McNeil 95% interval over tokens, widened to cover every
    seed of the variant."""
    out = []
    for name in variant_names(m):
        ms = [mm for mm in m["models"] if mm["variant"] == name and (tied is None or mm["tied"] is tied)]
        if not ms:
            continue
        vals = [mm["auroc"][key]["auroc"] for mm in ms]
        ses = [mm["auroc"][key]["se"] for mm in ms]
        mean = float(np.mean(vals))
        se = float(np.mean(ses))
        lo = min(mean - 1.96 * se, min(vals))
        hi = min(max(mean + 1.96 * se, max(vals)), 1.0)
        out.append(Estimate(mean, max(lo, 0.0), hi, f"Hanley–McNeil 95% over tokens, covering {len(ms)} seed(s)"))
    return out


def _tokens(m: Measurements, pred: Any) -> list[dict[str, Any]]:
    return [t for t in m["tokens"] if pred(t)]


def _rate(flags: list[bool]) -> Estimate:
    if not flags:
        return Estimate(float("nan"), float("nan"), float("nan"), "no tokens")
    p, lo, hi = wilson_interval(int(sum(flags)), len(flags))
    return Estimate(p, min(lo, p), max(hi, p), f"Wilson 95% over {len(flags)} token-model pairs")


def verified_candidates(m: Measurements) -> Estimate:
    """Fraction of each model's top candidates whose maximal repetition probability is below the threshold."""
    by_id = {t["id"]: t for t in m["tokens"]}
    flags = [
        by_id[c]["max_prob"][k] < m["threshold"]
        for k, mm in enumerate(m["models"])
        for c in mm["candidates"]
        if c in by_id
    ]
    return _rate(flags)


def repeat_gap(m: Measurements) -> Estimate:
    """Greedy repetition rate of frequent (control) tokens minus that of tokens never fed to the model, pooled over
    models; the interval combines the two Wilson intervals conservatively."""
    n_models = len(m["models"])
    ctrl = [t["repeated"][k] for t in _tokens(m, lambda t: t["control"]) for k in range(n_models)]
    zero = [t["repeated"][k] for t in _tokens(m, lambda t: t["count"] == 0) for k in range(n_models)]
    a, b = _rate(ctrl), _rate(zero)
    return Estimate(a.value - b.value, a.lo - b.hi, a.hi - b.lo, "difference of Wilson 95% intervals")


def verified_by_planted_count(m: Measurements) -> list[Estimate]:
    """For the planted words, grouped by how often they occur in corpus B (0, 1, 3, 10, 30): the fraction verified
    under-trained (maximal repetition probability < 1%), pooled over models."""
    groups = sorted({t["planted"] for t in m["tokens"] if t["planted"] is not None})
    n_models = len(m["models"])
    return [
        _rate(
            [
                t["max_prob"][k] < m["threshold"]
                for t in _tokens(m, lambda t, g=g: t["planted"] == g)
                for k in range(n_models)
            ]
        )
        for g in groups
    ]


CLAIMS = (
    Claim(
        id="unused-readout-rows-share-a-direction",
        statement="The readout (unembedding) rows of tokens never seen in training do not stay put: they all move by "
        "nearly the same vector, so they end up alike, in tied and untied models, with and without weight decay "
        "(Skeptic's threshold: at least half of their squared displacement is the common mean displacement).",
        source=f"{LB}, §2.2 (the indicator compares each unembedding row with the mean of the known-unused rows, "
        "after removing the first principal component)",
        measure=lambda m: _per_variant(m, lambda mm: mm["shared_readout_unused"]),
        expect=AllAtLeast(SHARED),
        own_threshold="Land & Bartolo give no number; one half of the squared displacement is Skeptic's line",
    ),
    Claim(
        id="unembedding-indicator-finds-untrained",
        statement="The unembedding indicator (cosine distance to the mean known-unused row, first principal "
        "component removed) ranks tokens never seen in training below well-trained ones in every variant "
        "(Skeptic's threshold: AUROC ≥ 0.9).",
        source=f"{LB}, §2.2 and §3.1 (effectiveness of indicators)",
        measure=lambda m: auroc_per_variant(m, "unembedding_cosine"),
        expect=AllAtLeast(AUROC_BAR),
        own_threshold="the paper reports no AUROC; 0.9 is Skeptic's bar, fixed before running",
    ),
    Claim(
        id="input-norm-finds-untrained-untied",
        statement="In models with untied embeddings, the norm of the input embedding ranks tokens never seen in "
        "training below well-trained ones (Skeptic's threshold: AUROC ≥ 0.9 in both untied variants).",
        source=f"{LB}, §2.2 (the input-embedding L2 norm as the indicator for untied models)",
        measure=lambda m: auroc_per_variant(m, "input_norm", tied=False),
        expect=AllAtLeast(AUROC_BAR),
        own_threshold="the paper reports no AUROC; 0.9 is Skeptic's bar, fixed before running",
    ),
    Claim(
        id="closest-to-centroid-untied",
        statement="Tokens never seen in training are the ones closest to the centroid of all input embeddings, in "
        "untied models like GPT-J (Skeptic's threshold: AUROC of closeness ≥ 0.9).",
        source=f"{RW}, the sentence 'were among those closest to the centroid of the entire set of 50,257 tokens'; "
        f"{RW2}, section 'Distance-from-centroid hypothesis' (true for GPT-2 small and GPT-J)",
        measure=lambda m: auroc_per_variant(m, "centroid_distance", tied=False),
        expect=AllAtLeast(AUROC_BAR),
        own_threshold="'among those closest' has no number; AUROC 0.9 is Skeptic's bar",
    ),
    Claim(
        id="closest-to-centroid-tied",
        statement="Tokens never seen in training are the ones closest to the centroid of all input embeddings, in "
        "tied models like GPT-2 small (Skeptic's threshold: AUROC of closeness ≥ 0.9).",
        source=f"{RW}, the sentence 'were among those closest to the centroid of the entire set of 50,257 tokens'; "
        f"{RW2}, section 'Distance-from-centroid hypothesis' (true for GPT-2 small, opposite for GPT-2 xl)",
        measure=lambda m: auroc_per_variant(m, "centroid_distance", tied=True),
        expect=AllAtLeast(AUROC_BAR),
        own_threshold="'among those closest' has no number; AUROC 0.9 is Skeptic's bar",
    ),
    Claim(
        id="verification-confirms-candidates",
        statement="Most of the tokens an indicator ranks as most under-trained (the lowest 2%) are confirmed by "
        "prompting: the model gives them a maximal repetition probability below 1% (Skeptic's threshold for "
        "'most': at least half).",
        source=f"{LB}, §2.3 (verification, threshold 1%) and §3.1 (effectiveness of indicators and verification)",
        measure=verified_candidates,
        expect=AtLeast(MOST),
        own_threshold="'most' read as at least half is Skeptic's; the 1% repetition threshold is the paper's",
    ),
    Claim(
        id="glitch-tokens-not-repeated",
        statement="Asked to repeat a token it never saw in training, the model largely fails: its greedy output is "
        "that token far less often than for frequent tokens (Skeptic's threshold: a gap of at least 30 points).",
        source=f"{RW}, the sentence 'GPT models seem largely incapable of repeating these anomalous tokens'",
        measure=repeat_gap,
        expect=AtLeast(REPEAT_GAP),
        own_threshold="'largely incapable' has no number; a 30-point gap is Skeptic's line",
    ),
    Claim(
        id="undertraining-falls-with-count",
        statement="Tokens that are nearly absent from training are under-trained too, and less so the more often "
        "they occur: the fraction of planted words verified under-trained falls as their count in the training "
        "text rises through 0, 1, 3, 10 and 30.",
        source=f"{LB}, abstract ('tokens present in the tokenizer vocabulary but nearly or fully absent during "
        "model training')",
        measure=verified_by_planted_count,
        expect=Increasing(decreasing=True),
    ),
)


# ---------------------------------------------------------------------------------------------------------------
# Probes
# ---------------------------------------------------------------------------------------------------------------


def _counts_recount(m: Measurements) -> ProbeOutcome:
    counts, recount = np.asarray(m["counts"]), np.asarray(m["recount"])
    mask = np.ones(counts.size, bool)
    mask[m["special"]] = False
    expect = m["copies"] * m["epochs"] * recount
    bad = np.flatnonzero(mask & (counts != expect))
    return ProbeOutcome(
        bad.size == 0,
        f"{bad.size} of {int(mask.sum())} tokens differ between the batches' counts and {m['copies']}·epochs × the "
        f"recount from "
        f"the raw text"
        + (f" (first: id {int(bad[0])}: {int(counts[bad[0]])} vs {int(expect[bad[0]])})" if bad.size else ""),
    )


def _planted(m: Measurements) -> ProbeOutcome:
    planted = m["planted"]
    single = [p for p in planted if p["token"] is not None]
    wrong = [p["word"] for p in single if p["recount"] != p["planted"]]
    ok = (
        len(single) >= 0.75 * len(planted)
        and not wrong
        and {p["planted"] for p in single} == {p["planted"] for p in planted}
    )
    return ProbeOutcome(
        ok,
        f"{len(single)} of {len(planted)} planted words are single tokens; {len(wrong)} have a recounted frequency in "
        f"the training text other than the one planted" + (f" ({', '.join(wrong[:3])})" if wrong else ""),
    )


def _reference(m: Measurements) -> ProbeOutcome:
    counts = np.asarray(m["counts"])
    ref = m["reference"]
    used = [i for i in ref if counts[i] > 0]
    names = m["reference_names"]
    not_by_construction = [
        n for n in names if not (n.startswith("<|reserved_") or (len(n) == 1 and ord(n) in _INVALID_BYTE_CHARS))
    ]
    ok = bool(ref) and not used and not m["reference_in_text"] and not not_by_construction
    return ProbeOutcome(
        ok,
        f"{len(ref)} known-unused tokens; {len(used)} were fed to the model, {len(m['reference_in_text'])} occur in "
        f"the training text, {len(not_by_construction)} are not unused by construction (reserved or invalid-UTF-8 "
        "byte)",
    )


def _invalid_byte_chars() -> set[int]:
    from skeptic.studies.glitch_tokens.indicators import INVALID_UTF8_BYTES, bytes_to_unicode

    b2u = bytes_to_unicode()
    return {ord(b2u[b]) for b in INVALID_UTF8_BYTES}


_INVALID_BYTE_CHARS = _invalid_byte_chars()


def _frequent_never_flagged(m: Measurements) -> ProbeOutcome:
    counts = np.asarray(m["counts"])
    mask = np.ones(counts.size, bool)
    mask[m["special"]] = False
    ids = np.flatnonzero(mask)
    top = set(ids[np.argsort(-counts[ids], kind="stable")][: max(ids.size // 10, 1)].tolist())
    flagged = sorted({c for mm in m["models"] for c in mm["candidates"]} & top)
    return ProbeOutcome(
        not flagged, f"{len(flagged)} of the {len(top)} most frequent tokens are among any model's candidates"
    )


def _untouched_rows(m: Measurements) -> ProbeOutcome:
    errs = [mm["untouched_rel_error"] for mm in m["models"] if not mm["tied"]]
    ratios = [mm["init_norm_ratio"] for mm in m["models"]]
    ok = bool(errs) and max(errs) <= 1e-4 and all(0.9 <= r <= 1.1 for r in ratios)
    return ProbeOutcome(
        ok,
        f"untied models: input rows never fed differ from init × Π(1 − η_t λ) by ≤ {max(errs):.1e} (relative, "
        f"tolerance 1e-4); initial row norms / (σ√d) = {min(ratios):.3f}…{max(ratios):.3f} (expected 1 ± 0.1)",
    )


def _calibrated(m: Measurements) -> ProbeOutcome:
    vals = [mm["reference_auroc"] for mm in m["models"]]
    return ProbeOutcome(
        min(vals) >= AUROC_BAR,
        "AUROC of each model's main indicator for the known-unused reference tokens against frequent tokens: "
        + ", ".join(f"{v:.2f}" for v in vals)
        + f" (need ≥ {AUROC_BAR:g}: tokens unused by construction must look under-trained to the indicator that picks "
        "the candidates)",
    )


def _architecture(m: Measurements) -> ProbeOutcome:
    wrong = [mm["variant"] for mm in m["models"] if (mm["readout_minus_embedding"] == 0.0) != mm["tied"]]
    scan_wrong = [s["variant"] for s in m["scan"] if s["tied_detected"] != s["variant"].startswith("tied")]
    return ProbeOutcome(
        not wrong and not scan_wrong,
        f"{len(wrong)} models whose readout/embedding equality contradicts their declared tying; the scanner detects "
        f"tying wrongly in {len(scan_wrong)} saved checkpoints",
    )


def _scanner(m: Measurements) -> ProbeOutcome:
    worst = max(s["max_abs_diff"] for s in m["scan"])
    same_ref = all(s["reference"] == m["reference"] for s in m["scan"])
    return ProbeOutcome(
        worst <= 1e-5 and same_ref,
        f"scanning the saved safetensors checkpoints reproduces the in-run indicators to {worst:.1e} (tolerance "
        f"1e-5); same reference set: {same_ref}",
    )


def _control(m: Measurements) -> ProbeOutcome:
    n_models = len(m["models"])
    ctrl = [t for t in m["tokens"] if t["control"]]
    rates = [float(np.mean([t["max_prob"][k] >= m["threshold"] for t in ctrl])) for k in range(n_models)]
    return ProbeOutcome(
        bool(ctrl) and min(rates) >= CONTROL_PASS,
        f"frequent tokens reaching repetition probability ≥ 1%: {', '.join(f'{r:.0%}' for r in rates)} per model "
        f"(need ≥ {CONTROL_PASS:.0%}: the test must be able to pass a trained token)",
    )


def _se_crosscheck(m: Measurements) -> ProbeOutcome:
    s = m["se_check"]
    a, b = s["analytic"], s["bootstrap"]
    ok = (a < 0.005 and b < 0.005) or (b > 0 and 0.5 <= a / b <= 2.0)
    return ProbeOutcome(
        ok,
        f"AUROC standard error of {s['indicator']} ({s['model']}): Hanley–McNeil {a:.4f} vs bootstrap over tokens "
        f"{b:.4f} (must agree within a factor 2)",
    )


def _independent(m: Measurements) -> ProbeOutcome:
    c = m["init_correlation"]
    return ProbeOutcome(c < 0.05, f"largest |correlation| between two models' initial embeddings: {c:.3f} (< 0.05)")


def _learned(m: Measurements) -> ProbeOutcome:
    losses = [mm["final_loss"] for mm in m["models"]]
    h = m["unigram_entropy"]
    return ProbeOutcome(
        max(losses) < h,
        f"final training loss {min(losses):.2f}…{max(losses):.2f} nats vs the unigram entropy {h:.2f} nats of the "
        "training stream (a model that learned nothing would sit at or above it)",
    )


PROBES = (
    Probe(
        "counts-recount",
        "Every token's training count, accumulated from the batches actually fed, equals 3·epochs "
        "× its count recomputed independently from the raw text with the saved tokenizer.",
        _counts_recount,
    ),
    Probe(
        "planted-counts",
        "The planted words are single tokens and occur in the training text exactly as often as "
        "planted (0, 1, 3, 10, 30): the ground truth is what it claims to be.",
        _planted,
    ),
    Probe(
        "reference-unused",
        "The known-unused reference set is unused by construction (reserved tokens, bytes "
        "invalid in UTF-8), never fed to the model, and absent from the training text.",
        _reference,
    ),
    Probe(
        "frequent-never-flagged",
        "No token among the 10% most frequent is a candidate of any model (a negative control).",
        _frequent_never_flagged,
    ),
    Probe(
        "main-indicator-calibrated",
        "A positive control with a known answer: the main indicator that picks each model's candidates ranks the "
        "tokens unused by construction below the frequent tokens.",
        _calibrated,
    ),
    Probe(
        "untouched-rows-exact",
        "A row that receives no gradient moves only by weight decay: untied input rows of "
        "tokens never fed equal init × Π(1 − η_t λ); and the initialization has the declared scale.",
        _untouched_rows,
    ),
    Probe(
        "architecture-as-declared",
        "Tied models read out with their input embedding and untied ones do not; the "
        "scanner recognizes which is which from the saved files.",
        _architecture,
    ),
    Probe(
        "scanner-agrees",
        "The public scanner, reading the saved safetensors checkpoint, reproduces the in-run "
        "indicators (an independent path to the same numbers).",
        _scanner,
    ),
    Probe(
        "verification-positive-control",
        "The repetition test can pass a token: frequent tokens reach a repetition "
        "probability of at least 1% in at least 80% of cases for every model.",
        _control,
    ),
    Probe(
        "auroc-se-crosscheck",
        "The analytic (Hanley–McNeil) AUROC standard error agrees with a bootstrap over tokens within a factor 2.",
        _se_crosscheck,
    ),
    Probe("independent-inits", "Models from different seeds start from independent initializations.", _independent),
    Probe(
        "models-learned",
        "Every model's final training loss is below the unigram entropy of its training stream.",
        _learned,
    ),
)
