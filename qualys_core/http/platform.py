"""One Qualys host (API server or gateway): auth, limits, retries, streamed and typed responses.

`PlatformClient` talks to one host (the API server with Basic auth, or the gateway with a JWT).
Every call goes through the same path: the per-API limit governor, an optional caller-supplied
semaphore (the KnowledgeBase one), the request, then a decision on the status: success is
handed back (streamed, so large XML is parsed while it arrives), limits are waited out as
Qualys instructs, 5xx and connection errors are retried with jittered exponential backoff, and
everything else becomes one of the typed errors in `qualys_core.errors`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, Literal
from xml.etree.ElementTree import Element

import httpx

from qualys_core.errors import BadResponse, Timeout, Unavailable
from qualys_core.http.auth import TokenManager
from qualys_core.http.envelopes import check_json_envelope
from qualys_core.http.failures import Failure, RetryPolicy, judge
from qualys_core.http.limits import Governor, limit_key
from qualys_core.http.paging import JsonPage, Page, PageRequest, PagingStyle, paginate
from qualys_core.http.xml import (
    iter_truncated,
    parse_document,
    parse_simple_return,
    raise_for_simple_return,
)
from qualys_core.settings import Settings

__all__ = ["CallClass", "NotFound", "PlatformClient"]

log = logging.getLogger("qualys_core.http")

CallClass = Literal["default", "short", "long", "auth"]
NotFound = Literal["unlicensed", "empty"]
Sleep = Callable[[float], Awaitable[None]]

_MAX_ERROR_BODY = 256 * 1024


class PlatformClient:
    """One Qualys host: the API server (Basic auth) or the gateway (JWT)."""

    def __init__(
        self,
        *,
        kind: Literal["api", "gateway"],
        http: httpx.AsyncClient,
        settings: Settings,
        governor: Governor,
        retry: RetryPolicy,
        tokens: TokenManager | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.kind = kind
        self.http = http
        self.governor = governor
        self.retry = retry
        self._settings = settings
        self._tokens = tokens
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self.calls = 0

    @property
    def base_url(self) -> str:
        return str(self.http.base_url).rstrip("/")

    def _timeout(self, call_class: CallClass) -> httpx.Timeout:
        seconds = {
            "default": self._settings.timeout_default,
            "short": self._settings.timeout_short,
            "long": self._settings.timeout_long,
            "auth": self._settings.timeout_auth,
        }[call_class]
        return httpx.Timeout(seconds, connect=self._settings.timeout_connect)

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        data: Mapping[str, str] | None = None,
        json_body: Any = None,
        content: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        call_class: CallClass = "default",
        not_found: NotFound = "unlicensed",
        module: str | None = None,
        semaphore: asyncio.Semaphore | None = None,
    ) -> AsyncIterator[httpx.Response | None]:
        """A successful response with its body not yet read, or None for an empty 404.

        The API's concurrency slot (and `semaphore`) stay held until the body is consumed,
        because Qualys counts the call as running until then.
        """
        async with AsyncExitStack() as stack:
            response = await self._open(
                stack,
                method,
                path,
                params=params,
                data=data,
                json_body=json_body,
                content=content,
                headers=headers,
                call_class=call_class,
                not_found=not_found,
                module=module,
                semaphore=semaphore,
            )
            try:
                yield response
            except httpx.TimeoutException as exc:
                raise Timeout("Qualys stopped sending the response", path=path, hint=None) from exc
            except httpx.TransportError as exc:
                raise Unavailable(
                    f"the connection broke while reading the response: {type(exc).__name__}",
                    path=path,
                ) from exc

    async def _open(
        self,
        stack: AsyncExitStack,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None,
        data: Mapping[str, str] | None,
        json_body: Any,
        content: bytes | str | None,
        headers: Mapping[str, str] | None,
        call_class: CallClass,
        not_found: NotFound,
        module: str | None,
        semaphore: asyncio.Semaphore | None,
    ) -> httpx.Response | None:
        key = limit_key(self.kind, path)
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            attempt_stack = AsyncExitStack()
            await attempt_stack.__aenter__()
            try:
                await attempt_stack.enter_async_context(self.governor.slot(key))
                if semaphore is not None:
                    await attempt_stack.enter_async_context(semaphore)
                request_headers = {"X-Requested-With": self._settings.requested_with}
                token = None
                if self._tokens is not None:
                    token = await self._tokens.token()
                    request_headers["Authorization"] = f"Bearer {token}"
                request_headers.update(headers or {})
                request = self.http.build_request(
                    method,
                    path,
                    params=dict(params) if params else None,
                    data=dict(data) if data else None,
                    json=json_body,
                    content=content,
                    headers=request_headers,
                    timeout=self._timeout(call_class),
                )
                started = time.perf_counter()
                self.calls += 1
                try:
                    response = await self.http.send(request, stream=True)
                except httpx.TimeoutException as exc:
                    if isinstance(exc, httpx.ConnectTimeout) and attempt < self.retry.attempts:
                        await attempt_stack.aclose()
                        await self._sleep(self.retry.backoff(attempt, self._rng))
                        continue
                    raise Timeout(
                        f"Qualys did not answer within {self._timeout(call_class).read:g}s",
                        path=path,
                    ) from exc
                except httpx.TransportError as exc:
                    if _tls_verification_failed(exc):
                        raise Unavailable(
                            f"the TLS certificate of {request.url.host} could not be verified",
                            path=path,
                            hint=(
                                "If a TLS-inspecting proxy sits between this server and Qualys, "
                                "set QUALYS_CA_BUNDLE to its CA certificate (PEM file)."
                            ),
                        ) from exc
                    if attempt < self.retry.attempts:
                        await attempt_stack.aclose()
                        await self._sleep(self.retry.backoff(attempt, self._rng))
                        continue
                    raise Unavailable(
                        f"could not reach Qualys ({type(exc).__name__}) after {attempt} attempts",
                        path=path,
                    ) from exc
                attempt_stack.push_async_callback(response.aclose)
                limits = self.governor.observe(key, response.headers)
                log.debug(
                    "%s %s -> %s in %.3fs",
                    method,
                    path,
                    response.status_code,
                    time.perf_counter() - started,
                )
                if response.is_success:
                    stack.push_async_callback(attempt_stack.aclose)
                    return response
                failure = Failure(
                    response.status_code, response.headers, await _read_bounded(response)
                )
            except BaseException:
                await attempt_stack.aclose()
                raise
            await attempt_stack.aclose()

            if failure.status == 401 and token is not None and not refreshed:
                assert self._tokens is not None
                self._tokens.invalidate(token)
                refreshed = True
                attempt -= 1  # a token refresh is not a failed attempt
                continue
            if failure.status == 404 and not_found == "empty":
                return None
            verdict = judge(
                failure,
                limits,
                attempt=attempt,
                policy=self.retry,
                rng=self._rng,
                path=path,
                module=module,
            )
            if verdict.limit:
                self.governor.close_for(key, verdict.delay)
            else:
                await self._sleep(verdict.delay)

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        """Like `stream`, with the body read; None for an empty 404."""
        async with self.stream(method, path, **kwargs) as response:
            if response is not None:
                await response.aread()
            return response

    async def json(self, method: str, path: str, **kwargs: Any) -> Any | None:
        """The decoded JSON body, with Qualys failure envelopes raised; None for an empty 404."""
        response = await self.request(method, path, **kwargs)
        if response is None:
            return None
        return _decode_json(response, path)

    async def xml(self, method: str, path: str, **kwargs: Any) -> Element | None:
        """A small XML document, parsed safely, with SIMPLE_RETURN failures raised."""
        response = await self.request(method, path, **kwargs)
        if response is None:
            return None
        root = parse_document(response.content)
        raise_for_simple_return(
            parse_simple_return(root), http_status=response.status_code, path=path
        )
        return root

    async def iter_xml(
        self,
        path: str,
        params: Mapping[str, str],
        tags: Collection[str],
        *,
        method: str = "GET",
        call_class: CallClass = "long",
        module: str | None = None,
        semaphore: asyncio.Semaphore | None = None,
        max_pages: int | None = None,
    ) -> AsyncIterator[Element]:
        """Records (elements named in `tags`) of a truncation-paged FO list, streamed."""

        async def fetch(page_params: Mapping[str, str]) -> AsyncIterator[bytes]:
            as_form = method.upper() == "POST"
            async with self.stream(
                method,
                path,
                params=None if as_form else page_params,
                data=page_params if as_form else None,
                call_class=call_class,
                module=module,
                semaphore=semaphore,
            ) as response:
                if response is None:
                    return
                async for chunk in response.aiter_bytes():
                    yield chunk

        async for record in iter_truncated(fetch, params, tags, max_pages=max_pages):
            yield record

    async def pages(
        self,
        method: str,
        path: str,
        style: PagingStyle,
        request: PageRequest | None = None,
        *,
        limit: int | None = None,
        max_pages: int | None = None,
        call_class: CallClass = "default",
        module: str | None = None,
    ) -> AsyncIterator[Page]:
        """Pages of a JSON list API in the given paging style."""

        async def fetch(page: PageRequest) -> JsonPage:
            response = await self.request(
                method,
                path,
                params=page.params,
                json_body=page.json_body,
                headers=page.headers,
                call_class=call_class,
                module=module,
            )
            if response is None:
                return JsonPage(body=[], headers={})
            return JsonPage(body=_decode_json(response, path), headers=dict(response.headers))

        async for page in paginate(
            fetch, style, request or PageRequest(), limit=limit, max_pages=max_pages
        ):
            yield page

    async def aclose(self) -> None:
        await self.http.aclose()


def _decode_json(response: httpx.Response, path: str) -> Any:
    """A JSON body ({} when empty), with Qualys failure envelopes raised."""
    if not response.content.strip():
        return {}
    try:
        body = response.json()
    except ValueError as exc:
        raise BadResponse(
            "Qualys returned a body that is not JSON", http_status=response.status_code, path=path
        ) from exc
    check_json_envelope(body, http_status=response.status_code, path=path)
    return body


def _tls_verification_failed(exc: BaseException) -> bool:
    """True when the connection failed because the server certificate was not trusted."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def _read_bounded(response: httpx.Response) -> bytes:
    """At most 256 KiB of an error body: enough to classify it, never a whole export."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= _MAX_ERROR_BODY:
                break
    except httpx.HTTPError:
        pass
    return b"".join(chunks)[:_MAX_ERROR_BODY]
