"""investigate through the MCP tool on the simulator: CVE and QID deep-dives, a host, threats,
software; the exposed-assets correlation; a CVE without QIDs, an unknown host, unlicensed VMDR.

Expectations are computed from the simulated tenant itself (its KnowledgeBase and per-host
detections), so they hold for any seed.
"""

from __future__ import annotations

from typing import Any

import pytest

from qualys_core.simulator import LimitSpec, SimConfig
from qualys_core.simulator.tenant import Host, Tenant
from qualys_core.testing import FIXED_NOW, simulator_settings

OPEN = {"New", "Active", "Re-Opened"}


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    return {"assets": 600, "seed": 7, "now": FIXED_NOW}


def open_qids(tenant: Tenant, host: Host) -> dict[int, Any]:
    """What the detection API reports by default: open, not ignored or disabled, and not
    information gathered (show_igs=0)."""
    return {
        d.qid: d
        for d in tenant.detections(host)
        if d.status in OPEN and not d.is_ignored and not d.is_disabled and d.type != "Info"
    }


def hosts_with(tenant: Tenant, qids: set[int]) -> list[Host]:
    return [h for h in tenant.hosts if qids & set(open_qids(tenant, h))]


async def test_cve_deep_dive_joins_kb_hosts_qds_and_exposure(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    qids = {v.qid for v in tenant.kb.by_cve("CVE-2021-44228")}
    expected = hosts_with(tenant, qids)
    assert qids  # the tenant carries Log4Shell
    assert expected

    env = await call("investigate", {"target": "CVE-2021-44228", "limit": 100})

    statuses = {s["name"]: s["status"] for s in env["sources"]}
    assert statuses["vmdr.kb"] == "ok"
    assert statuses["vmdr.affected_hosts"] == "ok"
    assert statuses["vmdr.qds"] == "ok"
    kb = env["data"]["vmdr.kb"]["records"]
    assert {r["qid"] for r in kb} == qids
    vuln = tenant.kb.get(next(iter(qids)))
    assert kb[0]["cves"] == list(vuln.cves)[:5]
    assert kb[0]["threat_intel"] == list(vuln.threat_intel)
    assert kb[0]["exploits"] == len(vuln.exploits) > 0  # CORRELATION/EXPLOITS, read right

    hosts = env["data"]["vmdr.affected_hosts"]
    assert hosts["total"] == len(expected)
    assert {r["host_id"] for r in hosts["records"]} == {h.host_id for h in expected}
    by_id = {h.host_id: h for h in expected}
    for record in hosts["records"]:
        host = by_id[record["host_id"]]
        assert record["ip"] == host.ip
        assert record["criticality"] == host.criticality
        assert record["internet_facing"] == host.internet_facing
        # the cloud resource id is how TotalCloud's posture joins the same machine
        assert record["cloud_resource_id"] == (host.cloud.instance_id if host.cloud else None)
    assert any(h.cloud for h in expected)
    assert env["summary"]["stats"]["affected_hosts"] == len(expected)
    assert env["summary"]["stats"]["intent"] == "cve"

    (qds,) = env["data"]["vmdr.qds"]["records"]
    best = max(open_qids(tenant, h)[qds["qid"]].qds for h in expected)
    assert qds["max_qds"] == best
    assert qds["factors"]  # show_qds_factors=1 returned the factors
    # affected hosts and QDS come from one detection pull, not one each
    assert qualys_simulator.log.count(route="vmdr.host_list", method="GET") == 1


async def test_internet_facing_cve_raises_the_correlation(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    qids = {v.qid for v in tenant.kb.by_cve("CVE-2024-3400")}
    exposed = [h for h in hosts_with(tenant, qids) if h.internet_facing or h.criticality >= 4]
    assert exposed

    env = await call("investigate", {"target": "CVE-2024-3400"})

    (block,) = [c for c in env["correlations"] if c["name"] == "vmdr.cve_on_exposed_assets"]
    assert block["severity"] == "critical"  # KEV and actively attacked
    assert {i["host_id"] for i in block["items"]} == {h.host_id for h in exposed}
    assert env["summary"]["risk_level"] == "critical"
    assert env["actions"][0]["priority"] == 1


async def test_qid_target_investigates_that_qid(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    (vuln,) = tenant.kb.by_cve("CVE-2021-44228")
    env = await call("investigate", {"target": f"qid:{vuln.qid}"})
    assert [r["qid"] for r in env["data"]["vmdr.kb"]["records"]] == [vuln.qid]
    assert env["data"]["vmdr.affected_hosts"]["total"] == len(hosts_with(tenant, {vuln.qid}))


async def test_a_cve_without_qids_says_so_and_queries_no_detections(call, qualys_simulator):
    env = await call("investigate", {"target": "CVE-1999-99999"})
    statuses = {s["name"]: s["status"] for s in env["sources"]}
    assert statuses["vmdr.kb"] == "ok"
    assert statuses["vmdr.affected_hosts"] == "empty"
    assert "no QID detects it yet" in env["summary"]["headline"]
    assert qualys_simulator.log.count(path="/api/2.0/fo/asset/host/vm/detection/") == 0


async def test_host_by_ip_lists_its_open_detections(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    host = next(
        h for h in tenant.hosts if any(d.severity == 5 for d in open_qids(tenant, h).values())
    )
    expected = open_qids(tenant, host)

    env = await call("investigate", {"target": host.ip, "limit": 500})

    block = env["data"]["vmdr.host_vulns"]
    assert {r["qid"] for r in block["records"]} == set(expected)
    assert block["total"] == len(expected)
    top = block["records"][0]
    assert top["qds"] == max(d.qds for d in expected.values())
    assert top["title"] == tenant.kb.get(top["qid"]).title
    assert env["summary"]["stats"]["severity_5"] == sum(
        1 for d in expected.values() if d.severity == 5
    )


async def test_host_by_name_goes_through_csam(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    host = tenant.hosts[3]
    env = await call("investigate", {"target": host.dns, "limit": 500})
    block = env["data"]["vmdr.host_vulns"]
    assert {r["qid"] for r in block["records"]} == set(open_qids(tenant, host))
    # vmdr.asset_lookup and vmdr.host_vulns share one lookup: the FQDN, then its short name.
    assert qualys_simulator.log.count(route="csam.search_assets") == 2


async def test_an_unknown_host_is_an_empty_answer_not_an_error(call):
    env = await call("investigate", {"target": "no-such-host.corp.example"})
    statuses = {s["name"]: s["status"] for s in env["sources"]}
    assert statuses["vmdr.host_vulns"] == "empty"
    assert "vmdr.host_vulns" not in env["data"]


async def test_ransomware_lists_open_qids_tagged_ransomware(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    expected: dict[int, int] = {}
    for host in tenant.hosts:
        for qid, detection in open_qids(tenant, host).items():
            vuln = tenant.kb.get(qid)
            if detection.severity >= 3 and "Ransomware" in vuln.threat_intel:
                expected[qid] = expected.get(qid, 0) + 1
    assert expected

    env = await call("investigate", {"target": "ransomware", "limit": 500})

    block = env["data"]["vmdr.threats"]
    assert {r["qid"]: r["hosts"] for r in block["records"]} == expected
    assert all("Ransomware" in r["threat_intel"] for r in block["records"])


async def test_a_named_gang_is_found_in_the_kb_text(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    env = await call("investigate", {"target": "Cl0p", "limit": 500})
    block = env["data"].get("vmdr.threats")
    named = {v.qid for v in tenant.kb if "Cl0p" in v.diagnosis}
    detected = {q for h in tenant.hosts for q in open_qids(tenant, h)}
    if named & detected:
        assert {r["qid"] for r in block["records"]} == named & detected
    else:  # the KB names no detected QID: the Ransomware tag stands in, and it says so
        assert "does not name Cl0p" in (block["more"] or "")


class TestUnlicensed:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        return {
            "assets": 50,
            "seed": 7,
            "now": FIXED_NOW,
            "config": SimConfig(unlicensed=frozenset({"vmdr"})),
        }

    async def test_sources_say_unlicensed(self, call):
        env = await call("investigate", {"target": "CVE-2024-3400"})
        statuses = {s["name"]: s["status"] for s in env["sources"]}
        assert statuses["vmdr.kb"] == "not_licensed"
        assert statuses["vmdr.affected_hosts"] == "not_licensed"
        assert env["summary"]["risk_level"] == "unknown"


async def test_software_target_lists_open_qids_naming_it(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    detected = {
        qid: d for h in tenant.hosts for qid, d in open_qids(tenant, h).items() if d.severity >= 3
    }
    expected = {q for q in detected if "openssl" in tenant.kb.get(q).title.lower()}
    assert expected

    env = await call("investigate", {"target": "openssl", "limit": 500})

    assert env["summary"]["stats"]["intent"] == "software"
    block = env["data"]["vmdr.software_vulns"]
    assert {r["qid"] for r in block["records"]} == expected


class TestKnowledgeBaseContention:
    """The KB answers 409 to a second concurrent call; the semaphore keeps ours to one."""

    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        limits = {"vmdr.kb": LimitSpec(concurrency=1)}
        return {"assets": 300, "seed": 7, "now": FIXED_NOW, "config": SimConfig(limits=limits)}

    @pytest.fixture
    def qualys_settings(self, qualys_simulator):
        return simulator_settings(qualys_simulator, kb_concurrency=1)

    async def test_many_kb_batches_in_one_call_meet_no_409(self, call, qualys_simulator):
        env = await call("investigate", {"target": "ransomware", "limit": 500})
        assert {s["name"]: s["status"] for s in env["sources"]}["vmdr.threats"] == "ok"
        assert qualys_simulator.log.count(route="vmdr.kb") > 3  # batches of 50 QIDs
        assert qualys_simulator.log.count(route="vmdr.kb", status=409) == 0
