"""The `totalai.model` recogniser: AI models and AI security topics become `ai_model` intents;
what the core's rules own (CVEs, IPs, URLs, host names, software) stays theirs."""

from __future__ import annotations

import pytest
from qualys_totalai import plugin
from qualys_totalai.aggregators.detections import intent_filters

from qualys_core.engine.intent import classify
from qualys_core.plugins import Recogniser
from qualys_core.plugins.manager import create_plugin_host


@pytest.fixture(scope="module")
def recognisers() -> tuple[Recogniser, ...]:
    host = create_plugin_host(load_entrypoints=False, plugins={"totalai": plugin}, strict=True)
    found = host.recognisers
    assert [r.name for r in found] == ["totalai.model"]
    return found


@pytest.mark.parametrize(
    ("target", "normalized", "attributes"),
    [
        ("support-bot-gpt-4o", "support-bot-gpt-4o", {"model": "support-bot-gpt-4o"}),
        ("gemma2:9b@wks-lon-00014", "gemma2:9b@wks-lon-00014",
         {"model": "gemma2:9b@wks-lon-00014"}),
        ("Llama-3-8B", "Llama-3-8B", {"model": "Llama-3-8B"}),
        ("fraud-analyst-llm", "fraud-analyst-llm", {"model": "fraud-analyst-llm"}),
        ("claude", "claude", {"model": "claude"}),
        ("prompt injection", "LLM01: Prompt Injection",
         {"topic": "LLM01", "topic_label": "LLM01: Prompt Injection"}),
        ("jailbreaks", "Jailbreak", {"topic": "jailbreak", "topic_label": "Jailbreak"}),
        ("LLM07", "LLM07: System Prompt Leakage",
         {"topic": "LLM07", "topic_label": "LLM07: System Prompt Leakage"}),
        ("PII leakage in our chatbots", "LLM02: Sensitive Information Disclosure",
         {"topic": "LLM02", "topic_label": "LLM02: Sensitive Information Disclosure"}),
        ("is gpt-4o vulnerable to prompt injection?", "is gpt-4o vulnerable to prompt injection?",
         {"topic": "LLM01", "topic_label": "LLM01: Prompt Injection", "model": "gpt-4o"}),
        ("OWASP LLM Top 10", "OWASP LLM Top 10", {}),
        ("which LLMs are at risk", "which LLMs are at risk", {}),
    ],
)  # fmt: skip
def test_ai_targets_are_claimed(
    recognisers: tuple[Recogniser, ...], target: str, normalized: str, attributes: dict[str, str]
) -> None:
    intent = classify(target, recognisers)
    assert (intent.kind, intent.recogniser) == ("ai_model", "totalai.model")
    assert intent.normalized == normalized
    assert intent.attributes == attributes
    assert intent.value == target


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("CVE-2024-3400", "cve"),
        ("is CVE-2024-3400 used against our LLM gateway?", "cve"),
        ("10.0.0.1", "ipv4"),
        ("2001:db8::1", "ipv6"),
        ("web01", "hostname"),
        ("wks-lon-00014", "hostname"),
        ("dns-prd-0001.aws.example.net", "hostname"),
        ("llama.corp.example.com", "hostname"),
        ("https://chat.example.com/api", "hostname"),
        ("openssl", "software"),
        ("CrowdStrike Falcon", "free_text"),
        ("supply chain", "free_text"),
        ("ransomware", "threat"),
        ("show me the riskiest hosts", "free_text"),
    ],
)
def test_what_the_core_owns_is_left_alone(
    recognisers: tuple[Recogniser, ...], target: str, kind: str
) -> None:
    intent = classify(target, recognisers)
    assert (intent.kind, intent.recogniser) == (kind, "core")


@pytest.mark.parametrize(
    ("target", "model_qql", "detection_qql"),
    [
        ("support-bot-gpt-4o", 'model.name:"support-bot-gpt-4o"', None),
        ("prompt injection", None, 'finding.owaspTopTen:"LLM01"'),
        ("jailbreak", None, "finding.isJailBreak:true"),
        ("llama jailbreaks", 'model.name:"llama"', "finding.isJailBreak:true"),
        ("generative AI", None, None),
    ],
)
def test_intents_become_totalai_filters(
    recognisers: tuple[Recogniser, ...],
    target: str,
    model_qql: str | None,
    detection_qql: str | None,
) -> None:
    intent = classify(target, recognisers)
    assert intent_filters(intent.attributes) == (model_qql, detection_qql)
