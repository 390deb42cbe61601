"""The report renders every part, and escapes everything that came from a config, a run or a model."""

from pathlib import Path

import tests.toy_study  # noqa: F401  (registers toy-coin)
from skeptic.core import Store, get_study, run
from skeptic.report import markdown_to_html, md_cell, write_report

INJECTED = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_report_shows_brief_claims_probes_figures_and_provenance(tmp_path: Path) -> None:
    result = run("toy-coin", preset="test", store=tmp_path / "store")
    index = write_report(Store(tmp_path / "store"), tmp_path / "report", [get_study("toy-coin")])
    html = (tmp_path / "report" / "toy-coin.html").read_text()
    assert index.name == "index.html" and "toy-coin.html" in index.read_text()
    for text in ("What was claimed", "What we found", "What this does not show", "Probes", result.run_id):
        assert text in html
    assert "data:image/png;base64," in html
    assert result.provenance["code_version"] in html
    assert 'class="verdict v-replicated"' in html
    md = (tmp_path / "report" / "toy-coin.md").read_text()
    assert "| fair: The coin lands heads half the time |" in md
    assert (tmp_path / "report" / "figures" / "toy-coin-test-0.png").stat().st_size > 1000


def test_injected_markup_in_a_config_string_is_escaped(tmp_path: Path) -> None:
    run("toy-coin", preset="test", overrides={"label": INJECTED}, store=tmp_path / "store")
    write_report(Store(tmp_path / "store"), tmp_path / "report", [get_study("toy-coin")])
    html = (tmp_path / "report" / "toy-coin.html").read_text()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html
    md = (tmp_path / "report" / "toy-coin.md").read_text()
    # the reproduce command shows the value verbatim inside one code span (copyable, inert); rendered as CommonMark
    # with raw HTML on, nothing of it becomes a tag
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"html": True}).render(md)
    assert "<script>" not in rendered and "<img src=x" not in rendered
    assert "<code>skeptic run toy-coin" in rendered and "&lt;script&gt;alert(" in rendered


def test_markdown_helpers_escape_raw_html() -> None:
    assert "<script>" not in markdown_to_html("hello <script>x</script>")
    assert md_cell("a|b<i>\nc") == "a\\|b&lt;i&gt; c"


def test_a_study_without_runs_still_gets_a_page(tmp_path: Path) -> None:
    write_report(Store(tmp_path / "empty"), tmp_path / "report", [get_study("toy-coin")])
    html = (tmp_path / "report" / "toy-coin.html").read_text()
    assert "Not run yet" in html


# --- the report for its two readers (issue 14) ---------------------------------------------------------

from dataclasses import replace  # noqa: E402

import pytest  # noqa: E402

from skeptic.report import VERDICT_COLOURS, count_sentence  # noqa: E402


def test_the_index_card_answers_in_words_with_caveats_and_a_thumbnail(tmp_path: Path) -> None:
    base = get_study("toy-coin")
    answered = replace(
        base,
        brief=replace(
            base.brief,
            answer=lambda r: f"The coin came up heads {r.measurements['heads_fraction']:.0%} <b>of</b> the time.",
            headline_figure="counts",
        ),
    )
    run(base, preset="test", overrides={"p_heads": 0.9}, store=tmp_path / "store")
    write_report(Store(tmp_path / "store"), tmp_path / "report", [answered])
    index = (tmp_path / "report" / "index.html").read_text()
    card = index.split('id="card-toy-coin"', 1)[1].split("</section>", 1)[0]
    assert "The coin came up heads 90% &lt;b&gt;of&lt;/b&gt; the time." in card  # the study's answer, escaped
    assert "One claim was not replicated here: “The coin lands heads half the time”" in card
    assert "no audit has yet checked whether it survives contrasts" in card  # so the card names no finding
    assert "Run at the test preset, smaller than the paper&#39;s setting." in card
    assert 'class="seg v-not_replicated" style="width: 100.000%"' in card
    assert "data:image/png;base64," in card and "<table" not in card  # a thumbnail; claim tables live on study pages
    assert 'id="glossary"' in index and "heavy tail" in index
    md = (tmp_path / "report" / "index.md").read_text()
    assert "The coin came up heads 90% &lt;b&gt;of&lt;/b&gt; the time." in md


def test_without_an_answer_the_card_counts_verdicts(tmp_path: Path) -> None:
    result = run("toy-coin", preset="test", store=tmp_path / "store")
    assert count_sentence(result) == "On the test preset, 1 of 1 claims replicated."
    untrusted = replace(result, claims=[replace(result.claims[0], verdict="untrusted")])
    assert count_sentence(untrusted).startswith("No answer can be trusted from this run")


def test_a_skipped_study_says_so_on_its_card(tmp_path: Path) -> None:
    write_report(Store(tmp_path / "empty"), tmp_path / "report", [get_study("toy-coin")])
    card = (tmp_path / "report" / "index.html").read_text().split('id="card-toy-coin"', 1)[1]
    assert "This study was not run for this report" in card


def test_one_colour_per_verdict_everywhere(tmp_path: Path) -> None:
    from skeptic.core.replicate import STATE_COLOURS

    assert {v: STATE_COLOURS[v] for v in VERDICT_COLOURS} == VERDICT_COLOURS
    run("toy-coin", preset="test", store=tmp_path / "store")
    write_report(Store(tmp_path / "store"), tmp_path / "report", [get_study("toy-coin")])
    for page in ("index.html", "toy-coin.html", "briefs.html"):
        text = (tmp_path / "report" / page).read_text()
        for verdict, colour in VERDICT_COLOURS.items():
            assert f"--v-{verdict}: {colour};" in text


def test_without_chromium_the_pdf_fails_in_one_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from skeptic.report import pdf

    class NoBrowser:
        def launch(self, **kwargs: object) -> None:
            raise RuntimeError("Executable doesn't exist at /nowhere/chrome\nmore detail")

    monkeypatch.setattr(pdf, "chromium_path", lambda: None)
    with pytest.raises(pdf.PdfError, match=r"cannot start Chromium .*Executable doesn't exist.*playwright install"):
        pdf._launch(NoBrowser())
    monkeypatch.setattr(pdf, "print_pdf", lambda html: pdf._launch(NoBrowser()))
    run("toy-coin", preset="test", store=tmp_path / "store")
    with pytest.raises(pdf.PdfError):
        write_report(Store(tmp_path / "store"), tmp_path / "report", [get_study("toy-coin")], pdf=True)
    assert not (tmp_path / "report").exists()
