"""The example plugin's aggregator: how many assets the CSAM inventory holds, from the count API.

An aggregator is a plain async function of an `AggregatorContext`. It calls Qualys through the
core's client (which waits out limits, retries and raises the core's typed errors), caches
through its plugin's view of the cache, and returns an `AggregatorResult`.
"""

from __future__ import annotations

from typing import Any

from qualys_core.errors import BadResponse
from qualys_core.plugins import AggregatorContext, AggregatorResult, Finding

__all__ = ["COUNTS_TIER", "COUNT_PATH", "asset_count", "count_filters", "read_count"]

COUNT_PATH = "/rest/2.0/count/am/asset"
COUNTS_TIER = "example_counts"


def count_filters(tag: str | None) -> list[dict[str, str]]:
    """CSAM filters: none counts every asset; a tag name counts the assets carrying that tag."""
    if not tag:
        return []
    return [{"field": "asset.tag.name", "operator": "EQUALS", "value": tag}]


def read_count(body: Any) -> int:
    """The `count` of a CSAM count answer; BadResponse when there is none."""
    count = body.get("count") if isinstance(body, dict) else None
    if isinstance(count, str) and count.isdecimal():
        count = int(count)
    if not isinstance(count, int) or isinstance(count, bool):
        raise BadResponse("CSAM answered without a numeric 'count'", path=COUNT_PATH)
    return count


async def asset_count(ctx: AggregatorContext) -> AggregatorResult:
    """Count the CSAM assets: all of them, or those carrying the call's `tag`."""
    tag: str | None = ctx.params.get("tag")
    fetched = False

    async def fetch() -> int:
        nonlocal fetched
        fetched = True
        body = await ctx.client.gateway.json(
            "POST",
            COUNT_PATH,
            json_body={"filters": count_filters(tag)},
            call_class="short",
            module="CSAM",
        )
        return read_count(body)

    count = await ctx.cache.get_or_fetch(COUNTS_TIER, ("asset_count", tag), fetch)
    scope = f"tag {tag}" if tag else "all assets"
    text = f"{count:,} assets tagged {tag}" if tag else f"{count:,} assets in the inventory"
    return AggregatorResult(
        # One summary row, and it is the whole listing: total is 1, not the asset count, so
        # the answer never reads "returned 1 of 2,000". The count is in the row and in stats.
        records=[{"scope": scope, "assets": count}],
        total=1,
        stats={"assets": count},
        findings=[Finding(text=text, severity="info")],
        cached=not fetched,
    )
