"""check_compliance in the cloud when parts of TotalCloud do not answer: one provider failing
while the others answer, the mandates list failing (CIS still matched), CloudView unlicensed.
"""

from __future__ import annotations

from typing import Any

import pytest
from qualys_totalcloud.simulator.cloud_catalog import CIS_POLICY, PCI
from qualys_totalcloud.simulator.cloud_data import estate

from qualys_core.simulator import FaultRule, SimConfig
from qualys_core.testing import FIXED_NOW, simulator_settings

SOURCE = "totalcloud.cloud_compliance"


@pytest.fixture
def qualys_simulator_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    config = getattr(request, "param", None) or SimConfig(seed=7)
    return {"assets": 300, "seed": 7, "now": FIXED_NOW, "config": config}


@pytest.fixture
def qualys_settings(qualys_simulator):
    # One attempt: a 5xx fault fails at once instead of after the client's backoff.
    return simulator_settings(qualys_simulator, max_retries=1)


def failing_by_account(tenant, provider: str, framework: str) -> dict[str, int]:
    cloud = estate(tenant)
    found = {}
    for account in cloud.accounts_of(provider):
        rows = [e for e in cloud.evaluations(account) if framework in e.control.mandates]
        found[account.account_id] = sum(1 for e in rows if e.result == "FAIL")
    return found


@pytest.mark.parametrize(
    "qualys_simulator_options",
    [SimConfig(seed=7, faults=[FaultRule(match="/cloudview-api/rest/v1/azure/*", kind="error")])],
    indirect=True,
)
async def test_one_provider_failing_leaves_the_others_answering(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    env = await call("check_compliance", {"framework": "PCI DSS", "limit": 500})
    block = env["data"][SOURCE]
    providers = {r["provider"]: r for r in block["records"] if r["kind"] == "provider"}
    assert set(providers) == {"AWS", "GCP", "OCI"}
    for provider in ("AWS", "GCP", "OCI"):
        seen = {a["account_id"]: a["failing"] for a in providers[provider]["by_account"]}
        assert seen == failing_by_account(tenant, provider, PCI)
    assert not any(r["provider"] == "Azure" for r in block["records"])
    assert block["stats"]["cloud_failed_providers"] == "Azure"
    texts = env["summary"]["key_findings"]
    assert any(t.startswith("TotalCloud Azure: no answer (unavailable") for t in texts)
    (source,) = [s for s in env["sources"] if s["name"] == SOURCE]
    assert source["status"] == "ok"


@pytest.mark.parametrize(
    "qualys_simulator_options",
    [SimConfig(seed=7, faults=[FaultRule(match="totalcloud.mandates", kind="error")])],
    indirect=True,
)
async def test_without_mandates_cis_still_answers_and_pci_is_unmatched(call, qualys_simulator):
    env = await call("check_compliance", {"framework": "CIS Azure"})
    block = env["data"][SOURCE]
    assert block["stats"]["cloud_frameworks_matched"] == CIS_POLICY["AZURE"]
    assert {r["provider"] for r in block["records"] if r["kind"] == "provider"} == {"Azure"}
    texts = env["summary"]["key_findings"]
    assert any(t.startswith("TotalCloud mandates: no answer") for t in texts)
    env = await call("check_compliance", {"framework": "PCI"})
    (unmatched,) = [t for t in env["summary"]["key_findings"] if "no cloud framework" in t]
    assert PCI not in unmatched
    assert CIS_POLICY["AWS"] in unmatched


@pytest.mark.parametrize(
    "qualys_simulator_options",
    [SimConfig(seed=7, unlicensed=frozenset({"CLOUDVIEW"}))],
    indirect=True,
)
async def test_unlicensed_cloudview_is_the_sources_status(call):
    env = await call("check_compliance", {"framework": "CIS"})
    (source,) = [s for s in env["sources"] if s["name"] == SOURCE]
    assert source["status"] == "not_licensed"
    assert SOURCE not in env["data"]
