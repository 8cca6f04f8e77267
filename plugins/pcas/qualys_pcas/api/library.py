"""The PCAS policy library on the gateway (catalogue §19): labels, technologies, policies and
one policy's details.

Shapes, the vendor's first (docs.qualys.com "Library Policy", "Library Policy Details",
"Import Library Policy"; Policy Audit release 1.9 API), then what the catalogue's clients read:

- labels: a list of `{labelId, labelName}` (§19a L1).
- technologies: `{"technologies": [...]}` or a bare list (§19a L2 reads both), each
  `{technologyId, technologyName}`.
- policy list: a list of `{policyId, policyTitle, version, date}` with `date` as dd/mm/yyyy and
  `description` when asked; the vendor's sample for a label nests the list in another list, so
  nested lists are flattened. It is not paged: the vendor documents no paging parameter, and
  qualys-mcp's `pageSize` (§19a L3) is not sent.
- one policy: `policyId` or `policyTitle`, `details` basic|full (the vendor's name; qualys-mcp's
  `detailLevel`, §19a L4, is not sent). A 404 means no such policy (None), not "no licence".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from qualys_core.errors import BadResponse
from qualys_core.http.client import QualysClient
from qualys_core.http.values import read_int, read_text

__all__ = [
    "IMPORT_PATH",
    "LABEL_PATH",
    "MODULE",
    "POLICY_LIST_PATH",
    "POLICY_PATH",
    "TECHNOLOGY_PATH",
    "Label",
    "LibraryPolicy",
    "PolicyControl",
    "PolicyDetail",
    "PolicySection",
    "Technology",
    "get_policy",
    "list_labels",
    "list_policies",
    "list_technologies",
    "parse_date",
    "parse_policy",
    "parse_policy_detail",
    "policy_rows",
]

MODULE = "PCAS"
LABEL_PATH = "/pcas/v1/library/label"
TECHNOLOGY_PATH = "/pcas/v1/library/technology"
POLICY_LIST_PATH = "/pcas/v1/library/policy/list"
POLICY_PATH = "/pcas/v1/library/policy"


class Label(BaseModel):
    """A library label: a framework or source (CIS, DISA STIG, PCI DSS, ...)."""

    model_config = ConfigDict(frozen=True)

    label_id: int
    name: str


class Technology(BaseModel):
    """A technology the library has policies for (an OS, database, device or cloud)."""

    model_config = ConfigDict(frozen=True)

    technology_id: int
    name: str


class LibraryPolicy(BaseModel):
    """One row of the library's policy list."""

    model_config = ConfigDict(frozen=True)

    policy_id: int
    title: str | None = None
    version: int | None = None
    updated: date | None = None
    description: str | None = None


class PolicyControl(BaseModel):
    model_config = ConfigDict(frozen=True)

    control_id: int | None = None
    control_number: int | None = None
    statement: str | None = None
    criticality: str | None = None


class PolicySection(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int | None = None
    heading: str | None = None
    controls: tuple[PolicyControl, ...] = ()


class PolicyDetail(BaseModel):
    """One library policy as `GET /pcas/v1/library/policy` describes it."""

    model_config = ConfigDict(frozen=True)

    policy_id: int | None = None
    title: str | None = None
    cover_page: str | None = None
    technologies: tuple[Technology, ...] = ()
    sections: tuple[PolicySection, ...] = ()

    @property
    def control_count(self) -> int:
        return sum(len(s.controls) for s in self.sections)


def parse_date(value: Any) -> date | None:
    """The list's `date`: dd/mm/yyyy per the vendor; ISO dates and times are read too."""
    text = read_text(value)
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _technology(item: Any) -> Technology | None:
    if not isinstance(item, Mapping):
        return None
    tid = read_int(item.get("technologyId"))
    name = read_text(item.get("technologyName"))
    return Technology(technology_id=tid, name=name) if tid is not None and name else None


def _label(item: Any) -> Label | None:
    if not isinstance(item, Mapping):
        return None
    lid = read_int(item.get("labelId"))
    name = read_text(item.get("labelName"))
    return Label(label_id=lid, name=name) if lid is not None and name else None


def policy_rows(body: Any) -> Iterable[Mapping[str, Any]]:
    """The rows of a policy list answer, flattening the vendor's list-in-a-list."""
    if isinstance(body, Mapping):
        yield body
    elif isinstance(body, list):
        for item in body:
            yield from policy_rows(item)


def parse_policy(item: Mapping[str, Any]) -> LibraryPolicy | None:
    pid = read_int(item.get("policyId"))
    if pid is None:
        return None
    return LibraryPolicy(
        policy_id=pid,
        title=read_text(item.get("policyTitle")),
        version=read_int(item.get("version")),
        updated=parse_date(item.get("date")),
        description=read_text(item.get("description")),
    )


def _control(item: Any) -> PolicyControl | None:
    if not isinstance(item, Mapping):
        return None
    criticality = item.get("criticality")
    if isinstance(criticality, Mapping):  # the v3 editor sometimes nests {label, value}
        criticality = criticality.get("label")
    return PolicyControl(
        control_id=read_int(item.get("controlId")),
        control_number=read_int(item.get("controlNumber")),
        statement=read_text(item.get("statement")),
        criticality=read_text(criticality),
    )


def _section(item: Any) -> PolicySection | None:
    if not isinstance(item, Mapping):
        return None
    controls = item.get("controls")
    return PolicySection(
        number=read_int(item.get("sectionNumber")),
        heading=read_text(item.get("sectionHeading")),
        controls=tuple(
            c for c in map(_control, controls if isinstance(controls, list) else []) if c
        ),
    )


def parse_policy_detail(body: Mapping[str, Any]) -> PolicyDetail:
    techs = body.get("technologies")
    sections = body.get("sections")
    return PolicyDetail(
        policy_id=read_int(body.get("policyId")),
        title=read_text(body.get("policyTitle")),
        cover_page=read_text(body.get("coverPage")),
        technologies=tuple(
            t for t in map(_technology, techs if isinstance(techs, list) else []) if t
        ),
        sections=tuple(
            s for s in map(_section, sections if isinstance(sections, list) else []) if s
        ),
    )


async def list_labels(client: QualysClient) -> list[Label]:
    """Every library label. A 404 raises NotLicensed (PCAS is off for the subscription)."""
    body = await client.gateway.json("GET", LABEL_PATH, call_class="short", module=MODULE)
    if not isinstance(body, list):
        raise BadResponse("the PCAS label list is not a JSON list", path=LABEL_PATH)
    return [label for label in map(_label, body) if label]


async def list_technologies(client: QualysClient, label_id: int | None = None) -> list[Technology]:
    """The library's technologies, or those a label's policies cover."""
    params = {"labelId": str(label_id)} if label_id is not None else {}
    body = await client.gateway.json(
        "GET", TECHNOLOGY_PATH, params=params, call_class="short", module=MODULE
    )
    items = body.get("technologies") if isinstance(body, Mapping) else body
    if not isinstance(items, list):
        raise BadResponse("the PCAS technology list has no 'technologies'", path=TECHNOLOGY_PATH)
    return [tech for tech in map(_technology, items) if tech]


async def list_policies(
    client: QualysClient,
    *,
    label_id: int | None = None,
    technology_ids: Sequence[int] = (),
    include_description: bool = False,
    updated_after: date | None = None,
) -> list[LibraryPolicy]:
    """The library's policies, filtered by label, technologies (any of them) and date."""
    params: dict[str, str] = {}
    if label_id is not None:
        params["labelId"] = str(label_id)
    if technology_ids:
        params["technologyId"] = ",".join(str(t) for t in technology_ids)
    if include_description:
        params["includeDescription"] = "true"
    if updated_after is not None:
        params["updatedAfter"] = f"{updated_after:%d/%m/%Y}"
    body = await client.gateway.json("GET", POLICY_LIST_PATH, params=params, module=MODULE)
    if not isinstance(body, list):
        raise BadResponse("the PCAS policy list is not a JSON list", path=POLICY_LIST_PATH)
    return [policy for policy in map(parse_policy, policy_rows(body)) if policy]


async def get_policy(
    client: QualysClient,
    *,
    policy_id: int | None = None,
    policy_title: str | None = None,
    details: Literal["basic", "full"] = "basic",
) -> PolicyDetail | None:
    """One library policy by id or title (exactly one); None when the library has no such
    policy."""
    if (policy_id is None) == (policy_title is None):
        raise ValueError("give exactly one of policy_id or policy_title")
    params: dict[str, str] = {"details": details}
    if policy_id is not None:
        params["policyId"] = str(policy_id)
    else:
        params["policyTitle"] = str(policy_title)
    body = await client.gateway.json(
        "GET", POLICY_PATH, params=params, module=MODULE, not_found="empty"
    )
    if body is None:
        return None
    if not isinstance(body, Mapping):
        raise BadResponse("the PCAS policy detail is not a JSON object", path=POLICY_PATH)
    return parse_policy_detail(body)


IMPORT_PATH = "/pcas/v1/library/policy/import"  # a write: named in suggestions, never called
