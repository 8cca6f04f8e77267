"""Async calls to Container Security (`/csapi/v1.3` on the gateway, catalogue §12).

Lists page with `pageNumber` from 1 and answer `data` and `count` (the core's
CONTAINER_SECURITY style); the bulk container list pages with `Link` cursors (qualysdk).
A 404 from a list means the module is not licensed (NotLicensed); calls about one named
object (an image, a container, a vulnerability) pass `not_found="empty"` and return None
for an unknown one, so callers should first find the object through a list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlsplit

from qualys_core.errors import BadResponse
from qualys_core.http.client import QualysClient
from qualys_core.http.paging import CONTAINER_SECURITY, JsonPage, PageNumber, PageRequest
from qualys_totalcloud.api.container_records import (
    Container,
    Image,
    ImageVuln,
    Registry,
    Sensor,
    SensorProfile,
    Software,
    VulnCounts,
    VulnerabilityRow,
    parse_container,
    parse_image,
    parse_image_vulns,
    parse_profile,
    parse_registry,
    parse_sensor,
    parse_severity_groups,
    parse_software,
    parse_vulnerability_row,
    read_counts,
)

__all__ = [
    "MODULE",
    "CsLinkCursor",
    "Listing",
    "bulk_containers",
    "container_vulns",
    "get_container",
    "get_image",
    "image_software",
    "image_vuln_count",
    "image_vulns",
    "list_containers",
    "list_images",
    "list_registries",
    "list_sensor_profiles",
    "list_sensors",
    "list_vulnerabilities",
    "vulnerability_detail",
    "vulnerability_severity_counts",
]

MODULE = "CS"
BASE = "/csapi/v1.3"
PAGE_SIZE = 100


T = TypeVar("T")


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The records of a list call, Container Security's `count`, and whether we stopped early."""

    items: list[T]
    total: int | None
    truncated: bool = False


def _style(page_size: int) -> PageNumber:
    return (
        CONTAINER_SECURITY
        if page_size == CONTAINER_SECURITY.page_size
        else replace(CONTAINER_SECURITY, page_size=page_size)
    )


async def _list(
    client: QualysClient,
    path: str,
    params: Mapping[str, str],
    *,
    limit: int | None,
    page_size: int,
    max_pages: int | None = None,
) -> Listing[Mapping[str, Any]]:
    items: list[Mapping[str, Any]] = []
    total: int | None = None
    async for page in client.gateway.pages(
        "GET",
        f"{BASE}{path}",
        _style(page_size),
        PageRequest(params=dict(params)),
        limit=limit,
        max_pages=max_pages,
        module=MODULE,
    ):
        total = page.total if page.total is not None else total
        items.extend(item for item in page.items if isinstance(item, Mapping))
    known = total if total is not None else len(items)
    return Listing(items, total, truncated=len(items) < known)


def _params(**values: str | None) -> dict[str, str]:
    return {key: value for key, value in values.items() if value}


async def list_images(
    client: QualysClient,
    *,
    filter: str | None = None,
    sort: str | None = None,
    limit: int | None = None,
    page_size: int = PAGE_SIZE,
    max_pages: int | None = None,
) -> Listing[Image]:
    """Images (§12a S1), e.g. `filter="vulnerabilities.severity:5"` or
    `"vulnerabilities.cveids:CVE-2024-6387"`."""
    found = await _list(
        client,
        "/images",
        _params(filter=filter, sort=sort),
        limit=limit,
        page_size=page_size,
        max_pages=max_pages,
    )
    return Listing([parse_image(i) for i in found.items], found.total, found.truncated)


async def _one(client: QualysClient, path: str, **params: str) -> Any:
    return await client.gateway.json(
        "GET", f"{BASE}{path}", params=params or None, module=MODULE, not_found="empty"
    )


async def get_image(client: QualysClient, image: str) -> Image | None:
    """One image by sha or image id (§12a S3), with its software; None when unknown."""
    body = await _one(client, f"/images/{image}")
    return parse_image(body) if isinstance(body, Mapping) else None


async def image_vulns(client: QualysClient, image: str) -> list[ImageVuln] | None:
    """An image's vulnerabilities (§12a S4); None when the image is unknown."""
    body = await _one(client, f"/images/{image}/vuln")
    return None if body is None else parse_image_vulns(body)


async def image_vuln_count(client: QualysClient, image: str) -> VulnCounts | None:
    """An image's vulnerability counts by severity (§12a S5)."""
    body = await _one(client, f"/images/{image}/vuln/count")
    return None if body is None else read_counts(body)


async def image_software(client: QualysClient, image: str) -> list[Software] | None:
    """An image's software (§12a S6): `data[]` or a bare list."""
    body = await _one(client, f"/images/{image}/software", pageSize="1000")
    if body is None:
        return None
    rows = body.get("data") if isinstance(body, Mapping) else body
    if not isinstance(rows, list):
        raise BadResponse("Container Security sent no software list for the image")
    found = (parse_software(r) for r in rows if isinstance(r, Mapping))
    return [s for s in found if s is not None]


async def list_containers(
    client: QualysClient,
    *,
    filter: str | None = None,
    sort: str | None = None,
    limit: int | None = None,
    page_size: int = PAGE_SIZE,
    max_pages: int | None = None,
) -> Listing[Container]:
    """Containers (§12a S2), e.g. `filter="state:RUNNING"`."""
    found = await _list(
        client,
        "/containers",
        _params(filter=filter, sort=sort),
        limit=limit,
        page_size=page_size,
        max_pages=max_pages,
    )
    return Listing([parse_container(i) for i in found.items], found.total, found.truncated)


@dataclass(frozen=True)
class CsLinkCursor:
    """The bulk lists (`/containers/list`, `/images/list`): `limit` per call; the next call is
    the URL in the `Link` response header (its `paginationQuery` cursor); no `Link` ends it."""

    page_size: int = 250

    def first(self, request: PageRequest) -> PageRequest:
        return replace(request, params={**request.params, "limit": str(self.page_size)})

    def advance(self, request: PageRequest, page: JsonPage) -> PageRequest | None:
        link = next((v for k, v in page.headers.items() if k.lower() == "link"), None)
        if not link or not self.items(page.body):
            return None
        url = link.split(";", 1)[0].strip().strip("<>")
        query = dict(parse_qsl(urlsplit(url).query))
        if not query.get("paginationQuery"):
            return None
        return replace(request, params={**request.params, **query})

    def items(self, body: Any) -> list[Any]:
        data = body.get("data") if isinstance(body, Mapping) else body
        if isinstance(data, Mapping):  # a lone record comes as an object
            return [data]
        return data if isinstance(data, list) else []

    def total(self, body: Any) -> int | None:
        return None


async def bulk_containers(
    client: QualysClient, *, filter: str | None = None, limit: int | None = None, size: int = 250
) -> list[Container]:
    """Every container through the bulk list (§12b, qualysdk list_containers)."""
    found: list[Container] = []
    async for page in client.gateway.pages(
        "GET",
        f"{BASE}/containers/list",
        CsLinkCursor(size),
        PageRequest(params=_params(filter=filter)),
        limit=limit,
        module=MODULE,
    ):
        found.extend(parse_container(i) for i in page.items if isinstance(i, Mapping))
    return found


async def get_container(client: QualysClient, sha: str) -> Container | None:
    body = await _one(client, f"/containers/{sha}")
    return parse_container(body) if isinstance(body, Mapping) else None


async def container_vulns(client: QualysClient, sha: str) -> list[ImageVuln] | None:
    body = await _one(client, f"/containers/{sha}/vuln")
    return None if body is None else parse_image_vulns(body)


async def list_registries(client: QualysClient, *, page_size: int = 50) -> Listing[Registry]:
    found = await _list(client, "/registry", {}, limit=None, page_size=page_size, max_pages=20)
    return Listing([parse_registry(i) for i in found.items], found.total, found.truncated)


async def list_sensors(client: QualysClient, *, page_size: int = PAGE_SIZE) -> Listing[Sensor]:
    found = await _list(client, "/sensors", {}, limit=None, page_size=page_size, max_pages=50)
    return Listing([parse_sensor(i) for i in found.items], found.total, found.truncated)


async def list_sensor_profiles(client: QualysClient) -> Listing[SensorProfile]:
    found = await _list(client, "/sensorProfile", {}, limit=None, page_size=50, max_pages=10)
    return Listing([parse_profile(i) for i in found.items], found.total, found.truncated)


async def list_vulnerabilities(
    client: QualysClient, *, limit: int | None = None, page_size: int = PAGE_SIZE
) -> Listing[VulnerabilityRow]:
    """The estate-wide vulnerability view (§12a S8), most severe and widespread first."""
    found = await _list(client, "/vuln", {}, limit=limit, page_size=page_size)
    rows = (parse_vulnerability_row(i) for i in found.items)
    return Listing([r for r in rows if r is not None], found.total, found.truncated)


async def vulnerability_severity_counts(client: QualysClient) -> dict[int, int]:
    """Distinct vulnerabilities by severity (§12a S8 `/vuln/count?groupBy=severity`)."""
    body = await client.gateway.json(
        "GET",
        f"{BASE}/vuln/count",
        params={"groupBy": "severity"},
        call_class="short",
        module=MODULE,
    )
    return parse_severity_groups(body)


async def vulnerability_detail(client: QualysClient, uuid: str) -> Any:
    """One vulnerability (§12a S9) as Container Security sends it (vulnDef and the DTO)."""
    return await _one(client, f"/vulnerability/{uuid}")
