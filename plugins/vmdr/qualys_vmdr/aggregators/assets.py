"""VMDR's asset area, from CSAM: the asset an investigate target names, and the registration of
the area's aggregators (the assess_risk views live in `asset_risk`) and its `csam` cache tier.

Records of ``vmdr.asset_lookup`` (one per matching asset; other aggregators
read the same intent and rely on this shape):

    asset_id int · host_id int|None (the VMDR host id) · name, dns, netbios, address str|None
    os, os_lifecycle, hardware_model, hardware_lifecycle str|None (lifecycle: GA, EOS, EOL...)
    trurisk int|None (0-1000) · trurisk_band "critical"|"high"|"medium"|"low"|None
    criticality int|None (1-5) · tags list[str] · cloud_provider str|None · vuln_count int|None
    last_scanned, last_modified ISO 8601 str|None · days_since_scan int|None
    eol_software list[{name, version, lifecycle}] · software_count int
    software list[{name, version, lifecycle}] (only with detail=true)
    matched_by "asset.id"|"interfaces.address"|"asset.name"|"short name"

The list aggregators return the same keys, fewer without detail (see `asset_row`).
"""

from __future__ import annotations

from datetime import datetime

from qualys_core.plugins import (
    Action,
    Aggregator,
    AggregatorContext,
    AggregatorResult,
    Finding,
    Serves,
    TierSpec,
)
from qualys_vmdr.aggregators.asset_risk import (
    eol_assets,
    risky_assets,
    stale_assets,
    tag_breakdown,
)
from qualys_vmdr.aggregators.csam_context import (
    CSAM_TIER,
    CsamCalls,
    days_since,
    lookup_record,
    severity_of,
)
from qualys_vmdr.api.csam import LOOKUP_KINDS, Asset, end_of_life, trurisk_band

__all__ = ["AGGREGATORS", "TIERS", "asset_lookup"]


_KIND_TEXT = {
    "asset_id": "asset id",
    "ipv4": "IP address",
    "ipv6": "IPv6 address",
    "hostname": "host name",
}


def _asset_findings(asset: Asset, now: datetime) -> list[Finding]:
    label = f"{asset.label} ({asset.address})" if asset.address else asset.label
    band = trurisk_band(asset.trurisk)
    risk = f"TruRisk {asset.trurisk} ({band})" if band else "no TruRisk score"
    found = [
        Finding(
            text=f"{label}: {risk}, criticality {asset.criticality or '?'}/5",
            severity=severity_of(band),
        )
    ]
    if end_of_life(asset.os_lifecycle):
        found.append(
            Finding(text=f"{asset.label} runs {asset.os} ({asset.os_lifecycle})", severity="medium")
        )
    if end_of_life(asset.hardware_lifecycle):
        text = f"{asset.label} hardware {asset.hardware_model} is {asset.hardware_lifecycle}"
        found.append(Finding(text=text, severity="medium"))
    eol = asset.eol_software
    if eol:
        names = ", ".join(f"{s.name} {s.version or ''}".strip() for s in eol[:3])
        text = f"{asset.label} has {len(eol)} end-of-life software package(s): {names}"
        found.append(Finding(text=text, severity="medium"))
    days = days_since(asset.last_scanned, now)
    if days is None or days > 30:
        when = "has no VM scan on record" if days is None else f"was last scanned {days} days ago"
        found.append(Finding(text=f"{asset.label} {when}", severity="medium"))
    return found


async def asset_lookup(ctx: AggregatorContext) -> AggregatorResult:
    """The CSAM asset an IP, hostname or asset id names, with its risk context."""
    intent = ctx.intent
    if intent is None or intent.kind not in LOOKUP_KINDS:
        return AggregatorResult()
    csam = CsamCalls(ctx)
    match = await csam.find(intent.kind, intent.normalized)
    what = f"{_KIND_TEXT[intent.kind]} {intent.normalized}"
    if not match.assets:
        tried = "; ".join(match.tried) or "no search (an asset id is digits only)"
        return AggregatorResult(
            total=0,
            stats={"assets_matched": 0},
            findings=[Finding(text=f"No CSAM asset matches {what}", severity="info")],
            actions=[
                Action(
                    priority=3,
                    title="Check the target's spelling, or search with free text",
                    why=f"CSAM found nothing for {tried}. Names must match exactly: check the "
                    "spelling, try the IP address or asset id, or investigate a free-text "
                    "description of the host.",
                )
            ],
            cached=not csam.fetched,
        )
    detail = bool(ctx.params.get("detail"))
    records = [lookup_record(a, match.matched_by, now=ctx.now, detail=detail) for a in match.assets]
    findings = [f for asset in match.assets[:3] for f in _asset_findings(asset, ctx.now)]
    if len(match.assets) > 1:
        count = f"{len(match.assets)}{'+' if match.more else ''}"
        findings.append(Finding(text=f"{count} CSAM assets match {what}", severity="info"))
    return AggregatorResult(
        records=records,
        total=None if match.more else len(records),
        truncated=match.more,
        more="use the asset id for one asset" if match.more else None,
        stats={"assets_matched": len(records)},
        findings=findings,
        cached=not csam.fetched,
    )


# ---------------------------------------------------------------------- registration

_ASSESS = "assess_risk"
AGGREGATORS: tuple[Aggregator, ...] = (
    Aggregator(
        name="vmdr.asset_lookup",
        title="CSAM asset",
        fn=asset_lookup,
        serves=(
            Serves(tool="investigate", scopes=frozenset({"assets", "vulns"}), intents=LOOKUP_KINDS),
        ),
        module="CSAM",
        cache_tier=CSAM_TIER,
        cost="low",
        timeout=35,
    ),
    Aggregator(
        name="vmdr.risky_assets",
        title="Riskiest assets (TruRisk)",
        fn=risky_assets,
        serves=(Serves(tool=_ASSESS, scopes=frozenset({"vms", "assets"})),),
        module="CSAM",
        cache_tier=CSAM_TIER,
        cost="medium",
        timeout=45,
    ),
    Aggregator(
        name="vmdr.eol_assets",
        title="End-of-life OS, hardware and software",
        fn=eol_assets,
        serves=(Serves(tool=_ASSESS, scopes=frozenset({"assets"})),),
        module="CSAM",
        cache_tier=CSAM_TIER,
        cost="high",
        timeout=50,
    ),
    Aggregator(
        name="vmdr.stale_assets",
        title="Stale assets (not updated or scanned)",
        fn=stale_assets,
        serves=(Serves(tool=_ASSESS, scopes=frozenset({"assets"})),),
        module="CSAM",
        cache_tier=CSAM_TIER,
        cost="low",
        timeout=30,
    ),
    Aggregator(
        name="vmdr.tag_breakdown",
        title="Assets and TruRisk per tag",
        fn=tag_breakdown,
        serves=(Serves(tool=_ASSESS, scopes=frozenset({"assets"})),),
        module="CSAM",
        cache_tier=CSAM_TIER,
        cost="high",
        timeout=50,
    ),
)
TIERS: tuple[TierSpec, ...] = (
    TierSpec(
        CSAM_TIER,
        ttl=300,
        maxsize=1024,
        description="CSAM asset searches, counts, lookups and tag lists, keyed by every filter",
    ),
)
