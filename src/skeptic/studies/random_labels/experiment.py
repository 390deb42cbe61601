"""The random-labels study's sections, in the order ``study.run`` calls them.

Zhang et al. (2017) train the same networks on true labels, on labels corrupted with probability p, on random
labels, and on inputs replaced by shuffled pixels, random pixels or Gaussian noise. Every condition is fit to 100%
training accuracy, so any explanation of generalization that depends only on the hypothesis class (VC dimension,
Rademacher complexity, uniform stability of the class) cannot tell the true-label network from the random-label
one. This study reruns that experiment at laptop scale, with every condition and seed trained as one batched
computation, checks the paper's Theorem 1 construction exactly, and evaluates the complexity measures proposed
since (Bartlett et al.'s spectral margin bound, Neyshabur et al.'s norms and PAC-Bayes sharpness) on every net.

The sections build the training sets (:func:`conditions`), train each model (:func:`train_model`), evaluate it and
compute the complexity measures on every net (:func:`measure_model`), fit true and random labels on smaller training
sets (:func:`size_sweep`), check Theorem 1's construction (:func:`theorem1`) and fit the minimum-norm kernel
interpolants (:func:`min_norm`); :func:`measurements` assembles what the claims, probes and figures read. The math
lives in ``data.py`` (the datasets and conditions), ``nets.py`` (the batched trainer), ``measures.py`` (the complexity
measures), ``theorem.py`` and ``implicit.py``. Every random stream is named through the run context.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from skeptic.studies.random_labels import data, declared, implicit, measures, nets, reeval, trainrecord
from skeptic.studies.random_labels.config import RandomLabelsConfig
from skeptic.studies.random_labels.theorem import fit_any_labels
from skeptic.study import RunContext

REG_VARIANTS_TRUE = ("none", "weight_decay", "dropout", "augmentation", "wd_aug")
"""Table 1 analogue on true labels: each explicit regularizer alone, and weight decay with random shifts together
(``wd_aug``: the combination Table 1 uses on CIFAR-10, where dropout was not used; dropout appears only in Zhang et
al.'s ImageNet experiments, Table 2, and is kept here as a variant of its own)."""
REG_VARIANTS_RANDOM = ("none", "weight_decay", "dropout")
"""Random labels without and with weight decay (Table 1's discussion) and with dropout (Arpit et al. 2017, §5)."""
NOISY_CONDITIONS = ("random_labels", "corrupted")
"""Conditions whose labels differ from the true ones on some examples: their unregularized runs record when each
example is first fit, and Arpit et al.'s clean/noisy medians (§4.2) are read from those steps."""
REFERENCE_WEIGHT_DECAY = 0.05
"""Weight decay of the reference-step check's third net: 100x the paper's, so that a trainer ignoring it differs
from the reference by far more than float32 round-off within a few steps."""
MIN_NORM_BANDWIDTHS = (0.25, 0.5, 1.0)
"""Gaussian-kernel bandwidths for the minimum-norm interpolants, as multiples of the median pairwise distance (the
usual scale, fixed before any run); 1.0 is the one the claim reads, the others are context."""


class Clock:
    """Wall seconds of each section, kept as the ``timing`` measurement (``<name>_s`` and ``total_s``, counted from
    the clock's creation)."""

    def __init__(self) -> None:
        self._t0 = time.perf_counter()
        self._timing: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t = time.perf_counter()
        yield
        self._timing[f"{name}_s"] = time.perf_counter() - t

    def timing(self) -> dict[str, float]:
        return self._timing | {"total_s": time.perf_counter() - self._t0}


def load(config: RandomLabelsConfig) -> data.Dataset:
    """The configured image set with its fixed train/test split."""
    if config.dataset == "digits":
        return data.load_digits_dataset(config.n_train, config.n_test)
    if config.dataset == "mnist":
        return data.load_mnist_dataset(config.n_train, config.n_test)
    if config.dataset == "mnist1d":
        return data.load_mnist1d_dataset(config.n_train, config.n_test)
    assert config.cifar_dir is not None  # the config's validator guarantees it
    return data.load_cifar10_dataset(config.cifar_dir, config.n_train, config.n_test)


def _spec(condition: str, p: float, reg: str) -> dict[str, Any]:
    return {"condition": condition, "p": p, "reg": reg}


@dataclass(frozen=True)
class Conditions:
    """One training set per (condition, seed) of the main experiment, inputs pooled so identical arrays are stored
    once: job ``i`` trains on ``X_pool[pools[i]]`` with ``labels[i]`` and is tested on ``X_test_pool[pools[i]]``."""

    specs: list[dict[str, Any]]
    """Per job: condition, corruption level p, regularizer ("none") and seed index."""
    labels: list[np.ndarray]
    pools: list[int]
    X_pool: torch.Tensor
    X_test_pool: torch.Tensor
    y_test: torch.Tensor
    seeds: list[int]
    """The network seed (initialization and minibatch order) of each seed index, from the ``network`` stream."""
    base_true: dict[int, np.ndarray]
    """True labels per seed index (the regularizer variants and the size sweep train on them)."""
    base_rand: dict[int, np.ndarray]
    """Random labels per seed index."""
    corruption_check: list[dict[str, Any]]
    """How many training labels each corrupted and random-label set changed (for the corruption-rate probe)."""
    perms_ok: bool
    """Whether every shuffled- and random-pixel input is a permutation of the original image's pixels."""
    hashes: dict[str, str]
    """Checksums of the test labels when loaded and after the conditions were built (nothing may alter them)."""
    overlap: int
    """Test images that are also training images."""
    gaussian_check: list[dict[str, Any]]
    """Per seed, how well the Gaussian inputs match the training images' per-pixel mean and sd: the RMS over pixels
    of the mean's error in standard errors (≈ 1 when they match), and the pooled sd ratio (≈ 1)."""


def conditions(config: RandomLabelsConfig, ds: data.Dataset, ctx: RunContext) -> Conditions:
    """Zhang et al.'s conditions (true labels, shuffled pixels, random pixels, Gaussian inputs, random labels) and
    the label-corruption sweep, for every seed; each (condition, seed) draws from its own named stream."""
    n = len(ds.y_train)
    hashes = {"load": data.labels_hash(ds.y_test)}
    S = config.n_seeds
    seeds = [ctx.seed_for("network", s) for s in range(S)]
    train_rows = {row.tobytes() for row in ds.X_train}
    overlap = int(sum(row.tobytes() in train_rows for row in ds.X_test))

    pool: list[np.ndarray] = [ds.X_train]
    test_inputs: list[np.ndarray] = [ds.X_test]
    specs: list[dict[str, Any]] = []
    labels: list[np.ndarray] = []
    pools: list[int] = []
    corruption_check: list[dict[str, Any]] = []
    perms_ok = True
    gaussian_check: list[dict[str, Any]] = []
    gaussian_pool = 0  # set to the seed's Gaussian inputs below (data.CONDITIONS includes "gaussian")
    for s in range(S):
        for c in data.CONDITIONS:
            if c == "random_labels" and config.label_randomness < 1.0:  # the contrast: labels only partly random
                cd = data.make_condition("corrupted", ds, ctx.rng("condition", c, s), p=config.label_randomness)
            else:
                cd = data.make_condition(c, ds, ctx.rng("condition", c, s))
            if c == "gaussian":
                var = ds.X_train.astype(np.float64).var(axis=0)
                g = cd.X_train.astype(np.float64)
                live = var > 1e-12
                z2 = (g.mean(axis=0) - ds.X_train.mean(axis=0))[live] ** 2 / (var[live] / len(g))
                gaussian_check.append(
                    {
                        "seed": s,
                        "mean_rms_z": float(np.sqrt(z2.mean())),
                        "sd_ratio": float(np.sqrt(g.var(0).sum() / var.sum())),
                    }
                )
            if c in data.NOISE_INPUT_CONDITIONS:
                pool.append(cd.X_train)
                test_inputs.append(cd.X_test)
                if c == "gaussian":
                    gaussian_pool = len(pool) - 1
                if c != "gaussian":
                    perms_ok &= bool(np.array_equal(np.sort(cd.X_train, 1), np.sort(ds.X_train, 1)))
                    perms_ok &= bool(np.array_equal(np.sort(cd.X_test, 1), np.sort(ds.X_test, 1)))
            pools.append(len(pool) - 1 if c in data.NOISE_INPUT_CONDITIONS else 0)
            labels.append(cd.y_train)
            p = 1.0 if c == "random_labels" else 0.0
            specs.append(_spec(c, p, "none") | {"seed": s})
        for p in config.corruption_levels[1:-1]:
            rng = ctx.rng("corrupted", str(p), s)
            cd = data.make_condition("corrupted", ds, rng, p=p * config.label_randomness)
            corruption_check.append({"p": p, "seed": s, "n": n, "changed": int((cd.y_train != ds.y_train).sum())})
            pools.append(gaussian_pool if config.corrupted_inputs == "gaussian" else 0)  # the contrast: noise inputs
            labels.append(cd.y_train)
            specs.append(_spec("corrupted", p, "none") | {"seed": s})
    rand_idx = [i for i, sp in enumerate(specs) if sp["condition"] == "random_labels"]
    corruption_check += [
        {"p": 1.0, "seed": specs[i]["seed"], "n": n, "changed": int((labels[i] != ds.y_train).sum())} for i in rand_idx
    ]
    hashes["after_conditions"] = data.labels_hash(ds.y_test)
    return Conditions(
        specs=specs,
        labels=labels,
        pools=pools,
        X_pool=torch.from_numpy(np.stack(pool)),
        X_test_pool=torch.from_numpy(np.stack(test_inputs)),
        y_test=torch.from_numpy(ds.y_test),
        seeds=seeds,
        base_true={sp["seed"]: labels[i] for i, sp in enumerate(specs) if sp["condition"] == "true_labels"},
        base_rand={sp["seed"]: labels[i] for i, sp in enumerate(specs) if sp["condition"] == "random_labels"},
        corruption_check=corruption_check,
        perms_ok=perms_ok,
        hashes=hashes,
        overlap=overlap,
        gaussian_check=gaussian_check,
    )


def settings_for(config: RandomLabelsConfig, arch: nets.Arch) -> nets.TrainSettings:
    """Zhang et al.'s SGD (momentum, step decay per paper epoch) with the configured rates and stopping rule."""
    return nets.TrainSettings(
        lr=config.lr_mlp if arch.kind == "mlp" else config.lr_cnn,
        momentum=config.momentum,
        lr_decay=config.lr_decay,
        decay_every=config.decay_every,
        batch_size=config.batch_size,
        max_steps=config.max_steps,
        eval_every=config.eval_every,
        loss_stop=config.loss_stop,
        loss_thresholds=tuple(sorted({config.converging_loss, 0.1, config.loss_stop}, reverse=True)),
        max_shift=config.max_shift,
    )


def train(
    config: RandomLabelsConfig, arch: nets.Arch, Xp: torch.Tensor, jobs: list[nets.Job], what: str, ctx: RunContext
) -> nets.TrainResult:
    """Train ``jobs`` as one batch on ``ctx.device``; minibatch orders come from the ``batches`` stream."""
    ctx.log(f"random-labels: training {len(jobs)} {what} networks as one batch")
    with ctx.progress(f"{what}: {len(jobs)} nets", total=config.max_steps) as advance:
        last = [0]

        def on_eval(step: int, n_active: int, last: list[int] = last) -> None:
            advance(step - last[0])
            last[0] = step

        return nets.train_batched(
            arch,
            Xp,
            jobs,
            settings_for(config, arch),
            gen_seed=ctx.seed_for("batches"),
            on_eval=on_eval,
            device=str(ctx.device),  # --device: the GPU path where one is asked for
        )


def _reg_job(config: RandomLabelsConfig, spec: dict[str, Any], y: np.ndarray, pool_i: int, seed: int) -> nets.Job:
    r = spec["reg"]
    return nets.Job(
        pool_i,
        y,
        seed,
        weight_decay=config.weight_decay if r in ("weight_decay", "wd_aug") else 0.0,
        dropout=config.dropout if r == "dropout" else 0.0,
        augment=r in ("augmentation", "wd_aug"),
    )


@dataclass(frozen=True)
class Trained:
    """One architecture's batched run: the spec, job and test-input pool of every network, and the training result."""

    name: str
    arch: nets.Arch
    main: bool
    specs: list[dict[str, Any]]
    jobs: list[nets.Job]
    test_pool_of: list[int]
    result: nets.TrainResult


def train_model(
    config: RandomLabelsConfig, ds: data.Dataset, conds: Conditions, model_name: str, main: bool, ctx: RunContext
) -> Trained:
    """Train one architecture: the main model on every condition and corruption level, every model on true and
    random labels; then (with ``config.regularizers``) the Table 1 regularizer variants, all as one batch."""
    arch = nets.arch_from_name(model_name, ds.shape, ds.n_classes, config.width, config.cnn_channels)
    job_specs: list[dict[str, Any]] = []
    jobs: list[nets.Job] = []
    test_pool_of: list[int] = []
    for i, sp in enumerate(conds.specs):
        if main or sp["condition"] in ("true_labels", "random_labels"):
            job_specs.append(sp)
            jobs.append(nets.Job(conds.pools[i], conds.labels[i], conds.seeds[sp["seed"]]))
            test_pool_of.append(conds.pools[i])
    if config.regularizers:
        for s in range(config.n_seeds):
            for cond, variants, ys in (
                ("true_labels", REG_VARIANTS_TRUE, conds.base_true),
                ("random_labels", REG_VARIANTS_RANDOM, conds.base_rand),
            ):
                for r in variants[1:]:
                    sp = _spec(cond, 1.0 if cond == "random_labels" else 0.0, r) | {"seed": s}
                    job_specs.append(sp)
                    jobs.append(_reg_job(config, sp, ys[s], 0, conds.seeds[s]))
                    test_pool_of.append(0)
    res = train(config, arch, conds.X_pool, jobs, model_name, ctx)
    return Trained(model_name, arch, main, job_specs, jobs, test_pool_of, res)


@dataclass(frozen=True)
class ModelResult:
    """One architecture's rows of the ``runs``, ``curves`` and ``optimizer`` measurements (and, for the main MLP,
    the normalized margins of one true- and one random-label net)."""

    runs: list[dict[str, Any]]
    curves: list[dict[str, Any]]
    margin_samples: dict[str, list[float]]
    optimizer: dict[str, Any]
    histories: list[dict[str, Any]]
    """Every net's full-training-set loss and accuracy at each evaluation (the fit-time probe recomputes the
    ``fit_step``, ``loss_step_*`` and ``final_step`` of the runs from them)."""
    measure_checks: list[dict[str, Any]]
    """The main MLP's true- and random-label nets' measures recomputed in NumPy (:func:`recompute_measures`)."""
    init_stats: list[dict[str, Any]]
    """Statistics of each parameter tensor's initial values (:func:`init_statistics`)."""


def measure_model(
    config: RandomLabelsConfig, ds: data.Dataset, conds: Conditions, trained: Trained, ctx: RunContext
) -> ModelResult:
    """Evaluate every trained net and compute the complexity measures on it: margins, norms, distance from
    initialization, sharpness and the PAC-Bayes bound (Neyshabur et al. 2017); for MLPs also Bartlett et al.'s
    spectral complexity and bound, and path norms. A diverged net (non-finite weights) gets NaN measures."""
    arch, jobs, job_specs, res, main = trained.arch, trained.jobs, trained.specs, trained.result, trained.main
    K, n = ds.n_classes, len(ds.y_train)
    X_pool, y_test = conds.X_pool, conds.y_test
    optimizer = {
        "lr": settings_for(config, arch).lr,
        "momentum": config.momentum,
        "lr_decay": config.lr_decay,
        "decay_every": config.decay_every,
        "trace": res.optimizer_trace[:: max(1, len(res.optimizer_trace) // 200)],
    }

    # --- evaluation and complexity measures, all models at once ---
    M = len(jobs)
    Xtr = X_pool[torch.tensor([j.pool for j in jobs])]
    Ytr = torch.as_tensor(np.stack([j.y for j in jobs]))
    Xte = conds.X_test_pool[torch.tensor(trained.test_pool_of)]
    finite = torch.stack([torch.isfinite(v.flatten(1)).all(1) for v in res.params.values()]).all(0)
    params = {k: torch.where(finite.view(-1, *([1] * (v.dim() - 1))), v, torch.zeros_like(v))
              for k, v in res.params.items()}  # fmt: skip
    nan = torch.full((M,), float("nan"), dtype=torch.float64)

    def only_finite(x: torch.Tensor, finite: torch.Tensor = finite, nan: torch.Tensor = nan) -> torch.Tensor:
        """A diverged network (non-finite weights) gets NaN measures, never a crash."""
        return torch.where(finite, x.double(), nan)

    _, test_acc = nets.evaluate(arch, params, Xte, y_test.expand(M, -1))
    with torch.no_grad():
        test_pred = torch.cat([nets.forward(arch, params, Xte[:, i : i + 1024]).argmax(-1)
                               for i in range(0, Xte.shape[1], 1024)], 1)  # fmt: skip
    train_loss, train_acc = nets.evaluate(arch, params, Xtr, Ytr)
    with torch.no_grad():
        logits = torch.cat([nets.forward(arch, params, Xtr[:, i : i + 1024]) for i in range(0, n, 1024)], 1)
    gam = measures.margins(logits.double(), Ytr)
    fro = measures.frobenius_norms(params)
    dist = measures.distance_sq(params, res.init)
    sig, gibbs_acc = measures.sharpness_sigma(
        arch,
        params,
        Xtr,
        Ytr,
        config.sharpness_drop,
        config.sharpness_draws,
        ctx.torch_generator("sharpness", device="cpu"),
    )

    # the MLPs' sharpness search runs in float64, as their other measures do: in float32 a ReLU input within
    # round-off of zero can send the sign-gradient search down another path (~0.5% apart), and the NumPy
    # recomputation (measures-recomputed) could not then hold it to float64 agreement
    wide = torch.float64 if arch.kind == "mlp" else torch.float32
    X_sharp = Xtr.to(wide)

    def train_loss_of(
        p: nets.Params, arch: nets.Arch = arch, Xtr: torch.Tensor = X_sharp, Ytr: torch.Tensor = Ytr
    ) -> torch.Tensor:
        return nets.batched_loss(nets.forward(arch, p, Xtr), Ytr)

    zeta = only_finite(
        measures.worst_case_sharpness(
            train_loss_of, {k: v.to(wide) for k, v in params.items()}, config.sharpness_alpha, config.sharpness_steps
        )
    )
    pb = only_finite(measures.pac_bayes_bound(1 - gibbs_acc, dist, sig, n))
    kl = only_finite(dist / (2 * sig.double() ** 2))
    gamma5 = torch.quantile(gam, 0.05, dim=1)
    mlp_measures: dict[str, torch.Tensor] = {}
    margin_samples: dict[str, list[float]] = {}
    if arch.kind == "mlp":
        R_A = measures.spectral_complexity(params, res.init)
        Xn = measures.data_norm(Xtr)
        norm_margin = gam * n / (R_A * Xn)[:, None]
        W = max(arch.d_in, *arch.hidden, K) + 1  # Bartlett et al.'s W: widest layer, input dimension included
        mlp_measures = {
            "spectral_complexity": only_finite(R_A),
            "bartlett_bound": only_finite(measures.bartlett_bound(gam, R_A, Xn, W)),
            "norm_margin_median": only_finite(norm_margin.median(1).values),
            "l1_path_norm": only_finite(measures.path_norm(params, 1)),
            "l2_path_norm": only_finite(measures.path_norm(params, 2)),
            "spectral_frobenius": only_finite(measures.spectral_frobenius(params)),
        }
        if main:
            for cond in ("true_labels", "random_labels"):
                i = next(
                    k
                    for k, sp in enumerate(job_specs)
                    if sp == _spec(cond, float(cond != "true_labels"), "none") | {"seed": 0}
                )
                margin_samples[cond] = [float(v) for v in norm_margin[i]]

    # --- every net's milestones evaluated again in float64, one net at a time (the evaluations-recomputed probe) ---
    evals = reeval.reevaluate(arch, res, [Xtr[m].numpy() for m in range(M)], [Ytr[m].numpy() for m in range(M)],
                              [Xte[m].numpy() for m in range(M)], ds.y_test)  # fmt: skip

    # --- one row per net, and the learning curves of the main model's unregularized conditions ---
    nearest = nearest_init(params, res.init, [conds.seeds.index(j.seed) for j in jobs])
    runs: list[dict[str, Any]] = []
    curves: list[dict[str, Any]] = []
    histories: list[dict[str, Any]] = []
    spe = math.ceil(n / config.batch_size)
    n_params = sum(int(np.prod(v.shape[1:])) for v in res.params.values())
    fc = res.first_correct
    for m, (sp, h) in enumerate(zip(job_specs, res.histories, strict=True)):
        rec: dict[str, Any] = {
            "model": trained.name,
            **sp,
            "n": n,
            "n_params": n_params,
            "diverged": not bool(finite[m]),
            "init_fingerprint": float(sum(float(v[m].double().sum()) for v in res.init.values())),
            "init_fp": declared.fingerprint([v[m].numpy() for v in res.init.values()]),
            "inputs_fp": declared.fingerprint([Xtr[m].numpy(), Xte[m].numpy()]),
            "nearest_init_seed": nearest[m],
            "labels_hash": data.labels_hash(jobs[m].y),
            "train_acc": float(train_acc[m]),
            "train_loss": float(train_loss[m]),
            "test_acc": float(test_acc[m]),
            "fit_step": h.fit_step,
            "fit_epoch": None if h.fit_step is None else h.fit_step / spe,
            **{f"loss_step_{t}": v for t, v in h.loss_steps.items()},
            "final_step": h.final_step,
            "margin_p5": float(gamma5[m]),
            "frobenius_product": float(fro[:, m].prod()),
            "dist_from_init_sq": float(dist[m]),
            "worst_case_sharpness": float(zeta[m]),
            "sharpness_sigma": float(sig[m]),
            "kl": float(kl[m]),
            "pac_bayes_bound": float(pb[m]),
            "frobenius_over_margin_sq": float((fro[:, m] ** 2).prod() / gamma5[m] ** 2),
            **{k: float(v[m]) for k, v in mlp_measures.items()},
            "evals": evals[m],
            "trained": training_record(res, m),
            "label_counts": np.bincount(jobs[m].y).tolist(),
        }
        first_fit_kept = sp["condition"] in NOISY_CONDITIONS and sp["reg"] == "none"
        if first_fit_kept and fc is not None:
            # Arpit et al.: when is each training example first fit, for clean vs corrupted examples?
            learned = np.where(fc[m].numpy() < 0, config.max_steps, fc[m].numpy()).astype(float)
            noisy = jobs[m].y != ds.y_train
            if noisy.any() and (~noisy).any():
                rec["learn_step_clean_median"] = float(np.median(learned[~noisy]))
                rec["learn_step_noisy_median"] = float(np.median(learned[noisy]))
        if sp["condition"] == "random_labels":  # confusion counts C[pred, true] for the leakage probe
            conf = np.zeros((K, K), dtype=np.int64)
            np.add.at(conf, (test_pred[m].numpy(), ds.y_test), 1)
            rec["test_confusion"] = conf.tolist()
        if "l2_path_norm" in mlp_measures:
            rec["l2_path_over_margin_sq"] = rec["l2_path_norm"] ** 2 / float(gamma5[m]) ** 2
            rec["spectral_frobenius_over_margin_sq"] = rec["spectral_frobenius"] / float(gamma5[m]) ** 2
        runs.append(rec)
        hist: dict[str, Any] = {"model": trained.name, **sp, "steps": h.steps, "loss": h.loss, "acc": h.acc}
        if first_fit_kept and fc is not None:
            # the per-example first-fit steps the medians read, kept for every run the design gives them to (not only
            # for the runs that carry medians), so that fit-times can re-derive each median or its absence
            hist |= {"first_correct": fc[m].tolist(), "labels": [int(v) for v in jobs[m].y]}
        histories.append(hist)
        if main and sp["reg"] == "none" and sp["condition"] != "corrupted":
            curves.append(
                {
                    "condition": sp["condition"],
                    "seed": sp["seed"],
                    "steps": h.steps,
                    "loss": [round(v, 5) for v in h.loss],
                    "acc": h.acc,
                }
            )
    checks: list[dict[str, Any]] = []
    if main and arch.kind == "mlp":  # every seed's true- and random-label net: the nets the measure claims compare
        for s in range(config.n_seeds):
            for cond in ("true_labels", "random_labels"):
                i = next(k for k, sp in enumerate(job_specs)
                         if sp == _spec(cond, float(cond != "true_labels"), "none") | {"seed": s})  # fmt: skip
                if not bool(finite[i]):
                    continue
                np_params = {k: v[i].double().numpy() for k, v in params.items()}
                np_init = {k: v[i].double().numpy() for k, v in res.init.items()}
                checks.append(
                    {"condition": cond, "seed": s, "sharpness_sigma": float(sig[i])}
                    | recompute_measures(
                        np_params,
                        np_init,
                        Xtr[i].double().numpy(),
                        Ytr[i].numpy(),
                        config.sharpness_alpha,
                        config.sharpness_steps,
                    )
                )
    return ModelResult(runs, curves, margin_samples, optimizer, histories, checks, init_statistics(trained))


def training_record(res: nets.TrainResult, m: int) -> dict[str, Any]:
    """What the regularizers and the update did to net ``m`` during training (``trainrecord.py``), for the
    ``regularizers-as-declared`` and ``updates-as-declared`` probes."""
    ups = res.update_record[m] if res.update_record else []
    # [step, wd, μ, lr]; μ is None where the step had no momentum buffer to recover it from (the first)
    out: dict[str, Any] = {"updates": [[s, w, mu if math.isfinite(mu) else None, lr] for s, w, mu, lr in ups]}
    if res.dropout_record is not None:
        out["dropout"] = dict(zip(trainrecord.DROPOUT_FIELDS, res.dropout_record[m].tolist(), strict=True))
    if res.shift_record is not None:
        out["shifts"] = res.shift_record[m].tolist()
    return out


def nearest_init(params: nets.Params, init: nets.Params, seed_index: list[int]) -> list[int | None]:
    """For every net, the seed index whose initialization its trained weights are nearest to (squared distance
    over all parameters, float64); ``None`` for a diverged net. Training moves a net far less than two independent
    initializations differ (||w − w0'||² ≈ ||w − w0||² + ||w0 − w0'||² in high dimension), so a net not nearest to
    its own seed's initialization was trained from another net's weights."""
    firsts = {s: seed_index.index(s) for s in sorted(set(seed_index))}
    d2 = torch.zeros(len(seed_index), len(firsts), dtype=torch.float64)
    for k, w in params.items():
        flat = w.double().flatten(1)
        ref = torch.stack([init[k][i].double().flatten() for i in firsts.values()])
        d2 += torch.cdist(flat, ref) ** 2
    out: list[int | None] = []
    for m in range(len(seed_index)):
        row = d2[m]
        out.append(list(firsts)[int(row.argmin())] if bool(torch.isfinite(row).all()) else None)
    return out


def init_statistics(trained: Trained) -> list[dict[str, Any]]:
    """Per parameter tensor, the mean, variance, minimum and maximum of the initial values over the nets with distinct
    seeds (nets sharing a seed share their initialization), with the tensor's per-net shape: what the
    ``init-as-declared`` probe holds against the declared law U(-1/√fan_in, 1/√fan_in)."""
    idx = sorted({j.seed: m for m, j in reversed(list(enumerate(trained.jobs)))}.values())
    rows = []
    for k, v in trained.result.init.items():
        x = v[idx].double().numpy().ravel()
        rows.append({"model": trained.name, "param": k, "shape": list(v.shape[1:]), "n": int(x.size),
                     "mean": float(x.mean()), "var": float(x.var()),
                     "min": float(x.min()), "max": float(x.max())})  # fmt: skip
    return rows


def _np_mlp(params: dict[str, np.ndarray], X: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The MLP's hidden activations and logits in float64 NumPy (weights stored ``[d_in, d_out]``)."""
    L = sum(1 for k in params if k.startswith("W"))
    acts, h = [X], X
    for i in range(1, L):
        h = np.maximum(h @ params[f"W{i}"] + params[f"b{i}"], 0.0)
        acts.append(h)
    return acts, h @ params[f"W{L}"] + params[f"b{L}"]


def _np_loss_and_grad(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, Any]]:
    """Mean cross-entropy of the MLP and its gradient by backpropagation written out in NumPy."""
    L = sum(1 for k in params if k.startswith("W"))
    acts, z = _np_mlp(params, X)
    z = z - z.max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    n = len(y)
    loss = float(-logp[np.arange(n), y].mean())
    d = np.exp(logp)
    d[np.arange(n), y] -= 1.0
    d /= n
    grads: dict[str, Any] = {}
    for i in range(L, 0, -1):
        grads[f"W{i}"] = acts[i - 1].T @ d
        grads[f"b{i}"] = d.sum(0)
        if i > 1:
            d = (d @ params[f"W{i}"].T) * (acts[i - 1] > 0)
    return loss, grads


def np_worst_case_sharpness(
    params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray, alpha: float, steps: int
) -> float:
    """Keskar et al.'s worst-case sharpness ``max_{|ν_i| ≤ α(|w_i| + 1)} L̂(w + ν) − L̂(w)`` searched in float64 NumPy
    as the study declares the search (``measures.worst_case_sharpness``): ``steps`` projected sign-gradient steps
    from ``ν = 0``, the first a whole box (to its corner), the others a quarter box, a coordinate with zero gradient
    moving up, every iterate's loss and the last one's kept, the largest rise returned."""
    base = _np_loss_and_grad(params, X, y)[0]
    half_width = {k: alpha * (1.0 + np.abs(w)) for k, w in params.items()}
    nu = {k: np.zeros_like(w) for k, w in params.items()}
    top = base
    for t in range(steps):
        loss, g = _np_loss_and_grad({k: params[k] + nu[k] for k in params}, X, y)
        top = max(top, loss)
        size = 1.0 if t == 0 else 0.25
        for k, hw in half_width.items():
            up = np.where(g[k] < 0, -1.0, 1.0)
            nu[k] = np.minimum(np.maximum(nu[k] + size * hw * up, -hw), hw)
    last = _np_loss_and_grad({k: params[k] + nu[k] for k in params}, X, y)[0]
    return max(top, last) - base


def recompute_measures(
    params: dict[str, np.ndarray],
    init: dict[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    alpha: float,
    sharpness_steps: int = 1,
) -> dict[str, float]:
    """One MLP's complexity measures written again in float64 NumPy from their definitions, apart from
    ``measures.py``: the 5th-percentile margin, ∏||W||_F, ||w - w0||², the ℓ2 path norm, the spectral complexity
    R_A (Bartlett et al. eq. 1.2, biases folded in), the median normalized margin (lower median, as torch's), the
    spectral-Frobenius term, and the training-loss increase at the corner ``sign(∇L̂)·α(|w|+1)`` of the sharpness box
    (a lower bound on the worst-case sharpness, which searches from that corner)."""
    L = sum(1 for k in params if k.startswith("W"))
    n = len(y)
    _, logits = _np_mlp(params, X)
    true = logits[np.arange(n), y]
    other = np.where(np.arange(logits.shape[1])[None, :] == y[:, None], -np.inf, logits).max(1)
    gam = true - other
    g5 = float(np.quantile(gam, 0.05))

    def augmented(p: dict[str, np.ndarray]) -> list[np.ndarray]:
        mats = []
        for i in range(1, L + 1):
            A = np.vstack([p[f"W{i}"], p[f"b{i}"][None, :]])  # [d_in + 1, d_out]: x ↦ (x, 1) @ A
            if i < L:
                carry = np.zeros((A.shape[0], 1))
                carry[-1, 0] = 1.0
                A = np.hstack([A, carry])
            mats.append(A)
        return mats

    mats, refs = augmented(params), augmented(init)
    s = np.array([np.linalg.norm(A, 2) for A in mats])
    l21 = np.array([np.linalg.norm(A - R, axis=0).sum() for A, R in zip(mats, refs, strict=True)])
    R_A = float(s.prod() * ((l21 ** (2 / 3)) / (s ** (2 / 3))).sum() ** 1.5)
    x_norm = math.sqrt(float((X**2).sum()) + n)
    v = np.ones(mats[0].shape[0])
    for A in mats:
        v = v @ A**2
    l2_path = math.sqrt(float(v.sum()))
    fro_aug = np.array([np.linalg.norm(A) for A in mats])
    base, grads = _np_loss_and_grad(params, X, y)
    corner = {k: w + alpha * (np.abs(w) + 1) * np.where(grads[k] == 0, 1.0, np.sign(grads[k]))
              for k, w in params.items()}  # fmt: skip
    return {
        "margin_p5": g5,
        "frobenius_product": float(np.prod([np.linalg.norm(params[f"W{i}"]) for i in range(1, L + 1)])),
        "dist_from_init_sq": float(sum(((params[k] - init[k]) ** 2).sum() for k in params)),
        "l2_path_norm": l2_path,
        "spectral_complexity": R_A,
        "norm_margin_median": float(np.sort(gam * n / (R_A * x_norm))[(n - 1) // 2]),
        "spectral_frobenius": float((s**2).prod() * (fro_aug**2 / s**2).sum()),
        "train_loss": base,
        "corner_sharpness": _np_loss_and_grad(corner, X, y)[0] - base,
        "worst_case_sharpness": np_worst_case_sharpness(params, X, y, alpha, sharpness_steps),
    }


def _reference_train(
    arch: nets.Arch, X: list[torch.Tensor], jobs: list[nets.Job], settings: nets.TrainSettings, n_steps: int
) -> nets.Params:
    """Each model alone as an ``nn.Module`` with autograd, and SGD with momentum written out as torch.optim.SGD
    defines it (``d = g + wd·w``; ``b = d`` at the first step, then ``b ← μ·b + d``; ``w ← w − lr·b``), on the same
    initialization and minibatches, for ``n_steps`` or its own ``stop_after``; no dropout or augmentation.
    (torch.optim.SGD itself would import torch's compiler on first use, ~1.7 CPU s, more than the whole check.)"""
    init = nets.init_params(arch, [j.seed for j in jobs])
    modules = []
    for m, job in enumerate(jobs):
        net = nets.to_module(arch, init, m)
        y = torch.as_tensor(job.y, dtype=torch.long)
        N = X[m].shape[0]
        spe = math.ceil(N / settings.batch_size)
        bufs: dict[int, torch.Tensor] = {}
        for step in range(n_steps if job.stop_after is None else min(n_steps, job.stop_after)):
            epoch, b = divmod(step, spe)
            idx = nets.epoch_batches(job.seed, epoch, N, settings.batch_size)[b]
            net.zero_grad()
            torch.nn.functional.cross_entropy(net(X[m][idx]), y[idx]).backward()  # type: ignore[no-untyped-call]
            lr = settings.lr * settings.lr_decay ** (step // settings.decay_every)
            with torch.no_grad():
                for j, w in enumerate(net.parameters()):
                    assert w.grad is not None
                    d = w.grad + job.weight_decay * w
                    bufs[j] = d.clone() if j not in bufs else settings.momentum * bufs[j] + d
                    w.sub_(lr * bufs[j])
        modules.append(net)
    return nets.from_modules(arch, modules)


def reference_step(config: RandomLabelsConfig, ds: data.Dataset, conds: Conditions) -> dict[str, Any]:
    """The hand-written batched trainer against the plain reference (one ``nn.Module`` per model, ``torch.optim.SGD``)
    on its first steps: seed 0's true labels, seed 1's Gaussian inputs, and seed 2's (or 0's) random labels with
    weight decay 0.05 (large enough to move the weights measurably in a few steps), the reference's settings taken
    from the config directly. Adjacent nets have different seeds, so a trainer that hands one net's weights to
    another (a model-selection index off by one) differs from the reference from the first step; and the first two
    stop early (after a third and two thirds of the steps, evaluating every step), so the batch shrinks twice and
    the trainer's reselection of the nets still training, weights and momentum, is checked too."""
    arch = nets.arch_from_name(config.models[0], ds.shape, ds.n_classes, config.width, config.cnn_channels)
    S = len(conds.seeds)  # the nets come from different seed indices, so that no two adjacent ones share an init
    picks = [
        next(i for i, sp in enumerate(conds.specs) if sp["condition"] == c and sp["seed"] == k % S)
        for k, c in enumerate(("true_labels", "gaussian", "random_labels"))
    ]
    n = len(ds.y_train)
    n_steps = min(2 * math.ceil(n / config.batch_size) + 1, 25)  # ≥ 3
    stops = (max(1, n_steps // 3), max(2, 2 * n_steps // 3), None)
    jobs = [
        nets.Job(
            conds.pools[i],
            conds.labels[i],
            conds.seeds[conds.specs[i]["seed"]],
            weight_decay=REFERENCE_WEIGHT_DECAY * (k == 2),
            stop_after=stops[k],
        )
        for k, i in enumerate(picks)
    ]
    ref_settings = nets.TrainSettings(
        lr=config.lr_mlp if arch.kind == "mlp" else config.lr_cnn,
        momentum=config.momentum,
        lr_decay=config.lr_decay,
        decay_every=config.decay_every,
        batch_size=config.batch_size,
    )
    batched = nets.train_batched(
        arch,
        conds.X_pool,
        jobs,
        dataclasses.replace(settings_for(config, arch), max_steps=n_steps, eval_every=1, loss_stop=0.0),
    )
    ref = _reference_train(arch, [conds.X_pool[j.pool] for j in jobs], jobs, ref_settings, n_steps)
    diff = max(float((batched.params[k] - ref[k]).abs().max()) for k in ref)
    moved = max(float((ref[k] - batched.init[k]).abs().max()) for k in ref)
    plain = dataclasses.replace(jobs[2], weight_decay=0.0)  # what the decay changes: the scale the diff must stay below
    no_wd = _reference_train(arch, [conds.X_pool[plain.pool]], [plain], ref_settings, n_steps)
    wd_effect = max(float((ref[k][2] - no_wd[k][0]).abs().max()) for k in ref)
    return {"n_steps": n_steps, "max_abs_diff": diff, "max_moved": moved, "wd_effect": wd_effect,
            **dropout_gradient_check(config, arch, conds)}  # fmt: skip


DROPOUT_CHECK_RATES = (0.0, 0.5)
"""Dropout rates of the gradient check's extra nets (beside the configured rate): none, and a large one."""


def dropout_gradient_check(config: RandomLabelsConfig, arch: nets.Arch, conds: Conditions) -> dict[str, Any]:
    """The MLP trainer's hand-written backprop with dropout (``nets.mlp_gradients``) against autograd through the
    batched forward pass with the same masks (``nets.forward`` draws them from the same stream in the same order), on
    one minibatch of the true-label images for nets at the configured rate, no dropout and rate 0.5, each from its
    own seed's initialization: the largest gradient difference and the largest gradient. The trainer-matches-reference
    probe holds the first to round-off of the second. (The CNN trains through autograd of that forward pass itself.)"""
    if arch.kind != "mlp":
        return {}
    rates = torch.tensor([config.dropout, *DROPOUT_CHECK_RATES], dtype=torch.float32)
    init = nets.init_params(arch, [conds.seeds[k % len(conds.seeds)] for k in range(len(rates))])
    B = min(config.batch_size, conds.X_pool.shape[1])
    x = conds.X_pool[0, :B].expand(len(rates), -1, -1).contiguous()
    y = torch.as_tensor(conds.base_true[0][:B], dtype=torch.long).expand(len(rates), -1).contiguous()
    leaves = {k: v.clone().requires_grad_(True) for k, v in init.items()}
    loss = nets.batched_loss(nets.forward(arch, leaves, x, rates, torch.Generator().manual_seed(0)), y).sum()
    auto = dict(zip(leaves, torch.autograd.grad(loss, list(leaves.values())), strict=True))
    x1, gen = nets.with_ones_column(x), torch.Generator().manual_seed(0)
    hand = nets.mlp_standard_layout(nets.mlp_gradients(arch, nets.mlp_training_layout(init), x1, y, rates, gen))
    return {
        "dropout_grad_diff": max(float((hand[k] - auto[k]).abs().max()) for k in auto),
        "dropout_grad_scale": max(float(auto[k].abs().max()) for k in auto),
    }


def size_sweep(
    config: RandomLabelsConfig, ds: data.Dataset, conds: Conditions, runs: list[dict[str, Any]], ctx: RunContext
) -> list[dict[str, Any]]:
    """Time to fit against n (Arpit et al. 2017): true and random labels of the main model on nested prefixes of
    the training set, plus the full-size rows of ``runs``."""
    n = len(ds.y_train)
    size_runs: list[dict[str, Any]] = []
    arch = nets.arch_from_name(config.models[0], ds.shape, ds.n_classes, config.width, config.cnn_channels)
    for f in config.size_fractions:
        n_f = round(f * n)  # the split interleaves classes, so a prefix is (nearly) stratified
        sub_specs = [(c, s) for s in range(config.n_seeds) for c in ("true_labels", "random_labels")]
        sub_jobs = [
            nets.Job(0, (conds.base_true if c == "true_labels" else conds.base_rand)[s][:n_f], conds.seeds[s])
            for c, s in sub_specs
        ]
        res = train(config, arch, conds.X_pool[:1, :n_f], sub_jobs, f"{config.models[0]} n={n_f}", ctx)
        X_f = conds.X_pool[0, :n_f].numpy()
        evals = reeval.reevaluate(arch, res, [X_f] * len(sub_jobs), [job.y for job in sub_jobs])
        for j, ((c, s), h, job, ev) in enumerate(zip(sub_specs, res.histories, sub_jobs, evals, strict=True)):
            size_runs.append({"n": n_f, "condition": c, "seed": s, "fit_step": h.fit_step,
                              **{f"loss_step_{t}": v for t, v in h.loss_steps.items()},
                              "final_step": h.final_step, "labels_hash": data.labels_hash(job.y),
                              "evals": ev, "trained": training_record(res, j),
                              "label_counts": np.bincount(job.y).tolist()})  # fmt: skip
    size_runs += [{"n": n, "condition": r["condition"], "seed": r["seed"], "fit_step": r["fit_step"],
                   **{k: v for k, v in r.items() if k.startswith("loss_step_")}, "labels_hash": r["labels_hash"]}
                  for r in runs if r["model"] == config.models[0] and r["reg"] == "none"
                  and r["condition"] in ("true_labels", "random_labels")]  # fmt: skip
    return size_runs


def test_label_hashes(conds: Conditions) -> dict[str, str]:
    """The test labels' checksums at load and after the conditions, and one more after all training: a change
    between them means some step altered the test labels (the leakage probe reads them)."""
    return conds.hashes | {"after_training": data.labels_hash(conds.y_test.numpy())}


def declared_draws(config: RandomLabelsConfig, ds: data.Dataset, ctx: RunContext) -> dict[str, Any]:
    """Every net's labels, inputs and initialization as the config declares them, drawn again from the named streams
    by code written apart from :func:`conditions` and the trainer (``declared.py``)."""
    return declared.declared_draws(config, ds, ctx)


def theorem1(ds: data.Dataset, ctx: RunContext) -> dict[str, Any]:
    """Zhang et al.'s Theorem 1: an exact 2n + d network on random labels of the real training images."""
    Xu = np.unique(ds.X_train.astype(np.float64), axis=0)
    y_rand = ctx.rng("theorem1").integers(0, ds.n_classes, size=len(Xu)).astype(np.float64)
    net = fit_any_labels(Xu, y_rand, ctx.rng("theorem1-direction"))
    err = np.abs(net(Xu) - y_rand)
    return {
        "n": len(Xu),
        "d": Xu.shape[1],
        "n_params": net.n_params,
        "max_abs_error": float(err.max()),
        "roundoff_bound": float(net.roundoff_bound(Xu).max()),
        "rounded_accuracy": float((np.rint(net(Xu)) == y_rand).mean()),
    }


def min_norm(config: RandomLabelsConfig, ds: data.Dataset, conds: Conditions) -> list[dict[str, Any]]:
    """Zhang et al. §5: minimum-norm Gaussian-kernel interpolants of the true and of each seed's random labels."""
    s0 = implicit.median_distance(ds.X_train)
    rows: list[dict[str, Any]] = []
    for factor in sorted({*MIN_NORM_BANDWIDTHS, config.min_norm_bandwidth}):
        for cond, ys in (("true_labels", {0: ds.y_train}), ("random_labels", conds.base_rand)):
            for s, y in ys.items():
                fit = implicit.min_norm_fit(ds.X_train, y, ds.X_test, ds.y_test, factor * s0, ds.n_classes)
                rows.append({"bandwidth_factor": factor, "condition": cond, "seed": s, **dataclasses.asdict(fit)})
    return rows


def measurements(
    config: RandomLabelsConfig,
    ds: data.Dataset,
    conds: Conditions,
    models: list[ModelResult],
    size_runs: list[dict[str, Any]],
    theorem1: dict[str, Any],
    min_norm: list[dict[str, Any]],
    hashes: dict[str, str],
    timing: dict[str, float],
    device: str,
    reference: dict[str, Any] | None = None,
    declared_draws: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the claims, probes, figures and brief read, in one dict."""
    n, K = len(ds.y_train), ds.n_classes
    sd = ds.X_train.std(axis=1)
    counts = np.bincount(ds.y_test, minlength=K)
    return {
        "dataset": ds.name,
        "n_train": n,
        "n_test": len(ds.y_test),
        "n_classes": K,
        "input_dim": int(ds.X_train.shape[1]),
        "chance": float(counts.max() / counts.sum()),
        "runs": [r for mr in models for r in mr.runs],
        "size_sweep": size_runs,
        "curves": [c for mr in models for c in mr.curves],
        "normalized_margins": {k: v for mr in models for k, v in mr.margin_samples.items()},
        "theorem1": theorem1,
        "min_norm": min_norm,
        "test_label_hashes": hashes,
        "train_labels_hash": data.labels_hash(ds.y_train),
        "y_train": [int(v) for v in ds.y_train],
        "prefix_label_hashes": {
            str(round(f * n)): {
                "true_labels": data.labels_hash(ds.y_train[: round(f * n)]),
                **{f"random_labels/{s}": data.labels_hash(y[: round(f * n)]) for s, y in conds.base_rand.items()},
            }
            for f in config.size_fractions
        },
        "gaussian_check": conds.gaussian_check,
        "histories": [h for mr in models for h in mr.histories],
        "measure_checks": [c for mr in models for c in mr.measure_checks],
        "init_stats": [c for mr in models for c in mr.init_stats],
        "declared_draws": declared_draws,
        "reference_step": reference,
        "train_test_overlap": conds.overlap,
        "input_stats": {
            "per_image": ds.name != "mnist1d",
            "max_abs_image_mean": float(np.abs(ds.X_train.mean(axis=1)).max()),
            "median_image_sd": float(np.median(sd)),
            "global_mean": float(ds.X_train.mean()),
            "global_sd": float(ds.X_train.std()),
        },
        "optimizer": {name: mr.optimizer for name, mr in zip(config.models, models, strict=True)},
        "corruption_check": conds.corruption_check,
        "pixel_conditions_are_permutations": conds.perms_ok,
        "device": device,
        "timing": timing,
    }
