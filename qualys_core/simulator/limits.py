"""Qualys' per-API rate and concurrency controls, enforced the way the API guide describes.

Each API (one endpoint on the API server, one family on the gateway) has a rolling rate window
and a concurrency limit. The concurrency check comes first ("the concurrency limit error takes
precedence"), a blocked call does not count against the rate, and every answer carries the
X-RateLimit-* and X-Concurrency-Limit-* headers unless the family sends none (PM).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from qualys_core.simulator.config import LimitSpec

__all__ = ["Admission", "LimitBook"]


@dataclass(frozen=True)
class Admission:
    """The limit decision for one call: admitted or blocked (why, how long to wait), and headers."""

    key: str
    admitted: bool
    blocked_by: str | None
    to_wait: int
    headers: dict[str, str]


class _Counter:
    def __init__(self) -> None:
        self.calls: deque[float] = deque()
        self.running = 0


class LimitBook:
    """Counters for every (user, API) pair of one simulated subscription."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._counters: dict[tuple[str, str], _Counter] = {}

    def admit(self, user: str, key: str, spec: LimitSpec) -> Admission:
        """Count one call against `key`; when admitted, `release` must follow when it ends."""
        counter = self._counters.setdefault((user, key), _Counter())
        now = self._clock()
        self._expire(counter, now, spec)
        if spec.concurrency and counter.running >= spec.concurrency:
            return Admission(key, False, "concurrency", 0, self._headers(counter, now, spec, 0))
        if spec.rate_limit and len(counter.calls) >= spec.rate_limit:
            wait = max(1, math.ceil(counter.calls[0] + spec.window_seconds - now))
            return Admission(key, False, "rate", wait, self._headers(counter, now, spec, wait))
        counter.calls.append(now)
        counter.running += 1
        return Admission(key, True, None, 0, self._headers(counter, now, spec, 0))

    def release(self, user: str, key: str) -> None:
        counter = self._counters.get((user, key))
        if counter is not None and counter.running > 0:
            counter.running -= 1

    def running(self, user: str, key: str) -> int:
        counter = self._counters.get((user, key))
        return counter.running if counter else 0

    @staticmethod
    def _expire(counter: _Counter, now: float, spec: LimitSpec) -> None:
        horizon = now - spec.window_seconds
        while counter.calls and counter.calls[0] <= horizon:
            counter.calls.popleft()

    @staticmethod
    def _headers(counter: _Counter, now: float, spec: LimitSpec, wait: int) -> dict[str, str]:
        if not spec.headers:
            return {}
        headers: dict[str, str] = {}
        if spec.rate_limit:
            headers.update(
                {
                    "X-RateLimit-Limit": str(spec.rate_limit),
                    "X-RateLimit-Window-Sec": str(spec.window_seconds),
                    "X-RateLimit-Remaining": str(max(0, spec.rate_limit - len(counter.calls))),
                    "X-RateLimit-ToWait-Sec": str(wait),
                }
            )
        if spec.concurrency:
            headers.update(
                {
                    "X-Concurrency-Limit-Limit": str(spec.concurrency),
                    # "including the one identified in the current HTTP response header"
                    "X-Concurrency-Limit-Running": str(counter.running),
                }
            )
        return headers
