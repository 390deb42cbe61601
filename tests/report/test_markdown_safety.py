"""The Markdown copies of the report are safe to paste anywhere (issue 35): rendered as CommonMark *with raw HTML
on*, as most Markdown viewers render, no field a run, a study or a user wrote yields a tag, a link or an image."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from markdown_it import MarkdownIt

import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import Brief, Store, get_study, run
from skeptic.report import md_cell, md_prose, write_report

HOSTILE = (
    "<script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>"
    "[click](javascript:alert(4)) ![i](javascript:alert(5)) <javascript:alert(6)>"
)

VIEWER = MarkdownIt("commonmark", {"html": True})  # raw HTML on: what GitHub-like viewers and most editors do


TAG = re.compile(r"<(script|img|svg|iframe|object|embed)\b|<[a-z][^>]*\son[a-z]+\s*=|(href|src)=\"\s*javascript:", re.I)


OWN_FIGURE = re.compile(r'<img src="figures/[\w.-]+\.png" alt="[^"<>]*" ?/?>')
"""The report's own figures, written by Skeptic next to the page: the only image a page may carry."""


def _dangerous(rendered: str) -> list[str]:
    """Every tag that runs code or loads something, an event-handler attribute, a javascript: link or image."""
    return [m.group(0) for m in TAG.finditer(OWN_FIGURE.sub("", rendered))]


def test_the_escapes_leave_no_tag_link_or_image() -> None:
    for escaped in (md_prose(HOSTILE), md_cell(HOSTILE)):
        rendered = VIEWER.render(escaped)
        assert not _dangerous(rendered), rendered
        assert "<a " not in rendered
        assert "alert(1)" in rendered  # shown as text, not dropped
    assert VIEWER.render(md_prose("**bold** stays")).strip() == "<p><strong>bold</strong> stays</p>"


def test_no_markdown_page_of_the_report_carries_hostile_markup(tmp_path: Path) -> None:
    coin = get_study("toy-coin")

    def found(result: object) -> str:
        return f"We found **{result.measurements['label']}**."  # type: ignore[attr-defined]

    hostile = dataclasses.replace(
        coin,
        brief=Brief(
            claimed=coin.brief.claimed,
            ran=coin.brief.ran,
            not_shown=coin.brief.not_shown,
            found=found,
            answer=found,
            appendix="Published: " + HOSTILE,
        ),
    )
    run(coin, preset="test", overrides={"label": HOSTILE}, store=tmp_path / "store")
    write_report(Store(tmp_path / "store"), tmp_path / "report", [hostile])
    pages = sorted((tmp_path / "report").glob("*.md"))
    assert {p.name for p in pages} >= {"index.md", "toy-coin.md"}
    for page in pages:
        rendered = VIEWER.render(page.read_text())
        assert not _dangerous(rendered), f"{page.name}: {_dangerous(rendered)}"
        hrefs = re.findall(r'(?:href|src)="([^"]*)"', rendered)
        assert not [h for h in hrefs if "javascript" in h.lower()], f"{page.name}: {hrefs}"
    assert "alert(1)" in (tmp_path / "report" / "toy-coin.md").read_text()  # the text is shown, escaped


def test_code_spans_are_kept_as_written_and_unmatched_backticks_are_not_a_way_in() -> None:
    kept = VIEWER.render(md_prose("run `--set model=<provider/model>` first")).strip()
    assert kept == "<p>run <code>--set model=&lt;provider/model&gt;</code> first</p>"
    for sneaky in ("``<script>alert(1)</script>`", "`a\n<img src=x onerror=alert(1)>`", "`x`` <svg onload=alert(1)>"):
        assert not _dangerous(VIEWER.render(md_prose(sneaky))), sneaky
