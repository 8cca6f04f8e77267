"""The `qualys-mcp` command line: configuration and connectivity check, version."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from qualys_core.__about__ import __version__
from qualys_core.errors import ConfigError, QualysError
from qualys_core.http.client import QualysClient
from qualys_core.settings import Settings

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qualys-mcp", description="Qualys security cloud behind an MCP server."
    )
    parser.add_argument("--version", action="version", version=f"qualys-mcp {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log HTTP calls to stderr")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "check",
        help="validate the settings and test the connection to the Qualys platform",
        description=(
            "Validate the QUALYS_* settings; with credentials, call the API server's "
            "/msp/about.php and log in to the gateway, and report the API limits Qualys "
            "advertises."
        ),
    )
    return parser


async def _check(settings: Settings) -> int:
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
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings()
        if args.command == "check":
            return asyncio.run(_check(settings))
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
