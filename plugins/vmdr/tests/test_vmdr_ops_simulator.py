"""The simulated VMDR operations endpoints over plain HTTP: filters, defaults, errors, formats,
and records that hang together with the rest of the tenant (IPs, detections, appliances)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from xml.etree import ElementTree as ET

import pytest
from qualys_vmdr import plugin
from qualys_vmdr.simulator.operations_data import REPORT_ID_BASE, ops_state

from qualys_core.plugins.manager import create_plugin_host
from qualys_core.simulator import build_simulator
from qualys_core.testing import FIXED_NOW

REPORTS = "/api/2.0/fo/report/"


async def xml(api, method, path, **params):
    if method == "GET":
        response = await api.get(path, params=params)
    else:
        response = await api.post(path, data=params)
    assert response.status_code == 200, response.text[:300]
    return ET.fromstring(response.content)


def refs(root):
    return [scan.findtext("REF") for scan in root.iterfind(".//SCAN")]


async def test_the_scan_list_defaults_to_the_last_30_days(api, qualys_simulator):
    scans = ops_state(qualys_simulator.tenant).scans
    since = qualys_simulator.tenant.now - timedelta(days=30)
    older = [s.ref for s in scans if s.launched < since]
    assert older

    default = await xml(api, "GET", "/api/2.0/fo/scan/", action="list")
    longer = await xml(
        api, "POST", "/api/3.0/fo/scan/", action="list", launched_after_datetime="2025-11-01"
    )

    assert refs(default) == [s.ref for s in scans if s.launched >= since]
    assert set(older) <= set(refs(longer))


async def test_scan_states_filter_and_a_bad_state_is_a_named_error(api, qualys_simulator):
    scans = ops_state(qualys_simulator.tenant).scans

    running = await xml(api, "GET", "/api/2.0/fo/scan/", action="list", state="Running,Queued")
    bad = await api.get("/api/2.0/fo/scan/", params={"action": "list", "state": "Sleeping"})

    assert refs(running) == [s.ref for s in scans if s.state in ("Running", "Queued")]
    assert bad.status_code == 400
    assert ET.fromstring(bad.content).findtext("RESPONSE/CODE") == "1905"
    assert "state" in bad.text
    assert "Sleeping" in bad.text


async def test_scan_targets_are_tenant_addresses(api, qualys_simulator):
    tenant = qualys_simulator.tenant
    addresses = {int(ip_address(host.ip)) for host in tenant.hosts if ":" not in host.ip}
    root = await xml(api, "GET", "/api/2.0/fo/scan/", action="list")

    for target in (scan.findtext("TARGET") for scan in root.iterfind(".//SCAN")):
        for part in target.split(","):
            first, _, last = part.partition("-")
            assert int(ip_address(first)) in addresses
            assert not last or int(ip_address(last)) in addresses


async def test_schedules_launch_after_now_on_an_existing_appliance(api, qualys_simulator):
    state = ops_state(qualys_simulator.tenant)
    appliances = {a.name for a in state.appliances}
    root = await xml(api, "GET", "/api/5.0/fo/schedule/scan/", action="list", active="1")

    schedules = list(root.iterfind(".//SCHEDULE_SCAN_LIST/SCAN"))
    assert len(schedules) == sum(1 for s in state.schedules if s.active)
    for schedule in schedules:
        launch = datetime.fromisoformat(schedule.findtext("SCHEDULE/NEXTLAUNCH_UTC"))
        assert launch.replace(tzinfo=UTC) > qualys_simulator.tenant.now
        assert schedule.findtext("ISCANNER_NAME") in appliances


async def test_running_scans_count_on_the_appliance_that_runs_them(api, qualys_simulator):
    scans = ops_state(qualys_simulator.tenant).scans
    root = await xml(api, "GET", "/api/2.0/fo/appliance/", action="list", output_mode="full")

    for appliance in root.iterfind(".//APPLIANCE"):
        name = appliance.findtext("NAME")
        running = sum(1 for s in scans if s.state == "Running" and s.scanner == name)
        assert int(appliance.findtext("RUNNING_SCAN_COUNT")) == running


async def test_brief_output_leaves_out_the_health_fields(api):
    brief = await xml(api, "GET", "/api/2.0/fo/appliance/", action="list")
    bad = await api.get("/api/2.0/fo/appliance/", params={"action": "list", "output_mode": "x"})

    assert brief.findall(".//APPLIANCE/STATUS")
    assert not brief.findall(".//APPLIANCE/HEARTBEATS_MISSED")
    assert bad.status_code == 400


async def test_exceptions_are_open_detections_of_tenant_hosts(api, qualys_simulator):
    tenant = qualys_simulator.tenant
    root = await xml(api, "GET", "/api/2.0/fo/exception/vuln/", action="list")

    items = list(root.iterfind(".//EXCEPTION"))
    assert len(items) == len(ops_state(tenant).exceptions) > 0
    for item in items:
        host = tenant.host_by_ip(item.findtext("HOST_IP"))
        open_qids = {
            d.qid for d in tenant.detections(host) if d.severity >= 3 and d.status != "Fixed"
        }
        assert int(item.findtext("QID")) in open_qids
        assert item.findtext("VULN_TITLE") == tenant.kb.get(int(item.findtext("QID"))).title


async def test_status_active_means_approved(api, qualys_simulator):
    approved = [e for e in ops_state(qualys_simulator.tenant).exceptions if e.status == "Approved"]
    root = await xml(api, "GET", "/api/2.0/fo/exception/vuln/", action="list", status="Active")

    numbers = [int(n.text) for n in root.iterfind(".//EXCEPTION/EXCEPTION_NUMBER")]
    assert numbers == [e.number for e in approved]


async def test_launch_and_delete_need_post(api, qualys_simulator):
    before = set(ops_state(qualys_simulator.tenant).reports)
    launch = await api.get(REPORTS, params={"action": "launch", "template_id": "1528880"})
    delete = await api.get(REPORTS, params={"action": "delete", "id": str(REPORT_ID_BASE + 1)})

    assert launch.status_code == delete.status_code == 400
    assert set(ops_state(qualys_simulator.tenant).reports) == before


async def test_launch_needs_a_known_template_and_a_format(api):
    unknown = await api.post(
        REPORTS, data={"action": "launch", "template_id": "7", "output_format": "pdf"}
    )
    missing = await api.post(REPORTS, data={"action": "launch", "template_id": "1528880"})

    assert unknown.status_code == 400
    assert "template_id" in unknown.text
    assert missing.status_code == 400
    assert ET.fromstring(missing.content).findtext("RESPONSE/CODE") == "1903"


async def test_a_docx_report_is_an_office_package(api):
    response = await api.get(REPORTS, params={"action": "fetch", "id": str(REPORT_ID_BASE + 5)})

    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        assert {"[Content_Types].xml", "word/document.xml"} <= set(package.namelist())


async def test_a_failed_report_cannot_be_fetched(api):
    response = await api.get(REPORTS, params={"action": "fetch", "id": str(REPORT_ID_BASE + 4)})

    assert response.status_code == 400


def build(seed: int, assets: int = 80):
    host = create_plugin_host(load_entrypoints=False, plugins={"vmdr": plugin}, strict=True)
    return build_simulator(seed=seed, assets=assets, now=FIXED_NOW, host=host)


def test_the_same_seed_gives_the_same_records():
    first, again, other = (ops_state(build(seed).tenant) for seed in (3, 3, 4))

    assert first.appliances == again.appliances
    assert first.scans == again.scans
    assert first.exceptions == again.exceptions
    assert first.exceptions != other.exceptions


class TestEmptyTenant:
    @pytest.fixture
    def qualys_simulator_options(self):
        return {"assets": 0, "now": FIXED_NOW}

    @pytest.mark.parametrize(
        ("path", "record"),
        [
            ("/api/2.0/fo/appliance/", "APPLIANCE"),
            ("/api/2.0/fo/scan/", "SCAN"),
            ("/api/5.0/fo/schedule/scan/", "SCAN"),
            (REPORTS, "REPORT"),
            ("/api/2.0/fo/exception/vuln/", "EXCEPTION"),
        ],
    )
    async def test_every_list_answers_without_records(self, api, path, record):
        root = await xml(api, "GET", path, action="list")

        assert root.find("RESPONSE/DATETIME") is not None
        assert root.findall(f".//{record}") == []

    async def test_the_service_templates_are_still_there(self, api):
        root = await xml(api, "GET", "/msp/report_template_list.php")

        assert len(root.findall("REPORT_TEMPLATE")) > 0
