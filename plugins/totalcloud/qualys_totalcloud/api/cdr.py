"""Cloud Detection & Response findings (§11, D1 and D2): threats TotalCloud detected on cloud
resources in a time window.

`GET /cdr-api/rest/v1/findings/` on the gateway with `startAt` / `endAt` (ISO 8601, both
required by the vendor's API guide), optional `severity` (LOW..CRITICAL), `cloudProvider`
(AWS, AZURE, GCP: CDR does not cover OCI), `category`; paged with `pageSize` and
`pageNumber` from 0 (`content`, `totalElements`). A count is one `pageSize=1` call.

Clients disagree on field names (§11), so the reader takes each alternative: `severity` as a
name or 1-4 (5 also reads as critical), `cloudType`/`cloudProvider`, `category`/
`threatCategory`/`alertClass`, `resourceId`/`affectedResource`, `cloudAccount`/`cspAccount`,
`region`/`cspRegion`, `timestamp`/`createdAt`, `remoteIpDetails.ipAddressV4`/`ip`.
A 500 (qualys-mcp's CDR_UNAVAILABLE) is the core's Unavailable after its retries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from qualys_core.http.client import QualysClient
from qualys_core.http.paging import CDR, PageRequest
from qualys_core.http.values import read_text

__all__ = [
    "CDR_PROVIDERS",
    "FINDINGS_PATH",
    "MODULE",
    "SEVERITIES",
    "CdrFinding",
    "count_findings",
    "list_findings",
    "normalise_severity",
    "parse_finding",
    "window",
]

MODULE = "CDR"
FINDINGS_PATH = "/cdr-api/rest/v1/findings/"
CDR_PROVIDERS = ("aws", "azure", "gcp")
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
_NUMERIC = {"1": "LOW", "2": "MEDIUM", "3": "HIGH", "4": "CRITICAL", "5": "CRITICAL"}


class CdrFinding(BaseModel):
    """One CDR finding, normalised."""

    model_config = ConfigDict(frozen=True)

    id: str | None = None
    severity: str | None = None  # LOW | MEDIUM | HIGH | CRITICAL
    provider: str | None = None  # lower case
    category: str | None = None
    alert_class: str | None = None
    message: str | None = None
    resource_id: str | None = None
    resource_type: str | None = None
    account_id: str | None = None
    region: str | None = None
    timestamp: datetime | None = None
    remote_ip: str | None = None
    remote_country: str | None = None
    remote_city: str | None = None

    @property
    def rank(self) -> int:
        """0 (unknown) to 4 (critical), for ordering."""
        return SEVERITIES.index(self.severity) + 1 if self.severity in SEVERITIES else 0


def normalise_severity(value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).strip().upper()
    text = _NUMERIC.get(text, text)
    return text if text in SEVERITIES else None


def _first(item: Mapping[str, Any], *keys: str) -> str | None:
    return next((read_text(item[k]) for k in keys if read_text(item.get(k)) is not None), None)


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_finding(item: Mapping[str, Any]) -> CdrFinding:
    remote = item.get("remoteIpDetails")
    remote = remote if isinstance(remote, Mapping) else {}
    provider = _first(item, "cloudType", "cloudProvider")
    return CdrFinding(
        id=_first(item, "id", "findingId"),
        severity=normalise_severity(item.get("severity")),
        provider=provider.lower() if provider else None,
        category=_first(item, "category", "threatCategory", "alertClass"),
        alert_class=_first(item, "alertClass"),
        message=_first(item, "eventMessage"),
        resource_id=_first(item, "resourceId", "affectedResource"),
        resource_type=_first(item, "resourceType"),
        account_id=_first(item, "cloudAccount", "cspAccount"),
        region=_first(item, "region", "cspRegion"),
        timestamp=_moment(_first(item, "timestamp", "createdAt")),
        remote_ip=_first(remote, "ipAddressV4", "ip"),
        remote_country=_first(remote, "country"),
        remote_city=_first(remote, "city"),
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def window(now: datetime, days: int) -> tuple[str, str]:
    """`startAt` and `endAt` for the `days` before `now` (UTC, ISO 8601 with a Z)."""
    return _iso(now - timedelta(days=days)), _iso(now)


def _params(
    now: datetime,
    days: int,
    severity: str | None,
    provider: str | None,
    category: str | None,
    account: str | None = None,
) -> dict[str, str]:
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    start, end = window(now, days)
    params = {"startAt": start, "endAt": end}
    if severity is not None:
        wanted = normalise_severity(severity)
        if wanted is None:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, got {severity!r}")
        params["severity"] = wanted
    if provider is not None:
        if provider.lower() not in CDR_PROVIDERS:
            raise ValueError(
                f"CDR covers {', '.join(CDR_PROVIDERS)}; provider {provider!r} has no findings"
            )
        params["cloudProvider"] = provider.upper()
    if category:
        params["category"] = category
    if account:
        params["cloudAccount"] = account  # the vendor guide's parameter name
    return params


async def list_findings(
    client: QualysClient,
    *,
    now: datetime,
    days: int,
    severity: str | None = None,
    provider: str | None = None,
    category: str | None = None,
    account: str | None = None,
    limit: int | None = None,
    page_size: int = 100,
) -> tuple[list[CdrFinding], int | None]:
    """The findings of the `days` before `now` (at most `limit`, newest first as Qualys sends
    them), and CDR's total for the window and filters."""
    params = _params(now, days, severity, provider, category, account)
    style = CDR if page_size == CDR.page_size else replace(CDR, page_size=page_size)
    found: list[CdrFinding] = []
    total: int | None = None
    async for page in client.gateway.pages(
        "GET", FINDINGS_PATH, style, PageRequest(params=params), limit=limit, module=MODULE
    ):
        total = page.total if page.total is not None else total
        found.extend(parse_finding(item) for item in page.items if isinstance(item, Mapping))
    return found, total


async def count_findings(
    client: QualysClient,
    *,
    now: datetime,
    days: int,
    severity: str | None = None,
    provider: str | None = None,
    category: str | None = None,
    account: str | None = None,
) -> int:
    """How many findings match: one `pageSize=1` call, read from `totalElements` (D2)."""
    params: dict[str, str | int] = {
        **_params(now, days, severity, provider, category, account),
        "pageSize": 1,
        "pageNumber": 0,
    }
    body = await client.gateway.json(
        "GET", FINDINGS_PATH, params=params, call_class="short", module=MODULE
    )
    if not isinstance(body, Mapping):
        return 0
    total = body.get("totalElements")
    if isinstance(total, int) and not isinstance(total, bool):
        return total
    content = body.get("content")
    return len(content) if isinstance(content, list) else 0
