"""security_overview scope containers through the MCP tool: sensor health measured from the
call's clock, registry scan age, the vulnerability summary and the image headline; the quick
overview runs only the cheap sources."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from qualys_totalcloud.simulator.container_data import estate

from qualys_core.testing import FIXED_NOW

CHEAP = {"totalcloud.registries", "totalcloud.sensors", "totalcloud.container_vulns"}
LISTS = {"totalcloud.images", "totalcloud.containers_running"}


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    return {"assets": 300, "seed": 7, "now": FIXED_NOW}


async def test_sensor_health_counts_the_silent_sensors(call, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    stale = [s for s in est.sensors if FIXED_NOW - s.last_checked_in > timedelta(days=2)]
    assert 0 < len(stale) < len(est.sensors)
    env = await call("security_overview", {"scope": "containers", "limit": 100})
    block = env["data"]["totalcloud.sensors"]
    assert block["stats"]["sensors"] == len(est.sensors)
    assert block["stats"]["sensors_stale"] == len(stale)
    assert block["stats"]["sensor_profiles"] == 2
    rows = block["records"]
    assert {r["hostname"] for r in rows if r["stale"]} == {s.host.dns for s in stale}
    assert [r["stale"] for r in rows] == [True] * len(stale) + [False] * (len(rows) - len(stale))
    for row in rows[: len(stale)]:
        sensor = next(s for s in stale if s.host.dns == row["hostname"])
        assert row["days_silent"] == (FIXED_NOW - sensor.last_checked_in).days
    newest = max(est.sensors, key=lambda s: tuple(map(int, s.version.replace("-", ".").split("."))))
    behind = sum(1 for s in est.sensors if s.version != newest.version)
    assert block["stats"]["sensors_outdated"] == behind
    titles = [a["title"] for a in env["actions"]]
    assert any(t.startswith("Restore the silent container sensors: ") for t in titles)


async def test_registry_scan_age_and_vulnerability_summary(call, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    env = await call("security_overview", {"scope": "containers"})
    registries = env["data"]["totalcloud.registries"]
    old = [r for r in est.registries if FIXED_NOW - r.last_scanned > timedelta(days=7)]
    assert registries["stats"] == {"registries": len(est.registries), "registries_scan_stale": 1}
    assert registries["records"][0]["name"] == old[0].kind.name == "acme-gcr"
    summary = env["data"]["totalcloud.container_vulns"]
    views = est.vulnerabilities
    for severity in (5, 4, 3, 2, 1):
        expected = sum(1 for v in views if v.vuln.severity == severity)
        assert summary["stats"][f"container_vulns_sev{severity}"] == expected
    assert summary["total"] == summary["stats"]["container_vulns"] == len(views)
    top = summary["records"][0]
    assert (top["qid"], top["images"]) == (views[0].vuln.qid, len(views[0].images))
    assert top["containers"] == views[0].containers


async def test_overview_runs_every_container_source_and_the_correlation(call):
    env = await call("security_overview", {"scope": "containers"})
    ran = {s["name"]: s["status"] for s in env["sources"]}
    assert {name for name in ran if name.startswith("totalcloud.")} >= CHEAP | LISTS
    assert all(ran[name] == "ok" for name in CHEAP | LISTS)
    assert "totalcloud.image_detail" not in ran
    names = [c["name"] for c in env["correlations"]]
    assert "totalcloud.vulnerable_images_running" in names


async def test_quick_overview_runs_only_the_cheap_sources(call, qualys_simulator):
    env = await call("security_overview", {"scope": "containers", "quick": True})
    ran = {s["name"] for s in env["sources"]}
    assert CHEAP <= ran
    assert not LISTS & ran
    assert qualys_simulator.log.count(route="totalcloud.cs_images") == 0
    assert qualys_simulator.log.count(route="totalcloud.cs_containers") == 0
    assert env["correlations"] == []


async def test_a_second_overview_is_served_from_the_cache(call, qualys_simulator):
    await call("security_overview", {"scope": "containers"})
    calls = len(qualys_simulator.log.select(host="gateway"))
    env = await call("security_overview", {"scope": "containers"})
    assert len(qualys_simulator.log.select(host="gateway")) == calls
    assert all(s["cached"] for s in env["sources"] if s["name"] in CHEAP | LISTS)
