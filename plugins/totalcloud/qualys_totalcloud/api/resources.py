"""TotalCloud (CloudView) resource inventory: resources by provider and type (§10, T4, T5 and
qualysdk's get_inventory / get_resource_details in §10b), on the gateway.

- v1 `GET /cloudview-api/rest/v1/resource/{TYPE}/{PROVIDER}`: paged like every CloudView list
  (`pageNo` from 0, `content`, `totalElements`, `last`); only the first 10,000 results can be
  paged to (qualysdk stops at pageNo 199 of 50), so a longer listing is cut and says so.
  The provider goes in qualysdk's spelling (`AWS`, `Azure`, `GCP`, `OCI`).
- v2 `GET /cloudview-api/rest/v2/resource/{TYPE}/{provider}`: `content` and `totalHits`,
  provider in lower case (qualys-mcp); the reference reads OCI's inventory from v2 only, and
  so does `inventory_api`.
- detail `GET /cloudview-api/rest/v1/resource/{TYPE}/uuid/{uuid}/{PROVIDER}`.

v1 and v2 spell some keys differently (v1 follows qualysdk's models, v2 qualys-mcp's):
`connectorUuid`/`connectorId`, `cloudAccountId`/`subscriptionId`/`accountId`,
`lastUpdated`/`updated`/`evaluatedOn`, `criticalityScore` (1-5)/`criticality`; the reader
takes every one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from qualys_core.http.client import QualysClient
from qualys_core.http.paging import PageNumber, PageRequest
from qualys_core.http.values import read_text
from qualys_totalcloud.api.connectors import MODULE, check_provider, cloudview_paging

__all__ = [
    "SERVICE_TYPES",
    "VM_TYPES",
    "WINDOW",
    "CloudResource",
    "count_resources",
    "inventory_api",
    "list_resources",
    "parse_resource",
    "resource_details",
    "types_for_service",
]

Api = Literal["v1", "v2"]
WINDOW = 10_000  # v1 pages only through the first 10,000 results
V1_PAGE = 50  # qualysdk's page size
V2_PAGING = PageNumber("pageNo", base=0, page_size=100, items_key="content", total_key="totalHits")
VM_TYPES: Mapping[str, str] = {
    "aws": "EC2_INSTANCE",
    "azure": "VIRTUAL_MACHINE",
    "gcp": "VM_INSTANCE",
    "oci": "INSTANCE",
}
_V1_PROVIDER = {"aws": "AWS", "azure": "Azure", "gcp": "GCP", "oci": "OCI"}  # as qualysdk sends
# Resource types by the service names TotalCloud's controls use (and common short names).
SERVICE_TYPES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "aws": {
        "ec2": ("EC2_INSTANCE",),
        "s3": ("BUCKET",),
        "iam": ("IAM_USER", "IAM_GROUP", "IAM_ROLE", "IAM_POLICY"),
        "vpc": ("VPC", "VPC_SECURITY_GROUP", "SUBNET", "NETWORK_ACL", "ROUTE_TABLE"),
        "ebs": ("EBS",),
        "rds": ("RDS",),
        "lambda": ("LAMBDA",),
        "eks": ("EKS_CLUSTER", "EKS_NODEGROUP"),
        "elb": ("LOAD_BALANCER",),
        "cloudfront": ("CLOUDFRONT_DISTRIBUTION",),
    },
    "azure": {
        "virtual machine": ("VIRTUAL_MACHINE",),
        "storage account": ("STORAGE_ACCOUNT",),
        "network security group": ("NETWORK_SECURITY_GROUP",),
        "sql server": ("SQL_SERVER", "SQL_SERVER_DATABASE"),
        "web app": ("WEB_APP", "FUNCTION_APP"),
        "key vault": ("SECRETS",),
        "virtual network": ("VIRTUAL_NETWORK",),
    },
    "gcp": {
        "compute engine": ("VM_INSTANCE",),
        "cloud storage": ("BUCKET",),
        "vpc network": ("FIREWALL_RULE",),
        "cloud sql": ("SQL_INSTANCE",),
    },
    "oci": {
        "compute": ("INSTANCE",),
        "object storage": ("BUCKET",),
        "networking": ("SECURITY_LIST",),
    },
}
_ALIASES = {"vm": "virtual machine", "storage": "storage account", "nsg": "network security group",
            "gce": "compute engine", "gcs": "cloud storage", "keyvault": "key vault"}  # fmt: skip


class CloudResource(BaseModel):
    """One inventoried resource, normalised across v1 and v2."""

    model_config = ConfigDict(frozen=True)

    provider: str  # lower case
    resource_type: str
    resource_id: str | None = None
    uuid: str | None = None
    name: str | None = None
    region: str | None = None
    account_id: str | None = None
    connector_id: str | None = None
    evaluated_on: str | None = None
    created: str | None = None
    criticality: str | None = None  # LOW | MEDIUM | HIGH | CRITICAL
    controls_failed: int | None = None


def v1_path(provider: str, resource_type: str) -> str:
    check_provider(provider)
    return f"/cloudview-api/rest/v1/resource/{resource_type}/{_V1_PROVIDER[provider]}"


def v2_path(provider: str, resource_type: str) -> str:
    check_provider(provider)
    return f"/cloudview-api/rest/v2/resource/{resource_type}/{provider}"


def inventory_api(provider: str) -> Api:
    """Which inventory API to ask for a provider: v2 for OCI, as the reference does."""
    return "v2" if provider == "oci" else "v1"


def types_for_service(provider: str, service: str) -> tuple[str, ...]:
    """The resource types `service` names for a provider ('S3', 'EC2', 'Storage Account', or
    a type name such as 'BUCKET'); empty when the provider has no such service."""
    wanted = " ".join(service.lower().replace("_", " ").split())
    wanted = _ALIASES.get(wanted, wanted)
    services = SERVICE_TYPES.get(provider, {})
    if wanted in services:
        return services[wanted]
    as_type = wanted.upper().replace(" ", "_")
    return tuple(t for types in services.values() for t in types if t == as_type)


def _first(item: Mapping[str, Any], *keys: str) -> str | None:
    return next((read_text(item[k]) for k in keys if read_text(item.get(k)) is not None), None)


_SCORES = {5: "CRITICAL", 4: "HIGH", 3: "MEDIUM", 2: "LOW", 1: "LOW"}


def _criticality(item: Mapping[str, Any]) -> str | None:
    named = read_text(item.get("criticality"))
    if named is not None:
        return named.upper()
    score = item.get("criticalityScore")
    return _SCORES.get(score) if isinstance(score, int) and not isinstance(score, bool) else None


def parse_resource(provider: str, resource_type: str, item: Mapping[str, Any]) -> CloudResource:
    failed = item.get("controlsFailed")
    return CloudResource(
        provider=provider,
        resource_type=_first(item, "resourceType") or resource_type,
        resource_id=_first(item, "resourceId"),
        uuid=_first(item, "uuid"),
        name=_first(item, "name"),
        region=_first(item, "region"),
        account_id=_first(item, "accountId", "cloudAccountId", "subscriptionId"),
        connector_id=_first(item, "connectorId", "connectorUuid"),
        evaluated_on=_first(item, "evaluatedOn", "lastUpdated", "updated"),
        created=_first(item, "created", "createdOn"),
        criticality=_criticality(item),
        controls_failed=failed
        if isinstance(failed, int) and not isinstance(failed, bool)
        else None,
    )


def _total(body: Any, key: str) -> int:
    if not isinstance(body, Mapping):
        return 0
    total = body.get(key)
    if isinstance(total, int) and not isinstance(total, bool):
        return total
    if isinstance(total, str) and total.strip().isdecimal():
        return int(total)
    content = body.get("content")
    return len(content) if isinstance(content, list) else 0


async def count_resources(
    client: QualysClient,
    provider: str,
    resource_type: str,
    *,
    api: Api | None = None,
    filter: str | None = None,
) -> int:
    """How many resources of a type the provider's accounts hold: one `pageSize=1` call, read
    from `totalElements` (v1) or `totalHits` (v2). `api` defaults to `inventory_api`."""
    chosen = api or inventory_api(provider)
    params: dict[str, str | int] = {"pageSize": 1, "pageNo": 0}
    if filter:
        params["filter"] = filter
    path = v1_path(provider, resource_type) if chosen == "v1" else v2_path(provider, resource_type)
    body = await client.gateway.json("GET", path, params=params, call_class="short", module=MODULE)
    return _total(body, "totalElements" if chosen == "v1" else "totalHits")


async def list_resources(
    client: QualysClient,
    provider: str,
    resource_type: str,
    *,
    api: Api | None = None,
    filter: str | None = None,
    limit: int | None = None,
) -> tuple[list[CloudResource], int | None]:
    """Resources of a type (at most `limit`), and the total the inventory reports. v1 stops at
    its 10,000-result window; compare the total to see what was left out."""
    chosen = api or inventory_api(provider)
    params = {"filter": filter} if filter else {}
    if chosen == "v1":
        path, style = v1_path(provider, resource_type), cloudview_paging(V1_PAGE)
        max_pages: int | None = WINDOW // V1_PAGE
    else:
        path, style, max_pages = v2_path(provider, resource_type), V2_PAGING, None
    found: list[CloudResource] = []
    total: int | None = None
    async for page in client.gateway.pages(
        "GET",
        path,
        style,
        PageRequest(params=params),
        limit=limit,
        max_pages=max_pages,
        module=MODULE,
    ):
        total = page.total if page.total is not None else total
        found.extend(
            parse_resource(provider, resource_type, item)
            for item in page.items
            if isinstance(item, Mapping)
        )
    return found, total


async def resource_details(
    client: QualysClient, provider: str, resource_type: str, uuid: str
) -> CloudResource | None:
    """One resource by its TotalCloud uuid (v1 detail), or None when there is no such one."""
    check_provider(provider)
    path = f"/cloudview-api/rest/v1/resource/{resource_type}/uuid/{uuid}/{_V1_PROVIDER[provider]}"
    body = await client.gateway.json("GET", path, not_found="empty", module=MODULE)
    if not isinstance(body, Mapping):
        return None
    return parse_resource(provider, resource_type, body)
