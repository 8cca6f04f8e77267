"""Investigate with VMDR: a CVE or QID (KnowledgeBase, affected hosts, QDS), one host's
detections, a threat (RTI tags, named actors and malware), software.

Record shapes (compact unless the call sets detail=true):
- vmdr.kb: one row per QID: qid, title, severity, cves, cvss_v3, patchable, threat_intel,
  exploits (count; the list with detail), solution (trimmed).
- vmdr.affected_hosts: one row per host: host_id, asset_id, ip, dns, os, internet_facing,
  criticality, trurisk, qids, severity, qds, status, first_found, last_scan.
- vmdr.qds: one row per QID: qid, hosts, max_qds, qds_severity, factors.
- vmdr.host_vulns: one row per detection of the host: qid, title, severity, qds, status,
  first_found, threat_intel, patchable.
- vmdr.threats: one row per QID: qid, title, severity, threat_intel, hosts, max_qds, cves.
"""

from __future__ import annotations

import re
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
from qualys_core.plugins.records import Severity
from qualys_vmdr.aggregators.csam_context import CsamCalls
from qualys_vmdr.aggregators.exposure import exposure, inventory, query_for
from qualys_vmdr.aggregators.kbview import (
    EXPLOITED_TAGS,
    KEV_TAG,
    kb_record,
    severity_word,
)
from qualys_vmdr.api.detections import DetectionQuery, pull_host_detections
from qualys_vmdr.api.hosts import list_hosts
from qualys_vmdr.api.kb import KbEntry, cve_qids, kb_entries

__all__ = ["AGGREGATORS", "TIERS", "intent_qids"]

TIERS: tuple[TierSpec, ...] = (
    TierSpec("vmdr_hosts", 300, 4096, "VM host list records (criticality, TruRisk) by host ids"),
)
_VULN_INTENTS = frozenset({"cve", "qid"})
_HOST_INTENTS = frozenset({"ipv4", "ipv6", "hostname", "asset_id"})
_OPEN = ("New", "Active", "Re-Opened")


async def intent_qids(ctx: AggregatorContext) -> tuple[str, list[int]]:
    """The investigated CVE or QID and the QIDs it stands for (empty when the KB has none)."""
    intent = ctx.intent
    if intent is None:
        return "", []
    if intent.kind == "cve":
        return intent.normalized, await cve_qids(ctx.client, ctx.cache, intent.normalized)
    return f"QID {intent.normalized}", [int(intent.normalized)]


def _qid_query(ctx: AggregatorContext, qids: list[int]) -> DetectionQuery:
    """The one detection pull vmdr.affected_hosts and vmdr.qds share (same cache key), with
    the QDS factors the latter shows."""
    return query_for(ctx, qids=tuple(sorted(qids)), statuses=_OPEN, show_qds_factors=True)


async def knowledge_base(ctx: AggregatorContext) -> AggregatorResult:
    label, qids = await intent_qids(ctx)
    entries = await kb_entries(ctx.client, ctx.cache, qids) if qids else {}
    if not entries:
        what = "no QID detects it yet" if ctx.intent and ctx.intent.kind == "cve" else "unknown"
        return AggregatorResult(
            findings=[Finding(text=f"{label}: {what} in the Qualys KnowledgeBase")],
            stats={"qids": 0},
            actions=[
                Action(
                    priority=3,
                    title=f"Check {label} again after the next KnowledgeBase update",
                    why="Qualys publishes QIDs for new CVEs as signatures ship; until then no "
                    "scan or agent can report it.",
                )
            ],
        )
    detail = bool(ctx.params.get("detail"))
    ordered = sorted(entries.values(), key=lambda e: (-e.severity, e.qid))
    findings = [_kb_finding(label, entry) for entry in ordered[:3]]
    return AggregatorResult(
        records=[kb_record(entry, detail=detail) for entry in ordered],
        total=len(ordered),
        stats={"qids": len(ordered), "max_severity": ordered[0].severity},
        findings=findings,
    )


def _kb_finding(label: str, entry: KbEntry) -> Finding:
    tags = [t for t in entry.threat_intel if t in EXPLOITED_TAGS or t == KEV_TAG]
    notes = []
    if KEV_TAG in entry.threat_intel:
        notes.append("on CISA KEV")
    if any(t in EXPLOITED_TAGS for t in tags):
        notes.append("actively exploited")
    if entry.has_exploit:
        notes.append("public exploit")
    extra = f" ({', '.join(notes)})" if notes else ""
    text = f"{label} is QID {entry.qid}, severity {entry.severity}: {entry.title}{extra}"
    return Finding(text=text, severity=severity_word(entry.severity, exploited=bool(notes)))


async def affected_hosts(ctx: AggregatorContext) -> AggregatorResult:
    label, qids = await intent_qids(ctx)
    if not qids:
        return AggregatorResult(stats={"affected_hosts": 0})
    summary = await exposure(ctx, _qid_query(ctx, qids))
    hosts = sorted(summary.hosts, key=lambda hit: hit.rank, reverse=True)
    critical = [h for h in hosts if (h.criticality or 0) >= 4]
    stats: dict[str, int | float | str] = {
        "affected_hosts": summary.host_count,
        "internet_facing": summary.internet_facing_hosts,
        "high_criticality": len(critical),
        "max_qds": max((h.max_qds for h in hosts), default=0),
    }
    for platform, count in summary.platforms.most_common():
        stats[f"hosts_{platform}"] = count
    if not hosts:
        return AggregatorResult(
            stats=stats,
            findings=[Finding(text=f"No host has an open detection of {label}")],
        )
    worst = max(h.max_severity for h in hosts)
    facing = (
        f", {summary.internet_facing_hosts} internet-facing"
        if summary.internet_facing_hosts
        else ""
    )
    finding = Finding(
        text=f"{label} is open on {summary.host_count} hosts{facing}",
        severity=severity_word(worst, exploited=summary.internet_facing_hosts > 0),
    )
    actions = [
        Action(
            priority=1 if summary.internet_facing_hosts else 2,
            title=f"Remediate {label} on the {summary.host_count} affected hosts",
            why="Start with internet-facing and high-criticality hosts; the list is ranked so.",
            tool="plan_remediation",
            arguments={"qids": sorted(qids)[:200]},
        )
    ]
    return AggregatorResult(
        records=[hit.record() for hit in hosts],
        total=summary.host_count,
        stats=stats,
        findings=[finding],
        actions=actions,
    )


async def qds_scores(ctx: AggregatorContext) -> AggregatorResult:
    label, qids = await intent_qids(ctx)
    if not qids:
        return AggregatorResult()
    summary = await exposure(ctx, _qid_query(ctx, qids))
    rows: list[dict[str, Any]] = [
        {
            "qid": stats.qid,
            "hosts": stats.hosts,
            "max_qds": stats.max_qds,
            "qds_severity": stats.qds_severity,
            "factors": stats.qds_factors,
        }
        for stats in sorted(summary.qids.values(), key=lambda s: -s.max_qds)
    ]
    findings = []
    if rows and rows[0]["max_qds"]:
        top = rows[0]
        findings.append(
            Finding(
                text=f"{label}: highest QDS {top['max_qds']} ({top['qds_severity']}) on QID "
                f"{top['qid']}",
                severity=_qds_word(int(top["max_qds"])),
            )
        )
    return AggregatorResult(records=rows, total=len(rows), findings=findings)


def _qds_word(qds: int) -> Severity:
    """QDS bands as the envelope's severity: 90+ critical, 70+ high, else medium."""
    return "critical" if qds >= 90 else "high" if qds >= 70 else "medium"


async def _host_id(ctx: AggregatorContext) -> tuple[str, int | None]:
    """The VM host id of the investigated IP, hostname or asset id (None when unknown)."""
    intent = ctx.intent
    assert intent is not None
    value = intent.normalized
    if intent.kind in ("ipv4", "ipv6"):
        hosts = await list_hosts(ctx.client, ips=value, limit=1)
        return value, hosts[0].host_id if hosts else None
    # The same cached, single-flight lookup vmdr.asset_lookup makes in this call: one search.
    match = await CsamCalls(ctx).find(intent.kind, value)
    return value, match.assets[0].host_id if match.assets else None


async def host_vulns(ctx: AggregatorContext) -> AggregatorResult:
    label, host_id = await _host_id(ctx)
    if host_id is None:
        return AggregatorResult(stats={"detections": 0})
    query = DetectionQuery(host_ids=str(host_id), statuses=_OPEN)
    detections = [d async for host in pull_host_detections(ctx.client, query, partitions=1)
                  for d in host.detections]  # fmt: skip
    detections.sort(key=lambda d: (-(d.qds or 0), -d.severity, d.qid))
    limit = int(ctx.params.get("limit") or 25)
    entries = await kb_entries(ctx.client, ctx.cache, [d.qid for d in detections[: limit * 2]])
    rows: list[dict[str, Any]] = []
    for detection in detections:
        entry = entries.get(detection.qid)
        rows.append(
            {
                "qid": detection.qid,
                "title": entry.title if entry else None,
                "severity": detection.severity,
                "qds": detection.qds,
                "status": detection.status,
                "first_found": detection.first_found,
                "threat_intel": entry.threat_intel if entry else [],
                "patchable": entry.patchable if entry else None,
            }
        )
    counts = {sev: sum(1 for d in detections if d.severity == sev) for sev in (5, 4, 3)}
    findings = []
    if counts[5] or counts[4]:
        worst = rows[0]
        findings.append(
            Finding(
                text=f"{label} has {counts[5]} severity-5 and {counts[4]} severity-4 open "
                f"detections; top QDS {worst['qds']} "
                f"({worst['title'] or 'QID ' + str(worst['qid'])})",
                severity="critical" if counts[5] else "high",
            )
        )
    return AggregatorResult(
        records=rows,
        total=len(rows),
        stats={
            "host_id": host_id,
            "detections": len(rows),
            **{f"severity_{k}": v for k, v in counts.items()},
        },
        findings=findings,
        actions=[
            Action(
                priority=2,
                title=f"Plan the patches for {label}",
                why="The highest-QDS detections first.",
                tool="plan_remediation",
                arguments={"qids": [r["qid"] for r in rows[:50]]},
            )
        ]
        if rows
        else [],
    )


_WORD = re.compile(r"[^a-z0-9]+")


def _mentions(entry: KbEntry, name: str) -> bool:
    wanted = _WORD.sub(" ", name.lower()).strip()
    text = _WORD.sub(
        " ", " ".join((entry.title, entry.diagnosis, entry.consequence, *entry.malware)).lower()
    )
    return f" {wanted} " in f" {text} "


async def threats(ctx: AggregatorContext) -> AggregatorResult:
    """QIDs open in the estate that carry the threat: its RTI tag, or its name in the KB."""
    intent = ctx.intent
    assert intent is not None
    label = intent.normalized
    rti = ctx.params.get("threat_type") or intent.attributes.get("tag")
    named = intent.attributes.get("category") in ("actor", "malware", "ransomware") and (
        label.lower() != (rti or "").lower()
    )
    summary = await inventory(ctx, severities=(3, 4, 5))
    entries = await kb_entries(ctx.client, ctx.cache, summary.qids)
    matched: list[KbEntry] = []
    note = ""
    if named:
        matched = [e for e in entries.values() if _mentions(e, label)]
        if not matched and rti:
            note = f"The KnowledgeBase does not name {label}; showing QIDs tagged {rti}"
    if not matched and rti:
        wanted = rti.lower()
        matched = [e for e in entries.values() if any(t.lower() == wanted for t in e.threat_intel)]
    rows: list[dict[str, Any]] = []
    for entry in matched:
        qid_stats = summary.qids[entry.qid]
        rows.append(
            {
                "qid": entry.qid,
                "title": entry.title,
                "severity": entry.severity,
                "threat_intel": entry.threat_intel,
                "hosts": qid_stats.hosts,
                "internet_facing": qid_stats.internet_facing,
                "max_qds": qid_stats.max_qds,
                "cves": entry.cves[:5],
            }
        )
    rows.sort(key=lambda r: (-int(r["max_qds"]), -int(r["hosts"])))
    hosts = sum(int(r["hosts"]) for r in rows)
    findings = []
    if rows:
        findings.append(
            Finding(
                text=f"{label}: {len(rows)} QIDs open on {hosts} host detections in your estate",
                severity="critical" if any(int(r["severity"]) == 5 for r in rows) else "high",
            )
        )
    else:
        findings.append(Finding(text=f"{label}: no open detection in your estate matches"))
    stats: dict[str, int | float | str] = {"qids": len(rows), "host_detections": hosts}
    result = AggregatorResult(
        records=rows,
        total=len(rows),
        stats=stats,
        findings=findings,
        actions=[
            Action(
                priority=1,
                title=f"Patch the QIDs {label} uses",
                why="Known exploitation makes these the first to fix.",
                tool="plan_remediation",
                arguments={"qids": [r["qid"] for r in rows[:200]]},
            )
        ]
        if rows
        else [],
    )
    if note:
        result.more = note
    return result


AGGREGATORS: tuple[Aggregator, ...] = (
    Aggregator(
        name="vmdr.kb",
        title="KnowledgeBase",
        fn=knowledge_base,
        serves=(
            Serves(
                tool="investigate", scopes=frozenset({"vulns", "threats"}), intents=_VULN_INTENTS
            ),
        ),
        module="VMDR",
        cost="low",
    ),
    Aggregator(
        name="vmdr.affected_hosts",
        title="Affected hosts",
        fn=affected_hosts,
        serves=(
            Serves(
                tool="investigate", scopes=frozenset({"vulns", "assets"}), intents=_VULN_INTENTS
            ),
        ),
        module="VMDR",
        cost="medium",
    ),
    Aggregator(
        name="vmdr.qds",
        title="Qualys Detection Score",
        fn=qds_scores,
        serves=(
            Serves(
                tool="investigate",
                scopes=frozenset({"vulns"}),
                intents=_VULN_INTENTS,
                depth="standard",
            ),
        ),
        module="VMDR",
        cost="medium",
    ),
    Aggregator(
        name="vmdr.host_vulns",
        title="Host detections",
        fn=host_vulns,
        serves=(
            Serves(
                tool="investigate", scopes=frozenset({"vulns", "assets"}), intents=_HOST_INTENTS
            ),
        ),
        module="VMDR",
        cost="low",
    ),
    Aggregator(
        name="vmdr.threats",
        title="Threat exposure",
        fn=threats,
        serves=(
            Serves(
                tool="investigate",
                scopes=frozenset({"threats", "vulns"}),
                intents=frozenset({"threat"}),
            ),
        ),
        module="VMDR",
        cost="high",
    ),
)
