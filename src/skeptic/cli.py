"""The command line: ``skeptic list | run | report | runs | show``.

A user's mistake (unknown study, unknown key, bad value, a damaged or misplaced store, an output
path that cannot be written) prints one line and exits with status 2, writing nothing. A study that
fails exits 1 after storing the run as ``failed``; Ctrl-C exits 130 after storing it as ``interrupted``.

The one-line path lives in :func:`main`, so every command inherits it: raise
:class:`~skeptic.core.errors.UsageError` (the store raises its subclass ``StoreError`` by itself) and
never print a traceback for a user's input. Anything else that escapes a command is a bug in Skeptic:
one line saying so, exit status 1, and the traceback only with ``SKEPTIC_DEBUG=1``.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from skeptic import load_studies
from skeptic.core.config import SEED_MAX, parse_assignment, resolve_config
from skeptic.core.errors import UsageError, shown
from skeptic.core.runner import RunFailed, RunResult
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
) -> None:
    """Run studies, store the runs, and print a verdict table."""
    registered = load_studies()
    if all_ and studies:
        raise UsageError("give study names or --all, not both")
    if not all_ and not studies:
        raise UsageError("name at least one study (see `skeptic list`) or pass --all")
    chosen: list[Study[Any]] = registered if all_ else [get_study(name) for name in studies or []]
    overrides = dict(parse_assignment(a) for a in set_ or [])
    for s in chosen:  # validate everything before anything runs or is written
        resolve_config(s, preset, overrides)

    db = _store(store, write=True)
    failures = 0
    for s in chosen:
        console = err if err.is_terminal else None
        try:
            result = run_study(s, preset=preset, overrides=overrides, seed=seed, force=force, store=db, console=console)
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


def _print_json(doc: dict[str, Any]) -> None:
    """One JSON document on one line of stdout."""
    sys.stdout.write(json.dumps(doc, default=str, allow_nan=False) + "\n")
    sys.stdout.flush()


def _print_verdicts(result: RunResult, console: Console) -> None:
    status = "reused stored run" if result.reused else f"{result.duration_s or 0:.1f} s"
    table = Table(title=f"{result.study} ({result.preset}, run {result.run_id}, {status})", title_justify="left")
    longest_id = max((len(c["id"]) for c in result.claims), default=5)
    table.add_column("claim", no_wrap=True, min_width=longest_id)
    table.add_column("expected")
    table.add_column("measured")
    table.add_column("verdict", no_wrap=True, min_width=len("not_replicated"))
    for c in result.claims:
        style = VERDICT_STYLE.get(c["verdict"], "")
        table.add_row(c["id"], c["expected"], c["measured"], f"[{style}]{c['verdict']}[/]")
    console.print(table)
    failed = [p for p in result.probes if not p["passed"]]
    passed = len(result.probes) - len(failed)
    console.print(f"probes: {passed}/{len(result.probes)} passed", markup=False)
    for p in failed:
        console.print(f"  FAILED {p['id']}: {p['detail']}", markup=False)


@app.command("report")
def report_command(
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the report.")] = Path("skeptic-report"),
    store: StoreOption = None,
) -> None:
    """Write the static HTML and Markdown report of every study's latest runs."""
    from skeptic.report import write_report

    load_studies()
    index = write_report(_store(store), out_dir)
    out.print(f"report written: {index.resolve()}", markup=False)


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
        counts = {v: sum(c["verdict"] == v for c in r.claims) for v in VERDICT_STYLE}
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
            out.print(f"- {c['id']} ({c['source']}): {c['statement']} -> {c['verdict']}: {c['reason']}", markup=False)


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
    """Arguments and $SKEPTIC_RESULTS must be UTF-8: Python shows other bytes as lone surrogates."""
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
