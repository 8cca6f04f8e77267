"""Parameter parsing shared by the simulated VMDR FO endpoints (host list, detections, KB).

Values are read the way the Qualys API (VM, PC) guide states them: ID lists as comma lists
with ``a-b`` ranges, dates as ``YYYY-MM-DD[THH:MM:SSZ]`` in UTC, flags as 0 or 1. A value the
endpoint cannot use raises `ParameterError`, which the simulator answers with the FO error
naming the parameter (SIMPLE_RETURN, code 1905). Everything is parsed before a response
starts, so a bad value never surfaces in the middle of a streamed document.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.responses import Response

from qualys_core.simulator import ParameterError, SimRequest, element, simple_return

__all__ = [
    "DEFAULT_TRUNCATION",
    "Bounds",
    "IdSet",
    "bounds",
    "choice",
    "date_param",
    "flag",
    "id_set",
    "in_ranges",
    "list_action",
    "merge_ranges",
    "truncation_limit",
    "truncation_warning",
    "within",
]

# The guide's default page size of the host list and host detection APIs, in hosts.
DEFAULT_TRUNCATION = 1000
_MAX_TRUNCATION = 1_000_000
_TOP = 2**63  # above any ID or IPv4 address, for bisecting (value, _TOP) into ranges
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z?)?")


def list_action(request: SimRequest) -> Response | None:
    """None when ``action=list``; the FO error Qualys sends otherwise."""
    action = request.param("action")
    if action is None:
        # Appendix D code 1903, as the simulator answers a missing X-Requested-With header.
        return simple_return("Missing required parameter(s): action", status=400, code=1903)
    if action != "list":
        raise ParameterError("action", action)
    return None


@dataclass(frozen=True)
class IdSet:
    """Sorted, merged, inclusive ID ranges (``1-5,9`` → ``((1, 5), (9, 9))``)."""

    ranges: tuple[tuple[int, int], ...]

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and in_ranges(self.ranges, value)

    def values(self) -> Iterator[int]:
        for low, high in self.ranges:
            yield from range(low, high + 1)


def merge_ranges(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return tuple(merged)


def id_set(
    request: SimRequest, name: str, *, low: int = 0, high: int | None = None
) -> IdSet | None:
    """A comma list of integers and ``a-b`` ranges; None when the parameter is absent.

    `low` and `high` bound the allowed values (severities are 1-5)."""
    raw = request.param(name)
    if raw is None:
        return None
    ranges: list[tuple[int, int]] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        first, dash, last = item.partition("-")
        try:
            start = int(first)
            end = int(last) if dash else start
        except ValueError:
            raise ParameterError(name, raw) from None
        if start > end or start < low or (high is not None and end > high):
            raise ParameterError(name, raw)
        ranges.append((start, end))
    if not ranges:
        raise ParameterError(name, raw)
    return IdSet(merge_ranges(ranges))


def flag(request: SimRequest, name: str, default: bool = False) -> bool:
    raw = request.param(name)
    if raw is None:
        return default
    if raw not in ("0", "1"):
        raise ParameterError(name, raw)
    return raw == "1"


def choice(request: SimRequest, name: str, allowed: Collection[str], default: str) -> str:
    """One of `allowed`, matched case-insensitively and returned as spelled in `allowed`."""
    raw = request.param(name)
    if raw is None:
        return default
    for value in allowed:
        if value.lower() == raw.strip().lower():
            return value
    raise ParameterError(name, raw)


def date_param(request: SimRequest, name: str) -> datetime | None:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SSZ`` (UTC), as the guide specifies dates."""
    raw = request.param(name)
    if raw is None:
        return None
    value = raw.strip()
    if not _DATE.fullmatch(value):
        raise ParameterError(name, raw)
    try:
        moment = datetime.fromisoformat(value.removesuffix("Z"))
    except ValueError:
        raise ParameterError(name, raw) from None
    return moment.replace(tzinfo=UTC)


def truncation_limit(request: SimRequest) -> int:
    """Hosts per page: 1000 unless given, 0 for no limit (the guide allows up to 1,000,000)."""
    limit = request.int_param("truncation_limit", DEFAULT_TRUNCATION)
    assert limit is not None
    if not 0 <= limit <= _MAX_TRUNCATION:
        raise ParameterError("truncation_limit", str(limit))
    return limit


def truncation_warning(request: SimRequest, limit: int, next_id: int) -> str:
    """The 1980 WARNING: its URL repeats every request parameter with ``id_min`` = `next_id`.

    ``id_min`` goes last: qualysetl takes it with a regex anchored at the end of the URL, and
    qualys-mcp's max-ID-plus-one gives the same number (catalogue §6c)."""
    params = {key: value for key, value in request.params.items() if key != "id_min"}
    params["id_min"] = str(next_id)
    url = f"{request.base_url}{request.request.url.path}?{urlencode(params)}"
    return (
        "<WARNING><CODE>1980</CODE>"
        + element("TEXT", f"{limit} record limit exceeded. Use URL to get next batch of results.")
        + element("URL", url)
        + "</WARNING>"
    )


Bounds = tuple[int | None, int | None]


def bounds(request: SimRequest, low_name: str, high_name: str, low: int, high: int) -> Bounds:
    """A ``*_min`` / ``*_max`` pair, each within [`low`, `high`], the first not above the second."""
    found = (request.int_param(low_name), request.int_param(high_name))
    for name, value in zip((low_name, high_name), found, strict=True):
        if value is not None and not low <= value <= high:
            raise ParameterError(name, str(value))
    if found[0] is not None and found[1] is not None and found[0] > found[1]:
        raise ParameterError(low_name, str(found[0]), f"must not exceed {high_name}, got")
    return found


def within(value: int, limits: Bounds) -> bool:
    low, high = limits
    return (low is None or value >= low) and (high is None or value <= high)


def in_ranges(ranges: tuple[tuple[int, int], ...], value: int) -> bool:
    """Whether `value` lies in one of the sorted, disjoint inclusive `ranges`."""
    index = bisect_right(ranges, (value, _TOP)) - 1
    return index >= 0 and ranges[index][0] <= value <= ranges[index][1]
