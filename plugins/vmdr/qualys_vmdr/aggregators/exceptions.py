"""Vulnerability exceptions (risk acceptances) for check_compliance: approved ones past their
expiry date that still hide findings, those expiring soon, and requests awaiting approval.

Statuses are filtered here rather than by Qualys: which `status` values the exception list
accepts is not documented (see `qualys_vmdr.api.exceptions`). Expiry is judged against the
call's clock (`ctx.now`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from qualys_core.plugins import Action, AggregatorContext, AggregatorResult, Finding
from qualys_vmdr.api.exceptions import ExceptionListing, VulnException, list_exceptions

__all__ = ["EXCEPTIONS_TIER", "exceptions"]

EXCEPTIONS_TIER = "vmdr_exceptions"
_EXPIRY_WINDOW = 30
_NAMES = 3
_IN_FORCE = ("approved", "active")


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:_NAMES])
    return shown + (f" and {len(items) - _NAMES} more" if len(items) > _NAMES else "")


def _days_left(item: VulnException, today: datetime) -> int | None:
    return (item.expiry - today.date()).days if item.expiry else None


def _lapsed(item: VulnException, days: int | None) -> bool:
    """Approved, yet past its expiry date: it still hides the finding."""
    return item.status.lower() in _IN_FORCE and days is not None and days < 0


def _wanted(item: VulnException, days: int | None, status: str, window: int | None) -> bool:
    current = item.status.lower()
    if status == "expired" and not (current == "expired" or _lapsed(item, days)):
        return False
    if status == "approved" and current not in _IN_FORCE:
        return False
    if status in ("pending", "rejected") and current != status:
        return False
    return window is None or (days is not None and 0 <= days <= window)


def _exception_record(item: VulnException, days: int | None) -> dict[str, Any]:
    return {
        "number": item.number,
        "qid": item.qid,
        "title": item.title,
        "status": item.status,
        "expires": item.expiry.isoformat() if item.expiry else None,
        "days_left": days,
        "host_ip": item.host_ip,
        "type": item.type,
        "approved_by": item.approved_by,
        "comments": item.comments,
    }


async def exceptions(ctx: AggregatorContext) -> AggregatorResult:
    """Risk acceptances: lapsed ones still in force, those expiring soon, pending requests."""
    if not ctx.params.get("include_exceptions", True):
        return AggregatorResult(stats={"exceptions": "not requested"})
    fetched = False

    async def fetch() -> ExceptionListing:
        nonlocal fetched
        fetched = True
        return await list_exceptions(ctx.client)

    listing = await ctx.cache.get_or_fetch(EXCEPTIONS_TIER, "all", fetch)
    status = str(ctx.params.get("exception_status") or "all")
    window: int | None = ctx.params.get("days_to_expiry")
    chosen: list[tuple[VulnException, int | None]] = []
    for item in listing.exceptions:
        days = _days_left(item, ctx.now)
        if _wanted(item, days, status, window):
            chosen.append((item, days))
    chosen.sort(key=lambda pair: (pair[1] is None, pair[1] if pair[1] is not None else 0))
    findings, actions = _exception_findings(chosen, window or _EXPIRY_WINDOW)
    by_status: dict[str, int] = {}
    for item, _ in chosen:
        key = f"exceptions_{item.status.lower()}"
        by_status[key] = by_status.get(key, 0) + 1
    return AggregatorResult(
        records=[_exception_record(item, days) for item, days in chosen],
        total=len(chosen),
        stats={"exceptions": len(chosen), **by_status},
        findings=findings,
        actions=actions,
        cached=not fetched,
    )


def _exception_findings(
    chosen: list[tuple[VulnException, int | None]], window: int
) -> tuple[list[Finding], list[Action]]:
    findings: list[Finding] = []
    actions: list[Action] = []
    lapsed = [item for item, days in chosen if _lapsed(item, days)]
    expiring = [
        item
        for item, days in chosen
        if item.status.lower() in _IN_FORCE and days is not None and 0 <= days <= window
    ]
    pending = [item for item, _ in chosen if item.status.lower() == "pending"]
    expired = [item for item, _ in chosen if item.status.lower() == "expired"]

    def about(items: list[VulnException]) -> str:
        return _names([f"QID {i.qid} on {i.host_ip} (expiry {i.expiry})" for i in items])

    def qids(items: list[VulnException]) -> list[int]:
        return sorted({i.qid for i in items if i.qid is not None})[:200]

    if lapsed:
        findings.append(
            Finding(
                text=f"{len(lapsed)} approved exception(s) are past their expiry date and still "
                f"hide their findings: {about(lapsed)}",
                severity="high",
            )
        )
        actions.append(
            Action(
                priority=1,
                title="Remediate or formally renew the lapsed exceptions",
                why="An exception past its end date still suppresses the vulnerability; plan "
                "the fixes for these QIDs or get the acceptance re-approved.",
                tool="plan_remediation",
                arguments={"qids": qids(lapsed)},
            )
        )
    if expiring:
        findings.append(
            Finding(
                text=f"{len(expiring)} approved exception(s) expire within {window} days: "
                f"{about(expiring)}",
                severity="medium",
            )
        )
        actions.append(
            Action(
                priority=2,
                title=f"Plan fixes for the exceptions expiring within {window} days",
                why="When they expire the findings reappear; patch now or renew in time.",
                tool="plan_remediation",
                arguments={"qids": qids(expiring)},
            )
        )
    if pending:
        findings.append(
            Finding(text=f"{len(pending)} exception request(s) await approval", severity="low")
        )
        actions.append(
            Action(
                priority=3,
                title="Decide on the pending exception requests",
                why="Pending requests leave the risk neither fixed nor formally accepted.",
                tool="check_compliance",
                arguments={"exception_status": "pending"},
            )
        )
    if expired:
        findings.append(
            Finding(text=f"{len(expired)} exception(s) expired; their findings count again")
        )
    if chosen and not findings:
        findings.append(
            Finding(text=f"{len(chosen)} exception(s), none expiring within {window} days")
        )
    return findings, actions
