"""The deterministic generator of the synthetic tenant's hosts.

Hosts keep their memory small: their repeated strings (OS names, domains, models, regions) are
shared from the catalogues, and their tag, group and software tuples are interned so that hosts
with the same set share one tuple.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv4Network, IPv6Address
from types import MappingProxyType

from qualys_core.simulator.detections import stable_random
from qualys_core.simulator.tenant import CloudInfo, Host, Software
from qualys_core.simulator.tenant_catalog import (
    BUSINESS_UNITS,
    CLOUD_MODELS,
    CLOUD_REGIONS,
    HARDWARE,
    KINDS,
    LINUX_BASE,
    OS_RELEASES,
    PROFILES,
    ROLES,
    OsRelease,
    lifecycle_of,
)

__all__ = ["make_hosts"]


_ENVIRONMENTS = (("Production", "prd", 62), ("Staging", "stg", 16), ("Development", "dev", 22))
_PROVIDERS = ("AWS", "AZURE", "GCP", "OCI")
_PROVIDER_WEIGHTS = MappingProxyType({"Windows": (35, 50, 10, 5), "Linux": (55, 20, 17, 8)})
_PROVIDER_TAGS = MappingProxyType({"AWS": "AWS", "AZURE": "Azure", "GCP": "GCP", "OCI": "OCI"})
# Placement of a host: its address block, DNS domain and asset group.
_PLACES = MappingProxyType({
    "mgmt": ("10.0.0.0/14", "net.example.com", "Network Infrastructure"),
    "east": ("10.16.0.0/12", "corp.example.com", "Data Center East"),
    "west": ("10.32.0.0/12", "corp.example.com", "Data Center West"),
    "AWS": ("10.64.0.0/12", "aws.example.net", "Cloud - AWS"),
    "AZURE": ("10.80.0.0/12", "azure.example.net", "Cloud - Azure"),
    "GCP": ("10.96.0.0/12", "gcp.example.net", "Cloud - GCP"),
    "OCI": ("10.112.0.0/12", "oci.example.net", "Cloud - OCI"),
    "clients": ("10.128.0.0/10", "corp.example.com", "Corporate Workstations"),
    "dmz": ("172.16.0.0/12", "dmz.example.com", "DMZ"),
    "lab": ("192.168.0.0/16", "lab.example.org", "Development Lab"),
})  # fmt: skip
_PLACE_INDEX = MappingProxyType({name: index for index, name in enumerate(_PLACES)})
# Documentation ranges stand in for the public addresses of internet-facing hosts.
_PUBLIC_BLOCKS = ("198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24")
_V6_BASE = int(IPv6Address("2001:db8::"))
_SITES = ("nyc", "lon", "sfo", "fra", "sgp")
_OCI_KEYS = MappingProxyType(
    {"us-ashburn-1": "iad", "us-phoenix-1": "phx", "eu-frankfurt-1": "fra"}
)
_AGENT_SHARE = MappingProxyType({"Windows": 0.8, "Linux": 0.7, "macOS": 0.9, "Network": 0.0})
_CRITICALITY = MappingProxyType({
    "dc": 5, "db": 4, "exchange": 4, "backup": 4, "firewall": 5, "adc": 4, "router": 4,
    "dns": 4, "bastion": 4, "workstation": 2,
})  # fmt: skip
_EXPOSURE = MappingProxyType({
    "firewall": 0.9, "adc": 0.9, "router": 0.1, "bastion": 0.5, "mail": 0.6, "exchange": 0.6,
    "web": 0.45,
})  # fmt: skip
_IT_ROLES = frozenset(
    {"dc", "backup", "mgmt", "file", "dns", "bastion", "exchange", "sharepoint", "firewall",
     "adc", "router"}
)  # fmt: skip
_CROWN_ROLES = frozenset({"db", "dc", "app", "backup", "sharepoint", "exchange"})
_ROLE_TAGS = MappingProxyType(
    {
        "dc": "Domain Controllers",
        "db": "Database",
        "web": "Web Servers",
        "app": "Application Servers",
    }
)
_KIND_TAGS = MappingProxyType({
    ("Windows", "server"): "Windows Servers", ("Linux", "server"): "Linux Servers",
    ("Windows", "workstation"): "Workstations", ("macOS", "workstation"): "macOS Devices",
    ("Network", "network"): "Network Devices",
})  # fmt: skip
_NETWORK_ROLES = (
    ("PAN-OS", "firewall", "fw"), ("FortiOS", "firewall", "fw"),
    ("Cisco IOS XE", "router", "rtr"), ("NetScaler ADC", "adc", "adc"),
)  # fmt: skip
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)


class _AddressPool:
    """Unique addresses of one block, scattered by a fixed odd stride (a bijection mod 2^n)."""

    def __init__(self, block: str, rng: random.Random) -> None:
        network = IPv4Network(block)
        self._base = int(network.network_address)
        self._size = network.num_addresses
        self._stride = (int(self._size * 0.6180339) | 1) % self._size
        self._next = rng.randrange(self._size)
        self._left = self._size

    def take(self) -> str:
        while self._left > 0:
            self._left -= 1
            offset = self._next
            self._next = (self._next + self._stride) % self._size
            if 0 < offset % 256 < 255:
                return str(IPv4Address(self._base + offset))
        raise RuntimeError("address block exhausted; the tenant is too large for its plan")


class _Choices:
    """A weighted table prepared once for `random.choices`."""

    def __init__(self, pairs: Sequence[tuple[str, float]]) -> None:
        self.names = [name for name, _ in pairs]
        self.cumulative: list[float] = []
        total = 0.0
        for _, weight in pairs:
            total += weight
            self.cumulative.append(total)

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cumulative)[0]


class _HostFactory:
    """Draws hosts one after the other from a single seeded stream."""

    def __init__(
        self,
        seed: int,
        now: datetime,
        software: Sequence[Software],
        tag_ids: Mapping[str, int],
        group_ids: Mapping[str, int],
    ) -> None:
        self.rng = rng = stable_random(seed, "hosts")
        self.now = now.timestamp()
        self.tag_ids, self.group_ids = tag_ids, group_ids
        self.software_ids = {(item.product, item.version): item.id for item in software}
        weights = {"GA": 3.0, "EOS": 2.0, "EOL": 1.5}
        versions: dict[str, list[tuple[str, float]]] = {}
        for item in software:
            versions.setdefault(item.product, []).append((item.version, weights[item.lifecycle]))
        self.versions = {product: _Choices(pairs) for product, pairs in versions.items()}
        self.kinds = [(family, kind) for family, kind, _ in KINDS]
        self.kind_weights = [share for _, _, share in KINDS]
        self.releases = {
            key: (
                [r for r in OS_RELEASES if (r.family, r.kind) == key],
                [r.weight for r in OS_RELEASES if (r.family, r.kind) == key],
            )
            for key in self.kinds
        }
        self.roles = {key: _Choices(pairs) for key, pairs in ROLES.items()}
        self.tables = {key: _Choices(pairs) for key, pairs in HARDWARE.items()}
        self.regions = {key: _Choices(pairs) for key, pairs in CLOUD_REGIONS.items()}
        self.models = {key: _Choices(pairs) for key, pairs in CLOUD_MODELS.items()}
        self.pools = {name: _AddressPool(place[0], rng) for name, place in _PLACES.items()}
        public = [str(a) for block in _PUBLIC_BLOCKS for a in IPv4Network(block).hosts()]
        self.public = rng.sample(public, len(public))
        self.accounts = {provider: self._accounts(provider) for provider in _PROVIDERS}
        self.counters: dict[str, int] = {}
        self.interned: dict[tuple[int, ...], tuple[int, ...]] = {}
        self.host_id, self.asset_id, self.serial = 1000, 2_100_000, 0

    def _accounts(self, provider: str) -> tuple[str, ...]:
        rng = self.rng
        if provider == "AWS":
            return tuple(str(rng.randrange(10**11, 10**12)) for _ in range(5))
        if provider == "AZURE":
            return tuple(self._guid() for _ in range(3))
        if provider == "GCP":
            return tuple(
                f"acme-{env}-{rng.randrange(100000, 999999)}" for env in ("prod", "shared", "dev")
            )
        return (f"ocid1.tenancy.oc1..aaaaaaaa{self._base32(52)}",)

    def _guid(self) -> str:
        text = f"{self.rng.getrandbits(128):032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def _base32(self, length: int) -> str:
        return "".join(self.rng.choice(_BASE32) for _ in range(length))

    def _intern(self, values: set[int]) -> tuple[int, ...]:
        key = tuple(sorted(values))
        return self.interned.setdefault(key, key)

    def _name(self, prefix: str, middle: str, width: int) -> str:
        key = f"{prefix}-{middle}"
        self.counters[key] = count = self.counters.get(key, 0) + 1
        return f"{key}-{count:0{width}d}"

    def _cloud(self, provider: str) -> CloudInfo:
        rng = self.rng
        region = self.regions[provider].pick(rng)
        if provider == "AWS":
            instance = f"i-0{rng.getrandbits(64):016x}"
        elif provider == "AZURE":
            instance = self._guid()
        elif provider == "GCP":
            instance = str(rng.randrange(10**18, 10**19))
        else:
            key = _OCI_KEYS.get(region, "lhr")
            instance = f"ocid1.instance.oc1.{key}.{self._base32(60)}"
        return CloudInfo(provider, region, rng.choice(self.accounts[provider]), instance)

    def _software(
        self, profiles: Sequence[str], base: Sequence[str], extra: Sequence[str], minimum: int
    ) -> tuple[int, ...]:
        """Ids of the products drawn from `profiles`, topped up to `minimum`, at most 25."""
        rng = self.rng
        chosen: dict[str, str] = {}
        for item in base:
            product, version = item.rsplit(" ", 1)
            chosen[product] = version
        offered = [pair for profile in profiles for pair in PROFILES.get(profile, ())]
        for product, chance in offered:
            if product not in chosen and rng.random() < chance:
                chosen[product] = self.versions[product].pick(rng)
        for product in extra:
            chosen.setdefault(product, self.versions[product].pick(rng))
        spare = [product for product, _ in offered if product not in chosen]
        while len(chosen) < minimum and spare:
            product = spare.pop(rng.randrange(len(spare)))
            chosen[product] = self.versions[product].pick(rng)
        ids = [self.software_ids[pair] for pair in chosen.items()]
        return self._intern(set(rng.sample(ids, 25) if len(ids) > 25 else ids))

    def _release(self) -> tuple[OsRelease, str, str, str]:
        """An OS release with the host kind, role and name prefix it implies."""
        rng = self.rng
        family, kind = rng.choices(self.kinds, self.kind_weights)[0]
        releases, weights = self.releases[(family, kind)]
        release: OsRelease = rng.choices(releases, weights)[0]
        if family == "Network":
            role, prefix = next(
                (role, prefix)
                for line, role, prefix in _NETWORK_ROLES
                if release.name.startswith(line)
            )
        else:
            role, prefix = self.roles[f"{family}/{kind}"].pick(rng).split("/")
        return release, kind, role, prefix

    def _provider(self, release: OsRelease, kind: str) -> str | None:
        rng = self.rng
        if release.name.startswith("Amazon Linux"):
            return "AWS"
        if kind == "server" and rng.random() < 0.62:
            return rng.choices(_PROVIDERS, _PROVIDER_WEIGHTS[release.family])[0]
        if kind == "workstation" and release.family == "Windows" and rng.random() < 0.04:
            return "AZURE"  # virtual desktops
        if kind == "network" and rng.random() < 0.03:
            return rng.choice(_PROVIDERS[:2])
        return None

    def _block(self, kind: str, environment: str, provider: str | None, dmz: bool) -> str:
        if provider:
            return provider
        if dmz:
            return "dmz"
        if kind != "server":
            return "mgmt" if kind == "network" else "clients"
        if environment == "Development":
            return "lab"
        return "east" if self.rng.random() < 0.6 else "west"

    def _hardware(self, release: OsRelease, kind: str, provider: str | None) -> tuple[str, str]:
        if provider:
            return self.models[provider].pick(self.rng), "GA"
        if kind == "network":
            table = next(line for line, _, _ in _NETWORK_ROLES if release.name.startswith(line))
        else:
            table = "mac" if release.family == "macOS" else kind
        return lifecycle_of(self.tables[table].pick(self.rng))

    def _dates(self, agent: bool) -> tuple[datetime, datetime, datetime]:
        """First found (1% this week), last scanned (agents daily, 3% stale), last modified."""
        rng, now, day = self.rng, self.now, 86400.0
        if rng.random() < 0.01:
            first = now - rng.uniform(0, 6) * day
        else:
            first = now - (7 + 2183 * rng.random() ** 0.8) * day
        if rng.random() < 0.03:
            age = rng.uniform(30, 120)
        else:
            age = rng.uniform(0.02, 1.5) if agent else rng.uniform(0.3, 9)
        scanned = min(now, max(now - age * day, first + 3600))
        modified = min(now, scanned + rng.uniform(0, 3) * 3600)
        return _utc(first), _utc(scanned), _utc(modified)

    def _business(self, role: str, server: bool, environment: str) -> tuple[str, bool, int]:
        """Business unit, PCI scope and criticality (1..5) of a host."""
        rng = self.rng
        if role in _IT_ROLES:
            unit = "IT Operations"
        else:
            shares = (25, 10, 35, 20, 10) if server else (15, 10, 30, 30, 15)
            unit = rng.choices(BUSINESS_UNITS, shares)[0]
        pci = server and unit == "Finance" and role in ("db", "app", "web")
        pci = pci and environment == "Production" and rng.random() < 0.5
        criticality = _CRITICALITY.get(role, 3 if role != "workstation" else 2)
        criticality += (1 if pci else 0) - {"Staging": 1, "Development": 2}.get(environment, 0)
        if rng.random() < 0.15:
            criticality += rng.choice((-1, 1))
        return unit, pci, max(1, min(5, criticality))

    def _installed(
        self, release: OsRelease, kind: str, role: str, environment: str, extra: list[str]
    ) -> tuple[int, ...]:
        """Software ids: Linux system packages, the role's profile(s), then `extra` products."""
        family = release.family
        if kind == "server":
            profiles: tuple[str, ...] = (family, f"{family}/{role}")
        else:
            profiles = (f"{family}/{role if kind == 'network' else kind}",)
        base = [item for item, _ in LINUX_BASE.get(release.generation, ())]
        if family == "Linux" and environment == "Development" and self.rng.random() < 0.03:
            base.append("xz-utils 5.6.0")  # a hand-built test box caught by the 2024 backdoor
        return self._software(profiles, base, extra, minimum=0 if kind == "network" else 5)

    def host(self) -> Host:
        rng = self.rng
        release, kind, role, prefix = self._release()
        family, server = release.family, kind == "server"
        environment, env_code, _ = _ENVIRONMENTS[0]
        if server:
            environment, env_code, _ = rng.choices(_ENVIRONMENTS, [w for *_, w in _ENVIRONMENTS])[0]
        provider = self._provider(release, kind)
        exposure = _EXPOSURE.get(role, 0.02 if server else 0.0)
        internet_facing = environment == "Production" and rng.random() < exposure
        dmz = internet_facing and server and provider is None
        block = self._block(kind, environment, provider, dmz)
        if server:
            name = self._name(prefix, env_code, 4)
        elif kind == "network":
            name = self._name(prefix, rng.choice(("dc1", "dc2", "br")), 3)
        else:
            name = self._name(prefix, rng.choice(_SITES), 5)
        self.serial += 1
        ipv6 = None
        if rng.random() < (0.3 if provider else 0.08):
            ipv6 = str(IPv6Address(_V6_BASE + (_PLACE_INDEX[block] << 64) + self.serial))
        agent = rng.random() < _AGENT_SHARE[family] + (0.1 if kind == "workstation" else 0.0)
        tracking = "AGENT" if agent else "IP"
        if not agent and kind != "network" and rng.random() < 0.35:
            tracking = "DNS"
        model, model_stage = self._hardware(release, kind, provider)
        unit, pci, criticality = self._business(role, server, environment)
        extra = ["Qualys Cloud Agent"] if agent else []
        if model == "VMware Virtual Platform":
            extra.append("VMware Tools")
        tags = {environment, unit, _KIND_TAGS[(family, kind)], _ROLE_TAGS.get(role, "")}
        flags = {
            _PROVIDER_TAGS.get(provider or "", ""): True,
            "Cloud Agent": agent,
            "Internet Facing": internet_facing,
            "DMZ": dmz,
            "PCI": pci,
            "Crown Jewels": criticality == 5 and role in _CROWN_ROLES,
            "EOL OS": release.lifecycle == "EOL",
        }
        tags |= {tag for tag, on in flags.items() if on}
        groups = {_PLACES[block][2], "PCI Cardholder Environment" if pci else ""}
        first, scanned, modified = self._dates(agent)
        self.host_id += 1 + (rng.randint(1, 9) if rng.random() < 0.08 else 0)
        self.asset_id += 1 + (rng.randint(1, 40) if rng.random() < 0.05 else 0)
        public = internet_facing and bool(self.public)
        return Host(
            host_id=self.host_id,
            asset_id=self.asset_id,
            name=name,
            dns=f"{name}.{_PLACES[block][1]}",
            netbios=name.upper()[:15],
            ip=self.public.pop() if public else self.pools[block].take(),
            ipv6=ipv6,
            os=release.name,
            os_family=family,
            os_lifecycle=release.lifecycle,
            hardware_model=model,
            hardware_lifecycle=model_stage,
            tracking_method=tracking,
            agent=agent,
            criticality=criticality,
            tags=self._intern({self.tag_ids[tag] for tag in tags if tag}),
            asset_groups=self._intern({self.group_ids[group] for group in groups if group}),
            software=self._installed(release, kind, role, environment, extra),
            cloud=self._cloud(provider) if provider else None,
            environment=environment,
            business_unit=unit,
            first_found=first,
            last_scanned=scanned,
            last_modified=modified,
            internet_facing=internet_facing,
        )


def make_hosts(
    seed: int,
    now: datetime,
    count: int,
    software: Sequence[Software],
    tag_ids: Mapping[str, int],
    group_ids: Mapping[str, int],
) -> list[Host]:
    """`count` hosts in ascending host_id (and asset_id) order; deterministic for the args."""
    factory = _HostFactory(seed, now, software, tag_ids, group_ids)
    return [factory.host() for _ in range(count)]
