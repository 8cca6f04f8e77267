"""The VMDR host detection client: one truncation-paged stream, or several over host-ID ranges.

`/api/2.0/fo/asset/host/vm/detection/` (qualys-api.md §6) is the largest download Qualys offers,
so both readers stream: records are parsed one HOST at a time and handed on before the next
arrives. `pull_host_detections` partitions the hosts the way qualysdk does (list the host IDs,
split them into ranges, one stream per range), bounded by the API's concurrency limit, merged
through a bounded queue so a slow consumer slows the producers instead of filling memory.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any
from xml.etree.ElementTree import Element

from pydantic import BaseModel, ConfigDict, Field, field_validator

from qualys_core.http.client import QualysClient
from qualys_core.http.limits import limit_key
from qualys_vmdr.api.fo import (
    IdRanges,
    child_int,
    child_text,
    closing,
    format_id_ranges,
    intersect_id_ranges,
    parse_id_ranges,
    split_evenly,
    tag_filter,
)
from qualys_vmdr.api.hosts import host_identity, host_ids

__all__ = [
    "DETECTION_PATH",
    "QUEUE_PER_STREAM",
    "STATUSES",
    "DetectionQuery",
    "DetectionRecord",
    "HostDetections",
    "iter_host_detections",
    "parse_host",
    "partition_ranges",
    "pull_host_detections",
    "stream_limit",
]

DETECTION_PATH = "/api/2.0/fo/asset/host/vm/detection/"
MODULE = "VMDR"
STATUSES = ("New", "Active", "Re-Opened", "Fixed")
# Hosts the merge queue holds per concurrent stream: enough to keep producers busy while the
# consumer works, few enough that memory stays at a handful of hosts.
QUEUE_PER_STREAM = 8


class DetectionQuery(BaseModel):
    """Filters of one host detection pull; `params()` is the request they make."""

    model_config = ConfigDict(frozen=True)

    severities: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ("New", "Active", "Re-Opened")
    qids: tuple[int, ...] = ()
    host_ids: str | None = Field(None, description="host IDs and ranges, e.g. '1-500,900'")
    qds_min: int | None = Field(None, ge=1, le=100)
    qds_max: int | None = Field(None, ge=1, le=100)
    vm_processed_after: date | None = None
    detection_updated_since: datetime | None = None
    tag: str | None = None
    asset_group: str | None = None
    show_qds_factors: bool = False
    truncation_limit: int = Field(1000, ge=0)

    @field_validator("severities")
    @classmethod
    def _severities(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        bad = [item for item in value if not 1 <= item <= 5]
        if bad:
            raise ValueError(f"severities: {bad} not allowed; use 1, 2, 3, 4 or 5")
        return tuple(sorted(set(value), reverse=True))

    @field_validator("statuses")
    @classmethod
    def _statuses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [item for item in value if item not in STATUSES]
        if bad:
            raise ValueError(f"statuses: {bad} not allowed; use {', '.join(STATUSES)}")
        return value

    @field_validator("host_ids")
    @classmethod
    def _host_ids(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return format_id_ranges(parse_id_ranges(value, name="host_ids"))

    def params(self) -> dict[str, str]:
        """The request parameters (Qualys names); dates as YYYY-MM-DD, datetimes in UTC."""
        params = {
            "action": "list",
            "output_format": "XML",
            "show_qds": "1",
            "show_asset_id": "1",
            "show_tags": "1",
            "show_results": "0",
            "filter_superseded_qids": "1",
            "truncation_limit": str(self.truncation_limit),
        }
        if self.severities:
            params["severities"] = ",".join(map(str, self.severities))
        if self.statuses:
            params["status"] = ",".join(self.statuses)
        if self.qids:
            params["qids"] = format_id_ranges(self.qids)
        if self.host_ids:
            params["ids"] = self.host_ids
        if self.qds_min is not None:
            params["qds_min"] = str(self.qds_min)
        if self.qds_max is not None:
            params["qds_max"] = str(self.qds_max)
        if self.vm_processed_after is not None:
            params["vm_processed_after"] = self.vm_processed_after.isoformat()
        if self.detection_updated_since is not None:
            moment = self.detection_updated_since
            if moment.tzinfo is not None:
                moment = moment.astimezone(UTC)
            params["detection_updated_since"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.asset_group:
            params["ag_titles"] = self.asset_group
        if self.show_qds_factors:
            params["show_qds_factors"] = "1"
        params.update(tag_filter(self.tag))
        return params


class DetectionRecord(BaseModel):
    """One detection of one host."""

    unique_vuln_id: int | None = None
    qid: int
    type: str | None = None
    severity: int
    status: str
    port: int | None = None
    protocol: str | None = None
    first_found: str | None = None
    last_found: str | None = None
    last_processed: str | None = None
    times_found: int | None = None
    qds: int | None = None
    qds_severity: str | None = None
    qds_factors: dict[str, str] = Field(default_factory=dict)


class HostDetections(BaseModel):
    """One host of the detection list with its detections."""

    host_id: int
    asset_id: int | None = None
    ip: str | None = None
    dns: str | None = None
    netbios: str | None = None
    os: str | None = None
    tracking_method: str | None = None
    last_scan: str | None = None
    tags: list[str] = Field(default_factory=list)
    cloud_provider: str | None = None
    cloud_resource_id: str | None = None
    detections: list[DetectionRecord] = Field(default_factory=list)


def _detection(element: Element) -> DetectionRecord:
    qid = child_int(element, "QID")
    if qid is None:
        raise ValueError("DETECTION element without a numeric QID")
    qds = element.find("QDS")
    return DetectionRecord(
        unique_vuln_id=child_int(element, "UNIQUE_VULN_ID"),
        qid=qid,
        type=child_text(element, "TYPE"),
        severity=child_int(element, "SEVERITY") or 0,
        status=child_text(element, "STATUS") or "",
        port=child_int(element, "PORT"),
        protocol=child_text(element, "PROTOCOL"),
        first_found=child_text(element, "FIRST_FOUND_DATETIME"),
        last_found=child_text(element, "LAST_FOUND_DATETIME"),
        last_processed=child_text(element, "LAST_PROCESSED_DATETIME"),
        times_found=child_int(element, "TIMES_FOUND"),
        qds=child_int(element, "QDS"),
        qds_severity=(qds.get("severity") or None) if qds is not None else None,
        qds_factors={
            name: (factor.text or "").strip()
            for factor in element.iterfind("QDS_FACTORS/QDS_FACTOR")
            if (name := factor.get("name"))
        },
    )


def parse_host(element: Element) -> HostDetections:
    """A `HOST` element of the detection list; ValueError when it has no numeric ID."""
    return HostDetections(
        **host_identity(element, "detection list"),
        last_scan=child_text(element, "LAST_SCAN_DATETIME")
        or child_text(element, "LAST_VM_SCANNED_DATE"),
        detections=[_detection(item) for item in element.iterfind("DETECTION_LIST/DETECTION")],
    )


async def iter_host_detections(
    client: QualysClient, query: DetectionQuery, *, max_pages: int | None = None
) -> AsyncIterator[HostDetections]:
    """The hosts matching `query` with their detections, one at a time, across all pages."""
    # POST form, as qualysdk and qualysetl send it: `ids` and `qids` lists have no URL limit.
    records = client.api.iter_xml(
        DETECTION_PATH, query.params(), ("HOST",), method="POST", module=MODULE, max_pages=max_pages
    )
    async with closing(records):
        async for record in records:
            yield parse_host(record)


def partition_ranges(ids: list[int], partitions: int, within: str | None = None) -> list[str]:
    """Host-ID range strings, one per partition, covering `ids` (ascending) contiguously.

    Each partition spans from its first ID to just before the next partition's first ID, so
    the ranges abut and no ID falls in two of them; `within` (the query's own `host_ids`) is
    intersected in, so no partition reaches outside it.
    """
    if not ids:
        return []
    pieces = split_evenly(ids, partitions)
    spans: list[IdRanges] = []
    for index, piece in enumerate(pieces):
        high = pieces[index + 1][0] - 1 if index + 1 < len(pieces) else piece[-1]
        spans.append([(piece[0], high)])
    if within:
        allowed = parse_id_ranges(within, name="host_ids")
        spans = [intersect_id_ranges(span, allowed) for span in spans]
    return [format_id_ranges(span) for span in spans if span]


def _gate(client: QualysClient) -> dict[str, float | int | None]:
    return client.api.governor.snapshot().get(limit_key("api", DETECTION_PATH), {})


def stream_limit(client: QualysClient) -> int:
    """How many detection streams one pull may run at once: the API's concurrency limit as
    the governor knows it (learnt from X-Concurrency-Limit-Limit, or its configured default
    before any response showed it), less one slot when there are several.

    A producer waiting on a full queue keeps its request, and so its slot, open; the slot left
    over lets other calls of the same API (another tool call, or the consumer itself) run
    during a long pull instead of waiting for all of it.
    """
    capacity = _gate(client).get("capacity")
    if not isinstance(capacity, int) or capacity < 1:
        capacity = client.api.governor.default_concurrency
    return max(1, capacity - 1)


def _limit_known(client: QualysClient) -> bool:
    return _gate(client).get("advertised_concurrency") is not None


class _Merge:
    """What the producers and the consumer share: the queue, the first error, the tasks."""

    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=size)
        self.error: BaseException | None = None
        self.tasks: list[asyncio.Task[None]] = []


_DONE = object()
_FAILED = object()


async def pull_host_detections(
    client: QualysClient, query: DetectionQuery, *, partitions: int = 4
) -> AsyncIterator[HostDetections]:
    """Like `iter_host_detections`, split over host-ID ranges streamed concurrently.

    Lists the matching host IDs, cuts them into `partitions` contiguous ranges and streams
    them, at most as many at once as the API's concurrency limit allows, through a bounded
    queue (a slow consumer holds the producers back). The first producer error is raised and
    stops the others; a consumer that stops early (`aclose`) cancels every producer. Hosts
    arrive in no particular order across partitions, ascending within one.
    """
    if partitions < 1:
        raise ValueError(f"partitions: {partitions} is not allowed; give 1 or more")
    ids = await host_ids(client, tag=query.tag, ids=query.host_ids, asset_group=query.asset_group)
    ranges = partition_ranges(ids, partitions, within=query.host_ids)
    if not ranges:
        return
    pending = deque(ranges)
    merge = _Merge(QUEUE_PER_STREAM * len(ranges))

    async def produce() -> None:
        try:
            while pending:
                part = query.model_copy(update={"host_ids": pending.popleft()})
                async with closing(iter_host_detections(client, part)) as hosts:
                    async for host in hosts:
                        await merge.queue.put(host)
        except Exception as exc:
            if merge.error is None:
                merge.error = exc
            for task in merge.tasks:
                if task is not asyncio.current_task():
                    task.cancel()
            await merge.queue.put(_FAILED)
        else:
            await merge.queue.put(_DONE)

    def start(count: int) -> None:
        while len(merge.tasks) < count and len(merge.tasks) < len(ranges):
            merge.tasks.append(asyncio.create_task(produce()))

    # Until a response has shown the API's concurrency limit, one stream goes first and the
    # others follow its first answer, so a first pull does not overrun a low limit with 409s.
    widened = _limit_known(client)
    start(stream_limit(client) if widened else 1)
    finished = 0
    try:
        while finished < len(merge.tasks):
            item = await merge.queue.get()
            if merge.error is not None:
                raise merge.error
            if not widened:
                widened = True
                if pending:
                    start(stream_limit(client))
            if item is _DONE:
                finished += 1
                continue
            yield item
    finally:
        for task in merge.tasks:
            task.cancel()
        await asyncio.gather(*merge.tasks, return_exceptions=True)
