"""Reading loosely typed JSON values: Qualys sends numbers as numbers or digit strings, flags
as booleans or text, and times as ISO 8601 text or epoch milliseconds."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["read_bool", "read_float", "read_int", "read_moment", "read_names", "read_text"]


def read_text(value: Any) -> str | None:
    """A scalar as stripped text; None for null, blank, objects and lists."""
    if value is None or isinstance(value, Mapping | list):
        return None
    return str(value).strip() or None


def read_int(value: Any) -> int | None:
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
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int):
        return value != 0
    return None


def read_moment(value: Any) -> datetime | None:
    """ISO 8601 text (naive means UTC) or epoch milliseconds, as an aware UTC datetime."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = read_text(value)
    if text is None:
        return None
    if text.isdecimal():
        return read_moment(int(text))
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def read_names(value: Any) -> tuple[str, ...]:
    """`[{"name": ...}, ...]` (or plain strings) as the names, in order, without blanks."""
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        return ()
    names: list[str] = []
    for item in value:
        name = read_text(item.get("name")) if isinstance(item, Mapping) else read_text(item)
        if name is not None:
            names.append(name)
    return tuple(names)
