"""The simulated CloudView control library and mandates, through plain httpx on both hosts, and
our client (`api.controls`) reading them back: every answer is checked against the catalogue
the estate is built from (`cloud_catalog.CONTROLS`, `MANDATES`).
"""

from __future__ import annotations

from typing import Any

import pytest
from qualys_totalcloud.api.controls import list_control_metadata, list_mandates
from qualys_totalcloud.simulator.cloud_catalog import CIS_POLICY, CONTROLS, MANDATES, PCI

from qualys_core.errors import NotLicensed
from qualys_core.simulator import SimConfig
from qualys_core.testing import FIXED_NOW

CONTROLS_PATH = "/cloudview-api/rest/v1/controls/metadata/list"
MANDATES_PATH = "/cloudview-api/rest/v1/mandates"


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    return {"assets": 120, "seed": 7, "now": FIXED_NOW}


def cids(provider: str, **where: Any) -> list[int]:
    return sorted(
        c.cid
        for c in CONTROLS
        if c.provider == provider and all(getattr(c, k) == v for k, v in where.items())
    )


async def test_metadata_lists_a_providers_controls_with_qualysdk_fields(gateway):
    response = await gateway.get(
        CONTROLS_PATH, params={"filter": "provider:AWS", "pageNo": 0, "pageSize": 100}
    )
    assert response.status_code == 200
    body = response.json()
    assert "warning" not in body
    assert [c["cid"] for c in body["control"]] == cids("AWS")
    by_cid = {c.cid: c for c in CONTROLS}
    for item in body["control"]:
        control = by_cid[item["cid"]]
        assert item["controlName"] == control.name
        assert item["serviceType"] == control.service
        assert item["resourceType"] == control.resource_type
        assert item["criticality"] == control.criticality
        assert item["policyNames"] == list(control.policies)
        assert item["controlType"] == "System Defined"
        assert item["created"].endswith("+0000")
        assert item["created"] <= item["modified"]
        assert set(item["evaluation"]) == {"description", "passMessage", "failMessage"}


async def test_metadata_pages_carry_a_warning_until_the_last(api):
    """qualysdk's loop (Basic auth on the API server): next page while `warning` is there."""
    seen: list[int] = []
    page = 0
    while True:
        response = await api.get(CONTROLS_PATH, params={"pageNo": page, "pageSize": 8})
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [c["cid"] for c in body["control"]]
        if "warning" not in body:
            break
        assert f"pageNo={page + 1}" in body["warning"]["url"]
        page += 1
    order = {"AWS": 0, "AZURE": 1, "GCP": 2, "OCI": 3}
    assert seen == [c.cid for c in sorted(CONTROLS, key=lambda c: (order[c.provider], c.cid))]
    assert page == (len(CONTROLS) - 1) // 8


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("provider:GCP and policy.name:CIS", cids("GCP")),
        ("provider:AWS and policy.name:Best Practices", cids("AWS")),
        ("cid:21,22,201", [21, 22, 201]),
        ("control.criticality:critical and provider:AZURE", cids("AZURE", criticality="CRITICAL")),
        ("service.type:S3", cids("AWS", service="S3")),
        ("resource.type:BUCKET and provider:OCI", cids("OCI", resource_type="BUCKET")),
        ("control.name:public ip", [62, 402, 602]),
    ],
)
async def test_metadata_filters(gateway, query, expected):
    if "policy.name:CIS" in query:  # controls that are only in the best-practices policy
        expected = [c for c in expected if CIS_POLICY["GCP"] in _policies(c)]
    response = await gateway.get(CONTROLS_PATH, params={"filter": query, "pageSize": 1000})
    assert response.status_code == 200, response.text
    assert sorted(c["cid"] for c in response.json()["control"]) == expected


def _policies(cid: int) -> tuple[str, ...]:
    return next(c.policies for c in CONTROLS if c.cid == cid)


async def test_metadata_sorts_by_cid_descending(gateway):
    response = await gateway.get(
        CONTROLS_PATH, params={"filter": "provider:OCI", "sort": "cid:desc"}
    )
    assert [c["cid"] for c in response.json()["control"]] == cids("OCI")[::-1]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"filter": "control.cloudType:AWS"}, "control.cloudType"),
        ({"filter": "createdDate:[2024-01-01 ... 2024-02-01]"}, "createdDate"),
        ({"filter": "provider"}, "key:value"),
        ({"pageSize": "0"}, "pageSize"),
        ({"limit": "5"}, "limit"),
    ],
)
async def test_metadata_refuses_what_it_cannot_answer(api, params, named):
    response = await api.get(CONTROLS_PATH, params=params)
    assert response.status_code == 400
    assert named in response.json()["message"]


async def test_mandates_map_each_framework_to_its_controls(gateway):
    response = await gateway.get(MANDATES_PATH, params={"pageNo": 0, "pageSize": 50})
    assert response.status_code == 200
    body = response.json()
    assert body["totalElements"] == len(MANDATES)
    assert body["last"] is True
    assert [m["name"] for m in body["content"]] == list(MANDATES)
    for mandate in body["content"]:
        expected = {(c.provider, c.cid) for c in CONTROLS if mandate["name"] in c.mandates}
        assert {(c["provider"], c["cid"]) for c in mandate["controls"]} == expected


async def test_mandates_filter_by_name_and_provider_and_page(api):
    response = await api.get(MANDATES_PATH, params={"filter": "name:pci and provider:AZURE"})
    body = response.json()
    assert [m["name"] for m in body["content"]] == [PCI]
    assert {c["cid"] for c in body["content"][0]["controls"]} == {
        c.cid for c in CONTROLS if c.provider == "AZURE" and PCI in c.mandates
    }
    first = (await api.get(MANDATES_PATH, params={"pageNo": 0, "pageSize": 2})).json()
    last = (await api.get(MANDATES_PATH, params={"pageNo": 2, "pageSize": 2})).json()
    assert (len(first["content"]), first["last"]) == (2, False)
    assert [m["name"] for m in last["content"]] == [MANDATES[4]]
    assert last["last"] is True
    bad = await api.get(MANDATES_PATH, params={"filter": "provider:IBM"})
    assert bad.status_code == 400
    assert "IBM" in bad.json()["message"]


async def test_our_client_reads_the_library_and_mandates_page_by_page(qualys_client):
    controls = await list_control_metadata(qualys_client, "azure", page_size=4)
    assert [c.cid for c in controls] == cids("AZURE")
    first = controls[0]
    assert (first.provider, first.service, first.criticality) == (
        "AZURE",
        "Virtual Machine",
        "HIGH",
    )
    assert first.policies == (CIS_POLICY["AZURE"], "Azure Best Practices Policy")
    cis_only = await list_control_metadata(qualys_client, "aws", filter="policy.name:CIS")
    in_cis = [cid for cid in cids("AWS") if CIS_POLICY["AWS"] in _policies(cid)]
    assert [c.cid for c in cis_only] == in_cis
    assert len(in_cis) < len(cids("AWS"))
    mandates, total = await list_mandates(qualys_client, page_size=2)
    assert total == len(MANDATES)
    assert [m.name for m in mandates] == list(MANDATES)
    nist = mandates[1]
    assert {(c.provider, c.cid) for c in nist.controls} == {
        (c.provider, c.cid) for c in CONTROLS if nist.name in c.mandates
    }


class TestUnlicensed:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        return {
            "assets": 120,
            "seed": 7,
            "now": FIXED_NOW,
            "config": SimConfig(unlicensed=frozenset({"CLOUDVIEW"})),
        }

    async def test_both_routes_answer_404_and_our_client_says_not_licensed(
        self, gateway, api, qualys_client
    ):
        assert (await gateway.get(CONTROLS_PATH)).status_code == 404
        assert (await api.get(MANDATES_PATH)).status_code == 404
        with pytest.raises(NotLicensed):
            await list_mandates(qualys_client)
