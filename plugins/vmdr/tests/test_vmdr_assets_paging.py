"""CSAM cursor paging: a limit above 100 pages on lastSeenAssetId, through the tools and the client.

A 600-asset tenant, so that the stale assets of one day fill more than three pages of 100.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from qualys_vmdr.api.csam import search_assets, updated_before

from qualys_core.testing import FIXED_NOW

SEARCH = "/rest/2.0/search/am/asset"


@pytest.fixture
def qualys_simulator_options():
    return {"assets": 600, "seed": 7, "now": FIXED_NOW}


def stale_hosts(tenant, days):
    cutoff = tenant.now - timedelta(days=days)
    return [h for h in tenant.hosts if h.last_modified < cutoff]


async def test_stale_assets_page_past_100_on_the_cursor(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    stale = stale_hosts(tenant, 1)
    assert len(stale) > 300
    env = await call("assess_risk", {"scope": "assets", "days": 1, "limit": 300})
    (source,) = [s for s in env["sources"] if s["name"] == "vmdr.stale_assets"]
    assert source["status"] == "ok"
    block = env["data"]["vmdr.stale_assets"]
    assert sorted(r["asset_id"] for r in block["records"]) == [h.asset_id for h in stale[:300]]
    assert (block["returned"], block["total"], block["truncated"]) == (300, len(stale), True)
    cursors = {r.params.get("lastSeenAssetId") for r in qualys_simulator.log.select(path=SEARCH)}
    assert {str(stale[99].asset_id), str(stale[199].asset_id)} <= cursors


async def test_search_assets_sends_each_page_the_last_asset_id(qualys_client, qualys_simulator):
    tenant = qualys_simulator.tenant
    stale = stale_hosts(tenant, 1)
    filters = [updated_before(tenant.now - timedelta(days=1))]
    page = await search_assets(qualys_client, filters, limit=250)
    assert [a.asset_id for a in page.assets] == [h.asset_id for h in stale[:250]]
    assert page.more is True
    requests = qualys_simulator.log.select(path=SEARCH)
    assert [(r.params["pageSize"], r.params.get("lastSeenAssetId")) for r in requests] == [
        ("100", None),
        ("100", str(stale[99].asset_id)),
        ("100", str(stale[199].asset_id)),
    ]
    assert all("tagList" in r.params["includeFields"].split(",") for r in requests)
    qualys_simulator.log.clear()
    everything = await search_assets(qualys_client, filters, limit=len(stale))
    assert (len(everything.assets), everything.more) == (len(stale), False)
    assert len(qualys_simulator.log.select(path=SEARCH)) == -(-len(stale) // 100)
