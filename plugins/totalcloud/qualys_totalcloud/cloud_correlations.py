"""Cross-source insight of TotalCloud and VMDR: a CVE's hosts that are cloud instances failing
posture controls.

VMDR's affected hosts carry the cloud resource id of a cloud host (the detection API's
CLOUD_RESOURCE_ID); totalcloud.vm_misconfigs lists the cloud VM instances that fail controls
by the same id. Where they meet, the vulnerable machine is also misconfigured, and when the
failing control is an internet-exposure one (a public IP, direct internet access) the flaw is
likely reachable from the internet: that is the critical case.
"""

from __future__ import annotations

from typing import Any

from qualys_core.plugins import Action, Correlation, CorrelationContext, CorrelationFinding

__all__ = ["CORRELATIONS"]

_HOSTS = "vmdr.affected_hosts"
_MISCONFIGS = "totalcloud.vm_misconfigs"


async def cve_assets_failing_cloud_controls(ctx: CorrelationContext) -> list[CorrelationFinding]:
    hosts = ctx.results[_HOSTS]
    instances = {
        r["resource_id"]: r for r in ctx.results[_MISCONFIGS].records if r.get("resource_id")
    }
    items: list[dict[str, Any]] = []
    qids: set[int] = set()
    for host in hosts.records:
        instance = instances.get(host.get("cloud_resource_id"))
        if instance is None:
            continue
        qids.update(int(q) for q in host.get("qids") or ())
        items.append(
            {
                "host": host.get("dns") or host.get("ip") or host.get("host_id"),
                "host_id": host.get("host_id"),
                "ip": host.get("ip"),
                "resource_id": instance["resource_id"],
                "provider": instance.get("provider"),
                "account_id": instance.get("account_id"),
                "internet_facing": host.get("internet_facing"),
                "exposed": instance.get("exposed", False),
                "failing_controls": [
                    f"{c.get('control_id')} {c.get('name')} ({c.get('criticality')})"
                    for c in instance.get("failing_controls") or ()
                ],
            }
        )
    if not items:
        return []
    items.sort(key=lambda i: (not i["exposed"], not i["internet_facing"], str(i["host"])))
    label = ctx.intent.normalized if ctx.intent else "This vulnerability"
    if ctx.intent and ctx.intent.kind == "qid":
        label = f"QID {label}"
    controls = {c for i in items for c in i["failing_controls"]}
    exposed = [i for i in items if i["exposed"]]
    detail = (
        f"{len(exposed)} of them fail an internet-exposure control (public IP or direct "
        "internet access), so the vulnerable service is likely reachable from the internet."
        if exposed
        else "None fails an internet-exposure control, but each one is both vulnerable and "
        "misconfigured."
    )
    first = exposed[0] if exposed else items[0]
    actions = [
        Action(
            priority=1,
            title=f"Patch {label} on these {len(items)} cloud instances first",
            why="They are vulnerable and misconfigured at once; the exposed ones first.",
            tool="plan_remediation" if qids else None,
            arguments={"qids": sorted(qids)[:200]} if qids else {},
        ),
        Action(
            priority=1 if exposed else 2,
            title=f"Fix the failing controls of {first['host']} ({first['resource_id']})",
            why="Removing the public exposure or the misconfiguration shrinks what an attacker "
            "can reach while the patch rolls out.",
            tool="assess_risk",
            arguments={
                "scope": "cloud",
                "provider": first["provider"],
                "account_id": first["account_id"],
            },
        ),
    ]
    return [
        CorrelationFinding(
            title=f"{label} is open on {len(items)} cloud assets that also fail "
            f"{len(controls)} cloud controls",
            severity="critical" if exposed else "high",
            detail=detail,
            items=items,
            total=len(items),
            actions=actions,
        )
    ]


CORRELATIONS: list[Correlation] = [
    Correlation(
        name="totalcloud.cve_assets_failing_cloud_controls",
        title="Vulnerable cloud assets that also fail cloud posture controls",
        # Dormant (core's rule) wherever VMDR is not installed.
        needs=(_HOSTS, _MISCONFIGS),
        fn=cve_assets_failing_cloud_controls,
        tools=frozenset({"investigate"}),
    )
]
