"""Test hooks that deliver a stop signal where Python drops the handler's exception (issue 35).

Python runs a signal handler wherever the main thread is; inside a weakref callback (importlib runs one for
every module lock it frees, so any import can) the ``KeyboardInterrupt`` it raises is printed as "Exception
ignored in ..." and dropped. :func:`swallowed_signal` reproduces that deterministically.
"""

from __future__ import annotations

import signal
import weakref


class _Dying:
    pass


def swallowed_signal(sig: int = signal.SIGTERM) -> None:
    """Raise ``sig`` in this process from inside a weakref callback, as a signal landing mid-import is handled:
    the handler runs there (``raise_signal`` checks for signals at once) and its exception is dropped."""
    obj = _Dying()
    ref = weakref.ref(obj, lambda _ref: signal.raise_signal(sig))
    del obj  # the callback runs here
    assert ref() is None


class Once:
    """A callable that runs ``swallowed_signal(sig)`` the first time it is called (a hook for the drivers)."""

    def __init__(self, sig: int = signal.SIGTERM) -> None:
        self.sig = sig
        self.fired = False

    def __call__(self, *args: object, **kwargs: object) -> None:
        if not self.fired:
            self.fired = True
            swallowed_signal(self.sig)
