"""The Qualys client through its public methods, on httpx mock transports."""

from __future__ import annotations

import asyncio
import base64
import logging
from urllib.parse import parse_qs

import httpx
import pytest

from qualys_core.errors import (
    AuthError,
    BadRequest,
    BadResponse,
    NotLicensed,
    RateLimited,
    Timeout,
    Unavailable,
)

from .conftest import FAKE_JWT, PASSWORD


def simple_return(code, text):
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        '<!DOCTYPE SIMPLE_RETURN SYSTEM "https://qualysapi.qualys.com/api/2.0/simple_return.dtd">\n'
        f"<SIMPLE_RETURN><RESPONSE><DATETIME>2026-01-15T10:00:00Z</DATETIME><CODE>{code}</CODE>"
        f"<TEXT>{text}</TEXT></RESPONSE></SIMPLE_RETURN>"
    ).encode()


def with_login(handler):
    """A gateway that issues FAKE_JWT at /auth and answers everything else with `handler`."""

    def gateway(request):
        if request.url.path == "/auth":
            return httpx.Response(201, text=FAKE_JWT)
        return handler(request)

    return gateway


def ok_xml(body="<OK/>"):
    return httpx.Response(200, content=body.encode(), headers={"Content-Type": "text/xml"})


async def test_api_server_requests_carry_basic_auth_and_requested_with(make_client):
    seen = []

    def api(request):
        seen.append(request)
        return ok_xml()

    client = make_client(api=api)
    await client.api.xml("GET", "/msp/about.php")
    request = seen[0]
    expected = base64.b64encode(f"acme_ab1:{PASSWORD}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.headers["X-Requested-With"] == "qualys-mcp"
    assert str(request.url).startswith("https://qualysapi.qg2.apps.qualys.com/msp/about.php")


async def test_gateway_logs_in_with_form_and_sends_bearer(make_client):
    logins = []
    calls = []

    def gateway(request):
        if request.url.path == "/auth":
            logins.append(request)
            return httpx.Response(201, text=FAKE_JWT)
        calls.append(request)
        return httpx.Response(200, json={"responseCode": "SUCCESS", "count": 3})

    client = make_client(gateway=gateway)
    body = await client.gateway.json("POST", "/rest/2.0/count/am/asset", json_body={"filters": []})
    assert body["count"] == 3
    login = logins[0]
    assert login.method == "POST"
    assert login.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(login.content.decode()) == {
        "username": ["acme_ab1"],
        "password": [PASSWORD],
        "token": ["true"],
    }
    assert calls[0].headers["Authorization"] == f"Bearer {FAKE_JWT}"
    assert str(calls[0].url).startswith("https://gateway.qg2.apps.qualys.com/")


async def test_twenty_concurrent_first_callers_share_one_login(make_client):
    logins = 0

    async def gateway(request):
        nonlocal logins
        if request.url.path == "/auth":
            logins += 1
            await asyncio.sleep(0.01)
            return httpx.Response(201, text=FAKE_JWT)
        return httpx.Response(200, json={"ok": True})

    client = make_client(gateway=gateway)
    await asyncio.gather(*(client.gateway.json("GET", "/csapi/v1.3/images") for _ in range(20)))
    assert logins == 1


async def test_expired_token_is_refreshed_once_for_twenty_concurrent_callers(make_client):
    tokens = iter([FAKE_JWT, FAKE_JWT.replace("c2ln", "bmV3")])
    current = {"valid": None}
    logins = 0

    async def gateway(request):
        nonlocal logins
        if request.url.path == "/auth":
            logins += 1
            current["valid"] = next(tokens)
            await asyncio.sleep(0.01)
            return httpx.Response(201, text=current["valid"])
        await asyncio.sleep(0.001)
        if request.headers["Authorization"] != f"Bearer {current['valid']}":
            return httpx.Response(401, json={"message": "token expired"})
        return httpx.Response(200, json={"ok": True})

    client = make_client(gateway=gateway)
    await client.gateway.json("GET", "/csapi/v1.3/images")
    assert logins == 1
    current["valid"] = "rotated-on-the-server"  # every cached token is now rejected
    results = await asyncio.gather(
        *(client.gateway.json("GET", "/csapi/v1.3/images") for _ in range(20))
    )
    assert results == [{"ok": True}] * 20
    assert logins == 2


async def test_second_401_after_refresh_is_an_auth_error(make_client):
    gateway = with_login(lambda request: httpx.Response(401, json={"message": "unauthorized"}))

    client = make_client(gateway=gateway)
    with pytest.raises(AuthError) as info:
        await client.gateway.json("GET", "/csapi/v1.3/images")
    assert info.value.source_status == "auth_failed"


async def test_gateway_login_rejected_is_auth_error_without_the_password(make_client):
    def gateway(request):
        return httpx.Response(401, text="Bad credentials")

    client = make_client(gateway=gateway)
    with pytest.raises(AuthError) as info:
        await client.gateway.json("GET", "/csapi/v1.3/images")
    assert PASSWORD not in str(info.value)
    assert "username or password" in str(info.value)


async def test_409_with_to_wait_is_honoured_then_retried(make_client, fake_time):
    responses = [
        httpx.Response(
            409,
            content=simple_return(1965, "This API cannot be run again for another 37 seconds."),
            headers={"X-RateLimit-ToWait-Sec": "12", "X-RateLimit-Remaining": "0"},
        ),
        ok_xml("<DONE/>"),
    ]
    client = make_client(api=lambda request: responses.pop(0))
    root = await client.api.xml("GET", "/api/2.0/fo/knowledge_base/vuln/", params={"ids": "1"})
    assert root.tag == "DONE"
    assert 12 in fake_time.slept
    assert not responses


async def test_409_concurrency_code_without_headers_uses_the_text_wait(make_client, fake_time):
    responses = [
        httpx.Response(
            409, content=simple_return(1960, "This API cannot be run again for another 5 seconds")
        ),
        ok_xml(),
    ]
    client = make_client(api=lambda request: responses.pop(0))
    await client.api.xml("GET", "/api/2.0/fo/scan/")
    assert fake_time.slept == [5]


async def test_409_wait_longer_than_the_bound_fails_fast(make_client, fake_time):
    calls = 0

    def api(request):
        nonlocal calls
        calls += 1
        return httpx.Response(
            409, content=simple_return(1965, "rate"), headers={"X-RateLimit-ToWait-Sec": "3600"}
        )

    client = make_client(api=api)
    with pytest.raises(RateLimited) as info:
        await client.api.xml("GET", "/api/2.0/fo/scan/")
    assert info.value.retry_after == 3600
    assert calls == 1
    assert fake_time.slept == []


async def test_409_registration_incomplete_is_raised_at_once(make_client):
    calls = 0

    def api(request):
        nonlocal calls
        calls += 1
        return httpx.Response(
            409,
            content=simple_return(2003, "Registration must be completed before API requests"),
            headers={"X-RateLimit-Remaining": "100"},
        )

    client = make_client(api=api)
    with pytest.raises(AuthError) as info:
        await client.api.xml("GET", "/api/2.0/fo/scan/")
    assert calls == 1
    assert info.value.code == "2003"


async def test_other_409_is_raised_at_once(make_client):
    calls = 0

    def api(request):
        nonlocal calls
        calls += 1
        return httpx.Response(409, content=simple_return(1999, "Some other conflict"))

    client = make_client(api=api)
    with pytest.raises(BadRequest, match="Some other conflict"):
        await client.api.xml("GET", "/api/2.0/fo/scan/")
    assert calls == 1


async def test_429_retry_after_is_honoured(make_client, fake_time):
    responses = [
        httpx.Response(429, headers={"Retry-After": "3"}, json={"message": "slow down"}),
        httpx.Response(200, json={"responseCode": "SUCCESS", "count": 1}),
    ]

    gateway = with_login(lambda request: responses.pop(0))

    client = make_client(gateway=gateway)
    body = await client.gateway.json("POST", "/rest/2.0/count/am/asset", json_body={})
    assert body["count"] == 1
    assert fake_time.slept == [3]


async def test_persistent_429_becomes_rate_limited(make_client):
    gateway = with_login(lambda request: httpx.Response(429, headers={"Retry-After": "1"}))

    client = make_client(gateway=gateway)
    with pytest.raises(RateLimited):
        await client.gateway.json("GET", "/csapi/v1.3/images")


async def test_5xx_is_retried_with_growing_backoff_then_unavailable(make_client, fake_time):
    calls = 0

    def api(request):
        nonlocal calls
        calls += 1
        return httpx.Response(503, text="maintenance")

    client = make_client(api=api)
    with pytest.raises(Unavailable) as info:
        await client.api.xml("GET", "/api/2.0/fo/appliance/")
    assert calls == 4
    assert len(fake_time.slept) == 3
    assert fake_time.slept == sorted(fake_time.slept)
    assert info.value.http_status == 503


async def test_5xx_then_success(make_client):
    responses = [httpx.Response(502), httpx.Response(500), ok_xml("<FINE/>")]
    client = make_client(api=lambda request: responses.pop(0))
    root = await client.api.xml("GET", "/api/2.0/fo/appliance/")
    assert root.tag == "FINE"


async def test_connection_errors_are_retried_then_unavailable(make_client):
    calls = 0

    def api(request):
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("connection refused", request=request)

    client = make_client(api=api)
    with pytest.raises(Unavailable, match="ConnectError"):
        await client.api.xml("GET", "/msp/about.php")
    assert calls == 4


async def test_read_timeout_is_a_timeout_error(make_client):
    def api(request):
        raise httpx.ReadTimeout("slow", request=request)

    client = make_client(api=api)
    with pytest.raises(Timeout) as info:
        await client.api.xml("GET", "/api/2.0/fo/asset/host/vm/detection/")
    assert info.value.source_status == "timeout"


@pytest.mark.parametrize(("status", "error"), [(401, AuthError), (403, AuthError)])
async def test_auth_statuses_on_the_api_server(make_client, status, error):
    client = make_client(api=lambda request: httpx.Response(status, text="Bad Login/Password"))
    with pytest.raises(error):
        await client.api.xml("GET", "/msp/about.php")


async def test_400_with_code_is_bad_request_with_qualys_text(make_client):
    client = make_client(
        api=lambda request: httpx.Response(
            400, content=simple_return(1901, "Unrecognized parameter(s): bogus")
        )
    )
    with pytest.raises(BadRequest, match="Unrecognized parameter") as info:
        await client.api.xml("GET", "/api/2.0/fo/scan/", params={"bogus": "1"})
    assert info.value.code == "1901"


async def test_404_for_a_module_is_not_licensed(make_client):
    gateway = with_login(lambda request: httpx.Response(404, json={"message": "Not Found"}))

    client = make_client(gateway=gateway)
    with pytest.raises(NotLicensed) as info:
        await client.gateway.json("GET", "/tai/api/1.0/detection/count", module="TotalAI")
    assert info.value.module == "TotalAI"
    assert info.value.source_status == "not_licensed"


async def test_404_for_one_named_object_is_empty(make_client):
    gateway = with_login(lambda request: httpx.Response(404, json={"message": "Not Found"}))

    client = make_client(gateway=gateway)
    body = await client.gateway.json("GET", "/csapi/v1.3/images/abc", not_found="empty")
    assert body is None


async def test_failure_envelopes_in_200_bodies_raise(make_client):
    gateway = with_login(
        lambda request: httpx.Response(
            200, json={"responseCode": "FAILED", "responseMessage": "Invalid filter field"}
        )
    )

    client = make_client(gateway=gateway)
    with pytest.raises(BadRequest, match="Invalid filter field"):
        await client.gateway.json("POST", "/rest/2.0/search/am/asset", json_body={})


async def test_simple_return_failure_in_a_200_body_raises(make_client):
    client = make_client(
        api=lambda request: httpx.Response(
            200, content=simple_return(1905, "parameter ids has invalid value")
        )
    )
    with pytest.raises(BadRequest, match="invalid value"):
        await client.api.xml("GET", "/api/2.0/fo/knowledge_base/vuln/")


async def test_simple_return_success_is_not_an_error(make_client):
    body = (
        "<SIMPLE_RETURN><RESPONSE><DATETIME>2026-01-15T10:00:00Z</DATETIME>"
        "<TEXT>New report launched</TEXT><ITEM_LIST><ITEM><KEY>ID</KEY><VALUE>123</VALUE>"
        "</ITEM></ITEM_LIST></RESPONSE></SIMPLE_RETURN>"
    )
    client = make_client(api=lambda request: ok_xml(body))
    root = await client.api.xml("POST", "/api/2.0/fo/report/", data={"action": "launch"})
    assert root.findtext("RESPONSE/ITEM_LIST/ITEM/VALUE") == "123"


async def test_entity_expansion_is_rejected(make_client):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        "<lolz>&lol2;</lolz>"
    )
    client = make_client(api=lambda request: ok_xml(bomb))
    with pytest.raises(BadResponse):
        await client.api.xml("GET", "/api/2.0/fo/knowledge_base/vuln/")


async def test_non_json_body_is_bad_response(make_client):
    gateway = with_login(lambda request: httpx.Response(200, text="<html>maintenance</html>"))

    client = make_client(gateway=gateway)
    with pytest.raises(BadResponse):
        await client.gateway.json("GET", "/csapi/v1.3/images")


def detection_page(host_ids, next_id_min=None):
    hosts = "".join(
        f"<HOST><ID>{h}</ID><IP>10.0.0.{h % 250}</IP><DETECTION_LIST><DETECTION><QID>38739</QID>"
        f"<SEVERITY>5</SEVERITY><STATUS>Active</STATUS></DETECTION></DETECTION_LIST></HOST>"
        for h in host_ids
    )
    warning = ""
    if next_id_min is not None:
        warning = (
            "<WARNING><CODE>1980</CODE><TEXT>1000 record limit exceeded.</TEXT><URL><![CDATA["
            "https://qualysapi.qg2.apps.qualys.com/api/2.0/fo/asset/host/vm/detection/"
            f"?action=list&show_qds=1&truncation_limit=2&id_min={next_id_min}]]></URL></WARNING>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE HOST_LIST_VM_DETECTION_OUTPUT SYSTEM '
        '"https://qualysapi.qg2.apps.qualys.com/api/2.0/fo/asset/host/vm/detection/'
        'host_list_vm_detection_output.dtd">\n<HOST_LIST_VM_DETECTION_OUTPUT><RESPONSE>'
        f"<DATETIME>2026-01-15T10:00:00Z</DATETIME><HOST_LIST>{hosts}</HOST_LIST>{warning}"
        "</RESPONSE></HOST_LIST_VM_DETECTION_OUTPUT>"
    )


async def test_truncation_pagination_follows_three_pages(make_client):
    pages = {
        None: detection_page([101, 102], next_id_min=103),
        "103": detection_page([103, 104], next_id_min=105),
        "105": detection_page([105]),
    }
    requests = []

    def api(request):
        requests.append(dict(request.url.params))
        return ok_xml(pages[request.url.params.get("id_min")])

    client = make_client(api=api)
    ids = [
        host.findtext("ID")
        async for host in client.api.iter_xml(
            "/api/2.0/fo/asset/host/vm/detection/",
            {"action": "list", "show_qds": "1", "truncation_limit": "2"},
            {"HOST"},
        )
    ]
    assert ids == ["101", "102", "103", "104", "105"]
    assert [r.get("id_min") for r in requests] == [None, "103", "105"]
    assert all(r["action"] == "list" for r in requests)


async def test_truncation_pagination_as_post_form(make_client):
    pages = {None: detection_page([1], next_id_min=2), "2": detection_page([2])}
    bodies = []

    def api(request):
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        bodies.append((request.method, form))
        return ok_xml(pages[form.get("id_min")])

    client = make_client(api=api)
    ids = [
        host.findtext("ID")
        async for host in client.api.iter_xml(
            "/api/5.0/fo/asset/host/vm/detection/", {"action": "list"}, {"HOST"}, method="POST"
        )
    ]
    assert ids == ["1", "2"]
    assert [method for method, _ in bodies] == ["POST", "POST"]


async def test_kb_semaphore_bounds_concurrent_kb_calls(make_client):
    active = 0
    peak = 0

    async def api(request):
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.005)
        active -= 1
        return ok_xml("<KNOWLEDGE_BASE_VULN_LIST_OUTPUT/>")

    client = make_client(api=api)
    await asyncio.gather(
        *(
            client.api.xml(
                "GET",
                "/api/2.0/fo/knowledge_base/vuln/",
                params={"ids": str(i)},
                semaphore=client.kb_semaphore,
            )
            for i in range(10)
        )
    )
    assert peak == 2


async def test_advertised_concurrency_limit_is_never_exceeded(make_client):
    active = 0
    peak = 0

    async def api(request):
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.005)
        active -= 1
        return httpx.Response(
            200,
            content=b"<OK/>",
            headers={"X-Concurrency-Limit-Limit": "2", "X-Concurrency-Limit-Running": "1"},
        )

    client = make_client(api=api)
    await client.api.xml("GET", "/api/2.0/fo/scan/")
    await asyncio.gather(*(client.api.xml("GET", "/api/2.0/fo/scan/") for _ in range(12)))
    assert peak == 2


async def test_cancellation_cancels_the_outstanding_request(make_client):
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def api(request):
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return ok_xml()

    client = make_client(api=api)
    task = asyncio.create_task(client.api.xml("GET", "/api/2.0/fo/asset/host/vm/detection/"))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cancelled.is_set()
    assert client.api.governor.snapshot()["api:/api/fo/asset/host/vm/detection"]["in_flight"] == 0


async def test_credentials_never_appear_in_errors_or_logs(make_client, caplog):
    caplog.set_level(logging.DEBUG)
    statuses = iter([401, 403, 400, 404, 409, 500, 500, 500, 500])

    def api(request):
        return httpx.Response(next(statuses), text="error")

    client = make_client(api=api)
    messages = []
    for _ in range(6):
        with pytest.raises(Exception) as info:  # noqa: PT011 - every failure type is checked
            await client.api.xml("GET", "/api/2.0/fo/scan/")
        messages.append(repr(info.value) + str(info.value) + str(vars(info.value)))
    assert all(PASSWORD not in m for m in messages)
    encoded = base64.b64encode(f"acme_ab1:{PASSWORD}".encode()).decode()
    assert PASSWORD not in caplog.text
    assert encoded not in caplog.text


async def test_token_is_refetched_after_its_cache_lifetime(make_client, fake_time):
    logins = 0

    def gateway(request):
        nonlocal logins
        if request.url.path == "/auth":
            logins += 1
            return httpx.Response(201, text=FAKE_JWT)
        return httpx.Response(200, json={"ok": True})

    client = make_client(gateway=gateway)
    await client.gateway.json("GET", "/csapi/v1.3/images")
    fake_time.now += 3.5 * 3600 - 1
    await client.gateway.json("GET", "/csapi/v1.3/images")
    assert logins == 1
    fake_time.now += 2
    await client.gateway.json("GET", "/csapi/v1.3/images")
    assert logins == 2


async def test_json_pages_through_the_gateway_with_the_csam_cursor(make_client):
    from qualys_core.http.paging import CsamCursor

    assets = [{"assetId": 10 + i, "assetName": f"host{i}"} for i in range(5)]
    seen = []

    def gateway(request):
        if request.url.path == "/auth":
            return httpx.Response(201, text=FAKE_JWT)
        seen.append(dict(request.url.params))
        after = int(request.url.params.get("lastSeenAssetId", 0))
        size = int(request.url.params["pageSize"])
        rest = [a for a in assets if a["assetId"] > after]
        page = rest[:size]
        return httpx.Response(
            200,
            json={
                "responseCode": "SUCCESS",
                "count": len(page),
                "hasMore": 1 if len(rest) > size else 0,
                "lastSeenAssetId": page[-1]["assetId"],
                "assetListData": {"asset": page},
            },
        )

    client = make_client(gateway=gateway)
    names = [
        asset["assetName"]
        async for page in client.gateway.pages(
            "POST", "/rest/2.0/search/am/asset", CsamCursor(page_size=2)
        )
        for asset in page.items
    ]
    assert names == [f"host{i}" for i in range(5)]
    assert [p.get("lastSeenAssetId") for p in seen] == [None, "11", "13"]
