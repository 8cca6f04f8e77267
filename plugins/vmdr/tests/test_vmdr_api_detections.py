"""The host detection client against the simulator: one paged stream, the partitioned pull
(same records, concurrent requests, bounded merging, errors and early stops), and licensing."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError
from qualys_vmdr.api.detections import (
    DETECTION_PATH,
    QUEUE_PER_STREAM,
    DetectionQuery,
    HostDetections,
    iter_host_detections,
    partition_ranges,
    pull_host_detections,
)

from qualys_core.errors import BadRequest, NotLicensed
from qualys_core.http.client import QualysClient
from qualys_core.http.limits import limit_key
from qualys_core.simulator.app import Simulator
from qualys_core.simulator.config import FaultRule, LatencySpec, LimitSpec, SimConfig
from qualys_core.simulator.responses import iso
from qualys_core.simulator.tenant import Detection, Tenant
from qualys_core.testing import FIXED_NOW

DETECTION_GLOB = "/api/*/fo/asset/host/vm/detection*"
BASE_OPTIONS: dict[str, Any] = {"assets": 200, "seed": 7, "now": FIXED_NOW}
OPEN = ("New", "Active", "Re-Opened")


@pytest.fixture
def qualys_simulator_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The default tenant; a test changes its behaviour with an indirect `config` parameter."""
    config = getattr(request, "param", None)
    return {**BASE_OPTIONS, **({"config": config} if config is not None else {})}


# A little service time keeps each call open while the others are issued, so concurrent
# requests really overlap at the simulator; nothing measures time.
OVERLAP = SimConfig(seed=7, latency={"default": LatencySpec(fixed=0.002)})


def returned(detection: Detection, severities: tuple[int, ...], statuses: tuple[str, ...]) -> bool:
    """Whether the detection API returns `detection` for these filters with Qualys' defaults
    (no information gathered, no ignored or disabled detections)."""
    return (
        detection.status in statuses
        and detection.severity in severities
        and detection.type != "Info"
        and not detection.is_ignored
        and not detection.is_disabled
    )


def expected_hosts(
    tenant: Tenant, severities: tuple[int, ...], statuses: tuple[str, ...] = OPEN
) -> dict[int, list[Detection]]:
    """Host ID -> its detections the filters select; hosts with none are left out."""
    found = {}
    for host in tenant.hosts:
        kept = [d for d in tenant.detections(host) if returned(d, severities, statuses)]
        if kept:
            found[host.host_id] = kept
    return found


def flatten(hosts: list[HostDetections]) -> set[tuple[int, int, str, int | None]]:
    return {(h.host_id, d.qid, d.status, d.qds) for h in hosts for d in h.detections}


async def collect(stream: Any) -> list[HostDetections]:
    return [host async for host in stream]


async def test_one_stream_across_pages_equals_the_tenants_detections(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    tenant = qualys_simulator.tenant
    want = expected_hosts(tenant, (5, 4))
    query = DetectionQuery(severities=(4, 5), truncation_limit=40, show_qds_factors=True)

    hosts = await collect(iter_host_detections(qualys_client, query))

    pages = qualys_simulator.log.select(path=DETECTION_GLOB)
    assert len(pages) >= 3
    assert len(pages) == -(-len(want) // 40)
    assert [h.host_id for h in hosts] == sorted(want)
    for host in hosts:
        source = tenant.host_by_id(host.host_id)
        assert source is not None
        assert (host.asset_id, host.ip, host.dns, host.os) == (
            source.asset_id,
            source.ip,
            source.dns,
            source.os,
        )
        assert host.tags == [tenant.tag(tag_id).name for tag_id in source.tags]
        assert host.last_scan == iso(source.last_scanned)
        assert [
            (d.unique_vuln_id, d.qid, d.severity, d.status, d.port, d.qds) for d in host.detections
        ] == [
            (d.unique_vuln_id, d.qid, d.severity, d.status, d.port, d.qds)
            for d in want[host.host_id]
        ]
        for record, detection in zip(host.detections, want[host.host_id], strict=True):
            assert record.first_found == iso(detection.first_found)
            assert record.qds_factors == dict(detection.qds_factors)
            assert record.qds_severity is not None


async def test_max_pages_stops_after_that_many_pages(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    query = DetectionQuery(severities=(5, 4, 3), truncation_limit=10)
    hosts = await collect(iter_host_detections(qualys_client, query, max_pages=2))
    assert len(hosts) == 20
    assert qualys_simulator.log.count(path=DETECTION_GLOB) == 2


async def test_the_request_carries_the_documented_parameters(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    query = DetectionQuery(
        severities=(5,),
        qids=(38739, 38740, 38741, 90000),
        qds_min=70,
        vm_processed_after=date(2025, 12, 16),
        host_ids="1-999999999",
    )
    await collect(iter_host_detections(qualys_client, query))
    (record,) = qualys_simulator.log.select(path=DETECTION_GLOB)
    assert record.method == "POST"
    assert record.path == DETECTION_PATH
    assert {name: record.params[name] for name in query.params()} == {
        "action": "list",
        "output_format": "XML",
        "show_qds": "1",
        "show_asset_id": "1",
        "show_tags": "1",
        "show_results": "0",
        "filter_superseded_qids": "1",
        "truncation_limit": "1000",
        "severities": "5",
        "status": "New,Active,Re-Opened",
        "qids": "38739-38741,90000",
        "ids": "1-999999999",
        "qds_min": "70",
        "vm_processed_after": "2025-12-16",
    }


def test_bad_query_values_name_the_parameter() -> None:
    with pytest.raises(ValidationError, match="severities"):
        DetectionQuery(severities=(6,))
    with pytest.raises(ValidationError, match="statuses"):
        DetectionQuery(statuses=("Open",))
    with pytest.raises(ValidationError, match="host_ids"):
        DetectionQuery(host_ids="10-x")


def test_partitions_are_contiguous_and_stay_inside_the_query_ids() -> None:
    ids = [10, 20, 30, 40, 50, 60, 70]
    assert partition_ranges(ids, 3) == ["10-39", "40-59", "60-70"]
    assert partition_ranges(ids, 10) == [f"{i}-{i + 9}" for i in ids[:-1]] + ["70"]
    assert partition_ranges(ids[:2], 1) == ["10-20"]
    assert partition_ranges([], 4) == []
    assert partition_ranges([10, 20, 30, 40], 2, within="10,15-20,40") == ["10,15-20", "40"]


@pytest.mark.parametrize("qualys_simulator_options", [OVERLAP], indirect=True)
async def test_partitioned_pull_equals_one_stream_with_requests_in_parallel(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    query = DetectionQuery(severities=(5, 4, 3), truncation_limit=15)

    single = await collect(iter_host_detections(qualys_client, query))
    single_requests = qualys_simulator.log.count(path=DETECTION_GLOB)
    qualys_simulator.log.clear()
    pulled = await collect(pull_host_detections(qualys_client, query, partitions=4))

    assert len(single) > 45
    assert sorted(h.host_id for h in pulled) == [h.host_id for h in single]
    assert flatten(pulled) == flatten(single)
    requests = qualys_simulator.log.select(path=DETECTION_GLOB)
    assert len(requests) >= single_requests
    assert {r.params["ids"] for r in requests if "id_min" not in r.params} == set(
        partition_ranges([h.host_id for h in qualys_simulator.tenant.hosts], 4)
    )
    # The governor counts the detection API's calls in flight (held until a body is read).
    state = qualys_client.api.governor.snapshot()[limit_key("api", DETECTION_PATH)]
    assert state["peak_in_flight"] is not None
    assert state["peak_in_flight"] > 1
    assert state["in_flight"] == 0


LIMIT_THREE = SimConfig(
    seed=7,
    limits={"vmdr.detections": LimitSpec(concurrency=3)},
    latency={"default": LatencySpec(fixed=0.002)},
)


@pytest.mark.parametrize("qualys_simulator_options", [LIMIT_THREE], indirect=True)
async def test_a_first_pull_stays_within_the_apis_concurrency_limit(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    query = DetectionQuery(severities=(5, 4, 3), truncation_limit=10)

    pulled = await collect(pull_host_detections(qualys_client, query, partitions=8))

    assert sorted(h.host_id for h in pulled) == sorted(
        expected_hosts(qualys_simulator.tenant, (5, 4, 3))
    )
    assert qualys_simulator.log.count(path=DETECTION_GLOB, status=409) == 0
    state = qualys_client.api.governor.snapshot()[limit_key("api", DETECTION_PATH)]
    assert state["advertised_concurrency"] == 3
    # One slot is left for other callers of the API: two streams at most, and two at once.
    assert state["peak_in_flight"] == 2


@pytest.mark.parametrize("qualys_simulator_options", [OVERLAP], indirect=True)
async def test_partitioned_pull_respects_the_tag_filter(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    tenant = qualys_simulator.tenant
    counts: dict[int, int] = {}
    for host in tenant.hosts:
        for tag_id in host.tags:
            counts[tag_id] = counts.get(tag_id, 0) + 1
    tag_id = max((n, t) for t, n in counts.items() if n < len(tenant.hosts) // 2)[1]
    tag = tenant.tag(tag_id).name
    tagged = {host.host_id for host in tenant.hosts if tag_id in host.tags}
    want = {i: d for i, d in expected_hosts(tenant, (5, 4)).items() if i in tagged}

    query = DetectionQuery(severities=(5, 4), tag=tag)
    pulled = await collect(pull_host_detections(qualys_client, query, partitions=3))

    assert sorted(h.host_id for h in pulled) == sorted(want)
    assert all(tag in h.tags for h in pulled)
    listing = qualys_simulator.log.select(path="/api/*/fo/asset/host/")
    assert listing
    assert listing[0].params["tag_set_include"] == tag


@pytest.mark.parametrize("qualys_simulator_options", [OVERLAP], indirect=True)
async def test_stopping_early_cancels_every_producer(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    query = DetectionQuery(severities=(5, 4, 3), truncation_limit=5)
    stream = pull_host_detections(qualys_client, query, partitions=4)
    taken = [await anext(stream) for _ in range(3)]
    await stream.aclose()  # type: ignore[attr-defined]

    assert len(taken) == 3
    made = qualys_simulator.log.count(path=DETECTION_GLOB)
    assert made < -(-len(expected_hosts(qualys_simulator.tenant, (5, 4, 3))) // 5)
    producers = [
        task
        for task in asyncio.all_tasks()
        if "pull_host_detections" in task.get_coro().__qualname__  # type: ignore[union-attr]
    ]
    assert producers == []
    state = qualys_client.api.governor.snapshot()[limit_key("api", DETECTION_PATH)]
    assert state["in_flight"] == 0
    for _ in range(5):
        await asyncio.sleep(0)
    assert qualys_simulator.log.count(path=DETECTION_GLOB) == made


@pytest.mark.parametrize("qualys_simulator_options", [OVERLAP], indirect=True)
async def test_a_failing_partition_raises_its_error_and_stops_the_others(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    qualys_simulator.add_fault(FaultRule(match=DETECTION_GLOB, kind="error", status=400, count=1))
    query = DetectionQuery(severities=(5, 4, 3), truncation_limit=5)

    with pytest.raises(BadRequest):
        await collect(pull_host_detections(qualys_client, query, partitions=4))

    producers = [
        task
        for task in asyncio.all_tasks()
        if "pull_host_detections" in task.get_coro().__qualname__  # type: ignore[union-attr]
    ]
    assert producers == []
    assert qualys_simulator.log.count(path=DETECTION_GLOB, status=400) == 1


async def test_a_slow_consumer_holds_the_producers_back(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    query = DetectionQuery(severities=(5, 4, 3), truncation_limit=5)
    stream = pull_host_detections(qualys_client, query, partitions=2)
    await anext(stream)
    for _ in range(50):
        await asyncio.sleep(0)
    # With the consumer idle, the producers read no more than fills the queue plus the host
    # each is waiting to hand over: that many hosts' pages, and one page each in progress.
    made = qualys_simulator.log.count(path=DETECTION_GLOB)
    assert made <= -(-(2 * QUEUE_PER_STREAM + 2) // 5) + 2
    rest = await collect(stream)
    total = len(expected_hosts(qualys_simulator.tenant, (5, 4, 3)))
    assert len(rest) + 1 == total
    assert qualys_simulator.log.count(path=DETECTION_GLOB) > made


@pytest.mark.parametrize(
    "qualys_simulator_options", [SimConfig(seed=7, unlicensed=frozenset({"vmdr"}))], indirect=True
)
async def test_unlicensed_detections_raise_not_licensed(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    with pytest.raises(NotLicensed):
        await collect(iter_host_detections(qualys_client, DetectionQuery()))
    with pytest.raises(NotLicensed):
        await collect(pull_host_detections(qualys_client, DetectionQuery()))
