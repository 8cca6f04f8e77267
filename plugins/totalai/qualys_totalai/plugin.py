"""Entry point of the TotalAI plugin: the hook implementations the core loads.

The aggregator module says what it contributes (`AGGREGATORS`, `TIERS`), the recogniser
module its `RECOGNISERS`, the simulator package its routes; this module only hands those over.
"""

from __future__ import annotations

from qualys_core.plugins import Aggregator, Recogniser, TierSpec, hookimpl
from qualys_core.simulator import SimRoute, Tenant
from qualys_totalai import simulator
from qualys_totalai.aggregators import detections
from qualys_totalai.recognise import RECOGNISERS

PLUGIN_NAME = "totalai"


@hookimpl
def qualys_register_aggregators() -> list[Aggregator]:
    return list(detections.AGGREGATORS)


@hookimpl
def qualys_register_cache_tiers() -> list[TierSpec]:
    return list(detections.TIERS)


@hookimpl
def qualys_register_recognisers() -> list[Recogniser]:
    return list(RECOGNISERS)


@hookimpl
def qualys_server_instructions() -> str:
    return (
        "assess_risk(scope='ai') and security_overview(scope='ai') report TotalAI's scans of "
        "AI models (failing tests, jailbreaks, OWASP LLM Top 10); investigate takes a model "
        "name or an AI topic such as 'prompt injection'."
    )


@hookimpl
def qualys_simulator_tenant(tenant: Tenant) -> None:
    simulator.extend_tenant(tenant)


@hookimpl
def qualys_simulator_routes(tenant: Tenant) -> list[SimRoute]:
    return simulator.routes()
