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

from qualys_core.engine.workflow import Engine
from qualys_core.errors import ConfigError
from qualys_core.http.client import QualysClient
from qualys_core.plugins.manager import PluginHost
from qualys_core.plugins.records import AggregatorContext
from qualys_core.server import build_server
from qualys_core.settings import Settings

__all__ = ["App"]

log = logging.getLogger("qualys_core.app")


class App:
    """One configured server: client, plugins, engine and the MCP server built on them."""

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
        if platform.demo and api_transport is None:
            raise ConfigError(
                "No Qualys settings: set QUALYS_POD, QUALYS_USERNAME and QUALYS_PASSWORD "
                "(demo mode needs the embedded simulator, which this build does not include)"
            )
        self.settings = settings
        self.host = host if host is not None else PluginHost.from_env()
        self.client = QualysClient(
            settings,
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
            )
            self._warmups.append(asyncio.create_task(self._warm(task.name, task.fn(context))))

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
