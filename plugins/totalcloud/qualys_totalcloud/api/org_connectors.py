"""AWS organization connectors of the Connectors API on the gateway (§10, T11 and T12).

- `GET /connectors/v1.0/aws/org/connector?pageSize=&pageNumber=`: `content[]` with `id`,
  `name`, `uuid`, `state`, `lastSynced`, `numberOfConnectorsAttached`,
  `connectorCapabilities`; `numberOfElements`. `pageNumber` counts from 0, as on the vendor's
  Azure tenant-connector list of the same API.
- `GET /connectors/v1.0/aws/org/{id}`: adds `nextSync`, `orgRunFrequency.hours`,
  `connectorPrefixName`, `lastError`.

The reference asked for the details one connector after another; here they are asked for
together (the core client keeps to the API's concurrency limit). A detail that fails leaves
its connector with the list's fields and the reason in `detail_error`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from qualys_core.errors import QualysError
from qualys_core.http.client import QualysClient
from qualys_core.http.paging import PageNumber, PageRequest
from qualys_core.http.values import read_text

__all__ = [
    "HEALTHY_STATE",
    "LIST_PATH",
    "OrgConnector",
    "detail_path",
    "list_org_connectors",
    "parse_org_connector",
    "parse_timestamp",
]

MODULE = "CLOUDVIEW"
LIST_PATH = "/connectors/v1.0/aws/org/connector"
PAGE_SIZE = 1000  # qualys-mcp asks for up to 1000 in one page
HEALTHY_STATE = "FINISHED_SUCCESS"  # the state the vendor's org-connector samples show

_JAVA_DATE = "%a %b %d %H:%M:%S %Z %Y"


def detail_path(org_id: int | str) -> str:
    return f"/connectors/v1.0/aws/org/{org_id}"


def parse_timestamp(value: Any) -> datetime | None:
    """A Qualys connector timestamp as an aware UTC datetime, or None.

    Reads ISO 8601 (with `Z`, an offset or milliseconds, as the Connectors API sends) and the
    Java date form CloudView's connector list sends ("Wed Jan 14 06:00:00 UTC 2026", the form
    qualysdk parses), and epoch milliseconds.
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.strptime(text, _JAVA_DATE)
        except ValueError:
            return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _hours(value: Any) -> int | None:
    """`orgRunFrequency`: an object with `hours` (and `minutes`) as qualys-mcp reads it; the
    vendor's update API takes a number of minutes, read here too."""
    if isinstance(value, Mapping):
        value = value.get("hours")
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return max(1, round(value / 60))
    return None


class OrgConnector(BaseModel):
    """One AWS organization connector: the list's fields, completed by its detail."""

    model_config = ConfigDict(frozen=True)

    id: int | str | None = None
    name: str | None = None
    uuid: str | None = None
    state: str | None = None
    last_synced: datetime | None = None
    attached: int | None = None  # numberOfConnectorsAttached
    capabilities: tuple[str, ...] = ()
    prefix: str | None = None  # connectorPrefixName: what member connectors' names start with
    last_error: str | None = None
    next_sync: datetime | None = None
    run_frequency_hours: int | None = None
    disabled: bool = False
    detail_error: str | None = None

    @property
    def healthy(self) -> bool:
        return self.state == HEALTHY_STATE

    @property
    def failed(self) -> bool:
        """Errored as the reference judges it: the state says ERROR or FAIL."""
        state = (self.state or "").upper()
        return "ERROR" in state or "FAIL" in state


def parse_org_connector(item: Mapping[str, Any]) -> OrgConnector:
    capabilities = item.get("connectorCapabilities") or ()
    if isinstance(capabilities, str):
        capabilities = (capabilities,)
    attached = item.get("numberOfConnectorsAttached")
    return OrgConnector(
        id=item.get("id"),
        name=read_text(item.get("name")),
        uuid=read_text(item.get("uuid")),
        state=read_text(item.get("state")),
        last_synced=parse_timestamp(item.get("lastSynced")),
        attached=attached if isinstance(attached, int) and not isinstance(attached, bool) else None,
        capabilities=tuple(str(c) for c in capabilities),
        prefix=read_text(item.get("connectorPrefixName")),
        last_error=read_text(item.get("lastError")),
        next_sync=parse_timestamp(item.get("nextSync")),
        run_frequency_hours=_hours(item.get("orgRunFrequency")),
        disabled=bool(item.get("isDisabled")),
    )


def _with_detail(org: OrgConnector, detail: Mapping[str, Any]) -> OrgConnector:
    found = parse_org_connector(detail)
    update = {
        key: value
        for key, value in found.model_dump(exclude_defaults=True).items()
        if key not in ("id", "detail_error")
    }
    return org.model_copy(update=update)


async def _detail(client: QualysClient, org: OrgConnector) -> OrgConnector:
    if org.id is None:
        return org
    try:
        body = await client.gateway.json("GET", detail_path(org.id), module=MODULE)
    except QualysError as exc:
        return org.model_copy(update={"detail_error": f"{exc.source_status}: {exc}"})
    return _with_detail(org, body) if isinstance(body, Mapping) else org


async def list_org_connectors(
    client: QualysClient, *, page_size: int = PAGE_SIZE
) -> list[OrgConnector]:
    """Every AWS organization connector with its detail. A 404 on the list raises the core's
    NotLicensed; a failing detail is kept as `detail_error` on its connector."""
    style = PageNumber(
        "pageNumber", base=0, page_size=page_size, items_key="content", total_key=None
    )
    found: list[OrgConnector] = []
    async for page in client.gateway.pages("GET", LIST_PATH, style, PageRequest(), module=MODULE):
        found.extend(parse_org_connector(i) for i in page.items if isinstance(i, Mapping))
    return list(await asyncio.gather(*(_detail(client, org) for org in found)))
