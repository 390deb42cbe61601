"""Figures of the Goodhart study (matplotlib object API; the runner renders them)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.figure import Figure as MplFigure

from skeptic.study import Figure

_COLORS = {
    "normal": "C0",
    "t3": "C3",
    "t5": "C1",
    "lognormal": "C2",
    "pareto": "C4",
    "exponential": "C5",
    "levy": "C7",
    "lognormal-std": "C8",
    "uniform": "C9",
    "weibull1.5": "C6",
    "row2": "k",
    "V": "k",
}


def _num(x: Any) -> float:
    return float(x)


def make_figures(m: dict[str, Any]) -> list[Figure]:
    figs = []
    su = m["sigma_u"]

    # conditioning
    fig = MplFigure(figsize=(11, 4.2))
    ax1, ax2 = fig.subplots(1, 2)
    for name in m["errors"]:
        rows = [r for r in m["conditioning"] if r["error"] == name and not r["far"]]
        t = np.array([r["t"] for r in rows]) / su
        ax1.plot(t, [_num(r["ev"]) for r in rows], color=_COLORS[name], label=name)
        eu = np.array([_num(r["eu"]) for r in rows])
        if np.all(np.isfinite(eu)):
            ax2.plot(t, eu, color=_COLORS[name], label=name)
    for c in m["mc_checks"]:
        if c["kind"] == "conditional_mean":
            ax1.errorbar(c["at"] / su, c["mc"], yerr=1.96 * c["se"], fmt="o", ms=3, color=_COLORS[c["error"]])
    ax1.set(xlabel="threshold t (SDs of U)", ylabel="E[V | U ≥ t]", title="True utility when conditioning on the proxy")
    ax2.set(xlabel="threshold t (SDs of U)", ylabel="E[U | U ≥ t]", title="Proxy value (Lévy: infinite)")
    ax1.legend(fontsize=8)
    figs.append(
        Figure(
            "conditioning",
            "E[V | U ≥ t]: with normal X it rises without bound; with heavy-tailed X "
            "(t, lognormal, Pareto, Lévy) it peaks and falls back to E[V] = 0; exponential X levels off at "
            "σ_V² = 4. Dots: Monte Carlo ± 1.96 SE.",
            fig,
        )
    )

    # best of n
    fig = MplFigure(figsize=(11, 4.2))
    ax1, ax2 = fig.subplots(1, 2)
    for name in m["bon_errors"]:
        rows = [r for r in m["best_of_n"] if r["error"] == name]
        ax1.plot([r["n"] for r in rows], [_num(r["ev"]) for r in rows], "-", color=_COLORS[name], label=name)
        mcs = [c for c in m["mc_checks"] if c["kind"] == "best_of_n" and c["error"] == name]
        ax1.errorbar(
            [c["at"] for c in mcs],
            [c["mc"] for c in mcs],
            yerr=[1.96 * c["se"] for c in mcs],
            fmt="o",
            ms=3,
            color=_COLORS[name],
        )
    row2 = (("row2", "X = t5", "k"), ("row2-t3", "X = t3", "C3"), ("row2-lognormal", "X = lognormal", "C2"))
    for panel, label, color in row2:
        rows = [r for r in m["best_of_n"] if r["error"] == panel]
        ax2.plot([r["n"] for r in rows], [_num(r["ev"]) for r in rows], "-", color=color, label=label)
        mcs = [c for c in m["mc_checks"] if c["kind"] == "best_of_n" and c["error"] == panel]
        ax2.errorbar([c["at"] for c in mcs], [c["mc"] for c in mcs], yerr=[1.96 * c["se"] for c in mcs], fmt="o",
                     ms=3, color=color)  # fmt: skip
    ax2.axvline(1e5, color="grey", lw=0.8, ls=":")
    ax2.axvspan(1e2, 1e3, color="grey", alpha=0.15)
    for ax in (ax1, ax2):
        ax.set_xscale("log", base=10)
        ax.set_xlabel("n (best of n, log scale)")
    ax1.axvspan(1e2, 1e3, color="grey", alpha=0.15)
    ax1.set(ylabel="E[V] of the chosen draw", title="Row 1: V ~ N(0, 2²); shaded: the caption's 10²–10³")
    ax2.set(ylabel="E[V] of the chosen draw", title="Row 2: V = 2·t10 (shaded: 10²–10³; dotted: 10^5)")
    ax1.legend(fontsize=7)
    ax2.legend(fontsize=7)
    figs.append(
        Figure(
            "best_of_n",
            "Kwa et al. (2024) synthetic best-of-n experiment, computed exactly: with normal error E[V] keeps rising; "
            "with t3, t5 and lognormal error it peaks and declines; with Lévy error it barely rises. Right: the "
            "paper's second row (V = 2·t10): t3 and lognormal error peak within 10²–10³ as in row 1, t5 near 10^5 "
            "(its curve runs on to 2^24). Dots: Monte Carlo ± 1.96 SE.",
            fig,
        )
    )

    # Gao et al.'s functional forms
    fig = MplFigure(figsize=(6, 4.2))
    ax = fig.subplots()
    for name in m["paper_errors"]:
        rows = [r for r in m["best_of_n"] if r["error"] == name]
        d = np.sqrt([r["kl"] for r in rows])
        ax.plot(d, [_num(r["ev"]) for r in rows], "-", color=_COLORS[name], label=name)
        f = next(r for r in m["gao_fits"] if r["error"] == name and r["form"] == "bon")
        ax.plot(d, d * (f["alpha"] - f["beta"] * d), ":", color=_COLORS[name])
    ax.set(xlabel="d = √KL (nats^½)", ylabel="E[V] of the best of n", title="Gao et al.'s d(α − βd) (dotted) vs exact")
    ax.legend(fontsize=7)
    figs.append(
        Figure(
            "gao_forms",
            "Exact best-of-n curves (solid) and the least-squares fit of Gao et al.'s best-of-n form (dotted) against "
            "d = √KL; the gao_fits table gives the fit quality of both forms per error.",
            fig,
        )
    )

    # all optimizers on the √KL axis
    fig = MplFigure(figsize=(12, 3.6))
    axes = fig.subplots(1, len(m["paper_errors"]), sharey=True)
    for ax, name in zip(axes, m["paper_errors"], strict=True):
        b = [r for r in m["best_of_n"] if r["error"] == name]
        q = [r for r in m["quantilizer"] if r["error"] == name]
        ax.plot(np.sqrt([r["kl"] for r in b]), [_num(r["ev"]) for r in b], label="best of n")
        ax.plot(np.sqrt([r["kl"] for r in q]), [r["ev"] for r in q], "--", label="quantilizer")
        tl = [r for r in m["tilt"] if r["error"] == name and r["truncation"] == "none" and math.isfinite(_num(r["kl"]))]
        if tl:
            ax.plot(np.sqrt([_num(r["kl"]) for r in tl]), [_num(r["ev"]) for r in tl], ":", label="KL-optimal tilt")
        tt = [r for r in m["tilt"] if r["error"] == name and r["truncation"] != "none"]
        ax.plot(np.sqrt([_num(r["kl"]) for r in tt]), [_num(r["ev"]) for r in tt], "x", label="tilt, β=1, U ≤ c")
        ax.set(title=f"X = {name}", xlabel="√KL (nats^½)", xlim=(0, 4.5))
    axes[0].set_ylabel("E[V]")
    axes[0].legend(fontsize=7)
    figs.append(
        Figure(
            "kl_axis",
            "All optimizers on Gao et al.'s axis, √KL from the base distribution. For heavy-tailed "
            "X the KL-optimal tilt does not exist (infinite normalizer); the truncated tilt (crosses) loses "
            "true utility as its truncation point c grows.",
            fig,
        )
    )

    # tails
    fig = MplFigure(figsize=(11, 4.2))
    ax1, ax2 = fig.subplots(1, 2)
    for name in ["V", *m["errors"]]:
        rows = [r for r in m["tails"] if r["dist"] == name]
        x = np.array([r["x"] for r in rows])
        y = np.array([_num(r["log10_sf"]) for r in rows])
        lin = x <= 10
        ax1.plot(x[lin], y[lin], color=_COLORS[name], label=name if name != "V" else "V ~ N(0, 2²)")
        pos = x >= 1
        ax2.plot(x[pos], y[pos], color=_COLORS[name])
    ax1.set(xlabel="x (units of σ_X)", ylabel="log10 P(X > x)", title="Tails, linear x", ylim=(-25, 0.5))
    ax2.set(
        xlabel="x (log scale)",
        ylabel="log10 P(X > x)",
        title="Tails, log x: power laws are straight lines",
        ylim=(-40, 0.5),
    )
    ax2.set_xscale("log")
    ax1.legend(fontsize=8)
    figs.append(
        Figure(
            "tails",
            "Survival functions. Light tails bend down ever faster; heavy tails (straight on the "
            "log–log panel) eventually lie above V's normal tail, and from there on extreme scores are error.",
            fig,
        )
    )

    # dependence and learned proxy
    fig = MplFigure(figsize=(11, 4.2))
    ax1, ax2 = fig.subplots(1, 2)
    d = m["dependence"]
    ax1.plot([r["t"] for r in d], [r["independent"] for r in d], label="X ~ N(0, 4) independent")
    ax1.plot([r["t"] for r in d], [r["dependent"] for r in d], label="X ~ N(0, 4) only where |V| ≤ 1")
    da = [r for r in d if r["t"] >= 10]
    ax1.plot([r["t"] for r in da], [_num(r["asymptote"]) for r in da], "k:", label="1 − 4/(t − 5)")
    ax1.axhline(1.0, color="grey", lw=0.8)
    ax1.set(
        xscale="log",
        yscale="symlog",
        xlabel="threshold t (log)",
        ylabel="E[V | U ≥ t] (symlog)",
        title="Kwa's dependent example (V ~ N(0, 1)): limit 1",
    )
    ax1.legend(fontsize=8)
    lp = m["learned_proxy"]
    for deg in sorted({r["degree"] for r in lp["rows"]}):
        rows = [r for r in lp["rows"] if r["degree"] == deg]
        rng = [r["range"] for r in rows]
        mean = np.array([np.mean(r["v_proxy"]) for r in rows])
        sd = np.array([np.std(r["v_proxy"]) for r in rows])
        ax2.errorbar(rng, mean, yerr=sd, marker="o", ms=3, capsize=2, label=f"proxy of degree {deg}")
    ax2.plot(rng, [r["v_best"] for r in rows], "k--", label="true optimum in range")
    ax2.axvline(1.0, color="grey", lw=0.8)
    ax2.set(
        xlabel="search range R (training domain: R ≤ 1)",
        ylabel="true V at the proxy's optimum",
        title="Learned proxy optimized out of domain",
    )
    ax2.legend(fontsize=8)
    figs.append(
        Figure(
            "assumptions",
            "Left: with error that vanishes for |V| > 1, E[V | U ≥ t] approaches 1 (dotted: 1 − 4/(t − 5)), not 0, "
            "although the error is light-tailed and unbiased. Right: a proxy fitted on [−1, 1] and maximized over "
            "[−R, R]; error bars: SD over fits. Beyond the training domain the linear proxy's optimum loses "
            "true utility.",
            fig,
        )
    )

    # catastrophic mixture
    fig = MplFigure(figsize=(6, 4.2))
    ax = fig.subplots()
    for name, style in (("t3", "-"), ("normal", "--")):
        rows = [r for r in m["upweighted_tail"] if r["error"] == name and r["rule"] == "t^-a" and r.get("in_range", 1)]
        t = [r["t"] for r in rows]
        ax.plot(t, [r["gain_u"] for r in rows], style, color="C0", label=f"E_π[U] gain, X={name}")
        ax.plot(t, [r["kl"] for r in rows], style, color="C1", label=f"KL, X={name}")
        ax.plot(t, [r["gain_v"] for r in rows], style, color="C2", label=f"E_π[V] gain, X={name}")
    ax.set(
        xscale="log",
        yscale="symlog",
        xlabel="upweighted threshold t (log)",
        ylabel="value (symlog)",
        title="Tail upweighting ε = t^-0.8 (Kwa et al. 2024, Fig. 3)",
    )
    ax.legend(fontsize=7)
    figs.append(
        Figure(
            "upweighted_tail",
            "With t3 error the policy's proxy gain grows without bound while its KL goes "
            "to 0 and its true-utility gain stays at 0; with normal error the same construction costs "
            "enormous KL.",
            fig,
        )
    )
    return figs
