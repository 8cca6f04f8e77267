"""Our Container Security client: paging from 1 on the simulator (pageNumber and the bulk
list's Link cursors), object calls on unknown ids, and the readers taking every shape the
catalogue records (§12a-d), not only the vendor's the simulator sends."""

from __future__ import annotations

from datetime import UTC, datetime

from qualys_totalcloud.api.container_records import (
    as_time,
    parse_container,
    parse_image,
    parse_image_vulns,
    parse_severity_groups,
    read_counts,
)
from qualys_totalcloud.api.containers import (
    bulk_containers,
    get_image,
    image_vuln_count,
    image_vulns,
    list_containers,
    list_images,
    list_sensors,
    vulnerability_detail,
    vulnerability_severity_counts,
)
from qualys_totalcloud.simulator.container_data import estate


async def test_list_images_pages_through_every_image(qualys_client, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    found = await list_images(qualys_client, page_size=7)
    assert [i.image_id for i in found.items] == [i.image_id for i in est.images]
    assert found.total == len(est.images)
    assert not found.truncated
    pages = qualys_simulator.log.select(route="totalcloud.cs_images")
    assert [p.params["pageNumber"] for p in pages] == [str(n) for n in range(1, 8)]
    first = found.items[0]
    assert (first.repo, first.tag, first.registry) == ("nginx", "1.24.0", "docker.io")
    assert first.counts.by_severity == est.images[0].severity_counts()


async def test_a_page_cap_marks_the_listing_truncated(qualys_client, qualys_simulator):
    found = await list_images(qualys_client, page_size=10, max_pages=2)
    assert len(found.items) == 20
    assert found.truncated
    assert found.total == len(estate(qualys_simulator.tenant).images)


async def test_bulk_and_paged_container_lists_agree(qualys_client, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    paged = await list_containers(qualys_client, filter="state:RUNNING", page_size=10)
    bulk = await bulk_containers(qualys_client, filter="state:RUNNING", size=4)
    running = {c.sha for c in est.containers if c.state == "RUNNING"}
    assert {c.sha for c in paged.items} == {c.sha for c in bulk} == running
    assert len(bulk) == len(running)
    calls = qualys_simulator.log.count(route="totalcloud.cs_containers_bulk")
    assert calls == -(-len(running) // 4)
    container = next(c for c in bulk if c.sha == est.containers[0].sha)
    assert container.host_name == est.containers[0].host.dns
    assert container.counts.of(5) == est.containers[0].image.severity_counts()[5]


async def test_object_calls_return_none_for_unknown_ids(qualys_client, qualys_simulator):
    image = estate(qualys_simulator.tenant).images[0]
    assert await get_image(qualys_client, "0123456789ab") is None
    assert await image_vulns(qualys_client, "0123456789ab") is None
    detail = await get_image(qualys_client, image.image_id)
    assert detail is not None
    assert detail.sha == image.sha
    assert {s.name for s in detail.software} == {s.name for s in image.software}
    counts = await image_vuln_count(qualys_client, image.sha)
    assert counts is not None
    assert counts.by_severity == image.severity_counts()


async def test_sensors_and_vulnerability_view(qualys_client, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    sensors = await list_sensors(qualys_client)
    assert {s.hostname for s in sensors.items} == {s.host.dns for s in est.sensors}
    checked = {s.hostname: s.last_checked_in for s in sensors.items}
    for sensor in est.sensors:
        assert checked[sensor.host.dns] == sensor.last_checked_in.replace(microsecond=0)
    counts = await vulnerability_severity_counts(qualys_client)
    assert sum(counts.values()) == len(est.vulnerabilities)
    view = est.vulnerabilities[0]
    detail = await vulnerability_detail(qualys_client, view.uuid)
    assert detail["vulnDef"]["qid"] == view.vuln.qid
    assert await vulnerability_detail(qualys_client, "no-such-uuid") is None


def test_counts_read_both_catalogue_shapes():
    vendor = {"severity5Count": 3, "severity4Count": 7, "severity3Count": 2,
              "severity2Count": 0, "severity1Count": 1, "patchAvailableCount": 9}  # fmt: skip
    nested = {"severity": {"5": 3, "4": 7, "3": 2, "1": 1}, "patchAvailable": 9}
    for shape in (vendor, nested, [vendor]):
        counts = read_counts(shape)
        assert counts.by_severity == {5: 3, 4: 7, 3: 2, 2: 0, 1: 1}
        assert counts.patchable == 9
        assert counts.total == 13
    assert read_counts(None).total == 0


def test_image_and_container_read_flat_and_nested_forms():
    flat = parse_image({"imageId": "3f1c2a9b7d10", "sha": "sha256:3f1c", "repo": "nginx",
                        "tag": "1.25.3", "created": "2025-12-01T10:00:00Z"})  # fmt: skip
    assert (flat.repo, flat.tag, flat.name) == ("nginx", "1.25.3", "nginx:1.25.3")
    assert flat.created == datetime(2025, 12, 1, 10, tzinfo=UTC)
    mcp = parse_container(
        {"imageRepo": "nginx", "imageTag": "1.25.3", "hostName": "node-1", "state": "RUNNING"}
    )
    assert (mcp.host_name, mcp.image_repo, mcp.image_tag) == ("node-1", "nginx", "1.25.3")
    nested = parse_container({"host": {"hostname": "node-2", "ipAddress": "10.0.1.4"}})
    assert (nested.host_name, nested.host_ip) == ("node-2", "10.0.1.4")
    assert as_time("1717026901000") == datetime(2024, 5, 29, 23, 55, 1, tzinfo=UTC)


def test_vulnerability_lists_read_every_shape():
    row = {"qid": 376523, "severity": 5, "title": "OpenSSH regreSSHion"}
    vendor = {"details": [{**row, "cveids": ["CVE-2024-6387"], "patchAvailable": True}]}
    qualysdk = {"details": {"vulns": [{**row, "cveids": ["cve-2024-6387"]}]}}
    mcp = {"data": [{**row, "cveId": "CVE-2024-6387", "fixedVersion": "9.8p1"}]}
    for body in (vendor, qualysdk, mcp):
        (vuln,) = parse_image_vulns(body)
        assert (vuln.qid, vuln.severity, vuln.cves) == (376523, 5, ("CVE-2024-6387",))
    assert parse_image_vulns(mcp)[0].fixed_version == "9.8p1"


def test_severity_groups_read_the_list_and_the_object():
    listed = [{"key": "5", "count": 40}, {"severity": 4, "count": 112}]
    assert parse_severity_groups(listed) == {5: 40, 4: 112, 3: 0, 2: 0, 1: 0}
    assert parse_severity_groups({"5": 40, "4": 112}) == {5: 40, 4: 112, 3: 0, 2: 0, 1: 0}
    assert parse_severity_groups({"data": listed})[5] == 40
