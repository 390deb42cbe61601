"""The package's import structure (issue 27): no import circle, core never imports a study, studies import
Skeptic only through its public authoring module ``skeptic.study``, and no seed arithmetic anywhere in ``src/``.

Imports are read from the source (``ast``), not executed: a module-level import counts, one under
``if TYPE_CHECKING:`` included (a type-only circle is still a circle for a reader); an import inside a function
is a deliberate lazy import and does not.

The study-by-study lists below are pending work of the study reworks (issue 27: "each study issue of this wave
then moves its study into the shape"): a study on them is an expected failure until its rework lands, and a
study not on them must stay clean. Remove a study from a list when its rework lands.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import skeptic

PACKAGE = Path(skeptic.__file__).resolve().parent
SRC = PACKAGE.parent
STUDIES = sorted(p.name for p in (PACKAGE / "studies").iterdir() if (p / "__init__.py").is_file())

PENDING_CIRCLES = {("skeptic.studies.alignment_faking.config", "skeptic.studies.alignment_faking.questions")}
"""alignment-faking's config and questions import each other (broken at run time only by an import inside a
validator): its study rework removes it."""
PENDING_PRIVATE: set[str] = set()
"""Studies that still import ``skeptic.core.*`` (private) rather than ``skeptic.study``: none any more (every built-in
study imports Skeptic only through the public authoring module, so the boundary is tested by our own code)."""
PENDING_SEED_ARITHMETIC: set[str] = set()
"""Studies whose source still derives seeds by arithmetic: none any more (every stream is named)."""


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def top_level_imports(path: Path) -> set[str]:
    """The ``skeptic`` modules ``path`` imports outside any function (``if TYPE_CHECKING:`` blocks included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("skeptic"))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(
                        package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                    )
                if base.startswith("skeptic"):
                    found.add(base)
                    found.update(f"{base}.{a.name}" for a in node.names)
            elif isinstance(node, ast.If | ast.Try | ast.With):
                for block in ("body", "orelse", "finalbody", "handlers"):
                    for child in getattr(node, block, []):
                        visit([child] if isinstance(child, ast.stmt) else child.body)

    visit(tree.body)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in top_level_imports(path) if m in modules and m != name} for name, path in modules.items()}


def circles(edges: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """Every strongly connected group of more than one module (Tarjan), as a sorted tuple."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: set[tuple[str, ...]] = set()

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.add(tuple(sorted(group)))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return out


def without_packages(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """Drop edges into a package's ``__init__`` from its own submodules (importing ``a.b`` runs ``a`` first, which
    is how Python works, not a circle a reader must untangle)."""
    return {v: {w for w in ws if not v.startswith(w + ".")} for v, ws in edges.items()}


def test_the_circle_finder_finds_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == {("a", "b", "c")}
    assert circles({"a": {"b"}, "b": set()}) == set()


def test_no_import_circle() -> None:
    found = circles(without_packages(graph()))
    unexpected = [c for c in found if not any(set(p) <= set(c) for p in PENDING_CIRCLES)]
    assert not unexpected, f"import circles: {unexpected}"


def test_core_never_imports_a_study() -> None:
    edges = graph()
    bad = {
        v: sorted(w for w in ws if w.startswith("skeptic.studies"))
        for v, ws in edges.items()
        if v.startswith("skeptic.core")
    }
    assert not {v: ws for v, ws in bad.items() if ws}


def private_imports(study: str) -> list[str]:
    """``file: module`` for each import of Skeptic's private modules in a study's source."""
    out = []
    for path in sorted((PACKAGE / "studies" / study).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                if name.startswith("skeptic.core") or re.match(r"skeptic\._", name):
                    out.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {name}")
    return out


@pytest.mark.parametrize("study", STUDIES)
def test_a_study_imports_skeptic_only_through_the_public_module(study: str) -> None:
    found = private_imports(study)
    if study in PENDING_PRIVATE and found:
        pytest.xfail(f"pending its rework: {len(found)} private imports, e.g. {found[0]}")
    assert not found, "import these from skeptic.study instead:\n" + "\n".join(found)


SEED_ARITHMETIC = re.compile(r"\b\w*seed\b\s*[*+]\s*[\w(]|[\w)]\s*[*+]\s*(?:\w+\.)*\w*seed\b")
"""``seed * 7``, ``1000 * ctx.seed``, ``seed + 7919 * j``, ``base_seed + k``: a stream a reader must decode and that
can collide with another. Streams are named instead: ``ctx.rng("name", k)``, ``ctx.seed_for("name", k)``."""


def seed_arithmetic(root: Path) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if SEED_ARITHMETIC.search(code) and not code.lstrip().startswith(('"', "'")):
                out.append(f"{path.relative_to(PACKAGE)}:{lineno}: {line.strip()}")
    return out


def test_the_seed_pattern_sees_arithmetic_and_not_names() -> None:
    for bad in ("s = seed * 7 + k", "g = 1000 * ctx.seed", "x = seed + 7919 * (j + 1)", "r = base_seed + 3"):
        assert SEED_ARITHMETIC.search(bad), bad
    fine_lines = ("rng = ctx.rng('init', k)", "s = ctx.seed_for('data', j)", "n = n_seeds * 2", "check_seed(seed)")
    for fine in fine_lines:
        assert not SEED_ARITHMETIC.search(fine), fine


@pytest.mark.parametrize("study", STUDIES)
def test_no_seed_arithmetic_in_a_study(study: str) -> None:
    found = seed_arithmetic(PACKAGE / "studies" / study)
    if study in PENDING_SEED_ARITHMETIC and found:
        pytest.xfail(f"pending its rework: {len(found)} lines, e.g. {found[0]}")
    assert not found, "name the stream instead (ctx.rng / ctx.seed_for):\n" + "\n".join(found)


def test_no_seed_arithmetic_outside_the_studies() -> None:
    found = [f for f in seed_arithmetic(PACKAGE) if not f.startswith("studies/")]
    assert not found, "\n".join(found)
