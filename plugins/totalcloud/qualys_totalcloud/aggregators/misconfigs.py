"""Placeholder until this area's module lands (issue 6)."""

from __future__ import annotations

from qualys_core.plugins import Aggregator, TierSpec

__all__ = ["AGGREGATORS", "TIERS"]

AGGREGATORS: list[Aggregator] = []
TIERS: list[TierSpec] = []
