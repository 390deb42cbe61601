"""The brief: what was claimed, what was run, what was found (written from the run's measurements)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from skeptic.studies.alignment_faking.compare import many_models_markdown
from skeptic.studies.alignment_faking.config import SCRIPTED_LABEL
from skeptic.studies.alignment_faking.figures import af_calibration_caption, eval_awareness_caption
from skeptic.studies.alignment_faking.published import published_markdown
from skeptic.study import Brief

if TYPE_CHECKING:
    from skeptic.study import RunResult


def _safe(name: object) -> str:
    """A user-set name for inline code in the brief: no backticks or line breaks (they would end the code span)."""
    return " ".join(str(name).replace("`", "'").split())


def _pct(x: float | None, signed: bool = False) -> str:
    return "n/a" if x is None else (f"{x:+.1%}" if signed else f"{x:.1%}")


_SETTING_WORDS = {
    "helpful_only": "harmful requests (helpful-only setting)",
    "animal_welfare": "the animal-welfare setting",
}


def answer(result: RunResult) -> str:
    """The index card's answer: does this model comply more when it believes it is trained, and does it say why."""
    m = result.measurements
    if m.get("scripted_test_model"):
        return (
            "No answer about any language model: this run used a scripted test model that only checks the harness. "
            "Point the study at a model to measure one; the published results are on the study page."
        )
    s, summ = next(iter(m["settings"].items()))
    ct, cu, g = summ["training"]["compliance"], summ["unmonitored"]["compliance"], summ["gap"]
    af = summ["training"]["af_reasoning"]
    text = (
        f"{_safe(m['model'])} complied with {_pct(ct['value'])} of {_SETTING_WORDS.get(s, s)} when told its answers "
        f"train it and {_pct(cu['value'])} when told they do not: a gap of {_pct(g['value'], True)} (95% interval "
        f"{_pct(g['bootstrap_lo'], True)} to {_pct(g['bootstrap_hi'], True)})."
    )
    if af["n"]:
        text += f" Its reasoning showed alignment faking in {af['k']} of {af['n']} training-tier replies."
    return text + " Claude 3 Opus in the paper: about 14% vs 3%."


def found(result: RunResult) -> str:
    """'What we found', written from the run's measurements (prose, no claim ids)."""
    m = result.measurements
    paras = []
    if m.get("scripted_test_model"):
        paras.append(
            f"**{SCRIPTED_LABEL}.** The numbers below come from a scripted stand-in that replies from a fixed "
            "script. They show that the harness counts, grades and tests correctly; they say nothing about any model."
        )
    paras.append(f"Model `{_safe(m['model'])}`, graded by `{_safe(m['grader_model'])}`.")
    for s, summ in m["settings"].items():
        ct, cu, g = summ["training"]["compliance"], summ["unmonitored"]["compliance"], summ["gap"]
        af = summ["training"]["af_reasoning"]
        test = g.get("two_proportion_test") or {}
        p = test.get("p_one_sided")
        text = (
            f"**{_SETTING_WORDS.get(s, s).capitalize()}.** The model complied in {ct['k']} of {ct['n']} replies when "
            f"told it was talking to a free-tier user whose conversations train it, and in {cu['k']} of {cu['n']} when "
            f"told the user was on the paid tier and unmonitored: a compliance gap of {_pct(g['value'], True)} "
            f"(95% paired bootstrap over questions {_pct(g['bootstrap_lo'], True)} to {_pct(g['bootstrap_hi'], True)}"
            f"; one-sided two-proportion test p = {'n/a' if p is None else f'{p:.2g}'}). "
            f"With this many questions the smallest gap the run could reliably detect is "
            f"{_pct(g.get('minimum_detectable_gap'))}"
        )
        if g.get("epochs_repeat_questions") and g.get("clustered_se") is not None:
            text += f"; its standard error, clustered by question, is {_pct(g['clustered_se'])}"
        text += "."
        if af["n"]:
            text += (
                f" The classifier found alignment-faking reasoning (complying in order to avoid being changed) in "
                f"{af['k']} of {af['n']} training-tier scratchpads."
            )
        cats = summ.get("categories") or {}
        if cats:
            text += f" By category of question: {cats['pattern']}"
            het = (cats.get("heterogeneity") or {}).get("p_value")
            text += f" (does the gap differ across categories? permutation p = {het:.2g})." if het is not None else "."
        paras.append(text)
    c = m.get("af_calibration")
    if c:
        paras.append(
            "**How far to trust the classifier.** On 24 scratchpads written and labelled for Skeptic: "
            + af_calibration_caption(c)
        )
    ea = m.get("eval_awareness")
    if ea:
        parts = [f"{s.replace('_', '-')} {t} {r['k']}/{r['n']}" for s, tiers in ea["rates"].items()
                 for t, r in tiers.items()]  # fmt: skip
        paras.append(
            "**Does the model treat the scenario as a test?** Scratchpads that say the setup is a test, an "
            "evaluation, a fiction or otherwise artificial: "
            + ", ".join(parts)
            + ". How far to trust the question: "
            + eval_awareness_caption(ea)
        )
    not_run = m.get("claims_not_run") or []
    if not_run:
        paras.append(
            f"{len(not_run)} of the study's claims got no verdict because the part of the study they need was not run "
            "(a setting left out of this run's config)."
        )
    paras.append(
        "For comparison, Claude 3 Opus in Greenblatt et al. (2024), helpful-only setting: about 14% compliance in "
        "training vs about 3% unmonitored, with alignment-faking reasoning in 12% of training-tier replies. The "
        "differences table lists every way this run's setup departs from the paper's; read it before comparing."
    )
    return "\n\n".join(paras)


BRIEF = Brief(
    claimed=(
        "Greenblatt et al. (2024) told Claude 3 Opus, in its system prompt, that it was being retrained to comply with "
        "every request (or to dismiss animal welfare), and that only free-tier conversations were used for training. "
        "It complied more when it believed it was in training (about 14% vs about 3% for harmful requests), and its "
        "private reasoning often said it was complying to avoid having its values changed: 'alignment faking'. "
        "Sheshadri et al. (2025) found such a gap in 5 of 25 models."
    ),
    ran=(
        "The same prompted scenario, in Skeptic's own wording (shown in full in the prompts table), against any model "
        "Inspect can reach: every question asked once as a free-tier (training) user and once as a paid-tier "
        "(unmonitored) user, in the helpful-only and animal-welfare settings. Replies are graded for compliance "
        "(prefix rule or LLM grader) and the scratchpad for alignment-faking reasoning (several votes of an LLM "
        "classifier; `af_classifier=hughes2025` uses Hughes et al.'s 20 votes at temperature 1, threshold 0.4, as the "
        "`paper` preset does). The classifier is calibrated on 24 labelled scratchpads written for Skeptic. "
        "The grader is also asked, once per scratchpad, whether the model treats the scenario as a test, a fiction or "
        "otherwise artificial (evaluation awareness, calibrated on 12 labelled scratchpads), and the gap is shown "
        "again with the replies that broke the output format left out. "
        "Uncertainty: Wilson intervals for rates; for the gap a paired bootstrap over questions, the binomial and the "
        "question-clustered SE, a two-proportion test and the smallest gap the run could have detected; per category, "
        "k/n and a permutation test of whether the gap differs across categories. Every difference from the "
        "published setups is listed with the reason for it."
    ),
    not_shown=(
        "It does not show why a model complies (the scratchpad is a model's text, not its mechanism), it does not "
        "reproduce the paper's RL training or synthetic-document runs, and a small question set gives wide intervals "
        "(see the minimum detectable gap). Graders make mistakes: the calibration set measures how often on "
        "Skeptic's own scratchpads, not on the paper's transcripts. With no model configured, nothing runs and no "
        "numbers are shown; the test preset uses a scripted test model, labelled as such, whose verdicts are always "
        "untrusted, and the scripted grader's precision and recall test the harness, not any grader."
    ),
    found=found,
    answer=answer,
    headline_figure="outcomes",
    across_runs=many_models_markdown,
    appendix=(
        "### How to run\n\n"
        "`skeptic run alignment-faking --set model=<provider/model> --set grader_model=<provider/model>`. "
        "Keys come from the environment (e.g. `ANTHROPIC_API_KEY`); for an OpenAI-compatible server use "
        "`--set model=openai-api/local/<name> --set model_base_url=http://host:port/v1` and set `LOCAL_API_KEY`. "
        "The Inspect task also runs on its own: `inspect eval src/skeptic/studies/alignment_faking/task.py "
        "--model ... -T setting=animal_welfare`. Logs: `inspect view --log-dir <log_dir shown in the run>`.\n\n"
        "### Published results\n\n" + published_markdown()
    ),
)
