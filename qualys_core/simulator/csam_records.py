"""Assets as the simulated CSAM API returns them: one tenant's hosts in Global AssetView's JSON.

A `TenantView` indexes a tenant once (hosts in assetId order, tag, group and software names)
and caches each asset's TruRisk score, so paging through a large tenant neither re-sorts the
hosts nor re-reads their detections on every page. Shapes follow the catalogue's §9d skeleton.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from qualys_core.simulator.responses import iso

if TYPE_CHECKING:
    from qualys_core.simulator.tenant import Detection, Host, Tenant

__all__ = ["BASIC_KEYS", "DEFAULT_KEYS", "TenantView", "asset_record", "selected_keys"]

# Always present. qualysetl's note (§9c): with includeFields "only those fields you include
# will contain data beyond basic asset info".
BASIC_KEYS = ("assetId", "hostId", "assetName", "dnsName", "dnsHostName", "netbiosName", "address")

# includeFields names clients send (§9a) → the record key each selects. `truRisk` is the filter
# name of `riskScore`; qualys-mcp asks for `tags` where it means the tag list.
_INCLUDE_KEYS = {
    "riskScore": "riskScore",
    "truRisk": "riskScore",
    "criticality": "criticality",
    "criticalityScore": "criticality",
    "lastModifiedDate": "lastModifiedDate",
    "lastVmScannedDate": "lastVmScannedDate",
    "operatingSystem": "operatingSystem",
    "hardware": "hardware",
    "tagList": "tagList",
    "tags": "tagList",
    "softwareListData": "softwareListData",
    "software": "softwareListData",
    "vulnerabilities": "vulnerabilities",
    "assetGroups": "assetGroups",
    "cloudProvider": "cloudProvider",
}

# Without includeFields every key but `vulnerabilities`: only qualys-mcp reads it, always asks
# for it by name, and it is the one key that costs a detection list per asset.
DEFAULT_KEYS = frozenset(_INCLUDE_KEYS.values()) - {"vulnerabilities"}

# TruRisk weights per QDS band (critical, high, medium, low), as Qualys documents the formula:
# ACS x sum(weight x average QDS x count^(1/100)) over the bands, capped at 1000.
_BANDS = ((90, 1.0), (70, 0.6), (40, 0.4), (0, 0.2))


def _counts(detection: Detection) -> bool:
    """Open vulnerabilities feed TruRisk and the vulnerability list; fixed, ignored or
    disabled detections and information gathered do not."""
    return (
        detection.status != "Fixed"
        and detection.type != "Info"
        and not detection.is_ignored
        and not detection.is_disabled
    )


def selected_keys(include_fields: Sequence[str]) -> frozenset[str]:
    """The optional record keys an ``includeFields`` list selects (unknown names are ignored,
    as qualysetl's ``includeFields=softwareComponent`` extra must not fail the call)."""
    if not include_fields:
        return DEFAULT_KEYS
    return frozenset(_INCLUDE_KEYS[name] for name in include_fields if name in _INCLUDE_KEYS)


class TenantView:
    """One tenant's hosts indexed for CSAM, plus the per-asset TruRisk cache."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.hosts: list[Host] = sorted(tenant.hosts, key=lambda host: host.asset_id)
        self.asset_ids = [host.asset_id for host in self.hosts]
        self.by_asset_id = {host.asset_id: host for host in self.hosts}
        self.tag_names = {tag.id: tag.name for tag in tenant.tags}
        self.group_titles = {group.id: group.title for group in tenant.asset_groups}
        self.software = {item.id: item for item in tenant.software}
        self._risk: dict[int, int] = {}

    def start_after(self, asset_id: int) -> int:
        """Index of the first host whose assetId is greater than `asset_id`."""
        return bisect_right(self.asset_ids, asset_id)

    def open_qids(self, host: Host) -> list[int]:
        return [d.qid for d in self.tenant.detections(host) if _counts(d)]

    def risk(self, host: Host) -> int:
        """TruRisk 0..1000, computed on first use and cached for the view's lifetime."""
        score = self._risk.get(host.asset_id)
        if score is None:
            score = self._risk[host.asset_id] = self._compute_risk(host)
        return score

    def _compute_risk(self, host: Host) -> int:
        bands: list[list[int]] = [[] for _ in _BANDS]
        for detection in self.tenant.detections(host):
            if not _counts(detection):
                continue
            qds = detection.qds
            for index, (floor, _) in enumerate(_BANDS):
                if qds >= floor:
                    bands[index].append(qds)
                    break
        total = sum(
            weight * (sum(scores) / len(scores)) * math.pow(len(scores), 0.01)
            for (_, weight), scores in zip(_BANDS, bands, strict=True)
            if scores
        )
        return min(1000, round(host.criticality * total))

    def tag_list(self, host: Host) -> list[str]:
        return [self.tag_names[tag] for tag in host.tags if tag in self.tag_names]

    def software_names(self, host: Host) -> Iterable[str]:
        for software_id in host.software:
            item = self.software.get(software_id)
            if item is not None:
                yield item.full_name
                yield item.product


def _when(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def asset_record(host: Host, view: TenantView, keys: frozenset[str]) -> dict[str, Any]:
    """One ``assetListData.asset[]`` item with the basic keys plus `keys` (§9d skeleton)."""
    record: dict[str, Any] = {
        "assetId": host.asset_id,
        "hostId": host.host_id,
        "assetName": host.name,
        "dnsName": host.dns,
        "dnsHostName": host.dns,
        "netbiosName": host.netbios,
        "address": host.ip,
    }
    if "riskScore" in keys:
        record["riskScore"] = view.risk(host)
    if "criticality" in keys:
        # qualysdk's {"score": n}; qualys-mcp accepts that as well as a bare int (§9c).
        record["criticality"] = {"score": host.criticality}
    if "lastModifiedDate" in keys:
        # ISO strings, as qualys-mcp reads them; qualysdk's epoch-millisecond reading is GAV v1.
        record["lastModifiedDate"] = _when(host.last_modified)
    if "lastVmScannedDate" in keys:
        record["lastVmScannedDate"] = _when(host.last_scanned)
    if "operatingSystem" in keys:
        record["operatingSystem"] = {"osName": host.os, "lifecycle": {"stage": host.os_lifecycle}}
    if "hardware" in keys:
        record["hardware"] = {
            "model": host.hardware_model,
            "lifecycle": {"stage": host.hardware_lifecycle},
        }
    if "tagList" in keys:
        # §9c conflict: qualysdk parses {"tag": [{tagId, tagName}]} and qualys-mcp's
        # asset_inventory accepts it, while qualys-mcp's trurisk_score and list_tags fallback
        # iterate tagList as a list. We serve the dict shape (the SDK's, and the skeleton's);
        # those two qualys-mcp readers then see a tag named "tag", which is their defect.
        record["tagList"] = {
            "tag": [
                {"tagId": tag, "tagName": view.tag_names[tag]}
                for tag in host.tags
                if tag in view.tag_names
            ]
        }
    if "softwareListData" in keys:
        record["softwareListData"] = {"software": _software(host, view)}
    if "vulnerabilities" in keys:
        qids = view.open_qids(host)
        record["vulnerabilities"] = {"count": len(qids), "list": [{"qid": qid} for qid in qids]}
    if "assetGroups" in keys:
        record["assetGroups"] = [
            {"name": view.group_titles[group]}
            for group in host.asset_groups
            if group in view.group_titles
        ]
    if "cloudProvider" in keys and host.cloud is not None:
        record["cloudProvider"] = _cloud(host)
    return record


def _software(host: Host, view: TenantView) -> list[dict[str, Any]]:
    found = []
    for software_id in host.software:
        item = view.software.get(software_id)
        if item is None:
            continue
        found.append(
            {
                "fullName": item.full_name,
                "productName": item.product,
                "version": item.version,
                "category": item.category,
                "lifecycle": {"stage": item.lifecycle},
            }
        )
    return found


# Only the AWS shape is on record (§9d: aws.ec2.region.name); the other providers mirror it
# under the service name each cloud uses for virtual machines.
_CLOUD_SERVICE = {"AWS": "ec2", "AZURE": "vm", "GCP": "compute", "OCI": "compute"}


def _cloud(host: Host) -> dict[str, Any]:
    cloud = host.cloud
    assert cloud is not None
    provider = cloud.provider.upper()
    return {
        provider.lower(): {
            _CLOUD_SERVICE.get(provider, "vm"): {
                "region": {"name": cloud.region},
                "accountId": cloud.account_id,
                "instanceId": cloud.instance_id,
            }
        }
    }
