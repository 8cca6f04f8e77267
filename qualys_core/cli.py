"""The `qualys-mcp` command line: serve, call, demo, plugins, check, simulator, --version."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from qualys_core.__about__ import __version__
from qualys_core.errors import ConfigError, QualysError
from qualys_core.plugins.manager import PluginHost
from qualys_core.settings import Settings

__all__ = ["main"]

_TRUE = {"1", "true", "yes", "on"}


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qualys-mcp", description="Qualys security cloud behind an MCP server."
    )
    parser.add_argument("--version", action="version", version=f"qualys-mcp {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log HTTP calls to stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the MCP server (stdio by default)")
    serve.add_argument("--http", action="store_true", help="serve streamable HTTP instead")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP bind address")
    serve.add_argument("--port", type=int, default=8000, help="HTTP port")
    serve.add_argument(
        "--token",
        default=os.environ.get("QUALYS_MCP_TOKEN"),
        help="bearer token HTTP clients must send (env QUALYS_MCP_TOKEN); required off loopback",
    )
    serve.add_argument(
        "--allowed-origin",
        action="append",
        default=[],
        help="an Origin browsers may call from (repeatable)",
    )
    _write_flags(serve)
    serve.add_argument("--warm", action="store_true", help="pre-fetch common data in background")
    serve.add_argument("--audit-log", metavar="FILE", help="append one JSON line per tool call")

    call = commands.add_parser(
        "call",
        help="run one tool and print its answer",
        description="Run one tool, e.g. qualys-mcp call investigate --target CVE-2024-3400",
    )
    call.add_argument("tool", help="investigate, assess_risk, check_compliance, ...")
    call.add_argument("--json", action="store_true", help="print the envelope as JSON")
    _write_flags(call)

    plugins = commands.add_parser("plugins", help="list installed plugins and load errors")
    plugins.add_argument("--json", action="store_true", help="print as JSON")

    commands.add_parser("check", help="validate the settings and test both Qualys logins")
    commands.add_parser(
        "demo", help="a guided tour of the tools on the embedded synthetic demo tenant"
    )
    simulator = commands.add_parser(
        "simulator",
        help="serve the Qualys simulator on loopback for any Qualys client",
        description="Serve the simulated Qualys API server and gateway over HTTP(S), so any "
        "Qualys client can be pointed at them with base URLs.",
    )
    from qualys_core.simulator.command import add_simulator_arguments

    add_simulator_arguments(simulator)
    return parser


def _write_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-writes",
        action="store_true",
        default=_env_flag("QUALYS_MCP_ALLOW_WRITES"),
        help="allow report generate/delete and cache clearing (env QUALYS_MCP_ALLOW_WRITES=1)",
    )


def _tool_arguments(extra: Sequence[str]) -> dict[str, Any]:
    """--name value pairs after the tool name, as strings (the tool's model converts them);
    a value starting with '[' is read as a JSON list."""
    arguments: dict[str, Any] = {}
    items = list(extra)
    while items:
        flag = items.pop(0)
        if not flag.startswith("--") or len(flag) < 3:
            raise ConfigError(f"expected --parameter value, got {flag!r}")
        name = flag[2:].replace("-", "_")
        if "=" in name:
            name, raw = name.split("=", 1)
        elif items and not items[0].startswith("--"):
            raw = items.pop(0)
        else:
            raw = "true"
        value: Any = raw
        if raw.startswith("["):
            try:
                value = json.loads(raw)
            except ValueError:
                value = raw
        arguments[name] = value
    return arguments


def _print_plugins(as_json: bool) -> int:
    host = PluginHost.from_env()
    if as_json:
        payload = {
            "plugins": [
                {
                    "name": p.name,
                    "distribution": p.distribution,
                    "version": p.version,
                    "aggregators": list(p.aggregators),
                    "correlations": list(p.correlations),
                    "dormant_correlations": list(p.dormant_correlations),
                    "tools": list(p.tools),
                }
                for p in host.plugins
            ],
            "load_errors": [vars(e) for e in host.load_errors],
        }
        print(json.dumps(payload, indent=2))
        return 0
    if not host.plugins:
        print("No plugins installed: pip install qualys-mcp-vmdr (or another product plugin).")
    for plugin in host.plugins:
        print(f"{plugin.name} ({plugin.distribution or 'registered'} {plugin.version or ''})")
        print(f"  tools: {', '.join(plugin.tools) or '-'}")
        print(f"  aggregators: {', '.join(plugin.aggregators) or '-'}")
        if plugin.correlations:
            print(f"  correlations: {', '.join(plugin.correlations)}")
        if plugin.dormant_correlations:
            waiting = ", ".join(plugin.dormant_correlations)
            print(f"  correlations waiting for another product's plugin: {waiting}")
    for error in host.load_errors:
        dist = f"{error.distribution} {error.version}" if error.distribution else "?"
        print(f"LOAD ERROR {error.plugin} ({dist}): {error.error}")
    return 1 if host.load_errors else 0


async def _demo() -> int:
    from qualys_core.demo import run_tour

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    await run_tour(write)
    return 0


async def _call(settings: Settings, tool: str, arguments: dict[str, Any], args: Any) -> int:
    from qualys_core.app import App
    from qualys_core.engine.render import render_markdown
    from qualys_core.tools import ToolInputError

    async with App(settings, allow_writes=args.allow_writes) as app:
        try:
            envelope = await app.engine.call(tool, arguments)
        except ToolInputError as exc:
            print(f"qualys-mcp: invalid arguments for {tool}:\n{exc}", file=sys.stderr)
            return 2
    if args.json:
        print(envelope.model_dump_json(indent=2))
    else:
        print(render_markdown(envelope))
    return 0


async def _serve(settings: Settings, args: Any) -> int:
    from qualys_core.app import App
    from qualys_core.transport import serve_http

    if args.audit_log:
        handler = logging.FileHandler(args.audit_log, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(message)s"))
        audit = logging.getLogger("qualys_core.audit")
        audit.addHandler(handler)
        audit.setLevel(logging.INFO)
        audit.propagate = False
    async with App(settings, allow_writes=args.allow_writes) as app:
        if args.warm:
            app.start_warmup()
        if args.http:
            await serve_http(
                app.server,
                host=args.host,
                port=args.port,
                token=args.token,
                allowed_origins=args.allowed_origin,
            )
        else:
            await app.server.run_stdio_async()
    return 0


async def _check(settings: Settings) -> int:
    from qualys_core.http.client import QualysClient

    platform = settings.resolve()
    if platform.demo:
        print("No Qualys settings found: demo mode, nothing to connect to.")
        print("Set QUALYS_POD, QUALYS_USERNAME and QUALYS_PASSWORD to check your subscription.")
        return 0
    print(f"Pod:         {platform.pod or '(explicit URLs)'}")
    print(f"API server:  {platform.api_url}")
    print(f"Gateway:     {platform.gateway_url}")
    failed = False
    async with QualysClient(settings, platform) as client:
        try:
            await client.api.xml("GET", "/msp/about.php", call_class="short")
            print("API server:  login OK")
            for key, state in client.api.governor.snapshot().items():
                print(
                    f"  limits for {key}: concurrency {state['advertised_concurrency']}, "
                    f"rate remaining {state['rate_remaining']}"
                )
        except QualysError as exc:
            failed = True
            print(f"API server:  FAILED: {exc}\n  hint: {exc.hint}")
        if client.tokens is not None:
            try:
                await client.tokens.token()
                print("Gateway:     login OK")
            except QualysError as exc:
                failed = True
                print(f"Gateway:     FAILED: {exc}\n  hint: {exc.hint}")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "call":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        if args.command == "plugins":
            return _print_plugins(args.json)
        if args.command == "demo":
            return asyncio.run(_demo())
        if args.command == "simulator":
            from qualys_core.simulator.command import run_simulator_command

            return run_simulator_command(args)
        settings = Settings()
        if args.command == "check":
            return asyncio.run(_check(settings))
        if args.command == "call":
            return asyncio.run(_call(settings, args.tool, _tool_arguments(extra), args))
        if args.command == "serve":
            return asyncio.run(_serve(settings, args))
    except ConfigError as exc:
        print(f"qualys-mcp: configuration error: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        for error in exc.errors():
            name = "QUALYS_" + "_".join(str(part) for part in error["loc"]).upper()
            print(f"qualys-mcp: configuration error: {name}: {error['msg']}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
