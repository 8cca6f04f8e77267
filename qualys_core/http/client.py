"""The async Qualys client: both platforms of a subscription, its caches and the KB semaphore.

One pooled httpx.AsyncClient per platform: the API server (Basic auth) and the gateway (JWT),
each behind a `PlatformClient` with its own limit governor, since Qualys counts their APIs
separately. Everything a test needs to control (transports, clock, sleep, random source) can
be passed in.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from typing import Any, Literal

import httpx

from qualys_core.__about__ import __version__
from qualys_core.cache import CacheRegistry
from qualys_core.http.auth import TokenManager, basic_auth_header
from qualys_core.http.failures import RetryPolicy
from qualys_core.http.limits import Governor
from qualys_core.http.platform import CallClass, NotFound, PlatformClient, Sleep
from qualys_core.settings import Platform, Settings

__all__ = ["CallClass", "NotFound", "PlatformClient", "QualysClient"]


class QualysClient:
    """Both platforms of one Qualys subscription, the cache registry and the KB semaphore."""

    def __init__(
        self,
        settings: Settings,
        platform: Platform,
        *,
        cache: CacheRegistry | None = None,
        api_transport: httpx.AsyncBaseTransport | None = None,
        gateway_transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.platform = platform
        self.cache = cache or CacheRegistry(ttl_overrides=settings.cache_ttl, clock=clock)
        self.retry = retry or RetryPolicy(
            attempts=settings.max_retries, max_wait=settings.max_wait_seconds
        )
        self.kb_semaphore = asyncio.Semaphore(settings.kb_concurrency)
        username = settings.username or ""
        password = settings.password
        common = {
            "User-Agent": f"qualys-mcp/{__version__}",
            "X-Requested-With": settings.requested_with,
        }
        api_headers = dict(common)
        if password is not None:
            api_headers["Authorization"] = basic_auth_header(username, password)
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=16)
        verify = settings.ssl_context()
        api_http = httpx.AsyncClient(
            base_url=platform.api_url,
            headers=api_headers,
            transport=api_transport,
            verify=verify,
            trust_env=settings.trust_env,
            limits=limits,
        )
        gateway_http = httpx.AsyncClient(
            base_url=platform.gateway_url,
            headers=common,
            transport=gateway_transport,
            verify=verify,
            trust_env=settings.trust_env,
            limits=limits,
        )
        tokens = None
        if password is not None:
            tokens = TokenManager(
                http=gateway_http,
                username=username,
                password=password,
                tier=self.cache.tier("bearer_token"),
                timeout=httpx.Timeout(settings.timeout_auth, connect=settings.timeout_connect),
                requested_with=settings.requested_with,
            )
        self.tokens = tokens

        def host(
            kind: Literal["api", "gateway"], http: httpx.AsyncClient, tokens: TokenManager | None
        ) -> PlatformClient:
            governor = Governor(
                default_concurrency=settings.default_concurrency,
                max_wait=self.retry.max_wait,
                clock=clock,
                sleep=sleep,
            )
            return PlatformClient(
                kind=kind,
                http=http,
                settings=settings,
                governor=governor,
                retry=self.retry,
                tokens=tokens,
                sleep=sleep,
                rng=rng,
            )

        self.api = host("api", api_http, None)
        self.gateway = host("gateway", gateway_http, tokens)

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> QualysClient:
        return cls(settings, settings.resolve(), **kwargs)

    async def aclose(self) -> None:
        await asyncio.gather(self.api.aclose(), self.gateway.aclose())

    async def __aenter__(self) -> QualysClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
