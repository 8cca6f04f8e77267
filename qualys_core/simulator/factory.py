"""Assemble a simulator from the installed plugins, and the in-process transports to call it.

`build_simulator` generates the tenant, lets every plugin add its product data and routes, and
adds core's platform and CSAM routes. `SimulatorTransport` is `httpx.ASGITransport` plus the one
thing it lacks: the request's read timeout, so a hung endpoint times out as it would over TCP.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

import httpx

from qualys_core.plugins.manager import LoadError, PluginHost
from qualys_core.simulator.app import Simulator
from qualys_core.simulator.config import SimConfig
from qualys_core.simulator.csam import csam_routes
from qualys_core.simulator.platform_routes import platform_routes
from qualys_core.simulator.routes import SimRoute
from qualys_core.simulator.tenant import Tenant, generate_tenant

__all__ = ["SimulatorTransport", "build_simulator", "core_routes"]

log = logging.getLogger("qualys_core.simulator")


def core_routes() -> list[SimRoute]:
    """The endpoints core serves on every simulated pod: platform login and info, and CSAM
    (Global AssetView is part of every Qualys subscription, and it is the shared inventory)."""
    return [*platform_routes(), *csam_routes()]


def build_simulator(
    *,
    seed: int = 7,
    assets: int = 2000,
    now: datetime | None = None,
    config: SimConfig | None = None,
    host: PluginHost | None = None,
    routes: Sequence[SimRoute] = (),
    errors: list[LoadError] | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Simulator:
    """A simulator for a tenant of `assets` hosts, with every installed plugin's endpoints.

    `host` defaults to the plugins installed in this environment; pass
    ``create_plugin_host(load_entrypoints=False, plugins=[...])`` for exactly the ones a test
    wants. `routes` adds endpoints of your own (a test plugin's, say). With `errors`, a plugin
    whose simulator hooks fail is recorded there and left out instead of raising.
    """
    plugins = host if host is not None else PluginHost.from_env()
    config = config or SimConfig(seed=seed)
    tenant = generate_tenant(seed=seed, assets=assets, now=now)

    def add_product_data(target: Tenant) -> None:
        plugins.simulator_tenant(target, errors=errors)

    add_product_data(tenant)
    plugin_routes = plugins.simulator_routes(tenant, errors=errors)
    for route in plugin_routes:
        if not isinstance(route, SimRoute):
            raise TypeError(
                f"qualys_simulator_routes returned {type(route).__name__}; "
                "return qualys_core.simulator.SimRoute records"
            )
    if errors:
        for error in errors:
            log.warning("simulator: %s", error)
    return Simulator(
        tenant,
        [*core_routes(), *plugin_routes, *routes],
        config=config,
        tenant_hooks=[add_product_data],
        clock=clock,
        sleep=sleep,
    )


class SimulatorTransport(httpx.AsyncBaseTransport):
    """Calls one host of a simulator in-process, honouring the request's read timeout."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self._inner = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {}).get("read")
        try:
            async with asyncio.timeout(timeout):
                return await self._inner.handle_async_request(request)
        except TimeoutError:
            raise httpx.ReadTimeout(
                f"simulator did not answer within {timeout}s", request=request
            ) from None

    async def aclose(self) -> None:
        await self._inner.aclose()
