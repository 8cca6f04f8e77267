"""investigate a CVE or QID through the MCP tool: the container images carrying it and the
containers running them, found with Container Security's CVE/QID image filter."""

from __future__ import annotations

from typing import Any

import pytest
from qualys_totalcloud.simulator.container_data import ContainerEstate, Image, estate

from qualys_core.simulator.tenant import Tenant
from qualys_core.testing import FIXED_NOW

SOURCE = "totalcloud.cve_images"


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    return {"assets": 200, "seed": 7, "now": FIXED_NOW}


def carrying(tenant: Tenant, est: ContainerEstate, cve: str) -> list[Image]:
    qids = {v.qid for v in tenant.kb.by_cve(cve)}
    return [i for i in est.images if any(f.vuln.qid in qids for f in i.vulns)]


async def test_regresshion_images_and_their_running_containers(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    est = estate(tenant)
    images = carrying(tenant, est, "CVE-2024-6387")
    live = [i for i in images if est.running(i)]
    containers = [c for i in images for c in est.running(i)]
    hosts = sorted({c.host.dns for c in containers})
    assert {"acme/bastion", "acme/build-agent", "jenkins/jenkins"} <= {i.repository for i in images}

    env = await call("investigate", {"target": "CVE-2024-6387", "depth": "standard"})

    block = env["data"][SOURCE]
    assert {r["image_id"] for r in block["records"]} == {i.image_id for i in images}
    assert block["stats"] == {
        "cve_images": len(images),
        "cve_images_running": len(live),
        "cve_containers_running": len(containers),
    }
    expected = (
        f"CVE-2024-6387 is present in {len(images)} container images, {len(live)} of them "
        f"running as {len(containers)} containers on {len(hosts)} hosts"
    )
    assert any(text.startswith(expected) for text in env["summary"]["key_findings"])
    rebuild = [a for a in env["actions"] if a["title"].startswith("Rebuild ")]
    assert rebuild[0]["arguments"]["image_id"] == block["records"][0]["image_id"]
    sent = qualys_simulator.log.select(route="totalcloud.cs_images")
    assert [r.params.get("filter") for r in sent] == ["vulnerabilities.cveids:CVE-2024-6387"]


async def test_a_qid_target_uses_the_qid_filter(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    est = estate(tenant)
    (xz,) = tenant.kb.by_cve("CVE-2024-3094")
    images = carrying(tenant, est, "CVE-2024-3094")
    env = await call("investigate", {"target": f"qid:{xz.qid}", "depth": "standard"})
    block = env["data"][SOURCE]
    assert {r["image"] for r in block["records"]} == {i.name for i in images}
    assert block["stats"]["cve_images"] == len(images) > 1


async def test_a_cve_in_no_image_says_so(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    cve = "CVE-2021-34527"  # PrintNightmare: a Windows flaw, never in a Linux image
    assert tenant.kb.by_cve(cve)
    assert not carrying(tenant, estate(tenant), cve)
    env = await call("investigate", {"target": cve, "depth": "standard"})
    (source,) = [s for s in env["sources"] if s["name"] == SOURCE]
    assert source["status"] == "ok"
    assert env["data"][SOURCE]["records"] == []
    assert f"{cve} is not present in any container image" in env["summary"]["key_findings"]


async def test_quick_depth_skips_the_image_search(call, qualys_simulator):
    env = await call("investigate", {"target": "CVE-2024-6387", "depth": "quick"})
    assert SOURCE not in {s["name"] for s in env["sources"]}
    assert qualys_simulator.log.count(route="totalcloud.cs_images") == 0
