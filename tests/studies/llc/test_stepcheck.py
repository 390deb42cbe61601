"""The sampler's step check: the batched SGLD sampler equals the hand-written reference, and a wrong coefficient in
the update does not."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from skeptic.studies.llc import estimator, experiments, stepcheck
from skeptic.studies.llc.claims import _sampler_step
from skeptic.studies.llc.models import Problem


def _problem() -> Problem:
    return experiments.build_problem("dln", (3, 4, 2), 1, 400, torch.Generator().manual_seed(7))


def test_sampler_matches_its_reference_and_a_wrong_drift_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    p, nb = _problem(), estimator.default_nbeta(400)
    runs = stepcheck.step_check(p, top_curvature=1.0, nbeta=nb, gamma=10.0, seed=3)
    assert [r["batch_size"] for r in runs] == [400, 32]
    for r in runs:
        s, ref = np.array(r["sampler"]), np.array(r["reference"])
        assert np.abs(ref).max() > 0 and np.abs(s - ref).max() <= 1e-5 * np.abs(ref).max()
    assert _sampler_step({"sampler_steps": runs}).passed

    def wrong(w: torch.Tensor, g: torch.Tensor, eps: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return w - eps / 3 * g + eps.sqrt() * noise  # ε/3 where the rule has ε/2

    monkeypatch.setattr(estimator, "langevin_step", wrong)
    bad = stepcheck.step_check(p, top_curvature=1.0, nbeta=nb, gamma=10.0, seed=3)
    assert not _sampler_step({"sampler_steps": bad}).passed
