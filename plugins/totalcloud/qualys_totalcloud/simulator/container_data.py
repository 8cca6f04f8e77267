"""The simulated Container Security estate built from the shared tenant: registries, images
(software and KB vulnerabilities), containers on the tenant's Linux hosts, and the sensors
watching them; built on first use and kept with the tenant.

Which hosts run an image, container states and the sensors' check-ins are drawn from streams
seeded with the tenant's seed. An image's vulnerabilities are KnowledgeBase entries for Linux
and the products it ships: a flaw tied to product versions is present whenever the version
matches (scanners read package versions), the others are drawn.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from qualys_core.simulator import Host, Tenant, stable_random
from qualys_core.simulator.kb import KnowledgeBase, Vuln
from qualys_totalcloud.simulator.cloud_data import stable_uuid
from qualys_totalcloud.simulator.containers_catalog import (
    IMAGE_TEMPLATES,
    REGISTRY_KINDS,
    SENSOR_VERSIONS,
    ImageTemplate,
)
from qualys_totalcloud.simulator.containers_model import (
    Container,
    ContainerEstate,
    Image,
    ImageSoftware,
    ImageVuln,
    Registry,
    Sensor,
    SensorProfile,
    VulnerabilityView,
    container_sha,
    image_sha,
)

__all__ = [
    "Container",
    "ContainerEstate",
    "Image",
    "ImageSoftware",
    "ImageVuln",
    "Registry",
    "Sensor",
    "SensorProfile",
    "VulnerabilityView",
    "build_estate",
    "container_sha",
    "estate",
    "image_count",
    "image_sha",
]

_KEY = "totalcloud"
_MAX_IMAGES = 200
_DEFAULT_AWS_ACCOUNT = "210987654321"
STATES = ("RUNNING", "STOPPED", "DELETED")


def image_count(tenant: Tenant) -> int:
    """How many images a tenant has: none without hosts, else 40 and one per 50 assets."""
    return 0 if not tenant.hosts else min(_MAX_IMAGES, 40 + tenant.asset_count // 50)


def _versions(tenant: Tenant) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for software in tenant.software:
        found.setdefault(software.product, []).append(software.version)
    return found


def _aws_account(tenant: Tenant) -> str:
    return next(
        (h.cloud.account_id for h in tenant.hosts if h.cloud and h.cloud.provider == "AWS"),
        _DEFAULT_AWS_ACCOUNT,
    )


def _registries(tenant: Tenant, aws: str) -> dict[str, Registry]:
    rng = stable_random(tenant.seed, "cs-registries")
    found = {}
    for index, kind in enumerate(REGISTRY_KINDS):
        if not kind.onboarded:
            continue
        # The last onboarded registry has not been scanned for weeks (a broken credential).
        age = (
            timedelta(days=rng.randint(18, 40))
            if kind.key == "gcr"
            else timedelta(hours=rng.randint(1, 20))
        )
        found[kind.key] = Registry(
            uuid=stable_uuid(tenant.seed, "cs-registry", kind.key),
            kind=kind,
            host=kind.host.format(aws=aws),
            uri=kind.uri.format(aws=aws),
            created=tenant.now - timedelta(days=rng.randint(200, 700) + index),
            last_scanned=tenant.now - age,
        )
    return found


def _app_tag(rng: random.Random) -> str:
    return f"{rng.randint(1, 4)}.{rng.randint(0, 12)}.{rng.randint(0, 20)}"


def _image_plans(tenant: Tenant) -> list[tuple[ImageTemplate, str, dict[str, str]]]:
    """(template, tag, product versions) for each image: every template's pinned image
    first, then further tags round by round until the tenant's image count."""
    wanted = image_count(tenant)
    versions = _versions(tenant)
    rng = stable_random(tenant.seed, "cs-image-plans")
    plans: list[tuple[ImageTemplate, str, dict[str, str]]] = []
    seen: set[tuple[str, str]] = set()
    for round_ in range(12):
        for template in IMAGE_TEMPLATES:
            if len(plans) >= wanted:
                return plans
            chosen = {p: rng.choice(versions.get(p, ["1.0"])) for p in template.products}
            if round_ == 0:
                chosen.update(template.pins)
            tag = chosen[template.main] if template.main else _app_tag(rng)
            if (template.repository, tag) in seen:
                continue
            seen.add((template.repository, tag))
            plans.append((template, tag, chosen))
    return plans


def _draw_filler(rng: random.Random, pool: Sequence[Vuln], low: int, high: int) -> list[Vuln]:
    """A few generic flaws; critical ones are kept one time in four, so that severity-5
    findings stay the exception they are in real images."""
    drawn = rng.sample(pool, min(len(pool), rng.randint(low, high)))
    return [v for v in drawn if v.severity < 5 or rng.random() < 0.25]


def _image_vulns(
    kb: KnowledgeBase,
    rng: random.Random,
    os_name: str,
    software: Sequence[ImageSoftware],
    created: datetime,
    scanned: datetime,
) -> tuple[ImageVuln, ...]:
    chosen: dict[int, tuple[Vuln, ImageSoftware | None]] = {}
    for item in software:
        pool = kb.candidates("Linux", os_name, item.name, item.version)
        for vuln, chance in pool.targeted:
            if vuln.versions or rng.random() < chance:
                chosen.setdefault(vuln.qid, (vuln, item))
        for vuln in _draw_filler(rng, pool.filler, 0, 3):
            chosen.setdefault(vuln.qid, (vuln, item))
    base = kb.candidates("Linux", os_name)
    for vuln, chance in base.targeted:
        if rng.random() < chance / 2:
            chosen.setdefault(vuln.qid, (vuln, None))
    for vuln in _draw_filler(rng, base.filler, 2, 12):
        chosen.setdefault(vuln.qid, (vuln, None))
    found = []
    for qid in sorted(chosen):
        vuln, owner = chosen[qid]
        first = max(created, scanned - timedelta(days=rng.randint(0, 120)))
        found.append(ImageVuln(vuln, owner, first, scanned))
    return tuple(found)


def _images(tenant: Tenant, registries: Mapping[str, Registry], aws: str) -> tuple[Image, ...]:
    versions = _versions(tenant)
    kinds = {kind.key: kind for kind in REGISTRY_KINDS}
    images = []
    for template, tag, chosen in _image_plans(tenant):
        sha = image_sha(template.repository, tag)
        rng = stable_random(tenant.seed, "cs-image", sha)
        created = tenant.now - timedelta(days=rng.randint(5, 420), seconds=rng.randrange(86400))
        scanned = tenant.now - timedelta(hours=rng.randint(1, 72))
        flawed = {
            p
            for p, v in chosen.items()
            if any(x.versions for x, _ in tenant.kb.candidates("Linux", template.os, p, v).targeted)
        }
        software = tuple(
            ImageSoftware(p, v, versions[p][-1] if p in flawed and versions[p][-1] != v else None)
            for p, v in chosen.items()
        )
        kind = kinds[template.registry]
        images.append(
            Image(
                image_id=sha[:12], sha=sha, uuid=stable_uuid("cs-image", sha),
                repository=template.repository, tag=tag, registry_kind=kind,
                registry_host=kind.host.format(aws=aws), registry=registries.get(kind.key),
                os=template.os, created=created, updated=scanned,
                size=rng.randint(40, 900) * 1_000_000 + rng.randrange(1_000_000),
                software=software,
                vulns=_image_vulns(tenant.kb, rng, template.os, software, created, scanned),
            )
        )  # fmt: skip
    return tuple(images)


def _container_hosts(tenant: Tenant) -> list[Host]:
    """Linux hosts with a container runtime (Docker Engine, kubelet); when fewer than three
    have one, seeded other Linux servers make up three."""
    linux = [h for h in tenant.hosts if h.os_family == "Linux"]
    runtimes = {"Docker Engine", "kubelet"}
    found = [h for h in linux if runtimes & {s.product for s in tenant.software_of(h)}]
    if len(found) < 3:
        rest = [h for h in linux if h not in found]
        rng = stable_random(tenant.seed, "cs-container-hosts")
        found += rng.sample(rest, min(len(rest), 3 - len(found)))
    return sorted(found, key=lambda h: h.host_id)[:60]


def _is_cluster(tenant: Tenant, host: Host) -> bool:
    return any(s.product == "kubelet" for s in tenant.software_of(host))


def _containers(
    tenant: Tenant, images: Sequence[Image], hosts: Sequence[Host]
) -> tuple[Container, ...]:
    if not hosts:
        return ()
    templates = {t.repository: t for t in IMAGE_TEMPLATES}
    found = []
    pinned_seen: set[str] = set()
    for image in images:
        rng = stable_random(tenant.seed, "cs-containers", image.sha)
        template = templates[image.repository]
        always = template.runs and image.repository not in pinned_seen
        pinned_seen.add(image.repository)
        if not always and rng.random() >= 0.6:
            continue  # built or pulled, never run
        count = rng.randint(2, 5) if always else rng.randint(1, 4)
        for n in range(count):
            host = rng.choice(hosts)
            state = "RUNNING" if always and n == 0 else rng.choices(STATES, (75, 15, 10))[0]
            sha = container_sha(image.sha, n)
            created = max(image.created, tenant.now - timedelta(days=rng.randint(1, 90)))
            changed = (
                created
                if state == "RUNNING"
                else tenant.now - timedelta(days=rng.randint(1, 30), hours=rng.randrange(24))
            )
            found.append(
                Container(
                    container_id=sha[:12], sha=sha, uuid=stable_uuid("cs-container", sha),
                    name=f"{image.repository.rsplit('/', 1)[-1]}-{n + 1}", image=image,
                    host=host, host_uuid=stable_uuid(tenant.seed, "cs-host", host.host_id),
                    sensor_uuid=stable_uuid(tenant.seed, "cs-sensor", host.host_id),
                    state=state, created=created,
                    updated=tenant.now - timedelta(minutes=rng.randint(5, 600)),
                    state_changed=max(created, changed), privileged=rng.random() < 0.1,
                )
            )  # fmt: skip
    return tuple(found)


def _sensors(tenant: Tenant, hosts: Sequence[Host]) -> tuple[Sensor, ...]:
    found = []
    for index, host in enumerate(hosts):
        rng = stable_random(tenant.seed, "cs-sensor", host.host_id)
        # Every fifth sensor (and a seeded few more) stopped checking in days ago.
        stale = index % 5 == 4 or rng.random() < 0.05
        ago = (
            timedelta(days=rng.randint(3, 30)) if stale else timedelta(minutes=rng.randint(2, 360))
        )
        found.append(
            Sensor(
                uuid=stable_uuid(tenant.seed, "cs-sensor", host.host_id),
                host=host,
                version=rng.choices(SENSOR_VERSIONS, (6, 3, 1))[0],
                sensor_type="CLUSTER" if _is_cluster(tenant, host) else "GENERAL",
                created=tenant.now - timedelta(days=rng.randint(60, 600)),
                last_checked_in=tenant.now - ago,
            )
        )
    return tuple(found)


def _profiles(tenant: Tenant, sensors: Sequence[Sensor]) -> tuple[SensorProfile, ...]:
    general = sum(1 for s in sensors if s.sensor_type == "GENERAL")
    return (
        SensorProfile(stable_uuid(tenant.seed, "cs-profile", 1), "Default Sensor Profile",
                      "GENERAL", general),
        SensorProfile(stable_uuid(tenant.seed, "cs-profile", 2), "Kubernetes Nodes",
                      "CLUSTER", len(sensors) - general),
    )  # fmt: skip


def build_estate(tenant: Tenant) -> ContainerEstate:
    aws = _aws_account(tenant)
    registries = _registries(tenant, aws)
    images = _images(tenant, registries, aws)
    hosts = _container_hosts(tenant) if images else []
    containers = _containers(tenant, images, hosts)
    sensors = _sensors(tenant, hosts)
    return ContainerEstate(
        now=tenant.now,
        registries=tuple(registries.values()),
        images=images,
        containers=containers,
        sensors=sensors,
        profiles=_profiles(tenant, sensors),
    )


def estate(tenant: Tenant) -> ContainerEstate:
    """The tenant's container estate, built on first use and kept with the tenant."""
    slot = tenant.extensions.setdefault(_KEY, {})
    found = slot.get("containers")
    if found is None:
        found = slot["containers"] = build_estate(tenant)
    assert isinstance(found, ContainerEstate)
    return found
