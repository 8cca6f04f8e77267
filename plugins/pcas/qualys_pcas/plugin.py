"""Entry point of the Policy Audit (PCAS) plugin: the hook implementations the core loads.

The aggregator module says what it contributes (`AGGREGATORS`, `TIERS`) and the simulator
package its routes; this module only hands those to the core.
"""

from __future__ import annotations

from qualys_core.plugins import Aggregator, TierSpec, hookimpl
from qualys_core.simulator import SimRoute, Tenant
from qualys_pcas import simulator
from qualys_pcas.aggregators import library

PLUGIN_NAME = "pcas"


@hookimpl
def qualys_register_aggregators() -> list[Aggregator]:
    return list(library.AGGREGATORS)


@hookimpl
def qualys_register_cache_tiers() -> list[TierSpec]:
    return list(library.TIERS)


@hookimpl
def qualys_server_instructions() -> str:
    return (
        "check_compliance(framework=...) shows which Policy Audit library policies cover a "
        "framework (CIS, DISA STIG, PCI DSS, ...) and which technologies lack one; platform= "
        "narrows to one technology; without a framework it lists the library's labels."
    )


@hookimpl
def qualys_simulator_tenant(tenant: Tenant) -> None:
    simulator.extend_tenant(tenant)


@hookimpl
def qualys_simulator_routes(tenant: Tenant) -> list[SimRoute]:
    return simulator.routes(tenant)
