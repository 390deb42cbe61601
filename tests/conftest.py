"""Test-session settings that must precede the first import of torch (which the test modules import before skeptic)."""

import os
import signal

# as skeptic/__init__.py: idle OpenMP threads sleep instead of spinning (on a loaded machine spinning threads cost
# several times the CPU of the work itself); set before any test module imports torch
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# The signal tests model a user's terminal, where Ctrl-C has Python's default handler. A suite started in the
# background by a non-interactive shell or under `nohup` inherits an ignored SIGINT, which would make them test that
# instead (three failed so in a CI run started with nohup); the tests that want an ignored Ctrl-C set it themselves.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
