"""CDR failing or unlicensed, with the whole TotalCloud plugin loaded: the CDR source reports
its status (HTTP 500 is the reference's CDR_UNAVAILABLE) and the other sources still answer."""

from __future__ import annotations

from typing import Any

import pytest
from qualys_totalcloud.simulator.cloud_catalog import VM_TYPES
from qualys_totalcloud.simulator.cloud_data import estate

from qualys_core.simulator import FaultRule, SimConfig, Simulator
from qualys_core.testing import FIXED_NOW, simulator_settings

CDR = "totalcloud.cdr_findings"
INVENTORY = "totalcloud.inventory"


@pytest.fixture
def qualys_simulator_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"assets": 200, "seed": 7, "now": FIXED_NOW, "config": request.param}


@pytest.fixture
def qualys_settings(qualys_simulator: Simulator) -> Any:
    # One attempt: a 5xx fault fails at once instead of after the client's backoff.
    return simulator_settings(qualys_simulator, max_retries=1)


def _statuses(env: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in env["sources"]}


def _vms(simulator: Simulator) -> int:
    cloud = estate(simulator.tenant)
    return sum(len(cloud.resources_of_type(p, kind)) for p, kind in VM_TYPES.items())


@pytest.mark.parametrize(
    "qualys_simulator_options",
    [
        SimConfig(
            seed=7, faults=[FaultRule(match="totalcloud.cdr_findings", kind="error", status=500)]
        )
    ],
    indirect=True,
)
async def test_a_cdr_500_is_unavailable_and_the_rest_answers(call, qualys_simulator) -> None:
    env = await call("assess_risk", {"scope": "cloud"})
    found = _statuses(env)
    assert found[CDR]["status"] == "unavailable"
    assert CDR not in env["data"]
    assert found[INVENTORY]["status"] == "ok"
    assert env["data"][INVENTORY]["stats"]["cloud_vms"] == _vms(qualys_simulator)
    assert qualys_simulator.log.count(route="totalcloud.cdr_findings", status=500) >= 1
    briefing = await call("security_overview", {"scope": "cloud"})
    assert _statuses(briefing)[CDR]["status"] == "unavailable"


@pytest.mark.parametrize(
    "qualys_simulator_options", [SimConfig(seed=7, unlicensed=frozenset({"CDR"}))], indirect=True
)
async def test_unlicensed_cdr_is_not_licensed_and_the_inventory_answers(
    call, qualys_simulator
) -> None:
    env = await call("assess_risk", {"scope": "cloud"})
    found = _statuses(env)
    assert found[CDR]["status"] == "not_licensed"
    assert "CDR" in found[CDR]["message"]
    assert found[INVENTORY]["status"] == "ok"
    assert env["data"][INVENTORY]["stats"]["cloud_vms"] == _vms(qualys_simulator)


@pytest.mark.parametrize(
    "qualys_simulator_options",
    [SimConfig(seed=7, unlicensed=frozenset({"CLOUDVIEW"}))],
    indirect=True,
)
async def test_unlicensed_cloudview_leaves_cdr_answering(call) -> None:
    env = await call("assess_risk", {"scope": "cloud"})
    found = _statuses(env)
    assert found[INVENTORY]["status"] == "not_licensed"
    assert found[CDR]["status"] == "ok"
    assert env["data"][CDR]["stats"]["cdr_findings"] > 0
