"""Replications: one study over seeds and over the settings a replicator could reasonably choose.

``skeptic replicate STUDY --seeds K --vary key=v1,v2 ...`` runs the grid settings × seeds. Every
cell is an ordinary stored run (same config hash, same reuse rule as ``skeptic run``), so an
interrupted replication resumes where it stopped. The result answers a reviewer's first question,
does the conclusion survive the choices?

- Per claim, its verdict in every cell and the verdict counts.
- Per claim and setting, where the claim's measurement varies with the seed, the **estimate pooled
  over seeds**: the mean of the K per-seed estimates with a Student-t interval,
  ``mean ± t_{0.975, K-1} · s / √K``, judged by the claim's own comparison. Each seed is an
  independent replicate of the whole experiment, so the spread of the per-seed values already
  contains each run's own noise. Pooling needs K ≥ 2 trusted, measured seeds; a measurement that is
  the same in every seed (exact, or seeded internally) is not pooled, since a t-interval of
  identical values would claim a precision the seeds never tested. A failed probe in any seed makes
  the pooled verdict ``untrusted``.
- A claim whose verdict changes between two settings that differ in one key **flips with** that key;
  one whose seeds disagree within a setting flips with the seed. With many cells and 95% intervals
  an occasional ``inconclusive`` cell is expected by chance; a ``replicated`` against
  ``not_replicated`` flip is not.
- A **robustness map**: claims × settings (one stripe per seed) coloured by verdict.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import math
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from skeptic.core.claims import VERDICTS, Claim, Estimate, describe_measured
from skeptic.core.config import config_hash, parse_value, resolve_config
from skeptic.core.device import device_provenance
from skeptic.core.errors import UsageError, shown
from skeptic.core.executors import CellOutcome, CellTask, make_executor
from skeptic.core.runner import code_version, provenance
from skeptic.core.store import RunRecord, Store, StoreError, StoreFullError
from skeptic.core.study import Study, StudyConfig, StudySkipped

CELL_STATES = (*VERDICTS, "failed")
"""What a cell can show for a claim: a verdict, or ``failed`` when the study raised in that cell."""

MIXED = "mixed"


# --- the grid -------------------------------------------------------------------------------------


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside brackets, braces and quotes: ``[1,2],[3]`` -> ``["[1,2]", "[3]"]``."""
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def parse_vary(texts: Sequence[str]) -> dict[str, list[Any]]:
    """``["lr=0.1,1", "width=8,64"]`` -> ``{"lr": [0.1, 1], "width": [8, 64]}``; values parse as JSON when they can."""
    vary: dict[str, list[Any]] = {}
    for text in texts:
        key, sep, raw = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--vary takes key=v1,v2,..., got {text!r}")
        if key in vary:
            raise UsageError(f"--vary {key} is given twice; list all its values in one --vary")
        items = _split_top_level(raw)
        if len(items) > MAX_CELLS:  # counted before any value is parsed
            raise UsageError(
                f"--vary {shown(key)} lists {len(items)} values, above the cap of {MAX_CELLS} cells per replication"
            )
        if raw.strip() == "" or any(item == "" for item in items):
            raise UsageError(f"--vary {key}: empty value in {raw!r} (the grid would be empty or ambiguous)")
        values = [parse_value(item) for item in items]
        canonical = [json.dumps(v, sort_keys=True) for v in values]
        if len(set(canonical)) != len(canonical):
            raise UsageError(f"--vary {key}: a value is repeated in {raw!r}")
        vary[key] = values
    return vary


MAX_SEEDS = 1000
"""The most seeds one replication plans (a typo like ``--seeds 1000000000`` must fail at once, not plan for minutes)."""
MAX_CELLS = 10_000
"""The most cells (settings × seeds) one replication plans: each cell is a full study run."""


@dataclass(frozen=True)
class Setting:
    """One point of the grid: the varied keys' values."""

    values: dict[str, Any]

    @property
    def label(self) -> str:
        if not self.values:
            return "preset"
        return ", ".join(f"{k}={json.dumps(v) if not isinstance(v, str) else v}" for k, v in self.values.items())


@dataclass(frozen=True)
class Cell:
    index: int
    setting: int
    seed: int
    config: StudyConfig
    config_hash: str


@dataclass(frozen=True)
class Plan:
    """The validated grid: every cell's config resolved before anything runs."""

    study: Study[Any]
    preset: str
    fixed: dict[str, Any]
    vary: dict[str, list[Any]]
    seeds: list[int]
    settings: list[Setting]
    cells: list[Cell]


def plan_replication(
    spec: Study[Any],
    preset: str,
    seeds: int,
    vary: Mapping[str, Sequence[Any]] | None = None,
    fixed: Mapping[str, Any] | None = None,
) -> Plan:
    """Resolve and validate every cell (settings × seeds ``0..seeds-1``); bad input raises :class:`UsageError`."""
    grid = {k: list(v) for k, v in (vary or {}).items()}
    fixed = dict(fixed or {})
    if seeds < 1:
        raise UsageError(f"empty grid: --seeds must be at least 1 (got {seeds})")
    if seeds > MAX_SEEDS:
        raise UsageError(f"--seeds {seeds} is above the cap of {MAX_SEEDS} seeds per setting")
    for key, values in grid.items():
        if not values:
            raise UsageError(f"empty grid: --vary {key} has no values")
        if key in fixed:
            raise UsageError(f"{key} is both fixed (--set) and varied (--vary)")
    n_cells = seeds * math.prod(len(v) for v in grid.values())
    if n_cells > MAX_CELLS:
        shape = " × ".join([*(str(len(v)) for v in grid.values()), f"{seeds} seeds"])
        raise UsageError(f"the grid has {n_cells} cells ({shape}), above the cap of {MAX_CELLS} cells per replication")
    resolve_config(spec, preset, fixed)  # the preset name and the fixed keys, named as such
    settings = [Setting(dict(zip(grid, combo, strict=True))) for combo in itertools.product(*grid.values())]
    cells: list[Cell] = []
    for i, setting in enumerate(settings):
        try:
            config = resolve_config(spec, preset, {**fixed, **setting.values})
        except UsageError as exc:
            raise UsageError(f"setting {setting.label}: {exc}") from None
        for seed in range(seeds):
            cells.append(Cell(len(cells), i, seed, config, config_hash(config, seed)))
    return Plan(spec, preset, fixed, grid, list(range(seeds)), settings, cells)


# --- the result -----------------------------------------------------------------------------------


@dataclass
class CellResult:
    """One cell: its run, and each claim's verdict and estimates there."""

    setting: int
    seed: int
    run_id: str | None
    status: str
    """``completed``, ``failed`` or ``skipped``."""
    reused: bool
    verdicts: dict[str, str]
    estimates: dict[str, list[Estimate]]
    failed_probes: list[str]
    duration_s: float | None
    error: str = ""

    @classmethod
    def from_record(cls, setting: int, record: RunRecord, reused: bool) -> CellResult:
        return cls(
            setting=setting,
            seed=record.seed,
            run_id=record.run_id,
            status=record.status,
            reused=reused,
            verdicts={c.id: c.verdict for c in record.claims},
            estimates={c.id: list(c.estimates) for c in record.claims},
            failed_probes=[p.id for p in record.probes if not p.passed],
            duration_s=record.duration_s,
        )

    def state(self, claim_id: str) -> str:
        """The claim's verdict in this cell, or ``failed``."""
        return self.verdicts.get(claim_id, "failed") if self.status == "completed" else "failed"


@dataclass
class SettingSummary:
    """One claim at one setting: its verdict per seed and, where it varies with the seed, the pooled estimate."""

    setting: int
    label: str
    verdicts: list[str]
    summary: str
    """The verdict shared by every seed that ran (a failed seed has no verdict), ``mixed``, or ``failed``."""
    pooled: list[dict[str, Any]] | None
    pooled_measured: str
    pooled_verdict: str | None
    pooled_reason: str


@dataclass
class ClaimSummary:
    id: str
    statement: str
    source: str
    expected: str
    counts: dict[str, int]
    settings: list[SettingSummary]
    flips_with: list[str]
    """The varied keys (and ``seed``) the verdict changes with; empty for a robust claim."""
    note: str


@dataclass
class Replication:
    replication_id: str
    study: str
    preset: str
    seeds: list[int]
    vary: dict[str, list[Any]]
    fixed: dict[str, Any]
    settings: list[dict[str, Any]]
    cells: list[CellResult]
    claims: list[ClaimSummary]
    executor: dict[str, Any]
    device: str
    duration_s: float
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(c.counts.get(s, 0) for c in self.claims) for s in CELL_STATES}

    @property
    def n_reused(self) -> int:
        return sum(c.reused for c in self.cells)

    @property
    def n_failed(self) -> int:
        return sum(c.status != "completed" for c in self.cells)

    @property
    def failed_cells(self) -> list[dict[str, Any]]:
        """The cells that produced no verdict (the study raised, or its worker was lost twice), and why."""
        return [
            {"setting": self.settings[c.setting]["label"], "seed": c.seed, "run_id": c.run_id, "error": c.error}
            for c in self.cells
            if c.status == "failed"
        ]

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document, as Python values (non-finite numbers become strict JSON where it is written:
        :func:`~skeptic.core.jsonform.json_safe`, applied once by the store and by ``--json``)."""
        doc = asdict(self)
        doc |= {"counts": self.counts, "n_cells": len(self.cells), "n_reused": self.n_reused}
        doc |= {"n_failed": self.n_failed, "failed_cells": self.failed_cells}
        return doc


def pool_over_seeds(claim: Claim, cells: Sequence[CellResult]) -> tuple[list[Estimate] | None, str | None, str]:
    """The claim's estimate pooled over the seeds of one setting, its verdict, and why (see the module doc)."""
    if len(cells) < 2:
        return None, None, "one seed: nothing to pool"
    if any(c.status != "completed" for c in cells):
        return None, None, "not pooled: a seed's run failed"
    untrusted = [c.seed for c in cells if c.verdicts.get(claim.id) == "untrusted"]
    if untrusted:
        return None, "untrusted", f"a probe failed in seed(s) {', '.join(map(str, untrusted))}"
    per_seed = [c.estimates.get(claim.id) or [] for c in cells]
    if any(not e for e in per_seed):
        return None, None, "not pooled: the claim was not measured in every seed"
    if len({len(e) for e in per_seed}) != 1:
        return None, None, "not pooled: the seeds measured curves of different lengths"
    points = list(zip(*per_seed, strict=True))
    if all(len({p.value for p in point}) == 1 for point in points):
        return None, None, "not pooled: the measurement is the same in every seed (it does not vary with the seed)"
    pooled = [Estimate.from_samples([p.value for p in point], what="seeds") for point in points]
    measured = pooled[0] if len(pooled) == 1 else pooled
    try:
        verdict, reason = claim.expect.evaluate(measured)
    except (TypeError, ValueError) as exc:
        return pooled, None, f"pooled, but the comparison could not judge it ({exc})"
    return pooled, verdict, f"pooled over {len(cells)} seeds: {reason}"


def _flips(
    states: list[set[str]], settings: list[Setting], vary: Mapping[str, list[Any]]
) -> tuple[list[str], list[str]]:
    """The keys whose change alone changes the verdict beyond the seeds' own spread, and a phrase per key.

    ``states[i]`` is the set of verdicts over the seeds of setting ``i`` (empty where every cell failed, which
    compares with nothing). Two settings that differ in
    ``key`` alone and share no verdict at all make the claim flip with ``key``; overlapping sets
    (``{R}`` against ``{R, I}``) are the seed's doing and are reported as such.
    """
    flips, phrases = [], []
    for key in vary:
        others = [k for k in vary if k != key]
        groups: dict[str, list[int]] = {}
        for i, s in enumerate(settings):
            groups.setdefault(json.dumps([s.values[k] for k in others], default=str), []).append(i)
        pairs = [(i, j) for group in groups.values() for i, j in itertools.combinations(group, 2)]
        if any(states[i] and states[j] and not (states[i] & states[j]) for i, j in pairs):
            flips.append(key)
            by_value: dict[str, set[str]] = {}
            for i, s in enumerate(settings):
                by_value.setdefault(Setting({key: s.values[key]}).label, set()).update(states[i])
            phrases.append("; ".join(f"{label}: {'/'.join(sorted(v))}" for label, v in by_value.items()))
    return flips, phrases


def _setting_summary(verdicts: list[str]) -> str:
    """The verdict every seed that ran shares (failed seeds aside), ``mixed``, or ``failed`` when none ran."""
    seen = set(verdicts) - {"failed"}
    if not seen:
        return "failed" if verdicts else MIXED
    return seen.pop() if len(seen) == 1 else MIXED


def _failed_cells(plan: Plan, cells: Sequence[CellResult]) -> str:
    """The failed cells named: ``p_heads=0.5 seed 1, p_heads=0.9 seed 0``."""
    failed = [c for c in sorted(cells, key=lambda c: (c.setting, c.seed)) if c.status == "failed"]
    named = [f"{plan.settings[c.setting].label} seed {c.seed}" for c in failed]
    shown = ", ".join(named[:5]) + (f" and {len(named) - 5} more" if len(named) > 5 else "")
    return f"{len(named)} cell{'s' if len(named) != 1 else ''} ({shown})"


def summarize(
    plan: Plan,
    cells: Sequence[CellResult],
    *,
    replication_id: str,
    executor: dict[str, Any],
    device: str,
    duration_s: float,
) -> Replication:
    """Every claim's verdict per cell, its counts, the pooled estimates and what it flips with."""
    by_setting: dict[int, list[CellResult]] = {}
    for c in sorted(cells, key=lambda c: (c.setting, c.seed)):
        by_setting.setdefault(c.setting, []).append(c)
    claims = []
    for claim in plan.study.claims:
        counts = dict.fromkeys(CELL_STATES, 0)
        summaries = []
        for i, setting in enumerate(plan.settings):
            seeds = by_setting.get(i, [])
            verdicts = [c.state(claim.id) for c in seeds]
            for v in verdicts:
                counts[v] += 1
            pooled, verdict, reason = pool_over_seeds(claim, seeds)
            shown = describe_measured(pooled[0] if pooled and len(pooled) == 1 else pooled) if pooled else ""
            summaries.append(
                SettingSummary(
                    setting=i,
                    label=setting.label,
                    verdicts=verdicts,
                    summary=_setting_summary(verdicts),
                    pooled=[e.to_dict() for e in pooled] if pooled else None,
                    pooled_measured=shown,
                    pooled_verdict=verdict,
                    pooled_reason=reason,
                )
            )
        # a failed cell has no verdict: it is neither a seed nor a setting disagreeing (it is named on its own)
        judged = [set(s.verdicts) - {"failed"} for s in summaries]
        flips, phrases = _flips(judged, plan.settings, plan.vary)
        notes = [f"changes with {key} ({phrase})" for key, phrase in zip(flips, phrases, strict=True)]
        mixed = [s.label for s, seen in zip(summaries, judged, strict=True) if len(seen) > 1]
        if mixed:
            flips.append("seed")
            notes.append(f"changes with the seed at {'; '.join(mixed)}")
        if not notes:
            only = [v for v, n in counts.items() if n and v != "failed"]
            note = f"{only[0]} in every cell" if only else "no cell ran"
            if only and counts["failed"]:
                note = f"{only[0]} in every cell that ran"
        else:
            note = "; ".join(notes)
        if counts["failed"]:
            note += f"; not judged in {_failed_cells(plan, cells)} (failed, not counted as a verdict)"
        expected = claim.expect.describe()
        claims.append(ClaimSummary(claim.id, claim.statement, claim.source, expected, counts, summaries, flips, note))
    return Replication(
        replication_id=replication_id,
        study=plan.study.name,
        preset=plan.preset,
        seeds=plan.seeds,
        vary=plan.vary,
        fixed=plan.fixed,
        settings=[{"label": s.label, "values": s.values} for s in plan.settings],
        cells=list(cells),
        claims=claims,
        executor=executor,
        device=device,
        duration_s=duration_s,
    )


# --- the robustness map ---------------------------------------------------------------------------

STATE_COLOURS = {
    "replicated": "#2e9e4f",
    "not_replicated": "#c0392b",
    "inconclusive": "#e8b32a",
    "untrusted": "#8e5bb5",
    "failed": "#4d4d4d",
}


def robustness_map_png(rep: Replication) -> bytes:
    """Claims × settings, one stripe per seed, coloured by verdict; a PNG for the store and report."""
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Patch

    n_seeds = len(rep.seeds)
    n_settings = len(rep.settings)
    width = n_seeds + 1  # one blank stripe between settings
    codes = {s: i for i, s in enumerate(CELL_STATES)}
    gap = len(CELL_STATES)
    grid = [[gap] * (n_settings * width - 1) for _ in rep.claims]
    for row, claim in enumerate(rep.claims):
        for s in claim.settings:
            for k, verdict in enumerate(s.verdicts):
                grid[row][s.setting * width + k] = codes[verdict]
    cmap = ListedColormap([STATE_COLOURS[s] for s in CELL_STATES] + ["#ffffff"])
    fig = MplFigure(figsize=(min(16.0, 3.2 + 0.32 * len(grid[0]) + 0.5 * n_settings), 1.6 + 0.42 * len(rep.claims)))
    ax = fig.subplots()
    ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=gap + 0.5, aspect="auto", interpolation="nearest")
    ax.set_yticks(range(len(rep.claims)), [c.id for c in rep.claims])
    centres = [j * width + (n_seeds - 1) / 2 for j in range(n_settings)]
    tilted = n_settings > 3
    ax.set_xticks(
        centres, [s["label"] for s in rep.settings], rotation=30 if tilted else 0, ha="right" if tilted else "center"
    )
    for j in range(n_settings):  # thin white lines between the seeds' stripes, thicker between claims
        for k in range(1, n_seeds):
            ax.axvline(j * width + k - 0.5, color="white", linewidth=0.8)
    for row in range(1, len(rep.claims)):
        ax.axhline(row - 0.5, color="white", linewidth=2)
    ax.tick_params(axis="x", length=0)
    ax.set_xlabel(f"setting (one stripe per seed, seeds {rep.seeds[0]}..{rep.seeds[-1]})")
    ax.set_title(f"{rep.study} ({rep.preset} preset): each claim's verdict in every cell", fontsize=10)
    for row, claim in enumerate(rep.claims):
        for s in claim.settings:
            if s.pooled_verdict is not None:  # the pooled verdict's initial above the setting's stripes
                letter = {"not_replicated": "N"}.get(s.pooled_verdict, s.pooled_verdict[0].upper())
                x = s.setting * width + (n_seeds - 1) / 2
                box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.5}
                ax.text(x, row, letter, ha="center", va="center", fontsize=8, weight="bold", bbox=box)
    handles = [Patch(color=STATE_COLOURS[s], label=s.replace("_", " ")) for s in CELL_STATES]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


ROBUSTNESS_MAP_CAPTION = (
    "Each row is a claim, each block of stripes one setting, each stripe one seed, coloured by the verdict of that "
    "run. A row of one colour is a conclusion that survives every choice tried; a colour change across blocks is a "
    "verdict that flips with a setting, within a block one that flips with the seed. A letter marks the verdict "
    "of the estimate pooled over seeds (R, N, I, U), where the measurement varies with the seed."
)


# --- the driver -----------------------------------------------------------------------------------


def _new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def _module_of(spec: Study[Any]) -> str:
    module: str = spec.run.__module__
    return module


CLAIM_POLL_S = 0.5
"""How often a replication with nothing of its own to run looks again at cells another process is running."""


@dataclass(frozen=True)
class Job:
    """One cell of one study: what :func:`run_cells` runs (a replication's cells, or ``run --all``'s studies)."""

    spec: Study[Any]
    preset: str
    cell: Cell


def run_cells(
    jobs: Sequence[Job],
    store: Store,
    *,
    executor: str = "local",
    address: str | None = None,
    workers: int | None = None,
    device: str = "auto",
    force: bool = False,
    console: Console | None = None,
    on_cell: Callable[[CellResult], None] | None = None,
    label: str = "cells",
) -> tuple[dict[int, CellResult], dict[str, Any], str]:
    """Run every job not already stored, each as an ordinary run; return results by cell index.

    Also returns where the cells ran and on which device. Workers compute; only this process
    writes ``store``. Each cell is claimed in the store before it runs (:meth:`Store.claim_run`): a cell
    another live process on this host is running is waited for and reused, so two replications of one
    plan on one store compute each cell once; a claim whose process is gone is taken over.
    Ctrl-C marks the runs in flight ``interrupted`` and re-raises; the completed
    ones are reused next time. A skipped cell (the study cannot run as configured) writes nothing.
    """
    prov = provenance()
    by_index = {job.cell.index: job for job in jobs}
    if len(by_index) != len(jobs):
        raise ValueError("cell indices must be unique")
    results: dict[int, CellResult] = {}
    todo: list[Job] = []
    for job in jobs:
        version = code_version(job.spec)  # a study outside Skeptic hashes its own package too
        previous = None if force else store.find_reusable(job.spec.name, job.cell.config_hash, version)
        if previous is not None:
            results[job.cell.index] = CellResult.from_record(job.cell.setting, previous, reused=True)
        else:
            todo.append(job)
    described: dict[str, Any] = {"executor": executor, "note": "every cell reused from the store"}
    used_device: str = "n/a"
    if not todo:
        return results, described, used_device

    progress = _progress(console)
    with progress:
        bar = progress.add_task(label, total=len(jobs), completed=len(results))
        ex = make_executor(executor, address=address, workers=workers, device=device, max_cells=len(todo))
        described, used_device = ex.describe(), ex.device
        start_prov = prov | device_provenance(ex.device) | {"replication": described}
        inflight: dict[int, str] = {}
        waiting: list[Job] = []  # cells another live process has claimed: reused once it stores them
        try:
            while todo or inflight or waiting:
                while todo and len(inflight) < ex.slots:
                    job = todo.pop(0)
                    spec, cell = job.spec, job.cell
                    run_id = _new_run_id()
                    config = cell.config.model_dump(mode="json")
                    # in flight from before its row exists: a Ctrl-C landing anywhere from here on ends the row
                    inflight[cell.index] = run_id
                    claim = store.claim_run(
                        run_id=run_id,
                        study=spec.name,
                        preset=job.preset,
                        seed=cell.seed,
                        config=config,
                        config_hash=cell.config_hash,
                        code_version=code_version(spec),
                        provenance=start_prov,
                        force=force,
                    )
                    if claim.state == "busy":
                        del inflight[cell.index]
                        waiting.append(job)
                        continue
                    if claim.record is not None:  # another process stored it meanwhile
                        del inflight[cell.index]
                        result = CellResult.from_record(cell.setting, claim.record, reused=True)
                    else:
                        ex.submit(
                            CellTask(cell.index, _module_of(spec), spec.name, job.preset, config, cell.seed, ex.device)
                        )
                        continue
                    results[cell.index] = result
                    progress.advance(bar)
                    if on_cell is not None:
                        on_cell(result)
                if not inflight:
                    if waiting:  # nothing of ours runs: look again shortly at the cells others are running
                        time.sleep(CLAIM_POLL_S)
                        todo, waiting = waiting, []
                    continue
                outcome = ex.next_done()
                cell = by_index[outcome.key].cell
                beside = [r for k, r in inflight.items() if k != outcome.key]  # ended with it if the disk is full
                result = _store_outcome(store, inflight[outcome.key], cell, outcome, start_prov, beside)
                del inflight[outcome.key]  # only once stored: a write that fails leaves it to the clean-up below
                results[cell.index] = result
                progress.advance(bar)
                if on_cell is not None:
                    on_cell(result)
                todo, waiting = todo + waiting, []
        except BaseException as exc:
            ex.cancel_all()
            why = (
                f"stopped: the store could not be written ({exc})"
                if isinstance(exc, StoreFullError)
                else "interrupted (Ctrl-C or an error) while running in a pool"
            )
            # every cell in flight in one write (a full disk leaves room for one); should not even that fit, the
            # rows stay running and the next replication takes them over as abandoned
            with contextlib.suppress(StoreError):
                store.end_runs(list(inflight.values()), "interrupted", why)
            raise
        finally:
            ex.close()
    return results, described, used_device


def replicate(
    plan: Plan,
    store: Store,
    *,
    executor: str = "local",
    address: str | None = None,
    workers: int | None = None,
    device: str = "auto",
    force: bool = False,
    console: Console | None = None,
    on_cell: Callable[[CellResult], None] | None = None,
) -> Replication:
    """Run every cell of ``plan`` not already stored, store each as an ordinary run, and summarize.

    Workers compute; only this process writes ``store``. Ctrl-C marks the cells in flight
    ``interrupted`` and re-raises; the completed cells are reused by the next identical replication.
    Raises :class:`StudySkipped` when the study cannot run as configured (every cell skipped).
    """
    t0 = time.perf_counter()
    jobs = [Job(plan.study, plan.preset, cell) for cell in plan.cells]
    results, described, used_device = run_cells(
        jobs,
        store,
        executor=executor,
        address=address,
        workers=workers,
        device=device,
        force=force,
        console=console,
        on_cell=on_cell,
        label=f"{plan.study.name}: cells",
    )
    skipped = [r.error for r in results.values() if r.status == "skipped"]
    if skipped and len(skipped) == len(plan.cells):
        raise StudySkipped(skipped[0])
    rep = summarize(
        plan,
        [results[i] for i in sorted(results)],
        replication_id=_new_run_id(),
        executor=described,
        device=used_device,
        duration_s=time.perf_counter() - t0,
    )
    store.save_replication(rep.replication_id, rep.study, rep.preset, rep.to_dict(), robustness_map_png(rep))
    return rep


def run_side_by_side(
    specs: Sequence[Study[Any]],
    preset: str,
    store: Store,
    *,
    overrides: Mapping[str, Any] | None = None,
    seed: int = 0,
    **options: Any,
) -> list[CellResult]:
    """``skeptic run --all --executor ...``: each study one cell, run side by side; results in ``specs`` order.

    The studies start longest first (:func:`expected_cost_s`): with fewer workers than studies, a long study
    started last would run alone at the end while the other workers sit idle.
    ``options`` are :func:`run_cells`' (executor, address, workers, device, force, console).
    """
    jobs = []
    for i, spec in enumerate(specs):
        config = resolve_config(spec, preset, overrides)
        jobs.append(Job(spec, preset, Cell(i, 0, seed, config, config_hash(config, seed))))
    results, _, _ = run_cells(longest_first(jobs, store), store, label="studies", **options)
    return [results[i] for i in range(len(specs))]


_RUNTIME = re.compile(r"(\d+(?:\.\d+)?)(?:\s*[-–]\s*(\d+(?:\.\d+)?))?\s*(s|min|h)\b")
_UNIT_S = {"s": 1.0, "min": 60.0, "h": 3600.0}


def rough_seconds(runtime: str) -> float | None:
    """The first duration in a study's declared runtime text, in seconds (the upper end of a range): ``"~1-3 min
    with a model"`` -> 180, ``"~60 s of CPU"`` -> 60; None when the text names none."""
    found = _RUNTIME.search(runtime)
    if found is None:
        return None
    return float(found.group(2) or found.group(1)) * _UNIT_S[found.group(3)]


def expected_cost_s(spec: Study[Any], preset: str, store: Store) -> float | None:
    """What a run of ``spec`` at ``preset`` is expected to take: the wall seconds of its newest completed run in
    ``store``, else the study's declared runtime for the preset, else None."""
    last = store.last_duration_s(spec.name, preset)
    return last if last is not None else rough_seconds(spec.runtime.get(preset, ""))


def longest_first(jobs: Sequence[Job], store: Store) -> list[Job]:
    """``jobs`` in decreasing expected cost (longest processing time first: on k workers its makespan is at most
    4/3 of the best order's, Graham 1969); jobs of unknown cost keep their order, after the others."""
    costs = [expected_cost_s(job.spec, job.preset, store) for job in jobs]
    known = sorted((i for i, c in enumerate(costs) if c is not None), key=lambda i: -(costs[i] or 0.0))
    return [jobs[i] for i in known] + [jobs[i] for i, c in enumerate(costs) if c is None]


def _store_outcome(
    store: Store,
    run_id: str,
    cell: Cell,
    outcome: CellOutcome,
    start_prov: dict[str, Any],
    beside: Sequence[str] = (),
) -> CellResult:
    """Write one finished cell as an ordinary run: completed, failed (with why) or, when skipped, not at all.

    ``beside``: the cells still in flight; a disk found full by this write ends them too, in the same write."""
    worker = outcome.worker
    mismatch = ""
    if outcome.status == "completed":
        if worker.get("code_version") != start_prov["code_version"]:
            mismatch = (
                f"the worker on {worker.get('host')} runs code version {worker.get('code_version')}, "
                f"the driver {start_prov['code_version']}: install the same Skeptic on every node"
            )
        elif worker.get("config_hash") != cell.config_hash:
            mismatch = "the worker resolved a different config than the driver (different pydantic or Skeptic?)"
    if outcome.status == "completed" and not mismatch and outcome.executed is not None:
        ex = outcome.executed
        store.complete_run(
            run_id,
            measurements=ex.measurements,
            claims=ex.claims,
            probes=ex.probes,
            tables=ex.tables,
            figures=ex.figures,
            provenance=start_prov | ex.policy | {"worker": worker},
            beside=beside,
        )
        record = store.get(run_id)
        assert record is not None
        return CellResult.from_record(cell.setting, record, reused=False)
    if outcome.status == "skipped":
        store.delete_run(run_id)
        return CellResult(cell.setting, cell.seed, None, "skipped", False, {}, {}, [], None, outcome.error)
    error = mismatch or outcome.error
    store.end_run(run_id, "failed", error, beside=beside)
    return CellResult(
        cell.setting, cell.seed, run_id, "failed", False, {}, {}, [], None, error.strip().splitlines()[-1]
    )


def _progress(console: Console | None) -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=console, transient=True, disable=console is None)


__all__ = [
    "CELL_STATES",
    "ROBUSTNESS_MAP_CAPTION",
    "Cell",
    "CellResult",
    "ClaimSummary",
    "Job",
    "Plan",
    "Replication",
    "Setting",
    "SettingSummary",
    "expected_cost_s",
    "longest_first",
    "parse_vary",
    "plan_replication",
    "pool_over_seeds",
    "replicate",
    "robustness_map_png",
    "rough_seconds",
    "run_cells",
    "run_side_by_side",
    "summarize",
]
