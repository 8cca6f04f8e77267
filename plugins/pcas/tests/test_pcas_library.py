"""check_compliance through MCP against the simulated Policy Audit library: framework
coverage, one platform, the label overview, an unknown framework or platform, the cache and
detail. Expected values come from the simulated library itself (`library_of(tenant)`)."""

from __future__ import annotations

from typing import Any

from qualys_pcas.simulator.catalog import LIBRARY_SIZE, Library, library_of, sections_of

SOURCE = "pcas.library"


def block(env: dict[str, Any]) -> dict[str, Any]:
    (source,) = env["sources"]
    assert (source["name"], source["status"]) == (SOURCE, "ok"), source
    result: dict[str, Any] = env["data"][SOURCE]
    return result


def label_id(lib: Library, name: str) -> int:
    return next(lab.label_id for lab in lib.labels if lab.name == name)


def tech_id(lib: Library, name: str) -> int:
    return next(t.technology_id for t in lib.technologies if t.name == name)


def newest(policies: list[Any]) -> list[Any]:
    return sorted(policies, key=lambda p: (p.updated, p.policy_id), reverse=True)


def tech_names(lib: Library, policy: Any) -> list[str]:
    return sorted(t.name for t in lib.technologies if t.technology_id in policy.technologies)


async def test_cis_lists_the_library_policies_newest_first(call, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)
    cis = label_id(lib, "CIS")
    expected = newest(lib.select(label_id=cis))

    env = await call("check_compliance", {"framework": "CIS", "limit": 10})

    data = block(env)
    assert data["total"] == len(expected) > 200
    assert (data["returned"], data["truncated"], data["more"]) == (10, True, "raise limit")
    assert [r["policy_id"] for r in data["records"]] == [p.policy_id for p in expected[:10]]
    first = data["records"][0]
    assert first["title"] == expected[0].title
    assert first["labels"] == ["CIS"]
    assert first["technologies"] == tech_names(lib, expected[0])
    assert first["updated"] == expected[0].updated.date().isoformat()
    stats = data["stats"]
    assert stats["policies"] == len(expected)
    assert stats["technologies_covered"] == len(lib.technologies_of_label(cis))
    assert stats["library_technologies"] == len(lib.technologies)


async def test_pci_dss_names_the_technologies_without_a_policy(call, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)
    pci = label_id(lib, "PCI DSS")
    covered = {t.technology_id for t in lib.technologies_of_label(pci)}
    uncovered = [t.name for t in lib.technologies if t.technology_id not in covered]
    assert uncovered  # the simulated library leaves PCI DSS gaps (containers, clouds)

    env = await call("check_compliance", {"framework": "pci-dss"})

    data = block(env)
    total = len(lib.select(label_id=pci))
    assert data["total"] == total
    assert data["stats"]["technologies_without_policy"] == len(uncovered)
    assert env["summary"]["headline"] == (
        f"PCI DSS: {total:,} library policies cover {len(covered)} of "
        f"{len(lib.technologies)} library technologies ({len(uncovered)} without one)"
    )
    gap = next(f for f in env["summary"]["key_findings"] if "have no PCI DSS policy" in f)
    assert all(name in gap for name in uncovered[:8])
    (imports, narrow) = env["actions"]
    assert str(data["records"][0]["policy_id"]) in imports["title"]
    assert imports["tool"] is None  # a write: suggested, never performed
    assert narrow["tool"] == "check_compliance"
    assert narrow["arguments"]["framework"] == "PCI DSS"


async def test_hipaa_counts_every_policy_carrying_the_label(call, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)
    hipaa = label_id(lib, "HIPAA")
    expected = lib.select(label_id=hipaa)
    # Some carry HIPAA as their second label: counting by title would miss them.
    assert any(p.labels[0] != hipaa for p in expected)

    env = await call("check_compliance", {"framework": "hipaa", "limit": 500})

    data = block(env)
    assert data["total"] == data["returned"] == len(expected)
    assert {r["policy_id"] for r in data["records"]} == {p.policy_id for p in expected}


async def test_cis_for_ubuntu_22_04(call, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)
    ubuntu = tech_id(lib, "Ubuntu 22.04 LTS")
    expected = newest(lib.select(label_id=label_id(lib, "CIS"), technology_ids=[ubuntu]))

    env = await call("check_compliance", {"framework": "CIS", "platform": "Ubuntu 22.04"})

    data = block(env)
    assert [r["policy_id"] for r in data["records"]] == [p.policy_id for p in expected]
    assert all("Ubuntu 22.04 LTS" in r["technologies"] for r in data["records"])
    assert data["stats"]["platform"] == "Ubuntu 22.04 LTS"
    assert env["summary"]["headline"] == (
        f"{len(expected)} CIS library policies for Ubuntu 22.04 LTS; newest: {expected[0].title}"
    )


async def test_windows_server_2019_alone_lists_every_label(call, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)
    expected = newest(lib.select(technology_ids=[tech_id(lib, "Windows Server 2019")]))

    env = await call("check_compliance", {"platform": "Windows Server 2019", "limit": 500})

    data = block(env)
    assert data["total"] == len(expected)
    by_id = {r["policy_id"]: r for r in data["records"]}
    for policy in expected:
        names = [lab.name for lab in lib.labels if lab.label_id in policy.labels]
        assert by_id[policy.policy_id]["labels"] == names
        assert by_id[policy.policy_id]["technologies"] == ["Windows Server 2019"]
    assert data["stats"]["labels_with_policies"] == len({lid for p in expected for lid in p.labels})


async def test_without_a_framework_the_labels_with_their_counts(call, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)

    env = await call("check_compliance", {})

    data = block(env)
    assert data["stats"]["library_policies"] == LIBRARY_SIZE == 1247
    assert data["total"] == len(lib.labels) == 12
    counts = {r["label"]: r["policies"] for r in data["records"]}
    assert counts == {lab.name: len(lib.select(label_id=lab.label_id)) for lab in lib.labels}
    assert env["summary"]["headline"].startswith(
        "The Policy Audit library holds 1,247 policies under 12 labels (CIS "
    )


async def test_an_unknown_framework_lists_the_library_frameworks(call, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)

    env = await call("check_compliance", {"framework": "FedRAMP Moderate"})

    data = block(env)
    assert [r["label"] for r in data["records"]] == [lab.name for lab in lib.labels]
    headline = env["summary"]["headline"]
    assert headline.startswith("The Policy Audit library has no framework matching 'FedRAMP")
    assert all(lab.name in headline for lab in lib.labels)
    assert qualys_simulator.log.count(route="pcas.policy_list") == 0


async def test_an_unknown_platform_lists_the_library_technologies(call, qualys_simulator):
    env = await call("check_compliance", {"framework": "CIS", "platform": "Solaris 11"})

    data = block(env)
    assert data["records"] == []
    assert data["total"] == 0
    assert env["summary"]["headline"].startswith(
        "No library technology matches 'Solaris 11'; the library covers: Windows Server 2016"
    )


async def test_detail_adds_sections_and_controls(call, qualys_simulator):
    lib = library_of(qualys_simulator.tenant)
    top = newest(lib.select(label_id=label_id(lib, "DISA STIG")))[:5]

    env = await call("check_compliance", {"framework": "DISA STIG", "detail": True, "limit": 7})

    records = block(env)["records"]
    for record, policy in zip(records, top, strict=False):
        sections = sections_of(lib, policy)
        assert record["sections"] == len(sections)
        assert record["controls"] == sum(len(s.controls) for s in sections)
        assert record["section_headings"] == [s.heading for s in sections]
    assert "sections" not in records[5]
    assert qualys_simulator.log.count(route="pcas.policy") == 5


async def test_a_second_call_is_served_from_the_cache(call, qualys_simulator, qualys_app):
    first = await call("check_compliance", {"framework": "SOC 2"})
    asked = qualys_simulator.log.count(route="pcas.policy_list")
    second = await call("check_compliance", {"framework": "SOC 2", "platform": "RHEL 9"})

    assert first["sources"][0]["cached"] is False
    assert second["sources"][0]["cached"] is True
    assert qualys_simulator.log.count(route="pcas.policy_list") == asked
    tier = qualys_app.client.cache.tier("pcas_library").stats()
    assert (tier.owner, tier.ttl_seconds) == ("pcas", 3600)
    assert block(second)["stats"]["platform"] == "Red Hat Enterprise Linux 9"
