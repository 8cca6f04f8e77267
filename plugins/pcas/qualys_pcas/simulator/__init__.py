"""The Policy Audit plugin's part of the Qualys simulator: the PCAS policy library (§19)."""

from __future__ import annotations

from qualys_core.simulator import SimRoute, Tenant
from qualys_pcas.simulator import library
from qualys_pcas.simulator.catalog import library_of

__all__ = ["extend_tenant", "routes"]


def extend_tenant(tenant: Tenant) -> None:
    library_of(tenant)


def routes(tenant: Tenant) -> list[SimRoute]:
    return library.routes()
