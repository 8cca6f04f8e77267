"""(being written)"""

from __future__ import annotations

from qualys_core.plugins import Aggregator, TierSpec

AGGREGATORS: tuple[Aggregator, ...] = ()
TIERS: tuple[TierSpec, ...] = ()
