"""Reading the loosely typed scalars of Qualys' JSON APIs: numbers that come as numbers or
digit strings, "" for none, `"true"`/`1` for booleans, and now and then an object where a
scalar was expected. Every product's records read their fields through these, so one answer
is read one way whichever plugin reads it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["read_bool", "read_float", "read_int", "read_text"]


def read_text(value: Any) -> str | None:
    """A scalar as stripped text; None for null, blank, and objects or lists (never a dict's
    repr)."""
    if value is None or isinstance(value, Mapping | list):
        return None
    return str(value).strip() or None


def read_int(value: Any) -> int | None:
    """An integer from a number or a (signed) digit string; None otherwise (booleans too)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdecimal():
        return int(value)
    return None


def read_float(value: Any) -> float | None:
    """A number, or its text (a trailing % is allowed); None otherwise (booleans too)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().rstrip("%"))
        except ValueError:
            return None
    return None


def read_bool(value: Any) -> bool | None:
    """true/false as a boolean, its text, or 1/0; None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int):
        return value != 0
    return None
