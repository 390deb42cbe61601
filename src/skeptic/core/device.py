"""Devices: where a run's PyTorch work goes (``ctx.device``: ``"cpu"`` or ``"cuda"``).

``--device auto`` (the default) picks ``cuda`` when PyTorch sees a GPU and ``cpu`` otherwise;
``--device cuda`` without a GPU is a user's mistake (one line, exit 2). The device is stored in a
run's provenance, not in its config hash: a study gives the same results on either device up to
floating-point tolerance (reduction order and TF32/cuDNN kernels differ, so the last digits can),
so a stored CPU run is reused for a CUDA request of the same config and vice versa; ``--force``
reruns it on the device asked for.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from skeptic.core.errors import UsageError

Device = Literal["cpu", "cuda"]
DEVICE_CHOICES = ("auto", "cpu", "cuda")


def _nvidia_device_nodes() -> bool:
    """On Linux a CUDA GPU shows up as ``/dev/nvidia0``... (``/dev/dxg`` under WSL)."""
    return bool(glob.glob("/dev/nvidia[0-9]*") or glob.glob("/dev/dxg"))


def cuda_available() -> bool:
    """Whether PyTorch can use a CUDA GPU; answered without importing torch where there is plainly none."""
    if sys.platform == "darwin":
        return False
    if sys.platform.startswith("linux") and not _nvidia_device_nodes():
        return False  # importing torch (seconds) could only answer "no"
    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


def resolve_device(requested: str) -> Device:
    """``auto`` -> ``cuda`` when available, else ``cpu``; ``cuda`` without a GPU raises :class:`UsageError`."""
    if requested not in DEVICE_CHOICES:
        raise UsageError(f"unknown device {requested!r}; choose one of {', '.join(DEVICE_CHOICES)}")
    if requested == "cpu":
        return "cpu"
    available = cuda_available()
    if requested == "cuda" and not available:
        raise UsageError("--device cuda: PyTorch sees no CUDA GPU here (use --device auto or cpu)")
    return "cuda" if available else "cpu"


def device_provenance(device: Device) -> dict[str, str]:
    """What to store about the device: its kind and, for a GPU, its name."""
    info: dict[str, str] = {"device": device}
    if device == "cuda":
        import torch

        info["device_name"] = torch.cuda.get_device_name(torch.cuda.current_device())
    return info


def available_cores() -> int:
    """The cores this process may use (its CPU affinity where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run a block with PyTorch's intra-op thread count set to ``n``, then restore it.

    Studies of many tiny models run on one thread: intra-op threads only add contention (they spin-wait on a
    loaded machine), and a second core is better spent on another study (``skeptic run --executor local``).
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


_MALLOC_TUNED = False
_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4  # glibc's mallopt parameter numbers (malloc.h)


def keep_freed_memory() -> bool:
    """Let this process reuse the large blocks it frees instead of handing them back to the kernel (glibc only).

    PyTorch on the CPU allocates every activation and gradient afresh at each training step. glibc serves blocks
    above its mmap threshold (128 KiB to 32 MiB, adjusted as it goes) straight from the kernel and returns them
    on free, so each step pays for page faults and for the kernel zeroing those pages again: 16,385 faults to
    touch a fresh 64 MiB tensor, a whole step's worth for the batched CNN, whose activations are ~66 MiB. Turning
    mmap off (``M_MMAP_MAX = 0``) and raising the trim threshold to 1 GiB serves every block from the heap and keeps
    freed ones there for the next step (0 faults once the heap has settled, after two or three steps;
    ``benchmarks/random_labels_bench.py`` measures the speed-up).
    The cost: a process keeps up to 1 GiB of freed memory instead of returning it (random-labels ``quick``: peak
    RSS 767 MB instead of 683 MB). Calls after the first do nothing; returns whether the setting is in effect
    (``False`` off glibc, e.g. macOS).
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return True
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = bool(libc.mallopt(_M_MMAP_MAX, 0) == 1 and libc.mallopt(_M_TRIM_THRESHOLD, 1 << 30) == 1)
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    _MALLOC_TUNED = ok
    return ok
