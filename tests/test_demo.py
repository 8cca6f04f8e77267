"""Demo mode: with no credentials, everything runs on the embedded simulator and says so."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

from qualys_core.app import App
from qualys_core.demo import TOUR, plan_tour, run_tour
from qualys_core.engine.render import DEMO_LINE
from qualys_core.plugins.manager import create_plugin_host
from qualys_core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins" / "_template"))
from qualys_example import plugin as example_plugin  # noqa: E402


def example_host():
    return create_plugin_host(
        load_entrypoints=False, plugins={"example": example_plugin}, strict=True
    )


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("QUALYS_")}
    env.update(extra)
    return env


async def test_no_credentials_means_the_simulator_and_every_answer_says_demo(caplog):
    caplog.set_level(logging.WARNING, logger="qualys_core.app")
    async with App(Settings(), host=example_host()) as app:
        assert app.simulator is not None
        async with Client(app.server) as client:
            result = await client.call_tool("assess_risk", {"scope": "assets"})
            instructions = client.instructions
    envelope = result.structured_content
    assert envelope["demo"] is True
    assert envelope["sources"][0]["status"] == "ok"
    assert envelope["summary"]["stats"]["assets"] == len(app.simulator.tenant.hosts)
    assert result.content[0].text.startswith(DEMO_LINE)
    assert "demo" in (instructions or "").lower()
    assert "DEMO MODE" in caplog.text
    # The client logged in to the simulated subscription like a real one.
    assert app.simulator.log.count(route="platform.auth") == 1


async def test_the_tour_covers_installed_plugins_and_is_honest_without_any():
    lines: list[str] = []
    answered = await run_tour(lines.append, host=example_host())
    text = "".join(lines)
    assert answered >= 1
    assert "synthetic" in text
    assert "What changed this week" in text  # the example serves security_overview
    assert DEMO_LINE in text
    assert "assets in the inventory" in text

    lines.clear()
    await run_tour(lines.append, host=create_plugin_host(load_entrypoints=False))
    text = "".join(lines)
    assert "No installed plugin answers any tool yet" in text
    assert "pip install qualys-mcp-vmdr" in text


def test_plan_tour_keeps_only_served_questions():
    assert plan_tour(create_plugin_host(load_entrypoints=False)) == []
    stops = plan_tour(example_host())
    assert stops == [TOUR[0]]
    # An aggregator the script does not reach gets a question of its own.
    extra = plan_tour(example_host(), script=())
    assert [(s.tool, dict(s.params)) for s in extra] == [("assess_risk", {"scope": "assets"})]
    assert extra[0].question == "What does the example plugin add?"


async def test_the_tour_never_uses_real_credentials(monkeypatch):
    monkeypatch.setenv("QUALYS_POD", "US1")
    monkeypatch.setenv("QUALYS_USERNAME", "real_user")
    monkeypatch.setenv("QUALYS_PASSWORD", "real-password")
    lines: list[str] = []
    await run_tour(lines.append, host=example_host())
    assert "assets in the inventory" in "".join(lines)
    assert "real-password" not in "".join(lines)


async def test_qualys_mcp_demo_runs_in_a_fresh_process():
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "qualys_core.cli",
        "demo",
        cwd=str(ROOT),
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    assert "# qualys-mcp demo" in out.decode()
    assert "synthetic" in out.decode()
    assert "DEMO MODE" in err.decode()


async def test_stdio_server_without_credentials_serves_the_demo_tenant():
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "qualys_core.cli", "serve"],
        cwd=str(ROOT),
        env=clean_env(QUALYS_MCP_PLUGINS="none"),
    )
    async with Client(params) as client:
        tools = [t.name for t in (await client.list_tools()).tools]
        result = await client.call_tool("investigate", {"target": "CVE-2024-3400"})
        instructions = client.instructions or ""
    assert len(tools) == 7
    assert result.structured_content["demo"] is True
    assert result.content[0].text.startswith(DEMO_LINE)
    assert "demo" in instructions.lower()
