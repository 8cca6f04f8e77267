"""Reading loosely typed JSON scalars: Qualys sends numbers as numbers or digit strings,
booleans as booleans or their text, and empty strings for "none"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["read_bool", "read_int", "read_text"]


def read_text(value: Any) -> str | None:
    """A scalar as stripped text; None for null, blank, objects and lists."""
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


def read_bool(value: Any) -> bool | None:
    """true/false as a boolean or its text; None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None
