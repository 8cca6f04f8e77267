"""Placeholder until this area's module lands (issue 6)."""

from __future__ import annotations

from qualys_core.simulator import SimRoute

__all__ = ["routes"]


def routes() -> list[SimRoute]:
    return []
