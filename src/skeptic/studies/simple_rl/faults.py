"""Fault catalog of the simple-rl study (filled below)."""

from skeptic.core.faults import Fault

FAULTS: tuple[Fault, ...] = ()
