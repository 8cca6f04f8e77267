"""Readers shared by the VMDR FO XML clients: element text, id-range strings, tag filters, prose.

The FO APIs take id lists as comma-separated values and ``a-b`` ranges ("1-500,900"), answer
with CDATA text that may hold HTML (KB prose), and filter by tag name with the same three
parameters on the host list and the host detection list.
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar
from xml.etree.ElementTree import Element

__all__ = [
    "IdRanges",
    "child_bool",
    "child_float",
    "child_int",
    "child_text",
    "clean_text",
    "closing",
    "format_id_ranges",
    "gather_or_cancel",
    "intersect_id_ranges",
    "parse_id_ranges",
    "split_evenly",
    "tag_filter",
    "tag_names",
]

T = TypeVar("T")

IdRanges = list[tuple[int, int]]
"""Inclusive (low, high) id ranges, ascending and disjoint."""

TEXT_LIMIT = 600

_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")
# Block-level tags separate words; inline ones (b, i, a, span) sit inside words and sentences.
_BLOCK_TAG = re.compile(
    r"</?(?:p|br|div|li|ul|ol|tr|td|th|table|h[1-6]|pre|blockquote|dd|dt|dl|hr)\b[^>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def child_text(parent: Element, path: str) -> str | None:
    """The stripped text of the element at `path`, or None when it is missing or blank."""
    value = parent.findtext(path)
    if value is None:
        return None
    value = value.strip()
    return value or None


def child_int(parent: Element, path: str) -> int | None:
    value = child_text(parent, path)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def child_float(parent: Element, path: str) -> float | None:
    value = child_text(parent, path)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def child_bool(parent: Element, path: str) -> bool:
    """FO flags are "1"/"0" (PATCHABLE, IS_IGNORED); anything but "1" or "true" is false."""
    return (child_text(parent, path) or "").lower() in ("1", "true", "yes")


def tag_names(parent: Element) -> list[str]:
    """Names of `TAGS/TAG` (show_tags=1), in document order."""
    return [name for tag in parent.iterfind("TAGS/TAG") if (name := child_text(tag, "NAME"))]


def tag_filter(tag: str | None) -> dict[str, str]:
    """Host-list and detection-list parameters selecting hosts that carry the tag `tag`."""
    if not tag:
        return {}
    return {"use_tags": "1", "tag_set_by": "name", "tag_set_include": tag}


def clean_text(raw: str | None, limit: int = TEXT_LIMIT) -> str:
    """KB prose as plain text: HTML tags dropped, entities decoded, whitespace collapsed, and
    cut to at most `limit` characters, the last being "…" when something was cut."""
    if not raw:
        return ""
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", raw))
    text = _SPACE.sub(" ", html.unescape(text).replace("\xa0", " ")).strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def parse_id_ranges(value: str, *, name: str = "ids") -> IdRanges:
    """Parse "1-500,900" into [(1, 500), (900, 900)], merged and sorted.

    ValueError names the parameter and the expected form when an item is not an id or range.
    """
    ranges: IdRanges = []
    for item in value.split(","):
        if not item.strip():
            continue
        found = _RANGE.match(item)
        if found is None:
            raise ValueError(
                f"{name}: {item.strip()!r} is not an id or an id range; "
                "expected comma-separated ids and ranges such as '1-500,900'"
            )
        low = int(found.group(1))
        high = int(found.group(2)) if found.group(2) else low
        if high < low:
            raise ValueError(f"{name}: range {item.strip()!r} ends before it starts")
        ranges.append((low, high))
    return _merge(ranges)


def _merge(ranges: Iterable[tuple[int, int]]) -> IdRanges:
    merged: IdRanges = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def format_id_ranges(ids: Iterable[int | tuple[int, int]]) -> str:
    """Ids (or ranges) as the FO form, consecutive ids folded: [1, 2, 3, 7] -> "1-3,7"."""
    pairs = _merge(item if isinstance(item, tuple) else (item, item) for item in ids)
    return ",".join(str(low) if low == high else f"{low}-{high}" for low, high in pairs)


def intersect_id_ranges(first: IdRanges, second: IdRanges) -> IdRanges:
    """The ids in both range lists, as ranges."""
    found: IdRanges = []
    for low_a, high_a in first:
        for low_b, high_b in second:
            low, high = max(low_a, low_b), min(high_a, high_b)
            if low <= high:
                found.append((low, high))
    return _merge(found)


def split_evenly(items: Sequence[int], parts: int) -> list[Sequence[int]]:
    """`items` cut into at most `parts` contiguous slices of near-equal length (none empty)."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    slices: list[Sequence[int]] = []
    start = 0
    for index in range(parts):
        stop = start + size + (1 if index < extra else 0)
        slices.append(items[start:stop])
        start = stop
    return [piece for piece in slices if piece]


@asynccontextmanager
async def closing(stream: AsyncIterator[T]) -> AsyncIterator[AsyncIterator[T]]:
    """`contextlib.aclosing` for streams typed as AsyncIterator (the core's `iter_xml`): the
    HTTP response and its concurrency slot are released as soon as the reader stops."""
    try:
        yield stream
    finally:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()


async def gather_or_cancel(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    """Results of `awaitables` run concurrently, in order; the first failure cancels the rest
    and is raised as itself (not wrapped in an ExceptionGroup, so typed errors stay typed)."""
    tasks = [asyncio.ensure_future(item) for item in awaitables]
    if not tasks:
        return []
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        return [task.result() for task in tasks]
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
