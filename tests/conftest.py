"""Test-session settings that must precede the first import of torch (which the test modules import before skeptic)."""

import os

# as skeptic/__init__.py: idle OpenMP threads sleep instead of spinning (on a loaded machine spinning threads cost
# several times the CPU of the work itself); set before any test module imports torch
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
