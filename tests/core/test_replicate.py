"""Replications: the grid, validation before anything runs, the local pool and a real Ray cluster,
resuming after an interruption, pooling over seeds, flips, the robustness map and the report section."""

from __future__ import annotations

import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scipy import stats as sps

import tests.core.replicate_studies
import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import Store, UsageError, get_study, run
from skeptic.core.claims import Estimate
from skeptic.core.config import resolve_config
from skeptic.core.device import cuda_available, resolve_device
from skeptic.core.executors import CellOutcome, CellTask, LocalExecutor
from skeptic.core.replicate import (
    Cell,
    CellResult,
    Job,
    Plan,
    _store_outcome,
    longest_first,
    parse_vary,
    plan_replication,
    pool_over_seeds,
    replicate,
    rough_seconds,
    run_side_by_side,
    summarize,
)
from skeptic.core.runner import execute
from skeptic.report import write_report

ROOT = Path(__file__).resolve().parents[2]
COIN = get_study("toy-coin")


# --- the grid and its validation ------------------------------------------------------------------


def test_parse_vary_splits_values_at_top_level_commas_and_parses_json() -> None:
    assert parse_vary(["p_heads=0.5,0.7", "label=a,b c"]) == {"p_heads": [0.5, 0.7], "label": ["a", "b c"]}
    assert parse_vary(['models=["a","b"],["c"]']) == {"models": [["a", "b"], ["c"]]}
    assert parse_vary(['label="x,y",z']) == {"label": ["x,y", "z"]}


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["p_heads"], "--vary takes key=v1,v2"),
        (["=1,2"], "--vary takes key=v1,v2"),
        (["p_heads="], "empty value"),
        (["p_heads=0.5,,0.7"], "empty value"),
        (["p_heads=0.5,0.5"], "repeated"),
        (["p_heads=0.5", "p_heads=0.7"], "given twice"),
    ],
)
def test_parse_vary_rejects_bad_input(texts: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_vary(texts)


def test_the_plan_is_settings_times_seeds_with_every_config_resolved() -> None:
    plan = plan_replication(COIN, "test", 3, {"p_heads": [0.5, 0.7], "n_flips": [100, 200]}, {"label": "x"})
    assert len(plan.settings) == 4 and len(plan.cells) == 12
    assert [c.seed for c in plan.cells[:3]] == [0, 1, 2]
    assert plan.settings[1].values == {"p_heads": 0.5, "n_flips": 200}
    last = plan.cells[-1].config
    assert (last.p_heads, last.n_flips, last.label) == (0.7, 200, "x")  # type: ignore[attr-defined]
    assert len({c.config_hash for c in plan.cells}) == 12


@pytest.mark.parametrize(
    ("seeds", "vary", "fixed", "message"),
    [
        (3, {"no_such_key": [1, 2]}, {}, "setting no_such_key=1: unknown config key 'no_such_key'"),
        (3, {"p_heads": [0.5, 1.5]}, {}, r"setting p_heads=1.5: invalid config .*p_heads"),
        (0, {}, {}, "empty grid"),
        (2, {"p_heads": []}, {}, "empty grid"),
        (2, {"p_heads": [0.5]}, {"p_heads": 0.5}, "both fixed"),
        (2, {}, {"n_flips": 1}, "n_flips"),
    ],
)
def test_bad_grids_are_refused_before_anything_runs(seeds: int, vary: dict, fixed: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        plan_replication(COIN, "test", seeds, vary, fixed)


# --- pooling and flips (pure functions) -----------------------------------------------------------


def _cell(setting: int, seed: int, verdict: str, value: float, half: float = 0.01) -> CellResult:
    est = [Estimate(value, value - half, value + half, "test")]
    return CellResult(setting, seed, f"r{setting}{seed}", "completed", False, {"fair": verdict}, {"fair": est}, [], 1.0)


def test_pooling_is_the_mean_with_a_t_interval_over_seeds_judged_by_the_claim() -> None:
    claim = COIN.claims[0]  # fair: Between(0.45, 0.55)
    values = [0.49, 0.51, 0.52]
    pooled, verdict, reason = pool_over_seeds(claim, [_cell(0, i, "replicated", v) for i, v in enumerate(values)])
    assert pooled is not None and len(pooled) == 1
    sd = math.sqrt(sum((v - sum(values) / 3) ** 2 for v in values) / 2)
    half = sps.t.ppf(0.975, 2) * sd / math.sqrt(3)
    assert pooled[0].value == pytest.approx(sum(values) / 3)
    assert pooled[0].hi - pooled[0].value == pytest.approx(half)
    assert verdict == "replicated" and "pooled over 3 seeds" in reason
    # a wide spread over seeds straddles the band: the pooled verdict says so even if each seed passed
    _, verdict, _ = pool_over_seeds(claim, [_cell(0, i, "replicated", v) for i, v in enumerate([0.46, 0.54, 0.5])])
    assert verdict == "inconclusive"


def test_pooling_refuses_what_the_seeds_never_tested() -> None:
    claim = COIN.claims[0]
    same = [_cell(0, i, "replicated", 0.5) for i in range(3)]
    assert pool_over_seeds(claim, same)[:2] == (None, None)  # same value in every seed: not per seed
    assert pool_over_seeds(claim, same[:1])[:2] == (None, None)  # one seed
    untrusted = [_cell(0, 0, "replicated", 0.5), _cell(0, 1, "untrusted", 0.6)]
    assert pool_over_seeds(claim, untrusted)[:2] == (None, "untrusted")


def test_a_claim_flips_with_the_key_that_changes_its_verdict_and_with_the_seed() -> None:
    plan: Plan = plan_replication(COIN, "test", 2, {"p_heads": [0.5, 0.9], "n_flips": [100, 200]})
    cells = []
    for i, setting in enumerate(plan.settings):
        base = "replicated" if setting.values["p_heads"] == 0.5 else "not_replicated"
        for seed in (0, 1):
            mixed = setting.values == {"p_heads": 0.9, "n_flips": 200} and seed == 1
            cells.append(_cell(i, seed, "inconclusive" if mixed else base, 0.5 + 0.01 * seed))
    rep = summarize(plan, cells, replication_id="x", executor={}, device="cpu", duration_s=0.0)
    (claim,) = rep.claims
    assert claim.flips_with == ["p_heads", "seed"]  # not n_flips: alone it never changes the verdict...
    assert "p_heads=0.5: replicated" in claim.note and "p_heads=0.9: " in claim.note
    assert claim.counts == {"replicated": 4, "not_replicated": 3, "inconclusive": 1, "untrusted": 0, "failed": 0}
    # ...except where the seed already disagrees: at p_heads=0.9 the n_flips=200 setting is mixed
    plan_n = plan_replication(COIN, "test", 1, {"n_flips": [100, 200]})
    rep_n = summarize(
        plan_n,
        [_cell(0, 0, "replicated", 0.5), _cell(1, 0, "not_replicated", 0.6)],
        replication_id="y",
        executor={},
        device="cpu",
        duration_s=0.0,
    )
    assert rep_n.claims[0].flips_with == ["n_flips"]
    robust = summarize(
        plan_n,
        [_cell(0, 0, "replicated", 0.5), _cell(1, 0, "replicated", 0.6)],
        replication_id="z",
        executor={},
        device="cpu",
        duration_s=0.0,
    )
    assert robust.claims[0].flips_with == [] and robust.claims[0].note == "replicated in every cell"


# --- running it ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_local_replication_stores_ordinary_runs_pools_and_resumes(tmp_path: Path) -> None:
    store = Store(tmp_path)
    plan = plan_replication(COIN, "test", 3, {"p_heads": [0.5, 0.9]})
    rep = replicate(plan, store, workers=2)
    assert rep.executor["executor"] == "local" and rep.executor["workers"] == 2 and rep.device == "cpu"
    runs = store.runs(status="completed")
    assert len(runs) == 6 and rep.n_reused == 0
    # each cell is exactly the run `skeptic run` would have made: same measurements for the same seed
    single = run("toy-coin", preset="test", overrides={"p_heads": 0.9}, seed=2, store=tmp_path / "single")
    cell = next(c for c in rep.cells if c.setting == 1 and c.seed == 2)
    stored = store.get(cell.run_id or "")
    assert stored is not None and stored.measurements is not None
    assert stored.measurements["heads_fraction"] == single.measurements["heads_fraction"]
    assert stored.provenance["worker"]["pid"] != os.getpid()  # computed in a worker, stored by the driver
    (claim,) = rep.claims
    assert claim.counts["replicated"] == 3 and claim.counts["not_replicated"] == 3
    assert claim.flips_with == ["p_heads"]
    heads = sorted(r.measurements["heads_fraction"] for r in runs if r.config["p_heads"] == 0.5)  # type: ignore[index]
    pooled = claim.settings[0].pooled
    assert pooled is not None and pooled[0]["value"] == pytest.approx(sum(heads) / 3)
    # the same grid again reuses every cell; a larger one reuses the cells it shares
    again = replicate(plan, store, workers=2)
    assert again.n_reused == 6 and len(store.runs()) == 6
    bigger = replicate(plan_replication(COIN, "test", 4, {"p_heads": [0.5, 0.9]}), store, workers=2)
    assert bigger.n_reused == 6 and len(store.runs()) == 8
    assert store.replications("toy-coin")[0].replication_id == bigger.replication_id


def test_side_by_side_studies_start_longest_first_by_stored_then_declared_cost(tmp_path: Path) -> None:
    assert rough_seconds("~1-3 min with a model") == 180.0
    assert rough_seconds("~60 s of CPU (the ReLU/GELU twins ~22 s of it)") == 60.0
    assert rough_seconds("~3.5 min (measured 2026-11-24: 203 s)") == 210.0
    assert rough_seconds("<1 s") == 1.0 and rough_seconds("depends on the model") is None
    store = Store(tmp_path)
    specs = (COIN, get_study("toy-flaky"))
    jobs = [Job(spec, "test", Cell(i, 0, 0, resolve_config(spec, "test"), "h")) for i, spec in enumerate(specs)]
    # both declare "<1 s" and nothing is stored: the order is kept
    assert [j.spec.name for j in longest_first(jobs, store)] == ["toy-coin", "toy-flaky"]
    run("toy-coin", preset="test", store=tmp_path)  # a stored run of toy-coin, its duration set to 0.25 s
    with sqlite3.connect(tmp_path / "skeptic.sqlite") as conn:
        conn.execute("UPDATE runs SET finished_at = started_at + 0.25")
    assert store.last_duration_s("toy-coin", "test") == pytest.approx(0.25)
    assert store.last_duration_s("toy-coin", "quick") is None and store.last_duration_s("toy-flaky", "test") is None
    assert [j.spec.name for j in longest_first(jobs, store)] == ["toy-flaky", "toy-coin"]
    # run side by side, toy-flaky starts first; the results still come back in the order the studies were named
    cells = run_side_by_side(list(specs), "test", store, workers=1, force=True)
    records = [store.get(c.run_id or "") for c in cells]
    assert [r.study for r in records if r is not None] == ["toy-coin", "toy-flaky"]
    assert all(c.status == "completed" for c in cells)
    coin_run, flaky_run = records
    assert coin_run is not None and flaky_run is not None and flaky_run.started_at < coin_run.started_at  # one worker


def test_spawned_workers_import_the_study_themselves() -> None:
    """The start method used for CUDA and on macOS: a fresh interpreter that must find the study."""
    plan = plan_replication(COIN, "test", 1)
    cell = plan.cells[0]
    ex = LocalExecutor(1, "cpu", 1, start_method="spawn")
    try:
        ex.submit(CellTask(0, "tests.toy_study", "toy-coin", "test", cell.config.model_dump(mode="json"), 0, "cpu"))
        outcome = ex.next_done()
    finally:
        ex.close()
    assert outcome.status == "completed", outcome.error
    assert outcome.executed is not None and outcome.worker["pid"] != os.getpid()
    direct = execute(COIN, cell.config, 0, "test")
    assert outcome.executed.measurements["heads_fraction"] == direct.measurements["heads_fraction"]
    assert outcome.worker["config_hash"] == cell.config_hash


def test_a_worker_running_other_code_fails_its_cell(tmp_path: Path) -> None:
    """A cluster node with another Skeptic installed must not mix its results into the store."""
    store = Store(tmp_path)
    plan = plan_replication(COIN, "test", 1)
    cell = plan.cells[0]
    executed = execute(COIN, cell.config, 0, "test")
    prov = {"code_version": "driver-code"}
    store.start_run(
        run_id="r1",
        study="toy-coin",
        preset="test",
        seed=0,
        config={},
        config_hash=cell.config_hash,
        code_version="driver-code",
        provenance=prov,
    )
    worker = {"host": "node-2", "code_version": "other-code", "config_hash": cell.config_hash}
    result = _store_outcome(store, "r1", cell, CellOutcome(0, "completed", executed, worker=worker), prov)
    assert result.status == "failed" and "install the same Skeptic on every node" in result.error
    record = store.get("r1")
    assert record is not None and record.status == "failed" and record.measurements is None


@pytest.mark.slow
def test_a_failing_cell_is_stored_as_failed_and_the_rest_still_count(tmp_path: Path) -> None:
    spec = get_study("toy-flaky")
    rep = replicate(plan_replication(spec, "test", 2, {"crash": [False, True]}), Store(tmp_path), workers=2)
    assert rep.n_failed == 2
    counts = rep.claims[0].counts
    assert counts["failed"] == 2 and sum(counts.values()) == 4
    assert rep.claims[0].settings[1].verdicts == ["failed", "failed"]
    assert all(v != "failed" for v in rep.claims[0].settings[0].verdicts)
    failed = Store(tmp_path).runs(status="failed")
    assert len(failed) == 2 and all("asked to fail" in (r.error or "") for r in failed)
    assert all("RuntimeError" in c.error for c in rep.cells if c.status == "failed")


@pytest.mark.slow
def test_a_worker_killed_under_a_cell_fails_that_cell_instead_of_hanging(tmp_path: Path) -> None:
    spec = get_study("toy-flaky")
    rep = replicate(plan_replication(spec, "test", 2, {"die": [False, True]}), Store(tmp_path), workers=1)
    assert [c.status for c in rep.cells[2:]] == ["failed", "failed"]
    assert all("worker process was lost 2 times" in c.error for c in rep.cells[2:])  # retried once, then failed
    assert all(c.status == "completed" for c in rep.cells[:2])  # run before the kill, on the same worker
    assert sorted(r.status for r in Store(tmp_path).runs()) == ["completed", "completed", "failed", "failed"]


# A process started in the background by a shell without job control inherits SIGINT ignored (POSIX), and
# Python keeps it ignored: the child restores Ctrl-C's default so the test does not depend on how CI was launched.
_INTERRUPTED = """
import signal, sys, tests.toy_study
signal.signal(signal.SIGINT, signal.default_int_handler)
from skeptic.core import Store, get_study
from skeptic.core.replicate import plan_replication, replicate
plan = plan_replication(get_study("toy-coin"), "test", 1, {"sleep_s": [0, 60]})
replicate(plan, Store(sys.argv[1]), workers=2)
"""


@pytest.mark.slow
def test_an_interrupted_replication_marks_cells_in_flight_and_resumes_from_the_finished(tmp_path: Path) -> None:
    store = Store(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", _INTERRUPTED, str(tmp_path)], cwd=ROOT, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while not store.runs(status="completed") and time.time() < deadline:
        time.sleep(0.2)
    assert store.runs(status="completed"), "the quick cell never finished"
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    statuses = sorted(r.status for r in store.runs())
    assert statuses == ["completed", "interrupted"]
    assert store.replications() == []  # no result for a replication that did not finish
    resumed = replicate(plan_replication(COIN, "test", 1, {"sleep_s": [0]}), store, workers=1)
    assert resumed.n_reused == 1


@pytest.mark.slow
def test_replication_on_a_real_local_ray_cluster_matches_the_local_pool(tmp_path: Path) -> None:
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'skeptic[ray]')")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        plan = plan_replication(COIN, "test", 2, {"p_heads": [0.5, 0.9]})
        on_ray = replicate(plan, Store(tmp_path / "ray"), executor="ray")
    finally:
        ray.shutdown()
    local = replicate(plan, Store(tmp_path / "local"), workers=2)
    assert on_ray.executor["executor"] == "ray" and on_ray.executor["slots"] == 2
    assert on_ray.n_failed == 0 and on_ray.n_reused == 0

    def heads(store: Path) -> list[float]:
        return sorted(r.measurements["heads_fraction"] for r in Store(store).runs())  # type: ignore[index]

    assert heads(tmp_path / "ray") == heads(tmp_path / "local")
    assert on_ray.claims[0].counts == local.claims[0].counts
    record = Store(tmp_path / "ray").runs()[0]
    assert record.provenance["replication"]["executor"] == "ray" and "host" in record.provenance["worker"]


def test_ray_executor_refuses_cuda_without_gpus(tmp_path: Path) -> None:
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'skeptic[ray]')")
    if cuda_available():
        pytest.skip("this machine has a GPU")
    ray.init(address="local", num_cpus=1, num_gpus=0, include_dashboard=False, log_to_driver=False)
    try:
        with pytest.raises(UsageError, match="no GPU"):
            replicate(plan_replication(COIN, "test", 1), Store(tmp_path), executor="ray", device="cuda")
    finally:
        ray.shutdown()
    assert not Store(tmp_path).exists()


# --- devices --------------------------------------------------------------------------------------


def test_the_device_reaches_the_study_and_the_provenance_but_not_the_config_hash(tmp_path: Path) -> None:
    result = run("toy-device", preset="test", device="cpu", store=tmp_path)
    assert result.measurements["device"] == "cpu" and result.measurements["tensor_device"] == "cpu"
    assert result.provenance["device"] == "cpu"
    assert run("toy-device", preset="test", device="auto", store=tmp_path).reused  # same config, any device
    assert resolve_device("auto") == ("cuda" if cuda_available() else "cpu")
    with pytest.raises(UsageError, match="unknown device"):
        resolve_device("tpu")


def test_cuda_without_a_gpu_is_a_usage_error(tmp_path: Path) -> None:
    if cuda_available():
        pytest.skip("this machine has a CUDA GPU")
    with pytest.raises(UsageError, match="no CUDA GPU"):
        run("toy-device", preset="test", device="cuda", store=tmp_path)
    assert not Store(tmp_path).exists()


def test_cuda_and_cpu_agree_up_to_floating_point_tolerance(tmp_path: Path) -> None:
    if not cuda_available():
        pytest.skip("no CUDA GPU here: the CUDA comparison runs only where PyTorch sees one")
    cpu = run("toy-device", preset="quick", device="cpu", store=tmp_path / "cpu")
    gpu = run("toy-device", preset="quick", device="cuda", store=tmp_path / "gpu")
    assert gpu.measurements["tensor_device"] == "cuda" and gpu.provenance["device"] == "cuda"
    assert gpu.measurements["trace"] == pytest.approx(cpu.measurements["trace"], rel=1e-3)  # TF32 matmuls
    assert gpu.verdicts == cpu.verdicts


# --- the report -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_report_gains_a_replication_section(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    replicate(plan_replication(COIN, "test", 2, {"p_heads": [0.5, 0.9]}), store, workers=2)
    write_report(store, tmp_path / "report", [COIN])
    html = (tmp_path / "report" / "toy-coin.html").read_text()
    assert 'id="replication"' in html and 'alt="robustness map"' in html
    assert "p_heads=0.9" in html and "changes with p_heads" in html
    md = (tmp_path / "report" / "toy-coin.md").read_text()
    assert "## Replication (test preset, 4 cells" in md and "figures/toy-coin-replication.png" in md
    assert (tmp_path / "report" / "figures" / "toy-coin-replication.png").stat().st_size > 1000


def test_torch_threads_sets_and_restores_the_thread_count_even_on_error() -> None:
    import torch

    from skeptic.core.device import torch_threads

    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), torch_threads(1):
        assert torch.get_num_threads() == 1
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before
