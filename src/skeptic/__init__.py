"""Skeptic: re-run the technical evidence behind AI-safety claims, check it, and try to break it.

import skeptic
result = skeptic.run("goodhart", preset="quick", overrides={"n_max": 4096})
result.claims            # verdicts
result.frame("best_of_n")  # a measurement as a pandas DataFrame

Importing ``skeptic`` (or a facade such as ``skeptic.goodhart``) loads no study and no torch: studies are
found through the ``skeptic.studies`` entry points and loaded when named (:mod:`skeptic.core.discovery`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Idle OpenMP threads sleep instead of spinning, unless the user chose otherwise. Read once, when PyTorch loads its
# OpenMP runtime, so it is set here, before any study imports torch; every worker and audit execution inherits it.
# On a shared 2-core machine at load ~17, two spinning threads cost ~9x the CPU of one for the same result (the
# random-labels training: 160 vs 18 CPU s, 862 vs 154 s wall); sleeping, two cost what one does (18 CPU s, 99 s wall).
# Results are unchanged: the thread count and the work's split are the same, only the idle wait differs.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

if TYPE_CHECKING:
    from skeptic.core.claims import ClaimResult, ProbeResult
    from skeptic.core.runner import RunResult
    from skeptic.core.store import Store, StoredTable
    from skeptic.core.study import Study

__version__ = "0.1.0"


def load_studies() -> list[Study[Any]]:
    """Every study: those the ``skeptic.studies`` entry points declare (Skeptic's own first), loaded, then any
    declared in this process without an entry point. A plugin that fails to load is skipped with a warning."""
    from skeptic.core.discovery import load_all
    from skeptic.core.study import all_studies

    found = load_all()
    return [*found, *(s for s in all_studies() if all(s is not f for f in found))]


def run(
    study: str,
    preset: str = "quick",
    overrides: Mapping[str, Any] | None = None,
    seed: int = 0,
    force: bool = False,
    store: Store | str | Path | None = None,
    device: str = "auto",
) -> RunResult:
    """Run a study by name and store the result; see :func:`skeptic.core.runner.run`."""
    from skeptic.core.runner import run as _run

    return _run(study, preset=preset, overrides=overrides, seed=seed, force=force, store=store, device=device)


def __getattr__(name: str) -> Any:
    """``skeptic.RunResult`` (with its typed parts ``ClaimResult``, ``ProbeResult``, ``StoredTable``) and
    ``skeptic.Store`` are imported on first use (PEP 562), so ``import skeptic`` stays cheap."""
    if name in ("ClaimResult", "ProbeResult"):
        from skeptic.core import claims

        return getattr(claims, name)
    if name == "StoredTable":
        from skeptic.core.store import StoredTable

        return StoredTable
    if name == "RunResult":
        from skeptic.core.runner import RunResult

        return RunResult
    if name == "Store":
        from skeptic.core.store import Store

        return Store
    raise AttributeError(f"module 'skeptic' has no attribute {name!r}")


__all__ = ["ClaimResult", "ProbeResult", "RunResult", "Store", "StoredTable", "__version__", "load_studies", "run"]
