"""Child processes that never outlive their driver.

A pool worker or an audit execution is started by a driver (``skeptic replicate``, ``skeptic audit``). When the
driver is killed outright (``kill -9``, the OOM killer) it cannot clean up, so each child asks the kernel to send
it SIGTERM the moment its parent dies (Linux's ``PR_SET_PDEATHSIG``; elsewhere this is a no-op). When the driver
is stopped politely (Ctrl-C, SIGTERM) it terminates the children it started itself: :func:`terminate_children`.
"""

from __future__ import annotations

import _thread
import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import ClassVar

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


# --- Ctrl-C and SIGTERM that cannot be swallowed ---------------------------------------------------------------

REDELIVER_S = 1.0
"""How long after a stop signal the run must be seen handling its ``KeyboardInterrupt`` before it is raised again."""

REDELIVERY_SIGNAL = signal.SIGURG
"""The signal that re-delivers a swallowed interrupt to the main thread: its default action is to do nothing, so
one that arrives after the handlers are restored is harmless (a repeated SIGTERM would then kill the process)."""


class _Interrupts:
    """Process-wide state of :func:`stop_signals_as_interrupt` (signal handlers are process-wide too)."""

    depth = 0
    generation = 0
    pending: int | None = None  # the stop signal whose KeyboardInterrupt the run has not yet been seen handling
    previous: ClassVar[dict[int, object]] = {}


def _handling_interrupt() -> bool:
    """Whether the code the handler interrupted is handling a ``KeyboardInterrupt`` (an ``except`` or ``finally``
    block or an ``__exit__`` on its way up, directly or as the cause of another exception): it is being acted on."""
    exc = sys.exc_info()[1]
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _on_stop_signal(signum: int, frame: object) -> None:
    """SIGINT, SIGTERM or a re-delivery: raise ``KeyboardInterrupt``, unless one is already being handled.

    Python runs a signal handler wherever the main thread is, including inside a weakref callback or a ``__del__``
    (an import runs such callbacks), where the exception is printed as "ignored" and dropped: the run would go on
    as if nothing happened. So the handler records the signal, and a helper thread re-delivers it every
    :data:`REDELIVER_S` seconds until a re-delivery finds the ``KeyboardInterrupt`` being handled (the run is
    stopping: marking its rows, stopping its children) or the guarded block ends. A signal that lands while the
    interrupt is being handled is not raised again, so the clean-up it started is not cut short.
    """
    if _handling_interrupt():
        _Interrupts.pending = None  # acknowledged: the stop is under way
        return
    if signum == REDELIVERY_SIGNAL:
        if _Interrupts.pending is None:
            return  # a late re-delivery, or a SIGURG meant for nobody
        signum = _Interrupts.pending
    elif _Interrupts.pending is None:
        _Interrupts.pending = signum
        _start_redelivery(_Interrupts.generation)
    raise KeyboardInterrupt


def _redeliver(main: int, generation: int) -> None:
    """The helper thread: re-send the interrupt to the main thread until it is acknowledged or the block ends."""
    with contextlib.suppress(ValueError, OSError):  # the stop signals go to the main thread, never here
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, REDELIVERY_SIGNAL})
    while True:
        time.sleep(REDELIVER_S)
        if _Interrupts.pending is None or _Interrupts.generation != generation:
            return
        try:
            signal.pthread_kill(main, REDELIVERY_SIGNAL)
        except (OSError, ValueError):  # the main thread is gone: the process is ending
            return


def _start_redelivery(generation: int) -> None:
    # ``_thread`` rather than ``threading``: this runs inside a signal handler, which may have interrupted the main
    # thread while it held one of ``threading``'s own locks
    main = threading.main_thread().ident
    assert main is not None
    _thread.start_new_thread(_redeliver, (main, generation))


@contextlib.contextmanager
def stop_signals_cancel_asyncio() -> Iterator[None]:
    """Within the block, a stop signal cancels an ``asyncio`` run (``asyncio.Runner``, which anyio and Inspect use)
    the way Python's own Ctrl-C does, instead of raising ``KeyboardInterrupt`` wherever the event loop happens to be.

    ``asyncio.Runner`` installs its graceful Ctrl-C handler only where SIGINT has Python's default handler: the first
    Ctrl-C cancels the main task, every task runs its clean-up, and ``KeyboardInterrupt`` is raised when the run
    ends; a second Ctrl-C raises at once. :func:`stop_signals_as_interrupt`'s handler instead raises inside whichever
    callback or task step the loop is running; that can leave a task that never finishes its cancellation, and the
    Runner's close then waits for it forever, while every later signal is taken as "already stopping" (seen in a test: a
    Ctrl-C during Inspect's eval hung the process). So inside this block SIGINT gets Python's default handler back
    and SIGTERM is passed on as a SIGINT. Outside the main thread, or where :func:`stop_signals_as_interrupt` has
    not taken SIGINT over (an ignored Ctrl-C stays ignored), this does nothing.
    """
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is not (
        _on_stop_signal
    ):
        yield
        return

    def _sigterm_as_sigint(signum: int, frame: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)

    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    previous_term = signal.signal(signal.SIGTERM, _sigterm_as_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous_int)
        signal.signal(signal.SIGTERM, previous_term)


def raise_if_interrupted() -> None:
    """Raise ``KeyboardInterrupt`` if a stop signal arrived and its interrupt has not been seen handled (it was
    swallowed); a check for the ends of guarded work, where no re-delivery can arrive any more."""
    if _Interrupts.pending is not None and threading.current_thread() is threading.main_thread():
        raise KeyboardInterrupt


@contextlib.contextmanager
def stop_signals_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM stops the work like Ctrl-C, and neither can be swallowed (see
    :func:`_on_stop_signal`): the block ends in ``KeyboardInterrupt`` within about :data:`REDELIVER_S` seconds of
    the signal, wherever it landed. SIGINT is taken over only where Python's default Ctrl-C handler is in force
    (an ignored Ctrl-C, as in a pool worker or under ``nohup``, stays ignored). Blocks nest; outside the main
    thread this does nothing (signal handlers belong to the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    outermost = _Interrupts.depth == 0
    if outermost:
        _Interrupts.generation += 1
        _Interrupts.pending = None
        wanted = [signal.SIGTERM, REDELIVERY_SIGNAL]
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            wanted.append(signal.SIGINT)
        _Interrupts.previous = {sig: signal.signal(sig, _on_stop_signal) for sig in wanted}
    _Interrupts.depth += 1
    try:
        yield
        raise_if_interrupted()  # the interrupt was swallowed and the block ended before a re-delivery
    finally:
        _Interrupts.depth -= 1
        if outermost:
            _Interrupts.generation += 1  # the helper thread, if any, stops
            _Interrupts.pending = None
            for sig, previous in _Interrupts.previous.items():
                signal.signal(sig, previous)  # type: ignore[arg-type]
            _Interrupts.previous = {}
