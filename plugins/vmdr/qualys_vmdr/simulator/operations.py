"""The simulated VMDR operations endpoints: scanner appliances, scans, scan schedules, reports,
report templates and vulnerability exceptions (FO XML on the API server, module "vmdr").

Paths, parameters and element names follow the catalogue (§24 reports, §25 appliances, §26
scans and schedules, §27 exceptions) and the vendor's API guide where it says more. The
records are the tenant's (`operations_data`); the handlers live in `operations_scans` and
`operations_reports`. Each route's contract cases are the requests the public clients send.
"""

from __future__ import annotations

from typing import Any

from qualys_core.simulator import ContractCase, SimRoute, Tenant
from qualys_vmdr.simulator.operations_data import REPORT_ID_BASE, TEMPLATE_ID_BASE, build_state
from qualys_vmdr.simulator.operations_reports import list_exceptions, list_templates, report_api
from qualys_vmdr.simulator.operations_scans import list_appliances, list_scans, list_schedules

__all__ = ["extend_tenant", "routes"]

_APPLIANCE = "RESPONSE/APPLIANCE_LIST/APPLIANCE"
_SCAN = "RESPONSE/SCAN_LIST/SCAN"
_SCHEDULE = "RESPONSE/SCHEDULE_SCAN_LIST/SCAN"
_REPORT = "RESPONSE/REPORT_LIST/REPORT"
_EXCEPTION = "RESPONSE/EXCEPTION_LIST/EXCEPTION"
_FINISHED_REPORT = str(REPORT_ID_BASE + 1)


def extend_tenant(tenant: Tenant) -> None:
    """Add the operations records; other VMDR areas keep theirs beside them under "vmdr"."""
    tenant.extensions.setdefault("vmdr", {})["operations"] = build_state(tenant)


def _fields(prefix: str, *names: str) -> tuple[str, ...]:
    return tuple(f"{prefix}/{name}" for name in names)


_APPLIANCE_CASES = (
    ContractCase(
        "GET",
        "/api/2.0/fo/appliance/",
        client="qualys-mcp api.py get_scanner_list (§25)",
        params={"action": "list", "output_mode": "full"},
        root="APPLIANCE_LIST_OUTPUT",
        xml_paths=_fields(
            _APPLIANCE,
            "ID",
            "NAME",
            "STATUS",
            "TYPE",
            "MODEL_NUMBER",
            "RUNNING_SCAN_COUNT",
            "RUNNING_SLICES_COUNT",
            "MAX_CAPACITY_UNITS",
            "HEARTBEATS_MISSED",
            "SOFTWARE_VERSION",
            "VULNSIGS_VERSION",
            "VULNSIGS_LATEST",
            "LAST_UPDATED_DATE",
            "SS_CONNECTION",
            "SS_LAST_CONNECTED",
        ),
    ),
    ContractCase(
        "POST",
        "/api/2.0/fo/appliance/",
        client="qualysdk vmdr/scanner_appliances.py get_scanner_list (§25)",
        form={"action": "list", "echo_request": "0", "include_license_info": "0"},
        root="APPLIANCE_LIST_OUTPUT",
        xml_paths=_fields(_APPLIANCE, "ID", "UUID", "NAME", "STATUS", "RUNNING_SCAN_COUNT"),
    ),
)
_SCAN_CASES = (
    ContractCase(
        "GET",
        "/api/2.0/fo/scan/",
        client="qualys-mcp api.py get_scan_list (§26)",
        params={"action": "list", "state": "Running,Paused,Queued,Error", "show_status": "1"},
        root="SCAN_LIST_OUTPUT",
        xml_paths=_fields(
            _SCAN, "REF", "TITLE", "STATUS/STATE", "TYPE", "TARGET", "LAUNCH_DATETIME"
        ),
    ),
    ContractCase(
        "POST",
        "/api/2.0/fo/scan/",
        client="qualysdk vmdr/vmscans.py get_scan_list (§26)",
        form={"action": "list", "launched_after_datetime": "2025-12-16", "show_op": "1"},
        root="SCAN_LIST_OUTPUT",
        xml_paths=_fields(
            _SCAN,
            "REF",
            "TYPE",
            "TITLE",
            "USER_LOGIN",
            "LAUNCH_DATETIME",
            "DURATION",
            "PROCESSING_PRIORITY",
            "PROCESSED",
            "STATUS/STATE",
            "TARGET",
            "OPTION_PROFILE/TITLE",
        ),
    ),
    ContractCase(
        "GET",
        "/api/2.0/fo/scan/",
        client="qualys-mcp-full vm_scans.py list_scans (§26)",
        params={"action": "list", "state": "Finished", "show_ags": "1", "show_op": "1"},
        root="SCAN_LIST_OUTPUT",
        xml_paths=(f"{_SCAN}/ASSET_GROUP_TITLE_LIST/ASSET_GROUP_TITLE",),
    ),
)
_SCHEDULE_CASES = (
    ContractCase(
        "GET",
        "/api/5.0/fo/schedule/scan/",
        client="qualys-mcp api.py get_scheduled_scans (§26)",
        params={"action": "list"},
        root="SCHEDULE_SCAN_LIST_OUTPUT",
        xml_paths=_fields(_SCHEDULE, "ID", "ACTIVE", "TITLE"),
    ),
    ContractCase(
        "GET",
        "/api/5.0/fo/schedule/scan/",
        client="qualys-mcp-full scan_schedules.py list_vm_scan_schedules (§26)",
        params={"action": "list", "active": "1"},
        root="SCHEDULE_SCAN_LIST_OUTPUT",
        xml_paths=_fields(
            _SCHEDULE,
            "ID",
            "TARGET",
            "ISCANNER_NAME",
            "SCHEDULE/START_HOUR",
            "SCHEDULE/NEXTLAUNCH_UTC",
        ),
    ),
)
_REPORT_CASES = (
    ContractCase(
        "GET",
        "/api/2.0/fo/report/",
        client="qualys-mcp aggregators.py reports_agg list (§24a)",
        params={"action": "list"},
        root="REPORT_LIST_OUTPUT",
        xml_paths=_fields(
            _REPORT,
            "ID",
            "TITLE",
            "TYPE",
            "STATUS/STATE",
            "STATUS/PERCENT",
            "LAUNCH_DATETIME",
            "OUTPUT_FORMAT",
            "SIZE",
        ),
    ),
    ContractCase(
        "GET",
        "/api/2.0/fo/report/",
        client="qualys-mcp aggregators.py reports_agg status (§24a)",
        params={"action": "list", "id": _FINISHED_REPORT},
        root="REPORT_LIST_OUTPUT",
        xml_paths=_fields(_REPORT, "ID", "STATUS/STATE"),
    ),
    ContractCase(
        "POST",
        "/api/2.0/fo/report/",
        client="qualysdk vmdr/reports.py get_report_list (§24b)",
        form={"action": "list", "state": "Finished"},
        root="REPORT_LIST_OUTPUT",
        xml_paths=_fields(
            _REPORT,
            "ID",
            "TITLE",
            "TYPE",
            "USER_LOGIN",
            "LAUNCH_DATETIME",
            "OUTPUT_FORMAT",
            "SIZE",
            "STATUS/STATE",
            "EXPIRATION_DATETIME",
        ),
    ),
    ContractCase(
        "POST",
        "/api/2.0/fo/report/",
        client="qualys-mcp aggregators.py reports_agg generate (§24a)",
        form={
            "action": "launch",
            "template_id": str(TEMPLATE_ID_BASE),
            "output_format": "pdf",
            "report_title": "Contract check",
        },
        root="SIMPLE_RETURN",
        xml_paths=("RESPONSE/TEXT", "RESPONSE/ITEM_LIST/ITEM/KEY", "RESPONSE/ITEM_LIST/ITEM/VALUE"),
    ),
    ContractCase(
        "GET",
        "/api/2.0/fo/report/",
        client="qualys-mcp aggregators.py reports_agg download; qualysdk fetch_report (§24)",
        params={"action": "fetch", "id": _FINISHED_REPORT},
    ),
    ContractCase(
        "POST",
        "/api/2.0/fo/report/",
        client="qualys-mcp aggregators.py reports_agg delete; qualysdk delete_report (§24)",
        form={"action": "delete", "id": _FINISHED_REPORT},
        root="SIMPLE_RETURN",
        xml_paths=("RESPONSE/TEXT",),
    ),
)
_TEMPLATE_CASES = (
    ContractCase(
        "GET",
        "/msp/report_template_list.php",
        client="qualysdk reports.py get_template_list (§24b)",
        root="REPORT_TEMPLATE_LIST",
        xml_paths=_fields(
            "REPORT_TEMPLATE",
            "ID",
            "TYPE",
            "TEMPLATE_TYPE",
            "TITLE",
            "USER/LOGIN",
            "LAST_UPDATE",
            "GLOBAL",
        ),
    ),
    ContractCase(
        "POST",
        "/msp/report_template_list.php",
        client="qualys-mcp-full report_templates.py list_report_templates (§24b)",
        root="REPORT_TEMPLATE_LIST",
        xml_paths=("REPORT_TEMPLATE/ID", "REPORT_TEMPLATE/TITLE"),
    ),
)
_EXCEPTION_CASES = (
    ContractCase(
        "GET",
        "/api/2.0/fo/exception/vuln/",
        client="qualys-mcp aggregators.py vuln_exceptions (§27)",
        params={"action": "list", "status": "Active"},
        root="EXCEPTION_LIST_OUTPUT",
        xml_paths=_fields(
            _EXCEPTION,
            "EXCEPTION_NUMBER",
            "QID",
            "VULN_TITLE",
            "EXCEPTION_TYPE",
            "STATUS",
            "EXPIRY_DATE",
            "COMMENTS",
            "APPROVED_BY",
            "HOST_IP",
            "ASSET_COUNT",
        ),
    ),
    ContractCase(
        "GET",
        "/api/2.0/fo/exception/vuln/",
        client="qualys-mcp aggregators.py vuln_exceptions with exception_type (§27)",
        params={"action": "list", "status": "Active", "exception_type": "Risk Acceptance"},
        root="EXCEPTION_LIST_OUTPUT",
        xml_paths=(f"{_EXCEPTION}/EXCEPTION_TYPE",),
    ),
)


def routes() -> list[SimRoute]:
    common: dict[str, Any] = {"host": "api", "module": "vmdr", "requested_with": True}
    return [
        SimRoute(
            name="vmdr.appliances",
            path="/api/{version}/fo/appliance/",
            methods=("GET", "POST"),
            handler=list_appliances,
            contract=_APPLIANCE_CASES,
            **common,
        ),
        SimRoute(
            name="vmdr.scans",
            path="/api/{version}/fo/scan/",
            methods=("GET", "POST"),
            handler=list_scans,
            contract=_SCAN_CASES,
            **common,
        ),
        SimRoute(
            name="vmdr.scan_schedules",
            path="/api/{version}/fo/schedule/scan/",
            methods=("GET", "POST"),
            handler=list_schedules,
            contract=_SCHEDULE_CASES,
            **common,
        ),
        SimRoute(
            name="vmdr.reports",
            path="/api/{version}/fo/report/",
            methods=("GET", "POST"),
            handler=report_api,
            contract=_REPORT_CASES,
            **common,
        ),
        # Templates are listed here only: the reference's /api/2.0/fo/report/template/
        # ?action=list is the path no other client uses (§24, §29.11).
        SimRoute(
            name="vmdr.report_templates",
            path="/msp/report_template_list.php",
            methods=("GET", "POST"),
            handler=list_templates,
            contract=_TEMPLATE_CASES,
            **common,
        ),
        SimRoute(
            name="vmdr.exceptions",
            path="/api/{version}/fo/exception/vuln/",
            methods=("GET", "POST"),
            handler=list_exceptions,
            contract=_EXCEPTION_CASES,
            **common,
        ),
    ]
