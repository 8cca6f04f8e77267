"""The simulated PCAS policy library endpoints on the gateway (catalogue §19).

What each answers, and the source of each choice (the vendor's Policy Audit API guide,
docs.qualys.com "Library Policy" and "Library Policy Details", Policy Audit release 1.9 API,
win over the clients):

- `GET /pcas/v1/library/label`: a bare list of `{labelId, labelName}` (§19a L1, qualys-mcp-full).
- `GET /pcas/v1/library/technology[?labelId=]`: `{"technologies": [{technologyId,
  technologyName}]}`, qualys-mcp-full's documented answer (no vendor sample found); with a
  label, only the technologies its policies cover. An unknown label lists none.
- `GET /pcas/v1/library/policy/list`: the vendor's parameters `labelId`, `technologyId`
  (comma-separated ids), `includeDescription` (true|false) and `updatedAfter` (dd/mm/yyyy).
  The answer is a bare list of `{policyId, policyTitle, version, date}` (date dd/mm/yyyy; plus
  `description` when asked), unpaged, as the vendor's samples show. With `labelId` the vendor's
  sample wraps the list in a second list (`[[{...}]]`); the simulator does the same, and our
  client reads both. qualys-mcp's `pageSize` (§19a L3) is documented nowhere: it is accepted
  and ignored, and the whole list comes back.
- `GET /pcas/v1/library/policy`: `policyId` or `policyTitle` (one of them), `details`
  basic|full (vendor; default basic). qualys-mcp's `detailLevel` (§19a L4) is not the vendor's
  name: it is accepted and ignored, so it gets the basic answer. The answer holds `policyId,
  policyTitle, coverPage, technologies, sections`; sections carry `sectionNumber` and
  `sectionHeading`, and with `details=full` their `controls` (`controlId, controlNumber,
  statement, criticality`, the /pcas/v3 policy export's names). An unknown policy is a 404.

Other parameters are refused with a 400, as the simulator's other gateway routes do.
"""

from __future__ import annotations

from datetime import UTC, datetime
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
from qualys_pcas.simulator.catalog import Library, LibraryPolicy, library_of, sections_of

__all__ = [
    "LABEL_PATH",
    "POLICY_LIST_PATH",
    "POLICY_PATH",
    "TECHNOLOGY_PATH",
    "policy_list_json",
    "routes",
]

MODULE = "PCAS"
LABEL_PATH = "/pcas/v1/library/label"
TECHNOLOGY_PATH = "/pcas/v1/library/technology"
POLICY_LIST_PATH = "/pcas/v1/library/policy/list"
POLICY_PATH = "/pcas/v1/library/policy"


def _int(request: SimRequest, name: str) -> int | None:
    value = request.int_param(name)
    if value is not None and value < 1:
        raise ParameterError(name, str(value), "must be a positive integer, got")
    return value


def _bool(request: SimRequest, name: str) -> bool:
    value = request.param(name)
    if value is None:
        return False
    if value.lower() not in ("true", "false"):
        raise ParameterError(name, value, "must be true or false, got")
    return value.lower() == "true"


def _date(request: SimRequest, name: str) -> datetime | None:
    value = request.param(name)
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%d/%m/%Y").replace(tzinfo=UTC)
    except ValueError:
        raise ParameterError(name, value, "must be a date dd/mm/yyyy, got") from None


def _technology_ids(request: SimRequest) -> list[int]:
    ids: list[int] = []
    for item in request.list_param("technologyId"):
        if not item.isdecimal():
            raise ParameterError("technologyId", item, "must be comma-separated integers, got")
        ids.append(int(item))
    return ids


async def labels(request: SimRequest) -> Response:
    request.only_params(())
    library = library_of(request.tenant)
    request.count(len(library.labels))
    return json_response(
        [{"labelId": lab.label_id, "labelName": lab.name} for lab in library.labels]
    )


async def technologies(request: SimRequest) -> Response:
    request.only_params(("labelId",))
    library = library_of(request.tenant)
    label_id = _int(request, "labelId")
    found = (
        list(library.technologies) if label_id is None else library.technologies_of_label(label_id)
    )
    request.count(len(found))
    return json_response(
        {
            "technologies": [
                {"technologyId": t.technology_id, "technologyName": t.name} for t in found
            ]
        }
    )


def policy_list_json(policy: LibraryPolicy, *, description: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "policyId": policy.policy_id,
        "policyTitle": policy.title,
        "version": policy.version,
        "date": f"{policy.updated:%d/%m/%Y}",
    }
    if description:
        row["description"] = policy.description
    return row


async def policy_list(request: SimRequest) -> Response:
    request.only_params(
        ("labelId", "technologyId", "includeDescription", "updatedAfter", "pageSize")
    )
    library = library_of(request.tenant)
    label_id = _int(request, "labelId")
    describe = _bool(request, "includeDescription")
    found = library.select(
        label_id=label_id,
        technology_ids=_technology_ids(request),
        updated_after=_date(request, "updatedAfter"),
    )
    request.count(len(found))
    rows = [policy_list_json(p, description=describe) for p in found]
    return json_response([rows] if label_id is not None else rows)


def _detail(library: Library, policy: LibraryPolicy, *, full: bool) -> dict[str, Any]:
    techs = [library.technology(t) for t in policy.technologies]
    sections = []
    for section in sections_of(library, policy):
        row: dict[str, Any] = {"sectionNumber": section.number, "sectionHeading": section.heading}
        if full:
            row["controls"] = [
                {
                    "controlId": c.control_id,
                    "controlNumber": c.control_number,
                    "statement": c.statement,
                    "criticality": c.criticality,
                }
                for c in section.controls
            ]
        sections.append(row)
    return {
        "policyId": policy.policy_id,
        "policyTitle": policy.title,
        "coverPage": policy.description,
        "technologies": [
            {"technologyId": t.technology_id, "technologyName": t.name} for t in techs if t
        ],
        "sections": sections,
    }


async def policy_detail(request: SimRequest) -> Response:
    request.only_params(("policyId", "policyTitle", "details", "detailLevel"))
    library = library_of(request.tenant)
    policy_id = _int(request, "policyId")
    title = request.param("policyTitle")
    if (policy_id is None) == (title is None):
        raise ParameterError("policyId", str(policy_id or ""), "or policyTitle: give exactly one")
    details = (request.param("details") or "basic").lower()
    if details not in ("basic", "full"):
        raise ParameterError("details", details, "must be basic or full, got")
    if policy_id is not None:
        policy = library.by_id.get(policy_id)
    else:
        policy = next((p for p in library.policies if p.title == title), None)
    if policy is None:
        return gateway_error("Library policy not found", status=404, code="NOT_FOUND")
    request.count(1)
    return json_response(_detail(library, policy, full=details == "full"))


def routes() -> list[SimRoute]:
    return [
        SimRoute(
            name="pcas.labels",
            host="gateway",
            path=LABEL_PATH,
            methods=("GET",),
            handler=labels,
            module=MODULE,
            contract=(
                ContractCase(
                    "GET",
                    LABEL_PATH,
                    client="qualys-mcp get_policy_labels (§19a L1, L5)",
                    json_keys=("labelId", "labelName"),
                ),
            ),
        ),
        SimRoute(
            name="pcas.technologies",
            host="gateway",
            path=TECHNOLOGY_PATH,
            methods=("GET",),
            handler=technologies,
            module=MODULE,
            contract=(
                ContractCase(
                    "GET",
                    TECHNOLOGY_PATH,
                    client="qualys-mcp-full list_pcas_library_label_technologies (§19b)",
                    params={"labelId": "1"},
                    json_keys=("technologies.technologyId", "technologies.technologyName"),
                ),
                ContractCase(
                    "GET",
                    TECHNOLOGY_PATH,
                    client="qualys-mcp get_policy_technologies (§19a L2)",
                    json_keys=("technologies",),
                ),
            ),
        ),
        SimRoute(
            name="pcas.policy_list",
            host="gateway",
            path=POLICY_LIST_PATH,
            methods=("GET",),
            handler=policy_list,
            module=MODULE,
            contract=(
                ContractCase(
                    "GET",
                    POLICY_LIST_PATH,
                    client="qualys-mcp-full list_pcas_library_policies (§19b)",
                    params={"technologyId": "64", "includeDescription": "true"},
                    json_keys=("policyId", "policyTitle", "version", "date", "description"),
                ),
                ContractCase(
                    "GET",
                    POLICY_LIST_PATH,
                    client="qualys-mcp get_policy_list (§19a L3)",
                    params={"pageSize": "20"},
                    json_keys=("policyId", "policyTitle"),
                ),
                # With a label the answer is a list inside a list (the vendor's sample), which
                # the dotted json_keys cannot walk; the simulator tests read it.
                ContractCase(
                    "GET",
                    POLICY_LIST_PATH,
                    client="qualys-mcp get_policy_list with a label (§19a L3)",
                    params={"pageSize": "20", "labelId": "1"},
                ),
            ),
        ),
        SimRoute(
            name="pcas.policy",
            host="gateway",
            path=POLICY_PATH,
            methods=("GET",),
            handler=policy_detail,
            module=MODULE,
            contract=(
                ContractCase(
                    "GET",
                    POLICY_PATH,
                    client="qualys-mcp-full get_pcas_library_policy (§19b)",
                    params={"policyId": "1464200", "details": "full"},
                    json_keys=(
                        "policyTitle",
                        "sections.sectionHeading",
                        "sections.controls.controlId",
                    ),
                ),
                ContractCase(
                    "GET",
                    POLICY_PATH,
                    client="qualys-mcp get_policy_detail (§19a L4)",
                    params={"policyId": "1464200", "detailLevel": "full"},
                    json_keys=("policyTitle", "technologies"),
                ),
            ),
        ),
    ]
