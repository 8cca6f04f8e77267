"""The VM scan list (`/api/2.0/fo/scan/`) and the scan schedule list
(`/api/5.0/fo/schedule/scan/`), catalogue §26.

The scan list answers the last 30 days unless `launched_after_datetime` says otherwise; the
schedule list gives each schedule's next launch in `SCHEDULE/NEXTLAUNCH_UTC`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from pydantic import BaseModel, Field

from qualys_core.http.client import QualysClient
from qualys_vmdr.api.fo import child_bool, child_int, child_text
from qualys_vmdr.api.scanners import fo_datetime, response_time

__all__ = [
    "SCAN_PATH",
    "SCHEDULE_PATH",
    "Scan",
    "ScanListing",
    "ScanSchedule",
    "list_scan_schedules",
    "list_scans",
]

SCAN_PATH = "/api/2.0/fo/scan/"
SCHEDULE_PATH = "/api/5.0/fo/schedule/scan/"
MODULE = "VMDR"


class Scan(BaseModel):
    ref: str
    title: str = ""
    type: str | None = None
    state: str = "Unknown"
    launched: datetime | None = None
    duration: str | None = Field(None, description="H:MM:SS, for scans that ended")
    target: str = ""
    user_login: str | None = None
    processed: bool = False


class ScanListing(BaseModel):
    """The scans of one list call and the server's clock when it answered."""

    scans: list[Scan]
    server_time: datetime | None = None


class ScanSchedule(BaseModel):
    id: int
    title: str = ""
    active: bool = False
    target: str = ""
    scanner: str | None = None
    occurrence: str | None = Field(None, description="daily, weekly or monthly")
    next_launch: datetime | None = None
    asset_groups: list[str] = Field(default_factory=list)


def parse_scan(element: Element) -> Scan:
    return Scan(
        ref=child_text(element, "REF") or "",
        title=child_text(element, "TITLE") or "",
        type=child_text(element, "TYPE"),
        state=child_text(element, "STATUS/STATE") or "Unknown",
        launched=fo_datetime(child_text(element, "LAUNCH_DATETIME")),
        duration=child_text(element, "DURATION"),
        target=child_text(element, "TARGET") or "",
        user_login=child_text(element, "USER_LOGIN"),
        processed=child_bool(element, "PROCESSED"),
    )


async def list_scans(
    client: QualysClient,
    *,
    states: Sequence[str] = (),
    launched_after: datetime | None = None,
) -> ScanListing:
    """Scans in the given states (all when empty), launched after `launched_after` (by
    default Qualys' own window, the last 30 days)."""
    params = {"action": "list", "show_status": "1"}
    if states:
        params["state"] = ",".join(states)
    if launched_after is not None:
        moment = launched_after.astimezone(UTC)
        params["launched_after_datetime"] = f"{moment:%Y-%m-%dT%H:%M:%SZ}"
    root = await client.api.xml("GET", SCAN_PATH, params=params, module=MODULE)
    if root is None:
        return ScanListing(scans=[])
    scans = [parse_scan(item) for item in root.iterfind(".//SCAN_LIST/SCAN")]
    return ScanListing(scans=[s for s in scans if s.ref], server_time=response_time(root))


def parse_schedule(element: Element) -> ScanSchedule | None:
    schedule_id = child_int(element, "ID")
    if schedule_id is None:
        return None
    frequency = element.find("SCHEDULE")
    occurrence = None
    if frequency is not None:
        occurrence = next(
            (kind.lower() for kind in ("DAILY", "WEEKLY", "MONTHLY") if frequency.find(kind)
             is not None),
            None,
        )  # fmt: skip
    return ScanSchedule(
        id=schedule_id,
        title=child_text(element, "TITLE") or "",
        active=child_bool(element, "ACTIVE"),
        target=child_text(element, "TARGET") or "",
        scanner=child_text(element, "ISCANNER_NAME"),
        occurrence=occurrence,
        # Most clients read it inside SCHEDULE; a few read it beside SCHEDULE.
        next_launch=fo_datetime(
            child_text(element, "SCHEDULE/NEXTLAUNCH_UTC") or child_text(element, "NEXTLAUNCH_UTC")
        ),
        asset_groups=[
            text
            for item in element.iterfind("ASSET_GROUP_TITLE_LIST/ASSET_GROUP_TITLE")
            if (text := (item.text or "").strip())
        ],
    )


async def list_scan_schedules(
    client: QualysClient, *, active: bool | None = None
) -> list[ScanSchedule]:
    """The VM scan schedules; `active` True or False keeps only those (re)enabled or not."""
    params = {"action": "list"}
    if active is not None:
        params["active"] = "1" if active else "0"
    root = await client.api.xml("GET", SCHEDULE_PATH, params=params, module=MODULE)
    if root is None:
        return []
    found = (parse_schedule(item) for item in root.iterfind(".//SCHEDULE_SCAN_LIST/SCAN"))
    return [schedule for schedule in found if schedule is not None]
