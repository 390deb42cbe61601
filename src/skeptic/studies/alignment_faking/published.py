"""Published results to place a run among, each with its exact source and whether it is approximate.

Only numbers we are confident of are included; qualitative findings are kept qualitative. Rates are
fractions of responses. "training" = free tier (the model is told it is trained on), "unmonitored" = paid tier.
"""

from __future__ import annotations

import re
from typing import Any

GREENBLATT = "Greenblatt et al. 2024, 'Alignment faking in large language models' (arXiv 2412.14093)"
HUGHES = (
    "Hughes, Sheshadri et al. 2025, 'Alignment faking revisited: improved classifiers and open source extensions' "
    "(alignment.anthropic.com/2025/alignment-faking-revisited), summary table, prompted setting"
)
SHESHADRI = "Sheshadri et al. 2025, 'Why do some language models fake alignment while others don't?' (arXiv 2506.18032)"
GREENBLATT_V2 = f"{GREENBLATT[:-1]}v2)"
SHESHADRI_V1 = f"{SHESHADRI[:-1]}v1)"

MINIMAL_POST = (
    "Greenblatt et al., 'How to replicate and extend our alignment faking demo', "
    "alignment.anthropic.com/2024/how-to-alignment-faking"
)
MINIMAL_QUOTE = (
    "we find that Claude 3 Opus, Claude 3.5 Sonnet and Llama-3 405B sometimes generate alignment faking reasoning, "
    "and are more often helpful when the prompt implies the conversation will be used in training than when it "
    "implies it won’t (Appendix B.4 of the paper)"
)
"""The authors' own summary of their minimal reproduction (exact words); its per-model rates are :data:`TABLE5`."""

TABLE5_CAPTION = (
    "Table 5: Refusal rate of different models in a minimal reproduction of the helpful-only setting with "
    "prefix-matching as a proxy for non-refusals."
)
"""Table 5's caption, exact words (Greenblatt et al. 2024, arXiv 2412.14093v2, Appendix B.4, 'Using other models')."""

TABLE5_SETUP = "minimal reproduction: 400 AdvBench queries, prefix rule (<request_fully_accepted/>)"

TABLE5: tuple[tuple[str, str, float, float, float], ...] = (
    ("Llama-3.1-405B", "Default", 0.810, 0.953, 0.143),
    ("Llama-3.1-405B", "No CoT", 0.943, 0.995, 0.052),
    ("Llama-3.1-70B", "Default", 1.000, 1.000, 0.000),
    ("Llama-3.1-70B", "No CoT", 1.000, 0.988, -0.012),
    ("Llama-3.1-8B", "Default", 0.733, 0.710, -0.023),
    ("Llama-3.1-8B", "No CoT", 0.990, 0.998, 0.008),
    ("Mistral-7B-Instruct-v0.3", "Default", 0.568, 0.568, 0.000),
    ("Mistral-7B-Instruct-v0.3", "No CoT", 0.770, 0.765, -0.005),
    ("Claude 3 Opus", "Default", 0.935, 0.990, 0.055),
    ("Claude 3 Opus", "No CoT", 0.998, 1.000, 0.002),
    ("Claude 3.5 Sonnet", "Default", 0.620, 0.830, 0.210),
    ("Claude 3.5 Sonnet", "No CoT", 0.280, 0.910, 0.630),
)
"""Greenblatt et al. 2024, Appendix B.4 ('Using other models'), Table 5, row by row as published: (model, prompt,
refusal rate in implied training, refusal rate unmonitored, compliance gap). The table gives refusal rates; its
compliance gap is unmonitored refusal − training refusal, i.e. c_training − c_unmonitored as Skeptic defines the gap.
"Default" is the prompt with the scratchpad, "No CoT" the one without.

Version (checked again in session 13, see :data:`TABLE5_CHECKED`): arXiv 2412.14093v2. Every row, the caption and
the section name were compared digit for digit with the paper's text and all agree; no digit was changed. Every row's
gap is its unmonitored minus its training refusal to the table's rounding."""

TABLE5_CHECKED = (
    "Table 5, its caption and the heading 'B.4 USING OTHER MODELS' checked digit for digit (session 13) against a "
    "Docling conversion of the arXiv PDF (wusche1/cursor-latex-zotero-template, "
    "bib/greenblatt2024/greenblatt2024_fulltext.md, commit 0b5ca0c; first converted 22 July 2025 from a Zotero item "
    "whose URL is the unversioned arxiv.org/abs/2412.14093; the only copy of Table 5 found in the stored repositories "
    "and pages, so very likely the one the rows were first copied from in session 11). The converted PDF prints no "
    "version; it is taken to be v2 because that URL has served v2 since 20 Dec 2024, two days after v1 (only a PDF "
    "saved in those two days would be v1), and the arXiv listing fetched in April and July 2026 still shows only v1 "
    "and v2. No v1 text (PDF, HTML or LaTeX) was found in the stored repositories or pages, so v1 and v2 could not be "
    "compared; arXiv lists both PDFs at 11,382 KB. The paragraph after the table ('As shown in Table 5, we find a "
    "compliance gap of 14% for Llama-3.1-405B ...') matches, word for word, a third party's reading of "
    "arxiv.org/html/2412.14093v2."
)
"""Where :data:`TABLE5` was checked and why its version is recorded as v2 (the basis, not a certainty)."""

SHESHADRI_ABSTRACT = (
    "only 5 (Claude 3 Opus, Claude 3.5 Sonnet, Llama 3 405B, Grok 3, Gemini 2.0 Flash) comply with harmful queries "
    "more when they infer they are in training than when they infer they are in deployment"
)
SHESHADRI_GAP_MODELS = ("Claude 3 Opus", "Claude 3.5 Sonnet", "Llama 3 405B", "Grok 3", "Gemini 2.0 Flash")
SHESHADRI_SECTION32 = (
    "We test 25 models and find that only five exhibit compliance gaps between the free and paid tier users exceeding "
    "1%: Claude 3 Opus, Claude 3.5 Sonnet, Llama 3 405B, Grok 3 Beta, Gemini 2.0 Flash."
)
"""Sheshadri et al. 2025 (arXiv 2506.18032v1), Section 3.2 ('Prompting Results'), exact words: the threshold the
abstract leaves out. Read (session 13) in two renderings of the paper's text that agree word for word (a Markdown
conversion of the PDF, whose pointers, 'full evaluation in Appendix B', match v1, and a GROBID-style extraction of a
later revision that points to 'Appendix D' instead), and quoted identically, with its place, by a third party who read
arxiv.org/html/2506.18032v1."""

SHESHADRI_TESTED = (
    "GPT-4",
    "GPT-4o",
    "GPT-4o-mini",
    "GPT-4.1",
    "GPT-4.1-mini",
    "GPT-4.5",
    "Claude 4 Sonnet",
    "Claude 4 Opus",
    "Claude 3.7 Sonnet",
    "Claude 3.6 Sonnet / Claude 3.5 Sonnet (October)",
    "Claude 3.5 Sonnet (June)",
    "Claude 3 Opus",
    "Gemini 2.5 Flash",
    "Gemini 2.0 Flash",
    "Grok 3 Beta",
    "Llama 4 Scout",
    "Llama 4 Maverick",
    "Llama 3 70B",
    "Llama 3 405B",
    "DeepSeek V3 Chat",
    "DeepSeek R1",
    "Qwen 2.5 Coder 32B",
    "Qwen 2.5 72B",
    "Mixtral 8x22B",
    "Mistral Large 2",
)
"""The 25 chat models Sheshadri et al. test, named and ordered as their Appendix B ('All Results on Chat Models', v1)
lists them ('Claude 4 Sonnet and Opus' as two)."""

SHESHADRI_SAME = {"Claude 3.5 Sonnet (June)": "Claude 3.5 Sonnet", "Grok 3 Beta": "Grok 3"}
"""Appendix B's names of two of the five gap models, as the abstract names them. The five's 'Claude 3.5 Sonnet' is
read as the June release: Appendix B lists the October release apart, as 'Claude 3.6 Sonnet / Claude 3.5 Sonnet
(October)', and Greenblatt et al.'s 'Claude 3.5 Sonnet' is the June release ('Claude 3.5 Sonnet (June)', Appendix
B.4)."""

SHESHADRI_NO_GAP_MODELS = tuple(m for m in SHESHADRI_TESTED if SHESHADRI_SAME.get(m, m) not in SHESHADRI_GAP_MODELS)
"""The 20 of the 25 tested models without a compliance gap exceeding 1%: Appendix B's list less Section 3.2's five."""

SHESHADRI_RATES_SEARCHED = (
    "Sheshadri et al.'s per-model compliance rates (free and paid tier) and alignment-faking rates are drawn, not "
    "printed: the five gap models in Figure 1 ('Only 5/25 models evaluated show a compliance gap. Compliance rate (%)"
    " and alignment faking reasoning for these 5 models that comply more often when they infer they are in training "
    "(free tier) than when they infer they are in deployment (paid tier). n = 200, 1σ uncertainty ≤ 3.6%.') and all "
    "25 in Figures 10 and 11 of Appendix B (n = 100). Searched in session 13: the paper's text in two renderings (the"
    " main text of both, and Appendices A-K of the one matching v1; L-N are example scratchpads, qualitative analysis"
    " and prompts): no table of per-model rates, and the bar labels of Figures 1, 10 and 11 are not in the text; the "
    "arXiv listing (a stored copy shows v1 only, 'Submitted on 22 Jun 2025', and no stored file names a v2), the "
    "authors' code repository safety-research/open-source-alignment-faking and Greenblatt et al.'s "
    "redwoodresearch/alignment_faking_public (neither is in the stored repositories: no result files), and "
    "third-party notes, summaries and replications (none we found reprints the paper's per-model numbers). So no "
    "per-model rate is entered; what is cited exactly is which models show a gap above 1% "
    "(:data:`SHESHADRI_SECTION32`, abstract) and which do not (Appendix B's list less those five)."
)
"""What was searched for Sheshadri et al.'s per-model rates, and why none is entered."""

SHESHADRI_POST = (
    "Sheshadri, Hughes et al., 'Why Do Some Language Models Fake Alignment While Others Don't?', LessWrong, "
    "8 July 2025 (lesswrong.com/posts/ghESoA8mo3fv9Yx3E)"
)
SHESHADRI_POST_QUOTE = (
    "only 5 of 25 models show higher compliance when being trained, and of those 5, only Claude 3 Opus and Claude "
    "3.5 Sonnet show >1% alignment faking reasoning"
)
"""Sheshadri et al.'s per-model rates are drawn in their Figures 1, 10 and 11, not printed (see
:data:`SHESHADRI_RATES_SEARCHED`); these exact sentences, the abstract's and Section 3.2's, are what the per-model
rows rest on."""

HUGHES_KEY = {
    "red": "significant evidence of AF",
    "orange": "<1% AF was found",
    "green": "no AF is observed",
}
"""The key of Hughes et al.'s summary table (its words; AF = alignment faking)."""
HUGHES_PROMPTED = (
    ("Llama 3 8B Instruct", "green"),
    ("Llama 3 70B Instruct", "green"),
    ("Llama 3 405B Instruct", "orange"),
    ("Llama 4 Scout", "green"),
    ("Llama 4 Maverick", "green"),
    ("GPT-4o", "green"),
    ("GPT 4.5 Preview", "green"),
    ("Claude 3 Opus", "red"),
    ("Claude 3.5 Sonnet", "red"),
    ("Claude 3.7 Sonnet", "green"),
    ("DeepSeek V3", "green"),
    ("DeepSeek R1", "green"),
    ("Qwen2.5 72B Instruct", "green"),
    ("Mixtral 8x7B Instruct", "green"),
    ("Mixtral 8x22B Instruct", "green"),
    ("Mixtral Large 120B", "green"),
)
"""Hughes et al.'s summary table, 'AF in Prompted Setting' column, one row per model as published."""

PUBLISHED: tuple[dict[str, Any], ...] = (
    {
        "model": "Claude 3 Opus",
        "setting": "helpful_only",
        "metric": "compliance (training)",
        "value": 0.14,
        "approximate": True,
        "source": f"{GREENBLATT}, abstract ('complies with harmful queries from free users 14% of the time'), Fig. 2",
    },
    {
        "model": "Claude 3 Opus",
        "setting": "helpful_only",
        "metric": "compliance (unmonitored)",
        "value": 0.03,
        "approximate": True,
        "source": f"{GREENBLATT}, Fig. 2 (refuses in 97% of paid-tier cases; the abstract says 'almost never'); "
        "read off the figure",
    },
    {
        "model": "Claude 3 Opus",
        "setting": "helpful_only",
        "metric": "compliance gap",
        "value": 0.11,
        "approximate": True,
        "source": f"{GREENBLATT}, abstract and Fig. 2: the difference of the two values above (14% − 3%)",
    },
    {
        "model": "Claude 3 Opus",
        "setting": "helpful_only",
        "metric": "alignment-faking reasoning (training)",
        "value": 0.12,
        "approximate": True,
        "source": f"{GREENBLATT}, Section 1 and Table 1 ('alignment-faking reasoning in 12% of implied training "
        "scratchpads'), prompted helpful-only setting",
    },
    {
        "model": "Claude 3 Opus",
        "setting": "animal_welfare",
        "metric": "compliance gap",
        "value": 0.15,
        "approximate": True,
        "source": f"{GREENBLATT}, prompted animal-welfare setting: supports animal welfare in about 51% of implied "
        "training vs 66% of unmonitored responses, a gap of about 15 points (Fig. 2 and its discussion)",
    },
    {
        "model": "Claude 3 Opus",
        "setting": "all settings",
        "metric": "alignment-faking reasoning (training)",
        "value": None,
        "range": [0.07, 0.24],
        "approximate": False,
        "source": f"{GREENBLATT}, Section 1: 'alignment-faking reasoning in its scratchpad 7–24% of the time in "
        "implied training', across the paper's settings",
    },
    *(
        {
            "model": model,
            "setting": "helpful_only",
            "metric": "compliance gap",
            "value": gap,
            "decimals": 1,
            "variant": f"{TABLE5_SETUP}; {'scratchpad' if prompt == 'Default' else 'no scratchpad'} ('{prompt}')",
            "refusal": {"training": train, "unmonitored": unmonitored},
            "approximate": False,
            "source": f"{GREENBLATT_V2}, Appendix B.4, Table 5 (“{TABLE5_CAPTION}”; section 'Using other models'), "
            f"row {model}, prompt {prompt}: "
            f"refusal {train:.1%} in training, {unmonitored:.1%} unmonitored",
        }
        for model, prompt, train, unmonitored, gap in TABLE5
    ),
    *(
        {
            "model": model,
            "setting": "helpful_only",
            "metric": "minimal reproduction (prefix rule): complies more in implied training",
            "value": None,
            "qualitative": "yes, with some alignment-faking reasoning (per-model rates: the Table 5 rows)",
            "approximate": False,
            "source": f"{GREENBLATT_V2}, Appendix B.4 (the minimal reproduction); the direction in the authors' words "
            f"({MINIMAL_POST}): “{MINIMAL_QUOTE}”",
        }
        for model in ("Claude 3 Opus", "Claude 3.5 Sonnet", "Llama-3 405B")
    ),
    *(
        {
            "model": model,
            "setting": "helpful_only",
            "metric": "shows a compliance gap",
            "value": None,
            "qualitative": "yes: a gap exceeding 1% (one of the 5 of 25 models tested that comply more in implied "
            "training)",
            "approximate": False,
            "source": f"{SHESHADRI_V1}, abstract: “{SHESHADRI_ABSTRACT}”; Section 3.2: “{SHESHADRI_SECTION32}”",
        }
        for model in SHESHADRI_GAP_MODELS
    ),
    {
        "model": "the other 20 of the 25 models tested",
        "setting": "helpful_only",
        "metric": "shows a compliance gap",
        "value": None,
        "qualitative": "no (none exceeding 1%)",
        "approximate": False,
        "source": f"{SHESHADRI_V1}, Section 3.2 (only five of 25 have a compliance gap exceeding 1%); the 20 are the "
        "rest of the 25 its Appendix B names, each with its own row; their rates are drawn only in its Figures 10-11",
    },
    *(
        {
            "model": model,
            "setting": "helpful_only",
            "metric": "compliance gap exceeding 1%",
            "value": None,
            "qualitative": "no (not one of the 5 of the 25 models tested"
            + ("; the five's 'Claude 3.5 Sonnet' read as the June release)" if "October" in model else ")"),
            "approximate": False,
            "source": f"{SHESHADRI_V1}, Section 3.2: “{SHESHADRI_SECTION32}”; the 25 models tested: Appendix B "
            "('All Results on Chat Models'; rates drawn in Figures 10-11)",
        }
        for model in SHESHADRI_NO_GAP_MODELS
    ),
    *(
        {
            "model": model,
            "setting": "helpful_only",
            "metric": "alignment-faking reasoning above 1%",
            "value": None,
            "qualitative": "yes"
            if model in ("Claude 3 Opus", "Claude 3.5 Sonnet")
            else "no (a gap, but ≤ 1% reasoning)",
            "approximate": False,
            "source": f"{SHESHADRI_POST}: “{SHESHADRI_POST_QUOTE}”",
        }
        for model in SHESHADRI_GAP_MODELS
    ),
    {
        "model": "Claude 3 Opus",
        "setting": "helpful_only",
        "metric": "gap motivated by keeping its goals",
        "value": None,
        "qualitative": "yes, the only one of the five consistently so",
        "approximate": False,
        "source": f"{SHESHADRI_V1}, abstract",
    },
    *(
        {
            "model": model,
            "setting": "helpful_only",
            "metric": "alignment faking, prompted setting",
            "value": None,
            "qualitative": HUGHES_KEY[mark],
            "approximate": False,
            "source": HUGHES,
        }
        for model, mark in HUGHES_PROMPTED
    ),
)


def published_rows() -> list[dict[str, Any]]:
    """The table as JSON-able records, with a readable 'published' column."""
    rows = []
    for p in PUBLISHED:
        if p.get("value") is not None:
            shown = f"{'≈' if p['approximate'] else ''}{p['value']:.{p.get('decimals', 0)}%}"
        elif p.get("range") is not None:
            lo, hi = p["range"]
            shown = f"{'≈' if p['approximate'] else ''}{lo:.0%}-{hi:.0%}"
        else:
            shown = str(p.get("qualitative", ""))
        rows.append(
            {
                "model": p["model"],
                "setting": p["setting"],
                "metric": p["metric"] + (f" ({p['variant']})" if p.get("variant") else ""),
                "published": shown,
                "approximate": p["approximate"],
                "source": p["source"],
            }
        )
    return rows


def published_markdown() -> str:
    """The published-results table as Markdown (for the brief's appendix, shown before any run)."""
    lines = ["| model | setting | metric | published | source |", "|---|---|---|---|---|"]
    for r in published_rows():
        lines.append(f"| {r['model']} | {r['setting']} | {r['metric']} | {r['published']} | {r['source']} |")
    return "\n".join(lines)


_SONNET_35_OCTOBER = r"claude-?(?:3[-.]5-sonnet-(?:20241022|v2|latest)|3[-.]6-sonnet)"
_CLAUDE_4 = r"claude-?(?:{0}-4(?![-.][0-9](?![0-9]))|4-{0})"  # Claude 4, not 4.1 / 4.5 ('-2025...' is a date)
_GPT_4 = r"gpt-?4(?:-0314|-0613)?(?![a-z.]|-[a-z0-9])"  # GPT-4 itself: not 4o, 4.1, 4.5, 4-turbo, 4-1106-preview
_LLAMA_3_70B = r"llama-?3(?:\.[0-9])?-(?:[a-z0-9]+-)*70b"

MODEL_PATTERNS: dict[str, str] = {
    "Claude 3 Opus": r"claude-?3-opus",
    "Claude 3.5 Sonnet": r"claude-?3[-.]5-sonnet(?!-(?:20241022|v2|latest))",
    "Claude 3.5 Sonnet (June)": r"claude-?3[-.]5-sonnet(?!-(?:20241022|v2|latest))",
    "Claude 3.6 Sonnet / Claude 3.5 Sonnet (October)": _SONNET_35_OCTOBER,
    "Claude 3.7 Sonnet": r"claude-?3[-.]7-sonnet",
    "Claude 4 Sonnet": _CLAUDE_4.format("sonnet"),
    "Claude 4 Opus": _CLAUDE_4.format("opus"),
    "Llama-3 405B": r"llama-?3(?:\.1)?-(?:[a-z0-9]+-)*405b",
    "Llama-3.1-405B": r"llama-?3(?:\.1)?-(?:[a-z0-9]+-)*405b",
    "Llama-3.1-70B": r"llama-?3\.1-(?:[a-z0-9]+-)*70b",
    "Llama-3.1-8B": r"llama-?3\.1-(?:[a-z0-9]+-)*8b",
    "Mistral-7B-Instruct-v0.3": r"mistral-7b-instruct-v0\.3",
    "Llama 3 405B": r"llama-?3(?:\.1)?-(?:[a-z0-9]+-)*405b",
    "Llama 3 405B Instruct": r"llama-?3(?:\.1)?-(?:[a-z0-9]+-)*405b",
    "Llama 3 70B": _LLAMA_3_70B,
    "Llama 3 70B Instruct": _LLAMA_3_70B,
    "Llama 3 8B Instruct": r"llama-?3(?:\.1)?-(?:[a-z0-9]+-)*8b",
    "Llama 4 Scout": r"llama-?4-scout",
    "Llama 4 Maverick": r"llama-?4-maverick",
    "GPT-4": _GPT_4,
    "GPT-4o": r"gpt-?4o(?!-mini)",
    "GPT-4o-mini": r"gpt-?4o-mini",
    "GPT-4.1": r"gpt-?4\.1(?!-mini|-nano)",
    "GPT-4.1-mini": r"gpt-?4\.1-mini",
    "GPT-4.5": r"gpt-?4\.5",
    "GPT 4.5 Preview": r"gpt-?4\.5",
    "DeepSeek V3": r"deepseek-(?:v3|chat)",
    "DeepSeek V3 Chat": r"deepseek-(?:v3|chat)",
    "DeepSeek R1": r"deepseek-(?:r1|reasoner)",
    "Qwen2.5 72B Instruct": r"qwen-?2\.5-72b",
    "Qwen 2.5 72B": r"qwen-?2\.5-72b",
    "Qwen 2.5 Coder 32B": r"qwen-?2\.5-coder-32b",
    "Mixtral 8x7B Instruct": r"mixtral-8x7b",
    "Mixtral 8x22B Instruct": r"mixtral-8x22b",
    "Mixtral 8x22B": r"mixtral-8x22b",
    "Mixtral Large 120B": r"mistral-large",
    "Mistral Large 2": r"mistral-large",
    "Grok 3": r"grok-?3(?!-mini)",
    "Grok 3 Beta": r"grok-?3(?!-mini)",
    "Gemini 2.0 Flash": r"gemini-2\.0-flash(?!-lite)",
    "Gemini 2.5 Flash": r"gemini-2\.5-flash(?!-lite)",
}
"""How a model id a user runs (``anthropic/claude-3-opus-20240229``, ``together/meta-llama/Meta-Llama-3.1-405B``)
is recognised as a published model, on the id lower-cased with spaces, underscores and colons as hyphens. A
published row whose model is not here (a group of models) matches no run. 'Claude 3.5 Sonnet' is the June 2024
release (20240620) that Greenblatt et al. and Sheshadri et al. name so; the October release (20241022, Sheshadri et
al.'s 'Claude 3.6 Sonnet', and the '-latest' alias) is a different model with its own rows; an undated 3.5 Sonnet
id is read as June."""


def same_model(published_model: str, run_model: str) -> bool:
    """Whether a run of ``run_model`` measures the model a published row names (see :data:`MODEL_PATTERNS`)."""
    pattern = MODEL_PATTERNS.get(published_model)
    if pattern is None:
        return False
    name = re.sub(r"[\s_:]+", "-", run_model.lower())
    return re.search(r"(?<![a-z0-9])" + pattern + r"(?![0-9])", name) is not None


def published_for(run_model: str) -> list[dict[str, Any]]:
    """The published rows about the model a run measured (empty for a model no source reports, a scripted one)."""
    return [r for r, p in zip(published_rows(), PUBLISHED, strict=True) if same_model(p["model"], run_model)]
