"""The example plugin against the Qualys simulator, through the `qualys_core.testing` fixtures.

No mock: the simulator serves the synthetic tenant over the real Qualys formats (here the CSAM
count API on the gateway, behind `POST /auth`), and the tests check the tool's answer against
the tenant itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qualys_core.plugins.manager import create_plugin_host
from qualys_core.simulator import SimConfig
from qualys_core.testing import FIXED_NOW

try:
    from qualys_example import plugin
except ModuleNotFoundError:  # the monorepo's dev environment does not install the template
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from qualys_example import plugin


@pytest.fixture
def qualys_plugin_host():
    return create_plugin_host(load_entrypoints=False, plugins={"example": plugin}, strict=True)


async def test_the_count_matches_the_simulated_tenant(qualys_mcp_client, qualys_simulator):
    tenant = qualys_simulator.tenant
    production = tenant.tag_named("Production")
    expected = sum(1 for host in tenant.hosts if production.id in host.tags)
    result = await qualys_mcp_client.call_tool(
        "assess_risk", {"scope": "assets", "tag": "Production"}
    )
    envelope = result.structured_content
    assert envelope["sources"][0]["status"] == "ok"
    assert envelope["summary"]["stats"]["assets"] == expected > 0
    assert qualys_simulator.log.count(route="csam.count_assets") == 1
    assert qualys_simulator.log.count(route="platform.auth") == 1


class TestWithoutCsam:
    """CSAM left out of the simulated subscription: the module answers as Qualys does."""

    @pytest.fixture
    def qualys_simulator_options(self):
        return {"assets": 50, "now": FIXED_NOW, "config": SimConfig(unlicensed=frozenset({"csam"}))}

    async def test_an_unlicensed_module_is_a_named_source_status(self, qualys_mcp_client):
        result = await qualys_mcp_client.call_tool("assess_risk", {"scope": "assets"})
        assert result.is_error is False
        assert result.structured_content["sources"][0]["status"] == "not_licensed"
