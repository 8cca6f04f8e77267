"""The asset views when CSAM is not licensed or its count API fails: the call still answers.

These run with the whole VMDR plugin, as it registers its asset area.
"""

from __future__ import annotations

import pytest

from qualys_core.simulator import FaultRule, SimConfig
from qualys_core.simulator.csam_records import TenantView
from qualys_core.testing import FIXED_NOW, simulator_settings

MINE = ("vmdr.risky_assets", "vmdr.eol_assets", "vmdr.stale_assets", "vmdr.tag_breakdown")


@pytest.fixture
def qualys_simulator_options(request):
    config = getattr(request, "param", None) or SimConfig(seed=7)
    return {"assets": 200, "seed": 7, "now": FIXED_NOW, "config": config}


@pytest.fixture
def qualys_settings(qualys_simulator):
    # One attempt: a 5xx fault fails at once instead of after the client's backoff.
    return simulator_settings(qualys_simulator, max_retries=1)


def statuses(env):
    return {s["name"]: s for s in env["sources"] if s["name"] in (*MINE, "vmdr.asset_lookup")}


def test_the_plugin_registers_the_asset_area(qualys_plugin_host):
    names = {a.name for a in qualys_plugin_host.aggregators}
    assert names >= {*MINE, "vmdr.asset_lookup"}
    (tier,) = [t for t in qualys_plugin_host.cache_tiers if t.name == "csam"]
    assert (tier.owner, tier.ttl) == ("vmdr", 300)


@pytest.mark.parametrize(
    "qualys_simulator_options", [SimConfig(seed=7, unlicensed=frozenset({"csam"}))], indirect=True
)
async def test_unlicensed_csam_is_a_source_status(call, qualys_simulator):
    env = await call("assess_risk", {"scope": "assets"})
    found = statuses(env)
    assert set(found) == set(MINE)
    for source in found.values():
        assert source["status"] == "not_licensed"
        assert "CSAM" in source["message"]
    assert not any(name in env["data"] for name in MINE)
    host = qualys_simulator.tenant.hosts[0]
    env = await call("investigate", {"target": host.ip, "scope": "assets"})
    assert statuses(env)["vmdr.asset_lookup"]["status"] == "not_licensed"


@pytest.mark.parametrize(
    "qualys_simulator_options",
    [SimConfig(seed=7, faults=[FaultRule(match="csam.count_assets", kind="error")])],
    indirect=True,
)
async def test_a_failing_count_api_leaves_the_ranking_standing(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    view = TenantView(tenant)
    ranked = sorted(tenant.hosts, key=lambda h: (-view.risk(h), -h.criticality, h.asset_id))
    env = await call("assess_risk", {"scope": "assets", "limit": 10})
    found = statuses(env)
    assert found["vmdr.risky_assets"]["status"] == "ok"
    block = env["data"]["vmdr.risky_assets"]
    assert [r["asset_id"] for r in block["records"]] == [h.asset_id for h in ranked[:10]]
    assert (block["total"], block["truncated"]) == (None, True)
    assert "assets" not in block["stats"]
    assert any(
        f.startswith("TruRisk band counts unavailable") for f in env["summary"]["key_findings"]
    )
    # The views that need a count fail alone, with the client's typed status.
    for name in ("vmdr.eol_assets", "vmdr.stale_assets", "vmdr.tag_breakdown"):
        assert found[name]["status"] == "unavailable", found[name]
    assert qualys_simulator.log.count(path="/rest/2.0/count/am/asset", status=503) >= 5
