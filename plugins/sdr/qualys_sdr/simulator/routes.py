"""The simulated SaaSDR control endpoints (catalogue §21) on the gateway.

`GET /sdr/api/controls/list` (R1, R3):

- `pageSize` (qualys-mcp) or `size` (its module probe, §5.4) give the page size; with both,
  `pageSize` wins. Default 50, qualys-mcp's value; no source states a default or a cap.
- `pageNumber` counts pages from 0. No source shows the paging parameter: the answer is the
  `content` / `totalElements` page that CDR also sends, and CDR pages with `pageNumber` from
  0 (§11), so the simulator does too (our choice).
- `isCustom=true|false` keeps the custom or the built-in controls (qualys-mcp sends it).
- Any other parameter is refused (400), as is a bad value.

The answer is `{"content": [...], "totalElements": n}`; a list item holds the control's
summary: `cid`, `name`, `criticality`, `criticalityNo`, `description`, `connectorType`,
`entityType` (the vendor's field names, from the control samples) and `isCustom` (the key of
the catalogue's fixture). No source shows a list item; the check itself (`predicate`,
`evidences`, ...) is left to the detail, which is what the vendor says the detail is for.

`GET /sdr/api/custom/controls/get/{controlId}` (R2) answers a custom control in the shape of
the vendor's sample (docs.qualys.com/en/saasdr/api/custom_control_api/get_control_details.htm);
an id that is not one of the tenant's custom controls answers 404.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from qualys_core.simulator import (
    ContractCase,
    ParameterError,
    SimRequest,
    SimRoute,
    gateway_error,
    json_response,
)
from qualys_sdr.simulator.data import SaasControl, controls

__all__ = ["DETAIL_PATH", "LIST_PATH", "MODULE", "control_detail", "control_summary", "routes"]

MODULE = "SAASDR"
LIST_PATH = "/sdr/api/controls/list"
DETAIL_PATH = "/sdr/api/custom/controls/get/{controlId}"
DEFAULT_PAGE = 50
_LIST_PARAMS = frozenset({"pageSize", "size", "pageNumber", "isCustom"})


def control_summary(control: SaasControl) -> dict[str, Any]:
    return {
        "cid": control.cid,
        "name": control.name,
        "criticality": control.criticality,
        "criticalityNo": control.criticality_no,
        "description": control.description,
        "connectorType": control.connector_type,
        "entityType": control.entity_type,
        "isCustom": control.is_custom,
    }


def control_detail(control: SaasControl) -> dict[str, Any]:
    """The vendor's sample shape, key for key (it has no `isCustom`)."""
    return {
        "cid": control.cid,
        "name": control.name,
        "criticality": control.criticality,
        "criticalityNo": control.criticality_no,
        "description": control.description,
        "connectorType": control.connector_type,
        "entityType": control.entity_type,
        "entityIdParam": control.entity_id_param,
        "predicate": control.predicate,
        "evidences": [
            {
                "evidenceKey": control.evidence_key,
                "evidenceSuccess": control.evidence_path,
                "evidenceFail": control.evidence_path,
            }
        ],
        "scope": control.scope,
        "xpath": control.xpath,
    }


def _is_custom(request: SimRequest) -> bool | None:
    value = request.param("isCustom")
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise ParameterError("isCustom", value, "must be true or false, got")
    return lowered == "true"


def _page(request: SimRequest) -> tuple[int, int]:
    size = request.int_param("pageSize", None)
    name = "pageSize"
    if size is None:
        size, name = request.int_param("size", DEFAULT_PAGE), "size"
    number = request.int_param("pageNumber", 0)
    assert size is not None
    assert number is not None
    if size < 1:
        raise ParameterError(name, str(size), "must be at least 1, got")
    if number < 0:
        raise ParameterError("pageNumber", str(number), "counts from 0, got")
    return number, size


async def list_controls(request: SimRequest) -> Response:
    request.only_params(_LIST_PARAMS)
    custom = _is_custom(request)
    number, size = _page(request)
    matching = [c for c in controls(request.tenant) if custom is None or c.is_custom == custom]
    page = matching[number * size : (number + 1) * size]
    request.count(len(page))
    return json_response(
        {"content": [control_summary(c) for c in page], "totalElements": len(matching)}
    )


async def get_custom_control(request: SimRequest) -> Response:
    request.only_params(frozenset())
    wanted = request.path_params["controlId"]
    found = next((c for c in controls(request.tenant) if c.is_custom and c.cid == wanted), None)
    if found is None:
        return gateway_error(f"Custom control {wanted} not found", status=404, code="404")
    request.count(1)
    return json_response(control_detail(found))


_SUMMARY_KEYS = tuple(
    f"content.{key}"
    for key in ("cid", "name", "criticality", "criticalityNo", "connectorType", "isCustom")
)
_FIRST_CUSTOM = "/sdr/api/custom/controls/get/90001"


def routes() -> list[SimRoute]:
    return [
        SimRoute(
            name="sdr.controls_list",
            host="gateway",
            path=LIST_PATH,
            methods=("GET",),
            handler=list_controls,
            module=MODULE,
            endpoint_class="sdr",
            contract=(
                ContractCase(
                    "GET",
                    LIST_PATH,
                    client="qualys-mcp api.py get_saasdr_controls (§21 R1)",
                    params={"pageSize": "50"},
                    json_keys=(*_SUMMARY_KEYS, "totalElements"),
                ),
                ContractCase(
                    "GET",
                    LIST_PATH,
                    client="qualys-mcp api.py get_saasdr_controls isCustom (§21 R1)",
                    params={"pageSize": "50", "isCustom": "true"},
                    json_keys=("content.cid", "totalElements"),
                ),
                ContractCase(
                    "GET",
                    LIST_PATH,
                    client="qualys-mcp module probe saasdr (§5.4, §21 R3)",
                    params={"size": "1"},
                    json_keys=("content", "totalElements"),
                ),
                ContractCase(
                    "GET",
                    LIST_PATH,
                    client="qualys_sdr api.controls.list_controls (page 2)",
                    params={"pageSize": "50", "pageNumber": "1", "isCustom": "false"},
                    json_keys=("content.cid", "totalElements"),
                ),
                ContractCase(
                    "GET",
                    LIST_PATH,
                    client="an unknown parameter is refused",
                    params={"pageSize": "50", "page": "2"},
                    status=400,
                    json_keys=("message",),
                ),
            ),
        ),
        SimRoute(
            name="sdr.custom_control",
            host="gateway",
            path=DETAIL_PATH,
            methods=("GET",),
            handler=get_custom_control,
            module=MODULE,
            endpoint_class="sdr",
            contract=(
                ContractCase(
                    "GET",
                    _FIRST_CUSTOM,
                    client="qualys-mcp api.py get_saasdr_control (§21 R2, dead code there)",
                    json_keys=(
                        "cid",
                        "name",
                        "criticality",
                        "criticalityNo",
                        "connectorType",
                        "entityType",
                        "predicate",
                        "evidences.evidenceKey",
                        "scope",
                        "xpath",
                    ),
                ),
                ContractCase(
                    "GET",
                    "/sdr/api/custom/controls/get/10001",
                    client="a built-in control's id is no custom control",
                    status=404,
                    json_keys=("message",),
                ),
            ),
        ),
    ]
