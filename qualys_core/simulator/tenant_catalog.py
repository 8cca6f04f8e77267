"""Static catalogues the synthetic tenant draws hosts from: OS releases, software, roles, clouds.

Lifecycle stages (GA/EOS/EOL) approximate vendor support dates as of late 2026. Product names
here are what `Software.product` holds and what KB entries name in `Vuln.software`. The larger
tables are written as text, one `key: item=weight; item=weight` row each (indented lines
continue a row; a name ending in `!` is EOL, in `~` EOS), and parsed once at import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from qualys_core.simulator.kb_catalog import families

__all__ = [
    "ASSET_GROUPS",
    "BUSINESS_UNITS",
    "CLOUD_MODELS",
    "CLOUD_REGIONS",
    "HARDWARE",
    "KINDS",
    "LINUX_BASE",
    "OS_RELEASES",
    "PRODUCTS",
    "PROFILES",
    "ROLES",
    "TAGS",
    "CatalogProduct",
    "OsRelease",
    "lifecycle_of",
    "parse_table",
]

_LIFECYCLE = MappingProxyType({"!": "EOL", "~": "EOS"})


@dataclass(frozen=True, slots=True)
class CatalogProduct:
    """One product of the software catalogue, with the versions hosts may run."""

    vendor: str
    product: str
    category: str
    families: tuple[str, ...]
    versions: tuple[tuple[str, str], ...]  # (version, lifecycle)


@dataclass(frozen=True, slots=True)
class OsRelease:
    """An OS release as Qualys prints it, with the host kind it runs on and its share there."""

    name: str
    family: str
    kind: str  # "server" | "workstation" | "network"
    lifecycle: str
    weight: int
    generation: str  # Linux userland generation, the key of LINUX_BASE; "" elsewhere


def lifecycle_of(word: str) -> tuple[str, str]:
    """("name", lifecycle) from a name that may end in `!` (EOL) or `~` (EOS)."""
    return word.rstrip("!~"), _LIFECYCLE.get(word[-1:], "GA")


def _p(vendor: str, product: str, category: str, codes: str, versions: str) -> CatalogProduct:
    parsed = tuple(lifecycle_of(word) for word in versions.split())
    return CatalogProduct(vendor, product, category, families(codes), parsed)


def _os(code: str, kind: str, spec: str, generation: str = "") -> OsRelease:
    name, weight = (part.strip() for part in spec.split("|"))
    name, lifecycle = lifecycle_of(name)
    return OsRelease(name, families(code)[0], kind, lifecycle, int(weight), generation)


def parse_table(text: str) -> Mapping[str, tuple[tuple[str, float], ...]]:
    """Rows of `key: item=weight; item` (weight 1 when left out) as a read-only mapping."""
    rows: dict[str, str] = {}
    key = ""
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0].isspace():
            rows[key] += " " + line.strip()
        else:
            key, _, rest = line.partition(":")
            rows[key.strip()] = rest.strip()
    parsed: dict[str, tuple[tuple[str, float], ...]] = {}
    for name, row in rows.items():
        items = (item.strip().rpartition("=") for item in row.split(";") if item.strip())
        parsed[name] = tuple(
            (label, float(weight)) if label else (weight, 1.0) for label, _, weight in items
        )
    return MappingProxyType(parsed)


# Product names are what Software.product holds and what Vuln.software refers to.
PRODUCTS: tuple[CatalogProduct, ...] = (
    _p("Google", "Google Chrome", "Internet / Browser", "WLM", "131.0.6778.86 142.0.7444.59"),
    _p("Microsoft", "Microsoft Edge", "Internet / Browser", "WM", "131.0.2903.70 142.0.3595.53"),
    _p("Mozilla", "Mozilla Firefox", "Internet / Browser", "WLM", "115.18.0esr! 128.5.0esr 145.0"),
    _p("Apple", "Safari", "Internet / Browser", "M", "17.6~ 26.1"),
    _p("Microsoft", "Microsoft Office", "Application / Office Suite", "WM", "2016! 2019! 2024"),
    _p("Microsoft", "Microsoft 365 Apps", "Application / Office Suite", "WM", "2408 2510"),
    _p("Adobe", "Adobe Acrobat Reader", "Application / Document Viewer", "WM", "20.005! 25.001"),
    _p("Igor Pavlov", "7-Zip", "Application / File Archiver", "W", "19.00! 24.08"),
    _p("RARLAB", "WinRAR", "Application / File Archiver", "W", "6.22 7.01"),
    _p("Don Ho", "Notepad++", "Development / Text Editor", "W", "8.5.8 8.6.9"),
    _p("Zoom", "Zoom Workplace", "Application / Collaboration", "WM", "5.17.11! 6.1.11"),
    _p("Microsoft", "Microsoft Teams", "Application / Collaboration", "WM", "24215.1007"),
    _p("Slack", "Slack", "Application / Collaboration", "WM", "4.39.95"),
    _p("Simon Tatham", "PuTTY", "Network Application / Remote Access", "W", "0.80 0.81"),
    _p("TeamViewer", "TeamViewer", "Network Application / Remote Access", "WM", "15.54.3"),
    _p("Cisco", "Cisco Secure Client", "Network Application / VPN Client", "WM", "4.10! 5.1.4"),
    _p("Microsoft", "Microsoft OneDrive", "Application / File Sync", "W", "24.101"),
    _p("Microsoft", "Visual Studio Code", "Development / Code Editor", "WLM", "1.91.1 1.105.1"),
    _p("Software Freedom Conservancy", "Git", "Development / Version Control", "WLM", "2.45.2"),
    _p("VideoLAN", "VLC media player", "Application / Media Player", "WM", "3.0.20"),
    _p("Docker", "Docker Desktop", "Development / Container Tools", "WM", "4.31.1 4.49.0"),
    _p("Ollama", "Ollama", "AI / Model Runtime", "WLM", "0.1.48 0.12.6"),
    _p("Nomic AI", "GPT4All", "AI / Model Runtime", "WM", "3.4.2"),
    _p("CrowdStrike", "CrowdStrike Falcon Sensor", "Security / Endpoint Protection", "WLM", "7.28"),
    _p("Qualys", "Qualys Cloud Agent", "Security / Vulnerability Management", "WLM", "6.3.0.32"),
    _p(
        "Oracle",
        "Oracle Java SE",
        "Development / Runtime Environment",
        "WLM",
        "8u202! 8u431 21.0.5",
    ),
    _p("Python Software Foundation", "Python", "Development / Runtime", "WLM", "2.7.18! 3.12.7"),
    _p("OpenJS Foundation", "Node.js", "Development / Runtime", "WL", "16.20.2! 20.15.1! 22.11.0"),
    _p("The PHP Group", "PHP", "Development / Runtime", "WL", "7.4.33! 8.1.28! 8.2.19~ 8.3.14"),
    _p(
        "Microsoft", "Microsoft .NET Runtime", "Development / Runtime", "WL", "6.0.32! 8.0.11! 10.0"
    ),
    _p("Microsoft", "Visual C++ Redistributable", "Development / Runtime Library", "W", "14.40"),
    _p("Microsoft", "Microsoft SQL Server", "Database / Database Server", "W", "2014! 2016~ 2022"),
    _p("Microsoft", "Microsoft Exchange Server 2019", "Server / Mail Server", "W", "CU8! CU14!"),
    _p("Microsoft", "Microsoft Exchange Server 2016", "Server / Mail Server", "W", "CU19! CU23!"),
    _p("Microsoft", "Microsoft IIS", "Server / Web Server", "W", "8.5! 10.0"),
    _p("Microsoft", "Active Directory Domain Services", "Server / Directory Service", "W", "10.0"),
    _p("Microsoft", "Microsoft SharePoint Server", "Server / Collaboration", "W", "2019! SE"),
    _p("Progress", "MOVEit Transfer", "Server / File Transfer", "W", "2022.1.5! 2024.1.2"),
    _p(
        "ConnectWise",
        "ConnectWise ScreenConnect",
        "Network Application / Remote Access",
        "W",
        "23.9.7 25.2.4",
    ),
    _p("Veeam", "Veeam Backup & Replication", "Server / Backup", "W", "12.1.2.172 12.3.1"),
    _p("VMware", "VMware Tools", "Utility / Virtualization Tools", "WL", "12.3.5 12.5.0"),
    _p("Splunk", "Splunk Universal Forwarder", "Security / Log Collection", "WL", "9.0.5! 9.3.1"),
    _p("Apache", "Apache Tomcat", "Server / Application Server", "WL", "8.5.93! 9.0.80 10.1.34"),
    _p("Apache", "Apache HTTP Server", "Server / Web Server", "WL", "2.4.49 2.4.57 2.4.62"),
    _p("F5", "nginx", "Server / Web Server", "L", "1.18.0! 1.22.1 1.24.0 1.26.2"),
    _p("Apache", "Apache Log4j", "Development / Logging Library", "WL", "1.2.17! 2.14.1 2.17.1"),
    _p("Apache", "Apache ActiveMQ", "Server / Message Broker", "WL", "5.15.15! 5.18.2 6.1.4"),
    _p("Atlassian", "Confluence Server", "Server / Collaboration", "WL", "7.13.6! 8.3.2! 8.5.14"),
    _p("Atlassian", "Jira Software", "Server / Collaboration", "WL", "9.12.8"),
    _p("Jenkins", "Jenkins", "Development / CI Server", "WL", "2.426.2 2.479.3"),
    _p("PostgreSQL", "PostgreSQL", "Database / Database Server", "L", "12.19! 14.12! 16.3 17.2"),
    _p("Oracle", "MySQL Server", "Database / Database Server", "WL", "5.7.44! 8.0.37! 8.4.3"),
    _p("MongoDB", "MongoDB Server", "Database / Database Server", "L", "4.4.29! 7.0.12"),
    _p("Redis", "Redis", "Database / In-Memory Store", "L", "6.2.14 7.2.5"),
    _p("Elastic", "Elasticsearch", "Database / Search Engine", "L", "7.17.22 8.15.3"),
    _p("Docker", "Docker Engine", "Development / Container Runtime", "L", "20.10.24! 27.3.1"),
    _p("Kubernetes", "kubelet", "Development / Container Orchestration", "L", "1.28.15! 1.33.5"),
    _p("Oracle", "Oracle WebLogic Server", "Server / Application Server", "L", "12.2.1.4.0"),
    _p("Grafana Labs", "Grafana", "Application / Monitoring", "L", "10.4.2 11.3.0"),
    _p("ISC", "ISC BIND", "Server / DNS Server", "L", "9.16.48! 9.18.28"),
    _p("Samba", "Samba", "Server / File Server", "L", "4.15.13! 4.19.5"),
    _p("Wietse Venema", "Postfix", "Server / Mail Server", "L", "3.6.4 3.8.6"),
    _p(
        "OpenSSL",
        "OpenSSL",
        "Security / Encryption",
        "WLMN",
        "1.0.1e! 1.0.2k! 1.1.1k! 3.0.7 3.0.13",
    ),
    _p(
        "OpenBSD",
        "OpenSSH",
        "Network Application / Remote Access",
        "LMN",
        "7.4p1! 8.0p1 8.9p1 9.6p1 9.9p1",
    ),
    _p("Linux", "Linux Kernel", "Operating System / Kernel", "L", "3.10.0! 4.18.0 5.15.0 6.8.0"),
    _p("GNU", "GNU C Library", "Operating System / System Library", "L", "2.17! 2.28 2.35 2.39"),
    _p("curl", "curl", "Network Application / Transfer Tool", "WLM", "7.29.0! 7.61.1 7.81.0 8.5.0"),
    _p("freedesktop.org", "polkit", "Operating System / System Service", "L", "0.112! 0.115 124"),
    _p("Tukaani Project", "xz-utils", "Utility / Compression", "L", "5.2.2! 5.2.5 5.4.5 5.6.0"),
    _p(
        "Todd C. Miller",
        "sudo",
        "Operating System / System Utility",
        "L",
        "1.8.23! 1.8.29 1.9.9 1.9.15p5",
    ),
)

OS_RELEASES: tuple[OsRelease, ...] = (
    _os("W", "server", "Windows Server 2025 Datacenter 10.0.26100 | 6"),
    _os("W", "server", "Windows Server 2022 Datacenter 10.0.20348 | 28"),
    _os("W", "server", "Windows Server 2022 Standard 10.0.20348 | 10"),
    _os("W", "server", "Windows Server 2019 Datacenter 10.0.17763 | 20"),
    _os("W", "server", "Windows Server 2019 Standard 10.0.17763 | 10"),
    _os("W", "server", "Windows Server 2016 Standard 10.0.14393~ | 14"),
    _os("W", "server", "Windows Server 2012 R2 Standard 6.3.9600! | 9"),
    _os("W", "server", "Windows Server 2008 R2 Enterprise 6.1.7601 Service Pack 1! | 3"),
    _os("W", "workstation", "Windows 11 Enterprise 24H2 10.0.26100 | 45"),
    _os("W", "workstation", "Windows 11 Enterprise 25H2 10.0.26200 | 20"),
    _os("W", "workstation", "Windows 11 Enterprise 23H2 10.0.22631! | 10"),
    _os("W", "workstation", "Windows 11 Enterprise 22H2 10.0.22621! | 2"),
    _os("W", "workstation", "Windows 10 Enterprise 22H2 10.0.19045! | 18"),
    _os("W", "workstation", "Windows 10 Enterprise 21H2 10.0.19044! | 4"),
    _os("W", "workstation", "Windows 7 Enterprise 6.1.7601 Service Pack 1! | 1"),
    _os("L", "server", "Ubuntu Linux 24.04.1 LTS | 14", "2024"),
    _os("L", "server", "Ubuntu Linux 22.04.4 LTS | 22", "2022"),
    _os("L", "server", "Ubuntu Linux 20.04.6 LTS~ | 9", "2020"),
    _os("L", "server", "Red Hat Enterprise Linux 9.4 | 14", "2022"),
    _os("L", "server", "Red Hat Enterprise Linux 8.9 | 13", "2020"),
    _os("L", "server", "Red Hat Enterprise Linux 7.9~ | 4", "legacy"),
    _os("L", "server", "Debian GNU/Linux 12.7 | 7", "2024"),
    _os("L", "server", "Debian GNU/Linux 11.11! | 3", "2020"),
    _os("L", "server", "Amazon Linux 2023.6 | 6", "2022"),
    _os("L", "server", "Amazon Linux 2! | 4", "legacy"),
    _os("L", "server", "CentOS Linux 7.9.2009! | 5", "legacy"),
    _os("M", "workstation", "macOS 26.1 Tahoe | 40"),
    _os("M", "workstation", "macOS 15.7 Sequoia | 35"),
    _os("M", "workstation", "macOS 14.8 Sonoma~ | 18"),
    _os("M", "workstation", "macOS 13.7.8 Ventura! | 7"),
    _os("N", "network", "PAN-OS 11.2.4 | 8"),
    _os("N", "network", "PAN-OS 11.1.6 | 8"),
    _os("N", "network", "PAN-OS 11.1.2 | 4"),
    _os("N", "network", "PAN-OS 10.2.9~ | 6"),
    _os("N", "network", "PAN-OS 10.1.14! | 3"),
    _os("N", "network", "FortiOS 7.6.1 | 6"),
    _os("N", "network", "FortiOS 7.4.7 | 8"),
    _os("N", "network", "FortiOS 7.4.2 | 3"),
    _os("N", "network", "FortiOS 7.2.6~ | 5"),
    _os("N", "network", "FortiOS 7.0.6! | 2"),
    _os("N", "network", "Cisco IOS XE 17.12.4 | 10"),
    _os("N", "network", "Cisco IOS XE 17.9.3 | 8"),
    _os("N", "network", "Cisco IOS XE 17.6.5~ | 6"),
    _os("N", "network", "Cisco IOS XE 16.12.4! | 3"),
    _os("N", "network", "NetScaler ADC 14.1-29.72 | 7"),
    _os("N", "network", "NetScaler ADC 13.1-49.13~ | 4"),
    _os("N", "network", "NetScaler ADC 13.0-91.12! | 2"),
)

# (family, kind, share of all hosts in percent)
KINDS: tuple[tuple[str, str, int], ...] = (
    ("Windows", "server", 22),
    ("Windows", "workstation", 33),
    ("Linux", "server", 30),
    ("macOS", "workstation", 5),
    ("Network", "network", 10),
)

# The system packages ("product version") each Linux userland generation pins.
LINUX_BASE = parse_table("""
legacy: OpenSSL 1.0.2k; OpenSSH 7.4p1; Linux Kernel 3.10.0; GNU C Library 2.17; curl 7.29.0;
  sudo 1.8.23; polkit 0.112; xz-utils 5.2.2
2020: OpenSSL 1.1.1k; OpenSSH 8.0p1; Linux Kernel 4.18.0; GNU C Library 2.28; curl 7.61.1;
  sudo 1.8.29; polkit 0.115; xz-utils 5.2.5
2022: OpenSSL 3.0.7; OpenSSH 8.9p1; Linux Kernel 5.15.0; GNU C Library 2.35; curl 7.81.0;
  sudo 1.9.9; polkit 0.115; xz-utils 5.2.5
2024: OpenSSL 3.0.13; OpenSSH 9.6p1; Linux Kernel 6.8.0; GNU C Library 2.39; curl 8.5.0;
  sudo 1.9.15p5; polkit 124; xz-utils 5.4.5
""")

# Roles per "family/kind" as `role/name-prefix=share`.
ROLES = parse_table("""
Windows/server: web/web=20; db/sql=16; app/app=24; dc/dc=6; exchange/exch=3; sharepoint/spt=3;
  file/fs=12; backup/bkp=4; mgmt/mgmt=12
Windows/workstation: workstation/wks=1
Linux/server: web/web=24; db/db=18; app/app=24; container/k8s=14; mail/mail=4; dns/dns=4;
  file/nas=4; bastion/jump=8
macOS/workstation: workstation/mac=1
Network/network: firewall/fw=1
""")

# Software a profile installs, with its probability. Every Windows or Linux server gets its
# family's profile plus the "family/role" one; workstations, Macs and network devices get one.
PROFILES = parse_table("""
Windows: Microsoft Edge=1; Visual C++ Redistributable=.95; CrowdStrike Falcon Sensor=.85;
  Microsoft .NET Runtime=.6; 7-Zip=.35; Google Chrome=.3; Notepad++=.25; OpenSSL=.3; curl=.5;
  Splunk Universal Forwarder=.45; PuTTY=.1; Python=.15; Oracle Java SE=.2
Windows/workstation: Microsoft Edge=1; Visual C++ Redistributable=.95; Microsoft Teams=.85;
  CrowdStrike Falcon Sensor=.9; Microsoft Office=.5; Microsoft 365 Apps=.45; Slack=.2;
  Adobe Acrobat Reader=.6; Zoom Workplace=.5; Mozilla Firefox=.3; Google Chrome=.85;
  Microsoft OneDrive=.8; VLC media player=.2; WinRAR=.12; 7-Zip=.4; Cisco Secure Client=.6;
  Visual Studio Code=.15; Git=.1; TeamViewer=.05; Python=.08; Notepad++=.2; Ollama=.03;
  GPT4All=.02; curl=.6; Oracle Java SE=.1
macOS/workstation: Safari=1; Google Chrome=.8; Mozilla Firefox=.3; Microsoft Office=.4;
  Microsoft 365 Apps=.5; Zoom Workplace=.6; Microsoft Teams=.7; Slack=.45; Git=.45;
  Visual Studio Code=.35; Docker Desktop=.15; Python=.5; OpenSSH=1; curl=1; Ollama=.06;
  CrowdStrike Falcon Sensor=.9; GPT4All=.04; VLC media player=.2; Adobe Acrobat Reader=.4;
  Cisco Secure Client=.5
Network/firewall: OpenSSH=.9; OpenSSL=.9
Linux: CrowdStrike Falcon Sensor=.75; Python=.7; Splunk Universal Forwarder=.35; Git=.2
Windows/web: Microsoft IIS=1; PHP=.25; Microsoft .NET Runtime=.6
Windows/db: Microsoft SQL Server=1
Windows/app: Oracle Java SE=.8; Apache Tomcat=.5; Apache Log4j=.45; Apache ActiveMQ=.12;
  MOVEit Transfer=.06; ConnectWise ScreenConnect=.06; Jenkins=.08; Confluence Server=.06;
  Node.js=.3; Python=.3; Apache HTTP Server=.1; MySQL Server=.1
Windows/dc: Active Directory Domain Services=1
Windows/exchange: Microsoft Exchange Server 2019=.7; Microsoft Exchange Server 2016=.3;
  Microsoft IIS=1
Windows/sharepoint: Microsoft SharePoint Server=1; Microsoft IIS=1
Windows/backup: Veeam Backup & Replication=1; Microsoft SQL Server=.5
Windows/mgmt: ConnectWise ScreenConnect=.1; PuTTY=.5; Python=.4; Git=.3; TeamViewer=.1;
  Visual Studio Code=.2; Google Chrome=.5
Linux/web: nginx=.6; Apache HTTP Server=.45; PHP=.4; Node.js=.3
Linux/db: PostgreSQL=.5; MySQL Server=.35; MongoDB Server=.2; Redis=.3
Linux/app: Oracle Java SE=.85; Apache Tomcat=.55; Apache Log4j=.5; Apache ActiveMQ=.15;
  Confluence Server=.08; Jira Software=.08; Jenkins=.12; Elasticsearch=.2; Node.js=.3;
  Oracle WebLogic Server=.05; Grafana=.1; Redis=.15
Linux/container: Docker Engine=1; kubelet=.7; Grafana=.15; Ollama=.05
Linux/mail: Postfix=1
Linux/dns: ISC BIND=1
Linux/file: Samba=1
""")

# Hardware models by placement (on-premises server, workstation, Mac, network OS product).
HARDWARE = parse_table("""
server: VMware Virtual Platform=13; PowerEdge R750=2; PowerEdge R740=2; PowerEdge R730!=1;
  ProLiant DL380 Gen10=2; ProLiant DL360 Gen9!=1
workstation: Latitude 7440=4; Latitude 5420~=2; ThinkPad T14 Gen 4=4; ThinkPad T480!=1;
  EliteBook 840 G9=3; OptiPlex 7090=2; OptiPlex 7050!=1
mac: MacBook Pro (14-inch, M3, 2023)=4; MacBook Air (M2, 2022)=4; iMac (24-inch, M1, 2021)=1;
  MacBook Pro (16-inch, 2019)~=1
PAN-OS: PA-1410=2; PA-3220~=2; PA-5420=1; PA-820!=1
FortiOS: FortiGate 100F=3; FortiGate 600E=1; FortiGate 60E!=1
Cisco IOS XE: Catalyst 9300=3; Catalyst 8300=2; ISR 4331~=1; Catalyst 3850!=1
NetScaler ADC: NetScaler MPX 8900=2; NetScaler VPX=2; NetScaler MPX 11500!=1
""")

CLOUD_REGIONS = parse_table("""
AWS: us-east-1=4; us-east-2=2; us-west-2=3; eu-west-1=2; eu-central-1=1; ap-southeast-2=1
AZURE: eastus=3; eastus2=2; westus2=1; westeurope=2; northeurope=1; uksouth=1
GCP: us-central1=3; us-east1=2; europe-west1=1; europe-west4=1; asia-southeast1=1
OCI: us-ashburn-1=2; us-phoenix-1=1; eu-frankfurt-1=1; uk-london-1=1
""")
CLOUD_MODELS = parse_table("""
AWS: Amazon EC2 m6i.xlarge=3; Amazon EC2 t3.large=3; Amazon EC2 c6i.2xlarge=1;
  Amazon EC2 r6i.large=1
AZURE: Azure Virtual Machine Standard_D4s_v5=3; Azure Virtual Machine Standard_B2ms=2
GCP: Google Compute Engine n2-standard-4=2; Google Compute Engine e2-medium=1
OCI: OCI Compute VM.Standard.E4.Flex=2; OCI Compute VM.Standard3.Flex=1
""")

BUSINESS_UNITS: tuple[str, ...] = ("Finance", "HR", "Engineering", "Sales", "IT Operations")

# Tags in id order, as (name, parent name or ""); a row with a key nests its items under it.
TAGS: tuple[tuple[str, str], ...] = tuple(
    pair
    for parent, children in parse_table(f"""
Environment: Production; Staging; Development
Business Units: {"; ".join(BUSINESS_UNITS)}
Cloud Providers: AWS; Azure; GCP; OCI
Roles: Windows Servers; Linux Servers; Workstations; macOS Devices; Network Devices;
  Domain Controllers; Database; Web Servers; Application Servers
Exposure: PCI; DMZ; Internet Facing; Crown Jewels; EOL OS; Cloud Agent
""").items()
    for pair in ((parent, ""), *((child, parent) for child, _ in children))
)

ASSET_GROUPS: tuple[str, ...] = tuple(
    name
    for name, _ in parse_table("""
groups: DMZ; Data Center East; Data Center West; Corporate Workstations; Cloud - AWS;
  Cloud - Azure; Cloud - GCP; Cloud - OCI; PCI Cardholder Environment; Network Infrastructure;
  Development Lab
""")["groups"]
)
