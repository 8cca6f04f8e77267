"""Simulated CloudView control library and mandates: the controls TotalCloud evaluates, with the
policies (CIS benchmarks, best practices) they belong to, and the compliance mandates (PCI DSS,
NIST, HIPAA, ISO 27001, SOC 2) mapped to those controls (catalogue §10b).

- `GET /cloudview-api/rest/v1/controls/metadata/list` (qualysdk get_control_metadata,
  qualys-mcp-full list_controls): `filter` (qualysdk's keys: `provider:AWS`, `cid:1`,
  `policy.name:...`), `pageNo` from 0, `pageSize`. The controls come under `control` (qualysdk
  reads `j["control"]`, and public clients that ran it live read the same key); a page that is
  not the last carries a `warning`, which is all qualysdk looks at to ask for the next page.
  Field names are qualysdk's Control model (`cid, controlName, controlType, provider,
  serviceType, criticality, evaluation{...}, resourceType, policyNames, ...`); the TotalCloud
  2.21 API notes' sample shows the same fields and `created` as `2020-05-07T12:56:56+0000`.
- `GET /cloudview-api/rest/v1/mandates` (qualys-mcp-full list_policies; it replaces the
  deprecated `/reports/mandates`, T7): `pageNo`, `pageSize`, `filter`, CloudView list paging.
  No public source shows a mandate record, so this is the smallest honest shape that lets a
  client map a framework to controls: `{"id", "name", "controls": [{"cid", "provider"}]}`, and
  the filter keys are `name:` (part of the name) and `provider:` (only that cloud's controls).

Both are served on the gateway (bearer) and on the API server with Basic auth (qualysdk calls
CloudView on qualysguard), from the same handlers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from qualys_core.simulator import (
    ContractCase,
    ParameterError,
    SimRequest,
    SimRoute,
    json_response,
    stable_random,
)
from qualys_core.simulator.routes import Handler
from qualys_totalcloud.simulator.cloud_catalog import MANDATES, PROVIDERS, Control
from qualys_totalcloud.simulator.cloud_data import CloudEstate, estate
from qualys_totalcloud.simulator.cloudview_params import json_errors, page_numbers

__all__ = ["CONTROLS_PATH", "MANDATES_PATH", "control_record", "mandate_record", "routes"]

CONTROLS_PATH = "/cloudview-api/rest/v1/controls/metadata/list"
MANDATES_PATH = "/cloudview-api/rest/v1/mandates"
MODULE = "CLOUDVIEW"
_LIST_PARAMS = frozenset({"filter", "pageNo", "pageSize"})
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
# The filter keys qualysdk accepts for the control list; the date and QFlow ones are not
# simulated (the estate has no custom controls or QFlows) and answer 400 rather than lie.
_UNSIMULATED = frozenset({"createdDate", "modifiedDate", "qflow.name", "qflow.id"})


def _terms(request: SimRequest, allowed: Iterable[str]) -> list[tuple[str, list[str]]]:
    """`key:value and key:v1,v2` as (key, values); a comma lists alternatives."""
    text = request.param("filter")
    if text is None:
        return []
    keys = set(allowed)
    found: list[tuple[str, list[str]]] = []
    for term in _AND.split(text.strip()):
        key, sep, value = term.partition(":")
        key = key.strip()
        if not sep or not value.strip():
            raise ParameterError("filter", text, "expects key:value, got")
        if key in _UNSIMULATED:
            raise ParameterError("filter", text, f"key {key} is not simulated in")
        if key not in keys:
            raise ParameterError("filter", text, f"key {key} is not one of {sorted(keys)} in")
        values = [v.strip().strip("'\"") for v in value.split(",") if v.strip().strip("'\"")]
        found.append((key, values))
    return found


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def control_record(control: Control, seed: int, now: datetime) -> dict[str, Any]:
    """One control as the metadata list gives it (qualysdk's Control fields)."""
    rng = stable_random(seed, "cloud-control", control.provider, control.cid)
    created = now - timedelta(days=rng.randrange(400, 1800), seconds=rng.randrange(86400))
    modified = min(now, created + timedelta(days=rng.randrange(0, 380)))
    subject = control.name.removeprefix("Ensure ").rstrip(".")
    return {
        "cid": control.cid,
        "controlName": control.name,
        "created": _stamp(created),
        "modified": _stamp(modified),
        "controlType": "System Defined",
        "provider": control.provider,
        "isCustomizable": False,
        "serviceType": control.service,
        "criticality": control.criticality,
        "evaluation": {
            "description": f"Checks each {control.resource_type} resource: {subject}.",
            "passMessage": f"Compliant: {subject}.",
            "failMessage": f"Not compliant: it is not the case that {subject}.",
        },
        "resourceType": control.resource_type,
        "remediationEnabled": False,
        "policyNames": list(control.policies),
    }


def _control_matches(control: Control, key: str, values: Sequence[str]) -> bool:
    wanted = [v.lower() for v in values]
    if key == "provider":
        return control.provider.lower() in wanted
    if key == "cid":
        return str(control.cid) in values
    if key == "control.name":
        return any(v in control.name.lower() for v in wanted)
    if key == "service.type":
        return control.service.lower() in wanted
    if key == "resource.type":
        return control.resource_type.lower() in wanted
    if key == "control.criticality":
        return control.criticality.lower() in wanted
    if key == "control.type":
        return "system defined" in wanted
    if key == "policy.name":
        return any(v in p.lower() for p in control.policies for v in wanted)
    if key == "isCustomizable":
        return "false" in wanted
    return False


_CONTROL_KEYS = (
    "provider", "cid", "control.name", "service.type", "resource.type", "control.criticality",
    "control.type", "policy.name", "isCustomizable",
)  # fmt: skip


def _all_controls(found: CloudEstate) -> list[Control]:
    ordered: list[Control] = []
    for provider in PROVIDERS:
        ordered.extend(sorted(found.controls.get(provider, ()), key=lambda c: c.cid))
    return ordered


async def list_controls(request: SimRequest) -> Response:
    request.only_params(_LIST_PARAMS | {"sort"})
    terms = _terms(request, _CONTROL_KEYS)
    number, size = page_numbers(request, "pageNo")
    found = estate(request.tenant)
    chosen = [c for c in _all_controls(found) if all(_control_matches(c, k, v) for k, v in terms)]
    order = request.param("sort")
    if order is not None:
        if order not in ("cid:asc", "cid:desc"):
            raise ParameterError("sort", order, "must be cid:asc or cid:desc, not")
        chosen.sort(key=lambda c: c.cid, reverse=order == "cid:desc")
    page = chosen[number * size : (number + 1) * size]
    request.count(len(page))
    body: dict[str, Any] = {"control": [control_record(c, found.seed, found.now) for c in page]}
    if (number + 1) * size < len(chosen):
        following = {**request.params, "pageNo": str(number + 1), "pageSize": str(size)}
        # Modelled on the FO truncation WARNING; qualysdk only tests that the key is present.
        body["warning"] = {
            "text": f"{len(chosen)} controls match; use the URL to get the next page.",
            "url": f"{request.base_url}{CONTROLS_PATH}?{urlencode(following)}",
        }
    return json_response(body)


def _mandate_controls(found: CloudEstate, name: str, providers: Sequence[str]) -> list[Control]:
    return [c for c in _all_controls(found) if name in c.mandates and c.provider in providers]


def mandate_record(index: int, name: str, controls: Sequence[Control]) -> dict[str, Any]:
    """One mandate and the controls that evidence it."""
    return {
        "id": index + 1,
        "name": name,
        "controls": [{"cid": c.cid, "provider": c.provider} for c in controls],
    }


async def list_mandates(request: SimRequest) -> Response:
    request.only_params(_LIST_PARAMS)
    terms = _terms(request, ("name", "provider"))
    number, size = page_numbers(request, "pageNo")
    found = estate(request.tenant)
    providers: Sequence[str] = PROVIDERS
    names: list[str] = []
    for key, values in terms:
        if key == "provider":
            unknown = [v for v in values if v.upper() not in PROVIDERS]
            if unknown:
                raise ParameterError("filter", ",".join(unknown), "has an unknown provider")
            providers = [v.upper() for v in values]
        else:
            names.extend(v.lower() for v in values)
    rows = []
    for index, name in enumerate(MANDATES):
        if names and not any(part in name.lower() for part in names):
            continue
        controls = _mandate_controls(found, name, providers)
        if controls:
            rows.append(mandate_record(index, name, controls))
    page = rows[number * size : (number + 1) * size]
    request.count(len(page))
    last = (number + 1) * size >= len(rows)
    return json_response(
        {"content": page, "totalElements": len(rows), "last": last, "empty": not page}
    )


def _pair(
    name: str,
    path: str,
    handler: Handler,
    gateway: tuple[ContractCase, ...],
    api: tuple[ContractCase, ...],
) -> list[SimRoute]:
    common: Mapping[str, Any] = {
        "methods": ("GET",),
        "handler": json_errors(handler),
        "module": MODULE,
    }
    return [
        SimRoute(name=name, host="gateway", path=path, contract=gateway, **common),
        # qualysdk reaches CloudView on qualysguard with Basic auth and no X-Requested-With.
        SimRoute(
            name=f"{name}_api",
            host="api",
            path=path,
            requested_with=False,
            contract=api,
            **common,
        ),
    ]


def routes() -> list[SimRoute]:
    return [
        *_pair(
            "totalcloud.controls_metadata",
            CONTROLS_PATH,
            list_controls,
            gateway=(
                ContractCase(
                    "GET",
                    CONTROLS_PATH,
                    client="qualys-mcp-full cloudview_posture.py list_controls (§10b)",
                    params={"pageNo": "0", "pageSize": "50", "filter": "provider:AWS"},
                    json_keys=("control.cid", "control.controlName", "control.policyNames"),
                ),
            ),
            api=(
                ContractCase(
                    "GET",
                    CONTROLS_PATH,
                    client="qualysdk totalcloud/get_metadata.py get_control_metadata (§10b)",
                    params={"filter": "provider:AZURE", "pageNo": "0"},
                    json_keys=(
                        "control.cid",
                        "control.serviceType",
                        "control.criticality",
                        "control.evaluation.description",
                        "control.resourceType",
                    ),
                ),
                ContractCase(
                    "GET",
                    CONTROLS_PATH,
                    client="qualysdk get_control_metadata, pageSize given: a warning asks for "
                    "the next page (§10b)",
                    params={"filter": "provider:AWS", "pageNo": "0", "pageSize": "5"},
                    json_keys=("control.cid", "warning"),
                ),
            ),
        ),
        *_pair(
            "totalcloud.mandates",
            MANDATES_PATH,
            list_mandates,
            gateway=(
                ContractCase(
                    "GET",
                    MANDATES_PATH,
                    client="qualys-mcp-full cloudview_posture.py list_policies (§10b, T7)",
                    params={"pageNo": "0", "pageSize": "50"},
                    json_keys=("content.name", "content.controls.cid", "totalElements", "last"),
                ),
            ),
            api=(
                ContractCase(
                    "GET",
                    MANDATES_PATH,
                    client="qualys-mcp-full list_policies with a filter, on qualysguard (§10b)",
                    params={"pageNo": "0", "pageSize": "50", "filter": "name:PCI"},
                    json_keys=("content.id", "content.controls.provider", "totalElements"),
                ),
            ),
        ),
    ]
