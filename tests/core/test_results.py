"""Typed results with a stable JSON form (issue 27): claims, probes and tables are frozen dataclasses whose
``to_json``/``from_json`` round-trip exactly; the store and ``--json`` keep today's keys; runs stored before the
change still load."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path
from typing import Any

import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import Store, run
from skeptic.core.claims import ClaimResult, Estimate, ProbeResult, Quote
from skeptic.core.results import RunResult
from skeptic.core.store import StoredTable

TODAY_CLAIM: dict[str, Any] = {
    "id": "fair",
    "statement": "The coin lands heads half the time",
    "source": "Textbook",
    "expected": "in [0.45, 0.55]",
    "measured": "0.503 [0.481, 0.525]",
    "uncertainty": "±1.96 binomial SE",
    "verdict": "replicated",
    "reason": "the whole interval lies inside [0.45, 0.55]",
    "estimates": [{"value": 0.503, "lo": 0.481, "hi": 0.525, "method": "±1.96 binomial SE"}],
    "own_threshold": "the band is ours",
    "raw_verdict": "replicated",
    "trusted": True,
    "quote": {"text": "one half", "locator": "Textbook, p. 1", "verified": True, "note": ""},
    "band_verdicts": ["replicated", "inconclusive"],
    "line_stable": False,
}
"""A claim exactly as the store held it before this change (``ClaimResult.to_dict()`` of that code)."""

TODAY_PROBE = {"id": "simulation", "description": "within 6 SE", "passed": True, "detail": "observed 0.5030"}
TODAY_TABLE = {"name": "labels", "caption": "the label", "rows": [{"label": "a fair coin"}], "collapsed": False}


def test_todays_stored_forms_round_trip_exactly() -> None:
    assert ClaimResult.from_json(TODAY_CLAIM).to_json() == TODAY_CLAIM
    assert ProbeResult.from_json(TODAY_PROBE).to_json() == TODAY_PROBE
    assert StoredTable.from_json(TODAY_TABLE).to_json() == TODAY_TABLE
    with_reads = {**TODAY_CLAIM, "reads": ["heads_fraction", "n_flips"]}
    assert ClaimResult.from_json(with_reads).to_json() == with_reads


def test_typed_results_round_trip_through_their_json() -> None:
    claim = ClaimResult(
        "c",
        "s",
        "src",
        "≥ 1",
        "2",
        "exact",
        "replicated",
        "r",
        estimates=(Estimate(2.0, 1.5, math.inf, "bounded below"),),
        raw_verdict="replicated",
        quote=Quote.unverified("arXiv 1, §2", note="not retrieved"),
        band_verdicts=("replicated",),
        reads=("x",),
    )
    text = json.dumps(claim.to_json(), allow_nan=True)
    assert ClaimResult.from_json(json.loads(text)) == claim
    assert claim.estimates[0].hi == math.inf and claim.line_stable is True
    assert claim["verdict"] == "replicated" and claim.get("reads") == ["x"]  # the JSON form, for dict-era code


def test_an_older_claim_without_the_later_fields_loads_with_their_defaults() -> None:
    older = {k: TODAY_CLAIM[k] for k in ("id", "statement", "source", "expected", "measured", "uncertainty")}
    older |= {"verdict": "untrusted", "reason": "probe failed", "estimates": []}
    c = ClaimResult.from_json(older)
    assert (c.raw_verdict, c.trusted, c.quote, c.band_verdicts, c.reads, c.line_stable) == (
        None,
        True,
        None,
        (),
        None,
        None,
    )


def _write_todays_record(store_dir: Path) -> str:
    """A completed run written the way the store wrote one before this change: JSON with NaN and Infinity tokens."""
    store = Store(store_dir)
    store.start_run(
        run_id="old-run",
        study="toy-coin",
        preset="test",
        seed=0,
        config={"n_flips": 2000, "p_heads": 0.5, "label": "a fair coin", "sleep_s": 0.0},
        config_hash="h",
        code_version="0123456789ab",
        provenance={"code_version": "0123456789ab"},
    )
    measurements = {"heads_fraction": 0.503, "n_flips": 2000, "ratio": float("inf"), "gap": float("nan")}
    with sqlite3.connect(store.path) as conn:
        conn.execute(
            "UPDATE runs SET status='completed', finished_at=started_at+1, measurements_json=?, claims_json=?,"
            " probes_json=?, tables_json=? WHERE run_id='old-run'",
            tuple(json.dumps(v, allow_nan=True) for v in (measurements, [TODAY_CLAIM], [TODAY_PROBE], [TODAY_TABLE])),
        )
    return "old-run"


def test_a_run_stored_in_todays_format_still_loads_typed(tmp_path: Path) -> None:
    run_id = _write_todays_record(tmp_path)
    record = Store(tmp_path).get(run_id)
    assert record is not None
    result = RunResult.from_record(record, [])
    (claim,) = result.claims
    assert claim.verdict == "replicated" and claim.estimates[0].value == 0.503 and claim.reads is None
    assert claim.quote is not None and claim.quote.locator == "Textbook, p. 1"
    assert result.probes[0].passed and result.tables[0].rows == ({"label": "a fair coin"},)
    assert result.measurements["ratio"] == math.inf and math.isnan(result.measurements["gap"])
    assert result.verdicts == {"fair": "replicated"}


def test_a_new_run_stores_strict_json_and_loads_the_same_values(tmp_path: Path) -> None:
    result = run("toy-coin", preset="test", store=tmp_path, overrides={"label": "NaN"})
    with sqlite3.connect(Store(tmp_path).path) as conn:
        row = conn.execute("SELECT measurements_json, claims_json FROM runs").fetchone()
    for text in row:
        json.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))  # no NaN tokens
    stored = Store(tmp_path).get(result.run_id)
    assert stored is not None
    assert stored.measurements["label"] == "NaN"  # a genuine string stays a string
    assert stored.claims == result.claims and stored.probes == result.probes and stored.tables == result.tables


def test_the_json_document_keeps_the_design_briefs_keys(tmp_path: Path) -> None:
    doc = run("toy-coin", preset="test", store=tmp_path).to_json()
    assert set(doc) == {
        "study",
        "run_id",
        "preset",
        "seed",
        "status",
        "reused",
        "config",
        "measurements",
        "claims",
        "probes",
    }
    assert set(doc["claims"][0]) == {
        "id", "statement", "source", "expected", "measured", "uncertainty", "verdict", "reason"
    }  # fmt: skip
    assert set(doc["probes"][0]) == {"id", "description", "passed", "detail"}


def test_json_output_applies_the_rule_once(capsys: Any) -> None:
    from skeptic.cli import _print_json
    from skeptic.core.jsonform import json_restore

    doc = {"ratio": math.inf, "label": "NaN", "rows": [{"gap": -math.inf}]}
    _print_json(doc)
    text = capsys.readouterr().out
    assert json.loads(text) == {"ratio": "Infinity", "label": "\\NaN", "rows": [{"gap": "-Infinity"}]}
    assert json_restore(json.loads(text)) == doc
