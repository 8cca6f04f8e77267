"""The core Qualys client against the simulator: paging, tokens, limits and faults end to end."""

from __future__ import annotations

import pytest

from qualys_core.errors import BadResponse, NotLicensed, RateLimited, Timeout, Unavailable
from qualys_core.http.client import QualysClient
from qualys_core.http.paging import CONTAINER_SECURITY
from qualys_core.plugins.manager import create_plugin_host
from qualys_core.simulator import (
    FaultRule,
    LimitSpec,
    SimConfig,
    SimulatorTransport,
    build_simulator,
)
from qualys_core.testing import FIXED_NOW, simulator_settings
from tests.simulator import simplugin
from tests.simulator.test_pipeline import Clock

HOSTS = "/api/2.0/fo/asset/host/"


class Setup:
    """A simulator and our client sharing one fake clock; the client's sleeps advance it."""

    def __init__(self, config=None, *, assets=120, **settings):
        self.clock = Clock()
        self.sleeps: list[float] = []
        self.sim = build_simulator(
            assets=assets,
            now=FIXED_NOW,
            config=config,
            host=create_plugin_host(load_entrypoints=False, plugins={"testsim": simplugin}),
            clock=self.clock,
        )
        self.settings = simulator_settings(self.sim, **settings)

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            self.clock.now += seconds

        self.client = QualysClient(
            self.settings,
            self.settings.resolve(),
            api_transport=SimulatorTransport(self.sim.api_app),
            gateway_transport=SimulatorTransport(self.sim.gateway_app),
            sleep=sleep,
            clock=self.clock,
        )

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.client.aclose()


async def host_ids(client, method="GET", limit="25"):
    params = {"action": "list", "truncation_limit": limit}
    return [
        int(record.findtext("ID"))
        async for record in client.api.iter_xml(HOSTS, params, {"HOST"}, method=method)
    ]


async def test_fo_truncation_paging_reads_every_host_once_by_get_and_post():
    async with Setup() as s:
        expected = [h.host_id for h in s.sim.tenant.hosts]
        assert await host_ids(s.client) == expected
        assert await host_ids(s.client, method="POST") == expected
    calls = s.sim.log.select(route="testsim.host_list")
    assert len(calls) == 2 * 5  # 120 hosts, 25 per page
    id_mins = [c.params.get("id_min") for c in calls[:5]]
    assert id_mins[0] is None
    assert [int(v) for v in id_mins[1:]] == [expected[i * 25 - 1] + 1 for i in range(1, 5)]


async def test_gateway_page_number_paging_and_one_token_for_all_calls():
    async with Setup() as s:
        items = []
        async for page in s.client.gateway.pages(
            "GET", "/csapi/v1.3/images", CONTAINER_SECURITY, limit=None, module="cs"
        ):
            items.extend(page.items)
    assert len(items) == len(s.sim.tenant.hosts[::10]) == 12
    assert s.sim.log.count(route="platform.auth") == 1


async def test_an_expired_token_is_refreshed_once_and_the_call_succeeds():
    async with Setup(SimConfig(token_ttl_seconds=60)) as s:
        first = await s.client.gateway.json("GET", "/csapi/v1.3/images")
        s.clock.now += 120  # the simulator's token expired; the client's cache still holds it
        second = await s.client.gateway.json("GET", "/csapi/v1.3/images")
    assert first == second
    assert s.sim.log.count(route="platform.auth") == 2
    assert s.sim.log.count(route="testsim.images", status=401) == 1


async def test_409_rate_limit_is_waited_out_as_qualys_says():
    config = SimConfig(limits={"api": LimitSpec(rate_limit=1, window_seconds=20)})
    async with Setup(config) as s:
        await s.client.api.xml("GET", HOSTS, params={"action": "list", "truncation_limit": "1"})
        await s.client.api.xml("GET", HOSTS, params={"action": "list", "truncation_limit": "1"})
    assert s.sim.log.count(route="testsim.host_list", status=409) == 1
    assert s.sleeps
    assert s.sleeps[-1] == pytest.approx(20, abs=1)


async def test_a_limit_longer_than_max_wait_fails_fast_as_rate_limited():
    config = SimConfig(limits={"api": LimitSpec(rate_limit=1, window_seconds=3600)})
    async with Setup(config, max_wait_seconds=60) as s:
        await s.client.api.xml("GET", HOSTS, params={"action": "list", "truncation_limit": "1"})
        with pytest.raises(RateLimited) as raised:
            await s.client.api.xml("GET", HOSTS, params={"action": "list"})
    assert raised.value.code == "1965"


async def test_gateway_429_is_retried_after_retry_after():
    config = SimConfig(limits={"csapi": LimitSpec(rate_limit=1, window_seconds=5)})
    async with Setup(config) as s:
        await s.client.gateway.json("GET", "/csapi/v1.3/images")
        await s.client.gateway.json("GET", "/csapi/v1.3/images")
    assert s.sim.log.count(route="testsim.images", status=429) == 1
    assert 5 in [round(x) for x in s.sleeps]


async def test_5xx_faults_are_retried_and_persistent_ones_fail_as_unavailable():
    async with Setup(SimConfig(faults=[FaultRule(match="testsim.*", kind="error", count=2)])) as s:
        root = await s.client.api.xml("GET", HOSTS, params={"action": "list"})
    assert root is not None
    assert root.tag == "HOST_LIST_OUTPUT"
    assert s.sim.log.count(route="testsim.host_list") == 3
    async with Setup(SimConfig(faults=[FaultRule(match="testsim.*", kind="error")])) as s:
        with pytest.raises(Unavailable):
            await s.client.api.xml("GET", HOSTS, params={"action": "list"})


async def test_malformed_xml_unlicensed_module_and_hang_become_typed_errors():
    async with Setup(SimConfig(faults=[FaultRule(match="testsim.*", kind="malformed")])) as s:
        with pytest.raises(BadResponse):
            await s.client.api.xml("GET", HOSTS, params={"action": "list"})
    async with Setup(SimConfig(unlicensed=frozenset({"cs"}))) as s:
        with pytest.raises(NotLicensed):
            await s.client.gateway.json("GET", "/csapi/v1.3/images", module="cs")
    hang = SimConfig(faults=[FaultRule(match="testsim.*", kind="hang", hang_seconds=30)])
    async with Setup(hang, timeout_default=0.05, max_retries=1) as s:
        # The client's sleeps are fake but the simulator's hang is real: the read timeout fires.
        with pytest.raises((Timeout, Unavailable)):
            await s.client.api.xml("GET", HOSTS, params={"action": "list"})


async def test_about_with_its_doctype_parses_and_feeds_the_governor():
    async with Setup() as s:
        root = await s.client.api.xml("GET", "/msp/about.php", call_class="short")
        snapshot = s.client.api.governor.snapshot()
    assert root is not None
    assert root.tag == "ABOUT"
    assert any(state["advertised_concurrency"] == 10 for state in snapshot.values())


async def test_csam_cursor_paging_with_filters_reads_each_matching_asset_once():
    from qualys_core.http.paging import CsamCursor, PageRequest

    async with Setup(assets=250) as s:
        windows = {h.asset_id for h in s.sim.tenant.hosts if h.os_family == "Windows"}
        body = {
            "filters": [
                {"field": "operatingSystem.name", "operator": "CONTAINS", "value": "Windows"}
            ]
        }
        seen = []
        async for page in s.client.gateway.pages(
            "POST",
            "/rest/2.0/search/am/asset",
            CsamCursor(page_size=40),
            PageRequest(json_body=body),
            module="csam",
        ):
            seen.extend(asset["assetId"] for asset in page.items)
        count = await s.client.gateway.json("POST", "/rest/2.0/count/am/asset", json_body=body)
    assert sorted(seen) == sorted(windows)
    assert len(seen) == len(set(seen)) == count["count"]
    assert s.sim.log.count(route="csam.search_assets") == -(-len(windows) // 40)
