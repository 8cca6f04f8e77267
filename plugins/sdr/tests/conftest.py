"""Fixtures for the SaaS DR plugin's tests: the core's simulator fixtures with this plugin
alone loaded, the MCP `call` helper, and plain httpx on the simulated gateway."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from qualys_sdr import plugin

from qualys_core.plugins.manager import PluginHost, create_plugin_host


@pytest.fixture
def qualys_plugin_host() -> PluginHost:
    return create_plugin_host(load_entrypoints=False, plugins={"sdr": plugin}, strict=True)


@pytest.fixture
def call(qualys_call: Any) -> Any:
    """`await call(tool, arguments)`: the core's `qualys_call` under a short name."""
    return qualys_call


@pytest.fixture
def gateway(qualys_gateway_http: httpx.AsyncClient) -> httpx.AsyncClient:
    """The core's `qualys_gateway_http` (httpx on the simulated gateway, logged in)."""
    return qualys_gateway_http
