"""assess_risk's CSAM views (riskiest, end-of-life, stale, per tag) through the MCP tools.

Expected values come from the simulator's tenant and the TruRisk scores its CSAM computes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from qualys_vmdr.aggregators import assets

from qualys_core.plugins import hookimpl
from qualys_core.plugins.manager import create_plugin_host
from qualys_core.simulator.csam_records import TenantView

COUNT = "/rest/2.0/count/am/asset"
SEARCH = "/rest/2.0/search/am/asset"


class AssetsArea:
    """The VMDR plugin's asset area alone, so the request log holds only its calls."""

    @hookimpl
    def qualys_register_aggregators(self):
        return list(assets.AGGREGATORS)

    @hookimpl
    def qualys_register_cache_tiers(self):
        return list(assets.TIERS)


@pytest.fixture
def qualys_plugin_host():
    return create_plugin_host(load_entrypoints=False, plugins={"vmdr": AssetsArea()}, strict=True)


@pytest.fixture
def view(qualys_simulator):
    return TenantView(qualys_simulator.tenant)


def tag_names(tenant, host):
    return {tenant.tag(tag).name for tag in host.tags}


def block_of(env, name):
    (source,) = [s for s in env["sources"] if s["name"] == name]
    assert source["status"] == "ok", source
    return env["data"][name]


async def test_riskiest_assets_of_a_tag_with_band_counts(call, qualys_simulator, view):
    tenant = qualys_simulator.tenant
    tagged = [h for h in tenant.hosts if "Production" in tag_names(tenant, h)]
    risks = [view.risk(h) for h in tagged]
    ranked = sorted(tagged, key=lambda h: (-view.risk(h), -h.criticality, h.asset_id))
    env = await call("assess_risk", {"scope": "vms", "tag": "Production", "limit": 5})
    block = block_of(env, "vmdr.risky_assets")
    assert [r["asset_id"] for r in block["records"]] == [h.asset_id for h in ranked[:5]]
    assert [r["trurisk"] for r in block["records"]] == [view.risk(h) for h in ranked[:5]]
    assert all("Production" in r["tags"] for r in block["records"])
    assert (block["returned"], block["total"], block["truncated"]) == (5, len(tagged), True)
    high = sum(r >= 700 for r in risks)
    assert block["stats"] == {
        "sorted_by": "TruRisk",
        "assets": len(tagged),
        "trurisk_over_900": sum(r > 900 for r in risks),
        "trurisk_critical": sum(r >= 850 for r in risks),
        "trurisk_high": sum(700 <= r < 850 for r in risks),
        "trurisk_medium": sum(500 <= r < 700 for r in risks),
        "trurisk_low": sum(r < 500 for r in risks),
    }
    assert high > 0
    assert (
        f"{high} of {len(tagged)} assets tagged Production have TruRisk 700 or more"
        in (env["summary"]["key_findings"])
    )
    (action,) = [a for a in env["actions"] if a["tool"] == "investigate"]
    assert action["arguments"] == {"target": f"asset:{ranked[0].asset_id}"}
    # Five counts (scope and four TruRisk steps) and one search of the narrowest band.
    assert qualys_simulator.log.count(path=COUNT) == 5
    assert qualys_simulator.log.count(path=SEARCH) == 1


async def test_sort_by_severity_ranks_by_criticality_then_trurisk(call, qualys_simulator, view):
    hosts = qualys_simulator.tenant.hosts
    ranked = sorted(hosts, key=lambda h: (-h.criticality, -view.risk(h), h.asset_id))
    env = await call("assess_risk", {"scope": "vms", "sort_by": "severity", "limit": 10})
    block = block_of(env, "vmdr.risky_assets")
    assert [r["asset_id"] for r in block["records"]] == [h.asset_id for h in ranked[:10]]
    assert block["stats"]["sorted_by"] == "criticality, then TruRisk"
    assert block["total"] == len(hosts)


async def test_end_of_life_os_hardware_and_software(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    ended = ("EOL", "EOS")
    expected = {
        h.asset_id
        for h in tenant.hosts
        if h.os_lifecycle in ended
        or h.hardware_lifecycle in ended
        or any(s.lifecycle in ended for s in tenant.software_of(h))
    }
    env = await call("assess_risk", {"scope": "assets", "limit": 500})
    block = block_of(env, "vmdr.eol_assets")
    assert {r["asset_id"] for r in block["records"]} == expected
    assert (block["total"], block["truncated"]) == (len(expected), False)
    by_id = {r["asset_id"]: r for r in block["records"]}
    host = next(h for h in tenant.hosts if h.os_lifecycle == "EOL")
    assert "OS EOL" in by_id[host.asset_id]["reasons"]
    stats = block["stats"]
    assert stats["eol_os"] == sum(h.os_lifecycle == "EOL" for h in tenant.hosts)
    assert stats["eos_os"] == sum(h.os_lifecycle == "EOS" for h in tenant.hosts)
    assert stats["eol_hardware"] == sum(h.hardware_lifecycle == "EOL" for h in tenant.hosts)
    assert stats["eos_hardware"] == sum(h.hardware_lifecycle == "EOS" for h in tenant.hosts)
    assert stats["software_checked"] == len(tenant.hosts)
    assert f"{stats['eol_os']:,} assets run an end-of-life OS" in env["summary"]["key_findings"]


async def test_stale_assets_not_updated_in_days(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    cutoff = tenant.now - timedelta(days=5)
    stale = [h for h in tenant.hosts if h.last_modified < cutoff]
    assert len(stale) > 10
    env = await call("assess_risk", {"scope": "assets", "days": 5, "limit": 10})
    block = block_of(env, "vmdr.stale_assets")
    first = sorted(stale[:10], key=lambda h: (h.last_modified, h.asset_id))
    assert [r["asset_id"] for r in block["records"]] == [h.asset_id for h in first]
    assert [r["days_since_update"] for r in block["records"]] == [
        (tenant.now - h.last_modified).days for h in first
    ]
    assert (block["total"], block["truncated"]) == (len(stale), True)
    assert block["stats"] == {"stale_assets": len(stale), "stale_days": 5}
    (action,) = [a for a in env["actions"] if a["title"] == "Restore scan coverage of stale assets"]
    assert action["why"].startswith(f"{len(stale)} assets have reported nothing for 5 days")


async def test_tag_breakdown_of_one_tag_family(call, qualys_simulator, view):
    tenant = qualys_simulator.tenant
    roles = tenant.tag_named("Roles")
    children = [t for t in tenant.tags if t.parent_id == roles.id]
    members = {t.name: [h for h in tenant.hosts if t.id in h.tags] for t in children}
    ranked = sorted(children, key=lambda t: (-len(members[t.name]), t.name))
    env = await call("assess_risk", {"scope": "assets", "tag": "Roles"})
    block = block_of(env, "vmdr.tag_breakdown")
    rows = block["records"]
    assert [(r["tag"], r["parent"], r["assets"]) for r in rows] == [
        (t.name, "Roles", len(members[t.name])) for t in ranked
    ]
    for row in rows[:8]:
        if row["assets"]:
            assert row["high_trurisk"] == sum(view.risk(h) >= 700 for h in members[row["tag"]])
    assert all(r["high_trurisk"] is None for r in rows[8:])
    assert (block["total"], block["truncated"]) == (len(children), False)
    # One tag search; a count per child and a high-TruRisk count per counted tag, beside the
    # other views' counts (risky 5, end-of-life 4, stale 1).
    counted = sum(1 for r in rows[:8] if r["assets"])
    assert qualys_simulator.log.count(path="/qps/rest/2.0/search/am/tag") == 1
    assert qualys_simulator.log.count(path=COUNT) == len(children) + counted + 10


async def test_tag_breakdown_of_every_leaf_tag_is_bounded(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    parents = {t.parent_id for t in tenant.tags if t.parent_id}
    leaves = [t for t in tenant.tags if t.id not in parents]
    env = await call("assess_risk", {"scope": "assets"})
    block = block_of(env, "vmdr.tag_breakdown")
    counted = min(len(leaves), 24)
    assert block["stats"] == {"tags_counted": counted, "tags_listed": len(tenant.tags)}
    assert (block["total"], block["truncated"]) == (len(leaves), len(leaves) > 24)
    for row in block["records"]:
        tag = tenant.tag_named(row["tag"])
        assert row["assets"] == sum(tag.id in h.tags for h in tenant.hosts)


async def test_a_repeated_assess_risk_asks_csam_nothing(call, qualys_simulator):
    arguments = {"scope": "assets", "tag": "PCI"}
    await call("assess_risk", arguments)
    calls = len(qualys_simulator.log)
    env = await call("assess_risk", arguments)
    assert len(qualys_simulator.log) == calls
    mine = [s for s in env["sources"] if s["name"].startswith("vmdr.") and s["status"] == "ok"]
    assert len(mine) == 4
    assert all(s["cached"] for s in mine)
