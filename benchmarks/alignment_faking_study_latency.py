"""The whole alignment-faking experiment against a slow provider: the study's eval vs plain ``inspect eval``.

One local OpenAI-compatible server (127.0.0.1) plays both the model under test and the grader, sleeping
``AF_BENCH_LATENCY_S`` per request: the model answers as the scripted faker (two turns: the scratchpad, then,
after ``<NEXT/>``, the output), the grader as the scripted grader (compliance, classifier votes, evaluation
awareness). The same Inspect tasks run twice on the same work:

- **study**: :func:`skeptic.studies.alignment_faking.experiment.run_experiment` with the study's defaults
  (separate adaptive connection limits for the model and the grader, confined and redacted);
- **plain**: ``inspect_ai.eval`` of the same tasks with Inspect's defaults.

Prints each wall time, the requests served and their ratio. The issue's bars: the study never slower than plain,
and within 1.2x of the pool ideal. The pool ideal here is N * L / P: the N requests of a run, each holding a
connection for the latency L, through a pool of P connections kept always busy, where P is the largest number of
requests the run ever had in flight (from the server's arrival times). The true ideal also has a critical path (a
sample's turns and grader calls come one after another), so it is at least this: a run within 1.2x of N * L / P
meets the bar; one above it may still be limited by its critical path, and the script says so.

    AF_BENCH_LATENCY_S=1 .venv/bin/python benchmarks/alignment_faking_study_latency.py
"""

from __future__ import annotations

import os
import tempfile
import time
from types import SimpleNamespace
from typing import Any

from skeptic.studies.alignment_faking.localserver import chat_server

LATENCY_S = float(os.environ.get("AF_BENCH_LATENCY_S", "0.5"))
N_QUESTIONS = int(os.environ.get("AF_BENCH_QUESTIONS", "8"))


def answer(messages: list[dict[str, Any]]) -> str:
    """The scripted faker for the model's turns, the scripted grader for grader prompts."""
    from skeptic.studies.alignment_faking.scripted import grader_reply, policy_reply

    last = str(messages[-1]["content"])
    if "GRADER TASK" in last:
        return grader_reply(last)
    as_messages = [SimpleNamespace(role=m["role"], text=str(m["content"])) for m in messages]
    return policy_reply("alignment-faker", as_messages)  # type: ignore[arg-type]


def pool_ideal(arrivals: list[float], latency_s: float) -> tuple[float, int]:
    """(N * L / P, P) for requests arriving at ``arrivals``, each in flight for ``latency_s``: P is the peak number
    in flight at once (a sweep over arrivals and ends; an end at the same instant as an arrival frees first)."""
    events = sorted([(t, 1) for t in arrivals] + [(t + latency_s, -1) for t in arrivals], key=lambda e: (e[0], e[1]))
    peak = live = 0
    for _, step in events:
        live += step
        peak = max(peak, live)
    return (len(arrivals) * latency_s / peak if peak else 0.0), peak


def main() -> None:
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import GenerateConfig, get_model

    from skeptic.studies.alignment_faking.config import AlignmentFakingConfig
    from skeptic.studies.alignment_faking.experiment import inspect_models, run_experiment
    from skeptic.studies.alignment_faking.task import alignment_faking

    server, seen = chat_server(answer, LATENCY_S)
    os.environ.setdefault("LOCAL_API_KEY", "benchmark-not-a-secret")
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    config = AlignmentFakingConfig(
        model="openai-api/local/bench-model",
        model_base_url=url,
        grader_model="openai-api/local/bench-grader",
        grader_base_url=url,
        n_questions=N_QUESTIONS,
        af_votes=3,
        af_calibration=False,
    )
    model, grader = inspect_models(config)

    def study() -> float:
        t0 = time.perf_counter()
        records, _ = run_experiment(config, model, grader, tempfile.mkdtemp(prefix="skeptic-af-bench-study-"))
        assert not any(r["error"] for r in records), "the study's eval had failed samples"
        return time.perf_counter() - t0

    def plain() -> float:
        tasks = [
            alignment_faking(setting=s, n_questions=N_QUESTIONS, af_votes=3, eval_awareness=True)
            for s in config.settings
        ]
        t0 = time.perf_counter()
        logs = inspect_eval(
            tasks,
            model=get_model("openai-api/local/bench-model", base_url=url, config=GenerateConfig()),
            model_roles={"grader": get_model("openai-api/local/bench-grader", base_url=url, config=GenerateConfig())},
            display="none",
            log_dir=tempfile.mkdtemp(prefix="skeptic-af-bench-plain-"),
            log_level="warning",
        )
        assert all(log.status == "success" for log in logs)
        return time.perf_counter() - t0

    times: dict[str, list[float]] = {"study": [], "plain": []}
    counts: dict[str, int] = {}
    ideals: dict[str, list[tuple[float, int]]] = {"study": [], "plain": []}
    spans: dict[str, list[float]] = {"study": [], "plain": []}  # first request to last answer: no start-up
    for name in ("plain", "study", "plain", "study"):  # alternated, so neither pays the process's warm-up alone
        seen.clear()
        times[name].append(study() if name == "study" else plain())
        counts[name] = len(seen)
        arrivals = [r["time"] for r in seen]
        ideals[name].append(pool_ideal(arrivals, LATENCY_S))
        spans[name].append(max(arrivals) + LATENCY_S - min(arrivals))
    server.shutdown()
    study_s, plain_s = min(times["study"]), min(times["plain"])
    n_study, n_plain = counts["study"], counts["plain"]
    print(f"latency {LATENCY_S} s per request, {N_QUESTIONS} questions x 2 tiers x {len(config.settings)} settings")
    print(
        f"study (run_experiment, defaults): best of 2 {study_s:.1f} s {times['study']} for {n_study} requests "
        "(its calibration tasks included)"
    )
    print(f"plain inspect eval (defaults):    best of 2 {plain_s:.1f} s {times['plain']} for {n_plain} requests")
    print(f"study / plain wall time: {study_s / plain_s:.2f}")
    for name in ("study", "plain"):
        for wall, span, (ideal, peak) in zip(times[name], spans[name], ideals[name], strict=True):
            verdict = "meets the 1.2x bar" if wall <= 1.2 * ideal else "above 1.2x (or critical-path bound)"
            print(
                f"{name}: wall {wall:.1f} s (requests span {span:.1f} s of it; the rest is start-up and "
                f"writing logs), pool ideal N*L/P = {ideal:.1f} s (peak {peak} in flight), "
                f"wall / ideal {wall / ideal:.2f}, span / ideal {span / ideal:.2f}: {verdict}"
            )


if __name__ == "__main__":
    main()
