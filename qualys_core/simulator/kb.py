"""The simulated Qualys KnowledgeBase: curated well-known vulns plus generated filler QIDs.

QID numbers are synthetic, picked in plausible Qualys ranges (Windows 91xxx-92xxx, Ubuntu
198xxx, Red Hat 240xxx, web and application 730xxx, ...). The CVE facts of the curated entries
are public (see `kb_catalog`). Filler QIDs, monthly Windows and browser updates use made-up CVE
ids and masked advisory numbers (e.g. "USN-68XX-1") so that they read as plausible but generic.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import NamedTuple

from qualys_core.simulator.kb_catalog import CURATED, METASPLOIT_URL, VulnSpec
from qualys_core.simulator.kb_filler import Allocator, filler_specs
from qualys_core.simulator.kb_updates import update_specs

__all__ = [
    "Candidates",
    "Exploit",
    "KnowledgeBase",
    "Vuln",
    "build_knowledge_base",
    "compute_qds",
    "platform_matches",
    "qds_severity",
]

_RTI_WEIGHT = MappingProxyType(
    {
        "Active_Attacks": 10,
        "Cisa_Known_Exploited_Vulns": 8,
        "Ransomware": 6,
        "Exploit_Public": 4,
        "Malware": 4,
        "Zero_Day": 3,
        "Wormable": 3,
        "Exploit_Kit": 3,
        "Easy_Exploit": 2,
        "High_Lateral_Movement": 2,
        "Predicted_High_Risk": 2,
        "Unauthenticated_Exploitation": 1,
    }
)
_CONSEQUENCE = MappingProxyType(
    {
        "rce": "Successful exploitation lets a remote attacker run arbitrary code on the host.",
        "eop": "A local or authenticated attacker can gain SYSTEM or root privileges.",
        "info": "An attacker can read sensitive data such as memory, files or session tokens.",
        "dos": "An attacker can make the affected service or host unavailable.",
        "bypass": "An attacker can bypass authentication or a security feature.",
        "spoof": "An attacker can spoof content or run script in a user's browser session.",
        "sqli": "An attacker can read or change database content and may run code on the server.",
        "backdoor": "Malicious code planted in the supply chain gives an attacker remote access.",
        "policy": "The configuration weakens protection against known attacks.",
        "eol": "The vendor no longer ships security fixes, so new flaws stay unpatched.",
        "ig": "This information can help an attacker prepare further attacks.",
    }
)


@dataclass(frozen=True, slots=True)
class Exploit:
    """One public exploit reference (KB `CORRELATION/EXPLOITS/.../EXPLT`)."""

    source: str
    ref: str
    description: str
    link: str


@dataclass(frozen=True, slots=True)
class Vuln:
    """One KB entry (a QID).

    `software` holds `Software.product` names (empty means an OS-level flaw). The two fields
    beyond the KB's own narrow where a flaw applies: `platforms` are `Host.os` prefixes (empty
    means any OS of `os_families`) and `versions` are version prefixes of `software`.
    """

    qid: int
    title: str
    vuln_type: str
    severity: int
    category: str
    published: datetime
    last_modified: datetime
    patchable: bool
    cves: tuple[str, ...]
    cvss_base: float | None
    cvss_temporal: float | None
    cvss_vector: str | None
    threat_intel: tuple[str, ...]
    exploits: tuple[Exploit, ...]
    diagnosis: str
    consequence: str
    solution: str
    qds: int
    qds_factors: tuple[tuple[str, str], ...]
    os_families: tuple[str, ...]
    software: tuple[str, ...]
    vendor_refs: tuple[str, ...]
    platforms: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()


class Candidates(NamedTuple):
    """The vulns that can apply to one OS, or to one installed product on that OS."""

    targeted: tuple[tuple[Vuln, float], ...]  # each drawn on its own, with this probability
    filler: tuple[Vuln, ...]  # sampled uniformly to make up a host's detection count


def qds_severity(qds: int) -> str:
    """The QDS band Qualys prints as the `severity` attribute of `<QDS>`."""
    if qds >= 90:
        return "CRITICAL"
    if qds >= 70:
        return "HIGH"
    if qds >= 40:
        return "MEDIUM"
    return "LOW"


def compute_qds(
    severity: int,
    cvss: float | None,
    threat_intel: Sequence[str],
    epss: float,
    has_exploit: bool,
) -> tuple[int, tuple[tuple[str, str], ...]]:
    """A QDS (1..100) and its factors, rising with CVSS, threat intelligence and EPSS."""
    base = cvss * 10 if cvss is not None else 8 + severity * 10
    threat = sum(_RTI_WEIGHT.get(name, 0) for name in threat_intel) + (4 if has_exploit else 0)
    score = round(0.75 * base + min(threat, 30) + 8 * epss)
    factors: list[tuple[str, str]] = []
    if cvss is not None:
        factors += [("CVSS", f"{cvss:.1f}"), ("CVSS_version", "3.1")]
    if epss:
        factors.append(("EPSS", f"{epss:.5f}"))
    if threat_intel:
        factors.append(("RTI", ",".join(threat_intel)))
    if has_exploit:
        weaponized = "Active_Attacks" in threat_intel or "Malware" in threat_intel
        factors.append(("exploit_maturity", "weaponized" if weaponized else "poc"))
    return max(1, min(100, score)), tuple(factors)


def platform_matches(os_name: str, platforms: tuple[str, ...]) -> bool:
    """Whether `os_name` starts with one of `platforms` at a word or version boundary
    ("PAN-OS 10.2" matches "PAN-OS 10.2.9", "Amazon Linux 2" not "Amazon Linux 2023.6");
    true when `platforms` is empty."""
    for prefix in platforms:
        if os_name.startswith(prefix) and (
            len(os_name) == len(prefix) or os_name[len(prefix)] in " .-"
        ):
            return True
    return not platforms


class KnowledgeBase:
    """All QIDs, ascending, with lookups by QID, CVE and QID range, and applicability pools."""

    _CACHE_LIMIT = 4096

    def __init__(self, vulns: Iterable[Vuln], prevalence: Mapping[int, float]) -> None:
        self._vulns = tuple(sorted(vulns, key=lambda vuln: vuln.qid))
        self._qids = [vuln.qid for vuln in self._vulns]
        self._by_qid = {vuln.qid: vuln for vuln in self._vulns}
        if len(self._by_qid) != len(self._vulns):
            raise ValueError("duplicate QIDs in the knowledge base")
        self._prevalence = dict(prevalence)
        by_cve: dict[str, list[Vuln]] = {}
        self._os_level: dict[str, list[Vuln]] = {}
        self._by_product: dict[str, list[Vuln]] = {}
        for vuln in self._vulns:
            for cve in vuln.cves:
                by_cve.setdefault(cve.upper(), []).append(vuln)
            if not vuln.software:
                for family in vuln.os_families:
                    self._os_level.setdefault(family, []).append(vuln)
            for product in vuln.software:
                self._by_product.setdefault(product, []).append(vuln)
        self._by_cve = {cve: tuple(found) for cve, found in by_cve.items()}
        # Per-instance memo caches; concurrent readers at worst compute an entry twice.
        self._candidates: dict[tuple[str, str, str, str], Candidates] = {}
        self._applicable: dict[tuple[str, frozenset[str], str | None], tuple[Vuln, ...]] = {}

    def __len__(self) -> int:
        return len(self._vulns)

    def __iter__(self) -> Iterator[Vuln]:
        return iter(self._vulns)

    def __contains__(self, qid: object) -> bool:
        return qid in self._by_qid

    def get(self, qid: int) -> Vuln | None:
        return self._by_qid.get(qid)

    def by_cve(self, cve: str) -> list[Vuln]:
        """Every QID that lists `cve` (case-insensitive), ascending."""
        return list(self._by_cve.get(cve.strip().upper(), ()))

    def range(self, id_min: int | None, id_max: int | None) -> Iterator[Vuln]:
        """QIDs with id_min <= qid <= id_max, ascending (either bound may be None)."""
        start = 0 if id_min is None else bisect_left(self._qids, id_min)
        stop = len(self._qids) if id_max is None else bisect_right(self._qids, id_max)
        return iter(self._vulns[start:stop])

    def prevalence(self, qid: int) -> float | None:
        """The probability a targeted QID is present on an applicable host; None for filler."""
        return self._prevalence.get(qid)

    def applicable(
        self, os_family: str, products: frozenset[str], os_name: str | None = None
    ) -> Sequence[Vuln]:
        """Vulns that can apply to a host of this family running these products, by QID.

        Versions are not known here, so version-specific flaws count as applicable. Without
        `os_name`, flaws of one OS release (`platforms`) count too; with it, they must match.
        """
        key = (os_family, products, os_name)
        found = self._applicable.get(key)
        if found is None:
            pool = list(self._os_level.get(os_family, ()))
            for product in products:
                pool += self._by_product.get(product, ())
            found = tuple(
                sorted(
                    {
                        vuln.qid: vuln
                        for vuln in pool
                        if os_family in vuln.os_families
                        and (os_name is None or platform_matches(os_name, vuln.platforms))
                    }.values(),
                    key=lambda vuln: vuln.qid,
                )
            )
            if len(self._applicable) >= self._CACHE_LIMIT:
                self._applicable.clear()
            self._applicable[key] = found
        return found

    def candidates(
        self, os_family: str, os_name: str, product: str = "", version: str = ""
    ) -> Candidates:
        """The OS-level pool of one OS (no `product`), or the pool of one installed product."""
        key = (os_family, os_name, product, version)
        found = self._candidates.get(key)
        if found is None:
            pool = self._by_product.get(product, ()) if product else self._os_level.get(os_family)
            targeted: list[tuple[Vuln, float]] = []
            filler: list[Vuln] = []
            for vuln in pool or ():
                if os_family not in vuln.os_families:
                    continue
                if not platform_matches(os_name, vuln.platforms):
                    continue
                if product and vuln.versions and not version.startswith(vuln.versions):
                    continue
                chance = self._prevalence.get(vuln.qid)
                if chance is None:
                    filler.append(vuln)
                else:
                    targeted.append((vuln, chance))
            found = Candidates(tuple(targeted), tuple(filler))
            if len(self._candidates) >= self._CACHE_LIMIT * 4:
                self._candidates.clear()
            self._candidates[key] = found
        return found


_EXPLOIT_SOURCES = ("The Exploit-DB", "GitHub", "Packet Storm")


def _exploits(spec: VulnSpec) -> tuple[Exploit, ...]:
    """The exploit references of a spec; made-up CVEs point at an example.org stand-in."""
    ref = spec.cves[0] if spec.cves else f"QID-{spec.qid}"
    if spec.exploit_module:
        name = spec.exploit_module.rsplit("/", 1)[-1].removesuffix(".rb")
        link = METASPLOIT_URL + spec.exploit_module
        return (Exploit("Metasploit", ref, f"Metasploit module {name}", link),)
    if "Exploit_Public" not in spec.threat_intel:
        return ()
    if spec.synthetic:
        source = _EXPLOIT_SOURCES[spec.qid % len(_EXPLOIT_SOURCES)]
        slug = source.lower().replace(" ", "-")
        link = f"https://exploits.example.org/{slug}/{ref}"
        return (Exploit(source, ref, f"Public exploit for {ref}", link),)
    note = "Public proof-of-concept exploit; see the CVE references."
    return (
        Exploit("Public Proof of Concept", ref, note, f"https://nvd.nist.gov/vuln/detail/{ref}"),
    )


def _solution(spec: VulnSpec) -> str:
    if spec.impact == "eol":
        return "Upgrade to a release that the vendor still supports."
    if not spec.patchable:
        if spec.vuln_type == "Information Gathered":
            return "No action is required."
        if spec.impact == "policy":
            return "Change the service configuration to remove the weakness described above."
        return "No vendor patch is available yet; apply the vendor's mitigations."
    if spec.vendor_refs:
        return f"Apply the vendor fix described in {', '.join(spec.vendor_refs)}."
    if spec.software:
        return f"Upgrade {' / '.join(spec.software)} to the latest vendor release."
    return "Apply the latest vendor security updates."


def _vuln(spec: VulnSpec, rng: random.Random, now: datetime) -> Vuln:
    exploits = _exploits(spec)
    qds, factors = compute_qds(
        spec.severity, spec.cvss, spec.threat_intel, spec.epss, bool(exploits)
    )
    temporal = None
    if spec.cvss is not None:
        # Temporal = base x exploit maturity x remediation level (v3.1 E and RL multipliers).
        maturity = 0.97 if exploits else 0.91
        temporal = round(spec.cvss * maturity * (0.95 if spec.patchable else 1.0), 1)
    modified = spec.published + (now - spec.published) * rng.random() ** 3
    return Vuln(
        qid=spec.qid,
        title=spec.title,
        vuln_type=spec.vuln_type,
        severity=spec.severity,
        category=spec.category,
        published=spec.published,
        last_modified=modified.replace(microsecond=0),
        patchable=spec.patchable,
        cves=spec.cves,
        cvss_base=spec.cvss,
        cvss_temporal=temporal,
        cvss_vector=spec.vector,
        threat_intel=spec.threat_intel,
        exploits=exploits,
        diagnosis=spec.diagnosis,
        consequence=_CONSEQUENCE[spec.impact],
        solution=_solution(spec),
        qds=qds,
        qds_factors=factors,
        os_families=spec.families,
        software=spec.software,
        vendor_refs=spec.vendor_refs,
        platforms=spec.platforms,
        versions=spec.versions,
    )


def build_knowledge_base(rng: random.Random, now: datetime, filler: int = 4000) -> KnowledgeBase:
    """The KB as of `now`: curated vulns published by then, generated updates, EOL and IG
    QIDs, and about `filler` filler QIDs; deterministic for a given `rng` state and `now`."""
    curated = [spec for spec in CURATED if spec.published < now]
    taken_qids = {spec.qid for spec in curated}
    taken_cves = {cve for spec in curated for cve in spec.cves}
    alloc = Allocator(rng, taken_qids, taken_cves)
    specs = [*curated, *update_specs(alloc, now), *filler_specs(alloc, now, filler)]
    vulns = [_vuln(spec, rng, now) for spec in specs]
    prevalence = {spec.qid: spec.prevalence for spec in specs if spec.prevalence is not None}
    return KnowledgeBase(vulns, prevalence)
