"""The seven tools through the in-process MCP client, with the fake plugin installed."""

from __future__ import annotations

import asyncio

import pytest
from mcp.client import Client

from qualys_core.plugins.manager import create_plugin_host

from .fakeplugin import BrokenPlugin, FakePlugin


def text_of(result):
    return "\n".join(c.text for c in result.content if c.type == "text")


async def test_seven_tools_are_listed(make_app):
    async with Client(make_app().server) as client:
        tools = (await client.list_tools()).tools
    assert [t.name for t in tools] == [
        "investigate",
        "assess_risk",
        "check_compliance",
        "plan_remediation",
        "security_overview",
        "reports",
        "cache_status",
    ]
    by_name = {t.name: t for t in tools}
    assert by_name["investigate"].annotations.read_only_hint is True
    assert by_name["investigate"].output_schema["title"] == "Envelope"
    assert "generate" not in by_name["reports"].input_schema["properties"]["action"]["enum"]
    assert "clear" not in by_name["cache_status"].input_schema["properties"]


async def test_investigate_cve_runs_sources_concurrently_and_correlates(make_app):
    async with Client(make_app().server) as client:
        result = await client.call_tool("investigate", {"target": "cve-2024-3400"})
    assert result.is_error is False
    env = result.structured_content
    statuses = {s["name"]: s["status"] for s in env["sources"]}
    # fake.assets and fake.overlap each wait until the other is running: both ok proves overlap
    assert statuses == {"fake.kb": "ok", "fake.assets": "ok", "fake.overlap": "ok"}
    assert env["summary"]["headline"] == "CVE-2024-3400 is a severity 5 vulnerability"
    assert env["summary"]["risk_level"] == "critical"
    assert env["summary"]["stats"]["intent"] == "cve"
    assert env["correlations"][0]["title"] == "QID 38739 sits on 2000 assets"
    assert env["actions"][0]["title"] == "Patch QID 38739"
    block = env["data"]["fake.assets"]
    assert (block["returned"], block["total"], block["truncated"]) == (25, 2000, True)
    text = text_of(result)
    assert "CVE-2024-3400 is a severity 5 vulnerability" in text
    assert "Patch QID 38739" in text


async def test_partial_failure_keeps_the_other_sources(make_app):
    async with Client(make_app().server) as client:
        result = await client.call_tool("assess_risk", {"scope": "assets"})
    env = result.structured_content
    statuses = {s["name"]: s for s in env["sources"]}
    assert statuses["fake.broken"]["status"] == "unavailable"
    assert statuses["fake.broken"]["hint"]
    assert statuses["fake.assets"]["status"] == "ok"
    assert "fake.assets" in env["data"]
    assert "1 of 3 sources failed" in env["summary"]["headline"]


async def test_unlicensed_source_is_reported_not_raised(make_app):
    async with Client(make_app().server) as client:
        result = await client.call_tool("assess_risk", {"scope": "ai"})
    env = result.structured_content
    by_name = {s["name"]: s for s in env["sources"]}
    assert by_name["fake.unlicensed"]["status"] == "not_licensed"
    assert "not enabled" in by_name["fake.unlicensed"]["message"]
    assert by_name["fake.broken"]["status"] == "unavailable"
    assert result.is_error is False


async def test_deadline_returns_what_finished_and_cancels_the_rest(make_app, plugin):
    app = make_app(engine_options={"deadline": 0.3})
    async with Client(app.server) as client:
        result = await client.call_tool("security_overview", {})
    env = result.structured_content
    by_name = {s["name"]: s["status"] for s in env["sources"]}
    assert by_name == {"fake.slow": "timeout", "fake.fast": "ok"}
    assert env["data"]["fake.fast"]["records"] == [{"scanner": "scanner-1", "status": "online"}]
    assert plugin.cancelled.is_set()


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("investigate", {}, "target"),
        ("investigate", {"target": "x", "depth": "fast"}, "quick, standard, deep"),
        ("assess_risk", {"scope": "planets"}, "scope"),
        ("assess_risk", {"limit": 0}, "limit"),
        ("investigate", {"target": "x", "scopes": "all"}, "scopes"),
    ],
)
async def test_validation_errors_are_clear(make_app, tool, arguments, expected):
    async with Client(make_app().server) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error is True
    text = text_of(result)
    assert text.startswith(f"Invalid arguments for {tool}:")
    assert expected in text
    assert "validation error" not in text.lower()


async def test_writes_are_refused_unless_allowed(make_app):
    async with Client(make_app().server) as client:
        result = await client.call_tool("reports", {"action": "generate", "template_id": "1"})
        clear = await client.call_tool("cache_status", {"clear": True})
    assert result.is_error is True
    assert "--allow-writes" in text_of(result)
    assert clear.is_error is True


async def test_writes_allowed_change_schema_and_annotations(make_app):
    async with Client(make_app(allow_writes=True).server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        cleared = await client.call_tool("cache_status", {"clear": True})
    assert "generate" in tools["reports"].input_schema["properties"]["action"]["enum"]
    assert tools["reports"].annotations.destructive_hint is True
    assert tools["reports"].annotations.read_only_hint is False
    assert tools["cache_status"].annotations.read_only_hint is False
    assert cleared.is_error is False
    assert cleared.structured_content["summary"]["headline"].startswith("Cleared")


async def test_progress_notifications_per_source(make_app):
    seen = []

    async def progress(value, total, message):
        seen.append((value, total, message))

    async with Client(make_app().server) as client:
        await client.call_tool("investigate", {"target": "QID 38739"}, progress_callback=progress)
    assert sorted(v for v, _, _ in seen) == [1, 2, 3]
    assert {t for _, t, _ in seen} == {3}
    assert any(m == "Fake KB: ok" for _, _, m in seen)


async def test_tool_without_a_serving_plugin_names_the_plugins(make_app):
    async with Client(make_app().server) as client:
        result = await client.call_tool("check_compliance", {"framework": "PCI DSS"})
    env = result.structured_content
    assert result.is_error is False
    assert env["summary"]["headline"] == "No installed plugin serves check_compliance"
    assert "qualys-mcp-pcas" in env["summary"]["key_findings"][0]


async def test_cache_status_reports_tiers(make_app):
    async with Client(make_app().server) as client:
        await client.call_tool("investigate", {"target": "CVE-2024-3400"})
        result = await client.call_tool("cache_status", {})
    env = result.structured_content
    tiers = {r["name"]: r for r in env["data"]["cache.tiers"]["records"]}
    assert tiers["bearer_token"]["size"] == 1
    assert set(tiers) >= {"bearer_token", "kb", "detections", "qds", "was", "scanners", "etm"}


async def test_a_broken_plugin_is_skipped_with_a_visible_load_error(make_app):
    app = make_app(plugins={"fake": FakePlugin(), "zbroken": BrokenPlugin()}, strict=False)
    assert [e.plugin for e in app.host.load_errors] == ["zbroken"]
    assert "broken on purpose" in app.host.load_errors[0].error
    async with Client(app.server) as client:
        result = await client.call_tool("investigate", {"target": "CVE-2024-3400"})
    assert result.is_error is False


async def test_plugin_recogniser_sees_its_targets(make_app):
    app = make_app()
    env = await app.engine.call("investigate", {"target": "gpt-4o"})
    assert env.summary.stats["intent"] == "ai_model"
    assert env.summary.headline.startswith("No installed plugin serves investigate")


async def test_prompts_and_instructions(make_app):
    app = make_app()
    async with Client(app.server) as client:
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        triage = await client.get_prompt("critical_cve_triage", {"cve": "CVE-2024-3400"})
    assert prompts == {
        "critical_cve_triage",
        "weekly_standup",
        "pci_audit_prep",
        "fake_host_review",
    }
    assert "investigate(target='CVE-2024-3400'" in triage.messages[0].content.text
    instructions = app.server.instructions
    assert len(instructions) <= 2048
    assert "fake: The fake plugin answers investigate" in instructions
    assert "DEMO" not in instructions


async def test_cancelling_a_call_cancels_its_qualys_requests(make_app, plugin):
    app = make_app()
    task = asyncio.create_task(app.engine.call("security_overview", {}))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert plugin.cancelled.is_set()


def test_strict_host_raises_on_a_broken_plugin():
    from qualys_core.plugins.manager import PluginLoadError

    with pytest.raises(PluginLoadError):
        create_plugin_host(load_entrypoints=False, plugins={"b": BrokenPlugin()}, strict=True)


async def test_warmup_runs_only_when_started(make_app):
    from qualys_core.plugins import WarmupTask, hookimpl

    ran = []

    class Warm:
        @hookimpl
        def qualys_warmup(self):
            async def warm(ctx):
                ran.append(ctx.cache.plugin)

            return [WarmupTask(name="warm.kb", fn=warm)]

    app = make_app(plugins={"fake": FakePlugin(), "warm": Warm()})
    await asyncio.sleep(0.01)
    assert ran == []
    app.start_warmup()
    await asyncio.sleep(0.01)
    assert ran == ["warm"]
