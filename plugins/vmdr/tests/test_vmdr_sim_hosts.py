"""The simulated VMDR host list, called as Qualys clients call it: details levels, the ID set,
filters, TruRisk, paging and errors."""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree as ET

import httpx
import pytest

from qualys_core.simulator import SimulatorTransport

PATH = "/api/2.0/fo/asset/host/"


async def fetch(api, params, *, method="GET", path=PATH):
    if method == "GET":
        response = await api.get(path, params=params)
    else:
        response = await api.post(path, data=params)
    assert response.status_code == 200, response.text[:400]
    return ET.fromstring(response.content)


def host_ids(root):
    return [int(host.findtext("ID")) for host in root.iter("HOST")]


async def test_id_set_lists_every_host(api, qualys_simulator):
    tenant = qualys_simulator.tenant
    root = await fetch(
        api, {"action": "list", "details": "None", "truncation_limit": "0"}, method="POST"
    )
    assert root.tag == "HOST_LIST_OUTPUT"
    assert [int(i.text) for i in root.findall("RESPONSE/ID_SET/ID")] == [
        host.host_id for host in tenant.hosts
    ]
    assert root.find("RESPONSE/HOST_LIST") is None
    assert root.find("RESPONSE/WARNING") is None

    assets = await fetch(
        api, {"action": "list", "details": "None", "truncation_limit": "0", "show_asset_id": "1"}
    )
    assert [int(i.text) for i in assets.findall("RESPONSE/ID_SET/ID")] == [
        host.asset_id for host in tenant.hosts
    ]


async def test_id_set_pages_with_the_1980_warning(api, qualys_simulator):
    tenant = qualys_simulator.tenant
    params = {"action": "list", "details": "None", "truncation_limit": "60"}
    pages = []
    while True:
        root = await fetch(api, params)
        pages.append([int(i.text) for i in root.findall("RESPONSE/ID_SET/ID")])
        url = root.findtext("RESPONSE/WARNING/URL")
        if url is None:
            break
        assert root.findtext("RESPONSE/WARNING/CODE") == "1980"
        assert url.endswith(f"id_min={pages[-1][-1] + 1}")
        params = dict(parse_qsl(urlsplit(url).query))
    assert [len(page) for page in pages] == [60, 60, 60, 20]
    assert [i for page in pages for i in page] == [host.host_id for host in tenant.hosts]


async def test_details_levels(api, qualys_simulator):
    tenant = qualys_simulator.tenant
    host = tenant.hosts[0]
    ids = str(host.host_id)
    basic = (await fetch(api, {"action": "list", "ids": ids})).find("RESPONSE/HOST_LIST/HOST")
    assert basic.findtext("IP") == host.ip
    assert basic.findtext("DNS") == host.dns
    assert basic.findtext("NETBIOS") == host.netbios
    assert basic.findtext("OS") == host.os
    assert basic.findtext("TRACKING_METHOD") == host.tracking_method
    for absent in ("LAST_VM_SCANNED_DATE", "ASSET_GROUP_IDS", "TAGS", "ASSET_ID", "TRURISK_SCORE"):
        assert basic.find(absent) is None, absent

    full = (await fetch(api, {"action": "list", "ids": ids, "details": "All/AGs"})).find(
        "RESPONSE/HOST_LIST/HOST"
    )
    scanned = host.last_scanned.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert full.findtext("LAST_VM_SCANNED_DATE") == scanned
    assert full.findtext("LAST_VULN_SCAN_DATETIME") == scanned
    assert full.findtext("ASSET_GROUP_IDS").split(",") == [str(g) for g in host.asset_groups]

    everything = await fetch(api, {"action": "list", "details": "All", "ids": ids})
    assert everything.find(".//LAST_VM_SCANNED_DATE") is not None
    assert everything.find(".//ASSET_GROUP_IDS") is None


async def test_tags_asset_ids_and_trurisk_agree_with_csam(api, qualys_simulator):
    tenant = qualys_simulator.tenant
    root = await fetch(
        api,
        {
            "action": "list",
            "details": "All",
            "truncation_limit": "0",
            "show_tags": "1",
            "show_asset_id": "1",
            "show_trurisk": "1",
        },
        method="POST",
        path="/api/5.0/fo/asset/host/",
    )
    records = {int(h.findtext("ID")): h for h in root.iter("HOST")}
    assert list(records) == [host.host_id for host in tenant.hosts]
    async with httpx.AsyncClient(
        transport=SimulatorTransport(qualys_simulator.gateway_app),
        base_url="https://gateway.sim.invalid",
    ) as gateway:
        login = await gateway.post(
            "/auth", data={"username": tenant.username, "password": tenant.password}
        )
        search = await gateway.post(
            "/rest/2.0/search/am/asset",
            params={"pageSize": "1000", "includeFields": "riskScore"},
            headers={"Authorization": f"Bearer {login.text}"},
            json={"filters": []},
        )
    csam_risk = {a["hostId"]: a["riskScore"] for a in search.json()["assetListData"]["asset"]}
    for host in tenant.hosts:
        record = records[host.host_id]
        assert record.findtext("ASSET_ID") == str(host.asset_id)
        assert [t.findtext("NAME") for t in record.iter("TAG")] == [
            tenant.tag(tag).name for tag in host.tags
        ]
        assert [int(t.findtext("TAG_ID")) for t in record.iter("TAG")] == list(host.tags)
        assert record.findtext("ASSET_CRITICALITY_SCORE") == str(host.criticality)
        assert int(record.findtext("TRURISK_SCORE")) == csam_risk[host.host_id]

    floor = sorted(csam_risk.values())[len(csam_risk) // 2]
    assert 0 < floor
    risky = await fetch(api, {"action": "list", "trurisk_min": str(floor), "truncation_limit": "0"})
    assert host_ids(risky) == [h.host_id for h in tenant.hosts if csam_risk[h.host_id] >= floor]


async def test_host_filters(api, qualys_simulator):
    tenant = qualys_simulator.tenant
    hosts = tenant.hosts
    root = await fetch(
        api,
        {
            "action": "list",
            "ids": f"{hosts[0].host_id},{hosts[5].host_id}-{hosts[30].host_id}",
            "id_min": str(hosts[2].host_id),
            "id_max": str(hosts[25].host_id),
        },
    )
    assert host_ids(root) == [h.host_id for h in hosts[5:26]]

    low, high = sorted((hosts[7].ip, hosts[8].ip), key=lambda ip: int(ip_address(ip)))
    root = await fetch(api, {"action": "list", "ips": f"{low}-{high},{hosts[40].ip}/32"})
    wanted = {
        h.host_id
        for h in hosts
        if int(ip_address(low)) <= int(ip_address(h.ip)) <= int(ip_address(high))
        or h.ip == hosts[40].ip
    }
    assert set(host_ids(root)) == wanted

    servers = [h.host_id for h in hosts if h.os.startswith("Windows Server")]
    assert servers
    root = await fetch(api, {"action": "list", "os_pattern": "^Windows Server"})
    assert host_ids(root) == servers

    linux, windows = tenant.tag_named("Linux Servers"), tenant.tag_named("Windows Servers")
    root = await fetch(
        api,
        {
            "action": "list",
            "use_tags": "1",
            "tag_set_by": "name",
            "tag_set_include": "Linux Servers,Windows Servers",
            "tag_set_exclude": "Production",
        },
    )
    production = tenant.tag_named("Production").id
    exposed = [
        h.host_id
        for h in hosts
        if {linux.id, windows.id} & set(h.tags) and production not in h.tags
    ]
    assert exposed
    assert host_ids(root) == exposed

    group = tenant.asset_groups[0]
    members = [h.host_id for h in hosts if group.id in h.asset_groups]
    assert members
    root = await fetch(api, {"action": "list", "ag_ids": str(group.id), "details": "Basic/AGs"})
    assert host_ids(root) == members
    assert all(str(group.id) in h.findtext("ASSET_GROUP_IDS").split(",") for h in root.iter("HOST"))


async def test_get_on_v2_and_post_form_on_v5_agree(api):
    params = {"action": "list", "details": "All", "show_tags": "1", "truncation_limit": "0"}
    got = await api.get(PATH, params=params)
    posted = await api.post("/api/5.0/fo/asset/host/", data=params)
    assert got.status_code == posted.status_code == 200
    assert got.text == posted.text


async def test_our_client_pages_the_host_list(qualys_client, qualys_simulator):
    params = {"action": "list", "details": "Basic", "truncation_limit": "45"}
    found = [
        int(host.findtext("ID"))
        async for host in qualys_client.api.iter_xml("/api/3.0/fo/asset/host/", params, {"HOST"})
    ]
    assert found == [host.host_id for host in qualys_simulator.tenant.hosts]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"action": "list", "details": "Everything"}, "details"),
        ({"action": "list", "ids": "1001-abc"}, "ids"),
        ({"action": "list", "id_min": "x"}, "id_min"),
        ({"action": "list", "use_tags": "1", "tag_set_by": "colour", "tag_set_include": "1"},
         "tag_set_by"),
        ({"action": "list", "use_tags": "1", "tag_set_include": "PCI"}, "tag_set_include"),
        ({"action": "list", "os_pattern": "(unclosed"}, "os_pattern"),
        ({"action": "list", "ag_ids": "1"}, "ag_ids"),
        ({"action": "list", "show_trurisk": "yes"}, "show_trurisk"),
        ({"action": "purge"}, "action"),
    ],
)  # fmt: skip
async def test_bad_values_get_the_fo_error_naming_the_parameter(api, params, name):
    response = await api.get(PATH, params=params)
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.findtext("RESPONSE/CODE") == "1905"
    assert root.findtext("RESPONSE/TEXT").startswith(f"parameter {name} has invalid value")
