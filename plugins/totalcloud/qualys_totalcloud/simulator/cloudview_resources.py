"""Simulated cloudview_resources endpoints (filled in by the issue-6 work)."""

from __future__ import annotations

from qualys_core.simulator import SimRoute

__all__ = ["routes"]


def routes() -> list[SimRoute]:
    return []
