"""Streamable HTTP serving for platform teams: loopback by default, bearer token off loopback.

The SDK turns Host/Origin checks on only for loopback binds; here they are always on, with the
bind address (and any names the operator adds) as the allowed hosts. A non-loopback bind
without a bearer token is refused: it would hand Qualys access to anyone on the network.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Sequence
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Receive, Scope, Send

from qualys_core.errors import ConfigError

__all__ = ["BearerTokenMiddleware", "http_app", "is_loopback", "serve_http"]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class BearerTokenMiddleware:
    """Rejects HTTP requests that lack `Authorization: Bearer <token>` (constant-time check)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, self._expected):
                body = json.dumps({"error": "missing or wrong bearer token"}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"www-authenticate", b"Bearer"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def http_app(
    server: MCPServer,
    *,
    host: str,
    port: int,
    token: str | None,
    allowed_origins: Sequence[str] = (),
    allowed_hosts: Sequence[str] = (),
) -> ASGIApp:
    """The ASGI app to serve, after checking the bind is safe."""
    if not is_loopback(host) and not token:
        raise ConfigError(
            f"refusing to serve on {host}: a non-loopback bind needs a bearer token "
            "(--token or QUALYS_MCP_TOKEN); or bind 127.0.0.1"
        )
    hosts = {f"{host}:{port}", host, *allowed_hosts}
    if is_loopback(host):
        hosts |= {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=sorted(hosts),
        allowed_origins=list(allowed_origins)
        or [f"http://127.0.0.1:{port}", f"http://localhost:{port}"],
    )
    app: ASGIApp = server.streamable_http_app(transport_security=security, host=host)
    if token:
        app = BearerTokenMiddleware(app, token)
    return app


async def serve_http(
    server: MCPServer,
    *,
    host: str,
    port: int,
    token: str | None,
    allowed_origins: Sequence[str] = (),
    **uvicorn_options: Any,
) -> None:
    import uvicorn

    app = http_app(server, host=host, port=port, token=token, allowed_origins=allowed_origins)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", **uvicorn_options)
    await uvicorn.Server(config).serve()
