"""Response bodies in Qualys' own formats: FO XML, SIMPLE_RETURN errors, QPS and gateway JSON.

Large answers are streamed: a handler yields XML fragments and `xml_stream` sends them as they
come, so an 89,000-host detection list is never one string in memory.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from starlette.responses import Response, StreamingResponse

__all__ = [
    "XML_DECLARATION",
    "cdata",
    "element",
    "gateway_error",
    "iso",
    "json_response",
    "qps_error",
    "simple_return",
    "text",
    "xml_response",
    "xml_stream",
]

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" ?>\n'
XML_TYPE = "text/xml;charset=UTF-8"
JSON_TYPE = "application/json"


def iso(moment: datetime) -> str:
    """Qualys' timestamp form: UTC, seconds, a literal Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def text(value: object) -> str:
    """Escaped element text."""
    return escape(str(value))


def cdata(value: object) -> str:
    """A CDATA section; a literal ``]]>`` is split across two sections, as XML requires."""
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def element(tag: str, value: object = None, *, raw: bool = False, **attrs: object) -> str:
    """``<TAG a="1">value</TAG>``; `value` is CDATA when it is free text, escaped otherwise.

    `raw=True` inserts `value` as already-built XML (nested elements).
    """
    attributes = "".join(f" {name}={quoteattr(str(v))}" for name, v in attrs.items())
    if value is None:
        return f"<{tag}{attributes}/>"
    if raw:
        body = str(value)
    elif isinstance(value, bool):
        body = "1" if value else "0"
    elif isinstance(value, int | float):
        body = str(value)
    else:
        body = cdata(value)
    return f"<{tag}{attributes}>{body}</{tag}>"


def _head(doctype: str | None) -> str:
    """The XML declaration, and Qualys' ``<!DOCTYPE ROOT SYSTEM "...dtd">`` line when named."""
    if not doctype:
        return XML_DECLARATION
    dtd = f"https://qualysapi.qualys.com/{doctype.lower()}.dtd"
    return f'{XML_DECLARATION}<!DOCTYPE {doctype} SYSTEM "{dtd}">\n'


def xml_response(
    body: str, *, status: int = 200, doctype: str | None = None, headers: Mapping[str, str] = {}
) -> Response:
    """A whole XML document; `doctype` names the root for Qualys' ``<!DOCTYPE ... SYSTEM>`` line."""
    return Response(
        _head(doctype) + body, status_code=status, media_type=XML_TYPE, headers=dict(headers)
    )


async def _each(parts: AsyncIterable[str] | Iterable[str]) -> AsyncIterator[str]:
    if isinstance(parts, AsyncIterable):
        async for part in parts:
            yield part
    else:
        for part in parts:
            yield part


def xml_stream(
    parts: AsyncIterable[str] | Iterable[str], *, status: int = 200, doctype: str | None = None
) -> StreamingResponse:
    """An XML document sent as its parts are produced, in chunks of about 64 KiB."""

    async def body() -> AsyncIterator[bytes]:
        buffer = [_head(doctype)]
        size = len(buffer[0])
        async for part in _each(parts):
            buffer.append(part)
            size += len(part)
            if size >= 65536:
                yield "".join(buffer).encode()
                buffer, size = [], 0
        if buffer:
            yield "".join(buffer).encode()

    return StreamingResponse(body(), status_code=status, media_type=XML_TYPE)


def simple_return(
    text_: str,
    *,
    status: int,
    code: str | int | None = None,
    now: datetime | None = None,
    headers: Mapping[str, str] = {},
) -> Response:
    """The FO error (and acknowledgement) document every FO client reads (catalogue §4.3)."""
    moment = iso(now or datetime.now(UTC))
    parts = [f"<DATETIME>{moment}</DATETIME>"]
    if code is not None:
        parts.append(f"<CODE>{code}</CODE>")
    parts.append(f"<TEXT>{escape(text_)}</TEXT>")
    body = f"<SIMPLE_RETURN><RESPONSE>{''.join(parts)}</RESPONSE></SIMPLE_RETURN>\n"
    return xml_response(body, status=status, headers=headers)


def qps_error(code: str, message: str, *, status: int, resolution: str = "") -> Response:
    """The QPS REST error body (qualys-mcp-full common/xml.py reads these three fields)."""
    details = element("errorMessage", message)
    if resolution:
        details += element("errorResolution", resolution)
    body = (
        f"<ServiceResponse><responseCode>{escape(code)}</responseCode>"
        f"<responseErrorDetails>{details}</responseErrorDetails></ServiceResponse>"
    )
    return xml_response(body, status=status)


def json_response(data: Any, *, status: int = 200, headers: Mapping[str, str] = {}) -> Response:
    return Response(
        json.dumps(data, separators=(",", ":")),
        status_code=status,
        media_type=JSON_TYPE,
        headers=dict(headers),
    )


def gateway_error(
    message: str, *, status: int, code: str | None = None, headers: Mapping[str, str] = {}
) -> Response:
    """A gateway JSON error in the ``{"errorCode", "message"}`` form clients read (§4.3)."""
    body: dict[str, Any] = {"message": message}
    if code is not None:
        body["errorCode"] = code
    return json_response(body, status=status, headers=headers)
