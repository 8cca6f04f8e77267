"""The simulated VMDR host list, ``/api/{version}/fo/asset/host/``, and the host routes.

Catalogue §7: GET query or POST form on every API version, ``details`` from Basic to None
(an ID_SET), TruRisk and criticality with ``show_trurisk=1``, 1980 truncation by host count.
`routes` also returns the host detection route (`host_detections`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

from starlette.responses import Response

from qualys_core.simulator import (
    ContractCase,
    Host,
    SimRequest,
    SimRoute,
    Tenant,
    element,
    iso,
    xml_stream,
)
from qualys_core.simulator.csam_records import TenantView
from qualys_vmdr.simulator import host_detections
from qualys_vmdr.simulator.fo_common import (
    bounds,
    choice,
    list_action,
    truncation_limit,
    truncation_warning,
    within,
)
from qualys_vmdr.simulator.host_common import (
    YIELD_EVERY,
    HostSelection,
    Show,
    auth_scan,
    cloud_elements,
    dns_data,
    identity,
    page_size,
    scan_stamp,
    tags_element,
)

__all__ = ["routes"]

_DETAILS = ("Basic", "Basic/AGs", "All", "All/AGs", "None")
_PATH = "/api/{version}/fo/asset/host/"


class _HostList:
    """The host list handler, with one TruRisk view per tenant served (the real one and the
    `empty` fault's): TRURISK_SCORE is CSAM's riskScore, computed once per host."""

    def __init__(self) -> None:
        self._views: dict[int, TenantView] = {}

    def view(self, tenant: Tenant) -> TenantView:
        # Keyed by identity: the view holds the tenant, so the id cannot be reused meanwhile.
        found = self._views.get(id(tenant))
        if found is None or found.tenant is not tenant:
            found = self._views[id(tenant)] = TenantView(tenant)
        return found

    async def __call__(self, request: SimRequest) -> Response:
        refused = list_action(request)
        if refused is not None:
            return refused
        details = choice(request, "details", _DETAILS, "Basic")
        limit = truncation_limit(request)
        show = Show(request)
        trurisk = bounds(request, "trurisk_min", "trurisk_max", 0, 1000)
        hosts = HostSelection(request)
        view = self.view(request.tenant) if show.trurisk or trurisk != (None, None) else None

        def selected() -> Iterator[Host]:
            for host in hosts():
                if view is None or within(view.risk(host), trurisk):
                    yield host

        request.count(page_size(selected(), limit))
        body = _parts(request, selected(), details, show, view, limit)
        return xml_stream(body, doctype="HOST_LIST_OUTPUT")


async def _parts(
    request: SimRequest,
    hosts: Iterator[Host],
    details: str,
    show: Show,
    view: TenantView | None,
    limit: int,
) -> AsyncIterator[str]:
    tenant = request.tenant
    listing = "ID_SET" if details == "None" else "HOST_LIST"
    yield "<HOST_LIST_OUTPUT><RESPONSE>" + element("DATETIME", iso(tenant.now), raw=True)
    sent, last_id, more = 0, 0, False
    for host in hosts:
        if limit and sent == limit:
            more = True
            break
        if not sent:
            yield f"<{listing}>"
        if details == "None":
            # One ID per host and no ID_RANGE runs, though the DTD allows them: qualysdk reads
            # ID_SET/ID only (helpers.py pull_id_set). With show_asset_id=1 the IDs are asset
            # IDs, as qualysdk's VMDRID(TYPE="asset") expects.
            yield element("ID", host.asset_id if show.asset_id else host.host_id)
        else:
            yield _host_record(host, tenant, details, show, view)
        sent += 1
        last_id = host.host_id
        if sent % YIELD_EVERY == 0:
            await asyncio.sleep(0)
    if sent:
        yield f"</{listing}>"
    if more:
        yield truncation_warning(request, limit, last_id + 1)
    yield "</RESPONSE></HOST_LIST_OUTPUT>"


def _host_record(
    host: Host, tenant: Tenant, details: str, show: Show, view: TenantView | None
) -> str:
    """One HOST, its elements in the order of Qualys' host list DTD.

    Basic is identity, DNS, cloud and OS; All adds the dates (the guide's "All shows all basic
    host information plus last vulnerability and compliance scan dates"); "/AGs" adds
    ASSET_GROUP_IDS."""
    parts = [
        identity(host, show),
        element("DNS", host.dns),
        dns_data(host),
        cloud_elements(host),
        element("NETBIOS", host.netbios),
        element("OS", host.os),
    ]
    full = details.startswith("All")
    if full:
        parts.append(element("FIRST_FOUND_DATE", iso(host.first_found), raw=True))
        # The host record's latest change (scan upload, agent check-in, inventory update).
        parts.append(element("LAST_ACTIVITY", iso(host.last_modified), raw=True))
    if show.tags:
        parts.append(tags_element(host, tenant))
    if full:
        parts += [
            scan_stamp("LAST_VULN_SCAN_DATETIME", host),
            scan_stamp("LAST_VM_SCANNED_DATE", host),
            auth_scan(host),
        ]
    if details.endswith("/AGs"):
        groups = ",".join(str(group) for group in host.asset_groups)
        parts.append(element("ASSET_GROUP_IDS", groups, raw=True))
    if show.trurisk and view is not None:
        parts.append(element("TRURISK_SCORE", view.risk(host)))
        parts.append(element("ASSET_CRITICALITY_SCORE", host.criticality))
    return "<HOST>" + "".join(parts) + "</HOST>"


def _host_list_route() -> SimRoute:
    return SimRoute(
        name="vmdr.host_list",
        host="api",
        path=_PATH,
        methods=("GET", "POST"),
        handler=_HostList(),
        module="vmdr",
        endpoint_class="hosts",
        requested_with=True,
        contract=(
            ContractCase(
                "POST",
                "/api/3.0/fo/asset/host/",
                client="qualysdk get_host_list_backend (§7)",
                form={"action": "list", "details": "Basic", "truncation_limit": "10"},
                root="HOST_LIST_OUTPUT",
                xml_paths=(
                    "RESPONSE/HOST_LIST/HOST/ID",
                    "RESPONSE/HOST_LIST/HOST/DNS_DATA/HOSTNAME",
                    "RESPONSE/WARNING/URL",
                ),
            ),
            ContractCase(
                "POST",
                "/api/3.0/fo/asset/host/",
                client="qualysdk pull_id_set: every host ID (§7)",
                form={"action": "list", "details": "None", "truncation_limit": "0"},
                root="HOST_LIST_OUTPUT",
                xml_paths=("RESPONSE/ID_SET/ID",),
            ),
            ContractCase(
                "POST",
                "/api/5.0/fo/asset/host/",
                client="qualysetl host list extract (§7)",
                form={
                    "action": "list",
                    "details": "All",
                    "truncation_limit": "25000",
                    "show_tags": "1",
                    "show_cloud_tags": "1",
                    "show_asset_id": "1",
                    "host_metadata": "all",
                    "show_trurisk": "1",
                    "show_trurisk_factors": "1",
                },
                root="HOST_LIST_OUTPUT",
                xml_paths=(
                    "RESPONSE/HOST_LIST/HOST/ASSET_ID",
                    "RESPONSE/HOST_LIST/HOST/TAGS/TAG/NAME",
                    "RESPONSE/HOST_LIST/HOST/TRURISK_SCORE",
                    "RESPONSE/HOST_LIST/HOST/ASSET_CRITICALITY_SCORE",
                    "RESPONSE/HOST_LIST/HOST/LAST_VM_SCANNED_DATE",
                ),
            ),
            ContractCase(
                "GET",
                "/api/2.0/fo/asset/host/",
                client="qualys-mcp-full host_assets.py list_hosts (§7)",
                params={"action": "list", "ids": "1001-1020", "details": "All/AGs"},
                root="HOST_LIST_OUTPUT",
                xml_paths=("RESPONSE/HOST_LIST/HOST/ASSET_GROUP_IDS",),
            ),
        ),
    )


def routes() -> list[SimRoute]:
    return [_host_list_route(), *host_detections.routes()]
