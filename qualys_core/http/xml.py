"""Safe, incremental XML for the Qualys FO and QPS APIs: records, warnings, SIMPLE_RETURN errors.

Parsing never expands entities and never fetches anything: the `<!DOCTYPE X SYSTEM "...dtd">`
line Qualys puts on FO responses is accepted (the DTD is not read), any `<!ENTITY` declaration is
rejected with `BadResponse`. Records are detached from the tree as soon as they close, so memory
stays bounded however large the document is.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Collection,
    Mapping,
)
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.etree.ElementTree import Element, ParseError
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from qualys_core.errors import (
    AuthError,
    BadRequest,
    BadResponse,
    NotLicensed,
    QualysError,
    RateLimited,
    Unavailable,
)

__all__ = [
    "TRUNCATION_CODE",
    "RecordStream",
    "SimpleReturn",
    "Truncation",
    "error_for_simple_return",
    "iter_records",
    "iter_truncated",
    "next_page_params",
    "parse_document",
    "parse_simple_return",
    "raise_for_simple_return",
    "wait_from_text",
]

TRUNCATION_CODE = "1980"

_PARSE_ERRORS = (ParseError, ExpatError, DefusedXmlException)


@dataclass(frozen=True)
class Truncation:
    """A `<WARNING>` element of an FO response; code 1980 means the list was truncated."""

    code: str
    text: str
    url: str | None


@dataclass(frozen=True)
class SimpleReturn:
    """A `SIMPLE_RETURN/RESPONSE`; it is a failure only when it carries a CODE."""

    code: str | None
    text: str
    datetime: str | None


def _child_text(parent: Element, tag: str) -> str:
    return (parent.findtext(tag) or "").strip()


class _Builder:
    """Parser target: builds the document skeleton and detaches each record when it closes."""

    def __init__(self, tags: Collection[str]) -> None:
        self._tags = frozenset(tags)
        self._stack: list[Element] = []
        self._text: list[str] = []
        self._last: Element | None = None
        self._last_closed = False
        self._open_records = 0
        self.root: Element | None = None
        self.records: deque[Element] = deque()
        self.warning: Truncation | None = None

    def _flush(self) -> None:
        if not self._text:
            return
        text = "".join(self._text)
        self._text.clear()
        if self._last is None:  # tail of a detached record: nobody will read it
            return
        if self._last_closed:
            self._last.tail = text
        else:
            self._last.text = text

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self._flush()
        element = Element(tag, attrib)
        if self._stack:
            self._stack[-1].append(element)
        else:
            self.root = element
        self._stack.append(element)
        self._last, self._last_closed = element, False
        if tag in self._tags:
            self._open_records += 1

    def end(self, tag: str) -> None:
        self._flush()
        element = self._stack.pop()
        self._last, self._last_closed = element, True
        if tag in self._tags:
            self._open_records -= 1
            if self._open_records:
                return  # a record nested in a record stays inside its outer record
            if self._stack:
                # A record is necessarily its parent's last child at the moment it closes.
                del self._stack[-1][-1]
            self.records.append(element)
            self._last = None
        elif tag == "WARNING" and not self._open_records and self.warning is None:
            self.warning = Truncation(
                code=_child_text(element, "CODE"),
                text=_child_text(element, "TEXT"),
                url=_child_text(element, "URL") or None,
            )

    def data(self, text: str) -> None:
        self._text.append(text)

    def close(self) -> Element | None:
        self._flush()
        return self.root


def _unreadable(exc: Exception) -> BadResponse:
    return BadResponse(f"Qualys sent malformed or unsafe XML: {exc}")


class RecordStream:
    """Incremental, entity-free XML parser that hands out record elements as they complete.

    `feed()` the body chunk by chunk, `drain()` the records completed so far, then `close()`.
    Records (elements whose tag is in `tags`, outermost only) are detached from the tree;
    the rest of the document (root, RESPONSE, WARNING, ...) is kept and small.
    """

    def __init__(self, tags: Collection[str]) -> None:
        self._builder = _Builder(tags)
        self._parser: DefusedXMLParser | None = DefusedXMLParser(
            target=self._builder, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
        self.simple_return: SimpleReturn | None = None
        """Set by `close()` when the root is SIMPLE_RETURN (a success or a failure)."""
        self.bytes_fed = 0

    @property
    def root(self) -> Element | None:
        """The document skeleton, without the records already detached."""
        return self._builder.root

    @property
    def root_tag(self) -> str | None:
        return None if self._builder.root is None else self._builder.root.tag

    @property
    def warning(self) -> Truncation | None:
        """The first `<WARNING>` outside the records, once it has closed."""
        return self._builder.warning

    def _open_parser(self) -> DefusedXMLParser:
        if self._parser is None:
            raise RuntimeError("RecordStream is closed or has failed")
        return self._parser

    def feed(self, chunk: bytes) -> None:
        parser = self._open_parser()
        self.bytes_fed += len(chunk)
        try:
            parser.feed(chunk)
        except _PARSE_ERRORS as exc:
            self._parser = None
            raise _unreadable(exc) from exc

    def drain(self) -> list[Element]:
        """Return, and forget, the records completed since the last call."""
        records = list(self._builder.records)
        self._builder.records.clear()
        return records

    def close(self) -> None:
        """Finish the document; a truncated or empty document raises `BadResponse`."""
        parser = self._open_parser()
        self._parser = None
        try:
            parser.close()
        except _PARSE_ERRORS as exc:
            raise _unreadable(exc) from exc
        root = self._builder.root
        if root is None:  # expat reports this itself; kept so `root` is never None after close
            raise BadResponse("Qualys sent an empty XML document")
        self.simple_return = parse_simple_return(root)


def parse_document(data: bytes) -> Element:
    """Parse a small document whole, with the same safety rules as `RecordStream`."""
    stream = RecordStream(())
    stream.feed(data)
    stream.close()
    root = stream.root
    assert root is not None  # close() raised otherwise
    return root


async def _stream_records(
    stream: RecordStream, chunks: AsyncIterable[bytes], *, allow_empty: bool = False
) -> AsyncGenerator[Element, None]:
    async for chunk in chunks:
        stream.feed(chunk)
        for record in stream.drain():
            yield record
    if allow_empty and not stream.bytes_fed:
        return
    stream.close()
    for record in stream.drain():
        yield record


async def iter_records(
    chunks: AsyncIterable[bytes],
    tags: Collection[str],
    *,
    http_status: int | None = None,
    path: str | None = None,
) -> AsyncGenerator[Element, None]:
    """Yield the `tags` records of a streamed body; raise the typed error of a SIMPLE_RETURN."""
    stream = RecordStream(tags)
    async for record in _stream_records(stream, chunks):
        yield record
    raise_for_simple_return(stream.simple_return, http_status=http_status, path=path)


# --- SIMPLE_RETURN failures --------------------------------------------------------------------

_BAD_REQUEST_CODES = frozenset({"1901", "1903", "1904", "1905", "1907", "1908", "1922"})
_RATE_LIMIT_CODES = frozenset({"1920", "1959", "1960", "1965", "1966"})
_AUTH_CODES = frozenset({"2000", "2001", "2002"})
_REGISTRATION_CODE = "2003"
_NOT_LICENSED_PHRASES = ("not enabled", "not licensed", "not subscribed", "does not have access")
_WAIT_SECONDS = re.compile(r"for another (\d+) seconds?", re.IGNORECASE)


def parse_simple_return(root: Element) -> SimpleReturn | None:
    """Read a SIMPLE_RETURN document; None when `root` is something else."""
    if root.tag != "SIMPLE_RETURN":
        return None
    response = root.find("RESPONSE")
    if response is None:
        return SimpleReturn(code=None, text="", datetime=None)
    return SimpleReturn(
        code=_child_text(response, "CODE") or None,
        text=_child_text(response, "TEXT"),
        datetime=_child_text(response, "DATETIME") or None,
    )


def wait_from_text(text: str) -> float | None:
    """The N of Qualys' "cannot be run again for another N seconds", if the text says it."""
    match = _WAIT_SECONDS.search(text)
    return float(match.group(1)) if match else None


def error_for_simple_return(
    sr: SimpleReturn, *, http_status: int | None, path: str | None
) -> QualysError:
    """The typed error for a failed SIMPLE_RETURN: by Qualys code first, then by HTTP status."""
    code = sr.code
    message = sr.text or (
        f"Qualys returned error code {code}" if code else "Qualys returned an error"
    )
    context: dict[str, Any] = {"http_status": http_status, "code": code, "path": path}
    if code in _BAD_REQUEST_CODES:
        return BadRequest(message, **context)
    if code in _RATE_LIMIT_CODES:
        return RateLimited(message, retry_after=wait_from_text(sr.text), **context)
    if code == _REGISTRATION_CODE:
        return AuthError(
            sr.text or "Registration must be completed before API requests will be processed",
            hint="Log in to the Qualys UI once with this user to complete its registration.",
            **context,
        )
    if code in _AUTH_CODES or http_status in (401, 403):
        return AuthError(message, **context)
    if http_status == 400:
        return BadRequest(message, **context)
    if http_status == 429:
        return RateLimited(message, retry_after=wait_from_text(sr.text), **context)
    if http_status == 409:
        # A conflict with a code that is not a limit (those are above): waiting will not help.
        return BadRequest(message, **context)
    if http_status == 404:
        lowered = sr.text.lower()
        if any(phrase in lowered for phrase in _NOT_LICENSED_PHRASES):
            return NotLicensed(message, **context)
        return BadRequest(message, **context)
    if http_status is not None and 500 <= http_status <= 599:
        return Unavailable(message, **context)
    return BadResponse(message, **context)


def raise_for_simple_return(
    sr: SimpleReturn | None, *, http_status: int | None, path: str | None
) -> None:
    """Raise when `sr` is a failure (has a CODE); success messages pass through."""
    if sr is not None and sr.code is not None:
        raise error_for_simple_return(sr, http_status=http_status, path=path)


# --- Truncation paging (code 1980) -------------------------------------------------------------


def next_page_params(warning: Truncation, last_params: Mapping[str, str]) -> dict[str, str] | None:
    """The parameters of the next page of a truncated FO list, or None.

    None when `warning` is not a truncation (code other than 1980) and also when a 1980 warning
    has no usable URL: the caller then decides (`iter_truncated` falls back to max ID + 1).
    Only the URL's query is used, never its host. Its parameters override `last_params`, which
    fill in anything the URL leaves out, so a filter is never silently dropped.
    """
    if warning.code != TRUNCATION_CODE or not warning.url:
        return None
    query = urlsplit(warning.url).query
    if not query:
        return None
    return {**last_params, **dict(parse_qsl(query, keep_blank_values=True))}


def _int_field(record: Element, field: str) -> int | None:
    text = _child_text(record, field)
    return int(text) if text.isdecimal() else None


async def _aclose(chunks: AsyncIterator[bytes]) -> None:
    # Release the HTTP stream now, even when the consumer stopped early.
    aclose = getattr(chunks, "aclose", None)
    if aclose is not None:
        await aclose()


async def iter_truncated(
    fetch: Callable[[Mapping[str, str]], AsyncIterator[bytes]],
    params: Mapping[str, str],
    tags: Collection[str],
    *,
    max_pages: int | None = None,
    id_field: str = "ID",
) -> AsyncGenerator[Element, None]:
    """Yield the records of a truncated FO list across all its pages, streaming each page.

    `fetch(params)` streams the body of one request. After a page that ends with a 1980
    warning, the next parameters come from the warning URL, or when it has none from
    `id_min` = highest integer `id_field` of the page's records + 1. Paging stops without
    error when a page has no truncation warning, holds no records, has an empty body (how the
    client's `fetch` reports a "not found means empty" 404), or after `max_pages` pages (the
    rest is then simply not fetched). A next page identical to the previous request, or a
    truncated page with neither URL nor IDs, raises `BadResponse`.
    """
    current = dict(params)
    pages = 0
    while True:
        stream = RecordStream(tags)
        count = 0
        max_id: int | None = None
        chunks = fetch(current)
        try:
            async for record in _stream_records(stream, chunks, allow_empty=True):
                count += 1
                record_id = _int_field(record, id_field)
                if record_id is not None and (max_id is None or record_id > max_id):
                    max_id = record_id
                yield record
        finally:
            await _aclose(chunks)
        if not stream.bytes_fed:
            return
        raise_for_simple_return(stream.simple_return, http_status=None, path=None)
        pages += 1
        warning = stream.warning
        if warning is None or warning.code != TRUNCATION_CODE or count == 0:
            return
        if max_pages is not None and pages >= max_pages:
            return
        following = next_page_params(warning, current)
        if following is None:
            if max_id is None:
                raise BadResponse(
                    f"Qualys truncated the list but gave no next-page URL and no {id_field} values"
                )
            following = {**current, "id_min": str(max_id + 1)}
        if following == current:
            raise BadResponse("Qualys truncation paging made no progress (same request again)")
        current = following
