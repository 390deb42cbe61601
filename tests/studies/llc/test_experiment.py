"""The llc study's sections (``experiment.py``), each run alone with a fake context on small settings."""

from __future__ import annotations

from typing import Any, cast

import pytest
import torch

from skeptic.studies.llc import experiment as ex
from skeptic.studies.llc import experiments
from skeptic.studies.llc.config import PRESETS
from skeptic.study import RunContext, torch_threads


class FakeContext:
    """Records the stream names a section asks for; every stream gets the same seed."""

    seed = 0
    device = "cpu"

    def __init__(self) -> None:
        self.streams: list[str] = []

    def seed_for(self, *key: str | int) -> int:
        self.streams.append("/".join(map(str, key)))
        return 7

    def log(self, message: str) -> None:
        pass


def _small() -> Any:
    """The test preset with chains short enough for a unit test."""
    return PRESETS["test"].model_copy(update={"n": 200, "num_chains": 2, "num_draws": 12, "num_burnin": 4})


def _problems(n: int) -> list[Any]:
    g = torch.Generator().manual_seed(0)
    return [experiments.build_problem(k, shape, r, n, g) for k, shape, r in experiments.TABLES["tiny"]]


def test_settings_carry_the_config() -> None:
    config = PRESETS["quick"]
    s = ex.settings(config)
    assert (s.epsilon_times_nbeta, s.gamma, s.num_chains, s.num_draws, s.num_burnin, s.batch_size) == (
        config.epsilon_times_nbeta,
        config.gamma,
        config.num_chains,
        config.num_draws,
        config.num_burnin,
        config.batch_size,
    )
    assert (s.epsilon_rule, s.nbeta_rule) == (config.epsilon_rule, config.nbeta_rule) == ("curvature", "n")


def test_clock_keeps_wall_and_cpu_seconds_per_section_then_the_total() -> None:
    clock = ex.Clock()
    with clock("table"):
        pass
    with clock("tms"):
        pass
    timing = clock.timing()
    assert list(timing) == ["table_s", "table_cpu_s", "tms_s", "tms_cpu_s", "total_s", "total_cpu_s"]
    assert all(v >= 0 for v in timing.values())


def test_first_dln_is_the_tables_first_reduced_rank_regression() -> None:
    problems = _problems(100)
    target = ex.first_dln(problems)
    assert target.family == "reduced-rank regression" and target is problems[3]  # 6-4-3, r = 2: the tiny table's 4th
    with pytest.raises(StopIteration):
        ex.first_dln(problems[:3])


def test_crosscheck_reads_the_targets_row_and_its_own_stream() -> None:
    config = _small()
    target = ex.first_dln(_problems(config.n))
    row = {"name": target.name, "epsilon": 1e-4, "nbeta": 50.0, "llc": 1.5, "llc_se": 0.1, "top_curvature": 1.0}
    ctx = FakeContext()
    with torch_threads(1):  # as the study runs it: tiny models
        both = ex.crosscheck(config, target, [{"name": "other"}, row], cast(RunContext, ctx))
    out = both["crosscheck"]
    assert ctx.streams == ["crosscheck", "step"]
    assert [r["name"] for r in both["sampler_steps"]] == [target.name] * 2 and both["sampler_steps"][0]["nbeta"] == 50
    assert (out["name"], out["ours"], out["ours_se"], out["exact"]) == (target.name, 1.5, 0.1, target.exact)


def test_rescaling_section_names_its_stream_and_keeps_the_function() -> None:
    config = _small()
    target = ex.first_dln(_problems(config.n))
    ctx = FakeContext()
    with torch_threads(1):
        out = ex.rescaling(config, ex.settings(config), target, cast(RunContext, ctx))["rescaling"]
    assert ctx.streams == ["rescaling"]
    assert out["c"] == config.rescale_factor and out["name"] == target.name
    assert out["max_output_change"] < 1e-5  # layer 1 × c, layer 2 / c: the same function


def test_nc_gamma_localizes_only_the_normal_crossings_and_raises_their_target() -> None:
    config = _small().model_copy(update={"n": 1000})
    s = ex.settings(config)
    with torch_threads(1):
        rows, _ = experiments.validation_table("tiny", config.n, s, seed=3, nc_gamma=1.0)
    nc = [r for r in rows if r["family"] == "normal crossing"]
    assert nc and all(r["gamma"] == 1.0 for r in nc)
    assert all(r["gamma"] == config.gamma for r in rows if r["family"] != "normal crossing")
    # x·w₂ (w₁ free): the finite target at γ = 1 is closer to λ = ½ than at the study's γ = 10
    assert nc[0]["finite_target"] == pytest.approx(nc[0]["finite_target_gamma1"])
    assert 0.98 * 0.5 < nc[0]["finite_target"] < 0.5


def test_minibatch_noise_reuses_the_tables_row_for_its_configured_setting_only() -> None:
    config = _small().model_copy(update={"n": 200, "batch_size": 32})
    s = ex.settings(config)
    noisy = next(p for p in _problems(config.n) if p.noise)
    with torch_threads(1):
        row = experiments.estimate_row(noisy, s, seed=5)
        fresh = experiments.minibatch_noise(noisy, s, seed=9)
        reused = experiments.minibatch_noise(noisy, s, seed=9, table_row=row)
        other = experiments.minibatch_noise(noisy, s, seed=9, table_row=row | {"name": "another model"})
    assert [r["setting"] for r in reused] == ["n/log n, minibatch", "n/log n, full batch", "B/log B, minibatch"]
    # the configured setting is the table's row itself; the other two are estimated as before, from their own seeds
    assert (reused[0]["llc"], reused[0]["llc_se"], reused[0]["epsilon"]) == (row["llc"], row["llc_se"], row["epsilon"])
    assert reused[0]["llc"] != fresh[0]["llc"]
    assert reused[1:] == fresh[1:]
    assert other == fresh  # a row of another model is never taken for this one
