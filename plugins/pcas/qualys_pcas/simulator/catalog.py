"""The simulated Policy Audit library: Qualys' catalogue of ready-made compliance policies.

The library is Qualys', not the customer's, so it does not grow with the tenant: every tenant
holds exactly `LIBRARY_SIZE` policies (the reference tenant's count), drawn from the tenant's
seed so that runs repeat. Policies are dealt round-robin over (label, technology) slots, each
slot holding a seeded number of versions, until the library is full; that way every label
covers the technologies it is meant to, some technologies stay uncovered by some labels (no
HIPAA policy for a Cisco router), and the count is exact.

Titles follow the vendor's library samples ("CIS Benchmark for Microsoft Windows Server 2016,
v3.0.0 [Automated and Manual, Level 1 - Domain controller]", "DISA Security Technical
Implementation Guide(STIG) for Windows Server 2008 non-R2 MS, V6R46"; docs.qualys.com
Library Policy API).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from qualys_core.simulator import Tenant

__all__ = [
    "LABELS",
    "LIBRARY_SIZE",
    "TECHNOLOGIES",
    "Control",
    "Library",
    "LibraryLabel",
    "LibraryPolicy",
    "LibraryTechnology",
    "Section",
    "build_library",
    "library_of",
    "sections_of",
]

LIBRARY_SIZE = 1247
_FIRST_POLICY_ID = 1464200  # the vendor's first sample id


@dataclass(frozen=True)
class LibraryLabel:
    label_id: int
    name: str


@dataclass(frozen=True)
class LibraryTechnology:
    technology_id: int
    name: str
    family: str  # windows, linux, unix, database, web, container, virtualization, network, cloud


@dataclass(frozen=True)
class LibraryPolicy:
    policy_id: int
    title: str
    labels: tuple[int, ...]  # label ids, the primary first
    technologies: tuple[int, ...]  # technology ids, the primary first
    version: int
    updated: datetime
    description: str


@dataclass(frozen=True)
class Control:
    control_id: int
    control_number: int
    statement: str
    criticality: str


@dataclass(frozen=True)
class Section:
    number: int
    heading: str
    controls: tuple[Control, ...]


@dataclass
class Library:
    labels: tuple[LibraryLabel, ...]
    technologies: tuple[LibraryTechnology, ...]
    policies: tuple[LibraryPolicy, ...]
    by_id: dict[int, LibraryPolicy] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {p.policy_id: p for p in self.policies}

    def label(self, label_id: int) -> LibraryLabel | None:
        return next((lab for lab in self.labels if lab.label_id == label_id), None)

    def technology(self, technology_id: int) -> LibraryTechnology | None:
        return next((t for t in self.technologies if t.technology_id == technology_id), None)

    def technologies_of_label(self, label_id: int) -> list[LibraryTechnology]:
        """The technologies at least one policy under the label covers, in catalogue order."""
        covered = {t for p in self.policies if label_id in p.labels for t in p.technologies}
        return [t for t in self.technologies if t.technology_id in covered]

    def select(
        self,
        *,
        label_id: int | None = None,
        technology_ids: Sequence[int] = (),
        updated_after: datetime | None = None,
    ) -> list[LibraryPolicy]:
        wanted = set(technology_ids)
        return [
            p
            for p in self.policies
            if (label_id is None or label_id in p.labels)
            and (not wanted or wanted.intersection(p.technologies))
            and (updated_after is None or p.updated >= updated_after)
        ]


LABELS: tuple[LibraryLabel, ...] = tuple(
    LibraryLabel(label_id, name)
    for label_id, name in (
        (1, "CIS"),
        (2, "DISA STIG"),
        (3, "NIST 800-53"),
        (4, "PCI DSS"),
        (5, "HIPAA"),
        (6, "ISO 27001"),
        (7, "SOC 2"),
        (8, "Qualys Best Practices"),
        (9, "Vendor Recommendations"),
        (10, "NIST 800-171"),
        (11, "CMMC"),
        (12, "GDPR"),
    )
)

TECHNOLOGIES: tuple[LibraryTechnology, ...] = tuple(
    LibraryTechnology(tid, name, family)
    for tid, name, family in (
        (45, "Windows Server 2016", "windows"),
        (46, "Windows Server 2019", "windows"),
        (47, "Windows Server 2022", "windows"),
        (48, "Windows 10", "windows"),
        (49, "Windows 11", "windows"),
        (60, "Red Hat Enterprise Linux 7", "linux"),
        (61, "Red Hat Enterprise Linux 8", "linux"),
        (62, "Red Hat Enterprise Linux 9", "linux"),
        (63, "Ubuntu 20.04 LTS", "linux"),
        (64, "Ubuntu 22.04 LTS", "linux"),
        (65, "Debian 11", "linux"),
        (66, "Debian 12", "linux"),
        (67, "SUSE Linux Enterprise Server 15", "linux"),
        (68, "Oracle Linux 8", "linux"),
        (69, "IBM AIX 7.2", "unix"),
        (70, "macOS 14 Sonoma", "unix"),
        (80, "Oracle Database 19c", "database"),
        (81, "Microsoft SQL Server 2019", "database"),
        (82, "Microsoft SQL Server 2022", "database"),
        (83, "MySQL 8.0", "database"),
        (84, "PostgreSQL 15", "database"),
        (90, "Apache HTTP Server 2.4", "web"),
        (91, "Nginx", "web"),
        (92, "Apache Tomcat 9", "web"),
        (93, "Microsoft IIS 10", "web"),
        (100, "Docker", "container"),
        (101, "Kubernetes", "container"),
        (110, "VMware ESXi 7.0", "virtualization"),
        (111, "VMware ESXi 8.0", "virtualization"),
        (120, "Cisco IOS 17", "network"),
        (121, "Palo Alto Networks PAN-OS 10", "network"),
        (122, "Juniper Junos OS", "network"),
        (130, "Amazon Web Services (AWS)", "cloud"),
        (131, "Microsoft Azure", "cloud"),
        (132, "Google Cloud Platform (GCP)", "cloud"),
    )
)

# Which technology families each label publishes policies for, and how many versions a
# (label, technology) slot holds at most (a seeded draw in this range).
_ALL = frozenset(
    {
        "windows",
        "linux",
        "unix",
        "database",
        "web",
        "container",
        "virtualization",
        "network",
        "cloud",
    }
)
_HOSTS = frozenset({"windows", "linux", "unix", "database", "web"})
_SCOPE: dict[str, tuple[frozenset[str], int, int]] = {
    "CIS": (_ALL, 10, 24),
    "DISA STIG": (_ALL - {"cloud"}, 4, 12),
    "NIST 800-53": (_HOSTS | {"virtualization", "container"}, 2, 6),
    "PCI DSS": (_HOSTS | {"network"}, 2, 6),
    "HIPAA": (_HOSTS, 1, 4),
    "ISO 27001": (_HOSTS | {"cloud"}, 1, 4),
    "SOC 2": (frozenset({"windows", "linux", "database", "cloud"}), 1, 3),
    "Qualys Best Practices": (_ALL, 3, 8),
    "Vendor Recommendations": (frozenset({"database", "web", "network", "virtualization"}), 1, 4),
    "NIST 800-171": (frozenset({"windows", "linux"}), 1, 3),
    "CMMC": (frozenset({"windows", "linux"}), 1, 3),
    "GDPR": (frozenset({"database", "cloud"}), 1, 3),
}
_MANDATES = ("NIST 800-53", "PCI DSS", "HIPAA", "ISO 27001", "SOC 2", "NIST 800-171", "CMMC")


def _title(label: str, tech: LibraryTechnology, variant: int, rng: random.Random) -> str:
    major, minor = 1 + variant // 3, variant % 3
    if label == "CIS":
        level = ("Level 1", "Level 2", "Level 1 and Level 2")[variant % 3]
        return f"CIS Benchmark for {tech.name}, v{major}.{minor}.0 [Automated and Manual, {level}]"
    if label == "DISA STIG":
        return (
            f"DISA Security Technical Implementation Guide(STIG) for {tech.name}, "
            f"V{major}R{rng.randint(1, 12)}"
        )
    if label == "Qualys Best Practices":
        return f"Qualys Security Configuration Baseline for {tech.name}, v{major}.{minor}"
    if label == "Vendor Recommendations":
        return f"{tech.name} Vendor Security Hardening Guide, v{major}.{minor}"
    return f"{label} Configuration Policy for {tech.name}, v{major}.{minor}"


def _description(label: str, tech: LibraryTechnology) -> str:
    return (
        f"Library policy mapping {label} requirements to configuration controls for "
        f"{tech.name}. Import it to assess hosts running {tech.name} against {label}."
    )


def build_library(rng: random.Random, now: datetime) -> Library:
    """The library for one tenant: exactly `LIBRARY_SIZE` policies, dealt from seeded slots."""
    by_name = {lab.name: lab for lab in LABELS}
    slots: list[tuple[LibraryLabel, LibraryTechnology, int]] = []
    for lab in LABELS:
        families, low, high = _SCOPE[lab.name]
        for tech in TECHNOLOGIES:
            if tech.family in families:
                slots.append((lab, tech, rng.randint(low, high)))
    if sum(depth for _, _, depth in slots) < LIBRARY_SIZE:
        raise RuntimeError("the library's slots hold fewer policies than LIBRARY_SIZE")
    dealt: list[tuple[LibraryLabel, LibraryTechnology, int]] = []
    variant = 0
    while len(dealt) < LIBRARY_SIZE:
        for lab, tech, depth in slots:
            if variant < depth and len(dealt) < LIBRARY_SIZE:
                dealt.append((lab, tech, variant))
        variant += 1
    siblings = {
        family: [t for t in TECHNOLOGIES if t.family == family]
        for family in {t.family for t in TECHNOLOGIES}
    }
    policies: list[LibraryPolicy] = []
    for index, (lab, tech, variant) in enumerate(dealt):
        labels = [lab.label_id]
        techs = [tech.technology_id]
        if lab.name in _MANDATES or lab.name == "Qualys Best Practices":
            # Mandate policies often span a family (e.g. PCI DSS for Windows Server 2016 and
            # 2019), and some carry a second mandate's label.
            extra = [t for t in siblings[tech.family] if t is not tech]
            for other in rng.sample(extra, k=min(len(extra), rng.choice((0, 0, 1, 2)))):
                techs.append(other.technology_id)
            if rng.random() < 0.2:
                second = by_name[rng.choice([m for m in _MANDATES if m != lab.name])]
                labels.append(second.label_id)
        policies.append(
            LibraryPolicy(
                policy_id=_FIRST_POLICY_ID + index * 7 + (index * 3) % 7,
                title=_title(lab.name, tech, variant, rng),
                labels=tuple(labels),
                technologies=tuple(techs),
                version=1 + rng.randint(0, 3),
                updated=(now - timedelta(days=rng.randint(1, 3 * 365))).replace(
                    hour=0, minute=0, second=0, microsecond=0
                ),
                description=_description(lab.name, tech),
            )
        )
    return Library(LABELS, TECHNOLOGIES, tuple(policies))


def library_of(tenant: Tenant) -> Library:
    """The tenant's library, built on first use and kept on `tenant.extensions["pcas"]`."""
    found = tenant.extensions.get("pcas")
    if not isinstance(found, Library):
        found = build_library(tenant.rng("pcas", "library"), tenant.now)
        tenant.extensions["pcas"] = found
    return found


_HEADINGS = {
    "windows": (
        "Account Policies",
        "Local Policies",
        "Event Log",
        "System Services",
        "Registry",
        "Windows Firewall",
        "Advanced Audit Policy",
    ),
    "linux": (
        "Initial Setup",
        "Services",
        "Network Configuration",
        "Logging and Auditing",
        "Access, Authentication and Authorization",
        "System Maintenance",
    ),
    "database": (
        "Installation and Patching",
        "Authentication",
        "Privileges",
        "Auditing",
        "Network Configuration",
        "Encryption",
    ),
}
_DEFAULT_HEADINGS = (
    "General Settings",
    "Authentication",
    "Access Control",
    "Logging",
    "Network",
    "Hardening",
)
_CRITICALITY = ("URGENT", "CRITICAL", "SERIOUS", "MEDIUM", "MINIMAL")
_SETTINGS = (
    "password history",
    "audit policy",
    "remote login",
    "TLS protocol versions",
    "session timeout",
    "file permissions",
    "service startup type",
    "logging level",
    "account lockout threshold",
    "SNMP community strings",
)


def sections_of(library: Library, policy: LibraryPolicy) -> tuple[Section, ...]:
    """A policy's sections and controls, drawn from the policy id so they never change."""
    rng = random.Random(f"pcas-sections|{policy.policy_id}")  # noqa: S311 - simulated data
    tech = library.technology(policy.technologies[0])
    family = tech.family if tech else ""
    headings = _HEADINGS.get(family, _DEFAULT_HEADINGS)
    sections: list[Section] = []
    for number, heading in enumerate(headings[: rng.randint(3, len(headings))], start=1):
        controls = tuple(
            Control(
                control_id=1000 + rng.randint(0, 24000),
                control_number=n,
                statement=f"Status of the '{rng.choice(_SETTINGS)}' setting",
                criticality=rng.choice(_CRITICALITY),
            )
            for n in range(1, rng.randint(2, 9) + 1)
        )
        sections.append(Section(number, heading, controls))
    return tuple(sections)
