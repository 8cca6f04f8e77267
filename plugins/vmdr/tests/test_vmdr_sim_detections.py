"""The simulated host detection API, called as Qualys clients call it: filters, paging, errors,
and a stream that is produced host by host."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree as ET

import httpx
import pytest

from qualys_core.simulator import SimConfig, SimulatorTransport, build_simulator
from qualys_core.testing import FIXED_NOW

PATH = "/api/2.0/fo/asset/host/vm/detection/"
OPEN = {"New", "Active", "Re-Opened"}


async def fetch(api, params, *, method="GET", path=PATH):
    if method == "GET":
        response = await api.get(path, params=params)
    else:
        response = await api.post(path, data=params)
    assert response.status_code == 200, response.text[:400]
    return ET.fromstring(response.content)


def pairs(root):
    return {
        (int(host.findtext("ID")), int(found.findtext("QID")))
        for host in root.iter("HOST")
        for found in host.iter("DETECTION")
    }


def expected(tenant, keep, hosts=None):
    return {
        (host.host_id, found.qid)
        for host in (hosts if hosts is not None else tenant.hosts)
        for found in tenant.detections(host)
        if keep(found)
    }


def default(found):
    """What the API returns without filters: open statuses, no IGs, no ignored or disabled."""
    return (
        found.status in OPEN
        and found.type != "Info"
        and not found.is_ignored
        and not found.is_disabled
    )


async def test_default_answer_is_every_open_detection(api, qualys_simulator):
    tenant = qualys_simulator.tenant
    root = await fetch(api, {"action": "list", "truncation_limit": "0"})
    assert root.tag == "HOST_LIST_VM_DETECTION_OUTPUT"
    want = expected(tenant, default)
    assert pairs(root) == want
    # Hosts without a matching detection are left out, as Qualys does.
    assert [int(h.findtext("ID")) for h in root.iter("HOST")] == sorted({h for h, _ in want})
    assert root.find("RESPONSE/WARNING") is None


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"severities": "4-5"}, lambda d: default(d) and d.severity >= 4),
        ({"severities": "1,3"}, lambda d: default(d) and d.severity in (1, 3)),
        ({"status": "Fixed"}, lambda d: d.status == "Fixed" and d.type != "Info"
         and not d.is_ignored and not d.is_disabled),
        ({"status": "New,Re-Opened", "include_ignored": "1", "include_disabled": "1"},
         lambda d: d.status in ("New", "Re-Opened") and d.type != "Info"),
        ({"qds_min": "70", "qds_max": "89"}, lambda d: default(d) and 70 <= d.qds <= 89),
        ({"show_igs": "1"}, lambda d: d.status in OPEN and not d.is_ignored
         and not d.is_disabled),
        ({"include_vuln_type": "potential"}, lambda d: default(d) and d.type == "Potential"),
    ],
    ids=["severity-range", "severity-list", "fixed", "ignored-disabled", "qds", "igs",
         "potential"],
)  # fmt: skip
async def test_detection_filters(api, qualys_simulator, params, keep):
    tenant = qualys_simulator.tenant
    root = await fetch(api, {"action": "list", "truncation_limit": "0", **params})
    want = expected(tenant, keep)
    assert want, "the tenant should have detections for this filter"
    assert pairs(root) == want


async def test_qids_pick_the_hosts_that_have_them(api, qualys_simulator):
    tenant = qualys_simulator.tenant
    counts = {}
    for host in tenant.hosts:
        for found in tenant.detections(host):
            if default(found):
                counts[found.qid] = counts.get(found.qid, 0) + 1
    common = sorted(counts, key=lambda qid: (-counts[qid], qid))[:2]
    root = await fetch(api, {"action": "list", "qids": ",".join(map(str, common))})
    assert pairs(root) == expected(tenant, lambda d: default(d) and d.qid in common)
    assert len(list(root.iter("HOST"))) == len({h for h, _ in pairs(root)})


async def test_host_filters(api, qualys_simulator):
    tenant = qualys_simulator.tenant
    hosts = tenant.hosts
    ids = f"{hosts[3].host_id},{hosts[10].host_id}-{hosts[20].host_id}"
    root = await fetch(api, {"action": "list", "ids": ids, "id_max": str(hosts[15].host_id)})
    chosen = [hosts[3], *hosts[10:16]]
    assert pairs(root) == expected(tenant, default, chosen)

    production = tenant.tag_named("Production")
    linux = tenant.tag_named("Linux Servers")
    root = await fetch(
        api,
        {
            "action": "list",
            "use_tags": "1",
            "tag_set_by": "id",
            "tag_include_selector": "all",
            "tag_set_include": f"{production.id},{linux.id}",
        },
    )
    tagged = [h for h in hosts if production.id in h.tags and linux.id in h.tags]
    assert tagged
    assert pairs(root) == expected(tenant, default, tagged)

    group = tenant.asset_groups[1]
    root = await fetch(api, {"action": "list", "ag_titles": group.title})
    grouped = [h for h in hosts if group.id in h.asset_groups]
    assert grouped
    assert pairs(root) == expected(tenant, default, grouped)


async def test_processing_and_update_dates(api, qualys_simulator):
    tenant = qualys_simulator.tenant
    since = FIXED_NOW - timedelta(days=3)
    root = await fetch(api, {"action": "list", "vm_processed_after": since.strftime("%Y-%m-%d")})
    want = expected(tenant, lambda d: default(d) and d.last_processed > since)
    assert want
    assert pairs(root) == want

    moment = datetime(2026, 1, 13, 12, 0, tzinfo=UTC)
    root = await fetch(api, {"action": "list", "detection_updated_since": "2026-01-13T12:00:00Z"})
    assert pairs(root) == expected(tenant, lambda d: default(d) and d.last_processed >= moment)


async def test_output_switches(api, qualys_simulator):
    tenant = qualys_simulator.tenant
    host = tenant.hosts[0]
    detections = {d.qid: d for d in tenant.detections(host)}
    root = await fetch(
        api,
        {
            "action": "list",
            "ids": str(host.host_id),
            "show_qds": "1",
            "show_qds_factors": "1",
            "show_asset_id": "1",
            "show_tags": "1",
        },
    )
    record = root.find("RESPONSE/HOST_LIST/HOST")
    assert record.findtext("ASSET_ID") == str(host.asset_id)
    assert record.findtext("DNS") == host.dns
    assert record.findtext("DNS_DATA/HOSTNAME") == host.name
    assert record.findtext("LAST_VM_SCANNED_DATE") == host.last_scanned.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert [t.findtext("NAME") for t in record.iter("TAG")] == [
        tenant.tag(tag).name for tag in host.tags
    ]
    for element in record.iter("DETECTION"):
        found = detections[int(element.findtext("QID"))]
        assert element.findtext("QDS") == str(found.qds)
        assert element.find("QDS").get("severity") in ("LOW", "MEDIUM", "HIGH", "CRITICAL")
        factors = {f.get("name"): f.text for f in element.iter("QDS_FACTOR")}
        assert factors == dict(found.qds_factors)
        assert element.findtext("STATUS") == found.status
        assert element.findtext("UNIQUE_VULN_ID") == str(found.unique_vuln_id)
        # Results are shown unless show_results=0 (and fixed detections have none).
        assert (element.findtext("RESULTS") or "") == found.results

    quiet = await fetch(api, {"action": "list", "ids": str(host.host_id), "show_results": "0"})
    assert quiet.find(".//QDS") is None
    assert quiet.find(".//QDS_FACTORS") is None
    assert quiet.find(".//RESULTS") is None
    assert quiet.find(".//ASSET_ID") is None
    assert quiet.find(".//TAGS") is None


async def pages_by_url(api, params):
    """Follow WARNING/URL, as qualysdk and qualysetl do."""
    pages = []
    while True:
        root = await fetch(api, params)
        pages.append([int(h.findtext("ID")) for h in root.iter("HOST")])
        url = root.findtext("RESPONSE/WARNING/URL")
        if not url:
            return pages, root
        params = dict(parse_qsl(urlsplit(url).query))


async def pages_by_max_id(api, params):
    """Append id_min = highest host ID + 1 while the 1980 warning is there, as qualys-mcp does."""
    pages = []
    page_params = dict(params)
    while True:
        root = await fetch(api, page_params)
        ids = [int(h.findtext("ID")) for h in root.iter("HOST")]
        pages.append(ids)
        if root.findtext("RESPONSE/WARNING/CODE") != "1980":
            return pages
        page_params = {**params, "id_min": str(max(ids) + 1)}


async def test_truncation_paging_both_ways_agree(api, qualys_simulator):
    params = {"action": "list", "severities": "3-5", "show_qds": "1", "truncation_limit": "40"}
    by_url, _ = await pages_by_url(api, params)
    by_max = await pages_by_max_id(api, params)
    assert by_url == by_max
    assert len(by_url) >= 3
    assert all(len(page) == 40 for page in by_url[:-1])
    whole = await fetch(api, {**params, "truncation_limit": "0"})
    assert [i for page in by_url for i in page] == [
        int(h.findtext("ID")) for h in whole.iter("HOST")
    ]

    first = await fetch(api, params)
    url = first.findtext("RESPONSE/WARNING/URL")
    query = dict(parse_qsl(urlsplit(url).query))
    last = by_url[0][-1]
    assert query == {**params, "id_min": str(last + 1)}
    assert url.endswith(f"id_min={last + 1}")
    assert urlsplit(url).path == PATH
    assert first.findtext("RESPONSE/WARNING/TEXT").startswith("40 record limit exceeded")


async def test_default_truncation_is_1000_hosts(qualys_plugin_host):
    sim = build_simulator(assets=1100, now=FIXED_NOW, host=qualys_plugin_host)
    tenant = sim.tenant
    async with httpx.AsyncClient(
        transport=SimulatorTransport(sim.api_app),
        base_url="https://qualysapi.sim.invalid",
        auth=httpx.BasicAuth(tenant.username, tenant.password),
        headers={"X-Requested-With": "vmdr-tests"},
    ) as client:
        root = await fetch(client, {"action": "list", "show_igs": "1", "status": "Active"})
    assert len(list(root.iter("HOST"))) == 1000
    assert root.findtext("RESPONSE/WARNING/CODE") == "1980"


async def test_get_on_v2_and_post_form_on_v5_agree(api):
    params = {"action": "list", "severities": "5", "show_qds": "1", "truncation_limit": "0"}
    got = await api.get(PATH, params=params)
    posted = await api.post("/api/5.0/fo/asset/host/vm/detection/", data=params)
    assert got.status_code == posted.status_code == 200
    assert got.text == posted.text
    assert pairs(ET.fromstring(got.content))


async def test_our_client_pages_the_whole_answer(qualys_client, qualys_simulator):
    tenant = qualys_simulator.tenant
    params = {"action": "list", "status": "Active", "truncation_limit": "25"}
    found = set()
    async for host in qualys_client.api.iter_xml(
        "/api/5.0/fo/asset/host/vm/detection/", params, {"HOST"}, method="POST"
    ):
        found |= {
            (int(host.findtext("ID")), int(d.findtext("QID"))) for d in host.iter("DETECTION")
        }
    want = expected(tenant, lambda d: default(d) and d.status == "Active")
    assert found == want


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"action": "list", "severities": "9"}, "severities"),
        ({"action": "list", "status": "Bogus"}, "status"),
        ({"action": "list", "ids": "12a"}, "ids"),
        ({"action": "list", "qds_min": "90", "qds_max": "10"}, "qds_min"),
        ({"action": "list", "vm_processed_after": "yesterday"}, "vm_processed_after"),
        ({"action": "list", "truncation_limit": "-1"}, "truncation_limit"),
        ({"action": "list", "ips": "10.0.0.300"}, "ips"),
        ({"action": "list", "use_tags": "1"}, "tag_set_include"),
        ({"action": "list", "ag_titles": "No Such Group"}, "ag_titles"),
        ({"action": "delete"}, "action"),
    ],
)
async def test_bad_values_get_the_fo_error_naming_the_parameter(api, params, name):
    response = await api.get(PATH, params=params)
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.tag == "SIMPLE_RETURN"
    assert root.findtext("RESPONSE/CODE") == "1905"
    assert root.findtext("RESPONSE/TEXT").startswith(f"parameter {name} has invalid value")


async def test_missing_action_is_a_missing_parameter(api):
    response = await api.get(PATH, params={"severities": "5"})
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.findtext("RESPONSE/CODE") == "1903"
    assert "action" in root.findtext("RESPONSE/TEXT")


class TestUnlicensed:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        return {
            "assets": 20,
            "now": FIXED_NOW,
            "config": SimConfig(unlicensed=frozenset({"vmdr"})),
        }

    async def test_unlicensed_vmdr_answers_404(self, api):
        response = await api.get(PATH, params={"action": "list"})
        assert response.status_code == 404
        assert ET.fromstring(response.content).tag == "SIMPLE_RETURN"


async def test_large_tenant_streams_host_by_host(qualys_plugin_host):
    """The first chunk leaves before the generator has visited more than a few of 20,000
    hosts: detections are computed as the stream reaches each host, never all up front."""
    sim = build_simulator(assets=20_000, now=FIXED_NOW, host=qualys_plugin_host)
    tenant = sim.tenant
    visited = 0
    compute = tenant.detections

    def counting(host):
        nonlocal visited
        visited += 1
        return compute(host)

    tenant.detections = counting
    first_chunk = asyncio.get_running_loop().create_future()
    statuses = []

    requested = False
    hang_up = asyncio.Event()

    async def receive():
        # The request body once; then, as a connected client, nothing until the test hangs up.
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await hang_up.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])
        elif message.get("body") and not first_chunk.done():
            first_chunk.set_result(visited)

    login = base64.b64encode(f"{tenant.username}:{tenant.password}".encode()).decode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"action=list&truncation_limit=0&show_results=1",
        "headers": [
            (b"host", b"qualysapi.sim.invalid"),
            (b"authorization", f"Basic {login}".encode()),
            (b"x-requested-with", b"vmdr-tests"),
        ],
        "server": ("qualysapi.sim.invalid", 443),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
    }
    task = asyncio.create_task(sim.api_app(scope, receive, send))
    try:
        at_first_chunk = await first_chunk
    finally:
        hang_up.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert statuses == [200]
    assert 0 < at_first_chunk < 100
    assert at_first_chunk < len(tenant.hosts)
