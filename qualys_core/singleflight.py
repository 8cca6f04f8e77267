"""Single-flight de-duplication: concurrent requests for one key share one in-flight fetch.

The fetch runs in its own task so that one caller being cancelled does not cancel the work the
others are waiting for; only when every waiter has gone is the fetch itself cancelled, which is
how an MCP cancellation reaches the outstanding Qualys request. An exception reaches every
waiter and nothing is remembered once the fetch has finished.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["SingleFlight"]

T = TypeVar("T")


@dataclass
class _Flight:
    task: asyncio.Task[Any]
    waiters: int = 0


@dataclass
class SingleFlight:
    """Coalesces concurrent calls by key; `joins` counts callers that shared another's fetch."""

    joins: int = 0
    _flights: dict[Hashable, _Flight] = field(default_factory=dict)

    @property
    def in_flight(self) -> int:
        return len(self._flights)

    async def do(self, key: Hashable, fetch: Callable[[], Awaitable[T]]) -> T:
        flight = self._flights.get(key)
        if flight is None:
            flight = _Flight(asyncio.ensure_future(fetch()))
            self._flights[key] = flight
            flight.task.add_done_callback(functools.partial(self._forget, key, flight))
        else:
            self.joins += 1
        flight.waiters += 1
        try:
            return await asyncio.shield(flight.task)
        finally:
            flight.waiters -= 1
            if flight.waiters == 0 and not flight.task.done():
                flight.task.cancel()

    def _forget(self, key: Hashable, flight: _Flight, _task: asyncio.Task[Any]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if not flight.task.cancelled():
            # Mark a failure as retrieved: every waiter already received it through shield().
            flight.task.exception()
