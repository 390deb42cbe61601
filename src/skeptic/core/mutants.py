"""Mutants: generated small changes to a study's own code, to measure probe power on bugs nobody chose.

A study's fault catalog (:mod:`skeptic.core.faults`) measures how well its authors predicted their own
bugs. A mutant is a one-site change to the study's source that nobody picked: a constant, an operator,
an index, an argument order, a dropped copy. ``skeptic audit --mutants N`` runs N of them, each in a
fresh process, and classifies each like a fault (caught / silent / harmless / crashed).
**Mutation probe power** = caught / (caught + silent), with a 95% Wilson interval.

Operators (on Python's :mod:`ast`; each mutant changes one node):

=============  =================================================================================
num-const      a numeric constant: ints ±1, ×2 and //2 (|k| > 1), 0↔1; floats ×2, ×½, 0.0↔1.0
arith          ``+``↔``-``, ``*``↔``/``, ``//``→``/``, ``**``→``*``, ``%``→``//`` (also in ``x += y``)
compare        ``<``↔``<=``, ``>``↔``>=``, ``<``↔``>``, ``==``↔``!=``, ``in``↔``not in``, ``is``↔``is not``
negate         a unary minus or ``not`` dropped
bool-op        ``and``↔``or``
index          a slice bound or an index ±1 (``x[a:b]`` → ``x[a+1:b]``, ``x[i]`` → ``x[i-1]``); a bare name
               only when named like an index (``i``, ``t``, ``idx``, ``*_idx``: not a key or a mask)
swap-args      two adjacent positional arguments of a call swapped
drop-copy      ``.clone()``, ``.copy()``, ``.detach()``, ``copy.deepcopy(x)``, ``np.copy(x)`` dropped
dim            ``dim=k``/``axis=k`` → k±1; also the first positional int of a reduction (``x.sum(0)``)
swap-branch    ``if c: A else: B`` → ``if c: B else: A``; ``a if c else b`` arms; ``where(c, a, b)`` arms
drop-term      a term of a sum dropped: ``a + b`` → ``a`` or ``b``; ``a - b`` → ``a``
mean-sum       ``mean``↔``sum`` (also ``nanmean``↔``nansum``)
log-base       ``log``↔``log2``, ``log10``→``log``
drop-sort      ``sorted(x)`` → ``list(x)``; ``np.sort(x)`` → ``x``; ``m.argsort(x)`` → ``m.arange(len(x))``;
               a statement ``x.sort()`` removed
=============  =================================================================================

Why not mutmut or cosmic-ray. Both are maintained and on PyPI; their operators were read before these
were written. cosmic-ray's (``cosmic_ray/operators``, on parso trees) are ``NumberReplacer`` (±1),
``ReplaceBinaryOperator_*`` and ``ReplaceComparisonOperator_*`` (every operator by every other),
``ReplaceUnaryOperator_*``, ``AddNot``, ``ReplaceTrueWithFalse``, ``ReplaceAndWithOr``,
``ReplaceBreakWithContinue``, ``ExceptionReplacer``, ``RemoveDecorator``, ``RemoveNamedArgument`` and
``ZeroIterationForLoop``; mutmut's are the same generic kind (numbers, strings, operators, keywords, an
argument replaced by ``None``). Both are bound to their own drivers: mutmut rewrites every function behind
a trampoline and runs the project's test suite; cosmic-ray keeps a session database and its own workers.
Neither has the numerical classes that matter here (a dropped ``clone``, a changed ``dim``, ``where``
arms, ``mean``↔``sum``, ``log``↔``log2``, a removed sort, an index off by one), and neither runs "the
study, compared with its clean run". So the operators are written here on :mod:`ast`, taking cosmic-ray's
semantics for the generic ones (numbers ±1, binary and comparison operators, unary operators, ``and``/``or``)
but only the replacements a slip plausibly makes (``<``→``<=`` or ``>``, not ``<``→``is``), with no new
dependency.

Which lines. Only lines the audit's clean run executes (measured once per audit with
``sys.settrace`` over the study's own files) can hold a mutant, so every mutant could matter.
Import-time lines (module constants, class bodies, ``def`` lines and their defaults) are not
counted: the config reaches the worker already resolved, and a mutant there would mostly be a
no-op. The study's own files are its package folder (the folder of a run module named
``study.py``, as every study under ``skeptic.studies`` has) or, for a study declared in a single
module, that module. Presentation is skipped by this rule:

- files ``figures.py``, ``brief.py`` and ``faults.py`` (the fault catalog is not the study);
- functions whose name contains ``figure``, ``plot``, ``brief``, ``caption``, ``render``, ``format`` or ``fmt``;
- anything inside an f-string, or inside a call on a plotting object (a call rooted at ``ax``, ``axes``,
  ``axs``, ``fig`` or ``plt``, or to a name ending in ``Figure`` or ``subplots``).

Sampling is uniform over the mutants of the executed lines, in a fixed order, with
``random.Random(mutant_seed)``: the same code, preset and seed give the same sample.

Injection. The worker process installs a meta-path finder *before* anything imports the study, so
the mutated module is the only version that process ever sees: ``from x import f`` copies elsewhere
in the package bind the mutant too.
"""

from __future__ import annotations

import ast
import copy
import importlib.abc
import importlib.machinery
import importlib.util
import math
import random
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, FrameType, ModuleType
from typing import Any, Literal

from skeptic.core.stats import wilson_interval

OPERATORS: tuple[str, ...] = (
    "num-const",
    "arith",
    "compare",
    "negate",
    "bool-op",
    "index",
    "swap-args",
    "drop-copy",
    "dim",
    "swap-branch",
    "drop-term",
    "mean-sum",
    "log-base",
    "drop-sort",
)

SKIP_FILES = frozenset({"figures.py", "brief.py", "faults.py"})
PRESENTATION_FUNCTION_WORDS = ("figure", "plot", "brief", "caption", "render", "format", "fmt")
PLOT_ROOTS = frozenset({"ax", "axes", "axs", "fig", "plt"})
REDUCTIONS = frozenset(
    {
        "sum",
        "mean",
        "nansum",
        "nanmean",
        "std",
        "var",
        "max",
        "min",
        "argmax",
        "argmin",
        "softmax",
        "log_softmax",
        "logsumexp",
        "cumsum",
        "prod",
        "median",
        "all",
        "any",
        "norm",
        "flip",
        "unsqueeze",
        "squeeze",
    }
)
COPIES = frozenset({"clone", "copy", "detach"})
MEAN_SUM = {"mean": "sum", "sum": "mean", "nanmean": "nansum", "nansum": "nanmean"}
LOG_BASE = {"log": "log2", "log2": "log", "log10": "log"}

_ARITH: dict[type[ast.operator], tuple[type[ast.operator], ...]] = {
    ast.Add: (ast.Sub,),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Div,),
    ast.Div: (ast.Mult,),
    ast.FloorDiv: (ast.Div,),
    ast.Pow: (ast.Mult,),
    ast.Mod: (ast.FloorDiv,),
}
_COMPARE: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Lt: (ast.LtE, ast.Gt),
    ast.LtE: (ast.Lt, ast.GtE),
    ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.LtE),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}


@dataclass(frozen=True)
class Mutant:
    """One generated change: where, which operator, the snippet before and after.

    ``site`` and ``variant`` locate the change among the module's candidate sites (enumerated in a
    fixed order by :func:`sites`), so a worker process can rebuild it from the source alone.
    """

    module: str
    file: str
    """The file, relative to the study's folder's parent (``imitation/experiments.py``)."""
    line: int
    operator: str
    original: str
    mutated: str
    site: int
    variant: int

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}:{self.operator}:{self.site}.{self.variant}"

    @property
    def diff(self) -> str:
        """The change as one line: ``file:line [operator] original → mutated``."""
        return f"{self.file}:{self.line} [{self.operator}] {_short(self.original)} → {_short(self.mutated)}"

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Mutant:
        return cls(**{k: d[k] for k in cls.__dataclass_fields__})


def _short(text: str, limit: int = 100) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


# Candidate sites -------------------------------------------------------------------------------


@dataclass
class Site:
    """A node that can be mutated, and the mutated replacements for it (one per variant)."""

    node: ast.AST
    operator: str
    replacements: list[ast.AST]
    presentation: bool


def _dotted(node: ast.AST) -> list[str]:
    """``a.b.c`` -> ["a", "b", "c"]; ``a[0].b`` -> ["a", "b"]; anything else -> []."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return parts[::-1]
        else:
            return []


def _is_plot_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    parts = _dotted(node.func)
    if not parts:
        return False
    return parts[0] in PLOT_ROOTS or parts[-1].endswith("Figure") or parts[-1] == "subplots"


def _is_presentation_function(node: ast.AST) -> bool:
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    name = node.name.lower()
    return any(word in name for word in PRESENTATION_FUNCTION_WORDS)


def _num(value: float | int) -> ast.expr:
    """A constant node; a negative number as a unary minus, the way source writes it."""
    if value < 0:
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)


def _const_variants(value: int | float) -> list[int | float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        out: list[int | float] = [value + 1, value - 1]
        if abs(value) > 1:
            out += [value * 2, value // 2]
        if value == 0:
            out = [1, -1]
        if value == 1:
            out = [0, 2]
    else:
        if not math.isfinite(value):
            return []
        out = [value * 2, value / 2] if value not in (0.0, 1.0) else ([1.0] if value == 0.0 else [0.0, 2.0, 0.5])
    seen: list[int | float] = []
    for v in out:
        if v != value and v not in seen:
            seen.append(v)
    return seen


def _plus(node: ast.expr, k: int) -> ast.expr:
    """``node + k`` (``node - 1`` for k = -1), with constants folded."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return _num(node.value + k)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        if isinstance(value, int) and not isinstance(value, bool):
            return _num(-value + k)
    op: ast.operator = ast.Add() if k > 0 else ast.Sub()
    return ast.BinOp(copy.deepcopy(node), op, ast.Constant(abs(k)))


def _int_const(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        v = node.operand.value
        if isinstance(v, int) and not isinstance(v, bool):
            return -v
    return None


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str | bytes))


class _SiteFinder:
    """Enumerates the candidate sites of a module in a fixed (depth-first, source) order."""

    def __init__(self) -> None:
        self.sites: list[Site] = []
        self._owned: set[int] = set()  # constants that another operator owns (an index, a dim)

    def add(self, node: ast.AST, operator: str, replacements: Sequence[ast.AST], presentation: bool) -> None:
        unique: list[ast.AST] = []
        seen = {ast.dump(node)}
        for r in replacements:
            key = ast.dump(r)
            if key not in seen:
                seen.add(key)
                unique.append(r)
        if unique:
            self.sites.append(Site(node, operator, unique, presentation))

    def visit(self, node: ast.AST, presentation: bool = False) -> None:
        presentation = presentation or _is_presentation_function(node) or isinstance(node, ast.JoinedStr)
        presentation = presentation or _is_plot_call(node)
        self._mutations(node, presentation)
        for child in ast.iter_child_nodes(node):
            self.visit(child, presentation)

    def _mutations(self, node: ast.AST, pres: bool) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and id(node) not in self._owned:
            self.add(node, "num-const", [_num(v) for v in _const_variants(node.value)], pres)
        elif isinstance(node, ast.BinOp):
            self._binop(node, pres)
        elif isinstance(node, ast.AugAssign) and type(node.op) in _ARITH:
            augmented = [
                ast.AugAssign(copy.deepcopy(node.target), op(), copy.deepcopy(node.value))
                for op in _ARITH[type(node.op)]
            ]
            self.add(node, "arith", augmented, pres)
        elif isinstance(node, ast.Compare):
            variants: list[ast.AST] = []
            for i, op in enumerate(node.ops):
                for new in _COMPARE.get(type(op), ()):
                    ops = list(node.ops)
                    ops[i] = new()
                    variants.append(ast.Compare(copy.deepcopy(node.left), ops, copy.deepcopy(node.comparators)))
            self.add(node, "compare", variants, pres)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
            if not (isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)):
                self.add(node, "negate", [copy.deepcopy(node.operand)], pres)
        elif isinstance(node, ast.BoolOp):
            other: ast.boolop = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            self.add(node, "bool-op", [ast.BoolOp(other, copy.deepcopy(node.values))], pres)
        elif isinstance(node, ast.Subscript):
            self._subscript(node, pres)
        elif isinstance(node, ast.Call):
            self._call(node, pres)
        elif isinstance(node, ast.If) and node.orelse:
            swapped = ast.If(copy.deepcopy(node.test), copy.deepcopy(node.orelse), copy.deepcopy(node.body))
            self.add(node, "swap-branch", [swapped], pres)
        elif isinstance(node, ast.IfExp):
            arms = ast.IfExp(copy.deepcopy(node.test), copy.deepcopy(node.orelse), copy.deepcopy(node.body))
            self.add(node, "swap-branch", [arms], pres)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            if isinstance(call.func, ast.Attribute) and call.func.attr == "sort" and not call.args:
                self.add(node, "drop-sort", [ast.Pass()], pres)

    def _binop(self, node: ast.BinOp, pres: bool) -> None:
        if type(node.op) in _ARITH and not (_is_text(node.left) or _is_text(node.right)):
            variants = [
                ast.BinOp(copy.deepcopy(node.left), op(), copy.deepcopy(node.right)) for op in _ARITH[type(node.op)]
            ]
            self.add(node, "arith", variants, pres)
        if isinstance(node.op, ast.Add) and not (_is_text(node.left) or _is_text(node.right)):
            self.add(node, "drop-term", [copy.deepcopy(node.left), copy.deepcopy(node.right)], pres)
        elif isinstance(node.op, ast.Sub):
            self.add(node, "drop-term", [copy.deepcopy(node.left)], pres)

    def _subscript(self, node: ast.Subscript, pres: bool) -> None:
        sl = node.slice
        elements = list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]
        variants: list[ast.AST] = []

        def rebuild(i: int, new: ast.expr) -> ast.Subscript:
            elts = [copy.deepcopy(e) for e in elements]
            elts[i] = new
            new_slice: ast.expr = ast.Tuple(elts, ast.Load()) if isinstance(sl, ast.Tuple) else elts[0]
            return ast.Subscript(copy.deepcopy(node.value), new_slice, copy.deepcopy(node.ctx))

        for i, e in enumerate(elements):
            if isinstance(e, ast.Slice):
                for attr in ("lower", "upper"):
                    bound = getattr(e, attr)
                    if bound is None or _is_text(bound):
                        continue
                    self._own(bound)
                    for k in (1, -1):
                        new_slice = copy.deepcopy(e)
                        setattr(new_slice, attr, _plus(bound, k))
                        variants.append(rebuild(i, new_slice))
            elif _int_const(e) is not None or isinstance(e, ast.BinOp) or _looks_like_index(e):
                self._own(e)
                for k in (1, -1):
                    variants.append(rebuild(i, _plus(e, k)))
        self.add(node, "index", variants, pres)

    def _own(self, node: ast.AST) -> None:
        if isinstance(node, ast.Constant):
            self._owned.add(id(node))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
            self._owned.add(id(node.operand))

    def _call(self, node: ast.Call, pres: bool) -> None:
        parts = _dotted(node.func)
        name = (
            node.func.attr
            if isinstance(node.func, ast.Attribute)
            else node.func.id
            if isinstance(node.func, ast.Name)
            else ""
        )
        is_where = name == "where" and len(node.args) == 3
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        if not is_where and len(positional) == len(node.args) and len(node.args) >= 2:
            variants: list[ast.AST] = []
            for i in range(len(node.args) - 1):
                if ast.dump(node.args[i]) == ast.dump(node.args[i + 1]):
                    continue
                args = [copy.deepcopy(a) for a in node.args]
                args[i], args[i + 1] = args[i + 1], args[i]
                variants.append(ast.Call(copy.deepcopy(node.func), args, copy.deepcopy(node.keywords)))
            self.add(node, "swap-args", variants, pres)
        if is_where:
            args = [copy.deepcopy(a) for a in node.args]
            args[1], args[2] = args[2], args[1]
            self.add(
                node, "swap-branch", [ast.Call(copy.deepcopy(node.func), args, copy.deepcopy(node.keywords))], pres
            )
        # drop-copy
        if isinstance(node.func, ast.Attribute) and name in COPIES and not node.args and not node.keywords:
            if not (isinstance(node.func.value, ast.Name) and node.func.value.id in {"copy", "np", "numpy", "torch"}):
                self.add(node, "drop-copy", [copy.deepcopy(node.func.value)], pres)
        elif name in {"deepcopy", "copy", "clone"} and len(node.args) == 1 and len(parts) == 2:
            self.add(node, "drop-copy", [copy.deepcopy(node.args[0])], pres)
        # dim / axis
        dim_variants: list[ast.AST] = []
        for j, kw in enumerate(node.keywords):
            if kw.arg in {"dim", "axis"} and _int_const(kw.value) is not None:
                self._own(kw.value)
                for k in (1, -1):
                    kws = [copy.deepcopy(x) for x in node.keywords]
                    kws[j] = ast.keyword(kw.arg, _plus(kw.value, k))
                    dim_variants.append(ast.Call(copy.deepcopy(node.func), copy.deepcopy(node.args), kws))
        if isinstance(node.func, ast.Attribute) and name in REDUCTIONS and node.args:
            # a method call x.sum(0): the first argument is the dim (np.sum(x, 0) has it second)
            method = not (len(parts) == 2 and parts[0] in {"np", "numpy", "torch", "F", "math", "scipy"})
            dim_arg = 0 if method else 1
            if len(node.args) > dim_arg and _int_const(node.args[dim_arg]) is not None:
                self._own(node.args[dim_arg])
                for k in (1, -1):
                    args = [copy.deepcopy(a) for a in node.args]
                    args[dim_arg] = _plus(node.args[dim_arg], k)
                    dim_variants.append(ast.Call(copy.deepcopy(node.func), args, copy.deepcopy(node.keywords)))
        self.add(node, "dim", dim_variants, pres)
        # mean <-> sum, log <-> log2
        for table, op in ((MEAN_SUM, "mean-sum"), (LOG_BASE, "log-base")):
            if name in table and not (op == "log-base" and len(node.args) != 1):  # math.log(x, base) keeps its base
                func = copy.deepcopy(node.func)
                if isinstance(func, ast.Attribute):
                    func.attr = table[name]
                elif isinstance(func, ast.Name):
                    if name == "sum" or name == "log":  # the builtin sum / a bare log: only module functions
                        continue
                    func.id = table[name]
                self.add(node, op, [ast.Call(func, copy.deepcopy(node.args), copy.deepcopy(node.keywords))], pres)
        # removed sort / argsort
        if isinstance(node.func, ast.Name) and name == "sorted" and len(node.args) == 1 and not node.keywords:
            self.add(
                node, "drop-sort", [ast.Call(ast.Name("list", ast.Load()), [copy.deepcopy(node.args[0])], [])], pres
            )
        elif len(parts) == 2 and parts[0] in {"np", "numpy", "torch"} and node.args:
            if name == "sort":
                self.add(node, "drop-sort", [copy.deepcopy(node.args[0])], pres)
            elif name == "argsort":
                length = ast.Call(ast.Name("len", ast.Load()), [copy.deepcopy(node.args[0])], [])
                arange = ast.Call(ast.Attribute(ast.Name(parts[0], ast.Load()), "arange", ast.Load()), [length], [])
                self.add(node, "drop-sort", [arange], pres)


def _looks_like_index(node: ast.AST) -> bool:
    """A bare name used as a subscript is an index when it is named like one (i, j, k, idx, t, step, ...);
    any other name (``d[key]``, ``x[mask]``) is left alone, as a mapping key or a mask is the common case."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return name in {"i", "j", "k", "t", "n", "idx", "index", "step", "pos", "first", "last", "start", "end", "mid"} or (
        name.endswith(("_idx", "_index", "_pos"))
    )


def sites(tree: ast.Module) -> list[Site]:
    """Every candidate site of a parsed module, in a fixed order (the order :class:`Mutant` indexes)."""
    finder = _SiteFinder()
    finder.visit(tree)
    return finder.sites


def _node_line(node: ast.AST) -> int:
    return getattr(node, "lineno", 0)


def _snippet(node: ast.AST, source_lines: list[str]) -> str:
    """The node's source on its line when it fits on one line, else its unparsed text."""
    line, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0)
    col, end_col = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
    if line and line == end and col is not None and end_col is not None:
        text = source_lines[line - 1].encode()[col:end_col].decode(errors="replace")
        return text
    return ast.unparse(node)


def module_mutants(module: str, path: Path, label: str) -> list[Mutant]:
    """Every mutant of one module's source (presentation excluded), before the coverage filter."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    lines = source.splitlines()
    out = []
    for i, site in enumerate(sites(tree)):
        if site.presentation:
            continue
        original = _snippet(site.node, lines)
        for v, replacement in enumerate(site.replacements):
            mutated = ast.unparse(replacement) if not isinstance(replacement, ast.Pass) else "pass"
            out.append(Mutant(module, label, _node_line(site.node), site.operator, original, mutated, i, v))
    return out


def mutated_code(mutant: Mutant, path: Path) -> CodeType:
    """Compile ``path`` with ``mutant`` applied (raises ``ValueError`` if the source no longer matches)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    found = sites(tree)
    if mutant.site >= len(found) or found[mutant.site].operator != mutant.operator:
        raise ValueError(f"mutant {mutant.id}: the source of {mutant.file} changed since the mutant was drawn")
    site = found[mutant.site]
    stale = _node_line(site.node) != mutant.line or _snippet(site.node, source.splitlines()) != mutant.original
    if stale or mutant.variant >= len(site.replacements):
        raise ValueError(f"mutant {mutant.id}: the source of {mutant.file} changed since the mutant was drawn")
    target, replacement = site.node, site.replacements[mutant.variant]

    class Swap(ast.NodeTransformer):
        def visit(self, node: ast.AST) -> Any:
            if node is target:
                return ast.copy_location(copy.deepcopy(replacement), node)
            return self.generic_visit(node)

    new = ast.fix_missing_locations(Swap().visit(tree))
    return compile(new, str(path), "exec")


# The study's own files and their coverage -------------------------------------------------------


@dataclass(frozen=True)
class StudyFile:
    module: str
    path: Path
    label: str


def study_files(run_module: str) -> list[StudyFile]:
    """The files mutants may touch: the run module's package folder when the module is ``<pkg>.study``
    (the study shape), else the run module alone. Figures, briefs and fault catalogs are left out."""
    mod = sys.modules.get(run_module) or importlib.import_module(run_module)
    path = Path(mod.__file__ or "")
    package, _, leaf = run_module.rpartition(".")
    if leaf == "study" and package and (path.parent / "__init__.py").exists():
        folder = path.parent
        out = []
        for p in sorted(folder.glob("*.py")):
            if p.name in SKIP_FILES:
                continue
            name = package if p.stem == "__init__" else f"{package}.{p.stem}"
            out.append(StudyFile(name, p, f"{folder.name}/{p.name}"))
        return out
    return [StudyFile(run_module, path, path.name)]


class LineTracer:
    """Records the lines of the given files that run, with ``sys.settrace`` (and in new threads), phase by phase.

    Frames of other files get no local tracer, so the cost falls on the study's own lines only. :meth:`next_phase`
    starts a new phase (the audit's clean run marks the step from running the experiment to judging it), and
    :attr:`phases` keeps each phase's lines apart; :attr:`lines` is their union.
    """

    def __init__(self, files: Sequence[str | Path]) -> None:
        self.files = {str(Path(f).resolve()) for f in files}
        self.phases: list[dict[str, set[int]]] = [{f: set() for f in self.files}]
        self._known: dict[str, str | None] = {}

    @property
    def lines(self) -> dict[str, set[int]]:
        return {f: set().union(*(phase[f] for phase in self.phases)) for f in self.files}

    def next_phase(self) -> None:
        self.phases.append({f: set() for f in self.files})

    def _file(self, code: CodeType) -> str | None:
        name = code.co_filename
        if name not in self._known:
            try:
                resolved = str(Path(name).resolve())
            except OSError:
                resolved = name
            self._known[name] = resolved if resolved in self.files else None
        return self._known[name]

    def _global(self, frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        if event != "call":
            return None
        file = self._file(frame.f_code)
        if file is None:
            return None
        phases = self.phases

        def local(frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
            if event == "line":  # the current phase, looked up each time: a frame may outlive its phase
                phases[-1][file].add(frame.f_lineno)
            return local

        return local

    def __enter__(self) -> LineTracer:
        sys.settrace(self._global)
        threading.settrace(self._global)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type,unused-ignore]


def executed_mutants(files: Sequence[StudyFile], executed: Mapping[str, set[int] | Sequence[int]]) -> list[Mutant]:
    """The mutants whose site starts on an executed line of its file, in the fixed order.

    A site spanning several lines counts as executed when its first line ran (an ``if`` whose test ran,
    a call whose first line ran)."""
    out: list[Mutant] = []
    for f in files:
        ran = set(executed.get(str(f.path.resolve()), ()))
        out += [m for m in module_mutants(f.module, f.path, f.label) if m.line in ran]
    return out


def sample(mutants: Sequence[Mutant], n: int | Literal["all"], seed: int) -> list[Mutant]:
    """``n`` mutants drawn uniformly without replacement with ``random.Random(seed)`` (all of them for "all"),
    returned in the fixed order."""
    if n == "all" or n >= len(mutants):
        return list(mutants)
    chosen = sorted(random.Random(seed).sample(range(len(mutants)), n))
    return [mutants[i] for i in chosen]


# Injection in a worker process ------------------------------------------------------------------


class _MutantLoader(importlib.machinery.SourceFileLoader):
    def __init__(self, fullname: str, path: str, code: CodeType) -> None:
        super().__init__(fullname, path)
        self._code = code

    def get_code(self, fullname: str) -> CodeType:  # never the cached bytecode of the clean source
        return self._code


class _MutantFinder(importlib.abc.MetaPathFinder):
    def __init__(self, module: str, path: Path, code: CodeType) -> None:
        self.module, self.path, self.code = module, path, code

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.module:
            return None
        loader = _MutantLoader(fullname, str(self.path), self.code)
        locations = [str(self.path.parent)] if self.path.name == "__init__.py" else None
        return importlib.util.spec_from_file_location(
            fullname, self.path, loader=loader, submodule_search_locations=locations
        )


def install(mutant: Mutant, path: Path) -> None:
    """Make the next import of ``mutant.module`` load the mutated source; call before anything imports it."""
    if mutant.module in sys.modules:
        raise RuntimeError(f"{mutant.module} is already imported, so the mutant would not reach every caller")
    sys.meta_path.insert(0, _MutantFinder(mutant.module, path, mutated_code(mutant, path)))


# Results ----------------------------------------------------------------------------------------

MutantOutcome = Literal["caught", "silent", "harmless", "crashed"]


@dataclass
class MutantResult:
    """What one mutant did: its outcome against the clean run, as for a fault."""

    mutant: Mutant
    outcome: MutantOutcome
    failed_probes: list[str]
    changed_verdicts: list[dict[str, str]]
    detail: str
    duration_s: float
    judged_only: bool = False
    """Run as judging only (its line ran only while the clean run was judged; :mod:`skeptic.core.audit`)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "mutant": self.mutant.to_dict(),
            "id": self.mutant.id,
            "diff": self.mutant.diff,
            "outcome": self.outcome,
            "failed_probes": self.failed_probes,
            "changed_verdicts": self.changed_verdicts,
            "detail": self.detail,
            "duration_s": self.duration_s,
            "judged_only": self.judged_only,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MutantResult:
        return cls(
            Mutant.from_dict(d["mutant"]),
            d["outcome"],
            list(d["failed_probes"]),
            list(d["changed_verdicts"]),
            d["detail"],
            d["duration_s"],
            bool(d.get("judged_only", False)),
        )


@dataclass
class MutantAudit:
    """A study's mutant sample and what each mutant did."""

    requested: int | Literal["all"]
    seed: int
    candidates: int
    """Mutants on executed, non-presentation lines: the population the sample is drawn from."""
    executed_lines: int
    files: list[str]
    results: list[MutantResult] = field(default_factory=list)
    judge_check: str = ""
    """Whether mutants on lines that ran only while judging ran as judging only: ``passed`` (the check that judging
    the clean measurements alone reproduces the clean run), or why not (:mod:`skeptic.core.audit`)."""

    @property
    def judged_only(self) -> int:
        """How many mutants ran as judging only."""
        return sum(r.judged_only for r in self.results)

    def count(self, outcome: str) -> int:
        return sum(r.outcome == outcome for r in self.results)

    @property
    def counts(self) -> dict[str, int]:
        return {o: self.count(o) for o in ("caught", "silent", "harmless", "crashed")}

    @property
    def verdict_changing(self) -> int:
        """caught + silent: the mutants that failed a probe or changed a verdict, which ``probe_power`` is measured on
        (the issue's definition; a caught mutant need not have moved a verdict). See ``moved_verdicts`` for the
        stricter count."""
        return self.count("caught") + self.count("silent")

    @property
    def moved_verdicts(self) -> tuple[int, int]:
        """(caught, all) among the mutants whose raw verdicts moved (silent ones, and caught ones that also moved a
        verdict): the bar's "verdict-changing mutants". A caught mutant that only failed a probe is not among them."""
        moved = [r for r in self.results if r.outcome in ("caught", "silent") and r.changed_verdicts]
        return sum(r.outcome == "caught" for r in moved), len(moved)

    @property
    def power_on_moved_verdicts(self) -> tuple[float, float, float] | None:
        """(caught / moved, 95% Wilson low, high) over ``moved_verdicts``: the share of verdict-moving mutants a probe
        caught; None when no mutant moved a verdict."""
        caught, moved = self.moved_verdicts
        return wilson_interval(caught, moved) if moved else None

    @property
    def probe_power(self) -> tuple[float, float, float] | None:
        """(caught / (caught + silent), 95% Wilson low, high); None when no mutant changed anything."""
        n = self.verdict_changing
        return wilson_interval(self.count("caught"), n) if n else None

    @property
    def silent(self) -> list[MutantResult]:
        return [r for r in self.results if r.outcome == "silent"]

    def summary(self) -> str:
        """One line: the figure with its interval and the count behind it."""
        power, c = self.probe_power, self.counts
        head = (
            "mutation probe power n/a (no mutant changed a verdict or failed a probe)"
            if power is None
            else f"mutation probe power {power[0]:.0%} (95% CI {power[1]:.0%}-{power[2]:.0%})"
            f" = caught / (caught + silent) = {c['caught']}/{self.verdict_changing}"
        )
        (caught_moved, moved), strict = self.moved_verdicts, self.power_on_moved_verdicts
        if strict is not None:
            head += (
                f"; on the {moved} that moved a verdict {strict[0]:.0%} (95% CI {strict[1]:.0%}-{strict[2]:.0%})"
                f" = {caught_moved}/{moved}"
            )
        return (
            f"{head}; {len(self.results)} mutants (seed {self.seed}, of {self.candidates} on"
            f" {self.executed_lines} executed lines): silent {c['silent']}, harmless {c['harmless']},"
            f" crashed {c['crashed']}"
        )

    def to_dict(self) -> dict[str, Any]:
        power, strict = self.probe_power, self.power_on_moved_verdicts
        caught_moved, moved = self.moved_verdicts
        return {
            "requested": self.requested,
            "seed": self.seed,
            "candidates": self.candidates,
            "executed_lines": self.executed_lines,
            "files": self.files,
            "counts": self.counts,
            "verdict_changing": self.verdict_changing,
            "probe_power": None if power is None else power[0],
            "probe_power_ci": None if power is None else [power[1], power[2]],
            "moved_verdict": moved,
            "moved_verdict_caught": caught_moved,
            "power_on_moved_verdicts": None if strict is None else strict[0],
            "power_on_moved_verdicts_ci": None if strict is None else [strict[1], strict[2]],
            "summary": self.summary(),
            "judge_check": self.judge_check,
            "judged_only": self.judged_only,
            "results": [r.to_dict() for r in self.results],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MutantAudit:
        return cls(
            d["requested"],
            d["seed"],
            d["candidates"],
            d["executed_lines"],
            list(d["files"]),
            [MutantResult.from_dict(r) for r in d["results"]],
            str(d.get("judge_check", "")),
        )


def iter_operators(mutants: Sequence[Mutant]) -> Iterator[tuple[str, int]]:
    """(operator, count) in :data:`OPERATORS` order, for a summary of a sample."""
    for op in OPERATORS:
        n = sum(m.operator == op for m in mutants)
        if n:
            yield op, n


__all__ = [
    "OPERATORS",
    "LineTracer",
    "Mutant",
    "MutantAudit",
    "MutantResult",
    "StudyFile",
    "executed_mutants",
    "install",
    "module_mutants",
    "mutated_code",
    "sample",
    "sites",
    "study_files",
]
