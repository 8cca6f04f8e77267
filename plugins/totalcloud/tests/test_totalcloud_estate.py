"""The simulated cloud estate the TotalCloud endpoints serve, built through the plugin's
tenant hook: accounts come from the shared tenant's cloud hosts and each of those hosts is a
VM resource, so VMDR's CLOUD_RESOURCE_ID and TotalCloud's resourceId name the same thing."""

from __future__ import annotations

from qualys_totalcloud.simulator.cloud_catalog import VM_TYPES
from qualys_totalcloud.simulator.cloud_data import estate

from qualys_core.simulator import Simulator


def test_accounts_are_the_tenants_cloud_accounts(qualys_simulator: Simulator) -> None:
    tenant = qualys_simulator.tenant
    cloud = estate(tenant)
    expected = {(h.cloud.provider, h.cloud.account_id) for h in tenant.hosts if h.cloud}
    assert {(a.provider, a.account_id) for a in cloud.accounts} == expected
    assert {a.provider for a in cloud.accounts} == {"AWS", "AZURE", "GCP", "OCI"}


def test_every_cloud_host_is_a_vm_resource_of_its_account(qualys_simulator: Simulator) -> None:
    tenant = qualys_simulator.tenant
    cloud = estate(tenant)
    for host in tenant.hosts:
        if host.cloud is None:
            continue
        resource = cloud.resource(host.cloud.instance_id)
        assert resource is not None
        assert resource.host is host
        assert resource.account_id == host.cloud.account_id
        assert resource.resource_type == VM_TYPES[host.cloud.provider]


def test_evaluations_are_deterministic_and_count_per_control(
    qualys_simulator: Simulator,
) -> None:
    cloud = estate(qualys_simulator.tenant)
    account = cloud.accounts_of("AWS")[0]
    rows = cloud.evaluations(account)
    assert rows
    assert all(r.passed + r.failed == len(r.results) for r in rows)
    assert any(r.result == "FAIL" for r in rows)
    for row in rows:
        for result in row.results:
            failing = cloud.failing_controls_of(result.resource)
            assert (row.control in failing) == (result.result == "FAIL")
