"""The deterministic synthetic Qualys tenant: hosts, tags, asset groups, software and KB.

`generate_tenant` builds everything from a seed and a date, so the same arguments give the same
tenant in every process (no `hash()`; every random stream is seeded with a string); the hosts
are drawn by `tenant_hosts`. Detections are never stored: they are derived per host on demand,
so even 89,000 hosts stream them in bounded memory.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from typing import Any

from qualys_core.simulator.detections import Detection, host_detections, stable_random
from qualys_core.simulator.kb import KnowledgeBase, build_knowledge_base
from qualys_core.simulator.tenant_catalog import ASSET_GROUPS, PRODUCTS, TAGS

__all__ = [
    "AssetGroup",
    "CloudInfo",
    "Detection",
    "Host",
    "Software",
    "Tag",
    "Tenant",
    "generate_tenant",
]


@dataclass(frozen=True, slots=True)
class Tag:
    id: int
    name: str
    parent_id: int | None = None


@dataclass(frozen=True, slots=True)
class AssetGroup:
    id: int
    title: str


@dataclass(frozen=True, slots=True)
class Software:
    """One installable product version; `id` is its 1-based position in `Tenant.software`."""

    id: int
    vendor: str
    product: str
    version: str
    category: str
    lifecycle: str  # "GA" | "EOS" | "EOL"

    @property
    def full_name(self) -> str:
        return f"{self.product} {self.version}"


@dataclass(frozen=True, slots=True)
class CloudInfo:
    provider: str  # "AWS" | "AZURE" | "GCP" | "OCI"
    region: str
    account_id: str
    instance_id: str


@dataclass(frozen=True, slots=True)
class Host:
    """One asset, as VMDR (host_id) and CSAM (asset_id) both know it."""

    host_id: int
    asset_id: int
    name: str
    dns: str
    netbios: str
    ip: str
    ipv6: str | None
    os: str
    os_family: str  # "Windows" | "Linux" | "macOS" | "Network"
    os_lifecycle: str
    hardware_model: str
    hardware_lifecycle: str
    tracking_method: str  # "IP" | "DNS" | "AGENT"
    agent: bool
    criticality: int
    tags: tuple[int, ...]
    asset_groups: tuple[int, ...]
    software: tuple[int, ...]
    cloud: CloudInfo | None
    environment: str
    business_unit: str
    first_found: datetime
    last_scanned: datetime
    last_modified: datetime
    internet_facing: bool


_TAG_BASE_ID = 7_654_000
_GROUP_BASE_ID = 4_100_000


class Tenant:
    """One synthetic Qualys subscription: its hosts and the records they refer to.

    Lookups are built once (host ids and asset ids both rise with position, so they bisect);
    `extensions` is where product plugins keep their own data, keyed by plugin name.
    """

    def __init__(
        self,
        *,
        seed: int,
        now: datetime,
        username: str,
        password: str,
        subscription_name: str,
        hosts: Sequence[Host],
        tags: Sequence[Tag],
        asset_groups: Sequence[AssetGroup],
        software: Sequence[Software],
        kb: KnowledgeBase,
    ) -> None:
        self.seed = seed
        self.asset_count = len(hosts)
        self.now = now
        self.username = username
        self.password = password
        self.subscription_name = subscription_name
        self.hosts: Sequence[Host] = tuple(hosts)
        self.tags: Sequence[Tag] = tuple(tags)
        self.asset_groups: Sequence[AssetGroup] = tuple(asset_groups)
        self.software: Sequence[Software] = tuple(software)
        self.kb = kb
        self.extensions: dict[str, Any] = {}
        self._host_ids = array("q", (host.host_id for host in self.hosts))
        self._asset_ids = array("q", (host.asset_id for host in self.hosts))
        if any(a >= b for a, b in zip(self._host_ids, self._host_ids[1:], strict=False)) or any(
            a >= b for a, b in zip(self._asset_ids, self._asset_ids[1:], strict=False)
        ):
            raise ValueError("hosts must be sorted by host_id and asset_id, without repeats")
        self._by_ip: dict[str, int] = {}
        self._by_name: dict[str, int] = {}
        for index, host in enumerate(self.hosts):
            self._by_ip[host.ip] = index
            if host.ipv6:
                self._by_ip[host.ipv6] = index
            self._by_name[host.name.lower()] = index
        self._tags = {tag.id: tag for tag in self.tags}
        self._tags_by_name = {tag.name.lower(): tag for tag in self.tags}

    def __repr__(self) -> str:
        return f"<Tenant seed={self.seed} hosts={self.asset_count} now={self.now.isoformat()}>"

    def _at(self, ids: array[int], wanted: int) -> Host | None:
        index = bisect_left(ids, wanted)
        return self.hosts[index] if index < len(ids) and ids[index] == wanted else None

    def host_by_id(self, host_id: int) -> Host | None:
        return self._at(self._host_ids, host_id)

    def host_by_asset_id(self, asset_id: int) -> Host | None:
        return self._at(self._asset_ids, asset_id)

    def host_by_ip(self, ip: str) -> Host | None:
        """The host with this IPv4 or IPv6 address, in any spelling."""
        try:
            index = self._by_ip.get(str(ip_address(ip.strip())))
        except ValueError:
            return None
        return None if index is None else self.hosts[index]

    def host_by_name(self, name: str) -> Host | None:
        """The host with this short name or FQDN, case-insensitively."""
        wanted = name.strip().rstrip(".").lower()
        index = self._by_name.get(wanted.split(".", 1)[0])
        if index is None:
            return None
        host = self.hosts[index]
        return host if "." not in wanted or wanted == host.dns.lower() else None

    def hosts_from(self, min_host_id: int) -> Iterator[Host]:
        """Hosts with host_id >= min_host_id, ascending (for `id_min` paging)."""
        start = bisect_left(self._host_ids, min_host_id)
        return (self.hosts[index] for index in range(start, len(self.hosts)))

    def tag(self, tag_id: int) -> Tag:
        """The tag with this id; KeyError when there is none."""
        return self._tags[tag_id]

    def tag_named(self, name: str) -> Tag | None:
        return self._tags_by_name.get(name.strip().lower())

    def software_of(self, host: Host) -> list[Software]:
        """The software records installed on `host`."""
        return [self.software[software_id - 1] for software_id in host.software]

    def detections(self, host: Host) -> list[Detection]:
        """The host's detections, computed on each call (deterministic, never stored)."""
        return host_detections(self.seed, host, self.kb, self.software, self.now)

    def iter_detections(self) -> Iterator[tuple[Host, list[Detection]]]:
        """Every host with its detections, one host at a time."""
        for host in self.hosts:
            yield host, self.detections(host)

    def rng(self, namespace: str, *parts: object) -> random.Random:
        """A random stream fixed by (seed, namespace, parts), for plugins' own data."""
        return stable_random(self.seed, namespace, *parts)

    def days_ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)


def _utc(now: datetime | None) -> datetime:
    """`now` in UTC (naive means UTC); by default today at 00:00 UTC."""
    if now is None:
        return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def _catalogue() -> tuple[tuple[Tag, ...], tuple[AssetGroup, ...], tuple[Software, ...]]:
    names = {name: _TAG_BASE_ID + index for index, (name, _) in enumerate(TAGS, start=1)}
    tags = tuple(Tag(names[name], name, names.get(parent)) for name, parent in TAGS)
    groups = tuple(
        AssetGroup(_GROUP_BASE_ID + index, title) for index, title in enumerate(ASSET_GROUPS, 1)
    )
    pairs = [(product, version) for product in PRODUCTS for version in product.versions]
    software = tuple(
        Software(index, item.vendor, item.product, version, item.category, stage)
        for index, (item, (version, stage)) in enumerate(pairs, start=1)
    )
    return tags, groups, software


def generate_tenant(
    *,
    seed: int = 7,
    assets: int = 2000,
    now: datetime | None = None,
    username: str = "quays_demo1",
    password: str = "demo-password",  # noqa: S107 - the simulator's documented demo login
) -> Tenant:
    """A synthetic tenant of `assets` hosts as of `now`; the same arguments, the same tenant."""
    if assets < 0:
        raise ValueError("assets must be zero or more")
    # tenant_hosts builds on the records above, so it is imported once they exist.
    from qualys_core.simulator.tenant_hosts import make_hosts

    moment = _utc(now)
    tags, groups, software = _catalogue()
    hosts = make_hosts(
        seed,
        moment,
        assets,
        software,
        {tag.name: tag.id for tag in tags},
        {group.title: group.id for group in groups},
    )
    return Tenant(
        seed=seed,
        now=moment,
        username=username,
        password=password,
        subscription_name="Acme Corporation (synthetic demo)",
        hosts=hosts,
        tags=tags,
        asset_groups=groups,
        software=software,
        kb=build_knowledge_base(stable_random(seed, "kb"), moment),
    )
