"""The simulated tenant's vulnerability exceptions (risk acceptances): one per sampled host, on
one of its open detections of severity 3 and up, with the statuses the vendor documents for
exceptions (pending, approved, rejected, expired) and expiry dates around the tenant's date.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from qualys_core.simulator import Tenant

__all__ = ["EXCEPTION_NUMBER_BASE", "VulnException", "build_exceptions"]

EXCEPTION_NUMBER_BASE = 1001
_EXCEPTION_HOSTS = 30


@dataclass(frozen=True)
class VulnException:
    number: int
    qid: int
    title: str
    type: str  # "Risk Acceptance" | "False Positive"
    status: str  # "Pending" | "Approved" | "Rejected" | "Expired"
    expiry: date
    comments: str
    approved_by: str
    host_ip: str


_REASONS = (
    ("Risk Acceptance", "Compensating WAF rule blocks the vulnerable path"),
    ("Risk Acceptance", "Vendor patch breaks the line-of-business application; upgrade planned"),
    ("Risk Acceptance", "Host is isolated on a segmented management VLAN"),
    ("False Positive", "Vendor backported the fix; the package version is patched"),
    ("Risk Acceptance", "System retires at the end of the quarter"),
)
# (status, days from now to the expiry date, low and high) for the first exceptions, so every
# kind exists in a tenant of any size; later ones are drawn.
_PLANNED = (
    ("Approved", 3, 12),
    ("Approved", 14, 28),
    ("Approved", -9, -2),  # past its expiry date but still approved: it still hides the finding
    ("Expired", -40, -15),
    ("Pending", 60, 120),
    ("Rejected", 30, 90),
)
_DRAWN = (("Approved", 45, 300), ("Approved", 5, 29), ("Pending", 30, 180), ("Expired", -90, -1))


def build_exceptions(tenant: Tenant, rng: random.Random) -> list[VulnException]:
    if not tenant.hosts:
        return []
    hosts = rng.sample(list(tenant.hosts), min(_EXCEPTION_HOSTS, len(tenant.hosts)))
    found: list[VulnException] = []
    for host in sorted(hosts, key=lambda h: h.host_id):
        candidates = [d for d in tenant.detections(host) if d.severity >= 3 and d.status != "Fixed"]
        if not candidates:
            continue
        detection = rng.choice(candidates)
        index = len(found)
        status, low, high = (
            _PLANNED[index] if index < len(_PLANNED) else rng.choices(_DRAWN, (6, 2, 2, 1))[0]
        )
        kind, comments = rng.choice(_REASONS)
        vuln = tenant.kb.get(detection.qid)
        found.append(
            VulnException(
                number=EXCEPTION_NUMBER_BASE + index,
                qid=detection.qid,
                title=vuln.title if vuln else f"QID {detection.qid}",
                type=kind,
                status=status,
                expiry=(tenant.now + timedelta(days=rng.randint(low, high))).date(),
                comments=comments,
                approved_by=tenant.username if status in ("Approved", "Expired") else "",
                host_ip=host.ip,
            )
        )
    return found
