"""Cross-source insights the VMDR plugin owns.

- A CVE on internet-facing or high-criticality assets: the KnowledgeBase says how dangerous
  it is (exploited, CISA KEV, severity), the detections say where it is open.
- Actively exploited QIDs on assets whose scans are stale: the detections say the host
  carries an exploited flaw, CSAM says nobody has looked at the host recently, so its real
  exposure is likely worse than reported.
"""

from __future__ import annotations

from typing import Any

from qualys_core.plugins import Action, Correlation, CorrelationContext, CorrelationFinding
from qualys_vmdr.aggregators.kbview import EXPLOITED_TAGS, KEV_TAG

__all__ = ["CORRELATIONS"]

_HIGH_CRITICALITY = 4


async def cve_on_exposed_assets(ctx: CorrelationContext) -> list[CorrelationFinding]:
    kb = ctx.results["vmdr.kb"].records
    hosts = ctx.results["vmdr.affected_hosts"].records
    exposed = [
        h
        for h in hosts
        if h.get("internet_facing") or (h.get("criticality") or 0) >= _HIGH_CRITICALITY
    ]
    if not exposed:
        return []
    label = ctx.intent.normalized if ctx.intent else "This vulnerability"
    tags = {tag for entry in kb for tag in entry.get("threat_intel") or ()}
    exploited = bool(tags & EXPLOITED_TAGS)
    worst = max((int(entry.get("severity") or 0) for entry in kb), default=0)
    facing = sum(1 for h in exposed if h.get("internet_facing"))
    critical = sum(1 for h in exposed if (h.get("criticality") or 0) >= _HIGH_CRITICALITY)
    why = []
    if KEV_TAG in tags:
        why.append("it is on CISA's Known Exploited Vulnerabilities list")
    elif exploited:
        why.append("it is exploited in the wild")
    items: list[dict[str, Any]] = [
        {
            "host_id": h.get("host_id"),
            "asset_id": h.get("asset_id"),
            "ip": h.get("ip"),
            "dns": h.get("dns"),
            "internet_facing": h.get("internet_facing"),
            "criticality": h.get("criticality"),
            "qds": h.get("qds"),
        }
        for h in exposed
    ]
    severity = "critical" if exploited or worst >= 5 else "high"
    reason = f"; {why[0]}" if why else ""
    return [
        CorrelationFinding(
            title=f"{label} is open on {facing} internet-facing and {critical} "
            "high-criticality assets",
            severity=severity,
            detail=f"Severity {worst} in the KnowledgeBase{reason}. These hosts are the ones an "
            "attacker reaches first or that hurt most when compromised.",
            items=items,
            total=len(items),
            actions=[
                Action(
                    priority=1,
                    title=f"Patch or isolate the {len(items)} exposed assets with {label} first",
                    why="Exposure times criticality: fix these before the rest of the estate.",
                )
            ],
        )
    ]


async def exploited_on_stale_assets(ctx: CorrelationContext) -> list[CorrelationFinding]:
    exploited = ctx.results["vmdr.exploited_hosts"].records
    stale = ctx.results["vmdr.stale_assets"].records
    stale_hosts = {r.get("host_id") for r in stale if r.get("host_id") is not None}
    stale_assets = {r.get("asset_id") for r in stale if r.get("asset_id") is not None}
    last_seen = {r.get("host_id"): r.get("last_scanned") for r in stale}
    items = [
        {
            "host_id": h.get("host_id"),
            "asset_id": h.get("asset_id"),
            "ip": h.get("ip"),
            "dns": h.get("dns"),
            "exploited_qids": h.get("exploited_qids"),
            "last_scanned": last_seen.get(h.get("host_id")) or h.get("last_scan"),
        }
        for h in exploited
        if h.get("host_id") in stale_hosts or h.get("asset_id") in stale_assets
    ]
    if not items:
        return []
    return [
        CorrelationFinding(
            title=f"{len(items)} hosts with actively exploited vulnerabilities have stale scans",
            severity="critical",
            detail="Their last scan or agent check-in is old, so newer exploited flaws on them "
            "are not yet reported: the real exposure is likely worse than shown.",
            items=items,
            total=len(items),
            actions=[
                Action(
                    priority=1,
                    title="Rescan the stale hosts that carry exploited vulnerabilities",
                    why="Fresh results first, then patch: stale data hides new exploited flaws.",
                )
            ],
        )
    ]


CORRELATIONS: tuple[Correlation, ...] = (
    Correlation(
        name="vmdr.cve_on_exposed_assets",
        title="Vulnerability on internet-facing or high-criticality assets",
        needs=("vmdr.kb", "vmdr.affected_hosts"),
        fn=cve_on_exposed_assets,
        tools=frozenset({"investigate"}),
    ),
    Correlation(
        name="vmdr.exploited_on_stale_assets",
        title="Actively exploited vulnerabilities on assets with stale scans",
        needs=("vmdr.exploited_hosts", "vmdr.stale_assets"),
        fn=exploited_on_stale_assets,
        tools=frozenset({"assess_risk"}),
    ),
)
