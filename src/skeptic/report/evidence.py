"""The auditable record behind each verdict: which measurements a claim read, those measurements as tables
with inline CSV and JSON downloads, the command that reproduces a run, and runs of a study that disagree.

Nothing here is trusted text: every string ends up in a template that escapes it. Downloads are ``data:``
URLs (no script, no network), so a report page stays one self-contained file whose Content-Security-Policy
still forbids every request.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skeptic.core.claims import Claim, ClaimResult, Recorder, call_measure
from skeptic.core.config import config_keys
from skeptic.core.jsonform import json_safe
from skeptic.core.runner import RunResult, code_version
from skeptic.core.study import Study

SHOWN_ROWS = 60
"""Rows of a measurement shown in the page; the CSV and JSON downloads always hold every row."""

_MISSING = object()


def keys_read(claim: Claim, measurements: Mapping[str, Any], config: Any = None) -> list[str]:
    """The measurement keys ``claim.measure`` reads when it decides the claim from ``measurements``.

    The runner records these when it judges the claim (:class:`~skeptic.core.claims.Recorder`,
    :attr:`ClaimResult.reads`); this re-runs the measure through the same recorder, for runs stored before the
    keys were recorded. A measure that raises (a claim not run, a measurement renamed since) still reports what
    it read before it stopped.
    """
    recorder = Recorder(measurements)
    with contextlib.suppress(Exception):  # the verdict is stored; here we only want what was read
        call_measure(claim.measure, recorder, config)  # a measure may also read the run's config
    return recorder.read


def claim_reads(study: Study[Any], run: RunResult, claim: ClaimResult, config: Any = None) -> list[str]:
    """The keys ``claim`` read in ``run``: as stored when it was judged, or, for an older record without them,
    by re-running the study's measure (:func:`keys_read`); only keys the run still holds."""
    if claim.reads is not None:
        keys = list(claim.reads)
    else:
        spec = next((c for c in study.claims if c.id == claim.id), None)
        keys = keys_read(spec, run.measurements, config) if spec is not None else []
    return [k for k in keys if k in run.measurements]


def _cell(value: Any) -> Any:
    """A table cell: scalars as they are, anything nested as compact JSON."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(json_safe(value), separators=(",", ":"), default=str)


def measurement_rows(value: Any) -> list[dict[str, Any]]:
    """A measurement as rows of a table, whatever its shape.

    A list of records is itself; a list of values is (index, value); a dict of equal-length columns is
    transposed; a dict of records gets a ``key`` column; any other dict is (field, value); a scalar is one
    row. Nested values become compact JSON in their cell.
    """
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return [{str(k): _cell(v) for k, v in row.items()} for row in value]
        return [{"index": i, "value": _cell(v)} for i, v in enumerate(value)]
    if isinstance(value, dict):
        values = list(value.values())
        if values and all(isinstance(v, list) for v in values) and len({len(v) for v in values}) == 1:
            cols = [str(k) for k in value]
            return [{c: _cell(col[i]) for c, col in zip(cols, values, strict=True)} for i in range(len(values[0]))]
        if values and all(isinstance(v, dict) for v in values):
            return [{"key": str(k), **{str(kk): _cell(vv) for kk, vv in v.items()}} for k, v in value.items()]
        return [{"field": str(k), "value": _cell(v)} for k, v in value.items()]
    return [{"value": _cell(value)}]


def columns(rows: list[dict[str, Any]]) -> list[str]:
    """Every column of ``rows``, in order of first appearance."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def to_csv(rows: list[dict[str, Any]]) -> str:
    """``rows`` as CSV with a header (missing cells empty)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns(rows), restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def data_url(text: str, mime: str) -> str:
    """``text`` as a base64 ``data:`` URL (a download that needs no script and no network)."""
    return f"data:{mime};charset=utf-8;base64," + base64.b64encode(text.encode()).decode()


def slug(text: str) -> str:
    """A fragment- and file-name-safe form of ``text``."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


@dataclass
class MeasurementView:
    """One measurement of a run as the page shows it: a table, its downloads and the claims that read it."""

    key: str
    anchor: str
    rows: list[dict[str, Any]]
    columns: list[str]
    csv_url: str
    json_url: str
    filename: str
    claims: list[str] = field(default_factory=list)

    @property
    def shown_rows(self) -> list[dict[str, Any]]:
        return self.rows[:SHOWN_ROWS]


@dataclass
class Evidence:
    """Per run: the measurements its claims were decided on, which claim read which, and a JSON of them all."""

    measurements: list[MeasurementView]
    by_claim: dict[str, list[MeasurementView]]
    all_json_url: str
    all_filename: str


def evidence(study: Study[Any], run: RunResult) -> Evidence:
    """The measurements each claim of ``run`` was decided on (see :func:`claim_reads`), with downloads."""
    views: dict[str, MeasurementView] = {}
    by_claim: dict[str, list[MeasurementView]] = {}
    base = f"{slug(study.name)}-{slug(run.run_id)}"
    config: Any = None
    if any(c.reads is None for c in run.claims):  # an older record: its measures are run again to find the keys
        with contextlib.suppress(Exception):  # a run stored under an older config type still shows what it read
            config = study.config_type.model_validate(run.config)
    for c in run.claims:
        for key in claim_reads(study, run, c, config):
            if key not in views:
                rows = measurement_rows(run.measurements[key])
                views[key] = MeasurementView(
                    key=key,
                    anchor=f"m-{slug(run.run_id)}-{slug(key)}",
                    rows=rows,
                    columns=columns(rows),
                    csv_url=data_url(to_csv(rows), "text/csv"),
                    json_url=data_url(json.dumps(json_safe(run.measurements[key]), indent=1), "application/json"),
                    filename=f"{base}-{slug(key)}",
                )
            views[key].claims.append(c.id)
            by_claim.setdefault(c.id, []).append(views[key])
    everything = {
        "study": run.study,
        "run_id": run.run_id,
        "preset": run.preset,
        "seed": run.seed,
        "config": run.config,
        "claims": [c.to_json() for c in run.claims],
        "probes": [p.to_json() for p in run.probes],
        "measurements": run.measurements,
    }
    return Evidence(
        list(views.values()),
        by_claim,
        data_url(json.dumps(json_safe(everything), indent=1, default=str), "application/json"),
        f"{base}.json",
    )


def _dotted(data: Mapping[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _set_value(value: Any) -> str:
    """How ``--set`` must spell ``value`` so that it parses back to exactly ``value`` (see ``parse_value``)."""
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            if value == value.strip():
                return value  # plain text that cannot be read as JSON stays plain
        return json.dumps(value)
    return json.dumps(value)


@dataclass(frozen=True)
class Reproduce:
    """The command that reproduces a run, and why it might not be exact."""

    command: str
    overrides: dict[str, Any]
    notes: tuple[str, ...]


def reproduce(study: Study[Any], run: RunResult) -> Reproduce:
    """``skeptic run STUDY --preset P --seed N --set key=value ...``: every config value that differs from the
    preset as the current code defines it, so the command rebuilds the run's config exactly.

    With ``--device cuda`` when the run was made on a GPU. Notes say when the command cannot be exact: the
    run was made by another code version (its git commit is named), the preset is gone, or a config key of the
    run no longer exists (or is new since the run's code version).
    """
    notes: list[str] = []
    parts = ["skeptic", "run", study.name, "--preset", run.preset, "--seed", str(run.seed)]
    overrides: dict[str, Any] = {}
    preset = study.presets.get(run.preset)
    if preset is None:
        notes.append(f"the preset {run.preset!r} no longer exists in this code version")
    else:
        base = preset.model_dump(mode="json")
        valid = config_keys(study.config_type)
        for key in valid:
            mine = _dotted(run.config, key)
            if mine is _MISSING:
                notes.append(f"{key} is newer than this run's code; the command uses the preset's value")
                continue
            if mine != _dotted(base, key):
                overrides[key] = mine
        known = set(valid)
        for key in _leaf_keys(run.config):
            if key not in known and not any(k.startswith(key + ".") for k in known):
                notes.append(f"{key} is no longer a config key; the current code cannot set it")
    made_by = run.provenance.get("code_version")
    if made_by and made_by != code_version(study):
        commit = run.provenance.get("git_commit") or "unknown"
        dirty = " plus uncommitted changes" if run.provenance.get("git_dirty") else ""
        notes.append(
            f"this run was made by code version {made_by} (git commit {commit}{dirty}), not the current one "
            f"({code_version(study)}): check that commit out to reproduce it exactly"
        )
    for key, value in overrides.items():
        parts += ["--set", f"{key}={_set_value(value)}"]
    if run.provenance.get("device") == "cuda":
        parts += ["--device", "cuda"]
    return Reproduce(shlex.join(parts), overrides, tuple(notes))


def _leaf_keys(data: Mapping[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for k, v in data.items():
        if isinstance(v, Mapping) and v:
            keys.extend(_leaf_keys(v, f"{prefix}{k}."))
        else:
            keys.append(f"{prefix}{k}")
    return keys


@dataclass
class Disagreement:
    """Two completed runs of a study whose verdicts differ on at least one claim, side by side."""

    a: RunResult
    b: RunResult
    why: str
    """Why these two are compared ("the latest quick run and an earlier quick run", "two presets")."""
    rows: list[tuple[str, str, ClaimResult, ClaimResult]]
    """(claim id, statement, claim of ``a``, claim of ``b``) for every claim whose verdict differs."""
    reproduce_a: Reproduce
    reproduce_b: Reproduce


def disagreement(study: Study[Any], a: RunResult, b: RunResult, why: str) -> Disagreement | None:
    """The claims whose verdicts differ between runs ``a`` and ``b`` (None when none does)."""
    ca = {c.id: c for c in a.claims}
    cb = {c.id: c for c in b.claims}
    rows = []
    for cid in ca:
        x, y = ca.get(cid), cb.get(cid)
        if x is not None and y is not None and x.verdict != y.verdict:
            rows.append((cid, x.statement, x, y))
    if not rows:
        return None
    return Disagreement(a, b, why, rows, reproduce(study, a), reproduce(study, b))


def differs(a: RunResult, b: RunResult) -> bool:
    """True when some claim both runs decided got a different verdict."""
    va, vb = a.verdicts, b.verdicts
    return any(va[k] != vb[k] for k in va.keys() & vb.keys())


__all__ = [
    "Disagreement",
    "Evidence",
    "MeasurementView",
    "Reproduce",
    "claim_reads",
    "disagreement",
    "evidence",
    "keys_read",
    "measurement_rows",
    "reproduce",
    "to_csv",
]
