"""security_overview scope cloud through the MCP tool: totalcloud.posture_counts, two filtered
evaluation counts per account (every control, `result:FAIL`), each a one-row page.
"""

from __future__ import annotations

from typing import Any

import pytest
from qualys_totalcloud.simulator.cloud_data import estate

from qualys_core.testing import FIXED_NOW

COUNTS = "totalcloud.posture_counts"


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    return {"assets": 300, "seed": 7, "now": FIXED_NOW}


async def test_counts_per_account_are_the_estate_evaluations(call, qualys_simulator):
    cloud = estate(qualys_simulator.tenant)

    env = await call("security_overview", {"scope": "cloud", "limit": 50})

    assert {s["name"]: s["status"] for s in env["sources"]}[COUNTS] == "ok"
    block = env["data"][COUNTS]
    rows = {r["account_id"]: r for r in block["records"]}
    assert set(rows) == {a.account_id for a in cloud.accounts}
    for account in cloud.accounts:
        evaluations = cloud.evaluations(account)
        assert rows[account.account_id]["controls_evaluated"] == len(evaluations)
        assert rows[account.account_id]["failing_controls"] == sum(
            1 for e in evaluations if e.result == "FAIL"
        )
    failing = [r["failing_controls"] for r in block["records"]]
    assert failing == sorted(failing, reverse=True)
    stats = block["stats"]
    assert stats["failing_controls"] == sum(failing)
    assert stats["failing_controls_gcp"] == sum(
        rows[a.account_id]["failing_controls"] for a in cloud.accounts_of("GCP")
    )
    worst = block["records"][0]
    review = next(a for a in env["actions"] if a["title"].startswith("Review the failing controls"))
    assert review["arguments"] == {
        "scope": "cloud",
        "provider": worst["provider"],
        "account_id": worst["account_id"],
    }
    # the cheap headline: two one-row pages per account
    calls = [
        c
        for c in qualys_simulator.log.select(route="totalcloud.evaluations")
        if c.params.get("pageSize") == "1"
    ]
    assert len(calls) == 2 * len(cloud.accounts)
    assert sum(1 for c in calls if c.params.get("filter") == "result:FAIL") == len(cloud.accounts)


async def test_counts_are_cached_between_calls(call, qualys_simulator):
    first = await call("security_overview", {"scope": "cloud"})
    calls = qualys_simulator.log.count(route="totalcloud.evaluations")
    second = await call("security_overview", {"scope": "cloud"})

    assert qualys_simulator.log.count(route="totalcloud.evaluations") == calls
    assert first["data"][COUNTS]["records"] == second["data"][COUNTS]["records"]
