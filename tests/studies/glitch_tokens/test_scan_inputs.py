"""The scanner and ``--set scan_path=`` against hostile checkpoints (issue 35): every bad input is one
:class:`ScanError` line naming what is wrong (and the cap, where a cap is what it hit), in bounded time, and
``scan_path`` is refused before anything trains or is stored."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from pydantic import ValidationError

import skeptic.glitch_tokens as gt
from skeptic.core.config import resolve_config
from skeptic.core.errors import UsageError
from skeptic.core.study import get_study
from skeptic.studies.glitch_tokens import corpus, indicators
from skeptic.studies.glitch_tokens.config import PRESETS


class Hung(BaseException):
    pass


@contextlib.contextmanager
def no_hang(seconds: float = 20.0) -> Iterator[None]:
    """A hang detector, not a timing assertion: a blocking ``open`` of a FIFO would never return."""

    def alarm(signum: int, frame: object) -> None:
        raise Hung(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _checkpoint(path: Path) -> None:
    tok = corpus.train_tokenizer(["hello world, hello there. " * 50], 300, ["<|endoftext|>", "<|reserved_0|>"])
    g = torch.Generator().manual_seed(0)
    emb = torch.randn(tok.get_vocab_size(), 16, generator=g)
    gt.save_checkpoint(path, emb, torch.randn(tok.get_vocab_size(), 16, generator=g), tok.to_str())


DAMAGE = {
    # damage: (what the message must say)
    "a 300-character name": "File name too long",
    "a 100,000-deep tokenizer.json": f"beyond the cap of {indicators.MAX_JSON_DEPTH}",
    "a FIFO as the weights": "is a FIFO, not a regular file",
    "a FIFO as the tokenizer": "is a FIFO, not a regular file",
    "a device as the weights": "is a device, not a regular file",
    "truncated safetensors": "not a readable safetensors file",
    "pickle-only weights": "refused",
    "a header without tensors": "hold no tensors",
    "no input embedding": "no input-embedding tensor",
}


def damaged(tmp_path: Path, damage: str) -> Path:
    """A checkpoint directory with ``damage`` done to it."""
    d = tmp_path / "ckpt"
    _checkpoint(d)
    weights, tok = d / "model.safetensors", d / "tokenizer.json"
    if damage == "a 300-character name":
        return tmp_path / ("x" * 300)
    if damage == "a 100,000-deep tokenizer.json":
        n = 100_000
        tok.write_text(tok.read_text()[:-1] + ',"x":' + "[" * n + "]" * n + "}")
    elif damage == "a FIFO as the weights":
        weights.unlink()
        os.mkfifo(weights)
    elif damage == "a FIFO as the tokenizer":
        tok.unlink()
        os.mkfifo(tok)
    elif damage == "a device as the weights":
        weights.unlink()
        weights.symlink_to("/dev/zero")
    elif damage == "truncated safetensors":
        weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    elif damage == "pickle-only weights":
        weights.unlink()
        torch.save({"transformer.wte.weight": torch.zeros(4, 4)}, d / "pytorch_model.bin")
    elif damage == "a header without tensors":
        from safetensors.torch import save_file

        save_file({}, str(weights))
    elif damage == "no input embedding":
        from safetensors.torch import save_file

        save_file({"h.0.attn.weight": torch.zeros(4, 4)}, str(weights))
    return d


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_the_scanner_refuses_a_hostile_checkpoint_in_one_line(tmp_path: Path, damage: str) -> None:
    d = damaged(tmp_path, damage)
    with no_hang(), pytest.raises(gt.ScanError) as info:
        gt.scan(d)
    message = str(info.value)
    assert DAMAGE[damage] in message and "\n" not in message and len(message) < 600


def test_the_tokenizer_byte_cap_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _checkpoint(tmp_path / "ckpt")
    monkeypatch.setattr(indicators, "MAX_TOKENIZER_BYTES", 1000)
    with pytest.raises(gt.ScanError, match="larger than the cap"):
        gt.scan(tmp_path / "ckpt")


def test_json_depth_skips_brackets_inside_strings() -> None:
    assert indicators.json_depth(b'{"a": [1, {"b": "[[[[\\"]]"}]}') == 3
    assert indicators.json_depth(b"[" * 5 + b"]" * 5) == 5
    assert indicators.json_depth(b'"no containers"') == 0


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_scan_path_is_refused_in_config_validation(tmp_path: Path, damage: str) -> None:
    d = damaged(tmp_path, damage)
    cfg = PRESETS["test"]
    with no_hang(), pytest.raises(ValidationError, match="scan_path is not a checkpoint"):
        cfg.model_validate(cfg.model_dump() | {"scan_path": str(d)})


def test_scan_path_refusal_is_one_usage_line_and_nothing_is_stored(tmp_path: Path) -> None:
    """Through the runner, as ``skeptic run glitch-tokens --set scan_path=...`` does: no run starts, no store."""
    from skeptic.core.runner import run

    d = damaged(tmp_path, "truncated safetensors")
    spec = get_study("glitch-tokens")
    with pytest.raises(UsageError, match="not a readable safetensors file") as info:
        resolve_config(spec, "test", {"scan_path": str(d)})
    assert "\n" not in str(info.value)
    with pytest.raises(UsageError):
        run(spec, preset="test", overrides={"scan_path": str(d)}, store=tmp_path / "store")
    assert not (tmp_path / "store").exists()


def test_a_sound_checkpoint_passes_validation(tmp_path: Path) -> None:
    _checkpoint(tmp_path / "ckpt")
    cfg = PRESETS["test"].model_validate(PRESETS["test"].model_dump() | {"scan_path": str(tmp_path / "ckpt")})
    assert cfg.scan_path == str(tmp_path / "ckpt")
    assert json.loads((tmp_path / "ckpt" / "tokenizer.json").read_text())["model"]


def test_verification_refuses_a_fifo_that_transformers_would_open(tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    d = tmp_path / "ckpt"
    _checkpoint(d)
    (d / "config.json").unlink()
    os.mkfifo(d / "config.json")
    with no_hang(), pytest.raises(gt.ScanError, match="is a FIFO, not a regular file"):
        gt.verify_checkpoint(d, [1, 2])
