"""An unmodified qualysdk, pointed at the loopback simulator, reads the TotalCloud inventory.

qualysdk 0.3.17 calls CloudView on qualysguard (`override_platform["qualysguard_url"]`, the
simulator's API host here) with Basic auth: `get_inventory` asks pages 0..199 of 50 on five
threads until a page says `empty`, and builds each record with its resource dataclass, which
rejects any key it does not declare; `get_resource_details` fetches one resource by uuid.
The simulator is served over TLS with its own CA, which requests trusts through
REQUESTS_CA_BUNDLE (as in VMDR's qualysdk test).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from qualys_totalcloud.simulator.cloud_data import estate

from qualys_core.simulator import SimConfig, Simulator, Tenant
from qualys_core.simulator.serve import ServedSimulator, running_simulator
from qualys_core.testing import FIXED_NOW

qualysdk_auth = pytest.importorskip("qualysdk.auth", reason="qualysdk is not installed")
qualysdk_totalcloud = pytest.importorskip("qualysdk.totalcloud")

CALL_LIMIT = 120  # bounds a hang only; the worker thread would stay behind


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    # qualysdk logs in with a bare about.php call, without X-Requested-With (see VMDR's test).
    config = SimConfig(seed=7, require_requested_with=False)
    return {"assets": 200, "seed": 7, "now": FIXED_NOW, "config": config}


@contextlib.asynccontextmanager
async def _served(
    simulator: Simulator, cert_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ServedSimulator]:
    async with running_simulator(simulator, tls=True, cert_dir=cert_dir) as served:
        assert served.ca_file is not None
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(served.ca_file))
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.setenv(name, "localhost,127.0.0.1")
        yield served


def _login(served: ServedSimulator, tenant: Tenant) -> Any:
    return qualysdk_auth.BasicAuth(
        tenant.username,
        tenant.password,
        override_platform={
            "api_url": served.api_url,
            "gateway_url": served.gateway_url,
            "qualysguard_url": served.api_url,
        },
    )


async def _in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    async with asyncio.timeout(CALL_LIMIT):
        return await asyncio.to_thread(function, *args, **kwargs)


async def test_qualysdk_reads_inventory_and_details(
    qualys_simulator: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = qualys_simulator.tenant
    cloud = estate(tenant)
    users = cloud.resources_of_type("AWS", "IAM_USER")
    vms = cloud.resources_of_type("AZURE", "VIRTUAL_MACHINE")
    bucket = cloud.resources_of_type("AWS", "BUCKET")[1]
    assert len(users) > 50  # two pages of qualysdk's 50
    async with _served(qualys_simulator, tmp_path, monkeypatch) as served:
        auth = await _in_thread(_login, served, tenant)
        got_users = await _in_thread(qualysdk_totalcloud.get_inventory, auth, "aws", "IAM_USER")
        got_vms = await _in_thread(qualysdk_totalcloud.get_inventory, auth, "azure", "vm")
        detail = await _in_thread(
            qualysdk_totalcloud.get_resource_details, auth, "aws", "S3", bucket.uuid
        )

    assert sorted(u.resourceId for u in got_users) == sorted(u.resource_id for u in users)
    assert {u.cloudAccountId for u in got_users} == {int(u.account_id) for u in users}
    by_id = {vm.resourceId: vm for vm in got_vms}
    assert set(by_id) == {vm.resource_id for vm in vms}
    for vm in vms:
        assert vm.host is not None
        assert by_id[vm.resource_id].criticalityScore == vm.host.criticality
        assert by_id[vm.resource_id].subscriptionId == vm.account_id
    assert (detail.resourceId, detail.bucketName, detail.region) == (
        bucket.resource_id, bucket.name, bucket.region,
    )  # fmt: skip

    calls = qualys_simulator.log.select(path="/cloudview-api/*")
    assert {(c.host, c.status, c.user) for c in calls} == {("api", 200, tenant.username)}
    assert {c.path for c in calls} == {
        "/cloudview-api/rest/v1/resource/IAM_USER/AWS",
        "/cloudview-api/rest/v1/resource/VIRTUAL_MACHINE/Azure",
        f"/cloudview-api/rest/v1/resource/BUCKET/uuid/{bucket.uuid}/AWS",
    }
