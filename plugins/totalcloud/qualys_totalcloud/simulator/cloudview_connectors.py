"""Simulated TotalCloud connectors: the CloudView connector list and detail per provider (§10
T1, qualysdk get_connectors / get_connector_details), rendered from the tenant's cloud estate;
`routes()` also hands over the AWS organization connectors of `aws_org_connectors`.

The CloudView routes are served on the gateway (bearer, as qualys-mcp calls them) and on the
API server with Basic auth and no X-Requested-With (as qualysdk and Qualys' own TotalCloud
scripts call them, §10c).

Shapes, and the source that settled each:
- Account id key per provider: AWS `awsAccountId`, Azure `subscriptionId` (qualysdk's models);
  GCP `projectId` and OCI `tenantId`, the names of the account field in the vendor's connector
  auth records (docs.qualys.com GCP connector 3.0 `authRecord.projectId`, OCI connector 3.0
  `authRecord.tenantId`). qualys-mcp's `gcpProjectId` / `ociTenancyId` appear nowhere else.
- OCI connectors are listed on the same path: TotalCloud documents OCI connectors beside the
  others (docs.qualys.com/en/tc/api/oci/), and their creation moved to the Connectors 3.0 API
  just as AWS's and GCP's did, so the CloudView list is not evidence against them.
- `lastSyncedOn` / `nextSyncedOn` are Java date strings ("Wed Jan 14 06:00:00 UTC 2026"):
  qualysdk parses them with "%a %b %d %H:%M:%S %Z %Y". `pollingFrequency` is an object
  `{hours, minutes}` (qualysdk reads both keys).
- Page fields: Spring's page (`content`, `totalElements`, `totalPages`, `last`, `number`,
  `size`, `numberOfElements`, `first`, `empty`); qualysdk stops on `last`, Qualys' own
  TotalCloud scripts (Qualys/TotalCloud FlexScan/CloudPerimeterScan) on `totalPages`.
- Member connectors of an AWS organization connector carry its `connectorPrefixName` in front
  of their names (the vendor's sample prefix is "createdbyorg"); no source shows another link.
  The organization connectors themselves are in `aws_org_connectors`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
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
    stable_random,
)
from qualys_core.simulator.routes import HostKind
from qualys_totalcloud.simulator import aws_org_connectors
from qualys_totalcloud.simulator.cloud_data import CloudAccount, CloudEstate, OrgConnector, estate
from qualys_totalcloud.simulator.cloudview_params import json_errors, page_numbers

__all__ = ["connector_json", "display_name", "java_date", "routes"]

MODULE = "CLOUDVIEW"
LIST_PATH = "/cloudview-api/rest/v1/{provider}/connectors"
DETAIL_PATH = "/cloudview-api/rest/v1/{provider}/connectors/{connectorId}"

PROVIDERS = ("aws", "azure", "gcp", "oci")
_FILTER_KEYS = ("name", "description", "state", "connector.uuid", "lastSyncedOn")
_SORTS = ("lastSyncedOn:asc", "lastSyncedOn:desc")
_LIST_PARAMS = frozenset({"pageNo", "pageSize", "filter", "sort"})
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def java_date(moment: datetime) -> str:
    """`java.util.Date.toString()` in UTC, independent of the process locale."""
    return (
        f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment:%d %H:%M:%S} UTC "
        f"{moment:%Y}"
    )


def _org_of(cloud: CloudEstate, account: CloudAccount) -> OrgConnector | None:
    return next((o for o in cloud.org_connectors if o.id == account.org_connector_id), None)


def display_name(cloud: CloudEstate, account: CloudAccount) -> str:
    """The connector's name as TotalCloud lists it: member connectors an organization
    connector created start with its prefix."""
    org = _org_of(cloud, account)
    return f"{org.prefix}{account.connector_name}" if org else account.connector_name


def _account_keys(cloud: CloudEstate, account: CloudAccount) -> dict[str, Any]:
    seed = cloud.seed
    if account.provider == "AWS":
        base = f"{stable_random(seed, 'qualys-base-account').randrange(10**11, 10**12)}"
        return {
            "awsAccountId": account.account_id,
            # The AWS account Qualys assumes the connector's role from.
            "baseAccountId": base,
            "arn": f"arn:aws:iam::{account.account_id}:role/qualys-totalcloud-connector",
            "externalId": account.connector_id.split("-")[0],
        }
    if account.provider == "AZURE":
        directory = account.connector_id[::-1]
        return {
            "subscriptionId": account.account_id,
            "subscriptionName": account.alias,
            "directoryId": directory,
            "tenantId": directory,
            "applicationId": account.connector_id,
        }
    if account.provider == "GCP":
        return {"projectId": account.account_id}
    return {"tenantId": account.account_id}


def connector_json(cloud: CloudEstate, account: CloudAccount) -> dict[str, Any]:
    """One connector in qualysdk's field names (AWSConnector / AzureConnector)."""
    provider = account.provider
    return {
        "name": display_name(cloud, account),
        "connectorId": account.connector_id,
        "description": f"{provider} account {account.alias}",
        "provider": provider,
        "state": account.state,
        "totalAssets": len(cloud.account_resources(account)),
        "lastSyncedOn": java_date(account.last_synced),
        "nextSyncedOn": java_date(account.next_sync),
        "remediationEnabled": False,
        "qualysTags": [],
        "isGovCloud": False,
        "isChinaRegion": False,
        "accountAlias": account.alias,
        "isDisabled": False,
        "pollingFrequency": {"hours": account.polling_hours, "minutes": 0},
        "error": account.error,
        "groups": [],
        **_account_keys(cloud, account),
    }


def _provider(request: SimRequest) -> str:
    value = request.path_params["provider"]
    # Qualys' own scripts send lower case here and upper case on /resource; both are read.
    if value.lower() not in PROVIDERS:
        raise ParameterError("provider", value, f"must be one of {', '.join(PROVIDERS)}, not")
    return value.upper()


def _matcher(expression: str) -> Callable[[CloudEstate, CloudAccount], bool]:
    """One `key:value` term of qualysdk's filter vocabulary."""
    key, sep, value = expression.partition(":")
    key, value = key.strip(), value.strip()
    if not sep or key not in _FILTER_KEYS or not value:
        raise ParameterError(
            "filter", expression, f"must be key:value with key one of {', '.join(_FILTER_KEYS)}"
        )
    wanted = value.lower()
    if key == "name":
        return lambda cloud, a: wanted in display_name(cloud, a).lower()
    if key == "description":
        return lambda cloud, a: wanted in connector_json(cloud, a)["description"].lower()
    if key == "state":
        states = {s.strip().upper() for s in value.split(",") if s.strip()}
        return lambda cloud, a: a.state in states
    if key == "connector.uuid":
        return lambda cloud, a: a.connector_id == value
    # lastSyncedOn: a UTC day (YYYY-MM-DD); no source shows the range syntax.
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise ParameterError("filter", expression, "needs lastSyncedOn:YYYY-MM-DD, not") from None
    return lambda cloud, a: a.last_synced.date() == day


async def list_connectors(request: SimRequest) -> Response:
    provider = _provider(request)
    request.only_params(_LIST_PARAMS)
    number, size = page_numbers(request, "pageNo")
    cloud = estate(request.tenant)
    accounts = list(cloud.accounts_of(provider))
    expression = request.param("filter")
    if expression:
        matches = _matcher(expression)
        accounts = [a for a in accounts if matches(cloud, a)]
    order = request.param("sort")
    if order is not None and order not in _SORTS:
        raise ParameterError("sort", order, f"must be one of {', '.join(_SORTS)}, not")
    if order:
        accounts.sort(key=lambda a: a.last_synced, reverse=order.endswith("desc"))
    total = len(accounts)
    page = accounts[number * size : (number + 1) * size]
    pages = math.ceil(total / size)
    request.count(len(page))
    return json_response(
        {
            "content": [connector_json(cloud, a) for a in page],
            "pageable": {
                "pageNumber": number,
                "pageSize": size,
                "offset": number * size,
                "paged": True,
                "unpaged": False,
            },
            "totalElements": total,
            "totalPages": pages,
            "last": number >= pages - 1,
            "first": number == 0,
            "number": number,
            "size": size,
            "numberOfElements": len(page),
            "empty": not page,
        }
    )


async def connector_detail(request: SimRequest) -> Response:
    provider = _provider(request)
    wanted = request.path_params["connectorId"]
    cloud = estate(request.tenant)
    found = next((a for a in cloud.accounts_of(provider) if a.connector_id == wanted), None)
    if found is None:
        # No client records this answer; the gateway's JSON error with 404 is what
        # qualysdk (status check) and qualys-mcp (not_found_ok) both handle.
        return gateway_error(f"Connector not found: {wanted}", status=404, code="404")
    request.count(1)
    return json_response(connector_json(cloud, found))


# ---------------------------------------------------------------------- routes

_PAGE_KEYS = ("content", "totalElements", "totalPages", "last", "number", "size")
_AWS_KEYS = tuple(
    f"content.{k}"
    for k in ("connectorId", "name", "awsAccountId", "arn", "state", "lastSyncedOn", "error")
)


def _list_cases(client: str) -> tuple[ContractCase, ...]:
    return (
        ContractCase(
            "GET",
            "/cloudview-api/rest/v1/aws/connectors",
            client=client,
            params={"pageNo": "0", "pageSize": "50"},
            json_keys=(*_PAGE_KEYS, *_AWS_KEYS, "content.pollingFrequency.hours"),
        ),
        ContractCase(
            "GET",
            "/cloudview-api/rest/v1/azure/connectors",
            client=client,
            params={"pageNo": "0", "pageSize": "50", "filter": "state:SUCCESS"},
            json_keys=(*_PAGE_KEYS, "content.subscriptionId", "content.directoryId"),
        ),
        ContractCase(
            "GET",
            "/cloudview-api/rest/v1/gcp/connectors",
            client="Qualys/TotalCloud FlexScan/CloudPerimeterScan/GCP/gcp_cspm_cps.py",
            params={"pageNo": "0", "pageSize": "50"},
            json_keys=("content.projectId", "content.connectorId", "totalPages"),
        ),
        ContractCase(
            "GET",
            "/cloudview-api/rest/v1/oci/connectors",
            client="qualys-mcp api.py get_connectors (§10a T1)",
            params={"pageSize": "100", "pageNo": "0"},
            json_keys=("content.tenantId", "totalElements"),
        ),
    )


def _detail_case(client: str) -> ContractCase:
    return ContractCase(
        "GET",
        "/cloudview-api/rest/v1/aws/connectors/00000000-0000-4000-8000-000000000000",
        client=client,
        status=404,
        json_keys=("message",),
    )


def routes() -> list[SimRoute]:
    found: list[SimRoute] = []
    hosts: tuple[tuple[HostKind, str, str, str], ...] = (
        (
            "gateway",
            "",
            "qualys-mcp api.py get_connectors (§10a T1)",
            "qualysdk get_connector_details (§10b) path; §10c: both hosts serve CloudView",
        ),
        (
            "api",
            "_api",
            "qualysdk totalcloud/get_connectors.py get_connectors (§10b)",
            "qualysdk totalcloud/get_connectors.py get_connector_details (§10b)",
        ),
    )
    for host, suffix, list_client, detail_client in hosts:
        found.append(
            SimRoute(
                name=f"totalcloud.cloudview_connectors{suffix}",
                host=host,
                path=LIST_PATH,
                methods=("GET",),
                handler=json_errors(list_connectors),
                module=MODULE,
                requested_with=False,
                contract=_list_cases(list_client),
            )
        )
        found.append(
            SimRoute(
                name=f"totalcloud.cloudview_connector{suffix}",
                host=host,
                path=DETAIL_PATH,
                methods=("GET",),
                handler=json_errors(connector_detail),
                module=MODULE,
                requested_with=False,
                contract=(_detail_case(detail_client),),
            )
        )
    found.extend(aws_org_connectors.routes())
    return found
