"""The simulated PCAS library endpoints over plain httpx on the gateway: the vendor's shapes,
parameters and refusals, and a library that does not depend on the tenant's size."""

from __future__ import annotations

from qualys_pcas.simulator.catalog import LIBRARY_SIZE, build_library, library_of, sections_of

from qualys_core.simulator import generate_tenant, stable_random
from qualys_core.testing import FIXED_NOW

LABELS = "/pcas/v1/library/label"
TECHS = "/pcas/v1/library/technology"
LIST = "/pcas/v1/library/policy/list"
POLICY = "/pcas/v1/library/policy"


async def test_labels_are_a_bare_list(gateway, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)
    answer = await gateway.get(LABELS)
    assert answer.status_code == 200
    assert answer.json() == [{"labelId": lab.label_id, "labelName": lab.name} for lab in lib.labels]


async def test_technologies_of_the_library_and_of_one_label(gateway, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)
    every = (await gateway.get(TECHS)).json()["technologies"]
    assert len(every) == len(lib.technologies)
    assert every[0] == {"technologyId": 45, "technologyName": "Windows Server 2016"}
    pci = (await gateway.get(TECHS, params={"labelId": "4"})).json()["technologies"]
    assert [t["technologyId"] for t in pci] == [
        t.technology_id for t in lib.technologies_of_label(4)
    ]
    assert len(pci) < len(every)
    assert (await gateway.get(TECHS, params={"labelId": "999"})).json() == {"technologies": []}


async def test_the_whole_policy_list_is_unpaged(gateway, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)
    rows = (await gateway.get(LIST, params={"pageSize": "20"})).json()
    assert len(rows) == LIBRARY_SIZE == 1247
    first = lib.policies[0]
    assert rows[0] == {
        "policyId": first.policy_id,
        "policyTitle": first.title,
        "version": first.version,
        "date": f"{first.updated:%d/%m/%Y}",
    }


async def test_a_label_list_is_nested_as_the_vendor_sample_shows(gateway, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)
    body = (await gateway.get(LIST, params={"labelId": "1"})).json()
    assert isinstance(body, list)
    assert len(body) == 1
    assert isinstance(body[0], list)
    assert [r["policyId"] for r in body[0]] == [p.policy_id for p in lib.select(label_id=1)]


async def test_filters_by_technologies_description_and_date(gateway, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)
    rows = (
        await gateway.get(
            LIST,
            params={
                "technologyId": "64,46",
                "includeDescription": "true",
                "updatedAfter": "01/01/2025",
            },
        )
    ).json()
    expected = [
        p
        for p in lib.select(technology_ids=[64, 46])
        if p.updated.date().isoformat() >= "2025-01-01"
    ]
    assert [r["policyId"] for r in rows] == [p.policy_id for p in expected]
    assert rows[0]["description"] == expected[0].description


async def test_bad_parameters_are_refused(gateway):
    assert (await gateway.get(LIST, params={"size": "5"})).status_code == 400
    assert (await gateway.get(LIST, params={"updatedAfter": "2025-01-01"})).status_code == 400
    assert (await gateway.get(LIST, params={"technologyId": "ubuntu"})).status_code == 400
    assert (await gateway.get(POLICY)).status_code == 400
    assert (
        await gateway.get(POLICY, params={"policyId": "1", "details": "all"})
    ).status_code == 400


async def test_policy_details_basic_and_full(gateway, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)
    policy = lib.policies[10]
    sections = sections_of(lib, policy)
    basic = (await gateway.get(POLICY, params={"policyId": str(policy.policy_id)})).json()
    assert basic["policyTitle"] == policy.title
    assert basic["sections"][0] == {"sectionNumber": 1, "sectionHeading": sections[0].heading}
    full = (
        await gateway.get(POLICY, params={"policyTitle": policy.title, "details": "full"})
    ).json()
    assert full["policyId"] == policy.policy_id
    control = sections[0].controls[0]
    assert full["sections"][0]["controls"][0] == {
        "controlId": control.control_id,
        "controlNumber": 1,
        "statement": control.statement,
        "criticality": control.criticality,
    }
    # qualys-mcp's detailLevel is not the vendor's name: it gets the basic answer.
    legacy = await gateway.get(
        POLICY, params={"policyId": str(policy.policy_id), "detailLevel": "full"}
    )
    assert "controls" not in legacy.json()["sections"][0]
    missing = await gateway.get(POLICY, params={"policyId": "42"})
    assert missing.status_code == 404


def test_the_library_does_not_depend_on_the_tenant_size():
    small = library_of(generate_tenant(assets=20, now=FIXED_NOW))
    large = library_of(generate_tenant(assets=500, now=FIXED_NOW))
    assert small.policies == large.policies
    assert len(small.policies) == LIBRARY_SIZE
    other = build_library(stable_random(8, "pcas", "library"), FIXED_NOW)
    assert len(other.policies) == LIBRARY_SIZE
    assert other.policies != small.policies
