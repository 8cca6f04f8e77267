"""Our resource inventory client (api/resources.py) on the simulator: v1 paging, v2 counts and
listings, the detail call, and one normalised record from either API's spellings."""

from __future__ import annotations

import pytest
from qualys_totalcloud.api.resources import (
    count_resources,
    inventory_api,
    list_resources,
    resource_details,
    types_for_service,
)
from qualys_totalcloud.simulator.cloud_data import estate

from qualys_core.errors import BadRequest
from qualys_core.simulator import Simulator


async def test_v1_listing_follows_the_pages(qualys_client, qualys_simulator: Simulator) -> None:
    users = estate(qualys_simulator.tenant).resources_of_type("AWS", "IAM_USER")
    assert len(users) > 50  # more than one of the client's 50-record pages
    found, total = await list_resources(qualys_client, "aws", "IAM_USER")
    assert total == len(users)
    assert [r.resource_id for r in found] == [u.resource_id for u in users]
    assert {r.account_id for r in found} == {u.account_id for u in users}
    calls = qualys_simulator.log.select(path="/cloudview-api/rest/v1/resource/IAM_USER/AWS")
    assert [c.params["pageNo"] for c in calls] == ["0", "1"]
    assert {c.params["pageSize"] for c in calls} == {"50"}


async def test_a_limit_stops_the_listing_early(qualys_client, qualys_simulator) -> None:
    found, total = await list_resources(qualys_client, "aws", "IAM_USER", limit=5)
    assert len(found) == 5
    assert total == len(estate(qualys_simulator.tenant).resources_of_type("AWS", "IAM_USER"))
    assert qualys_simulator.log.count(path="/cloudview-api/rest/v1/resource/IAM_USER/AWS") == 1


@pytest.mark.parametrize(
    ("provider", "kind"),
    [
        ("aws", "EC2_INSTANCE"),
        ("azure", "VIRTUAL_MACHINE"),
        ("gcp", "VM_INSTANCE"),
        ("oci", "INSTANCE"),
    ],
)
async def test_counts_from_v1_and_v2_agree_with_the_estate(
    qualys_client, qualys_simulator, provider, kind
) -> None:
    expected = len(estate(qualys_simulator.tenant).resources_of_type(provider, kind))
    assert expected > 0
    assert await count_resources(qualys_client, provider, kind, api="v2") == expected
    assert await count_resources(qualys_client, provider, kind, api="v1") == expected
    v2 = qualys_simulator.log.select(path=f"/cloudview-api/rest/v2/resource/{kind}/{provider}")
    assert [c.params["pageSize"] for c in v2] == ["1"]


async def test_oci_is_read_from_v2(qualys_client, qualys_simulator) -> None:
    assert inventory_api("oci") == "v2"
    assert inventory_api("aws") == "v1"
    buckets = estate(qualys_simulator.tenant).resources_of_type("OCI", "BUCKET")
    found, total = await list_resources(qualys_client, "oci", "BUCKET")
    assert (total, [r.name for r in found]) == (len(buckets), [b.name for b in buckets])
    assert qualys_simulator.log.count(path="/cloudview-api/rest/v2/resource/BUCKET/oci") == 1
    assert qualys_simulator.log.count(path="/cloudview-api/rest/v1/*") == 0


async def test_v1_and_v2_records_normalise_alike(qualys_client) -> None:
    v1, _ = await list_resources(qualys_client, "azure", "VIRTUAL_MACHINE", api="v1")
    v2, _ = await list_resources(qualys_client, "azure", "VIRTUAL_MACHINE", api="v2")
    fields = ("resource_id", "uuid", "name", "region", "account_id", "connector_id",
              "evaluated_on", "created", "criticality")  # fmt: skip
    assert [[getattr(r, f) for f in fields] for r in v1] == [
        [getattr(r, f) for f in fields] for r in v2
    ]
    assert all(r.account_id and r.connector_id and r.evaluated_on for r in v1)
    assert {r.criticality for r in v1} <= {"LOW", "MEDIUM", "HIGH", "CRITICAL"}


async def test_detail_by_uuid(qualys_client, qualys_simulator) -> None:
    bucket = estate(qualys_simulator.tenant).resources_of_type("AWS", "BUCKET")[2]
    found = await resource_details(qualys_client, "aws", "BUCKET", bucket.uuid)
    assert found is not None
    assert (found.resource_id, found.account_id, found.region) == (
        bucket.resource_id, bucket.account_id, bucket.region,
    )  # fmt: skip
    assert await resource_details(qualys_client, "aws", "BUCKET", "no-such-uuid") is None


async def test_an_unknown_type_is_a_bad_request(qualys_client) -> None:
    with pytest.raises(BadRequest, match="VIRTUAL_MACHINE"):
        await count_resources(qualys_client, "azure", "EC2_INSTANCE")


def test_services_name_resource_types() -> None:
    assert types_for_service("aws", "S3") == ("BUCKET",)
    assert types_for_service("aws", "ec2") == ("EC2_INSTANCE",)
    assert types_for_service("azure", "Storage Account") == ("STORAGE_ACCOUNT",)
    assert types_for_service("azure", "nsg") == ("NETWORK_SECURITY_GROUP",)
    assert types_for_service("gcp", "bucket") == ("BUCKET",)
    assert types_for_service("azure", "S3") == ()
