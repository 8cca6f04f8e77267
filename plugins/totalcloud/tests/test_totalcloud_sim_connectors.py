"""The simulated TotalCloud connector endpoints, called as their clients call them: the
CloudView connector list and detail on both hosts (gateway with a bearer token, the API server
with Basic auth and no X-Requested-With, as qualysdk sends), and the AWS organization
connectors on the gateway.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from typing import Any

import httpx
import pytest
from qualys_totalcloud.simulator.cloud_data import CloudEstate, estate
from qualys_totalcloud.simulator.cloudview_connectors import display_name

from qualys_core.simulator import Simulator
from qualys_core.testing import FIXED_NOW

LIST = "/cloudview-api/rest/v1/{}/connectors"
ORGS = "/connectors/v1.0/aws/org/connector"
ACCOUNT_KEY = {"AWS": "awsAccountId", "AZURE": "subscriptionId", "GCP": "projectId"}
ACCOUNT_KEY["OCI"] = "tenantId"


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    return {"assets": 300, "seed": 7, "now": FIXED_NOW}


@pytest.fixture(params=["gateway", "api"])
def client(request: pytest.FixtureRequest) -> httpx.AsyncClient:
    found: httpx.AsyncClient = request.getfixturevalue(request.param)
    return found


def cloud_of(sim: Simulator) -> CloudEstate:
    return estate(sim.tenant)


@pytest.mark.parametrize("provider", ["aws", "azure", "gcp", "oci"])
async def test_every_connector_of_a_provider_with_its_account_key(
    client, qualys_simulator, provider
):
    cloud = cloud_of(qualys_simulator)
    accounts = cloud.accounts_of(provider)
    assert accounts

    response = await client.get(LIST.format(provider), params={"pageNo": 0, "pageSize": 100})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totalElements"] == len(accounts)
    assert body["last"] is True
    key = ACCOUNT_KEY[provider.upper()]
    by_id = {item["connectorId"]: item for item in body["content"]}
    assert set(by_id) == {a.connector_id for a in accounts}
    for account in accounts:
        item = by_id[account.connector_id]
        assert item[key] == account.account_id
        assert item["name"] == display_name(cloud, account)
        assert item["state"] == account.state
        assert item["error"] == account.error
        assert item["provider"] == account.provider
        assert item["totalAssets"] == len(cloud.account_resources(account))
        assert item["pollingFrequency"] == {"hours": account.polling_hours, "minutes": 0}
        synced = datetime.strptime(item["lastSyncedOn"], "%a %b %d %H:%M:%S %Z %Y")
        assert synced == account.last_synced.replace(tzinfo=None)


async def test_qualysdk_models_read_the_connectors(api, qualys_simulator):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        models = pytest.importorskip("qualysdk.totalcloud.data_classes.Connectors")
    cloud = cloud_of(qualys_simulator)
    for provider, model in (("aws", models.AWSConnector), ("azure", models.AzureConnector)):
        body = (await api.get(LIST.format(provider), params={"pageNo": 0})).json()
        # qualysdk's dataclasses take no unknown keys and parse the dates and polling object.
        parsed = [model(**item) for item in body["content"]]
        for connector, account in zip(parsed, cloud.accounts_of(provider), strict=True):
            assert connector.lastSyncedOn == account.last_synced.replace(tzinfo=None)
            assert connector.pollingFrequency == f"{account.polling_hours}h, 0m"
    aws = cloud.accounts_of("aws")
    assert [int(a.account_id) for a in aws] == [
        models.AWSConnector(**i).awsAccountId
        for i in (await api.get(LIST.format("aws"))).json()["content"]
    ]


async def test_pages_count_from_zero_until_last(client, qualys_simulator):
    accounts = cloud_of(qualys_simulator).accounts_of("aws")
    assert len(accounts) >= 3
    seen: list[str] = []
    number = 0
    while True:
        body = (
            await client.get(LIST.format("aws"), params={"pageNo": number, "pageSize": 2})
        ).json()
        assert body["number"] == number
        assert body["totalElements"] == len(accounts)
        assert body["totalPages"] == -(-len(accounts) // 2)
        seen += [item["connectorId"] for item in body["content"]]
        if body["last"]:
            break
        assert len(body["content"]) == 2
        number += 1
    assert number == body["totalPages"] - 1
    assert seen == [a.connector_id for a in accounts]
    beyond = await client.get(LIST.format("aws"), params={"pageNo": number + 1, "pageSize": 2})
    assert beyond.json()["content"] == []
    assert beyond.json()["last"] is True


async def test_filters_from_qualysdks_vocabulary(client, qualys_simulator):
    cloud = cloud_of(qualys_simulator)
    failing = [a for a in cloud.accounts_of("aws") if a.state == "ERROR"]
    pending = [a for a in cloud.accounts_of("gcp") if a.state == "PENDING"]
    assert len(failing) == 1
    assert len(pending) == 1

    async def ids(provider: str, expression: str) -> list[str]:
        response = await client.get(LIST.format(provider), params={"filter": expression})
        assert response.status_code == 200, response.text
        return [item["connectorId"] for item in response.json()["content"]]

    assert await ids("aws", "state:ERROR") == [failing[0].connector_id]
    assert await ids("gcp", "state:pending") == [pending[0].connector_id]
    assert len(await ids("aws", "state:SUCCESS,ERROR")) == len(cloud.accounts_of("aws"))
    target = cloud.accounts_of("azure")[1]
    assert await ids("azure", f"connector.uuid:{target.connector_id}") == [target.connector_id]
    assert await ids("azure", f"name:{target.alias.upper()}") == [target.connector_id]
    day = failing[0].last_synced.date()
    same_day = [a.connector_id for a in cloud.accounts_of("aws") if a.last_synced.date() == day]
    assert await ids("aws", f"lastSyncedOn:{day:%Y-%m-%d}") == same_day


async def test_sort_by_last_sync(client, qualys_simulator):
    accounts = cloud_of(qualys_simulator).accounts_of("aws")
    body = (await client.get(LIST.format("aws"), params={"sort": "lastSyncedOn:desc"})).json()
    newest_first = sorted(accounts, key=lambda a: a.last_synced, reverse=True)
    assert [i["connectorId"] for i in body["content"]] == [a.connector_id for a in newest_first]


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        (LIST.format("alibaba"), {}, "aws, azure, gcp, oci"),
        (LIST.format("aws"), {"filter": "owner:me"}, "name, description, state, connector.uuid"),
        (LIST.format("aws"), {"sort": "name:asc"}, "lastSyncedOn:asc, lastSyncedOn:desc"),
        (LIST.format("aws"), {"pageSize": "0"}, "between 1 and 1000"),
        (LIST.format("aws"), {"page": "1"}, "filter, pageNo, pageSize, sort"),
    ],
)
async def test_bad_parameters_are_a_json_400_naming_what_is_allowed(client, path, params, named):
    response = await client.get(path, params=params)
    assert response.status_code == 400
    assert named in response.json()["message"]


async def test_connector_detail_and_unknown_ids(client, qualys_simulator):
    cloud = cloud_of(qualys_simulator)
    account = next(a for a in cloud.accounts_of("gcp") if a.state == "PENDING")

    response = await client.get(f"{LIST.format('gcp')}/{account.connector_id}")

    assert response.status_code == 200
    assert response.json()["projectId"] == account.account_id
    assert response.json()["state"] == "PENDING"
    # the same id under another provider, and an id nobody has, are not found
    for path in (f"{LIST.format('aws')}/{account.connector_id}", f"{LIST.format('gcp')}/nope"):
        missing = await client.get(path)
        assert missing.status_code == 404
        assert "not found" in missing.json()["message"]


async def test_organization_connectors_with_their_details(gateway, qualys_simulator):
    cloud = cloud_of(qualys_simulator)
    assert len(cloud.org_connectors) == 2

    body = (await gateway.get(ORGS, params={"pageSize": 1000})).json()

    assert body["numberOfElements"] == len(cloud.org_connectors)
    listed = {item["id"]: item for item in body["content"]}
    for org in cloud.org_connectors:
        item = listed[org.id]
        assert item["numberOfConnectorsAttached"] == len(org.accounts)
        assert (item["state"], item["uuid"], item["name"]) == (org.state, org.uuid, org.name)
        detail = (await gateway.get(f"/connectors/v1.0/aws/org/{org.id}")).json()
        assert detail["orgRunFrequency"]["hours"] == org.run_frequency_hours
        assert detail["connectorPrefixName"] == org.prefix
        assert detail["lastError"] == org.last_error
        assert datetime.fromisoformat(detail["nextSync"]) == org.next_sync
        # the org's member connectors are the ones listed under its prefix
        names = [i["name"] for i in (await gateway.get(LIST.format("aws"))).json()["content"]]
        assert sum(1 for n in names if n.startswith(org.prefix)) == len(org.accounts)
    assert (await gateway.get("/connectors/v1.0/aws/org/12345")).status_code == 404
    assert (await gateway.get("/connectors/v1.0/aws/org/abc")).status_code == 400


async def test_the_api_host_serves_the_org_connectors_nowhere(api):
    # The Connectors API is a gateway service (qualys-mcp calls it there).
    assert (await api.get(ORGS)).status_code == 404
