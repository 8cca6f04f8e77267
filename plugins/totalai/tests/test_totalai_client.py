"""Our TotalAI client on the core's QualysClient against the simulator: counts with filters,
searches paged with scrollInfo up to a limit, and the reader's tolerance of loose values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from qualys_totalai.api.detections import (
    count_detections,
    filter_body,
    parse_detection,
    qql_and,
    quote,
    search_detections,
)
from qualys_totalai.simulator.data import data

from qualys_core.simulator import Simulator


async def test_count_with_and_without_filters(
    qualys_client: Any, qualys_simulator: Simulator
) -> None:
    everything = data(qualys_simulator.tenant).detections
    assert await count_detections(qualys_client) == len(everything)
    severe = [d for d in everything if d.result == "FAIL" and d.test.severity == 5]
    qql = qql_and("finding.result:FAIL", "finding.severity:5")
    assert await count_detections(qualys_client, detection_qql=qql) == len(severe)
    name = "gemma2:9b@wks-lon-00014"
    assert await count_detections(qualys_client, model_qql=f"model.name:{quote(name)}") == 17


async def test_search_pages_with_scroll_info_up_to_the_limit(
    qualys_client: Any, qualys_simulator: Simulator
) -> None:
    failing = [d for d in data(qualys_simulator.tenant).detections if d.result == "FAIL"]
    found, total = await search_detections(
        qualys_client, detection_qql="finding.result:FAIL", limit=1000, page_size=7
    )
    assert total == len(failing)
    assert sorted(d.id or 0 for d in found) == sorted(d.id for d in failing)
    pages = qualys_simulator.log.count(route="totalai.detection_search")
    assert pages == -(-len(failing) // 7)
    severities = [d.severity or 0 for d in found]
    assert severities == sorted(severities, reverse=True)
    first = found[0]
    source = next(d for d in failing if d.id == first.id)
    assert (first.model_name, first.qid, first.is_jailbreak) == (
        source.model.name,
        source.test.qid,
        source.test.jailbreak,
    )
    assert first.owasp == source.owasp_names
    assert first.last_detected == source.last_detected

    qualys_simulator.log.clear()
    some, total = await search_detections(qualys_client, limit=10, page_size=4, order_by="qid")
    assert len(some) == 10
    assert total == len(data(qualys_simulator.tenant).detections)
    assert qualys_simulator.log.count(route="totalai.detection_search") == 3


def test_the_reader_takes_loose_values() -> None:
    detection = parse_detection(
        {
            "id": "17",
            "severity": "4",
            "result": "fail",
            "isJailBreak": "true",
            "failTestPercentage": "62.5",
            "firstDetected": 1767225600000,
            "lastDetected": "2026-01-10T08:00:00Z",
            "model": {"id": 80791371, "name": "support-bot-llm"},
            "categories": [{"name": "Jailbreak"}, {"other": 1}],
            "owaspTopTen": {"name": "LLM01: Prompt Injection"},
            "unexpected": {"fields": "ignored"},
        }
    )
    assert detection.id == 17
    assert detection.severity == 4
    assert detection.failed
    assert detection.is_jailbreak
    assert detection.fail_test_percentage == 62.5
    assert detection.first_detected == datetime(2026, 1, 1, tzinfo=UTC)
    assert detection.last_detected == datetime(2026, 1, 10, 8, tzinfo=UTC)
    assert detection.categories == ("Jailbreak",)
    assert detection.owasp == ("LLM01: Prompt Injection",)
    empty = parse_detection({"severity": 9, "model": "x"})
    assert empty.severity is None
    assert empty.model_name is None
    assert not empty.failed


def test_filters_and_quoting() -> None:
    assert filter_body(None, None) == {}
    assert filter_body('model.name:"a"', None) == {"filter": {"modelQql": 'model.name:"a"'}}
    assert quote('say "hi"') == '"say \\"hi\\""'
    assert qql_and("a:1 or b:2", None, "c:3") == "(a:1 or b:2) and c:3"
