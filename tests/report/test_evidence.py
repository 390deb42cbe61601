"""The evidence behind each verdict (:mod:`skeptic.report.evidence`): which measurements a claim read, their
downloads, the command that reproduces a run, and runs that disagree."""

import base64
import csv
import html as html_lib
import io
import json
import re
import shlex
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import (
    AtLeast,
    Brief,
    Claim,
    Estimate,
    Probe,
    ProbeOutcome,
    Store,
    StudyConfig,
    StudyOutput,
    get_study,
    run,
    study,
)
from skeptic.core.config import parse_assignment
from skeptic.core.runner import RunResult
from skeptic.core.study import _REGISTRY
from skeptic.report import write_report
from skeptic.report.evidence import claim_reads, keys_read, measurement_rows, reproduce, to_csv


def _data_url(html: str, filename: str) -> bytes:
    """The bytes behind the download link named ``filename`` in ``html``."""
    match = re.search(r'<a href="(data:[^"]+)" download="' + re.escape(filename) + '"', html)
    assert match, f"no download link for {filename}"
    url = html_lib.unescape(match.group(1))
    return base64.b64decode(url.split("base64,", 1)[1])


def test_each_claim_links_to_the_measurements_its_code_read(tmp_path: Path) -> None:
    result = run("toy-coin", preset="test", store=tmp_path / "store")
    fair = get_study("toy-coin").claims[0]
    assert keys_read(fair, result.measurements) == ["heads_fraction", "n_flips"]
    assert result.claims[0].reads == ("heads_fraction", "n_flips")  # recorded when the claim was judged
    write_report(Store(tmp_path / "store"), tmp_path / "report", [get_study("toy-coin")])
    html = (tmp_path / "report" / "toy-coin.html").read_text()
    anchor = f"m-{result.run_id}-heads_fraction"
    assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html
    assert f'id="m-{result.run_id}-label"' not in html  # a measurement no claim read is not offered as evidence


def test_measurement_downloads_hold_exactly_the_stored_values(tmp_path: Path) -> None:
    result = run("toy-coin", preset="test", store=tmp_path / "store")
    write_report(Store(tmp_path / "store"), tmp_path / "report", [get_study("toy-coin")])
    html = (tmp_path / "report" / "toy-coin.html").read_text()
    base = f"toy-coin-{result.run_id}"
    assert json.loads(_data_url(html, f"{base}-heads_fraction.json")) == result.measurements["heads_fraction"]
    rows = list(csv.DictReader(io.StringIO(_data_url(html, f"{base}-n_flips.csv").decode())))
    assert rows == [{"value": "2000"}]
    everything = json.loads(_data_url(html, f"{base}.json"))
    assert everything["measurements"]["heads_fraction"] == result.measurements["heads_fraction"]
    assert [c["verdict"] for c in everything["claims"]] == [c.verdict for c in result.claims]


def test_measurement_rows_take_every_shape() -> None:
    assert measurement_rows([{"a": 1, "b": [1, 2]}, {"a": 2, "c": "x"}]) == [
        {"a": 1, "b": "[1,2]"},
        {"a": 2, "c": "x"},
    ]
    assert measurement_rows({"n": [1, 2], "ev": [0.5, 0.25]}) == [{"n": 1, "ev": 0.5}, {"n": 2, "ev": 0.25}]
    assert measurement_rows({"t3": {"peak": 1.0}, "t5": {"peak": 2.0}}) == [
        {"key": "t3", "peak": 1.0},
        {"key": "t5", "peak": 2.0},
    ]
    assert measurement_rows({"k": 3, "n": 4}) == [{"field": "k", "value": 3}, {"field": "n", "value": 4}]
    assert measurement_rows(0.25) == [{"value": 0.25}]
    assert measurement_rows([3, 4]) == [{"index": 0, "value": 3}, {"index": 1, "value": 4}]
    assert to_csv([{"a": 1}, {"b": "x,y"}]) == 'a,b\n1,\n,"x,y"\n'


@pytest.mark.parametrize("label", ["3", " padded ", "true", 'quote " and <b>tag</b>', "plain words"])
def test_the_reproduce_command_rebuilds_the_run(tmp_path: Path, label: str) -> None:
    first = run("toy-coin", preset="test", overrides={"label": label, "p_heads": 0.6}, seed=7, store=tmp_path / "s")
    command = reproduce(get_study("toy-coin"), first)
    words = shlex.split(command.command)
    assert words[:7] == ["skeptic", "run", "toy-coin", "--preset", "test", "--seed", "7"]
    overrides = dict(parse_assignment(words[i + 1]) for i, w in enumerate(words) if w == "--set")
    assert overrides == {"label": label, "p_heads": 0.6} and command.notes == ()
    again = run("toy-coin", preset="test", overrides=overrides, seed=7, store=tmp_path / "s")
    assert again.reused and again.run_id == first.run_id  # the same config, seed and code: the same run


def test_a_run_on_the_preset_needs_no_set(tmp_path: Path) -> None:
    result = run("toy-coin", preset="test", store=tmp_path / "s")
    assert reproduce(get_study("toy-coin"), result).command == "skeptic run toy-coin --preset test --seed 0"


def test_two_runs_that_disagree_are_shown_side_by_side(tmp_path: Path) -> None:
    fair = run("toy-coin", preset="test", store=tmp_path / "store")
    biased = run("toy-coin", preset="test", overrides={"p_heads": 0.9}, store=tmp_path / "store")
    assert fair.verdicts["fair"] == "replicated" and biased.verdicts["fair"] == "not_replicated"
    write_report(Store(tmp_path / "store"), tmp_path / "report", [get_study("toy-coin")])
    html = (tmp_path / "report" / "toy-coin.html").read_text()
    section = html.split('id="disagreements"', 1)[1].split("<h2", 1)[0]
    assert fair.run_id in section and biased.run_id in section
    assert "--set p_heads=0.9" in section
    assert section.count('class="verdict v-replicated"') == 1 and section.count('class="verdict v-not_replicated"') == 1


def test_runs_that_agree_show_no_disagreement(tmp_path: Path) -> None:
    run("toy-coin", preset="test", store=tmp_path / "store")
    run("toy-coin", preset="test", seed=1, store=tmp_path / "store")
    write_report(Store(tmp_path / "store"), tmp_path / "report", [get_study("toy-coin")])
    assert 'id="disagreements"' not in (tmp_path / "report" / "toy-coin.html").read_text()


def test_a_run_of_older_code_names_its_commit(tmp_path: Path) -> None:
    result = run("toy-coin", preset="test", store=tmp_path / "s")
    older = RunResult(**{**result.__dict__, "provenance": {**result.provenance, "code_version": "0123456789ab"}})
    notes = reproduce(get_study("toy-coin"), older).notes
    assert len(notes) == 1 and "code version 0123456789ab" in notes[0]
    assert str(result.provenance["git_commit"]) in notes[0]


def test_the_keys_a_claim_read_are_stored_when_it_is_judged(tmp_path: Path) -> None:
    """The runner records what each measure read (the same recorder the report used to re-run), so the report
    reads the stored list and runs no study code for it."""
    seen: list[str] = []

    def measure(m: Any, config: Any) -> Estimate:
        seen.extend(k for k in ("a", "b", "absent") if k in m)  # a key checked for and present counts as read
        return Estimate.exact(m["a"] + m.get("b", 0) + config.offset)

    class Cfg(StudyConfig):
        offset: float = 0.0
        """Added to the measurement."""

    @study(
        name="reads-probe",
        question="Does the report use the stored keys?",
        sources=("none",),
        presets={"test": Cfg(), "quick": Cfg(), "paper": Cfg()},
        claims=[Claim("c", "a plus b is at least one", "none", measure, AtLeast(1.0))],
        probes=[Probe("p", "always passes", lambda m: ProbeOutcome(True, "ok"))],
        brief=Brief(claimed="a claim", ran="a run", not_shown="nothing"),
        runtime={"test": "<1 s", "quick": "<1 s", "paper": "<1 s"},
    )
    def run_it(config: Cfg, ctx: Any) -> StudyOutput:
        return StudyOutput(measurements={"a": 1.0, "b": 2.0, "unread": 3.0})

    try:
        result = run(run_it, preset="test", store=tmp_path / "store")
        (claim,) = result.claims
        assert claim.reads == ("a", "b") == tuple(keys_read(run_it.claims[0], result.measurements, Cfg()))
        stored = Store(tmp_path / "store").get(result.run_id)
        assert stored is not None and stored.claims[0].reads == ("a", "b")

        calls = len(seen)
        write_report(Store(tmp_path / "store"), tmp_path / "report", [run_it])
        assert len(seen) == calls  # the report did not call the claim's measure
        html = (tmp_path / "report" / "reads-probe.html").read_text()
        assert f'id="m-{result.run_id}-a"' in html and f'id="m-{result.run_id}-unread"' not in html

        older = replace(result, claims=[replace(claim, reads=None)])  # a record from before the keys were stored
        assert claim_reads(run_it, older, older.claims[0], Cfg()) == ["a", "b"] and len(seen) > calls
    finally:
        _REGISTRY.pop("reads-probe", None)
