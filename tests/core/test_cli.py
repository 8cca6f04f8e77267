"""`qualys-mcp check` through its public entry point: demo, bad settings, and a live login."""

from __future__ import annotations

import asyncio
import contextlib
import threading

import pytest

from qualys_core.cli import main

from .conftest import FAKE_JWT, PASSWORD


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("qualys-mcp 0.")


def test_check_without_settings_reports_demo_mode(capsys):
    assert main(["check"]) == 0
    assert "demo mode" in capsys.readouterr().out


def test_check_with_an_unknown_pod_names_the_valid_pods(capsys, monkeypatch):
    monkeypatch.setenv("QUALYS_POD", "US9")
    monkeypatch.setenv("QUALYS_USERNAME", "acme_ab1")
    monkeypatch.setenv("QUALYS_PASSWORD", PASSWORD)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "QUALYS_POD" in err
    assert "US1, US2, US3, US4, EU1, EU2, EU3, IN1, CA1, AE1, UK1, AU1, KSA1" in err
    assert PASSWORD not in err


def test_check_with_a_bad_number_names_the_variable(capsys, monkeypatch):
    monkeypatch.setenv("QUALYS_KB_CONCURRENCY", "many")
    assert main(["check"]) == 2
    assert "QUALYS_KB_CONCURRENCY" in capsys.readouterr().err


@contextlib.contextmanager
def loopback_qualys(login_status=201):
    """A tiny Qualys stand-in on a loopback port, in its own thread and event loop."""
    ready = threading.Event()
    state = {}

    async def handle(reader, writer):
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        length = next(
            (
                int(line.split(":")[1])
                for line in head.split("\r\n")
                if line.lower().startswith("content-length")
            ),
            0,
        )
        if length:
            await reader.readexactly(length)
        if head.startswith("POST /auth"):
            status, body, extra = login_status, FAKE_JWT.encode(), ""
        else:
            status, body = 200, b"<ABOUT><WEB-VERSION>10.37</WEB-VERSION></ABOUT>"
            extra = "X-Concurrency-Limit-Limit: 10\r\nX-RateLimit-Remaining: 1999\r\n"
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n{extra}"
            "Connection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()

    async def serve():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        state["port"] = server.sockets[0].getsockname()[1]
        state["stop"] = asyncio.Event()
        ready.set()
        async with server:
            await state["stop"].wait()

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    ready.wait(5)
    try:
        yield state["port"]
    finally:
        loop.call_soon_threadsafe(state["stop"].set)
        thread.join(5)
        loop.close()


@pytest.mark.parametrize(
    ("login_status", "exit_code", "gateway_line"), [(201, 0, "login OK"), (401, 1, "FAILED")]
)
def test_check_logs_in_to_both_hosts(capsys, monkeypatch, login_status, exit_code, gateway_line):
    with loopback_qualys(login_status) as port:
        monkeypatch.setenv("QUALYS_BASE_URL", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("QUALYS_GATEWAY_URL", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("QUALYS_USERNAME", "acme_ab1")
        monkeypatch.setenv("QUALYS_PASSWORD", PASSWORD)
        monkeypatch.setenv("QUALYS_TRUST_ENV", "false")
        assert main(["check"]) == exit_code
    out = capsys.readouterr().out
    assert "API server:  login OK" in out
    assert "concurrency 10, rate remaining 1999" in out
    assert f"Gateway:     {gateway_line}" in out
    assert PASSWORD not in out
