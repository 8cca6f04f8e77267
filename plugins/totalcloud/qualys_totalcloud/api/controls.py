"""TotalCloud (CloudView) control library and compliance mandates (§10b).

- `GET /cloudview-api/rest/v1/controls/metadata/list?filter=provider:AWS&pageNo=&pageSize=`:
  every control TotalCloud evaluates for a provider, under `control` (qualysdk reads that key)
  with `cid`, `controlName`, `provider`, `serviceType`, `resourceType`, `criticality`,
  `controlType` and `policyNames` (the CIS benchmark and best-practice policies it is part of).
  `pageNo` counts from 0; qualysdk asks for the next page while the body has a `warning`, and
  we also stop on a short or empty page.
- `GET /cloudview-api/rest/v1/mandates?pageNo=&pageSize=[&filter=]` (which replaced the
  deprecated `/reports/mandates`, T7): the compliance mandates and the controls that evidence
  each. No public source shows the record; we read `id`/`mandateId`, `name`/`title` and a
  `controls` list of `{cid, provider}` (the simulator's shape, chosen as the smallest one that
  maps a framework to controls). CloudView list paging (`content`, `totalElements`, `last`).

`match` resolves a framework named in free text ('pci', 'CIS AWS') against both: the mandates
by name, and the library's policies (each provider's CIS benchmark, best practices).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from qualys_core.http.client import QualysClient
from qualys_core.http.paging import PageNumber, PageRequest
from qualys_core.http.values import read_int, read_text
from qualys_totalcloud.api.connectors import MODULE, PROVIDERS, cloudview_paging
from qualys_totalcloud.api.posture import ControlEvaluation

__all__ = [
    "CONTROLS_PATH",
    "MANDATES_PATH",
    "ControlMetadata",
    "Mandate",
    "MandateControl",
    "Selection",
    "list_control_metadata",
    "list_mandates",
    "match",
    "parse_control",
    "parse_mandate",
    "policy_index",
]

Key = tuple[str, int]  # (PROVIDER, cid)

CONTROLS_PATH = "/cloudview-api/rest/v1/controls/metadata/list"
MANDATES_PATH = "/cloudview-api/rest/v1/mandates"
CONTROLS_PAGE = 1000  # a provider's library in one or two calls (public scripts ask for 1000)


class ControlMetadata(BaseModel):
    """One control of TotalCloud's library."""

    model_config = ConfigDict(frozen=True)

    cid: int
    name: str | None = None
    provider: str | None = None  # upper case as TotalCloud sends it: AWS, AZURE, GCP, OCI
    service: str | None = None
    resource_type: str | None = None
    criticality: str | None = None
    control_type: str | None = None
    policies: tuple[str, ...] = ()


class MandateControl(BaseModel):
    """A control that evidences a mandate, on one provider."""

    model_config = ConfigDict(frozen=True)

    cid: int
    provider: str  # upper case


class Mandate(BaseModel):
    """A compliance mandate (PCI DSS, NIST SP 800-53, ...) and the controls mapped to it."""

    model_config = ConfigDict(frozen=True)

    id: str | None = None
    name: str
    controls: tuple[MandateControl, ...] = ()


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list):
        return tuple(str(v) for v in value if v)
    return ()


def parse_control(item: Mapping[str, Any]) -> ControlMetadata | None:
    """A control record, or None when it has no usable `cid`."""
    cid = read_int(item.get("cid"))
    if cid is None:
        return None
    provider = read_text(item.get("provider"))
    return ControlMetadata(
        cid=cid,
        name=read_text(item.get("controlName")),
        provider=provider.upper() if provider else None,
        service=read_text(item.get("serviceType")),
        resource_type=read_text(item.get("resourceType")),
        criticality=read_text(item.get("criticality")),
        control_type=read_text(item.get("controlType")),
        policies=_names(item.get("policyNames")),
    )


def parse_mandate(item: Mapping[str, Any]) -> Mandate | None:
    """A mandate record, or None when it has no name."""
    name = read_text(item.get("name") or item.get("title") or item.get("mandateName"))
    if name is None:
        return None
    identifier = item.get("id", item.get("mandateId"))
    controls: list[MandateControl] = []
    raw = item.get("controls")
    for entry in raw if isinstance(raw, list) else ():
        if not isinstance(entry, Mapping):
            continue
        cid = read_int(entry.get("cid", entry.get("controlId")))
        provider = read_text(entry.get("provider"))
        if cid is not None and provider:
            controls.append(MandateControl(cid=cid, provider=provider.upper()))
    return Mandate(id=read_text(identifier), name=name, controls=tuple(controls))


def _controls_paging(page_size: int) -> PageNumber:
    return PageNumber("pageNo", base=0, page_size=page_size, items_key="control")


async def list_control_metadata(
    client: QualysClient,
    provider: str,
    *,
    filter: str | None = None,
    limit: int | None = None,
    page_size: int = CONTROLS_PAGE,
) -> list[ControlMetadata]:
    """The controls TotalCloud evaluates for `provider` (aws, azure, gcp, oci), optionally
    narrowed by more CloudView filter terms (`policy.name:CIS`)."""
    if provider not in PROVIDERS:
        raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}, got {provider!r}")
    query = f"provider:{provider.upper()}"
    if filter:
        query = f"{query} and {filter}"
    found: list[ControlMetadata] = []
    async for page in client.gateway.pages(
        "GET",
        CONTROLS_PATH,
        _controls_paging(page_size),
        PageRequest(params={"filter": query}),
        limit=limit,
        module=MODULE,
    ):
        for item in page.items:
            control = parse_control(item) if isinstance(item, Mapping) else None
            if control is not None:
                found.append(control)
    return found


async def list_mandates(
    client: QualysClient,
    *,
    filter: str | None = None,
    limit: int | None = None,
    page_size: int = 100,
) -> tuple[list[Mandate], int | None]:
    """The compliance mandates TotalCloud maps controls to, and the total it reports."""
    params = {"filter": filter} if filter else {}
    found: list[Mandate] = []
    total: int | None = None
    async for page in client.gateway.pages(
        "GET",
        MANDATES_PATH,
        cloudview_paging(page_size),
        PageRequest(params=params),
        limit=limit,
        module=MODULE,
    ):
        total = page.total if page.total is not None else total
        for item in page.items:
            mandate = parse_mandate(item) if isinstance(item, Mapping) else None
            if mandate is not None:
                found.append(mandate)
    return found, total


# ---------------------------------------------------------------------------- frameworks

_TOKEN = re.compile(r"[a-z]+|\d+")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


# Words that name no framework ('PCI compliance', 'CIS v8 controls'), and words naming a cloud.
_NOISE = frozenset(
    _tokens("compliance framework standard control controls posture cloud v the and for of on in")
)
_NAMED = {"aws": "aws amazon", "azure": "azure microsoft", "gcp": "gcp google", "oci": "oci oracle"}
_PROVIDER_WORDS = {word: p for p, words in _NAMED.items() for word in _tokens(words)}
_PRETTY = {"aws": "AWS", "azure": "Azure", "gcp": "GCP", "oci": "OCI"}


@dataclass(frozen=True)
class Selection:
    """The controls of one framework: mandate or policy control keys, plus policy names (an
    evaluation row names its policies too). `everything` selects every control."""

    label: str
    names: tuple[str, ...] = ()
    keys: frozenset[Key] = frozenset()
    policies: frozenset[str] = frozenset()
    providers: frozenset[str] | None = None  # lower case; None: every provider
    everything: bool = False

    def wants(self, provider: str) -> bool:
        """Whether any control of `provider` (lower case) can be in the framework."""
        if self.providers is not None and provider not in self.providers:
            return False
        return self.everything or any(p == provider.upper() for p, _ in self.keys)

    def covers(self, row: ControlEvaluation) -> bool:
        if self.providers is not None and row.provider not in self.providers:
            return False
        if self.everything:
            return True
        key = (row.provider.upper(), row.control_id or 0)
        return key in self.keys or not self.policies.isdisjoint(row.policies)


def policy_index(controls: Sequence[ControlMetadata]) -> dict[str, set[Key]]:
    """Policy name → the controls in it."""
    found: dict[str, set[Key]] = {}
    for control in controls:
        for policy in control.policies:
            found.setdefault(policy, set()).add(((control.provider or "").upper(), control.cid))
    return found


def _name_matches(words: Sequence[str], compact: str, name: str) -> bool:
    tokens = _tokens(name)
    return set(words) <= set(tokens) or (len(compact) > 3 and compact in "".join(tokens))


def match(
    text: str, mandates: Sequence[Mandate], library: Mapping[str, Mapping[str, set[Key]]]
) -> Selection | None:
    """The frameworks `text` names ('pci' → PCI DSS v4.0, 'cis' → every provider's CIS
    benchmark, 'CIS AWS' → AWS's only), or None when it names none TotalCloud has.

    `library` maps provider (lower case) → policy name → control keys. Every word must be in
    the name ('pcidss' may be written as one); words naming a cloud narrow the match to it,
    and with nothing else named every control of those clouds is selected.
    """
    words = [w for w in _tokens(text) if w not in _NOISE]
    named = {_PROVIDER_WORDS[w] for w in words if w in _PROVIDER_WORDS}
    providers = frozenset(named) if named else None
    rest = [w for w in words if w not in _PROVIDER_WORDS]
    if not rest:
        label = ", ".join(_PRETTY[p] for p in sorted(named)) or "all controls"
        return Selection(f"Cloud posture ({label})", providers=providers, everything=True)
    compact = "".join(rest)
    names: list[str] = []
    keys: set[Key] = set()
    policies: set[str] = set()
    for mandate in mandates:
        if _name_matches(rest, compact, mandate.name):
            names.append(mandate.name)
            keys.update((c.provider, c.cid) for c in mandate.controls)
    for provider, by_policy in library.items():
        if providers is not None and provider not in providers:
            continue
        for policy, policy_keys in sorted(by_policy.items()):
            if _name_matches(rest, compact, policy):
                names.append(policy)
                policies.add(policy)
                keys.update(policy_keys)
    if not names:
        return None
    if providers is not None:
        keys = {k for k in keys if k[0].lower() in providers}
    label = names[0] if len(names) == 1 else f"{text.strip()} ({len(names)} frameworks)"
    return Selection(label, tuple(names), frozenset(keys), frozenset(policies), providers)
