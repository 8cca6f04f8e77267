"""Generated KnowledgeBase content: generic filler QIDs, EOL QIDs and information gathered.

All of it is synthetic. CVE ids are made up but well formed (CVE-2019..2026-NNNNN), advisory
numbers are masked ("USN-68XX-1", "RHSA-2025:XXXX") and titles are generic, so entries read as
plausible without passing for real Qualys or vendor records.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

from qualys_core.simulator.kb_catalog import VulnSpec, families
from qualys_core.simulator.tenant_catalog import (
    OS_RELEASES,
    PRODUCTS,
    CatalogProduct,
    parse_table,
)

__all__ = ["Allocator", "filler_specs", "rti_in_order"]

_RTI_ORDER = (
    "Zero_Day", "Active_Attacks", "Cisa_Known_Exploited_Vulns", "Exploit_Public", "Exploit_Kit",
    "Malware", "Ransomware", "Wormable", "Easy_Exploit", "Predicted_High_Risk",
    "High_Lateral_Movement", "Unauthenticated_Exploitation", "Remote_Code_Execution",
    "Privilege_Escalation", "High_Data_Loss", "Denial_of_Service", "No_Patch",
)  # fmt: skip
_ACTIVE_EXTRAS = (
    ("Cisa_Known_Exploited_Vulns", 0.6), ("Ransomware", 0.2), ("Malware", 0.3),
    ("Zero_Day", 0.25), ("Exploit_Kit", 0.03),
)  # fmt: skip
_SEVERITY_WEIGHTS = MappingProxyType(
    {
        "Vulnerability": (5, 22, 38, 25, 10),
        "Potential Vulnerability": (5, 30, 45, 15, 5),
    }
)
# (Qualys severity, CVSS v3.1 vector, its base score, impact); scores follow the v3.1 formula.
_VECTORS: tuple[tuple[int, str, float, str], ...] = (
    (5, "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "rce"),
    (5, "AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "rce"),
    (5, "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N", 9.1, "bypass"),
    (4, "AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8, "rce"),
    (4, "AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8, "rce"),
    (4, "AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1, "rce"),
    (4, "AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, "eop"),
    (4, "AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8, "rce"),
    (4, "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, "info"),
    (4, "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, "dos"),
    (4, "AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.0, "eop"),
    (3, "AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 6.5, "info"),
    (3, "AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "spoof"),
    (3, "AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9, "info"),
    (3, "AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5, "info"),
    (3, "AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", 5.5, "dos"),
    (3, "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3, "dos"),
    (3, "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N", 5.3, "bypass"),
    (2, "AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N", 4.3, "spoof"),
    (2, "AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N", 4.2, "spoof"),
    (2, "AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N", 3.7, "info"),
    (1, "AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", 3.3, "info"),
    (1, "AV:L/AC:H/PR:L/UI:N/S:U/C:L/I:N/A:N", 2.5, "info"),
)
_WORDS = parse_table("""
rce: Remote Code Execution; Use-After-Free; Heap-Based Buffer Overflow; Out-of-Bounds Write;
  Type Confusion; Deserialization; Command Injection
eop: Elevation of Privilege; Privilege Escalation; Improper Access Control; Race Condition
info: Information Disclosure; Out-of-Bounds Read; Path Traversal; Sensitive Data Exposure
dos: Denial of Service; Uncontrolled Resource Consumption; NULL Pointer Dereference
bypass: Security Feature Bypass; Authentication Bypass
spoof: Spoofing; Cross-Site Scripting; Open Redirect
windows: Win32k; Kernel; Hyper-V; SMBv3 Server; Kerberos; NTLM; Print Spooler; LDAP; TCP/IP;
  Remote Desktop Services; DirectX Graphics Kernel; Common Log File System Driver; Installer;
  MSHTML Platform; DNS Server; Task Scheduler; Secure Boot; BitLocker; Mark of the Web;
  SmartScreen; Storage; Graphics Component; Hello; Event Tracing; Remote Procedure Call Runtime;
  Routing and Remote Access Service (RRAS); Telephony Service; Message Queuing (MSMQ);
  Cryptographic Services; Local Security Authority (LSA); Ancillary Function Driver for WinSock
linux: Linux Kernel=8; OpenSSL=2; GNU C Library; systemd; Sudo; curl; libxml2; Python; Perl;
  OpenSSH; BIND; Samba; PostgreSQL; nginx; Vim; Git; Expat; zlib; libssh; GnuTLS; NSS; Kerberos;
  LibTIFF; ImageMagick; Firefox=2; Thunderbird; Go; Node.js; Ruby; PHP; Apache HTTP Server;
  containerd; runc; less; tar; CUPS; D-Bus; polkit; XZ Utils; libxslt; SQLite; Linux-PAM;
  OpenLDAP; rsync; Wget; FFmpeg; Ghostscript; Unbound
macos: Kernel; WebKit; ImageIO; CoreMedia; AppleScript; Gatekeeper; Safari; Finder; Sandbox;
  CoreGraphics; Bluetooth; FaceTime; Mail; Shortcuts; Spotlight; libxpc; TCC
panos: Management Web Interface; GlobalProtect; Captive Portal; DNS Security; CLI;
  Cloud Authentication Service; User-ID Authentication Portal
fortios: SSL-VPN; Administrative Interface; IPsec VPN; fgfmd Daemon; Captive Portal; SSH Daemon;
  Web Proxy
iosxe: Web UI; SNMP; IKEv2; DHCP; Wireless LAN Controller; Smart Licensing Utility;
  IOx Application Hosting; NETCONF and RESTCONF
netscaler: Gateway; Management Interface; AAA Virtual Server; NetScaler Console;
  Content Switching
""")
# Share of 4000 filler QIDs per OS-level stream; the rest goes to products by weight.
_STREAMS = parse_table("""
shares: windows=950; ubuntu=330; debian=200; rhel=300; centos=120; amazon=160; macos=140;
  panos=70; fortios=90; iosxe=80; netscaler=45
""")["shares"]
_APP_SHARE = 1415
_CENTOS_END = datetime(2024, 6, 30, tzinfo=UTC)
_APP_WEIGHTS = parse_table("""
weights: Microsoft Office=4; Adobe Acrobat Reader=4; Oracle Java SE=4; Microsoft 365 Apps=2;
  Microsoft Exchange Server 2019=2; Microsoft Exchange Server 2016=2; Microsoft SQL Server=2;
  PHP=3; Node.js=3; MySQL Server=3; Oracle WebLogic Server=3; OpenSSL=3; Python=2;
  Apache Tomcat=2; Apache HTTP Server=2; Microsoft SharePoint Server=2; Jenkins=2; Safari=2;
  Confluence Server=2; PostgreSQL=2; Microsoft .NET Runtime=2; Zoom Workplace=2; Google Chrome=.5;
  Microsoft Edge=.5; Mozilla Firefox=.5; Linux Kernel=.2; GNU C Library=.2; polkit=.2; sudo=.2;
  xz-utils=.2; Qualys Cloud Agent=.3; CrowdStrike Falcon Sensor=.3
""")["weights"]
_IGS = parse_table("""
WLMN: Host Scan Time - Scanner; Open TCP Services List; Operating System Detected; Traceroute;
  DNS Host Name; Firewall Detected; ICMP Replies Received; Host Names Found; Open UDP Services List;
  Scan Activity per Port; Degree of Randomness of TCP Initial Sequence Numbers;
  IP ID Values Randomness; Host Uptime Based on TCP TimeStamp Option
WLN: SSL Server Information Retrieval; SSL Certificate - Information;
  SSL Session Caching Information
WL: Web Server Version; HTTP Response Method and Header Information Collected; Default Web Page;
  List of Web Directories; Cloud Instance Metadata Information
LMN: SSH Daemon Information Retrieving; SSH Protocol Versions Supported
W: Installed Applications Enumerated From Windows Installer; Microsoft Windows Defender Detected;
  Windows Authentication Method; NetBIOS Host Name; Windows Services List
L: Installed Packages on Unix and Linux Operating Systems; Linux Kernel Version Information;
  Mounted File Systems; Unix Authentication Method
M: Apple macOS Installed Applications Enumerated
WLM: Qualys Cloud Agent Information; Listening Processes and Ports
N: Network Device Configuration Information; SNMP Information Collected; Interface Addresses
""")
_WINDOWS_BUILD = re.compile(r" \d+\.\d+\.\d{4,5}\b.*$")


@dataclass(frozen=True, slots=True)
class _Form:
    """How one stream's QIDs look: where they apply, their QID range, title and reference."""

    base: int
    families: tuple[str, ...]
    category: str
    title: str  # str.format template: part, flaw, cve, ref, year, yy, usn, dsa
    ref: str = ""  # vendor reference template, same fields
    platform: str = ""
    parts: tuple[tuple[str, float], ...] = ()
    software: str = ""
    until: datetime | None = None
    advisory: bool = False  # one distro advisory covering several CVEs


def _stream_forms() -> dict[str, _Form]:
    linux = _WORDS["linux"]
    win, lin, mac, net = (families(code) for code in "WLMN")
    return {
        "windows": _Form(91600, win, "Windows", "Microsoft Windows {part} {flaw} Vulnerability",
                         "{cve}", parts=_WORDS["windows"]),
        "ubuntu": _Form(198000, lin, "Ubuntu", "Ubuntu Security Notification for {part} "
                        "Vulnerabilities ({ref})", "USN-{usn}XX-1", "Ubuntu Linux", linux,
                        advisory=True),
        "debian": _Form(181000, lin, "Debian", "Debian Security Update for {part} ({ref})",
                        "DSA {dsa}XX-1", "Debian GNU/Linux", linux, advisory=True),
        "rhel": _Form(240000, lin, "RedHat", "Red Hat Update for {part} ({ref})",
                      "RHSA-{year}:XXXX", "Red Hat Enterprise Linux", linux, advisory=True),
        "centos": _Form(256000, lin, "CentOS", "CentOS Security Update for {part} ({ref})",
                        "CESA-{year}:XXXX", "CentOS Linux", linux, until=_CENTOS_END,
                        advisory=True),
        "amazon": _Form(352000, lin, "Amazon Linux", "Amazon Linux Security Advisory for "
                        "{part}: {ref}", "ALAS-{year}-XXXX", "Amazon Linux", linux, advisory=True),
        "macos": _Form(375000, mac, "Local", "Apple macOS {part} {flaw} Vulnerability",
                       parts=_WORDS["macos"]),
        "panos": _Form(731000, net, "Firewall", "Palo Alto Networks PAN-OS {part} {flaw} "
                       "Vulnerability", platform="PAN-OS", parts=_WORDS["panos"]),
        "fortios": _Form(43500, net, "Firewall", "Fortinet FortiOS {part} {flaw} Vulnerability "
                         "({ref})", "FG-IR-{yy}-XXX", "FortiOS", _WORDS["fortios"]),
        "iosxe": _Form(316000, net, "Cisco", "Cisco IOS XE Software {part} {flaw} Vulnerability "
                       "({ref})", "cisco-sa-XXXXXXXX", "Cisco IOS XE", _WORDS["iosxe"]),
        "netscaler": _Form(380500, net, "Web server", "Citrix NetScaler ADC and Gateway {part} "
                           "{flaw} Vulnerability ({ref})", "CTX6XXXXX", "NetScaler ADC",
                           _WORDS["netscaler"]),
    }  # fmt: skip


@dataclass(slots=True)
class Allocator:
    """Hands out unused QIDs and CVE ids, and the random stream; one per KB build."""

    rng: random.Random
    qids: set[int]
    cves: set[str]

    def qid(self, base: int) -> int:
        while base in self.qids:
            base += 1
        self.qids.add(base)
        return base

    def cve_ids(self, published: datetime, count: int, low: int = 10000) -> tuple[str, ...]:
        found: list[str] = []
        while len(found) < count:
            back = 1 if self.rng.random() < 0.3 else 0  # CVE ids are often reserved a year early
            year = min(max(2019, published.year - back), 2026)
            cve = f"CVE-{year}-{self.rng.randint(low, 59999)}"
            if cve not in self.cves:
                self.cves.add(cve)
                found.append(cve)
        return tuple(found)


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([name for name, _ in table], [weight for _, weight in table])[0]


def rti_in_order(names: set[str]) -> tuple[str, ...]:
    """Threat-intelligence names in one fixed order, so output never depends on set order."""
    return tuple(name for name in _RTI_ORDER if name in names)


def _threat(
    rng: random.Random, severity: int, vector: str, impact: str, patchable: bool
) -> tuple[tuple[str, ...], float]:
    """Threat-intelligence tags and an EPSS score, rarer and lower as severity drops."""
    found = {
        "rce": {"Remote_Code_Execution"},
        "eop": {"Privilege_Escalation"},
        "dos": {"Denial_of_Service"},
    }.get(impact, set())
    if impact == "info" and rng.random() < 0.3:
        found.add("High_Data_Loss")
    public = rng.random() < (0, 0.02, 0.07, 0.2, 0.35)[severity - 1]
    active = public and rng.random() < (0, 0.02, 0.05, 0.15, 0.3)[severity - 1]
    if public:
        found.add("Exploit_Public")
        if rng.random() < 0.1:
            found.add("Easy_Exploit")
    if active:
        found.add("Active_Attacks")
        for name, chance in _ACTIVE_EXTRAS:
            if rng.random() < chance:
                found.add(name)
    if severity >= 4 and rng.random() < 0.15:
        found.add("Predicted_High_Risk")
    if "AV:N" in vector and "PR:N" in vector and impact == "rce" and rng.random() < 0.6:
        found.add("Unauthenticated_Exploitation")
    if impact == "rce" and severity >= 4 and rng.random() < 0.05:
        found.add("High_Lateral_Movement")
    if not patchable:
        found.add("No_Patch")
    if active:
        epss = 0.2 + 0.75 * rng.random()
    elif public:
        epss = 0.02 + 0.5 * rng.random() ** 2
    else:
        epss = 0.0004 + 0.05 * rng.random() ** 4
    return rti_in_order(found), round(epss, 5)


def _published(rng: random.Random, now: datetime, until: datetime | None = None) -> datetime:
    """A moment in the six years before `now` (or `until`), denser towards the recent end."""
    end = min(now, until) if until else now
    span = (end - (now - timedelta(days=6 * 365))).total_seconds()
    return (end - timedelta(seconds=span * rng.random() ** 1.4 + 3600)).replace(microsecond=0)


def _filler(alloc: Allocator, now: datetime, form: _Form) -> VulnSpec:
    """One filler QID of a stream (an OS line or a product)."""
    rng = alloc.rng
    vuln_type = "Potential Vulnerability" if rng.random() < 0.1 else "Vulnerability"
    severity = rng.choices(range(1, 6), _SEVERITY_WEIGHTS[vuln_type])[0]
    _, vector, cvss, impact = rng.choice([row for row in _VECTORS if row[0] == severity])
    flaw = rng.choice(_WORDS[impact])[0]
    part = _pick(rng, form.parts) if form.parts else form.software
    published = _published(rng, now, form.until)
    cves = alloc.cve_ids(published, rng.randint(1, 6) if form.advisory else rng.randint(1, 2))
    days = (published.date() - date(2020, 3, 1)).days
    fields: dict[str, object] = {
        "part": part,
        "flaw": flaw,
        "cve": cves[0],
        "year": published.year,
        "yy": published.year % 100,
        "usn": (4300 + int(days * 1.78)) // 100,
        "dsa": (4650 + int(days * 0.68)) // 100,
    }
    ref = form.ref.format(**fields)
    fields["ref"] = ref
    patchable = rng.random() < (0.8 if vuln_type == "Potential Vulnerability" else 0.93)
    threat, epss = _threat(rng, severity, vector, impact, patchable)
    if form.advisory:
        about = f"The vendor released an update for {part} that fixes {len(cves)} security issues."
    else:
        subject = form.title.split(" {flaw}")[0].format(**fields)
        about = f"A {flaw.lower()} vulnerability affects {subject}."
    return VulnSpec(
        qid=alloc.qid(form.base),
        severity=severity,
        published=published,
        cvss=cvss,
        vector=f"CVSS:3.1/{vector}",
        epss=epss,
        title=form.title.format(**fields),
        cves=cves,
        families=form.families,
        category=form.category,
        platforms=(form.platform,) if form.platform else (),
        software=(form.software,) if form.software else (),
        threat_intel=threat,
        vendor_refs=(ref,) if ref else (),
        impact=impact,
        diagnosis=about,
        patchable=patchable,
        vuln_type=vuln_type,
        synthetic=True,
    )


def _stream(alloc: Allocator, now: datetime, form: _Form, count: int) -> list[VulnSpec]:
    """`count` filler QIDs of one stream, numbered so that QIDs rise with publication date."""
    specs = [_filler(alloc, now, form) for _ in range(count)]
    qids = sorted(spec.qid for spec in specs)
    ordered = sorted(specs, key=lambda spec: spec.published)
    return [replace(spec, qid=qid) for spec, qid in zip(ordered, qids, strict=True)]


def _app_form(product: CatalogProduct) -> _Form:
    """Where a product's filler QIDs live, in the QID ranges Qualys uses for such checks."""
    top = product.category.split(" / ")[0]
    if product.product in ("OpenSSL", "OpenSSH"):
        base, category = 38000, "General remote services"
    elif top in ("Server", "Database"):
        base = 730000
        category = {"Web Server": "Web server", "Mail Server": "Mail services"}.get(
            product.category.split(" / ")[1], "Database" if top == "Database" else "Local"
        )
    else:
        base, category = (377000 if top == "Operating System" else 378000), "Local"
    ref = "{cve}" if product.vendor == "Microsoft" else ""
    title = f"{product.product} {{flaw}} Vulnerability ({{cve}})"
    return _Form(base, product.families, category, title, ref, software=product.product)


def _filler_streams(alloc: Allocator, now: datetime, scale: float) -> Iterator[VulnSpec]:
    forms = _stream_forms()
    for key, share in _STREAMS:
        yield from _stream(alloc, now, forms[key], round(share * scale))
    weights = dict(_APP_WEIGHTS)
    total = sum(weights.get(product.product, 1.0) for product in PRODUCTS)
    for product in PRODUCTS:
        count = round(_APP_SHARE * scale * weights.get(product.product, 1.0) / total)
        yield from _stream(alloc, now, _app_form(product), count)


def _eol_spec(
    alloc: Allocator,
    now: datetime,
    base: int,
    title: str,
    name: str,
    fams: tuple[str, ...],
    severity: int,
    narrowing: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
) -> VulnSpec:
    platforms, software, versions = narrowing
    return VulnSpec(
        qid=alloc.qid(base),
        severity=severity,
        published=(now - timedelta(days=alloc.rng.randint(30, 1000))).replace(microsecond=0),
        prevalence=1.0,
        title=f"EOL/Obsolete {title} Detected",
        cves=(),
        families=fams,
        category="Security Policy",
        platforms=platforms,
        software=software,
        versions=versions,
        threat_intel=("No_Patch",),
        impact="eol",
        diagnosis=f"{name} has reached the end of vendor support.",
        patchable=False,
        synthetic=True,
    )


def _eol(alloc: Allocator, now: datetime) -> Iterator[VulnSpec]:
    """An "EOL/Obsolete" QID for each end-of-life OS release and software version."""
    for release in OS_RELEASES:
        if release.lifecycle == "EOL":
            name = release.name
            shown = _WINDOWS_BUILD.sub("", name) if release.family == "Windows" else name
            title = f"Operating System: {shown}"
            yield _eol_spec(
                alloc, now, 105900, title, name, (release.family,), 4, ((name,), (), ())
            )
    for product in PRODUCTS:
        severity = 3 if product.category.startswith(("Internet", "Application", "AI")) else 4
        for version, stage in product.versions:
            if stage == "EOL":
                name = f"{product.product} {version}"
                narrowing = ((), (product.product,), (version,))
                yield _eol_spec(
                    alloc,
                    now,
                    105100,
                    f"Software: {name}",
                    name,
                    product.families,
                    severity,
                    narrowing,
                )


def _information_gathered(alloc: Allocator, now: datetime) -> Iterator[VulnSpec]:
    """One information-gathered QID per title of `_IGS`, for the families of its row."""
    rng = alloc.rng
    for codes, titles in _IGS.items():
        for title, _ in titles:
            yield VulnSpec(
                qid=alloc.qid(45000),
                severity=1 if rng.random() < 0.85 else 2,
                published=(now - timedelta(days=rng.randint(900, 2100))).replace(microsecond=0),
                prevalence=round(rng.uniform(0.05, 0.3), 2),
                title=title,
                cves=(),
                families=families(codes),
                category="Information gathering",
                impact="ig",
                diagnosis=f"The scan collected this information: {title}.",
                patchable=False,
                vuln_type="Information Gathered",
                synthetic=True,
            )


def filler_specs(alloc: Allocator, now: datetime, filler: int) -> Iterator[VulnSpec]:
    """EOL and information-gathered QIDs, then about `filler` generic filler QIDs."""
    yield from _eol(alloc, now)
    yield from _information_gathered(alloc, now)
    yield from _filler_streams(alloc, now, filler / 4000)
