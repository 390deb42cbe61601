"""The runner: resolve the config, seed every generator, run the study, judge it, store it.

``run(study, preset=..., overrides={...})`` is the Python API behind ``skeptic run``. A run is stored
as ``running`` first; it ends ``completed`` (with measurements, verdicts and figures), ``failed``
(with the traceback) or ``interrupted`` (Ctrl-C or SIGTERM). An identical config and code version
reuses the stored run unless ``force=True``.
"""

from __future__ import annotations

import hashlib
import io
import os
import platform
import random
import subprocess
import sys
import time
import traceback
import uuid
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from skeptic.core.claims import ClaimResult, ProbeResult, StoredMeasurements, judge_claims, run_probes
from skeptic.core.config import check_seed, config_hash, resolve_config
from skeptic.core.device import Device, available_cores, device_provenance, keep_freed_memory, resolve_device
from skeptic.core.processes import raise_if_interrupted, stop_signals_as_interrupt
from skeptic.core.results import RunResult as RunResult  # re-exported: studies and notebooks import it from here
from skeptic.core.secrets import redact
from skeptic.core.store import Store, StoredFigure, StoredTable, StoreError
from skeptic.core.study import Figure, Study, StudyConfig, StudySkipped, get_study

PACKAGE_DIR = Path(__file__).resolve().parent.parent


class RunFailed(Exception):
    """The study raised; the run is stored as ``failed`` with the traceback."""

    def __init__(self, run_id: str, message: str) -> None:
        super().__init__(message)
        self.run_id = run_id


class _Context:
    """The :class:`~skeptic.core.study.RunContext` handed to a study's run function."""

    def __init__(self, seed: int, preset: str, console: Console | None, device: Device = "cpu") -> None:
        self.seed = seed
        self.preset = preset
        self.device: str = device
        self._console = console

        self.sections_s: dict[str, float] = {}

    def _seed_sequence(self, key: tuple[str | int, ...]) -> np.random.SeedSequence:
        words = [zlib.crc32(str(k).encode()) for k in key]
        return np.random.SeedSequence([self.seed, *words])

    def rng(self, *key: str | int) -> np.random.Generator:
        return np.random.default_rng(self._seed_sequence(key))

    def seed_for(self, *key: str | int) -> int:
        return int(self._seed_sequence(key).generate_state(1, np.uint64)[0] >> np.uint64(1))

    def torch_generator(self, *key: str | int, device: str | None = None) -> Any:
        import torch

        generator = torch.Generator(device=device or self.device)
        generator.manual_seed(self.seed_for(*key))
        return generator

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.sections_s[name] = self.sections_s.get(name, 0.0) + time.perf_counter() - t0

    @contextmanager
    def progress(self, description: str, total: float | None) -> Iterator[Any]:
        if self._console is None:
            yield lambda advance=1: None
            return
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=self._console, transient=True) as bar:
            task = bar.add_task(description, total=total)
            yield lambda advance=1: bar.advance(task, advance)

    def log(self, message: str) -> None:
        if self._console is not None:
            self._console.print(message, markup=False, highlight=False)


def _hash_tree(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
        if path.suffix in {".py", ".html", ".css", ".j2", ".json", ".csv", ".txt"} and path.is_file():
            digest.update(str(path.relative_to(root) if root.is_dir() else path.name).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def study_package_dir(spec: Study[Any]) -> Path | None:
    """The folder of the top-level package holding ``spec``'s run function (the module file for a lone module),
    or ``None`` when the study lives inside Skeptic's own package."""
    top = spec.run.__module__.split(".")[0]
    module = sys.modules.get(top)
    where = getattr(module, "__file__", None)
    if not where:
        return None
    path = Path(where).resolve()
    root = path.parent if path.name == "__init__.py" else path
    return None if root == PACKAGE_DIR.resolve() or PACKAGE_DIR.resolve() in root.parents else root


def code_version(spec: Study[Any] | None = None) -> str:
    """A hash of the package's own source files: any code change gives a new version.

    With ``spec``, a study living outside Skeptic (an installed plugin) adds a hash of its own package
    (``<skeptic>+<study>``), so editing that package gives a new version and stored runs are not reused stale.
    """
    own = _hash_tree(PACKAGE_DIR)
    outside = study_package_dir(spec) if spec is not None else None
    return own if outside is None else f"{own}+{_hash_tree(outside)}"


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=PACKAGE_DIR, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out


def provenance(spec: Study[Any] | None = None) -> dict[str, Any]:
    """Where and with what a run was made (nothing secret: no environment variables); ``code_version`` covers
    ``spec``'s own package when it lives outside Skeptic (see :func:`code_version`)."""
    versions = {}
    for dist in ("skeptic", "numpy", "scipy", "torch", "pydantic", "inspect_ai"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "code_version": code_version(spec),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(dirty) if dirty is not None else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and (if loaded) PyTorch's global generators."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)


def _png(fig: Figure) -> StoredFigure:
    buf = io.BytesIO()
    fig.figure.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return StoredFigure(fig.name, fig.caption, buf.getvalue())


def sigterm_as_interrupt() -> AbstractContextManager[None]:
    """Treat SIGTERM like Ctrl-C while a run is in progress, so the run is marked ``interrupted``; neither signal
    can be swallowed (one landing mid-import is raised again): see
    :func:`~skeptic.core.processes.stop_signals_as_interrupt`."""
    return stop_signals_as_interrupt()


_INTERRUPTED = "interrupted by the user (Ctrl-C or SIGTERM)"


def _caused_by_interrupt(exc: BaseException) -> bool:
    """Whether a ``KeyboardInterrupt`` lies anywhere in ``exc``'s chain of causes and contexts.

    Python wraps some exceptions on the way up: a Ctrl-C or SIGTERM that lands while a class body runs (during an
    import, say) surfaces as ``RuntimeError: Error calling __set_name__ ...`` caused by the ``KeyboardInterrupt``.
    Such a run was interrupted, not failed.
    """
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        if isinstance(e, KeyboardInterrupt):
            return True
        seen.add(id(e))
        stack += [e.__cause__, e.__context__]
    return False


THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
"""The environment variables through which OpenMP and the BLAS libraries read their thread count."""


def thread_budget() -> tuple[int, str]:
    """The threads this process may use, and why: the share a pool or an audit gave it (``OMP_NUM_THREADS``, which
    :mod:`skeptic.core.executors` and :mod:`skeptic.core.audit` set in each worker, and a user may set), else every
    core it may run on (a lone run)."""
    given = os.environ.get("OMP_NUM_THREADS", "")
    if given.isdigit() and int(given) >= 1:
        return int(given), f"this process's share (OMP_NUM_THREADS={int(given)})"
    cores = available_cores()
    return cores, f"every core this process may use ({cores})"


def thread_policy(spec: Study[Any]) -> dict[str, Any]:
    """The thread count a run of ``spec`` gets and the rule that chose it (stored in the run's provenance).

    A study that declares ``threads`` gets that many, capped at :func:`thread_budget` (a worker's share is never
    exceeded); one that declares none gets the whole budget.
    """
    budget, why = thread_budget()
    if spec.threads is None:
        return {"threads": budget, "threads_rule": f"the runner's rule: {why}", "memory": spec.memory}
    n = min(spec.threads, budget)
    capped = f", capped at {why}" if n < spec.threads else ""
    return {"threads": n, "threads_rule": f"the study declares {spec.threads}{capped}", "memory": spec.memory}


@contextmanager
def applied_policy(policy: Mapping[str, Any]) -> Iterator[None]:
    """Apply a run's thread and memory policy for the run, then restore the thread settings.

    Sets the BLAS/OpenMP variables (read by libraries loaded later) and, when PyTorch is loaded, its intra-op thread
    count (``torch.set_num_threads``). ``memory="keep_freed"`` keeps freed blocks in the process
    (:func:`~skeptic.core.device.keep_freed_memory`), which cannot be undone and is not.
    """
    n = int(policy["threads"])
    before_env = {var: os.environ.get(var) for var in THREAD_VARS}
    torch = sys.modules.get("torch")
    before_torch = torch.get_num_threads() if torch is not None else None
    for var in THREAD_VARS:
        os.environ[var] = str(n)
    if torch is not None:
        torch.set_num_threads(n)
    if policy.get("memory") == "keep_freed":
        keep_freed_memory()
    try:
        yield
    finally:
        for var, value in before_env.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
        torch = sys.modules.get("torch")  # the study may have imported it
        if torch is not None:
            torch.set_num_threads(before_torch if before_torch is not None else n)


@dataclass
class Executed:
    """What one execution of a study produced, before anything is stored."""

    measurements: StoredMeasurements
    probes: list[ProbeResult]
    claims: list[ClaimResult]
    figures: list[StoredFigure]
    tables: list[StoredTable]
    policy: dict[str, Any] = field(default_factory=dict)
    """The thread and memory policy the run was made under (:func:`thread_policy`), for its provenance."""


def execute(
    spec: Study[Any],
    config: StudyConfig,
    seed: int,
    preset: str,
    console: Console | None = None,
    render_figures: bool = True,
    device: Device = "cpu",
    on_judge: Callable[[], None] | None = None,
) -> Executed:
    """Seed every generator, run the study, run its probes and judge its claims; store nothing.

    ``render_figures=False`` skips rendering PNGs (audits compare verdicts, not pictures).
    ``device`` is handed to the study as ``ctx.device``. The study's thread and memory policy
    (:func:`thread_policy`) is applied around its run function and returned in :attr:`Executed.policy`.
    ``on_judge`` is called once the experiment has returned its measurements, before :func:`judge` (the audit's
    line tracer starts its judging phase there).
    """
    ctx = _Context(seed, preset, console, device)
    policy = thread_policy(spec)
    t0 = time.perf_counter()
    try:
        seed_everything(seed)
        with applied_policy(policy):
            output = spec.run(config, ctx)
        measurements = dict(output.measurements)
        measurements["_runtime_s"] = time.perf_counter() - t0
        if ctx.sections_s:
            measurements["_sections_s"] = dict(ctx.sections_s)
        if on_judge is not None:
            on_judge()
        probes, claims = judge(spec, measurements, config)
        figures = [_png(f) for f in output.figures] if render_figures else []
        tables = [StoredTable(t.name, t.caption, tuple(t.rows), t.collapsed) for t in output.tables]
    finally:
        _close_figures()
    return Executed(measurements, probes, claims, figures, tables, policy)


def judge(
    spec: Study[Any], measurements: Mapping[str, Any], config: StudyConfig
) -> tuple[list[ProbeResult], list[ClaimResult]]:
    """Run the study's probes on ``measurements`` and judge its claims: everything of :func:`execute` after the
    experiment, a function of the measurements and the config alone."""
    probes = run_probes(spec.probes, measurements, config)
    return probes, judge_claims(spec.claims, measurements, probes, config)


def run(
    study: str | Study[Any],
    preset: str = "quick",
    overrides: Mapping[str, Any] | None = None,
    seed: int = 0,
    force: bool = False,
    store: Store | str | Path | None = None,
    console: Console | None = None,
    device: str = "auto",
) -> RunResult:
    """Run ``study`` on ``preset`` with dotted ``overrides`` and store the result.

    Raises :class:`~skeptic.core.errors.UsageError` for bad input (nothing written),
    :class:`~skeptic.core.study.StudySkipped` when the study cannot run as configured (nothing
    written), :class:`RunFailed` when the study raised, and ``KeyboardInterrupt`` after marking the
    run ``interrupted``. ``console`` receives progress bars and log lines (none when ``None``).
    ``device`` (``auto``, ``cpu`` or ``cuda``) becomes ``ctx.device`` and is stored in the provenance,
    not in the config hash (see :mod:`skeptic.core.device`).
    """
    spec = get_study(study) if isinstance(study, str) else study
    config = resolve_config(spec, preset, overrides)
    seed = check_seed(seed)
    resolved_device = resolve_device(device)
    db = store if isinstance(store, Store) else Store(store)
    chash = config_hash(config, seed)
    prov = provenance(spec) | device_provenance(resolved_device)
    if not force:
        previous = db.find_reusable(spec.name, chash, prov["code_version"])
        if previous is not None:
            return RunResult.from_record(previous, db.figures(previous.run_id), reused=True)

    run_id = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    config_dict = config.model_dump(mode="json")
    started = False
    with sigterm_as_interrupt():
        try:
            db.start_run(
                run_id=run_id,
                study=spec.name,
                preset=preset,
                seed=seed,
                config=config_dict,
                config_hash=chash,
                code_version=prov["code_version"],
                provenance=prov,
            )
            started = True
            executed = execute(spec, config, seed, preset, console, device=resolved_device)
            raise_if_interrupted()  # a stop signal swallowed near the end of the run: stored interrupted, not completed
        except StudySkipped:
            db.delete_run(run_id)
            raise
        except KeyboardInterrupt:
            db.end_run(run_id, "interrupted", _INTERRUPTED)
            raise
        except Exception as exc:
            if not started and isinstance(exc, StoreError):  # no row was written (a full disk): one line, exit 2
                raise
            if _caused_by_interrupt(exc):
                db.end_run(run_id, "interrupted", _INTERRUPTED)
                raise KeyboardInterrupt from exc
            db.end_run(run_id, "failed", traceback.format_exc())
            raise RunFailed(run_id, redact(f"{type(exc).__name__}: {exc}")) from exc
    db.complete_run(
        run_id,
        measurements=executed.measurements,
        claims=executed.claims,
        probes=executed.probes,
        tables=executed.tables,
        figures=executed.figures,
        provenance=prov | executed.policy,
    )
    record = db.get(run_id)
    assert record is not None
    return RunResult.from_record(record, executed.figures)


def _close_figures() -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
