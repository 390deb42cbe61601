"""Exact learning coefficients against hand-computed cases and against each other."""

from __future__ import annotations

import itertools

import pytest

from skeptic.studies.llc.exact import (
    dln_lambda,
    dln_num_params,
    normal_crossing_lambda,
    regular_lambda,
    rrr_lambda,
)


@pytest.mark.parametrize(
    ("mhnr", "expected"),
    [
        ((5, 3, 5, 1), 8.0),  # case 1, M+H+N+r = 14 even: [2·4·10 − 0 − 16]/8
        ((2, 1, 2, 0), 1.0),  # case 1, odd: [2·1·4 − 0 − 1 + 1]/8
        ((3, 3, 3, 3), 4.5),  # case 1 at full rank: a regular 3×3 map, 9/2
        ((1, 1, 3, 1), 1.5),  # case 2: a rank-1 map ℝ → ℝ³ is any vector of ℝ³, 3/2
        ((3, 1, 1, 1), 1.5),  # case 3: the mirror image, 3/2
        ((4, 3, 2, 2), 4.0),  # case 3: N+H = 5 < M+r = 6: [6 − 6 + 8]/2, a regular rank-2 map ℝ⁴ → ℝ²
        ((1, 4, 2, 0), 1.0),  # case 4: M+N = 3 < H+r = 4: MN/2
    ],
)
def test_rrr_lambda_hand_computed(mhnr: tuple[int, int, int, int], expected: float) -> None:
    assert rrr_lambda(*mhnr) == pytest.approx(expected)


def test_rrr_at_full_rank_is_half_the_dimension_of_the_rank_r_matrices() -> None:
    # with H = r ≤ min(M, N), BA ranges over rank-r N×M matrices, a manifold of dimension r(M + N − r)
    for m, n in itertools.product(range(1, 7), repeat=2):
        for r in range(1, min(m, n) + 1):
            assert rrr_lambda(m, r, n, r) == pytest.approx(r * (m + n - r) / 2)


def test_dln_formula_equals_rrr_formula_for_two_layers() -> None:
    # Aoyagi 2024 generalizes Aoyagi & Watanabe 2005: two independently coded formulas must agree
    for m, h, n in itertools.product(range(1, 8), repeat=3):
        for r in range(min(m, h, n) + 1):
            assert dln_lambda((m, h, n), r) == pytest.approx(rrr_lambda(m, h, n, r)), (m, h, n, r)


def test_dln_hand_computed_four_layers() -> None:
    # Δ = (3, 3, 3, 3), Σ = all, ℓ = 3, M = 4, a = 3: (−1 + 8)/2 + 0 − (3·2/4)·16 + ½·6·9 = 3.5 − 24 + 27
    assert dln_lambda((4, 4, 4, 4), 1) == pytest.approx(6.5)
    # full rank through equal widths: the product is a regular 5×5 map
    assert dln_lambda((5, 5, 5, 5), 5) == pytest.approx(12.5)
    assert dln_num_params((4, 4, 4, 4)) == 48


def test_dln_is_below_half_the_parameter_count() -> None:
    for widths in [(3, 5, 5, 3), (4, 4, 4, 4), (6, 3, 3, 6), (2, 7, 2, 7, 2)]:
        for r in range(min(widths) + 1):
            assert dln_lambda(widths, r) <= dln_num_params(widths) / 2


def test_one_layer_is_regular() -> None:
    assert dln_lambda((3, 4), 2) == 6.0 == regular_lambda(12)


@pytest.mark.parametrize(
    ("powers", "expected"),
    [((0, 1), (0.5, 1)), ((1, 2), (0.25, 1)), ((1, 1), (0.5, 2)), ((2, 2, 1), (0.25, 2)), ((1, 3), (1 / 6, 1))],
)
def test_normal_crossing(powers: tuple[int, ...], expected: tuple[float, int]) -> None:
    lam, mult = normal_crossing_lambda(powers)
    assert lam == pytest.approx(expected[0]) and mult == expected[1]


def test_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError):
        rrr_lambda(3, 2, 3, 3)
    with pytest.raises(ValueError):
        dln_lambda((3,), 1)
    with pytest.raises(ValueError):
        normal_crossing_lambda((0, 0))
