"""The server as a real stdio subprocess, driven by the MCP SDK's stdio client."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

ROOT = Path(__file__).resolve().parents[2]


def server_params():
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("QUALYS_")}
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "tests.engine.stdio_server"],
        cwd=str(ROOT),
        env=env,
    )


async def test_tools_over_stdio():
    async with Client(server_params()) as client:
        tools = [t.name for t in (await client.list_tools()).tools]
        result = await client.call_tool("investigate", {"target": "CVE-2024-3400"})
        bad = await client.call_tool("assess_risk", {"scope": "planets"})
    assert len(tools) == 7
    assert result.is_error is False
    assert result.structured_content["summary"]["risk_level"] == "critical"
    assert "CVE-2024-3400 is a severity 5 vulnerability" in result.content[0].text
    assert bad.is_error is True
    assert "scope" in bad.content[0].text
