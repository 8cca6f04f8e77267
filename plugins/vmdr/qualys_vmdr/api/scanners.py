"""The scanner appliance list: `/api/2.0/fo/appliance/?action=list&output_mode=full` (§25).

Signatures count as outdated when `VULNSIGS_VERSION` differs from `VULNSIGS_LATEST`, and an
appliance is up when its STATUS is Online, as the reference reads them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from pydantic import BaseModel

from qualys_core.errors import BadResponse
from qualys_core.http.client import QualysClient
from qualys_vmdr.api.fo import child_int, child_text

__all__ = ["APPLIANCE_PATH", "Appliance", "fo_datetime", "list_appliances", "response_time"]

APPLIANCE_PATH = "/api/2.0/fo/appliance/"
MODULE = "VMDR"


def fo_datetime(text: str | None) -> datetime | None:
    """An FO timestamp (``2026-01-15T03:00:00Z``, without the Z, or a bare date) in UTC."""
    if not text:
        return None
    value = text.strip().removesuffix("Z")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def response_time(root: Element) -> datetime | None:
    """The server's clock in an FO list answer (`RESPONSE/DATETIME`)."""
    return fo_datetime(child_text(root, "RESPONSE/DATETIME"))


class Appliance(BaseModel):
    """One scanner appliance of the full listing."""

    id: int
    name: str
    status: str
    type: str | None = None
    model: str | None = None
    software_version: str | None = None
    running_scans: int = 0
    running_slices: int = 0
    max_capacity_units: int | None = None
    heartbeats_missed: int = 0
    vulnsigs_version: str | None = None
    vulnsigs_latest: str | None = None
    last_updated: datetime | None = None
    ss_connection: str | None = None
    ss_last_connected: datetime | None = None

    @property
    def online(self) -> bool:
        return self.status.lower() == "online"

    @property
    def signatures_outdated(self) -> bool:
        latest, current = self.vulnsigs_latest, self.vulnsigs_version
        return bool(latest and current and latest != current)


def parse_appliance(element: Element) -> Appliance:
    appliance_id = child_int(element, "ID")
    if appliance_id is None:
        raise BadResponse("scanner appliance list: APPLIANCE without a numeric ID")
    return Appliance(
        id=appliance_id,
        name=child_text(element, "NAME") or str(appliance_id),
        status=child_text(element, "STATUS") or "Unknown",
        type=child_text(element, "TYPE"),
        model=child_text(element, "MODEL_NUMBER"),
        software_version=child_text(element, "SOFTWARE_VERSION"),
        running_scans=child_int(element, "RUNNING_SCAN_COUNT") or 0,
        running_slices=child_int(element, "RUNNING_SLICES_COUNT") or 0,
        max_capacity_units=child_int(element, "MAX_CAPACITY_UNITS"),
        heartbeats_missed=child_int(element, "HEARTBEATS_MISSED") or 0,
        vulnsigs_version=child_text(element, "VULNSIGS_VERSION"),
        vulnsigs_latest=child_text(element, "VULNSIGS_LATEST"),
        last_updated=fo_datetime(child_text(element, "LAST_UPDATED_DATE")),
        ss_connection=child_text(element, "SS_CONNECTION"),
        ss_last_connected=fo_datetime(child_text(element, "SS_LAST_CONNECTED")),
    )


async def list_appliances(client: QualysClient) -> list[Appliance]:
    """Every scanner appliance of the subscription, with load, heartbeat and signatures."""
    root = await client.api.xml(
        "GET",
        APPLIANCE_PATH,
        params={"action": "list", "output_mode": "full"},
        module=MODULE,
    )
    if root is None:
        return []
    return [parse_appliance(item) for item in root.iterfind(".//APPLIANCE")]
