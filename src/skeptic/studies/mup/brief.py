"""The plain-language brief of the mup study."""

from __future__ import annotations

from typing import TYPE_CHECKING

from skeptic.studies.mup.claims import (
    STABLE,
    WIDER_MEASURED,
    _name,
    _rel_gap,
    derivation_gap,
    loss_slope,
    shift_per_doubling,
)
from skeptic.studies.mup.experiment import COMBOS, LINEAR, SWEEPS
from skeptic.study import Brief

if TYPE_CHECKING:
    from skeptic.study import RunResult


def _shift(result: RunResult, model: str, opt: str, param: str) -> float:
    e = shift_per_doubling(model, opt, param)(result.measurements)
    return float(e.value)


def _short(claim_id: str) -> str:
    """A claim in a few plain words, for the prose (no ids)."""
    for model, opt in SWEEPS:
        suffix = f"-{model}-{opt}"
        if claim_id.endswith(suffix):
            what = {
                "mup-optimum-stable": "the μP optimum staying put",
                "sp-optimum-shifts": "the SP optimum shifting",
                "mup-wider-never-worse": "wider μP models never being worse",
            }[claim_id[: -len(suffix)]]
            return f"{what} for the {_name(model, opt)}"
    return {
        "coord-check-mup-flat": "μP's coordinate check being flat in every setting",
        "coord-check-sp-grows": "SP's coordinate check growing in every setting",
        "deep-linear-predicts-relu": "the deep-linear exponents fitting the ReLU network within 0.2",
    }[claim_id]


def found(result: RunResult) -> str:
    m = result.measurements
    lines = []
    for model, opt in SWEEPS:
        sp, mu = _shift(result, model, opt, "sp"), _shift(result, model, opt, "mup")
        widths = sorted({r["width"] for r in m["sweeps"] if r["model"] == model})
        lines.append(
            f"{_name(model, opt)} (widths {widths[0]}–{widths[-1]}): per doubling of width the best learning rate "
            f"moves by {sp:+.2f} log₂ units under SP and {mu:+.2f} under μP."
        )
    gap = derivation_gap("coord")(m)
    lin = derivation_gap("linear")(m)
    ref = m["crosscheck"][0]["reference"] if m["crosscheck"] else "no reference"
    worst = max((_rel_gap(r[f"ours_{k}"], r[k]) for r in m["crosscheck"] for k in ("sizes", "deltas")), default=0.0)
    lines.append(
        f"The deep-linear derivation's width exponents match the deep linear network within {lin.value:.2f} and a "
        f"ReLU MLP within {gap.value:.2f} (worst layer). Against {ref}, started from the same draws and batches, "
        f"Skeptic's μP activations differ by at most {worst:.1g} (relative) over every step checked."
    )
    measured = []
    for w_model, w_opt in WIDER_MEASURED:
        mu, sp = (loss_slope(w_model, w_opt, p)(m) for p in ("mup", "sp"))
        measured.append(
            f"for the {_name(w_model, w_opt)}, the largest slope of held-out loss on log₂ width over the rates where "
            f"every width trains is {mu.value:+.3f} [{mu.lo:+.3f}, {mu.hi:+.3f}] nats per doubling under μP and "
            f"{sp.value:+.3f} [{sp.lo:+.3f}, {sp.hi:+.3f}] under SP"
        )
    if measured:
        lines.append(
            "Wider is better, measured but not claimed (without μP's rule it is not worse with width at these rates "
            "either, so the comparison cannot fail here): " + "; ".join(measured) + "."
        )
    unsettled = [_short(c["id"]) + f" ({c['verdict'].replace('_', ' ')}: {c['measured']})" for c in result.claims
                 if c["verdict"] in ("not_replicated", "inconclusive")]  # fmt: skip
    if unsettled:
        lines.append("Not settled at this size (the interval over seeds reaches past Skeptic's line): "
                     + "; ".join(unsettled) + ".")  # fmt: skip
    return " ".join(lines)


def answer(result: RunResult) -> str:
    sp = [_shift(result, mo, op, "sp") for mo, op in COMBOS]
    mu = [_shift(result, mo, op, "mup") for mo, op in COMBOS]
    transfers = max(abs(x) for x in mu) <= STABLE
    verdict = (
        "so a rate tuned on a small model carried over to wider ones, at these small sizes"
        if transfers
        else "so even under μP the best rate drifted by more than a quarter doubling per doubling of width here"
    )
    lin_sp, lin_mu = (_shift(result, *LINEAR, p) for p in ("sp", "mup"))
    return (
        f"With the standard recipe the best learning rate moved by {min(sp):+.1f} to {max(sp):+.1f} doublings "
        f"each time the networks doubled in width; with μP it moved by {min(mu):+.2f} to {max(mu):+.2f}, {verdict}. "
        f"In the toy model, a deep linear network trained with Adam, the best rate moved by {lin_sp:+.2f} per "
        f"doubling with the standard recipe and {lin_mu:+.2f} with μP."
    )


BRIEF = Brief(
    claimed=(
        "Yang et al. (2022, 'Tensor Programs V') showed that the best learning rate of a neural network depends on "
        "its width under the standard way of initializing and training it, but stays put under their "
        "'maximal-update parametrization' (μP): a recipe (their Table 3) for how the initial weights and the learning "
        "rate of each layer should shrink as the network widens. Under μP one can tune hyperparameters on a small "
        "model and copy them to a large one ('μTransfer'); they report tuning a 6.7-billion-parameter GPT-3 this "
        "way for about 7% of the cost of one pre-training run. A wider μP network is also never worse at a fixed "
        "learning rate. Coordinate checks (Microsoft's mup package) show why: under μP each layer's activations "
        "change by the same amount per step at every width, while under the standard parametrization some grow. "
        "A critic's gloss is that most of μP's scaling follows from a toy model, a deep linear network."
    ),
    ran=(
        "Character-level language models trained on Python's own documentation (the text `help()` shows, about "
        "465,000 characters, nothing downloaded): a two-layer MLP with SGD and with Adam, and a small transformer "
        "with Adam, each in the standard parametrization and in μP, at several widths, over a grid of learning "
        "rates and several seeds; each width's whole grid trains as one batched computation. Coordinate checks "
        "measure each layer's change after a few steps at widths up to 1024. Skeptic's μP is checked step for step "
        "against Microsoft's mup package. The deep-linear derivation (one SGD or Adam step on f = V·W·U·x; "
        "in a layer with width n the update sums n aligned terms) predicts how each layer's change scales with "
        "width: under SP with SGD as n^-1/2, n^1/2 and n for the input layer, hidden layer and logits, with Adam as "
        "n^0, n^1 and n^3/2; under μP as n^0 everywhere. The n^3/2 of SP/Adam's logits is asymptotic: with V output "
        "characters the coherent part of a logit's change is n^3/2/√V beside an n term, so over widths 64 to 1,024 "
        "the slope the derivation predicts is about 1.3, and that is what the measurements are compared with (both "
        "numbers are stored with the run). Those exponents are compared with the measured ones on a deep linear "
        "network and on a ReLU MLP, and the deep linear network's learning rate is swept like the MLP's (Adam, the "
        "same widths, seeds and steps), to see whether the toy model shows the transfer itself. As a contrast, "
        "each parametrization is also run with the other's learning-rate multipliers, where μP's rule is absent "
        "and its claims must fail, and the sweeps' μP networks are also trained in the standard parametrization "
        "(μP absent altogether) and their SP networks in μP (SP absent)."
    ),
    not_shown=(
        "What transfer buys a lab: a learning-rate search needs many full training runs; if the best rate can be "
        "found on a model 10 to 100 times smaller and reused, the search costs a few percent of one large run instead "
        "of several large runs (TP5's GPT-3 6.7B example: about 7% of one pre-training run), i.e. months of "
        "accelerator time and millions of dollars saved at frontier scale. This study cannot show that: its widest "
        "network is 1,024 units (256 for the transformers) and trains for seconds, so it checks the direction and "
        "the scaling exponents, not transfer across 1,000-fold scale-ups, long training, depth, batch size or other "
        "hyperparameters (TP5 transfers initialization scale, output multiplier and schedule too; we test only the "
        "learning rate, and Microsoft's mup offers coordinate checks on any model with get_coord_data). 'Stable' "
        "means the best learning rate moves by at most 0.25 log₂ units per doubling, judged across a band of ±0.2 "
        "to ±0.3; the thresholds for 'stable', 'shifts', 'flat' and 'grows' are Skeptic's, and the claims say "
        "so. The deep-linear derivation covers one "
        "step from initialization; that it also fits a ReLU network here says little about attention, LayerNorm or "
        "long training. The critic's point reaches further than these exponents: an independent review (issue 33) "
        "trained a deep linear network with Microsoft's mup and saw learning-rate transfer itself (the optimum "
        "moving −0.16 log₂ per doubling under μP against −1.20 under SP) and wider-is-better. This study now sweeps "
        "its own deep linear network's learning rate too, with Adam only (SGD would double the cost); outside the "
        "run, the same sweep trained cell by cell with Microsoft's mup gave the same numbers, and with Adam mup's "
        "own initialization in place of the study's also kept μP's optimum put while SP's fell. Whether a wider deep "
        "linear network is never worse is not among the claims."
    ),
    found=found,
    answer=answer,
    headline_figure="lr-transfer",
)
