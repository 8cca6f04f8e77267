"""The limit governor: per-API concurrency and rate waits fed by Qualys' limit headers.

Qualys limits each API separately (X-Concurrency-Limit-Limit, X-RateLimit-*), so one slow API
must not hold back the others: the governor keeps one gate per API, sized from the advertised
concurrency limit once a response has shown it, and from a configured default before that or
for APIs that send no headers at all (Patch Management and some gateway APIs). When Qualys says
to wait (X-RateLimit-ToWait-Sec, or a 409/429), every caller of that API waits, bounded by the
longest wait the settings accept; beyond that the call fails fast with RateLimited.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from qualys_core.errors import RateLimited

__all__ = ["Governor", "LimitHeaders", "limit_key"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

_VERSION = re.compile(r"^(v\d+(\.\d+)*|\d+\.\d+)$")
_ID = re.compile(r"^(\d+|[0-9a-fA-F]{8}-[0-9a-fA-F-]{27,})$")


def limit_key(host: str, path: str) -> str:
    """The API a request counts against: host kind plus path without version or object ids."""
    parts = []
    for segment in path.split("/"):
        if not segment:
            continue
        if _VERSION.match(segment):
            continue
        parts.append("{id}" if _ID.match(segment) else segment)
    return f"{host}:/{'/'.join(parts)}"


def _number(headers: Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return float(value.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class LimitHeaders:
    """The limit headers of one response; every field is None when the header was absent."""

    rate_limit: float | None = None
    rate_remaining: float | None = None
    rate_window: float | None = None
    to_wait: float | None = None
    concurrency_limit: float | None = None
    concurrency_running: float | None = None

    @classmethod
    def parse(cls, headers: Mapping[str, str]) -> LimitHeaders:
        return cls(
            rate_limit=_number(headers, "X-RateLimit-Limit"),
            rate_remaining=_number(headers, "X-RateLimit-Remaining"),
            rate_window=_number(headers, "X-RateLimit-Window-Sec"),
            to_wait=_number(headers, "X-RateLimit-ToWait-Sec"),
            concurrency_limit=_number(headers, "X-Concurrency-Limit-Limit"),
            concurrency_running=_number(headers, "X-Concurrency-Limit-Running"),
        )

    @property
    def present(self) -> bool:
        return any(value is not None for value in vars(self).values())


class _Gate:
    """A resizable semaphore plus a "closed until" time for one API."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.advertised: int | None = None
        self.in_flight = 0
        self.peak = 0
        self.closed_until = 0.0
        self.last: LimitHeaders | None = None
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        while self.in_flight >= self.capacity:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                # This waiter may have been handed a free slot as it was cancelled: pass it on.
                self._wake()
                raise
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)

    def release(self) -> None:
        self.in_flight -= 1
        self._wake()

    def resize(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self._wake()

    def _wake(self) -> None:
        free = self.capacity - self.in_flight
        while free > 0 and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                free -= 1


class Governor:
    """Per-API gates for one platform (API server or gateway)."""

    def __init__(
        self,
        *,
        default_concurrency: int,
        max_wait: float,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.default_concurrency = max(1, default_concurrency)
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._gates: dict[str, _Gate] = {}

    def _gate(self, key: str) -> _Gate:
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = _Gate(self.default_concurrency)
        return gate

    @asynccontextmanager
    async def slot(self, key: str) -> AsyncIterator[None]:
        """Hold one of the API's concurrency slots, after any wait Qualys asked for."""
        gate = self._gate(key)
        await self._wait_until_open(key, gate)
        await gate.acquire()
        try:
            yield
        finally:
            gate.release()

    async def _wait_until_open(self, key: str, gate: _Gate) -> None:
        wait = gate.closed_until - self._clock()
        if wait <= 0:
            return
        if wait > self.max_wait:
            raise RateLimited(
                f"Qualys asked to wait {wait:.0f}s before calling {key} again, longer than the "
                f"{self.max_wait:.0f}s this server waits",
                retry_after=wait,
            )
        await self._sleep(wait)

    def observe(self, key: str, headers: Mapping[str, str]) -> LimitHeaders:
        """Learn the API's limits from a response's headers."""
        limits = LimitHeaders.parse(headers)
        if not limits.present:
            return limits
        gate = self._gate(key)
        gate.last = limits
        if limits.concurrency_limit is not None and limits.concurrency_limit >= 1:
            gate.advertised = int(limits.concurrency_limit)
            gate.resize(gate.advertised)
        if limits.rate_remaining is not None and limits.rate_remaining <= 0 and limits.to_wait:
            self.close_for(key, limits.to_wait)
        return limits

    def close_for(self, key: str, seconds: float) -> None:
        """Make every caller of this API wait `seconds` (Qualys said so, or a 409/429 did)."""
        gate = self._gate(key)
        gate.closed_until = max(gate.closed_until, self._clock() + max(0.0, seconds))

    def snapshot(self) -> dict[str, dict[str, float | int | None]]:
        """Per-API limit state, for diagnostics and tests."""
        now = self._clock()
        return {
            key: {
                "capacity": gate.capacity,
                "advertised_concurrency": gate.advertised,
                "in_flight": gate.in_flight,
                "peak_in_flight": gate.peak,
                "closed_for_seconds": max(0.0, gate.closed_until - now),
                "rate_remaining": (
                    int(gate.last.rate_remaining)
                    if gate.last and gate.last.rate_remaining is not None
                    else None
                ),
            }
            for key, gate in sorted(self._gates.items())
        }
