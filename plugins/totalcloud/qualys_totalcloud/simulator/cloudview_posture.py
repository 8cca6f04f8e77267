"""Simulated TotalCloud (CloudView) posture: an account's control evaluations and the resources
one control evaluated (catalogue §10a T2/T3/T10, §10b qualysdk evaluations.py).

- `GET /cloudview-api/rest/v1/{provider}/evaluations/{accountId}`: one row per control with
  at least one resource of its type in the account (`controlName`, `controlId`, `policyNames`,
  `criticality`, `service`, `result`, `passedResources`, `failedResources`,
  `passWithExceptionResources`).
- `GET .../evaluations/{accountId}/resources/{controlId}`: one row per evaluated resource.

Both are CloudView lists: `pageNo` from 0 and `pageSize`, answered as a Spring page
(`content`, `totalElements`, `totalPages`, `last`, `first`, `empty`, `number`, `size`,
`numberOfElements`); qualysdk reads `content` and `empty`, qualys-mcp `content` and
`totalElements`. They are served on the gateway (bearer; qualys-mcp, qualys-mcp-full) and on
the API server (Basic auth, no X-Requested-With; qualysdk), as §10c asks.

Filters. No vendor page in reach documents the tokens of these two calls, so the simulator
takes what the clients send: qualys-mcp `result:FAIL` and `service:S3`; qualys-mcp-full the
Posture QQL `control.criticality:HIGH and evaluation.result:FAIL`; qualysdk's control-metadata
tokens (`cid`, `control.name`, `policy.name`, `resource.type`, `service.type`). Terms join
with `and` (qualys-mcp-full), a comma inside a value means "any of" (qualysdk's connector
filter `state:SUCCESS,PENDING`), a value may be double-quoted, and values compare without
regard to case (qualysdk upper-cases enumerated values, the UI shows mixed case). A key the
call does not know answers 400 naming the keys it does.

An account TotalCloud has no evaluations for answers an empty page with `empty: true`, the
case qualysdk handles ("No data found for account"); an unknown provider is a 400.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from qualys_core.simulator import (
    ContractCase,
    ParameterError,
    SimRequest,
    SimRoute,
    gateway_error,
    iso,
    json_response,
)
from qualys_core.simulator.routes import HostKind
from qualys_totalcloud.simulator.cloud_data import (
    CloudEstate,
    ControlEvaluation,
    ResourceResult,
    estate,
)

__all__ = ["EVALUATION_KEYS", "RESOURCE_KEYS", "parse_filter", "routes"]

MODULE = "CLOUDVIEW"
_BASE = "/cloudview-api/rest/v1/{provider}/evaluations/{accountId}"
_RESOURCES = _BASE + "/resources/{controlId}"
_PROVIDERS = ("aws", "azure", "gcp", "oci")
# No source gives CloudView's default or largest page; qualysdk pages inventory by 50 and
# qualys-mcp asks for up to 500 evaluations in one page, so 50 by default and up to 1000.
_DEFAULT_PAGE = 50
_MAX_PAGE = 1000
_RESULTS = ("PASS", "FAIL")
_CRITICALITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)

Term = tuple[str, tuple[str, ...]]  # canonical key, accepted values (upper case)

# filter key as a client sends it -> canonical key
EVALUATION_KEYS: Mapping[str, str] = {
    "result": "result",
    "evaluation.result": "result",
    "service": "service",
    "service.type": "service",
    "criticality": "criticality",
    "control.criticality": "criticality",
    "controlId": "cid",
    "cid": "cid",
    "control.name": "name",
    "policy.name": "policy",
    "resource.type": "resource_type",
}
RESOURCE_KEYS: Mapping[str, str] = {
    "result": "result",
    "evaluation.result": "result",
    "region": "region",
    "resourceId": "resource_id",
    "resource.id": "resource_id",
    "resourceType": "resource_type",
    "resource.type": "resource_type",
}
_ENUMS: Mapping[str, tuple[str, ...]] = {"result": _RESULTS, "criticality": _CRITICALITIES}


def _values(key: str, raw: str, text: str) -> tuple[str, ...]:
    values = tuple(v.strip().strip('"').strip().upper() for v in raw.strip().split(","))
    values = tuple("PASS" if v == "PASSED" else "FAIL" if v == "FAILED" else v for v in values)
    if not all(values):
        raise ParameterError("filter", text, "has a term without a value:")
    allowed = _ENUMS.get(key)
    if allowed and any(v not in allowed for v in values):
        raise ParameterError("filter", text, f"{key} must be one of {', '.join(allowed)}; got")
    return values


def parse_filter(text: str | None, keys: Mapping[str, str]) -> list[Term]:
    """`key:value and key:v1,v2` as (canonical key, values) terms; ParameterError names the
    keys this call accepts when one is unknown."""
    if text is None or not text.strip():
        return []
    terms: list[Term] = []
    for part in _AND.split(text.strip()):
        key, colon, raw = part.partition(":")
        key = key.strip()
        canonical = keys.get(key) or next(
            (c for k, c in keys.items() if k.lower() == key.lower()), None
        )
        if not colon or canonical is None:
            allowed = ", ".join(keys)
            raise ParameterError("filter", text, f"key must be one of {allowed}; got")
        terms.append((canonical, _values(canonical, raw, text)))
    return terms


def _matches(terms: Sequence[Term], fields: Mapping[str, Sequence[str]]) -> bool:
    """Every term holds; text keys (name, policy) match on a substring, others exactly."""
    for key, wanted in terms:
        have = [value.upper() for value in fields.get(key, ())]
        if key in ("name", "policy"):
            if not any(w in h for w in wanted for h in have):
                return False
        elif not any(w in have for w in wanted):
            return False
    return True


def _evaluation_fields(row: ControlEvaluation) -> dict[str, Sequence[str]]:
    control = row.control
    return {
        "result": (row.result,),
        "service": (control.service,),
        "criticality": (control.criticality,),
        "cid": (str(control.cid),),
        "name": (control.name,),
        "policy": control.policies,
        "resource_type": (control.resource_type,),
    }


def _resource_fields(found: ResourceResult) -> dict[str, Sequence[str]]:
    resource = found.resource
    return {
        "result": (found.result,),
        "region": (resource.region,),
        "resource_id": (resource.resource_id,),
        "resource_type": (resource.resource_type,),
    }


@dataclass(frozen=True)
class _Page:
    number: int
    size: int


def _page(request: SimRequest) -> _Page:
    number = request.int_param("pageNo", 0) or 0
    size = request.int_param("pageSize", _DEFAULT_PAGE)
    if number < 0:
        raise ParameterError("pageNo", str(number), "must be 0 or more, got")
    if size is None or not 1 <= size <= _MAX_PAGE:
        raise ParameterError("pageSize", str(size), f"must be between 1 and {_MAX_PAGE}, got")
    return _Page(number, size)


def _spring_page(rows: Sequence[dict[str, Any]], page: _Page, request: SimRequest) -> Response:
    """One page in Spring Data's shape, which CloudView answers with."""
    start = page.number * page.size
    content = list(rows[start : start + page.size])
    total = len(rows)
    pages = math.ceil(total / page.size)
    request.count(len(content))
    return json_response(
        {
            "content": content,
            "totalElements": total,
            "totalPages": pages,
            "number": page.number,
            "size": page.size,
            "numberOfElements": len(content),
            "first": page.number == 0,
            "last": page.number >= pages - 1,
            "empty": not content,
        }
    )


def _provider(request: SimRequest) -> str:
    provider = request.path_params["provider"].lower()
    if provider not in _PROVIDERS:
        raise ParameterError("provider", provider, f"must be one of {', '.join(_PROVIDERS)}, got")
    return provider


def _evaluation_row(row: ControlEvaluation) -> dict[str, Any]:
    control = row.control
    return {
        "controlName": control.name,
        "controlId": control.cid,
        "policyNames": list(control.policies),
        "criticality": control.criticality,
        "service": control.service,
        "result": row.result,
        "passedResources": row.passed,
        "failedResources": row.failed,
        # The simulated estate grants no exceptions.
        "passWithExceptionResources": 0,
    }


def _resource_row(provider: str, found: ResourceResult) -> dict[str, Any]:
    resource = found.resource
    # qualysdk renames an Azure row's `subscriptionId` to `accountId` (evaluations.py
    # get_resources_evaluated_by_control), so Azure rows carry the subscription under that key.
    account_key = "subscriptionId" if provider == "azure" else "accountId"
    return {
        "resourceId": resource.resource_id,
        "region": resource.region,
        account_key: resource.account_id,
        "evaluatedOn": iso(found.last_evaluated),
        # No public source shows the keys of an evidence entry; the list stays empty rather
        # than invent them.
        "evidences": [],
        "resourceType": resource.resource_type,
        "connectorId": resource.connector_id,
        "result": found.result,
        "evaluationDates": {
            "firstEvaluated": iso(found.first_evaluated),
            "lastEvaluated": iso(found.last_evaluated),
            "dateReopen": None,
            "dateFixed": None,
        },
    }


def _json_errors(
    handler: Callable[[SimRequest], Response],
) -> Callable[[SimRequest], Awaitable[Response]]:
    """CloudView answers a bad parameter with its JSON error on either host (the API server's
    generic answer would be the FO XML, which CloudView never sends)."""

    async def serve(request: SimRequest) -> Response:
        try:
            return handler(request)
        except ParameterError as exc:
            return gateway_error(str(exc), status=400, code="400")

    return serve


def _account_rows(data: CloudEstate, request: SimRequest) -> Sequence[ControlEvaluation]:
    account = data.account(_provider(request), request.path_params["accountId"])
    return () if account is None else data.evaluations(account)


def evaluations(request: SimRequest) -> Response:
    terms = parse_filter(request.param("filter"), EVALUATION_KEYS)
    page = _page(request)
    rows = [
        _evaluation_row(row)
        for row in _account_rows(estate(request.tenant), request)
        if _matches(terms, _evaluation_fields(row))
    ]
    return _spring_page(rows, page, request)


def evaluation_resources(request: SimRequest) -> Response:
    provider = _provider(request)
    terms = parse_filter(request.param("filter"), RESOURCE_KEYS)
    page = _page(request)
    raw = request.path_params["controlId"]
    if not raw.isdecimal():
        raise ParameterError("controlId", raw, "must be a number, got")
    data = estate(request.tenant)
    account = data.account(provider, request.path_params["accountId"])
    row = None if account is None else data.evaluation(account, int(raw))
    results = () if row is None else row.results
    found = [_resource_row(provider, r) for r in results if _matches(terms, _resource_fields(r))]
    return _spring_page(found, page, request)


# ---------------------------------------------------------------------- routes

# The tenants the contract tests build (seed 7) hold this AWS account and its control 2.
_ACCOUNT = "363581866209"
_EVALUATIONS_PATH = f"/cloudview-api/rest/v1/aws/evaluations/{_ACCOUNT}"
_RESOURCES_PATH = f"{_EVALUATIONS_PATH}/resources/2"
_ROW_KEYS = tuple(
    f"content.{key}"
    for key in (
        "controlName", "controlId", "policyNames", "criticality", "service", "result",
        "passedResources", "failedResources", "passWithExceptionResources",
    )
)  # fmt: skip
_RESOURCE_KEYS = tuple(
    f"content.{key}"
    for key in (
        "resourceId", "region", "accountId", "evaluatedOn", "evidences", "resourceType",
        "connectorId", "result", "evaluationDates.firstEvaluated", "evaluationDates.lastEvaluated",
    )
)  # fmt: skip


def _evaluation_cases(host: HostKind) -> tuple[ContractCase, ...]:
    if host == "api":
        return (
            ContractCase(
                "GET",
                _EVALUATIONS_PATH,
                client="qualysdk totalcloud/evaluations.py get_account_evaluation (§10b)",
                params={"filter": "result:FAIL"},
                json_keys=("empty", *_ROW_KEYS),
            ),
        )
    return (
        ContractCase(
            "GET",
            _EVALUATIONS_PATH,
            client="qualys-mcp api.py get_evaluations_filtered (§10a T2)",
            params={"pageSize": "100", "pageNo": "0", "filter": "result:FAIL"},
            json_keys=("totalElements", "last", *_ROW_KEYS),
        ),
        ContractCase(
            "GET",
            _EVALUATIONS_PATH,
            client="qualys-mcp api.py get_evaluation_count (§10a T3)",
            params={"pageSize": "1", "pageNo": "0"},
            json_keys=("totalElements", "content.controlId"),
        ),
        ContractCase(
            "GET",
            _EVALUATIONS_PATH,
            client="qualys-mcp-full cloudview_posture.py list_cloudview_evaluations, QQL filter",
            params={"filter": "control.criticality:HIGH and evaluation.result:FAIL"},
            json_keys=("content.criticality",),
        ),
        ContractCase(
            "GET",
            _EVALUATIONS_PATH,
            client="qualys-mcp api.py get_evaluations_filtered, a key CloudView does not know",
            params={"filter": "severity:5"},
            status=400,
            json_keys=("message", "errorCode"),
        ),
    )


def _resource_cases(host: HostKind) -> tuple[ContractCase, ...]:
    client = (
        "qualysdk totalcloud/evaluations.py get_resources_evaluated_by_control (§10b)"
        if host == "api"
        else "qualys-mcp-full cloudview_posture.py list_control_evaluation_resources (§10b)"
    )
    return (
        ContractCase(
            "GET",
            _RESOURCES_PATH,
            client=client,
            params={"filter": "result:FAIL", "pageNo": "0", "pageSize": "50"},
            json_keys=("empty", "totalElements", *_RESOURCE_KEYS),
        ),
    )


def routes() -> list[SimRoute]:
    found: list[SimRoute] = []
    hosts: tuple[tuple[HostKind, str], ...] = (("gateway", ""), ("api", "_api"))
    for host, suffix in hosts:
        found += [
            SimRoute(
                name=f"totalcloud.evaluations{suffix}",
                host=host,
                path=_BASE,
                methods=("GET",),
                handler=_json_errors(evaluations),
                module=MODULE,
                requested_with=False,
                contract=_evaluation_cases(host),
            ),
            SimRoute(
                name=f"totalcloud.evaluation_resources{suffix}",
                host=host,
                path=_RESOURCES,
                methods=("GET",),
                handler=_json_errors(evaluation_resources),
                module=MODULE,
                requested_with=False,
                contract=_resource_cases(host),
            ),
        ]
    return found
