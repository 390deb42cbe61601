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
  initialized, and macOS cannot fork safely at all, so there the processes are spawned.
- :class:`RayExecutor`: a new local cluster (``ray.init(address="local")``), or ``address`` joins a running one
  (``ray start --head`` on one node, ``ray start --address HEAD:6379`` on the others). Each cell is a
  task asking for one CPU, or one GPU where the device is ``cuda``. Every node must have the same
  Skeptic installed: a worker reports its code version and a mismatch fails that cell.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import multiprocessing
import os
import signal
import socket
import sys
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.sharedctypes import Synchronized
from typing import Any, Literal, Protocol

from skeptic.core.config import config_hash
from skeptic.core.device import DEVICE_CHOICES, Device, available_cores, cuda_available, resolve_device
from skeptic.core.errors import UsageError
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


def _init_local_worker(threads: int, gpu_counter: Synchronized[int] | None, n_gpus: int) -> None:
    """Each pool process: leave Ctrl-C to the driver, die with it, cap its threads, and (with GPUs) take one."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent()  # a driver killed outright (kill -9) leaves no worker behind
    for var in THREAD_VARS:
        os.environ[var] = str(threads)
    torch = sys.modules.get("torch")  # already imported when forked from a driver that loaded the studies
    if torch is not None:
        torch.set_num_threads(threads)
    if gpu_counter is not None and n_gpus > 0:
        with gpu_counter.get_lock():
            index = gpu_counter.value % n_gpus
            gpu_counter.value += 1
        os.environ["CUDA_VISIBLE_DEVICES"] = str(index)


class LocalExecutor:
    """A pool of ``workers`` processes on this machine (default: one per core; one per GPU on ``cuda``)."""

    name = "local"

    def __init__(self, workers: int | None, device: str, max_cells: int, start_method: str | None = None) -> None:
        self.device: Device = resolve_device(device)
        self._method = start_method or ("fork" if sys.platform == "linux" and self.device == "cpu" else "spawn")
        cores = available_cores()
        n_gpus = 0
        if self.device == "cuda":
            import torch

            n_gpus = torch.cuda.device_count()
        wanted = workers or (n_gpus if n_gpus else cores)
        self.slots = max(1, min(wanted, max_cells))
        self._threads = max(1, cores // self.slots)
        self._n_gpus = n_gpus
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[Future[CellOutcome], int] = {}

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            ctx = multiprocessing.get_context(self._method)
            counter = ctx.Value("i", 0) if self._n_gpus else None
            self._pool = ProcessPoolExecutor(
                self.slots,
                mp_context=ctx,
                initializer=_init_local_worker,
                initargs=(self._threads, counter, self._n_gpus),
            )
        return self._pool

    def submit(self, task: CellTask) -> None:
        try:
            future = self._ensure_pool().submit(execute_cell, task)
        except BrokenProcessPool:  # a worker died (killed, out of memory): its cells failed; start afresh
            self._pool = None
            future = self._ensure_pool().submit(execute_cell, task)
        self._futures[future] = task.key

    def next_done(self) -> CellOutcome:
        while True:
            done, _ = wait(list(self._futures), timeout=0.2, return_when=FIRST_COMPLETED)
            if done:
                break
        future = done.pop()
        key = self._futures.pop(future)
        try:
            return future.result()
        except Exception as exc:  # the worker process died under this cell (or one beside it)
            return CellOutcome(key, "failed", error=f"the worker process failed: {type(exc).__name__}: {exc}")

    def cancel_all(self) -> None:
        if self._pool is not None:
            processes = list((self._pool._processes or {}).values())  # the pool cannot stop running tasks itself
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(timeout=10)
            self._pool = None
        self._futures.clear()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def describe(self) -> dict[str, Any]:
        return {"executor": "local", "workers": self.slots, "threads_per_worker": self._threads, "start": self._method}


class RayExecutor:
    """Cells as Ray tasks: a local cluster from ``ray.init()``, or the cluster at ``address``."""

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
        if self._started:
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address is None:
                options["num_cpus"] = workers or available_cores()
                # A local cluster's workers start from this process's import path (tests, a checkout).
                options["runtime_env"] = {"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in _sys_path() if p)}}
            try:
                # "local" starts a new local cluster even where `ray start` left one (or its stale address file)
                ray.init(address=address or "local", **options)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                hint = " (a cluster with token auth: set RAY_AUTH_MODE=token and its token here)" if address else ""
                raise UsageError(
                    f"could not start or join a Ray cluster at {address or 'local'}: {exc}{hint}"
                ) from None
        self.address = address
        resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
        gpus, cpus = int(resources.get("GPU", 0)), int(resources.get("CPU", 0))
        if device == "cuda" and gpus == 0:
            self.close()
            raise UsageError("--device cuda: the Ray cluster has no GPU (see `ray status`)")
        self.device: Device = "cuda" if device == "cuda" or (device == "auto" and gpus > 0) else "cpu"
        per_task = {"num_cpus": 1, "num_gpus": 1} if self.device == "cuda" else {"num_cpus": 1}
        capacity = gpus if self.device == "cuda" else cpus
        self.slots = max(1, min(workers or capacity, capacity or 1, max_cells))
        self._remote = ray.remote(execute_cell).options(max_retries=0, **per_task)
        self._refs: dict[Any, int] = {}

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
        except Exception as exc:  # the task or its worker died
            return CellOutcome(key, "failed", error=f"the Ray task failed: {type(exc).__name__}: {exc}")
        return outcome

    def cancel_all(self) -> None:
        for ref in list(self._refs):
            with contextlib.suppress(Exception):  # already finished
                self._ray.cancel(ref, force=True)
        self._refs.clear()

    def close(self) -> None:
        if self._started and self._ray.is_initialized():
            self._ray.shutdown()

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
    "cuda_available",
    "execute_cell",
    "make_executor",
]
