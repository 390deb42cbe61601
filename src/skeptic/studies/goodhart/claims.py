"""The claims of the Goodhart study, the probes that must hold first, and the brief.

A claim is a statement a source makes that this experiment could contradict; identities, closed forms and facts
true by construction are probes of the code (issue 8). Tolerances were fixed from the sources before any run;
where a line is Skeptic's own rather than the source's, the claim says "Skeptic's line". Limits ("falls back to
E[V]") are checked at a finite but extreme point, shapes ("peaks, then declines") with an explicit criterion.
Exact quantities are :meth:`Estimate.exact` (quadrature error ~1e-10, far below every tolerance; the
normalization and closed-form probes check that); Monte Carlo ones carry their standard errors.

Sources and places. The statements of Kwa, Thomas & Garriga-Alonso 2024 (arXiv 2407.14503) are cited to the
theorem, figure or section named in issue 8's review; the paper's text was not re-read while writing this
module (no access from this machine), so a reader should check the wording against the paper.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

from skeptic.core.claims import (
    AtLeast,
    AtMost,
    Between,
    Claim,
    Close,
    Estimate,
    Increasing,
    Measurements,
    Probe,
    ProbeOutcome,
)
from skeptic.core.study import Brief

EXACT = "exact quadrature"
KWA_2024 = "Kwa, Thomas & Garriga-Alonso 2024 (arXiv 2407.14503)"
GAO = "Gao, Schulman & Hilton 2022 (arXiv 2210.10760), eqs. 1–2 and Figure 1 (fits of gold reward against d = √KL)"
TAYLOR = (
    "Taylor 2016, 'Quantilizers', section 'The conservative cost constraint' (as in Taylor's 2015 post of that"
    " section title): E_q[c] ≤ E_γ[c]/q for every cost c ≥ 0"
)
PAPER_N_MAX = 2.0**16
"""The paper's best-of-n figure (row 1) runs to n = 65536; the peak-then-decline claim is judged there."""
UNBOUNDED_SD = 10.0
"""Skeptic's line for 'grows without bound' at a finite threshold: beyond 10 σ_V (a curve that falls back to E[V]
or levels off at a few σ_V is far below it)."""
GAO_REL_RMS = 0.05
"""Skeptic's line for 'the functional form fits': RMS residual ≤ 5% of the curve's range."""

Measure = Callable[[Measurements], Estimate | Sequence[Estimate]]


def _f(x: Any) -> float:
    return float(x)


def _cond(m: Measurements, name: str) -> list[dict[str, Any]]:
    return [r for r in m["conditioning"] if r["error"] == name]


def _bon(m: Measurements, name: str) -> list[dict[str, Any]]:
    return [r for r in m["best_of_n"] if r["error"] == name]


# ---------------------------------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------------------------------


def remaining_gain_ratio(name: str) -> Measure:
    """(E[V|U≥t_far] − E[V]) / max over the grid of (E[V|U≥t] − E[V]); E[V] = 0 here."""

    def measure(m: Measurements) -> Estimate:
        rows = _cond(m, name)
        peak = max(_f(r["ev"]) for r in rows if not r["far"])
        far = next(_f(r["ev"]) for r in rows if r["far"])
        return Estimate.exact(far / peak, EXACT)

    return measure


def cond_curve(name: str) -> Measure:
    def measure(m: Measurements) -> Sequence[Estimate]:
        return [Estimate.exact(_f(r["ev"]), EXACT) for r in _cond(m, name) if not r["far"]]

    return measure


def cond_at_t_max(name: str) -> Measure:
    def measure(m: Measurements) -> Estimate:
        rows = [r for r in _cond(m, name) if not r["far"]]
        return Estimate.exact(_f(rows[-1]["ev"]) / m["sigma_v"], EXACT)

    return measure


def late_growth(name: str) -> Measure:
    """(E[V|U≥t_max] − E[V|U≥t_mid]) / (E[V|U≥t_mid] − E[V|U≥t_min]) on the threshold grid (t_mid its middle point):
    about 1 for linear growth, ~0.4 for √t growth, → 0 for a curve that levels off (exponential X)."""

    def measure(m: Measurements) -> Estimate:
        rows = [r for r in _cond(m, name) if not r["far"]]
        a, b, c = (_f(rows[i]["ev"]) for i in (0, len(rows) // 2, -1))
        return Estimate.exact((c - b) / (b - a), EXACT)

    return measure


def bon_final_over_peak(name: str, n_max: float = PAPER_N_MAX) -> Measure:
    """E[V] at n_max divided by the peak of E[V] over n ≤ n_max (1 if the peak is the last point)."""

    def measure(m: Measurements) -> Estimate:
        rows = [r for r in _bon(m, name) if r["n"] <= n_max * (1 + 1e-9)]
        if rows[-1]["n"] < n_max * (1 - 1e-9):
            raise ValueError(f"the curve stops at n = {rows[-1]['n']:g}; the figure runs to {n_max:g}")
        ev = [_f(r["ev"]) for r in rows]
        return Estimate.exact(ev[-1] / max(ev), EXACT)

    return measure


def bon_peak_n(name: str) -> Measure:
    """The n at which the exact best-of-n E[V] peaks (located to a factor 2^(1/256) around the grid's argmax)."""

    def measure(m: Measurements) -> Estimate:
        peak = _f(m["bon_peak_n"][name])
        if math.isnan(peak):
            raise ValueError("E[V] peaks at an end of the n grid: no interior peak to locate")
        return Estimate.exact(peak, EXACT + " (n located to 0.3%)")

    return measure


def levy_bon_gain(m: Measurements) -> Estimate:
    """Largest best-of-n E[V] − E[V] with Lévy X, over the normal-error curve's E[V] at n = 2^16 (same figure)."""
    levy = max(_f(r["ev"]) for r in _bon(m, "levy"))
    normal = next(_f(r["ev"]) for r in _bon(m, "normal") if r["n"] == PAPER_N_MAX)
    return Estimate.exact(levy / normal, EXACT)


def gao_fit(name: str, form: str) -> Measure:
    def measure(m: Measurements) -> Estimate:
        row = next(r for r in m["gao_fits"] if r["error"] == name and r["form"] == form)
        return Estimate.exact(row["rel_rms"], "least squares on the exact curve")

    return measure


def taylor_max_ratio(m: Measurements) -> Estimate:
    return Estimate.exact(max(r["ratio"] for r in m["taylor"]), "exact quadrature (scipy quad)")


def _mix(m: Measurements, name: str, rule: str) -> list[dict[str, Any]]:
    return [r for r in m["upweighted_tail"] if r["error"] == name and r["rule"] == rule]


def mix_last(name: str, rule: str, key: str, unit: str | None = None) -> Measure:
    def measure(m: Measurements) -> Estimate:
        value = _f(_mix(m, name, rule)[-1][key])
        return Estimate.exact(value / (m[unit] if unit else 1.0), EXACT)

    return measure


def exponential_tilt_sup(m: Measurements) -> Estimate:
    """The largest E_π[V] of the KL-optimal policy over the β grid where it exists, in units of σ_V."""
    rows = [r for r in m["tilt"] if r["error"] == "exponential" and r["truncation"] == "none"]
    finite = [_f(r["ev"]) for r in rows if math.isfinite(_f(r["ev"]))]
    return Estimate.exact(max(finite) / m["sigma_v"], EXACT)


def dependent_at_max(m: Measurements) -> Estimate:
    return Estimate.exact(m["dependence"][-1]["dependent"], EXACT)


# ---------------------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------------------

HEAVY_NAMES = {
    "t3": "t3",
    "t5": "t5",
    "lognormal": "the paper's lognormal(0, ln 2) − 1",
    "lognormal-std": "LN(0, 1) standardized (variant)",
    "pareto": "Pareto α = 3",
}

CLAIMS = (
    *(
        Claim(
            f"thm5-{name}",
            f"Heavy-tailed X = {label}, normal V, independent: E[V | U ≥ t] → E[V] as t → ∞. Checked at t = t_far "
            "(1e4): the remaining gain is at most 5% of the peak gain over t (Skeptic's line).",
            f"{KWA_2024}, Theorem 5",
            remaining_gain_ratio(name),
            AtMost(0.05),
            own_threshold=True,
        )
        for name, label in HEAVY_NAMES.items()
    ),
    *(
        claim
        for name in ("uniform", "weibull1.5")
        for claim in (
            Claim(
                f"thm6-{name}-increasing",
                f"Light-tailed X other than normal ({name}, tails thinner than every exponential), normal V: "
                "E[V | U ≥ t] increases along the whole threshold grid.",
                f"{KWA_2024}, Theorem 6",
                cond_curve(name),
                Increasing(),
            ),
            Claim(
                f"thm6-{name}-unbounded",
                f"Light-tailed X = {name}: E[V | U ≥ t] grows without bound; at the largest threshold (20 σ_U) it "
                "exceeds 10 σ_V (Skeptic's line).",
                f"{KWA_2024}, Theorem 6",
                cond_at_t_max(name),
                AtLeast(UNBOUNDED_SD),
                own_threshold=True,
            ),
            Claim(
                f"thm6-{name}-still-growing",
                f"Light-tailed X = {name}, 'without bound' on a second yardstick: the gain over the upper half "
                "of the threshold grid is at least 10% of the gain over the lower half (Skeptic's line; a curve with a "
                "finite limit, as for exponential X, gives ~0).",
                f"{KWA_2024}, Theorem 6",
                late_growth(name),
                AtLeast(0.1),
                own_threshold=True,
            ),
        )
    ),
    *(
        Claim(
            f"bon-{name}-peaks",
            f"Best of n, X = {HEAVY_NAMES[name]}: E[V] peaks at moderate n, then declines: at n = 2^16 it is at "
            "least 10% below its peak (Skeptic's line for 'declines').",
            f"{KWA_2024}, synthetic best-of-n figure, row 1",
            bon_final_over_peak(name),
            AtMost(0.9),
            own_threshold=True,
        )
        for name in ("t3", "t5", "lognormal", "lognormal-std")
    ),
    *(
        Claim(
            f"bon-{name}-peak-n",
            f"Best of n, X = {HEAVY_NAMES[name]}: the decline starts around n = 10² to 10³ (the caption's range, "
            "taken literally: the peak of E[V] lies in [100, 1000]).",
            f"{KWA_2024}, synthetic best-of-n figure, caption",
            bon_peak_n(name),
            Between(100.0, 1000.0),
        )
        for name in ("t3", "t5", "lognormal")
    ),
    Claim(
        "bon-row2-peak-n",
        "Best of n, V = 2·t10 (unit-variance t10 scaled by 2), X = t5: E[V] peaks around n = 10^5 (Skeptic's "
        "reading of 'around': within half a decade, [10^4.5, 10^5.5]).",
        f"{KWA_2024}, synthetic best-of-n figure, row 2 caption ('peaks around 10^5, declines afterwards')",
        bon_peak_n("row2"),
        Between(10**4.5, 10**5.5),
        own_threshold="the caption says 'around 10^5'; half a decade either side is Skeptic's reading",
    ),
    Claim(
        "bon-row2-declines",
        "...and declines afterwards: at n = 2^24 E[V] is at least 1% below its peak (Skeptic's line).",
        f"{KWA_2024}, synthetic best-of-n figure, row 2 caption",
        bon_final_over_peak("row2", 2.0**24),
        AtMost(0.99),
        own_threshold=True,
    ),
    Claim(
        "bon-levy-flat",
        "Best of n with Lévy X (scale 1, σ_V = 2): true utility never rises significantly above zero. 'Significantly' "
        "is Skeptic's line: the largest E[V] over n stays below 10% of what normal error gives at n = 2^16 in the "
        "same figure (the levy_scan measurement shows how the gain grows with σ_V over the Lévy scale).",
        f"{KWA_2024}, synthetic best-of-n figure, caption (Lévy error)",
        levy_bon_gain,
        AtMost(0.1),
        own_threshold=True,
    ),
    *(
        Claim(
            f"gao-bon-form-{name}",
            f"Gao et al.'s best-of-n form R(d) = d(α − βd), d = √KL, fits the exact best-of-n E[V] curve for X = "
            f"{name} (n = 1 ... 2^16): RMS residual ≤ 5% of the curve's range (Skeptic's line; Gao et al. judge "
            "their fits by eye; the gao_fits table also gives the fit over n ≤ 256, a second yardstick).",
            GAO,
            gao_fit(name, "bon"),
            AtMost(GAO_REL_RMS),
            own_threshold=True,
        )
        for name in ("normal", "t3", "t5", "lognormal", "lognormal-std")
    ),
    Claim(
        "taylor-bound",
        "Quantilizer cost bound E_q[c] ≤ E_π0[c]/q, on the cost c = 1{X ≥ x_q} (the error is extreme), which comes "
        "close to the bound when X is heavy-tailed: the ratio E_q[c]/(E_π0[c]/q) is ≤ 1 for q = 0.1 ... 1e-6 and "
        "every paper error (1e-9 numerical slack).",
        TAYLOR,
        taylor_max_ratio,
        AtMost(1.0 + 1e-9),
    ),
    Claim(
        "kl-heavy-small-kl",
        "KL does not rescue heavy-tailed X (t3): the tail-upweighting policy with ε = t^-0.8 has KL → 0; at t = 1e8 "
        "KL ≤ 0.01 nats (Skeptic's line).",
        f"{KWA_2024}, Figure 3",
        mix_last("t3", "t^-0.8", "kl"),
        AtMost(0.01),
        own_threshold=True,
    ),
    Claim(
        "kl-heavy-high-reward",
        "...while its proxy reward E_π[U] − E_π0[U] grows without bound: at t = 1e8 it exceeds 5 σ_U (Skeptic's line).",
        f"{KWA_2024}, Figure 3",
        mix_last("t3", "t^-0.8", "gain_u", "sigma_u"),
        AtLeast(5.0),
        own_threshold=True,
    ),
    *(
        Claim(
            f"thm1-kl-{name}",
            f"Theorem 1's construction (the tail {{U ≥ t}} upweighted to ε = c/t, c = 10, which gains at least c in "
            f"E[U]) with heavy-tailed X = {name}: its KL from the base goes to 0; at t = 1e8 KL ≤ 0.01 nats "
            "(Skeptic's line).",
            f"{KWA_2024}, Theorem 1 (proof construction)",
            mix_last(name, "c/t", "kl"),
            AtMost(0.01),
            own_threshold=True,
        )
        for name in ("t3", "lognormal")
    ),
    Claim(
        "kl-light-exponential",
        "Light-tailed error (the paper counts X with E[e^{λX}] < ∞ for some λ > 0, e.g. the exponential, as "
        "light-tailed): the KL-optimal policy π ∝ π0·e^{U/β} reaches arbitrarily high true utility as the penalty "
        "weakens. Checked on exponential X (rate λ = 1): the largest E_π[V] over the β where π exists exceeds "
        "10 σ_V (Skeptic's line).",
        f"{KWA_2024}, abstract and the light-tailed result ('optimal policies under less restrictive KL penalties "
        "achieve arbitrarily high utility')",
        exponential_tilt_sup,
        AtLeast(UNBOUNDED_SD),
        own_threshold=True,
    ),
    Claim(
        "dependence-limit-zero",
        "Kwa's dependent example (V ~ N(0,1); X ~ N(0, 2²) where |V| ≤ 1, else 0): E[V | U ≥ t] → 0. Checked at "
        "t = 1000: within 0.1 of 0.",
        f"{KWA_2024}, Discussion (independence assumptions)",
        dependent_at_max,
        Close(0.0, 0.1),
    ),
)


# ---------------------------------------------------------------------------------------------------
# Probes: each states the general invariant it checks
# ---------------------------------------------------------------------------------------------------

Z_MAX = 4.0
"""Exact and MC must agree within 4 standard errors (two-sided 6e-5 per comparison; ~70 comparisons)."""

SETUP_SPEC: dict[str, tuple[float, float, float | None]] = {
    # name: (mean, variance, tail slope d log S / d log x at x = 1e6; None where not a power law)
    "normal": (0.0, 1.0, None),
    "t3": (0.0, 1.0, -3.0),
    "t5": (0.0, 1.0, -5.0),
    "lognormal": (
        math.exp(math.log(2) ** 2 / 2) - 1,
        (math.exp(math.log(2) ** 2) - 1) * math.exp(math.log(2) ** 2),
        None,
    ),
    "lognormal-std": (0.0, 1.0, None),
    "pareto": (0.0, 1.0, -3.0),
    "exponential": (0.0, 1.0, None),
    "levy": (math.inf, math.inf, -0.5),
    "uniform": (0.0, 1.0, None),
    "weibull1.5": (0.0, 1.0, None),
}
"""The paper's setup, written from its description (issue 8), independently of ``distributions.py``."""


def _inverse_mills(z: float) -> float:
    from scipy import stats

    return float(math.exp(stats.norm.logpdf(z) - stats.norm.logsf(z)))


def exact_vs_mc(m: Measurements) -> ProbeOutcome:
    zs = [(abs(_f(c["z"])), c) for c in m["mc_checks"]]
    bad = [c for z, c in zs if not (z <= Z_MAX)]
    worst = max(zs, key=lambda p: p[0] if math.isfinite(p[0]) else math.inf)
    w = worst[1]
    detail = f"{len(zs)} comparisons, max |z| = {worst[0]:.2f} ({w['kind']}, {w['error']}, at {w['at']:g})"
    if bad:
        detail += f"; {len(bad)} beyond {Z_MAX:g} SE: " + ", ".join(
            f"{c['kind']}/{c['error']}@{c['at']:g}" for c in bad
        )
    return ProbeOutcome(not bad, detail)


def closed_forms(m: Measurements) -> ProbeOutcome:
    """Every closed form of the model the code must reproduce (relative error ≤ 1e-8)."""
    sv, su = m["sigma_v"], m["sigma_u"]
    c = m["closed_form"]
    errs: dict[str, float] = {
        "best-of-2": abs(c["best_of_2"] / c["best_of_2_exact"] - 1),
        "best-of-3": abs(c["best_of_3"] / c["best_of_3_exact"] - 1),
        "best-of-1": abs(c["best_of_1"]),
        "E[V|U=u] = u σ_V²/σ_U²": m["normal_identity_max_rel_err"],
    }
    # normal–normal conditioning: E[V | U ≥ t] = σ_V²/σ_U · φ(z)/S(z), z = t/σ_U (Theorem 6's normal case)
    errs["E[V|U≥t] normal–normal"] = max(
        abs(_f(r["ev"]) / (sv**2 / su * _inverse_mills(r["t"] / su)) - 1) for r in _cond(m, "normal")
    )
    # normal–normal best of n: E[V] = σ_V²/σ_U² · E[U] at every n (and hence rising with n)
    rows = _bon(m, "normal")
    errs["best-of-n E[V] = σ_V²/σ_U² E[U]"] = max(
        abs(_f(r["ev"]) - sv**2 / su**2 * _f(r["eu"])) / max(1.0, abs(_f(r["ev"]))) for r in rows
    )
    errs["best-of-n normal rises"] = 0.0 if all(_f(b["ev"]) > _f(a["ev"]) for a, b in itertools.pairwise(rows)) else 1.0
    # exponential X (rate 1): E[V | U ≥ t] → μ_V + σ_V²λ; at 20 σ_U the remainder is ~1e-80
    last = [r for r in _cond(m, "exponential") if not r["far"]][-1]
    errs["exponential limit σ_V²λ"] = abs(_f(last["ev"]) / sv**2 - 1)
    # the tilt π ∝ π0 e^{U/β} of normal V ⟂ X: E_π[V] = σ_V²/β whatever X is, and infinite normalizer iff Z = ∞
    for r in m["tilt"]:
        if r["truncation"] != "none" or r["error"] not in ("normal", "exponential"):
            continue
        exists = not (r["error"] == "exponential" and r["beta"] <= 1.0)
        ev = _f(r["ev"])
        key = f"tilt E_π[V] = σ_V²/β ({r['error']})"
        err = abs(ev * r["beta"] / sv**2 - 1) if exists else (0.0 if math.isnan(ev) else 1.0)
        errs[key] = max(errs.get(key, 0.0), err if math.isfinite(err) else 1.0)
    worst = max(errs, key=lambda k: errs[k])
    return ProbeOutcome(all(e <= 1e-8 for e in errs.values()), f"worst: {worst} off by {errs[worst]:.1e} (limit 1e-8)")


def normalization(m: Measurements) -> ProbeOutcome:
    e = m["normalization_error"]
    worst = max(e, key=lambda k: e[k])
    return ProbeOutcome(all(v <= 1e-6 for v in e.values()), f"largest |∫ − 1|: {worst} {e[worst]:.1e} (limit 1e-6)")


def kl_numeric(m: Measurements) -> ProbeOutcome:
    """KL(best of n ‖ base) = log n − (n−1)/n agrees with E[log(n F^{n−1})] integrated on the grid."""
    worst = max(abs(r["kl"] - r["kl_numeric"]) for r in m["best_of_n"])
    return ProbeOutcome(worst <= 1e-6, f"max |formula − numeric| = {worst:.1e} nats (limit 1e-6)")


def seed_agreement(m: Measurements) -> ProbeOutcome:
    """Two independent seeds agree within 4 SE, and are not identical (identical draws mean a shared stream)."""
    s = m["seed_agreement"]
    z = (s["a"] - s["b"]) / math.hypot(s["se_a"], s["se_b"])
    same = s["a"] == s["b"]
    return ProbeOutcome(
        abs(z) <= Z_MAX and not same,
        f"two seeds, E[V | U ≥ σ_U] with t3 X: {s['a']:.6f} vs {s['b']:.6f}, z = {z:.2f}"
        + ("; identical: the seeds share one random stream" if same else ""),
    )


def setup(m: Measurements) -> ProbeOutcome:
    """Each error's mean, variance and tail slope match the paper's setup (relative 1e-6; slope within 0.05)."""
    bad = []
    for name, (mean, var, slope) in SETUP_SPEC.items():
        got = m["setup"].get(name)
        if got is None:
            bad.append(f"{name} missing")
            continue
        gm, gv, gs = _f(got["mean"]), _f(got["var"]), _f(got["tail_slope"])
        if not (gm == mean or abs(gm - mean) <= 1e-6 * max(1.0, abs(mean))):
            bad.append(f"{name} mean {gm:.4g} ≠ {mean:.4g}")
        if not (gv == var or abs(gv - var) <= 1e-6 * max(1.0, abs(var))):
            bad.append(f"{name} variance {gv:.4g} ≠ {var:.4g}")
        if slope is not None and not abs(gs - slope) <= 0.05:
            bad.append(f"{name} tail slope {gs:.3g} ≠ {slope:g}")
    return ProbeOutcome(not bad, "; ".join(bad) if bad else f"{len(SETUP_SPEC)} error distributions match the setup")


def limits(m: Measurements) -> ProbeOutcome:
    """Limit cases: best of 1 is the base (E[V] = 0, KL = 0); upweighting the tail to its own mass p is the base
    (KL = 0, no gain); with V ⟂ heavy-tailed X the upweighting policies gain no true utility far out (Theorem 5)."""
    bon1 = [abs(_f(r["ev"])) for r in m["best_of_n"] if r["n"] == 1.0]
    kl1 = [abs(r["kl"]) for r in m["best_of_n"] if r["n"] == 1.0]
    b = m["upweighted_base"]
    far_v = max(abs(_f(r["gain_v"])) for r in m["upweighted_tail"] if r["error"] != "normal" and r["t"] >= 1e8)
    errs = {  # name: (error, limit)
        # the best-of-1 error is a quadrature error of the same size as the normalization probe's (limit 1e-6)
        "best-of-1 E[V] / σ_V": (max(bon1) / m["sigma_v"], 1e-6),
        "best-of-1 KL": (max(kl1), 1e-8),
        "ε = p KL": (abs(b["kl"]), 1e-8),
        "ε = p gain": (max(abs(b["gain_v"]), abs(b["gain_u"])), 1e-8),
        "heavy X, t = 1e8: |true-utility gain| / σ_V": (far_v / m["sigma_v"], 1e-3),
    }
    bad = [k for k, (e, lim) in errs.items() if not e <= lim]
    worst = max(errs, key=lambda k: errs[k][0] / errs[k][1])
    return ProbeOutcome(not bad, f"worst: {worst} {errs[worst][0]:.1e} (limit {errs[worst][1]:g})")


def dependence(m: Measurements) -> ProbeOutcome:
    """Kwa's example: E[V | U ≥ t] stays below the edge of the noisy region (1) everywhere, and its gap to 1
    follows the asymptote 4/(t − 5) within 5% for t ≥ 40 (the correction is O(1/t³))."""
    rows = m["dependence"]
    top = max(r["dependent"] for r in rows)
    far = [abs((1 - r["dependent"]) / (1 - _f(r["asymptote"])) - 1) for r in rows if r["t"] >= 40]
    ok = top < 1.0 and max(far) <= 0.05
    return ProbeOutcome(
        ok, f"max E[V|U≥t] = {top:.4f} (< 1); gap to 1 vs 4/(t − 5) for t ≥ 40: max rel. dev. {max(far):.1e}"
    )


def learned_proxy(m: Measurements) -> ProbeOutcome:
    """A degree-1 proxy's maximum over [−R, R] is the endpoint sign(slope)·R, so its true utility is V(±R)."""
    import numpy as np

    lp = m["learned_proxy"]
    bad = 0
    for r in lp["rows"]:
        if r["degree"] != 1:
            continue
        for val, sign in zip(r["v_proxy"], r["slope_sign"], strict=True):
            want = sign * r["range"] * math.exp(-(r["range"] ** 2) / 8)
            bad += int(not np.isclose(val, want, rtol=1e-9, atol=1e-12))
    return ProbeOutcome(bad == 0, f"{bad} degree-1 fits whose optimum is not the endpoint")


PROBES = (
    Probe(
        "exact-vs-mc",
        "Exact quadrature agrees with independent Monte Carlo within 4 SE (conditioning for every X, best of n for "
        "every X and row 2, quantilizer, Taylor's cost, tilt, dependent example).",
        exact_vs_mc,
    ),
    Probe(
        "closed-forms",
        "The model's closed forms: normal–normal E[V|U≥t] (Theorem 6's normal case), best of 2 and 3, E[V] = "
        "σ_V²/σ_U²·E[U] for best of n (so it rises), E[V|U=u] = u σ_V²/σ_U², the exponential limit σ_V²λ, and the "
        "tilt's E_π[V] = σ_V²/β whatever X is (and no tilt of exponential X at β ≤ 1/λ).",
        closed_forms,
    ),
    Probe(
        "normalization", "∫ f_U du = 1 and ∫ n F_U^{n−1} f_U du = 1 on the quadrature grid, for every X.", normalization
    ),
    Probe("kl-numeric", "The best-of-n KL formula log n − (n−1)/n agrees with numerical integration.", kl_numeric),
    Probe(
        "seed-agreement", "Two independent Monte Carlo seeds agree within 4 SE and are not identical.", seed_agreement
    ),
    Probe("setup", "Each error distribution has the paper's mean, variance and tail index.", setup),
    Probe(
        "limits",
        "Limit cases: best of 1 and ε = p are the base policy; heavy X, t = 1e8: no true-utility gain.",
        limits,
    ),
    Probe("dependence", "Kwa's dependent example stays below 1 and follows its asymptote 1 − 4/(t − 5).", dependence),
    Probe(
        "learned-proxy",
        "A degree-1 proxy's optimum is the search range's endpoint (checks the optimizer).",
        learned_proxy,
    ),
)


# ---------------------------------------------------------------------------------------------------
# The brief
# ---------------------------------------------------------------------------------------------------


_TAIL_WORDS = {
    "t3": "Student-t (3 degrees of freedom)",
    "t5": "Student-t (5 degrees of freedom)",
    "lognormal": "the paper's lognormal",
    "lognormal-std": "a standardized lognormal",
    "levy": "Lévy",
}


def _verdict(result: Any, claim_id: str) -> str | None:
    return next((c["verdict"] for c in result.claims if c["id"] == claim_id), None)


def _bon_ends(m: Measurements, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The best-of-n row where E[V] peaks and the row at the paper's largest n."""
    rows = _bon(m, name)
    peak = max(rows, key=lambda r: _f(r["ev"]))
    last = max(rows, key=lambda r: _f(r["n"]))
    return peak, last


def _answer(result: Any) -> str:
    """The index card's answer: what harder selection does to true value, light vs heavy-tailed error."""
    m = result.measurements
    sv = m["sigma_v"]
    _, normal_last = _bon_ends(m, "normal")
    t3_peak, t3_last = _bon_ends(m, "t3")
    return (
        f"Picking the best option by a noisy score keeps paying off only when large errors are rare: with normal "
        f"error the best of {_f(normal_last['n']):,.0f} options is {_f(normal_last['ev']) / sv:.1f} standard "
        f"deviations of true value above average. With heavy-tailed error the gain peaks (at "
        f"{_f(t3_peak['ev']) / sv:.2f} SD near n ≈ {_f(t3_peak['n']):,.0f} for a Student-t error) and then falls "
        f"back towards zero ({_f(t3_last['ev']) / sv:.2f} SD at n = {_f(t3_last['n']):,.0f}): the harder you "
        "select, the more you select for error."
    )


def _found(result: Any) -> str:
    """'What we found', written from the run's measurements (prose, no claim ids)."""
    m = result.measurements
    sv = m["sigma_v"]
    paras = []

    _, normal_last = _bon_ends(m, "normal")
    heavy = []
    for name in ("t3", "t5", "lognormal"):
        peak, last = _bon_ends(m, name)
        heavy.append(
            f"with {_TAIL_WORDS[name]} error it peaks at {_f(peak['ev']):.2f} near n ≈ {_f(peak['n']):,.0f} and is "
            f"back down to {_f(last['ev']):.2f} at n = {_f(last['n']):,.0f}"
        )
    paras.append(
        f"**Best of n.** True value V has standard deviation {sv:g} and the error unit variance. Choosing the best "
        f"of n options by the proxy, the expected true value keeps rising with normal error (to "
        f"{_f(normal_last['ev']):.2f} at n = {_f(normal_last['n']):,.0f}), but "
        + "; ".join(heavy)
        + ". "
        + _peak_sentence(result, m)
    )

    cond = {name: max(_f(r["t"]) for r in _cond(m, name)) for name in ("normal", "t3", "uniform", "weibull1.5")}
    far = {
        name: max((r for r in _cond(m, name) if _f(r["t"]) == cond[name]), key=lambda r: _f(r["t"])) for name in cond
    }
    weibull = _verdict(result, "thm6-weibull1.5-unbounded")
    paras.append(
        "**Conditioning on a high score.** Asking only that the proxy exceed a threshold t gives the same picture: "
        f"at the largest threshold E[V | U ≥ t] is {_f(far['normal']['ev']):.1f} with normal error and "
        f"{_f(far['t3']['ev']):.3f} with Student-t error, whose gain fades to nothing as t grows. Errors with tails "
        f"thinner than every exponential also keep the gain rising (uniform {_f(far['uniform']['ev']):.1f}, "
        f"Weibull(1.5) {_f(far['weibull1.5']['ev']):.1f} at the largest threshold)"
        + (
            ", though the Weibull's growth is slower than our line for 'without bound' (10 standard deviations of V "
            "at 20 standard deviations of U): it still rises, just not that fast on this grid."
            if weibull == "not_replicated"
            else "."
        )
    )

    tilt = exponential_tilt_sup(m).value * sv
    kl = (
        "**A KL penalty.** With Student-t error a policy that upweights the far tail of the proxy gains proxy score "
        "without bound while its KL divergence from the base policy goes to zero, and it gains no true value: a "
        "KL penalty cannot tell it apart from the base policy."
    )
    up = _mix(m, "t3", "t^-0.8")
    if up:
        last = max(up, key=lambda r: _f(r["t"]))
        kl += (
            f" At a threshold of 10^{math.log10(_f(last['t'])):.0f} it gains {_f(last['gain_u']):.1f} in proxy "
            f"score and {_f(last['gain_v']):.1g} in true value at a KL of {_f(last['kl']):.1g} nats."
        )
    if _verdict(result, "kl-light-exponential") == "not_replicated":
        kl += (
            f" The paper counts exponential error as light-tailed, but there the KL-optimal policy exists only for "
            f"β > 1/λ and its E[V] stays below σ_V²λ = {sv**2:g} (largest on our grid {tilt:.4g}): it does not grow "
            "without bound, so that case does not behave like the other light tails."
        )
    paras.append(kl)

    gao = [c for c in result.claims if c["id"].startswith("gao-bon-form-") and c["id"] != "gao-bon-form-normal"]
    gao_failed = [c for c in gao if c["verdict"] == "not_replicated"]
    if gao_failed:
        paras.append(
            "**Gao et al.'s curve shapes.** Their best-of-n form d(α − βd) in d = √KL fits the exact curve for normal "
            f"error almost perfectly, but not for {len(gao_failed)} of the {len(gao)} heavy-tailed errors: their "
            "rise-and-fall is sharper than the parabola allows (residuals above 5% of the curve's range, a line "
            "Skeptic drew)."
        )

    dep = m["dependence"][-1]
    dep_sentence = (
        f"**When the error depends on the value.** In Kwa's example where the error vanishes for |V| > 1, "
        f"E[V | U ≥ {_f(dep['t']):.0f}] = {_f(dep['dependent']):.3f}"
    )
    if _verdict(result, "dependence-limit-zero") == "not_replicated":
        dep_sentence += (
            ": the limit is 1 (approached as 1 − 4/(t − 5)), not 0 as the paper states. Independence matters, and "
            "dropping it can change the answer in either direction."
        )
    else:
        dep_sentence += "."
    paras.append(dep_sentence)

    scan = m.get("levy_scan") or []
    if scan:
        lo, hi = scan[0], scan[-1]
        paras.append(
            f"**Lévy error** (so heavy it has no mean) leaves almost nothing to gain: best of n adds at most "
            f"{_f(lo['bon_peak_gain']):.2f}–{_f(hi['bon_peak_gain']):.2f} standard deviations of V as σ_V goes from "
            f"{_f(lo['sigma_v']):g} to {_f(hi['sigma_v']):g} times the Lévy scale."
        )

    counts = {v: sum(c["verdict"] == v for c in result.claims) for v in ("replicated", "not_replicated")}
    paras.append(
        f"In all, {counts['replicated']} of {len(result.claims)} claims replicated on the {result.preset} preset; "
        "the disagreements above are findings, each shown with its measurement in the claim table."
    )
    return "\n\n".join(paras)


def _peak_sentence(result: Any, m: Measurements) -> str:
    row2 = _bon(m, "row2")
    p2 = max(row2, key=lambda r: _f(r["ev"]))
    text = (
        f"The paper's second setting (V = 2·t10, X = t5) peaks later, near n ≈ {_f(p2['n']):.3g}, and declines "
        "after it."
    )
    if _verdict(result, "bon-lognormal-peak-n") == "not_replicated":
        peak, _ = _bon_ends(m, "lognormal")
        text += (
            f" The lognormal's peak comes at n ≈ {_f(peak['n']):.0f}, just before the 100 to 1,000 the paper's caption "
            "gives: the shape agrees, the place is slightly off."
        )
    return text


BRIEF = Brief(
    claimed=(
        "If you pick options by a score that equals true value plus an independent error, what you get depends on the "
        "error's tails. When large errors are rare faster than every exponential (normal-like), the harder you select, "
        "the more true value you get (Kwa, Thomas & Garriga-Alonso 2024, Theorem 6). When large errors are rarer only "
        "slower than every exponential ('heavy-tailed': Student-t and Pareto power laws, but also the lognormal, "
        "whose tail is not a power law), extreme scores are mostly extreme errors, and selecting harder eventually "
        "gives no more true value than not selecting at all (Theorem 5; best-of-n figure). A KL penalty towards the "
        "base model does not help with heavy-tailed error: a policy can gain arbitrarily much score at almost no KL "
        "cost with no gain in true value (Theorem 1, Figure 3). Gao et al. (2022) summarize over-optimization curves "
        "by simple functions of √KL; Taylor (2016) bounds what a quantilizer can lose on any cost."
    ),
    ran=(
        "Exact numerical integration (not simulation) of the model: true value V ~ N(0, 2²) and error X normal, t3, "
        "t5, the authors' lognormal(0, ln 2) − 1 (and a standardized LN(0, 1) variant), Pareto, exponential, Lévy, "
        "uniform or Weibull(1.5); and the paper's second row (V = 2·t10, X = t5). Four ways to optimize the score: "
        "conditioning on a threshold, best of n (to 65536, row 2 to 2^24), quantilizers, and the KL-regularized "
        "optimum, all placed on one KL axis, with Gao et al.'s functional forms fitted to the exact curves. Monte "
        "Carlo simulations check a sample of the exact numbers (three thresholds per error, best of n up to n = 2^10 "
        "on the quick preset, two quantilizers and Taylor's cost per paper error, two tilts, the dependent example), "
        "not every number. Two experiments test the independence assumption: Kwa's example where the error depends "
        "on the value, and a proxy learned from data and used outside its training range."
    ),
    not_shown=(
        "This is a model, not a measurement of any real reward model: whether real proxy errors are heavy-tailed is an "
        "empirical question (Kwa et al. found current reward models consistent with light tails). Independence is a "
        "strong assumption; the dependence and learned-proxy experiments show Goodhart failures with light-tailed "
        "error too. Thresholds and n are finite: 'limit' claims are checked at extreme but finite points, and lines "
        "such as '10 σ_V' or '5% of the range' are Skeptic's, marked as such in each claim. The statements of Kwa et "
        "al. 2024 are cited to the places issue 8's review names; their wording was not re-read from the paper here. "
        "The learned-proxy experiment is Skeptic's own illustration, not a result from the sources."
    ),
    found=_found,
    answer=_answer,
    headline_figure="best_of_n",
    appendix=(
        "Why the tail decides: when the score is very high, the question is which term is more likely to be "
        "responsible. An error lighter than every exponential makes a huge error so unlikely that high scores come "
        "partly from high true value. A heavy-tailed error (slower than every exponential) eventually beats any "
        "normal true value, so the highest scores are almost all error. The exponential sits on the boundary: "
        "conditioning on U ≥ t gains a fixed σ_V²λ, however large t."
    ),
)
