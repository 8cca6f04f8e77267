"""Free text to library records: a framework name to a label, a platform name to a technology.

Matching is tolerant (case, spacing, punctuation, common abbreviations) but never guesses
between two candidates it cannot tell apart by those rules; no match is None, which the
aggregator turns into a finding that lists what the library does have.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qualys_pcas.api.library import Label, Technology

__all__ = ["FRAMEWORK_ALIASES", "match_framework", "match_technology"]

# Canonical framework -> what people type for it. Compared without case, spaces or punctuation.
FRAMEWORK_ALIASES: dict[str, tuple[str, ...]] = {
    "CIS": ("cis", "cis benchmark", "cis benchmarks", "center for internet security"),
    "DISA STIG": ("disa stig", "stig", "disa", "stigs", "security technical implementation guide"),
    "NIST 800-53": ("nist 800-53", "nist sp 800-53", "800-53", "nist 80053", "nist"),
    "NIST 800-171": ("nist 800-171", "nist sp 800-171", "800-171"),
    "PCI DSS": ("pci dss", "pci", "pci-dss", "payment card industry"),
    "HIPAA": ("hipaa", "hipaa security rule"),
    "ISO 27001": ("iso 27001", "iso/iec 27001", "iso27001", "27001", "iso"),
    "SOC 2": ("soc 2", "soc2", "soc ii", "soc 2 type 2", "soc 2 type ii"),
    "CMMC": ("cmmc",),
    "GDPR": ("gdpr",),
}

# Platform words people abbreviate, expanded before technology names are compared.
_PLATFORM_WORDS: dict[str, str] = {
    "rhel": "red hat enterprise linux",
    "sles": "suse linux enterprise server",
    "win": "windows",
    "k8s": "kubernetes",
    "mssql": "microsoft sql server",
    "gcp": "google cloud platform",
    "aws": "amazon web services",
    "esx": "esxi",
    "db": "database",
    "oracle db": "oracle database",
    "ms sql": "microsoft sql server",
    "ms": "microsoft",
    "panos": "pan-os",
}


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def match_framework(name: str, labels: Sequence[Label]) -> Label | None:
    """The library label a framework name means, or None.

    An exact name (ignoring case and punctuation) wins; then the alias table (the longest
    alias the text equals); then a label whose name contains the text or is contained in it,
    when only one does.
    """
    wanted = _compact(name)
    if not wanted:
        return None
    for label in labels:
        if _compact(label.name) == wanted:
            return label
    best: tuple[int, str] | None = None
    for canonical, aliases in FRAMEWORK_ALIASES.items():
        for alias in (canonical, *aliases):
            key = _compact(alias)
            if key == wanted and (best is None or len(key) > best[0]):
                best = (len(key), canonical)
    if best is not None:
        found = [lab for lab in labels if _compact(lab.name) == _compact(best[1])]
        if found:
            return found[0]
    partial = [
        lab
        for lab in labels
        if len(wanted) >= 3 and (wanted in _compact(lab.name) or _compact(lab.name) in wanted)
    ]
    return partial[0] if len(partial) == 1 else None


def _tokens(text: str) -> set[str]:
    lowered = f" {text.lower()} "
    for short, long in sorted(_PLATFORM_WORDS.items(), key=lambda kv: -len(kv[0])):
        lowered = re.sub(rf"(?<![a-z0-9]){re.escape(short)}(?![a-z0-9])", long, lowered)
    return {t.strip(".") for t in re.split(r"[^a-z0-9.]+", lowered) if t.strip(".")}


def match_technology(platform: str, technologies: Sequence[Technology]) -> Technology | None:
    """The library technology a platform name means, or None.

    Every word of the platform (abbreviations such as RHEL, SLES or K8s expanded) must be in
    the technology's name; of those that qualify, the one with the fewest other words wins,
    and a tie between two is no match.
    """
    wanted = _tokens(platform)
    if not wanted:
        return None
    scored = sorted(
        (len(_tokens(t.name) - wanted), t.name, t)
        for t in technologies
        if wanted <= _tokens(t.name)
    )
    if not scored:
        return None
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return scored[0][2]
