"""Reusable pieces of the random-labels study (Zhang et al. 2017; Bartlett et al. 2017; Neyshabur et al. 2017).

``fit_any_labels`` builds Theorem 1's two-layer ReLU network that represents any labelling of n points exactly;
``min_norm_fit`` is Zhang et al. §5's minimum-norm kernel interpolant; the data helpers build the paper's conditions;
the measure functions compute margins, norms, the spectral margin bound, worst-case sharpness with perturbations
scaled by |w| + 1 and the PAC-Bayes sharpness bound of (stacked) networks; ``train_batched`` trains many small
networks as one batched computation (on any torch device).
"""

from typing import TYPE_CHECKING

from skeptic._lazy import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.random_labels.config import RandomLabelsConfig
    from skeptic.studies.random_labels.data import (
        CONDITIONS,
        Dataset,
        corrupt_labels,
        gaussian_inputs,
        labels_hash,
        load_cifar10_batch,
        load_cifar10_dataset,
        load_digits_dataset,
        load_mnist1d_dataset,
        load_mnist_dataset,
        make_condition,
        make_mnist1d,
        random_pixels,
        shuffle_pixels,
    )
    from skeptic.studies.random_labels.implicit import MinNormFit, median_distance, min_norm_fit, rbf_kernel
    from skeptic.studies.random_labels.measures import (
        bartlett_bound,
        distance_sq,
        frobenius_norms,
        margins,
        pac_bayes_bound,
        path_norm,
        sharpness_sigma,
        spectral_complexity,
        spectral_frobenius,
        worst_case_sharpness,
    )
    from skeptic.studies.random_labels.nets import (
        Arch,
        Job,
        TrainSettings,
        arch_from_name,
        forward,
        init_params,
        train_batched,
        train_loop_reference,
    )
    from skeptic.studies.random_labels.theorem import TwoLayerReLU, fit_any_labels

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "CONDITIONS": "skeptic.studies.random_labels.data",
        "Dataset": "skeptic.studies.random_labels.data",
        "corrupt_labels": "skeptic.studies.random_labels.data",
        "gaussian_inputs": "skeptic.studies.random_labels.data",
        "labels_hash": "skeptic.studies.random_labels.data",
        "load_cifar10_batch": "skeptic.studies.random_labels.data",
        "load_cifar10_dataset": "skeptic.studies.random_labels.data",
        "load_digits_dataset": "skeptic.studies.random_labels.data",
        "load_mnist1d_dataset": "skeptic.studies.random_labels.data",
        "load_mnist_dataset": "skeptic.studies.random_labels.data",
        "make_condition": "skeptic.studies.random_labels.data",
        "make_mnist1d": "skeptic.studies.random_labels.data",
        "random_pixels": "skeptic.studies.random_labels.data",
        "shuffle_pixels": "skeptic.studies.random_labels.data",
        "MinNormFit": "skeptic.studies.random_labels.implicit",
        "median_distance": "skeptic.studies.random_labels.implicit",
        "min_norm_fit": "skeptic.studies.random_labels.implicit",
        "rbf_kernel": "skeptic.studies.random_labels.implicit",
        "bartlett_bound": "skeptic.studies.random_labels.measures",
        "distance_sq": "skeptic.studies.random_labels.measures",
        "frobenius_norms": "skeptic.studies.random_labels.measures",
        "margins": "skeptic.studies.random_labels.measures",
        "pac_bayes_bound": "skeptic.studies.random_labels.measures",
        "path_norm": "skeptic.studies.random_labels.measures",
        "sharpness_sigma": "skeptic.studies.random_labels.measures",
        "spectral_complexity": "skeptic.studies.random_labels.measures",
        "spectral_frobenius": "skeptic.studies.random_labels.measures",
        "worst_case_sharpness": "skeptic.studies.random_labels.measures",
        "Arch": "skeptic.studies.random_labels.nets",
        "Job": "skeptic.studies.random_labels.nets",
        "TrainSettings": "skeptic.studies.random_labels.nets",
        "arch_from_name": "skeptic.studies.random_labels.nets",
        "forward": "skeptic.studies.random_labels.nets",
        "init_params": "skeptic.studies.random_labels.nets",
        "train_batched": "skeptic.studies.random_labels.nets",
        "train_loop_reference": "skeptic.studies.random_labels.nets",
        "RandomLabelsConfig": "skeptic.studies.random_labels.config",
        "TwoLayerReLU": "skeptic.studies.random_labels.theorem",
        "fit_any_labels": "skeptic.studies.random_labels.theorem",
    },
)

__all__ = [
    "CONDITIONS",
    "Arch",
    "Dataset",
    "Job",
    "MinNormFit",
    "RandomLabelsConfig",
    "TrainSettings",
    "TwoLayerReLU",
    "arch_from_name",
    "bartlett_bound",
    "corrupt_labels",
    "distance_sq",
    "fit_any_labels",
    "forward",
    "frobenius_norms",
    "gaussian_inputs",
    "init_params",
    "labels_hash",
    "load_cifar10_batch",
    "load_cifar10_dataset",
    "load_digits_dataset",
    "load_mnist1d_dataset",
    "load_mnist_dataset",
    "make_condition",
    "make_mnist1d",
    "margins",
    "median_distance",
    "min_norm_fit",
    "pac_bayes_bound",
    "path_norm",
    "random_pixels",
    "rbf_kernel",
    "sharpness_sigma",
    "shuffle_pixels",
    "spectral_complexity",
    "spectral_frobenius",
    "train_batched",
    "train_loop_reference",
    "worst_case_sharpness",
]
