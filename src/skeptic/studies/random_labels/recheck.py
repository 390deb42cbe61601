"""Every claim's quantity computed a second time, apart from the claims' own measures and comparisons.

``claims-recomputed`` holds each claim's measured values, intervals and verdicts against what this module derives
from the stored per-net and per-seed rows with its own code: plain loops over the rows, its own Student-t and Wilson
intervals, its own censoring flags, and its own reading of the rise comparison (:class:`claims.RisesBy`). Nothing
here calls a helper of ``claims.py``; the comparisons of ``skeptic.study`` (core code, not the study's) are used for
the claims whose comparison is core's. A measure that reads the wrong row, arm, axis, seed or level, an interval with
a flag swapped, or a comparison with an index or a test inverted gives a value, an interval or a verdict that differs
from this one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from scipy import stats

from skeptic.studies.random_labels.config import RandomLabelsConfig
from skeptic.study import Estimate, Measurements

Point = tuple[float, float, float]
"""A value and its interval, (value, lo, hi)."""

NAN: Point = (math.nan, math.nan, math.nan)

NORM_KEYS = ("frobenius_over_margin_sq", "l2_path_over_margin_sq", "spectral_frobenius_over_margin_sq")
"""The margin-normalized norms Neyshabur et al. §2.1 compares, in the order the claim lists them."""


def t_interval(xs: Sequence[float]) -> Point:
    """Mean and 95% Student-t interval ``mean ± t_{0.975, n-1} s/√n`` (zero width for one value)."""
    n = len(xs)
    mean = sum(xs) / n
    if n == 1:
        return mean, mean, mean
    s2 = sum((x - mean) ** 2 for x in xs) / (n - 1)
    half = float(stats.t.ppf(0.975, n - 1)) * math.sqrt(s2 / n)
    return mean, mean - half, mean + half


def geometric_interval(ratios: Sequence[float], lower_bound_only: bool) -> Point:
    """Geometric mean with the t-interval of the logs mapped back; an upper end of +∞ when some ratio is only a
    lower bound (a run that never got there, counted at the step cap)."""
    logs = [math.log(r) if r > 0 else -math.inf for r in ratios]
    mean, lo, hi = t_interval(logs)
    return math.exp(mean), math.exp(lo), math.inf if lower_bound_only else math.exp(hi)


def wilson(successes: int, n: int) -> Point:
    """Wilson score 95% interval of a proportion, clipped to [0, 1]."""
    z = float(stats.norm.ppf(0.975))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return p, max(0.0, centre - half), min(1.0, centre + half)


def fitted_trend(levels: Sequence[float], steps: dict[int, list[int | None]], cap: int) -> Point:
    """exp(slope x range) of each seed's least-squares line of log(T(p) / T(0)) on p, with the t-interval over seeds
    (``steps[seed][k]``: steps at ``levels[k]``, ``None`` for a run that never got there, counted at ``cap``). A
    censored run above the mean level opens the upper end, below it the lower end; undefined if a p = 0 run is."""
    ps = [float(p) for p in levels]
    pbar = sum(ps) / len(ps)
    sxx = sum((p - pbar) ** 2 for p in ps)
    if any(ts[0] is None for ts in steps.values()):
        return NAN
    slopes, up, down = [], False, False
    for ts in steps.values():
        t0 = ts[0]
        assert t0 is not None
        ys = []
        for p, step in zip(ps, ts, strict=True):
            if step is None:
                up, down = up or p > pbar, down or p < pbar
            ys.append(math.log((cap if step is None else step) / t0))
        ybar = sum(ys) / len(ys)
        slopes.append(sum((p - pbar) * (y - ybar) for p, y in zip(ps, ys, strict=True)) / sxx * (ps[-1] - ps[0]))
    mean, lo, hi = t_interval(slopes)
    return math.exp(mean), 0.0 if down else math.exp(lo), math.inf if up else math.exp(hi)


def claim_points(m: Measurements, config: RandomLabelsConfig) -> dict[str, list[Point] | None]:
    """Each claim's values and intervals from the stored rows (``None``: the claim reads a part that was not run)."""
    main, cap = config.models[0], config.max_steps
    by_key: dict[tuple[str, str, float, int], dict[str, Any]] = {}
    for r in m["runs"]:
        if r["model"] == main:
            by_key[r["condition"], r["reg"], float(r["p"]), r["seed"]] = r
    seeds = sorted({r["seed"] for r in m["runs"] if r["model"] == main})

    def net(cond: str, seed: int, reg: str = "none", p: float | None = None) -> dict[str, Any]:
        level = p if p is not None else 1.0 if cond == "random_labels" else 0.0
        return by_key[cond, reg, float(level), seed]

    def paired(num: dict[int, dict[str, Any]], den: dict[int, dict[str, Any]], key: str) -> Point:
        """num / den steps by seed; undefined where a reference run never got there, a lower bound (cap) where a
        numerator run did not."""
        if any(den[s][key] is None for s in den):
            return NAN
        ratios = [(cap if num[s][key] is None else num[s][key]) / den[s][key] for s in sorted(num) if s in den]
        return geometric_interval(ratios, any(num[s][key] is None for s in num))

    def arm(cond: str, p: float | None = None) -> dict[int, dict[str, Any]]:
        return {s: net(cond, s, p=p) for s in seeds}

    def level(p: float) -> dict[int, dict[str, Any]]:
        return arm("true_labels") if p == 0.0 else arm("random_labels") if p == 1.0 else arm("corrupted", p)

    def trend(key: str) -> Point:
        return fitted_trend(config.corruption_levels, {s: [level(p)[s][key] for p in config.corruption_levels]
                                                       for s in seeds}, cap)  # fmt: skip

    conv, stop = f"loss_step_{config.converging_loss}", f"loss_step_{config.loss_stop}"
    out: dict[str, list[Point] | None] = {}
    fits = [r["train_acc"] for r in m["runs"] if r["reg"] == "none"
            and (r["model"] == main or r["condition"] in ("true_labels", "random_labels"))]  # fmt: skip
    out["fits-every-condition"] = [(min(fits),) * 3]
    out["noise-inputs-converge-before-random-labels"] = [
        paired(arm("random_labels"), arm(c), conv) for c in ("random_pixels", "gaussian")
    ]

    def by_size(key: str) -> list[Point]:
        pts = []
        for n in sorted({x["n"] for x in m["size_sweep"]}):
            at = {(x["condition"], x["seed"]): x for x in m["size_sweep"] if x["n"] == n}
            pts.append(paired({s: at["random_labels", s] for s in seeds}, {s: at["true_labels", s] for s in seeds},
                              key))  # fmt: skip
        return pts

    for yard, key in (("accuracy", "fit_step"), ("loss", stop)):
        out[f"slowdown-small-constant-factor-by-{yard}"] = by_size(key)
        out[f"noise-fit-time-grows-faster-with-n-by-{yard}"] = by_size(key)
        out[f"slowdown-grows-with-corruption-by-{yard}"] = [trend(key)]
    out["test-error-rises-with-corruption"] = [
        t_interval([1.0 - level(p)[s]["test_acc"] for s in seeds]) for p in config.corruption_levels
    ]
    if config.regularizers:
        out["regularizers-change-test-accuracy-modestly"] = [
            t_interval([net("true_labels", s, "wd_aug")["test_acc"] - net("true_labels", s)["test_acc"] for s in seeds])
        ]
        low = min(r["train_acc"] for r in m["runs"] if r["condition"] == "true_labels" and r["reg"] != "none")
        out["regularizers-do-not-stop-the-fit-true-labels"] = [(low, low, low)]

        def t(cond: str, s: int, reg: str = "none") -> float:
            step = net(cond, s, reg)[stop]
            return float(cap if step is None else step)

        slow = [(t("random_labels", s, "dropout") / t("random_labels", s))
                / (t("true_labels", s, "dropout") / t("true_labels", s)) for s in seeds]  # fmt: skip
        out["dropout-slows-noise-more-than-data"] = [
            geometric_interval(slow, any(net("random_labels", s, "dropout")[stop] is None for s in seeds))
        ]
    else:
        for cid in ("regularizers-change-test-accuracy-modestly", "regularizers-do-not-stop-the-fit-true-labels",
                    "dropout-slows-noise-more-than-data"):  # fmt: skip
            out[cid] = None
    noisy = [r for r in m["runs"] if r["model"] == main and r["condition"] == "corrupted" and r["reg"] == "none"
             and "learn_step_noisy_median" in r]  # fmt: skip
    out["clean-examples-learned-first"] = [
        geometric_interval([r["learn_step_noisy_median"] / r["learn_step_clean_median"] for r in noisy], False)
        if noisy else NAN
    ]  # fmt: skip

    def ratio(key: str, true_over_random: bool = False) -> Point:
        rs = []
        for s in seeds:
            a, b = net("random_labels", s)[key], net("true_labels", s)[key]
            rs.append(b / a if true_over_random else a / b)
        if not all(math.isfinite(x) and x > 0 for x in rs):
            return NAN
        return geometric_interval(rs, False)

    mlp_only = "norm_margin_median" in net("true_labels", seeds[0])  # Bartlett et al.'s margin: MLPs only
    out["normalized-margin-separates"] = [ratio("norm_margin_median", true_over_random=True)] if mlp_only else None
    out["norms-over-margin-separate"] = [ratio(k) for k in NORM_KEYS if k in net("true_labels", seeds[0])]
    out["sharpness-alone-does-not-separate"] = [ratio("worst_case_sharpness")]
    out["sharpness-with-norm-separates"] = [ratio("kl")]
    row = next(r for r in m["min_norm"] if r["condition"] == "true_labels"
               and r["bandwidth_factor"] == config.min_norm_bandwidth)  # fmt: skip
    out["min-norm-interpolant-generalizes"] = [wilson(round(row["test_acc"] * m["n_test"]), m["n_test"])]
    return out


def rises_verdict(points: Sequence[Point], rise: float, ratio: bool) -> str:
    """The verdict of "rises at every step, and by ``rise`` from first to last" read from the points directly:
    not replicated on a clear reversal (a later interval wholly below an earlier one) or when even the favourable
    ends of the first and last intervals are closer than ``rise``; replicated when every point is above the one
    before, the last interval lies wholly above the first, and even the unfavourable ends are ``rise`` apart;
    inconclusive otherwise (the reading :class:`claims.RisesBy` documents)."""
    for i, (_, lo_i, _) in enumerate(points):
        if any(points[j][2] < lo_i for j in range(i + 1, len(points))):
            return "not_replicated"
    (_, lo0, hi0), (_, lo1, hi1) = points[0], points[-1]
    if ratio:
        worst = lo1 / hi0 if hi0 > 0 else -math.inf
        best = hi1 / lo0 if lo0 > 0 else math.inf
    else:
        worst, best = lo1 - hi0, hi1 - lo0
    if best < rise:
        return "not_replicated"
    rising = all(points[k + 1][0] > points[k][0] for k in range(len(points) - 1))
    if rising and lo1 > hi0 and worst >= rise:
        return "replicated"
    return "inconclusive"


def verdict_of(comparison: Any, points: list[Point], single: bool) -> str:
    """A comparison's verdict on the recomputed points (``single``: the claim measures one estimate, not a list):
    the rise comparison read here, core's comparisons by their own (core) code on the recomputed estimates."""
    if type(comparison).__name__ == "RisesBy":
        return rises_verdict(points, float(comparison.rise), bool(comparison.ratio))
    estimates = [Estimate(v, lo, hi, "recomputed") for v, lo, hi in points]
    return str(comparison.evaluate(estimates[0] if single else estimates)[0])
