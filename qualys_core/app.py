"""Assembly: settings → Qualys client, plugin host, engine and MCP server, in one owner object.

Nothing here is global: `App` owns the client (and so the connections and caches) and is what
the CLI, the tests and a platform team's own launcher construct.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import httpx
from mcp.server.mcpserver import MCPServer
from pydantic import SecretStr

from qualys_core.engine.workflow import Engine
from qualys_core.http.client import QualysClient
from qualys_core.plugins.manager import LoadError, PluginHost
from qualys_core.plugins.records import AggregatorContext
from qualys_core.server import build_server
from qualys_core.settings import Settings
from qualys_core.simulator.app import Simulator
from qualys_core.simulator.factory import SimulatorTransport, build_simulator

__all__ = ["App"]

log = logging.getLogger("qualys_core.app")


class App:
    """One configured server: client, plugins, engine and the MCP server built on them.

    With no Qualys settings (demo mode) and no transports given, the client is wired to an
    in-process simulator of a synthetic tenant, built from the installed plugins' endpoints.
    """

    simulator_errors: list[LoadError]

    def __init__(
        self,
        settings: Settings,
        *,
        host: PluginHost | None = None,
        allow_writes: bool = False,
        api_transport: httpx.AsyncBaseTransport | None = None,
        gateway_transport: httpx.AsyncBaseTransport | None = None,
        engine_options: Mapping[str, Any] | None = None,
        client_options: Mapping[str, Any] | None = None,
    ) -> None:
        platform = settings.resolve()
        self.simulator_errors = []
        self.settings = settings
        self.host = host if host is not None else PluginHost.from_env()
        self.simulator: Simulator | None = None
        client_settings = settings
        if platform.demo and api_transport is None:
            self.simulator = build_simulator(host=self.host, errors=self.simulator_errors)
            api_transport = SimulatorTransport(self.simulator.api_app)
            gateway_transport = SimulatorTransport(self.simulator.gateway_app)
            # The client logs in to the simulated subscription the way it would to a real one,
            # so demo mode exercises the same auth, token and limit paths.
            client_settings = settings.model_copy(
                update={
                    "username": self.simulator.tenant.username,
                    "password": SecretStr(self.simulator.tenant.password),
                }
            )
            log.warning(
                "No Qualys credentials set: DEMO MODE on the embedded simulator's synthetic "
                "tenant (%d assets). Set QUALYS_POD, QUALYS_USERNAME and QUALYS_PASSWORD "
                "to use a real subscription.",
                len(self.simulator.tenant.hosts),
            )
        self.client = QualysClient(
            client_settings,
            platform,
            api_transport=api_transport,
            gateway_transport=gateway_transport,
            **dict(client_options or {}),
        )
        self.engine = Engine(
            host=self.host,
            client=self.client,
            demo=platform.demo,
            allow_writes=allow_writes,
            **dict(engine_options or {}),
        )
        self.server: MCPServer = build_server(self.engine)
        self._warmups: list[asyncio.Task[None]] = []

    def start_warmup(self) -> None:
        """Run the plugins' warm-up tasks in the background (only with --warm)."""
        for task in self.host.warmups:
            context = AggregatorContext(
                client=self.client,
                cache=self.client.cache.for_plugin(task.plugin),
                settings=self.settings,
                tool="warmup",
                params={},
                now=self.engine.clock(),
            )
            self._warmups.append(asyncio.create_task(self._warm(task.name, task.fn(context))))

    async def wait_warmup(self) -> None:
        """Wait until every warm-up task started by `start_warmup` has finished."""
        await asyncio.gather(*self._warmups, return_exceptions=True)

    @staticmethod
    async def _warm(name: str, work: Any) -> None:
        try:
            await work
            log.info("warm-up %s done", name)
        except Exception:  # a failed warm-up only means colder caches
            log.warning("warm-up %s failed", name, exc_info=True)

    async def aclose(self) -> None:
        for task in self._warmups:
            task.cancel()
        await asyncio.gather(*self._warmups, return_exceptions=True)
        await self.client.aclose()

    async def __aenter__(self) -> App:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
