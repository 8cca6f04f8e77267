"""The simulated tenant's VMDR operations: scanner appliances, scans and schedules, reports and
report templates, and vulnerability exceptions (drawn in `exceptions_data`).

Everything is derived from the tenant (its hosts, asset groups, detections and date) and drawn
from `tenant.rng("vmdr", ...)`, so a seed gives the same records in every run. Scans, schedules
and appliances hang together: a running scan counts on the appliance that runs it, and a
schedule names the appliance it will run on. A tenant without hosts has no appliances, scans,
reports or exceptions; the service-provided report templates exist in every subscription.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from ipaddress import ip_address

from qualys_core.simulator import Host, Tenant
from qualys_vmdr.simulator.exceptions_data import VulnException, build_exceptions

__all__ = [
    "REPORT_ID_BASE",
    "TEMPLATE_ID_BASE",
    "VULNSIGS_LATEST",
    "Appliance",
    "OpsState",
    "ReportRecord",
    "ScanRecord",
    "Schedule",
    "Template",
    "build_state",
    "next_launch",
    "ops_state",
]

# The signature version the core simulator's /msp/about.php reports as current.
VULNSIGS_LATEST = "2.6.218-2"
REPORT_ID_BASE = 8_812_340
TEMPLATE_ID_BASE = 1_528_880
_TARGET_IPS = 50
_SITES = ("dc-east", "dc-west", "branch-nyc", "dmz", "aws-use1", "azure-weu", "branch-lon",
          "gcp-usc1", "branch-sgp", "oci-iad")  # fmt: skip


@dataclass
class Appliance:
    id: int
    uuid: str
    name: str
    status: str  # "Online" | "Offline"
    software_version: str
    max_capacity_units: int
    heartbeats_missed: int
    vulnsigs_version: str
    last_updated: datetime
    ss_last_connected: datetime
    running_scans: int = 0
    running_slices: int = 0


@dataclass
class Schedule:
    id: int
    title: str
    active: bool
    asset_group: str
    target: str
    scanner: str
    occurrence: str  # "daily" | "weekly" | "monthly"
    start_hour: int
    start_minute: int
    start_date: datetime
    weekday: int = 0  # weekly: 0 is Monday
    day_of_month: int = 1  # monthly
    next_launch: datetime | None = None


@dataclass
class ScanRecord:
    ref: str
    title: str
    type: str  # "Scheduled" | "On-Demand"
    launched: datetime
    target: str
    scanner: str
    asset_group: str | None
    state: str = "Finished"
    duration: timedelta | None = None


@dataclass(frozen=True)
class Template:
    id: int
    title: str
    template_type: str  # what the template reports on: "Scan", "Patch", ...
    type: str  # "Auto" | "Manual"
    is_global: bool
    last_update: datetime


@dataclass
class ReportRecord:
    id: int
    title: str
    template: Template
    output_format: str  # lower case: "pdf", "csv", "xml", "html", "docx"
    launched: datetime
    state: str  # "Running" | "Finished" | "Errors"
    # A running report finishes after this many more status looks, so runs repeat without a
    # wall clock: launch, one look sees it Running, the next sees it Finished.
    looks_until_finished: int = 0
    content: bytes | None = None

    @property
    def expires(self) -> datetime:
        return self.launched + timedelta(days=7)


@dataclass
class OpsState:
    """What the VMDR operations endpoints serve; launch and delete change it."""

    appliances: list[Appliance]
    schedules: list[Schedule]
    scans: list[ScanRecord]
    templates: list[Template]
    reports: dict[int, ReportRecord]
    exceptions: list[VulnException]
    next_report_id: int = field(default=REPORT_ID_BASE + 100)


def ops_state(tenant: Tenant) -> OpsState:
    """The tenant's operations records (added by `extend_tenant`)."""
    state = tenant.extensions["vmdr"]["operations"]
    assert isinstance(state, OpsState)
    return state


def build_state(tenant: Tenant) -> OpsState:
    appliances = _appliances(tenant, tenant.rng("vmdr", "appliances"))
    schedules = _schedules(tenant, appliances, tenant.rng("vmdr", "schedules"))
    scans = _scans(tenant, schedules, appliances, tenant.rng("vmdr", "scans"))
    for appliance in appliances:
        running = [scan for scan in scans if scan.state == "Running"]
        appliance.running_scans = sum(1 for scan in running if scan.scanner == appliance.name)
        if appliance.status == "Online":
            appliance.running_slices = appliance.running_scans * 2
    # The second appliance runs at full capacity: its slices fill every capacity unit.
    if len(appliances) > 1:
        appliances[1].running_slices = appliances[1].max_capacity_units
    templates = _templates(tenant)
    reports = _reports(tenant, templates, tenant.rng("vmdr", "reports"))
    exceptions = build_exceptions(tenant, tenant.rng("vmdr", "exceptions"))
    return OpsState(appliances, schedules, scans, templates, reports, exceptions)


def _appliances(tenant: Tenant, rng: random.Random) -> list[Appliance]:
    if not tenant.hosts:
        return []
    now = tenant.now
    count = min(len(_SITES), 4 + len(tenant.hosts) // 500)
    found = []
    for index, site in enumerate(_SITES[:count]):
        minutes = rng.randint(1, 9)
        appliance = Appliance(
            id=1_234_000 + index * 17 + rng.randint(0, 16),
            uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            name=f"{site}-scanner-01",
            status="Online",
            software_version="2.7",
            max_capacity_units=10,
            heartbeats_missed=0,
            vulnsigs_version=VULNSIGS_LATEST,
            last_updated=now - timedelta(hours=rng.randint(2, 20)),
            ss_last_connected=now - timedelta(minutes=minutes),
        )
        if index == 2:  # lost: no heartbeat for hours, signatures left behind
            appliance.status = "Offline"
            appliance.heartbeats_missed = rng.randint(12, 48)
            appliance.vulnsigs_version = "2.6.215-1"
            appliance.software_version = "2.6"
            appliance.last_updated = now - timedelta(days=3, hours=rng.randint(0, 20))
            appliance.ss_last_connected = now - timedelta(minutes=10 * appliance.heartbeats_missed)
        elif index == 3:  # online, but its signature updates stopped two days ago
            appliance.vulnsigs_version = "2.6.216-3"
            appliance.last_updated = now - timedelta(days=2, hours=rng.randint(0, 20))
        found.append(appliance)
    return found


def _ips(hosts: Sequence[Host]) -> str:
    """Up to _TARGET_IPS addresses as an FO target: ascending, consecutive runs as ranges."""
    addresses = sorted({ip_address(host.ip) for host in hosts if ":" not in host.ip})
    parts: list[str] = []
    start = previous = None
    for address in addresses[:_TARGET_IPS]:
        if previous is not None and int(address) == int(previous) + 1:
            previous = address
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = address
    if start is not None:
        parts.append(str(start) if start == previous else f"{start}-{previous}")
    return ",".join(parts)


def next_launch(schedule: Schedule, after: datetime) -> datetime:
    """The first run of `schedule` strictly after `after`."""
    day = after.replace(hour=schedule.start_hour, minute=schedule.start_minute, second=0)
    for offset in range(0, 370):
        moment = day + timedelta(days=offset)
        if moment <= after or moment < schedule.start_date:
            continue
        if schedule.occurrence == "daily":
            return moment
        if schedule.occurrence == "weekly" and moment.weekday() == schedule.weekday:
            return moment
        if schedule.occurrence == "monthly" and moment.day == schedule.day_of_month:
            return moment
    raise ValueError(f"schedule {schedule.id} never runs")


def _schedules(tenant: Tenant, appliances: list[Appliance], rng: random.Random) -> list[Schedule]:
    members: dict[int, list[Host]] = {}
    for host in tenant.hosts:
        for group_id in host.asset_groups:
            members.setdefault(group_id, []).append(host)
    groups = [group for group in tenant.asset_groups if members.get(group.id)]
    kinds = ("daily", "weekly", "weekly", "monthly", "weekly", "weekly")
    found = []
    for index, group in enumerate(groups[: len(kinds)]):
        occurrence = kinds[index]
        schedule = Schedule(
            id=140_000 + index * 37 + rng.randint(0, 36),
            title=f"{occurrence.capitalize()} scan - {group.title}",
            # The last one was switched off, as schedules of retired networks are.
            active=index < len(kinds) - 1,
            asset_group=group.title,
            target=_ips(members[group.id]),
            scanner=appliances[index % len(appliances)].name,
            occurrence=occurrence,
            start_hour=22 if occurrence == "daily" else rng.choice((1, 2, 3, 20, 21)),
            start_minute=rng.choice((0, 15, 30)),
            start_date=tenant.now - timedelta(days=90),
            weekday=rng.randrange(7),
            day_of_month=rng.randint(1, 28),
        )
        if schedule.active:
            schedule.next_launch = next_launch(schedule, tenant.now)
        found.append(schedule)
    return found


def _ref(moment: datetime, rng: random.Random) -> str:
    return f"scan/{int(moment.timestamp())}.{rng.randint(10000, 99999)}"


def _scans(
    tenant: Tenant, schedules: list[Schedule], appliances: list[Appliance], rng: random.Random
) -> list[ScanRecord]:
    """45 days of scheduled runs plus a few on-demand scans, newest first, with the states a
    live subscription shows: two running, one queued, one paused, one failed, one canceled."""
    now = tenant.now
    scans: list[ScanRecord] = []
    for schedule in (s for s in schedules if s.active):
        moment = next_launch(schedule, now - timedelta(days=45))
        while moment < now:
            scans.append(
                ScanRecord(_ref(moment, rng), schedule.title, "Scheduled", moment,
                           schedule.target, schedule.scanner, schedule.asset_group)
            )  # fmt: skip
            moment = next_launch(schedule, moment)
    online = [a.name for a in appliances if a.status == "Online"]
    ad_hoc = (("Queued", 0.6), ("Running", 3.2), ("Error", 96.5), ("Canceled", 290.0))
    for index, (state, hours_ago) in enumerate(ad_hoc if tenant.hosts else ()):
        host = tenant.hosts[rng.randrange(len(tenant.hosts))]
        moment = now - timedelta(hours=hours_ago, minutes=rng.randint(0, 20))
        scan = ScanRecord(_ref(moment, rng), f"On-demand scan - {host.name}", "On-Demand",
                          moment, host.ip, online[index % len(online)], None, state)  # fmt: skip
        scans.append(scan)
    scans.sort(key=lambda scan: scan.launched, reverse=True)
    _set_states(scans, schedules, now, rng)
    return scans


def _set_states(
    scans: list[ScanRecord], schedules: list[Schedule], now: datetime, rng: random.Random
) -> None:
    daily = {s.title for s in schedules if s.occurrence == "daily"}
    weekly = {s.title for s in schedules if s.occurrence == "weekly"}
    latest_daily = next((scan for scan in scans if scan.title in daily), None)
    latest_weekly = next((scan for scan in scans if scan.title in weekly), None)
    if latest_daily is not None:
        latest_daily.state = "Running"
    if latest_weekly is not None:
        latest_weekly.state = "Paused"  # paused by its schedule's scan window
    for scan in scans:
        if scan.state in ("Running", "Queued", "Paused"):
            continue
        elapsed = now - scan.launched
        minutes = rng.randint(18, 190)
        scan.duration = min(timedelta(minutes=minutes), elapsed - timedelta(minutes=1))
        if scan.state == "Finished" and scan.duration < timedelta(minutes=5):
            scan.state = "Running"
            scan.duration = None


_SERVICE_TEMPLATES = (
    ("Technical Report", "Scan"),
    ("Executive Report", "Scan"),
    ("High Severity Report", "Scan"),
    ("Qualys Top 20 Report", "Scan"),
    ("Patch Report", "Patch"),
)


def _templates(tenant: Tenant) -> list[Template]:
    found = [
        Template(
            TEMPLATE_ID_BASE + index,
            title,
            kind,
            "Auto",
            True,
            tenant.now - timedelta(days=400 - index * 31),
        )
        for index, (title, kind) in enumerate(_SERVICE_TEMPLATES)
    ]
    found.append(
        Template(
            TEMPLATE_ID_BASE + len(found),
            "Weekly Exec - Production",
            "Scan",
            "Manual",
            False,
            tenant.now - timedelta(days=12),
        )
    )
    return found


def _reports(
    tenant: Tenant, templates: list[Template], rng: random.Random
) -> dict[int, ReportRecord]:
    if not tenant.hosts:
        return {}
    plan = (  # template index, format, hours ago, state
        (5, "pdf", 0.3, "Running"),
        (0, "csv", 20, "Finished"),
        (1, "pdf", 44, "Finished"),
        (2, "html", 68, "Finished"),
        (3, "xml", 93, "Errors"),
        (4, "docx", 120, "Finished"),
        (5, "pdf", 150, "Finished"),
    )
    found: dict[int, ReportRecord] = {}
    for index, (which, output_format, hours_ago, state) in enumerate(plan):
        template = templates[which]
        moment = tenant.now - timedelta(hours=hours_ago, minutes=rng.randint(0, 15))
        found[REPORT_ID_BASE + index] = ReportRecord(
            id=REPORT_ID_BASE + index,
            title=f"{template.title} {moment:%Y-%m-%d}",
            template=template,
            output_format=output_format,
            launched=moment,
            state=state,
            looks_until_finished=1 if state == "Running" else 0,
        )
    return found
