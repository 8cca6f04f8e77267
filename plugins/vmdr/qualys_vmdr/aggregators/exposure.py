"""Summaries of host detections that several aggregators share: who has which QIDs.

A detection pull is the expensive part of every VMDR answer, so it runs once per query and
is cached (core "detections" tier) as a compact summary, never as the raw detections: per QID
its host count, internet-facing count, highest QDS and newest finds; per host only what a
ranked answer shows. Aggregators of one tool call that need the same summary share one pull
through the cache's single-flight.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from qualys_core.plugins import AggregatorContext
from qualys_vmdr.api.detections import DetectionQuery, HostDetections, pull_host_detections
from qualys_vmdr.api.hosts import HostRecord, list_hosts
from qualys_vmdr.settings import VmdrSettings

__all__ = [
    "INTERNET_FACING_TAG",
    "NEW_WINDOW_DAYS",
    "Exposure",
    "HostHit",
    "QidStats",
    "exposure",
    "fill_criticality",
    "inventory",
    "platform_of",
]

DETECTIONS_TIER = "detections"
HOSTS_TIER = "vmdr_hosts"
INTERNET_FACING_TAG = "internet facing"
NEW_WINDOW_DAYS = 31
# Host metadata (criticality, TruRisk) is looked up in chunks of host ids.
_HOST_CHUNK = 1000
_SAMPLE_HOSTS = 200


def platform_of(os_name: str | None) -> str:
    """windows, linux, mac or other: the `platform` values of plan_remediation."""
    text = (os_name or "").lower()
    if "windows" in text:
        return "windows"
    if "mac" in text or "darwin" in text:
        return "mac"
    if any(word in text for word in ("linux", "ubuntu", "red hat", "centos", "debian", "suse")):
        return "linux"
    if any(word in text for word in ("rocky", "alma", "amazon linux", "oracle linux")):
        return "linux"
    return "other"


def _day(stamp: str | None) -> date | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).date()
    except ValueError:
        return None


@dataclass
class QidStats:
    """One QID across the hosts a pull covered."""

    qid: int
    severity: int
    hosts: int = 0
    internet_facing: int = 0
    max_qds: int = 0
    qds_severity: str | None = None
    qds_factors: dict[str, str] = field(default_factory=dict)
    max_criticality: int = 0
    # new_by_age[d] counts detections first found d days before the pull (d < NEW_WINDOW_DAYS)
    new_by_age: list[int] = field(default_factory=lambda: [0] * NEW_WINDOW_DAYS)
    platforms: Counter[str] = field(default_factory=Counter)
    sample_hosts: list[int] = field(default_factory=list)
    earliest_found: str | None = None

    def new_within(self, days: int) -> int:
        return sum(self.new_by_age[: max(0, min(days, NEW_WINDOW_DAYS))])


@dataclass
class HostHit:
    """One affected host as a ranked answer shows it."""

    host_id: int
    asset_id: int | None
    ip: str | None
    dns: str | None
    os: str | None
    internet_facing: bool
    tags: list[str]
    qids: list[int]
    max_severity: int
    max_qds: int
    statuses: list[str]
    first_found: str | None
    last_scan: str | None
    criticality: int | None = None
    trurisk: int | None = None
    cloud_provider: str | None = None
    cloud_resource_id: str | None = None

    def record(self) -> dict[str, object]:
        return {
            "host_id": self.host_id,
            "asset_id": self.asset_id,
            "ip": self.ip,
            "dns": self.dns,
            "os": self.os,
            "internet_facing": self.internet_facing,
            "criticality": self.criticality,
            "trurisk": self.trurisk,
            "qids": self.qids,
            "severity": self.max_severity,
            "qds": self.max_qds,
            "status": ", ".join(self.statuses),
            "first_found": self.first_found,
            "last_scan": self.last_scan,
            "cloud_provider": self.cloud_provider,
            "cloud_resource_id": self.cloud_resource_id,
        }

    @property
    def rank(self) -> tuple[int, int, int, int]:
        return (self.max_qds, int(self.internet_facing), self.criticality or 0, self.max_severity)


@dataclass
class Exposure:
    """A detection pull summarised: per-QID statistics and, when asked, the affected hosts."""

    as_of: datetime
    host_count: int = 0
    detection_count: int = 0
    internet_facing_hosts: int = 0
    qids: dict[int, QidStats] = field(default_factory=dict)
    hosts: list[HostHit] = field(default_factory=list)
    platforms: Counter[str] = field(default_factory=Counter)


def _is_internet_facing(host: HostDetections) -> bool:
    return any(tag.strip().lower() == INTERNET_FACING_TAG for tag in host.tags)


def _add_host(summary: Exposure, host: HostDetections, *, keep_hosts: bool) -> None:
    if not host.detections:
        return
    summary.host_count += 1
    summary.detection_count += len(host.detections)
    facing = _is_internet_facing(host)
    summary.internet_facing_hosts += facing
    platform = platform_of(host.os)
    summary.platforms[platform] += 1
    today = summary.as_of.date()
    for detection in host.detections:
        stats = summary.qids.get(detection.qid)
        if stats is None:
            stats = summary.qids[detection.qid] = QidStats(detection.qid, detection.severity)
        stats.hosts += 1
        stats.internet_facing += facing
        stats.platforms[platform] += 1
        if len(stats.sample_hosts) < _SAMPLE_HOSTS:
            stats.sample_hosts.append(host.host_id)
        qds = detection.qds or 0
        if qds > stats.max_qds or stats.qds_severity is None:
            stats.max_qds = max(stats.max_qds, qds)
            stats.qds_severity = detection.qds_severity
            if detection.qds_factors:
                stats.qds_factors = dict(detection.qds_factors)
        found = _day(detection.first_found)
        if found is not None:
            age = (today - found).days
            if 0 <= age < NEW_WINDOW_DAYS:
                stats.new_by_age[age] += 1
            if stats.earliest_found is None or (detection.first_found or "") < stats.earliest_found:
                stats.earliest_found = detection.first_found
    if keep_hosts:
        summary.hosts.append(
            HostHit(
                host_id=host.host_id,
                asset_id=host.asset_id,
                ip=host.ip,
                dns=host.dns,
                os=host.os,
                internet_facing=facing,
                tags=list(host.tags),
                qids=sorted({d.qid for d in host.detections}),
                max_severity=max(d.severity for d in host.detections),
                max_qds=max((d.qds or 0) for d in host.detections),
                statuses=sorted({d.status for d in host.detections}),
                first_found=min((d.first_found or "" for d in host.detections), default=None)
                or None,
                last_scan=host.last_scan,
                cloud_provider=host.cloud_provider,
                cloud_resource_id=host.cloud_resource_id,
            )
        )


async def _host_records(ctx: AggregatorContext, host_ids: Iterable[int]) -> dict[int, HostRecord]:
    """Criticality and TruRisk of these hosts from the VM host list (one call per chunk)."""
    wanted = sorted(set(host_ids))
    found: dict[int, HostRecord] = {}
    for start in range(0, len(wanted), _HOST_CHUNK):
        chunk = wanted[start : start + _HOST_CHUNK]
        ids = ",".join(str(host_id) for host_id in chunk)

        async def fetch(ids: str = ids) -> list[HostRecord]:
            return await list_hosts(ctx.client, ids=ids)

        for record in await ctx.cache.get_or_fetch(HOSTS_TIER, ("hosts", ids), fetch):
            found[record.host_id] = record
    return found


def query_for(ctx: AggregatorContext, **changes: object) -> DetectionQuery:
    """The detection query of this call: its tag and asset group, plus `changes`."""
    base: dict[str, object] = {
        "tag": ctx.params.get("tag"),
        "asset_group": ctx.params.get("asset_group"),
        "truncation_limit": VmdrSettings().detection_page_hosts,
    }
    base.update(changes)
    return DetectionQuery.model_validate(base)


async def exposure(
    ctx: AggregatorContext, query: DetectionQuery, *, keep_hosts: bool = True
) -> Exposure:
    """The summary of one detection pull (cached per query), with host criticality filled in."""

    async def pull() -> Exposure:
        summary = Exposure(as_of=ctx.now)
        partitions = VmdrSettings().partitions
        async for host in pull_host_detections(ctx.client, query, partitions=partitions):
            _add_host(summary, host, keep_hosts=keep_hosts)
        if keep_hosts and summary.hosts:
            records = await _host_records(ctx, (hit.host_id for hit in summary.hosts))
            for hit in summary.hosts:
                record = records.get(hit.host_id)
                if record is not None:
                    hit.criticality = record.criticality
                    hit.trurisk = record.trurisk
            _max_criticality(summary.qids.values(), records)
        return summary

    key = ("exposure", query.model_dump_json(), keep_hosts, ctx.now.date().isoformat())
    return await ctx.cache.get_or_fetch(DETECTIONS_TIER, key, pull)


def _max_criticality(stats: Iterable[QidStats], records: dict[int, HostRecord]) -> None:
    for item in stats:
        item.max_criticality = max(
            (records[h].criticality or 0 for h in item.sample_hosts if h in records), default=0
        )


async def fill_criticality(ctx: AggregatorContext, stats: Iterable[QidStats]) -> None:
    """Set `max_criticality` of these QIDs from their sample hosts (a bounded lookup)."""
    chosen = list(stats)
    records = await _host_records(ctx, (h for item in chosen for h in item.sample_hosts))
    _max_criticality(chosen, records)


async def inventory(ctx: AggregatorContext, *, severities: tuple[int, ...] = (4, 5)) -> Exposure:
    """Every open detection of these severities in the call's tag / asset group, summarised
    per QID (hosts are counted, not kept: this may cover the whole estate)."""
    return await exposure(ctx, query_for(ctx, severities=severities), keep_hosts=False)


def priority_score(stats: QidStats, *, exploited: bool, kev: bool) -> float:
    """QDS x spread x asset criticality x exploitability: the patch-first order.

    QDS already folds in CVSS, threat intelligence and EPSS; spread grows with the log of the
    affected hosts (the hundredth host adds less than the second); criticality (1-5, Qualys
    ACS) scales it; known exploitation in the wild raises it further.
    """
    qds = stats.max_qds or stats.severity * 15
    spread = 1 + math.log10(max(1, stats.hosts))
    criticality = 0.6 + 0.1 * (stats.max_criticality or 3)
    threat = 1.5 if exploited else 1.0
    threat *= 1.2 if kev else 1.0
    return round(qds * spread * criticality * threat, 1)
