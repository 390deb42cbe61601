"""``skeptic new``: the generated package installs, is discovered, runs, passes ``skeptic check`` (the fault audit
included), reports, and its contrast flips its claim; a broken copy of it fails the check with the reason (issue 34).

The package is installed for real (``pip install --no-deps --target``: a wheel built from its pyproject, with its
entry-point metadata) into a temporary folder put on the path of fresh ``python -m skeptic`` processes, so the
shared virtual environment is never modified.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import skeptic
from skeptic.scaffold import package_name

SRC = Path(skeptic.__file__).resolve().parent.parent
NAME = "birthday-check"


def cli(*args: str, site: Path | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    paths = [str(SRC)] + ([str(site)] if site is not None else [])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    command = [sys.executable, "-m", "skeptic", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def pip_install(package: Path, site: Path) -> None:
    """Install ``package`` into ``site``; without build isolation where setuptools is new enough (no network)."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(package)]
    try:
        import setuptools

        if int(setuptools.__version__.split(".")[0]) >= 68:
            command.insert(4, "--no-build-isolation")
    except ImportError:
        pass
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr


def test_a_bad_name_or_a_taken_place_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    for bad in ("My Study", "-x", "goodhart", "json"):  # not a name, a taken study name, an importable package
        done = cli("new", bad, "--dir", str(tmp_path))
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, (bad, done.stderr)
    assert not list(tmp_path.iterdir())
    (tmp_path / NAME).mkdir()
    done = cli("new", NAME, "--dir", str(tmp_path))
    assert done.returncode == 2 and "already exists" in done.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / NAME]


@pytest.mark.slow
def test_a_generated_study_installs_runs_passes_the_check_and_reports(tmp_path: Path) -> None:
    made = cli("new", NAME, "--dir", str(tmp_path))
    assert made.returncode == 0, made.stderr
    package = tmp_path / NAME
    assert (package / "tests" / "test_study.py").is_file() and (package / "README.md").is_file()
    site = tmp_path / "site"
    pip_install(package, site)

    listed = cli("list", site=site)
    assert listed.returncode == 0 and NAME in listed.stdout and "goodhart" in listed.stdout, listed.stderr
    assert not listed.stderr.strip()

    store = str(tmp_path / "store")
    ran = cli("run", NAME, "--preset", "test", "--json", "--store", store, site=site)
    assert ran.returncode == 0, ran.stderr
    doc = json.loads(ran.stdout)
    assert {c["id"]: c["verdict"] for c in doc["claims"]} == {
        "half-at-23": "replicated",
        "smallest-group-23": "replicated",
        "approximation-close": "replicated",
    }
    assert doc["measurements"]["smallest_half"] == 23
    assert all(p["passed"] for p in doc["probes"])

    contrast = cli("run", NAME, "--preset", "test", "--set", "days=730", "--json", "--store", store, site=site)
    verdicts = {c["id"]: c["verdict"] for c in json.loads(contrast.stdout)["claims"]}
    assert verdicts["half-at-23"] == verdicts["smallest-group-23"] == "not_replicated"

    checked = cli("check", NAME, site=site)  # every check, the fault audit included
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"{NAME} passes the contract" in checked.stdout
    assert "ok   audit" in checked.stdout

    reported = cli("report", "--out", str(tmp_path / "report"), "--store", store, site=site)
    assert reported.returncode == 0, reported.stderr
    page = (tmp_path / "report" / f"{NAME}.html").read_text()
    assert "half-at-23" in page and "birthday-curve" in page

    # The same package with its fault catalog emptied fails the check, and says why.
    faults = site / package_name(NAME) / "faults.py"
    faults.write_text(faults.read_text() + "\nFAULTS = ()\n")
    broken = cli("check", NAME, "--check", "declaration", "--check", "fault_catalog", site=site)
    assert broken.returncode == 1
    assert "FAIL fault_catalog" in broken.stdout and "0 faults declared" in broken.stdout
    assert "ok   declaration" in broken.stdout


def test_check_refuses_bad_input_in_one_line() -> None:
    for args in (("check", "nonesuch"), ("check", "goodhart", "--check", "bogus")):
        done = cli(*args)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
