"""Process-level device settings: the allocator tuning the batched trainers rely on."""

import ctypes
import subprocess
import sys

import pytest

from skeptic.core.device import keep_freed_memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt exists only on Linux")
def test_keep_freed_memory_takes_effect_once_and_then_is_a_no_op() -> None:
    # in a fresh process, so the setting does not leak into the test run; the second call must not call mallopt
    code = (
        "import ctypes, skeptic.core.device as d;"
        "first = d.keep_freed_memory();"
        "ctypes.CDLL = None;"  # a second call that reached mallopt would raise TypeError
        "print(first, d.keep_freed_memory())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    glibc = hasattr(ctypes.CDLL("libc.so.6"), "mallopt")
    assert out == (["True", "True"] if glibc else ["False", "False"])


def test_keep_freed_memory_answers_false_where_there_is_no_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr("skeptic.core.device._MALLOC_TUNED", False)
    assert keep_freed_memory() is False
