"""Replications under lost workers and failed cells (issue 35): a lost worker costs only its own cell, which is
run once more; a cell lost twice, or one whose study raised, is reported as failed, never as the seed disagreeing.
Each test asserts that nothing completed is false (it equals a direct execution) and nothing completed is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

import tests.core.replicate_studies  # registers toy-flaky
import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import Store, get_study
from skeptic.core.replicate import CellResult, plan_replication, replicate, summarize
from skeptic.core.runner import execute

FLAKY = get_study("toy-flaky")
COIN = get_study("toy-coin")


def _matches_a_direct_run(store: Store, cell: CellResult) -> None:
    """The stored run of ``cell`` holds exactly what running its config in this process gives."""
    record = store.get(cell.run_id or "")
    assert record is not None and record.status == "completed" and record.measurements is not None
    direct = execute(FLAKY, FLAKY.config_type.model_validate(record.config), record.seed, "test")
    assert record.measurements["mean"] == direct.measurements["mean"]


@pytest.mark.slow
def test_a_lost_worker_costs_only_its_own_cell_which_is_run_again(tmp_path: Path) -> None:
    """One cell's process is killed (-9) while another cell runs beside it: both end completed and true."""
    marker = tmp_path / "killed-once"
    plan = plan_replication(FLAKY, "test", 1, {"die_once": ["", str(marker)]}, {"sleep_s": 2.0})
    store = Store(tmp_path / "store")
    rep = replicate(plan, store, workers=2)
    assert marker.exists(), "the cell never lost its worker"
    assert [c.status for c in rep.cells] == ["completed", "completed"], [c.error for c in rep.cells]
    assert rep.n_failed == 0 and rep.claims[0].counts["failed"] == 0
    runs = store.runs()
    assert sorted(r.status for r in runs) == ["completed", "completed"]  # the retry is the cell's one run
    for cell in rep.cells:
        _matches_a_direct_run(store, cell)
    lost = store.get(rep.cells[1].run_id or "")
    assert lost is not None and "SIGKILL" in " ".join(lost.provenance["worker"]["lost_before"])
    innocent = store.get(rep.cells[0].run_id or "")
    assert innocent is not None and "lost_before" not in innocent.provenance["worker"]


@pytest.mark.slow
def test_a_cell_lost_twice_fails_alone_and_is_reported_as_failed(tmp_path: Path) -> None:
    plan = plan_replication(FLAKY, "test", 1, {"die": [False, True]}, {"sleep_s": 1.0})
    store = Store(tmp_path)
    rep = replicate(plan, store, workers=2)
    innocent, lost = rep.cells
    assert innocent.status == "completed"
    _matches_a_direct_run(store, innocent)
    assert lost.status == "failed" and "lost 2 times" in lost.error and "SIGKILL" in lost.error
    assert sorted(r.status for r in store.runs()) == ["completed", "failed"]
    doc = rep.to_dict()
    assert doc["n_failed"] == 1 and doc["failed_cells"][0]["setting"] == "die=true"
    # the failed cell is no verdict: it neither flips the claim with `die` nor makes the seed disagree
    (claim,) = rep.claims
    assert claim.flips_with == [] and "changes with" not in claim.note
    assert "die=true seed 0" in claim.note and "failed" in claim.note


def _cell(setting: int, seed: int, verdict: str | None) -> CellResult:
    if verdict is None:
        return CellResult(setting, seed, f"r{setting}{seed}", "failed", False, {}, {}, [], None, "RuntimeError: x")
    est = [{"value": 0.5 + 0.01 * seed, "lo": 0.45, "hi": 0.55}]
    return CellResult(setting, seed, f"r{setting}{seed}", "completed", False, {"fair": verdict}, {"fair": est}, [], 1.0)


def test_failed_cells_are_named_and_never_read_as_the_seed_or_a_setting_disagreeing() -> None:
    """The regression of issue 35: one failed cell made every claim read "changes with the seed"."""
    plan = plan_replication(COIN, "test", 3, {"p_heads": [0.5, 0.6]})
    cells = [_cell(0, 0, "replicated"), _cell(0, 1, None), _cell(0, 2, "replicated")]
    cells += [_cell(1, 0, None), _cell(1, 1, None), _cell(1, 2, None)]  # a setting where nothing ran
    rep = summarize(plan, cells, replication_id="x", executor={}, device="cpu", duration_s=0.0)
    (claim,) = rep.claims
    assert claim.flips_with == []
    assert claim.note.startswith("replicated in every cell that ran")
    assert "4 cells (p_heads=0.5 seed 1, p_heads=0.6 seed 0, p_heads=0.6 seed 1, p_heads=0.6 seed 2)" in claim.note
    assert [s.summary for s in claim.settings] == ["replicated", "failed"]
    assert claim.counts["failed"] == 4 and claim.counts["replicated"] == 2
    assert [f["seed"] for f in rep.to_dict()["failed_cells"]] == [1, 0, 1, 2]
    # a real disagreement among the seeds that ran is still one
    cells[2] = _cell(0, 2, "not_replicated")
    rep = summarize(plan, cells, replication_id="y", executor={}, device="cpu", duration_s=0.0)
    assert rep.claims[0].flips_with == ["seed"] and "changes with the seed at p_heads=0.5" in rep.claims[0].note
