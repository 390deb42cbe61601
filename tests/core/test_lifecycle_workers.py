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

import tests.core.replicate_studies  # registers toy-flaky
import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import Store, get_study
from skeptic.core.config import resolve_config
from skeptic.core.replicate import plan_replication, replicate
from skeptic.core.runner import code_version, execute
from tests.core.proctable import descendants as _descendants
from tests.core.proctable import stat as _stat
from tests.core.proctable import wait_for as _wait_for

ROOT = Path(__file__).resolve().parents[2]
COIN = get_study("toy-coin")


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


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_claim_whose_pid_was_reused_by_a_later_process_is_taken_over(tmp_path: Path) -> None:
    """A row left running long ago names a pid that a process started since now holds: not its claim."""
    later = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        store = Store(tmp_path)
        _claim_of(store, later.pid)
        with sqlite3.connect(store.path) as conn:  # the row predates the process now holding its pid
            conn.execute("UPDATE runs SET started_at = started_at - 3600 WHERE run_id='held'")
        rep = replicate(plan_replication(COIN, "test", 1), store, workers=1)
        assert later.poll() is None  # taken over while the unrelated process still runs
    finally:
        later.kill()
        later.wait()
    assert rep.cells[0].status == "completed"
    held = store.get("held")
    assert held is not None and held.status == "interrupted"
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
    assert 2 <= finished < 5, "the audit ended before it was interrupted"
    (first,) = Store(store).audits()
    assert first.status in ("interrupted", "running")  # kill -9 leaves it running (shown as abandoned)
    # the same audit again: what finished is reused, the rest runs, and the result is the uninterrupted one's
    audit_id, resumed = run_audit(COIN, "test", overrides={"sleep_s": 1.0}, store=store, jobs=1)
    assert resumed.reused == finished and resumed.executions == 6
    assert _kept(store) == 5  # every execution but the fault that crashes (a crash is tried again: see _keepable)
    # nothing completed is false: the outcomes an uninterrupted audit of toy-coin gets (tests/core/test_audit.py)
    assert {f.id: f.outcome for f in resumed.faults} == EXPECTED
    assert resumed.clean_verdicts == {"fair": "replicated"} and resumed.stable
    again = run_audit(COIN, "test", overrides={"sleep_s": 1.0}, store=store, jobs=1)[1]
    assert again.reused == 5 and again.executions == 6 and {f.id: f.outcome for f in again.faults} == EXPECTED
    record = Store(store).get_audit(audit_id)
    assert record is not None and record.status == "completed" and record.result is not None
    assert record.result["resumed"] == {"reused": finished, "executions": 6}


# --- Ray: a lost worker retried, stdout kept for --json, an unreachable address, no process left ---------------

needs_ray = pytest.mark.skipif(
    not Path("/proc/self/stat").exists() or __import__("importlib").util.find_spec("ray") is None,
    reason="needs Ray (pip install 'skeptic[ray]') and /proc to follow the processes Ray starts",
)


def _watch(proc: subprocess.Popen[str], until: object) -> dict[int, str]:
    """Record the processes below ``proc`` until ``until()`` holds or it exits."""
    seen: dict[int, str] = {}
    deadline = time.time() + 240
    while proc.poll() is None and time.time() < deadline:
        seen |= _descendants(proc.pid)
        if until():  # type: ignore[operator]
            break
        time.sleep(0.3)
    return seen


def _survivors(seen: dict[int, str]) -> list[str]:
    alive = [pid for pid, start in seen.items() if (found := _stat(pid)) is not None and found[1] == start]
    return [Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")[:80] for pid in alive]


_CLI = """
import signal, sys, tests.core.replicate_studies, tests.toy_study
signal.signal(signal.SIGINT, signal.default_int_handler)
from skeptic.cli import main
sys.argv = ["skeptic", *sys.argv[1:]]
main()
"""


@pytest.mark.slow
@pytest.mark.timeout(400)
@needs_ray
def test_on_ray_a_lost_worker_is_retried_json_stays_one_document_and_no_process_survives(tmp_path: Path) -> None:
    marker = tmp_path / "killed-once"
    store = tmp_path / "store"
    args = ["replicate", "toy-flaky", "--preset", "test", "--seeds", "1", "--executor", "ray", "--workers", "2"]
    args += ["--vary", f'die_once="",{json.dumps(str(marker))}', "--set", "sleep_s=2", "--json", "--store", str(store)]
    proc = subprocess.Popen(
        [sys.executable, "-c", _CLI, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    seen = _watch(proc, lambda: False)
    stdout, stderr = proc.communicate(timeout=240)
    assert proc.returncode == 0, stderr[-2000:]
    doc = json.loads(stdout)  # the whole of stdout is one JSON document, whatever Ray printed
    assert stdout.strip().count("\n") == 0
    assert marker.exists(), "the cell never lost its worker"
    assert doc["n_failed"] == 0 and [c["status"] for c in doc["cells"]] == ["completed", "completed"]
    runs = Store(store).runs()
    assert sorted(r.status for r in runs) == ["completed", "completed"]
    flaky = get_study("toy-flaky")
    for record in runs:  # nothing completed is false
        direct = execute(flaky, flaky.config_type.model_validate(record.config), record.seed, "test")
        assert record.measurements is not None and record.measurements["mean"] == direct.measurements["mean"]
    assert seen, "Ray started no process"
    assert _wait_for(lambda: not _survivors(seen), 30), f"outlived the driver: {_survivors(seen)}"


@pytest.mark.slow
@pytest.mark.timeout(400)
@needs_ray
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_ray_driver_killed_or_stopped_leaves_no_ray_process(tmp_path: Path, sig: int) -> None:
    store = Store(tmp_path)
    args = ["replicate", "toy-coin", "--preset", "test", "--seeds", "1", "--executor", "ray", "--workers", "1"]
    args += ["--set", "sleep_s=600", "--store", str(tmp_path)]
    proc = subprocess.Popen(
        [sys.executable, "-c", _CLI, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )

    def cell_running() -> bool:
        return any("execute_cell" in p for p in _survivors(_descendants(proc.pid)))

    seen = _watch(proc, cell_running)
    assert cell_running(), "the cell never started on Ray"
    seen |= _descendants(proc.pid)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    assert _wait_for(lambda: not _survivors(seen), 60), f"outlived its driver: {_survivors(seen)}"
    (record,) = store.runs()
    if sig == signal.SIGTERM:  # stopped like Ctrl-C: the cell in flight is interrupted, the command says so
        assert proc.returncode == 130 and "interrupted" in stderr, stderr[-3000:]
        assert record.status == "interrupted"
    else:
        assert record.status == "running" and record.shown_status == "abandoned"
    assert store.find_reusable("toy-coin", record.config_hash, record.code_version) is None  # never completed


def test_an_unreachable_ray_address_fails_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    args = ["replicate", "toy-coin", "--preset", "test", "--executor", "ray", "--address", "127.0.0.1:1"]
    proc = subprocess.run(
        [sys.executable, "-c", _CLI, *args, "--store", str(store)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,  # Ray alone retries such an address for many minutes
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "cannot reach a Ray cluster at '127.0.0.1:1': connection refused" in lines[0]
    assert proc.stdout == "" and not store.exists()
