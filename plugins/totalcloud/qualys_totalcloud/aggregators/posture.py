"""TotalCloud posture for assess_risk and security_overview (scope cloud).

- totalcloud.posture: every account's control evaluations (providers, then their accounts,
  fetched concurrently) as records of three kinds: `account` (controls evaluated, failing
  controls and resources, critical/high failing), `control` (failing controls across accounts,
  ranked by criticality then failed resources) and, when the call is narrowed to an account or
  a service or asks for detail, `failing_resource` (what the top failing controls fail on).
  `limit` caps the records, shared fairly between the three kinds.
- totalcloud.posture_counts: the cheap headline, two filtered counts per account (every
  evaluation, and `result:FAIL`), each one `pageSize=1` call.

An account is a connector's account id, from the cached connector lists.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
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
from qualys_totalcloud.aggregators.fanout import fan_out, provider_name
from qualys_totalcloud.aggregators.posture_calls import (
    CRITICALITY,
    FAIL,
    POSTURE_TIER,
    Account,
    account_label,
    cached_control_resources,
    cached_count,
    cached_evaluations,
    criticality_rank,
    each_account,
    failure_report,
    service_filter,
    severity_of,
    unknown_account,
)
from qualys_totalcloud.api.posture import ControlEvaluation

__all__ = ["AGGREGATORS", "TIERS"]

TIERS: list[TierSpec] = [POSTURE_TIER]
TOP_CONTROLS = 5  # failing controls whose resources a narrowed call lists


# ---------------------------------------------------------------------- totalcloud.posture


def _account_record(account: Account, rows: Sequence[ControlEvaluation]) -> dict[str, Any]:
    failing = [r for r in rows if r.result == "FAIL"]
    ranks = Counter(criticality_rank(r.criticality) for r in failing)
    return {
        "kind": "account",
        "provider": account.provider,
        "account_id": account.account_id,
        "alias": account.alias,
        "controls_evaluated": len(rows),
        "failing_controls": len(failing),
        "failing_resources": sum(r.failed for r in failing),
        "passed_resources": sum(r.passed for r in rows),
        "critical_failing": ranks[0],
        "high_failing": ranks[1],
    }


def _control_records(
    failing: Sequence[tuple[Account, ControlEvaluation]], detail: bool
) -> list[dict[str, Any]]:
    """The failing controls merged across accounts, in the order of `failing`'s first rows."""
    merged: dict[tuple[str, int | None], dict[str, Any]] = {}
    for account, row in failing:
        entry = merged.get((account.provider, row.control_id))
        if entry is None:
            entry = merged[(account.provider, row.control_id)] = {
                "kind": "control",
                "provider": account.provider,
                "control_id": row.control_id,
                "name": row.control_name,
                "service": row.service,
                "criticality": row.criticality,
                "failed_resources": 0,
                "passed_resources": 0,
                "accounts": [],
            }
            if detail:
                entry["policies"] = list(row.policies)
        entry["failed_resources"] += row.failed
        entry["passed_resources"] += row.passed
        entry["accounts"].append(account.account_id)
    for entry in merged.values():
        entry["accounts_failing"] = len(entry["accounts"])
        entry["accounts"] = entry["accounts"] if detail else entry["accounts"][:5]
    return sorted(
        merged.values(),
        key=lambda e: (criticality_rank(e["criticality"]), -e["failed_resources"]),
    )


async def _failing_resources(
    ctx: AggregatorContext, failing: Sequence[tuple[Account, ControlEvaluation]], limit: int
) -> tuple[list[dict[str, Any]], list[Finding]]:
    top = [(a, r) for a, r in failing if r.control_id is not None][:TOP_CONTROLS]

    async def one(index: int) -> list[dict[str, Any]]:
        account, row = top[index]
        found = await cached_control_resources(ctx, account, row.control_id or 0, limit)
        return [
            {
                "kind": "failing_resource",
                "provider": account.provider,
                "account_id": f.account_id,
                "control_id": f.control_id,
                "control_name": row.control_name,
                "criticality": row.criticality,
                "resource_id": f.resource_id,
                "resource_type": f.resource_type,
                "region": f.region,
                "failing_since": f.first_evaluated,
            }
            for f in found
        ]

    done = await fan_out(range(len(top)), one, raise_if_all_fail=False)
    records = [r for index in sorted(done.results) for r in done.results[index]]
    findings = done.failure_findings(
        lambda i: (
            f"Failing resources of control {top[i][1].control_id} in {account_label(top[i][0])}"
        )
    )
    return records, findings


def _posture_findings(
    ctx: AggregatorContext, accounts: int, rows: Sequence[ControlEvaluation], controls: list[Any]
) -> list[Finding]:
    failing = [r for r in rows if r.result == "FAIL"]
    service = ctx.params.get("service")
    what = f" for service {service}" if service else ""
    if not failing:
        text = f"All {len(rows)} control evaluations pass across {accounts} cloud account(s){what}"
        return [Finding(text=text if rows else f"TotalCloud reports no evaluations{what}")]
    ranks = Counter(criticality_rank(r.criticality) for r in failing)
    worst = min(failing, key=lambda r: criticality_rank(r.criticality))
    counts = ", ".join(f"{ranks[i]} {c.lower()}" for i, c in enumerate(CRITICALITY) if ranks[i])
    findings = [
        Finding(
            text=f"{len(failing)} of {len(rows)} control evaluations fail across {accounts} "
            f"cloud account(s){what}, on {sum(r.failed for r in failing)} resources ({counts})",
            severity=severity_of(worst.criticality),
        )
    ]
    for control in [c for c in controls if criticality_rank(c["criticality"]) == 0][:3]:
        findings.append(
            Finding(
                text=f"Critical control {control['control_id']} fails on "
                f"{control['failed_resources']} {provider_name(control['provider'])} resources "
                f"in {control['accounts_failing']} account(s): {control['name']} "
                f"({control['service']})",
                severity="critical",
            )
        )
    return findings


def _posture_actions(ctx: AggregatorContext, controls: list[dict[str, Any]]) -> list[Action]:
    actions = [
        Action(
            priority=2,
            title="Check the cloud accounts against the CIS benchmarks",
            why="Failing controls map to CIS (and other mandates); the compliance view shows "
            "which benchmark sections fail.",
            tool="check_compliance",
            arguments={"framework": "CIS"},
        )
    ]
    if controls and not (ctx.params.get("account_id") or ctx.params.get("service")):
        top = controls[0]
        arguments = {
            "scope": "cloud",
            "provider": top["provider"],
            "account_id": top["accounts"][0],
        }
        if top["service"]:
            arguments["service"] = top["service"]
        why = "The most severe failing control; narrowed to its worst account and service, the "
        actions.insert(
            0,
            Action(
                priority=1 if criticality_rank(top["criticality"]) <= 1 else 2,
                title=f"Fix control {top['control_id']} ({top['criticality']}): {top['name']}",
                why=why + "posture lists the resources that fail it.",
                tool="assess_risk",
                arguments=arguments,
            ),
        )
    return actions


def _share(limit: int, *sizes: int) -> tuple[int, ...]:
    """How many records of each kind fit in `limit` (the envelope shows no more): turn by
    turn one of each kind that has more, so a long kind cannot crowd out the others."""
    shown = [0] * len(sizes)
    left = limit
    while left > 0 and any(n < size for n, size in zip(shown, sizes, strict=True)):
        for index, size in enumerate(sizes):
            if left > 0 and shown[index] < size:
                shown[index] += 1
                left -= 1
    return tuple(shown)


async def posture(ctx: AggregatorContext) -> AggregatorResult:
    flt = service_filter(ctx.params.get("service"))
    limit = int(ctx.params.get("limit") or 25)
    detail = bool(ctx.params.get("detail"))
    estate = await each_account(ctx, lambda a: cached_evaluations(ctx, a, flt))
    problems, failure_stats = failure_report(estate)
    wanted = ctx.params.get("account_id")
    if wanted and wanted not in {a.account_id for a in estate.known}:
        unknown = unknown_account(ctx, estate.known)
        unknown.findings += problems
        unknown.stats.update(failure_stats)
        return unknown
    # With a service filter, an account without that service (an Azure subscription asked
    # for S3) is not part of the answer.
    answers = [(a, found) for a, found in estate.answers if found or not flt]
    rows = [r for _, found in answers for r in found]
    failing = sorted(
        ((a, r) for a, found in answers for r in found if r.result == "FAIL"),
        key=lambda p: (criticality_rank(p[1].criticality), -p[1].failed, p[1].control_id or 0),
    )
    accounts = sorted(
        (_account_record(a, found) for a, found in answers),
        key=lambda r: (-r["critical_failing"], -r["failing_resources"], r["account_id"]),
    )
    controls = _control_records(failing, detail)
    resources: list[dict[str, Any]] = []
    if ctx.params.get("account_id") or ctx.params.get("service") or detail:
        resources, missing = await _failing_resources(ctx, failing, limit)
        problems += missing
    stats: dict[str, int | float | str] = {
        "accounts": len(answers),
        "controls_evaluated": len(rows),
        "failing_controls": len(failing),
        "failing_resources": sum(r.failed for _, r in failing),
        "passed_resources": sum(r.passed for r in rows),
    }
    for key, count in Counter(a.provider for a, _ in failing).most_common():
        stats[f"failing_controls_{key}"] = count
    for key, count in Counter((r.criticality or "unknown").lower() for _, r in failing).items():
        stats[f"failing_{key}"] = count
    for key, count in Counter(r.service or "unknown" for _, r in failing).most_common():
        stats[f"service_{key.lower().replace(' ', '_')}"] = count
    stats.update(failure_stats)
    shown = _share(limit, len(accounts), len(controls), len(resources))
    cut = shown != (len(accounts), len(controls), len(resources))
    return AggregatorResult(
        records=accounts[: shown[0]] + controls[: shown[1]] + resources[: shown[2]],
        total=len(controls),
        truncated=cut,
        more="raise limit, or narrow by provider, account_id or service" if cut else None,
        stats=stats,
        findings=_posture_findings(ctx, len(answers), rows, controls) + problems,
        actions=_posture_actions(ctx, controls),
    )


# ---------------------------------------------------------------------- posture_counts


async def posture_counts(ctx: AggregatorContext) -> AggregatorResult:
    async def both(account: Account) -> tuple[int, int]:
        every, failing = await asyncio.gather(
            cached_count(ctx, account, None), cached_count(ctx, account, FAIL)
        )
        return every, failing

    estate = await each_account(ctx, both)
    problems, stats = failure_report(estate)
    answers = sorted(estate.answers, key=lambda p: (-p[1][1], p[0].account_id))
    evaluated = sum(every for _, (every, _) in answers)
    failing = sum(fails for _, (_, fails) in answers)
    stats.update(accounts=len(answers), controls_evaluated=evaluated, failing_controls=failing)
    for account, (_, fails) in answers:
        key = f"failing_controls_{account.provider}"
        stats[key] = int(stats.get(key, 0)) + fails
    actions = []
    if answers and answers[0][1][1]:
        worst = answers[0][0]
        actions.append(
            Action(
                priority=2,
                title=f"Review the failing controls of {account_label(worst)}",
                why="It has the most failing controls; the posture view ranks them by "
                "criticality and lists the resources that fail them.",
                tool="assess_risk",
                arguments={
                    "scope": "cloud",
                    "provider": worst.provider,
                    "account_id": worst.account_id,
                },
            )
        )
    limit = int(ctx.params.get("limit") or 25)
    text = (
        f"{failing} of {evaluated} control evaluations fail across {len(answers)} cloud account(s)"
    )
    return AggregatorResult(
        records=[
            {
                "provider": a.provider,
                "account_id": a.account_id,
                "alias": a.alias,
                "controls_evaluated": every,
                "failing_controls": fails,
            }
            for a, (every, fails) in answers[:limit]
        ],
        total=len(answers),
        truncated=len(answers) > limit,
        stats=stats,
        findings=[Finding(text=text, severity="medium" if failing else "info"), *problems],
        actions=actions,
    )


AGGREGATORS: list[Aggregator] = [
    Aggregator(
        name="totalcloud.posture",
        title="Cloud posture (TotalCloud control evaluations)",
        fn=posture,
        serves=(Serves(tool="assess_risk", scopes=frozenset({"cloud"})),),
        module="TotalCloud",
        cache_tier=POSTURE_TIER.name,
        cost="medium",
    ),
    Aggregator(
        name="totalcloud.posture_counts",
        title="Cloud posture counts",
        fn=posture_counts,
        serves=(Serves(tool="security_overview", scopes=frozenset({"cloud"})),),
        module="TotalCloud",
        cache_tier=POSTURE_TIER.name,
        cost="low",
    ),
]
