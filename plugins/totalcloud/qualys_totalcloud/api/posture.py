"""TotalCloud (CloudView) posture: control evaluations per account, their counts, and the
resources one control evaluated (§10, T2, T3 and qualysdk's evaluation calls in §10b).

- `GET /cloudview-api/rest/v1/{provider}/evaluations/{accountId}`: one row per control with
  `controlId`, `controlName`, `service`, `criticality`, `result` (PASS/FAIL; PASSED/FAILED
  also read), `passedResources`, `failedResources`, `policyNames`; `filter` such as
  `result:FAIL` or `service:S3`; paged like every CloudView list.
- The same call with `pageSize=1` gives `totalElements`, the filtered count (T3).
- `GET /cloudview-api/rest/v1/{provider}/evaluations/{accountId}/resources/{controlId}`: the
  resources a control evaluated (`resourceId`, `region`, `resourceType`, `result`, ...). The
  v1 path is the one qualysdk and qualys-mcp-full call (§10a T10 notes the v2 variant).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from qualys_core.http.client import QualysClient
from qualys_core.http.paging import PageRequest
from qualys_core.http.values import read_int, read_text
from qualys_totalcloud.api.connectors import MODULE, check_provider, cloudview_paging

__all__ = [
    "ControlEvaluation",
    "ResourceEvaluation",
    "control_resources",
    "count_evaluations",
    "evaluations_path",
    "list_evaluations",
    "normalise_result",
]


class ControlEvaluation(BaseModel):
    """One control's evaluation across an account's resources."""

    model_config = ConfigDict(frozen=True)

    provider: str
    account_id: str
    control_id: int | None = None
    control_name: str | None = None
    service: str | None = None
    criticality: str | None = None
    result: str | None = None  # "PASS" | "FAIL"
    passed: int = 0
    failed: int = 0
    passed_with_exception: int = 0
    policies: tuple[str, ...] = ()


class ResourceEvaluation(BaseModel):
    """One resource a control evaluated."""

    model_config = ConfigDict(frozen=True)

    provider: str
    account_id: str
    control_id: int
    resource_id: str | None = None
    resource_type: str | None = None
    region: str | None = None
    result: str | None = None
    evaluated_on: str | None = None
    first_evaluated: str | None = None
    connector_id: str | None = None


def evaluations_path(provider: str, account_id: str) -> str:
    check_provider(provider)
    return f"/cloudview-api/rest/v1/{provider}/evaluations/{account_id}"


def normalise_result(value: Any) -> str | None:
    """PASS / FAIL, whichever spelling Qualys used (PASSED/FAILED are read too, §10a T2)."""
    if value is None:
        return None
    text = str(value).strip().upper()
    return {"PASSED": "PASS", "FAILED": "FAIL"}.get(text, text) or None


def _evaluation(provider: str, account_id: str, item: Mapping[str, Any]) -> ControlEvaluation:
    policies = item.get("policyNames") or ()
    control_id = item.get("controlId")
    return ControlEvaluation(
        provider=provider,
        account_id=account_id,
        control_id=read_int(control_id) if control_id is not None else None,
        control_name=read_text(item.get("controlName")),
        service=read_text(item.get("service")),
        criticality=read_text(item.get("criticality")),
        result=normalise_result(item.get("result")),
        passed=read_int(item.get("passedResources")) or 0,
        failed=read_int(item.get("failedResources")) or 0,
        passed_with_exception=read_int(item.get("passWithExceptionResources")) or 0,
        policies=tuple(str(p) for p in policies) if isinstance(policies, list) else (),
    )


async def list_evaluations(
    client: QualysClient,
    provider: str,
    account_id: str,
    *,
    filter: str | None = None,
    limit: int | None = None,
) -> tuple[list[ControlEvaluation], int | None]:
    """The account's control evaluations (optionally filtered), and the total Qualys gives."""
    params = {"filter": filter} if filter else {}
    found: list[ControlEvaluation] = []
    total: int | None = None
    async for page in client.gateway.pages(
        "GET",
        evaluations_path(provider, account_id),
        cloudview_paging(),
        PageRequest(params=params),
        limit=limit,
        module=MODULE,
    ):
        total = page.total if page.total is not None else total
        found.extend(
            _evaluation(provider, account_id, item)
            for item in page.items
            if isinstance(item, Mapping)
        )
    return found, total


async def count_evaluations(
    client: QualysClient, provider: str, account_id: str, *, filter: str | None = None
) -> int:
    """How many evaluations match `filter`: one `pageSize=1` call, read from `totalElements`."""
    params: dict[str, str | int] = {"pageSize": 1, "pageNo": 0}
    if filter:
        params["filter"] = filter
    body = await client.gateway.json(
        "GET",
        evaluations_path(provider, account_id),
        params=params,
        call_class="short",
        module=MODULE,
    )
    if not isinstance(body, Mapping):
        return 0
    total = body.get("totalElements")
    if total is None:
        content = body.get("content")
        return len(content) if isinstance(content, list) else 0
    return read_int(total) or 0


async def control_resources(
    client: QualysClient,
    provider: str,
    account_id: str,
    control_id: int,
    *,
    filter: str | None = "result:FAIL",
    limit: int | None = None,
) -> tuple[list[ResourceEvaluation], int | None]:
    """The resources `control_id` evaluated in the account (by default the failing ones)."""
    params = {"filter": filter} if filter else {}
    path = f"{evaluations_path(provider, account_id)}/resources/{control_id}"
    found: list[ResourceEvaluation] = []
    total: int | None = None
    async for page in client.gateway.pages(
        "GET", path, cloudview_paging(), PageRequest(params=params), limit=limit, module=MODULE
    ):
        total = page.total if page.total is not None else total
        for item in page.items:
            if not isinstance(item, Mapping):
                continue
            dates = item.get("evaluationDates")
            found.append(
                ResourceEvaluation(
                    provider=provider,
                    account_id=read_text(item.get("accountId")) or account_id,
                    control_id=control_id,
                    resource_id=read_text(item.get("resourceId")),
                    resource_type=read_text(item.get("resourceType")),
                    region=read_text(item.get("region")),
                    result=normalise_result(item.get("result")),
                    evaluated_on=read_text(item.get("evaluatedOn")),
                    first_evaluated=read_text(dates.get("firstEvaluated"))
                    if isinstance(dates, Mapping)
                    else None,
                    connector_id=read_text(item.get("connectorId")),
                )
            )
    return found, total
