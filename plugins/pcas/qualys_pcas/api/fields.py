"""Reading loosely typed JSON values: Qualys sends numbers as numbers or digit strings, empty
strings for "none", and now and then an object where a scalar was expected. (The same idea as
the TotalCloud plugin's reader; plugins never import each other.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["read_int", "read_text"]


def read_text(value: Any) -> str | None:
    """A scalar as stripped text; None for null, blank, and objects or lists."""
    if value is None or isinstance(value, Mapping | list):
        return None
    return str(value).strip() or None


def read_int(value: Any) -> int | None:
    """An integer from a number or a digit string; None otherwise (booleans too)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdecimal():
        return int(value)
    return None
