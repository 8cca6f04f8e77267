"""TotalAI failing: unlicensed is `not_licensed`; the search failing while the counts answer
(and the other way round) keeps what answered and says what failed; everything failing is the
source's `unavailable`."""

from __future__ import annotations

from typing import Any

import pytest
from qualys_totalai.simulator.data import data

from qualys_core.simulator import FaultRule, SimConfig, Simulator
from qualys_core.testing import FIXED_NOW, simulator_settings

SOURCE = "totalai.detections"


@pytest.fixture
def qualys_simulator_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"assets": 200, "seed": 7, "now": FIXED_NOW, "config": request.param}


@pytest.fixture
def qualys_settings(qualys_simulator: Simulator) -> Any:
    # One attempt: a 5xx fault fails at once instead of after the client's backoff.
    return simulator_settings(qualys_simulator, max_retries=1)


def _source(env: dict[str, Any]) -> dict[str, Any]:
    (source,) = [s for s in env["sources"] if s["name"] == SOURCE]
    found: dict[str, Any] = source
    return found


def _fault(match: str) -> SimConfig:
    return SimConfig(seed=7, faults=[FaultRule(match=match, kind="error", status=500)])


@pytest.mark.parametrize(
    "qualys_simulator_options", [SimConfig(unlicensed=frozenset({"TOTALAI"}))], indirect=True
)
async def test_unlicensed_totalai_is_not_licensed(call: Any) -> None:
    for tool, args in (
        ("assess_risk", {"scope": "ai"}),
        ("security_overview", {"scope": "ai"}),
        ("investigate", {"target": "prompt injection"}),
    ):
        source = _source(await call(tool, args))
        assert source["status"] == "not_licensed", tool
        assert "TotalAI" in source["message"]


@pytest.mark.parametrize(
    "qualys_simulator_options", [_fault("totalai.detection_search")], indirect=True
)
async def test_search_failing_keeps_the_counts(call: Any, qualys_simulator: Simulator) -> None:
    everything = data(qualys_simulator.tenant).detections
    failing = sum(d.result == "FAIL" for d in everything)
    env = await call("assess_risk", {"scope": "ai"})

    assert _source(env)["status"] == "ok"
    block = env["data"][SOURCE]
    assert block["stats"]["totalai_detections"] == len(everything)
    assert block["stats"]["totalai_failing"] == failing == block["total"]
    assert "totalai_sev5" not in block["stats"]
    assert block["records"] == []
    assert env["summary"]["headline"] == (
        f"{failing:,} of {len(everything):,} TotalAI tests failing"
    )
    assert any(
        line.startswith("TotalAI detection search failed (unavailable")
        for line in env["summary"]["key_findings"]
    )
    assert qualys_simulator.log.count(route="totalai.detection_search", status=500) == 1


@pytest.mark.parametrize(
    "qualys_simulator_options", [_fault("totalai.detection_count")], indirect=True
)
async def test_counts_failing_keep_the_search(call: Any, qualys_simulator: Simulator) -> None:
    failing = [d for d in data(qualys_simulator.tenant).detections if d.result == "FAIL"]
    env = await call("assess_risk", {"scope": "ai"})

    assert _source(env)["status"] == "ok"
    block = env["data"][SOURCE]
    assert "totalai_detections" not in block["stats"]
    assert block["stats"]["totalai_failing"] == len(failing) == block["total"]
    assert block["stats"]["totalai_sev5"] == sum(d.test.severity == 5 for d in failing)
    assert len(block["records"]) == 25
    failed = [line for line in env["summary"]["key_findings"] if "failed (unavailable" in line]
    assert [line.split(" failed")[0] for line in failed] == ["TotalAI detection count"]

    briefing = await call("security_overview", {"scope": "ai"})
    assert _source(briefing)["status"] == "ok"
    assert "totalai_new" not in briefing["data"][SOURCE]["stats"]


@pytest.mark.parametrize("qualys_simulator_options", [_fault("TOTALAI")], indirect=True)
async def test_every_request_failing_is_unavailable(call: Any) -> None:
    env = await call("assess_risk", {"scope": "ai"})
    assert _source(env)["status"] == "unavailable"
    assert SOURCE not in env["data"]
