"""Tiered in-memory TTL caches with statistics, and a registry plugins add their tiers to.

Each tier is a cachetools TTLCache with its own time-to-live, fronted by single-flight
de-duplication so that concurrent misses for one key make one Qualys call. Only successful
results are stored: an exception reaches every waiter and leaves the cache untouched, so a
transient Qualys failure is retried on the next call instead of being served for the TTL.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from cachetools import TTLCache
from pydantic import BaseModel

from qualys_core.errors import ConfigError
from qualys_core.singleflight import SingleFlight

__all__ = [
    "DEFAULT_TIERS",
    "CacheRegistry",
    "CacheTier",
    "PluginCache",
    "TierSpec",
    "TierStats",
]

T = TypeVar("T")
Clock = Callable[[], float]


@dataclass(frozen=True)
class TierSpec:
    """What a tier caches and for how long; `owner` is the plugin (or "core") declaring it."""

    name: str
    ttl: float
    maxsize: int = 4096
    description: str = ""
    owner: str = "core"


class TierStats(BaseModel):
    """Counters of one tier, as `cache_status` reports them."""

    name: str
    owner: str
    ttl_seconds: float
    size: int
    maxsize: int
    hits: int
    misses: int
    dedup_joins: int
    evictions: int
    expirations: int


# The reference design's table. Product tiers are declared here so that their TTLs are the
# documented defaults whichever plugin ends up using them; plugins add further tiers.
DEFAULT_TIERS: tuple[TierSpec, ...] = (
    TierSpec("bearer_token", 3.5 * 3600, 64, "Gateway JWT, one per platform"),
    TierSpec("kb", 3600, 100_000, "KnowledgeBase entry per QID"),
    TierSpec("detections", 300, 512, "VMDR detections per query"),
    TierSpec("qds", 300, 100_000, "QDS score per QID"),
    TierSpec("was", 600, 512, "WAS findings per query"),
    TierSpec("scanners", 300, 16, "Scanner appliance list"),
    TierSpec("etm", 3600, 16, "ETM results (unfiltered)"),
)


class _CountingTTLCache(TTLCache[Hashable, Any]):
    """A TTLCache that counts what it drops for size (evictions) and for age (expirations)."""

    def __init__(self, maxsize: int, ttl: float, timer: Clock) -> None:
        super().__init__(maxsize=maxsize, ttl=ttl, timer=timer)
        self.evictions = 0
        self.expirations = 0

    def popitem(self) -> tuple[Hashable, Any]:
        item = super().popitem()
        self.evictions += 1
        return item

    def expire(self, time: float | None = None) -> list[tuple[Hashable, Any]]:
        expired = super().expire(time)
        self.expirations += len(expired)
        return expired


class CacheTier:
    """One TTL tier: get-or-fetch with single-flight, stats, clear."""

    def __init__(self, spec: TierSpec, clock: Clock) -> None:
        self.spec = spec
        self._clock = clock
        self._flights = SingleFlight()
        self.hits = 0
        self.misses = 0
        self._data = self._new_store()

    def _new_store(self) -> _CountingTTLCache | None:
        if self.spec.ttl <= 0:
            return None
        return _CountingTTLCache(self.spec.maxsize, self.spec.ttl, self._clock)

    @property
    def name(self) -> str:
        return self.spec.name

    async def get_or_fetch(self, key: Hashable, fetch: Callable[[], Awaitable[T]]) -> T:
        """The cached value for `key`, or the result of one shared `fetch()` (then cached)."""
        if self._data is not None:
            try:
                value: T = self._data[key]
            except KeyError:
                pass
            else:
                self.hits += 1
                return value
        self.misses += 1

        async def fetch_and_store() -> T:
            result = await fetch()
            if self._data is not None:
                self._data[key] = result
            return result

        return await self._flights.do(key, fetch_and_store)

    def get(self, key: Hashable) -> Any | None:
        """The cached value or None, without counting a hit or miss."""
        if self._data is None:
            return None
        return self._data.get(key)

    def set(self, key: Hashable, value: Any) -> None:
        if self._data is not None:
            self._data[key] = value

    def invalidate(self, key: Hashable) -> None:
        if self._data is not None:
            self._data.pop(key, None)

    def clear(self) -> None:
        if self._data is not None:
            self._data.clear()

    def stats(self) -> TierStats:
        data = self._data
        if data is not None:
            data.expire()
        return TierStats(
            name=self.spec.name,
            owner=self.spec.owner,
            ttl_seconds=self.spec.ttl,
            size=len(data) if data is not None else 0,
            maxsize=self.spec.maxsize,
            hits=self.hits,
            misses=self.misses,
            dedup_joins=self._flights.joins,
            evictions=data.evictions if data is not None else 0,
            expirations=data.expirations if data is not None else 0,
        )


class CacheRegistry:
    """All tiers of one server; TTL overrides from settings apply to core and plugin tiers."""

    def __init__(
        self,
        *,
        ttl_overrides: Mapping[str, float] | None = None,
        clock: Clock = time.monotonic,
        tiers: tuple[TierSpec, ...] = DEFAULT_TIERS,
    ) -> None:
        self._overrides = {k.lower(): float(v) for k, v in (ttl_overrides or {}).items()}
        self._clock = clock
        self._tiers: dict[str, CacheTier] = {}
        for spec in tiers:
            self.register(spec)

    def register(self, spec: TierSpec) -> CacheTier:
        """Add a tier; re-declaring an existing name is allowed only with the same TTL."""
        existing = self._tiers.get(spec.name)
        if existing is not None:
            if existing.spec.ttl != spec.ttl and spec.owner != existing.spec.owner:
                raise ConfigError(
                    f"cache tier {spec.name!r} is declared by {existing.spec.owner!r} with TTL "
                    f"{existing.spec.ttl:g}s and again by {spec.owner!r} with {spec.ttl:g}s; "
                    "use the existing tier or choose another name"
                )
            return existing
        override = self._overrides.get(spec.name.lower())
        if override is not None:
            spec = TierSpec(spec.name, override, spec.maxsize, spec.description, spec.owner)
        tier = CacheTier(spec, self._clock)
        self._tiers[spec.name] = tier
        return tier

    def tier(self, name: str) -> CacheTier:
        try:
            return self._tiers[name]
        except KeyError:
            raise ConfigError(
                f"unknown cache tier {name!r}; known tiers: {', '.join(sorted(self._tiers))}"
            ) from None

    @property
    def names(self) -> list[str]:
        return sorted(self._tiers)

    def stats(self) -> list[TierStats]:
        return [self._tiers[name].stats() for name in self.names]

    def clear(self, name: str | None = None) -> list[str]:
        """Empty one tier, or all of them; returns the names cleared."""
        tiers = [self.tier(name)] if name is not None else list(self._tiers.values())
        for tier in tiers:
            tier.clear()
        return [tier.name for tier in tiers]

    def for_plugin(self, plugin: str) -> PluginCache:
        return PluginCache(self, plugin)


class PluginCache:
    """A plugin's view of the registry: every key it uses is prefixed with the plugin's name."""

    def __init__(self, registry: CacheRegistry, plugin: str) -> None:
        self._registry = registry
        self.plugin = plugin

    def declare(self, name: str, ttl: float, *, maxsize: int = 4096, description: str = "") -> None:
        self._registry.register(TierSpec(name, ttl, maxsize, description, owner=self.plugin))

    async def get_or_fetch(self, tier: str, key: Hashable, fetch: Callable[[], Awaitable[T]]) -> T:
        return await self._registry.tier(tier).get_or_fetch((self.plugin, key), fetch)

    def invalidate(self, tier: str, key: Hashable) -> None:
        self._registry.tier(tier).invalidate((self.plugin, key))
