"""Our SaaSDR client on `qualys_client` against the simulator: every page of the list, the
isCustom filter, the custom control detail, and unknown fields passed through."""

from __future__ import annotations

from qualys_sdr.api.controls import (
    Evidence,
    get_custom_control,
    list_controls,
    parse_control,
    parse_custom_control,
)
from qualys_sdr.simulator.data import controls


async def test_list_reads_every_page_and_filters(qualys_client, qualys_simulator):
    library = controls(qualys_simulator.tenant)
    listing = await list_controls(qualys_client, page_size=17)
    assert listing.total == len(library)
    assert [c.cid for c in listing.controls] == [c.cid for c in library]
    first = listing.controls[0]
    assert (first.name, first.criticality, first.criticality_no) == (
        library[0].name,
        library[0].criticality,
        library[0].criticality_no,
    )
    assert (first.connector_type, first.entity_type) == (
        library[0].connector_type,
        library[0].entity_type,
    )
    assert first.extra == {}
    custom = await list_controls(qualys_client, is_custom=True)
    assert [c.cid for c in custom.controls] == [c.cid for c in library if c.is_custom]
    assert all(c.is_custom for c in custom.controls)
    assert custom.total == 18
    some = await list_controls(qualys_client, is_custom=False, limit=60)
    assert len(some.controls) == 60
    assert some.total == 110
    requests = qualys_simulator.log.select(route="sdr.controls_list")
    assert requests[0].params == {"pageSize": "17", "pageNumber": "0"}


async def test_custom_control_detail(qualys_client, qualys_simulator):
    truth = [c for c in controls(qualys_simulator.tenant) if c.is_custom][5]
    control = await get_custom_control(qualys_client, truth.cid)
    assert control is not None
    assert (control.cid, control.name, control.criticality) == (
        truth.cid,
        truth.name,
        truth.criticality,
    )
    assert control.predicate == truth.predicate
    assert control.entity_id_param == truth.entity_id_param
    assert control.evidences == (
        Evidence(key=truth.evidence_key, success=truth.evidence_path, fail=truth.evidence_path),
    )
    assert (control.scope, control.xpath) == ("API", truth.xpath)
    assert control.extra == {}
    assert await get_custom_control(qualys_client, "10001") is None  # built-in: no detail


def test_unknown_fields_pass_through_untouched():
    item = {
        "id": "ctl-1",
        "name": "MFA enforced for all admins",
        "isCustom": "false",
        "criticalityNo": "3",
        "policies": [{"name": "CIS"}],
        "lastEvaluated": None,
    }
    control = parse_control(item)
    assert control is not None
    assert (control.cid, control.is_custom, control.criticality_no) == ("ctl-1", False, 3)
    assert control.extra == {"policies": [{"name": "CIS"}], "lastEvaluated": None}
    assert parse_control({"criticality": "High"}) is None
    detail = parse_custom_control({"cid": 7, "evidences": {"evidenceKey": "k"}, "owner": "x"})
    assert detail.cid == "7"
    assert detail.evidences == (Evidence(key="k"),)
    assert detail.extra == {"owner": "x"}
