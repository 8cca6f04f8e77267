"""The posture aggregators when Qualys fails: one provider's evaluations unavailable while the
others answer (named in stats and a finding), one account failing, and CloudView not licensed.
"""

from __future__ import annotations

from typing import Any

import pytest
from qualys_totalcloud.simulator.cloud_data import CloudEstate, estate

from qualys_core.simulator import FaultRule, SimConfig, Simulator
from qualys_core.testing import FIXED_NOW, simulator_settings

POSTURE = "totalcloud.posture"
COUNTS = "totalcloud.posture_counts"


@pytest.fixture
def qualys_settings(qualys_simulator: Simulator) -> Any:
    # one attempt per call: the faults below are permanent, retrying only slows the test
    return simulator_settings(qualys_simulator, max_retries=1)


@pytest.fixture
def cloud(qualys_simulator: Simulator) -> CloudEstate:
    return estate(qualys_simulator.tenant)


def failing_controls(cloud: CloudEstate, provider: str) -> int:
    return sum(
        1 for a in cloud.accounts_of(provider) for e in cloud.evaluations(a) if e.result == "FAIL"
    )


class TestAzureEvaluationsDown:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        fault = FaultRule(match="/cloudview-api/rest/v1/azure/evaluations/*", kind="error")
        return {"assets": 300, "seed": 7, "now": FIXED_NOW, "config": SimConfig(faults=[fault])}

    async def test_posture_answers_without_azure_and_names_it(self, call, cloud):
        env = await call("assess_risk", {"scope": "cloud", "limit": 100})

        assert {s["name"]: s["status"] for s in env["sources"]}[POSTURE] == "ok"
        block = env["data"][POSTURE]
        accounts = {r["account_id"] for r in block["records"] if r["kind"] == "account"}
        assert accounts & {a.account_id for a in cloud.accounts_of("AWS")} == {
            a.account_id for a in cloud.accounts_of("AWS")
        }
        assert not accounts & {a.account_id for a in cloud.accounts_of("AZURE")}
        assert block["stats"]["failed_providers"] == "Azure"
        assert block["stats"]["failing_controls_aws"] == failing_controls(cloud, "AWS")
        assert "failing_controls_azure" not in block["stats"]

    async def test_counts_answer_without_azure(self, call, cloud):
        env = await call("security_overview", {"scope": "cloud"})

        block = env["data"][COUNTS]
        assert block["stats"]["failed_providers"] == "Azure"
        assert block["stats"]["failing_controls_aws"] == failing_controls(cloud, "AWS")


class TestOneAccountDown:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        # the prod AWS account of the seed-7 tenant (every size keeps its account ids)
        fault = FaultRule(match="/cloudview-api/rest/v1/aws/evaluations/363581866209", kind="error")
        return {"assets": 300, "seed": 7, "now": FIXED_NOW, "config": SimConfig(faults=[fault])}

    async def test_the_other_accounts_of_the_provider_answer(self, call, cloud):
        assert cloud.account("AWS", "363581866209") is not None

        env = await call("assess_risk", {"scope": "cloud", "provider": "aws"})

        block = env["data"][POSTURE]
        accounts = {r["account_id"] for r in block["records"] if r["kind"] == "account"}
        assert accounts == {a.account_id for a in cloud.accounts_of("AWS")} - {"363581866209"}
        assert block["stats"]["failed_accounts"] == "363581866209"
        assert "failed_providers" not in block["stats"]

    async def test_narrowed_to_that_account_the_source_is_unavailable(self, call):
        env = await call("assess_risk", {"scope": "cloud", "account_id": "363581866209"})

        # the other providers have no such account, so nothing answered: not an empty "ok"
        assert {s["name"]: s["status"] for s in env["sources"]}[POSTURE] == "unavailable"


class TestEveryProviderDown:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        fault = FaultRule(match="totalcloud.evaluations", kind="error")
        return {"assets": 300, "seed": 7, "now": FIXED_NOW, "config": SimConfig(faults=[fault])}

    async def test_the_source_reports_unavailable(self, call):
        env = await call("assess_risk", {"scope": "cloud"})

        assert {s["name"]: s["status"] for s in env["sources"]}[POSTURE] == "unavailable"
        assert POSTURE not in env["data"]


class TestCloudViewNotLicensed:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        config = SimConfig(unlicensed=frozenset({"CLOUDVIEW"}))
        return {"assets": 300, "seed": 7, "now": FIXED_NOW, "config": config}

    async def test_posture_sources_are_not_licensed(self, call):
        risk = await call("assess_risk", {"scope": "cloud"})
        overview = await call("security_overview", {"scope": "cloud"})

        assert {s["name"]: s["status"] for s in risk["sources"]}[POSTURE] == "not_licensed"
        assert {s["name"]: s["status"] for s in overview["sources"]}[COUNTS] == "not_licensed"
