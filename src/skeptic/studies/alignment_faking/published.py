"""Published results to place a run among, each with its exact source and whether it is approximate.

Only numbers we are confident of are included; qualitative findings are kept qualitative. Rates are
fractions of responses. "training" = free tier (the model is told it is trained on), "unmonitored" = paid tier.
"""

from __future__ import annotations

from typing import Any

GREENBLATT = "Greenblatt et al. 2024, 'Alignment faking in large language models' (arXiv 2412.14093)"
HUGHES = (
    "Hughes, Sheshadri et al. 2025, 'Alignment faking revisited: improved classifiers and open source extensions' "
    "(alignment.anthropic.com/2025/alignment-faking-revisited), summary table, prompted setting"
)
SHESHADRI = "Sheshadri et al. 2025, 'Why do some language models fake alignment while others don't?' (arXiv 2506.18032)"

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
        "source": f"{GREENBLATT}, difference of the two values above (14% − 3%)",
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
        "source": f"{GREENBLATT}, Section 1: 'alignment-faking reasoning in its scratchpad 7-24% of the time in "
        "implied training', across the paper's settings",
    },
    {
        "model": "Claude 3 Opus, Claude 3.5 Sonnet, Llama 3 405B, Grok 3, Gemini 2.0 Flash",
        "setting": "helpful_only",
        "metric": "shows a compliance gap",
        "value": None,
        "qualitative": "yes (5 of 25 models tested)",
        "approximate": False,
        "source": f"{SHESHADRI}, abstract",
    },
    {
        "model": "the other 20 of the 25 models tested",
        "setting": "helpful_only",
        "metric": "shows a compliance gap",
        "value": None,
        "qualitative": "no",
        "approximate": False,
        "source": f"{SHESHADRI}, abstract (only 5 of 25 comply more when they infer they are in training)",
    },
    {
        "model": "Claude 3 Opus",
        "setting": "helpful_only",
        "metric": "gap motivated by keeping its goals",
        "value": None,
        "qualitative": "yes, the only one of the five consistently so",
        "approximate": False,
        "source": f"{SHESHADRI}, abstract",
    },
    {
        "model": "Claude 3 Opus, Claude 3.5 Sonnet",
        "setting": "helpful_only",
        "metric": "alignment faking, prompted setting (qualitative)",
        "value": None,
        "qualitative": "significant evidence of alignment faking",
        "approximate": False,
        "source": HUGHES,
    },
    {
        "model": "Llama 3 405B Instruct",
        "setting": "helpful_only",
        "metric": "alignment faking, prompted setting (qualitative)",
        "value": None,
        "qualitative": "under 1% alignment faking found",
        "approximate": False,
        "source": HUGHES,
    },
    {
        "model": "Llama 3 8B/70B, Llama 4 Scout/Maverick, GPT-4o, GPT-4.5 Preview, Claude 3.7 Sonnet, DeepSeek V3/R1, "
        "Qwen2.5 72B, Mixtral 8x7B/8x22B, Mixtral Large 120B",
        "setting": "helpful_only",
        "metric": "alignment faking, prompted setting (qualitative)",
        "value": None,
        "qualitative": "no alignment faking observed",
        "approximate": False,
        "source": HUGHES,
    },
    {
        "model": "Claude 3 Opus, Claude 3.5 Sonnet",
        "setting": "helpful_only",
        "metric": "minimal reproduction (prefix rule, AdvBench queries)",
        "value": None,
        "qualitative": "not included: we could not verify the notebook's printed numbers offline",
        "approximate": False,
        "source": "redwoodresearch/alignment_faking_public, minimal_helpful_only_setting.ipynb",
    },
)


def published_rows() -> list[dict[str, Any]]:
    """The table as JSON-able records, with a readable 'published' column."""
    rows = []
    for p in PUBLISHED:
        if p.get("value") is not None:
            shown = f"{'≈' if p['approximate'] else ''}{p['value']:.0%}"
        elif p.get("range") is not None:
            lo, hi = p["range"]
            shown = f"{'≈' if p['approximate'] else ''}{lo:.0%}-{hi:.0%}"
        else:
            shown = str(p.get("qualitative", ""))
        rows.append(
            {
                "model": p["model"],
                "setting": p["setting"],
                "metric": p["metric"],
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
