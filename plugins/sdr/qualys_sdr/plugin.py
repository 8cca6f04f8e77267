"""Entry point of the SaaS Detection & Response plugin: the hook implementations the core
loads. The aggregator module says what it contributes (`AGGREGATORS`, `TIERS`); the simulator
package serves the SaaSDR endpoints."""

from __future__ import annotations

from qualys_core.plugins import Aggregator, TierSpec, hookimpl
from qualys_core.simulator import SimRoute, Tenant
from qualys_sdr import simulator
from qualys_sdr.aggregators import controls

PLUGIN_NAME = "sdr"

_AREAS = (controls,)


@hookimpl
def qualys_register_aggregators() -> list[Aggregator]:
    return [aggregator for area in _AREAS for aggregator in area.AGGREGATORS]


@hookimpl
def qualys_register_cache_tiers() -> list[TierSpec]:
    return [tier for area in _AREAS for tier in area.TIERS]


@hookimpl
def qualys_server_instructions() -> str:
    return (
        "assess_risk(scope='saas') counts the SaaS DR controls per SaaS application (Office "
        "365, G Suite, Salesforce) and criticality, custom and built-in; check_compliance "
        "lists the controls of an application or of control words ('MFA')."
    )


@hookimpl
def qualys_simulator_tenant(tenant: Tenant) -> None:
    simulator.extend_tenant(tenant)


@hookimpl
def qualys_simulator_routes(tenant: Tenant) -> list[SimRoute]:
    return simulator.routes(tenant)
