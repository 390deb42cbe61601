"""Regression tests for issue 32 (the second review); each failed on the code before its fix."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.model import ChatMessage, GenerateConfig, ModelAPI, ModelOutput, modelapi
from inspect_ai.tool import ToolChoice, ToolInfo


@modelapi(name="skeptic-test-ctrl-c")
class CtrlCModel(ModelAPI):
    """A model whose first call makes the process receive SIGINT (as a user's Ctrl-C) and then waits."""

    def __init__(self, model_name: str, base_url: str | None = None, api_key: str | None = None,
                 config: GenerateConfig = GenerateConfig(), **model_args: Any) -> None:  # noqa: B008
        super().__init__(model_name, base_url, api_key, [], config)
        self.loops: set[int] = set()  # one Ctrl-C per eval (each eval runs its own event loop)

    async def generate(
        self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        loop = id(asyncio.get_running_loop())
        if loop not in self.loops:
            self.loops.add(loop)
            threading.Thread(target=os.kill, args=(os.getpid(), signal.SIGINT)).start()
        await asyncio.sleep(60)  # cancelled long before
        return ModelOutput.from_content(self.model_name, "never")


# --- 1: Ctrl-C during Inspect's eval ---------------------------------------------------------------------------
def test_a_cancelled_eval_is_stored_interrupted_and_never_reused(tmp_path: Path) -> None:
    import skeptic
    from skeptic.core import Store

    overrides = {"model": "skeptic-test-ctrl-c/m", "settings": "helpful_only", "n_questions": 2,
                 "af_calibration": False, "log_dir": str(tmp_path / "logs")}
    with pytest.raises(KeyboardInterrupt):
        skeptic.run("alignment-faking", preset="test", overrides=overrides, store=tmp_path / "store")
    store = Store(tmp_path / "store")
    runs = store.runs()
    assert [r.status for r in runs] == ["interrupted"]
    # the next identical run is not served from the store: it runs (and is interrupted) again
    with pytest.raises(KeyboardInterrupt):
        skeptic.run("alignment-faking", preset="test", overrides=overrides, store=tmp_path / "store")
    assert [r.status for r in Store(tmp_path / "store").runs()] == ["interrupted", "interrupted"]
