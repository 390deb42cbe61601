"""The plain-language brief of the simple-rl study."""

from __future__ import annotations

import itertools
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

    def best_optimum(kind: str) -> float:
        out = []
        for b in m["config"]["betas"]:
            idx = _rows(m, kind=kind, beta=b, role="sweep")
            out.append(float(np.mean([m["final"]["optimum"][i]["true"] - first["true_train"][i] for i in idx])))
        return max(out)

    kl = [
        float(np.mean([m["final"]["kl_heldout"][i] for i in _rows(m, kind="true", beta=b, role="sweep")]))
        for b in m["config"]["betas"]
    ]
    return {
        "opt_light": best_optimum("light"), "opt_heavy": best_optimum("heavy"),
        "kl_monotone": float(all(x > y for x, y in itertools.pairwise(kl))),
        "kl_small": kl[0], "kl_large": kl[-1], "b_last": m["config"]["betas"][-1],
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
    reach = "no more" if n["rl_kmax"] <= n["base_kmax"] + 0.005 else "slightly more"
    return (
        f"In this toy, RL on a right/wrong reward raised the share of correct first answers on new problems from "
        f"{n['base']:.0%} to {n['rl']:.0%}, but with {n['kmax']:.0f} tries it solved {reach} problems than the "
        f"original model ({n['rl_kmax']:.1%} vs {n['base_kmax']:.1%}). Trained on noisy stand-in rewards for this "
        f"short run, it changed the real goal by {100 * n['light']:+.0f} points with ordinary noise and "
        f"{100 * n['heavy']:+.0f} with rare "
        f"extreme noise; fully optimized, the best KL penalty would give {100 * n['opt_light']:+.0f} and "
        f"{100 * n['opt_heavy']:+.0f} points."
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
        f"The KL spent on held-out problems went from {n['kl_small']:.2f} nats at β = {n['b0']:g} to "
        f"{n['kl_large']:.2f} "
        f"at β = {n['b_last']:g}"
        + (" (falling at every step of β). " if n["kl_monotone"] else " (not falling at every step of β). ")
        + f"The layers' internal representations kept a "
        f"smallest linear CKA of {n['min_cka']:.2f} to the base while the answer distribution moved by total variation "
        f"{n['tv']:.2f}.",
        f"Against proxies at the smallest β ({n['b0']:g}) the true reward on training problems changed by "
        f"{n['light']:+.2f} with light-tailed error, {n['heavy']:+.2f} with heavy-tailed error, and {n['flaw']:+.2f} "
        f"against the flawed grader (which ended {n['flaw_drop']:.2f} below its peak). The exact KL-regularized "
        "optimum of each proxy (stars in the over-optimization figure), where longer training would lead, changes the "
        f"true reward by "
        f"{n['opt_light']:+.2f} (light-tailed) and {n['opt_heavy']:+.2f} (heavy-tailed) at the best β of the sweep.",
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
        "This is a 26,000-parameter model on a copy-style task, not a language model learning to reason: the task "
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
