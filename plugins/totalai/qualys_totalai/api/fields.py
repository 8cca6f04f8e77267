"""TotalAI's own readers on top of the core's (`qualys_core.http.values`): detection times as
ISO 8601 text or epoch milliseconds, and lists of `{"name": ...}` objects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from qualys_core.http.values import read_text

__all__ = ["read_moment", "read_names"]


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
