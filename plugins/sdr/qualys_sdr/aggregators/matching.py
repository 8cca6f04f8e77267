"""Which SaaS DR controls a framework named in free text covers.

SaaSDR controls carry no framework or benchmark field: the vendor's control samples show
`cid`, `name`, `criticality`, `connectorType`, `entityType` and the check, and its policy
guide (docs.qualys.com/en/saasdr/latest/policy.htm) groups controls into policies (vendor
best practices, CIS) that the controls API does not expose. So a framework is matched on what
the controls do carry: the SaaS application it names ('CIS Microsoft 365' → the Office 365
controls) and words of the control names and entity types ('MFA', 'password').
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qualys_sdr.api.controls import SaasControl

__all__ = ["APPLICATIONS", "Selection", "application_name", "select"]

# connectorType → the application's name in the vendor's connector guide.
APPLICATIONS = {
    "OFFICE365": "Microsoft Office 365",
    "GSUITE": "Google G Suite",
    "SFDC": "Salesforce",
}
_ALIASES = {
    "OFFICE365": ("microsoft office 365", "office 365", "microsoft 365", "o365", "m365",
                  "microsoft", "office"),
    "GSUITE": ("google g suite", "g suite", "gsuite", "google workspace", "google"),
    "SFDC": ("salesforce", "sfdc"),
}  # fmt: skip
_TOKEN = re.compile(r"[a-z]+|\d+")
_NOISE = frozenset(
    {"compliance", "framework", "frameworks", "benchmark", "benchmarks", "foundations",
     "foundation", "standard", "standards", "control", "controls", "posture", "security",
     "saas", "policy", "policies", "best", "practice", "practices", "the", "and", "for",
     "of", "on", "in", "v", "a", "with", "all"}
)  # fmt: skip


def application_name(connector_type: str | None) -> str:
    if not connector_type:
        return "unknown application"
    return APPLICATIONS.get(connector_type.upper(), connector_type)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _find(tokens: list[str], phrase: list[str]) -> int | None:
    for start in range(len(tokens) - len(phrase) + 1):
        if tokens[start : start + len(phrase)] == phrase:
            return start
    return None


def _applications(tokens: list[str]) -> tuple[list[str], list[str]]:
    """The connector types the text names, and the tokens left once their names are cut."""
    named: list[str] = []
    left = list(tokens)
    aliases = sorted(
        ((_tokens(alias), connector) for connector, names in _ALIASES.items() for alias in names),
        key=lambda pair: -len(pair[0]),
    )
    for phrase, connector in aliases:
        start = _find(left, phrase)
        if start is None:
            continue
        del left[start : start + len(phrase)]
        if connector not in named:
            named.append(connector)
    return named, left


def _has(words: Sequence[str], control: SaasControl) -> bool:
    tokens = set(_tokens(f"{control.name or ''} {control.entity_type or ''}"))
    return all(w in tokens or f"{w}s" in tokens or w.rstrip("s") in tokens for w in words)


@dataclass(frozen=True)
class Selection:
    """The controls a framework covers, a label, and why these (one sentence)."""

    label: str
    controls: tuple[SaasControl, ...]
    basis: str
    everything: bool = False


def select(text: str, controls: Sequence[SaasControl]) -> Selection | None:
    """The controls `text` names, or None when it names no application and no control
    name has its words."""
    named, left = _applications(_tokens(text))
    words = [w for w in left if w not in _NOISE and not w.isdigit()]
    if not named and not words:
        return Selection("SaaS posture (all controls)", tuple(controls), "every control", True)
    pool = [c for c in controls if not named or (c.connector_type or "").upper() in named]
    apps = ", ".join(application_name(c) for c in named)
    if not pool:
        return None
    narrowed = [c for c in pool if _has(words, c)] if words else pool
    phrase = " ".join(words)
    if not named:
        if not narrowed:
            return None
        return Selection(
            f"SaaS controls on '{phrase}'",
            tuple(narrowed),
            f"SaaSDR controls carry no framework mapping; these are the controls whose names "
            f"have '{phrase}'",
        )
    if not words:
        return Selection(
            apps,
            tuple(pool),
            f"'{text}' names {apps}; SaaSDR controls carry no framework mapping, so every "
            "control of the application is counted",
        )
    if narrowed:
        return Selection(
            f"{apps}: controls on '{phrase}'",
            tuple(narrowed),
            f"SaaSDR controls carry no framework mapping; these are the {apps} controls whose "
            f"names have '{phrase}'",
        )
    return Selection(
        apps,
        tuple(pool),
        f"No {apps} control name has '{phrase}' and SaaSDR controls carry no framework or "
        "benchmark field, so every control of the application is counted",
    )
