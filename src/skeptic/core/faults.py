"""Faults: realistic bugs a hurried replicator makes, declared beside a study and injected from outside.

A study's catalog (``studies/<name>/faults.py``) lists :class:`Fault` objects. Each fault is injected
by replacing the function a real bug would live in, for the duration of one audit run, so the
experiment's code reads exactly as it does without the fault and no config value can switch a fault on:

    FAULTS = (
        Fault(
            id="test-labels-from-train",
            kind="leakage",
            description="the test split is drawn from the training rows",
            inject=replace("skeptic.studies.random_labels.data.split", lambda split: leaky_split),
        ),
        ...
    )

``replace(target, make)`` sets the attribute named by the dotted ``target`` to ``make(original)``
while the fault is active and restores it afterwards, even when the run raises. Patch the name where
it is looked up: a function imported with ``from m import f`` into the module that calls it must be
patched there. A claim's measurement and a probe's check run with the fault still injected, so a
fault may live in the statistics too.

The audit (:mod:`skeptic.core.audit`) runs every execution in a fresh process, so a cache filled
by the clean run cannot hide a fault and one filled by a faulty run cannot leak into the next. Faults
are reachable only through a study's catalog and ``skeptic audit``: no config key, flag or
environment variable switches one on in ``skeptic run``.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, Literal

FaultKind = Literal[
    "leakage",  # information leaking between training and evaluation data
    "rng-reuse",  # a random stream reused where the analysis assumes independence
    "scale",  # a quantity on the wrong scale or in the wrong unit
    "off-by-one",  # an index or an order statistic off by one
    "swap",  # two conditions of an experiment swapped
    "setting",  # a paper's setting silently changed (schedule, normalization, distribution)
    "wrong-field",  # a grader or metric reading the wrong field
    "uncertainty",  # an uncertainty computed over the wrong unit
    "other",
]
FAULT_KINDS: tuple[str, ...] = FaultKind.__args__  # type: ignore[attr-defined]

Injector = Callable[[], AbstractContextManager[None]]


@dataclass(frozen=True)
class Fault:
    """One realistic bug, and how to inject it.

    ``note`` is for the audit's reader: for a fault that is harmless at some preset, whether it truly
    cannot matter there or which probe should see it.
    """

    id: str
    kind: FaultKind
    description: str
    inject: Injector
    note: str = ""


def _resolve(target: str) -> tuple[Any, str]:
    """``"pkg.mod.Class.attr"`` -> (the object holding ``attr``, ``"attr"``), importing the module part."""
    parts = target.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            owner: Any = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for name in parts[i:-1]:
            owner = getattr(owner, name)
        if not hasattr(owner, parts[-1]):
            raise AttributeError(f"fault target {target!r}: {owner!r} has no attribute {parts[-1]!r}")
        return owner, parts[-1]
    raise ModuleNotFoundError(f"fault target {target!r}: no importable module in it")


def replace(target: str, make: Callable[[Any], Any]) -> Injector:
    """An injector that sets ``target`` (dotted path) to ``make(original)`` while the fault is active."""

    @contextmanager
    def inject() -> Iterator[None]:
        owner, attr = _resolve(target)
        original = getattr(owner, attr)
        setattr(owner, attr, make(original))
        try:
            yield
        finally:
            setattr(owner, attr, original)

    inject.replaces = ((target, make),)  # type: ignore[attr-defined]  # read by signature_gaps
    return inject


def combine(*injectors: Injector) -> Injector:
    """One fault made of several replacements (a bug that lives in two places at once)."""

    @contextmanager
    def inject() -> Iterator[None]:
        with ExitStack() as stack:
            for injector in injectors:
                stack.enter_context(injector())
            yield

    inject.replaces = tuple(r for i in injectors for r in getattr(i, "replaces", ()))  # type: ignore[attr-defined]
    return inject


def _gaps(original: Any, replacement: Any) -> list[str]:
    """How ``replacement`` fails to accept a call ``original`` accepts: fewer positional arguments than the original
    requires, or a keyword argument (keyword-only, or positional with a default) it does not take by name. Empty when
    either is not a plain function or method (a class, a constant, a builtin without a signature)."""
    if not all(inspect.isfunction(f) or inspect.ismethod(f) for f in (original, replacement)):
        return []
    old, new = inspect.signature(original).parameters.values(), inspect.signature(replacement).parameters.values()
    kinds = {q.kind for q in new}
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    by_name = {
        q.name for q in new if q.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    gaps = []
    n_old = sum(q.kind in positional and q.default is inspect.Parameter.empty for q in old)
    n_new = sum(q.kind in positional for q in new)
    if n_new < n_old and inspect.Parameter.VAR_POSITIONAL not in kinds:
        gaps.append(f"takes {n_new} positional arguments, the original requires {n_old}")
    if inspect.Parameter.VAR_KEYWORD not in kinds:
        for q in old:
            keyword = q.kind == inspect.Parameter.KEYWORD_ONLY or (
                q.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD and q.default is not inspect.Parameter.empty
            )
            if keyword and q.name not in by_name:
                gaps.append(f"does not take the original's keyword argument {q.name!r}")
    return gaps


def signature_gaps(inject: Injector) -> list[str]:
    """For each function a fault replaces: how its replacement fails to accept the original's calls (see
    :func:`_gaps`). A fault written against an older signature crashes the audit instead of testing the probes
    (issue 28: ``accuracy-teacher-forced`` after ``evaluate`` gained ``forced=``); the contract test reads this."""
    problems = []
    for target, make in getattr(inject, "replaces", ()):
        owner, attr = _resolve(target)
        original = getattr(owner, attr)
        problems += [f"{target}: the replacement {g}" for g in _gaps(original, make(original))]
    return problems


def check_catalog(faults: Sequence[Fault]) -> None:
    """Raise ``ValueError`` for duplicate or blank ids, blank descriptions or unknown kinds (at registration)."""
    ids = [f.id for f in faults]
    if len(set(ids)) != len(ids):
        raise ValueError(f"fault ids must be unique: {ids}")
    for f in faults:
        if not f.id.strip() or f.id != f.id.strip() or not f.description.strip():
            raise ValueError(f"fault {f.id!r}: the id and the description must be non-blank (no outer spaces)")
        if f.kind not in FAULT_KINDS:
            raise ValueError(f"fault {f.id!r}: unknown kind {f.kind!r}; kinds: {', '.join(FAULT_KINDS)}")
