"""Fixtures for the TotalCloud plugin's tests: the core's simulator fixtures, with TotalCloud
alone loaded (tests of the cross-product correlations load VMDR beside it themselves).

Tests drive the plugin through its public surfaces (MCP tool calls on `qualys_mcp_client`,
the plugin hooks, our client on `qualys_client`) against the simulator of
`qualys_core.testing`; `qualys_simulator_options` shapes the tenant and its behaviour.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from types import ModuleType
from typing import Any

import httpx
import pytest
from qualys_totalcloud import plugin

from qualys_core.plugins import Aggregator, TierSpec, hookimpl
from qualys_core.plugins.manager import PluginHost, create_plugin_host
from qualys_core.simulator import SimRoute, Simulator, SimulatorTransport, Tenant


@pytest.fixture
def qualys_plugin_host() -> PluginHost:
    return create_plugin_host(load_entrypoints=False, plugins={"totalcloud": plugin}, strict=True)


class _Areas:
    """The whole plugin's simulator, but only some areas' aggregators."""

    def __init__(self, areas: tuple[ModuleType, ...]) -> None:
        self.areas = areas

    @hookimpl
    def qualys_register_aggregators(self) -> list[Aggregator]:
        return [aggregator for area in self.areas for aggregator in area.AGGREGATORS]

    @hookimpl
    def qualys_register_cache_tiers(self) -> list[TierSpec]:
        return [tier for area in self.areas for tier in area.TIERS]

    @hookimpl
    def qualys_simulator_tenant(self, tenant: Tenant) -> None:
        plugin.qualys_simulator_tenant(tenant)

    @hookimpl
    def qualys_simulator_routes(self, tenant: Tenant) -> list[SimRoute]:
        return plugin.qualys_simulator_routes(tenant)


@pytest.fixture
def area_host() -> Callable[..., PluginHost]:
    """`area_host(cdr, ...)`: a host with only these aggregator modules, so that a call's
    summary and key findings are theirs alone (override `qualys_plugin_host` with it)."""

    def build(*areas: ModuleType) -> PluginHost:
        return create_plugin_host(
            load_entrypoints=False, plugins={"totalcloud": _Areas(areas)}, strict=True
        )

    return build


@pytest.fixture
def call(qualys_call: Any) -> Any:
    """`await call(tool, arguments)`: the core's `qualys_call` under a short name."""
    return qualys_call


@pytest.fixture
def gateway(qualys_gateway_http: httpx.AsyncClient) -> httpx.AsyncClient:
    """The core's `qualys_gateway_http` (httpx on the simulated gateway, logged in)."""
    return qualys_gateway_http


@pytest.fixture
async def api(qualys_simulator: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    """Plain httpx on the simulator's API server with Basic auth (qualysdk reaches CloudView
    there)."""
    tenant = qualys_simulator.tenant
    async with httpx.AsyncClient(
        transport=SimulatorTransport(qualys_simulator.api_app),
        base_url="https://qualysapi.simulator.invalid",
        auth=httpx.BasicAuth(tenant.username, tenant.password),
    ) as client:
        yield client
