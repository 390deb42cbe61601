"""Finding studies: the ``skeptic.studies`` entry-point group, Skeptic's own studies included.

A package declares its studies in its ``pyproject.toml``, the way pytest finds ``pytest11`` plugins and
inspect_ai finds tasks::

    [project.entry-points."skeptic.studies"]
    birthday = "birthday_study.study"        # a module holding one Study, or "module:attribute"

Skeptic's own nine studies are declared the same way in Skeptic's ``pyproject.toml``; :data:`BUILTIN` repeats
those lines (a test keeps the two equal) and is what the running code uses for them, so that a source checkout
run with ``PYTHONPATH`` (no installed metadata, or metadata from an older install) still finds them.

Registration is lazy: an entry point is loaded (its module imported, which declares the study) only when its
study is named (:func:`find`) or when every study is listed (:func:`load_all`). Importing a facade such as
``skeptic.goodhart`` loads nothing here.

Failure rules:
- two entry points that declare one name are a clash: naming that study, or listing all, raises a
  :class:`~skeptic.core.errors.UsageError` (one line, exit status 2 from the CLI);
- a plugin that fails to load (import error, no study, a study under another name) is skipped with a one-line
  warning on stderr naming its package, and never breaks the other studies; naming it is a usage error;
- one of Skeptic's own studies that fails to load is a bug in Skeptic and raises.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from importlib import metadata
from types import ModuleType
from typing import TYPE_CHECKING, Any

from skeptic.core.errors import UsageError

if TYPE_CHECKING:
    from skeptic.core.study import Study

GROUP = "skeptic.studies"
OWN_PACKAGE = "skeptic"

BUILTIN: dict[str, str] = {
    "goodhart": "skeptic.studies.goodhart.study:run",
    "random-labels": "skeptic.studies.random_labels.study:run",
    "alignment-faking": "skeptic.studies.alignment_faking.study:run",
    "llc": "skeptic.studies.llc.study:run",
    "superposition": "skeptic.studies.superposition.study:run",
    "mup": "skeptic.studies.mup.study:run",
    "imitation": "skeptic.studies.imitation.study:run",
    "simple-rl": "skeptic.studies.simple_rl.study:run",
    "glitch-tokens": "skeptic.studies.glitch_tokens.study:run",
}
"""Skeptic's own entry points, in the order ``skeptic list`` and the report show them (the same lines as
``[project.entry-points."skeptic.studies"]`` in pyproject.toml)."""


@dataclass(frozen=True)
class Entry:
    """One declared study: its name, ``module`` or ``module:attribute``, and the package that declares it."""

    name: str
    value: str
    package: str

    @property
    def builtin(self) -> bool:
        return self.package == OWN_PACKAGE


_index: dict[str, list[Entry]] | None = None
_loaded: dict[str, Study[Any]] = {}
_broken: dict[str, str] = {}


def installed_entries() -> list[Entry]:
    """The ``skeptic.studies`` entry points of every installed distribution (read from metadata, nothing imported)."""
    out = []
    for ep in metadata.entry_points(group=GROUP):
        dist = getattr(ep, "dist", None)
        package = dist.name if dist is not None else "?"
        out.append(Entry(ep.name, ep.value, package))
    return out


def index() -> dict[str, list[Entry]]:
    """Every declared study name and the entry points that declare it, Skeptic's own first (in :data:`BUILTIN`
    order), then the plugins' by name.

    Skeptic's own entries are read from :data:`BUILTIN`, the running source's copy of its pyproject lines, rather
    than from installed metadata: a source checkout on ``PYTHONPATH``, or an editable install whose metadata
    predates a moved or added study, then still loads the studies the running code has."""
    global _index
    if _index is None:
        entries = [e for e in installed_entries() if not e.builtin]
        entries += [Entry(name, value, OWN_PACKAGE) for name, value in BUILTIN.items()]
        order = {name: i for i, name in enumerate(BUILTIN)}
        entries.sort(key=lambda e: (not e.builtin, order.get(e.name, len(order)), e.name, e.package))
        grouped: dict[str, list[Entry]] = {}
        for e in entries:
            same = grouped.setdefault(e.name, [])
            if all((x.value, x.package) != (e.value, e.package) for x in same):
                same.append(e)
        _index = grouped
    return _index


def refresh() -> None:
    """Forget what was read and loaded, so the next call reads the installed metadata again (after an install)."""
    global _index
    _index = None
    _loaded.clear()
    _broken.clear()


def names() -> list[str]:
    """Every declared study name (nothing imported)."""
    return list(index())


def _clash(name: str, entries: list[Entry]) -> UsageError:
    who = " and ".join(f"{e.package} ({e.value})" for e in entries)
    return UsageError(f"study name {name!r} is declared by {who}: uninstall one of them or rename its entry point")


def _study_in(obj: Any, entry: Entry) -> Study[Any]:
    from skeptic.core.study import Study

    if isinstance(obj, Study):
        found = obj
    elif isinstance(obj, ModuleType):
        studies = [v for v in vars(obj).values() if isinstance(v, Study)]
        named = [s for s in studies if s.name == entry.name] or studies
        if len({id(s) for s in named}) != 1:
            raise LookupError(f"module {obj.__name__} holds {len(named)} studies; name one as 'module:attribute'")
        found = named[0]
    else:
        raise TypeError(f"{entry.value} is a {type(obj).__name__}, not a study declared with @study")
    if found.name != entry.name:
        raise LookupError(f"the entry point {entry.name!r} loads a study named {found.name!r}")
    return found


def _load(entry: Entry) -> Study[Any]:
    from skeptic.core.study import register_study as register

    module, _, attr = entry.value.partition(":")
    obj: Any = importlib.import_module(module.strip())
    for part in attr.strip().split(".") if attr.strip() else []:
        obj = getattr(obj, part)
    found = _study_in(obj, entry)
    register(found)
    return found


def warn(entry: Entry, error: BaseException) -> None:
    """The one-line warning for a plugin that could not be loaded."""
    detail = " ".join(f"{type(error).__name__}: {error}".split())
    print(
        f"skeptic: warning: skipped study {entry.name!r} from package {entry.package!r}: {detail}",
        file=sys.stderr,
    )


def find(name: str) -> Study[Any] | None:
    """The study declared under ``name``, loading its entry point on first use; ``None`` if nothing declares it.

    Raises :class:`UsageError` for a clash or for a plugin that failed to load.
    """
    entries = index().get(name)
    if not entries:
        return None
    if len(entries) > 1:
        raise _clash(name, entries)
    if name in _loaded:
        return _loaded[name]
    if name in _broken:
        raise UsageError(_broken[name])
    entry = entries[0]
    if entry.builtin:
        _loaded[name] = _load(entry)
        return _loaded[name]
    try:
        _loaded[name] = _load(entry)
    except Exception as e:
        warn(entry, e)
        detail = " ".join(f"{type(e).__name__}: {e}".split())
        _broken[name] = f"study {name!r} from package {entry.package!r} could not be loaded: {detail}"
        raise UsageError(_broken[name]) from None
    return _loaded[name]


def load_all() -> list[Study[Any]]:
    """Every declared study, loaded, in :func:`index` order; broken plugins skipped (one warning each)."""
    clashes = [(name, entries) for name, entries in index().items() if len(entries) > 1]
    if clashes:
        raise _clash(*clashes[0])
    out = []
    for name in index():
        if name in _broken:
            continue
        try:
            found = find(name)
        except UsageError:
            continue  # a broken plugin: warned once in find()
        if found is not None:
            out.append(found)
    return out
