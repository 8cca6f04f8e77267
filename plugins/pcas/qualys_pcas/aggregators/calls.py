"""The library calls one check_compliance answer makes, each cached in the `pcas_library`
tier (the library changes rarely: an hour), and a fan-out that keeps the parts that answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from qualys_core.cache import TierSpec
from qualys_core.errors import QualysError
from qualys_core.plugins import AggregatorContext
from qualys_pcas.api.library import (
    Label,
    LibraryPolicy,
    PolicyDetail,
    Technology,
    get_policy,
    list_labels,
    list_policies,
    list_technologies,
)

__all__ = ["LIBRARY_TIER", "FanOut", "LibraryCalls", "fan_out"]

LIBRARY_TIER = TierSpec(
    "pcas_library", 3600, 512, "PCAS policy library: labels, technologies, policy lists"
)

K = TypeVar("K")
T = TypeVar("T")


class LibraryCalls:
    """The cached library calls of one aggregator run; `fetched` says whether any reached
    Qualys (the result's `cached` is its negation)."""

    def __init__(self, ctx: AggregatorContext) -> None:
        self.ctx = ctx
        self.fetched = False

    async def _cached(self, key: tuple[object, ...], fetch: Callable[[], Awaitable[T]]) -> T:
        async def run() -> T:
            self.fetched = True
            return await fetch()

        result: T = await self.ctx.cache.get_or_fetch(LIBRARY_TIER.name, key, run)
        return result

    async def labels(self) -> list[Label]:
        return await self._cached(("labels",), lambda: list_labels(self.ctx.client))

    async def technologies(self, label_id: int | None = None) -> list[Technology]:
        return await self._cached(
            ("technologies", label_id), lambda: list_technologies(self.ctx.client, label_id)
        )

    async def policies(
        self, label_id: int | None = None, technology_id: int | None = None
    ) -> list[LibraryPolicy]:
        techs = () if technology_id is None else (technology_id,)
        return await self._cached(
            ("policies", label_id, technology_id),
            lambda: list_policies(self.ctx.client, label_id=label_id, technology_ids=techs),
        )

    async def detail(self, policy_id: int) -> PolicyDetail | None:
        return await self._cached(
            ("policy", policy_id, "full"),
            lambda: get_policy(self.ctx.client, policy_id=policy_id, details="full"),
        )


@dataclass
class FanOut(Generic[K, T]):
    """The parts that answered, and the error of each part that did not."""

    results: dict[K, T] = field(default_factory=dict)
    errors: dict[K, QualysError] = field(default_factory=dict)


async def fan_out(keys: Iterable[K], run: Callable[[K], Awaitable[T]]) -> FanOut[K, T]:
    """Run one call per key in parallel; Qualys errors are kept per key, not raised."""
    keys = list(keys)
    answers = await asyncio.gather(*(run(key) for key in keys), return_exceptions=True)
    out: FanOut[K, T] = FanOut()
    for key, answer in zip(keys, answers, strict=True):
        if isinstance(answer, QualysError):
            out.errors[key] = answer
        elif isinstance(answer, BaseException):
            raise answer
        else:
            out.results[key] = answer
    return out
