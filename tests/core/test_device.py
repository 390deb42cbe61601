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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt exists only on Linux")
@pytest.mark.parametrize("tuned", [False, True])
def test_a_training_steps_64_mib_blocks_are_reused_without_page_faults_once_tuned(tuned: bool) -> None:
    """The behaviour the setting exists for, as a training loop sees it: allocate, touch and free a 64 MiB tensor
    six times. With glibc's defaults every round is a fresh mmap (~16k minor page faults); tuned, the heap serves
    the block again once it has settled (the first rounds may still grow the heap: a freed block of exactly the
    requested size is a few bytes short for PyTorch's aligned allocation until two freed blocks have merged)."""
    code = (
        "import resource, torch, skeptic.core.device as d\n"
        f"{'d.keep_freed_memory()' if tuned else ''}\n"
        "for _ in range(6):\n"
        "    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "    a = torch.ones(1 << 24)\n"
        "    del a\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    faults = [int(line) for line in out.split()]
    if not hasattr(ctypes.CDLL("libc.so.6"), "mallopt"):
        pytest.skip("not glibc")
    if tuned:
        assert max(faults[3:]) < 100, faults
    else:
        assert min(faults) > 10_000, faults  # 64 MiB / 4 KiB pages = 16,384


def test_keep_freed_memory_answers_false_where_there_is_no_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr("skeptic.core.device._MALLOC_TUNED", False)
    assert keep_freed_memory() is False
