"""The study's math against known answers: SAE metrics, toy-model geometry and the linear model's optimum."""

import math

import numpy as np
import pytest
import torch

from skeptic.studies.superposition import sae, toy
from skeptic.studies.superposition.calibration import calibrate
from skeptic.studies.superposition.experiment import region


def test_explained_variance_hand_case() -> None:
    # x̄ = (3, 4): Σ‖x − x̄‖² = 16; residual 1 -> 15/16. The uncentered version would give 1 − 1/91.
    x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    x_hat = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 5.0]])
    assert sae.explained_variance(x, x_hat) == pytest.approx(15 / 16)
    assert sae.explained_variance(x, x) == 1.0
    # predicting the mean explains nothing; an offset everywhere is not "explained"
    assert sae.explained_variance(x, np.tile(x.mean(0), (3, 1))) == pytest.approx(0.0)
    assert sae.explained_variance(x, x + 1.0) == pytest.approx(1 - 6 / 16)


def test_mmcs_is_over_true_features_and_scale_free() -> None:
    true = np.array([[1.0, 0.0], [0.0, 1.0]])
    learned = np.array([[2.0, 0.0], [1.0, 0.0], [0.6, 0.8]])
    assert sae.mmcs(true, learned) == pytest.approx(0.9)
    assert sae.mmcs(learned, true) == pytest.approx((1 + 1 + 0.8) / 3)
    assert sae.mmcs(true, np.zeros((0, 2))) == 0.0


def test_hungarian_is_one_to_one() -> None:
    true = np.array([[1.0, 0.0], [0.8, 0.6]])
    learned = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert sae.matched_recovery(true, learned) == pytest.approx((0.8, 0.5))
    # MMCS lets both true features use the first latent
    assert sae.mmcs(true, learned) == pytest.approx(0.9)
    # a permuted, rescaled copy is recovered exactly
    rng = np.random.default_rng(0)
    F = rng.normal(size=(6, 4))
    assert sae.matched_recovery(F, 3 * F[::-1]) == pytest.approx((1.0, 1.0))
    # fewer latents than features: the unmatched feature counts 0
    assert sae.matched_recovery(np.eye(3), np.eye(3)[:2])[0] == pytest.approx(2 / 3)


def test_l0_dead_and_duplicates() -> None:
    codes = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [3.0, 2.0, 0.0]])
    assert sae.l0(codes) == 1.0
    assert sae.dead_latents(codes) == 1
    dup = np.array([[1.0, 0.0], [0.99, math.sqrt(1 - 0.99**2)], [0.0, 1.0]])
    assert sae.duplicated_share(np.eye(2), dup) == 0.5


def test_dimensions_per_feature_known_geometries() -> None:
    ang = 2 * math.pi * torch.arange(5, dtype=torch.float64) / 5
    pentagon = torch.stack([torch.cos(ang), torch.sin(ang)])[None]
    assert torch.allclose(toy.dimensions_per_feature(pentagon), torch.full((1, 5), 0.4, dtype=torch.float64))
    assert float(toy.model_dimensions_per_feature(pentagon)[0]) == pytest.approx(0.4)
    # orthogonal features: one dimension each; a triangle in 2-d: 2/3; a dropped feature: 0
    assert torch.allclose(
        toy.dimensions_per_feature(torch.eye(3, dtype=torch.float64)[None]), torch.ones(1, 3, dtype=torch.float64)
    )
    ang3 = 2 * math.pi * torch.arange(3, dtype=torch.float64) / 3
    tri = torch.stack([torch.cos(ang3), torch.sin(ang3)])[None]
    assert torch.allclose(toy.dimensions_per_feature(tri), torch.full((1, 3), 2 / 3, dtype=torch.float64))
    W = torch.tensor([[[1.0, 0.0], [0.0, 0.0]]], dtype=torch.float64)
    assert toy.dimensions_per_feature(W)[0].tolist() == [1.0, 0.0]


def test_interference_zero_for_orthogonal_and_one_for_antipodal() -> None:
    assert torch.allclose(toy.interference(torch.eye(2)[None]), torch.zeros(1, 2))
    assert torch.allclose(toy.interference(torch.tensor([[[1.0, -1.0]]])), torch.ones(1, 2))


def test_linear_expected_loss_matches_simulation() -> None:
    gen = torch.Generator().manual_seed(0)
    W = torch.randn(1, 2, 4, generator=gen) * 0.5
    b = torch.randn(1, 4, generator=gen) * 0.1
    p, imp = torch.tensor([0.3]), torch.tensor([[1.0, 0.9, 0.5, 0.2]])
    x = toy.sample_features(p, 400_000, 4, gen)
    mc = toy.weighted_loss(x, toy.forward(W, b, x, torch.tensor([True])), imp)
    assert float(mc[0]) == pytest.approx(float(toy.linear_expected_loss(W, b, p, imp)[0]), rel=0.01)


def test_linear_optimum_closed_form() -> None:
    # v = p/3 − p²/4 at p = 0.5: 1/6 − 1/16 = 5/48; drop the two least important of (1, .5, .25, .125)
    assert toy.linear_optimum_loss(4, 2, 0.5, torch.tensor([1.0, 0.5, 0.25, 0.125])) == pytest.approx(5 / 48 * 0.375)
    # the optimal W (projection on the top m coordinates, b = the means) attains it
    W = torch.zeros(1, 2, 4)
    W[0, 0, 0] = W[0, 1, 1] = 1.0
    b = torch.tensor([[0.0, 0.0, 0.25, 0.25]])
    got = toy.linear_expected_loss(W, b, torch.tensor([0.5]), torch.tensor([[1.0, 0.5, 0.25, 0.125]]))
    assert float(got[0]) == pytest.approx(5 / 48 * 0.375)


def test_linear_next_best_is_the_best_wrong_set_of_features() -> None:
    # v = 5/48 at p = 0.5; importances (1, .5, .25, .125), m = 2: the optimum drops {.25, .125}; the next best
    # critical point stores {1, .25} and drops {.5, .125}: loss v · 0.625; m ≥ n: drop only the least important
    imp = torch.tensor([1.0, 0.5, 0.25, 0.125])
    assert toy.linear_next_best_loss(4, 2, 0.5, imp) == pytest.approx(5 / 48 * 0.625)
    assert toy.linear_next_best_loss(4, 4, 0.5, imp) == pytest.approx(5 / 48 * 0.125)
    assert toy.linear_next_best_loss(4, 2, 0.5, torch.ones(4)) == pytest.approx(
        toy.linear_optimum_loss(4, 2, 0.5, torch.ones(4))
    )
    # the projection on that wrong set attains it
    W = torch.zeros(1, 2, 4)
    W[0, 0, 0] = W[0, 1, 2] = 1.0
    b = torch.tensor([[0.0, 0.25, 0.0, 0.25]])
    got = toy.linear_expected_loss(W, b, torch.tensor([0.5]), imp[None])
    assert float(got[0]) == pytest.approx(5 / 48 * 0.625)


def test_trained_linear_models_reach_the_optimum() -> None:
    density = torch.tensor([1.0, 0.3])
    imp = torch.tensor([[1.0, 0.7, 0.4, 0.2]] * 2)
    res = toy.train_toy_models(4, 2, density, imp, linear=torch.tensor([True, True]), steps=600, batch=256, lr=0.05)
    exact = toy.linear_expected_loss(res.W, res.b, density, imp)
    for i, p in enumerate(density.tolist()):
        opt = toy.linear_optimum_loss(4, 2, p, imp[i])
        assert opt <= float(exact[i]) <= 1.03 * opt


def test_batched_gradients_are_per_model() -> None:
    """Summing the models' losses gives each slice exactly its own model's gradient (Adam then trains each alone)."""
    gen = torch.Generator().manual_seed(1)
    W = torch.randn(3, 2, 5, generator=gen, requires_grad=True)
    b = torch.zeros(3, 5, requires_grad=True)
    x = toy.sample_features(torch.tensor([0.1, 0.5, 1.0]), 64, 5, gen)
    imp = torch.rand(3, 5, generator=gen)
    toy.weighted_loss(x, toy.forward(W, b, x), imp).sum().backward()  # type: ignore[no-untyped-call]
    assert W.grad is not None
    for i in range(3):
        Wi = W.detach()[i : i + 1].clone().requires_grad_()
        toy.weighted_loss(
            x[i : i + 1], toy.forward(Wi, b.detach()[i : i + 1], x[i : i + 1]), imp[i : i + 1]
        ).sum().backward()  # type: ignore[no-untyped-call]
        assert Wi.grad is not None
        assert torch.allclose(W.grad[i], Wi.grad[0], atol=1e-6)


def test_sampler_density() -> None:
    gen = torch.Generator().manual_seed(2)
    x = toy.sample_features(torch.tensor([0.05, 0.5]), 20_000, 10, gen)
    assert float((x[0] > 0).float().mean()) == pytest.approx(0.05, abs=0.003)
    assert float((x[1] > 0).float().mean()) == pytest.approx(0.5, abs=0.01)
    a = sae.sample_codes(torch.tensor([0.2, 0.2]), 1000, 6, gen, one_hot=torch.tensor([False, True]))
    assert ((a[1] > 0).sum(-1) == 1).all()


def test_topk_keeps_k_codes() -> None:
    gen = torch.Generator().manual_seed(3)
    d, h = 4, 6
    W_enc = torch.randn(2, d, h, generator=gen)
    r = sae.SAEResult(
        W_enc, torch.ones(2, h), torch.randn(2, h, d, generator=gen), torch.zeros(2, d), torch.tensor([h, h])
    )
    x = torch.randn(2, 50, d, generator=gen)
    c = sae.encode(r, x, torch.tensor([2, h]))
    assert ((c[0] > 0).sum(-1) <= 2).all()
    assert torch.equal(c[1], sae.encode(r, x)[1])


def test_sae_recovers_one_sparse_data() -> None:
    """Data that are their own dictionary (one active feature per sample) are recovered exactly by a 2x dictionary."""
    F = torch.eye(4)[None]
    res = sae.train_saes(F, torch.tensor([1.0]), torch.tensor([8]), torch.tensor([1.0]),
                         one_hot=torch.tensor([True]), steps=400, batch=128, lr=0.02)  # fmt: skip
    assert sae.matched_recovery(F[0].numpy(), res.W_dec[0].numpy())[0] > 0.97


def test_region_labels() -> None:
    assert region([1.0, -0.9]) == "superposition"
    assert region([1.0, 0.9]) == "both-same-sign"
    assert region([1.0, 0.1]) == "feature 1"
    assert region([0.0, -1.0]) == "feature 2"
    assert region([0.1, 0.1]) == "none"


def test_plateau_coverage_and_calibration() -> None:
    assert toy.plateau_coverage((0.5,), 0.1, 0.0, 1.0) == pytest.approx(0.2)
    assert toy.plateau_coverage((0.4, 0.45), 0.05, 0.0, 1.0) == pytest.approx(0.15)  # overlapping windows merge
    assert toy.plateau_coverage((0.5,), 0.1, 0.45, 0.65) == pytest.approx(0.75)
    for name, c in calibrate().items():
        assert c["computed"] == pytest.approx(c["expected"], abs=1e-9), name


def test_public_module_reexports() -> None:
    from skeptic import superposition as sp

    assert sp.mmcs is sae.mmcs and sp.train_toy_models is toy.train_toy_models
    assert set(sp.__all__) <= set(dir(sp))


def test_feature_structures() -> None:
    """Correlated pairs fire together, anticorrelated pairs never do, both keep density p; one-hot has one feature."""
    gen = torch.Generator().manual_seed(4)
    st = torch.tensor([toy.INDEPENDENT, toy.CORRELATED, toy.ANTICORRELATED, toy.ONE_HOT])
    x = toy.sample_features(torch.full((4,), 0.2), 40_000, 6, gen, structure=st) > 0
    pair = x[:, :, 0::2] & x[:, :, 1::2]
    for i in range(3):
        assert float(x[i].float().mean()) == pytest.approx(0.2, abs=0.004)
    assert float(pair[0].float().mean()) == pytest.approx(0.04, abs=0.003)  # independent: p²
    assert float(pair[1].float().mean()) == pytest.approx(0.2, abs=0.004)  # correlated: p
    assert not bool(pair[2].any())  # anticorrelated: never
    assert bool((x[1, :, 0::2] == x[1, :, 1::2]).all())
    assert bool((x[3].sum(-1) == 1).all())


def test_onehot_loss_matches_simulation_and_hand_cases() -> None:
    gen = torch.Generator().manual_seed(5)
    W = torch.randn(1, 2, 5, generator=gen, dtype=torch.float64)
    b = torch.randn(1, 5, generator=gen, dtype=torch.float64) * 0.3
    x = toy.sample_features(torch.ones(1), 400_000, 5, gen, structure=torch.tensor([toy.ONE_HOT])).double()
    mc = toy.weighted_loss(x, toy.forward(W, b, x), torch.ones(1, 5, dtype=torch.float64))
    assert float(mc[0]) == pytest.approx(float(toy.onehot_expected_loss(W, b)[0]), rel=0.01)
    # an output that is always on with slope 1 and offset c: ∫ (u − (u + c))² = c²; others see ReLU(0 + c)² = c²
    W1 = torch.ones(1, 1, 1, dtype=torch.float64)
    assert float(toy.onehot_expected_loss(W1, torch.full((1, 1), 0.2, dtype=torch.float64))[0]) == pytest.approx(0.04)


def test_kgons_are_critical_points_with_known_losses() -> None:
    n = 6
    crit = {c["k"]: c for c in toy.kgon_critical_points(n)}
    for k in (2, 3, 4):  # no interference: only the absent features cost, (1/n)(1/3 − 1/(4n)) each
        assert crit[k]["loss"] == pytest.approx((n - k) / n * (1 / 3 - 1 / (4 * n)), abs=1e-9)
    assert all(c["max_grad"] < 1e-6 for c in crit.values())
    assert crit[6]["loss"] < crit[5]["loss"] < crit[4]["loss"]  # more sides, lower loss (Chen et al.)
    assert crit[6]["bias"] < 0  # the crowded hexagon needs a negative bias to cut interference
    # a perturbed k-gon is not stationary
    W, b = toy.kgon(n, 5, crit[5]["length"], crit[5]["bias"], crit[5]["absent_bias"])
    W[0, 0, 0] += 0.05
    W.requires_grad_()
    (g,) = torch.autograd.grad(toy.onehot_expected_loss(W, b)[0], W)
    assert float(g.abs().max()) > 1e-3


def test_polygon_regularity() -> None:
    W, _ = toy.kgon(6, 5, 1.0, 0.0, 0.0)
    stored = W[0].norm(dim=0) > 0.5
    assert toy.polygon_regularity(W[0], stored) == pytest.approx(0.0, abs=1e-9)
    W[0, :, 0] = torch.tensor([math.cos(0.2), math.sin(0.2)])
    assert toy.polygon_regularity(W[0], stored) == pytest.approx(0.2, abs=1e-6)  # float32 torch.tensor
    assert toy.polygon_regularity(W[0], torch.tensor([True] + [False] * 5)) == math.inf


def test_copula_keeps_density_and_sets_the_joint_rate() -> None:
    from scipy.stats import multivariate_normal, norm

    gen = torch.Generator().manual_seed(6)
    p, rho = 0.1, 0.6
    a = sae.sample_codes(torch.tensor([p, p]), 50_000, 8, gen, correlation=torch.tensor([rho, 0.0])) > 0
    assert float(a[0].float().mean()) == pytest.approx(p, abs=0.003)
    t = float(norm.ppf(p))
    joint = float(multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([t, t]))
    assert float((a[0, :, 0] & a[0, :, 1]).float().mean()) == pytest.approx(joint, abs=0.003)
    assert float((a[0, :, 0] & a[0, :, 4]).float().mean()) == pytest.approx(p * p, abs=0.002)  # other block
    assert float((a[1, :, 0] & a[1, :, 1]).float().mean()) == pytest.approx(p * p, abs=0.002)  # ρ = 0: independent


def test_data_groups_share_samples_and_must_share_data() -> None:
    gen = torch.Generator().manual_seed(7)
    F = sae.random_features(6, 4, gen)
    feats = torch.stack([F, F, sae.random_features(6, 4, gen)])
    with pytest.raises(ValueError, match="data group"):
        sae.train_saes(feats, torch.full((3,), 0.2), torch.tensor([6, 12, 6]), torch.full((3,), 0.1), steps=2,
                       batch=8, data_group=torch.tensor([0, 0, 0]))  # fmt: skip
    # sizes 6 and 12 on the same data in one group, and one model alone: every model gets its own size back
    r = sae.train_saes(feats, torch.full((3,), 0.2), torch.tensor([6, 12, 6]), torch.full((3,), 0.1), steps=20,
                       batch=16, data_group=torch.tensor([0, 0, 1]))  # fmt: skip
    assert r.W_dec.shape == (3, 12, 4)
    assert torch.allclose(r.W_dec[1].norm(dim=-1), torch.ones(12), atol=1e-5)
    assert bool((r.W_dec[0, 6:] == 0).all()) and bool((r.W_enc[2, :, 6:] == 0).all())


def test_large_sweeps_train_in_slices_each_from_a_drawn_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``toy.STACK_BYTES`` a sweep trains in slices: slice k is exactly what training its models alone with the
    k-th seed drawn from the sweep's generator gives, and the pieces come back in order (history included)."""
    dens = torch.tensor([0.1, 0.3, 0.5, 1.0])
    imp = torch.ones(4, 6)
    kw = {"steps": 5, "batch": 16, "lr": 0.05, "eval_batch": 64, "checkpoints": (3,)}
    monkeypatch.setattr(toy, "STACK_BYTES", 2 * 4 * 16 * 6)  # two models per slice
    res = toy.train_toy_models(6, 2, dens, imp, seed=11, **kw)  # type: ignore[arg-type]
    gen = torch.Generator().manual_seed(11)
    for part in (slice(0, 2), slice(2, 4)):
        seed = int(torch.randint(0, 2**62, (1,), generator=gen))
        alone = toy.train_toy_models(6, 2, dens[part], imp[part], seed=seed, **kw)  # type: ignore[arg-type]
        assert torch.equal(res.W[part], alone.W) and torch.equal(res.loss[part], alone.loss)
        assert torch.equal(res.history[0][1][part], alone.history[0][1])
    assert res.W.shape == (4, 2, 6) and res.history[0][0] == 3


def test_toy_trainer_records_what_it_trained_and_its_schedule() -> None:
    res = toy.train_toy_models(3, 2, torch.tensor([0.1, 1.0]), torch.ones(2, 3), steps=40, batch=32, lr=0.1,
                               seed=0, eval_batch=64)  # fmt: skip
    st = res.settings
    assert (st["n"], st["m"], st["steps"], st["batch"], st["recipe"], st["optimizer"]) == (3, 2, 40, 32, "fast", "Adam")
    assert st["density"] == pytest.approx([0.1, 1.0]) and st["importance"] == [[1.0] * 3] * 2
    # the learning rate of update t is lr·½(1 + cos(π (t−1)/T)) at each recorded step
    assert [t for t, _ in st["lr_trace"]] == [1, 10, 20, 30, 40]
    for t, lr in st["lr_trace"]:
        assert lr == pytest.approx(0.1 * 0.5 * (1 + math.cos(math.pi * (t - 1) / 40)))
    assert np.shape(st["loss_windows"]) == (2, toy.LOSS_WINDOWS) == np.shape(st["loss_window_se"])
    ref = toy.train_toy_models(3, 2, torch.tensor([1.0]), torch.ones(1, 3), steps=8, batch=8, lr=1e-3,
                               recipe="reference", eval_batch=16)  # fmt: skip
    assert ref.settings["optimizer"] == "AdamW" and all(lr == 1e-3 for _, lr in ref.settings["lr_trace"])


def test_sae_trainer_keeps_unit_decoder_rows_and_records_its_schedule() -> None:
    gen = torch.Generator().manual_seed(0)
    F = sae.random_features(4, 3, gen)[None]
    res = sae.train_saes(F, torch.tensor([0.3]), torch.tensor([4]), torch.tensor([0.1]), steps=16, batch=16, lr=0.01)
    assert res.W_dec[0].norm(dim=-1).tolist() == pytest.approx([1.0] * 4, abs=1e-5)
    assert res.settings["sizes"] == [4] and res.settings["steps"] == 16 and res.settings["optimizer"] == "Adam"
    assert res.settings["lr_trace"][-1][1] == pytest.approx(0.01 * 0.5 * (1 + math.cos(math.pi * 15 / 16)))


def test_exact_chance_levels_known_answers() -> None:
    # d = 3: the cosine with a random direction is uniform on [-1, 1] (Archimedes), so the largest of h has mean
    # (h - 1)/(h + 1) and P(cos > 0.9) = 0.05
    for h in (1, 2, 5, 16):
        assert sae.chance_mmcs(h, 3) == pytest.approx((h - 1) / (h + 1), abs=1e-9)
    q = 0.05
    assert sae.chance_duplicated(4, 3) == pytest.approx(1 - (1 - q) ** 4 - 4 * q * (1 - q) ** 3, abs=1e-12)
    assert sae.chance_duplicated(1, 8) == 0.0
    # other shapes against simulation
    rng = np.random.default_rng(1)
    for h, d in ((2, 2), (16, 8), (64, 32)):
        f = rng.standard_normal(d)
        draws = [sae.cosine_matrix(f[None, :], rng.standard_normal((h, d))).max() for _ in range(20_000)]
        assert sae.chance_mmcs(h, d) == pytest.approx(float(np.mean(draws)), abs=4 * np.std(draws) / np.sqrt(20_000))
    assert sae.chance_mmcs(16, 8) > sae.chance_mmcs(8, 8) + 0.1  # why the size claims subtract it at d = 8
    assert sae.chance_mmcs(64, 32) - sae.chance_mmcs(32, 32) < 0.05
