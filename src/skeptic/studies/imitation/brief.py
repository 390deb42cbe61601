"""The plain-language brief of the imitation study: what was claimed, what we ran, what we found, and which of
Lawrence Chan's four remarks held, failed or could not be tested here."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from skeptic.studies.imitation import claims as cl
from skeptic.study import Brief

if TYPE_CHECKING:
    from skeptic.study import RunResult


def _est(result: RunResult, cid: str) -> dict[str, float] | None:
    est = next((c["estimates"] for c in result.claims if c["id"] == cid), None)
    return est[0] if est else None


def _ratio_text(result: RunResult, cid: str) -> str:
    e = _est(result, cid)
    if e is None or math.isnan(e["value"]):
        return "could not be measured (the imitation arm did not reach the target in any replicate)"
    if math.isinf(e["hi"]):
        return f"was at least {e['value']:.0f} to 1 (a lower bound: RL had not reached the target in every replicate)"
    return f"was about {e['value']:.0f} to 1 ({e['lo']:.0f} to {e['hi']:.0f} over independent checkpoints)"


def _gap_text(m: Any) -> str:
    e = cl.converged_gap(m)
    if math.isnan(e.value):
        return "undefined: no width's students of both kinds learned"
    return f"{e.value:+.3f} [{e.lo:+.3f}, {e.hi:+.3f}] over independent teachers"


def _held(verdict: str) -> str:
    return {"replicated": "held", "not_replicated": "failed"}.get(verdict, "could not be decided")


def found(result: RunResult) -> str:
    m, cfg = result.measurements, result.config
    v = {c["id"]: c["verdict"] for c in result.claims}
    mg = cl.margins(m)
    mean = {k: float(np.mean([r[k] for r in mg])) for k in ("start", "sft", "on_policy", "rl")}
    bc_slope, op_slope = np.mean(cl.slopes(m, "bc")), np.mean(cl.slopes(m, "on-policy"))
    paths = {k: [r for r in m["horizons"]["paths"] if r["method"] == k] for k in ("bc", "on-policy")}
    off = {k: float(np.mean([r["off_path_error"] for r in rows])) for k, rows in paths.items()}
    on = {k: float(np.mean([r["on_path_error"] for r in rows])) for k, rows in paths.items()}
    ws = cl.widths(m)
    cap = cl.capacity_point(m)
    tested = cl.tested_width(m)
    narrow = tested if tested is not None else ws[0]
    below = [w for w in ws if w < narrow]
    d, h = cl.distill_curve(m, "distilled", narrow), cl.distill_curve(m, "hard", narrow)
    last = max(d)
    failed = [p["id"] for p in result.probes if not p["passed"]]
    ahead = v["distilled-ahead-at-equal-steps"]
    soft = float(np.mean(m["distill"]["soft_share"]))
    lines = [
        f"From {cfg['starts']} independent checkpoints, each cloned until half right ({mean['start']:.0%} held-out "
        f"accuracy on average on a {m['sft_vs_rl']['T']}-step running sum mod {cfg['p']}), {len(mg)} replicate runs "
        "per arm in all: after "
        f"{mg[0]['samples']:.0f} samples SFT reached {mean['sft']:.0%}, on-policy "
        f"distillation {mean['on_policy']:.0%} and RL {mean['rl']:.0%}. RL needed more samples than SFT to reach "
        f"{cl.TARGET:.0%}: the ratio {_ratio_text(result, 'sft-beats-rl')} ({v['sft-beats-rl']} for 'at least 10 "
        f"to 1'); against on-policy distillation it {_ratio_text(result, 'rl-vs-onpolicy-distillation')} "
        f"({v['rl-vs-onpolicy-distillation']}). The bits argument's prediction: {v['bits-explain-gap']} (within a "
        f"factor {cl.BITS_FACTOR:g} either way).",
        f"On the {cfg['horizon_task']} task with a slip forced on {cfg['slip_rate']:.0%} of steps, behaviour cloning's "
        f"cost/ε grew with log-log slope {bc_slope:.2f} in T ({v['offpolicy-superlinear']} for 'faster than T·ε') "
        f"and on-policy distillation's with {op_slope:.2f} ({v['onpolicy-at-most-linear']} for 'at most linear'). "
        f"The cloned student erred on {off['bc']:.0%} of its steps off the expert's path against {on['bc']:.1%} on "
        f"it ({v['offpath-error-above-onpath']}); the on-policy student {off['on-policy']:.0%} against "
        f"{on['on-policy']:.1%}. On-policy clearly cheaper at the longest horizon: {v['onpolicy-beats-offpolicy']}.",
        f"Students of width{'s' if len(ws) > 1 else ''} {', '.join(map(str, ws))} learned the sum from a trained "
        "teacher's distribution or from "
        f"hard labels; the narrowest width whose hard-label students reached the teacher was "
        f"{cap if cap is not None else 'none of them'}"
        + (
            f"; at width {', '.join(map(str, below))} one kind or both stayed near chance (narrow students learn the "
            "sum all at once or not at all)"
            if below
            else ""
        )
        + f". At width {narrow}, after {last} steps, distilled students reached {np.mean(d[last]):.0%} and "
        f"hard-label ones {np.mean(h[last]):.0%} (hard − distilled {_gap_text(m)}, a described measurement; "
        f"distilled ahead at equal steps: {v['distilled-ahead-at-equal-steps']}). The teacher's top answer had "
        f"probability below 0.999 on {soft:.0%} of states"
        f"{', so its soft targets had little beyond the argmax to add' if soft < 0.1 else ''}.",
        "Lawrence Chan's remarks: 'SFT >> RL for efficiency' "
        f"{_held(v['sft-beats-rl'])} at the {cl.RATIO:g}x line; 'a bunch more bits per forward pass' as the "
        f"explanation {_held(v['bits-explain-gap'])}; 'dAgger > SFT ... a smaller improvement' "
        f"{_held(v['onpolicy-margin-smaller'])} in accuracy at equal samples (DAgger's advantage grows with the "
        "horizon once errors compound); "
        f"'overtrained ≈ distilled low parameter models' could not be tested: it is reported as a measurement "
        f"(hard − distilled {_gap_text(m)} at the narrowest width where both kinds learned), not a verdict, because "
        "with a deterministic task and a teacher right everywhere the hard labels and the teacher's distribution "
        "share their argmax, so no setting here makes the two kinds differ at convergence while both work; "
        "'why are distilled models better than just "
        "overtraining... SFT >> RL' "
        f"asks two things: distilled students ahead of hard-label ones at equal steps {_held(ahead)} here, with a "
        "teacher this sure of itself, and the SFT-over-RL part is the first remark's test.",
    ]
    if failed:
        lines.append(f"Probes failed ({', '.join(failed)}), so none of these verdicts is trusted.")
    return " ".join(lines)


def answer(result: RunResult) -> str:
    v = {c["id"]: c["verdict"] for c in result.claims}
    mg = cl.margins(result.measurements)
    sft = float(np.mean([r["sft"] for r in mg]))
    rl = float(np.mean([r["rl"] for r in mg]))
    compounding = {
        "replicated": "copying a teacher let mistakes pile up over long tasks, faster than the task length, while "
        "learning on its own corrected mistakes kept them in proportion",
        "not_replicated": "copying a teacher did not let mistakes pile up faster than the task length",
    }.get(v["offpolicy-superlinear"], "whether copying lets mistakes pile up over long tasks stayed unresolved")
    return (
        f"From the same partly trained start, copying worked answers reached {sft:.0%} while rewarding right answers "
        f"reached {rl:.0%} with as many examples; the samples gap {_ratio_text(result, 'sft-beats-rl')}. "
        f"{compounding[0].upper()}{compounding[1:]}."
    )


BRIEF = Brief(
    claimed=(
        "Labs train small models by imitation (fine-tuning on a bigger model's worked answers, or 'distillation') "
        "rather than by rewarding right answers (reinforcement learning). The researcher Lawrence Chan put the reasons "
        "in four remarks (LessWrong, 2025): copying is far more efficient than RL because a worked answer carries many "
        "more bits than a right/wrong reward; practising on one's own attempts with a teacher correcting them "
        "(on-policy distillation, DAgger) beats plain copying but by a smaller margin; and a small model trained long "
        "enough on the plain answers ends up as good as a distilled one, since it has no spare capacity to use. The "
        "Qwen3 report found on-policy distillation beat RL from the same checkpoint at about a tenth of the GPU hours; "
        "Ross et al. (2011) showed copying's mistakes can grow with the square of the task length when a mistake "
        "leads to situations the teacher never showed."
    ),
    ran=(
        "Tasks with a known right answer at every step: a running total of digits modulo a small number, or a running "
        "count of zeros, written step by step. Tiny transformers learned them, several seeds per method trained side by"
        " side and scored on prompts never used in training. (1) From one starting point copied until half right, we "
        "compared more copying, practising with the teacher's corrections, and RL rewarded only for a right final "
        "answer, counting samples to 80% accuracy over replicate runs from several independently cloned "
        "checkpoints. (2) On the count task, where a student "
        "that adds to its own previous answer carries any mistake to the end while the teacher would correct it, we "
        "compared copying with practising-and-correction at several task lengths, forcing the same small rate of slips "
        "at every length; the running sum, where the teacher just continues from any mistake, is the contrast. (3) "
        "Students of one width (at the quick setting) or several (at the paper setting) learned from a larger "
        "trained teacher's probabilities or from the bare right answers for the same steps. Controls check the "
        "teachers, the reward, held-out prompts, chance-level untrained students, and that every arm actually learned."
    ),
    not_shown=(
        "This is synthetic arithmetic with models of a few hundred to a few thousand parameters, not language models "
        "on real problems. RL here starts from a partly trained model and uses plain REINFORCE; sample counts are not "
        "GPU hours, the unit of the Qwen3 comparison. The slips that hold the error rate fixed are forced, not the "
        "student's own; the compounding task was chosen so that recovering is learnable. The trained teacher is almost "
        "certain of every answer, so 'soft targets' carry little here. Capacity does not bind gradually on this task: "
        "a student narrower than the capacity point learns the sum all at once or not at all, at a step that varies "
        "from seed to seed, so 'overtrained ≈ distilled where capacity binds' is only measured (at the narrowest width "
        "where both kinds learned), not judged: nothing in this design could make it fail. The thresholds for 'many "
        "times', 'within a factor' and 'ahead' are Skeptic's, each with a band of alternatives."
    ),
    found=found,
    answer=answer,
    headline_figure="cost-vs-horizon",
)
