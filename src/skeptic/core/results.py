"""One stored run as notebooks, briefs and the report see it (:class:`RunResult`).

Apart from the runner so that :mod:`skeptic.core.study` can name it (``Brief.found`` reads one) without an import
circle through the runner and the config (issue 27): this module imports only the store, the claims and the JSON
rule.

A run's results are typed: its claims are :class:`~skeptic.core.claims.ClaimResult`, its probes
:class:`~skeptic.core.claims.ProbeResult`, its tables :class:`~skeptic.core.store.StoredTable`, each frozen with a
``to_json()``/``from_json()`` pair that is the stored form. The measurements stay a mapping whose shape each study
owns (:data:`~skeptic.core.claims.Measurements`). Non-finite numbers follow one rule everywhere
(:func:`json_safe`, see :mod:`skeptic.core.jsonform`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from skeptic.core.claims import ClaimResult, ProbeResult, StoredMeasurements
from skeptic.core.jsonform import json_restore as json_restore
from skeptic.core.jsonform import json_safe as json_safe
from skeptic.core.store import RunRecord, StoredFigure, StoredTable

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class RunResult:
    """One stored run, as notebooks and the report see it."""

    run_id: str
    study: str
    preset: str
    seed: int
    status: str
    config: dict[str, Any]
    measurements: StoredMeasurements
    claims: list[ClaimResult]
    probes: list[ProbeResult]
    tables: list[StoredTable]
    provenance: dict[str, Any]
    started_at: float
    duration_s: float | None
    figures: list[StoredFigure] = field(default_factory=list, repr=False)
    reused: bool = False

    @classmethod
    def from_record(cls, record: RunRecord, figures: list[StoredFigure], reused: bool = False) -> RunResult:
        return cls(
            run_id=record.run_id,
            study=record.study,
            preset=record.preset,
            seed=record.seed,
            status=record.shown_status,
            config=record.config,
            measurements=record.measurements or {},
            claims=record.claims,
            probes=record.probes,
            tables=record.tables,
            provenance={**record.provenance, "error": record.error} if record.error else record.provenance,
            started_at=record.started_at,
            duration_s=record.duration_s,
            figures=figures,
            reused=reused,
        )

    def frame(self, key: str) -> pd.DataFrame:
        """The measurement ``key`` as a DataFrame: a table (list of records), a dict of columns or a scalar."""
        import pandas as pd

        value = self.measurements[key]
        if isinstance(value, list):
            if value and not isinstance(value[0], dict):
                return pd.DataFrame({key: value})
            return pd.DataFrame.from_records(value)
        if isinstance(value, dict):
            if all(isinstance(v, list) for v in value.values()):
                return pd.DataFrame(value)
            return pd.DataFrame([value])
        return pd.DataFrame({key: [value]})

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every measurement as a DataFrame."""
        return {key: self.frame(key) for key in self.measurements}

    @property
    def verdicts(self) -> dict[str, str]:
        return {c.id: c.verdict for c in self.claims}

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document of the design brief, as Python values: non-finite numbers are still floats here
        and become strict JSON where the document is written (:func:`json_safe`, applied once by ``--json``)."""
        keys = ("id", "statement", "source", "expected", "measured", "uncertainty", "verdict", "reason")
        return {
            "study": self.study,
            "run_id": self.run_id,
            "preset": self.preset,
            "seed": self.seed,
            "status": self.status,
            "reused": self.reused,
            "config": self.config,
            "measurements": self.measurements,
            "claims": [{k: c.to_json()[k] for k in keys} for c in self.claims],
            "probes": [p.to_json() for p in self.probes],
        }
