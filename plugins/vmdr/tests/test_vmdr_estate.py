"""Estate-wide VMDR answers through the MCP tools on the simulator: assess_risk vms (top
findings, exploited hosts, paged detections), security_overview (new criticals),
plan_remediation (patch priorities, mitigations), and the warm-up.
"""

from __future__ import annotations

from typing import Any

import pytest
from qualys_vmdr.aggregators.kbview import EXPLOITED_TAGS
from qualys_vmdr.warmup import MAX_CALLS

from qualys_core.simulator.tenant import Tenant
from qualys_core.testing import FIXED_NOW

OPEN = {"New", "Active", "Re-Opened"}
DETECTIONS = "/api/2.0/fo/asset/host/vm/detection/"


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    return {"assets": 300, "seed": 7, "now": FIXED_NOW}


def open_detections(tenant: Tenant, severities: set[int]):
    for host in tenant.hosts:
        for d in tenant.detections(host):
            visible = not d.is_ignored and not d.is_disabled and d.type != "Info"
            if d.status in OPEN and visible and d.severity in severities:
                yield host, d


async def test_assess_risk_vms_ranks_every_open_critical_qid(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    qids = {d.qid for _, d in open_detections(tenant, {4, 5})}
    hosts = {h.host_id for h, _ in open_detections(tenant, {4, 5})}

    env = await call("assess_risk", {"scope": "vms", "sort_by": "qds", "limit": 10})

    block = env["data"]["vmdr.top_vulns"]
    assert block["total"] == len(qids)
    assert env["summary"]["stats"]["hosts_with_sev4_5"] == len(hosts)
    scores = [r["max_qds"] for r in block["records"]]
    assert scores == sorted(scores, reverse=True)
    best = max(d.qds for _, d in open_detections(tenant, {4, 5}))
    assert scores[0] == best
    assert block["records"][0]["title"] == tenant.kb.get(block["records"][0]["qid"]).title


async def test_exploited_hosts_are_those_with_rti_tagged_qids(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    expected = {
        h.host_id
        for h, d in open_detections(tenant, {4, 5})
        if EXPLOITED_TAGS & set(tenant.kb.get(d.qid).threat_intel)
    }
    env = await call("assess_risk", {"scope": "vms", "limit": 500})
    block = env["data"]["vmdr.exploited_hosts"]
    assert {r["host_id"] for r in block["records"]} == expected


async def test_detections_page_through_many_truncated_pages(call, qualys_simulator, monkeypatch):
    monkeypatch.setenv("QUALYS_VMDR_DETECTION_PAGE_HOSTS", "25")
    monkeypatch.setenv("QUALYS_VMDR_PARTITIONS", "1")
    tenant = qualys_simulator.tenant
    qids = {d.qid for _, d in open_detections(tenant, {4, 5})}

    env = await call("assess_risk", {"scope": "vms"})

    assert env["data"]["vmdr.top_vulns"]["total"] == len(qids)
    pages = qualys_simulator.log.count(path=DETECTIONS)
    hosts = len({h.host_id for h, _ in open_detections(tenant, {4, 5})})
    assert pages >= 3
    assert pages >= hosts // 25


async def test_security_overview_counts_new_criticals_of_the_week(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    today = tenant.now.date()
    fresh = [
        d
        for _, d in open_detections(tenant, {4, 5})
        if 0 <= (today - d.first_found.date()).days < 7
    ]
    env = await call("security_overview", {"period": "week", "scope": "vulns"})
    stats = env["summary"]["stats"]
    assert stats["new_critical_detections"] == len(fresh)
    assert stats["new_critical_qids"] == len({d.qid for d in fresh})


async def test_patch_priorities_are_patchable_and_ranked(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    env = await call("plan_remediation", {"scope": "patches", "limit": 10})
    rows = env["data"]["vmdr.patch_priorities"]["records"]
    assert rows
    assert all(tenant.kb.get(r["qid"]).patchable for r in rows)
    priorities = [r["priority"] for r in rows]
    assert priorities == sorted(priorities, reverse=True)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))


async def test_patch_priorities_for_one_platform_count_only_its_hosts(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    env = await call("plan_remediation", {"scope": "patches", "platform": "linux"})
    rows = env["data"]["vmdr.patch_priorities"]["records"]
    assert rows
    for row in rows:
        linux = {
            h.host_id
            for h, d in open_detections(tenant, {4, 5})
            if d.qid == row["qid"] and h.os_family == "Linux"
        }
        assert row["hosts"] == len(linux) > 0


async def test_patch_plan_for_named_cves(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    (vuln,) = tenant.kb.by_cve("CVE-2021-44228")
    env = await call("plan_remediation", {"scope": "patches", "cves": "CVE-2021-44228"})
    rows = env["data"]["vmdr.patch_priorities"]["records"]
    assert [r["qid"] for r in rows] == [vuln.qid]


async def test_mitigations_cover_unpatchable_qids(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    env = await call("plan_remediation", {"scope": "mitigations", "severity": 3, "limit": 50})
    rows = env["data"]["vmdr.mitigations"]["records"]
    unpatchable = {
        d.qid for _, d in open_detections(tenant, {3, 4, 5}) if not tenant.kb.get(d.qid).patchable
    }
    assert rows
    assert {r["qid"] for r in rows} <= unpatchable
    assert all(r["mitigation"] for r in rows)


async def test_warmup_fills_the_caches_within_its_call_budget(qualys_app, qualys_simulator):
    qualys_app.start_warmup()
    await qualys_app.wait_warmup()
    calls = len(qualys_simulator.log.select(host="api"))
    assert 0 < calls <= MAX_CALLS
    warmed = qualys_simulator.log.count(path=DETECTIONS)
    assert warmed > 0

    envelope = await qualys_app.engine.call("security_overview", {"scope": "vulns"})

    assert {s.name: s.status for s in envelope.sources}["vmdr.new_criticals"] == "ok"
    assert qualys_simulator.log.count(path=DETECTIONS) == warmed  # answered from the cache


async def test_exploited_hosts_with_stale_scans_are_correlated(call, qualys_simulator):
    env = await call("assess_risk", {"scope": "assets", "days": 14, "limit": 500})
    exploited = {r["host_id"] for r in env["data"]["vmdr.exploited_hosts"]["records"]}
    stale = {r["host_id"] for r in env["data"]["vmdr.stale_assets"]["records"]}
    expected = exploited & stale
    assert expected  # the tenant has both; otherwise the test proves nothing

    (block,) = [c for c in env["correlations"] if c["name"] == "vmdr.exploited_on_stale_assets"]
    assert {i["host_id"] for i in block["items"]} == expected
    assert block["severity"] == "critical"
    assert all(i["exploited_qids"] and i["last_scanned"] for i in block["items"])
