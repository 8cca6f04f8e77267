"""Scanner health and scan status (security_overview) and exceptions (check_compliance) through
the MCP tools on the simulator, with the VMDR operations area alone loaded so that its findings
are the ones the envelope ranks. Expected values come from the simulated tenant's records.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from qualys_vmdr.aggregators import operations
from qualys_vmdr.simulator import operations as simulated
from qualys_vmdr.simulator.operations_data import ops_state

from qualys_core.plugins import hookimpl
from qualys_core.plugins.manager import create_plugin_host
from qualys_core.simulator import FaultRule, SimConfig
from qualys_core.testing import FIXED_NOW

IN_PROGRESS = {"Running", "Paused", "Queued"}


class OperationsOnly:
    """The VMDR plugin's operations area alone: its aggregators, tier, tenant data, routes."""

    @staticmethod
    @hookimpl
    def qualys_register_aggregators() -> list[Any]:
        return list(operations.AGGREGATORS)

    @staticmethod
    @hookimpl
    def qualys_register_cache_tiers() -> list[Any]:
        return list(operations.TIERS)

    @staticmethod
    @hookimpl
    def qualys_simulator_tenant(tenant):
        simulated.extend_tenant(tenant)

    @staticmethod
    @hookimpl
    def qualys_simulator_routes(tenant):
        return simulated.routes()


@pytest.fixture
def qualys_plugin_host():
    return create_plugin_host(
        load_entrypoints=False, plugins={"vmdr": OperationsOnly()}, strict=True
    )


def source(envelope: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in envelope["sources"] if s["name"] == name)


# ---------------------------------------------------------------------- scanner health


async def test_scanner_health_lists_every_appliance_and_ranks_the_offline_one_first(
    call, qualys_simulator
):
    state = ops_state(qualys_simulator.tenant)
    offline = [a for a in state.appliances if a.status == "Offline"]
    outdated = [a for a in state.appliances if a.vulnsigs_version != "2.6.218-2"]
    full = [a for a in state.appliances if a.running_slices >= a.max_capacity_units]
    assert len(offline) == 1
    assert len(outdated) == 2
    assert len(full) == 1

    env = await call("security_overview", {"scope": "vulns", "limit": 50})

    block = env["data"]["vmdr.scanner_health"]
    by_name = {record["name"]: record for record in block["records"]}
    assert set(by_name) == {a.name for a in state.appliances}
    assert block["records"][0]["name"] == offline[0].name
    assert by_name[offline[0].name]["heartbeats_missed"] == offline[0].heartbeats_missed
    assert by_name[full[0].name]["capacity_used"] == f"{full[0].max_capacity_units}/10"
    stats = env["summary"]["stats"]
    assert stats["scanners"] == len(state.appliances)
    assert stats["scanners_offline"] == 1
    assert stats["scanners_outdated_signatures"] == 2
    assert stats["scanners_at_capacity"] == 1
    findings = env["summary"]["key_findings"]
    assert any(
        f"{offline[0].name} is offline ({offline[0].heartbeats_missed} heartbeats missed" in text
        for text in findings
    )
    assert any("outdated vulnerability signatures" in text for text in findings)
    restore = next(a for a in env["actions"] if offline[0].name in a["title"])
    assert restore["tool"] == "security_overview"
    assert restore["priority"] == 1


async def test_the_scanner_list_is_cached_in_the_core_scanners_tier(call, qualys_simulator):
    first = await call("security_overview", {"scope": "vulns"})
    second = await call("security_overview", {"scope": "vulns"})

    assert source(first, "vmdr.scanner_health")["cached"] is False
    assert source(second, "vmdr.scanner_health")["cached"] is True
    # scan status reads the same cached list for its offline-scanner check
    assert qualys_simulator.log.count(route="vmdr.appliances") == 1


# ---------------------------------------------------------------------- scan status


@pytest.mark.parametrize(("period", "days"), [("today", 1), ("week", 7), ("month", 30)])
async def test_scan_status_counts_the_periods_scans_and_all_scans_in_progress(
    call, qualys_simulator, period, days
):
    tenant = qualys_simulator.tenant
    since = tenant.now - timedelta(days=days)
    scans = [s for s in ops_state(tenant).scans if s.launched >= since or s.state in IN_PROGRESS]

    env = await call("security_overview", {"scope": "vulns", "period": period, "limit": 500})

    stats = env["summary"]["stats"]
    for state in ("Running", "Paused", "Queued", "Error", "Canceled", "Finished"):
        assert stats[f"scans_{state.lower()}"] == sum(1 for s in scans if s.state == state)
    block = env["data"]["vmdr.scan_status"]
    refs = {r["ref"] for r in block["records"] if r["kind"] == "scan"}
    assert refs == {s.ref for s in scans}
    failed = [s for s in scans if s.state == "Error"]
    failing = [t for t in env["summary"]["key_findings"] if "failed" in t]
    assert bool(failing) == bool(failed)


async def test_scan_status_names_the_next_scheduled_scans_and_the_one_on_an_offline_scanner(
    call, qualys_simulator
):
    state = ops_state(qualys_simulator.tenant)
    active = sorted((s for s in state.schedules if s.active), key=lambda s: s.next_launch)
    offline = {a.name for a in state.appliances if a.status == "Offline"}
    stranded = [s for s in active if s.scanner in offline]
    assert stranded

    env = await call("security_overview", {"scope": "vulns", "period": "week", "limit": 500})

    block = env["data"]["vmdr.scan_status"]
    scheduled = [r for r in block["records"] if r["kind"] == "scheduled"]
    assert [r["ref"] for r in scheduled] == [str(s.id) for s in active[:5]]
    assert scheduled[0]["when"] == f"{active[0].next_launch:%Y-%m-%d %H:%M} UTC"
    assert env["summary"]["stats"]["scan_schedules_active"] == len(active)
    assert any(
        f"'{stranded[0].title}'" in text and "offline scanner" in text
        for text in env["summary"]["key_findings"]
    )


# ---------------------------------------------------------------------- exceptions


def expiring(tenant, low: int, high: int):
    today = tenant.now.date()
    return [
        e
        for e in ops_state(tenant).exceptions
        if e.status == "Approved" and low <= (e.expiry - today).days <= high
    ]


async def test_exceptions_flag_lapsed_approvals_and_those_expiring_within_30_days(
    call, qualys_simulator
):
    tenant = qualys_simulator.tenant
    everything = ops_state(tenant).exceptions
    lapsed = expiring(tenant, -10_000, -1)
    soon = expiring(tenant, 0, 30)
    assert lapsed
    assert soon

    env = await call("check_compliance", {"limit": 500})

    block = env["data"]["vmdr.exceptions"]
    assert block["total"] == len(everything)
    assert {r["number"] for r in block["records"]} == {str(e.number) for e in everything}
    days = [r["days_left"] for r in block["records"]]
    assert days == sorted(days)
    findings = env["summary"]["key_findings"]
    assert findings[0].startswith(f"{len(lapsed)} approved exception(s) are past their expiry")
    assert any(
        t.startswith(f"{len(soon)} approved exception(s) expire within 30") for t in findings
    )
    renew = next(
        a for a in env["actions"] if a["tool"] == "plan_remediation" and a["priority"] == 1
    )
    assert renew["arguments"]["qids"] == sorted({e.qid for e in lapsed})


async def test_days_to_expiry_keeps_only_exceptions_expiring_in_that_window(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    today = tenant.now.date()
    wanted = [e for e in ops_state(tenant).exceptions if 0 <= (e.expiry - today).days <= 14]
    assert wanted

    env = await call("check_compliance", {"days_to_expiry": 14, "limit": 500})

    block = env["data"]["vmdr.exceptions"]
    assert {r["number"] for r in block["records"]} == {str(e.number) for e in wanted}
    assert all(0 <= r["days_left"] <= 14 for r in block["records"])


@pytest.mark.parametrize("status", ["pending", "rejected", "approved"])
async def test_exception_status_filters_by_status(call, qualys_simulator, status):
    expected = [
        e for e in ops_state(qualys_simulator.tenant).exceptions if e.status.lower() == status
    ]
    assert expected

    env = await call("check_compliance", {"exception_status": status, "limit": 500})

    records = env["data"]["vmdr.exceptions"]["records"]
    assert sorted(r["number"] for r in records) == sorted(str(e.number) for e in expected)


async def test_expired_includes_approvals_past_their_date(call, qualys_simulator):
    tenant = qualys_simulator.tenant
    expected = {e.number for e in ops_state(tenant).exceptions if e.status == "Expired"}
    expected |= {e.number for e in expiring(tenant, -10_000, -1)}

    env = await call("check_compliance", {"exception_status": "expired", "limit": 500})

    records = env["data"]["vmdr.exceptions"]["records"]
    assert {r["number"] for r in records} == {str(n) for n in expected}
    assert all(r["days_left"] < 0 for r in records)


async def test_include_exceptions_false_asks_qualys_nothing(call, qualys_simulator):
    env = await call("check_compliance", {"include_exceptions": False})

    assert source(env, "vmdr.exceptions")["status"] == "empty"
    assert qualys_simulator.log.count(route="vmdr.exceptions") == 0


# ---------------------------------------------------------------------- failures


class TestUnlicensed:
    @pytest.fixture
    def qualys_simulator_options(self):
        return {"assets": 40, "now": FIXED_NOW, "config": SimConfig(unlicensed=frozenset({"vmdr"}))}

    async def test_each_source_reports_not_licensed_and_the_call_still_answers(self, call):
        env = await call("security_overview", {"scope": "vulns"})

        statuses = {s["name"]: s["status"] for s in env["sources"]}
        assert statuses == {
            "vmdr.scanner_health": "not_licensed",
            "vmdr.scan_status": "not_licensed",
        }
        assert env["summary"]["risk_level"] == "unknown"


class TestScanListFailing:
    @pytest.fixture
    def qualys_simulator_options(self):
        fault = FaultRule(match="vmdr.scans", kind="error", status=503)
        return {"assets": 60, "now": FIXED_NOW, "config": SimConfig(faults=[fault])}

    async def test_the_scanner_source_still_answers(self, call, qualys_simulator):
        env = await call("security_overview", {"scope": "vulns"})

        assert source(env, "vmdr.scan_status")["status"] == "unavailable"
        assert source(env, "vmdr.scanner_health")["status"] == "ok"
        names = {r["name"] for r in env["data"]["vmdr.scanner_health"]["records"]}
        assert names == {a.name for a in ops_state(qualys_simulator.tenant).appliances}
        assert "1 of 2 sources failed" in env["summary"]["headline"]


class TestEmptyTenant:
    @pytest.fixture
    def qualys_simulator_options(self):
        return {"assets": 0, "now": FIXED_NOW}

    async def test_no_hosts_means_no_scanners_scans_or_exceptions(self, call):
        overview = await call("security_overview", {"scope": "vulns"})
        compliance = await call("check_compliance", {})

        statuses = {s["name"]: s["status"] for s in overview["sources"] + compliance["sources"]}
        assert statuses["vmdr.scanner_health"] == "empty"
        assert statuses["vmdr.exceptions"] == "empty"
        assert "No active scan schedules" in " ".join(overview["summary"]["key_findings"])
