"""Exact (real log canonical threshold) learning coefficients of models where they are known.

* Regular models: λ = d/2 (Watanabe 2009: a regular model's learning coefficient is half its
  number of parameters).
* Normal crossings K(w) = ∏ w_i^{2k_i} with a prior positive at the origin: λ = min_i 1/(2k_i) over the k_i > 0,
  multiplicity = the number of i attaining the minimum (Watanabe 2009, the normal-crossing case, with h_i = 0).
* Reduced-rank regression x ↦ BAx (A is H×M, B is N×H, true rank r): Aoyagi & Watanabe 2005, Main Theorem
  (the four cases, as restated in Lau et al. 2023, Appendix "reduced rank regression").
* Deep linear networks x ↦ W_L ⋯ W_1 x with widths H_1 (input), …, H_{L+1} (output) and true rank r:
  Aoyagi 2024, Theorem 1 (as restated by Furman & Lau 2024). For L = 2 it reduces to the
  reduced-rank formula, which the unit tests check case by case.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction


def regular_lambda(d: int) -> float:
    """λ = d/2 for a regular (identifiable, non-degenerate Fisher information) model with d parameters."""
    if d < 0:
        raise ValueError("d must be ≥ 0")
    return d / 2


def normal_crossing_lambda(powers: Sequence[int]) -> tuple[float, int]:
    """(λ, multiplicity) of K(w) = ∏ w_i^{2 k_i} near w = 0 with a prior positive at 0.

    λ = min over k_i > 0 of 1/(2 k_i); the multiplicity m counts the i attaining it (Watanabe 2009, normal-crossing
    case; devinterp's test table ``TRUE_LCS_PER_POWER`` uses the same values: powers (0, 1) → 1/2, (0, 2) → 1/4).
    """
    if any(k < 0 for k in powers):
        raise ValueError("powers must be ≥ 0")
    active = [k for k in powers if k > 0]
    if not active:
        raise ValueError("at least one power must be positive (K ≡ const has no finite λ)")
    kmax = max(active)
    return 1 / (2 * kmax), sum(1 for k in active if k == kmax)


def rrr_lambda(M: int, H: int, N: int, r: int) -> float:
    """Learning coefficient of reduced-rank regression x ↦ BAx, A: H×M, B: N×H, true map of rank r ≤ min(M, H, N).

    Aoyagi & Watanabe 2005 (Main Theorem):

    1. N + r ≤ M + H, M + r ≤ N + H, H + r ≤ M + N:
       λ = [2(H + r)(M + N) − (M − N)² − (H + r)²]/8, plus 1/8 when M + H + N + r is odd;
    2. M + H < N + r: λ = [HM − Hr + Nr]/2;
    3. N + H < M + r: λ = [HN − Hr + Mr]/2;
    4. M + N < H + r: λ = MN/2.
    """
    if min(M, H, N) < 1 or not 0 <= r <= min(M, H, N):
        raise ValueError("need M, H, N ≥ 1 and 0 ≤ r ≤ min(M, H, N)")
    if N + r > M + H:
        return (H * M - H * r + N * r) / 2
    if M + r > N + H:
        return (H * N - H * r + M * r) / 2
    if H + r > M + N:
        return M * N / 2
    s = 2 * (H + r) * (M + N) - (M - N) ** 2 - (H + r) ** 2
    if (M + H + N + r) % 2 == 1:
        s += 1
    return s / 8


def _dln_subset(deltas: Sequence[int]) -> tuple[int, ...]:
    """The index set Σ of Aoyagi 2024, Theorem 1: |Σ| = ℓ + 1 with max_Σ Δ < min_{∉Σ} Δ,
    Σ_Σ Δ ≥ ℓ·max_Σ Δ and Σ_Σ Δ < ℓ·min_{∉Σ} Δ. The theorem shows it exists and is unique."""
    idx = range(len(deltas))
    for size in range(2, len(deltas) + 1):
        for sub in itertools.combinations(idx, size):
            ell = size - 1
            inside = [deltas[i] for i in sub]
            outside = [deltas[i] for i in idx if i not in sub]
            total = sum(inside)
            if outside and not max(inside) < min(outside):
                continue
            if total < ell * max(inside):
                continue
            if outside and not total < ell * min(outside):
                continue
            return sub
    raise ValueError(f"no index set satisfies Aoyagi's conditions for Δ = {list(deltas)}")


def dln_lambda(widths: Sequence[int], r: int) -> float:
    """Learning coefficient of a deep linear network with layer widths ``widths`` = (H_1 = input, …, H_{L+1} =
    output), true rank r ≤ min(widths), from Aoyagi 2024, Theorem 1.

    With Δ_i = H_i − r and Σ the index set of :func:`_dln_subset` (|Σ| = ℓ + 1), M = ⌈Σ_Σ Δ / ℓ⌉ and
    a = Σ_Σ Δ − (M − 1)ℓ:

        λ = [−r² + r(H_1 + H_{L+1})]/2 + a(ℓ − a)/(4ℓ) − ℓ(ℓ − 1)/4 · (Σ_Σ Δ / ℓ)² + ½ Σ_{i<j ∈ Σ} Δ_i Δ_j.

    Computed in exact rational arithmetic.
    """
    if len(widths) < 2 or min(widths) < 1 or not 0 <= r <= min(widths):
        raise ValueError("need at least two widths ≥ 1 and 0 ≤ r ≤ min(widths)")
    if len(widths) == 2:  # one layer: a regular linear map with H_1·H_2 parameters
        return widths[0] * widths[1] / 2
    deltas = [h - r for h in widths]
    sub = _dln_subset(deltas)
    ell = len(sub) - 1
    d = [deltas[i] for i in sub]
    total = sum(d)
    big_m = math.ceil(Fraction(total, ell))
    a = total - (big_m - 1) * ell
    lam = (
        Fraction(-(r**2) + r * (widths[0] + widths[-1]), 2)
        + Fraction(a * (ell - a), 4 * ell)
        - Fraction(ell * (ell - 1), 4) * Fraction(total, ell) ** 2
        + Fraction(sum(d[i] * d[j] for i in range(len(d)) for j in range(i + 1, len(d))), 2)
    )
    return float(lam)


def dln_num_params(widths: Sequence[int]) -> int:
    """d = Σ H_i H_{i+1} (no biases)."""
    return sum(a * b for a, b in itertools.pairwise(widths))


def dln_lambda_by_scan(widths: Sequence[int], r: int) -> float:
    """Aoyagi 2024, Theorem 1, computed a second way, as the in-run cross-check of :func:`dln_lambda`.

    The conditions max_Σ Δ < min_{∉Σ} Δ make Σ a prefix of the Δ sorted ascending that does not cut through ties,
    so Σ is found by scanning ℓ = 1, 2, … over prefixes of length ℓ + 1 (not by searching subsets), and λ is
    assembled in integers over the common denominator 4ℓ, with Σ_{i<j} Δ_iΔ_j = (S² − Σ Δ_i²)/2 (S = Σ_Σ Δ):

        4ℓ·λ = 2ℓ·r(H_1 + H_{L+1} − r) + a(ℓ − a) − (ℓ − 1)S² + ℓ(S² − Σ_Σ Δ_i²),  M = ⌈S/ℓ⌉, a = S − (M − 1)ℓ.
    """
    if len(widths) < 3:
        raise ValueError("the theorem's scan needs at least two layers (three widths)")
    deltas = sorted(h - r for h in widths)
    for ell in range(1, len(deltas)):
        sub, rest = deltas[: ell + 1], deltas[ell + 1 :]
        total = sum(sub)
        if rest and not sub[-1] < rest[0]:
            continue
        if total >= ell * sub[-1] and (not rest or total < ell * rest[0]):
            big_m = -(-total // ell)
            a = total - (big_m - 1) * ell
            sq = sum(x * x for x in sub)
            num = 2 * ell * r * (widths[0] + widths[-1] - r) + a * (ell - a) - (ell - 1) * total**2
            num += ell * (total**2 - sq)
            return num / (4 * ell)
    raise ValueError(f"no prefix satisfies Aoyagi's conditions for widths {list(widths)}, r = {r}")


def dln_formula_check(rows: Sequence[dict[str, object]], max_width: int = 4) -> dict[str, object]:
    """The L ≥ 3 deep-linear formula against its second computation: on every L ≥ 3 row of a validation table
    (the λ the row is judged against), on every three-layer network with widths 1…``max_width`` and every rank, and
    against a brute-force case: widths (1, 1, 1, 1) at r = 0 is K ∝ (w₁w₂w₃)², a normal crossing, λ = 1/2."""
    mismatches: list[str] = []
    table = 0
    for row in rows:
        widths = row.get("widths")
        if isinstance(widths, list) and len(widths) >= 4:
            table += 1
            rank = int(row["rank"])  # type: ignore[call-overload]
            other = dln_lambda_by_scan(widths, rank)
            if not math.isclose(float(row["exact"]), other, abs_tol=1e-12):  # type: ignore[arg-type]
                mismatches.append(f"{row['name']}: judged against {row['exact']}, the scan gives {other}")
    grid = 0
    for widths in itertools.product(range(1, max_width + 1), repeat=4):
        for rank in range(min(widths) + 1):
            grid += 1
            a, b = dln_lambda(widths, rank), dln_lambda_by_scan(widths, rank)
            if not math.isclose(a, b, abs_tol=1e-12):
                mismatches.append(f"{'-'.join(map(str, widths))}, r={rank}: formula {a}, scan {b}")
    brute = normal_crossing_lambda((1, 1, 1))[0]
    if not math.isclose(dln_lambda((1, 1, 1, 1), 0), brute):
        mismatches.append(f"1-1-1-1, r=0: formula {dln_lambda((1, 1, 1, 1), 0)}, normal crossing {brute}")
    return {"table_rows": table, "grid_cases": grid, "mismatches": mismatches[:10], "n_mismatches": len(mismatches)}
