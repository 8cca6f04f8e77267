"""An unmodified qualysdk, pointed at the loopback simulator, reads the cloud control library.

qualysdk 0.3.17 `get_control_metadata` calls `GET /cloudview-api/rest/v1/controls/metadata/list`
on qualysguard with Basic auth, reads the controls under `control`, asks for the next page
while the body has a `warning`, and builds its `Control` dataclass from the fields (dates
through `datetime.fromisoformat`). It is pointed here as the VMDR qualysdk test does:
`override_platform` for the URLs, the simulator's CA through REQUESTS_CA_BUNDLE, and its
synchronous calls in a worker thread.
"""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import Any

import pytest
from qualys_totalcloud.simulator.cloud_catalog import CONTROLS

from qualys_core.simulator import SimConfig, Simulator
from qualys_core.simulator.serve import running_simulator
from qualys_core.testing import FIXED_NOW

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "defusedxml.lxml", DeprecationWarning)
    qualysdk_auth = pytest.importorskip("qualysdk.auth", reason="qualysdk is not installed")
    qualysdk_totalcloud = pytest.importorskip("qualysdk.totalcloud")

CALL_LIMIT = 120  # bounds a hang only; the worker thread is left behind either way


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    # qualysdk logs in with about.php and no X-Requested-With (see the VMDR qualysdk test).
    return {
        "assets": 120,
        "seed": 7,
        "now": FIXED_NOW,
        "config": SimConfig(seed=7, require_requested_with=False),
    }


async def test_qualysdk_get_control_metadata_pages_through_the_aws_library(
    qualys_simulator: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = qualys_simulator.tenant
    async with running_simulator(qualys_simulator, tls=True, cert_dir=tmp_path) as served:
        assert served.ca_file is not None
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(served.ca_file))
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.setenv(name, "localhost,127.0.0.1")
        urls = {
            "api_url": served.api_url,
            "gateway_url": served.gateway_url,
            "qualysguard_url": served.api_url,
        }
        async with asyncio.timeout(CALL_LIMIT):
            auth = await asyncio.to_thread(
                qualysdk_auth.BasicAuth, tenant.username, tenant.password, override_platform=urls
            )
            controls = await asyncio.to_thread(
                qualysdk_totalcloud.get_control_metadata, auth, filter="provider:aws", pageSize=4
            )

    aws = sorted((c for c in CONTROLS if c.provider == "AWS"), key=lambda c: c.cid)
    assert [int(c) for c in controls] == [c.cid for c in aws]
    for got, control in zip(controls, aws, strict=True):
        assert got.controlName == control.name
        assert got.serviceType == control.service
        assert got.criticality == control.criticality
        assert list(got.policyNames) == list(control.policies)
        assert got.created.tzinfo is not None
        assert got.evaluation_failMessage.startswith("Not compliant")
    pages = [c for c in qualys_simulator.log if c.path.endswith("/controls/metadata/list")]
    assert [c.params["pageNo"] for c in pages] == [str(n) for n in range(len(pages))]
    assert len(pages) == -(-len(aws) // 4)
    assert {c.params["filter"] for c in pages} == {"provider:AWS"}  # qualysdk upper-cases it
