"""Cloud Detection & Response findings: the threats TotalCloud detected on cloud resources,
for security_overview (the briefing period), assess_risk (scope cloud: `days`, `provider`)
and investigate (a threat or free-text target naming a CDR category, e.g. 'cryptomining').

One window is fetched (at most `_MAX_FINDINGS`, newest first) and counted by severity,
category, provider and account; the listing shows the most severe, newest findings first.
When CDR holds more findings than were fetched, the severity counts come from one count call
per severity so that the headline numbers stay exact. CDR covers AWS, Azure and GCP only.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
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
from qualys_totalcloud.aggregators.fanout import provider_name
from qualys_totalcloud.api.cdr import (
    CDR_PROVIDERS,
    SEVERITIES,
    CdrFinding,
    count_findings,
    list_findings,
)

__all__ = ["AGGREGATORS", "CDR_TIER", "TIERS", "category_of", "cdr_findings"]

CDR_TIER = TierSpec("totalcloud_cdr", 60, 64, "TotalCloud CDR findings per window and filters")
PERIOD_DAYS = {"today": 1, "week": 7, "month": 30}
_MAX_FINDINGS = 1000
_NAMED = 3
_LEVEL = {"CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low"}
# What an investigate target must say to mean a CDR category (the categories the simulator
# serves; no public source lists CDR's own category names).
_CATEGORIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("Cryptomining", r"crypto[\s-]?min|coin[\s-]?min|cryptojack|xmrig|mining\s+pool"),
        ("Reconnaissance", r"port[\s-]?scan|recon(?:naissance)?|brute[\s-]?forc"),
        ("Identity Anomaly", r"\biam\b|identity|credential|access[\s-]key|\bmfa\b"),
        ("Malware", r"malware|reverse[\s-]shell|trojan|backdoor"),
        ("Data Exfiltration", r"exfiltrat|data[\s-](?:theft|leak)"),
        ("Command and Control", r"command[\s-]+and[\s-]+control|\bc2\b|\bc&c\b|beacon"),
    )
)


def category_of(target: str) -> str | None:
    """The CDR category an investigate target names, or None."""
    return next((name for name, pattern in _CATEGORIES if pattern.search(target)), None)


def _query(ctx: AggregatorContext) -> tuple[int, str | None, str | None] | None:
    """(days, provider, category) for this call, or None when it is not about CDR."""
    days = int(ctx.params.get("days") or 30)
    if ctx.tool == "security_overview":
        return PERIOD_DAYS.get(str(ctx.params.get("period") or "week"), 7), None, None
    if ctx.tool == "investigate":
        category = category_of(ctx.intent.value if ctx.intent else str(ctx.params["target"]))
        return (days, None, category) if category else None
    provider = ctx.params.get("provider")
    return days, str(provider).lower() if provider else None, None


def _minute(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


async def _fetch(
    ctx: AggregatorContext,
    days: int,
    provider: str | None,
    category: str | None,
    account: str | None,
) -> tuple[list[CdrFinding], int, dict[str, int], bool]:
    """The window's findings, CDR's total, counts by severity, and whether it was fetched."""
    now = _minute(ctx.now)  # one cache entry per minute: a window moves with the clock
    fetched = False

    async def fetch() -> tuple[list[CdrFinding], int, dict[str, int]]:
        nonlocal fetched
        fetched = True
        found, total = await list_findings(
            ctx.client,
            now=now,
            days=days,
            provider=provider,
            category=category,
            account=account,
            limit=_MAX_FINDINGS,
        )
        total = total if total is not None else len(found)
        if total > len(found):
            exact = await asyncio.gather(
                *(
                    count_findings(
                        ctx.client,
                        now=now,
                        days=days,
                        severity=s,
                        provider=provider,
                        category=category,
                        account=account,
                    )
                    for s in SEVERITIES
                )
            )
            by_severity = dict(zip(SEVERITIES, exact, strict=True))
        else:
            counted = Counter(f.severity for f in found)
            by_severity = {s: counted.get(s, 0) for s in SEVERITIES}
        return found, total, by_severity

    key = ("findings", days, provider, category, account, now.isoformat())
    found, total, by_severity = await ctx.cache.get_or_fetch(CDR_TIER.name, key, fetch)
    return found, total, by_severity, fetched


def _short(resource_id: str | None) -> str:
    """An Azure or GCP resource path by its last segment (its name), for readable text."""
    if not resource_id:
        return "an unnamed resource"
    if resource_id.startswith(("/", "projects/")):
        return resource_id.rstrip("/").rsplit("/", 1)[-1]
    return resource_id


def _when(finding: CdrFinding) -> str | None:
    return f"{finding.timestamp:%Y-%m-%d %H:%M} UTC" if finding.timestamp else None


def _record(finding: CdrFinding, detail: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "severity": finding.severity,
        "category": finding.category,
        "provider": provider_name(finding.provider) if finding.provider else None,
        "account_id": finding.account_id,
        "resource_id": finding.resource_id,
        "resource_type": finding.resource_type,
        "message": finding.message,
        "when": _when(finding),
        "remote_ip": finding.remote_ip,
    }
    if detail:
        row.update(
            id=finding.id,
            region=finding.region,
            alert_class=finding.alert_class,
            remote_country=finding.remote_country,
            remote_city=finding.remote_city,
        )
    return row


def _ranked(found: Sequence[CdrFinding]) -> list[CdrFinding]:
    """Most severe first, newest first within a severity."""
    return sorted(
        found, key=lambda f: (f.rank, f.timestamp.timestamp() if f.timestamp else 0.0), reverse=True
    )


def _top(counter: Counter[str], n: int = 4) -> str:
    return ", ".join(f"{name} {count}" for name, count in counter.most_common(n))


def _scope(days: int, provider: str | None, category: str | None) -> str:
    words = [f"in the last {days} day{'s' if days != 1 else ''}"]
    if provider:
        words.insert(0, f"on {provider_name(provider)}")
    return (f"{category} " if category else "") + "CDR findings " + " ".join(words)


async def cdr_findings(ctx: AggregatorContext) -> AggregatorResult:
    """Threats CDR detected in the window: counts, the most severe findings, what to do."""
    query = _query(ctx)
    if query is None:
        return AggregatorResult()
    days, provider, category = query
    if provider is not None and provider not in CDR_PROVIDERS:
        text = f"CDR covers {', '.join(provider_name(p) for p in CDR_PROVIDERS)}; "
        return AggregatorResult(
            findings=[Finding(text=text + f"{provider_name(provider)} has none")]
        )
    # assess_risk's account_id narrows CDR like every other cloud source.
    account = ctx.params.get("account_id") if ctx.tool == "assess_risk" else None
    found, total, by_severity, fetched = await _fetch(
        ctx, days, provider, category, str(account) if account else None
    )
    limit = int(ctx.params.get("limit") or 25)
    ranked = _ranked(found)
    categories = Counter(f.category or "unknown" for f in found)
    providers = Counter(provider_name(f.provider) if f.provider else "unknown" for f in found)
    accounts = Counter(f.account_id or "unknown" for f in found)
    stats: dict[str, int | float | str] = {
        "cdr_findings": total,
        **{f"cdr_{s.lower()}": by_severity[s] for s in SEVERITIES},
        "cdr_accounts": len(accounts),
    }
    if found:
        stats["cdr_by_category"] = _top(categories)
        stats["cdr_by_provider"] = _top(providers)
    worst = next((s for s in reversed(SEVERITIES) if by_severity[s]), None)
    counts = ", ".join(
        f"{by_severity[s]} {s.lower()}" for s in reversed(SEVERITIES) if by_severity[s]
    )
    headline = f"{total:,} {_scope(days, provider, category)}" + (f": {counts}" if counts else "")
    if found and not category:
        headline += f" (top: {_top(categories, 3)})"
    findings = [Finding(text=headline, severity=_LEVEL.get(worst or "", "info"))]
    critical = [f for f in ranked if f.severity == "CRITICAL"]
    for finding in critical[:_NAMED]:
        findings.append(
            Finding(
                text=f"Critical {finding.category or 'CDR'} finding on "
                f"{_short(finding.resource_id)} "
                f"({provider_name(finding.provider or '')} account {finding.account_id}): "
                f"{finding.message} ({_when(finding)})",
                severity="critical",
            )
        )
    if len(accounts) > 1 and found:
        account, hits = accounts.most_common(1)[0]
        findings.append(Finding(text=f"Most findings in one account: {account} ({hits})"))
    actions = _actions(critical, ranked)
    shown = ranked[:limit]
    return AggregatorResult(
        records=[_record(f, bool(ctx.params.get("detail"))) for f in shown],
        total=total,
        truncated=len(shown) < total,
        more="raise limit or narrow days" if len(shown) < total else None,
        stats=stats,
        findings=findings,
        actions=actions,
        cached=not fetched,
    )


def _actions(critical: Sequence[CdrFinding], ranked: Sequence[CdrFinding]) -> list[Action]:
    actions: list[Action] = []
    seen: set[tuple[str, str]] = set()
    for finding in critical:
        if not finding.provider or not finding.account_id:
            continue
        key = (finding.provider, finding.account_id)
        if key in seen or len(seen) >= _NAMED:
            continue
        seen.add(key)
        actions.append(
            Action(
                priority=1,
                title=f"Contain {_short(finding.resource_id)} and review account "
                f"{finding.account_id}",
                why=f"CDR saw critical {finding.category or 'threat'} activity there; isolate "
                "the resource, rotate its credentials, and check the account's failing "
                "controls that let it happen.",
                tool="assess_risk",
                arguments={
                    "scope": "cloud",
                    "provider": finding.provider,
                    "account_id": finding.account_id,
                },
            )
        )
    if ranked and not actions:
        top = ranked[0]
        actions.append(
            Action(
                priority=3,
                title=f"Triage the {top.category or 'CDR'} finding on {_short(top.resource_id)}",
                why="It is the most severe recent CDR finding.",
                tool="assess_risk",
                arguments={
                    "scope": "cloud",
                    "provider": top.provider or "",
                    "account_id": top.account_id or "",
                },
            )
        )
    return actions


AGGREGATORS: list[Aggregator] = [
    Aggregator(
        name="totalcloud.cdr_findings",
        title="TotalCloud CDR threat findings",
        fn=cdr_findings,
        serves=(
            Serves(tool="security_overview", scopes=frozenset({"cloud"})),
            Serves(tool="assess_risk", scopes=frozenset({"cloud"})),
            Serves(
                tool="investigate",
                scopes=frozenset({"threats"}),
                intents=frozenset({"threat", "free_text"}),
                depth="standard",
            ),
        ),
        module="TotalCloud",
        cache_tier=CDR_TIER.name,
        cost="low",
    )
]
TIERS: list[TierSpec] = [CDR_TIER]
