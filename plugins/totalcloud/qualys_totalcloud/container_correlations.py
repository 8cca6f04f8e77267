"""Container Security correlations: images with severity-5 vulnerabilities that run as
containers right now, and the hosts they run on.

The image list says which images carry severity-5 flaws; the running-container list says
what runs where. Joined by image id, they name the live exposure: a vulnerable image in a
registry is a backlog item, the same image running is an incident waiting to happen.
"""

from __future__ import annotations

from typing import Any

from qualys_core.plugins import Action, Correlation, CorrelationContext, CorrelationFinding

__all__ = ["CORRELATIONS", "vulnerable_images_running"]

IMAGES = "totalcloud.images"
RUNNING = "totalcloud.containers_running"


async def vulnerable_images_running(ctx: CorrelationContext) -> list[CorrelationFinding]:
    images = [r for r in ctx.results[IMAGES].records if (r.get("sev5") or 0) > 0]
    running: dict[str, list[dict[str, Any]]] = {}
    for container in ctx.results[RUNNING].records:
        if container.get("image_id"):
            running.setdefault(str(container["image_id"]), []).append(container)
    items: list[dict[str, Any]] = []
    for image in images:
        live = running.get(str(image.get("image_id")), [])
        if not live:
            continue
        items.append(
            {
                "image": image.get("image"),
                "image_id": image.get("image_id"),
                "sev5": image.get("sev5"),
                "sev4": image.get("sev4"),
                "containers": len(live),
                "privileged": sum(1 for c in live if c.get("privileged")),
                "hosts": sorted({str(c["host"]) for c in live if c.get("host")}),
            }
        )
    if not items:
        return []
    items.sort(key=lambda i: (i["sev5"], i["containers"]), reverse=True)
    containers = sum(i["containers"] for i in items)
    hosts = sorted({h for i in items for h in i["hosts"]})
    privileged = sum(i["privileged"] for i in items)
    top = items[0]
    detail = (
        f"{containers} running containers on {len(hosts)} hosts use these images"
        + (f"; {privileged} of them privileged, so a compromise reaches the host" if privileged
           else "")
        + ". Rebuild each image from a fixed base and replace its containers."
    )  # fmt: skip
    return [
        CorrelationFinding(
            title=f"{len(items)} images with severity-5 vulnerabilities are running as "
            f"{containers} containers on {len(hosts)} hosts",
            severity="critical" if privileged else "high",
            detail=detail,
            items=items,
            total=len(items),
            actions=[
                Action(
                    priority=1,
                    title=f"Deep-dive {top['image']}, the most severe running image",
                    why=f"{top['sev5']} severity-5 vulnerabilities, running as "
                    f"{top['containers']} containers on {', '.join(top['hosts'][:3])}.",
                    tool="assess_risk",
                    arguments={"scope": "containers", "image_id": top["image_id"]},
                ),
                Action(
                    priority=2,
                    title="Block deployment of images with severity-5 vulnerabilities",
                    why="A Container Security centralized policy stops new containers from "
                    "vulnerable images while the running ones are replaced.",
                ),
            ],
        )
    ]


CORRELATIONS: list[Correlation] = [
    Correlation(
        name="totalcloud.vulnerable_images_running",
        title="Vulnerable container images running",
        needs=(IMAGES, RUNNING),
        fn=vulnerable_images_running,
        tools=frozenset({"assess_risk", "security_overview"}),
    )
]
