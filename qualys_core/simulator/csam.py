"""The simulated CSAM (Global AssetView) endpoints: asset search, count and get, and tag search.

Core serves these on every pod because CSAM is part of every subscription and is the shared
asset inventory the product plugins refer to. Paths, parameters and JSON keys follow the
catalogue's §9 (qualys-mcp, qualysetl, qualysdk, qualys-mcp-full); filter parsing lives in
`csam_filters`, the asset JSON in `csam_records`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from qualys_core.simulator.csam_filters import (
    AssetFilter,
    FilterError,
    QpsRequestError,
    parse_filters,
    parse_tag_query,
    updated_after,
)
from qualys_core.simulator.csam_records import TenantView, asset_record, selected_keys
from qualys_core.simulator.responses import element, json_response, qps_error, text, xml_response
from qualys_core.simulator.routes import ContractCase, SimRequest, SimRoute

if TYPE_CHECKING:
    from qualys_core.simulator.tenant import Host, Tag, Tenant

__all__ = ["csam_routes"]

_DEFAULT_PAGE = 100
_MAX_PAGE = 1000


def _failed(message: str, *, status: int = 400) -> Response:
    """CSAM's own failure envelope, which qualysdk and qualysetl read (§4.3)."""
    return json_response({"responseCode": "FAILED", "responseMessage": message}, status=status)


class _Csam:
    """The handlers, with one `TenantView` per tenant served (the real one and the `empty`
    fault's), so indexes and TruRisk scores are computed once per simulator, not per call."""

    def __init__(self) -> None:
        self._views: dict[int, TenantView] = {}

    def view(self, tenant: Tenant) -> TenantView:
        # Keyed by identity: the view holds the tenant, so the id cannot be reused meanwhile.
        found = self._views.get(id(tenant))
        if found is None or found.tenant is not tenant:
            found = self._views[id(tenant)] = TenantView(tenant)
        return found

    # ------------------------------------------------------------------ assets

    def _filters(self, request: SimRequest) -> tuple[list[AssetFilter], int]:
        filters = parse_filters(request.json())
        since = request.param("assetLastUpdated")
        if since is not None:
            filters.insert(0, updated_after(since))
        return filters, request.int_param("lastSeenAssetId", 0) or 0

    def _matching(
        self, view: TenantView, filters: Sequence[AssetFilter], cursor: int, limit: int | None
    ) -> tuple[list[Host], bool]:
        """Up to `limit` matching hosts with assetId > `cursor`, and whether more follow."""
        found: list[Host] = []
        hosts = view.hosts
        for index in range(view.start_after(cursor), len(hosts)):
            host = hosts[index]
            if all(item.matches(host, view) for item in filters):
                if limit is not None and len(found) == limit:
                    return found, True
                found.append(host)
        return found, False

    async def search_assets(self, request: SimRequest) -> Response:
        view = self.view(request.tenant)
        size = request.int_param("pageSize", _DEFAULT_PAGE) or 0
        if not 1 <= size <= _MAX_PAGE:
            return _failed(f"Invalid pageSize {size}: must be between 1 and {_MAX_PAGE}")
        try:
            filters, cursor = self._filters(request)
        except FilterError as exc:
            return _failed(str(exc))
        page, more = self._matching(view, filters, cursor, size)
        keys = selected_keys(request.list_param("includeFields"))
        request.count(len(page))
        return json_response(
            {
                "responseCode": "SUCCESS",
                "count": len(page),
                # 1/0 as in §9d: qualys-mcp tests truthiness (so never the string "0") and
                # qualysetl compares it as the string '1'.
                "hasMore": 1 if more else 0,
                # §9c: qualys-mcp pages on the last asset's assetId, qualysetl and qualysdk on
                # this top-level value; they are the same number. An empty page echoes the cursor.
                "lastSeenAssetId": page[-1].asset_id if page else cursor,
                "assetListData": {"asset": [asset_record(host, view, keys) for host in page]},
            }
        )

    async def count_assets(self, request: SimRequest) -> Response:
        view = self.view(request.tenant)
        try:
            # qualysetl sends its search query (assetLastUpdated, lastSeenAssetId) to count as
            # well, so the count is what that search would page through.
            filters, cursor = self._filters(request)
        except FilterError as exc:
            return _failed(str(exc))
        found, _ = self._matching(view, filters, cursor, None)
        return json_response({"responseCode": "SUCCESS", "count": len(found)})

    async def get_asset(self, request: SimRequest) -> Response:
        view = self.view(request.tenant)
        raw = request.param("assetId")
        if raw is None:
            return _failed("Missing required parameter: assetId")
        if not raw.strip().isdigit():
            return _failed(f"Invalid assetId {raw!r}: not a number")
        host = view.by_asset_id.get(int(raw))
        if host is None:
            # No client records this answer; CSAM's envelope with 404 suits every reader:
            # qualys-mcp's not_found_ok turns 404 into "nothing", qualysdk reads responseCode.
            return _failed(f"Asset not found: {raw}", status=404)
        request.count(1)
        keys = selected_keys(request.list_param("includeFields"))
        return json_response(
            {
                "responseCode": "SUCCESS",
                "count": 1,
                "hasMore": 0,
                "lastSeenAssetId": host.asset_id,
                "assetListData": {"asset": [asset_record(host, view, keys)]},
            }
        )

    # ------------------------------------------------------------------ tags (QPS)

    async def search_tags(self, request: SimRequest) -> Response:
        wants_json = "application/json" in request.headers.get("accept", "").lower()
        try:
            query = parse_tag_query(request.body, request.headers.get("content-type", ""))
        except QpsRequestError as exc:
            return _qps_invalid(str(exc), as_json=wants_json)
        tags = [
            tag for tag in sorted(request.tenant.tags, key=lambda t: t.id) if query.matches(tag)
        ]
        start = query.offset - 1
        page = tags[start : start + query.limit]
        more = start + query.limit < len(tags)
        request.count(len(page))
        if wants_json:
            body: dict[str, Any] = {
                "responseCode": "SUCCESS",
                "count": len(page),
                "hasMoreRecords": "true" if more else "false",
            }
            if more:
                body["lastId"] = page[-1].id
            body["data"] = [{"Tag": _tag_json(tag)} for tag in page]
            return json_response({"ServiceResponse": body})
        last = element("lastId", page[-1].id) if more else ""
        data = "".join(element("Tag", _tag_xml(tag), raw=True) for tag in page)
        return xml_response(
            "<ServiceResponse><responseCode>SUCCESS</responseCode>"
            f"<count>{len(page)}</count>"
            f"<hasMoreRecords>{'true' if more else 'false'}</hasMoreRecords>{last}"
            f"<data>{data}</data></ServiceResponse>"
        )


def _tag_json(tag: Tag) -> dict[str, Any]:
    found: dict[str, Any] = {"id": tag.id, "name": tag.name}
    if tag.parent_id is not None:
        found["parentTagId"] = tag.parent_id
    return found


def _tag_xml(tag: Tag) -> str:
    parent = element("parentTagId", tag.parent_id) if tag.parent_id is not None else ""
    return f"{element('id', tag.id)}<name>{text(tag.name)}</name>{parent}"


def _qps_invalid(message: str, *, as_json: bool) -> Response:
    # QPS' error body (§4.3) in the format the caller asked for; no client records the status
    # QPS uses for a bad criterion, so it is the plain 400 of a bad request.
    if as_json:
        body = {
            "responseCode": "INVALID_REQUEST",
            "responseErrorDetails": {"errorMessage": message},
        }
        return json_response({"ServiceResponse": body}, status=400)
    return qps_error("INVALID_REQUEST", message, status=400)


# ---------------------------------------------------------------------- routes

_SEARCH = "/rest/2.0/search/am/asset"
_COUNT = "/rest/2.0/count/am/asset"
_GET = "/rest/2.0/get/am/asset"
_TAGS = "/qps/rest/2.0/search/am/tag"
_ASSET = "assetListData.asset"
_JSON = {"Content-Type": "application/json", "Accept": "application/json"}


def _term(field: str, operator: str, value: str) -> dict[str, str]:
    return {"field": field, "operator": operator, "value": value}


def _search_contract() -> tuple[ContractCase, ...]:
    return (
        ContractCase(
            "POST",
            _SEARCH,
            client="qualys-mcp api.py csam_search (§9a C2)",
            params={
                "pageSize": "100",
                "includeFields": "assetId,dnsName,address,operatingSystem,riskScore,tagList,"
                "vulnerabilities",
            },
            json={"filters": [_term("asset.truRisk", "GREATER", "100")]},
            json_keys=(
                "responseCode",
                "hasMore",
                f"{_ASSET}.assetId",
                f"{_ASSET}.riskScore",
                f"{_ASSET}.operatingSystem.osName",
                f"{_ASSET}.tagList.tag.tagName",
                f"{_ASSET}.vulnerabilities.list.qid",
            ),
        ),
        ContractCase(
            "POST",
            _SEARCH,
            client="qualys-mcp api.py fetch_all_eol (§9a C3)",
            params={"pageSize": "100"},
            json={"filters": [_term("operatingSystem.lifecycle.stage", "CONTAINS", "EOL")]},
            json_keys=(
                f"{_ASSET}.assetId",
                f"{_ASSET}.dnsHostName",
                f"{_ASSET}.operatingSystem.lifecycle.stage",
                f"{_ASSET}.hardware.model",
                f"{_ASSET}.criticality.score",
                f"{_ASSET}.riskScore",
            ),
        ),
        ContractCase(
            "POST",
            _SEARCH,
            client="qualys-mcp api.py get_asset_by_id, non-numeric asset.id (§9a C4)",
            params={"pageSize": "1", "includeFields": "assetId,address,tagList"},
            json={"filters": [_term("asset.id", "EQUALS", "web01")]},
            status=400,
            json_keys=("responseCode", "responseMessage"),
        ),
        ContractCase(
            "POST",
            _SEARCH,
            client="qualysetl asset_inventory_extract with its config filters (§9b)",
            params={
                "assetLastUpdated": "2020-01-01T00:00:00Z",
                "lastSeenAssetId": "0",
                "pageSize": "300",
            },
            json={
                "filters": [
                    _term("tags.name", "EQUALS", "Cloud Agent"),
                    _term("asset.openPorts.port", "EQUALS", "3389"),
                ]
            },
            json_keys=("responseCode", "count", "hasMore", "lastSeenAssetId", _ASSET),
        ),
        ContractCase(
            "POST",
            _SEARCH,
            client="qualys-mcp-full modules/csam.py search_csam_assets, QQL body (§9b)",
            params={"pageSize": "50"},
            json={"filter": 'operatingSystem.lifecycle.stage: "EOL"'},
            json_keys=(f"{_ASSET}.assetName", f"{_ASSET}.softwareListData.software.fullName"),
        ),
    )


def csam_routes() -> list[SimRoute]:
    """Core's CSAM endpoints; they read `request.tenant`, which the `empty` fault swaps."""
    csam = _Csam()
    common: dict[str, Any] = {"module": "csam", "endpoint_class": "csam"}
    return [
        SimRoute(
            name="csam.search_assets",
            host="gateway",
            path=_SEARCH,
            methods=("POST",),
            handler=csam.search_assets,
            contract=_search_contract(),
            **common,
        ),
        SimRoute(
            name="csam.count_assets",
            host="gateway",
            path=_COUNT,
            methods=("POST",),
            handler=csam.count_assets,
            contract=(
                ContractCase(
                    "POST",
                    _COUNT,
                    client="qualys-mcp api.py _probe_module csam (§5.4)",
                    json={"filters": []},
                    json_keys=("responseCode", "count"),
                ),
                ContractCase(
                    "POST",
                    _COUNT,
                    client="qualys-mcp api.py csam_count (§9a C1)",
                    json={"filters": [_term("asset.truRisk", "GREATER", "900")]},
                    json_keys=("count",),
                ),
                ContractCase(
                    "POST",
                    _COUNT,
                    client="qualysetl asset_inventory_extract_count (§9b)",
                    params={"assetLastUpdated": "", "lastSeenAssetId": ""},
                    json_keys=("responseCode", "count"),
                ),
            ),
            **common,
        ),
        SimRoute(
            name="csam.get_asset",
            host="gateway",
            path=_GET,
            methods=("GET",),
            handler=csam.get_asset,
            contract=(
                ContractCase(
                    "GET",
                    _GET,
                    client="qualys-mcp-full modules/csam.py get_csam_asset, unknown id (§9b)",
                    params={"assetId": "1"},
                    status=404,
                    json_keys=("responseCode", "responseMessage"),
                ),
            ),
            **common,
        ),
        SimRoute(
            name="csam.search_tags",
            host="api",
            path=_TAGS,
            methods=("POST",),
            handler=csam.search_tags,
            # QPS does not insist on X-Requested-With (qualys-mcp sends none here, §9a C6).
            requested_with=False,
            contract=(
                ContractCase(
                    "POST",
                    _TAGS,
                    client="qualys-mcp aggregators.py asset_inventory list_tags (§9a C6)",
                    content=b"<ServiceRequest></ServiceRequest>",
                    headers={"Content-Type": "text/xml"},
                    root="ServiceResponse",
                    xml_paths=(
                        "responseCode",
                        "count",
                        "hasMoreRecords",
                        "data/Tag/id",
                        ".//Tag/name",
                    ),
                ),
                ContractCase(
                    "POST",
                    _TAGS,
                    client="qualysdk tagging/calls.py call_tags_api, id GREATER paging (§9b)",
                    json={
                        "ServiceRequest": {
                            "filters": {"Criteria": [_term("id", "GREATER", "0")]},
                        }
                    },
                    headers=_JSON,
                    json_keys=(
                        "ServiceResponse.responseCode",
                        "ServiceResponse.hasMoreRecords",
                        "ServiceResponse.data.Tag.id",
                        "ServiceResponse.data.Tag.name",
                    ),
                ),
            ),
            **common,
        ),
    ]
