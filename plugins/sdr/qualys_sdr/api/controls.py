"""SaaSDR controls on the gateway (catalogue §21): the control list and a custom control's
detail.

What the records model, and from where:

- The vendor's control samples (docs.qualys.com/en/saasdr/api/custom_control_api/
  get_control_details.htm and the SaaSDR 1.14.0 API release notes, March 2026) show `cid`,
  `name`, `criticality` ("High", "Low"), `criticalityNo`, `description`, `connectorType`
  ("OFFICE365"), `entityType`, `entityIdParam`, `predicate`, `evidences[]` (`evidenceKey`,
  `evidenceSuccess`, `evidenceFail`), `scope` and `xpath`. Those are the fields modelled.
- The catalogue's list fixture shows `id` and `isCustom` (marked as placeholders, since
  qualys-mcp reads no control field): `id` is read when `cid` is missing, `isCustom` when
  present. No source shows a pass/fail result on a control (the release notes put the
  evaluation status on the SaaSDR Monitor page), so none is modelled.
- Every key not modelled is kept untouched in `extra`.

Paging: `pageSize` (qualys-mcp) and `pageNumber` from 0, with `content` and `totalElements`;
no source shows the page parameter (see the simulator's routes module for the choice). The
listing ends on an empty or short page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from qualys_core.http.client import QualysClient
from qualys_core.http.paging import PageNumber, PageRequest
from qualys_core.http.values import read_bool, read_int, read_text

__all__ = [
    "DETAIL_PATH",
    "LIST_PATH",
    "MODULE",
    "PAGE_SIZE",
    "ControlListing",
    "CustomControl",
    "Evidence",
    "SaasControl",
    "controls_paging",
    "get_custom_control",
    "list_controls",
    "parse_control",
    "parse_custom_control",
]

MODULE = "SaaS DR"
LIST_PATH = "/sdr/api/controls/list"
DETAIL_PATH = "/sdr/api/custom/controls/get/{}"
PAGE_SIZE = 50  # qualys-mcp's page size

_SUMMARY_KEYS = frozenset(
    {"cid", "id", "name", "criticality", "criticalityNo", "description", "connectorType",
     "entityType", "isCustom"}
)  # fmt: skip
_DETAIL_KEYS = _SUMMARY_KEYS | {"entityIdParam", "predicate", "evidences", "scope", "xpath"}


class SaasControl(BaseModel):
    """One control of the SaaSDR library, as the control list gives it."""

    model_config = ConfigDict(frozen=True)

    cid: str | None = None
    name: str | None = None
    criticality: str | None = None
    criticality_no: int | None = None
    description: str | None = None
    connector_type: str | None = None
    entity_type: str | None = None
    is_custom: bool | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class Evidence(BaseModel):
    """What a control records as evidence: a label and the JSONPaths read on success and
    failure."""

    model_config = ConfigDict(frozen=True)

    key: str | None = None
    success: str | None = None
    fail: str | None = None


class CustomControl(SaasControl):
    """A custom control with its check, as the custom control detail gives it."""

    entity_id_param: str | None = None
    predicate: str | None = None
    evidences: tuple[Evidence, ...] = ()
    scope: str | None = None
    xpath: str | None = None


@dataclass(frozen=True)
class ControlListing:
    """The controls of one listing and the total the API reported (None when it gave none)."""

    controls: list[SaasControl]
    total: int | None


def _summary_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "cid": read_text(item.get("cid")) or read_text(item.get("id")),
        "name": read_text(item.get("name")),
        "criticality": read_text(item.get("criticality")),
        "criticality_no": read_int(item.get("criticalityNo")),
        "description": read_text(item.get("description")),
        "connector_type": read_text(item.get("connectorType")),
        "entity_type": read_text(item.get("entityType")),
        "is_custom": read_bool(item.get("isCustom")),
    }


def _extra(item: Mapping[str, Any], modelled: frozenset[str]) -> dict[str, Any]:
    return {str(k): v for k, v in item.items() if k not in modelled}


def parse_control(item: Mapping[str, Any]) -> SaasControl | None:
    """A list item, or None when it has neither an id nor a name."""
    fields = _summary_fields(item)
    if fields["cid"] is None and fields["name"] is None:
        return None
    return SaasControl(**fields, extra=_extra(item, _SUMMARY_KEYS))


def _evidences(value: Any) -> tuple[Evidence, ...]:
    entries = value if isinstance(value, list) else [value] if isinstance(value, Mapping) else []
    return tuple(
        Evidence(
            key=read_text(e.get("evidenceKey")),
            success=read_text(e.get("evidenceSuccess")),
            fail=read_text(e.get("evidenceFail")),
        )
        for e in entries
        if isinstance(e, Mapping)
    )


def parse_custom_control(item: Mapping[str, Any]) -> CustomControl:
    return CustomControl(
        **_summary_fields(item),
        entity_id_param=read_text(item.get("entityIdParam")),
        predicate=read_text(item.get("predicate")),
        evidences=_evidences(item.get("evidences")),
        scope=read_text(item.get("scope")),
        xpath=read_text(item.get("xpath")),
        extra=_extra(item, _DETAIL_KEYS),
    )


def controls_paging(page_size: int = PAGE_SIZE) -> PageNumber:
    return PageNumber(
        "pageNumber",
        base=0,
        size_param="pageSize",
        page_size=page_size,
        items_key="content",
        total_key="totalElements",
    )


async def list_controls(
    client: QualysClient,
    *,
    is_custom: bool | None = None,
    limit: int | None = None,
    page_size: int = PAGE_SIZE,
) -> ControlListing:
    """Every control of the library (all pages), or only the custom (`is_custom=True`) or
    built-in (`False`) ones. A 404 means SaaSDR is not licensed (the core's `NotLicensed`)."""
    params = {} if is_custom is None else {"isCustom": "true" if is_custom else "false"}
    found: list[SaasControl] = []
    total: int | None = None
    async for page in client.gateway.pages(
        "GET",
        LIST_PATH,
        controls_paging(page_size),
        PageRequest(params=params),
        limit=limit,
        module=MODULE,
    ):
        total = page.total if page.total is not None else total
        for item in page.items:
            control = parse_control(item) if isinstance(item, Mapping) else None
            if control is not None:
                found.append(control)
    return ControlListing(found, total)


async def get_custom_control(client: QualysClient, control_id: str) -> CustomControl | None:
    """A custom control's detail, or None when SaaSDR answers 404 for it (no such custom
    control; an unlicensed subscription answers 404 too, and the list says which it is)."""
    if not control_id.strip():
        raise ValueError("control_id must name a custom control, got an empty id")
    body = await client.gateway.json(
        "GET",
        DETAIL_PATH.format(quote(control_id.strip(), safe="")),
        call_class="short",
        not_found="empty",
        module=MODULE,
    )
    if not isinstance(body, Mapping) or not body:
        return None
    return parse_custom_control(body)
