"""Container Security JSON records as `/csapi/v1.3` sends them, from the simulated estate.

Field names and forms follow the vendor's samples (docs.qualys.com, Container Security API:
"Fetch a List of Images", "Fetch Image Details", "Fetch Vulnerability Details for an
Image", "Fetch Vulnerability Count for an Image", "Fetch a List of Containers", "Fetch
Container Details"): epoch-millisecond strings, `repo` as a list of {registry, tag,
repository}, `vulnerabilities` as severity5Count..severity1Count, a nested `host`. Where the
vendor shows no sample the catalogue's readers name the fields (§12a S8, S9, S11, S13; the
container vulnerability list as qualysdk reads it, §12b).
"""

from __future__ import annotations

from typing import Any

from qualys_totalcloud.simulator.container_data import (
    Container,
    ContainerEstate,
    Image,
    ImageSoftware,
    ImageVuln,
    Registry,
    Sensor,
    SensorProfile,
    VulnerabilityView,
)
from qualys_totalcloud.simulator.containers_qql import iso_ms, millis

__all__ = [
    "container_record",
    "counts_record",
    "image_record",
    "profile_record",
    "registry_record",
    "sensor_record",
    "software_record",
    "vuln_record",
    "vulnerability_detail",
    "vulnerability_record",
]


def counts_record(counts: dict[int, int]) -> dict[str, int]:
    return {f"severity{s}Count": counts.get(s, 0) for s in (5, 4, 3, 2, 1)}


def _software_counts(image: Image, software: ImageSoftware) -> dict[int, int]:
    counts = dict.fromkeys(range(1, 6), 0)
    for found in image.vulns:
        if found.software is software:
            counts[found.vuln.severity] += 1
    return counts


def image_record(estate: ContainerEstate, image: Image, *, detail: bool = False) -> dict[str, Any]:
    containers = [c for c in estate.containers_of(image) if c.state != "DELETED"]
    source = ["REGISTRY"] if image.registry is not None else []
    if containers or image.registry is None:
        source.append("GENERAL")
    record: dict[str, Any] = {
        "created": millis(image.created),
        "updated": millis(image.updated),
        "lastUsedDate": millis(estate.last_used(image)),
        "sha": image.sha,
        "repo": [
            {"registry": image.registry_host, "tag": image.tag, "repository": image.repository}
        ],
        "repoDigests": [
            {"registry": image.registry_host, "digest": image.uuid.replace("-", "") * 2,
             "repository": image.repository}
        ],
        "uuid": image.uuid,
        "size": image.size,
        "operatingSystem": image.os,
        "vulnerabilities": counts_record(image.severity_counts()),
        "imageId": image.image_id,
        "associatedContainersCount": len(containers),
        "associatedHostsCount": len({c.host.host_id for c in containers}),
        "registryUuid": image.registry.uuid if image.registry else None,
        "source": source,
        "scanTypes": ["STATIC"] if image.registry is not None else ["DYNAMIC"],
        "scanStatus": "SUCCESS",
    }  # fmt: skip
    if detail:
        record["softwares"] = [software_record(image, s) for s in image.software]
    return record


def software_record(image: Image, software: ImageSoftware) -> dict[str, Any]:
    """A software row as qualysdk's csSoftware reads it (§12b)."""
    return {
        "name": software.name,
        "version": software.version,
        "fixVersion": software.fix_version,
        "scanType": "STATIC" if image.registry is not None else "DYNAMIC",
        "packagePath": None,
        "vulnerabilities": counts_record(_software_counts(image, software)),
    }


def vuln_record(found: ImageVuln) -> dict[str, Any]:
    """One vulnerability of an image or container (the vendor's image sample; qualysdk csVuln)."""
    vuln, software = found.vuln, found.software
    result = None
    if software is not None:
        required = software.fix_version or "latest vendor release"
        result = (
            '#table cols="3"\nPackage Installed_Version Required_Version\n'
            f"{software.name} {software.version} {required}"
        )
    return {
        "qid": vuln.qid,
        "title": vuln.title,
        "vulnerability": None,
        "result": result,
        "lastFound": millis(found.last_found),
        "firstFound": millis(found.first_found),
        "severity": vuln.severity,
        "customerSeverity": vuln.severity,
        "qdsScore": vuln.qds,
        "port": None,
        "typeDetected": "CONFIRMED",
        "status": None,
        "risk": vuln.severity * 10,
        "category": vuln.category,
        "discoveryType": ["AUTHENTICATED"],
        "cveids": list(vuln.cves),
        "patchAvailable": vuln.patchable,
        "published": millis(vuln.published),
        "cvssInfo": {"baseScore": vuln.cvss_base, "temporalScore": vuln.cvss_temporal},
        "software": (
            [{"name": software.name, "version": software.version,
              "fixVersion": software.fix_version}]
            if software is not None else []
        ),
    }  # fmt: skip


def container_record(container: Container, *, detail: bool = False) -> dict[str, Any]:
    host = container.host
    record: dict[str, Any] = {
        "imageId": container.image.image_id,
        "created": millis(container.created),
        "updated": millis(container.updated),
        "label": None,
        "uuid": container.uuid,
        "sha": container.sha,
        "privileged": container.privileged,
        "imageSha": container.image.sha,
        "imageUuid": container.image.uuid,
        "name": container.name,
        "host": {
            "sensorUuid": container.sensor_uuid,
            "hostname": host.dns,
            "ipAddress": host.ip,
            "ipV6Address": host.ipv6,
            "uuid": container.host_uuid,
            "lastUpdated": iso_ms(container.updated),
        },
        "hostArchitecture": ["amd64"],
        "state": container.state,
        "containerId": container.container_id,
        "stateChanged": millis(container.state_changed),
        "operatingSystem": container.image.os,
        "sensorUuid": container.sensor_uuid,
        "isRoot": None,
        "vulnerabilities": counts_record(container.image.severity_counts()),
    }
    if detail:
        # The vendor's detail sample wraps the counts in a one-item list.
        record["vulnerabilities"] = [record["vulnerabilities"]]
        image = container.image
        record["softwares"] = [software_record(image, s) for s in image.software]
    return record


def registry_record(registry: Registry, repositories: int) -> dict[str, Any]:
    return {
        "uuid": registry.uuid,
        "registryName": registry.kind.name,
        "registryUri": registry.uri,
        "registryType": registry.kind.registry_type,
        "repoCount": repositories,
        "created": millis(registry.created),
        "lastScanDate": millis(registry.last_scanned),
    }


def sensor_record(sensor: Sensor) -> dict[str, Any]:
    # No vendor sample is stored for /sensors; the names are those a public CS connector reads
    # (uuid, hostname, ipv4, sensorVersion, lastCheckedIn as epoch milliseconds).
    return {
        "uuid": sensor.uuid,
        "hostname": sensor.host.dns,
        "ipv4": sensor.host.ip,
        "ipv6": sensor.host.ipv6,
        "sensorVersion": sensor.version,
        "type": sensor.sensor_type,
        "platform": "Linux",
        "created": millis(sensor.created),
        "lastCheckedIn": millis(sensor.last_checked_in),
    }


def profile_record(profile: SensorProfile) -> dict[str, Any]:
    return {
        "profileId": profile.profile_id,
        "profileName": profile.name,
        "profileType": profile.profile_type,
        "associatedSensorsCount": profile.sensors,
    }


def _dto(view: VulnerabilityView) -> dict[str, Any]:
    vuln = view.vuln
    return {
        "qid": vuln.qid,
        "title": vuln.title,
        "severity": vuln.severity,
        "cveIds": list(vuln.cves),
        "patchAvailable": view.patch_available,
        "imageCount": len(view.images),
        "containerCount": view.containers,
        "firstFound": millis(view.first_found),
        "lastFound": millis(view.last_found),
    }


def vulnerability_record(view: VulnerabilityView) -> dict[str, Any]:
    """A row of `/csapi/v1.3/vuln`: the DTO qualys-mcp reads from the detail call (S9)."""
    return {"uuid": view.uuid, **_dto(view)}


def vulnerability_detail(view: VulnerabilityView) -> dict[str, Any]:
    vuln = view.vuln
    return {
        "vulnDef": {
            "title": vuln.title,
            "qid": vuln.qid,
            "severity": vuln.severity,
            "cveList": [{"id": cve} for cve in vuln.cves],
            "cvssV3BaseScore": vuln.cvss_base,
            "cvssV2BaseScore": None,
            "description": {"en": vuln.diagnosis},
            "solution": {"en": vuln.solution},
            "patchAvailable": vuln.patchable,
        },
        "vulnerabilityDetailDTO": _dto(view),
    }
