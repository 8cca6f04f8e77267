"""A real stdio MCP server process with the fake plugin: `python -m tests.engine.stdio_server`.

The stdio tests launch it as a subprocess, the way an MCP client launches `qualys-mcp serve`.
"""

from __future__ import annotations

import anyio

from qualys_core.app import App
from qualys_core.plugins.manager import create_plugin_host
from qualys_core.settings import Settings
from tests.engine.fakeplugin import FakePlugin, qualys_mock


async def main() -> None:
    api, gateway = qualys_mock()
    host = create_plugin_host(load_entrypoints=False, plugins={"fake": FakePlugin()}, strict=True)
    settings = Settings(pod="US1", username="acme_ab1", password="pw-not-shown")
    async with App(settings, host=host, api_transport=api, gateway_transport=gateway) as app:
        await app.server.run_stdio_async()


if __name__ == "__main__":
    anyio.run(main)
