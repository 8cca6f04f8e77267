"""Serve the simulator over TCP on loopback, so any Qualys client can be pointed at it by URL.

In-process tests call the simulator through `SimulatorTransport`; this module is for the clients
we cannot hand a transport to (qualysdk, qualysetl, curl, another language's SDK, our own CLI in a
subprocess). `serve_simulator` runs the API server and the gateway as two uvicorn servers in the
current event loop, `running_simulator` wraps that for tests and plugin authors, and
`add_simulator_arguments` / `run_simulator_command` are the `qualys-mcp simulator` command.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import os
import shlex
import signal
import socket
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from qualys_core.simulator.app import Simulator
from qualys_core.simulator.factory import build_simulator

__all__ = [
    "ServedSimulator",
    "add_simulator_arguments",
    "run_simulator_command",
    "running_simulator",
    "self_signed_certificate",
    "serve_simulator",
]

_CERT_FILE = "simulator-ca.pem"
_KEY_FILE = "simulator-key.pem"
_CERT_DAYS = 30
# A request parked by a `hang` fault must not hold Ctrl-C hostage for its full hang time.
_GRACEFUL_SHUTDOWN_SECONDS = 2
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - names, not a bind address


@dataclass(frozen=True)
class ServedSimulator:
    """Where a served simulator answers: the base URLs a client takes, and the CA to trust."""

    api_url: str
    gateway_url: str
    ca_file: Path | None


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to whoever runs the event loop."""

    # uvicorn swaps its own SIGINT/SIGTERM handlers in around serve() and restores the previous
    # ones afterwards; two servers doing that concurrently restore them in the wrong order and
    # leave a stale handler behind, and a library should not take Ctrl-C from its host program.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_host(host: str, allow_remote: bool) -> None:
    if not allow_remote and not _is_loopback(host):
        raise ValueError(
            f"refusing to serve the simulator on {host!r}: it is not a loopback address, and the "
            "simulated tenant's password is a fixed demo one anyone could log in with. Use "
            "127.0.0.1 (or ::1, localhost), or pass allow_remote=True (--allow-remote) if you "
            "really mean to expose it."
        )


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def self_signed_certificate(
    directory: Path, hostnames: Sequence[str] = ("localhost", "127.0.0.1")
) -> tuple[Path, Path]:
    """Write a self-signed certificate for `hostnames` and its private key into `directory`.

    Returns (certificate file, key file), both PEM. The certificate is its own CA (CA:TRUE), so
    a client trusts the simulator by taking the certificate file as its CA bundle
    (QUALYS_CA_BUNDLE, `curl --cacert`, `requests verify=`,
    `ssl.create_default_context(cafile=)` for httpx). It is valid for 30 days; the key file is
    readable by its owner only.
    """
    if not hostnames:
        raise ValueError("a certificate needs at least one host name")
    key = ec.generate_private_key(ec.SECP256R1())
    public_key = key.public_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "qualys-mcp simulator"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "qualys-mcp simulator (synthetic)"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        # Backdated a little so a client whose clock runs behind still accepts it at once.
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=_CERT_DAYS))
        # The CA-side extensions (critical basic constraints, key usage, key identifiers) are
        # what OpenSSL's strict mode, on by default from Python 3.13, demands of a trust anchor.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName([_general_name(h) for h in hostnames]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_file = directory / _CERT_FILE
    key_file = directory / _KEY_FILE
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created 0600 rather than chmod-ed after writing, so the key is never readable by others;
    # the chmod, still before writing, covers a key file an earlier run left with looser ones.
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        key_file.chmod(0o600)
        handle.write(key_pem)
    return cert_file, key_file


def _certificate_names(host: str) -> list[str]:
    names = ["localhost", "127.0.0.1", "::1"]
    bare = host.strip("[]")
    if bare not in _WILDCARDS and bare not in names:
        names.append(bare)
    return names


async def _listen(host: str, port: int) -> socket.socket:
    # Bound here rather than by uvicorn so that with port 0 the real port is known before the
    # server starts, and can be announced in the URLs.
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(
        host.strip("[]") or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        hint = " (port 0 picks a free one)" if port else ""
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}{hint}") from exc
    return sock


def _url(sock: socket.socket, host: str, tls: bool) -> str:
    bound, port = sock.getsockname()[:2]
    if tls and (host.strip("[]") in _WILDCARDS or _is_loopback(host)):
        # The name the certificate is checked against; every client resolves it to loopback.
        name = "localhost"
    elif bound == "0.0.0.0":  # noqa: S104
        name = "127.0.0.1"
    elif bound == "::":
        name = "[::1]"
    elif tls:
        name = f"[{host.strip('[]')}]" if ":" in host else host
    else:
        name = f"[{bound}]" if ":" in bound else bound
    return f"{'https' if tls else 'http'}://{name}:{port}"


async def serve_simulator(
    simulator: Simulator,
    *,
    host: str = "127.0.0.1",
    api_port: int = 0,
    gateway_port: int = 0,
    tls: bool = False,
    cert_dir: Path | None = None,
    ready: Callable[[ServedSimulator], None] | None = None,
    allow_remote: bool = False,
) -> None:
    """Serve `simulator`'s API server and gateway over TCP until cancelled.

    Port 0 picks a free port. `ready` is called once both servers accept connections, with the
    URLs to give a client. With `tls`, a self-signed certificate is written to `cert_dir` (a
    temporary directory, removed on return, when None) and the URLs are `https://localhost:...`
    so that host name verification passes. Cancelling the call shuts both servers down
    gracefully before the cancellation propagates. A host that is not a loopback address raises
    ValueError unless `allow_remote` is set: the simulated tenant has a fixed demo password.
    """
    _check_host(host, allow_remote)
    with contextlib.ExitStack() as cleanup:
        ca_file: Path | None = None
        key_file: Path | None = None
        if tls:
            directory = cert_dir
            if directory is None:
                temporary = tempfile.TemporaryDirectory(prefix="qualys-simulator-")
                directory = Path(cleanup.enter_context(temporary))
            ca_file, key_file = self_signed_certificate(directory, _certificate_names(host))
        sockets: list[socket.socket] = []
        for port in (api_port, gateway_port):
            sock = await _listen(host, port)
            cleanup.callback(sock.close)
            sockets.append(sock)
        servers = [
            _Server(
                uvicorn.Config(
                    app,
                    host=host,
                    port=sock.getsockname()[1],
                    log_level="warning",
                    # uvicorn's own logging config would replace the host program's handlers.
                    log_config=None,
                    lifespan="off",
                    ws="none",
                    server_header=False,
                    timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN_SECONDS,
                    ssl_certfile=ca_file,
                    ssl_keyfile=key_file,
                )
            )
            for app, sock in zip((simulator.api_app, simulator.gateway_app), sockets, strict=True)
        ]
        served = ServedSimulator(
            api_url=_url(sockets[0], host, tls),
            gateway_url=_url(sockets[1], host, tls),
            ca_file=ca_file,
        )
        await _run(servers, sockets, served, ready)


async def _run(
    servers: Sequence[_Server],
    sockets: Sequence[socket.socket],
    served: ServedSimulator,
    ready: Callable[[ServedSimulator], None] | None,
) -> None:
    tasks = [
        asyncio.create_task(server.serve(sockets=[sock]), name=f"qualys simulator {name}")
        for server, sock, name in zip(servers, sockets, ("API server", "gateway"), strict=True)
    ]
    try:
        while not all(server.started for server in servers):
            done, _ = await asyncio.wait(tasks, timeout=0.01, return_when=asyncio.FIRST_COMPLETED)
            if done:
                break
        else:
            if ready is not None:
                ready(served)
        # asyncio.wait, not gather: when this call is cancelled, gather would cancel the servers
        # mid-request instead of letting them shut down.
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for server in servers:
            server.should_exit = True
        try:
            await asyncio.wait(tasks)
        except asyncio.CancelledError:
            # Cancelled again while stopping: stop waiting for open requests.
            for task in tasks:
                task.cancel()
            raise
    for task in tasks:
        task.result()
    raise RuntimeError("the simulator's servers stopped on their own")


@contextlib.asynccontextmanager
async def running_simulator(
    simulator: Simulator, *, tls: bool = False, cert_dir: Path | None = None
) -> AsyncIterator[ServedSimulator]:
    """Serve `simulator` on free loopback ports for the duration of an `async with` block.

    ::

        async with running_simulator(build_simulator(assets=50)) as served:
            async with httpx.AsyncClient(auth=(username, password)) as client:
                await client.get(f"{served.api_url}/msp/about.php", headers=...)

    Both servers are shut down and their sockets closed when the block exits.
    """
    loop = asyncio.get_running_loop()
    started: asyncio.Future[ServedSimulator] = loop.create_future()
    task = asyncio.create_task(
        serve_simulator(simulator, tls=tls, cert_dir=cert_dir, ready=started.set_result),
        name="qualys simulator",
    )
    try:
        waiters: list[asyncio.Future[Any]] = [task, started]
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        if not started.done():
            task.result()  # raises why it could not start
            raise RuntimeError("the simulator stopped before it was ready")
        yield started.result()
    finally:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise


# ---------------------------------------------------------------------- the CLI command


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {value}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value}")
    return value


def add_simulator_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `qualys-mcp simulator`, read by `run_simulator_command`."""
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on; loopback only unless --allow-remote (default 127.0.0.1)",
    )
    parser.add_argument(
        "--port", type=_port, default=8443, help="API server port; 0 = any free port (default 8443)"
    )
    parser.add_argument(
        "--gateway-port",
        type=_port,
        default=None,
        help="gateway port; 0 = any free port (default --port + 1, or any when --port is 0)",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a self-signed certificate written to --cert-dir",
    )
    parser.add_argument(
        "--cert-dir",
        type=Path,
        default=None,
        help="where --tls writes its certificate and key (default: a temporary directory "
        "removed on exit)",
    )
    parser.add_argument(
        "--seed", type=int, default=7, help="tenant seed: the same seed, the same data (default 7)"
    )
    parser.add_argument(
        "--assets", type=_count, default=2000, help="simulated hosts in the tenant (default 2000)"
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (anyone who can reach it can log in: the simulated "
        "tenant's password is a fixed demo one)",
    )


def _instructions(simulator: Simulator, served: ServedSimulator, seed: int, assets: int) -> str:
    username = simulator.tenant.username
    password = simulator.tenant.password
    env = {
        "QUALYS_BASE_URL": served.api_url,
        "QUALYS_GATEWAY_URL": served.gateway_url,
        "QUALYS_USERNAME": username,
        "QUALYS_PASSWORD": password,
    }
    curl = ["curl", "--fail", "-u", f"{username}:{password}", "-H", "X-Requested-With: curl"]
    if served.ca_file is not None:
        env["QUALYS_CA_BUNDLE"] = str(served.ca_file)
        curl += ["--cacert", str(served.ca_file)]
    curl.append(f"{served.api_url}/msp/about.php")
    assignments = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
    modules = sorted({route.module for route in simulator.routes})
    lines = [
        f"Qualys platform simulator: synthetic tenant (seed {seed}, {assets} assets); "
        "the credentials below are demo ones.",
        f"API server:  {served.api_url}",
        f"Gateway:     {served.gateway_url}",
        f"Username:    {username}",
        f"Password:    {password}",
    ]
    if served.ca_file is not None:
        lines.append(f"CA file:     {served.ca_file}")
    lines += [
        f"Modules:     {', '.join(modules)}",
        "",
        "Point qualys-mcp at it:",
        f"  {assignments} qualys-mcp check",
        "or any other Qualys client, e.g.:",
        f"  {shlex.join(curl)}",
        "",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


async def _serve_until_stopped(
    simulator: Simulator,
    args: argparse.Namespace,
    gateway_port: int,
    ready: Callable[[ServedSimulator], None],
) -> None:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    terminated = False

    def terminate() -> None:
        nonlocal terminated
        terminated = True
        if task is not None:
            task.cancel()

    # SIGTERM (kill, docker stop) and SIGHUP (the terminal closed) should stop as cleanly as
    # Ctrl-C, which asyncio.run already turns into a cancellation: above all, so that the
    # temporary directory holding the private key is removed. A signal the parent set to be
    # ignored (nohup) stays ignored.
    handled: list[int] = []
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is None or signal.getsignal(number) is signal.SIG_IGN:
            continue
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(number, terminate)
            handled.append(number)
    try:
        await serve_simulator(
            simulator,
            host=args.host,
            api_port=args.port,
            gateway_port=gateway_port,
            tls=args.tls,
            cert_dir=args.cert_dir,
            ready=ready,
            allow_remote=args.allow_remote,
        )
    except asyncio.CancelledError:
        if not terminated:
            raise
    finally:
        for number in handled:
            loop.remove_signal_handler(number)


def run_simulator_command(args: argparse.Namespace) -> int:
    """`qualys-mcp simulator`: print how to connect, then serve until Ctrl-C. Returns the exit
    code: 0 when stopped, 1 when a port cannot be bound, 2 for unusable options."""
    gateway_port: int | None = args.gateway_port
    if gateway_port is None:
        gateway_port = args.port + 1 if args.port else 0
    if gateway_port > 65535:
        print(
            f"qualys-mcp simulator: --port {args.port} leaves no port above it for the gateway; "
            "set --gateway-port",
            file=sys.stderr,
        )
        return 2
    try:
        _check_host(args.host, args.allow_remote)
    except ValueError as exc:
        print(f"qualys-mcp simulator: {exc}", file=sys.stderr)
        return 2

    try:
        simulator = build_simulator(seed=args.seed, assets=args.assets, errors=[])

        def announce(served: ServedSimulator) -> None:
            print(_instructions(simulator, served, args.seed, args.assets))
            sys.stdout.flush()  # stdout may be a pipe to a script waiting for the URLs

        asyncio.run(_serve_until_stopped(simulator, args, gateway_port, announce))
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        print(f"qualys-mcp simulator: {exc}", file=sys.stderr)
        return 1
    return 0
