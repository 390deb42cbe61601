"""Probes that hold what training did against what the config declares: the data, the regularizers, the update and
the evaluation grid (the mutation bar, issue 25; issue 31).

Each reads the declared value from the config and from a table of its own (the datasets' classes and image shapes,
:data:`DECLARED_DATA`, written apart from ``data.py``), and the observed value from what was measured during training
(``trainrecord.py``: dropout masks, translations, the update recovered from the tensors) or from the stored rows. No
function of the trainer or of ``data.py`` is called. Tolerances are fixed in advance from the sampling law of each
quantity, never from a run.
"""

from __future__ import annotations

import math
from typing import Any

from scipy import stats

from skeptic.studies.random_labels.config import RandomLabelsConfig
from skeptic.study import Measurements, ProbeOutcome

DECLARED_DATA: dict[str, dict[str, Any]] = {
    "digits": {"classes": 10, "shape": (1, 8, 8)},  # scikit-learn's load_digits: 8x8 images of the ten digits
    "mnist": {"classes": 10, "shape": (1, 28, 28)},  # MNIST: 28x28 images of the ten digits
    "mnist1d": {"classes": 10, "shape": (1, 1, 40)},  # MNIST-1D (Greydanus 2020): ten templates, 40 samples
    "cifar10": {"classes": 10, "shape": (3, 32, 32)},  # CIFAR-10: ten classes of 32x32 RGB images
}
"""Each dataset's number of classes and image shape as its source defines them."""

Z_LIMIT = 5.0
"""Standard errors a binomial share (dropout, label corruption) may stray from its declared value (two-sided false
alarm ~6e-7 per check)."""
UNIFORM_P = 1e-6
"""Smallest chi-square p-value accepted for draws declared uniform (random labels over the classes, translations
over the declared window)."""
MIN_PER_CELL = 5
"""Expected recorded images per declared translation below which the uniformity test is not made (only the
support of the translations is held then)."""
AMBIGUOUS_SHARE = 0.01
"""Largest share of recorded images that more than one translation explains (an image equal to a shift of itself)."""
UPDATE_RTOL = 1e-3
"""Relative agreement of the weight decay, momentum and learning rate recovered from the tensors with the declared
ones (float32 round-off gives ~1e-6)."""
UPDATE_ATOL = 1e-7
"""Absolute slack of the recovered weight decay where none is declared (round-off gives ~1e-10; the paper's decay is
5e-4)."""


def _rows(m: Measurements) -> list[tuple[str, dict[str, Any]]]:
    """Every trained net: the main runs and the size sweep's smaller sets (its full-size rows are the runs)."""
    out = [(f"{r['model']}/{r['condition']}/p={r['p']}/{r['reg']}/seed {r['seed']}", r) for r in m["runs"]]
    return out + [(f"size sweep n={x['n']} {x['condition']} seed {x['seed']}", x) for x in m["size_sweep"]
                  if x["n"] != m["n_train"]]  # fmt: skip


def declared_regularizers(config: RandomLabelsConfig, reg: str) -> tuple[float, float, int]:
    """(dropout rate, weight decay, maximal shift) the config declares for a net with regularizer variant ``reg``."""
    return (
        config.dropout if reg == "dropout" else 0.0,
        config.weight_decay if reg in ("weight_decay", "wd_aug") else 0.0,
        config.max_shift if reg in ("augmentation", "wd_aug") else 0,
    )


def _shift_problems(counts: list[int], shift: int, one_row: bool) -> list[str]:
    """What is wrong with one net's recorded translations when ``shift`` pixels are declared (0: none)."""
    r = math.isqrt(len(counts) - 2) // 2
    side = 2 * r + 1
    grid, none, several = counts[: side * side], counts[-2], counts[-1]
    total = sum(counts)
    bad = []
    if total == 0:
        return ["no recorded images"]
    if none:
        bad.append(f"{none} recorded images are no translation of their input within {r} pixels")
    if several > AMBIGUOUS_SHARE * total:
        bad.append(f"{several} of {total} recorded images match several translations")
    allowed = [(a, b) for a in range(-r, r + 1) for b in range(-r, r + 1)
               if abs(a) <= (0 if one_row else shift) and abs(b) <= shift]  # fmt: skip
    outside = sum(c for i, c in enumerate(grid) if (i // side - r, i % side - r) not in allowed)
    if outside:
        bad.append(f"{outside} images moved beyond the declared {shift} pixel(s)")
    if shift > 0:
        inside = [grid[(a + r) * side + (b + r)] for a, b in allowed]
        n = sum(inside)
        # each moving axis' displacement uniform over -shift..shift, and the unmoved share 1/|window|: binomial shares,
        # with power at small samples; the joint chi-square where every declared translation expects enough images
        shares = [("unmoved", [inside[allowed.index((0, 0))]], 1 / len(allowed))]
        for axis, name in ((0, "vertical"), (1, "horizontal")):
            if axis == 0 and one_row:
                continue
            for v in range(-shift, shift + 1):
                hits = [c for (a, b), c in zip(allowed, inside, strict=True) if (a, b)[axis] == v]
                shares.append((f"{name} {v:+d}", hits, 1 / (2 * shift + 1)))
        for what, hits, q in shares:
            if n and abs(sum(hits) / n - q) > Z_LIMIT * math.sqrt(q * (1 - q) / n) + 1 / n:
                bad.append(f"{what} share of translations {sum(hits) / n:.3f} of {n}, declared {q:.3f}")
        if n >= MIN_PER_CELL * len(allowed):
            p = float(stats.chisquare(inside).pvalue)
            if p < UNIFORM_P:
                bad.append(f"translations not uniform over the declared {len(allowed)} (p {p:.1g}): {inside}")
    return bad


def probe_regularizers(m: Measurements, config: RandomLabelsConfig) -> ProbeOutcome:
    """Every trained net got the regularizers its config declares and no others, as observed during training: the
    share of live hidden units its dropout masks zeroed equals the declared rate within :data:`Z_LIMIT` binomial
    standard errors and the masked units keep their sum (inverted dropout), while a net declared without dropout
    never passes through a mask; the translations recovered between its recorded inputs before and after
    augmentation lie within the declared shift and are uniform over it (chi-square p ≥ :data:`UNIFORM_P`), and are
    all zero for a net declared without shifts; and the weight decay recovered from its updates is the declared one
    (within :data:`UPDATE_RTOL`, or :data:`UPDATE_ATOL` where none is declared)."""
    shape = DECLARED_DATA[config.dataset]["shape"]
    bad: list[str] = []
    for where, r in _rows(m):
        t = r.get("trained")
        if not t or "dropout" not in t or "shifts" not in t:
            bad.append(f"{where}: no training record")
            continue
        rate, wd, shift = declared_regularizers(config, r.get("reg", "none"))
        d = t["dropout"]
        if rate == 0.0:
            if d["units"] > 0:
                bad.append(f"{where}: declared without dropout, {d['units']:.0f} units went through a dropout mask")
        elif d["units"] == 0:
            bad.append(f"{where}: declared dropout {rate:g}, no unit recorded through a mask")
        else:
            share = d["zeroed"] / d["units"]
            se = math.sqrt(rate * (1 - rate) / d["units"])
            if abs(share - rate) > Z_LIMIT * se + 1 / d["units"]:
                bad.append(f"{where}: dropout zeroed {share:.4f} of live units, declared {rate:g} ± {Z_LIMIT * se:.4f}")
            scale = d["sum_masked"] / d["sum_unmasked"] if d["sum_unmasked"] else math.nan
            slack = 10 * math.sqrt(rate / ((1 - rate) * d["units"]))
            if not abs(scale - 1) <= slack:
                bad.append(f"{where}: masked units sum to {scale:.4f}x the unmasked (inverted: 1 ± {slack:.3f})")
        bad += [f"{where}: {p}" for p in _shift_problems(t["shifts"], shift, shape[1] == 1)]
        ups = t.get("updates") or []
        if not ups:
            bad.append(f"{where}: no recorded update")
        for step, wd_est, _, _ in ups:
            if not abs(wd_est - wd) <= UPDATE_RTOL * wd + UPDATE_ATOL:
                bad.append(f"{where} step {step:.0f}: weight decay {wd_est:.3g} recovered, declared {wd:g}")
                break
    n = len(_rows(m))
    return ProbeOutcome(not bad, "; ".join(bad[:4]) if bad else f"{n} nets: dropout, shifts, weight decay as declared")


def probe_updates(m: Measurements, config: RandomLabelsConfig) -> ProbeOutcome:
    """Every net's recorded updates, recovered from its weights, momentum buffers and raw gradients before and after
    the step, used the declared momentum and learning rate, ``lr · decay^⌊step / decay_every⌋`` with the model's
    configured rate (within :data:`UPDATE_RTOL`). With momentum 0 the buffers carry nothing and nothing is held."""
    if config.momentum == 0.0:
        return ProbeOutcome(True, "momentum 0: the update keeps no buffer to recover it from; not checked")
    bad: list[str] = []
    for where, r in _rows(m):
        lr0 = config.lr_mlp if r.get("model", config.models[0]).startswith("mlp") else config.lr_cnn
        for step, _, mu, lr in (r.get("trained") or {}).get("updates") or []:
            want = lr0 * config.lr_decay ** (int(step) // config.decay_every)
            if not abs(lr - want) <= UPDATE_RTOL * want:
                bad.append(f"{where} step {step:.0f}: learning rate {lr:.4g}, declared {want:.4g}")
                break
            if mu is not None and not abs(mu - config.momentum) <= UPDATE_RTOL * config.momentum:
                bad.append(f"{where} step {step:.0f}: momentum {mu:.4g}, declared {config.momentum:g}")
                break
    return ProbeOutcome(not bad, "; ".join(bad[:4]) if bad else "every recorded update used the declared lr, momentum")


def probe_data(m: Measurements, config: RandomLabelsConfig) -> ProbeOutcome:
    """The data the nets trained on is what the config declares, its constants taken from :data:`DECLARED_DATA`:
    the number of classes and the input size; the configured numbers of training and test images; every net's
    labels within the declared classes, one per training image; the random labels uniform over the classes
    (chi-square p ≥ :data:`UNIFORM_P`); the share of labels corruption changed equal to p(K−1)/K with the declared K
    (within :data:`Z_LIMIT` binomial standard errors)."""
    decl = DECLARED_DATA[config.dataset]
    K = int(decl["classes"])
    bad: list[str] = []
    if m["n_classes"] != K:
        bad.append(f"{m['n_classes']} classes, {config.dataset} has {K}")
    if m["input_dim"] != math.prod(decl["shape"]):
        bad.append(f"inputs of {m['input_dim']} values, {config.dataset} images have {math.prod(decl['shape'])}")
    if (m["n_train"], m["n_test"]) != (config.n_train, config.n_test):
        bad.append(f"{m['n_train']}/{m['n_test']} images, declared {config.n_train}/{config.n_test}")
    if sorted(set(m["y_train"])) != list(range(K)):
        bad.append(f"the true training labels take the values {sorted(set(m['y_train']))[:12]}, not 0..{K - 1}")
    for where, r in _rows(m):
        counts = r.get("label_counts")
        if counts is None:
            bad.append(f"{where}: no label counts")
            continue
        if len(counts) > K or sum(counts) != r["n"]:
            bad.append(f"{where}: {sum(counts)} labels over {len(counts)} classes, declared {r['n']} over {K}")
        elif r["condition"] == "random_labels" and config.label_randomness == 1.0:
            p = float(stats.chisquare([*counts, *[0] * (K - len(counts))]).pvalue)
            if p < UNIFORM_P:
                bad.append(f"{where}: random labels not uniform over the {K} classes (chi-square p {p:.1g})")
    for rec in m["corruption_check"]:
        q = rec["p"] * config.label_randomness * (K - 1) / K
        se = math.sqrt(max(q * (1 - q), 1e-12) / rec["n"])
        if abs(rec["changed"] / rec["n"] - q) > Z_LIMIT * se:
            bad.append(
                f"corruption p={rec['p']} seed {rec['seed']}: {rec['changed']}/{rec['n']} changed, declared {q:.3f}"
            )
    return ProbeOutcome(
        not bad, "; ".join(bad[:4]) if bad else f"{config.dataset}: {K} classes, sizes, labels, corruption as declared"
    )


def declared_grid(config: RandomLabelsConfig, final: int) -> list[int]:
    """The evaluation steps of a run that ended at ``final``: every ``eval_every``-th step, and the cap if it ended
    there between two of them."""
    E, cap = config.eval_every, config.max_steps
    steps = list(range(E, final + 1, E))
    return [*steps, cap] if final == cap and cap % E else steps


def probe_eval_grid(m: Measurements, config: RandomLabelsConfig) -> ProbeOutcome:
    """Every run was evaluated on the declared grid and ended as the declared rule says: its learning curve sampled
    at every ``eval_every``-th step up to its end (and at the cap, where it ran there), its end either a stop before
    the cap or the cap itself (censored), and every time to fit it records (and every evaluation checked again) on
    that grid."""
    E, cap = config.eval_every, config.max_steps
    on_grid = set(range(E, cap + 1, E)) | {cap}
    runs = {(r["model"], r["condition"], r["p"], r["reg"], r["seed"]): r for r in m["runs"]}
    bad: list[str] = []
    for h in m["histories"]:
        r = runs.get((h["model"], h["condition"], h["p"], h["reg"], h["seed"]))
        if r is None:
            continue  # the fit-time probe reports a curve without a run
        want = declared_grid(config, r["final_step"])
        if h["steps"] != want:
            bad.append(f"{h['model']}/{h['condition']}/{h['reg']}/seed {h['seed']}: evaluated at {h['steps'][:4]}..."
                       f" ({len(h['steps'])}), declared {want[:4]}... ({len(want)})")  # fmt: skip
    for where, r in _rows(m):
        final = r.get("final_step")
        if final is None or not 0 < final <= cap or final not in on_grid:
            bad.append(f"{where}: ended at step {final}, not on the declared grid up to the cap {cap}")
        for k, v in r.items():
            if (k == "fit_step" or k.startswith("loss_step_")) and v is not None and (v not in on_grid or v > final):
                bad.append(f"{where}: {k} = {v}, not an evaluation of the declared grid up to its end {final}")
        off = [e["step"] for e in r.get("evals") or [] if e["step"] not in on_grid]
        if off:
            bad.append(f"{where}: weights recorded at steps {off[:3]}, off the declared grid")
    return ProbeOutcome(
        not bad, "; ".join(bad[:4]) if bad else f"{len(m['histories'])} curves and {len(_rows(m))} runs on the grid"
    )
