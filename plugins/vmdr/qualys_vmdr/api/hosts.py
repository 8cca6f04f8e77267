"""The VMDR host list client: host records with TruRisk and tags, and bare host-ID listings.

`/api/2.0/fo/asset/host/` (qualys-api.md §7). With `details=None` it answers only the IDs,
folded into `ID_RANGE`s, which is how qualysdk lists every host before partitioning a
detection pull; with `details=All` it answers the HOST records.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

from pydantic import BaseModel, Field

from qualys_core.http.client import QualysClient
from qualys_vmdr.api.fo import (
    child_int,
    child_text,
    closing,
    format_id_ranges,
    parse_id_ranges,
    tag_filter,
    tag_names,
)

__all__ = ["HOST_LIST_PATH", "HostRecord", "host_ids", "list_hosts", "parse_host_record"]

HOST_LIST_PATH = "/api/2.0/fo/asset/host/"
MODULE = "VMDR"
_PAGE = 1000


class HostRecord(BaseModel):
    """One VMDR host as the host list describes it (details=All, show_trurisk=1, show_tags=1)."""

    host_id: int
    asset_id: int | None = None
    ip: str | None = None
    dns: str | None = None
    netbios: str | None = None
    os: str | None = None
    tracking_method: str | None = None
    last_vuln_scan: str | None = None
    last_activity: str | None = None
    agent_status: str | None = None
    trurisk: int | None = None
    criticality: int | None = None
    tags: list[str] = Field(default_factory=list)
    cloud_provider: str | None = None
    cloud_resource_id: str | None = None


def host_dns(host: Element) -> str | None:
    """DNS name of a HOST: `DNS`, else the FQDN or hostname of `DNS_DATA`."""
    return (
        child_text(host, "DNS")
        or child_text(host, "DNS_DATA/FQDN")
        or child_text(host, "DNS_DATA/HOSTNAME")
    )


def host_identity(element: Element, api: str) -> dict[str, Any]:
    """The fields every `HOST` element shares (host list and detection list alike): ids,
    addresses, names, OS and tags. ValueError when it has no numeric ID."""
    host_id = child_int(element, "ID")
    if host_id is None:
        raise ValueError(f"{api} HOST element without a numeric ID")
    return {
        "host_id": host_id,
        "asset_id": child_int(element, "ASSET_ID"),
        "ip": child_text(element, "IP") or child_text(element, "IPV6"),
        "dns": host_dns(element),
        "netbios": child_text(element, "NETBIOS"),
        "os": child_text(element, "OS"),
        "tracking_method": child_text(element, "TRACKING_METHOD"),
        "tags": tag_names(element),
        # A cloud host's resource id is the key TotalCloud knows the same machine by.
        "cloud_provider": child_text(element, "CLOUD_PROVIDER"),
        "cloud_resource_id": child_text(element, "CLOUD_RESOURCE_ID"),
    }


def parse_host_record(element: Element) -> HostRecord:
    """A `HOST` element of the host list; ValueError when it has no numeric ID."""
    return HostRecord(
        **host_identity(element, "host list"),
        last_vuln_scan=child_text(element, "LAST_VULN_SCAN_DATETIME")
        or child_text(element, "LAST_VM_SCANNED_DATE"),
        last_activity=child_text(element, "LAST_ACTIVITY"),
        agent_status=child_text(element, "AGENT_STATUS"),
        trurisk=child_int(element, "TRURISK_SCORE"),
        criticality=child_int(element, "ASSET_CRITICALITY_SCORE"),
    )


def _filters(*, ids: str | None, tag: str | None, asset_group: str | None = None) -> dict[str, str]:
    params = tag_filter(tag)
    if ids:
        params["ids"] = format_id_ranges(parse_id_ranges(ids, name="ids"))
    if asset_group:
        params["ag_titles"] = asset_group
    return params


async def host_ids(
    client: QualysClient,
    *,
    tag: str | None = None,
    ids: str | None = None,
    asset_group: str | None = None,
) -> list[int]:
    """The IDs of the hosts matching the filters, ascending (host list, details=None)."""
    # truncation_limit=0 asks for every ID in one answer, as qualysdk's pull_id_set does: the
    # IDs come folded into ranges, so even a large subscription's list stays small.
    params = {"action": "list", "details": "None", "truncation_limit": "0"}
    params.update(_filters(ids=ids, tag=tag, asset_group=asset_group))
    found: set[int] = set()
    records = client.api.iter_xml(
        HOST_LIST_PATH, params, ("ID", "ID_RANGE"), method="GET", module=MODULE
    )
    async with closing(records):
        async for record in records:
            text = (record.text or "").strip()
            for low, high in parse_id_ranges(text, name=f"host list {record.tag}"):
                found.update(range(low, high + 1))
    return sorted(found)


async def list_hosts(
    client: QualysClient,
    *,
    ids: str | None = None,
    ips: str | None = None,
    tag: str | None = None,
    limit: int | None = None,
) -> list[HostRecord]:
    """Host records matching the filters, ascending by host ID, at most `limit` of them."""
    if limit is not None and limit < 1:
        raise ValueError(f"limit: {limit} is not allowed; give 1 or more, or None for all")
    params = {
        "action": "list",
        "details": "All",
        "show_asset_id": "1",
        "show_tags": "1",
        "show_trurisk": "1",
        "truncation_limit": str(min(limit, _PAGE) if limit else _PAGE),
    }
    params.update(_filters(ids=ids, tag=tag))
    if ips:
        params["ips"] = ",".join(part.strip() for part in ips.split(",") if part.strip())
    hosts: list[HostRecord] = []
    # POST form: `ids` and `ips` lists can be long, and a form body has no URL length limit.
    records = client.api.iter_xml(HOST_LIST_PATH, params, ("HOST",), method="POST", module=MODULE)
    async with closing(records):
        async for record in records:
            hosts.append(parse_host_record(record))
            if limit is not None and len(hosts) >= limit:
                break
    return hosts
