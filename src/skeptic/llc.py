"""The local learning coefficient: Skeptic's batched SGLD estimator and exact learning coefficients.

    from skeptic import llc
    est = llc.estimate_llc(model, llc.gaussian_nll, (x, y))      # λ̂ = nβ(E_w[L_n(w)] − L_n(w*)), β = 1/log n,
                                                                  # ε = min(0.2/(nβ h_max + γ), 1/nβ) by default,
                                                                  # burn-in 3/(εγ); raises LLCNotConverged rather
                                                                  # than return an unconverged default estimate
    est.mean, est.std_error, est.rhat, est.mala_acceptance, est.warnings
    est.gamma_sensitivity, est.nbeta_sensitivity                 # d log λ̂/d log γ, d log λ̂/d log nβ from the draws;
                                                                  # the defaults refuse beyond ±0.2
    llc.calibrate(model, llc.gaussian_nll, (x, y)).epsilon        # the ε sweep, as one batched run
    llc.rrr_lambda(M=5, H=3, N=5, r=1), llc.dln_lambda([4, 4, 4, 4], r=1), llc.normal_crossing_lambda([1, 2])

See :mod:`skeptic.studies.llc.estimator` for the update rule, the loss convention and how the defaults were chosen.
"""

from typing import TYPE_CHECKING

from skeptic._lazy import lazy_exports

if TYPE_CHECKING:
    from skeptic.studies.llc.estimator import (
        Calibration,
        LLCEstimate,
        LLCNotConverged,
        auto_chain_length,
        auto_epsilon,
        calibrate,
        curvature_epsilon,
        default_nbeta,
        estimate_llc,
        flat_parameters,
        gelman_rubin,
        hessian_preconditioner,
        relaxation_time,
        sgld_chains,
        top_curvature,
    )
    from skeptic.studies.llc.exact import (
        dln_lambda,
        dln_num_params,
        normal_crossing_lambda,
        regular_lambda,
        rrr_lambda,
    )
    from skeptic.studies.llc.models import gaussian_nll

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "Calibration": "skeptic.studies.llc.estimator",
        "LLCEstimate": "skeptic.studies.llc.estimator",
        "LLCNotConverged": "skeptic.studies.llc.estimator",
        "auto_chain_length": "skeptic.studies.llc.estimator",
        "relaxation_time": "skeptic.studies.llc.estimator",
        "auto_epsilon": "skeptic.studies.llc.estimator",
        "calibrate": "skeptic.studies.llc.estimator",
        "curvature_epsilon": "skeptic.studies.llc.estimator",
        "default_nbeta": "skeptic.studies.llc.estimator",
        "estimate_llc": "skeptic.studies.llc.estimator",
        "flat_parameters": "skeptic.studies.llc.estimator",
        "gelman_rubin": "skeptic.studies.llc.estimator",
        "hessian_preconditioner": "skeptic.studies.llc.estimator",
        "sgld_chains": "skeptic.studies.llc.estimator",
        "top_curvature": "skeptic.studies.llc.estimator",
        "dln_lambda": "skeptic.studies.llc.exact",
        "dln_num_params": "skeptic.studies.llc.exact",
        "normal_crossing_lambda": "skeptic.studies.llc.exact",
        "regular_lambda": "skeptic.studies.llc.exact",
        "rrr_lambda": "skeptic.studies.llc.exact",
        "gaussian_nll": "skeptic.studies.llc.models",
    },
)

__all__ = [
    "Calibration",
    "LLCEstimate",
    "LLCNotConverged",
    "auto_chain_length",
    "auto_epsilon",
    "calibrate",
    "curvature_epsilon",
    "default_nbeta",
    "dln_lambda",
    "dln_num_params",
    "estimate_llc",
    "flat_parameters",
    "gaussian_nll",
    "gelman_rubin",
    "hessian_preconditioner",
    "normal_crossing_lambda",
    "regular_lambda",
    "relaxation_time",
    "rrr_lambda",
    "sgld_chains",
    "top_curvature",
]
