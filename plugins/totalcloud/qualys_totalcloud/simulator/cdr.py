"""The simulated Cloud Detection & Response findings endpoint (catalogue §11, D1 and D2).

`GET /cdr-api/rest/v1/findings/` on the gateway (the trailing slash as qualys-mcp and the
vendor's API guide write it; optional when matching). What it takes, and where each comes from:

- `startAt`, `endAt`: required ISO 8601 times (vendor guide "Get a list of CDR-related
  Findings": both mandatory; qualys-mcp sends now minus `days` .. now).
- `severity` (LOW, MEDIUM, HIGH, CRITICAL; the vendor's values, any case; 1-4 also read),
  `cloudProvider` (AWS, AZURE, GCP per the vendor; qualys-mcp sends lower case), `category`,
  `alertClass`, `cloudAccount` / `cloudIdentifier`, `affectedResource` (resource id or IP).
- `query`: the vendor calls it mandatory, yet qualys-mcp never sends it, so it is optional
  here; `tc.findings.<parameter>: value` terms joined by AND filter like the parameters.
- Paging: `pageSize` and `pageNumber` from 0 (catalogue §5.5, §11); `limit` is read as the
  page size and `offSet` as the first record (the vendor guide's names; newer qualys-mcp
  sends `limit` with `pageNumber`). No source gives a page-size cap, so none is imposed.
- Other parameters are refused, among them the guide's `time` (a second way to give the
  window, which no client sends).

The answer is `{"content": [...], "totalElements": n}`, newest first. Field spellings, where
the catalogue lists alternatives, follow the vendor guide's parameter names (`cloudAccount`,
`category`, `alertClass`, severity names) and otherwise the catalogue's fixture (`cloudType`,
`eventMessage`, `resourceId`, `resourceType`, `timestamp`, `remoteIpDetails.ipAddressV4`);
`region` is the spelling the rest of TotalCloud uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
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
from qualys_totalcloud.simulator.cdr_data import CDR_PROVIDERS, SEVERITIES, CdrFinding, findings

__all__ = ["FINDINGS_PATH", "finding_json", "routes"]

FINDINGS_PATH = "/cdr-api/rest/v1/findings/"
_DEFAULT_PAGE = 50
_NUMERIC = {"1": "LOW", "2": "MEDIUM", "3": "HIGH", "4": "CRITICAL"}
_TERM = re.compile(r"^\s*tc\.findings\.(\w+)\s*:\s*(.+?)\s*$")
_AND = re.compile(r"\s+AND\s+", re.IGNORECASE)

Match = Callable[[CdrFinding], bool]


def _moment(request: SimRequest, name: str) -> datetime:
    value = request.param(name)
    if value is None:
        raise ParameterError(
            name, "", "is required (an ISO 8601 time such as 2026-01-08T10:00:00Z)"
        )
    text = value.strip().replace(" ", "+")  # an unescaped '+' in a query string arrives as ' '
    text = text[:-1] + "+00:00" if text.endswith("Z") else text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ParameterError(name, value, "must be an ISO 8601 time, got") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _severity(value: str, name: str) -> str:
    wanted = _NUMERIC.get(value.strip(), value.strip().upper())
    if wanted not in SEVERITIES:
        raise ParameterError(name, value, f"must be one of {', '.join(SEVERITIES)}, got")
    return wanted


def _provider(value: str, name: str) -> str:
    wanted = value.strip().upper()
    if wanted not in CDR_PROVIDERS:
        raise ParameterError(name, value, f"must be one of {', '.join(CDR_PROVIDERS)}, got")
    return wanted


def _matcher(name: str, value: str) -> Match | None:
    """A test for one filter parameter, or None when `name` is not a filter."""
    lowered = value.strip().lower()
    if name == "severity":
        severity = _severity(value, name)
        return lambda f: f.severity == severity
    if name == "cloudProvider":
        provider = _provider(value, name)
        return lambda f: f.provider == provider
    if name == "category":
        return lambda f: f.category.lower() == lowered
    if name == "alertClass":
        return lambda f: f.alert_class.lower() == lowered
    if name in ("cloudAccount", "cloudIdentifier"):
        return lambda f: f.account_id.lower() == lowered
    if name == "affectedResource":
        return lambda f: (
            f.resource_id.lower() == lowered
            or (f.resource.host is not None and f.resource.host.ip == value.strip())
        )
    return None


_FILTERS = ("severity", "cloudProvider", "category", "alertClass", "cloudAccount",
            "cloudIdentifier", "affectedResource")  # fmt: skip


def _query(text: str) -> list[Match]:
    found: list[Match] = []
    for term in _AND.split(text.strip()):
        parsed = _TERM.match(term)
        matcher = _matcher(parsed[1], parsed[2].strip("'\"")) if parsed else None
        if matcher is None:
            raise ParameterError(
                "query", term, f"takes tc.findings.<{'|'.join(_FILTERS)}>: <value> terms, got"
            )
        found.append(matcher)
    return found


def _window(request: SimRequest) -> tuple[int, int]:
    size = request.int_param("pageSize", None)
    if size is None:
        size = request.int_param("limit", _DEFAULT_PAGE)
    number = request.int_param("pageNumber", 0)
    offset = request.int_param("offSet", None)
    assert size is not None
    assert number is not None
    if size < 1:
        raise ParameterError("pageSize", str(size), "must be at least 1, got")
    if number < 0:
        raise ParameterError("pageNumber", str(number), "counts from 0, got")
    if offset is not None and offset < 0:
        raise ParameterError("offSet", str(offset), "must be at least 0, got")
    return (number * size if offset is None else offset), size


def finding_json(finding: CdrFinding) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": finding.id,
        "severity": finding.severity,
        "cloudType": finding.provider,
        "category": finding.category,
        "alertClass": finding.alert_class,
        "eventMessage": finding.message,
        "resourceId": finding.resource_id,
        "resourceType": finding.resource_type,
        "cloudAccount": finding.account_id,
        "region": finding.region,
        "timestamp": iso(finding.timestamp),
    }
    if finding.remote_ip is not None:
        body["remoteIpDetails"] = {
            "ipAddressV4": finding.remote_ip,
            "country": finding.country,
            "city": finding.city,
        }
    return body


_PARAMS = frozenset(
    {"startAt", "endAt", "query", "pageSize", "pageNumber", "limit", "offSet", *_FILTERS}
)


async def list_findings(request: SimRequest) -> Response:
    request.only_params(_PARAMS)
    start, end = _moment(request, "startAt"), _moment(request, "endAt")
    if end < start:
        raise ParameterError("endAt", request.param("endAt") or "", "is before startAt:")
    tests: list[Match] = []
    for name in _FILTERS:
        value = request.param(name)
        if value is not None:
            matcher = _matcher(name, value)
            assert matcher is not None
            tests.append(matcher)
    query = request.param("query")
    if query is not None:
        tests.extend(_query(query))
    first, size = _window(request)
    matching = [
        f
        for f in findings(request.tenant)
        if start <= f.timestamp <= end and all(test(f) for test in tests)
    ]
    page = matching[first : first + size]
    request.count(len(page))
    return json_response(
        {"content": [finding_json(f) for f in page], "totalElements": len(matching)}
    )


_WEEK = {"startAt": "2026-01-08T00:00:00Z", "endAt": "2026-01-15T00:00:00Z"}


def routes() -> list[SimRoute]:
    return [
        SimRoute(
            name="totalcloud.cdr_findings",
            host="gateway",
            path=FINDINGS_PATH,
            methods=("GET",),
            handler=list_findings,
            module="CDR",
            endpoint_class="cdr",
            contract=(
                ContractCase(
                    "GET",
                    FINDINGS_PATH,
                    client="qualys-mcp api.py get_cdr (§11 D1)",
                    params={**_WEEK, "pageSize": "50", "pageNumber": "0"},
                    json_keys=(
                        "content.severity",
                        "content.cloudType",
                        "content.eventMessage",
                        "content.resourceId",
                        "content.timestamp",
                        "totalElements",
                    ),
                ),
                ContractCase(
                    "GET",
                    FINDINGS_PATH,
                    client="qualys-mcp api.py get_cdr_count (§11 D2)",
                    params={**_WEEK, "pageSize": "1", "pageNumber": "0"},
                    json_keys=("totalElements",),
                ),
                ContractCase(
                    "GET",
                    FINDINGS_PATH,
                    client="qualys-mcp api.py get_cdr with filters (§11 D1)",
                    params={
                        **_WEEK,
                        "cloudProvider": "aws",
                        "severity": "HIGH",
                        "pageSize": "50",
                        "pageNumber": "0",
                    },
                    json_keys=("content", "totalElements"),
                ),
                ContractCase(
                    "GET",
                    FINDINGS_PATH,
                    client="vendor API guide get_cdr_findings (query, offSet, limit)",
                    params={
                        **_WEEK,
                        "query": "tc.findings.cloudProvider: AWS",
                        "offSet": "0",
                        "limit": "100",
                    },
                    json_keys=("content", "totalElements"),
                ),
                ContractCase(
                    "GET",
                    FINDINGS_PATH,
                    client="qualys-mcp api.py get_cdr without its window (vendor: mandatory)",
                    params={"pageSize": "1", "pageNumber": "0"},
                    status=400,
                    json_keys=("message",),
                ),
            ),
        )
    ]
