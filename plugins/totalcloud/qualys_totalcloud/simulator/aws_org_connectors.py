"""Simulated AWS organization connectors of the Connectors API on the gateway (§10 T11, T12):
the list `/connectors/v1.0/aws/org/connector` and one connector `/connectors/v1.0/aws/org/{id}`.

The list pages like the vendor's Azure tenant-connector list on the same API
(docs.qualys.com conn/api/azure_3 "Get Valid Tenant Connectors To Attach": `currentPage`,
`currentPageSize`, `totalPages`, `numberOfElements`, `content`, `pageNumber` from 0;
`lastSynced` as "2023-05-17T07:35:36.638+00:00"; `connectorPrefixName`, `lastError`,
`isDisabled`, `isDeleted`; `state` FINISHED_SUCCESS). `orgRunFrequency` is an object with
`hours`, as qualys-mcp reads it. No source shows the member account ids of an organization
connector, so none are served: the members are the account connectors whose names start with
its `connectorPrefixName` (see `cloudview_connectors.display_name`).
"""

from __future__ import annotations

import math
from datetime import datetime
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
from qualys_totalcloud.simulator.cloud_data import OrgConnector, estate
from qualys_totalcloud.simulator.cloudview_params import json_errors, page_numbers

__all__ = ["DETAIL_PATH", "LIST_PATH", "org_json", "routes"]

MODULE = "CLOUDVIEW"
LIST_PATH = "/connectors/v1.0/aws/org/connector"
DETAIL_PATH = "/connectors/v1.0/aws/org/{id}"
_PARAMS = frozenset({"pageNumber", "pageSize"})


def _time(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%S}.000+00:00"


def org_json(org: OrgConnector, *, detail: bool = False) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": org.id,
        "uuid": org.uuid,
        "name": org.name,
        "description": "",
        "type": "AWS",
        "state": org.state,
        "lastSynced": _time(org.last_synced),
        "numberOfConnectorsAttached": len(org.accounts),
        "connectorCapabilities": list(org.capabilities),
        "connectorPrefixName": org.prefix,
        "lastError": org.last_error,
        "isDisabled": False,
        "isDeleted": False,
    }
    if detail:
        found["nextSync"] = _time(org.next_sync)
        found["orgRunFrequency"] = {"hours": org.run_frequency_hours, "minutes": 0}
    return found


async def list_org_connectors(request: SimRequest) -> Response:
    request.only_params(_PARAMS)
    number, size = page_numbers(request, "pageNumber")
    orgs = estate(request.tenant).org_connectors
    page = orgs[number * size : (number + 1) * size]
    request.count(len(page))
    return json_response(
        {
            "currentPage": number,
            "currentPageSize": len(page),
            "totalPages": math.ceil(len(orgs) / size),
            # qualys-mcp reads this as the number of organization connectors.
            "numberOfElements": len(orgs),
            "content": [org_json(o) for o in page],
        }
    )


async def org_connector_detail(request: SimRequest) -> Response:
    raw = request.path_params["id"]
    if not raw.isdigit():
        raise ParameterError("id", raw, "must be a number, not")
    found = next((o for o in estate(request.tenant).org_connectors if o.id == int(raw)), None)
    if found is None:
        return gateway_error(f"Organization connector not found: {raw}", status=404, code="404")
    request.count(1)
    return json_response(org_json(found, detail=True))


def routes() -> list[SimRoute]:
    # The list comes first: route matching takes the first route, so its literal
    # "connector" never reaches the detail's {id}.
    return [
        SimRoute(
            name="totalcloud.aws_org_connectors",
            host="gateway",
            path=LIST_PATH,
            methods=("GET",),
            handler=json_errors(list_org_connectors),
            module=MODULE,
            contract=(
                ContractCase(
                    "GET",
                    LIST_PATH,
                    client="qualys-mcp api.py get_aws_org_connectors (§10a T11)",
                    params={"pageSize": "1000"},
                    json_keys=(
                        "numberOfElements",
                        *(
                            f"content.{key}"
                            for key in (
                                "id",
                                "name",
                                "uuid",
                                "state",
                                "lastSynced",
                                "numberOfConnectorsAttached",
                                "connectorCapabilities",
                            )
                        ),
                    ),
                ),
            ),
        ),
        SimRoute(
            name="totalcloud.aws_org_connector",
            host="gateway",
            path=DETAIL_PATH,
            methods=("GET",),
            handler=json_errors(org_connector_detail),
            module=MODULE,
            contract=(
                ContractCase(
                    "GET",
                    "/connectors/v1.0/aws/org/7",
                    client="qualys-mcp api.py get_aws_org_connector_detail (§10a T12)",
                    json_keys=(
                        "nextSync",
                        "orgRunFrequency.hours",
                        "connectorPrefixName",
                        "lastError",
                    ),
                ),
            ),
        ),
    ]
