"""Figures and tables of the simple-rl study (every number exact over the answer distribution; bands: seed range)."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from skeptic.core.study import Figure, Table

KIND_LABEL = {
    "true": "true reward (0/1 checker)",
    "light": "proxy, light-tailed error (normal)",
    "heavy": "proxy, heavy-tailed error (t3)",
    "flaw": "grader with an exploitable flaw",
}


def _rows(m: dict[str, Any], **match: Any) -> list[int]:
    return [i for i, s in enumerate(m["specs"]) if all(s[k] == v for k, v in match.items())]


def _curve(m: dict[str, Any], field: str, rows: list[int]) -> np.ndarray:
    """``[n_evals, n_rows]`` of a curve field."""
    return np.array([[c[field][i] for i in rows] for c in m["curves"]])


def _colors(n: int) -> list[Any]:
    cmap = plt.get_cmap("viridis")
    return [cmap(x) for x in np.linspace(0.0, 0.85, n)]


def pass1_figure(m: dict[str, Any]) -> Figure:
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    steps = [c["step"] for c in m["curves"]]
    betas = m["config"]["betas"]
    for b, col in zip(betas, _colors(len(betas)), strict=True):
        y = _curve(m, "pass1_heldout", _rows(m, kind="true", beta=b, role="sweep"))
        ax.plot(steps, y.mean(1), color=col, label=f"GRPO, β = {b:g}")
        ax.fill_between(steps, y.min(1), y.max(1), color=col, alpha=0.15)
    base = float(np.mean(m["base"]["pass1"]))
    ax.axhline(base, color="grey", ls="--", lw=1, label=f"base model ({base:.2f})")
    ax.set_xlabel("GRPO iteration")
    ax.set_ylabel("pass@1 on held-out problems (exact)")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    ax.set_title("Simple RL on a 0/1 correctness reward")
    return Figure(
        "pass1-over-training",
        "Held-out pass@1 (the exact probability of a correct answer, averaged over problems never trained on) during "
        "GRPO with a 0/1 reward, one line per KL coefficient β (mean over seeds, band: seed range). Look at how far "
        "each line climbs above the dashed base model.",
        fig,
    )


def passk_figure(m: dict[str, Any]) -> Figure:
    ks = m["config"]["pass_ks"]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    base = np.array(m["base"]["pass_at_k"])
    ax.plot(ks, base.mean(0), "o--", color="grey", label="base model")
    ax.fill_between(ks, base.min(0), base.max(0), color="grey", alpha=0.15)
    rows = _rows(m, kind="true", beta=m["config"]["beta_main"], role="sweep")
    rl = np.array([m["final"]["pass_at_k"][i] for i in rows])
    ax.plot(ks, rl.mean(0), "o-", color="C1", label=f"after GRPO (β = {m['config']['beta_main']:g})")
    ax.fill_between(ks, rl.min(0), rl.max(0), color="C1", alpha=0.2)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("k (answers sampled per problem, log scale)")
    ax.set_ylabel("pass@k on held-out problems (exact)")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
    ax.set_title("pass@k: base vs RL (Yue et al. 2025's comparison)")
    return Figure(
        "pass-at-k",
        "pass@k, the chance that at least one of k sampled answers is right, computed exactly as the mean over "
        "held-out problems of 1 − (1 − p)^k. Yue et al. report that the RL curve starts higher but the base curve "
        "catches up or overtakes at large k; look at the right-hand end.",
        fig,
    )


def frontier_figure(m: dict[str, Any]) -> Figure:
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    betas = m["config"]["betas"]
    for b, col in zip(betas, _colors(len(betas)), strict=True):
        rows = _rows(m, kind="true", beta=b, role="sweep")
        kl = _curve(m, "kl_train", rows).mean(1)
        v = _curve(m, "true_train", rows).mean(1)
        ax.plot(kl, v - v[0], "o-", color=col, ms=3, label=f"β = {b:g}")
    ax.set_xlabel("KL(π ‖ π_base) spent, nats per answer (exact)")
    ax.set_ylabel("true reward gained on training problems")
    ax.legend(fontsize=8, title="KL coefficient")
    ax.set_title("Reward gained against KL spent")
    return Figure(
        "reward-vs-kl",
        "Each line follows one KL coefficient β through training (mean over seeds): how much true reward the policy "
        "gained for how much KL from the base model it spent. A larger β should stop earlier along the KL axis.",
        fig,
    )


def cka_figure(m: dict[str, Any]) -> Figure:
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    betas = m["config"]["betas"]
    L = len(m["final"]["cka"][0])
    names = ["embedding"] + [f"block {i}" for i in range(1, L)] + ["output (TV)"]
    width = 0.8 / len(betas)
    for j, (b, col) in enumerate(zip(betas, _colors(len(betas)), strict=True)):
        rows = _rows(m, kind="true", beta=b, role="sweep")
        change = [1 - np.mean([m["final"]["cka"][i][layer] for i in rows]) for layer in range(L)]
        change.append(float(np.mean([m["final"]["tv_heldout"][i] for i in rows])))
        ax.bar(np.arange(L + 1) + (j - (len(betas) - 1) / 2) * width, change, width, color=col, label=f"β = {b:g}")
    ax.set_xticks(np.arange(L + 1), names)
    ax.set_ylabel("change from the base model (1 − CKA; output: TV)")
    ax.set_title("Where RL changes the network", fontsize=11)
    ax.legend(fontsize=8)
    return Figure(
        "where-it-changes",
        "How much each layer's representations moved (1 − linear CKA to the base model, on held-out problems) next to "
        "how much the answer distribution moved (total-variation distance), per β. Bars near zero for the layers "
        "with a tall output bar mean RL changed what the model says more than what it represents.",
        fig,
    )


def overoptimization_figure(m: dict[str, Any]) -> Figure:
    kinds = ("light", "heavy", "flaw")
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), sharey=True)
    betas = m["config"]["betas"]
    for ax, kind in zip(axes, kinds, strict=True):
        for b, col in zip(betas, _colors(len(betas)), strict=True):
            rows = _rows(m, kind=kind, beta=b, role="sweep")
            d = np.sqrt(np.maximum(_curve(m, "kl_train", rows).mean(1), 0))
            ax.plot(d, _curve(m, "true_train", rows).mean(1), "-", color=col, label=f"true, β = {b:g}")
            ax.plot(d, _curve(m, "proxy_train", rows).mean(1), ":", color=col, label=f"proxy, β = {b:g}")
            opt = [m["final"]["optimum"][i] for i in rows]
            ax.plot(np.sqrt(np.mean([o["kl"] for o in opt])), np.mean([o["true"] for o in opt]), "*", color=col, ms=11)
        ax.set_title(KIND_LABEL[kind], fontsize=10)
        ax.set_xlabel("√KL(π ‖ π_base) (nats^½)")
    axes[0].set_ylabel("reward on training problems (exact)")
    axes[0].legend(fontsize=7)
    fig.suptitle("True (solid) and proxy (dotted) reward over training; ★: true reward of the exact optimum")
    return Figure(
        "overoptimization",
        "Gao et al.-style over-optimization curves: as the policy moves away from the base model (√KL on the x axis), "
        "the proxy it is trained on (dotted) and the true 0/1 reward (solid), mean over seeds, one colour per β. Stars "
        "mark the exact optimum of each β's objective. Look for the solid line falling while the dotted one rises.",
        fig,
    )


def make_figures(m: dict[str, Any]) -> list[Figure]:
    figs = [pass1_figure(m), passk_figure(m), frontier_figure(m), cka_figure(m), overoptimization_figure(m)]
    plt.close("all")
    return figs


def make_tables(m: dict[str, Any]) -> list[Table]:
    rows = []
    for kind in ("true", "light", "heavy", "flaw"):
        for b in m["config"]["betas"]:
            idx = _rows(m, kind=kind, beta=b, role="sweep")
            first, last = m["curves"][0], m["curves"][-1]
            opt = [m["final"]["optimum"][i] for i in idx]
            rows.append({
                "reward": KIND_LABEL[kind], "β": b,
                "true reward, start → end": f"{np.mean([first['true_train'][i] for i in idx]):.3f} → "
                                            f"{np.mean([last['true_train'][i] for i in idx]):.3f}",
                "proxy, end": round(float(np.mean([last["proxy_train"][i] for i in idx])), 3),
                "KL, end (nats)": round(float(np.mean([last["kl_train"][i] for i in idx])), 3),
                "held-out pass@1": round(float(np.mean([m["final"]["pass1"][i] for i in idx])), 3),
                "optimum: true reward": round(float(np.mean([o["true"] for o in opt])), 3),
                "optimum: KL": round(float(np.mean([o["kl"] for o in opt])), 3),
            })  # fmt: skip
    ks = m["config"]["pass_ks"]
    rl_rows = _rows(m, kind="true", beta=m["config"]["beta_main"], role="sweep")
    passk = [
        {"k": k, "base": round(float(np.mean([r[j] for r in m["base"]["pass_at_k"]])), 4),
         "RL": round(float(np.mean([m["final"]["pass_at_k"][i][j] for i in rl_rows])), 4)}
        for j, k in enumerate(ks)
    ]  # fmt: skip
    g = m["goodhart"]
    return [
        Table("policies", "Every trained policy (mean over seeds): true reward on the monitored training problems at "
              "the start and end of RL, the proxy it was trained on, the KL spent, held-out pass@1, and the exact "
              "KL-regularized optimum of its objective.", rows),
        Table("pass-at-k", "Exact pass@k on held-out problems, base vs RL at β_main (mean over seeds).", passk),
        Table("goodhart-crosscheck", "This study's finite tilt against the Goodhart study's exact tilt "
              "(skeptic.goodhart.tilted), V ~ N(0, 1), X ~ N(0, 1).", [g], collapsed=True),
    ]  # fmt: skip
