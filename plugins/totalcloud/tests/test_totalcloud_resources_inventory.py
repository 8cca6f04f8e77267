"""totalcloud.inventory through the MCP tool (assess_risk scope cloud) against the estate:
VM counts per provider, OCI from v2, provider and service filters, per-type counts, one
provider failing while the others answer, and the unlicensed module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from qualys_totalcloud.aggregators import resources
from qualys_totalcloud.simulator.cloud_catalog import VM_TYPES
from qualys_totalcloud.simulator.cloud_data import estate

from qualys_core.plugins.manager import PluginHost
from qualys_core.simulator import FaultRule, SimConfig, Simulator
from qualys_core.testing import FIXED_NOW, simulator_settings

NAME = "totalcloud.inventory"
_NAMES = {"AWS": "AWS", "AZURE": "Azure", "GCP": "GCP", "OCI": "OCI"}


@pytest.fixture
def qualys_plugin_host(area_host: Callable[..., PluginHost]) -> PluginHost:
    return area_host(resources)


@pytest.fixture
def qualys_simulator_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    config = getattr(request, "param", None) or SimConfig(seed=7)
    return {"assets": 200, "seed": 7, "now": FIXED_NOW, "config": config}


@pytest.fixture
def qualys_settings(qualys_simulator: Simulator) -> Any:
    # One attempt: a 5xx fault fails at once instead of after the client's backoff.
    return simulator_settings(qualys_simulator, max_retries=1)


def _source(env: dict[str, Any], name: str = NAME) -> dict[str, Any]:
    return next(s for s in env["sources"] if s["name"] == name)


def _vm_counts(simulator: Simulator) -> dict[str, int]:
    cloud = estate(simulator.tenant)
    return {p: len(cloud.resources_of_type(p, kind)) for p, kind in VM_TYPES.items()}


async def test_vm_counts_per_provider_match_the_estate(call, qualys_simulator) -> None:
    expected = _vm_counts(qualys_simulator)
    env = await call("assess_risk", {"scope": "cloud"})
    assert _source(env)["status"] == "ok"
    block = env["data"][NAME]
    assert block["stats"]["cloud_vms"] == sum(expected.values())
    for provider, count in expected.items():
        assert block["stats"][f"vms_{provider.lower()}"] == count > 0
    rows = {(r["provider"], r["resource_type"]): r for r in block["records"]}
    for provider, kind in VM_TYPES.items():
        assert rows[(_NAMES[provider], kind)]["count"] == expected[provider]
        assert rows[(_NAMES[provider], kind)]["api"] == "v2"
    headline = f"{sum(expected.values()):,} cloud VMs in the TotalCloud inventory"
    assert any(f.startswith(headline) for f in env["summary"]["key_findings"])
    # Every provider's VMs were counted on v2 with one record each: OCI included, none on v1.
    for provider, kind in VM_TYPES.items():
        path = f"/cloudview-api/rest/v2/resource/{kind}/{provider.lower()}"
        calls = qualys_simulator.log.select(path=path)
        assert [c.params["pageSize"] for c in calls] == ["1"]
    assert qualys_simulator.log.count(path="/cloudview-api/rest/v1/resource/*") == 0


async def test_a_provider_filter_asks_that_provider_only(call, qualys_simulator) -> None:
    expected = _vm_counts(qualys_simulator)
    env = await call("assess_risk", {"scope": "cloud", "provider": "azure"})
    block = env["data"][NAME]
    assert {r["provider"] for r in block["records"]} == {"Azure"}
    assert block["stats"]["cloud_vms"] == expected["AZURE"]
    assert qualys_simulator.log.count(path="/cloudview-api/rest/v*/resource/*/aws") == 0


async def test_an_account_id_counts_that_account_only(call, qualys_simulator) -> None:
    cloud = estate(qualys_simulator.tenant)
    account = cloud.accounts_of("AWS")[0]
    vms = sum(1 for r in cloud.account_resources(account) if r.resource_type == VM_TYPES["AWS"])
    buckets = sum(1 for r in cloud.account_resources(account) if r.resource_type == "BUCKET")

    env = await call(
        "assess_risk",
        {"scope": "cloud", "provider": "aws", "account_id": account.account_id, "service": "S3"},
    )

    block = env["data"][NAME]
    assert block["stats"]["vms_aws"] == vms < len(cloud.resources_of_type("AWS", "EC2_INSTANCE"))
    listed = [r for r in block["records"] if r.get("account_id")]
    assert listed
    assert {r["account_id"] for r in listed} == {account.account_id}
    assert block["stats"]["service_resources"] == buckets


async def test_a_service_counts_and_lists_its_resources(call, qualys_simulator) -> None:
    buckets = estate(qualys_simulator.tenant).resources_of_type("AWS", "BUCKET")
    env = await call("assess_risk", {"scope": "cloud", "service": "S3", "limit": 10})
    block = env["data"][NAME]
    counts = [r for r in block["records"] if r["kind"] == "count"]
    assert counts == [
        {"kind": "count", "provider": "AWS", "resource_type": "BUCKET", "count": len(buckets),
         "api": "v1"}
    ]  # fmt: skip
    listed = [r for r in block["records"] if r["kind"] == "resource"]
    assert len(listed) == 10 - len(counts)
    assert {r["resource_id"] for r in listed} <= {b.resource_id for b in buckets}
    assert (block["total"], block["truncated"]) == (1 + len(buckets), True)
    assert block["stats"]["service_resources"] == len(buckets)
    # S3 is AWS only: the other providers' VMs were counted, their inventories not listed.
    assert qualys_simulator.log.count(path="/cloudview-api/rest/v1/resource/BUCKET/AWS") >= 1
    assert qualys_simulator.log.count(path="/cloudview-api/rest/v*/resource/BUCKET/[aGgo]*") == 0


async def test_detail_counts_every_type_and_oci_stays_on_v2(call, qualys_simulator) -> None:
    cloud = estate(qualys_simulator.tenant)
    env = await call("assess_risk", {"scope": "cloud", "provider": "oci", "detail": True})
    block = env["data"][NAME]
    counts = {r["resource_type"]: (r["count"], r["api"]) for r in block["records"]}
    assert counts == {
        kind: (len(cloud.resources_of_type("OCI", kind)), "v2")
        for kind in ("INSTANCE", "BUCKET", "SECURITY_LIST")
    }
    assert qualys_simulator.log.count(path="/cloudview-api/rest/v1/resource/*") == 0
    env = await call("assess_risk", {"scope": "cloud", "provider": "gcp", "detail": True})
    counts = {r["resource_type"]: r["count"] for r in env["data"][NAME]["records"]}
    assert counts == {
        kind: len(cloud.resources_of_type("GCP", kind))
        for kind in ("VM_INSTANCE", "BUCKET", "FIREWALL_RULE", "SQL_INSTANCE")
    }


async def test_an_unknown_service_says_which_exist(call) -> None:
    env = await call("assess_risk", {"scope": "cloud", "provider": "aws", "service": "Mainframe"})
    assert any(
        "matches service 'Mainframe'" in f and "s3" in f for f in env["summary"]["key_findings"]
    )


@pytest.mark.parametrize(
    "qualys_simulator_options",
    [
        SimConfig(
            seed=7, faults=[FaultRule(match="/cloudview-api/rest/v2/resource/*/gcp", kind="error")]
        )
    ],
    indirect=True,
)
async def test_one_failing_provider_leaves_the_others_counted(call, qualys_simulator) -> None:
    expected = _vm_counts(qualys_simulator)
    env = await call("assess_risk", {"scope": "cloud"})
    assert _source(env)["status"] == "ok"
    block = env["data"][NAME]
    assert block["stats"]["failed_providers"] == "GCP"
    assert block["stats"]["cloud_vms"] == sum(n for p, n in expected.items() if p != "GCP")
    assert "vms_gcp" not in block["stats"]
    assert {r["provider"] for r in block["records"]} == {"AWS", "Azure", "OCI"}
    assert any(f.startswith("GCP: no answer (unavailable") for f in env["summary"]["key_findings"])


@pytest.mark.parametrize(
    "qualys_simulator_options",
    [SimConfig(seed=7, faults=[FaultRule(match="totalcloud.resources_v2", kind="error")])],
    indirect=True,
)
async def test_every_provider_failing_is_the_sources_status(call) -> None:
    env = await call("assess_risk", {"scope": "cloud"})
    assert _source(env)["status"] == "unavailable"
    assert NAME not in env["data"]


@pytest.mark.parametrize(
    "qualys_simulator_options",
    [SimConfig(seed=7, unlicensed=frozenset({"CLOUDVIEW"}))],
    indirect=True,
)
async def test_unlicensed_cloudview_is_not_licensed(call) -> None:
    env = await call("assess_risk", {"scope": "cloud"})
    source = _source(env)
    assert source["status"] == "not_licensed"
    assert "CLOUDVIEW" in source["message"]
