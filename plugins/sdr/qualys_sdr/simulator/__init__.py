"""The SaaS Detection & Response endpoints of the Qualys simulator: the control list and the
custom control detail on the gateway, over a control library kept on the tenant."""

from __future__ import annotations

from qualys_core.simulator import SimRoute, Tenant
from qualys_sdr.simulator import data
from qualys_sdr.simulator import routes as _routes

__all__ = ["extend_tenant", "routes"]


def extend_tenant(tenant: Tenant) -> None:
    """Add the SaaSDR controls to the shared tenant."""
    data.extend_tenant(tenant)


def routes(tenant: Tenant) -> list[SimRoute]:
    return _routes.routes()
