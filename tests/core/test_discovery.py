"""Studies found through the ``skeptic.studies`` entry-point group (issue 34), loaded lazily (issue 36).

Outside packages are real installed metadata: a ``*.dist-info`` folder with ``entry_points.txt`` on the path of a
fresh ``python -m skeptic`` process, exactly what pip writes, without building a wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

import skeptic
from skeptic.core import discovery
from skeptic.core.discovery import BUILTIN, Entry
from skeptic.core.errors import UsageError
from skeptic.core.study import get_study

SRC = Path(skeptic.__file__).resolve().parent.parent
ROOT = SRC.parent
FACADES = ["goodhart", "random_labels", "imitation", "llc", "mup", "simple_rl", "superposition", "glitch_tokens"]


def install_fake(site: Path, dist: str, entries: dict[str, str], modules: dict[str, str] | None = None) -> None:
    """Write what pip writes for a distribution declaring ``entries``, plus its ``modules`` (name -> source)."""
    info = site / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entries.items())
    (info / "entry_points.txt").write_text(f"[skeptic.studies]\n{lines}")
    for name, source in (modules or {}).items():
        (site / f"{name}.py").write_text(source)


def skeptic_cli(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(site)])}
    command = [sys.executable, "-m", "skeptic", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def fresh_index() -> Iterator[None]:
    discovery.refresh()
    yield
    discovery.refresh()


def test_the_builtin_list_is_the_pyproject_entry_points() -> None:
    """One path: Skeptic's own studies are declared in pyproject.toml; BUILTIN repeats it for source checkouts."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["skeptic.studies"]
    assert declared == BUILTIN
    assert list(declared) == list(BUILTIN)  # the order of `skeptic list` and the report


def test_a_source_checkout_without_metadata_still_finds_the_builtins(
    monkeypatch: pytest.MonkeyPatch, fresh_index: None
) -> None:
    monkeypatch.setattr(discovery, "installed_entries", list)
    assert discovery.names() == list(BUILTIN)
    assert get_study("mup").name == "mup"


def test_stale_metadata_of_skeptic_itself_does_not_override_the_running_source(
    monkeypatch: pytest.MonkeyPatch, fresh_index: None
) -> None:
    """An editable install whose metadata predates a moved study still loads the study the running code has."""
    stale = [Entry("goodhart", "skeptic.studies.moved_away:run", "skeptic"), Entry("retired", "x:y", "skeptic")]
    monkeypatch.setattr(discovery, "installed_entries", lambda: stale)
    assert discovery.names() == list(BUILTIN)
    assert get_study("goodhart").run.__module__ == "skeptic.studies.goodhart.study"


def test_a_clash_is_one_usage_error_naming_both_packages(monkeypatch: pytest.MonkeyPatch, fresh_index: None) -> None:
    monkeypatch.setattr(discovery, "installed_entries", lambda: [Entry("goodhart", "other.study", "other-pkg")])
    with pytest.raises(UsageError, match=r"'goodhart' is declared by skeptic .* and other-pkg \(other.study\)"):
        get_study("goodhart")
    with pytest.raises(UsageError, match="declared by"):
        discovery.load_all()
    assert get_study("llc").name == "llc"  # the other studies still load


def test_importing_a_facade_registers_no_study_and_loads_no_torch() -> None:
    code = (
        "import sys\n"
        f"from skeptic import {', '.join(FACADES)}\n"
        "import skeptic.study, skeptic.testing\n"
        "from skeptic.core.study import _REGISTRY\n"
        "studies = sorted(m for m in sys.modules if m.startswith('skeptic.studies.'))\n"
        "print(sorted(_REGISTRY), 'torch' in sys.modules, studies)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "False", "[]"]


def test_naming_a_study_loads_that_study_alone() -> None:
    code = (
        "import sys\n"
        "from skeptic.core.study import get_study, _REGISTRY\n"
        "get_study('goodhart')\n"
        "print(sorted(_REGISTRY), 'skeptic.studies.random_labels' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["['goodhart']", "False"]


def test_a_facade_name_loads_on_first_use() -> None:
    from skeptic import goodhart

    assert goodhart.best_of_n is goodhart.best_of_n  # cached after the first read
    assert set(goodhart.__all__) <= set(dir(goodhart))
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        goodhart.nonesuch  # noqa: B018


BROKEN = "raise ImportError('this plugin needs a package that is not installed')\n"


@pytest.mark.slow
def test_a_broken_plugin_is_skipped_with_one_warning_and_breaks_nothing(tmp_path: Path) -> None:
    install_fake(tmp_path, "broken-plugin", {"broken": "broken_plugin_study"}, {"broken_plugin_study": BROKEN})
    listed = skeptic_cli(tmp_path, "list")
    assert listed.returncode == 0, listed.stderr
    warnings = [line for line in listed.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and "'broken'" in warnings[0] and "'broken-plugin'" in warnings[0], listed.stderr
    assert "ImportError" in warnings[0]
    for name in BUILTIN:
        assert name in listed.stdout
    named = skeptic_cli(tmp_path, "run", "broken", "--store", str(tmp_path / "store"))
    assert named.returncode == 2 and "could not be loaded" in named.stderr
    assert not (tmp_path / "store").exists()  # bad input writes nothing


@pytest.mark.slow
def test_a_name_clash_is_refused_in_one_line(tmp_path: Path) -> None:
    install_fake(tmp_path, "copycat", {"goodhart": "copycat_study"}, {"copycat_study": "x = 1\n"})
    done = skeptic_cli(tmp_path, "run", "goodhart", "--preset", "test", "--store", str(tmp_path / "store"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "declared by skeptic" in lines[0] and "copycat" in lines[0], done.stderr
    assert not (tmp_path / "store").exists()
