"""The simulated Container Security endpoints over plain httpx: paging from 1, the QQL filters
they serve (and 400 for the others), the vendor's record shapes, the bulk list's Link cursor,
and the not-licensed answer; values come from the simulated estate (container_data)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from qualys_totalcloud.simulator.container_data import estate, image_count

from qualys_core.simulator import SimConfig
from qualys_core.testing import FIXED_NOW

CS = "/csapi/v1.3"


async def get(gateway: httpx.AsyncClient, path: str, **params: str) -> Any:
    response = await gateway.get(f"{CS}{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_images_page_from_one_and_count_every_image(gateway, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    assert len(est.images) == image_count(qualys_simulator.tenant) == 44
    seen: list[str] = []
    number = 1
    while True:
        body = await get(gateway, "/images", pageNumber=str(number), pageSize="10")
        assert body["count"] == len(est.images)
        if not body["data"]:
            break
        seen += [row["imageId"] for row in body["data"]]
        number += 1
    assert seen == [i.image_id for i in est.images]
    assert number == 6  # 44 images in pages of 10: pages 1-5, then an empty page 6


async def test_image_record_has_the_vendor_shape(gateway, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    first = est.images[0]
    body = await get(gateway, "/images", filter=f"imageId:{first.image_id}")
    (row,) = body["data"]
    assert row["sha"] == first.sha
    assert len(row["imageId"]) == 12
    assert row["repo"] == [
        {"registry": "docker.io", "tag": first.tag, "repository": first.repository}
    ]
    counts = first.severity_counts()
    assert row["vulnerabilities"] == {f"severity{s}Count": counts[s] for s in (5, 4, 3, 2, 1)}
    assert row["created"] == str(int(first.created.timestamp() * 1000))
    live = [c for c in est.containers_of(first) if c.state != "DELETED"]
    assert row["associatedContainersCount"] == len(live) > 0


async def test_severity_filter_keeps_images_with_such_a_vulnerability(gateway, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    expected = [i.image_id for i in est.images if i.severity_counts()[5]]
    body = await get(gateway, "/images", filter="vulnerabilities.severity:5", pageSize="1000")
    assert [r["imageId"] for r in body["data"]] == expected
    assert body["count"] == len(expected) < len(est.images)


async def test_cve_and_qid_filters_find_the_images_carrying_them(gateway, qualys_simulator):
    tenant = qualys_simulator.tenant
    est = estate(tenant)
    qids = {v.qid for v in tenant.kb.by_cve("CVE-2024-6387")}
    expected = {i.image_id for i in est.images if any(f.vuln.qid in qids for f in i.vulns)}
    by_cve = await get(gateway, "/images", filter="vulnerabilities.cveids:CVE-2024-6387")
    assert {r["imageId"] for r in by_cve["data"]} == expected
    assert "acme/bastion" in {r["repo"][0]["repository"] for r in by_cve["data"]}
    (qid,) = {v.qid for v in tenant.kb.by_cve("CVE-2024-3094")}
    by_qid = await get(gateway, "/images", filter=f"vulnerabilities.qid:{qid} and repo.tag:3.10.8")
    assert [r["repo"][0]["repository"] for r in by_qid["data"]] == ["acme/build-agent"]


async def test_images_in_use_filter_keeps_recently_running_images(gateway, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    body = await get(gateway, "/images", filter="imagesInUse:'[now-7d ... now]'", pageSize="500")
    ids = {r["imageId"] for r in body["data"]}
    assert {i.image_id for i in est.images if est.running(i)} <= ids
    assert {i.image_id for i in est.images if not est.containers_of(i)}.isdisjoint(ids)


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"filter": "malware.name:x"}, "malware.name"),
        ({"filter": "vulnerabilities.severity:9"}, "severity"),
        ({"filter": "no-colon"}, "token:value"),
        ({"sort": "riskScore:desc"}, "riskScore"),
        ({"pageNumber": "0"}, "pageNumber"),
        ({"pageSize": "5000"}, "pageSize"),
    ],
)
async def test_images_refuse_what_they_do_not_serve(gateway, params, names):
    response = await gateway.get(f"{CS}/images", params=params)
    assert response.status_code == 400
    assert names in response.json()["message"]


async def test_image_detail_vulns_count_and_software(gateway, qualys_simulator):
    tenant = qualys_simulator.tenant
    image = next(i for i in estate(tenant).images if i.repository == "acme/build-agent")
    detail = await get(gateway, f"/images/{image.sha}")
    assert detail["operatingSystem"] == image.os
    assert {s["name"] for s in detail["softwares"]} == {s.name for s in image.software}
    vulns = (await get(gateway, f"/images/{image.image_id}/vuln"))["details"]
    assert [v["qid"] for v in vulns] == [f.vuln.qid for f in image.vulns]
    (xz,) = [v for v in vulns if "CVE-2024-3094" in v["cveids"]]
    assert xz["severity"] == 5
    assert xz["software"][0] == {
        "name": "xz-utils",
        "version": "5.6.0",
        "fixVersion": None,
    }
    sev5 = await get(gateway, f"/images/{image.sha}/vuln", filter="vulnerabilities.severity:5")
    assert {v["severity"] for v in sev5["details"]} == {5}
    count = await get(gateway, f"/images/{image.sha}/vuln/count")
    assert count == {f"severity{s}Count": image.severity_counts()[s] for s in (5, 4, 3, 2, 1)}
    software = await get(gateway, f"/images/{image.sha}/software", pageSize="2")
    assert software["count"] == len(image.software)
    assert len(software["data"]) == 2
    ssh = next(s for s in image.software if s.name == "OpenSSH")
    assert ssh.version == "9.6p1"
    assert ssh.fix_version == "9.9p1"


async def test_unknown_image_and_container_are_404(gateway):
    for path in ("/images/0123456789ab", "/images/0123456789ab/vuln", "/containers/ffff"):
        response = await gateway.get(f"{CS}{path}")
        assert response.status_code == 404, path


async def test_containers_filter_by_state_and_image(gateway, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    running = [c for c in est.containers if c.state == "RUNNING"]
    body = await get(gateway, "/containers", filter="state:RUNNING", pageSize="1000")
    assert body["count"] == len(running) == len(body["data"])
    row = body["data"][0]
    assert row["host"]["hostname"] == running[0].host.dns
    assert row["host"]["ipAddress"] == running[0].host.ip
    image = est.images[0]
    mine = await get(gateway, "/containers", filter=f"imageId:{image.image_id}")
    assert {r["sha"] for r in mine["data"]} == {c.sha for c in est.containers_of(image)}
    bad = await gateway.get(f"{CS}/containers", params={"filter": "state:ON_FIRE"})
    assert bad.status_code == 400


async def test_bulk_container_list_follows_link_cursors(gateway, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    params: dict[str, str] = {"limit": "7"}
    seen: list[str] = []
    calls = 0
    while True:
        response = await gateway.get(f"{CS}/containers/list", params=params)
        assert response.status_code == 200
        calls += 1
        seen += [row["sha"] for row in response.json()["data"]]
        link = response.headers.get("link")
        if not link:
            break
        next_url = httpx.URL(link.split(";")[0].strip("<>"))
        params = dict(next_url.params)
    assert sorted(seen) == sorted(c.sha for c in est.containers)
    assert len(seen) == len(set(seen))
    assert calls == -(-len(est.containers) // 7)


async def test_container_detail_and_vulns(gateway, qualys_simulator):
    container = estate(qualys_simulator.tenant).containers[0]
    detail = await get(gateway, f"/containers/{container.sha}")
    assert detail["imageId"] == container.image.image_id
    assert detail["vulnerabilities"][0]["severity5Count"] == container.image.severity_counts()[5]
    vulns = await get(gateway, f"/containers/{container.container_id}/vuln")
    assert len(vulns["details"]["vulns"]) == len(container.image.vulns)


async def test_registries_sensors_and_profiles(gateway, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    registries = await get(gateway, "/registry", pageSize="50", pageNumber="1")
    assert {r["registryType"] for r in registries["data"]} == {
        "DockerHub", "AWS ECR", "Azure ACR", "Google GCR",
    }  # fmt: skip
    sensors = await get(gateway, "/sensors", sort="lastCheckedIn:asc")
    assert sensors["count"] == len(est.sensors) > 0
    oldest = min(est.sensors, key=lambda s: s.last_checked_in)
    assert sensors["data"][0]["hostname"] == oldest.host.dns
    profiles = await get(gateway, "/sensorProfile")
    assert sum(p["associatedSensorsCount"] for p in profiles["data"]) == len(est.sensors)


async def test_vulnerability_view_counts_and_detail(gateway, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    first = await get(gateway, "/vuln", pageSize="1", pageNumber="1")
    assert first["count"] == len(est.vulnerabilities)
    counts = await get(gateway, "/vuln/count", groupBy="severity")
    assert sum(row["count"] for row in counts) == first["count"]
    assert [row["key"] for row in counts] == ["5", "4", "3", "2", "1"]
    view = first["data"][0]
    detail = await get(gateway, f"/vulnerability/{view['uuid']}")
    assert detail["vulnDef"]["qid"] == view["qid"]
    assert detail["vulnerabilityDetailDTO"]["imageCount"] == view["imageCount"]
    bad = await gateway.get(f"{CS}/vuln/count", params={"groupBy": "registry"})
    assert bad.status_code == 400


class TestUnlicensed:
    @pytest.fixture
    def qualys_simulator_options(self):
        return {"assets": 50, "now": FIXED_NOW, "config": SimConfig(unlicensed=frozenset({"CS"}))}

    async def test_every_cs_endpoint_answers_404(self, gateway):
        for path in ("/images", "/containers", "/sensors", "/vuln/count"):
            response = await gateway.get(f"{CS}{path}")
            assert response.status_code == 404, path


class TestEmptyTenant:
    @pytest.fixture
    def qualys_simulator_options(self):
        return {"assets": 0, "now": FIXED_NOW}

    async def test_no_hosts_means_no_images_or_sensors(self, gateway):
        assert (await get(gateway, "/images"))["count"] == 0
        assert (await get(gateway, "/sensors"))["data"] == []
