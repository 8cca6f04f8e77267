"""Lazy, deterministic VMDR detections of one host, derived from the host and the KB on demand.

Nothing is stored: the same (tenant seed, host) always yields the same list, so a tenant of
89,000 hosts can stream millions of detections without holding them. Curated and other
targeted QIDs are drawn one by one with their prevalence; generic filler QIDs are sampled to
bring each host to a realistic count (servers more, network devices fewer, EOL hosts many more).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING

from qualys_core.simulator.kb import Candidates, KnowledgeBase, Vuln

if TYPE_CHECKING:
    from qualys_core.simulator.tenant import Host, Software

__all__ = ["Detection", "host_detections", "stable_random"]

_DETECTION_TYPE = MappingProxyType(
    {"Vulnerability": "Confirmed", "Potential Vulnerability": "Potential"}
)
# Typical detection counts before variation, by host kind; EOL and EOS hosts get more.
_BASE_COUNT = MappingProxyType(
    {"server": 40.0, "workstation": 28.0, "mac": 17.0, "network": 7.0, "linux": 37.0}
)
_LIFECYCLE_FACTOR = MappingProxyType({"GA": 1.0, "EOS": 1.35, "EOL": 1.9})
_EOL_BOOST = 1.6
_DAY = 86400
# Services that remote checks of a product or category answer on: (port, protocol, ssl).
_PRODUCT_PORTS = MappingProxyType(
    {
        "OpenSSH": (22, "tcp", False),
        "Apache Tomcat": (8080, "tcp", False),
        "Apache ActiveMQ": (61616, "tcp", False),
        "Confluence Server": (8090, "tcp", False),
        "Jira Software": (8080, "tcp", False),
        "Jenkins": (8080, "tcp", False),
        "ConnectWise ScreenConnect": (8040, "tcp", False),
        "PostgreSQL": (5432, "tcp", False),
        "MySQL Server": (3306, "tcp", False),
        "MongoDB Server": (27017, "tcp", False),
        "Redis": (6379, "tcp", False),
        "Elasticsearch": (9200, "tcp", False),
        "Microsoft SQL Server": (1433, "tcp", False),
        "Postfix": (25, "tcp", False),
        "ISC BIND": (53, "udp", False),
        "Samba": (445, "tcp", False),
        "kubelet": (10250, "tcp", True),
        "Docker Engine": (2376, "tcp", True),
        "Grafana": (3000, "tcp", False),
        "Oracle WebLogic Server": (7001, "tcp", False),
        "Veeam Backup & Replication": (9401, "tcp", True),
    }
)
_REMOTE_CATEGORIES = frozenset(
    {"General remote services", "Web server", "Web Application", "CGI", "Mail services",
     "Database", "Firewall", "Cisco"}
)  # fmt: skip
_HTTPS = (443, "tcp", True)
_LOCAL: tuple[int | None, str | None, bool] = (None, None, False)


@dataclass(frozen=True, slots=True)
class Detection:
    """One host detection, as `/api/2.0/fo/asset/host/vm/detection/` reports it.

    `unique_vuln_id` is host_id * 1,000,000 + QID: unique per (host, QID) and stable across runs.
    """

    unique_vuln_id: int
    qid: int
    type: str  # "Confirmed" | "Potential" | "Info"
    severity: int
    status: str  # "New" | "Active" | "Re-Opened" | "Fixed"
    port: int | None
    protocol: str | None
    ssl: bool
    first_found: datetime
    last_found: datetime
    last_fixed: datetime | None
    last_processed: datetime
    times_found: int
    is_ignored: bool
    is_disabled: bool
    qds: int
    qds_factors: tuple[tuple[str, str], ...]
    results: str


def stable_random(*parts: object) -> random.Random:
    """A random stream seeded from `parts` alone (str seeding hashes with SHA-512, so the
    stream is the same in every process whatever PYTHONHASHSEED is)."""
    # Simulated data, never secrets: a reproducible PRNG is the point here.
    return random.Random("|".join(str(part) for part in parts))  # noqa: S311


def _service(vuln: Vuln) -> tuple[int | None, str | None, bool]:
    if vuln.category not in _REMOTE_CATEGORIES:
        return _LOCAL
    if vuln.software:
        return _PRODUCT_PORTS.get(vuln.software[0], _HTTPS)
    return (25, "tcp", False) if vuln.category == "Mail services" else _HTTPS


def _kind(host: Host) -> str:
    if host.os_family == "Windows":
        return "server" if "Server" in host.os else "workstation"
    return {"Linux": "linux", "macOS": "mac"}.get(host.os_family, "network")


def _stamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)


def host_detections(
    tenant_seed: int,
    host: Host,
    kb: KnowledgeBase,
    software: Sequence[Software],
    now: datetime,
) -> list[Detection]:
    """Every detection of `host`, ascending by QID, one per QID.

    `software` is the tenant catalogue, in which `Software.id` is the 1-based position.
    Deterministic for (tenant_seed, host); `now` only bounds the processing time.
    """
    rng = stable_random(tenant_seed, "detections", host.host_id)
    family, os_name = host.os_family, host.os
    installed = [software[software_id - 1] for software_id in host.software]
    pools: list[tuple[Candidates, Software | None]] = [(kb.candidates(family, os_name), None)]
    for package in installed:
        pools.append((kb.candidates(family, os_name, package.product, package.version), package))
    boost = _EOL_BOOST if host.os_lifecycle == "EOL" else 1.0
    chosen: dict[int, tuple[Vuln, Software | None]] = {}
    for candidates, item in pools:
        for vuln, chance in candidates.targeted:
            if rng.random() < (chance if chance >= 1 else min(0.9, chance * boost)):
                chosen[vuln.qid] = (vuln, item)
    kind = _kind(host)
    target = _BASE_COUNT[kind] * _LIFECYCLE_FACTOR[host.os_lifecycle] * rng.lognormvariate(0, 0.4)
    wanted = round(target) - len(chosen)
    if wanted > 0:
        filler = [vuln for candidates, _ in pools for vuln in candidates.filler]
        by_product = {item.product: item for item in installed}
        for vuln in rng.sample(filler, min(wanted, len(filler))):
            if vuln.qid not in chosen:
                item = by_product.get(vuln.software[0]) if vuln.software else None
                chosen[vuln.qid] = (vuln, item)
    return _detections(rng, host, sorted(chosen.values(), key=lambda pair: pair[0].qid), now)


def _detections(
    rng: random.Random,
    host: Host,
    found: list[tuple[Vuln, Software | None]],
    now: datetime,
) -> list[Detection]:
    scanned_at = host.last_scanned
    scanned = scanned_at.timestamp()
    host_first = host.first_found.timestamp()
    interval = _DAY if host.agent else 7 * _DAY
    processed = min(now, scanned_at + timedelta(minutes=20))
    os_result = f"Operating system: {host.os}"
    result: list[Detection] = []
    for vuln, item in found:
        low = max(host_first, vuln.published.timestamp())
        if low >= scanned:
            continue  # published after the host's last scan: no scan could have found it yet
        span = scanned - low
        roll = rng.random()
        last_fixed: datetime | None = None
        if roll < 0.08:
            status, first = "New", scanned - rng.random() * min(span, 10 * _DAY)
            last = scanned
        else:
            first = low + span * rng.random() ** 2
            last = scanned
            if roll >= 0.88 and scanned - interval > first:
                status = "Fixed"
                last = first + (scanned - interval - first) * rng.random()
                last_fixed = _stamp(min(scanned, last + interval))
            elif roll >= 0.83:
                status = "Re-Opened"
                last_fixed = _stamp(first + (scanned - first) * (0.3 + 0.6 * rng.random()))
            else:
                status = "Active"
        port, protocol, ssl = _service(vuln)
        if status == "Fixed":
            text = ""
        elif item is not None:
            text = f"Vulnerable version of {item.product} detected: {item.version}"
        elif vuln.vuln_type == "Information Gathered":
            text = f"{vuln.title}: collected from {host.name}"
        else:
            text = os_result
        flags = rng.random()
        result.append(
            Detection(
                unique_vuln_id=host.host_id * 1_000_000 + vuln.qid,
                qid=vuln.qid,
                type=_DETECTION_TYPE.get(vuln.vuln_type, "Info"),
                severity=vuln.severity,
                status=status,
                port=port,
                protocol=protocol,
                ssl=ssl,
                first_found=_stamp(first),
                last_found=scanned_at if last == scanned else _stamp(last),
                last_fixed=last_fixed,
                last_processed=processed,
                times_found=1 + int((last - first) // interval),
                is_ignored=flags < 0.01,
                is_disabled=0.01 <= flags < 0.013,
                qds=vuln.qds,
                qds_factors=vuln.qds_factors,
                results=text,
            )
        )
    return result
