"""investigate a CVE with TotalCloud alone: totalcloud.vm_misconfigs says which cloud VM
instances fail VM controls, and that it cannot tell which carry the CVE; one provider failing;
CloudView not licensed.
"""

from __future__ import annotations

from typing import Any

import pytest
from qualys_totalcloud.simulator.cloud_data import estate

from qualys_core.simulator import FaultRule, SimConfig, Simulator
from qualys_core.testing import FIXED_NOW, simulator_settings

MISCONFIGS = "totalcloud.vm_misconfigs"
CVE = "CVE-2021-44228"


def options(config: SimConfig | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"assets": 300, "seed": 7, "now": FIXED_NOW}
    if config is not None:
        found["config"] = config
    return found


@pytest.fixture
def qualys_settings(qualys_simulator: Simulator) -> Any:
    return simulator_settings(qualys_simulator, max_retries=1)


class TestAlone:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        return options()

    async def test_finding_says_vmdr_knows_which_instances_carry_the_cve(self, call):
        env = await call("investigate", {"target": CVE})

        assert {s["name"]: s["status"] for s in env["sources"]}[MISCONFIGS] == "ok"
        assert not [c for c in env["correlations"] if c["name"].startswith("totalcloud.cve_assets")]
        (finding,) = [f for f in env["summary"]["key_findings"] if "cloud VM instances" in f]
        assert f"TotalCloud does not know which of them carry {CVE}" in finding
        assert "VMDR's affected hosts do" in finding

    async def test_quick_depth_leaves_it_out(self, call):
        env = await call("investigate", {"target": CVE, "depth": "quick"})

        assert MISCONFIGS not in [s["name"] for s in env["sources"]]


class TestGcpDown:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        fault = FaultRule(match="/cloudview-api/rest/v1/gcp/evaluations/*", kind="error")
        return options(SimConfig(faults=[fault]))

    async def test_other_providers_instances_are_listed(self, call, qualys_simulator):
        cloud = estate(qualys_simulator.tenant)

        env = await call("investigate", {"target": CVE, "limit": 500})

        block = env["data"][MISCONFIGS]
        assert block["stats"]["failed_providers"] == "GCP"
        assert any(
            f.startswith("GCP: no answer (unavailable") for f in env["summary"]["key_findings"]
        )
        providers = {r["provider"] for r in block["records"]}
        assert "gcp" not in providers
        aws = {
            r.resource_id
            for a in cloud.accounts_of("AWS")
            for r in cloud.account_resources(a)
            if r.host is not None and cloud.failing_controls_of(r)
        }
        assert {r["resource_id"] for r in block["records"] if r["provider"] == "aws"} == aws


class TestNotLicensed:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        return options(SimConfig(unlicensed=frozenset({"CLOUDVIEW"})))

    async def test_source_is_not_licensed(self, call):
        env = await call("investigate", {"target": CVE})

        assert {s["name"]: s["status"] for s in env["sources"]}[MISCONFIGS] == "not_licensed"
