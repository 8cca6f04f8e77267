"""TotalCloud connector health for assess_risk and security_overview (scope cloud): every
provider's connectors fetched in parallel, and the AWS organization connectors beside them.

Each connector is judged against the call's clock: in error, pending its first sync, stale
(no sync within twice its polling interval, at most 48 h), disabled, or healthy. Member
connectors are tied to their organization connector by its `connectorPrefixName`, the only
link the APIs show. A provider or the organization list that does not answer is reported and
the rest still answers; only when no provider answers does the source fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from qualys_core.errors import QualysError
from qualys_core.plugins import (
    Action,
    Aggregator,
    AggregatorContext,
    AggregatorResult,
    Finding,
    Serves,
    TierSpec,
)
from qualys_totalcloud.aggregators.fanout import (
    CONNECTORS_TIER,
    cached_connectors,
    fan_out,
    provider_name,
    providers_of,
)
from qualys_totalcloud.api.connectors import Connector
from qualys_totalcloud.api.org_connectors import OrgConnector, list_org_connectors, parse_timestamp

__all__ = ["AGGREGATORS", "ORG_TIER", "TIERS", "connector_health", "judge"]

ORG_TIER = TierSpec(
    "totalcloud_org_connectors", 300, 16, "AWS organization connectors with their details"
)
STALE_HOURS = 48
_PENDING = frozenset({"PENDING", "REGIONS_DISCOVERED"})
_ORDER = {"error": 0, "stale": 1, "pending": 2, "disabled": 3, "healthy": 4}
_NAMES = 3


@dataclass(frozen=True)
class Judged:
    """One connector and what its state and last sync say about it."""

    connector: Connector
    status: str  # error | stale | pending | disabled | healthy
    account_id: str | None
    synced: datetime | None
    hours_since: float | None
    polling_hours: int | None
    org: str | None


def _org_of(connector: Connector, orgs: Sequence[OrgConnector]) -> OrgConnector | None:
    if connector.provider != "aws" or not connector.name:
        return None
    members = [o for o in orgs if o.prefix and connector.name.startswith(o.prefix)]
    return max(members, key=lambda o: len(o.prefix or ""), default=None)


def judge(connector: Connector, now: datetime, orgs: Sequence[OrgConnector] = ()) -> Judged:
    synced = parse_timestamp(connector.last_synced)
    hours = None if synced is None else round((now - synced).total_seconds() / 3600, 1)
    polling = connector.polling_hours
    limit = min(2 * polling, STALE_HOURS) if polling else STALE_HOURS
    state = (connector.state or "").upper()
    if state == "ERROR":
        status = "error"
    elif connector.disabled:
        status = "disabled"
    elif state in _PENDING:
        status = "pending"
    elif hours is None or hours > limit:
        status = "stale"
    else:
        status = "healthy"
    org = _org_of(connector, orgs)
    return Judged(
        connector, status, connector.account_id, synced, hours, polling, org.name if org else None
    )


def _stamp(moment: datetime | None) -> str | None:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else None


def _record(item: Judged, detail: bool) -> dict[str, Any]:
    c = item.connector
    found: dict[str, Any] = {
        "provider": c.provider,
        "account_id": item.account_id,
        "name": c.name,
        "state": c.state,
        "health": item.status,
        "last_synced": _stamp(item.synced),
        "hours_since_sync": item.hours_since,
        "error": c.error,
        "org_connector": item.org,
    }
    if detail:
        found |= {
            "connector_id": c.connector_id,
            "polling_hours": item.polling_hours,
            "next_sync": _stamp(parse_timestamp(c.next_sync)),
            "total_assets": c.total_assets,
            "disabled": c.disabled,
        }
    return found


def _label(item: Judged) -> str:
    name = item.connector.name or item.connector.connector_id or "?"
    return f"{name} ({provider_name(item.connector.provider)} {item.account_id or '?'})"


def _names(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_NAMES])
    return shown + (f" and {len(items) - _NAMES} more" if len(items) > _NAMES else "")


def _unhealthy(org: OrgConnector) -> bool:
    return org.failed or (not org.healthy and bool(org.last_error))


async def _org_connectors(ctx: AggregatorContext) -> list[OrgConnector] | QualysError:
    try:
        return await ctx.cache.get_or_fetch(
            ORG_TIER.name, ("aws_org_connectors",), lambda: list_org_connectors(ctx.client)
        )
    except QualysError as exc:
        return exc


async def _no_orgs() -> None:
    return None


def _stats(
    providers: Sequence[str], judged: Sequence[Judged], orgs: Sequence[OrgConnector]
) -> dict[str, int | float | str]:
    stats: dict[str, int | float | str] = {"connectors": len(judged)}
    for status in _ORDER:
        stats[f"connectors_{status}"] = sum(1 for j in judged if j.status == status)
    for provider in providers:
        mine = [j for j in judged if j.connector.provider == provider]
        stats[f"{provider}_connectors"] = len(mine)
        for status in ("healthy", "error", "pending", "stale"):
            stats[f"{provider}_{status}"] = sum(1 for j in mine if j.status == status)
    if orgs:
        stats["org_connectors"] = len(orgs)
        stats["org_connectors_unhealthy"] = sum(1 for o in orgs if _unhealthy(o))
        stats["org_attached_accounts"] = sum(o.attached or 0 for o in orgs)
        for org in orgs:
            stats[f"org_attached.{org.name}"] = org.attached or 0
    return stats


def _headline(
    providers: Sequence[str], judged: Sequence[Judged], orgs: Sequence[OrgConnector]
) -> str:
    where = ", ".join(provider_name(p) for p in providers)
    if not judged:
        return f"No TotalCloud connectors for {where}"
    count = {s: sum(1 for j in judged if j.status == s) for s in _ORDER}
    text = (
        f"{len(judged)} TotalCloud connectors across {where}: {count['healthy']} healthy, "
        f"{count['error']} in error, {count['pending']} pending, {count['stale']} stale"
    )
    if orgs:
        bad = sum(1 for o in orgs if _unhealthy(o))
        text += f"; {len(orgs)} AWS organization connectors ({bad} unhealthy)"
    return text


def _error_findings(judged: Sequence[Judged]) -> tuple[list[Finding], list[Action]]:
    findings: list[Finding] = []
    actions: list[Action] = []
    for item in (j for j in judged if j.status == "error"):
        c = item.connector
        since = f"; last sync {item.hours_since:.0f} h ago" if item.hours_since is not None else ""
        findings.append(
            Finding(
                text=f"{provider_name(c.provider)} connector {c.name} (account "
                f"{item.account_id}) is in ERROR: {c.error or 'no reason given'}{since}",
                severity="high",
            )
        )
        reason = (c.error or "").lower()
        fix = (
            "let the role's trust policy allow the Qualys account (and the external id)"
            if "role" in reason or "trust" in reason
            else "fix the credentials or permissions it reports"
        )
        actions.append(
            Action(
                priority=1,
                title=f"Repair connector {_label(item)} and re-run its sync",
                why=f"TotalCloud cannot read this account, so its posture is out of date: {fix}, "
                "run the connector again, then re-assess the account.",
                tool="assess_risk",
                arguments={"scope": "cloud", "provider": c.provider}
                | ({"account_id": item.account_id} if item.account_id else {}),
            )
        )
    return findings, actions


def _org_findings(orgs: Sequence[OrgConnector]) -> tuple[list[Finding], list[Action]]:
    findings: list[Finding] = []
    actions: list[Action] = []
    for org in orgs:
        if _unhealthy(org):
            findings.append(
                Finding(
                    text=f"AWS organization connector {org.name} is {org.state}: "
                    f"{org.last_error or 'no error given'}; its {org.attached or 0} member "
                    "account connector(s) are not kept up to date",
                    severity="high",
                )
            )
            actions.append(
                Action(
                    priority=2,
                    title=f"Repair AWS organization connector {org.name}",
                    why="It no longer discovers the organization's accounts: grant its role "
                    "what the error names (e.g. organizations:ListAccounts), then re-run it.",
                    tool="security_overview",
                    arguments={"scope": "cloud"},
                )
            )
        if org.detail_error:
            findings.append(
                Finding(
                    text=f"Details of AWS organization connector {org.name}: no answer "
                    f"({org.detail_error})",
                    severity="low",
                )
            )
    return findings, actions


def _sync_findings(judged: Sequence[Judged]) -> tuple[list[Finding], list[Action]]:
    findings: list[Finding] = []
    actions: list[Action] = []
    stale = [j for j in judged if j.status == "stale"]
    if stale:
        described = [
            f"{_label(j)}, last sync "
            + (f"{j.hours_since:.0f} h ago" if j.hours_since is not None else "never")
            for j in stale
        ]
        findings.append(
            Finding(
                text=f"{len(stale)} connector(s) have not synced within twice their polling "
                f"interval: {_names(described)}",
                severity="medium",
            )
        )
        actions.append(
            Action(
                priority=2,
                title="Re-run the sync of " + _names([_label(j) for j in stale]),
                why="Their inventory and posture are older than their schedule promises; run "
                "them now and check why the scheduled runs did not happen.",
                tool="security_overview",
                arguments={"scope": "cloud"},
            )
        )
    pending = [j for j in judged if j.status == "pending"]
    if pending:
        findings.append(
            Finding(
                text=f"{len(pending)} connector(s) have not finished their sync yet "
                f"(PENDING): {_names([_label(j) for j in pending])}",
                severity="low",
            )
        )
    return findings, actions


async def connector_health(ctx: AggregatorContext) -> AggregatorResult:
    """Connectors of the covered providers and AWS organization connectors, judged."""
    providers = providers_of(ctx)
    fanned, fetched = await asyncio.gather(
        fan_out(providers, lambda p: cached_connectors(ctx, p), raise_if_all_fail=False),
        _org_connectors(ctx) if "aws" in providers else _no_orgs(),
    )
    if not fanned.results and fanned.errors:
        raise next(iter(fanned.errors.values()))
    orgs = fetched if isinstance(fetched, list) else []
    account = ctx.params.get("account_id")
    judged = [
        judge(c, ctx.now, orgs)
        for p in providers
        for c in fanned.results.get(p, [])
        if not account or c.account_id == str(account)
    ]
    judged.sort(key=lambda j: (_ORDER[j.status], j.connector.provider, j.connector.name or ""))
    answered = [p for p in providers if p in fanned.results]
    findings = [Finding(text=_headline(answered, judged, orgs), severity="info")]
    actions: list[Action] = []
    for part in (_error_findings(judged), _org_findings(orgs), _sync_findings(judged)):
        findings += part[0]
        actions += part[1]
    findings += fanned.failure_findings(provider_name)
    if isinstance(fetched, QualysError):
        findings.append(
            Finding(
                text=f"AWS organization connectors: no answer ({fetched.source_status}: "
                f"{fetched}); the account connectors are shown without them",
                severity="medium",
            )
        )
    if not ctx.params.get("provider"):
        actions += [
            Action(
                priority=3,
                title=f"Assess {provider_name(p)} posture",
                why="Failing controls and resources of the accounts these connectors read.",
                tool="assess_risk",
                arguments={"scope": "cloud", "provider": p},
            )
            for p in answered
            if any(j.connector.provider == p for j in judged)
        ]
    stats = _stats(answered, judged, orgs)
    if fanned.errors:
        stats["failed_providers"] = ", ".join(fanned.errors)
    limit = int(ctx.params.get("limit") or 25)
    detail = bool(ctx.params.get("detail"))
    return AggregatorResult(
        records=[_record(j, detail) for j in judged[:limit]],
        total=len(judged),
        truncated=len(judged) > limit,
        more=f"raise limit (now {limit}) to see more" if len(judged) > limit else None,
        stats=stats,
        findings=findings,
        actions=actions,
    )


AGGREGATORS: list[Aggregator] = [
    Aggregator(
        name="totalcloud.connectors",
        title="TotalCloud connectors and their sync health",
        fn=connector_health,
        serves=(
            Serves(tool="assess_risk", scopes=frozenset({"cloud"})),
            Serves(tool="security_overview", scopes=frozenset({"cloud"})),
        ),
        module="TotalCloud",
        cache_tier=CONNECTORS_TIER.name,
        cost="low",
    )
]
TIERS: list[TierSpec] = [CONNECTORS_TIER, ORG_TIER]
