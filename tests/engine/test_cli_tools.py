"""The CLI's call and plugins commands, and the audit log, through their public surfaces."""

from __future__ import annotations

import json
import logging

from qualys_core.cli import main


def creds(monkeypatch):
    monkeypatch.setenv("QUALYS_POD", "US1")
    monkeypatch.setenv("QUALYS_USERNAME", "acme_ab1")
    monkeypatch.setenv("QUALYS_PASSWORD", "pw-not-shown")


def test_plugins_lists_the_installed_products(capsys):
    assert main(["plugins", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    names = {p["name"]: p for p in listed["plugins"]}
    assert {"vmdr", "totalcloud", "totalai", "pcas", "sdr"} <= set(names)
    assert names["vmdr"]["distribution"] == "qualys-mcp-vmdr"
    assert listed["load_errors"] == []


def test_plugins_honours_the_block_list(capsys, monkeypatch):
    monkeypatch.setenv("QUALYS_MCP_DISABLE_PLUGINS", "vmdr")
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "vmdr" not in out
    assert "totalcloud (qualys-mcp-totalcloud 0.1.0)" in out


def test_call_prints_markdown(capsys, monkeypatch):
    creds(monkeypatch)
    # No plugin in this repository serves web apps (WAS), so the answer names the one to get.
    assert main(["call", "assess_risk", "--scope", "web", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    assert "No installed plugin serves assess_risk with scope=web" in out
    assert "qualys-mcp-was" in out


def test_call_json_prints_the_envelope(capsys, monkeypatch):
    creds(monkeypatch)
    assert main(["call", "investigate", "--target", "CVE-2024-3400", "--json"]) == 0
    envelope = json.loads(capsys.readouterr().out)
    assert envelope["tool"] == "investigate"
    assert envelope["summary"]["stats"]["intent"] == "cve"


def test_call_with_bad_arguments_exits_2_with_the_reason(capsys, monkeypatch):
    creds(monkeypatch)
    assert main(["call", "investigate", "--target", "x", "--depth", "fast"]) == 2
    err = capsys.readouterr().err
    assert "depth" in err
    assert "quick, standard, deep" in err


def test_call_refuses_writes_unless_allowed(capsys, monkeypatch):
    creds(monkeypatch)
    assert main(["call", "cache_status", "--clear", "true"]) == 2
    assert "--allow-writes" in capsys.readouterr().err
    assert main(["call", "cache_status", "--clear", "true", "--allow-writes"]) == 0
    assert "Cleared" in capsys.readouterr().out


async def test_audit_log_has_one_line_per_call_without_secrets(make_app, tmp_path):
    path = tmp_path / "audit.jsonl"
    handler = logging.FileHandler(path)
    audit = logging.getLogger("qualys_core.audit")
    audit.addHandler(handler)
    audit.setLevel(logging.INFO)
    try:
        app = make_app()
        await app.engine.call("investigate", {"target": "CVE-2024-3400"})
        await app.engine.call("cache_status", {})
    finally:
        audit.removeHandler(handler)
        handler.close()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["tool"] for line in lines] == ["investigate", "cache_status"]
    assert lines[0]["params"]["target"] == "CVE-2024-3400"
    assert lines[0]["sources"] == {"fake.kb": "ok", "fake.assets": "ok", "fake.overlap": "ok"}
    assert "pw-not-shown" not in path.read_text()
