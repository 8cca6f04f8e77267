"""Container Security aggregators: images ranked by vulnerabilities, the image deep-dive,
running containers, registries, sensor health, the vulnerability summary, and the images
carrying a CVE; this module registers them.

security_overview(quick=true) skips cost "high": the two that read whole lists (images and
running containers) are "high", the one- or two-call summaries are "low".
"""

from __future__ import annotations

from qualys_core.plugins import Aggregator, Serves, TierSpec
from qualys_totalcloud.aggregators.containers_cache import (
    DETAIL_TIER,
    LISTS_TIER,
    MODULE_NAME,
    SUMMARY_TIER,
)
from qualys_totalcloud.aggregators.containers_detail import image_detail
from qualys_totalcloud.aggregators.containers_estate import (
    container_vulns,
    containers_running,
    registries,
    sensors,
)
from qualys_totalcloud.aggregators.containers_images import cve_images, images

__all__ = ["AGGREGATORS", "TIERS"]

_SCOPE = frozenset({"containers"})
_RISK = Serves(tool="assess_risk", scopes=_SCOPE)
_OVERVIEW = Serves(tool="security_overview", scopes=_SCOPE)

AGGREGATORS: list[Aggregator] = [
    Aggregator(
        name="totalcloud.images",
        title="Container images by vulnerability severity",
        fn=images,
        serves=(_RISK, _OVERVIEW),
        module=MODULE_NAME,
        cache_tier=LISTS_TIER.name,
        cost="high",
    ),
    Aggregator(
        name="totalcloud.image_detail",
        title="Container image deep-dive",
        fn=image_detail,
        serves=(_RISK,),
        module=MODULE_NAME,
        cache_tier=DETAIL_TIER.name,
        cost="medium",
    ),
    Aggregator(
        name="totalcloud.containers_running",
        title="Running containers",
        fn=containers_running,
        serves=(_RISK, _OVERVIEW),
        module=MODULE_NAME,
        cache_tier=LISTS_TIER.name,
        cost="high",
    ),
    Aggregator(
        name="totalcloud.registries",
        title="Container registries",
        fn=registries,
        serves=(_RISK, _OVERVIEW),
        module=MODULE_NAME,
        cache_tier=SUMMARY_TIER.name,
        cost="low",
    ),
    Aggregator(
        name="totalcloud.sensors",
        title="Container sensor health",
        fn=sensors,
        serves=(_RISK, _OVERVIEW),
        module=MODULE_NAME,
        cache_tier=SUMMARY_TIER.name,
        cost="low",
    ),
    Aggregator(
        name="totalcloud.container_vulns",
        title="Container vulnerability summary",
        fn=container_vulns,
        serves=(_RISK, _OVERVIEW),
        module=MODULE_NAME,
        cache_tier=SUMMARY_TIER.name,
        cost="low",
    ),
    Aggregator(
        name="totalcloud.cve_images",
        title="Container images carrying the CVE",
        fn=cve_images,
        serves=(Serves(tool="investigate", intents=frozenset({"cve", "qid"}), depth="standard"),),
        module=MODULE_NAME,
        cache_tier=LISTS_TIER.name,
        cost="medium",
    ),
]

TIERS: list[TierSpec] = [LISTS_TIER, DETAIL_TIER, SUMMARY_TIER]
