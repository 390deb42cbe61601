"""Figures and tables of the glitch-tokens study, drawn from its measurements."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from skeptic.study import Figure, Table

INDICATOR_LABELS = {
    "unembedding_cosine": "unembedding cosine (L&B)",
    "input_norm": "input-embedding norm (L&B, untied)",
    "centroid_distance": "distance to centroid (R&W)",
}


def make_figures(m: dict[str, Any]) -> list[Figure]:
    figs: list[Figure] = []
    models = m["models"]
    names = list(dict.fromkeys(mm["variant"] for mm in models))
    first = {n: next(k for k, mm in enumerate(models) if mm["variant"] == n) for n in names}

    # 1. verification probability against training count (the headline)
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3.4), sharey=True)
    axes = np.atleast_1d(axes)
    rng = np.random.default_rng(0)
    for ax, name in zip(axes, names, strict=True):
        k = first[name]
        toks = m["tokens"]
        x = np.array([t["occurrences"] for t in toks], float)
        y = np.array([max(t["max_prob"][k], 1e-9) for t in toks])
        jitter = np.exp(rng.normal(0, 0.08, x.size))
        planted = np.array([t["planted"] is not None for t in toks])
        ax.scatter((x + 1) * jitter, y, s=6, c="0.5", alpha=0.5, label="other tokens")
        ax.scatter((x[planted] + 1) * jitter[planted], y[planted], s=14, c="C3", label="planted words")
        ax.axvline(m["rare_max"] + 1.5, color="0.7", lw=0.8, ls=":")
        ax.axhline(m["threshold"], color="k", ls="--", lw=1, label="1% threshold (L&B)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.minorticks_off()  # decade ticks suffice; ~60 minor ticks per panel cost most of this figure's drawing time
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("occurrences in the training text + 1 (log)")
    axes[0].set_ylabel("max probability of repeating the token")
    axes[0].legend(fontsize=6, loc="lower right")
    fig.subplots_adjust(wspace=0.08)  # outer margins: the store saves with bbox_inches='tight'
    figs.append(
        Figure(
            "repetition-vs-count",
            "Each dot is one token: how often it occurs in the model's training text (x, log; each occurrence is fed "
            "3·epochs times) against the highest probability the model gives the token when asked to repeat it (y, "
            "log). Tokens never seen (left edge) sit below the dashed 1% line: the model cannot say them. Left of the "
            "dotted line are the rarely seen tokens (1 to rare_max occurrences); red dots are planted words with known "
            "counts 0, 1, 3, 10, 30. The climb from left to right is under-training fading with exposure.",
            fig,
        )
    )

    # 2. indicator AUROC by variant
    keys = [k for k in INDICATOR_LABELS if k in models[0]["auroc"]["never"]]
    fig, axes2 = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True)
    width = 0.8 / len(keys)
    for ax, group, label in zip(axes2, ("never", "rare"), ("never seen", "seen 1 to rare_max times"), strict=True):
        for j, key in enumerate(keys):
            recs = [[mm["auroc"][group][key] for mm in models if mm["variant"] == n] for n in names]
            vals = [float(np.mean([r["auroc"] for r in rr])) for rr in recs]
            errs = [1.96 * float(np.mean([r["se"] for r in rr])) for rr in recs]
            ax.bar(np.arange(len(names)) + j * width, vals, width, yerr=errs, capsize=2, label=INDICATOR_LABELS[key])
        ax.axhline(0.9, color="k", ls="--", lw=1, label="0.9 (Skeptic's bar)")
        ax.axhline(0.5, color="0.6", ls=":", lw=1, label="0.5 (chance)")
        ax.set_xticks(np.arange(len(names)) + 0.4 - width / 2, names, fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_title(f"tokens {label} vs frequent", fontsize=9)
    axes2[0].set_ylabel("AUROC")
    axes2[0].legend(fontsize=6, loc="lower left")
    figs.append(
        Figure(
            "indicator-auroc",
            "How well each weight-based indicator ranks tokens the model never saw (left) or saw only a few times "
            "(right) below tokens it saw often (AUROC, 1 = perfect, 0.5 = chance, below 0.5 = backwards), for each "
            "kind of model; bars are 95% intervals over tokens. Look for indicators that work in one kind of model "
            "and fail or reverse in another, and for the drop from never-seen to rarely seen tokens.",
            fig,
        )
    )

    # 3. where unused rows go: shared displacement
    fig, ax = plt.subplots(figsize=(6, 3.2))
    x = np.arange(len(names))
    for j, (key, label) in enumerate(
        [("shared_readout_unused", "readout rows, never fed"), ("shared_readout_trained", "readout rows, frequent")]
    ):
        vals = [float(np.mean([mm[key] for mm in models if mm["variant"] == n])) for n in names]
        ax.bar(x + j * 0.4, vals, 0.4, label=label)
    ax.axhline(0.5, color="k", ls="--", lw=1, label="0.5 (Skeptic's line)")
    ax.set_xticks(x + 0.2, names, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("shared fraction of displacement")
    ax.legend(fontsize=7)
    figs.append(
        Figure(
            "shared-direction",
            "How much of the change in each readout row during training is one vector common to the group "
            "(1 = every row moved by the same vector, ≈ 0 = independent moves). Rows of tokens the model never saw "
            "all drift together (they are pushed down as one), frequent tokens' rows move independently.",
            fig,
        )
    )

    # 4. the graft experiment (Kosoy's account)
    rates = m.get("graft", {}).get("rates", {})
    if rates:
        fig, ax = plt.subplots(figsize=(5, 3.2))
        order = ["none", "input", "output", "both"]
        labels = ["as trained", "input row", "readout row", "both rows"]
        ax.bar(range(len(order)), [rates[k] for k in order], color=["0.6", "C0", "C1", "C2"])
        ax.set_xticks(range(len(order)), labels, fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("share repeated (max prob ≥ 1%)")
        figs.append(
            Figure(
                "graft",
                "Never-seen tokens in the untied models, repeated by the model as trained, and after a short training "
                "of only their input rows, only their readout rows, or both (every other weight fixed). If random "
                "input features were the whole story (Kosoy), the input row alone would restore most of what both "
                "rows restore; a readout row that must be trained too is the output suppression of Land & Bartolo "
                "§2.2.",
                fig,
            )
        )

    # 5. training loss
    fig, ax = plt.subplots(figsize=(5, 3.2))
    losses = np.array(m["losses"])
    for k, mm in enumerate(models):
        ax.plot(np.linspace(0, 1, losses.shape[0]), losses[:, k], label=mm["variant"], lw=1)
    ax.axhline(m["unigram_entropy"], color="k", ls=":", lw=1, label="unigram entropy")
    ax.set_xlabel("fraction of training")
    ax.set_ylabel("training loss (nats/token)")
    ax.legend(fontsize=7)
    figs.append(
        Figure(
            "training-loss",
            "Training loss of every model (each sequence ends with a copy of its text in which every token is said "
            "twice, so the loss falls well below the unigram entropy once the models learn to repeat). All variants "
            "should train comparably.",
            fig,
        )
    )
    return figs


def make_tables(m: dict[str, Any]) -> list[Table]:
    tables = []
    rows = []
    for mm in m["models"]:
        row: dict[str, Any] = {"variant": mm["variant"], "seed": mm["seed"], "main indicator": mm["main_indicator"]}
        for group in ("never", "rare"):
            for key, rec in mm["auroc"][group].items():
                row[f"AUROC {key} ({group})"] = f"{rec['auroc']:.3f} ± {1.96 * rec['se']:.3f}"
        row["shared (never fed)"] = f"{mm['shared_readout_unused']:.2f}"
        row["input rows moved, never fed / frequent"] = (
            f"{mm['moved_input_unused']:.2f} / {mm['moved_input_trained']:.2f}"
        )
        row["final loss"] = f"{mm['final_loss']:.3f}"
        rows.append(row)
    tables.append(
        Table(
            "models",
            "Every trained model: indicator AUROCs (± 95%), how far rows moved (relative to "
            "their initial norm) and the final loss.",
            rows,
        )
    )
    planted = [
        {"word": p["word"], "token id": p["token"], "planted in training text": p["planted"], "recounted": p["recount"]}
        for p in m["planted"]
    ]
    tables.append(
        Table(
            "planted-words",
            "The planted pseudo-words: frequent in the tokenizer's corpus, planted a "
            "known number of times in the model's training text.",
            planted,
            collapsed=True,
        )
    )
    by_id = {t["id"]: t for t in m["tokens"]}
    cand = []
    for k, mm in enumerate(m["models"]):
        for c in mm["candidates"][:10]:
            t = by_id.get(c)
            if t is not None:
                cand.append(
                    {
                        "variant": mm["variant"],
                        "token": t["token"],
                        "id": c,
                        "occurrences": t["occurrences"],
                        "max repetition prob": f"{t['max_prob'][k]:.2e}",
                        "verified": t["max_prob"][k] < m["threshold"],
                    }
                )
    tables.append(
        Table(
            "top-candidates",
            "Each model's ten most suspicious tokens by its main indicator, with what verification by prompting found.",
            cand,
            collapsed=True,
        )
    )
    if m.get("external_scan"):
        tables.append(
            Table(
                "external-scan",
                f"Top candidates in the scanned checkpoint {m['external_scan']['path']} "
                f"(main indicator {m['external_scan']['main_indicator']}).",
                m["external_scan"]["top"],
            )
        )
    return tables
