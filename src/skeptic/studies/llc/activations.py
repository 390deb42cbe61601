"""ReLU vs GELU: the same teacher-student experiment with both activations (a reviewer's question: ReLU networks
are not analytic, so outside SLT's assumptions; does the estimator behave, and do the estimates differ?).

A two-layer student with ``hidden`` units learns a teacher with ``teacher_hidden`` units of the same activation
from n noisy samples (unit noise). All students (activations × seeds) are trained as one batched computation
(stacked parameters, ``torch.bmm``), full batch with Adam, then each one's LLC is estimated at three step sizes in
one batched SGLD run (per-chain ε). No exact λ is known here: this experiment reports, it does not decide a claim.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from skeptic.studies.llc import estimator
from skeptic.studies.llc.models import gaussian_nll

ACTIVATIONS = ("relu", "gelu")
EPS_FACTORS = (0.3, 1.0, 3.0)


def _act(z: torch.Tensor, gelu: torch.Tensor) -> torch.Tensor:
    """ReLU or GELU per model: ``gelu`` is a (M, 1, 1) mask selecting GELU."""
    return torch.where(gelu, F.gelu(z), F.relu(z))


class MLP(nn.Module):
    """x ↦ W₂ act(W₁x + b₁) + b₂ for one model taken out of the batch."""

    def __init__(self, w1: torch.Tensor, b1: torch.Tensor, w2: torch.Tensor, b2: torch.Tensor, act: str) -> None:
        super().__init__()
        self.w1, self.b1 = nn.Parameter(w1.clone()), nn.Parameter(b1.clone())
        self.w2, self.b2 = nn.Parameter(w2.clone()), nn.Parameter(b2.clone())
        self.act = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x @ self.w1.T + self.b1
        h = F.gelu(h) if self.act == "gelu" else F.relu(h)
        return h @ self.w2.T + self.b2


def _init(m: int, fan_in: int, fan_out: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    w = torch.randn(m, fan_out, fan_in, generator=g) / fan_in**0.5
    return w, torch.zeros(m, fan_out)


def train_students(
    n: int, hidden: int, teacher_hidden: int, seeds: int, steps: int, seed: int, device: str = "cpu"
) -> tuple[list[MLP], list[tuple[torch.Tensor, torch.Tensor]], list[dict[str, Any]]]:
    """Train len(ACTIVATIONS)·seeds students as one batch; returns the students, their data sets and records."""
    g = torch.Generator().manual_seed(seed)
    m = len(ACTIVATIONS) * seeds
    gelu = torch.tensor([a == "gelu" for a in ACTIVATIONS for _ in range(seeds)]).view(m, 1, 1).to(device)
    tw1, tb1 = _init(m, 2, teacher_hidden, g)
    tw2, tb2 = _init(m, teacher_hidden, 1, g)
    tb1 = torch.randn(m, teacher_hidden, generator=g) * 0.5
    x = torch.randn(m, n, 2, generator=g)
    with torch.no_grad():
        y = torch.bmm(_act(torch.bmm(x, tw1.transpose(1, 2)) + tb1[:, None], gelu), tw2.transpose(1, 2)) + tb2[:, None]
    y = y + torch.randn(y.shape, generator=g)
    w1, b1 = _init(m, 2, hidden, g)
    w2, b2 = _init(m, hidden, 1, g)
    params = [p.to(device).requires_grad_() for p in (w1, b1, w2, b2)]
    x, y = x.to(device), y.to(device)
    opt = torch.optim.Adam(params, lr=0.01)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)

    def losses() -> torch.Tensor:
        h = _act(torch.bmm(x, params[0].transpose(1, 2)) + params[1][:, None], gelu)
        out = torch.bmm(h, params[2].transpose(1, 2)) + params[3][:, None]
        return 0.5 * ((y - out) ** 2).sum(-1).mean(-1)

    for _ in range(steps):
        opt.zero_grad()
        # the models are independent: the sum's gradient is each model's own
        losses().sum().backward()  # type: ignore[no-untyped-call]
        opt.step()
        sched.step()
    final = losses().detach()
    students, data, records = [], [], []
    for i in range(m):
        act = ACTIVATIONS[i // seeds]
        w1_i, b1_i, w2_i, b2_i = (p.detach()[i] for p in params)
        students.append(MLP(w1_i, b1_i, w2_i, b2_i, act=act))
        data.append((x[i], y[i]))
        records.append({"activation": act, "seed": i % seeds, "train_loss": float(final[i])})
    return students, data, records


def activation_comparison(
    n: int, hidden: int, teacher_hidden: int, seeds: int, train_steps: int, s: Any, seed: int, device: str = "cpu"
) -> list[dict[str, Any]]:
    """One record per student: its LLC at ε·nβ × each of :data:`EPS_FACTORS` (one batched SGLD run), R-hat and
    MALA acceptance at the default ε, and the gradient norm at its trained parameters."""
    students, data, records = train_students(n, hidden, teacher_hidden, seeds, train_steps, seed, device)
    nb = estimator.default_nbeta(n)
    c = s.num_chains
    eps = torch.tensor([s.epsilon_times_nbeta * f / nb for f in EPS_FACTORS for _ in range(c)], dtype=torch.float64)
    for i, (model, d, rec) in enumerate(zip(students, data, records, strict=True)):
        init_loss, grad_norm = estimator.full_loss_and_grad(model, gaussian_nll, d)
        traces, acc = estimator.sgld_chains(
            model,
            gaussian_nll,
            d,
            epsilon=eps,
            nbeta=torch.full_like(eps, nb),
            gamma=torch.full_like(eps, s.gamma),
            num_steps=s.num_burnin + s.num_draws,
            batch_size=s.batch_size,
            generator=torch.Generator().manual_seed(estimator.named_seed(seed, "chains", i)),
        )
        rec["n_params"] = sum(p.numel() for p in model.parameters())
        rec["grad_norm"] = grad_norm
        for j, f in enumerate(EPS_FACTORS):
            sl = slice(j * c, (j + 1) * c)
            est = estimator.summarize(
                traces[sl],
                acc[sl],
                init_loss,
                grad_norm,
                n=n,
                nbeta=nb,
                epsilon=float(eps[j * c]),
                gamma=s.gamma,
                num_burnin=s.num_burnin,
            )
            rec[f"llc_eps{f:g}"] = est.mean
            rec[f"llc_se_eps{f:g}"] = est.std_error
            if f == 1.0:
                rec["rhat"] = est.rhat
                rec["mala_acceptance"] = est.mala_acceptance
                rec["warnings"] = est.warnings
        rec["eps_spread"] = float(np.ptp([rec[f"llc_eps{f:g}"] for f in EPS_FACTORS]) / max(rec["llc_eps1"], 1e-9))
    return records
