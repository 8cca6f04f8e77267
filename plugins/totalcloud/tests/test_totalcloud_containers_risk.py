"""assess_risk scope containers through the MCP tool on the simulator: the image ranking and
its counts, running containers, the image_id deep-dive (known, by name, unknown, absent) and
the vulnerable-images-running correlation; expected values come from container_data."""

from __future__ import annotations

from typing import Any

import pytest
from qualys_totalcloud.simulator.container_data import ContainerEstate, Image, estate

from qualys_core.testing import FIXED_NOW

DETAIL_ROUTES = ("totalcloud.cs_image", "totalcloud.cs_image_vulns", "totalcloud.cs_image_software")


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    return {"assets": 200, "seed": 7, "now": FIXED_NOW}


def rank(est: ContainerEstate, image: Image) -> tuple[int, ...]:
    c = image.severity_counts()
    return (c[5], c[4], len(est.running(image)), c[3], sum(c.values()))


async def test_images_are_ranked_by_severity_then_running_containers(call, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    env = await call("assess_risk", {"scope": "containers", "limit": 500})
    block = env["data"]["totalcloud.images"]
    rows = block["records"]
    assert block["total"] == len(est.images) == len(rows)
    assert [rank_of(r) for r in rows] == sorted((rank_of(r) for r in rows), reverse=True)
    by_id = {i.image_id: i for i in est.images}
    for row in rows:
        image = by_id[row["image_id"]]
        counts = image.severity_counts()
        assert (row["sev5"], row["sev4"], row["sev3"]) == (counts[5], counts[4], counts[3])
        assert row["running_containers"] == len(est.running(image))
        assert row["hosts"] == sorted({c.host.dns for c in est.running(image)})
    top = max(est.images, key=lambda i: rank(est, i))
    assert rows[0]["image_id"] == top.image_id


def rank_of(row: dict[str, Any]) -> tuple[int, ...]:
    return (row["sev5"], row["sev4"], row["running_containers"], row["sev3"], row["vulns"])


async def test_image_stats_and_limit(call, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    env = await call("assess_risk", {"scope": "containers", "limit": 3})
    stats = env["summary"]["stats"]
    sev5 = [i for i in est.images if i.severity_counts()[5]]
    assert stats["images"] == len(est.images)
    assert stats["images_with_sev5"] == len(sev5)
    assert stats["images_running_with_sev5"] == sum(1 for i in sev5 if est.running(i))
    assert stats["image_vulns_sev5"] == sum(i.severity_counts()[5] for i in est.images)
    assert stats["containers_running"] == sum(1 for c in est.containers if c.state == "RUNNING")
    block = env["data"]["totalcloud.images"]
    assert len(block["records"]) == 3
    assert block["truncated"] is True
    headline = f"{len(est.images)} container images; {len(sev5)} carry severity-5 vulnerabilities"
    assert any(text.startswith(headline) for text in env["summary"]["key_findings"])


async def test_sort_by_last_seen_puts_the_most_recently_used_image_first(call, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    env = await call("assess_risk", {"scope": "containers", "sort_by": "last_seen", "limit": 1})
    newest = max(
        est.images,
        key=lambda i: (int((est.last_used(i) or i.created).timestamp() * 1000), i.name),
    )
    assert env["data"]["totalcloud.images"]["records"][0]["image_id"] == newest.image_id


async def test_running_containers_count_hosts_and_privileged(call, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    running = [c for c in est.containers if c.state == "RUNNING"]
    env = await call("assess_risk", {"scope": "containers", "limit": 500})
    block = env["data"]["totalcloud.containers_running"]
    assert {r["container_id"] for r in block["records"]} == {c.container_id for c in running}
    stats = env["summary"]["stats"]
    assert stats["container_hosts"] == len({c.host.host_id for c in running})
    assert stats["containers_privileged"] == sum(1 for c in running if c.privileged)
    first = block["records"][0]
    assert first["sev5"] == max(c.image.severity_counts()[5] for c in running)
    assert first["image"] == next(
        c.image.name for c in running if c.container_id == first["container_id"]
    )


async def test_image_deep_dive_by_sha(call, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    image = next(i for i in est.images if i.repository == "acme/build-agent")
    env = await call("assess_risk", {"scope": "containers", "image_id": image.sha, "limit": 500})
    block = env["data"]["totalcloud.image_detail"]
    containers = [r for r in block["records"] if r["kind"] == "container"]
    vulns = [r for r in block["records"] if r["kind"] == "vulnerability"]
    assert {r["container_id"] for r in containers} == {
        c.container_id for c in est.containers_of(image)
    }
    assert sorted(r["qid"] for r in vulns) == sorted(f.vuln.qid for f in image.vulns)
    assert [r["severity"] for r in vulns] == sorted((r["severity"] for r in vulns), reverse=True)
    counts = image.severity_counts()
    stats = block["stats"]
    assert stats["image"] == image.name == "acme/build-agent:3.10.8"
    assert stats["image_vulns_sev5"] == counts[5]
    assert stats["image_vulns"] == len(image.vulns)
    assert stats["image_vulns_patchable"] == sum(1 for f in image.vulns if f.vuln.patchable)
    assert stats["image_containers_running"] == len(est.running(image))
    assert stats["image_software"] == len(image.software)
    xz = next(r for r in vulns if "CVE-2024-3094" in r["cves"])
    assert xz["software"] == "xz-utils 5.6.0"
    ssh = [f for f in image.vulns if f.software is not None and f.software.name == "OpenSSH"]
    software = {r["name"]: r for r in block["records"] if r["kind"] == "software"}
    assert set(software) == {s.name for s in image.software}
    assert software["OpenSSH"] | {"kind": "software"} == {
        "kind": "software", "name": "OpenSSH", "version": "9.6p1", "fix_version": "9.9p1",
        "vulns": len(ssh), "max_severity": max(f.vuln.severity for f in ssh),
    }  # fmt: skip
    worst = max((f for f in image.vulns if f.vuln.cves), key=lambda f: f.vuln.severity)
    assert worst.vuln.severity == 5
    assert any(
        a["tool"] == "investigate" and a["arguments"]["target"] in worst.vuln.cves
        for a in env["actions"]
    )


async def test_image_deep_dive_by_name_and_short_id(call, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    nginx = next(i for i in est.images if i.name == "nginx:1.24.0")
    for wanted in ("nginx:1.24.0", nginx.image_id, f"sha256:{nginx.sha}"):
        env = await call("assess_risk", {"scope": "containers", "image_id": wanted})
        stats = env["data"]["totalcloud.image_detail"]["stats"]
        assert (stats["image"], stats["image_id"]) == ("nginx:1.24.0", nginx.image_id), wanted


async def test_unknown_image_is_a_finding_not_a_failure(call, qualys_simulator):
    env = await call("assess_risk", {"scope": "containers", "image_id": "0123456789ab"})
    (source,) = [s for s in env["sources"] if s["name"] == "totalcloud.image_detail"]
    assert source["status"] == "ok"
    block = env["data"]["totalcloud.image_detail"]
    assert block["records"] == []
    assert block["stats"] == {"image_matches": 0}
    assert "List the container images" in [a["title"] for a in env["actions"]]
    assert all(qualys_simulator.log.count(route=r) == 0 for r in DETAIL_ROUTES)


async def test_without_image_id_the_deep_dive_makes_no_calls(call, qualys_simulator):
    env = await call("assess_risk", {"scope": "containers"})
    (source,) = [s for s in env["sources"] if s["name"] == "totalcloud.image_detail"]
    assert source["status"] == "empty"
    assert all(qualys_simulator.log.count(route=r) == 0 for r in DETAIL_ROUTES)
    assert qualys_simulator.log.count(route="totalcloud.cs_images") == 1


async def test_vulnerable_images_running_correlation(call, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    expected = [i for i in est.images if i.severity_counts()[5] and est.running(i)]
    env = await call("assess_risk", {"scope": "containers", "limit": 500})
    (found,) = [
        c for c in env["correlations"] if c["name"] == "totalcloud.vulnerable_images_running"
    ]
    assert found["total"] == len(expected) > 0
    assert {i["image_id"] for i in found["items"]} == {i.image_id for i in expected}
    containers = [c for i in expected for c in est.running(i)]
    hosts = {c.host.dns for c in containers}
    assert found["title"] == (
        f"{len(expected)} images with severity-5 vulnerabilities are running as "
        f"{len(containers)} containers on {len(hosts)} hosts"
    )
    privileged = any(c.privileged for c in containers)
    assert found["severity"] == ("critical" if privileged else "high")
    item = next(i for i in found["items"] if i["image_id"] == expected[0].image_id)
    assert item["hosts"] == sorted({c.host.dns for c in est.running(expected[0])})
