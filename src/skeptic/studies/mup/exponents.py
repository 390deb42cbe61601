"""The deep-linear toy derivation of μP's width exponents, and the fit of measured exponents.

Take a deep linear network f = V·(W·(U·x)) of width n (no nonlinearity, no biases): input layer h₁ = Ux (U has a
width-independent number k of active inputs), hidden layer h₂ = W h₁, logits f = Vᵀh₂. Initialize with
std(U) = O(1), std(W) = n^{-1/2}, std(V) = n^{-b} (SP: b = 1/2; μP: b = 1, TP5 Table 3), so h₁, h₂ have O(1)
coordinates and f = O(n^{1/2-b}). Take one step on a loss with ∂L/∂f = χ = O(1) and ask how the size of each
layer's *change* Δh₁, Δh₂, Δf scales with n (the exponent e in |Δ| ∝ n^e, per coordinate):

* backward signals: ∂L/∂h₂ = χ Vᵀ has coordinates n^{-b}; ∂L/∂h₁ = Wᵀ ∂L/∂h₂ sums n terms of random sign, so
  n^{1/2}·n^{-1/2}·n^{-b} = n^{-b}.
* **SGD** with learning rates η_U, η_W, η_V (ΔM = −η ∂L/∂M):
  - Δh₁ = ΔU x = −η_U k ∂L/∂h₁ ~ η_U n^{-b};
  - Δh₂ = ΔW h₁ = −η_W |h₁|² ∂L/∂h₂ ~ η_W · n · n^{-b} (|h₁|² sums n positive terms);
  - Δf = ΔVᵀh₂ + Vᵀ Δh₂ = −η_V|h₂|²χ − η_W|h₁|²χ|V|² ~ η_V n + η_W n·n^{1-2b}.
  SP (all η constant, b = 1/2): e = (−1/2, +1/2, +1). μP (η_U ∝ n, η_W const, η_V ∝ 1/n, b = 1):
  e = (0, 0, 0).
* **Adam**: its first step is ΔM = −η·sign(∂L/∂M) entrywise (m̂/√v̂ = ±1), so a product with an O(1) vector that is
  aligned with the update sums n coherent terms:
  - Δh₁ = ΔU x ~ η_U k (k inputs, no width sum);
  - Δh₂ = ΔW h₁ ~ η_W Σᵢ|h₁ᵢ| ~ η_W n;
  - Δf = ΔVᵀh₂ + VᵀΔh₂ ~ η_V n + η_W n · Σⱼ|Vⱼ| ~ η_V n + η_W n · n^{1-b}.
  SP (η constant, b = 1/2): e = (0, +1, +3/2). μP (η_U const, η_W, η_V ∝ 1/n, b = 1): e = (0, 0, 0).

  **The 3/2 is asymptotic; the study compares against its finite-width slope** (issue 33: "3/2 per the derivation
  vs 1.31 in the code"). With V output logits, W's update is the sign of Σ_k χ_k V_k h₁ᵀ, a sum over the V logits'
  readout columns, so it is aligned with any one logit's column V_k only to O(1/√V): the coherent term of a logit's
  change is η_W n·n^{1−b}/√V = n^{3/2}/√V, beside the η_V n of its own readout. So |Δf| ~ n^{3/2}/√V + n, whose
  log-log slope tends to 3/2 only once n ≫ V; at this study's widths (64 … 1024) and the corpus's V it is about
  1.3 (:func:`sp_adam_logit_exponent`). Comparing the measured slope with 3/2 would charge the derivation for a
  finite-width crossover it predicts; comparing with 1.31 without saying so hid the crossover. Both numbers are
  stored with each run (``derived_logit_exponent_asymptotic`` and ``..._effective``).

The last line is the whole of μP's recipe for these three weight types: the exponents are 0 only with TP5 Table 3's
init and learning rates. The derivation is for one step from initialization; a ReLU network halves the sums without
changing their order, which is the critic's point ("you can derive much of the scaling results for muP with a
simple toy model of multi-layered linear networks", issue 33) and what the study tests on a ReLU MLP; the study also
sweeps the deep linear network's learning rate, to see the transfer itself (claims ``*-optimum-*-linear-adam``).
"""

from __future__ import annotations

import math

import numpy as np

from skeptic.studies.mup.param import Optimizer, Parametrization

DERIVED: dict[tuple[Parametrization, Optimizer], tuple[float, float, float]] = {
    ("sp", "sgd"): (-0.5, 0.5, 1.0),
    ("sp", "adam"): (0.0, 1.0, 1.5),
    ("mup", "sgd"): (0.0, 0.0, 0.0),
    ("mup", "adam"): (0.0, 0.0, 0.0),
}
"""Width exponents of |Δh₁|, |Δh₂|, |Δf| after one step of a deep linear network (derivation above)."""


def sp_adam_logit_exponent(widths: list[int] | np.ndarray, vocab: int) -> float:
    """The finite-width exponent of SP/Adam's one-step logit change: the log-log slope of n^{3/2}/√V + n over
    ``widths`` (→ 3/2 as n/V → ∞; see the module docstring)."""
    w = np.asarray(widths, dtype=float)
    return loglog_slope(w, w**1.5 / math.sqrt(vocab) + w)


def loglog_slope(widths: list[int] | np.ndarray, sizes: list[float] | np.ndarray) -> float:
    """Least-squares slope of log(size) on log(width): the exponent e in size ∝ width^e."""
    x = np.log(np.asarray(widths, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero or negative size has no exponent: NaN below
        y = np.log(np.asarray(sizes, dtype=float))
    if not np.all(np.isfinite(y)):
        return math.nan
    x = x - x.mean()
    return float((x * (y - y.mean())).sum() / (x * x).sum())
