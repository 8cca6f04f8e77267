"""The `reports` tool: list reports and templates, generate, check status, download, delete.

One aggregator per action. generate and delete change the subscription; the engine runs them
only when the server allows writes. A download is streamed to a file under the download
directory (`Settings.download_dir`, QUALYS_MCP_DOWNLOAD_DIR) and never inlined: the answer
gives the path, size, content type and, for text formats, a short preview. Because the server
may be shared, `output_path` must resolve inside that directory, and no file is overwritten:
an `output_path` that exists is refused, and a default name that exists gets a numeric suffix.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from qualys_core.errors import BadRequest
from qualys_core.plugins import (
    Action,
    Aggregator,
    AggregatorContext,
    AggregatorResult,
    Finding,
    Serves,
    TierSpec,
)
from qualys_vmdr.api.reports import (
    Report,
    delete_report,
    download_report,
    launch_report,
    list_reports,
    list_templates,
)

__all__ = [
    "AGGREGATORS",
    "TIERS",
    "delete",
    "download",
    "generate",
    "list_action",
    "status",
    "templates",
]

PREVIEW_LINES = 20
PREVIEW_CHARS = 2000
_EXTENSIONS = {"pdf": "pdf", "csv": "csv", "xml": "xml", "html": "zip", "mht": "mht",
               "docx": "docx"}  # fmt: skip
_TEXT_TYPES = ("application/xml", "application/csv", "application/json")
_MAX_SUFFIX = 1000


def _number(ctx: AggregatorContext, name: str, listing: str) -> int:
    """The id in parameter `name`; BadRequest naming it when it is not one."""
    value = str(ctx.params.get(name) or "").strip()
    if not value.isdigit():
        raise BadRequest(
            f"{name}: {value!r} is not an id (digits only)",
            hint=f"Take the id from the reports tool with action '{listing}'.",
        )
    return int(value)


def _report_record(report: Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "title": report.title,
        "state": report.state,
        "format": report.output_format,
        "launched": report.launched.isoformat() if report.launched else None,
        "size": report.size,
        "type": report.type,
        "percent": report.percent,
        "expires": report.expires.isoformat() if report.expires else None,
    }


def _download_action(report: Report) -> Action:
    return Action(
        priority=2,
        title=f"Download report {report.id}",
        why=f"'{report.title}' is finished.",
        tool="reports",
        arguments={"action": "download", "report_id": str(report.id)},
    )


async def list_action(ctx: AggregatorContext) -> AggregatorResult:
    """The reports in the Report Share, newest first."""
    reports = await list_reports(ctx.client)
    reports.sort(key=lambda r: r.launched.timestamp() if r.launched else 0.0, reverse=True)
    running = sum(1 for r in reports if r.state == "Running")
    finished = [r for r in reports if r.state == "Finished"]
    actions = [_download_action(finished[0])] if finished else []
    if not reports:
        actions.append(
            Action(
                title="Pick a template to generate a report from",
                why="The Report Share holds no reports.",
                tool="reports",
                arguments={"action": "templates"},
            )
        )
    return AggregatorResult(
        records=[_report_record(r) for r in reports],
        total=len(reports),
        stats={"reports": len(reports), "reports_running": running},
        findings=[Finding(text=f"{len(reports)} reports in the Report Share ({running} running)")],
        actions=actions,
    )


async def templates(ctx: AggregatorContext) -> AggregatorResult:
    """The report templates, global (service-provided and shared) ones first."""
    found = await list_templates(ctx.client)
    found.sort(key=lambda t: (not t.is_global, t.title.lower()))
    records = [
        {
            "id": t.id,
            "title": t.title,
            "template_type": t.template_type,
            "global": t.is_global,
            "type": t.type,
            "owner": t.owner,
            "last_update": t.last_update.isoformat() if t.last_update else None,
        }
        for t in found
    ]
    actions = []
    if found:
        actions.append(
            Action(
                title=f"Generate a report from '{found[0].title}'",
                why="generate needs the server started with writes allowed.",
                tool="reports",
                arguments={"action": "generate", "template_id": str(found[0].id), "format": "pdf"},
            )
        )
    shared = sum(1 for t in found if t.is_global)
    return AggregatorResult(
        records=records,
        total=len(found),
        stats={"report_templates": len(found)},
        findings=[Finding(text=f"{len(found)} report templates ({shared} global)")],
        actions=actions,
    )


async def generate(ctx: AggregatorContext) -> AggregatorResult:
    """Launch a report from a template (a write: the engine allows it only with writes on)."""
    template_id = _number(ctx, "template_id", "templates")
    output_format = str(ctx.params.get("format") or "pdf")
    title = ctx.params.get("title")
    report_id = await launch_report(
        ctx.client, template_id=template_id, output_format=output_format, title=title
    )
    return AggregatorResult(
        records=[
            {
                "report_id": report_id,
                "template_id": template_id,
                "format": output_format,
                "title": title,
                "state": "Launched",
            }
        ],
        total=1,
        findings=[Finding(text=f"Report {report_id} launched from template {template_id}")],
        actions=[
            Action(
                priority=1,
                title=f"Check when report {report_id} is finished",
                why="Qualys builds reports in the background.",
                tool="reports",
                arguments={"action": "status", "report_id": str(report_id)},
            )
        ],
    )


def _missing(report_id: int) -> AggregatorResult:
    return AggregatorResult(
        findings=[
            Finding(
                text=f"No report with id {report_id}: it expired, was deleted or never existed",
                severity="medium",
            )
        ],
        actions=[
            Action(
                title="List the reports",
                why="Find the id of the report you want.",
                tool="reports",
                arguments={"action": "list"},
            )
        ],
    )


def _unfinished(report: Report) -> AggregatorResult:
    if report.state == "Running":
        progress = f" ({report.percent}%)" if report.percent is not None else ""
        finding = Finding(text=f"Report {report.id} is still running{progress}")
        why = "It can be downloaded once it is finished."
    else:
        finding = Finding(text=f"Report {report.id} is {report.state}", severity="medium")
        why = "Only a finished report can be downloaded."
    return AggregatorResult(
        records=[_report_record(report)],
        total=1,
        findings=[finding],
        actions=[
            Action(
                priority=2,
                title=f"Check report {report.id} again",
                why=why,
                tool="reports",
                arguments={"action": "status", "report_id": str(report.id)},
            )
        ],
    )


async def status(ctx: AggregatorContext) -> AggregatorResult:
    report_id = _number(ctx, "report_id", "list")
    found = await list_reports(ctx.client, report_id=report_id)
    if not found:
        return _missing(report_id)
    report = found[0]
    if report.state != "Finished":
        return _unfinished(report)
    return AggregatorResult(
        records=[_report_record(report)],
        total=1,
        findings=[
            Finding(text=f"Report {report.id} is finished ({report.size or 'size unknown'})")
        ],
        actions=[_download_action(report)],
    )


def _inside(base: Path, output_path: str) -> Path:
    """`output_path` resolved against `base` (symlinks and ".." included); BadRequest when the
    result is not `base` or below it."""
    given = Path(output_path).expanduser()
    target = (given if given.is_absolute() else base / given).resolve()
    if not target.is_relative_to(base):
        raise BadRequest(
            f"output_path: {output_path!r} is outside the download directory {base}; give a "
            "file name, or a path inside that directory",
            hint="Downloads are saved only under the download directory; set "
            "QUALYS_MCP_DOWNLOAD_DIR to change it.",
        )
    return target


def _destination(base: Path, output_path: str | None, report: Report) -> tuple[Path, bool]:
    """The file to create, and whether the analyst named it; directories are created.

    No `output_path`, the directory itself, an existing directory or a path ending in "/"
    gets the default name, with a numeric suffix when that name is taken.
    """
    base = base.expanduser().resolve()
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"qualys-report-{report.id}.{_EXTENSIONS.get(report.output_format or '', 'bin')}"
    target = _inside(base, output_path) if output_path else base
    if output_path and output_path.endswith(("/", os.sep)):
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if target.exists():
            raise BadRequest(
                f"output_path: {str(target)!r} already exists; reports never overwrite a file",
                hint="Choose another file name, or leave output_path out for a fresh one.",
            )
        return target, True
    target = target / name
    stem, suffix = target.stem, target.suffix
    for number in range(1, _MAX_SUFFIX):
        if not target.exists():
            return target, False
        target = target.with_name(f"{stem}-{number}{suffix}")
    raise BadRequest(f"output_path: too many downloads of report {report.id} in {target.parent}")


def _preview(head: bytes, content_type: str) -> str | None:
    if not (content_type.startswith("text/") or content_type in _TEXT_TYPES):
        return None
    text = head.decode("utf-8", errors="replace")
    lines = text.splitlines()[:PREVIEW_LINES]
    return "\n".join(lines)[:PREVIEW_CHARS]


async def download(ctx: AggregatorContext) -> AggregatorResult:
    """Stream a finished report to a file under the download directory."""
    report_id = _number(ctx, "report_id", "list")
    output_path = ctx.params.get("output_path")
    base = ctx.settings.download_dir
    if output_path:  # refuse a bad path before asking Qualys anything
        await asyncio.to_thread(_inside, base.expanduser().resolve(), output_path)
    found = await list_reports(ctx.client, report_id=report_id)
    if not found:
        return _missing(report_id)
    report = found[0]
    if report.state != "Finished":
        return _unfinished(report)
    target, named = await asyncio.to_thread(_destination, base, output_path, report)
    try:
        saved = await download_report(ctx.client, report.id, target)
    except FileExistsError:
        raise BadRequest(
            f"output_path: {str(target)!r} already exists; reports never overwrite a file"
            if named
            else f"{str(target)!r} appeared while saving; retry the download"
        ) from None
    record: dict[str, Any] = {
        "report_id": report.id,
        "path": str(saved.path),
        "size_bytes": saved.size_bytes,
        "content_type": saved.content_type,
        "title": report.title,
    }
    preview = _preview(saved.head, saved.content_type)
    if preview is not None:
        record["preview"] = preview
    return AggregatorResult(
        records=[record],
        total=1,
        stats={"size_bytes": saved.size_bytes},
        findings=[
            Finding(text=f"Saved report {report.id} to {saved.path} ({saved.size_bytes:,} bytes)")
        ],
    )


async def delete(ctx: AggregatorContext) -> AggregatorResult:
    """Delete a report (a write: the engine allows it only with writes on)."""
    report_id = _number(ctx, "report_id", "list")
    text = await delete_report(ctx.client, report_id)
    return AggregatorResult(
        records=[{"report_id": report_id, "deleted": True, "message": text}],
        total=1,
        findings=[Finding(text=f"Report {report_id} deleted")],
    )


def _aggregator(action: str, title: str, fn: Any) -> Aggregator:
    return Aggregator(
        name=f"vmdr.reports_{action}",
        title=title,
        fn=fn,
        serves=(Serves(tool="reports", actions=frozenset({action})),),
        module="VMDR",
        cost="low",
    )


AGGREGATORS: tuple[Aggregator, ...] = (
    _aggregator("list", "VMDR reports", list_action),
    _aggregator("templates", "VMDR report templates", templates),
    _aggregator("generate", "VMDR report launch", generate),
    _aggregator("status", "VMDR report status", status),
    _aggregator("download", "VMDR report download", download),
    _aggregator("delete", "VMDR report deletion", delete),
)
TIERS: tuple[TierSpec, ...] = ()
