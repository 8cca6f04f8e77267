"""The synthetic tenant: determinism, identity, lookups, KB facts and realistic detections."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from ipaddress import IPv6Address, ip_address, ip_network

import pytest

from qualys_core.simulator.detections import host_detections
from qualys_core.simulator.kb import platform_matches, qds_severity
from qualys_core.simulator.kb_catalog import CURATED
from qualys_core.simulator.tenant import Tenant, generate_tenant
from qualys_core.simulator.tenant_catalog import PRODUCTS

NOW = datetime(2026, 11, 25, tzinfo=UTC)
REQUIRED_CVES = (
    "CVE-2024-3400", "CVE-2021-44228", "CVE-2021-45046", "CVE-2023-4966", "CVE-2023-34362",
    "CVE-2024-21762", "CVE-2017-0144", "CVE-2019-0708", "CVE-2020-1472", "CVE-2021-34527",
    "CVE-2021-26855", "CVE-2023-23397", "CVE-2024-6387", "CVE-2014-0160", "CVE-2022-0847",
    "CVE-2021-4034", "CVE-2024-3094", "CVE-2023-20198", "CVE-2023-46604", "CVE-2024-1709",
    "CVE-2022-26134", "CVE-2023-22515", "CVE-2024-4577", "CVE-2023-44487", "CVE-2022-30190",
    "CVE-2024-38063",
)  # fmt: skip
# Curated CVEs that CISA's Known Exploited Vulnerabilities catalogue lists.
NOT_IN_KEV = {"CVE-2024-3094", "CVE-2024-38063", "CVE-2024-6387", "CVE-2023-38545"}

DIGEST_SCRIPT = """
import hashlib
from datetime import UTC, datetime
from qualys_core.simulator.tenant import generate_tenant
tenant = generate_tenant(seed=11, assets=150, now=datetime(2026, 11, 25, tzinfo=UTC))
text = repr(tenant.hosts) + repr([tenant.detections(h) for h in tenant.hosts[::10]])
text += repr([(v.qid, v.title, v.cves, v.qds) for v in tenant.kb])
print(hashlib.sha256(text.encode()).hexdigest())
"""


@pytest.fixture(scope="module")
def tenant() -> Tenant:
    return generate_tenant(assets=2000, now=NOW)


@pytest.fixture(scope="module")
def detections(tenant):
    return {host.host_id: dets for host, dets in tenant.iter_detections()}


def cvss31(vector: str) -> float:
    """The CVSS v3.1 base score of a vector (FIRST specification, section 7)."""
    m = dict(part.split(":") for part in vector.split("/")[1:])
    changed = m["S"] == "C"
    cia = {"H": 0.56, "L": 0.22, "N": 0.0}
    pr = {"N": 0.85, "L": 0.68 if changed else 0.62, "H": 0.5 if changed else 0.27}[m["PR"]]
    iss = 1 - (1 - cia[m["C"]]) * (1 - cia[m["I"]]) * (1 - cia[m["A"]])
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if changed else 6.42 * iss
    exploitability = 8.22 * {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}[m["AV"]]
    exploitability *= {"L": 0.77, "H": 0.44}[m["AC"]] * pr * {"N": 0.85, "R": 0.62}[m["UI"]]
    if impact <= 0:
        return 0.0
    total = min((impact + exploitability) * (1.08 if changed else 1), 10)
    scaled = round(total * 100000)
    return scaled / 100000 if scaled % 10000 == 0 else (math.floor(scaled / 10000) + 1) / 10


# --- determinism -------------------------------------------------------------------------


def test_same_arguments_give_the_same_tenant_and_detections():
    first = generate_tenant(seed=3, assets=300, now=NOW)
    second = generate_tenant(seed=3, assets=300, now=NOW)

    assert first.hosts == second.hosts
    assert [(v.qid, v.title, v.published) for v in first.kb] == [
        (v.qid, v.title, v.published) for v in second.kb
    ]
    for host in first.hosts[::25]:
        assert first.detections(host) == second.detections(host)


def test_a_different_seed_gives_a_different_tenant():
    first = generate_tenant(seed=3, assets=300, now=NOW)
    other = generate_tenant(seed=4, assets=300, now=NOW)

    assert [h.ip for h in first.hosts] != [h.ip for h in other.hosts]
    assert [h.os for h in first.hosts] != [h.os for h in other.hosts]
    assert first.detections(first.hosts[0]) != other.detections(other.hosts[0])


def test_detections_do_not_depend_on_call_order(tenant):
    a, b = tenant.hosts[5], tenant.hosts[6]
    forward = (tenant.detections(a), tenant.detections(b))
    backward_b = tenant.detections(b)

    assert (tenant.detections(a), backward_b) == forward


def test_output_is_the_same_whatever_the_hash_seed():
    digests = set()
    for hash_seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", DIGEST_SCRIPT], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        digests.add(done.stdout.strip())

    assert len(digests) == 1


def test_plugin_random_streams_are_fixed_per_namespace(tenant):
    assert tenant.rng("pcas", 1).random() == tenant.rng("pcas", 1).random()
    assert tenant.rng("pcas", 1).random() != tenant.rng("pcas", 2).random()
    assert tenant.rng("sdr").random() != tenant.rng("pcas").random()
    assert tenant.days_ago(2) == NOW - timedelta(days=2)


# --- identity, lookups, paging ---------------------------------------------------------------


def test_ids_addresses_and_names_are_unique(tenant):
    hosts = tenant.hosts
    for field in ("host_id", "asset_id", "ip", "name", "dns", "netbios"):
        values = [getattr(host, field) for host in hosts]
        assert len(set(values)) == len(values), field
    ipv6 = [host.ipv6 for host in hosts if host.ipv6]
    assert len(set(ipv6)) == len(ipv6) > 0
    assert [h.host_id for h in hosts] == sorted(h.host_id for h in hosts)
    assert hosts[0].host_id == 1001
    assert max(h.host_id for h in hosts) < min(h.asset_id for h in hosts)
    assert all(len(h.netbios) <= 15 and h.netbios == h.netbios.upper() for h in hosts)


def test_addresses_domains_and_clouds_are_well_formed(tenant):
    private = [ip_network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
    documentation = [ip_network(b) for b in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
    for host in tenant.hosts:
        address = ip_address(host.ip)
        assert any(address in block for block in private + documentation), host.ip
        if any(address in block for block in documentation):
            assert host.internet_facing
        if host.ipv6:
            assert ip_address(host.ipv6) in ip_network("2001:db8::/32")
        assert host.dns.startswith(f"{host.name}.")
        assert host.dns.endswith((".example.com", ".example.net", ".example.org"))
        if host.cloud and host.cloud.provider == "AWS":
            assert host.cloud.instance_id.startswith("i-0")
            assert len(host.cloud.instance_id) == 19
            assert host.cloud.account_id.isdigit()
            assert len(host.cloud.account_id) == 12


def test_some_internet_facing_hosts_use_documentation_addresses(tenant):
    public = [h for h in tenant.hosts if h.ip.startswith(("198.51.100.", "203.0.113.", "192.0.2."))]

    assert public
    assert all(h.internet_facing for h in public)


def test_lookups_find_each_host_by_every_key(tenant):
    host = next(h for h in tenant.hosts if h.ipv6)

    assert tenant.host_by_id(host.host_id) is host
    assert tenant.host_by_asset_id(host.asset_id) is host
    assert tenant.host_by_ip(host.ip) is host
    assert tenant.host_by_ip(host.ipv6.upper()) is host
    assert tenant.host_by_ip(IPv6Address(host.ipv6).exploded) is host
    assert tenant.host_by_name(host.name.upper()) is host
    assert tenant.host_by_name(host.dns.upper() + ".") is host
    assert tenant.host_by_name(f"{host.name}.elsewhere.example.com") is None
    assert tenant.host_by_id(host.host_id + 10**7) is None
    assert tenant.host_by_asset_id(host.host_id) is None
    assert tenant.host_by_ip("10.255.255.255") is None
    assert tenant.host_by_ip("not-an-ip") is None
    assert tenant.host_by_name("no-such-host") is None


def test_hosts_from_pages_by_host_id(tenant):
    ids = [h.host_id for h in tenant.hosts]
    gap = next(i for i in range(ids[0], ids[-1]) if i not in set(ids))

    assert [h.host_id for h in tenant.hosts_from(0)] == ids
    assert [h.host_id for h in tenant.hosts_from(ids[100])] == ids[100:]
    assert next(tenant.hosts_from(gap)).host_id == min(i for i in ids if i > gap)
    assert list(tenant.hosts_from(ids[-1] + 1)) == []


def test_tags_by_id_and_name(tenant):
    aws = tenant.tag_named("aws")

    assert aws is not None
    assert aws.name == "AWS"
    assert tenant.tag(aws.id) == aws
    assert tenant.tag(aws.parent_id).name == "Cloud Providers"
    assert tenant.tag_named("No Such Tag") is None
    with pytest.raises(KeyError):
        tenant.tag(1)
    assert 20 <= len(tenant.tags) <= 35
    assert 8 <= len(tenant.asset_groups) <= 12


def test_an_empty_tenant_is_valid():
    empty = generate_tenant(assets=0, now=NOW)

    assert empty.hosts == ()
    assert empty.asset_count == 0
    assert list(empty.iter_detections()) == []
    assert list(empty.hosts_from(0)) == []
    assert empty.host_by_id(1001) is None
    assert empty.host_by_name("web-prd-0001") is None
    assert empty.tags
    assert len(empty.kb) > 4000


def test_now_defaults_to_today_at_midnight_utc_and_naive_means_utc():
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)

    assert generate_tenant(assets=0).now in (today, today + timedelta(days=1))
    assert generate_tenant(assets=0, now=datetime(2026, 1, 2, 3)).now == datetime(
        2026, 1, 2, 3, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="assets"):
        generate_tenant(assets=-1)


# --- hosts are realistic and self-consistent ------------------------------------------------


def test_os_family_and_cloud_shares_are_realistic(tenant):
    families = Counter(h.os_family for h in tenant.hosts)
    share = {family: count / len(tenant.hosts) for family, count in families.items()}
    cloud = sum(h.cloud is not None for h in tenant.hosts) / len(tenant.hosts)

    assert 0.49 <= share["Windows"] <= 0.61
    assert 0.25 <= share["Linux"] <= 0.35
    assert 0.03 <= share["macOS"] <= 0.08
    assert 0.07 <= share["Network"] <= 0.13
    assert 0.28 <= cloud <= 0.42
    assert {h.cloud.provider for h in tenant.hosts if h.cloud} == {"AWS", "AZURE", "GCP", "OCI"}
    assert {"Windows Server 2012 R2 Standard 6.3.9600", "CentOS Linux 7.9.2009"} <= {
        h.os for h in tenant.hosts if h.os_lifecycle == "EOL"
    }


def test_tags_agree_with_host_attributes(tenant):
    names = {tag.id: tag.name for tag in tenant.tags}
    for host in tenant.hosts:
        tags = {names[tag] for tag in host.tags}
        provider_tag = {"AWS": "AWS", "AZURE": "Azure", "GCP": "GCP", "OCI": "OCI"}
        assert (host.cloud is not None) == bool(tags & set(provider_tag.values()))
        if host.cloud:
            assert provider_tag[host.cloud.provider] in tags
        assert ("Internet Facing" in tags) == host.internet_facing
        assert ("EOL OS" in tags) == (host.os_lifecycle == "EOL")
        assert ("Cloud Agent" in tags) == host.agent == (host.tracking_method == "AGENT")
        assert host.environment in tags
        assert host.business_unit in tags
        assert 1 <= host.criticality <= 5
        assert host.first_found <= host.last_scanned <= host.last_modified <= NOW
        if host.os.startswith("Amazon Linux"):
            assert host.cloud is not None
            assert host.cloud.provider == "AWS"


def test_software_fits_the_os(tenant):
    catalogue = tenant.software
    assert [item.id for item in catalogue] == list(range(1, len(catalogue) + 1))
    assert 100 <= len(catalogue) <= 200
    families = {p.product: p.families for p in PRODUCTS}
    for host in tenant.hosts:
        products = [item.product for item in tenant.software_of(host)]
        assert all(host.os_family in families[product] for product in products), host.name
        assert len(set(products)) == len(products)
        if host.os_family != "Network":
            assert 5 <= len(products) <= 25, host.name
    log4j = {item.full_name for item in catalogue if item.product == "Apache Log4j"}
    assert "Apache Log4j 2.14.1" in log4j


# --- KnowledgeBase -----------------------------------------------------------------------


def test_the_kb_has_every_required_cve_with_public_facts(tenant):
    kb = tenant.kb
    for cve in REQUIRED_CVES:
        found = kb.by_cve(cve.lower())
        assert found, cve
        vuln = found[0]
        assert cve in vuln.cves
        assert vuln.cvss_base is not None
        assert ("Cisa_Known_Exploited_Vulns" in vuln.threat_intel) == (cve not in NOT_IN_KEV)
    assert kb.by_cve("CVE-1999-0001") == []


def test_curated_vulns_are_specific_where_it_matters(tenant):
    kb = tenant.kb
    (panos,) = kb.by_cve("CVE-2024-3400")
    (log4shell,) = kb.by_cve("CVE-2021-44228")
    (eternal_blue,) = kb.by_cve("CVE-2017-0144")
    (moveit,) = kb.by_cve("CVE-2023-34362")
    (tcpip,) = kb.by_cve("CVE-2024-38063")

    assert panos.os_families == ("Network",)
    assert all(p.startswith("PAN-OS") for p in panos.platforms)
    assert panos.cvss_base == 10.0
    assert panos.qds >= 90
    assert qds_severity(panos.qds) == "CRITICAL"
    assert log4shell.software == ("Apache Log4j",)
    assert log4shell.severity == 5
    assert eternal_blue.vendor_refs == ("MS17-010",)
    assert {"Wormable", "Ransomware"} <= set(eternal_blue.threat_intel)
    assert "Ransomware" in moveit.threat_intel
    assert "Active_Attacks" not in tcpip.threat_intel
    assert eternal_blue.exploits
    assert eternal_blue.exploits[0].source == "Metasploit"


def test_curated_cvss_scores_match_their_vectors():
    for spec in CURATED:
        if spec.vector:
            assert cvss31(spec.vector) == spec.cvss, (spec.qid, spec.vector)


def test_kb_is_ordered_ranged_and_dated(tenant):
    kb = tenant.kb
    qids = [vuln.qid for vuln in kb]
    week = [v for v in kb if NOW - timedelta(days=7) <= v.published < NOW]

    assert qids == sorted(qids)
    assert len(set(qids)) == len(qids) >= 4000
    assert [v.qid for v in kb.range(91000, 92000)] == [q for q in qids if 91000 <= q <= 92000]
    assert list(kb.range(None, None)) == list(kb)
    assert kb.get(38906) is not None
    assert kb.get(1) is None
    assert all(v.published < NOW and v.published <= v.last_modified <= NOW for v in kb)
    assert any("Google Chrome" in v.title for v in week)
    assert any("Active_Attacks" in v.threat_intel for v in week)
    assert min(v.published for v in kb if v.qid not in {s.qid for s in CURATED}) > NOW - timedelta(
        days=6 * 366
    )


def test_kb_severity_mix_and_qds_are_consistent(tenant):
    kb = list(tenant.kb)
    severity = Counter(v.severity for v in kb)
    types = Counter(v.vuln_type for v in kb)
    mean_qds = {s: sum(v.qds for v in kb if v.severity == s) / severity[s] for s in severity}

    assert severity[3] > severity[4] > severity[5]
    assert severity[2] > severity[5]
    assert types["Potential Vulnerability"] > 100
    assert types["Information Gathered"] > 20
    assert all(1 <= v.qds <= 100 for v in kb)
    assert mean_qds[1] < mean_qds[2] < mean_qds[3] < mean_qds[4] < mean_qds[5]
    kev = [v for v in kb if "Cisa_Known_Exploited_Vulns" in v.threat_intel and v.severity == 5]
    assert min(v.qds for v in kev) >= 70


def test_applicable_narrows_by_family_products_and_platform(tenant):
    kb = tenant.kb
    pan = kb.applicable("Network", frozenset(), os_name="PAN-OS 11.1.2")
    cisco = kb.applicable("Network", frozenset(), os_name="Cisco IOS XE 17.12.4")
    linux = kb.applicable("Linux", frozenset({"Apache Log4j"}))

    assert 731140 in {v.qid for v in pan}
    assert 731140 not in {v.qid for v in cisco}
    assert 730297 in {v.qid for v in linux}
    assert all("Linux" in v.os_families for v in linux)
    assert kb.applicable("Linux", frozenset({"Apache Log4j"})) is linux
    assert platform_matches("PAN-OS 10.2.9", ("PAN-OS 10.2",))
    assert not platform_matches("Amazon Linux 2023.6", ("Amazon Linux 2",))


# --- detections --------------------------------------------------------------------------


def test_detections_reference_the_kb_consistently(tenant, detections):
    types = {"Vulnerability": "Confirmed", "Potential Vulnerability": "Potential"}
    unique_ids = set()
    for host in tenant.hosts[::7]:
        found = detections[host.host_id]
        assert [d.qid for d in found] == sorted({d.qid for d in found})
        for d in found:
            vuln = tenant.kb.get(d.qid)
            assert vuln is not None
            assert d.severity == vuln.severity
            assert d.qds == vuln.qds
            assert d.type == types.get(vuln.vuln_type, "Info")
            assert host.first_found <= d.first_found <= d.last_found <= host.last_scanned
            assert d.last_found <= d.last_processed <= NOW
            assert d.times_found >= 1
            assert (d.last_fixed is not None) == (d.status in ("Fixed", "Re-Opened"))
            if d.status == "Fixed":
                assert d.last_fixed > d.last_found
                assert d.results == ""
            unique_ids.add(d.unique_vuln_id)
    assert len(unique_ids) == sum(len(detections[h.host_id]) for h in tenant.hosts[::7])


def test_detections_equal_the_stateless_function(tenant, detections):
    host = tenant.hosts[42]

    assert (
        host_detections(tenant.seed, host, tenant.kb, tenant.software, tenant.now)
        == (detections[host.host_id])
    )


def test_log4shell_only_on_hosts_with_a_vulnerable_log4j(tenant, detections):
    hits = [h for h in tenant.hosts if any(d.qid == 730297 for d in detections[h.host_id])]

    assert 10 <= len(hits) <= 150
    for host in hits:
        versions = {i.version for i in tenant.software_of(host) if i.product == "Apache Log4j"}
        assert any(v.startswith("2.14") for v in versions), host.name


def test_panos_command_injection_only_on_vulnerable_panos(tenant, detections):
    (vuln,) = tenant.kb.by_cve("CVE-2024-3400")
    hits = [h for h in tenant.hosts if any(d.qid == vuln.qid for d in detections[h.host_id])]

    assert 1 <= len(hits) <= 40
    assert all(h.os in ("PAN-OS 10.2.9", "PAN-OS 11.1.2") for h in hits)


def test_eternalblue_only_on_old_windows(tenant, detections):
    hits = [h for h in tenant.hosts if any(d.qid == 91345 for d in detections[h.host_id])]

    assert hits
    assert all(
        h.os.startswith(("Windows Server 2008", "Windows Server 2012", "Windows 7")) for h in hits
    )


def test_counts_and_statuses_are_realistic(tenant, detections):
    counts = {h.host_id: len(detections[h.host_id]) for h in tenant.hosts}
    statuses = Counter(d.status for found in detections.values() for d in found)
    total = sum(statuses.values())

    def mean(hosts):
        return sum(counts[h.host_id] for h in hosts) / len(hosts)

    servers = [h for h in tenant.hosts if "Server" in h.os or h.os_family == "Linux"]
    network = [h for h in tenant.hosts if h.os_family == "Network"]
    eol = [h for h in tenant.hosts if h.os_lifecycle == "EOL"]
    supported = [h for h in tenant.hosts if h.os_lifecycle == "GA"]

    assert 32 <= total / len(tenant.hosts) <= 48
    assert 0.70 <= statuses["Active"] / total <= 0.80
    assert 0.05 <= statuses["New"] / total <= 0.11
    assert 0.03 <= statuses["Re-Opened"] / total <= 0.07
    assert 0.09 <= statuses["Fixed"] / total <= 0.15
    assert mean(network) < 0.5 * mean(servers)
    assert mean(eol) > 1.3 * mean(supported)
