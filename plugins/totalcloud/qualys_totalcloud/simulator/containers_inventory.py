"""Simulated Container Security endpoints besides images: containers (paged and the bulk list
with `Link` cursors), one container and its vulnerabilities, registries, sensors, sensor
profiles, and the vulnerability view (`/vuln`, `/vuln/count`, `/vulnerability/{uuid}`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from qualys_core.simulator import (
    ContractCase,
    ParameterError,
    SimRequest,
    SimRoute,
    gateway_error,
    json_response,
)
from qualys_totalcloud.simulator.cloud_data import stable_uuid
from qualys_totalcloud.simulator.container_data import (
    Container,
    container_sha,
    estate,
    image_sha,
)
from qualys_totalcloud.simulator.containers_qql import (
    Term,
    millis,
    page,
    parse_filter,
    sort_items,
)
from qualys_totalcloud.simulator.containers_records import (
    container_record,
    profile_record,
    registry_record,
    sensor_record,
    vuln_record,
    vulnerability_detail,
    vulnerability_record,
)

__all__ = ["inventory_routes"]

MODULE = "CS"
CONTAINER_TOKENS = (
    "state",
    "imageId",
    "imageSha",
    "containerId",
    "sha",
    "host.hostname",
    "host.ipAddress",
)
STATES = ("RUNNING", "STOPPED", "DELETED", "CREATED", "PAUSED", "RESTARTING", "EXITED")
MAX_BULK_LIMIT = 250  # vendor: Fetch a Detailed Containers List, limit 1 to 250

_CONTRACT_CONTAINER = container_sha(image_sha("nginx", "1.24.0"), 0)
_CONTAINER_SORT: dict[str, Callable[[Container], Any]] = {
    "created": lambda c: c.created,
    "updated": lambda c: c.updated,
    "stateChanged": lambda c: c.state_changed,
}


def _container_matches(container: Container, term: Term) -> bool:
    field = {
        "state": container.state,
        "imageId": container.image.image_id,
        "imageSha": container.image.sha,
        "containerId": container.container_id,
        "sha": container.sha,
        "host.hostname": container.host.dns,
        "host.ipAddress": container.host.ip,
    }[term.key]
    return field.lower() in {v.lower() for v in term.values}


def _filtered(request: SimRequest) -> list[Container]:
    terms = parse_filter(request.param("filter"), CONTAINER_TOKENS)
    for term in terms:
        if term.key == "state" and not all(v.upper() in STATES for v in term.values):
            raise ParameterError("filter", term.value, f"needs a state ({', '.join(STATES)}) for")
    found = estate(request.tenant).containers
    return [c for c in found if all(_container_matches(c, t) for t in terms)]


async def list_containers(request: SimRequest) -> Response:
    found = sort_items(request, _filtered(request), _CONTAINER_SORT)
    rows = [container_record(c) for c in page(request, found)]
    return json_response({"data": rows, "count": len(found)})


def _ms(container: Container) -> int:
    return int(millis(container.updated) or 0)


def _cursor(cursor: str | None) -> tuple[int | None, list[str]]:
    """A `paginationQuery` cursor, written as the vendor's sample is:
    `updated>=<ms> AND not uuid: [<uuid>,...]` (the uuids already sent at that moment)."""
    if cursor is None:
        return None, []
    head, _, excluded = cursor.partition(" AND not uuid: ")
    since = head.removeprefix("updated>=")
    if not since.isdecimal() or not excluded.startswith("["):
        raise ParameterError("paginationQuery", cursor)
    return int(since), [u.strip() for u in excluded.strip("[] ").split(",") if u.strip()]


async def bulk_containers(request: SimRequest) -> Response:
    """`/containers/list` (qualysdk list_containers, §12b): `limit` per call, the next call's
    URL in the `Link` header, no `Link` on the last page."""
    limit = request.int_param("limit", 50)
    assert limit is not None
    if not 1 <= limit <= MAX_BULK_LIMIT:
        raise ParameterError("limit", str(limit), f"must be 1 to {MAX_BULK_LIMIT}:")
    since, sent = _cursor(request.param("paginationQuery"))
    ordered = sorted(_filtered(request), key=lambda c: (c.updated, c.uuid))
    rest = [c for c in ordered if (since is None or _ms(c) >= since) and c.uuid not in sent]
    chunk = rest[:limit]
    request.count(len(chunk))
    headers = {}
    if len(rest) > limit:
        last = _ms(chunk[-1])
        same = (sent if since == last else []) + [c.uuid for c in chunk if _ms(c) == last]
        cursor = f"updated>={last} AND not uuid: [{','.join(same)}]"
        query = {"limit": str(limit), "paginationQuery": cursor}
        if request.param("filter"):
            query["filter"] = request.param("filter") or ""
        headers["Link"] = f"<{request.base_url}{request.route.path}?{urlencode(query)}>;rel=next"
    rows = [container_record(c, detail=True) for c in chunk]
    return json_response({"data": rows}, headers=headers)


def _container(request: SimRequest) -> Container | Response:
    found = estate(request.tenant).container(request.path_params["container"])
    if found is None:
        return gateway_error("Container not found", status=404, code="404 NOT_FOUND")
    return found


async def container_detail(request: SimRequest) -> Response:
    found = _container(request)
    if isinstance(found, Response):
        return found
    request.count(1)
    return json_response(container_record(found, detail=True))


async def container_vulns(request: SimRequest) -> Response:
    found = _container(request)
    if isinstance(found, Response):
        return found
    if request.param("filter"):
        raise ParameterError("filter", request.param("filter") or "", "is not served here:")
    vulns = found.image.vulns
    request.count(len(vulns))
    # qualysdk get_container_vulns reads `details.vulns` (§12b).
    return json_response({"details": {"vulns": [vuln_record(v) for v in vulns]}})


def _no_filter(request: SimRequest) -> None:
    if request.param("filter"):
        raise ParameterError("filter", request.param("filter") or "", "is not served here:")


async def list_registries(request: SimRequest) -> Response:
    _no_filter(request)
    est = estate(request.tenant)
    repositories = {
        r.uuid: len({i.repository for i in est.images if i.registry is r}) for r in est.registries
    }
    registries = list(est.registries)
    rows = [registry_record(r, repositories[r.uuid]) for r in page(request, registries)]
    return json_response({"data": rows, "count": len(registries)})


async def list_sensors(request: SimRequest) -> Response:
    _no_filter(request)
    sensors = sort_items(
        request,
        list(estate(request.tenant).sensors),
        {"lastCheckedIn": lambda s: s.last_checked_in, "created": lambda s: s.created},
    )
    return json_response(
        {"data": [sensor_record(s) for s in page(request, sensors)], "count": len(sensors)}
    )


async def list_profiles(request: SimRequest) -> Response:
    _no_filter(request)
    profiles = estate(request.tenant).profiles
    rows = [profile_record(p) for p in page(request, profiles)]
    return json_response({"data": rows, "count": len(profiles)})


async def list_vulnerabilities(request: SimRequest) -> Response:
    _no_filter(request)
    views = estate(request.tenant).vulnerabilities
    rows = [vulnerability_record(v) for v in page(request, views)]
    return json_response({"data": rows, "count": len(views)})


async def vulnerability_count(request: SimRequest) -> Response:
    group = request.param("groupBy")
    if group != "severity":
        raise ParameterError("groupBy", group or "", "must be severity:")
    counts = dict.fromkeys(range(5, 0, -1), 0)
    for view in estate(request.tenant).vulnerabilities:
        counts[view.vuln.severity] += 1
    request.count(5)
    # One of the two shapes qualys-mcp reads (§12a S8, §12d): a list of {key, count}.
    return json_response([{"key": str(s), "count": n} for s, n in counts.items()])


async def vulnerability(request: SimRequest) -> Response:
    view = estate(request.tenant).vulnerability(request.path_params["uuid"])
    if view is None:
        return gateway_error("Vulnerability not found", status=404, code="404 NOT_FOUND")
    request.count(1)
    return json_response(vulnerability_detail(view))


def _route(name: str, path: str, handler: Any, *cases: ContractCase) -> SimRoute:
    return SimRoute(
        name=f"totalcloud.{name}", host="gateway", path=path, methods=("GET",), handler=handler,
        module=MODULE, endpoint_class="containers", contract=cases,
    )  # fmt: skip


def _get(path: str, client: str, *keys: str, status: str = "200", **params: str) -> ContractCase:
    return ContractCase(
        "GET", path, client=client, params=params, json_keys=keys, status=int(status)
    )


_ONE_PAGE: dict[str, str] = {"pageSize": "50", "pageNumber": "1"}
_C = "/csapi/v1.3/containers"
_VULN = "/csapi/v1.3/vulnerability/"


def inventory_routes() -> list[SimRoute]:
    rapid_reset = stable_uuid("cs-vulnerability", 87510)  # on the pinned nginx image
    return [
        _route("cs_containers", _C, list_containers,
               _get(_C, "qualys-mcp get_containers (§12a S2)", "data.containerId",
                    "data.imageId", "data.host.hostname", "data.state", "count",
                    filter="state:RUNNING", pageSize="100", pageNumber="1"),
               _get(_C, "vendor sample, Fetch a List of Containers in Your Account",
                    "data.sha", sort="created:desc", **_ONE_PAGE),
               _get(_C, "a state outside the CS states is a 400", "message", status="400",
                    filter="state:ON_FIRE")),
        _route("cs_containers_bulk", f"{_C}/list", bulk_containers,
               _get(f"{_C}/list", "qualysdk list_containers (§12b)", "data.containerId",
                    "data.host.ipAddress", filter="state:RUNNING", limit="2")),
        _route("cs_container", f"{_C}/{{container}}", container_detail,
               _get(f"{_C}/{_CONTRACT_CONTAINER}", "qualysdk get_container_details (§12b)",
                    "containerId", "imageId", "host.hostname", "state")),
        _route("cs_container_vulns", f"{_C}/{{container}}/vuln", container_vulns,
               _get(f"{_C}/{_CONTRACT_CONTAINER}/vuln", "qualysdk get_container_vulns (§12b)",
                    "details.vulns.qid", "details.vulns.cveids")),
        _route("cs_registries", "/csapi/v1.3/registry", list_registries,
               _get("/csapi/v1.3/registry", "qualys-mcp get_cs_registries (§12a S11)",
                    "data.uuid", "data.registryUri", "data.registryType", "data.lastScanDate",
                    **_ONE_PAGE)),
        _route("cs_sensors", "/csapi/v1.3/sensors", list_sensors,
               _get("/csapi/v1.3/sensors", "qualys-mcp-full list_cs_sensors (§12b)",
                    "data.uuid", "data.hostname", "data.sensorVersion", "data.lastCheckedIn",
                    **_ONE_PAGE)),
        _route("cs_sensor_profiles", "/csapi/v1.3/sensorProfile", list_profiles,
               _get("/csapi/v1.3/sensorProfile", "qualys-mcp get_cs_sensor_profiles (§12a S13)",
                    "data.profileId", "data.profileName", "data.associatedSensorsCount",
                    **_ONE_PAGE)),
        _route("cs_vulns", "/csapi/v1.3/vuln", list_vulnerabilities,
               _get("/csapi/v1.3/vuln", "qualys-mcp get_container_vulns_summary (§12a S8)",
                    "count", "data.qid", pageSize="1", pageNumber="1")),
        _route("cs_vuln_count", "/csapi/v1.3/vuln/count", vulnerability_count,
               _get("/csapi/v1.3/vuln/count", "qualys-mcp get_container_vulns_summary (§12a S8)",
                    "key", "count", groupBy="severity")),
        _route("cs_vulnerability", "/csapi/v1.3/vulnerability/{uuid}", vulnerability,
               _get(f"{_VULN}{rapid_reset}", "qualys-mcp get_cs_vulnerability_detail (§12a S9)",
                    "vulnDef.cveList.id", "vulnDef.qid", "vulnerabilityDetailDTO.imageCount")),
    ]  # fmt: skip
