"""SaaS DR when SaaSDR does not answer: unlicensed, the list failing outright (the call still
answers with the source's status), and one of the two listings failing."""

from __future__ import annotations

from typing import Any

import pytest
from qualys_sdr.simulator.data import CUSTOM_CONTROLS, controls

from qualys_core.simulator import FaultRule, SimConfig
from qualys_core.testing import FIXED_NOW, simulator_settings

SOURCE = "sdr.controls"


@pytest.fixture
def qualys_simulator_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    config = getattr(request, "param", None) or SimConfig(seed=7)
    return {"assets": 50, "seed": 7, "now": FIXED_NOW, "config": config}


@pytest.fixture
def qualys_settings(qualys_simulator):
    # One attempt: a 5xx fault fails at once instead of after the client's backoff.
    return simulator_settings(qualys_simulator, max_retries=1)


@pytest.mark.parametrize(
    "qualys_simulator_options",
    [SimConfig(seed=7, unlicensed=frozenset({"SAASDR"}))],
    indirect=True,
)
async def test_unlicensed_saasdr_is_not_licensed(call):
    for tool, arguments in (
        ("assess_risk", {"scope": "saas"}),
        ("check_compliance", {"framework": "Salesforce"}),
    ):
        env = await call(tool, arguments)
        (source,) = env["sources"]
        assert (source["name"], source["status"]) == (SOURCE, "not_licensed")
        assert "SaaS DR" in source["message"]


@pytest.mark.parametrize(
    "qualys_simulator_options",
    [SimConfig(seed=7, faults=[FaultRule(match="sdr.controls_list", kind="error")])],
    indirect=True,
)
async def test_a_failing_list_is_unavailable_and_the_call_answers(call):
    env = await call("assess_risk", {"scope": "saas"})
    (source,) = env["sources"]
    assert (source["name"], source["status"]) == (SOURCE, "unavailable")
    assert env["data"] == {} or not env["data"].get(SOURCE, {}).get("records")


@pytest.mark.parametrize(
    "qualys_simulator_options",
    [SimConfig(seed=7, faults=[FaultRule(match="sdr.controls_list", kind="error", count=1)])],
    indirect=True,
)
async def test_one_listing_failing_leaves_the_other(call, qualys_simulator):
    library = controls(qualys_simulator.tenant)
    env = await call("assess_risk", {"scope": "saas", "limit": 500})
    (source,) = env["sources"]
    assert source["status"] == "ok"
    stats = env["data"][SOURCE]["stats"]
    failed = stats["saas_failed_listings"]
    assert failed in ("built-in", "custom")
    custom = failed == "built-in"
    kept = [c for c in library if c.is_custom == custom]
    assert stats["saas_controls"] == len(kept) == (CUSTOM_CONTROLS if custom else 110)
    assert any(t.startswith(f"SaaS DR {failed} controls: no answer (unavailable") for t in
               env["summary"]["key_findings"])  # fmt: skip
