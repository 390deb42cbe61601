"""Figures and tables of the simple-rl study."""

from __future__ import annotations

from typing import Any

from skeptic.core.study import Figure, Table


def make_figures(m: dict[str, Any]) -> list[Figure]:
    return []


def make_tables(m: dict[str, Any]) -> list[Table]:
    return []
