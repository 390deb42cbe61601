"""The plain-language brief of the simple-rl study."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from skeptic.studies.simple_rl.claims import VIEW_DROP
from skeptic.study import Brief

if TYPE_CHECKING:
    from skeptic.study import RunResult


def _rows(m: Any, **match: Any) -> list[int]:
    return [i for i, s in enumerate(m["specs"]) if all(s[k] == v for k, v in match.items())]


def _numbers(m: Any) -> dict[str, float]:
    beta, b0 = m["config"]["beta_main"], m["config"]["betas"][0]
    rl = _rows(m, kind="true", beta=beta, role="sweep")
    last = m["curves"][-1]
    g = m["graded"]
    gb0 = m["config"]["graded_betas"][0]

    def tilt_gain(kind: str) -> float:
        return float(np.mean([np.mean(r["gains"]) for r in g["tilts"] if r["kind"] == kind and r["beta"] == gb0]))

    def arm_mean(key: str, **match: Any) -> float:
        return float(np.mean([a[key] for a in g["arms"] if all(a[k] == v for k, v in match.items()) and key in a]))

    ks = m["config"]["pass_ks"]
    k64 = ks.index(64) if 64 in ks else len(ks) - 1
    flaw = _rows(m, kind="flaw", beta=b0, role="sweep") + _rows(m, kind="flaw", beta=b0, role="replicate")
    gap = np.mean([m["final"]["pass_at_k"][i] for i in rl], 0) - np.mean(m["base"]["pass_at_k"], 0)
    cross = next((k for k, d in zip(ks, gap, strict=True) if d <= 0), 0)
    return {
        "base": float(np.mean(m["base"]["pass1"])), "rl": float(np.mean([m["final"]["pass1"][i] for i in rl])),
        "base_k": float(np.mean([r[k64] for r in m["base"]["pass_at_k"]])),
        "rl_k": float(np.mean([m["final"]["pass_at_k"][i][k64] for i in rl])), "k": float(ks[k64]),
        "cross": float(cross),
        "flaw_start": float(np.mean([m["curves"][0]["true_train"][i] for i in flaw])),
        "flaw_peak": float(np.mean([max(c["true_train"][i] for c in m["curves"]) for i in flaw])),
        "flaw_end": float(np.mean([last["true_train"][i] for i in flaw])),
        "flaw_proxy_end": float(np.mean([last["proxy_train"][i] for i in flaw])),
        "light": tilt_gain("light"), "heavy": tilt_gain("heavy"), "n": float(g["n_answers"]),
        "small_heavy": float(np.mean(m["simulation"]["144"]["t3"])),
        "tv_fwd": arm_mean("tv_forward", arm="drgrpo"), "tv_own": max(a["tv_own"] for a in g["arms"]),
        "kl_grpo_lo": arm_mean("kl", arm="grpo", kind="true", beta=gb0),
        "kl_grpo_hi": arm_mean("kl", arm="grpo", kind="true", beta=m["config"]["graded_betas"][-1]),
        "kl_dr_hi": arm_mean("kl", arm="drgrpo", kind="true", beta=m["config"]["graded_betas"][-1]),
        "kl_k1_hi": arm_mean("kl", arm="k1", kind="true", beta=m["config"]["graded_betas"][-1]),
        "flaw_runs": float(len(flaw)), "beta": beta, "b0": b0, "gb0": gb0, "gb1": m["config"]["graded_betas"][-1],
    }  # fmt: skip


def views_paragraph(m: Any) -> str:
    """Views vs presentation in one paragraph, with the run's numbers."""
    v = m["views"]

    def at_end(arm: str, key: str) -> float:
        return float(np.mean(v["curves"][arm][-1][key]))

    main = v["arms"][0]
    label = {"rl-kl": "RL with a KL penalty", "rl-no-kl": "RL without a KL penalty", "sft": "supervised fine-tuning"}
    taught = ("the answer that ignores this (the misconception order a c)" if v["target"] == "misconception"
              else "the correct answer (c a), which still needs the digit the fact is about")  # fmt: skip
    move = {a: at_end(a, "target") - float(np.mean(v["base_target"])) for a in v["arms"]}
    parts = [
        f"Views vs presentation: before RL, a linear probe on the last layer read whether a held-out problem is hard "
        f"with accuracy {np.mean(v['pre_acc']):.2f} (random-label control {np.mean(v['random_label_acc']):.2f}). "
        f"Teaching every problem {taught} raised that answer's probability by {move[main]:.2f} under "
        f"{label[main]} (KL to the base {np.mean(v['final'][main]['kl_heldout']):.2f} nats), and "
        f"the frozen probe's accuracy fell to {at_end(main, 'frozen_acc'):.2f} (AUC {at_end(main, 'frozen_auc'):.2f}; "
        f"a probe refit after training reads {at_end(main, 'refit_acc'):.2f})."
    ]
    if "sft" in v["arms"] and main != "sft":
        pre = float(np.mean(v["pre_acc"]))
        kept = {a: pre - at_end(a, "frozen_acc") <= VIEW_DROP for a in (main, "sft")}
        verdict = {
            (True, False): "the KL arm kept the pre-RL readout and SFT did not, as the remark would have it.",
            (False, False): "neither kept the pre-RL readout, so in this design the KL penalty made no difference "
            "to the view.",
            (True, True): "both kept the pre-RL readout, so the design cannot tell them apart.",
            (False, True): "SFT kept the pre-RL readout and the KL arm did not, the reverse of the remark.",
        }[(kept[main], kept["sft"])]
        parts.append(
            f"Supervised fine-tuning on the same answers (+{move['sft']:.2f}) left the frozen probe at "
            f"{at_end('sft', 'frozen_acc'):.2f} and the refit one at {at_end('sft', 'refit_acc'):.2f}: {verdict}"
        )
    return " ".join(parts)


def answer(result: RunResult) -> str:
    n = _numbers(result.measurements)
    reach = "no more" if n["rl_k"] <= n["base_k"] + 0.005 else "more"
    return (
        f"In this toy, RL on a right/wrong reward raised the share of correct first answers on new problems from "
        f"{n['base']:.0%} to {n['rl']:.0%}, but with {n['k']:.0f} tries it solved {reach} problems than the original "
        f"model ({n['rl_k']:.1%} vs {n['base_k']:.1%}). With {n['n']:.0f} possible answers, a reward with ordinary "
        f"noise still bought {n['light']:.0%} of the possible real gain under a weak KL penalty; one with rare extreme "
        f"noise bought {n['heavy']:.0%}. The KL penalty GRPO uses does not pull toward the distribution its paper "
        f"names, but toward a different one."
    )


def found(result: RunResult) -> str:
    m = result.measurements
    n = _numbers(m)
    failed = [p["id"] for p in result.probes if not p["passed"]]
    lines = [
        f"GRPO with a 0/1 reward (β = {n['beta']:g}) took held-out pass@1 from {n['base']:.2f} to {n['rl']:.2f} "
        f"(mean over {m['config']['n_seeds']} seeds); at k = {n['k']:.0f} tries, where a uniform guesser over the 144 "
        f"answers is still below 1/2, the base model solved {n['base_k']:.1%} and the RL model {n['rl_k']:.1%}"
        + (f"; the base model's pass@k first matched RL's at k = {n['cross']:.0f}." if n["cross"]
           else "; RL stayed ahead at every k up to 1024."),
        f"Against a flawed grader at β = {n['b0']:g} the true reward went from {n['flaw_start']:.2f} (the base "
        f"model) to a peak of {n['flaw_peak']:.2f} and ended at {n['flaw_end']:.2f} while the flawed grader's own "
        f"reward ended at {n['flaw_proxy_end']:.2f} (mean over "
        f"{n['flaw_runs']:.0f} RL runs, {n['flaw_runs'] / m['config']['n_seeds']:.0f} per base model: the height of "
        "the peak varies more between runs than between bases).",
        f"On the graded task with {n['n']:.0f} answers, the exact optimum of the forward-KL objective at β = "
        f"{n['gb0']:g} reached {n['light']:.2f} of the possible true-reward gain with light-tailed proxy error and "
        f"{n['heavy']:.2f} with heavy-tailed error of the same SD; simulated on 144 answers, the same heavy-tailed "
        f"error left it {n['small_heavy']:.2f} (the largest of 144 errors is not extreme enough: the distinction "
        "needs a large answer space).",
        f"Every arm sat on the optimum of the objective its update ascends (largest distance {n['tv_own']:.3f} in "
        f"total variation, against a tolerance of 0.02 fixed in advance; each optimum recomputed from its closed "
        f"form): the k3-loss arms on the optimum of E[U] − β' KL(π_ref ‖ π), the KL-in-reward arm on the tilt. "
        f"GRPO's k3 term, used as a loss, is the gradient of KL(π_ref ‖ π), so the Dr. GRPO arm "
        f"ended {n['tv_fwd']:.2f} (mean TV) away from the forward-KL optimum its paper's notation implies. Dividing by "
        f"the group's std rescales β: at β = {n['gb1']:g} the GRPO arm kept {n['kl_grpo_hi']:.2f} nats of KL where "
        f"Dr. GRPO kept {n['kl_dr_hi']:.2f} and the forward-KL arm {n['kl_k1_hi']:.2f}.",
    ]  # fmt: skip
    lines.append(views_paragraph(m))
    if failed:
        lines.append(f"Probes failed ({', '.join(failed)}), so none of these verdicts is trusted.")
    return " ".join(lines)


BRIEF = Brief(
    claimed=(
        "DeepSeek-R1 (2025) reported that a simple recipe, reinforcement learning on answers that can be checked "
        "automatically, with GRPO (each answer scored against others sampled for the same question) and a KL penalty "
        "that keeps the model close to where it started, teaches a pretrained model to reason much better. Yue et "
        "al. (2025) countered that such training mostly makes answers the model could already find more likely: with "
        "many tries, the original model solves as many problems. DeepSeekMath (2024) describes GRPO's penalty as an "
        "unbiased estimate of the KL divergence from the policy to the reference. Kwa et al. (2024) showed that a KL "
        "penalty protects the true goal when the reward's errors are moderate (light-tailed) but not when rare huge "
        "errors occur (heavy-tailed), and Gao et al. (2022) showed true quality rising then falling as a model "
        "over-optimizes a flawed reward. A research summary for policymakers (Alex Chalk) suggested that because "
        "the KL penalty limits updates, RL may change how a model presents its views and leave the views unchanged."
    ),
    ran=(
        "A tiny transformer was pretrained on a noisy corpus of simple problems with a checkable two-character "
        "answer (144 possible answers), then trained with our own GRPO against the exact checker and against a "
        "grader with an exploitable flaw, for several KL coefficients and seeds; every answer's probability is "
        "computed exactly. Separately, on a graded task with 10,000 possible answers (four digits, partial credit), "
        "policies over every answer were trained by the exact average update of three methods: the KL in the reward, "
        "GRPO's KL term in the loss without and with dividing by the group's spread, on the true reward and on "
        "proxies with light- or heavy-tailed errors, until each sat on the exact optimum of the objective it "
        "actually optimizes. For the views question, a linear probe read a property of each problem from the "
        "pretrained model's internals; the model was then taught, by RL with a KL penalty and, for comparison, by "
        "supervised fine-tuning, an answer that ignores that property, and the probe fitted before training was read "
        "again."
    ),
    not_shown=(
        "These are a 26,000-parameter model on a copy-style task and tables of probabilities over 10,000 answers, "
        "not language models learning to reason. The graded arms follow the average of the sampled update (the limit "
        "of many samples per question), checked against sampled updates on a small case; real GRPO adds sampling "
        "noise and clipping. The proxy errors are drawn per answer, not learned like a real reward model's. "
        "Thresholds such as '+0.2 pass@1' or 'half the possible gain' are Skeptic's, with the band of lines shown. "
        "The 'view' tested is one binary property of the problem, read by a linear probe on one layer of a "
        "26,000-parameter model; a view held elsewhere, non-linearly, or in a model with room to spare is not "
        "tested, and the RL-with-KL arm moved the output a lot (its penalty limited little). The views claim's "
        "contrast trains the readout alone (final layer norm and unembedding), where the output still moves and the "
        "probed states cannot: it shows the measure can read 'unchanged', not that a KL penalty keeps views. The CKA "
        "figure is a "
        "description, not a claim."
    ),
    found=found,
    answer=answer,
    headline_figure="kl-direction",
)
