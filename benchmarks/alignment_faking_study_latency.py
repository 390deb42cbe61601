"""The whole alignment-faking experiment against a slow provider: the study's eval vs plain ``inspect eval``.

One local OpenAI-compatible server (127.0.0.1) plays both the model under test and the grader, sleeping
``AF_BENCH_LATENCY_S`` per request: the model answers as the scripted faker (two turns: the scratchpad, then,
after ``<NEXT/>``, the output), the grader as the scripted grader (compliance, classifier votes, evaluation
awareness). The same Inspect tasks run twice on the same work:

- **study**: :func:`skeptic.studies.alignment_faking.experiment.run_experiment` with the study's defaults
  (separate adaptive connection limits for the model and the grader, confined and redacted);
- **plain**: ``inspect_ai.eval`` of the same tasks with Inspect's defaults.

Both run the same tasks (the two settings and the study's grader and evaluation-awareness calibration tasks), so
they send the same requests. Runs alternate (plain, study, study, plain, ...) ``AF_BENCH_REPEATS`` times each, and
the script prints min / median / max of each ratio over the repeats. The issue's bars: the study never slower than
plain, and within 1.2x of the pool ideal. The pool ideal is max(N * L / P, R * L): the N requests of a run, each
holding a connection for the latency L, through a pool of P connections kept always busy (P: the most requests the
run ever had in flight, from the server's arrival times), but never shorter than a sample's critical path of R
dependent request rounds (two model turns, then the grader calls, which depend only on the reply). The ideal
counts requests only; Inspect's start-up before the first request (the same code for both) is printed apart.

A second ideal is the issue's: ceil(requests / limit) x latency, per connection pool, with the limit each pool starts
at (Inspect's adaptive concurrency starts at :data:`ADAPTIVE_START` connections, and the model under test and the
grader each have a pool of their own): max(ceil(N_model / 20), ceil(N_grader / 20), R) x L. The pools run side by
side, so the larger of the two bounds the run; adaptive concurrency may grow a pool past 20 (up to 100), so a run
can beat this ideal (a ratio below 1).

    AF_BENCH_LATENCY_S=1 .venv/bin/python benchmarks/alignment_faking_study_latency.py
"""

from __future__ import annotations

import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from skeptic.studies.alignment_faking.localserver import chat_server

LATENCY_S = float(os.environ.get("AF_BENCH_LATENCY_S", "0.5"))
N_QUESTIONS = int(os.environ.get("AF_BENCH_QUESTIONS", "8"))
REPEATS = int(os.environ.get("AF_BENCH_REPEATS", "3"))
ROUNDS = 3
ADAPTIVE_START = 20
"""Inspect's adaptive concurrency (``AdaptiveConcurrency()``: min 10, start 20, max 100) starts each pool here."""
"""The critical path of a sample in request rounds: the scripted faker answers in two model turns (scratchpad,
then output); every grader call of the reply depends only on the reply, so one round of them follows."""


def answer(messages: list[dict[str, Any]]) -> str:
    """The scripted faker for the model's turns, the scripted grader for grader prompts."""
    from skeptic.studies.alignment_faking.scripted import grader_reply, policy_reply

    last = str(messages[-1]["content"])
    if "GRADER TASK" in last:
        return grader_reply(last)
    as_messages = [SimpleNamespace(role=m["role"], text=str(m["content"])) for m in messages]
    return policy_reply("alignment-faker", as_messages)  # type: ignore[arg-type]


def pool_ideal(arrivals: list[float], latency_s: float, rounds: int) -> tuple[float, int]:
    """(max(N * L / P, R * L), P) for requests arriving at ``arrivals``, each in flight for ``latency_s``: P is the
    peak number in flight at once (a sweep over arrivals and ends; an end at the same instant as an arrival frees
    first), R the critical path in request rounds (no schedule beats a sample's chain of dependent requests)."""
    events = sorted([(t, 1) for t in arrivals] + [(t + latency_s, -1) for t in arrivals], key=lambda e: (e[0], e[1]))
    peak = live = 0
    for _, step in events:
        live += step
        peak = max(peak, live)
    return (max(len(arrivals) * latency_s / peak, rounds * latency_s) if peak else 0.0), peak


def limit_ideal(models: list[str], latency_s: float, rounds: int, limit: int = ADAPTIVE_START) -> tuple[float, str]:
    """(max over pools of ceil(N_pool / limit), or R) x L, and the pools' request counts as text: ``models`` is the
    model name of each request the server saw (the model under test and the grader have separate pools)."""
    pools = {name: models.count(name) for name in sorted(set(models))}
    batches = max([math.ceil(n / limit) for n in pools.values()] + [rounds])
    return batches * latency_s, ", ".join(f"{name} {n}" for name, n in pools.items())


def main() -> None:
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import GenerateConfig, get_model

    from skeptic.studies.alignment_faking.config import AlignmentFakingConfig
    from skeptic.studies.alignment_faking.experiment import inspect_models, run_experiment
    from skeptic.studies.alignment_faking.task import (
        alignment_faking,
        eval_awareness_calibration,
        grader_calibration,
    )

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

    def plain(max_tasks: int | None) -> float:
        t0 = time.perf_counter()  # building the tasks counted, as run_experiment's own building is for the study
        tasks = [
            alignment_faking(setting=s, n_questions=N_QUESTIONS, af_votes=3, eval_awareness=True)
            for s in config.settings
        ]
        tasks += [  # the study's calibration tasks, so both send the same requests
            grader_calibration(config.compliance_grader, 3, config.af_threshold, config.grader_temperature),
            eval_awareness_calibration(config.grader_temperature),
        ]
        logs = inspect_eval(
            tasks,
            model=get_model("openai-api/local/bench-model", base_url=url, config=GenerateConfig()),
            model_roles={"grader": get_model("openai-api/local/bench-grader", base_url=url, config=GenerateConfig())},
            display="none",
            log_dir=tempfile.mkdtemp(prefix="skeptic-af-bench-plain-"),
            log_level="warning",
            max_tasks=max_tasks,
        )
        assert all(log.status == "success" for log in logs)
        return time.perf_counter() - t0

    arms: dict[str, Callable[[], float]] = {
        "study": study,
        "plain": lambda: plain(None),  # Inspect's defaults: one task at a time
        "plain --max-tasks 4": lambda: plain(4),  # plain at its best here: every task at once, as the study
    }
    times: dict[str, list[float]] = {a: [] for a in arms}
    counts: dict[str, int] = {}
    ideals: dict[str, list[tuple[float, int]]] = {a: [] for a in arms}
    limit_ideals: dict[str, list[float]] = {a: [] for a in arms}
    pools: dict[str, str] = {}
    spans: dict[str, list[float]] = {a: [] for a in arms}  # first request to last answer: no start-up
    starts: dict[str, list[float]] = {a: [] for a in arms}  # call to first request: Inspect's start-up
    names = list(arms)
    for k in range(REPEATS):  # interleaved, the order rotated so no arm always runs first or last
        for name in names[k % len(names) :] + names[: k % len(names)]:
            seen.clear()
            t0 = time.perf_counter()
            times[name].append(arms[name]())
            counts[name] = len(seen)
            arrivals = [r["time"] for r in seen]
            ideals[name].append(pool_ideal(arrivals, LATENCY_S, ROUNDS))
            ideal, pools[name] = limit_ideal([str(r["body"]["model"]) for r in seen], LATENCY_S, ROUNDS)
            limit_ideals[name].append(ideal)
            spans[name].append(max(arrivals) + LATENCY_S - min(arrivals))
            starts[name].append(min(arrivals) - t0)
    server.shutdown()
    print(f"latency {LATENCY_S} s per request, {N_QUESTIONS} questions x 2 tiers x {len(config.settings)} settings, "
          f"{REPEATS} interleaved repeats of each arm; critical path {ROUNDS} request rounds per sample "
          "(2 model turns, then one round of grader calls)")  # fmt: skip
    print("requests per run: " + ", ".join(f"{a} {n}" for a, n in counts.items()))

    def spread(xs: list[float]) -> str:
        return f"min {min(xs):.2f} / median {statistics.median(xs):.2f} / max {max(xs):.2f}"

    for other in names[1:]:
        ratio = [s / p for s, p in zip(times["study"], times[other], strict=True)]
        print(f"study / {other} wall time (repeat by repeat): {spread(ratio)}  (bar: never above 1)")
    for name in names:
        wall_r = [w / i for w, (i, _) in zip(times[name], ideals[name], strict=True)]
        span_r = [s / i for s, (i, _) in zip(spans[name], ideals[name], strict=True)]
        print(f"{name}: wall s {spread(times[name])}; start-up before the first request s {spread(starts[name])}; "
              f"request span s {spread(spans[name])}; pool ideal s {spread([i for i, _ in ideals[name]])}, peak "
              f"in flight {[p for _, p in ideals[name]]}")  # fmt: skip
        print(f"{name}: request span / pool ideal {spread(span_r)} (bar 1.2); wall / pool ideal {spread(wall_r)}")
        lim_span = [s / i for s, i in zip(spans[name], limit_ideals[name], strict=True)]
        lim_wall = [w / i for w, i in zip(times[name], limit_ideals[name], strict=True)]
        print(f"{name}: requests per pool {pools[name]}; limit ideal (ceil(N / {ADAPTIVE_START}) per pool, at least "
              f"{ROUNDS} rounds) x L = {spread(limit_ideals[name])} s; request span / limit ideal {spread(lim_span)}; "
              f"wall / limit ideal {spread(lim_wall)}")  # fmt: skip


if __name__ == "__main__":
    main()
