"""The study's sections (``experiment.py``) alone, on hand-made inputs or the test preset."""

import pytest
import torch

from skeptic.studies.superposition import experiment as ex
from skeptic.studies.superposition import toy
from skeptic.studies.superposition.config import PRESETS


def test_plateaus_mark_the_sticky_fraction_and_the_chance_of_hitting_one() -> None:
    rows = [
        {"density": 0.05, "seed": 0, "D_model": 0.41},  # 0.01 from 2/5
        {"density": 0.2, "seed": 0, "D_model": 0.55},  # 0.05 from 1/2: on no plateau
        {"density": 1.0, "seed": 0, "D_model": 0.98},  # 0.02 from 1
    ]
    out = ex.plateaus(rows)
    assert [p["plateau"] for p in out["plateau_points"]] == [0.4, None, 1.0]
    # ±0.03 around 1, 3/4, 2/3, 1/2, 2/5, 3/8 inside [0.41, 0.98]: 0.02 + 0.06 + 0.06 + 0.06 + 0.01 of 0.57
    assert out["chance_model"] == pytest.approx(0.21 / 0.57)
    # inside [0, 1]: 0.03 (at 1) + 0.06 × 3 + [0.345, 0.43] = 0.085
    assert out["chance_features"] == pytest.approx(0.03 + 0.18 + 0.085)
    assert out["sticky_tol"] == 0.03 and out["represented_threshold"] == 0.5


def test_sparsest_takes_every_seed_of_the_first_density() -> None:
    config = PRESETS["test"].model_copy(update={"dim_densities": (0.05, 0.2, 1.0), "n_seeds": 2})
    B, m, n = 6, config.dim_m, config.dim_n
    W = torch.arange(B, dtype=torch.float32)[:, None, None].expand(B, m, n).clone()  # model i is filled with i
    res = toy.ToyResult(W, torch.zeros(B, n), torch.zeros(B), torch.zeros(B), W.clone())
    assert ex.sparsest(config, res)[:, 0, 0].tolist() == [0.0, 1.0]


def test_density_check_realizes_the_configured_densities() -> None:
    rows = ex.density_check(PRESETS["test"], seed=0)
    samplers = {r["sampler"] for r in rows}
    assert {"toy", "toy correlated", "toy anticorrelated", "sae", "sae correlated"} <= samplers
    for r in rows:
        # an anticorrelated pair is never on together: density 0 and SE 0, so it must be exactly 0
        assert abs(r["measured"] - r["density"]) <= 5 * r["se"], r


def test_density_check_se_is_the_spread_of_the_share_over_draws() -> None:
    """The SE a density row states is the standard deviation of its measured share over independent draws: the two
    members of a correlated pair are one gate (a share of n entries varies as p(1 − p)/(n/2), √2 more than n
    independent entries), an anticorrelated pair has one member on with probability 2p (p(1 − 2p)/n, less)."""
    config = PRESETS["test"].model_copy(update={"eval_samples": 256})
    shares: dict[str, list[float]] = {"toy correlated": [], "toy anticorrelated": [], "toy": []}
    stated: dict[str, float] = {}
    for seed in range(400):
        for r in ex.density_check(config, seed=seed):
            if r["sampler"] in shares and (r["sampler"] != "toy" or abs(r["density"] - 0.02) < 1e-6):
                shares[r["sampler"]].append(r["measured"])
                stated[r["sampler"]] = r["se"]
    for name, vals in shares.items():
        sd = float(torch.tensor(vals, dtype=torch.float64).std())
        # 400 draws: the sample SD is within ~7% (1 SE of an SD) of the truth; 20% is > 2.8 of its SEs
        assert sd == pytest.approx(stated[name], rel=0.2), (name, sd, stated[name])
