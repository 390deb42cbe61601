"""The declarations a claim needs to be shown able to fail (issue 26) and the run context's streams (issue 27)."""

import numpy as np
import pytest

from skeptic.core import AtLeast, Budget, Claim, Contrast, Estimate, Quote, StudyConfig
from skeptic.core.claims import ProbeResult, judge_claims
from skeptic.core.runner import _Context


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


def test_a_budget_scales_numeric_knobs_and_sets_others() -> None:
    budget = Budget(scale={"steps": 4, "lr": 0.5}, set={"name": "b"})
    assert budget.overrides(_Cfg()) == {"steps": 40, "lr": 0.05, "name": "b"}
    with pytest.raises(TypeError):
        Budget(scale={"name": 2}).overrides(_Cfg())
    with pytest.raises(ValueError):
        Budget()


def test_the_context_names_every_stream() -> None:
    ctx = _Context(seed=3, preset="test", console=None)
    assert ctx.seed_for("a") == _Context(3, "test", None).seed_for("a")
    assert ctx.seed_for("a") != ctx.seed_for("b") and ctx.seed_for("a") != _Context(4, "test", None).seed_for("a")
    assert 0 <= ctx.seed_for("a") < 2**63
    same = [np.asarray(ctx.rng("x", 1).normal(size=3)) for _ in range(2)]
    assert np.array_equal(*same)
    torch = pytest.importorskip("torch")
    g1, g2 = ctx.torch_generator("w"), ctx.torch_generator("w")
    assert torch.equal(torch.rand(3, generator=g1), torch.rand(3, generator=g2))
    with ctx.section("train"):
        pass
    with ctx.section("train"):
        pass
    assert set(ctx.sections_s) == {"train"} and ctx.sections_s["train"] >= 0
