"""The plain-language brief of the superposition study."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from skeptic.study import Brief

if TYPE_CHECKING:
    from skeptic.study import RunResult


def _verdicts(result: RunResult) -> dict[str, str]:
    return {c["id"]: str(c["verdict"]).replace("_", " ") for c in result.claims}


def _n_of(rows: list[Any], ok: Callable[[Any], bool]) -> str:
    return f"{sum(1 for r in rows if ok(r))} of {len(rows)}"


def _sae_best(m: dict[str, Any], experiment: str, ratio: float = 1.0) -> float | None:
    cells: dict[float, list[float]] = {}
    for r in m["sae"]:
        if r["experiment"] == experiment and r["ratio"] == ratio:
            cells.setdefault(r["l1"], []).append(r["mmcs"])
    return max((sum(v) / len(v) for v in cells.values()), default=None)


def found(result: RunResult) -> str:
    """What the run found, in prose written from its measurements (no claim ids)."""
    m = result.measurements
    v = _verdicts(result)
    cfg = result.config
    n, k = cfg["pc_n"], cfg["pc_m"]
    relu = [r for r in m["phase_change"] if r["activation"] == "relu"]
    dense = [r for r in relu if r["density"] == max(x["density"] for x in relu)]
    sparse = [r for r in relu if r["density"] == min(x["density"] for x in relu)]
    linear = [r for r in m["phase_change"] if r["activation"] == "linear"]
    top = list(range(k))
    parts = [
        f"Toy models ({n} features, {k} dimensions): dense inputs kept exactly the {k} most important features in "
        f"{_n_of(dense, lambda r: r['represented'] == top)} seeds, and the model without a ReLU never stored more than "
        f"the top {k} ({_n_of(linear, lambda r: r['represented'] == top)} runs), as the paper says. At the sparsest "
        f"setting all {n} features were stored in only {_n_of(sparse, lambda r: len(r['represented']) == n)} seeds "
        f"({v.get('pc-sparse-stores-all', 'n/a')})"
        + ("; the others settled for fewer." if any(len(r["represented"]) < n for r in sparse) else "."),
    ]
    pd = m["phase_diagram"]
    sp = min(r["density"] for r in pd)
    cell = [r for r in pd if r["density"] == sp and 0.5 <= r["ratio"] <= 2.0]
    parts.append(
        f"Two features in one dimension: sparse features of similar importance were stored as an opposite-sign pair "
        f"in {_n_of(cell, lambda r: r['region'] == 'superposition')} trained models and in "
        f"{_n_of([r for r in cell if r['best_of_seeds']], lambda r: r['region'] == 'superposition')} of the "
        f"lowest-loss ones ({v.get('pd-sparse-antipodal-best-seed', 'n/a')}; the share of every trained model is a "
        "described measurement, not a claim: local minima decide it); dense features kept only the more important one "
        f"({v.get('pd-dense-one-feature', 'n/a')})."
    )
    imp = m.get("importance_sweep", [])
    if imp:
        decays = sorted({r["decay"] for r in imp}, reverse=True)

        def stored(d: float) -> float:
            rows = [len(r["represented"]) for r in imp if r["decay"] == d]
            return sum(rows) / len(rows)

        parts.append(
            f"As importance falls off faster (each feature worth {decays[0]:g}x to {decays[-1]:g}x the previous), the "
            f"sparse model stored on average {stored(decays[0]):.1f} then {stored(decays[-1]):.1f} features "
            f"({v.get('importance-fewer-stored', 'n/a')}: the claim reads the paired difference in stored features, "
            "at least half a feature)."
        )
    corr = m.get("correlated", [])
    if corr:
        c_rows = [r for r in corr if r["structure"] == "correlated"]
        a_rows = [r for r in corr if r["structure"] == "anticorrelated"]
        best = min(a_rows, key=lambda r: r["loss"])
        parts.append(
            f"Correlated features (a pair always active together) were stored at right angles in "
            f"{_n_of(c_rows, lambda r: max(abs(c) for c in r['pair_cos']) < 0.1)} restarts "
            f"({v.get('correlated-features-orthogonal', 'n/a')}). Anticorrelated pairs (never active together) were "
            f"stored opposite each other in {_n_of(a_rows, lambda r: max(r['pair_cos']) < -0.9)} restarts "
            "(a described measurement, not a claim: local minima decide it); the lowest-loss restart "
            f"{'was' if max(best['pair_cos']) < -0.9 else 'was not'} antipodal "
            f"({v.get('anticorrelated-antipodal-best-restart', 'n/a')}), so the paper's arrangement is the "
            "better one but training often misses it."
        )
    kg = m.get("kgon")
    if kg:
        runs = kg["runs"]
        ks = sorted({r["k"] for r in runs})
        counts = ", ".join(f"{sum(r['k'] == kk for r in runs)} at k = {kk}" for kk in ks)
        parts.append(
            f"With one of {cfg.get('kgon_n', '')} features active at a time in 2 dimensions, Adam restarts ended "
            f"({counts}) at regular polygons whose loss matches Chen et al.'s k-gon critical points "
            f"({v.get('kgon-sgd-endpoints', 'n/a')}); the {max(c['k'] for c in kg['critical'])}-gon has the lowest "
            "loss, so restarts that stop at fewer sides are stuck at a worse critical point."
        )
    on = [p for p in m["plateau_points"] if p["plateau"] is not None]
    sticky = v.get("dims-per-feature-sticks-model", "n/a")
    how = {"replicated": "clearly more often than chance", "not replicated": "no more often than chance"}
    parts.append(
        f"Dimensions per feature sat on one of the 'sticky' fractions at {len(on)} of {len(m['plateau_points'])} "
        f"sparsity points, {how.get(sticky, 'not clearly more often than chance')} ({sticky}) at this scale "
        f"({cfg['dim_n']} features in {cfg['dim_m']} dimensions)."
    )
    g = cfg["sae_features"]
    best_g, best_corr = _sae_best(m, "sweep"), _sae_best(m, "corr")
    sweep = [r for r in m["sae"] if r["experiment"] == "sweep" and r["ratio"] == 1.0]
    chance = [r.get("mmcs_chance_exact", r["mmcs_chance"]) for r in sweep if "mmcs_chance" in r]
    chance_text = f" (an untrained random dictionary of that size: {sum(chance) / len(chance):.2f})" if chance else ""
    merge_why = (
        "; in few dimensions half a dictionary of merged atoms covers the features it leaves out nearly as well as "
        "random directions do, so this measure cannot show merging above chance there"
        if v.get("sae-small-merges", "n/a") not in ("replicated", "n/a")
        else ""
    )
    if best_g is not None:
        text = (
            f"Sparse autoencoders on {g} known features in {cfg['sae_d']} dimensions reached a mean best cosine of "
            f"{best_g:.2f}{chance_text} with a {g}-latent dictionary at the best penalty "
            f"({v.get('sae-recovers-mmcs', 'n/a')} "
            f"against Skeptic's 0.9 bar; one-to-one matching: {v.get('sae-recovers-matched', 'n/a')}); a dictionary "
            f"half that size scored lower by more than random dictionaries of the two sizes do "
            f"({v.get('sae-small-merges', 'n/a')}{merge_why}); larger ones duplicated some "
            f"({v.get('sae-large-splits', 'n/a')}); denser features: {v.get('sae-denser-recovers-less', 'n/a')}."
        )
        if best_corr is not None:
            text += (
                f" With correlated activations the best cosine was {best_corr:.2f} "
                f"({v.get('sae-recovers-correlated', 'n/a')})."
            )
        top_row = max(sweep, key=lambda r: r["mmcs"])
        text += (
            f" The best {g}-latent SAE had {top_row['l0']:.2f} active latents per input, {top_row['dead']} dead "
            f"latents and explained {top_row['ev']:.1%} of the variance."
        )
        parts.append(text)
    failed = [p for p in result.probes if not p["passed"]]
    if failed:
        what = "; ".join(str(p["description"]).split(":")[0].rstrip(".") for p in failed)
        parts.append(f"Some of the study's own controls failed ({what}), so none of these verdicts is trusted.")
    return " ".join(parts)


def answer(result: RunResult) -> str:
    """The index card's one or two sentences."""
    m = result.measurements
    cfg = result.config
    n, k = cfg["pc_n"], cfg["pc_m"]
    sparse_min = min(r["density"] for r in m["phase_change"])
    relu = [r for r in m["phase_change"] if r["activation"] == "relu"]
    stored = [len(r["represented"]) for r in relu if r["density"] == sparse_min]
    best_g = _sae_best(m, "sweep")
    sae_text = (
        f"sparse autoencoders recovered features we planted with a mean best cosine of {best_g:.2f} (1 is perfect), "
        f"{'good but not exact' if best_g >= 0.9 else 'short of the 0.9 we count as recovered'}, and only with a "
        "large enough dictionary and the right penalty"
        if best_g is not None
        else "the sparse-autoencoder part did not run"
    )
    return (
        f"Yes in the toy models: with rare (sparse) features a small network stored up to {max(stored)} features in "
        f"{k} dimensions (of {n}), and never more than {k} without its nonlinearity; {sae_text}. Whether this carries "
        "over to real models, whose features are unknown, is not shown here."
    )


BRIEF = Brief(
    claimed=(
        "Elhage et al. (2022) showed with tiny 'toy' networks that a network can store more features (things it "
        "detects) than it has neurons or dimensions, by giving features overlapping directions: superposition. It "
        "only pays off when features are rarely active (sparse), switches on abruptly as sparsity grows (a phase "
        "change), arranges features in regular shapes (pairs, triangles, pentagons) whose 'dimensions per feature' "
        "sit at fractions such as 1/2 and 2/5, and never happens in a purely linear network. Superposition is why "
        "single neurons in real models respond to several unrelated things and are hard to read. Sharkey et al. "
        "(2022) and Bricken et al. (2023) proposed sparse autoencoders (SAEs) - a wider 'dictionary' trained to "
        "explain activations with few active parts - to pull the features back out, and found they recover known "
        "features when the dictionary is large enough and the sparsity penalty is right. Elhage et al. add that "
        "features that fire together are stored at right angles and features that never do are stored opposite "
        "each other; Chen et al. (2023) showed that the regular polygons ('k-gons') are the critical points where "
        "training comes to rest."
    ),
    ran=(
        "We trained the paper's toy models from scratch (5 features in 2 dimensions over sparsity; 2 features in 1 "
        "dimension over relative importance and sparsity; 5 features over how fast importance falls off; many equally "
        "important features for dimensions per feature; pairs of features that always or never fire together; and "
        "Chen et al.'s 6 features in 2 dimensions with one active at a time, whose exact loss we computed in closed "
        "form for every regular polygon), ReLU and linear, several seeds each, every sweep trained as one batched "
        "computation. We then "
        "trained sparse autoencoders on synthetic data whose true features we chose, sweeping dictionary size, "
        "sparsity penalty and how many features are active at once, plus correlated activations, a top-k variant and "
        "SAEs on the toy "
        "models' own hidden activations, and scored recovery with mean max cosine similarity, a one-to-one "
        "(Hungarian) matching, L0, dead latents and explained variance (all tested on hand-computed cases)."
    ),
    not_shown=(
        "These are laptop-scale toys with independent, uniformly distributed features; real models' features are "
        "neither known, independent, nor this sparse, so good recovery here does not show that SAEs on a language "
        "model find its 'true' features, only that the method can work when the assumptions hold. Thresholds for "
        "'stored', 'sticks' and 'recovered' are Skeptic's, fixed before running. Correlated features are tested only "
        "in their simplest forms (pairs that always or never fire together; block-correlated on/off gates for the "
        "SAEs). Our SAEs are plain ReLU SAEs with an L1 penalty and a simple dead-latent resampling (plus one top-k "
        "variant): SAELens, the common library, trains with ghost gradients, a dead-feature window, an L1 warm-up, "
        "activation normalization and JumpReLU or top-k variants, none of which we use; Sharkey et al. used 256 "
        "dimensions, 512 features and feature frequencies that decay across features, where ours are 8 dimensions "
        "(quick) and 16 features that all fire equally often, and in 8 dimensions even an untrained random "
        "dictionary scores 0.5-0.68 on the cosine measure (exactly: 0.498, 0.600 and 0.679 for 8, 16 and 32 atoms), so "
        "every SAE score is shown beside that chance level, and the dictionary-size claims subtract it. "
        "The toy models use Adam with a faster learning-rate schedule than the papers (Chen et al. trained with "
        "SGD); with the paper notebook's slower recipe (the larger budget) the sparsest ReLU models reach the "
        "pentagon more often. The every-restart and lowest-loss-restart verdicts on anticorrelated pairs (and on the "
        "n = 2 phase diagram) are one fact seen twice: training sometimes stops in a local minimum that the "
        "lowest-loss restart avoids, so they are not independent evidence."
    ),
    found=found,
    answer=answer,
    headline_figure="phase-change",
)
