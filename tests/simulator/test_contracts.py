"""Contract tests: every simulator endpoint answers its clients' requests in the recorded shape.

Each route's `contract` cases are the requests public Qualys clients send (catalogue citations
in `client`). This replays all of them, for core's routes, every installed plugin's and the
test plugin's where no installed plugin serves the same endpoint, and fails for a route that
has none.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

import httpx
import pytest

from qualys_core.plugins.manager import create_plugin_host
from qualys_core.simulator import SimulatorTransport, build_simulator
from qualys_core.testing import FIXED_NOW
from tests.simulator import simplugin


def _simulator(routes=()):
    host = create_plugin_host(strict=True)
    return build_simulator(assets=120, now=FIXED_NOW, host=host, routes=routes)


def _unclaimed_test_routes():
    """The test plugin's routes that no installed plugin serves: the test plugin imitates
    endpoints (the VMDR host list) that a product plugin may serve for real."""
    served = {(r.host, m, r.shape) for r in _simulator().routes for m in r.methods}
    return [
        route
        for route in (simplugin.HOST_LIST, simplugin.IMAGES)
        if not any((route.host, m, route.shape) in served for m in route.methods)
    ]


TEST_ROUTES = _unclaimed_test_routes()


SIM = _simulator(TEST_ROUTES)
CASES = [(route, index) for route in SIM.routes for index in range(len(route.contract))]


@pytest.mark.parametrize("route", SIM.routes, ids=[r.name for r in SIM.routes])
def test_every_route_has_contract_cases(route):
    assert route.contract, f"{route.name} has no contract cases"
    for case in route.contract:
        assert case.client, f"{route.name}: say which client sends this request"
        assert route.match(case.path) is not None, f"{route.name}: {case.path} is not this route"
        assert case.method in route.methods


def _fill(value, tenant):
    if isinstance(value, str):
        return value.replace("{username}", tenant.username).replace("{password}", tenant.password)
    if isinstance(value, dict):
        return {k: _fill(v, tenant) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, tenant) for v in value]
    return value


def _walk_json(body, dotted):
    node = body
    for part in dotted.split("."):
        if isinstance(node, list):
            assert node, f"{dotted}: empty list before {part!r}"
            node = node[0]
        assert isinstance(node, dict), f"{dotted}: not an object at {part!r}"
        assert part in node, f"missing {dotted!r} at {part!r}"
        node = node[part]
    return node


@pytest.mark.parametrize(("route", "index"), CASES, ids=[f"{r.name}:{i}" for r, i in CASES])
async def test_contract_case(route, index):
    case = route.contract[index]
    sim = _simulator(TEST_ROUTES)
    tenant = sim.tenant
    app = sim.api_app if route.host == "api" else sim.gateway_app
    headers = {"X-Requested-With": "contract-test", **_fill(dict(case.headers), tenant)}
    async with httpx.AsyncClient(
        transport=SimulatorTransport(app), base_url=f"https://{route.host}.sim.invalid"
    ) as client:
        auth = None
        if not route.public:
            if route.host == "api":
                auth = httpx.BasicAuth(tenant.username, tenant.password)
            else:
                login = await client.post(
                    "/auth",
                    data={
                        "username": tenant.username,
                        "password": tenant.password,
                        "token": "true",
                    },
                )
                headers["Authorization"] = f"Bearer {login.text}"
        response = await client.request(
            case.method,
            case.path,
            params=_fill(dict(case.params), tenant),
            data=_fill(dict(case.form), tenant) if case.form is not None else None,
            json=_fill(case.json, tenant) if case.json is not None else None,
            content=case.content,
            headers=headers,
            auth=auth,
        )
    assert response.status_code == case.status, response.text[:300]
    if case.root or case.xml_paths:
        root = ET.fromstring(response.content)
        if case.root:
            assert root.tag == case.root
        for path in case.xml_paths:
            assert root.findall(path), f"no {path} in the answer"
    if case.json_keys:
        body = response.json()
        for key in case.json_keys:
            _walk_json(body, key)
    assert sim.log.count(route=route.name) == 1
