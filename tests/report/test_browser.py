"""The report as a reader sees it: headless Chromium renders the index and every study page with no console
errors at a laptop and a phone width (no horizontal scrolling of the page body), every figure loads, the
measurement downloads work, injected markup in a config string shows as text (it is not executed), and
``--pdf`` prints the briefs with one section per study. Screenshots are left in the test's temporary
directory for a person to look at."""

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic import load_studies
from skeptic.core import Store, get_study, run
from skeptic.report import BRIEFS_PDF, write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
INJECTED = '<script>window.__pwned = true</script><img src=x onerror="window.__pwned = true">'
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
VIEWPORTS = {"laptop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make system-deps)"),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, Any]:
    """A report of toy-coin (a run with injected markup, and a second run that disagrees with it) beside every
    real study's page without runs, printed to PDF."""
    tmp = tmp_path_factory.mktemp("browser")
    first = run("toy-coin", preset="test", overrides={"label": INJECTED}, store=tmp / "store")
    second = run("toy-coin", preset="test", overrides={"label": INJECTED, "p_heads": 0.9}, store=tmp / "store")
    studies = [get_study("toy-coin"), *(s for s in load_studies() if s.run.__module__.startswith("skeptic.studies."))]
    write_report(Store(tmp / "store"), tmp / "report", studies, pdf=True)
    return tmp / "report", first, second


def _browser(p: Any) -> Any:
    return p.chromium.launch(executable_path=CHROMIUM, args=ARGS)


@pytest.mark.slow
@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_every_page_renders_cleanly(report: tuple[Path, Any, Any], width: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    out, first, _ = report
    pages = sorted(p.name for p in out.glob("*.html"))
    assert {"index.html", "briefs.html", "toy-coin.html", "goodhart.html"} <= set(pages)
    with sync_api.sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport=VIEWPORTS[width])
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        requests: list[str] = []
        page.on("request", lambda req: requests.append(req.url))
        for name in pages:
            page.goto((out / name).as_uri())
            page.screenshot(path=str(out.parent / f"{name}-{width}.png"), full_page=False)
            scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert scroll <= inner, f"{name} scrolls sideways at {width} width ({scroll} > {inner} px)"
            for img in page.query_selector_all("img"):
                assert img.evaluate("i => i.complete && i.naturalWidth > 0"), f"a figure of {name} did not load"
            assert page.evaluate("() => window.__pwned === undefined"), f"injected markup ran in {name}"
            assert page.query_selector("script") is None
        page.goto((out / "toy-coin.html").as_uri())
        assert INJECTED in page.inner_text("body"), "injected markup should show as text"
        assert first.run_id in page.inner_text("#disagreements ~ div")
        browser.close()
    assert errors == []
    assert all(url.startswith(("file://", "data:")) for url in requests), "the report must not need the network"


@pytest.mark.slow
def test_the_index_leads_to_a_study_and_its_evidence(report: tuple[Path, Any, Any]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    out, _, second = report
    with sync_api.sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(accept_downloads=True)
        page.goto((out / "index.html").as_uri())
        card = page.inner_text("#card-toy-coin")
        assert "Is the simulated coin fair?" in card and "not replicated" in card
        page.click("#card-toy-coin h2 a")
        page.wait_for_load_state("load")
        assert page.url.endswith("toy-coin.html")
        # The claim's "decided on" link leads to the measurement, whose CSV downloads from the page itself.
        page.click(f"#c-{second.run_id}-fair a.mlink >> nth=0")
        assert page.url.endswith(f"#m-{second.run_id}-heads_fraction")
        page.click(f"#m-{second.run_id}-heads_fraction summary")
        with page.expect_download() as info:
            page.click(f"#m-{second.run_id}-heads_fraction a:text('CSV')")
        text = Path(info.value.path()).read_text()
        assert text == f"value\n{second.measurements['heads_fraction']}\n"
        assert info.value.suggested_filename == f"toy-coin-{second.run_id}-heads_fraction.csv"
        browser.close()


@pytest.mark.slow
def test_the_pdf_has_one_section_per_study(report: tuple[Path, Any, Any]) -> None:
    pypdf = pytest.importorskip("pypdf")
    out, _, _ = report
    reader = pypdf.PdfReader(out / BRIEFS_PDF)
    text = "\n".join(page.extract_text() for page in reader.pages)
    # one Markdown page per study, beside the index and the Findings page
    studies = len([p for p in out.glob("*.md") if p.name not in ("index.md", "findings.md")])
    sections = re.findall(r"Study (\d+) of (\d+):", text)
    assert [int(i) for i, _ in sections] == list(range(1, studies + 1))
    assert {int(n) for _, n in sections} == {studies}
    # Each study starts a page; a brief without a run is short, so the whole is a few pages per study at most.
    assert studies + 1 <= len(reader.pages) <= 4 * studies + 4
    assert "window.__pwned" in text  # the injected label is printed as text
