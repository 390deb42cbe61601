"""Skeptic: re-run the technical evidence behind AI-safety claims, check it, and try to break it.

import skeptic
result = skeptic.run("goodhart", preset="quick", overrides={"n_max": 4096})
result.claims            # verdicts
result.frame("best_of_n")  # a measurement as a pandas DataFrame
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from skeptic.core import RunResult, Store, Study, all_studies
from skeptic.core import run as _run

__version__ = "0.1.0"


def load_studies() -> list[Study[Any]]:
    """Import every study module (which registers it) and return the registered studies."""
    import skeptic.studies  # noqa: F401  (registration happens on import)

    return all_studies()


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
    load_studies()
    return _run(study, preset=preset, overrides=overrides, seed=seed, force=force, store=store, device=device)


__all__ = ["RunResult", "Store", "__version__", "load_studies", "run"]
