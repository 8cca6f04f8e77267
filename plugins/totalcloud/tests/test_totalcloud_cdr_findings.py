"""totalcloud.cdr_findings through the MCP tools against the simulated findings (cdr_data):
security_overview's period, assess_risk's days and provider, investigate's category targets,
the listing order and limit, and exact severity counts when CDR holds more than one fetch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from qualys_totalcloud.aggregators import cdr
from qualys_totalcloud.simulator.cdr_data import CdrFinding, findings

from qualys_core.plugins.manager import PluginHost
from qualys_core.simulator import Simulator

NAME = "totalcloud.cdr_findings"
_RANK = {"LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}


@pytest.fixture
def qualys_plugin_host(area_host: Callable[..., PluginHost]) -> PluginHost:
    return area_host(cdr)


def _expected(simulator: Simulator, days: int, **match: str) -> list[CdrFinding]:
    now = simulator.tenant.now
    return [
        f
        for f in findings(simulator.tenant)
        if now - timedelta(days=days) <= f.timestamp <= now
        and all(getattr(f, key) == value for key, value in match.items())
    ]


def _ranked(found: list[CdrFinding]) -> list[CdrFinding]:
    return sorted(found, key=lambda f: (_RANK[f.severity], f.timestamp), reverse=True)


def _source(env: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in env["sources"] if s["name"] == NAME)


@pytest.mark.parametrize(("period", "days"), [("today", 1), ("week", 7), ("month", 30)])
async def test_the_briefing_period_is_the_window(call, qualys_simulator, period, days) -> None:
    expected = _expected(qualys_simulator, days)
    severities = Counter(f.severity for f in expected)
    env = await call("security_overview", {"scope": "cloud", "period": period})
    assert _source(env)["status"] == "ok"  # a quiet period is news too: "0 CDR findings ..."
    stats = env["summary"]["stats"]
    assert stats["cdr_findings"] == len(expected)
    for severity in ("CRITICAL", "HIGH", "MEDIUM", "LOW"):
        assert stats[f"cdr_{severity.lower()}"] == severities[severity]
    assert stats["cdr_accounts"] == len({f.account_id for f in expected})
    (call_made,) = qualys_simulator.log.select(route="totalcloud.cdr_findings")
    assert call_made.params["startAt"] == (
        (qualys_simulator.tenant.now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    )


async def test_the_week_lists_most_severe_newest_first_and_names_the_critical(
    call, qualys_simulator
) -> None:
    expected = _ranked(_expected(qualys_simulator, 7))
    critical = [f for f in expected if f.severity == "CRITICAL"]
    assert critical
    env = await call("security_overview", {"scope": "cloud", "period": "week", "limit": 5})
    block = env["data"][NAME]
    assert [(r["severity"], r["resource_id"]) for r in block["records"]] == [
        (f.severity, f.resource_id) for f in expected[:5]
    ]
    assert (block["total"], block["truncated"]) == (len(expected), True)
    headline = env["summary"]["headline"]
    assert headline.startswith(f"{len(expected)} CDR findings in the last 7 days: ")
    assert f"{len(critical)} critical" in headline
    assert env["summary"]["risk_level"] == "critical"
    named = env["summary"]["key_findings"][1]
    assert named.startswith(f"Critical {critical[0].category} finding on ")
    assert critical[0].message in named
    assert env["actions"][0]["arguments"] == {
        "scope": "cloud", "provider": critical[0].provider.lower(),
        "account_id": critical[0].account_id,
    }  # fmt: skip


async def test_assess_risk_takes_days_and_provider(call, qualys_simulator) -> None:
    expected = _expected(qualys_simulator, 30, provider="AZURE")
    env = await call("assess_risk", {"scope": "cloud", "provider": "azure", "days": 30})
    block = env["data"][NAME]
    assert block["stats"]["cdr_findings"] == len(expected) > 0
    assert {r["provider"] for r in block["records"]} == {"Azure"}
    (made,) = qualys_simulator.log.select(route="totalcloud.cdr_findings")
    assert made.params["cloudProvider"] == "AZURE"


async def test_assess_risk_account_id_narrows_to_that_account(call, qualys_simulator) -> None:
    everything = _expected(qualys_simulator, 30)
    account = Counter(f.account_id for f in everything).most_common(1)[0][0]
    expected = _expected(qualys_simulator, 30, account_id=account)
    assert 0 < len(expected) < len(everything)

    env = await call("assess_risk", {"scope": "cloud", "days": 30, "account_id": account})

    block = env["data"][NAME]
    assert block["stats"]["cdr_findings"] == len(expected)
    assert {r["account_id"] for r in block["records"]} == {account}
    (made,) = qualys_simulator.log.select(route="totalcloud.cdr_findings")
    assert made.params["cloudAccount"] == account


async def test_oci_has_no_cdr_and_is_not_asked(call, qualys_simulator) -> None:
    env = await call("assess_risk", {"scope": "cloud", "provider": "oci"})
    assert env["summary"]["headline"] == "CDR covers AWS, Azure, GCP; OCI has none"
    assert qualys_simulator.log.count(route="totalcloud.cdr_findings") == 0


@pytest.mark.parametrize(
    ("target", "category"),
    [("cryptomining", "Cryptomining"), ("malware", "Malware"), ("port scans", "Reconnaissance")],
)
async def test_investigate_filters_by_the_named_category(
    call, qualys_simulator, target, category
) -> None:
    expected = _expected(qualys_simulator, 90, category=category)
    assert expected
    env = await call("investigate", {"target": target, "days": 90, "limit": 100})
    block = env["data"][NAME]
    assert block["stats"]["cdr_findings"] == len(expected)
    assert {r["category"] for r in block["records"]} == {category}
    (made,) = qualys_simulator.log.select(route="totalcloud.cdr_findings")
    assert made.params["category"] == category
    assert env["summary"]["headline"].startswith(f"{len(expected)} {category} CDR findings")


async def test_investigate_skips_targets_that_name_no_category(call, qualys_simulator) -> None:
    env = await call("investigate", {"target": "LockBit"})
    assert _source(env)["status"] == "empty"
    quick = await call("investigate", {"target": "cryptomining", "depth": "quick"})
    assert NAME not in {s["name"] for s in quick["sources"]}
    assert qualys_simulator.log.count(route="totalcloud.cdr_findings") == 0


async def test_severity_counts_stay_exact_past_one_fetch(
    call, qualys_simulator, monkeypatch
) -> None:
    monkeypatch.setattr(cdr, "_MAX_FINDINGS", 10)
    expected = _expected(qualys_simulator, 30)
    severities = Counter(f.severity for f in expected)
    assert len(expected) > 10
    env = await call("security_overview", {"scope": "cloud", "period": "month"})
    stats = env["summary"]["stats"]
    assert stats["cdr_findings"] == len(expected)
    assert [stats[f"cdr_{s}"] for s in ("critical", "high", "medium", "low")] == [
        severities[s] for s in ("CRITICAL", "HIGH", "MEDIUM", "LOW")
    ]
    counts = qualys_simulator.log.select(route="totalcloud.cdr_findings")
    assert sorted(c.params.get("severity", "") for c in counts if c.params["pageSize"] == "1") == [
        "CRITICAL", "HIGH", "LOW", "MEDIUM",
    ]  # fmt: skip
