"""Audits: run a study clean and once per declared fault, and classify what its probes did.

For each fault of the study's catalog (:mod:`skeptic.core.faults`):

- **caught**: a probe that passed in the clean run fails with the fault injected (the run would be
  ``untrusted``). A probe that already fails in the clean run catches nothing.
- **silent**: no new probe failure, but some claim's verdict differs from the clean run's: the
  credulity hole an audit exists to find. Verdicts are compared before the probes' ``untrusted``
  override, so a fault is judged by what it did to the evidence.
- **harmless**: nothing changed at this preset.
- **crashed**: the run raised (or the fault could not be injected). A crash is not a catch.

Probe power is caught / (caught + silent): of the faults that changed a conclusion or tripped a
probe, the share the probes flagged. The caught share is caught / all faults.

Isolation. Every execution (the clean run, each fault, and a second clean run) happens in a fresh
process, so nothing a fault leaves behind (a module-level cache filled with faulty values, a patched
global) can reach another execution, and no cache filled by the clean run can hide a fault. The
second clean run checks that the study is deterministic for a fixed seed: if its verdicts or probes
differ from the first, the comparison the audit rests on is unreliable and the audit says so
(``stable`` is false). ``jobs`` processes run at a time.

A mutant can loop for ever (a loop bound or a convergence test mutated). Each mutant execution runs under a CPU-time
limit (``RLIMIT_CPU``, where the platform has it) of :data:`MUTANT_CPU_FACTOR` times the clean run's CPU seconds,
and at least :data:`MUTANT_CPU_FLOOR_S`: one that exceeds it is stopped and counted as crashed, so a single
mutant cannot stall an audit. CPU time, not wall time, so a loaded machine does not stop a mutant that would finish.

Judging-phase mutants. The traced clean run records which lines ran while the experiment ran and which only while
its probes and claims were judged (:func:`skeptic.core.runner.execute`'s ``on_judge``). A mutant on a line that
ran only while judging cannot change the experiment: its measurements are the clean run's. So it runs judging only
(:func:`skeptic.core.runner.judge` on the clean run's measurements, in a fresh process with the mutant installed, as
every execution), which costs the judging's fraction of a run instead of a whole one. Before any mutant runs so, a
check judges the clean measurements the same way without a mutant and must reproduce the clean run's probes and
verdicts exactly; if it does not (a study whose probes read state its experiment left in a module, say), every mutant
runs the whole study. ``SKEPTIC_AUDIT_JUDGE_ONLY=0`` turns judging-only executions off.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import os
import pickle
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from skeptic.core import processes
from skeptic.core.claims import ProbeResult
from skeptic.core.config import resolve_config
from skeptic.core.faults import Fault
from skeptic.core.jsonform import json_restore, json_safe
from skeptic.core.judged import Judged
from skeptic.core.mutants import LineTracer, Mutant, MutantAudit, MutantResult, StudyFile
from skeptic.core.robustness import ClaimRobustness, Execution, assess, plan, summarize
from skeptic.core.runner import THREAD_VARS, Executed, code_version, execute, judge, provenance
from skeptic.core.store import Store
from skeptic.core.study import Study, get_study

MUTANT_CPU_FACTOR = 10.0
"""A mutant execution may use this many times the (traced) clean run's CPU seconds before it is stopped as crashed."""
MUTANT_CPU_FLOOR_S = 60.0
"""The least CPU time a mutant execution is allowed, however fast the clean run."""

FaultOutcome = Literal["caught", "silent", "harmless", "crashed"]
OUTCOMES: tuple[FaultOutcome, ...] = ("caught", "silent", "harmless", "crashed")


class AuditFailed(Exception):
    """The clean run itself raised: there is nothing to compare the faults against."""


@dataclass
class FaultResult:
    """What one injected fault did to the run.

    ``changed_verdicts`` lists every claim whose raw verdict (before the untrusted override) moved,
    for caught faults too (what the fault would have done had no probe caught it).
    """

    id: str
    kind: str
    description: str
    outcome: FaultOutcome
    failed_probes: list[str]
    changed_verdicts: list[dict[str, str]]
    detail: str
    note: str
    duration_s: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FaultResult:
        return cls(**{k: d[k] for k in cls.__dataclass_fields__})


@dataclass
class AuditResult:
    """A study's clean run against each of its faults."""

    study: str
    preset: str
    seed: int
    config: dict[str, Any]
    code_version: str
    clean_verdicts: dict[str, str]
    clean_failed_probes: list[str]
    faults: list[FaultResult] = field(default_factory=list)
    unstable: list[str] = field(default_factory=list)
    """Claims and probes whose outcome differed between two clean runs with the same seed."""
    clean_duration_s: float = 0.0
    duration_s: float = 0.0
    jobs: int = 1
    robustness: list[ClaimRobustness] | None = None
    """Per claim: contrasts, budget, line and seed stability, finding (``skeptic audit --contrasts``); ``None``
    when the audit did not run them."""
    robustness_runs: list[dict[str, Any]] = field(default_factory=list)
    """The robustness executions: label, kind, overrides, seed, duration and any error."""
    mutants: MutantAudit | None = None
    """The generated-mutant sample (``--mutants N``) and its outcomes; None when none were asked for."""
    reused: int = 0
    """Executions reused from an earlier, interrupted run of the same audit (see :func:`audit`'s ``resume``)."""
    executions: int = 0
    """Executions this audit needed (clean, repeat, faults, robustness, mutants), reused ones included."""

    def count(self, outcome: FaultOutcome) -> int:
        return sum(f.outcome == outcome for f in self.faults)

    @property
    def counts(self) -> dict[str, int]:
        return {o: self.count(o) for o in OUTCOMES}

    @property
    def probe_power(self) -> float | None:
        """caught / (caught + silent); ``None`` (undefined) when no fault changed anything."""
        caught, silent = self.count("caught"), self.count("silent")
        return caught / (caught + silent) if caught + silent else None

    @property
    def caught_share(self) -> float | None:
        """caught / all faults; ``None`` without faults."""
        return self.count("caught") / len(self.faults) if self.faults else None

    @property
    def stable(self) -> bool:
        """Two clean runs with the same seed agreed on every verdict and probe."""
        return not self.unstable

    @property
    def ok(self) -> bool:
        """No silent fault, no crashed fault, and a deterministic clean run: what CI requires.

        Silent mutants do not fail this: a generated mutant is a measurement of probe power, not a
        declared bug the study promised to catch (the mutation figure is reported beside it)."""
        return self.stable and not self.count("silent") and not self.count("crashed")

    def to_dict(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "preset": self.preset,
            "seed": self.seed,
            "config": self.config,
            "code_version": self.code_version,
            "clean_verdicts": self.clean_verdicts,
            "clean_failed_probes": self.clean_failed_probes,
            "unstable": self.unstable,
            "faults": [f.to_dict() for f in self.faults],
            "counts": self.counts,
            "probe_power": self.probe_power,
            "caught_share": self.caught_share,
            "clean_duration_s": self.clean_duration_s,
            "duration_s": self.duration_s,
            "jobs": self.jobs,
            "robustness": None if self.robustness is None else [r.to_dict() for r in self.robustness],
            "robustness_summary": None if self.robustness is None else summarize(self.robustness).to_dict(),
            "robustness_runs": self.robustness_runs,
            "resumed": {"reused": self.reused, "executions": self.executions},
            **mutants_field(self.mutants),
        }


def mutants_field(mutants: MutantAudit | None) -> dict[str, Any]:
    """The audit document's ``mutants`` entry (absent when no mutant was asked for)."""
    return {} if mutants is None else {"mutants": mutants.to_dict()}


def compare(clean: Judged, faulty: Judged) -> tuple[FaultOutcome, list[str], list[dict[str, str]], str]:
    """(outcome, newly failed probes, changed verdicts, detail) of a faulty or mutated execution."""
    clean_failed = {p.id for p in clean.probes if not p.passed}
    newly_failed = [p for p in faulty.probes if not p.passed and p.id not in clean_failed]
    before, after = clean.verdicts, faulty.verdicts
    # a claim the faulty run does not report at all (a mutant dropped it from the catalog) changed too
    changed = [
        {"claim": k, "clean": before[k], "faulty": after.get(k, "missing")} for k in before if after.get(k) != before[k]
    ]
    if newly_failed:
        outcome: FaultOutcome = "caught"
        detail = "; ".join(f"{p.id}: {p.detail}" for p in newly_failed)
    elif changed:
        outcome = "silent"
        detail = "no probe failed, but " + ", ".join(f"{c['claim']} {c['clean']} → {c['faulty']}" for c in changed)
    else:
        outcome = "harmless"
        detail = "no probe failed and no verdict changed at this preset"
    return outcome, [p.id for p in newly_failed], changed, detail


def classify(fault: Fault, clean: Judged, faulty: Judged, duration_s: float) -> FaultResult:
    """Compare a faulty execution with the clean one (see the module docstring)."""
    outcome, failed, changed, detail = compare(clean, faulty)
    return FaultResult(
        fault.id, fault.kind, fault.description, outcome, failed, changed, detail, fault.note, duration_s
    )


def classify_mutant(mutant: Mutant, clean: Judged, done: _Done) -> MutantResult:
    """A mutant's outcome against the clean run (crashed when it raised or could not be injected)."""
    if done.judged is None:
        return MutantResult(mutant, "crashed", [], [], done.error or "", done.duration_s)
    outcome, failed, changed, detail = compare(clean, done.judged)
    raised = done.judged.raised
    if outcome == "silent" and all(c["claim"] in raised and c["claim"] not in clean.raised for c in changed):
        # a measure that raised is a loud failure (the report says the measurement could not be made),
        # not a confident wrong verdict: count it as a crash, as the mutant would have raised in the run
        outcome = "crashed"
        detail = "; ".join(f"{c['claim']}: {raised[c['claim']]}" for c in changed)
    return MutantResult(mutant, outcome, failed, changed, detail, done.duration_s)


def _crashed(fault: Fault, message: str, duration_s: float) -> FaultResult:
    return FaultResult(fault.id, fault.kind, fault.description, "crashed", [], [], message, fault.note, duration_s)


def _unstable(first: Judged, second: Judged) -> list[str]:
    """Claims and probes whose outcome differs between two clean executions."""
    a, b = first.verdicts, second.verdicts
    claims = [f"claim {k}: {a[k]} then {b.get(k)}" for k in a if b.get(k) != a[k]]
    pa, pb = {p.id: p.passed for p in first.probes}, {p.id: p.passed for p in second.probes}
    probes = [f"probe {k}: {'passed' if pa[k] else 'failed'} then {'passed' if pb.get(k) else 'failed'}" for k in pa]
    return claims + [p for p, k in zip(probes, pa, strict=True) if pb.get(k) != pa[k]]


# One execution in a fresh process ---------------------------------------------------------------


@dataclass
class _Task:
    module: str
    """The module whose import registers the study (its run function's module)."""
    study: str
    fault: str | None
    config: dict[str, Any]
    seed: int
    preset: str
    mutant: Mutant | None = None
    """A generated mutant to install before the study is imported."""
    mutant_path: str | None = None
    trace: list[str] | None = None
    """Files whose executed lines the run records (the coverage the mutant sample is drawn from)."""
    cpu_limit_s: float | None = None
    """The execution's CPU-time limit (mutants: :func:`mutant_cpu_limit`); not part of its identity."""
    measurements_json: str | None = None
    """Judging only: the clean run's measurements (JSON, :mod:`skeptic.core.jsonform`) to judge instead of running
    the experiment. Not part of its identity beyond ``judge_only``: the clean run it comes from is fixed by the rest."""
    judge_only: bool = False


def mutant_cpu_limit(clean_cpu_s: float) -> float:
    """CPU seconds a mutant execution may use: ``max(MUTANT_CPU_FLOOR_S, MUTANT_CPU_FACTOR · clean CPU seconds)``."""
    return max(MUTANT_CPU_FLOOR_S, MUTANT_CPU_FACTOR * clean_cpu_s)


def _limit_cpu(seconds: float | None) -> None:
    """Cap this process's CPU time (the kernel sends SIGXCPU past it); a no-op where ``resource`` is missing."""
    if seconds is None:
        return
    try:
        import resource
    except ImportError:  # not on Windows
        return
    soft = max(1, int(seconds))
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY and hard < soft:
        soft = hard
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _exit_message(status: int | None, task: _Task, last: str) -> str:
    """What a worker's non-zero exit status says, a CPU-limit stop named as such."""
    sigxcpu = getattr(signal, "SIGXCPU", None)
    if sigxcpu is not None and status == -sigxcpu and task.cpu_limit_s is not None:
        limit = int(task.cpu_limit_s)
        return f"stopped: exceeded its CPU-time limit of {limit} s ({MUTANT_CPU_FACTOR:g}× the clean run)"
    return f"the worker process exited with status {status}: {last}"


@dataclass
class _Done:
    judged: Judged | None
    error: str | None
    duration_s: float
    lines: dict[str, list[int]] | None = None
    cpu_s: float | None = None
    """CPU seconds of the execution's process (None when not measured: an older stored execution)."""
    experiment_lines: dict[str, list[int]] | None = None
    """Of ``lines``, those that ran while the experiment ran (before judging); None when not traced by phase."""
    measurements_json: str | None = None
    """The traced clean run's measurements as JSON, for judging-only mutants (None for other executions)."""


def _done_to_dict(done: _Done) -> dict[str, Any]:
    judged = None
    if done.judged is not None:
        j = done.judged
        judged = {
            "probes": [p.to_json() for p in j.probes],
            "verdicts": j.verdicts,
            "bands": j.bands,
            "measured": j.measured,
            "raised": j.raised,
            "undefined": j.undefined,
        }
    return {
        "judged": judged,
        "error": done.error,
        "duration_s": done.duration_s,
        "lines": done.lines,
        "cpu_s": done.cpu_s,
        "experiment_lines": done.experiment_lines,
        "measurements_json": done.measurements_json,
    }


def _done_from_dict(d: Mapping[str, Any]) -> _Done:
    j = d["judged"]
    judged = None
    if j is not None:
        probes = [ProbeResult.from_json(p) for p in j["probes"]]
        judged = Judged(
            probes,
            dict(j["verdicts"]),
            dict(j["bands"]),
            dict(j["measured"]),
            dict(j["raised"]),
            list(j.get("undefined", [])),  # executions stored before session 17 carry none
        )
    cpu = d.get("cpu_s")
    return _Done(
        judged,
        d["error"],
        float(d["duration_s"]),
        d["lines"],
        None if cpu is None else float(cpu),
        d.get("experiment_lines"),
        d.get("measurements_json"),
    )


def execution_key(role: str, task: _Task, version: str) -> str:
    """What one audit execution depends on, hashed: its role (``clean``, ``repeat``, ``fault:ID``, ``mutant:ID``,
    ``robust:LABEL``), the study, preset, seed and config, the fault or mutant, whether lines are traced, and the
    code version (the study's own code included). Equal keys give the same execution, so a rerun reuses it.

    Where the checkout lives is not identity either: the mutated file is named by the mutant itself (module, line,
    site) and its content by the code version, so ``mutant_path`` is left out and the traced files count only as
    "traced or not". An audit rerun from another clone or worktree of the same code reuses the stored executions."""
    skip = ("cpu_limit_s", "mutant_path", "trace", "measurements_json")
    identity = {k: v for k, v in dataclasses.asdict(task).items() if k not in skip}  # a limit, a location: no identity
    if not task.judge_only:
        identity.pop("judge_only")  # keys of whole executions stay what they were before judging-only existed
    identity["traced"] = task.trace is not None
    text = json.dumps({"role": role, "version": version, "task": identity}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _keepable(done: _Done) -> bool:
    """An execution that produced a judgement is kept. One that raised is not: its cause may lie outside the
    code (a provider down, a file missing, the process killed by an interruption), so a rerun tries it again."""
    return done.judged is not None


class _Resume:
    """The executions of an audit kept in the store: looked up before each runs, saved as each finishes."""

    def __init__(self, store: Store | None, study: str, version: str) -> None:
        self.store, self.study, self.version = store, study, version
        self.reused = 0
        self.total = 0

    def submit(self, pool: ThreadPoolExecutor, role: str, task: _Task, run: Callable[[_Task], _Done]) -> Future[_Done]:
        self.total += 1
        key = execution_key(role, task, self.version)
        if self.store is not None:
            kept = self.store.audit_execution(key)
            if kept is not None:
                self.reused += 1
                future: Future[_Done] = Future()
                future.set_result(_done_from_dict(kept))
                return future
        return pool.submit(self._run, key, role, task, run)

    def _run(self, key: str, role: str, task: _Task, run: Callable[[_Task], _Done]) -> _Done:
        done = run(task)
        if self.store is not None and _keepable(done):
            self.store.save_audit_execution(key, self.study, self.version, role, _done_to_dict(done))
        return done


def _execute_task(task: _Task) -> _Done:
    """Runs in a fresh worker process: import the study, inject the fault (if any), execute."""
    t0, c0 = time.perf_counter(), time.process_time()
    _limit_cpu(task.cpu_limit_s)
    lines: dict[str, list[int]] | None = None
    experiment_lines: dict[str, list[int]] | None = None
    measurements_json: str | None = None
    if task.mutant is not None and task.mutant_path is not None:
        from skeptic.core.mutants import install

        try:
            install(task.mutant, Path(task.mutant_path))
        except Exception as exc:
            return _Done(None, f"the mutant could not be injected: {_one_line(exc)}", time.perf_counter() - t0)
    try:
        importlib.import_module(task.module)
        spec = get_study(task.study)
        config = spec.config_type.model_validate(task.config)
        if task.judge_only:
            assert task.measurements_json is not None
            measurements = json_restore(json.loads(task.measurements_json))
            probes, claims = judge(spec, measurements, config)
            judged = Judged.of(spec, Executed(measurements, probes, claims, [], []))
            return _Done(judged, None, time.perf_counter() - t0, None, time.process_time() - c0)
        with ExitStack() as stack:
            if task.fault is not None:
                (fault,) = [f for f in spec.faults if f.id == task.fault]
                try:
                    stack.enter_context(fault.inject())
                except Exception as exc:
                    return _Done(None, f"the fault could not be injected: {_one_line(exc)}", time.perf_counter() - t0)
            with ExitStack() as tracing:
                tracer = tracing.enter_context(LineTracer(task.trace)) if task.trace is not None else None
                on_judge = tracer.next_phase if tracer is not None else None
                executed = execute(spec, config, task.seed, task.preset, render_figures=False, on_judge=on_judge)
                judged = Judged.of(spec, executed)  # with the fault still injected
            if tracer is not None:
                lines = {f: sorted(ls) for f, ls in tracer.lines.items()}
                experiment_lines = {f: sorted(ls) for f, ls in tracer.phases[0].items()}
                measurements_json = _measurements_json(executed.measurements)
    except Exception as exc:
        return _Done(None, _one_line(exc), time.perf_counter() - t0)
    cpu = time.process_time() - c0
    return _Done(judged, None, time.perf_counter() - t0, lines, cpu, experiment_lines, measurements_json)


def _measurements_json(measurements: Mapping[str, Any]) -> str | None:
    """The measurements as JSON for judging-only mutants, or None where they do not serialize (judging-only is then
    off for the audit)."""
    try:
        return json.dumps(json_safe(dict(measurements)), allow_nan=False)
    except (TypeError, ValueError):
        return None


def _one_line(exc: BaseException) -> str:
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


def _worker_main() -> None:
    """Entry point of a worker process: ``argv[1]`` holds the pickled task, ``argv[2]`` receives the result."""
    task = pickle.loads(Path(sys.argv[1]).read_bytes())
    Path(sys.argv[2]).write_bytes(pickle.dumps(_execute_task(task)))


def _worker_env(threads: int) -> dict[str, str]:
    """This process's environment with its import path and capped thread counts, for a worker process."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p or os.getcwd() for p in sys.path))
    for var in THREAD_VARS:
        env[var] = str(threads)
    return env


PRELOAD = (
    "numpy",
    "scipy.special",
    "scipy.stats",
    "scipy.optimize",
    "torch",
    "torch.func",
    "matplotlib",
    "matplotlib.figure",
    "pandas",
    "pydantic",
    "tokenizers",
    "safetensors",
    "skeptic.core.runner",
    "skeptic.core.mutants",
    "skeptic.core.judged",
    "skeptic.models",
    "skeptic.study",
)
"""Libraries a fork server imports once so that each execution forked from it starts with them loaded: the heavy
third-party ones the studies use (torch alone is ~1.5 s of CPU per process) and Skeptic's core, never a study (a
mutant must be installed before its study is imported). Only those the auditing process has itself loaded."""

RETRY_FRESH = 75
"""Exit status of a forked execution that found its study's package already imported (it cannot install a mutant
there): the execution is run again in a fresh process."""


class _ForkServer:
    """A Python process that imports :data:`PRELOAD` once, then forks one child per execution (Linux only).

    Each execution still runs in a process of its own that no other execution touched (the server runs no study
    code), so the audit's isolation is unchanged; what it saves is the interpreter start and the imports, several
    CPU seconds per execution against a test-preset run of a few. Protocol, one line each way: the driver writes
    ``<task.pickle> <done.pickle> <stderr file>``, the server forks, waits, and answers the child's exit status.
    """

    def __init__(self, threads: int) -> None:
        preload = [m for m in PRELOAD if m in sys.modules]
        code = "from skeptic.core.audit import _fork_server_main; _fork_server_main()"
        self.proc = processes.start(
            [sys.executable, "-c", code, *preload],
            env=_worker_env(threads),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def run(self, task_path: Path, done_path: Path, err_path: Path) -> int | None:
        """The forked execution's exit status, or None when the server itself is gone."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(f"{task_path}\t{done_path}\t{err_path}\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (BrokenPipeError, OSError):
            return None
        return int(line) if line.strip() else None

    def close(self) -> None:
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            processes.finished(self.proc)


def _fork_server_main() -> None:
    """Entry point of a fork server: import ``argv[1:]``, then serve one execution per line of stdin."""
    processes.die_with_parent()
    for name in sys.argv[1:]:
        try:
            importlib.import_module(name)
        except Exception:  # a preload that fails only costs each child that import
            continue
    out = sys.stdout
    for line in sys.stdin:
        task_path, done_path, err_path = line.rstrip("\n").split("\t")
        pid = os.fork()
        if pid == 0:  # the child: one execution, then leave without running the server's exit handlers
            status = 1
            try:
                processes.die_with_parent()
                fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
                os.dup2(fd, 2)
                os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
                task: _Task = pickle.loads(Path(task_path).read_bytes())
                package = task.module.rpartition(".")[0] if task.module.endswith(".study") else task.module
                if any(m == package or m.startswith(package + ".") for m in sys.modules):
                    status = RETRY_FRESH
                else:
                    Path(done_path).write_bytes(pickle.dumps(_execute_task(task)))
                    status = 0
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stderr.flush()
                os._exit(status)
        _, wait_status = os.waitpid(pid, 0)
        out.write(f"{os.waitstatus_to_exitcode(wait_status)}\n")
        out.flush()


_KEPT: dict[int, list[_ForkServer]] | None = None
"""Fork servers kept between audits (by thread count) inside :func:`keep_fork_servers`; None outside it."""


@contextmanager
def keep_fork_servers() -> Iterator[None]:
    """Audits run inside share their fork servers: each server is started once and closed on leaving, instead of
    once per audit (~2-4 CPU s each, most of a small audit's cost). For a caller that runs many audits in one process,
    such as the contract test. A server runs no study code, so sharing it leaves every execution as isolated."""
    global _KEPT
    outer, _KEPT = _KEPT, {}
    try:
        yield
    finally:
        kept, _KEPT = _KEPT, outer
        for server in (s for servers in kept.values() for s in servers):
            server.close()


class _Runner:
    """Runs tasks in fresh processes: forked from one of ``jobs`` fork servers where the platform allows it
    (:class:`_ForkServer`), else each a new interpreter (:func:`_in_fresh_process`)."""

    def __init__(self, jobs: int, threads: int) -> None:
        self.threads = threads
        self.fork = sys.platform.startswith("linux") and os.environ.get("SKEPTIC_AUDIT_FORK", "1") != "0"
        self._idle: queue.SimpleQueue[_ForkServer] = queue.SimpleQueue()
        self._all: list[_ForkServer] = []
        self._kept = _KEPT
        if self._kept is not None:  # inside keep_fork_servers: start with the live servers kept by earlier audits
            for server in self._kept.pop(threads, []):
                if server.proc.poll() is None:
                    self._idle.put(server)
                    self._all.append(server)
                else:
                    server.close()
            # the others are started here, in the caller's thread: a server dies with the thread that started it
            # (die_with_parent), and the pool's threads end with this audit
            while self.fork and len(self._all) < jobs:
                server = _ForkServer(threads)
                self._idle.put(server)
                self._all.append(server)
        self._lock = threading.Lock()
        self.jobs = jobs
        self._stopped = threading.Event()

    def stop(self) -> None:
        """The audit is stopping (Ctrl-C, SIGTERM, an error): an execution whose server is killed is not retried,
        and no new one starts."""
        self._stopped.set()

    def _stopped_done(self, t0: float) -> _Done:
        return _Done(None, "interrupted: the audit was stopped", time.perf_counter() - t0)

    def _server(self) -> _ForkServer:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            server = _ForkServer(self.threads)
            with self._lock:
                self._all.append(server)
            return server

    def __call__(self, task: _Task) -> _Done:
        t0 = time.perf_counter()
        if self._stopped.is_set():
            return self._stopped_done(t0)
        if not self.fork:
            return _in_fresh_process(task, self.threads)
        server = self._server()
        with tempfile.TemporaryDirectory(prefix="skeptic-audit-") as tmp:
            task_path, done_path, err_path = (Path(tmp) / n for n in ("task.pickle", "done.pickle", "stderr"))
            task_path.write_bytes(pickle.dumps(task))
            status = server.run(task_path, done_path, err_path)
            if self._stopped.is_set():  # its server was stopped with the audit: never retried
                return self._stopped_done(t0)
            if status is None:  # the server died: this execution and the next ones start fresh
                return _in_fresh_process(task, self.threads)
            self._idle.put(server)
            if status == RETRY_FRESH:
                return _in_fresh_process(task, self.threads)
            if status == 0 and done_path.exists():
                done: _Done = pickle.loads(done_path.read_bytes())
                return done
            stderr = err_path.read_text(errors="replace") if err_path.exists() else ""
        last = (stderr.strip().splitlines() or ["(no output)"])[-1]
        return _Done(None, _exit_message(status, task, last), time.perf_counter() - t0)

    def close(self) -> None:
        with self._lock:
            servers, self._all = self._all, []
        if self._kept is not None and not self._stopped.is_set():  # kept for the next audit (keep_fork_servers)
            live = [s for s in servers if s.proc.poll() is None]
            self._kept.setdefault(self.threads, []).extend(live)
            servers = [s for s in servers if s not in live]
        for server in servers:
            server.close()


def _in_fresh_process(task: _Task, threads: int) -> _Done:
    """Run ``task`` in a new Python process with this process's import path and capped thread counts.

    A plain subprocess rather than ``multiprocessing``, whose spawn would re-run a user's ``__main__`` script.
    """
    env = _worker_env(threads)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="skeptic-audit-") as tmp:
        task_path, done_path = Path(tmp) / "task.pickle", Path(tmp) / "done.pickle"
        task_path.write_bytes(pickle.dumps(task))
        code = "from skeptic.core.audit import _worker_main; _worker_main()"
        proc = processes.start(
            [sys.executable, "-c", code, str(task_path), str(done_path)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _, stderr = proc.communicate()
        finally:
            processes.finished(proc)
        if proc.returncode == 0 and done_path.exists():
            done: _Done = pickle.loads(done_path.read_bytes())
            return done
    last = (stderr.strip().splitlines() or ["(no output)"])[-1]
    return _Done(None, _exit_message(proc.returncode, task, last), time.perf_counter() - t0)


def default_jobs() -> int:
    """Two processes where there are two cores or more (measured: see the README's audit section)."""
    return max(1, min(2, os.cpu_count() or 1))


def audit(
    spec: Study[Any],
    preset: str = "test",
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
    contrasts: bool = False,
    mutants: int | Literal["all"] | None = None,
    mutant_seed: int = 0,
    faults: bool = True,
    resume: Store | None = None,
) -> AuditResult:
    """Run ``spec`` clean (twice) and once per fault of its catalog, each in a fresh process.

    With ``resume`` (a store), every execution that finishes is kept there and an execution already kept
    (same :func:`execution_key`) is reused instead of run: an interrupted audit rerun with the same arguments
    runs only the rest (``AuditResult.reused`` of ``executions``). Without it, nothing is stored.

    ``contrasts=True`` adds the robustness audit (:mod:`skeptic.core.robustness`): each distinct contrast
    override set, the larger budget and two extra seeds, each in a fresh process too.
    With ``mutants`` (a count or ``"all"``), the first clean run also records which lines of the study's
    own files run (:mod:`skeptic.core.mutants`), and that many mutants drawn from those lines with
    ``mutant_seed`` run too, each in a fresh process. ``faults=False`` leaves the declared catalog out.

    Raises :class:`~skeptic.core.errors.UsageError` for a bad preset or override and
    :class:`AuditFailed` when the clean run raises. ``progress`` receives a line per finished execution.
    """
    config = resolve_config(spec, preset, overrides)
    jobs = jobs or default_jobs()
    threads = max(1, (os.cpu_count() or 1) // jobs)
    config_json = config.model_dump(mode="json")
    module = spec.run.__module__
    chosen_faults = list(spec.faults) if faults else []
    files = mutant_files(spec) if mutants is not None else []

    def task(fault: str | None, trace: bool = False) -> _Task:
        traced = [str(f.path) for f in files] if trace else None
        return _Task(module, spec.name, fault, config_json, seed, preset, trace=traced)

    executions = plan(spec, preset, overrides) if contrasts else []

    def robust_task(e: Execution) -> _Task:
        cfg = resolve_config(spec, preset, {**dict(overrides or {}), **e.overrides}).model_dump(mode="json")
        return _Task(module, spec.name, None, cfg, e.run_seed(seed), preset)

    t0 = time.perf_counter()
    pool = ThreadPoolExecutor(max_workers=jobs)
    kept = _Resume(resume, spec.name, code_version(spec))
    run = _Runner(jobs, threads)
    try:
        clean_future = kept.submit(pool, "clean", task(None, trace=mutants is not None), run)
        fault_futures = [kept.submit(pool, f"fault:{f.id}", task(f.id), run) for f in chosen_faults]
        repeat_future = kept.submit(pool, "repeat", task(None), run)
        robust_futures = [kept.submit(pool, f"robust:{e.label}", robust_task(e), run) for e in executions]
        clean = clean_future.result()
        if clean.judged is None:
            raise AuditFailed(f"the clean run of {spec.name} raised: {clean.error}")
        if progress is not None:
            progress(f"{spec.name}: clean run ({clean.duration_s:.1f} s)")
        mutant_audit: MutantAudit | None = None
        mutant_futures: list[tuple[Mutant, Future[_Done]]] = []
        judging: set[str] = set()
        if mutants is not None:
            mutant_audit, drawn = draw_mutants(files, clean.lines or {}, mutants, mutant_seed)
            paths = {f.module: str(f.path) for f in files}
            limit = mutant_cpu_limit(clean.cpu_s if clean.cpu_s is not None else clean.duration_s * threads)
            judging = _judging_only_lines(files, clean, drawn)
            if judging:
                check = dataclasses.replace(task(None), measurements_json=clean.measurements_json, judge_only=True)
                checked = kept.submit(pool, "judge-check", check, run).result()
                mutant_audit.judge_check = _judge_check(clean.judged, checked)
                if mutant_audit.judge_check != "passed":
                    judging = set()
            else:
                mutant_audit.judge_check = _judge_only_off_reason(clean, drawn)
            if progress is not None:
                progress(f"{spec.name}: judging-only mutants: {mutant_audit.judge_check}")
            for m in drawn:
                t = dataclasses.replace(task(None), mutant=m, mutant_path=paths[m.module], cpu_limit_s=limit)
                if m.id in judging:
                    t = dataclasses.replace(t, measurements_json=clean.measurements_json, judge_only=True)
                mutant_futures.append((m, kept.submit(pool, f"mutant:{m.id}", t, run)))
        results = []
        for fault, future in zip(chosen_faults, fault_futures, strict=True):
            done = future.result()
            if done.judged is None:
                results.append(_crashed(fault, done.error or "", done.duration_s))
            else:
                results.append(classify(fault, clean.judged, done.judged, done.duration_s))
            if progress is not None:
                progress(f"{spec.name}: {fault.id}: {results[-1].outcome} ({done.duration_s:.1f} s)")
        repeat = repeat_future.result()
        robust_done: dict[str, tuple[Judged | None, str | None]] = {}
        robust_runs: list[dict[str, Any]] = []
        for e, future in zip(executions, robust_futures, strict=True):
            done = future.result()
            robust_done[e.label] = (done.judged, done.error)
            robust_runs.append(
                {
                    "label": e.label,
                    "kind": e.kind,
                    "overrides": e.overrides,
                    "seed": e.run_seed(seed),
                    "duration_s": done.duration_s,
                    "error": done.error,
                }
            )
            if progress is not None:
                state = "raised" if done.judged is None else "done"
                progress(f"{spec.name}: {e.label}: {state} ({done.duration_s:.1f} s)")
        for i, (m, future) in enumerate(mutant_futures):
            assert mutant_audit is not None
            outcome = classify_mutant(m, clean.judged, future.result())
            outcome.judged_only = m.id in judging
            mutant_audit.results.append(outcome)
            if progress is not None:
                progress(
                    f"{spec.name}: mutant {i + 1}/{len(mutant_futures)} {m.diff}: {outcome.outcome}"
                    f" ({outcome.duration_s:.1f} s)"
                )
    except BaseException:  # Ctrl-C, SIGTERM or an error: start nothing more and stop the executions in flight
        run.stop()
        pool.shutdown(wait=False, cancel_futures=True)
        processes.terminate_children()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        run.close()
    if repeat.judged is None:
        unstable = [f"the second clean run raised: {repeat.error}"]
    else:
        unstable = _unstable(clean.judged, repeat.judged)
    return AuditResult(
        study=spec.name,
        preset=preset,
        seed=seed,
        config=config_json,
        code_version=code_version(spec),
        clean_verdicts=clean.judged.verdicts,
        clean_failed_probes=[p.id for p in clean.judged.probes if not p.passed],
        faults=results,
        unstable=unstable,
        clean_duration_s=clean.duration_s,
        duration_s=time.perf_counter() - t0,
        jobs=jobs,
        robustness=assess(spec, clean.judged, robust_done, executions) if contrasts else None,
        robustness_runs=robust_runs,
        mutants=mutant_audit,
        reused=kept.reused,
        executions=kept.total,
    )


JUDGE_ONLY_ENV = "SKEPTIC_AUDIT_JUDGE_ONLY"
"""Set to ``0`` to run every mutant as a whole execution (see the module's "Judging-phase mutants")."""


def _judging_only_lines(files: list[StudyFile], clean: _Done, drawn: list[Mutant]) -> set[str]:
    """The ids of the drawn mutants on a line that ran only while the clean run was judged (never while its experiment
    ran); empty when judging-only is off or the clean run has no phase record or no serializable measurements."""
    if os.environ.get(JUDGE_ONLY_ENV, "1") == "0" or clean.experiment_lines is None or not clean.measurements_json:
        return set()
    ran = {f: set(ls) for f, ls in (clean.lines or {}).items()}
    before = {f: set(ls) for f, ls in clean.experiment_lines.items()}
    where = {f.module: str(f.path.resolve()) for f in files}
    return {
        m.id
        for m in drawn
        if m.line in ran.get(where[m.module], set()) and m.line not in before.get(where[m.module], set())
    }


def _judge_only_off_reason(clean: _Done, drawn: list[Mutant]) -> str:
    if os.environ.get(JUDGE_ONLY_ENV, "1") == "0":
        return f"off ({JUDGE_ONLY_ENV}=0)"
    if clean.experiment_lines is None:
        return "off (the clean run kept no record of which lines ran while judging: an older stored execution)"
    if not clean.measurements_json:
        return "off (the measurements do not serialize to JSON)"
    return f"none of the {len(drawn)} drawn mutants sits on a line that ran only while judging"


def _judge_check(clean: Judged, checked: _Done) -> str:
    """``passed`` when judging the clean measurements alone, in a fresh process, reproduces the clean run's probes and
    verdicts exactly; otherwise why not (judging-only is then off)."""
    if checked.judged is None:
        return f"off (judging the clean measurements alone raised: {checked.error})"
    got = checked.judged
    if got == clean:
        return "passed"
    clean_probes = {p.id: p for p in clean.probes}
    differ = [p.id for p in got.probes if clean_probes.get(p.id) != p]
    for ours, theirs in ((clean.verdicts, got.verdicts), (clean.measured, got.measured)):
        differ += [k for k in sorted(set(ours) | set(theirs)) if ours.get(k) != theirs.get(k)]
    shown = ", ".join(list(dict.fromkeys(differ))[:5])
    return f"off (judging the clean measurements alone did not reproduce the clean run: {shown or 'details differ'})"


def mutant_files(spec: Study[Any]) -> list[StudyFile]:
    """The study's own files that mutants may touch (see :func:`skeptic.core.mutants.study_files`)."""
    from skeptic.core.mutants import study_files

    return study_files(spec.run.__module__)


def draw_mutants(
    files: list[StudyFile], lines: Mapping[str, list[int]], n: int | Literal["all"], mutant_seed: int
) -> tuple[MutantAudit, list[Mutant]]:
    """The mutants of the executed lines, and the sample of ``n`` drawn from them with ``mutant_seed``."""
    from skeptic.core.mutants import executed_mutants, sample

    executed = {f: set(ls) for f, ls in lines.items()}
    candidates = executed_mutants(files, executed)
    drawn = sample(candidates, n, mutant_seed)
    labels = [f.label for f in files]
    n_lines = sum(len(ls) for ls in executed.values())
    return MutantAudit(n, mutant_seed, len(candidates), n_lines, labels), drawn


def run_audit(
    spec: Study[Any],
    preset: str = "test",
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    store: Store | str | Path | None = None,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
    contrasts: bool = False,
    mutants: int | Literal["all"] | None = None,
    mutant_seed: int = 0,
    faults: bool = True,
    resume: bool = True,
) -> tuple[str, AuditResult]:
    """:func:`audit` ``spec`` and store the audit like a run; returns ``(audit_id, result)``.

    The audit is recorded as ``running`` when it starts and completed in one transaction with its whole
    result, so a killed audit leaves the store readable and the audit visibly not completed. A clean run
    that raises stores it ``failed`` (then :class:`AuditFailed` propagates); Ctrl-C stores it ``interrupted``.
    Bad input raises :class:`~skeptic.core.errors.UsageError` before anything is written. Each finished
    execution is kept in the store as it ends, so the same audit run again after an interruption (Ctrl-C,
    SIGTERM, kill -9) reuses them and runs only the rest; ``resume=False`` runs everything afresh.
    """
    config = resolve_config(spec, preset, overrides)  # bad input: nothing written
    if contrasts:
        plan(spec, preset, overrides)  # a contrast or budget override that does not validate: nothing written
    db = store if isinstance(store, Store) else Store(store)
    audit_id = "audit-" + datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    prov = provenance(spec)
    db.start_audit(
        audit_id=audit_id,
        study=spec.name,
        preset=preset,
        seed=seed,
        config=config.model_dump(mode="json"),
        code_version=prov["code_version"],
        provenance=prov,
    )
    try:
        result = audit(
            spec,
            preset,
            seed,
            overrides,
            jobs=jobs,
            progress=progress,
            contrasts=contrasts,
            mutants=mutants,
            mutant_seed=mutant_seed,
            faults=faults,
            resume=db if resume else None,
        )
    except KeyboardInterrupt:
        db.end_audit(audit_id, "interrupted", "interrupted by the user (Ctrl-C)")
        raise
    except BaseException as exc:
        db.end_audit(audit_id, "failed", _one_line(exc))
        raise
    db.complete_audit(audit_id, result.to_dict())
    return audit_id, result


__all__ = [
    "OUTCOMES",
    "AuditFailed",
    "AuditResult",
    "FaultOutcome",
    "FaultResult",
    "Judged",
    "audit",
    "classify",
    "classify_mutant",
    "compare",
    "draw_mutants",
    "execution_key",
    "keep_fork_servers",
    "run_audit",
]
