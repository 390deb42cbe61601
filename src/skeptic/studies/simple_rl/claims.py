"""Claims and probes of the simple-rl study.

Measurements are exact over each policy's answer distribution (no sampling error); the uncertainty is the spread
over seeds (a Student-t interval over the n_seeds independent replicates). Every threshold below was fixed before
the quick and paper runs were looked at; those that are Skeptic's own carry a band of lines a careful reader would
accept. Each claim declares the contrast under which it must come out the other way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import optimize
from scipy import stats as sps

from skeptic.studies.simple_rl import analysis, task
from skeptic.studies.simple_rl.policy import READOUT_PREFIXES
from skeptic.study import (
    AllAtLeast,
    AtLeast,
    AtMost,
    Claim,
    Contrast,
    Estimate,
    Measurements,
    Probe,
    ProbeOutcome,
    Quote,
    largest,
)

R1 = "DeepSeek-AI 2025 (arXiv 2501.12948)"
SHAO = "Shao et al. 2024, DeepSeekMath (arXiv 2402.03300)"
YUE = "Yue et al. 2025 (arXiv 2504.13837)"
KWA = "Kwa, Thomas & Garriga-Alonso 2024 (arXiv 2407.14503)"
GAO = "Gao, Schulman & Hilton 2022 (arXiv 2210.10760)"

KWA_QUOTE = Quote(
    "We show that when the reward function has light-tailed error, optimal policies under less restrictive KL "
    "penalties achieve arbitrarily high utility. However, if error is heavy-tailed, some policies obtain arbitrarily "
    "high reward despite achieving no more utility than the base model--a phenomenon we call catastrophic Goodhart.",
    "arXiv 2407.14503v2, abstract",
)

PASS1_GAIN = 0.2
"""Skeptic's line for 'rises substantially': +0.2 in held-out pass@1."""
LIGHT_SHARE = 0.5
"""Skeptic's line for 'arbitrarily high utility' on a bounded reward: at least half the possible true-reward gain."""
HEAVY_SHARE = 0.1
"""Skeptic's line for 'no more utility than the base model': at most a tenth of the possible true-reward gain."""
FORWARD_TOL = 0.05
"""Skeptic's tolerance for 'the trained policy sits on the forward-KL optimum': mean total variation ≤ 0.05."""
OWN_TOL = 0.02
"""The tolerance at which every graded arm must sit on its own objective's optimum (total variation, a probe)."""
KL_DROP = 0.5
"""Skeptic's line for 'the penalty limits the move': KL at the smallest β exceeds KL at the largest by 0.5 nats."""
OVEROPT_DROP = 0.05
"""Skeptic's line for over-optimization: the final true reward at least 0.05 below its peak over training."""
OVEROPT_RISE = 0.05
"""Skeptic's line for the rise before the fall (issue 29, fixed before any run that reads it): a flawed-grader run's
true reward must first climb at least 0.05 above its step-0 value (the base model's). The same size as the fall's
line, so that the shape read is a rise and a fall of at least one line each; a run whose peak is the base model (a
fall from step 0) has no over-optimization to measure, since nothing was gained before the proxy took over."""
VIEW_DROP = 0.05
"""Skeptic's line for 'the view is unchanged': the frozen pre-RL probe's held-out accuracy falls by at most 0.05."""
VIEW_PROBE_ACC = 0.8
"""The pre-RL probe must read the view on held-out problems at least this well (chance: 0.5, the set is balanced)."""
OUTPUT_MOVE = 0.2
"""Each views arm must raise the exact probability of its target output on held-out problems by at least this."""
UNIFORM_FLOOR = 0.5
"""pass@k is informative only where the uniform guesser's pass@k is at most this."""


def _rows(m: Measurements, **match: Any) -> list[int]:
    return [i for i, s in enumerate(m["specs"]) if all(s[k] == v for k, v in match.items())]


def _graded_arms(m: Measurements, **match: Any) -> list[dict[str, Any]]:
    """The graded arms whose own labels (seed, kind, arm, β, estimator, std) match: selected by name, not position."""
    return [a for a in m["graded"]["arms"] if all(a[k] == v for k, v in match.items())]


def _seeds(values: list[float]) -> Estimate:
    return Estimate.from_samples(values, what="seeds")


def pass1_gain(m: Measurements, config: Any) -> list[Estimate]:
    """Per seed (one base model and its GRPO run on the true reward at β_main): held-out pass@1 of the RL model minus
    its base model's, with a 95% interval over the held-out problems, one Estimate per seed in seed order.

    What the source's number is and what the interval carries: R1-Zero's "average pass@1 ... jumping from an
    initial 15.6% to an impressive 71.0%" is one base model and one RL run, evaluated on a finite set of questions
    (AIME 2024); the only sampling error in such a number is which questions were asked (and, there, which answers
    were sampled; here π(y* | x) is exact). Each seed here is one such experiment, so the claim is judged on every
    seed at once (:class:`AllAtLeast`): replicated when every seed's interval lies at or above the line, not
    replicated when some seed's lies wholly below it. Each seed's interval is over its held-out problems, a sample
    stratified by design (half easy, half hard, :func:`task.split_problems`): the per-problem gain
    π_RL(y* | x) − π_base(y* | x), its stratified mean and t-interval (:func:`analysis.stratified_mean_ci`). It
    carries the question-sampling variance of that seed's gain; variation between base models and between RL runs
    is not averaged into one interval but shows as disagreement between the seeds' verdicts. (Before session 14 the
    claim was the mean over 3 seeds with a t-interval on 2 degrees of freedom: at seed 3964924996 every seed gained
    ≥ 0.42 and the interval was 0.53 [0.14, 0.92], inconclusive against 0.2.)"""
    rows = _spec_rows(m["specs"], "true", config.beta_main)
    hard = task.is_hard(task.all_problems()[np.asarray(m["split"]["heldout"], dtype=int)])
    out = []
    for seed, i in sorted(rows.items()):
        gain = np.asarray(m["final"]["pass1_problems"][i]) - np.asarray(m["base"]["pass1_problems"][seed])
        mean, lo, hi, df = analysis.stratified_mean_ci(gain, hard)
        out.append(Estimate(mean, lo, hi, f"seed {seed}: 95% stratified t-interval over {gain.size} held-out "
                                          f"problems (df {df:.0f})"))  # fmt: skip
    return out


def uniform_pass_at_k(k: int, n_answers: int = 144) -> float:
    """pass@k of a guesser uniform over the answers: 1 − (1 − 1/n)^k (the floor below which pass@k says nothing)."""
    return float(1.0 - (1.0 - 1.0 / n_answers) ** k)


def informative_k(ks: list[int]) -> int:
    """The largest k of the curve at which the uniform guesser's pass@k is still ≤ :data:`UNIFORM_FLOOR`."""
    return max(k for k in ks if uniform_pass_at_k(k) <= UNIFORM_FLOOR)


def passk_gap(m: Measurements) -> Estimate:
    """pass@k(RL) − pass@k(base) at the informative k (64 of 144 answers), per seed.

    A described measurement, not a claim (issue 29): Yue et al.'s "base models achieve higher pass@k score when k
    is large" has no contrast in this design. Its verdict already changes with the preset (RL ahead at k = 64 in
    every seed at ``test``, whose base models are undertrained: +0.059 [0.030, 0.088]; inconclusive at ``quick``,
    −0.08 [−0.44, 0.27], one seed's RL policy collapsing), and the two corpora tried as a contrast in which the base
    almost never samples the right answer to hard problems (p_correct_hard 0.01 with misconception 0.9; 0.001 with
    0.95) did not make RL's lead clear (test: +0.09 [−0.17, 0.35] and +0.07 [−0.14, 0.28], both inconclusive). The
    pass@k figure and table show the curves, the crossover k and the uniform guesser's floor instead."""
    ks = m["config"]["pass_ks"]
    j = ks.index(informative_k(ks))
    rows = _rows(m, kind="true", beta=m["config"]["beta_main"], role="sweep")
    return _seeds([m["final"]["pass_at_k"][i][j] - m["base"]["pass_at_k"][m["specs"][i]["seed"]][j] for i in rows])


EXACT_TRUE = "exact (the graded true reward and π_ref are the same for every target up to relabeling answers)"


def kl_drop(m: Measurements, config: Any) -> Estimate:
    """The GRPO arm's KL(π ‖ π_ref) on the graded true reward at the smallest β minus at the largest."""
    (a,) = _graded_arms(m, kind="true", arm="grpo", beta=min(config.graded_betas))
    (b,) = _graded_arms(m, kind="true", arm="grpo", beta=max(config.graded_betas))
    return Estimate.exact(a["kl"] - b["kl"], EXACT_TRUE)


def forward_gap(m: Measurements) -> Estimate:
    """The Dr. GRPO arm's total-variation distance to the forward-KL optimum (the tilt at its own coefficients),
    averaged over the β grid, on the graded true reward."""
    return Estimate.exact(float(np.mean([a["tv_forward"] for a in _graded_arms(m, arm="drgrpo")])), EXACT_TRUE)


def _draws(values: list[float]) -> Estimate:
    return Estimate.from_samples(values, what="(prompt, error table) draws")


def tilt_gain(kind: str) -> Callable[[Measurements, Any], Estimate]:
    """The share of the possible true-reward gain of the exact forward-KL optimum (the tilt π_ref e^{U/β}) at the
    least restrictive β of the grid, for the proxy ``kind``: one value per prompt and seed (each an independent
    target and error table), with a t-interval over them."""

    def measure(m: Measurements, config: Any) -> Estimate:
        b = min(config.graded_betas)
        t = m["graded"]["tilts"]
        return _draws([x for r in t if r["kind"] == kind and r["beta"] == b for x in r["gains"]])

    return measure


def trained_gain(kind: str) -> Callable[[Measurements, Any], Estimate]:
    """The same share for the trained forward-KL arm (KL in the reward) at the least restrictive β."""

    def measure(m: Measurements, config: Any) -> Estimate:
        return _draws([x for a in _graded_arms(m, kind=kind, arm="k1", beta=min(config.graded_betas))
                       for x in a["gains"]])  # fmt: skip

    return measure


FLAW_ROLES = ("sweep", "replicate")
"""The flawed-grader policies at the smallest β: the sweep's and its replicates (the same base, their own rollouts)."""


def goodhart_drop(true: list[float], proxy: list[float]) -> float:
    """The true reward's fall from its peak to the last evaluation that the proxy did not fall with: with t* the peak
    of ``true`` and g = proxy − true, min(true[t*] − true[-1], g[-1] − g[t*]); NaN (undefined) when the true reward
    never rose :data:`OVEROPT_RISE` above its step-0 value, true[t*] − true[0] < 0.05.

    Gao et al.'s curve rises and then falls: optimizing the proxy first helps the true goal, and only optimizing it
    "too much" hurts. A run whose peak is its starting point (the base model) shows a fall from step 0, which says
    nothing about over-optimization (the flaw pays from the first step; there is no optimum to overshoot), so the
    drop is not defined for it rather than counted (issue 29: at ``paper`` in session 15 every flawed-grader run fell
    from step 0 and the old measure read that as a replication).

    Gao et al.'s over-optimization is the true (gold) reward falling *because* the proxy is imperfect, while the
    proxy's value still rises; a fall the proxy registers as well (the optimizer wobbling to a worse policy on both)
    is not it. The second term is how much of the fall the proxy missed; a fall it saw in full (g unchanged, as with
    no flaw, where proxy = true) counts 0, however large. The maximum over noisy evaluations biases the first term
    upward but not the second."""
    t = int(np.argmax(true))
    if true[t] - true[0] < OVEROPT_RISE:
        return float("nan")
    return min(true[t] - true[-1], (proxy[-1] - true[-1]) - (proxy[t] - true[t]))


def flaw_drop(m: Measurements, config: Any) -> Estimate:
    """Per seed at the smallest β, flawed grader: :func:`goodhart_drop` of each RL run's true and proxy reward over
    training, the mean over the seed's ``flaw_replicates`` RL runs. Undefined (NaN, so the claim reads inconclusive)
    when any run's true reward never rose :data:`OVEROPT_RISE` above step 0: that run cannot show the shape."""
    per_seed: dict[int, list[float]] = {}
    for role in FLAW_ROLES:
        for i in _rows(m, kind="flaw", beta=min(config.betas), role=role):
            drop = goodhart_drop([c["true_train"][i] for c in m["curves"]], [c["proxy_train"][i] for c in m["curves"]])
            per_seed.setdefault(m["specs"][i]["seed"], []).append(drop)
    flat = [d for _, x in sorted(per_seed.items()) for d in x]
    never_rose = sum(math.isnan(d) for d in flat)
    if never_rose:
        return Estimate(math.nan, math.nan, math.nan, f"undefined: {never_rose} of {len(flat)} flawed-grader runs "
                        f"never rose {OVEROPT_RISE} above their step-0 true reward (no peak to fall from)")  # fmt: skip
    return _seeds([float(np.mean(x)) for _, x in sorted(per_seed.items())])


def frozen_probe_drop(m: Measurements, config: Any) -> Estimate:
    """Per seed: the frozen pre-RL probe's held-out accuracy before training minus after, for the configured views
    method (the first arm)."""
    v = m["views"]
    last = v["curves"][config.views_method][-1]
    return _seeds([a - b for a, b in zip(v["pre_acc"], last["frozen_acc"], strict=True)])


CHALK = (
    'Alex Chalk, "Brief Research Summaries: Importance of Technical AI Evidence", the section on RLHF, the sentence '
    'beginning "Since model updates are limited" (a research summary for policymakers, not on arXiv)'
)

FROZEN = Contrast("rl-frozen", {"rl_lr": 1e-6}, "not_replicated", "the RL arm is frozen (learning rate 1e-6), so "
                  "nothing can be learned from the reward")  # fmt: skip
SMALL_SPACE = Contrast("144-answers", {"graded_base": 12, "graded_digits": 2}, "not_replicated",
                       "144 answers instead of 10^4: the largest heavy-tailed error is no longer far beyond the "
                       "true reward's range, so no tail is heavy")  # fmt: skip

CLAIMS = (
    Claim(
        "rl-raises-pass1",
        "Simple RL works: GRPO with a 0/1 correctness reward and a KL penalty raises pass@1 on held-out problems by "
        f"at least {PASS1_GAIN} over the pretrained base model, in every seed (each seed one base model and its RL "
        "run, judged on its own interval over the held-out problems; Skeptic's line; R1-Zero rose from 15.6% to "
        "71.0%).",
        f"{R1}, §2.2.4 and Figure 2 (R1-Zero's AIME pass@1 over RL steps)",
        pass1_gain,
        AllAtLeast(PASS1_GAIN),
        own_threshold="'a significant increase' is the source's word; +0.2 absolute is Skeptic's line",
        # Read (issue 32's quote session) in three stored text extractions of the v1 PDF (the search index's files
        # 15791837540, 33680555449, 6905825955) and a page that images this paragraph of 2501.12948v1, page 6; the
        # extractions differ only after the quoted words (OCR of "o1").
        quote=Quote(
            "Notably, the average pass@1 score on AIME 2024 shows a significant increase, jumping from an initial "
            "15.6% to an impressive 71.0%",
            "arXiv 2501.12948v1, §2.2.4 'Performance, Self-evolution Process and Aha Moment of DeepSeek-R1-Zero'",
        ),
        contrasts=(FROZEN,),
        band=(AllAtLeast(0.1), AllAtLeast(0.3)),
        confirmed_by="pass1-recomputed",
    ),
    Claim(
        "kl-falls-with-beta",
        "The KL penalty limits how far RL moves the model: on the graded task, where the optimum's KL varies over the "
        f"β grid, the GRPO-trained policy's KL(π ‖ π_ref) at the smallest β exceeds that at the largest by at least "
        f"{KL_DROP} nats (Skeptic's line).",
        f"{SHAO}, §4.1.1 eq. 3 (the β-weighted KL term of the GRPO objective)",
        kl_drop,
        AtLeast(KL_DROP),
        own_threshold="the source gives no size; 0.5 nats is Skeptic's line",
        # The sentence after eq. 3, read (issue 32's quote session) in a stored arXiv HTML rendering of 2402.03300 (the
        # search index's file 66558558722; it shows no version number) and in a stored copy of the LaTeX source
        # (41620122683): the same words in both.
        quote=Quote(
            "Also note that, instead of adding KL penalty in the reward, GRPO regularizes by directly adding the KL "
            "divergence between the trained policy and the reference policy to the loss",
            "arXiv 2402.03300v3, §4.1.1, the sentence after eq. 3",
        ),
        contrasts=(
            Contrast(
                "no-kl-term",
                {"kl_penalty": False},
                "not_replicated",
                "the KL term is dropped from every arm, so β cannot change anything",
            ),
        ),
        band=(AtLeast(0.25), AtLeast(1.0)),
        confirmed_by="kl-drop-recomputed",
    ),
    Claim(
        "k3-penalty-is-forward-kl",
        "GRPO's k3 term regularizes toward KL(π ‖ π_ref): trained without std normalization (Dr. GRPO) on the graded "
        "true reward, the policy sits on the optimum of E[U] − β KL(π ‖ π_ref) (the tilt, at the arm's own "
        f"coefficients) within mean total variation {FORWARD_TOL} (Skeptic's tolerance), averaged over the β grid.",
        f"{SHAO}, §4.1.1, eq. 4 and the sentence before it",
        forward_gap,
        AtMost(FORWARD_TOL),
        own_threshold="the source states an estimator, not a tolerance; TV ≤ 0.05 is Skeptic's line",
        # Corrected in issue 32's quote session: the source reads "used in (2)" (its eq. 2, PPO's per-token penalty),
        # not "used in PPO", and "which is guaranteed to be positive." follows eq. 4, so it is left out. Read in the
        # stored arXiv HTML rendering (66558558722) and LaTeX source copy (41620122683); "(2)" is the rendered \eqref.
        quote=Quote(
            "And different from the KL penalty term used in (2), we estimate the KL divergence with the following "
            "unbiased estimator (Schulman, 2020)",
            "arXiv 2402.03300v3, §4.1.1, before eq. 4",
        ),
        contrasts=(
            Contrast(
                "kl-in-reward",
                {"kl_estimator": "k1-reward"},
                "replicated",
                "the trainer's KL term becomes the log-ratio in the reward, whose gradient is that of KL(π ‖ π_ref)",
            ),
        ),
        band=(AtMost(0.02), AtMost(0.1)),
        confirmed_by="kl-gradient-direction",
    ),
    *(
        claim
        for measure, tag, where in (
            (tilt_gain, "-optimum", "the exact optimum of E[U] − β KL(π ‖ π_ref) (the tilt)"),
            (trained_gain, "-trained", "the policy trained with the KL in its reward (forward KL), on its fixed point"),
        )
        for claim in (
            Claim(
                f"light-tail-kl-protects{tag}",
                f"With a light-tailed (normal) proxy error over 10^4 answers, {where} at the least restrictive β of "
                "the "
                f"grid achieves at least {LIGHT_SHARE} of the possible true-reward gain (Skeptic's line for "
                "'arbitrarily high utility' on a bounded reward).",
                f"{KWA}, abstract and Theorem 6",
                measure("light"),
                AtLeast(LIGHT_SHARE),
                own_threshold="the theorem is asymptotic; half the possible gain is Skeptic's line",
                quote=KWA_QUOTE,
                contrasts=(
                    Contrast(
                        "light-is-heavy",
                        {"light_error": "t3"},
                        "not_replicated",
                        "the 'light-tailed' error is drawn from the heavy-tailed t3 law instead",
                    ),
                    Contrast(
                        "light-is-heavy-144-answers",
                        {"light_error": "t3", "graded_base": 12, "graded_digits": 2},
                        "replicated",
                        "a control, not a flip: the same t3 swap on 144 answers instead of 10^4, where the largest of "
                        "144 draws is not far beyond the true reward's range, must NOT defeat the claim (the "
                        "heavy/light distinction vanishes; the audit lists it as 'not discriminating', as intended)",
                    ),
                ),
                band=(AtLeast(0.3), AtLeast(0.7)),
                confirmed_by="kwa-gains-recomputed",
            ),
            Claim(
                f"heavy-tail-kl-fails{tag}",
                "With a heavy-tailed (Student-t, 3 d.o.f.) proxy error of the same SD over 10^4 answers, "
                f"{where} at the "
                f"least restrictive β achieves at most {HEAVY_SHARE} of the possible true-reward gain: no more "
                "utility than the base model (Skeptic's line).",
                f"{KWA}, abstract and Theorem 4",
                measure("heavy"),
                AtMost(HEAVY_SHARE),
                own_threshold="'no more utility than the base model' is read as at most a tenth of the possible gain",
                quote=KWA_QUOTE,
                contrasts=(
                    SMALL_SPACE,
                    Contrast(
                        "heavy-is-light",
                        {"heavy_error": "normal"},
                        "not_replicated",
                        "the 'heavy-tailed' error is drawn from the normal law instead",
                    ),
                ),
                band=(AtMost(0.05), AtMost(0.25)),
                confirmed_by="kwa-gains-recomputed",
            ),
        )
    ),
    Claim(
        "views-unchanged-under-kl",
        "RL with a KL penalty changes how the model presents, not what it represents: GRPO with the k3 KL term that "
        "rewards the misconception order 'a c' on every problem (an output that ignores whether the problem is hard) "
        "raises that output's probability (a probe), while a linear probe for 'the problem is hard' fitted on the "
        f"pre-RL model's last-layer states, frozen, loses at most {VIEW_DROP} of its held-out accuracy (Skeptic's "
        "line).",
        CHALK,
        frozen_probe_drop,
        AtMost(VIEW_DROP),
        own_threshold="the remark gives no size; a frozen-probe accuracy drop of at most 0.05 is Skeptic's line",
        quote=Quote(
            "Since model updates are limited, perhaps the modifications that occur correspond to how the model "
            "presents its views, leaving the views themselves unchanged.",
            f"{CHALK}; the words as cited in Skeptic issue 29",
        ),
        contrasts=(
            Contrast(
                "readout-only",
                {"views_trainable": "readout"},
                "replicated",
                "the same KL-penalized GRPO may update only the readout after the last block (final layer norm and "
                "unembedding): the output still moves (the arms-work probe) but the states the frozen probe reads "
                "cannot, so the view must read unchanged; this is the result that makes the claim replicated",
            ),
            Contrast(
                "sft-same-outputs",
                {"views_method": "sft"},
                "not_replicated",
                "supervised fine-tuning on the same outputs, with no KL term limiting the update, should move the "
                "representation at least as much",
            ),
        ),
        band=(AtMost(0.02), AtMost(0.1)),
        confirmed_by="views-frozen-check",
    ),
    Claim(
        "flaw-overoptimized",
        "Against a grader with an exploitable flaw, at the smallest β the true reward rises, peaks and then falls "
        f"while the proxy does not: each run's true reward first climbs at least {OVEROPT_RISE} above the base "
        f"model's (else the fall is undefined and the claim inconclusive), then ends at least {OVEROPT_DROP} below "
        "its peak over training, and the proxy's excess over the true reward grew by at least as much over that span "
        "(Skeptic's lines; the fall counted is the smaller of the two; per seed, the mean of the seed's "
        "flaw_replicates RL runs from its base model).",
        f"{GAO}, abstract, Figure 1 and §3",
        flaw_drop,
        AtLeast(OVEROPT_DROP),
        own_threshold="Gao et al. show the shape; the 0.05 rise and the 0.05 drop are Skeptic's lines",
        quote=Quote(
            "Because the reward model is an imperfect proxy, optimizing its value too much can hinder ground truth "
            "performance, in accordance with Goodhart's law.",
            "arXiv 2210.10760v1, abstract",
        ),
        contrasts=(
            Contrast(
                "flaw-below-correct",
                {"flaw_bonus": 0.5},
                "not_replicated",
                "the flaw's bonus (0.5) is below a correct answer's reward, so exploiting it never pays",
            ),
        ),
        band=(AtLeast(0.02), AtLeast(0.1)),
        confirmed_by="flaw-drop-recomputed",
    ),
)


# ---------------------------------------------------------------------------------------------------
# Probes
# ---------------------------------------------------------------------------------------------------


def views_frozen_check_probe(m: Measurements, config: Any) -> ProbeOutcome:
    return ProbeOutcome(*views_frozen_check(m, config))


def views_update_as_declared_probe(m: Measurements, config: Any) -> ProbeOutcome:
    return ProbeOutcome(*views_update_as_declared(m, config))


def _probe(fn: Callable[[Measurements], tuple[bool, str]]) -> Callable[[Measurements], ProbeOutcome]:
    def check(m: Measurements) -> ProbeOutcome:
        ok, detail = fn(m)
        return ProbeOutcome(ok, detail)

    return check


def base_matches_corpus(m: Measurements) -> tuple[bool, str]:
    """Each base model learned its corpus on problems it never saw: KL(corpus ‖ base) is at most half the KL of a
    model that ignores the problem (the corpus's answer marginal). Too little learning and clean labels leaking
    into pretraining (a base model more confident than its corpus) both fail it."""
    b = m["base"]
    worst = max(b["kl_corpus_base"])
    return worst <= 0.5 * b["kl_corpus_null"], (
        f"KL(corpus ‖ base) per seed {[round(x, 3) for x in b['kl_corpus_base']]} nats vs the problem-blind model's "
        f"{b['kl_corpus_null']:.3f}; base pass@1 easy {[round(x, 3) for x in b['pass1_easy']]}, hard "
        f"{[round(x, 3) for x in b['pass1_hard']]} (corpus: {b['corpus_pass1_easy']:.3f}, {b['corpus_pass1_hard']:.3f})"
    )


def split_disjoint(m: Measurements) -> tuple[bool, str]:
    """Held-out problems are disjoint from the training problems; monitored problems are training problems."""
    train, held, mon = set(m["split"]["train"]), set(m["split"]["heldout"]), set(m["split"]["monitor"])
    ok = not (train & held) and mon <= train and len(train) + len(held) == 1000
    return ok, f"{len(train & held)} held-out problems in training; {len(mon - train)} monitored outside training"


def controls_unchanged(m: Measurements) -> tuple[bool, str]:
    """Learning rate 0, and a constant reward with β = 0 (zero advantage, no KL term), leave a model exactly as it
    was; every trained policy moved."""
    ch = m["final"]["max_param_change"]
    ctrl = [ch[i] for i, s in enumerate(m["specs"]) if s["role"] in ("lr0", "const")]
    moved = [ch[i] for i, s in enumerate(m["specs"]) if s["role"] not in ("lr0", "const")]
    ok = max(ctrl) == 0.0 and min(moved) > 0.0
    return ok, f"controls' largest parameter change {max(ctrl):.3g}; trained policies' smallest {min(moved):.3g}"


def k3_unbiased(m: Measurements) -> tuple[bool, str]:
    """The k3 estimator the optimizer uses is unbiased for KL(π ‖ π_base): its exact expectation over all answers
    equals the exact KL (to 1e-4 + 0.1%), for every policy; and the penalty the optimizer applied during training
    measures the distance from the base model: its sampled estimate, averaged over the last evaluation window, is at
    least a third of the exact KL there (− 0.03). Only a lower bound: k3's ratio π_base/π is heavy-tailed once π has
    left π_base, so sampled means scatter widely above the exact value (seen up to ×3.2 in clean runs)."""
    ps = m["probe_samples"]
    pairs = zip(ps["k3_expectation"], ps["exact_kl_first"], strict=True)
    gaps = [abs(a - b) / (1e-4 + 1e-3 * abs(b)) for a, b in pairs]
    worst = int(np.argmax(gaps))
    ok = max(gaps) <= 1.0
    detail = (
        f"exact E[Σ k3] vs exact KL, worst policy {worst}: {ps['k3_expectation'][worst]:.6f} vs "
        f"{ps['exact_kl_first'][worst]:.6f}"
    )
    curves, hist = m["curves"], m["history"]
    if len(curves) >= 2:
        a, b = curves[-2], curves[-1]
        window = hist[a["step"] : b["step"]]
        ratios = []
        for i, s in enumerate(m["specs"]):
            if s["role"] in ("lr0", "const"):
                continue
            tk = float(np.mean([h["k3"][i] for h in window]))
            ex = 0.5 * (a["kl_train"][i] + b["kl_train"][i])
            bad = tk < ex / 3 - 0.03
            ratios.append((bad, -(tk + 0.03) / (ex + 0.03), i, tk, ex))
        bad, _, i, tk, ex = max(ratios)
        ok = ok and not bad
        detail += f"; training-time sampled k3 vs exact KL, lowest ratio at policy {i}: {tk:.4f} vs {ex:.4f}"
    return ok, detail


def sampler_matches_exact(m: Measurements) -> tuple[bool, str]:
    """Sampled answers are correct as often as the exact probabilities say, and the unbiased pass@k estimate from the
    samples (k = 1, 2, 4) matches the exact pass@k curve (±4 binomial SE + 0.02), every policy."""
    ps = m["probe_samples"]
    n, P = ps["n"], ps["prompts"]
    per_prompt = n // P
    z, where = [], []
    for i, (s, e) in enumerate(zip(ps["sample_correct"], ps["exact_correct"], strict=True)):
        se = float(np.sqrt(max(e * (1 - e), 1e-12) / n))
        z.append(abs(s - e) / (4 * se + 0.02))
        where.append(f"policy {i}: sampled correct {s:.3f} vs exact {e:.3f}")
        for k, sk, ek in zip(ps["ks"], ps["sampled_pass_at_k"][i], ps["exact_pass_at_k"][i], strict=True):
            se_k = float(np.sqrt(max(ek * (1 - ek), 1e-12) / (P * max(per_prompt // k, 1))))
            z.append(abs(sk - ek) / (4 * se_k + 0.02))
            where.append(f"policy {i}: sampled pass@{k} {sk:.3f} vs exact {ek:.3f}")
    worst = int(np.argmax(z))
    return max(z) <= 1.0, f"worst: {where[worst]} ({n} samples per policy)"


def checker_agrees(m: Measurements) -> tuple[bool, str]:
    """The batched reward agrees with an independent text checker (the last digit, then the first) on every sample,
    and every policy's proxy error table is the one its spec names, rebuilt from the answers' text (the flawed
    grader's bonus on answers containing '#'; none for the others) to 1e-6."""
    ps = m["probe_samples"]
    gap = max(ps["grader_table_gap"])
    worst = int(np.argmax(ps["grader_table_gap"]))
    ok = ps["checker_disagreements"] == 0 and gap <= 1e-6
    return ok, (
        f"{ps['checker_disagreements']} disagreements in {ps['checked']} answers; largest proxy-table gap to the text "
        f"grader {gap:.3g} (policy {worst})"
    )


def seeds_agree(m: Measurements) -> tuple[bool, str]:
    """Independent seeds agree: base pass@1 within 0.1 of each other, and the RL gain at β_main has the same sign in
    every seed; and they are distinct replicates (base models and the graded heavy-tailed error tables all differ)."""
    base = m["base"]["pass1"]
    spread = max(base) - min(base)
    tops = m["graded"]["error_max"]["heavy"]
    distinct = len({round(x, 12) for x in base}) == len(base) and len({round(x, 12) for x in tops}) == len(tops)
    rows = _rows(m, kind="true", beta=m["config"]["beta_main"], role="sweep")
    gains = [m["final"]["pass1"][i] - base[m["specs"][i]["seed"]] for i in rows]
    same_sign = all(g > 0 for g in gains) or all(g < 0 for g in gains)
    ok = spread <= 0.1 and distinct and same_sign
    return ok, (
        f"base pass@1 per seed {[round(x, 3) for x in base]}; RL gain per seed {[round(g, 3) for g in gains]}; "
        f"replicates distinct: {distinct}"
    )


def kl_gradient_direction(m: Measurements) -> tuple[bool, str]:
    """The k3 estimator used as a loss (sampling weights held fixed) has, by autograd, the gradient of
    KL(π_ref ‖ π) to 1e-10 and not that of KL(π ‖ π_ref) (they differ by ≥ 1e-3 here); and the mean over 20,000
    sampled groups of the real GRPO loss's gradient (k3 in the loss; and k1 in the reward) matches the graded arms'
    expected update to 4 Monte Carlo SE + 1e-3 on every logit."""
    g = m["kl_gradients"]
    ok = g["k3_vs_reverse"] <= 1e-10 and g["k3_vs_forward"] >= 1e-3
    worst = 0.0
    for est in ("k1-reward", "k3-loss"):
        e, s, se = (np.array(g[est][k]) for k in ("expected", "sampled", "se"))
        worst = largest((worst, float(np.max(np.abs(e - s) / (4 * se + 1e-3)))))
    ok = ok and worst <= 1.0
    return ok, (
        f"|∇k3-loss − ∇KL(π_ref‖π)| = {g['k3_vs_reverse']:.2g}, |∇k3-loss − ∇KL(π‖π_ref)| = {g['k3_vs_forward']:.3g}; "
        f"sampled vs expected update, worst |diff| / (4 SE + 1e-3) = {worst:.2f}"
    )


def adam_matches_reference(m: Measurements) -> tuple[bool, str]:
    """The hand-written stacked Adam that trains every transformer equals PyTorch's own Adam, model by model, over
    its first steps (to 1e-12 in float64), moves each model with a learning rate (by ≥ 0.01) and leaves the one
    with learning rate 0 exactly where it was."""
    o = m["optimizer_check"]
    ok = o["max_diff"] <= 1e-12 and o["max_move"] >= 0.01 and o["frozen_move"] == 0.0
    return ok, (
        f"{o['steps']} steps: largest |hand-written − torch.optim.adam| {o['max_diff']:.3g}; largest move "
        f"{o['max_move']:.3g}; learning-rate-0 model moved {o['frozen_move']:.3g}"
    )


def arms_reach_optimum(m: Measurements) -> tuple[bool, str]:
    """Every graded arm works and has converged: its policy lies within total variation 0.02 (mean over prompts) of
    the optimum of the objective its update ascends, and it gained at least half of that optimum's proxy-reward gain
    over the reference policy."""
    g = m["graded"]
    worst_tv, sp, short = 0.0, {}, []
    for a in g["arms"]:
        if a["tv_own"] > worst_tv:
            worst_tv, sp = a["tv_own"], a
        if a["proxy"] - a["ref_proxy"] < 0.5 * (a["opt_proxy"] - a["ref_proxy"]):
            short.append(a)
    return worst_tv <= OWN_TOL and not short, (
        f"largest TV to the own optimum {worst_tv:.4f} ({sp.get('arm')}, {sp.get('kind')}, β = {sp.get('beta')}); "
        f"{len(short)} arms below half their optimum's gain"
    )


def penalty_binds(m: Measurements) -> tuple[bool, str]:
    """The β grid binds: the forward-KL optimum's KL on the graded true reward (mean over seeds) at the smallest β is
    at least 4 times that at the largest, so KL-vs-β claims test training, not the reward's range."""
    t = [r for r in m["graded"]["tilts"] if r["kind"] == "true"]
    betas = sorted({r["beta"] for r in t})
    kl = [float(np.mean([r["kl"] for r in t if r["beta"] == b])) for b in betas]
    return kl[0] >= 4 * kl[-1], f"tilt KL over β {betas}: {[round(x, 3) for x in kl]} nats"


def _verdict_rate(rows: list[list[float]], comparison: Any, verdict: str) -> float:
    return float(np.mean([comparison.evaluate(_draws(r))[0] == verdict for r in rows]))


def kwa_simulation_power(m: Measurements) -> tuple[bool, str]:
    """A simulation of the Kwa et al. claims' own measure and comparison on fresh draws: at this answer space (when it
    has ≥ 10^4 answers) each claim decides heavy vs light correctly with probability ≥ 0.95 (light claim replicated
    under normal error and not under t3; heavy claim the reverse); at 144 answers t3 error decides neither claim the
    heavy way with probability > 0.5 (the heavy claim replicated, or the light claim not replicated): the
    distinction vanishes. The simulation computes the tilt's gain (the ``-optimum`` claims' measure); the
    ``-trained`` claims read the forward-KL arm, which ``arms-reach-optimum`` holds within TV 0.02 of that tilt."""
    sim = m["simulation"]
    light, heavy = AtLeast(LIGHT_SHARE), AtMost(HEAVY_SHARE)
    small = {
        "heavy|t3": _verdict_rate(sim["144"]["t3"], heavy, "replicated"),
        "light|t3 (not)": _verdict_rate(sim["144"]["t3"], light, "not_replicated"),
    }
    ok = max(small.values()) <= 0.5
    detail = "144 answers: " + ", ".join(f"P({k}) = {v:.2f}" for k, v in small.items())
    run = sim["run"]
    if run["n_answers"] >= 10_000:
        rates = {
            "light|normal": _verdict_rate(run["normal"], light, "replicated"),
            "light|t3 (not)": _verdict_rate(run["t3"], light, "not_replicated"),
            "heavy|t3": _verdict_rate(run["t3"], heavy, "replicated"),
            "heavy|normal (not)": _verdict_rate(run["normal"], heavy, "not_replicated"),
        }
        ok = ok and min(rates.values()) >= 0.95
        detail = (
            f"{run['n_answers']} answers: " + ", ".join(f"P({k}) = {v:.2f}" for k, v in rates.items()) + "; " + detail
        )
    return ok, detail + f" ({len(run['t3'])} draws each)"


def goodhart_tilt(m: Measurements) -> tuple[bool, str]:
    """This study's tilt on 200,000 sampled (V, X) agrees with the Goodhart study's exact E[V] (±4 SE + 0.02),
    and the Goodhart calculator finds no tilt for heavy-tailed X."""
    g = m["goodhart"]
    ok = abs(g["finite_mean_v"] - g["exact_mean_v"]) <= 4 * g["finite_se"] + 0.02 and not g["heavy_tilt_exists"]
    return ok, (
        f"finite tilt E[V] {g['finite_mean_v']:.4f} ± {g['finite_se']:.4f} vs exact {g['exact_mean_v']:.4f} "
        f"(β = {g['beta']}); heavy-tailed tilt exists: {g['heavy_tilt_exists']}"
    )


def views_probe_works(m: Measurements) -> tuple[bool, str]:
    """The view is there to be read before RL, and the probe reads nothing else: the pre-RL probe's held-out accuracy
    is ≥ 0.8 in every seed, and a control probe fitted to random labels (Hewitt & Liang 2019's control task) is at
    chance on held-out problems: its mean over seeds is ≤ 0.5 + 3 binomial SE."""
    v = m["views"]
    n = len(m["split"]["heldout"]) * len(v["pre_acc"])
    ctrl = float(np.mean(v["random_label_acc"]))
    ok = min(v["pre_acc"]) >= VIEW_PROBE_ACC and ctrl <= 0.5 + 3 * 0.5 / np.sqrt(n)
    return ok, (
        f"pre-RL probe accuracy per seed {[round(x, 3) for x in v['pre_acc']]} (≥ {VIEW_PROBE_ACC}); random-label "
        f"control {ctrl:.3f} (≤ {0.5 + 1.5 / np.sqrt(n):.3f})"
    )


def views_arms_work(m: Measurements) -> tuple[bool, str]:
    """Every views arm changed the output: the exact probability of its target answer on held-out problems rose by at
    least 0.2 over the base model's, in every seed."""
    v = m["views"]
    moves = {a: [c - b for c, b in zip(v["curves"][a][-1]["target"], v["base_target"], strict=True)]
             for a in v["arms"]}  # fmt: skip
    worst = min(min(x) for x in moves.values())
    return worst >= OUTPUT_MOVE, "output change per arm and seed: " + "; ".join(
        f"{a} {[round(x, 3) for x in x_]}" for a, x_ in moves.items()
    )


def views_update_as_declared(m: Measurements, config: Any) -> tuple[bool, str]:
    """Every views arm updated exactly the weights its config declares: the readout (final layer norm and unembedding)
    moved in every arm and seed; the weights before it moved too when all are trained, and not at all (bit for bit)
    when only the readout is (the contrast in which the probed states cannot change)."""
    v, readout_only = m["views"], config.views_trainable == "readout"
    worst_ok, lines = True, []
    for arm in v["arms"]:
        moved = v["final"][arm]["moved"]
        head = [min(x) for k, x in moved.items() if k.startswith(READOUT_PREFIXES)]
        body = [max(x) for k, x in moved.items() if not k.startswith(READOUT_PREFIXES)]
        body_min = min(max(x[s] for k, x in moved.items() if not k.startswith(READOUT_PREFIXES))
                       for s in range(len(v["pre_acc"])))  # fmt: skip
        ok = bool(head) and min(head) > 0 and (max(body) == 0 if readout_only else body_min > 0)
        worst_ok &= ok
        lines.append(f"{arm}: readout moved ≥ {min(head, default=0):.3g}, earlier weights "
                     f"{'largest' if readout_only else 'smallest per-seed largest'} move "
                     f"{max(body) if readout_only else body_min:.3g}")  # fmt: skip
    return worst_ok, f"trainable = {config.views_trainable}; " + "; ".join(lines)


def views_frozen_check(m: Measurements, config: Any) -> tuple[bool, str]:
    """The frozen probe is the pre-RL probe, and the claim's quantity stands: the final held-out margin and accuracy,
    recomputed from the stored pre-RL weights by a separate line of code, equal what the training curve recorded (to
    1e-9), every arm and seed; and the accuracy drop recomputed from those (pre-RL minus final, each recomputed, the
    configured method's arm) equals the claim's measured drop (to 1e-9)."""
    v = m["views"]
    gaps = [
        abs(a - b)
        for arm in v["arms"]
        for key in ("margin", "acc")
        for a, b in zip(v["curves"][arm][-1][f"frozen_{key}"], v["final"][arm][f"frozen_{key}_check"], strict=True)
    ]
    gaps += [abs(a - b) for a, b in zip(v["pre_acc"], v["pre_acc_check"], strict=True)]
    after = v["final"][v["arms"][0]]["frozen_acc_check"]
    drop = np.mean([a - b for a, b in zip(v["pre_acc_check"], after, strict=True)])
    claimed = frozen_probe_drop(m, config).value
    ok = max(gaps) <= 1e-9 and abs(drop - claimed) <= 1e-9 and v["arms"][0] == config.views_method
    return ok, (
        f"largest |curve − recomputed| frozen margin/accuracy {max(gaps):.3g}; drop recomputed {drop:.4f} vs "
        f"claimed {claimed:.4f} ({v['arms'][0]} arm; configured {config.views_method})"
    )


RECOMPUTE_TOL = 1e-5
"""Tolerance of the recomputation probes: the same quantity by separate code, float32 models read in float64."""


def _spec_rows(specs: list[dict[str, Any]], kind: str, beta: float, role: str = "sweep") -> dict[int, int]:
    """seed → row of the transformer policy with these labels, found by scanning the labels (not :func:`_rows`)."""
    out: dict[int, int] = {}
    for i, sp in enumerate(specs):
        if (sp["kind"], sp["beta"], sp["role"]) == (kind, beta, role):
            if sp["seed"] in out:
                raise ValueError(f"two policies labelled {kind}, β = {beta}, {role}, seed {sp['seed']}")
            out[sp["seed"]] = i
    return out


def _agrees(name: str, claimed: float, recomputed: float, tol: float = RECOMPUTE_TOL) -> tuple[bool, str]:
    ok = bool(np.isfinite(claimed)) and abs(claimed - recomputed) <= tol
    return ok, f"{name}: claimed {claimed:.6f}, recomputed {recomputed:.6f}"


def _strata_interval(gains: list[float], hard: list[bool]) -> tuple[float, float, float]:
    """(mean, lo, hi) of a per-problem gain over a held-out set stratified into easy and hard problems, by separate
    code from :func:`analysis.stratified_mean_ci`: Neyman's stratified variance and Satterthwaite's df written out
    over the two strata."""
    n = len(gains)
    parts = []
    for flag in (False, True):
        xs = [g for g, h in zip(gains, hard, strict=True) if h == flag]
        k = len(xs)
        mu = sum(xs) / k
        s2 = sum((x - mu) ** 2 for x in xs) / (k - 1)
        parts.append(((k / n) ** 2 * s2 / k, k - 1))
    var = sum(a for a, _ in parts)
    mean = sum(gains) / n
    if var == 0.0:
        return mean, mean, mean
    half = float(sps.t.ppf(0.975, var**2 / sum(a * a / d for a, d in parts))) * math.sqrt(var)
    return mean, mean - half, mean + half


def pass1_recomputed(m: Measurements, config: Any) -> tuple[bool, str]:
    """rl-raises-pass1's quantity by separate code: each seed's RL policy (true reward, β_main), found by its labels,
    pass@1 per held-out problem as Σ_y π(y)·check(y) with the independent text checker over all 144 answers, minus
    its base model's, and the per-seed mean and interval over the problems, the hard ones read from each problem's
    text (its last digit ≥ 5): each must equal the claim's (value, lo, hi) to 1e-5; also the last exact evaluation
    is of the final policy (its pass@1 equals the final measurement's) at the configured last step."""
    rows = _spec_rows(m["specs"], "true", config.beta_main)
    last, fin, base = m["curves"][-1], m["final"], m["base"]["pass1_check_problems"]
    hard = [f"{int(p):03d}"[2] >= "5" for p in m["split"]["heldout"]]
    claimed = pass1_gain(m, config)
    worst, lines = 0.0, []
    for (seed, i), est in zip(sorted(rows.items()), claimed, strict=False):
        gains = [a - b for a, b in zip(fin["pass1_check_problems"][i], base[seed], strict=True)]
        mean, lo, hi = _strata_interval(gains, hard)
        worst = largest((worst, abs(mean - est.value), abs(lo - est.lo), abs(hi - est.hi)))
        lines.append(f"seed {seed}: {mean:.4f} [{lo:.4f}, {hi:.4f}]")
    same = largest(abs(last["pass1_check"][i] - fin["pass1"][i]) for i in rows.values())
    ok = (len(rows) == config.n_seeds == len(claimed) and worst <= RECOMPUTE_TOL and same <= RECOMPUTE_TOL
          and last["step"] == config.rl_steps)  # fmt: skip
    return ok, (
        f"per-seed pass@1 gain recomputed {'; '.join(lines)}; largest |claimed − recomputed| {worst:.2g} "
        f"({len(rows)} seeds, {len(claimed)} claimed); last evaluation at step {last['step']} vs final |Δ| {same:.2g}"
    )


def _flaw_runs(specs: list[dict[str, Any]], beta: float) -> dict[int, list[int]]:
    """seed → rows of every trained flawed-grader policy at ``beta`` (the sweep's and its replicates), by scanning
    the labels (not :func:`_rows`)."""
    out: dict[int, list[int]] = {}
    for i, sp in enumerate(specs):
        if sp["kind"] == "flaw" and sp["beta"] == beta and sp["lr"] > 0:
            out.setdefault(sp["seed"], []).append(i)
    return out


def _proxy_bonus(kind: str, answer: str, bonus: float) -> float:
    """The answer-only part of the reward a policy's proxy curve records, by text: the flawed grader pays ``bonus``
    for any answer containing '#'; every other policy's curve (the true-reward runs and the controls) records the
    true reward, which has none."""
    return bonus if kind == "flaw" and "#" in answer else 0.0


def proxy_recomputed(m: Measurements, config: Any) -> tuple[np.ndarray, str]:
    """Every policy's proxy value at every exact evaluation, ``[E, M]``, by separate code from the experiment's
    batched error tables: E_π[U] = E_π[check] + Σ_y π̄(y) · bonus(y), with E_π[check] the text checker's true reward
    (``true_check``), π̄ the policy's stored answer distribution averaged over the monitored problems
    (``answer_mass``, answer index 12·t₁ + t₂) and bonus(y) the grader its label names read from the answer's text by
    this module's own decoder (:func:`_proxy_bonus`). Exact because a correct answer is two digits, never '#', and
    the bonus depends on the answer alone. Also returns what is wrong with the stored distributions ('' if nothing):
    each must be a distribution over the 144 answers."""
    n = len(TOKEN_CHARS)
    texts = [TOKEN_CHARS[a // n] + TOKEN_CHARS[a % n] for a in range(n * n)]
    kinds = [sp["kind"] for sp in m["specs"]]
    bonus = np.array([[_proxy_bonus(k, t, config.flaw_bonus) for t in texts] for k in kinds])  # [M, 144]
    out, problems = [], []
    for c in m["curves"]:
        if "answer_mass" not in c:
            return np.full((len(m["curves"]), len(kinds)), np.nan), "no stored answer distributions"
        mass = np.asarray(c["answer_mass"], dtype=float)
        if mass.shape != bonus.shape or mass.min() < -1e-12 or np.abs(mass.sum(-1) - 1).max() > 1e-6:
            problems.append(f"step {c['step']}: answer masses of shape {mass.shape} are not distributions")
            mass = np.zeros_like(bonus) if mass.shape != bonus.shape else mass
        out.append(np.asarray(c["true_check"], dtype=float) + (mass * bonus).sum(-1))
    return np.array(out), "; ".join(problems)


def flaw_drop_recomputed(m: Measurements, config: Any) -> tuple[bool, str]:
    """The proxy curve and flaw-overoptimized's quantity by separate code. (1) Every policy's recorded proxy value
    (flawed-grader and clean runs, whose proxy is the true reward) at every exact evaluation must equal
    :func:`proxy_recomputed` (the text checker, the stored answer distributions and the grader's definition) to
    1e-5. (2) Per seed, every flawed-grader policy at the smallest β (the configured number of replicates, each
    seed), true reward as Σ_y π(y)·check(y) (text checker) on the monitored problems at every exact evaluation; the
    fall from its peak, capped by the growth over the same span of the recomputed proxy's excess over that true
    reward; averaged per seed and then over seeds: it must equal the claim's."""
    proxy, broken = proxy_recomputed(m, config)
    recorded = np.array([c["proxy_train"] for c in m["curves"]], dtype=float)
    diff = np.abs(recorded - proxy) if recorded.shape == proxy.shape else np.full(proxy.shape, math.inf)
    proxy_gap = float(diff.max()) if diff.size and not np.isnan(diff).any() else math.inf
    worst = ""
    if RECOMPUTE_TOL < proxy_gap < math.inf:  # name the policy whose recorded curve is furthest off
        i = int(diff.max(0).argmax())
        worst = f" (policy {i}, {m['specs'][i]['kind']})"
    n_flaw = sum(sp["kind"] == "flaw" for sp in m["specs"])
    runs = _flaw_runs(m["specs"], min(config.betas))
    drops = []
    for rows in runs.values():
        per_run = []
        for i in rows:
            true = np.array([c["true_check"][i] for c in m["curves"]])
            gap = proxy[:, i] - true
            top = int(np.flatnonzero(true == true.max())[0])
            rose = bool(np.any(true[: top + 1] >= true[0] + OVEROPT_RISE))  # a climb of the line by the peak
            per_run.append(min(true[top] - true[-1], gap[-1] - gap[top]) if rose else math.nan)
        drops.append(float(np.mean(per_run)))
    claimed, recomputed = flaw_drop(m, config).value, float(np.mean(drops))
    if math.isnan(claimed) and math.isnan(recomputed):  # both undefined: some run never rose (the claim inconclusive)
        ok, detail = True, "true-reward drop: undefined in both (a run never rose above step 0)"
    else:
        ok, detail = _agrees("true-reward drop", claimed, recomputed)
    counts = sorted({len(r) for r in runs.values()})
    ok &= len(runs) == config.n_seeds and counts == [config.flaw_replicates]
    ok &= not broken and proxy_gap <= RECOMPUTE_TOL
    return ok, (
        f"{detail} ({len(runs)} seeds, {counts} runs each); every recorded proxy value vs the text grader's "
        f"recomputation ({n_flaw} flawed-grader and {recorded.shape[-1] - n_flaw} other policies × "
        f"{len(m['curves'])} evaluations): largest |Δ| {proxy_gap:.2g}{worst}" + (f"; {broken}" if broken else "")
    )


def kl_drop_recomputed(m: Measurements, config: Any) -> tuple[bool, str]:
    """kl-falls-with-beta's quantity by separate code (KL from each graded arm's raw logits in torch), and every
    graded arm's recorded KL equal to that recomputation."""
    arms = m["graded"]["arms"]
    pick = {a["beta"]: a["kl_check"] for a in arms if (a["kind"], a["arm"]) == ("true", "grpo")}
    ok, detail = _agrees("KL drop", kl_drop(m, config).value, pick[min(pick)] - pick[max(pick)], 1e-4)
    worst = max(abs(a["kl"] - a["kl_check"]) for a in arms)
    ok &= sorted(pick) == sorted(config.graded_betas) and worst <= 1e-4
    return ok, f"{detail}; every arm's |KL − recomputed| ≤ {worst:.2g}"


def kwa_gains_recomputed(m: Measurements, config: Any) -> tuple[bool, str]:
    """The four Kwa et al. claims' quantities by separate code: the share of the possible gain per prompt from the
    raw logits in torch (the ceiling 1 − E_ref[V], the target having V = 1), for the exact tilts and for the trained
    forward-KL arms at the least restrictive β, averaged over every (seed, prompt); and every tilt's and arm's
    recorded gains equal to that recomputation."""
    b, g = min(config.graded_betas), m["graded"]
    lines, ok = [], True
    for kind in ("light", "heavy"):
        opt = [x for t in g["tilts"] if (t["kind"], t["beta"]) == (kind, b) for x in t["gains_check"]]
        arm = [x for a in g["arms"] if (a["kind"], a["arm"], a["beta"]) == (kind, "k1", b) for x in a["gains_check"]]
        for name, measure, xs in (("optimum", tilt_gain, opt), ("trained", trained_gain, arm)):
            o, d = _agrees(f"{kind} {name}", measure(kind)(m, config).value, float(np.mean(xs)))
            ok &= o and len(xs) == config.n_seeds * config.graded_prompts
            lines.append(d)
    worst = max(
        abs(x - y) for r in [*g["tilts"], *g["arms"]] for x, y in zip(r["gains"], r["gains_check"], strict=True)
    )
    return ok and worst <= RECOMPUTE_TOL, "; ".join(lines) + f"; every row's |gain − recomputed| ≤ {worst:.2g}"


TOKEN_CHARS = "0123456789=#"
"""The text of each token id, written here apart from :mod:`.task` (the rescoring probe's own decoder)."""


def _rescore(seq: list[int], kind: str, bonus: float, order: str) -> tuple[float, float, int]:
    """(reward, true reward, problem number) of one sampled sequence by text alone: the prompt must read ``abc=``;
    the answer is right when it reads c then a (``order`` "ca"), or a then c for the views arms taught the
    misconception (``order`` "ac"); the flawed grader adds ``bonus`` to any answer containing '#'; the constant
    control pays 1. Problem number 100a + 10b + c (its row in the lexicographic problem list); −1 if the prompt
    is not a problem."""
    text = "".join(TOKEN_CHARS[t] for t in seq)
    prompt, answer = text[:4], text[4:]
    if len(text) != 6 or not (prompt[:3].isdigit() and prompt[3] == "="):
        return float("nan"), float("nan"), -1
    a, c = prompt[0], prompt[2]
    right = float(answer == (c + a if order == "ca" else a + c))
    reward = 1.0 if kind == "const" else right + (bonus if kind == "flaw" and "#" in answer else 0.0)
    return reward, right, int(prompt[:3])


def rewards_recomputed(m: Measurements, config: Any) -> tuple[bool, str]:
    """The rewards every recorded GRPO step trained on, rescored from the stored sampled token ids by separate code
    (:func:`_rescore`: its own decoder, the right answer read from the prompt's text, the grader each policy's label
    names): the transformer sweep and the views arms' GRPO, at evenly spaced steps from the first to the last.
    Every sample's stored reward and true reward must equal the rescoring (1e-6), every sampled prompt must be a
    training problem, and each recorded step's mean reward must be the one the training history logged (1e-5)."""
    train = set(m["split"]["train"])
    runs: list[tuple[str, dict[str, Any], list[str], str]] = [
        ("transformer", m["rollouts"], [sp["kind"] for sp in m["specs"]], "ca")
    ]
    order = "ac" if config.views_target == "misconception" else "ca"
    for arm, fin in m["views"]["final"].items():
        if "rollouts" in fin:
            runs.append((f"views {arm}", fin["rollouts"], ["true"] * len(m["views"]["pre_acc"]), order))
    bad = outside = garbled = checked = 0
    hist_gap, lines = 0.0, []
    for name, rec, kinds, ans_order in runs:
        for j, step in enumerate(rec["step"]):
            for i, kind in enumerate(kinds):
                for seq, r, v in zip(rec["seq"][j][i], rec["reward"][j][i], rec["true"][j][i], strict=True):
                    r2, v2, problem = _rescore(seq, kind, config.flaw_bonus, ans_order)
                    checked += 1
                    bad += not (abs(r - r2) <= 1e-6 and abs(v - v2) <= 1e-6)
                    outside += problem not in train
                    garbled += kind == "flaw" and TOKEN_CHARS.index("#") in seq[4:]
                if name == "transformer":
                    logged = m["history"][step - 1]["reward"][i]
                    hist_gap = max(hist_gap, abs(float(np.mean(rec["reward"][j][i])) - logged))
        lines.append(f"{name} steps {rec['step']}")
    flawed = any("flaw" in kinds for _, _, kinds, _ in runs)  # the grader's bonus must have been exercised
    ok = checked > 0 and bad == 0 and outside == 0 and hist_gap <= 1e-5 and (garbled > 0 or not flawed)
    return ok, (
        f"{bad} of {checked} sampled rewards differ from the text rescoring ({garbled} flawed-grader answers with "
        f"'#'); {outside} prompts outside the training problems; recorded vs logged mean reward |Δ| ≤ {hist_gap:.2g} "
        f"({'; '.join(lines)})"
    )


def _classes(config: Any) -> tuple[np.ndarray, np.ndarray]:
    """The graded true reward's classes m = 0…D matching digits: (π_ref's mass on each class, V on it), float64 from
    the definitions (C(D, m) (B − 1)^(D − m) answers, each with π_ref = q^m ((1 − q)/(B − 1))^(D − m); V = m/D)."""
    b, d, q = config.graded_base, config.graded_digits, config.graded_q
    k = np.arange(d + 1)
    size = np.array([math.comb(d, int(j)) * (b - 1) ** (d - int(j)) for j in k], dtype=float)
    return size * q**k * ((1 - q) / (b - 1)) ** (d - k), k / d


def _tilt_mass(ref: np.ndarray, v: np.ndarray, coef: float) -> np.ndarray:
    """argmax E[V] − coef · KL(π ‖ π_ref) per class: π_ref e^{V/coef} / Z (the tilt's closed form)."""
    a = np.log(ref) + v / coef
    e = np.exp(a - a.max())
    return np.asarray(e / e.sum())


def _reverse_mass(ref: np.ndarray, v: np.ndarray, coef: float) -> np.ndarray:
    """argmax E[V] − coef · KL(π_ref ‖ π) per class: coef · π_ref / (λ − V), λ = max V + s with s > 0 found by Brent's
    method (not the bisection of :func:`graded.reverse_optimum`) so that the masses sum to 1."""
    top = v.max()
    s = optimize.brentq(lambda x: float((coef * ref / ((top - v) + x)).sum()) - 1.0,
                        1e-6 * coef * ref[-1], coef, xtol=1e-300, rtol=1e-14)  # fmt: skip
    mass = coef * ref / ((top - v) + s)
    return np.asarray(mass / mass.sum())


def _grpo_coef(ref: np.ndarray, v: np.ndarray, beta: float) -> float:
    """The std-normalized k3 arm's self-consistent coefficient b = β · σ_π(V) at π = the reverse optimum at b,
    by Brent's method on b (σ ≤ 1/2 since V ∈ [0, 1]; as b → 0, σ ~ √b, so the bracket holds a root)."""

    def gap(b: float) -> float:
        p = _reverse_mass(ref, v, b)
        return b - beta * float(np.sqrt(p @ (v - p @ v) ** 2))

    return float(optimize.brentq(gap, 1e-9 * beta, 0.5 * beta, xtol=1e-300, rtol=1e-12))


def graded_optima_recomputed(m: Measurements, config: Any) -> tuple[bool, str]:
    """Every optimum a graded true-reward arm is compared with, recomputed by separate code in float64 from the
    definitions (class by class: π_ref, V and every optimum are uniform within a class of equal matching digits):
    the forward-KL arm (k1) against the tilt at β; the k3-loss arms against the optimum of E[U] − β' KL(π_ref ‖ π),
    β' = β / (1 − 1/G) without std normalization and the self-consistent β · σ_π(U) with it; Dr. GRPO's
    forward-KL reading (the tilt at β / (1 − 1/G)); without the KL term, all mass on the target. From each arm's
    stored class masses: its TV to its own optimum and to the forward reading must equal the recorded ones (1e-4),
    the claim's forward gap must equal the recomputed mean (1e-4), each trained policy must be uniform within
    classes (log-spread ≤ 1e-6), and each arm must sit on its own recomputed optimum within TV 0.02, the tolerance
    fixed in advance (:data:`OWN_TOL`)."""
    ref, v = _classes(config)
    scale = 1.0 - 1.0 / config.group
    worst_gap, worst_own, spread = 0.0, 0.0, 0.0
    fwd: list[float] = []
    lines: dict[str, float] = {}
    for a in m["graded"]["arms"]:
        if a["kind"] != "true":
            continue
        b = a["beta"]
        if not config.kl_penalty:
            own = _tilt_mass(ref, v, 1e-4)
        elif a["estimator"] == "k1-reward":
            own = _tilt_mass(ref, v, b)
        elif a["std"]:
            own = _reverse_mass(ref, v, _grpo_coef(ref, v, b))
        else:
            own = _reverse_mass(ref, v, b / scale)
        mass = np.asarray(a["class_mass"], dtype=float)
        tv = float(np.mean(0.5 * np.abs(mass - own).sum(-1)))
        worst_gap = max(worst_gap, abs(tv - a["tv_own"]))
        worst_own = max(worst_own, tv)
        spread = max(spread, a["class_spread"])
        lines[a["arm"]] = max(lines.get(a["arm"], 0.0), tv)
        if a["arm"] == "drgrpo":
            reading = _tilt_mass(ref, v, b if a["estimator"] == "k1-reward" else b / scale)
            tf = float(np.mean(0.5 * np.abs(mass - reading).sum(-1)))
            worst_gap = max(worst_gap, abs(tf - a["tv_forward"]))
            fwd.append(tf)
    claimed = forward_gap(m).value
    gap = abs(claimed - float(np.mean(fwd))) if fwd else float("inf")
    ok = worst_gap <= 1e-4 and gap <= 1e-4 and spread <= 1e-6 and worst_own <= OWN_TOL and len(lines) == 3
    return ok, (
        "largest TV to the recomputed own optimum per arm "
        + ", ".join(f"{k} {x:.4f}" for k, x in lines.items())
        + f" (tolerance {OWN_TOL}); |recorded − recomputed| TV ≤ {worst_gap:.2g}; forward gap claimed {claimed:.5f}, "
        f"recomputed {float(np.mean(fwd)) if fwd else float('nan'):.5f}; within-class log-spread ≤ {spread:.2g}"
    )


def _late(n: int) -> range:
    """The last third of ``n`` evaluation points (at least the last two): where training must have settled."""
    return range(min(n - 2, n - (n + 2) // 3), n) if n >= 2 else range(n)


def _one_side(values: list[float], line: float) -> bool:
    """Every value on one side of ``line``; all undefined (NaN) also counts as settled, a mix does not."""
    return all(v >= line for v in values) or all(v < line for v in values) or all(math.isnan(v) for v in values)


def training_settled(m: Measurements, config: Any) -> tuple[bool, str]:
    """Every training run a curve-reading claim reads has settled with respect to that claim's line: had training
    stopped at any of the last third of its exact evaluations, the quantity the claim reads would lie on the same
    side of the claim's line (rl-raises-pass1: each seed's held-out pass@1 gain vs 0.2, the claim judging every seed;
    flaw-overoptimized: the seed-mean :func:`goodhart_drop` had training stopped there vs 0.05;
    views-unchanged-under-kl: the seed-mean frozen probe's accuracy drop vs 0.05). Budget stability beyond the run is
    the budget audit's job; this reads within it."""
    curves, lines, ok = m["curves"], [], True
    true = _spec_rows(m["specs"], "true", config.beta_main)
    flaw = [i for rows in _flaw_runs(m["specs"], min(config.betas)).values() for i in rows]
    base = m["base"]["pass1"]
    gain = {sd: [curves[t]["pass1_heldout"][i] - base[sd] for t in _late(len(curves))] for sd, i in true.items()}
    drop = [float(np.mean([goodhart_drop([c["true_train"][i] for c in curves[: t + 1]],
                                         [c["proxy_train"][i] for c in curves[: t + 1]]) for i in flaw]))
            for t in _late(len(curves))]  # fmt: skip
    v = m["views"]
    vc = v["curves"][v["arms"][0]]
    view = [float(np.mean([a - b for a, b in zip(v["pre_acc"], vc[t]["frozen_acc"], strict=True)]))
            for t in _late(len(vc))]  # fmt: skip
    per_seed = [(f"pass@1 gain seed {sd}", xs, PASS1_GAIN) for sd, xs in sorted(gain.items())]
    for name, xs, line in (*per_seed, ("flaw drop", drop, OVEROPT_DROP), ("view drop", view, VIEW_DROP)):
        ok &= len(xs) >= 2 and _one_side(xs, line)
        lines.append(f"{name} over the last {len(xs)} evaluations {[round(x, 3) for x in xs]} (line {line})")
    return ok, "; ".join(lines)


GARBLE_BAND = (0.5, 2.0)
"""Each base model's mass on answers containing '#' must lie within these multiples of the corpus's p_garble."""


def corpus_as_configured(m: Measurements, config: Any) -> tuple[bool, str]:
    """A known answer for the corpus, the garbled answers the flawed grader pays for included, from the config's
    probabilities alone (g = p_garble; per problem q = p_correct, m = p_misconception on hard problems (c ≥ 5), r =
    (1 − q − m)/100 the uniform residue): the answer contains '#' with probability g, never twice; the right answer
    'c a' has (1 − g)(q + r), plus m when a = c on a hard problem; the misconception 'a c' (a ≠ c) has (1 − g)(m + r),
    m = 0 on easy problems. Three readings must match it: (1) the exact corpus distribution over the held-out
    problems, answers classed by their text (every row summing to 1), to 1e-9; (2) the corpus pretraining sampled,
    counted from its batches' tokens: each share within 4 binomial SE + 0.002 of its expectation, the first answer
    position's soft target carrying exactly g/2 on '#' (1e-9 per sequence); (3) each base model's exact mass on
    answers with '#' on held-out problems within ×0.5–×2 of g (it learned the flaw's base rate it starts RL from)."""
    b, g = m["base"], config.p_garble
    ex, cnt = b["corpus_exact"], b["corpus_counts"]
    gaps: list[float] = [ex["row_sum_gap"]]
    for k, pid in enumerate(m["split"]["heldout"]):
        a, _, c = (int(ch) for ch in f"{int(pid):03d}")
        hard = c >= 5
        q = config.p_correct_hard if hard else config.p_correct_easy
        mis = config.p_misconception_hard if hard else 0.0
        r = (1 - q - mis) / 100
        right = (1 - g) * (q + r + (mis if a == c else 0.0))
        wrong_order = 0.0 if a == c else (1 - g) * (mis + r)
        gaps += [abs(ex["garbled"][k] - g), ex["both_garbled"][k], abs(ex["right"][k] - right),
                 abs(ex["misconception"][k] - wrong_order)]  # fmt: skip
    exact_gap = largest(gaps)
    n, nh = cnt["n"], cnt["n_hard"]
    qe, qh, mh = config.p_correct_easy, config.p_correct_hard, config.p_misconception_hard
    # sampled shares: (observed, expected, count behind it); on a hard problem with a = c the misconception is the
    # right answer, so the hard right share adds m for those sequences, and the misconception is read on a ≠ c only
    same = (nh - cnt["n_hard_distinct"]) / nh
    shares = {
        "garbled": (cnt["garbled"] / n, g, n),
        "right easy": (cnt["right_easy"] / (n - nh), (1 - g) * (qe + (1 - qe) / 100), n - nh),
        "right hard": (cnt["right_hard"] / nh, (1 - g) * (qh + (1 - qh - mh) / 100 + mh * same), nh),
        "misconception": (cnt["misconception_hard"] / cnt["n_hard_distinct"], (1 - g) * (mh + (1 - qh - mh) / 100),
                          cnt["n_hard_distinct"]),
    }  # fmt: skip
    z = {k: abs(o - e) / (4 * math.sqrt(e * (1 - e) / k_n) + 0.002) for k, (o, e, k_n) in shares.items()}
    target_gap = abs(cnt["target_garble_first"] / n - g / 2)
    sampled_ok = max(z.values()) <= 1.0 and cnt["both_garbled"] == 0 and target_gap <= 1e-9
    lo, hi = GARBLE_BAND[0] * g, GARBLE_BAND[1] * g
    base_ok = all(lo <= x <= hi for x in b["garbled"])
    ok = exact_gap <= 1e-9 and sampled_ok and base_ok
    return ok, (
        f"exact corpus vs closed form, largest gap {exact_gap:.2g} over {len(m['split']['heldout'])} problems; "
        f"sampled ({n:.0f} sequences): "
        + ", ".join(f"{k} {o:.4f} vs {e:.4f}" for k, (o, e, _) in shares.items())
        + f" (worst {max(z.values()):.2f} of the 4 SE + 0.002 band), '#' twice {cnt['both_garbled']:.0f}, "
        f"first-position soft target on '#' {cnt['target_garble_first'] / n:.5f} vs g/2 = {g / 2:.5f}; base models' "
        f"mass on '#' {[round(x, 4) for x in b['garbled']]} (band [{lo:.3f}, {hi:.3f}])"
    )


def _with_config(fn: Callable[[Measurements, Any], tuple[bool, str]]) -> Callable[[Measurements, Any], ProbeOutcome]:
    def check(m: Measurements, config: Any) -> ProbeOutcome:
        return ProbeOutcome(*fn(m, config))

    return check


PROBES = (
    Probe("base-matches-corpus", "A calibration case: each pretrained model's pass@1 on problems it never saw lies "
          "between half the corpus's exact rate and that rate + 0.05 (it learned its corpus and cannot beat it).",
          _probe(base_matches_corpus)),
    Probe("split-disjoint", "Held-out problems are disjoint from pretraining and RL problems.", _probe(split_disjoint)),
    Probe("controls-unchanged", "Learning rate 0, and zero advantage with β = 0, leave a model exactly unchanged; "
          "trained policies move.", _probe(controls_unchanged)),
    Probe("k3-unbiased", "An exact answer: the k3 estimator's expectation equals the exact KL for every policy, and "
          "the optimizer's sampled KL estimate tracks the exact KL during training.", _probe(k3_unbiased)),
    Probe("sampler-matches-exact", "Simulation against exact: sampled rollouts are correct as often as the exact "
          "answer probabilities say.", _probe(sampler_matches_exact)),
    Probe("checker-agrees", "The batched reward agrees with an independent exact text checker on every sampled "
          "answer, and each policy's proxy table is the grader its spec names.", _probe(checker_agrees)),
    Probe("seeds-agree", "Independent seeds agree (and are distinct).", _probe(seeds_agree)),
    Probe("kl-gradient-direction", "An independent computation: by autograd, the k3-as-loss gradient is that of "
          "KL(π_ref ‖ π), and the sampled GRPO gradient's mean is the graded arms' expected update.",
          _probe(kl_gradient_direction)),
    Probe("adam-matches-reference", "An independent computation: the hand-written stacked Adam equals PyTorch's "
          "own Adam, model by model, over its first steps.", _probe(adam_matches_reference)),
    Probe("arms-reach-optimum", "Each graded arm works and sits on its own objective's exact optimum (TV ≤ 0.02).",
          _probe(arms_reach_optimum)),
    Probe("penalty-binds", "The graded β grid binds: the optimum's KL varies ≥ 4× across it.", _probe(penalty_binds)),
    Probe("kwa-simulation-power", "A simulation of the Kwa et al. claims' measure: decisive (≥ 0.95) at 10^4 answers, "
          "not at 144.", _probe(kwa_simulation_power)),
    Probe("views-probe-works", "The view is readable before RL (probe accuracy ≥ 0.8 on held-out problems) and a "
          "random-label control probe is at chance.", _probe(views_probe_works)),
    Probe("views-arms-work", "Every views arm changed the output (target probability +0.2 on held-out problems).",
          _probe(views_arms_work)),
    Probe("views-update-as-declared", "Every views arm updated exactly the weights its config declares (all, or the "
          "readout alone, bit for bit).", views_update_as_declared_probe),
    Probe("views-frozen-check", "The frozen probe's readout recomputed from the pre-RL weights equals the recorded "
          "one, and the claim's accuracy drop recomputed from it matches.", views_frozen_check_probe),
    Probe("pass1-recomputed", "An independent computation of rl-raises-pass1's per-seed gains and intervals "
          "(pass@1 per problem by the text checker over every answer, policies found by their labels).",
          _with_config(pass1_recomputed)),
    Probe("flaw-drop-recomputed", "An independent computation of every policy's proxy curve (the text checker's "
          "true reward plus the grader's bonus read from each answer's text, over the stored answer distributions, "
          "at every evaluation; flawed and clean runs) and of flaw-overoptimized's drop from it.",
          _with_config(flaw_drop_recomputed)),
    Probe("kl-drop-recomputed", "An independent computation of kl-falls-with-beta's drop (KL from each arm's raw "
          "logits).", _with_config(kl_drop_recomputed)),
    Probe("kwa-gains-recomputed", "An independent computation of the four Kwa et al. claims' gain shares (from the "
          "raw logits, the ceiling known).", _with_config(kwa_gains_recomputed)),
    Probe("rewards-recomputed", "An independent computation of the rewards GRPO trained on: the stored sampled "
          "token ids of evenly spaced steps rescored by their own decoder and text grader.",
          _with_config(rewards_recomputed)),
    Probe("graded-optima-recomputed", "An independent computation (float64, closed form per class of matching "
          "digits) of every optimum the graded true-reward arms are compared with; each arm on its own within TV "
          "0.02.", _with_config(graded_optima_recomputed)),
    Probe("corpus-as-configured", "A known answer: the corpus (exact, as sampled for pretraining, and as the base "
          "models learned it) shows the right answer, the misconception and the garbled '#' answers the flawed "
          "grader pays for at the rates the config's probabilities give in closed form.",
          _with_config(corpus_as_configured)),
    Probe("training-settled", "Every training run a curve-reading claim reads has settled: the quantity the claim "
          "reads (each seed's pass@1 gain; the seed-mean drops) stays on one side of the claim's line over the last "
          "third of the exact evaluations.",
          _with_config(training_settled)),
    Probe("goodhart-tilt", "Cross-check against the Goodhart study's exact tilt (light-tailed: E[V] = σ²/β; "
          "heavy-tailed: none).", _probe(goodhart_tilt)),
)  # fmt: skip
