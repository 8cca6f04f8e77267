"""The simulated TotalAI detection APIs: `POST .../detection/count` and `.../detection/search`.

Paths: the vendor's TotalAI 1.5 API release notes (docs.qualys.com, "TotalAI Release 1.5
API") publish `/ta/api/1.0/detection/search` and `/ta/api/1.0/detection/count`; qualys-mcp
(catalogue §20) and a public scan script call `/tai/api/1.0/...`. Both are served, from the
same handlers, so either reader works; our client uses the vendor's `/ta/`.

Body (JSON): `filter` `{"modelQql", "detectionQql"}` (catalogue §20, a public TotalAI MCP
client), and for search the vendor's `fields` (comma-separated), `orderBy` (id, qid,
firstDetected or severity), `sortOrder` (ASC or DESC), `size` and `scrollInfo` ("the scroll
info value saved from previous search, to retrieve next page"). The vendor names the request
parameter but no stored source shows the response; here the answer carries the value to send
back as a top-level `scrollInfo` while more records remain, and none on the last page. No
source gives `size`'s default or cap: 50 and 1,000 here. Unknown keys, tokens and values are
refused with a 400.

Answers: count `{"count": n}`; search `{"content": [...], "totalElements": n}` with the
catalogue's fields (`model` as `{id, name}`, `categories` and `owaspTopTen` as `[{name}]`,
dates ISO 8601).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from qualys_core.simulator import (
    ContractCase,
    ParameterError,
    SimRequest,
    SimRoute,
    iso,
    json_response,
)
from qualys_totalai.simulator.data import Detection, data
from qualys_totalai.simulator.qql import DETECTION_TOKENS, MODEL_TOKENS, compile_qql

__all__ = ["COUNT_PATHS", "SEARCH_PATHS", "detection_json", "routes"]

COUNT_PATHS = {"ta": "/ta/api/1.0/detection/count", "tai": "/tai/api/1.0/detection/count"}
SEARCH_PATHS = {"ta": "/ta/api/1.0/detection/search", "tai": "/tai/api/1.0/detection/search"}
DEFAULT_SIZE = 50
MAX_SIZE = 1000
FIELDS = ("id", "qid", "name", "attack", "severity", "result", "isJailBreak",
          "failTestPercentage", "firstDetected", "lastDetected", "model", "categories",
          "owaspTopTen")  # fmt: skip
ORDER_BY = ("id", "qid", "firstDetected", "severity")
_COUNT_KEYS = frozenset({"filter"})
_SEARCH_KEYS = frozenset({"filter", "fields", "orderBy", "sortOrder", "size", "scrollInfo"})
_FILTER_KEYS = frozenset({"modelQql", "detectionQql"})


def detection_json(detection: Detection, fields: tuple[str, ...] = FIELDS) -> dict[str, Any]:
    test = detection.test
    full: dict[str, Any] = {
        "id": detection.id,
        "qid": test.qid,
        "name": test.name,
        "attack": test.attack,
        "severity": test.severity,
        "result": detection.result,
        "isJailBreak": test.jailbreak,
        "failTestPercentage": detection.fail_test_percentage,
        "firstDetected": iso(detection.first_detected),
        "lastDetected": iso(detection.last_detected),
        "model": {"id": detection.model.id, "name": detection.model.name},
        "categories": [{"name": name} for name in test.categories],
        "owaspTopTen": [{"name": name} for name in detection.owasp_names],
    }
    return {name: full[name] for name in fields}


def _body(request: SimRequest, allowed: frozenset[str]) -> Mapping[str, Any]:
    body = request.json()
    if body is None:
        return {}
    if not isinstance(body, Mapping):
        raise ParameterError("body", str(body)[:80], "must be a JSON object, got")
    for key in body:
        if key not in allowed:
            raise ParameterError(key, str(body[key])[:80], f"is unknown (allowed: "
                                 f"{', '.join(sorted(allowed))}); value")  # fmt: skip
    return body


def _matching(request: SimRequest, body: Mapping[str, Any]) -> list[Detection]:
    raw = body.get("filter")
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ParameterError("filter", str(raw)[:80], "must be an object {modelQql, detectionQql}:")
    for key in raw:
        if key not in _FILTER_KEYS:
            raise ParameterError(f"filter.{key}", str(raw[key])[:80], "is unknown; value")
    queries: dict[str, str | None] = {}
    for key in _FILTER_KEYS:
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            raise ParameterError(f"filter.{key}", str(value), "must be a QQL string, got")
        queries[key] = value
    on_model = compile_qql(queries["modelQql"], MODEL_TOKENS, "filter.modelQql")
    on_detection = compile_qql(queries["detectionQql"], DETECTION_TOKENS, "filter.detectionQql")
    return [d for d in data(request.tenant).detections if on_model(d) and on_detection(d)]


async def count(request: SimRequest) -> Response:
    found = _matching(request, _body(request, _COUNT_KEYS))
    request.count(1)
    return json_response({"count": len(found)})


def _fields(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return FIELDS
    if not isinstance(value, str):
        raise ParameterError("fields", str(value), "must be a comma-separated string, got")
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    for name in names:
        if name not in FIELDS:
            raise ParameterError("fields", name, f"takes {', '.join(FIELDS)}; unknown field")
    return names


def _sort_key(order_by: str) -> Any:
    if order_by == "severity":
        return lambda d: d.test.severity
    if order_by == "qid":
        return lambda d: d.test.qid
    if order_by == "firstDetected":
        return lambda d: d.first_detected
    return lambda d: d.id


def _scroll(value: Any) -> int:
    if value is None or value == "":
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(str(value).encode()))
        offset = int(decoded["offset"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        offset = -1
    if offset < 0:
        raise ParameterError("scrollInfo", str(value)[:80], "is not a value a search gave:")
    return offset


def _scroll_info(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


async def search(request: SimRequest) -> Response:
    body = _body(request, _SEARCH_KEYS)
    matching = _matching(request, body)
    fields = _fields(body.get("fields"))
    order_by = body.get("orderBy") or "id"
    if order_by not in ORDER_BY:
        raise ParameterError("orderBy", str(order_by), f"takes {', '.join(ORDER_BY)}, got")
    sort_order = str(body.get("sortOrder") or "ASC").upper()
    if sort_order not in ("ASC", "DESC"):
        raise ParameterError("sortOrder", str(body.get("sortOrder")), "takes ASC or DESC, got")
    size = body.get("size", DEFAULT_SIZE)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SIZE:
        raise ParameterError("size", str(size), f"must be an integer from 1 to {MAX_SIZE}, got")
    first = _scroll(body.get("scrollInfo"))
    key = _sort_key(str(order_by))
    # Ties keep id order whichever way the sort runs, so pages never overlap.
    ordered = sorted(matching, key=lambda d: d.id)
    ordered.sort(key=key, reverse=sort_order == "DESC")
    page = ordered[first : first + size]
    request.count(len(page))
    answer: dict[str, Any] = {
        "content": [detection_json(d, fields) for d in page],
        "totalElements": len(matching),
    }
    if first + size < len(ordered):
        answer["scrollInfo"] = _scroll_info(first + size)
    return json_response(answer)


_CATALOGUE_SEARCH = {
    "size": 20,
    "orderBy": "severity",
    "sortOrder": "DESC",
    "fields": "id,qid,name,attack,severity,firstDetected,lastDetected,result,isJailBreak,"
    "failTestPercentage,owaspTopTen,categories,model",
    "filter": {},
}
_SEARCH_KEYS_READ = (
    "content.id",
    "content.qid",
    "content.severity",
    "content.result",
    "content.isJailBreak",
    "content.failTestPercentage",
    "content.model.name",
    "content.categories.name",
    "content.owaspTopTen.name",
    "totalElements",
)


def _route(name: str, path: str, handler: Any, contract: tuple[ContractCase, ...]) -> SimRoute:
    return SimRoute(
        name=name,
        host="gateway",
        path=path,
        methods=("POST",),
        handler=handler,
        module="TOTALAI",
        endpoint_class="totalai",
        contract=contract,
    )


def routes() -> list[SimRoute]:
    ta_count, tai_count = COUNT_PATHS["ta"], COUNT_PATHS["tai"]
    ta_search, tai_search = SEARCH_PATHS["ta"], SEARCH_PATHS["tai"]
    return [
        _route("totalai.detection_count", ta_count, count, (
            ContractCase("POST", ta_count, client="qualys_totalai count_detections (vendor "
                         "TotalAI 1.5 API, /ta/ path)", json={}, json_keys=("count",)),
            ContractCase("POST", ta_count, client="public TotalAI MCP client count_detections",
                         json={"filter": {"detectionQql": "finding.severity>=3"}},
                         json_keys=("count",)),
            ContractCase("POST", ta_count, client="unknown QQL token (Qualys answers 400)",
                         json={"filter": {"detectionQql": "finding.colour:red"}}, status=400,
                         json_keys=("message",)),
        )),
        _route("totalai.detection_count_tai", tai_count, count, (
            ContractCase("POST", tai_count, client="qualys-mcp probe and "
                         "get_totalai_detection_count (§5.4, §20 A1)", json={},
                         json_keys=("count",)),
            ContractCase("POST", tai_count, client="qualys-mcp get_totalai_detection_count "
                         "with a filter (§20 A1)",
                         json={"filter": {"modelQql": "model.name:gpt", "detectionQql":
                                          "finding.result:FAIL"}}, json_keys=("count",)),
        )),
        _route("totalai.detection_search", ta_search, search, (
            ContractCase("POST", ta_search, client="public TotalAI MCP client search_detections",
                         json={"filter": {"detectionQql": "finding.result:FAIL"},
                               "fields": "id,qid,name,attack,severity,result,"
                               "failTestPercentage,model", "orderBy": "severity",
                               "sortOrder": "DESC", "size": 10},
                         json_keys=("content.severity", "content.model.name",
                                    "totalElements")),
            ContractCase("POST", ta_search, client="qualys_totalai search_detections (vendor "
                         "TotalAI 1.5 API: size, orderBy, sortOrder, fields, filter)",
                         json={**_CATALOGUE_SEARCH, "size": 5}, json_keys=_SEARCH_KEYS_READ),
            ContractCase("POST", ta_search, client="orderBy outside the vendor's list",
                         json={"orderBy": "name"}, status=400, json_keys=("message",)),
        )),
        _route("totalai.detection_search_tai", tai_search, search, (
            ContractCase("POST", tai_search, client="qualys-mcp get_totalai_detections (§20 A2)",
                         json=_CATALOGUE_SEARCH, json_keys=_SEARCH_KEYS_READ),
        )),
    ]  # fmt: skip
