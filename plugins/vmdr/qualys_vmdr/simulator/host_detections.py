"""The simulated VMDR host detection API, ``/api/{version}/fo/asset/host/vm/detection/``.

Catalogue §6: GET query or POST form on every API version, detections selected per host as
the stream reaches it (`Tenant.detections` computes them on demand, and nothing is kept), hosts
without a matching detection left out as Qualys does, and 1980 truncation by host count.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from starlette.responses import Response

from qualys_core.simulator import (
    ContractCase,
    Host,
    ParameterError,
    SimRequest,
    SimRoute,
    Tenant,
    element,
    iso,
    xml_stream,
)
from qualys_core.simulator.kb import qds_severity
from qualys_vmdr.simulator.fo_common import (
    bounds,
    choice,
    date_param,
    flag,
    id_set,
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

if TYPE_CHECKING:
    from qualys_core.simulator.tenant import Detection

__all__ = ["DetectionQuery", "detection_xml", "routes"]


async def host_detections(request: SimRequest) -> Response:
    refused = list_action(request)
    if refused is not None:
        return refused
    query = DetectionQuery(request)
    limit = truncation_limit(request)
    show = Show(request)
    hosts = HostSelection(request)
    request.count(page_size(hosts(), limit))
    body = _detection_parts(request, hosts(), query, show, limit)
    return xml_stream(body, doctype="HOST_LIST_VM_DETECTION_OUTPUT")


_STATUSES = ("New", "Active", "Re-Opened", "Fixed")
# Without `status` the guide returns New, Active and Re-Opened detections, not Fixed ones.
_DEFAULT_STATUSES = frozenset(_STATUSES[:3])
_VULN_TYPES = {"confirmed": "Confirmed", "potential": "Potential"}
_Window = tuple[datetime | None, datetime | None]


def _in_window(moment: datetime, window: _Window, *, since: bool = False) -> bool:
    """After the first bound (or at it, for a `since` bound) and before the second."""
    low, high = window
    if low is not None and (moment < low if since else moment <= low):
        return False
    return high is None or moment < high


class DetectionQuery:
    """The detection-level filters and output switches of one host detection request."""

    def __init__(self, request: SimRequest) -> None:
        self.statuses = _statuses(request)
        self.severities = id_set(request, "severities", low=1, high=5)
        self.qids = id_set(request, "qids")
        self.qds = bounds(request, "qds_min", "qds_max", 1, 100)
        self.include_ignored = flag(request, "include_ignored")
        self.include_disabled = flag(request, "include_disabled")
        # Information gathered QIDs only with show_igs=1, which qualysetl sends (§6b).
        self.show_igs = flag(request, "show_igs")
        kind = choice(request, "include_vuln_type", ("confirmed", "potential"), "")
        self.vuln_type = _VULN_TYPES.get(kind)
        self.updated = _window(request, "detection_updated_since", "detection_updated_before")
        self.processed = _window(request, "detection_processed_after", "detection_processed_before")
        self.vm_processed = _window(request, "vm_processed_after", "vm_processed_before")
        self.show_qds = flag(request, "show_qds")
        self.show_qds_factors = flag(request, "show_qds_factors")
        # Shown unless show_results=0: qualys-mcp sends 0 to leave results out, and qualysdk
        # documents 1 as the default (helpers.py hld_backend).
        self.show_results = flag(request, "show_results", default=True)
        # Accepted and checked; the simulated KB supersedes no QID, so nothing is filtered.
        flag(request, "filter_superseded_qids")

    def select(self, detections: list[Detection]) -> list[Detection]:
        """The host's detections this request returns (none when the host is filtered out)."""
        if not detections:
            return []
        # Every detection of a host carries the processing time of the host's last scan.
        if not _in_window(detections[0].last_processed, self.vm_processed):
            return []
        return [detection for detection in detections if self._keeps(detection)]

    def _keeps(self, found: Detection) -> bool:
        if found.status not in self.statuses:
            return False
        if found.type == "Info":
            if not self.show_igs:
                return False
        elif self.vuln_type is not None and found.type != self.vuln_type:
            return False
        if (found.is_ignored and not self.include_ignored) or (
            found.is_disabled and not self.include_disabled
        ):
            return False
        if self.severities is not None and found.severity not in self.severities:
            return False
        if self.qids is not None and found.qid not in self.qids:
            return False
        # LAST_UPDATE_DATETIME is the time the last scan was processed into the detection.
        return (
            within(found.qds, self.qds)
            and _in_window(found.last_processed, self.updated, since=True)
            and _in_window(found.last_processed, self.processed)
        )


def _statuses(request: SimRequest) -> frozenset[str]:
    raw = request.param("status")
    if raw is None:
        return _DEFAULT_STATUSES
    chosen: set[str] = set()
    for item in request.list_param("status"):
        name = next((s for s in _STATUSES if s.lower() == item.lower()), None)
        if name is None:
            raise ParameterError("status", raw)
        chosen.add(name)
    if not chosen:
        raise ParameterError("status", raw)
    return frozenset(chosen)


def _window(request: SimRequest, after: str, before: str) -> _Window:
    return date_param(request, after), date_param(request, before)


def detection_xml(found: Detection, host: Host, query: DetectionQuery) -> str:
    """One DETECTION, in the order of Qualys' detection DTD (written out by hand: this runs
    for every detection of an 89,000-host pull)."""
    parts = [
        f"<DETECTION><UNIQUE_VULN_ID>{found.unique_vuln_id}</UNIQUE_VULN_ID>"
        f"<QID>{found.qid}</QID><TYPE>{found.type}</TYPE><SEVERITY>{found.severity}</SEVERITY>"
    ]
    if found.port is not None:
        parts.append(
            f"<PORT>{found.port}</PORT><PROTOCOL>{found.protocol}</PROTOCOL>"
            f"<SSL>{1 if found.ssl else 0}</SSL>"
        )
    if query.show_results and found.results:
        parts.append(element("RESULTS", found.results))
    parts.append(
        f"<STATUS>{found.status}</STATUS>"
        f"<FIRST_FOUND_DATETIME>{iso(found.first_found)}</FIRST_FOUND_DATETIME>"
        f"<LAST_FOUND_DATETIME>{iso(found.last_found)}</LAST_FOUND_DATETIME>"
    )
    if query.show_qds:
        parts.append(f'<QDS severity="{qds_severity(found.qds)}">{found.qds}</QDS>')
    if query.show_qds_factors and found.qds_factors:
        factors = "".join(
            element("QDS_FACTOR", value, name=name) for name, value in found.qds_factors
        )
        parts.append(f"<QDS_FACTORS>{factors}</QDS_FACTORS>")
    processed = iso(found.last_processed)
    parts.append(
        f"<TIMES_FOUND>{found.times_found}</TIMES_FOUND>"
        f"<LAST_TEST_DATETIME>{iso(host.last_scanned)}</LAST_TEST_DATETIME>"
        f"<LAST_UPDATE_DATETIME>{processed}</LAST_UPDATE_DATETIME>"
    )
    if found.last_fixed is not None:
        parts.append(f"<LAST_FIXED_DATETIME>{iso(found.last_fixed)}</LAST_FIXED_DATETIME>")
    parts.append(
        f"<IS_IGNORED>{1 if found.is_ignored else 0}</IS_IGNORED>"
        f"<IS_DISABLED>{1 if found.is_disabled else 0}</IS_DISABLED>"
        f"<LAST_PROCESSED_DATETIME>{processed}</LAST_PROCESSED_DATETIME></DETECTION>"
    )
    return "".join(parts)


async def _detection_parts(
    request: SimRequest,
    hosts: Iterator[Host],
    query: DetectionQuery,
    show: Show,
    limit: int,
) -> AsyncIterator[str]:
    tenant = request.tenant
    yield "<HOST_LIST_VM_DETECTION_OUTPUT><RESPONSE>" + element(
        "DATETIME", iso(tenant.now), raw=True
    )
    sent, last_id, more = 0, 0, False
    opened = False
    for visited, host in enumerate(hosts, start=1):
        if visited % YIELD_EVERY == 0:
            await asyncio.sleep(0)
        found = query.select(tenant.detections(host))
        if not found:
            continue  # Qualys leaves out hosts with no matching detection
        if limit and sent == limit:
            more = True
            break
        if not opened:
            yield "<HOST_LIST>"
            opened = True
        yield _detection_host(host, tenant, found, query, show)
        sent += 1
        last_id = host.host_id
    if opened:
        yield "</HOST_LIST>"
    if more:
        yield truncation_warning(request, limit, last_id + 1)
    yield "</RESPONSE></HOST_LIST_VM_DETECTION_OUTPUT>"


def _detection_host(
    host: Host, tenant: Tenant, found: list[Detection], query: DetectionQuery, show: Show
) -> str:
    """One HOST of the detection list, in the order of Qualys' detection DTD."""
    return (
        "<HOST>"
        + identity(host, show)
        + element("OS", host.os)
        + element("DNS", host.dns)
        + dns_data(host)
        + cloud_elements(host)
        + element("NETBIOS", host.netbios)
        + scan_stamp("LAST_SCAN_DATETIME", host)
        + scan_stamp("LAST_VM_SCANNED_DATE", host)
        + auth_scan(host)
        + (tags_element(host, tenant) if show.tags else "")
        + "<DETECTION_LIST>"
        + "".join(detection_xml(detection, host, query) for detection in found)
        + "</DETECTION_LIST></HOST>"
    )


_PATH = "/api/{version}/fo/asset/host/vm/detection/"
_HOSTS = "RESPONSE/HOST_LIST/HOST"
_DETECTION = f"{_HOSTS}/DETECTION_LIST/DETECTION"


def routes() -> list[SimRoute]:
    return [
        SimRoute(
            name="vmdr.detections",
            host="api",
            path=_PATH,
            methods=("GET", "POST"),
            handler=host_detections,
            module="vmdr",
            endpoint_class="detections",
            requested_with=True,
            contract=_CONTRACT,
        )
    ]


_CONTRACT = (
    ContractCase(
        "GET",
        "/api/2.0/fo/asset/host/vm/detection/",
        client="qualys-mcp api.py get_detections (§6a V1)",
        params={
            "action": "list",
            "severities": "5",
            "status": "Active",
            "show_qds": "1",
            "filter_superseded_qids": "1",
            "vm_processed_after": "2025-12-16",
        },
        root="HOST_LIST_VM_DETECTION_OUTPUT",
        xml_paths=(f"{_HOSTS}/ID", f"{_HOSTS}/DNS", f"{_DETECTION}/QDS", f"{_DETECTION}/STATUS"),
    ),
    ContractCase(
        "GET",
        "/api/2.0/fo/asset/host/vm/detection/",
        client="qualys-mcp aggregators.py investigate_cve_agg (§6a V5)",
        params={
            "action": "list",
            "qids": "38920",
            "status": "New,Active,Re-Opened",
            "truncation_limit": "20",
            "show_results": "0",
        },
        root="HOST_LIST_VM_DETECTION_OUTPUT",
        xml_paths=(f"{_HOSTS}/OS", f"{_HOSTS}/DNS_DATA/HOSTNAME", f"{_DETECTION}/QID"),
    ),
    ContractCase(
        "POST",
        "/api/5.0/fo/asset/host/vm/detection/",
        client="qualysdk helpers.py hld_backend, one ID chunk, truncated (§6b)",
        form={
            "action": "list",
            "echo_request": "0",
            "show_results": "1",
            "output_format": "XML",
            "ids": "1001-1100",
            "truncation_limit": "10",
            "show_qds": "1",
            "show_qds_factors": "1",
            "show_asset_id": "1",
        },
        root="HOST_LIST_VM_DETECTION_OUTPUT",
        xml_paths=(
            f"{_HOSTS}/ASSET_ID",
            f"{_DETECTION}/RESULTS",
            f"{_DETECTION}/QDS_FACTORS/QDS_FACTOR",
            "RESPONSE/WARNING/CODE",
            "RESPONSE/WARNING/URL",
        ),
    ),
    ContractCase(
        "POST",
        "/api/5.0/fo/asset/host/vm/detection/",
        client="qualysetl host_list_detection_extract, one ID batch (§6b)",
        form={
            "action": "list",
            "show_asset_id": "1",
            "show_reopened_info": "1",
            "show_tags": "0",
            "show_results": "1",
            "show_igs": "1",
            "status": "Active,New,Re-Opened,Fixed",
            "include_ignored": "1",
            "include_disabled": "1",
            "show_qds": "1",
            "show_qds_factors": "1",
            "show_arf_data": "1",
            "arf_filter_keys": "non-running-kernel",
            "mitre_attack_details": "1",
            "truncation_limit": "0",
            "ids": "1001,1002,1003,1004,1005,1006,1007,1008,1009,1010",
        },
        root="HOST_LIST_VM_DETECTION_OUTPUT",
        xml_paths=(f"{_HOSTS}/ASSET_ID", f"{_DETECTION}/LAST_FIXED_DATETIME"),
    ),
    ContractCase(
        "POST",
        "/api/5.0/fo/asset/host/vm/detection/",
        client="qualysetl get_qualys_limits_from_host_list_detection (§6b)",
        form={"action": "list", "truncation_limit": "1"},
        root="HOST_LIST_VM_DETECTION_OUTPUT",
        xml_paths=(f"{_HOSTS}/ID", "RESPONSE/WARNING/CODE"),
    ),
    ContractCase(
        "GET",
        "/api/3.0/fo/asset/host/vm/detection/",
        client="qualys-mcp-full host_assets.py list_host_detections (§6b)",
        params={
            "action": "list",
            "severities": "4-5",
            "qds_min": "70",
            "show_qds": "1",
            "use_tags": "1",
            "tag_set_by": "name",
            "tag_set_include": "Production",
            "show_tags": "1",
        },
        root="HOST_LIST_VM_DETECTION_OUTPUT",
        xml_paths=(f"{_HOSTS}/TAGS/TAG/NAME", f"{_DETECTION}/QDS"),
    ),
)
