"""Fixtures for the TotalAI plugin's tests: the core's simulator fixtures with TotalAI alone
loaded, an MCP `call` helper, and plain httpx on the simulated gateway."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest
from qualys_totalai import plugin

from qualys_core.plugins import Aggregator, Recogniser, TierSpec, hookimpl
from qualys_core.plugins.manager import PluginHost, create_plugin_host
from qualys_core.simulator import SimRequest, SimRoute, Tenant


class Recorded:
    """The TotalAI plugin as it is, except that its simulated routes keep every JSON body they
    receive (the simulator's request log holds query parameters, not bodies)."""

    def __init__(self) -> None:
        self.bodies: list[tuple[str, Any]] = []

    def of(self, route: str) -> list[Any]:
        return [body for name, body in self.bodies if name == route]

    @hookimpl
    def qualys_register_aggregators(self) -> list[Aggregator]:
        return plugin.qualys_register_aggregators()

    @hookimpl
    def qualys_register_cache_tiers(self) -> list[TierSpec]:
        return plugin.qualys_register_cache_tiers()

    @hookimpl
    def qualys_register_recognisers(self) -> list[Recogniser]:
        return plugin.qualys_register_recognisers()

    @hookimpl
    def qualys_simulator_tenant(self, tenant: Tenant) -> None:
        plugin.qualys_simulator_tenant(tenant)

    @hookimpl
    def qualys_simulator_routes(self, tenant: Tenant) -> list[SimRoute]:
        return [self._wrap(route) for route in plugin.qualys_simulator_routes(tenant)]

    def _wrap(self, route: SimRoute) -> SimRoute:
        handler = route.handler

        async def keep(request: SimRequest) -> Any:
            self.bodies.append((route.name, request.json()))
            return await handler(request)

        return dataclasses.replace(route, handler=keep)


@pytest.fixture
def recorded() -> Recorded:
    return Recorded()


@pytest.fixture
def qualys_plugin_host(recorded: Recorded) -> PluginHost:
    """TotalAI alone (its routes recording their bodies in `recorded`)."""
    return create_plugin_host(load_entrypoints=False, plugins={"totalai": recorded}, strict=True)


@pytest.fixture
def call(qualys_call: Any) -> Any:
    """`await call(tool, arguments)`: the core's `qualys_call` under a short name."""
    return qualys_call


@pytest.fixture
def gateway(qualys_gateway_http: httpx.AsyncClient) -> httpx.AsyncClient:
    """The core's `qualys_gateway_http` (httpx on the simulated gateway, logged in)."""
    return qualys_gateway_http
