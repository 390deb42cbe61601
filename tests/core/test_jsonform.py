"""The one rule for infinities and NaN in Skeptic's JSON (issue 27): marker strings out, floats back in, and every
genuine string unchanged after a round trip."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from skeptic.core.jsonform import json_restore, json_safe, may_need_restore


def _round_trip(value: Any) -> Any:
    text = json.dumps(json_safe(value), allow_nan=False)  # strict JSON: raises on a bare NaN
    assert may_need_restore(text) or json.loads(text) == json_restore(json.loads(text))
    return json_restore(json.loads(text))


def test_non_finite_floats_are_written_as_their_names_and_read_back_as_floats() -> None:
    doc = {"a": math.inf, "b": [-math.inf, 1.5, math.nan], "c": (np.float64("inf"), 2)}
    safe = json_safe(doc)
    assert safe == {"a": "Infinity", "b": ["-Infinity", 1.5, "NaN"], "c": ["Infinity", 2]}
    back = _round_trip(doc)
    assert back["a"] == math.inf and back["b"][0] == -math.inf and back["b"][1] == 1.5 and math.isnan(back["b"][2])
    assert back["c"] == [math.inf, 2]


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "\\NaN", "\\\\Infinity", "nan", "inf", "NaNa", ""])
def test_a_genuine_string_survives_even_when_it_reads_like_a_marker(text: str) -> None:
    assert _round_trip({"token": text, "list": [text]}) == {"token": text, "list": [text]}


def test_float_strings_of_python_are_not_markers() -> None:
    # goodhart once stored str(float("inf")) == "inf": such a string is a string, not a number
    assert json_safe("inf") == "inf" and json_restore("inf") == "inf"


def test_finite_documents_are_untouched() -> None:
    doc = {"x": [1, 2.5, "text", None, True, {"y": -0.0}]}
    assert json_safe(doc) == doc and json_restore(doc) == doc


def test_the_cheap_check_sees_every_marker_and_escape() -> None:
    for value in (math.inf, -math.inf, math.nan, "NaN", "\\Infinity"):
        assert may_need_restore(json.dumps(json_safe([value])))
    assert not may_need_restore(json.dumps(json_safe([1.0, "Information", "NaNny"])))
