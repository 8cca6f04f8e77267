"""The whole TotalCloud plugin behind each workflow: which sources a call runs, Azure failing
on every CloudView path while AWS, GCP and OCI still answer in each of them, every TotalCloud
module unlicensed, and `qualys-mcp` listing the plugin with its correlations (the CVE one
dormant when VMDR is not loaded)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from qualys_totalcloud import plugin

from qualys_core.cli import main
from qualys_core.plugins.manager import create_plugin_host
from qualys_core.simulator import FaultRule, SimConfig, Simulator
from qualys_core.testing import FIXED_NOW, simulator_settings

CLOUD = {
    "totalcloud.connectors",
    "totalcloud.posture",
    "totalcloud.inventory",
    "totalcloud.cdr_findings",
}


def statuses(env: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["status"] for s in env["sources"]}


async def test_assess_risk_cloud_runs_the_cloud_sources_only(call):
    env = await call("assess_risk", {"scope": "cloud"})

    found = statuses(env)
    assert CLOUD <= set(found)
    assert all(found[name] == "ok" for name in CLOUD)
    assert not any(name.startswith("totalcloud.image") for name in found)


async def test_assess_risk_containers_runs_the_container_sources_only(call):
    env = await call("assess_risk", {"scope": "containers"})

    found = statuses(env)
    assert found["totalcloud.images"] == "ok"
    assert not set(found) & CLOUD


async def test_security_overview_cloud_briefs_cdr_and_connector_health(call):
    env = await call("security_overview", {"scope": "cloud", "period": "week"})

    found = statuses(env)
    assert found["totalcloud.cdr_findings"] == "ok"
    assert found["totalcloud.connectors"] == "ok"
    assert found["totalcloud.posture_counts"] == "ok"


class TestAzureDownEverywhere:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        faults = [
            FaultRule(match="/cloudview-api/rest/v*/azure/*", kind="error"),
            FaultRule(match="/cloudview-api/rest/v*/resource/*/azure", kind="error"),
            FaultRule(match="/cloudview-api/rest/v*/resource/*/AZURE", kind="error"),
        ]
        return {"assets": 300, "seed": 7, "now": FIXED_NOW, "config": SimConfig(faults=faults)}

    @pytest.fixture
    def qualys_settings(self, qualys_simulator: Simulator) -> Any:
        return simulator_settings(qualys_simulator, max_retries=1)

    async def test_every_cloud_source_answers_for_the_other_providers(self, call):
        env = await call("assess_risk", {"scope": "cloud", "limit": 200})

        found = statuses(env)
        for name in ("totalcloud.connectors", "totalcloud.posture", "totalcloud.inventory"):
            assert found[name] == "ok", name
            block = env["data"][name]
            failed = " ".join(str(v) for k, v in block["stats"].items() if "failed" in k)
            assert "azure" in failed.lower(), (name, block["stats"])
            providers = {str(r.get("provider", "")).lower() for r in block["records"]}
            assert "aws" in providers, name
            assert "azure" not in providers, name


class TestNothingLicensed:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        config = SimConfig(unlicensed=frozenset({"CLOUDVIEW", "CDR", "CS"}))
        return {"assets": 300, "seed": 7, "now": FIXED_NOW, "config": config}

    async def test_every_source_says_not_licensed_and_the_call_answers(self, call):
        for scope in ("cloud", "containers"):
            env = await call("assess_risk", {"scope": scope})

            found = {k: v for k, v in statuses(env).items() if k.startswith("totalcloud.")}
            assert found, scope
            # image_detail answers "empty" without a call when no image_id is given
            assert {v for k, v in found.items() if k != "totalcloud.image_detail"} == {
                "not_licensed"
            }, found


def test_plugins_lists_totalcloud_and_its_dormant_correlation(capsys, monkeypatch):
    host = create_plugin_host(load_entrypoints=False, plugins={"totalcloud": plugin}, strict=True)
    monkeypatch.setattr("qualys_core.cli.PluginHost.from_env", lambda: host)

    assert main(["plugins", "--json"]) == 0

    (info,) = json.loads(capsys.readouterr().out)["plugins"]
    assert info["name"] == "totalcloud"
    assert {"totalcloud.connectors", "totalcloud.posture", "totalcloud.images"} <= set(
        info["aggregators"]
    )
    assert "totalcloud.vulnerable_images_running" in info["correlations"]
    assert info["dormant_correlations"] == ["totalcloud.cve_assets_failing_cloud_controls"]
    assert {"assess_risk", "investigate", "check_compliance", "security_overview"} <= set(
        info["tools"]
    )
