"""assess_risk scope cloud through the MCP tool: totalcloud.posture over every provider's
accounts, narrowed by provider, account_id (and an unknown one) and service, and the failing
resources of the top failing controls.

Expectations are computed from the simulated estate (`cloud_data.estate(tenant)`).
"""

from __future__ import annotations

from typing import Any

import pytest
from qualys_totalcloud.simulator.cloud_data import CloudAccount, CloudEstate, estate

from qualys_core.simulator import Simulator
from qualys_core.testing import FIXED_NOW

POSTURE = "totalcloud.posture"
RANK = {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3}


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    return {"assets": 300, "seed": 7, "now": FIXED_NOW}


@pytest.fixture
def cloud(qualys_simulator: Simulator) -> CloudEstate:
    return estate(qualys_simulator.tenant)


def kind(block: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [r for r in block["records"] if r["kind"] == name]


def expected_account(cloud: CloudEstate, account: CloudAccount, service: str | None = None):
    rows = [
        e for e in cloud.evaluations(account) if service is None or e.control.service == service
    ]
    failing = [e for e in rows if e.result == "FAIL"]
    return {
        "controls_evaluated": len(rows),
        "failing_controls": len(failing),
        "failing_resources": sum(e.failed for e in failing),
        "critical_failing": sum(1 for e in failing if e.control.criticality == "CRITICAL"),
    }


def top_failing(cloud: CloudEstate, accounts, service: str | None = None, n: int = 5):
    """The (account, evaluation) pairs the aggregator lists resources for, in its order."""
    pairs = [
        (a, e)
        for a in accounts
        for e in cloud.evaluations(a)
        if e.result == "FAIL" and (service is None or e.control.service == service)
    ]
    pairs.sort(key=lambda p: (RANK[p[1].control.criticality], -p[1].failed, p[1].control.cid))
    return pairs[:n]


async def test_every_account_of_every_provider_with_its_failing_counts(call, cloud):
    env = await call("assess_risk", {"scope": "cloud", "limit": 100})

    assert {s["name"]: s["status"] for s in env["sources"]}[POSTURE] == "ok"
    block = env["data"][POSTURE]
    rows = {r["account_id"]: r for r in kind(block, "account")}
    assert set(rows) == {a.account_id for a in cloud.accounts}
    for account in cloud.accounts:
        row = rows[account.account_id]
        assert row["provider"] == account.provider.lower()
        assert row["alias"] == account.alias
        for key, value in expected_account(cloud, account).items():
            assert row[key] == value, (account.account_id, key)
    every = [e for a in cloud.accounts for e in cloud.evaluations(a)]
    failing = [e for e in every if e.result == "FAIL"]
    stats = block["stats"]
    assert stats["controls_evaluated"] == len(every)
    assert stats["failing_controls"] == len(failing)
    assert stats["failing_resources"] == sum(e.failed for e in failing)
    assert stats["failing_critical"] == sum(
        1 for e in failing if e.control.criticality == "CRITICAL"
    )
    assert stats["failing_controls_aws"] == sum(1 for e in failing if e.account.provider == "AWS")
    assert stats["service_s3"] == sum(1 for e in failing if e.control.service == "S3")
    # not narrowed: no resource listing
    assert not kind(block, "failing_resource")


async def test_failing_controls_merge_accounts_and_rank_by_criticality(call, cloud):
    env = await call("assess_risk", {"scope": "cloud", "limit": 100})

    controls = kind(env["data"][POSTURE], "control")
    merged: dict[int, dict[str, Any]] = {}
    for account in cloud.accounts:
        for e in cloud.evaluations(account):
            if e.result == "FAIL":
                entry = merged.setdefault(e.control.cid, {"failed": 0, "accounts": 0})
                entry["failed"] += e.failed
                entry["accounts"] += 1
    assert {c["control_id"] for c in controls} == set(merged)
    for control in controls:
        assert control["failed_resources"] == merged[control["control_id"]]["failed"]
        assert control["accounts_failing"] == merged[control["control_id"]]["accounts"]
    order = [(RANK[c["criticality"]], -c["failed_resources"]) for c in controls]
    assert order == sorted(order)
    assert controls[0]["criticality"] == "CRITICAL"
    failing = sum(m["accounts"] for m in merged.values())
    evaluated = sum(len(cloud.evaluations(a)) for a in cloud.accounts)
    findings = env["summary"]["key_findings"]
    assert findings[0].startswith(f"{failing} of {evaluated} control evaluations fail across ")
    assert f"Critical control {controls[0]['control_id']} fails on " in findings[1]
    fix = next(a for a in env["actions"] if a["title"].startswith("Fix control "))
    assert fix["arguments"]["account_id"] in controls[0]["accounts"]
    assert fix["arguments"]["service"] == controls[0]["service"]
    assert any(a["arguments"] == {"framework": "CIS"} for a in env["actions"])


async def test_provider_filter_reads_only_that_provider(call, cloud, qualys_simulator):
    env = await call("assess_risk", {"scope": "cloud", "provider": "azure"})

    rows = kind(env["data"][POSTURE], "account")
    assert {r["account_id"] for r in rows} == {a.account_id for a in cloud.accounts_of("AZURE")}
    assert {r["provider"] for r in kind(env["data"][POSTURE], "control")} == {"azure"}
    assert qualys_simulator.log.count(path="/cloudview-api/rest/v1/aws/*") == 0


async def test_account_filter_lists_the_failing_resources_of_its_top_controls(call, cloud):
    account = max(
        cloud.accounts_of("AWS"), key=lambda a: expected_account(cloud, a)["failing_resources"]
    )

    env = await call("assess_risk", {"scope": "cloud", "account_id": account.account_id})

    block = env["data"][POSTURE]
    (row,) = kind(block, "account")
    assert row["account_id"] == account.account_id
    assert {k: row[k] for k in expected_account(cloud, account)} == expected_account(cloud, account)
    resources = kind(block, "failing_resource")
    top = top_failing(cloud, [account])
    assert list(dict.fromkeys(r["control_id"] for r in resources)) == [
        e.control.cid for _, e in top
    ]
    for _, evaluation in top:
        listed = [r["resource_id"] for r in resources if r["control_id"] == evaluation.control.cid]
        assert listed == [r.resource.resource_id for r in evaluation.results if r.result == "FAIL"]
        assert all(r["account_id"] == account.account_id for r in resources)


async def test_unknown_account_names_the_accounts_that_exist(call, cloud, qualys_simulator):
    env = await call("assess_risk", {"scope": "cloud", "account_id": "999999999999", "limit": 50})

    block = env["data"][POSTURE]
    assert {r["kind"] for r in block["records"]} == {"known_account"}
    assert {r["account_id"] for r in block["records"]} == {a.account_id for a in cloud.accounts}
    assert block["stats"]["accounts"] == 0
    # no evaluation was asked for an account TotalCloud does not read
    assert qualys_simulator.log.count(route="totalcloud.evaluations") == 0


async def test_service_filter_keeps_that_service_and_lists_its_failing_resources(call, cloud):
    env = await call("assess_risk", {"scope": "cloud", "service": "s3", "limit": 100})

    block = env["data"][POSTURE]
    aws = cloud.accounts_of("AWS")
    rows = {r["account_id"]: r for r in kind(block, "account")}
    # only AWS has S3: the other providers' accounts are not part of the answer
    assert set(rows) == {a.account_id for a in aws}
    for account in aws:
        expected = expected_account(cloud, account, "S3")
        assert {k: rows[account.account_id][k] for k in expected} == expected
    assert {c["service"] for c in kind(block, "control")} == {"S3"}
    assert any("fail across" in f and "for service s3" in f for f in env["summary"]["key_findings"])
    resources = kind(block, "failing_resource")
    top = top_failing(cloud, cloud.accounts, "S3")
    assert {(r["account_id"], r["control_id"]) for r in resources} == {
        (a.account_id, e.control.cid) for a, e in top
    }
    assert len(resources) == sum(e.failed for _, e in top)


async def test_detail_lists_resources_without_narrowing(call, cloud):
    env = await call("assess_risk", {"scope": "cloud", "detail": True, "limit": 200})

    block = env["data"][POSTURE]
    top = top_failing(cloud, cloud.accounts)
    resources = kind(block, "failing_resource")
    assert len(resources) == sum(e.failed for _, e in top)
    assert all("policies" in c for c in kind(block, "control"))


async def test_limit_is_shared_between_the_kinds_of_record(call, cloud):
    env = await call("assess_risk", {"scope": "cloud", "limit": 7})

    block = env["data"][POSTURE]
    assert len(kind(block, "account")) == 4
    assert len(kind(block, "control")) == 3
    assert block["truncated"] is True
    failing = {
        e.control.cid for a in cloud.accounts for e in cloud.evaluations(a) if e.result == "FAIL"
    }
    assert block["total"] == len(failing)
