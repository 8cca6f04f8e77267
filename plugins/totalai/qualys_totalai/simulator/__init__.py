"""The TotalAI endpoints of the Qualys simulator: the detection count and search APIs on the
gateway, over AI models derived from the shared tenant."""

from __future__ import annotations

from qualys_core.simulator import SimRoute, Tenant
from qualys_totalai.simulator import data, detections

__all__ = ["extend_tenant", "routes"]


def extend_tenant(tenant: Tenant) -> None:
    """Add TotalAI's models and detections to the shared tenant."""
    data.data(tenant)


def routes() -> list[SimRoute]:
    return detections.routes()
