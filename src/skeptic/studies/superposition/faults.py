"""Fault catalog of the superposition study: bugs a hurried replicator of toy models and SAEs makes.

Each fault replaces the function the bug would live in (:mod:`skeptic.core.faults`); the experiment code
reads exactly as it does without the fault.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from skeptic.study import Fault, replace

TOY = "skeptic.studies.superposition.toy"
SAE = "skeptic.studies.superposition.sae"


def _density_as_sparsity(orig: Any) -> Any:
    def sample_features(density: torch.Tensor, *a: Any, **k: Any) -> Any:
        return orig(1 - density, *a, **k)  # the config's 1 − S read as S

    return sample_features


def _no_importance(orig: Any) -> Any:
    def weighted_loss(x: torch.Tensor, x_hat: torch.Tensor, importance: torch.Tensor) -> torch.Tensor:
        return ((x - x_hat) ** 2).sum(-1).mean(-1)  # importance weights dropped

    return weighted_loss


def _relu_everywhere(orig: Any) -> Any:
    def forward(W: torch.Tensor, b: torch.Tensor, x: torch.Tensor, linear: torch.Tensor | None = None) -> Any:
        return orig(W, b, x, None)  # the linear/ReLU flag is never passed on

    return forward


def _lr_percent(orig: Any) -> Any:
    def train(*a: Any, lr: float = 1e-2, **k: Any) -> Any:
        return orig(*a, lr=lr / 100, **k)  # a learning rate given in percent read as a fraction

    return train


def _shared_init(orig: Any) -> Any:
    def init_weights(B: int, m: int, n: int, gen: torch.Generator, device: str = "cpu") -> Any:
        return orig(1, m, n, gen, device).expand(B, m, n).clone()  # one seed for every replicate

    return init_weights


def _ev_uncentered(orig: Any) -> Any:
    def explained_variance(x: np.ndarray, x_hat: np.ndarray) -> float:
        return 1.0 - float(((x - x_hat) ** 2).sum()) / float((x**2).sum())  # Σ‖x‖² instead of Σ‖x − x̄‖²

    return explained_variance


def _mmcs_over_learned(orig: Any) -> Any:
    def mmcs(true: np.ndarray, learned: np.ndarray) -> Any:
        return orig(learned, true)  # averaged over learned latents, not over the true features

    return mmcs


def _greedy_matching(orig: Any) -> Any:
    from skeptic.studies.superposition import sae

    def matched_recovery(true: np.ndarray, learned: np.ndarray, threshold: float = 0.9) -> tuple[float, float]:
        best = sae.cosine_matrix(true, learned).max(axis=1)  # each feature takes its best latent, reused freely
        return float(best.mean()), float((best > threshold).mean())

    return matched_recovery


def _l0_counts_zeros(orig: Any) -> Any:
    def l0(codes: np.ndarray) -> float:
        return float((codes >= 0).sum(axis=1).mean())  # ≥ where > belongs: every ReLU output counts

    return l0


def _no_renorm(orig: Any) -> Any:
    def normalize_rows(W: torch.Tensor) -> None:
        return None  # decoder never renormalized: the L1 penalty is dodged by small codes and a large decoder

    return normalize_rows


def _density_broadcast(orig: Any) -> Any:
    def sample_codes(density: torch.Tensor, *a: Any, **k: Any) -> Any:
        return orig(density[:1].expand_as(density), *a, **k)  # the first model's density used for every model

    return sample_codes


def _structure_dropped(orig: Any) -> Any:
    def sample_features(density: torch.Tensor, batch: int, n: int, gen: torch.Generator, device: str = "cpu",
                        structure: torch.Tensor | None = None) -> Any:  # fmt: skip
        return orig(density, batch, n, gen, device)  # the correlation structure is never passed on

    return sample_features


def _copula_ignored(orig: Any) -> Any:
    def sample_codes(density: torch.Tensor, batch: int, G: int, gen: torch.Generator, one_hot: Any = None,
                     feature_mask: Any = None, correlation: Any = None) -> Any:  # fmt: skip
        return orig(density, batch, G, gen, one_hot, feature_mask)  # correlated data silently independent

    return sample_codes


def _onehot_loss_unnormalized(orig: Any) -> Any:
    def onehot_expected_loss(W: torch.Tensor, b: torch.Tensor) -> Any:
        return orig(W, b) * W.shape[-1]  # the 1/n of the uniform choice of the active feature dropped

    return onehot_expected_loss


FAULTS = (
    Fault("density-read-as-sparsity", "swap", "the toy data generator uses S where the density 1 − S belongs",
          replace(f"{TOY}.sample_features", _density_as_sparsity)),
    Fault("importance-dropped", "setting", "the toy loss drops the importance weights Iᵢ",
          replace(f"{TOY}.weighted_loss", _no_importance)),
    Fault("linear-model-gets-relu", "swap", "the linear toy models are trained with the ReLU output",
          replace(f"{TOY}.forward", _relu_everywhere)),
    Fault("toy-lr-in-percent", "scale", "the toy models' learning rate is 100 times too small",
          replace(f"{TOY}.train_toy_models", _lr_percent)),
    Fault("replicates-share-init", "rng-reuse", "every seed of a toy sweep starts from the same initialization",
          replace(f"{TOY}.init_weights", _shared_init)),
    Fault("explained-variance-uncentered", "wrong-field",
          "explained variance divides by Σ‖x‖² instead of Σ‖x − x̄‖² (a bug of public SAE libraries)",
          replace(f"{SAE}.explained_variance", _ev_uncentered)),
    Fault("mmcs-over-latents", "wrong-field", "MMCS averages over learned latents instead of over true features",
          replace(f"{SAE}.mmcs", _mmcs_over_learned)),
    Fault("matching-not-one-to-one", "other", "the 'Hungarian' recovery lets one latent match many true features",
          replace(f"{SAE}.matched_recovery", _greedy_matching)),
    Fault("l0-counts-zeros", "off-by-one", "L0 counts codes ≥ 0 instead of > 0",
          replace(f"{SAE}.l0", _l0_counts_zeros)),
    Fault("decoder-not-renormalized", "setting", "the SAE decoder columns are never renormalized to unit norm",
          replace(f"{SAE}._normalize_rows", _no_renorm)),
    Fault("sae-density-broadcast", "wrong-field", "every SAE's data use the first model's feature density",
          replace(f"{SAE}.sample_codes", _density_broadcast)),
    Fault("feature-structure-dropped", "setting",
          "the toy sampler ignores the correlated / anticorrelated / one-hot structure (every model independent)",
          replace(f"{TOY}.sample_features", _structure_dropped)),
    Fault("sae-correlation-ignored", "setting", "the SAE sampler drops the copula: 'correlated' data are independent",
          replace(f"{SAE}.sample_codes", _copula_ignored)),
    Fault("onehot-loss-unnormalized", "scale",
          "the exact high-sparsity loss forgets the 1/n of choosing which feature is active",
          replace(f"{TOY}.onehot_expected_loss", _onehot_loss_unnormalized)),
)  # fmt: skip
