"""The command line as a user runs it: real subprocesses, a fresh store in a temporary directory."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skeptic.core.device import cuda_available

ROOT = Path(__file__).resolve().parents[1]


def skeptic(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SKEPTIC_RESULTS"}
    return subprocess.run(
        [sys.executable, "-m", "skeptic", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )


def test_list_shows_every_study(tmp_path: Path) -> None:
    proc = skeptic("list", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name in ("goodhart", "random-labels", "alignment-faking"):
        assert name in proc.stdout
    assert not (tmp_path / "skeptic-results").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "goodhartt"], "unknown study 'goodhartt'. Did you mean: goodhart?"),
        (["run", "goodhart", "--set", "no_such_key=1"], "unknown config key 'no_such_key' for goodhart; valid keys:"),
        (["run", "goodhart", "--preset", "huge"], "unknown preset 'huge'"),
        (["run"], "name at least one study"),
        (["run", "goodhart", "--seed", "-1"], "skeptic: error:"),
        (["run", "goodhart", "--set", "oops"], "--set takes key=value"),
        (["show", "nope"], "no run 'nope'"),
        (["run", "random-labels", "--set", "dataset=cifar10"], "needs cifar_dir"),
        (["run", "alignment-faking", "--set", "dataset=advbench", "--set", "dataset_path=nope.csv"], "is not a file"),
        (["frobnicate"], "skeptic: error:"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    proc = skeptic(*args, cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert message in lines[0]
    assert "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_value_out_of_range_names_the_constraint(tmp_path: Path) -> None:
    proc = skeptic("run", "goodhart", "--set", "mc_samples=-5", cwd=tmp_path)
    assert proc.returncode == 2 and "mc_samples" in proc.stderr and "greater than" in proc.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_run_json_runs_show_and_report(tmp_path: Path) -> None:
    # alignment-faking's test preset (a scripted test model) is the fastest real study to run end to end
    proc = skeptic("run", "alignment-faking", "--preset", "test", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["study"] == "alignment-faking" and doc["preset"] == "test"
    assert set(doc) >= {"run_id", "config", "measurements", "claims", "probes"}
    for claim in doc["claims"]:
        assert set(claim) == {"id", "statement", "source", "expected", "measured", "uncertainty", "verdict", "reason"}
    for probe in doc["probes"]:
        assert set(probe) == {"id", "description", "passed", "detail"}
    assert "probes:" in proc.stderr  # the verdict table goes to stderr when stdout is JSON

    again = skeptic("run", "alignment-faking", "--preset", "test", "--json", cwd=tmp_path)
    assert json.loads(again.stdout)["reused"] is True

    runs = skeptic("runs", cwd=tmp_path)
    assert doc["run_id"] in runs.stdout and "completed" in runs.stdout
    show = skeptic("show", doc["run_id"], "--json", cwd=tmp_path)
    assert json.loads(show.stdout)["run_id"] == doc["run_id"]

    report = skeptic("report", "--out", "rep", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "rep" / "index.html").exists() and (tmp_path / "rep" / "alignment-faking.html").exists()
    assert doc["run_id"] in (tmp_path / "rep" / "alignment-faking.md").read_text()


def test_store_location_follows_flag_and_environment(tmp_path: Path) -> None:
    env = dict(os.environ, SKEPTIC_RESULTS=str(tmp_path / "from-env"))
    proc = subprocess.run(
        [sys.executable, "-m", "skeptic", "runs"], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0 and "no runs stored yet" in proc.stdout


# --- skeptic replicate (bad input is one line and exit 2 with nothing written) ----------------------------

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
