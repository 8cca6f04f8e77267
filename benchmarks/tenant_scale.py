"""How the synthetic tenant scales: generation time and memory, then streaming every detection.

Run as ``python benchmarks/tenant_scale.py [--assets 89000] [--seed 7] [--now 2026-11-25]``.
Timings come from passes without tracemalloc (tracing slows allocation-heavy code several
times over); memory figures come from a traced pass over the same work. It prints, and never
asserts: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from datetime import UTC, datetime

from qualys_core.simulator.tenant import Tenant, generate_tenant

SAMPLE_HOSTS = 1000
MIB = 1024 * 1024


def _generate(args: argparse.Namespace) -> Tenant:
    return generate_tenant(seed=args.seed, assets=args.assets, now=args.now)


def _stream(tenant: Tenant) -> int:
    count = 0
    for _, detections in tenant.iter_detections():
        count += len(detections)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=89_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--now",
        type=lambda text: datetime.fromisoformat(text).replace(tzinfo=UTC),
        default=None,
        help="tenant date (YYYY-MM-DD); default: today",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    tenant = _generate(args)
    generate_seconds = time.perf_counter() - started
    del tenant
    gc.collect()

    tracemalloc.start()
    tenant = _generate(args)
    retained, generate_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    traced_count = _stream(tenant)
    after_stream, stream_peak = tracemalloc.get_traced_memory()
    step = max(1, len(tenant.hosts) // SAMPLE_HOSTS)
    sample_hosts = tenant.hosts[::step][:SAMPLE_HOSTS]
    before_sample = tracemalloc.get_traced_memory()[0]
    held = [tenant.detections(host) for host in sample_hosts]
    sample_bytes = tracemalloc.get_traced_memory()[0] - before_sample
    sample_count = sum(len(found) for found in held)
    del held
    tracemalloc.stop()

    started = time.perf_counter()
    count = _stream(tenant)
    stream_seconds = time.perf_counter() - started

    hosts = len(tenant.hosts)
    per_detection = sample_bytes / sample_count if sample_count else 0.0
    all_held = per_detection * count
    stream_extra = stream_peak - retained
    print(f"tenant: seed={args.seed} now={tenant.now.date()} assets={hosts:,}")
    print(
        f"  KB entries {len(tenant.kb):,}, software {len(tenant.software)}, tags {len(tenant.tags)}"
    )
    print("generation")
    print(f"  wall time              {generate_seconds:8.2f} s")
    print(f"  traced peak            {generate_peak / MIB:8.1f} MiB")
    print(f"  retained after         {retained / MIB:8.1f} MiB")
    print("streaming every detection")
    print(f"  detections             {count:>12,}  ({count / max(hosts, 1):.1f} per host)")
    print(f"  same count on the traced pass: {'yes' if count == traced_count else 'NO'}")
    print(f"  wall time              {stream_seconds:8.2f} s")
    print(f"  traced peak above the tenant {stream_extra / MIB:8.2f} MiB")
    print(f"  retained after (KB pool caches) {(after_stream - retained) / MIB:6.2f} MiB")
    print(f"sample: {len(sample_hosts)} hosts, {sample_count:,} detections held at once")
    print(f"  {sample_bytes / MIB:.1f} MiB, {per_detection:.0f} bytes per detection")
    print("ratios measured in this run")
    print(f"  memory per asset                 {retained / max(hosts, 1) / 1024:8.2f} KiB")
    print(f"  generation: assets per second    {hosts / generate_seconds:10,.0f}")
    print(f"  detections per second            {count / stream_seconds:10,.0f}")
    print(f"  all detections held at once (estimate) {all_held / MIB:10.1f} MiB")
    if all_held:
        print(f"  streaming peak / held at once    {stream_extra / all_held:10.4f}")


if __name__ == "__main__":
    main()
