"""CSAM asset records as VMDR reads them: `Asset` and its parts, parsed from either shape the
clients disagree on (catalogue §9c).

`tagList` arrives as `{"tag": [{tagId, tagName}]}` (qualysdk, the §9d skeleton) or as a list of
`{name}` (qualys-mcp's reading); criticality as `{"score": n}` or a bare number; dates as ISO
strings or epoch milliseconds (GAV v1). `riskScore` is TruRisk; its filter field is
`asset.truRisk`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from qualys_core.errors import BadResponse

SEARCH_PATH = "/rest/2.0/search/am/asset"

__all__ = [
    "SEARCH_PATH",
    "Asset",
    "AssetMatch",
    "AssetPage",
    "Software",
    "TagInfo",
    "TagListing",
    "end_of_life",
    "read_int",
    "read_mapping",
    "read_text",
    "trurisk_band",
]


class Software(BaseModel):
    """One installed product of an asset, with its vendor lifecycle stage (GA, EOS, EOL)."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str | None = None
    lifecycle: str | None = None

    @property
    def end_of_life(self) -> bool:
        return end_of_life(self.lifecycle)


class Asset(BaseModel):
    """One CSAM asset. `trurisk` is CSAM's `riskScore` (its filter field is `asset.truRisk`)."""

    model_config = ConfigDict(frozen=True)

    asset_id: int
    host_id: int | None = None
    name: str | None = None
    dns: str | None = None
    netbios: str | None = None
    address: str | None = None
    os: str | None = None
    os_lifecycle: str | None = None
    hardware_model: str | None = None
    hardware_lifecycle: str | None = None
    trurisk: int | None = None
    criticality: int | None = None
    tags: tuple[str, ...] = ()
    software: tuple[Software, ...] = ()
    last_scanned: datetime | None = None
    last_modified: datetime | None = None
    cloud_provider: str | None = None
    vuln_count: int | None = None

    @classmethod
    def from_csam(cls, raw: Any) -> Asset:
        """An `assetListData.asset[]` item; BadResponse when it has no numeric assetId."""
        if not isinstance(raw, Mapping):
            raise BadResponse(f"CSAM sent a {type(raw).__name__} as an asset", path=SEARCH_PATH)
        asset_id = read_int(raw.get("assetId"))
        if asset_id is None:
            raise BadResponse("CSAM sent an asset without a numeric assetId", path=SEARCH_PATH)
        system = read_mapping(raw.get("operatingSystem"))
        hardware = read_mapping(raw.get("hardware"))
        return cls(
            asset_id=asset_id,
            host_id=read_int(raw.get("hostId")),
            name=read_text(raw.get("assetName")),
            dns=read_text(raw.get("dnsHostName")) or read_text(raw.get("dnsName")),
            netbios=read_text(raw.get("netbiosName")),
            address=read_text(raw.get("address")),
            os=read_text(system.get("osName")) or read_text(raw.get("operatingSystem")),
            os_lifecycle=_stage(system),
            hardware_model=read_text(hardware.get("model")),
            hardware_lifecycle=_stage(hardware),
            trurisk=read_int(raw.get("riskScore")),
            criticality=_criticality(raw.get("criticality")),
            tags=_tags(raw.get("tagList") if raw.get("tagList") is not None else raw.get("tags")),
            software=_software(raw.get("softwareListData")),
            last_scanned=_moment(raw.get("lastVmScannedDate")),
            last_modified=_moment(raw.get("lastModifiedDate")),
            cloud_provider=_provider(raw.get("cloudProvider")),
            vuln_count=read_int(read_mapping(raw.get("vulnerabilities")).get("count")),
        )

    @property
    def label(self) -> str:
        """How the analyst names the asset: its name, else DNS name, address or id."""
        return self.name or self.dns or self.address or f"asset {self.asset_id}"

    @property
    def eol_software(self) -> list[Software]:
        return [item for item in self.software if item.end_of_life]


class AssetPage(BaseModel):
    """Assets of one search, and whether CSAM holds more than were fetched."""

    model_config = ConfigDict(frozen=True)

    assets: tuple[Asset, ...]
    more: bool


class AssetMatch(BaseModel):
    """The assets a lookup found, the filter that found them, and every filter it tried."""

    model_config = ConfigDict(frozen=True)

    assets: tuple[Asset, ...]
    more: bool = False
    matched_by: str | None = None
    tried: tuple[str, ...] = ()


class TagInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    parent_id: int | None = None


class TagListing(BaseModel):
    model_config = ConfigDict(frozen=True)

    tags: tuple[TagInfo, ...]
    more: bool


def end_of_life(stage: str | None) -> bool:
    """True for end-of-life and end-of-support stages ("EOL", "EOS", CSAM's "EOL/EOS")."""
    upper = (stage or "").upper()
    return "EOL" in upper or "EOS" in upper


def trurisk_band(score: int | None) -> str | None:
    """Qualys' TruRisk bands: critical 850-1000, high 700-849, medium 500-699, low 0-499."""
    if score is None:
        return None
    if score >= 850:
        return "critical"
    if score >= 700:
        return "high"
    if score >= 500:
        return "medium"
    return "low"


# ---------------------------------------------------------------------- readers


def read_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def read_text(value: Any) -> str | None:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


def read_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdecimal():
        return int(value.strip())
    return None


def _stage(node: Mapping[str, Any]) -> str | None:
    return read_text(read_mapping(node.get("lifecycle")).get("stage"))


def _criticality(value: Any) -> int | None:
    # §9c: qualysdk's {"score": n}; qualys-mcp also accepts a bare number.
    if isinstance(value, Mapping):
        return read_int(value.get("score"))
    return read_int(value)


def _tags(value: Any) -> tuple[str, ...]:
    # §9c: {"tag": [{tagId, tagName}]} (qualysdk, the skeleton), or a bare list of {name} /
    # {tagName} / strings (qualys-mcp's trurisk_score reading); a lone tag may not be a list.
    if isinstance(value, Mapping):
        value = value.get("tag", [])
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        return ()
    names: list[str] = []
    for item in value:
        name = (
            read_text(item.get("tagName") or item.get("name"))
            if isinstance(item, Mapping)
            else None
        )
        if name is None and isinstance(item, str):
            name = item.strip() or None
        if name is not None and name not in names:
            names.append(name)
    return tuple(names)


def _software(value: Any) -> tuple[Software, ...]:
    items = read_mapping(value).get("software", value if isinstance(value, list) else [])
    if isinstance(items, Mapping):
        items = [items]
    found = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        name = read_text(item.get("productName")) or read_text(item.get("fullName"))
        if name is None:
            continue
        found.append(
            Software(name=name, version=read_text(item.get("version")), lifecycle=_stage(item))
        )
    return tuple(found)


def _moment(value: Any) -> datetime | None:
    # ISO strings (qualys-mcp's reading), or epoch milliseconds as GAV v1 sends (§9c).
    number = read_int(value)
    if number is not None:
        return datetime.fromtimestamp(number / 1000, UTC)
    text = read_text(value)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _provider(value: Any) -> str | None:
    # §9d: {"aws": {"ec2": {...}}}: the one key names the provider.
    if isinstance(value, Mapping):
        keys = [str(key) for key, item in value.items() if item]
        return keys[0].upper() if keys else None
    return read_text(value)
