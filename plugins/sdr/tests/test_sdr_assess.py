"""assess_risk(scope='saas') through MCP against the simulated SaaSDR library: counts per
application, criticality and custom/built-in equal the tenant's controls, High first."""

from __future__ import annotations

from collections import Counter

from qualys_sdr.simulator.catalog import APPLICATIONS
from qualys_sdr.simulator.data import controls

SOURCE = "sdr.controls"
_WEIGHT = {"High": 3, "Medium": 2, "Low": 1}


def expected_order(library) -> list[str]:
    ordered = sorted(
        library, key=lambda c: (-_WEIGHT[c.criticality], APPLICATIONS[c.connector_type], c.cid)
    )
    return [c.cid for c in ordered]


async def test_counts_and_order_equal_the_simulated_library(call, qualys_simulator):
    library = controls(qualys_simulator.tenant)
    env = await call("assess_risk", {"scope": "saas", "limit": 500})
    (source,) = env["sources"]
    assert (source["name"], source["status"]) == (SOURCE, "ok")
    block = env["data"][SOURCE]
    stats = block["stats"]
    level = Counter(c.criticality for c in library)
    assert stats["saas_controls"] == len(library) == 128
    assert stats["saas_custom_controls"] == sum(c.is_custom for c in library) == 18
    assert stats["saas_builtin_controls"] == 110
    assert (stats["saas_high_controls"], stats["saas_medium_controls"]) == (
        level["High"],
        level["Medium"],
    )
    assert stats["saas_low_controls"] == level["Low"]
    apps = {r["connector_type"]: r for r in block["records"] if r["kind"] == "application"}
    assert set(apps) == set(APPLICATIONS)
    for connector, row in apps.items():
        mine = [c for c in library if c.connector_type == connector]
        assert row["application"] == APPLICATIONS[connector]
        assert row["controls"] == len(mine) == stats[f"saas_controls.{connector}"]
        assert row["custom"] == sum(c.is_custom for c in mine)
        assert row["built_in"] == sum(not c.is_custom for c in mine)
        assert row["high"] == sum(c.criticality == "High" for c in mine)
        assert row["low"] == sum(c.criticality == "Low" for c in mine)
    highs = [row["high"] for row in apps.values()]
    assert [r["kind"] for r in block["records"][:3]] == ["application"] * 3
    assert [r["high"] for r in block["records"][:3]] == sorted(highs, reverse=True)
    rows = [r for r in block["records"] if r["kind"] == "control"]
    assert [r["cid"] for r in rows] == expected_order(library)
    by_cid = {c.cid: c for c in library}
    for row in rows:
        control = by_cid[row["cid"]]
        assert row["name"] == control.name
        assert row["criticality"] == control.criticality
        assert row["custom"] is control.is_custom
        assert row["application"] == APPLICATIONS[control.connector_type]
    assert env["summary"]["headline"] == (
        f"SaaS risk: 128 SaaS DR controls across 3 SaaS applications "
        f"({', '.join(APPLICATIONS[r['connector_type']] for r in block['records'][:3])}): "
        f"{level['High']} High, {level['Medium']} Medium, {level['Low']} Low criticality; "
        "18 custom, 110 built-in"
    )
    top = block["records"][0]["application"]
    assert env["actions"][0]["arguments"] == {"framework": top}
    assert env["actions"][0]["tool"] == "check_compliance"


async def test_limit_detail_and_the_cache(call, qualys_simulator):
    log = qualys_simulator.log
    env = await call("assess_risk", {"scope": "saas", "limit": 5, "detail": True})
    block = env["data"][SOURCE]
    assert len(block["records"]) == 5
    assert block["total"] == 3 + 128
    assert block["truncated"] is True
    assert "raise limit" in block["more"]
    control = next(r for r in block["records"] if r["kind"] == "control")
    truth = next(c for c in controls(qualys_simulator.tenant) if c.cid == control["cid"])
    assert control["entity_type"] == truth.entity_type
    assert control["description"] == truth.description
    assert control["criticality_no"] == truth.criticality_no
    # Built-in: 110 controls in pages of 50 (50, 50, 10); custom: 18 in one page.
    assert log.count(route="sdr.controls_list") == 4
    again = await call("assess_risk", {"scope": "saas"})
    assert again["sources"][0]["cached"] is True
    assert log.count(route="sdr.controls_list") == 4
    assert again["summary"]["stats"]["saas_controls"] == 128
