"""Vulnerability exceptions (risk acceptances): `/api/2.0/fo/exception/vuln/?action=list` (§27).

No vendor document describes this list: the API guide's only exception list is Policy
Compliance's (`/api/2.0/fo/compliance/exception/`, controls rather than QIDs; its statuses are
pending, approved, rejected and expired), and the VMDR release notes describe Risk Acceptance
Rules in the UI only. So the path and element names are the reference's (qualys-mcp), which
also reads an alternative name for most fields; both are read here.
"""

from __future__ import annotations

from datetime import date, datetime
from xml.etree.ElementTree import Element

from pydantic import BaseModel

from qualys_core.http.client import QualysClient
from qualys_vmdr.api.fo import child_int, child_text
from qualys_vmdr.api.scanners import fo_datetime, response_time

__all__ = ["EXCEPTION_PATH", "ExceptionListing", "VulnException", "list_exceptions"]

EXCEPTION_PATH = "/api/2.0/fo/exception/vuln/"
MODULE = "VMDR"


class VulnException(BaseModel):
    number: str
    qid: int | None = None
    title: str = ""
    type: str | None = None
    status: str = "Unknown"
    expiry: date | None = None
    comments: str = ""
    approved_by: str | None = None
    host_ip: str | None = None
    asset_count: int | None = None


class ExceptionListing(BaseModel):
    exceptions: list[VulnException]
    server_time: datetime | None = None


def _either(element: Element, first: str, second: str) -> str | None:
    return child_text(element, first) or child_text(element, second)


def parse_exception(element: Element) -> VulnException | None:
    number = _either(element, "EXCEPTION_NUMBER", "ID")
    if number is None:
        return None
    expiry = fo_datetime((_either(element, "EXPIRY_DATE", "EXPIRATION_DATE") or "")[:10])
    return VulnException(
        number=number,
        qid=child_int(element, "QID"),
        title=_either(element, "VULN_TITLE", "TITLE") or "",
        type=_either(element, "EXCEPTION_TYPE", "TYPE"),
        status=child_text(element, "STATUS") or "Unknown",
        expiry=expiry.date() if expiry else None,
        comments=_either(element, "COMMENTS", "REASON") or "",
        approved_by=_either(element, "APPROVED_BY", "ASSIGNEE"),
        host_ip=_either(element, "HOST_IP", "IP"),
        asset_count=child_int(element, "ASSET_COUNT") or child_int(element, "HOST_COUNT"),
    )


async def list_exceptions(client: QualysClient) -> ExceptionListing:
    """Every exception, whatever its status (callers filter: the status values the API
    accepts are not documented)."""
    root = await client.api.xml("GET", EXCEPTION_PATH, params={"action": "list"}, module=MODULE)
    if root is None:
        return ExceptionListing(exceptions=[])
    found = (parse_exception(item) for item in root.iterfind(".//EXCEPTION_LIST/EXCEPTION"))
    return ExceptionListing(
        exceptions=[item for item in found if item is not None], server_time=response_time(root)
    )
