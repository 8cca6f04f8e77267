"""The client over real loopback sockets: TLS with a private CA, and the standard proxy variables.

This is the corporate-network case: Qualys is reached through an HTTPS_PROXY, and the server
certificate is issued by a CA that only QUALYS_CA_BUNDLE makes trusted.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl

import pytest
import trustme

from qualys_core.errors import Unavailable
from qualys_core.http.client import QualysClient
from qualys_core.settings import Settings

from .conftest import PASSWORD

HOST = "qualysapi.corp.test"
ABOUT = b"<?xml version='1.0' encoding='UTF-8'?><ABOUT><WEB-VERSION>10.37</WEB-VERSION></ABOUT>"


@contextlib.asynccontextmanager
async def tls_server(ca: trustme.CA):
    requests = []

    async def handle(reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        requests.append(head.decode())
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-Concurrency-Limit-Limit: 3\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(ABOUT), ABOUT)
        )
        await writer.drain()
        writer.close()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST).configure_cert(context)
    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    async with server:
        yield server.sockets[0].getsockname()[1], requests


@contextlib.asynccontextmanager
async def connect_proxy(target_port: int):
    """A CONNECT proxy that sends every tunnel to the loopback TLS server."""
    connects = []

    async def pipe(reader, writer):
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def handle(reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        connects.append(head.split(b"\r\n", 1)[0].decode())
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target_port)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1], connects


async def no_sleep(_seconds):
    return None


@pytest.fixture
def ca(tmp_path):
    authority = trustme.CA()
    bundle = tmp_path / "corp-ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    return authority, bundle


def corp_settings(**overrides):
    return Settings(
        base_url=f"https://{HOST}",
        gateway_url="https://gateway.corp.test",
        username="acme_ab1",
        password=PASSWORD,
        **overrides,
    )


async def test_proxy_variables_and_ca_bundle_reach_qualys(ca, monkeypatch):
    authority, bundle = ca
    async with (
        tls_server(authority) as (tls_port, requests),
        connect_proxy(tls_port) as (
            proxy_port,
            connects,
        ),
    ):
        for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy_port}")
        async with QualysClient.from_settings(
            corp_settings(ca_bundle=bundle), sleep=no_sleep
        ) as client:
            root = await client.api.xml("GET", "/msp/about.php")
    assert root.findtext("WEB-VERSION") == "10.37"
    assert connects == [f"CONNECT {HOST}:443 HTTP/1.1"]
    assert requests[0].startswith("GET /msp/about.php HTTP/1.1")
    assert "x-requested-with: qualys-mcp" in requests[0].lower()


async def test_untrusted_certificate_fails_at_once_with_a_ca_bundle_hint(ca, monkeypatch):
    authority, _bundle = ca
    async with (
        tls_server(authority) as (tls_port, requests),
        connect_proxy(tls_port) as (
            proxy_port,
            connects,
        ),
    ):
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy_port}")
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        async with QualysClient.from_settings(corp_settings(), sleep=no_sleep) as client:
            with pytest.raises(Unavailable) as info:
                await client.api.xml("GET", "/msp/about.php")
    assert "could not be verified" in str(info.value)
    assert "QUALYS_CA_BUNDLE" in info.value.hint
    assert len(connects) == 1  # not retried: a certificate does not become trusted by waiting
    assert requests == []
