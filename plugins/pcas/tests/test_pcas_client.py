"""Our PCAS client on the simulator (`qualys_client`), its tolerant readers, and the
free-text matching of frameworks and platforms."""

from __future__ import annotations

from datetime import date

import pytest
from qualys_pcas.api.library import (
    Label,
    Technology,
    get_policy,
    list_labels,
    list_policies,
    list_technologies,
    parse_date,
    parse_policy,
    parse_policy_detail,
    policy_rows,
)
from qualys_pcas.api.matching import match_framework, match_technology
from qualys_pcas.simulator.catalog import LABELS, TECHNOLOGIES, library_of, sections_of

LIB_LABELS = [Label(label_id=lab.label_id, name=lab.name) for lab in LABELS]
LIB_TECHS = [Technology(technology_id=t.technology_id, name=t.name) for t in TECHNOLOGIES]


async def test_the_client_reads_the_simulated_library(qualys_client, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)
    labels = await list_labels(qualys_client)
    assert [lab.name for lab in labels] == [lab.name for lab in lib.labels]
    techs = await list_technologies(qualys_client, 12)
    assert [t.technology_id for t in techs] == [
        t.technology_id for t in lib.technologies_of_label(12)
    ]
    # The label's answer is a list in a list; the reader flattens it.
    cis = await list_policies(qualys_client, label_id=1, include_description=True)
    assert [p.policy_id for p in cis] == [p.policy_id for p in lib.select(label_id=1)]
    assert cis[0].updated == lib.select(label_id=1)[0].updated.date()
    assert cis[0].description
    since = await list_policies(qualys_client, technology_ids=[64], updated_after=date(2025, 6, 1))
    assert {p.policy_id for p in since} == {
        p.policy_id for p in lib.select(technology_ids=[64]) if p.updated.date() >= date(2025, 6, 1)
    }
    policy = lib.policies[3]
    detail = await get_policy(qualys_client, policy_id=policy.policy_id, details="full")
    assert detail is not None
    assert detail.title == policy.title
    assert detail.control_count == sum(len(s.controls) for s in sections_of(lib, policy))
    assert await get_policy(qualys_client, policy_id=7) is None
    with pytest.raises(ValueError, match="exactly one"):
        await get_policy(qualys_client)


def test_readers_take_the_shapes_the_catalogue_lists():
    assert [r["policyId"] for r in policy_rows([[{"policyId": 1}], {"policyId": "2"}])] == [1, "2"]
    row = parse_policy({"policyId": "5001", "policyTitle": " CIS ", "date": "2025-03-04T00:00:00Z"})
    assert row is not None
    assert (row.policy_id, row.title, row.updated) == (
        5001,
        "CIS",
        date(2025, 3, 4),
    )
    assert parse_policy({"policyTitle": "no id"}) is None
    assert parse_date("02/06/2025") == date(2025, 6, 2)  # dd/mm/yyyy, the vendor's
    assert parse_date("soon") is None
    detail = parse_policy_detail(
        {
            "policyId": 9,
            "technologies": [{"technologyId": "45", "technologyName": "Windows Server 2016"}, "x"],
            "sections": [
                {
                    "sectionNumber": 1,
                    "controls": [{"controlId": 7, "criticality": {"label": "URGENT"}}],
                }
            ],
        }
    )
    assert detail.technologies == (Technology(technology_id=45, name="Windows Server 2016"),)
    assert detail.sections[0].controls[0].criticality == "URGENT"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("CIS", "CIS"),
        ("cis benchmarks", "CIS"),
        ("PCI DSS", "PCI DSS"),
        ("pci", "PCI DSS"),
        ("PCI-DSS", "PCI DSS"),
        ("NIST 800-53", "NIST 800-53"),
        ("nist sp 800-53", "NIST 800-53"),
        ("NIST", "NIST 800-53"),
        ("800-171", "NIST 800-171"),
        ("HIPAA", "HIPAA"),
        ("ISO/IEC 27001", "ISO 27001"),
        ("iso27001", "ISO 27001"),
        ("SOC2", "SOC 2"),
        ("soc 2 type ii", "SOC 2"),
        ("DISA STIG", "DISA STIG"),
        ("stig", "DISA STIG"),
        ("qualys best", "Qualys Best Practices"),
    ],
)
def test_framework_names_match_library_labels(text, label):
    found = match_framework(text, LIB_LABELS)
    assert found is not None
    assert found.name == label


@pytest.mark.parametrize("text", ["FedRAMP", "", "  ", "xx", "COBIT 2019"])
def test_unknown_frameworks_are_none(text):
    assert match_framework(text, LIB_LABELS) is None


def test_a_framework_the_library_lacks_is_none_even_with_an_alias():
    assert match_framework("SOC 2", [lab for lab in LIB_LABELS if lab.name != "SOC 2"]) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Ubuntu 22.04", "Ubuntu 22.04 LTS"),
        ("Windows Server 2019", "Windows Server 2019"),
        ("windows server 2022", "Windows Server 2022"),
        ("RHEL 9", "Red Hat Enterprise Linux 9"),
        ("SLES 15", "SUSE Linux Enterprise Server 15"),
        ("k8s", "Kubernetes"),
        ("MSSQL 2019", "Microsoft SQL Server 2019"),
        ("GCP", "Google Cloud Platform (GCP)"),
        ("ESXi 8.0", "VMware ESXi 8.0"),
    ],
)
def test_platform_names_match_library_technologies(text, name):
    found = match_technology(text, LIB_TECHS)
    assert found is not None
    assert found.name == name


@pytest.mark.parametrize("text", ["Windows", "Solaris 11", "Ubuntu 18.04", ""])
def test_ambiguous_or_unknown_platforms_are_none(text):
    assert match_technology(text, LIB_TECHS) is None
