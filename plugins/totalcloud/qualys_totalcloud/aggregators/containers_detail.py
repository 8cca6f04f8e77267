"""One image in depth (assess_risk scope containers with `image_id`): its detail, software,
vulnerabilities and the containers running it, with the upgrades that fix the most.

The image is found through the image list first (a 404 there means Container Security is
not licensed; an empty answer means no such image), then its four parts are fetched at once;
a part that fails is reported and the others are shown.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from qualys_core.plugins import Action, AggregatorContext, AggregatorResult, Finding
from qualys_totalcloud.aggregators.containers_cache import (
    DETAIL_TIER,
    cached,
    cached_images,
    names,
    stamp,
)
from qualys_totalcloud.aggregators.fanout import fan_out
from qualys_totalcloud.api.container_records import Container, Image, ImageVuln, Software
from qualys_totalcloud.api.containers import (
    get_image,
    image_software,
    image_vulns,
    list_containers,
)

__all__ = ["image_detail", "image_filter"]

_SHA = re.compile(r"^[0-9a-f]{64}$")
_ID = re.compile(r"^[0-9a-f]{12}$")
_NAME = re.compile(r"^[A-Za-z0-9._/:@-]+$")


def image_filter(wanted: str) -> str | None:
    """The CS filter that finds an image given as sha, 12-digit id or `repository[:tag]`;
    None for text that is none of them."""
    value = wanted.strip()
    bare = value.lower().removeprefix("sha256:")
    if _SHA.match(bare):
        return f"sha:{bare}"
    if _ID.match(bare):
        return f"imageId:{bare}"
    if not _NAME.match(value):
        return None
    repository, sep, tag = value.rpartition(":")
    if sep and "/" not in tag:
        return f"repo.repository:{repository} and repo.tag:{tag}"
    return f"repo.repository:{value}"


def _vuln_row(vuln: ImageVuln) -> dict[str, Any]:
    return {
        "kind": "vulnerability",
        "qid": vuln.qid,
        "title": vuln.title,
        "severity": vuln.severity,
        "cves": list(vuln.cves),
        "patch_available": vuln.patch_available,
        "software": ", ".join(f"{s.name} {s.version or ''}".strip() for s in vuln.software) or None,
        "fixed_version": vuln.fixed_version,
        "first_found": stamp(vuln.first_found),
    }


def _container_row(container: Container) -> dict[str, Any]:
    return {
        "kind": "container",
        "container_id": container.container_id,
        "name": container.name,
        "state": container.state,
        "host": container.host_name,
        "host_ip": container.host_ip,
        "privileged": container.privileged,
    }


def _software_rows(vulns: list[ImageVuln], software: list[Software]) -> list[dict[str, Any]]:
    """The image's software, those carrying the most vulnerabilities first."""
    carried: dict[str, list[ImageVuln]] = {}
    for vuln in vulns:
        for item in vuln.software:
            carried.setdefault(item.name, []).append(vuln)
    rows = [
        {
            "kind": "software",
            "name": s.name,
            "version": s.version,
            "fix_version": s.fix_version,
            "vulns": len(carried.get(s.name, [])),
            "max_severity": max((v.severity or 0 for v in carried.get(s.name, [])), default=0),
        }
        for s in software
    ]
    return sorted(rows, key=lambda r: (-r["vulns"], -r["max_severity"], r["name"]))


def _upgrades(vulns: list[ImageVuln], software: list[Software]) -> list[Finding]:
    """The upgrades that fix the most vulnerabilities, from the software the flaws are in."""
    fixes = {s.name: s for s in software if s.fix_version}
    by_name: dict[str, list[ImageVuln]] = {}
    for vuln in vulns:
        for item in vuln.software:
            if item.name in fixes or item.fix_version:
                by_name.setdefault(item.name, []).append(vuln)
    found = []
    for name, fixed in sorted(by_name.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:3]:
        item = fixes.get(name) or next(s for v in fixed for s in v.software if s.name == name)
        cves = sorted({c for v in fixed for c in v.cves})
        worst = max(v.severity or 0 for v in fixed)
        found.append(
            Finding(
                text=f"Upgrading {name} {item.version or ''} to {item.fix_version} fixes "
                f"{len(fixed)} vulnerabilities" + (f" ({names(cves)})" if cves else ""),
                severity="high" if worst >= 5 else "medium" if worst >= 4 else "low",
            )
        )
    return found


async def image_detail(ctx: AggregatorContext) -> AggregatorResult:
    """The deep-dive of `image_id`; without one, nothing (no calls)."""
    wanted = ctx.params.get("image_id")
    if not wanted:
        return AggregatorResult()
    query = image_filter(str(wanted))
    if query is None:
        return AggregatorResult(
            stats={"image_matches": 0},
            findings=[
                Finding(
                    text=f"{wanted!r} is not an image sha, image id or repository[:tag]",
                    severity="low",
                )
            ],
        )
    listing, list_cached = await cached_images(ctx, query)
    if not listing.items:
        return _unknown(str(wanted))
    matches = sorted(listing.items, key=lambda i: (i.counts.of(5), i.counts.of(4)), reverse=True)
    image = matches[0]
    key = image.key
    parts: dict[str, Callable[[], Awaitable[Any]]] = {
        "image detail": lambda: get_image(ctx.client, key),
        "software": lambda: image_software(ctx.client, key),
        "vulnerabilities": lambda: image_vulns(ctx.client, key),
        "containers": lambda: list_containers(
            ctx.client, filter=f"imageSha:{image.sha}" if image.sha else f"imageId:{key}"
        ),
    }

    async def run(part: str) -> tuple[Any, bool]:
        return await cached(ctx, DETAIL_TIER, (part, key), parts[part])

    done = await fan_out(parts, run)
    got = {part: value for part, (value, _) in done.results.items()}
    detail: Image = got.get("image detail") or image
    software: list[Software] = got.get("software") or list(detail.software)
    vulns: list[ImageVuln] = sorted(
        got.get("vulnerabilities") or [], key=lambda v: (-(v.severity or 0), v.qid)
    )
    containers: list[Container] = got["containers"].items if "containers" in got else []
    running = [c for c in containers if (c.state or "").upper() == "RUNNING"]
    hosts = sorted({c.host_name for c in running if c.host_name})
    counts = {s: sum(1 for v in vulns if v.severity == s) for s in (5, 4, 3, 2, 1)}
    patchable = sum(1 for v in vulns if v.patch_available)
    stats: dict[str, int | float | str] = {
        "image_matches": len(matches),
        "image": image.name,
        "image_id": image.image_id or key,
        "image_containers_running": len(running),
        "image_containers": len(containers),
        "image_hosts": len(hosts),
        "image_software": len(software),
        **done.failure_stats(),
    }
    if "vulnerabilities" in got:
        stats |= {f"image_vulns_sev{s}": n for s, n in counts.items()}
        stats |= {"image_vulns": len(vulns), "image_vulns_patchable": patchable}
    findings = [_headline(image, vulns if "vulnerabilities" in got else None, running, hosts)]
    findings += _upgrades(vulns, software)
    if len(matches) > 1:
        others = [m.name for m in matches[1:]]
        findings.append(
            Finding(text=f"{len(matches)} images match {wanted!r}; showing {image.name} "
                    f"(most severe); the others: {names(others)}")
        )  # fmt: skip
    findings += done.failure_findings(lambda part: f"Image {part}")
    worst = next((v for v in vulns if v.cves), None)
    actions = []
    if worst is not None:
        actions.append(
            Action(
                priority=1 if running and (worst.severity or 0) >= 4 else 2,
                title=f"Investigate {worst.cves[0]} across the estate",
                why=f"The most severe CVE in {image.name}; see every image and host it is on.",
                tool="investigate",
                arguments={"target": worst.cves[0], "depth": "standard"},
            )
        )
    if running and counts[5] + counts[4]:
        actions.append(
            Action(
                priority=1,
                title=f"Rebuild {image.name} and replace its {len(running)} running containers",
                why=f"They run with {counts[5]} severity-5 and {counts[4]} severity-4 "
                f"vulnerabilities on {names(hosts)}.",
            )
        )
    rows = [
        *(_container_row(c) for c in containers),
        *_software_rows(vulns, software),
        *(_vuln_row(v) for v in vulns),
    ]
    return AggregatorResult(
        records=rows,
        total=len(rows),
        stats=stats,
        findings=findings,
        actions=actions,
        cached=list_cached and all(hit for _, hit in done.results.values()),
    )


def _headline(
    image: Image, vulns: list[ImageVuln] | None, running: list[Container], hosts: list[str]
) -> Finding:
    where = (
        f"runs as {len(running)} containers on {len(hosts)} hosts ({names(hosts)})"
        if running
        else "no container runs it"
    )
    if vulns is None:
        return Finding(text=f"Image {image.name} ({image.image_id}): {where}", severity="medium")
    sev5 = sum(1 for v in vulns if v.severity == 5)
    sev4 = sum(1 for v in vulns if v.severity == 4)
    patchable = sum(1 for v in vulns if v.patch_available)
    severity = "high" if sev5 and running else "medium" if sev5 or sev4 else "low"
    return Finding(
        text=f"Image {image.name} ({image.image_id}): {len(vulns)} vulnerabilities ({sev5} "
        f"severity 5, {sev4} severity 4, {patchable} with a patch); {where}",
        severity=severity,
    )


def _unknown(wanted: str) -> AggregatorResult:
    return AggregatorResult(
        stats={"image_matches": 0},
        findings=[
            Finding(
                text=f"No container image matches {wanted!r} in Container Security",
                severity="low",
            )
        ],
        actions=[
            Action(
                priority=2,
                title="List the container images",
                why="Pick an image id or sha from the ranked image list.",
                tool="assess_risk",
                arguments={"scope": "containers"},
            )
        ],
    )
