"""Audits: each outcome classified, faults restored and isolated, audits stored, the command and the report.

toy-coin's catalog (tests/toy_study.py) has one fault of each outcome on its ``test`` preset.
"""

import dataclasses
import inspect
import io
import json
import re
import sqlite3
import sys
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

import tests.toy_study as toy
from skeptic.core import Store, UsageError, get_study, runner
from skeptic.core import audit as audit_module
from skeptic.core.audit import (
    AuditFailed,
    AuditResult,
    FaultResult,
    Judged,
    _unstable,
    audit,
    classify,
    keep_fork_servers,
    run_audit,
)
from skeptic.core.claims import ProbeResult
from skeptic.core.config import config_keys, resolve_config
from skeptic.core.faults import Fault, check_catalog, combine, replace
from skeptic.core.runner import execute
from skeptic.report import write_report

EXPECTED = {
    "half-probability": "caught",
    "se-over-batches": "silent",
    "fraction-off-by-one": "harmless",
    "reads-missing-field": "crashed",
}


@pytest.fixture(scope="module")
def toy_audit() -> AuditResult:
    return audit(get_study("toy-coin"), "test")


def test_every_outcome_is_classified(toy_audit: AuditResult) -> None:
    assert {f.id: f.outcome for f in toy_audit.faults} == EXPECTED
    by_id = {f.id: f for f in toy_audit.faults}
    assert by_id["half-probability"].failed_probes == ["simulation"]
    assert by_id["half-probability"].changed_verdicts == [
        {"claim": "fair", "clean": "replicated", "faulty": "not_replicated"}
    ]
    assert by_id["se-over-batches"].failed_probes == []
    assert by_id["se-over-batches"].changed_verdicts == [
        {"claim": "fair", "clean": "replicated", "faulty": "inconclusive"}
    ]
    assert "AttributeError" in by_id["reads-missing-field"].detail
    assert toy_audit.counts == {"caught": 1, "silent": 1, "harmless": 1, "crashed": 1}
    assert toy_audit.probe_power == 0.5 and toy_audit.caught_share == 0.25
    assert toy_audit.clean_verdicts == {"fair": "replicated"} and toy_audit.clean_failed_probes == []
    assert toy_audit.stable and not toy_audit.ok  # a silent and a crashed fault: CI must fail


def test_the_audit_document_is_strict_json(toy_audit: AuditResult) -> None:
    doc = json.loads(json.dumps(toy_audit.to_dict(), allow_nan=False))
    assert doc["counts"]["silent"] == 1 and doc["probe_power"] == 0.5
    assert [FaultResult.from_dict(f) for f in doc["faults"]] == toy_audit.faults


def _probe(pid: str, passed: bool) -> ProbeResult:
    return ProbeResult(pid, "", passed, "")


def test_a_probe_failing_in_the_clean_run_catches_nothing() -> None:
    fault = toy.FAULTS[0]
    clean = Judged([_probe("a", False), _probe("b", True)], {"c1": "replicated"})
    same_failure = Judged([_probe("a", False), _probe("b", True)], {"c1": "not_replicated"})
    assert classify(fault, clean, same_failure, 0.0).outcome == "silent"
    new_failure = Judged([_probe("a", False), _probe("b", False)], {"c1": "replicated"})
    caught = classify(fault, clean, new_failure, 0.0)
    assert caught.outcome == "caught" and caught.failed_probes == ["b"] and caught.changed_verdicts == []
    assert classify(fault, clean, clean, 0.0).outcome == "harmless"


def test_a_claim_missing_from_the_faulty_run_is_a_changed_verdict() -> None:
    """A mutant can drop a claim from the catalog: its run reports one claim fewer, which must classify, not crash."""
    clean = Judged([_probe("a", True)], {"c1": "replicated", "c2": "replicated"})
    dropped = Judged([_probe("a", True)], {"c1": "replicated"})
    result = classify(toy.FAULTS[0], clean, dropped, 0.0)
    assert result.outcome == "silent"
    assert result.changed_verdicts == [{"claim": "c2", "clean": "replicated", "faulty": "missing"}]


def test_two_clean_runs_that_disagree_make_the_audit_unstable() -> None:
    first = Judged([_probe("p", True)], {"c": "replicated"})
    second = Judged([_probe("p", False)], {"c": "inconclusive"})
    assert _unstable(first, first) == []
    assert _unstable(first, second) == ["claim c: replicated then inconclusive", "probe p: passed then failed"]
    result = AuditResult("s", "test", 0, {}, "v", {}, [], unstable=_unstable(first, second))
    assert not result.ok


def test_a_fault_is_restored_even_when_the_run_raises() -> None:
    original = toy.draw
    with pytest.raises(ZeroDivisionError), toy.FAULTS[0].inject():
        assert toy.draw is not original
        raise ZeroDivisionError
    assert toy.draw is original


def test_combine_restores_what_it_injected_when_a_later_part_fails() -> None:
    original = toy.binomial_se
    broken = combine(
        replace("tests.toy_study.binomial_se", lambda f: f), replace("tests.toy_study.no_such", lambda f: f)
    )
    with pytest.raises(AttributeError, match="no_such"), broken():
        pass
    assert toy.binomial_se is original


def test_catalog_checks() -> None:
    inject = replace("tests.toy_study.draw", lambda f: f)
    with pytest.raises(ValueError, match="unique"):
        check_catalog([Fault("a", "scale", "x", inject), Fault("a", "swap", "y", inject)])
    with pytest.raises(ValueError, match="unknown kind"):
        check_catalog([Fault("a", "typo", "x", inject)])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-blank"):
        check_catalog([Fault("a", "scale", " ", inject)])


def test_a_cache_neither_hides_a_fault_nor_leaks_one(toy_audit: AuditResult) -> None:
    """In one process a cache filled by the clean run hides the fault, and one filled under the fault
    outlives it; the audit runs every execution in a fresh process, so neither happens there."""
    spec = get_study("toy-coin")
    config = resolve_config(spec, "test")
    toy._FLIPS.clear()
    try:
        clean = execute(spec, config, 0, "test", render_figures=False)
        with toy.FAULTS[0].inject():
            hidden = execute(spec, config, 0, "test", render_figures=False)
        assert hidden.measurements["heads_fraction"] == clean.measurements["heads_fraction"]  # the cache hid it

        toy._FLIPS.clear()
        with toy.FAULTS[0].inject():
            execute(spec, config, 0, "test", render_figures=False)
        leaked = execute(spec, config, 0, "test", render_figures=False)
        assert leaked.measurements["heads_fraction"] < 0.3  # the fault outlived its injection
        assert not all(p.passed for p in leaked.probes)

        again = audit(spec, "test")  # this process's cache is poisoned; the audit's processes never see it
        assert {f.id: f.outcome for f in again.faults} == EXPECTED
        assert again.stable and again.clean_verdicts == toy_audit.clean_verdicts
    finally:
        toy._FLIPS.clear()


def test_no_config_key_flag_or_run_path_switches_a_fault_on(tmp_path: Path) -> None:
    import skeptic

    for s in [*skeptic.load_studies(), get_study("toy-coin")]:
        assert not [k for k in config_keys(s.config_type) if "fault" in k.lower()], s.name
    with pytest.raises(UsageError, match="unknown config key 'fault'"):
        resolve_config(get_study("toy-coin"), "test", {"fault": "half-probability"})
    assert not re.search(r"\bfaults?\b|inject", inspect.getsource(runner))  # `skeptic run` never reads a catalog
    result = runner.run("toy-coin", preset="test", store=tmp_path)
    assert result.measurements["heads_fraction"] > 0.45 and all(p.passed for p in result.probes)


def test_a_clean_run_that_raises_fails_the_audit() -> None:
    ghost = dataclasses.replace(get_study("toy-coin"), name="toy-ghost")  # not registered in the workers
    with pytest.raises(AuditFailed, match="unknown study 'toy-ghost'"):
        audit(ghost, "test", jobs=1)


def test_audits_are_stored_and_old_stores_still_open(tmp_path: Path) -> None:
    old = tmp_path / "old"
    first = runner.run("toy-coin", preset="test", store=old)
    with sqlite3.connect(old / "skeptic.sqlite") as conn:  # make it a store from before audits existed
        conn.execute("DROP TABLE audits")
    assert Store(old).audits() == [] and Store(old).latest_audit("toy-coin") is None
    assert Store(old).get(first.run_id) is not None

    audit_id, result = run_audit(get_study("toy-coin"), "test", store=old)
    record = Store(old).get_audit(audit_id)
    assert record is not None and record.status == "completed"
    assert record.result == json.loads(json.dumps(result.to_dict()))
    assert record.probe_power == 0.5 and record.caught_share == 0.25 and record.counts["silent"] == 1
    assert record.config == {"n_flips": 2000, "p_heads": 0.5, "label": "a fair coin", "sleep_s": 0.0}
    assert record.code_version == result.code_version == record.provenance["code_version"]
    assert Store(old).latest_audit("toy-coin") == record and Store(old).get_audit(audit_id[:-2]) == record


def test_a_failed_audit_is_stored_as_failed(tmp_path: Path) -> None:
    ghost = dataclasses.replace(get_study("toy-coin"), name="toy-ghost")
    with pytest.raises(AuditFailed):
        run_audit(ghost, "test", store=tmp_path, jobs=1)
    (record,) = Store(tmp_path).audits()
    assert record.status == "failed" and record.error is not None and "toy-ghost" in record.error
    assert Store(tmp_path).latest_audit("toy-ghost") is None


def _cli(*args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    from skeptic import cli

    monkeypatch.setattr(sys, "argv", ["skeptic", *args])
    stdout = io.StringIO()
    with redirect_stdout(stdout), pytest.raises(SystemExit) as exit_info:
        cli.main()
    code = exit_info.value.code
    return int(code) if isinstance(code, int) else 1, stdout.getvalue()


def test_audit_command_json_and_exit_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout = _cli("audit", "toy-coin", "--json", "--store", str(tmp_path), monkeypatch=monkeypatch)
    assert code == 1  # a silent and a crashed fault
    doc = json.loads(stdout)
    assert doc["study"] == "toy-coin" and doc["audit_id"].startswith("audit-")
    assert {f["id"]: f["outcome"] for f in doc["faults"]} == EXPECTED
    assert Store(tmp_path).get_audit(doc["audit_id"]) is not None
    shown = capsys.readouterr().err  # the table goes to stderr when stdout is JSON
    assert "probe power: 50% = caught / (caught + silent) = 1/2" in shown and "SILENT" in shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit"], "name at least one study"),
        (["audit", "toy-coin", "--all"], "not both"),
        (["audit", "toy-coinn"], "unknown study 'toy-coinn'. Did you mean: toy-coin"),
        (["audit", "toy-coin", "--preset", "huge"], "unknown preset 'huge'"),
        (["audit", "toy-broken-free"], "declares no fault catalog"),
        (["audit", "toy-coin", "--jobs", "0"], "--jobs"),
    ],
)
def test_audit_bad_input_is_one_line_exit_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    _register_catalog_free_study()
    code, stdout = _cli(*args, "--store", str(tmp_path / "store"), monkeypatch=monkeypatch)
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and message in lines[0], lines
    assert not (tmp_path / "store").exists() and stdout == ""


def _register_catalog_free_study() -> None:
    from skeptic.core.study import _REGISTRY, study

    if "toy-broken-free" in _REGISTRY:
        return
    spec = get_study("toy-coin")
    study(
        name="toy-broken-free",
        question="?",
        sources=("none",),
        presets=dict(spec.presets),
        claims=[],
        probes=[],
        brief=spec.brief,
        runtime={},
    )(spec.run)


INJECTED = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_report_shows_the_latest_audit_escaped(tmp_path: Path, toy_audit: AuditResult) -> None:
    store = Store(tmp_path / "store")
    runner.run("toy-coin", preset="test", store=store)
    doc: dict[str, Any] = json.loads(json.dumps(toy_audit.to_dict()))
    doc["faults"][2]["note"] = "note " + INJECTED  # strings a fault's note or an exception could carry
    doc["faults"][3]["detail"] = "boom " + INJECTED
    store.start_audit(
        audit_id="audit-x", study="toy-coin", preset="test", seed=0, config={}, code_version="v", provenance={}
    )
    store.complete_audit("audit-x", doc)
    write_report(store, tmp_path / "report", [get_study("toy-coin")])
    html = (tmp_path / "report" / "toy-coin.html").read_text()
    assert "audit-x" in html and "Probe power 50%" in html
    assert '<tr class="row-silent">' in html and '<span class="o-silent">silent</span>' in html
    assert "Silent faults (a verdict changed and no probe noticed): se-over-batches." in html
    assert "fair: replicated → inconclusive" in html
    assert "the simulation probe shares binomial_se" in html  # a harmless or silent fault's note is shown
    assert "<script>alert" not in html and "<img src=x" not in html and "&lt;script&gt;" in html
    md = (tmp_path / "report" / "toy-coin.md").read_text()
    assert "**SILENT**" in md and "Probe power 50%" in md and "<script>" not in md and "<img" not in md
    index = (tmp_path / "report" / "index.html").read_text()
    assert "probe power 50%" in index and "1 silent" in index
    assert "probe power 50%" in (tmp_path / "report" / "index.md").read_text()


def test_report_says_when_a_study_is_not_audited(tmp_path: Path) -> None:
    runner.run("toy-coin", preset="test", store=tmp_path / "store")
    write_report(Store(tmp_path / "store"), tmp_path / "report", [get_study("toy-coin")])
    assert "Not audited yet" in (tmp_path / "report" / "toy-coin.html").read_text()


def test_a_threshold_of_skeptics_own_is_marked_in_the_report(tmp_path: Path) -> None:
    result = runner.run("toy-coin", preset="test", store=tmp_path / "store")
    assert result.claims[0].own_threshold == "the textbook says one half; the band 0.45-0.55 is ours"
    write_report(Store(tmp_path / "store"), tmp_path / "report", [get_study("toy-coin")])
    shown = "Skeptic's own threshold: the textbook says one half; the band 0.45-0.55 is ours"
    assert shown in (tmp_path / "report" / "toy-coin.md").read_text()
    assert shown in (tmp_path / "report" / "toy-coin.html").read_text()
    # The index shows one card per study; the claim rows, and their thresholds, live on the study pages.


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork servers run on Linux only")
def test_audits_inside_keep_fork_servers_share_their_servers_and_close_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 36: the contract test's audits start their fork servers once; the outcomes are those of separate audits."""
    monkeypatch.setenv("SKEPTIC_AUDIT_FORK", "1")
    started: list[Any] = []
    start = audit_module._ForkServer.__init__

    def counted(self: Any, threads: int) -> None:
        start(self, threads)
        started.append(self)

    monkeypatch.setattr(audit_module._ForkServer, "__init__", counted)
    with keep_fork_servers():
        first = audit(get_study("toy-coin"), "test", jobs=2)
        servers = len(started)
        second = audit(get_study("toy-coin"), "test", jobs=2)
        assert len(started) == servers and 1 <= servers <= 2
        assert all(s.proc.poll() is None for s in started)
    assert all(s.proc.poll() is not None for s in started)
    for result in (first, second):
        assert {f.id: f.outcome for f in result.faults} == EXPECTED and result.stable
