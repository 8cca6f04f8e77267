"""Pytest fixtures for testing against the Qualys simulator (a `pytest11` plugin, for any plugin).

Installed with qualys-mcp-core; the async fixtures need pytest-asyncio
(``pip install "qualys-mcp-core[testing]"``). Override `qualys_plugin_host` to choose the
plugins under test and `qualys_simulator_options` to shape the tenant and its behaviour:

    @pytest.fixture
    def qualys_plugin_host():
        return create_plugin_host(load_entrypoints=False, plugins=[("myplugin", my_plugin)])

Fixtures: `qualys_simulator_options`, `qualys_plugin_host`, `qualys_simulator`,
`qualys_settings`, `qualys_client`, `qualys_app`, `qualys_mcp_client`, `qualys_call`
(`await qualys_call(tool, arguments)` gives the structured envelope), `qualys_gateway_http`
(plain httpx on the simulated gateway with a bearer token), `qualys_served_simulator`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

from qualys_core.app import App
from qualys_core.http.client import QualysClient
from qualys_core.plugins.manager import PluginHost, create_plugin_host
from qualys_core.settings import Settings
from qualys_core.simulator.app import Simulator
from qualys_core.simulator.factory import SimulatorTransport, build_simulator

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - exercised only without the testing extra
    pytest_asyncio = None  # type: ignore[assignment]

__all__ = ["FIXED_NOW", "simulator_settings"]

# Tests pin the tenant's clock so dates, and everything derived from them, never drift.
FIXED_NOW = datetime(2026, 1, 15, tzinfo=UTC)


def simulator_settings(simulator: Simulator, **overrides: Any) -> Settings:
    """Settings that log in to `simulator`'s tenant (URLs are placeholders: the transports
    decide where calls go)."""
    values: dict[str, Any] = {
        "pod": None,
        "base_url": "https://qualysapi.simulator.invalid",
        "gateway_url": "https://gateway.simulator.invalid",
        "username": simulator.tenant.username,
        "password": SecretStr(simulator.tenant.password),
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    """Keyword arguments for `build_simulator`; override to change size, seed or behaviour."""
    return {"assets": 200, "seed": 7, "now": FIXED_NOW}


@pytest.fixture
def qualys_plugin_host() -> PluginHost:
    """The installed plugins, loaded strictly (a broken plugin fails the test)."""
    return create_plugin_host(strict=True)


@pytest.fixture
def qualys_simulator(
    qualys_simulator_options: dict[str, Any], qualys_plugin_host: PluginHost
) -> Simulator:
    """A simulator of a small deterministic tenant with the plugins' endpoints."""
    return build_simulator(host=qualys_plugin_host, **qualys_simulator_options)


@pytest.fixture
def qualys_settings(qualys_simulator: Simulator) -> Settings:
    return simulator_settings(qualys_simulator)


if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def qualys_client(
        qualys_simulator: Simulator, qualys_settings: Settings
    ) -> AsyncIterator[QualysClient]:
        """Our Qualys client, logged in to the simulator in-process."""
        client = QualysClient(
            qualys_settings,
            qualys_settings.resolve(),
            api_transport=SimulatorTransport(qualys_simulator.api_app),
            gateway_transport=SimulatorTransport(qualys_simulator.gateway_app),
        )
        async with client:
            yield client

    @pytest_asyncio.fixture
    async def qualys_app(
        qualys_simulator: Simulator, qualys_settings: Settings, qualys_plugin_host: PluginHost
    ) -> AsyncIterator[App]:
        """The whole server (engine, tools, MCP server) on the simulator, its clock at the
        tenant's date."""
        app = App(
            qualys_settings,
            host=qualys_plugin_host,
            api_transport=SimulatorTransport(qualys_simulator.api_app),
            gateway_transport=SimulatorTransport(qualys_simulator.gateway_app),
            # The tenant is dated (FIXED_NOW by default): "the last 7 days" means its week.
            engine_options={"clock": lambda: qualys_simulator.tenant.now},
        )
        async with app:
            yield app

    @pytest_asyncio.fixture
    async def qualys_mcp_client(qualys_app: App) -> AsyncIterator[Any]:
        """An in-process MCP client session on `qualys_app`'s server."""
        from mcp.client import Client

        # The session's cancel scopes must be entered and left by one task, and pytest-asyncio
        # sets fixtures up and tears them down in different tasks: a holder task owns it.
        ready: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        stop = asyncio.Event()

        async def hold() -> None:
            try:
                async with Client(qualys_app.server) as client:
                    ready.set_result(client)
                    await stop.wait()
            except BaseException as exc:
                if not ready.done():
                    ready.set_exception(exc)
                raise

        holder = asyncio.create_task(hold())
        try:
            yield await ready
        finally:
            stop.set()
            await holder

    @pytest.fixture
    def qualys_call(
        qualys_mcp_client: Any,
    ) -> Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]:
        """`await qualys_call(tool, arguments)`: the structured envelope of one MCP tool call
        on the simulator; fails the test when the tool reported an error."""

        async def run(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
            result = await qualys_mcp_client.call_tool(tool, arguments)
            assert result.is_error is False, result.content
            envelope: dict[str, Any] = result.structured_content
            return envelope

        return run

    @pytest_asyncio.fixture
    async def qualys_gateway_http(qualys_simulator: Simulator) -> AsyncIterator[Any]:
        """Plain httpx on the simulator's gateway, logged in with a bearer token: for tests of
        simulated gateway endpoints themselves."""
        import httpx

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

    @pytest_asyncio.fixture
    async def qualys_served_simulator(qualys_simulator: Simulator) -> AsyncIterator[Any]:
        """The simulator on real loopback sockets; yields its URLs (`ServedSimulator`)."""
        from qualys_core.simulator.serve import running_simulator

        async with running_simulator(qualys_simulator) as served:
            yield served
