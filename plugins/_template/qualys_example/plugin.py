"""Entry point of the example plugin: the hook implementations the core loads.

The core imports this module at start-up for every installed plugin, so it holds hook
implementations only and imports nothing heavy; the work lives in `aggregators.py`. The entry
point name, ``example``, is also the prefix of the aggregator names and the namespace of the
plugin's cache keys.
"""

from __future__ import annotations

from qualys_core.plugins import Aggregator, Serves, TierSpec, hookimpl
from qualys_example.aggregators import COUNTS_TIER, asset_count

PLUGIN_NAME = "example"


@hookimpl
def qualys_register_aggregators() -> list[Aggregator]:
    return [
        Aggregator(
            name="example.asset_count",
            title="CSAM asset count",
            fn=asset_count,
            serves=(
                Serves(tool="assess_risk", scopes=frozenset({"assets"})),
                Serves(tool="security_overview", scopes=frozenset({"assets"})),
            ),
            module="CSAM",
            cache_tier=COUNTS_TIER,
            cost="low",
        )
    ]


@hookimpl
def qualys_register_cache_tiers() -> list[TierSpec]:
    return [TierSpec(COUNTS_TIER, ttl=300, maxsize=256, description="CSAM asset counts by tag")]


@hookimpl
def qualys_server_instructions() -> str:
    return (
        "assess_risk(scope='assets') and security_overview count the assets in the CSAM "
        "inventory, all of them or those carrying one tag (the tag parameter)."
    )
