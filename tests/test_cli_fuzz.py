"""Property-based tests of the whole command line (issue 11): for any generated command line, the exit
status is 0 or 2, there is never a traceback, bad input gets exactly one line on stderr, a failing
command changes nothing on disk, and a written report refers to nothing outside itself.

The generator and the sandbox are in ``tests/cli_fuzz.py``; commands and options are discovered from
the typer app, so commands added later are covered. Most cases run in process (a few milliseconds
each); a sample is confirmed as real ``python`` processes. ``SKEPTIC_FUZZ_EXAMPLES`` sets the number of
in-process cases (default 300, about 20 s on one core).
"""

import os

import pytest
from hypothesis import HealthCheck, assume, given, settings

from tests.cli_fuzz import command_lines, damaged_store_cases, run_case, violations

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
