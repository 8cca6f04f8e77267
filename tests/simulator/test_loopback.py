"""The simulator served on loopback TCP: plain HTTP clients, TLS, our CLI, and the command."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import ssl
import stat
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from cryptography import x509

from qualys_core.plugins.manager import create_plugin_host
from qualys_core.simulator.certs import self_signed_certificate
from qualys_core.simulator.command import add_simulator_arguments, run_simulator_command
from qualys_core.simulator.factory import build_simulator
from qualys_core.simulator.serve import running_simulator, serve_simulator
from tests.simulator.simplugin import HOST_LIST

JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
HEADERS = {"X-Requested-With": "test"}


@pytest.fixture
def simulator():
    # One FO API v2 route (the test plugin's host list) for the X-Requested-With rule.
    return build_simulator(
        assets=50, host=create_plugin_host(load_entrypoints=False), routes=[HOST_LIST]
    )


@pytest.fixture
async def served(simulator):
    async with running_simulator(simulator) as served:
        yield served


def credentials(simulator):
    return (simulator.tenant.username, simulator.tenant.password)


def root(response: httpx.Response) -> str:
    return ElementTree.fromstring(response.content).tag


# ---------------------------------------------------------------------- the API server


async def test_about_answers_a_basic_auth_get_and_post_with_the_limit_headers(simulator, served):
    assert served.api_url.startswith("http://127.0.0.1:")
    assert served.gateway_url.startswith("http://127.0.0.1:")
    assert served.api_url != served.gateway_url
    assert served.ca_file is None
    async with httpx.AsyncClient(auth=credentials(simulator), headers=HEADERS) as client:
        got = await client.get(f"{served.api_url}/msp/about.php")
        posted = await client.post(f"{served.api_url}/msp/about.php", data={"echo_request": "0"})

    for response in (got, posted):
        assert response.status_code == 200, response.text
        assert root(response) == "ABOUT"
        assert int(response.headers["X-RateLimit-Limit"]) > 0
        assert int(response.headers["X-Concurrency-Limit-Limit"]) > 0
    # The calls reached this simulator, over TCP, as the tenant's user.
    calls = simulator.log.select(route="platform.about")
    assert [(c.method, c.status, c.user) for c in calls] == [
        ("GET", 200, simulator.tenant.username),
        ("POST", 200, simulator.tenant.username),
    ]


async def test_a_v2_call_without_requested_with_or_a_wrong_password_is_refused(simulator, served):
    async with httpx.AsyncClient() as client:
        bare = await client.get(
            f"{served.api_url}/api/2.0/fo/asset/host/",
            params={"action": "list"},
            auth=credentials(simulator),
        )
        about = await client.get(f"{served.api_url}/msp/about.php", auth=credentials(simulator))
        wrong = await client.get(
            f"{served.api_url}/msp/about.php",
            auth=(simulator.tenant.username, "wrong"),
            headers=HEADERS,
        )

    assert bare.status_code == 400
    assert root(bare) == "SIMPLE_RETURN"
    assert "X-Requested-With" in bare.text
    # about.php is not an API v2 call: qualysdk's login check sends no X-Requested-With.
    assert about.status_code == 200
    assert root(about) == "ABOUT"
    assert wrong.status_code == 401
    assert "<TEXT>Bad Login/Password</TEXT>" in wrong.text


# ---------------------------------------------------------------------- the gateway


async def test_gateway_auth_returns_201_and_a_bare_jwt(simulator, served):
    username, password = credentials(simulator)
    form = {"username": username, "password": password, "token": "true", "permissions": "true"}
    async with httpx.AsyncClient() as client:
        good = await client.post(f"{served.gateway_url}/auth", data=form)
        bad = await client.post(
            f"{served.gateway_url}/auth", data={**form, "password": password + "x"}
        )

    assert good.status_code == 201
    assert JWT.fullmatch(good.text), good.text
    assert bad.status_code == 401
    assert not JWT.search(bad.text)


# ---------------------------------------------------------------------- TLS


async def test_tls_is_trusted_through_the_ca_file_and_only_through_it(simulator, tmp_path):
    async with running_simulator(simulator, tls=True, cert_dir=tmp_path) as served:
        assert served.api_url.startswith("https://localhost:")
        assert served.gateway_url.startswith("https://localhost:")
        assert served.ca_file is not None
        assert served.ca_file.parent == tmp_path
        url = f"{served.api_url}/msp/about.php"
        auth = credentials(simulator)
        # httpx deprecates verify=<path>; a context from the CA file is what it asks for. The
        # strict one makes the checks Python 3.13+ makes by default, so newer clients pass too.
        plain = ssl.create_default_context(cafile=served.ca_file)
        strict = ssl.create_default_context(cafile=served.ca_file)
        strict.verify_flags |= ssl.VERIFY_X509_STRICT
        for verify in (plain, strict):
            async with httpx.AsyncClient(verify=verify, auth=auth, headers=HEADERS) as client:
                response = await client.get(url)
                token = await client.post(
                    f"{served.gateway_url}/auth",
                    data={"username": auth[0], "password": auth[1], "token": "true"},
                )
            assert response.status_code == 200
            assert root(response) == "ABOUT"
            assert token.status_code == 201
        async with httpx.AsyncClient(auth=auth, headers=HEADERS) as client:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await client.get(url)


def test_the_certificate_is_its_own_ca_for_localhost_with_a_private_key(tmp_path):
    cert_file, key_file = self_signed_certificate(tmp_path / "certs")

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    certificate = x509.load_pem_x509_certificate(cert_file.read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    lifetime = certificate.not_valid_after_utc - datetime.now(UTC)
    assert timedelta(days=29) < lifetime <= timedelta(days=30)
    assert b"PRIVATE KEY" in key_file.read_bytes()


# ---------------------------------------------------------------------- serving and stopping


async def test_leaving_the_block_closes_both_ports_and_leaves_no_task(simulator):
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    async with httpx.AsyncClient(auth=credentials(simulator), headers=HEADERS) as client:
        async with running_simulator(simulator) as served:
            # An idle keep-alive connection stays open while the servers shut down.
            response = await client.get(f"{served.api_url}/msp/about.php")
            assert response.status_code == 200
            # Ctrl-C still belongs to the program that embeds the simulator.
            assert {sig: signal.getsignal(sig) for sig in handlers} == handlers
        assert asyncio.all_tasks() == {asyncio.current_task()}
        assert {sig: signal.getsignal(sig) for sig in handlers} == handlers
        for url in (served.api_url, served.gateway_url):
            with pytest.raises(ConnectionRefusedError):
                await asyncio.open_connection("127.0.0.1", httpx.URL(url).port)


async def test_a_non_loopback_address_is_refused_unless_allowed(simulator):
    with pytest.raises(ValueError, match=r"allow_remote.*") as info:
        await serve_simulator(simulator, host="0.0.0.0")
    assert "password" in str(info.value)

    parser = argparse.ArgumentParser()
    add_simulator_arguments(parser)
    assert run_simulator_command(parser.parse_args(["--host", "10.1.2.3"])) == 2


# ---------------------------------------------------------------------- real clients


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
async def test_qualys_mcp_check_logs_in_to_both_hosts(simulator, tmp_path, tls):
    async with running_simulator(simulator, tls=tls, cert_dir=tmp_path) as served:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "QUALYS_BASE_URL": served.api_url,
            "QUALYS_GATEWAY_URL": served.gateway_url,
            "QUALYS_USERNAME": simulator.tenant.username,
            "QUALYS_PASSWORD": simulator.tenant.password,
        }
        if served.ca_file is not None:
            env["QUALYS_CA_BUNDLE"] = str(served.ca_file)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "qualys_core.cli",
            "check",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(30):
            out, err = await process.communicate()

    output = out.decode() + err.decode()
    assert process.returncode == 0, output
    assert out.decode().count("login OK") == 2, output
    assert simulator.log.select(route="platform.about", status=200)
    assert simulator.log.select(route="platform.auth", status=201)


async def _read_instructions(stream: asyncio.StreamReader) -> dict[str, str]:
    printed: dict[str, str] = {}
    lines: list[str] = []
    while True:
        line = (await stream.readline()).decode()
        if not line:
            raise AssertionError(f"the command ended before it was ready:\n{''.join(lines)}")
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            printed["text"] = "".join(lines)
            return printed
        name, colon, value = line.partition(":")
        if colon and value.startswith(" ") and not name.startswith(" "):
            printed[name] = value.strip()


@pytest.mark.parametrize(
    ("tls", "stop"),
    [(False, signal.SIGINT), (True, signal.SIGTERM)],
    ids=["http-ctrl-c", "https-sigterm"],
)
async def test_the_simulator_command_prints_how_to_connect_and_stops_on_a_signal(tls, stop):
    arguments = ["--port", "0", "--gateway-port", "0", "--assets", "20"] + (
        ["--tls"] if tls else []
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "qualys_core.cli",
        "simulator",
        *arguments,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            printed = await _read_instructions(process.stdout)
        api_url, gateway_url = printed["API server"], printed["Gateway"]
        scheme = "https://localhost:" if tls else "http://127.0.0.1:"
        assert api_url.startswith(scheme)
        assert gateway_url.startswith(scheme)
        auth = (printed["Username"], printed["Password"])
        verify: ssl.SSLContext | bool = True
        if tls:
            verify = ssl.create_default_context(cafile=printed["CA file"])
            assert f"QUALYS_CA_BUNDLE={printed['CA file']}" in printed["text"]
        else:
            assert "CA file" not in printed
        assert f"QUALYS_BASE_URL={api_url} QUALYS_GATEWAY_URL={gateway_url}" in printed["text"]
        assert "qualys-mcp check" in printed["text"]
        assert f"{api_url}/msp/about.php" in printed["text"]

        async with httpx.AsyncClient(verify=verify, auth=auth, headers=HEADERS) as client:
            response = await client.get(f"{api_url}/msp/about.php")
            token = await client.post(
                f"{gateway_url}/auth",
                data={"username": auth[0], "password": auth[1], "token": "true"},
            )
        assert response.status_code == 200
        assert root(response) == "ABOUT"
        assert token.status_code == 201
        assert JWT.fullmatch(token.text)

        process.send_signal(stop)
        async with asyncio.timeout(5):
            assert await process.wait() == 0
        assert process.stderr is not None
        assert b"Traceback" not in await process.stderr.read()
        if tls:
            # The temporary certificate directory, private key included, is gone.
            assert not Path(printed["CA file"]).parent.exists()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
