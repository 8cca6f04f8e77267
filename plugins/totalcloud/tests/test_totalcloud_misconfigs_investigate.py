"""investigate a CVE or QID with VMDR and TotalCloud loaded together: totalcloud.vm_misconfigs
(the cloud VM instances failing VM posture controls) and the correlation joining them to
VMDR's affected hosts on the cloud resource id.

The CVEs are chosen from the simulated tenant itself (its detections and cloud estate), so the
tests hold for any seed.
"""

from __future__ import annotations

from typing import Any

import pytest
import qualys_totalcloud.plugin as totalcloud_plugin
import qualys_vmdr.plugin as vmdr_plugin
from qualys_totalcloud.simulator.cloud_data import CloudEstate, estate

from qualys_core.plugins.manager import PluginHost, create_plugin_host
from qualys_core.simulator import Simulator
from qualys_core.simulator.tenant import Host, Tenant
from qualys_core.testing import FIXED_NOW

MISCONFIGS = "totalcloud.vm_misconfigs"
CORRELATION = "totalcloud.cve_assets_failing_cloud_controls"
OPEN = {"New", "Active", "Re-Opened"}


@pytest.fixture
def qualys_plugin_host() -> PluginHost:
    return create_plugin_host(
        load_entrypoints=False,
        plugins={"vmdr": vmdr_plugin, "totalcloud": totalcloud_plugin},
        strict=True,
    )


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    return {"assets": 300, "seed": 7, "now": FIXED_NOW}


@pytest.fixture
def cloud(qualys_simulator: Simulator) -> CloudEstate:
    return estate(qualys_simulator.tenant)


def open_qids(tenant: Tenant, host: Host) -> set[int]:
    """What VMDR's detection pull reports as open for the host."""
    return {
        d.qid
        for d in tenant.detections(host)
        if d.status in OPEN and not d.is_ignored and not d.is_disabled and d.type != "Info"
    }


def failing_vm_controls(cloud: CloudEstate, host: Host) -> list[Any]:
    resource = cloud.resource(host.cloud.instance_id) if host.cloud else None
    return cloud.failing_controls_of(resource) if resource else []


def cve_hosts(tenant: Tenant) -> dict[str, set[int]]:
    """Every CVE with an open detection, and the hosts it is open on."""
    found: dict[str, set[int]] = {}
    for host in tenant.hosts:
        for qid in open_qids(tenant, host):
            for cve in tenant.kb.get(qid).cves:
                found.setdefault(cve, set()).add(host.host_id)
    return found


def pick_cve(tenant: Tenant, cloud: CloudEstate, exposed: bool) -> tuple[str, list[Host]]:
    """The CVE open on the most cloud hosts failing VM controls, with (or without) one
    failing an internet-exposure control; and those hosts."""
    by_id = {h.host_id: h for h in tenant.hosts}
    best: tuple[int, str, list[Host]] | None = None
    for cve, ids in cve_hosts(tenant).items():
        hosts = [by_id[i] for i in ids if failing_vm_controls(cloud, by_id[i])]
        has_exposure = any(c.exposure for h in hosts for c in failing_vm_controls(cloud, h))
        if hosts and has_exposure == exposed and (best is None or (len(hosts), cve) > best[:2]):
            best = (len(hosts), cve, hosts)
    assert best is not None, "the tenant has no such CVE"
    return best[1], best[2]


def instance_controls(cloud: CloudEstate) -> dict[str, set[int]]:
    """Every cloud VM instance failing VM controls, with those controls' ids."""
    found: dict[str, set[int]] = {}
    for account in cloud.accounts:
        for resource in cloud.account_resources(account):
            if resource.host is not None:
                failing = {c.cid for c in cloud.failing_controls_of(resource)}
                if failing:
                    found[resource.resource_id] = failing
    return found


async def test_vm_misconfigs_lists_every_failing_instance_with_its_controls(call, cloud):
    expected = instance_controls(cloud)

    env = await call("investigate", {"target": "CVE-2021-44228", "limit": 500})

    assert {s["name"]: s["status"] for s in env["sources"]}[MISCONFIGS] == "ok"
    block = env["data"][MISCONFIGS]
    records = {r["resource_id"]: r for r in block["records"]}
    assert set(records) == set(expected)
    for resource_id, record in records.items():
        resource = cloud.resource(resource_id)
        assert resource is not None
        assert resource.host is not None
        assert {c["control_id"] for c in record["failing_controls"]} == expected[resource_id]
        assert record["account_id"] == resource.account_id
        assert record["region"] == resource.region
        assert record["exposed"] == any(c.exposure for c in cloud.failing_controls_of(resource))
    assert block["stats"]["exposed_instances"] == sum(1 for r in records.values() if r["exposed"])
    # exposed instances first
    flags = [r["exposed"] for r in block["records"]]
    assert flags == sorted(flags, reverse=True)


@pytest.mark.parametrize("exposed", [True, False])
async def test_cve_on_cloud_assets_failing_controls_is_correlated(
    call, cloud, qualys_simulator, exposed
):
    tenant = qualys_simulator.tenant
    cve, hosts = pick_cve(tenant, cloud, exposed)
    controls = {c.cid for h in hosts for c in failing_vm_controls(cloud, h)}

    env = await call("investigate", {"target": cve, "limit": 500})

    statuses = {s["name"]: s["status"] for s in env["sources"]}
    assert statuses["vmdr.affected_hosts"] == "ok"
    assert statuses[MISCONFIGS] == "ok"
    (block,) = [c for c in env["correlations"] if c["name"] == CORRELATION]
    assert block["title"] == (
        f"{cve} is open on {len(hosts)} cloud assets that also fail {len(controls)} cloud controls"
    )
    assert block["severity"] == ("critical" if exposed else "high")
    items = {i["host_id"]: i for i in block["items"]}
    assert set(items) == {h.host_id for h in hosts}
    for host in hosts:
        item = items[host.host_id]
        assert item["ip"] == host.ip
        assert item["resource_id"] == host.cloud.instance_id
        assert item["account_id"] == host.cloud.account_id
        assert item["exposed"] == any(c.exposure for c in failing_vm_controls(cloud, host))
        assert {int(c.split()[0]) for c in item["failing_controls"]} == {
            c.cid for c in failing_vm_controls(cloud, host)
        }
    assert any(a["title"].startswith(f"Patch {cve} on these {len(hosts)}") for a in env["actions"])


async def test_a_qid_is_correlated_too(call, cloud, qualys_simulator):
    tenant = qualys_simulator.tenant
    cve, _ = pick_cve(tenant, cloud, exposed=True)
    qid = min(v.qid for v in tenant.kb.by_cve(cve))
    matched = [
        h for h in tenant.hosts if qid in open_qids(tenant, h) and failing_vm_controls(cloud, h)
    ]

    env = await call("investigate", {"target": f"qid:{qid}", "limit": 500})

    (block,) = [c for c in env["correlations"] if c["name"] == CORRELATION]
    assert block["title"].startswith(f"QID {qid} is open on {len(matched)} cloud assets")
    assert {i["host_id"] for i in block["items"]} == {h.host_id for h in matched}


async def test_no_correlation_without_vulnerable_cloud_hosts(call, qualys_simulator):
    # a CVE the KnowledgeBase has no QID for: VMDR's affected hosts answer empty
    env = await call("investigate", {"target": "CVE-1999-0001"})

    assert not [c for c in env["correlations"] if c["name"] == CORRELATION]
    assert {s["name"]: s["status"] for s in env["sources"]}[MISCONFIGS] == "ok"
