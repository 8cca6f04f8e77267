"""How KnowledgeBase entries read in answers: compact rows, severity words, threat tags."""

from __future__ import annotations

from typing import Any

from qualys_core.plugins.records import Severity
from qualys_vmdr.api.kb import KbEntry

__all__ = ["EXPLOITED_TAGS", "KEV_TAG", "is_exploited", "kb_record", "severity_word"]

# Qualys Real-Time Threat Indicator tags (KB THREAT_INTEL) that mean exploitation in the wild.
KEV_TAG = "Cisa_Known_Exploited_Vulns"
EXPLOITED_TAGS = frozenset({"Active_Attacks", "Ransomware", "Malware", "Exploit_Kit", KEV_TAG})


def is_exploited(entry: KbEntry | None) -> bool:
    return entry is not None and any(tag in EXPLOITED_TAGS for tag in entry.threat_intel)


def severity_word(severity: int, *, exploited: bool = False) -> Severity:
    """A Qualys severity (1-5) as the envelope's word; known exploitation raises it a step."""
    if severity >= 5 or (severity == 4 and exploited):
        return "critical"
    if severity == 4 or (severity == 3 and exploited):
        return "high"
    if severity == 3:
        return "medium"
    return "low" if severity == 2 else "info"


def kb_record(entry: KbEntry, *, detail: bool) -> dict[str, Any]:
    record: dict[str, Any] = {
        "qid": entry.qid,
        "title": entry.title,
        "severity": entry.severity,
        "cves": entry.cves if detail else entry.cves[:5],
        "cvss_v3": entry.cvss_v3_base,
        "patchable": entry.patchable,
        "threat_intel": entry.threat_intel,
        "exploits": len(entry.exploits),
        "solution": entry.solution if detail else entry.solution[:240],
    }
    if detail:
        record.update(
            category=entry.category,
            published=entry.published,
            cvss_v3_vector=entry.cvss_v3_vector,
            cvss_v3_temporal=entry.cvss_v3_temporal,
            cvss_v2=entry.cvss_v2_base,
            diagnosis=entry.diagnosis,
            consequence=entry.consequence,
            exploit_refs=[e.model_dump() for e in entry.exploits],
            malware=entry.malware,
            vendor_refs=entry.vendor_refs,
        )
    return record
