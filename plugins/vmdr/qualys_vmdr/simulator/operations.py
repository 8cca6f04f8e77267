"""(being written)"""

from __future__ import annotations

from qualys_core.simulator import SimRoute, Tenant


def extend_tenant(tenant: Tenant) -> None:
    return None


def routes() -> list[SimRoute]:
    return []
