"""``weights-explain-losses`` (issue 33, session 18): each toy model's stored weights must reproduce its own losses.
The held-out audits at seeds 61717 and 85411 found a phase-diagram row read off the previous model's weights, and
k-gon restarts whose dead-bias count used another restart's bias or a turned-round test, all silent."""

from __future__ import annotations

import numpy as np
import torch

from skeptic.studies.superposition import claims, toy


def test_the_quadrature_equals_the_closed_form_one_hot_loss() -> None:
    g = np.random.default_rng(0)
    for _ in range(5):
        W, b = g.normal(0, 0.8, (2, 6)), g.normal(0, 0.3, 6)
        closed = float(toy.onehot_expected_loss(torch.tensor(W)[None], torch.tensor(b)[None])[0])
        assert abs(claims._onehot_loss_quadrature(W, b) - closed) <= 1e-6 * max(closed, 1.0)


def test_the_phase_diagram_loss_equals_a_large_monte_carlo() -> None:
    gen = torch.Generator().manual_seed(1)
    for w, b, density, ratio in (([1.0, -1.0], [0.0, 0.0], 0.1, 1.0), ([0.9, 0.3], [-0.1, 0.05], 0.6, 0.4)):
        x = toy.sample_features(torch.tensor([density]), 400_000, 2, gen)
        W, bb, imp = torch.tensor([[w]]), torch.tensor([b]), torch.tensor([[1.0, ratio]])
        per = ((x - toy.forward(W, bb, x)) ** 2 * imp[:, None, :]).sum(-1)[0].double()
        mc, se = float(per.mean()), float(per.std() / per.numel() ** 0.5)
        assert abs(claims._pd_expected_loss(np.array(w), np.array(b), density, np.array([1.0, ratio])) - mc) < 4 * se


def test_a_row_with_another_models_weights_or_a_wrong_dead_count_fails() -> None:
    crit = toy.kgon_critical_points(4)
    k4 = next(c for c in crit if c["k"] == 4)
    W, b = toy.kgon(4, 4, k4["length"], k4["bias"], 0.0)
    W2, b2 = W[0].numpy(), b[0].numpy()
    run = {"seed": 0, "W": W2.tolist(), "b": b2.tolist(), "absent_dead": 0, "critical_loss": k4["loss"],
           "exact_loss": float(toy.onehot_expected_loss(W, b)[0])}  # fmt: skip
    w, bias, density, ratio = np.array([1.0, -1.0]), np.array([-0.05, -0.05]), 0.1, 0.5
    row = {"ratio": ratio, "density": density, "seed": 0, "w": w.tolist(), "b": bias.tolist(), "eval_se": 1e-4,
           "eval_loss": claims._pd_expected_loss(w, bias, density, np.array([1.0, ratio]))}  # fmt: skip
    m = {"kgon": {"critical": crit, "runs": [run]}, "phase_diagram": [row]}
    out = claims.weights_explain_losses(m)
    assert out.passed, out.detail
    assert not claims.weights_explain_losses(m | {"phase_diagram": [row | {"w": [1.0, 0.0]}]}).passed
    assert not claims.weights_explain_losses(
        m | {"kgon": {"critical": crit, "runs": [run | {"absent_dead": 1}]}}
    ).passed
    assert not claims.weights_explain_losses(m | {"kgon": {"critical": crit, "runs": [run | {"b": [0.3] * 4}]}}).passed


def test_the_saes_record_the_steps_at_which_they_resampled() -> None:
    """sae.py:247's held-out mutant (seed 85411) turned resampling off unseen; trained-as-configured now compares
    the recorded resampling steps with every eighth of the run (at least 10 steps) through its first half."""
    from skeptic.studies.superposition import sae

    feats = torch.nn.functional.normalize(torch.randn(1, 4, 3), dim=-1)
    res = sae.train_saes(feats, torch.tensor([0.2]), torch.tensor([6]), torch.tensor([0.1]), steps=40, batch=16)
    assert res.settings["resample_steps"] == [10, 20]
    off = sae.train_saes(
        feats, torch.tensor([0.2]), torch.tensor([6]), torch.tensor([0.1]), steps=40, batch=16, resample_every=0
    )
    assert off.settings["resample_steps"] == []


def test_the_saes_resample_only_latents_that_were_dead() -> None:
    """sae.py:275's held-out mutant (seed 85411: latent activity tracked only from the last resampling step on)
    resampled live latents unseen; each resampling now records how many of the latents it resampled fire on a fresh
    check batch, and trained-as-configured allows at most RESAMPLED_FIRING_MAX of them."""
    from skeptic.studies.superposition import sae

    torch.manual_seed(0)
    feats = torch.nn.functional.normalize(torch.randn(2, 6, 4), dim=-1)
    res = sae.train_saes(
        feats,
        torch.tensor([0.05, 0.05]),
        torch.tensor([24, 48]),
        torch.tensor([1.0, 1.0]),
        steps=160,
        batch=32,
        lr=0.03,
    )
    rec = res.settings
    assert rec["resample_steps"] == [20, 40, 60, 80]
    assert sum(c[1] for c in rec["resample_check"]) > 20  # it did resample
    assert claims.resampled_were_dead(rec) == []
    live = rec | {"resample_check": [[s, 36, 30, 10, 5] for s in rec["resample_steps"]]}
    assert claims.resampled_were_dead(live)
    # sae.py:286's held-out mutant (seed 24683: every latent counted active, so none was ever resampled)
    assert all(len(c) == 5 and c[4] <= c[3] for c in rec["resample_check"])
    never = rec | {"resample_check": [[s, 0, 0, 40, 40] for s in rec["resample_steps"]]}
    assert claims.resampled_were_dead(never)


def test_the_saes_record_their_feature_correlation() -> None:
    """experiment.py:418's held-out mutant (seed 24683) gave every SAE but the correlated ones ρ = 1, unseen; the
    trainer now records each model's ρ for trained-as-configured."""
    from skeptic.studies.superposition import sae

    feats = torch.nn.functional.normalize(torch.randn(2, 4, 3), dim=-1)
    args = (feats, torch.tensor([0.2, 0.2]), torch.tensor([4, 4]), torch.tensor([0.1, 0.1]))
    assert sae.train_saes(*args, steps=10, batch=16).settings["correlation"] == [0.0, 0.0]
    rho = sae.train_saes(*args, steps=10, batch=16, correlation=torch.tensor([0.0, 0.5])).settings["correlation"]
    assert rho == [0.0, 0.5]


def test_the_chance_check_floors_the_duplicated_share_at_its_binomial_se() -> None:
    """Session 19: at `test` every random dictionary's duplicated share is 0 about four times in five (p = 0.0015 over
    eighty features), and a sample SE of 0 failed sae-chance-exact-vs-draws on clean runs; a wrong exact value fails."""
    row = {"size": 20, "n_true": 10, "chance_dictionary": [[0.0] * 6] * 20, "mmcs_chance": 0.7,
           "mmcs_chance_exact": 0.7, "duplicated_chance": 0.0, "duplicated_chance_exact": 0.0015}  # fmt: skip
    rows = [row | {"mmcs_chance": 0.7 + 0.01 * (-1) ** i} for i in range(8)]
    assert claims.chance_exact_vs_draws({"sae": rows}).passed
    assert not claims.chance_exact_vs_draws({"sae": [r | {"duplicated_chance_exact": 0.2} for r in rows]}).passed
