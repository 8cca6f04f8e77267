"""The container estate around the images: running containers, registries, sensor health and
the estate-wide vulnerability summary (assess_risk and security_overview, scope containers).

Staleness is measured from the call's clock (`ctx.now`): a sensor that has not checked in for
two days, a registry not scanned for a week.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from qualys_core.errors import QualysError
from qualys_core.plugins import Action, AggregatorContext, AggregatorResult, Finding
from qualys_totalcloud.aggregators.containers_cache import (
    SUMMARY_TIER,
    cached,
    cached_images,
    cached_running,
    names,
    stamp,
)
from qualys_totalcloud.aggregators.fanout import fan_out
from qualys_totalcloud.api.container_records import Container, Image, Sensor
from qualys_totalcloud.api.containers import (
    list_registries,
    list_sensor_profiles,
    list_sensors,
    list_vulnerabilities,
    vulnerability_severity_counts,
)

__all__ = [
    "REGISTRY_STALE",
    "SENSOR_STALE",
    "container_vulns",
    "containers_running",
    "registries",
    "sensors",
]

SENSOR_STALE = timedelta(days=2)
REGISTRY_STALE = timedelta(days=7)
_OVERVIEW = {"scope": "containers"}


def _days(delta: timedelta) -> int:
    return max(0, delta.days)


# ---------------------------------------------------------------------- running containers


async def containers_running(ctx: AggregatorContext) -> AggregatorResult:
    """Running containers, those of the most vulnerable images first."""
    listing, running_cached = await cached_running(ctx)
    images: dict[str, Image] = {}
    failure: Finding | None = None
    images_cached = True
    try:
        found, images_cached = await cached_images(ctx)
        for item in found.items:
            images |= {key: item for key in (item.image_id, item.sha) if key}
    except QualysError as error:
        failure = Finding(
            text=f"Images: no answer ({error.source_status}: {error}); containers are shown "
            "without their image names",
            severity="medium",
        )

    def image_of(c: Container) -> Image | None:
        return images.get(c.image_id or "") or images.get(c.image_sha or "")

    def severity(c: Container, level: int) -> int:
        image = image_of(c)
        return image.counts.of(level) if image else c.counts.of(level)

    ordered = sorted(
        listing.items,
        key=lambda c: (severity(c, 5), severity(c, 4), c.host_name or ""),
        reverse=True,
    )
    rows: list[dict[str, Any]] = []
    for c in ordered:
        image = image_of(c)
        rows.append(
            {
                "container_id": c.container_id,
                "name": c.name,
                "image": image.name if image else c.image_repo or c.image_id,
                "image_id": c.image_id or (image.image_id if image else None),
                "host": c.host_name,
                "host_ip": c.host_ip,
                "sev5": severity(c, 5),
                "sev4": severity(c, 4),
                "privileged": c.privileged,
                "since": stamp(c.state_changed or c.created),
            }
        )
    hosts = {c.host_name for c in ordered if c.host_name}
    with_sev5 = [c for c in ordered if severity(c, 5)]
    privileged = [c for c in ordered if c.privileged]
    findings = [
        Finding(
            text=f"{len(ordered)} containers running on {len(hosts)} hosts; {len(with_sev5)} run "
            f"images with severity-5 vulnerabilities",
            severity="high" if with_sev5 else "info",
        )
    ]
    if privileged:
        findings.append(
            Finding(
                text=f"{len(privileged)} running containers are privileged: "
                + names([f"{c.name} on {c.host_name}" for c in privileged]),
                severity="medium",
            )
        )
    if failure:
        findings.append(failure)
    total = listing.total if listing.total is not None else len(ordered)
    return AggregatorResult(
        records=rows,
        total=total,
        truncated=listing.truncated,
        stats={
            "containers_running": total,
            "container_hosts": len(hosts),
            "containers_running_with_sev5": len(with_sev5),
            "containers_privileged": len(privileged),
        },
        findings=findings,
        cached=running_cached and images_cached,
    )


# ---------------------------------------------------------------------- registries


async def registries(ctx: AggregatorContext) -> AggregatorResult:
    """Connected registries and how recently each was scanned."""
    listing, was_cached = await cached(
        ctx, SUMMARY_TIER, ("registries",), lambda: list_registries(ctx.client)
    )
    stale = [
        r
        for r in listing.items
        if r.last_scanned is None or ctx.now - r.last_scanned > REGISTRY_STALE
    ]
    stale_names = [r.name or r.uri or "?" for r in stale]
    rows = [
        {
            "name": r.name,
            "type": r.registry_type,
            "uri": r.uri,
            "repositories": r.repositories,
            "last_scanned": stamp(r.last_scanned),
            "scan_stale": r in stale,
        }
        for r in sorted(listing.items, key=lambda r: (r not in stale, r.name or ""))
    ]
    findings = [
        Finding(
            text=f"{len(listing.items)} registries connected to Container Security"
            + (f"; {len(stale)} not scanned for over a week: {names(stale_names)}"
               if stale else ", all scanned within the week"),
            severity="medium" if stale else "info",
        )
    ]  # fmt: skip
    actions = [
        Action(
            priority=2,
            title=f"Check the credentials and scan schedule of registry {r.name}",
            why=f"Last scanned {stamp(r.last_scanned) or 'never'}: new images pushed there are "
            "not assessed until it is scanned again.",
        )
        for r in stale
    ]
    return AggregatorResult(
        records=rows,
        total=listing.total if listing.total is not None else len(rows),
        stats={"registries": len(rows), "registries_scan_stale": len(stale)},
        findings=findings,
        actions=actions,
        cached=was_cached,
    )


# ---------------------------------------------------------------------- sensors


def _sensor_row(sensor: Sensor, stale: bool, ctx: AggregatorContext) -> dict[str, Any]:
    since = sensor.last_checked_in
    return {
        "hostname": sensor.hostname,
        "ip": sensor.ip,
        "type": sensor.sensor_type,
        "version": sensor.version,
        "last_checked_in": stamp(since),
        "days_silent": _days(ctx.now - since) if since else None,
        "stale": stale,
    }


async def sensors(ctx: AggregatorContext) -> AggregatorResult:
    """Container sensors: which stopped checking in, which run older versions."""

    async def run(part: str) -> Any:
        fetch = list_sensors if part == "sensors" else list_sensor_profiles
        return await cached(ctx, SUMMARY_TIER, (part,), lambda: fetch(ctx.client))

    done = await fan_out(("sensors", "profiles"), run)
    if "sensors" not in done.results:
        raise done.errors["sensors"]
    listing, was_cached = done.results["sensors"]
    found: list[Sensor] = listing.items
    stale = [
        s for s in found if s.last_checked_in is None or ctx.now - s.last_checked_in > SENSOR_STALE
    ]
    versions = sorted({s.version for s in found if s.version}, key=_version_key)
    newest = versions[-1] if versions else None
    behind = [s for s in found if s.version and s.version != newest]
    ordered = sorted(found, key=lambda s: (s not in stale, s.hostname or ""))
    rows = [_sensor_row(s, s in stale, ctx) for s in ordered]
    findings = []
    if stale:
        findings.append(
            Finding(
                text=f"{len(stale)} of {len(found)} container sensors have not checked in for "
                f"over {SENSOR_STALE.days} days: "
                + names([f"{s.hostname} ({_days(ctx.now - s.last_checked_in)}d)"
                         if s.last_checked_in else f"{s.hostname} (never)" for s in stale]),
                severity="medium",
            )
        )  # fmt: skip
    else:
        findings.append(
            Finding(text=f"All {len(found)} container sensors checked in within the last "
                    f"{SENSOR_STALE.days} days")
        )  # fmt: skip
    if behind and newest:
        findings.append(
            Finding(
                text=f"{len(behind)} sensors run a version older than {newest}",
                severity="low",
            )
        )
    actions = [
        Action(
            priority=2,
            title="Restore the silent container sensors: "
            + names([s.hostname or "?" for s in stale]),
            why="Containers started on those hosts since the last check-in are not inventoried "
            "or assessed; check that the sensor container runs and reaches the platform.",
            tool="security_overview",
            arguments=_OVERVIEW,
        )
    ] if stale else []  # fmt: skip
    stats: dict[str, int | float | str] = {
        "sensors": len(found),
        "sensors_stale": len(stale),
        "sensors_outdated": len(behind),
        **done.failure_stats(),
    }
    if "profiles" in done.results:
        stats["sensor_profiles"] = len(done.results["profiles"][0].items)
    findings += done.failure_findings(lambda part: f"Sensor {part}")
    return AggregatorResult(
        records=rows,
        total=listing.total if listing.total is not None else len(rows),
        stats=stats,
        findings=findings,
        actions=actions,
        cached=was_cached,
    )


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.replace("-", ".").split(".") if p.isdecimal())


# ---------------------------------------------------------------------- vulnerability summary


async def container_vulns(ctx: AggregatorContext) -> AggregatorResult:
    """Distinct vulnerabilities across the images, by severity, and the most widespread."""
    size = min(int(ctx.params.get("limit") or 25), 100)

    async def run(part: str) -> Any:
        if part == "counts":
            return await cached(
                ctx,
                SUMMARY_TIER,
                ("vuln_counts",),
                lambda: vulnerability_severity_counts(ctx.client),
            )
        return await cached(
            ctx, SUMMARY_TIER, ("vulns", str(size)),
            lambda: list_vulnerabilities(ctx.client, limit=size, page_size=size),
        )  # fmt: skip

    done = await fan_out(("counts", "top"), run)
    stats: dict[str, int | float | str] = dict(done.failure_stats())
    findings: list[Finding] = []
    rows: list[dict[str, Any]] = []
    total: int | None = None
    if "counts" in done.results:
        counts: dict[int, int] = done.results["counts"][0]
        stats |= {f"container_vulns_sev{s}": n for s, n in counts.items()}
        stats["container_vulns"] = total = sum(counts.values())
        findings.append(
            Finding(
                text=f"{total} distinct vulnerabilities across container images: "
                f"{counts.get(5, 0)} severity 5, {counts.get(4, 0)} severity 4",
                severity="high" if counts.get(5) else "medium" if counts.get(4) else "info",
            )
        )
    if "top" in done.results:
        listing = done.results["top"][0]
        total = listing.total if listing.total is not None else total
        for row in listing.items:
            rows.append(
                {
                    "qid": row.qid,
                    "title": row.title,
                    "severity": row.severity,
                    "cves": list(row.cves),
                    "images": row.images,
                    "containers": row.containers,
                    "patch_available": row.patch_available,
                }
            )
        widest = max(listing.items, key=lambda r: (r.severity or 0, r.images or 0), default=None)
        if widest is not None and widest.images:
            cve = (
                f" ({widest.cves[0]})"
                if widest.cves and widest.cves[0] not in (widest.title or "")
                else ""
            )
            findings.append(
                Finding(
                    text=f"Most severe and widespread: QID {widest.qid} {widest.title}{cve} in "
                    f"{widest.images} images, {widest.containers or 0} containers",
                    severity="high" if (widest.severity or 0) >= 5 else "medium",
                )
            )
    findings += done.failure_findings(lambda part: f"Container vulnerability {part}")
    return AggregatorResult(
        records=rows,
        total=total,
        truncated=total is not None and len(rows) < total,
        stats=stats,
        findings=findings,
        cached=all(hit for _, hit in done.results.values()),
    )
