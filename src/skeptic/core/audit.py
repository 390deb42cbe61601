"""Audits: run a study clean and once per declared fault, and classify what its probes did.

For each fault of the study's catalog (:mod:`skeptic.core.faults`):

- **caught**: a probe that passed in the clean run fails with the fault injected (the run would be
  ``untrusted``). A probe that already fails in the clean run catches nothing.
- **silent**: no new probe failure, but some claim's verdict differs from the clean run's: the
  credulity hole an audit exists to find. Verdicts are compared before the probes' ``untrusted``
  override, so a fault is judged by what it did to the evidence.
- **harmless**: nothing changed at this preset.
- **crashed**: the run raised. A crash is not a catch.

Probe power is caught / (caught + silent): of the faults that changed a conclusion or tripped a
probe, the share the probes flagged.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from rich.console import Console

from skeptic.core.claims import judge_claims
from skeptic.core.config import resolve_config
from skeptic.core.faults import Fault
from skeptic.core.runner import Executed, code_version, execute
from skeptic.core.study import Study, StudyConfig

FaultOutcome = Literal["caught", "silent", "harmless", "crashed"]
OUTCOMES: tuple[FaultOutcome, ...] = ("caught", "silent", "harmless", "crashed")


@dataclass
class FaultResult:
    """What one injected fault did to the run."""

    id: str
    kind: str
    description: str
    outcome: FaultOutcome
    failed_probes: list[str]
    changed_verdicts: list[dict[str, str]]
    detail: str
    note: str
    duration_s: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class AuditResult:
    """A study's clean run against each of its faults."""

    study: str
    preset: str
    seed: int
    config: dict[str, Any]
    code_version: str
    clean_verdicts: dict[str, str]
    clean_failed_probes: list[str]
    faults: list[FaultResult] = field(default_factory=list)
    duration_s: float = 0.0

    def count(self, outcome: FaultOutcome) -> int:
        return sum(f.outcome == outcome for f in self.faults)

    @property
    def probe_power(self) -> float:
        """caught / (caught + silent); NaN when no fault changed anything."""
        caught, silent = self.count("caught"), self.count("silent")
        return caught / (caught + silent) if caught + silent else math.nan

    @property
    def caught_share(self) -> float:
        """caught / all faults."""
        return self.count("caught") / len(self.faults) if self.faults else math.nan

    def to_dict(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "preset": self.preset,
            "seed": self.seed,
            "config": self.config,
            "code_version": self.code_version,
            "clean_verdicts": self.clean_verdicts,
            "clean_failed_probes": self.clean_failed_probes,
            "faults": [f.to_dict() for f in self.faults],
            "counts": {o: self.count(o) for o in OUTCOMES},
            "probe_power": None if math.isnan(self.probe_power) else self.probe_power,
            "caught_share": None if math.isnan(self.caught_share) else self.caught_share,
            "duration_s": self.duration_s,
        }


def raw_verdicts(spec: Study[Any], executed: Executed) -> dict[str, str]:
    """Each claim's verdict as the measurement decides it, before any failed probe marks it untrusted."""
    return {c.id: c.verdict for c in judge_claims(spec.claims, executed.measurements, [])}


def classify(spec: Study[Any], fault: Fault, clean: Executed, faulty: Executed, duration_s: float) -> FaultResult:
    """Compare a faulty execution with the clean one (see the module docstring)."""
    clean_failed = {p.id for p in clean.probes if not p.passed}
    newly_failed = [p for p in faulty.probes if not p.passed and p.id not in clean_failed]
    before, after = raw_verdicts(spec, clean), raw_verdicts(spec, faulty)
    changed = [{"claim": k, "clean": before[k], "faulty": after[k]} for k in before if after.get(k) != before[k]]
    if newly_failed:
        outcome: FaultOutcome = "caught"
        detail = "; ".join(f"{p.id}: {p.detail}" for p in newly_failed)
    elif changed:
        outcome = "silent"
        detail = "no probe failed, but " + ", ".join(f"{c['claim']} {c['clean']} → {c['faulty']}" for c in changed)
    else:
        outcome = "harmless"
        detail = "no probe failed and no verdict changed at this preset"
    return FaultResult(
        fault.id,
        fault.kind,
        fault.description,
        outcome,
        [p.id for p in newly_failed],
        changed,
        detail,
        fault.note,
        duration_s,
    )


def audit_fault(
    spec: Study[Any], fault: Fault, config: StudyConfig, seed: int, preset: str, clean: Executed
) -> FaultResult:
    """Run ``spec`` once with ``fault`` injected and classify the outcome."""
    t0 = time.perf_counter()
    try:
        with fault.inject():
            faulty = execute(spec, config, seed, preset, render_figures=False)
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return FaultResult(
            fault.id, fault.kind, fault.description, "crashed", [], [], last, fault.note, time.perf_counter() - t0
        )
    return classify(spec, fault, clean, faulty, time.perf_counter() - t0)


def audit(
    spec: Study[Any],
    preset: str = "test",
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    console: Console | None = None,
) -> AuditResult:
    """Run ``spec`` clean and once per fault of its catalog; nothing is stored here."""
    config = resolve_config(spec, preset, overrides)
    t0 = time.perf_counter()
    clean = execute(spec, config, seed, preset, render_figures=False)
    result = AuditResult(
        study=spec.name,
        preset=preset,
        seed=seed,
        config=config.model_dump(mode="json"),
        code_version=code_version(),
        clean_verdicts=raw_verdicts(spec, clean),
        clean_failed_probes=[p.id for p in clean.probes if not p.passed],
    )
    for fault in spec.faults:
        if console is not None:
            console.print(f"{spec.name}: injecting {fault.id}", markup=False, highlight=False)
        result.faults.append(audit_fault(spec, fault, config, seed, preset, clean))
    result.duration_s = time.perf_counter() - t0
    return result
