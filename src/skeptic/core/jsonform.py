"""One rule for infinities and NaN in Skeptic's JSON (the store, ``--json`` output, the report's downloads).

Strict JSON has no infinities and no NaN, yet measurements hold them (a ratio with a zero denominator, an interval
with no upper end, a diverged network's measure). Skeptic writes them as the strings ``"Infinity"``,
``"-Infinity"`` and ``"NaN"`` (JavaScript's and Python's own spellings, so ``float(s)`` reads each back) and turns
those strings back into floats when it loads a document: :func:`json_safe` on the way out, :func:`json_restore`
on the way in, and nothing else in Skeptic handles non-finite numbers for JSON.

A genuine string that happens to read ``"NaN"`` (a token's text, say) is written with one leading backslash
(``"\\NaN"``), and any string of backslashes followed by a marker gets one more, so every string round-trips
exactly. Records written before this rule hold NaN and infinities as JSON's non-standard tokens, which
:func:`json.loads` reads as floats; a genuine ``"NaN"`` string in such an old record loads as a float.

This module imports nothing from Skeptic: the store, the results and the report all use it.
"""

from __future__ import annotations

import math
from typing import Any

MARKERS: dict[str, float] = {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}
"""The strings non-finite floats are written as, and the floats they load back as."""


def _marker(x: float) -> str:
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def _escaped(s: str) -> bool:
    """Whether ``s`` is a marker behind zero or more backslashes (so it needs one more to stay a string)."""
    return s.lstrip("\\") in MARKERS


def json_safe(value: Any) -> Any:
    """``value`` as strict JSON can hold it: non-finite floats as their marker strings, tuples as lists, and
    strings that look like a marker escaped with a backslash, recursively (NumPy float64 is a float and is covered;
    other objects are left to the encoder)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else _marker(value)
    if isinstance(value, str):
        return "\\" + value if _escaped(value) else value
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def json_restore(value: Any) -> Any:
    """The inverse of :func:`json_safe` on a loaded document: marker strings back to floats, one backslash off
    an escaped string, recursively."""
    if isinstance(value, str):
        if value in MARKERS:
            return MARKERS[value]
        return value[1:] if value.startswith("\\") and _escaped(value) else value
    if isinstance(value, dict):
        return {k: json_restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_restore(v) for v in value]
    return value


def may_need_restore(text: str) -> bool:
    """Whether a JSON text could hold a marker or an escaped string (a cheap check before walking a large
    document with :func:`json_restore`)."""
    return 'Infinity"' in text or 'NaN"' in text


__all__ = ["MARKERS", "json_restore", "json_safe", "may_need_restore"]
