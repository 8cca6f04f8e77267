"""The simulated SaaSDR endpoints through plain HTTP on the gateway: paging, the isCustom
filter, refused parameters, the custom control detail and its 404."""

from __future__ import annotations

from qualys_sdr.simulator.catalog import CONNECTOR_TYPES
from qualys_sdr.simulator.data import CUSTOM_CONTROLS, build_controls, controls

from qualys_core.simulator import Simulator

LIST = "/sdr/api/controls/list"


async def _all_pages(gateway, size: int, **params: str) -> tuple[list[dict], list[int]]:
    items: list[dict] = []
    totals: list[int] = []
    number = 0
    while True:
        query = {"pageSize": size, "pageNumber": number, **params}
        response = await gateway.get(LIST, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        totals.append(body["totalElements"])
        if not body["content"]:
            return items, totals
        assert len(body["content"]) <= size
        items += body["content"]
        number += 1


async def test_pages_cover_the_library_once_in_order(gateway, qualys_simulator: Simulator):
    library = controls(qualys_simulator.tenant)
    assert len(library) == 128  # the catalogue fixture's totalElements
    items, totals = await _all_pages(gateway, 50)
    assert [i["cid"] for i in items] == [c.cid for c in library]
    assert set(totals) == {128}
    first = library[0]
    assert items[0] == {
        "cid": first.cid,
        "name": first.name,
        "criticality": first.criticality,
        "criticalityNo": first.criticality_no,
        "description": first.description,
        "connectorType": first.connector_type,
        "entityType": first.entity_type,
        "isCustom": False,
    }
    page = (await gateway.get(LIST, params={"pageSize": 50, "pageNumber": 2})).json()
    assert [i["cid"] for i in page["content"]] == [c.cid for c in library[100:128]]


async def test_is_custom_filters_and_totals(gateway, qualys_simulator: Simulator):
    library = controls(qualys_simulator.tenant)
    custom, totals = await _all_pages(gateway, 7, isCustom="true")
    assert [i["cid"] for i in custom] == [c.cid for c in library if c.is_custom]
    assert len(custom) == CUSTOM_CONTROLS == totals[0]
    assert all(i["isCustom"] is True for i in custom)
    built_in, totals = await _all_pages(gateway, 40, isCustom="FALSE")
    assert len(built_in) == 128 - CUSTOM_CONTROLS == totals[0]
    assert not any(i["isCustom"] for i in built_in)


async def test_the_probe_size_parameter_is_the_page_size(gateway):
    body = (await gateway.get(LIST, params={"size": 1})).json()
    assert len(body["content"]) == 1
    assert body["totalElements"] == 128
    body = (await gateway.get(LIST, params={"size": 1, "pageSize": 3})).json()
    assert len(body["content"]) == 3


async def test_bad_parameters_answer_400_naming_them(gateway):
    cases = {
        "page": {"page": "1"},
        "isCustom": {"isCustom": "yes"},
        "pageSize": {"pageSize": "0"},
        "pageNumber": {"pageNumber": "-1"},
    }
    for name, params in cases.items():
        response = await gateway.get(LIST, params=params)
        assert response.status_code == 400, name
        assert name in response.json()["message"]
    response = await gateway.get(LIST, params={"pageSize": "many"})
    assert response.status_code == 400


async def test_custom_control_detail_is_the_vendor_shape(gateway, qualys_simulator: Simulator):
    custom = [c for c in controls(qualys_simulator.tenant) if c.is_custom]
    control = custom[3]
    response = await gateway.get(f"/sdr/api/custom/controls/get/{control.cid}")
    assert response.status_code == 200
    assert response.json() == {
        "cid": control.cid,
        "name": control.name,
        "criticality": control.criticality,
        "criticalityNo": control.criticality_no,
        "description": control.description,
        "connectorType": control.connector_type,
        "entityType": control.entity_type,
        "entityIdParam": control.entity_id_param,
        "predicate": control.predicate,
        "evidences": [
            {
                "evidenceKey": control.evidence_key,
                "evidenceSuccess": control.evidence_path,
                "evidenceFail": control.evidence_path,
            }
        ],
        "scope": "API",
        "xpath": control.xpath,
    }


async def test_detail_of_a_built_in_or_unknown_control_is_404(gateway, qualys_simulator):
    built_in = controls(qualys_simulator.tenant)[0]
    for cid in (built_in.cid, "99999"):
        response = await gateway.get(f"/sdr/api/custom/controls/get/{cid}")
        assert response.status_code == 404
        assert cid in response.json()["message"]
    response = await gateway.get("/sdr/api/custom/controls/get/90001", params={"x": "1"})
    assert response.status_code == 400


def test_the_library_is_deterministic_and_spans_the_applications(qualys_simulator):
    tenant = qualys_simulator.tenant
    library = controls(tenant)
    assert library == build_controls(tenant)
    assert {c.connector_type for c in library} == set(CONNECTOR_TYPES)
    assert {c.criticality for c in library} == {"Low", "Medium", "High"}
    assert len({c.cid for c in library}) == len(library)
    names = {c.name for c in library if not c.is_custom}
    assert all(c.name in names for c in library if c.is_custom)  # copies of built-in ones
