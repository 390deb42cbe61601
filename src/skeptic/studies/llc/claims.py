"""Claims and probes of the llc study; each reads only the run's stored measurements.

Thresholds are Skeptic's own, fixed before the validation table was first run (the sources give no numbers):

* accuracy: every model of a family within ±20% of its exact λ (``REL_TOL``);
* ordering: Spearman rank correlation of λ̂ with λ over the whole table ≥ 0.9 (``RANK_MIN``);
* degeneracy: every singular model's λ̂ ≤ 0.75 × d/2 (``DEGENERACY_MAX``; the exact ratios are 0.16–0.53);
* rescaling: λ̂ changes by at most 20% of λ under a layer rescaling (``RESCALE_TOL``);
* k-gons: λ̂ within 20% of λ = rank(H)/2 at the minimally singular k-gons ``KNOWN_KGONS`` (declared before the first
  run: the 5- and 6-gon; the 4-gon's optimal bias is 0, on a ReLU kink, so rank/2 is not its λ); their ordering (λ̂
  rises from each k-gon to the next lower-loss one) is a described measurement since session 16, not a claim: see
  ``DESCRIBED``;
* SGD transitions: the share of stage transitions that raise λ̂ (a claim with the line 75% until session 17, now a
  described measurement: see ``DESCRIBED``);
* LLC over training: the stages read from the loss explain more of λ̂'s variation than random stage boundaries (a
  described measurement since session 15, not a claim: see ``DESCRIBED``);
* ReLU twin: λ̂ within 20% of λ = (d − H)/2; ReLU vs GELU: λ̂(GELU) − λ̂(ReLU) ≥ ½ of the exact gap H/2 at every
  step size in ε × 0.3…3, and only where an exact sampler at the twins' n and γ would show that much and each arm
  reaches its exact sampler's target (otherwise the design cannot decide) (``GAP_MIN``; a described measurement
  since session 15, not a claim: see ``DESCRIBED``).

What would make each new claim fail, written before the first run: ``relu-known-lambda`` fails if the estimator
treats the ReLU twin's kinks or its flat rescaling orbit badly (λ̂ off λ = 5 by over 20%; the localization contrast
γ = 1000 produces exactly that); ``relu-gelu-gap`` fails if the GELU twin's λ̂ is not clearly above the ReLU twin's,
as it is when both twins are GELU (the contrast ``twin_acts=gelu-gelu``).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from scipy import stats

from skeptic.study import (
    AtLeast,
    AtMost,
    Claim,
    Contrast,
    Estimate,
    Measurements,
    Probe,
    ProbeOutcome,
    Quote,
    wilson_interval,
)

REL_TOL = 0.2
RANK_MIN = 0.9
DEGENERACY_MAX = 0.75
RESCALE_TOL = 0.2
KNOWN_KGONS = (5, 6)
Z = 4.0
"""Probes compare an estimate with an exact target within Z standard errors plus a small relative slack."""
RHAT_MAX = 1.2
"""Gelman & Rubin's (1992) classic threshold for 'chains have not converged'."""


def _rows(m: Measurements, family: str | None = None) -> list[dict[str, Any]]:
    return [r for r in m["table"] if family is None or r["family"] == family]


def worst_rel_error(family: str) -> Any:
    def measure(m: Measurements) -> Estimate:
        rows = _rows(m, family)
        if not rows:
            raise ValueError(f"no {family} model in this table")
        worst = max(rows, key=lambda r: abs(r["rel_error"]))
        v = abs(worst["rel_error"])
        se = worst["llc_se"] / worst["exact"]
        return Estimate.from_se(v, se, method=f"|λ̂/λ − 1| of the worst model ({worst['name']}), ±1.96 SE", floor=0.0)

    return measure


def _spearman_rows(x: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Spearman ρ of x with each row of ys (average ranks for ties, as scipy), vectorized over rows."""
    rx = stats.rankdata(x)
    ry = stats.rankdata(ys, axis=1)
    rx, ry = rx - rx.mean(), ry - ry.mean(axis=1, keepdims=True)
    return np.asarray((ry @ rx) / np.sqrt((ry**2).sum(1) * (rx**2).sum()))


def rank_correlation(m: Measurements) -> Estimate:
    """Spearman ρ of λ̂ vs λ over all rows; interval from 2000 parametric redraws λ̂_i ~ N(λ̂_i, SE_i²)."""
    rows = _rows(m)
    lam = np.array([r["exact"] for r in rows])
    est = np.array([r["llc"] for r in rows])
    se = np.nan_to_num(np.array([r["llc_se"] for r in rows]), nan=0.0)
    rho = float(stats.spearmanr(lam, est).statistic)
    rng = np.random.default_rng(0)
    redraws = est + se * rng.standard_normal((2000, len(est)))
    # the vectorized ρ must reproduce scipy's on the estimates themselves (row 0), or its interval means nothing
    every = _spearman_rows(lam, np.vstack([est, redraws]))
    if not math.isclose(float(every[0]), rho, rel_tol=1e-9, abs_tol=1e-12):
        raise ValueError(f"the vectorized Spearman ρ {every[0]:.6g} disagrees with scipy's {rho:.6g}")
    draws = every[1:]
    lo, hi = np.quantile(draws, [0.025, 0.975])
    return Estimate(rho, min(float(lo), rho), max(float(hi), rho), "95% interval over redraws of λ̂ within its SE")


def degeneracy_ratio(m: Measurements) -> Estimate:
    rows = [r for r in _rows(m) if r["family"] in ("reduced-rank regression", "deep linear network")]
    worst = max(rows, key=lambda r: r["llc"] / r["half_d"])
    v = worst["llc"] / worst["half_d"]
    se = worst["llc_se"] / worst["half_d"]
    return Estimate.from_se(v, se, method=f"λ̂/(d/2) of the least degenerate-looking model ({worst['name']}), ±1.96 SE")


def rescale_change(m: Measurements) -> Estimate:
    r = m["rescaling"]
    v = abs(r["llc_rescaled"] - r["llc"]) / r["exact"]
    se = math.hypot(r["llc_se"], r["llc_rescaled_se"]) / r["exact"]
    return Estimate.from_se(v, se, method="|Δλ̂|/λ, ±1.96 combined SE", floor=0.0)


_ACC = "Furman & Lau 2024 (arXiv 2402.03698), abstract: 'the LLC may be measured accurately and self-consistently'"
_ACC_QUOTE = Quote(
    "we empirically show how the LLC may be measured accurately and self-consistently for deep linear networks (DLNs) "
    "up to 100M parameters",
    "arXiv 2402.03698v2, abstract",
)
# Read from the stored arXiv abstract page of 2308.12108v1 (arxiv.org/abs/2308.12108v1, v1 of 23 Aug 2023), issue
# 28's quote session: the abstract's sentence on ordering. The Introduction's list of contributions (the words "The
# estimated LLC respects ordinality", seen only on the authors' summary page) could not be retrieved from the paper.
_LAU_LIST = Quote(
    "Importantly, the local learning coefficient can correctly recover the ordering of degeneracy between various "
    "parameter regions of interest.",
    "arXiv 2308.12108v1, abstract",
)
_LOCALIZATION = Contrast(
    "localization-dominates",
    {"gamma": 1000.0},
    "not_replicated",
    "a localization γ = 1000 holds every chain near w*, so the estimate reads the prior's width, not the geometry",
)
_MINIBATCH_NOISE = Contrast(
    "minibatch-noise",
    {"batch_size": 10},
    "not_replicated",
    "minibatches of 10 at nβ = n/log n add gradient noise the tempered posterior does not have, which heats the "
    "chains on the noisy regular model (issue 33: +47% at paper with B = 256; test seed 0: +56%)",
)
_DEVINTERP_TEMPERATURE = Contrast(
    "devinterp-temperature",
    {"nbeta_rule": "batch", "batch_size": 50},
    "not_replicated",
    "devinterp's default nβ = B/log B (12.8 at B = 50) beside the study's γ = 10 lets the localization outweigh the "
    "likelihood (nβh ≈ γ), so even an exact chain reads about 0.6 of d/2 (test seed 0: −37%)",
)
"""The setup choices that decide ``accurate-regular`` (issue 33): the minibatch at nβ = n/log n (also a budget knob:
the larger budget runs full batch) and the temperature rule nβ = n/log n (Lau et al.) against devinterp's B/log B."""
_ACC_BAND = (AtMost(0.1), AtMost(0.3))
_ACC_LINE = "the sources give no tolerance; 20% is Skeptic's, a reader could accept 10% to 30%"
_TABLE_CLAIMS = (
    Claim(
        "accurate-regular",
        "On regular models the LLC estimate is within 20% of λ = d/2 for every model (Skeptic's threshold: 0.2, "
        "fixed before running).",
        "Watanabe 2009 (a regular model's learning coefficient is d/2); " + _ACC,
        worst_rel_error("regular"),
        AtMost(REL_TOL),
        own_threshold=_ACC_LINE,
        quote=_ACC_QUOTE,
        contrasts=(_LOCALIZATION, _MINIBATCH_NOISE, _DEVINTERP_TEMPERATURE),
        band=_ACC_BAND,
        confirmed_by="regular-exact",
    ),
    Claim(
        "accurate-normal-crossing",
        "On normal-crossing models the LLC estimate is within 20% of the exact λ = min 1/(2k_i) for every model "
        "(Skeptic's threshold: 0.2, fixed before running).",
        "Lau et al. 2023 (arXiv 2308.12108v1), abstract: 'we demonstrate its accuracy in low-dimensional models with "
        "known theoretical values'; λ of a normal crossing: Watanabe 2009",
        worst_rel_error("normal crossing"),
        AtMost(REL_TOL),
        own_threshold=_ACC_LINE,
        # Read from the stored arXiv abstract page of 2308.12108v1 (arxiv.org/abs/2308.12108v1): the accuracy check on
        # low-dimensional models with known λ, which is what this claim re-runs.
        quote=Quote(
            "To validate our approach, we demonstrate its accuracy in low-dimensional models with known theoretical "
            "values.",
            "arXiv 2308.12108v1, abstract",
        ),
        contrasts=(_LOCALIZATION,),
        band=_ACC_BAND,
        confirmed_by="normal-crossing-quadrature",
    ),
    Claim(
        "accurate-rrr",
        "On reduced-rank regression the LLC estimate is within 20% of Aoyagi & Watanabe's exact λ for every model "
        "(Skeptic's threshold: 0.2, fixed before running).",
        "Aoyagi & Watanabe 2005, Main Theorem (exact λ); " + _ACC,
        worst_rel_error("reduced-rank regression"),
        AtMost(REL_TOL),
        own_threshold=_ACC_LINE,
        quote=_ACC_QUOTE,
        contrasts=(_LOCALIZATION,),
        band=_ACC_BAND,
        confirmed_by="independent-implementation",
    ),
    Claim(
        "accurate-dln",
        "On deep linear networks the LLC estimate is within 20% of Aoyagi's exact λ for every model (Skeptic's "
        "threshold: 0.2, fixed before running).",
        "Aoyagi 2024, Theorem 1 (exact λ); " + _ACC,
        worst_rel_error("deep linear network"),
        AtMost(REL_TOL),
        own_threshold=_ACC_LINE,
        quote=_ACC_QUOTE,
        contrasts=(_LOCALIZATION,),
        band=_ACC_BAND,
        confirmed_by="claims-recomputed",
    ),
    Claim(
        "ordering",
        "The estimates order the models as their exact λ does: Spearman ρ(λ̂, λ) ≥ 0.9 over the table (Skeptic's "
        "threshold: 0.9, fixed before running).",
        "Lau et al. 2023 (arXiv 2308.12108v1), abstract: 'the local learning coefficient can correctly recover the "
        "ordering of degeneracy'",
        rank_correlation,
        AtLeast(RANK_MIN),
        own_threshold="the source says 'correctly recover the ordering' with no number; ρ ≥ 0.9 is Skeptic's "
        "(0.8 to 0.95 acceptable)",
        quote=_LAU_LIST,
        # Session 15 (issue 33): the former contrast γ = 1000 ("the estimate reads tr(H), which does not order
        # models by λ") did not flip on the tiny table, whose tr(H) orders its rows as λ does. This one keeps λ and
        # removes what the estimate needs to see it on two rows: the likelihood's curvature above the localization.
        contrasts=(
            Contrast(
                "regular-rows-unseen",
                {"regular_input_scale": 0.03},
                "not_replicated",
                "the regular rows' inputs × 0.03 leave λ = d/2 but put nβh (≈ 0.1) far below γ = 10, so the "
                "localization sets their λ̂ (exact finite-γ target ≈ 0.04) below the normal crossing's",
            ),
        ),
        band=(AtLeast(0.8), AtLeast(0.95)),
        confirmed_by="claims-recomputed",
    ),
    Claim(
        "degeneracy",
        "The estimate sees degeneracy: every singular model (RRR, DLN) has λ̂ ≤ 0.75·d/2, far below the parameter "
        "count's d/2 (Skeptic's threshold: 0.75, fixed before running).",
        "Lau et al. 2023 (arXiv 2308.12108), abstract of v1: 'degeneracy in DNN cannot be accounted for by simply "
        "counting the number of flat directions'; Watanabe 2009 (λ ≤ d/2)",
        degeneracy_ratio,
        AtMost(DEGENERACY_MAX),
        own_threshold="the source gives no ratio; 0.75 is Skeptic's, 0.6 to 0.9 acceptable (the exact ratios are "
        "0.16–0.53)",
        quote=Quote(
            "Importantly, we will demonstrate that degeneracy in DNN cannot be accounted for by simply counting the "
            'number of "flat" directions.',  # double quotes as on arxiv.org/abs/2308.12108v1 (stored page, issue 28)
            "arXiv 2308.12108v1, abstract",
        ),
        contrasts=(
            Contrast(
                "coarse-steps",
                {"epsilon_rule": "fixed", "epsilon_times_nbeta": 2.0},
                "not_replicated",
                "a step size 20 times the fixed default inflates every estimate past the parameter count's d/2 line",
            ),
        ),
        band=(AtMost(0.6), AtMost(0.9)),
        confirmed_by="claims-recomputed",
    ),
    Claim(
        "rescaling-invariance",
        "The estimate is invariant to rescaling one layer of a deep linear network by c and the next by 1/c: "
        "|Δλ̂| ≤ 0.2·λ (Skeptic's threshold: 0.2, fixed before running).",
        "Furman & Lau 2024 (arXiv 2402.03698), abstract: 'the estimated LLC has the rescaling invariance that holds "
        "for the theoretical quantity'",
        rescale_change,
        AtMost(RESCALE_TOL),
        own_threshold="the source gives no tolerance; 20% of λ is Skeptic's, 10% to 30% acceptable",
        quote=Quote(
            "We also show that the estimated LLC has the rescaling invariance that holds for the theoretical quantity.",
            "arXiv 2402.03698v2, abstract",
        ),
        contrasts=(
            Contrast(
                "fixed-step-rescaled",
                {"epsilon_rule": "fixed", "epsilon_times_nbeta": 0.3, "rescale_factor": 5.0},
                "not_replicated",
                "a fixed step size with a layer rescaled by 5 (curvature ×25) breaks the sampler's invariance",
            ),
        ),
        band=(AtMost(0.1), AtMost(0.3)),
        confirmed_by="rescaled-same-function",
    ),
)
"""The validation-table claims; ``CLAIMS`` adds the toy-model-of-superposition ones."""


# -------------------------------------------------------------------------------- toy model of superposition
_CHEN = "Chen, Lau, Mendel, Wei & Murfet 2023 (arXiv 2310.06301)"


def _kgon_rows(m: Measurements) -> list[dict[str, Any]]:
    if "tms" not in m:
        raise ValueError("the toy model of superposition did not run (tms=false)")
    rows: list[dict[str, Any]] = m["tms"]["kgons"]
    return rows


def kgon_rel_error(m: Measurements) -> Estimate:
    rows = [r for r in _kgon_rows(m) if r["k"] in KNOWN_KGONS]
    if not rows:
        raise ValueError(f"none of the k-gons {KNOWN_KGONS} ran")
    worst = max(rows, key=lambda r: abs(r["llc"] / r["lambda"] - 1))
    v = abs(worst["llc"] / worst["lambda"] - 1)
    se = worst["llc_se"] / worst["lambda"]
    return Estimate.from_se(v, se, method=f"|λ̂/λ − 1| of the worst k-gon ({worst['k']}-gon), ±1.96 SE", floor=0.0)


def kgon_order_gap(m: Measurements) -> Estimate:
    """Smallest rise of λ̂ from one k-gon to the next lower-loss one (sorted by exact population loss)."""
    rows = sorted(_kgon_rows(m), key=lambda r: -r["population_loss"])
    if len(rows) < 2:
        raise ValueError("need at least two k-gons to order")
    gaps = [
        (b["llc"] - a["llc"], math.hypot(a["llc_se"], b["llc_se"]), a["k"], b["k"]) for a, b in itertools.pairwise(rows)
    ]
    g, se, ka, kb = min(gaps, key=lambda x: x[0])
    return Estimate.from_se(g, se, method=f"λ̂({kb}-gon) − λ̂({ka}-gon), the smallest step, ±1.96 SE")


def transitions_up(m: Measurements) -> Estimate:
    if "tms" not in m:
        raise ValueError("the toy model of superposition did not run (tms=false)")
    every = m["tms"]["trajectory"]["transitions"]
    if not every:
        raise ValueError("no SGD run changed stage")
    # only transitions whose both checkpoints are (local) minima: elsewhere λ̂ reads the slope, not the geometry
    tr = [t for t in every if t.get("at_minimum", True)]
    null = sum(t.get("null_rises", False) for t in every)
    if not tr:
        return Estimate(
            float("nan"),
            0.0,
            1.0,
            f"none of the {len(every)} transitions has both checkpoints at a minimum (λ̂ > 0 and a small gradient); "
            f"the null estimator −‖∇L‖² rises across {null} of them",
        )
    up = sum(t["llc_after"] > t["llc_before"] for t in tr)
    _, lo, hi = wilson_interval(up, len(tr))
    return Estimate(
        up / len(tr),
        lo,
        hi,
        f"{up} of {len(tr)} transitions between checkpoints at minima raised λ̂ ({len(every)} in all; the null "
        f"estimator −‖∇L‖² rises across {null}); Wilson 95% interval",
    )


def stage_excess_r2(m: Measurements) -> Estimate:
    if "tms" not in m:
        raise ValueError("the toy model of superposition did not run (tms=false)")
    traj = m["tms"]["trajectory"]
    ex = np.asarray(traj.get("stage_excess_r2_at_minima", traj["stage_excess_r2"]), dtype=float)
    if len(ex) == 0:
        return Estimate(
            float("nan"),
            -1.0,
            1.0,
            f"no run has two stages among its checkpoints at minima ({traj.get('share_at_minimum', float('nan')):.0%} "
            "of checkpoints are at a minimum)",
        )
    mean = float(ex.mean())
    se = float(ex.std(ddof=1) / math.sqrt(len(ex))) if len(ex) > 1 else float("inf")
    return Estimate.from_se(mean, se, method=f"mean over {len(ex)} runs, ±1.96 SE")


TMS_CLAIMS = (
    Claim(
        "kgon-llc",
        "At the minimally singular k-gons of the toy model of superposition (the 5- and 6-gon, 6 features in 2 "
        "dimensions) the LLC estimate is within 20% of λ = rank(H)/2 (Skeptic's threshold: 0.2, fixed before running).",
        _CHEN + ", abstract: 'the local learning coefficient (a geometric invariant) of these k-gons determines phase "
        "transitions'; λ = rank/2 at a minimally singular point: Watanabe 2009",
        kgon_rel_error,
        AtMost(REL_TOL),
        own_threshold=_ACC_LINE,
        quote=Quote(
            "We present supporting theory indicating that the local learning coefficient (a geometric invariant) of "
            "these $k$-gons determines phase transitions in the Bayesian posterior as a function of training sample "
            "size.",
            "arXiv 2310.06301v1, abstract",
        ),
        contrasts=(_LOCALIZATION,),
        band=_ACC_BAND,
        confirmed_by="kgon-laplace",
    ),
)


# ------------------------------------------------------------------------------------------ ReLU vs GELU twins
GAP_MIN = 0.5
"""The ReLU–GELU claim: the estimated gap is at least half of the exact H/2 (Skeptic's line, fixed before running)."""


def _twins(m: Measurements) -> dict[str, Any]:
    if "twins" not in m:
        raise ValueError("the ReLU/GELU twins did not run (twins=false)")
    t: dict[str, Any] = m["twins"]
    return t


def relu_twin_error(m: Measurements) -> Estimate:
    """|λ̂/λ − 1| of the ReLU twin (λ = (d − H)/2), with the GELU twin's estimate beside it in the note."""
    t = _twins(m)
    relu = [a for a in t["arms"] if a["activation"] == "relu"]
    if not relu:
        raise ValueError(f"no ReLU twin in this run (twin_acts={'-'.join(t['acts'])})")
    a = relu[0]
    v = abs(a["llc"] / a["exact"] - 1)
    beside = "; ".join(
        f"GELU twin λ̂ {g['llc']:.2f} ± {g['llc_se']:.2f} for λ = {g['exact']:g} "
        f"(exact-sampler target {g['target']:.2f})"
        for g in t["arms"]
        if g["activation"] == "gelu"
    )
    # said, not judged: where the burn-in is under three relaxation times of the least-curved curved direction at ε
    # (the twins' own rule, ``twins.BURNIN_RELAXATIONS``), λ̂ can still be rising towards its target
    slow = a.get("relaxation_steps")
    short = (
        f"; burn-in {a['num_burnin']} < 3 × {slow:.0f} steps (its least-curved direction's relaxation at ε): the "
        "chains may not have relaxed, so λ̂ can still be rising"
        if slow is not None and a["num_burnin"] < 3 * slow
        else ""
    )
    return Estimate.from_se(
        v,
        a["llc_se"] / a["exact"],
        method=f"ReLU twin λ̂ {a['llc']:.2f} ± {a['llc_se']:.2f} for λ = {a['exact']:g} (exact-sampler target "
        f"{a['target']:.2f}), ±1.96 SE{short}; {beside}",
        floor=0.0,
    )


def relu_gelu_gap(m: Measurements) -> Estimate:
    """(λ̂ of the second arm − λ̂ of the first)/(H/2): 1 is the exact ReLU–GELU gap, 0 no gap.

    The interval is the hull of ±1.96 SE at each of the three step sizes ε × 0.3, 1, 3 (the step size is a knob a
    careful replicator could turn, so a verdict that changes within that range is not one the design can give). If
    even an exact sampler at the twins' n and γ would show less than ``GAP_MIN`` of the gap between a ReLU and a GELU
    twin (weakly curved directions with nβh ≪ γ count as flat), or if an arm's λ̂ misses that exact sampler's target
    by more than 4 SE + 10% (its chains have not relaxed), the design cannot decide and the interval spans [0, 1]."""
    t = _twins(m)
    half = t["hidden"] / 2
    first, second = t["arms"]
    ratios, los, his = [], [], []
    for f in ("0.3", "1", "3"):
        r = (second[f"llc_eps{f}"] - first[f"llc_eps{f}"]) / half
        se = math.hypot(first[f"llc_se_eps{f}"], second[f"llc_se_eps{f}"]) / half
        ratios.append(r)
        los.append(r - 1.96 * se)
        his.append(r + 1.96 * se)
    v, lo, hi = ratios[1], min(los), max(his)
    res = (t["resolution"]["gelu"] - t["resolution"]["relu"]) / half
    arms = f"{second['activation']} − {first['activation']}"
    note = (
        f"({arms}) λ̂ gap / (H/2 = {half:g}) at ε × 0.3, 1, 3: {ratios[0]:+.2f}, {ratios[1]:+.2f}, {ratios[2]:+.2f}; "
        f"interval = hull of ±1.96 SE over the three step sizes; an exact sampler at n = {t['n']}, γ = {t['gamma']:g} "
        f"would show {res:+.2f} between a ReLU and a GELU twin"
    )
    missed = [
        f"{a['activation']} λ̂ {a['llc']:.2f} ± {a['llc_se']:.2f} vs {a['target']:.2f}"
        for a in (first, second)
        if not abs(a["llc"] - a["target"]) <= Z * a["llc_se"] + 0.1 * a["target"]
    ]
    short = [
        f"{a['activation']}: burn-in {a['num_burnin']} < {a['burnin_needed']} (3 relaxation times of its least-curved "
        f"direction at ε × 0.3; {a['relaxation_steps']:.0f} steps at ε)"
        for a in (first, second)
        if "burnin_needed" in a and a["num_burnin"] < a["burnin_needed"]
    ]
    if short:
        missed.append("burn-in too short: " + "; ".join(short))
    if missed:
        return Estimate(
            v,
            min(lo, 0.0, v),
            max(hi, 1.0, v),
            note + f"; an arm's chains have not relaxed along its weakly curved directions ({'; '.join(missed)}): "
            "the design cannot decide at this budget",
        )
    if res < GAP_MIN:
        return Estimate(
            v,
            min(lo, 0.0, v),
            max(hi, 1.0, v),
            note + f" (below {GAP_MIN}): the design cannot decide at this n and γ",
        )
    sides = {
        "above" if a >= GAP_MIN else "below" if b < GAP_MIN else "straddles" for a, b in zip(los, his, strict=True)
    }
    if len(sides) > 1:
        note += "; the verdict changes with the step size: the design cannot decide at this budget"
    return Estimate(v, min(lo, v), max(hi, v), note)


_TWIN_QUOTE = Quote(
    "Neural networks are singular because there are often ways to vary their parameters without changing the "
    "function they compute.",
    "Carroll 2023, 'DSLT 3. Neural Networks are Singular', AI Alignment Forum (alignmentforum.org/posts/"
    "tZwaGp5wMQqKh3krz), TLDR",
)
TWIN_CLAIMS = (
    Claim(
        "relu-known-lambda",
        "On a ReLU network whose λ is known exactly (a realizable one-hidden-layer twin, λ = (d − H)/2: one flat "
        "rescaling direction per hidden unit) the LLC estimate is within 20% of λ, although ReLU is not analytic "
        "(Skeptic's threshold: 0.2, fixed before running).",
        "Watanabe 2009, §7 (λ = rank/2 at a minimally singular point); Carroll 2023 (DSLT 3), TLDR: 'Neural networks "
        "are singular because there are often ways to vary their parameters without changing the function they "
        "compute'; the reviewer of issue 33: ReLU is not analytic, and its rescaling adds a flat direction per unit",
        relu_twin_error,
        AtMost(REL_TOL),
        own_threshold=_ACC_LINE,
        quote=_TWIN_QUOTE,
        contrasts=(
            Contrast(
                "localization-dominates",
                {"twin_gamma": 1000.0},
                "not_replicated",
                "a localization γ = 1000 on the twins holds every chain near θ*, so the estimate reads the prior's "
                "width, not the geometry",
            ),
        ),
        band=_ACC_BAND,
        confirmed_by="relu-rescaling-flat",
    ),
)
CLAIMS = _TABLE_CLAIMS + TMS_CLAIMS + TWIN_CLAIMS

DESCRIBED: dict[str, Any] = {
    "kgon-ordering": kgon_order_gap,
    "llc-over-training": stage_excess_r2,
    "relu-gelu-gap": relu_gelu_gap,
    "sgd-transitions": transitions_up,
}
"""Described measurements, not claims (sessions 15 and 16, issue 33): the brief reports each with its value and
interval and no verdict; ``claims-recomputed`` still recomputes them. None could fail or pass in this design:

* ``kgon-ordering`` (Chen et al. 2023: "a journey through parameter space from regions of high loss and low complexity
  to regions of low loss and high complexity"; measured as the smallest rise of λ̂ from a k-gon to the next lower-loss
  one). A described measurement since session 16 (issue 33): as a claim, its only contrast, γ = 1000
  ("the estimate reads the Hessian's trace and loses the order"), left it replicated at seeds 0-4 (rise 0.31-0.42,
  every interval above 0; audit-20261207-140416-9f27b5), because the trace of the Hessian also rises from the 5- to the
  6-gon. Every estimate that reads curvature orders these two k-gons the same way, and the exact λ (7 and 8.5) is a
  fact of the model, already checked by ``kgon-minimally-singular``; what the estimator could get wrong here,
  λ̂ at each k-gon, is ``kgon-llc``'s to judge. No override was found that keeps the k-gons and removes the rise
  (session 15), so the brief reports the rise with its interval and no verdict.

* ``llc-over-training`` (Hoogland et al. 2024: stages read from the loss organize λ̂ over training). The stages change
  while SGD is still sliding, and λ̂ there reads the slope, not a minimum's geometry (issue 33: "measurements at
  checkpoints are taken at (local) minima or flagged"). Longer SGD does not help: at the `test` preset's trajectory
  settings (3 runs, 6 log-spaced checkpoints, n = 300; tms-sgd seeds 1 and 2), 400 steps put 0 of 18 checkpoints at a
  minimum, 2,000 steps 28–33%, 5,000 steps 33–39%, 20,000 steps 50% (7.1 CPU s against 0.3): the checkpoints that
  reach a minimum are the late ones, all in the last stage, so at most one run of three had two stages among them.
  As a claim it read inconclusive clean and under its γ = 1000 contrast (audit-20261207-130537-f89d4d). The brief
  reports the mean excess R² over every checkpoint, flagged with the share at a minimum, beside the same over
  checkpoints at minima where any run has two stages there.
* ``relu-gelu-gap`` (ReLU's rescaling symmetry lowers λ by H/2 against a GELU twin). On CPU the twins cannot decide
  it: GELU's rescaling directions are nearly flat (an exact sampler at the twins' n shows less than half the gap at
  `test` and `quick`), and the burn-in they need is ~19,000 (ReLU) to ~155,000 (GELU) steps at n = 5000; session 14's
  preconditioned Langevin at a decidable setting read 0.56 ± 0.35 of H/2 (README). As a claim it read inconclusive
  clean and under its ``gelu-gelu`` contrast at every preset run. The brief reports the gap / (H/2) with its hull
  interval over ε × 0.3…3 and says why it cannot decide.
* ``sgd-transitions`` (Chen et al. 2023: SGD travels "from regions of high loss and low complexity to regions of low
  loss and high complexity"; measured as the share of stage transitions whose two checkpoints are minima and whose λ̂
  rises). A described measurement since session 17 (issue 33). As a claim (line 75%) it read nan, inconclusive, in
  every stored run at γ = 10: the audit's clean, repeat, ×4 and extra-seed runs (audit-20261207-153840-880c13) and 15
  `quick` runs at seeds 0 and 1, because no checkpoint at `test` seed 0 passes the minimum rule (λ̂ > 0 and
  (nβ‖∇L‖)²/γ ≤ 5% of max(λ̂, 1)); it counted as discriminating only because its γ = 1000 contrast divides that bias
  bound by 100 (2.09 → 0.0209 at `test` seed 0, same checkpoints), so 18 of 18 checkpoints become minima and 3 of 8
  transitions rise, a change of which checkpoints count, not of the mechanism. Longer SGD adds minima only in the
  last stage (see ``llc-over-training``), so no budget decides it. The brief reports the share, or why there is none.
"""


# ----------------------------------------------------------------------------------------------------------- probes
def _target_probe(family: str) -> Any:
    def check(m: Measurements) -> ProbeOutcome:
        rows = [r for r in _rows(m, family) if "finite_target" in r]
        if not rows:
            return ProbeOutcome(False, f"no {family} row with an exact finite-temperature target")
        bad = []
        for r in rows:
            t, se = r["finite_target"], r["llc_se"]
            if not (se == se and abs(r["llc"] - t) <= Z * se + 0.05 * abs(t)):
                bad.append(f"{r['name']}: λ̂ {r['llc']:.3f} ± {se:.3f} vs exact {t:.3f}")
        shown = "; ".join(f"{r['name']}: {r['llc']:.3f} vs {r['finite_target']:.3f}" for r in rows)
        return ProbeOutcome(not bad, "; ".join(bad) if bad else shown)

    return check


def _chains_agree(m: Measurements) -> ProbeOutcome:
    bad = []
    for r in _rows(m):
        chains = np.asarray(r["chain_llcs"])
        if not (r["rhat"] == r["rhat"] and r["rhat"] <= RHAT_MAX):
            bad.append(f"{r['name']}: R-hat {r['rhat']:.3f}")
        if len(chains) > 1 and not np.std(chains) > 0:
            bad.append(f"{r['name']}: every chain gave the same estimate (chains not independent)")
    return ProbeOutcome(not bad, "; ".join(bad) if bad else f"R-hat ≤ {RHAT_MAX} and distinct chains on every row")


def _se_matches_chains(m: Measurements) -> ProbeOutcome:
    bad = []
    for r in _rows(m):
        chains = np.asarray(r["chain_llcs"])
        mean, se = float(chains.mean()), float(chains.std(ddof=1) / math.sqrt(len(chains)))
        if not (
            math.isclose(mean, r["llc"], rel_tol=1e-6, abs_tol=1e-9) and math.isclose(se, r["llc_se"], rel_tol=1e-6)
        ):
            bad.append(f"{r['name']}: reported {r['llc']:.4g} ± {r['llc_se']:.3g}, chains give {mean:.4g} ± {se:.3g}")
    return ProbeOutcome(not bad, "; ".join(bad) if bad else "reported mean and SE recomputed from the chains")


def _no_drift(m: Measurements) -> ProbeOutcome:
    bad = [
        f"{r['name']}: {r['drift']:+.3f} ± {r['drift_se']:.3f}"
        for r in _rows(m)
        if not abs(r["drift"]) <= Z * r["drift_se"] + 0.1 * r["exact"]
    ]
    return ProbeOutcome(
        not bad, "; ".join(bad) if bad else "second-half minus first-half λ̂ within its error on every row"
    )


def _minimum(m: Measurements) -> ProbeOutcome:
    bad = [
        f"{r['name']}: ‖∇L_n(w*)‖ = {r['grad_norm']:.3g}, bias up to {r['gradient_bias_bound']:.3g}"
        for r in _rows(m)
        if not r["gradient_bias_bound"] <= 0.02 * r["exact"]
    ]
    return ProbeOutcome(not bad, "; ".join(bad) if bad else "the gradient at w* can bias no estimate by over 2% of λ")


def _formulas_agree(m: Measurements) -> ProbeOutcome:
    rows = [r for r in _rows(m) if "rrr_formula" in r]
    if not rows:
        return ProbeOutcome(False, "no two-layer model in the table to compare the formulas on")
    bad = [
        f"{r['name']}: RRR {r['rrr_formula']} vs DLN {r['dln_formula']}"
        for r in rows
        if not math.isclose(r["rrr_formula"], r["dln_formula"]) or not math.isclose(r["rrr_formula"], r["exact"])
    ]
    return ProbeOutcome(not bad, "; ".join(bad) if bad else f"both formulas agree on {len(rows)} models")


def _true_rank(m: Measurements) -> ProbeOutcome:
    bad = [
        f"{r['name']}: the true map has rank {r['true_rank']}"
        for r in _rows(m)
        if "true_rank" in r and r["true_rank"] != r["rank"]
    ]
    return ProbeOutcome(not bad, "; ".join(bad) if bad else "every true map has the rank its exact λ assumes")


def _rescaling_seed_agrees(m: Measurements) -> ProbeOutcome:
    """The rescaling check's unrescaled λ̂ is a second estimate of a table row (same model, same settings, its own
    chains): the two must agree within 4 combined SE + 5% of λ."""
    r = m["rescaling"]
    row = next((x for x in _rows(m) if x["name"] == r["name"]), None)
    if row is None:
        return ProbeOutcome(False, f"the rescaled model {r['name']} is not a row of the table")
    diff, tol = abs(r["llc"] - row["llc"]), Z * math.hypot(r["llc_se"], row["llc_se"]) + 0.05 * row["exact"]
    detail = (
        f"{r['name']}: table {row['llc']:.3f} ± {row['llc_se']:.3f}, rescaling check {r['llc']:.3f} ± {r['llc_se']:.3f}"
    )
    return ProbeOutcome(diff <= tol and r["exact"] == row["exact"], detail)


def _rescaled_same_function(m: Measurements) -> ProbeOutcome:
    d = m["rescaling"]["max_output_change"]
    return ProbeOutcome(d <= 1e-4, f"max |f_c(x) − f(x)| = {d:.2g}")


def _estimate_from_trace(m: Measurements) -> ProbeOutcome:
    bad = [
        f"{r['name']}: λ̂ {r['llc']:.4g} but the post-burn-in trace averages {r['post_burnin_trace_mean']:.4g}"
        for r in _rows(m)
        if not math.isclose(r["llc"], r["post_burnin_trace_mean"], rel_tol=1e-6, abs_tol=1e-9)
    ]
    # the columns the claims read, derived again from λ̂, λ and d
    bad += [
        f"{r['name']}: relative error {r['rel_error']:.4g} or d/2 {r['half_d']:g} not (λ̂ − λ)/λ, d/2"
        for r in _rows(m)
        if not (
            math.isclose(r["rel_error"], (r["llc"] - r["exact"]) / r["exact"], rel_tol=1e-9, abs_tol=1e-12)
            and r["half_d"] == r["d"] / 2
        )
    ]
    return ProbeOutcome(
        not bad,
        "; ".join(bad) if bad else "every λ̂ is the mean of its stored post-burn-in trace, its error and d/2 recomputed",
    )


def _loss_is_the_nll(m: Measurements) -> ProbeOutcome:
    """With unit-variance label noise, the unit-noise Gaussian NLL at the least-squares fit has expectation
    ½·k·(1 − m/n) for k outputs and m inputs (the fit absorbs m of the n residual degrees of freedom per output)."""
    rows = [r for r in _rows(m) if r.get("noise")]
    if not rows:
        return ProbeOutcome(False, "no noisy model in the table to check the loss's scale on")
    bad, shown = [], []
    for r in rows:
        n, k, d_in = m["n"], r["n_outputs"], r["n_inputs"]
        expect = 0.5 * k * (1 - d_in / n)
        se = 0.5 * math.sqrt(2 * k / n)  # sd of ½Σ_k ε_k² is ½√(2k); averaged over n samples
        shown.append(f"{r['name']}: L_n(w*) = {r['init_loss']:.4f} vs {expect:.4f}")
        if not abs(r["init_loss"] - expect) <= 5 * se:
            bad.append(shown[-1] + f" (± {5 * se:.4f})")
    return ProbeOutcome(not bad, "; ".join(bad) if bad else "; ".join(shown))


def _crosscheck(m: Measurements) -> ProbeOutcome:
    c = m.get("crosscheck")
    if c is None:
        return ProbeOutcome(False, "the cross-check did not run (crosscheck=false)")
    diff, tol = abs(c["ours"] - c["llc"]), Z * math.hypot(c["ours_se"], c["llc_se"]) + 0.05 * c["exact"]
    detail = (
        f"{c['name']}: batched {c['ours']:.3f} ± {c['ours_se']:.3f}, "
        f"{c['reference']} {c['llc']:.3f} ± {c['llc_se']:.3f}"
    )
    return ProbeOutcome(diff <= tol, detail)


def _settings_as_declared(m: Measurements) -> ProbeOutcome:
    bad = []
    for r in _rows(m):
        n = m["n"]
        if r.get("nbeta_rule", "n") == "batch":
            n = min(n, r["batch_size"])
        if not math.isclose(r["nbeta"], n / math.log(n), rel_tol=1e-9):
            rule_name = r.get("nbeta_rule", "n")
            bad.append(f"{r['name']}: nβ = {r['nbeta']:.4g}, not n/log n = {n / math.log(n):.4g} ({rule_name})")
        if r.get("epsilon_source") == "curvature":
            rule = min(0.2 / (r["nbeta"] * r["top_curvature"] + r["gamma"]), 1.0 / r["nbeta"])
            if not math.isclose(r["epsilon"], rule, rel_tol=1e-6):
                bad.append(f"{r['name']}: ε = {r['epsilon']:.4g}, the curvature rule gives {rule:.4g}")
        if r.get("epsilon_source") == "default" and not math.isclose(
            r["epsilon"] * r["nbeta"], r["declared_epsilon_times_nbeta"], rel_tol=1e-9
        ):
            bad.append(
                f"{r['name']}: ε·nβ = {r['epsilon'] * r['nbeta']:.4g}, declared {r['declared_epsilon_times_nbeta']}"
            )
    return ProbeOutcome(not bad, "; ".join(bad) if bad else "every row ran at β = 1/log n and the declared ε rule")


def _kgon_minimally_singular(m: Measurements) -> ProbeOutcome:
    rows = [r for r in m.get("tms", {}).get("kgons", []) if r["k"] in KNOWN_KGONS]
    if not rows:
        return ProbeOutcome(False, "no minimally singular k-gon ran")
    bad = [
        f"{r['k']}-gon: the loss grows as δ^{r['null_growth_exponent']:.2f} along a Hessian null direction"
        for r in rows
        if not r["null_growth_exponent"] >= 3.0
    ]
    bad += [
        f"{r['k']}-gon: refined to {r['k_after_refine']} features, ‖∇L_n‖ {r['grad_norm_refined']:.2g}"
        for r in rows
        if r["k_after_refine"] != r["k"] or not r["grad_norm_refined"] <= 1e-4
    ]
    return ProbeOutcome(
        not bad,
        "; ".join(bad)
        if bad
        else "; ".join(
            f"{r['k']}-gon: rank {r['hessian_rank']}, null directions grow as δ^{r['null_growth_exponent']:.1f}"
            for r in rows
        ),
    )


def _kgon_laplace(m: Measurements) -> ProbeOutcome:
    rows = [r for r in m.get("tms", {}).get("kgons", []) if r["k"] in KNOWN_KGONS]
    if not rows:
        return ProbeOutcome(False, "no minimally singular k-gon ran")
    bad, shown = [], []
    for r in rows:
        t, se = r["laplace_target"], r["llc_se"]
        shown.append(f"{r['k']}-gon: {r['llc']:.2f} ± {se:.2f} vs {t:.2f}")
        if not (se == se and abs(r["llc"] - t) <= Z * se + 0.1 * t):
            bad.append(shown[-1])
    return ProbeOutcome(not bad, "; ".join(bad) if bad else "; ".join(shown))


def _kgon_losses(m: Measurements) -> ProbeOutcome:
    rows = m.get("tms", {}).get("kgons", [])
    if not rows:
        return ProbeOutcome(False, "the toy model of superposition did not run")
    n = m["tms"]["n"]
    bad = []
    for r in rows:
        se = 0.5 * r["population_loss"] * 3 / math.sqrt(n)  # loose: per-sample loss sd ≲ 1.5 × its mean here
        if not abs(r["train_loss"] - r["population_loss"]) <= 5 * se + 1e-3:
            bad.append(f"{r['k']}-gon: L_n {r['train_loss']:.4f} vs population {r['population_loss']:.4f}")
    return ProbeOutcome(
        not bad, "; ".join(bad) if bad else "every k-gon's training loss matches its quadrature population loss"
    )


def _relaxation_read(m: Measurements) -> ProbeOutcome:
    """Rows whose burn-in is shorter than the relaxation time 1/(εγ) (the estimator's own warning) must show in their
    trace that they settled anyway: second-half minus first-half λ̂ within 2 SE + 5% of λ (stricter than
    ``no-drift``'s 4 SE + 10%, which every row meets)."""
    flagged = [r for r in _rows(m) if any("relaxation time" in w for w in r.get("warnings", []))]
    bad = [
        f"{r['name']}: drift {r['drift']:+.3f} ± {r['drift_se']:.3f} with burn-in {r['num_burnin']} < 1/(εγ) = "
        f"{1 / (r['epsilon'] * r['gamma']):.0f}"
        for r in flagged
        if not abs(r["drift"]) <= 2 * r["drift_se"] + 0.05 * r["exact"]
    ]
    return ProbeOutcome(
        not bad,
        "; ".join(bad)
        if bad
        else f"{len(flagged)} of {len(_rows(m))} rows carry the relaxation-time warning; each has settled",
    )


def _full_batch_noisy(m: Measurements) -> ProbeOutcome:
    rows = m.get("minibatch_noise")
    if not rows:
        return ProbeOutcome(True, "not run (sensitivity=false or no noisy model in the table): nothing to check")
    full = next(r for r in rows if r["setting"] == "n/log n, full batch")
    t, se = full["target"], full["llc_se"]
    ok = se == se and abs(full["llc"] - t) <= Z * se + 0.05 * t
    shown = "; ".join(f"{r['setting']}: {r['llc']:.2f} ± {r['llc_se']:.2f} (target {r['target']:.2f})" for r in rows)
    return ProbeOutcome(ok, shown)


def _table_as_declared(m: Measurements) -> ProbeOutcome:
    """Each row is the model its declared spec names, with the exact λ recomputed from the spec (not the model):
    a regular (in, out) map has in·out parameters and λ = in·out/2, a normal crossing its declared powers and λ =
    min 1/(2k), a deep linear network its declared widths and rank; and the specs, in order, are one of the
    declared tables."""
    from skeptic.studies.llc.experiments import TABLES

    rows = _rows(m)
    specs = [(r["spec"]["kind"], tuple(r["spec"]["shape"]), r["spec"]["rank"]) for r in rows if "spec" in r]
    bad = []
    if len(specs) != len(rows) or not any(list(t) == specs for t in TABLES.values()):
        bad.append("the rows are not one of the declared tables")
    for r, (kind, shape, rank) in zip(rows, specs, strict=False):
        if kind in ("regular", "regular-noisy"):
            ok = (r["n_inputs"], r["n_outputs"], r["d"]) == (shape[0], shape[1], shape[0] * shape[1])
            ok = ok and math.isclose(r["exact"], shape[0] * shape[1] / 2) and r["noise"] == (kind == "regular-noisy")
        elif kind == "nc":
            k = [v for v in shape if v > 0]
            ok = r.get("powers") == list(shape) and r["d"] == len(shape)
            ok = ok and math.isclose(r["exact"], min(1 / (2 * v) for v in k))
        else:
            ok = r.get("widths") == list(shape) and r.get("rank") == rank
            ok = ok and r["d"] == sum(a * b for a, b in itertools.pairwise(shape))
        if not ok:
            bad.append(f"{r['name']}: built as d = {r['d']}, λ = {r['exact']:g}, not the declared {kind} {shape}")
    return ProbeOutcome(not bad, "; ".join(bad) if bad else f"all {len(rows)} rows are the declared models")


def _checkpoints_recomputed(m: Measurements) -> ProbeOutcome:
    """The batched training loop's loss and gradient norm at every SGD checkpoint equal the same quantities computed
    for that checkpoint alone through the estimator's code path, and each at-minimum flag follows its rule."""
    from skeptic.studies.llc.tms import at_minimum

    traj = m.get("tms", {}).get("trajectory")
    if traj is None:
        return ProbeOutcome(True, "not run (tms=false): nothing to check")
    bad = []
    for r in traj["records"]:
        g, g1 = r["grad_norm"], r["grad_norm_alone"]
        if not (
            abs(g - g1) <= 1e-6 * g1 + 1e-10 and math.isclose(r["train_loss"], r["train_loss_alone"], rel_tol=1e-6)
        ):
            bad.append(
                f"seed {r['seed']} step {r['step']}: batched L {r['train_loss']:.6g}, ‖∇L‖ {g:.4g}; alone "
                f"{r['train_loss_alone']:.6g}, {g1:.4g}"
            )
        if r["at_minimum"] != at_minimum(r["llc"], r["gradient_bias_bound"]):
            bad.append(f"seed {r['seed']} step {r['step']}: at_minimum flag does not follow its rule")
    n = len(traj["records"])
    return ProbeOutcome(not bad, "; ".join(bad[:4]) if bad else f"{n} checkpoints: batched = alone, flags by rule")


def _stage_fit_r2(records: list[dict[str, Any]]) -> list[float]:
    """Per seed with two or more stages, R² of λ̂ on stage indicators by least squares (a second computation of the
    piecewise-constant fit's R²)."""
    out = []
    for s in sorted({r["seed"] for r in records}):
        rs = sorted((r for r in records if r["seed"] == s), key=lambda r: r["step"])
        y = np.array([r["llc"] for r in rs], dtype=float)
        stage = np.concatenate([[0], np.cumsum(np.diff([r["k"] for r in rs]) != 0)])
        if stage[-1] == 0 or y.var() == 0:
            continue
        design = (stage[:, None] == np.arange(stage[-1] + 1)[None, :]).astype(float)
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)
        out.append(1 - float(((y - design @ coef) ** 2).sum()) / float(((y - y.mean()) ** 2).sum()))
    return out


def _stages_recomputed(m: Measurements) -> ProbeOutcome:
    """The stage boundaries and the stages' R² that the two trajectory claims read, computed a second way from the
    checkpoint records: a boundary wherever k differs from the previous checkpoint of the same run, and R² by least
    squares on stage indicators (all checkpoints, and those at minima)."""
    traj = m.get("tms", {}).get("trajectory")
    if traj is None:
        return ProbeOutcome(True, "not run (tms=false): nothing to check")
    recs = traj["records"]
    bounds = []
    for s in sorted({r["seed"] for r in recs}):
        rs = sorted((r for r in recs if r["seed"] == s), key=lambda r: r["step"])
        k = np.array([r["k"] for r in rs])
        bounds += [(s, rs[i]["step"], int(k[i - 1]), int(k[i])) for i in np.flatnonzero(np.diff(k)) + 1]
    listed = [(t["seed"], t["step"], t["k_before"], t["k_after"]) for t in traj["transitions"]]
    bad = []
    if sorted(listed) != sorted(bounds):
        bad.append(f"{len(listed)} transitions listed, {len(bounds)} changes of k in the records")
    for t in traj["transitions"]:
        # λ̂ before comes from a checkpoint of the stage before the boundary, λ̂ after from one of the stage after
        before = {
            r["llc"] for r in recs if r["seed"] == t["seed"] and r["step"] < t["step"] and r["k"] == t["k_before"]
        }
        after = {r["llc"] for r in recs if r["seed"] == t["seed"] and r["step"] >= t["step"] and r["k"] == t["k_after"]}
        if t["llc_before"] not in before or t["llc_after"] not in after:
            bad.append(f"seed {t['seed']} step {t['step']}: λ̂ before/after not read from the adjacent stages")
    for key, subset in (("stage_r2", recs), ("stage_r2_at_minima", [r for r in recs if r["at_minimum"]])):
        if key in traj and not np.allclose(traj[key], _stage_fit_r2(subset), rtol=1e-6, atol=1e-9):
            bad.append(f"{key} {np.round(traj[key], 4).tolist()} vs {np.round(_stage_fit_r2(subset), 4).tolist()}")
    return ProbeOutcome(not bad, "; ".join(bad) if bad else f"{len(bounds)} transitions and every run's R² recomputed")


RESCALE_FLAT_MAX = 1e-9
"""A ReLU unit's rescaling direction is flat when vᵀHv/(vᵀv·h_max) ≤ 1e-9 (float64 noise is ~1e-16 relative)."""
RESCALE_CURVED_MIN = 1e-5
"""A GELU unit's rescaling direction is curved when vᵀHv/(vᵀv·h_max) ≥ 1e-5 (a·z²φ(z) gives ~1e-3 here); both margins
sit four orders of magnitude from what each side produces, fixed before the first run."""


def _relu_rescaling_flat(m: Measurements) -> ProbeOutcome:
    t = m.get("twins")
    if t is None:
        return ProbeOutcome(True, "not run (twins=false): nothing to check")
    r, g = t["checks"]["relu"], t["checks"]["gelu"]
    hidden, bad = t["hidden"], []
    if not r["rescale_loss_change"] <= 1e-10:
        bad.append(f"ReLU: rescaling every unit by c ∈ {{0.5, 2}} changes the loss by {r['rescale_loss_change']:.2g}")
    if not max(abs(q) for q in r["rescale_quotients"]) <= RESCALE_FLAT_MAX:
        bad.append(f"ReLU: curvature along a rescaling direction {max(map(abs, r['rescale_quotients'])):.2g} × h_max")
    if not (r["near_zero"] >= r["active_units"] == hidden and r["hessian_rank"] == r["d"] - hidden):
        bad.append(
            f"ReLU: {r['near_zero']} zero eigenvalues for {r['active_units']} active units, rank {r['hessian_rank']} "
            f"(expected d − H = {r['d'] - hidden})"
        )
    if not min(g["rescale_quotients"]) >= RESCALE_CURVED_MIN:
        bad.append(f"GELU: a rescaling direction is flat ({min(g['rescale_quotients']):.2g} × h_max)")
    if g["hessian_rank"] != g["d"]:
        bad.append(f"GELU: Hessian rank {g['hessian_rank']} < d = {g['d']}")
    # at a minimally singular point (flat directions exactly flat) λ = rank/2: the exact λ each arm was judged against
    bad += [
        f"{a['activation']} twin: judged against λ = {a['exact']:g}, but rank(H)/2 = {a['hessian_rank'] / 2:g}"
        for a in t["arms"]
        if not math.isclose(a["exact"], a["hessian_rank"] / 2)
    ]
    shown = (
        f"ReLU: loss change {r['rescale_loss_change']:.1g} under rescaling, {r['near_zero']} zero eigenvalues for "
        f"{r['active_units']} active units, rank {r['hessian_rank']} = d − H, rescaling curvature ≤ "
        f"{max(map(abs, r['rescale_quotients'])):.1g} × h_max; GELU: rank {g['hessian_rank']} = d, rescaling "
        f"curvature ≥ {min(g['rescale_quotients']):.1g} × h_max"
    )
    return ProbeOutcome(not bad, "; ".join(bad) if bad else shown)


def _kgon_null_is_symmetry(m: Measurements) -> ProbeOutcome:
    rows = [r for r in m.get("tms", {}).get("kgons", []) if r["k"] in KNOWN_KGONS]
    if not rows:
        return ProbeOutcome(False, "no minimally singular k-gon ran")
    bad, shown = [], []
    for r in rows:
        k = r["k"]
        if r["null_dim"] != r["symmetry_dim"] or not r["null_residual"] <= 1e-6:
            bad.append(
                f"{k}-gon: {r['null_dim']} null directions, {r['symmetry_dim']} from symmetries; one lies "
                f"{r['null_residual']:.2g} outside their span (a degeneracy no symmetry explains)"
            )
        if not r["orbit_loss_change"] <= 1e-10:
            bad.append(f"{k}-gon: the loss changes by {r['orbit_loss_change']:.2g} along the rotation orbit")
        if not 3.5 <= r["tangent_slope"] <= 4.5:
            bad.append(f"{k}-gon: along the orbit's tangent the loss grows as δ^{r['tangent_slope']:.2f}, not δ⁴")
        if not 1.5 <= r["curved_slope"] <= 2.5:
            bad.append(f"{k}-gon: along the least-curved eigenvector the loss grows as δ^{r['curved_slope']:.2f}")
        shown.append(
            f"{k}-gon: null space = span of the rotation orbit and the dropped features ({r['null_dim']} dims, "
            f"residual {r['null_residual']:.0e}); loss flat on the orbit, δ^{r['tangent_slope']:.1f} on its tangent, "
            f"δ^{r['curved_slope']:.1f} on the least-curved eigenvector"
        )
    return ProbeOutcome(not bad, "; ".join(bad) if bad else "; ".join(shown))


def _dln_formula_scan(m: Measurements) -> ProbeOutcome:
    c = m.get("dln_formula_check")
    if c is None:
        return ProbeOutcome(False, "the deep-linear formula was not cross-checked in this run")
    if c["table_rows"] == 0:
        return ProbeOutcome(False, "no L ≥ 3 deep linear network in the table to cross-check")
    ok = c["n_mismatches"] == 0
    detail = (
        f"Aoyagi's formula and its prefix-scan recomputation agree on {c['table_rows']} table rows, "
        f"{c['grid_cases']} three-layer networks (widths 1–4, every rank) and the normal-crossing case 1-1-1-1"
        if ok
        else f"{c['n_mismatches']} mismatches: " + "; ".join(c["mismatches"])
    )
    return ProbeOutcome(ok, detail)


STEP_RTOL = 1e-4
"""The sampler's float32 trace against the float64 reference: rounding gives ~1e-6 of the trace's scale."""


def _sampler_step(m: Measurements) -> ProbeOutcome:
    runs = m.get("sampler_steps")
    if not runs:
        return ProbeOutcome(False, "the sampler's step check did not run (crosscheck=false)")
    bad, shown = [], []
    for r in runs:
        s, ref = np.asarray(r["sampler"], dtype=float), np.asarray(r["reference"], dtype=float)
        scale = float(np.abs(ref).max())
        diff = float(np.abs(s - ref).max()) if s.shape == ref.shape else math.inf
        shown.append(f"batch {r['batch_size']}: max |Δ| {diff:.1g} of {scale:.2g}")
        if not (scale > 0 and diff <= STEP_RTOL * scale + 1e-9):
            bad.append(f"{r['name']}, " + shown[-1])
    return ProbeOutcome(not bad, "; ".join(bad) if bad else f"{runs[0]['name']}: " + "; ".join(shown))


def _as_configured(m: Measurements, config: Any) -> ProbeOutcome:
    """What each section ran, against the config: chains, localization, minibatch and burn-in (one relaxation time
    1/(εγ), within the declared burn-in and four declared chain lengths) of every table row (the normal crossings
    at ``nc_gamma`` when set), the k-gons and their chains, the SGD runs' samples, seeds and last checkpoint, the
    twins' n, width, γ, burn-in and draws, and the rescaling factor."""
    bad = []
    for r in m["table"]:
        g = config.nc_gamma if r["family"] == "normal crossing" and config.nc_gamma is not None else config.gamma
        if len(r["chain_llcs"]) != config.num_chains or not math.isclose(r["gamma"], g):
            bad.append(f"{r['name']}: {len(r['chain_llcs'])} chains at γ = {r['gamma']:g}")
        # each row's minibatch and burn-in (issue 33: both swapped in the settings, and the burn-in's cap broken,
        # were silent at held-out seed 58337): one relaxation time 1/(εγ) from the row's own ε, at least the declared
        # burn-in and at most four declared chain lengths (the normal crossings' times flat_draws_factor)
        f = config.flat_draws_factor if r["family"] == "normal crossing" else 1
        b0, d0 = config.num_burnin * f, config.num_draws * f
        tau = 1.0 / (r["epsilon"] * r["gamma"]) if r["gamma"] > 0 else 0.0
        burnin = max(b0, min(math.ceil(tau), 4 * (b0 + d0)))
        if "num_burnin" in r and (abs(r["num_burnin"] - burnin) > 1 or r["batch_size"] != config.batch_size):
            bad.append(f"{r['name']}: burn-in {r['num_burnin']}, minibatch {r['batch_size']}; declared {burnin}, "
                       f"{config.batch_size}")  # fmt: skip
    if not math.isclose(m["rescaling"]["c"], config.rescale_factor):
        bad.append(f"rescaling by c = {m['rescaling']['c']:g}, declared {config.rescale_factor:g}")
    t = m.get("tms")
    if t is not None:
        if sorted(r["k"] for r in t["kgons"]) != sorted(config.tms_ks) or t["n"] != config.tms_n:
            bad.append(f"k-gons {[r['k'] for r in t['kgons']]} at n = {t['n']}")
        bad += [
            f"{r['k']}-gon: {len(r['chain_llcs'])} chains"
            for r in t["kgons"]
            if len(r["chain_llcs"]) != config.num_chains
        ]
        batch = config.batch_size if config.tms_batch_size is None else config.tms_batch_size
        if "kgon_batch_size" in t and t["kgon_batch_size"] != batch:
            bad.append(f"k-gons' minibatch {t['kgon_batch_size']}, declared {batch}")
        tr = t["trajectory"]
        seeds = {r["seed"] for r in tr["records"]}
        if (
            t["trajectory_n"] != config.tms_traj_n
            or seeds != set(range(config.tms_seeds))
            or tr["checkpoints"][-1] != config.tms_steps
            or len(tr["records"]) != config.tms_seeds * len(tr["checkpoints"])
        ):
            bad.append(f"SGD runs: {len(seeds)} seeds, {len(tr['records'])} records, last step {tr['checkpoints'][-1]}")
    tw = m.get("twins")
    if tw is not None:
        if (tw["n"], tw["hidden"]) != (config.twin_n, config.twin_hidden) or not math.isclose(
            tw["gamma"], config.twin_gamma
        ):
            bad.append(f"twins at n = {tw['n']}, H = {tw['hidden']}, γ = {tw['gamma']:g}")
        bad += [
            f"{a['activation']} twin: burn-in {a['num_burnin']}, draws {a['num_draws']}"
            for a in tw["arms"]
            if (a["num_burnin"], a["num_draws"]) != (config.twin_burnin, config.twin_draws)
        ]
    return ProbeOutcome(
        not bad, "; ".join(bad[:4]) if bad else "every section ran with the configured sizes and settings"
    )


AT_MINIMUM_SHARE = 0.05
"""A checkpoint is a (local) minimum when λ̂ > 0 and its gradient bias is ≤ 5% of max(λ̂, 1): the line declared in
``tms.AT_MINIMUM_BIAS``, restated here so that the recomputation does not borrow it from the code it checks."""
RECOMPUTE_RTOL = 1e-6
"""Two float64 computations of the same means and quantiles in another order agree to ~1e-12; 1e-6 allows for the
chain SE being recomputed from the stored chains (``se-from-chains`` holds the reported SE to that)."""


def _recomputed(m: Measurements) -> dict[str, Any]:
    """Each claim's (value, lo, hi) by :mod:`skeptic.studies.llc.recompute`, or the error that stops it."""
    from skeptic.studies.llc import recompute as rc

    def tms_part(key: str) -> Any:
        if "tms" not in m:
            raise ValueError("tms did not run")
        return m["tms"][key]

    table = m["table"]
    jobs: dict[str, Any] = {
        "accurate-regular": lambda: rc.worst_family_error(table, "regular"),
        "accurate-normal-crossing": lambda: rc.worst_family_error(table, "normal crossing"),
        "accurate-rrr": lambda: rc.worst_family_error(table, "reduced-rank regression"),
        "accurate-dln": lambda: rc.worst_family_error(table, "deep linear network"),
        "ordering": lambda: rc.ordering(table),
        "degeneracy": lambda: rc.degeneracy(table),
        "rescaling-invariance": lambda: rc.rescaling(m["rescaling"]),
        "kgon-llc": lambda: rc.kgon_error(tms_part("kgons"), KNOWN_KGONS),
        "kgon-ordering": lambda: rc.kgon_order(tms_part("kgons")),
        "sgd-transitions": lambda: rc.transitions(tms_part("trajectory")["records"], AT_MINIMUM_SHARE),
        "llc-over-training": lambda: rc.excess_mean(
            tms_part("trajectory")["stage_excess_r2_at_minima"], tms_part("trajectory")["share_at_minimum"]
        ),
        "relu-known-lambda": lambda: rc.relu_error(_twins(m)),
        "relu-gelu-gap": lambda: rc.relu_gelu_gap(_twins(m), GAP_MIN, Z),
    }
    out: dict[str, Any] = {}
    for cid, job in jobs.items():
        try:
            out[cid] = job()
        except (ValueError, KeyError, StopIteration) as e:
            out[cid] = e
    return out


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=RECOMPUTE_RTOL, abs_tol=1e-9)


def _claims_recomputed(m: Measurements, config: Any) -> ProbeOutcome:
    """Every claim's value and interval against :mod:`recompute` (separate code from the stored chains, records and
    arms), the random-boundaries control against its exact expectation, and what ran against the config."""
    from skeptic.studies.llc import recompute as rc

    want, bad = _recomputed(m), []
    measures = [(c.id, c.measure) for c in CLAIMS] + list(DESCRIBED.items())
    for cid, measure in measures:
        w = want.get(cid)
        try:
            got = measure(m)  # every measure of this study reads the measurements only
        except (ValueError, KeyError):
            if not isinstance(w, Exception):
                bad.append(f"{cid}: the measure did not run, its recomputation did")
            continue
        if w is None or isinstance(w, Exception):
            bad.append(f"{cid}: measured, but the recomputation failed ({w})")
            continue
        first = got if isinstance(got, Estimate) else got[0]
        g = (float(first.value), float(first.lo), float(first.hi))
        if not all(_same(a, b) for a, b in zip(g, w, strict=True)):
            bad.append(
                f"{cid}: measured {g[0]:.5g} [{g[1]:.4g}, {g[2]:.4g}], recomputed {w[0]:.5g} [{w[1]:.4g}, {w[2]:.4g}]"
            )
    traj = m.get("tms", {}).get("trajectory")
    if traj is not None:
        for key, recs in (("", traj["records"]), ("_at_minima", [r for r in traj["records"] if r["at_minimum"]])):
            r2, excess, control = traj["stage_r2" + key], traj["stage_excess_r2" + key], rc.random_break_control(recs)
            if len(excess) != len(control) or not np.allclose(r2, rc.stage_r2(recs), rtol=1e-9, atol=1e-12):
                bad.append(f"stage_r2{key}: {len(excess)} runs stored, {len(control)} recomputed, or R² differs")
                continue
            # the stored control is a mean over 500 random placements: within 5 Monte Carlo SE of its exact value
            bad += [
                f"stage_excess_r2{key}: {e:.4f} vs exact {r - mu:.4f}"
                for e, r, (mu, sd) in zip(excess, r2, control, strict=True)
                if not abs(e - (r - mu)) <= 5 * sd / math.sqrt(500) + 1e-9
            ]
    t = m.get("twins")
    if t is not None and [a["activation"] for a in t["arms"]] != config.twin_acts.split("-"):
        bad.append(f"twins ran {[a['activation'] for a in t['arms']]}, declared {config.twin_acts}")
    if m["n"] != config.n or any(r["n"] != config.n for r in m["table"]):
        bad.append(f"the table ran at n = {m['n']}, declared {config.n}")
    return ProbeOutcome(
        not bad,
        "; ".join(bad[:4])
        if bad
        else f"all {len(CLAIMS)} claims' and {len(DESCRIBED)} described measurements' values and intervals recomputed "
        "from the stored chains, records and arms "
        "by separate code; the stages' R² and their random-boundaries control (exact expectation) agree",
    )


PROBES = (
    Probe(
        "sampler-step-reference",
        "Five steps of two SGLD chains of the batched sampler (full batch and minibatch 32) equal a hand-written "
        "float64 reference with the same noise and minibatches (w ← w − ε/2 (nβ∇L_B + γ(w − w*)) + √ε ξ, gradient by "
        "hand), trace by trace within 1e-4 of its scale: every λ̂ of the study comes from this sampler.",
        _sampler_step,
    ),
    Probe(
        "runs-as-configured",
        "Every section ran what the config declares: the table's chains and localization (γ, or nc_gamma on the "
        "normal crossings), the k-gons and their chains, the SGD runs' samples, seeds and last step, the twins' n, "
        "width, γ, burn-in and draws, and the rescaling factor.",
        _as_configured,
    ),
    Probe(
        "claims-recomputed",
        "Every claim's value and interval, recomputed by separate code from the stored per-chain estimates (exact λ "
        "from d, rank(H) and H), the SGD checkpoint records (stages, minima by their rule, Wilson interval) and the "
        "twins' arms, equal what each claim's measure returns (within 1e-6); the stages' R² and their random-boundary "
        "control (its exact expectation over every placement, within 5 Monte Carlo SE) agree; the table ran at the "
        "configured n and the twins with the configured activations.",
        _claims_recomputed,
    ),
    Probe(
        "table-as-declared",
        "Each row of the validation table is the model its declared spec names (dimensions, powers, widths, rank, "
        "noise) and is judged against the exact λ recomputed from that spec; the specs are one of the declared tables.",
        _table_as_declared,
    ),
    Probe(
        "stages-recomputed",
        "The SGD trajectories' stage boundaries (every change of the number of represented features between "
        "consecutive checkpoints of a run) and the stages' R² of λ̂ (all checkpoints and those at minima), computed a "
        "second way from the checkpoint records (least squares on stage indicators), equal the ones the claims read.",
        _stages_recomputed,
    ),
    Probe(
        "checkpoints-recomputed",
        "At every SGD checkpoint the batched training loop's full-batch loss and gradient norm (which decide whether "
        "the checkpoint counts as a minimum) equal the same quantities for that model alone, computed through the "
        "estimator's code path (within 1e-6).",
        _checkpoints_recomputed,
    ),
    Probe(
        "regular-exact",
        "On regular models (noise-free, and noisy ones where the chains run full batch) λ̂ matches the exact "
        "expectation of its own discretized Langevin chain (→ d/2), within 4 SE + 5%: the sampler is right where "
        "everything is known.",
        _target_probe("regular"),
    ),
    Probe(
        "normal-crossing-quadrature",
        "On normal crossings λ̂ matches the same localized tempered posterior's "
        "E[nβK] by quadrature, within 4 SE + 5%: sampler error is told apart from finite-n bias.",
        _target_probe("normal crossing"),
    ),
    Probe(
        "relaxation-time-read",
        "Rows whose burn-in is shorter than the relaxation time 1/(εγ) (the estimator's warning) have settled anyway: "
        "their second-half minus first-half λ̂ is within 2 SE + 5% of λ.",
        _relaxation_read,
    ),
    Probe(
        "noisy-regular-full-batch",
        "On the noisy regular model (loss exactly quadratic around the least-squares w*) the full-batch λ̂ matches the "
        "exact expectation of its discretized chain within 4 SE + 5%: a gap at the study's minibatch is minibatch "
        "gradient noise (a budget knob), not the estimator failing on linear regression.",
        _full_batch_noisy,
    ),
    Probe(
        "chains-agree",
        f"Independent chains agree (R-hat ≤ {RHAT_MAX}) and are independent (not identical).",
        _chains_agree,
    ),
    Probe(
        "se-from-chains",
        "The reported mean and SE are the mean and std/√C of the stored per-chain estimates "
        "(the chain is the independent unit).",
        _se_matches_chains,
    ),
    Probe(
        "no-drift",
        "The estimate does not drift with chain length: second-half minus first-half λ̂ within 4 SE + 10% of λ.",
        _no_drift,
    ),
    Probe(
        "start-at-minimum",
        "The starting point is a minimum: the gradient at w* can shift no estimate by more than 2% of λ.",
        _minimum,
    ),
    Probe(
        "formulas-agree",
        "Two independent exact formulas (Aoyagi & Watanabe's RRR, Aoyagi's DLN at L = 2) give "
        "the same λ wherever both apply.",
        _formulas_agree,
    ),
    Probe("true-rank", "The data come from a true map of exactly the rank the exact λ assumes.", _true_rank),
    Probe(
        "estimate-from-trace",
        "Each reported λ̂ equals nβ × the mean of its stored post-burn-in trace (the "
        "definition, recomputed from the raw draws).",
        _estimate_from_trace,
    ),
    Probe(
        "loss-is-the-nll",
        "The loss is the per-sample unit-noise Gaussian NLL the exact λ and nβ assume: on noisy data at the fitted "
        "minimum it equals ½·outputs·(1 − inputs/n) within 5 SE.",
        _loss_is_the_nll,
    ),
    Probe(
        "independent-implementation",
        "An independent chain-by-chain implementation (devinterp's own SGLD optimizer when installed, else a "
        "plain-torch optimizer with its update) agrees with the batched estimator within 4 combined SE + 5% of λ.",
        _crosscheck,
    ),
    Probe(
        "settings-as-declared",
        "What ran is what the source and config declare: β = 1/log n (Lau et al. 2023, the estimator's definition) "
        "and, on every row, the configured ε·nβ or ε = min(0.2/(nβ h_max + γ), 1/nβ) from the row's own curvature.",
        _settings_as_declared,
    ),
    Probe(
        "rescaling-seeds-agree",
        "The rescaling check's estimate of the unrescaled network (its own chains) agrees with the table's estimate "
        "of the same model within 4 combined SE + 5% of λ.",
        _rescaling_seed_agrees,
    ),
    Probe(
        "rescaled-same-function",
        "The rescaled network computes the same function (a symmetry, so λ is equal).",
        _rescaled_same_function,
    ),
    Probe(
        "kgon-minimally-singular",
        "λ = rank(H)/2 applies: at each k-gon of the claim the population loss along every Hessian null direction "
        "is flat or grows like δ⁴ (a curved symmetry orbit), not like δ² (hidden curvature), and w* is a minimum of "
        "L_n with the same k.",
        _kgon_minimally_singular,
    ),
    Probe(
        "kgon-laplace",
        "At each k-gon of the claim λ̂ matches the Gaussian expectation of its own discretized localized chain "
        "computed from the Hessian's eigenvalues, within 4 SE + 10% (the sampler is right where the geometry is "
        "known).",
        _kgon_laplace,
    ),
    Probe(
        "kgon-loss",
        "The training loss at each k-gon matches its population loss by quadrature (data and model are the ones "
        "the closed formula describes).",
        _kgon_losses,
    ),
    Probe(
        "relu-rescaling-flat",
        "The known answer behind the ReLU twins' λ: rescaling each ReLU unit (w, b, a) → (c·w, c·b, a/c) leaves the "
        "loss unchanged to float precision and the Hessian (autograd) has one zero eigenvalue per active unit along "
        "those directions (rank d − H), while the GELU twin's same directions are curved (rank d); each twin's exact λ "
        "is its rank/2.",
        _relu_rescaling_flat,
    ),
    Probe(
        "kgon-null-is-symmetry",
        "At each k-gon of the claim every Hessian null direction is explained by a symmetry: the null space is the "
        "span of the rotation orbit's tangent and the dropped features' parameters, the loss is constant along the "
        "orbit itself, and it grows as δ⁴ along the tangent (a curved orbit) but δ² along the least-curved eigenvector "
        "(log-log fits over δ = 0.05…0.3); a quartic degeneracy would be a null direction outside that span.",
        _kgon_null_is_symmetry,
    ),
    Probe(
        "dln-formula-scan",
        "The L ≥ 3 deep-linear λ (Aoyagi 2024, Theorem 1) that each such table row is judged against equals a second "
        "computation of the theorem (prefix scan, integer arithmetic), which also agrees with the formula on every "
        "three-layer network of widths 1–4 and with the normal crossing (w₁w₂w₃)² at widths 1-1-1-1, r = 0.",
        _dln_formula_scan,
    ),
)
