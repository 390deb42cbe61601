"""What an audit compares of one execution (its probes and its claims' raw verdicts), shared by the fault and
mutant audit (:mod:`skeptic.core.audit`) and the robustness audit (:mod:`skeptic.core.robustness`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from skeptic.core.claims import Estimate, ProbeResult
from skeptic.core.runner import Executed
from skeptic.core.study import Study


def raw_verdicts(executed: Executed) -> dict[str, str]:
    """Each claim's verdict as the measurement decides it, before any failed probe marks it untrusted."""
    return {c.id: c.raw_verdict or c.verdict for c in executed.claims}


@dataclass
class Judged:
    """What the audit compares of one execution: its probes, and its claims' raw verdicts.

    Both are computed where the execution ran, with the fault still injected: a fault in a claim's
    measurement or in a statistic lives in code that runs when the claims are judged.
    """

    probes: list[ProbeResult]
    verdicts: dict[str, str]
    bands: dict[str, list[str]] = field(default_factory=dict)
    """Each claim's verdicts across its band of thresholds (for the robustness audit's line stability)."""
    measured: dict[str, str] = field(default_factory=dict)
    """Each claim's measured value as shown (for the Findings page)."""
    raised: dict[str, str] = field(default_factory=dict)
    """Claims whose measurement raised (judged inconclusive by the runner), with the reason."""
    undefined: list[str] = field(default_factory=list)
    """Claims with no defined estimate: the measurement raised, or every estimate's value is NaN (session 17, issue 33:
    a contrast that flips such a claim shows only that it makes the estimate defined, see
    :func:`skeptic.core.robustness.judge_contrast`)."""

    @classmethod
    def of(cls, spec: Study[Any], executed: Executed) -> Judged:
        bands = {c.id: [str(v) for v in c.band_verdicts] for c in executed.claims if c.band_verdicts}
        measured = {c.id: c.measured for c in executed.claims}
        raised = {c.id: c.reason for c in executed.claims if MEASUREMENT_RAISED in c.reason}
        undefined = [c.id for c in executed.claims if c.id in raised or not _defined(c.estimates)]
        return cls(executed.probes, raw_verdicts(executed), bands, measured, raised, undefined)


def _defined(estimates: Iterable[Estimate]) -> bool:
    """Whether any estimate has a value (not NaN)."""
    return any(e.value == e.value for e in estimates)


MEASUREMENT_RAISED = "the measurement could not be made ("
"""The runner's reason for a claim whose measure raised (:func:`skeptic.core.claims.judge_claims`)."""
