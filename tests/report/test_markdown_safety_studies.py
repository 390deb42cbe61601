"""The Markdown pages of glitch-tokens and alignment-faking with hostile fields (issue 35): a token, a checkpoint
path and a model name written to show raw HTML, links and images render, as CommonMark with raw HTML on, to text
only. The fields reach the page the way a user would put them there: a checkpoint scanned with
``--set scan_path=`` whose directory name and vocabulary are hostile, and a stored run whose model and grader
names are (no provider would serve such a model, so its stored run is edited, as a second tool might)."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from pathlib import Path

import pytest
import torch

from skeptic.core import Store
from skeptic.core.study import get_study
from skeptic.report import md_code, write_report
from tests.report.test_markdown_safety import HOSTILE, VIEWER, _dangerous

HOSTILE_DIR = "<img src=x onerror=alert(7)>[a](javascript:alert(8)) <svg onload=alert(9)>"
"""A directory name (no slash) a scan path may end in."""
HOSTILE_NAMES = [
    HOSTILE,
    "x`<img src=x onerror=alert(10)>`y",  # backticks that would close the brief's code span early
    "![i](http://127.0.0.1:9/i.png) <a href=http://127.0.0.1:9/>a</a>",  # an external image and link
]


def _external(rendered: str) -> list[str]:
    """Every link or image that leaves the report (a scheme or a host), from the rendered page."""
    refs = re.findall(r'(?:href|src)="([^"]*)"', rendered)
    return [r for r in refs if ":" in r.split("/", 1)[0] or r.startswith("//")]


def _check(page: Path) -> str:
    rendered = VIEWER.render(page.read_text(encoding="utf-8"))
    assert not _dangerous(rendered), f"{page.name}: {_dangerous(rendered)}"
    assert not _external(rendered), f"{page.name}: {_external(rendered)}"
    return rendered


@pytest.mark.slow
def test_a_hostile_token_and_checkpoint_path_render_as_text_in_glitch_tokens_md(tmp_path: Path) -> None:
    import skeptic.glitch_tokens as gt
    from skeptic.core.runner import run
    from skeptic.studies.glitch_tokens import corpus

    tok = corpus.train_tokenizer([(HOSTILE + " hello world ") * 50], 300, ["<|endoftext|>", "<|reserved_0|>"])
    assert any("<" in t or "[" in t for t in tok.get_vocab())  # the vocabulary carries markup pieces
    g = torch.Generator().manual_seed(0)
    n = tok.get_vocab_size()
    ckpt = tmp_path / HOSTILE_DIR
    gt.save_checkpoint(ckpt, torch.randn(n, 16, generator=g), torch.randn(n, 16, generator=g), tok.to_str())

    result = run("glitch-tokens", preset="test", overrides={"scan_path": str(ckpt)}, store=tmp_path / "store")
    assert result.measurements["external_scan"]["path"] == str(ckpt)
    write_report(Store(tmp_path / "store"), tmp_path / "report", [get_study("glitch-tokens")])
    _check(tmp_path / "report" / "glitch-tokens.md")
    assert "alert(7)" in (tmp_path / "report" / "glitch-tokens.md").read_text()  # shown, escaped, not dropped
    _check(tmp_path / "report" / "index.md")


@pytest.mark.slow
@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=["tags", "backticks", "external"])
def test_a_hostile_model_name_renders_as_text_in_alignment_faking_md(tmp_path: Path, name: str) -> None:
    import skeptic

    store = tmp_path / "store"
    small = {"settings": "helpful_only", "n_questions": 4, "af_votes": 1, "bootstrap_resamples": 100}
    skeptic.run("alignment-faking", preset="test", overrides=small, store=store)
    with contextlib.closing(sqlite3.connect(store / "skeptic.sqlite")) as conn, conn:
        for column, keys in (
            ("config_json", ("model", "grader_model")),
            ("measurements_json", ("model", "grader_model")),
        ):
            for run_id, text in conn.execute(f"SELECT run_id, {column} FROM runs").fetchall():
                doc = json.loads(text)
                doc.update({k: name for k in keys if k in doc})
                conn.execute(f"UPDATE runs SET {column}=? WHERE run_id=?", (json.dumps(doc), run_id))
    write_report(Store(store), tmp_path / "report", [get_study("alignment-faking")])
    page = tmp_path / "report" / "alignment-faking.md"
    assert "alert" in page.read_text() or "127.0.0.1" in page.read_text()  # the name is on the page
    _check(page)
    _check(tmp_path / "report" / "index.md")


@pytest.mark.parametrize("text", [*HOSTILE_NAMES, "```a", "a`", "", '{"m": "x`[a](javascript:alert(1))`y"}'])
def test_a_code_span_holds_any_text_verbatim(text: str) -> None:
    """``md_code`` (the reproduce command, the config): one code span whatever backticks the text holds."""
    rendered = VIEWER.render(md_code(text)).strip()
    assert rendered.startswith("<p><code>") and rendered.endswith("</code></p>") and rendered.count("<code>") == 1
    assert not _dangerous(rendered) and "<a " not in rendered
