"""Bad input for the study is rejected with the config (exit 2, one line, nothing written), never inside a run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from skeptic.core.config import resolve_config
from skeptic.core.errors import UsageError
from skeptic.studies.alignment_faking.study import run as STUDY  # noqa: N812 (the Study object)


def _files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "no_goal.csv").write_text("behavior,target\nDo a bad thing,Sure\n")
    (tmp_path / "garbage.csv").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "empty_harmbench.csv").write_text("")
    (tmp_path / "header_only.csv").write_text("goal,target\n")
    return {p.name: p for p in tmp_path.iterdir()}


BAD = [
    ({"dataset": "advbench", "dataset_path": "no_goal.csv"}, "no 'goal' column"),
    ({"dataset": "advbench", "dataset_path": "garbage.csv"}, "is not a readable advbench CSV"),
    ({"dataset": "harmbench", "dataset_path": "empty_harmbench.csv"}, "holds no harmbench questions"),
    ({"dataset": "advbench", "dataset_path": "header_only.csv"}, "holds no advbench questions"),
    ({"model": "skeptic-scripted/alignment-fakr"}, "unknown scripted model 'alignment-fakr'"),
    ({"model": "anthropc/claude-3-opus-20240229"}, "unknown Inspect provider 'anthropc'"),
    ({"grader_model": "gpt-4o"}, "give the model as provider/name"),
    ({"log_dir": "logs\x00x"}, "NUL byte"),
    ({"dataset": "advbench", "dataset_path": "a\x00b.csv"}, "NUL byte"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD)
def test_rejected_with_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, overrides: dict[str, str], message: str
) -> None:
    _files(tmp_path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as info:
        resolve_config(STUDY, "test", overrides)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_cli_exit_2_one_line_nothing_written(tmp_path: Path) -> None:
    """Two of the cases through the real command line (the rest share the same path through resolve_config)."""
    files = _files(tmp_path)
    import skeptic

    env = {k: v for k, v in os.environ.items() if k != "SKEPTIC_RESULTS"}
    env["PYTHONPATH"] = str(Path(skeptic.__file__).resolve().parents[1])  # the sources under test
    for args in (
        ["--set", "dataset=advbench", "--set", "dataset_path=garbage.csv"],
        ["--set", 'log_dir="a\\u0000b"', "--set", "model=skeptic-scripted/nope"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "skeptic", "run", "alignment-faking", "--preset", "test", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        assert proc.returncode == 2, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
        assert {p.name for p in tmp_path.iterdir()} == set(files)  # nothing written


def test_good_names_pass() -> None:
    for model in ("anthropic/claude-3-opus-20240229", "openai-api/local/x", "ollama/llama3.1", "mockllm/model"):
        resolve_config(STUDY, "test", {"model": model})
