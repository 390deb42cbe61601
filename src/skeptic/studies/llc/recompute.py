"""A second computation of every llc claim's quantity, from the raw outputs the run stored.

Each function here recomputes one claim's value and interval by separate code from the stored per-chain estimates,
exact λ recomputed from what the model is (d/2, rank(H)/2, (d − H)/2), and the SGD checkpoint records; the probe
``claims-recomputed`` (in ``claims.py``) compares them with what each claim's measure returns. A claim's measure that
reads the wrong row, family, arm, column or scale then disagrees with its recomputation, whatever the line. The one
quantity no stored output fixes exactly, the random-boundaries control of ``llc-over-training`` (500 Monte Carlo
placements), is checked against its exact expectation over every placement, within 5 of its Monte Carlo SE.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

Triple = tuple[float, float, float]
"""(value, lower end, upper end) of a claim's estimate."""

Z95 = 1.96
"""The claims state their intervals as ± 1.96 SE."""


def _chain_mean_se(chains: Sequence[float]) -> tuple[float, float]:
    c = [float(v) for v in chains]
    mean = math.fsum(c) / len(c)
    var = math.fsum((v - mean) ** 2 for v in c) / (len(c) - 1)
    return mean, math.sqrt(var / len(c))


def _plus_minus(v: float, se: float, floor: float | None = None) -> Triple:
    lo = v - Z95 * se
    return v, lo if floor is None else max(floor, lo), v + Z95 * se


def worst_family_error(table: list[dict[str, Any]], family: str) -> Triple:
    """max over the family's rows of |mean(chains)/λ − 1|, ± 1.96 SE(chains)/λ (floored at 0)."""
    best: tuple[float, float] | None = None
    for r in table:
        if r["family"] != family:
            continue
        mean, se = _chain_mean_se(r["chain_llcs"])
        err = abs(mean - r["exact"]) / r["exact"]
        if best is None or err > best[0]:
            best = (err, se / r["exact"])
    if best is None:
        raise ValueError(f"no {family} row")
    return _plus_minus(best[0], best[1], floor=0.0)


def ordering(table: list[dict[str, Any]], redraws: int = 2000) -> Triple:
    """Spearman ρ of the chain means against λ (scipy, one redraw at a time), with the 2.5–97.5% quantiles over
    redraws λ̂_i + SE_i·ξ (ξ from the generator the claim documents, ``default_rng(0)``)."""
    lam = np.array([r["exact"] for r in table], dtype=float)
    ms = [_chain_mean_se(r["chain_llcs"]) for r in table]
    est = np.array([a for a, _ in ms])
    se = np.nan_to_num(np.array([b for _, b in ms]), nan=0.0)
    rho = float(stats.spearmanr(lam, est).statistic)
    xi = np.random.default_rng(0).standard_normal((redraws, len(est)))
    rhos = [float(stats.spearmanr(lam, est + se * xi[i]).statistic) for i in range(redraws)]
    lo, hi = np.quantile(rhos, [0.025, 0.975])
    return rho, min(float(lo), rho), max(float(hi), rho)


def degeneracy(table: list[dict[str, Any]]) -> Triple:
    """max over RRR and DLN rows of mean(chains)/(d/2), ± 1.96 SE/(d/2)."""
    vals = [
        (_chain_mean_se(r["chain_llcs"]), r["d"] / 2)
        for r in table
        if r["family"] in ("reduced-rank regression", "deep linear network")
    ]
    (mean, se), half = max(vals, key=lambda x: x[0][0] / x[1])
    return _plus_minus(mean / half, se / half)


def rescaling(r: dict[str, Any]) -> Triple:
    return _plus_minus(
        abs(r["llc_rescaled"] - r["llc"]) / r["exact"], math.hypot(r["llc_se"], r["llc_rescaled_se"]) / r["exact"], 0.0
    )


def kgon_error(kgons: list[dict[str, Any]], known: Sequence[int]) -> Triple:
    """Worst |mean(chains)/λ − 1| over the known k-gons, λ = rank(H)/2 from the stored Hessian rank."""
    worst: tuple[float, float] | None = None
    for r in kgons:
        if r["k"] not in known:
            continue
        lam = r["hessian_rank"] / 2
        mean, se = _chain_mean_se(r["chain_llcs"])
        if worst is None or abs(mean / lam - 1) > worst[0]:
            worst = (abs(mean / lam - 1), se / lam)
    if worst is None:
        raise ValueError("no known k-gon")
    return _plus_minus(*worst, floor=0.0)


def kgon_order(kgons: list[dict[str, Any]]) -> Triple:
    """Smallest λ̂ rise between k-gons adjacent in population loss (highest loss first), ± 1.96 combined SE."""
    order = sorted(kgons, key=lambda r: r["population_loss"], reverse=True)
    steps = []
    for a, b in itertools.pairwise(order):
        (ma, sa), (mb, sb) = _chain_mean_se(a["chain_llcs"]), _chain_mean_se(b["chain_llcs"])
        steps.append((mb - ma, math.sqrt(sa * sa + sb * sb)))
    return _plus_minus(*min(steps, key=lambda x: x[0]))


def _is_minimum(r: dict[str, Any], share: float) -> bool:
    return bool(r["llc"] > 0 and r["gradient_bias_bound"] <= share * max(r["llc"], 1.0))


def _wilson(k: int, n: int) -> Triple:
    z = float(stats.norm.ppf(0.975))
    p, z2 = k / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def transitions(records: list[dict[str, Any]], at_minimum_share: float) -> Triple:
    """Share of stage boundaries (k changes between consecutive checkpoints of a run) where λ̂ at the new stage's
    last checkpoint exceeds λ̂ at the old stage's last one, among boundaries whose two checkpoints are minima by the
    rule λ̂ > 0 and gradient bias ≤ share·max(λ̂, 1); Wilson 95% interval; (nan, 0, 1) when none qualifies."""
    up = total = 0
    for s in {r["seed"] for r in records}:
        rs = sorted((r for r in records if r["seed"] == s), key=lambda r: r["step"])
        ends = [rs[i] for i in range(len(rs)) if i == len(rs) - 1 or rs[i + 1]["k"] != rs[i]["k"]]
        for a, b in itertools.pairwise(ends):
            if _is_minimum(a, at_minimum_share) and _is_minimum(b, at_minimum_share):
                total += 1
                up += b["llc"] > a["llc"]
    return (float("nan"), 0.0, 1.0) if total == 0 else _wilson(up, total)


def _segment_r2(y: np.ndarray, starts: Sequence[int]) -> float:
    resid = 0.0
    for a, b in zip(starts, [*starts[1:], len(y)], strict=False):
        resid += float(((y[a:b] - y[a:b].mean()) ** 2).sum())
    return 1 - resid / float(((y - y.mean()) ** 2).sum())


EXACT_PLACEMENTS_MAX = 20_000
"""Up to this many placements of the breaks are listed exactly (the presets have at most C(11, 5) = 462)."""


def random_break_control(records: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """Per run with two or more stages (as ``stage_r2`` skips the rest): the exact mean and SD of R² over every
    placement of the same number of breaks among the checkpoints (the control's expectation and spread); beyond
    ``EXACT_PLACEMENTS_MAX`` placements, over that many random ones."""
    out = []
    for s in sorted({r["seed"] for r in records}):
        rs = sorted((r for r in records if r["seed"] == s), key=lambda r: r["step"])
        y = np.array([r["llc"] for r in rs], dtype=float)
        nb = sum(rs[i]["k"] != rs[i - 1]["k"] for i in range(1, len(rs)))
        if nb == 0 or y.var() == 0:
            continue
        if math.comb(len(y) - 1, nb) <= EXACT_PLACEMENTS_MAX:
            every = [_segment_r2(y, [0, *c]) for c in itertools.combinations(range(1, len(y)), nb)]
        else:  # too many placements to list: a Monte Carlo 40 times the study's, whose own error is then negligible
            rng = np.random.default_rng(0)
            every = [
                _segment_r2(y, [0, *sorted(rng.choice(np.arange(1, len(y)), nb, replace=False).tolist())])
                for _ in range(EXACT_PLACEMENTS_MAX)
            ]
        out.append((float(np.mean(every)), float(np.std(every))))
    return out


def stage_r2(records: list[dict[str, Any]]) -> list[float]:
    """Per run with two or more stages, R² of the piecewise-constant fit with breaks at the changes of k."""
    out = []
    for s in sorted({r["seed"] for r in records}):
        rs = sorted((r for r in records if r["seed"] == s), key=lambda r: r["step"])
        y = np.array([r["llc"] for r in rs], dtype=float)
        starts = [i for i in range(len(rs)) if i == 0 or rs[i]["k"] != rs[i - 1]["k"]]
        if len(starts) < 2 or y.var() == 0:
            continue
        out.append(_segment_r2(y, starts))
    return out


def excess_mean(values: Sequence[float], share_at_min: float) -> Triple:
    """Mean of the per-run excess R², ± 1.96 × SD/√runs (a single run: an unbounded interval)."""
    if len(values) == 0:
        return float("nan"), -1.0, 1.0
    mean = math.fsum(values) / len(values)
    if len(values) == 1:
        return mean, -math.inf, math.inf
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))
    return _plus_minus(mean, sd / math.sqrt(len(values)))


def relu_error(t: dict[str, Any]) -> Triple:
    """|λ̂/λ − 1| of the ReLU twin with λ = (d − H)/2 (one flat rescaling direction per hidden unit)."""
    a = next(a for a in t["arms"] if a["activation"] == "relu")
    lam = (a["d"] - t["hidden"]) / 2
    return _plus_minus(abs(a["llc"] - lam) / lam, a["llc_se"] / lam, 0.0)


def relu_gelu_gap(t: dict[str, Any], gap_min: float, z: float) -> Triple:
    """(λ̂ second − λ̂ first)/(H/2) at the central step size; interval the hull over ε × 0.3, 1, 3 of ± 1.96 SE,
    widened to [0, 1] when an exact sampler would show less than ``gap_min`` of the gap or an arm has not relaxed
    (misses its exact-sampler target by over z SE + 10%, or ran a burn-in shorter than it needs)."""
    first, second = t["arms"]
    h2 = t["hidden"] / 2
    ends = []
    for f in ("0.3", "1", "3"):
        g = (second["llc_eps" + f] - first["llc_eps" + f]) / h2
        e = Z95 * math.sqrt(first["llc_se_eps" + f] ** 2 + second["llc_se_eps" + f] ** 2) / h2
        ends += [g - e, g + e]
    v = (second["llc_eps1"] - first["llc_eps1"]) / h2
    lo, hi = min(*ends, v), max(*ends, v)
    unrelaxed = any(
        abs(a["llc"] - a["target"]) > z * a["llc_se"] + 0.1 * a["target"]
        or ("burnin_needed" in a and a["num_burnin"] < a["burnin_needed"])
        for a in (first, second)
    )
    if unrelaxed or (t["resolution"]["gelu"] - t["resolution"]["relu"]) / h2 < gap_min:
        lo, hi = min(lo, 0.0), max(hi, 1.0)
    return v, lo, hi
