"""The `reports` tool through MCP on the simulator: list, templates, status, download to the
download directory, and generate/delete, refused on a read-only server and done on one that
allows writes. Expected values come from the simulated tenant's report records.
"""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from qualys_vmdr.simulator.operations_data import REPORT_ID_BASE, TEMPLATE_ID_BASE, ops_state

from qualys_core.app import App
from qualys_core.simulator import SimulatorTransport
from qualys_core.testing import simulator_settings

FINISHED_CSV = str(REPORT_ID_BASE + 1)
FINISHED_PDF = str(REPORT_ID_BASE + 2)
FINISHED_HTML = str(REPORT_ID_BASE + 3)
FAILED = str(REPORT_ID_BASE + 4)
RUNNING = str(REPORT_ID_BASE)


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    return tmp_path / "downloads"


@pytest.fixture
def qualys_settings(qualys_simulator, downloads):
    return simulator_settings(qualys_simulator, download_dir=downloads)


def only_block(envelope: dict[str, Any], name: str) -> dict[str, Any]:
    assert [s["status"] for s in envelope["sources"]] == ["ok"], envelope["sources"]
    return envelope["data"][name]


async def test_list_shows_every_report_newest_first(call, qualys_simulator):
    reports = ops_state(qualys_simulator.tenant).reports

    env = await call("reports", {"action": "list", "limit": 100})

    block = only_block(env, "vmdr.reports_list")
    assert block["total"] == len(reports)
    assert {r["id"] for r in block["records"]} == set(reports)
    launched = [r["launched"] for r in block["records"]]
    assert launched == sorted(launched, reverse=True)
    states = {r["id"]: r["state"] for r in block["records"]}
    assert states[int(FAILED)] == "Errors"
    download = next(a for a in env["actions"] if a["tool"] == "reports")
    assert download["arguments"]["action"] == "download"


async def test_templates_come_from_the_msp_template_list(call, qualys_simulator):
    templates = ops_state(qualys_simulator.tenant).templates

    env = await call("reports", {"action": "templates"})

    block = only_block(env, "vmdr.reports_templates")
    assert {r["id"] for r in block["records"]} == {t.id for t in templates}
    assert [r["global"] for r in block["records"]] == sorted(
        (r["global"] for r in block["records"]), reverse=True
    )
    assert qualys_simulator.log.count(route="vmdr.report_templates") == 1
    assert qualys_simulator.log.count(path="/api/2.0/fo/report/template/") == 0


async def test_a_running_report_finishes_on_the_second_status_check(call):
    first = await call("reports", {"action": "status", "report_id": RUNNING})
    second = await call("reports", {"action": "status", "report_id": RUNNING})

    assert first["data"]["vmdr.reports_status"]["records"][0]["state"] == "Running"
    assert first["actions"][0]["arguments"] == {"action": "status", "report_id": RUNNING}
    assert second["data"]["vmdr.reports_status"]["records"][0]["state"] == "Finished"
    assert second["actions"][0]["arguments"] == {"action": "download", "report_id": RUNNING}


async def test_status_of_an_unknown_report_says_so(call):
    env = await call("reports", {"action": "status", "report_id": "12345"})

    assert "No report with id 12345" in env["summary"]["headline"]
    assert env["actions"][0]["arguments"] == {"action": "list"}


async def test_download_streams_a_csv_to_the_download_dir_with_a_preview(
    call, qualys_simulator, downloads
):
    env = await call("reports", {"action": "download", "report_id": FINISHED_CSV})

    record = only_block(env, "vmdr.reports_download")["records"][0]
    saved = Path(record["path"])
    assert saved == downloads / f"qualys-report-{FINISHED_CSV}.csv"
    content = await asyncio.to_thread(saved.read_bytes)
    assert record["size_bytes"] == len(content) > 0
    assert record["content_type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(content.decode())))
    assert rows[0] == [ops_state(qualys_simulator.tenant).reports[int(FINISHED_CSV)].title]
    assert record["preview"].splitlines()[0] == rows[0][0]
    assert len(record["preview"].splitlines()) <= 20
    assert "base64" not in str(env)


async def test_a_pdf_download_is_binary_and_has_no_preview(call, downloads):
    env = await call(
        "reports", {"action": "download", "report_id": FINISHED_PDF, "output_path": "exec.pdf"}
    )

    record = only_block(env, "vmdr.reports_download")["records"][0]
    assert record["path"] == str(downloads / "exec.pdf")
    assert record["content_type"] == "application/pdf"
    assert "preview" not in record
    content = (downloads / "exec.pdf").read_bytes()
    assert content.startswith(b"%PDF-1.4")
    assert content.rstrip().endswith(b"%%EOF")


async def test_an_html_report_is_a_zip_file(call, downloads):
    env = await call("reports", {"action": "download", "report_id": FINISHED_HTML})

    record = only_block(env, "vmdr.reports_download")["records"][0]
    assert record["path"].endswith(".zip")
    with zipfile.ZipFile(record["path"]) as archive:
        assert archive.namelist() == ["report.html"]


async def test_a_default_name_already_taken_gets_a_suffix(call, downloads):
    downloads.mkdir(parents=True)
    taken = downloads / f"qualys-report-{FINISHED_CSV}.csv"
    taken.write_text("mine")

    env = await call("reports", {"action": "download", "report_id": FINISHED_CSV})

    record = only_block(env, "vmdr.reports_download")["records"][0]
    assert record["path"] == str(downloads / f"qualys-report-{FINISHED_CSV}-1.csv")
    assert taken.read_text() == "mine"


async def test_an_existing_output_path_is_never_overwritten(call, downloads):
    downloads.mkdir(parents=True)
    (downloads / "keep.csv").write_text("mine")

    env = await call(
        "reports", {"action": "download", "report_id": FINISHED_CSV, "output_path": "keep.csv"}
    )

    report = env["sources"][0]
    assert report["status"] == "bad_request"
    assert "keep.csv" in report["message"]
    assert "already exists" in report["message"]
    assert (downloads / "keep.csv").read_text() == "mine"


@pytest.mark.parametrize("where", ["absolute", "dotdot", "home"])
async def test_an_output_path_outside_the_download_dir_is_refused(
    call, qualys_simulator, downloads, tmp_path, monkeypatch, where
):
    monkeypatch.setenv("HOME", str(tmp_path))  # so "~" is tmp_path, even if refusal broke
    output_path = {
        "absolute": str(tmp_path / "elsewhere.csv"),
        "dotdot": "../elsewhere.csv",
        "home": "~/elsewhere.csv",
    }[where]

    env = await call(
        "reports", {"action": "download", "report_id": FINISHED_CSV, "output_path": output_path}
    )

    report = env["sources"][0]
    assert report["status"] == "bad_request"
    assert "output_path" in report["message"]
    assert output_path in report["message"]
    assert str(downloads.resolve()) in report["message"]
    assert not (tmp_path / "elsewhere.csv").exists()
    assert qualys_simulator.log.count(route="vmdr.reports") == 0  # refused before any call


@pytest.mark.parametrize(
    ("output_path", "expected"),
    [
        ("weekly/tech.csv", "weekly/tech.csv"),
        ("weekly/", f"weekly/qualys-report-{FINISHED_CSV}.csv"),
        (".", f"qualys-report-{FINISHED_CSV}.csv"),
    ],
)
async def test_paths_inside_the_download_dir_are_fine(call, downloads, output_path, expected):
    env = await call(
        "reports",
        {"action": "download", "report_id": FINISHED_CSV, "output_path": output_path},
    )

    record = only_block(env, "vmdr.reports_download")["records"][0]
    assert record["path"] == str(downloads.resolve() / expected)


async def test_a_running_report_is_not_downloaded(call, qualys_simulator, downloads):
    env = await call("reports", {"action": "download", "report_id": RUNNING})

    assert "still running" in env["summary"]["headline"]
    assert not downloads.exists() or not any(downloads.iterdir())
    assert qualys_simulator.log.count(route="vmdr.reports") == 1  # the status look only


@pytest.mark.parametrize("action", ["generate", "delete"])
async def test_a_read_only_server_refuses_writes(qualys_mcp_client, qualys_simulator, action):
    arguments = {"action": action, "template_id": str(TEMPLATE_ID_BASE), "report_id": FINISHED_CSV}

    result = await qualys_mcp_client.call_tool("reports", arguments)

    assert result.is_error is True
    assert "read-only" in result.content[0].text
    assert qualys_simulator.log.count(route="vmdr.reports") == 0
    assert int(FINISHED_CSV) in ops_state(qualys_simulator.tenant).reports


class TestWithWritesAllowed:
    @pytest.fixture
    async def qualys_app(self, qualys_simulator, qualys_settings, qualys_plugin_host):
        app = App(
            qualys_settings,
            host=qualys_plugin_host,
            allow_writes=True,
            api_transport=SimulatorTransport(qualys_simulator.api_app),
            gateway_transport=SimulatorTransport(qualys_simulator.gateway_app),
            engine_options={"clock": lambda: qualys_simulator.tenant.now},
        )
        async with app:
            yield app

    async def test_generate_then_status_then_download(self, call, qualys_simulator, downloads):
        env = await call(
            "reports",
            {"action": "generate", "template_id": str(TEMPLATE_ID_BASE), "format": "csv",
             "title": "Quarterly technical"},
        )  # fmt: skip

        launched = only_block(env, "vmdr.reports_generate")["records"][0]
        report_id = str(launched["report_id"])
        created = ops_state(qualys_simulator.tenant).reports[int(report_id)]
        assert (created.title, created.output_format) == ("Quarterly technical", "csv")
        assert env["actions"][0]["arguments"] == {"action": "status", "report_id": report_id}

        listed = await call("reports", {"action": "list", "limit": 100})
        states = {r["id"]: r["state"] for r in listed["data"]["vmdr.reports_list"]["records"]}
        assert states[int(report_id)] == "Running"
        finished = await call("reports", {"action": "status", "report_id": report_id})
        assert finished["data"]["vmdr.reports_status"]["records"][0]["state"] == "Finished"

        saved = await call("reports", {"action": "download", "report_id": report_id})
        record = saved["data"]["vmdr.reports_download"]["records"][0]
        text = await asyncio.to_thread(Path(record["path"]).read_text)
        assert text.splitlines()[0] == "Quarterly technical"

    async def test_delete_removes_the_report_from_the_list(self, call, qualys_simulator):
        env = await call("reports", {"action": "delete", "report_id": FINISHED_PDF})

        assert only_block(env, "vmdr.reports_delete")["records"][0]["deleted"] is True
        listed = await call("reports", {"action": "list", "limit": 100})
        ids = {r["id"] for r in listed["data"]["vmdr.reports_list"]["records"]}
        assert int(FINISHED_PDF) not in ids
        assert int(FINISHED_PDF) not in ops_state(qualys_simulator.tenant).reports

    async def test_deleting_an_unknown_report_is_a_named_bad_request(self, call):
        env = await call("reports", {"action": "delete", "report_id": "999"})

        assert env["sources"][0]["status"] == "bad_request"
        assert "999" in env["sources"][0]["message"]

    async def test_the_tool_is_annotated_as_destructive(self, qualys_mcp_client):
        tools = {tool.name: tool for tool in (await qualys_mcp_client.list_tools()).tools}

        assert tools["reports"].annotations.destructive_hint is True
        assert "generate" in tools["reports"].input_schema["properties"]["action"]["enum"]
