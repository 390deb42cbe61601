"""Child processes that never outlive their driver.

A pool worker or an audit execution is started by a driver (``skeptic replicate``, ``skeptic audit``). When the
driver is killed outright (``kill -9``, the OOM killer) it cannot clean up, so each child asks the kernel to send
it SIGTERM the moment its parent dies (Linux's ``PR_SET_PDEATHSIG``; elsewhere this is a no-op). When the driver
is stopped politely (Ctrl-C, SIGTERM) it terminates the children it started itself: :func:`terminate_children`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading

PR_SET_PDEATHSIG = 1
"""``prctl`` option: the signal the kernel sends this process when its parent thread exits (linux/prctl.h)."""

_LIVE: set[subprocess.Popen[str]] = set()
_LOCK = threading.Lock()


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent dies (Linux only; a no-op elsewhere).

    Also exits at once if the parent is already gone (the race between ``fork`` and this call).
    """
    if not sys.platform.startswith("linux"):
        return
    name = ctypes.util.find_library("c")
    if name is None:
        return
    libc = ctypes.CDLL(name, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def start(args: list[str], **kwargs: object) -> subprocess.Popen[str]:
    """``subprocess.Popen(args, **kwargs)`` for a child that dies with this process and is tracked until it ends."""
    proc: subprocess.Popen[str] = subprocess.Popen(args, preexec_fn=die_with_parent, **kwargs)  # type: ignore[call-overload]
    with _LOCK:
        _LIVE.add(proc)
    return proc


def finished(proc: subprocess.Popen[str]) -> None:
    """Stop tracking ``proc`` (it has ended)."""
    with _LOCK:
        _LIVE.discard(proc)


def terminate_children(timeout_s: float = 10.0) -> int:
    """SIGTERM every tracked child still running, wait up to ``timeout_s`` for each, then SIGKILL; returns how many."""
    with _LOCK:
        live = [p for p in _LIVE if p.poll() is None]
    for proc in live:
        proc.terminate()
    for proc in live:
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return len(live)
