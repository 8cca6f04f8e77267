"""Fixtures for the SaaS DR plugin's tests: the core's simulator fixtures with this plugin
alone loaded, the MCP `call` helper, and plain httpx on the simulated gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from qualys_sdr import plugin

from qualys_core.plugins.manager import PluginHost, create_plugin_host
from qualys_core.simulator import Simulator, SimulatorTransport


@pytest.fixture
def qualys_plugin_host() -> PluginHost:
    return create_plugin_host(load_entrypoints=False, plugins={"sdr": plugin}, strict=True)


@pytest.fixture
def call(qualys_mcp_client: Any) -> Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]:
    """`await call(tool, arguments)`: the structured envelope of one MCP tool call on the
    simulator; fails the test when the tool reported an error."""

    async def run(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        result = await qualys_mcp_client.call_tool(tool, arguments)
        assert result.is_error is False, result.content
        envelope: dict[str, Any] = result.structured_content
        return envelope

    return run


@pytest.fixture
async def gateway(qualys_simulator: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    """Plain httpx on the simulator's gateway with a valid bearer token."""
    tenant = qualys_simulator.tenant
    async with httpx.AsyncClient(
        transport=SimulatorTransport(qualys_simulator.gateway_app),
        base_url="https://gateway.simulator.invalid",
    ) as client:
        token = await client.post(
            "/auth",
            data={"username": tenant.username, "password": tenant.password, "token": "true"},
        )
        assert token.status_code in (200, 201), token.text
        client.headers["Authorization"] = f"Bearer {token.text.strip()}"
        yield client
