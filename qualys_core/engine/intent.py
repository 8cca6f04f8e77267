"""Classify an `investigate` target: CVE, QID, asset id, IP, threat, hostname, software, free text.

Plugin recognisers run first (highest priority first) so a product can claim targets the core
does not know, such as AI model names; the core rules then run in a fixed order and the first
that matches wins. The result is an Intent whose `normalized` form is what aggregators query.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from qualys_core.plugins.records import Intent, Recogniser

__all__ = ["CORE_KINDS", "classify"]

log = logging.getLogger(__name__)

CORE_KINDS: tuple[str, ...] = (
    "cve",
    "qid",
    "asset_id",
    "ipv4",
    "ipv6",
    "threat",
    "hostname",
    "software",
    "free_text",
)

_CVE_EXACT = re.compile(r"^cve[-_ ]?(\d{4})[-_ ](\d{4,})$", re.IGNORECASE)
_CVE_ANY = re.compile(r"(?<![\w-])cve-(\d{4})-(\d{4,})(?!\w)", re.IGNORECASE)
_QID = re.compile(r"^qid\s*[:#=]?\s*(\d{1,9})$", re.IGNORECASE)
_ASSET = re.compile(r"^asset(?:[_ -]?id)?\s*[:#=]?\s*(\d{1,20})$", re.IGNORECASE)
_NUMBER = re.compile(r"^\d+$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")

# (pattern, canonical label, category, Qualys Real-Time Threat Indicator tag or "").
# Named actors and families come before generic threat types: "LockBit ransomware" is LockBit.
_THREATS: tuple[tuple[str, str, str, str], ...] = (
    (r"lock\s?bit", "LockBit", "ransomware", "Ransomware"),
    (r"conti", "Conti", "ransomware", "Ransomware"),
    (r"cl[0o]p", "Cl0p", "ransomware", "Ransomware"),
    (r"black\s?cat|alphv", "BlackCat", "ransomware", "Ransomware"),
    (r"volt\s+typhoon", "Volt Typhoon", "actor", ""),
    (r"lazarus(?:\s+group)?|hidden\s+cobra", "Lazarus", "actor", ""),
    (r"apt\s?29|cozy\s+bear|midnight\s+blizzard|nobelium", "APT29", "actor", ""),
    (r"apt\s?28|fancy\s+bear|forest\s+blizzard", "APT28", "actor", ""),
    (r"scattered\s+spider|octo\s+tempest", "Scattered Spider", "actor", ""),
    (r"emotet", "Emotet", "malware", "Malware"),
    (r"qak\s?bot|qbot", "QakBot", "malware", "Malware"),
    (r"ransomware", "Ransomware", "threat_type", "Ransomware"),
    (
        r"active(?:ly)?[\s_-]+(?:attack(?:s|ed)?|exploited)|exploited\s+in\s+the\s+wild|in\s+the\s+wild",
        "Active attacks",
        "threat_type",
        "Active_Attacks",
    ),
    (
        r"cisa(?:[\s_-]+kev)?|kev|known[\s_-]+exploited(?:[\s_-]+vuln(?:erabilitie)?s)?",
        "CISA KEV",
        "threat_type",
        "Cisa_Known_Exploited_Vulns",
    ),
    (
        r"exploits?[\s_-]+(?:public|available)|public(?:ly)?[\s_-]+(?:available[\s_-]+)?exploits?",
        "Public exploit",
        "threat_type",
        "Exploit_Public",
    ),
    (r"zero[\s_-]?days?|0[\s_-]?days?", "Zero day", "threat_type", "Zero_Day"),
    (r"malware", "Malware", "threat_type", "Malware"),
    (r"wormable", "Wormable", "threat_type", "Wormable"),
)
_THREAT_RULES = tuple(
    # Not inside a longer word or a host name: "conti-web01" and "lockbit.example.com" are hosts.
    (
        re.compile(rf"(?<![\w.-])(?:{pattern})(?![\w-]|\.\w)", re.IGNORECASE),
        label,
        category,
        tag,
    )
    for pattern, label, category, tag in _THREATS
)

# (pattern, normalized name), matched as whole words anywhere; more specific names first.
_SOFTWARE: tuple[tuple[str, str], ...] = (
    (r"linux\s+kernel", "linux kernel"),
    (r"openssl", "openssl"),
    (r"openssh", "openssh"),
    (r"log4j2?|log4shell", "log4j"),
    (r"apache", "apache"),
    (r"nginx", "nginx"),
    (r"chrome", "chrome"),
    (r"firefox", "firefox"),
    (r"java", "java"),
    (r"\.net|dotnet", ".net"),
    (r"exchange", "exchange"),
    (r"sharepoint", "sharepoint"),
    (r"citrix", "citrix"),
    (r"fortios", "fortios"),
    (r"fortinet", "fortinet"),
    (r"pan-?os", "pan-os"),
    (r"palo\s+alto", "palo alto"),
    (r"ivanti", "ivanti"),
    (r"vmware", "vmware"),
    (r"windows", "windows"),
    (r"sudo", "sudo"),
    (r"jenkins", "jenkins"),
    (r"confluence", "confluence"),
)
# A dot or hyphen before a name means it is part of a longer token (asp.net, mod-apache).
_SOFTWARE_RULES = tuple(
    (re.compile(rf"(?<![\w.-])(?:{pattern})(?!\w)", re.IGNORECASE), name)
    for pattern, name in _SOFTWARE
)


def _core(kind: str, value: str, normalized: str, **attributes: str) -> Intent:
    return Intent(kind=kind, value=value, normalized=normalized, attributes=attributes)


def _from_plugins(target: str, recognisers: Sequence[Recogniser]) -> Intent | None:
    for recogniser in recognisers:
        try:
            # Typed as object: a plugin may return anything at run time.
            found: object = recogniser.fn(target)
        except Exception:
            # A broken plugin must not break investigate: the core rules still apply.
            log.warning(
                "intent recogniser %s failed on %r; skipped", recogniser.name, target, exc_info=True
            )
            continue
        if found is None:
            continue
        if not isinstance(found, Intent):
            log.warning(
                "intent recogniser %s returned %s, not an Intent; skipped",
                recogniser.name,
                type(found).__name__,
            )
            continue
        if found.recogniser == "core":
            return found.model_copy(update={"recogniser": recogniser.name})
        return found
    return None


def _cve(value: str, text: str) -> Intent | None:
    match = _CVE_EXACT.match(text)
    if match:
        return _core("cve", value, f"CVE-{match[1]}-{match[2]}")
    # A question that names exactly one CVE is about that CVE.
    found = {f"CVE-{m[1]}-{m[2]}" for m in _CVE_ANY.finditer(text)}
    if len(found) == 1:
        return _core("cve", value, found.pop(), from_text="true")
    return None


def _number(value: str, text: str) -> Intent | None:
    match = _QID.match(text)
    if match:
        return _core("qid", value, str(int(match[1])))
    match = _ASSET.match(text)
    if match:
        return _core("asset_id", value, str(int(match[1])))
    if _NUMBER.match(text):
        # QIDs have at most six digits; Qualys asset ids are longer.
        return _core("qid" if len(text) <= 6 else "asset_id", value, str(int(text)))
    return None


def _ip(value: str, text: str) -> Intent | None:
    candidate = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return None
    return _core(f"ipv{address.version}", value, str(address))


def _threat(value: str, text: str) -> Intent | None:
    for pattern, label, category, tag in _THREAT_RULES:
        if pattern.search(text):
            attributes = {"category": category, "tag": tag} if tag else {"category": category}
            return _core("threat", value, label, **attributes)
    return None


def _is_fqdn(name: str) -> bool:
    labels = name.split(".")
    return (
        len(name) <= 253
        and len(labels) >= 2
        and all(_LABEL.match(label) for label in labels)
        and not labels[-1].isdigit()
    )


def _hostname(value: str, text: str) -> Intent | None:
    name = text.lower().rstrip(".")
    if name.startswith(("http://", "https://")):
        host = urlsplit(name).hostname or ""
        ip = _ip(value, host)
        if ip is not None:
            return ip.model_copy(update={"attributes": {"url": text}})
        return _core("hostname", value, host, url=text) if _is_fqdn(host) else None
    if _is_fqdn(name):
        return _core("hostname", value, name, fqdn="true")
    single = (
        _LABEL.match(name) is not None
        and any(c.isalpha() for c in name)
        and any(c.isdigit() or c == "-" for c in name)
        and _software(value, name) is None  # "log4j" and "pan-os" are software, not hosts
    )
    return _core("hostname", value, name) if single else None


def _software(value: str, text: str) -> Intent | None:
    for pattern, name in _SOFTWARE_RULES:
        if pattern.search(text):
            return _core("software", value, name)
    return None


_RULES = (_cve, _number, _ip, _threat, _hostname, _software)


def classify(target: str, recognisers: Sequence[Recogniser] = ()) -> Intent:
    """What `target` names: plugin recognisers first (sorted by priority), then the core rules."""
    text = target.strip()
    intent = _from_plugins(text, recognisers)
    if intent is not None:
        return intent
    for rule in _RULES:
        intent = rule(target, text)
        if intent is not None:
            return intent
    return _core("free_text", target, " ".join(text.split()))
