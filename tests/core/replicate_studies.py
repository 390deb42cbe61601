"""Small studies for the replication tests, registered on import (also by the worker processes).

``toy-flaky`` raises for one config value (a cell that fails) or kills its own process (a lost worker);
``toy-device`` records ``ctx.device`` and computes a float result with PyTorch on that device, so CPU and CUDA
runs can be compared.
"""

from __future__ import annotations

import os
import signal
import time

from pydantic import Field

from skeptic.core import Brief, Claim, Estimate, Probe, ProbeOutcome, RunContext, StudyConfig, StudyOutput, study
from skeptic.core.claims import AtLeast
from skeptic.core.study import _REGISTRY

BRIEF = Brief(
    claimed="Nothing anyone ever published: this is a study made up for testing the replication machinery.",
    ran="A few lines of arithmetic with the run's own seeded generator, and a deliberate failure on request.",
    not_shown="Anything at all about the world; it exists so that the tests of the core have something to run.",
)


class FlakyConfig(StudyConfig):
    crash: bool = False
    """Raise instead of returning (a cell that fails)."""
    die: bool = False
    """Kill the process running the cell (a worker lost to the OOM killer)."""
    die_once: str = ""
    """A file path: the first process to run the cell creates it and kills itself (a worker lost once)."""
    sleep_s: float = Field(0.0, ge=0.0, le=600)
    """Seconds to sleep before drawing (a cell still in flight when another one's worker is lost)."""
    shift: float = Field(0.0, ge=-10, le=10)
    """Added to every draw."""


class DeviceConfig(StudyConfig):
    n: int = Field(256, ge=8, le=4096)
    """Size of the random matrix multiplied on the device."""


def _register() -> None:
    if "toy-flaky" in _REGISTRY:
        return

    @study(
        name="toy-flaky",
        question="Does a failing cell stay a failed cell?",
        sources=("Skeptic's own tests",),
        presets={"test": FlakyConfig(), "quick": FlakyConfig(), "paper": FlakyConfig()},
        claims=[
            Claim(
                "mean-positive",
                "The mean draw is at least zero",
                "Skeptic's own threshold",
                lambda m: Estimate.from_se(m["mean"], m["se"]),
                AtLeast(0.0),
            )
        ],
        probes=[Probe("finite", "the mean is finite", lambda m: ProbeOutcome(abs(m["mean"]) < 1e9, "finite"))],
        brief=BRIEF,
        runtime={"test": "<1 s", "quick": "<1 s", "paper": "<1 s"},
    )
    def run_flaky(config: FlakyConfig, ctx: RunContext) -> StudyOutput:
        if config.die:
            os.kill(os.getpid(), signal.SIGKILL)
        if config.die_once:
            try:
                with open(config.die_once, "x"):
                    pass
            except FileExistsError:
                pass  # the retry: run normally
            else:
                os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(config.sleep_s)
        if config.crash:
            raise RuntimeError("this cell was asked to fail")
        x = ctx.rng("draws").normal(config.shift, 1.0, 400)
        return StudyOutput({"mean": float(x.mean()), "se": float(x.std(ddof=1) / 20)})

    @study(
        name="toy-device",
        question="Does the run context carry the device to the study?",
        sources=("Skeptic's own tests",),
        presets={"test": DeviceConfig(n=64), "quick": DeviceConfig(), "paper": DeviceConfig(n=1024)},
        claims=[
            Claim(
                "trace-finite",
                "The trace of A·Aᵀ is non-negative",
                "Linear algebra",
                lambda m: Estimate.exact(m["trace"]),
                AtLeast(0.0),
            )
        ],
        probes=[Probe("ran", "the study ran", lambda m: ProbeOutcome(True, "ran"))],
        brief=BRIEF,
        runtime={"test": "<1 s", "quick": "<1 s", "paper": "<1 s"},
    )
    def run_device(config: DeviceConfig, ctx: RunContext) -> StudyOutput:
        import torch

        a = torch.from_numpy(ctx.rng("matrix").standard_normal((config.n, config.n))).float().to(ctx.device)
        trace = float(torch.trace(a @ a.T).cpu())
        return StudyOutput({"device": ctx.device, "tensor_device": str(a.device.type), "trace": trace})


_register()
