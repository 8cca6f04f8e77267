"""The simulated CSAM endpoints, called as a plain HTTP client would: paging, filters, tags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import httpx
import pytest

from qualys_core.plugins.manager import create_plugin_host
from qualys_core.simulator.config import FaultRule, LatencySpec, SimConfig
from qualys_core.simulator.factory import SimulatorTransport, build_simulator

NOW = datetime(2026, 1, 15, tzinfo=UTC)
ASSETS = 300
SEARCH = "/rest/2.0/search/am/asset"
COUNT = "/rest/2.0/count/am/asset"
GET = "/rest/2.0/get/am/asset"
TAGS = "/qps/rest/2.0/search/am/tag"
BASIC = {"assetId", "hostId", "assetName", "dnsName", "dnsHostName", "netbiosName", "address"}


def make(**kwargs):
    return build_simulator(
        assets=ASSETS, now=NOW, host=create_plugin_host(load_entrypoints=False), **kwargs
    )


@pytest.fixture
def sim():
    return make()


async def _login(client, sim):
    login = await client.post(
        "/auth", data={"username": sim.tenant.username, "password": sim.tenant.password}
    )
    assert login.status_code == 201, login.text
    return {"Authorization": f"Bearer {login.text}"}


@pytest.fixture
async def gw(sim):
    async with httpx.AsyncClient(
        transport=SimulatorTransport(sim.gateway_app), base_url="https://gateway.demo.invalid"
    ) as client:
        client.headers.update(await _login(client, sim))
        yield client


@pytest.fixture
async def api(sim):
    async with httpx.AsyncClient(
        transport=SimulatorTransport(sim.api_app),
        base_url="https://qualysapi.demo.invalid",
        auth=httpx.BasicAuth(sim.tenant.username, sim.tenant.password),
    ) as client:
        yield client


def term(field, operator, value):
    return {"field": field, "operator": operator, "value": value}


async def search(gw, *filters, **params):
    response = await gw.post(SEARCH, params=params, json={"filters": list(filters)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["responseCode"] == "SUCCESS"
    return body


async def search_all(gw, *filters, page=1000, **params):
    """Every matching asset, paged with the qualys-mcp cursor (the last item's assetId)."""
    found, cursor = [], None
    while True:
        extra = {} if cursor is None else {"lastSeenAssetId": cursor}
        body = await search(gw, *filters, pageSize=page, **params, **extra)
        assets = body["assetListData"]["asset"]
        found.extend(assets)
        if not body["hasMore"]:
            return found
        assert len(assets) == page
        cursor = assets[-1]["assetId"]


async def count(gw, *filters):
    response = await gw.post(COUNT, json={"filters": list(filters)})
    assert response.status_code == 200, response.text
    assert response.json()["responseCode"] == "SUCCESS"
    return response.json()["count"]


def ids(assets):
    return [asset["assetId"] for asset in assets]


# ---------------------------------------------------------------------- paging


async def test_paging_on_top_level_cursor_returns_every_asset_once(sim, gw):
    seen, pages, cursor = [], [], 0
    while True:
        body = await search(gw, pageSize=37, lastSeenAssetId=cursor)
        assets = body["assetListData"]["asset"]
        pages.append(len(assets))
        assert body["count"] == len(assets)
        assert body["lastSeenAssetId"] == assets[-1]["assetId"]
        seen.extend(ids(assets))
        if body["hasMore"] != 1:
            assert body["hasMore"] == 0
            break
        cursor = body["lastSeenAssetId"]
    assert seen == sorted(host.asset_id for host in sim.tenant.hosts)
    assert len(seen) == ASSETS
    assert pages == [37] * 8 + [ASSETS - 8 * 37]


async def test_full_last_page_says_no_more(sim, gw):
    pages = []
    cursor = None
    while True:
        params = {"pageSize": 100} | ({} if cursor is None else {"lastSeenAssetId": cursor})
        body = await search(gw, **params)
        assets = body["assetListData"]["asset"]
        pages.append((len(assets), body["hasMore"]))
        if not body["hasMore"]:
            break
        cursor = assets[-1]["assetId"]
    # 300 assets in pages of 100: three full pages and no empty fourth one.
    assert pages == [(100, 1), (100, 1), (100, 0)]


async def test_filtered_paging_with_last_item_cursor(sim, gw):
    wanted = sorted(h.asset_id for h in sim.tenant.hosts if "windows" in h.os.casefold())
    assert 0 < len(wanted) < ASSETS
    found = await search_all(gw, term("operatingSystem.name", "CONTAINS", "Windows"), page=10)
    assert ids(found) == wanted


async def test_default_and_maximum_page_size(gw):
    assert (await search(gw))["count"] == 100
    assert (await search(gw, pageSize=1000))["count"] == ASSETS
    response = await gw.post(SEARCH, params={"pageSize": 1001}, json={"filters": []})
    assert response.status_code == 400
    assert response.json()["responseCode"] == "FAILED"


async def test_records_are_charged_per_asset():
    sleeps = []

    async def sleep(seconds):
        sleeps.append(seconds)

    sim = make(config=SimConfig(latency={"csam": LatencySpec(per_record=0.5)}), sleep=sleep)
    async with httpx.AsyncClient(
        transport=SimulatorTransport(sim.gateway_app), base_url="https://gateway.demo.invalid"
    ) as client:
        headers = await _login(client, sim)
        response = await client.post(SEARCH, params={"pageSize": 7}, headers=headers)
    assert response.json()["count"] == 7
    assert sleeps == [3.5]


# ---------------------------------------------------------------------- filters


async def test_tag_filter_both_spellings(sim, gw):
    tenant = sim.tenant
    tagged = next(h for h in tenant.hosts if h.tags)
    name = tenant.tag(tagged.tags[0]).name
    wanted = sorted(
        h.asset_id for h in tenant.hosts if any(tenant.tag(t).name == name for t in h.tags)
    )
    assert tagged.asset_id in wanted
    assert len(wanted) < ASSETS
    assert ids(await search_all(gw, term("asset.tag.name", "EQUALS", name))) == wanted
    assert ids(await search_all(gw, term("tags.name", "equals", name.upper()))) == wanted
    for asset in await search_all(gw, term("asset.tag.name", "CONTAINS", name[1:-1])):
        assert any(name[1:-1] in tag["tagName"] for tag in asset["tagList"]["tag"])


async def test_trurisk_filter_matches_risk_scores(gw):
    everything = await search_all(gw)
    scores = [asset["riskScore"] for asset in everything]
    assert all(0 <= score <= 1000 for score in scores)
    assert len(set(scores)) > 10
    wanted = [asset["assetId"] for asset in everything if asset["riskScore"] > 500]
    assert 0 < len(wanted) < ASSETS
    assert ids(await search_all(gw, term("asset.truRisk", "GREATER", "500"))) == wanted
    assert await count(gw, term("asset.truRisk", "GREATER", "500")) == len(wanted)


async def test_risk_scores_are_deterministic(gw):
    first = {a["assetId"]: a["riskScore"] for a in await search_all(gw)}
    other = make()
    async with httpx.AsyncClient(
        transport=SimulatorTransport(other.gateway_app), base_url="https://gateway.demo.invalid"
    ) as client:
        client.headers.update(await _login(client, other))
        second = {a["assetId"]: a["riskScore"] for a in await search_all(client)}
    assert first == second


async def test_cloud_provider_filter(sim, gw):
    wanted = sorted(
        h.asset_id for h in sim.tenant.hosts if h.cloud is not None and h.cloud.provider == "AWS"
    )
    assert 0 < len(wanted) < ASSETS
    found = await search_all(gw, term("cloud.provider", "EQUALS", "AWS"))
    assert ids(found) == wanted
    host = sim.tenant.host_by_asset_id(wanted[0])
    region = found[0]["cloudProvider"]["aws"]["ec2"]["region"]["name"]
    assert region == host.cloud.region


async def test_os_lifecycle_and_address_filters(sim, gw):
    eol = sorted(h.asset_id for h in sim.tenant.hosts if "EOL" in h.os_lifecycle)
    assert eol
    found = await search_all(gw, term("operatingSystem.lifecycle.stage", "CONTAINS", "EOL"))
    assert ids(found) == eol
    host = sim.tenant.hosts[17]
    found = await search_all(gw, term("interfaces.address", "EQUALS", host.ip))
    assert ids(found) == [host.asset_id]
    assert found[0]["address"] == host.ip


async def test_asset_id_filter(sim, gw):
    host = sim.tenant.hosts[5]
    assert ids(await search_all(gw, term("asset.id", "EQUALS", str(host.asset_id)))) == [
        host.asset_id
    ]
    response = await gw.post(SEARCH, json={"filters": [term("asset.id", "EQUALS", "web01")]})
    assert response.status_code == 400
    body = response.json()
    assert body["responseCode"] == "FAILED"
    assert "asset.id" in body["responseMessage"]


async def test_unknown_field_and_operator_are_refused(gw):
    response = await gw.post(SEARCH, json={"filters": [term("asset.address", "EQUALS", "1")]})
    assert response.status_code == 400
    assert response.json() == {
        "responseCode": "FAILED",
        "responseMessage": response.json()["responseMessage"],
    }
    assert "asset.address" in response.json()["responseMessage"]
    response = await gw.post(COUNT, json={"filters": [term("asset.name", "GREATER", "a")]})
    assert response.status_code == 400
    assert response.json()["responseCode"] == "FAILED"
    response = await gw.post(SEARCH, content=b"{not json", headers={"Content-Type": "x/json"})
    assert response.status_code == 400


async def test_qql_filter_and_last_updated(sim, gw):
    host = sim.tenant.hosts[42]
    response = await gw.post(SEARCH, json={"filter": f'asset.name: "{host.name}"'})
    assert ids(response.json()["assetListData"]["asset"]) == [host.asset_id]
    response = await gw.post(SEARCH, json={"filter": f"asset.name:{host.name} or asset.id:1"})
    assert response.status_code == 400
    assert response.json()["responseCode"] == "FAILED"
    since = NOW - timedelta(days=3)
    wanted = sorted(h.asset_id for h in sim.tenant.hosts if h.last_modified > since)
    assert 0 < len(wanted) < ASSETS
    found = await search_all(gw, assetLastUpdated=since.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert ids(found) == wanted
    response = await gw.post(SEARCH, params={"assetLastUpdated": "yesterday"})
    assert response.status_code == 400


async def test_count_agrees_with_search(sim, gw):
    assert await count(gw) == ASSETS
    name = sim.tenant.tag(next(h for h in sim.tenant.hosts if h.tags).tags[0]).name
    for filters in (
        [term("operatingSystem.name", "CONTAINS", "Linux")],
        [term("cloud.provider", "EQUALS", "AZURE"), term("asset.criticalityScore", "GREATER", "2")],
        [term("asset.tag.name", "EQUALS", name)],
        [term("software.name", "CONTAINS", "a")],
        [term("asset.truRisk", "GREATER", "700")],
    ):
        assert await count(gw, *filters) == len(await search_all(gw, *filters))


# ---------------------------------------------------------------------- record shape


async def test_include_fields_trims_records(sim, gw):
    body = await search(gw, pageSize=5, includeFields="tagList")
    for asset in body["assetListData"]["asset"]:
        assert set(asset) == BASIC | {"tagList"}
    body = await search(gw, pageSize=5, includeFields="truRisk,criticality,softwareComponent")
    assert set(body["assetListData"]["asset"][0]) == BASIC | {"riskScore", "criticality"}
    default = (await search(gw, pageSize=5))["assetListData"]["asset"][0]
    assert "vulnerabilities" not in default
    assert {"riskScore", "operatingSystem", "hardware", "tagList", "softwareListData"} <= set(
        default
    )


async def test_vulnerabilities_on_request(sim, gw):
    body = await search(gw, pageSize=50, includeFields="vulnerabilities")
    with_vulns = 0
    for asset in body["assetListData"]["asset"]:
        host = sim.tenant.host_by_asset_id(asset["assetId"])
        qids = [
            d.qid
            for d in sim.tenant.detections(host)
            if d.status != "Fixed" and d.type != "Info" and not (d.is_ignored or d.is_disabled)
        ]
        assert asset["vulnerabilities"] == {"count": len(qids), "list": [{"qid": q} for q in qids]}
        with_vulns += bool(qids)
    assert with_vulns > 0


async def test_record_matches_tenant(sim, gw):
    host = sim.tenant.hosts[3]
    response = await gw.get(GET, params={"assetId": host.asset_id})
    assert response.status_code == 200
    body = response.json()
    assert body["responseCode"] == "SUCCESS"
    assert body["count"] == 1
    (asset,) = body["assetListData"]["asset"]
    assert asset["assetId"] == host.asset_id
    assert asset["hostId"] == host.host_id
    assert asset["assetName"] == host.name
    assert asset["operatingSystem"] == {
        "osName": host.os,
        "lifecycle": {"stage": host.os_lifecycle},
    }
    assert asset["criticality"] == {"score": host.criticality}
    assert asset["tagList"] == {
        "tag": [{"tagId": t, "tagName": sim.tenant.tag(t).name} for t in host.tags]
    }
    assert len(asset["softwareListData"]["software"]) == len(host.software)
    assert asset["lastModifiedDate"] == host.last_modified.strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_get_unknown_or_bad_id(gw):
    response = await gw.get(GET, params={"assetId": 1})
    assert response.status_code == 404
    assert response.json()["responseCode"] == "FAILED"
    response = await gw.get(GET, params={"assetId": "web01"})
    assert response.status_code == 400


# ---------------------------------------------------------------------- tags


def tags_of(xml):
    root = ET.fromstring(xml)
    assert root.tag == "ServiceResponse"
    assert root.findtext("responseCode") == "SUCCESS"
    return root, [(int(t.findtext("id")), t.findtext("name")) for t in root.iter("Tag")]


async def test_tag_search_xml(sim, api):
    response = await api.post(
        TAGS, content=b"<ServiceRequest></ServiceRequest>", headers={"Content-Type": "text/xml"}
    )
    assert response.status_code == 200
    root, tags = tags_of(response.content)
    everything = sorted((t.id, t.name) for t in sim.tenant.tags)
    assert tags == everything[:100]
    assert root.findtext("count") == str(len(tags))
    assert root.findtext("hasMoreRecords") == ("true" if len(everything) > 100 else "false")
    name = everything[len(everything) // 2][1]
    request = (
        '<ServiceRequest><filters><Criteria field="name" operator="EQUALS">'
        f"{name}</Criteria></filters></ServiceRequest>"
    )
    _, found = tags_of((await api.post(TAGS, content=request.encode())).content)
    assert [n for _, n in found] == [name]


async def test_tag_search_id_greater_paging(sim, api):
    seen, last = [], 0
    while True:
        request = (
            '<ServiceRequest><filters><Criteria field="id" operator="GREATER">'
            f"{last}</Criteria></filters>"
            "<preferences><limitResults>7</limitResults></preferences></ServiceRequest>"
        )
        root, tags = tags_of((await api.post(TAGS, content=request.encode())).content)
        seen.extend(tag_id for tag_id, _ in tags)
        if root.findtext("hasMoreRecords") != "true":
            assert root.find("lastId") is None
            break
        assert len(tags) == 7
        last = int(root.findtext("lastId"))
        assert last == tags[-1][0]
    assert seen == sorted(t.id for t in sim.tenant.tags)


async def test_tag_search_json(sim, api):
    name = sorted(sim.tenant.tags, key=lambda t: t.id)[0].name
    response = await api.post(
        TAGS,
        json={
            "ServiceRequest": {
                "filters": {"Criteria": [term("name", "CONTAINS", name.lower())]},
                "preferences": {"limitResults": 2},
            }
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    body = response.json()["ServiceResponse"]
    wanted = sorted(t.id for t in sim.tenant.tags if name.lower() in t.name.lower())
    assert body["responseCode"] == "SUCCESS"
    assert [item["Tag"]["id"] for item in body["data"]] == wanted[:2]
    assert body["count"] == len(wanted[:2])
    assert body["hasMoreRecords"] == ("true" if len(wanted) > 2 else "false")


async def test_tag_search_refuses_unknown_criteria(api):
    request = b'<ServiceRequest><filters><Criteria field="colour" operator="EQUALS">x</Criteria>'
    response = await api.post(TAGS, content=request + b"</filters></ServiceRequest>")
    assert response.status_code == 400
    assert ET.fromstring(response.content).findtext("responseCode") == "INVALID_REQUEST"
    response = await api.post(TAGS, content=b"<ServiceRequest>")
    assert response.status_code == 400


# ---------------------------------------------------------------------- faults and log


async def test_empty_fault_and_request_log(sim, gw):
    assert await count(gw) == ASSETS
    sim.add_fault(FaultRule(match="csam.*", kind="empty"))
    assert await count(gw) == 0
    body = await search(gw, pageSize=10)
    assert body["count"] == 0
    assert body["hasMore"] == 0
    assert body["assetListData"]["asset"] == []
    response = await gw.get(GET, params={"assetId": sim.tenant.hosts[0].asset_id})
    assert response.status_code == 404
    assert sim.log.count(route="csam.search_assets") == 1
    assert sim.log.count(route="csam.count_assets") == 2
    assert sim.log.count(route="csam.*") == 4


# The CSAM routes' contract cases are replayed, with every other route's, by test_contracts.py.
