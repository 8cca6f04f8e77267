"""A test plugin contributing two real endpoint shapes through the simulator hook.

The VMDR host list (FO XML, truncation paging, catalogue §7) and the Container Security image
list (gateway JSON, `pageNumber` from 1, §12) exercise the framework and the core client's
paging without any product plugin; they are registered only in these tests. The VMDR plugin
serves the real host list, so test_contracts leaves this imitation out when VMDR is installed.
"""

from __future__ import annotations

from collections.abc import Iterator

from qualys_core.plugins import hookimpl
from qualys_core.simulator import (
    ContractCase,
    SimRequest,
    SimRoute,
    element,
    iso,
    json_response,
    xml_stream,
)
from qualys_core.simulator.routes import ParameterError


async def host_list(request: SimRequest):
    if request.param("action") != "list":
        raise ParameterError("action", request.param("action") or "", "must be list, got")
    limit = request.int_param("truncation_limit", 1000) or 0
    id_min = request.int_param("id_min", 0) or 0
    hosts = list(request.tenant.hosts_from(id_min))
    page = hosts if limit == 0 else hosts[:limit]
    more = limit and len(hosts) > limit
    request.count(len(page))

    def parts() -> Iterator[str]:
        yield "<HOST_LIST_OUTPUT><RESPONSE>"
        yield element("DATETIME", iso(request.tenant.now), raw=True)
        yield "<HOST_LIST>"
        for host in page:
            yield (
                "<HOST>"
                + element("ID", host.host_id)
                + element("IP", host.ip, raw=True)
                + element("TRACKING_METHOD", host.tracking_method, raw=True)
                + element("DNS", host.dns)
                + element("OS", host.os)
                + "</HOST>"
            )
        yield "</HOST_LIST>"
        if more:
            next_id = page[-1].host_id + 1
            url = (
                f"{request.base_url}{request.request.url.path}?action=list"
                f"&truncation_limit={limit}&id_min={next_id}"
            )
            yield (
                "<WARNING><CODE>1980</CODE>"
                + element("TEXT", f"{limit} record limit exceeded. Use URL to get next batch")
                + element("URL", url)
                + "</WARNING>"
            )
        yield "</RESPONSE></HOST_LIST_OUTPUT>"

    return xml_stream(parts(), doctype="HOST_LIST_OUTPUT")


async def images(request: SimRequest):
    page_size = request.int_param("pageSize", 50) or 50
    number = request.int_param("pageNumber", 1) or 1
    if number < 1:
        raise ParameterError("pageNumber", str(number), "starts at 1, got")
    all_images = [
        {"imageId": f"sha256:{host.asset_id:064x}", "repo": f"registry.example.com/{host.name}"}
        for host in request.tenant.hosts[::10]
    ]
    start = (number - 1) * page_size
    data = all_images[start : start + page_size]
    request.count(len(data))
    return json_response({"data": data, "count": len(all_images)})


HOST_LIST = SimRoute(
    name="testsim.host_list",
    host="api",
    path="/api/{version}/fo/asset/host/",
    methods=("GET", "POST"),
    handler=host_list,
    module="vmdr",
    endpoint_class="hosts",
    contract=(
        ContractCase(
            "POST",
            "/api/3.0/fo/asset/host/",
            client="qualysdk get_host_list_backend (§7)",
            form={"action": "list", "details": "Basic", "truncation_limit": "10"},
            root="HOST_LIST_OUTPUT",
            xml_paths=("RESPONSE/HOST_LIST/HOST/ID", "RESPONSE/WARNING/URL"),
        ),
    ),
)
IMAGES = SimRoute(
    name="testsim.images",
    host="gateway",
    path="/csapi/v1.3/images",
    methods=("GET",),
    handler=images,
    module="cs",
    endpoint_class="containers",
    contract=(
        ContractCase(
            "GET",
            "/csapi/v1.3/images",
            client="qualys-mcp get_images (§12a)",
            params={"pageSize": "1", "pageNumber": "1"},
            json_keys=("data", "count"),
        ),
    ),
)


@hookimpl
def qualys_simulator_routes(tenant):
    return [HOST_LIST, IMAGES]


@hookimpl
def qualys_simulator_tenant(tenant):
    tenant.extensions["testsim"] = {"hosts_seen": len(tenant.hosts)}
