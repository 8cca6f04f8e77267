"""TotalAI through the MCP tools on the simulator: assess_risk(scope='ai'), investigate of a
model and of a topic (recogniser -> ai_model intent -> QQL filter sent), security_overview,
the cache, and the plugin as the core lists it."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

from qualys_totalai import plugin
from qualys_totalai.simulator.data import OWASP_LLM_2025, Detection, data

from qualys_core.cli import main
from qualys_core.plugins.manager import create_plugin_host
from qualys_core.simulator import Simulator

SOURCE = "totalai.detections"
SEARCH = "totalai.detection_search"
COUNT = "totalai.detection_count"


def _failing(simulator: Simulator) -> list[Detection]:
    return [d for d in data(simulator.tenant).detections if d.result == "FAIL"]


def _status(env: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["status"] for s in env["sources"]}


def _rank(found: list[Detection]) -> list[Detection]:
    return sorted(found, key=lambda d: (-d.test.severity, -d.fail_test_percentage, d.id))


async def test_assess_risk_ai_counts_ranks_and_names_models(
    call: Any, qualys_simulator: Simulator
) -> None:
    everything = data(qualys_simulator.tenant).detections
    failing = _failing(qualys_simulator)
    env = await call("assess_risk", {"scope": "ai", "limit": 10})

    assert _status(env) == {SOURCE: "ok"}
    block = env["data"][SOURCE]
    stats = block["stats"]
    assert stats["totalai_detections"] == len(everything)
    assert stats["totalai_failing"] == len(failing) == block["total"]
    severities = Counter(d.test.severity for d in failing)
    assert {s: stats[f"totalai_sev{s}"] for s in range(1, 6)} == {
        s: severities.get(s, 0) for s in range(1, 6)
    }
    assert stats["totalai_jailbreaks"] == sum(d.test.jailbreak for d in failing) > 0
    models = Counter(d.model.name for d in failing)
    assert stats["totalai_models_affected"] == len(models)
    owasp = Counter(OWASP_LLM_2025[k] for d in failing for k in d.test.owasp)
    by_count = sorted(owasp.items(), key=lambda item: (-item[1], item[0]))
    assert stats["totalai_by_owasp"] == ", ".join(f"{n} {c}" for n, c in by_count[:10])

    expected = _rank(failing)[:10]
    assert [r["test"] for r in block["records"]] == [d.test.name for d in expected]
    assert [r["model"] for r in block["records"]] == [d.model.name for d in expected]
    assert block["truncated"] is True
    assert block["returned"] == 10

    # The worst model: highest severity, then most failing tests, then success rate.
    def key(name: str) -> tuple[int, int, float]:
        mine = [d for d in failing if d.model.name == name]
        mean = round(sum(d.fail_test_percentage for d in mine) / len(mine), 1)
        return (max(d.test.severity for d in mine), len(mine), mean)

    worst = max(models, key=key)
    worst_mean = key(worst)[2]
    assert any(
        f"AI model {worst}: {models[worst]} failing tests" in line
        and f"{worst_mean:.1f}% of attack prompts" in line
        for line in env["summary"]["key_findings"]
    )
    assert env["actions"][0]["tool"] == "investigate"
    assert env["actions"][0]["arguments"] == {"target": worst}
    assert env["summary"]["headline"].startswith(
        f"{len(failing):,} of {len(everything):,} TotalAI tests failing on {len(models)} AI "
        f"models: {severities[5]} severity 5, {severities[4]} severity 4"
    )


async def test_a_second_assess_is_served_from_the_cache(
    call: Any, qualys_simulator: Simulator
) -> None:
    await call("assess_risk", {"scope": "ai"})
    before = len(qualys_simulator.log)
    again = await call("assess_risk", {"scope": "ai"})
    assert len(qualys_simulator.log) == before
    assert again["sources"][0]["cached"] is True


async def test_investigate_a_model_sends_its_model_filter(
    call: Any, qualys_simulator: Simulator, recorded: Any
) -> None:
    name = "support-bot-gpt-4o"
    mine = [d for d in data(qualys_simulator.tenant).detections if d.model.name == name]
    failing = [d for d in mine if d.result == "FAIL"]
    env = await call("investigate", {"target": name})

    assert _status(env) == {SOURCE: "ok"}
    model_qql = f'model.name:"{name}"'
    searched = recorded.of(SEARCH)
    assert [b["filter"] for b in searched] == [
        {"modelQql": model_qql, "detectionQql": "finding.result:FAIL"}
    ]
    assert searched[0]["orderBy"] == "severity"
    assert searched[0]["sortOrder"] == "DESC"
    assert sorted(json.dumps(b, sort_keys=True) for b in recorded.of(COUNT)) == sorted(
        json.dumps(b, sort_keys=True)
        for b in (
            {"filter": {"modelQql": model_qql}},
            {"filter": {"modelQql": model_qql, "detectionQql": "finding.result:FAIL"}},
        )
    )
    block = env["data"][SOURCE]
    assert block["stats"]["totalai_detections"] == len(mine) == 17
    assert block["total"] == len(failing) > 0
    assert {r["model"] for r in block["records"]} == {name}
    assert [r["test"] for r in block["records"]] == [d.test.name for d in _rank(failing)]


async def test_investigate_prompt_injection_filters_on_owasp_llm01(
    call: Any, qualys_simulator: Simulator, recorded: Any
) -> None:
    llm01 = [d for d in _failing(qualys_simulator) if "LLM01" in d.test.owasp]
    env = await call("investigate", {"target": "prompt injection", "limit": 100})

    searched = recorded.of(SEARCH)
    assert [b["filter"] for b in searched] == [
        {"detectionQql": 'finding.owaspTopTen:"LLM01" and finding.result:FAIL'}
    ]
    block = env["data"][SOURCE]
    assert block["total"] == len(llm01) > 0
    assert all("LLM01: Prompt Injection" in r["owasp"] for r in block["records"])
    assert block["stats"]["totalai_jailbreaks"] == sum(d.test.jailbreak for d in llm01)
    assert "for LLM01: Prompt Injection" in env["summary"]["headline"]


async def test_investigate_leaves_non_ai_targets_alone(call: Any, recorded: Any) -> None:
    host = await call("investigate", {"target": "web01"})
    assert SOURCE not in _status(host)
    text = await call("investigate", {"target": "show me the riskiest hosts"})
    assert SOURCE not in _status(text)
    assert recorded.bodies == []


async def test_security_overview_ai_counts_new_detections(
    call: Any, qualys_simulator: Simulator, recorded: Any
) -> None:
    since = qualys_simulator.tenant.now - timedelta(days=7)
    new = [d for d in data(qualys_simulator.tenant).detections if d.first_detected >= since]
    new_failing = [d for d in new if d.result == "FAIL"]
    env = await call("security_overview", {"scope": "ai", "period": "week"})

    block = env["data"][SOURCE]
    assert block["stats"]["totalai_new"] == len(new) > 0
    assert block["stats"]["totalai_new_failing"] == len(new_failing)
    assert block["stats"]["totalai_new_severe"] == sum(d.test.severity >= 4 for d in new_failing)
    assert [r["test"] for r in block["records"]] == [d.test.name for d in _rank(new_failing)]
    window = 'finding.firstDetected>="2026-01-08T00:00:00Z"'
    assert {b["filter"]["detectionQql"] for b in recorded.of(COUNT)} == {
        window,
        f"{window} and finding.result:FAIL",
        f"{window} and finding.result:FAIL and finding.severity>=4",
    }
    assert f"{len(new)} new TotalAI detections this week" in env["summary"]["headline"]


async def test_a_quick_overview_only_counts(call: Any, recorded: Any) -> None:
    env = await call("security_overview", {"scope": "ai", "quick": True})
    assert _status(env) == {SOURCE: "ok"}
    assert recorded.of(SEARCH) == []
    assert len(recorded.of(COUNT)) == 3


def test_qualys_mcp_plugins_lists_totalai(monkeypatch: Any, capsys: Any) -> None:
    host = create_plugin_host(load_entrypoints=False, plugins={"totalai": plugin}, strict=True)
    monkeypatch.setattr("qualys_core.cli.PluginHost.from_env", lambda: host)
    assert main(["plugins", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    (entry,) = listed["plugins"]
    assert entry["name"] == "totalai"
    assert entry["aggregators"] == ["totalai.detections"]
    assert set(entry["tools"]) == {"investigate", "assess_risk", "security_overview"}
