"""The simulated TotalCloud resource inventory (v1 on the gateway and the API host, v2, v1
detail) against the cloud estate it renders, through plain HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from qualys_totalcloud.simulator.cloud_catalog import VM_TYPES
from qualys_totalcloud.simulator.cloud_data import CloudEstate, estate

from qualys_core.simulator import Simulator

V1 = "/cloudview-api/rest/v1/resource"
V2 = "/cloudview-api/rest/v2/resource"


@pytest.fixture
def cloud(qualys_simulator: Simulator) -> CloudEstate:
    return estate(qualys_simulator.tenant)


async def _all_pages(client: httpx.AsyncClient, path: str, size: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for number in range(100):
        body = (await client.get(path, params={"pageNo": number, "pageSize": size})).json()
        items.extend(body["content"])
        if body["last"]:
            assert body["empty"] is (not body["content"])
            return items
    raise AssertionError("paging never ended")


async def test_v1_pages_through_every_resource_of_a_type(gateway, cloud) -> None:
    expected = [r.resource_id for r in cloud.resources_of_type("AWS", "IAM_USER")]
    assert len(expected) > 20
    items = await _all_pages(gateway, f"{V1}/IAM_USER/AWS", 7)
    assert [i["resourceId"] for i in items] == expected
    first = (await gateway.get(f"{V1}/IAM_USER/AWS", params={"pageSize": 7})).json()
    assert (first["totalElements"], first["totalPages"]) == (len(expected), -(-len(expected) // 7))
    past = (await gateway.get(f"{V1}/IAM_USER/AWS", params={"pageNo": 99, "pageSize": 7})).json()
    assert (past["content"], past["empty"], past["last"]) == ([], True, True)


@pytest.mark.parametrize("spelling", ["AWS", "aws", "Aws"])
async def test_v1_takes_the_provider_in_any_case(gateway, cloud, spelling) -> None:
    body = (await gateway.get(f"{V1}/EC2_INSTANCE/{spelling}", params={"pageSize": 1})).json()
    assert body["totalElements"] == len(cloud.resources_of_type("AWS", "EC2_INSTANCE")) > 0


async def test_v1_serves_the_api_host_without_x_requested_with(api, cloud) -> None:
    # qualysdk reaches CloudView on qualysguard with Basic auth and no X-Requested-With.
    response = await api.get(f"{V1}/VIRTUAL_MACHINE/Azure", params={"pageNo": 0, "pageSize": 50})
    assert response.status_code == 200, response.text
    vms = cloud.resources_of_type("AZURE", "VIRTUAL_MACHINE")
    assert [i["resourceId"] for i in response.json()["content"]] == [r.resource_id for r in vms]


async def test_v1_records_use_qualysdk_model_keys(gateway, cloud) -> None:
    ec2 = cloud.resources_of_type("AWS", "EC2_INSTANCE")[0]
    body = (await gateway.get(f"{V1}/EC2_INSTANCE/AWS", params={"pageSize": 1})).json()
    item = body["content"][0]
    assert item["resourceId"] == item["instanceId"] == ec2.resource_id
    assert (item["uuid"], item["connectorUuid"]) == (ec2.uuid, ec2.connector_id)
    assert item["cloudAccountId"] == ec2.account_id
    assert ec2.host is not None
    assert (item["criticalityScore"], item["privateIpAddress"]) == (
        ec2.host.criticality,
        ec2.host.ip,
    )
    assert item["controlsFailed"] == len(cloud.failing_controls_of(ec2))
    vm = cloud.resources_of_type("AZURE", "VIRTUAL_MACHINE")[0]
    body = (await gateway.get(f"{V1}/VIRTUAL_MACHINE/azure", params={"pageSize": 1})).json()
    assert body["content"][0]["subscriptionId"] == vm.account_id
    assert "updated" in body["content"][0]


async def test_v1_records_build_qualysdks_resource_models(gateway, cloud) -> None:
    """qualysdk builds each record with `Model(**item)`, which rejects unknown keys."""
    mappings = pytest.importorskip("qualysdk.totalcloud.data_classes.resource_mappings")
    checked = 0
    for provider, spelling in (("AWS", "AWS"), ("AZURE", "Azure")):
        for kind in sorted(_types(cloud, provider)):
            model = mappings.resource_map.get(kind)
            if model is None or kind not in mappings.VALID_RESOURCETYPES[spelling.lower()]:
                continue
            body = (await gateway.get(f"{V1}/{kind}/{spelling}", params={"pageSize": 50})).json()
            for item in body["content"]:
                built = model(**item)
                assert built.resourceId == item["resourceId"]
                checked += 1
    assert checked > 50


def _types(cloud: CloudEstate, provider: str) -> set[str]:
    return {
        r.resource_type for a in cloud.accounts_of(provider) for r in cloud.account_resources(a)
    }


@pytest.mark.parametrize("host", ["gateway", "api"])
async def test_an_unknown_type_is_a_400_naming_the_valid_ones(gateway, api, host) -> None:
    client = gateway if host == "gateway" else api
    response = await client.get(f"{V1}/EC2_INSTANCE/Azure", params={"pageSize": 1})
    assert response.status_code == 400
    message = response.json()["message"]
    assert "resourceType" in message
    assert "VIRTUAL_MACHINE" in message
    assert "EC2_INSTANCE" in message
    wrong = await client.get(f"{V1}/BUCKET/alibaba", params={"pageSize": 1})
    assert wrong.status_code == 400
    assert "aws, azure, gcp or oci" in wrong.json()["message"]


async def test_v1_stops_at_the_ten_thousand_result_window(gateway) -> None:
    # qualysdk pages 0..199 of 50; the next page is past the window.
    last = await gateway.get(f"{V1}/BUCKET/AWS", params={"pageNo": 199, "pageSize": 50})
    assert last.status_code == 200
    assert last.json()["empty"] is True
    past = await gateway.get(f"{V1}/BUCKET/AWS", params={"pageNo": 200, "pageSize": 50})
    assert past.status_code == 400
    assert "10,000" in past.json()["message"]


async def test_v1_filter_updated_and_sort(gateway, cloud) -> None:
    buckets = cloud.resources_of_type("AWS", "BUCKET")
    target = buckets[3]
    one = (
        await gateway.get(
            f"{V1}/BUCKET/AWS", params={"filter": f"resource.id:{target.resource_id}"}
        )
    ).json()
    assert [i["uuid"] for i in one["content"]] == [target.uuid]
    region = (
        await gateway.get(
            f"{V1}/BUCKET/AWS", params={"filter": f"region:{target.region}", "pageSize": 500}
        )
    ).json()
    assert region["totalElements"] == sum(1 for b in buckets if b.region == target.region)
    bad = await gateway.get(f"{V1}/BUCKET/AWS", params={"filter": "colour:blue"})
    assert bad.status_code == 400
    assert "resource.id" in bad.json()["message"]
    recent = (await gateway.get(f"{V1}/BUCKET/AWS", params={"updated": "[now-30d..now]"})).json()
    assert recent["totalElements"] == len(buckets)
    old = (
        await gateway.get(f"{V1}/BUCKET/AWS", params={"updated": "[2020-01-01 ... 2020-12-31]"})
    ).json()
    assert old["totalElements"] == 0
    ordered = (
        await gateway.get(f"{V1}/BUCKET/AWS", params={"sort": "lastSyncedOn:desc", "pageSize": 500})
    ).json()["content"]
    stamps = [i["lastUpdated"] for i in ordered]
    assert stamps == sorted(stamps, reverse=True)
    assert len(set(stamps)) > 1
    assert (await gateway.get(f"{V1}/BUCKET/AWS", params={"sort": "name"})).status_code == 400
    unknown = await gateway.get(f"{V1}/BUCKET/AWS", params={"colour": "blue"})
    assert unknown.status_code == 400
    assert "colour" in unknown.json()["message"]


@pytest.mark.parametrize("provider", ["AWS", "AZURE", "GCP", "OCI"])
async def test_v2_counts_and_lists_each_providers_vms(gateway, cloud, provider) -> None:
    kind = VM_TYPES[provider]
    vms = cloud.resources_of_type(provider, kind)
    count = (await gateway.get(f"{V2}/{kind}/{provider.lower()}", params={"pageSize": 1})).json()
    assert count["totalHits"] == len(vms) > 0
    item = count["content"][0]
    assert (item["resourceId"], item["connectorId"], item["accountId"]) == (
        vms[0].resource_id, vms[0].connector_id, vms[0].account_id,
    )  # fmt: skip
    assert item["criticality"] in ("LOW", "MEDIUM", "HIGH", "CRITICAL")
    assert item["evaluatedOn"].endswith("Z")
    second = (
        await gateway.get(f"{V2}/{kind}/{provider.lower()}", params={"pageSize": 1, "pageNo": 1})
    ).json()
    assert [i["resourceId"] for i in second["content"]] == [r.resource_id for r in vms[1:2]]


async def test_detail_finds_a_resource_by_its_uuid(gateway, api, cloud) -> None:
    bucket = cloud.resources_of_type("AWS", "BUCKET")[0]
    for client in (gateway, api):
        found = await client.get(f"{V1}/BUCKET/uuid/{bucket.uuid}/AWS")
        assert found.status_code == 200
        assert (found.json()["resourceId"], found.json()["bucketName"]) == (
            bucket.resource_id,
            bucket.name,
        )
    wrong_type = await gateway.get(f"{V1}/EC2_INSTANCE/uuid/{bucket.uuid}/AWS")
    assert wrong_type.status_code == 404
    missing = await api.get(f"{V1}/BUCKET/uuid/no-such-uuid/AWS")
    assert missing.status_code == 404
    assert "no-such-uuid" in missing.json()["message"]
