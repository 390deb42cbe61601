"""A fault's replacement must accept every call its original accepts, or the audit crashes on it instead of testing
the probes (issue 28, session 18: `accuracy-teacher-forced` was written before `evaluate` gained `forced=`, and the
fault catalog at `audit` reported it crashed). ``check_fault_catalog`` reads :func:`signature_gaps`, so
the contract test ``test_fault_catalog`` checks every study's catalog."""

from __future__ import annotations

from typing import Any

from skeptic.core.faults import combine, replace, signature_gaps

HERE = __name__


def scored(x: int, p: int, kind: str = "sum", *, forced: bool = True) -> int:
    return x + p + len(kind) + forced


LIMIT = 3


def _missing_keyword(orig: Any) -> Any:
    def f(x: int, p: int, kind: str = "sum") -> int:
        return int(orig(x, p, kind))

    return f


def _forwarding(orig: Any) -> Any:
    def f(x: int, p: int, **kw: Any) -> int:
        return int(orig(x, p, **kw)) + 1

    return f


def _too_few_positional(orig: Any) -> Any:
    def f(x: int) -> int:
        return int(orig(x, 0))

    return f


def _renamed_default(orig: Any) -> Any:
    def f(x: int, p: int, task: str = "sum", *, forced: bool = True) -> int:
        return int(orig(x, p, task, forced=forced))

    return f


def test_a_replacement_missing_a_keyword_argument_is_named() -> None:
    gaps = signature_gaps(replace(f"{HERE}.scored", _missing_keyword))
    assert gaps == [f"{HERE}.scored: the replacement does not take the original's keyword argument 'forced'"]


def test_a_replacement_forwarding_keywords_passes() -> None:
    assert signature_gaps(replace(f"{HERE}.scored", _forwarding)) == []


def test_too_few_positional_arguments_and_a_renamed_default_are_named() -> None:
    assert signature_gaps(replace(f"{HERE}.scored", _too_few_positional)) == [
        f"{HERE}.scored: the replacement takes 1 positional arguments, the original requires 2",
        f"{HERE}.scored: the replacement does not take the original's keyword argument 'kind'",
        f"{HERE}.scored: the replacement does not take the original's keyword argument 'forced'",
    ]
    assert signature_gaps(replace(f"{HERE}.scored", _renamed_default)) == [
        f"{HERE}.scored: the replacement does not take the original's keyword argument 'kind'"
    ]


def test_constants_are_not_checked_and_combine_reads_every_part() -> None:
    assert signature_gaps(replace(f"{HERE}.LIMIT", lambda n: n + 1)) == []
    both = combine(replace(f"{HERE}.LIMIT", lambda n: 0), replace(f"{HERE}.scored", _missing_keyword))
    assert len(signature_gaps(both)) == 1
