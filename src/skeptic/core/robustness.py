"""Robustness audit: could each verdict have come out otherwise, and does it survive more budget, another
threshold and another seed?

For a study at its audit preset the audit executes, each in a fresh process (as the fault audit does):

- the **clean** configuration (shared with the fault audit);
- each distinct **contrast** override set (claims declaring the same overrides share one execution): a claim is
  *discriminating* when a contrast run gives the contrast's declared verdict, *not discriminating* when it keeps
  the clean verdict (the claim cannot fail in this design), *inconclusive* otherwise (another verdict, the claim
  not judged, or the run raised); a claim without a contrast is reported "no contrast";
- the **larger budget** (:meth:`Budget.overrides` of the audited config): a changed verdict is *budget-dependent*;
- **two extra seeds** (run seeds drawn from the audited seed by hashing ``(seed, k)``, never by arithmetic; the
  study derives every stream from them by name): a changed verdict *depends on the seed*.

*Line stability* is read from the clean run: the claim's verdict across its declared band of thresholds
(:attr:`Claim.band`). A claim on Skeptic's own line without a band cannot be shown line-stable.

A **finding** is a clean, trusted ``not_replicated`` verdict that is discriminating, budget-stable, line-stable,
seed-stable, where the claim names a ``confirmed_by`` probe confirmed by it (the probe passed), and whose quote, where
it has one, holds the source's retrieved words (a disagreement with words nobody could read is not a finding). Every
other ``not_replicated`` verdict is described as what it is (:func:`disagreement`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from skeptic.core.claims import Claim, Contrast
from skeptic.core.config import resolve_config
from skeptic.core.study import Study

if TYPE_CHECKING:
    from skeptic.core.judged import Judged

ContrastOutcome = Literal["discriminating", "not discriminating", "inconclusive"]
Discrimination = Literal["discriminating", "not discriminating", "inconclusive", "no contrast"]

EXTRA_SEEDS = 2
"""Seeds beyond the audited one at which every verdict is re-judged."""


@dataclass(frozen=True)
class Execution:
    """One execution the robustness audit needs: a label, and the overrides on top of the audited config."""

    label: str
    kind: Literal["contrast", "budget", "seed"]
    overrides: dict[str, Any]
    seed_index: int = 0
    """0 for contrasts and the budget (the audited seed); k for the k-th extra seed (:func:`run_seed`)."""

    def run_seed(self, seed: int) -> int:
        """The run seed of this execution: the audited ``seed`` itself, or for the k-th extra seed a run seed
        hashed from ``(seed, k)`` (a valid ``--seed``, 0 to 2³²-1), so no two audits' extra seeds collide by
        construction the way adding k to the seed would with the next audited seed."""
        if self.seed_index == 0:
            return seed
        return int(np.random.SeedSequence([seed, self.seed_index]).generate_state(1, np.uint32)[0])


def _key(overrides: Mapping[str, Any]) -> str:
    return json.dumps(overrides, sort_keys=True, default=str)


def contrast_label(overrides: Mapping[str, Any]) -> str:
    """A readable label of one contrast override set, e.g. ``contrast: tail=light``."""
    return "contrast: " + ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in sorted(overrides.items()))


def plan(spec: Study[Any], preset: str, overrides: Mapping[str, Any] | None = None) -> list[Execution]:
    """The executions beyond the clean run: each distinct contrast override set, the larger budget, the extra
    seeds. Raises :class:`~skeptic.core.errors.UsageError` when an override set does not validate (a study bug
    the contract test also catches)."""
    base = dict(overrides or {})
    config = resolve_config(spec, preset, base)
    out: list[Execution] = []
    seen: set[str] = set()
    for claim in spec.claims:
        for contrast in claim.contrasts:
            key = _key(contrast.overrides)
            if key in seen:
                continue
            seen.add(key)
            resolve_config(spec, preset, {**base, **contrast.overrides})
            out.append(Execution(contrast_label(contrast.overrides), "contrast", dict(contrast.overrides)))
    if spec.budget is not None:
        larger = spec.budget.overrides(config)
        resolve_config(spec, preset, {**base, **larger})
        out.append(Execution("larger budget", "budget", larger))
    out += [Execution(f"other seed {k}", "seed", {}, k) for k in range(1, EXTRA_SEEDS + 1)]
    return out


@dataclass
class ContrastResult:
    """One contrast of one claim: what it overrides, the verdict it must give, the verdict it gave."""

    id: str
    overrides: dict[str, Any]
    why: str
    expect: str
    got: str | None
    outcome: ContrastOutcome
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ClaimRobustness:
    """Everything the robustness audit says about one claim."""

    claim: str
    statement: str
    verdict: str
    """The clean run's raw verdict (before any failed probe marks it untrusted)."""
    trusted: bool
    measured: str
    quote: dict[str, Any] | None
    contrasts: list[ContrastResult]
    discrimination: Discrimination
    budget_verdict: str | None
    """The verdict at the larger budget; ``None`` without a budget or when that run raised."""
    budget_stable: bool | None
    band_verdicts: list[str]
    line_stable: bool | None
    """``None`` when the threshold is the source's (nothing to vary); False for Skeptic's line without a band."""
    seed_verdicts: list[str | None]
    seed_stable: bool | None
    confirmed_by: str = ""
    confirmed: bool | None = None
    finding: bool = False
    why_not: str = ""
    """For a ``not_replicated`` verdict that is not a finding: what it is instead, in plain words."""

    @property
    def discriminating(self) -> bool:
        return self.discrimination == "discriminating"

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["contrasts"] = [c.to_dict() for c in self.contrasts]
        d["discriminating"] = self.discriminating
        return d


def judge_contrast(
    contrast: Contrast, clean: str, got: str | None, error: str | None = None, clean_undefined: bool = False
) -> ContrastResult:
    """Classify one contrast: the clean verdict kept is *not discriminating*; the declared verdict is
    *discriminating*; anything else (another verdict, no verdict, a crash) is *inconclusive*. A clean estimate that is
    undefined (``clean_undefined``: NaN, or the measurement raised) makes a flip *inconclusive* too: the contrast then
    shows only that it makes the estimate defined, not that the clean design could have failed (session 17: llc's
    ``sgd-transitions`` read nan clean and counted as discriminating because its contrast changed which checkpoints
    counted)."""
    outcome: ContrastOutcome
    if error is not None:
        outcome, detail = "inconclusive", f"the contrast run raised: {error}"
    elif got is None:
        outcome, detail = "inconclusive", "the claim was not judged in the contrast run"
    elif got == clean:
        outcome, detail = "not discriminating", f"the verdict stays {clean} without the mechanism"
    elif got == contrast.expect and clean_undefined:
        outcome, detail = "inconclusive", f"{clean} → {got}, but the clean estimate is undefined (nan or not measured)"
    elif got == contrast.expect:
        outcome, detail = "discriminating", f"{clean} → {got} without the mechanism, as declared"
    else:
        outcome, detail = "inconclusive", f"{clean} → {got}, not the declared {contrast.expect}"
    return ContrastResult(contrast.id, dict(contrast.overrides), contrast.why, contrast.expect, got, outcome, detail)


def _discrimination(results: Sequence[ContrastResult]) -> Discrimination:
    if not results:
        return "no contrast"
    outcomes = {r.outcome for r in results}
    if "discriminating" in outcomes:
        return "discriminating"
    if "not discriminating" in outcomes:
        return "not discriminating"
    return "inconclusive"


def disagreement(r: ClaimRobustness) -> str:
    """What a ``not_replicated`` verdict that is not a finding is, in the words the report uses: the first check it
    fails, in the order trust, budget, line, contrast, seeds, independent confirmation, the source's words (a verdict
    that moves with the budget or the line is described by that, even where its contrast could not flip it either)."""
    if not r.trusted:
        return "a probe failed, so the run is not trusted"
    if r.budget_stable is False:
        return "depends on the training budget"
    if r.line_stable is False:
        return "depends on Skeptic's line"
    if r.discrimination != "discriminating":
        return "the design cannot test this at laptop scale"
    if r.budget_stable is None:
        return "not checked at a larger budget"
    if r.seed_stable is not True:
        return "depends on the seed"
    if r.confirmed is False:
        return "not confirmed by an independent computation"
    if r.quote is not None and r.quote.get("verified") is False:
        return "the source's words were not retrieved"
    return ""


def assess(
    spec: Study[Any],
    clean: Judged,
    runs: Mapping[str, tuple[Judged | None, str | None]],
    executions: Sequence[Execution],
) -> list[ClaimRobustness]:
    """Judge every claim of the clean run against the other executions (``runs`` maps an execution's label to
    its judged result, or ``None`` and the error when it raised)."""
    failed_probes = {p.id for p in clean.probes if not p.passed}
    probe_passed = {p.id: p.passed for p in clean.probes}
    by_kind: dict[str, list[Execution]] = {}
    for e in executions:
        by_kind.setdefault(e.kind, []).append(e)

    def verdict_in(label: str, claim: str) -> tuple[str | None, str | None]:
        judged, error = runs.get(label, (None, "not run"))
        if judged is None:
            return None, error
        return judged.verdicts.get(claim), None

    out = []
    for claim in spec.claims:
        if claim.id not in clean.verdicts:
            continue  # not run at this preset (NotRun): no verdict to audit
        verdict = clean.verdicts[claim.id]
        contrasts = [
            judge_contrast(
                c,
                verdict,
                *verdict_in(contrast_label(c.overrides), claim.id),
                clean_undefined=claim.id in clean.undefined,
            )
            for c in claim.contrasts
        ]
        budget_verdict, budget_stable = None, None
        if by_kind.get("budget"):
            budget_verdict, error = verdict_in(by_kind["budget"][0].label, claim.id)
            budget_stable = None if error is not None or budget_verdict is None else budget_verdict == verdict
        band = list(clean.bands.get(claim.id, []))
        line_stable = _line_stable(claim, verdict, band)
        seeds = [verdict_in(e.label, claim.id)[0] for e in by_kind.get("seed", [])]
        seed_stable = None if not seeds or any(s is None for s in seeds) else all(s == verdict for s in seeds)
        confirmed = probe_passed.get(claim.confirmed_by) if claim.confirmed_by else None
        r = ClaimRobustness(
            claim=claim.id,
            statement=claim.statement,
            verdict=verdict,
            trusted=not failed_probes,
            measured=clean.measured.get(claim.id, ""),
            quote=claim.quote.to_dict() if claim.quote is not None else None,
            contrasts=contrasts,
            discrimination=_discrimination(contrasts),
            budget_verdict=budget_verdict,
            budget_stable=budget_stable,
            band_verdicts=band,
            line_stable=line_stable,
            seed_verdicts=seeds,
            seed_stable=seed_stable,
            confirmed_by=claim.confirmed_by,
            confirmed=confirmed,
        )
        if verdict == "not_replicated":
            r.why_not = disagreement(r)
            r.finding = not r.why_not
        out.append(r)
    return out


def _line_stable(claim: Claim, verdict: str, band: Sequence[str]) -> bool | None:
    if band:
        return all(v == verdict for v in band)
    return False if claim.own_threshold else None


@dataclass
class RobustnessSummary:
    """Per-study counts for the README's table and the report."""

    claims: int
    discriminating: int
    budget_dependent: int
    line_dependent: int
    findings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def summarize(rows: Sequence[ClaimRobustness]) -> RobustnessSummary:
    return RobustnessSummary(
        claims=len(rows),
        discriminating=sum(r.discriminating for r in rows),
        budget_dependent=sum(r.budget_stable is False for r in rows),
        line_dependent=sum(r.line_stable is False for r in rows),
        findings=[r.claim for r in rows if r.finding],
    )


__all__ = [
    "EXTRA_SEEDS",
    "ClaimRobustness",
    "ContrastResult",
    "Execution",
    "RobustnessSummary",
    "assess",
    "contrast_label",
    "disagreement",
    "judge_contrast",
    "plan",
    "summarize",
]
