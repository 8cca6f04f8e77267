"""What the VMDR asset views share: CSAM calls through the `csam` cache tier, bounded
concurrency, and the rows they return.

Every CSAM answer is cached under a key holding every filter, field list and limit of the call,
so two views asking the same question share one call, and a changed filter never hits a stale
entry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Literal, TypeVar

from qualys_core.plugins import AggregatorContext
from qualys_vmdr.api.csam import (
    DEFAULT_FIELDS,
    Asset,
    AssetMatch,
    AssetPage,
    Filter,
    Software,
    TagListing,
    count_assets,
    list_tags,
    match_assets,
    search_assets,
    tag_filter,
    trurisk_band,
)

__all__ = [
    "CSAM_TIER",
    "CsamCalls",
    "Severity",
    "asset_row",
    "by_criticality",
    "by_risk",
    "days_since",
    "gather_all",
    "gather_pair",
    "iso_text",
    "limit_of",
    "lookup_record",
    "plural",
    "scope_filters",
    "severity_of",
    "software_rows",
    "tag_phrase",
]

T = TypeVar("T")
U = TypeVar("U")
CSAM_TIER = "csam"


class CsamCalls:
    """One aggregator run's CSAM calls through the cache; `fetched`: one of them asked Qualys."""

    def __init__(self, ctx: AggregatorContext) -> None:
        self._ctx = ctx
        self.fetched = False

    async def _cached(self, key: tuple[Any, ...], fetch: Callable[[], Awaitable[T]]) -> T:
        async def run() -> T:
            self.fetched = True
            return await fetch()

        return await self._ctx.cache.get_or_fetch(CSAM_TIER, key, run)

    async def search(
        self, filters: Sequence[Filter], *, limit: int, fields: Sequence[str] = DEFAULT_FIELDS
    ) -> AssetPage:
        key = ("search", _key(filters), tuple(fields), limit)
        client = self._ctx.client
        return await self._cached(
            key, lambda: search_assets(client, filters, fields=fields, limit=limit)
        )

    async def count(self, filters: Sequence[Filter]) -> int:
        client = self._ctx.client
        return await self._cached(("count", _key(filters)), lambda: count_assets(client, filters))

    async def find(self, kind: str, value: str) -> AssetMatch:
        client = self._ctx.client
        return await self._cached(("find", kind, value), lambda: match_assets(client, kind, value))

    async def tags(self) -> TagListing:
        client = self._ctx.client
        return await self._cached(("tags",), lambda: list_tags(client))


def _key(filters: Sequence[Filter]) -> tuple[tuple[str, str, str], ...]:
    return tuple((f["field"], f["operator"], f["value"]) for f in filters)


async def gather_all(calls: Sequence[Awaitable[T]], *, at_once: int = 4) -> list[T]:
    """Await every call, `at_once` at a time; then raise the first failure, if any."""
    gate = asyncio.Semaphore(at_once)

    async def one(call: Awaitable[T]) -> T:
        async with gate:
            return await call

    results = await asyncio.gather(*(one(call) for call in calls), return_exceptions=True)
    found: list[T] = []
    for result in results:
        if isinstance(result, BaseException):
            raise result
        found.append(result)
    return found


async def gather_pair(first: Awaitable[T], second: Awaitable[U]) -> tuple[T, U]:
    """Both results, awaited together; then the first failure, if any."""
    one, two = await asyncio.gather(first, second, return_exceptions=True)
    if isinstance(one, BaseException):
        raise one
    if isinstance(two, BaseException):
        raise two
    return one, two


def scope_filters(ctx: AggregatorContext) -> list[Filter]:
    tag = ctx.params.get("tag")
    return [tag_filter(tag)] if tag else []


def tag_phrase(ctx: AggregatorContext) -> str:
    tag = ctx.params.get("tag")
    return f" tagged {tag}" if tag else ""


def limit_of(ctx: AggregatorContext) -> int:
    return int(ctx.params.get("limit") or 25)


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def iso_text(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None


def days_since(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, (now - moment).days)


def software_rows(items: Sequence[Software]) -> list[dict[str, Any]]:
    return [item.model_dump() for item in items]


def asset_row(asset: Asset, *, now: datetime, detail: bool) -> dict[str, Any]:
    """One asset of a list: the essentials, and everything but the software with `detail`."""
    row: dict[str, Any] = {
        "asset_id": asset.asset_id,
        "host_id": asset.host_id,
        "name": asset.label,
        "address": asset.address,
        "os": asset.os,
        "os_lifecycle": asset.os_lifecycle,
        "trurisk": asset.trurisk,
        "trurisk_band": trurisk_band(asset.trurisk),
        "criticality": asset.criticality,
        "tags": list(asset.tags),
        "last_scanned": iso_text(asset.last_scanned),
        "days_since_scan": days_since(asset.last_scanned, now),
    }
    if detail:
        row |= {
            "dns": asset.dns,
            "netbios": asset.netbios,
            "hardware_model": asset.hardware_model,
            "hardware_lifecycle": asset.hardware_lifecycle,
            "last_modified": iso_text(asset.last_modified),
            "cloud_provider": asset.cloud_provider,
            "vuln_count": asset.vuln_count,
        }
    return row


def lookup_record(
    asset: Asset, matched_by: str | None, *, now: datetime, detail: bool
) -> dict[str, Any]:
    """The record shape of vmdr.asset_lookup (the module docstring lists it)."""
    record = asset_row(asset, now=now, detail=True)
    record["name"] = asset.name
    record |= {
        "eol_software": software_rows(asset.eol_software),
        "software_count": len(asset.software),
        "matched_by": matched_by,
    }
    if detail:
        record["software"] = software_rows(asset.software)
    return record


Severity = Literal["critical", "high", "medium", "low", "info"]
_BAND_SEVERITY: dict[str | None, Severity] = {
    "critical": "critical",
    "high": "high",
    "medium": "medium",
    "low": "low",
}


def severity_of(band: str | None) -> Severity:
    return _BAND_SEVERITY.get(band, "info")


def by_risk(asset: Asset) -> tuple[int, int, int]:
    return (
        -(asset.trurisk if asset.trurisk is not None else -1),
        -(asset.criticality or 0),
        asset.asset_id,
    )


def by_criticality(asset: Asset) -> tuple[int, ...]:
    return (-(asset.criticality or 0), *by_risk(asset))
