"""Container Security records (images, containers, vulnerabilities, software, registries,
sensors) and the readers that build them from `/csapi/v1.3` JSON.

The readers take every shape a public client reads (catalogue §12a-c) besides the vendor's:
severity counts as `{severity5Count...}` or `{severity: {"5": n}}` (or a one-item list of
either), `repo` as the vendor's list of {registry, tag, repository} or qualys-mcp's flat
`repo`/`tag`, a container's host nested (`host.hostname`, vendor and qualysdk) or flat
(`hostName`, qualys-mcp), vulnerabilities under `details` (vendor), `details.vulns`
(qualysdk) or `data` (qualys-mcp), CVEs as `cveids` lists or a single `cveId`, timestamps as
epoch milliseconds or ISO text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from qualys_core.http.values import read_bool, read_int, read_text

__all__ = [
    "Container",
    "Image",
    "ImageVuln",
    "Registry",
    "Sensor",
    "SensorProfile",
    "Software",
    "VulnCounts",
    "VulnerabilityRow",
    "as_time",
    "parse_container",
    "parse_image",
    "parse_image_vulns",
    "parse_profile",
    "parse_registry",
    "parse_sensor",
    "parse_severity_groups",
    "parse_software",
    "parse_vulnerability_row",
    "read_counts",
]

SEVERITIES = (5, 4, 3, 2, 1)


class VulnCounts(BaseModel):
    """Vulnerability counts by severity (5 most severe); `patchable` when Qualys says."""

    model_config = ConfigDict(frozen=True)

    by_severity: dict[int, int] = {}
    patchable: int | None = None

    def of(self, severity: int) -> int:
        return self.by_severity.get(severity, 0)

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())


class Software(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    version: str | None = None
    fix_version: str | None = None


class ImageVuln(BaseModel):
    model_config = ConfigDict(frozen=True)

    qid: int
    title: str | None = None
    severity: int | None = None
    cves: tuple[str, ...] = ()
    patch_available: bool | None = None
    fixed_version: str | None = None
    software: tuple[Software, ...] = ()
    first_found: datetime | None = None
    last_found: datetime | None = None


class Image(BaseModel):
    model_config = ConfigDict(frozen=True)

    image_id: str | None = None
    sha: str | None = None
    uuid: str | None = None
    repo: str | None = None
    tag: str | None = None
    registry: str | None = None
    created: datetime | None = None
    last_used: datetime | None = None
    operating_system: str | None = None
    counts: VulnCounts = VulnCounts()
    containers: int | None = None  # associatedContainersCount
    hosts: int | None = None  # associatedHostsCount
    software: tuple[Software, ...] = ()

    @property
    def name(self) -> str:
        repo = self.repo or self.image_id or self.sha or "unknown image"
        return f"{repo}:{self.tag}" if self.tag else repo

    @property
    def key(self) -> str:
        """The id to ask Container Security about this image with: the sha when known."""
        return self.sha or self.image_id or ""


class Container(BaseModel):
    model_config = ConfigDict(frozen=True)

    container_id: str | None = None
    sha: str | None = None
    name: str | None = None
    image_id: str | None = None
    image_sha: str | None = None
    image_repo: str | None = None
    image_tag: str | None = None
    state: str | None = None
    host_name: str | None = None
    host_ip: str | None = None
    sensor_uuid: str | None = None
    privileged: bool | None = None
    created: datetime | None = None
    state_changed: datetime | None = None
    counts: VulnCounts = VulnCounts()


class Registry(BaseModel):
    model_config = ConfigDict(frozen=True)

    uuid: str | None = None
    name: str | None = None
    uri: str | None = None
    registry_type: str | None = None
    repositories: int | None = None
    last_scanned: datetime | None = None


class Sensor(BaseModel):
    model_config = ConfigDict(frozen=True)

    uuid: str | None = None
    hostname: str | None = None
    ip: str | None = None
    version: str | None = None
    sensor_type: str | None = None
    status: str | None = None
    last_checked_in: datetime | None = None


class SensorProfile(BaseModel):
    model_config = ConfigDict(frozen=True)

    profile_id: str | None = None
    name: str | None = None
    profile_type: str | None = None
    sensors: int | None = None


class VulnerabilityRow(BaseModel):
    """One QID of the estate-wide vulnerability view (`/csapi/v1.3/vuln`)."""

    model_config = ConfigDict(frozen=True)

    uuid: str | None = None
    qid: int
    title: str | None = None
    severity: int | None = None
    cves: tuple[str, ...] = ()
    patch_available: bool | None = None
    images: int | None = None
    containers: int | None = None


# ------------------------------------------------------------------------------ scalars


def as_time(value: Any) -> datetime | None:
    """Epoch milliseconds (number or digits) or ISO-8601 text, as UTC."""
    number = read_int(value)
    if number is not None:
        seconds = number / 1000 if abs(number) > 10**11 else number
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def _first(item: Mapping[str, Any], *keys: str) -> Any:
    return next((item[k] for k in keys if item.get(k) not in (None, "")), None)


# ------------------------------------------------------------------------------ readers


def read_counts(value: Any) -> VulnCounts:
    """Severity counts from `{severity5Count..., patchAvailableCount}`, `{severity: {"5": n}}`,
    `{"5": n}` or a one-item list of any of them; missing severities count 0."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, Mapping)), None)
    if not isinstance(value, Mapping):
        return VulnCounts()
    nested = value.get("severity")
    source: Mapping[str, Any] = nested if isinstance(nested, Mapping) else value
    counts = {}
    for severity in SEVERITIES:
        raw = _first(source, f"severity{severity}Count", str(severity))
        counts[severity] = read_int(raw) or 0
    patch = _first(value, "patchAvailableCount", "patchAvailable")
    return VulnCounts(by_severity=counts, patchable=read_int(patch))


def _repo(item: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    repo = item.get("repo")
    if isinstance(repo, list):
        first = next((r for r in repo if isinstance(r, Mapping)), {})
        return (
            read_text(first.get("repository")),
            read_text(first.get("tag")),
            read_text(first.get("registry")),
        )
    return read_text(repo), read_text(item.get("tag")), read_text(item.get("registry"))


def parse_software(item: Mapping[str, Any]) -> Software | None:
    name = read_text(item.get("name"))
    if name is None:
        return None
    return Software(
        name=name,
        version=read_text(item.get("version")),
        fix_version=read_text(_first(item, "fixVersion", "fixedVersion")),
    )


def _software_list(value: Any) -> tuple[Software, ...]:
    if not isinstance(value, list):
        return ()
    found = (parse_software(v) for v in value if isinstance(v, Mapping))
    return tuple(s for s in found if s is not None)


def parse_image(item: Mapping[str, Any]) -> Image:
    repo, tag, registry = _repo(item)
    return Image(
        image_id=read_text(item.get("imageId")),
        sha=read_text(_first(item, "sha", "imageSha")),
        uuid=read_text(item.get("uuid")),
        repo=repo,
        tag=tag,
        registry=registry,
        created=as_time(item.get("created")),
        last_used=as_time(item.get("lastUsedDate")),
        operating_system=read_text(item.get("operatingSystem")),
        counts=read_counts(item.get("vulnerabilities")),
        containers=read_int(item.get("associatedContainersCount")),
        hosts=read_int(item.get("associatedHostsCount")),
        software=_software_list(_first(item, "softwares", "software")),
    )


def parse_container(item: Mapping[str, Any]) -> Container:
    nested = item.get("host")
    host: Mapping[str, Any] = nested if isinstance(nested, Mapping) else {}
    return Container(
        container_id=read_text(item.get("containerId")),
        sha=read_text(item.get("sha")),
        name=read_text(item.get("name")),
        image_id=read_text(item.get("imageId")),
        image_sha=read_text(item.get("imageSha")),
        image_repo=read_text(_first(item, "imageRepo", "repo")),
        image_tag=read_text(_first(item, "imageTag", "tag")),
        state=read_text(item.get("state")),
        host_name=read_text(_first(host, "hostname") or _first(item, "hostName", "hostname")),
        host_ip=read_text(_first(host, "ipAddress") or item.get("ipv4")),
        sensor_uuid=read_text(_first(host, "sensorUuid") or item.get("sensorUuid")),
        privileged=read_bool(item.get("privileged")),
        created=as_time(item.get("created")),
        state_changed=as_time(item.get("stateChanged")),
        counts=read_counts(item.get("vulnerabilities")),
    )


def _cves(item: Mapping[str, Any]) -> tuple[str, ...]:
    value = _first(item, "cveids", "cveIds", "cveList", "cveId", "cve")
    values = value if isinstance(value, list) else [value] if value else []
    found = (v.get("id") if isinstance(v, Mapping) else v for v in values)
    return tuple(str(v).upper() for v in found if v)


def _image_vuln(item: Mapping[str, Any]) -> ImageVuln | None:
    qid = read_int(item.get("qid"))
    if qid is None:
        return None
    software = _software_list(item.get("software"))
    fixed = read_text(item.get("fixedVersion")) or next(
        (s.fix_version for s in software if s.fix_version), None
    )
    return ImageVuln(
        qid=qid,
        title=read_text(item.get("title")),
        severity=read_int(item.get("severity")),
        cves=_cves(item),
        patch_available=read_bool(item.get("patchAvailable")),
        fixed_version=fixed,
        software=software,
        first_found=as_time(item.get("firstFound")),
        last_found=as_time(item.get("lastFound")),
    )


def parse_image_vulns(body: Any) -> list[ImageVuln]:
    """The vulnerability rows of an image or container answer, whichever shape it has."""
    rows: Any = body
    if isinstance(body, Mapping):
        details = body.get("details")
        if isinstance(details, Mapping):
            details = details.get("vulns")
        rows = details if details is not None else body.get("data")
    if isinstance(rows, Mapping):
        rows = [rows]
    if not isinstance(rows, list):
        return []
    found = (_image_vuln(r) for r in rows if isinstance(r, Mapping))
    return [v for v in found if v is not None]


def parse_registry(item: Mapping[str, Any]) -> Registry:
    return Registry(
        uuid=read_text(_first(item, "uuid", "registryId", "id")),
        name=read_text(_first(item, "registryName", "name")),
        uri=read_text(item.get("registryUri")),
        registry_type=read_text(item.get("registryType")),
        repositories=read_int(item.get("repoCount")),
        last_scanned=as_time(item.get("lastScanDate")),
    )


def parse_sensor(item: Mapping[str, Any]) -> Sensor:
    return Sensor(
        uuid=read_text(_first(item, "uuid", "sensorId")),
        hostname=read_text(item.get("hostname")),
        ip=read_text(_first(item, "ipv4", "ipAddress")),
        version=read_text(item.get("sensorVersion")),
        sensor_type=read_text(_first(item, "type", "sensorType")),
        status=read_text(item.get("status")),
        last_checked_in=as_time(item.get("lastCheckedIn")),
    )


def parse_profile(item: Mapping[str, Any]) -> SensorProfile:
    return SensorProfile(
        profile_id=read_text(item.get("profileId")),
        name=read_text(item.get("profileName")),
        profile_type=read_text(item.get("profileType")),
        sensors=read_int(item.get("associatedSensorsCount")),
    )


def parse_vulnerability_row(item: Mapping[str, Any]) -> VulnerabilityRow | None:
    qid = read_int(item.get("qid"))
    if qid is None:
        return None
    return VulnerabilityRow(
        uuid=read_text(item.get("uuid")),
        qid=qid,
        title=read_text(item.get("title")),
        severity=read_int(item.get("severity")),
        cves=_cves(item),
        patch_available=read_bool(item.get("patchAvailable")),
        images=read_int(item.get("imageCount")),
        containers=read_int(item.get("containerCount")),
    )


def parse_severity_groups(body: Any) -> dict[int, int]:
    """`/vuln/count?groupBy=severity` in either shape qualys-mcp reads (§12a S8): a list of
    {key or severity, count}, or an object by severity (also severity5Count form)."""
    counts = dict.fromkeys(SEVERITIES, 0)
    if isinstance(body, Mapping) and isinstance(body.get("data"), list | Mapping):
        body = body["data"]
    if isinstance(body, Sequence) and not isinstance(body, str):
        for row in body:
            if isinstance(row, Mapping):
                severity = read_int(_first(row, "key", "severity"))
                if severity in counts:
                    counts[severity] += read_int(row.get("count")) or 0
        return counts
    return dict(read_counts(body).by_severity)
