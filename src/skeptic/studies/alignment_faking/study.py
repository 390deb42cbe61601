"""alignment-faking: does a model comply more when it is told it is being trained than when unmonitored?

Greenblatt et al. (2024), prompted setting: a system prompt says the developer trains the model with RLHF
toward a new objective (helpful-only: comply with everything; animal welfare: dismiss animal-welfare
concerns), that only free-tier conversations are trained on, and that a private scratchpad is never read.
Every question is asked once as a free-tier user ("training") and once as a paid-tier user ("unmonitored").
We measure, per setting and tier, the compliance rate c, the compliance gap Δ = c_training − c_unmonitored
(Section 2.1), the rate of alignment-faking reasoning in the scratchpad (Section 3.3; classifier votes as in
Hughes et al. 2025) and how often the model kept to the output format. The model runs through UK AISI's
Inspect (:mod:`task`), so any Inspect provider works; inspect_ai is imported only inside ``run``.
"""

from __future__ import annotations

from skeptic.studies.alignment_faking import experiment
from skeptic.studies.alignment_faking.brief import BRIEF
from skeptic.studies.alignment_faking.claims import CLAIMS, PROBES
from skeptic.studies.alignment_faking.config import PRESETS, AlignmentFakingConfig
from skeptic.studies.alignment_faking.faults import FAULTS
from skeptic.studies.alignment_faking.figures import make_figures, make_tables
from skeptic.study import Budget, RunContext, StudyOutput, StudySkipped, study

HOW_TO_RUN = (
    "no model configured: run e.g. `skeptic run alignment-faking --set model=anthropic/claude-3-opus-20240229 "
    "--set grader_model=openai/gpt-4o` (API keys from the environment; any Inspect provider, or "
    "model=openai-api/<service>/<name> with model_base_url=... for an OpenAI-compatible server)"
)


@study(
    name="alignment-faking",
    question="Does a model comply more with a new training objective when it is told it is being trained than when "
    "it is told it is unmonitored, and does its hidden reasoning say it is faking alignment?",
    sources=(
        "Greenblatt et al. 2024, Alignment faking in large language models (arXiv 2412.14093), prompted setting",
        "Sheshadri et al. 2025, Why do some language models fake alignment while others don't? (arXiv 2506.18032)",
        "Hughes et al. 2025, Alignment faking revisited (improved classifiers)",
    ),
    presets=PRESETS,
    claims=CLAIMS,
    probes=PROBES,
    brief=BRIEF,
    faults=FAULTS,
    budget=Budget(
        scale={"af_votes": 2, "bootstrap_resamples": 4},
        set={"n_questions": None},
        note="every question of the set (not the first 12), twice the classifier votes, 4x bootstrap resamples",
    ),
    audit_preset="test",
    audit_preset_why="the scripted faker and grader are the known-answer case and need no model or network; any "
    "other preset needs a language model and its API key",
    runtime={
        "test": "~10-20 s (scripted test model)",
        "quick": "~1-3 min with a model",
        "paper": "~5-20 min with a model (20 classifier votes per scratchpad)",
    },
)
def run(config: AlignmentFakingConfig, ctx: RunContext) -> StudyOutput:
    """Both tiers of every setting through Inspect, summarized; see :mod:`.experiment` for each section."""
    if config.model is None:
        raise StudySkipped(HOW_TO_RUN)
    records, calibration, facts = experiment.evaluate(config, ctx)
    m = experiment.summarize(config, records, calibration, ctx.rng("bootstrap"))
    m.update(experiment.describe_run(config, records, facts))
    return StudyOutput(measurements=m, figures=make_figures(m), tables=make_tables(m, records))
