"""Intent classification of investigate targets: core rules, their order, plugin recognisers."""

import logging

import pytest

from qualys_core.engine.intent import CORE_KINDS, classify
from qualys_core.plugins.records import Intent, Recogniser

CASES = [
    # CVE ids, any case and separator; one CVE named in a question
    ("cve-2024-3400", "cve", "CVE-2024-3400"),
    ("CVE-2021-44228", "cve", "CVE-2021-44228"),
    ("  Cve-2023-44487 ", "cve", "CVE-2023-44487"),
    ("CVE 2024 3400", "cve", "CVE-2024-3400"),
    ("cve-2024-123456", "cve", "CVE-2024-123456"),
    ("is CVE-2024-3400 exploited on our firewalls?", "cve", "CVE-2024-3400"),
    # QIDs and asset ids
    ("qid:38739", "qid", "38739"),
    ("QID 38739", "qid", "38739"),
    ("qid#91234", "qid", "91234"),
    ("38739", "qid", "38739"),
    ("7", "qid", "7"),
    ("999999", "qid", "999999"),
    ("1234567", "asset_id", "1234567"),
    ("123456789", "asset_id", "123456789"),
    ("asset:123456789", "asset_id", "123456789"),
    ("asset_id: 42", "asset_id", "42"),
    ("ASSET ID 987", "asset_id", "987"),
    # IP addresses, normalised
    ("10.0.0.1", "ipv4", "10.0.0.1"),
    ("192.168.1.254", "ipv4", "192.168.1.254"),
    ("2001:0db8:0000:0000:0000:0000:0000:0001", "ipv6", "2001:db8::1"),
    ("[fe80::1]", "ipv6", "fe80::1"),
    ("::1", "ipv6", "::1"),
    # threats: named actors and families, then threat types
    ("LockBit", "threat", "LockBit"),
    ("lockbit 3.0 ransomware", "threat", "LockBit"),
    ("clop", "threat", "Cl0p"),
    ("CL0P", "threat", "Cl0p"),
    ("ALPHV", "threat", "BlackCat"),
    ("Volt Typhoon", "threat", "Volt Typhoon"),
    ("lazarus group", "threat", "Lazarus"),
    ("APT 29", "threat", "APT29"),
    ("fancy bear", "threat", "APT28"),
    ("scattered spider", "threat", "Scattered Spider"),
    ("Emotet", "threat", "Emotet"),
    ("qbot", "threat", "QakBot"),
    ("conti", "threat", "Conti"),
    ("ransomware", "threat", "Ransomware"),
    ("vulns under active attack", "threat", "Active attacks"),
    ("actively exploited", "threat", "Active attacks"),
    ("CISA KEV", "threat", "CISA KEV"),
    ("known exploited vulnerabilities", "threat", "CISA KEV"),
    ("public exploit", "threat", "Public exploit"),
    ("exploit available", "threat", "Public exploit"),
    ("zero-day", "threat", "Zero day"),
    ("0day", "threat", "Zero day"),
    ("malware", "threat", "Malware"),
    ("wormable", "threat", "Wormable"),
    # hostnames and FQDNs, lower-cased
    ("web01", "hostname", "web01"),
    ("DC-01", "hostname", "dc-01"),
    ("WEB01.corp.example.com.", "hostname", "web01.corp.example.com"),
    ("example.com", "hostname", "example.com"),
    ("https://app.example.com/login", "hostname", "app.example.com"),
    ("conti-web01", "hostname", "conti-web01"),
    ("lockbit.example.com", "hostname", "lockbit.example.com"),
    ("apache.org", "hostname", "apache.org"),
    # software, whole words
    ("openssl", "software", "openssl"),
    ("OpenSSL 3.0.7", "software", "openssl"),
    ("log4j", "software", "log4j"),
    ("log4j-core", "software", "log4j"),
    ("PAN-OS", "software", "pan-os"),
    ("Palo Alto firewalls", "software", "palo alto"),
    (".NET Framework", "software", ".net"),
    ("Microsoft Exchange", "software", "exchange"),
    ("linux kernel", "software", "linux kernel"),
    ("Windows Server 2019", "software", "windows"),
    ("FortiOS", "software", "fortios"),
    ("Fortinet", "software", "fortinet"),
    ("sudo", "software", "sudo"),
    # everything else
    ("javascript", "free_text", "javascript"),
    ("continuous   monitoring", "free_text", "continuous monitoring"),
    ("show me the riskiest hosts", "free_text", "show me the riskiest hosts"),
    ("localhost", "free_text", "localhost"),
    ("256.1.1.1", "free_text", "256.1.1.1"),
    ("CVE-2024-1 and CVE-2024-2", "free_text", "CVE-2024-1 and CVE-2024-2"),
    ("CVE-2024-3400 or CVE-2021-44228", "free_text", "CVE-2024-3400 or CVE-2021-44228"),
]


@pytest.mark.parametrize(("target", "kind", "normalized"), CASES)
def test_core_rules(target, kind, normalized):
    intent = classify(target)
    assert (intent.kind, intent.normalized) == (kind, normalized)
    assert intent.value == target
    assert intent.recogniser == "core"
    assert intent.kind in CORE_KINDS


def test_the_table_covers_every_core_kind():
    assert len(CASES) >= 40
    assert {kind for _, kind, _ in CASES} == set(CORE_KINDS)


@pytest.mark.parametrize(
    ("target", "attributes"),
    [
        ("ransomware", {"category": "threat_type", "tag": "Ransomware"}),
        ("LockBit", {"category": "ransomware", "tag": "Ransomware"}),
        ("actively exploited", {"category": "threat_type", "tag": "Active_Attacks"}),
        ("CISA KEV", {"category": "threat_type", "tag": "Cisa_Known_Exploited_Vulns"}),
        ("public exploit", {"category": "threat_type", "tag": "Exploit_Public"}),
        ("zero day", {"category": "threat_type", "tag": "Zero_Day"}),
        ("emotet", {"category": "malware", "tag": "Malware"}),
        ("wormable", {"category": "threat_type", "tag": "Wormable"}),
        ("volt typhoon", {"category": "actor"}),
    ],
)
def test_threat_tags(target, attributes):
    assert classify(target).attributes == attributes


def test_urls_keep_the_url():
    intent = classify("http://10.1.2.3:8080/admin")
    assert (intent.kind, intent.normalized) == ("ipv4", "10.1.2.3")
    assert intent.attributes == {"url": "http://10.1.2.3:8080/admin"}


def _ai_model(target):
    if target.lower().startswith("llama"):
        return Intent(kind="ai_model", value=target, normalized=target.lower())
    return None


def _boom(target):
    raise RuntimeError("plugin bug")


def _everything(target):
    return Intent(kind="catch_all", value=target, normalized=target, recogniser="low")


AI = Recogniser(name="totalai.model", kind="ai_model", fn=_ai_model, priority=80)
BOOM = Recogniser(name="broken.rec", kind="x", fn=_boom, priority=90)
LOW = Recogniser(name="low.rec", kind="catch_all", fn=_everything, priority=10)


def test_plugin_recognisers_run_before_core_rules():
    intent = classify("Llama-3-8B", [AI])
    assert (intent.kind, intent.normalized, intent.recogniser) == (
        "ai_model",
        "llama-3-8b",
        "totalai.model",
    )
    # no match from the plugin: core rules apply
    assert classify("CVE-2024-3400", [AI]).kind == "cve"


def test_first_matching_recogniser_wins_and_keeps_its_own_name():
    assert classify("llama2", [AI, LOW]).recogniser == "totalai.model"
    intent = classify("CVE-2024-3400", [AI, LOW])
    assert (intent.kind, intent.recogniser) == ("catch_all", "low")


def test_a_raising_recogniser_is_skipped_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="qualys_core.engine.intent"):
        intent = classify("llama2", [BOOM, AI])
    assert intent.recogniser == "totalai.model"
    assert "broken.rec" in caplog.text
    assert classify("cve-2024-3400", [BOOM]).normalized == "CVE-2024-3400"


def test_a_recogniser_returning_garbage_is_skipped(caplog):
    bad = Recogniser(name="bad.rec", kind="x", fn=lambda target: "cve")
    with caplog.at_level(logging.WARNING, logger="qualys_core.engine.intent"):
        assert classify("web01", [bad]).kind == "hostname"
    assert "bad.rec returned str" in caplog.text


def test_empty_target_is_free_text():
    assert classify("   ").model_dump() == {
        "kind": "free_text",
        "value": "   ",
        "normalized": "",
        "recogniser": "core",
        "attributes": {},
    }
