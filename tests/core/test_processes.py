"""Long commands under signals and lost drivers (issue 35): SIGTERM stops them like Ctrl-C, no child process
outlives its driver, an audit leaves no temporary directory behind, and one argument cannot plan unbounded work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import Store, UsageError, get_study
from skeptic.core.replicate import MAX_CELLS, MAX_SEEDS, plan_replication
from tests.core.proctable import alive as _alive
from tests.core.proctable import children as _children
from tests.core.proctable import wait_for as _wait_for

ROOT = Path(__file__).resolve().parents[2]
COIN = get_study("toy-coin")


def test_one_argument_cannot_plan_unbounded_work() -> None:
    with pytest.raises(UsageError, match=f"cap of {MAX_SEEDS} seeds"):
        plan_replication(COIN, "test", 1_000_000_000)
    huge = {"p_heads": [i / 2000 for i in range(1500)], "n_flips": list(range(10, 1510)), "sleep_s": [0.0, 0.1]}
    with pytest.raises(UsageError, match=f"cap of {MAX_CELLS} cells"):
        plan_replication(COIN, "test", 1, huge)


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads child processes from /proc")

# Each script restores Ctrl-C's default (a background shell may start it ignored) and turns SIGTERM into an
# interrupt exactly as the CLI's replicate and audit commands do.
_REPLICATE = """
import signal, sys, tests.toy_study
signal.signal(signal.SIGINT, signal.default_int_handler)
from skeptic.core import Store, get_study
from skeptic.core.replicate import plan_replication, replicate
from skeptic.core.runner import sigterm_as_interrupt
plan = plan_replication(get_study("toy-coin"), "test", 1, {"sleep_s": [0, 60]})
with sigterm_as_interrupt():
    replicate(plan, Store(sys.argv[1]), workers=2)
"""


@pytest.mark.slow
@needs_proc
def test_sigterm_stops_a_replication_like_ctrl_c_and_leaves_no_worker(tmp_path: Path) -> None:
    store = Store(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", _REPLICATE, str(tmp_path)], cwd=ROOT, stderr=subprocess.PIPE)
    assert _wait_for(lambda: store.runs(status="completed")), "the quick cell never finished"
    workers = _children(proc.pid)
    assert workers, "the pool has no worker"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert sorted(r.status for r in store.runs()) == ["completed", "interrupted"]
    assert _wait_for(lambda: not any(_alive(w) for w in workers), 30), "a pool worker outlived its driver"


@pytest.mark.slow
@needs_proc
def test_a_driver_killed_outright_takes_its_workers_with_it(tmp_path: Path) -> None:
    store = Store(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", _REPLICATE, str(tmp_path)], cwd=ROOT, stderr=subprocess.PIPE)
    assert _wait_for(lambda: store.runs(status="completed")), "the quick cell never finished"
    workers = _children(proc.pid)
    assert workers
    proc.kill()
    proc.wait(timeout=30)
    assert _wait_for(lambda: not any(_alive(w) for w in workers), 30), "a pool worker outlived a killed driver"


_AUDIT = """
import signal, sys, tests.toy_study
signal.signal(signal.SIGINT, signal.default_int_handler)
from skeptic.core import get_study
from skeptic.core.audit import run_audit
from skeptic.core.runner import sigterm_as_interrupt
with sigterm_as_interrupt():
    run_audit(get_study("toy-coin"), "test", overrides={"sleep_s": 60}, store=sys.argv[1], jobs=2)
"""


@pytest.mark.slow
@needs_proc
def test_sigterm_stops_an_audit_its_executions_and_its_temporary_directories(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp))
    store = tmp_path / "store"
    proc = subprocess.Popen(
        [sys.executable, "-c", _AUDIT, str(store)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    assert _wait_for(lambda: len(_children(proc.pid)) >= 2), "the audit never started its executions"
    executions = _children(proc.pid)
    assert list(tmp.glob("skeptic-audit-*")), "the executions keep their task in a temporary directory"
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0, stderr
    assert "KeyboardInterrupt" in stderr  # stopped as an interrupt, not killed by the signal
    assert _wait_for(lambda: not any(_alive(e) for e in executions), 30), "an execution outlived the audit"
    assert not list(tmp.glob("skeptic-audit-*")), "a temporary directory was left behind"
    (audit,) = Store(store).audits()
    assert audit.status == "interrupted"
