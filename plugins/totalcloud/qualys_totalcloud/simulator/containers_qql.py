"""What every simulated Container Security list shares: CS QQL filters, sorting, paging and
the timestamp forms.

`/csapi/v1.3` lists page with `pageNumber` from 1 and `pageSize` 1 to 1000, answering
`data` and `count` (vendor "Fetch a List of Images/Containers in Your Account"). A `filter`
is Qualys query language: `token:value` terms joined by `and`, a value optionally quoted
('...', "..." or `...`) or a bracketed list `[a, b]`. Each endpoint names the tokens it
serves; any other token is a 400, as Qualys refuses an unknown search token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from qualys_core.simulator import ParameterError, SimRequest

__all__ = [
    "Term",
    "in_use_since",
    "iso_ms",
    "millis",
    "page",
    "parse_filter",
    "sort_items",
]

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_RANGE = re.compile(r"^\[\s*now-(\d+)([dhm])\s*\.\.\.\s*now\s*\]$", re.IGNORECASE)
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


@dataclass(frozen=True, slots=True)
class Term:
    key: str
    values: tuple[str, ...]

    @property
    def value(self) -> str:
        return self.values[0]


def millis(moment: datetime | None) -> str | None:
    """Container Security's timestamp form: epoch milliseconds as a string."""
    return None if moment is None else str(int(moment.timestamp() * 1000))


def iso_ms(moment: datetime) -> str:
    """The ISO form CS uses inside `host` (e.g. "2026-02-10T00:00:24.276Z")."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"`":
        return value[1:-1].strip()
    return value


def parse_filter(text: str | None, tokens: Sequence[str]) -> list[Term]:
    """The terms of a CS QQL filter; a token this endpoint does not serve is a 400."""
    if text is None or not text.strip():
        return []
    terms = []
    for part in _AND.split(text.strip()):
        token, sep, raw = part.partition(":")
        token = token.strip()
        if not sep or not token or not raw.strip():
            raise ParameterError("filter", text, "is not a token:value query")
        if token not in tokens:
            supported = ", ".join(tokens) if tokens else "none on this endpoint"
            raise ParameterError(
                "filter", text, f"uses the unsupported token {token!r} (supported: {supported});"
            )
        value = _unquote(raw)
        if value.startswith("[") and value.endswith("]") and "..." not in value:
            items = tuple(_unquote(v) for v in value[1:-1].split(",") if v.strip())
        else:
            items = (value,)
        terms.append(Term(token, items))
    return terms


def in_use_since(term: Term, now: datetime) -> datetime:
    """The start of an `imagesInUse:'[now-7d ... now]'` range (the vendor's sample query)."""
    found = _RANGE.match(term.value)
    if found is None:
        raise ParameterError("filter", term.value, "needs a range like [now-7d ... now] for")
    amount, unit = int(found.group(1)), _UNITS[found.group(2).lower()]
    return now - timedelta(**{unit: amount})


def sort_items(
    request: SimRequest, items: list[T], keys: Mapping[str, Callable[[T], Any]]
) -> list[T]:
    """`sort=token:asc|desc` (asc when the direction is left out); other tokens are a 400."""
    value = request.param("sort")
    if value is None:
        return items
    token, _, direction = value.partition(":")
    direction = (direction or "asc").strip().lower()
    key = keys.get(token.strip())
    if key is None or direction not in ("asc", "desc"):
        supported = ", ".join(f"{k}:asc|desc" for k in keys) or "none"
        raise ParameterError("sort", value, f"is not supported here (supported: {supported});")
    return sorted(items, key=key, reverse=direction == "desc")


def page(request: SimRequest, items: Sequence[T]) -> list[T]:
    """The requested page of `items`; pages start at 1 (vendor docs)."""
    number = request.int_param("pageNumber", 1)
    size = request.int_param("pageSize", DEFAULT_PAGE_SIZE)
    assert number is not None
    assert size is not None
    if number < 1:
        raise ParameterError("pageNumber", str(number), "must be 1 or more (pages start at 1):")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ParameterError("pageSize", str(size), f"must be 1 to {MAX_PAGE_SIZE}:")
    start = (number - 1) * size
    found = list(items[start : start + size])
    request.count(len(found))
    return found
