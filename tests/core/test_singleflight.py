"""Single-flight: one fetch per key for concurrent callers, failures shared and not kept."""

import asyncio

import pytest

from qualys_core.singleflight import SingleFlight


async def test_fifty_concurrent_callers_share_one_fetch():
    flight = SingleFlight()
    calls = 0
    release = asyncio.Event()

    async def fetch():
        nonlocal calls
        calls += 1
        await release.wait()
        return "value"

    tasks = [asyncio.create_task(flight.do("k", fetch)) for _ in range(50)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*tasks)
    assert results == ["value"] * 50
    assert calls == 1
    assert flight.joins == 49
    assert flight.in_flight == 0


async def test_different_keys_fetch_separately():
    flight = SingleFlight()
    seen = []

    async def fetch(key):
        seen.append(key)
        await asyncio.sleep(0)
        return key

    results = await asyncio.gather(*(flight.do(k, lambda k=k: fetch(k)) for k in "abc"))
    assert results == ["a", "b", "c"]
    assert sorted(seen) == ["a", "b", "c"]


async def test_exception_reaches_every_waiter_and_is_not_kept():
    flight = SingleFlight()
    calls = 0
    release = asyncio.Event()

    async def failing():
        nonlocal calls
        calls += 1
        await release.wait()
        raise RuntimeError("boom")

    tasks = [asyncio.create_task(flight.do("k", failing)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) and str(r) == "boom" for r in results)
    assert calls == 1

    async def ok():
        return 42

    assert await flight.do("k", ok) == 42


async def test_one_waiter_cancelled_does_not_cancel_the_fetch_for_others():
    flight = SingleFlight()
    release = asyncio.Event()

    async def fetch():
        await release.wait()
        return "done"

    first = asyncio.create_task(flight.do("k", fetch))
    second = asyncio.create_task(flight.do("k", fetch))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    release.set()
    assert await second == "done"
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_fetch_is_cancelled_when_every_waiter_is_cancelled():
    flight = SingleFlight()
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def fetch():
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    waiter = asyncio.create_task(flight.do("k", fetch))
    await started.wait()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await asyncio.wait_for(cancelled.wait(), 1)
    await asyncio.sleep(0)
    assert flight.in_flight == 0
