"""The VMDR endpoints of the Qualys simulator: host list and detections, KnowledgeBase,
scanner appliances, scans, reports and exceptions (all FO XML on the API server)."""

from __future__ import annotations

from qualys_core.simulator import SimRoute, Tenant
from qualys_vmdr.simulator import hosts, knowledge_base, operations

__all__ = ["extend_tenant", "routes"]


def extend_tenant(tenant: Tenant) -> None:
    """Add VMDR's own records (scanners, scans, reports, exceptions) to the shared tenant."""
    operations.extend_tenant(tenant)


def routes(tenant: Tenant) -> list[SimRoute]:
    return [*hosts.routes(), *knowledge_base.routes(), *operations.routes()]
