"""Filters for the simulated CSAM endpoints: asset `filters` and QQL, and QPS tag criteria.

The vocabulary is the one public clients send (catalogue §9a, §9b); anything else is refused
with HTTP 400, as CSAM refuses fields it does not know, so a client typo shows up in tests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

if TYPE_CHECKING:
    from qualys_core.simulator.csam_records import TenantView
    from qualys_core.simulator.tenant import Host, Tag

__all__ = [
    "AssetFilter",
    "FilterError",
    "QpsRequestError",
    "TagQuery",
    "parse_filters",
    "parse_instant",
    "parse_tag_query",
    "updated_after",
]

Kind = Literal["text", "number", "date"]
Getter = Callable[["Host", "TenantView"], Iterable[Any]]


class FilterError(Exception):
    """A filter CSAM would refuse; the handler answers 400 with the CSAM failure envelope."""


@dataclass(frozen=True)
class _Field:
    kind: Kind
    operators: frozenset[str]
    get: Getter
    costly: bool = False  # needs the host's detections: evaluate after the cheap filters


_TEXT_OPS = frozenset({"EQUALS", "CONTAINS"})
_NUMBER_OPS = frozenset({"EQUALS", "GREATER", "LESSER"})
_DATE_OPS = frozenset({"GREATER", "LESSER"})

# The tenant keeps no port scan results; these stand for the services each OS family listens
# on, so qualysetl's `asset.openPorts.port EQUALS 3389` example selects the Windows hosts.
_PORTS = {"Windows": (135, 445, 3389), "Linux": (22,), "macOS": (22,), "Network": (22, 161, 443)}


def _tags(host: Host, view: TenantView) -> list[str]:
    return view.tag_list(host)


_FIELDS: dict[str, _Field] = {
    "asset.truRisk": _Field("number", _NUMBER_OPS, lambda h, v: (v.risk(h),), costly=True),
    "asset.criticalityScore": _Field("number", _NUMBER_OPS, lambda h, v: (h.criticality,)),
    "asset.id": _Field("number", _NUMBER_OPS, lambda h, v: (h.asset_id,)),
    "asset.openPorts.port": _Field("number", _NUMBER_OPS, lambda h, v: _PORTS.get(h.os_family, ())),
    "asset.lastUpdatedDate": _Field("date", _DATE_OPS, lambda h, v: (h.last_modified,)),
    "asset.name": _Field("text", _TEXT_OPS, lambda h, v: (h.name,)),
    "asset.tag.name": _Field("text", _TEXT_OPS, _tags),
    # qualysetl's spelling of the same field (its config example, §9b/§9c).
    "tags.name": _Field("text", _TEXT_OPS, _tags),
    # The tenant's business unit stands for the support group CSAM keeps in businessInfo.
    "asset.businessInfo.supportGroup": _Field("text", _TEXT_OPS, lambda h, v: (h.business_unit,)),
    "operatingSystem.name": _Field("text", _TEXT_OPS, lambda h, v: (h.os,)),
    "operatingSystem.lifecycle.stage": _Field("text", _TEXT_OPS, lambda h, v: (h.os_lifecycle,)),
    "hardware.lifecycle.stage": _Field("text", _TEXT_OPS, lambda h, v: (h.hardware_lifecycle,)),
    "cloud.provider": _Field(
        "text", _TEXT_OPS, lambda h, v: (h.cloud.provider,) if h.cloud is not None else ()
    ),
    "software.name": _Field("text", _TEXT_OPS, lambda h, v: v.software_names(h)),
    "interfaces.address": _Field("text", _TEXT_OPS, lambda h, v: (h.ip, h.ipv6)),
}


@dataclass(frozen=True)
class AssetFilter:
    """One parsed ``{"field", "operator", "value"}`` term; all terms of a request must match."""

    field: str
    operator: str
    value: Any
    costly: bool
    _spec: _Field

    def matches(self, host: Host, view: TenantView) -> bool:
        values = [value for value in self._spec.get(host, view) if value is not None]
        if self._spec.kind == "text":
            # Case-insensitive: qualys-mcp sends "Mac" for macOS and upper-case providers.
            wanted = str(self.value).casefold()
            if self.operator == "CONTAINS":
                return any(wanted in str(value).casefold() for value in values)
            return any(wanted == str(value).casefold() for value in values)
        if self.operator == "GREATER":
            return any(value > self.value for value in values)
        if self.operator == "LESSER":
            return any(value < self.value for value in values)
        return any(value == self.value for value in values)


def make_filter(field: object, operator: object, value: object) -> AssetFilter:
    name = str(field or "")
    spec = _FIELDS.get(name)
    if spec is None:
        raise FilterError(f"Invalid filter field: {name!r} is not a supported asset field")
    op = str(operator or "").upper()
    if op not in spec.operators:
        raise FilterError(
            f"Invalid operator {operator!r} for field {name!r}; "
            f"supported: {', '.join(sorted(spec.operators))}"
        )
    text = "" if value is None else str(value).strip()
    parsed: Any = text
    if spec.kind == "number":
        try:
            parsed = float(text)
        except ValueError:
            # §9a C4: CSAM answers a non-numeric asset.id with HTTP 400.
            raise FilterError(f"Invalid value {text!r} for field {name!r}: not a number") from None
    elif spec.kind == "date":
        parsed = parse_instant(text, name)
    return AssetFilter(name, op, parsed, spec.costly, spec)


def parse_instant(text: str, name: str) -> datetime:
    """An ISO date or timestamp (``Z`` or an offset; none means UTC)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise FilterError(f"Invalid value {text!r} for {name!r}: not an ISO date") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def updated_after(text: str) -> AssetFilter:
    """qualysetl's ``assetLastUpdated`` query parameter: assets modified after that instant."""
    parse_instant(text, "assetLastUpdated")
    return make_filter("asset.lastUpdatedDate", "GREATER", text)


def parse_filters(body: Any) -> list[AssetFilter]:
    """The filters of a search or count body, cheap ones first.

    Accepts ``{"filters": [{"field", "operator", "value"}]}`` (qualys-mcp, qualysetl) and
    ``{"filter": "<QQL>"}`` (qualys-mcp-full's unverified guess, §9b/§9c), or both.
    """
    if body is None:
        return []
    if not isinstance(body, dict):
        raise FilterError("Invalid request body: expected a JSON object")
    found: list[AssetFilter] = []
    terms = body.get("filters")
    if terms is not None:
        if not isinstance(terms, list):
            raise FilterError("Invalid request body: 'filters' must be a list")
        for term in terms:
            if not isinstance(term, dict):
                raise FilterError("Invalid filter: expected {field, operator, value}")
            found.append(make_filter(term.get("field"), term.get("operator"), term.get("value")))
    qql = body.get("filter")
    if qql:
        found.extend(parse_qql(str(qql)))
    return sorted(found, key=lambda item: item.costly)


# One QQL term: `field:value`, `field: "value"`, `field>n`, `field<n`.
_QQL_TERM = re.compile(r'\s*([A-Za-z][\w.]*)\s*([:<>])\s*(?:"([^"]*)"|`([^`]*)`|([^\s"`]+))\s*')
_QQL_AND = re.compile(r"and\s+", re.IGNORECASE)
_QQL_OPERATOR = {":": "EQUALS", ">": "GREATER", "<": "LESSER"}


def parse_qql(qql: str) -> list[AssetFilter]:
    """The QQL subset the simulator understands: comparison terms joined by ``and``."""
    found: list[AssetFilter] = []
    position = 0
    while True:
        term = _QQL_TERM.match(qql, position)
        if term is None:
            raise FilterError(
                f"Unsupported QQL near {qql[position : position + 30]!r}: the simulator "
                "accepts field:value, field>n and field<n terms joined by and"
            )
        field, sign, quoted, ticked, bare = term.groups()
        value = next(part for part in (quoted, ticked, bare) if part is not None)
        found.append(make_filter(field, _QQL_OPERATOR[sign], value))
        position = term.end()
        if position >= len(qql):
            return found
        joiner = _QQL_AND.match(qql, position)
        if joiner is None:
            raise FilterError(f"Unsupported QQL near {qql[position : position + 30]!r}")
        position = joiner.end()


# ---------------------------------------------------------------------- QPS tag search


class QpsRequestError(Exception):
    """A QPS request the simulator refuses; answered with responseCode INVALID_REQUEST."""


Criterion = tuple[str, str, str]

# Tag criteria the simulator supports: what qualysdk and qualys-mcp-full send (§9b).
_TAG_OPERATORS = {
    "id": frozenset({"EQUALS", "GREATER", "LESSER", "IN"}),
    "name": frozenset({"EQUALS", "CONTAINS"}),
    "parent": frozenset({"EQUALS"}),
}
_TAG_PAGE = 100
_MAX_TAG_PAGE = 1000


@dataclass(frozen=True)
class TagQuery:
    """A tag search: criteria (all must hold) and the QPS preferences that page it."""

    criteria: tuple[Criterion, ...] = ()
    limit: int = _TAG_PAGE
    offset: int = 1  # startFromOffset counts from 1
    from_id: int = 0

    def matches(self, tag: Tag) -> bool:
        return tag.id >= self.from_id and all(_tag_matches(tag, *term) for term in self.criteria)


def parse_tag_query(body: bytes, content_type: str) -> TagQuery:
    """The query of an XML ``<ServiceRequest>`` or of qualysdk's JSON form of it."""
    raw = body.strip()
    criteria: list[Criterion] = []
    prefs: dict[str, str] = {}
    if raw and ("json" in content_type.lower() or raw.startswith(b"{")):
        # qualysdk: {"ServiceRequest": {"filters": {"Criteria": [...]}, "preferences": {...}}}.
        try:
            service = json.loads(raw).get("ServiceRequest") or {}
            listed = (service.get("filters") or {}).get("Criteria") or []
            for item in listed if isinstance(listed, list) else [listed]:
                value = item.get("value")
                text = "" if value is None else str(value).strip()
                criteria.append((str(item.get("field")), str(item.get("operator")), text))
            prefs = {str(k): str(v) for k, v in (service.get("preferences") or {}).items()}
        except (ValueError, AttributeError):
            raise QpsRequestError("Request body is not a JSON ServiceRequest") from None
    elif raw:
        try:
            root = fromstring(raw)
        except (ParseError, DefusedXmlException):
            raise QpsRequestError("Request body is not well-formed XML") from None
        if root.tag != "ServiceRequest":
            raise QpsRequestError(f"Unexpected root element {root.tag!r}; send a ServiceRequest")
        for item in root.findall("filters/Criteria"):
            field, operator = item.get("field", ""), item.get("operator", "")
            criteria.append((field, operator, (item.text or "").strip()))
        for pref in root.findall("preferences/*"):
            prefs[pref.tag] = (pref.text or "").strip()
    for term in criteria:
        _check_criterion(*term)
    return TagQuery(
        tuple(criteria),
        min(_pref(prefs, "limitResults", _TAG_PAGE, 1), _MAX_TAG_PAGE),
        _pref(prefs, "startFromOffset", 1, 1),
        _pref(prefs, "startFromId", 0, 0),
    )


def _pref(prefs: Mapping[str, str], name: str, default: int, least: int) -> int:
    value = prefs.get(name)
    if not value:
        return default
    if not value.isdigit() or int(value) < least:
        raise QpsRequestError(f"Invalid value {value!r} for preference {name}")
    return int(value)


def _check_criterion(field: str, operator: str, value: str) -> None:
    allowed = _TAG_OPERATORS.get(field)
    if allowed is None:
        raise QpsRequestError(f"Invalid criteria field {field!r} for Tag")
    if operator.upper() not in allowed:
        raise QpsRequestError(f"Invalid operator {operator!r} for field {field!r}")
    if field in ("id", "parent"):
        numbers = value.split(",") if operator.upper() == "IN" else [value]
        if not all(number.strip().isdigit() for number in numbers):
            raise QpsRequestError(f"Invalid value {value!r} for field {field!r}")


def _tag_matches(tag: Tag, field: str, operator: str, value: str) -> bool:
    operator = operator.upper()
    if field == "name":
        if operator == "CONTAINS":
            return value.casefold() in tag.name.casefold()
        return value.casefold() == tag.name.casefold()
    number = tag.id if field == "id" else tag.parent_id
    if number is None:
        return False
    if operator == "IN":
        return number in {int(item) for item in value.split(",")}
    if operator == "GREATER":
        return number > int(value)
    if operator == "LESSER":
        return number < int(value)
    return number == int(value)
