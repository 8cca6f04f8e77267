"""check_compliance in the cloud through the MCP tool: a framework ('CIS', 'PCI DSS') or none
is matched to TotalCloud's benchmarks and mandates, and the answer's counts are those of the
simulated estate (a control fails in an account when any of its resources there fails).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from qualys_totalcloud.api.controls import Mandate, MandateControl, match
from qualys_totalcloud.simulator.cloud_catalog import (
    CIS_POLICY,
    CONTROLS,
    HIPAA,
    ISO,
    MANDATES,
    NIST,
    PCI,
    SOC2,
    Control,
)
from qualys_totalcloud.simulator.cloud_data import estate

from qualys_core.simulator import Tenant
from qualys_core.testing import FIXED_NOW

SOURCE = "totalcloud.cloud_compliance"
NAMES = {"AWS": "AWS", "AZURE": "Azure", "GCP": "GCP", "OCI": "OCI"}
ORDER = {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3}


@pytest.fixture
def qualys_simulator_options() -> dict[str, Any]:
    return {"assets": 300, "seed": 7, "now": FIXED_NOW}


def standing(tenant: Tenant, covers: Callable[[Control], bool]) -> dict[str, Any]:
    """What the estate says: per account (controls, failing), and per control the accounts it
    fails in and its failed resources."""
    cloud = estate(tenant)
    accounts: dict[tuple[str, str], tuple[int, int]] = {}
    controls: dict[tuple[str, int], dict[str, Any]] = {}
    for account in cloud.accounts:
        rows = [e for e in cloud.evaluations(account) if covers(e.control)]
        if not rows:
            continue
        accounts[(account.provider, account.account_id)] = (
            len(rows),
            sum(1 for e in rows if e.result == "FAIL"),
        )
        for e in rows:
            entry = controls.setdefault(
                (e.control.provider, e.control.cid),
                {"control": e.control, "failing_in": set(), "resources": 0},
            )
            if e.result == "FAIL":
                entry["failing_in"].add(account.account_id)
                entry["resources"] += e.failed
    failing = {k: v for k, v in controls.items() if v["failing_in"]}
    return {"accounts": accounts, "controls": controls, "failing": failing}


def check_counts(block: dict[str, Any], expected: dict[str, Any]) -> None:
    providers = [r for r in block["records"] if r["kind"] == "provider"]
    seen = {
        (provider, a["account_id"]): (a["controls"], a["failing"])
        for r in providers
        for provider in [next(p for p, n in NAMES.items() if n == r["provider"])]
        for a in r["by_account"]
    }
    assert seen == expected["accounts"]
    for record in providers:
        provider = next(p for p, n in NAMES.items() if n == record["provider"])
        mine = [k for k in expected["controls"] if k[0] == provider]
        assert record["controls"] == len(mine)
        assert record["failing"] == sum(1 for k in mine if k in expected["failing"])
    stats = block["stats"]
    assert stats["cloud_controls_evaluated"] == len(expected["controls"])
    assert stats["cloud_controls_failing"] == len(expected["failing"])
    assert stats["cloud_accounts"] == len(expected["accounts"])


def check_failing_controls(block: dict[str, Any], expected: dict[str, Any]) -> None:
    controls = [r for r in block["records"] if r["kind"] == "control"]
    assert block["total"] == len(expected["failing"]) + sum(
        1 for r in block["records"] if r["kind"] != "control"
    )
    for record in controls:
        key = (next(p for p, n in NAMES.items() if n == record["provider"]), record["cid"])
        truth = expected["failing"][key]
        assert record["name"] == truth["control"].name
        assert record["criticality"] == truth["control"].criticality
        assert record["accounts_failing"] == len(truth["failing_in"])
        assert record["failed_resources"] == truth["resources"]
    ranks = [(ORDER[r["criticality"]], -r["accounts_failing"]) for r in controls]
    assert ranks == sorted(ranks)


async def test_pci_dss_counts_are_the_estates(call, qualys_simulator):
    expected = standing(qualys_simulator.tenant, lambda c: PCI in c.mandates)
    env = await call("check_compliance", {"framework": "PCI DSS", "limit": 500})
    block = env["data"][SOURCE]
    check_counts(block, expected)
    check_failing_controls(block, expected)
    assert block["stats"]["cloud_framework"] == PCI
    headline = (
        f"{PCI} in the cloud: {len(expected['failing'])} of {len(expected['controls'])} "
        f"controls failing across {len(expected['accounts'])} accounts"
    )
    texts = env["summary"]["key_findings"]
    assert headline in texts
    critical = [v for v in expected["failing"].values() if v["control"].criticality == "CRITICAL"]
    assert critical, "the seeded estate fails critical PCI controls"
    shown = [t for t in texts if t.startswith("CRITICAL control failing")]
    assert len(shown) == min(3, len(critical))
    worst = next(r for r in block["records"] if r["kind"] == "control")
    assert worst["name"] in shown[0]
    assess = next(a for a in env["actions"] if a["tool"] == "assess_risk")
    assert assess["arguments"]["scope"] == "cloud"
    assert assess["arguments"]["service"] == worst["service"]
    key = (next(p for p, n in NAMES.items() if n == worst["provider"]), worst["cid"])
    assert assess["arguments"]["account_id"] in expected["failing"][key]["failing_in"]


async def test_cis_selects_every_providers_benchmark(call, qualys_simulator):
    benchmarks = set(CIS_POLICY.values())
    expected = standing(qualys_simulator.tenant, lambda c: bool(benchmarks & set(c.policies)))
    env = await call("check_compliance", {"framework": "cis", "limit": 500})
    block = env["data"][SOURCE]
    check_counts(block, expected)
    check_failing_controls(block, expected)
    assert set(block["stats"]["cloud_frameworks_matched"].split("; ")) == benchmarks
    # Controls only in the best-practices policies are left out.
    assert not {
        (c.provider, c.cid) for c in CONTROLS if CIS_POLICY[c.provider] not in c.policies
    } & set(expected["controls"])
    assert {r["provider"] for r in block["records"] if r["kind"] == "provider"} == {
        "AWS",
        "Azure",
        "GCP",
        "OCI",
    }


async def test_limit_cuts_the_failing_controls_and_says_so(call, qualys_simulator):
    expected = standing(qualys_simulator.tenant, lambda c: PCI in c.mandates)
    env = await call("check_compliance", {"framework": "pci", "limit": 6})
    block = env["data"][SOURCE]
    providers = sum(1 for r in block["records"] if r["kind"] == "provider")
    assert len(block["records"]) == 6
    assert sum(1 for r in block["records"] if r["kind"] == "control") == 6 - providers
    assert block["truncated"] is True
    assert str(len(expected["failing"])) in block["more"]


async def test_no_framework_gives_overall_posture_and_the_weakest_frameworks(
    call, qualys_simulator
):
    tenant = qualys_simulator.tenant
    expected = standing(tenant, lambda c: True)
    env = await call("check_compliance", {"limit": 500})
    block = env["data"][SOURCE]
    check_counts(block, expected)
    frameworks = {r["framework"]: r for r in block["records"] if r["kind"] == "framework"}
    assert set(frameworks) == set(MANDATES) | set(CIS_POLICY.values())
    for name in (PCI, NIST, HIPAA, ISO, SOC2):
        truth = standing(tenant, lambda c, name=name: name in c.mandates)
        assert (frameworks[name]["controls"], frameworks[name]["failing"]) == (
            len(truth["controls"]),
            len(truth["failing"]),
        )
    rates = [r["pass_rate"] for r in block["records"] if r["kind"] == "framework"]
    assert rates == sorted(rates)
    weakest = next(r for r in block["records"] if r["kind"] == "framework")
    assert any(
        t.startswith(f"Weakest cloud frameworks: {weakest['framework']} ")
        for t in env["summary"]["key_findings"]
    )


async def test_unknown_framework_lists_what_totalcloud_has(call, qualys_simulator):
    env = await call("check_compliance", {"framework": "FedRAMP"})
    block = env["data"].get(SOURCE)
    assert block is None or block["records"] == []
    texts = env["summary"]["key_findings"]
    found = next(t for t in texts if "no cloud framework matching 'FedRAMP'" in t)
    for name in (*MANDATES, *CIS_POLICY.values()):
        assert name in found
    frameworks = [
        a["arguments"]["framework"] for a in env["actions"] if a["tool"] == "check_compliance"
    ]
    assert frameworks[0] == "CIS"
    source = next(s for s in env["sources"] if s["name"] == SOURCE)
    assert source["status"] in ("ok", "empty")
    # No evaluations are read for a framework TotalCloud does not have.
    assert qualys_simulator.log.count(route="totalcloud.evaluations") == 0


async def test_a_second_framework_reuses_the_cached_reads(call, qualys_simulator):
    log = qualys_simulator.log
    await call("check_compliance", {"framework": "PCI"})
    reads = log.count(route="totalcloud.evaluations")
    assert reads == len(estate(qualys_simulator.tenant).accounts)
    await call("check_compliance", {"framework": "CIS"})
    await call("check_compliance", {})
    assert log.count(route="totalcloud.evaluations") == reads
    assert log.count(route="totalcloud.controls_metadata") == 4  # one per provider
    assert log.count(route="totalcloud.mandates") == 1


async def test_compliance_reads_no_evaluation_posture_already_read(call, qualys_simulator):
    log = qualys_simulator.log
    await call("assess_risk", {"scope": "cloud"})
    reads = log.count(route="totalcloud.evaluations")
    assert reads == len(estate(qualys_simulator.tenant).accounts)

    await call("check_compliance", {"framework": "CIS"})

    assert log.count(route="totalcloud.evaluations") == reads


MANDATE_LIST = [
    Mandate(name=name, controls=tuple(MandateControl(cid=c.cid, provider=c.provider)
                                      for c in CONTROLS if name in c.mandates))
    for name in MANDATES
]  # fmt: skip
LIBRARY = {
    p.lower(): {
        policy: {(c.provider, c.cid) for c in CONTROLS if policy in c.policies}
        for policy in {q for c in CONTROLS if c.provider == p for q in c.policies}
    }
    for p in CIS_POLICY
}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("pci", [PCI]),
        ("PCI-DSS 4.0", [PCI]),
        ("pcidss", [PCI]),
        ("NIST 800-53", [NIST]),
        ("iso 27001", [ISO]),
        ("SOC2", [SOC2]),
        ("hipaa compliance", [HIPAA]),
        ("CIS AWS", [CIS_POLICY["AWS"]]),
        ("cis", sorted(CIS_POLICY.values())),
        ("Azure best practices", ["Azure Best Practices Policy"]),
        ("PCI DSS 3.2.1", None),
        ("FedRAMP", None),
        ("soc 1", None),
    ],
)
def test_framework_matching_is_tolerant_but_not_loose(text, names):
    selection = match(text, MANDATE_LIST, LIBRARY)
    if names is None:
        assert selection is None
    else:
        assert selection is not None
        assert sorted(selection.names) == sorted(names)


def test_a_cloud_word_narrows_the_match_to_that_cloud():
    selection = match("CIS aws", MANDATE_LIST, LIBRARY)
    assert selection is not None
    assert {k[0] for k in selection.keys} == {"AWS"}
    assert selection.wants("aws")
    assert not selection.wants("azure")
    pci = match("PCI DSS on Azure", MANDATE_LIST, LIBRARY)
    assert pci is not None
    assert pci.names == (PCI,)
    assert pci.keys == {
        ("AZURE", c.cid) for c in CONTROLS if c.provider == "AZURE" and PCI in c.mandates
    }
    everything = match("oracle", MANDATE_LIST, LIBRARY)
    assert everything is not None
    assert everything.everything
    assert everything.providers == frozenset({"oci"})
