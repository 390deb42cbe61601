"""Declared faults whose catching probe reads a known-answer check: injected, the check must fail the probe (and pass
it clean), without training a model."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from skeptic.studies.glitch_tokens import experiment
from skeptic.studies.glitch_tokens.claims import PROBES
from skeptic.studies.glitch_tokens.faults import FAULTS


class _Ctx:
    device = "cpu"

    def rng(self, *key: str | int) -> np.random.Generator:
        return np.random.default_rng(zlib.crc32(repr(("glitch-test", *key)).encode()))  # not hash(): salted per process

    def seed_for(self, *key: str | int) -> int:
        return zlib.crc32(repr(("glitch-test", *key)).encode()) % 2**31


def _probe(pid: str) -> object:
    return next(p for p in PROBES if p.id == pid)


@pytest.mark.parametrize(
    ("fault_id", "probe_id"),
    [("auroc-se-over-occurrences", "auroc-se-crosscheck"), ("verification-threshold-10pct", "indicators-known-answer")],
)
def test_known_answer_probes_catch_their_faults(fault_id: str, probe_id: str) -> None:
    probe = _probe(probe_id)
    clean = experiment.known_answer_checks(_Ctx(), 16)
    assert probe.check({"known_answer": clean}).passed  # type: ignore[attr-defined]
    fault = next(f for f in FAULTS if f.id == fault_id)
    with fault.inject():
        broken = experiment.known_answer_checks(_Ctx(), 16)
    assert not probe.check({"known_answer": broken}).passed  # type: ignore[attr-defined]


def test_the_catalog_has_enough_faults_of_enough_kinds() -> None:
    assert len(FAULTS) >= 8 and len({f.kind for f in FAULTS}) >= 3


def test_copy_half_dropped_keeps_the_sequence_layout() -> None:
    """The fault must model the bug on the study's own layout (an old [c, EOS, c, EOS] version crashed the run)."""
    from skeptic.studies.glitch_tokens import corpus

    stream = np.arange(24, dtype=np.int64)
    clean = corpus.make_sequences(stream, 4, 99)
    fault = next(f for f in FAULTS if f.id == "copy-half-dropped")
    with fault.inject():
        broken = corpus.make_sequences(stream, 4, 99)
    assert broken.shape == clean.shape
    assert (broken[:, :5] == clean[:, :5]).all() and (broken[:, -1] == 99).all()
    assert not any(np.isin(row[5:-1], row[:4]).any() for row in broken)  # no row's second part copies its chunk
    assert (broken[0, 5:-1] == np.arange(4, 12)).all()  # it continues the text
