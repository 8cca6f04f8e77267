"""The simulated Cloud Detection & Response findings: threats TotalCloud saw on the estate's
resources over the 90 days before the tenant's date, denser in the last days.

Each day draws its findings from a seeded stream (seed, day), so the same tenant has the same
findings in every process. A finding names a real resource of the cloud estate (a VM, a
bucket, an IAM user...), its account and region; remote addresses come from the
documentation ranges (RFC 5737), never from routable space. CDR covers AWS, Azure and GCP
(the vendor's `cloudProvider` values), so OCI resources get none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from qualys_core.simulator import Tenant, stable_random
from qualys_totalcloud.simulator.cloud_data import CloudResource, estate, stable_uuid

__all__ = [
    "CATEGORIES",
    "CDR_PROVIDERS",
    "SEVERITIES",
    "CdrFinding",
    "findings",
]

_KEY = "totalcloud"
HISTORY_DAYS = 90
CDR_PROVIDERS = ("AWS", "AZURE", "GCP")
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")

# (country, city) of the simulated attackers, paired with documentation addresses.
_PLACES = (
    ("NL", "Amsterdam"),
    ("RU", "Moscow"),
    ("CN", "Shanghai"),
    ("BR", "Sao Paulo"),
    ("US", "Ashburn"),
    ("DE", "Frankfurt"),
    ("SG", "Singapore"),
    ("RO", "Bucharest"),
)
_RANGES = ("192.0.2", "198.51.100", "203.0.113")
_POOLS = ("pool.minexmr.example", "xmr.nanopool.example", "stratum.f2pool.example")
_C2 = ("update-cdn.example", "telemetry-sync.example", "api-metrics.example")


@dataclass(frozen=True, slots=True)
class _Scenario:
    category: str
    alert_class: str
    severities: tuple[tuple[str, int], ...]  # (severity, weight)
    targets: Mapping[str, tuple[str, ...]]  # provider -> resource types it hits
    messages: tuple[str, ...]
    weight: int
    remote: bool = True
    exposed: bool = False  # internet-facing VMs are far likelier targets


_VMS = {"AWS": ("EC2_INSTANCE",), "AZURE": ("VIRTUAL_MACHINE",), "GCP": ("VM_INSTANCE",)}
_SCENARIOS = (
    _Scenario(
        "Cryptomining", "Network Activity", (("CRITICAL", 3), ("HIGH", 2)), _VMS,
        ("Outbound connection to known mining pool {pool}:3333",
         "Process xmrig started and connected to {pool}"),
        weight=3, exposed=True,
    ),
    _Scenario(
        "Reconnaissance", "Network Activity", (("LOW", 3), ("MEDIUM", 2)), _VMS,
        ("Port scan from {ip}: {ports} ports probed in 60 seconds",
         "Inbound SSH brute-force attempts from {ip}"),
        weight=5, exposed=True,
    ),
    _Scenario(
        "Identity Anomaly", "API Activity", (("MEDIUM", 2), ("HIGH", 2), ("CRITICAL", 1)),
        {"AWS": ("IAM_USER",), "AZURE": ("SECRETS",)},
        ("Console login without MFA from an unusual location ({city})",
         "Access key used from {ip}, never seen for this identity",
         "Burst of failed permission checks across {ports} API actions"),
        weight=3,
    ),
    _Scenario(
        "Malware", "Process Activity", (("HIGH", 2), ("CRITICAL", 2)), _VMS,
        ("Known malicious file executed (SHA-256 {sha}...)",
         "Reverse shell spawned by a web server process"),
        weight=2, remote=False,
    ),
    _Scenario(
        "Data Exfiltration", "API Activity", (("HIGH", 2), ("CRITICAL", 1), ("MEDIUM", 1)),
        {"AWS": ("BUCKET",), "AZURE": ("STORAGE_ACCOUNT",), "GCP": ("BUCKET",)},
        ("Unusual volume of object reads ({ports} MB) to {ip}",
         "Bucket policy changed to allow anonymous reads, then listed from {ip}"),
        weight=2,
    ),
    _Scenario(
        "Command and Control", "Network Activity", (("HIGH", 3), ("CRITICAL", 1)), _VMS,
        ("DNS queries to known command-and-control domain {c2}",
         "Periodic beaconing to {ip} every 60 seconds"),
        weight=2,
    ),
)  # fmt: skip
CATEGORIES = tuple(s.category for s in _SCENARIOS)


@dataclass(frozen=True, slots=True)
class CdrFinding:
    """One CDR finding: a threat seen on one resource at one moment."""

    id: str
    timestamp: datetime
    severity: str  # LOW | MEDIUM | HIGH | CRITICAL
    category: str
    alert_class: str
    message: str
    provider: str  # AWS | AZURE | GCP
    account_id: str
    region: str
    resource_id: str
    resource_type: str
    remote_ip: str | None
    country: str | None
    city: str | None
    resource: CloudResource


def _per_day(days_ago: int, scale: float) -> int:
    """How many findings a day holds at most: recent days are busier."""
    base = 4 if days_ago < 7 else 2 if days_ago < 30 else 1
    return max(1, round(base * scale))


def _weighted(rng: Any, pairs: Sequence[tuple[Any, int]]) -> Any:
    items = [item for item, _ in pairs]
    weights = [weight for _, weight in pairs]
    return rng.choices(items, weights=weights)[0]


def _candidates(
    by_type: Mapping[tuple[str, str], Sequence[CloudResource]], scenario: _Scenario
) -> list[tuple[CloudResource, int]]:
    found: list[tuple[CloudResource, int]] = []
    for provider, types in scenario.targets.items():
        for resource_type in types:
            for resource in by_type.get((provider, resource_type), ()):
                exposed = resource.host is not None and resource.host.internet_facing
                found.append((resource, 6 if scenario.exposed and exposed else 1))
    return found


def _draw(
    seed: int, now: datetime, day: int, n: int, resource: CloudResource, scenario: _Scenario
) -> CdrFinding:
    rng = stable_random(seed, "cdr-finding", day, n)
    moment = now - timedelta(days=day, seconds=rng.randrange(1, 86400))
    country, city = rng.choice(_PLACES)
    ip = f"{rng.choice(_RANGES)}.{rng.randrange(1, 255)}"
    message = rng.choice(scenario.messages).format(
        pool=rng.choice(_POOLS),
        c2=rng.choice(_C2),
        ip=ip,
        city=city,
        ports=rng.randrange(20, 900),
        sha=f"{rng.getrandbits(64):016x}",
    )
    return CdrFinding(
        id=stable_uuid(seed, "cdr", day, n),
        timestamp=moment,
        severity=_weighted(rng, scenario.severities),
        category=scenario.category,
        alert_class=scenario.alert_class,
        message=message,
        provider=resource.provider,
        account_id=resource.account_id,
        region=resource.region,
        resource_id=resource.resource_id,
        resource_type=resource.resource_type,
        remote_ip=ip if scenario.remote else None,
        country=country if scenario.remote else None,
        city=city if scenario.remote else None,
        resource=resource,
    )


def build_findings(tenant: Tenant) -> tuple[CdrFinding, ...]:
    """Every finding of the 90 days before `tenant.now`, newest first."""
    cloud = estate(tenant)
    by_type: dict[tuple[str, str], list[CloudResource]] = {}
    for account in cloud.accounts:
        if account.provider not in CDR_PROVIDERS:
            continue
        for resource in cloud.account_resources(account):
            by_type.setdefault((resource.provider, resource.resource_type), []).append(resource)
    pools = [(s, _candidates(by_type, s)) for s in _SCENARIOS]
    pools = [(s, c) for s, c in pools if c]
    if not pools:
        return ()
    vms = sum(len(v) for (p, t), v in by_type.items() if t in _VMS.get(p, ()))
    scale = max(0.5, vms / 40)
    found: list[CdrFinding] = []
    for day in range(HISTORY_DAYS):
        rng = stable_random(cloud.seed, "cdr-day", day)
        for n in range(rng.randint(0, _per_day(day, scale))):
            scenario, candidates = _weighted(rng, [((s, c), s.weight) for s, c in pools])
            resource = _weighted(rng, candidates)
            found.append(_draw(cloud.seed, tenant.now, day, n, resource, scenario))
    found.sort(key=lambda f: f.timestamp, reverse=True)
    return tuple(found)


def findings(tenant: Tenant) -> tuple[CdrFinding, ...]:
    """The tenant's CDR findings, newest first (built on first use and kept on the tenant)."""
    slot = tenant.extensions.setdefault(_KEY, {})
    found = slot.get("cdr")
    if found is None:
        found = slot["cdr"] = build_findings(tenant)
    assert isinstance(found, tuple)
    return found
