"""The three experiments of the imitation study, each one batched computation over seeds and methods.

1. :func:`sft_vs_rl`: a student is cloned from the expert until it is half right (:func:`shared_checkpoint`), and
   from that one shared checkpoint replicate students learn on by (a) supervised fine-tuning on the expert's
   demonstrations, (b) on-policy distillation (their own sampled answers relabelled by the expert at every step:
   DAgger with β = 0, GKD with λ = 1) and (c) REINFORCE with a group-mean baseline on the 0/1 outcome reward, as the
   Qwen3 report compares RL with on-policy distillation from one checkpoint. Held-out final-answer accuracy is
   recorded against samples.
2. :func:`horizons`: behaviour cloning against on-policy distillation at equal expert queries, trained at the longest
   horizon and scored on every horizon T ≤ it (the first T steps of an episode are an episode of horizon T, so one
   policy, one ε), with a fixed per-step slip added to every action (:func:`task.slips`): Ross et al.'s cost at a
   fixed ε, and each student's error on and off the expert's path.
3. :func:`distill_vs_overtrain`: a wider transformer is trained on the ground truth (the teacher); students of several
   widths learn from its full next-token distributions or from the hard ground truth, from the same initial weights
   for the same steps, evaluated along the way: equal steps and convergence, per width.

Every function takes the run context, whose named streams (``ctx.torch_generator``, ``ctx.seed_for``) give every
random draw (no seed arithmetic), and returns JSON-able rows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from skeptic.models import TinyTransformer
from skeptic.studies.imitation import nets, task
from skeptic.study import RunContext, largest

OUTCOME_TASK = "sum"
"""Experiments 1 and 3 run on the running sum: its answers are uniform over the p digits, so chance is exactly 1/p
and a demonstration's T·log₂ p bits are exact (the count's answers are skewed: a policy that writes 0 or 1 is right
on 80% of 4-digit prompts, and RL stalls there). Compounding plays no part in them (they score the final answer
on the student's own rollouts)."""


def checkpoints(steps: int, n: int) -> list[int]:
    """About ``n`` log-spaced step counts from 0 to ``steps`` (0 and ``steps`` included): when to evaluate."""
    grid = np.unique(np.round(np.logspace(0, np.log10(max(steps, 1)), max(n - 1, 2))).astype(int))
    return sorted({0, steps, *(int(s) for s in grid if 0 < s <= steps)})


def _codes(x: torch.Tensor, p: int) -> set[int]:
    return {int(c) for c in task.prompt_codes(x.reshape(-1, x.shape[-1]), p).tolist()}


class _Ledger:
    """What the probes read: prompts seen in training, states each arm trained on."""

    def __init__(self) -> None:
        self.train_codes: set[int] = set()
        self.train_prompts = 0
        self.train_held_out = 0
        self.off_path: dict[str, list[float]] = {}

    def train_batch(self, x: torch.Tensor, p: int) -> None:
        """Record a batch of training prompts: their codes, and how many lie in the held-out part (must be none)."""
        flat = x.reshape(-1, x.shape[-1])
        self.train_codes |= _codes(flat, p)
        self.train_prompts += int(flat.shape[0])
        self.train_held_out += int(task.held_out(flat, p).sum())

    def split_record(self, x_eval: torch.Tensor, p: int) -> dict[str, Any]:
        """What the held-out probe reads: training prompts drawn, how many of them are held out, how many are also
        evaluation prompts, and the share of evaluation prompts in the held-out part."""
        return {
            "train_prompts": self.train_prompts,
            "train_held_out": self.train_held_out,
            "train_eval_overlap": len(self.train_codes & _codes(x_eval, p)),
            "eval_held_out": float(task.held_out(x_eval, p).float().mean()),
        }

    def states(self, arm: str, x: torch.Tensor, y: torch.Tensor, p: int, kind: str) -> None:
        """Share of training states (steps) off the expert's own path: some earlier answer is wrong."""
        wrong = (y != task.answers(x, p, kind)).int().cumsum(-1)
        prior_wrong = torch.cat([torch.zeros_like(wrong[..., :1]), wrong[..., :-1]], dim=-1) > 0
        self.off_path.setdefault(arm, []).append(float(prior_wrong.float().mean()))


def _eval_rows(
    stack: nets.Stack, x_eval: torch.Tensor, p: int, kind: str, labels: list[dict[str, Any]], forced: bool = True
) -> list[dict[str, Any]]:
    """One evaluation row per model; ``forced=False`` leaves out the teacher-forced ε (``forced_error``), which
    experiment 1's curves never read (only experiment 2's arm-works probe and experiment 3's table do)."""
    ev = nets.evaluate(stack, x_eval, p, kind, forced=forced)
    rows = [
        lab | {"final_accuracy": a, "cost": c, "sequence_accuracy": s}
        for lab, a, c, s in zip(labels, ev.final_accuracy, ev.cost, ev.sequence_accuracy, strict=True)
    ]
    if ev.forced_error is not None:
        rows = [r | {"forced_error": f} for r, f in zip(rows, ev.forced_error, strict=True)]
    return rows


def _supervised_batch(
    stack: nets.Stack, arms: list[str], x: torch.Tensor, p: int, kind: str, gen: torch.Generator, ledger: _Ledger
) -> tuple[torch.Tensor, torch.Tensor]:
    """States and expert labels for every model: the expert's rollouts for "bc", the model's own samples for
    "on-policy" (relabelled by the expert at each visited state)."""
    y = task.answers(x, p, kind).clone()
    own = [i for i, a in enumerate(arms) if a == "on-policy"]
    if own:
        y[own] = nets.rollout(stack.select(own), x[own], p, temperature=1.0, gen=gen)
    return y, task.expert_labels(x, y, p, kind)


def train_imitation(
    stack: nets.Stack,
    arms: list[str],
    *,
    T: int,
    p: int,
    kind: str,
    steps: int,
    batch: int,
    lr: float,
    x_eval: torch.Tensor,
    labels: list[dict[str, Any]],
    n_checkpoints: int,
    gen: torch.Generator,
    ledger: _Ledger,
    device: str = "cpu",
    final_only: bool = False,
    own_correct: bool = False,
    forced: bool = True,
    decay: bool = False,
) -> list[dict[str, Any]]:
    """Behaviour cloning ("bc") and on-policy distillation ("on-policy") models trained side by side.

    Each step every model gets ``batch`` fresh training prompts and one expert label per answer step (equal expert
    queries for both arms: ``batch · T`` labels a step); the loss is the cross-entropy of those labels
    (``final_only``: of the last step's label alone, a demonstration of log₂ p bits). ``own_correct``: no expert
    label at all; every model samples its own answers and is fine-tuned on those whose final answer is right
    (rejection sampling: all it learns from a sample is the outcome's bit, as RL does; the contrast without dense
    supervision). ``n_checkpoints = 0`` evaluates nothing; ``forced=False`` leaves the teacher-forced ε out of the
    evaluation rows. ``decay``: the learning rate cools down linearly to zero over the last fifth of the steps
    (:func:`decayed_lr`), so the students end training at rest instead of at full rate.
    """
    opt = nets.optimizer(stack, lr)
    rows: list[dict[str, Any]] = []
    marks = set(checkpoints(steps, n_checkpoints)) if n_checkpoints else set()
    M = stack.size
    for s in range(steps + 1):
        if s in marks:
            evaluated = _eval_rows(stack, x_eval, p, kind, labels, forced)
            rows += [r | {"step": s, "samples": s * batch} for r in evaluated]
        if s == steps:
            break
        if decay:
            opt.lr = decayed_lr(lr, s, steps)
        x = task.sample_prompts(M * batch, T, p, gen, split="train", device=device).reshape(M, batch, T)
        ledger.train_batch(x, p)
        if own_correct:
            y = nets.rollout(stack, x, p, temperature=1.0, gen=gen)
            keep = task.outcome_reward(x, y, p, kind)  # [M, B]: 1 where the sampled final answer is right
            for arm in sorted(set(arms)):
                ledger.states(arm + " (own, outcome-filtered)", x, y, p, kind)
            logp = torch.log_softmax(nets.answer_logits(stack, x, y, p).float(), -1).gather(-1, y[..., None])[..., 0]
            kept = keep.sum(-1).clamp(min=1.0) * T  # the mean over the kept samples' steps
            nets.step(opt, -(keep[..., None] * logp).sum(dim=(1, 2)) / kept)
            continue
        y, target = _supervised_batch(stack, arms, x, p, kind, gen, ledger)
        for arm in sorted(set(arms)):  # recorded here, where each model's arm is assigned, not where it is used
            idx = [i for i, a in enumerate(arms) if a == arm]
            ledger.states(arm, x[idx], y[idx], p, kind)
        logit = nets.answer_logits(stack, x, y, p)
        if final_only:
            logit, target = logit[..., -1:, :], target[..., -1:]
        nets.step(opt, nets.cross_entropy(logit, target))
    return rows


DECAY_SHARE = 0.2
"""The last share of experiment 2's steps over which its learning rate decays to zero (:func:`decayed_lr`)."""


def decayed_lr(lr: float, s: int, steps: int, share: float = DECAY_SHARE) -> float:
    """The learning rate of step ``s`` (0 … steps − 1): ``lr`` for the first ``(1 − share)·steps`` steps, then falling
    linearly to ``lr / n`` at the last, ``n = ⌈share·steps⌉`` the decaying steps: ``lr · min(1, (steps − s) / n)``
    (a constant rate with a linear cool-down at the end, as in warmup-stable-decay schedules).

    Experiment 2's students trained at a constant 0.005 until session 16, and Adam at a constant rate is not at rest at
    the end: at ``quick`` seed 2 one behaviour-cloning student had learned the path (0.004 teacher-forced error at step
    121) and then spiked (0.204 at step 200, the end of its budget; 0.076 at 207 and 0.003 at 352 when trained on),
    failing the arm-works probe with a student that had learned. Both arms get the same schedule, so their expert
    queries stay equal. A decay over the whole run (``share = 1``) also removed the spike but trained less: at
    ``audit`` (100 steps) it lowered `offpolicy-superlinear`'s slope at seeds 0 and 3 (1.445 → 1.359, 1.354 → 1.272),
    as a smaller budget does (and ×4 steps raises it); the cool-down keeps the full rate for four fifths of the run.
    """
    n = max(1, math.ceil(share * steps))
    return lr * min(1.0, (steps - s) / n)


@torch.no_grad()
def reference_accuracy(stack: nets.Stack, index: int, x_eval: torch.Tensor, p: int, kind: str) -> float:
    """Final-answer accuracy of one model of the stack, decoded greedily by an independent, unbatched loop.

    The model is rebuilt as a plain :class:`~skeptic.models.TinyTransformer` from its slice of the stacked parameters
    and run step by step (no vmap, no :func:`nets.rollout`), and scored by the pure-Python :func:`task.check_answer`,
    so that the batched evaluation can be cross-checked.
    """
    model = TinyTransformer(stack.template.shape).to(x_eval.device)
    model.load_state_dict({k: v[index].detach() for k, v in stack.params.items()})
    T = x_eval.shape[-1]
    y = torch.zeros_like(x_eval)
    for t in range(T):
        seq = task.sequences(x_eval[:, : t + 1], y[:, : t + 1], p)[:, :-1]
        y[:, t] = model(seq)[:, -1, p:].argmax(-1)
    ok = [task.check_answer(a, b, p, kind) for a, b in zip(x_eval.tolist(), y.tolist(), strict=True)]
    return sum(ok) / len(ok)


def train_rl(
    stack: nets.Stack,
    *,
    T: int,
    p: int,
    kind: str,
    steps: int,
    prompts: int,
    group: int,
    lr: float,
    x_eval: torch.Tensor,
    labels: list[dict[str, Any]],
    n_checkpoints: int,
    gen: torch.Generator,
    ledger: _Ledger,
    device: str = "cpu",
    reward: str = "outcome",
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, float]]:
    """REINFORCE with a group-mean baseline on the outcome reward ``1[y_T right]``, ``prompts · group`` episodes a step
    (``reward = "steps"``: the share of steps right, one scalar per episode built from a 0/1 signal per step;
    ``reward = "tokens"``: each step's own 0/1 signal, credited to that step's action alone, with a per-step group
    baseline: the contrast in which RL is told which of its actions were right, dense per-token feedback).

    Returns the evaluation rows, the reward statistics per step (success rate, reward bits ``H(q)`` per episode) and a
    check of the reward: every episode of the last batch scored again by the pure-Python checker.
    """
    opt = nets.optimizer(stack, lr)
    rows: list[dict[str, Any]] = []
    rewards: list[dict[str, Any]] = []
    marks = set(checkpoints(steps, n_checkpoints))
    M, B = stack.size, prompts * group
    check: dict[str, float] = {"episodes": 0, "agree": 0, "advantage_error": float("inf")}
    for s in range(steps + 1):
        if s in marks:
            rows += [r | {"step": s, "samples": s * B} for r in _eval_rows(stack, x_eval, p, kind, labels, False)]
        if s == steps:
            break
        x = task.sample_prompts(M * prompts, T, p, gen, split="train", device=device).reshape(M, prompts, 1, T)
        x = x.expand(M, prompts, group, T).reshape(M, B, T)
        ledger.train_batch(x, p)
        y = nets.rollout(stack, x, p, temperature=1.0, gen=gen)
        r = outcome = task.outcome_reward(x, y, p, kind)
        q = [float(v) for v in outcome.mean(-1)]
        bits = [task.reward_bits(v) for v in q]
        if reward in ("steps", "tokens"):  # one 0/1 signal per step: its entropies add up (at most T bits an episode)
            right = (y == task.answers(x, p, kind)).float()
            bits = [sum(task.reward_bits(float(v)) for v in row) for row in right.mean(1)]
            r = right.mean(-1) if reward == "steps" else right
        rewards.append({"step": s, "success": q, "bits_per_episode": bits})
        advantages = nets.group_advantages(r, group)
        if s == steps - 1:
            check["advantage_error"] = baseline_error(r, advantages, group)
            xs, ys, rs = x.reshape(-1, T).tolist(), y.reshape(-1, T).tolist(), outcome.reshape(-1).tolist()
            check["episodes"] = len(rs)
            check["agree"] = sum(
                task.check_answer(a, b, p, kind) == bool(c) for a, b, c in zip(xs, ys, rs, strict=True)
            )
        logit = nets.answer_logits(stack, x, y, p)
        nets.step(opt, nets.reinforce_loss(logit, y, advantages))
    return rows, rewards, check


def baseline_error(rewards: torch.Tensor, advantages: torch.Tensor, group: int) -> float:
    """Largest |A − (R − mean of R over its group)| over one batch, the baseline recomputed in float64 NumPy apart
    from :func:`nets.group_advantages`: what the probe that RL's baseline is its group's mean reads."""
    r = rewards.detach().cpu().double().numpy()
    M, B = r.shape[:2]
    grouped = r.reshape(M, B // group, group, -1)  # a last axis of 1 for one reward an episode
    want = (grouped - grouped.mean(2, keepdims=True)).reshape(r.shape)
    return float(np.abs(advantages.detach().cpu().double().numpy() - want).max())


def shared_checkpoint(
    cfg: Any, ctx: RunContext, shape: Any, gen: torch.Generator, ledger: _Ledger
) -> tuple[nets.Stack, list[dict[str, Any]], dict[str, Any]]:
    """Experiment 1's ``starts`` independent checkpoints, each shared by every replicate of every arm started from it.

    Each start has ``checkpoint_candidates`` students of its own, cloned side by side (all starts' candidates in one
    batched computation) from their own initial weights; each candidate is snapshotted the first time its
    final-answer accuracy on validation prompts (training part of the space, never the held-out one) reaches
    ``checkpoint_accuracy``, and the start's checkpoint is the snapshot of its candidate whose cloning ended most
    accurate (a trajectory that learns, caught half way).

    Every replicate of every arm from one start begins at the same weights, so within a start the arms' differences
    are their training noise, not a lottery of starting points (cloned for a fixed number of steps, eight seeds'
    starts ranged from 0.43 to 1.0 held-out accuracy). Which checkpoint the cloning happens to produce still moves
    the samples ratios (session 13: with one checkpoint per run, `rl-vs-onpolicy-distillation` and the other ratios
    moved from seed to seed by more than their intervals over replicates), so there are several independent starts
    and the claims' intervals are over them. Returns the checkpoints (a stack of ``starts`` models), the candidates'
    untrained evaluations (the chance control) and what the probes read (per start).
    """
    S, K, T, p, kind, device = cfg.starts, cfg.checkpoint_candidates, cfg.rl_horizon, cfg.p, OUTCOME_TASK, ctx.device
    inits = [ctx.seed_for("sft_vs_rl", "init", g, k) for g in range(S) for k in range(K)]
    cands = nets.init_stack(shape, inits, device)
    N = S * K
    fingerprint = [float(v) for v in cands.params["token_embedding.weight"].detach()[:, 0, 0]]
    x_val = task.sample_prompts(min(cfg.eval_prompts, VAL_PROMPTS), T, p, gen, split="train", device=device)
    untrained = nets.evaluate(cands, x_val, p, kind, forced=False).final_accuracy
    snap: dict[int, dict[str, torch.Tensor]] = {}
    crossed: dict[int, int] = {}
    opt = nets.optimizer(cands, cfg.lr)
    acc = untrained
    before: dict[int, float | None] = {}  # each snapshot's candidate one step before it (None at step 0)
    recent: list[tuple[int, nets.Stack]] = []  # the candidates at every step since the last evaluation
    for s in range(cfg.clone_steps + 1):
        recent.append((s, nets.Stack(cands.template, {k: v.detach().clone() for k, v in cands.params.items()})))
        if s % CLONE_EVAL_EVERY == 0 or s == cfg.clone_steps:
            # along the way only the candidates not yet snapshotted are read; at the end every one (its end accuracy
            # picks its start's checkpoint)
            scored = list(range(N)) if s == cfg.clone_steps else [k for k in range(N) if k not in snap]
            prev, acc = acc, _accuracies(cands, scored, acc, x_val, p, kind)
            new = [k for k, a in enumerate(acc) if k not in snap and a >= cfg.checkpoint_accuracy]
            for step, past in recent if new else []:  # back to the first step at which each new one crossed
                past_acc = acc if step == s else _accuracies(past, new, prev, x_val, p, kind)
                for k in new:
                    if k not in snap and past_acc[k] >= cfg.checkpoint_accuracy:
                        snap[k] = {name: v[k].clone() for name, v in past.params.items()}
                        crossed[k], before[k] = step, (prev[k] if step > 0 else None)
                prev = past_acc
            recent = []
        if s == cfg.clone_steps:
            break
        x = task.sample_prompts(N * cfg.batch, T, p, gen, split="train", device=device).reshape(N, cfg.batch, T)
        ledger.train_batch(x, p)
        y = task.answers(x, p, kind)
        nets.step(opt, nets.cross_entropy(nets.answer_logits(cands, x, y, p), y))
    chosen: list[dict[str, torch.Tensor]] = []
    per_start: list[dict[str, Any]] = []
    for g in range(S):
        group = list(range(g * K, (g + 1) * K))
        best = max(group, key=lambda k: (k in snap, acc[k]))  # the first of equals, as a stable sort would give
        chosen.append(snap.get(best) or {name: v[best].detach().clone() for name, v in cands.params.items()})
        per_start.append({
            "candidates_end_accuracy": [acc[k] for k in group], "chosen": best - g * K, "chosen_crossed": best in snap,
            "crossed_at_step": {str(k - g * K): crossed[k] for k in group if k in crossed},
            "accuracy_before_crossing": before.get(best),
        })  # fmt: skip
    params = {name: torch.stack([c[name] for c in chosen]) for name in chosen[0]}
    checkpoint = nets.Stack(cands.template, {k: v.clone().requires_grad_(True) for k, v in params.items()})
    for g, info in enumerate(per_start):
        info["reference_validation_accuracy"] = reference_accuracy(checkpoint, g, x_val, p, kind)
    info_all = {"fingerprint": fingerprint, "validation_prompts": int(x_val.shape[0]), "starts": per_start}
    untrained_rows = [{"start": k // K, "candidate": k % K, "final_accuracy": a} for k, a in enumerate(untrained)]
    return checkpoint, untrained_rows, info_all


def _accuracies(
    stack: nets.Stack, which: list[int], known: list[float], x_val: torch.Tensor, p: int, kind: str
) -> list[float]:
    """``known`` with the entries of the models ``which`` replaced by their final-answer accuracy on ``x_val`` (only
    those models decoded: each model's greedy decoding is its own computation, so its accuracy is the same as in a
    decoding of the whole stack, tests/studies/imitation/test_experiments.py)."""
    out = list(known)
    if which:
        sub = (
            stack
            if len(which) == stack.size
            else nets.Stack(stack.template, {k: v.detach()[which] for k, v in stack.params.items()})
        )
        for k, a in zip(which, nets.evaluate(sub, x_val, p, kind, forced=False).final_accuracy, strict=True):
            out[k] = a
    return out


CLONE_EVAL_EVERY = 5
"""Cloning steps between the candidates' validation evaluations. When a candidate first crosses the threshold, the
steps since the last evaluation are evaluated too, so its snapshot is taken at the first step at or above it (with
the snapshot at the evaluation step alone, a candidate learning fast jumped from 0.3 to 0.7 in five steps, and the
shared checkpoint's held-out accuracy ranged 0.46 to 0.73 over seeds 0-2 at ``audit``, leaving RL too little to
gain)."""
VAL_PROMPTS = 256
"""Validation prompts (training part of the space) the checkpoint candidates are scored on at most (±3 points)."""


def _replicas(stack: nets.Stack, n: int) -> nets.Stack:
    """``n`` trainable copies of each model of a stack, model-major: copy ``i`` is of model ``i // n``."""
    return nets.Stack(stack.template, {k: v.detach().repeat_interleave(n, dim=0).requires_grad_(True)
                                       for k, v in stack.params.items()})  # fmt: skip


def sft_vs_rl(cfg: Any, ctx: RunContext) -> dict[str, Any]:
    """Experiment 1 (see the module docstring): ``starts`` independent cloned checkpoints (:func:`shared_checkpoint`),
    then SFT, on-policy distillation and RL from each, ``replicates`` independent training runs per arm and start
    (their own data and samples). Replicate ``i`` of an arm (0 … starts·replicates − 1) starts from checkpoint
    ``i // replicates``, the same for every arm."""
    T, p, kind, device = cfg.rl_horizon, cfg.p, OUTCOME_TASK, ctx.device
    R, N = cfg.replicates, cfg.starts * cfg.replicates
    gen = ctx.torch_generator("sft_vs_rl", "data")
    shape = nets.model_shape(p, T, cfg.d_student, cfg.student_layers)
    x_eval = task.sample_prompts(cfg.eval_prompts, T, p, gen, split="eval", device=device)
    ledger = _Ledger()
    start, untrained, chosen = shared_checkpoint(cfg, ctx, shape, gen, ledger)
    arms = ["bc"] * N + ["on-policy"] * N
    stack = _replicas(nets.Stack(start.template, {k: torch.cat([v, v]) for k, v in start.params.items()}), R)
    labels = [{"method": "sft" if a == "bc" else "on-policy", "seed": i % N, "start": (i % N) // R}
              for i, a in enumerate(arms)]  # fmt: skip
    imitation = train_imitation(
        stack, arms, T=T, p=p, kind=kind, steps=cfg.sft_steps, batch=cfg.batch, lr=cfg.finetune_lr, x_eval=x_eval,
        labels=labels, n_checkpoints=cfg.checkpoints, gen=gen, ledger=ledger, device=device,
        final_only=cfg.sft_labels == "final", own_correct=cfg.sft_labels == "own-correct", forced=False,
    )  # fmt: skip
    rl_stack = _replicas(start, R)
    rl_rows, rewards, check = train_rl(
        rl_stack, T=T, p=p, kind=kind, steps=cfg.rl_steps, prompts=cfg.rl_prompts,
        group=cfg.rl_group, lr=cfg.rl_lr, x_eval=x_eval,
        labels=[{"method": "rl", "seed": i, "start": i // R} for i in range(N)],
        n_checkpoints=cfg.checkpoints, gen=gen, ledger=ledger, device=device, reward=cfg.rl_reward,
    )  # fmt: skip
    batched = {r["method"] + str(r["seed"]): r["final_accuracy"] for r in imitation if r["step"] == cfg.sft_steps}
    cross_check = [
        {"model": lab["method"] + str(lab["seed"]), "batched": batched[lab["method"] + str(lab["seed"])],
         "reference": reference_accuracy(stack, i, x_eval, p, kind)}
        for i, lab in enumerate(labels)
    ]  # fmt: skip
    return {
        "T": T,
        "untrained": untrained,
        "checkpoint": chosen,
        "curves": imitation + rl_rows,
        "rewards": rewards,
        "reward_check": check,
        "evaluation_cross_check": cross_check,
        "off_path": {k: float(np.mean(v)) for k, v in ledger.off_path.items()},
        **ledger.split_record(x_eval, p),
        "init_fingerprint": chosen["fingerprint"],
        "demo_bits": demo_bits(cfg),
        "chance": 1.0 / p,
        "eval_prompts": int(x_eval.shape[0]),
        "shapes": {
            "imitation": declared_shape(stack),
            "rl": declared_shape(rl_stack),
            "checkpoints": declared_shape(start),
        },
    }


def demo_bits(cfg: Any) -> float:
    """Bits one training sample of experiment 1's imitation arms carries: T·log₂ p (a label at every step), log₂ p
    (the final label alone) or 1 (``own-correct``: the outcome's bit, at most H(q) ≤ 1, counted at its maximum)."""
    if cfg.sft_labels == "own-correct":
        return 1.0
    return task.demonstration_bits(1 if cfg.sft_labels == "final" else cfg.rl_horizon, cfg.p)


def horizons(cfg: Any, ctx: RunContext) -> dict[str, Any]:
    """Experiment 2: behaviour cloning vs on-policy distillation at equal expert queries, trained at the longest
    horizon and scored, with a fixed slip rate, over the first T steps for every horizon T of ``cfg.horizons``.

    ``cfg.onpolicy_rollouts = False`` trains the on-policy arm on the expert's states instead (the contrast in which
    it is behaviour cloning under another name).
    """
    p, S, kind, device = cfg.p, cfg.n_seeds, cfg.horizon_task, ctx.device
    T = max(cfg.horizons)
    gen = ctx.torch_generator("horizons", "data")
    inits = [ctx.seed_for("horizons", "init", s) for s in range(S)]
    stack = nets.init_stack(nets.model_shape(p, T, cfg.d_student, cfg.student_layers), inits + inits, device)
    arms = ["bc"] * S + ["on-policy" if cfg.onpolicy_rollouts else "bc"] * S
    names = ["bc"] * S + ["on-policy"] * S
    x_eval = task.sample_prompts(cfg.eval_prompts, T, p, gen, split="eval", device=device)
    ledger = _Ledger()
    labels = [{"method": a, "seed": i % S, "T": T} for i, a in enumerate(names)]
    train_imitation(
        stack, arms, T=T, p=p, kind=kind, steps=cfg.horizon_steps, batch=cfg.batch, lr=cfg.lr, x_eval=x_eval,
        labels=labels, n_checkpoints=0, gen=gen, ledger=ledger, device=device, decay=True,
    )  # fmt: skip
    # evaluated once, after training (greedy decoding draws no random numbers: the training is as when it was also
    # evaluated at steps 0 and 1, which nothing read)
    natural = [r | {"step": cfg.horizon_steps, "samples": cfg.horizon_steps * cfg.batch}
               for r in _eval_rows(stack, x_eval, p, kind, labels)]  # fmt: skip
    slip = task.slips(tuple(x_eval.shape), cfg.slip_rate, p, ctx.torch_generator("horizons", "slips"), device)
    ev = nets.evaluate_slipped(stack, x_eval, p, kind, slip)
    reference = [reference_slipped(stack, i, x_eval, slip, p, kind) | {"method": name, "seed": i % S}
                 for i, name in enumerate(names)]  # fmt: skip
    rows = [
        {"method": name, "seed": i % S, "T": Th, "cost": float(sum(ev.wrong[i][:Th])),
         "eps": float(np.mean(ev.forced[i][:Th]))}
        for i, name in enumerate(names) for Th in cfg.horizons
    ]  # fmt: skip
    paths = [
        {"method": name, "seed": i % S, "on_path_error": ev.on_path_error[i], "off_path_error": ev.off_path_error[i],
         "off_path_steps": ev.off_path_steps[i]}
        for i, name in enumerate(names)
    ]  # fmt: skip
    return {
        "T_train": T,
        "rows": rows,
        "paths": paths,
        "natural": natural,
        "slip_share": float((slip != 0).float().mean()),
        "slip_cells": int(slip.numel()),
        "off_path": {("bc" if k == "bc" else "on-policy"): float(np.mean(v)) for k, v in ledger.off_path.items()},
        **ledger.split_record(x_eval, p),
        "reference": reference,
        "shape": declared_shape(stack),
        "eval_prompts": int(x_eval.shape[0]),
    }


def train_teacher(cfg: Any, ctx: RunContext) -> tuple[nets.Stack, list[dict[str, Any]]]:
    """The ``teachers`` independent teachers: wider transformers (``d_teacher``) trained by SFT on the ground truth.

    A pool of ``teachers · teacher_candidates`` candidates trains side by side, each from its own seed (one batched
    computation); the ``teachers`` most accurate on fresh training-split prompts become the teachers (model
    selection that never looks at the held-out prompts; ties go to the earlier candidate). Each teacher is still its
    own independently trained model, drawn from those that learned: 25-55% of width-64 candidates stay stuck near 0.8
    at 300 steps (session 14), and choosing the best of each teacher's own four left one teacher with four stuck
    candidates at ``audit`` seed 4, while four good ones among sixteen fail only when thirteen are stuck. Returns
    the teachers (a stack of ``teachers`` models) and each one's held-out evaluation.
    """
    T, p, K, U, kind, device = (
        cfg.distill_horizon,
        cfg.p,
        cfg.teacher_candidates,
        cfg.teachers,
        OUTCOME_TASK,
        ctx.device,
    )
    N = U * K
    gen = ctx.torch_generator("teacher", "data")
    shape = nets.model_shape(p, T, cfg.d_teacher, cfg.teacher_layers)
    inits = [ctx.seed_for("teacher", "init", u, k) for u in range(U) for k in range(K)]
    cands = nets.init_stack(shape, inits, device)
    opt = nets.optimizer(cands, cfg.teacher_lr)
    for _ in range(cfg.teacher_steps):
        x = task.sample_prompts(N * cfg.batch, T, p, gen, split="train", device=device).reshape(N, cfg.batch, T)
        y = task.answers(x, p, kind)
        nets.step(opt, nets.cross_entropy(nets.answer_logits(cands, x, y, p), y))
    x_val = task.sample_prompts(cfg.eval_prompts, T, p, gen, split="train", device=device)
    val = nets.evaluate(cands, x_val, p, kind, forced=False).final_accuracy
    best = sorted(sorted(range(N), key=lambda k: -val[k])[:U])  # the U best, kept in the pool's order
    teachers = cands.select(best)
    x_eval = task.sample_prompts(cfg.eval_prompts, T, p, gen, split="eval", device=device)
    ev = nets.evaluate(teachers, x_eval, p, kind)
    assert ev.forced_error is not None
    return teachers, [
        {"teacher": u, "final_accuracy": ev.final_accuracy[u], "forced_error": ev.forced_error[u], "cost": ev.cost[u],
         "validation_accuracy": val[best[u]], "chosen": best[u], "pool_validation_accuracy": val}
        for u in range(U)
    ]  # fmt: skip


@torch.no_grad()
def teacher_probs(teacher: nets.Stack, x: torch.Tensor, y: torch.Tensor, p: int, temperature: float) -> torch.Tensor:
    """The teachers' next-answer distributions ``softmax(logits / τ)`` at the states (x, y_{<t}) ``[M, B, T]``, the
    models split evenly and in order among the teachers (model ``m`` asks teacher ``m // (M / teachers)``)."""
    M, U = x.shape[0], teacher.size
    if M % U:
        raise ValueError(f"{M} models cannot be split evenly among {U} teachers")
    flat = nets.answer_logits(teacher, x.reshape(U, -1, x.shape[-1]), y.reshape(U, -1, y.shape[-1]), p)
    return torch.softmax(flat.float() / temperature, dim=-1).reshape(M, *x.shape[1:], p)


TABLE_MAX = 4096
"""The teacher's distributions are tabulated once over the whole prompt space when it has at most this many prompts
(p^T: 625 at p = 5, T = 4), instead of being computed again on every training batch."""


def all_prompts(T: int, p: int, device: str = "cpu") -> torch.Tensor:
    """Every prompt [p^T, T], row c the prompt whose :func:`task.prompt_codes` is c (digit t is ``c // p^t mod p``)."""
    codes = torch.arange(p**T, device=device)
    return torch.stack([(codes // p**t) % p for t in range(T)], dim=-1)


class TeacherTargets:
    """The teachers' next-answer distributions at temperature τ on the ground-truth states of any prompt, the models
    split evenly and in order among the teachers (as :func:`teacher_probs`).

    Where the prompt space is small (:data:`TABLE_MAX`) they are computed once for every prompt and looked up by the
    prompt's code; otherwise computed on each batch (:func:`teacher_probs`). The two agree up to float32 rounding of
    a matrix product over a different number of rows (tests/studies/imitation/test_experiments.py)."""

    def __init__(self, teacher: nets.Stack, T: int, p: int, temperature: float, kind: str, device: str) -> None:
        self.teacher, self.p, self.temperature, self.kind = teacher, p, temperature, kind
        self.table: torch.Tensor | None = None
        if p**T <= TABLE_MAX:
            x = all_prompts(T, p, device)[None].expand(teacher.size, -1, -1)
            self.table = teacher_probs(teacher, x, task.answers(x, p, kind), p, temperature)  # [U, p^T, T, p]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Distributions ``[M, B, T, p]`` at the ground-truth states of prompts ``x`` [M, B, T]."""
        if self.table is None:
            return teacher_probs(self.teacher, x, task.answers(x, self.p, self.kind), self.p, self.temperature)
        M, U = x.shape[0], self.teacher.size
        if M % U:
            raise ValueError(f"{M} models cannot be split evenly among {U} teachers")
        which = torch.arange(M, device=x.device) // (M // U)
        return self.table[which[:, None], task.prompt_codes(x, self.p)]


def distill_vs_overtrain(cfg: Any, ctx: RunContext) -> dict[str, Any]:
    """Experiment 3: per student width, students distilled from a teacher's distributions vs trained on the hard
    ground truth, from the same initial weights (seed by seed) for ``distill_steps`` steps, evaluated at log-spaced
    steps (equal steps at every checkpoint; the last is the budget's convergence). Each of the ``teachers``
    independent teachers (:func:`train_teacher`) has ``distill_seeds`` seeds of its own: student ``j`` of a kind
    (0 … teachers·distill_seeds − 1) learns from teacher ``j // distill_seeds``, and its hard-label twin shares its
    initial weights and prompts.

    Both kinds see ``batch`` fresh training prompts a step, on the ground-truth states. The distilled loss is
    ``KL(q_τ ‖ π)`` against the teacher's full distribution at temperature ``distill_temperature``
    (``distill_target = "argmax"``: its one-hot argmax, the contrast without soft targets); the hard loss is the
    cross-entropy of the correct answer.
    """
    T, p, S, kind, device = cfg.distill_horizon, cfg.p, cfg.distill_seeds, OUTCOME_TASK, ctx.device
    U = cfg.teachers
    N = U * S
    teacher, teacher_eval = train_teacher(cfg, ctx)
    gen = ctx.torch_generator("distill", "data")
    x_eval = task.sample_prompts(cfg.eval_prompts, T, p, gen, split="eval", device=device)
    inits = [ctx.seed_for("distill", "init", u, s) for u in range(U) for s in range(S)]
    marks = set(checkpoints(cfg.distill_steps, cfg.checkpoints))
    targets = TeacherTargets(teacher, T, p, cfg.distill_temperature, kind, device)
    ledger = _Ledger()
    rows: list[dict[str, Any]] = []
    kl: list[dict[str, Any]] = []
    soft_share: list[float] = []
    shapes: list[dict[str, int]] = []
    reference: list[dict[str, Any]] = []
    for width in cfg.student_widths:
        stack = nets.init_stack(nets.model_shape(p, T, width, cfg.student_layers), inits + inits, device)
        labels = [{"method": kind_, "seed": j, "teacher": j // S, "width": width}
                  for kind_ in ("distilled", "hard") for j in range(N)]  # fmt: skip
        opt = nets.optimizer(stack, cfg.distill_lr)
        for s in range(cfg.distill_steps + 1):
            if s in marks:
                rows += [r | {"step": s} for r in _eval_rows(stack, x_eval, p, kind, labels)]
            if s == cfg.distill_steps:
                break
            x = task.sample_prompts(N * cfg.batch, T, p, gen, split="train", device=device).reshape(N, -1, T)
            ledger.train_batch(x, p)
            x = torch.cat([x, x])  # the two kinds of a seed see the same prompts
            y = task.answers(x, p, kind)
            logit = nets.answer_logits(stack, x, y, p)
            q = targets(x[:N])
            if cfg.distill_target == "argmax":
                q = torch.nn.functional.one_hot(q.argmax(-1), p).float()
            if s == 0:
                soft_share.append(float((q.max(-1).values < 0.999).float().mean()))
            loss = torch.cat([nets.soft_cross_entropy(logit[:N], q), nets.cross_entropy(logit[N:], y[N:])])
            nets.step(opt, loss)
        with torch.no_grad():  # how far each student ends from its teacher's distributions on held-out states
            xe = x_eval.expand(N, *x_eval.shape)
            ye = task.answers(xe, p, kind)
            q1 = teacher_probs(teacher, xe, ye, p, 1.0)
            xe, ye, q1 = torch.cat([xe, xe]), torch.cat([ye, ye]), torch.cat([q1, q1])
            d = nets.soft_cross_entropy(nets.answer_logits(stack, xe, ye, p), q1)
        kl += [lab | {"kl": float(v)} for lab, v in zip(labels, d, strict=True)]
        shapes.append(declared_shape(stack) | {"width": width})
        reference += [lab | {"step": cfg.distill_steps, "reference": reference_accuracy(stack, i, x_eval, p, kind)}
                      for i, lab in enumerate(labels)]  # fmt: skip
    return {
        "teachers": teacher_eval, "teacher_shape": declared_shape(teacher), "rows": rows, "kl_to_teacher": kl,
        "soft_share": soft_share, "chance": 1.0 / p, "shapes": shapes, "reference": reference,
        "eval_prompts": int(x_eval.shape[0]), **ledger.split_record(x_eval, p),
    }  # fmt: skip


HAND_BITS = {
    "demo_T3_p2": 3.0,
    "demo_T2_p4": 4.0,
    "demo_T1_p8": 3.0,
    "reward_q0.5": 1.0,
    "reward_q0.25": 0.8112781244591328,
}
"""Bits computed by hand: T·log₂ p for (3, 2), (2, 4), (1, 8); H(1/2) = 1; H(1/4) = 2 − (3/4)·log₂ 3 ≈ 0.811278."""


def bits_check() -> dict[str, float]:
    """The study's bits accounting evaluated on the hand-computed cases of :data:`HAND_BITS`."""
    return {
        "demo_T3_p2": task.demonstration_bits(3, 2),
        "demo_T2_p4": task.demonstration_bits(2, 4),
        "demo_T1_p8": task.demonstration_bits(1, 8),
        "reward_q0.5": task.reward_bits(0.5),
        "reward_q0.25": task.reward_bits(0.25),
    }


def teacher_check(config: Any, ctx: RunContext) -> dict[str, Any]:
    """The exact experts of both tasks against the pure-Python checker, on held-out prompts at every horizon.

    Invariants: each expert acting step by step on its own answers reproduces :func:`task.answers`, every final
    answer of that rollout passes :func:`task.check_answer`, and after one corrupted answer the count's expert writes
    the true count while the sum's continues from the corrupted state (the difference the horizons experiment is about).
    """
    gen = ctx.torch_generator("teacher-check")
    p = config.p
    out = {"prompts": 0, "checker_agrees": 0, "rule_matches_answers": 0, "corrupted": 0, "count_expert_corrects": 0,
           "sum_expert_continues": 0}  # fmt: skip
    for T in sorted({config.rl_horizon, config.distill_horizon, *config.horizons}):
        x = task.sample_prompts(min(config.eval_prompts, 128), T, p, gen, split="eval", device=ctx.device)
        for kind in task.TASKS:
            y = torch.zeros_like(x)
            for t in range(T):  # the expert acting step by step on its own answers
                y[:, t] = task.expert_labels(x, y, p, kind)[:, t]
            out["rule_matches_answers"] += int((y == task.answers(x, p, kind)).all(-1).sum())
            out["checker_agrees"] += sum(
                task.check_answer(a, b, p, kind) for a, b in zip(x.tolist(), y.tolist(), strict=True)
            )
            out["prompts"] += x.shape[0]
        for kind, key in (("count", "count_expert_corrects"), ("sum", "sum_expert_continues")):
            y = task.answers(x, p, kind).clone()
            y[:, 0] = (y[:, 0] + 1) % p  # one corrupted first answer
            label = task.expert_labels(x, y, p, kind)[:, 1]
            want = task.answers(x, p, kind)[:, 1] if kind == "count" else (y[:, 0] + x[:, 1]) % p
            out[key] += int((label == want).sum())
        out["corrupted"] += x.shape[0]
    return out


# --- what the general probes read (issue 25): every model as declared, every evaluation and every hand-written
# optimizer and loss checked against an independent computation --------------------------------------------------


def declared_shape(stack: nets.Stack) -> dict[str, int]:
    """What a stack of models actually is, read off its parameter tensors: how many models, their vocabulary, width,
    depth and context (and their head count, which the tensors' shapes do not show, from the template that built
    them), so a probe can hold them to what the config and :data:`nets.N_HEADS` declare."""
    emb = stack.params["token_embedding.weight"]
    return {
        "models": int(emb.shape[0]),
        "vocab": int(emb.shape[-2]),
        "heads": int(stack.template.shape.n_heads),
        "d_model": int(emb.shape[-1]),
        "layers": sum(1 for k in stack.params if k.endswith("qkv.weight")),
        "context": int(stack.params["position_embedding.weight"].shape[-2]),
    }


def _truth(prompt: list[int], p: int, kind: str) -> list[int]:
    """The correct answers of one prompt, in pure Python: the running count of zeros or the running sum, mod p."""
    out, acc = [], 0
    for v in prompt:
        acc = (acc + (int(v == 0) if kind == "count" else v)) % p
        out.append(acc)
    return out


@torch.no_grad()
def reference_slipped(
    stack: nets.Stack, index: int, x_eval: torch.Tensor, slip: torch.Tensor, p: int, kind: str
) -> dict[str, Any]:
    """Experiment 2's scoring of one model, recomputed apart from :func:`nets.evaluate_slipped`: the model rebuilt as a
    plain :class:`~skeptic.models.TinyTransformer`, decoded greedily step by step on token lists built here (not by
    :func:`task.sequences`), the slips added, and every step scored in pure Python against the expert of ``kind``
    (the true count; or the previous answer plus the digit, for the sum).

    Returns per step t the share of episodes whose action differs from the expert's at the visited state
    (``wrong``) and the slipping policy's error on the expert's own states (``forced``), and the model's error rate
    on and off the expert's path (its own, unslipped steps)."""
    model = TinyTransformer(stack.template.shape).to(x_eval.device)
    model.load_state_dict({k: v[index].detach() for k, v in stack.params.items()})
    xs, sl = x_eval.tolist(), slip.tolist()
    B, T = len(xs), len(xs[0])
    truth = [_truth(row, p, kind) for row in xs]
    ys: list[list[int]] = [[] for _ in range(B)]
    forced_hits = [0] * T
    for t in range(T):
        own = [[tok for i in range(t) for tok in (r[i], p + y[i])] + [r[t]] for r, y in zip(xs, ys, strict=True)]
        tf = [[tok for i in range(t) for tok in (r[i], p + c[i])] + [r[t]] for r, c in zip(xs, truth, strict=True)]
        act = model(torch.tensor(own, device=x_eval.device))[:, -1, p:].argmax(-1).tolist()
        act_tf = model(torch.tensor(tf, device=x_eval.device))[:, -1, p:].argmax(-1).tolist()
        for b in range(B):
            ys[b].append((act[b] + sl[b][t]) % p)
            forced_hits[t] += int((act_tf[b] + sl[b][t]) % p != truth[b][t])
    wrong = [0] * T
    on_err = on_n = off_err = off_n = 0
    for b in range(B):
        derailed = False
        for t in range(T):
            label = truth[b][t] if kind == "count" else ((ys[b][t - 1] if t else 0) + xs[b][t]) % p
            miss = int(ys[b][t] != label)
            wrong[t] += miss
            if sl[b][t] == 0:
                if derailed:
                    off_err, off_n = off_err + miss, off_n + 1
                else:
                    on_err, on_n = on_err + miss, on_n + 1
            derailed = derailed or ys[b][t] != truth[b][t]
    return {
        "wrong": [w / B for w in wrong],
        "forced": [f / B for f in forced_hits],
        "on_path_error": on_err / max(on_n, 1),
        "off_path_error": off_err / max(off_n, 1),
        "off_path_steps": off_n,
    }


REFERENCE_STEPS = 3
"""Adam steps of the optimizer check (the bias corrections differ at every early step)."""


def reference_checks(ctx: RunContext) -> dict[str, float]:
    """The hand-written optimizer and losses of :mod:`nets` against float64 NumPy written from their formulas.

    - Adam (:func:`nets.optimizer`, β = (0.9, 0.98), ε = 1e-8, the study's declared settings) on a two-model stack of
      the students' shape, :data:`REFERENCE_STEPS` steps on fixed random gradients, against Kingma & Ba's update;
    - the cross-entropy, the soft cross-entropy ``KL(q ‖ π)`` and the REINFORCE loss on random logits;
    - :func:`nets.answer_logits` (teacher forcing on the whole sequence) against the logits a plain model gives on each
      prefix ``x₁ y₁ … x_t`` (built here), which causal attention makes equal.

    Returns the largest absolute difference of each."""
    gen = ctx.torch_generator("reference-checks")
    p, T = 5, 3
    stack = nets.init_stack(nets.model_shape(p, T, 8, 1), [ctx.seed_for("reference-checks", "init", k) for k in (0, 1)])
    ref = {k: v.detach().double().numpy().copy() for k, v in stack.params.items()}
    m1 = {k: np.zeros_like(v) for k, v in ref.items()}
    m2 = {k: np.zeros_like(v) for k, v in ref.items()}
    lr, (b1, b2), eps = 0.01, REFERENCE_BETAS, 1e-8
    opt = nets.optimizer(stack, lr)
    for k in range(1, REFERENCE_STEPS + 1):
        grads = {name: torch.randn(v.shape, generator=gen) for name, v in stack.params.items()}
        for name, v in stack.params.items():
            v.grad = grads[name].clone()
        opt.step()
        for name in ref:
            g = grads[name].double().numpy()
            m1[name] = b1 * m1[name] + (1 - b1) * g
            m2[name] = b2 * m2[name] + (1 - b2) * g * g
            ref[name] -= lr * (m1[name] / (1 - b1**k)) / (np.sqrt(m2[name] / (1 - b2**k)) + eps)
    adam = max(float(np.abs(v.detach().double().numpy() - ref[k]).max()) for k, v in stack.params.items())

    logit = torch.randn(2, 4, T, p, generator=gen)
    labels = torch.randint(0, p, (2, 4, T), generator=gen)
    q = torch.softmax(torch.randn(2, 4, T, p, generator=gen), -1)
    adv = torch.randn(2, 4, generator=gen)
    z = logit.double().numpy()
    logp = z - z.max(-1, keepdims=True)
    logp = logp - np.log(np.exp(logp).sum(-1, keepdims=True))
    lab, qq, a = labels.numpy(), q.double().numpy(), adv.double().numpy()
    picked = np.take_along_axis(logp, lab[..., None], -1)[..., 0]
    ce_ref = -picked.mean(axis=(1, 2))
    kl_ref = (qq * (np.log(qq) - logp)).sum(-1).mean(axis=(1, 2))
    rf_ref = -(a * picked.sum(-1)).mean(-1)
    losses = max(
        float(np.abs(nets.cross_entropy(logit, labels).double().numpy() - ce_ref).max()),
        float(np.abs(nets.soft_cross_entropy(logit, q).double().numpy() - kl_ref).max()),
        float(np.abs(nets.reinforce_loss(logit, labels, adv).double().numpy() - rf_ref).max()),
    )

    x = torch.randint(0, p, (2, 6, T), generator=gen)
    y = torch.randint(0, p, (2, 6, T), generator=gen)
    with torch.no_grad():
        batched = nets.answer_logits(stack, x, y, p)
        worst = 0.0
        for i in range(2):
            model = TinyTransformer(stack.template.shape)
            model.load_state_dict({k: v[i].detach() for k, v in stack.params.items()})
            for t in range(T):
                toks = [[tok for j in range(t) for tok in (int(r[j]), p + int(s[j]))] + [int(r[t])]
                        for r, s in zip(x[i].tolist(), y[i].tolist(), strict=True)]  # fmt: skip
                plain = model(torch.tensor(toks))[:, -1, p : 2 * p]
                worst = largest((worst, float((plain - batched[i, :, t]).abs().max())))
    return {"adam": adam, "losses": losses, "answer_logits": worst}


REFERENCE_BETAS = (0.9, 0.98)
"""The Adam betas the study declares (:func:`nets.optimizer`'s docstring), which the optimizer check holds it to."""
