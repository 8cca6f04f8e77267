"""TotalCloud resource inventory for assess_risk (scope cloud): how many VMs each provider's
accounts hold, and with `service` or `detail` how many resources of each type.

Providers are asked in parallel; one that does not answer is reported and the others still
count. VM counts come from the v2 inventory (`pageSize=1`, `totalHits`) for every provider;
per-type counts and the listing of a service's resources come from v1, except for OCI,
whose inventory the reference reads from v2 only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from qualys_core.plugins import (
    Action,
    Aggregator,
    AggregatorContext,
    AggregatorResult,
    Finding,
    Serves,
    TierSpec,
)
from qualys_totalcloud.aggregators.fanout import fan_out, provider_name, providers_of
from qualys_totalcloud.api.resources import (
    SERVICE_TYPES,
    VM_TYPES,
    Api,
    CloudResource,
    count_resources,
    inventory_api,
    list_resources,
    types_for_service,
)

__all__ = ["AGGREGATORS", "RESOURCES_TIER", "TIERS", "inventory"]

RESOURCES_TIER = TierSpec(
    "totalcloud_resources", 300, 256, "TotalCloud resource counts and listings by provider/type"
)
_RANK = {"CRITICAL": 4, "HIGH": 3, "MEDIUM": 2, "LOW": 1}


@dataclass
class _Inventory:
    """What one provider answered."""

    vms: int
    types: dict[str, tuple[int, Api]] = field(default_factory=dict)
    listing: list[CloudResource] = field(default_factory=list)
    listed_of: int = 0  # how many resources of the listed types exist


def _account_filter(ctx: AggregatorContext) -> str | None:
    """`account_id` as the inventory filter. `cloudAccountId` is the account field of
    qualysdk's resource models; no source shows the filter token itself, so it is our choice
    (the simulator accepts it)."""
    account = ctx.params.get("account_id")
    return f"cloudAccountId:{account}" if account else None


async def _cached_count(
    ctx: AggregatorContext, provider: str, kind: str, api: Api, filter: str | None
) -> int:
    async def fetch() -> int:
        return await count_resources(ctx.client, provider, kind, api=api, filter=filter)

    key = ("count", api, provider, kind, filter)
    return await ctx.cache.get_or_fetch(RESOURCES_TIER.name, key, fetch)


async def _cached_listing(
    ctx: AggregatorContext, provider: str, kind: str, limit: int, filter: str | None
) -> tuple[list[CloudResource], int | None]:
    async def fetch() -> tuple[list[CloudResource], int | None]:
        return await list_resources(ctx.client, provider, kind, limit=limit, filter=filter)

    key = ("list", inventory_api(provider), provider, kind, limit, filter)
    return await ctx.cache.get_or_fetch(RESOURCES_TIER.name, key, fetch)


def _wanted_types(ctx: AggregatorContext, provider: str) -> tuple[str, ...]:
    service = ctx.params.get("service")
    if service:
        return types_for_service(provider, str(service))
    if ctx.params.get("detail"):
        # The VM type is counted from v2 already.
        types = [t for group in SERVICE_TYPES[provider].values() for t in group]
        return tuple(t for t in dict.fromkeys(types) if t != VM_TYPES[provider])
    return ()


async def _provider(ctx: AggregatorContext, provider: str, limit: int) -> _Inventory:
    types = _wanted_types(ctx, provider)
    api = inventory_api(provider)
    account = _account_filter(ctx)
    counts = await asyncio.gather(
        _cached_count(ctx, provider, VM_TYPES[provider], "v2", account),
        *(_cached_count(ctx, provider, kind, api, account) for kind in types),
    )
    found = _Inventory(
        vms=counts[0], types={k: (n, api) for k, n in zip(types, counts[1:], strict=True)}
    )
    if ctx.params.get("service"):
        listings = await asyncio.gather(
            *(_cached_listing(ctx, provider, k, limit, account) for k in types)
        )
        for items, total in listings:
            found.listing.extend(items)
            found.listed_of += total if total is not None else len(items)
    return found


def _resource_row(resource: CloudResource, detail: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": "resource",
        "provider": provider_name(resource.provider),
        "resource_type": resource.resource_type,
        "resource_id": resource.resource_id,
        "name": resource.name,
        "region": resource.region,
        "account_id": resource.account_id,
        "criticality": resource.criticality,
    }
    if detail:
        row.update(
            uuid=resource.uuid,
            connector_id=resource.connector_id,
            evaluated_on=resource.evaluated_on,
            created=resource.created,
            controls_failed=resource.controls_failed,
        )
    return row


def _headline(done: dict[str, _Inventory], order: Sequence[str]) -> Finding:
    parts = [f"{provider_name(p)} {done[p].vms:,}" for p in order if p in done]
    total = sum(i.vms for i in done.values())
    return Finding(text=f"{total:,} cloud VMs in the TotalCloud inventory: {', '.join(parts)}")


async def inventory(ctx: AggregatorContext) -> AggregatorResult:
    """VM counts per provider; with `service` or `detail`, counts (and listings) by type."""
    providers = providers_of(ctx)
    limit = int(ctx.params.get("limit") or 25)
    detail = bool(ctx.params.get("detail"))
    service = ctx.params.get("service")
    done = await fan_out(providers, lambda p: _provider(ctx, p, limit))
    order = [p for p in providers if p in done.results]
    records: list[dict[str, Any]] = []
    for provider in order:
        found = done.results[provider]
        rows = [(kind, count, api) for kind, (count, api) in found.types.items()]
        if not service:  # with a service, its types are the rows; VM counts stay in stats
            rows.insert(0, (VM_TYPES[provider], found.vms, "v2"))
        records.extend(
            {"kind": "count", "provider": provider_name(provider), "resource_type": kind,
             "count": count, "api": api}
            for kind, count, api in rows
        )  # fmt: skip
    listing = [r for p in order for r in done.results[p].listing]
    listing.sort(key=lambda r: (-_RANK.get(r.criticality or "", 0), r.provider, r.name or ""))
    listed_of = sum(done.results[p].listed_of for p in order)
    counted = len(records)
    records.extend(_resource_row(r, detail) for r in listing[:limit])
    stats: dict[str, int | float | str] = {"cloud_vms": sum(i.vms for i in done.results.values())}
    stats.update({f"vms_{p}": done.results[p].vms for p in order})
    findings = [_headline(done.results, order)]
    actions: list[Action] = []
    if service:
        matched = {p: i.types for p, i in done.results.items() if i.types}
        if matched:
            stats["service_resources"] = sum(n for t in matched.values() for n, _ in t.values())
            per = "; ".join(
                f"{provider_name(p)} " + ", ".join(f"{k} {n:,}" for k, (n, _) in t.items())
                for p, t in matched.items()
            )
            findings.append(Finding(text=f"Service {service}: {per}"))
        else:
            known = sorted({s for p in order for s in SERVICE_TYPES[p]})
            findings.append(
                Finding(
                    text=f"No resource type of {', '.join(provider_name(p) for p in order)} "
                    f"matches service {service!r}; known services: {', '.join(known)}",
                    severity="low",
                )
            )
    elif not detail:
        args: dict[str, Any] = {"scope": "cloud", "detail": True}
        if ctx.params.get("provider"):
            args["provider"] = ctx.params["provider"]
        actions.append(
            Action(
                priority=4,
                title="Break the cloud inventory down by resource type",
                why="Per-type counts show where buckets, security groups and identities "
                "sit beside the VMs.",
                tool="assess_risk",
                arguments=args,
            )
        )
    if done.errors:
        stats["failed_providers"] = ", ".join(provider_name(p) for p in done.errors)
        findings.extend(done.failure_findings(provider_name))
    total = counted + listed_of
    return AggregatorResult(
        records=records,
        total=total,
        truncated=len(records) < total,
        more="raise limit" if len(records) < total else None,
        stats=stats,
        findings=findings,
        actions=actions,
    )


AGGREGATORS: list[Aggregator] = [
    Aggregator(
        name="totalcloud.inventory",
        title="TotalCloud resource inventory",
        fn=inventory,
        serves=(Serves(tool="assess_risk", scopes=frozenset({"cloud"})),),
        module="TotalCloud",
        cache_tier=RESOURCES_TIER.name,
        cost="low",
    )
]
TIERS: list[TierSpec] = [RESOURCES_TIER]
