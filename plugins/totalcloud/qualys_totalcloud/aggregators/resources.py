"""TotalCloud resources aggregators (filled in by the issue-6 work)."""

from __future__ import annotations

from qualys_core.plugins import Aggregator, TierSpec

__all__ = ["AGGREGATORS", "TIERS"]

AGGREGATORS: list[Aggregator] = []
TIERS: list[TierSpec] = []
