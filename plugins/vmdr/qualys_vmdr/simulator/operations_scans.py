"""Handlers of the simulated scanner appliance, scan and scan schedule lists (catalogue §25,
§26; FO XML on the API server)."""

from __future__ import annotations

from datetime import timedelta

from starlette.responses import Response

from qualys_core.simulator import ParameterError, SimRequest, iso
from qualys_vmdr.simulator.fo_common import date_param, flag
from qualys_vmdr.simulator.operations_data import (
    VULNSIGS_LATEST,
    Appliance,
    ScanRecord,
    Schedule,
    ops_state,
)
from qualys_vmdr.simulator.operations_xml import action, choices, free, leaf, list_document

__all__ = ["list_appliances", "list_scans", "list_schedules"]

SCAN_STATES = ("Running", "Paused", "Canceled", "Finished", "Error", "Queued", "Loading")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _appliance(appliance: Appliance, full: bool) -> str:
    head = leaf("ID", appliance.id) + leaf("UUID", appliance.uuid) + leaf("NAME", appliance.name)
    if not full:  # the guide's brief output: identity, software, load and status
        return (
            f"<APPLIANCE>{head}{leaf('SOFTWARE_VERSION', appliance.software_version)}"
            f"{leaf('RUNNING_SLICES_COUNT', appliance.running_slices)}"
            f"{leaf('RUNNING_SCAN_COUNT', appliance.running_scans)}"
            f"{leaf('STATUS', appliance.status)}</APPLIANCE>"
        )
    # No client records SS_CONNECTION's value for a lost connection; "Disconnected" is ours.
    connection = "Connected" if appliance.status == "Online" else "Disconnected"
    return (
        f"<APPLIANCE>{head}{leaf('MODEL_NUMBER', 'vsa')}{leaf('TYPE', 'Virtual')}"
        f"{leaf('STATUS', appliance.status)}"
        f"{leaf('SOFTWARE_VERSION', appliance.software_version)}"
        f"{leaf('RUNNING_SCAN_COUNT', appliance.running_scans)}"
        f"{leaf('RUNNING_SLICES_COUNT', appliance.running_slices)}"
        f"{leaf('MAX_CAPACITY_UNITS', appliance.max_capacity_units)}"
        f"{leaf('HEARTBEATS_MISSED', appliance.heartbeats_missed)}"
        f"{leaf('VULNSIGS_VERSION', appliance.vulnsigs_version)}"
        f"{leaf('VULNSIGS_LATEST', VULNSIGS_LATEST)}"
        f"{leaf('LAST_UPDATED_DATE', iso(appliance.last_updated))}"
        f"{leaf('SS_CONNECTION', connection)}"
        f"{leaf('SS_LAST_CONNECTED', iso(appliance.ss_last_connected))}</APPLIANCE>"
    )


async def list_appliances(request: SimRequest) -> Response:
    found = action(request, ("list",))
    if isinstance(found, Response):
        return found
    mode = request.param("output_mode", "brief")
    if mode not in ("brief", "full"):
        raise ParameterError("output_mode", str(mode))
    wanted = {int(i) for i in request.list_param("ids") if i.isdigit()}
    name = (request.param("name") or "").lower()
    items = [
        _appliance(appliance, mode == "full")
        for appliance in ops_state(request.tenant).appliances
        if (not wanted or appliance.id in wanted) and name in appliance.name.lower()
    ]
    return list_document(request, "APPLIANCE_LIST_OUTPUT", "APPLIANCE_LIST", items)


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _scan(scan: ScanRecord, user: str, status: bool, option: bool, groups: bool) -> str:
    parts = [
        leaf("REF", scan.ref),
        leaf("TYPE", scan.type),
        free("TITLE", scan.title),
        leaf("USER_LOGIN", user),
        leaf("LAUNCH_DATETIME", iso(scan.launched)),
    ]
    if scan.duration is not None:  # only scans that ended have one
        parts.append(leaf("DURATION", _duration(scan.duration)))
    parts += [
        leaf("PROCESSING_PRIORITY", "0 - No Priority"),
        leaf("PROCESSED", 1 if scan.state == "Finished" else 0),
    ]
    if status:
        parts.append(f"<STATUS>{leaf('STATE', scan.state)}</STATUS>")
    parts.append(free("TARGET", scan.target))
    if option:
        parts.append(
            f"<OPTION_PROFILE>{free('TITLE', 'Initial Options')}"
            f"{leaf('DEFAULT_FLAG', 1)}</OPTION_PROFILE>"
        )
    if groups and scan.asset_group:
        group = free("ASSET_GROUP_TITLE", scan.asset_group)
        parts.append(f"<ASSET_GROUP_TITLE_LIST>{group}</ASSET_GROUP_TITLE_LIST>")
    # qualys-mcp alone reads SCANNER_APPLIANCE/FRIENDLY_NAME (§26 ◐); the guide's sample has
    # no such element, so it is left out.
    return f"<SCAN>{''.join(parts)}</SCAN>"


async def list_scans(request: SimRequest) -> Response:
    found = action(request, ("list",))
    if isinstance(found, Response):
        return found
    states = choices(request, "state", SCAN_STATES)
    kinds = choices(request, "type", ("On-Demand", "Scheduled", "API"))
    ref = request.param("scan_ref")
    after = date_param(request, "launched_after_datetime")
    before = date_param(request, "launched_before_datetime")
    if after is None and ref is None:
        after = request.tenant.now - timedelta(days=30)  # the guide: "the past 30 days"
    show = (
        flag(request, "show_status", True),
        flag(request, "show_op", False),
        flag(request, "show_ags", False),
    )
    items = [
        _scan(scan, request.tenant.username, *show)
        for scan in ops_state(request.tenant).scans
        if (not states or scan.state in states)
        and (ref is None or scan.ref == ref)
        and (after is None or scan.launched >= after)
        and (before is None or scan.launched <= before)
        and (not kinds or scan.type in kinds)
    ]
    return list_document(request, "SCAN_LIST_OUTPUT", "SCAN_LIST", items)


def _occurrence(schedule: Schedule) -> str:
    if schedule.occurrence == "daily":
        return '<DAILY frequency_days="1"/>'
    if schedule.occurrence == "weekly":
        return f'<WEEKLY frequency_weeks="1" weekdays="{_WEEKDAYS[schedule.weekday]}"/>'
    return f'<MONTHLY frequency_months="1" day_of_month="{schedule.day_of_month}"/>'


def _schedule(schedule: Schedule, user: str) -> str:
    # SCHEDULE holds the occurrence, START_DATE_UTC, START_HOUR/MINUTE and NEXTLAUNCH_UTC, the
    # latter two UTC without a zone letter (public clients parse "%Y-%m-%dT%H:%M:%S"). The
    # hours here are UTC already, so no TIME_ZONE block is given.
    launch = schedule.next_launch
    next_launch = leaf("NEXTLAUNCH_UTC", f"{launch:%Y-%m-%dT%H:%M:%S}") if launch else ""
    group = free("ASSET_GROUP_TITLE", schedule.asset_group)
    return (
        f"<SCAN>{leaf('ID', schedule.id)}{leaf('ACTIVE', 1 if schedule.active else 0)}"
        f"{free('TITLE', schedule.title)}{leaf('USER_LOGIN', user)}"
        f"{free('TARGET', schedule.target)}"
        f"<ASSET_GROUP_TITLE_LIST>{group}</ASSET_GROUP_TITLE_LIST>"
        f"{leaf('ISCANNER_NAME', schedule.scanner)}"
        f"<OPTION_PROFILE>{free('TITLE', 'Initial Options')}</OPTION_PROFILE>"
        f"<SCHEDULE>{_occurrence(schedule)}"
        f"{leaf('START_DATE_UTC', f'{schedule.start_date:%Y-%m-%dT%H:%M:%S}')}"
        f"{leaf('START_HOUR', schedule.start_hour)}"
        f"{leaf('START_MINUTE', schedule.start_minute)}{next_launch}</SCHEDULE></SCAN>"
    )


async def list_schedules(request: SimRequest) -> Response:
    found = action(request, ("list",))
    if isinstance(found, Response):
        return found
    active = request.param("active")
    if active not in (None, "0", "1"):
        raise ParameterError("active", str(active))
    wanted = {int(i) for i in request.list_param("id") if i.isdigit()}
    items = [
        _schedule(schedule, request.tenant.username)
        for schedule in ops_state(request.tenant).schedules
        if (active is None or schedule.active == (active == "1"))
        and (not wanted or schedule.id in wanted)
    ]
    return list_document(request, "SCHEDULE_SCAN_LIST_OUTPUT", "SCHEDULE_SCAN_LIST", items)
