"""Claims and probes of the simple-rl study.

Measurements are exact over each policy's answer distribution (no sampling error); the uncertainty is the spread
over seeds (a Student-t interval over the n_seeds independent replicates: base model, RL run, proxy errors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from skeptic.core.claims import AtLeast, AtMost, Claim, Estimate, Increasing, Measurements, Probe, ProbeOutcome

R1 = "DeepSeek-AI 2025 (arXiv 2501.12948)"
YUE = "Yue et al. 2025 (arXiv 2504.13837)"
OUYANG = "Ouyang et al. 2022 (arXiv 2203.02155)"
KWA = "Kwa, Thomas & Garriga-Alonso 2024 (arXiv 2407.14503)"
GAO = "Gao, Schulman & Hilton 2022 (arXiv 2210.10760)"

PASS1_GAIN = 0.2
"""Skeptic's line for 'rises substantially': +0.2 in held-out pass@1 (fixed before running)."""
CKA_STABLE = 0.9
"""Skeptic's line for 'representations barely move': linear CKA to the base ≥ 0.9 at every layer."""
HEAVY_SHARE = 0.5
"""Skeptic's line for 'does not protect': heavy-tailed gain at most half the light-tailed gain at the same β."""
OVEROPT_DROP = 0.05
"""Skeptic's line for over-optimization: the final true reward at least 0.05 below its peak over training."""


def _rows(m: Measurements, **match: Any) -> list[int]:
    return [i for i, s in enumerate(m["specs"]) if all(s[k] == v for k, v in match.items())]


def _seeds(values: list[float]) -> Estimate:
    return Estimate.from_samples(values, what="seeds")


def pass1_gain(m: Measurements) -> Estimate:
    """Held-out pass@1 of the true-reward GRPO model at β_main minus its seed's base model's."""
    beta = m["config"]["beta_main"]
    rows = _rows(m, kind="true", beta=beta, role="sweep")
    return _seeds([m["final"]["pass1"][i] - m["base"]["pass1"][m["specs"][i]["seed"]] for i in rows])


def passk_gap_at_max_k(m: Measurements) -> Estimate:
    """pass@k(RL) − pass@k(base) at the largest k, per seed."""
    beta = m["config"]["beta_main"]
    rows = _rows(m, kind="true", beta=beta, role="sweep")
    return _seeds([m["final"]["pass_at_k"][i][-1] - m["base"]["pass_at_k"][m["specs"][i]["seed"]][-1] for i in rows])


def kl_by_beta(m: Measurements) -> list[Estimate]:
    """Exact held-out KL(π ‖ π_base) of the true-reward policies, one estimate per β (increasing β)."""
    return [
        _seeds([m["final"]["kl_heldout"][i] for i in _rows(m, kind="true", beta=b, role="sweep")])
        for b in m["config"]["betas"]
    ]


def min_cka(m: Measurements) -> Estimate:
    """The smallest per-layer linear CKA to the base (every residual stream) of the true-reward model at β_main."""
    rows = _rows(m, kind="true", beta=m["config"]["beta_main"], role="sweep")
    return _seeds([min(m["final"]["cka"][i]) for i in rows])


def _true_gain(m: Measurements, kind: str, beta: float) -> list[float]:
    """Exact true reward on the monitored training problems, final minus start, per seed."""
    first, last = m["curves"][0], m["curves"][-1]
    return [last["true_train"][i] - first["true_train"][i] for i in _rows(m, kind=kind, beta=beta, role="sweep")]


def _optimum_gain(m: Measurements, kind: str, beta: float) -> list[float]:
    """Exact true reward of the KL-regularized optimum π ∝ π_base e^{U/β} minus the base's, per seed."""
    first = m["curves"][0]
    rows = _rows(m, kind=kind, beta=beta, role="sweep")
    return [m["final"]["optimum"][i]["true"] - first["true_train"][i] for i in rows]


def _best_over_beta(m: Measurements, gain: Callable[[Measurements, str, float], list[float]], kind: str) -> np.ndarray:
    """Per seed, the largest true-reward gain over the β sweep (the best a KL penalty can do)."""
    return np.asarray(np.array([gain(m, kind, b) for b in m["config"]["betas"]]).max(0))


def light_protects(gain: Callable[[Measurements, str, float], list[float]]) -> Callable[[Measurements], Estimate]:
    """Per seed, the best true-reward gain over β under the light-tailed proxy."""
    return lambda m: _seeds(_best_over_beta(m, gain, "light").tolist())


def heavy_vs_light(gain: Callable[[Measurements, str, float], list[float]]) -> Callable[[Measurements], Estimate]:
    """Per seed: best heavy-tailed gain over β − ½ · best light-tailed gain (≤ 0: heavy gains at most half)."""

    def measure(m: Measurements) -> Estimate:
        heavy, light = _best_over_beta(m, gain, "heavy"), _best_over_beta(m, gain, "light")
        return _seeds((heavy - HEAVY_SHARE * np.maximum(light, 0.0)).tolist())

    return measure


def flaw_drop(m: Measurements) -> Estimate:
    """Per seed at the smallest β, flawed grader: peak true reward over training minus the final true reward."""
    b = m["config"]["betas"][0]
    rows = _rows(m, kind="flaw", beta=b, role="sweep")
    return _seeds([max(c["true_train"][i] for c in m["curves"]) - m["curves"][-1]["true_train"][i] for i in rows])


CLAIMS = (
    Claim(
        "rl-raises-pass1",
        "Simple RL works: GRPO with a 0/1 correctness reward and a KL penalty (β = 0.04 as in DeepSeekMath) raises "
        f"pass@1 on held-out problems by at least {PASS1_GAIN} over the pretrained base model (Skeptic's threshold, "
        "fixed before running; R1-Zero rose from 15.6% to 71.0%).",
        f"{R1}, §2.2.4 and Figure 2 (R1-Zero's AIME pass@1 over RL steps)",
        pass1_gain,
        AtLeast(PASS1_GAIN),
        own_threshold="'substantially' is the source's word; +0.2 absolute is Skeptic's line",
    ),
    Claim(
        "passk-base-catches-up",
        "RL raises pass@1 but not pass@k at large k: at the largest k (1024) the RL model's pass@k is no higher "
        "than the base model's (measured exactly from each problem's probability of a correct answer).",
        f"{YUE}, abstract and Figure 1 ('base models achieve higher pass@k scores when k is large')",
        passk_gap_at_max_k,
        AtMost(0.0),
    ),
    Claim(
        "kl-falls-with-beta",
        "The KL penalty limits how far RL moves the model: the exact KL(π ‖ π_base) reached on held-out problems "
        "falls as the coefficient β rises.",
        f"{OUYANG}, §3.5 eq. 2 (the per-token KL penalty β to the SFT model)",
        kl_by_beta,
        Increasing(decreasing=True),
    ),
    Claim(
        "representations-stay",
        "KL-regularized RL changes how the model presents its answers more than what it represents: every layer's "
        f"residual stream keeps linear CKA ≥ {CKA_STABLE} to the base model's (Skeptic's threshold) while pass@1 "
        "moves (see rl-raises-pass1).",
        "Skeptic's seed discussion (issue 19, section 'Experiments and claims'), after Ouyang et al. 2022 §3.5",
        min_cka,
        AtLeast(CKA_STABLE),
        own_threshold="the seed discussion gives no number; CKA ≥ 0.9 is Skeptic's line",
    ),
    *(
        claim
        for gain, tag, where in (
            (_true_gain, "", "the GRPO-trained policies (end of the run)"),
            (_optimum_gain, "-optimum", "the exact KL-regularized optimum π ∝ π_base e^{U/β} of each proxy"),
        )
        for claim in (
            Claim(
                f"light-tail-kl-protects{tag}",
                f"With a light-tailed (normal) proxy error, a KL penalty protects the true reward: for {where}, the "
                "best β of the sweep leaves the true reward on training problems above the base model's.",
                f"{KWA}, Theorem 6 and abstract (light-tailed error: optimizing the proxy raises true utility)",
                light_protects(gain),
                AtLeast(0.0),
            ),
            Claim(
                f"heavy-tail-kl-fails{tag}",
                "With a heavy-tailed (Student-t, 3 d.o.f.) proxy error of the same SD, no KL penalty protects the true "
                f"reward: for {where}, the best true-reward gain over β is at most {HEAVY_SHARE} of the light-tailed "
                "one (Skeptic's threshold).",
                f"{KWA}, Theorem 1 and abstract (heavy-tailed error: catastrophic Goodhart under a KL penalty)",
                heavy_vs_light(gain),
                AtMost(0.0),
                own_threshold="the theorem is asymptotic; 'at most half the light-tailed gain' is Skeptic's line",
            ),
        )
    ),
    Claim(
        "flaw-overoptimized",
        "Against a grader with an exploitable flaw, at the smallest β the true reward peaks and then falls: it ends "
        f"at least {OVEROPT_DROP} below its peak over training (Skeptic's threshold).",
        f"{GAO}, Figure 1 and §3 (gold reward rises then falls as the policy optimizes the proxy)",
        flaw_drop,
        AtLeast(OVEROPT_DROP),
        own_threshold="Gao et al. show the shape; the 0.05 drop is Skeptic's line",
    ),
)


# ---------------------------------------------------------------------------------------------------
# Probes
# ---------------------------------------------------------------------------------------------------


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
    ctrl = [ch[i] for i, s in enumerate(m["specs"]) if s["role"] != "sweep"]
    moved = [ch[i] for i, s in enumerate(m["specs"]) if s["role"] == "sweep"]
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
            if s["role"] != "sweep":
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
    """The batched reward agrees with an independent text checker (int(answer) == a + b + c) on every sample."""
    ps = m["probe_samples"]
    return ps["checker_disagreements"] == 0, f"{ps['checker_disagreements']} disagreements in {ps['checked']} answers"


def seeds_agree(m: Measurements) -> tuple[bool, str]:
    """Independent seeds agree: base pass@1 within 0.1 of each other, and the RL gain at β_main has the same sign in
    every seed; and they are distinct replicates (base models and proxy-error tables all differ)."""
    base = m["base"]["pass1"]
    spread = max(base) - min(base)
    tables = m["error_tables"]
    distinct = len({round(x, 12) for x in base}) == len(base) and all(
        len({tuple(t) for t in tables[k]}) == len(tables[k]) for k in tables
    )
    rows = _rows(m, kind="true", beta=m["config"]["beta_main"], role="sweep")
    gains = [m["final"]["pass1"][i] - base[m["specs"][i]["seed"]] for i in rows]
    same_sign = all(g > 0 for g in gains) or all(g < 0 for g in gains)
    ok = spread <= 0.1 and distinct and same_sign
    return ok, (
        f"base pass@1 per seed {[round(x, 3) for x in base]}; RL gain per seed {[round(g, 3) for g in gains]}; "
        f"replicates distinct: {distinct}"
    )


def optimum_bounds(m: Measurements) -> tuple[bool, str]:
    """No policy beats the exact KL-regularized optimum: E_π[U] − β KL(π ‖ π_base) ≤ the tilt's value (+1e-6)."""
    last = m["curves"][-1]
    worst, where = -np.inf, -1
    for i, (s, opt) in enumerate(zip(m["specs"], m["final"]["optimum"], strict=True)):
        if opt is None:
            continue
        j_pi = last["proxy_train"][i] - s["beta"] * last["kl_train"][i]
        j_opt = opt["proxy"] - s["beta"] * opt["kl"]
        if j_pi - j_opt > worst:
            worst, where = j_pi - j_opt, i
    return worst <= 1e-6, f"largest J(trained) − J(optimum) {worst:.3g} (policy {where})"


def goodhart_tilt(m: Measurements) -> tuple[bool, str]:
    """This study's tilt on 200,000 sampled (V, X) agrees with the Goodhart study's exact E[V] (±4 SE + 0.02),
    and the Goodhart calculator finds no tilt for heavy-tailed X."""
    g = m["goodhart"]
    ok = abs(g["finite_mean_v"] - g["exact_mean_v"]) <= 4 * g["finite_se"] + 0.02 and not g["heavy_tilt_exists"]
    return ok, (
        f"finite tilt E[V] {g['finite_mean_v']:.4f} ± {g['finite_se']:.4f} vs exact {g['exact_mean_v']:.4f} "
        f"(β = {g['beta']}); heavy-tailed tilt exists: {g['heavy_tilt_exists']}"
    )


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
          "answer.", _probe(checker_agrees)),
    Probe("seeds-agree", "Independent seeds agree (and are distinct).", _probe(seeds_agree)),
    Probe("optimum-bounds", "An exact bound: no trained policy scores above the exact KL-regularized optimum of its "
          "own objective.", _probe(optimum_bounds)),
    Probe("goodhart-tilt", "Cross-check against the Goodhart study's exact tilt (light-tailed: E[V] = σ²/β; "
          "heavy-tailed: none).", _probe(goodhart_tilt)),
)  # fmt: skip
