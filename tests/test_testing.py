"""skeptic.testing: each check reports what fails and why, and passes what meets the contract."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import get_study
from skeptic.core.claims import Contrast
from skeptic.core.errors import UsageError
from skeptic.testing import (
    CHECKS,
    STATIC,
    check_claim_rules,
    check_contrasts,
    check_fault_catalog,
    check_sources,
    check_study,
    parametrize_with_checks,
)

TOY = get_study("toy-coin")


def test_the_static_checks_pass_a_builtin_study() -> None:
    report = check_study("goodhart", STATIC)
    assert report.ok, report.describe()
    assert report.describe().splitlines()[-1] == "goodhart passes the contract"


def test_a_small_catalog_and_an_unplaced_source_fail_with_the_reason() -> None:
    report = check_study(TOY, ["fault_catalog", "sources"])
    assert report.failed == ["fault_catalog", "sources"]  # 4 faults; "Textbook" names no place
    assert any(f"the contract asks for {8}" in p for p in report.results["fault_catalog"])
    assert "FAIL fault_catalog" in report.describe()
    unplaced = replace(TOY, claims=(replace(TOY.claims[0], source="Popular retelling of the coin"),))
    assert check_sources(unplaced) == [
        f"claim {TOY.claims[0].id}: its source 'Popular retelling of the coin' names no place "
        "(theorem/table/figure/section/eq/sentence)"
    ]


def test_a_contrast_with_an_unknown_key_fails_the_claim_rules() -> None:
    bad = Contrast("no-such-knob", overrides={"no_such_key": 1}, expect="not_replicated", why="a key that is not there")
    spec = replace(TOY, claims=(replace(TOY.claims[0], contrasts=(bad,)),))
    (problem,) = check_claim_rules(spec)
    assert problem.startswith(f"claim {TOY.claims[0].id}, contrast no-such-knob: unknown config key")


def test_a_check_that_raises_is_reported_not_propagated() -> None:
    def boom(spec: object, workdir: Path | None = None) -> list[str]:
        raise RuntimeError("exploded")

    spec = get_study("goodhart")
    original = CHECKS["declaration"]
    CHECKS["declaration"] = boom
    try:
        report = check_study(spec, ["declaration", "sources"])
    finally:
        CHECKS["declaration"] = original
    assert report.results["declaration"] == ["raised RuntimeError: exploded"] and report.results["sources"] == []


def test_an_unknown_check_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown check 'bogus'"):
        check_study("goodhart", ["bogus"])


@parametrize_with_checks(["goodhart"], checks=["declaration", "fault_catalog"])
def test_the_parametrizer_runs_each_check(study: object, check: object, tmp_path: Path) -> None:
    assert not check(study, tmp_path)  # type: ignore[operator]


def test_the_parametrizer_names_each_pair() -> None:
    mark = parametrize_with_checks(["goodhart"], checks=["declaration", "sources"])
    assert [p.id for p in mark.args[1]] == ["goodhart-declaration", "goodhart-sources"]


def test_check_fault_catalog_sees_an_uninjectable_fault() -> None:
    spec = get_study("goodhart")
    from skeptic.core.faults import replace as inject

    moved = replace(spec.faults[0], inject=inject("skeptic.studies.goodhart.nonesuch", lambda f: f))
    problems = check_fault_catalog(replace(spec, faults=(moved, *spec.faults[1:])))
    assert len(problems) == 1 and problems[0].startswith(f"fault {moved.id} cannot be injected: AttributeError")


def test_a_contrast_that_does_not_flip_its_claim_is_reported() -> None:
    flips = Contrast("biased", overrides={"p_heads": 0.8}, expect="not_replicated", why="the coin lands heads 80%")
    idle = Contrast("fair-again", overrides={"p_heads": 0.5}, expect="not_replicated", why="the same fair coin again")
    spec = replace(TOY, claims=(replace(TOY.claims[0], contrasts=(flips, idle)),))
    (problem,) = check_contrasts(spec)
    assert problem.startswith(f"claim {TOY.claims[0].id}, contrast fair-again")
    assert "got replicated, expected not_replicated: not discriminating" in problem


@pytest.mark.slow
def test_the_mutant_check_runs_a_small_sample_and_passes_a_deterministic_study() -> None:
    import tests.toy_mutant_study  # noqa: F401  (registers toy-sum)
    from skeptic.testing import MUTANT_SAMPLE, check_mutants

    assert MUTANT_SAMPLE >= 1
    assert check_mutants(get_study("toy-sum")) == []
