"""The plain-language brief of the imitation study."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from skeptic.core.study import Brief
from skeptic.studies.imitation import claims as cl

if TYPE_CHECKING:
    from skeptic.core.runner import RunResult


def _est(result: RunResult, cid: str) -> dict[str, float] | None:
    est = next((c["estimates"] for c in result.claims if c["id"] == cid), None)
    return est[0] if est else None


def _ratio_text(result: RunResult) -> str:
    e = _est(result, "rl-needs-more-samples")
    if e is None or math.isnan(e["value"]):
        return "could not be measured, because supervised training did not reach the target in every seed"
    if math.isinf(e["hi"]):
        return (
            f"was at least {e['value']:.0f} to 1 on average over seeds (a lower bound: RL had not reached the target "
            "when its budget ran out)"
        )
    return f"was about {e['value']:.0f} to 1 ({e['lo']:.0f} to {e['hi']:.0f} across seeds)"


def found(result: RunResult) -> str:
    m = result.measurements
    cfg = m["config"]
    v = {c["id"]: c["verdict"] for c in result.claims}
    margins = cl.margins(m)
    n = len(margins)
    mean = {k: sum(r[k] for r in margins) / n for k in ("sft", "on_policy", "rl")}
    bits = cl.bits_ratios(m)
    bc_slope, op_slope = cl.slopes(m, "bc"), cl.slopes(m, "on-policy")
    Ts = cfg["horizons"]
    d1, h1, h16 = (sum(x) / len(x) for x in (cl.distill_acc(m, "distilled", 1), cl.distill_acc(m, "hard", 1),
                                              cl.distill_acc(m, "hard", 16)))  # fmt: skip
    failed = [p["id"] for p in result.probes if not p["passed"]]
    lines = [
        f"On a {cfg['rl_horizon']}-step running sum mod {cfg['p']}, after {margins[0]['samples']:.0f} samples the "
        f"students copying the teacher's worked answers reached {mean['sft']:.0%} held-out accuracy and those trained "
        f"on their own attempts corrected by the teacher {mean['on_policy']:.0%}, while students rewarded only for a "
        f"right final answer stayed at {mean['rl']:.0%} (chance is {1 / cfg['p']:.0%}). The ratio of RL episodes to "
        f"demonstrations needed to reach {cl.TARGET:.0%} {_ratio_text(result)} ({v['rl-needs-more-samples']} for 'at "
        f"least 10 to 1'); a demonstration carried about {sum(bits) / len(bits):.0f} times the bits of a reward "
        f"({v['bits-explain-gap']}).",
        f"Across horizons {', '.join(str(t) for t in Ts)}, the mistakes per episode of behaviour cloning grew with "
        f"log-log slope {sum(bc_slope) / n:.2f} ({v['offpolicy-superlinear']} for 'faster than linear') and those of "
        f"on-policy distillation with slope {sum(op_slope) / n:.2f} ({v['onpolicy-at-most-linear']} for 'at most "
        f"linear'). That on-policy training makes fewer mistakes at the longest horizon: "
        f"{v['onpolicy-beats-offpolicy']}; that its margin over copying is smaller than the gap between copying and "
        f"RL: {v['onpolicy-margin-smaller']}. Students learn this task abruptly, at a different step in each seed, so "
        "mistakes at a fixed budget vary a lot between seeds.",
        f"A student distilled from a trained teacher's soft answers for {cfg['distill_steps']} steps reached "
        f"{d1:.0%}; the same student trained on the bare right answers reached {h1:.0%} in as many steps and {h16:.0%} "
        f"in 16 times as many ({v['distilled-ahead-at-equal-steps']} for distillation being ahead at equal steps, "
        f"{v['overtrained-catches-up']} for the long-trained student catching up).",
    ]
    if failed:
        lines.append(f"Probes failed ({', '.join(failed)}), so none of these verdicts is trusted.")
    return " ".join(lines)


def answer(result: RunResult) -> str:
    m = result.measurements
    v = {c["id"]: c["verdict"] for c in result.claims}
    margins = cl.margins(m)
    n = len(margins)
    sft = sum(r["sft"] for r in margins) / n
    rl = sum(r["rl"] for r in margins) / n
    on_policy = {
        "replicated": "learning from its own corrected mistakes beat copying on the longest tasks",
        "not_replicated": "learning from its own corrected mistakes did not beat copying on the longest tasks",
    }.get(v["onpolicy-beats-offpolicy"], "whether learning from its own corrected mistakes beats copying on long "
          "tasks stayed unresolved (the seeds disagreed)")  # fmt: skip
    catch_up = {
        "replicated": "trained 16 times longer on plain right answers, a small model caught up with a distilled one",
        "not_replicated": "trained 16 times longer on plain right answers, a small model still fell short of a "
        "distilled one",
    }.get(v["overtrained-catches-up"], "whether long training on plain right answers catches up with distillation "
          "stayed unresolved")  # fmt: skip
    return (
        f"Copying worked answers taught a tiny model the task ({sft:.0%} accuracy) with far fewer examples than "
        f"rewarding right answers, which left it at {rl:.0%}; the samples gap {_ratio_text(result)}. "
        f"{on_policy[0].upper()}{on_policy[1:]}; {catch_up}."
    )


BRIEF = Brief(
    claimed=(
        "Labs train small models by imitation (fine-tuning on a bigger model's worked answers, or 'distillation') "
        "rather than by rewarding right answers (reinforcement learning), and explain why: a worked answer shows "
        "every step, many bits of information per example, while a reward says only 'right' or 'wrong', at most one "
        "bit. The Qwen3 report found that distilling from a teacher beat reinforcement learning at about a tenth of "
        "the compute. A second claim, from the imitation-learning literature (Ross et al. 2011; Agarwal et al. 2024), "
        "is that a student who practises on its own attempts and has the teacher correct them (on-policy) does "
        "better than one who only copies the teacher's perfect answers, because copying never shows it how to "
        "recover from its own mistakes, which pile up over long tasks. A third (Busbridge et al. 2025) is that a "
        "small model trained long enough on the plain right answers ends up as good as one distilled from a teacher."
    ),
    ran=(
        "A task with a known right answer at every step: add up a list of digits modulo a small number, writing the "
        "running total after each digit, so the number of steps T can be varied. Tiny one-layer transformers learned "
        "it from scratch, several independent seeds per method trained side by side as one batched computation, and "
        "were scored on prompts never used in training. We compared (1) copying the teacher's worked answers, (2) "
        "practising and being corrected by the teacher step by step, and (3) reinforcement learning rewarded only "
        "for a right final answer, all from the same starting weights; then (1) against (2) at several horizons with "
        "the same number of teacher answers; and finally a student distilled from a trained, larger teacher's "
        "probabilities against one trained 1, 4 and 16 times as long on the bare right answers. Controls check the "
        "teacher and the reward against an independent checker, that test prompts never appear in training, that "
        "untrained students answer at chance and that the information accounting matches cases worked by hand."
    ),
    not_shown=(
        "This is one synthetic arithmetic task with models of a few thousand parameters, not language models on real "
        "problems. The reinforcement learner here starts from scratch, whereas labs apply RL to models that already "
        "solve some problems; RL from a capable starting point can do far better than what is measured here. The "
        "bits count is an upper-bound style argument, not a measurement of what a learner extracts. Horizons are "
        "short (at most a few dozen steps), the teachers are perfect or nearly so, and the thresholds for 'many "
        "times', 'about as good' and 'ahead' are Skeptic's. Nothing here measures cost in GPU hours, the unit of the "
        "Qwen3 comparison."
    ),
    found=found,
    answer=answer,
    headline_figure="accuracy-vs-samples",
)
