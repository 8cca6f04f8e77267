"""The Qualys platform simulator: a deterministic synthetic tenant served in Qualys' own formats.

Public API for plugin authors: `SimRoute`, `SimRequest` and `ContractCase` to add endpoints,
the response helpers, `Tenant` and its records, and `build_simulator` / `SimulatorTransport`
to run it in-process. `qualys_core.testing` wraps these in pytest fixtures.
"""

from __future__ import annotations

from qualys_core.simulator.app import Simulator
from qualys_core.simulator.config import FaultRule, LatencySpec, LimitSpec, SimConfig
from qualys_core.simulator.detections import stable_random
from qualys_core.simulator.factory import SimulatorTransport, build_simulator, core_routes
from qualys_core.simulator.reqlog import RequestLog, RequestRecord
from qualys_core.simulator.responses import (
    cdata,
    element,
    gateway_error,
    iso,
    json_response,
    qps_error,
    simple_return,
    xml_response,
    xml_stream,
)
from qualys_core.simulator.routes import ContractCase, ParameterError, SimRequest, SimRoute
from qualys_core.simulator.tenant import Host, Tenant, generate_tenant

__all__ = [
    "ContractCase",
    "FaultRule",
    "Host",
    "LatencySpec",
    "LimitSpec",
    "ParameterError",
    "RequestLog",
    "RequestRecord",
    "SimConfig",
    "SimRequest",
    "SimRoute",
    "Simulator",
    "SimulatorTransport",
    "Tenant",
    "build_simulator",
    "cdata",
    "core_routes",
    "element",
    "gateway_error",
    "generate_tenant",
    "iso",
    "json_response",
    "qps_error",
    "simple_return",
    "stable_random",
    "xml_response",
    "xml_stream",
]
