"""Rank what is open across the estate: top findings (assess_risk vms, security_overview),
new criticals in a period, patch priorities and mitigations (plan_remediation), software.

All of them read the same cached detection summary (`exposure.inventory`), so one tool call
pulls detections once however many of these run; KnowledgeBase entries are fetched only for
the QIDs an answer shows.
"""

from __future__ import annotations

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
from qualys_vmdr.aggregators.exposure import (
    Exposure,
    QidStats,
    exposure,
    fill_criticality,
    inventory,
    priority_score,
    query_for,
)
from qualys_vmdr.aggregators.kbview import KEV_TAG, is_exploited, severity_word
from qualys_vmdr.api.kb import KbEntry, cve_qids, kb_entries

__all__ = ["AGGREGATORS", "TIERS", "period_days"]

TIERS: tuple[TierSpec, ...] = ()
_PERIOD_DAYS = {"today": 1, "week": 7, "month": 30}


def period_days(ctx: AggregatorContext) -> int:
    return _PERIOD_DAYS.get(str(ctx.params.get("period") or "week"), 7)


def _limit(ctx: AggregatorContext) -> int:
    return int(ctx.params.get("limit") or 25)


def _row(stats: QidStats, entry: KbEntry | None, **extra: Any) -> dict[str, Any]:
    return {
        "qid": stats.qid,
        "title": entry.title if entry else None,
        "severity": stats.severity,
        "hosts": stats.hosts,
        "internet_facing": stats.internet_facing,
        "max_qds": stats.max_qds,
        "threat_intel": entry.threat_intel if entry else [],
        "cves": entry.cves[:5] if entry else [],
        **extra,
    }


_SORTS = {
    "qds": lambda s: (s.max_qds, s.hosts),
    "severity": lambda s: (s.severity, s.max_qds, s.hosts),
    "last_seen": lambda s: (s.new_within(31), s.max_qds),
    "risk": lambda s: (s.max_qds * (1 + s.internet_facing) * s.hosts, s.severity),
}


async def top_vulns(ctx: AggregatorContext) -> AggregatorResult:
    """The open severity 4-5 QIDs that matter most, by the call's sort order."""
    summary = await inventory(ctx)
    order = _SORTS.get(str(ctx.params.get("sort_by") or "risk"), _SORTS["risk"])
    ranked = sorted(summary.qids.values(), key=order, reverse=True)
    shown = ranked[: _limit(ctx)]
    entries = await kb_entries(ctx.client, ctx.cache, [s.qid for s in shown])
    rows = [_row(s, entries.get(s.qid)) for s in shown]
    urgent = [s for s in summary.qids.values() if s.max_qds >= 90]
    severe_hosts = summary.host_count
    stats: dict[str, int | float | str] = {
        "open_qids_sev4_5": len(summary.qids),
        "hosts_with_sev4_5": severe_hosts,
        "detections_sev4_5": summary.detection_count,
        "qids_qds_90_plus": len(urgent),
    }
    findings = []
    if urgent:
        top = max(urgent, key=lambda s: (s.max_qds, s.hosts))
        entry = entries.get(top.qid)
        findings.append(
            Finding(
                text=f"{len(urgent)} open QIDs score QDS 90+; worst: "
                f"{entry.title if entry else 'QID ' + str(top.qid)} (QDS {top.max_qds}) on "
                f"{top.hosts} hosts",
                severity="critical",
            )
        )
    elif ranked:
        findings.append(
            Finding(
                text=f"{len(summary.qids)} severity 4-5 QIDs open on {severe_hosts} hosts",
                severity="high",
            )
        )
    return AggregatorResult(
        records=rows,
        total=len(ranked),
        stats=stats,
        findings=findings,
        actions=[
            Action(
                priority=2,
                title="Plan patches for the top findings",
                why="QDS folds in exploitation and exposure; fix the highest first.",
                tool="plan_remediation",
                arguments={"scope": "patches"},
            )
        ]
        if ranked
        else [],
    )


async def new_criticals(ctx: AggregatorContext) -> AggregatorResult:
    """Severity 4-5 detections first found in the briefing period."""
    days = period_days(ctx)
    summary = await inventory(ctx)
    fresh = [s for s in summary.qids.values() if s.new_within(days)]
    fresh.sort(key=lambda s: (s.new_within(days) * max(1, s.max_qds), s.severity), reverse=True)
    shown = fresh[: _limit(ctx)]
    entries = await kb_entries(ctx.client, ctx.cache, [s.qid for s in shown])
    rows = [_row(s, entries.get(s.qid), new_detections=s.new_within(days)) for s in shown]
    count = sum(s.new_within(days) for s in fresh)
    exploited = [s for s in shown if is_exploited(entries.get(s.qid))]
    window = {1: "today", 7: "in the last 7 days", 30: "in the last 30 days"}[days]
    findings = []
    if count:
        extra = f", {len(exploited)} of them actively exploited" if exploited else ""
        findings.append(
            Finding(
                text=f"{count} new severity 4-5 detections {window} on {len(fresh)} QIDs{extra}",
                severity="critical" if exploited or any(s.severity == 5 for s in fresh) else "high",
            )
        )
    else:
        findings.append(Finding(text=f"No new severity 4-5 detections {window}"))
    return AggregatorResult(
        records=rows,
        total=len(fresh),
        stats={"new_critical_detections": count, "new_critical_qids": len(fresh)},
        findings=findings,
    )


async def _candidates(ctx: AggregatorContext) -> tuple[Exposure, list[QidStats]]:
    """The open QIDs plan_remediation ranks: those asked for, or severity >= the minimum."""
    qids: set[int] = set(ctx.params.get("qids") or ())
    for cve in ctx.params.get("cves") or ():
        qids.update(await cve_qids(ctx.client, ctx.cache, cve))
    severity = int(ctx.params.get("severity") or 4)
    if qids:
        query = query_for(ctx, qids=tuple(sorted(qids)), statuses=("New", "Active", "Re-Opened"))
        summary = await exposure(ctx, query, keep_hosts=False)
    elif severity >= 4:
        summary = await inventory(ctx)
    else:
        summary = await inventory(ctx, severities=tuple(range(severity, 6)))
    platform = ctx.params.get("platform")
    chosen = [
        s
        for s in summary.qids.values()
        if s.severity >= (1 if qids else severity) and (not platform or s.platforms[platform])
    ]
    return summary, chosen


async def _ranked(ctx: AggregatorContext, *, patchable: bool) -> tuple[list[dict[str, Any]], int]:
    _, chosen = await _candidates(ctx)
    chosen.sort(key=lambda s: (s.max_qds, s.hosts), reverse=True)
    pool = chosen[: _limit(ctx) * 4]
    entries = await kb_entries(ctx.client, ctx.cache, [s.qid for s in pool])
    pool = [
        s
        for s in pool
        if (entries.get(s.qid) is not None) and entries[s.qid].patchable == patchable
    ]
    await fill_criticality(ctx, pool)
    platform = ctx.params.get("platform")
    rows = []
    for stats in pool:
        entry = entries[stats.qid]
        exploited = is_exploited(entry)
        score = priority_score(stats, exploited=exploited, kev=KEV_TAG in entry.threat_intel)
        hosts = stats.platforms[platform] if platform else stats.hosts
        rows.append(
            _row(
                stats,
                entry,
                hosts=hosts,
                priority=score,
                max_criticality=stats.max_criticality or None,
                exploited=exploited,
                solution=entry.solution[:300],
            )
        )
    rows.sort(key=lambda r: -float(r["priority"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows, len(chosen)


async def patch_priorities(ctx: AggregatorContext) -> AggregatorResult:
    """What to patch first: QDS x asset criticality x exploitability x spread."""
    rows, considered = await _ranked(ctx, patchable=True)
    findings = []
    actions = []
    if rows:
        top = rows[0]
        findings.append(
            Finding(
                text=f"Patch first: {top['title']} (QID {top['qid']}) on {top['hosts']} hosts, "
                f"QDS {top['max_qds']}",
                severity=severity_word(int(top["severity"]), exploited=bool(top["exploited"])),
            )
        )
        for row in rows[:3]:
            actions.append(
                Action(
                    priority=1 if row["exploited"] else 2,
                    title=f"Deploy the fix for QID {row['qid']} ({row['hosts']} hosts)",
                    why=str(row["solution"])[:160] or "Vendor patch available.",
                )
            )
    return AggregatorResult(
        records=rows,
        total=len(rows),
        stats={"qids_considered": considered, "patchable_ranked": len(rows)},
        findings=findings,
        actions=actions,
    )


async def mitigations(ctx: AggregatorContext) -> AggregatorResult:
    """Open QIDs without a vendor patch, with the KnowledgeBase's workaround text."""
    rows, _ = await _ranked(ctx, patchable=False)
    for row in rows:
        row["mitigation"] = row.pop("solution")
    findings = []
    if rows:
        exploited = sum(1 for r in rows if r["exploited"])
        findings.append(
            Finding(
                text=f"{len(rows)} open QIDs have no patch; apply the KnowledgeBase mitigations"
                + (f" ({exploited} actively exploited)" if exploited else ""),
                severity="high" if exploited else "medium",
            )
        )
    return AggregatorResult(records=rows, total=len(rows), findings=findings)


async def exploited_hosts(ctx: AggregatorContext) -> AggregatorResult:
    """Hosts carrying open severity 4-5 QIDs that are exploited in the wild (RTI tags)."""
    summary = await inventory(ctx)
    entries = await kb_entries(ctx.client, ctx.cache, summary.qids)
    exploited = sorted(q for q, entry in entries.items() if is_exploited(entry))
    if not exploited:
        return AggregatorResult(stats={"exploited_qids": 0, "exploited_hosts": 0})
    query = query_for(ctx, qids=tuple(exploited), statuses=("New", "Active", "Re-Opened"))
    hits = await exposure(ctx, query)
    hosts = sorted(hits.hosts, key=lambda hit: hit.rank, reverse=True)
    rows = []
    for hit in hosts:
        row = hit.record()
        row["exploited_qids"] = row.pop("qids")
        rows.append(row)
    facing = sum(1 for hit in hosts if hit.internet_facing)
    finding = Finding(
        text=f"{len(hosts)} hosts carry actively exploited vulnerabilities ({len(exploited)} QIDs)"
        + (f", {facing} of them internet-facing" if facing else ""),
        severity="critical" if facing else "high",
    )
    return AggregatorResult(
        records=rows,
        total=len(rows),
        stats={"exploited_qids": len(exploited), "exploited_hosts": len(hosts)},
        findings=[finding],
    )


async def software_vulns(ctx: AggregatorContext) -> AggregatorResult:
    """Open QIDs whose KnowledgeBase entry names the software (title first, then text)."""
    intent = ctx.intent
    assert intent is not None
    term = str(ctx.params.get("software") or intent.normalized).strip().lower()
    summary = await inventory(ctx, severities=(3, 4, 5))
    entries = await kb_entries(ctx.client, ctx.cache, summary.qids)
    matched = [e for e in entries.values() if term in e.title.lower()]
    if not matched:
        matched = [e for e in entries.values() if term in e.diagnosis.lower()]
    rows = [_row(summary.qids[e.qid], e) for e in matched]
    rows.sort(key=lambda r: (-int(r["max_qds"]), -int(r["hosts"])))
    findings = []
    if rows:
        hosts = sum(int(r["hosts"]) for r in rows)
        findings.append(
            Finding(
                text=f"'{term}': {len(rows)} open QIDs, {hosts} host detections",
                severity=severity_word(max(int(r["severity"]) for r in rows)),
            )
        )
    return AggregatorResult(records=rows, total=len(rows), findings=findings)


AGGREGATORS: tuple[Aggregator, ...] = (
    Aggregator(
        name="vmdr.top_vulns",
        title="Top open vulnerabilities",
        fn=top_vulns,
        serves=(
            Serves(tool="assess_risk", scopes=frozenset({"vms"})),
            Serves(tool="security_overview", scopes=frozenset({"vulns"})),
        ),
        module="VMDR",
        cost="medium",
    ),
    Aggregator(
        name="vmdr.exploited_hosts",
        title="Hosts with actively exploited vulnerabilities",
        fn=exploited_hosts,
        serves=(Serves(tool="assess_risk", scopes=frozenset({"vms", "assets"})),),
        module="VMDR",
        cost="medium",
    ),
    Aggregator(
        name="vmdr.new_criticals",
        title="New critical detections",
        fn=new_criticals,
        serves=(Serves(tool="security_overview", scopes=frozenset({"vulns"})),),
        module="VMDR",
        cost="medium",
    ),
    Aggregator(
        name="vmdr.patch_priorities",
        title="Patch priorities",
        fn=patch_priorities,
        serves=(Serves(tool="plan_remediation", scopes=frozenset({"patches"})),),
        module="VMDR",
        cost="medium",
    ),
    Aggregator(
        name="vmdr.mitigations",
        title="Mitigations where no patch exists",
        fn=mitigations,
        serves=(Serves(tool="plan_remediation", scopes=frozenset({"mitigations"})),),
        module="VMDR",
        cost="medium",
    ),
    Aggregator(
        name="vmdr.software_vulns",
        title="Vulnerabilities by software",
        fn=software_vulns,
        serves=(
            Serves(
                tool="investigate",
                scopes=frozenset({"vulns"}),
                intents=frozenset({"software", "free_text"}),
            ),
        ),
        module="VMDR",
        cost="high",
    ),
)
