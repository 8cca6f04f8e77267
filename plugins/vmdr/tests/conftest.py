"""Fixtures for the VMDR plugin's tests: the core's simulator fixtures, with VMDR alone loaded.

Tests drive the plugin through its public surfaces (MCP tool calls on `qualys_mcp_client`,
the plugin hooks, our client on `qualys_client`) against the simulator of
`qualys_core.testing`; `qualys_simulator_options` shapes the tenant and its behaviour.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from qualys_vmdr import plugin

from qualys_core.plugins.manager import PluginHost, create_plugin_host
from qualys_core.simulator import Simulator, SimulatorTransport


@pytest.fixture
def qualys_plugin_host() -> PluginHost:
    return create_plugin_host(load_entrypoints=False, plugins={"vmdr": plugin}, strict=True)


@pytest.fixture
def call(qualys_call: Any) -> Any:
    """`await call(tool, arguments)`: the core's `qualys_call` under a short name."""
    return qualys_call


@pytest.fixture
async def api(qualys_simulator: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    """Plain httpx on the simulator's API server, logged in, with X-Requested-With: for
    tests of the simulated endpoints themselves."""
    tenant = qualys_simulator.tenant
    async with httpx.AsyncClient(
        transport=SimulatorTransport(qualys_simulator.api_app),
        base_url="https://qualysapi.simulator.invalid",
        auth=httpx.BasicAuth(tenant.username, tenant.password),
        headers={"X-Requested-With": "vmdr-tests"},
    ) as client:
        yield client
