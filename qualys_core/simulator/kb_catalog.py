"""The curated well-known vulnerabilities of the simulated KnowledgeBase.

CVE ids, CVSS v3.1 base scores and vectors, disclosure dates, vendor advisory ids, affected
versions and CISA KEV membership of the curated vulnerabilities are public facts. The QID
numbers, EPSS figures and prevalences (the share of affected hosts that still carry a flaw) are
synthetic values chosen to look plausible; they are not Qualys data. Metasploit module paths
name modules in rapid7/metasploit-framework.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

__all__ = ["CURATED", "FAMILIES", "METASPLOIT_URL", "VulnSpec", "families"]

FAMILIES = MappingProxyType({"W": "Windows", "L": "Linux", "M": "macOS", "N": "Network"})
METASPLOIT_URL = "https://github.com/rapid7/metasploit-framework/blob/master/modules/"
_RTI = MappingProxyType(
    {
        "Active": "Active_Attacks",
        "DataLoss": "High_Data_Loss",
        "DoS": "Denial_of_Service",
        "Easy": "Easy_Exploit",
        "KEV": "Cisa_Known_Exploited_Vulns",
        "Lateral": "High_Lateral_Movement",
        "Predicted": "Predicted_High_Risk",
        "PrivEsc": "Privilege_Escalation",
        "Public": "Exploit_Public",
        "RCE": "Remote_Code_Execution",
        "Unauth": "Unauthenticated_Exploitation",
        "ZeroDay": "Zero_Day",
    }
)


@dataclass(frozen=True, slots=True)
class VulnSpec:
    """What a KB entry is built from, whether curated here or generated.

    `platforms` are Host.os prefixes and `versions` version prefixes of `software` (empty means
    no narrowing). `prevalence` is the chance an applicable host carries the flaw; None marks
    filler, which hosts draw uniformly. `synthetic` marks made-up CVE ids.
    """

    qid: int
    severity: int
    published: datetime
    title: str
    cves: tuple[str, ...]
    families: tuple[str, ...]
    category: str
    impact: str  # a key of the KB's consequence texts: "rce", "eop", "info", "eol", ...
    diagnosis: str
    cvss: float | None = None
    vector: str | None = None
    epss: float = 0.0
    prevalence: float | None = None
    platforms: tuple[str, ...] = ()
    software: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    threat_intel: tuple[str, ...] = ()
    vendor_refs: tuple[str, ...] = ()
    exploit_module: str = ""
    patchable: bool = True
    vuln_type: str = "Vulnerability"
    synthetic: bool = False


def families(codes: str) -> tuple[str, ...]:
    """Family names from one-letter codes, e.g. "WL" -> ("Windows", "Linux")."""
    return tuple(FAMILIES[code] for code in codes)


def _split(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(sep) if part.strip())


def _c(
    head: tuple[int, int, str, float, str, float, float],
    title: str,
    cves: tuple[str, ...],
    where: tuple[str, str, str, str, str],
    threat_intel: str,
    refs: tuple[str, str, str],
    diagnosis: str,
    *,
    patchable: bool = True,
) -> VulnSpec:
    """A curated vuln from compact parts.

    head: (qid, severity, published YYYY-MM-DD, CVSS base or 0, vector or "", EPSS, prevalence);
    where: (family codes, category, platforms "|"-separated, products "|"-separated, versions);
    threat_intel: space-separated short names (see `_RTI`); refs: (vendor refs, impact,
    Metasploit module path or "").
    """
    qid, severity, published, cvss, vector, epss, prevalence = head
    family_codes, category, platforms, software, versions = where
    vendor_refs, impact, module = refs
    return VulnSpec(
        qid=qid,
        severity=severity,
        published=datetime.fromisoformat(published).replace(tzinfo=UTC),
        cvss=cvss or None,
        vector=f"CVSS:3.1/{vector}" if vector else None,
        epss=epss,
        prevalence=prevalence,
        title=title,
        cves=cves,
        families=families(family_codes),
        category=category,
        platforms=_split(platforms, "|"),
        software=_split(software, "|"),
        versions=_split(versions),
        threat_intel=tuple(_RTI.get(name, name) for name in threat_intel.split()),
        vendor_refs=_split(vendor_refs),
        impact=impact,
        exploit_module=module,
        diagnosis=diagnosis,
        patchable=patchable,
    )


_NET = "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
_OLD_SERVERS = "Windows Server 2008|Windows Server 2012|Windows Server 2016"
_EXCHANGE = "Microsoft Exchange Server 2019|Microsoft Exchange Server 2016"
_MSF_CONFLUENCE = "exploits/multi/http/atlassian_confluence_namespace_ognl_injection.rb"
_HTTP2 = "nginx|Apache HTTP Server|Apache Tomcat|Microsoft IIS"
_NET_SCOPE = "AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
_LOCAL = "AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"

CURATED: tuple[VulnSpec, ...] = (
    _c(
        (91345, 5, "2017-03-14", 8.1, "AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 0.944, 0.2),
        "Microsoft SMB Server Remote Code Execution Vulnerabilities (EternalBlue) (MS17-010)",
        ("CVE-2017-0143", "CVE-2017-0144", "CVE-2017-0145", "CVE-2017-0146", "CVE-2017-0148"),
        ("W", "Windows", "Windows Server 2008|Windows Server 2012|Windows 7", "", ""),
        "Wormable Ransomware Malware Active Public Lateral Unauth RCE KEV",
        ("MS17-010", "rce", "exploits/windows/smb/ms17_010_eternalblue.rb"),
        "SMBv1 mishandles crafted requests; WannaCry and NotPetya spread through this flaw.",
    ),
    _c(
        (91534, 5, "2019-05-14", 9.8, _NET, 0.944, 0.15),
        "Microsoft Windows Remote Desktop Services Remote Code Execution Vulnerability (BlueKeep)",
        ("CVE-2019-0708",),
        ("W", "Windows", "Windows Server 2008|Windows 7", "", ""),
        "Wormable Active Public Predicted Unauth RCE KEV",
        ("CVE-2019-0708", "rce", "exploits/windows/rdp/cve_2019_0708_bluekeep_rce.rb"),
        "Remote Desktop Services accepts crafted pre-authentication RDP requests.",
    ),
    _c(
        (91680, 5, "2020-08-11", 10.0, _NET_SCOPE, 0.944, 0.25),
        "Microsoft Netlogon Elevation of Privilege Vulnerability (Zerologon)",
        ("CVE-2020-1472",),
        ("W", "Windows", _OLD_SERVERS, "Active Directory Domain Services", ""),
        "Active Public Ransomware PrivEsc Lateral Easy Unauth KEV",
        ("CVE-2020-1472", "eop", "auxiliary/admin/dcerpc/cve_2020_1472_zerologon.rb"),
        "A flaw in the Netlogon cryptography lets an attacker impersonate a domain controller.",
    ),
    _c(
        (91785, 5, "2021-07-01", 8.8, "AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 0.943, 0.06),
        "Microsoft Windows Print Spooler Remote Code Execution Vulnerability (PrintNightmare)",
        ("CVE-2021-34527", "CVE-2021-1675"),
        ("W", "Windows", f"{_OLD_SERVERS}|Windows 10", "", ""),
        "Active Public Ransomware PrivEsc Lateral RCE KEV",
        ("CVE-2021-34527", "rce", "exploits/windows/dcerpc/cve_2021_1675_printnightmare.rb"),
        "The Print Spooler service performs privileged file operations for remote callers.",
    ),
    _c(
        (91909, 4, "2022-05-30", 7.8, "AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 0.943, 0.05),
        "Microsoft Windows Support Diagnostic Tool (MSDT) Remote Code Execution (Follina)",
        ("CVE-2022-30190",),
        ("W", "Windows", "Windows Server 2012|Windows Server 2016|Windows 10|Windows 7", "", ""),
        "ZeroDay Active Public Malware RCE KEV",
        ("CVE-2022-30190", "rce", ""),
        "MSDT runs code supplied through the ms-msdt URL protocol from a crafted document.",
    ),
    _c(
        (92158, 5, "2024-08-13", 9.8, _NET, 0.071, 0.05),
        "Microsoft Windows TCP/IP Remote Code Execution Vulnerability (CVE-2024-38063)",
        ("CVE-2024-38063",),
        ("W", "Windows", "", "", ""),
        "Public Predicted Unauth RCE",
        ("CVE-2024-38063", "rce", ""),
        "An integer underflow in IPv6 packet handling can be reached with crafted IPv6 packets.",
    ),
    _c(
        (50107, 5, "2021-03-02", 9.8, _NET, 0.975, 0.6),
        "Microsoft Exchange Server Multiple Remote Code Execution Vulnerabilities (ProxyLogon)",
        ("CVE-2021-26855", "CVE-2021-26857", "CVE-2021-26858", "CVE-2021-27065"),
        ("W", "Mail services", "", _EXCHANGE, "CU8 CU19"),
        "ZeroDay Active Public Ransomware Malware DataLoss Unauth RCE KEV",
        ("KB5000871", "rce", "exploits/windows/http/exchange_proxylogon_rce.rb"),
        "A server-side request forgery in Exchange lets an attacker authenticate as the server.",
    ),
    _c(
        (110432, 5, "2023-03-14", 9.8, _NET, 0.93, 0.12),
        "Microsoft Outlook Elevation of Privilege Vulnerability (CVE-2023-23397)",
        ("CVE-2023-23397",),
        ("WM", "Office Application", "", "Microsoft Office", "2016 2019"),
        "ZeroDay Active Public PrivEsc Easy KEV",
        ("CVE-2023-23397", "eop", ""),
        "A crafted calendar reminder makes Outlook leak the user's Net-NTLMv2 hash.",
    ),
    _c(
        (110498, 5, "2025-07-20", 9.8, _NET, 0.92, 0.45),
        "Microsoft SharePoint Server Remote Code Execution Vulnerability (ToolShell)",
        ("CVE-2025-53770",),
        ("W", "Office Application", "", "Microsoft SharePoint Server", ""),
        "ZeroDay Active Public Ransomware Unauth RCE KEV",
        ("CVE-2025-53770", "rce", ""),
        "On-premises SharePoint deserializes untrusted data sent by unauthenticated callers.",
    ),
    _c(
        (379210, 4, "2023-08-23", 7.8, "AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 0.93, 0.8),
        "RARLAB WinRAR Code Execution Vulnerability (CVE-2023-38831)",
        ("CVE-2023-38831",),
        ("W", "Local", "", "WinRAR", "6.22"),
        "ZeroDay Active Public Malware RCE KEV",
        ("", "rce", ""),
        "WinRAR before 6.23 opens a file other than the one the user selects in a crafted ZIP.",
    ),
    _c(
        (730297, 5, "2021-12-10", 10.0, _NET_SCOPE, 0.944, 0.85),
        "Apache Log4j Remote Code Execution (RCE) Vulnerability (Log4Shell)",
        ("CVE-2021-44228",),
        ("WL", "Local", "", "Apache Log4j", "2.14"),
        "ZeroDay Active Public Easy Ransomware Malware Lateral Unauth RCE KEV",
        ("", "rce", "exploits/multi/http/log4shell_header_injection.rb"),
        "Log4j 2.0-beta9 to 2.14.1 resolves JNDI lookups found in logged messages.",
    ),
    _c(
        (730302, 5, "2021-12-14", 9.0, "AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H", 0.943, 0.85),
        "Apache Log4j Remote Code Execution Vulnerability (CVE-2021-45046)",
        ("CVE-2021-45046",),
        ("WL", "Local", "", "Apache Log4j", "2.14"),
        "Active Public Unauth RCE KEV",
        ("", "rce", ""),
        "The fix in Log4j 2.15.0 was incomplete for non-default Thread Context patterns.",
    ),
    _c(
        (730805, 5, "2023-06-02", 9.8, _NET, 0.943, 0.7),
        "Progress MOVEit Transfer SQL Injection Vulnerability (CVE-2023-34362)",
        ("CVE-2023-34362",),
        ("W", "Web Application", "", "MOVEit Transfer", "2022."),
        "ZeroDay Active Public Ransomware Malware DataLoss Unauth RCE KEV",
        ("", "sqli", "exploits/windows/http/moveit_cve_2023_34362.rb"),
        "SQL injection in the MOVEit web application; the Cl0p gang exploited it for data theft.",
    ),
    _c(
        (731040, 5, "2024-02-21", 10.0, _NET_SCOPE, 0.945, 0.8),
        "ConnectWise ScreenConnect Authentication Bypass Vulnerability (CVE-2024-1709)",
        ("CVE-2024-1709", "CVE-2024-1708"),
        ("W", "Web Application", "", "ConnectWise ScreenConnect", "23."),
        "Active Public Easy Ransomware Unauth RCE KEV",
        ("", "bypass", "exploits/multi/http/connectwise_screenconnect_rce_cve_2024_1709.rb"),
        "ScreenConnect 23.9.7 and earlier let anyone re-run the setup wizard and create an admin.",
    ),
    _c(
        (730514, 5, "2022-06-03", 9.8, _NET, 0.944, 0.8),
        "Atlassian Confluence Server OGNL Injection Remote Code Execution (CVE-2022-26134)",
        ("CVE-2022-26134",),
        ("WL", "Web Application", "", "Confluence Server", "7.13.6"),
        "ZeroDay Active Public Easy Ransomware Malware Unauth RCE KEV",
        ("CONFSERVER-79016", "rce", _MSF_CONFLUENCE),
        "Confluence evaluates OGNL expressions taken from the request URI.",
    ),
    _c(
        (730895, 5, "2023-10-04", 9.8, _NET, 0.94, 0.8),
        "Atlassian Confluence Data Center and Server Broken Access Control (CVE-2023-22515)",
        ("CVE-2023-22515",),
        ("WL", "Web Application", "", "Confluence Server", "8.3 8.4"),
        "ZeroDay Active Public PrivEsc Unauth KEV",
        ("", "bypass", ""),
        "Confluence 8.0.0 to 8.5.1 let an unauthenticated caller create administrator accounts.",
    ),
    _c(
        (731120, 5, "2024-01-24", 9.8, _NET, 0.944, 0.7),
        "Jenkins Arbitrary File Read Vulnerability Through the CLI (CVE-2024-23897)",
        ("CVE-2024-23897",),
        ("WL", "Web Application", "", "Jenkins", "2.426.2"),
        "Active Public Ransomware DataLoss Unauth KEV",
        ("", "info", ""),
        "The Jenkins CLI parser expands '@file' arguments, disclosing files on the controller.",
    ),
    _c(
        (381145, 5, "2024-09-07", 9.8, _NET, 0.9, 0.6),
        "Veeam Backup & Replication Deserialization Remote Code Execution (CVE-2024-40711)",
        ("CVE-2024-40711",),
        ("W", "Local", "", "Veeam Backup & Replication", "12.1"),
        "Active Public Ransomware Unauth RCE KEV",
        ("", "rce", ""),
        "Veeam Backup & Replication 12.1.2.172 and earlier deserialize untrusted data.",
    ),
    _c(
        (38911, 5, "2023-10-27", 9.8, _NET, 0.944, 0.75),
        "Apache ActiveMQ OpenWire Protocol Remote Code Execution Vulnerability (CVE-2023-46604)",
        ("CVE-2023-46604",),
        ("WL", "General remote services", "", "Apache ActiveMQ", "5.15 5.18.2"),
        "Active Public Ransomware Malware Unauth RCE KEV",
        ("", "rce", "exploits/multi/misc/apache_activemq_rce_cve_2023_46604.rb"),
        "The OpenWire unmarshaller instantiates arbitrary classes named by a remote client.",
    ),
    _c(
        (38920, 4, "2024-07-01", 8.1, "AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 0.42, 0.3),
        "OpenSSH Signal Handler Race Condition Remote Code Execution (regreSSHion)",
        ("CVE-2024-6387",),
        ("L", "General remote services", "", "OpenSSH", "8.9 9.6"),
        "Public Predicted Unauth RCE",
        ("USN-6859-1", "rce", ""),
        "sshd 8.5p1 to 9.7p1 calls async-signal-unsafe code from its SIGALRM handler.",
    ),
    _c(
        (42430, 4, "2014-04-07", 7.5, "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 0.945, 0.7),
        "OpenSSL TLS Heartbeat Extension Memory Disclosure Vulnerability (Heartbleed)",
        ("CVE-2014-0160",),
        ("WLN", "General remote services", "", "OpenSSL", "1.0.1"),
        "Active Public Easy DataLoss Unauth KEV",
        ("USN-2165-1 RHSA-2014:0376", "info", "auxiliary/scanner/ssl/openssl_heartbleed.rb"),
        "OpenSSL 1.0.1 to 1.0.1f returns up to 64 KB of process memory per heartbeat request.",
    ),
    _c(
        (87490, 5, "2021-10-05", 9.8, _NET, 0.944, 0.8),
        "Apache HTTP Server 2.4.49 Path Traversal and Remote Code Execution (CVE-2021-41773)",
        ("CVE-2021-41773", "CVE-2021-42013"),
        ("WL", "Web server", "", "Apache HTTP Server", "2.4.49"),
        "Active Public Easy Malware Unauth RCE KEV",
        ("", "rce", "exploits/multi/http/apache_normalize_path_rce.rb"),
        "Path normalisation in httpd 2.4.49 lets crafted URLs escape the document root.",
    ),
    _c(
        (87510, 4, "2023-10-10", 7.5, "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 0.94, 0.2),
        "HTTP/2 Protocol Rapid Reset Denial of Service Vulnerability (CVE-2023-44487)",
        ("CVE-2023-44487",),
        ("WL", "Web server", "", _HTTP2, "1.18 1.22 1.24 2.4.49 2.4.57 8.5 9.0.80 10.0"),
        "Active Public DoS Unauth KEV",
        ("", "dos", ""),
        "HTTP/2 servers do unbounded work for streams that the client opens and resets at once.",
    ),
    _c(
        (730940, 5, "2024-06-09", 9.8, _NET, 0.944, 0.35),
        "PHP-CGI Argument Injection Remote Code Execution Vulnerability (CVE-2024-4577)",
        ("CVE-2024-4577",),
        ("W", "CGI", "", "PHP", "7.4 8.1.28 8.2.19"),
        "Active Public Easy Ransomware Unauth RCE KEV",
        ("", "rce", "exploits/windows/http/php_cgi_arg_injection_rce_cve_2024_4577.rb"),
        "On Windows, 'best fit' code-page mapping turns a soft hyphen into a php-cgi option.",
    ),
    _c(
        (376437, 4, "2022-03-07", 7.8, _LOCAL, 0.3, 0.12),
        "Linux Kernel Local Privilege Escalation Vulnerability (Dirty Pipe)",
        ("CVE-2022-0847",),
        ("L", "Local", "", "Linux Kernel", "5.15"),
        "Active Public Easy PrivEsc KEV",
        ("", "eop", "exploits/linux/local/cve_2022_0847_dirtypipe.rb"),
        "Uninitialised pipe buffer flags let a local user overwrite data in read-only files.",
    ),
    _c(
        (376336, 4, "2022-01-25", 7.8, _LOCAL, 0.85, 0.1),
        "Polkit pkexec Local Privilege Escalation Vulnerability (PwnKit)",
        ("CVE-2021-4034",),
        ("L", "Local", "", "polkit", ""),
        "Active Public Easy PrivEsc KEV",
        ("", "eop", "exploits/linux/local/cve_2021_4034_pwnkit_lpe_pkexec.rb"),
        "pkexec mishandles an empty argument vector and reads environment variables as argv.",
    ),
    _c(
        (376880, 5, "2024-03-29", 10.0, _NET_SCOPE, 0.3, 0.9),
        "XZ Utils Embedded Malicious Code Backdoor Vulnerability (CVE-2024-3094)",
        ("CVE-2024-3094",),
        ("L", "Local", "", "xz-utils", "5.6.0 5.6.1"),
        "Malware Public Unauth RCE",
        ("", "backdoor", ""),
        "The liblzma release tarballs of xz 5.6.0 and 5.6.1 carry a backdoor that hooks sshd.",
    ),
    _c(
        (374980, 4, "2021-01-26", 7.8, _LOCAL, 0.9, 0.4),
        "Sudo Heap-Based Buffer Overflow Vulnerability (Baron Samedit)",
        ("CVE-2021-3156",),
        ("L", "Local", "", "sudo", "1.8"),
        "Active Public Easy PrivEsc KEV",
        ("", "eop", "exploits/linux/local/sudo_baron_samedit.rb"),
        "sudoedit -s with a trailing backslash overflows a heap buffer in sudo 1.8.2 to 1.9.5p1.",
    ),
    _c(
        (377140, 4, "2023-10-11", 9.8, _NET, 0.25, 0.4),
        "curl SOCKS5 Heap Buffer Overflow Vulnerability (CVE-2023-38545)",
        ("CVE-2023-38545",),
        ("WLM", "Local", "", "curl", "7.81"),
        "Public RCE",
        ("", "rce", ""),
        "A slow SOCKS5 handshake makes curl copy an over-long host name into a heap buffer.",
    ),
    _c(
        (731140, 5, "2024-04-12", 10.0, _NET_SCOPE, 0.943, 0.35),
        "Palo Alto Networks PAN-OS GlobalProtect Command Injection Vulnerability (CVE-2024-3400)",
        ("CVE-2024-3400",),
        ("N", "Firewall", "PAN-OS 10.2.9|PAN-OS 11.1.2", "", ""),
        "ZeroDay Active Public Easy Lateral Unauth RCE KEV",
        ("CVE-2024-3400", "rce", "exploits/linux/http/panos_telemetry_cmd_exec.rb"),
        "GlobalProtect writes a file named by the session cookie, which leads to root commands.",
    ),
    _c(
        (43910, 5, "2024-02-08", 9.8, _NET, 0.92, 0.45),
        "Fortinet FortiOS SSL VPN Out-of-Bounds Write Vulnerability (FG-IR-24-015)",
        ("CVE-2024-21762",),
        ("N", "Firewall", "FortiOS 7.0.6|FortiOS 7.2.6|FortiOS 7.4.2", "", ""),
        "Active Public Unauth RCE KEV",
        ("FG-IR-24-015", "rce", ""),
        "The sslvpnd daemon writes out of bounds while parsing crafted HTTP requests.",
    ),
    _c(
        (43880, 5, "2022-10-10", 9.8, _NET, 0.944, 0.3),
        "Fortinet FortiOS Administrative Interface Authentication Bypass (FG-IR-22-377)",
        ("CVE-2022-40684",),
        ("N", "Firewall", "FortiOS 7.0.6", "", ""),
        "Active Public Easy PrivEsc Unauth KEV",
        ("FG-IR-22-377", "bypass", ""),
        "Crafted HTTP headers let an unauthenticated caller act on the administrative interface.",
    ),
    _c(
        (316412, 5, "2023-10-16", 10.0, _NET_SCOPE, 0.94, 0.3),
        "Cisco IOS XE Software Web UI Privilege Escalation (cisco-sa-iosxe-webui-privesc-j22SaA4z)",
        ("CVE-2023-20198", "CVE-2023-20273"),
        ("N", "Cisco", "Cisco IOS XE 17.6.5|Cisco IOS XE 17.9.3|Cisco IOS XE 16.12", "", ""),
        "ZeroDay Active Public Malware PrivEsc Unauth KEV",
        ("cisco-sa-iosxe-webui-privesc-j22SaA4z", "eop", "exploits/linux/misc/cisco_ios_xe_rce.rb"),
        "The web UI lets a remote user create a privilege-15 account, then implant code.",
    ),
    _c(
        (380122, 5, "2023-10-10", 9.4, "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:L", 0.943, 0.5),
        "Citrix NetScaler ADC and Gateway Information Disclosure (Citrix Bleed) (CTX579459)",
        ("CVE-2023-4966",),
        ("N", "Web server", "NetScaler ADC 13.0-91.12|NetScaler ADC 13.1-49.13", "", ""),
        "Active Public Easy Ransomware DataLoss Unauth KEV",
        ("CTX579459", "info", ""),
        "A buffer over-read in the Gateway returns memory holding valid session tokens.",
    ),
    _c(
        (380110, 5, "2023-07-18", 9.8, _NET, 0.944, 0.4),
        "Citrix NetScaler ADC and Gateway Unauthenticated Remote Code Execution (CTX561482)",
        ("CVE-2023-3519",),
        ("N", "Web server", "NetScaler ADC 13.0-91.12", "", ""),
        "ZeroDay Active Public Malware Unauth RCE KEV",
        ("CTX561482", "rce", ""),
        "A stack overflow in the Gateway lets an unauthenticated attacker run code.",
    ),
    _c(
        (38906, 3, "2020-03-31", 0, "", 0.0, 0.12),
        "SSL/TLS Server Supports Deprecated Protocol Versions TLSv1.0 and TLSv1.1",
        (),
        ("WLN", "General remote services", "", "", ""),
        "",
        ("", "policy", ""),
        "The service still negotiates TLSv1.0 or TLSv1.1, which RFC 8996 deprecates.",
        patchable=False,
    ),
)
