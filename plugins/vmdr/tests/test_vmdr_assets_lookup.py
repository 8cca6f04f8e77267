"""vmdr.asset_lookup through investigate, and the CSAM lookup client, on the simulator.

Expected values come from the simulator's tenant: the host a target names, its tags and
software, and the TruRisk score the simulated CSAM computes for it.
"""

from __future__ import annotations

import pytest
from qualys_vmdr.aggregators import assets
from qualys_vmdr.api.csam import Asset, find_asset, match_assets

from qualys_core.plugins import hookimpl
from qualys_core.plugins.manager import create_plugin_host
from qualys_core.simulator import iso
from qualys_core.simulator.csam_records import TenantView

SOURCE = "vmdr.asset_lookup"
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


def expected_record(tenant, host, matched_by):
    software = tenant.software_of(host)
    return {
        "asset_id": host.asset_id,
        "host_id": host.host_id,
        "name": host.name,
        "dns": host.dns,
        "netbios": host.netbios,
        "address": host.ip,
        "os": host.os,
        "os_lifecycle": host.os_lifecycle,
        "hardware_model": host.hardware_model,
        "hardware_lifecycle": host.hardware_lifecycle,
        "trurisk": TenantView(tenant).risk(host),
        "criticality": host.criticality,
        "tags": [tenant.tag(tag).name for tag in host.tags],
        "last_scanned": iso(host.last_scanned),
        "last_modified": iso(host.last_modified),
        "days_since_scan": (tenant.now - host.last_scanned).days,
        "cloud_provider": host.cloud.provider if host.cloud else None,
        "vuln_count": len(TenantView(tenant).open_qids(host)),
        "eol_software": [
            {"name": s.product, "version": s.version, "lifecycle": s.lifecycle}
            for s in software
            if s.lifecycle in ("EOL", "EOS")
        ],
        "software_count": len(software),
        "matched_by": matched_by,
    }


def only_record(env):
    (source,) = [s for s in env["sources"] if s["name"] == SOURCE]
    assert source["status"] == "ok", source
    block = env["data"][SOURCE]
    assert (block["returned"], block["total"], block["truncated"]) == (1, 1, False)
    (record,) = block["records"]
    return record


def band(score):
    return (
        "critical"
        if score >= 850
        else "high"
        if score >= 700
        else "medium"
        if score >= 500
        else "low"
    )


async def test_lookup_by_asset_id_gives_the_whole_record(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    host = tenant.hosts[7]
    env = await call("investigate", {"target": f"asset:{host.asset_id}", "scope": "assets"})
    record = only_record(env)
    wanted = expected_record(tenant, host, "asset.id")
    assert {k: record[k] for k in wanted} == wanted
    assert record["trurisk_band"] == band(wanted["trurisk"])
    assert "software" not in record  # only with detail=true
    assert env["summary"]["stats"]["intent"] == "asset_id"
    assert env["summary"]["headline"].startswith(f"{host.name} ({host.ip}): TruRisk ")


async def test_lookup_by_ipv4_and_detail_lists_the_software(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    host = tenant.hosts[31]
    env = await call("investigate", {"target": host.ip, "scope": "assets", "detail": True})
    record = only_record(env)
    assert (record["asset_id"], record["host_id"]) == (host.asset_id, host.host_id)
    assert record["matched_by"] == "interfaces.address"
    assert [(s["name"], s["version"]) for s in record["software"]] == [
        (s.product, s.version) for s in tenant.software_of(host)
    ]


async def test_lookup_by_ipv6(call, qualys_simulator):
    host = next(h for h in qualys_simulator.tenant.hosts if h.ipv6)
    env = await call("investigate", {"target": host.ipv6, "scope": "assets"})
    record = only_record(env)
    assert (record["asset_id"], record["matched_by"]) == (host.asset_id, "interfaces.address")
    assert env["summary"]["stats"]["intent"] == "ipv6"


async def test_lookup_by_short_hostname(call, qualys_simulator):
    host = qualys_simulator.tenant.hosts[12]
    env = await call("investigate", {"target": host.name, "scope": "assets"})
    record = only_record(env)
    assert (record["asset_id"], record["matched_by"]) == (host.asset_id, "asset.name")
    assert qualys_simulator.log.count(path=SEARCH) == 1


async def test_lookup_by_fqdn_falls_back_to_the_short_name(call, qualys_simulator):
    host = qualys_simulator.tenant.hosts[40]
    env = await call("investigate", {"target": host.dns.upper(), "scope": "assets"})
    record = only_record(env)
    assert (record["asset_id"], record["dns"]) == (host.asset_id, host.dns)
    assert record["matched_by"] == "short name"
    # asset.name EQUALS <fqdn> found nothing (CSAM names are short here), then the short name.
    assert qualys_simulator.log.count(path=SEARCH, status=200) == 2


async def test_an_unknown_host_is_an_empty_answer_with_a_next_step(call, qualys_simulator):
    env = await call("investigate", {"target": "nosuch-host-99.corp.example", "scope": "assets"})
    (source,) = [s for s in env["sources"] if s["name"] == SOURCE]
    assert source["status"] == "ok"
    block = env["data"][SOURCE]
    assert (block["records"], block["total"]) == ([], 0)
    assert (
        env["summary"]["headline"] == "No CSAM asset matches host name nosuch-host-99.corp.example"
    )
    (action,) = [a for a in env["actions"] if "spelling" in a["title"]]
    assert "asset.name EQUALS nosuch-host-99.corp.example" in action["why"]
    assert "asset.name EQUALS nosuch-host-99" in action["why"]
    assert "free-text" in action["why"]


async def test_the_second_lookup_is_served_from_the_csam_tier(call, qualys_simulator, qualys_app):
    host = qualys_simulator.tenant.hosts[3]
    first = await call("investigate", {"target": host.ip, "scope": "assets"})
    calls = qualys_simulator.log.count(path=SEARCH)
    second = await call("investigate", {"target": host.ip, "scope": "assets"})
    assert qualys_simulator.log.count(path=SEARCH) == calls == 1
    cached = [s["cached"] for env in (first, second) for s in env["sources"] if s["name"] == SOURCE]
    assert cached == [False, True]
    tier = qualys_app.client.cache.tier("csam").stats()
    assert (tier.owner, tier.ttl_seconds, tier.hits) == ("vmdr", 300, 1)


async def test_find_asset_for_the_detection_aggregators(qualys_client, qualys_simulator):
    tenant = qualys_simulator.tenant
    host = tenant.hosts[55]
    found = await find_asset(qualys_client, "hostname", host.dns)
    assert found is not None
    assert (found.asset_id, found.host_id, found.address) == (host.asset_id, host.host_id, host.ip)
    assert await find_asset(qualys_client, "ipv4", "192.0.2.254") is None
    before = qualys_simulator.log.count(path=SEARCH)
    # A non-numeric asset.id would be HTTP 400 (§9a C4): it is never sent.
    match = await match_assets(qualys_client, "asset_id", "web01")
    assert (match.assets, match.tried) == ((), ())
    assert qualys_simulator.log.count(path=SEARCH) == before


def test_asset_reads_both_tag_list_shapes_and_both_criticality_forms():
    listed = Asset.from_csam(
        {
            "assetId": "42",
            "tagList": [{"name": "PCI"}, {"tagName": "DMZ"}, "Production"],
            "criticality": 4,
            "riskScore": "912",
            "lastVmScannedDate": 1_768_435_200_000,
        }
    )
    assert (listed.asset_id, listed.tags, listed.criticality, listed.trurisk) == (
        42,
        ("PCI", "DMZ", "Production"),
        4,
        912,
    )
    assert iso(listed.last_scanned) == "2026-01-15T00:00:00Z"
    nested = Asset.from_csam(
        {
            "assetId": 7,
            "tagList": {"tag": {"tagId": 11, "tagName": "Production"}},
            "criticality": {"score": 2},
        }
    )
    assert (nested.tags, nested.criticality) == (("Production",), 2)
