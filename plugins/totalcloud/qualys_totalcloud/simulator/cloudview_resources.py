"""The simulated TotalCloud (CloudView) resource inventory: v1 and v2 lists, v1 detail
(catalogue §10 T4, T5; qualysdk's get_inventory / get_resource_details in §10b).

- v1 `/cloudview-api/rest/v1/resource/{TYPE}/{provider}` on the gateway and on the API host
  (qualysdk: qualysguard, Basic auth, no X-Requested-With); provider in any case (qualysdk
  sends `AWS` / `Azure`, qualys-mcp lower case). `pageNo` from 0, `pageSize` (default 100 per
  the vendor's 2.16 API notes, capped like every CloudView route here), `filter`, `sort`
  (`lastSyncedOn:asc|desc`), `updated` (QQL range). Pages hold `content`, `totalElements`,
  `last` and `empty` (qualysdk stops on a missing or true `empty`). Paging ends at 10,000
  results (qualysdk stops at pageNo 199 of 50; qualys-mcp prefers v2 as it "removes 10K
  limit"): a page past it answers 400, in our words (no source records Qualys' text).
- v1 records carry only keys qualysdk's resource dataclasses declare (they reject others):
  `resourceId, name, uuid, connectorUuid, created, region, resourceType, cloudType,
  controlsFailed`, `cloudAccountId` + `lastUpdated` (Azure: `subscriptionId` + `updated`)
  and per-type keys (`instanceId`, `criticalityScore`...). qualys-mcp's T5 spellings
  (`connectorId`, `evaluatedOn`, `criticality`) are v2's here; our client reads both.
- v2 `/cloudview-api/rest/v2/resource/{TYPE}/{provider}` (gateway): `content[]` {`resourceId,
  region, name, evaluatedOn, connectorId, uuid, criticality`...} and `totalHits` (T4). Paged by
  `pageNo`/`pageSize` like TotalCloud's other v2 list (2.25 API notes, Get Policy v2).
- detail `/cloudview-api/rest/v1/resource/{TYPE}/uuid/{uuid}/{provider}`: the v1 record of
  the resource with that `uuid` (qualysdk's resourceUuid; vendor 2.16 notes).

Valid types: qualysdk's VALID_RESOURCETYPES for AWS and Azure, the estate's own for GCP and
OCI (not corroborated); others answer 400 naming the valid ones. Every provider is on v1 and
v2: no source says OCI is v2 only (qualys-mcp asks v2 for it, and so does our client).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.responses import Response

from qualys_core.simulator import (
    ContractCase,
    ParameterError,
    SimRequest,
    SimRoute,
    gateway_error,
    iso,
    json_response,
)
from qualys_totalcloud.simulator.cloud_catalog import PROVIDERS, VM_TYPES
from qualys_totalcloud.simulator.cloud_data import CloudEstate, CloudResource, estate
from qualys_totalcloud.simulator.cloudview_params import MAX_PAGE, json_errors

__all__ = ["VALID_TYPES", "resource_v1", "resource_v2", "routes"]

V1 = "/cloudview-api/rest/v1/resource/{resourceType}/{provider}"
V2 = "/cloudview-api/rest/v2/resource/{resourceType}/{provider}"
DETAIL = "/cloudview-api/rest/v1/resource/{resourceType}/uuid/{uuid}/{provider}"
WINDOW = 10_000
_DEFAULT_PAGE = 100

VALID_TYPES: Mapping[str, tuple[str, ...]] = {
    "AWS": ("RDS", "NETWORK_ACL", "BUCKET", "IAM_USER", "VPC", "VPC_SECURITY_GROUP", "LAMBDA",
            "SUBNET", "INTERNET_GATEWAY", "LOAD_BALANCER", "EC2_INSTANCE", "ROUTE_TABLE", "EBS",
            "AUTO_SCALING_GROUP", "EKS_CLUSTER", "EKS_NODEGROUP", "EKS_FARGATE_PROFILE",
            "VPC_ENDPOINT", "VPC_ENDPOINT_SERVICE", "IAM_GROUP", "IAM_POLICY", "IAM_ROLE",
            "SAGEMAKER_NOTEBOOK", "CLOUDFRONT_DISTRIBUTION"),
    "AZURE": ("SQL_SERVER", "FUNCTION_APP", "SQL_SERVER_DATABASE", "RESOURCE_GROUP",
              "VIRTUAL_NETWORK", "VIRTUAL_MACHINE", "NETWORK_SECURITY_GROUP", "WEB_APP",
              "NETWORK_INTERFACES", "POSTGRE_SINGLE_SERVER", "LOAD_BALANCER", "FIREWALL", "MYSQL",
              "STORAGE_ACCOUNT", "APPLICATION_GATEWAYS", "SECRETS", "MARIADB", "COSMODB",
              "NAT_GATEWAYS"),
    "GCP": ("VM_INSTANCE", "BUCKET", "FIREWALL_RULE", "SQL_INSTANCE"),
    "OCI": ("INSTANCE", "BUCKET", "SECURITY_LIST"),
}  # fmt: skip
_RANK = {"LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}
_BY_SCORE = {5: "CRITICAL", 4: "HIGH", 3: "MEDIUM"}


def _target(request: SimRequest) -> tuple[str, str]:
    provider = request.path_params["provider"].upper()
    if provider not in PROVIDERS:
        raise ParameterError(
            "provider", request.path_params["provider"], "must be aws, azure, gcp or oci, got"
        )
    resource_type = request.path_params["resourceType"].upper()
    valid = VALID_TYPES[provider]
    if resource_type not in valid:
        raise ParameterError(
            "resourceType",
            request.path_params["resourceType"],
            f"is not a {provider} resource type (valid: {', '.join(valid)}); got",
        )
    return provider, resource_type


# --------------------------------------------------------------------------- records


def _public_ip(resource: CloudResource) -> str | None:
    host = resource.host
    if host is None or not host.internet_facing:
        return None
    return f"198.51.100.{host.host_id % 254 + 1}"


def _extras(resource: CloudResource) -> dict[str, Any]:
    """The per-type keys qualysdk's models read (only keys those models declare)."""
    host, kind, name = resource.host, resource.resource_type, resource.name
    if host is not None and kind == "EC2_INSTANCE":
        return {"instanceId": resource.resource_id, "instanceState": "running",
                "privateIpAddress": host.ip, "publicIpAddress": _public_ip(resource),
                "criticalityScore": host.criticality}  # fmt: skip
    if host is not None and kind == "VIRTUAL_MACHINE":
        return {"computerName": host.netbios, "primaryPrivateIPAddress": host.ip,
                "primaryPublicIPAddress": _public_ip(resource), "osType": host.os_family,
                "criticalityScore": host.criticality}  # fmt: skip
    if host is not None:  # GCP and OCI VMs: no qualysdk model to respect
        return {"privateIpAddress": host.ip, "criticalityScore": host.criticality}
    account, region = resource.account_id, resource.region
    if resource.provider != "AWS":
        return {}
    return {
        "BUCKET": {"bucketName": name},
        "VPC_SECURITY_GROUP": {"groupId": name, "groupName": name},
        "LAMBDA": {"functionArn": f"arn:aws:lambda:{region}:{account}:function:{name}"},
        "EBS": {"volumeId": name, "state": "in-use"},
        "RDS": {"dbInstanceIdentifier": name, "status": "available"},
    }.get(kind, {})


def resource_v1(cloud: CloudEstate, resource: CloudResource) -> dict[str, Any]:
    """A resource as the v1 inventory lists it (qualysdk's model keys)."""
    account = cloud.account(resource.provider, resource.account_id)
    body: dict[str, Any] = {
        "resourceId": resource.resource_id,
        "name": resource.name,
        "uuid": resource.uuid,
        "connectorUuid": resource.connector_id,
        "created": iso(resource.created),
        "region": resource.region,
        "resourceType": resource.resource_type,
        "cloudType": resource.provider,
        "controlsFailed": len(cloud.failing_controls_of(resource)),
    }
    if resource.provider == "AZURE":
        body["subscriptionId"] = resource.account_id
        body["subscriptionName"] = account.alias if account else None
        body["updated"] = iso(resource.evaluated_on)
        parts = resource.resource_id.split("/")  # /subscriptions/<id>/resourceGroups/<rg>/...
        if len(parts) > 4 and parts[3] == "resourceGroups":
            body["resourceGroupName"] = parts[4]
    else:
        body["cloudAccountId"] = resource.account_id
        body["accountAlias"] = account.alias if account else None
        body["lastUpdated"] = iso(resource.evaluated_on)
    body.update(_extras(resource))
    return body


def _criticality(cloud: CloudEstate, resource: CloudResource) -> str:
    if resource.host is not None:
        return _BY_SCORE.get(resource.host.criticality, "LOW")
    failing = [c.criticality for c in cloud.failing_controls_of(resource)]
    return max(failing, key=lambda c: _RANK.get(c, 0)) if failing else "LOW"


def resource_v2(cloud: CloudEstate, resource: CloudResource) -> dict[str, Any]:
    """A resource as the v2 inventory lists it (qualys-mcp's T4/T5 keys)."""
    return {
        "resourceId": resource.resource_id,
        "name": resource.name,
        "uuid": resource.uuid,
        "region": resource.region,
        "resourceType": resource.resource_type,
        "cloudType": resource.provider,
        "accountId": resource.account_id,
        "connectorId": resource.connector_id,
        "evaluatedOn": iso(resource.evaluated_on),
        "created": iso(resource.created),
        "criticality": _criticality(cloud, resource),
    }


# --------------------------------------------------------------------------- filters

_FILTER_FIELDS: Mapping[str, Callable[[CloudResource], str]] = {
    "resource.id": lambda r: r.resource_id,
    "resourceId": lambda r: r.resource_id,
    "name": lambda r: r.name,
    "region": lambda r: r.region,
    "cloudAccountId": lambda r: r.account_id,
    "connector.uuid": lambda r: r.connector_id,
}
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_RELATIVE = re.compile(r"^now(?:-(\d+)([hdwmMy]))?$")
_UNITS = {"h": 1 / 24, "d": 1, "w": 7, "m": 30, "M": 30, "y": 365}  # qualysdk: "m" is a month


def _filter(text: str) -> Callable[[CloudResource], bool]:
    terms: list[tuple[Callable[[CloudResource], str], str]] = []
    for term in _AND.split(text.strip()):
        field, _, value = term.partition(":")
        read = _FILTER_FIELDS.get(field.strip())
        if read is None or not value.strip():
            raise ParameterError(
                "filter", term, f"takes <{'|'.join(_FILTER_FIELDS)}>:<value> terms, got"
            )
        terms.append((read, value.strip().strip("'\"").lower()))
    return lambda r: all(read(r).lower() == wanted for read, wanted in terms)


def _when(token: str, now: datetime, *, end: bool) -> datetime:
    token = token.strip().strip("'\"")
    relative = _RELATIVE.match(token)
    if relative:
        amount, unit = relative.groups()
        return now - timedelta(days=int(amount) * _UNITS[unit]) if amount else now
    try:
        moment = datetime.fromisoformat(token.replace("Z", "+00:00"))
    except ValueError:
        raise ParameterError(
            "updated", token, "takes dates, ISO times or now-<n><h|d|w|m|y>; got"
        ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    whole_day = len(token) == 10  # a bare date covers its whole day
    return moment + timedelta(days=1) - timedelta(microseconds=1) if end and whole_day else moment


def _updated(text: str, now: datetime) -> tuple[datetime, datetime]:
    """A QQL date range (`[2024-01-01 ... 2024-12-31]`, `[now-30d..now]`) or a single date."""
    inner = text.strip()
    if inner.startswith("[") and inner.endswith("]"):
        low, sep, high = inner[1:-1].replace("...", "..").partition("..")
        if not sep:
            raise ParameterError("updated", text, "takes [<from> .. <to>] or a date, got")
        return _when(low, now, end=False), _when(high, now, end=True)
    return _when(inner, now, end=False), _when(inner, now, end=True)


def _selected(request: SimRequest, provider: str, resource_type: str) -> list[CloudResource]:
    cloud = estate(request.tenant)
    found = cloud.resources_of_type(provider, resource_type)
    filter_text = request.param("filter")
    if filter_text:
        keep = _filter(filter_text)
        found = [r for r in found if keep(r)]
    updated = request.param("updated")
    if updated:
        low, high = _updated(updated, request.tenant.now)
        found = [r for r in found if low <= r.evaluated_on <= high]
    sort = request.param("sort")
    if sort:
        if sort not in ("lastSyncedOn:asc", "lastSyncedOn:desc"):
            raise ParameterError("sort", sort, "must be lastSyncedOn:asc or lastSyncedOn:desc, got")
        found.sort(key=lambda r: r.evaluated_on, reverse=sort.endswith("desc"))
    return found


_PARAMS = frozenset({"pageNo", "pageSize", "filter", "sort", "updated"})


def _page(request: SimRequest) -> tuple[int, int]:
    request.only_params(_PARAMS)
    number = request.int_param("pageNo", 0)
    size = request.int_param("pageSize", _DEFAULT_PAGE)
    assert number is not None
    assert size is not None
    if number < 0:
        raise ParameterError("pageNo", str(number), "counts from 0, got")
    if not 1 <= size <= MAX_PAGE:
        raise ParameterError("pageSize", str(size), f"must be between 1 and {MAX_PAGE}, got")
    return number, size


# --------------------------------------------------------------------------- handlers


async def list_v1(request: SimRequest) -> Response:
    provider, resource_type = _target(request)
    number, size = _page(request)
    if (number + 1) * size > WINDOW:
        raise ParameterError(
            "pageNo", str(number), f"is past the first {WINDOW:,} results (pageNo x pageSize); got"
        )
    found = _selected(request, provider, resource_type)
    page = found[number * size : (number + 1) * size]
    request.count(len(page))
    cloud = estate(request.tenant)
    pages = -(-len(found) // size)
    return json_response(
        {
            "content": [resource_v1(cloud, r) for r in page],
            "totalElements": len(found),
            "totalPages": pages,
            "number": number,
            "size": size,
            "numberOfElements": len(page),
            "first": number == 0,
            "last": number >= pages - 1,
            "empty": not page,
        }
    )


async def list_v2(request: SimRequest) -> Response:
    provider, resource_type = _target(request)
    number, size = _page(request)
    found = _selected(request, provider, resource_type)
    page = found[number * size : (number + 1) * size]
    request.count(len(page))
    cloud = estate(request.tenant)
    return json_response(
        {"content": [resource_v2(cloud, r) for r in page], "totalHits": len(found)}
    )


async def detail(request: SimRequest) -> Response:
    request.only_params(frozenset())
    provider, resource_type = _target(request)
    wanted = request.path_params["uuid"]
    cloud = estate(request.tenant)
    found = next(
        (r for r in cloud.resources_of_type(provider, resource_type) if r.uuid == wanted), None
    )
    if found is None:
        return gateway_error(
            f"No {resource_type} resource with uuid {wanted}", status=404, code="404"
        )
    request.count(1)
    return json_response(resource_v1(cloud, found))


# --------------------------------------------------------------------------- routes

_T5 = "qualys-mcp api.py get_cloud_resources_v1 (§10a T5)"
_SDK = "qualysdk totalcloud/get_inventory.py get_inventory (§10b)"
_SDK_DETAIL = "qualysdk totalcloud/get_resource_details.py get_resource_details (§10b)"
_PAGE = {"pageNo": "0", "pageSize": "50"}
_V1_KEYS = ("content.resourceId", "content.uuid", "content.region", "totalElements", "empty")


def _v1_cases(client: str, provider: str) -> tuple[ContractCase, ...]:
    listing = f"/cloudview-api/rest/v1/resource/EC2_INSTANCE/{provider}"
    unknown = "/cloudview-api/rest/v1/resource/NO_SUCH_TYPE/AWS"
    return (
        ContractCase("GET", listing, client=client, params=_PAGE, json_keys=_V1_KEYS),
        ContractCase(
            "GET", unknown, client=client, params=_PAGE, status=400, json_keys=("message",)
        ),
    )


def _v2_cases() -> tuple[ContractCase, ...]:
    keys = ("content.resourceId", "content.evaluatedOn", "content.connectorId", "totalHits")
    return tuple(
        ContractCase(
            "GET",
            f"/cloudview-api/rest/v2/resource/{vm_type}/{provider.lower()}",
            client="qualys-mcp api.py get_cloud_resources, get_cloud_resources_v2 (§10a T4)",
            params={"pageSize": "1"},
            json_keys=keys,
        )
        for provider, vm_type in VM_TYPES.items()
    )


def routes() -> list[SimRoute]:
    common: dict[str, Any] = {
        "methods": ("GET",),
        "module": "CLOUDVIEW",
        "endpoint_class": "cloudview",
    }
    api: dict[str, Any] = {**common, "host": "api", "requested_with": False}
    azure_count = ContractCase(
        "GET",
        "/cloudview-api/rest/v1/resource/VIRTUAL_MACHINE/azure",
        client=_T5,
        params={"pageSize": "1"},
        json_keys=("totalElements",),
    )
    return [
        SimRoute(
            name="totalcloud.resources_v1",
            host="gateway",
            path=V1,
            handler=list_v1,
            contract=(*_v1_cases(_T5, "aws"), azure_count),
            **common,
        ),
        SimRoute(
            name="totalcloud.resources_v1_api",
            path=V1,
            handler=json_errors(list_v1),
            contract=_v1_cases(_SDK, "AWS"),
            **api,
        ),
        SimRoute(
            name="totalcloud.resource_detail",
            host="gateway",
            path=DETAIL,
            handler=detail,
            contract=(
                ContractCase(
                    "GET",
                    "/cloudview-api/rest/v1/resource/EC2_INSTANCE/uuid/no-such-uuid/AWS",
                    client=_SDK_DETAIL + ", unknown uuid",
                    status=404,
                    json_keys=("message",),
                ),
            ),
            **common,
        ),
        SimRoute(
            name="totalcloud.resource_detail_api",
            path=DETAIL,
            handler=json_errors(detail),
            contract=(
                ContractCase(
                    "GET",
                    "/cloudview-api/rest/v1/resource/CLOUDFRONT_DISTRIBUTION/uuid/x/Azure",
                    client=_SDK_DETAIL + ", a type Azure does not have",
                    status=400,
                    json_keys=("message",),
                ),
            ),
            **api,
        ),
        SimRoute(
            name="totalcloud.resources_v2",
            host="gateway",
            path=V2,
            handler=list_v2,
            contract=_v2_cases(),
            **common,
        ),
    ]
