"""Property-based tests of the whole command line (issue 11): for any generated command line, the exit
status is 0 or 2, there is never a traceback, bad input gets exactly one line on stderr, a failing
command changes nothing on disk, and a written report refers to nothing outside itself.

The generator and the sandbox are in ``tests/cli_fuzz.py``; commands and options are discovered from
the typer app, so commands added later are covered. Most cases run in process (a few milliseconds
each); a sample is confirmed as real ``python`` processes. ``SKEPTIC_FUZZ_EXAMPLES`` sets the number of
in-process cases (default 300, about 20 s on one core).
"""

import os
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings

from tests.cli_fuzz import command_lines, commands, damaged_store_cases, has_generator, run_case, violations

EXAMPLES = int(os.environ.get("SKEPTIC_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    deadline=None,
    database=None,  # no .hypothesis directory in the repository
    derandomize=True,  # the same cases on every run, so CI is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@settings(FUZZ, max_examples=EXAMPLES)
@given(command_lines())
def test_any_command_line_keeps_the_bad_input_contract(case: tuple[list[str], str | None]) -> None:
    argv, env_store = case
    outcome = run_case(argv, env_store)
    assert violations(outcome) == [], (argv, env_store)


@pytest.mark.slow
@settings(FUZZ, max_examples=10)
@given(command_lines())
def test_a_sample_confirmed_as_real_processes(case: tuple[list[str], str | None]) -> None:
    """The same contract with a real interpreter, real argv bytes and real stdout/stderr; and the same exit
    status as in process. Command lines that would run a real study (accepted in process) are not repeated."""
    argv, env_store = case
    inprocess = run_case(argv, env_store)
    assume(not inprocess.accepted)
    assume(inprocess.code != 0 or argv[:1] in (["list"], ["runs"], ["show"], ["report"]))
    real = run_case(argv, env_store, subprocess=True)
    assert violations(real) == [], (argv, env_store, real.stderr)
    assert real.code == inprocess.code, (argv, env_store, real.stderr, inprocess.stderr)


@pytest.mark.parametrize(("damage", "argv"), damaged_store_cases(), ids=lambda v: str(v)[:60])
def test_every_command_on_a_damaged_store_says_which_file_in_one_line(damage: str, argv: list[str]) -> None:
    outcome = run_case(argv)
    assert violations(outcome) == []
    assert outcome.code == 2
    store = argv[argv.index("--store") + 1]
    assert store.removeprefix("../").split("/")[0] in outcome.stderr, outcome.stderr
    if damage in {"garbage", "truncated", "junk after a valid header", "database is a directory"}:
        assert "move it aside" in outcome.stderr


def test_every_option_has_a_generator() -> None:
    """Every parameter of every command is fuzzed by what it means (a count, a path, a study, a seed ...), not by
    the generic fallback: an option added later fails here until the fuzz knows it."""
    missing = [
        f"{name} {p.opts[0] if p.opts else p.name}"
        for name, command in sorted(commands().items())
        for p in command.params
        if not getattr(p, "is_flag", False) and not has_generator(p.name or "")
    ]
    assert missing == []


@pytest.mark.parametrize("name", ["", *sorted(commands())])
def test_the_help_of_every_command_lists_only_options_the_fuzz_knows(name: str) -> None:
    outcome = run_case([name, "--help"] if name else ["--help"])
    assert violations(outcome) == [] and outcome.code == 0 and outcome.written == []
    assert "Usage:" in outcome.stdout
    if name:
        known = {opt for p in commands()[name].params for opt in (*p.opts, *p.secondary_opts)} | {"--help"}
        shown = set(re.findall(r"(?<![\w-])(--[a-z][\w-]*)", outcome.stdout))
        assert shown <= known, shown - known


def _many(n: int, item: str = "i") -> str:
    return ",".join(str(i) if item == "i" else item for i in range(n))


HOSTILE: list[tuple[list[str], str]] = [
    # (command line, what its one error line must say): issue 35's cases, each a cap or a refusal named
    (["glitch-scan", "x" * 300], "File name too long"),
    (["glitch-scan", "../ckpt-deep"], "cap of 100"),
    (["glitch-scan", "../ckpt-fifo"], "is a FIFO, not a regular file"),
    (["glitch-scan", "../ckpt-device"], "is a device, not a regular file"),
    (["glitch-scan", "../ckpt-truncated"], "not a readable safetensors file"),
    (["glitch-scan", "../ckpt-pickle"], "refused"),
    (["glitch-scan", "../ckpt-empty"], "no *.safetensors"),
    (["glitch-scan", "../ckpt-good", "--out", "/proc/skeptic-fuzz/x.csv"], "cannot write it"),
    (["glitch-scan", "../ckpt-good", "--out", "/proc/self/skeptic-fuzz.csv"], "cannot write it"),
    (["glitch-scan", "../ckpt-good", "--out", "../afile/x.csv"], "cannot write it"),
    (["glitch-scan", "../ckpt-good", "--out", "y" * 300], "File name too long"),
    (["glitch-scan", "../ckpt-good", "--top", "99999999999999999999999"], "10000"),
    (["glitch-scan", "../ckpt-good", "--verify", "100000000000000000000"], "1000"),
    (["glitch-scan", "../ckpt-good", "--reference", _many(100_001, "1")], "cap of 100000"),
    (["run", "glitch-tokens", "--preset", "test", "--set", "scan_path=../ckpt-truncated"], "not a readable"),
    (["run", "glitch-tokens", "--preset", "test", "--set", "scan_path=../ckpt-pickle"], "refused"),
    (["run", "glitch-tokens", "--preset", "test", "--set", "scan_path=../ckpt-fifo"], "FIFO"),
    (["run", "glitch-tokens", "--preset", "test", "--set", "scan_path=../nowhere"], "no such file"),
    (["replicate", "toy-coin", "--seeds", "1000000000"], "cap of 1000 seeds"),
    (["replicate", "toy-coin", "--seeds", "9" * 30], "cap of 1000 seeds"),
    (["replicate", "toy-coin", "--vary", f"n_flips={_many(20_000)}"], "cap of 10000"),
    (
        [
            "replicate",
            "toy-coin",
            *(x for k in ("n_flips", "p_heads", "label") for x in ("--vary", f"{k}={_many(1500)}")),
        ],
        "cap of 10000",
    ),
    (["replicate", "toy-coin", "--workers", "1000000"], "cap of 256"),
    (["run", "toy-coin", "--executor", "local", "--workers", "99999999999"], "cap of 256"),
    (["audit", "toy-coin", "--mutants", "1000000000"], "cap of 10000"),
    (["audit", "toy-coin", "--mutants", "9" * 5000], "--mutants"),
    (["audit", "toy-coin", "--mutant-seed", "9" * 30], "--mutant-seed"),
    (["audit", "toy-coin", "--jobs", "1000000000"], "256"),
    (["audit", "toy-coin", "--contrasts", "--preset", "huge"], "unknown preset"),
    (["check", "toy-coin", "--check", "bogus"], "unknown check"),
    (["new", "Bad Name"], "name"),
    (["new", "fine-name", "--dir", "/proc/skeptic-fuzz"], "skeptic-fuzz"),
    (["run", "toy-coin", *(["--set", "n_flips=10"] * 600)], "cap of 1000"),
]


@pytest.mark.parametrize(("argv", "says"), HOSTILE, ids=lambda v: str(v)[:50])
def test_hostile_inputs_of_issue_35_fail_in_one_line_naming_the_cap(argv: list[str], says: str) -> None:
    outcome = run_case(argv)
    assert violations(outcome) == [], (argv[:3], outcome.stderr[-500:])
    assert outcome.code == 2 and not outcome.accepted, outcome.stdout[-300:]
    assert says in outcome.stderr, outcome.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "argv",
    [
        ["glitch-scan", "../ckpt-fifo"],
        ["glitch-scan", "../ckpt-deep", "--top", "99999999999999999999999"],
        ["replicate", "toy-coin", "--seeds", "1000000000"],
    ],
    ids=lambda v: " ".join(v)[:50],
)
def test_hostile_inputs_as_real_processes_end_in_bounded_time_and_memory(argv: list[str]) -> None:
    """A real interpreter, with the harness's subprocess timeout as a hang detector and its peak memory read."""
    outcome = run_case(argv, subprocess=True)
    assert violations(outcome) == [], outcome.stderr[-500:]
    assert outcome.code == 2 and outcome.max_rss_mb is not None
