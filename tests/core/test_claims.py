import math
from typing import Any

import pytest

from skeptic.core import Contrast, Quote, StudyConfig
from skeptic.core.claims import (
    AtLeast,
    AtMost,
    Between,
    Claim,
    Close,
    Estimate,
    Increasing,
    Probe,
    ProbeOutcome,
    ProbeResult,
    judge_claims,
    run_probes,
)


def est(value: float, half: float = 0.0) -> Estimate:
    return Estimate(value, value - half, value + half, "test")


@pytest.mark.parametrize(
    ("measured", "verdict"),
    [(est(1.0, 0.1), "replicated"), (est(0.5, 0.1), "not_replicated"), (est(0.85, 0.1), "inconclusive")],
)
def test_at_least_uses_the_whole_interval(measured: Estimate, verdict: str) -> None:
    assert AtLeast(0.8).evaluate(measured)[0] == verdict


@pytest.mark.parametrize(
    ("measured", "verdict"),
    [(est(0.1, 0.05), "replicated"), (est(0.9, 0.05), "not_replicated"), (est(0.2, 0.1), "inconclusive")],
)
def test_at_most(measured: Estimate, verdict: str) -> None:
    assert AtMost(0.2).evaluate(measured)[0] == verdict


def test_between_and_close() -> None:
    assert Between(0, 1).evaluate(est(0.5, 0.1))[0] == "replicated"
    assert Between(0, 1).evaluate(est(1.5, 0.1))[0] == "not_replicated"
    assert Between(0, 1).evaluate(est(0.95, 0.1))[0] == "inconclusive"
    assert Close(2.0, 0.5) == Between(1.5, 2.5)
    assert Close(2.0, 0.5).describe() == "in [1.5, 2.5]"


def test_nan_is_never_a_pass() -> None:
    nan = Estimate(math.nan, math.nan, math.nan, "test")
    for comparison in (AtLeast(0), AtMost(0), Between(-1, 1)):
        assert comparison.evaluate(nan)[0] == "inconclusive"


def test_increasing() -> None:
    assert Increasing().evaluate([est(0.1, 0.01), est(0.2, 0.01), est(0.3, 0.01)])[0] == "replicated"
    assert Increasing().evaluate([est(0.1, 0.01), est(0.3, 0.01), est(0.2, 0.01)])[0] == "not_replicated"
    # a wiggle inside the noise is not a clear reversal, and not a clean rise either
    assert Increasing().evaluate([est(0.1, 0.05), est(0.12, 0.05), est(0.11, 0.05)])[0] == "inconclusive"
    assert Increasing(decreasing=True).evaluate([est(3, 0.1), est(2, 0.1), est(1, 0.1)])[0] == "replicated"


def test_estimate_constructors() -> None:
    e = Estimate.from_samples([1.0, 2.0, 3.0])
    assert e.value == pytest.approx(2.0)
    # t_{0.975, 2} = 4.3027, s = 1, n = 3
    assert e.hi - e.value == pytest.approx(4.302652729911275 / math.sqrt(3))
    assert Estimate.from_se(1.0, 0.1).lo == pytest.approx(0.804)
    assert Estimate.from_se(0.1, 0.1, floor=0.0).lo == 0.0  # an absolute error's interval stops at 0
    assert Estimate.from_se(0.5, 0.1, floor=0.0).lo == pytest.approx(0.304)  # a floor below it: no change
    with pytest.raises(ValueError):
        Estimate(1.0, 2.0, 3.0, "bad")


def test_failed_probe_makes_every_verdict_untrusted() -> None:
    claims = [Claim("c", "x is big", "src", lambda m: est(m["x"]), AtLeast(1))]
    probes = run_probes([Probe("p", "always fails", lambda m: ProbeOutcome(False, "no"))], {"x": 5})
    (result,) = judge_claims(claims, {"x": 5}, probes)
    assert result.verdict == "untrusted"
    assert "would be replicated" in result.reason


def test_a_probe_that_raises_fails() -> None:
    def broken(m: object) -> ProbeOutcome:
        raise KeyError("missing")

    (result,) = run_probes([Probe("p", "broken", broken)], {})
    assert not result.passed and "KeyError" in result.detail


def test_a_probe_that_takes_two_arguments_reads_the_config() -> None:
    """Probes, like measures, read the run's config instead of copies of it in the measurements."""

    def declared(m: Any, config: Any) -> ProbeOutcome:
        return ProbeOutcome(m["steps"] <= config["max_steps"], f"{m['steps']} of {config['max_steps']}")

    (ok,) = run_probes([Probe("p", "within the cap", declared)], {"steps": 5}, {"max_steps": 10})
    (over,) = run_probes([Probe("p", "within the cap", declared)], {"steps": 50}, {"max_steps": 10})
    assert ok.passed and ok.detail == "5 of 10" and not over.passed


def test_a_claim_whose_measurement_fails_is_inconclusive() -> None:
    claims = [Claim("c", "x", "src", lambda m: est(m["missing"]), AtLeast(1))]
    (result,) = judge_claims(claims, {}, [])
    assert result.verdict == "inconclusive" and "KeyError" in result.reason


def test_a_long_curve_is_shown_by_its_ends() -> None:
    from skeptic.core.claims import describe_measured

    assert describe_measured([est(float(i)) for i in range(10)]) == "0, 1, …, 8, 9 (10 points)"
    assert describe_measured([est(1.0, 0.5), est(2.0)]) == "1 [0.5, 1.5], 2"


def test_comparisons_over_several_estimates() -> None:
    from skeptic.core.claims import AllAtLeast, AllAtMost, AllBetween

    inside, straddle, outside = Estimate(0.5, 0.4, 0.6, "t"), Estimate(0.9, 0.7, 1.1, "t"), Estimate(2, 1.5, 2.5, "t")
    assert AllBetween(0, 1).evaluate([inside])[0] == "replicated"
    assert AllBetween(0, 1).evaluate([inside, straddle])[0] == "inconclusive"
    assert AllBetween(0, 1).evaluate([inside, straddle, outside])[0] == "not_replicated"
    assert AllAtLeast(0.3).evaluate([inside, straddle])[0] == "replicated"
    assert AllAtLeast(1.0).evaluate([straddle])[0] == "inconclusive"
    assert AllAtLeast(1.2).evaluate([straddle])[0] == "not_replicated"
    assert AllAtMost(1.2).evaluate([inside, outside])[0] == "not_replicated"
    assert AllAtMost(1.2).evaluate([])[0] == "inconclusive"
    assert AllAtLeast(0).evaluate([Estimate(float("nan"), 0, 1, "t")])[0] == "inconclusive"


# --- the declarations a claim needs to be shown able to fail (issue 26) -----------------------------------


class _Cfg(StudyConfig):
    steps: int = 10
    """Training steps."""
    lr: float = 0.1
    """Learning rate."""
    name: str = "a"
    """A label."""


def test_a_measure_taking_two_arguments_sees_the_config() -> None:
    claim = Claim("c", "s", "Table 1", lambda m, config: Estimate.exact(m["x"] * config.steps), AtLeast(50))
    (result,) = judge_claims([claim], {"x": 6.0}, [], _Cfg())
    assert result.measured == "60" and result.verdict == "replicated"


def test_the_raw_verdict_survives_a_failed_probe() -> None:
    claim = Claim("c", "s", "Table 1", lambda m: Estimate.exact(1.0), AtLeast(2))
    (result,) = judge_claims([claim], {}, [ProbeResult("p", "d", False, "broke")])
    assert result.verdict == "untrusted" and result.raw_verdict == "not_replicated" and not result.trusted


def test_a_band_reports_whether_the_verdict_holds_across_the_readers_thresholds() -> None:
    def claim(value: float) -> Claim:
        return Claim(
            "c", "s", "Table 1", lambda m: Estimate.exact(value), AtLeast(10), "ours", band=(AtLeast(5), AtLeast(20))
        )

    (stable,) = judge_claims([claim(30.0)], {}, [])
    (dependent,) = judge_claims([claim(12.0)], {}, [])
    assert stable.line_stable is True and stable.band_verdicts == ("replicated", "replicated")
    assert dependent.line_stable is False and dependent.band_verdicts == ("replicated", "not_replicated")
    (no_band,) = judge_claims([Claim("c", "s", "Table 1", lambda m: Estimate.exact(1.0), AtLeast(0))], {}, [])
    assert no_band.line_stable is None and no_band.to_dict()["line_stable"] is None


def test_quotes_and_contrasts_are_validated() -> None:
    assert Quote("we prove it", "arXiv 1611.03530v2, §1.1").verified
    assert not Quote.unverified("arXiv 1611.03530v2, §1.1", "the rendering is not reachable").verified
    with pytest.raises(ValueError):
        Quote("", "arXiv 1611.03530v2, §1.1")
    with pytest.raises(ValueError):
        Quote.unverified("arXiv 1611.03530v2", "")
    with pytest.raises(ValueError):
        Contrast("light", {"tail": "normal"}, "untrusted", "the error is light-tailed here")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Contrast("light", {}, "not_replicated", "the error is light-tailed here")
