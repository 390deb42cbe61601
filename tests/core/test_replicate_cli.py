"""``skeptic replicate`` as a user runs it: bad input is one line and exit 2 with nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skeptic.core.device import cuda_available


def skeptic(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SKEPTIC_RESULTS"}
    return subprocess.run(
        [sys.executable, "-m", "skeptic", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )


BAD = [
    (["--vary", "no_such_key=1,2"], "setting no_such_key=1: unknown config key 'no_such_key' for goodhart"),
    (["--vary", "sigma_v=1,-1"], "setting sigma_v=-1: invalid config for goodhart: sigma_v"),
    (["--seeds", "0"], "empty grid: --seeds must be at least 1"),
    (["--vary", "sigma_v="], "--vary sigma_v: empty value"),
    (["--vary", "sigma_v=1,1"], "is repeated"),
    (["--vary", "sigma_v"], "--vary takes key=v1,v2"),
    (["--set", "sigma_v=2", "--vary", "sigma_v=1,3"], "both fixed (--set) and varied (--vary)"),
    (["--executor", "dask"], "unknown executor 'dask'"),
    (["--address", "10.0.0.1:6379"], "--address joins a Ray cluster"),
    (["--device", "tpu"], "unknown device 'tpu'"),
    (["--workers", "0"], "--workers must be at least 1"),
    (["--preset", "huge"], "unknown preset 'huge'"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path: Path, args: list[str], message: str) -> None:
    proc = skeptic("replicate", "goodhart", *args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "skeptic-results").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--executor", "dask"], "unknown executor 'dask'"),
        (["--workers", "2"], "--address and --workers go with --executor"),
        (["--executor", "local", "--address", "10.0.0.1:6379"], "--address joins a Ray cluster"),
    ],
)
def test_run_with_bad_executor_options_is_refused(tmp_path: Path, args: list[str], message: str) -> None:
    proc = skeptic("run", "goodhart", *args, cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert not (tmp_path / "skeptic-results").exists()


@pytest.mark.slow
def test_run_on_the_local_executor_stores_an_ordinary_run(tmp_path: Path) -> None:
    proc = skeptic("run", "random-labels", "--preset", "test", "--executor", "local", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["study"] == "random-labels" and doc["status"] == "completed" and not doc["reused"]
    shown = json.loads(skeptic("show", doc["run_id"], "--json", cwd=tmp_path).stdout)
    assert shown["provenance"]["replication"]["executor"] == "local" and shown["provenance"]["device"] == "cpu"
    plain = skeptic("run", "random-labels", "--preset", "test", "--json", cwd=tmp_path)
    assert json.loads(plain.stdout)["reused"]  # the pool's run is the run `skeptic run` would have made


def test_unknown_study_and_cuda_without_a_gpu(tmp_path: Path) -> None:
    proc = skeptic("replicate", "goodhartt", cwd=tmp_path)
    assert proc.returncode == 2 and "Did you mean: goodhart?" in proc.stderr
    if cuda_available():
        pytest.skip("this machine has a CUDA GPU")
    for command in (["replicate", "goodhart"], ["run", "goodhart"]):
        proc = skeptic(*command, "--device", "cuda", cwd=tmp_path)
        assert proc.returncode == 2 and "no CUDA GPU" in proc.stderr, proc.stderr
    assert not (tmp_path / "skeptic-results").exists()


@pytest.mark.slow
def test_replicate_prints_the_map_and_json_and_resumes_from_the_store(tmp_path: Path) -> None:
    args = ("replicate", "random-labels", "--preset", "test", "--seeds", "2", "--workers", "2", "--json")
    proc = skeptic(*args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["study"] == "random-labels" and doc["n_cells"] == 2 and doc["n_reused"] == 0
    assert doc["executor"]["executor"] == "local" and doc["device"] == "cpu"
    assert {c["id"] for c in doc["claims"]} >= {"fits-every-condition", "test-error-rises-with-corruption"}
    for claim in doc["claims"]:
        assert sum(claim["counts"].values()) == 2
        assert len(claim["settings"][0]["verdicts"]) == 2
    assert "verdicts over all cells:" in proc.stderr and "test-error-rises-with-corruption" in proc.stderr
    again = skeptic(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["n_reused"] == 2
    runs = skeptic("runs", cwd=tmp_path)
    assert runs.stdout.count("random-labels") == 2  # the cells are ordinary runs, reused the second time
