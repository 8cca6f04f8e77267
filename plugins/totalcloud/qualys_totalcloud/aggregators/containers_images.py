"""Container images: the estate's images ranked by vulnerability severity (assess_risk and
security_overview, scope containers) and the images carrying one CVE or QID (investigate).

Both read the image list whole (ranking needs every image, bounded by MAX_PAGES) and the
running containers, joined by image id, so "running" means a container in state RUNNING now.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from qualys_core.errors import QualysError
from qualys_core.plugins import Action, AggregatorContext, AggregatorResult, Finding
from qualys_totalcloud.aggregators.containers_cache import (
    cached_images,
    cached_running,
    names,
    of_image,
    running_by_image,
    stamp,
)
from qualys_totalcloud.api.container_records import Container, Image

__all__ = ["cve_images", "image_row", "images"]

_EPOCH = datetime.min.replace(tzinfo=UTC)

_SORTS = {
    # Container Security has no TruRisk or QDS per image: every order but last_seen ranks by
    # severity counts, then how many containers run the image.
    "risk": "severity",
    "severity": "severity",
    "qds": "severity",
    "last_seen": "last_seen",
}


def image_row(image: Image, running: list[Container], *, detail: bool) -> dict[str, Any]:
    counts = image.counts
    row: dict[str, Any] = {
        "image_id": image.image_id,
        "image": image.name,
        "sev5": counts.of(5),
        "sev4": counts.of(4),
        "sev3": counts.of(3),
        "vulns": counts.total,
        "running_containers": len(running),
        "hosts": sorted({c.host_name for c in running if c.host_name}),
    }
    if counts.patchable is not None:
        row["patchable"] = counts.patchable
    if detail:
        row |= {
            "sha": image.sha,
            "registry": image.registry,
            "os": image.operating_system,
            "sev2": counts.of(2),
            "sev1": counts.of(1),
            "created": stamp(image.created),
            "last_used": stamp(image.last_used),
        }
    return row


def _rank(image: Image, running: int) -> tuple[int, ...]:
    c = image.counts
    return (c.of(5), c.of(4), running, c.of(3), c.total)


async def _running_or_failure(
    ctx: AggregatorContext,
) -> tuple[dict[str, list[Container]] | None, Finding | None, bool]:
    """Running containers by image; a failure to list them is a finding, not the end."""
    try:
        listing, cached = await cached_running(ctx)
    except QualysError as error:
        text = (
            f"Running containers: no answer ({error.source_status}: {error}); images are "
            "shown without their running counts"
        )
        return None, Finding(text=text, severity="medium"), False
    return running_by_image(listing.items), None, cached


async def images(ctx: AggregatorContext) -> AggregatorResult:
    """Every image ranked by severity-5 and -4 counts and running containers."""
    listing, images_cached = await cached_images(ctx)
    by_image, failure, running_cached = await _running_or_failure(ctx)
    detail = bool(ctx.params.get("detail"))
    order = _SORTS.get(str(ctx.params.get("sort_by") or "risk"), "severity")
    running = {id(i): of_image(by_image or {}, i) for i in listing.items}
    if order == "last_seen":
        ranked = sorted(
            listing.items,
            key=lambda i: (i.last_used or i.created or _EPOCH, i.name),
            reverse=True,
        )
    else:
        ranked = sorted(listing.items, key=lambda i: _rank(i, len(running[id(i)])), reverse=True)
    rows = [image_row(i, running[id(i)], detail=detail) for i in ranked]
    sev5 = [i for i in ranked if i.counts.of(5)]
    live = [i for i in ranked if running[id(i)]]
    live_sev5 = [i for i in sev5 if running[id(i)]]
    stats: dict[str, int | float | str] = {
        "images": listing.total if listing.total is not None else len(ranked),
        "images_with_sev5": len(sev5),
        "images_with_sev4": sum(1 for i in ranked if i.counts.of(4)),
        "image_vulns_sev5": sum(i.counts.of(5) for i in ranked),
        "image_vulns_sev4": sum(i.counts.of(4) for i in ranked),
        "image_vulns_sev3": sum(i.counts.of(3) for i in ranked),
        "image_vulns_sev2": sum(i.counts.of(2) for i in ranked),
        "image_vulns_sev1": sum(i.counts.of(1) for i in ranked),
    }
    if by_image is not None:
        stats |= {"images_running": len(live), "images_running_with_sev5": len(live_sev5)}
    known = [i.counts.patchable for i in ranked if i.counts.patchable is not None]
    if known:
        stats["image_vulns_patchable"] = sum(known)
    findings = [_headline(ranked, sev5, live_sev5 if by_image is not None else None)]
    actions = []
    if ranked and (ranked[0].counts.of(5) or ranked[0].counts.of(4)):
        top = ranked[0]
        findings.append(
            Finding(
                text=f"Riskiest image {top.name} ({top.image_id}): {top.counts.of(5)} severity-5 "
                f"and {top.counts.of(4)} severity-4 vulnerabilities, running as "
                f"{len(running[id(top)])} container(s)",
                severity="high" if top.counts.of(5) and running[id(top)] else "medium",
            )
        )
        actions.append(
            Action(
                priority=1 if running[id(top)] else 2,
                title=f"Deep-dive image {top.name}",
                why="See its vulnerabilities, the software that fixes them and where it runs.",
                tool="assess_risk",
                arguments={"scope": "containers", "image_id": top.image_id or top.sha},
            )
        )
    if failure:
        findings.append(failure)
        stats["failed_parts"] = "running containers"
    return AggregatorResult(
        records=rows,
        total=int(stats["images"]),
        truncated=listing.truncated,
        more="the image list stopped at its page cap" if listing.truncated else None,
        stats=stats,
        findings=findings,
        actions=actions,
        cached=images_cached and (running_cached or by_image is None),
    )


def _headline(ranked: list[Image], sev5: list[Image], live_sev5: list[Image] | None) -> Finding:
    if not ranked:
        return Finding(text="Container Security lists no images")
    text = f"{len(ranked)} container images; {len(sev5)} carry severity-5 vulnerabilities"
    if live_sev5 is None:
        return Finding(text=text, severity="medium" if sev5 else "info")
    text += f", {len(live_sev5)} of them running"
    severity = "high" if live_sev5 else "medium" if sev5 else "info"
    return Finding(text=text, severity=severity)


async def cve_images(ctx: AggregatorContext) -> AggregatorResult:
    """The images carrying the investigated CVE or QID, and the containers running them."""
    intent = ctx.intent
    if intent is None or intent.kind not in ("cve", "qid"):
        return AggregatorResult()
    label = intent.normalized
    token = "vulnerabilities.cveids" if intent.kind == "cve" else "vulnerabilities.qid"
    listing, images_cached = await cached_images(ctx, f"{token}:{label}")
    by_image, failure, running_cached = await _running_or_failure(ctx)
    running = {id(i): of_image(by_image or {}, i) for i in listing.items}
    ranked = sorted(listing.items, key=lambda i: _rank(i, len(running[id(i)])), reverse=True)
    rows = [image_row(i, running[id(i)], detail=bool(ctx.params.get("detail"))) for i in ranked]
    name = label if intent.kind == "cve" else f"QID {label}"
    live = [i for i in ranked if running[id(i)]]
    containers = sum(len(running[id(i)]) for i in ranked)
    hosts = sorted({c.host_name for i in live for c in running[id(i)] if c.host_name})
    findings: list[Finding] = []
    actions: list[Action] = []
    if not ranked:
        findings.append(Finding(text=f"{name} is not present in any container image"))
    elif by_image is None:
        findings.append(
            Finding(text=f"{name} is present in {len(ranked)} container images", severity="high")
        )
    else:
        findings.append(
            Finding(
                text=f"{name} is present in {len(ranked)} container images, {len(live)} of them "
                f"running as {containers} containers"
                + (f" on {len(hosts)} hosts: {names(hosts)}" if hosts else ""),
                severity="critical" if live else "medium",
            )
        )
    if ranked:
        top = live[0] if live else ranked[0]
        actions.append(
            Action(
                priority=1 if live else 2,
                title=f"Rebuild {top.name} without {name}, then redeploy its containers",
                why="A container keeps the image's flaws until it is replaced by one built from "
                "a fixed base image; the deep-dive names the software version that fixes it.",
                tool="assess_risk",
                arguments={"scope": "containers", "image_id": top.image_id or top.sha},
            )
        )
    stats: dict[str, int | float | str] = {"cve_images": len(ranked)}
    if by_image is not None:
        stats |= {"cve_images_running": len(live), "cve_containers_running": containers}
    else:
        stats["failed_parts"] = "running containers"
    if failure:
        findings.append(failure)
    return AggregatorResult(
        records=rows,
        total=listing.total if listing.total is not None else len(ranked),
        truncated=listing.truncated,
        stats=stats,
        findings=findings,
        actions=actions,
        cached=images_cached and (running_cached or by_image is None),
    )
