"""Cache tiers: TTL with an injected clock, single-flight, failures not cached, stats, registry."""

import asyncio

import pytest

from qualys_core.cache import DEFAULT_TIERS, CacheRegistry, TierSpec
from qualys_core.errors import ConfigError, Unavailable


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_default_tiers_follow_the_reference_design():
    ttl = {spec.name: spec.ttl for spec in DEFAULT_TIERS}
    assert ttl == {
        "bearer_token": 12600,
        "kb": 3600,
        "detections": 300,
        "qds": 300,
        "was": 600,
        "scanners": 300,
        "etm": 3600,
    }


async def test_ttl_expiry_with_injected_clock():
    clock = FakeClock()
    registry = CacheRegistry(clock=clock)
    tier = registry.tier("detections")
    calls = 0

    async def fetch():
        nonlocal calls
        calls += 1
        return f"v{calls}"

    assert await tier.get_or_fetch("q", fetch) == "v1"
    clock.now += 299
    assert await tier.get_or_fetch("q", fetch) == "v1"
    clock.now += 2
    assert await tier.get_or_fetch("q", fetch) == "v2"
    stats = tier.stats()
    assert (stats.hits, stats.misses, stats.expirations) == (1, 2, 1)


async def test_failures_are_not_cached():
    registry = CacheRegistry(clock=FakeClock())
    tier = registry.tier("kb")
    attempts = 0

    async def flaky():
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise Unavailable("down")
        return {"qid": 1}

    with pytest.raises(Unavailable):
        await tier.get_or_fetch(1, flaky)
    assert tier.stats().size == 0
    assert await tier.get_or_fetch(1, flaky) == {"qid": 1}
    assert attempts == 2
    assert tier.stats().size == 1


async def test_concurrent_misses_share_one_fetch_and_count_joins():
    registry = CacheRegistry(clock=FakeClock())
    tier = registry.tier("qds")
    calls = 0
    gate = asyncio.Event()

    async def fetch():
        nonlocal calls
        calls += 1
        await gate.wait()
        return 87

    tasks = [asyncio.create_task(tier.get_or_fetch("qid-1", fetch)) for _ in range(50)]
    await asyncio.sleep(0)
    gate.set()
    assert set(await asyncio.gather(*tasks)) == {87}
    assert calls == 1
    stats = tier.stats()
    assert stats.dedup_joins == 49
    assert stats.misses == 50
    assert await tier.get_or_fetch("qid-1", fetch) == 87
    assert tier.stats().hits == 1


async def test_maxsize_evictions_are_counted():
    registry = CacheRegistry(clock=FakeClock(), tiers=(TierSpec("small", 60, maxsize=2),))
    tier = registry.tier("small")
    for key in range(5):
        tier.set(key, key)
    stats = tier.stats()
    assert stats.size == 2
    assert stats.evictions == 3


def test_ttl_overrides_apply_to_core_and_plugin_tiers():
    registry = CacheRegistry(ttl_overrides={"KB": 7200, "vmdr_hosts": 30}, clock=FakeClock())
    assert registry.tier("kb").spec.ttl == 7200
    registry.for_plugin("vmdr").declare("vmdr_hosts", 600)
    assert registry.tier("vmdr_hosts").spec.ttl == 30
    assert registry.tier("vmdr_hosts").spec.owner == "vmdr"


async def test_zero_ttl_disables_caching_but_keeps_dedup():
    registry = CacheRegistry(ttl_overrides={"kb": 0}, clock=FakeClock())
    tier = registry.tier("kb")
    calls = 0

    async def fetch():
        nonlocal calls
        calls += 1
        return calls

    assert await tier.get_or_fetch(1, fetch) == 1
    assert await tier.get_or_fetch(1, fetch) == 2
    assert tier.stats().size == 0


async def test_plugin_keys_are_namespaced():
    registry = CacheRegistry(clock=FakeClock())
    vmdr = registry.for_plugin("vmdr")
    other = registry.for_plugin("other")

    async def value(v):
        return v

    assert await vmdr.get_or_fetch("kb", 1, lambda: value("vmdr")) == "vmdr"
    assert await other.get_or_fetch("kb", 1, lambda: value("other")) == "other"
    assert registry.tier("kb").get(("vmdr", 1)) == "vmdr"
    assert registry.tier("kb").get(("other", 1)) == "other"
    vmdr.invalidate("kb", 1)
    assert registry.tier("kb").get(("vmdr", 1)) is None
    assert registry.tier("kb").get(("other", 1)) == "other"


def test_conflicting_tier_declarations_are_rejected():
    registry = CacheRegistry(clock=FakeClock())
    registry.for_plugin("a").declare("hosts", 60)
    registry.for_plugin("a").declare("hosts", 60)
    with pytest.raises(ConfigError, match=r"hosts.*declared by 'a'"):
        registry.for_plugin("b").declare("hosts", 120)


def test_unknown_tier_error_lists_known_tiers():
    registry = CacheRegistry(clock=FakeClock())
    with pytest.raises(ConfigError, match="unknown cache tier 'nope'; known tiers: bearer_token"):
        registry.tier("nope")


def test_clear_one_tier_or_all():
    registry = CacheRegistry(clock=FakeClock())
    registry.tier("kb").set(1, "a")
    registry.tier("qds").set(1, 5)
    assert registry.clear("kb") == ["kb"]
    assert registry.tier("kb").stats().size == 0
    assert registry.tier("qds").stats().size == 1
    assert set(registry.clear()) == {spec.name for spec in DEFAULT_TIERS}
    assert all(s.size == 0 for s in registry.stats())
