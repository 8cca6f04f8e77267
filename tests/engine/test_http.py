"""Streamable HTTP: token off loopback, bearer check, Host/Origin checks, a real session."""

from __future__ import annotations

import asyncio
import socket

import httpx
import httpx2
import pytest
import uvicorn
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from qualys_core.errors import ConfigError
from qualys_core.transport import http_app, is_loopback

TOKEN = "t0ken-for-tests"


def test_loopback_detection():
    assert all(is_loopback(h) for h in ("127.0.0.1", "::1", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "10.1.2.3"))


def test_non_loopback_bind_without_token_is_refused(make_app):
    with pytest.raises(ConfigError, match="needs a bearer token"):
        http_app(make_app().server, host="0.0.0.0", port=8000, token=None)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def running(make_app):
    port = free_port()
    app = http_app(make_app().server, host="127.0.0.1", port=port, token=TOKEN)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.01)
    yield port
    server.should_exit = True
    await asyncio.wait_for(task, 10)


INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


async def test_requests_without_the_token_are_rejected(running):
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{running}") as http:
        missing = await http.post("/mcp", json=INIT, headers=HEADERS)
        wrong = await http.post(
            "/mcp", json=INIT, headers={**HEADERS, "Authorization": "Bearer nope"}
        )
        bad_host = await http.post(
            "/mcp",
            json=INIT,
            headers={**HEADERS, "Authorization": f"Bearer {TOKEN}", "Host": "evil.example"},
        )
        bad_origin = await http.post(
            "/mcp",
            json=INIT,
            headers={**HEADERS, "Authorization": f"Bearer {TOKEN}", "Origin": "http://evil"},
        )
    assert missing.status_code == 401
    assert wrong.status_code == 401
    assert bad_host.status_code == 421
    assert bad_origin.status_code == 403


async def test_a_full_session_with_the_token(running):
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"})
    async with (
        http,
        streamable_http_client(f"http://127.0.0.1:{running}/mcp", http_client=http) as streams,
        ClientSession(streams[0], streams[1]) as session,
    ):
        await session.initialize()
        tools = await session.list_tools()
        result = await session.call_tool("investigate", {"target": "CVE-2024-3400"})
    assert len(tools.tools) == 7
    assert result.structured_content["summary"]["risk_level"] == "critical"
