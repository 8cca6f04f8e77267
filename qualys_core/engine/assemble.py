"""Assemble the envelope from source outcomes and correlation findings.

The headline and risk level come from the most severe findings across sources; lists are cut
to the call's `limit` with honest counts; a failed source is listed with its status and hint
and, when the analyst can do something about it, an action.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from qualys_core.engine.dispatch import Outcome
from qualys_core.engine.envelope import (
    CorrelationBlock,
    DataBlock,
    Envelope,
    RiskLevel,
    SourceReport,
    Summary,
)
from qualys_core.plugins.records import Action, Correlation, CorrelationFinding, Finding

__all__ = ["assemble", "no_plugin_envelope"]

_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
_FAILURE_ACTIONS = {
    "auth_failed": (1, "Fix the Qualys credentials or the user's permissions"),
    "rate_limited": (2, "Retry when the Qualys API limit resets"),
    "bad_request": (3, "Check the request's parameters"),
}
MAX_ACTIONS = 10


def _risk(severities: Sequence[str]) -> RiskLevel:
    if not severities:
        return "info"
    top = max(severities, key=lambda s: _RANK.get(s, 0))
    return cast(RiskLevel, top) if top in _RANK else "info"


def _source_report(outcome: Outcome) -> SourceReport:
    result = outcome.result
    return SourceReport(
        name=outcome.aggregator.name,
        title=outcome.aggregator.title,
        plugin=outcome.aggregator.plugin,
        status=outcome.status,
        duration_ms=round(outcome.duration * 1000),
        cached=bool(result and result.cached),
        returned=len(result.records) if result else 0,
        total=result.total if result else None,
        message=outcome.message,
        hint=outcome.hint,
    )


def _data_block(outcome: Outcome, limit: int) -> DataBlock | None:
    result = outcome.result
    if result is None:
        return None
    records = result.records[:limit]
    cut = len(result.records) > limit
    total = result.total if result.total is not None else (len(result.records) if cut else None)
    more = result.more
    if cut and more is None:
        more = f"raise limit (now {limit}) to see more"
    return DataBlock(
        title=outcome.aggregator.title,
        records=records,
        returned=len(records),
        total=total,
        truncated=result.truncated or cut,
        more=more,
        stats=result.stats,
    )


def _merge_actions(actions: Sequence[Action]) -> list[Action]:
    seen: dict[str, Action] = {}
    for action in sorted(actions, key=lambda a: a.priority):
        seen.setdefault(action.title, action)
    return list(seen.values())[:MAX_ACTIONS]


def assemble(
    tool: str,
    params: Mapping[str, Any],
    outcomes: Sequence[Outcome],
    correlations: Sequence[tuple[Correlation, CorrelationFinding]],
    *,
    demo: bool,
    notes: Sequence[str] = (),
) -> Envelope:
    limit = int(params.get("limit") or 25)
    findings: list[Finding] = []
    actions: list[Action] = []
    data: dict[str, DataBlock] = {}
    stats: dict[str, int | float | str] = {}
    for outcome in outcomes:
        block = _data_block(outcome, limit)
        if block is not None and outcome.status == "ok":
            data[outcome.aggregator.name] = block
        if outcome.result is not None:
            findings.extend(outcome.result.findings)
            actions.extend(outcome.result.actions)
            for key, value in outcome.result.stats.items():
                stats[key if key not in stats else f"{outcome.aggregator.name}.{key}"] = value
        failure = _FAILURE_ACTIONS.get(outcome.status)
        if failure is not None:
            priority, title = failure
            actions.append(
                Action(
                    priority=priority,
                    title=title,
                    why=f"{outcome.aggregator.title}: {outcome.message or outcome.status}",
                )
            )
    blocks = []
    for correlation, finding in correlations:
        items = finding.items[:limit]
        blocks.append(
            CorrelationBlock(
                name=correlation.name,
                title=finding.title,
                severity=finding.severity,
                detail=finding.detail,
                items=items,
                returned=len(items),
                total=finding.total if finding.total is not None else len(finding.items),
                truncated=len(finding.items) > limit,
            )
        )
        actions.extend(finding.actions)
        findings.append(Finding(text=finding.title, severity=finding.severity))
    blocks.sort(key=lambda b: -_RANK[b.severity])
    findings.sort(key=lambda f: -_RANK[f.severity])

    answered = [o for o in outcomes if o.status in ("ok", "empty")]
    failed = [o for o in outcomes if o.status not in ("ok", "empty", "skipped")]
    stats["sources_ok"] = len(answered)
    stats["sources_failed"] = len(failed)
    if not answered:
        statuses = ", ".join(sorted({o.status for o in failed}))
        headline = f"No answer: all {len(failed)} sources failed ({statuses})"
        risk: RiskLevel = "unknown"
    elif findings:
        headline = findings[0].text
        risk = _risk([f.severity for f in findings])
    else:
        count = sum(block.returned for block in data.values())
        headline = f"{tool}: {count} records from {len(answered)} sources, nothing of note"
        risk = "info"
    if answered and failed:
        headline += f" ({len(failed)} of {len(outcomes)} sources failed)"
    return Envelope(
        tool=tool,
        demo=demo,
        summary=Summary(
            headline=headline,
            risk_level=risk,
            key_findings=[f.text for f in findings[:5]],
            stats=stats,
        ),
        data=data,
        correlations=blocks,
        actions=_merge_actions(actions),
        sources=[_source_report(o) for o in outcomes],
        truncated=any(b.truncated for b in data.values()) or any(b.truncated for b in blocks),
        notes=list(notes),
    )


def no_plugin_envelope(tool: str, scope: str, products: Sequence[str], *, demo: bool) -> Envelope:
    """What a tool says when no installed plugin serves it."""
    dists = ", ".join(f"qualys-mcp-{p}" for p in products) or "a product plugin"
    where = f" with scope={scope}" if scope != "all" else ""
    return Envelope(
        tool=tool,
        demo=demo,
        summary=Summary(
            headline=f"No installed plugin serves {tool}{where}",
            risk_level="unknown",
            key_findings=[f"Install {dists} to answer this (pip install {dists.split(', ')[0]})."],
        ),
        actions=[
            Action(
                priority=2,
                title=f"Install {dists}",
                why=f"{tool}{where} is answered by the product plugins your subscription licenses.",
            )
        ],
    )
