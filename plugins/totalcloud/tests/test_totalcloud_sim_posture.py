"""The simulated CloudView posture endpoints over plain httpx: an account's control evaluations
and the resources a control evaluated, on the gateway and on the API server; paging, filters
(qualys-mcp's `result:FAIL`, qualys-mcp-full's QQL, several joined with `and`), 400 on a bad
filter, an unknown account.

Expectations come from the simulated estate (`cloud_data.estate(tenant)`).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from qualys_totalcloud.simulator.cloud_data import CloudAccount, CloudEstate, estate

from qualys_core.simulator import Simulator
from qualys_core.testing import FIXED_NOW

BASE = "/cloudview-api/rest/v1"


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    return {"assets": 300, "seed": 7, "now": FIXED_NOW}


@pytest.fixture
def cloud(qualys_simulator: Simulator) -> CloudEstate:
    return estate(qualys_simulator.tenant)


def busiest(cloud: CloudEstate, provider: str) -> CloudAccount:
    """The provider's account with the most failing controls."""
    return max(
        cloud.accounts_of(provider),
        key=lambda a: sum(1 for e in cloud.evaluations(a) if e.result == "FAIL"),
    )


async def all_pages(client: httpx.AsyncClient, path: str, **params: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    page = 0
    while True:
        response = await client.get(path, params={**params, "pageNo": str(page), "pageSize": "4"})
        assert response.status_code == 200, response.text
        body = response.json()
        rows += body["content"]
        assert body["number"] == page
        assert body["size"] == 4
        if body["last"]:
            assert body["totalPages"] == page + 1
            return rows
        assert len(body["content"]) == 4
        page += 1


async def test_evaluations_page_through_every_control_of_the_account(gateway, cloud):
    account = busiest(cloud, "AWS")
    expected = cloud.evaluations(account)

    rows = await all_pages(gateway, f"{BASE}/aws/evaluations/{account.account_id}")

    assert [r["controlId"] for r in rows] == [e.control.cid for e in expected]
    for row, evaluation in zip(rows, expected, strict=True):
        assert row["controlName"] == evaluation.control.name
        assert row["service"] == evaluation.control.service
        assert row["criticality"] == evaluation.control.criticality
        assert row["policyNames"] == list(evaluation.control.policies)
        assert row["result"] == evaluation.result
        assert row["failedResources"] == evaluation.failed
        assert row["passedResources"] == evaluation.passed
        assert row["passWithExceptionResources"] == 0


async def test_count_call_reads_total_elements_of_a_filtered_one_row_page(gateway, cloud):
    account = busiest(cloud, "AZURE")
    failing = [e for e in cloud.evaluations(account) if e.result == "FAIL"]

    response = await gateway.get(
        f"{BASE}/azure/evaluations/{account.account_id}",
        params={"pageSize": "1", "pageNo": "0", "filter": "result:FAIL"},
    )

    body = response.json()
    assert body["totalElements"] == len(failing) > 1
    assert len(body["content"]) == 1
    assert body["last"] is False
    assert body["empty"] is False


@pytest.mark.parametrize(
    ("flt", "keep"),
    [
        ("result:FAIL", lambda e: e.result == "FAIL"),
        ("evaluation.result:PASS", lambda e: e.result == "PASS"),
        ("service:S3", lambda e: e.control.service == "S3"),
        ("service.type:s3", lambda e: e.control.service == "S3"),
        ("criticality:critical", lambda e: e.control.criticality == "CRITICAL"),
        (
            "control.criticality:HIGH and evaluation.result:FAIL",
            lambda e: e.control.criticality == "HIGH" and e.result == "FAIL",
        ),
        (
            "criticality:CRITICAL,HIGH AND result:FAIL",
            lambda e: e.control.criticality in {"CRITICAL", "HIGH"} and e.result == "FAIL",
        ),
        ("cid:61", lambda e: e.control.cid == 61),
        ('control.name:"public ip"', lambda e: "public IP" in e.control.name),
    ],
)
async def test_evaluation_filters(gateway, cloud, flt, keep):
    account = busiest(cloud, "AWS")
    expected = [e.control.cid for e in cloud.evaluations(account) if keep(e)]
    assert expected  # each filter selects something in this account

    response = await gateway.get(
        f"{BASE}/aws/evaluations/{account.account_id}", params={"filter": flt, "pageSize": "100"}
    )

    assert response.status_code == 200, response.text
    assert [r["controlId"] for r in response.json()["content"]] == expected


async def test_a_service_with_spaces_filters_quoted_or_not(gateway, cloud):
    account = busiest(cloud, "AZURE")
    expected = {
        e.control.cid for e in cloud.evaluations(account) if e.control.service == "Virtual Machine"
    }
    for flt in ('service:"Virtual Machine"', "service:Virtual Machine and result:PASS,FAIL"):
        response = await gateway.get(
            f"{BASE}/azure/evaluations/{account.account_id}", params={"filter": flt}
        )
        assert {r["controlId"] for r in response.json()["content"]} == expected


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"filter": "severity:5"}, "result, evaluation.result, service"),
        ({"filter": "result:BROKEN"}, "PASS, FAIL"),
        ({"filter": "result"}, "result, evaluation.result"),
        ({"pageSize": "0"}, "pageSize"),
        ({"pageNo": "-1"}, "pageNo"),
    ],
)
async def test_bad_parameters_answer_400_naming_what_is_allowed(gateway, api, cloud, params, named):
    account = busiest(cloud, "AWS")
    for client in (gateway, api):
        response = await client.get(f"{BASE}/aws/evaluations/{account.account_id}", params=params)
        assert response.status_code == 400
        assert named in response.json()["message"]


async def test_unknown_provider_is_a_400_and_unknown_account_an_empty_page(gateway):
    bad = await gateway.get(f"{BASE}/alibaba/evaluations/123")
    assert bad.status_code == 400
    assert "aws, azure, gcp, oci" in bad.json()["message"]

    empty = await gateway.get(f"{BASE}/aws/evaluations/000000000000")
    body = empty.json()
    assert empty.status_code == 200
    assert body["content"] == []
    assert body["empty"] is True
    assert body["totalElements"] == 0


async def test_resources_of_a_control_are_its_estate_results(gateway, cloud):
    account = busiest(cloud, "AWS")
    evaluation = max(cloud.evaluations(account), key=lambda e: e.failed)
    failing = [r for r in evaluation.results if r.result == "FAIL"]
    path = f"{BASE}/aws/evaluations/{account.account_id}/resources/{evaluation.control.cid}"

    every = await all_pages(gateway, path)
    failed = await all_pages(gateway, path, filter="result:FAIL")

    assert [r["resourceId"] for r in every] == [r.resource.resource_id for r in evaluation.results]
    assert [r["resourceId"] for r in failed] == [r.resource.resource_id for r in failing]
    first, row = failing[0], failed[0]
    assert row["result"] == "FAIL"
    assert row["accountId"] == account.account_id
    assert row["resourceType"] == evaluation.control.resource_type
    assert row["region"] == first.resource.region
    assert row["connectorId"] == account.connector_id
    assert row["evaluationDates"]["firstEvaluated"] == first.first_evaluated.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


async def test_resource_filters_and_azure_subscription_key(gateway, api, cloud):
    account = busiest(cloud, "AZURE")
    evaluation = max(cloud.evaluations(account), key=lambda e: e.failed)
    region = evaluation.results[0].resource.region
    path = f"{BASE}/azure/evaluations/{account.account_id}/resources/{evaluation.control.cid}"
    expected = [r.resource.resource_id for r in evaluation.results if r.resource.region == region]

    for client in (gateway, api):
        response = await client.get(path, params={"filter": f"region:{region}", "pageSize": "100"})
        rows = response.json()["content"]
        assert [r["resourceId"] for r in rows] == expected
        # qualysdk renames an Azure row's subscriptionId to accountId
        assert {r["subscriptionId"] for r in rows} == {account.account_id}
        assert all("accountId" not in r for r in rows)

    bad = await gateway.get(path, params={"filter": "service:S3"})
    assert bad.status_code == 400
    assert "resourceId" in bad.json()["message"]


async def test_api_server_serves_qualysdk_without_requested_with(api, cloud):
    account = busiest(cloud, "AWS")
    expected = [e.control.cid for e in cloud.evaluations(account) if e.result == "FAIL"]

    response = await api.get(
        f"{BASE}/aws/evaluations/{account.account_id}", params={"filter": "result:FAIL"}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["empty"] is False
    assert [r["controlId"] for r in body["content"]] == expected
