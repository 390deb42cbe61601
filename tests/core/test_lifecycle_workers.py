"""Processes that share a store or get lost (issue 35): two replications of one plan compute each cell once,
a claim whose process is gone is taken over, a `run --executor` stops on SIGTERM like Ctrl-C. Each test asserts
that nothing completed is false and nothing completed is lost."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import Store, get_study
from skeptic.core.config import resolve_config
from skeptic.core.replicate import plan_replication, replicate
from skeptic.core.runner import code_version, execute

ROOT = Path(__file__).resolve().parents[2]
COIN = get_study("toy-coin")


def _wait_for(condition: object, limit_s: float = 120.0) -> bool:
    deadline = time.time() + limit_s
    while time.time() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def _true(store: Store) -> None:
    """Every completed run holds what executing its config in this process gives (nothing completed is false)."""
    for record in store.runs(status="completed"):
        direct = execute(COIN, COIN.config_type.model_validate(record.config), record.seed, record.preset)
        assert record.measurements is not None
        assert record.measurements["heads_fraction"] == direct.measurements["heads_fraction"]


# --- two replications on one store ----------------------------------------------------------------

_REPLICATE = """
import json, sys, tests.toy_study
from skeptic.core import Store, get_study
from skeptic.core.replicate import plan_replication, replicate
plan = plan_replication(get_study("toy-coin"), "test", 4, {}, {"sleep_s": 1.0})
rep = replicate(plan, Store(sys.argv[1]), workers=1)
print(json.dumps({"reused": rep.n_reused, "failed": rep.n_failed, "runs": [c.run_id for c in rep.cells]}))
"""


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_two_replications_of_one_plan_on_one_store_compute_each_cell_once(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", _REPLICATE, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    docs = [json.loads(p.communicate(timeout=300)[0]) for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    store = Store(tmp_path)
    runs = store.runs()
    assert len(runs) == 4 and all(r.status == "completed" for r in runs), [(r.status, r.error) for r in runs]
    assert sorted(r.seed for r in runs) == [0, 1, 2, 3]
    assert [d["failed"] for d in docs] == [0, 0]
    assert docs[0]["runs"] == docs[1]["runs"]  # both replications hold the same four runs
    assert docs[0]["reused"] + docs[1]["reused"] == 4  # each cell computed by one of the two, reused by the other
    assert len(store.replications()) == 2
    _true(store)


def _claim_of(store: Store, pid: int) -> str:
    """A ``running`` row for toy-coin's test preset, seed 0, held by ``pid`` on this host, as a killed run leaves."""
    config = resolve_config(COIN, "test", {})
    plan = plan_replication(COIN, "test", 1)
    store.start_run(
        run_id="held",
        study="toy-coin",
        preset="test",
        seed=0,
        config=config.model_dump(mode="json"),
        config_hash=plan.cells[0].config_hash,
        code_version=code_version(COIN),
        provenance={},
    )
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE runs SET pid=?, host=? WHERE run_id='held'", (pid, socket.gethostname()))
    return "held"


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_claim_whose_process_is_gone_is_taken_over(tmp_path: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    store = Store(tmp_path)
    _claim_of(store, dead.pid)
    rep = replicate(plan_replication(COIN, "test", 1), store, workers=1)
    assert rep.cells[0].status == "completed" and not rep.cells[0].reused
    held = store.get("held")
    assert held is not None and held.status == "interrupted" and "abandoned" in (held.error or "")
    assert len(store.runs(status="completed")) == 1
    _true(store)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_claim_held_by_a_live_process_is_waited_for(tmp_path: Path) -> None:
    """A live holder is waited for (not computed beside it); when it dies without storing, the cell is taken over."""
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3)"])
    store = Store(tmp_path)
    _claim_of(store, holder.pid)
    rep = replicate(plan_replication(COIN, "test", 1), store, workers=1)
    assert holder.poll() is not None, "the replication ran the cell while its holder was alive"
    assert rep.cells[0].status == "completed"
    held = store.get("held")
    assert held is not None and held.status == "interrupted"
    computed = store.get(rep.cells[0].run_id or "")
    assert computed is not None and computed.started_at >= (held.finished_at or 0)
    _true(store)


# --- SIGTERM for `skeptic run --executor` ----------------------------------------------------------

_RUN_CLI = """
import signal, sys, tests.toy_study
signal.signal(signal.SIGINT, signal.default_int_handler)
from skeptic.cli import main
sys.argv = ["skeptic", "run", "toy-coin", "--preset", "test", "--set", "sleep_s=600", "--executor", "local",
            "--store", sys.argv[1]]
main()
"""


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sigterm_stops_a_run_on_the_pool_like_ctrl_c(tmp_path: Path) -> None:
    store = Store(tmp_path)
    done = replicate(plan_replication(COIN, "test", 1), store, workers=1).cells[0]  # a completed run to keep
    proc = subprocess.Popen([sys.executable, "-c", _RUN_CLI, str(tmp_path)], cwd=ROOT, stderr=subprocess.PIPE)
    assert _wait_for(lambda: store.runs(status="running")), "the run never started"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode == 130
    statuses = {r.run_id: r.status for r in store.runs()}
    assert statuses.pop(done.run_id or "") == "completed"
    assert list(statuses.values()) == ["interrupted"]
    (interrupted,) = [r for r in store.runs() if r.status == "interrupted"]
    assert store.find_reusable("toy-coin", interrupted.config_hash, interrupted.code_version) is None
    _true(store)
    assert os.path.exists(store.path)


# --- an audit resumes ------------------------------------------------------------------------------

_AUDIT = """
import signal, sys, tests.toy_study
signal.signal(signal.SIGINT, signal.default_int_handler)
from skeptic.core import get_study
from skeptic.core.audit import run_audit
from skeptic.core.runner import sigterm_as_interrupt
with sigterm_as_interrupt():
    run_audit(get_study("toy-coin"), "test", overrides={"sleep_s": 1.0}, store=sys.argv[1], jobs=1)
"""


def _kept(store: Path) -> int:
    if not (store / "skeptic.sqlite").exists():
        return 0
    with sqlite3.connect(store / "skeptic.sqlite") as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM audit_executions").fetchone()[0])
        except sqlite3.OperationalError:  # the table is not there yet
            return 0


@pytest.mark.slow
@pytest.mark.timeout(400)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_an_interrupted_audit_reuses_what_it_finished_and_runs_only_the_rest(tmp_path: Path, sig: int) -> None:
    from skeptic.core.audit import run_audit
    from tests.core.test_audit import EXPECTED

    store = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, "-c", _AUDIT, str(store)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    assert _wait_for(lambda: _kept(store) >= 2), "the audit never finished two executions"
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    finished = _kept(store)
    assert 2 <= finished < 6, "the audit ended before it was interrupted"
    (first,) = Store(store).audits()
    assert first.status in ("interrupted", "running")  # kill -9 leaves it running (shown as abandoned)
    # the same audit again: what finished is reused, the rest runs, and the result is the uninterrupted one's
    audit_id, resumed = run_audit(COIN, "test", overrides={"sleep_s": 1.0}, store=store, jobs=1)
    assert resumed.reused == finished and resumed.executions == 6
    assert _kept(store) == 6
    # nothing completed is false: the outcomes an uninterrupted audit of toy-coin gets (tests/core/test_audit.py)
    assert {f.id: f.outcome for f in resumed.faults} == EXPECTED
    assert resumed.clean_verdicts == {"fair": "replicated"} and resumed.stable
    again = run_audit(COIN, "test", overrides={"sleep_s": 1.0}, store=store, jobs=1)[1]
    assert again.reused == 6 and {f.id: f.outcome for f in again.faults} == EXPECTED
    record = Store(store).get_audit(audit_id)
    assert record is not None and record.status == "completed" and record.result is not None
    assert record.result["resumed"] == {"reused": finished, "executions": 6}
