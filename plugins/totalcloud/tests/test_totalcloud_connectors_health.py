"""Connector health through the MCP tools (assess_risk and security_overview, scope cloud):
per-provider counts, the connector in error and why, the pending one, AWS organization
connectors and their member accounts; the provider filter; one provider or the organization
list failing while the rest answers; every provider failing; CloudView not licensed.

The plugin host registers TotalCloud's connectors area alone, so the call's findings and
actions are this aggregator's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from qualys_totalcloud.aggregators import connectors
from qualys_totalcloud.aggregators.connectors import judge
from qualys_totalcloud.api.connectors import list_connectors
from qualys_totalcloud.api.org_connectors import list_org_connectors
from qualys_totalcloud.simulator.cloud_data import CloudAccount, estate
from qualys_totalcloud.simulator.cloudview_connectors import display_name

from qualys_core.plugins.manager import PluginHost
from qualys_core.simulator import FaultRule, SimConfig
from qualys_core.testing import FIXED_NOW, simulator_settings

NAME = "totalcloud.connectors"
PROVIDERS = ("aws", "azure", "gcp", "oci")
ORGS = "/connectors/v1.0/aws/org/connector"


@pytest.fixture
def qualys_plugin_host(area_host: Callable[..., PluginHost]) -> PluginHost:
    return area_host(connectors)


@pytest.fixture
def qualys_simulator_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    config = getattr(request, "param", None) or SimConfig(seed=7)
    return {"assets": 300, "seed": 7, "now": FIXED_NOW, "config": config}


@pytest.fixture
def qualys_settings(qualys_simulator):
    # One attempt: a 5xx fault fails at once instead of after the client's backoff.
    return simulator_settings(qualys_simulator, max_retries=1)


def source(env: dict[str, Any]) -> dict[str, Any]:
    (found,) = [s for s in env["sources"] if s["name"] == NAME]
    return found


def faults(*rules: FaultRule, unlicensed: frozenset[str] = frozenset()) -> Any:
    return pytest.mark.parametrize(
        "qualys_simulator_options",
        [SimConfig(seed=7, faults=list(rules), unlicensed=unlicensed)],
        indirect=True,
    )


def health(account: CloudAccount) -> str:
    """What the estate says of a connector at the tenant's clock."""
    if account.state == "ERROR":
        return "error"
    if account.state in ("PENDING", "REGIONS_DISCOVERED"):
        return "pending"
    age = (FIXED_NOW - account.last_synced).total_seconds() / 3600
    return "stale" if age > min(2 * account.polling_hours, 48) else "healthy"


async def test_security_overview_judges_every_connector_and_org(call, qualys_simulator):
    cloud = estate(qualys_simulator.tenant)
    failing = next(a for a in cloud.accounts_of("aws") if a.state == "ERROR")
    pending = next(a for a in cloud.accounts_of("gcp") if a.state == "PENDING")
    broken_org = next(o for o in cloud.org_connectors if o.last_error)

    env = await call("security_overview", {"scope": "cloud", "limit": 100})

    assert source(env)["status"] == "ok"
    block = env["data"][NAME]
    stats = block["stats"]
    for provider in PROVIDERS:
        accounts = cloud.accounts_of(provider)
        assert stats[f"{provider}_connectors"] == len(accounts)
        for status in ("healthy", "error", "pending", "stale"):
            assert stats[f"{provider}_{status}"] == sum(1 for a in accounts if health(a) == status)
    assert (stats["aws_error"], stats["gcp_pending"]) == (1, 1)
    assert stats["connectors"] == len(cloud.accounts) == block["total"]
    assert stats["org_connectors"] == len(cloud.org_connectors)
    assert stats["org_connectors_unhealthy"] == 1
    assert stats["org_attached_accounts"] == sum(len(o.accounts) for o in cloud.org_connectors)
    for org in cloud.org_connectors:
        assert stats[f"org_attached.{org.name}"] == len(org.accounts)

    records = block["records"]
    assert [r["health"] for r in records[:2]] == ["error", "pending"]
    first = records[0]
    assert (first["provider"], first["account_id"]) == ("aws", failing.account_id)
    assert first["error"] == failing.error
    assert first["org_connector"] == broken_org.name
    age = (FIXED_NOW - failing.last_synced).total_seconds() / 3600
    assert first["hours_since_sync"] == round(age, 1)
    by_account = {r["account_id"]: r for r in records}
    assert set(by_account) == {a.account_id for a in cloud.accounts}
    assert by_account[pending.account_id]["health"] == "pending"
    for account in cloud.accounts_of("aws"):
        org = next(o for o in cloud.org_connectors if account.account_id in o.accounts)
        assert by_account[account.account_id]["org_connector"] == org.name
        assert by_account[account.account_id]["name"] == display_name(cloud, account)

    findings = env["summary"]["key_findings"]
    assert findings[0].startswith(f"AWS connector {display_name(cloud, failing)}")
    assert failing.error in findings[0]
    assert any(broken_org.name in f and broken_org.last_error in f for f in findings)
    assert any("PENDING" in f and display_name(cloud, pending) in f for f in findings)
    assert any(
        f.startswith(f"{len(cloud.accounts)} TotalCloud connectors across") for f in findings
    )
    repair = next(a for a in env["actions"] if failing.account_id in a["title"])
    assert repair["priority"] == 1
    assert "trust policy" in repair["why"]
    assert repair["arguments"] == {
        "scope": "cloud",
        "provider": "aws",
        "account_id": failing.account_id,
    }
    assessed = {
        a["arguments"].get("provider") for a in env["actions"] if a["title"].startswith("Assess")
    }
    assert assessed == set(PROVIDERS)


async def test_limit_keeps_the_unhealthy_first(call, qualys_simulator):
    cloud = estate(qualys_simulator.tenant)

    env = await call("security_overview", {"scope": "cloud", "limit": 2})

    block = env["data"][NAME]
    assert [r["health"] for r in block["records"]] == ["error", "pending"]
    assert block["total"] == len(cloud.accounts)
    assert block["truncated"] is True


async def test_detail_adds_the_connector_id_and_schedule(call, qualys_simulator):
    cloud = estate(qualys_simulator.tenant)
    env = await call("assess_risk", {"scope": "cloud", "provider": "oci", "detail": True})
    (record,) = env["data"][NAME]["records"]
    (account,) = cloud.accounts_of("oci")
    assert record["account_id"] == account.account_id
    assert record["connector_id"] == account.connector_id
    assert record["polling_hours"] == account.polling_hours
    assert record["total_assets"] == len(cloud.account_resources(account))


async def test_the_provider_filter_asks_that_provider_only(call, qualys_simulator):
    cloud = estate(qualys_simulator.tenant)

    env = await call("assess_risk", {"scope": "cloud", "provider": "gcp"})

    records = env["data"][NAME]["records"]
    assert {r["account_id"] for r in records} == {a.account_id for a in cloud.accounts_of("gcp")}
    log = qualys_simulator.log
    assert log.count(path="/cloudview-api/rest/v1/gcp/connectors") == 1
    for other in ("aws", "azure", "oci"):
        assert log.count(path=f"/cloudview-api/rest/v1/{other}/connectors") == 0
    assert log.count(path=ORGS) == 0


async def test_account_id_narrows_to_one_connector(call, qualys_simulator):
    account = estate(qualys_simulator.tenant).accounts_of("azure")[0]
    env = await call("assess_risk", {"scope": "cloud", "account_id": account.account_id})
    (record,) = env["data"][NAME]["records"]
    assert (record["provider"], record["name"]) == ("azure", account.connector_name)


async def test_connector_lists_are_cached_between_calls(call, qualys_simulator):
    await call("security_overview", {"scope": "cloud"})
    await call("assess_risk", {"scope": "cloud"})
    assert qualys_simulator.log.count(path="/cloudview-api/rest/v1/aws/connectors") == 1
    assert qualys_simulator.log.count(path=ORGS) == 1


@faults(FaultRule(match="/cloudview-api/rest/v1/azure/connectors*", kind="error"))
async def test_one_provider_failing_is_named_while_the_others_answer(call, qualys_simulator):
    cloud = estate(qualys_simulator.tenant)

    env = await call("security_overview", {"scope": "cloud", "limit": 100})

    assert source(env)["status"] == "ok"
    block = env["data"][NAME]
    assert block["stats"]["failed_providers"] == "azure"
    assert "azure_connectors" not in block["stats"]
    assert block["stats"]["aws_connectors"] == len(cloud.accounts_of("aws"))
    providers = {r["provider"] for r in block["records"]}
    assert providers == {"aws", "gcp", "oci"}
    assert any(
        f.startswith("Azure: no answer (unavailable") for f in env["summary"]["key_findings"]
    )


@faults(FaultRule(match="/cloudview-api/rest/v1/*/connectors", kind="error"))
async def test_every_provider_failing_fails_the_source(call):
    env = await call("security_overview", {"scope": "cloud"})
    assert source(env)["status"] == "unavailable"
    assert NAME not in env["data"]


@faults(FaultRule(match="totalcloud.aws_org_connectors", kind="error"))
async def test_org_connectors_failing_keep_the_account_connectors(call, qualys_simulator):
    cloud = estate(qualys_simulator.tenant)

    env = await call("security_overview", {"scope": "cloud", "limit": 100})

    block = env["data"][NAME]
    assert block["stats"]["aws_connectors"] == len(cloud.accounts_of("aws"))
    assert "org_connectors" not in block["stats"]
    assert all(r["org_connector"] is None for r in block["records"])
    assert any(
        f.startswith("AWS organization connectors: no answer (unavailable")
        for f in env["summary"]["key_findings"]
    )


@faults(unlicensed=frozenset({"CLOUDVIEW"}))
async def test_unlicensed_cloudview_is_a_source_status(call):
    env = await call("security_overview", {"scope": "cloud"})
    assert source(env)["status"] == "not_licensed"
    assert NAME not in env["data"]


# ---------------------------------------------------------------------- our clients


async def test_org_connector_details_complete_the_list(qualys_client, qualys_simulator):
    cloud = estate(qualys_simulator.tenant)

    found = await list_org_connectors(qualys_client)

    assert [o.id for o in found] == [o.id for o in cloud.org_connectors]
    for org, expected in zip(found, cloud.org_connectors, strict=True):
        assert org.attached == len(expected.accounts)
        assert org.prefix == expected.prefix
        assert org.run_frequency_hours == expected.run_frequency_hours
        assert org.next_sync == expected.next_sync
        assert org.last_error == expected.last_error
        assert org.healthy is (expected.state == "FINISHED_SUCCESS")
    assert qualys_simulator.log.count(route="totalcloud.aws_org_connector") == len(found)


@faults(FaultRule(match="/connectors/v1.0/aws/org/9", kind="error"))
async def test_a_failing_org_detail_keeps_its_listed_fields(qualys_client, qualys_simulator):
    found = {o.id: o for o in await list_org_connectors(qualys_client)}
    assert found[9].detail_error is not None
    assert found[9].next_sync is None
    assert found[9].last_error is not None  # the list carries lastError too
    assert found[7].detail_error is None
    assert found[7].next_sync is not None


async def test_stale_means_no_sync_within_twice_the_polling_interval(
    qualys_client, qualys_simulator
):
    cloud = estate(qualys_simulator.tenant)
    later = FIXED_NOW + timedelta(hours=30)
    found, _ = await list_connectors(qualys_client, "aws")
    by_account = {a.account_id: a for a in cloud.accounts_of("aws")}
    for connector in found:
        account = by_account[connector.account_id]
        judged = judge(connector, later)
        age = (later - account.last_synced).total_seconds() / 3600
        if account.state == "ERROR":
            assert judged.status == "error"
        else:
            expected = "stale" if age > min(2 * account.polling_hours, 48) else "healthy"
            assert judged.status == expected
    assert {judge(c, later).status for c in found} >= {"stale", "error"}
