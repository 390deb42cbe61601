"""Mutants: each operator on a tiny module, the coverage and presentation filters, the seeded sample,
injection before import, and a toy study whose probes catch a share of mutants worked out by hand."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from skeptic.core.mutants import (
    LineTracer,
    Mutant,
    MutantAudit,
    StudyFile,
    executed_mutants,
    module_mutants,
    mutated_code,
    sample,
    study_files,
)
from skeptic.core.stats import wilson_interval


def _mutants(tmp_path: Path, source: str, name: str = "m.py") -> list[Mutant]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return module_mutants(path.stem, path, name)


def _pairs(tmp_path: Path, source: str, operator: str) -> list[tuple[str, str]]:
    return [(m.original, m.mutated) for m in _mutants(tmp_path, source) if m.operator == operator]


OPERATOR_CASES = [
    ("num-const", "y = x * 3\n", [("3", "4"), ("3", "2"), ("3", "6"), ("3", "1")]),
    ("num-const", "y = x + 0\n", [("0", "1"), ("0", "-1")]),
    ("num-const", "y = x + 1\n", [("1", "0"), ("1", "2")]),
    ("num-const", "y = x * 0.1\n", [("0.1", "0.2"), ("0.1", "0.05")]),
    ("num-const", "y = x * 1.0\n", [("1.0", "0.0"), ("1.0", "2.0"), ("1.0", "0.5")]),
    ("arith", "y = a / b\n", [("a / b", "a * b")]),
    ("arith", "y = a ** b\n", [("a ** b", "a * b")]),
    ("arith", "a += b\n", [("a += b", "a -= b")]),
    ("compare", "y = a < b\n", [("a < b", "a <= b"), ("a < b", "a > b")]),
    ("compare", "y = a == b\n", [("a == b", "a != b")]),
    ("negate", "y = -a\n", [("-a", "a")]),
    ("bool-op", "y = a and b\n", [("a and b", "a or b")]),
    (
        "index",
        "y = x[1:n]\n",
        [("x[1:n]", "x[2:n]"), ("x[1:n]", "x[0:n]"), ("x[1:n]", "x[1:n + 1]"), ("x[1:n]", "x[1:n - 1]")],
    ),
    ("index", "y = x[:, 0]\n", [("x[:, 0]", "x[:, 1]"), ("x[:, 0]", "x[:, -1]")]),
    ("index", "y = x[i]\n", [("x[i]", "x[i + 1]"), ("x[i]", "x[i - 1]")]),
    ("index", "y = d[key]\n", []),  # a mapping key or a mask is not an index
    ("swap-args", "y = f(a, b, c)\n", [("f(a, b, c)", "f(b, a, c)"), ("f(a, b, c)", "f(a, c, b)")]),
    ("drop-copy", "y = w.clone()\n", [("w.clone()", "w")]),
    ("drop-copy", "y = w.detach().copy()\n", [("w.detach().copy()", "w.detach()"), ("w.detach()", "w")]),
    ("drop-copy", "y = copy.deepcopy(w)\n", [("copy.deepcopy(w)", "w")]),
    ("dim", "y = x.sum(dim=-1)\n", [("x.sum(dim=-1)", "x.sum(dim=0)"), ("x.sum(dim=-1)", "x.sum(dim=-2)")]),
    ("dim", "y = x.mean(0)\n", [("x.mean(0)", "x.mean(1)"), ("x.mean(0)", "x.mean(-1)")]),
    ("dim", "y = np.max(x, 1)\n", [("np.max(x, 1)", "np.max(x, 2)"), ("np.max(x, 1)", "np.max(x, 0)")]),
    ("swap-branch", "y = a if c else b\n", [("a if c else b", "b if c else a")]),
    ("swap-branch", "y = np.where(c, a, b)\n", [("np.where(c, a, b)", "np.where(c, b, a)")]),
    (
        "swap-branch",
        "if c:\n    y = 1\nelse:\n    y = 2\n",
        [("if c:\n    y = 1\nelse:\n    y = 2", "if c:\n    y = 2\nelse:\n    y = 1")],
    ),
    ("drop-term", "y = a + b\n", [("a + b", "a"), ("a + b", "b")]),
    ("drop-term", "y = a - b\n", [("a - b", "a")]),
    ("mean-sum", "y = x.mean()\n", [("x.mean()", "x.sum()")]),
    ("mean-sum", "y = np.nansum(x)\n", [("np.nansum(x)", "np.nanmean(x)")]),
    ("log-base", "y = torch.log(p)\n", [("torch.log(p)", "torch.log2(p)")]),
    ("log-base", "y = np.log10(p)\n", [("np.log10(p)", "np.log(p)")]),
    ("log-base", "y = math.log(p, 2)\n", []),  # a log with its own base keeps it
    ("drop-sort", "y = sorted(xs)\n", [("sorted(xs)", "list(xs)")]),
    ("drop-sort", "y = np.sort(xs)\n", [("np.sort(xs)", "xs")]),
    ("drop-sort", "y = np.argsort(xs)\n", [("np.argsort(xs)", "np.arange(len(xs))")]),
    ("drop-sort", "xs.sort()\n", [("xs.sort()", "pass")]),
]


@pytest.mark.parametrize(("operator", "source", "expected"), OPERATOR_CASES)
def test_each_operator_on_a_tiny_module(tmp_path: Path, operator: str, source: str, expected: list) -> None:
    assert _pairs(tmp_path, source, operator) == expected


def test_every_operator_is_exercised() -> None:
    from skeptic.core.mutants import OPERATORS

    assert {case[0] for case in OPERATOR_CASES} == set(OPERATORS)


def test_an_index_constant_and_a_dim_belong_to_their_operator_not_to_num_const(tmp_path: Path) -> None:
    ops = {m.operator for m in _mutants(tmp_path, "y = x[0].sum(axis=1)\n")}
    assert ops == {"index", "dim", "mean-sum"}


def test_text_is_never_mutated(tmp_path: Path) -> None:
    assert _mutants(tmp_path, 'y = f"{x + 1:.3f}" + "a"\nz = "b" + "c"\n') == []


def test_a_mutated_module_computes_the_mutated_thing(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("def f(a, b):\n    return a - b\n")
    (swap,) = [m for m in module_mutants("m", path, "m.py") if m.operator == "arith"]
    namespace: dict = {}
    exec(mutated_code(swap, path), namespace)
    assert namespace["f"](5, 3) == 8
    assert swap.diff == "m.py:2 [arith] a - b → a + b"
    path.write_text("def f(a, b):\n    return a * b\n")  # the source changed since the mutant was drawn
    with pytest.raises(ValueError, match="changed"):
        mutated_code(swap, path)


PRESENTATION = """\
def compute(x):
    return x * 2

def make_figure(x):
    return x * 3

def draw(ax, x):
    ax.plot(x * 4)
    return x * 5
"""


def test_presentation_is_skipped(tmp_path: Path) -> None:
    """Functions named like figures/plots/formatting, and calls on plotting objects, hold no mutants."""
    mutants = _mutants(tmp_path, PRESENTATION)
    assert {m.line for m in mutants} == {2, 9}  # not make_figure (5), not ax.plot (8)


def test_study_files_leave_figures_briefs_and_faults_out() -> None:
    files = study_files("skeptic.studies.imitation.study")
    names = {f.label for f in files}
    assert "imitation/experiments.py" in names and "imitation/claims.py" in names
    assert not names & {"imitation/figures.py", "imitation/brief.py", "imitation/faults.py"}
    assert {f.module for f in files} >= {"skeptic.studies.imitation.experiments", "skeptic.studies.imitation"}
    assert [f.label for f in study_files("tests.toy_mutant_study")] == ["toy_mutant_study.py"]


COVERED = """\
def f(x):
    if x > 0:
        return x * 2
    return x - 3

def g(x):
    return x + 4
"""


def test_only_executed_lines_hold_mutants(tmp_path: Path) -> None:
    path = tmp_path / "cov.py"
    path.write_text(COVERED)
    namespace: dict = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # import-time lines are not counted
    with LineTracer([path]) as tracer:
        namespace["f"](1)
    assert tracer.lines[str(path.resolve())] == {2, 3}
    files = [StudyFile("cov", path, "cov.py")]
    mutants = executed_mutants(files, tracer.lines)
    assert {m.line for m in mutants} == {2, 3}
    assert {m.line for m in module_mutants("cov", path, "cov.py")} == {2, 3, 4, 7}


def test_the_sample_is_reproducible_from_the_seed(tmp_path: Path) -> None:
    population = _mutants(tmp_path, "".join(f"y{i} = x * {i + 2} + a[{i}:n]\n" for i in range(20)))
    assert len(population) > 100
    first, again, other = sample(population, 10, 7), sample(population, 10, 7), sample(population, 10, 8)
    assert first == again and first != other and len(first) == 10 and len(set(first)) == 10
    assert first == sorted(first, key=population.index)  # in the fixed order
    assert sample(population, "all", 7) == population and sample(population, 10_000, 7) == population


def test_a_mutant_reaches_from_imports_in_other_modules(tmp_path: Path) -> None:
    """The finder is installed before anything imports the package: ``from pkg.a import f`` binds the mutant."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f(x):\n    return x + 1\n")
    (pkg / "b.py").write_text("from pkg.a import f\n\ndef g(x):\n    return f(x)\n")
    (mutant,) = [m for m in module_mutants("pkg.a", pkg / "a.py", "pkg/a.py") if m.mutated == "x - 1"]
    doc = json.dumps(json.dumps(mutant.to_dict()))
    script = (
        "import json, sys; from pathlib import Path; from skeptic.core.mutants import Mutant, install\n"
        f"install(Mutant.from_dict(json.loads({doc})), Path({str(pkg / 'a.py')!r}))\n"
        "import pkg.b; print(pkg.b.g(10))"
    )
    src = str(Path(__file__).resolve().parents[2] / "src")
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": f"{tmp_path}:{src}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "9"


def test_the_mutant_audit_document_round_trips() -> None:
    from skeptic.core.mutants import MutantResult

    m = Mutant("pkg.a", "pkg/a.py", 3, "arith", "a - b", "a + b", 4, 0)
    results = [MutantResult(m, o, [], [], "", 1.0) for o in ("caught", "caught", "silent", "harmless", "crashed")]
    audit = MutantAudit(5, 3, 40, 12, ["pkg/a.py"], results)
    p, lo, hi = wilson_interval(2, 3)
    assert audit.probe_power == (p, lo, hi) and audit.verdict_changing == 3
    doc = json.loads(json.dumps(audit.to_dict(), allow_nan=False))
    assert doc["probe_power"] == pytest.approx(2 / 3) and doc["probe_power_ci"] == [lo, hi]
    assert "mutation probe power 67% (95% CI" in doc["summary"] and "2/3" in doc["summary"]
    assert MutantAudit.from_dict(doc) == audit
    assert MutantAudit(5, 3, 0, 0, [], []).probe_power is None


# The toy study: outcomes worked out by hand (tests/toy_mutant_study.py) ---------------------------

TOY_OUTCOMES = {
    "np.sum(xs) → np.mean(xs)": "caught",  # the numpy total falls to the mean: the sums disagree
    "0.0 → 1.0": "caught",  # the loop's sum starts at 1
    "s += x → s -= x": "caught",  # the loop's sum is negative
    "ProbeOutcome(bool(np.isclose(m['total'], m['loop_total'])), '') → ProbeOutcome('', ...)": "caught",
    "Estimate.from_se(m['total'] / m['n'], 0.01) → swapped": "silent",  # the estimate is 0.01 ± 0.98
    "m['total'] / m['n'] → m['total'] * m['n']": "silent",  # the mean becomes ~5e5: not replicated
    "0.01 → 0.02": "harmless",  # the interval widens but stays in the band
    "0.01 → 0.005": "harmless",
    "np.isclose(a, b) → np.isclose(b, a)": "harmless",
}


@pytest.mark.slow
def test_a_toy_study_whose_probes_catch_a_known_share(tmp_path: Path) -> None:
    import tests.toy_mutant_study  # noqa: F401  (registers toy-sum)
    from skeptic.core import get_study
    from skeptic.core.audit import audit

    result = audit(get_study("toy-sum"), "test", mutants="all", mutant_seed=0, faults=False)
    assert result.mutants is not None and result.faults == []
    got = [(r.mutant.line, r.mutant.operator, r.outcome) for r in result.mutants.results]
    assert got == [
        (31, "mean-sum", "caught"),
        (35, "num-const", "caught"),
        (37, "arith", "caught"),
        (42, "swap-args", "silent"),
        (42, "arith", "silent"),
        (42, "num-const", "harmless"),
        (42, "num-const", "harmless"),
        (46, "swap-args", "caught"),
        (46, "swap-args", "harmless"),
    ], "\n".join(f"{r.mutant.diff}: {r.outcome} {r.detail}" for r in result.mutants.results)
    assert len(TOY_OUTCOMES) == len(got)
    assert result.mutants.counts == {"caught": 4, "silent": 2, "harmless": 3, "crashed": 0}
    assert result.mutants.probe_power == wilson_interval(4, 6)
    assert result.mutants.candidates == 9  # import-time lines (the declaration, the config) hold none
    silent = {r.mutant.mutated for r in result.mutants.silent}
    assert silent == {"Estimate.from_se(0.01, m['total'] / m['n'])", "m['total'] * m['n']"}
    assert [c["claim"] for r in result.mutants.silent for c in r.changed_verdicts] == ["half", "half"]
    # lines 42 (the claim's measure) and 46 (the probe) ran only while the clean run was judged: those six mutants
    # ran as judging only, on the clean measurements; the three in the experiment (31, 35, 37) ran the whole study
    assert result.mutants.judge_check == "passed"
    assert [r.mutant.line for r in result.mutants.results if r.judged_only] == [42, 42, 42, 42, 46, 46]


def test_judging_only_mutants_get_the_outcomes_of_whole_executions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same sample run with every mutant as a whole execution (SKEPTIC_AUDIT_JUDGE_ONLY=0) gives every mutant the
    same outcome, failed probes and changed verdicts as with judging-only executions."""
    import tests.toy_mutant_study  # noqa: F401  (registers toy-sum)
    from skeptic.core import get_study
    from skeptic.core.audit import audit

    fast = audit(get_study("toy-sum"), "test", mutants="all", mutant_seed=0, faults=False)
    monkeypatch.setenv("SKEPTIC_AUDIT_JUDGE_ONLY", "0")
    whole = audit(get_study("toy-sum"), "test", mutants="all", mutant_seed=0, faults=False)
    assert fast.mutants is not None and whole.mutants is not None
    assert whole.mutants.judged_only == 0 and whole.mutants.judge_check.startswith("off")
    assert fast.mutants.judged_only == 6

    def seen(a: Any) -> list[tuple[str, str, list[str], list[dict[str, str]]]]:
        return [(r.mutant.id, r.outcome, r.failed_probes, r.changed_verdicts) for r in a.mutants.results]

    assert seen(fast) == seen(whole)


def test_judging_only_is_off_when_judging_alone_does_not_reproduce_the_clean_run() -> None:
    """A study whose probe reads state its experiment left in a module (not the measurements) cannot be judged
    apart from its experiment: the check fails and every mutant runs the whole study."""
    import tests.toy_impure_study  # noqa: F401  (registers toy-impure)
    from skeptic.core import get_study
    from skeptic.core.audit import audit

    result = audit(get_study("toy-impure"), "test", mutants="all", mutant_seed=0, faults=False)
    assert result.mutants is not None
    assert result.mutants.judge_check.startswith("off (judging the clean measurements alone did not reproduce")
    assert "ran-here" in result.mutants.judge_check
    assert result.mutants.judged_only == 0 and result.mutants.results


def _toy_mutant_doc() -> dict:
    """An audit document with a mutant sample and no faults (``--mutants N --no-faults``)."""
    from skeptic.core.mutants import MutantResult

    silent = Mutant("tests.toy_study", "toy_study.py", 59, "arith", "x / n", "x * n <script>", 3, 0)
    caught = Mutant("tests.toy_study", "toy_study.py", 54, "mean-sum", "flips.sum()", "flips.mean()", 1, 0)
    changed = [{"claim": "fair", "clean": "replicated", "faulty": "inconclusive"}]
    results = [
        MutantResult(silent, "silent", [], changed, "", 1.0),
        MutantResult(caught, "caught", ["simulation"], [], "", 1.0),
        MutantResult(caught, "caught", ["simulation"], [], "", 1.0),
    ]
    mutants = MutantAudit(3, 5, 39, 27, ["toy_study.py"], results)
    return {
        "study": "toy-coin",
        "preset": "test",
        "seed": 0,
        "config": {},
        "code_version": "v",
        "clean_verdicts": {"fair": "replicated"},
        "clean_failed_probes": [],
        "unstable": [],
        "faults": [],
        "counts": {"caught": 0, "silent": 0, "harmless": 0, "crashed": 0},
        "probe_power": None,
        "caught_share": None,
        "clean_duration_s": 1.0,
        "duration_s": 3.0,
        "jobs": 1,
        "mutants": mutants.to_dict(),
    }


def test_the_report_leads_with_the_mutation_figure_and_lists_silent_mutants(tmp_path: Path) -> None:
    import tests.toy_study  # noqa: F401  (registers toy-coin)
    from skeptic.core import Store, get_study, runner
    from skeptic.report import write_report

    store = Store(tmp_path / "store")
    runner.run("toy-coin", preset="test", store=store)
    store.start_audit(
        audit_id="audit-m", study="toy-coin", preset="test", seed=0, config={}, code_version="v", provenance={}
    )
    store.complete_audit("audit-m", _toy_mutant_doc())
    record = store.latest_audit("toy-coin")
    assert record is not None and record.result is not None
    assert record.result["mutants"]["counts"] == {"caught": 2, "silent": 1, "harmless": 0, "crashed": 0}
    write_report(store, tmp_path / "report", [get_study("toy-coin")])
    html = (tmp_path / "report" / "toy-coin.html").read_text()
    _, lo, hi = wilson_interval(2, 3)
    figure = f"Mutation probe power 67% (95% interval {100 * lo:.0f}–{100 * hi:.0f}%)"
    assert figure in html and "= 2/3 generated mutants" in html and "mutant seed 5" in html
    assert "toy_study.py:59 [arith] x / n → x * n &lt;script&gt;" in html and "<script>" not in html
    assert "fair (replicated → inconclusive)" in html
    assert '<table class="audit">' not in html  # no fault ran, so no fault table
    index = (tmp_path / "report" / "index.html").read_text()
    assert "mutation probe power 67%</b> (2/3 generated mutants)" in index
    assert "mutation probe power 67%** (2/3 generated mutants)" in (tmp_path / "report" / "index.md").read_text()
    md = (tmp_path / "report" / "toy-coin.md").read_text()
    strict = "Of the 1 that moved a verdict, probes caught 0 (0%, 95% interval"
    assert strict in html and strict in md
    assert figure in md and "- `toy_study.py:59 [arith] x / n → x * n <script>`: fair (replicated → inconclusive)" in md


def test_audit_command_rejects_a_bad_mutant_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tests.toy_study  # noqa: F401
    from tests.core.test_audit import _cli

    for bad, message in (("0", "positive count or 'all', not 0"), ("lots", "not 'lots'")):
        code, stdout = _cli(
            "audit", "toy-coin", "--mutants", bad, "--store", str(tmp_path / "s"), monkeypatch=monkeypatch
        )
        lines = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(lines) == 1 and message in lines[0], lines
        assert not (tmp_path / "s").exists() and stdout == ""
    code, _ = _cli("audit", "toy-coin", "--no-faults", "--store", str(tmp_path / "s"), monkeypatch=monkeypatch)
    assert code == 2 and "--no-faults leaves nothing to audit" in capsys.readouterr().err


@pytest.mark.slow
def test_audit_command_prints_the_mutation_figure_and_silent_mutants_as_diffs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tests.toy_mutant_study  # noqa: F401
    from skeptic.core import Store
    from tests.core.test_audit import _cli

    args = ("audit", "toy-sum", "--mutants", "all", "--no-faults", "--json", "--jobs", "2")
    code, stdout = _cli(*args, "--store", str(tmp_path / "s"), monkeypatch=monkeypatch)
    assert code == 0  # silent mutants measure the probes; they do not fail the command
    doc = json.loads(stdout)
    assert doc["mutants"]["counts"] == {"caught": 4, "silent": 2, "harmless": 3, "crashed": 0}
    shown = capsys.readouterr().err
    assert "mutation probe power 67% (95% CI" in shown and "= caught / (caught + silent) = 4/6" in shown
    assert "SILENT toy_mutant_study.py:42 [arith] m[\"total\"] / m[\"n\"] → m['total'] * m['n']" in shown
    record = Store(tmp_path / "s").get_audit(doc["audit_id"])
    assert record is not None and record.result is not None and record.result["mutants"] == doc["mutants"]


def this_weeks_mutant_study(names: list[str], today: datetime.date | None = None) -> str:
    """The built-in study whose mutant sample CI runs this ISO week (``SKEPTIC_MUTANT_STUDY`` overrides it): every
    study's sample runs within nine weeks of CI runs, at the cost of one audit per run."""
    chosen = os.environ.get("SKEPTIC_MUTANT_STUDY", "")
    if chosen:
        return chosen
    week = (today or datetime.date.today()).isocalendar().week
    return sorted(names)[week % len(names)]


def test_the_rotation_visits_every_study() -> None:
    names = ["c", "a", "b"]
    start = datetime.date(2026, 1, 5)  # a Monday
    weeks = {this_weeks_mutant_study(names, start + datetime.timedelta(weeks=k)) for k in range(3)}
    assert weeks == {"a", "b", "c"}


@pytest.mark.slow
def test_a_real_study_runs_a_rotating_mutant_sample_without_a_crashed_audit() -> None:
    """CI's small sample: 3 mutants (seed 0) of one built-in study at its ``test`` preset, a different study each
    week. The audit itself must not fail, the clean runs must agree, and every mutant must reach the worker (a
    mutant that raises is an outcome; one that cannot be injected is a bug in the engine)."""
    from skeptic import load_studies
    from skeptic.core import get_study
    from skeptic.core.audit import audit

    builtin = [s.name for s in load_studies() if s.run.__module__.startswith("skeptic.studies.")]
    spec = get_study(this_weeks_mutant_study(builtin))
    result = audit(spec, "test", mutants=3, mutant_seed=0, faults=False)
    assert result.mutants is not None and result.stable, (spec.name, result.unstable)
    assert len(result.mutants.results) == 3 and result.mutants.candidates >= 50, spec.name
    broken = [r.detail for r in result.mutants.results if "could not be injected" in r.detail]
    assert not broken, (spec.name, broken)


def test_a_mutant_whose_measure_raises_is_a_crash_not_a_silent_verdict() -> None:
    from skeptic.core.audit import Judged, _Done, classify_mutant
    from skeptic.core.claims import ProbeResult

    m = Mutant("pkg.a", "pkg/a.py", 3, "swap-args", "f(m, 'x')", "f('x', m)", 4, 0)
    probes = [ProbeResult("p", "", True, "")]
    clean = Judged(probes, {"c1": "replicated", "c2": "replicated"})
    reason = "the measurement could not be made (TypeError: string indices must be integers)"
    raised = Judged(probes, {"c1": "inconclusive", "c2": "replicated"}, raised={"c1": reason})
    result = classify_mutant(m, clean, _Done(raised, None, 1.0))
    assert result.outcome == "crashed" and "TypeError" in result.detail
    wrong = Judged(probes, {"c1": "inconclusive", "c2": "not_replicated"}, raised={"c1": reason})
    assert classify_mutant(m, clean, _Done(wrong, None, 1.0)).outcome == "silent"  # c2 moved with no error
    failed = Judged(
        [ProbeResult("p", "", False, "")], {"c1": "inconclusive", "c2": "replicated"}, raised={"c1": reason}
    )
    assert classify_mutant(m, clean, _Done(failed, None, 1.0)).outcome == "caught"


def test_power_on_moved_verdicts_counts_only_mutants_that_moved_a_verdict() -> None:
    """A caught mutant that only failed a probe is in ``probe_power`` (caught / (caught + silent)) but not among the
    verdict-moving mutants the bar is stated on."""
    from skeptic.core.mutants import MutantResult

    m = Mutant("pkg.a", "pkg/a.py", 3, "arith", "a - b", "a + b", 4, 0)
    moved = [{"claim": "c", "from": "replicated", "to": "not_replicated"}]
    results = [
        MutantResult(m, "caught", ["p"], moved, "", 1.0),
        MutantResult(m, "caught", ["p"], [], "", 1.0),
        MutantResult(m, "caught", ["p"], [], "", 1.0),
        MutantResult(m, "silent", [], moved, "", 1.0),
        MutantResult(m, "harmless", [], [], "", 1.0),
    ]
    audit = MutantAudit(5, 3, 40, 12, ["pkg/a.py"], results)
    assert audit.probe_power == wilson_interval(3, 4)
    assert audit.moved_verdicts == (1, 2) and audit.power_on_moved_verdicts == wilson_interval(1, 2)
    doc = audit.to_dict()
    assert doc["moved_verdict"] == 2 and doc["moved_verdict_caught"] == 1
    assert doc["power_on_moved_verdicts"] == pytest.approx(0.5)
    assert "on the 2 that moved a verdict 50%" in doc["summary"] and "= 1/2" in doc["summary"]
    assert MutantAudit(5, 3, 0, 0, [], results[1:3]).power_on_moved_verdicts is None
