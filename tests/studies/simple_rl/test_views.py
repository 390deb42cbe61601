"""simple-rl's views-vs-presentation section: the probe math against known answers, the section run alone on a tiny
setting, and its claim and probes on hand-made measurements (each can come out either way)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, cast

import numpy as np
import pytest
import torch

from skeptic.studies.simple_rl import analysis, claims, experiment
from skeptic.studies.simple_rl.config import PRESETS
from skeptic.study import RunContext, torch_threads


def test_a_linear_probe_separates_separable_data_and_auc_has_its_known_values() -> None:
    rng = np.random.default_rng(0)
    y = rng.random(200) < 0.5
    x = rng.standard_normal((200, 5))
    x[:, 2] += np.where(y, 3.0, -3.0)
    w = analysis.fit_linear_probe(x, y)
    acc, margin = analysis.probe_readout(w, x, y)
    assert acc > 0.95 and margin > 0.5
    s = np.array([0.1, 0.4, 0.35, 0.8])
    lab = np.array([False, False, True, True])
    assert analysis.auc(s, lab) == pytest.approx(0.75)  # 3 of the 4 (positive, negative) pairs ordered right
    assert analysis.auc(-s, lab) == pytest.approx(0.25)
    assert analysis.auc(np.zeros(4), lab) == pytest.approx(0.5)  # ties count one half
    # a shift of every score across the threshold: accuracy falls to one half, the AUC does not move
    shifted = analysis.probe_scores(w, x) + 100.0
    assert np.mean((shifted > 0) == y) == pytest.approx(np.mean(y))
    assert analysis.auc(shifted, y) == pytest.approx(analysis.auc(analysis.probe_scores(w, x), y))


def test_the_frozen_readout_uses_the_given_weights_and_the_refit_reads_the_current_states() -> None:
    rng = np.random.default_rng(1)
    y = rng.random(300) < 0.5
    x = rng.standard_normal((300, 4))
    x[:, 0] += np.where(y, 2.0, -2.0)
    w = analysis.fit_linear_probe(x[:200], y[:200])
    moved = x.copy()
    moved[:, [0, 1]] = moved[:, [1, 0]]  # the property now lives along another axis
    r = experiment.views_readouts(w, moved[:200], y[:200], moved[200:], y[200:])
    assert r["frozen_acc"] < 0.7 and r["refit_acc"] > 0.9  # the pre-RL probe no longer reads it; a refit does
    same = experiment.views_readouts(w, x[:200], y[:200], x[200:], y[200:])
    assert same["frozen_acc"] == pytest.approx(same["refit_acc"])


class FakeContext:
    """Named streams from one seed, on the CPU (the parts of RunContext the section uses)."""

    device = "cpu"

    def rng(self, *key: str | int) -> np.random.Generator:
        return np.random.default_rng([sum(map(ord, "/".join(map(str, key))))])

    def torch_generator(self, *key: str | int, device: str | None = None) -> torch.Generator:
        return torch.Generator(device="cpu").manual_seed(sum(map(ord, "/".join(map(str, key)))))

    @contextlib.contextmanager
    def progress(self, what: str, total: int | None = None) -> Iterator[Any]:
        yield lambda n=1: None


@pytest.mark.parametrize(("method", "trainable"), [("rl-kl", "all"), ("sft", "all"), ("rl-kl", "readout")])
def test_the_views_section_runs_alone_and_records_each_arm(method: str, trainable: str) -> None:
    config = PRESETS["test"].model_copy(
        update={"n_seeds": 2, "d_model": 8, "n_heads": 2, "pretrain_steps": 5, "pretrain_batch": 16,
                "views_steps": 2, "eval_every": 1, "rl_prompts": 2, "group": 2, "views_method": method,
                "views_trainable": trainable}
    )  # fmt: skip
    ctx = cast(RunContext, FakeContext())
    with torch_threads(1):
        out = experiment.views_experiment(config, ctx, experiment.pretrain_bases(config, ctx, "cpu"))
    assert out["arms"] == list(experiment.views_arms(method, trainable))
    for arm in out["arms"]:
        curve = out["curves"][arm]
        assert [r["step"] for r in curve] == [0, 1, 2]
        assert curve[0]["frozen_acc"] == out["pre_acc"]  # before any update the frozen probe reads as fitted
        assert curve[-1]["frozen_margin"] == pytest.approx(out["final"][arm]["frozen_margin_check"], abs=1e-9)
        if trainable == "readout":  # the states the probe reads cannot move: the readout is exactly as fitted
            assert curve[-1]["frozen_margin"] == curve[0]["frozen_margin"]
    assert claims.views_frozen_check({"views": out}, config)[0]
    if method == "sft":  # two GRPO steps from a near-uniform base see no reward, so they move nothing at all
        ok, detail = claims.views_update_as_declared({"views": out}, config)
        assert ok, detail
        other = config.model_copy(update={"views_trainable": "readout"})
        assert not claims.views_update_as_declared({"views": out}, other)[0]  # the other declaration is caught
    else:
        assert not claims.views_update_as_declared({"views": out}, config)[0]  # an arm that never moved fails it


def test_the_update_probe_reads_which_weights_moved() -> None:
    def moved(body: float, head: float) -> dict[str, Any]:
        arm = {"moved": {"blocks.0.qkv.weight": [body, body], "ln_final.weight": [head, head],
                         "unembedding.weight": [head, head]}}  # fmt: skip
        return {"views": {"arms": ["rl-kl"], "pre_acc": [1.0, 1.0], "final": {"rl-kl": arm}}}

    readout, full = (PRESETS["test"].model_copy(update={"views_trainable": t}) for t in ("readout", "all"))
    assert claims.views_update_as_declared(moved(0.0, 0.3), readout)[0]
    assert not claims.views_update_as_declared(moved(1e-7, 0.3), readout)[0]  # a weight before the readout moved
    assert claims.views_update_as_declared(moved(0.2, 0.3), full)[0]
    assert not claims.views_update_as_declared(moved(0.0, 0.3), full)[0]  # 'all' declared, only the readout moved
    assert not claims.views_update_as_declared(moved(0.2, 0.0), full)[0]  # the readout never moved


def test_a_readout_only_arm_trains_no_weight_before_the_readout() -> None:
    assert experiment.views_arms("rl-kl", "readout") == ("rl-kl",)
    assert experiment.views_arms("rl-kl") == ("rl-kl", "sft")
    names = experiment.views_trainable({"blocks.0.qkv.weight": torch.zeros(1), "ln_final.weight": torch.zeros(1),
                                        "unembedding.weight": torch.zeros(1)}, "readout")  # fmt: skip
    assert names == ("ln_final.weight", "unembedding.weight")
    assert experiment.views_trainable({}, "all") is None


def _views(pre: float, frozen: float, target: float, control: float = 0.5, check_off: float = 0.0) -> dict[str, Any]:
    curve = [{"step": 0, "frozen_acc": [pre] * 3, "frozen_margin": [1.0] * 3, "target": [0.2] * 3},
             {"step": 10, "frozen_acc": [frozen] * 3, "frozen_margin": [0.5] * 3, "target": [target] * 3}]  # fmt: skip
    return {
        "split": {"heldout": list(range(100))},
        "views": {
            "arms": ["rl-kl", "sft"], "pre_acc": [pre] * 3, "random_label_acc": [control] * 3,
            "pre_acc_check": [pre] * 3, "base_target": [0.2] * 3, "curves": {"rl-kl": curve, "sft": curve},
            "final": {a: {"frozen_margin_check": [0.5 + check_off] * 3, "frozen_acc_check": [frozen] * 3}
                      for a in ("rl-kl", "sft")},
        },
    }  # fmt: skip


def test_the_views_claim_and_probes_can_each_come_out_either_way() -> None:
    config = PRESETS["test"]
    claim = next(c for c in claims.CLAIMS if c.id == "views-unchanged-under-kl")
    assert claim.expect.evaluate(claims.frozen_probe_drop(_views(1.0, 0.98, 0.9), config))[0] == "replicated"
    assert claim.expect.evaluate(claims.frozen_probe_drop(_views(1.0, 0.5, 0.9), config))[0] == "not_replicated"
    assert claims.views_probe_works(_views(1.0, 0.5, 0.9))[0]
    assert not claims.views_probe_works(_views(0.7, 0.5, 0.9))[0]  # the view was never readable
    assert not claims.views_probe_works(_views(1.0, 0.5, 0.9, control=0.8))[0]  # the probe reads random labels
    assert claims.views_arms_work(_views(1.0, 0.5, 0.9))[0]
    assert not claims.views_arms_work(_views(1.0, 1.0, 0.3))[0]  # the output barely moved
    assert claims.views_frozen_check(_views(1.0, 0.5, 0.9), config)[0]
    assert not claims.views_frozen_check(_views(1.0, 0.5, 0.9, check_off=0.1), config)[0]  # the probe was refit
    wrong_row = _views(1.0, 0.5, 0.9)
    wrong_row["views"]["final"]["rl-kl"]["frozen_acc_check"] = [0.9] * 3  # the claim read another arm's readout
    assert not claims.views_frozen_check(wrong_row, config)[0]
