"""Executors for a replication's cells: a local process pool, or a Ray cluster.

A worker only computes: it imports the study, runs it with :func:`skeptic.core.runner.execute`
(measurements, probes, verdicts, figures) and returns the result. Only the driver writes the SQLite
store, so a cluster needs no shared filesystem and the store never sees concurrent writers from
other machines.

- :class:`LocalExecutor`: a pool of processes, one per core by default (each with
  ``cores // workers`` BLAS/OpenMP threads so the pool does not oversubscribe the machine). On
  Linux and CPU the processes are forked, so they start with the driver's imports (PyTorch and the
  studies take seconds to import, a real share of a ``test``-preset cell); PyTorch's CPU thread
  pool is safe across fork, as its DataLoader workers rely on. CUDA cannot be forked once
  initialized, and macOS cannot fork safely at all, so there the processes are spawned. A process lost under
  a cell costs only that cell, which runs once more on a fresh process (:data:`MAX_LOSSES`).
- :class:`RayExecutor`: a new local cluster (``ray.init(address="local")``), or ``address`` joins a running one
  (``ray start --head`` on one node, ``ray start --address HEAD:6379`` on the others). Each cell is a
  task asking for one CPU, or one GPU where the device is ``cuda``. Every node must have the same
  Skeptic installed: a worker reports its code version and a mismatch fails that cell. A killed worker's cell
  is retried once; Ray's own output goes to stderr; a local cluster never outlives its driver.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.parse
import uuid
import weakref
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as mp_wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Literal, Protocol

from skeptic.core.config import config_hash
from skeptic.core.device import DEVICE_CHOICES, Device, available_cores, cuda_available, resolve_device
from skeptic.core.errors import UsageError, shown
from skeptic.core.processes import die_with_parent
from skeptic.core.runner import THREAD_VARS, Executed, code_version, execute
from skeptic.core.study import StudySkipped, get_study

EXECUTORS = ("local", "ray")


@dataclass(frozen=True)
class CellTask:
    """What a worker needs to run one cell; plain data, so it pickles to any machine."""

    key: int
    module: str
    """The module that registers the study (imported by the worker)."""
    study: str
    preset: str
    config: dict[str, Any]
    seed: int
    device: Device


@dataclass
class CellOutcome:
    """What came back from a worker: ``completed`` with what the study produced, or why not."""

    key: int
    status: Literal["completed", "failed", "skipped"]
    executed: Executed | None = None
    error: str = ""
    worker: dict[str, Any] = field(default_factory=dict)


@functools.lru_cache(maxsize=1)
def _worker_code_version() -> str:
    return code_version()


def execute_cell(task: CellTask) -> CellOutcome:
    """Run one cell in a worker process and return its result; nothing is stored here."""
    t0 = time.perf_counter()
    worker: dict[str, Any] = {"host": socket.gethostname(), "pid": os.getpid(), "device": task.device}
    try:
        worker["code_version"] = _worker_code_version()
        importlib.import_module(task.module)
        spec = get_study(task.study)
        config = spec.config_type.model_validate(task.config)
        worker["config_hash"] = config_hash(config, task.seed)
        executed = execute(spec, config, task.seed, task.preset, None, device=task.device)
    except StudySkipped as exc:
        return CellOutcome(task.key, "skipped", error=str(exc), worker=worker)
    except Exception:
        return CellOutcome(task.key, "failed", error=traceback.format_exc(), worker=worker)
    worker["seconds"] = round(time.perf_counter() - t0, 3)
    return CellOutcome(task.key, "completed", executed, worker=worker)


class Executor(Protocol):
    """Runs cells somewhere; the driver keeps at most ``slots`` in flight."""

    name: str
    slots: int
    device: Device

    def submit(self, task: CellTask) -> None: ...

    def next_done(self) -> CellOutcome:
        """Block until some submitted cell finishes."""
        ...

    def cancel_all(self) -> None:
        """Stop every cell in flight (on Ctrl-C)."""
        ...

    def close(self) -> None: ...

    def describe(self) -> dict[str, Any]:
        """Where the cells ran, for the provenance."""
        ...


def _init_local_worker(threads: int, gpu_index: int | None) -> None:
    """Each pool process: leave Ctrl-C to the driver, die with it, cap its threads, and (with GPUs) take one."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent()  # a driver killed outright (kill -9) leaves no worker behind
    for var in THREAD_VARS:
        os.environ[var] = str(threads)
    torch = sys.modules.get("torch")  # already imported when forked from a driver that loaded the studies
    if torch is not None:
        torch.set_num_threads(threads)
    if gpu_index is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = str(gpu_index)


def _local_worker_main(conn: Connection, threads: int, gpu_index: int | None) -> None:
    """A pool process: run the cells the driver sends, one at a time, until it sends ``None`` or goes away."""
    _init_local_worker(threads, gpu_index)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        outcome = execute_cell(task)
        try:
            conn.send(outcome)
        except (EOFError, OSError):
            return
        except Exception:  # what the study produced does not pickle: the cell fails, the worker lives on
            conn.send(CellOutcome(task.key, "failed", error=traceback.format_exc(), worker=outcome.worker))


MAX_LOSSES = 2
"""A cell whose worker process is lost this many times (killed, out of memory) is failed; once is retried."""


@dataclass
class _Slot:
    """One pool process and the cell it is running (``None`` while idle)."""

    index: int
    process: BaseProcess
    conn: Connection
    task: CellTask | None = None


def _stop(processes: list[BaseProcess]) -> None:
    """Terminate ``processes`` and wait for them (SIGKILL after 10 s); also run at exit for a pool never closed."""
    processes = [p for p in processes if p.pid is not None]  # one interrupted before it started has nothing to stop
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join(timeout=10)


def _lost(process: BaseProcess) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}" + (" (kill -9 or the out-of-memory killer)" if -code == signal.SIGKILL else "")
    return f"exited with status {code}"


class LocalExecutor:
    """A pool of ``workers`` processes on this machine (default: one per core; one per GPU on ``cuda``).

    Each process runs one cell at a time over its own pipe, so the driver knows which cell each process
    holds. A process lost under a cell (killed, out of memory) costs that cell alone: the others keep
    running, a new process takes the lost one's place, and the lost cell is run once more; lost a second
    time, it fails (:data:`MAX_LOSSES`). (A ``ProcessPoolExecutor`` cannot tell whose worker died and fails
    every cell in flight with ``BrokenProcessPool``.)
    """

    name = "local"

    def __init__(self, workers: int | None, device: str, max_cells: int, start_method: str | None = None) -> None:
        self.device: Device = resolve_device(device)
        self._method = start_method or ("fork" if sys.platform == "linux" and self.device == "cpu" else "spawn")
        self._ctx = multiprocessing.get_context(self._method)
        cores = available_cores()
        n_gpus = 0
        if self.device == "cuda":
            import torch

            n_gpus = torch.cuda.device_count()
        wanted = workers or (n_gpus if n_gpus else cores)
        self.slots = max(1, min(wanted, max_cells))
        self._threads = max(1, cores // self.slots)
        self._n_gpus = n_gpus
        self._workers: dict[int, _Slot] = {}
        self._queue: deque[CellTask] = deque()
        self._losses: dict[int, list[str]] = {}
        self._processes: list[BaseProcess] = []
        self._finalizer = weakref.finalize(self, _stop, self._processes)

    def _start_worker(self, index: int) -> _Slot:
        driver_end, worker_end = self._ctx.Pipe()
        gpu = index % self._n_gpus if self._n_gpus else None
        process = self._ctx.Process(  # type: ignore[attr-defined]
            target=_local_worker_main, args=(worker_end, self._threads, gpu), name=f"skeptic-cell-{index}"
        )
        self._processes.append(process)  # before it starts: a Ctrl-C landing after the fork still stops it
        process.start()
        worker_end.close()
        slot = _Slot(index, process, driver_end)
        self._workers[index] = slot
        return slot

    def _dispatch(self) -> None:
        """Hand queued cells to idle processes, starting processes up to ``slots``."""
        while self._queue:
            idle = next((w for w in self._workers.values() if w.task is None), None)
            if idle is None:
                free = [i for i in range(self.slots) if i not in self._workers]
                if not free:
                    return
                idle = self._start_worker(free[0])
            task = self._queue.popleft()
            try:
                idle.conn.send(task)
            except (BrokenPipeError, EOFError, OSError):  # the process died while idle: replace it, keep the cell
                self._queue.appendleft(task)
                self._retire(idle)
                continue
            idle.task = task

    def _retire(self, slot: _Slot) -> None:
        slot.conn.close()
        slot.process.join(timeout=10)
        self._workers.pop(slot.index, None)
        if slot.process in self._processes:
            self._processes.remove(slot.process)

    def submit(self, task: CellTask) -> None:
        self._queue.append(task)
        self._dispatch()

    def next_done(self) -> CellOutcome:
        while True:
            busy = [w for w in self._workers.values() if w.task is not None]
            if not busy:
                raise RuntimeError("next_done() with no cell in flight")
            waitables: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
            ready = set(mp_wait(waitables, timeout=0.5))
            for slot in busy:
                if slot.conn not in ready and slot.process.sentinel not in ready:
                    continue
                task = slot.task
                assert task is not None
                try:
                    outcome: CellOutcome = slot.conn.recv()  # a result sent just before the process died still counts
                except (EOFError, OSError):
                    lost = self._lose(slot, task)
                    if lost is None:  # the cell is queued again, on a fresh process
                        continue
                    return lost
                slot.task = None
                self._dispatch()
                if task.key in self._losses:
                    outcome.worker["lost_before"] = self._losses.pop(task.key)
                return outcome

    def _lose(self, slot: _Slot, task: CellTask) -> CellOutcome | None:
        """The process under ``task`` is gone: replace it and retry the cell once, or fail it the second time."""
        slot.process.join(timeout=10)
        why = _lost(slot.process)
        self._retire(slot)
        losses = self._losses.setdefault(task.key, [])
        losses.append(why)
        if len(losses) < MAX_LOSSES:
            self._queue.appendleft(task)  # first in line, on a fresh process
            self._dispatch()
            return None
        self._losses.pop(task.key)
        self._dispatch()
        return CellOutcome(
            task.key,
            "failed",
            error=f"the worker process was lost {len(losses)} times under this cell ({'; '.join(losses)})",
            worker={"lost": losses},
        )

    def cancel_all(self) -> None:
        self._queue.clear()
        _stop(list(self._processes))
        for slot in list(self._workers.values()):
            self._retire(slot)
        self._processes.clear()

    def close(self) -> None:
        for slot in list(self._workers.values()):
            if slot.task is None:
                with contextlib.suppress(OSError):
                    slot.conn.send(None)
        for slot in list(self._workers.values()):
            slot.process.join(timeout=30)
        self.cancel_all()  # anything still running (close without next_done) is stopped, not waited for

    def describe(self) -> dict[str, Any]:
        return {"executor": "local", "workers": self.slots, "threads_per_worker": self._threads, "start": self._method}


RAY_CONNECT_TIMEOUT_S = 5.0
"""How long ``--address`` may take to accept a TCP connection before the replication fails (Ray itself retries
an unreachable address for many minutes)."""

SESSION_VAR = "SKEPTIC_RAY_SESSION"
"""Set in the environment of every process of a local Ray cluster Skeptic starts, so its watchdog can find them."""


def check_ray_address(address: str, timeout_s: float = RAY_CONNECT_TIMEOUT_S) -> None:
    """Raise :class:`UsageError` unless ``address`` (``HOST:PORT``, ``HOST``, ``ray://HOST:PORT``) accepts a TCP
    connection within ``timeout_s`` and answers it as Ray does (gRPC: :func:`_grpc_answer`), so a port that
    answers but is not Ray fails in one line too; ``auto`` and ``local`` are Ray's own words and are left to it."""
    if address in ("auto", "local"):
        return
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "", address
    default_port = 10001 if scheme == "ray" else 6379
    try:
        parts = urllib.parse.urlsplit("//" + rest)
        host, port = parts.hostname, parts.port or default_port
    except ValueError as exc:
        raise UsageError(f"--address {shown(address)} is not HOST:PORT ({exc})") from None
    if not host or parts.path or parts.query:
        raise UsageError(f"--address {shown(address)} is not HOST:PORT (e.g. 10.0.0.5:6379)")
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as conn:
            answer = _grpc_answer(conn, timeout_s)
    except OSError as exc:
        why = "no answer" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc)).lower()
        raise UsageError(
            f"cannot reach a Ray cluster at {shown(address)}: {why} (waited up to {timeout_s:.0f} s); start one "
            "there with `ray start --head`, or leave out --address for a local cluster"
        ) from None
    if answer is not None:
        raise UsageError(
            f"{shown(address)} answers, but not as a Ray cluster ({answer}); give the address `ray start --head` "
            "printed (its GCS port, 6379 by default, or ray://HOST:10001), or leave out --address for a local cluster"
        )


HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
"""What an HTTP/2 client sends first (RFC 9113, 3.4): the fixed preface and an empty SETTINGS frame."""


def _grpc_answer(conn: socket.socket, timeout_s: float) -> str | None:
    """``None`` if the server on ``conn`` speaks HTTP/2, as Ray's GCS and its client server do (both are gRPC);
    else what it did instead, in a few words.

    An HTTP/2 server's first frame is SETTINGS (RFC 9113, 3.4): a 9-byte header with type 4, no flags, stream 0.
    A plain TCP service answers otherwise: an echo server sends the preface back, an HTTP/1 server a status line,
    a silent one nothing within ``timeout_s``. With TLS (``RAY_USE_TLS``) the check is left to Ray."""
    if os.environ.get("RAY_USE_TLS", "0").lower() not in ("", "0", "false"):
        return None
    conn.settimeout(timeout_s)
    try:
        conn.sendall(HTTP2_PREFACE)
        head = b""
        while len(head) < 9:
            chunk = conn.recv(9 - len(head))
            if not chunk:
                break
            head += chunk
    except TimeoutError:
        return f"it sent nothing in {timeout_s:.0f} s"
    except OSError as exc:
        return f"it dropped the connection: {(exc.strerror or str(exc)).lower()}"
    if len(head) < 9:
        return "it closed the connection" if not head else f"it sent {len(head)} bytes and closed"
    if head[3] == 4 and head[4] == 0 and int.from_bytes(head[5:9], "big") & 0x7FFFFFFF == 0:
        return None
    return f"its first bytes, {head[:9]!r}, are not an HTTP/2 SETTINGS frame as gRPC sends"


class _StdoutToStderr:
    """While Ray runs, file descriptor 1 points at stderr, so nothing Ray prints (``A worker died ...``, from this
    process or a process it starts) can land in a ``--json`` document on stdout; :meth:`restore` undoes it."""

    def __init__(self) -> None:
        sys.stdout.flush()
        self._saved: int | None = os.dup(1)
        os.dup2(2, 1)

    def restore(self) -> None:
        if self._saved is None:
            return
        with contextlib.suppress(ValueError, OSError):
            sys.stdout.flush()
        os.dup2(self._saved, 1)
        os.close(self._saved)
        self._saved = None


_WATCHDOG = r"""
import os, select, signal, sys, time
driver, token = int(sys.argv[1]), sys.argv[2].encode()
mark = b"%s=%s" % (os.environ.get("SKEPTIC_WATCH_VAR", "").encode(), token)
signal.signal(signal.SIGINT, signal.SIG_IGN)

def stat(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            text = fh.read()
    except OSError:
        return None
    fields = text[text.rindex(b")") + 2 :].split()
    return int(fields[1]), fields[19]  # parent pid, start time (tells a reused pid apart)

def marked(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            return mark in fh.read().split(b"\0")
    except OSError:
        return False

since = int(stat(os.getpid())[1])
seen = {}  # pid -> start time of every process the cluster ran: the driver's descendants, and any marked one
def scan():
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (os.getpid(), driver):
            found = stat(int(entry))
            if found is not None:
                table[int(entry)] = found
    family, grew = {driver}, True
    while grew:
        grew = False
        for pid, (parent, _) in table.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    for pid, (_, start) in table.items():
        if int(start) >= since and (pid in family or marked(pid)):  # started after this watch began
            seen[pid] = start

def alive():
    return [p for p, start in seen.items() if (stat(p) or (0, None))[1] == start]

while True:  # until the driver closes the pipe or dies, however it dies
    scan()
    ready, _, _ = select.select([sys.stdin], [], [], 0.5)
    if ready and not os.read(sys.stdin.fileno(), 1024):
        break
scan()
for sig, grace in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 2.0)):  # Ray's agents ignore SIGTERM
    for pid in alive():
        try:
            os.kill(pid, sig)
        except OSError:
            pass
    deadline = time.time() + grace
    while time.time() < deadline and alive():
        time.sleep(0.1)
"""


class _RayWatchdog:
    """A small process that outlives the driver just long enough to stop the local Ray cluster it started.

    ``ray.shutdown()`` stops the cluster when the driver ends normally, but a driver killed outright (kill -9,
    the OOM killer) leaves Ray's agents (``ray::DashboardAgent``, ``ray::RuntimeEnvAgent``) and workers running.
    While the driver lives, the watchdog records every process descending from it twice a second (and any
    carrying :data:`SESSION_VAR` with this session's token: Ray's agents overwrite their environment with their
    process title, so the tree is the main record). When the pipe from the driver closes (the driver closed it
    or died), it stops every recorded process still running (SIGTERM, then SIGKILL: the agents ignore SIGTERM),
    checking each one's start time so that a reused pid is never hit. Linux only (it reads ``/proc``).
    """

    def __init__(self) -> None:
        self.token = uuid.uuid4().hex
        self._previous = os.environ.get(SESSION_VAR)
        os.environ[SESSION_VAR] = self.token
        self._proc: subprocess.Popen[bytes] | None = None
        if Path("/proc/self/environ").exists():
            env = dict(os.environ, SKEPTIC_WATCH_VAR=SESSION_VAR)
            env.pop(SESSION_VAR)  # the watchdog itself carries no token
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _WATCHDOG, str(os.getpid()), self.token],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                env=env,
                start_new_session=True,  # a Ctrl-C to the terminal's process group does not stop it first
            )

    def stop(self, timeout_s: float = 20.0) -> None:
        """Stop whatever the cluster left running and wait for the sweep; then restore the environment."""
        if self._previous is None:
            os.environ.pop(SESSION_VAR, None)
        else:
            os.environ[SESSION_VAR] = self._previous
        if self._proc is None:
            return
        assert self._proc.stdin is not None
        with contextlib.suppress(OSError):
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self._proc.kill()
        self._proc = None


class RayExecutor:
    """Cells as Ray tasks: a local cluster from ``ray.init()``, or the cluster at ``address``.

    A cell whose worker dies is retried once by Ray (``max_retries=1``); an exception inside the study is not
    retried (it would raise again). While the executor lives, stdout is redirected to stderr
    (:class:`_StdoutToStderr`); a local cluster it starts is stopped by ``ray.shutdown()`` on :meth:`close` and,
    should the driver be killed outright, by a watchdog (:class:`_RayWatchdog`). An ``address`` that does not
    accept a connection within :data:`RAY_CONNECT_TIMEOUT_S` fails at once (:func:`check_ray_address`).
    """

    name = "ray"

    def __init__(self, address: str | None, workers: int | None, device: str, max_cells: int) -> None:
        try:
            import ray
        except ImportError:
            raise UsageError("--executor ray needs Ray: pip install 'skeptic[ray]' (or pip install ray)") from None
        if device not in DEVICE_CHOICES:
            resolve_device(device)  # raises the usual one-line message
        self._ray = ray
        self._started = not ray.is_initialized()
        self._watchdog: _RayWatchdog | None = None
        self._stdout: _StdoutToStderr | None = None
        self._refs: dict[Any, int] = {}
        if self._started and address is not None:
            check_ray_address(address)
        self._stdout = _StdoutToStderr()
        try:
            if self._started:
                self._init(address, workers)
            self._plan(address, workers, device, max_cells)
        except BaseException:
            self.close()
            raise

    def _init(self, address: str | None, workers: int | None) -> None:
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        if address is None:
            options["num_cpus"] = workers or available_cores()
            # A local cluster's workers start from this process's import path (tests, a checkout).
            options["runtime_env"] = {"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in _sys_path() if p)}}
            self._watchdog = _RayWatchdog()
        sigterm = signal.getsignal(signal.SIGTERM)
        try:
            # "local" starts a new local cluster even where `ray start` left one (or its stale address file)
            self._ray.init(address=address or "local", **options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            hint = " (a cluster with token auth: set RAY_AUTH_MODE=token and its token here)" if address else ""
            raise UsageError(f"could not start or join a Ray cluster at {address or 'local'}: {exc}{hint}") from None
        finally:
            # Ray's core worker installs its own SIGTERM handler (it aborts the process); put back the one in
            # force before, so SIGTERM stops a replication like Ctrl-C (cells interrupted, the cluster shut down)
            if sigterm is not None:
                with contextlib.suppress(ValueError):  # not the main thread: nothing was installed there either
                    signal.signal(signal.SIGTERM, sigterm)

    def _plan(self, address: str | None, workers: int | None, device: str, max_cells: int) -> None:
        ray = self._ray
        self.address = address
        resources: dict[str, float] = ray.cluster_resources()
        gpus, cpus = int(resources.get("GPU", 0)), int(resources.get("CPU", 0))
        if device == "cuda" and gpus == 0:
            raise UsageError("--device cuda: the Ray cluster has no GPU (see `ray status`)")
        self.device: Device = "cuda" if device == "cuda" or (device == "auto" and gpus > 0) else "cpu"
        per_task = {"num_cpus": 1, "num_gpus": 1} if self.device == "cuda" else {"num_cpus": 1}
        capacity = gpus if self.device == "cuda" else cpus
        self.slots = max(1, min(workers or capacity, capacity or 1, max_cells))
        # a worker lost under a cell (killed, out of memory) is retried once; the study's own exceptions are not
        self._remote = ray.remote(execute_cell).options(max_retries=1, retry_exceptions=False, **per_task)

    def submit(self, task: CellTask) -> None:
        self._refs[self._remote.remote(task)] = task.key

    def next_done(self) -> CellOutcome:
        while True:
            ready, _ = self._ray.wait(list(self._refs), num_returns=1, timeout=0.5)
            if ready:
                break
        ref = ready[0]
        key = self._refs.pop(ref)
        try:
            outcome: CellOutcome = self._ray.get(ref)
        except Exception as exc:  # the task's worker died twice, or the task could not run
            first = (str(exc).strip().splitlines() or [""])[0]
            return CellOutcome(
                key, "failed", error=f"the Ray task failed (after one retry): {type(exc).__name__}: {first}"
            )
        return outcome

    def cancel_all(self) -> None:
        for ref in list(self._refs):
            with contextlib.suppress(Exception):  # already finished
                self._ray.cancel(ref, force=True)
        self._refs.clear()

    def close(self) -> None:
        try:
            if self._started and self._ray.is_initialized():
                self._ray.shutdown()
        finally:
            if self._watchdog is not None:
                self._watchdog.stop()
                self._watchdog = None
            if self._stdout is not None:
                self._stdout.restore()
                self._stdout = None

    def describe(self) -> dict[str, Any]:
        return {"executor": "ray", "address": self.address or "local cluster", "slots": self.slots}


def _sys_path() -> list[str]:
    return [os.path.abspath(p) if p else os.getcwd() for p in sys.path]


def make_executor(
    kind: str, *, address: str | None, workers: int | None, device: str, max_cells: int
) -> LocalExecutor | RayExecutor:
    """The executor named ``kind`` (``local`` or ``ray``); bad input raises :class:`UsageError`."""
    if kind == "local":
        if address is not None:
            raise UsageError("--address joins a Ray cluster: use it with --executor ray")
        return LocalExecutor(workers, device, max_cells)
    if kind == "ray":
        return RayExecutor(address, workers, device, max_cells)
    raise UsageError(f"unknown executor {kind!r}; choose one of {', '.join(EXECUTORS)}")


__all__ = [
    "EXECUTORS",
    "CellOutcome",
    "CellTask",
    "Executor",
    "LocalExecutor",
    "RayExecutor",
    "available_cores",
    "check_ray_address",
    "cuda_available",
    "execute_cell",
    "make_executor",
]
