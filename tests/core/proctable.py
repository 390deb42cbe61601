"""The process table read from ``/proc``, for the tests of signals and lost processes (issue 35)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path


def stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, start time) of a live process; None when it is gone or a zombie. The start time tells a reused
    pid from the process first seen under it."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "
    return (int(fields[1]), fields[19]) if fields[0] != "Z" else None


def alive(pid: int) -> bool:
    return stat(pid) is not None


def _table() -> dict[int, tuple[int, str]]:
    return {int(e.name): s for e in Path("/proc").iterdir() if e.name.isdigit() and (s := stat(int(e.name)))}


def children(pid: int) -> set[int]:
    """The live processes whose parent is ``pid``."""
    return {child for child, (parent, _) in _table().items() if parent == pid}


def descendants(root: int) -> dict[int, str]:
    """Every live process below ``root``, with its start time."""
    table = _table()
    family, grew = {root}, True
    while grew:
        grew = False
        for pid, (parent, _) in table.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    return {pid: table[pid][1] for pid in family - {root}}


def wait_for(condition: Callable[[], object], limit_s: float = 120.0) -> bool:
    """Poll ``condition`` every 0.2 s until it is true (True) or ``limit_s`` passes (False)."""
    deadline = time.time() + limit_s
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
