"""Figures and tables of the simple-rl study (every number exact over the answer distribution; bands: seed range)."""

from __future__ import annotations

from typing import Any

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from skeptic.study import Figure, Table

KIND_LABEL = {
    "true": "true reward (0/1 checker)",
    "flaw": "grader with an exploitable flaw",
}
ARM_LABEL = {
    "k1": "KL in the reward (forward KL)",
    "drgrpo": "Dr. GRPO (trainer's KL term, no std)",
    "grpo": "GRPO (trainer's KL term, std-normalized)",
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
    floor = [1 - (1 - 1 / 144) ** k for k in ks]
    ax.plot(ks, floor, ":", color="black", lw=1, label="uniform guesser over 144 answers (floor)")
    gap = rl.mean(0) - base.mean(0)
    cross = next((k for k, d in zip(ks, gap, strict=True) if d <= 0), None)
    if cross is not None:
        ax.axvline(cross, color="C3", lw=0.8, ls="--", label=f"first k where base ≥ RL: {cross}")
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
        "catches up or overtakes at large k. The dotted line is a uniform guesser: where it nears 1 (k in the "
        "hundreds, 144 answers) pass@k says nothing; the brief reads k = 64 (a described measurement, not a claim: "
        "no contrast flips it here). Look at where the curves cross.",
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


VIEW_ARM_LABEL = {"rl-kl": "GRPO with KL", "rl-no-kl": "GRPO without KL", "sft": "SFT (contrast)"}


def views_figure(m: dict[str, Any]) -> Figure:
    v = m["views"]
    fig, (ax, ax2, ax3) = plt.subplots(1, 3, figsize=(13.2, 4.0))
    for arm, col in zip(v["arms"], ("C0", "C3", "C2"), strict=False):
        c = v["curves"][arm]
        steps = [r["step"] for r in c]
        for key, ls, what in (("frozen_acc", "-", "frozen pre-RL probe"), ("refit_acc", "--", "refit probe")):
            y = np.array([r[key] for r in c])
            ax.plot(steps, y.mean(1), ls, color=col, label=f"{VIEW_ARM_LABEL[arm]}: {what}")
            ax.fill_between(steps, y.min(1), y.max(1), color=col, alpha=0.1)
        y = np.array([np.array(r["target"]) - np.array(v["base_target"]) for r in c])
        ax2.plot(steps, y.mean(1), "-", color=col, label=VIEW_ARM_LABEL[arm])
        ax2.fill_between(steps, y.min(1), y.max(1), color=col, alpha=0.15)
        ax3.plot(y.mean(1), [np.mean(r["frozen_acc"]) for r in c], "o-", ms=3, color=col, label=VIEW_ARM_LABEL[arm])
    ax.axhline(0.5, color="grey", ls=":", lw=1, label="chance")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("update (GRPO iteration or SFT step)")
    ax.set_ylabel("held-out accuracy of the 'problem is hard' probe")
    ax.legend(fontsize=7)
    ax.set_title("The view (last layer, at '=')", fontsize=10)
    ax2.axhline(0, color="black", lw=0.8)
    ax2.set_xlabel("update (GRPO iteration or SFT step)")
    ax2.set_ylabel(f"Δ π({v['target']} answer) on held-out problems")
    ax2.legend(fontsize=7)
    ax2.set_title("The presentation (output)", fontsize=10)
    ax3.axhline(0.5, color="grey", ls=":", lw=1)
    ax3.set_ylim(0, 1.02)
    ax3.set_xlabel("output change (Δ π of the taught answer)")
    ax3.set_ylabel("frozen probe's held-out accuracy")
    ax3.legend(fontsize=7)
    ax3.set_title("View lost per unit of output moved", fontsize=10)
    fig.tight_layout()
    return Figure(
        "views-vs-presentation",
        "Left: the held-out accuracy of a linear probe for 'the problem is hard' (c ≥ 5), read on the last layer at "
        "the prompt's last token, for the probe fitted before training and kept frozen (solid) and a probe refit at "
        "each step (dashed); middle: how much each arm raised the exact probability of the taught answer; right: "
        "the frozen probe's accuracy against that output change (the fair comparison: the same move of the "
        "output). Mean over seeds, band: seed range; the dotted line is chance. Chalk's remark predicts the solid "
        "line of the KL arm staying up while its output moves; the contrast (SFT on the same answers) is drawn "
        "beside it.",
        fig,
    )


def overoptimization_figure(m: dict[str, Any]) -> Figure:
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    betas = m["config"]["betas"]
    for b, col in zip(betas, _colors(len(betas)), strict=True):
        rows = _rows(m, kind="flaw", beta=b, role="sweep")
        d = np.sqrt(np.maximum(_curve(m, "kl_train", rows).mean(1), 0))
        ax.plot(d, _curve(m, "true_train", rows).mean(1), "-", color=col, label=f"true, β = {b:g}")
        ax.plot(d, _curve(m, "proxy_train", rows).mean(1), ":", color=col, label=f"flawed grader, β = {b:g}")
    ax.set_xlabel("√KL(π ‖ π_base) (nats^½)")
    ax.set_ylabel("reward on training problems (exact)")
    ax.legend(fontsize=7)
    ax.set_title("Over-optimizing a flawed grader (transformer, GRPO)")
    return Figure(
        "overoptimization",
        "Gao et al.-style over-optimization: as the GRPO policy moves away from the base model (√KL on the x axis), "
        "the flawed grader's score it is trained on (dotted) and the true 0/1 reward (solid), mean over seeds, one "
        "colour per β. Look for the solid line rising, then falling while the dotted one keeps rising.",
        fig,
    )


def _beta_axis(ax: Any, betas: list[float]) -> None:
    """A log β axis labelled at the grid's values only."""
    ax.set_xscale("log")
    ax.set_xticks(betas, [f"{b:g}" for b in betas])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def kwa_figure(m: dict[str, Any]) -> Figure:
    g = m["graded"]
    betas = m["config"]["graded_betas"]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for kind, col in (("light", "C0"), ("heavy", "C3"), ("true", "grey")):
        t = [[np.mean(r["gains"]) for r in g["tilts"] if r["kind"] == kind and r["beta"] == b] for b in betas]
        ax.plot(betas, [np.mean(x) for x in t], "-", color=col, label=f"optimum (tilt), {kind}")
        ax.fill_between(betas, [min(x) for x in t], [max(x) for x in t], color=col, alpha=0.15)
        tr = [(b, np.mean([np.mean(g["arms"][i]["gains"]) for i in rows]))
              for b in betas
              if (rows := [i for i, s in enumerate(g["specs"]) if s["kind"] == kind and s["arm"] == "k1"
                           and s["beta"] == b])]  # fmt: skip
        ax.plot([x for x, _ in tr], [y for _, y in tr], "o", color=col, ms=5, label=f"trained (KL in reward), {kind}")
    ax.axhline(0, color="black", lw=0.8)
    _beta_axis(ax, betas)
    ax.set_xlabel("β (log scale; left: less restrictive KL penalty)")
    ax.set_ylabel("share of the possible true-reward gain")
    ax.legend(fontsize=7)
    ax.set_title(f"Light vs heavy-tailed proxy error, {g['n_answers']} answers")
    return Figure(
        "light-vs-heavy",
        "The true reward reached by the optimum of E[U] − β KL(π ‖ π_ref) (lines, band: seed range) and by the policy "
        "trained with the KL in its reward (dots), as a share of the most that could be gained, when the proxy's "
        "error is light-tailed (blue), heavy-tailed (red) or absent (grey). Kwa et al.: at small β the light-tailed "
        "proxy still buys true reward, the heavy-tailed one buys none. Look at the left end.",
        fig,
    )


def kl_direction_figure(m: dict[str, Any]) -> Figure:
    g = m["graded"]
    betas = m["config"]["graded_betas"]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for arm, col in zip(("k1", "drgrpo", "grpo"), ("C0", "C1", "C2"), strict=True):
        rows = [[i for i, s in enumerate(g["specs"]) if s["kind"] == "true" and s["arm"] == arm and s["beta"] == b]
                for b in betas]  # fmt: skip
        ax.plot(betas, [np.mean([g["arms"][i]["opt_kl"] for i in r]) for r in rows], "-", color=col,
                label=f"{ARM_LABEL[arm]}: its own optimum")  # fmt: skip
        ax.plot(betas, [np.mean([g["arms"][i]["kl"] for i in r]) for r in rows], "o", color=col, ms=6,
                label=f"{ARM_LABEL[arm]}: trained")  # fmt: skip
    t = [[r["kl"] for r in g["tilts"] if r["kind"] == "true" and r["beta"] == b] for b in betas]
    ax.plot(betas, [np.mean(x) for x in t], "k:", label="tilt π_ref e^{V/β} (forward-KL optimum at β)")
    _beta_axis(ax, betas)
    ax.set_xlabel("β (log scale)")
    ax.set_ylabel("KL(π ‖ π_ref), nats (mean over prompts and seeds)")
    ax.legend(fontsize=7)
    ax.set_title("Which KL does each arm optimize? (graded true reward)")
    return Figure(
        "kl-direction",
        "KL from the reference reached by each trained arm (dots) and the exact optimum of the objective that arm's "
        "update ascends (lines): the log-ratio in the reward (forward KL: the tilt), the k3 estimator in the loss "
        "without std normalization (Dr. GRPO: the optimum of E[U] − β' KL(π_ref ‖ π)), and with it (GRPO: β rescaled "
        "by the reward's std). The dotted line is where a forward-KL penalty would lead. Dots on their own lines: each "
        "arm converged to its own objective.",
        fig,
    )


def graded_convergence_figure(m: dict[str, Any]) -> Figure:
    g = m["graded"]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    steps = [tr["step"][0] for tr in g["trace"]]
    b0 = m["config"]["graded_betas"][0]
    for arm, col in zip(("k1", "drgrpo", "grpo"), ("C0", "C1", "C2"), strict=True):
        rows = [i for i, s in enumerate(g["specs"]) if s["kind"] == "true" and s["arm"] == arm and s["beta"] == b0]
        ax.plot(
            steps, [np.mean([tr["kl"][i] for i in rows]) for tr in g["trace"]], "-", color=col, label=ARM_LABEL[arm]
        )
        ax.axhline(np.mean([g["arms"][i]["opt_kl"] for i in rows]), color=col, ls=":", lw=1)
    ax.set_xlabel("Adam step of the expected update")
    ax.set_ylabel("KL(π ‖ π_ref), nats")
    ax.legend(fontsize=7)
    ax.set_title(f"Training to convergence (graded true reward, β = {b0:g})")
    return Figure(
        "graded-convergence",
        "KL from the reference over training for each graded arm at the smallest β (solid), with its own optimum's KL "
        "(dotted): the run trains until each solid line sits on its dotted one.",
        fig,
    )


def make_figures(m: dict[str, Any]) -> list[Figure]:
    figs = [
        pass1_figure(m),
        passk_figure(m),
        frontier_figure(m),
        cka_figure(m),
        views_figure(m),
        overoptimization_figure(m),
        kwa_figure(m),
        kl_direction_figure(m),
        graded_convergence_figure(m),
    ]
    plt.close("all")
    return figs


def make_tables(m: dict[str, Any]) -> list[Table]:
    rows = []
    for kind in ("true", "flaw"):
        for b in m["config"]["betas"]:
            idx = _rows(m, kind=kind, beta=b, role="sweep")
            first, last = m["curves"][0], m["curves"][-1]
            rows.append({
                "reward": KIND_LABEL[kind], "β": b,
                "true reward, start → end": f"{np.mean([first['true_train'][i] for i in idx]):.3f} → "
                                            f"{np.mean([last['true_train'][i] for i in idx]):.3f}",
                "proxy, end": round(float(np.mean([last["proxy_train"][i] for i in idx])), 3),
                "KL, end (nats)": round(float(np.mean([last["kl_train"][i] for i in idx])), 3),
                "held-out pass@1": round(float(np.mean([m["final"]["pass1"][i] for i in idx])), 3),
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
              "the start and end of RL, the reward it was trained on, the KL spent and held-out pass@1.", rows),
        Table("graded-arms", "Every graded arm (mean over seeds): the KL estimator it uses, its KL from the reference "
              "and its own optimum's, its distance to that optimum and (Dr. GRPO) to the forward-KL optimum, the share "
              "of the possible true-reward gain, and GRPO's effective β (β · σ of the reward under the policy).",
              graded_rows(m)),
        Table("pass-at-k", "Exact pass@k on held-out problems, base vs RL at β_main (mean over seeds).", passk),
        Table("goodhart-crosscheck", "This study's finite tilt against the Goodhart study's exact tilt "
              "(skeptic.goodhart.tilted), V ~ N(0, 1), X ~ N(0, 1).", [g], collapsed=True),
    ]  # fmt: skip


def graded_rows(m: dict[str, Any]) -> list[dict[str, Any]]:
    g = m["graded"]
    out = []
    keys = sorted({(s["kind"], s["arm"], s["beta"]) for s in g["specs"]}, key=lambda k: (k[0], k[1], k[2]))
    for kind, arm, b in keys:
        idx = [i for i, s in enumerate(g["specs"]) if (s["kind"], s["arm"], s["beta"]) == (kind, arm, b)]
        a = [g["arms"][i] for i in idx]

        def mean(key: str, a: list[dict[str, Any]] = a) -> float | str:
            vals = [x[key] for x in a if key in x]
            return round(float(np.mean(vals)), 4) if vals else ""

        out.append({
            "reward": kind, "arm": ARM_LABEL[arm], "estimator": g["specs"][idx[0]]["estimator"], "β": b,
            "KL trained": mean("kl"), "KL own optimum": mean("opt_kl"), "TV to own optimum": mean("tv_own"),
            "TV to forward-KL optimum": mean("tv_forward"),
            "gain share": round(float(np.mean([np.mean(x["gains"]) for x in a])), 4),
            "GRPO β_eff": mean("beta_eff"),
        })  # fmt: skip
    return out
