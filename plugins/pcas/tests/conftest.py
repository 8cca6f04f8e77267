"""Fixtures for the Policy Audit plugin's tests: the core's simulator fixtures, with the PCAS
plugin alone loaded.

Tests drive the plugin through its public surfaces (MCP tool calls through `call`, our client
on `qualys_client`, plain httpx on `gateway`) against the simulator of `qualys_core.testing`;
`qualys_simulator_options` shapes the tenant and its behaviour.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from qualys_pcas import plugin

from qualys_core.plugins.manager import PluginHost, create_plugin_host
from qualys_core.simulator import Simulator, SimulatorTransport


@pytest.fixture
def qualys_plugin_host() -> PluginHost:
    return create_plugin_host(load_entrypoints=False, plugins={"pcas": plugin}, strict=True)


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
    """Plain httpx on the simulator's gateway with a valid bearer token: for tests of the
    simulated endpoints themselves."""
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
