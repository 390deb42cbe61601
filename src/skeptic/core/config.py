"""Resolving a study's config: a named preset plus validated dotted overrides (``--set a.b=value``).

An unknown key names the valid keys; a value of the wrong type or out of range names the constraint.
Both raise :class:`UsageError`, which the CLI turns into one line and exit status 2.

Values are bounded at the edge, before anything can choke on them: at most ``MAX_VALUE_CHARS``
characters, nested at most ``MAX_DEPTH`` deep (a 100,000-deep JSON array would exhaust Python's
recursion), numbers within Python's integer-conversion limit; seeds within ``0 <= seed <= SEED_MAX``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from skeptic.core.errors import UsageError, shown
from skeptic.core.secrets import redact
from skeptic.core.study import Study, StudyConfig

SEED_MAX = 2**32 - 1
"""The largest seed: NumPy's legacy global generator takes seeds below 2**32 (larger ones would be reduced
modulo 2**32, so two seeds the store tells apart would draw the same numbers); PyTorch and SQLite's int64
take every seed up to it."""

MAX_VALUE_CHARS = 10_000
"""The longest ``--set`` value, in characters."""

MAX_DEPTH = 32
"""The deepest nesting of lists and objects in a ``--set`` value."""

MAX_KEY_CHARS = 200
"""The longest ``--set`` key."""


def check_seed(seed: object) -> int:
    """``seed`` if it is an integer with ``0 <= seed <= SEED_MAX``; a :class:`UsageError` naming the range otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise UsageError(f"the seed must be an integer from 0 to {SEED_MAX} (2**32 - 1), got {shown(seed)}")
    return seed


def config_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every dotted key of a config model, nested models expanded (``model.width``)."""
    keys: list[str] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.extend(config_keys(annotation, f"{prefix}{name}."))
        else:
            keys.append(f"{prefix}{name}")
    return keys


def parse_assignment(text: str) -> tuple[str, Any]:
    """``"a.b=3"`` -> ``("a.b", 3)``. Values parse as JSON when they can (numbers, true, [1,2]), else as strings."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UsageError(f"--set takes key=value, got {shown(text)}")
    if len(key) > MAX_KEY_CHARS:
        raise UsageError(f"--set keys are at most {MAX_KEY_CHARS} characters, got {shown(key)}")
    try:
        return key, parse_value(raw.strip())
    except UsageError as exc:
        raise UsageError(f"--set {shown(key)}: {exc}") from None


def parse_value(raw: str) -> Any:
    """A value as JSON when it parses (within the bounds above), else the text itself."""
    if len(raw) > MAX_VALUE_CHARS:
        raise UsageError(f"a value is at most {MAX_VALUE_CHARS} characters, got {len(raw)}")
    depth = nesting_depth(raw)
    if depth > MAX_DEPTH:
        raise UsageError(f"a value is nested at most {MAX_DEPTH} deep, got {depth} levels")
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw
    except ValueError:  # an integer past Python's int-conversion limit
        limit = sys.get_int_max_str_digits()
        raise UsageError(
            f"a number in a value has at most {limit} digits (Python's integer-conversion limit)"
        ) from None


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` in ``text`` read as JSON (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def resolve_config(study: Study[Any], preset: str, overrides: Mapping[str, Any] | None = None) -> StudyConfig:
    """The preset named ``preset`` with ``overrides`` (dotted keys) applied and validated."""
    if preset not in study.presets:
        raise UsageError(f"unknown preset {shown(preset)} for {study.name}; presets: {', '.join(study.presets)}")
    base: StudyConfig = study.presets[preset]
    if not overrides:
        return base
    valid = config_keys(study.config_type)
    data = base.model_dump()
    for key, value in overrides.items():
        if key not in valid:
            raise UsageError(f"unknown config key {shown(key)} for {study.name}; valid keys: {', '.join(valid)}")
        node = data
        *parents, leaf = key.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    try:
        resolved: StudyConfig = study.config_type.model_validate(data)
        return resolved
    except ValidationError as exc:
        raise UsageError(f"invalid config for {study.name}: {describe_validation_error(exc)}") from None


def describe_validation_error(exc: ValidationError) -> str:
    """Pydantic's errors as one line: ``model.width: Input should be greater than or equal to 1 (got 0)``."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(redact(f"{loc}: {err['msg']} (got {shown(err.get('input'))})"))
    return "; ".join(parts)


def config_hash(config: StudyConfig, seed: int) -> str:
    """A stable hash of the fully resolved config and seed (keys sorted)."""
    payload = json.dumps({"config": config.model_dump(mode="json"), "seed": seed}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
