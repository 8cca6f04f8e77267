"""The host list client against the simulator: host IDs (all, by tag, by ID range) and host
records field for field as the tenant holds them."""

from __future__ import annotations

from typing import Any

import pytest
from qualys_vmdr.api.hosts import HOST_LIST_PATH, host_ids, list_hosts

from qualys_core.errors import NotLicensed
from qualys_core.http.client import QualysClient
from qualys_core.simulator.app import Simulator
from qualys_core.simulator.config import SimConfig
from qualys_core.simulator.csam_records import TenantView
from qualys_core.simulator.responses import iso
from qualys_core.simulator.tenant import Host, Tenant
from qualys_core.testing import FIXED_NOW

HOST_LIST_GLOB = "/api/*/fo/asset/host/"
BASE_OPTIONS: dict[str, Any] = {"assets": 200, "seed": 7, "now": FIXED_NOW}


@pytest.fixture
def qualys_simulator_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    config = getattr(request, "param", None)
    return {**BASE_OPTIONS, **({"config": config} if config is not None else {})}


def a_tag(tenant: Tenant) -> tuple[str, set[int]]:
    """A tag carried by some hosts but not most, and the IDs of the hosts carrying it."""
    counts: dict[int, int] = {}
    for host in tenant.hosts:
        for tag_id in host.tags:
            counts[tag_id] = counts.get(tag_id, 0) + 1
    tag_id = max((n, t) for t, n in counts.items() if 1 < n < len(tenant.hosts) // 2)[1]
    return tenant.tag(tag_id).name, {h.host_id for h in tenant.hosts if tag_id in h.tags}


async def test_host_ids_lists_every_host_in_one_call(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    ids = await host_ids(qualys_client)
    assert ids == [host.host_id for host in qualys_simulator.tenant.hosts]
    (record,) = qualys_simulator.log.select(path=HOST_LIST_GLOB)
    assert record.params["details"] == "None"


async def test_host_ids_by_tag_and_by_range(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    tenant = qualys_simulator.tenant
    tag, tagged = a_tag(tenant)
    assert await host_ids(qualys_client, tag=tag) == sorted(tagged)

    all_ids = [host.host_id for host in tenant.hosts]
    low, high = all_ids[10], all_ids[30]
    wanted = f"{low}-{high},{all_ids[-1]}"
    assert await host_ids(qualys_client, ids=wanted) == [*all_ids[10:31], all_ids[-1]]


async def test_host_ids_refuses_a_malformed_range_before_calling(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    with pytest.raises(ValueError, match="ids: 'ten' is not an id"):
        await host_ids(qualys_client, ids="1-5,ten")
    assert len(qualys_simulator.log) == 0


def assert_record_matches(record: Any, host: Host, tenant: Tenant, view: TenantView) -> None:
    assert record.host_id == host.host_id
    assert record.asset_id == host.asset_id
    assert record.ip == host.ip
    assert record.dns == host.dns
    assert record.netbios == host.netbios
    assert record.os == host.os
    assert record.tracking_method == host.tracking_method
    assert record.last_vuln_scan == iso(host.last_scanned)
    assert record.last_activity == iso(host.last_modified)
    assert record.tags == [tenant.tag(tag_id).name for tag_id in host.tags]
    assert record.trurisk == view.risk(host)
    assert record.criticality == host.criticality
    assert (record.cloud_provider is None) == (host.cloud is None)


async def test_list_hosts_reads_every_field_and_pages_past_the_limit(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    tenant = qualys_simulator.tenant
    view = TenantView(tenant)

    hosts = await list_hosts(qualys_client)

    assert [h.host_id for h in hosts] == [h.host_id for h in tenant.hosts]
    for record in hosts:
        source = tenant.host_by_id(record.host_id)
        assert source is not None
        assert_record_matches(record, source, tenant, view)
    assert any(h.cloud_provider for h in hosts)
    (request,) = qualys_simulator.log.select(path=HOST_LIST_GLOB)
    assert request.method == "POST"
    assert request.params["details"] == "All"
    assert request.params["show_trurisk"] == "1"


async def test_list_hosts_limit_stops_reading(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    hosts = await list_hosts(qualys_client, limit=7)
    assert [h.host_id for h in hosts] == [h.host_id for h in qualys_simulator.tenant.hosts[:7]]
    (record,) = qualys_simulator.log.select(path=HOST_LIST_GLOB)
    assert record.params["truncation_limit"] == "7"


async def test_list_hosts_by_ip_and_by_tag(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    tenant = qualys_simulator.tenant
    target = tenant.hosts[42]
    (found,) = await list_hosts(qualys_client, ips=target.ip)
    assert found.host_id == target.host_id

    tag, tagged = a_tag(tenant)
    hosts = await list_hosts(qualys_client, tag=tag)
    assert {h.host_id for h in hosts} == tagged
    assert all(tag in h.tags for h in hosts)


async def test_list_hosts_refuses_a_zero_limit(qualys_client: QualysClient) -> None:
    with pytest.raises(ValueError, match="limit: 0"):
        await list_hosts(qualys_client, limit=0)


@pytest.mark.parametrize(
    "qualys_simulator_options", [SimConfig(seed=7, unlicensed=frozenset({"vmdr"}))], indirect=True
)
async def test_unlicensed_host_list_raises_not_licensed(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    with pytest.raises(NotLicensed):
        await host_ids(qualys_client)
    with pytest.raises(NotLicensed):
        await list_hosts(qualys_client, limit=5)
    assert qualys_simulator.log.count(path=HOST_LIST_PATH, status=404) == 2
