"""TotalCloud (CloudView) connectors: one per cloud account, listed per provider (§10, T1).

`GET /cloudview-api/rest/v1/{provider}/connectors` on the gateway, paged with `pageNo` from 0
(`content`, `totalElements`, `last`). The account id sits under a provider-specific key; the
catalogue records disagreeing spellings (§10c), so the reader takes every one a client reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ConfigDict

from qualys_core.http.client import QualysClient
from qualys_core.http.paging import CLOUDVIEW, PageNumber, PageRequest
from qualys_core.http.values import read_int, read_text

__all__ = [
    "MODULE",
    "PROVIDERS",
    "Connector",
    "check_provider",
    "cloudview_paging",
    "connectors_path",
    "list_connectors",
    "parse_connector",
]

MODULE = "CLOUDVIEW"
PROVIDERS = ("aws", "azure", "gcp", "oci")
PAGE_SIZE = 100  # qualys-mcp asks for at most 100 per page (§10a T1)

# Where each provider's account id is, in the order we trust them: the vendor's and qualysdk's
# names first, then the keys qualys-mcp reads (§10c).
_ACCOUNT_KEYS: Mapping[str, tuple[str, ...]] = {
    "aws": ("awsAccountId", "accountId"),
    "azure": ("subscriptionId", "azureSubscriptionId", "accountId"),
    "gcp": ("projectId", "gcpProjectId", "accountId"),
    # The vendor's OCI connector auth record names the tenancy `tenantId` (docs.qualys.com OCI
    # connector 3.0); qualys-mcp reads `ociTenancyId`. On Azure `tenantId` is the directory,
    # which is why it is never read there.
    "oci": ("tenantId", "ociTenancyId", "tenancyId", "accountId"),
}


class Connector(BaseModel):
    """One connector as TotalCloud lists it, normalised across providers."""

    model_config = ConfigDict(frozen=True)

    provider: str  # lower case: aws | azure | gcp | oci
    connector_id: str | None = None
    name: str | None = None
    account_id: str | None = None
    state: str | None = None
    error: str | None = None
    last_synced: str | None = None
    next_sync: str | None = None
    polling_hours: int | None = None
    total_assets: int | None = None
    disabled: bool = False
    raw: dict[str, Any] = {}


def check_provider(provider: str) -> None:
    """ValueError naming the allowed values unless `provider` is a lower-case provider name."""
    if provider not in PROVIDERS:
        raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}, got {provider!r}")


def connectors_path(provider: str) -> str:
    return f"/cloudview-api/rest/v1/{provider}/connectors"


def _text(value: Any) -> str | None:
    if isinstance(value, Mapping):
        # `error` may come as an object; its message is what an analyst needs.
        value = value.get("message") or value.get("errorMessage") or value.get("description")
    return read_text(value)


def _polling_hours(value: Any) -> int | None:
    """`pollingFrequency` is an object `{hours, minutes}` (qualysdk reads both); a bare number
    is taken as hours."""
    if isinstance(value, Mapping):
        hours = read_int(value.get("hours")) or 0
        minutes = read_int(value.get("minutes")) or 0
        return hours + round(minutes / 60) if hours or minutes else None
    return read_int(value)


def parse_connector(provider: str, item: Mapping[str, Any]) -> Connector:
    account = next(
        (_text(item.get(key)) for key in _ACCOUNT_KEYS.get(provider, ()) if item.get(key)),
        None,
    )
    return Connector(
        provider=provider,
        connector_id=_text(item.get("connectorId") or item.get("uuid") or item.get("id")),
        name=_text(item.get("name")),
        account_id=account,
        state=_text(item.get("state")),
        error=_text(item.get("error")),
        last_synced=_text(item.get("lastSyncedOn")),
        next_sync=_text(item.get("nextSyncedOn")),
        polling_hours=_polling_hours(item.get("pollingFrequency")),
        total_assets=read_int(item.get("totalAssets")),
        disabled=bool(item.get("isDisabled")),
        raw=dict(item),
    )


async def list_connectors(
    client: QualysClient,
    provider: str,
    *,
    limit: int | None = None,
    filter: str | None = None,
    page_size: int = PAGE_SIZE,
) -> tuple[list[Connector], int | None]:
    """Every connector of `provider` (lower case), and TotalCloud's total when it says.

    A 404 raises the core's NotLicensed (the module is off for the subscription).
    """
    check_provider(provider)
    style = cloudview_paging(page_size)
    params = {"filter": filter} if filter else {}
    found: list[Connector] = []
    total: int | None = None
    async for page in client.gateway.pages(
        "GET",
        connectors_path(provider),
        style,
        PageRequest(params=params),
        limit=limit,
        module=MODULE,
    ):
        total = page.total if page.total is not None else total
        found.extend(
            parse_connector(provider, item) for item in page.items if isinstance(item, Mapping)
        )
    return found, total


def cloudview_paging(page_size: int = PAGE_SIZE) -> PageNumber:
    """CloudView's paging (`pageNo` from 0, `content`, `totalElements`, `last`) at this size."""
    return (
        CLOUDVIEW if page_size == CLOUDVIEW.page_size else replace(CLOUDVIEW, page_size=page_size)
    )
