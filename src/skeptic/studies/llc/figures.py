"""Figures and tables of the llc study, drawn from its measurements."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import NullFormatter

from skeptic.study import Figure, Table

COLORS = {"regular": "C0", "normal crossing": "C1", "reduced-rank regression": "C2", "deep linear network": "C3"}


def make_figures(m: dict[str, Any]) -> list[Figure]:
    figs: list[Figure] = []
    fig, ax = plt.subplots(figsize=(5.5, 5))
    rows = m["table"]
    lo = min(min(r["exact"] for r in rows), min(max(r["llc"], 1e-3) for r in rows)) * 0.7
    hi = max(max(r["half_d"] for r in rows), max(r["llc"] for r in rows)) * 1.4
    ax.plot([lo, hi], [lo, hi], "k-", lw=1, label="λ̂ = λ")
    ax.fill_between([lo, hi], [lo * 0.8, hi * 0.8], [lo * 1.2, hi * 1.2], color="0.9", label="±20% (claim)")
    for fam, col in COLORS.items():
        fr = [r for r in rows if r["family"] == fam]
        if not fr:
            continue
        ax.errorbar(
            [r["exact"] for r in fr],
            [max(r["llc"], lo) for r in fr],
            yerr=[1.96 * r["llc_se"] for r in fr],
            fmt="o",
            color=col,
            label=fam,
            capsize=2,
        )
        ax.scatter([r["exact"] for r in fr], [r["half_d"] for r in fr], marker="_", s=80, color=col)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("exact learning coefficient λ (dimensionless)")
    ax.set_ylabel("estimated LLC λ̂ (dimensionless)")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("LLC estimate vs exact λ")
    fig.tight_layout()
    figs.append(
        Figure(
            "validation",
            "Each dot is one model: its SGLD estimate (95% interval over chains) against its "
            "exact learning coefficient; the grey band is the ±20% accuracy claim. Short dashes mark d/2, "
            "what counting parameters would say: singular models (green, red) sit far below their dash.",
            fig,
        )
    )

    sens = m.get("sensitivity")
    if sens:
        kinds = ["epsilon", "nbeta", "gamma", "num_draws", "batch_size"]
        fig, axes = plt.subplots(1, len(kinds), figsize=(14, 3.2), sharey=True)
        default = next(r for r in sens if r["vary"] == "default")
        for ax, kind in zip(axes, kinds, strict=True):
            pts = sorted([default] + [r for r in sens if r["vary"] == kind], key=lambda r: r["factor"])
            if kind == "num_draws":
                pts = sorted(
                    [r for r in sens if r["vary"] == "num_draws"] + [default | {"factor": 1.0}],
                    key=lambda r: r["factor"],
                )
            ax.errorbar(
                [p["factor"] for p in pts],
                [p["llc"] for p in pts],
                yerr=[1.96 * p["llc_se"] for p in pts],
                fmt="o-",
                capsize=2,
            )
            ax.axhline(m["sensitivity_exact"], color="k", lw=1, ls="--", label="exact λ")
            ax.set_xscale("log")
            ax.set_xticks([p["factor"] for p in pts], [f"{p['factor']:.3g}" for p in pts])
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_xlabel(f"{kind} / default (log scale)")
            ax.set_title(kind)
        axes[0].set_ylabel("λ̂ (dimensionless)")
        axes[0].legend(fontsize=7)
        fig.tight_layout()
        figs.append(
            Figure(
                "sensitivity",
                f"How the estimate for {m['sensitivity_model']} moves when one SGLD setting "
                "at a time is scaled from its default (x = 1). Flat is good; the dashed line is the exact λ. "
                "Look for which settings move the estimate by more than its error bar.",
                fig,
            )
        )

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for r in rows:
        tr = r["llc_trace_mean"]
        stride = r["trace_stride"]
        ax.plot(
            [i * stride for i in range(len(tr))],
            [v / r["exact"] for v in tr],
            lw=0.8,
            color=COLORS.get(r["family"], "k"),
        )
    ax.axhline(1.0, color="k", lw=1, ls="--")
    ax.set_xlabel("SGLD step (burn-in included)")
    ax.set_ylabel("nβ(L − L(w*)) / λ, mean over chains")
    ax.set_title("Loss traces, scaled by the exact λ")
    fig.tight_layout()
    figs.append(
        Figure(
            "traces",
            "The running quantity averaged to make λ̂, per model, divided by its exact λ: each "
            "trace should rise from 0 within the burn-in and then fluctuate around a flat level (1 means "
            "exact). A trace still rising at the end means the chains are too short. Normal crossings (orange) run "
            "longer (flat_draws_factor) and sit below 1: their finite-n gap.",
            fig,
        )
    )
    if m.get("tms"):
        figs.append(_tms_figure(m["tms"]))
    return figs


def _tms_figure(t: dict[str, Any]) -> Figure:
    """Left: the k-gons, loss against λ̂ (and exact λ). Right: λ̂ and the loss along each SGD run."""
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
    rows = sorted(t["kgons"], key=lambda r: r["k"])
    ax0.errorbar(
        [r["population_loss"] for r in rows],
        [r["llc"] for r in rows],
        yerr=[1.96 * r["llc_se"] for r in rows],
        fmt="o-",
        capsize=3,
        label="λ̂ (95% interval)",
    )
    known = [r for r in rows if r["null_growth_exponent"] >= 3.0]
    ax0.scatter(
        [r["population_loss"] for r in known], [r["lambda"] for r in known], marker="x", color="k", zorder=3,
        label="exact λ = rank(H)/2",
    )  # fmt: skip
    for r in rows:
        ax0.annotate(f"{r['k']}-gon", (r["population_loss"], r["llc"]), textcoords="offset points", xytext=(5, 5))
    ax0.set_xlabel("population loss of the k-gon (½·squared error)")
    ax0.set_ylabel("learning coefficient (dimensionless)")
    ax0.set_title("k-gons: lower loss, higher λ")
    ax0.legend(fontsize=7)
    traj = t["trajectory"]
    for s in sorted({r["seed"] for r in traj["records"]}):
        rs = sorted((r for r in traj["records"] if r["seed"] == s), key=lambda r: r["step"])
        ax1.plot([r["step"] for r in rs], [r["llc"] for r in rs], "o-", ms=3, lw=1, color=f"C{s % 10}")
    ax1.set_xscale("log")
    ax1.set_xlabel("SGD step (log scale)")
    ax1.set_ylabel("λ̂ at the checkpoint (solid)")
    ax2 = ax1.twinx()
    stride = traj["loss_curve_stride"]
    for s, curve in enumerate(traj["loss_curve"]):
        steps = [(i + 1) * stride for i in range(len(curve))]
        ax2.plot(steps, curve, lw=0.6, ls=":", color=f"C{s % 10}")
    ax2.set_ylabel("minibatch training loss (dotted)")
    for tr in traj["transitions"]:
        ax1.axvline(tr["step"], color="0.85", lw=0.8, zorder=0)
    ax1.set_title("SGD runs: λ̂ and loss over training")
    fig.tight_layout()
    return Figure(
        "tms",
        "Toy model of superposition, 6 features in 2 dimensions. Left: each k-gon's loss against its estimated "
        "learning coefficient (crosses: exact λ where it is known); lower-loss k-gons should sit higher. Right: "
        "SGD runs from small weights, λ̂ at checkpoints (solid, one colour per run) and the training loss (dotted); "
        "grey lines mark where a run starts representing a different number of features. Look for λ̂ stepping "
        "up where the loss steps down, and staying flat between.",
        fig,
    )


def make_tables(m: dict[str, Any]) -> list[Table]:
    tabs = [
        Table(
            "validation",
            "The estimator against exact learning coefficients (one row per model).",
            [
                {
                    "model": r["name"],
                    "family": r["family"],
                    "d": r["d"],
                    "d/2": r["half_d"],
                    "exact λ": round(r["exact"], 4),
                    "multiplicity": r["multiplicity"],
                    "finite-n target": round(r["finite_target"], 4) if "finite_target" in r else "",
                    "λ̂": round(r["llc"], 4),
                    "SE": round(r["llc_se"], 4),
                    "rel. error": f"{r['rel_error']:+.1%}",
                    "R-hat": round(r["rhat"], 3),
                    "MALA acc.": round(r["mala_acceptance"], 3),
                    "warnings": "; ".join(r["warnings"]),
                }
                for r in m["table"]
            ],
        ),
    ]
    tw = m.get("twins")
    if tw:
        tabs.append(
            Table(
                "relu-gelu-twins",
                f"ReLU vs GELU twins (same weights, {tw['hidden']} hidden units, n = {tw['n']}, γ = {tw['gamma']:g}): "
                "exact λ = rank(H)/2, the rescaling check, the exact sampler's finite-temperature target and λ̂ at "
                "three step sizes around the curvature rule's ε.",
                [
                    {
                        "activation": a["activation"],
                        "d": a["d"],
                        "rank(H)": a["hessian_rank"],
                        "exact λ": a["exact"],
                        "loss change under rescaling": f"{a['rescale_loss_change']:.1g}",
                        "max rescaling curvature / h_max": f"{max(map(abs, a['rescale_quotients'])):.1g}",
                        "target (ε ×1)": round(a["target"], 3),
                        **{
                            f"λ̂ (ε ×{f})": f"{a[f'llc_eps{f}']:.2f} ± {a[f'llc_se_eps{f}']:.2f}"
                            for f in ("0.3", "1", "3")
                        },
                        "R-hat": round(a["rhat"], 3),
                    }
                    for a in tw["arms"]
                ],
            )
        )
    if m.get("sensitivity"):
        tabs.append(
            Table(
                "sensitivity",
                f"λ̂ of {m['sensitivity_model']} (exact {m['sensitivity_exact']:g}) as one setting moves at a time.",
                [
                    {
                        "vary": r["vary"],
                        "factor": r["factor"],
                        "ε·nβ": round(r["epsilon_times_nbeta"], 4),
                        "nβ": round(r["nbeta"], 1),
                        "γ": r["gamma"],
                        "batch": r["batch_size"],
                        "draws": r["num_draws"],
                        "λ̂": round(r["llc"], 3),
                        "SE": round(r["llc_se"], 3),
                        "MALA acc.": round(r["mala_acceptance"], 3),
                    }
                    for r in m["sensitivity"]
                ],
            )
        )
    if m.get("calibration"):
        cal = m["calibration"]
        tabs.append(
            Table(
                "calibration",
                f"The calibration helper's ε sweep on {m['sensitivity_model']}; it picked "
                f"ε·nβ = {cal['epsilon_times_nbeta']:.3g} ({cal['rule']}).",
                [
                    {
                        "ε·nβ": round(r["epsilon"] * r["nbeta"], 4),
                        "λ̂": round(r["llc"], 3),
                        "SE": round(r["llc_se"], 3),
                        "R-hat": round(r["rhat"], 3),
                        "MALA acc.": round(r["mala_acceptance"], 3),
                    }
                    for r in cal["rows"]
                ],
            )
        )
    if m.get("activations"):
        tabs.append(
            Table(
                "activations",
                "ReLU vs GELU students (2 → hidden → 1) of a smaller teacher, trained to a minimum: λ̂ at three step "
                "sizes (ε·nβ × 0.3, 1, 3), R-hat and MALA acceptance at the default. No exact λ is known here.",
                [
                    {
                        "activation": r["activation"],
                        "seed": r["seed"],
                        "d": r["n_params"],
                        "train loss": round(r["train_loss"], 4),
                        "‖∇L‖": f"{r['grad_norm']:.2g}",
                        "λ̂ (ε×0.3)": f"{r['llc_eps0.3']:.2f} ± {r['llc_se_eps0.3']:.2f}",
                        "λ̂ (ε×1)": f"{r['llc_eps1']:.2f} ± {r['llc_se_eps1']:.2f}",
                        "λ̂ (ε×3)": f"{r['llc_eps3']:.2f} ± {r['llc_se_eps3']:.2f}",
                        "R-hat": round(r["rhat"], 3),
                        "MALA acc.": round(r["mala_acceptance"], 3),
                    }
                    for r in m["activations"]
                ],
            )
        )
    if m.get("tms"):
        t = m["tms"]
        tabs.append(
            Table(
                "kgons",
                f"The k-gons of the toy model of superposition (n = {t['n']}): exact population loss, Hessian rank, "
                "λ = rank/2 where the k-gon is minimally singular, the finite-temperature Gaussian target, and λ̂.",
                [
                    {
                        "k-gon": r["k"],
                        "radius": round(r["radius"], 4),
                        "bias": round(r["bias"], 4),
                        "population loss": round(r["population_loss"], 5),
                        "Hessian rank": r["hessian_rank"],
                        "null-direction growth δ^p": round(r["null_growth_exponent"], 2),
                        "λ = rank/2": r["lambda"] if r["null_growth_exponent"] >= 3.0 else "n/a (kink)",
                        "Gaussian target": round(r["laplace_target"], 3),
                        "λ̂": f"{r['llc']:.2f} ± {r['llc_se']:.2f}",
                        "ε·nβ": round(r["epsilon"] * r["nbeta"], 3),
                        "R-hat": round(r["rhat"], 3),
                        "MALA acc.": round(r["mala_acceptance"], 3),
                    }
                    for r in sorted(t["kgons"], key=lambda r: r["k"])
                ],
            )
        )
        tabs.append(
            Table(
                "bayesian-transitions",
                "Where the free energy n·L + λ·log n of consecutive k-gons cross: below n_c the Bayesian posterior "
                "prefers the higher-loss, lower-λ k-gon (with exact λ, and with λ̂).",
                [
                    {
                        "from": f"{b['from']}-gon",
                        "to": f"{b['to']}-gon",
                        "loss gap": round(b["loss_gap"], 5),
                        "n_c (exact λ)": round(b["n_c_exact"]) if b["n_c_exact"] else "none",
                        "n_c (λ̂)": round(b["n_c_estimated"]) if b["n_c_estimated"] else "none",
                    }
                    for b in t["bayesian"]
                ],
            )
        )
        tabs.append(
            Table(
                "sgd-transitions",
                "Every stage transition along the SGD runs (the number of represented features changes): loss and λ̂ "
                "at the checkpoints on either side.",
                [
                    {
                        "run": tr["seed"],
                        "step": tr["step"],
                        "features": f"{tr['k_before']} → {tr['k_after']}",
                        "loss": f"{tr['loss_before']:.4f} → {tr['loss_after']:.4f}",
                        "λ̂": f"{tr['llc_before']:.2f} → {tr['llc_after']:.2f} (± {tr['se']:.2f})",
                    }
                    for tr in t["trajectory"]["transitions"]
                ],
                collapsed=True,
            )
        )
    return tabs
