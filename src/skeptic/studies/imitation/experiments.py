"""The three experiments of the imitation study, each one batched computation over seeds and methods.

1. :func:`sft_vs_rl`: the same students from the same initial weights learn the task (a) by supervised fine-tuning
   on the exact teacher's demonstrations (behaviour cloning), (b) by on-policy distillation (their own sampled
   answers, relabelled by the teacher at every step: DAgger with β = 0, GKD with λ = 1) and (c) by REINFORCE with a
   group-mean baseline on the 0/1 outcome reward. Held-out final-answer accuracy is recorded against samples.
2. :func:`horizons`: behaviour cloning against on-policy distillation at equal teacher queries, over horizons T;
   Ross et al.'s cost (mistakes per episode against the teacher at the visited state) on held-out prompts.
3. :func:`distill_vs_overtrain`: a larger transformer is trained on the ground truth (the imperfect teacher); small
   students learn from its soft next-token distributions for N steps, or from the hard ground truth for up to 16N
   steps (evaluated at N, 4N, 16N).

Every function takes ``device`` and returns JSON-able rows; the random streams are ``torch.Generator`` objects
seeded from the run's seed, one per purpose.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from skeptic.models import TinyTransformer
from skeptic.studies.imitation import nets, task


def checkpoints(steps: int, n: int) -> list[int]:
    """About ``n`` log-spaced step counts from 0 to ``steps`` (0 and ``steps`` included): when to evaluate."""
    grid = np.unique(np.round(np.logspace(0, np.log10(max(steps, 1)), max(n - 1, 2))).astype(int))
    return sorted({0, steps, *(int(s) for s in grid if 0 < s <= steps)})


def _codes(x: torch.Tensor, p: int) -> set[int]:
    return {int(c) for c in task.prompt_codes(x.reshape(-1, x.shape[-1]), p).tolist()}


class _Ledger:
    """What the probes read: prompts seen in training, states each arm trained on, rewards checked."""

    def __init__(self) -> None:
        self.train_codes: set[int] = set()
        self.off_path: dict[str, list[float]] = {}

    def train_batch(self, x: torch.Tensor, p: int) -> None:
        self.train_codes |= _codes(x, p)

    def states(self, arm: str, x: torch.Tensor, y: torch.Tensor, p: int) -> None:
        """Share of training states (steps) off the teacher's own path: some earlier answer differs from s_t."""
        wrong = (y != task.running_sum(x, p)).int().cumsum(-1)
        prior_wrong = torch.cat([torch.zeros_like(wrong[..., :1]), wrong[..., :-1]], dim=-1) > 0
        self.off_path.setdefault(arm, []).append(float(prior_wrong.float().mean()))


def _eval_rows(stack: nets.Stack, x_eval: torch.Tensor, p: int, labels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ev = nets.evaluate(stack, x_eval, p)
    return [
        lab | {"final_accuracy": a, "cost": c, "sequence_accuracy": s, "forced_error": f}
        for lab, a, c, s, f in zip(
            labels, ev.final_accuracy, ev.cost, ev.sequence_accuracy, ev.forced_error, strict=True
        )
    ]


def _supervised_batch(
    stack: nets.Stack, arms: list[str], x: torch.Tensor, p: int, gen: torch.Generator, ledger: _Ledger
) -> tuple[torch.Tensor, torch.Tensor]:
    """States and teacher labels for every model: the teacher's rollouts for "bc", the model's own samples for
    "on-policy" (relabelled by the teacher at each visited state)."""
    y = task.running_sum(x, p).clone()
    own = [i for i, a in enumerate(arms) if a == "on-policy"]
    if own:
        y[own] = nets.rollout(stack.select(own), x[own], p, temperature=1.0, gen=gen)
    return y, task.teacher_labels(x, y, p)


def train_imitation(
    stack: nets.Stack,
    arms: list[str],
    *,
    T: int,
    p: int,
    steps: int,
    batch: int,
    lr: float,
    x_eval: torch.Tensor,
    labels: list[dict[str, Any]],
    n_checkpoints: int,
    gen: torch.Generator,
    ledger: _Ledger,
    device: str = "cpu",
) -> list[dict[str, Any]]:
    """Behaviour cloning ("bc") and on-policy distillation ("on-policy") models trained side by side.

    Each step every model gets ``batch`` fresh training prompts and one teacher label per answer step (equal teacher
    queries for both arms: ``batch · T`` labels a step); the loss is the cross-entropy of those labels.
    """
    opt = nets.optimizer(stack, lr)
    rows: list[dict[str, Any]] = []
    marks = set(checkpoints(steps, n_checkpoints))
    M = stack.size
    for s in range(steps + 1):
        if s in marks:
            rows += [r | {"step": s, "samples": s * batch} for r in _eval_rows(stack, x_eval, p, labels)]
        if s == steps:
            break
        x = task.sample_prompts(M * batch, T, p, gen, split="train", device=device).reshape(M, batch, T)
        ledger.train_batch(x, p)
        y, target = _supervised_batch(stack, arms, x, p, gen, ledger)
        for arm in sorted(set(arms)):  # recorded here, where each model's arm is assigned, not where it is used
            idx = [i for i, a in enumerate(arms) if a == arm]
            ledger.states(arm, x[idx], y[idx], p)
        nets.step(opt, nets.cross_entropy(nets.answer_logits(stack, x, y, p), target))
    return rows


@torch.no_grad()
def reference_accuracy(stack: nets.Stack, index: int, x_eval: torch.Tensor, p: int) -> float:
    """Final-answer accuracy of one model of the stack, decoded greedily by an independent, unbatched loop.

    The model is rebuilt as a plain :class:`~skeptic.models.TinyTransformer` from its slice of the stacked parameters
    and run step by step (no vmap, no :func:`nets.rollout`), so that the batched evaluation can be cross-checked.
    """
    model = TinyTransformer(stack.template.shape).to(x_eval.device)
    model.load_state_dict({k: v[index].detach() for k, v in stack.params.items()})
    T = x_eval.shape[-1]
    y = torch.zeros_like(x_eval)
    for t in range(T):
        seq = task.sequences(x_eval[:, : t + 1], y[:, : t + 1], p)[:, :-1]
        y[:, t] = model(seq)[:, -1, p:].argmax(-1)
    return float((y[:, -1] == task.running_sum(x_eval, p)[:, -1]).float().mean())


def train_rl(
    stack: nets.Stack,
    *,
    T: int,
    p: int,
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
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]:
    """REINFORCE with a group-mean baseline on the outcome reward ``1[y_T = s_T]``, ``prompts · group`` episodes a step.

    Returns the evaluation rows, the reward statistics per step (success rate, reward bits ``H(q)`` per episode) and a
    check of the reward: every episode of the last batch scored again by the pure-Python checker.
    """
    opt = nets.optimizer(stack, lr)
    rows: list[dict[str, Any]] = []
    rewards: list[dict[str, Any]] = []
    marks = set(checkpoints(steps, n_checkpoints))
    M, B = stack.size, prompts * group
    check = {"episodes": 0, "agree": 0}
    for s in range(steps + 1):
        if s in marks:
            rows += [r | {"step": s, "samples": s * B} for r in _eval_rows(stack, x_eval, p, labels)]
        if s == steps:
            break
        x = task.sample_prompts(M * prompts, T, p, gen, split="train", device=device).reshape(M, prompts, 1, T)
        x = x.expand(M, prompts, group, T).reshape(M, B, T)
        ledger.train_batch(x, p)
        y = nets.rollout(stack, x, p, temperature=1.0, gen=gen)
        r = task.outcome_reward(x, y, p)
        q = [float(v) for v in r.mean(-1)]
        rewards.append({"step": s, "success": q, "bits_per_episode": [task.reward_bits(v) for v in q]})
        if s == steps - 1:
            xs, ys, rs = x.reshape(-1, T).tolist(), y.reshape(-1, T).tolist(), r.reshape(-1).tolist()
            check["episodes"] = len(rs)
            check["agree"] = sum(task.check_answer(a, b, p) == bool(c) for a, b, c in zip(xs, ys, rs, strict=True))
        logit = nets.answer_logits(stack, x, y, p)
        nets.step(opt, nets.reinforce_loss(logit, y, nets.group_advantages(r, group)))
    return rows, rewards, check


def sft_vs_rl(cfg: Any, seed: int, device: str = "cpu") -> dict[str, Any]:
    """Experiment 1 (see the module docstring): SFT, on-policy distillation and RL from the same initial weights."""
    T, p, S = cfg.rl_horizon, cfg.p, cfg.n_seeds
    gen = torch.Generator(device=device).manual_seed(seed)
    inits = [seed * 100 + s for s in range(S)]
    shape = nets.model_shape(p, T, cfg.d_student, cfg.student_layers)
    x_eval = task.sample_prompts(cfg.eval_prompts, T, p, gen, split="eval", device=device)
    ledger = _Ledger()
    arms = ["bc"] * S + ["on-policy"] * S
    stack = nets.init_stack(shape, inits + inits, device)  # both arms start from the same weights, seed by seed
    labels = [{"method": "sft" if a == "bc" else "on-policy", "seed": i % S} for i, a in enumerate(arms)]
    imitation = train_imitation(
        stack, arms, T=T, p=p, steps=cfg.sft_steps, batch=cfg.batch, lr=cfg.lr, x_eval=x_eval, labels=labels,
        n_checkpoints=cfg.checkpoints, gen=gen, ledger=ledger, device=device,
    )  # fmt: skip
    rl_stack = nets.init_stack(shape, inits, device)
    rl_rows, rewards, check = train_rl(
        rl_stack, T=T, p=p, steps=cfg.rl_steps, prompts=cfg.rl_prompts, group=cfg.rl_group, lr=cfg.rl_lr,
        x_eval=x_eval, labels=[{"method": "rl", "seed": s} for s in range(S)], n_checkpoints=cfg.checkpoints,
        gen=gen, ledger=ledger, device=device,
    )  # fmt: skip
    batched = {r["method"] + str(r["seed"]): r["final_accuracy"] for r in imitation if r["step"] == cfg.sft_steps}
    cross_check = [
        {"model": lab["method"] + str(lab["seed"]), "batched": batched[lab["method"] + str(lab["seed"])],
         "reference": reference_accuracy(stack, i, x_eval, p)}
        for i, lab in enumerate(labels)
    ]  # fmt: skip
    init_fingerprint = [
        float(v) for v in nets.init_stack(shape, inits, device).params["token_embedding.weight"].detach()[:, 0, 0]
    ]
    return {
        "T": T,
        "curves": imitation + rl_rows,
        "rewards": rewards,
        "reward_check": check,
        "evaluation_cross_check": cross_check,
        "off_path": {k: float(np.mean(v)) for k, v in ledger.off_path.items()},
        "train_eval_overlap": len(ledger.train_codes & _codes(x_eval, p)),
        "eval_held_out": float(task.held_out(x_eval, p).float().mean()),
        "init_fingerprint": init_fingerprint,
        "demo_bits": task.demonstration_bits(T, p),
    }


def horizons(cfg: Any, seed: int, device: str = "cpu") -> dict[str, Any]:
    """Experiment 2: behaviour cloning vs on-policy distillation at equal teacher queries, for every horizon T."""
    p, S = cfg.p, cfg.n_seeds
    rows: list[dict[str, Any]] = []
    off_path: dict[str, list[float]] = {}
    overlap, held = 0, []
    for j, T in enumerate(cfg.horizons):
        gen = torch.Generator(device=device).manual_seed(seed + 7919 * (j + 1))
        inits = [seed * 100 + 50 + s for s in range(S)]
        stack = nets.init_stack(nets.model_shape(p, T, cfg.d_student, cfg.student_layers), inits + inits, device)
        arms = ["bc"] * S + ["on-policy"] * S
        x_eval = task.sample_prompts(cfg.eval_prompts, T, p, gen, split="eval", device=device)
        ledger = _Ledger()
        out = train_imitation(
            stack, arms, T=T, p=p, steps=cfg.horizon_steps, batch=cfg.batch, lr=cfg.lr, x_eval=x_eval,
            labels=[{"method": a, "seed": i % S, "T": T} for i, a in enumerate(arms)], n_checkpoints=2, gen=gen,
            ledger=ledger, device=device,
        )  # fmt: skip
        rows += [r for r in out if r["step"] == cfg.horizon_steps]
        for k, v in ledger.off_path.items():
            off_path.setdefault(k, []).extend(v)
        overlap += len(ledger.train_codes & _codes(x_eval, p))
        held.append(float(task.held_out(x_eval, p).float().mean()))
    return {
        "rows": rows,
        "off_path": {k: float(np.mean(v)) for k, v in off_path.items()},
        "train_eval_overlap": overlap,
        "eval_held_out": float(np.mean(held)),
    }


def train_teacher(cfg: Any, seed: int, device: str = "cpu") -> tuple[nets.Stack, dict[str, Any]]:
    """The imperfect teacher: a wider transformer (``d_teacher``) trained by SFT on the ground truth.

    ``teacher_candidates`` teachers train side by side from different seeds; the one most accurate on fresh
    training-split prompts is kept (model selection that never looks at the held-out prompts).
    """
    T, p, K = cfg.distill_horizon, cfg.p, cfg.teacher_candidates
    gen = torch.Generator(device=device).manual_seed(seed)
    shape = nets.model_shape(p, T, cfg.d_teacher, cfg.teacher_layers)
    teachers = nets.init_stack(shape, [seed * 100 + 90 + k for k in range(K)], device)
    opt = nets.optimizer(teachers, cfg.teacher_lr)
    for _ in range(cfg.teacher_steps):
        x = task.sample_prompts(K * cfg.batch, T, p, gen, split="train", device=device).reshape(K, cfg.batch, T)
        y = task.running_sum(x, p)
        nets.step(opt, nets.cross_entropy(nets.answer_logits(teachers, x, y, p), y))
    x_val = task.sample_prompts(cfg.eval_prompts, T, p, gen, split="train", device=device)
    val = nets.evaluate(teachers, x_val, p).final_accuracy
    best = int(np.argmax(val))
    teacher = teachers.select([best])
    x_eval = task.sample_prompts(cfg.eval_prompts, T, p, gen, split="eval", device=device)
    ev = nets.evaluate(teacher, x_eval, p)
    return teacher, {
        "final_accuracy": ev.final_accuracy[0], "forced_error": ev.forced_error[0], "cost": ev.cost[0],
        "candidates_validation_accuracy": val, "chosen": best,
    }  # fmt: skip


@torch.no_grad()
def teacher_probs(teacher: nets.Stack, x: torch.Tensor, y: torch.Tensor, p: int, temperature: float) -> torch.Tensor:
    """The teacher's next-answer distributions ``softmax(logits / τ)`` at the states (x, y_{<t}), for every model."""
    M = x.shape[0]
    flat = nets.answer_logits(teacher, x.reshape(1, -1, x.shape[-1]), y.reshape(1, -1, y.shape[-1]), p)
    return torch.softmax(flat.float() / temperature, dim=-1).reshape(M, *x.shape[1:], p)


def distill_vs_overtrain(cfg: Any, seed: int, device: str = "cpu") -> dict[str, Any]:
    """Experiment 3: students distilled from the trained teacher's soft targets vs trained on hard ground truth.

    Both kinds see ``batch`` fresh training prompts a step, on the ground-truth states, from the same initial weights
    (seed by seed). The distilled students' loss is ``KL(q_τ ‖ π)`` against the teacher's distributions at temperature
    ``distill_temperature``, for N steps; the hard students' is the cross-entropy of the correct answer, for 16N steps,
    evaluated at N, 4N and 16N.
    """
    T, p, S, N = cfg.distill_horizon, cfg.p, cfg.n_seeds, cfg.distill_steps
    teacher, teacher_eval = train_teacher(cfg, seed + 1, device)
    gen = torch.Generator(device=device).manual_seed(seed + 2)
    x_eval = task.sample_prompts(cfg.eval_prompts, T, p, gen, split="eval", device=device)
    inits = [seed * 100 + 70 + s for s in range(S)]
    shape = nets.model_shape(p, T, cfg.d_student, cfg.student_layers)
    rows: list[dict[str, Any]] = []
    kl: list[dict[str, Any]] = []
    for kind, steps in (("distilled", N), ("hard", 16 * N)):
        stack = nets.init_stack(shape, inits, device)
        labels = [{"method": kind, "seed": s} for s in range(S)]
        opt = nets.optimizer(stack, cfg.lr)
        for s in range(steps + 1):
            if s in (N, 4 * N, 16 * N):
                rows += [r | {"step": s, "multiple": s // N} for r in _eval_rows(stack, x_eval, p, labels)]
            if s == steps:
                break
            x = task.sample_prompts(S * cfg.batch, T, p, gen, split="train", device=device).reshape(S, -1, T)
            y = task.running_sum(x, p)
            logit = nets.answer_logits(stack, x, y, p)
            if kind == "distilled":
                loss = nets.soft_cross_entropy(logit, teacher_probs(teacher, x, y, p, cfg.distill_temperature))
            else:
                loss = nets.cross_entropy(logit, y)
            nets.step(opt, loss)
        with torch.no_grad():  # how far each student ends from the teacher's distributions on held-out states
            xe = x_eval.expand(S, *x_eval.shape)
            ye = task.running_sum(xe, p)
            d = nets.soft_cross_entropy(nets.answer_logits(stack, xe, ye, p), teacher_probs(teacher, xe, ye, p, 1.0))
        kl += [lab | {"kl": float(v)} for lab, v in zip(labels, d, strict=True)]
    return {"teacher": teacher_eval, "rows": rows, "kl_to_teacher": kl}
