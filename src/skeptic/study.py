"""What a study may import: Skeptic's public authoring API, in one module.

A study, Skeptic's own or one in any installed package (found through the ``skeptic.studies`` entry point, see
:mod:`skeptic.core.discovery`), imports from here and nowhere else in Skeptic::

    from skeptic.study import AtLeast, Brief, Claim, Contrast, Estimate, Probe, Quote, StudyConfig, study

Everything under ``skeptic.core`` is private: it may change without notice; these names will not. Each name is
loaded on first use (PEP 562), so importing this module costs nothing until a name is read.

Declaring a study
    ``study`` (the decorator), ``StudyConfig`` (the presets' base: frozen, validated, documented fields),
    ``RunContext`` (named random streams ``ctx.rng("name")``, ``ctx.seed_for``, ``ctx.torch_generator``;
    ``ctx.section`` timing; progress and log), ``StudyOutput``, ``Figure``, ``Table``, ``Brief``, ``Budget``,
    ``StudySkipped`` (a run that cannot run as configured: one line for the user, nothing stored).
Claims and probes
    ``Claim``, ``Probe``, ``ProbeOutcome``, ``Estimate``, ``Measurements``, ``NotRun``, ``Contrast``, ``Quote``;
    the comparisons ``AtLeast``, ``AtMost``, ``Between``, ``Close``, ``Increasing``, ``AllAtLeast``,
    ``AllAtMost``, ``AllBetween`` (and the ``Comparison`` protocol for your own), ``describe_measured``.
Faults
    ``Fault``, ``replace``, ``combine``, ``FAULT_KINDS``.
Statistics
    ``mean_ci`` (Student-t interval over seeds), ``wilson_interval`` (binomial proportion).
Results and helpers
    ``RunResult`` (what ``Brief.found`` reads), ``UsageError`` (a user's mistake: one line, exit 2),
    ``torch_threads`` and ``keep_freed_memory`` (the run's thread and memory policy), ``lazy_exports`` (a
    facade whose names load on first use), ``Store`` (the results store, for a study that compares its own
    stored runs side by side).

Credentials
    ``redact``, ``redact_optional``, ``redact_files``: remove API keys and URL credentials from text and files a
    study writes (every key in the environment, short ones included).

Signals
    ``stop_signals_cancel_asyncio``: around an ``asyncio`` run (Inspect's eval), Ctrl-C and SIGTERM cancel it the way
    ``asyncio.run`` does on Ctrl-C, so every task finishes its clean-up before the run stops as interrupted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from skeptic._lazy import lazy_exports

if TYPE_CHECKING:
    from skeptic.core.claims import (
        AllAtLeast,
        AllAtMost,
        AllBetween,
        AtLeast,
        AtMost,
        Between,
        Claim,
        Close,
        Comparison,
        Contrast,
        Estimate,
        Increasing,
        Measurements,
        NotRun,
        Probe,
        ProbeOutcome,
        Quote,
        describe_measured,
    )
    from skeptic.core.device import keep_freed_memory, torch_threads
    from skeptic.core.errors import UsageError
    from skeptic.core.faults import FAULT_KINDS, Fault, combine, replace
    from skeptic.core.processes import stop_signals_cancel_asyncio
    from skeptic.core.runner import RunResult
    from skeptic.core.secrets import redact, redact_files, redact_optional
    from skeptic.core.stats import largest, mean_ci, wilson_interval
    from skeptic.core.store import Store
    from skeptic.core.study import (
        Brief,
        Budget,
        Figure,
        RunContext,
        StudyConfig,
        StudyOutput,
        StudySkipped,
        Table,
        study,
    )

_WHERE = {
    "skeptic.core.claims": (
        "AllAtLeast AllAtMost AllBetween AtLeast AtMost Between Claim Close Comparison Contrast Estimate Increasing"
        " Measurements NotRun Probe ProbeOutcome Quote describe_measured"
    ),
    "skeptic.core.device": "keep_freed_memory torch_threads",
    "skeptic.core.errors": "UsageError",
    "skeptic.core.faults": "FAULT_KINDS Fault combine replace",
    "skeptic.core.processes": "stop_signals_cancel_asyncio",
    "skeptic.core.runner": "RunResult",
    "skeptic.core.secrets": "redact redact_files redact_optional",
    "skeptic.core.stats": "largest mean_ci wilson_interval",
    "skeptic.core.store": "Store",
    "skeptic.core.study": "Brief Budget Figure RunContext StudyConfig StudyOutput StudySkipped Table study",
}

__getattr__, __dir__ = lazy_exports(
    __name__, {name: module for module, names in _WHERE.items() for name in names.split()}
)

__all__ = [
    "FAULT_KINDS",
    "AllAtLeast",
    "AllAtMost",
    "AllBetween",
    "AtLeast",
    "AtMost",
    "Between",
    "Brief",
    "Budget",
    "Claim",
    "Close",
    "Comparison",
    "Contrast",
    "Estimate",
    "Fault",
    "Figure",
    "Increasing",
    "Measurements",
    "NotRun",
    "Probe",
    "ProbeOutcome",
    "Quote",
    "RunContext",
    "RunResult",
    "Store",
    "StudyConfig",
    "StudyOutput",
    "StudySkipped",
    "Table",
    "UsageError",
    "combine",
    "describe_measured",
    "keep_freed_memory",
    "largest",
    "lazy_exports",
    "mean_ci",
    "redact",
    "redact_files",
    "redact_optional",
    "replace",
    "stop_signals_cancel_asyncio",
    "study",
    "torch_threads",
    "wilson_interval",
]
