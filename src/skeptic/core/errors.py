"""Errors a user can cause. The CLI prints their message as one line and exits with status 2."""

from __future__ import annotations

from typing import Any


class UsageError(Exception):
    """Bad input from the user: an unknown study, an unknown key, a value out of range."""


def shown(value: Any, limit: int = 80) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for echoing user input in an error message.

    A 70,000-character argument or a 5,000-digit integer is named by its size, not printed whole
    (``repr`` of an integer past Python's 4,300-digit conversion limit would itself raise).
    """
    try:
        text = repr(value)
    except ValueError:  # an int too long for str()
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    if len(text) <= limit:
        return text
    return f"{text[: limit - 20]}…{text[-10:]} ({len(str(value))} characters)"
