"""The simulator's pipeline, seen by a plain HTTP client: auth, limits, faults, latency, log."""

from __future__ import annotations

import asyncio
from xml.etree import ElementTree as ET

import httpx
import pytest

from qualys_core.plugins.manager import LoadError, create_plugin_host
from qualys_core.simulator import (
    FaultRule,
    LatencySpec,
    LimitSpec,
    SimConfig,
    SimRoute,
    SimulatorTransport,
    build_simulator,
    json_response,
)
from qualys_core.testing import FIXED_NOW
from tests.simulator import simplugin

HOSTS = "/api/2.0/fo/asset/host/"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class Sleeper:
    """Records the service time the simulator asks for; `gate` holds calls open on demand."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.delays: list[float] = []
        self.gate: asyncio.Event | None = None
        self.started = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        self.clock.now += seconds


async def _pm_count(request):
    return json_response({"count": 3})


PM_ROUTE = SimRoute(
    name="t.pm_count",
    host="gateway",
    path="/pm/v1/patches/count",
    methods=("GET",),
    handler=_pm_count,
    module="pm",
)


def make(config=None, *, assets=60, routes=(PM_ROUTE,)):
    clock = Clock()
    sleeper = Sleeper(clock)
    sim = build_simulator(
        assets=assets,
        now=FIXED_NOW,
        config=config,
        host=create_plugin_host(load_entrypoints=False, plugins={"testsim": simplugin}),
        routes=routes,
        clock=clock,
        sleep=sleeper,
    )
    return sim, clock, sleeper


def api(sim, *, auth=True, requested_with=True, timeout=5.0):
    headers = {"X-Requested-With": "pytest"} if requested_with else {}
    return httpx.AsyncClient(
        transport=SimulatorTransport(sim.api_app),
        base_url="https://qualysapi.sim.invalid",
        auth=httpx.BasicAuth(sim.tenant.username, sim.tenant.password) if auth else None,
        headers=headers,
        timeout=timeout,
    )


def gateway(sim):
    return httpx.AsyncClient(
        transport=SimulatorTransport(sim.gateway_app), base_url="https://gateway.sim.invalid"
    )


async def token(client, sim):
    response = await client.post(
        "/auth",
        data={"username": sim.tenant.username, "password": sim.tenant.password, "token": "true"},
    )
    assert response.status_code == 201
    return response.text


def simple_return(response):
    root = ET.fromstring(response.content)
    assert root.tag == "SIMPLE_RETURN"
    return root.findtext("RESPONSE/CODE"), root.findtext("RESPONSE/TEXT")


async def test_api_server_requires_basic_auth_and_the_requested_with_header():
    sim, _, _ = make()
    async with api(sim, auth=False) as client:
        response = await client.get(HOSTS, params={"action": "list"})
    assert response.status_code == 401
    assert simple_return(response) == (None, "Bad Login/Password")
    async with api(sim, requested_with=False) as client:
        response = await client.get(HOSTS, params={"action": "list"})
        # QPS does not insist on the header; FO does.
        portal = await client.get("/qps/rest/portal/version")
    assert response.status_code == 400
    code, text = simple_return(response)
    assert code == "1903"
    assert "X-Requested-With" in text
    assert portal.status_code == 200


async def test_fo_accepts_get_and_post_form_on_every_api_version_with_or_without_slash():
    sim, _, _ = make()
    async with api(sim) as client:
        get = await client.get(HOSTS, params={"action": "list", "truncation_limit": "5"})
        post = await client.post(
            "/api/5.0/fo/asset/host", data={"action": "list", "truncation_limit": "5"}
        )
        missing = await client.get("/api/2.0/fo/no/such/")
        wrong_method = await client.delete(HOSTS)
    assert get.status_code == post.status_code == 200
    assert get.text.count("<HOST>") == post.text.count("<HOST>") == 5
    assert missing.status_code == 404
    assert wrong_method.status_code == 405


async def test_gateway_tokens_expire_and_basic_fallback_is_accepted():
    sim, clock, _ = make(SimConfig(token_ttl_seconds=60))
    async with gateway(sim) as client:
        jwt = await token(client, sim)
        assert jwt.count(".") == 2
        assert "{" not in jwt
        bearer = {"Authorization": f"Bearer {jwt}"}
        assert (await client.get("/csapi/v1.3/images", headers=bearer)).status_code == 200
        clock.now += 61
        expired = await client.get("/csapi/v1.3/images", headers=bearer)
        assert expired.status_code == 401
        assert "expired" in expired.json()["message"]
        basic = await client.get(
            "/csapi/v1.3/images", auth=httpx.BasicAuth(sim.tenant.username, sim.tenant.password)
        )
        assert basic.status_code == 200
        bad = await client.post(
            "/auth", data={"username": sim.tenant.username, "password": "wrong", "token": "true"}
        )
        assert bad.status_code == 401
        forged = await client.get("/csapi/v1.3/images", headers={"Authorization": "Bearer a.b.c"})
        assert forged.status_code == 401


async def test_session_login_cookie_authenticates_fo_calls_and_logout_ends_it():
    sim, _, _ = make()
    async with api(sim, auth=False) as client:
        login = await client.post(
            "/api/2.0/fo/session/",
            data={
                "action": "login",
                "username": sim.tenant.username,
                "password": sim.tenant.password,
            },
        )
        assert login.status_code == 200
        assert "QualysSession" in login.cookies
        assert "X-RateLimit-Limit" not in login.headers  # the session API is not limited
        listed = await client.get(HOSTS, params={"action": "list", "truncation_limit": "1"})
        assert listed.status_code == 200
        assert (
            await client.post("/api/2.0/fo/session/", data={"action": "logout"})
        ).status_code == 200
        assert (await client.get(HOSTS, params={"action": "list"})).status_code == 401
    logged = sim.log.select(route="platform.session")
    assert logged[0].params["password"] == "***"
    assert sim.tenant.password not in repr(list(sim.log))


async def test_concurrency_limit_blocks_with_409_code_1960_and_headers():
    config = SimConfig(
        limits={"testsim.host_list": LimitSpec(concurrency=1, rate_limit=100)},
        latency={"hosts": LatencySpec(fixed=1.0)},
    )
    sim, _, sleeper = make(config)
    sleeper.gate = asyncio.Event()
    async with api(sim) as client:
        first = asyncio.create_task(client.get(HOSTS, params={"action": "list"}))
        await sleeper.started.wait()
        blocked = await client.get(HOSTS, params={"action": "list"})
        sleeper.gate.set()
        done = await first
    assert done.status_code == 200
    assert blocked.status_code == 409
    code, text = simple_return(blocked)
    assert code == "1960"
    assert "currently running" in text
    assert blocked.headers["X-Concurrency-Limit-Limit"] == "1"
    assert blocked.headers["X-Concurrency-Limit-Running"] == "1"
    assert done.headers["X-Concurrency-Limit-Running"] == "1"


async def test_rate_limit_blocks_with_409_code_1965_until_the_window_passes():
    config = SimConfig(limits={"api": LimitSpec(rate_limit=2, window_seconds=60)})
    sim, clock, _ = make(config)
    async with api(sim) as client:
        statuses = [
            (await client.get(HOSTS, params={"action": "list"})).status_code for _ in range(2)
        ]
        blocked = await client.get(HOSTS, params={"action": "list"})
        other_api = await client.get("/msp/about.php")  # each API is limited separately
        clock.now += 61
        again = await client.get(HOSTS, params={"action": "list"})
    assert statuses == [200, 200]
    assert blocked.status_code == 409
    code, text = simple_return(blocked)
    assert code == "1965"
    assert "cannot be run again for another 60 seconds" in text
    assert blocked.headers["X-RateLimit-ToWait-Sec"] == "60"
    assert blocked.headers["X-RateLimit-Remaining"] == "0"
    assert other_api.status_code == 200
    assert again.status_code == 200


async def test_gateway_limits_answer_429_with_retry_after_and_pm_sends_no_headers():
    config = SimConfig(limits={"csapi": LimitSpec(rate_limit=1, window_seconds=30)})
    sim, _, _ = make(config)
    async with gateway(sim) as client:
        bearer = {"Authorization": f"Bearer {await token(client, sim)}"}
        ok = await client.get("/csapi/v1.3/images", headers=bearer)
        limited = await client.get("/csapi/v1.3/images", headers=bearer)
        pm = await client.get("/pm/v1/patches/count", headers=bearer)
    assert ok.headers["X-RateLimit-Limit"] == "1"
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "30"
    assert pm.status_code == 200
    assert not any(name.lower().startswith("x-ratelimit") for name in pm.headers)
    assert not any(name.lower().startswith("x-concurrency") for name in pm.headers)


async def test_faults_error_once_then_recover_and_are_logged():
    sim, _, _ = make(SimConfig(faults=[FaultRule(match="testsim.*", kind="error", count=1)]))
    async with api(sim) as client:
        first = await client.get(HOSTS, params={"action": "list"})
        second = await client.get(HOSTS, params={"action": "list"})
    assert (first.status_code, second.status_code) == (503, 200)
    assert [r.fault for r in sim.log.select(route="testsim.host_list")] == ["error", None]


async def test_fault_rate_is_deterministic_for_a_seed():
    def statuses():
        sim, _, _ = make(
            SimConfig(seed=3, faults=[FaultRule(match="vmdr", kind="error", rate=0.5)])
        )

        async def run():
            async with api(sim) as client:
                return [
                    (await client.get(HOSTS, params={"action": "list"})).status_code
                    for _ in range(12)
                ]

        return run()

    first, second = await statuses(), await statuses()
    assert first == second
    assert 503 in first
    assert 200 in first


async def test_malformed_and_truncated_bodies_are_not_well_formed():
    for kind in ("malformed", "truncated"):
        sim, _, _ = make(SimConfig(faults=[FaultRule(match="/api/*", kind=kind)]))
        async with api(sim) as client:
            response = await client.get(HOSTS, params={"action": "list"})
        assert response.status_code == 200
        with pytest.raises(ET.ParseError):
            ET.fromstring(response.content)


async def test_unlicensed_module_answers_404_on_both_hosts():
    sim, _, _ = make(SimConfig(unlicensed=frozenset({"vmdr", "cs"})))
    async with api(sim) as client:
        fo = await client.get(HOSTS, params={"action": "list"})
    async with gateway(sim) as client:
        bearer = {"Authorization": f"Bearer {await token(client, sim)}"}
        cs = await client.get("/csapi/v1.3/images", headers=bearer)
    assert fo.status_code == 404
    assert "vmdr" in fo.text
    assert cs.status_code == 404
    assert "cs" in cs.json()["message"]


async def test_empty_fault_serves_a_tenant_without_assets():
    sim, _, _ = make(SimConfig(faults=[FaultRule(match="testsim.host_list", kind="empty")]))
    async with api(sim) as client:
        response = await client.get(HOSTS, params={"action": "list"})
    assert response.status_code == 200
    assert "<HOST>" not in response.text
    assert sim.empty_tenant.extensions["testsim"] == {"hosts_seen": 0}


async def test_hang_times_out_at_the_clients_read_timeout():
    sim = build_simulator(
        assets=5,
        now=FIXED_NOW,
        config=SimConfig(faults=[FaultRule(match="testsim.*", kind="hang", hang_seconds=30)]),
        host=create_plugin_host(load_entrypoints=False, plugins={"testsim": simplugin}),
    )
    async with api(sim, timeout=0.05) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(HOSTS, params={"action": "list"})


async def test_latency_charges_fixed_plus_per_record():
    config = SimConfig(latency={"hosts": LatencySpec(fixed=0.5, per_record=0.01)})
    sim, _, sleeper = make(config)
    async with api(sim) as client:
        await client.get(HOSTS, params={"action": "list", "truncation_limit": "20"})
        await client.get("/msp/about.php")  # class "short": no latency configured
    assert sleeper.delays == [pytest.approx(0.7)]


async def test_request_log_counts_calls_by_route_and_status():
    sim, _, _ = make()
    async with api(sim) as client:
        for _ in range(3):
            await client.get(HOSTS, params={"action": "list", "truncation_limit": "1"})
        await client.get("/msp/about.php")
        await client.get("/nope")
    assert sim.log.count(route="testsim.host_list") == 3
    assert sim.log.count(path="/msp/*", status=200) == 1
    assert sim.log.count(status=404) == 1
    record = sim.log.select(route="testsim.host_list")[0]
    assert record.params == {"action": "list", "truncation_limit": "1"}
    assert record.user == sim.tenant.username


def test_duplicate_routes_are_rejected_naming_both():
    clash = SimRoute(
        name="other.hosts",
        host="api",
        path="/api/{v}/fo/asset/host",
        methods=("GET",),
        handler=simplugin.host_list,
        module="vmdr",
    )
    with pytest.raises(ValueError, match=r"testsim.host_list.*other.hosts"):
        make(routes=(clash,))
    with pytest.raises(ValueError, match="two simulator routes are named"):
        make(routes=(PM_ROUTE, PM_ROUTE))


def test_a_failing_simulator_hook_is_recorded_and_skipped_or_raised():
    class Broken:
        @staticmethod
        def qualys_simulator_routes(tenant):
            raise RuntimeError("boom")

    from qualys_core.plugins import hookimpl

    Broken.qualys_simulator_routes = hookimpl(Broken.qualys_simulator_routes)
    plugins = {"testsim": simplugin, "broken": Broken()}
    errors: list[LoadError] = []
    sim = build_simulator(
        assets=3,
        now=FIXED_NOW,
        host=create_plugin_host(load_entrypoints=False, plugins=plugins),
        errors=errors,
    )
    assert [e.plugin for e in errors] == ["broken"]
    assert "boom" in errors[0].error
    assert any(r.name == "testsim.images" for r in sim.routes)
    with pytest.raises(RuntimeError, match="boom") as raised:
        build_simulator(
            assets=3,
            now=FIXED_NOW,
            host=create_plugin_host(load_entrypoints=False, plugins=plugins),
        )
    assert "broken" in " ".join(raised.value.__notes__)
