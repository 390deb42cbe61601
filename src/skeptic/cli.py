"""The command line: ``skeptic list | run | replicate | report | runs | show | audit | check | new``.

A user's mistake (unknown study, unknown key, bad value, a damaged or misplaced store, an output
path that cannot be written) prints one line and exits with status 2, writing nothing. A study that
fails exits 1 after storing the run as ``failed``; Ctrl-C exits 130 after storing it as ``interrupted``.

The one-line path lives in :func:`main`, so every command inherits it: raise
:class:`~skeptic.core.errors.UsageError` (the store raises its subclass ``StoreError`` by itself) and
never print a traceback for a user's input. Anything else that escapes a command is a bug in Skeptic:
one line saying so, exit status 1, and the traceback only with ``SKEPTIC_DEBUG=1``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from skeptic import load_studies
from skeptic.core.config import SEED_MAX, parse_assignment, resolve_config
from skeptic.core.device import resolve_device
from skeptic.core.errors import UsageError, shown
from skeptic.core.jsonform import json_safe
from skeptic.core.runner import RunFailed, RunResult, sigterm_as_interrupt
from skeptic.core.runner import run as run_study
from skeptic.core.store import ENV_VAR, Store, check_run_id
from skeptic.core.study import Study, StudySkipped, get_study

try:  # typer >= 0.22 vendors click; older releases use the click package
    from typer._click.exceptions import ClickException
    from typer._click.exceptions import UsageError as ClickUsageError
except ImportError:  # pragma: no cover
    from click.exceptions import ClickException  # type: ignore[assignment]
    from click.exceptions import UsageError as ClickUsageError  # type: ignore[assignment]

app = typer.Typer(
    name="skeptic",
    help="Re-run the technical evidence behind AI-safety claims, check it against the published numbers.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Piped output gets a wide fixed width (rich would use 80 columns) so tables keep whole ids and values.
err = Console(stderr=True, highlight=False, soft_wrap=True, width=None if sys.stderr.isatty() else 160)
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)

VERDICT_STYLE = {
    "replicated": "green",
    "not_replicated": "red",
    "inconclusive": "yellow",
    "untrusted": "magenta",
}

StoreOption = Annotated[
    Path | None,
    typer.Option("--store", help=f"Results directory (default ./skeptic-results, or ${ENV_VAR})."),
]


def _store(path: Path | None, write: bool = False) -> Store:
    """The store a command names, checked (damaged, misplaced or read-only stores fail here, in one line)."""
    db = Store(path)
    db.check(write=write)
    return db


DeviceOption = Annotated[
    str, typer.Option("--device", help="auto (cuda when PyTorch sees a GPU), cpu or cuda: where PyTorch work runs.")
]


AddressOption = Annotated[
    str | None, typer.Option(help="Join the Ray cluster at this address, e.g. HEAD:6379 (with --executor ray).")
]
MAX_WORKERS = 256
"""``--workers`` and ``audit --jobs``: the most processes one command starts at once."""
MAX_MUTANTS = 10_000
"""``audit --mutants N``: the most generated mutants one audit runs (each is a full run of the study; ``all`` is
bounded by the study's own code)."""
MAX_ARGS = 1_000
"""The most command-line arguments one command takes (repeated options included)."""

WorkersOption = Annotated[
    int | None, typer.Option(help=f"Cells run at once (default: one per core; at most {MAX_WORKERS}).")
]


@app.command("list")
def list_studies() -> None:
    """The studies, their questions, sources and rough runtime per preset."""
    table = Table("study", "question", "sources", "runtime", show_lines=True)
    for s in load_studies():
        runtime = "\n".join(f"{k}: {v}" for k, v in s.runtime.items())
        table.add_row(s.name, s.question, "\n".join(s.sources), runtime)
    out.print(table)


@app.command("run")
def run_command(
    studies: Annotated[list[str] | None, typer.Argument(help="Study names (see `skeptic list`).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Run every study.")] = False,
    preset: Annotated[str, typer.Option(help="Config preset: quick, paper (or test).")] = "quick",
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a config value: key=value.")] = None,
    seed: Annotated[
        int, typer.Option(help=f"Seed for every random generator (0 to {SEED_MAX}).", min=0, max=SEED_MAX)
    ] = 0,
    force: Annotated[bool, typer.Option(help="Run again even if an identical run is stored.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document per run on stdout.")] = False,
    store: StoreOption = None,
    device: DeviceOption = "auto",
    executor: Annotated[
        str | None, typer.Option(help="Run the studies side by side: local (a process pool) or ray.")
    ] = None,
    address: AddressOption = None,
    workers: WorkersOption = None,
) -> None:
    """Run studies, store the runs, and print a verdict table."""
    registered = load_studies() if all_ else []  # a named study loads only its own entry point
    if all_ and studies:
        raise UsageError("give study names or --all, not both")
    if not all_ and not studies:
        raise UsageError("name at least one study (see `skeptic list`) or pass --all")
    chosen: list[Study[Any]] = registered if all_ else [get_study(name) for name in studies or []]
    overrides = dict(parse_assignment(a) for a in set_ or [])
    for s in chosen:  # validate everything before anything runs or is written
        resolve_config(s, preset, overrides)
    if executor is None and (address is not None or workers is not None):
        raise UsageError("--address and --workers go with --executor local|ray")
    if executor is not None:
        _check_executor_options(executor, address, workers, device)
        _run_side_by_side(
            chosen,
            preset,
            overrides,
            seed,
            force,
            as_json,
            _store(store, write=True),
            executor,
            address,
            workers,
            device,
        )
        return
    resolve_device(device)

    db = _store(store, write=True)
    failures = 0
    for s in chosen:
        console = err if err.is_terminal else None
        try:
            result = run_study(
                s, preset=preset, overrides=overrides, seed=seed, force=force, store=db, console=console, device=device
            )
        except StudySkipped as skipped:
            err.print(f"skipped {s.name}: {skipped}", markup=False)
            continue
        except RunFailed as failed:
            failures += 1
            err.print(f"{s.name} failed ({failed}); see `skeptic show {failed.run_id}`", markup=False)
            continue
        except KeyboardInterrupt:
            err.print(f"interrupted: the run of {s.name} is stored as interrupted", markup=False)
            raise typer.Exit(130) from None
        if as_json:
            _print_json(result.to_json())
        _print_verdicts(result, err if as_json else out)
    if failures:
        raise typer.Exit(1)


def _run_side_by_side(
    chosen: list[Study[Any]],
    preset: str,
    overrides: dict[str, Any],
    seed: int,
    force: bool,
    as_json: bool,
    db: Store,
    executor: str,
    address: str | None,
    workers: int | None,
    device: str,
) -> None:
    """``run --executor``: every study one cell of a pool (or Ray); the tables once all are done."""
    from skeptic.core.replicate import run_side_by_side

    console = err if err.is_terminal else None
    try:
        with sigterm_as_interrupt():  # SIGTERM stops it like Ctrl-C: the runs in flight stored interrupted
            cells = run_side_by_side(
                chosen,
                preset,
                db,
                overrides=overrides,
                seed=seed,
                executor=executor,
                address=address,
                workers=workers,
                device=device,
                force=force,
                console=console,
            )
    except KeyboardInterrupt:
        err.print("interrupted: the runs in progress are stored as interrupted", markup=False)
        raise typer.Exit(130) from None
    failures = 0
    for s, cell in zip(chosen, cells, strict=True):
        if cell.status == "skipped":
            err.print(f"skipped {s.name}: {cell.error}", markup=False)
            continue
        if cell.status != "completed" or cell.run_id is None:
            failures += 1
            err.print(f"{s.name} failed ({cell.error}); see `skeptic show {cell.run_id}`", markup=False)
            continue
        record = db.get(cell.run_id)
        assert record is not None
        result = RunResult.from_record(record, [], reused=cell.reused)
        if as_json:
            _print_json(result.to_json())
        _print_verdicts(result, err if as_json else out)
    if failures:
        raise typer.Exit(1)


def _check_executor_options(executor: str, address: str | None, workers: int | None, device: str) -> None:
    from skeptic.core.executors import EXECUTORS

    if executor not in EXECUTORS:
        raise UsageError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    if address is not None and executor != "ray":
        raise UsageError("--address joins a Ray cluster: use it with --executor ray")
    if address is not None:
        from skeptic.core.executors import check_ray_address

        check_ray_address(address)  # an address nobody answers fails here, in seconds (Ray retries for minutes)
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1 (got {workers})")
    if workers is not None and workers > MAX_WORKERS:
        raise UsageError(f"--workers {shown(workers)} is above the cap of {MAX_WORKERS} processes at once")
    if executor == "local" or device not in ("auto", "cpu", "cuda"):  # a Ray cluster's GPUs are checked on joining
        resolve_device(device)


def _print_json(doc: dict[str, Any]) -> None:
    """One JSON document on one line of stdout (non-finite numbers as :func:`~skeptic.core.jsonform.json_safe`
    writes them)."""
    sys.stdout.write(json.dumps(json_safe(doc), default=str, allow_nan=False) + "\n")
    sys.stdout.flush()


def _print_verdicts(result: RunResult, console: Console) -> None:
    status = "reused stored run" if result.reused else f"{result.duration_s or 0:.1f} s"
    table = Table(title=f"{result.study} ({result.preset}, run {result.run_id}, {status})", title_justify="left")
    longest_id = max((len(c.id) for c in result.claims), default=5)
    table.add_column("claim", no_wrap=True, min_width=longest_id)
    table.add_column("expected")
    table.add_column("measured")
    table.add_column("verdict", no_wrap=True, min_width=len("not_replicated"))
    for c in result.claims:
        style = VERDICT_STYLE.get(c.verdict, "")
        table.add_row(c.id, c.expected, c.measured, f"[{style}]{c.verdict}[/]")
    console.print(table)
    failed = [p for p in result.probes if not p.passed]
    passed = len(result.probes) - len(failed)
    console.print(f"probes: {passed}/{len(result.probes)} passed", markup=False)
    for p in failed:
        console.print(f"  FAILED {p.id}: {p.detail}", markup=False)


@app.command("replicate")
def replicate_command(
    study: Annotated[str, typer.Argument(help="A study name (see `skeptic list`).")],
    preset: Annotated[str, typer.Option(help="Config preset: quick, paper (or test).")] = "quick",
    seeds: Annotated[int, typer.Option(help="Seeds per setting (0..K-1).")] = 3,
    vary: Annotated[
        list[str] | None, typer.Option("--vary", help="A setting to vary: key=v1,v2,... (repeat for a grid).")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Fix a config value in every cell: key=value.")
    ] = None,
    executor: Annotated[str, typer.Option(help="local (a process pool) or ray.")] = "local",
    address: AddressOption = None,
    workers: WorkersOption = None,
    device: DeviceOption = "auto",
    force: Annotated[bool, typer.Option(help="Run every cell again even if an identical run is stored.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the replication as one JSON document.")] = False,
    store: StoreOption = None,
) -> None:
    """Run a study over seeds and settings; print each claim's verdict in every cell (a robustness map)."""
    from skeptic.core.replicate import parse_vary, plan_replication, replicate

    spec = get_study(study)
    _check_executor_options(executor, address, workers, device)
    plan = plan_replication(spec, preset, seeds, parse_vary(vary or []), dict(parse_assignment(a) for a in set_ or []))
    console = err if err.is_terminal else None
    done = [0]

    def log_cell(cell: Any) -> None:  # without a terminal (CI logs, a batch job) a line per finished cell
        done[0] += 1
        label = plan.settings[cell.setting].label
        took = f", {cell.duration_s:.1f} s" if cell.duration_s is not None else ""
        err.print(f"cell {done[0]}: {label}, seed {cell.seed}: {cell.status}{took}", markup=False)

    try:
        with sigterm_as_interrupt():  # SIGTERM (timeout, systemd, SLURM) stops it like Ctrl-C: cells interrupted
            rep = replicate(
                plan,
                _store(store, write=True),
                executor=executor,
                address=address,
                workers=workers,
                device=device,
                force=force,
                console=console,
                on_cell=None if console is not None else log_cell,
            )
    except StudySkipped as skipped:
        err.print(f"skipped {spec.name}: {skipped}", markup=False)
        return
    except KeyboardInterrupt:
        err.print("interrupted: finished cells are stored; the same command resumes from them", markup=False)
        raise typer.Exit(130) from None
    if as_json:
        _print_json(rep.to_dict())
    _print_replication(rep, err if as_json else out)
    if rep.n_failed:
        raise typer.Exit(1)


def _print_replication(rep: Any, console: Console) -> None:
    """The robustness map as a table: a claim per row, a setting per column, one letter per seed."""
    letters = {"replicated": "R", "not_replicated": "N", "inconclusive": "I", "untrusted": "U", "failed": "F"}
    styles = VERDICT_STYLE | {"failed": "bold"}
    title = (
        f"{rep.study} ({rep.preset}): {len(rep.cells)} cells = {len(rep.settings)} settings x {len(rep.seeds)} seeds"
        f" ({rep.n_reused} reused, {rep.duration_s:.1f} s); verdict per seed: R replicated, N not replicated,"
        " I inconclusive, U untrusted, F failed; pooled over seeds after the arrow"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("claim", no_wrap=True)
    for s in rep.settings:
        table.add_column(s["label"])
    table.add_column("flips with")
    for c in rep.claims:
        cells = []
        for s in c.settings:
            text = " ".join(f"[{styles.get(v, '')}]{letters[v]}[/]" for v in s.verdicts)
            if s.pooled_verdict is not None:
                text += f" -> [{styles.get(s.pooled_verdict, '')}]{letters[s.pooled_verdict]}[/] {s.pooled_measured}"
            cells.append(text)
        table.add_row(c.id, *cells, ", ".join(c.flips_with) or "-")
    console.print(table)
    counts = ", ".join(f"{v} {n}" for v, n in rep.counts.items() if n)
    console.print(f"verdicts over all cells: {counts}", markup=False)
    for c in rep.claims:
        if c.flips_with:
            console.print(f"  {c.id}: {c.note}", markup=False)
    if rep.n_failed:
        console.print(f"failed cells (no verdict; not counted as the seed or a setting disagreeing): {rep.n_failed}")
    for cell in rep.cells:
        if cell.status != "completed":
            label = rep.settings[cell.setting]["label"]
            console.print(f"  cell {label} seed {cell.seed} {cell.status}: {cell.error}", markup=False)


@app.command("report")
def report_command(
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the report.")] = Path("skeptic-report"),
    store: StoreOption = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print the briefs to skeptic-briefs.pdf (headless Chromium).")
    ] = False,
) -> None:
    """Write the static HTML and Markdown report of every study's latest runs (and, with --pdf, the briefs)."""
    from skeptic.report import BRIEFS_PDF, write_report

    load_studies()
    index = write_report(_store(store), out_dir, pdf=pdf)
    out.print(f"report written: {index.resolve()}", markup=False)
    if pdf:
        out.print(f"briefs printed: {(index.parent / BRIEFS_PDF).resolve()}", markup=False)


@app.command("runs")
def runs_command(
    study: Annotated[str | None, typer.Option(help="Only this study.")] = None,
    store: StoreOption = None,
) -> None:
    """The history of runs, newest first."""
    records = _store(store).runs(study=study)
    if not records:
        out.print("no runs stored yet", markup=False)
        return
    table = Table(title="verdicts: R replicated, N not replicated, I inconclusive, U untrusted", title_justify="left")
    table.add_column("run", no_wrap=True, min_width=len(records[0].run_id))
    for col in ("study", "preset", "status"):
        table.add_column(col, no_wrap=True)
    table.add_column("seed")
    table.add_column("time", no_wrap=True)
    table.add_column("verdicts", no_wrap=True)
    for r in records:
        counts = {v: sum(c.verdict == v for c in r.claims) for v in VERDICT_STYLE}
        verdicts = " ".join(f"{v[0].upper()}{n}" for v, n in counts.items()) if r.claims else ""
        duration = f"{r.duration_s:.0f} s" if r.duration_s is not None else ""
        table.add_row(r.run_id, r.study, r.preset, r.shown_status, str(r.seed), duration, verdicts)
    out.print(table)


@app.command("show")
def show_command(
    run_id: Annotated[str, typer.Argument(help="A run id (or a unique prefix of one).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the run as JSON.")] = False,
    store: StoreOption = None,
) -> None:
    """One run in full: config, provenance, claims and probes."""
    check_run_id(run_id)
    db = _store(store)
    record = db.get(run_id)
    if record is None:
        raise UsageError(f"no run {shown(run_id)} in {shown(str(db.path), 1000)} (see `skeptic runs`)")
    result = RunResult.from_record(record, [])
    if as_json:
        doc = result.to_json() | {"provenance": result.provenance, "duration_s": result.duration_s}
        _print_json(doc)
        return
    out.print(f"run {result.run_id}: {result.study}, preset {result.preset}, seed {result.seed}", markup=False)
    out.print(f"status: {result.status}", markup=False)
    out.print("config: " + json.dumps(result.config, sort_keys=True), markup=False)
    out.print("provenance: " + json.dumps(result.provenance, sort_keys=True, default=str), markup=False)
    if result.claims:
        _print_verdicts(result, out)
        for c in result.claims:
            out.print(f"- {c.id} ({c.source}): {c.statement} -> {c.verdict}: {c.reason}", markup=False)


OUTCOME_STYLE = {"caught": "green", "silent": "bold red", "harmless": "yellow", "crashed": "magenta"}


@app.command("audit")
def audit_command(
    studies: Annotated[list[str] | None, typer.Argument(help="Study names (see `skeptic list`).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Audit every study that declares a fault catalog.")] = False,
    preset: Annotated[
        str | None, typer.Option(help="Config preset (default: the study's audit preset, usually test).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for every random generator.", min=0, max=SEED_MAX)] = 0,
    jobs: Annotated[
        int | None,
        typer.Option(
            help=f"Executions run at once, each in its own process (default: 2 on 2+ cores; at most {MAX_WORKERS}).",
            min=1,
            max=MAX_WORKERS,
        ),
    ] = None,
    contrasts: Annotated[
        bool,
        typer.Option(
            "--contrasts",
            help="Also run each claim's contrasts, the larger budget and two extra seeds: per claim discriminating, "
            "budget-, line- and seed-stable, and whether a not_replicated verdict is a finding.",
        ),
    ] = False,
    mutants: Annotated[
        str | None,
        typer.Option(
            help=f"Also run N generated mutants of the study's own code (a count up to {MAX_MUTANTS}, or all)."
        ),
    ] = None,
    mutant_seed: Annotated[
        int,
        typer.Option(help="Seed of the mutant sample (the same seed draws the same mutants).", min=0, max=SEED_MAX),
    ] = 0,
    faults: Annotated[
        bool, typer.Option("--faults/--no-faults", help="Run the declared fault catalog (on by default).")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document per audit on stdout.")] = False,
    force: Annotated[
        bool, typer.Option(help="Run every execution again, even those kept from an interrupted run of this audit.")
    ] = False,
    store: StoreOption = None,
) -> None:
    """Inject each study's declared faults (and, with --mutants, generated mutants); report what its probes catch.

    Each study runs clean, once per fault of its catalog, and clean again (each in a fresh process).
    A fault is caught (a probe failed), silent (no probe failed but a verdict changed), harmless
    (nothing changed) or crashed (the run raised). Probe power = caught / (caught + silent).
    With --mutants N, N mutants drawn with --mutant-seed from the lines the clean run executes
    (constants, operators, indices, argument order, dropped copies, dims, branches, ...) are classified
    the same way: the mutation probe power, with its 95% interval, and every silent mutant as a diff.
    The audit is stored, and each execution as it finishes: the same command after an interruption
    reuses those and runs only the rest (--force runs everything again). Exit status: 0 when no fault
    is silent or crashed and the two clean runs agree; 1 otherwise (so CI fails on a credulity hole);
    2 for bad input (nothing written).

    With --contrasts each claim is also judged under its declared contrasts (discriminating when the
    verdict flips as declared), at the study's larger budget and at two more seeds (the robustness
    audit; a study without a fault catalog can be audited this way alone). It is opt-in because it
    costs a run per distinct contrast, one at the larger budget and two more seeds.

    Silent mutants do not change the exit status: they measure the probes, they are not promises.
    """
    from skeptic.core.audit import AuditFailed, run_audit
    from skeptic.core.robustness import plan

    registered = load_studies() if all_ else []  # a named study loads only its own entry point
    if all_ and studies:
        raise UsageError("give study names or --all, not both")
    if not all_ and not studies:
        raise UsageError("name at least one study (see `skeptic list`) or pass --all")
    n_mutants = _parse_mutants(mutants)
    if n_mutants is None and not faults and not contrasts:
        raise UsageError("--no-faults leaves nothing to audit without --mutants N or --contrasts")
    chosen: list[Study[Any]] = registered if all_ else [get_study(name) for name in studies or []]
    needs_catalog = faults and n_mutants is None and not contrasts
    uncatalogued = [s.name for s in chosen if not s.faults] if needs_catalog else []
    if all_:
        if chosen and len(uncatalogued) == len(chosen):
            raise UsageError("no registered study declares a fault catalog (studies/<name>/faults.py)")
        chosen = [s for s in chosen if s.name not in uncatalogued]
    for s in chosen:  # validate everything before anything runs or is written
        if needs_catalog and not s.faults:
            raise UsageError(
                f"{s.name} declares no fault catalog, so there is nothing to audit"
                f" (declare one with @study(..., faults=...) in studies/<name>/faults.py, or pass --contrasts"
                f" or --mutants N)"
            )
        resolve_config(s, preset or s.audit_preset)
        if contrasts:
            plan(s, preset or s.audit_preset)

    db = _store(store, write=True)  # a damaged store fails here, in one line, before anything is printed
    for name in uncatalogued if all_ else []:
        err.print(f"skipped {name}: it declares no fault catalog", markup=False)
    failing = 0
    for s in chosen:
        # a line per finished execution, on a terminal and in logs alike (a mutant batch runs for minutes)
        progress = (lambda line: err.print(line, markup=False)) if err.is_terminal or n_mutants is not None else None
        try:
            with sigterm_as_interrupt():  # SIGTERM stops it like Ctrl-C: stored interrupted, children stopped
                audit_id, result = run_audit(
                    s,
                    preset=preset or s.audit_preset,
                    seed=seed,
                    store=db,
                    jobs=jobs,
                    progress=progress,
                    contrasts=contrasts,
                    mutants=n_mutants,
                    mutant_seed=mutant_seed,
                    faults=faults,
                    resume=not force,
                )
        except AuditFailed as failed:
            failing += 1
            err.print(f"{s.name}: audit failed: {failed}", markup=False)
            continue
        except KeyboardInterrupt:
            err.print(f"interrupted: the audit of {s.name} is stored as interrupted", markup=False)
            raise typer.Exit(130) from None
        if result.reused:
            err.print(f"{s.name}: resumed: {result.reused} of {result.executions} executions reused", markup=False)
        if as_json:
            _print_json({"audit_id": audit_id, **result.to_dict()})
        _print_audit(audit_id, result.to_dict(), err if as_json else out)
        if result.robustness is not None:
            _print_robustness(result.to_dict(), err if as_json else out)
        failing += not result.ok
    if failing:
        raise typer.Exit(1)


ROBUST_STYLE = {"discriminating": "green", "not discriminating": "bold red", "inconclusive": "yellow"}


def _yes_no(value: bool | None, yes: str, no: str, unknown: str = "n/a") -> Text:
    if value is None:
        return Text(unknown, style="dim")
    return Text(yes, style="green") if value else Text(no, style="bold red")


def _print_robustness(doc: dict[str, Any], console: Console) -> None:
    """The robustness table of one study: per claim its verdict, contrasts, budget, line, seeds, quote, finding."""
    table = Table(title=f"{doc['study']}: could each verdict have come out otherwise?", title_justify="left")
    table.add_column("claim", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("contrast", no_wrap=True)
    table.add_column("budget", no_wrap=True)
    table.add_column("line", no_wrap=True)
    table.add_column("seeds", no_wrap=True)
    table.add_column("quote", no_wrap=True)
    table.add_column("finding / what it is")
    for r in doc["robustness"]:
        disc = Text(r["discrimination"], style=ROBUST_STYLE.get(r["discrimination"], "dim"))
        quote = r["quote"]
        quote_text = (
            Text("none", style="bold red")
            if quote is None
            else (Text("verified") if quote["verified"] else Text("quote unverified", style="yellow"))
        )
        if r["verdict"] != "not_replicated":
            what = Text("")
        elif r["finding"]:
            what = Text("FINDING", style="bold green")
        else:
            what = Text(r["why_not"])
        table.add_row(
            Text(r["claim"]),
            Text(r["verdict"]),
            disc,
            _yes_no(r["budget_stable"], "stable", "DEPENDENT"),
            _yes_no(r["line_stable"], "stable", "DEPENDENT", "source's"),
            _yes_no(r["seed_stable"], "stable", "DEPENDENT"),
            quote_text,
            what,
        )
    console.print(table)
    summary = doc["robustness_summary"]
    console.print(
        f"{summary['claims']} claims: {summary['discriminating']} discriminating, {summary['budget_dependent']}"
        f" budget-dependent, {summary['line_dependent']} line-dependent; findings:"
        f" {', '.join(summary['findings']) or 'none'}",
        markup=False,
    )
    for run in doc["robustness_runs"]:
        if run["error"]:
            console.print(f"{run['label']} raised: {run['error']}", markup=False)


def _parse_mutants(text: str | None) -> int | Literal["all"] | None:
    """``--mutants``: a positive count or ``all``."""
    if text is None:
        return None
    if text.strip().lower() == "all":
        return "all"
    try:
        n = int(text)
    except ValueError:
        raise UsageError(f"--mutants takes a positive count or 'all', not {shown(text)}") from None
    if n < 1:
        raise UsageError(f"--mutants takes a positive count or 'all', not {n}")
    if n > MAX_MUTANTS:
        raise UsageError(f"--mutants {shown(n)} is above the cap of {MAX_MUTANTS} mutants per audit (or pass 'all')")
    return n


def _print_mutants(doc: dict[str, Any], console: Console) -> None:
    """The mutation figure, then every silent mutant as a one-line diff with the verdicts it changed."""
    console.print(doc["summary"], markup=False)
    if doc.get("judge_check"):
        console.print(
            f"  judging-only executions: {doc.get('judged_only', 0)} of {len(doc['results'])} mutants "
            f"(check: {doc['judge_check']})",
            markup=False,
        )
    for r in doc["results"]:
        if r["outcome"] == "silent":
            changed = ", ".join(f"{c['claim']} {c['clean']} → {c['faulty']}" for c in r["changed_verdicts"])
            console.print(f"  SILENT {r['diff']}  ({changed})", markup=False)


def _print_audit(audit_id: str, doc: dict[str, Any], console: Console) -> None:
    """The audit table of one study, then its probe power, caught share and any instability."""
    title = f"{doc['study']} audit ({doc['preset']}, {audit_id}, {doc['duration_s']:.0f} s)"
    if doc.get("mutants") is not None:
        _print_mutants(doc["mutants"], console)
    if not doc["faults"]:
        console.print(f"{title}: no declared faults run", markup=False)
        _print_instability(doc, console)
        return
    table = Table(title=title, title_justify="left", show_lines=True)
    longest = max((len(f["id"]) for f in doc["faults"]), default=5)
    table.add_column("fault", no_wrap=True, min_width=longest)
    table.add_column("kind", no_wrap=True)
    table.add_column("outcome", no_wrap=True, min_width=len("harmless"))
    table.add_column("failed probes / changed verdicts")
    table.add_column("note")
    for f in doc["faults"]:
        evidence = ", ".join(f["failed_probes"]) if f["outcome"] == "caught" else f["detail"]
        if f["outcome"] == "silent":
            evidence = ", ".join(f"{c['claim']}: {c['clean']} → {c['faulty']}" for c in f["changed_verdicts"])
        outcome = Text(f["outcome"].upper() if f["outcome"] == "silent" else f["outcome"])
        outcome.stylize(OUTCOME_STYLE.get(f["outcome"], ""))
        table.add_row(Text(f["id"]), Text(f["kind"]), outcome, Text(evidence), Text(f["note"]))
    console.print(table)
    counts, n = doc["counts"], len(doc["faults"])
    power = doc["probe_power"]
    power_text = "n/a (no fault changed anything)" if power is None else f"{power:.0%}"
    console.print(
        f"probe power: {power_text} = caught / (caught + silent)"
        f" = {counts['caught']}/{counts['caught'] + counts['silent']};"
        f" caught {counts['caught']} of {n} faults; silent {counts['silent']}, harmless {counts['harmless']},"
        f" crashed {counts['crashed']}",
        markup=False,
    )
    _print_instability(doc, console)


def _print_instability(doc: dict[str, Any], console: Console) -> None:
    if doc["clean_failed_probes"]:
        console.print(
            f"note: probes failing in the clean run catch nothing: {', '.join(doc['clean_failed_probes'])}",
            markup=False,
        )
    if doc["unstable"]:
        console.print(
            "UNSTABLE: two clean runs with the same seed disagree, so the comparison is unreliable: "
            + "; ".join(doc["unstable"]),
            markup=False,
        )


@app.command("check")
def check_command(
    study: Annotated[str, typer.Argument(help="The study to check (see `skeptic list`).")],
    check: Annotated[
        list[str] | None, typer.Option("--check", help="Only these checks (repeatable); default: all of them.")
    ] = None,
    no_audit: Annotated[bool, typer.Option("--no-audit", help="Skip the fault audit (the slowest check).")] = False,
    keep: Annotated[Path | None, typer.Option("--keep", help="Keep the run check's store and report here.")] = None,
) -> None:
    """Check a study against the contract every study passes: declaration, sources, claim rules, fault catalog,
    a test-preset run through the store and the report, and the fault audit.

    Prints each check (ok or FAIL, with what fails and why). Exit status 0 when every check passes, 1 when one
    fails, 2 for bad input (an unknown study or check).
    """
    from skeptic.testing import CHECKS, check_study

    spec = get_study(study)
    chosen = list(check) if check else [c for c in CHECKS if not (no_audit and c == "audit")]
    unknown = [c for c in chosen if c not in CHECKS]
    if unknown:
        raise UsageError(f"unknown check {shown(unknown[0])}; checks: {', '.join(CHECKS)}")
    report = check_study(spec, chosen, keep, progress=lambda name: err.print(f"checking {name} ...", markup=False))
    out.print(report.describe(), markup=False)
    if not report.ok:
        raise typer.Exit(1)


@app.command("new")
def new_command(
    name: Annotated[str, typer.Argument(help="The study's name, e.g. my-study (lowercase letters, digits, dashes).")],
    dir_: Annotated[Path, typer.Option("--dir", help="Where to create the package's folder.")] = Path("."),
) -> None:
    """Scaffold an installable study package: a small real study (the birthday problem, exact against
    simulation) that passes `skeptic check` as generated; its README says what to replace."""
    from skeptic.scaffold import scaffold

    root = scaffold(name, dir_)
    out.print(f"created {root}", markup=False)
    out.print(f"next: pip install -e {root} && skeptic check {name}", markup=False)


MAX_TOP = 10_000
"""``glitch-scan --top``: the most rows printed (a table, not a dump: ``--out`` and ``--json`` hold every token)."""
MAX_VERIFY = 1_000
"""``glitch-scan --verify``: the most candidates verified by prompting (each is a batch of forward passes)."""
MAX_REFERENCE = 100_000
"""``glitch-scan --reference``: the most token ids listed."""


def _check_output_file(path: Path, option: str) -> None:
    """Fail in one line, before any work, unless ``path`` can be written as a file.

    Probed by opening it (created and removed again when new): this catches what a look at the directory cannot
    (a name too long, a read-only or pseudo file system such as /proc, a file where a directory should be)."""
    where = shown(str(path), 120)
    try:
        if path.is_dir():
            raise UsageError(f"{option} {where} is a directory; give a file path")
        existed = path.exists()
        if existed and not path.is_file():
            raise UsageError(f"{option} {where} is not a regular file")
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | (0 if existed else os.O_CREAT | os.O_EXCL), 0o644)
        os.close(fd)
        if not existed:
            path.unlink()
    except OSError as exc:
        raise UsageError(f"{option} {where}: cannot write it ({exc.strerror or exc})") from None


def _write_csv(path: Path, rows: list[dict[str, Any]], option: str) -> None:
    """``rows`` as CSV at ``path``, written whole or not at all (a temporary file beside it, then renamed)."""
    import csv
    import tempfile

    keys = list(rows[0]) if rows else []
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".skeptic-", suffix=".csv.tmp", dir=path.parent)
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would make the CSV private
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=keys)
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise UsageError(f"{option} {shown(str(path), 120)}: cannot write it ({exc.strerror or exc})") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


@app.command("glitch-scan")
def glitch_scan_command(
    path: Annotated[Path, typer.Argument(help="Checkpoint directory: *.safetensors weights and tokenizer.json.")],
    top: Annotated[
        int,
        typer.Option(help=f"How many of the most suspicious tokens to print (at most {MAX_TOP}).", min=1, max=MAX_TOP),
    ] = 30,
    reference: Annotated[
        str | None, typer.Option(help="Known-unused token ids, comma-separated (default: found by tokenizer analysis).")
    ] = None,
    out_csv: Annotated[
        Path | None, typer.Option("--out", help="Also write every token's indicators to this CSV.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every token's indicators as JSON on stdout.")] = False,
    verify_top: Annotated[
        int,
        typer.Option(
            "--verify",
            help="Verify this many top candidates by prompting (needs transformers and a causal LM it can load; "
            f"at most {MAX_VERIFY}).",
            min=0,
            max=MAX_VERIFY,
        ),
    ] = 0,
) -> None:
    """Find under-trained ("glitch") token candidates in a local checkpoint from its weights (Land & Bartolo 2024)."""
    from skeptic.glitch_tokens import scan, verify_checkpoint

    ref: list[int] | None = None
    if reference is not None:
        items = [x for x in reference.split(",") if x.strip()]
        if len(items) > MAX_REFERENCE:
            raise UsageError(f"--reference lists {len(items)} token ids, above the cap of {MAX_REFERENCE}")
        try:
            ref = [int(x) for x in items]
        except ValueError:
            raise UsageError(f"--reference takes comma-separated token ids, not {shown(reference)}") from None
    if out_csv is not None:
        _check_output_file(out_csv, "--out")
    result = scan(path, reference=ref)
    if verify_top:
        cands = [r["id"] for r in result.candidates()[:verify_top]]
        ok = [r["id"] for r in result.rows if r["category"] == "ok" and not r["candidate"] and not r["reference"]]
        controls = ok[:: max(len(ok) // verify_top, 1)][:verify_top]  # ordinary tokens spread over the vocabulary
        result.verification = verify_checkpoint(path, cands + controls)
        result.verification["candidates"] = cands
        result.verification["controls"] = controls
    warning = (
        f"WARNING: {'the embedding looks' if result.tied else 'the input embedding and the readout look'} like an "
        "untrained random initialization (input rows' norm spread "
        f"{result.untrained['norm_cv']:.3f} vs {result.untrained['norm_cv_random']:.3f} for random rows; top "
        f"covariance eigenvalue {result.untrained['top_eigen_ratio']:.2f}× the mean vs ≤ "
        f"{result.untrained['top_eigen_ratio_random']:.2f}× for random rows): its indicators rank noise"
        if result.untrained["looks_untrained"]
        else ""
    )
    if as_json:
        _print_json(
            {
                "path": result.path,
                "tied": result.tied,
                "main_indicator": result.main_indicator,
                "threshold": result.threshold,
                "reference": result.reference,
                "categories": result.category_counts(),
                "untrained": result.untrained,
                "verification": result.verification,
                "tokens": result.rows,
            }
        )
    else:
        if warning:
            err.print(warning, markup=False)
        cats = result.category_counts()
        out.print(
            "categories: " + ", ".join(f"{k} {v}" for k, v in cats.items()) + " (only 'ok' tokens, text can contain "
            "them, are ranked; the others can never appear in encoded text)",
            markup=False,
        )
        mp = result.verification.get("max_prob", {}) if result.verification.get("ran") else {}
        table = Table(
            "rank",
            "id",
            "token",
            result.main_indicator,
            "candidate",
            *(["max repeat prob"] if mp else []),
            title=f"{path}: {result.vocab_size} tokens × {result.d_model}, "
            f"{'tied' if result.tied else 'untied'} embeddings, {len(result.reference)} known-unused tokens",
        )
        for rank, row in enumerate(result.top(top), 1):
            table.add_row(
                str(rank),
                str(row["id"]),
                repr(row["text"]),
                f"{row[result.main_indicator]:.4g}",
                "yes" if row["candidate"] else "",
                *([f"{mp[row['id']]:.2e}" if row["id"] in mp else ""] if mp else []),
            )
        out.print(table)
        out.print(
            f"{len(result.candidates())} candidates: the lowest {result.main_indicator} (≤ {result.threshold:.4g}, "
            "the bottom 2% of ordinary tokens); verify them by prompting before trusting them.",
            markup=False,
        )
        if verify_top:
            v = result.verification
            if not v.get("ran"):
                out.print(f"verification by prompting did not run: {v.get('why')}", markup=False)
            else:
                n_c = sum(mp[i] < v["threshold"] for i in v["candidates"])
                n_o = sum(mp[i] < v["threshold"] for i in v["controls"])
                out.print(
                    f"verified under-trained (max repetition probability < 1%): {n_c} of {len(v['candidates'])} "
                    f"candidates, {n_o} of {len(v['controls'])} ordinary control tokens",
                    markup=False,
                )
    if as_json and warning:
        err.print(warning, markup=False)
    if out_csv is not None:
        _write_csv(out_csv, result.rows, "--out")


LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def one_line(message: object, limit: int = 2000) -> str:
    """``message`` as one printable line: control characters and line breaks escaped, cut at ``limit``."""
    text = "".join(
        ch.encode("unicode_escape").decode() if ch in LINE_BREAKS or unicodedata.category(ch) in {"Cc", "Cs"} else ch
        for ch in str(message)
    )
    return text if len(text) <= limit else text[: limit - 30] + f"… ({len(text)} characters)"


def fail(message: object, code: int = 2) -> NoReturn:
    """Print ``skeptic: error: <message>`` as one line on stderr and exit with ``code``."""
    sys.stderr.write(f"skeptic: error: {one_line(message)}\n")  # not through rich: no markup, emoji or wrapping
    sys.stderr.flush()
    sys.exit(code)


def _check_text(argv: list[str]) -> None:
    """Arguments and $SKEPTIC_RESULTS must be UTF-8: Python shows other bytes as lone surrogates; at most
    :data:`MAX_ARGS` arguments."""
    if len(argv) > MAX_ARGS:
        raise UsageError(f"{len(argv)} command-line arguments, above the cap of {MAX_ARGS}")
    for i, arg in enumerate([*argv, os.environ.get(ENV_VAR, "")]):
        if any("\udc80" <= ch <= "\udcff" for ch in arg):
            what = f"${ENV_VAR}" if i == len(argv) else f"argument {i + 1}"
            raise UsageError(f"{what} is not valid UTF-8 text: {shown(arg)}")


def main() -> None:
    """Entry point: one line and exit 2 for a user's mistake, never a traceback."""
    for stream in (sys.stdout, sys.stderr):  # never fail on printing a character the terminal cannot show
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    command = typer.main.get_command(app)
    try:
        _check_text(sys.argv[1:])
        code = command.main(args=sys.argv[1:], prog_name="skeptic", standalone_mode=False)
    except UsageError as exc:
        fail(exc)
    except ClickUsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `skeptic`: show the help
            out.print(command.get_help(exc.ctx) if exc.ctx else "", markup=False)
            sys.exit(0)
        fail(exc.format_message())
    except ClickException as exc:  # click's other input errors (a file option it could not open, ...)
        fail(exc.format_message())
    except (typer.Abort, KeyboardInterrupt):
        err.print("skeptic: interrupted", markup=False)
        sys.exit(130)
    except BrokenPipeError:  # `skeptic runs | head -1`: the reader left; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("SKEPTIC_DEBUG"):
            raise
        fail(
            f"internal error, a bug in Skeptic ({type(exc).__name__}: {exc}); "
            "rerun with SKEPTIC_DEBUG=1 for the traceback and report it",
            code=1,
        )
    sys.exit(code if isinstance(code, int) else 0)
