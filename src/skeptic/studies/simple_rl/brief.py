"""The plain-language brief of the simple-rl study."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from skeptic.core.study import Brief

if TYPE_CHECKING:
    from skeptic.core.runner import RunResult


def _rows(m: Any, **match: Any) -> list[int]:
    return [i for i, s in enumerate(m["specs"]) if all(s[k] == v for k, v in match.items())]


def _numbers(m: Any) -> dict[str, float]:
    beta, b0 = m["config"]["beta_main"], m["config"]["betas"][0]
    rl = _rows(m, kind="true", beta=beta, role="sweep")
    first, last = m["curves"][0], m["curves"][-1]

    def gain(kind: str) -> float:
        idx = _rows(m, kind=kind, beta=b0, role="sweep")
        return float(np.mean([last["true_train"][i] - first["true_train"][i] for i in idx]))

    def peak_drop(kind: str) -> float:
        idx = _rows(m, kind=kind, beta=b0, role="sweep")
        return float(np.mean([max(c["true_train"][i] for c in m["curves"]) - last["true_train"][i] for i in idx]))

    return {
        "base": float(np.mean(m["base"]["pass1"])),
        "rl": float(np.mean([m["final"]["pass1"][i] for i in rl])),
        "base_kmax": float(np.mean([r[-1] for r in m["base"]["pass_at_k"]])),
        "rl_kmax": float(np.mean([m["final"]["pass_at_k"][i][-1] for i in rl])),
        "kmax": float(m["config"]["pass_ks"][-1]),
        "light": gain("light"), "heavy": gain("heavy"), "flaw": gain("flaw"), "flaw_drop": peak_drop("flaw"),
        "min_cka": float(np.mean([min(m["final"]["cka"][i]) for i in rl])),
        "tv": float(np.mean([m["final"]["tv_heldout"][i] for i in rl])),
        "beta": beta, "b0": b0,
    }  # fmt: skip


def answer(result: RunResult) -> str:
    n = _numbers(result.measurements)
    heavy = "much less" if n["heavy"] < 0.5 * max(n["light"], 0) else "about as much"
    return (
        f"Yes, in this toy: reinforcement learning on a right/wrong reward raised the share of correct answers on new "
        f"problems from {n['base']:.0%} to {n['rl']:.0%}. When the reward was a noisy stand-in, training still "
        f"improved the real goal by {n['light']:+.0%} with ordinary noise and by {n['heavy']:+.0%} ({heavy}) with "
        "rare extreme noise."
    )


def found(result: RunResult) -> str:
    m = result.measurements
    n = _numbers(m)
    failed = [p["id"] for p in result.probes if not p["passed"]]
    lines = [
        f"GRPO with a 0/1 reward (KL coefficient {n['beta']:g}) took held-out pass@1 from {n['base']:.2f} to "
        f"{n['rl']:.2f} (mean over {m['config']['n_seeds']} seeds). With {n['kmax']:.0f} tries per problem the base "
        f"model solved {n['base_kmax']:.1%} of held-out problems and the RL model {n['rl_kmax']:.1%}"
        + (", so RL did not widen what the model can reach; it made the right answer more likely."
           if n["rl_kmax"] <= n["base_kmax"] else ", so RL also reached problems the base model almost never solved.")
        ,
        f"Larger KL coefficients held the model closer to the base. The layers' internal representations kept a "
        f"smallest linear CKA of {n['min_cka']:.2f} to the base while the answer distribution moved by total variation "
        f"{n['tv']:.2f}.",
        f"Against proxies at the smallest β ({n['b0']:g}) the true reward on training problems changed by "
        f"{n['light']:+.2f} with light-tailed error, {n['heavy']:+.2f} with heavy-tailed error, and {n['flaw']:+.2f} "
        f"against the flawed grader (which ended {n['flaw_drop']:.2f} below its peak). The exact KL-regularized "
        "optimum "
        "of each proxy (stars in the over-optimization figure) shows where longer training would lead.",
    ]  # fmt: skip
    if failed:
        lines.append(f"Probes failed ({', '.join(failed)}), so none of these verdicts is trusted.")
    return " ".join(lines)


BRIEF = Brief(
    claimed=(
        "DeepSeek-R1 (2025) reported that a simple recipe, reinforcement learning on answers that can be checked "
        "automatically ('verifiable rewards'), with GRPO (a method that scores each answer against others sampled "
        "for the same question) and a KL penalty that keeps the model close to where it started, is enough to teach "
        "a pretrained model to reason much better. Yue et al. (2025) countered that such training mostly makes "
        "answers the model could already find more likely: with many tries, the original model solves as many "
        "problems. The KL penalty is also meant to stop the model from exploiting flaws in its reward: Kwa et al. "
        "(2024) showed mathematically that it protects the true goal when the reward's errors are moderate "
        "(light-tailed) but not when rare huge errors occur (heavy-tailed), and Gao et al. (2022) showed true "
        "quality rising then falling as a model over-optimizes a learned reward."
    ),
    ran=(
        "A tiny transformer (two layers) was pretrained on a noisy corpus of simple problems with a checkable "
        "two-character answer, so it starts out right only sometimes and usually wrong on 'hard' problems. We then "
        "trained it with our own GRPO (group-normalized advantages, clipped objective, k3 KL penalty as in "
        "DeepSeekMath) against the exact checker, against the checker plus normal noise, plus heavy-tailed noise, "
        "and against a grader with an exploitable flaw, for several KL coefficients and seeds, all as one batched "
        "computation. Because every answer is two tokens, each model's full answer distribution, pass@k, KL to the "
        "base model and the exact KL-regularized optimum are computed exactly, and sampled rollouts are checked "
        "against them."
    ),
    not_shown=(
        "This is a 20,000-parameter model on a copy-style task, not a language model learning to reason: the task "
        "has 144 possible answers, so pass@k at large k is close to 1 for any model that ever guesses, and 'hard' "
        "problems are hard only because the corpus taught a misconception. The proxy errors are drawn per answer "
        "string, not learned from data like a real reward model, and training runs far shorter than to "
        "convergence, so the exact optimum (not the trained policy) is what the theory describes. Thresholds such "
        "as '+0.2 pass@1' and 'CKA ≥ 0.9' are Skeptic's, fixed before running. Nothing here measures frontier "
        "models; it checks that the mechanisms behave as claimed where everything can be computed."
    ),
    found=found,
    answer=answer,
    headline_figure="pass1-over-training",
)
