"""Stream every detection of a large tenant through our client: records per second, memory.

Run as ``python benchmarks/vmdr_detections.py [--assets 89000] [--partitions 4]``. The
simulator runs in its own process (``qualys-mcp simulator``) so that this process holds only
the client: what it measures is our client's detection stream (HTTP, incremental XML parsing,
record models, host-ID-range partitioning), which must stay within bounded memory however
many detections pass through. Two passes run in one process, a single truncation-paged stream
and the partitioned pull; each prints its records/s, and the peak RSS growth is compared with
the bytes received, the ratio showing that memory does not grow with the data. It prints and
never asserts: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from pydantic import SecretStr
from qualys_vmdr.api.detections import (
    DetectionQuery,
    HostDetections,
    iter_host_detections,
    pull_host_detections,
)

from qualys_core.http.client import QualysClient
from qualys_core.settings import Settings

MIB = 1024 * 1024
_URL = re.compile(r"^(API server|Gateway):\s+(\S+)")


def _rss_mib() -> float:
    """This process's current resident set size (Linux /proc), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _start_simulator(assets: int) -> tuple[subprocess.Popen[str], str, str]:
    command = [sys.executable, "-m", "qualys_core.cli", "simulator", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--assets", str(assets)], stdout=subprocess.PIPE, text=True
    )
    urls: dict[str, str] = {}
    assert process.stdout is not None
    for line in process.stdout:
        match = _URL.match(line)
        if match:
            urls[match.group(1)] = match.group(2)
        if len(urls) == 2:
            return process, urls["API server"], urls["Gateway"]
    raise RuntimeError("the simulator exited before it printed its URLs")


async def _pass(
    client: QualysClient, stream: Callable[[], AsyncIterator[HostDetections]]
) -> tuple[int, int, float, float]:
    """(hosts, detections, seconds, peak RSS growth in MiB) of one full stream."""
    base = _rss_mib()
    peak = base
    hosts = detections = 0
    started = time.perf_counter()
    async for host in stream():
        hosts += 1
        detections += len(host.detections)
        if hosts % 500 == 0:
            peak = max(peak, _rss_mib())
    seconds = time.perf_counter() - started
    return hosts, detections, seconds, max(peak, _rss_mib()) - base


async def _run(args: argparse.Namespace, api_url: str, gateway_url: str) -> None:
    settings = Settings(
        pod=None,
        base_url=api_url,
        gateway_url=gateway_url,
        username="quays_demo1",
        password=SecretStr("demo-password"),
    )
    query = DetectionQuery(statuses=("New", "Active", "Re-Opened", "Fixed"))
    async with QualysClient.from_settings(settings) as client:
        received: list[int] = []
        growths: list[float] = []

        def single() -> AsyncIterator[HostDetections]:
            return iter_host_detections(client, query)

        def partitioned() -> AsyncIterator[HostDetections]:
            return pull_host_detections(client, query, partitions=args.partitions)

        for name, stream in (
            ("single stream", single),
            (f"{args.partitions} partitions", partitioned),
        ):
            calls = client.api.calls
            hosts, detections, seconds, growth = await _pass(client, stream)
            received.append(detections)
            growths.append(growth)
            print(
                f"{name:>15}: {hosts:,} hosts, {detections:,} detections in {seconds:.1f} s "
                f"= {detections / seconds:,.0f} records/s; {client.api.calls - calls} calls; "
                f"RSS growth {growth:.1f} MiB"
            )
        # A detection record in XML is about 600 bytes: what holding them all would cost.
        held = received[-1] * 600 / MIB
        print(
            f"peak RSS of this process {_peak_rss_mib():.0f} MiB (interpreter and client "
            f"included); holding the detections' XML would need about {held:,.0f} MiB; "
            f"RSS growth while streaming / holding them: {max(growths) / held:.4f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=89_000)
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args()
    started = time.perf_counter()
    process, api_url, gateway_url = _start_simulator(args.assets)
    print(f"simulator of {args.assets:,} assets ready in {time.perf_counter() - started:.1f} s")
    try:
        asyncio.run(_run(args, api_url, gateway_url))
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
