"""The `qualys-mcp simulator` command: serve the simulator on loopback and say how to use it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shlex
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from qualys_core.simulator.app import Simulator
from qualys_core.simulator.factory import build_simulator
from qualys_core.simulator.serve import ServedSimulator, check_host, serve_simulator

__all__ = ["add_simulator_arguments", "run_simulator_command"]


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
        check_host(args.host, args.allow_remote)
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
