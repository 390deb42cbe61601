"""Claims and probes of the glitch-tokens study; each claim beside its measure, its contrasts and its quote.

Every indicator claim is scored twice, on tokens never seen in the model's training text and on tokens seen 1 to
``rare_max`` times, each against tokens seen at least ``frequent_count`` times (sets defined in
:mod:`skeptic.studies.glitch_tokens.experiment`). Facts that follow from zero gradients (an untied input row of a
never-seen token stays at init × weight decay) are probes, not claims. Every claim declares contrasts: config
overrides under which the mechanism is absent and the claim must then fail:

* ``feed_never_seen=100``: the tokens the text never contains are fed after all, each in 100 sequences, more than
  the median frequent token occurs (55 times at quick); at 30, the bottom of the frequent range, the input norm still
  ranked them below every frequent token, and at 100 nearly so (AUROC 0.97-1.0), so the untied input-norm claim does
  not declare it (the token-count contrast; claims about never-seen tokens only);
* ``init_std=0.2``: embeddings start ten times larger, so training moves trained rows little relative to their
  start (the review measured the unembedding indicator at chance there). This is a result, not a broken run: every
  probe checks a computation or the setup, none the indicators' quality (``scanner-agrees`` checks that the scanner
  computes the run's numbers, not that its untrained warning stays quiet), so the run is trusted and its indicator
  claims read not_replicated or inconclusive. Measured in session 11: at ``test`` seed
  0 the unembedding AUROC on never-seen tokens falls to 0.47-0.60, the untied input norm to 0.71/0.72, the untied
  centroid to 0.70/0.73 (tied 1.0), verification of candidates to 0.42 (inconclusive), the repetition gap to 0.40
  (inconclusive); at ``quick`` seed 0 the unembedding AUROC is 0.37-0.56 while the untied input norm keeps 0.97/0.99
  and the centroid 0.97-1.0 (the input-norm and centroid failures depend on the preset);
* ``tie_all=True``: the untied arms tie their embeddings, so the input rows of never-seen tokens get the readout's
  push-down (for claims about untied models);
* ``freeze_unseen_readout=True``: the readout rows of never-seen tokens get no gradient, removing the output
  suppression the unembedding indicator detects;
* ``feed_never_seen=100, rare_not_targets=True`` (the count claim): the never-seen tokens are fed while the rarely
  seen ones are never a target, so under-training no longer follows the count in the text;
* ``feed_rare=50`` (the rare-token claims, since session 17): each rarely seen token is written 50 times into the
  text's own sequences, about as often as the median frequent token occurs, at the same number of steps, so few
  gradient updates no longer set the rare tokens apart;
* ``feed_never_seen=100, feed_rare=50`` (the verification claim, since session 17): nothing ordinary is left
  under-trained, so the lowest 2% by the indicator are trained tokens (``feed_never_seen`` alone leaves the rarely
  seen tokens under-trained, and the candidates drawn from them are rightly confirmed);
* ``never_seen_as_targets=30`` (Kosoy's claim): never-seen tokens are targets but never inputs, so their readout rows
  are trained and their input rows stay random: Kosoy's condition alone. (Its twin for the readout row, Land &
  Bartolo's account, is a described measurement since session 16: see the comment at the end of ``CLAIMS``.)

Thresholds that are Skeptic's own, fixed before running, say so and declare the band a careful reader would accept:
an indicator "finds" under-trained tokens at AUROC ≥ 0.9 (band 0.8 to 0.95; Land & Bartolo report no AUROC); "most"
candidates verified means at least half (band 0.4 to 0.7); "largely incapable of repeating" means a gap of at least
30 points (band 20 to 50). The verification threshold (maximal repetition probability < 1%) is Land & Bartolo's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skeptic.study import (
    AllAtLeast,
    AtLeast,
    Claim,
    Contrast,
    Estimate,
    Increasing,
    Measurements,
    NotRun,
    Probe,
    ProbeOutcome,
    Quote,
    wilson_interval,
)

AUROC_BAR = 0.9
AUROC_BAND = (AllAtLeast(0.8), AllAtLeast(0.95))
MOST = 0.5
REPEAT_GAP = 0.3
CONTROL_PASS = 0.8
RESTORED_SHARE = 0.5

RW = "Rumbelow & Watkins 2023, SolidGoldMagikarp (plus, prompt generation), LessWrong"
RW2 = "Rumbelow & Watkins 2023, SolidGoldMagikarp II: technical details and more recent findings, LessWrong"
LB = "Land & Bartolo 2024, Fishing for Magikarp (arXiv 2405.05417)"
LB_LOC = "arXiv 2405.05417 (version not shown by the rendering the words were read from)"
KOSOY = "Kosoy, review of 'SolidGoldMagikarp (plus, prompt generation)' (LessWrong 2023 Review)"

Q_LB_SUPPRESSION = Quote(
    "Specifically, the training loss is minimized when the probability of unused tokens is predicted as zero, "
    "regardless of the input, making their logits converge towards −∞. The model can achieve such an "
    "input-independent prediction by a constant vector in the residual stream, and the negative of this vector in "
    "rows of the unembedding matrix, resulting in a constant negative contribution to the logit values of unused "
    "tokens.",
    f"{LB_LOC}, §2.2 Indicators for detecting under-trained tokens",
)
Q_LB_ABSTRACT = Quote(
    "Although such `glitch tokens', tokens present in the tokenizer vocabulary but that are nearly or entirely absent "
    "during model training, have been observed across various models, a reliable method to identify and address them "
    "has been missing.",
    "Land & Bartolo 2024, abstract, second sentence (EMNLP 2024 proceedings pp. 11631-11646, words read from the "
    "authors' BibTeX at maxbartolo.com/publication/2024-magikarp; the same sentence on a mirror of the arXiv "
    "2405.05417 abstract, arXiv version not shown)",
)
Q_LB_INPUT_NORM = Quote.unverified(
    f"{LB_LOC}, §2.2 (the indicator for models with untied embeddings)",
    note="the rendering retrieved stops before the list of indicators; the sentence naming the input-embedding "
    "norm could not be read (tried again in session 9: the cohere-ai/magikarp repository holds code and reports but "
    "no paper text, and no stored rendering of arXiv 2405.05417 §2.2 past the suppression paragraph was found; "
    "session 11: the stored pages and code searched again for the §2.2 indicator sentence, only secondary summaries "
    "of the magikarp code (DeepWiki, reviews) found, whose words are not the paper's; session 13: the stored "
    "HackerNoon rendering of §2.2-2.3 drops the list after 'we can find unused tokens from the unembedding weights as "
    "follows:' and goes on with §2.3, so the indicator list and the untied-model sentence are missing there; "
    "exact-string searches of the stored repositories for §2.2's wording ('model architecture-dependent indicators', "
    "'constant negative contribution to the logit') found no copy of the paper; the page searches found no arXiv "
    "HTML, ar5iv or ACL Anthology rendering past the abstract; session 14: a snapshot of cohere-ai/magikarp could "
    "not be fetched (1.5 GB, over the 0.5 GB limit), and its stored file list holds no LaTeX source (no .tex file), "
    "its README only the paper's title and arXiv link; the page corpus returned the same HackerNoon rendering "
    "(§2.2 ends at 'as follows:'), DeepWiki and review summaries of the code, the ACL Anthology page and a reader's "
    "notes page (both the abstract only), and no arXiv HTML; exact-string "
    "searches of the stored repositories for 'unused tokens from the unembedding weights' found nothing; session 16: "
    "the page corpus again returned only that HackerNoon rendering (§2.2 ending at 'as follows:'), DeepWiki pages on "
    "the magikarp code and review summaries; the stored magikarp README holds the paper's title, arXiv link and usage "
    "notes, no paper text; an exact-string search for 'we find that the input embedding norm' found nothing; session "
    "17: page searches for the arXiv HTML rendering (arxiv.org/html/2405.05417) and a documentation search returned "
    "the Hugging Face papers page (the abstract only), the magikarp README and review summaries, no text of §2.2; an "
    "exact-string search of the stored repositories for 'unembedding matrix, resulting in a constant' (§2.2's own "
    "words) found no copy of the paper)",
)
Q_LB_VERIFY = Quote(
    "we verify all tokens which rank among the most likely 2% according to the chosen indicator, excluding partial "
    "UTF-8 sequences and unreachable tokens.",
    f"{LB_LOC}, §2.3 Verification of candidate tokens",
)
Q_RW_CENTROID = Quote(
    "Our hypothesis that the anomalous tokens that kept showing up as the nearest tokens to the centroids of such "
    "clusters were the tokens closest to the overall centroid of the token set turned out to be correct for "
    "GPT2-small and GPT-J. However, the opposite was true for GPT2-xl, where the anomalous tokens tend to be found "
    "as far as possible from the overall centroid.",
    f"{RW2}, section 'Distance-from-centroid hypothesis' (words read from the post's Nonlinear Library transcript)",
)
# Rumbelow & Watkins's own sentence ("GPT models seem largely incapable of repeating these anomalous tokens") is known
# here only as another post quotes it (Robert_AIZI 2023): the post's section 'Anomalous tokens' lies past the opening
# that the stored copy of the post reaches (sessions 9, 11 and 13: its GreaterWrong rendering returns the TL;DR and the
# start of 'Prompt generation'; exact-string searches of the stored repositories for the sentence and for the TL;DR's
# 'which reliably insulted Matthew' find only a page quoting the sentence, no copy of the post). The words below are
# co-author Matthew Watkins's, on the same finding, read (issue 33's quote session) in the stored lesswrong.com and
# greaterwrong.com renderings of his post grY9uSDoLBuen9py4 (the author is the one who, with Jessica Rumbelow, "stumbled
# upon" the tokens, and the 2023 post names its authors as Rumbelow and Watkins).
Q_WATKINS_REPEAT = Quote(
    "One of the strangest moments of my life occurred one Tuesday afternoon in mid-January 2023 when sitting at my "
    "laptop in the SERI-MATS office in London, testing various anomalous tokens which GPT-3 seemed curiously unable "
    "to repeat.",
    "Watkins 2024, '′ petertodd’’s last stand: The final days of open GPT-3 research' (LessWrong, "
    "lesswrong.com/posts/grY9uSDoLBuen9py4), section 'Rewind: SERI-MATS 2.0', first sentence",
)
# Kosoy's words, read (issue 33's quote session, 2026-12-07) in the stored GreaterWrong rendering of the review
# comment, greaterwrong.com/posts/aPeJE8bSo6rAFoLqg/solidgoldmagikarp-plus-prompt-generation/comment/dkx8uYbr43tPipidx
# (a faithful rendering of the LessWrong comment). The excerpt returned starts at the comment's first sentence and does
# not show the commenter's name: the attribution to Vanessa Kosoy is issue 30's.
Q_KOSOY = Quote(
    "While non-obvious when discovered, we now understand the mechanism. The tokenizer created some tokens which were "
    "very rare or absent in the training data. As a result, the trained model mapped those tokens to more or less "
    "random features.",
    f"{KOSOY}: the review comment dkx8uYbr43tPipidx on post aPeJE8bSo6rAFoLqg, second paragraph (words read from its "
    "GreaterWrong rendering; the commenter's name is issue 30's attribution, not shown in the excerpt read)",
)

FED = Contrast(
    "never-seen-fed",
    {"feed_never_seen": 100},
    "not_replicated",
    "the tokens the text never contains are fed in 100 sequences each, more than the median frequent token occurs, "
    "so nothing is left under-trained",
)
LARGE_INIT = Contrast(
    "init-std-0.2",
    {"init_std": 0.2},
    "not_replicated",
    "embeddings start ten times larger, so training moves the trained rows little relative to their start",
)
UNSUPPRESSED = Contrast(
    "readout-not-suppressed",
    {"freeze_unseen_readout": True},
    "not_replicated",
    "the readout rows of never-seen tokens get no gradient, so no shared push-down exists to detect",
)
TIED = Contrast(
    "untied-arms-tied",
    {"tie_all": True},
    "not_replicated",
    "the untied arms tie their embeddings, so never-seen input rows receive the readout's push-down",
)
COUNT_DECOUPLED = Contrast(
    "count-decoupled",
    {"feed_never_seen": 100, "rare_not_targets": True},
    "not_replicated",
    "the never-seen tokens are fed 100 times each while the rarely seen ones are never a target, so under-training "
    "no longer follows the count in the text (measured at test seed 0: 0, 0.52, 0 verified under-trained for 0, "
    "1–3 and ≥ 4 occurrences, a clear reversal)",
)
RARE_FED = Contrast(
    "rare-fed",
    {"feed_rare": 50},
    "not_replicated",
    "each rarely seen token is written 50 times into the text's own sequences (about as often as the median frequent "
    "token occurs: 33 times at test, 55 at quick), at the same number of sequences and steps, so its rows get as many "
    "gradient updates as a frequent token's and nothing keeps them near their start or the centroid",
)
NOTHING_UNDERTRAINED = Contrast(
    "never-seen-and-rare-fed",
    {"feed_never_seen": 100, "feed_rare": 50},
    "not_replicated",
    "the never-seen tokens are fed in 100 extra sequences each and the rarely seen ones written 50 times into the "
    "text's own sequences, so no ordinary token is left under-trained and the lowest 2% by the indicator are trained "
    "tokens that a model repeats (never-seen-fed alone leaves the rarely seen tokens under-trained, and candidates "
    "drawn from them are rightly confirmed)",
)
AS_TARGETS_REPLICATED = Contrast(
    "readout-trained-input-random",
    {"never_seen_as_targets": 30},
    "replicated",
    "never-seen tokens become targets but never inputs: readout rows trained, input rows left random (Kosoy's "
    "condition without output suppression), so the input row is what a restoration must supply",
)


# ---------------------------------------------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------------------------------------------


def variant_names(m: Measurements) -> list[str]:
    """The variants in the order they were trained (each may have several seeds)."""
    return list(dict.fromkeys(mm["variant"] for mm in m["models"]))


def _models(m: Measurements, name: str, arm: str | None) -> list[dict[str, Any]]:
    return [mm for mm in m["models"] if mm["variant"] == name and (arm is None or mm.get("arm") == arm)]


def auroc_per_variant(m: Measurements, key: str, group: str = "never", arm: str | None = None) -> list[Estimate]:
    """Each variant's AUROC of indicator ``key`` for token set ``group`` against frequent tokens: the Hanley–McNeil
    95% interval over tokens, widened to cover every seed of the variant."""
    out = []
    for name in variant_names(m):
        ms = _models(m, name, arm)
        if not ms:
            continue
        vals = [mm["auroc"][group][key]["auroc"] for mm in ms]
        ses = [mm["auroc"][group][key]["se"] for mm in ms]
        mean, se = float(np.mean(vals)), float(np.mean(ses))
        lo = min(mean - 1.96 * se, min(vals))
        hi = min(max(mean + 1.96 * se, max(vals)), 1.0)
        out.append(Estimate(mean, max(lo, 0.0), hi, f"Hanley–McNeil 95% over tokens, {len(ms)} seed(s): {name}"))
    return out


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
    """Greedy repetition rate of frequent (control) tokens minus that of never-seen tokens, pooled over models; the
    interval combines the two Wilson intervals conservatively."""
    n_models = len(m["models"])
    ctrl = [t["repeated"][k] for t in m["tokens"] if t["control"] for k in range(n_models)]
    zero = [t["repeated"][k] for t in m["tokens"] if t["occurrences"] == 0 for k in range(n_models)]
    a, b = _rate(ctrl), _rate(zero)
    return Estimate(a.value - b.value, a.lo - b.hi, a.hi - b.lo, "difference of Wilson 95% intervals")


COUNT_BINS = ((0, 0), (1, 3), (4, 10**9))
"""Three bins of occurrences: never, 1–3, at least 4 (finer bins above 3 all sit at 0% verified, and a run of
equal zeros is no decrease)."""


def verified_by_count(m: Measurements) -> list[Estimate]:
    """Fraction verified under-trained (maximal repetition probability < 1%) among the verified tokens with 0, 1–3
    and ≥ 4 occurrences in the training text, pooled over models (a bin without tokens is left out)."""
    n_models = len(m["models"])
    out = []
    for lo, hi in COUNT_BINS:
        flags = [
            t["max_prob"][k] < m["threshold"]
            for t in m["tokens"]
            if lo <= t["occurrences"] <= hi
            for k in range(n_models)
        ]
        if flags:
            out.append(_rate(flags))
    return out


def restored_share(m: Measurements, side: str) -> Estimate:
    """Of the repetition that training both rows of the never-seen tokens restores, the share that training the
    ``side`` row alone restores (every other weight fixed): ``(r_side − r_none) / (r_both − r_none)``, with an
    interval from the Wilson intervals of the rates."""
    g = m["graft"]
    rates = g.get("rates", {})
    if not rates:
        raise NotRun("no untied model was trained (tie_all), so input and readout rows cannot be restored apart")
    if rates["none"] > 0.1 or rates["both"] - rates["none"] < 0.3:  # the arm must work before its split means anything
        return Estimate(
            float("nan"),
            float("nan"),
            float("nan"),
            f"undefined: the never-seen tokens are repeated {rates['none']:.0%} as trained and "
            f"{rates['both']:.0%} with both rows restored (need ≤ 10% and 30 points more)",
        )
    n = g["tokens"] * g["n_models"]
    r_in = wilson_interval(round(rates[side] * n), n)
    r_both = wilson_interval(round(rates["both"] * n), n)
    base = rates["none"]
    value = (rates[side] - base) / (rates["both"] - base)
    lo = max((r_in[1] - base) / max(r_both[2] - base, 1e-9), 0.0)
    hi = min((r_in[2] - base) / max(r_both[1] - base, 1e-9), 1.0) if r_both[1] > base else 1.0
    return Estimate(value, min(lo, value), max(hi, value), f"Wilson 95% over {n} token-model pairs per restoration")


def input_restores_share(m: Measurements) -> Estimate:
    """The share of the full restoration that training the input row alone gives (Kosoy's account)."""
    return restored_share(m, "input")


def output_restores_share(m: Measurements) -> Estimate:
    """The share of the full restoration that training the readout row alone gives (output suppression)."""
    return restored_share(m, "output")


# ---------------------------------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------------------------------


def _auroc_claim(
    cid: str, statement: str, source: str, quote: Quote, key: str, group: str, arm: str | None, contrasts: Any
) -> Claim:
    return Claim(
        id=cid,
        statement=statement,
        source=source,
        measure=lambda m: auroc_per_variant(m, key, group, arm),
        expect=AllAtLeast(AUROC_BAR),
        own_threshold="the source reports no AUROC; 0.9 is Skeptic's bar, fixed before running",
        band=AUROC_BAND,
        quote=quote,
        contrasts=contrasts,
        confirmed_by="claims-recomputed",
    )


CLAIMS = (
    _auroc_claim(
        "input-norm-finds-never-seen-untied",
        "In models with untied embeddings, the norm of the input embedding ranks tokens never seen in training below "
        "frequent ones (Skeptic's threshold: AUROC ≥ 0.9 in both untied arms).",
        f"{LB}, §2.2 (the input-embedding norm as the indicator for untied models)",
        Q_LB_INPUT_NORM,
        "input_norm",
        "never",
        "untied",
        # not FED: fed 100 times each, in random positions of unrelated text, the never-seen tokens' input norms
        # still rank below nearly every frequent token's (AUROC 0.99/0.97 at test, 1.0/0.99 at quick, seed 0): feeding
        # in random contexts gives little consistent gradient, so the count contrast does not remove what the input
        # norm reads
        (LARGE_INIT, TIED),
    ),
    _auroc_claim(
        "input-norm-finds-rare-untied",
        "In models with untied embeddings, the norm of the input embedding ranks tokens seen only 1 to 10 times "
        "below frequent ones (Skeptic's threshold: AUROC ≥ 0.9 in both untied arms). 'Rare' is a count in the whole "
        "training stream, and the larger budget is more fresh text in which these tokens stay rare. Since session 16 "
        "the rare set holds planted words seen 1 to rare_max times besides the text's own rare tokens, so it keeps "
        "15-17 tokens with four times the text at test (3-6 before, most natural rare tokens becoming frequent in a "
        "longer text). Session 15's inconclusive at test seed 0 (0.93/1.00 on 15 rare tokens) was the small set: the "
        "same setting with the planted rare words reads 0.98/0.97 on 25 (planted 0.99/0.96, natural 0.97/0.98); at "
        "test (twice the text since session 16) seeds 0-2 read ≥ 0.99 and four times that text 1.0 in both arms. "
        "Four times the passes over the same text instead multiplies their counts and erases what is claimed (test "
        "seed 0, session 14: 0.93/1.00 at 3 passes, 0.59/0.51 at 24).",
        f"{LB}, §2.2 and the abstract ('nearly or entirely absent during model training')",
        Q_LB_INPUT_NORM,
        "input_norm",
        "rare",
        "untied",
        # RARE_FED since session 17 (declared after a run showed it flipping this claim as well: test seed 0, 0.71/0.73)
        (LARGE_INIT, TIED, RARE_FED),
    ),
    _auroc_claim(
        "unembedding-indicator-finds-never-seen",
        "The unembedding indicator (cosine distance to the mean known-unused readout row, first principal component "
        "removed) ranks tokens never seen in training below frequent ones in every arm (Skeptic's threshold: AUROC "
        "≥ 0.9). On the session-15 test text the push-down of never-target rows was still building up (seed 0: 0.97, "
        "0.93, 0.99, 0.99, inconclusive, and 0.91, 0.93, 0.99, 0.99 with session 16's planted rare words: the "
        "untied arms' values, not the 21 tokens, are short of the bar), while four times that text read 1.0 in every "
        "arm, so the test setting trains on twice that text since session 16 (every arm ≥ 0.99 at seeds 0-2; 1.0 with "
        "four times it), as 6, 12 and 24 passes did before.",
        f"{LB}, §2.2 (unused tokens' logits pushed down by one shared vector in the unembedding rows)",
        Q_LB_SUPPRESSION,
        "unembedding_cosine",
        "never",
        None,
        (FED, LARGE_INIT, UNSUPPRESSED),
    ),
    # The unembedding indicator on rarely seen tokens is a described measurement (the brief reports its AUROC), not a
    # claim, since session 14: read against frequent tokens it was not_replicated at test (0.29-0.40 at seed 0, the same
    # at seeds 1-2 and at four times the passes) and no contrast within reach could make it come out replicated in
    # every arm. The contrast that adds its mechanism, rarely seen tokens never a target (``rare_not_targets``: their
    # readout rows get the push-down alone), lifts the untied arms to 0.96/0.96 at test's 3 passes and 1.0/1.0 at 12,
    # but the tied arms stay at 0.25/0.17 and 0.50/0.75: a tied row is also the token's input vector, trained at each
    # occurrence, which hides the push-down. At the quick setting four times the passes did lift every arm to
    # 0.96-0.99 (session 9), so what it reads depends on the budget as well.
    _auroc_claim(
        "closest-to-centroid-never-seen",
        "Tokens never seen in training are the ones closest to the centroid of all input embeddings, in every arm "
        "(Skeptic's threshold: AUROC of closeness ≥ 0.9).",
        f"{RW2}, section 'Distance-from-centroid hypothesis' (true for GPT-2 small and GPT-J, opposite for GPT-2 xl)",
        Q_RW_CENTROID,
        "centroid_distance",
        "never",
        None,
        (FED, LARGE_INIT),
    ),
    _auroc_claim(
        "closest-to-centroid-rare",
        "Tokens seen only 1 to 10 times are closer to the centroid of all input embeddings than frequent ones, in "
        "every arm (Skeptic's threshold: AUROC of closeness ≥ 0.9). 'Rare' is a count in the whole training stream, "
        "and the larger budget is more fresh text in which these tokens stay rare; since session 16 planted words "
        "seen 1 to rare_max times keep the set at 15-17 tokens with four times the text at test (3-6 before). "
        "Session 15's inconclusive at test seed 0 (0.94, 1, 1, 1 on 15 rare tokens) was the small set: with the "
        "planted rare words the same setting reads 0.98, 0.98, 1, 1 on 25; at test (twice the text since session 16) "
        "seeds 0-2 and with four times that text every arm reads ≥ 0.99. Four times the passes over the same text "
        "instead multiplies their counts.",
        f"{RW2}, section 'Distance-from-centroid hypothesis'",
        Q_RW_CENTROID,
        "centroid_distance",
        "rare",
        None,
        # RARE_FED since session 17: LARGE_INIT alone read inconclusive at test seed 0 on session 16's text (untied
        # 0.83/0.80, tied 1.0), so no contrast flipped the claim
        (LARGE_INIT, RARE_FED),
    ),
    Claim(
        id="verification-confirms-candidates",
        statement="Most of the tokens each model's main indicator ranks as most under-trained (the lowest 2% of "
        "ordinary tokens) are confirmed by prompting: the model gives them a maximal repetition probability below 1% "
        "(Skeptic's threshold for 'most': at least half).",
        source=f"{LB}, §2.3 (verification of the lowest 2%, threshold 1%)",
        measure=verified_candidates,
        expect=AtLeast(MOST),
        own_threshold="'most' read as at least half is Skeptic's; the 2% and the 1% repetition threshold are the "
        "paper's",
        band=(AtLeast(0.4), AtLeast(0.7)),
        quote=Q_LB_VERIFY,
        # not LARGE_INIT: at init_std=0.2 the share falls to 0.42 [0.19, 0.68] at test and 0.60 [0.39, 0.78] at quick
        # (seed 0), inconclusive both times, so the larger start weakens this claim without removing its mechanism
        # (the brief states it as the initialization-scale result)
        # NOTHING_UNDERTRAINED since session 17: FED alone read 0.33 [0.14, 0.61] (inconclusive) at test seed 0 on
        # 12 token-model pairs, because it leaves the rarely seen tokens under-trained
        contrasts=(FED, NOTHING_UNDERTRAINED),
        confirmed_by="claims-recomputed",
    ),
    Claim(
        id="glitch-tokens-not-repeated",
        statement="Asked to repeat a token it never saw in training, the model largely fails: its greedy output is "
        "that token far less often than for frequent tokens (Skeptic's threshold: a gap of at least 30 points).",
        source=f"{RW}, section 'Anomalous tokens' (the sentence 'GPT models seem largely incapable of repeating these "
        "anomalous tokens', as another post quotes it; the post's own text was not retrieved); quoted: co-author "
        "Watkins 2024 on the same finding",
        measure=repeat_gap,
        expect=AtLeast(REPEAT_GAP),
        own_threshold="'largely incapable' has no number; a 30-point gap is Skeptic's line",
        band=(AtLeast(0.2), AtLeast(0.5)),
        quote=Q_WATKINS_REPEAT,
        contrasts=(FED,),
        confirmed_by="claims-recomputed",
    ),
    Claim(
        id="undertraining-falls-with-count",
        statement="Tokens nearly absent from training are under-trained too, and less so the more often they occur: "
        "the fraction verified under-trained falls as the count in the training text rises through 0, 1–3 and ≥ 4. "
        "The bins are counts in the whole training stream, and the larger budget is more fresh text in which they "
        "stay what they are (session 15; test seeds 0-2: a middle bin of 0.53, 0.40, 0.45 with the test text, 0.25, "
        "0.29, 0.50 with four times it, replicated each time). Four times the passes over the same text instead "
        "multiplies every count, and tokens seen 1–3 times are then repeated nearly like frequent ones (test seed 0: "
        "1, 0.53, 0 at 3 passes; 1, 0, 0 at 12, inconclusive).",
        source=f"{LB}, abstract (glitch tokens are 'nearly or entirely absent during model training')",
        measure=verified_by_count,
        expect=Increasing(decreasing=True),
        quote=Q_LB_ABSTRACT,
        # not FED alone: feeding the never-seen tokens (1100 extra sequences at test) also trains everything longer,
        # so the rarely seen tokens are repeated too and the bins read 0, 0.03, 0 (inconclusive, no reversal)
        contrasts=(COUNT_DECOUPLED,),
        confirmed_by="claims-recomputed",
    ),
    Claim(
        id="random-input-features-explain-failure",
        statement="Kosoy's account: a never-seen token fails because the model maps it to more or less random "
        "features. Then training its input row alone, every other weight fixed, should restore most of the repetition "
        "that training both its rows restores (Skeptic's threshold: at least half), in the untied models where input "
        "and readout rows can be restored apart.",
        source=f"{KOSOY}; against it, {LB}, §2.2 (a constant negative contribution to unused tokens' logits)",
        measure=input_restores_share,
        expect=AtLeast(RESTORED_SHARE),
        own_threshold="'explains' read as at least half of the full restoration is Skeptic's line",
        band=(AtLeast(0.3), AtLeast(0.7)),
        quote=Q_KOSOY,
        contrasts=(AS_TARGETS_REPLICATED,),
        confirmed_by="claims-recomputed",
    ),
    # Land & Bartolo's account as a twin of Kosoy's ("readout-row-explains-failure": training the never-seen tokens'
    # readout rows alone should restore at least half of the repetition that training both rows restores) is a
    # described measurement since session 16 (the brief reports the share), not a claim: it cannot fail in this design.
    # With the 80-step restoration its contrast flipped it (never-seen tokens the target of 100 sequences, so their
    # readout rows are trained and their input rows random: 0.03 at test seed 0), but the share itself was still
    # rising there (test with twice the text, seeds 1 and 2: 0.50 and 0.43 after 80 steps, 0.74 and 0.79 after 160,
    # 0.76 and 0.93 after 320; the 'both' arm restores every token within 80). With the restoration long enough to
    # settle it (320 steps), the same contrast reads 0.75 [0.59, 0.95], replicated: a readout row trained alone learns
    # to read whatever a random input row produces, so restoring it says nothing about whether it was the cause. Before
    # (sessions 11-15): seed-dependent at quick (0.93, 0.36, 0.28 at seeds 0-2 with its 60-step restoration) and
    # falling with longer training at a fixed restoration (test seed 0: 1.0 at 3 and 6 passes, 0.50 at 12, 0.14 at 24).
)


# ---------------------------------------------------------------------------------------------------------------
# Probes
# ---------------------------------------------------------------------------------------------------------------


def _counts_recount(m: Measurements) -> ProbeOutcome:
    counts, recount = np.asarray(m["counts"]), np.asarray(m["recount"])
    extra = np.asarray(m.get("extra_counts", np.zeros_like(counts)))
    mask = np.ones(counts.size, bool)
    mask[m["special"]] = False
    expect = m["copies"] * m["epochs"] * recount + m["epochs"] * extra
    bad = np.flatnonzero(mask & (counts != expect))
    return ProbeOutcome(
        bad.size == 0,
        f"{bad.size} of {int(mask.sum())} tokens differ between the batches' counts and {m['copies']}·epochs × the "
        "recount from the raw text (plus the contrast's extra sequences)"
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


def _token_sets(m: Measurements) -> ProbeOutcome:
    n = {"never": m["n_never"], "rare": m["n_rare"], "frequent": m["n_frequent"]}
    ok = n["never"] >= 3 and n["rare"] >= 3 and n["frequent"] >= 20
    vocab = m["corpus"]["vocab_size"]
    return ProbeOutcome(
        ok,
        f"ordinary tokens never seen {n['never']} ({n['never'] / vocab:.1%} of the vocabulary), seen 1 to "
        f"{m['rare_max']} times {n['rare']}, frequent {n['frequent']} (need ≥ 3, ≥ 3, ≥ 20: every AUROC needs both "
        f"classes); byte tokens never seen, counted apart: {m['byte_tokens_never_seen']}",
    )


def _untouched_rows(m: Measurements) -> ProbeOutcome:
    errs = [mm["untouched_rel_error"] for mm in m["models"] if not mm["tied"]]
    errs = [e for e in errs if e == e]  # NaN when every token was fed
    ratios = [mm["init_norm_ratio"] for mm in m["models"]]
    ok = (not errs or max(errs) <= 1e-4) and all(0.9 <= r <= 1.1 for r in ratios)
    worst = f"{max(errs):.1e}" if errs else "n/a (no untied model, or every token fed)"
    return ProbeOutcome(
        ok,
        f"untied models: input rows never fed differ from init × Π(1 − η_t λ) by ≤ {worst} (relative, tolerance "
        f"1e-4); initial row norms / (σ√d) = {min(ratios):.3f}…{max(ratios):.3f} (expected 1 ± 0.1)",
    )


def _known_answer(m: Measurements) -> ProbeOutcome:
    k = m["known_answer"]
    exact = all(v == 1.0 for v in k["aurocs"].values())
    same = all(abs(k["aurocs"][key] - k["aurocs_permuted"][key]) < 1e-9 for key in k["aurocs"])
    verified = k["verified_known"] == [True, False, False] and np.allclose(
        k.get("known_probs", []), [0.005, 0.05, 0.5], rtol=1e-5, atol=0
    )
    alphabet = k.get("byte_alphabet_errors", -1)
    return ProbeOutcome(
        exact and same and verified and alphabet == 0,
        "indicators on a constructed matrix whose 15 shrunken, co-moving rows must rank below all others: AUROC "
        + ", ".join(f"{key} {v:.3f}" for key, v in k["aurocs"].items())
        + f" (need exactly 1); the same after shuffling the rows: {same}; repetition probabilities 0.5%, 5%, 50% "
        f"read back as {[round(p, 5) for p in k.get('known_probs', [])]} and verified as under-trained: "
        f"{k['verified_known']} (need those three and only the first verified, at the paper's 1%); the byte "
        f"alphabet against the tokenizers library's: {alphabet} mismatches (need 0)",
    )


def _architecture(m: Measurements) -> ProbeOutcome:
    wrong = [mm["variant"] for mm in m["models"] if (mm["readout_minus_embedding"] == 0.0) != mm["tied"]]
    scan_wrong = [s["variant"] for s in m["scan"] if s["tied_detected"] != s["tied"]]
    return ProbeOutcome(
        not wrong and not scan_wrong,
        f"{len(wrong)} models whose readout/embedding equality contradicts their declared tying; the scanner detects "
        f"tying wrongly in {len(scan_wrong)} saved checkpoints",
    )


UNTRAINED_STATS = ("norm_cv", "top_eigen_ratio")


def _untrained_stats(u: dict[str, Any]) -> list[float]:
    return [u[k] for k in UNTRAINED_STATS] + ([u["readout"][k] for k in UNTRAINED_STATS] if u.get("readout") else [])


def _scanner(m: Measurements) -> ProbeOutcome:
    """Agreement of computations, never of quality: the scanner on the saved files must compute what the run computed
    on the same weights (indicators, reference set, tying, main indicator, the untrained check's statistics and
    warning). Whether the warning fires on a trained model is a result about the scanner (see the brief), not a
    condition of trust: a run where it fires (``init_std=0.2``, untied) is reported, not hidden."""
    worst = max(s["max_abs_diff"] for s in m["scan"])
    same_ref = all(s["reference"] == m["reference"] for s in m["scan"])
    first = {mm["variant"]: mm for mm in reversed(m["models"])}
    main_differs = [s["variant"] for s in m["scan"] if s["main_indicator"] != first[s["variant"]]["main_indicator"]]
    check_differs = []
    for s in m["scan"]:
        run_check = first[s["variant"]]["untrained_check"]
        a, b = _untrained_stats(s["untrained"]), _untrained_stats(run_check)
        if (
            len(a) != len(b)
            or not all(_close(x, y, 1e-6 * max(abs(y), 1.0)) for x, y in zip(a, b, strict=True))
            or s["looks_untrained"] != run_check["looks_untrained"]
        ):
            check_differs.append(s["variant"])
    warned = [s["variant"] for s in m["scan"] if s["looks_untrained"]]
    return ProbeOutcome(
        worst <= 1e-5 and same_ref and not main_differs and not check_differs,
        f"scanning the saved safetensors checkpoints reproduces the in-run indicators to {worst:.1e} (tolerance "
        f"1e-5); same reference set: {same_ref}; models whose candidates come from another indicator than the scanner "
        f"picks: {main_differs or 'none'}; untrained-check statistics and warning differing from the run's on the "
        f"same weights: {check_differs or 'none'} (the scanner's untrained warning fires on: {warned or 'none'}, "
        "a result, not a condition of trust)",
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
    k = m["known_answer"]
    a, b = k["se_analytic"], k["se_bootstrap"]
    ok = b > 0 and 0.67 <= a / b <= 1.5 and abs(k["se_auroc"] - 0.760) < 0.12
    return ProbeOutcome(
        ok,
        f"two normal samples (100 vs 1000, true AUROC 0.760, measured {k['se_auroc']:.3f}): Hanley–McNeil SE {a:.4f} "
        f"vs bootstrap {b:.4f} (must agree within a factor 1.5; a case away from AUROC 1, where both would be 0)",
    )


def _graft_control(m: Measurements) -> ProbeOutcome:
    g = m["graft"]
    r = g.get("rates", {})
    if not r:  # nothing to check, and the claim that reads it gets no verdict (NotRun)
        return ProbeOutcome(True, "the graft experiment did not run: no untied model (tie_all) or no never-seen token")
    restorable = r["none"] <= 0.1  # otherwise nothing is left to restore (a contrast fed them) and the claim is NaN
    return ProbeOutcome(
        not restorable or r["both"] >= 0.3,
        f"never-seen tokens repeated (max prob ≥ 1%) by the untied models as trained: {r['none']:.0%}; after training "
        f"both their rows alone (each token fed ≥ {g['seen']} times, every other weight fixed): {r['both']:.0%} (need "
        "≥ 30% where the model as trained is ≤ 10%: restoring both rows must restore repetition before a one-sided "
        "restoration means anything)",
    )


def _independent(m: Measurements) -> ProbeOutcome:
    c = m["init_correlation"]
    return ProbeOutcome(c < 0.05, f"largest |correlation| between two models' initial embeddings: {c:.3f} (< 0.05)")


def _targets_as_declared(m: Measurements, config: Any) -> ProbeOutcome:
    """Target positions left out of the loss, as the config declares: none unless ``rare_not_targets``, and then at
    least every stuttered copy of every rarely seen token's occurrences in the text, in every pass."""
    skipped = int(m.get("untargeted_positions", 0))
    occ = np.asarray(m["recount"])
    rare = np.asarray(m["sets"]["rare"], dtype=np.int64)
    floor = int(m["epochs"] * (m["copies"] - 1) * occ[rare].sum()) if config.rare_not_targets else 0
    ok = skipped >= max(floor, 1) if config.rare_not_targets else skipped == 0
    return ProbeOutcome(
        ok,
        f"{skipped} target positions left out of the loss; declared: "
        + (
            f"rarely seen tokens never a target, so at least {floor} (each of their {int(occ[rare].sum())} "
            f"occurrences' {m['copies'] - 1} stuttered copies × {m['epochs']} passes)"
            if config.rare_not_targets
            else "none (every position is a target)"
        ),
    )


def _feeds_as_declared(m: Measurements, config: Any) -> ProbeOutcome:
    """The contrasts' feeds, from the batches' counts: with ``feed_rare``, every rarely seen token is an input at least
    ``COPIES · feed_rare`` times per pass (each write puts it in a chunk position and both stuttered copies, and no
    sequence is written twice); without ``feed_never_seen``, no never-seen token is ever an input."""
    counts = np.asarray(m["counts"], dtype=np.int64)
    per_pass = counts // m["epochs"]
    rare = np.asarray(m["sets"]["rare"], dtype=np.int64)
    never = np.asarray(m["sets"]["never"], dtype=np.int64)
    problems = []
    if config.feed_rare and rare.size:
        floor = m["copies"] * config.feed_rare
        short = rare[per_pass[rare] < floor]
        if short.size:
            problems.append(f"{short.size} of {rare.size} rarely seen tokens under {floor} inputs per pass")
    if not config.feed_never_seen and never.size and counts[never].any():
        problems.append(f"{int(np.count_nonzero(counts[never]))} never-seen tokens are inputs though none is fed")
    rare_txt = (
        f"rarely seen tokens fed {config.feed_rare} times, at least {m['copies'] * config.feed_rare} inputs per pass "
        f"(fewest: {int(per_pass[rare].min()) if rare.size else 0})"
        if config.feed_rare
        else "rarely seen tokens not fed"
    )
    never_txt = "never-seen tokens fed" if config.feed_never_seen else "never-seen tokens never an input"
    return ProbeOutcome(
        not problems, f"declared: {rare_txt}; {never_txt}: " + ("as declared" if not problems else "; ".join(problems))
    )


def _learned(m: Measurements) -> ProbeOutcome:
    losses = [mm["final_loss"] for mm in m["models"]]
    h = m["unigram_entropy"]
    return ProbeOutcome(
        max(losses) < h,
        f"final training loss {min(losses):.2f}…{max(losses):.2f} nats vs the unigram entropy {h:.2f} nats of the "
        "training stream (a model that learned nothing would sit at or above it)",
    )


PROBES: tuple[Probe, ...] = (
    Probe(
        "counts-recount",
        "Every token's training count, accumulated from the batches actually fed, equals 3·epochs × its count "
        "recomputed independently from the raw text with the saved tokenizer.",
        _counts_recount,
    ),
    Probe(
        "planted-counts",
        "The planted words are single tokens and occur in the training text exactly as often as planted (0, 1, 3, "
        "10, 30, and 1 to rare_max for the rarely seen set's own words): the ground truth is what it claims to be.",
        _planted,
    ),
    Probe(
        "reference-unused",
        "The known-unused reference set is unused by construction (reserved tokens, bytes invalid in UTF-8), never "
        "fed to the model, and absent from the training text.",
        _reference,
    ),
    Probe(
        "token-sets-populated",
        "Never-seen, rarely seen and frequent ordinary tokens all exist in numbers an AUROC can use.",
        _token_sets,
    ),
    Probe(
        "indicators-known-answer",
        "The indicator and AUROC code ranks constructed under-trained rows (shrunken, moved by one shared vector) "
        "below all others, exactly, whatever the row order; verification classifies known repetition probabilities "
        "at the paper's 1%; the hand-written byte alphabet (byte tokens, the invalid-UTF-8 reference set) is the "
        "tokenizers library's.",
        _known_answer,
    ),
    Probe(
        "untouched-rows-exact",
        "A row that receives no gradient moves only by weight decay: untied input rows of tokens never fed equal "
        "init × Π(1 − η_t λ); and the initialization has the declared scale.",
        _untouched_rows,
    ),
    Probe(
        "architecture-as-declared",
        "Tied models read out with their input embedding and untied ones do not; the scanner recognizes which is "
        "which from the saved files.",
        _architecture,
    ),
    Probe(
        "scanner-agrees",
        "The public scanner, reading the saved safetensors checkpoint, computes what the run computed on the same "
        "weights (an independent path to the same numbers): the indicators, the reference set, the main indicator "
        "for each tying, and the untrained check's statistics and warning (agreement of computations, not a judgment "
        "of their quality).",
        _scanner,
    ),
    Probe(
        "verification-positive-control",
        "The repetition test can pass a token: frequent tokens reach a repetition probability of at least 1% in at "
        "least 80% of cases for every model.",
        _control,
    ),
    Probe(
        "graft-positive-control",
        "The graft experiment works: the fine-tuned models repeat the formerly never-seen tokens, and grafting both of "
        "a token's rows into the original model restores repetition where there is any to restore.",
        _graft_control,
    ),
    Probe(
        "auroc-se-crosscheck",
        "The analytic (Hanley–McNeil) AUROC standard error agrees with a bootstrap on a case with a known AUROC.",
        _se_crosscheck,
    ),
    Probe("independent-inits", "Models from different seeds start from independent initializations.", _independent),
    Probe(
        "models-learned",
        "Every model's final training loss is below the unigram entropy of its training stream.",
        _learned,
    ),
)


# ---------------------------------------------------------------------------------------------------------------
# Independent recomputation of every claim's quantity (confirmed_by) and the declared-setup checks
# ---------------------------------------------------------------------------------------------------------------

CLAIM_SPEC: dict[str, tuple[str, str, str | None]] = {
    "input-norm-finds-never-seen-untied": ("input_norm", "never", "untied"),
    "input-norm-finds-rare-untied": ("input_norm", "rare", "untied"),
    "unembedding-indicator-finds-never-seen": ("unembedding_cosine", "never", None),
    "closest-to-centroid-never-seen": ("centroid_distance", "never", None),
    "closest-to-centroid-rare": ("centroid_distance", "rare", None),
}
"""What each indicator claim reads, declared a second time here (indicator, token set, arm) so that the recomputation
does not take it from the claim it checks."""

LB_THRESHOLD = 0.01
"""Land & Bartolo's verification threshold (maximal repetition probability below 1%), written out independently."""


def _mw_auroc(pos: np.ndarray, neg: np.ndarray) -> float:
    """AUROC by counting every (positive, negative) pair: 1 if the positive scores higher, ½ on a tie."""
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def _hm_se(a: float, n1: int, n0: int) -> float:
    """Hanley & McNeil (1982) standard error, written out from the paper's eq. 2 a second time."""
    if n1 < 1 or n0 < 1 or a != a:
        return float("nan")
    a2 = a * a
    var = a * (1 - a) + (n1 - 1) * (a / (2 - a) - a2) + (n0 - 1) * (2 * a2 / (1 + a) - a2)
    return float(np.sqrt(max(var / (n1 * n0), 0.0)))


def _close(x: float, y: float, tol: float = 1e-6) -> bool:
    if x != x or y != y:
        return (x != x) and (y != y)
    return abs(x - y) <= tol


def _recount_sets(m: Measurements, config: Any) -> tuple[dict[str, np.ndarray], list[str]]:
    occ = np.asarray(m["recount"])
    scored = np.asarray(m["scored"], dtype=np.int64)
    problems = []
    bad = set(m["special"]) | set(m["reference"])
    if bad & set(scored.tolist()):
        problems.append(f"{len(bad & set(scored.tolist()))} special or known-unused tokens among the scored ones")
    sets = {
        "never": scored[occ[scored] == 0],
        "rare": scored[(occ[scored] > 0) & (occ[scored] <= config.rare_max)],
        "frequent": scored[occ[scored] >= config.frequent_count],
    }
    for k, v in sets.items():
        if sorted(m["sets"][k]) != v.tolist():
            problems.append(f"the stored {k!r} set differs from the one recomputed from the recount")
    return sets, problems


_Rec = dict[tuple[str, str], tuple[float, float]]


def _recomputed_aurocs(m: Measurements, sets: dict[str, np.ndarray]) -> tuple[list[_Rec], list[str]]:
    """Per model, every indicator's AUROC and SE recomputed from the stored per-token values; and the mismatches."""
    out: list[_Rec] = []
    problems: list[str] = []
    for k, mm in enumerate(m["models"]):
        rec: _Rec = {}
        for group in ("never", "rare"):
            for key, vals in mm["indicator_values"].items():
                v = np.asarray(vals)
                a = _mw_auroc(-v[sets[group]], -v[sets["frequent"]])
                se = _hm_se(a, int(sets[group].size), int(sets["frequent"].size))
                rec[(group, key)] = (a, se)
                stored = mm["auroc"][group][key]
                if not (_close(a, stored["auroc"]) and _close(se, stored["se"])):
                    problems.append(
                        f"model {k} {key} on {group}: stored AUROC {stored['auroc']:.4f} ± {stored['se']:.4f}, "
                        f"recomputed {a:.4f} ± {se:.4f}"
                    )
        out.append(rec)
    return out, problems


_Triple = tuple[float, float, float]
"""An estimate recomputed by the probe: (value, lower end, upper end)."""

Z95 = 1.959963984540054
"""The standard normal's 97.5% quantile, written out (the probe's own, not the stats module's)."""


def _expected_auroc(m: Measurements, rec: list[_Rec], key: str, group: str, arm: str | None) -> list[_Triple]:
    """Per variant: the mean of its seeds' AUROCs, and the Hanley–McNeil interval (mean ± 1.96 × the mean SE) widened
    to cover every seed's AUROC, clipped to [0, 1]."""
    names: list[str] = []
    for mm in m["models"]:
        if (arm is None or mm["arm"] == arm) and mm["variant"] not in names:
            names.append(mm["variant"])
    out = []
    for name in names:
        pairs = [rec[k][(group, key)] for k, mm in enumerate(m["models"]) if mm["variant"] == name]
        aurocs, ses = [a for a, _ in pairs], [se for _, se in pairs]
        mean, se = float(np.mean(aurocs)), float(np.mean(ses))
        lo = max(min(mean - 1.96 * se, min(aurocs)), 0.0)  # the study's 1.96, not Z95: they differ by 4e-5 SE
        hi = min(max(mean + 1.96 * se, max(aurocs)), 1.0)
        out.append((mean, lo, hi))
    return out


def _wilson(k: int, n: int) -> _Triple:
    """Wilson (1927) score interval for k successes in n, written out: centre (p + z²/2n)/(1 + z²/n), half-width
    z·sqrt(p(1 − p)/n + z²/4n²)/(1 + z²/n), clipped to [0, 1]."""
    p, z2 = k / n, Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * float(np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n)
    return p, max(centre - half, 0.0), min(centre + half, 1.0)


def _share(flags: list[bool]) -> _Triple:
    """The share of true flags with its Wilson interval, the interval widened to hold the share; NaN when empty."""
    if not flags:
        return float("nan"), float("nan"), float("nan")
    p, lo, hi = _wilson(int(sum(flags)), len(flags))
    return p, min(lo, p), max(hi, p)


def _restoration(r: dict[str, float], side: str, n: int) -> _Triple:
    """(r_side − r_none)/(r_both − r_none), its ends from the Wilson intervals of r_side and r_both over the n
    token-model pairs, clipped to [0, 1] and widened to hold the value; NaN unless the graft's arm works (r_none ≤
    10% and r_both at least 30 points above it)."""
    if r["none"] > 0.1 or r["both"] - r["none"] < 0.3:
        return float("nan"), float("nan"), float("nan")
    base = r["none"]
    _, side_lo, side_hi = _wilson(round(r[side] * n), n)
    _, both_lo, both_hi = _wilson(round(r["both"] * n), n)
    value = (r[side] - base) / (r["both"] - base)
    lo = max((side_lo - base) / max(both_hi - base, 1e-9), 0.0)
    hi = min((side_hi - base) / max(both_lo - base, 1e-9), 1.0) if both_lo > base else 1.0
    return value, min(lo, value), max(hi, value)


def _expected_values(m: Measurements, config: Any, rec: list[_Rec]) -> dict[str, list[_Triple] | None]:
    """Every claim's estimate(s), value and both ends, recomputed from the stored raw outputs by code of this probe's
    own."""
    exp: dict[str, list[_Triple] | None] = {cid: _expected_auroc(m, rec, *spec) for cid, spec in CLAIM_SPEC.items()}
    by_id = {t["id"]: t for t in m["tokens"]}
    n_models = len(m["models"])
    scored = np.asarray(m["scored"], dtype=np.int64)
    n_cand = max(round(config.candidate_percent / 100 * scored.size), 1)
    flags = []
    for k, mm in enumerate(m["models"]):
        main = "input_norm" if not mm["tied"] else "unembedding_cosine"
        vals = np.asarray(mm["indicator_values"][main])[scored]
        cands = scored[np.argsort(vals, kind="stable")[:n_cand]]
        flags += [by_id[int(c)]["max_prob"][k] < LB_THRESHOLD for c in cands if int(c) in by_id]
    exp["verification-confirms-candidates"] = [_share(flags)]
    ctrl = _share([t["repeated"][k] for t in m["tokens"] if t["control"] for k in range(n_models)])
    never = _share([t["repeated"][k] for t in m["tokens"] if t["occurrences"] == 0 for k in range(n_models)])
    exp["glitch-tokens-not-repeated"] = [(ctrl[0] - never[0], ctrl[1] - never[2], ctrl[2] - never[1])]
    bins = []
    for lo, hi in ((0, 0), (1, 3), (4, None)):
        f = [
            t["max_prob"][k] < LB_THRESHOLD
            for t in m["tokens"]
            if t["occurrences"] >= lo and (hi is None or t["occurrences"] <= hi)
            for k in range(n_models)
        ]
        if f:
            bins.append(_share(f))
    exp["undertraining-falls-with-count"] = bins
    g = m["graft"]
    r = g.get("rates", {})
    for cid, side in (("random-input-features-explain-failure", "input"), ("readout-row-explains-failure", "output")):
        exp[cid] = [_restoration(r, side, g["tokens"] * g["n_models"])] if r else None
    return exp


def _token_records(m: Measurements, config: Any, sets: dict[str, np.ndarray]) -> list[str]:
    """The verified tokens are the ones the design selects, with their own counts: controls drawn from the frequent
    set (as many as declared), every candidate and planted single token present, each record's occurrences and
    training count those of its id."""
    problems = []
    recount, counts = np.asarray(m["recount"]), np.asarray(m["counts"])
    frequent = set(sets["frequent"].tolist())
    low = set(sets["never"].tolist()) | set(sets["rare"].tolist())
    ids = {t["id"] for t in m["tokens"]}
    ctrl = [t["id"] for t in m["tokens"] if t["control"]]
    if len(ctrl) != min(config.n_controls, len(frequent)) or not set(ctrl) <= frequent:
        problems.append(f"{len(ctrl)} control tokens, {len(set(ctrl) - frequent)} of them not frequent")
    must = {c for mm in m["models"] for c in mm["candidates"]} | {
        p["token"] for p in m["planted"] if p["token"] is not None
    }
    if not must <= ids:
        problems.append(f"{len(must - ids)} candidates or planted tokens not verified")
    n_low = len([i for i in ids if i in low])
    if n_low < min(config.n_verify_rare, len(low)):
        problems.append(f"{n_low} never or rarely seen tokens verified, declared {min(config.n_verify_rare, len(low))}")
    wrong = [t["id"] for t in m["tokens"] if t["occurrences"] != recount[t["id"]] or t["count"] != counts[t["id"]]]
    if wrong:
        problems.append(f"{len(wrong)} verified tokens carry another token's counts")
    return problems


def _claims_recomputed(m: Measurements, config: Any) -> ProbeOutcome:
    sets, problems = _recount_sets(m, config)
    problems += _token_records(m, config, sets)
    rec, p2 = _recomputed_aurocs(m, sets)
    problems += p2
    exp = _expected_values(m, config, rec)
    checked = 0
    for claim in CLAIMS:
        if claim.id not in exp:
            problems.append(f"{claim.id}: no independent recomputation")
            continue
        want = exp[claim.id]
        try:
            got = claim.measure(m)  # type: ignore[call-arg]  # every measure of this study takes the measurements only
        except NotRun:
            if want is not None:
                problems.append(f"{claim.id}: the measure did not run, the recomputation did")
            continue
        got_list = [got] if isinstance(got, Estimate) else list(got)
        triples = [(float(e.value), float(e.lo), float(e.hi)) for e in got_list]
        if (
            want is None
            or len(triples) != len(want)
            or not all(_close(a, b) for t, w in zip(triples, want, strict=True) for a, b in zip(t, w, strict=True))
        ):
            shown = [tuple(round(v, 4) for v in t) for t in triples]
            problems.append(
                f"{claim.id}: measured {shown}, recomputed {[tuple(round(v, 4) for v in w) for w in want or []]}"
            )
        bad_iv = [e for e in got_list if e.value == e.value and not (e.lo - 1e-9 <= e.value <= e.hi + 1e-9)]
        if bad_iv:
            problems.append(f"{claim.id}: a value outside its own interval")
        checked += 1
    return ProbeOutcome(
        not problems,
        f"{checked} claims' values and interval ends, every model's AUROCs and standard errors, the token sets and the "
        "candidates recomputed from the stored per-token indicators, counts and repetition probabilities by separate "
        "code: " + ("all agree" if not problems else f"{len(problems)} disagree: " + "; ".join(problems[:3])),
    )


def _optimizer_reference(m: Measurements, config: Any) -> ProbeOutcome:
    o = m["known_answer"]["optimizer"]
    sched = np.asarray(m["lr_schedule"])
    total = sched.size
    steps_expected = config.epochs * (m["n_sequences"] // config.batch_size)
    warm = max(total // 20, 1)
    t = np.arange(total)
    ref = np.where(
        t < warm,
        config.lr * (t + 1) / warm,
        config.lr * (0.1 + 0.45 * (1 + np.cos(np.pi * (t - warm) / max(total - warm, 1)))),
    )
    sched_err = float(np.max(np.abs(sched - ref)) / config.lr) if total else float("inf")
    decay_bad = []
    for mm in m["models"]:
        wd = config.weight_decay if mm["variant"].endswith("+wd") else 0.0
        want = float(np.prod(1 - sched * wd))
        if not _close(mm["decay_factor"], want, 1e-6) or not _close(mm["weight_decay"], wd, 1e-12):
            decay_bad.append(mm["variant"])
    ok = o["max_rel_diff"] < 1e-5 and o["moved"] > 1e-4 and total == steps_expected and sched_err < 1e-9
    return ProbeOutcome(
        ok and not decay_bad,
        f"the stacked AdamW against torch.optim.AdamW over 6 steps: largest relative difference "
        f"{o['max_rel_diff']:.1e} (tolerance 1e-5; parameters moved {o['moved']:.3f}); the run's {total} steps vs "
        f"epochs × whole batches {steps_expected}; its learning-rate schedule vs warm-up + cosine to 10% written out "
        f"again: {sched_err:.1e} of the peak; weight decay and its product over the schedule as declared: "
        f"{'every model' if not decay_bad else 'not ' + ', '.join(decay_bad)}",
    )


def _models_as_declared(m: Measurements, config: Any) -> ProbeOutcome:
    vocab = m["corpus"]["vocab_size"]
    problems = []
    arms = [mm["variant"] for mm in m["models"]]
    want_arms = [a for a in ("untied", "untied+wd", "tied", "tied+wd") for _ in range(config.n_seeds)]
    if arms != want_arms:
        problems.append(f"models {arms}, declared {want_arms}")
    for mm in m["models"]:
        tied = mm["variant"].startswith("tied") or config.tie_all
        if mm["tied"] != tied:
            problems.append(f"{mm['variant']} tied={mm['tied']}")
        shapes = mm["param_shapes"]
        emb = shapes.get("token_embedding.weight")
        if emb != [vocab, config.d_model]:
            problems.append(f"embedding {emb}, declared [{vocab}, {config.d_model}]")
        layers = {k.split(".")[1] for k in shapes if k.startswith("blocks.")}
        if len(layers) != config.n_layers:
            problems.append(f"{len(layers)} blocks, declared {config.n_layers}")
        # The context is the inputs' length, every position trained: the declared layout [c, EOS, c₁c₁…c_Lc_L, EOS]
        # has 3·chunk + 2 tokens, so 3·chunk + 1 inputs. A longer context would leave position rows untrained.
        positions = shapes.get("position_embedding.weight")
        if positions != [3 * config.chunk + 1, config.d_model] or m.get("sequence_length") != 3 * config.chunk + 2:
            problems.append(
                f"position rows {positions} for sequences of {m.get('sequence_length')} tokens, declared "
                f"[{3 * config.chunk + 1}, {config.d_model}] for {3 * config.chunk + 2}"
            )
        if len(mm["indicator_values"]["input_norm"]) != vocab:
            problems.append("indicator values not one per vocabulary entry")
    if config.vocab_size < vocab or vocab < config.vocab_size - 64:
        problems.append(f"tokenizer vocabulary {vocab}, declared {config.vocab_size}")
    return ProbeOutcome(
        not problems,
        f"{len(arms)} models ({', '.join(dict.fromkeys(arms))}) × {config.n_seeds} seed(s), each with the declared "
        f"tying, width {config.d_model}, {config.n_layers} block(s), a {vocab}-token vocabulary and a context of the "
        f"inputs' {3 * config.chunk + 1} positions: " + ("as declared" if not problems else "; ".join(problems[:3])),
    )


def _graft_rows(m: Measurements) -> ProbeOutcome:
    g = m["graft"]
    moved = g.get("moved", {})
    if not g.get("rates"):
        return ProbeOutcome(True, "the graft experiment did not run (no untied model or no never-seen token)")
    want = {"input": (True, False), "output": (False, True), "both": (True, True)}
    bad = []
    for side, (inp, out) in want.items():
        mv = moved.get(side)
        if mv is None:
            bad.append(f"{side}: not recorded")
            continue
        ok = (
            (mv["input_rows"] > 0) == inp
            and (mv["readout_rows"] > 0) == out
            and mv["input_other_rows"] == 0
            and mv["readout_other_rows"] == 0
            and mv["other_params"] == 0
        )
        if not ok:
            bad.append(f"{side}: {mv}")
    return ProbeOutcome(
        not bad,
        "each restoration changed only the rows it declares (input: the never-seen tokens' input rows; output: their "
        "readout rows; both: both) and no other weight: " + ("as declared" if not bad else "; ".join(bad)),
    )


def _indicators_numpy(m: Measurements) -> ProbeOutcome:
    worst: dict[str, float] = {}
    for mm in m["models"]:
        for k, v in mm["indicator_check"].items():
            worst[k] = max(worst.get(k, 0.0), v)
    ok = bool(worst) and all(v <= 1e-4 for v in worst.values())
    return ProbeOutcome(
        ok,
        "every model's indicators written out again in float64 NumPy from their definitions: largest differences "
        + ", ".join(f"{k} {v:.1e}" for k, v in sorted(worst.items()))
        + " (tolerance 1e-4)",
    )


def _sequences_layout(m: Measurements) -> ProbeOutcome:
    bad, graft_bad = m["layout_bad"], m["graft"].get("layout_bad", 0)
    return ProbeOutcome(
        bad == 0 and graft_bad == 0,
        f"training sequences whose second part is not the stuttered copy of their chunk: {bad} of "
        f"{m['n_sequences']} (the contrasts' extra ones included); of the graft's sequences: {graft_bad}",
    )


def _readout_as_declared(m: Measurements, config: Any) -> ProbeOutcome:
    rows = []
    bad = []
    for mm in m["models"]:
        moved = mm["moved_readout_unused"]
        if mm["tied"] or moved != moved:
            continue
        by_decay = abs(1 - mm["decay_factor"])
        frozen = abs(moved - by_decay) <= 1e-4
        rows.append(f"{mm['variant']} {moved:.3f} (decay alone {by_decay:.3f})")
        if frozen != bool(config.freeze_unseen_readout) or (not frozen and moved < by_decay + 0.05):
            bad.append(mm["variant"])
    return ProbeOutcome(
        not bad,
        "untied models' readout rows of never-seen tokens moved (mean ‖Δ‖/‖init‖): "
        + (", ".join(rows) or "n/a")
        + f"; frozen declared: {bool(config.freeze_unseen_readout)} (frozen rows move by weight decay alone, others "
        "by at least 0.05 more)" + (f"; not as declared: {', '.join(bad)}" if bad else ""),
    )


CHANCE_MARGIN = 1.0
"""Nats by which every model's final training loss must beat the unigram entropy (fixed before looking)."""


def _beats_chance(m: Measurements) -> ProbeOutcome:
    L = np.asarray(m["losses"], dtype=float)
    tail = L[-3:].mean(axis=0)
    h = m["unigram_entropy"]
    return ProbeOutcome(
        bool(np.all(tail <= h - CHANCE_MARGIN)),
        f"each model's training loss over the last 3 logged steps {', '.join(f'{x:.2f}' for x in tail)} nats vs the "
        f"unigram entropy {h:.2f} nats (need at least {CHANCE_MARGIN:.0f} nat below: every arm learned)",
    )


PROBES = (
    *PROBES,
    Probe(
        "claims-recomputed",
        "Every claim's measured value, every model's AUROCs and their standard errors, the token sets and the "
        "candidates, recomputed from the stored raw outputs (per-token indicators, recounted occurrences, repetition "
        "probabilities, graft rates) by separate code with each claim's inputs declared a second time, agree.",
        _claims_recomputed,
    ),
    Probe(
        "optimizer-reference",
        "The hand-written stacked AdamW matches torch.optim.AdamW on a known sequence of gradients; the run's "
        "learning-rate schedule, number of steps and weight-decay product are the declared ones, recomputed.",
        _optimizer_reference,
    ),
    Probe(
        "models-as-declared",
        "The trained models are the ones the config declares: arms and seeds, tying, width, depth, vocabulary, and a "
        "context of exactly the training inputs' length.",
        _models_as_declared,
    ),
    Probe(
        "graft-rows-as-declared",
        "Each one-sided restoration of the graft experiment changed exactly the rows it declares and no other weight.",
        _graft_rows,
    ),
    Probe(
        "indicators-recomputed",
        "Every indicator, recomputed in float64 NumPy from its definition (principal component by SVD), matches the "
        "study's values on every model.",
        _indicators_numpy,
    ),
    Probe(
        "sequences-as-declared",
        "Every training sequence, the contrasts' extra ones and the graft's included, has the declared layout: its "
        "second part is the stuttered copy of its chunk.",
        _sequences_layout,
    ),
    Probe(
        "readout-rows-as-declared",
        "In untied models the readout rows of never-seen tokens are trained (moved beyond weight decay) unless the "
        "config freezes them, and move by weight decay alone when it does.",
        _readout_as_declared,
    ),
    Probe(
        "targets-as-declared",
        "Training positions are left out of the loss only as the config declares: none, unless rarely seen tokens are "
        "declared never a target, and then at least each stuttered copy of their occurrences in every pass.",
        _targets_as_declared,
    ),
    Probe(
        "feeds-as-declared",
        "The contrasts' feeds reach the batches as declared: each rarely seen token an input at least copies × "
        "feed_rare times per pass when the rare tokens are fed, and no never-seen token ever an input unless the "
        "never-seen tokens are fed.",
        _feeds_as_declared,
    ),
    Probe(
        "arms-beat-chance",
        "Every model's training loss at the end is at least 1 nat below the unigram entropy of its training stream.",
        _beats_chance,
    ),
)


# ---------------------------------------------------------------------------------------------------------------
# The corpus, the tokenizer, the token categories and the experiments, as the config declares them: each recomputed
# by this module's own code from the config, the stored outputs and the help topics read afresh (never by a call to
# the code that built them)
# ---------------------------------------------------------------------------------------------------------------

DOC_FLOOR = 2000
"""Characters every corpus-A document keeps at least (or its whole topic), written out a second time."""
FIRST_DOCS = 4
"""Documents that take at most half the room left before the budget rule switches to 'take what is left'."""
LATER_SHARE = 8
"""A later document keeps at least 1/8 of its topic."""
PLANTED_COUNTS = (0, 1, 3, 10, 30)
"""Occurrences of the planted words in corpus B, written out a second time."""
INVALID_UTF8 = (0xC0, 0xC1, *range(0xF5, 0x100))
"""Bytes that never occur in valid UTF-8 (RFC 3629), written out a second time."""


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _expected_docs(names: list[str], fraction: float) -> tuple[list[str], list[str]]:
    """Corpus A's documents for the chosen topic names, by the declared budget rule, and the rule's violations."""
    import pydoc_data.topics

    topics = dict(pydoc_data.topics.topics)
    problems = []
    if len(set(names)) != len(names) or not set(names) <= set(topics):
        problems.append("corpus A's topic names are not distinct help topics")
        return [], problems
    total = sum(len(t) for t in topics.values()) + len(topics) - 1  # the topics joined by newlines
    budget = int(fraction * total)
    docs: list[str] = []
    for k, name in enumerate(names):
        room = budget - sum(len(d) for d in docs)
        text = topics[name]
        if k >= FIRST_DOCS and room <= 0:
            problems.append(f"document {k} ({name}) taken with no room left in the budget")
        keep = max(room // 2, DOC_FLOOR) if k < FIRST_DOCS else max(room, len(text) // LATER_SHARE, DOC_FLOOR)
        docs.append(text[:keep])
    room = budget - sum(len(d) for d in docs)
    if len(names) < len(topics) and (len(names) < FIRST_DOCS or room > 0):
        problems.append(f"{len(names)} documents stop with {room} characters of the budget left")
    return docs, problems


def _expected_fresh(
    names: list[str], names_a: list[str], docs_b: list[str], stream_length: int
) -> tuple[list[str], list[str]]:
    """The fresh text after corpus B for its stored topic names: help topics not in corpus A, taken whole or cut to
    the room left until they hold (stream_length - 1) times B's characters, no topic taken with no room left."""
    import pydoc_data.topics

    topics = dict(pydoc_data.topics.topics)
    if len(set(names)) != len(names) or not set(names) <= set(topics) or set(names) & set(names_a):
        return [], ["the fresh topics are not distinct help topics outside corpus A"]
    want = (stream_length - 1) * sum(len(d) for d in docs_b)
    docs: list[str] = []
    problems = []
    for name in names:
        room = want - sum(len(d) for d in docs)
        if room <= 0:
            problems.append(f"fresh topic {name} taken with no room left")
        docs.append(topics[name][: max(room, 0)])
    if sum(len(d) for d in docs) != want:
        problems.append(f"the fresh text has {sum(len(d) for d in docs)} characters, declared {want}")
    return docs, problems


def _corpus_as_declared(m: Measurements, config: Any) -> ProbeOutcome:
    """Corpus A rebuilt from the help topics by the declared rule, corpus B as A without the held-out topics plus
    the planted words, and the tokenizer retrained on A: each compared exactly with what the run used."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    problems: list[str] = []
    t = m["texts"]
    names = list(t["names_a"])
    docs, p = _expected_docs(names, config.corpus_fraction)
    problems += p
    planted = m["planted"]
    want_counts = [c for c in PLANTED_COUNTS for _ in range(config.planted_per_count)] + [
        k % config.rare_max + 1 for k in range(config.rare_planted)
    ]
    if [pl["planted"] for pl in planted] != want_counts:
        problems.append(f"planted counts {[pl['planted'] for pl in planted]}, declared {want_counts}")
    words = [" " + str(pl["word"]) for pl in planted]
    text_a = docs + [(w * 10 + "\n") * max(config.plant_repeats // 10, 1) for w in words]
    if [_digest(x) for x in text_a] != list(t["text_a"]):
        problems.append(
            "the tokenizer's training text is not the declared corpus A (topics by the budget rule and the planted "
            "words' repeats)"
        )
    held_out = min(config.held_out_topics, len(docs) - 1)
    fresh, p = _expected_fresh(list(t["names_fresh"]), names, docs[held_out:], config.stream_length)
    problems += p
    docs_b = docs[held_out:] + fresh
    if [_digest(x) for x in docs_b] != list(t["docs_b_plain"]):
        problems.append(
            f"the training text is not corpus A without its first {held_out} topic(s) followed by the declared fresh "
            "topics (as the config declares)"
        )
    c = m["corpus"]
    chars_b = sum(map(len, docs_b)) + sum(len(w) * pl["planted"] for w, pl in zip(words, planted, strict=True))
    recount = np.asarray(m["recount"])
    exact = {
        "topics in A": (c["n_topics_a"], len(docs)),
        "topics in B": (c["n_topics_b"], len(docs_b)),
        "characters of B": (c["chars_b"], chars_b),
        "tokens of B (the recount plus one EOS per document)": (c["tokens_b"], int(recount.sum()) + len(docs_b)),
    }
    problems += [f"{k}: {got}, declared {want}" for k, (got, want) in exact.items() if got != want]
    reserved = [f"<|reserved_{k}|>" for k in range(config.n_reserved)]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=config.vocab_size,
        special_tokens=["<|endoftext|>", *reserved],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(text_a, trainer=trainer)
    stored = Tokenizer.from_str(m["tokenizer_json"])
    if tok.get_vocab(with_added_tokens=True) != stored.get_vocab(with_added_tokens=True):
        problems.append("the run's tokenizer is not the one BPE trains on the declared corpus A")
    return ProbeOutcome(
        not problems,
        f"corpus A rebuilt from {len(names)} help topics by the budget rule ({config.corpus_fraction:.0%} of the text, "
        f"≥ {DOC_FLOOR} characters each), corpus B as A without {held_out} held-out topic(s), then "
        f"{len(t['names_fresh'])} fresh topic(s) ({config.stream_length}× B's text in all), plus "
        f"{len(planted)} planted words ({sum(pl['planted'] for pl in planted)} insertions), the tokenizer retrained "
        "on A with the declared vocabulary and special tokens: "
        + ("all exactly as the run's" if not problems else "; ".join(problems[:3])),
    )


def _gpt2_byte_chars() -> dict[str, int]:
    """GPT-2's printable stand-in for each byte (printable Latin-1 bytes stand for themselves, the other 68 take
    U+0100 onwards in byte order), written out a second time; the probe checks it against the tokenizers library's
    alphabet."""
    keep = [*range(0x21, 0x7F), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    others = [b for b in range(256) if b not in keep]
    return {chr(b): b for b in keep} | {chr(256 + n): b for n, b in enumerate(others)}


def _categories_recomputed(m: Measurements) -> ProbeOutcome:
    """Every token's category and byte recomputed from the stored tokenizer by this probe's own round trip, and from
    them the special, known-unused and scored sets and every count the run reports."""
    import json

    from tokenizers import Tokenizer, pre_tokenizers

    problems: list[str] = []
    doc = json.loads(m["tokenizer_json"])
    tok = Tokenizer.from_str(m["tokenizer_json"])
    vocab = tok.get_vocab(with_added_tokens=True)
    n = m["corpus"]["vocab_size"]
    name = {i: s for s, i in vocab.items()}
    chars = _gpt2_byte_chars()
    if set(chars) != set(pre_tokenizers.ByteLevel.alphabet()):
        problems.append("the byte alphabet written here is not the tokenizers library's")
    special = {int(a["id"]) for a in doc.get("added_tokens", []) if a.get("special")}
    reference = {int(a["id"]) for a in doc.get("added_tokens", []) if "reserved" in str(a["content"]).lower()}
    reference |= {vocab[c] for c, b in chars.items() if b in INVALID_UTF8 and c in vocab}
    byte: list[int | None] = []
    cats: list[str] = []
    for i in range(n):
        s = name.get(i)
        byte.append(chars[s] if s is not None and len(s) == 1 and s in chars else None)
        if s is None:
            cats.append("padding")
            continue
        text = tok.decode([i], skip_special_tokens=False)
        again = tok.encode(text, add_special_tokens=False).ids
        if again == [i]:
            cats.append("special" if i in special else "ok")
        elif len(text) >= 3 and text[0] in "[<" and text[-1] in "]>" and any(ch.isalpha() for ch in text):
            cats.append("unreachable_special")
        elif "\ufffd" in text:
            cats.append("partial_utf8")
        else:
            cats.append("unreachable_single" if len(again) == 1 else "unreachable_multi")
    scored = [i for i in range(n) if cats[i] == "ok" and byte[i] is None and i not in special and i not in reference]
    recount = np.asarray(m["recount"])
    counts: dict[str, int] = {}
    for c in cats:
        counts[c] = counts.get(c, 0) + 1
    sets = {
        "never": [i for i in scored if recount[i] == 0],
        "rare": [i for i in scored if 1 <= recount[i] <= m["rare_max"]],
        "frequent": [i for i in scored if recount[i] >= m["frequent_count"]],
    }
    exact: dict[str, tuple[Any, Any]] = {
        "categories": (list(m["token_categories"]), cats),
        "bytes": (list(m["token_bytes"]), byte),
        "category counts": (dict(m["categories"]), counts),
        "byte tokens": (m["byte_tokens"], sum(b is not None for b in byte)),
        "byte tokens never seen": (
            m["byte_tokens_never_seen"],
            sum(b is not None and recount[i] == 0 for i, b in enumerate(byte)),
        ),
        "special tokens": (sorted(m["special"]), sorted(special)),
        "known-unused tokens": (sorted(m["reference"]), sorted(reference)),
        "scored tokens": (list(m["scored"]), scored),
        **{f"{k} tokens": (m[f"n_{k}"], len(v)) for k, v in sets.items()},
        **{f"the {k} set": (sorted(m["sets"][k]), v) for k, v in sets.items()},
    }
    problems += [k for k, (got, want) in exact.items() if got != want]
    return ProbeOutcome(
        not problems,
        f"{n} tokens categorized again by a decode/encode round trip of the stored tokenizer and a byte alphabet "
        f"written out here ({counts.get('ok', 0)} ok, {sum(b is not None for b in byte)} single bytes, "
        f"{len(reference)} known unused, {len(scored)} scored; never/rare/frequent "
        f"{'/'.join(str(len(v)) for v in sets.values())}): "
        + ("every category, set and count as the run's" if not problems else "differ: " + ", ".join(problems)),
    )


GRAFT_SIDES_DECLARED = ("none", "input", "output", "both")


def _experiments_as_declared(m: Measurements, config: Any) -> ProbeOutcome:
    """Every experiment the config declares ran and left its outputs: the scan of each arm, the verification of
    every token by every model, both indicator groups for every model, and the graft experiment wherever an untied
    arm and a never-seen token exist; a claim whose inputs are missing where the config says they exist fails here."""
    problems: list[str] = []
    arms = ["untied", "untied+wd", "tied", "tied+wd"]
    n_models = len(arms) * config.n_seeds
    if len(m["models"]) != n_models:
        problems.append(f"{len(m['models'])} models, declared {n_models}")
    if [s["variant"] for s in m["scan"]] != arms:
        problems.append(f"scanned {[s['variant'] for s in m['scan']]}, declared one model of each arm {arms}")
    short = [t["id"] for t in m["tokens"] if not len(t["max_prob"]) == len(t["repeated"]) == len(t["main"]) == n_models]
    if short or not m["tokens"]:
        problems.append(f"{len(short)} verified tokens without a result for every model")
    keys = {"input_norm", "centroid_distance", "unembedding_cosine"}
    partial = [
        mm["variant"] for mm in m["models"] if any(set(mm["auroc"].get(g, {})) != keys for g in ("never", "rare"))
    ]
    if partial:
        problems.append(f"models without every indicator's AUROC on both token sets: {partial}")
    recount, scored = np.asarray(m["recount"]), np.asarray(m["scored"], dtype=np.int64)
    n_never = int(np.sum(recount[scored] == 0))
    n_untied = 0 if config.tie_all else 2 * config.n_seeds
    applies = n_untied > 0 and n_never > 0
    g = m["graft"]
    if applies:
        got = (sorted(g.get("rates", {})), sorted(g.get("moved", {})), g.get("n_models"), g.get("tokens"))
        want = (sorted(GRAFT_SIDES_DECLARED), sorted(GRAFT_SIDES_DECLARED[1:]), n_untied, n_never)
        if got != want or g.get("seen", 0) < 1:
            problems.append(f"graft (rates, restorations, models, tokens) {got}, declared {want}, each token fed")
    elif g.get("rates"):
        problems.append("the graft experiment ran with no untied model or no never-seen token")
    not_run = []
    for claim in CLAIMS:
        try:
            claim.measure(m)  # type: ignore[call-arg]  # every measure of this study takes the measurements only
        except NotRun:
            not_run.append(claim.id)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            problems.append(f"{claim.id}: its inputs are missing ({type(exc).__name__})")
    if not_run and applies:
        problems.append(f"claims without inputs though the config declares their experiment: {not_run}")
    return ProbeOutcome(
        not problems,
        f"{n_models} models, the scan of each arm, every verified token by every model, both indicator groups, and "
        + (
            f"the graft experiment ({n_untied} untied models, {n_never} never-seen tokens)"
            if applies
            else "no graft experiment (no untied model or no never-seen token)"
        )
        + ": "
        + ("all present as declared" if not problems else "; ".join(problems[:3])),
    )


PROBES = (
    *PROBES,
    Probe(
        "corpus-as-declared",
        "The text is what the config declares: corpus A rebuilt from the help topics by the budget rule and the "
        "planted words' repeats, corpus B as A without the held-out topics plus the planted words, the sizes and "
        "counts that follow, and the tokenizer BPE trains on A, each compared exactly with the run's.",
        _corpus_as_declared,
    ),
    Probe(
        "categories-recomputed",
        "Every token's category (magikarp's meanings) and single-byte value, recomputed by a round trip through the "
        "stored tokenizer and a byte alphabet written out here, and the special, known-unused, scored, never, rare "
        "and frequent sets that follow, equal the run's.",
        _categories_recomputed,
    ),
    Probe(
        "experiments-as-declared",
        "Every experiment the config declares ran and left its outputs (each arm scanned, every token verified by "
        "every model, both indicator groups, the graft wherever an untied arm and a never-seen token exist), so no "
        "claim's inputs are silently missing.",
        _experiments_as_declared,
    ),
)
