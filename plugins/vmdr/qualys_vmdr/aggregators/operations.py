"""VMDR operations in the briefings: scanner appliance health and scan status for
security_overview here, vulnerability exceptions (risk acceptances) for check_compliance in
`exceptions`; this module registers all three.

Each aggregator reads one or a few small FO lists, judges them against the call's clock
(`ctx.now`), and says what needs attention as findings with an action naming the next call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from qualys_core.errors import QualysError
from qualys_core.plugins import (
    Action,
    Aggregator,
    AggregatorContext,
    AggregatorResult,
    Finding,
    Serves,
    TierSpec,
)
from qualys_vmdr.aggregators.exceptions import EXCEPTIONS_TIER, exceptions
from qualys_vmdr.api.scanners import Appliance, list_appliances
from qualys_vmdr.api.scans import Scan, ScanSchedule, list_scan_schedules, list_scans

__all__ = ["AGGREGATORS", "TIERS", "exceptions", "scan_status", "scanner_health"]

T = TypeVar("T")

SCANNERS_TIER = "scanners"  # core's tier (300 s), as the reference caches the scanner list
PERIOD_DAYS = {"today": 1, "week": 7, "month": 30}
_PERIOD_TEXT = {"today": "last 24 hours", "week": "last 7 days", "month": "last 30 days"}
_IN_PROGRESS = ("Running", "Paused", "Queued", "Loading")
_FULL = 0.9  # share of capacity units in use that counts as "at capacity"
_NAMES = 3


async def _cached(
    ctx: AggregatorContext, tier: str, key: str, fetch: Callable[[], Awaitable[T]]
) -> tuple[T, bool]:
    fetched = False

    async def run() -> T:
        nonlocal fetched
        fetched = True
        return await fetch()

    value = await ctx.cache.get_or_fetch(tier, key, run)
    return value, not fetched


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:_NAMES])
    return shown + (f" and {len(items) - _NAMES} more" if len(items) > _NAMES else "")


def _stamp(moment: datetime | None) -> str | None:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else None


# ---------------------------------------------------------------------- scanner health


def _appliance_record(appliance: Appliance) -> dict[str, Any]:
    capacity = appliance.max_capacity_units
    return {
        "name": appliance.name,
        "status": appliance.status,
        "heartbeats_missed": appliance.heartbeats_missed,
        "signatures": (
            f"{appliance.vulnsigs_version} (latest {appliance.vulnsigs_latest})"
            if appliance.signatures_outdated
            else "current"
        ),
        "running_scans": appliance.running_scans,
        "capacity_used": f"{appliance.running_slices}/{capacity}" if capacity else None,
        "last_seen": _stamp(appliance.ss_last_connected),
        "id": appliance.id,
    }


def _at_capacity(appliance: Appliance) -> bool:
    capacity = appliance.max_capacity_units or 0
    return capacity > 0 and appliance.online and appliance.running_slices >= _FULL * capacity


async def scanner_health(ctx: AggregatorContext) -> AggregatorResult:
    """Offline appliances, missed heartbeats, outdated signatures and capacity."""
    appliances, cached = await _cached(
        ctx, SCANNERS_TIER, "appliances", lambda: list_appliances(ctx.client)
    )
    offline = [a for a in appliances if not a.online]
    outdated = [a for a in appliances if a.signatures_outdated]
    full = [a for a in appliances if _at_capacity(a)]
    missing = [a for a in appliances if a.online and a.heartbeats_missed]
    findings: list[Finding] = []
    actions: list[Action] = []
    recheck = {"scope": "vulns", "period": "today"}
    for appliance in offline:
        findings.append(
            Finding(
                text=f"Scanner appliance {appliance.name} is offline "
                f"({appliance.heartbeats_missed} heartbeats missed, last seen "
                f"{_stamp(appliance.ss_last_connected) or 'unknown'})",
                severity="high",
            )
        )
        actions.append(
            Action(
                priority=1,
                title=f"Bring scanner appliance {appliance.name} back online",
                why="Scans and schedules assigned to it cannot run; check its power, network "
                "and connection to the Qualys platform, then re-check scan status.",
                tool="security_overview",
                arguments=recheck,
            )
        )
    if outdated:
        names = [f"{a.name} ({a.vulnsigs_version})" for a in outdated]
        findings.append(
            Finding(
                text=f"{len(outdated)} scanner appliance(s) run outdated vulnerability "
                f"signatures (latest {outdated[0].vulnsigs_latest}): {_names(names)}",
                severity="medium",
            )
        )
        actions.append(
            Action(
                priority=2,
                title="Update the vulnerability signatures of "
                + _names([a.name for a in outdated]),
                why="Scans with old signatures miss the newest QIDs; appliances update on their "
                "own when they reach the platform, so check their connectivity.",
                tool="security_overview",
                arguments=recheck,
            )
        )
    for appliance in full:
        findings.append(
            Finding(
                text=f"Scanner appliance {appliance.name} is at capacity "
                f"({appliance.running_slices}/{appliance.max_capacity_units} units in use); "
                "scans queue behind it",
                severity="medium",
            )
        )
        actions.append(
            Action(
                priority=3,
                title=f"Move scans off {appliance.name} or add scanner capacity",
                why="Queued scans wait for a free slice; see which scans are queued.",
                tool="security_overview",
                arguments={"scope": "vulns", "period": "week"},
            )
        )
    if missing:
        findings.append(
            Finding(
                text=f"{len(missing)} online scanner appliance(s) missed heartbeats: "
                + _names([f"{a.name} ({a.heartbeats_missed})" for a in missing]),
                severity="low",
            )
        )
    if appliances and not findings:
        findings.append(
            Finding(
                text=f"All {len(appliances)} scanner appliances are online with current "
                "signatures and spare capacity",
            )
        )
    ordered = sorted(appliances, key=lambda a: (a.online, not a.signatures_outdated, a.name))
    return AggregatorResult(
        records=[_appliance_record(a) for a in ordered],
        total=len(appliances),
        stats={
            "scanners": len(appliances),
            "scanners_offline": len(offline),
            "scanners_outdated_signatures": len(outdated),
            "scanners_at_capacity": len(full),
        },
        findings=findings,
        actions=actions,
        cached=cached,
    )


# ---------------------------------------------------------------------- scan status


def _scan_record(scan: Scan) -> dict[str, Any]:
    return {
        "kind": "scan",
        "title": scan.title,
        "state": scan.state,
        "when": _stamp(scan.launched),
        "duration": scan.duration,
        "target": scan.target if len(scan.target) <= 80 else scan.target[:79] + "…",
        "ref": scan.ref,
        "type": scan.type,
    }


def _schedule_record(schedule: ScanSchedule) -> dict[str, Any]:
    return {
        "kind": "scheduled",
        "title": schedule.title,
        "state": "Scheduled",
        "when": _stamp(schedule.next_launch),
        "duration": None,
        "target": schedule.target if len(schedule.target) <= 80 else schedule.target[:79] + "…",
        "ref": str(schedule.id),
        "scanner": schedule.scanner,
    }


async def _offline_scanners(ctx: AggregatorContext) -> set[str] | None:
    """Names of offline appliances (cached with scanner health); None when unknown."""
    try:
        appliances, _ = await _cached(
            ctx, SCANNERS_TIER, "appliances", lambda: list_appliances(ctx.client)
        )
    except QualysError:
        return None
    return {a.name for a in appliances if not a.online}


async def scan_status(ctx: AggregatorContext) -> AggregatorResult:
    """Scans running, paused, queued or failed in the period, and the next scheduled ones."""
    period = str(ctx.params.get("period") or "week")
    since = ctx.now - timedelta(days=PERIOD_DAYS.get(period, 7))
    recent, ongoing, schedules, offline = await asyncio.gather(
        list_scans(ctx.client, launched_after=since),
        list_scans(ctx.client, states=_IN_PROGRESS),
        list_scan_schedules(ctx.client, active=True),
        _offline_scanners(ctx),
    )
    by_ref = {scan.ref: scan for scan in [*recent.scans, *ongoing.scans]}
    scans = sorted(
        by_ref.values(),
        key=lambda s: (s.state not in _IN_PROGRESS, s.state != "Error", -_epoch(s.launched)),
    )
    counts = {state: sum(1 for s in scans if s.state == state) for state in
              ("Running", "Paused", "Queued", "Error", "Canceled", "Finished")}  # fmt: skip
    upcoming = sorted(
        (s for s in schedules if s.next_launch is not None),
        key=lambda s: s.next_launch or ctx.now,
    )
    findings, actions = _scan_findings(scans, upcoming, schedules, offline, _PERIOD_TEXT[period])
    notable = [s for s in scans if s.state != "Finished"]
    records = (
        [_scan_record(s) for s in notable]
        + [_schedule_record(s) for s in upcoming[:5]]
        + [_scan_record(s) for s in scans if s.state == "Finished"]
    )
    stats: dict[str, int | float | str] = {
        f"scans_{state.lower()}": count for state, count in counts.items()
    }
    stats["scan_schedules_active"] = len(schedules)
    if upcoming:
        stats["next_scheduled_scan"] = _stamp(upcoming[0].next_launch) or ""
    return AggregatorResult(records=records, total=len(records), stats=stats, findings=findings,
                            actions=actions)  # fmt: skip


def _epoch(moment: datetime | None) -> float:
    return moment.timestamp() if moment else 0.0


def _scan_findings(
    scans: list[Scan],
    upcoming: list[ScanSchedule],
    schedules: list[ScanSchedule],
    offline: set[str] | None,
    period: str,
) -> tuple[list[Finding], list[Action]]:
    findings: list[Finding] = []
    actions: list[Action] = []
    scanners = {"scope": "vulns", "period": "today"}

    def titles(state: str) -> list[str]:
        return [s.title for s in scans if s.state == state]

    failed = titles("Error")
    if failed:
        findings.append(
            Finding(
                text=f"{len(failed)} scan(s) failed in the {period}: {_names(failed)}",
                severity="high",
            )
        )
        actions.append(
            Action(
                priority=1,
                title="Find out why scans failed and relaunch them",
                why="A failed scan leaves its targets' detections stale; scanner problems "
                "(offline, outdated) are a common cause.",
                tool="security_overview",
                arguments=scanners,
            )
        )
    for schedule in upcoming:
        if offline and schedule.scanner in offline:
            findings.append(
                Finding(
                    text=f"Scheduled scan '{schedule.title}' (next run "
                    f"{_stamp(schedule.next_launch)}) is assigned to offline scanner "
                    f"{schedule.scanner}",
                    severity="high",
                )
            )
            actions.append(
                Action(
                    priority=1,
                    title=f"Restore {schedule.scanner} or reassign '{schedule.title}'",
                    why="The schedule will not run on an offline appliance.",
                    tool="security_overview",
                    arguments=scanners,
                )
            )
    for state, severity in (("Paused", "low"), ("Canceled", "low"), ("Queued", "info"),
                            ("Running", "info")):  # fmt: skip
        found = titles(state)
        if found:
            findings.append(
                Finding(
                    text=f"{len(found)} scan(s) {state.lower()}: {_names(found)}", severity=severity
                )
            )
    if not schedules:
        findings.append(
            Finding(
                text="No active scan schedules: host detections go stale without regular scans",
                severity="medium",
            )
        )
    if not scans:
        findings.append(Finding(text=f"No scans launched in the {period}", severity="medium"))
    elif upcoming:
        first = upcoming[0]
        findings.append(
            Finding(text=f"Next scheduled scan: '{first.title}' at {_stamp(first.next_launch)}")
        )
    return findings, actions


AGGREGATORS: tuple[Aggregator, ...] = (
    Aggregator(
        name="vmdr.scanner_health",
        title="VMDR scanner appliances",
        fn=scanner_health,
        serves=(Serves(tool="security_overview", scopes=frozenset({"vulns"})),),
        module="VMDR",
        cache_tier=SCANNERS_TIER,
        cost="low",
    ),
    Aggregator(
        name="vmdr.scan_status",
        title="VMDR scans and schedules",
        fn=scan_status,
        serves=(Serves(tool="security_overview", scopes=frozenset({"vulns"})),),
        module="VMDR",
        cost="low",
    ),
    Aggregator(
        name="vmdr.exceptions",
        title="VMDR vulnerability exceptions",
        fn=exceptions,
        serves=(Serves(tool="check_compliance"),),
        module="VMDR",
        cache_tier=EXCEPTIONS_TIER,
        cost="low",
    ),
)
TIERS: tuple[TierSpec, ...] = (
    TierSpec(EXCEPTIONS_TIER, ttl=300, maxsize=16, description="VMDR vulnerability exception list"),
)
