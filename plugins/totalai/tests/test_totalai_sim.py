"""The simulated TotalAI detection APIs over plain httpx: counts and searches against the
tenant's data, QQL filters, ordering, scrollInfo paging, fields, both path spellings, and the
400s Qualys answers for what it does not take."""

from __future__ import annotations

from typing import Any

import pytest
from qualys_totalai.simulator.data import OWASP_LLM_2025, TESTS, Detection, data

from qualys_core.simulator import SimConfig, Simulator

COUNT = "/ta/api/1.0/detection/count"
SEARCH = "/ta/api/1.0/detection/search"


def _all(simulator: Simulator) -> tuple[Detection, ...]:
    return data(simulator.tenant).detections


async def _count(gateway: Any, filter_: dict[str, str] | None = None) -> int:
    response = await gateway.post(COUNT, json={"filter": filter_} if filter_ else {})
    assert response.status_code == 200, response.text
    count: int = response.json()["count"]
    return count


def test_the_tenant_has_hosted_and_local_models(qualys_simulator: Simulator) -> None:
    found = data(qualys_simulator.tenant)
    local = [m for m in found.models if m.host is not None]
    assert 10 <= len(found.models) <= 30
    assert {m.runtime for m in local} == {"Ollama", "GPT4All"}
    for model in local:
        assert model.host is not None
        products = {s.product for s in qualys_simulator.tenant.software_of(model.host)}
        assert model.runtime in products
        assert model.name.endswith("@" + model.host.name)
    assert len(found.detections) == len(found.models) * len(TESTS)
    assert all(d.last_detected <= qualys_simulator.tenant.now for d in found.detections)
    assert all(d.first_detected <= d.last_detected for d in found.detections)
    assert {d.result for d in found.detections} == {"PASS", "FAIL"}
    names = {n for d in found.detections for n in d.owasp_names}
    assert names <= set(OWASP_LLM_2025.values())
    assert "LLM01: Prompt Injection" in names


async def test_counts_follow_the_filters(gateway: Any, qualys_simulator: Simulator) -> None:
    everything = _all(qualys_simulator)
    assert await _count(gateway) == len(everything)
    failing = [d for d in everything if d.result == "FAIL"]
    assert await _count(gateway, {"detectionQql": "finding.result:FAIL"}) == len(failing)
    severe = [d for d in failing if d.test.severity >= 4]
    assert await _count(
        gateway, {"detectionQql": "finding.result:FAIL and finding.severity>=4"}
    ) == len(severe)
    jailbreaks = [d for d in everything if d.test.jailbreak]
    assert await _count(gateway, {"detectionQql": "finding.isJailBreak:true"}) == len(jailbreaks)
    llm01 = [d for d in everything if "LLM01" in d.test.owasp]
    assert await _count(gateway, {"detectionQql": 'finding.owaspTopTen:"LLM01"'}) == len(llm01)
    gpt = [d for d in everything if "gpt" in d.model.name.lower()]
    assert 0 < await _count(gateway, {"modelQql": "model.name:GPT"}) == len(gpt)
    both = [d for d in gpt if d.result == "FAIL" or d.test.severity == 1]
    assert await _count(
        gateway,
        {
            "modelQql": "model.name:gpt",
            "detectionQql": "(finding.result:FAIL or finding.severity:1) and not finding.id<0",
        },
    ) == len(both)


async def test_search_orders_by_severity_and_scrolls(
    gateway: Any, qualys_simulator: Simulator
) -> None:
    failing = [d for d in _all(qualys_simulator) if d.result == "FAIL"]
    body: dict[str, Any] = {
        "filter": {"detectionQql": "finding.result:FAIL"},
        "orderBy": "severity",
        "sortOrder": "DESC",
        "size": 25,
    }
    seen: list[dict[str, Any]] = []
    pages = 0
    while True:
        response = await gateway.post(SEARCH, json=body)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["totalElements"] == len(failing)
        seen.extend(answer["content"])
        pages += 1
        if "scrollInfo" not in answer:
            break
        body = {**body, "scrollInfo": answer["scrollInfo"]}
    assert pages == -(-len(failing) // 25) > 1
    assert sorted(row["id"] for row in seen) == sorted(d.id for d in failing)
    severities = [row["severity"] for row in seen]
    assert severities == sorted(severities, reverse=True)
    first = seen[0]
    assert first["result"] == "FAIL"
    assert 1 <= first["severity"] <= 5
    assert set(first["model"]) == {"id", "name"}
    assert all("name" in item for item in first["owaspTopTen"] + first["categories"])
    assert qualys_simulator.log.count(route="totalai.detection_search") == pages


async def test_fields_and_the_reference_path(gateway: Any) -> None:
    body = {"fields": "id,severity,model", "orderBy": "qid", "sortOrder": "ASC", "size": 3}
    answer = (await gateway.post(SEARCH, json=body)).json()
    assert [set(row) for row in answer["content"]] == [{"id", "severity", "model"}] * 3
    tai = (await gateway.post(SEARCH.replace("/ta/", "/tai/"), json=body)).json()
    assert tai == answer
    count = await gateway.post(COUNT.replace("/ta/", "/tai/"), json={})
    assert count.json()["count"] == answer["totalElements"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"filter": {"detectionQql": "finding.colour:red"}}, "finding.colour"),
        ({"filter": {"detectionQql": "model.name:gpt"}}, "model.name"),
        ({"filter": {"modelQql": "finding.severity:5"}}, "finding.severity"),
        ({"filter": {"detectionQql": "finding.severity:9"}}, "finding.severity"),
        ({"filter": {"detectionQql": "finding.result:MAYBE"}}, "PASS or FAIL"),
        ({"filter": {"detectionQql": "finding.severity>=4 and"}}, "detectionQql"),
        ({"filter": {"assetQql": "x"}}, "filter.assetQql"),
        ({"orderBy": "name"}, "orderBy"),
        ({"sortOrder": "UP"}, "sortOrder"),
        ({"size": 0}, "size"),
        ({"fields": "id,colour"}, "colour"),
        ({"scrollInfo": "not-a-scroll"}, "scrollInfo"),
        ({"pageNumber": 1}, "pageNumber"),
    ],
)
async def test_what_qualys_refuses_is_a_400(gateway: Any, body: dict[str, Any], named: str) -> None:
    response = await gateway.post(SEARCH, json=body)
    assert response.status_code == 400
    assert named in response.json()["message"]


class TestUnlicensed:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        return {"assets": 200, "seed": 7, "config": SimConfig(unlicensed=frozenset({"TOTALAI"}))}

    async def test_both_apis_answer_404(self, gateway: Any) -> None:
        assert (await gateway.post(COUNT, json={})).status_code == 404
        assert (await gateway.post(SEARCH, json={})).status_code == 404
