"""Tests for qualys_core.http.paging (JSON paging styles, driver) and qualys_core.http.envelopes."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from qualys_core.errors import AuthError, BadRequest, BadResponse, QualysError, Unavailable
from qualys_core.http.envelopes import check_json_envelope
from qualys_core.http.paging import (
    CDR,
    CLOUDVIEW,
    CONTAINER_SECURITY,
    PM_V1_JOBS,
    CsamCursor,
    JsonPage,
    Page,
    PageNumber,
    PageRequest,
    PagingStyle,
    PmSearchAfter,
    QpsLastId,
    paginate,
)


class FakeApi:
    """Serves canned pages in order and records (a deep copy of) every request it receives."""

    def __init__(self, pages: list[JsonPage]) -> None:
        self.pages = list(pages)
        self.requests: list[PageRequest] = []

    async def __call__(self, request: PageRequest) -> JsonPage:
        self.requests.append(copy.deepcopy(request))
        if not self.pages:
            raise AssertionError("paginate fetched more pages than the test provides")
        return self.pages.pop(0)


def page(body: Any, headers: dict[str, str] | None = None) -> JsonPage:
    return JsonPage(body=body, headers=headers or {})


async def collect(
    api: FakeApi,
    style: PagingStyle,
    request: PageRequest | None = None,
    **kwargs: Any,
) -> list[Page]:
    return [p async for p in paginate(api, style, request or PageRequest(), **kwargs)]


def flat(pages: list[Page]) -> list[Any]:
    return [item for p in pages for item in p.items]


# --- page-number styles ------------------------------------------------------------------------


async def test_cloudview_three_pages_until_last() -> None:
    style = replace(CLOUDVIEW, page_size=2)
    api = FakeApi(
        [
            page({"content": [{"id": 1}, {"id": 2}], "totalElements": 5, "last": False}),
            page({"content": [{"id": 3}, {"id": 4}], "totalElements": 5, "last": False}),
            page({"content": [{"id": 5}], "totalElements": 5, "last": True}),
        ]
    )
    pages = await collect(api, style, PageRequest(params={"filter": "result:FAIL"}))
    assert [r.params for r in api.requests] == [
        {"filter": "result:FAIL", "pageSize": "2", "pageNo": "0"},
        {"filter": "result:FAIL", "pageSize": "2", "pageNo": "1"},
        {"filter": "result:FAIL", "pageSize": "2", "pageNo": "2"},
    ]
    assert all(r.headers == {} and r.json_body is None for r in api.requests)
    assert flat(pages) == [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}, {"id": 5}]
    assert [(p.index, p.total) for p in pages] == [(0, 5), (1, 5), (2, 5)]


async def test_cloudview_last_true_on_a_full_page_stops() -> None:
    style = replace(CLOUDVIEW, page_size=2)
    api = FakeApi([page({"content": [1, 2], "totalElements": 2, "last": True})])
    assert flat(await collect(api, style)) == [1, 2]
    assert len(api.requests) == 1


async def test_cloudview_trusts_last_over_a_short_page() -> None:
    # A server that caps pageSize below ours sends short pages that are not the last.
    style = replace(CLOUDVIEW, page_size=3)
    api = FakeApi(
        [
            page({"content": [1, 2], "last": False}),
            page({"content": [3], "last": "true"}),
        ]
    )
    assert flat(await collect(api, style)) == [1, 2, 3]
    assert [r.params["pageNo"] for r in api.requests] == ["0", "1"]


async def test_cdr_short_page_ends() -> None:
    style = replace(CDR, page_size=2)
    api = FakeApi(
        [
            page({"content": ["a", "b"], "totalElements": 5}),
            page({"content": ["c", "d"], "totalElements": 5}),
            page({"content": ["e"], "totalElements": 5}),
        ]
    )
    base = PageRequest(params={"startAt": "2026-01-08T10:00:00Z", "pageSize": "999"})
    pages = await collect(api, style, base)
    assert [r.params for r in api.requests] == [
        {"startAt": "2026-01-08T10:00:00Z", "pageSize": "2", "pageNumber": "0"},
        {"startAt": "2026-01-08T10:00:00Z", "pageSize": "2", "pageNumber": "1"},
        {"startAt": "2026-01-08T10:00:00Z", "pageSize": "2", "pageNumber": "2"},
    ]
    assert flat(pages) == ["a", "b", "c", "d", "e"]
    assert base.params == {"startAt": "2026-01-08T10:00:00Z", "pageSize": "999"}


async def test_container_security_counts_from_one() -> None:
    style = replace(CONTAINER_SECURITY, page_size=1)
    api = FakeApi(
        [
            page({"data": [{"imageId": "a"}], "count": "3"}),
            page({"data": [{"imageId": "b"}], "count": "3"}),
            page({"data": [{"imageId": "c"}], "count": "3"}),
            page({"data": [], "count": "3"}),
        ]
    )
    pages = await collect(api, style, PageRequest(params={"sort": "created:desc"}))
    assert [r.params for r in api.requests] == [
        {"sort": "created:desc", "pageSize": "1", "pageNumber": str(n)} for n in (1, 2, 3, 4)
    ]
    assert [i["imageId"] for i in flat(pages)] == ["a", "b", "c"]
    assert [p.total for p in pages] == [3, 3, 3, 3]


async def test_pm_v1_jobs_bare_arrays_end_on_empty_array() -> None:
    style = replace(PM_V1_JOBS, page_size=2)
    api = FakeApi([page([{"id": "j1"}, {"id": "j2"}]), page([{"id": "j3"}]), page([])])
    pages = await collect(api, style, PageRequest(params={"platform": "Windows"}))
    assert [r.params for r in api.requests] == [
        {"platform": "Windows", "pageSize": "2", "pageNumber": "0"},
        {"platform": "Windows", "pageSize": "2", "pageNumber": "1"},
        {"platform": "Windows", "pageSize": "2", "pageNumber": "2"},
    ]
    assert [[j["id"] for j in p.items] for p in pages] == [["j1", "j2"], ["j3"], []]
    assert [p.total for p in pages] == [None, None, None]


async def test_bare_array_style_rejects_an_object_body() -> None:
    api = FakeApi([page({"data": [1]})])
    with pytest.raises(BadResponse, match="where an array was expected"):
        await collect(api, PM_V1_JOBS)


async def test_keyed_style_rejects_a_non_list_value() -> None:
    api = FakeApi([page({"content": "oops"})])
    with pytest.raises(BadResponse, match="'content', not a list"):
        await collect(api, CLOUDVIEW)


async def test_lone_object_instead_of_a_one_item_list() -> None:
    api = FakeApi([page({"data": {"containerId": "c1"}, "count": 1})])
    assert flat(await collect(api, CONTAINER_SECURITY)) == [{"containerId": "c1"}]


async def test_empty_response_from_client_is_an_empty_listing() -> None:
    for style in (CLOUDVIEW, PM_V1_JOBS, CsamCursor(), QpsLastId()):
        api = FakeApi([page([])])
        pages = await collect(api, style)
        assert [(p.items, p.total) for p in pages] == [([], None)]


# --- driver: limit, max_pages, empty page, no progress -----------------------------------------


async def test_limit_trims_the_last_page_and_stops_fetching() -> None:
    style = replace(CDR, page_size=2)
    api = FakeApi(
        [
            page({"content": [1, 2], "totalElements": 9}),
            page({"content": [3, 4], "totalElements": 9}),
            page({"content": [5, 6], "totalElements": 9}),
        ]
    )
    pages = await collect(api, style, limit=3)
    assert [p.items for p in pages] == [[1, 2], [3]]
    assert len(api.requests) == 2


async def test_limit_on_a_page_boundary_fetches_no_more() -> None:
    style = replace(CDR, page_size=2)
    api = FakeApi([page({"content": [1, 2]}), page({"content": [3, 4]})])
    assert [p.items for p in await collect(api, style, limit=2)] == [[1, 2]]
    assert len(api.requests) == 1


async def test_zero_limit_fetches_nothing() -> None:
    api = FakeApi([])
    assert await collect(api, CDR, limit=0) == []
    assert api.requests == []


async def test_max_pages() -> None:
    style = replace(CDR, page_size=1)
    api = FakeApi([page({"content": [n]}) for n in range(5)])
    pages = await collect(api, style, max_pages=2)
    assert flat(pages) == [0, 1]
    assert [r.params["pageNumber"] for r in api.requests] == ["0", "1"]


async def test_empty_page_ends_even_when_the_style_would_continue() -> None:
    api = FakeApi(
        [
            page({"content": [1], "last": False}),
            page({"content": [], "last": False}),
        ]
    )
    pages = await collect(api, replace(CLOUDVIEW, page_size=1))
    assert [p.items for p in pages] == [[1], []]
    assert len(api.requests) == 2

    csam = FakeApi([page({"hasMore": 1, "lastSeenAssetId": 9, "assetListData": {"asset": []}})])
    assert flat(await collect(csam, CsamCursor())) == []
    assert len(csam.requests) == 1


async def test_no_progress_raises() -> None:
    api = FakeApi(
        [
            page({"hasMore": 1, "lastSeenAssetId": 5, "assetListData": {"asset": [{"a": 1}]}}),
            page({"hasMore": 1, "lastSeenAssetId": 5, "assetListData": {"asset": [{"a": 2}]}}),
        ]
    )
    seen: list[Any] = []

    async def consume() -> None:
        async for p in paginate(api, CsamCursor(page_size=1), PageRequest()):
            seen.extend(p.items)

    with pytest.raises(BadResponse, match="made no progress"):
        await consume()
    assert seen == [{"a": 1}, {"a": 2}]
    assert len(api.requests) == 2


# --- CSAM cursor -------------------------------------------------------------------------------


def csam_page(ids: list[int], has_more: Any, cursor: Any = "last") -> JsonPage:
    body: dict[str, Any] = {
        "responseCode": "SUCCESS",
        "count": 42,
        "hasMore": has_more,
        "assetListData": {"asset": [{"assetId": i, "name": f"a{i}"} for i in ids]},
    }
    if cursor == "last":
        body["lastSeenAssetId"] = ids[-1]
    elif cursor is not None:
        body["lastSeenAssetId"] = cursor
    return page(body)


@pytest.mark.parametrize(("more", "done"), [("1", "0"), (1, 0), (True, False)])
async def test_csam_three_pages(more: Any, done: Any) -> None:
    api = FakeApi(
        [
            csam_page([11, 12], more),
            csam_page([13, 14], more),
            csam_page([15], done),
        ]
    )
    filters = {"filters": [{"field": "asset.truRisk", "operator": "GREATER", "value": "900"}]}
    request = PageRequest(params={"includeFields": "tagList"}, json_body=filters)
    pages = await collect(api, CsamCursor(page_size=2), request)
    assert [r.params for r in api.requests] == [
        {"includeFields": "tagList", "pageSize": "2"},
        {"includeFields": "tagList", "pageSize": "2", "lastSeenAssetId": "12"},
        {"includeFields": "tagList", "pageSize": "2", "lastSeenAssetId": "14"},
    ]
    assert all(r.json_body == filters for r in api.requests)
    assert [a["assetId"] for a in flat(pages)] == [11, 12, 13, 14, 15]
    assert [p.total for p in pages] == [42, 42, 42]


async def test_csam_cursor_prefers_top_level_last_seen_asset_id() -> None:
    api = FakeApi([csam_page([1, 2], 1, cursor="777"), csam_page([3], 0)])
    await collect(api, CsamCursor(page_size=2))
    assert api.requests[1].params["lastSeenAssetId"] == "777"


async def test_csam_cursor_falls_back_to_last_asset_id() -> None:
    api = FakeApi([csam_page([1, 2], "1", cursor=None), csam_page([3, 4], 1, cursor=None)])
    api.pages.append(csam_page([5], 0, cursor=None))
    await collect(api, CsamCursor(page_size=2))
    assert [r.params.get("lastSeenAssetId") for r in api.requests] == [None, "2", "4"]


async def test_csam_has_more_without_any_cursor_is_bad_response() -> None:
    body = {"hasMore": 1, "assetListData": {"asset": [{"name": "no id"}]}}
    api = FakeApi([page(body)])
    with pytest.raises(BadResponse, match="no lastSeenAssetId or assetId"):
        await collect(api, CsamCursor(page_size=1))


async def test_csam_missing_has_more_ends() -> None:
    api = FakeApi([page({"assetListData": {"asset": [{"assetId": 1}]}, "lastSeenAssetId": 1})])
    assert len(flat(await collect(api, CsamCursor(page_size=1)))) == 1
    assert len(api.requests) == 1


async def test_csam_garbage_has_more_is_bad_response() -> None:
    api = FakeApi([page({"hasMore": "maybe", "assetListData": {"asset": [{"assetId": 1}]}})])
    with pytest.raises(BadResponse, match="hasMore='maybe'"):
        await collect(api, CsamCursor(page_size=1))


# --- PM searchAfter ----------------------------------------------------------------------------


async def test_pm_search_after_three_pages() -> None:
    api = FakeApi(
        [
            page([{"id": "p1"}, {"id": "p2"}], {"searchAfter": "cursor-1"}),
            # httpx headers turned into a dict have lower-case names.
            page([{"id": "p3"}, {"id": "p4"}], {"searchafter": "cursor-2"}),
            page([{"id": "p5"}], {"searchafter": "cursor-3"}),
        ]
    )
    body = {"query": "patchStatus:[Missing]", "attributes": ["id", "title"]}
    request = PageRequest(params={"platform": "Windows"}, json_body=body, headers={"X-Trace": "t1"})
    pages = await collect(api, PmSearchAfter(page_size=2), request)
    assert [r.headers for r in api.requests] == [
        {"X-Trace": "t1"},
        {"X-Trace": "t1", "searchAfter": "cursor-1"},
        {"X-Trace": "t1", "searchAfter": "cursor-2"},
    ]
    assert all(r.params == {"platform": "Windows", "pageSize": "2"} for r in api.requests)
    assert all(r.json_body == body for r in api.requests)
    assert [p["id"] for p in flat(pages)] == ["p1", "p2", "p3", "p4", "p5"]
    assert request.headers == {"X-Trace": "t1"}


async def test_pm_search_after_full_page_without_header_ends() -> None:
    api = FakeApi([page([1, 2], {})])
    assert flat(await collect(api, PmSearchAfter(page_size=2))) == [1, 2]
    assert len(api.requests) == 1


# --- QPS lastId --------------------------------------------------------------------------------


def qps_page(ids: list[int], more: Any, last_id: Any = "auto") -> JsonPage:
    response: dict[str, Any] = {
        "responseCode": "SUCCESS",
        "count": len(ids),
        "hasMoreRecords": more,
        "data": [{"WebApp": {"id": i}} for i in ids],
    }
    if last_id == "auto":
        response["lastId"] = ids[-1]
    elif last_id is not None:
        response["lastId"] = last_id
    return page({"ServiceResponse": response})


async def test_qps_three_pages_replace_id_criterion_without_mutating_input() -> None:
    body = {
        "ServiceRequest": {
            "preferences": {"limitResults": "2", "verbose": "true"},
            "filters": {
                "Criteria": [
                    {"field": "id", "operator": "GREATER", "value": "0"},
                    {"field": "lastScan.date", "operator": "GREATER", "value": "2026-01-01"},
                ]
            },
        }
    }
    original = copy.deepcopy(body)
    api = FakeApi([qps_page([5, 9], "true"), qps_page([12, 20], "TRUE"), qps_page([21], "false")])
    pages = await collect(api, QpsLastId(), PageRequest(json_body=body))

    def criteria(n: int) -> Any:
        return api.requests[n].json_body["ServiceRequest"]["filters"]["Criteria"]

    assert api.requests[0].json_body == original
    assert criteria(1) == [
        {"field": "lastScan.date", "operator": "GREATER", "value": "2026-01-01"},
        {"field": "id", "operator": "GREATER", "value": "9"},
    ]
    assert criteria(2) == [
        {"field": "lastScan.date", "operator": "GREATER", "value": "2026-01-01"},
        {"field": "id", "operator": "GREATER", "value": "20"},
    ]
    assert api.requests[2].json_body["ServiceRequest"]["preferences"] == {
        "limitResults": "2",
        "verbose": "true",
    }
    assert body == original
    assert [w["WebApp"]["id"] for w in flat(pages)] == [5, 9, 12, 20, 21]
    assert [p.total for p in pages] == [None, None, None]
    assert all(r.params == {} and r.headers == {} for r in api.requests)


async def test_qps_creates_the_criteria_path() -> None:
    api = FakeApi([qps_page([3], True), qps_page([4], False)])
    await collect(api, QpsLastId())
    assert api.requests[0].json_body is None
    assert api.requests[1].json_body == {
        "ServiceRequest": {
            "filters": {"Criteria": [{"field": "id", "operator": "GREATER", "value": "3"}]}
        }
    }


async def test_qps_single_criterion_object_is_kept() -> None:
    body = {"ServiceRequest": {"filters": {"Criteria": {"field": "name", "operator": "CONTAINS"}}}}
    api = FakeApi([qps_page([3], "true"), qps_page([4], "false")])
    await collect(api, QpsLastId(), PageRequest(json_body=body))
    assert api.requests[1].json_body["ServiceRequest"]["filters"]["Criteria"] == [
        {"field": "name", "operator": "CONTAINS"},
        {"field": "id", "operator": "GREATER", "value": "3"},
    ]
    assert body["ServiceRequest"]["filters"]["Criteria"] == {
        "field": "name",
        "operator": "CONTAINS",
    }


async def test_qps_more_records_without_last_id_is_bad_response() -> None:
    api = FakeApi([qps_page([3], "true", last_id=None)])
    with pytest.raises(BadResponse, match="no lastId"):
        await collect(api, QpsLastId())


async def test_qps_without_service_response_is_bad_response() -> None:
    api = FakeApi([page({"data": [1]})])
    with pytest.raises(BadResponse, match="no ServiceResponse"):
        await collect(api, QpsLastId())


def test_page_number_style_is_pure() -> None:
    style = replace(CLOUDVIEW, page_size=1)
    request = PageRequest(params={"filter": "x"})
    first = style.first(request)
    following = style.advance(first, page({"content": [1], "last": False}))
    assert request.params == {"filter": "x"}
    assert first.params == {"filter": "x", "pageSize": "1", "pageNo": "0"}
    assert following == PageRequest(params={"filter": "x", "pageSize": "1", "pageNo": "1"})


def test_page_number_defaults() -> None:
    style = PageNumber("page")
    assert style.first(PageRequest()).params == {"pageSize": "100", "page": "0"}
    assert style.items({"data": [1]}) == [1]
    assert style.total({"data": [1], "count": 1}) is None


# --- JSON failure envelopes --------------------------------------------------------------------


ENVELOPES = [
    (
        {
            "ServiceResponse": {
                "responseCode": "INVALID_CREDENTIALS",
                "responseErrorDetails": {"errorMessage": "Bad creds", "errorResolution": "Fix"},
            }
        },
        AuthError,
        "INVALID_CREDENTIALS",
        "Qualys QPS answered INVALID_CREDENTIALS: Bad creds Fix",
    ),
    (
        {"ServiceResponse": {"responseCode": "UNAUTHORIZED_ACCESS"}},
        AuthError,
        "UNAUTHORIZED_ACCESS",
        "Qualys QPS answered UNAUTHORIZED_ACCESS",
    ),
    (
        {
            "ServiceResponse": {
                "responseCode": "INVALID_REQUEST",
                "responseErrorDetails": [{"errorMessage": "Unknown field detectedDate"}],
            }
        },
        BadRequest,
        "INVALID_REQUEST",
        "Qualys QPS answered INVALID_REQUEST: Unknown field detectedDate",
    ),
    (
        {"ServiceResponse": {"responseCode": "INTERNAL_ERROR"}},
        Unavailable,
        "INTERNAL_ERROR",
        "Qualys QPS answered INTERNAL_ERROR",
    ),
    (
        {"ServiceResponse": {"responseCode": "NOT_FOUND"}},
        BadResponse,
        "NOT_FOUND",
        "Qualys QPS answered NOT_FOUND",
    ),
    (
        {"responseCode": "FAILED", "responseMessage": "Invalid filter field asset.address"},
        BadRequest,
        "FAILED",
        "Invalid filter field asset.address",
    ),
    (
        {"_error": {"errorCode": "2501", "message": "Too many records"}},
        BadRequest,
        "2501",
        "Qualys record limit reached: Too many records",
    ),
    (
        {"_error": {"errorCode": 1234, "message": "Invalid QQL"}},
        BadRequest,
        "1234",
        "Invalid QQL",
    ),
]


@pytest.mark.parametrize(("body", "expected", "code", "message"), ENVELOPES)
def test_check_json_envelope_raises(
    body: Any, expected: type[QualysError], code: str, message: str
) -> None:
    with pytest.raises(expected) as excinfo:
        check_json_envelope(body, http_status=200, path="/some/path")
    error = excinfo.value
    assert type(error) is expected
    assert error.code == code
    assert error.message == message
    assert error.http_status == 200
    assert error.path == "/some/path"


def test_record_limit_has_a_narrowing_hint() -> None:
    with pytest.raises(BadRequest) as excinfo:
        check_json_envelope({"_error": {"errorCode": "2501"}}, http_status=400, path=None)
    assert "Narrow the request" in excinfo.value.hint


@pytest.mark.parametrize(
    "body",
    [
        {"ServiceResponse": {"responseCode": "SUCCESS", "count": 3}},
        {"ServiceResponse": {"responseCode": "success"}},
        {"responseCode": "SUCCESS", "count": 1},
        {"content": [], "totalElements": 0},
        [{"_error": {"errorCode": "2501"}}],
        None,
        "text",
    ],
)
def test_check_json_envelope_accepts_success(body: Any) -> None:
    check_json_envelope(body, http_status=200, path=None)
