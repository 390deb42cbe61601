"""Sparse autoencoders on data whose features are known, and the metrics that score their recovery.

Data (Sharkey, Braun & Millidge 2022, "Taking features out of superposition with sparse autoencoders",
section "Toy data"): G unit feature directions fᵍ in d dimensions; each sample x = Σ_g a_g fᵍ with
a_g = 0 except with probability ``density``, then U[0, 1).

SAE (Sharkey et al. 2022; Bricken et al. 2023, "Towards monosemanticity", section "Sparse autoencoder"):

    c = ReLU(W_enc (x − b_dec) + b_enc),   x̂ = W_dec c + b_dec,   L = ‖x − x̂‖² + λ ‖c‖₁

with decoder columns renormalized to unit norm after every step (so the L1 penalty cannot be dodged by
shrinking codes and growing the decoder). The top-k variant keeps only the k largest codes instead of
penalizing them. Every model of a sweep with the same dictionary size is one slice of stacked parameters.

Metrics (each tested against a hand-computed case in ``tests/studies/superposition``):

- MMCS (Sharkey et al. 2022, "Mean max cosine similarity"): mean over the true features of the largest
  cosine similarity with any learned decoder direction.
- Matched recovery: one-to-one Hungarian matching of true features to learned directions maximizing the
  total cosine similarity; mean matched cosine (an unmatched feature counts 0) and the share matched above 0.9.
- L0: mean number of nonzero codes per input. Dead latents: never nonzero on the evaluation set.
- Explained variance: 1 − Σ_n ‖xₙ − x̂ₙ‖² / Σ_n ‖xₙ − x̄‖², x̄ the mean input vector.
- Chance levels: the expected MMCS and duplicated share of an untrained dictionary of h random directions in d
  dimensions, exactly (:func:`chance_mmcs`, :func:`chance_duplicated`), from the law of the cosine between a fixed
  unit vector and a uniformly random one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import torch
from scipy.integrate import quad
from scipy.optimize import linear_sum_assignment
from scipy.stats import beta

from skeptic.studies.superposition.toy import LossWindows, lr_steps, named_seed


@dataclass
class SAEResult:
    """Trained SAEs: decoder ``W_dec`` (B, h_max, d) with unit rows, and the rest.

    Model b uses its first ``sizes[b]`` latents; the others are masked to zero throughout (never trained).
    """

    W_enc: torch.Tensor
    b_enc: torch.Tensor
    W_dec: torch.Tensor
    b_dec: torch.Tensor
    sizes: torch.Tensor
    full: bool = False
    """Every model uses all h_max latents (no mask needed; set by the trainer for its per-size stacks)."""
    settings: dict[str, Any] = field(default_factory=dict)
    """What the trainer was given and did: per-model size, λ and density, steps, batch, lr, optimizer, the learning
    rate it used at a few steps and each model's mean training loss over equal windows of the run (as
    :attr:`toy.ToyResult.settings`)."""

    @property
    def mask(self) -> torch.Tensor:
        """(B, h_max) bool: the latents each model has."""
        h_max = self.W_dec.shape[1]
        return torch.arange(h_max, device=self.sizes.device)[None, :] < self.sizes[:, None]


def random_features(G: int, d: int, gen: torch.Generator, device: str = "cpu") -> torch.Tensor:
    """G unit vectors in d dimensions, uniform on the sphere: (G, d)."""
    F = torch.randn(G, d, generator=gen, device=device)
    unit: torch.Tensor = F / F.norm(dim=-1, keepdim=True)
    return unit


CORR_BLOCK = 4
"""Correlated activations: features g and g' are correlated when g // CORR_BLOCK == g' // CORR_BLOCK."""


def sample_codes(
    density: torch.Tensor,
    batch: int,
    G: int,
    gen: torch.Generator,
    one_hot: torch.Tensor | None = None,
    feature_mask: torch.Tensor | None = None,
    correlation: torch.Tensor | None = None,
) -> torch.Tensor:
    """Activations a: (B, batch, G); a_g ~ U[0,1) with probability density_b else 0.

    Where ``one_hot[b]`` is true, each sample of model b has exactly one active feature (chosen uniformly),
    so its data are the dictionary itself, scaled. ``feature_mask`` (B, G) marks each model's real features
    (models with fewer features than G are padded); padded slots never fire. ``correlation`` (B,) ρ ∈ [0, 1)
    makes the on/off gates of features in the same block of ``CORR_BLOCK`` correlated by a Gaussian copula
    (as Sharkey et al. correlate their features): z_g = √ρ u_block + √(1 − ρ) e_g, feature g on iff
    z_g > Φ⁻¹(1 − p), so every feature keeps its marginal density p exactly and ρ = 0 is independence.
    """
    B = density.shape[0]
    dev = density.device
    if correlation is not None and bool((correlation > 0).any()):
        rho = correlation.to(dev, torch.float32).view(B, 1, 1)
        n_blocks = -(-G // CORR_BLOCK)
        u = torch.randn(B, batch, n_blocks, generator=gen, device=dev).repeat_interleave(CORR_BLOCK, -1)[..., :G]
        z = rho.sqrt() * u + (1 - rho).sqrt() * torch.randn(B, batch, G, generator=gen, device=dev)
        on = z > torch.special.ndtri(1 - density.to(torch.float32)).view(B, 1, 1)
    else:
        on = torch.rand(B, batch, G, generator=gen, device=dev) < density.view(B, 1, 1)
    if feature_mask is not None:
        on = on & feature_mask[:, None, :]
    if one_hot is not None and bool(one_hot.any()):
        n_valid = feature_mask.sum(-1) if feature_mask is not None else torch.full((B,), G, device=dev)
        u1 = torch.rand(B, batch, generator=gen, device=dev)
        pick = (u1 * n_valid[:, None]).long().clamp_max(G - 1)  # real features are the first n_valid slots
        single = torch.nn.functional.one_hot(pick, G).bool()
        on = torch.where(one_hot.view(B, 1, 1), single, on)
    mag = torch.rand(B, batch, G, generator=gen, device=dev)
    if one_hot is not None:  # the calibration data avoid near-zero magnitudes
        mag = torch.where(one_hot.view(B, 1, 1), 0.5 + 0.5 * mag, mag)
    codes: torch.Tensor = mag * on
    return codes


def sample_data(
    features: torch.Tensor,
    density: torch.Tensor,
    batch: int,
    gen: torch.Generator,
    one_hot: torch.Tensor | None = None,
    feature_mask: torch.Tensor | None = None,
    correlation: torch.Tensor | None = None,
) -> torch.Tensor:
    """x = a F per model: features (B, G, d) -> x (B, batch, d)."""
    a = sample_codes(density, batch, features.shape[1], gen, one_hot, feature_mask, correlation)
    x: torch.Tensor = torch.bmm(a, features)
    return x


def encode(r: SAEResult, x: torch.Tensor, k: torch.Tensor | None = None) -> torch.Tensor:
    """Codes c = ReLU((x − b_dec) W_enc + b_enc) on each model's own latents; with ``k`` (B,), only each
    model's k largest codes are kept."""
    c = torch.relu(torch.baddbmm(r.b_enc[:, None, :], x - r.b_dec[:, None, :], r.W_enc))
    if not r.full:
        c = c * r.mask[:, None, :]
    if k is not None:
        sel = (k.to(c.device) < r.sizes).nonzero().squeeze(-1)  # the top-k models
        if sel.numel():
            kk = k.to(c.device)[sel]
            sub = c[sel]
            top = torch.topk(sub, int(kk.max()), dim=-1).values
            thresh = top.gather(-1, (kk - 1).clamp_min(0).view(-1, 1, 1).expand(-1, c.shape[1], 1))
            c = c.index_put((sel,), sub * (sub >= thresh))
    return c


def decode(r: SAEResult, c: torch.Tensor) -> torch.Tensor:
    """x̂ = c W_dec + b_dec."""
    return torch.baddbmm(r.b_dec[:, None, :], c, r.W_dec)


def _normalize_rows(W: torch.Tensor) -> None:
    with torch.no_grad():
        W /= W.norm(dim=-1, keepdim=True).clamp_min(1e-8)


def _groups(data_group: torch.Tensor | None, B: int, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(representative model of each data group, each model's group index into the representatives)."""
    if data_group is None:
        idx = torch.arange(B, device=device)
        return idx, idx
    uniq, inv = torch.unique(data_group.to(device), return_inverse=True)
    reps = torch.full((len(uniq),), B, dtype=torch.long, device=device)
    reps = reps.scatter_reduce(0, inv, torch.arange(B, device=device), reduce="amin")
    return reps, inv


def train_saes(
    features: torch.Tensor,
    density: torch.Tensor,
    sizes: torch.Tensor,
    l1: torch.Tensor,
    *,
    k: torch.Tensor | None = None,
    one_hot: torch.Tensor | None = None,
    feature_mask: torch.Tensor | None = None,
    correlation: torch.Tensor | None = None,
    data_group: torch.Tensor | None = None,
    decoder_bias: bool = False,
    resample_every: int | None = None,
    steps: int = 2000,
    batch: int = 512,
    lr: float = 3e-3,
    seed: int = 0,
    device: str = "cpu",
) -> SAEResult:
    """Train B SAEs at once, model b with ``sizes[b]`` latents on its own data (features[b], density[b]) with
    penalty l1[b]. Models of the same dictionary size are one batched computation (stacked parameters), all
    sizes share one optimizer and one loop, and models with the same ``data_group`` (which must share
    features, density and sampler settings) train on the very same samples each step, which are drawn once
    for the group (data generation is shared across a sweep's sizes and penalties; the cells of a group are
    then paired comparisons on common random numbers).

    Sharkey et al.'s autoencoder has no decoder bias (their data have no offset); ``decoder_bias=True`` adds
    Bricken et al.'s b_dec, which on nonnegative sparse data absorbs the mean and tilts every atom.
    Latents silent for ``resample_every`` steps (default: an eighth of the run) are resampled during the first
    half of training (Bricken et al., "Neuron resampling", simplified): decoder row = a poorly reconstructed
    input's residual direction, encoder column = 0.2 x that direction, encoder bias 0. ``k[b] < sizes[b]`` makes
    model b a top-k SAE (its l1 should then be 0). Adam with a cosine decay; W_enc is initialized to W_decᵀ
    (Bricken et al.'s tied initialization), biases to 0.
    """
    B, _, d = features.shape
    gen = torch.Generator(device=device).manual_seed(seed)
    features = features.to(device)
    density = density.to(device)
    l1 = l1.to(device, torch.float32)
    sizes = sizes.to(device)
    k = None if k is None else k.to(device)
    h = int(sizes.max())
    reps, inv = _groups(data_group, B, device)
    if data_group is not None:  # every model of a group must really have its representative's data
        r_ = reps[inv]
        same = torch.equal(features, features[r_]) and torch.equal(density, density[r_])
        for extra in (one_hot, feature_mask, correlation):
            same = same and (extra is None or torch.equal(extra.to(device), extra.to(device)[r_]))
        if not same:
            raise ValueError("models of one data group must share features, density and sampler settings")

    def sub(t: torch.Tensor | None) -> torch.Tensor | None:
        return None if t is None else t.to(device)[reps]

    W0 = torch.randn(B, h, d, generator=gen, device=device)
    _normalize_rows(W0)
    buckets: list[tuple[torch.Tensor, SAEResult]] = []
    params: list[torch.Tensor] = []
    for s in sorted({int(v) for v in sizes.tolist()}):
        idx = (sizes == s).nonzero().squeeze(-1)
        W_dec = W0[idx, :s].clone()
        W_enc = W_dec.transpose(1, 2).clone().requires_grad_()
        W_dec.requires_grad_()
        b_enc = torch.zeros(len(idx), s, device=device, requires_grad=True)
        b_dec = torch.zeros(len(idx), d, device=device, requires_grad=decoder_bias)
        buckets.append((idx, SAEResult(W_enc, b_enc, W_dec, b_dec, sizes[idx], full=True)))
        params += [W_enc, b_enc, W_dec] + ([b_dec] if decoder_bias else [])
    opt = torch.optim.Adam(params, lr=lr, foreach=True)  # one kernel per op over all stacks
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 0.5 * (1 + math.cos(math.pi * t / steps)))
    active = [torch.zeros(len(idx), int(r.sizes[0]), dtype=torch.bool, device=device) for idx, r in buckets]
    every = resample_every if resample_every is not None else max(10, steps // 8)
    last_resample = (steps // 2) // every * every if every else 0  # resampling happens at multiples of every ≤ steps/2
    rep_args = (features[reps], density[reps], batch, gen, sub(one_hot), sub(feature_mask), sub(correlation))
    # per stack: its models' k where some of them are top-k SAEs, else None (no top-k work every step)
    ks = [None if k is None or not bool((k[idx] < r.sizes).any()) else k[idx] for idx, r in buckets]
    at, lr_trace, windows = lr_steps(steps), [], LossWindows(B, steps, device)
    # For the probes, at each resampling: its step, how many latents it resampled, how many of those fired on a fresh
    # check batch drawn from a generator of its own (the training stream is untouched), how many latents were silent
    # on that batch, and how many of those it kept. A latent silent on all `every` x `batch` examples of its window
    # should rarely fire on 4 x `batch` fresh ones; resampling that never finds a dead latent keeps every silent one.
    check_gen = torch.Generator(device=device).manual_seed(named_seed(seed, "resample-check"))
    check_args = (features[reps], density[reps], 4 * batch, check_gen, sub(one_hot), sub(feature_mask),
                  sub(correlation))  # fmt: skip
    resample_check: list[list[int]] = []
    for step in range(1, steps + 1):
        if step in at:
            lr_trace.append([step, float(opt.param_groups[0]["lr"])])
        x_rep = sample_data(*rep_args)
        loss = torch.zeros((), device=device)
        per_model = torch.zeros(B, device=device)
        outs = []
        for (idx, r), k_b in zip(buckets, ks, strict=True):
            x = x_rep[inv[idx]]
            c = encode(r, x, k_b)
            x_hat = decode(r, c)
            per = ((x - x_hat) ** 2).sum(-1).mean(-1) + l1[idx] * c.abs().sum(-1).mean(-1)
            per_model = per_model.index_copy(0, idx, per.detach())
            loss = loss + per.sum()
            outs.append((x, x_hat, c))
        windows.add(step, per_model)
        opt.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        opt.step()
        sched.step()
        window_end = bool(every) and step % every == 0
        resample_now = window_end and step <= steps // 2
        x_check = sample_data(*check_args) if resample_now else None
        n_resampled, n_fired, n_silent, n_silent_kept = 0, 0, 0, 0
        for (idx, r), act, (x, x_hat, c), k_b in zip(buckets, active, outs, ks, strict=True):
            _normalize_rows(r.W_dec)
            if step <= last_resample:  # after the last resampling step nothing reads which latents fired
                act |= (c.detach() > 0).any(1)
            if resample_now:
                assert x_check is not None
                with torch.no_grad():
                    fires = (encode(r, x_check[inv[idx]], k_b) > 0).any(1)
                n_resampled += int((~act).sum())
                n_fired += int((~act & fires).sum())
                n_silent += int((~fires).sum())
                n_silent_kept += int((act & ~fires).sum())
                _resample(r, x, x_hat.detach(), ~act, gen)
            if window_end:
                act.zero_()
        if resample_now:
            resample_check.append([step, n_resampled, n_fired, n_silent, n_silent_kept])
    W_enc_all = torch.zeros(B, d, h, device=device)
    b_enc_all = torch.zeros(B, h, device=device)
    W_dec_all = torch.zeros(B, h, d, device=device)
    b_dec_all = torch.zeros(B, d, device=device)
    for idx, r in buckets:
        s = int(r.sizes[0])
        W_enc_all[idx, :, :s] = r.W_enc.detach()
        b_enc_all[idx, :s] = r.b_enc.detach()
        W_dec_all[idx, :s] = r.W_dec.detach()
        b_dec_all[idx] = r.b_dec.detach()
    settings = {
        "steps": steps, "batch": batch, "lr": lr, "optimizer": type(opt).__name__, "d": d,
        "sizes": [int(v) for v in sizes.cpu().tolist()], "l1": l1.cpu().tolist(), "density": density.cpu().tolist(),
        "correlation": [0.0] * B if correlation is None else correlation.cpu().tolist(),
        "lr_trace": lr_trace, "resample_steps": [c[0] for c in resample_check],  # where it in fact resampled
        "resample_check": resample_check, **windows.record(),
    }  # fmt: skip
    return SAEResult(W_enc_all, b_enc_all, W_dec_all, b_dec_all, sizes, settings=settings)


def _resample(r: SAEResult, x: torch.Tensor, x_hat: torch.Tensor, dead: torch.Tensor, gen: torch.Generator) -> None:
    """Re-initialize dead latents (B, h) toward inputs the SAE reconstructs worst (probability ∝ ‖x − x̂‖²)."""
    if not bool(dead.any()):
        return
    resid = x - x_hat  # (B, batch, d)
    w = (resid**2).sum(-1) + 1e-12
    idx = torch.multinomial(w, dead.shape[1], replacement=True, generator=gen)  # (B, h)
    new = torch.gather(resid, 1, idx[..., None].expand(-1, -1, resid.shape[-1]))
    new = new / new.norm(dim=-1, keepdim=True).clamp_min(1e-8)
    with torch.no_grad():
        r.W_dec.copy_(torch.where(dead[..., None], new, r.W_dec))
        r.W_enc.copy_(torch.where(dead[:, None, :], 0.2 * new.transpose(1, 2), r.W_enc))
        r.b_enc.copy_(torch.where(dead, torch.zeros_like(r.b_enc), r.b_enc))


# ---------------------------------------------------------------------------------------------------
# Metrics (numpy, one model at a time: they run once per model, not per step)
# ---------------------------------------------------------------------------------------------------


def cosine_matrix(true: np.ndarray, learned: np.ndarray) -> np.ndarray:
    """cos(fᵍ, dʲ) for true rows (G, d) and learned rows (h, d): (G, h). Zero rows give 0."""
    t = true / np.maximum(np.linalg.norm(true, axis=1, keepdims=True), 1e-12)
    lrn = learned / np.maximum(np.linalg.norm(learned, axis=1, keepdims=True), 1e-12)
    return np.asarray(t @ lrn.T)


def mmcs(true: np.ndarray, learned: np.ndarray) -> float:
    """Mean over true features of the max cosine similarity with any learned direction (Sharkey et al. 2022)."""
    if learned.shape[0] == 0:
        return 0.0
    return float(cosine_matrix(true, learned).max(axis=1).mean())


def matched_recovery(true: np.ndarray, learned: np.ndarray, threshold: float = 0.9) -> tuple[float, float]:
    """(mean matched cosine, share of true features matched above ``threshold``) under a Hungarian matching.

    Each true feature gets at most one learned direction and vice versa; an unmatched true feature (fewer
    learned directions than features) counts 0.
    """
    G = true.shape[0]
    if learned.shape[0] == 0:
        return 0.0, 0.0
    cos = cosine_matrix(true, learned)
    rows, cols = linear_sum_assignment(-cos)
    matched = np.zeros(G)
    matched[rows] = cos[rows, cols]
    return float(matched.mean()), float((matched > threshold).mean())


def duplicated_share(true: np.ndarray, learned: np.ndarray, threshold: float = 0.9) -> float:
    """Share of true features that two or more learned directions each match with cosine above ``threshold``."""
    if learned.shape[0] == 0:
        return 0.0
    return float(((cosine_matrix(true, learned) > threshold).sum(axis=1) >= 2).mean())


def random_cosine_cdf(t: float, d: int) -> float:
    """P(cos ≤ t) for the cosine between a fixed unit vector and a uniformly random direction in d ≥ 2 dimensions:
    (1 + cos)/2 ~ Beta((d − 1)/2, (d − 1)/2) (d = 3: cos is uniform on [−1, 1], Archimedes)."""
    a = (d - 1) / 2
    return float(beta.cdf((1 + t) / 2, a, a))


@lru_cache(maxsize=256)
def chance_mmcs(h: int, d: int) -> float:
    """Expected MMCS of an untrained dictionary of h random directions in d dimensions (the chance level), exactly.

    Each true feature's best cosine is the largest of h independent cosines with law F_d (:func:`random_cosine_cdf`),
    whatever the feature, so E[MMCS] = E[max] = 1 − ∫₋₁¹ F_d(t)ʰ dt (h = 1: E[cos] = 0). The one-draw chance scores
    stored per SAE (``mmcs_chance``) scatter around it by ~0.03–0.08 at d = 8 (issue 33, session 16)."""
    if h < 1:
        return 0.0
    integral, _ = quad(lambda t: random_cosine_cdf(t, d) ** h, -1.0, 1.0, limit=200, epsabs=1e-10, epsrel=1e-10)
    return 1.0 - float(integral)


@lru_cache(maxsize=256)
def chance_duplicated(h: int, d: int, threshold: float = 0.9) -> float:
    """Expected share of true features that two or more of h random directions in d dimensions each match with cosine
    above ``threshold``, exactly: with q = P(cos > threshold), P(Binomial(h, q) ≥ 2) = 1 − (1 − q)ʰ − h q (1 − q)ʰ⁻¹."""
    q = 1.0 - random_cosine_cdf(threshold, d)
    return float(1.0 - (1.0 - q) ** h - h * q * (1.0 - q) ** (h - 1)) if h >= 2 else 0.0


def l0(codes: np.ndarray) -> float:
    """Mean number of nonzero codes per input; codes (N, h)."""
    return float((codes > 0).sum(axis=1).mean())


def dead_latents(codes: np.ndarray) -> int:
    """Latents that are zero on every input of the evaluation set; codes (N, h)."""
    return int((~(codes > 0).any(axis=0)).sum())


def explained_variance(x: np.ndarray, x_hat: np.ndarray) -> float:
    """1 − Σ_n ‖xₙ − x̂ₙ‖² / Σ_n ‖xₙ − x̄‖², x̄ the mean of the rows of x (N, d)."""
    resid = float(((x - x_hat) ** 2).sum())
    total = float(((x - x.mean(axis=0, keepdims=True)) ** 2).sum())
    return 1.0 - resid / total
