"""The example plugin through the in-process MCP client, against a mock Qualys gateway.

The whole path runs: tool arguments, the engine, the aggregator, the core's client (login,
limits, typed errors), the cache, the envelope. Only the network is replaced, by httpx mock
transports.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import httpx
import pytest
from mcp.client import Client

from qualys_core.app import App
from qualys_core.plugins.manager import create_plugin_host
from qualys_core.settings import Settings

try:
    from qualys_example import plugin
except ModuleNotFoundError:  # the monorepo's dev environment does not install the template
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from qualys_example import plugin

FAKE_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln"
COUNT_PATH = "/rest/2.0/count/am/asset"


class Gateway:
    """A mock Qualys gateway: the login and the CSAM count API, recording each count body."""

    def __init__(self, *, count: int = 2000, licensed: bool = True) -> None:
        self.count = count
        self.licensed = licensed
        self.bodies: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth":
            return httpx.Response(201, text=FAKE_JWT)
        if request.method == "POST" and request.url.path == COUNT_PATH:
            self.bodies.append(json.loads(request.content))
            if not self.licensed:
                return httpx.Response(404, json={"message": "Not Found"})
            return httpx.Response(200, json={"responseCode": "SUCCESS", "count": self.count})
        return httpx.Response(404, json={"message": "Not Found"})


def api_server(request: httpx.Request) -> httpx.Response:
    return httpx.Response(404)


@pytest.fixture
async def make_app(monkeypatch):
    for name in list(os.environ):
        if name.upper().startswith("QUALYS_"):
            monkeypatch.delenv(name)
    apps = []

    def make(gateway: Gateway) -> App:
        host = create_plugin_host(load_entrypoints=False, plugins={"example": plugin}, strict=True)
        app = App(
            Settings(pod="US1", username="acme_ab1", password="pw-not-shown"),
            host=host,
            api_transport=httpx.MockTransport(api_server),
            gateway_transport=httpx.MockTransport(gateway),
        )
        apps.append(app)
        return app

    yield make
    for app in apps:
        await app.aclose()


async def test_assess_risk_counts_the_assets_of_a_tag(make_app):
    gateway = Gateway()
    async with Client(make_app(gateway).server) as client:
        result = await client.call_tool("assess_risk", {"scope": "assets", "tag": "Production"})
    assert result.is_error is False
    env = result.structured_content
    (source,) = env["sources"]
    assert (source["name"], source["plugin"], source["status"]) == (
        "example.asset_count",
        "example",
        "ok",
    )
    block = env["data"]["example.asset_count"]
    assert block["records"] == [{"scope": "tag Production", "assets": 2000}]
    assert (block["returned"], block["total"], block["truncated"]) == (1, 1, False)
    assert env["summary"]["headline"] == "2,000 assets tagged Production"
    assert env["summary"]["risk_level"] == "info"
    assert env["summary"]["stats"]["assets"] == 2000
    assert gateway.bodies == [
        {"filters": [{"field": "asset.tag.name", "operator": "EQUALS", "value": "Production"}]}
    ]


async def test_security_overview_counts_every_asset(make_app):
    gateway = Gateway(count=1234)
    async with Client(make_app(gateway).server) as client:
        result = await client.call_tool("security_overview", {})
    env = result.structured_content
    assert env["data"]["example.asset_count"]["records"] == [
        {"scope": "all assets", "assets": 1234}
    ]
    assert env["summary"]["key_findings"] == ["1,234 assets in the inventory"]
    assert gateway.bodies == [{"filters": []}]


async def test_a_second_call_is_served_from_the_cache(make_app):
    gateway = Gateway()
    app = make_app(gateway)
    arguments = {"scope": "assets", "tag": "Production"}
    async with Client(app.server) as client:
        first = await client.call_tool("assess_risk", arguments)
        second = await client.call_tool("assess_risk", arguments)
    assert len(gateway.bodies) == 1
    assert first.structured_content["sources"][0]["cached"] is False
    assert second.structured_content["sources"][0]["cached"] is True
    assert second.structured_content["summary"]["headline"] == "2,000 assets tagged Production"
    tier = app.client.cache.tier("example_counts").stats()
    assert (tier.owner, tier.ttl_seconds, tier.hits, tier.misses) == ("example", 300, 1, 1)


async def test_an_unlicensed_subscription_is_a_source_status(make_app):
    gateway = Gateway(licensed=False)
    async with Client(make_app(gateway).server) as client:
        result = await client.call_tool("assess_risk", {"scope": "assets", "tag": "Production"})
    assert result.is_error is False
    env = result.structured_content
    (source,) = env["sources"]
    assert source["status"] == "not_licensed"
    assert "CSAM is not enabled" in source["message"]
    assert source["hint"]
    assert env["data"] == {}


async def test_the_plugin_registers_its_records_and_instructions(make_app):
    app = make_app(Gateway())
    (info,) = app.host.plugins
    assert (info.name, info.aggregators) == ("example", ("example.asset_count",))
    assert info.tools == ("assess_risk", "security_overview")
    assert app.host.load_errors == ()
    assert "example: assess_risk(scope='assets')" in app.server.instructions
