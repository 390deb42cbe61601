"""Issue 11, case by case: damaged and read-only stores, report destinations, numbers and ids at the
edge, text that is not UTF-8, markup in the report, and a report written while a run is being stored."""

import dataclasses
import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import Store, get_study, run
from skeptic.core.config import MAX_DEPTH, SEED_MAX, check_seed, parse_assignment
from skeptic.core.errors import UsageError
from skeptic.core.store import DB_NAME, RESERVE_NAME, StoreError
from skeptic.core.study import Brief
from skeptic.report import ReportError, markdown_to_html, write_report
from tests.cli_fuzz import external_refs, run_case, snapshot, violations
from tests.test_cli import skeptic

ROOT = Path(__file__).resolve().parents[1]

# Root ignores permission bits; dropping the capabilities that let it do so makes read-only mean read-only.
AS_UNPRIVILEGED = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"] if os.geteuid() == 0 else []
needs_setpriv = pytest.mark.skipif(
    os.geteuid() == 0 and shutil.which("setpriv") is None, reason="running as root without setpriv"
)


def unprivileged(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SKEPTIC_RESULTS"}
    env["PYTHONPATH"] = str(ROOT / "src")
    return subprocess.run(
        [*AS_UNPRIVILEGED, sys.executable, "-m", "skeptic", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("skeptic: error: "), proc.stderr
    return lines[0]


# ---------------------------------------------------------------------------------------------------------
# Stores
# ---------------------------------------------------------------------------------------------------------


def test_a_damaged_store_is_named_and_moving_it_aside_recovers(tmp_path: Path) -> None:
    store = tmp_path / "results"
    store.mkdir()
    (store / DB_NAME).write_bytes(b"\x00garbage" * 1000)
    before = snapshot(tmp_path)
    line = one_error_line(skeptic("runs", "--store", str(store), cwd=tmp_path))
    assert str(store / DB_NAME) in line and "move it aside" in line
    assert snapshot(tmp_path) == before
    # the documented recovery: move the file aside, and the store works again (a fresh one)
    (store / DB_NAME).rename(store / f"{DB_NAME}.damaged")
    proc = skeptic("runs", "--store", str(store), cwd=tmp_path)
    assert proc.returncode == 0 and "no runs stored yet" in proc.stdout


def test_quick_check_finds_damage_inside_a_file_with_a_sound_header(tmp_path: Path) -> None:
    result = run("toy-coin", preset="test", store=tmp_path)
    conn = sqlite3.connect(tmp_path / DB_NAME)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()  # the last connection folds the WAL into the file and removes it
    data = bytearray((tmp_path / DB_NAME).read_bytes())
    data[page_size + 8 : 3 * page_size] = b"\xa5" * (2 * page_size - 8)  # the pages after the schema page
    (tmp_path / DB_NAME).write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged"):
        Store(tmp_path).get(result.run_id)
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_NAME, RESERVE_NAME]  # no -wal/-shm left behind


def test_a_truncated_store_is_caught_from_its_header(tmp_path: Path) -> None:
    run("toy-coin", preset="test", store=tmp_path)
    data = (tmp_path / DB_NAME).read_bytes()
    (tmp_path / DB_NAME).write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreError, match="truncated"):
        Store(tmp_path).runs()


def test_a_sqlite_file_of_another_program_is_not_taken_for_a_store(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        conn.execute("CREATE TABLE runs (id INTEGER, name TEXT)")
    with pytest.raises(StoreError, match="not a Skeptic store"):
        Store(tmp_path).runs()
    with pytest.raises(StoreError, match="not a Skeptic store"):
        run("toy-coin", preset="test", store=tmp_path)


@needs_setpriv
def test_a_read_only_store_can_be_read_but_not_written(tmp_path: Path) -> None:
    result = run("toy-coin", preset="test", store=tmp_path / "store")
    (tmp_path / "store" / DB_NAME).chmod(0o444)
    (tmp_path / "store").chmod(0o555)
    try:
        before = snapshot(tmp_path)
        runs = unprivileged("runs", "--store", "store", cwd=tmp_path)
        assert runs.returncode == 0 and result.run_id in runs.stdout, runs.stderr
        show = unprivileged("show", result.run_id, "--store", "store", cwd=tmp_path)
        assert show.returncode == 0 and "completed" in show.stdout, show.stderr
        line = one_error_line(unprivileged("run", "goodhart", "--preset", "test", "--store", "store", cwd=tmp_path))
        assert "read-only" in line and DB_NAME in line
        assert snapshot(tmp_path) == before
    finally:
        (tmp_path / "store").chmod(0o755)


def test_text_that_is_not_utf8_in_a_store_is_shown_not_raised(tmp_path: Path) -> None:
    result = run("toy-coin", preset="test", store=tmp_path)
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        conn.execute("UPDATE runs SET error = CAST(x'41ff42' AS TEXT) WHERE run_id = ?", (result.run_id,))
    record = Store(tmp_path).get(result.run_id)
    assert record is not None and record.error == "A\ufffdB"


# ---------------------------------------------------------------------------------------------------------
# Report destinations
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("out", "why"),
    [
        ("../afile", "exists and is not a directory"),
        ("../afile/sub", "is a file, not a directory"),
        ("x" * 300, "File name too long"),
        ("../report-figfile", "where the figures directory goes"),
        ("../report-indexdir", "where a page of the report goes"),
        ("/dev/null", "exists and is not a directory"),
        ("/proc/skeptic-report", "cannot write the report"),
    ],
)
def test_a_report_that_cannot_be_written_writes_nothing(out: str, why: str) -> None:
    outcome = run_case(["report", "--out", out, "--store", "../store-good"])
    assert violations(outcome) == [] and outcome.code == 2
    assert why in outcome.stderr


@needs_setpriv
def test_a_report_in_a_read_only_directory_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "locked").mkdir(mode=0o555)
    try:
        before = snapshot(tmp_path)
        line = one_error_line(unprivileged("report", "--out", "locked/rep", "--store", "store", cwd=tmp_path))
        assert "not writable" in line
        assert snapshot(tmp_path) == before
    finally:
        (tmp_path / "locked").chmod(0o755)


def test_a_report_goes_into_new_parents_or_replaces_an_old_one_keeping_other_files() -> None:
    fresh = run_case(["report", "--out", "new/nested/rep", "--store", "store-good"])
    assert fresh.code == 0 and "+work/new/nested/rep/toy-coin.html" in fresh.written
    assert not [p for p in fresh.written if ".skeptic-report-" in p]
    again = run_case(["report", "--out", "../report-old", "--store", "../store-good"])
    assert again.code == 0, again.stderr
    assert "~report-old/index.html" in again.written and "+report-old/toy-coin.html" in again.written
    assert not [p for p in again.written if "notes.txt" in p or ".skeptic-report-" in p]


@pytest.mark.parametrize("existing", [False, True])
def test_a_failure_while_writing_leaves_no_part_of_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    run("toy-coin", preset="test", store=tmp_path / "store")
    out = tmp_path / "out" / "rep"
    if existing:
        out.mkdir(parents=True)
        (out / "index.html").write_text("the old report")
    before = snapshot(tmp_path)
    real_write, calls = Path.write_bytes, []

    def full_disk(self: Path, data: bytes) -> int:
        calls.append(self)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(ReportError, match="No space left on device"):
        write_report(Store(tmp_path / "store"), out, [get_study("toy-coin")])
    assert len(calls) == 3
    assert snapshot(tmp_path) == before


def test_a_report_written_while_a_run_is_being_stored(tmp_path: Path) -> None:
    """Reports taken throughout another process's run (started, running, completing) all succeed, and
    the last one shows the completed run."""
    code = (
        "import tests.toy_study, skeptic.core as c;"
        f"c.run('toy-coin', preset='test', overrides={{'sleep_s': 2.0}}, store={str(tmp_path / 'store')!r})"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    store, seen, reports = Store(tmp_path / "store"), set(), 0
    deadline = time.time() + 120
    while time.time() < deadline:
        done = proc.poll() is not None
        write_report(store, tmp_path / "rep", [get_study("toy-coin")])
        reports += 1
        seen |= {r.status for r in Store(tmp_path / "store").runs()}
        if done:
            break
        time.sleep(0.05)
    assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    assert reports >= 3 and "running" in seen and "completed" in seen
    (record,) = Store(tmp_path / "store").runs()
    assert record.run_id in (tmp_path / "rep" / "toy-coin.html").read_text()


# ---------------------------------------------------------------------------------------------------------
# Numbers, ids and text at the edge
# ---------------------------------------------------------------------------------------------------------


def test_seeds_are_bounded_to_what_every_generator_and_sqlite_take(tmp_path: Path) -> None:
    assert check_seed(0) == 0 and check_seed(SEED_MAX) == SEED_MAX == 2**32 - 1
    for bad in (-1, 2**32, 2**63, 2**64 - 1, 10**5000, True, 1.0):
        with pytest.raises(UsageError, match="from 0 to 4294967295"):
            check_seed(bad)
    top = run("toy-coin", preset="test", seed=SEED_MAX, store=tmp_path)
    stored = Store(tmp_path).get(top.run_id)
    assert stored is not None and stored.seed == SEED_MAX
    for seed in ("4294967296", "18446744073709551615", "9" * 5000):
        outcome = run_case(["run", "toy-coin", "--seed", seed])
        assert violations(outcome) == [] and outcome.code == 2 and "--seed" in outcome.stderr


def test_set_values_are_bounded_in_size_digits_and_depth() -> None:
    with pytest.raises(UsageError, match="at most 4300 digits"):
        parse_assignment("n_flips=" + "9" * 5000)
    with pytest.raises(UsageError, match="at most 10000 characters, got 200000"):
        parse_assignment("label=" + "[" * 100_000 + "]" * 100_000)
    with pytest.raises(UsageError, match=f"nested at most {MAX_DEPTH} deep, got 4000 levels"):
        parse_assignment("label=" + "[" * 4000 + "]" * 4000)
    with pytest.raises(UsageError, match="at most 10000 characters"):
        parse_assignment("label=" + "x" * 10_001)
    assert parse_assignment("label=" + "[" * MAX_DEPTH + "]" * MAX_DEPTH)[1] is not None
    assert parse_assignment('label="[[[[" is text')[1] == '"[[[[" is text'


def test_run_ids_are_bounded_and_a_prefix_has_no_wildcards(tmp_path: Path) -> None:
    result = run("toy-coin", preset="test", store=tmp_path)
    store = Store(tmp_path)
    assert store.get(result.run_id[:6]) is not None
    assert store.get(result.run_id[:5] + "_") is None and store.get("%") is None  # LIKE would have matched
    for bad in ("x" * 60_000, "%", "a b", "é"):
        outcome = run_case(["show", bad, "--store", "store-good"])
        assert violations(outcome) == [] and outcome.code == 2 and "a run id is 1 to 128 characters" in outcome.stderr


def test_arguments_that_are_not_utf8_get_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SKEPTIC_RESULTS"}
    proc = subprocess.run(
        [sys.executable, "-m", "skeptic", "show", b"\xff\xfe".decode("utf-8", "surrogateescape")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "not valid UTF-8" in one_error_line(proc)
    assert list(tmp_path.iterdir()) == []


def test_output_the_terminal_cannot_encode_is_escaped_not_raised(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SKEPTIC_RESULTS"} | {"PYTHONIOENCODING": "ascii"}
    proc = subprocess.run(
        [sys.executable, "-m", "skeptic", "show", "nope", "--store", "résultats"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "r\\xe9sultats" in one_error_line(proc)


def test_an_internal_error_is_one_line_unless_debugging(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import skeptic.cli

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(skeptic.cli, "load_studies", broken)
    outcome = run_case(["list"])
    assert outcome.code == 1 and outcome.exception is None
    assert (
        outcome.stderr.count("\n") == 1
        and "internal error, a bug in Skeptic (ZeroDivisionError: a bug)" in outcome.stderr
    )
    monkeypatch.setenv("SKEPTIC_DEBUG", "1")
    assert "ZeroDivisionError" in (run_case(["list"]).exception or "")


# ---------------------------------------------------------------------------------------------------------
# Markup
# ---------------------------------------------------------------------------------------------------------

MARKUP = (
    "[a link](http://127.0.0.1:9/a) ![an image](http://127.0.0.1:9/i.png) <http://127.0.0.1:9/auto> "
    '<img src="http://127.0.0.1:9/raw.png"> [ref]\n\n[ref]: http://127.0.0.1:9/ref'
)


def test_markdown_never_makes_links_or_images() -> None:
    html = str(markdown_to_html("**bold** and `code` " + MARKUP))
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert external_refs(html) == [] and "<a " not in html and "<img" not in html
    assert "![an image](http://127.0.0.1:9/i.png)" in html  # shown as the text it is


def test_a_path_or_label_interpolated_into_a_brief_reaches_the_page_as_text(tmp_path: Path) -> None:
    """A study's `found` text that quotes user strings (a store path, a model name) cannot put an element
    on the page, and no page can load anything from the network (its Content-Security-Policy)."""
    store_dir = tmp_path / "[s](http://127.0.0.1:9/s) ![p](http://127.0.0.1:9/p.png)"

    def found(result: object) -> str:
        label = result.measurements["label"]  # type: ignore[attr-defined]
        return f"Ran with label `{label}` and {label}, stored in {store_dir}."

    base = get_study("toy-coin")
    spec = dataclasses.replace(base, name="toy-markup", brief=dataclasses.replace(base.brief, found=found))
    assert isinstance(spec.brief, Brief)
    run(spec, preset="test", overrides={"label": "x` " + MARKUP + " `y"}, store=store_dir)
    write_report(Store(store_dir), tmp_path / "rep", [spec])
    for page in (tmp_path / "rep").glob("*.html"):
        html = page.read_text()
        assert external_refs(html) == [], page.name
        assert "Content-Security-Policy" in html and "default-src 'none'; img-src data:" in html
    html = (tmp_path / "rep" / "toy-markup.html").read_text()
    assert "<img src=" not in html.replace('<img alt="counts" src="data:image/png', "")
    assert f"stored in {store_dir}." in html and "&lt;img src=" in html and "![an image](http://127" in html
