"""The records of the simulated Container Security estate: registries, images with their
software and vulnerabilities, containers, sensors, and the estate with its lookups.

`container_data` builds them from the tenant. Image and container shas are content-like (a
hash of repository and tag, of image and ordinal), the same in every tenant.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from qualys_core.simulator import Host
from qualys_core.simulator.kb import Vuln
from qualys_totalcloud.simulator.cloud_data import stable_uuid
from qualys_totalcloud.simulator.containers_catalog import RegistryKind

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
    "container_sha",
    "image_sha",
    "sha_of",
]


def sha_of(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def image_sha(repository: str, tag: str) -> str:
    """An image's sha: a hash of repository and tag, the same in every tenant."""
    return sha_of("cs-image", repository, tag)


def container_sha(image: str, ordinal: int) -> str:
    """The sha of an image's `ordinal`-th container (from 0)."""
    return sha_of("cs-container", image, ordinal)


@dataclass(frozen=True, slots=True)
class Registry:
    uuid: str
    kind: RegistryKind
    host: str
    uri: str
    created: datetime
    last_scanned: datetime


@dataclass(frozen=True, slots=True)
class ImageSoftware:
    name: str  # a `Software.product` name of the tenant catalogue
    version: str
    fix_version: str | None  # the catalogue's newest version when this one has flaws


@dataclass(frozen=True, slots=True)
class ImageVuln:
    vuln: Vuln
    software: ImageSoftware | None  # None for an OS-level flaw
    first_found: datetime
    last_found: datetime


@dataclass(frozen=True, slots=True)
class Image:
    image_id: str  # the first 12 hex digits of `sha`, as Container Security shows it
    sha: str
    uuid: str
    repository: str
    tag: str
    registry_kind: RegistryKind
    registry_host: str
    registry: Registry | None  # None when the registry is not onboarded
    os: str
    created: datetime
    updated: datetime
    size: int
    software: tuple[ImageSoftware, ...]
    vulns: tuple[ImageVuln, ...]

    @property
    def name(self) -> str:
        return f"{self.repository}:{self.tag}"

    def severity_counts(self) -> dict[int, int]:
        counts = dict.fromkeys(range(1, 6), 0)
        for found in self.vulns:
            counts[found.vuln.severity] += 1
        return counts


@dataclass(frozen=True, slots=True)
class Container:
    container_id: str
    sha: str
    uuid: str
    name: str
    image: Image
    host: Host
    host_uuid: str
    sensor_uuid: str
    state: str  # RUNNING | STOPPED | DELETED
    created: datetime
    updated: datetime
    state_changed: datetime
    privileged: bool


@dataclass(frozen=True, slots=True)
class Sensor:
    uuid: str
    host: Host
    version: str
    sensor_type: str  # GENERAL (a Docker host) | CLUSTER (a Kubernetes node)
    created: datetime
    last_checked_in: datetime


@dataclass(frozen=True, slots=True)
class SensorProfile:
    profile_id: str
    name: str
    profile_type: str
    sensors: int


@dataclass(frozen=True, slots=True)
class VulnerabilityView:
    """One QID across the estate, as the Container Security vulnerability view lists it."""

    uuid: str
    vuln: Vuln
    images: tuple[Image, ...]
    containers: int  # containers (not deleted) of those images
    patch_available: bool
    first_found: datetime
    last_found: datetime


@dataclass
class ContainerEstate:
    now: datetime
    registries: tuple[Registry, ...]
    images: tuple[Image, ...]
    containers: tuple[Container, ...]
    sensors: tuple[Sensor, ...]
    profiles: tuple[SensorProfile, ...]
    _by_image: dict[str, list[Container]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._images = {i.sha: i for i in self.images} | {i.image_id: i for i in self.images}
        self._containers = {c.sha: c for c in self.containers} | {
            c.container_id: c for c in self.containers
        }
        for container in self.containers:
            self._by_image.setdefault(container.image.sha, []).append(container)

    def image(self, id_or_sha: str) -> Image | None:
        """An image by its 12-digit id or its sha (with or without the `sha256:` prefix)."""
        return self._images.get(id_or_sha.strip().lower().removeprefix("sha256:"))

    def container(self, id_or_sha: str) -> Container | None:
        return self._containers.get(id_or_sha.strip().lower())

    def containers_of(self, image: Image) -> list[Container]:
        return list(self._by_image.get(image.sha, ()))

    def running(self, image: Image) -> list[Container]:
        return [c for c in self.containers_of(image) if c.state == "RUNNING"]

    def last_used(self, image: Image) -> datetime | None:
        """When a container of the image last ran: now when one runs, else its last stop."""
        found = self.containers_of(image)
        if any(c.state == "RUNNING" for c in found):
            return max(c.updated for c in found)
        return max((c.state_changed for c in found), default=None)

    @cached_property
    def vulnerabilities(self) -> tuple[VulnerabilityView, ...]:
        """Every QID found on an image, most severe and widespread first."""
        by_qid: dict[int, list[tuple[Image, ImageVuln]]] = {}
        for image in self.images:
            for found in image.vulns:
                by_qid.setdefault(found.vuln.qid, []).append((image, found))
        views = []
        for qid, pairs in by_qid.items():
            images = tuple(image for image, _ in pairs)
            live = sum(
                1 for image in images for c in self.containers_of(image) if c.state != "DELETED"
            )
            views.append(
                VulnerabilityView(
                    uuid=stable_uuid("cs-vulnerability", qid),
                    vuln=pairs[0][1].vuln,
                    images=images,
                    containers=live,
                    patch_available=pairs[0][1].vuln.patchable,
                    first_found=min(found.first_found for _, found in pairs),
                    last_found=max(found.last_found for _, found in pairs),
                )
            )
        views.sort(key=lambda v: (-v.vuln.severity, -len(v.images), v.vuln.qid))
        return tuple(views)

    def vulnerability(self, uuid: str) -> VulnerabilityView | None:
        return next((v for v in self.vulnerabilities if v.uuid == uuid.strip().lower()), None)
