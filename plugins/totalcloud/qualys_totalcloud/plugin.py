"""Entry point of the TotalCloud plugin: the hook implementations the core loads.

Each area module says what it contributes (`AGGREGATORS`, `TIERS`, simulator `routes`); this
module only hands those to the core, so the list of what the plugin registers lives next to
the code that implements it.
"""

from __future__ import annotations

from qualys_core.plugins import Aggregator, Correlation, TierSpec, hookimpl
from qualys_core.simulator import SimRoute, Tenant
from qualys_totalcloud import simulator
from qualys_totalcloud.aggregators import (
    cdr,
    compliance,
    connectors,
    containers,
    misconfigs,
    posture,
    resources,
)
from qualys_totalcloud.correlations import CORRELATIONS

PLUGIN_NAME = "totalcloud"

_AREAS = (connectors, posture, misconfigs, compliance, resources, cdr, containers)


@hookimpl
def qualys_register_aggregators() -> list[Aggregator]:
    return [aggregator for area in _AREAS for aggregator in area.AGGREGATORS]


@hookimpl
def qualys_register_cache_tiers() -> list[TierSpec]:
    return [tier for area in _AREAS for tier in area.TIERS]


@hookimpl
def qualys_register_correlations() -> list[Correlation]:
    return list(CORRELATIONS)


@hookimpl
def qualys_simulator_tenant(tenant: Tenant) -> None:
    simulator.extend_tenant(tenant)


@hookimpl
def qualys_simulator_routes(tenant: Tenant) -> list[SimRoute]:
    return simulator.routes(tenant)
