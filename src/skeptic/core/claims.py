"""Claims, probes and verdicts.

A claim is one statement a source makes, phrased so a measurement can decide it. It names the
measurement (a function of the run's stored measurements returning an :class:`Estimate` with its
uncertainty interval) and the comparison. Comparisons use the whole interval: an interval that
straddles the threshold is ``inconclusive``, never a pass.

A probe is a control that must hold before any claim of the run is trusted. One failed probe makes
every verdict of the run ``untrusted``.
"""

from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Verdict = Literal["replicated", "not_replicated", "inconclusive", "untrusted"]
VERDICTS: tuple[Verdict, ...] = ("replicated", "not_replicated", "inconclusive", "untrusted")

Measurements = Mapping[str, Any]
"""A run's measurements as claims and probes read them: JSON-able values (numbers, strings, lists, dicts; tables as
lists of records) under names the study chooses. Each study owns their shape, so they stay a mapping rather than a
typed model."""

StoredMeasurements = dict[str, Any]
"""A run's measurements as the store and :class:`~skeptic.core.results.RunResult` hold them (the same values as
:data:`Measurements`, in a plain dict; non-finite numbers round-trip, see :mod:`skeptic.core.jsonform`)."""


@dataclass(frozen=True)
class Estimate:
    """A measured value with its uncertainty interval ``[lo, hi]``.

    ``method`` says where the interval comes from ("95% t-interval over 5 seeds", "exact quadrature",
    "MC, ±1.96 SE"), so a reader can judge it.
    """

    value: float
    lo: float
    hi: float
    method: str

    def __post_init__(self) -> None:
        if not (self.lo <= self.value <= self.hi) and not any(math.isnan(v) for v in (self.lo, self.value, self.hi)):
            raise ValueError(f"Estimate interval [{self.lo}, {self.hi}] does not contain {self.value}")

    @classmethod
    def exact(cls, value: float, method: str = "exact") -> Estimate:
        """A value computed exactly (up to numerical error far below any tolerance)."""
        return cls(float(value), float(value), float(value), method)

    @classmethod
    def from_se(
        cls, value: float, se: float, z: float = 1.96, method: str | None = None, floor: float | None = None
    ) -> Estimate:
        """``value ± z·se`` (normal approximation); ``floor`` clips the lower end (e.g. 0 for an absolute error)."""
        lo = float(value - z * se)
        return cls(
            float(value),
            lo if floor is None else max(float(floor), lo),
            float(value + z * se),
            method or f"±{z:g} SE",
        )

    @classmethod
    def from_samples(cls, samples: Sequence[float], level: float = 0.95, what: str = "seeds") -> Estimate:
        """Mean of ``samples`` with a Student-t interval; one sample gives a zero-width interval."""
        from skeptic.core.stats import mean_ci

        mean, lo, hi = mean_ci(samples, level)
        n = len(samples)
        method = f"{level:.0%} t-interval over {n} {what}" if n > 1 else f"single {what[:-1]}"
        return cls(mean, lo, hi, method)

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "lo": self.lo, "hi": self.hi, "method": self.method}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Estimate:
        return cls(float(d["value"]), float(d["lo"]), float(d["hi"]), str(d["method"]))


Measured = Estimate | Sequence[Estimate]


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if x != 0 and (abs(x) >= 1e4 or abs(x) < 1e-3):
        return f"{x:.3g}"
    return f"{x:.4g}"


def describe_measured(measured: Measured) -> str:
    """Human-readable value with interval, e.g. ``0.512 [0.49, 0.53]``."""
    if isinstance(measured, Estimate):
        if measured.lo == measured.hi:
            return _fmt(measured.value)
        return f"{_fmt(measured.value)} [{_fmt(measured.lo)}, {_fmt(measured.hi)}]"
    shown = [describe_measured(m) for m in measured]
    if len(shown) > 5:  # a long curve: its ends and its length
        return f"{shown[0]}, {shown[1]}, …, {shown[-2]}, {shown[-1]} ({len(shown)} points)"
    return ", ".join(shown)


class Comparison(Protocol):
    """How a measurement decides a claim."""

    def describe(self) -> str:
        """The expected value or direction, for the 'expected' column."""
        ...

    def evaluate(self, measured: Measured) -> tuple[Verdict, str]:
        """A verdict (never ``untrusted``: that is the probes' call) and a one-sentence reason."""
        ...


def _single(measured: Measured) -> Estimate:
    if not isinstance(measured, Estimate):
        raise TypeError("this comparison takes a single Estimate")
    return measured


@dataclass(frozen=True)
class AtLeast:
    """Replicated when the whole interval is at or above ``threshold``."""

    threshold: float

    def describe(self) -> str:
        return f"≥ {_fmt(self.threshold)}"

    def evaluate(self, measured: Measured) -> tuple[Verdict, str]:
        m = _single(measured)
        if math.isnan(m.value):
            return "inconclusive", "the measurement is undefined (NaN)"
        if m.lo >= self.threshold:
            return "replicated", f"the whole interval lies at or above {_fmt(self.threshold)}"
        if m.hi < self.threshold:
            return "not_replicated", f"the whole interval lies below {_fmt(self.threshold)}"
        return "inconclusive", f"the interval straddles {_fmt(self.threshold)}"


@dataclass(frozen=True)
class AtMost:
    """Replicated when the whole interval is at or below ``threshold``."""

    threshold: float

    def describe(self) -> str:
        return f"≤ {_fmt(self.threshold)}"

    def evaluate(self, measured: Measured) -> tuple[Verdict, str]:
        m = _single(measured)
        if math.isnan(m.value):
            return "inconclusive", "the measurement is undefined (NaN)"
        if m.hi <= self.threshold:
            return "replicated", f"the whole interval lies at or below {_fmt(self.threshold)}"
        if m.lo > self.threshold:
            return "not_replicated", f"the whole interval lies above {_fmt(self.threshold)}"
        return "inconclusive", f"the interval straddles {_fmt(self.threshold)}"


@dataclass(frozen=True)
class Between:
    """Replicated when the whole interval lies inside ``[low, high]``; not when it lies wholly outside."""

    low: float
    high: float

    def describe(self) -> str:
        return f"in [{_fmt(self.low)}, {_fmt(self.high)}]"

    def evaluate(self, measured: Measured) -> tuple[Verdict, str]:
        m = _single(measured)
        if math.isnan(m.value):
            return "inconclusive", "the measurement is undefined (NaN)"
        if self.low <= m.lo and m.hi <= self.high:
            return "replicated", f"the whole interval lies inside {self.describe()[3:]}"
        if m.hi < self.low or m.lo > self.high:
            return "not_replicated", f"the whole interval lies outside {self.describe()[3:]}"
        return "inconclusive", f"the interval overlaps the edge of {self.describe()[3:]}"


def Close(expected: float, tol: float) -> Between:  # noqa: N802 (reads like a type at the call site)
    """``expected ± tol`` as a :class:`Between`."""
    return Between(expected - tol, expected + tol)


@dataclass(frozen=True)
class Increasing:
    """A sequence of estimates rises along its order (e.g. test error over corruption levels).

    Replicated when every step rises in its point estimate and the last interval lies wholly above
    the first; not replicated when some later estimate lies wholly below an earlier one (a clear
    reversal); inconclusive otherwise. ``decreasing=True`` mirrors all of this.
    """

    decreasing: bool = False

    def describe(self) -> str:
        return "decreasing" if self.decreasing else "increasing"

    def evaluate(self, measured: Measured) -> tuple[Verdict, str]:
        if isinstance(measured, Estimate) or len(measured) < 2:
            raise TypeError("Increasing takes a sequence of at least two Estimates")
        seq = list(measured)
        if self.decreasing:
            seq = [Estimate(-m.value, -m.hi, -m.lo, m.method) for m in seq]
        word = self.describe()
        for i, a in enumerate(seq):
            for j in range(i + 1, len(seq)):
                if seq[j].hi < a.lo:
                    return "not_replicated", f"point {j + 1} lies clearly on the wrong side of point {i + 1}"
        steps_ok = all(b.value > a.value for a, b in itertools.pairwise(seq))
        if steps_ok and seq[-1].lo > seq[0].hi:
            return "replicated", f"every step is {word} and the ends are separated beyond their uncertainty"
        return "inconclusive", f"no clear reversal, but not every step is {word} beyond uncertainty"


def _many(measured: Measured) -> list[Estimate]:
    return [measured] if isinstance(measured, Estimate) else list(measured)


@dataclass(frozen=True)
class AllAtLeast:
    """Several estimates at once (e.g. one per variant): replicated when every interval lies at or above
    ``threshold``; not replicated when some interval lies wholly below it; inconclusive otherwise."""

    threshold: float

    def describe(self) -> str:
        return f"every value ≥ {_fmt(self.threshold)}"

    def evaluate(self, measured: Measured) -> tuple[Verdict, str]:
        ests = _many(measured)
        if not ests or any(math.isnan(e.value) for e in ests):
            return "inconclusive", "some value is undefined (NaN) or there is none"
        if all(e.lo >= self.threshold for e in ests):
            return "replicated", f"every interval lies at or above {_fmt(self.threshold)}"
        below = [i + 1 for i, e in enumerate(ests) if e.hi < self.threshold]
        if below:
            return "not_replicated", f"value(s) {below} lie wholly below {_fmt(self.threshold)}"
        return "inconclusive", f"some interval straddles {_fmt(self.threshold)}"


@dataclass(frozen=True)
class AllAtMost:
    """Several estimates at once: replicated when every interval lies at or below ``threshold``; not
    replicated when some interval lies wholly above it; inconclusive otherwise."""

    threshold: float

    def describe(self) -> str:
        return f"every value ≤ {_fmt(self.threshold)}"

    def evaluate(self, measured: Measured) -> tuple[Verdict, str]:
        ests = _many(measured)
        if not ests or any(math.isnan(e.value) for e in ests):
            return "inconclusive", "some value is undefined (NaN) or there is none"
        if all(e.hi <= self.threshold for e in ests):
            return "replicated", f"every interval lies at or below {_fmt(self.threshold)}"
        above = [i + 1 for i, e in enumerate(ests) if e.lo > self.threshold]
        if above:
            return "not_replicated", f"value(s) {above} lie wholly above {_fmt(self.threshold)}"
        return "inconclusive", f"some interval straddles {_fmt(self.threshold)}"


@dataclass(frozen=True)
class AllBetween:
    """Several estimates at once: replicated when every interval lies inside ``[low, high]``; not replicated
    when some interval lies wholly outside it; inconclusive otherwise."""

    low: float
    high: float

    def describe(self) -> str:
        return f"every value in [{_fmt(self.low)}, {_fmt(self.high)}]"

    def evaluate(self, measured: Measured) -> tuple[Verdict, str]:
        ests = _many(measured)
        if not ests or any(math.isnan(e.value) for e in ests):
            return "inconclusive", "some value is undefined (NaN) or there is none"
        if all(self.low <= e.lo and e.hi <= self.high for e in ests):
            return "replicated", f"every interval lies inside [{_fmt(self.low)}, {_fmt(self.high)}]"
        out = [i + 1 for i, e in enumerate(ests) if e.hi < self.low or e.lo > self.high]
        if out:
            return "not_replicated", f"value(s) {out} lie wholly outside [{_fmt(self.low)}, {_fmt(self.high)}]"
        return "inconclusive", "some interval overlaps an edge"


MeasureFn = Callable[[Measurements], Measured] | Callable[[Measurements, Any], Measured]
"""A claim's measure reads the run's measurements and, when it takes a second argument, the run's config
(claims see the config: never copy config values into the measurements)."""


def _takes_config(fn: Callable[..., Any]) -> bool:
    """Whether ``fn`` takes a second required positional argument (the run's config)."""
    params = [
        p
        for p in inspect.signature(fn).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    return len(params) >= 2


def call_measure(measure: MeasureFn, measurements: Measurements, config: Any = None) -> Measured:
    """Call ``measure`` with the measurements, and with the config too when it takes two arguments."""
    if _takes_config(measure):
        return measure(measurements, config)  # type: ignore[call-arg]
    return measure(measurements)  # type: ignore[call-arg]


@dataclass(frozen=True)
class Contrast:
    """A config override of the claim's own study under which the mechanism the claim is about is absent or
    reversed, and the verdict the claim must then get.

    ``skeptic audit`` runs the study with ``overrides`` and judges the claim: it is **discriminating** when the
    contrast run gives ``expect``, **not discriminating** when it gives the claim's usual verdict anyway (the
    claim cannot fail in this design), and inconclusive otherwise. A claim for which no meaningful contrast
    exists is an identity or a fact by construction: make it a probe.

    ``why`` says in one sentence what the override removes ("the error is light-tailed", "the RL arm is
    frozen", "true labels in place of random ones").
    """

    id: str
    overrides: Mapping[str, Any]
    expect: Verdict
    why: str

    def __post_init__(self) -> None:
        if self.expect not in ("replicated", "not_replicated"):
            raise ValueError(f"contrast {self.id!r}: expect must be 'replicated' or 'not_replicated'")
        if not self.overrides:
            raise ValueError(f"contrast {self.id!r}: a contrast overrides at least one config key")
        if len(self.why.split()) < 4:
            raise ValueError(f"contrast {self.id!r}: say in a sentence what the override removes")


@dataclass(frozen=True)
class Quote:
    """The source's exact words and where they stand.

    ``text`` is copied from the source (the sentence, the table cell or the theorem statement), never a
    paraphrase; ``locator`` names the version and the place ("arXiv 2407.14503v2, Theorem 4"). Where the
    text could not be retrieved, use :meth:`unverified`: the report then marks the claim "quote unverified".
    """

    text: str
    locator: str
    verified: bool = True
    note: str = ""
    """For an unverified quote: why the text could not be checked."""

    @classmethod
    def unverified(cls, locator: str, note: str, text: str = "") -> Quote:
        """A place whose exact words could not be retrieved; ``note`` says why."""
        return cls(text, locator, verified=False, note=note)

    def __post_init__(self) -> None:
        if not self.locator.strip():
            raise ValueError("a quote needs a locator (e.g. 'arXiv 2407.14503v2, Theorem 4')")
        if self.verified and not self.text.strip():
            raise ValueError(f"quote at {self.locator!r}: a verified quote needs the source's words")
        if not self.verified and not self.note.strip():
            raise ValueError(f"quote at {self.locator!r}: say why it is unverified")

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "locator": self.locator, "verified": self.verified, "note": self.note}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Quote:
        return cls(str(d["text"]), str(d["locator"]), bool(d.get("verified", True)), str(d.get("note") or ""))


class NotRun(Exception):
    """Raised by a claim's measure when the part of the study it needs was not run (e.g. a setting left out).

    Such a claim gets no verdict at all (it is left out of the run's results), rather than ``inconclusive``:
    a claim nobody tested must not count among the verdicts.
    """


@dataclass(frozen=True)
class Claim:
    """One statement a source makes, and how a measurement decides it.

    ``source`` names the paper and the place in it (theorem, table, figure, section, equation, or the
    quoted sentence); ``quote`` carries the source's exact words with the arXiv version and place.
    ``own_threshold`` declares that the threshold of ``expect`` is Skeptic's own rather than the source's:
    ``True``, or better a sentence saying where it comes from ("the paper says 'a small constant factor';
    5x is ours"). Such a claim declares ``band``: the same comparison at the thresholds a careful reader
    would accept (e.g. ``(AtLeast(5), AtLeast(20))``); its verdict is computed across the band and is
    **line-dependent** when it changes within it.

    ``contrasts`` are the config overrides under which the claim must get another verdict (see
    :class:`Contrast`). ``confirmed_by`` names the probe that computes the claim's quantity independently
    (exact vs simulation, two estimators); a not_replicated verdict is a *finding* only when it is
    discriminating, budget-, line- and seed-stable and, where such a probe exists, confirmed by it.
    """

    id: str
    statement: str
    source: str
    measure: MeasureFn
    expect: Comparison
    own_threshold: bool | str = False
    quote: Quote | None = None
    contrasts: tuple[Contrast, ...] = ()
    band: tuple[Comparison, ...] = ()
    confirmed_by: str = ""

    def __post_init__(self) -> None:
        ids = [c.id for c in self.contrasts]
        if len(set(ids)) != len(ids):
            raise ValueError(f"claim {self.id!r}: contrast ids must be unique")

    @property
    def own_threshold_note(self) -> str:
        """``""`` when the threshold is the source's; otherwise what the report shows."""
        if not self.own_threshold:
            return ""
        if isinstance(self.own_threshold, str):
            return self.own_threshold
        return "the threshold is Skeptic's own, not the source's"

    def evaluate(self, measurements: Measurements, config: Any = None) -> tuple[Measured, Verdict, str]:
        """Measure and compare (raises :class:`NotRun` when the part it needs was not run)."""
        measured = call_measure(self.measure, measurements, config)
        verdict, reason = self.expect.evaluate(measured)
        return measured, verdict, reason

    def band_verdicts(self, measured: Measured) -> list[Verdict]:
        """The verdict at each threshold of :attr:`band` (empty without a band)."""
        return [comparison.evaluate(measured)[0] for comparison in self.band]


@dataclass(frozen=True)
class ProbeOutcome:
    passed: bool
    detail: str


@dataclass(frozen=True)
class Probe:
    """A control or cross-check that must hold before the run's verdicts are trusted."""

    id: str
    description: str
    check: Callable[[Measurements], ProbeOutcome] | Callable[[Measurements, Any], ProbeOutcome]
    """Reads the measurements and, when it takes a second argument, the run's config (as a measure does)."""


class _JsonFields:
    """Read-only mapping access to a stored result's JSON form (``c["verdict"]``, ``c.get("raw_verdict")``).

    For code written when results were plain dicts (some studies' briefs still read them so); new code reads the
    attributes (``c.verdict``), which are typed.
    """

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        return self.to_json()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_json().get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.to_json()


@dataclass(frozen=True)
class ClaimResult(_JsonFields):
    """A claim judged on one run, as the runner produced it and as the store holds it.

    ``raw_verdict`` is what the measurement decided; ``trusted`` is whether every probe passed. ``verdict``
    is what a reader sees: ``untrusted`` when a probe failed, the raw verdict otherwise. Audits compare raw
    verdicts; nothing else should reach past ``verdict``.

    :meth:`to_json` is the stored form (the keys of the ``claims`` column and, a subset, of ``--json``);
    :meth:`from_json` reads it back, records from before a field existed included (the field's default; ``reads``
    stays ``None``), so ``ClaimResult.from_json(c.to_json()) == c`` and a stored record of today's form
    round-trips to the same JSON.
    """

    id: str
    statement: str
    source: str
    expected: str
    measured: str
    uncertainty: str
    verdict: Verdict
    reason: str
    estimates: tuple[Estimate, ...] = ()
    own_threshold: str = ""
    """Non-empty when the threshold is Skeptic's own (see :attr:`Claim.own_threshold`)."""
    raw_verdict: Verdict | None = None
    trusted: bool = True
    quote: Quote | None = None
    """The source's words, or ``None`` where the claim declares none."""
    band_verdicts: tuple[Verdict, ...] = ()
    """The verdict at each threshold of the claim's band (empty without one)."""
    reads: tuple[str, ...] | None = None
    """The measurement keys the claim's measure read when it was judged (see :class:`Recorder`), in the order
    read; ``None`` for a record stored before they were recorded."""

    @property
    def line_stable(self) -> bool | None:
        """Whether the raw verdict holds across the band of thresholds; ``None`` without a band."""
        if not self.band_verdicts:
            return None
        return len({*self.band_verdicts, self.raw_verdict or self.verdict}) == 1

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "statement": self.statement,
            "source": self.source,
            "expected": self.expected,
            "measured": self.measured,
            "uncertainty": self.uncertainty,
            "verdict": self.verdict,
            "reason": self.reason,
            "estimates": [e.to_dict() for e in self.estimates],
            "own_threshold": self.own_threshold,
            "raw_verdict": self.raw_verdict,
            "trusted": self.trusted,
            "quote": None if self.quote is None else self.quote.to_dict(),
            "band_verdicts": list(self.band_verdicts),
            "line_stable": self.line_stable,
        }
        if self.reads is not None:
            d["reads"] = list(self.reads)
        return d

    def to_dict(self) -> dict[str, Any]:
        """The same as :meth:`to_json` (the name older code calls)."""
        return self.to_json()

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> ClaimResult:
        """A stored claim back as a :class:`ClaimResult` (``line_stable`` is derived, so it is not read)."""
        quote = d.get("quote")
        reads = d.get("reads")
        return cls(
            id=str(d["id"]),
            statement=str(d["statement"]),
            source=str(d["source"]),
            expected=str(d["expected"]),
            measured=str(d["measured"]),
            uncertainty=str(d["uncertainty"]),
            verdict=d["verdict"],
            reason=str(d["reason"]),
            estimates=tuple(Estimate.from_dict(e) for e in d.get("estimates") or ()),
            own_threshold=str(d.get("own_threshold") or ""),
            raw_verdict=d.get("raw_verdict"),
            trusted=bool(d.get("trusted", True)),
            quote=None if quote is None else Quote.from_dict(quote),
            band_verdicts=tuple(d.get("band_verdicts") or ()),
            reads=None if reads is None else tuple(str(k) for k in reads),
        )


@dataclass(frozen=True)
class ProbeResult(_JsonFields):
    """A probe run on one run's measurements; :meth:`to_json` is its stored form."""

    id: str
    description: str
    passed: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "description": self.description, "passed": self.passed, "detail": self.detail}

    def to_dict(self) -> dict[str, Any]:
        """The same as :meth:`to_json` (the name older code calls)."""
        return self.to_json()

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> ProbeResult:
        return cls(str(d["id"]), str(d["description"]), bool(d["passed"]), str(d["detail"]))


class Recorder(dict[str, Any]):
    """The run's measurements as a claim's measure sees them, noting every key it reads.

    A ``dict`` (a copy of the top level; the values are shared), so a measure behaves exactly as on the plain
    measurements; reading a key (``m[k]``, ``m.get(k)`` for a present key, ``k in m`` when present) or every key
    (``items()``, ``values()``) notes it. :func:`judge_claims` stores what was read with each claim
    (:attr:`ClaimResult.reads`), so the report links a claim to its data without running study code again.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        self._read: dict[str, None] = {}

    def _note(self, key: Any) -> None:
        if isinstance(key, str):
            self._read.setdefault(key, None)

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)  # a missing key raises KeyError before it is noted
        self._note(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        if super().__contains__(key):
            self._note(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        found = super().__contains__(key)
        if found:
            self._note(key)
        return found

    def items(self) -> Any:
        for key in self:
            self._note(key)
        return super().items()

    def values(self) -> Any:
        for key in self:
            self._note(key)
        return super().values()

    @property
    def read(self) -> list[str]:
        """The keys read, in the order first read, without the runner's own (``_runtime_s``, ``_sections_s``)."""
        return [k for k in self._read if not k.startswith("_")]


def run_probes(probes: Sequence[Probe], measurements: Measurements, config: Any = None) -> list[ProbeResult]:
    """Run every probe (checks that take two arguments receive ``config``); a probe that raises has failed, with
    the error as its detail."""
    results = []
    for probe in probes:
        try:
            check = probe.check
            outcome = check(measurements, config) if _takes_config(check) else check(measurements)  # type: ignore[call-arg]
        except Exception as exc:  # a broken probe must never pass silently
            outcome = ProbeOutcome(False, f"probe raised {type(exc).__name__}: {exc}")
        results.append(ProbeResult(probe.id, probe.description, bool(outcome.passed), outcome.detail))
    return results


def judge_claims(
    claims: Sequence[Claim], measurements: Measurements, probes: Sequence[ProbeResult], config: Any = None
) -> list[ClaimResult]:
    """Evaluate every claim (measures that take two arguments receive ``config``); any failed probe turns
    every shown verdict into ``untrusted`` while ``raw_verdict`` keeps what the measurement decided.

    A claim whose measure raises :class:`NotRun` is left out (not run is not a verdict).
    """
    failed = [p.id for p in probes if not p.passed]
    results = []
    for claim in claims:
        band: list[Verdict] = []
        recorder = Recorder(measurements)
        try:
            measured, verdict, reason = claim.evaluate(recorder, config)
            estimates = [measured] if isinstance(measured, Estimate) else list(measured)
            shown = describe_measured(measured)
            uncertainty = "; ".join(dict.fromkeys(e.method for e in estimates))  # in the estimates' order, once each
            band = list(claim.band_verdicts(measured))
        except NotRun:
            continue
        except Exception as exc:
            verdict, reason = "inconclusive", f"the measurement could not be made ({type(exc).__name__}: {exc})"
            estimates, shown, uncertainty = [], "n/a", "n/a"
        raw: Verdict = verdict
        if failed:
            reason = f"probe(s) {', '.join(failed)} failed, so this run is not trusted (would be {verdict}: {reason})"
            verdict = "untrusted"
        results.append(
            ClaimResult(
                id=claim.id,
                statement=claim.statement,
                source=claim.source,
                expected=claim.expect.describe(),
                measured=shown,
                uncertainty=uncertainty,
                verdict=verdict,
                reason=reason,
                estimates=tuple(estimates),
                own_threshold=claim.own_threshold_note,
                raw_verdict=raw,
                trusted=not failed,
                quote=claim.quote,
                band_verdicts=tuple(band),
                reads=tuple(recorder.read),
            )
        )
    return results
