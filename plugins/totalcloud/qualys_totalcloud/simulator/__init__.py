"""The TotalCloud endpoints of the Qualys simulator: CloudView connectors, posture and
resources, AWS organization connectors, CDR findings and Container Security (gateway JSON;
CloudView also on the API server with Basic auth, as qualysdk calls it)."""

from __future__ import annotations

from qualys_core.simulator import SimRoute, Tenant
from qualys_totalcloud.simulator import (
    cdr,
    cloud_data,
    cloudview_connectors,
    cloudview_controls,
    cloudview_posture,
    cloudview_resources,
    containers,
)

__all__ = ["extend_tenant", "routes"]


def extend_tenant(tenant: Tenant) -> None:
    """Add TotalCloud's own records (the cloud estate; containers build on first use) to the
    shared tenant."""
    cloud_data.extend_tenant(tenant)


def routes(tenant: Tenant) -> list[SimRoute]:
    return [
        *cloudview_connectors.routes(),
        *cloudview_posture.routes(),
        *cloudview_controls.routes(),
        *cloudview_resources.routes(),
        *cdr.routes(),
        *containers.routes(),
    ]
