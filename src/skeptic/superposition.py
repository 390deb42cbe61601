"""Toy models of superposition and sparse autoencoders with known ground truth, as plain functions.

Train many toy models at once and read their geometry (Elhage et al. 2022)::

    import torch
    from skeptic import superposition as sp
    density = torch.tensor([1.0, 0.1, 0.01])                      # 1 − S per model
    imp = (0.9 ** torch.arange(5.0)).expand(3, 5)                 # importance per model and feature
    res = sp.train_toy_models(5, 2, density, imp, steps=1500, lr=0.05)
    sp.feature_norms(res.W), sp.dimensions_per_feature(res.W)     # which features are stored, and how

Score a dictionary against known features (Sharkey et al. 2022; Bricken et al. 2023)::

    sp.mmcs(true, learned), sp.matched_recovery(true, learned), sp.explained_variance(x, x_hat)

Chen et al.'s (2023) k-gons: the exact high-sparsity loss and its regular-polygon critical points::

    sp.kgon_critical_points(6)          # k = 2..6: optimal norm and biases, exact loss, largest gradient entry

See :mod:`skeptic.studies.superposition.toy` and :mod:`skeptic.studies.superposition.sae` for the formulas.
"""

from typing import TYPE_CHECKING

from skeptic._lazy import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.superposition.experiment import region
    from skeptic.studies.superposition.sae import (
        SAEResult,
        cosine_matrix,
        dead_latents,
        decode,
        duplicated_share,
        encode,
        explained_variance,
        l0,
        matched_recovery,
        mmcs,
        random_features,
        sample_codes,
        sample_data,
        train_saes,
    )
    from skeptic.studies.superposition.toy import (
        ANTICORRELATED,
        CORRELATED,
        INDEPENDENT,
        ONE_HOT,
        STICKY_FRACTIONS,
        ToyResult,
        dimensions_per_feature,
        feature_norms,
        forward,
        interference,
        kgon,
        kgon_critical_points,
        linear_expected_loss,
        linear_optimum_loss,
        model_dimensions_per_feature,
        onehot_expected_loss,
        plateau_coverage,
        polygon_regularity,
        sample_features,
        train_toy_models,
        weighted_loss,
    )

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "SAEResult": "skeptic.studies.superposition.sae",
        "cosine_matrix": "skeptic.studies.superposition.sae",
        "dead_latents": "skeptic.studies.superposition.sae",
        "decode": "skeptic.studies.superposition.sae",
        "duplicated_share": "skeptic.studies.superposition.sae",
        "encode": "skeptic.studies.superposition.sae",
        "explained_variance": "skeptic.studies.superposition.sae",
        "l0": "skeptic.studies.superposition.sae",
        "matched_recovery": "skeptic.studies.superposition.sae",
        "mmcs": "skeptic.studies.superposition.sae",
        "random_features": "skeptic.studies.superposition.sae",
        "sample_codes": "skeptic.studies.superposition.sae",
        "sample_data": "skeptic.studies.superposition.sae",
        "train_saes": "skeptic.studies.superposition.sae",
        "region": "skeptic.studies.superposition.experiment",
        "ANTICORRELATED": "skeptic.studies.superposition.toy",
        "CORRELATED": "skeptic.studies.superposition.toy",
        "INDEPENDENT": "skeptic.studies.superposition.toy",
        "ONE_HOT": "skeptic.studies.superposition.toy",
        "STICKY_FRACTIONS": "skeptic.studies.superposition.toy",
        "ToyResult": "skeptic.studies.superposition.toy",
        "dimensions_per_feature": "skeptic.studies.superposition.toy",
        "feature_norms": "skeptic.studies.superposition.toy",
        "forward": "skeptic.studies.superposition.toy",
        "interference": "skeptic.studies.superposition.toy",
        "kgon": "skeptic.studies.superposition.toy",
        "kgon_critical_points": "skeptic.studies.superposition.toy",
        "linear_expected_loss": "skeptic.studies.superposition.toy",
        "linear_optimum_loss": "skeptic.studies.superposition.toy",
        "model_dimensions_per_feature": "skeptic.studies.superposition.toy",
        "onehot_expected_loss": "skeptic.studies.superposition.toy",
        "plateau_coverage": "skeptic.studies.superposition.toy",
        "polygon_regularity": "skeptic.studies.superposition.toy",
        "sample_features": "skeptic.studies.superposition.toy",
        "train_toy_models": "skeptic.studies.superposition.toy",
        "weighted_loss": "skeptic.studies.superposition.toy",
    },
)

__all__ = [
    "ANTICORRELATED",
    "CORRELATED",
    "INDEPENDENT",
    "ONE_HOT",
    "STICKY_FRACTIONS",
    "SAEResult",
    "ToyResult",
    "cosine_matrix",
    "dead_latents",
    "decode",
    "dimensions_per_feature",
    "duplicated_share",
    "encode",
    "explained_variance",
    "feature_norms",
    "forward",
    "interference",
    "kgon",
    "kgon_critical_points",
    "l0",
    "linear_expected_loss",
    "linear_optimum_loss",
    "matched_recovery",
    "mmcs",
    "model_dimensions_per_feature",
    "onehot_expected_loss",
    "plateau_coverage",
    "polygon_regularity",
    "random_features",
    "region",
    "sample_codes",
    "sample_data",
    "sample_features",
    "train_saes",
    "train_toy_models",
    "weighted_loss",
]
