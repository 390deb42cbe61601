"""Resolving a study's config: a named preset plus validated dotted overrides (``--set a.b=value``).

An unknown key names the valid keys; a value of the wrong type or out of range names the constraint.
Both raise :class:`UsageError`, which the CLI turns into one line and exit status 2.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from skeptic.core.errors import UsageError
from skeptic.core.secrets import redact
from skeptic.core.study import Study, StudyConfig


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
        raise UsageError(f"--set takes key=value, got {text!r}")
    return key, parse_value(raw.strip())


def parse_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def resolve_config(study: Study[Any], preset: str, overrides: Mapping[str, Any] | None = None) -> StudyConfig:
    """The preset named ``preset`` with ``overrides`` (dotted keys) applied and validated."""
    if preset not in study.presets:
        raise UsageError(f"unknown preset {preset!r} for {study.name}; presets: {', '.join(study.presets)}")
    base: StudyConfig = study.presets[preset]
    if not overrides:
        return base
    valid = config_keys(study.config_type)
    data = base.model_dump()
    for key, value in overrides.items():
        if key not in valid:
            raise UsageError(f"unknown config key {key!r} for {study.name}; valid keys: {', '.join(valid)}")
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
        parts.append(redact(f"{loc}: {err['msg']} (got {err.get('input')!r})"))
    return "; ".join(parts)


def config_hash(config: StudyConfig, seed: int) -> str:
    """A stable hash of the fully resolved config and seed (keys sorted)."""
    payload = json.dumps({"config": config.model_dump(mode="json"), "seed": seed}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
