"""The plain-language brief of the superposition study."""

from __future__ import annotations

from typing import TYPE_CHECKING

from skeptic.core.study import Brief

if TYPE_CHECKING:
    from skeptic.core.runner import RunResult


def found(result: RunResult) -> str:
    m = result.measurements
    v = {c["id"]: c["verdict"] for c in result.claims}
    meas = {c["id"]: c["measured"] for c in result.claims}

    def pct(cid: str) -> str:
        est = next(c["estimates"] for c in result.claims if c["id"] == cid)
        return f"{est[0]['value']:.0%}" if est else "n/a"

    cfg = m["config"]
    sweep = [r for r in m["sae"] if r["experiment"] == "sweep" and r["ratio"] == 1.0]
    best = max(sweep, key=lambda r: r["mmcs"]) if sweep else None
    on = [p for p in m["plateau_points"] if p["plateau"] is not None]
    plateaus = ", ".join(f"{f:g}" for f in sorted({p["plateau"] for p in on}, reverse=True)) or "none"
    failed = [p["id"] for p in result.probes if not p["passed"]]
    lines = [
        f"Toy models: with {cfg['pc_n']} features and {cfg['pc_m']} dimensions, dense inputs kept exactly the top "
        f"{cfg['pc_m']} features in {pct('pc-dense-stores-top-m')} of seeds ({v['pc-dense-stores-top-m']}); the "
        f"sparsest inputs stored all {cfg['pc_n']} in {pct('pc-sparse-stores-all')} ({v['pc-sparse-stores-all']}). "
        f"The linear model kept only the top {cfg['pc_m']} in {pct('linear-never-superposes')} of its runs "
        f"({v['linear-never-superposes']}).",
        f"Two features in one dimension: dense inputs stored only the more important feature in "
        f"{pct('pd-dense-one-feature')} of models ({v['pd-dense-one-feature']}); sparse inputs of similar importance "
        f"were stored as an opposite-sign pair in {pct('pd-sparse-antipodal')} of trained models "
        f"({v['pd-sparse-antipodal']}) and in {pct('pd-sparse-antipodal-best-seed')} of the lowest-loss ones "
        f"({v['pd-sparse-antipodal-best-seed']})"
        + (
            ": some seeds stall before finding the better arrangement."
            if pct("pd-sparse-antipodal") != pct("pd-sparse-antipodal-best-seed")
            else "."
        ),
        f"'Sticky' dimensions per feature: {len(on)} of {len(m['plateau_points'])} (sparsity, seed) points sat on "
        f"a plateau "
        f"(at {plateaus}); relative to chance {meas['dims-per-feature-sticks-model']} for the whole model "
        f"({v['dims-per-feature-sticks-model']}) and {meas['dims-per-feature-sticks-features']} for single features "
        f"({v['dims-per-feature-sticks-features']}).",
        f"Sparse autoencoders on {cfg['sae_features']} known features in {cfg['sae_d']} dimensions: worst "
        f"best-penalty MMCS at dictionary sizes ≥ {cfg['sae_features']} was {meas['sae-recovers-mmcs']} "
        f"({v['sae-recovers-mmcs']}); one-to-one matched {meas['sae-recovers-matched']} ({v['sae-recovers-matched']}). "
        f"Too-small dictionaries lost {meas['sae-small-merges']} MMCS ({v['sae-small-merges']}); too-large ones "
        f"duplicated features ({meas['sae-large-splits']}, {v['sae-large-splits']}); denser features: "
        f"{v['sae-denser-recovers-less']}; toy-model activations: MMCS {meas['sae-recovers-toy-features']} "
        f"({v['sae-recovers-toy-features']}).",
    ]
    if best is not None:
        lines.append(
            f"The best size-{cfg['sae_features']} SAE reached MMCS {best['mmcs']:.3f} with L0 {best['l0']:.2f}, "
            f"{best['dead']} dead latents and explained variance {best['ev']:.3f}."
        )
    if failed:
        lines.append(f"Probes failed ({', '.join(failed)}), so none of these verdicts is trusted.")
    return " ".join(lines)


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
        "features when the dictionary is large enough and the sparsity penalty is right."
    ),
    ran=(
        "We trained the paper's toy models from scratch (5 features in 2 dimensions over sparsity; 2 features in 1 "
        "dimension over relative importance and sparsity; many equally important features for dimensions per "
        "feature), ReLU and linear, several seeds each, every sweep trained as one batched computation. We then "
        "trained sparse autoencoders on synthetic data whose true features we chose, sweeping dictionary size, "
        "sparsity penalty and how many features are active at once, plus a top-k variant and SAEs on the toy "
        "models' own hidden activations, and scored recovery with mean max cosine similarity, a one-to-one "
        "(Hungarian) matching, L0, dead latents and explained variance (all tested on hand-computed cases)."
    ),
    not_shown=(
        "These are laptop-scale toys with independent, uniformly distributed features; real models' features are "
        "neither known, independent, nor this sparse, so good recovery here does not show that SAEs on a language "
        "model find its 'true' features, only that the method can work when the assumptions hold. Thresholds for "
        "'stored', 'sticks' and 'recovered' are Skeptic's, fixed before running. Correlated features, SAE training "
        "tricks (resampling dead latents, other sparsity penalties) and the paper's larger scales are not covered "
        "here, and the toy models use a faster learning-rate schedule than the paper."
    ),
    found=found,
)
