"""Lazy public names (PEP 562): a facade lists where each name lives and imports it on first use.

``from skeptic import goodhart`` then costs a dictionary, not the calculator's SciPy or another study's torch;
``goodhart.best_of_n`` imports :mod:`skeptic.studies.goodhart.calculator` the first time it is read. Type checkers
read the same names from the facade's ``if TYPE_CHECKING:`` imports; a test checks the two lists agree.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(facade: str, where: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for module ``facade`` whose public ``name`` lives in module ``where[name]``
    (``"module"`` or ``"module:attribute"`` when the public name differs from the attribute's)."""

    def __getattr__(name: str) -> Any:  # noqa: N807 (the module hook's name)
        target = where.get(name)
        if target is None:
            raise AttributeError(f"module {facade!r} has no attribute {name!r}")
        module, _, attr = target.partition(":")
        value = getattr(importlib.import_module(module), attr or name)
        importlib.import_module(facade).__dict__[name] = value  # later reads skip this hook
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted(set(where) | set(vars(importlib.import_module(facade))))

    return __getattr__, __dir__
