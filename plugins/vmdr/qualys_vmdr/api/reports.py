"""The VM report API (`/api/2.0/fo/report/`: list, launch, fetch, delete) and the report
template list (`/msp/report_template_list.php`), catalogue §24.

Templates are listed where qualysdk and qualys-mcp-full list them; the reference's
`/api/2.0/fo/report/template/?action=list` is the path nobody else uses (§29.11). A fetched
report is streamed to a file, never held whole in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element

from pydantic import BaseModel

from qualys_core.errors import BadResponse
from qualys_core.http.client import QualysClient
from qualys_core.http.xml import parse_document, parse_simple_return, raise_for_simple_return
from qualys_vmdr.api.fo import child_bool, child_int, child_text
from qualys_vmdr.api.scanners import fo_datetime

__all__ = [
    "REPORT_PATH",
    "TEMPLATE_PATH",
    "DownloadedReport",
    "Report",
    "ReportTemplate",
    "delete_report",
    "download_report",
    "launch_report",
    "list_reports",
    "list_templates",
]

REPORT_PATH = "/api/2.0/fo/report/"
TEMPLATE_PATH = "/msp/report_template_list.php"
MODULE = "VMDR"
HEAD_BYTES = 4096
_ERROR_BYTES = 256 * 1024


class Report(BaseModel):
    id: int
    title: str = ""
    type: str | None = None
    user_login: str | None = None
    launched: datetime | None = None
    output_format: str | None = None
    size: str | None = None
    state: str = "Unknown"
    percent: int | None = None
    expires: datetime | None = None


class ReportTemplate(BaseModel):
    id: int
    title: str = ""
    template_type: str | None = None
    type: str | None = None
    is_global: bool = False
    owner: str | None = None
    last_update: datetime | None = None


class DownloadedReport(BaseModel):
    """A report saved to disk: where, how big, its type, and its first bytes (`head`)."""

    path: Path
    size_bytes: int
    content_type: str
    head: bytes


def parse_report(element: Element) -> Report | None:
    report_id = child_int(element, "ID")
    if report_id is None:
        return None
    return Report(
        id=report_id,
        title=child_text(element, "TITLE") or "",
        type=child_text(element, "TYPE"),
        user_login=child_text(element, "USER_LOGIN"),
        launched=fo_datetime(child_text(element, "LAUNCH_DATETIME")),
        output_format=(child_text(element, "OUTPUT_FORMAT") or "").lower() or None,
        size=child_text(element, "SIZE"),
        state=child_text(element, "STATUS/STATE") or "Unknown",
        percent=child_int(element, "STATUS/PERCENT"),
        expires=fo_datetime(child_text(element, "EXPIRATION_DATETIME")),
    )


async def list_reports(client: QualysClient, *, report_id: int | None = None) -> list[Report]:
    """The reports in the Report Share, or the one with `report_id` (empty when none)."""
    params = {"action": "list"}
    if report_id is not None:
        params["id"] = str(report_id)
    root = await client.api.xml("GET", REPORT_PATH, params=params, module=MODULE)
    if root is None:
        return []
    found = (parse_report(item) for item in root.iterfind(".//REPORT_LIST/REPORT"))
    return [report for report in found if report is not None]


async def list_templates(client: QualysClient) -> list[ReportTemplate]:
    root = await client.api.xml("GET", TEMPLATE_PATH, module=MODULE)
    if root is None:
        return []
    templates = []
    for item in root.iterfind("REPORT_TEMPLATE"):
        template_id = child_int(item, "ID")
        if template_id is None:
            continue
        templates.append(
            ReportTemplate(
                id=template_id,
                title=child_text(item, "TITLE") or "",
                template_type=child_text(item, "TEMPLATE_TYPE"),
                type=child_text(item, "TYPE"),
                is_global=child_bool(item, "GLOBAL"),
                owner=child_text(item, "USER/LOGIN"),
                last_update=fo_datetime(child_text(item, "LAST_UPDATE")),
            )
        )
    return templates


def _item_value(root: Element, key: str) -> str | None:
    for item in root.iterfind(".//ITEM_LIST/ITEM"):
        if child_text(item, "KEY") == key:
            return child_text(item, "VALUE")
    return None


async def launch_report(
    client: QualysClient, *, template_id: int, output_format: str, title: str | None = None
) -> int:
    """Launch a report from a template; returns the new report's ID."""
    form = {"action": "launch", "template_id": str(template_id), "output_format": output_format}
    if title:
        form["report_title"] = title
    root = await client.api.xml("POST", REPORT_PATH, data=form, module=MODULE)
    value = _item_value(root, "ID") if root is not None else None
    if value is None or not value.isdigit():
        raise BadResponse("Qualys accepted the report launch but sent no report ID")
    return int(value)


async def delete_report(client: QualysClient, report_id: int) -> str:
    """Delete a report; returns Qualys' acknowledgement text."""
    form = {"action": "delete", "id": str(report_id)}
    root = await client.api.xml("POST", REPORT_PATH, data=form, module=MODULE)
    text = child_text(root, "RESPONSE/TEXT") if root is not None else None
    return text or "Report deleted"


async def _raise_message(head: bytes, rest: AsyncIterator[bytes], status: int) -> None:
    """A fetch answered with a SIMPLE_RETURN instead of the file: raise what it says."""
    body = bytearray(head)
    async for chunk in rest:
        body += chunk
        if len(body) >= _ERROR_BYTES:
            break
    message = parse_simple_return(parse_document(bytes(body[:_ERROR_BYTES])))
    raise_for_simple_return(message, http_status=status, path=REPORT_PATH)
    text = message.text if message is not None else ""
    raise BadResponse(f"Qualys answered the fetch with a message, not the report: {text}")


def _discard(handle: BinaryIO, path: Path) -> None:
    handle.close()
    path.unlink(missing_ok=True)


async def download_report(client: QualysClient, report_id: int, path: Path) -> DownloadedReport:
    """Stream a finished report into the new file `path`, which must not exist yet (it is
    created exclusively, so nothing is ever overwritten); a failure removes the partial file."""
    params = {"action": "fetch", "id": str(report_id)}
    async with client.api.stream(
        "GET", REPORT_PATH, params=params, call_class="long", module=MODULE
    ) as response:
        if response is None:
            raise BadResponse(f"Qualys has no file for report {report_id}")
        content_type = response.headers.get("content-type", "application/octet-stream")
        content_type = content_type.split(";")[0].strip().lower()
        chunks = response.aiter_bytes()
        head = b""
        async for chunk in chunks:
            head += chunk
            if len(head) >= HEAD_BYTES:
                break
        if b"<SIMPLE_RETURN" in head[:512]:
            await _raise_message(head, chunks, response.status_code)
        handle: BinaryIO = await asyncio.to_thread(path.open, "xb")
        size = 0
        try:
            await asyncio.to_thread(handle.write, head)
            size += len(head)
            async for chunk in chunks:
                await asyncio.to_thread(handle.write, chunk)
                size += len(chunk)
        except BaseException:
            with contextlib.suppress(OSError):
                await asyncio.shield(asyncio.to_thread(_discard, handle, path))
            raise
        await asyncio.to_thread(handle.close)
    return DownloadedReport(
        path=path, size_bytes=size, content_type=content_type, head=head[:HEAD_BYTES]
    )
