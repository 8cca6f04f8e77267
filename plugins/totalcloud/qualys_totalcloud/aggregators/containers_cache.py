"""What the Container Security aggregators share: cache tiers, the cached image and running
container lists (so aggregators of one call fetch each once), and small formatting helpers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import TypeVar

from qualys_core.plugins import AggregatorContext, TierSpec
from qualys_totalcloud.api.container_records import Container, Image
from qualys_totalcloud.api.containers import Listing, list_containers, list_images

__all__ = [
    "DETAIL_TIER",
    "LISTS_TIER",
    "MAX_PAGES",
    "MODULE_NAME",
    "SUMMARY_TIER",
    "cached",
    "cached_images",
    "cached_running",
    "names",
    "of_image",
    "running_by_image",
    "stamp",
]

T = TypeVar("T")

MODULE_NAME = "Container Security"
# Lists are read whole (ranking needs every image); 20 pages of 100 bound one call's cost.
MAX_PAGES = 20

LISTS_TIER = TierSpec(
    "totalcloud_cs_lists", 300, 64, "Container Security image and running-container lists"
)
DETAIL_TIER = TierSpec(
    "totalcloud_cs_detail", 600, 256, "Container Security per-image detail, software, vulns"
)
SUMMARY_TIER = TierSpec(
    "totalcloud_cs_summary", 300, 64, "Container Security registries, sensors, vuln counts"
)


async def cached(
    ctx: AggregatorContext, tier: TierSpec, key: tuple[str, ...], fetch: Callable[[], Awaitable[T]]
) -> tuple[T, bool]:
    """The value from the cache or `fetch`, and whether this call was served without Qualys."""
    fetched = False

    async def run() -> T:
        nonlocal fetched
        fetched = True
        return await fetch()

    value = await ctx.cache.get_or_fetch(tier.name, key, run)
    return value, not fetched


async def cached_images(
    ctx: AggregatorContext, filter: str | None = None
) -> tuple[Listing[Image], bool]:
    """Every image (matching `filter`), up to MAX_PAGES pages."""
    return await cached(
        ctx,
        LISTS_TIER,
        ("images", filter or ""),
        lambda: list_images(ctx.client, filter=filter, max_pages=MAX_PAGES),
    )


async def cached_running(ctx: AggregatorContext) -> tuple[Listing[Container], bool]:
    """Every running container, up to MAX_PAGES pages."""
    return await cached(
        ctx,
        LISTS_TIER,
        ("containers", "state:RUNNING"),
        lambda: list_containers(ctx.client, filter="state:RUNNING", max_pages=MAX_PAGES),
    )


def running_by_image(containers: Iterable[Container]) -> dict[str, list[Container]]:
    """Running containers by image id and by image sha (a container may carry either)."""
    found: dict[str, list[Container]] = {}
    for container in containers:
        for key in {container.image_id, container.image_sha} - {None}:
            assert key is not None
            found.setdefault(key, []).append(container)
    return found


def of_image(by_image: dict[str, list[Container]], image: Image) -> list[Container]:
    return by_image.get(image.image_id or "", []) or by_image.get(image.sha or "", [])


def names(items: list[str], shown: int = 3) -> str:
    head = ", ".join(items[:shown])
    return head + (f" and {len(items) - shown} more" if len(items) > shown else "")


def stamp(moment: datetime | None) -> str | None:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else None
