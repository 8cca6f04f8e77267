"""The Policy Audit library when Qualys does not answer: PCAS unlicensed, the policy list
failing while the labels answer, and one policy list failing once among many."""

from __future__ import annotations

from typing import Any

import pytest
from qualys_pcas.simulator.catalog import library_of

from qualys_core.simulator import FaultRule, SimConfig
from qualys_core.testing import FIXED_NOW


def options(*faults: FaultRule, unlicensed: frozenset[str] = frozenset()) -> dict[str, Any]:
    config = SimConfig(faults=list(faults), unlicensed=unlicensed)
    return {"assets": 60, "seed": 7, "now": FIXED_NOW, "config": config}


class TestUnlicensed:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        return options(unlicensed=frozenset({"PCAS"}))

    async def test_the_source_is_not_licensed(self, call):
        env = await call("check_compliance", {"framework": "CIS"})

        (source,) = env["sources"]
        assert source["status"] == "not_licensed"
        assert "PCAS" in source["message"]
        assert env["data"] == {}


class TestPolicyListDown:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        return options(FaultRule(match="pcas.policy_list", kind="error"))

    async def test_the_overview_keeps_the_labels(self, call, qualys_simulator):
        lib = library_of(qualys_simulator.tenant)

        env = await call("check_compliance", {})

        (source,) = env["sources"]
        assert source["status"] == "ok"
        records = env["data"]["pcas.library"]["records"]
        assert sorted(r["label"] for r in records) == sorted(lab.name for lab in lib.labels)
        assert all(r["policies"] is None for r in records)
        stats = env["data"]["pcas.library"]["stats"]
        assert "library_policies" not in stats
        assert stats["failed_labels"].split(", ") == [lab.name for lab in lib.labels]
        assert any(
            "the library's policy list did not answer (unavailable" in f
            for f in env["summary"]["key_findings"]
        )

    async def test_a_framework_without_any_policy_list_fails_the_source(self, call):
        env = await call("check_compliance", {"framework": "CIS"})

        (source,) = env["sources"]
        assert source["status"] == "unavailable"


class TestOnePolicyListFailsOnce:
    """The first policy list of a framework (its whole list) fails once with a 400, which is
    not retried; the per-technology lists still give every policy, and the failure is a
    finding."""

    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        return options(FaultRule(match="pcas.policy_list", kind="error", count=1, status=400))

    async def test_the_rest_still_answers(self, call, qualys_simulator):
        lib = library_of(qualys_simulator.tenant)
        iso = next(lab.label_id for lab in lib.labels if lab.name == "ISO 27001")

        env = await call("check_compliance", {"framework": "ISO 27001", "limit": 500})

        (source,) = env["sources"]
        assert source["status"] == "ok"
        data = env["data"]["pcas.library"]
        assert data["total"] == len(lib.select(label_id=iso))
        assert any(
            f.startswith("PCAS library: the ISO 27001 policy list did not answer")
            for f in env["summary"]["key_findings"]
        )
