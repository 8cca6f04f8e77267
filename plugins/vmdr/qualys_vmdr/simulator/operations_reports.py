"""Handlers of the simulated report API, report template list and vulnerability exception list
(catalogue §24 and §27; FO XML on the API server).

A launched report is listed at once as Running and finishes on the second status look (see
`ReportRecord.looks_until_finished`); fetch hands out its file, delete removes it.
"""

from __future__ import annotations

from starlette.responses import Response

from qualys_core.simulator import ParameterError, SimRequest, iso, simple_return, xml_response
from qualys_vmdr.simulator.exceptions_data import VulnException
from qualys_vmdr.simulator.fo_common import date_param
from qualys_vmdr.simulator.operations_data import (
    OpsState,
    ReportRecord,
    Template,
    ops_state,
)
from qualys_vmdr.simulator.operations_xml import action, choices, free, leaf, list_document
from qualys_vmdr.simulator.report_files import render_report

__all__ = ["EXCEPTION_STATUSES", "list_exceptions", "list_templates", "report_api"]

REPORT_STATES = ("Running", "Finished", "Submitted", "Canceled", "Errors")
# mht is a valid Qualys format that the simulator does not produce.
REPORT_FORMATS = ("pdf", "html", "xml", "csv", "docx")
# The statuses the vendor documents for exceptions (the PC exception list: pending, approved,
# rejected, expired), plus "Active", which qualys-mcp sends (§27): an approved exception, in
# force whatever its expiry date says until Qualys expires it.
EXCEPTION_STATUSES = ("Active", "Pending", "Approved", "Rejected", "Expired")
_TEXT_LIMIT = 128


def _size(length: int) -> str:
    if length >= 1024 * 1024:
        return f"{length / (1024 * 1024):.1f} MB"
    return f"{max(length, 1) / 1024:.1f} KB"


def _content(request: SimRequest, report: ReportRecord) -> bytes:
    if report.content is None:
        report.content = render_report(request.tenant, report).content
    return report.content


def _look(report: ReportRecord) -> None:
    """One status look at a running report: it runs for `looks_until_finished` looks."""
    if report.state != "Running":
        return
    if report.looks_until_finished > 0:
        report.looks_until_finished -= 1
    else:
        report.state = "Finished"


def _report(request: SimRequest, report: ReportRecord) -> str:
    status = leaf("STATE", report.state)
    if report.state == "Running":
        status += leaf("PERCENT", 40)
    size = leaf("SIZE", _size(len(_content(request, report)))) if report.state == "Finished" else ""
    return (
        f"<REPORT>{leaf('ID', report.id)}{free('TITLE', report.title)}"
        f"{leaf('TYPE', report.template.template_type)}"
        f"{leaf('USER_LOGIN', request.tenant.username)}"
        f"{leaf('LAUNCH_DATETIME', iso(report.launched))}"
        f"{leaf('OUTPUT_FORMAT', report.output_format.upper())}{size}"
        f"<STATUS>{status}</STATUS>"
        f"{leaf('EXPIRATION_DATETIME', iso(report.expires))}</REPORT>"
    )


def _list(request: SimRequest, state: OpsState) -> Response:
    wanted = request.param("id")
    if wanted is not None and not wanted.isdigit():
        raise ParameterError("id", wanted)
    states = choices(request, "state", REPORT_STATES)
    user = request.param("user_login")
    before = date_param(request, "expires_before_datetime")
    items = []
    for report in list(state.reports.values()):
        if wanted is not None and report.id != int(wanted):
            continue
        if (user is not None and user != request.tenant.username) or (
            before is not None and report.expires >= before
        ):
            continue
        _look(report)
        if not states or report.state in states:
            items.append(_report(request, report))
    return list_document(request, "REPORT_LIST_OUTPUT", "REPORT_LIST", items)


def _acknowledge(request: SimRequest, text: str, report_id: int) -> Response:
    """The SIMPLE_RETURN of a launch or delete: TEXT and ITEM_LIST/ITEM with KEY ID (§24)."""
    item = f"<ITEM_LIST><ITEM>{leaf('KEY', 'ID')}{leaf('VALUE', report_id)}</ITEM></ITEM_LIST>"
    body = (
        f"<SIMPLE_RETURN><RESPONSE>{leaf('DATETIME', iso(request.tenant.now))}"
        f"{leaf('TEXT', text)}{item}</RESPONSE></SIMPLE_RETURN>\n"
    )
    return xml_response(body, doctype="SIMPLE_RETURN")


def _required(request: SimRequest, name: str) -> str | Response:
    value = request.param(name)
    if value is None:
        return simple_return(
            f"Missing required parameter(s): {name}", status=400, code=1903, now=request.tenant.now
        )
    return value


def _launch(request: SimRequest, state: OpsState) -> Response:
    template_id = _required(request, "template_id")
    if isinstance(template_id, Response):
        return template_id
    template = next((t for t in state.templates if str(t.id) == template_id), None)
    if template is None:
        raise ParameterError("template_id", template_id)
    output_format = _required(request, "output_format")
    if isinstance(output_format, Response):
        return output_format
    if output_format.lower() not in REPORT_FORMATS:
        raise ParameterError("output_format", output_format)
    title = request.param("report_title") or template.title
    if len(title) > _TEXT_LIMIT:
        raise ParameterError("report_title", title[:40] + "...")
    report = ReportRecord(
        id=state.next_report_id,
        title=title,
        template=template,
        output_format=output_format.lower(),
        launched=request.tenant.now,
        state="Running",
        looks_until_finished=1,
    )
    state.next_report_id += 1
    state.reports[report.id] = report
    return _acknowledge(request, "New report launched", report.id)


def _existing(request: SimRequest, state: OpsState) -> ReportRecord | Response:
    raw = _required(request, "id")
    if isinstance(raw, Response):
        return raw
    report = state.reports.get(int(raw)) if raw.isdigit() else None
    if report is None:
        raise ParameterError("id", raw)
    return report


def _fetch(request: SimRequest, state: OpsState) -> Response:
    report = _existing(request, state)
    if isinstance(report, Response):
        return report
    if report.state != "Finished":
        # No client records what Qualys says to fetching an unfinished report; it is a bad id.
        raise ParameterError("id", str(report.id))
    rendered = render_report(request.tenant, report)
    report.content = rendered.content
    request.count(1)
    return Response(
        rendered.content,
        media_type=rendered.content_type,
        headers={"Content-Disposition": f'attachment; filename="{rendered.filename}"'},
    )


async def report_api(request: SimRequest) -> Response:
    """GET or POST /api/{version}/fo/report/: list and fetch; launch and delete by POST only."""
    found = action(request, ("list", "launch", "fetch", "delete"))
    if isinstance(found, Response):
        return found
    state = ops_state(request.tenant)
    if found in ("launch", "delete") and request.method != "POST":
        # The guide documents launch and delete as POST; which error Qualys sends for a GET is
        # not recorded by any client.
        return simple_return(
            f"action={found} must be sent with POST", status=400, now=request.tenant.now
        )
    if found == "list":
        return _list(request, state)
    if found == "launch":
        return _launch(request, state)
    if found == "fetch":
        return _fetch(request, state)
    report = _existing(request, state)
    if isinstance(report, Response):
        return report
    del state.reports[report.id]
    return _acknowledge(request, "Report deleted", report.id)


def _template(template: Template, login: str) -> str:
    user = f"<USER>{free('LOGIN', login)}{free('FIRSTNAME', 'Demo')}{free('LASTNAME', 'Analyst')}"
    return (
        f"<REPORT_TEMPLATE>{leaf('ID', template.id)}{leaf('TYPE', template.type)}"
        f"{leaf('TEMPLATE_TYPE', template.template_type)}{free('TITLE', template.title)}"
        f"{user}</USER>{leaf('LAST_UPDATE', iso(template.last_update))}"
        f"{leaf('GLOBAL', 1 if template.is_global else 0)}</REPORT_TEMPLATE>"
    )


async def list_templates(request: SimRequest) -> Response:
    """/msp/report_template_list.php: REPORT_TEMPLATE_LIST with no RESPONSE wrapper (§24b)."""
    templates = ops_state(request.tenant).templates
    request.count(len(templates))
    items = "".join(_template(t, request.tenant.username) for t in templates)
    body = f"<REPORT_TEMPLATE_LIST>{items}</REPORT_TEMPLATE_LIST>\n"
    return xml_response(body, doctype="REPORT_TEMPLATE_LIST")


def _exception(item: VulnException) -> str:
    return (
        f"<EXCEPTION>{leaf('EXCEPTION_NUMBER', item.number)}{leaf('QID', item.qid)}"
        f"{free('VULN_TITLE', item.title)}{leaf('EXCEPTION_TYPE', item.type)}"
        f"{leaf('STATUS', item.status)}{leaf('EXPIRY_DATE', item.expiry.isoformat())}"
        f"{free('COMMENTS', item.comments)}{leaf('APPROVED_BY', item.approved_by)}"
        f"{leaf('HOST_IP', item.host_ip)}{leaf('ASSET_COUNT', 1)}</EXCEPTION>"
    )


async def list_exceptions(request: SimRequest) -> Response:
    """§27's path and shape. No vendor document describes a VM vulnerability exception list:
    the API guide's only exception list is Policy Compliance's (/api/2.0/fo/compliance/
    exception/, controls rather than QIDs); so the reference's path stands, unconfirmed."""
    found = action(request, ("list",))
    if isinstance(found, Response):
        return found
    statuses = choices(request, "status", EXCEPTION_STATUSES)
    if "Active" in statuses:
        statuses.add("Approved")
    kinds = {kind.lower() for kind in request.list_param("exception_type")}
    items = [
        _exception(item)
        for item in ops_state(request.tenant).exceptions
        if (not statuses or item.status in statuses) and (not kinds or item.type.lower() in kinds)
    ]
    return list_document(request, "EXCEPTION_LIST_OUTPUT", "EXCEPTION_LIST", items)
