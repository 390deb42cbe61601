"""The study: a declared, runnable body of evidence, and the registry of all studies.

A study module declares its config presets, claims, probes and brief, and decorates its run function:

    @study(name="goodhart", question="...", sources=(...), presets={"test": ..., "quick": ..., "paper": ...},
           claims=CLAIMS, probes=PROBES, brief=BRIEF, runtime={"quick": "~5 s", "paper": "~2 min"},
           faults=FAULTS)
    def run(config: GoodhartConfig, ctx: RunContext) -> StudyOutput: ...

The decorator registers a :class:`Study` under its name and returns it. Core never imports a study: studies are
found through the ``skeptic.studies`` entry-point group (:mod:`skeptic.core.discovery`), and a study's module is
imported only when the study is named or every study is listed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from skeptic.core.claims import Claim, Probe, StoredMeasurements
from skeptic.core.errors import UsageError
from skeptic.core.faults import Fault, check_catalog

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

    from skeptic.core.results import RunResult

REQUIRED_PRESETS = ("test", "quick", "paper")
"""``test``: tiny, for the contract test (seconds); ``quick``: CI and demos; ``paper``: closest to the paper."""


class StudyConfig(BaseModel):
    """Base of every study config: plain validated data, immutable, unknown keys rejected.

    Give every field a docstring (``use_attribute_docstrings``) and its constraints (``Field(ge=...)``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


C = TypeVar("C", bound=StudyConfig)

MemoryPolicy = Literal["default", "keep_freed"]
MEMORY_POLICIES: tuple[MemoryPolicy, ...] = ("default", "keep_freed")


@dataclass(frozen=True)
class Brief:
    """The plain-language brief for a non-specialist reader (Markdown; raw HTML is escaped).

    ``found`` writes "what we found" from a run; without it the report summarizes the verdicts.
    ``appendix`` is extra Markdown shown on the study page even before any run (e.g. published
    results to compare against, instructions). ``answer`` and ``headline_figure`` feed the report's
    index card for a policy reader.
    """

    claimed: str
    ran: str
    not_shown: str
    found: Callable[[RunResult], str] | None = None
    appendix: str = ""
    answer: Callable[[RunResult], str] | None = None
    """One or two plain sentences answering the study's question, written from the run's measurements
    (no claim ids, no jargon), e.g. "true utility keeps rising only when the error is light-tailed; with
    heavy-tailed error it falls back to zero". The report's index card leads with it."""
    headline_figure: str | None = None
    """The name of the :class:`Figure` a reader should see first (the index card's thumbnail)."""
    across_runs: Callable[[Sequence[RunResult]], str] | None = None
    """Markdown written from every completed run of the study (newest first), shown once on the study page after
    the appendix: a comparison no single run holds, e.g. every model run on a preset side by side. Escaped like the
    rest of the brief (raw HTML shown as text, no links or images)."""


@dataclass
class Figure:
    """A figure for a reader: labelled axes with units, and a caption that says what to look at."""

    name: str
    caption: str
    figure: MplFigure


@dataclass
class Table:
    """A table shown in the report (every cell escaped). ``collapsed`` folds it behind a summary line."""

    name: str
    caption: str
    rows: list[dict[str, Any]]
    collapsed: bool = False


@dataclass
class StudyOutput:
    """What a run function returns. ``measurements`` must be JSON-able; claims and probes read it."""

    measurements: StoredMeasurements
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class Budget:
    """The knobs that buy accuracy (steps, samples, chains, grid) and how much more to buy in an audit.

    ``scale`` multiplies each named numeric config field (integers are rounded), e.g.
    ``Budget(scale={"rl_steps": 4, "eval_every": 4}, note="...")``; ``set`` gives other fields their larger
    value outright (a longer grid, a wider threshold range). ``skeptic audit`` re-judges every claim at the
    larger budget; a verdict that changes is **budget-dependent**, never a replication or a finding.
    """

    scale: Mapping[str, float] = field(default_factory=dict)
    set: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""

    def __post_init__(self) -> None:
        if not self.scale and not self.set:
            raise ValueError("a budget names at least one knob")

    def overrides(self, config: StudyConfig) -> dict[str, Any]:
        """The config overrides of the larger budget, from the config being audited."""
        out: dict[str, Any] = {}
        for key, factor in self.scale.items():
            value = getattr(config, key)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"budget knob {key!r} is not numeric; give its larger value in Budget.set")
            out[key] = round(value * factor) if isinstance(value, int) else value * factor
        out.update(self.set)
        return out


class Progress(Protocol):
    def __call__(self, advance: float = 1) -> None: ...


class RunContext(Protocol):
    """What the runner hands a study's run function."""

    seed: int
    preset: str
    device: str
    """``"cpu"`` or ``"cuda"``: where PyTorch work should go (``--device``; results agree up to float tolerance)."""

    def rng(self, *key: str | int) -> np.random.Generator:
        """An independent NumPy generator for the stream named by ``key``, derived from the run's seed."""
        ...

    def seed_for(self, *key: str | int) -> int:
        """An integer seed for the stream named by ``key`` (for libraries that take an int), derived from the
        run's seed by hashing the name: never by arithmetic on the seed."""
        ...

    def torch_generator(self, *key: str | int, device: str | None = None) -> Any:
        """A ``torch.Generator`` for the stream named by ``key`` (on ``device``, default ``ctx.device``)."""
        ...

    def section(self, name: str) -> AbstractContextManager[None]:
        """``with ctx.section("train"): ...`` times a named section of the run; the times are stored in the
        measurements under ``_sections_s`` (replacing hand-kept timing dicts)."""
        ...

    def progress(self, description: str, total: float | None) -> AbstractContextManager[Progress]:
        """``with ctx.progress("training", total=n) as advance: ... advance(1)``."""
        ...

    def log(self, message: str) -> None:
        """A line for the user (stderr), not stored."""
        ...


class StudySkipped(Exception):
    """Raised by a run function that cannot run as configured (e.g. no model given).

    The message is one line that tells the user how to run it; nothing is stored.
    """


@dataclass(frozen=True)
class Study(Generic[C]):
    name: str
    question: str
    sources: tuple[str, ...]
    presets: Mapping[str, C]
    run: Callable[[C, RunContext], StudyOutput]
    claims: tuple[Claim, ...]
    probes: tuple[Probe, ...]
    brief: Brief
    runtime: Mapping[str, str]
    faults: tuple[Fault, ...] = ()
    """The fault catalog ``skeptic audit`` injects (see :mod:`skeptic.core.faults`)."""
    budget: Budget | None = None
    """The budget knobs and the larger budget the audit re-judges the claims at."""
    audit_preset: str = "test"
    """The preset audits (faults, mutants, contrasts, budget) use by default: the smallest at which a verdict
    can change; ``audit_preset_why`` says why it was chosen."""
    audit_preset_why: str = ""
    threads: int | None = None
    """How many threads a run needs at most (PyTorch's intra-op pool and the BLAS libraries); ``None`` leaves it to
    the runner's rule (every core of a lone run, a worker's share in a pool). The runner applies it before the run
    and records it in the run's provenance (:func:`skeptic.core.runner.thread_policy`)."""
    memory: MemoryPolicy = "default"
    """``"keep_freed"``: the process keeps the large blocks it frees for reuse instead of returning them to the
    kernel (:func:`skeptic.core.device.keep_freed_memory`; for studies that allocate afresh at every step)."""

    @property
    def config_type(self) -> type[C]:
        return type(self.presets["quick"])


_REGISTRY: dict[str, Study[Any]] = {}


def study(
    *,
    name: str,
    question: str,
    sources: Sequence[str],
    presets: Mapping[str, C],
    claims: Sequence[Claim],
    probes: Sequence[Probe],
    brief: Brief,
    runtime: Mapping[str, str],
    faults: Sequence[Fault] = (),
    budget: Budget | None = None,
    audit_preset: str = "test",
    audit_preset_why: str = "",
    threads: int | None = None,
    memory: MemoryPolicy = "default",
) -> Callable[[Callable[[C, RunContext], StudyOutput]], Study[C]]:
    """Declare and register a study; see the module docstring."""

    def register(run: Callable[[C, RunContext], StudyOutput]) -> Study[C]:
        missing = [p for p in REQUIRED_PRESETS if p not in presets]
        if missing:
            raise ValueError(f"study {name!r} lacks presets {missing}")
        types = {type(c) for c in presets.values()}
        if len(types) != 1:
            raise ValueError(f"study {name!r}: all presets must share one config type")
        ids = [c.id for c in claims] + [p.id for p in probes]
        if len(set(ids)) != len(ids):
            raise ValueError(f"study {name!r}: claim and probe ids must be unique")
        check_catalog(faults)
        if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
            raise ValueError(f"study {name!r}: threads must be a positive integer or None, got {threads!r}")
        if memory not in MEMORY_POLICIES:
            raise ValueError(f"study {name!r}: memory must be one of {MEMORY_POLICIES}, got {memory!r}")
        if audit_preset not in presets:
            raise ValueError(f"study {name!r}: audit_preset {audit_preset!r} is not one of its presets")
        probe_ids = {p.id for p in probes}
        for claim in claims:
            if claim.confirmed_by and claim.confirmed_by not in probe_ids:
                raise ValueError(
                    f"study {name!r}: claim {claim.id!r} is confirmed_by unknown probe {claim.confirmed_by!r}"
                )
        s = Study(
            name,
            question,
            tuple(sources),
            dict(presets),
            run,
            tuple(claims),
            tuple(probes),
            brief,
            dict(runtime),
            tuple(faults),
            budget,
            audit_preset,
            audit_preset_why,
            threads,
            memory,
        )
        return register_study(s)

    return register


def register_study(s: Study[C]) -> Study[C]:
    """Record a declared study under its name (the decorator does this); a second study of the same name is an
    error."""
    if _REGISTRY.get(s.name, s) is not s:
        raise ValueError(f"study {s.name!r} is registered twice")
    _REGISTRY[s.name] = s
    return s


def all_studies() -> list[Study[Any]]:
    """Every study declared in this process so far, in declaration order (``skeptic.load_studies()`` first loads
    every study the entry points declare)."""
    return list(_REGISTRY.values())


def get_study(name: str) -> Study[Any]:
    """The study called ``name``, loading its entry point on first use; a :class:`UsageError` naming the nearest
    studies otherwise (or the clash, or the plugin that failed to load)."""
    from skeptic.core import discovery

    found = discovery.find(name)
    if found is not None:
        return found
    if name in _REGISTRY:
        return _REGISTRY[name]
    known = list(dict.fromkeys([*discovery.names(), *_REGISTRY]))
    near = difflib.get_close_matches(name, known, n=3, cutoff=0.4)
    hint = f" Did you mean: {', '.join(near)}?" if near else ""
    raise UsageError(f"unknown study {name!r}.{hint} Known studies: {', '.join(known)}.")
