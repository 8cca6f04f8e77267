"""Serve the simulator over TCP on loopback, so any Qualys client can be pointed at it by URL.

In-process tests call the simulator through `SimulatorTransport`; this module is for the clients
we cannot hand a transport to (qualysdk, qualysetl, curl, another language's SDK, our own CLI in a
subprocess). `serve_simulator` runs the API server and the gateway as two uvicorn servers in the
current event loop, and `running_simulator` wraps that for tests and plugin authors; the
`qualys-mcp simulator` command is in `command.py`, the certificate in `certs.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from qualys_core.simulator.app import Simulator
from qualys_core.simulator.certs import self_signed_certificate

__all__ = [
    "ServedSimulator",
    "check_host",
    "running_simulator",
    "self_signed_certificate",
    "serve_simulator",
]

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


def check_host(host: str, allow_remote: bool) -> None:
    if not allow_remote and not _is_loopback(host):
        raise ValueError(
            f"refusing to serve the simulator on {host!r}: it is not a loopback address, and the "
            "simulated tenant's password is a fixed demo one anyone could log in with. Use "
            "127.0.0.1 (or ::1, localhost), or pass allow_remote=True (--allow-remote) if you "
            "really mean to expose it."
        )


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
    check_host(host, allow_remote)
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
