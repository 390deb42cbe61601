"""μP and its checks: TP5 Table 3's rules, batched learning-rate sweeps, coordinate checks and width exponents.

    from skeptic import mup
    mup.init_std("output", fan_in=512, m=512 / 64, param="mup")       # 1/√(fan_in·m)
    mup.lr_multiplier("hidden", m=8.0, param="mup", optimizer="adam")   # 1/m
    corpus = mup.load_corpus()                                          # Python's own docs, character-level
    s = mup.Sweep("mlp", 256, 32, "mup", "adam", lrs=(1e-3, 3e-3), seeds=(0, 1), steps=100, batch_size=32, context=4)
    mup.run_sweep(corpus, s, mup.eval_starts(corpus, 512, 4, 0)).eval_loss   # every model trained as one batch
    mup.DERIVED[("sp", "adam")]                                         # deep-linear width exponents (0, 1, 3/2)

See :mod:`skeptic.studies.mup.param` for the rules and :mod:`skeptic.studies.mup.exponents` for the derivation.
"""

from typing import TYPE_CHECKING

from skeptic._lazy import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.mup.crosscheck import HAVE_MUP, reference_coord_check
    from skeptic.studies.mup.data import Corpus, load_corpus
    from skeptic.studies.mup.experiments import coord_check, lr_sweep, measured_exponents, optimum
    from skeptic.studies.mup.exponents import DERIVED, loglog_slope
    from skeptic.studies.mup.nets import BatchedOptimizer, Sweep, SweepResult, eval_starts, run_sweep
    from skeptic.studies.mup.param import attention_scale, init_std, lr_multiplier, width_multiplier

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "HAVE_MUP": "skeptic.studies.mup.crosscheck",
        "reference_coord_check": "skeptic.studies.mup.crosscheck",
        "Corpus": "skeptic.studies.mup.data",
        "load_corpus": "skeptic.studies.mup.data",
        "coord_check": "skeptic.studies.mup.experiments",
        "lr_sweep": "skeptic.studies.mup.experiments",
        "measured_exponents": "skeptic.studies.mup.experiments",
        "optimum": "skeptic.studies.mup.experiments",
        "DERIVED": "skeptic.studies.mup.exponents",
        "loglog_slope": "skeptic.studies.mup.exponents",
        "BatchedOptimizer": "skeptic.studies.mup.nets",
        "Sweep": "skeptic.studies.mup.nets",
        "SweepResult": "skeptic.studies.mup.nets",
        "eval_starts": "skeptic.studies.mup.nets",
        "run_sweep": "skeptic.studies.mup.nets",
        "attention_scale": "skeptic.studies.mup.param",
        "init_std": "skeptic.studies.mup.param",
        "lr_multiplier": "skeptic.studies.mup.param",
        "width_multiplier": "skeptic.studies.mup.param",
    },
)

__all__ = [
    "DERIVED",
    "HAVE_MUP",
    "BatchedOptimizer",
    "Corpus",
    "Sweep",
    "SweepResult",
    "attention_scale",
    "coord_check",
    "eval_starts",
    "init_std",
    "load_corpus",
    "loglog_slope",
    "lr_multiplier",
    "lr_sweep",
    "measured_exponents",
    "optimum",
    "reference_coord_check",
    "run_sweep",
    "width_multiplier",
]
