"""``skeptic report --pdf``: the briefs printed to PDF by headless Chromium (through playwright).

The page printed is ``briefs.html`` (every study's brief, headline figure and verdicts), whose print
stylesheet starts each study on a new page and keeps figures, tables and cards whole. Chromium is
playwright's own when installed (``playwright install chromium``), else the system's (Debian ``chromium``).
The page is loaded with ``set_content`` and every request is refused, so printing needs no network.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from skeptic.core.errors import UsageError

HINT = (
    "pip install playwright, then `playwright install chromium` (or install the system's chromium, "
    "e.g. apt-get install chromium)"
)


class PdfError(UsageError):
    """The PDF cannot be printed here (no playwright, no Chromium); nothing was written."""


def chromium_path() -> str | None:
    """The system's Chromium, for when playwright's own browser is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _launch(chromium: Any) -> Any:
    args = ["--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to sandbox as root (containers, CI)
    try:
        return chromium.launch(args=args)
    except Exception as own:  # (playwright's browser not installed: try the system's)
        system = chromium_path()
        if system is None:
            raise PdfError(f"--pdf cannot start Chromium ({str(own).splitlines()[0]}): {HINT}") from None
        return chromium.launch(executable_path=system, args=args)


def print_pdf(html: str) -> bytes:
    """``html`` (a self-contained page) printed to A4 PDF with its print stylesheet and backgrounds."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfError(f"--pdf needs playwright: {HINT}") from None
    try:
        with sync_playwright() as p:
            browser = _launch(p.chromium)
            try:
                page = browser.new_page()
                page.route("**/*", lambda route: route.abort())  # nothing may be fetched while printing
                page.set_content(html, wait_until="load")
                page.emulate_media(media="print")
                pdf: bytes = page.pdf(
                    format="A4",
                    print_background=True,
                    margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=(
                        '<div style="font-size:8px;width:100%;text-align:center;color:#666">'
                        'Skeptic briefs · page <span class="pageNumber"></span> of <span class="totalPages"></span>'
                        "</div>"
                    ),
                )
            finally:
                browser.close()
    except PdfError:
        raise
    except PlaywrightError as exc:
        raise PdfError(f"--pdf failed in Chromium: {str(exc).splitlines()[0]}") from None
    return pdf


__all__ = ["PdfError", "print_pdf"]
