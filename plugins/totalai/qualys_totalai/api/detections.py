"""TotalAI detections (catalogue §20): what TotalAI's scans found on the AI models onboarded.

`POST /ta/api/1.0/detection/count` and `/ta/api/1.0/detection/search` on the gateway, JSON.
The path is the vendor's (TotalAI 1.5 API release notes); qualys-mcp writes `/tai/` (§20),
which the vendor's notes do not show. Both take `filter: {modelQql, detectionQql}`; search also
takes `fields`, `orderBy` (id, qid, firstDetected, severity), `sortOrder` (ASC, DESC), `size`,
and `scrollInfo` to continue a listing (vendor). The next page's `scrollInfo` is read from the
answer's top level (no stored source shows where the answer carries it); without one, or on a
short or empty page, the listing ends.

qualys-mcp posts once, with no retry (§20). Ours goes through the core client: these POSTs
only read, so the core's policy (5xx and connection failures retried with backoff, 409/429
waited out, 401 renews the token once, 404 is NotLicensed) is safe for them.

QQL tokens: `finding.<field>` in detectionQql (a public client sends `finding.severity>=3`
and `finding.result:FAIL`) and `model.name` in modelQql; values are quoted by `quote`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from qualys_core.errors import BadResponse
from qualys_core.http.client import QualysClient
from qualys_core.http.paging import JsonPage, PageRequest
from qualys_core.http.values import read_bool, read_float, read_int, read_text
from qualys_totalai.api.fields import read_moment, read_names

__all__ = [
    "COUNT_PATH",
    "FIELDS",
    "MODULE",
    "SEARCH_PATH",
    "Detection",
    "ScrollInfo",
    "count_detections",
    "filter_body",
    "parse_detection",
    "qql_and",
    "quote",
    "search_detections",
]

MODULE = "TotalAI"
COUNT_PATH = "/ta/api/1.0/detection/count"
SEARCH_PATH = "/ta/api/1.0/detection/search"
FIELDS = (
    "id,qid,name,attack,severity,firstDetected,lastDetected,result,isJailBreak,"
    "failTestPercentage,owaspTopTen,categories,model"
)
ORDER_BY = ("id", "qid", "firstDetected", "severity")


class Detection(BaseModel):
    """One TotalAI detection: an attack test's outcome on one model."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    qid: int | None = None
    name: str | None = None
    attack: str | None = None
    severity: int | None = None  # 1-5
    result: str | None = None  # PASS | FAIL
    is_jailbreak: bool = False
    fail_test_percentage: float | None = None
    first_detected: datetime | None = None
    last_detected: datetime | None = None
    model_id: int | None = None
    model_name: str | None = None
    categories: tuple[str, ...] = ()
    owasp: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return (self.result or "").upper() == "FAIL"


def parse_detection(item: Mapping[str, Any]) -> Detection:
    model = item.get("model")
    model = model if isinstance(model, Mapping) else {}
    severity = read_int(item.get("severity"))
    result = read_text(item.get("result"))
    return Detection(
        id=read_int(item.get("id")),
        qid=read_int(item.get("qid")),
        name=read_text(item.get("name")),
        attack=read_text(item.get("attack")),
        severity=severity if severity is not None and 1 <= severity <= 5 else None,
        result=result.upper() if result else None,
        is_jailbreak=bool(read_bool(item.get("isJailBreak"))),
        fail_test_percentage=read_float(item.get("failTestPercentage")),
        first_detected=read_moment(item.get("firstDetected")),
        last_detected=read_moment(item.get("lastDetected")),
        model_id=read_int(model.get("id")),
        model_name=read_text(model.get("name")) or read_text(item.get("modelName")),
        categories=read_names(item.get("categories")),
        owasp=read_names(item.get("owaspTopTen")),
    )


def quote(value: str) -> str:
    """A QQL string value, double-quoted with inner quotes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def qql_and(*terms: str | None) -> str | None:
    """The non-empty terms joined by `and` (each parenthesised when it has an `or`)."""
    kept = [t if " or " not in t.lower() else f"({t})" for t in terms if t]
    return " and ".join(kept) or None


def filter_body(model_qql: str | None, detection_qql: str | None) -> dict[str, Any]:
    """The request body's `filter`: only the queries given; `{}` with neither (§20 A1)."""
    queries = {"modelQql": model_qql, "detectionQql": detection_qql}
    kept = {key: value for key, value in queries.items() if value}
    return {"filter": kept} if kept else {}


async def count_detections(
    client: QualysClient, *, model_qql: str | None = None, detection_qql: str | None = None
) -> int:
    """How many detections match (`count`)."""
    body = await client.gateway.json(
        "POST",
        COUNT_PATH,
        json_body=filter_body(model_qql, detection_qql),
        call_class="short",
        module=MODULE,
    )
    if not isinstance(body, Mapping):
        raise BadResponse("TotalAI answered the detection count without a JSON object")
    count = read_int(body.get("count"))
    if count is None:
        raise BadResponse("TotalAI's detection count answer has no count")
    return count


@dataclass(frozen=True)
class ScrollInfo:
    """TotalAI search paging: `size` in the body, then the answer's `scrollInfo` sent back."""

    page_size: int = 100

    def first(self, request: PageRequest) -> PageRequest:
        return PageRequest(json_body={**request.json_body, "size": self.page_size})

    def advance(self, request: PageRequest, page: JsonPage) -> PageRequest | None:
        body = page.body
        scroll = read_text(body.get("scrollInfo")) if isinstance(body, Mapping) else None
        if scroll is None or len(self.items(body)) < self.page_size:
            return None
        return PageRequest(json_body={**request.json_body, "scrollInfo": scroll})

    def items(self, body: Any) -> list[Any]:
        if isinstance(body, list):
            return body
        if not isinstance(body, Mapping):
            raise BadResponse("TotalAI answered the detection search without a JSON object")
        content = body.get("content")
        if content is None:
            return []  # qualys-mcp's fallback for a missing list is an empty one (§20 A2)
        if not isinstance(content, list):
            raise BadResponse("TotalAI's detection search answer has a content that is no list")
        return content

    def total(self, body: Any) -> int | None:
        return read_int(body.get("totalElements")) if isinstance(body, Mapping) else None


async def search_detections(
    client: QualysClient,
    *,
    model_qql: str | None = None,
    detection_qql: str | None = None,
    order_by: str = "severity",
    sort_order: str = "DESC",
    limit: int = 100,
    page_size: int = 100,
    max_pages: int = 20,
) -> tuple[list[Detection], int | None]:
    """At most `limit` detections in the given order, and TotalAI's total for the filter."""
    if order_by not in ORDER_BY:
        raise ValueError(f"order_by must be one of {', '.join(ORDER_BY)}, got {order_by!r}")
    if sort_order not in ("ASC", "DESC"):
        raise ValueError(f"sort_order must be ASC or DESC, got {sort_order!r}")
    body = {
        **filter_body(model_qql, detection_qql),
        "fields": FIELDS,
        "orderBy": order_by,
        "sortOrder": sort_order,
    }
    style = ScrollInfo(page_size=max(1, min(page_size, limit)))
    found: list[Detection] = []
    total: int | None = None
    async for page in client.gateway.pages(
        "POST",
        SEARCH_PATH,
        style,
        PageRequest(json_body=body),
        limit=limit,
        max_pages=max_pages,
        module=MODULE,
    ):
        total = page.total if page.total is not None else total
        found.extend(parse_detection(item) for item in page.items if isinstance(item, Mapping))
    return found, total
