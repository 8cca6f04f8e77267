"""The limit governor: per-API gates sized from Qualys' headers, and bounded waits."""

import asyncio

import pytest

from qualys_core.errors import RateLimited
from qualys_core.http.limits import Governor, LimitHeaders, limit_key


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def clock(self):
        return self.now

    async def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/api/2.0/fo/asset/host/vm/detection/", "api:/api/fo/asset/host/vm/detection"),
        ("/api/5.0/fo/asset/host/vm/detection/", "api:/api/fo/asset/host/vm/detection"),
        ("/csapi/v1.3/images/sha256", "api:/csapi/images/sha256"),
        ("/rest/2.0/search/am/asset", "api:/rest/search/am/asset"),
        ("/pcas/v1/library/policy/12345", "api:/pcas/library/policy/{id}"),
    ],
)
def test_limit_key_ignores_versions_and_ids(path, key):
    assert limit_key("api", path) == key


def test_headers_parse_and_absence():
    headers = {
        "X-RateLimit-Limit": "2000",
        "X-RateLimit-Remaining": "1999",
        "X-RateLimit-Window-Sec": "3600",
        "X-RateLimit-ToWait-Sec": "0",
        "X-Concurrency-Limit-Limit": "10",
        "X-Concurrency-Limit-Running": "1",
    }
    parsed = LimitHeaders.parse(headers)
    assert parsed == LimitHeaders(2000, 1999, 3600, 0, 10, 1)
    assert parsed.present
    assert not LimitHeaders.parse({"Content-Type": "application/json"}).present


async def _run_concurrently(governor, key, n, hold):
    active = 0
    peak = 0

    async def one():
        nonlocal active, peak
        async with governor.slot(key):
            active += 1
            peak = max(peak, active)
            await hold.wait()
            active -= 1

    tasks = [asyncio.create_task(one()) for _ in range(n)]
    for _ in range(5):
        await asyncio.sleep(0)
    hold.set()
    await asyncio.gather(*tasks)
    return peak


async def test_default_concurrency_applies_without_headers():
    governor = Governor(default_concurrency=3, max_wait=60)
    assert await _run_concurrently(governor, "gateway:/pm/patches", 10, asyncio.Event()) == 3


async def test_advertised_concurrency_limit_resizes_the_gate():
    governor = Governor(default_concurrency=1, max_wait=60)
    governor.observe("api:/x", {"X-Concurrency-Limit-Limit": "5"})
    assert await _run_concurrently(governor, "api:/x", 12, asyncio.Event()) == 5
    assert governor.snapshot()["api:/x"]["advertised_concurrency"] == 5


async def test_gates_are_per_api_not_global():
    governor = Governor(default_concurrency=1, max_wait=60)
    hold = asyncio.Event()
    entered = []

    async def use(key):
        async with governor.slot(key):
            entered.append(key)
            await hold.wait()

    tasks = [asyncio.create_task(use(k)) for k in ("api:/kb", "api:/detection", "api:/kb")]
    for _ in range(3):
        await asyncio.sleep(0)
    assert sorted(entered) == ["api:/detection", "api:/kb"]
    hold.set()
    await asyncio.gather(*tasks)
    assert len(entered) == 3


async def test_exhausted_rate_limit_makes_callers_wait_as_told():
    t = FakeTime()
    governor = Governor(default_concurrency=2, max_wait=60, clock=t.clock, sleep=t.sleep)
    governor.observe("api:/x", {"X-RateLimit-Remaining": "0", "X-RateLimit-ToWait-Sec": "17"})
    async with governor.slot("api:/x"):
        pass
    assert t.slept == [17]
    async with governor.slot("api:/x"):
        pass
    assert t.slept == [17]


async def test_wait_beyond_the_bound_fails_fast_with_retry_after():
    t = FakeTime()
    governor = Governor(default_concurrency=2, max_wait=60, clock=t.clock, sleep=t.sleep)
    governor.close_for("api:/x", 3600)
    with pytest.raises(RateLimited) as info:
        async with governor.slot("api:/x"):
            pass
    assert info.value.retry_after == pytest.approx(3600)
    assert t.slept == []


async def test_cancelled_waiter_passes_its_slot_on():
    governor = Governor(default_concurrency=1, max_wait=60)
    hold = asyncio.Event()
    order = []

    async def use(name):
        async with governor.slot("k"):
            order.append(name)
            await hold.wait()

    first = asyncio.create_task(use("first"))
    second = asyncio.create_task(use("second"))
    third = asyncio.create_task(use("third"))
    await asyncio.sleep(0)
    second.cancel()
    hold.set()
    await asyncio.gather(first, third, return_exceptions=True)
    assert order == ["first", "third"]
    assert governor.snapshot()["k"]["in_flight"] == 0
