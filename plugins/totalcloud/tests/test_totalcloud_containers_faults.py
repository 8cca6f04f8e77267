"""Container Security when it is not licensed or one of its endpoints fails: every container
source says not_licensed; a failing endpoint takes down only the sources (or the parts of a
source) that need it, and the others answer."""

from __future__ import annotations

import pytest
from qualys_totalcloud.simulator.container_data import estate

from qualys_core.simulator import FaultRule, SimConfig
from qualys_core.testing import FIXED_NOW, simulator_settings

CONTAINER_SOURCES = {
    "totalcloud.images",
    "totalcloud.image_detail",
    "totalcloud.containers_running",
    "totalcloud.registries",
    "totalcloud.sensors",
    "totalcloud.container_vulns",
}


def options(config: SimConfig) -> dict[str, object]:
    return {"assets": 200, "seed": 7, "now": FIXED_NOW, "config": config}


@pytest.fixture
def qualys_simulator_options(request):
    return options(getattr(request, "param", None) or SimConfig(seed=7))


@pytest.fixture
def qualys_settings(qualys_simulator):
    # One attempt: a 5xx fault fails at once instead of after the client's backoff.
    return simulator_settings(qualys_simulator, max_retries=1)


def statuses(env) -> dict[str, str]:
    return {s["name"]: s["status"] for s in env["sources"]}


def faulty(match: str) -> SimConfig:
    return SimConfig(seed=7, faults=[FaultRule(match=match, kind="error")])


@pytest.mark.parametrize(
    "qualys_simulator_options", [SimConfig(seed=7, unlicensed=frozenset({"CS"}))], indirect=True
)
async def test_unlicensed_container_security_is_a_source_status(call):
    env = await call("assess_risk", {"scope": "containers", "image_id": "nginx:1.24.0"})
    found = statuses(env)
    assert {name: found[name] for name in CONTAINER_SOURCES} == dict.fromkeys(
        CONTAINER_SOURCES, "not_licensed"
    )
    assert env["correlations"] == []
    env = await call("investigate", {"target": "CVE-2024-6387", "depth": "standard"})
    assert statuses(env)["totalcloud.cve_images"] == "not_licensed"


@pytest.mark.parametrize(
    "qualys_simulator_options", [faulty("totalcloud.cs_sensors")], indirect=True
)
async def test_failing_sensor_list_leaves_the_other_sources_answering(call, qualys_simulator):
    env = await call("assess_risk", {"scope": "containers"})
    found = statuses(env)
    assert found["totalcloud.sensors"] == "unavailable"
    for name in CONTAINER_SOURCES - {"totalcloud.sensors", "totalcloud.image_detail"}:
        assert found[name] == "ok", name
    assert "totalcloud.vulnerable_images_running" in [c["name"] for c in env["correlations"]]
    est = estate(qualys_simulator.tenant)
    assert env["summary"]["stats"]["images"] == len(est.images)


@pytest.mark.parametrize(
    "qualys_simulator_options", [faulty("totalcloud.cs_containers")], indirect=True
)
async def test_failing_container_list_keeps_the_image_ranking(call, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    env = await call("assess_risk", {"scope": "containers", "limit": 500})
    found = statuses(env)
    assert found["totalcloud.containers_running"] == "unavailable"
    assert found["totalcloud.images"] == "ok"
    block = env["data"]["totalcloud.images"]
    assert block["total"] == len(block["records"]) == len(est.images)
    assert block["stats"]["failed_parts"] == "running containers"
    assert "images_running" not in block["stats"]
    assert env["correlations"] == []


@pytest.mark.parametrize(
    "qualys_simulator_options", [faulty("totalcloud.cs_image_vulns")], indirect=True
)
async def test_deep_dive_shows_the_parts_that_answered(call, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    image = next(i for i in est.images if i.name == "nginx:1.24.0")
    env = await call("assess_risk", {"scope": "containers", "image_id": image.image_id})
    assert statuses(env)["totalcloud.image_detail"] == "ok"
    block = env["data"]["totalcloud.image_detail"]
    kinds = {r["kind"] for r in block["records"]}
    assert kinds == {"container", "software"}
    assert block["stats"]["failed_parts"] == "vulnerabilities"
    assert block["stats"]["image_containers"] == len(est.containers_of(image))
    assert "image_vulns" not in block["stats"]


@pytest.mark.parametrize(
    "qualys_simulator_options", [faulty("totalcloud.cs_vuln_count")], indirect=True
)
async def test_vulnerability_summary_without_its_counts(call, qualys_simulator):
    est = estate(qualys_simulator.tenant)
    env = await call("security_overview", {"scope": "containers", "quick": True})
    assert statuses(env)["totalcloud.container_vulns"] == "ok"
    block = env["data"]["totalcloud.container_vulns"]
    assert block["stats"]["failed_parts"] == "counts"
    assert block["total"] == len(est.vulnerabilities)
    assert [r["qid"] for r in block["records"]] == [v.vuln.qid for v in est.vulnerabilities[:25]]
    assert statuses(env)["totalcloud.sensors"] == "ok"
