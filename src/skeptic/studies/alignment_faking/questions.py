"""Questions: Skeptic's shipped sets, and loaders for the public sets from a local path.

Skeptic's sets (``data/helpful_only.jsonl``, ``data/animal_welfare.jsonl``) were written for this project:
harmful requests phrased at the level of a public refusal-benchmark prompt (no operational content), and
questions where an honest answer touches on animal welfare. AdvBench (Zou et al. 2023,
``harmful_behaviors.csv``, columns ``goal,target``) and HarmBench (Mazeika et al. 2024, behaviors CSV with
columns ``Behavior``, ``FunctionalCategory``/``SemanticCategory``, ``BehaviorID``) are read only from a
path the user gives; nothing is downloaded.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from skeptic.studies.alignment_faking.config import Setting
from skeptic.study import UsageError


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    question: str


def builtin_questions(setting: Setting) -> list[Question]:
    """Skeptic's own question set for ``setting`` (shipped as package data)."""
    text = (
        resources.files("skeptic.studies.alignment_faking")
        .joinpath("data")
        .joinpath(f"{setting}.jsonl")
        .read_text("utf-8")
    )
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [Question(str(r["id"]), str(r["category"]), str(r["question"])) for r in rows]


def _read_csv(path: str) -> list[dict[str, str]]:
    p = Path(path).expanduser()
    if not p.is_file():
        raise UsageError(f"dataset_path {path!r} is not a file (give a local CSV; nothing is downloaded)")
    with p.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_advbench(path: str) -> list[Question]:
    """AdvBench ``harmful_behaviors.csv`` (columns ``goal,target``); ids ``advbench-<row>``, category ``advbench``."""
    rows = _read_csv(path)
    if rows and "goal" not in rows[0]:
        raise UsageError(f"{path!r} has no 'goal' column; is it AdvBench's harmful_behaviors.csv?")
    return [Question(f"advbench-{i:03d}", "advbench", r["goal"]) for i, r in enumerate(rows) if r["goal"].strip()]


def load_harmbench(path: str) -> list[Question]:
    """HarmBench behaviors CSV; contextual behaviors (non-empty ``ContextString``) are skipped, as the
    scenario has no place for a context document."""
    rows = _read_csv(path)
    if rows and "Behavior" not in rows[0]:
        raise UsageError(f"{path!r} has no 'Behavior' column; is it HarmBench's behaviors CSV?")
    out = []
    for i, r in enumerate(rows):
        if (r.get("ContextString") or "").strip() or not r["Behavior"].strip():
            continue
        qid = (r.get("BehaviorID") or "").strip() or f"harmbench-{i:03d}"
        category = (r.get("SemanticCategory") or r.get("FunctionalCategory") or "harmbench").strip()
        out.append(Question(qid, category, r["Behavior"]))
    return out


def load_questions(
    setting: Setting, dataset: str = "skeptic", dataset_path: str | None = None, n_questions: int | None = None
) -> list[Question]:
    """The questions for one setting (public sets apply to helpful-only only), the first ``n_questions``."""
    if setting == "animal_welfare" or dataset == "skeptic":
        qs = builtin_questions(setting)
    elif dataset_path is None:
        raise UsageError(f"dataset={dataset} needs dataset_path")
    elif dataset == "advbench":
        qs = load_advbench(dataset_path)
    elif dataset == "harmbench":
        qs = load_harmbench(dataset_path)
    else:
        raise UsageError(f"unknown dataset {dataset!r}")
    ids = [q.id for q in qs]
    if len(set(ids)) != len(ids):
        raise UsageError("question ids must be unique")
    return qs[:n_questions] if n_questions is not None else qs
