"""The claims of the Goodhart study and the probes that must hold first (the brief is in ``brief.py``).

A claim is a statement a source makes that this experiment could contradict; identities, closed forms and facts
true by construction are probes of the code (issue 8). Tolerances were fixed from the sources before any run;
where a line is Skeptic's own rather than the source's, the claim says "Skeptic's line". Limits ("falls back to
E[V]") are checked at a finite but extreme point, shapes ("peaks, then declines") with an explicit criterion.
Exact quantities are :meth:`Estimate.exact` (quadrature error ~1e-10, far below every tolerance; the
normalization and closed-form probes check that); Monte Carlo ones carry their standard errors.

Sources and places (issue 31). Every claim quotes Kwa, Thomas & Garriga-Alonso 2024 in its own words, read from the
authors' LaTeX (tkwa/catastrophic-goodhart, paper/main.tex at commit 7069bb8, whose abstract is arXiv v2's); the
quotes keep the LaTeX source's notation. Each claim declares a contrast (the mechanism removed: light tails for
heavy ones, the exponential for the Weibull, a normal for the exponential, heavy noise in the dependent example)
and, where the line is Skeptic's, a band. Gao et al.'s functional forms and Taylor's bound are not claims: neither
source says anything about U = V + X that this model could contradict (the gao_fits table shows Skeptic's own
comparison; the Taylor ratio is a probe, a conditional probability ≤ 1 by construction). The uniform-error and
"increasing" Theorem 6 statements were true by construction and are a probe too (``light-tail-shapes``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

from skeptic.studies.goodhart.distributions import HEAVY
from skeptic.study import (
    AtLeast,
    AtMost,
    Between,
    Claim,
    Close,
    Contrast,
    Estimate,
    Measurements,
    Probe,
    ProbeOutcome,
    Quote,
)

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


def late_slope(name: str) -> Measure:
    """d log E[V|U≥t] / d log t between the middle and the last threshold of the grid: ~0.5 for √t growth (Weibull
    1.5), → 0 for a curve that levels off (exponential X), negative for one falling back (heavy X). Scale-free: the
    same for every σ_V at which the curve has the same shape."""

    def measure(m: Measurements) -> Estimate:
        rows = [r for r in _cond(m, name) if not r["far"]]
        mid, last = rows[len(rows) // 2], rows[-1]
        a, b = _f(mid["ev"]), _f(last["ev"])
        if a <= 0 or b <= 0:
            return Estimate.exact(math.nan, EXACT + " (E[V|U≥t] ≤ 0: no log slope)")
        return Estimate.exact(math.log(b / a) / math.log(_f(last["t"]) / _f(mid["t"])), EXACT)

    return measure


def thm4_ratio(m: Measurements) -> Estimate:
    """E_π[V] at β = β* + 0.01 s over E_π[V] at β = β* + s (s = β*, or 1 when β* = 0), for the error standing in the
    exponential's place: how far E_π[V] rises as the KL penalty approaches the weakest at which π*(β) exists."""
    row = next(r for r in m["thm4"] if r["error"] == "exponential")
    near, far = _f(row["ev_near"]), _f(row["ev_far"])
    return Estimate.exact(near / far if math.isfinite(near) and math.isfinite(far) else math.nan, EXACT)


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
    """The n at which the exact best-of-n E[V] peaks (located to a factor 2^(1/256) around the grid's argmax); a
    curve that peaks at an end of the n grid (e.g. still rising at its last n) gives that end."""

    def measure(m: Measurements) -> Estimate:
        peak = _f(m["bon_peak_n"][name])
        if math.isnan(peak):
            top = max(_bon(m, name), key=lambda r: _f(r["ev"]))
            return Estimate.exact(_f(top["n"]), EXACT + " (the peak is at an end of the n grid)")
        return Estimate.exact(peak, EXACT + " (n located to 0.3%)")

    return measure


def levy_bon_gain(m: Measurements) -> Estimate:
    """Largest best-of-n E[V] − E[V] with Lévy X, over the normal-error curve's E[V] at n = 2^16 (same figure)."""
    levy = max(_f(r["ev"]) for r in _bon(m, "levy"))
    normal = next(_f(r["ev"]) for r in _bon(m, "normal") if r["n"] == PAPER_N_MAX)
    return Estimate.exact(levy / normal, EXACT)


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

TEX = "the authors' LaTeX, tkwa/catastrophic-goodhart paper/main.tex at 7069bb8, whose abstract is v2's"
"""Where the quotes of Kwa et al. 2024 were read (the words are the LaTeX source's, whitespace joined)."""


def _kwa(place: str, text: str) -> Quote:
    return Quote(text, f"arXiv 2407.14503v2, {place} ({TEX})")


Q_THM1 = _kwa(
    "Theorem 1",
    r"Given any heavy-tailed reference distribution \(Q\) over \(\mathbb R\) with mean \(\mu_Q\), and any "
    r"\(M, \epsilon > 0\), there is a distribution \(P\) with mean \(\mu_P>M\) and \(D_{KL}(P \| Q) < \epsilon\).",
)
Q_THM4 = _kwa(
    "Theorem 4",
    r"If \(U=X+V\) with \(X\) and \(V\) both light-tailed and \(V\) unbounded, and the distribution of U is "
    r"continuous, and \(\pi^*(\beta) \triangleq \arg \max_\pi \mathbb E[U(\pi)] - \beta D_{KL}(\pi, \pi_0)\), then "
    r"\(\lim_{\beta \to 0^+} \mathbb E[V(\pi^*(\beta))] = \infty\).",
)
Q_THM5 = _kwa(
    "Theorem 5",
    r"Then $\lim_{t \to \infty} \mathbb E[V | X + V \ge t] =\mathbb{E}[V]$; that is, catastrophic Goodhart occurs "
    r"in the limit of optimization for $U=X+V$.",
)
Q_THM6 = _kwa(
    "Theorem 6",
    r"Then for any V with a finite mean which has no upper bound, $\lim_{t\to\infty}\mathbb{E}[V|X+V > t] = \infty$.",
)
Q_BON = _kwa(
    "Appendix, Best-of-N experiment, figure caption",
    r"In $5$ of $6$ cases when $X$ is lognormal or student-t, $V$ first increases then starts to decline around "
    r"$N=10^2$ or $10^3$.",
)
Q_ROW2 = _kwa(
    "Appendix, Best-of-N experiment, figure caption",
    r"When $X$ is (t, df=5) and V is (t, df=10), $V$ instead peaks around $N=10^5$ (but declines afterwards).",
)
Q_LEVY = _kwa(
    "Appendix, Best-of-N experiment, figure caption",
    r"Finally, when X is Levy-distributed, utility never goes significantly above zero (optimization completely "
    r"fails) because the Levy distribution is too heavy-tailed.",
)
Q_FIG3 = _kwa(
    "Figure 3 caption",
    r"As $t \to \infty$, the mean of $X$ (blue bar) grows without bound while KL divergence "
    r"$D_{KL}(P_t \,\|\, Q)$ (orange bar) goes to 0.",
)
Q_DEPENDENT = _kwa(
    "§ Discussion and Limitations, Independence assumptions, footnote",
    r"But if \(V \sim N(0, 1)\), and \(X | V \sim N(0, 4)\) when \(V \in [-1, 1]\), otherwise \(X=0\), then "
    r"\(\lim_{t \to\infty} \mathbb E[V | X + V \ge t] = 0\).",
)

LIGHT_TAILS = Contrast(
    "light-tails",
    {"swap": dict.fromkeys(sorted(HEAVY), "exponential")},
    "not_replicated",
    "every heavy-tailed error is replaced by the light-tailed exponential of the same variance",
)
T3_FOR_LOGNORMAL = Contrast(
    "t3-in-place",
    {"swap": {"lognormal": "t3"}},
    "replicated",
    "a t3 error stands in the lognormal's place, whose best-of-n peak the same rule puts inside [100, 1000]",
)
"""The light-tail contrast cannot flip a not_replicated peak position (no peak is not_replicated too); this one shows
the lognormal's verdict is not fixed by the design: the same measurement replicates with another heavy tail."""
WEIBULL_TO_EXPONENTIAL = Contrast(
    "exponential-in-place",
    {"swap": {"weibull1.5": "exponential"}},
    "not_replicated",
    "the Weibull error is replaced by the exponential, light-tailed but on the boundary where the gain levels off",
)
EXPONENTIAL_TO_NORMAL = Contrast(
    "normal-in-place",
    {"swap": {"exponential": "normal"}},
    "replicated",
    "the exponential error is replaced by a normal one, whose tilt exists for every β > 0",
)
SLOWER_UPWEIGHT = Contrast(
    "upweight-1.2",
    {"upweight_exponent": 1.2},
    "not_replicated",
    "the tail is upweighted to t^-1.2 instead of t^-0.8, so the proxy gain itself vanishes",
)
HEAVY_DEPENDENT_NOISE = Contrast(
    "t3-noise",
    {"dependent_noise": "t3"},
    "replicated",
    "the noise inside |V| ≤ 1 is heavy-tailed (t3 of the same SD), which does pull the limit to 0",
)


CLAIMS = (
    *(
        Claim(
            f"thm5-{name}",
            f"Heavy-tailed X = {label}, normal V, independent: E[V | U ≥ t] → E[V] as t → ∞. Checked at t = t_far "
            "(1e4): the remaining gain is at most 5% of the peak gain over t (Skeptic's line).",
            f"{KWA_2024}, Theorem 5",
            remaining_gain_ratio(name),
            AtMost(0.05),
            own_threshold="the theorem states a limit; 5% of the peak gain at t = 1e4 is Skeptic's line",
            band=(AtMost(0.02), AtMost(0.1)),
            quote=Q_THM5,
            contrasts=(LIGHT_TAILS,),
        )
        for name, label in HEAVY_NAMES.items()
    ),
    Claim(
        "thm6-weibull1.5-unbounded",
        "Light-tailed X = Weibull(1.5) (tails thinner than every exponential), normal V: E[V | U ≥ t] grows without "
        "bound. Scale-free rule: over the upper half of the threshold grid, log E[V|U≥t] rises against log t with a "
        "slope of at least 0.25 (√t growth gives ~0.5; a finite limit gives → 0).",
        f"{KWA_2024}, Theorem 6",
        late_slope("weibull1.5"),
        AtLeast(0.25),
        own_threshold="the theorem states a limit; a log-log slope of 0.25 on the upper half of the grid is Skeptic's",
        band=(AtLeast(0.1), AtLeast(0.4)),
        quote=Q_THM6,
        contrasts=(WEIBULL_TO_EXPONENTIAL,),
    ),
    Claim(
        "thm6-weibull1.5-still-growing",
        "Light-tailed X = Weibull(1.5), 'without bound' on a second yardstick: the gain over the upper half of the "
        "threshold grid is at least 10% of the gain over the lower half (Skeptic's line; a curve with a finite limit, "
        "as for exponential X, gives ~0).",
        f"{KWA_2024}, Theorem 6",
        late_growth("weibull1.5"),
        AtLeast(0.1),
        own_threshold=True,
        band=(AtLeast(0.05), AtLeast(0.2)),
        quote=Q_THM6,
        contrasts=(WEIBULL_TO_EXPONENTIAL,),
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
            band=(AtMost(0.8), AtMost(0.95)),
            quote=Q_BON,
            contrasts=(LIGHT_TAILS,),
        )
        for name in ("t3", "t5", "lognormal", "lognormal-std")
    ),
    *(
        Claim(
            f"bon-{name}-peak-n",
            f"Best of n, X = {HEAVY_NAMES[name]}: the decline starts around n = 10² or 10³ (read literally: the peak "
            "of E[V] lies in [100, 1000]; a peak at an end of the n grid is read as that end).",
            f"{KWA_2024}, synthetic best-of-n figure, caption",
            bon_peak_n(name),
            Between(100.0, 1000.0),
            own_threshold="the caption says 'around 10^2 or 10^3'; [100, 1000] is the literal reading, and half a "
            "decade either side is the reading this study gives 'around 10^5'",
            band=(Between(100.0, 1000.0), Between(10**1.5, 10**3.5)),
            quote=Q_BON,
            contrasts=(LIGHT_TAILS,) if name != "lognormal" else (LIGHT_TAILS, T3_FOR_LOGNORMAL),
        )
        for name in ("t3", "t5", "lognormal")
    ),
    *(
        Claim(
            f"bon-row2-{name}-peaks",
            f"Best of n, row 2 (V = 2·t10), X = {HEAVY_NAMES[name]}: E[V] first increases, then declines: at n = 2^16 "
            "it is at least 10% below its peak (Skeptic's line for 'declines', as in row 1).",
            f"{KWA_2024}, synthetic best-of-n figure, row 2, caption ('5 of 6 cases')",
            bon_final_over_peak(f"row2-{name}"),
            AtMost(0.9),
            own_threshold=True,
            band=(AtMost(0.8), AtMost(0.95)),
            quote=Q_BON,
            contrasts=(LIGHT_TAILS,),
        )
        for name in ("t3", "lognormal")
    ),
    *(
        Claim(
            f"bon-row2-{name}-peak-n",
            f"Best of n, row 2 (V = 2·t10), X = {HEAVY_NAMES[name]}: the decline starts around n = 10² or 10³ (read "
            "literally, as in row 1: the peak of E[V] lies in [100, 1000]; a peak at an end of the n grid is read as "
            "that end).",
            f"{KWA_2024}, synthetic best-of-n figure, row 2, caption ('5 of 6 cases')",
            bon_peak_n(f"row2-{name}"),
            Between(100.0, 1000.0),
            own_threshold="the caption says 'around 10^2 or 10^3'; [100, 1000] is the literal reading, and half a "
            "decade either side is the reading this study gives 'around 10^5'",
            band=(Between(100.0, 1000.0), Between(10**1.5, 10**3.5)),
            quote=Q_BON,
            contrasts=(LIGHT_TAILS,),
        )
        for name in ("t3", "lognormal")
    ),
    Claim(
        "bon-row2-peak-n",
        "Best of n, V = 2·t10 (unit-variance t10 scaled by 2), X = t5: E[V] peaks around n = 10^5 (Skeptic's "
        "reading of 'around': within half a decade, [10^4.5, 10^5.5]).",
        f"{KWA_2024}, synthetic best-of-n figure, row 2 caption",
        bon_peak_n("row2"),
        Between(10**4.5, 10**5.5),
        own_threshold="the caption says 'around 10^5'; half a decade either side is Skeptic's reading",
        band=(Between(10**4.6, 10**5.4), Between(10**4, 10**6)),
        quote=Q_ROW2,
        contrasts=(LIGHT_TAILS,),
    ),
    Claim(
        "bon-row2-declines",
        "...and declines afterwards: at n = 2^24 E[V] is at least 1% below its peak (Skeptic's line).",
        f"{KWA_2024}, synthetic best-of-n figure, row 2 caption",
        bon_final_over_peak("row2", 2.0**24),
        AtMost(0.99),
        own_threshold=True,
        band=(AtMost(0.95), AtMost(0.999)),
        quote=Q_ROW2,
        contrasts=(LIGHT_TAILS,),
    ),
    Claim(
        "bon-levy-flat",
        "Best of n with Lévy X (scale 1, σ_V = 2): true utility never rises significantly above zero. 'Significantly' "
        "is Skeptic's line: the largest E[V] over n stays below 10% of what normal error gives at n = 2^16 in the "
        "same figure. Not scale-free: the caption describes its figure (σ_V = 2 over a unit Lévy scale), and the "
        "peak gain grows with that ratio (0.25 σ_V at 2, 0.45 at 8, 0.51 at 12; the levy_scan measurement), so this "
        "line is crossed from σ_V ≈ 8; bon-levy-falls-back is the scale-free reading.",
        f"{KWA_2024}, synthetic best-of-n figure, caption (Lévy error)",
        levy_bon_gain,
        AtMost(0.1),
        own_threshold=True,
        band=(AtMost(0.05), AtMost(0.2)),
        quote=Q_LEVY,
        contrasts=(LIGHT_TAILS,),
    ),
    Claim(
        "bon-levy-falls-back",
        "Best of n with Lévy X, the caption's 'optimization completely fails' read scale-free: whatever E[V] the first "
        "few draws gain, harder selection gives it all back: at n = 2^16 E[V] is below 1% of its peak over n "
        "(Skeptic's line; about 1e-8 at every σ_V from 0.5 to 100 times the Lévy scale, where the peak, at n ≈ 2–8, "
        "grows from 0.1 to 0.9 σ_V).",
        f"{KWA_2024}, synthetic best-of-n figure, caption (Lévy error)",
        bon_final_over_peak("levy"),
        AtMost(0.01),
        own_threshold=True,
        band=(AtMost(0.001), AtMost(0.1)),
        quote=Q_LEVY,
        contrasts=(LIGHT_TAILS,),
    ),
    Claim(
        "kl-heavy-small-kl",
        "KL does not rescue heavy-tailed X (t3): the tail-upweighting policy with ε = t^-0.8 has KL → 0; at t = 1e8 "
        "KL ≤ 0.01 nats (Skeptic's line).",
        f"{KWA_2024}, Figure 3",
        mix_last("t3", "t^-a", "kl"),
        AtMost(0.01),
        own_threshold=True,
        band=(AtMost(0.001), AtMost(0.1)),
        quote=Q_FIG3,
        contrasts=(LIGHT_TAILS,),
    ),
    Claim(
        "kl-heavy-high-reward",
        "...while its proxy reward E_π[U] − E_π0[U] grows without bound: at t = 1e8 it exceeds 5 σ_U (Skeptic's line).",
        f"{KWA_2024}, Figure 3",
        mix_last("t3", "t^-a", "gain_u", "sigma_u"),
        AtLeast(5.0),
        own_threshold=True,
        band=(AtLeast(2.0), AtLeast(10.0)),
        quote=Q_FIG3,
        contrasts=(SLOWER_UPWEIGHT,),
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
            band=(AtMost(0.001), AtMost(0.1)),
            quote=Q_THM1,
            contrasts=(LIGHT_TAILS,),
        )
        for name in ("t3", "lognormal")
    ),
    Claim(
        "thm4-exponential",
        "Theorem 4 with exponential error (rate λ = 1, light-tailed by the paper's definition: e^{tx}·S(x) → 0 for "
        "t < λ): E[V(π*(β))] → ∞ as the penalty weakens. π*(β) exists only for β > β* = 1/λ, so the limit is taken "
        "as β ↓ β*. Scale-free rule: E_π[V] grows at least 10-fold from β = 2β* to β = 1.01β* (a divergent limit, "
        "E_π[V] ∝ 1/(β − β*), gives ~100; a finite one ~2).",
        f"{KWA_2024}, Theorem 4",
        thm4_ratio,
        AtLeast(10.0),
        own_threshold="the theorem states a limit; a 10-fold rise over two decades of β − β* is Skeptic's line",
        band=(AtLeast(3.0), AtLeast(30.0)),
        quote=Q_THM4,
        contrasts=(EXPONENTIAL_TO_NORMAL,),
        confirmed_by="thm4-boundary",
    ),
    Claim(
        "dependence-limit-zero",
        "Kwa's dependent example (V ~ N(0,1); X ~ N(0, 2²) where |V| ≤ 1, else 0): E[V | U ≥ t] → 0. Checked at "
        "t = 1000: within 0.1 of 0 (Skeptic's tolerance).",
        f"{KWA_2024}, Discussion (independence assumptions), footnote",
        dependent_at_max,
        Close(0.0, 0.1),
        own_threshold="the footnote states a limit of 0; within 0.1 at t = 1000 is Skeptic's tolerance",
        band=(Close(0.0, 0.05), Close(0.0, 0.2)),
        quote=Q_DEPENDENT,
        contrasts=(HEAVY_DEPENDENT_NOISE,),
        confirmed_by="dependence",
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

SETUP_V_SPEC: dict[str, tuple[float, float | None]] = {
    # name: (variance / σ_V², tail slope at x = 1e6; None where not a power law); both means are 0
    "V": (1.0, None),  # row 1: V ~ N(0, σ_V²)
    "V-row2": (1.0, -10.0),  # row 2: V a Student-t with 10 degrees of freedom scaled to SD σ_V
}
"""The true utilities of the paper's two rows (Kwa et al. 2024, Appendix, Best-of-N experiment)."""


def _inverse_mills(z: float) -> float:
    from scipy import stats

    return float(math.exp(stats.norm.logpdf(z) - stats.norm.logsf(z)))


def _z(c: dict[str, Any]) -> float:
    """(MC − exact)/SE, recomputed from the row's own numbers (not its stored z): NaN without a usable SE."""
    mc_, exact, se = _f(c["mc"]), _f(c["exact"]), _f(c["se"])
    return (mc_ - exact) / se if se > 0 and math.isfinite(mc_) else math.nan


def exact_vs_mc(m: Measurements) -> ProbeOutcome:
    """Every exact value agrees with its Monte Carlo estimate within Z_MAX standard errors; z is recomputed here
    from the exact value, the estimate and its SE, so the check does not rest on the section's own arithmetic."""
    zs = [(abs(_z(c)), c) for c in m["mc_checks"]]
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
    # exponential X (rate 1): E[V | U ≥ t] → μ_V + σ_V²λ; at 20 σ_U the remainder is ~1e-80 (skipped where a
    # contrast puts another error in the exponential's place)
    exponential = m.get("swap", {}).get("exponential", "exponential") == "exponential"
    if exponential:
        last = [r for r in _cond(m, "exponential") if not r["far"]][-1]
        errs["exponential limit σ_V²λ"] = abs(_f(last["ev"]) / sv**2 - 1)
    # the tilt π ∝ π0 e^{U/β} of normal V ⟂ X: E_π[V] = σ_V²/β whatever X is, and infinite normalizer iff Z = ∞;
    # E_π[U] = E_π[V] + E_π[X], with X's own tilt: 1/β for a unit normal, 1/(β − 1) for Exp(1) − 1 (rate 1 − 1/β)
    for r in m["tilt"]:
        if r["truncation"] != "none" or r["error"] not in ("normal", "exponential"):
            continue
        actual = m.get("swap", {}).get(r["error"], r["error"])
        exists = not (actual == "exponential" and r["beta"] <= 1.0)
        ev, eu, beta = _f(r["ev"]), _f(r["eu"]), _f(r["beta"])
        key = f"tilt E_π[V] = σ_V²/β ({r['error']})"
        err = abs(ev * beta / sv**2 - 1) if exists else (0.0 if math.isnan(ev) else 1.0)
        errs[key] = max(errs.get(key, 0.0), err if math.isfinite(err) else 1.0)
        if exists and actual in ("normal", "exponential"):
            want_u = sv**2 / beta + (1 / beta if actual == "normal" else 1 / (beta - 1))
            key_u = f"tilt E_π[U] = σ_V²/β + E_π[X] ({r['error']})"
            err_u = abs(eu / want_u - 1)
            errs[key_u] = max(errs.get(key_u, 0.0), err_u if math.isfinite(err_u) else 1.0)
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
    """Each error's and each row's true utility's mean, variance and tail slope match the paper's setup (relative
    1e-6; slope within 0.05)."""
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
    sv = _f(m["sigma_v"])
    for name, (var_rel, slope) in SETUP_V_SPEC.items():
        got = m.get("setup_v", {}).get(name)
        if got is None:
            bad.append(f"{name} missing")
            continue
        gm, gv, gs = _f(got["mean"]), _f(got["var"]), _f(got["tail_slope"])
        if not abs(gm) <= 1e-6 * sv:
            bad.append(f"{name} mean {gm:.4g} ≠ 0")
        if not abs(gv - var_rel * sv**2) <= 1e-6 * sv**2:
            bad.append(f"{name} variance {gv:.4g} ≠ σ_V² = {sv**2:.4g}")
        if slope is not None and not abs(gs - slope) <= 0.05:
            bad.append(f"{name} tail slope {gs:.3g} ≠ {slope:g}")
    n = len(SETUP_SPEC) + len(SETUP_V_SPEC)
    return ProbeOutcome(not bad, "; ".join(bad) if bad else f"{n} distributions (every X and both V) match the setup")


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
    if m.get("dependent_noise", "normal") != "normal":  # the asymptote is derived for the paper's normal noise
        return ProbeOutcome(top < 1.0, f"max E[V|U≥t] = {top:.4f} (< 1); no asymptote for t3 noise")
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


def taylor_bound(m: Measurements) -> ProbeOutcome:
    """Taylor's cost bound E_q[c] ≤ E_π0[c]/q on c = 1{X ≥ x_q}: the ratio is P(X ≥ x_q | U ≥ u_q) ≤ 1 for every X
    (a conditional probability), so this checks the quadrature, not Taylor (issue 31)."""
    worst = max(r["ratio"] for r in m["taylor"])
    return ProbeOutcome(worst <= 1.0 + 1e-9, f"largest E_q[c]/(E_π0[c]/q) = {worst:.4f} (bound 1, slack 1e-9)")


def light_tail_shapes(m: Measurements) -> ProbeOutcome:
    """Facts true by construction (issue 31), so probes: bounded (uniform) error gives E[V|U≥t] ≥ t − √3 at every t;
    log-concave errors (uniform, Weibull 1.5) give E[V|U≥t] rising at every step of the grid."""
    bad = []
    for r in _cond(m, "uniform"):
        if not r["far"] and _f(r["ev"]) < _f(r["t"]) - math.sqrt(3) - 1e-9:
            bad.append(f"uniform at t = {_f(r['t']):.3g}: {_f(r['ev']):.4g} < t − √3")
    for name in ("uniform", "weibull1.5"):
        if m.get("swap", {}).get(name, name) != name:
            continue
        ev = [_f(r["ev"]) for r in _cond(m, name) if not r["far"]]
        if not all(b > a for a, b in itertools.pairwise(ev)):
            bad.append(f"{name}: E[V|U≥t] falls somewhere on the grid")
    return ProbeOutcome(not bad, "; ".join(bad) if bad else "uniform ≥ t − √3 everywhere; both curves rise")


def thm1_mean(m: Measurements) -> ProbeOutcome:
    """Theorem 1's other half, E_P[U] ≥ c in the limit, by the proof's own inequality: upweighting {U ≥ t} from its
    mass p to ε = c/t moves E[U] by (ε − p)(E[U|U≥t] − E[U|U<t]) > (ε − p)(t − E[U]) = c − cE[U]/t − p(t − E[U]), for
    every U with a finite mean (E[U|U≥t] ≥ t and E[U|U<t] < E[U] once t > E[U]). True for light tails as well (the
    heavy tail only buys the vanishing KL, which the thm1-kl claims test), so a probe of the code, not a claim.
    E[U] is the setup's own mean (``SETUP_SPEC``), independent of the calculator."""
    bad, worst = [], math.inf
    rows = [r for r in m["upweighted_tail"] if r["rule"] == "c/t" and r.get("in_range", True)]
    for r in rows:
        if not _f(r["eps"]) > _f(r["p"]):  # the inequality needs ε > p (mass moved up)
            continue
        mean_u = SETUP_SPEC[m.get("swap", {}).get(r["error"], r["error"])][0]  # E[V] = 0
        t, eps, p = _f(r["t"]), _f(r["eps"]), _f(r["p"])
        gain = _f(r["gain_u"]) - mean_u
        bound = (eps - p) * (t - mean_u)
        slack = 1e-6 * max(1.0, abs(bound))
        if not gain >= bound - slack:
            bad.append(f"{r['error']} at t = {t:.3g}: gain {gain:.6g} < {bound:.6g}")
        worst = min(worst, gain / bound if bound > 0 else math.inf)
    t_last = {r["error"]: max(_f(q["t"]) for q in rows if q["error"] == r["error"]) for r in rows}
    last = [r for r in rows if _f(r["t"]) == t_last[r["error"]]]
    c = max((_f(r["eps"]) * _f(r["t"]) for r in last), default=math.nan)
    far = min(
        (_f(r["gain_u"]) - SETUP_SPEC[m.get("swap", {}).get(r["error"], r["error"])][0] for r in last),
        default=math.nan,
    )
    return ProbeOutcome(
        not bad,
        "; ".join(bad)
        if bad
        else f"E_P[U] − E[U] ≥ (ε − p)(t − E[U]) at every t (smallest ratio {worst:.4f}); at each error's largest t "
        f"the gain is ≥ {far:.4f} (c = {c:g}); {len(rows)} rows inside the quadrature's range",
    )


def thm4_boundary(m: Measurements) -> ProbeOutcome:
    """Theorem 4's quantity computed independently of the quadrature: the tilt π ∝ π0·e^{U/β} of the exponential
    (rate λ = 1) has no normalizer just below β* = 1/λ and one just above, and E_π[V] = σ_V²/β in closed form (normal V,
    independent X) at the two β of the claim."""
    row = next(r for r in m["thm4"] if r["error"] == "exponential")
    sv = m["sigma_v"]
    errs = [abs(_f(row[f"ev_{k}"]) * _f(row[f"beta_{k}"]) / sv**2 - 1) for k in ("near", "far")]
    boundary = row.get("exists_below") is False and row.get("exists_above") is True
    if m.get("swap", {}).get("exponential", "exponential") != "exponential":
        boundary = True  # a contrast put another error here: no boundary at 1/λ to check
    ok = boundary and all(e <= 1e-8 for e in errs)
    return ProbeOutcome(
        ok,
        f"β* = {_f(row['beta_star']):g}: tilt below {'absent' if row.get('exists_below') is False else 'present'}, "
        f"above {'present' if row.get('exists_above') else 'absent'}; |E_π[V]·β/σ_V² − 1| ≤ {max(errs):.1e}",
    )


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
    Probe(
        "setup",
        "Each error distribution and both true utilities have the paper's mean, variance and tail index.",
        setup,
    ),
    Probe(
        "limits",
        "Limit cases: best of 1 and ε = p are the base policy; heavy X, t = 1e8: no true-utility gain.",
        limits,
    ),
    Probe("dependence", "Kwa's dependent example stays below 1 and follows its asymptote 1 − 4/(t − 5).", dependence),
    Probe(
        "taylor-bound",
        "Taylor's quantilizer cost bound on c = 1{X ≥ x_q} (a conditional probability ≤ 1: an invariant of the code).",
        taylor_bound,
    ),
    Probe(
        "light-tail-shapes",
        "Bounded error gives E[V|U≥t] ≥ t − √3; log-concave errors give E[V|U≥t] rising along the whole grid.",
        light_tail_shapes,
    ),
    Probe(
        "thm1-mean",
        "Theorem 1's E_P[U] ≥ c half: upweighting {U ≥ t} to c/t gains at least (ε − p)(t − E[U]) in E[U] at every t "
        "(the proof's inequality, which tends to c; true for every X with a finite mean), where the quadrature "
        "reaches.",
        thm1_mean,
    ),
    Probe(
        "thm4-boundary",
        "The exponential's tilt exists exactly above β* = 1/λ, and E_π[V] = σ_V²/β there in closed form.",
        thm4_boundary,
    ),
    Probe(
        "learned-proxy",
        "A degree-1 proxy's optimum is the search range's endpoint (checks the optimizer).",
        learned_proxy,
    ),
)
