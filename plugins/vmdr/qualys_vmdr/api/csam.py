"""The CSAM (Global AssetView) client VMDR uses for asset context: search, count, lookup, tags.

Calls follow the catalogue's §9: structured JSON `filters` (`field` / `operator` / `value`,
values as strings) on `POST /rest/2.0/search/am/asset` and `/rest/2.0/count/am/asset` on the
gateway, paged with `hasMore` and the `lastSeenAssetId` cursor (pageSize at most 100, as
qualys-mcp sends), and the QPS tag search on the API server. The records (`Asset`, ...) live in
`csam_records` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from qualys_core.errors import BadResponse
from qualys_core.http.client import QualysClient
from qualys_core.http.paging import CsamCursor, JsonPage, PageRequest, QpsLastId, paginate
from qualys_vmdr.api.csam_records import (
    SEARCH_PATH,
    Asset,
    AssetMatch,
    AssetPage,
    Software,
    TagInfo,
    TagListing,
    end_of_life,
    read_int,
    read_mapping,
    read_text,
    trurisk_band,
)

__all__ = [
    "COUNT_PATH",
    "DEFAULT_FIELDS",
    "LOOKUP_FIELDS",
    "LOOKUP_KINDS",
    "MODULE",
    "SEARCH_PATH",
    "TAG_SEARCH_PATH",
    "Asset",
    "AssetMatch",
    "AssetPage",
    "Filter",
    "Software",
    "TagInfo",
    "TagListing",
    "address_filter",
    "asset_id_filter",
    "count_assets",
    "criticality_above",
    "end_of_life",
    "find_asset",
    "hardware_lifecycle_filter",
    "list_tags",
    "match_assets",
    "name_filter",
    "os_lifecycle_filter",
    "read_count",
    "search_assets",
    "tag_filter",
    "trurisk_above",
    "trurisk_band",
    "updated_before",
]

COUNT_PATH = "/rest/2.0/count/am/asset"
TAG_SEARCH_PATH = "/qps/rest/2.0/search/am/tag"
MODULE = "CSAM"
MAX_PAGE_SIZE = 100

Filter = dict[str, str]

# What the lists need; `tagList` is always asked for, as qualys-mcp does (§9a C2).
DEFAULT_FIELDS: tuple[str, ...] = (
    "assetId",
    "hostId",
    "assetName",
    "dnsName",
    "address",
    "riskScore",
    "criticality",
    "operatingSystem",
    "hardware",
    "lastVmScannedDate",
    "lastModifiedDate",
    "tagList",
)
# §9a C4's list plus what an investigation shows: hardware, last scan, cloud, open vulnerabilities.
LOOKUP_FIELDS: tuple[str, ...] = (
    *DEFAULT_FIELDS,
    "netbiosName",
    "softwareListData",
    "cloudProvider",
    "vulnerabilities",
)
LOOKUP_KINDS = frozenset({"asset_id", "ipv4", "ipv6", "hostname"})


def _truthy(value: Any) -> bool:
    # hasMore / hasMoreRecords arrive as 1/0, "1"/"0", "true"/"false" or booleans.
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true")
    return bool(value)


def read_count(body: Any) -> int:
    """The `count` of a CSAM count answer; BadResponse when there is none."""
    count = read_int(body.get("count")) if isinstance(body, Mapping) else None
    if count is None or count < 0:
        raise BadResponse("CSAM answered without a numeric 'count'", path=COUNT_PATH)
    return count


# ---------------------------------------------------------------------- filters


def _term(field: str, operator: str, value: object) -> Filter:
    return {"field": field, "operator": operator, "value": str(value)}


def tag_filter(name: str) -> Filter:
    return _term("asset.tag.name", "EQUALS", name)


def trurisk_above(score: int) -> Filter:
    """Assets whose TruRisk is strictly greater than `score` (GREATER 699 means 700 and up)."""
    return _term("asset.truRisk", "GREATER", score)


def criticality_above(score: int) -> Filter:
    return _term("asset.criticalityScore", "GREATER", score)


def os_lifecycle_filter(stage: str) -> Filter:
    return _term("operatingSystem.lifecycle.stage", "CONTAINS", stage)


def hardware_lifecycle_filter(stage: str) -> Filter:
    return _term("hardware.lifecycle.stage", "CONTAINS", stage)


def updated_before(moment: datetime) -> Filter:
    """Assets with no update of any kind since `moment`, hence not scanned since then either.

    The filter vocabulary on record has no VM-scan-date field (§9a); `asset.lastUpdatedDate`
    (the response's lastModifiedDate) moves with every event on the asset, scans included, so
    "not updated since" is "not scanned since" minus the assets touched by other events.
    """
    return _term("asset.lastUpdatedDate", "LESSER", moment.astimezone(UTC).strftime(_ISO))


def asset_id_filter(asset_id: str) -> Filter:
    return _term("asset.id", "EQUALS", asset_id)


def address_filter(address: str) -> Filter:
    # `asset.address` is refused as a filter field; `interfaces.address` is the one (§9a C4).
    return _term("interfaces.address", "EQUALS", address)


def name_filter(name: str) -> Filter:
    # `dnsName` is refused as a filter field (§9a C4); asset.name is the one to match on.
    return _term("asset.name", "EQUALS", name)


_ISO = "%Y-%m-%dT%H:%M:%SZ"


# ---------------------------------------------------------------------- calls


async def search_assets(
    client: QualysClient,
    filters: Sequence[Filter],
    *,
    fields: Iterable[str] = DEFAULT_FIELDS,
    limit: int = MAX_PAGE_SIZE,
) -> AssetPage:
    """Up to `limit` assets matching every filter, in assetId order, paged on the CSAM cursor."""
    if limit < 1:
        raise ValueError(f"limit must be 1 or more, not {limit}")
    include = list(dict.fromkeys(fields))
    if "tagList" not in include:
        include.append("tagList")
    style = CsamCursor(page_size=min(MAX_PAGE_SIZE, limit))
    has_more = False
    received = 0

    async def fetch(request: PageRequest) -> JsonPage:
        nonlocal has_more, received
        body = await client.gateway.json(
            "POST",
            SEARCH_PATH,
            params=request.params,
            json_body=request.json_body,
            module=MODULE,
        )
        if not isinstance(body, Mapping):
            raise BadResponse(
                "CSAM answered the asset search without a JSON object", path=SEARCH_PATH
            )
        has_more = _truthy(body.get("hasMore"))
        received += len(style.items(body))
        return JsonPage(body=body)

    first = PageRequest(
        params={"includeFields": ",".join(include)}, json_body={"filters": list(filters)}
    )
    assets: list[Asset] = []
    async for page in paginate(fetch, style, first, limit=limit):
        assets.extend(Asset.from_csam(item) for item in page.items)
    # Cut at the limit: CSAM said there is more, or the last page held more than was kept.
    return AssetPage(
        assets=tuple(assets), more=len(assets) >= limit and (has_more or received > limit)
    )


async def count_assets(client: QualysClient, filters: Sequence[Filter]) -> int:
    """How many assets match every filter (the count API, with the timeout meant for counts)."""
    body = await client.gateway.json(
        "POST",
        COUNT_PATH,
        json_body={"filters": list(filters)},
        call_class="short",
        module=MODULE,
    )
    return read_count(body)


async def find_asset(client: QualysClient, target_kind: str, value: str) -> Asset | None:
    """The asset an investigate target names (the first of `match_assets`), or None."""
    match = await match_assets(client, target_kind, value)
    return match.assets[0] if match.assets else None


async def match_assets(
    client: QualysClient, target_kind: str, value: str, *, limit: int = 10
) -> AssetMatch:
    """The assets an investigate target names, by §9a C4's rules.

    Digits: `asset.id EQUALS`; an IPv4 or IPv6 address: `interfaces.address EQUALS`; a
    hostname: `asset.name EQUALS`, then the short name of an FQDN, keeping the assets whose DNS
    name is that FQDN when any is. A non-numeric asset id is never sent (CSAM answers 400).
    """
    if target_kind not in LOOKUP_KINDS:
        raise ValueError(f"target_kind {target_kind!r}; allowed: {', '.join(sorted(LOOKUP_KINDS))}")
    wanted = value.strip()
    if target_kind == "asset_id":
        if not wanted.isdecimal():
            return AssetMatch(assets=())
        attempts = [("asset.id", asset_id_filter(wanted))]
    elif target_kind in ("ipv4", "ipv6"):
        attempts = [("interfaces.address", address_filter(wanted))]
    else:
        wanted = wanted.rstrip(".")
        attempts = [("asset.name", name_filter(wanted))]
        short = wanted.split(".", 1)[0]
        if short != wanted:
            attempts.append(("short name", name_filter(short)))
    tried: list[str] = []
    for label, term in attempts:
        tried.append(f"{term['field']} {term['operator']} {term['value']}")
        page = await search_assets(client, [term], fields=LOOKUP_FIELDS, limit=limit)
        if not page.assets:
            continue
        assets = page.assets
        if label == "short name":
            same = tuple(a for a in assets if (a.dns or "").lower() == wanted.lower())
            assets = same or assets
        return AssetMatch(assets=assets, more=page.more, matched_by=label, tried=tuple(tried))
    return AssetMatch(assets=(), tried=tuple(tried))


_QPS_JSON = {"Content-Type": "application/json", "Accept": "application/json"}


async def list_tags(client: QualysClient, *, max_pages: int = 3) -> TagListing:
    """Tag names and parents from the QPS tag search, at most `max_pages` pages of 100.

    The JSON form qualysdk sends (§9b), so QPS failure codes raise through the client's
    envelope check; paged with `id GREATER lastId` while `hasMoreRecords`.
    """
    has_more = False

    async def fetch(request: PageRequest) -> JsonPage:
        nonlocal has_more
        body = await client.api.json(
            "POST",
            TAG_SEARCH_PATH,
            json_body=request.json_body,
            headers=request.headers,
            module=MODULE,
        )
        response = read_mapping(read_mapping(body).get("ServiceResponse"))
        has_more = _truthy(response.get("hasMoreRecords"))
        return JsonPage(body=body)

    first = PageRequest(
        json_body={"ServiceRequest": {"preferences": {"limitResults": "100"}}}, headers=_QPS_JSON
    )
    tags: list[TagInfo] = []
    pages = 0
    async for page in paginate(fetch, QpsLastId(), first, max_pages=max_pages):
        pages += 1
        for item in page.items:
            tag = read_mapping(read_mapping(item).get("Tag", item))
            tag_id, name = read_int(tag.get("id")), read_text(tag.get("name"))
            if tag_id is not None and name is not None:
                tags.append(
                    TagInfo(id=tag_id, name=name, parent_id=read_int(tag.get("parentTagId")))
                )
    return TagListing(tags=tuple(tags), more=has_more and pages >= max_pages)
