"""JSON pagination styles of the Qualys gateway and QPS APIs, and one driver for all of them.

A style is a small frozen dataclass with pure methods: `first()` turns the caller's request
into the first page's request, `advance()` computes the next request from the page just
received (None when done), `items()` and `total()` read a page body. `paginate()` drives any
style with a `fetch` callable supplied by the HTTP client.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from qualys_core.errors import BadResponse

__all__ = [
    "CDR",
    "CLOUDVIEW",
    "CONTAINER_SECURITY",
    "PM_V1_JOBS",
    "CsamCursor",
    "JsonPage",
    "Page",
    "PageNumber",
    "PageRequest",
    "PagingStyle",
    "PmSearchAfter",
    "QpsLastId",
    "paginate",
]


@dataclass(frozen=True)
class PageRequest:
    """What varies between the requests of one listing: query, JSON body, extra headers."""

    params: dict[str, str] = field(default_factory=dict)
    json_body: Any = None  # None: no body
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class JsonPage:
    """One decoded response: its JSON body and its (preferably case-insensitive) headers."""

    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    """What `paginate` yields: the page's items, the listing total when known, the page index."""

    items: list[Any]
    total: int | None
    index: int


class PagingStyle(Protocol):
    def first(self, request: PageRequest) -> PageRequest: ...

    def advance(self, request: PageRequest, page: JsonPage) -> PageRequest | None: ...

    def items(self, body: Any) -> list[Any]: ...

    def total(self, body: Any) -> int | None: ...


# --- body helpers ------------------------------------------------------------------------------


def _at(body: Any, path: str) -> Any:
    node = body
    for key in path.split("."):
        if not isinstance(node, Mapping):
            raise BadResponse(
                f"Qualys sent a JSON {type(node).__name__} where an object holding {path!r} "
                "was expected"
            )
        node = node.get(key)
        if node is None:
            return None
    return node


def _no_body(body: Any) -> bool:
    # The client reports an empty response (e.g. a "not found means empty" 404) as None or [].
    return body is None or (isinstance(body, list) and not body)


def _items_at(body: Any, path: str | None) -> list[Any]:
    if _no_body(body):
        return []
    if path is None:
        if isinstance(body, list):
            return body
        raise BadResponse(f"Qualys sent a JSON {type(body).__name__} where an array was expected")
    value = _at(body, path)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):  # some lists come back as a lone object when they hold one item
        return [value]
    raise BadResponse(f"Qualys sent a JSON {type(value).__name__} for {path!r}, not a list")


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    return None


def _total_at(body: Any, key: str | None) -> int | None:
    if key is None or not isinstance(body, Mapping):
        return None
    return _int_or_none(body.get(key))


def _flag(value: Any, name: str) -> bool:
    """Qualys sends its "more pages" flags as 1/0, "1"/"0", "true"/"false" or booleans."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true"):
            return True
        if lowered in ("0", "false", ""):
            return False
    raise BadResponse(f"Qualys sent {name}={value!r}, which is not a boolean flag")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        # Plain dicts are case-sensitive; HTTP header names are not.
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value or None


# --- styles ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageNumber:
    """Page-number paging (`page_param` counts from `base`, `size_param` = `page_size`).

    End of the listing: an empty page; else `last_key` in the body when configured and present
    (it is trusted over the page length, since a server may cap the page size below ours); else
    a page shorter than `page_size`, unless `short_page_ends` is off. `items_key` is a dotted
    path to the item list, or None for a bare top-level array.
    """

    page_param: str
    base: int = 0
    size_param: str = "pageSize"
    page_size: int = 100
    items_key: str | None = "data"
    total_key: str | None = None
    last_key: str | None = None
    short_page_ends: bool = True

    def first(self, request: PageRequest) -> PageRequest:
        params = {
            **request.params,
            self.size_param: str(self.page_size),
            self.page_param: str(self.base),
        }
        return replace(request, params=params)

    def advance(self, request: PageRequest, page: JsonPage) -> PageRequest | None:
        items = self.items(page.body)
        if not items:
            return None
        last = None if self.last_key is None else _at(page.body, self.last_key)
        if last is not None:
            if _flag(last, self.last_key or ""):
                return None
        elif self.short_page_ends and len(items) < self.page_size:
            return None
        number = _int_or_none(request.params.get(self.page_param))
        if number is None:
            number = self.base
        return replace(request, params={**request.params, self.page_param: str(number + 1)})

    def items(self, body: Any) -> list[Any]:
        return _items_at(body, self.items_key)

    def total(self, body: Any) -> int | None:
        return _total_at(body, self.total_key)


CLOUDVIEW = PageNumber(
    "pageNo", base=0, items_key="content", total_key="totalElements", last_key="last"
)
"""TotalCloud (CloudView) lists: `pageNo` from 0, `content`, `totalElements`, `last`."""

CDR = PageNumber("pageNumber", base=0, items_key="content", total_key="totalElements")
"""CDR findings: `pageNumber` from 0, `content`, `totalElements`."""

CONTAINER_SECURITY = PageNumber("pageNumber", base=1, items_key="data", total_key="count")
"""Container Security `/csapi/v1.3` lists: `pageNumber` from 1, `data`, `count`."""

PM_V1_JOBS = PageNumber("pageNumber", base=0, items_key=None, short_page_ends=False)
"""PM v1 deployment-job lists: a bare array per page, `pageNumber` from 0, ends on `[]`."""


@dataclass(frozen=True)
class CsamCursor:
    """CSAM asset search: `hasMore` plus the `lastSeenAssetId` cursor sent back as a parameter.

    The cursor is the top-level `lastSeenAssetId`, or the last asset's `assetId` when absent.
    """

    page_size: int = 100
    size_param: str = "pageSize"
    cursor_param: str = "lastSeenAssetId"

    def first(self, request: PageRequest) -> PageRequest:
        return replace(request, params={**request.params, self.size_param: str(self.page_size)})

    def advance(self, request: PageRequest, page: JsonPage) -> PageRequest | None:
        items = self.items(page.body)
        if not items or not _flag(page.body.get("hasMore"), "hasMore"):
            return None
        cursor = page.body.get("lastSeenAssetId")
        if cursor is None or cursor == "":
            last = items[-1]
            cursor = last.get("assetId") if isinstance(last, Mapping) else None
        if cursor is None or cursor == "":
            raise BadResponse("Qualys CSAM says hasMore but gives no lastSeenAssetId or assetId")
        return replace(request, params={**request.params, self.cursor_param: str(cursor)})

    def items(self, body: Any) -> list[Any]:
        return _items_at(body, "assetListData.asset")

    def total(self, body: Any) -> int | None:
        return _total_at(body, "count")


@dataclass(frozen=True)
class PmSearchAfter:
    """PM v2 lists: bare arrays; the `searchAfter` response header is sent back as a header.

    Ends on a page shorter than `page_size` or a response without the header.
    """

    page_size: int = 100
    size_param: str = "pageSize"
    header: str = "searchAfter"

    def first(self, request: PageRequest) -> PageRequest:
        return replace(request, params={**request.params, self.size_param: str(self.page_size)})

    def advance(self, request: PageRequest, page: JsonPage) -> PageRequest | None:
        if len(self.items(page.body)) < self.page_size:
            return None
        cursor = _header(page.headers, self.header)
        if cursor is None:
            return None
        return replace(request, headers={**request.headers, self.header: cursor})

    def items(self, body: Any) -> list[Any]:
        return _items_at(body, None)

    def total(self, body: Any) -> int | None:
        return None


@dataclass(frozen=True)
class QpsLastId:
    """QPS REST JSON searches: while `hasMoreRecords`, ask again with `id GREATER lastId`.

    `total()` is always None: a search's `count` is the number of records in that response.
    """

    id_field: str = "id"

    def first(self, request: PageRequest) -> PageRequest:
        return request

    def advance(self, request: PageRequest, page: JsonPage) -> PageRequest | None:
        if not self.items(page.body):
            return None
        response = _service_response(page.body)
        if not _flag(response.get("hasMoreRecords"), "hasMoreRecords"):
            return None
        last_id = response.get("lastId")
        if last_id is None or last_id == "":
            raise BadResponse("Qualys QPS says hasMoreRecords but gives no lastId")
        return replace(request, json_body=self._with_criterion(request.json_body, str(last_id)))

    def _with_criterion(self, json_body: Any, last_id: str) -> dict[str, Any]:
        body: Any = copy.deepcopy(json_body) if json_body is not None else {}
        if not isinstance(body, dict):
            raise TypeError("QpsLastId needs a JSON object request body (a ServiceRequest)")
        service_request = body.setdefault("ServiceRequest", {})
        filters = service_request.setdefault("filters", {})
        criteria = filters.get("Criteria") or []
        if isinstance(criteria, dict):
            criteria = [criteria]
        criteria = [
            c
            for c in criteria
            if not (
                isinstance(c, Mapping)
                and c.get("field") == self.id_field
                and c.get("operator") == "GREATER"
            )
        ]
        criteria.append({"field": self.id_field, "operator": "GREATER", "value": last_id})
        filters["Criteria"] = criteria
        return body

    def items(self, body: Any) -> list[Any]:
        if _no_body(body):
            return []
        return _items_at(_service_response(body), "data")

    def total(self, body: Any) -> int | None:
        return None


def _service_response(body: Any) -> Mapping[str, Any]:
    response = body.get("ServiceResponse") if isinstance(body, Mapping) else None
    if not isinstance(response, Mapping):
        raise BadResponse("Qualys QPS answer has no ServiceResponse object")
    return response


# --- driver ------------------------------------------------------------------------------------


async def paginate(
    fetch: Callable[[PageRequest], Awaitable[JsonPage]],
    style: PagingStyle,
    request: PageRequest,
    *,
    limit: int | None = None,
    max_pages: int | None = None,
) -> AsyncGenerator[Page, None]:
    """Fetch and yield pages of a listing until `style` says it is done.

    Stops after `limit` items (the last page is trimmed), after `max_pages` pages, or after an
    empty page (which is still yielded, so a total on it is seen). A style that asks for the
    same request twice raises `BadResponse` instead of looping forever.
    """
    if limit is not None and limit <= 0:
        return
    current: PageRequest | None = style.first(request)
    seen = 0
    index = 0
    while current is not None:
        page = await fetch(current)
        items = style.items(page.body)
        total = style.total(page.body)
        if limit is not None and seen + len(items) >= limit:
            yield Page(items=items[: limit - seen], total=total, index=index)
            return
        yield Page(items=items, total=total, index=index)
        seen += len(items)
        index += 1
        if not items or (max_pages is not None and index >= max_pages):
            return
        following = style.advance(current, page)
        if following == current:
            raise BadResponse("Qualys paging made no progress (the next request is the same)")
        current = following
