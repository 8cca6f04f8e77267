"""Investigate a CVE or QID with TotalCloud: the cloud VM instances that fail posture controls.

totalcloud.vm_misconfigs lists, per account, the failing controls of the VM service (EC2,
Virtual Machine, Compute Engine, Compute) and the instances each fails on, one record per
failing instance: provider, account_id, resource_id, region, its failing controls (id, name,
criticality), the worst criticality, and `exposed` when one of them is an internet-exposure
control. TotalCloud does not know which instances carry the CVE; VMDR's affected hosts do,
and the `totalcloud.cve_assets_failing_cloud_controls` correlation joins the two on the cloud
resource id (VMDR's CLOUD_RESOURCE_ID is the instance id TotalCloud evaluates).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from qualys_totalcloud.aggregators.fanout import FanOut, fan_out
from qualys_totalcloud.aggregators.posture_calls import (
    FAIL,
    POSTURE_TIER,
    Account,
    account_label,
    cached_control_resources,
    cached_evaluations,
    criticality_rank,
    each_account,
    failure_report,
    service_filter,
)
from qualys_totalcloud.api.posture import ControlEvaluation, ResourceEvaluation

__all__ = ["AGGREGATORS", "TIERS", "VM_SERVICES", "VM_TYPES", "is_exposure_control"]

TIERS: list[TierSpec] = []  # the posture tier, registered by aggregators.posture
# The service TotalCloud files each provider's VM controls under, and the VM resource types
# (catalogue §10 T4).
VM_SERVICES = {"aws": "EC2", "azure": "Virtual Machine", "gcp": "Compute Engine", "oci": "Compute"}
VM_TYPES = frozenset({"EC2_INSTANCE", "VIRTUAL_MACHINE", "VM_INSTANCE", "INSTANCE"})
# TotalCloud marks no control as "exposure"; its names say it (public IP, internet access).
_EXPOSURE_WORDS = ("public ip", "internet", "publicly accessible", "publicly exposed")
_RESOURCES_PER_CONTROL = 500


def is_exposure_control(name: str | None) -> bool:
    text = (name or "").lower()
    return any(word in text for word in _EXPOSURE_WORDS)


Failing = list[tuple[ControlEvaluation, list[ResourceEvaluation]]]


async def _account_failures(
    ctx: AggregatorContext, account: Account
) -> tuple[Failing, FanOut[int, list[ResourceEvaluation]]]:
    """The account's failing VM controls with the resources each fails on."""
    service = service_filter(VM_SERVICES.get(account.provider))
    flt = f"{service} and {FAIL}" if service else FAIL
    rows = [r for r in await cached_evaluations(ctx, account, flt) if r.control_id is not None]

    async def resources(control_id: int) -> list[ResourceEvaluation]:
        return await cached_control_resources(ctx, account, control_id, _RESOURCES_PER_CONTROL)

    done = await fan_out([r.control_id or 0 for r in rows], resources)
    return [
        (r, done.results[r.control_id or 0]) for r in rows if r.control_id in done.results
    ], done


def _resources_label(account: Account) -> Callable[[int], str]:
    return lambda cid: f"Failing resources of control {cid} in {account_label(account)}"


def _records(answers: Sequence[tuple[Account, Failing]]) -> list[dict[str, Any]]:
    by_resource: dict[str, dict[str, Any]] = {}
    for account, failing in answers:
        for row, resources in failing:
            for found in resources:
                if not found.resource_id or (
                    found.resource_type and found.resource_type.upper() not in VM_TYPES
                ):
                    continue
                record = by_resource.setdefault(
                    found.resource_id,
                    {
                        "provider": account.provider,
                        "account_id": found.account_id,
                        "resource_id": found.resource_id,
                        "resource_type": found.resource_type,
                        "region": found.region,
                        "failing_controls": [],
                        "worst_criticality": None,
                        "exposed": False,
                    },
                )
                record["failing_controls"].append(
                    {
                        "control_id": row.control_id,
                        "name": row.control_name,
                        "criticality": row.criticality,
                    }
                )
                if criticality_rank(row.criticality) < criticality_rank(
                    record["worst_criticality"]
                ):
                    record["worst_criticality"] = row.criticality
                record["exposed"] = record["exposed"] or is_exposure_control(row.control_name)
    return sorted(
        by_resource.values(),
        key=lambda r: (
            not r["exposed"],
            criticality_rank(r["worst_criticality"]),
            -len(r["failing_controls"]),
            r["resource_id"],
        ),
    )


async def vm_misconfigs(ctx: AggregatorContext) -> AggregatorResult:
    estate = await each_account(ctx, lambda a: _account_failures(ctx, a))
    problems, stats = failure_report(estate)
    answers = [(account, failing) for account, (failing, _) in estate.answers]
    for account, (_, done) in estate.answers:
        problems += done.failure_findings(_resources_label(account))
    records = _records(answers)
    controls = {(c["control_id"], r["provider"]) for r in records for c in r["failing_controls"]}
    exposed = sum(1 for r in records if r["exposed"])
    accounts = len({(r["provider"], r["account_id"]) for r in records})
    stats.update(
        accounts_checked=len(answers),
        failing_instances=len(records),
        failing_vm_controls=len(controls),
        exposed_instances=exposed,
    )
    label = ctx.intent.normalized if ctx.intent else "this vulnerability"
    if ctx.intent and ctx.intent.kind == "qid":
        label = f"QID {label}"
    limit = int(ctx.params.get("limit") or 25)
    if not records:
        text = f"No cloud VM instance fails a VM posture control in {len(answers)} account(s)"
        return AggregatorResult(stats=stats, findings=[Finding(text=text), *problems])
    facing = f", {exposed} of them through an internet-exposure control" if exposed else ""
    headline = Finding(
        text=f"{len(records)} cloud VM instances in {accounts} account(s) fail {len(controls)} "
        f"VM posture controls{facing}. TotalCloud does not know which of them carry {label}: "
        "VMDR's affected hosts do, and they join on the cloud resource id",
        severity="high" if exposed else "medium",
    )
    actions = [
        Action(
            priority=2,
            title="Review the failing VM controls per account",
            why="The posture view narrowed to the VM service lists every failing control and "
            "the instances it fails on.",
            tool="assess_risk",
            arguments={
                "scope": "cloud",
                "provider": records[0]["provider"],
                "account_id": records[0]["account_id"],
                "service": VM_SERVICES.get(records[0]["provider"], ""),
            },
        )
    ]
    return AggregatorResult(
        records=records[:limit],
        total=len(records),
        truncated=len(records) > limit,
        more="raise limit to see every failing instance" if len(records) > limit else None,
        stats=stats,
        findings=[headline, *problems],
        actions=actions,
    )


AGGREGATORS: list[Aggregator] = [
    Aggregator(
        name="totalcloud.vm_misconfigs",
        title="Cloud VM misconfigurations (TotalCloud)",
        fn=vm_misconfigs,
        serves=(
            Serves(
                tool="investigate",
                scopes=frozenset({"vulns", "assets"}),
                intents=frozenset({"cve", "qid"}),
                depth="standard",
            ),
        ),
        module="TotalCloud",
        cache_tier=POSTURE_TIER.name,
        cost="medium",
    ),
]
